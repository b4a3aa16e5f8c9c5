//! What the store knows about itself, and the stored history of the engine's metrics.
//!
//! [`WriterStats`] is kept by the writer thread with relaxed atomics (batch sizes, commit
//! latency, search index lag), so reading it never touches SQL. The engine's counters are
//! rolled up per minute into `stats_minutes` by the engine's own periodic job, through the
//! writer like every write, and read back for the Monitor's charts, so a restart keeps them.

use rusqlite::{OptionalExtension, params};

use super::SqliteStore;
use crate::hist::Counts;
use crate::{Period, Result, RollupRow};

impl SqliteStore {
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
