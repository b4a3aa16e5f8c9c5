//! Deliveries and their attempts: the persistent forwarding queue.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::SqliteStore;
use crate::model::{header_block, parse_header_block};
use crate::{
    Attempt, AttemptOutcome, Delivery, DeliveryFilter, DeliveryKind, DeliveryState, NewDelivery,
    Result, StoreError, now_us,
};

impl SqliteStore {
    /// Queues a delivery of a stored request (replays).
    pub async fn enqueue_delivery(&self, request_id: &str, new: NewDelivery) -> Result<Delivery> {
        let request_id = request_id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                let seq: i64 = conn
                    .query_row(
                        "SELECT seq FROM requests WHERE id = ?1",
                        [&request_id],
                        |r| r.get(0),
                    )
                    .optional()?
                    .ok_or_else(|| StoreError::NotFound(format!("request {request_id}")))?;
                insert(conn, seq, &request_id, &new)?;
                get(conn, &new.id)
            })
            .await
    }

    /// Takes up to `n` pending deliveries due by `now_us` of each `(target, n)` in `take`,
    /// oldest due first, and leases them until `lease_until_us`: nobody else takes them
    /// meanwhile, and if Hooklens stops before recording an attempt, they are due again when
    /// the lease ends (at least once). Which targets may take how many is the forwarder's
    /// call (a down target takes none, a probed one takes one): nothing in the table is
    /// rewritten when a target goes down or comes back.
    pub async fn lease_due(
        &self,
        now_us: i64,
        lease_until_us: i64,
        take: Vec<(String, usize)>,
    ) -> Result<Vec<Delivery>> {
        self.inner
            .writer
            .submit(move |conn| {
                let mut leased = Vec::new();
                for (target, n) in take {
                    let due: Vec<Delivery> = {
                        let mut stmt = conn.prepare_cached(&format!(
                            "SELECT {COLUMNS} FROM deliveries
                             WHERE state = 'pending' AND target = ?1 AND next_attempt_at_us <= ?2
                             ORDER BY next_attempt_at_us, seq LIMIT ?3"
                        ))?;
                        let rows = stmt.query_map(params![target, now_us, n as i64], from_row)?;
                        rows.map(|r| r?).collect::<Result<_>>()?
                    };
                    let mut lease = conn.prepare_cached(
                        "UPDATE deliveries SET next_attempt_at_us = ?2, leased = 1 WHERE seq = ?1",
                    )?;
                    for mut delivery in due {
                        lease.execute(params![delivery.seq, lease_until_us])?;
                        delivery.next_attempt_at_us = Some(lease_until_us);
                        leased.push(delivery);
                    }
                }
                Ok(leased)
            })
            .await
    }

    /// Makes every leased delivery due by `now_us`; returns how many. Called once at start:
    /// the leases were held by a process that is gone (a crash, a kill), so their attempts
    /// will never be recorded, and waiting for the leases to lapse would hold them (and a
    /// probing target's whole queue) back for the lease's length.
    pub async fn release_leases(&self, now_us: i64) -> Result<u64> {
        self.inner
            .writer
            .submit(move |conn| {
                Ok(conn.execute(
                    "UPDATE deliveries SET next_attempt_at_us = MIN(next_attempt_at_us, ?1),
                        leased = 0
                     WHERE state = 'pending' AND leased <> 0",
                    params![now_us],
                )? as u64)
            })
            .await
    }

    /// Each target with pending deliveries, and when its earliest one is due (a leased one
    /// counts as due when its lease ends). One index lookup per target: the targets are
    /// found by skipping through the pending index, not by reading the queue.
    pub async fn due_by_target(&self) -> Result<Vec<(String, i64)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(
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
            )?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0)))
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// Records an attempt and moves the delivery on, in one transaction.
    pub async fn record_attempt(
        &self,
        delivery_seq: i64,
        attempt: Attempt,
        outcome: AttemptOutcome,
    ) -> Result<Delivery> {
        self.inner
            .writer
            .submit(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO attempts (delivery_seq, n, started_at_us, duration_us, status,
                        response_headers, response_body, response_size, error_kind, error)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?
                .execute(params![
                    delivery_seq,
                    attempt.n,
                    attempt.started_at_us,
                    attempt.duration_us,
                    attempt.status,
                    header_block(&attempt.response_headers),
                    attempt.response_body,
                    attempt.response_size.map(|n| n as i64),
                    attempt.error_kind,
                    attempt.error,
                ])?;
                let changed = conn
                    .prepare_cached(
                        "UPDATE deliveries SET state = ?2, attempts = ?3, next_attempt_at_us = ?4,
                        last_status = ?5, last_error = ?6, updated_at_us = ?7, leased = 0
                     WHERE seq = ?1",
                    )?
                    .execute(params![
                        delivery_seq,
                        outcome.state.as_str(),
                        attempt.n,
                        outcome.next_attempt_at_us,
                        attempt.status,
                        outcome.summary,
                        now_us(),
                    ])?;
                if changed == 0 {
                    return Err(StoreError::NotFound(format!("delivery {delivery_seq}")));
                }
                get_by_seq(conn, delivery_seq)
            })
            .await
    }

    /// Moves one pending delivery's next attempt to `at_us` (ending its lease).
    pub async fn defer_delivery(&self, seq: i64, at_us: i64) -> Result<()> {
        self.inner
            .writer
            .submit(move |conn| {
                conn.prepare_cached(
                    "UPDATE deliveries SET next_attempt_at_us = ?2, leased = 0
                     WHERE seq = ?1 AND state = 'pending'",
                )?
                .execute(params![seq, at_us])?;
                Ok(())
            })
            .await
    }

    /// Deliveries, newest first.
    pub async fn list_deliveries(&self, filter: DeliveryFilter) -> Result<Vec<Delivery>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {COLUMNS} FROM deliveries
                 WHERE (?1 IS NULL OR state = ?1) AND (?2 IS NULL OR request_id = ?2)
                   AND (?3 IS NULL OR seq < ?3)
                 ORDER BY seq DESC LIMIT ?4"
            ))?;
            let rows = stmt.query_map(
                params![
                    filter.state.map(DeliveryState::as_str),
                    filter.request_id,
                    filter.before_seq,
                    filter.limit.clamp(1, 1000) as i64
                ],
                from_row,
            )?;
            rows.map(|r| r?).collect()
        })
        .await
    }

    pub async fn get_delivery(&self, id: &str) -> Result<Delivery> {
        let id = id.to_string();
        self.read(move |conn| get(conn, &id)).await
    }

    /// The attempts of a delivery, first first.
    pub async fn attempts(&self, delivery_seq: i64) -> Result<Vec<Attempt>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT n, started_at_us, duration_us, status, response_headers, response_body,
                    response_size, error_kind, error
                 FROM attempts WHERE delivery_seq = ?1 ORDER BY n",
            )?;
            let rows = stmt.query_map([delivery_seq], |r| {
                let headers: Option<Vec<u8>> = r.get(4)?;
                Ok(Attempt {
                    n: r.get(0)?,
                    started_at_us: r.get(1)?,
                    duration_us: r.get(2)?,
                    status: r.get(3)?,
                    response_headers: parse_header_block(&headers.unwrap_or_default()),
                    response_body: r.get::<_, Option<Vec<u8>>>(5)?.unwrap_or_default(),
                    response_size: r.get::<_, Option<i64>>(6)?.map(|n| n as u64),
                    error_kind: r.get(7)?,
                    error: r.get(8)?,
                })
            })?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// Deliveries that failed because their target was not a loopback address while remote
    /// targets were not allowed (their last attempt `blocked`).
    pub async fn count_blocked(&self) -> Result<u64> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT count(*) FROM deliveries d WHERE {BLOCKED}"
                ))?
                .query_row([], |r| r.get::<_, i64>(0))? as u64)
        })
        .await
    }

    /// Queues every blocked delivery (see [`Store::count_blocked`]) again, due at `now_us`;
    /// returns how many. Each keeps its attempts, so its retry schedule goes on from there.
    pub async fn retry_blocked(&self, now_us: i64) -> Result<u64> {
        self.inner
            .writer
            .submit(move |conn| {
                Ok(conn.execute(
                    &format!(
                        "UPDATE deliveries AS d SET state = 'pending', next_attempt_at_us = ?1,
                            leased = 0, updated_at_us = ?1
                         WHERE {BLOCKED}"
                    ),
                    [now_us],
                )? as u64)
            })
            .await
    }

    /// Pending deliveries per target.
    pub async fn pending_by_target(&self) -> Result<Vec<(String, u64)>> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT target, count(*) FROM deliveries WHERE state = 'pending' GROUP BY target",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }
}

