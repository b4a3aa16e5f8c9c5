//! `/api/v1/capture`: pause and resume capture. While paused the receiver stores nothing and
//! answers `503` with `Retry-After`, so providers send again later. A restart resumes.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRef, State};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::JsonBody;
use super::types::CaptureState;
use crate::capture::gate::CaptureGate;

/// Over any state that holds the gate: the engine's, or (in tests) the gate alone.
pub(super) fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<CaptureGate>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(get_capture, put_capture))
}

/// Whether capture is paused.
#[utoipa::path(get, path = "/api/v1/capture", responses((status = 200, body = CaptureState)))]
async fn get_capture(State(gate): State<Arc<CaptureGate>>) -> Json<CaptureState> {
    Json(CaptureState {
        paused: gate.paused(),
    })
}

/// Pauses (`{"paused": true}`) or resumes capture; `capture.changed` is streamed.
#[utoipa::path(put, path = "/api/v1/capture", request_body = CaptureState,
    responses((status = 200, body = CaptureState)))]
async fn put_capture(
    State(gate): State<Arc<CaptureGate>>,
    JsonBody(want): JsonBody<CaptureState>,
) -> Json<CaptureState> {
    gate.set_paused(want.paused);
    Json(CaptureState {
        paused: gate.paused(),
    })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http::{Method, Request, StatusCode, header};
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;
    use crate::events::{Event, EventBus};

    async fn call(app: &axum::Router, method: Method, body: &str) -> (StatusCode, String) {
        let request = Request::builder()
            .method(method)
            .uri("/api/v1/capture")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .expect("request");
        let response = app.clone().oneshot(request).await.expect("answer");
        let status = response.status();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The router over the gate alone: no engine, no store, no socket.
    #[tokio::test]
    async fn pausing_through_the_api_closes_the_gate_and_says_so() {
        let events = EventBus::new(8);
        let mut heard = events.subscribe();
        let gate = Arc::new(CaptureGate::new(1 << 20, events));
        let (app, _) = router::<Arc<CaptureGate>>().split_for_parts();
        let app = app.with_state(gate.clone());

        assert_eq!(
            call(&app, Method::GET, "").await,
            (StatusCode::OK, r#"{"paused":false}"#.into())
        );
        assert_eq!(
            call(&app, Method::PUT, r#"{"paused":true}"#).await,
            (StatusCode::OK, r#"{"paused":true}"#.into())
        );
        assert!(gate.paused());
        assert!(matches!(
            heard.try_recv(),
            Ok(Event::CaptureChanged { paused: true })
        ));
        let (status, body) = call(&app, Method::PUT, r#"{"paused":"yes"}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(gate.paused(), "a body that does not parse changes nothing");
    }
}
