//! The minute rollups: every minute (and at shutdown) what the counters gained since the last
//! flush is written to the store as one row per series and label, through the writer like
//! every write. Every [`TICK`] the retry backlog is sampled from the store's delivery index
//! and, when something changed and someone listens, a light `stats.updated` event goes out.

use std::sync::Arc;
use std::time::Duration;

use hooklens_store::{RollupRow, Store, now_us};
use tokio_util::sync::CancellationToken;

use super::{Metrics, Snapshot};
use crate::{Event, EventBus};

/// How often the backlog is sampled and `stats.updated` may be sent.
pub(crate) const TICK: Duration = Duration::from_secs(2);
/// Minutes kept in the store: a week and a day.
pub(crate) const KEEP_MINUTES: i64 = 8 * 24 * 60;

/// Series names in `stats_minutes`.
pub(crate) const REQUESTS: &str = "requests";
pub(crate) const REFUSED: &str = "refused";
pub(crate) const ATTEMPTS_OK: &str = "attempts_ok";
pub(crate) const ATTEMPTS_FAILED: &str = "attempts_failed";
pub(crate) const LATENCY: &str = "latency";
pub(crate) const BACKLOG: &str = "backlog";

pub(crate) fn minute_of(us: i64) -> i64 {
    us.div_euclid(60_000_000)
}

/// The rows for what `now` has more than `before`, all in `minute`. Zero rows are left out.
pub(crate) fn rows(
    minute: i64,
    now: &Snapshot,
    before: Option<&Snapshot>,
    backlog: i64,
) -> Vec<RollupRow> {
    let row = |series: &str, label: &str, value: u64| RollupRow {
        minute,
        series: series.into(),
        label: label.into(),
        value: value as i64,
        hist: None,
        gauge: false,
    };
    let prior = |list: fn(&Snapshot) -> &Vec<(String, u64)>, label: &str| {
        before
            .and_then(|b| list(b).iter().find(|(l, _)| l == label))
            .map_or(0, |(_, n)| *n)
    };
    let mut out = Vec::new();
    for (label, n) in &now.requests {
        let d = n.saturating_sub(prior(|s| &s.requests, label));
        if d > 0 {
            out.push(row(REQUESTS, label, d));
        }
    }
    for (label, n) in &now.refused {
        let d = n.saturating_sub(prior(|s| &s.refused, label));
        if d > 0 {
            out.push(row(REFUSED, label, d));
        }
    }
    for t in &now.targets {
        let was = before.and_then(|b| b.targets.iter().find(|p| p.target == t.target));
        let ok = t.attempts_ok() - was.map_or(0, |w| w.attempts_ok());
        let failed = t.attempts_failed() - was.map_or(0, |w| w.attempts_failed());
        if ok > 0 {
            out.push(row(ATTEMPTS_OK, &t.target, ok));
        }
        if failed > 0 {
            out.push(row(ATTEMPTS_FAILED, &t.target, failed));
        }
        let latency = match was {
            Some(w) => t.latency.since(&w.latency),
            None => t.latency.clone(),
        };
        let n = latency.total();
        if n > 0 {
            out.push(RollupRow {
                hist: Some(latency),
                ..row(LATENCY, &t.target, n)
            });
        }
    }
    out.push(RollupRow {
        gauge: true,
        ..row(BACKLOG, "", backlog.max(0) as u64)
    });
    out
}

/// Samples, rolls up and announces until shutdown, then writes the minute in progress.
pub(crate) async fn run(
    metrics: Arc<Metrics>,
    store: Store,
    events: EventBus,
    cancel: CancellationToken,
) {
    if !metrics.enabled() {
        return;
    }
    let start = now_us();
    metrics.set_flushed(metrics.snapshot());
    let mut flushed_minute = minute_of(start);
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut announced = (u64::MAX, i64::MIN);
    loop {
        // Wake at the minute's end too, so a minute's rollup holds only that minute.
        let to_boundary = 60_000_000 - now_us().rem_euclid(60_000_000);
        let stopping = tokio::select! {
            _ = tick.tick() => false,
            () = tokio::time::sleep(Duration::from_micros(to_boundary as u64 + 1_000)) => false,
            () = cancel.cancelled() => true,
        };
        sample_backlog(&store, &metrics).await;
        let now = now_us();
        if stopping || minute_of(now) != flushed_minute {
            // A closing minute's counts land on it; at shutdown, on the minute in progress.
            let minute = if stopping {
                minute_of(now)
            } else {
                flushed_minute
            };
            flush(&store, &metrics, minute).await;
            flushed_minute = minute_of(now);
        }
        if stopping {
            return;
        }
        if events.listened() {
            let summary = summary(&metrics, now);
            let key = (
                summary.requests + summary.attempts_ok + summary.attempts_failed,
                summary.retry_backlog,
            );
            if key != announced {
                announced = key;
                events.emit(Event::StatsUpdated(Box::new(summary)));
            }
        }
    }
}

