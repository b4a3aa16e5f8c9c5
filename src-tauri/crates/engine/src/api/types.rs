//! The API's JSON shapes. Captured data is untrusted: it is carried as text and bytes, and
//! clients must render it as text.

use base64::Engine as _;
use hooklens_store::{
    Attempt, AttemptErrorKind, BodyState, Delivery, DeliveryKind, DeliveryState, Handshake,
    Overrides, Request, RequestMeta, SignatureVerdict, Via, format_us,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A captured request.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RequestJson {
    /// ULID: ids sort by arrival.
    pub id: String,
    /// Its place in the store: lists are newest stored first, and a page's `next` cursor is
    /// the last one's `seq`. An imported request is stored (and listed) when it is imported.
    pub seq: i64,
    pub method: String,
    /// Path as received, still percent-encoded.
    pub path: String,
    /// Raw query string, without `?`.
    pub query: Option<String>,
    /// `[name, value]` pairs in arrival order, duplicates kept. Names are lower-case (HTTP/2
    /// and our HTTP/1 parser normalise them); non-UTF-8 bytes in values show as U+FFFD here,
    /// and exactly in `headers_base64`.
    #[schema(value_type = Vec<Vec<String>>)]
    pub headers: Vec<(String, String)>,
    /// Only when some header value is not UTF-8: every `[name, value]` pair again, in the
    /// same order, each value base64 of its exact bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub headers_base64: Option<Vec<(String, String)>>,
    pub content_type: Option<String>,
    /// Body bytes received, or announced by the sender when refused.
    pub size: u64,
    pub body_state: BodyState,
    /// Why the body is not complete, when it is not.
    pub body_note: Option<String>,
    /// The raw body (only on a single request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
    /// The body as text, when it is valid UTF-8 (only on a single request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
    /// RFC 3339, UTC, microseconds.
    pub received_at: String,
    /// Microseconds since the Unix epoch.
    pub received_at_us: i64,
    /// Time from the first byte to the end of the body, in milliseconds.
    pub duration_ms: f64,
    /// Endpoint name; `default` outside any named endpoint.
    pub endpoint: String,
    pub endpoint_id: Option<String>,
    pub remote_addr: Option<String>,
    pub http_version: String,
    /// Status Hooklens answered with.
    pub response_status: u16,
    pub pinned: bool,
    /// The recognised provider, if any.
    pub provider: Option<String>,
    /// The provider's event type, if any.
    pub event_type: Option<String>,
    /// The signature check's verdict.
    pub signature: Option<SignatureVerdict>,
    /// Tags given by rules.
    pub tags: Vec<String>,
    /// Ids of the rules it matched.
    pub rules: Vec<String>,
    pub via: Via,
    /// The provider's id for what it delivered (Stripe's `evt_…`, `X-GitHub-Delivery`,
    /// `webhook-id`, …), when it gives one.
    pub event_id: Option<String>,
    /// Which delivery of `event_id` this is at its endpoint: 1 for the first, 2 for the
    /// second, …
    pub occurrence: Option<u32>,
    /// On a repeated delivery, the id of the capture that was its first delivery; `null` on
    /// a first delivery.
    pub duplicate_of: Option<String>,
    /// On a repeated delivery, when the first delivery arrived (RFC 3339, UTC).
    pub first_received_at: Option<String>,
    /// The same, in microseconds since the Unix epoch.
    pub first_received_at_us: Option<i64>,
    /// The verification handshake Hooklens answered or refused, when it was one.
    pub handshake: Option<Handshake>,
    /// Where its deliveries stand: `failed` if any gave up, else `pending` if any waits, else
    /// `succeeded`; absent when it was not forwarded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryState>,
}

impl RequestJson {
    /// Without body fields, stored at `seq`.
    pub fn summary(meta: &RequestMeta, pinned: bool, seq: i64) -> RequestJson {
        let first = meta.event.as_ref().and_then(|e| e.first.as_ref());
        RequestJson {
            id: meta.id.clone(),
            seq,
            method: meta.method.clone(),
            path: meta.path.clone(),
            query: meta.query.clone(),
            headers: meta
                .headers
                .iter()
                .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
                .collect(),
            headers_base64: meta
                .headers
                .iter()
                .any(|(_, v)| std::str::from_utf8(v).is_err())
                .then(|| {
                    meta.headers
                        .iter()
                        .map(|(n, v)| {
                            (
                                n.clone(),
                                base64::engine::general_purpose::STANDARD.encode(v),
                            )
                        })
                        .collect()
                }),
            content_type: meta.header("content-type"),
            size: meta.size,
            body_state: meta.body_state,
            body_note: meta.body_note.clone(),
            body_base64: None,
            body_text: None,
            received_at: format_us(meta.received_at_us),
            received_at_us: meta.received_at_us,
            duration_ms: meta.duration_us as f64 / 1000.0,
            endpoint: meta.endpoint_name.clone(),
            endpoint_id: meta.endpoint_id.clone(),
            remote_addr: meta.remote_addr.clone(),
            http_version: meta.http_version.clone(),
            response_status: meta.response_status,
            pinned,
            provider: meta.provider.clone(),
            event_type: meta.event_type.clone(),
            signature: meta.signature.clone(),
            tags: meta.tags.clone(),
            rules: meta.rules.clone(),
            via: meta.via,
            event_id: meta.event.as_ref().map(|e| e.id.clone()),
            occurrence: meta.event.as_ref().map(|e| e.occurrence),
            duplicate_of: first.map(|f| f.id.clone()),
            first_received_at: first.map(|f| format_us(f.received_at_us)),
            first_received_at_us: first.map(|f| f.received_at_us),
            handshake: meta.handshake.clone(),
            delivery: None,
        }
    }

    /// Without body fields, with its delivery summary.
    pub fn listed(request: &Request) -> RequestJson {
        RequestJson {
            delivery: request.delivery,
            ..RequestJson::summary(&request.meta, request.pinned, request.seq)
        }
    }

    /// With body fields when the request carries its body.
    pub fn from_request(request: &Request) -> RequestJson {
        let mut json = RequestJson::listed(request);
        if let Some(body) = &request.body {
            json.body_base64 = Some(base64::engine::general_purpose::STANDARD.encode(body));
            json.body_text = std::str::from_utf8(body).ok().map(str::to_string);
        }
        json
    }
}

/// One page of requests, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RequestPage {
    pub items: Vec<RequestJson>,
    /// Pass as `cursor` for the next page; `null` on the last one.
    pub next: Option<String>,
}

