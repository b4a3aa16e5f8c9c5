//! Requests: insert, fetch, list, pin, delete.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{SqliteStore, search};
use crate::model::{
    BodyState, Capture, Committed, EventDelivery, FirstDelivery, Handshake, Page, Request,
    RequestFilter, RequestMeta, SignatureVerdict, header_block,
};
use crate::{Result, StoreError, parse_header_block};

impl SqliteStore {
    /// Stores a captured request. Resolves once it is committed: only then may the receiver
    /// answer 2xx.
    pub async fn insert_request(&self, capture: Capture) -> Result<i64> {
        let writer = &self.inner.writer;
        let seq = if capture.deliveries.is_empty() {
            // One INSERT: atomic by itself.
            writer
                .submit_statement(move |conn| insert(conn, &capture))
                .await?
        } else {
            writer.submit(move |conn| insert(conn, &capture)).await?
        };
        self.committed(seq);
        Ok(seq)
    }

    /// Up to `limit` (1 to 1,000) captures after `position`, in commit order, with their
    /// bodies. Positions only grow at commit: a capture that commits after a reader has
    /// seen position P gets a position above P, so a reader that follows the last position
    /// it has seen never skips nor repeats a capture. Start from 0 for everything stored. A
    /// gap between two positions is a capture deleted since (by retention or by hand).
    /// (The single writer numbers captures as it commits them: a capture's `seq` is its
    /// position.)
    pub async fn captures_after(&self, position: i64, limit: usize) -> Result<Vec<Committed>> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS}, body FROM requests WHERE seq > ?1 ORDER BY seq LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![position, limit.clamp(1, 1000) as i64], |row| {
                from_row(row, true)
            })?;
            Ok(rows
                .map(|r| {
                    r.map(|request| Committed {
                        position: request.seq,
                        request,
                    })
                })
                .collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    /// This process is the only writer of its database file: nothing is committed elsewhere.
    pub async fn committed_elsewhere(
        &self,
        _after: i64,
        _up_to: i64,
        _limit: usize,
    ) -> Result<Vec<Committed>> {
        Ok(Vec::new())
    }

    /// How many captures are stored after `position`.
    pub async fn count_captures_after(&self, position: i64) -> Result<u64> {
        self.read(move |conn| {
            Ok(conn
                .prepare_cached("SELECT count(*) FROM requests WHERE seq > ?1")?
                .query_row([position], |r| r.get::<_, i64>(0))? as u64)
        })
        .await
    }

    /// Stores captures brought back from a file, in one transaction, skipping any whose id is
    /// stored already: each one's position, or `None` for a skipped one. The transaction is
    /// all or nothing, so a failure leaves none of them behind.
    pub async fn import_requests(&self, captures: Vec<Capture>) -> Result<Vec<Option<i64>>> {
        let stored = self
            .inner
            .writer
            .submit(move |conn| {
                let mut stored = Vec::with_capacity(captures.len());
                for capture in &captures {
                    let known = conn
                        .prepare_cached("SELECT 1 FROM requests WHERE id = ?1")?
                        .exists([&capture.meta.id])?;
                    stored.push(if known {
                        None
                    } else {
                        Some(insert(conn, capture)?)
                    });
                }
                Ok(stored)
            })
            .await?;
        // Committed: readers of the stream of captures may look.
        if let Some(last) = stored.iter().flatten().max() {
            self.committed(*last);
        }
        Ok(stored)
    }

    /// Deletes the requests with these ids (pinned or not), in one transaction; returns how
    /// many went. An import that fails takes back what it stored with it.
    pub async fn delete_requests(&self, ids: Vec<String>) -> Result<u64> {
        self.inner
            .writer
            .submit(move |conn| {
                let mut stmt = conn.prepare_cached("DELETE FROM requests WHERE id = ?1")?;
                let mut deleted = 0;
                for id in &ids {
                    deleted += stmt.execute([id])? as u64;
                }
                Ok(deleted)
            })
            .await
    }

    /// One request with its body.
    pub async fn get_request(&self, id: &str) -> Result<Request> {
        let id = id.to_string();
        self.read(move |conn| get(conn, &id)).await
    }

    /// A page of requests, newest first, without bodies.
    pub async fn list_requests(&self, filter: RequestFilter) -> Result<Page> {
        self.read(move |conn| list(conn, &filter)).await
    }

    /// Hands every request matching `filter` (ignoring its limit), oldest first, with its
    /// body, to `each`, one at a time, so exports of any size run in bounded memory.
    /// Blocking: call it from a blocking thread.
    pub fn for_each_request_blocking(
        &self,
        filter: &RequestFilter,
        each: impl FnMut(Request) -> Result<()>,
    ) -> Result<()> {
        self.read_blocking(|conn| for_each(conn, filter, each))
    }

    /// Pins or unpins a request; retention never deletes a pinned one.
    pub async fn set_pinned(&self, id: &str, pinned: bool) -> Result<()> {
        let id = id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                let n = conn.execute(
                    "UPDATE requests SET pinned = ?2 WHERE id = ?1",
                    params![id, pinned],
                )?;
                if n == 0 {
                    return Err(StoreError::NotFound(format!("request {id}")));
                }
                Ok(())
            })
            .await
    }

    /// Adds (`on`) or removes a tag by hand; returns the request's tags after.
    pub async fn tag_request(&self, id: &str, tag: &str, on: bool) -> Result<Vec<String>> {
        let (id, tag) = (id.to_string(), tag.to_string());
        self.inner
            .writer
            .submit(move |conn| {
                let tags: Option<Option<String>> = conn
                    .query_row("SELECT tags FROM requests WHERE id = ?1", [&id], |r| {
                        r.get(0)
                    })
                    .optional()?;
                let Some(tags) = tags else {
                    return Err(StoreError::NotFound(format!("request {id}")));
                };
                let mut tags = parse_list(tags);
                tags.retain(|t| *t != tag);
                if on {
                    tags.push(tag);
                }
                conn.execute(
                    "UPDATE requests SET tags = ?2 WHERE id = ?1",
                    params![id, json_list(&tags)?],
                )?;
                Ok(tags)
            })
            .await
    }

    /// Deletes one request, pinned or not.
    pub async fn delete_request(&self, id: &str) -> Result<()> {
        let id = id.to_string();
        self.inner
            .writer
            .submit(move |conn| {
                if conn.execute("DELETE FROM requests WHERE id = ?1", [&id])? == 0 {
                    return Err(StoreError::NotFound(format!("request {id}")));
                }
                Ok(())
            })
            .await
    }

    /// Deletes every unpinned request; returns how many went.
    pub async fn clear_requests(&self) -> Result<u64> {
        self.inner
            .writer
            .submit(|conn| Ok(conn.execute("DELETE FROM requests WHERE pinned = 0", [])? as u64))
            .await
    }

    /// Number of stored requests.
    pub async fn count_requests(&self) -> Result<u64> {
        self.read(|conn| {
            Ok(conn.query_row("SELECT count(*) FROM requests", [], |r| r.get::<_, i64>(0))? as u64)
        })
        .await
    }

    /// Number of requests received at or after `since_us` (µs since the epoch).
    pub async fn count_requests_since(&self, since_us: i64) -> Result<u64> {
        self.read(move |conn| {
            Ok(conn.query_row(
                "SELECT count(*) FROM requests WHERE received_at_us >= ?1",
                [since_us],
                |r| r.get::<_, i64>(0),
            )? as u64)
        })
        .await
    }
}