async fn sample_backlog(store: &Store, metrics: &Metrics) {
    match store.pending_by_target().await {
        Ok(pending) => {
            let total: u64 = pending.iter().map(|(_, n)| n).sum();
            metrics
                .backlog
                .store(total as i64, std::sync::atomic::Ordering::Relaxed);
        }
        Err(e) => tracing::debug!(error = %e, "cannot sample the retry backlog"),
    }
}

async fn flush(store: &Store, metrics: &Metrics, minute: i64) {
    let _flush = metrics.flush_lock.lock().await;
    let (current, last) = metrics.unflushed();
    let backlog = metrics.backlog.load(std::sync::atomic::Ordering::Relaxed);
    let rows = rows(minute, &current, last.as_ref(), backlog);
    match store.write_rollup(rows, minute - KEEP_MINUTES).await {
        Ok(()) => metrics.set_flushed(current),
        // Kept unflushed: the next minute's rollup carries it.
        Err(e) => tracing::warn!(error = %e, "cannot store the minute's metrics; will retry"),
    }
}

/// The `stats.updated` event: totals since start, enough for a view to decide to refetch.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StatsSummary {
    /// Unix seconds.
    pub at: i64,
    pub requests: u64,
    pub refused: u64,
    pub attempts_ok: u64,
    pub attempts_failed: u64,
    pub retry_backlog: i64,
    pub targets_down: usize,
}

pub(crate) fn summary(metrics: &Metrics, now: i64) -> StatsSummary {
    let s = metrics.snapshot();
    StatsSummary {
        at: now / 1_000_000,
        requests: s.requests.iter().map(|(_, n)| n).sum(),
        refused: s.refused.iter().map(|(_, n)| n).sum(),
        attempts_ok: s.targets.iter().map(|t| t.attempts_ok()).sum(),
        attempts_failed: s.targets.iter().map(|t| t.attempts_failed()).sum(),
        retry_backlog: metrics.backlog.load(std::sync::atomic::Ordering::Relaxed),
        targets_down: s.targets.iter().filter(|t| t.down).count(),
    }
}

#[cfg(test)]
mod tests {
    use hooklens_store::SignatureStatus::Unconfigured;

    use super::*;

    #[test]
    fn rows_are_the_difference() {
        let m = Metrics::new(true);
        m.request("stripe", None, None, Unconfigured, None);
        m.attempt("http://t", Some(200), None, 1_000, Some(true));
        let before = m.snapshot();
        m.request("stripe", None, None, Unconfigured, None);
        m.request("github", None, None, Unconfigured, Some("too_large"));
        m.attempt("http://t", Some(500), None, 3_000, None);
        let rows = rows(7, &m.snapshot(), Some(&before), 4);
        let simple: Vec<(&str, &str, i64)> = rows
            .iter()
            .map(|r| (r.series.as_str(), r.label.as_str(), r.value))
            .collect();
        assert_eq!(
            simple,
            [
                (REQUESTS, "stripe", 1),
                (REQUESTS, "github", 1),
                (REFUSED, "too_large", 1),
                (ATTEMPTS_FAILED, "http://t", 1),
                (LATENCY, "http://t", 1),
                (BACKLOG, "", 4),
            ]
        );
        assert!(rows.iter().all(|r| r.minute == 7));
        let latency = rows[4].hist.as_ref().expect("histogram");
        assert_eq!(latency.total(), 1);
        assert!(rows[5].gauge);
    }
}
