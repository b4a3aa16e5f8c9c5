//! Requests: insert, fetch, list, the stream in commit order, pin, tag, delete.

use tokio_postgres::Row;

use super::filter::{DELIVERY, FullText, refs, where_clause};
use super::{PgStore, search};
use crate::model::{
    BodyState, Capture, Committed, EventDelivery, FirstDelivery, Handshake, Page, Request,
    RequestFilter, RequestMeta, SignatureVerdict,
};
use crate::{
    DeliveryState, HandshakeProvider, Result, SignatureStatus, StoreError, Via, parse_header_block,
};

/// A request's columns, `r` being `requests`; the delivery summary ([`DELIVERY`]) follows,
/// then (at [`NEXT`]) the body when asked for.
pub(crate) const COLUMNS: &str =
    "r.seq, r.pinned, r.id, r.received_at_us, r.duration_us, r.endpoint_id,
    r.endpoint_name, r.method, r.path, r.query, r.http_version, r.remote_addr, r.headers,
    r.body_state, r.body_note, r.size, r.response_status, r.provider, r.event_type,
    r.sig_status, r.sig_scheme, r.sig_reason, r.tags, r.matched_rules, r.via, r.event_id,
    r.occurrence, r.duplicate_of, r.first_at_us, r.handshake, r.handshake_answered,
    r.handshake_reason";

/// The index of the first column after [`COLUMNS`] and the delivery summary.
pub(crate) const NEXT: usize = 33;

impl PgStore {
    pub async fn insert_request(&self, capture: Capture) -> Result<i64> {
        // Committed with its batch; this instance's sequencer then numbers it (see `order`).
        self.inner.writer.submit(capture).await
    }

