//! Full-text search. Requests are indexed by the writer when it is idle (see `writer`), in
//! bounded slices, so capture never waits for tokenising bodies. `meta.fts_seq` is the
//! watermark: every request with a smaller or equal `seq` is indexed.
//!
//! Two indexes hold the same columns: `request_fts` holds every indexed request,
//! `request_recent` only the newest (every indexed request above `meta.recent_low`, about
//! [`RECENT_ROWS`] of them). The API treats the last word typed as a prefix, and FTS5 answers
//! a prefix query by merging the lists of every term with that prefix before it returns a
//! row: for a prefix that most requests contain that is a merge of a million entries, however
//! few rows are asked for. Over the recent index the same merge is a fiftieth of that, and
//! when it yields a full page those are the newest matches of all; otherwise the listing goes
//! on in the full index below the recent window, where a prefix rare enough to miss a page in
//! the newest requests has short lists to merge (see `requests::list`).

use std::time::{Duration, Instant};

use rusqlite::{Connection, OptionalExtension, params};

use crate::Result;

/// Requests indexed per slice.
const SLICE_ROWS: usize = 256;
/// Body bytes tokenised per slice (a slice stops early once past this).
const SLICE_BYTES: usize = 4 << 20;
/// Requests dropped from the recent index per slice (see `fit_recent`).
const TRIM_ROWS: usize = 2 * SLICE_ROWS;
/// Time each slice spends merging each full-text index's segments, at most (about).
const MERGE_BUDGET: Duration = Duration::from_millis(4);
/// Pages one merge step writes.
const MERGE_PAGES: i64 = 16;
/// Bytes of each text body that are indexed.
const BODY_PREFIX: usize = 1 << 20;
/// Sequence numbers the recent index spans: the newest this many (fewer stored once some are
/// deleted). It is trimmed a slice at a time once it spans a slice more.
pub(crate) const RECENT_ROWS: i64 = 20_000;

/// What an indexing pass left.
pub(crate) struct Slice {
    /// More requests await indexing (or the recent index awaits filling or trimming).
    pub more: bool,
    /// Stored requests not yet indexed (by sequence number).
    pub lag: i64,
}

/// Moves the recent index's window a slice towards the newest `recent_rows` stored requests
/// (the writer passes [`RECENT_ROWS`]), then indexes the next slice of unindexed requests.
pub(crate) fn index_slice(conn: &Connection, recent_rows: i64) -> Result<Slice> {
    let from = meta_seq(conn, "fts_seq")?;
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let out = last_stored(conn).and_then(|last| {
        let refit = fit_recent(conn, from, (last - recent_rows).max(0))?;
        let (more, indexed) = index_from(conn, from, recent_low(conn)?)?;
        let merging = merge(conn, "request_fts")? | merge(conn, "request_recent")?;
        Ok((more || refit || merging, indexed, last))
    });
    match out {
        Ok(_) => conn.execute_batch("COMMIT")?,
        Err(_) => conn.execute_batch("ROLLBACK")?,
    }
    let (more, indexed, last) = out?;
    Ok(Slice {
        more,
        lag: (last - indexed).max(0),
    })
}

/// Merges `table`'s segments for at most [`MERGE_BUDGET`] (automerge is off: see migration
/// 0011); returns whether merging remains.
fn merge(conn: &Connection, table: &str) -> Result<bool> {
    let deadline = Instant::now() + MERGE_BUDGET;
    loop {
        if !merge_step(conn, table)? {
            return Ok(false);
        }
        if Instant::now() >= deadline {
            return Ok(true);
        }
    }
}

/// One step of at most [`MERGE_PAGES`] pages of merging in `table`; whether it found anything
/// to merge. FTS5's documented signal: a step that found nothing adds fewer than two to the
/// change count (the command itself may count as one).
fn merge_step(conn: &Connection, table: &str) -> Result<bool> {
    let mut step = conn.prepare_cached(&format!(
        "INSERT INTO {table} ({table}, rank) VALUES ('merge', {MERGE_PAGES})"
    ))?;
    let before = conn.total_changes();
    step.execute([])?;
    Ok(conn.total_changes() - before >= 2)
}