/// The last `seq` handed out (a lookup in SQLite's own table): the newest position.
pub(crate) fn last_position(conn: &Connection) -> Result<i64> {
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'requests'",
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or(0))
}

pub(crate) fn insert(conn: &Connection, c: &Capture) -> Result<i64> {
    let m = &c.meta;
    let event = m.event.as_ref();
    let first = event.and_then(|e| e.first.as_ref());
    let handshake = m.handshake.as_ref();
    let mut stmt = conn.prepare_cached(
        "INSERT INTO requests (id, received_at_us, duration_us, endpoint_id, endpoint_name,
            method, path, query, http_version, remote_addr, headers, body, body_state,
            body_note, size, response_status, provider, event_type, sig_status, sig_scheme,
            sig_reason, tags, matched_rules, pinned, via, event_id, occurrence, duplicate_of,
            first_at_us, handshake, handshake_answered, handshake_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32)",
    )?;
    stmt.execute(params![
        m.id,
        m.received_at_us,
        m.duration_us,
        m.endpoint_id,
        m.endpoint_name,
        m.method,
        m.path,
        m.query,
        m.http_version,
        m.remote_addr,
        header_block(&m.headers),
        c.body,
        m.body_state.as_str(),
        m.body_note,
        m.size as i64,
        m.response_status,
        m.provider,
        m.event_type,
        m.signature.as_ref().map(|v| &v.status),
        m.signature.as_ref().and_then(|v| v.scheme.as_ref()),
        m.signature.as_ref().map(|v| &v.reason),
        json_list(&m.tags)?,
        json_list(&m.rules)?,
        c.pinned,
        m.via.stored(),
        event.map(|e| &e.id),
        event.map(|e| e.occurrence),
        first.map(|f| &f.id),
        first.map(|f| f.received_at_us),
        handshake.map(|h| h.provider),
        handshake.map(|h| h.answered),
        handshake.map(|h| &h.reason),
    ])?;
    let seq = conn.last_insert_rowid();
    for delivery in &c.deliveries {
        super::deliveries::insert(conn, seq, &m.id, delivery)?;
    }
    Ok(seq)
}

