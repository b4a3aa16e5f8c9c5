//! Full-text search on PostgreSQL, with the meaning `fulltext` gives it (the same as
//! SQLite's FTS5 index): each request's tokens, made here, are stored as a `tsvector` in
//! `request_search` (GIN-indexed), and a query becomes a `tsquery` of the same tokens, a
//! word with punctuation inside a phrase (`<->`), the last token a prefix (`:*`).
//!
//! As on SQLite, requests are indexed off the capture path, in slices, by an indexer that
//! follows the commit order (`capture_log.position`, see `order`) behind the watermark
//! `meta.fts_position`: every request at or below it is indexed. One instance at a time
//! indexes (an advisory lock per slice); each wakes when positions move.
//!
//! Two limits of `tsvector` make PostgreSQL's index narrower than SQLite's on very long
//! requests: a token's places past the 16,383rd of a request, and past its own 256th, are
//! not kept, so a phrase (several tokens side by side) is only found before them; and a
//! request's distinct tokens are kept up to [`MAX_LEXEME_BYTES`] in all. A single word is
//! found wherever it is, within that budget.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::Duration;

use deadpool_postgres::Transaction;

use super::{HOOKLENS, LOCK_INDEX, PgStore};
use crate::Result;
use crate::fulltext::{tokens, words};

/// Requests indexed per slice, at most.
const SLICE_ROWS: i64 = 256;
/// Body bytes tokenised per slice (a slice stops early once past this).
const SLICE_BYTES: i64 = 4 << 20;
/// Bytes of each text body that are indexed (as on SQLite).
const BODY_PREFIX: i32 = 1 << 20;
/// PostgreSQL refuses a `tsvector` whose lexemes pass 1 MiB; the rest of a request's
/// distinct tokens are left out past this.
const MAX_LEXEME_BYTES: usize = 512 << 10;
/// The longest lexeme PostgreSQL takes.
const MAX_LEXEME: usize = 2046;
/// The last place a `tsvector` records.
const MAX_POSITION: usize = 16_383;
/// Searches look first among this many of the newest indexed requests (see
/// `requests::list_requests`), as on SQLite.
pub(crate) const RECENT_ROWS: i64 = 20_000;
/// How often the indexer looks even if no position moved, and waits after a failure.
const IDLE_CHECK: Duration = Duration::from_secs(1);

/// The `tsquery` for what a person typed; `None` when nothing in it can match.
pub(crate) fn query(q: &str) -> Option<String> {
    let words = words(q);
    let last = words.len().checked_sub(1)?;
    let mut out = String::new();
    for (i, word) in words.iter().enumerate() {
        let tokens: Vec<String> = tokens(word).collect();
        let Some(final_token) = tokens.len().checked_sub(1) else {
            continue;
        };
        if !out.is_empty() {
            out.push_str(" & ");
        }
        out.push('(');
        for (j, token) in tokens.iter().enumerate() {
            if j > 0 {
                out.push_str(" <-> ");
            }
            let _ = write!(out, "'{token}'");
            if i == last && j == final_token {
                out.push_str(":*");
            }
        }
        out.push(')');
    }
    (!out.is_empty()).then_some(out)
}

/// The `tsvector` (as text) of a request's `fields`, in order. Places run on from one field
/// to the next with a gap, so that no phrase spans two fields (FTS5 columns).
pub(crate) fn document(fields: &[&str]) -> String {
    let mut places: Vec<(String, Vec<usize>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let (mut place, mut lexeme_bytes) = (0usize, 0usize);
    for field in fields {
        for token in tokens(field) {
            place += 1;
            if token.len() > MAX_LEXEME {
                continue;
            }
            let at = place.min(MAX_POSITION);
            match index.get(&token) {
                Some(&i) => places[i].1.push(at),
                None if lexeme_bytes + token.len() <= MAX_LEXEME_BYTES => {
                    lexeme_bytes += token.len();
                    index.insert(token.clone(), places.len());
                    places.push((token, vec![at]));
                }
                None => {}
            }
        }
        place += 1;
    }
    let mut out = String::with_capacity(lexeme_bytes * 2);
    for (token, at) in places {
        let mut at = at;
        at.dedup();
        at.truncate(256);
        let _ = write!(out, "'{token}':");
        for (k, p) in at.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            let _ = write!(out, "{p}");
        }
        out.push(' ');
    }
    out
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

/// Indexes the next slice; returns whether more remains.
pub(crate) async fn index_slice(store: &PgStore) -> Result<bool> {
    let mut conn = store.conn().await?;
    let tx = conn.transaction().await?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, $2)",
        &[&HOOKLENS, &LOCK_INDEX],
    )
    .await?;
    let from = watermark(&tx).await?;
    let slice = next_slice(&tx, from).await?;
    if slice.until == from {
        tx.commit().await?;
        return Ok(false);
    }
    let (seqs, docs) = documents(&tx, from, slice.until).await?;
    store_documents(&tx, &seqs, &docs, slice.until).await?;
    let last: i64 = tx
        .query_one("SELECT last FROM capture_counter", &[])
        .await?
        .get(0);
    tx.commit().await?;
    store
        .inner
        .stats
        .fts_lag
        .store(last - slice.until, std::sync::atomic::Ordering::Relaxed);
    Ok(slice.full() || slice.until < last)
}

