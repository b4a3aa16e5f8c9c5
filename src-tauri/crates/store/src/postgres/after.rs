//! The oldest request after a position that a filter picks, for waiters (see
//! `sqlite::after`). On PostgreSQL a position is the commit order (`capture_log`, see
//! `order`), not `seq`: `seq` is taken before commit, so a walk along it could pass a request
//! that commits late, for good. Positions appear in increasing order only, so a look that
//! went through position P never misses one committed later.

use tokio_postgres::IsolationLevel;

use super::filter::{DELIVERY, FullText, refs, where_clause};
use super::requests::{COLUMNS, NEXT, from_row};
use super::{PgStore, order, search};
use crate::{After, RequestFilter, Result, StoreError};

impl PgStore {
    pub async fn last_position(&self) -> Result<i64> {
        let conn = self.conn().await?;
        let row = conn
            .query_one("SELECT last FROM capture_counter", &[])
            .await?;
        Ok(row.get(0))
    }

    /// A request's position; one just committed and not numbered yet is numbered first.
    pub async fn position_of(&self, id: &str) -> Result<i64> {
        let read = || async {
            let conn = self.conn().await?;
            let row = conn
                .query_opt(
                    "SELECT l.position FROM requests r LEFT JOIN capture_log l ON l.seq = r.seq
                     WHERE r.id = $1",
                    &[&id],
                )
                .await?;
            match row {
                Some(row) => Ok(row.get::<_, Option<i64>>(0)),
                None => Err(StoreError::NotFound(format!("request {id}"))),
            }
        };
        if let Some(position) = read().await? {
            return Ok(position);
        }
        // Committed (it was read), so the sequencer's next run numbers it.
        order::sequence(self).await?;
        read()
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("request {id} (not numbered)")))
    }

    pub async fn first_request_after(&self, filter: RequestFilter, after: i64) -> Result<After> {
        let filter = RequestFilter {
            before_seq: None,
            ..filter
        };
        let mut conn = self.conn().await?;
        // The counter, the index's watermark and the rows in one snapshot.
        let tx = conn
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let row = tx
            .query_one(
                "SELECT (SELECT last FROM capture_counter),
                        coalesce((SELECT value::bigint FROM meta WHERE key = 'fts_position'), 0)",
                &[],
            )
            .await?;
        let (last, indexed): (i64, i64) = (row.get(0), row.get(1));
        let full_text = filter.q.as_deref().and_then(search::query).is_some();
        let through = if full_text { last.min(indexed) } else { last };
        let (clause, mut args) = where_clause(&filter, FullText::Joined);
        args.push(Box::new(after));
        args.push(Box::new(through));
        let join = match full_text {
            true => "JOIN request_search s ON s.seq = r.seq",
            false => "",
        };
        let sql = format!(
            "SELECT {COLUMNS}, {DELIVERY}, l.position
             FROM capture_log l JOIN requests r ON r.seq = l.seq {join}
             WHERE {clause} AND l.position > ${} AND l.position <= ${}
             ORDER BY l.position LIMIT 1",
            args.len() - 1,
            args.len()
        );
        let row = tx.query_opt(&sql, &refs(&args)).await?;
        tx.commit().await?;
        let found = match row {
            Some(row) => Some((row.try_get::<_, i64>(NEXT)?, from_row(&row, false)?)),
            None => None,
        };
        Ok(After {
            through: found.as_ref().map_or(through, |(position, _)| *position),
            unindexed: through < last,
            found: found.map(|(_, request)| request),
        })
    }
}