pub(crate) const COLUMNS: &str =
    "seq, pinned, id, received_at_us, duration_us, endpoint_id, endpoint_name,
    method, path, query, http_version, remote_addr, headers, body_state, body_note, size,
    response_status, provider, event_type, sig_status, sig_scheme, sig_reason, tags,
    matched_rules, via, event_id, occurrence, duplicate_of, first_at_us, handshake,
    handshake_answered, handshake_reason, (SELECT CASE WHEN max(d.state = 'failed') THEN 'failed'
        WHEN max(d.state = 'pending') THEN 'pending' WHEN count(*) > 0 THEN 'succeeded' END
        FROM deliveries d WHERE d.request_seq = requests.seq) AS delivery";

/// The delivery summary of [`COLUMNS`], for filtering.
const DELIVERY: &str = "(SELECT CASE WHEN max(d.state = 'failed') THEN 'failed'
    WHEN max(d.state = 'pending') THEN 'pending' WHEN count(*) > 0 THEN 'succeeded' END
    FROM deliveries d WHERE d.request_seq = requests.seq)";

/// An empty list is stored as NULL.
fn json_list(items: &[String]) -> Result<Option<String>> {
    if items.is_empty() {
        return Ok(None);
    }
    Ok(Some(serde_json::to_string(items)?))
}

fn parse_list(json: Option<String>) -> Vec<String> {
    json.and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default()
}

