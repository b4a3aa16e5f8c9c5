//! `/api/v1/tunnel`: the public tunnel to the receiver.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::JsonBody;
use super::types::ErrorBody;
use super::{ApiError, ApiResult};
use crate::state::Shared;
use crate::tunnel::{TunnelSpec, TunnelStatus};

pub(super) fn router() -> OpenApiRouter<Arc<Shared>> {
    OpenApiRouter::new().routes(routes!(status, start, stop))
}

/// Where the tunnel stands: provider, state, public URL, error, since when.
#[utoipa::path(get, path = "/api/v1/tunnel", responses((status = 200, body = TunnelStatus)))]
async fn status(State(shared): State<Arc<Shared>>) -> Json<TunnelStatus> {
    Json(shared.tunnels.status())
}

/// Opens the tunnel (closing one already open); follow `tunnel.status` on the live stream.
#[utoipa::path(post, path = "/api/v1/tunnel", request_body = TunnelSpec,
    responses((status = 202, body = TunnelStatus), (status = 400, body = ErrorBody)))]
async fn start(
    State(shared): State<Arc<Shared>>,
    JsonBody(spec): JsonBody<TunnelSpec>,
) -> ApiResult<(StatusCode, Json<TunnelStatus>)> {
    shared
        .tunnels
        .start(&spec, &shared.cancel)
        .map_err(ApiError::invalid)?;
    Ok((StatusCode::ACCEPTED, Json(shared.tunnels.status())))
}

/// Closes the tunnel.
#[utoipa::path(delete, path = "/api/v1/tunnel", responses((status = 200, body = TunnelStatus)))]
async fn stop(State(shared): State<Arc<Shared>>) -> Json<TunnelStatus> {
    shared.tunnels.stop();
    Json(shared.tunnels.status())
}
