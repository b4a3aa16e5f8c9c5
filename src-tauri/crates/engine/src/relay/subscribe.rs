//! The subscriber side: one subscription's loop. Each session asks the relay what it is
//! (the handshake), reads the cursor kept under the relay's id, opens the stream after it,
//! and hands every capture, in order, to the capture pipeline as a `via: relay` source
//! ([`Pipeline::mirror`]): the pipeline stores it with the cursor, exactly once, and runs
//! the local rules, notifications and forwarding on it. A lost connection (or a relay gone
//! quiet for three heartbeats) is retried with the links' backoff; a refused token, another
//! protocol, a certificate that does not verify stop the subscription with what to do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use futures_util::StreamExt;
use hooklens_store::RelayCursor;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::status::{RelayState, RelayStatus};
use super::wire::{Frame, FrameReader, Handshake, Mirror, PROTOCOL, SERVICE};
use crate::capture::{Arrival, NotMirrored, Pipeline, Upstream};
use crate::link::backoff;
use crate::notify::{Popup, Urgency};

/// How long the relay may stay silent before its hello.
const FIRST_WORD: Duration = Duration::from_secs(30);
/// How long to wait while capture is paused here before trying again.
const PAUSED: Duration = Duration::from_secs(5);

/// What to say when the relay refuses the token.
pub(crate) const REFUSED: &str = "the relay refused this relay token (unknown or revoked): create one on the relay with `hooklens relay token create NAME`";

pub(crate) struct Subscription {
    /// The relay listener's base URL, without a trailing `/`.
    pub base: String,
    pub token: String,
    pub endpoint: Option<String>,
    pub client: reqwest::Client,
    pub pipeline: Arc<Pipeline>,
    pub status: watch::Sender<RelayStatus>,
}

/// How a session ended.
enum Ended {
    Cancelled,
    /// Retrying does not help: stop, saying why.
    Fatal(String),
    /// Try again after the backoff.
    Lost(String),
    /// Try again after this long.
    Wait(Duration, String),
}

