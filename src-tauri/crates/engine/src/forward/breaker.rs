//! A target's circuit breaker: after [`THRESHOLD`] failures in a row the target is down; its
//! deliveries wait while one probe at a time checks it, with growing gaps (never sooner than
//! the target's own `Retry-After`); a success brings it back up.

use hooklens_store::format_us;
use serde::Serialize;
use utoipa::ToSchema;

/// Failures in a row that mark a target down.
pub const THRESHOLD: u32 = 5;
/// Longest gap between probes of a down target (µs).
const MAX_PROBE_GAP_US: i64 = 30_000_000;

#[derive(Debug, Default)]
pub struct Breaker {
    failures: u32,
    down: Option<Down>,
    /// When the last successful attempt started: failures of attempts that started before
    /// it are old news (they were in flight while the target came back) and count for
    /// nothing.
    last_success_start_us: i64,
}

#[derive(Debug)]
struct Down {
    since_us: i64,
    reason: String,
    probes: u32,
    next_probe_us: i64,
    /// A probe is in flight until this moment (its lease).
    probing_until_us: Option<i64>,
}

/// How the scheduler treats a down target's deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// They wait until the next probe.
    Down { probe_at_us: i64 },
    /// One of them goes as the probe.
    Probe,
    /// A probe is in flight until `until_us` (its lease): the rest wait for its outcome.
    Held { until_us: i64 },
}

/// A change worth telling people about.
pub enum Change {
    Up,
    Down(String),
}

/// What the API says about a target.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetStatus {
    /// The target's URL as configured.
    pub target: String,
    /// `up` or `down`.
    pub state: String,
    /// RFC 3339: since when it is down.
    pub down_since: Option<String>,
    /// Why it is down: the last failure.
    pub reason: Option<String>,
    /// Failures in a row.
    pub failures: u32,
    /// Deliveries waiting for it.
    pub pending: u64,
    /// RFC 3339: when it is probed next.
    pub next_probe: Option<String>,
}

impl Breaker {
    pub fn success(&mut self, started_us: i64) -> Option<Change> {
        self.failures = 0;
        self.last_success_start_us = self.last_success_start_us.max(started_us);
        self.down.take().map(|_| Change::Up)
    }

    /// A failed attempt, with the `Retry-After` the target asked for (µs, already capped by
    /// the policy). While the target is down only the probe's failure moves the next probe
    /// further out; others were already on their way when it went down. The next probe is
    /// never sooner than the target asked.
    pub fn failure(
        &mut self,
        now: i64,
        started_us: i64,
        probe: bool,
        reason: &str,
        retry_after_us: Option<i64>,
    ) -> Option<Change> {
        if started_us < self.last_success_start_us {
            return None;
        }
        self.failures += 1;
        match &mut self.down {
            Some(_) if !probe => None,
            Some(down) => {
                down.probes += 1;
                down.probing_until_us = None;
                down.reason = reason.to_string();
                down.next_probe_us = now + probe_gap(down.probes).max(retry_after_us.unwrap_or(0));
                None
            }
            None if self.failures >= THRESHOLD => {
                self.down = Some(Down {
                    since_us: now,
                    reason: reason.to_string(),
                    probes: 0,
                    next_probe_us: now + probe_gap(0).max(retry_after_us.unwrap_or(0)),
                    probing_until_us: None,
                });
                Some(Change::Down(reason.to_string()))
            }
            None => None,
        }
    }

    /// A probe went out; hold the rest until its lease ends.
    pub fn probing(&mut self, until_us: i64) {
        if let Some(down) = &mut self.down {
            down.probing_until_us = Some(until_us);
        }
    }

    /// A probe sent until `until_us` ended without an outcome (its request was deleted
    /// meanwhile): the next one may go.
    pub fn probe_ended(&mut self, until_us: i64) {
        if let Some(down) = &mut self.down
            && down.probing_until_us == Some(until_us)
        {
            down.probing_until_us = None;
        }
    }

    /// When a down target is probed next; `None` when it is up.
    pub fn next_probe(&self) -> Option<i64> {
        self.down.as_ref().map(|d| d.next_probe_us)
    }

    /// `None` while the target is up. A probe whose lease has lapsed no longer holds the
    /// others back.
    pub fn gate(&self, now: i64) -> Option<Gate> {
        let down = self.down.as_ref()?;
        Some(match down.probing_until_us {
            Some(until) if until > now => Gate::Held { until_us: until },
            _ if down.next_probe_us <= now => Gate::Probe,
            _ => Gate::Down {
                probe_at_us: down.next_probe_us,
            },
        })
    }