/// Filters for listing and exporting requests.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    /// Endpoint name or id; `default` for requests outside any named endpoint.
    pub endpoint: Option<String>,
    /// HTTP method, any case.
    pub method: Option<String>,
    /// Provider: `stripe`, `github`, `twilio`, … (the signature schemes' names).
    pub provider: Option<String>,
    /// Event type; `*` matches anything, e.g. `payment_intent.*`.
    pub event_type: Option<String>,
    /// Signature status: `valid`, `invalid`, `missing`, `unconfigured`.
    pub signature: Option<String>,
    /// A tag given by a rule.
    pub tag: Option<String>,
    /// Full-text search over path, query, headers and text bodies; every word must match,
    /// the last as a prefix.
    pub q: Option<String>,
    /// Only requests received at or after this time (RFC 3339, or microseconds since epoch).
    pub since: Option<String>,
    /// Only requests received before this time (RFC 3339, or microseconds since epoch).
    pub until: Option<String>,
    /// Only pinned (`true`) or unpinned (`false`) requests.
    pub pinned: Option<bool>,
    /// Only repeated deliveries of a provider's event (`true`: `duplicate_of` set), or only
    /// first deliveries and requests without an event id (`false`).
    pub duplicate: Option<bool>,
    /// Only these request ids, comma-separated (at most 1000), e.g. to export a selection.
    pub ids: Option<String>,
    /// Where the request's deliveries stand: `pending`, `succeeded`, `failed`, or `none` (not
    /// forwarded).
    pub delivery: Option<String>,
    /// Page size, 1–1000 (default 50).
    pub limit: Option<usize>,
    /// The `next` value of the previous page.
    pub cursor: Option<String>,
}

