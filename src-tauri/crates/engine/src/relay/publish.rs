//! The relay side: the relay listener's whole router. It serves the handshake document
//! (`GET /relay/v1`, no token: a subscriber tells "not a relay" and "another version" from
//! "token refused") and the stream (`GET /relay/v1/stream?after=P&endpoint=NAME`, a relay
//! token as bearer): every capture after position P in commit order, then live, with
//! heartbeats while nothing happens. Anything else is a JSON 404 — the control API and the
//! inspector are never reachable here.
//!
//! Each stream is a task feeding a bounded channel that the response body drains, so a
//! subscriber that stops reading (a laptop asleep) holds one page in memory, and is cut off
//! after three heartbeats without progress; it resumes from its cursor when it is back.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use bytes::{Bytes, BytesMut};
use hooklens_store::{Committed, Store, Via};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::limit::Limiter;
use super::tokens::RelayTokens;
use super::wire::{
    CaughtUp, Closing, Expired, Frame, Handshake, Heartbeat, Hello, Mirror, MirrorMeta, PROTOCOL,
    SERVICE,
};
use crate::api::ApiError;

/// Captures read from the store at a time. A page is in memory with its bodies (webhooks are
/// mostly a few KiB; at the largest body limits a page is what bounds a stream's memory).
const PAGE: usize = 64;
/// Bytes gathered into one write to the connection.
const CHUNK: usize = 256 << 10;
/// The stream's content type.
pub const CONTENT_TYPE: &str = "application/vnd.hooklens.relay-stream.v1";

/// What the relay listener serves from.
pub(crate) struct Publisher {
    pub store: Store,
    pub tokens: Arc<RelayTokens>,
    pub limiter: Mutex<Limiter>,
    pub heartbeat: Duration,
    pub relay_id: String,
    /// A reverse proxy in front: the peer is the last `X-Forwarded-For` address.
    pub behind_proxy: bool,
    /// The receiver's scheme, which each capture's frame carries (`MirrorMeta::scheme`).
    pub receiver_scheme: &'static str,
    pub cancel: CancellationToken,
}

pub(crate) fn app(publisher: Arc<Publisher>) -> Router {
    Router::new()
        .route("/relay/v1", get(handshake))
        .route("/relay/v1/stream", get(stream))
        .fallback(elsewhere)
        .with_state(publisher)
}

async fn handshake(State(p): State<Arc<Publisher>>) -> Json<Handshake> {
    Json(Handshake {
        service: SERVICE.into(),
        protocol: PROTOCOL,
        version: crate::api::VERSION.into(),
        relay_id: p.relay_id.clone(),
    })
}

async fn elsewhere() -> ApiError {
    ApiError::not_found(
        "this is a Hooklens relay stream listener: it serves only GET /relay/v1/stream, to \
         holders of a relay token; the control API and the inspector are not reachable here",
    )
}

#[derive(Deserialize)]
struct StreamQuery {
    /// The subscriber's cursor: stream what comes after this position.
    after: Option<i64>,
    /// Only this endpoint's captures (`default` for those outside any endpoint).
    endpoint: Option<String>,
}