/// The positions a slice indexes: past the watermark, up to `until`.
struct Slice {
    until: i64,
    /// Body bytes (of each the indexed prefix) in the slice.
    bytes: i64,
    /// Requests in the slice.
    taken: i64,
}

impl Slice {
    /// Whether the slice stopped at one of its limits, so more may remain.
    fn full(&self) -> bool {
        self.taken == SLICE_ROWS || self.bytes >= SLICE_BYTES
    }
}

/// The watermark: every request at or below this position is indexed.
async fn watermark(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx
        .query_opt("SELECT value FROM meta WHERE key = 'fts_position'", &[])
        .await?
        .and_then(|row| row.get::<_, String>(0).parse().ok())
        .unwrap_or(0))
}

/// The next slice past `from`: up to [`SLICE_ROWS`] requests, and up to the one that takes
/// it past [`SLICE_BYTES`].
async fn next_slice(tx: &Transaction<'_>, from: i64) -> Result<Slice> {
    let sizes = tx
        .query(
            "SELECT l.position, least(octet_length(r.body), $3)
             FROM capture_log l JOIN requests r ON r.seq = l.seq
             WHERE l.position > $1 ORDER BY l.position LIMIT $2",
            &[&from, &SLICE_ROWS, &BODY_PREFIX],
        )
        .await?;
    let mut slice = Slice {
        until: from,
        bytes: 0,
        taken: 0,
    };
    for row in &sizes {
        slice.until = row.get(0);
        slice.bytes += i64::from(row.get::<_, i32>(1));
        slice.taken += 1;
        if slice.bytes >= SLICE_BYTES {
            break;
        }
    }
    Ok(slice)
}

/// The `seq` and the `tsvector` text of each request at positions `from < p <= until`.
async fn documents(tx: &Transaction<'_>, from: i64, until: i64) -> Result<(Vec<i64>, Vec<String>)> {
    let rows = tx
        .query(
            "SELECT r.seq, r.path, coalesce(r.query, ''), r.headers, substring(r.body FROM 1 FOR $3)
             FROM capture_log l JOIN requests r ON r.seq = l.seq
             WHERE l.position > $1 AND l.position <= $2",
            &[&from, &until, &BODY_PREFIX],
        )
        .await?;
    let (mut seqs, mut docs) = (Vec::new(), Vec::new());
    for row in &rows {
        let headers: Vec<u8> = row.get(3);
        let body: Vec<u8> = row.get(4);
        let headers = String::from_utf8_lossy(&headers);
        seqs.push(row.get::<_, i64>(0));
        docs.push(document(&[
            row.get(1),
            row.get(2),
            &headers,
            text_of(&body),
        ]));
    }
    Ok((seqs, docs))
}

/// Stores the documents of the requests still there (one deleted since is skipped) and
/// moves the watermark to `until`.
async fn store_documents(
    tx: &Transaction<'_>,
    seqs: &[i64],
    docs: &[String],
    until: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO request_search (seq, doc)
         SELECT d.seq, d.doc::tsvector FROM unnest($1::bigint[], $2::text[]) AS d (seq, doc)
         WHERE EXISTS (SELECT 1 FROM requests r WHERE r.seq = d.seq)
         ON CONFLICT (seq) DO NOTHING",
        &[&seqs, &docs],
    )
    .await?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('fts_position', $1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[&until.to_string()],
    )
    .await?;
    Ok(())
}

/// This instance's indexer: indexes while anything remains, whenever positions move.
pub(crate) async fn indexer(store: PgStore) {
    let cancel = store.inner.cancel.clone();
    let mut positions = store.watch_commits();
    loop {
        loop {
            match index_slice(&store).await {
                Ok(true) if !cancel.is_cancelled() => continue,
                Ok(_) => break,
                Err(e) => {
                    if !cancel.is_cancelled() {
                        tracing::warn!(error = %e, "search indexing failed; retrying in a second");
                    }
                    break;
                }
            }
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = positions.changed() => {}
            _ = tokio::time::sleep(IDLE_CHECK) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("", None),
            ("  {} ", None),
            ("invoice", Some("('invoice':*)")),
            ("payment failed", Some("('payment') & ('failed':*)")),
            ("a\"b OR", Some("('a' <-> 'b') & ('or':*)")),
            ("evt_1N.x", Some("('evt' <-> '1n' <-> 'x':*)")),
            ("Café", Some("('cafe':*)")),
        ];
        for (q, want) in cases {
            assert_eq!(query(q).as_deref(), *want, "{q:?}");
        }
    }

    #[test]
    fn documents_keep_places_per_field_with_a_gap() {
        assert_eq!(
            document(&["/a/b", "", "x: a", "b a"]),
            "'a':1,6,9 'b':2,8 'x':5 "
        );
        let long = "w ".repeat(MAX_POSITION + 10) + "end";
        let doc = document(&[&long]);
        assert!(
            doc.ends_with(&format!("'end':{MAX_POSITION} ")),
            "{}",
            &doc[doc.len() - 30..]
        );
        assert_eq!(
            doc.matches(',').count(),
            255,
            "256 places per token at most"
        );
    }
}