    pub async fn captures_after(&self, after: i64, limit: usize) -> Result<Vec<Committed>> {
        let conn = self.conn().await?;
        let stmt = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, {DELIVERY}, r.body, l.position
                 FROM capture_log l JOIN requests r ON r.seq = l.seq
                 WHERE l.position > $1 ORDER BY l.position LIMIT $2"
            ))
            .await?;
        let rows = conn
            .query(&stmt, &[&after, &(limit.clamp(1, 1000) as i64)])
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Committed {
                    position: row.try_get(NEXT + 1)?,
                    request: from_row(row, true)?,
                })
            })
            .collect()
    }

    pub async fn count_captures_after(&self, position: i64) -> Result<u64> {
        let conn = self.conn().await?;
        let n: i64 = conn
            .query_one(
                "SELECT count(*) FROM capture_log WHERE position > $1",
                &[&position],
            )
            .await?
            .get(0);
        Ok(n as u64)
    }

    /// Captures stored by other instances (`requests.instance` is not this one's) at
    /// positions in `after..=up_to`, without bodies.
    pub async fn committed_elsewhere(
        &self,
        after: i64,
        up_to: i64,
        limit: usize,
    ) -> Result<Vec<Committed>> {
        let conn = self.conn().await?;
        let stmt = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, {DELIVERY}, l.position
                 FROM capture_log l JOIN requests r ON r.seq = l.seq
                 WHERE l.position > $1 AND l.position <= $2
                   AND r.instance IS DISTINCT FROM $3
                 ORDER BY l.position LIMIT $4"
            ))
            .await?;
        let limit = limit.clamp(1, 1000) as i64;
        let rows = conn
            .query(&stmt, &[&after, &up_to, &self.inner.instance, &limit])
            .await?;
        rows.iter()
            .map(|row| {
                Ok(Committed {
                    position: row.try_get(NEXT)?,
                    request: from_row(row, false)?,
                })
            })
            .collect()
    }

    pub async fn get_request(&self, id: &str) -> Result<Request> {
        let conn = self.conn().await?;
        let stmt = conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS}, {DELIVERY}, r.body FROM requests r WHERE r.id = $1"
            ))
            .await?;
        match conn.query_opt(&stmt, &[&id]).await? {
            Some(row) => from_row(&row, true),
            None => Err(StoreError::NotFound(format!("request {id}"))),
        }
    }

    /// A page newest first. With a full-text query, in two steps (as SQLite's two indexes,
    /// see `sqlite::search`): first among the newest [`search::RECENT_ROWS`] indexed
    /// requests, walking them newest first (a common word fills the page at once); then, if
    /// the page is not full, among the older ones through the GIN index (a rare word has few
    /// matches to sort). Left to itself the planner walks newest first for any prefix
    /// query, whose frequency it cannot estimate, and a rare word then reads every request.
    pub async fn list_requests(&self, filter: RequestFilter) -> Result<Page> {
        let limit = filter.limit.clamp(1, 1000);
        let (clause, args) = where_clause(&filter, FullText::Joined);
        let conn = self.conn().await?;
        let page = |from: &str, cond: &str, order: &str, n: usize| {
            format!(
                "SELECT {COLUMNS}, {DELIVERY} FROM requests r {from} WHERE {clause} {cond}
                 ORDER BY {order} DESC LIMIT {n}"
            )
        };
        let rows = if filter.q.as_deref().and_then(search::query).is_some() {
            let low: i64 = conn
                .query_one(
                    "SELECT coalesce(max(seq), 0) - $1 FROM request_search",
                    &[&search::RECENT_ROWS],
                )
                .await?
                .get(0);
            let from = "JOIN request_search s ON s.seq = r.seq";
            let mut rows = Vec::new();
            if filter.before_seq.is_none_or(|before| before > low + 1) {
                let recent = page(from, &format!("AND s.seq > {low}"), "r.seq", limit + 1);
                rows = conn.query(&recent, &refs(&args)).await?;
            }
            if rows.len() <= limit {
                // Ordered by an expression, so the order comes from a sort of the matches,
                // not from walking the primary key.
                let older = page(
                    from,
                    &format!("AND s.seq <= {low}"),
                    "(r.seq + 0)",
                    limit + 1 - rows.len(),
                );
                rows.extend(conn.query(&older, &refs(&args)).await?);
            }
            rows
        } else {
            conn.query(&page("", "", "r.seq", limit + 1), &refs(&args))
                .await?
        };
        let mut items = rows
            .iter()
            .map(|row| from_row(row, false))
            .collect::<Result<Vec<_>>>()?;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|r| r.seq)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// Reads through a cursor (a portal), a few hundred rows at a time, in a read-only
    /// transaction on a runtime thread: memory stays bounded whatever the export's size.
    pub fn for_each_request_blocking(
        &self,
        filter: &RequestFilter,
        mut each: impl FnMut(Request) -> Result<()>,
    ) -> Result<()> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            StoreError::Closed("exporting from PostgreSQL needs a tokio runtime".into())
        })?;
        let (clause, args) = where_clause(filter, FullText::Subquery);
        runtime.block_on(async {
            let mut conn = self.conn().await?;
            let tx = conn.build_transaction().read_only(true).start().await?;
            let sql = format!(
                "SELECT {COLUMNS}, {DELIVERY}, r.body FROM requests r WHERE {clause}
                 ORDER BY r.seq ASC"
            );
            let stmt = tx.prepare(&sql).await?;
            let portal = tx.bind(&stmt, &refs(&args)).await?;
            loop {
                let rows = tx.query_portal(&portal, 256).await?;
                for row in &rows {
                    each(from_row(row, true)?)?;
                }
                if rows.len() < 256 {
                    break;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn set_pinned(&self, id: &str, pinned: bool) -> Result<()> {
        let conn = self.conn().await?;
        let n = conn
            .execute(
                "UPDATE requests SET pinned = $2 WHERE id = $1",
                &[&id, &pinned],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound(format!("request {id}")));
        }
        Ok(())
    }

    pub async fn tag_request(&self, id: &str, tag: &str, on: bool) -> Result<Vec<String>> {
        let conn = self.conn().await?;
        let row = conn
            .query_opt(
                "UPDATE requests SET tags = CASE WHEN $3
                     THEN array_append(array_remove(coalesce(tags, '{}'), $2), $2)
                     ELSE array_remove(coalesce(tags, '{}'), $2) END
                 WHERE id = $1 RETURNING tags",
                &[&id, &tag, &on],
            )
            .await?;
        match row {
            Some(row) => Ok(row.get::<_, Option<Vec<String>>>(0).unwrap_or_default()),
            None => Err(StoreError::NotFound(format!("request {id}"))),
        }
    }

    pub async fn delete_request(&self, id: &str) -> Result<()> {
        let conn = self.conn().await?;
        if conn
            .execute("DELETE FROM requests WHERE id = $1", &[&id])
            .await?
            == 0
        {
            return Err(StoreError::NotFound(format!("request {id}")));
        }
        Ok(())
    }

    pub async fn clear_requests(&self) -> Result<u64> {
        let conn = self.conn().await?;
        Ok(conn
            .execute("DELETE FROM requests WHERE NOT pinned", &[])
            .await?)
    }

    pub async fn count_requests(&self) -> Result<u64> {
        let conn = self.conn().await?;
        let n: i64 = conn
            .query_one("SELECT count(*) FROM requests", &[])
            .await?
            .get(0);
        Ok(n as u64)
    }

    pub async fn count_requests_since(&self, since_us: i64) -> Result<u64> {
        let conn = self.conn().await?;
        let n: i64 = conn
            .query_one(
                "SELECT count(*) FROM requests WHERE received_at_us >= $1",
                &[&since_us],
            )
            .await?
            .get(0);
        Ok(n as u64)
    }
}

/// A request from a row of [`COLUMNS`], the delivery summary and (`with_body`) the body.
pub(crate) fn from_row(row: &Row, with_body: bool) -> Result<Request> {
    let headers: Vec<u8> = row.try_get(12)?;
    let state: String = row.try_get(13)?;
    let signature = match row.try_get::<_, Option<SignatureStatus>>(19)? {
        Some(status) => Some(SignatureVerdict {
            status,
            scheme: row.try_get(20)?,
            reason: row.try_get::<_, Option<String>>(21)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(Request {
        seq: row.try_get(0)?,
        pinned: row.try_get(1)?,
        meta: RequestMeta {
            id: row.try_get(2)?,
            received_at_us: row.try_get(3)?,
            duration_us: row.try_get(4)?,
            endpoint_id: row.try_get(5)?,
            endpoint_name: row.try_get(6)?,
            method: row.try_get(7)?,
            path: row.try_get(8)?,
            query: row.try_get(9)?,
            http_version: row.try_get(10)?,
            remote_addr: row.try_get(11)?,
            headers: parse_header_block(&headers),
            body_state: BodyState::parse(&state),
            body_note: row.try_get(14)?,
            size: row.try_get::<_, i64>(15)? as u64,
            response_status: row.try_get::<_, i32>(16)? as u16,
            provider: row.try_get(17)?,
            event_type: row.try_get(18)?,
            signature,
            tags: row
                .try_get::<_, Option<Vec<String>>>(22)?
                .unwrap_or_default(),
            rules: row
                .try_get::<_, Option<Vec<String>>>(23)?
                .unwrap_or_default(),
            via: row.try_get::<_, Option<Via>>(24)?.unwrap_or(Via::Direct),
            event: event_from_row(row)?,
            handshake: match row.try_get::<_, Option<HandshakeProvider>>(29)? {
                Some(provider) => Some(Handshake {
                    provider,
                    answered: row.try_get::<_, Option<bool>>(30)?.unwrap_or(false),
                    reason: row.try_get::<_, Option<String>>(31)?.unwrap_or_default(),
                }),
                None => None,
            },
        },
        delivery: row
            .try_get::<_, Option<String>>(32)?
            .map(|s| DeliveryState::parse(&s)),
        body: if with_body {
            Some(row.try_get(NEXT)?)
        } else {
            None
        },
    })
}

/// Columns 25 to 28 of [`COLUMNS`]: the provider's event id and which delivery of it this is.
fn event_from_row(row: &Row) -> Result<Option<EventDelivery>> {
    let Some(id) = row.try_get::<_, Option<String>>(25)? else {
        return Ok(None);
    };
    let first = match (row.try_get::<_, Option<String>>(27)?, row.try_get(28)?) {
        (Some(id), Some(received_at_us)) => Some(FirstDelivery { id, received_at_us }),
        _ => None,
    };
    Ok(Some(EventDelivery {
        id,
        occurrence: row
            .try_get::<_, Option<i32>>(26)?
            .map_or(1, |n| n.max(1) as u32),
        first,
    }))
}
