//! The store's data types, the same whichever backend holds them: requests (here),
//! deliveries, endpoints, signatures, rules, settings, notifications and statistics.

mod delivery;
mod endpoint;
mod kinds;
mod notification;
mod provider;
mod relay;
mod rules;
mod settings;
mod signature;
mod stats;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use delivery::*;
pub use endpoint::*;
pub use kinds::{
    AttemptErrorKind, HandshakeProvider, NotificationKind, PeriodKind, SignatureStatus, Via,
};
pub use notification::*;
pub use provider::*;
pub use relay::*;
pub use rules::*;
pub use settings::*;
pub use signature::*;
pub use stats::*;

/// What happened to a request's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyState {
    /// The whole body was received and stored.
    Complete,
    /// The body was over the limit and refused; `size` is what the sender announced.
    TooLarge,
    /// The sender stopped or stalled part-way; what arrived is stored.
    Incomplete,
}

impl BodyState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BodyState::Complete => "complete",
            BodyState::TooLarge => "too_large",
            BodyState::Incomplete => "incomplete",
        }
    }

    pub(crate) fn parse(s: &str) -> BodyState {
        match s {
            "too_large" => BodyState::TooLarge,
            "incomplete" => BodyState::Incomplete,
            _ => BodyState::Complete,
        }
    }
}

/// Everything known about a captured request except its body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestMeta {
    /// Public id: a ULID, so ids sort by arrival time.
    pub id: String,
    pub received_at_us: i64,
    /// Time from the first byte of the request to the end of its body.
    pub duration_us: i64,
    pub endpoint_id: Option<String>,
    pub endpoint_name: String,
    pub method: String,
    pub path: String,
    /// Raw query string, without the `?`.
    pub query: Option<String>,
    pub http_version: String,
    pub remote_addr: Option<String>,
    /// Headers in arrival order, duplicates kept; values are raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body_state: BodyState,
    /// Why the body is not complete, in words.
    pub body_note: Option<String>,
    /// Body bytes received, or announced by the sender when refused.
    pub size: u64,
    /// Status Hooklens answered with.
    pub response_status: u16,
    /// The provider that sent it, when recognised: `stripe`, `github`, `twilio`, …
    pub provider: Option<String>,
    /// The provider's event type, e.g. `payment_intent.succeeded`, `pull_request.opened`.
    pub event_type: Option<String>,
    /// The signature check's verdict.
    pub signature: Option<SignatureVerdict>,
    /// Tags given by rules.
    pub tags: Vec<String>,
    /// Ids of the rules it matched.
    pub rules: Vec<String>,
    /// Straight to the receiver, through the public tunnel, or mirrored from a relay.
    pub via: Via,
    /// The provider's id for what it delivered, and whether it arrived before.
    pub event: Option<EventDelivery>,
    /// The verification handshake Hooklens answered or refused, when it was one.
    pub handshake: Option<Handshake>,
}

/// A request as the receiver hands it to the store, with the deliveries it starts; all are
/// committed together, so a forward is never lost between capture and queue.
#[derive(Debug, Clone)]
pub struct Capture {
    pub meta: RequestMeta,
    pub body: Vec<u8>,
    /// Pinned from the start (a rule said so).
    pub pinned: bool,
    pub deliveries: Vec<crate::NewDelivery>,
}

/// A stored request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Storage order; never reused.
    pub seq: i64,
    pub pinned: bool,
    pub meta: RequestMeta,
    /// `None` where the query did not load bodies (listings).
    pub body: Option<Vec<u8>>,
    /// Where its deliveries stand, summed up: `Failed` if any gave up, else `Pending` if any
    /// waits, else `Succeeded`; `None` when it has none.
    pub delivery: Option<crate::DeliveryState>,
}

impl RequestMeta {
    /// First value of the header `name` (case-insensitive), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

/// Encodes headers as `name: value\r\n` lines: byte-exact and cheap to store.
pub(crate) fn header_block(headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum());
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Decodes what [`header_block`] wrote. Header values never contain CR or LF, so lines split
/// unambiguously.
pub fn parse_header_block(block: &[u8]) -> Vec<(String, Vec<u8>)> {
    block
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                return None;
            }
            let colon = line.iter().position(|&b| b == b':')?;
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            Some((
                String::from_utf8_lossy(&line[..colon]).into_owned(),
                value.to_vec(),
            ))
        })
        .collect()
}

/// Which requests to list. Empty filter = all, newest first.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Endpoint name or id; `default` for requests outside any named endpoint.
    pub endpoint: Option<String>,
    pub method: Option<String>,
    /// Provider name, e.g. `stripe`.
    pub provider: Option<String>,
    /// Event type glob, e.g. `payment_intent.*`.
    pub event_type: Option<String>,
    /// Signature status: `valid`, `invalid`, `missing`, `unconfigured`.
    pub signature: Option<String>,
    /// Tag given by a rule.
    pub tag: Option<String>,
    /// Only repeated deliveries (`true`: `duplicate_of` set) or first ones (`false`).
    pub duplicate: Option<bool>,
    /// Full-text query over path, query, headers and text bodies.
    pub q: Option<String>,
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    pub pinned: Option<bool>,
    /// Continue after this position (exclusive): the `next` of the previous page.
    pub before_seq: Option<i64>,
    /// Only these request ids (empty: any).
    pub ids: Vec<String>,
    /// Only requests whose deliveries stand so (see [`Request::delivery`]); `None` in the
    /// filter's own `Option` means any, `Some(None)` means requests without deliveries.
    pub delivery: Option<Option<crate::DeliveryState>>,
    /// Page size, clamped to 1..=1000.
    pub limit: usize,
}

/// A capture at its place in the order captures committed (see
/// [`crate::Store::captures_after`]).
#[derive(Debug, Clone)]
pub struct Committed {
    /// Its position: positions only grow at commit, so a reader that has seen every capture
    /// up to a position never sees one below it appear later.
    pub position: i64,
    /// With its body.
    pub request: Request,
}

/// What [`crate::Store::first_request_after`] found.
#[derive(Debug, Clone)]
pub struct After {
    /// The oldest request past the position that the filter picks, without its body.
    pub found: Option<Request>,
    /// Every request up to this position was looked at (all of them when nothing was
    /// found): the next look starts here.
    pub through: i64,
    /// Requests past `through` await full-text indexing (only with `q`): look again soon.
    pub unindexed: bool,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Request>,
    /// Pass as `before_seq` to get the next page; `None` on the last page.
    pub next: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_block_round_trips_order_duplicates_and_bytes() {
        let headers = vec![
            ("X-Dup".to_string(), b"1".to_vec()),
            ("content-type".to_string(), b"application/json".to_vec()),
            ("X-Dup".to_string(), b"2: with colon".to_vec()),
            ("x-bin".to_string(), vec![0xff, 0x80, b' ']),
            ("x-empty".to_string(), Vec::new()),
        ];
        assert_eq!(parse_header_block(&header_block(&headers)), headers);
    }
}
