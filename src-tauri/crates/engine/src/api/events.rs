//! `/api/v1/events`: the live stream (Server-Sent Events).

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::{Stream, StreamExt, stream};
use serde_json::json;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use crate::EventBus;
use tokio_util::sync::CancellationToken;

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(events))
}

/// Live events as Server-Sent Events. First `ready`, then `request.captured` (data: a
/// request without body), `request.updated`, `request.deleted`, `requests.removed`,
/// `endpoints.changed`, `settings.changed`, `stats.updated` (totals, at most every 2 s, when
/// they changed: a cue to refetch `/api/v1/stats`). A client too slow to keep up gets
/// `events.lagged` with the number it missed, and should re-list.
#[utoipa::path(get, path = "/api/v1/events",
    responses((status = 200, description = "an event stream", content_type = "text/event-stream")))]
async fn events(
    State(events): State<EventBus>,
    State(shutdown): State<CancellationToken>,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let live = BroadcastStream::new(events.subscribe()).map(|item| {
        Ok(match item {
            Ok(event) => SseEvent::default()
                .event(event.name())
                .data(event.data().to_string()),
            Err(BroadcastStreamRecvError::Lagged(missed)) => SseEvent::default()
                .event("events.lagged")
                .data(json!({ "missed": missed }).to_string()),
        })
    });
    let ready = stream::once(async {
        Ok(SseEvent::default()
            .event("ready")
            .data(json!({ "version": super::VERSION }).to_string()))
    });
    let stream = ready.chain(live).take_until(shutdown.cancelled_owned());
    Sse::new(stream).keep_alive(KeepAlive::default())
}
