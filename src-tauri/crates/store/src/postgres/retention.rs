//! Retention on PostgreSQL: the same limits and chunks as on SQLite (`sqlite::retention`),
//! run by one instance at a time: a pass holds an advisory lock, and an instance that finds
//! it held skips its pass (the holder deletes what both would have).

use deadpool_postgres::Object;

use super::{HOOKLENS, LOCK_RETENTION, PgStore};
use crate::{Result, RetentionReport, RetentionSettings};

/// Rows deleted per statement (with each go its deliveries, its place in the log and its
/// search entry), so no statement holds locks for long.
const CHUNK: i64 = 128;
/// Pause between chunks.
const BREATHER: std::time::Duration = std::time::Duration::from_millis(10);

const AGE_CHUNK: &str = "DELETE FROM requests WHERE seq IN (
    SELECT seq FROM requests WHERE NOT pinned AND received_at_us < $1
    ORDER BY received_at_us LIMIT $2)";
const SEQ_CHUNK: &str = "DELETE FROM requests WHERE seq IN (
    SELECT seq FROM requests WHERE NOT pinned AND seq <= $1 ORDER BY seq LIMIT $2)";

impl PgStore {
    pub async fn apply_retention(
        &self,
        limits: RetentionSettings,
        now_us: i64,
    ) -> Result<RetentionReport> {
        let conn = self.conn().await?;
        let locked: bool = conn
            .query_one(
                "SELECT pg_try_advisory_lock($1, $2)",
                &[&HOOKLENS, &LOCK_RETENTION],
            )
            .await?
            .get(0);
        if !locked {
            return Ok(RetentionReport::default());
        }
        let report = pass(&conn, &limits, now_us).await;
        let unlocked = conn
            .execute(
                "SELECT pg_advisory_unlock($1, $2)",
                &[&HOOKLENS, &LOCK_RETENTION],
            )
            .await;
        if unlocked.is_err() {
            // A connection that may still hold the lock never goes back to the pool:
            // closing it releases the lock.
            drop(Object::take(conn));
        }
        report
    }
}

/// Finds where each limit cuts, then deletes below the cuts a chunk at a time.
async fn pass(conn: &Object, limits: &RetentionSettings, now_us: i64) -> Result<RetentionReport> {
    let age_us = limits
        .max_age_days
        .map(|days| now_us.saturating_sub(days as i64 * 86_400_000_000));
    let count_seq: Option<i64> = match limits.max_requests {
        Some(max) => conn
            .query_opt(
                "SELECT seq FROM requests WHERE NOT pinned ORDER BY seq DESC LIMIT 1 OFFSET $1",
                &[&(max as i64)],
            )
            .await?
            .map(|row| row.get(0)),
        None => None,
    };
    // The newest requests whose bodies fit stay: a running sum newest first, which stops
    // at the first request past the budget.
    let size_seq: Option<i64> = match limits.max_total_mib {
        Some(mib) => conn
            .query_opt(
                "SELECT seq FROM (
                     SELECT seq, sum(octet_length(body)) OVER (ORDER BY seq DESC) AS running
                     FROM requests WHERE NOT pinned AND seq > $1
                 ) walk WHERE running > $2 ORDER BY seq DESC LIMIT 1",
                &[&count_seq.unwrap_or(0), &((mib as i64) << 20)],
            )
            .await?
            .map(|row| row.get(0)),
        None => None,
    };
    let mut report = RetentionReport::default();
    if age_us.is_none() && count_seq.is_none() && size_seq.is_none() {
        return Ok(report);
    }
    loop {
        let mut step = RetentionReport::default();
        if let Some(cutoff) = age_us {
            step.by_age = conn.execute(AGE_CHUNK, &[&cutoff, &CHUNK]).await?;
        }
        for (cut, removed) in [
            (count_seq, &mut step.by_count),
            (size_seq, &mut step.by_size),
        ] {
            if let Some(seq) = cut {
                *removed = conn.execute(SEQ_CHUNK, &[&seq, &CHUNK]).await?;
            }
        }
        report.by_age += step.by_age;
        report.by_count += step.by_count;
        report.by_size += step.by_size;
        if step.total() < CHUNK as u64 {
            return Ok(report);
        }
        tokio::time::sleep(BREATHER).await;
    }
}
