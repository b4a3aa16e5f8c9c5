//! The oldest request after a position that a filter picks: what a waiter for "the next
//! webhook like this" asks each time something is stored (`GET /api/v1/requests/wait`).
//! On SQLite a position is the `seq`: one writer hands them out in commit order.
//!
//! Listings go newest first; a waiter wants the first match after its position, so this
//! walks `seq` upwards from there (the primary key, or the full-text index's rowids) and
//! stops at the first hit. Requests the indexer has not reached yet cannot match a full-text
//! query, so with one the walk stops at the index watermark and says that more remain: the
//! waiter looks again once they are indexed, and never skips one.

use rusqlite::{Connection, OptionalExtension};

use super::requests::{COLUMNS, FullText, from_row, joined_columns, where_clause};
use super::{SqliteStore, search};
use crate::{After, RequestFilter, Result, StoreError};

impl SqliteStore {
    /// The newest `seq` handed out so far (0 before the first request).
    pub async fn last_position(&self) -> Result<i64> {
        self.read(search::last_stored).await
    }

    /// A request's `seq`.
    pub async fn position_of(&self, id: &str) -> Result<i64> {
        let id = id.to_string();
        self.read(move |conn| {
            conn.query_row("SELECT seq FROM requests WHERE id = ?1", [&id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("request {id}")))
        })
        .await
    }

    pub async fn first_request_after(&self, filter: RequestFilter, after: i64) -> Result<After> {
        self.read(move |conn| first_after(conn, &filter, after))
            .await
    }
}

fn first_after(conn: &Connection, filter: &RequestFilter, after_seq: i64) -> Result<After> {
    let filter = RequestFilter {
        before_seq: None,
        ..filter.clone()
    };
    // The watermark, the index and the rows in one snapshot.
    let tx = conn.unchecked_transaction()?;
    let last = search::last_stored(&tx)?;
    let q = filter.q.as_deref().and_then(search::match_expression);
    let through = match q {
        Some(_) => last.min(search::indexed_through(&tx)?),
        None => last,
    };
    let (clause, mut args) = where_clause(&filter, FullText::Omitted);
    args.push(after_seq.into());
    args.push(through.into());
    let (after_arg, through_arg) = (args.len() - 1, args.len());
    let sql = match q {
        None => format!(
            "SELECT {COLUMNS} FROM requests WHERE {clause}
             AND seq > ?{after_arg} AND seq <= ?{through_arg} ORDER BY seq ASC LIMIT 1"
        ),
        Some(q) => {
            // Past the recent index's low end every indexed request is in it, and it is a
            // fiftieth of the full one to search.
            let table = if after_seq >= search::recent_low(&tx)? {
                "request_recent"
            } else {
                "request_fts"
            };
            args.push(q.into());
            let columns = joined_columns();
            format!(
                "SELECT {columns} FROM {table} CROSS JOIN requests ON requests.seq = {table}.rowid
                 WHERE {table} MATCH ?{q_arg} AND {table}.rowid > ?{after_arg}
                 AND {table}.rowid <= ?{through_arg} AND {clause}
                 ORDER BY {table}.rowid ASC LIMIT 1",
                q_arg = args.len()
            )
        }
    };
    let found = tx
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(args), |row| from_row(row, false))?
        .next()
        .transpose()?;
    Ok(After {
        through: found.as_ref().map_or(through, |r| r.seq),
        unindexed: through < last,
        found,
    })
}

#[cfg(test)]
mod tests {
    use super::super::requests::{insert, tests::capture};
    use super::super::test_conn;
    use super::*;

    fn filter(method: Option<&str>, q: Option<&str>) -> RequestFilter {
        RequestFilter {
            method: method.map(str::to_string),
            q: q.map(str::to_string),
            ..Default::default()
        }
    }

    fn found(conn: &Connection, f: &RequestFilter, after: i64) -> (Option<String>, i64, bool) {
        let a = first_after(conn, f, after).expect("query");
        (a.found.map(|r| r.meta.id), a.through, a.unindexed)
    }

    #[test]
    fn the_oldest_match_past_the_position() {
        let conn = test_conn();
        for (i, method) in ["POST", "GET", "POST", "GET"].iter().enumerate() {
            let mut c = capture(&format!("id{}", i + 1), "/hook", b"{}");
            c.meta.method = method.to_string();
            insert(&conn, &c).expect("insert");
        }
        let gets = filter(Some("get"), None);
        /// (filter, after) -> (found, through, unindexed)
        type Case<'a> = (&'a RequestFilter, i64, (Option<&'a str>, i64, bool));
        let cases: &[Case] = &[
            (&RequestFilter::default(), 0, (Some("id1"), 1, false)),
            (&RequestFilter::default(), 2, (Some("id3"), 3, false)),
            (&gets, 0, (Some("id2"), 2, false)),
            (&gets, 2, (Some("id4"), 4, false)),
            (&gets, 4, (None, 4, false)),
            (&RequestFilter::default(), 9, (None, 4, false)),
        ];
        for (f, after, (id, through, unindexed)) in cases {
            let got = found(&conn, f, *after);
            assert_eq!(
                got,
                (id.map(str::to_string), *through, *unindexed),
                "{f:?} after {after}"
            );
        }
    }

    #[test]
    fn full_text_stops_at_the_index_watermark_until_indexed() {
        let conn = test_conn();
        insert(
            &conn,
            &capture("a1", "/orders", b"{\"type\":\"order.created\"}"),
        )
        .expect("a1");
        insert(
            &conn,
            &capture("a2", "/orders", b"{\"type\":\"order.paid\"}"),
        )
        .expect("a2");
        let paid = filter(None, Some("paid"));
        assert_eq!(
            found(&conn, &paid, 0),
            (None, 0, true),
            "nothing indexed yet"
        );
        while search::index_slice(&conn, search::RECENT_ROWS)
            .expect("index")
            .more
        {}
        assert_eq!(found(&conn, &paid, 0), (Some("a2".into()), 2, false));
        assert_eq!(found(&conn, &paid, 2), (None, 2, false));
        insert(
            &conn,
            &capture("a3", "/orders", b"{\"type\":\"order.paid\"}"),
        )
        .expect("a3");
        assert_eq!(
            found(&conn, &paid, 2),
            (None, 2, true),
            "a3 awaits the index"
        );
    }
}