/// The last sequence number handed out: a lookup in SQLite's own table, no scan.
pub(crate) fn last_stored(conn: &Connection) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'requests'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

/// Every request with this `seq` or a smaller one is in the full-text indexes.
pub(crate) fn indexed_through(conn: &Connection) -> Result<i64> {
    meta_seq(conn, "fts_seq")
}

/// The recent index holds every indexed request with a larger `seq` than this.
pub(crate) fn recent_low(conn: &Connection) -> Result<i64> {
    meta_seq(conn, "recent_low")
}

fn meta_seq(conn: &Connection, key: &str) -> Result<i64> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| {
            r.get::<_, String>(0)
        })
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0))
}

fn set_meta_seq(conn: &Connection, key: &str, seq: i64) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![key, seq.to_string()],
    )?;
    Ok(())
}

/// Selects what both indexes take, in the order [`add`] reads it, from the requests `rest`
/// (a WHERE clause with its order and limit) picks.
fn docs(rest: &str) -> String {
    format!(
        "SELECT seq, path, coalesce(query, ''), headers, coalesce(substr(body, 1, {BODY_PREFIX}), x'')
         FROM requests {rest}"
    )
}

/// Adds one request (a row of [`docs`]) to `table`; returns its `seq` and body length.
fn add(conn: &Connection, table: &str, row: &rusqlite::Row) -> Result<(i64, usize)> {
    let seq: i64 = row.get(0)?;
    let path: String = row.get(1)?;
    let query: String = row.get(2)?;
    let headers: Vec<u8> = row.get(3)?;
    let body: Vec<u8> = row.get(4)?;
    conn.prepare_cached(&format!(
        "INSERT INTO {table} (rowid, path, query, headers, body) VALUES (?1, ?2, ?3, ?4, ?5)"
    ))?
    .execute(params![
        seq,
        path,
        query,
        String::from_utf8_lossy(&headers),
        text_of(&body)
    ])?;
    Ok((seq, body.len()))
}

/// Indexes from `from` into the full index, and those above the recent window's floor `low`
/// into the recent one too; returns whether more remain and the new watermark.
fn index_from(conn: &Connection, from: i64, low: i64) -> Result<(bool, i64)> {
    let mut select = conn.prepare_cached(&docs(&format!(
        "WHERE seq > ?1 ORDER BY seq LIMIT {SLICE_ROWS}"
    )))?;
    let mut rows = select.query([from])?;
    let (mut last, mut count, mut bytes) = (from, 0, 0);
    while let Some(row) = rows.next()? {
        let (seq, len) = add(conn, "request_fts", row)?;
        if seq > low {
            add(conn, "request_recent", row)?;
        }
        bytes += len;
        (last, count) = (seq, count + 1);
        if bytes >= SLICE_BYTES {
            break;
        }
    }
    if last > from {
        set_meta_seq(conn, "fts_seq", last)?;
    }
    Ok((count == SLICE_ROWS || bytes >= SLICE_BYTES, last))
}

