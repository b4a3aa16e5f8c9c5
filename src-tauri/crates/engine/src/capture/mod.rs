//! Capture: one pipeline from a request's first byte to its answer, the same for every
//! source. A source hands over the request and says where it came from ([`Source`]); the
//! receiver's listener and the tunnel's ingress (`receiver.rs`) and test events
//! (`api/test_events.rs`) are thin adapters over [`Pipeline::capture`]. The stages, in order,
//! each a function of small typed values with its own tests:
//!
//! 1. [`admit`] — refused before anything is read: too many headers (431), capture paused
//!    (503 with `Retry-After`).
//! 2. [`read`] — the body within the size limit, the memory budget and the stall and total
//!    timeouts → [`read::Received`], a refusal's status included.
//! 3. [`describe`] — the metadata: endpoint, sender (through the tunnel, from
//!    `X-Forwarded-For`), via, timing, the status stored → `RequestMeta`.
//! 4. [`verify`] — provider, event type, the provider's event id and the signature verdict
//!    → [`verify::Checked`]. Twilio and Square need the URL the provider called: the
//!    endpoint's `public_url`, or the tunnel's public URL for a request through it.
//! 5. [`handshake`] — a provider's verification handshake, and Hooklens's answer or refusal
//!    → [`handshake::Answered`] (marks the request, decides the answer).
//! 6. [`duplicates`] — whether the provider delivered this event here before → the request's
//!    occurrence and `duplicate_of`, and a [`duplicates::Claim`] (the event's turn) held until
//!    the commit.
//! 7. [`effects`] — the rules, a pure function → [`effects::Effects`]: matched rules, tags,
//!    pin, extra forward targets, notifications.
//! 8. [`plan`] — the deliveries it starts → [`plan::Planned`] (none for a handshake, nor for
//!    a repeat on an endpoint that does not forward them).
//! 9. [`commit`] — request and deliveries in one transaction; nothing is answered 2xx before.
//! 10. [`announce`] — metrics, the live event, notifications, the forwarder's wake-up.
//! 11. [`answer`] — the handshake's answer, the relayed answer, the endpoint's response after
//!     its delay, or a refusal.
//!
//! Imports (`import.rs`) are a source too: records read from a file go through describe,
//! verify, effects, plan (only when asked to forward) and commit, keeping their ids, times
//! and bytes; a commit skips an id already stored.
//!
//! The sources to come fit in without copying a stage. A relay subscription is a source
//! `via: relay` whose [`Arrival`] keeps the relay's request id and receive time; its commit
//! skips an id already stored, as an import's does.

pub(crate) mod admit;
pub(crate) mod announce;
pub(crate) mod answer;
pub(crate) mod commit;
pub(crate) mod describe;
pub(crate) mod duplicates;
pub(crate) mod effects;
pub(crate) mod gate;
pub(crate) mod handshake;
pub(crate) mod import;
pub(crate) mod plan;
pub(crate) mod read;
pub(crate) mod verify;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::response::Response;
use hooklens_store::{BodyState, Capture, Mirrored, RelayCursor, Store, StoreError, Via, now_us};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::forward::Forwarder;
use crate::forward::routes::Routes;
use crate::metrics::Metrics;
use crate::notify::Notifications;
use crate::provider::Payload;
use crate::tunnel::TunnelStatus;
use announce::Announcement;
use answer::{Answering, Relaying};
use gate::CaptureGate;

/// How long and how large a body may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    /// Larger bodies are refused (413) and recorded without their bytes.
    pub max: u64,
    /// A body that makes no progress for this long is stored as incomplete (408).
    pub stall: Duration,
    /// A body still arriving after this long is stored as incomplete (408).
    pub total: Duration,
}

/// Where a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Source {
    /// Straight to the receiver, or through the tunnel's ingress.
    pub via: Via,
    /// The connection's peer (for a test event, the API caller's); `None` without one (a
    /// capture mirrored from a relay, whose sender the relay recorded; a pipeline under test).
    pub peer: Option<SocketAddr>,
}

/// A request's identity as it arrives: its id, its receive time, and the clock its duration
/// is measured on; for a mirrored capture, what the relay recorded of it.
pub(crate) struct Arrival {
    pub id: String,
    pub received_at_us: i64,
    pub started: Instant,
    /// Captured first by a relay (`via: relay`): kept as the relay saw it.
    pub upstream: Option<Upstream>,
}

