//! `/api/v1/events`: the live stream (Server-Sent Events), and its contract. Each engine
//! [`Event`] is mapped to a [`LiveEvent`], whose `event` is the SSE event's name and whose
//! `data` its JSON payload. `LiveEvent` is in the OpenAPI document, so the UI's event names
//! and payload types are generated from it like every other API type.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::{Stream, StreamExt, stream};
use hooklens_store::StoredNotification;
use serde::Serialize;
use serde_json::Value;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::types::{CaptureState, DeliveryJson, RequestJson};
use crate::metrics::rollup::StatsSummary;
use crate::relay::RelayStatus;
use crate::tunnel::TunnelStatus;
use crate::{Event, EventBus, RemovalReason};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(events))
}

/// One event of the live stream: `event` is its name on the stream, `data` its payload.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "event", content = "data")]
pub enum LiveEvent {
    /// First on every stream (and again after a reconnect): re-read what you show.
    #[serde(rename = "ready")]
    Ready(Ready),
    /// A request was stored; without its body.
    #[serde(rename = "request.captured")]
    RequestCaptured(Box<RequestJson>),
    /// A request was pinned, unpinned, tagged or untagged.
    #[serde(rename = "request.updated")]
    RequestUpdated(RequestUpdated),
    #[serde(rename = "request.deleted")]
    RequestDeleted(RequestDeleted),
    /// Unpinned requests were deleted in bulk.
    #[serde(rename = "requests.removed")]
    RequestsRemoved(RequestsRemoved),
    /// Requests were imported from a file: re-list.
    #[serde(rename = "requests.imported")]
    RequestsImported(RequestsImported),
    /// A delivery was queued, attempted, succeeded or gave up.
    #[serde(rename = "delivery.updated")]
    DeliveryUpdated(Box<DeliveryJson>),
    /// A forward target went down or came back.
    #[serde(rename = "target.changed")]
    TargetChanged(TargetChanged),
    /// A notification was raised (shown or folded into a summary).
    #[serde(rename = "notification.raised")]
    NotificationRaised(Box<StoredNotification>),
    #[serde(rename = "tunnel.status")]
    TunnelStatus(Box<TunnelStatus>),
    /// The relay subscription's state changed, or how far behind it is (at most four times
    /// a second within a state).
    #[serde(rename = "relay.status")]
    RelayStatus(Box<RelayStatus>),
    /// Capture was paused or resumed.
    #[serde(rename = "capture.changed")]
    CaptureChanged(CaptureState),
    #[serde(rename = "endpoints.changed")]
    EndpointsChanged(Changed),
    #[serde(rename = "rules.changed")]
    RulesChanged(Changed),
    #[serde(rename = "settings.changed")]
    SettingsChanged(Changed),
    /// Totals, at most every 2 s and only when they changed: a cue to refetch
    /// `/api/v1/stats`.
    #[serde(rename = "stats.updated")]
    StatsUpdated(Box<StatsSummary>),
    /// This client was too slow and missed events: re-list.
    #[serde(rename = "events.lagged")]
    EventsLagged(Lagged),
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    pub version: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestUpdated {
    pub id: String,
    pub pinned: bool,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestDeleted {
    pub id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestsRemoved {
    pub count: u64,
    pub reason: RemovalReason,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestsImported {
    /// How many requests were stored.
    pub count: u64,
}

/// Whether a target is taking deliveries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    Up,
    Down,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetChanged {
    pub target: String,
    pub state: TargetState,
    /// Why it is down; `null` when it came back.
    pub reason: Option<String>,
}

/// Something changed: read it again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changed {}

#[derive(Debug, Serialize, ToSchema)]
pub struct Lagged {
    /// How many events this client missed.
    pub missed: u64,
}

impl From<Event> for LiveEvent {
    fn from(event: Event) -> LiveEvent {
        match event {
            Event::RequestCaptured(request) => {
                LiveEvent::RequestCaptured(Box::new(RequestJson::listed(&request)))
            }
            Event::RequestUpdated { id, pinned, tags } => {
                LiveEvent::RequestUpdated(RequestUpdated { id, pinned, tags })
            }
            Event::RequestDeleted { id } => LiveEvent::RequestDeleted(RequestDeleted { id }),
            Event::RequestsRemoved { count, reason } => {
                LiveEvent::RequestsRemoved(RequestsRemoved { count, reason })
            }
            Event::RequestsImported { count } => {
                LiveEvent::RequestsImported(RequestsImported { count })
            }
            Event::EndpointsChanged => LiveEvent::EndpointsChanged(Changed {}),
            Event::RulesChanged => LiveEvent::RulesChanged(Changed {}),
            Event::SettingsChanged => LiveEvent::SettingsChanged(Changed {}),
            Event::DeliveryUpdated(delivery) => {
                LiveEvent::DeliveryUpdated(Box::new(DeliveryJson::from_delivery(&delivery, None)))
            }
            Event::TargetChanged { target, down } => LiveEvent::TargetChanged(TargetChanged {
                target,
                state: if down.is_some() {
                    TargetState::Down
                } else {
                    TargetState::Up
                },
                reason: down,
            }),
            Event::TunnelStatus(status) => LiveEvent::TunnelStatus(status),
            Event::RelayStatus(status) => LiveEvent::RelayStatus(status),
            Event::NotificationRaised(n) => LiveEvent::NotificationRaised(n),
            Event::StatsUpdated(s) => LiveEvent::StatsUpdated(s),
            Event::CaptureChanged { paused } => LiveEvent::CaptureChanged(CaptureState { paused }),
        }
    }
}

impl LiveEvent {
    /// The event as the stream sends it: its name, and its data as JSON.
    fn sse(&self) -> Option<SseEvent> {
        let Ok(Value::Object(mut fields)) = serde_json::to_value(self) else {
            tracing::warn!("a live event did not serialise; skipped");
            return None;
        };
        let data = fields.remove("data").unwrap_or(Value::Null);
        let name = fields.remove("event")?;
        Some(
            SseEvent::default()
                .event(name.as_str()?)
                .data(data.to_string()),
        )
    }
}

/// Live events as Server-Sent Events, each a `LiveEvent`: first `ready`, then what
/// changes. A client too slow to keep up gets `events.lagged` with the number it missed, and
/// should re-list.
#[utoipa::path(get, path = "/api/v1/events",
    responses((status = 200, body = LiveEvent, content_type = "text/event-stream",
        description = "an event stream: each event's name is a LiveEvent's `event`, its data \
            the LiveEvent's `data` as JSON")))]
async fn events(
    State(events): State<EventBus>,
    State(shutdown): State<CancellationToken>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let live = BroadcastStream::new(events.subscribe()).filter_map(|item| {
        let live = match item {
            Ok(event) => LiveEvent::from(event),
            Err(BroadcastStreamRecvError::Lagged(missed)) => {
                LiveEvent::EventsLagged(Lagged { missed })
            }
        };
        std::future::ready(live.sse().map(Ok))
    });
    let ready = LiveEvent::Ready(Ready {
        version: super::VERSION.into(),
    });
    let stream = stream::iter(ready.sse().map(Ok))
        .chain(live)
        .take_until(shutdown.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::default())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The stream's JSON, as the UI has read it since before the contract: unchanged.
    #[test]
    fn each_event_keeps_its_name_and_payload() {
        let wire = |event: Event| serde_json::to_value(LiveEvent::from(event)).expect("json");
        let cases = [
            (
                Event::RequestUpdated {
                    id: "r".into(),
                    pinned: true,
                    tags: vec!["t".into()],
                },
                json!({"event": "request.updated", "data": {"id": "r", "pinned": true, "tags": ["t"]}}),
            ),
            (
                Event::RequestDeleted { id: "r".into() },
                json!({"event": "request.deleted", "data": {"id": "r"}}),
            ),
            (
                Event::RequestsRemoved {
                    count: 3,
                    reason: RemovalReason::Retention,
                },
                json!({"event": "requests.removed", "data": {"count": 3, "reason": "retention"}}),
            ),
            (
                Event::RequestsRemoved {
                    count: 5,
                    reason: RemovalReason::Cleared,
                },
                json!({"event": "requests.removed", "data": {"count": 5, "reason": "cleared"}}),
            ),
            (
                Event::RequestsImported { count: 12 },
                json!({"event": "requests.imported", "data": {"count": 12}}),
            ),
            (
                Event::RulesChanged,
                json!({"event": "rules.changed", "data": {}}),
            ),
            (
                Event::TargetChanged {
                    target: "http://t".into(),
                    down: Some("refused".into()),
                },
                json!({"event": "target.changed", "data": {"target": "http://t", "state": "down", "reason": "refused"}}),
            ),
            (
                Event::TargetChanged {
                    target: "http://t".into(),
                    down: None,
                },
                json!({"event": "target.changed", "data": {"target": "http://t", "state": "up", "reason": null}}),
            ),
            (
                Event::CaptureChanged { paused: true },
                json!({"event": "capture.changed", "data": {"paused": true}}),
            ),
            (
                Event::RelayStatus(Box::new(crate::relay::RelayStatus {
                    behind: 3,
                    last_id: Some("01R".into()),
                    since: "2026-01-01T00:00:00.000000Z".into(),
                    ..crate::relay::RelayStatus::new(
                        crate::relay::RelayState::CatchingUp,
                        Some("https://relay.example".into()),
                    )
                })),
                json!({"event": "relay.status", "data": {"state": "catching_up",
                    "url": "https://relay.example", "endpoint": null, "behind": 3,
                    "last_id": "01R", "error": null, "since": "2026-01-01T00:00:00.000000Z",
                    "expired": 0}}),
            ),
        ];
        for (event, want) in cases {
            assert_eq!(wire(event), want);
        }
    }
}
