//! The metrics' minute rollups and down periods on PostgreSQL. Several instances add to the
//! same minutes: a minute's row is locked while its histogram is merged.

use super::PgStore;
use crate::hist::Counts;
use crate::{Period, PeriodKind, Result, RollupRow};

impl PgStore {
    pub async fn write_rollup(
        &self,
        rows: Vec<RollupRow>,
        forget_before_minute: i64,
    ) -> Result<()> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let ensure = tx
            .prepare_cached(
                "INSERT INTO stats_minutes (minute, series, label, value, hist)
                 VALUES ($1, $2, $3, 0, NULL) ON CONFLICT DO NOTHING",
            )
            .await?;
        let read = tx
            .prepare_cached(
                "SELECT hist FROM stats_minutes WHERE minute = $1 AND series = $2 AND label = $3
                 FOR UPDATE",
            )
            .await?;
        let write = tx
            .prepare_cached(
                "UPDATE stats_minutes SET
                    value = CASE WHEN $5 THEN $4 ELSE value + $4 END, hist = $6
                 WHERE minute = $1 AND series = $2 AND label = $3",
            )
            .await?;
        for row in rows {
            let key: [&(dyn tokio_postgres::types::ToSql + Sync); 3] =
                [&row.minute, &row.series, &row.label];
            tx.execute(&ensure, &key).await?;
            let before: Option<String> = tx.query_one(&read, &key).await?.try_get(0)?;
            let hist = match row.hist {
                Some(mut counts) => {
                    if let Some(before) = before {
                        counts.merge(&Counts::decode(&before));
                    }
                    Some(counts.encode())
                }
                None => before,
            };
            tx.execute(
                &write,
                &[
                    &row.minute,
                    &row.series,
                    &row.label,
                    &row.value,
                    &row.gauge,
                    &hist,
                ],
            )
            .await?;
        }
        tx.execute(
            "DELETE FROM stats_minutes WHERE minute < $1",
            &[&forget_before_minute],
        )
        .await?;
        tx.execute(
            "DELETE FROM monitor_periods WHERE ended_us IS NOT NULL AND ended_us < $1",
            &[&forget_before_minute.saturating_mul(60_000_000)],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn rollups(&self, from_minute: i64, to_minute: i64) -> Result<Vec<RollupRow>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                "SELECT minute, series, label, value, hist FROM stats_minutes
                 WHERE minute BETWEEN $1 AND $2 ORDER BY minute",
                &[&from_minute, &to_minute],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(RollupRow {
                    minute: r.try_get(0)?,
                    series: r.try_get(1)?,
                    label: r.try_get(2)?,
                    value: r.try_get(3)?,
                    hist: r
                        .try_get::<_, Option<String>>(4)?
                        .map(|h| Counts::decode(&h)),
                    gauge: false,
                })
            })
            .collect()
    }

    pub async fn open_period(&self, period: Period) -> Result<()> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        tx.execute(
            CLOSE,
            &[
                &Some(&period.kind),
                &Some(&period.subject),
                &period.started_us,
            ],
        )
        .await?;
        tx.execute(
            "INSERT INTO monitor_periods (kind, subject, started_us, ended_us, reason)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &period.kind,
                &period.subject,
                &period.started_us,
                &period.ended_us,
                &period.reason,
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn close_period(
        &self,
        kind: Option<PeriodKind>,
        subject: Option<&str>,
        at_us: i64,
    ) -> Result<()> {
        let conn = self.conn().await?;
        conn.execute(CLOSE, &[&kind, &subject, &at_us]).await?;
        Ok(())
    }

    pub async fn periods(&self, from_us: i64, to_us: i64) -> Result<Vec<Period>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                "SELECT kind, subject, started_us, ended_us, reason FROM monitor_periods
                 WHERE started_us <= $2 AND (ended_us IS NULL OR ended_us >= $1)
                 ORDER BY started_us LIMIT 10000",
                &[&from_us, &to_us],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Period {
                    kind: r.try_get(0)?,
                    subject: r.try_get(1)?,
                    started_us: r.try_get(2)?,
                    ended_us: r.try_get(3)?,
                    reason: r.try_get(4)?,
                })
            })
            .collect()
    }
}

/// Ends the open periods of kind $1 (any when NULL) for subject $2 (any when NULL) at $3.
const CLOSE: &str = "UPDATE monitor_periods SET ended_us = greatest($3, started_us)
    WHERE ended_us IS NULL AND ($1::text IS NULL OR kind = $1)
      AND ($2::text IS NULL OR subject = $2)";
