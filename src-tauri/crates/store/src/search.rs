//! Full-text search. Requests are indexed by the writer when it is idle (see `writer`), in
//! bounded slices, so capture never waits for tokenising bodies. `meta.fts_seq` is the
//! watermark: every request with a smaller or equal `seq` is indexed.

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// Requests indexed per slice.
const SLICE_ROWS: usize = 256;
/// Body bytes tokenised per slice (a slice stops early once past this).
const SLICE_BYTES: usize = 4 << 20;
/// Bytes of each text body that are indexed.
const BODY_PREFIX: usize = 1 << 20;

/// What an indexing pass left.
pub(crate) struct Slice {
    /// More requests await indexing.
    pub more: bool,
    /// Stored requests not yet indexed (by sequence number).
    pub lag: i64,
}

/// Indexes the next slice of unindexed requests.
pub(crate) fn index_slice(conn: &Connection) -> Result<Slice> {
    let from: i64 = conn
        .query_row("SELECT value FROM meta WHERE key = 'fts_seq'", [], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let out = index_from(conn, from);
    match out {
        Ok(_) => conn.execute_batch("COMMIT")?,
        Err(_) => conn.execute_batch("ROLLBACK")?,
    }
    let (more, indexed) = out?;
    // The last sequence number handed out: a lookup in SQLite's own table, no scan.
    let last: i64 = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'requests'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0);
    Ok(Slice {
        more,
        lag: (last - indexed).max(0),
    })
}

/// Indexes from `from`; returns whether more remain and the new watermark.
fn index_from(conn: &Connection, from: i64) -> Result<(bool, i64)> {
    let mut select = conn.prepare_cached(&format!(
        "SELECT seq, path, coalesce(query, ''), headers, coalesce(substr(body, 1, {BODY_PREFIX}), x'')
         FROM requests WHERE seq > ?1 ORDER BY seq LIMIT {SLICE_ROWS}"
    ))?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO request_fts (rowid, path, query, headers, body) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut rows = select.query([from])?;
    let (mut last, mut count, mut bytes) = (from, 0, 0);
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        let path: String = row.get(1)?;
        let query: String = row.get(2)?;
        let headers: Vec<u8> = row.get(3)?;
        let body: Vec<u8> = row.get(4)?;
        bytes += body.len();
        insert.execute(params![
            seq,
            path,
            query,
            String::from_utf8_lossy(&headers),
            text_of(&body)
        ])?;
        (last, count) = (seq, count + 1);
        if bytes >= SLICE_BYTES {
            break;
        }
    }
    if last > from {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('fts_seq', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [last.to_string()],
        )?;
    }
    Ok((count == SLICE_ROWS || bytes >= SLICE_BYTES, last))
}

/// The body as text when it is text: valid UTF-8, allowing a character cut by the prefix.
fn text_of(body: &[u8]) -> &str {
    match std::str::from_utf8(body) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => "",
    }
}

/// Turns what a person typed into an FTS5 expression: every word must appear, the last one
/// as a prefix (search as you type). Operators and quotes are taken literally.
pub(crate) fn match_expression(q: &str) -> Option<String> {
    let words: Vec<&str> = q
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let last = words.len().checked_sub(1)?;
    let terms: Vec<String> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let quoted = format!("\"{}\"", w.replace('"', "\"\""));
            if i == last { quoted + "*" } else { quoted }
        })
        .collect();
    Some(terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RequestFilter;
    use crate::requests::{insert, list, tests::capture};
    use crate::test_conn;

    #[test]
    fn match_expression_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("", None),
            ("  {} ", None),
            ("invoice", Some("\"invoice\"*")),
            ("payment failed", Some("\"payment\" \"failed\"*")),
            ("a\"b OR", Some("\"a\"\"b\" \"OR\"*")),
            ("evt_1N.x", Some("\"evt_1N.x\"*")),
        ];
        for (q, want) in cases {
            assert_eq!(match_expression(q).as_deref(), *want, "{q:?}");
        }
    }

    fn search(conn: &Connection, q: &str) -> Vec<String> {
        list(
            conn,
            &RequestFilter {
                q: Some(q.into()),
                limit: 100,
                ..Default::default()
            },
        )
        .expect("search")
        .items
        .into_iter()
        .map(|r| r.meta.id)
        .collect()
    }

    #[test]
    fn finds_path_header_and_body_words_after_indexing() {
        let conn = test_conn();
        insert(
            &conn,
            &capture(
                "a",
                "/stripe/events",
                br#"{"type":"payment_intent.payment_failed"}"#,
            ),
        )
        .expect("insert");
        insert(&conn, &capture("b", "/github", &[0xff, 0xfe, b'x'])).expect("insert");
        assert!(search(&conn, "stripe").is_empty(), "not indexed yet");
        assert!(
            !index_slice(&conn).expect("index").more,
            "one slice covers two rows"
        );
        assert_eq!(search(&conn, "stripe"), ["a"]);
        assert_eq!(search(&conn, "payment_fail"), ["a"]);
        assert_eq!(search(&conn, "application/json"), ["b", "a"]);
        assert!(search(&conn, "nothing-like-this").is_empty());
        conn.execute("DELETE FROM requests WHERE id = 'a'", [])
            .expect("delete");
        assert!(
            search(&conn, "stripe").is_empty(),
            "delete drops the index row"
        );
    }

    #[test]
    fn slices_are_bounded_and_resume() {
        let conn = test_conn();
        for i in 0..(SLICE_ROWS + 10) {
            insert(&conn, &capture(&format!("r{i}"), "/bulk", b"word")).expect("insert");
        }
        let first = index_slice(&conn).expect("first slice");
        assert!(first.more, "more remain");
        assert_eq!(first.lag, 10, "ten requests still unindexed");
        let second = index_slice(&conn).expect("second slice");
        assert!(!second.more);
        assert_eq!(second.lag, 0);
        assert_eq!(search(&conn, "bulk").len(), 100.min(SLICE_ROWS + 10));
        let indexed: i64 = conn
            .query_row("SELECT count(*) FROM request_fts", [], |r| r.get(0))
            .unwrap_or(0);
        assert_eq!(indexed as usize, SLICE_ROWS + 10);
    }
}
