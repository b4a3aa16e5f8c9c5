//! What the store knows about itself, and the stored history of the engine's metrics.
//!
//! [`WriterStats`] is kept by the writer thread with relaxed atomics (batch sizes, commit
//! latency, search index lag), so reading it never touches SQL. The engine's counters are
//! rolled up per minute into `stats_minutes` by the engine's own periodic job, through the
//! writer like every write, and read back for the Monitor's charts, so a restart keeps them.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use rusqlite::{OptionalExtension, params};

use crate::hist::{AtomicHistogram, Counts};
use crate::{Result, Store};

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
    pub kind: crate::PeriodKind,
    /// The target URL, or the tunnel provider.
    pub subject: String,
    pub started_us: i64,
    /// `None` while it lasts.
    pub ended_us: Option<i64>,
    pub reason: String,
}

impl Store {
    /// The writer's figures (read without SQL).
    pub fn writer_stats(&self) -> &WriterStats {
        &self.inner.stats
    }

    /// Adds one flush of rolled-up minutes, and forgets minutes and ended periods older
    /// than `forget_before_minute`.
    pub async fn write_rollup(
        &self,
        rows: Vec<RollupRow>,
        forget_before_minute: i64,
    ) -> Result<()> {
        self.inner
            .writer
            .submit(move |conn| {
                let mut read_hist = conn.prepare_cached(
                    "SELECT hist FROM stats_minutes WHERE minute = ?1 AND series = ?2 AND label = ?3",
                )?;
                let mut upsert = conn.prepare_cached(
                    "INSERT INTO stats_minutes (minute, series, label, value, hist)
                     VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (minute, series, label) DO UPDATE SET
                        value = CASE WHEN ?6 THEN excluded.value ELSE value + excluded.value END,
                        hist = excluded.hist",
                )?;
                for row in rows {
                    let hist = match row.hist {
                        Some(mut counts) => {
                            let before: Option<Option<String>> = read_hist
                                .query_row(params![row.minute, row.series, row.label], |r| {
                                    r.get(0)
                                })
                                .optional()?;
                            if let Some(Some(before)) = before {
                                counts.merge(&Counts::decode(&before));
                            }
                            Some(counts.encode())
                        }
                        None => None,
                    };
                    upsert.execute(params![
                        row.minute, row.series, row.label, row.value, hist, row.gauge
                    ])?;
                }
                conn.prepare_cached("DELETE FROM stats_minutes WHERE minute < ?1")?
                    .execute([forget_before_minute])?;
                conn.prepare_cached(
                    "DELETE FROM monitor_periods WHERE ended_us IS NOT NULL AND ended_us < ?1",
                )?
                .execute([forget_before_minute.saturating_mul(60_000_000)])?;
                Ok(())
            })
            .await
    }

    /// Stored minutes from `from_minute` to `to_minute` (inclusive).
    pub async fn rollups(&self, from_minute: i64, to_minute: i64) -> Result<Vec<RollupRow>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT minute, series, label, value, hist FROM stats_minutes
                 WHERE minute BETWEEN ?1 AND ?2 ORDER BY minute",
            )?;
            let rows = stmt.query_map([from_minute, to_minute], |r| {
                Ok(RollupRow {
                    minute: r.get(0)?,
                    series: r.get(1)?,
                    label: r.get(2)?,
                    value: r.get(3)?,
                    hist: r.get::<_, Option<String>>(4)?.map(|h| Counts::decode(&h)),
                    gauge: false,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// Starts a down period, ending any still open for the same subject first.
    pub async fn open_period(&self, period: Period) -> Result<()> {
        self.inner
            .writer
            .submit(move |conn| {
                close(
                    conn,
                    Some(period.kind),
                    Some(&period.subject),
                    period.started_us,
                )?;
                conn.prepare_cached(
                    "INSERT INTO monitor_periods (kind, subject, started_us, ended_us, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    period.kind,
                    period.subject,
                    period.started_us,
                    period.ended_us,
                    period.reason
                ])?;
                Ok(())
            })
            .await
    }

    /// Ends the open periods of `kind` (any when `None`) for `subject` (any when `None`).
    pub async fn close_period(
        &self,
        kind: Option<crate::PeriodKind>,
        subject: Option<&str>,
        at_us: i64,
    ) -> Result<()> {
        let subject = subject.map(str::to_string);
        self.inner
            .writer
            .submit(move |conn| close(conn, kind, subject.as_deref(), at_us))
            .await
    }

    /// Periods that overlap `from_us..=to_us`, oldest first.
    pub async fn periods(&self, from_us: i64, to_us: i64) -> Result<Vec<Period>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT kind, subject, started_us, ended_us, reason FROM monitor_periods
                 WHERE started_us <= ?2 AND (ended_us IS NULL OR ended_us >= ?1)
                 ORDER BY started_us LIMIT 10000",
            )?;
            let rows = stmt.query_map([from_us, to_us], |r| {
                Ok(Period {
                    kind: r.get(0)?,
                    subject: r.get(1)?,
                    started_us: r.get(2)?,
                    ended_us: r.get(3)?,
                    reason: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}

fn close(
    conn: &rusqlite::Connection,
    kind: Option<crate::PeriodKind>,
    subject: Option<&str>,
    at_us: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE monitor_periods SET ended_us = max(?3, started_us)
         WHERE ended_us IS NULL AND (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR subject = ?2)",
    )?
    .execute(params![kind, subject, at_us])?;
    Ok(())
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