impl Arrival {
    /// A new request, now: a ULID, so ids sort by arrival.
    pub fn now() -> Arrival {
        Arrival {
            id: ulid::Ulid::new().to_string(),
            received_at_us: now_us(),
            started: Instant::now(),
            upstream: None,
        }
    }
}

/// A capture that a relay took first, as it recorded it. Describe keeps what only the relay
/// saw (the sender, the timing, how the body arrived, what the sender was answered); commit
/// stores the capture with the relay's cursor, skipping an id stored already.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Upstream {
    /// The relay's id, the capture's position in its stream, and the capture's id.
    pub cursor: RelayCursor,
    pub duration_us: i64,
    pub remote_addr: Option<String>,
    pub http_version: String,
    pub body_state: BodyState,
    pub body_note: Option<String>,
    pub size: u64,
    pub response_status: u16,
    /// The scheme of the relay's receiver, when the relay said (see `MirrorMeta::scheme`).
    pub scheme: Option<String>,
}

/// Why a mirrored capture was not stored; the subscription tries it again later.
#[derive(Debug, thiserror::Error)]
pub(crate) enum NotMirrored {
    #[error("capture is paused on this Hooklens; mirroring resumes with it")]
    Paused,
    #[error("cannot store the mirrored capture: {0}")]
    Store(#[from] StoreError),
}

/// Everything a capture reads or tells.
pub(crate) struct Pipeline {
    pub limits: BodyLimits,
    pub gate: Arc<CaptureGate>,
    pub catalog: Arc<Catalog>,
    pub routes: Arc<Routes>,
    pub store: Store,
    pub events: EventBus,
    pub metrics: Arc<Metrics>,
    pub notifications: Arc<Notifications>,
    pub forwarder: Arc<Forwarder>,
    /// The tunnel's state: its public URL is the URL a request through it was called at.
    pub tunnel: watch::Receiver<TunnelStatus>,
    /// The receiver's scheme: `https` when it serves TLS of its own.
    pub receiver_scheme: &'static str,
    /// Deliveries of provider events between the duplicates stage and their commit.
    pub in_flight: duplicates::InFlight,
    /// An endpoint's answer delay ends early at shutdown.
    pub cancel: CancellationToken,
}

/// A request through stages 2 to 10: read, described, checked, planned, committed, told.
struct Taken {
    /// Stored (at its position), or, mirrored, stored already.
    mirrored: Mirrored,
    state: BodyState,
    note: Option<String>,
    refusal: Option<u16>,
    /// The handshake's answer, when it was one Hooklens answers.
    handshake: Option<crate::provider::handshake::Reply>,
    relaying: Option<Relaying>,
}

impl Pipeline {
    /// Captures `request` from `source` and answers it, in a span carrying the request's
    /// id (and never its body).
    pub async fn capture(&self, source: Source, request: Request) -> Response {
        if let Some(refusal) = admit::admit(&self.gate, &self.metrics, &request) {
            return refusal;
        }
        let arrival = Arrival::now();
        let span = tracing::info_span!("request", request_id = %arrival.id);
        self.run(source, arrival, request).instrument(span).await
    }

    /// Captures a request a relay took first (`arrival.upstream`), through the same stages
    /// as any other but the answer: nobody waits for one.
    pub async fn mirror(
        &self,
        arrival: Arrival,
        request: Request,
    ) -> Result<Mirrored, NotMirrored> {
        if admit::admit(&self.gate, &self.metrics, &request).is_some() {
            return Err(NotMirrored::Paused);
        }
        let span = tracing::info_span!("request", request_id = %arrival.id);
        let source = Source {
            via: Via::Relay,
            peer: None,
        };
        let (head, body) = request.into_parts();
        let endpoint = self.catalog.endpoint_for(head.uri.path());
        let taken = self
            .take(&source, arrival, &head, body, endpoint.as_ref())
            .instrument(span)
            .await?;
        Ok(taken.mirrored)
    }