pub(crate) fn insert(
    conn: &Connection,
    request_seq: i64,
    request_id: &str,
    d: &NewDelivery,
) -> Result<()> {
    let now = now_us();
    conn.prepare_cached(
        "INSERT INTO deliveries (id, request_seq, request_id, kind, target, url, spec, state,
            next_attempt_at_us, created_at_us, updated_at_us)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?9)",
    )?
    .execute(params![
        d.id,
        request_seq,
        request_id,
        d.kind.as_str(),
        d.target,
        d.url,
        serde_json::to_string(&d.spec)?,
        d.next_attempt_at_us,
        now,
    ])?;
    Ok(())
}

/// A failed delivery `d` whose last attempt was blocked.
const BLOCKED: &str = "d.state = 'failed' AND EXISTS (SELECT 1 FROM attempts a
    WHERE a.delivery_seq = d.seq AND a.n = d.attempts AND a.error_kind = 'blocked')";

const COLUMNS: &str = "seq, id, request_id, kind, target, url, spec, state, attempts,
    next_attempt_at_us, last_status, last_error, created_at_us, updated_at_us";

fn from_row(row: &Row) -> rusqlite::Result<Result<Delivery>> {
    let spec: String = row.get(6)?;
    let spec = match serde_json::from_str(&spec) {
        Ok(spec) => spec,
        Err(e) => return Ok(Err(e.into())),
    };
    let (kind, state): (String, String) = (row.get(3)?, row.get(7)?);
    Ok(Ok(Delivery {
        seq: row.get(0)?,
        id: row.get(1)?,
        request_id: row.get(2)?,
        kind: DeliveryKind::parse(&kind),
        target: row.get(4)?,
        url: row.get(5)?,
        spec,
        state: DeliveryState::parse(&state),
        attempts: row.get(8)?,
        next_attempt_at_us: row.get(9)?,
        last_status: row.get(10)?,
        last_error: row.get(11)?,
        created_at_us: row.get(12)?,
        updated_at_us: row.get(13)?,
    }))
}

fn get(conn: &Connection, id: &str) -> Result<Delivery> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM deliveries WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("delivery {id}")))?
}

fn get_by_seq(conn: &Connection, seq: i64) -> Result<Delivery> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM deliveries WHERE seq = ?1"))?
        .query_row([seq], from_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("delivery {seq}")))?
}