/// Health of the engine.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the engine answers.
    pub status: String,
    pub version: String,
}

/// Where things listen and how many requests are stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Status {
    pub version: String,
    /// The receiver's URL: point providers (or a tunnel) here.
    pub receiver_url: String,
    pub api_url: String,
    pub max_body: u64,
    pub requests: u64,
    /// Where requests are kept: `SQLite PATH`, or `PostgreSQL HOST:PORT/DB` when several
    /// instances share one database.
    pub storage: String,
}

/// Whether capture is paused.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CaptureState {
    /// `true`: the receiver stores nothing and answers `503` with `Retry-After`.
    pub paused: bool,
}

/// `{"error": {...}}`
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `unauthorized`, `forbidden`, `not_found`, `invalid`,
    /// `remote_target` (a forward target off loopback while `allow_remote_targets` is off),
    /// `conflict`, `timeout` (a wait ran out), `unavailable` (stopping), `internal`.
    pub code: String,
    /// What happened and what to do, for a person.
    pub message: String,
    /// The field of the request body it is about, when it is about one, as a dotted path:
    /// `target`, `forward.1.url`, `actions.0.url`, `forward.targets.0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// How many requests an operation removed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Removed {
    pub deleted: u64,
}

/// A delivery of a request to a target, with its attempts when asked for.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryJson {
    pub id: String,
    pub request_id: String,
    pub kind: DeliveryKind,
    /// The target as configured.
    pub target: String,
    /// The URL attempts go to.
    pub url: String,
    pub state: DeliveryState,
    pub attempts: u32,
    /// RFC 3339: when it is tried next (pending only).
    pub next_attempt_at: Option<String>,
    pub last_status: Option<u16>,
    /// What went wrong last and what happens next, for a person.
    pub last_error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// For edited replays: what replaced the captured request's parts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Overrides>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempt_list: Option<Vec<AttemptJson>>,
}

impl DeliveryJson {
    pub fn from_delivery(d: &Delivery, attempts: Option<&[Attempt]>) -> DeliveryJson {
        DeliveryJson {
            id: d.id.clone(),
            request_id: d.request_id.clone(),
            kind: d.kind,
            target: d.target.clone(),
            url: d.url.clone(),
            state: d.state,
            attempts: d.attempts,
            next_attempt_at: match d.state {
                DeliveryState::Pending => d.next_attempt_at_us.map(format_us),
                _ => None,
            },
            last_status: d.last_status,
            last_error: d.last_error.clone(),
            created_at: format_us(d.created_at_us),
            updated_at: format_us(d.updated_at_us),
            overrides: d.spec.overrides.clone(),
            attempt_list: attempts.map(|a| a.iter().map(AttemptJson::from).collect()),
        }
    }
}

/// One try at a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AttemptJson {
    pub n: u32,
    pub started_at: String,
    pub duration_ms: f64,
    /// The target's status, when it answered.
    pub status: Option<u16>,
    #[schema(value_type = Vec<Vec<String>>)]
    pub response_headers: Vec<(String, String)>,
    /// The first 64 KiB of the response body, base64.
    pub response_body_base64: String,
    /// The same, as text, when UTF-8.
    pub response_body_text: Option<String>,
    /// Full response size, when known.
    pub response_size: Option<u64>,
    pub error_kind: Option<AttemptErrorKind>,
    pub error: Option<String>,
}

impl From<&Attempt> for AttemptJson {
    fn from(a: &Attempt) -> AttemptJson {
        AttemptJson {
            n: a.n,
            started_at: format_us(a.started_at_us),
            duration_ms: a.duration_us as f64 / 1000.0,
            status: a.status,
            response_headers: a
                .response_headers
                .iter()
                .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
                .collect(),
            response_body_base64: base64::engine::general_purpose::STANDARD
                .encode(&a.response_body),
            response_body_text: std::str::from_utf8(&a.response_body)
                .ok()
                .map(str::to_string),
            response_size: a.response_size,
            error_kind: a.error_kind,
            error: a.error.clone(),
        }
    }
}