impl Subscription {
    /// Runs sessions until `cancel` or an end that retrying does not fix.
    pub async fn run(self, cancel: CancellationToken) {
        let mut failures = 0;
        loop {
            let mut connected = false;
            let ended = self.session(&cancel, &mut connected).await;
            if connected {
                failures = 0;
            }
            let wait = match ended {
                Ended::Cancelled => return,
                Ended::Fatal(why) => {
                    tracing::warn!(relay = %self.base, "relay subscription stopped: {why}");
                    self.status
                        .send_modify(|s| s.enter(RelayState::Error, Some(why)));
                    return;
                }
                Ended::Lost(why) => {
                    tracing::info!(relay = %self.base, "relay connection lost: {why}");
                    let wait = backoff(failures);
                    self.status
                        .send_modify(|s| s.enter(RelayState::Reconnecting, Some(why)));
                    wait
                }
                Ended::Wait(wait, why) => {
                    self.status
                        .send_modify(|s| s.enter(RelayState::Reconnecting, Some(why)));
                    wait
                }
            };
            failures += 1;
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One connection: handshake, stream, mirror, until it ends.
    async fn session(&self, cancel: &CancellationToken, connected: &mut bool) -> Ended {
        let relay_id = match self.handshake().await {
            Ok(handshake) => handshake.relay_id,
            Err(ended) => return ended,
        };
        let cursor = match self.pipeline.store.relay_cursor(&relay_id).await {
            Ok(cursor) => cursor,
            Err(e) => return Ended::Lost(format!("cannot read the relay's cursor: {e}")),
        };
        let after = cursor.as_ref().map_or(0, |c| c.position);
        if let Some(last) = cursor.and_then(|c| c.last_id) {
            self.status.send_modify(|s| s.last_id = Some(last));
        }
        let mut url = match url::Url::parse(&format!("{}/relay/v1/stream", self.base)) {
            Ok(url) => url,
            Err(e) => {
                return Ended::Fatal(format!("the relay URL {} is not valid: {e}", self.base));
            }
        };
        url.query_pairs_mut()
            .append_pair("after", &after.to_string());
        if let Some(endpoint) = &self.endpoint {
            url.query_pairs_mut().append_pair("endpoint", endpoint);
        }
        let request = self.client.get(url).bearer_auth(&self.token);
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return self.unreachable(&e),
        };
        if let Some(ended) = refusal(response.status(), response.headers()) {
            return ended;
        }
        let mut body = response.bytes_stream();
        let mut reader = FrameReader::default();
        let mut patience = FIRST_WORD;
        loop {
            let chunk = tokio::select! {
                () = cancel.cancelled() => return Ended::Cancelled,
                chunk = tokio::time::timeout(patience, body.next()) => chunk,
            };
            match chunk {
                Err(_) => {
                    return Ended::Lost(format!(
                        "the relay went quiet (nothing for {} s); reconnecting",
                        patience.as_secs()
                    ));
                }
                Ok(None) => return Ended::Lost("the relay closed the stream".into()),
                Ok(Some(Err(e))) => return Ended::Lost(format!("the stream broke off: {e}")),
                Ok(Some(Ok(bytes))) => reader.push(&bytes),
            }
            loop {
                let frame = match reader.next_frame() {
                    Ok(Some(frame)) => frame,
                    Ok(None) => break,
                    Err(e) => return Ended::Lost(format!("the relay sent a broken stream: {e}")),
                };
                if let Some(ended) = self.take(frame, &relay_id, &mut patience, connected).await {
                    return ended;
                }
            }
        }
    }

    /// Acts on one frame; `Some` when the session ends with it.
    async fn take(
        &self,
        frame: Frame,
        relay_id: &str,
        patience: &mut Duration,
        connected: &mut bool,
    ) -> Option<Ended> {
        match frame {
            Frame::Hello(hello) => {
                if hello.protocol != PROTOCOL {
                    return Some(self.incompatible(hello.protocol, &hello.version));
                }
                *connected = true;
                *patience = Duration::from_millis(hello.heartbeat_ms.saturating_mul(3))
                    + Duration::from_secs(5);
                self.status.send_modify(|s| {
                    s.enter(RelayState::CatchingUp, None);
                    s.behind = hello.pending;
                });
            }
            Frame::Capture(mirror) => return self.mirror(*mirror, relay_id).await,
            Frame::CaughtUp(_) => self.status.send_modify(|s| {
                let note = s.error.take().filter(|_| s.expired > 0);
                s.enter(RelayState::Online, note);
                s.behind = 0;
            }),
            Frame::Heartbeat(_) => {}
            Frame::Expired(expired) => self.expired(expired.count),
            Frame::Closing(closing) if closing.code == "revoked" => {
                return Some(Ended::Fatal(REFUSED.into()));
            }
            Frame::Closing(closing) => return Some(Ended::Lost(closing.message)),
        }
        None
    }

    /// Hands one capture to the pipeline.
    async fn mirror(&self, mirror: Mirror, relay_id: &str) -> Option<Ended> {
        let id = mirror.meta.id.clone();
        let (arrival, request) = match arrival(mirror, relay_id) {
            Ok(pair) => pair,
            Err(why) => {
                return Some(Ended::Fatal(format!(
                    "the relay's request {id} cannot be rebuilt here ({why}); delete it on the relay to go on"
                )));
            }
        };
        match self.pipeline.mirror(arrival, request).await {
            Ok(_) => {
                self.status.send_modify(|s| {
                    s.behind = s.behind.saturating_sub(1);
                    s.last_id = Some(id);
                });
                None
            }
            Err(NotMirrored::Paused) => Some(Ended::Wait(
                PAUSED,
                "capture is paused here: mirroring waits until it is resumed".into(),
            )),
            Err(e @ NotMirrored::Store(_)) => Some(Ended::Lost(e.to_string())),
        }
    }

    /// Captures the relay no longer had: counted, said, notified.
    fn expired(&self, count: u64) {
        let message = format!(
            "{count} requests expired on the relay before they could be mirrored (its retention, or a person, deleted them)"
        );
        tracing::warn!(relay = %self.base, "{message}");
        self.status.send_modify(|s| {
            s.expired += count;
            s.error = Some(message.clone());
        });
        self.pipeline.notifications.raise(Popup {
            kind: hooklens_store::NotificationKind::Relay,
            key: self.base.clone(),
            title: "Relay: requests expired".into(),
            body: message,
            request_id: None,
            urgency: Urgency::Normal,
        });
    }

    /// `GET /relay/v1`: is it a relay, and of this protocol?
    async fn handshake(&self) -> Result<Handshake, Ended> {
        let url = format!("{}/relay/v1", self.base);
        let response = self
            .client
            .get(&url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| self.unreachable(&e))?;
        let status = response.status();
        if status.is_server_error() {
            return Err(Ended::Lost(format!("the relay answered {status}")));
        }
        let not_relay = || {
            Ended::Fatal(format!(
                "{} is not a Hooklens relay listener (GET /relay/v1 answered {status}): give the URL of `hooklens serve --relay-listen` on the relay",
                self.base
            ))
        };
        let handshake: Handshake = match response.json().await {
            Ok(h) if status.is_success() => h,
            _ => return Err(not_relay()),
        };
        if handshake.service != SERVICE {
            return Err(not_relay());
        }
        if handshake.protocol != PROTOCOL {
            return Err(self.incompatible(handshake.protocol, &handshake.version));
        }
        Ok(handshake)
    }

    fn incompatible(&self, protocol: u32, version: &str) -> Ended {
        Ended::Fatal(format!(
            "the relay runs Hooklens {version}, which speaks relay protocol {protocol}; this Hooklens {} speaks protocol {PROTOCOL}: upgrade the older one",
            crate::api::VERSION
        ))
    }

    /// A request that got no answer: a certificate that does not verify stops the
    /// subscription; anything else is tried again.
    fn unreachable(&self, e: &reqwest::Error) -> Ended {
        let mut cause = String::new();
        let mut source: Option<&dyn std::error::Error> = Some(e);
        while let Some(err) = source {
            cause = err.to_string();
            source = err.source();
        }
        if cause.to_ascii_lowercase().contains("certificate") {
            return Ended::Fatal(format!(
                "the relay's TLS certificate does not verify ({cause}): if a private CA signed it, trust that CA with --relay-ca FILE (or the CA file field in Settings → Relay)"
            ));
        }
        Ended::Lost(format!(
            "cannot reach the relay at {}: {cause} — is `hooklens serve --relay-listen` running there?",
            self.base
        ))
    }
}

/// The relay's refusal of the stream, if it refused.
fn refusal(status: reqwest::StatusCode, headers: &reqwest::header::HeaderMap) -> Option<Ended> {
    match status.as_u16() {
        200..=299 => None,
        401 | 403 => Some(Ended::Fatal(REFUSED.into())),
        429 => {
            let secs = headers
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
                .unwrap_or(60);
            Some(Ended::Wait(
                Duration::from_secs(secs),
                format!(
                    "the relay holds back this address after refused attempts: trying again in {secs} s"
                ),
            ))
        }
        _ => Some(Ended::Lost(format!("the relay answered {status}"))),
    }
}

/// The pipeline's input for a mirrored capture: its arrival (the relay's id, time, and what
/// the relay recorded) and the request rebuilt from its exact parts.
fn arrival(mirror: Mirror, relay_id: &str) -> Result<(Arrival, axum::extract::Request), String> {
    let m = mirror.meta;
    let uri = match &m.query {
        Some(q) => format!("{}?{q}", m.path),
        None => m.path.clone(),
    };
    let mut builder = http::Request::builder()
        .method(http::Method::from_bytes(m.method.as_bytes()).map_err(|e| e.to_string())?)
        .uri(uri);
    for (name, value) in &mirror.headers {
        builder = builder.header(
            http::HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?,
            http::HeaderValue::from_bytes(value).map_err(|e| e.to_string())?,
        );
    }
    let request = builder
        .body(Body::from(mirror.body))
        .map_err(|e| e.to_string())?;
    let arrival = Arrival {
        id: m.id.clone(),
        received_at_us: m.received_at_us,
        started: Instant::now(),
        upstream: Some(Upstream {
            cursor: RelayCursor {
                relay: relay_id.to_string(),
                position: m.position,
                last_id: Some(m.id),
                updated_at_us: hooklens_store::now_us(),
            },
            duration_us: m.duration_us,
            remote_addr: m.remote_addr,
            http_version: m.http_version,
            body_state: m.body_state,
            body_note: m.body_note,
            size: m.size,
            response_status: m.response_status,
            // Only these make a URL a provider called.
            scheme: m.scheme.filter(|s| s == "https" || s == "http"),
        }),
    };
    Ok((arrival, request))
}

#[cfg(test)]
mod tests {
    use hooklens_store::BodyState;