/// Moves the recent window's floor a slice towards `target` (the newest stored requests,
/// indexed or not, set the target, so that catching up on a backlog never fills the small
/// index with requests it would drop again): down, adding older indexed requests newest first
/// (after an upgrade, which starts the window empty), or up, dropping the oldest once the
/// window spans a slice too many. `indexed` is the watermark; requests above it are added as
/// they are indexed if they are above the floor. Returns whether more remains.
fn fit_recent(conn: &Connection, indexed: i64, target: i64) -> Result<bool> {
    let low = recent_low(conn)?;
    if low > target {
        // Nothing between the watermark and the floor is indexed: the floor may drop there.
        let mut floor = low.min(indexed).max(target);
        if floor > target {
            let mut select = conn.prepare_cached(&docs(&format!(
                "WHERE seq > ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT {SLICE_ROWS}"
            )))?;
            let mut rows = select.query([target, floor])?;
            let (mut count, mut bytes) = (0, 0);
            floor = target;
            while let Some(row) = rows.next()? {
                let (seq, len) = add(conn, "request_recent", row)?;
                (count, bytes) = (count + 1, bytes + len);
                if count == SLICE_ROWS || bytes >= SLICE_BYTES {
                    floor = seq - 1;
                    break;
                }
            }
        }
        set_meta_seq(conn, "recent_low", floor)?;
        return Ok(floor > target);
    }
    if target - low < SLICE_ROWS as i64 {
        return Ok(false);
    }
    // Only indexed requests are in the index; the rest will not be added below the floor.
    // Twice a slice: while a backlog is indexed the floor may trail the watermark, and every
    // slice indexed above the floor adds a slice; dropping two lets the floor overtake the
    // watermark and jump to the target, after which the backlog skips the small index.
    let seqs = conn
        .prepare_cached(&format!(
            "SELECT seq FROM requests WHERE seq > ?1 AND seq <= ?2 ORDER BY seq LIMIT {TRIM_ROWS}"
        ))?
        .query_map([low, target.min(indexed)], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut delete = conn.prepare_cached("DELETE FROM request_recent WHERE rowid = ?1")?;
    for seq in &seqs {
        delete.execute([seq])?;
    }
    let floor = match seqs.last() {
        Some(&last) if seqs.len() == TRIM_ROWS => last,
        _ => target,
    };
    set_meta_seq(conn, "recent_low", floor)?;
    Ok(target - floor >= SLICE_ROWS as i64)
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
/// as a prefix (search as you type; see `fulltext`). Operators and quotes are taken
/// literally.
pub(crate) fn match_expression(q: &str) -> Option<String> {
    let words = crate::fulltext::words(q);
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
    use crate::sqlite::requests::{insert, list, tests::capture};
    use crate::sqlite::test_conn;

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
        // `lag`, not `more`: a slice preempted past its merge budget reports merging left.
        assert_eq!(
            index_slice(&conn, RECENT_ROWS).expect("index").lag,
            0,
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

    /// Words that no header, path or query of `capture` contains, several sharing a prefix.
    const VOCAB: &[&str] = &[
        "alpha", "alpine", "alps", "altitude", "beta", "bettor", "betray", "gamma", "gambit",
        "delta", "deltoid", "omega",
    ];

    /// Inserts `n` requests whose bodies are 2 to 7 words of [`VOCAB`]; every 13th is pinned.
    fn fill(conn: &Connection, n: usize, rng: &mut u64) {
        for _ in 0..n {
            let mut next = || {
                *rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                (*rng >> 33) as usize
            };
            let words: Vec<&str> = (0..2 + next() % 6)
                .map(|_| VOCAB[next() % VOCAB.len()])
                .collect();
            let id = format!("r{}", next());
            let mut c = capture(&id, "/hook", words.join(" ").as_bytes());
            c.pinned = next() % 13 == 0;
            insert(conn, &c).expect("insert");
        }
    }

    /// Indexes until nothing remains, checking the results after every slice.
    fn index_all(conn: &Connection, recent_rows: i64) {
        while index_slice(conn, recent_rows).expect("index").more {
            check_against_reference(conn);
        }
        check_against_reference(conn);
    }

    /// Every query, at several page sizes, paged to the end through the cursor, with and
    /// without a filter, gives exactly what a scan of the bodies gives: every word but the
    /// last whole, the last as a prefix, newest first.
    fn check_against_reference(conn: &Connection) {
        let indexed = meta_seq(conn, "fts_seq").expect("watermark");
        let stored: Vec<(i64, String, bool, String)> = conn
            .prepare("SELECT seq, id, pinned, CAST(body AS TEXT) FROM requests ORDER BY seq DESC")
            .expect("prepare")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows");
        for q in [
            "al",
            "alp",
            "alpha",
            "alpi",
            "bet",
            "betr",
            "gam",
            "de",
            "omega",
            "alpha be",
            "gamma delta al",
            "zzz",
        ] {
            let (last, whole) = q
                .split_whitespace()
                .collect::<Vec<_>>()
                .split_last()
                .map(|(l, w)| (*l, w.to_vec()))
                .expect("words");
            for pinned in [None, Some(true)] {
                let want: Vec<&str> = stored
                    .iter()
                    .filter(|(seq, _, p, body)| {
                        let words: Vec<&str> = body.split(' ').collect();
                        *seq <= indexed
                            && pinned.is_none_or(|want| *p == want)
                            && whole.iter().all(|w| words.contains(w))
                            && words.iter().any(|w| w.starts_with(last))
                    })
                    .map(|(_, id, _, _)| id.as_str())
                    .collect();
                for limit in [25, 100] {
                    let mut got = Vec::new();
                    let mut cursor = None;
                    loop {
                        let page = list(
                            conn,
                            &RequestFilter {
                                q: Some(q.into()),
                                pinned,
                                before_seq: cursor,
                                limit,
                                ..Default::default()
                            },
                        )
                        .expect("search");
                        got.extend(page.items.into_iter().map(|r| r.meta.id));
                        cursor = page.next;
                        if cursor.is_none() {
                            break;
                        }
                    }
                    assert_eq!(got, want, "{q:?} pinned={pinned:?} limit={limit}");
                }
            }
        }
    }

    #[test]
    fn prefix_search_across_the_recent_window_equals_a_scan() {
        let conn = test_conn();
        let mut rng = 7;
        fill(&conn, 700, &mut rng);
        index_all(&conn, 40);
        let low = recent_low(&conn).expect("low");
        assert!(
            (700 - 40 - SLICE_ROWS as i64..=660).contains(&low),
            "window trimmed: {low}"
        );

        // Deletes, and retention (which spares pinned requests), drop rows from both indexes.
        conn.execute("DELETE FROM requests WHERE seq % 5 = 0", [])
            .expect("delete");
        let limits = crate::RetentionSettings {
            max_requests: Some(300),
            max_age_days: None,
            max_total_mib: None,
        };
        let cuts = crate::sqlite::retention::Cuts::find(&conn, &limits, 0).expect("cuts");
        assert!(
            crate::sqlite::retention::apply_chunk(&conn, &cuts)
                .expect("retention")
                .total()
                > 0
        );
        check_against_reference(&conn);

        // New requests: indexed a slice at a time, some still unindexed between slices.
        fill(&conn, 600, &mut rng);
        index_all(&conn, 40);
        // A larger window fills downwards (as after an upgrade), a smaller one trims again.
        index_all(&conn, 900);
        assert!(recent_low(&conn).expect("low") < 1300 - 40 - SLICE_ROWS as i64);
        index_all(&conn, 40);
        assert!(recent_low(&conn).expect("low") >= 1300 - 40 - SLICE_ROWS as i64);
    }

    #[test]
    fn deletions_rewrite_the_index_only_once_half_are_gone() {
        let conn = test_conn();
        for i in 0..1000 {
            insert(&conn, &capture(&format!("r{i}"), "/bulk", b"invoice paid")).expect("insert");
        }
        index_all(&conn, RECENT_ROWS);
        while merge(&conn, "request_fts").expect("merge") {}
        let delete = |below: i64| {
            conn.execute("DELETE FROM requests WHERE seq <= ?1", [below])
                .expect("delete");
        };
        let rewrites = || merge_step(&conn, "request_fts").expect("merge step");
        delete(200);
        assert!(!rewrites(), "a fifth deleted rewrites nothing");
        assert_eq!(search(&conn, "invoice").len(), 100, "and is out of results");
        delete(600);
        assert!(
            rewrites(),
            "past half deleted, the level is rewritten without them"
        );
    }

    #[test]
    fn slices_are_bounded_and_resume() {
        let conn = test_conn();
        for i in 0..(SLICE_ROWS + 10) {
            insert(&conn, &capture(&format!("r{i}"), "/bulk", b"word")).expect("insert");
        }
        let first = index_slice(&conn, RECENT_ROWS).expect("first slice");
        assert!(first.more, "more remain");
        assert_eq!(first.lag, 10, "ten requests still unindexed");
        // The second slice indexes the rest (it may still report merging left, when it was
        // preempted past its merge budget on a loaded machine).
        let second = index_slice(&conn, RECENT_ROWS).expect("second slice");
        assert_eq!(second.lag, 0);
        assert_eq!(search(&conn, "bulk").len(), 100.min(SLICE_ROWS + 10));
        let indexed: i64 = conn
            .query_row("SELECT count(*) FROM request_fts", [], |r| r.get(0))
            .unwrap_or(0);
        assert_eq!(indexed as usize, SLICE_ROWS + 10);
    }
}