pub(crate) fn from_row(row: &Row, with_body: bool) -> rusqlite::Result<Request> {
    let headers: Vec<u8> = row.get(12)?;
    let state: String = row.get(13)?;
    Ok(Request {
        seq: row.get(0)?,
        pinned: row.get(1)?,
        meta: RequestMeta {
            id: row.get(2)?,
            received_at_us: row.get(3)?,
            duration_us: row.get(4)?,
            endpoint_id: row.get(5)?,
            endpoint_name: row.get(6)?,
            method: row.get(7)?,
            path: row.get(8)?,
            query: row.get(9)?,
            http_version: row.get(10)?,
            remote_addr: row.get(11)?,
            headers: parse_header_block(&headers),
            body_state: BodyState::parse(&state),
            body_note: row.get(14)?,
            size: row.get::<_, i64>(15)? as u64,
            response_status: row.get(16)?,
            provider: row.get(17)?,
            event_type: row.get(18)?,
            signature: match row.get::<_, Option<crate::SignatureStatus>>(19)? {
                Some(status) => Some(SignatureVerdict {
                    status,
                    scheme: row.get(20)?,
                    reason: row.get::<_, Option<String>>(21)?.unwrap_or_default(),
                }),
                None => None,
            },
            tags: parse_list(row.get(22)?),
            rules: parse_list(row.get(23)?),
            via: row
                .get::<_, Option<crate::Via>>(24)?
                .unwrap_or(crate::Via::Direct),
            event: event_from_row(row)?,
            handshake: match row.get::<_, Option<crate::HandshakeProvider>>(29)? {
                Some(provider) => Some(Handshake {
                    provider,
                    answered: row.get::<_, Option<bool>>(30)?.unwrap_or(false),
                    reason: row.get::<_, Option<String>>(31)?.unwrap_or_default(),
                }),
                None => None,
            },
        },
        delivery: row
            .get::<_, Option<String>>(32)?
            .map(|s| crate::DeliveryState::parse(&s)),
        body: if with_body { Some(row.get(33)?) } else { None },
    })
}

/// Columns 25 to 28 of [`COLUMNS`]: the provider's event id and which delivery of it this is.
fn event_from_row(row: &Row) -> rusqlite::Result<Option<EventDelivery>> {
    let Some(id) = row.get::<_, Option<String>>(25)? else {
        return Ok(None);
    };
    let first = match (row.get::<_, Option<String>>(27)?, row.get(28)?) {
        (Some(id), Some(received_at_us)) => Some(FirstDelivery { id, received_at_us }),
        _ => None,
    };
    Ok(Some(EventDelivery {
        id,
        occurrence: row.get::<_, Option<u32>>(26)?.unwrap_or(1),
        first,
    }))
}

pub(crate) fn get(conn: &Connection, id: &str) -> Result<Request> {
    // Prepared once per connection: the forwarder reads every request it sends.
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS}, body FROM requests WHERE id = ?1"
    ))?
    .query_row([id], |row| from_row(row, true))
    .optional()?
    .ok_or_else(|| StoreError::NotFound(format!("request {id}")))
}

