//! Fixed log-scale latency histograms that can be merged.
//!
//! Every histogram, in memory or in a stored minute, uses the same bucket bounds, so
//! merging two is adding their counts bucket by bucket: a percentile over an hour is read
//! from the sum of sixty minutes. Bucket `i` holds latencies up to `100 µs × 2^(i/4)`; four
//! buckets per doubling keep a percentile, read as the bucket's geometric middle, within
//! [`MAX_RELATIVE_ERROR`] of the true value (from 100 µs to 105 s; the last bucket takes
//! everything above).

use std::sync::atomic::{AtomicU64, Ordering};

/// Number of buckets, the last one open-ended.
pub const BUCKETS: usize = 82;
/// Upper bound of the first bucket, in microseconds.
const FIRST_BOUND_US: f64 = 100.0;
/// Buckets per doubling.
const PER_DOUBLING: f64 = 4.0;
/// A percentile read from a histogram is within this fraction of the true value
/// (`2^(1/8) − 1`), for latencies between 100 µs and the last finite bound.
pub const MAX_RELATIVE_ERROR: f64 = 0.0906;

/// Upper bound of bucket `i` in microseconds (`f64::INFINITY` for the last).
pub fn bound_us(i: usize) -> f64 {
    if i + 1 >= BUCKETS {
        f64::INFINITY
    } else {
        FIRST_BOUND_US * 2f64.powf(i as f64 / PER_DOUBLING)
    }
}

/// The bucket a latency of `us` microseconds falls in.
pub fn bucket_of(us: u64) -> usize {
    let v = us as f64;
    if v <= FIRST_BOUND_US {
        return 0;
    }
    let i = (PER_DOUBLING * (v / FIRST_BOUND_US).log2()).ceil() as usize;
    // Floating point may land one bucket high at an exact bound.
    let i = if i > 0 && v <= bound_us(i - 1) {
        i - 1
    } else {
        i
    };
    i.min(BUCKETS - 1)
}

/// A histogram's counts, a plain value: a snapshot, a stored minute, or a merge of several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts(pub [u64; BUCKETS]);

impl Default for Counts {
    fn default() -> Self {
        Counts([0; BUCKETS])
    }
}

impl Counts {
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Adds `other`, bucket by bucket.
    pub fn merge(&mut self, other: &Counts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    /// What `self` has more than an earlier snapshot `before`.
    pub fn since(&self, before: &Counts) -> Counts {
        let mut out = Counts::default();
        for (i, o) in out.0.iter_mut().enumerate() {
            *o = self.0[i].saturating_sub(before.0[i]);
        }
        out
    }

    /// The `q`-quantile (0 < q ≤ 1) in microseconds, or `None` when empty. Reads the
    /// geometric middle of the bucket holding the rank `ceil(q × total)`.
    pub fn quantile_us(&self, q: f64) -> Option<f64> {
        let total = self.total();
        if total == 0 {
            return None;
        }
        let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
        let mut seen = 0;
        for (i, n) in self.0.iter().enumerate() {
            seen += n;
            if seen >= rank {
                let upper = bound_us(i).min(bound_us(BUCKETS - 2));
                let lower = if i == 0 {
                    FIRST_BOUND_US / 2f64.powf(1.0 / PER_DOUBLING)
                } else {
                    bound_us(i - 1)
                };
                return Some((lower * upper).sqrt());
            }
        }
        None
    }

    /// Compact text for storage: `index:count` pairs of the non-empty buckets.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        for (i, n) in self.0.iter().enumerate().filter(|(_, n)| **n > 0) {
            if !out.is_empty() {
                out.push(',');
            }
            out.push_str(&format!("{i}:{n}"));
        }
        out
    }

    /// Reads [`Counts::encode`]'s text; pairs that do not parse are skipped.
    pub fn decode(s: &str) -> Counts {
        let mut out = Counts::default();
        for pair in s.split(',') {
            if let Some((i, n)) = pair.split_once(':')
                && let (Ok(i), Ok(n)) = (i.parse::<usize>(), n.parse::<u64>())
                && i < BUCKETS
            {
                out.0[i] += n;
            }
        }
        out
    }
}

/// A histogram recorded from many threads at once: one relaxed atomic add per bucket and
/// sum, no lock.
#[derive(Debug)]
pub struct AtomicHistogram {
    buckets: [AtomicU64; BUCKETS],
    sum_us: AtomicU64,
}

impl Default for AtomicHistogram {
    fn default() -> Self {
        AtomicHistogram {
            buckets: std::array::from_fn(|_| AtomicU64::new(0)),
            sum_us: AtomicU64::new(0),
        }
    }
}

impl AtomicHistogram {
    pub fn record_us(&self, us: u64) {
        self.buckets[bucket_of(us)].fetch_add(1, Ordering::Relaxed);
        self.sum_us.fetch_add(us, Ordering::Relaxed);
    }

    pub fn counts(&self) -> Counts {
        Counts(std::array::from_fn(|i| {
            self.buckets[i].load(Ordering::Relaxed)
        }))
    }

    /// Sum of every recorded value, in microseconds.
    pub fn sum_us(&self) -> u64 {
        self.sum_us.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_table() {
        // (latency µs, bucket)
        let cases = [
            (0, 0),
            (100, 0),
            (101, 1),
            (118, 1), // 100 × 2^(1/4) = 118.9
            (119, 2),
            (200, 4),
            (201, 5),
            (1_000, 14), // 100 × 2^(13/4) = 951, 2^(14/4) = 1131
            (1_000_000, 54),
            (u64::MAX, BUCKETS - 1),
        ];
        for (us, want) in cases {
            assert_eq!(bucket_of(us), want, "{us} µs");
            assert!(
                us as f64 <= bound_us(want),
                "{us} within its bucket's bound"
            );
        }
    }

    #[test]
    fn quantiles_within_the_stated_error() {
        for us in [150u64, 1_000, 3_333, 50_000, 200_000, 7_000_000] {
            let h = AtomicHistogram::default();
            for _ in 0..10 {
                h.record_us(us);
            }
            let got = h.counts().quantile_us(0.5).expect("not empty");
            let err = (got - us as f64).abs() / us as f64;
            assert!(err <= MAX_RELATIVE_ERROR, "{us}: read {got}, error {err}");
        }
        assert_eq!(Counts::default().quantile_us(0.99), None);
    }

    #[test]
    fn quantile_ranks_and_merge() {
        let (fast, slow) = (AtomicHistogram::default(), AtomicHistogram::default());
        for _ in 0..90 {
            fast.record_us(1_000);
        }
        for _ in 0..10 {
            slow.record_us(100_000);
        }
        let mut all = fast.counts();
        all.merge(&slow.counts());
        assert_eq!(all.total(), 100);
        let near = |got: Option<f64>, want: f64| {
            let got = got.expect("not empty");
            assert!(
                (got - want).abs() / want <= MAX_RELATIVE_ERROR,
                "{got} vs {want}"
            );
        };
        near(all.quantile_us(0.5), 1_000.0);
        near(all.quantile_us(0.9), 1_000.0);
        near(all.quantile_us(0.91), 100_000.0);
        near(all.quantile_us(0.99), 100_000.0);
        assert_eq!(Counts::decode(&all.encode()), all);
        assert_eq!(all.since(&fast.counts()), slow.counts());
    }
}
