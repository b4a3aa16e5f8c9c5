//! Deliveries and their attempts on PostgreSQL, where several instances lease from one
//! queue: a lease takes its rows `FOR UPDATE SKIP LOCKED` (two instances leasing at once
//! take different rows, neither waits for the other) and records its holder, so that an
//! instance starting up releases only the leases of instances that are gone.

use tokio_postgres::Row;

use super::{INSTANCE, PgStore};
use crate::model::{header_block, parse_header_block};
use crate::{
    Attempt, AttemptOutcome, Delivery, DeliveryFilter, DeliveryKind, DeliveryState, NewDelivery,
    Result, StoreError, now_us,
};

/// A failed delivery `d` whose last attempt was blocked (see `sqlite::deliveries`).
const BLOCKED: &str = "d.state = 'failed' AND EXISTS (SELECT 1 FROM attempts a
    WHERE a.delivery_seq = d.seq AND a.n = d.attempts AND a.error_kind = 'blocked')";

const COLUMNS: &str = "seq, id, request_id, kind, target, url, spec, state, attempts,
    next_attempt_at_us, last_status, last_error, created_at_us, updated_at_us";

impl PgStore {
    pub async fn enqueue_delivery(&self, request_id: &str, new: NewDelivery) -> Result<Delivery> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                &format!(
                    "INSERT INTO deliveries (id, request_seq, request_id, kind, target, url, spec,
                        state, next_attempt_at_us, created_at_us, updated_at_us)
                     SELECT $2, seq, id, $3, $4, $5, $6, 'pending', $7, $8, $8
                     FROM requests WHERE id = $1
                     RETURNING {COLUMNS}"
                ),
                &[
                    &request_id,
                    &new.id,
                    &new.kind.as_str(),
                    &new.target,
                    &new.url,
                    &serde_json::to_string(&new.spec)?,
                    &new.next_attempt_at_us,
                    &now_us(),
                ],
            )
            .await?;
        match row {
            Some(row) => from_row(&row),
            None => Err(StoreError::NotFound(format!("request {request_id}"))),
        }
    }

    pub async fn lease_due(
        &self,
        now_us: i64,
        lease_until_us: i64,
        take: Vec<(String, usize)>,
    ) -> Result<Vec<Delivery>> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let stmt = tx
            .prepare_cached(&format!(
                "WITH due AS (
                     SELECT seq, next_attempt_at_us AS due_at FROM deliveries
                     WHERE state = 'pending' AND target = $1 AND next_attempt_at_us <= $2
                     ORDER BY next_attempt_at_us, seq LIMIT $3
                     FOR UPDATE SKIP LOCKED
                 )
                 UPDATE deliveries d SET next_attempt_at_us = $4, leased = 1, lease_owner = $5
                 FROM due WHERE d.seq = due.seq
                 RETURNING due.due_at, {}",
                COLUMNS
                    .split(',')
                    .map(|c| format!("d.{}", c.trim()))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .await?;
        let mut leased = Vec::new();
        for (target, n) in take {
            let rows = tx
                .query(
                    &stmt,
                    &[
                        &target,
                        &now_us,
                        &(n as i64),
                        &lease_until_us,
                        &self.inner.instance,
                    ],
                )
                .await?;
            let mut due = rows
                .iter()
                .map(|row| Ok((row.try_get::<_, i64>(0)?, from_row_at(row, 1)?)))
                .collect::<Result<Vec<_>>>()?;
            // Oldest due first, as they were picked.
            due.sort_by_key(|(at, d)| (*at, d.seq));
            leased.extend(due.into_iter().map(|(_, d)| d));
        }
        tx.commit().await?;
        Ok(leased)
    }

    pub async fn release_leases(&self, now_us: i64) -> Result<u64> {
        let conn = self.conn().await?;
        Ok(conn
            .execute(
                "UPDATE deliveries SET next_attempt_at_us = least(next_attempt_at_us, $1),
                    leased = 0, lease_owner = NULL
                 WHERE state = 'pending' AND leased <> 0 AND lease_owner IS DISTINCT FROM $3
                   AND coalesce(lease_owner, -1) NOT IN (
                     SELECT l.objid::bigint FROM pg_locks l
                     WHERE l.locktype = 'advisory' AND l.classid = $2::integer::oid
                       AND l.objsubid = 2 AND l.granted
                       AND l.database = (SELECT oid FROM pg_database
                                         WHERE datname = current_database()))",
                &[&now_us, &INSTANCE, &self.inner.instance],
            )
            .await?)
    }

    pub async fn due_by_target(&self) -> Result<Vec<(String, i64)>> {
        let conn = self.conn().await?;
        let stmt = conn
            .prepare_cached(
                "WITH RECURSIVE t(target) AS (
                     SELECT (SELECT min(target) FROM deliveries WHERE state = 'pending')
                     UNION ALL
                     SELECT (SELECT min(target) FROM deliveries
                             WHERE state = 'pending' AND target > t.target)
                     FROM t WHERE t.target IS NOT NULL
                 )
                 SELECT target, (SELECT min(next_attempt_at_us) FROM deliveries
                                 WHERE state = 'pending' AND target = t.target)
                 FROM t WHERE target IS NOT NULL",
            )
            .await?;
        let rows = conn.query(&stmt, &[]).await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<_, Option<i64>>(1)?.unwrap_or(0))))
            .collect()
    }

    pub async fn record_attempt(
        &self,
        delivery_seq: i64,
        attempt: Attempt,
        outcome: AttemptOutcome,
    ) -> Result<Delivery> {
        let mut conn = self.conn().await?;
        let tx = conn.transaction().await?;
        let insert = tx
            .prepare_cached(
                "INSERT INTO attempts (delivery_seq, n, started_at_us, duration_us, status,
                    response_headers, response_body, response_size, error_kind, error)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .await?;
        tx.execute(
            &insert,
            &[
                &delivery_seq,
                &(attempt.n as i32),
                &attempt.started_at_us,
                &attempt.duration_us,
                &attempt.status.map(i32::from),
                &header_block(&attempt.response_headers),
                &attempt.response_body,
                &attempt.response_size.map(|n| n as i64),
                &attempt.error_kind,
                &attempt.error,
            ],
        )
        .await?;
        let update = tx
            .prepare_cached(&format!(
                "UPDATE deliveries SET state = $2, attempts = $3, next_attempt_at_us = $4,
                    last_status = $5, last_error = $6, updated_at_us = $7, leased = 0,
                    lease_owner = NULL
                 WHERE seq = $1 RETURNING {COLUMNS}"
            ))
            .await?;
        let row = tx
            .query_opt(
                &update,
                &[
                    &delivery_seq,
                    &outcome.state.as_str(),
                    &(attempt.n as i32),
                    &outcome.next_attempt_at_us,
                    &attempt.status.map(i32::from),
                    &outcome.summary,
                    &now_us(),
                ],
            )
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("delivery {delivery_seq}")))?;
        let delivery = from_row(&row)?;
        tx.commit().await?;
        Ok(delivery)
    }

    pub async fn defer_delivery(&self, seq: i64, at_us: i64) -> Result<()> {
        let conn = self.conn().await?;
        conn.execute(
            "UPDATE deliveries SET next_attempt_at_us = $2, leased = 0, lease_owner = NULL
             WHERE seq = $1 AND state = 'pending'",
            &[&seq, &at_us],
        )
        .await?;
        Ok(())
    }

    pub async fn list_deliveries(&self, filter: DeliveryFilter) -> Result<Vec<Delivery>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM deliveries
                     WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR request_id = $2)
                       AND ($3::bigint IS NULL OR seq < $3)
                     ORDER BY seq DESC LIMIT $4"
                ),
                &[
                    &filter.state.map(DeliveryState::as_str),
                    &filter.request_id,
                    &filter.before_seq,
                    &(filter.limit.clamp(1, 1000) as i64),
                ],
            )
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn get_delivery(&self, id: &str) -> Result<Delivery> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                &format!("SELECT {COLUMNS} FROM deliveries WHERE id = $1"),
                &[&id],
            )
            .await?;
        match row {
            Some(row) => from_row(&row),
            None => Err(StoreError::NotFound(format!("delivery {id}"))),
        }
    }

    pub async fn attempts(&self, delivery_seq: i64) -> Result<Vec<Attempt>> {
        let conn = self.conn().await?;
        let stmt = conn
            .prepare_cached(
                "SELECT n, started_at_us, duration_us, status, response_headers, response_body,
                    response_size, error_kind, error
                 FROM attempts WHERE delivery_seq = $1 ORDER BY n",
            )
            .await?;
        let rows = conn.query(&stmt, &[&delivery_seq]).await?;
        rows.iter()
            .map(|r| {
                let headers: Option<Vec<u8>> = r.try_get(4)?;
                Ok(Attempt {
                    n: r.try_get::<_, i32>(0)? as u32,
                    started_at_us: r.try_get(1)?,
                    duration_us: r.try_get(2)?,
                    status: r.try_get::<_, Option<i32>>(3)?.map(|s| s as u16),
                    response_headers: parse_header_block(&headers.unwrap_or_default()),
                    response_body: r.try_get::<_, Option<Vec<u8>>>(5)?.unwrap_or_default(),
                    response_size: r.try_get::<_, Option<i64>>(6)?.map(|n| n as u64),
                    error_kind: r.try_get(7)?,
                    error: r.try_get(8)?,
                })
            })
            .collect()
    }

    pub async fn count_blocked(&self) -> Result<u64> {
        let conn = self.conn().await?;
        let n: i64 = conn
            .query_one(
                &format!("SELECT count(*) FROM deliveries d WHERE {BLOCKED}"),
                &[],
            )
            .await?
            .get(0);
        Ok(n as u64)
    }

    pub async fn retry_blocked(&self, now_us: i64) -> Result<u64> {
        let conn = self.conn().await?;
        Ok(conn
            .execute(
                &format!(
                    "UPDATE deliveries AS d SET state = 'pending', next_attempt_at_us = $1,
                        leased = 0, lease_owner = NULL, updated_at_us = $1
                     WHERE {BLOCKED}"
                ),
                &[&now_us],
            )
            .await?)
    }

    pub async fn pending_by_target(&self) -> Result<Vec<(String, u64)>> {
        let conn = self.conn().await?;
        let rows = conn
            .query(
                "SELECT target, count(*) FROM deliveries WHERE state = 'pending' GROUP BY target",
                &[],
            )
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<_, i64>(1)? as u64)))
            .collect()
    }
}

fn from_row(row: &Row) -> Result<Delivery> {
    from_row_at(row, 0)
}

/// A delivery from [`COLUMNS`] starting at column `at`.
fn from_row_at(row: &Row, at: usize) -> Result<Delivery> {
    let spec: String = row.try_get(at + 6)?;
    let (kind, state): (String, String) = (row.try_get(at + 3)?, row.try_get(at + 7)?);
    Ok(Delivery {
        seq: row.try_get(at)?,
        id: row.try_get(at + 1)?,
        request_id: row.try_get(at + 2)?,
        kind: DeliveryKind::parse(&kind),
        target: row.try_get(at + 4)?,
        url: row.try_get(at + 5)?,
        spec: serde_json::from_str(&spec)?,
        state: DeliveryState::parse(&state),
        attempts: row.try_get::<_, i32>(at + 8)? as u32,
        next_attempt_at_us: row.try_get(at + 9)?,
        last_status: row.try_get::<_, Option<i32>>(at + 10)?.map(|s| s as u16),
        last_error: row.try_get(at + 11)?,
        created_at_us: row.try_get(at + 12)?,
        updated_at_us: row.try_get(at + 13)?,
    })
}