/// Builds the WHERE clause shared by listings and exports. Each condition names its
/// argument as `?N`, N being the argument's position.
// Long: one condition per filter field, each a few lines.
pub(crate) fn where_clause(
    filter: &RequestFilter,
    full_text: FullText,
) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut conds = vec!["1 = 1".to_string()];
    let mut args: Vec<Value> = Vec::new();
    let mut add = |cond: &str, value: Value| {
        args.push(value);
        conds.push(cond.replace("?N", &format!("?{}", args.len())));
    };
    match filter.endpoint.as_deref() {
        Some(e) if e.eq_ignore_ascii_case("default") => {
            add("endpoint_id IS ?N", Value::Null);
        }
        Some(e) => add(
            "(endpoint_name = ?N OR endpoint_id = ?N)",
            Value::Text(e.into()),
        ),
        None => {}
    }
    if let Some(method) = &filter.method {
        add("method = ?N", Value::Text(method.to_ascii_uppercase()));
    }
    if let Some(provider) = &filter.provider {
        add("provider = ?N", Value::Text(provider.to_ascii_lowercase()));
    }
    // A glob without wildcards is one exact event type: `=` lets the index on
    // (provider, event_type) hand out that type's requests newest first. A glob with
    // wildcards is checked row by row (the unary `+` keeps SQLite from turning its literal
    // prefix into a range on that index, which would then sort every request in the range).
    match &filter.event_type {
        Some(glob) if glob.contains(['*', '?', '[']) => {
            add("+event_type GLOB ?N", Value::Text(glob.clone()))
        }
        Some(exact) => add("event_type = ?N", Value::Text(exact.clone())),
        None => {}
    }
    if let Some(status) = &filter.signature {
        add("sig_status = ?N", Value::Text(status.to_ascii_lowercase()));
    }
    if let Some(tag) = &filter.tag {
        add(
            "EXISTS (SELECT 1 FROM json_each(requests.tags) WHERE value = ?N)",
            Value::Text(tag.clone()),
        );
    }
    if let Some(duplicate) = filter.duplicate {
        add(
            "(duplicate_of IS NOT NULL) = ?N",
            Value::Integer(i64::from(duplicate)),
        );
    }
    if let Some(since) = filter.since_us {
        add("received_at_us >= ?N", Value::Integer(since));
    }
    if let Some(until) = filter.until_us {
        add("received_at_us < ?N", Value::Integer(until));
    }
    if let Some(pinned) = filter.pinned {
        add("pinned = ?N", Value::Integer(pinned as i64));
    }
    if !filter.ids.is_empty() {
        add(
            "id IN (SELECT value FROM json_each(?N))",
            Value::Text(serde_json::Value::from(filter.ids.clone()).to_string()),
        );
    }
    match filter.delivery {
        Some(Some(state)) => add(
            &format!("{DELIVERY} = ?N"),
            Value::Text(state.as_str().into()),
        ),
        Some(None) => add(&format!("{DELIVERY} IS ?N"), Value::Null),
        None => {}
    }
    if let Some(before) = filter.before_seq {
        add("seq < ?N", Value::Integer(before));
    }
    if full_text == FullText::Subquery
        && let Some(q) = filter.q.as_deref().and_then(search::match_expression)
    {
        add(
            "seq IN (SELECT rowid FROM request_fts WHERE request_fts MATCH ?N)",
            Value::Text(q),
        );
    }
    (conds.join(" AND "), args)
}

/// How [`where_clause`] treats the full-text query.
#[derive(PartialEq, Eq)]
pub(crate) enum FullText {
    /// As a condition on `seq` (every match is looked up first).
    Subquery,
    /// Left out: the caller joins the index itself.
    Omitted,
}

pub(crate) fn list(conn: &Connection, filter: &RequestFilter) -> Result<Page> {
    let limit = filter.limit.clamp(1, 1000);
    let (clause, args) = where_clause(filter, FullText::Omitted);
    let mut items = match filter.q.as_deref().and_then(search::match_expression) {
        // Both indexes, and the window between them, are read in one snapshot.
        Some(q) => {
            let tx = conn.unchecked_transaction()?;
            let low = search::recent_low(&tx)?;
            let before = filter.before_seq.unwrap_or(i64::MAX);
            let mut items = Vec::new();
            // The recent index first: when it fills the page, those are the newest matches.
            if before > low + 1 {
                items = matches(&tx, "request_recent", &q, &clause, &args, before, limit + 1)?;
            }
            if items.len() <= limit {
                let below = before.min(low + 1);
                let rest = limit + 1 - items.len();
                items.extend(matches(
                    &tx,
                    "request_fts",
                    &q,
                    &clause,
                    &args,
                    below,
                    rest,
                )?);
            }
            items
        }
        None => conn
            .prepare(&latest(&clause, limit + 1))?
            .query_map(rusqlite::params_from_iter(args), |row| from_row(row, false))?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|r| r.seq)
    } else {
        None
    };
    Ok(Page { items, next })
}

/// The newest `limit` requests that `clause` picks.
fn latest(clause: &str, limit: usize) -> String {
    format!("SELECT {COLUMNS} FROM requests WHERE {clause} ORDER BY seq DESC LIMIT {limit}")
}