    pub fn status(&self, target: &str, pending: u64) -> TargetStatus {
        TargetStatus {
            target: target.to_string(),
            state: if self.down.is_some() { "down" } else { "up" }.into(),
            down_since: self.down.as_ref().map(|d| format_us(d.since_us)),
            reason: self.down.as_ref().map(|d| d.reason.clone()),
            failures: self.failures,
            pending,
            next_probe: self.down.as_ref().map(|d| format_us(d.next_probe_us)),
        }
    }
}

/// 1 s, 2 s, 4 s … up to 30 s.
fn probe_gap(probes: u32) -> i64 {
    (1_000_000i64 << probes.min(5)).min(MAX_PROBE_GAP_US)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_after_threshold_probes_with_growing_gaps_and_closes() {
        let mut b = Breaker::default();
        for i in 1..THRESHOLD {
            assert!(
                b.failure(i as i64, i as i64, false, "refused", None)
                    .is_none()
            );
            assert_eq!(b.gate(0), None, "still up after {i}");
        }
        assert!(matches!(
            b.failure(100, 100, false, "refused", None),
            Some(Change::Down(_))
        ));
        assert_eq!(
            b.gate(100),
            Some(Gate::Down {
                probe_at_us: 1_000_100
            })
        );
        assert_eq!(b.gate(1_000_100), Some(Gate::Probe));
        b.probing(5_000_000);
        assert_eq!(
            b.gate(1_000_200),
            Some(Gate::Held {
                until_us: 5_000_000
            })
        );
        assert!(
            b.failure(1_500_000, 50, false, "refused", None).is_none(),
            "not the probe"
        );
        assert_eq!(
            b.gate(1_500_000),
            Some(Gate::Held {
                until_us: 5_000_000
            })
        );
        assert!(
            b.failure(2_000_000, 1_000_100, true, "refused", None)
                .is_none(),
            "still down"
        );
        assert_eq!(
            b.gate(2_000_000),
            Some(Gate::Down {
                probe_at_us: 4_000_000
            })
        );
        assert_eq!(b.status("t", 3).state, "down");
        assert!(matches!(b.success(3_000_000), Some(Change::Up)));
        assert_eq!(b.gate(0), None);
        assert!(b.success(3_000_001).is_none(), "already up");
    }

    #[test]
    fn failures_that_started_before_a_success_do_not_count() {
        let mut b = Breaker::default();
        b.success(1_000);
        for i in 0..THRESHOLD * 2 {
            // Attempts sent while the target was still away, answered after it came back.
            assert!(
                b.failure(2_000 + i as i64, 500, false, "refused", None)
                    .is_none()
            );
        }
        assert_eq!(b.gate(5_000), None);
        assert_eq!(b.status("t", 0).failures, 0);
    }

    #[test]
    fn a_retry_after_pushes_the_probes_back_and_a_lapsed_probe_lets_the_next_go() {
        let s = 1_000_000;
        let mut b = Breaker::default();
        for i in 1..THRESHOLD {
            b.failure(i as i64, i as i64, false, "503", Some(60 * s));
        }
        // Opened by a 503 asking for a minute: the first probe waits the minute, not 1 s.
        assert!(matches!(
            b.failure(100, 100, false, "503", Some(60 * s)),
            Some(Change::Down(_))
        ));
        assert_eq!(
            b.gate(100),
            Some(Gate::Down {
                probe_at_us: 100 + 60 * s
            })
        );
        assert_eq!(b.next_probe(), Some(100 + 60 * s));
        // The probe gets another Retry-After: the next one waits for it too...
        let now = 100 + 60 * s;
        assert_eq!(b.gate(now), Some(Gate::Probe));
        b.probing(now + 660 * s);
        assert!(b.failure(now + 1, now, true, "429", Some(90 * s)).is_none());
        assert_eq!(
            b.gate(now + 1),
            Some(Gate::Down {
                probe_at_us: now + 1 + 90 * s
            })
        );
        // ... and a shorter one than the growing gap does not bring it forward.
        let now = now + 1 + 90 * s;
        b.probing(now + 660 * s);
        assert!(b.failure(now, now, true, "429", Some(1)).is_none());
        assert_eq!(
            b.gate(now),
            Some(Gate::Down {
                probe_at_us: now + 4 * s
            })
        );
        // A probe that ends without an outcome, or whose lease lapses, stops holding.
        let now = now + 4 * s;
        b.probing(now + 10);
        assert_eq!(b.gate(now), Some(Gate::Held { until_us: now + 10 }));
        assert_eq!(b.gate(now + 10), Some(Gate::Probe), "lapsed");
        b.probe_ended(now + 10);
        assert_eq!(b.gate(now), Some(Gate::Probe), "ended");
        assert!(matches!(b.success(now), Some(Change::Up)));
    }

    #[test]
    fn probe_gaps() {
        let gaps: Vec<i64> = (0..8).map(|p| probe_gap(p) / 1_000_000).collect();
        assert_eq!(gaps, [1, 2, 4, 8, 16, 30, 30, 30]);
    }
}