async fn stream(
    State(p): State<Arc<Publisher>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    query: Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let ip = p.peer(&headers, peer.map(|Extension(ConnectInfo(a))| a));
    let now = Instant::now();
    let refused = p.limiter.lock().ok().and_then(|l| l.check(ip, now));
    if let Some(wait) = refused {
        return too_many(wait);
    }
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let mut name = presented.and_then(|s| p.tokens.active().check(s));
    if name.is_none() && presented.is_some() {
        // Made a moment ago by another process (`hooklens relay token create`), before the
        // next refresh: read the tokens now. Bounded by the limit on refused attempts.
        if let Err(e) = p.tokens.refresh().await {
            tracing::warn!(error = %e, "cannot read the relay tokens");
        }
        name = presented.and_then(|s| p.tokens.active().check(s));
    }
    let Some(name) = name else {
        if let Ok(mut limiter) = p.limiter.lock() {
            limiter.failed(ip, now);
        }
        let why = if presented.is_some() {
            "an unknown or revoked token"
        } else {
            "no token"
        };
        tracing::warn!(peer = %ip, "refused a relay subscription with {why}");
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this relay does not accept that token (unknown or revoked): create one on the relay \
             with `hooklens relay token create NAME` and subscribe with --relay-token",
        )
        .into_response();
    };
    let Query(query) = match query {
        Ok(query) => query,
        Err(e) => return ApiError::invalid(e.body_text()).into_response(),
    };
    let after = query.after.unwrap_or(0).max(0);
    let store = p.store.clone();
    let touched = name.clone();
    tokio::spawn(async move {
        if let Err(e) = store
            .touch_relay_token(&touched, hooklens_store::now_us())
            .await
        {
            tracing::debug!(error = %e, "cannot record the token's use");
        }
    });
    tracing::info!(peer = %ip, token = %name, after, "relay subscriber connected");
    let (tx, rx) = mpsc::channel::<Result<Bytes, Infallible>>(4);
    let out = Out {
        tx,
        patience: p.heartbeat * 3,
    };
    tokio::spawn(feed(p, name, after, query.endpoint, out));
    let mut response = Response::new(Body::from_stream(
        tokio_stream::wrappers::ReceiverStream::new(rx),
    ));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // nginx buffers responses unless told not to; a stream must not wait in a buffer.
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    response
}

fn too_many(wait: Duration) -> Response {
    let secs = wait.as_secs().max(1);
    let mut response = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!("too many refused attempts from this address: try again in {secs} s"),
    )
    .into_response();
    if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

impl Publisher {
    /// Who is asking: the connection's peer, or behind a proxy the address it forwarded
    /// (the last in `X-Forwarded-For`: the one the proxy itself added).
    fn peer(&self, headers: &HeaderMap, peer: Option<SocketAddr>) -> IpAddr {
        let forwarded = self
            .behind_proxy
            .then(|| headers.get("x-forwarded-for")?.to_str().ok())
            .flatten()
            .and_then(|v| v.rsplit(',').next()?.trim().parse().ok());
        forwarded
            .or(peer.map(|p| p.ip()))
            .unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }
}

/// The stream's side of the response body.
struct Out {
    tx: mpsc::Sender<Result<Bytes, Infallible>>,
    /// How long a send may wait for the subscriber to read.
    patience: Duration,
}

impl Out {
    /// Sends `bytes`; `false` once the subscriber is gone or stopped reading.
    async fn send(&self, bytes: Bytes) -> bool {
        if bytes.is_empty() {
            return true;
        }
        match tokio::time::timeout(self.patience, self.tx.send(Ok(bytes))).await {
            Ok(Ok(())) => true,
            Ok(Err(_)) => false,
            Err(_) => {
                tracing::info!(
                    "a relay subscriber stopped reading; cut off (it resumes from its cursor)"
                );
                false
            }
        }
    }

    async fn frame(&self, frame: &Frame) -> bool {
        let mut buf = BytesMut::new();
        match frame.encode(&mut buf) {
            Ok(()) => self.send(buf.freeze()).await,
            Err(e) => {
                tracing::error!(error = %e, "cannot encode a relay frame");
                false
            }
        }
    }
}

