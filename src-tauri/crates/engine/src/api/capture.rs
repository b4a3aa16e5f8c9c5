//! `/api/v1/capture`: pause and resume capture. While paused the receiver stores nothing and
//! answers `503` with `Retry-After`, so providers send again later. A restart resumes.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::JsonBody;
use super::types::CaptureState;
use crate::state::Shared;

pub(super) fn router() -> OpenApiRouter<Arc<Shared>> {
    OpenApiRouter::new().routes(routes!(get_capture, put_capture))
}

/// Whether capture is paused.
#[utoipa::path(get, path = "/api/v1/capture", responses((status = 200, body = CaptureState)))]
async fn get_capture(State(shared): State<Arc<Shared>>) -> Json<CaptureState> {
    Json(CaptureState {
        paused: shared.paused(),
    })
}

/// Pauses (`{"paused": true}`) or resumes capture; `capture.changed` is streamed.
#[utoipa::path(put, path = "/api/v1/capture", request_body = CaptureState,
    responses((status = 200, body = CaptureState)))]
async fn put_capture(
    State(shared): State<Arc<Shared>>,
    JsonBody(want): JsonBody<CaptureState>,
) -> Json<CaptureState> {
    shared.set_paused(want.paused);
    Json(CaptureState {
        paused: shared.paused(),
    })
}
