//! What the store knows about itself (the writer's figures), and the stored history of the
//! engine's metrics: minute rollups and down periods.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use crate::hist::{AtomicHistogram, Counts};

/// Batch-size buckets: up to 1, 2, 4 … 1024 jobs per commit.
pub const BATCH_BUCKETS: usize = 11;

/// The writer's own figures.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Transactions committed (or rolled back).
    pub batches: AtomicU64,
    /// Jobs run in them.
    pub jobs: AtomicU64,
    /// Commits that failed.
    pub failed: AtomicU64,
    /// Batches per size bucket (`2^i` jobs at most).
    pub batch_sizes: [AtomicU64; BATCH_BUCKETS],
    /// From `BEGIN` to the end of `COMMIT`.
    pub commit_latency: AtomicHistogram,
    /// Requests stored but not yet searchable, as of the last indexing pass.
    pub fts_lag: AtomicI64,
}

impl WriterStats {
    pub(crate) fn batch(&self, jobs: usize, commit_us: u64, ok: bool) {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.jobs.fetch_add(jobs as u64, Ordering::Relaxed);
        if !ok {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        let bucket = (usize::BITS - jobs.saturating_sub(1).leading_zeros()) as usize;
        self.batch_sizes[bucket.min(BATCH_BUCKETS - 1)].fetch_add(1, Ordering::Relaxed);
        self.commit_latency.record_us(commit_us);
    }
}

/// One series' value in one minute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupRow {
    /// Unix time in minutes.
    pub minute: i64,
    pub series: String,
    /// Endpoint, target or reason; empty when the series has none.
    pub label: String,
    pub value: i64,
    /// A latency histogram, merged with what the minute already holds.
    pub hist: Option<Counts>,
    /// A gauge replaces the minute's value; a counter adds to it.
    pub gauge: bool,
}

/// A period a target or the tunnel was down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: super::PeriodKind,
    /// The target URL, or the tunnel provider.
    pub subject: String,
    pub started_us: i64,
    /// `None` while it lasts.
    pub ended_us: Option<i64>,
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::WriterStats;
    use std::sync::atomic::Ordering;

    #[test]
    fn batch_size_buckets() {
        let stats = WriterStats::default();
        for jobs in [1, 2, 3, 4, 5, 1024, 5000] {
            stats.batch(jobs, 10, true);
        }
        let counts: Vec<u64> = stats
            .batch_sizes
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        // ≤1: 1; ≤2: 2; ≤4: 3, 4; ≤8: 5; ≤1024 (last): 1024, 5000
        assert_eq!(counts, [1, 1, 2, 1, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(stats.jobs.load(Ordering::Relaxed), 6039);
    }
}