/// Feeds one subscriber: the hello, the captures after `after` page by page, `caught_up`,
/// then each new commit as it comes, heartbeats between — until the subscriber goes, its
/// token is revoked, or the relay shuts down.
// Long: one loop with its three ways out, read top to bottom.
async fn feed(p: Arc<Publisher>, token: String, after: i64, endpoint: Option<String>, out: Out) {
    let mut commits = p.store.watch_commits();
    let mut tokens = p.tokens.watch();
    let head = *commits.borrow_and_update();
    let pending = match p.store.count_captures_after(after).await {
        Ok(n) => n,
        Err(e) => return tracing::error!(error = %e, "cannot read the relay's captures"),
    };
    let hello = Frame::Hello(Hello {
        protocol: PROTOCOL,
        version: crate::api::VERSION.into(),
        relay_id: p.relay_id.clone(),
        head,
        pending,
        heartbeat_ms: p.heartbeat.as_millis() as u64,
    });
    if !out.frame(&hello).await {
        return;
    }
    let (mut cursor, mut caught_up) = (after, false);
    let mut heartbeat =
        tokio::time::interval_at(tokio::time::Instant::now() + p.heartbeat, p.heartbeat);
    loop {
        if tokens.has_changed().unwrap_or(false) && !tokens.borrow_and_update().has(&token) {
            return revoked(&out, &token).await;
        }
        if p.cancel.is_cancelled() {
            return shutting_down(&out).await;
        }
        commits.borrow_and_update();
        let page = match p.store.captures_after(cursor, PAGE).await {
            Ok(page) => page,
            Err(e) => return tracing::error!(error = %e, "cannot read the relay's captures"),
        };
        let full = page.len() == PAGE;
        let (chunks, last) = encode_page(
            page,
            cursor,
            endpoint.as_deref(),
            after > 0,
            p.receiver_scheme,
        );
        cursor = last;
        for chunk in chunks {
            if !out.send(chunk).await {
                return;
            }
        }
        if full {
            continue;
        }
        if !caught_up {
            caught_up = true;
            if !out
                .frame(&Frame::CaughtUp(CaughtUp { position: cursor }))
                .await
            {
                return;
            }
        }
        loop {
            tokio::select! {
                () = p.cancel.cancelled() => return shutting_down(&out).await,
                changed = commits.changed() => match changed {
                    Ok(()) => break,
                    Err(_) => return,
                },
                changed = tokens.changed() => {
                    if changed.is_err() || !tokens.borrow_and_update().has(&token) {
                        return revoked(&out, &token).await;
                    }
                }
                _ = heartbeat.tick() => {
                    let beat = Frame::Heartbeat(Heartbeat { head: *commits.borrow() });
                    if !out.frame(&beat).await {
                        return;
                    }
                }
            }
        }
    }
}

/// A page of captures as frames, those of `endpoint` only when one is given, with an
/// `expired` frame first for the positions missing after `cursor` when `gaps` (not for a
/// subscriber that starts from scratch: what was deleted before it came is not news to it).
/// Returns the bytes, in writes of about [`CHUNK`], and the last position read. `scheme`:
/// the receiver's, for captures it took.
fn encode_page(
    page: Vec<Committed>,
    mut cursor: i64,
    endpoint: Option<&str>,
    gaps: bool,
    scheme: &str,
) -> (Vec<Bytes>, i64) {
    let mut chunks = Vec::new();
    let mut chunk = BytesMut::new();
    let mut expired = 0;
    let mut frames = Vec::with_capacity(page.len());
    for committed in page {
        if gaps {
            expired += (committed.position - cursor - 1).max(0) as u64;
        }
        cursor = committed.position;
        let meta = &committed.request.meta;
        let wanted = match endpoint {
            None => true,
            Some(e) if e.eq_ignore_ascii_case("default") => meta.endpoint_id.is_none(),
            Some(e) => meta.endpoint_name == e,
        };
        if wanted {
            frames.push(Frame::Capture(Box::new(mirror(committed, scheme))));
        }
    }
    if expired > 0 {
        frames.insert(0, Frame::Expired(Expired { count: expired }));
    }
    for frame in &frames {
        if let Err(e) = frame.encode(&mut chunk) {
            tracing::error!(error = %e, "cannot encode a relay frame; skipped");
        }
        if chunk.len() >= CHUNK {
            chunks.push(chunk.split().freeze());
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk.freeze());
    }
    (chunks, cursor)
}