    /// Stages 2 to 11.
    async fn run(&self, source: Source, arrival: Arrival, request: Request) -> Response {
        let (head, body) = request.into_parts();
        let endpoint = self.catalog.endpoint_for(head.uri.path());
        let id = arrival.id.clone();
        let taken = match self
            .take(&source, arrival, &head, body, endpoint.as_ref())
            .await
        {
            Ok(taken) => taken,
            Err(e) => {
                tracing::error!(error = %e, "could not store a captured request");
                self.metrics.refused("not_stored");
                return answer::not_stored();
            }
        };
        let about = Answering {
            id: &id,
            method: head.method.as_str(),
            path: head.uri.path(),
            state: taken.state,
            note: taken.note,
            refusal: taken.refusal,
            handshake: taken.handshake,
        };
        answer::answer(self, endpoint.as_ref(), about, taken.relaying).await
    }

    /// Stages 2 to 10.
    async fn take(
        &self,
        source: &Source,
        arrival: Arrival,
        head: &http::request::Parts,
        body: axum::body::Body,
        endpoint: Option<&hooklens_store::Endpoint>,
    ) -> Result<Taken, StoreError> {
        let budget = self.gate.budget();
        let mut received =
            read::read(body, &head.headers, arrival.started, self.limits, budget).await;
        let mut meta = describe::describe(source, &arrival, head, &received, endpoint);
        let payload = Payload::new(&received.bytes);
        let tunnel_url = self.tunnel.borrow().public_url.clone();
        let reached = verify::Reached {
            tunnel: tunnel_url.as_deref(),
            scheme: match &arrival.upstream {
                Some(upstream) => upstream.scheme.as_deref().unwrap_or("http"),
                None => self.receiver_scheme,
            },
        };
        verify::verify(endpoint, &meta, &payload, reached).apply(&mut meta);
        let handshake = handshake::handshake(endpoint, &meta, &payload);
        if let Some(answered) = &handshake {
            answered.mark(&mut meta);
        }
        let claim = duplicates::duplicates(&self.in_flight, &self.store, &mut meta).await;
        let mut effects = effects::effects(&self.catalog.rules(), &meta, &payload);
        effects.mark(&mut meta);
        let now = self.forwarder.now_us();
        let planned = plan::plan(&self.routes, endpoint, &meta, &effects.forwards, now);
        let announcement =
            Announcement::prepare(self, &meta, effects.pin, effects.popups, planned.forwards());
        // Relay mode sends the request while the sender waits: keep what it needs.
        let relay = planned
            .relay()
            .map(|d| (d.id.clone(), meta.clone(), received.bytes.clone()));
        let capture = Capture {
            meta,
            body: std::mem::take(&mut received.bytes),
            pinned: effects.pin,
            deliveries: planned.deliveries,
        };
        let cursor = arrival.upstream.map(|u| u.cursor);
        let mirrored = commit::commit(&self.store, capture, received.held.take(), cursor).await;
        drop(claim);
        let mirrored = mirrored?;
        let handshake = handshake.map(|a| a.reply);
        let Mirrored::Stored(seq) = mirrored else {
            tracing::debug!("mirrored capture already stored; skipped");
            return Ok(Taken {
                mirrored,
                state: received.state,
                note: received.note,
                refusal: received.refusal,
                handshake,
                relaying: None,
            });
        };
        announcement.tell(self, seq);
        let relaying = relay.map(|(delivery_id, meta, body)| Relaying {
            delivery_id,
            request: hooklens_store::Request {
                seq,
                pinned: false,
                meta,
                body: Some(body),
                delivery: Some(hooklens_store::DeliveryState::Pending),
            },
        });
        Ok(Taken {
            mirrored,
            state: received.state,
            note: received.note,
            refusal: received.refusal,
            handshake,
            relaying,
        })
    }
}

/// A request as describe leaves it: a direct `POST /` with a whole, empty body outside any
/// endpoint. Each stage's tests change what they look at.
#[cfg(test)]
pub(crate) fn test_meta() -> hooklens_store::RequestMeta {
    hooklens_store::RequestMeta {
        id: "r".into(),
        received_at_us: 0,
        duration_us: 0,
        endpoint_id: None,
        endpoint_name: "default".into(),
        method: "POST".into(),
        path: "/".into(),
        query: None,
        http_version: "HTTP/1.1".into(),
        remote_addr: None,
        headers: Vec::new(),
        body_state: hooklens_store::BodyState::Complete,
        body_note: None,
        size: 0,
        response_status: 200,
        provider: None,
        event_type: None,
        signature: None,
        tags: Vec::new(),
        rules: Vec::new(),
        via: Via::Direct,
        event: None,
        handshake: None,
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use hooklens_store::{BodyState, RetryPolicy};
    use serde_json::json;

    use super::*;
    use crate::events::Event;
    use crate::forward::clock::SystemClock;
    use crate::notify::RecordingNotifier;

    async fn pipeline(store: &Store, events: &EventBus) -> Pipeline {
        let clock = Arc::new(SystemClock);
        let notifications = Notifications::new(
            store.clone(),
            Arc::new(RecordingNotifier::default()),
            clock.clone(),
            Default::default(),
            events.clone(),
        );
        let metrics = Arc::new(Metrics::new(true));
        let forwarder = Forwarder::new(
            store.clone(),
            clock,
            events.clone(),
            notifications.clone(),
            metrics.clone(),
            crate::forward::guard::Guard::new(
                Arc::new(crate::forward::guard::SystemResolver),
                false,
            ),
        )
        .expect("forwarder");
        Pipeline {
            limits: BodyLimits {
                max: 1024,
                stall: Duration::from_secs(5),
                total: Duration::from_secs(5),
            },
            gate: Arc::new(CaptureGate::new(1024, events.clone())),
            catalog: Arc::new(
                Catalog::load(store.clone(), events.clone())
                    .await
                    .expect("catalog"),
            ),
            routes: Arc::new(Routes::new(Vec::new(), None, RetryPolicy::default())),
            store: store.clone(),
            events: events.clone(),
            metrics,
            notifications,
            forwarder,
            tunnel: watch::channel(TunnelStatus::new(None, crate::tunnel::TunnelState::Off)).1,
            receiver_scheme: "http",
            in_flight: Default::default(),
            cancel: CancellationToken::new(),
        }
    }

    fn id_of(answer: &Response) -> String {
        answer.headers()[answer::REQUEST_ID_HEADER]
            .to_str()
            .expect("id")
            .to_string()
    }

    /// The whole pipeline in-process, as a test event uses it: no socket anywhere.
    #[tokio::test]
    async fn a_request_is_stored_marked_announced_and_answered_with_its_id() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let rule = serde_json::from_value(json!({
            "name": "tag posts", "conditions": [{"field": "method", "op": "equals", "value": "POST"}],
            "actions": [{"type": "tag", "tag": "posted"}, {"type": "pin"}]
        }))
        .expect("rule");
        store.create_rule(rule).await.expect("rule");
        let events = EventBus::new(16);
        let mut heard = events.subscribe();
        let pipeline = pipeline(&store, &events).await;

        let request = Request::post("/hooks?x=1")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"type":"ping"}"#))
            .expect("request");
        let source = Source {
            via: Via::Direct,
            peer: None,
        };
        let answer = pipeline.capture(source, request).await;
        assert_eq!(answer.status(), 200);
        let id = id_of(&answer);

        let stored = store
            .get_request(&id)
            .await
            .expect("stored before the answer");
        assert_eq!(stored.meta.tags, ["posted"]);
        assert!(stored.pinned);
        assert_eq!(stored.meta.body_state, BodyState::Complete);
        assert_eq!(stored.body.as_deref(), Some(&br#"{"type":"ping"}"#[..]));
        match heard.try_recv() {
            Ok(Event::RequestCaptured(captured)) => assert_eq!(captured.meta.id, id),
            other => panic!("no request.captured: {other:?}"),
        }

        let too_large = Request::post("/big")
            .body(Body::from(vec![b'x'; 2048]))
            .expect("request");
        let refused = pipeline.capture(source, too_large).await;
        assert_eq!(refused.status(), 413);
        let id = id_of(&refused);
        let stored = store
            .get_request(&id)
            .await
            .expect("the refusal is stored too");
        assert_eq!(
            (stored.meta.body_state, stored.meta.size),
            (BodyState::TooLarge, 2048)
        );
        store.close().await.expect("close");
    }
}