    use super::*;
    use crate::relay::wire::MirrorMeta;

    #[test]
    fn a_mirror_becomes_the_request_the_relay_captured() {
        let mirror = Mirror {
            meta: MirrorMeta {
                position: 3,
                id: "01ABC".into(),
                received_at_us: 99,
                duration_us: 5,
                endpoint: "default".into(),
                method: "PATCH".into(),
                path: "/hooks/a%20b".into(),
                query: Some("x=1&x=2".into()),
                http_version: "HTTP/2.0".into(),
                remote_addr: Some("198.51.100.7:1".into()),
                body_state: BodyState::Complete,
                body_note: None,
                size: 3,
                response_status: 202,
                scheme: Some("https".into()),
            },
            headers: vec![
                ("x-dup".into(), b"1".to_vec()),
                ("x-dup".into(), b"2".to_vec()),
                ("x-bin".into(), vec![0xff, 0xfe]),
            ],
            body: vec![0, 1, 2],
        };
        let (arrival, request) = arrival(mirror, "relay-1").expect("rebuilt");
        assert_eq!((arrival.id.as_str(), arrival.received_at_us), ("01ABC", 99));
        let upstream = arrival.upstream.expect("upstream");
        assert_eq!(
            (upstream.cursor.relay.as_str(), upstream.cursor.position),
            ("relay-1", 3)
        );
        assert_eq!(request.method(), "PATCH");
        assert_eq!(request.uri(), "/hooks/a%20b?x=1&x=2");
        let dup: Vec<&[u8]> = request
            .headers()
            .get_all("x-dup")
            .iter()
            .map(|v| v.as_bytes())
            .collect();
        assert_eq!(dup, [b"1", b"2"]);
        assert_eq!(request.headers()["x-bin"].as_bytes(), [0xff, 0xfe]);
    }

    #[test]
    fn refusals_say_whether_to_retry() {
        let headers = |retry: Option<&str>| {
            let mut h = reqwest::header::HeaderMap::new();
            if let Some(r) = retry {
                h.insert(reqwest::header::RETRY_AFTER, r.parse().expect("value"));
            }
            h
        };
        let status = |code| reqwest::StatusCode::from_u16(code).expect("status");
        assert!(refusal(status(200), &headers(None)).is_none());
        assert!(matches!(
            refusal(status(401), &headers(None)),
            Some(Ended::Fatal(m)) if m == REFUSED
        ));
        assert!(matches!(
            refusal(status(429), &headers(Some("7"))),
            Some(Ended::Wait(d, _)) if d == Duration::from_secs(7)
        ));
        assert!(matches!(
            refusal(status(502), &headers(None)),
            Some(Ended::Lost(m)) if m.contains("502")
        ));
    }
}