fn mirror(committed: Committed, scheme: &str) -> Mirror {
    let request = committed.request;
    let m = request.meta;
    // Only a capture sent straight to the receiver was called at its scheme (a tunnel's
    // says its own in `X-Forwarded-Proto`).
    let scheme = (m.via == Via::Direct).then(|| scheme.to_string());
    Mirror {
        meta: MirrorMeta {
            position: committed.position,
            id: m.id,
            received_at_us: m.received_at_us,
            duration_us: m.duration_us,
            endpoint: m.endpoint_name,
            method: m.method,
            path: m.path,
            query: m.query,
            http_version: m.http_version,
            remote_addr: m.remote_addr,
            body_state: m.body_state,
            body_note: m.body_note,
            size: m.size,
            response_status: m.response_status,
            scheme,
        },
        headers: m.headers,
        body: request.body.unwrap_or_default(),
    }
}

async fn revoked(out: &Out, token: &str) {
    tracing::info!(token, "relay token revoked: its stream is closed");
    out.frame(&Frame::Closing(Closing {
        code: "revoked".into(),
        message: "the relay revoked this token".into(),
    }))
    .await;
}

async fn shutting_down(out: &Out) {
    out.frame(&Frame::Closing(Closing {
        code: "shutdown".into(),
        message: "the relay is shutting down".into(),
    }))
    .await;
}

#[cfg(test)]
mod tests {
    use hooklens_store::{Request, RequestMeta};

    use super::*;
    use crate::relay::wire::FrameReader;

    fn committed(position: i64, endpoint: Option<&str>) -> Committed {
        Committed {
            position,
            request: Request {
                seq: position,
                pinned: false,
                meta: RequestMeta {
                    id: format!("r{position}"),
                    endpoint_id: endpoint.map(|e| format!("id-{e}")),
                    endpoint_name: endpoint.unwrap_or("default").into(),
                    ..crate::capture::test_meta()
                },
                body: Some(Vec::new()),
                delivery: None,
            },
        }
    }

    /// What a page turns into: `("expired", n)` and `("capture", position)`.
    fn frames(chunks: Vec<Bytes>) -> Vec<(&'static str, i64)> {
        let mut reader = FrameReader::default();
        for bytes in chunks {
            reader.push(&bytes);
        }
        std::iter::from_fn(|| reader.next_frame().expect("decode"))
            .map(|f| match f {
                Frame::Expired(e) => ("expired", e.count as i64),
                Frame::Capture(c) => ("capture", c.meta.position),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn pages_filter_and_count_what_expired() {
        let page = || {
            vec![
                committed(5, None),
                committed(6, Some("stripe")),
                committed(9, None),
            ]
        };
        type Case<'a> = (i64, Option<&'a str>, Vec<(&'a str, i64)>, i64);
        // (cursor, endpoint filter, frames, last position)
        let cases: [Case; 4] = [
            (
                0,
                None,
                vec![("capture", 5), ("capture", 6), ("capture", 9)],
                9,
            ),
            (
                2,
                None,
                vec![
                    ("expired", 4),
                    ("capture", 5),
                    ("capture", 6),
                    ("capture", 9),
                ],
                9,
            ),
            (4, Some("stripe"), vec![("expired", 2), ("capture", 6)], 9),
            (
                4,
                Some("default"),
                vec![("expired", 2), ("capture", 5), ("capture", 9)],
                9,
            ),
        ];
        for (cursor, endpoint, want, last) in cases {
            let (bytes, at) = encode_page(page(), cursor, endpoint, cursor > 0, "http");
            assert_eq!(frames(bytes), want, "after {cursor}, {endpoint:?}");
            assert_eq!(at, last);
        }
        let (empty, at) = encode_page(Vec::new(), 7, None, true, "http");
        assert!(empty.is_empty());
        assert_eq!(at, 7, "nothing read: the cursor stays");
    }
}