/// The newest `limit` requests below `before` that match the full-text query `q` in the
/// index `table` and `clause`. The index hands out matches newest first by itself (FTS5 walks
/// its doclists in descending rowid order), and each is joined to its row: a page costs one
/// lookup per row shown, however many requests match (once a prefix's lists are merged).
fn matches(
    conn: &Connection,
    table: &str,
    q: &str,
    clause: &str,
    args: &[rusqlite::types::Value],
    before: i64,
    limit: usize,
) -> Result<Vec<Request>> {
    use rusqlite::types::Value;
    let mut args = args.to_vec();
    args.push(Value::Text(q.into()));
    args.push(Value::Integer(before));
    let (q_arg, before_arg) = (args.len() - 1, args.len());
    let columns = joined_columns();
    let sql = format!(
        "SELECT {columns} FROM {table} CROSS JOIN requests ON requests.seq = {table}.rowid
         WHERE {table} MATCH ?{q_arg} AND {table}.rowid < ?{before_arg} AND {clause}
         ORDER BY {table}.rowid DESC LIMIT {limit}"
    );
    Ok(conn
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(args), |row| from_row(row, false))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// [`COLUMNS`] for a query that joins a full-text index to `requests`: plain column names
/// are qualified (the index has a `rowid` too); the delivery summary already names
/// `requests.seq` itself.
pub(crate) fn joined_columns() -> String {
    COLUMNS
        .split(',')
        .map(str::trim)
        .map(|c| {
            if c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_') {
                format!("requests.{c}")
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn for_each(
    conn: &Connection,
    filter: &RequestFilter,
    mut each: impl FnMut(Request) -> Result<()>,
) -> Result<()> {
    let (clause, args) = where_clause(filter, FullText::Subquery);
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS}, body FROM requests WHERE {clause} ORDER BY seq ASC"
    ))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    while let Some(row) = rows.next()? {
        each(from_row(row, true)?)?;
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::sqlite::test_conn;

    pub(crate) fn capture(id: &str, path: &str, body: &[u8]) -> Capture {
        Capture {
            meta: RequestMeta {
                id: id.into(),
                received_at_us: 1_700_000_000_000_000,
                duration_us: 5,
                endpoint_id: None,
                endpoint_name: "default".into(),
                method: "POST".into(),
                path: path.into(),
                query: Some("a=1&a=2".into()),
                http_version: "HTTP/1.1".into(),
                remote_addr: Some("127.0.0.1:5555".into()),
                headers: vec![
                    ("content-type".into(), b"application/json".to_vec()),
                    ("x-dup".into(), b"1".to_vec()),
                    ("x-dup".into(), b"2".to_vec()),
                ],
                body_state: BodyState::Complete,
                body_note: None,
                size: body.len() as u64,
                response_status: 200,
                provider: None,
                event_type: None,
                signature: None,
                tags: Vec::new(),
                rules: Vec::new(),
                via: crate::Via::Direct,
                event: None,
                handshake: None,
            },
            body: body.to_vec(),
            pinned: false,
            deliveries: Vec::new(),
        }
    }

    #[test]
    fn insert_and_get_round_trip_bytes() {
        let conn = test_conn();
        let body: Vec<u8> = (0..=255u8).collect();
        let c = capture("01A", "/x", &body);
        insert(&conn, &c).expect("insert");
        let got = get(&conn, "01A").expect("get");
        assert_eq!(got.meta, c.meta);
        assert_eq!(got.body.as_deref(), Some(&body[..]));
        assert!(matches!(get(&conn, "nope"), Err(StoreError::NotFound(_))));
    }

    #[test]
    fn list_pages_newest_first_with_filters() {
        let conn = test_conn();
        for i in 0..5 {
            let mut c = capture(&format!("id{i}"), &format!("/p{i}"), b"{}");
            c.meta.received_at_us += i;
            if i % 2 == 0 {
                c.meta.method = "GET".into();
            }
            insert(&conn, &c).expect("insert");
        }
        let page = list(
            &conn,
            &RequestFilter {
                limit: 2,
                ..Default::default()
            },
        )
        .expect("list");
        let ids: Vec<_> = page.items.iter().map(|r| r.meta.id.as_str()).collect();
        assert_eq!(ids, ["id4", "id3"]);
        assert!(page.items.iter().all(|r| r.body.is_none()));
        let page2 = list(
            &conn,
            &RequestFilter {
                limit: 2,
                before_seq: page.next,
                ..Default::default()
            },
        )
        .expect("list");
        let ids: Vec<_> = page2.items.iter().map(|r| r.meta.id.as_str()).collect();
        assert_eq!(ids, ["id2", "id1"]);
        let gets = list(
            &conn,
            &RequestFilter {
                method: Some("get".into()),
                since_us: Some(1_700_000_000_000_001),
                limit: 50,
                ..Default::default()
            },
        )
        .expect("list");
        let ids: Vec<_> = gets.items.iter().map(|r| r.meta.id.as_str()).collect();
        assert_eq!(ids, ["id4", "id2"]);
        assert_eq!(gets.next, None);
    }

    /// The time range is the exception, not tested here: it reads the `received_at_us` range
    /// through its index and sorts it, which is what a narrow range wants (walking newest
    /// first would read the whole table when fewer than a page fall in the range).
    #[test]
    fn every_filter_walks_newest_first_without_sorting() {
        let conn = test_conn();
        let filters = [
            RequestFilter::default(),
            RequestFilter {
                provider: Some("github".into()),
                ..Default::default()
            },
            RequestFilter {
                provider: Some("stripe".into()),
                event_type: Some("charge.succeeded".into()),
                ..Default::default()
            },
            RequestFilter {
                provider: Some("stripe".into()),
                event_type: Some("charge.*".into()),
                ..Default::default()
            },
            RequestFilter {
                event_type: Some("charge.*".into()),
                ..Default::default()
            },
            RequestFilter {
                event_type: Some("charge.succeeded".into()),
                ..Default::default()
            },
            RequestFilter {
                method: Some("post".into()),
                endpoint: Some("stripe".into()),
                signature: Some("invalid".into()),
                pinned: Some(true),
                ..Default::default()
            },
            RequestFilter {
                tag: Some("t".into()),
                before_seq: Some(1000),
                ..Default::default()
            },
            RequestFilter {
                delivery: Some(Some(crate::DeliveryState::Failed)),
                ..Default::default()
            },
        ];
        for filter in filters {
            let (clause, args) = where_clause(&filter, FullText::Omitted);
            let plan = crate::sqlite::query_plan(
                &conn,
                &latest(&clause, 101),
                rusqlite::params_from_iter(args),
            );
            assert!(
                !plan.iter().any(|step| step.contains("TEMP B-TREE")),
                "{filter:?} sorts: {plan:?}"
            );
        }
    }

    #[test]
    fn endpoint_filter_by_name_id_or_default() {
        let conn = test_conn();
        let mut c = capture("s1", "/stripe", b"");
        c.meta.endpoint_id = Some("E1".into());
        c.meta.endpoint_name = "stripe".into();
        insert(&conn, &c).expect("insert");
        insert(&conn, &capture("d1", "/other", b"")).expect("insert");
        let ids = |endpoint: &str| {
            list(
                &conn,
                &RequestFilter {
                    endpoint: Some(endpoint.into()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .expect("list")
            .items
            .into_iter()
            .map(|r| r.meta.id)
            .collect::<Vec<_>>()
        };
        assert_eq!(ids("stripe"), ["s1"]);
        assert_eq!(ids("E1"), ["s1"]);
        assert_eq!(ids("default"), ["d1"]);
        assert!(ids("nope").is_empty());
    }
}
