//! `/api/v1/tunnel`: the public tunnel to the receiver.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::extract::JsonBody;
use super::types::ErrorBody;
use super::{ApiError, ApiResult};
use crate::tunnel::{TunnelSpec, TunnelStatus, Tunnels};
use tokio_util::sync::CancellationToken;

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(status, start, stop))
}

/// Where the tunnel stands: provider, state, public URL, error, since when.
#[utoipa::path(get, path = "/api/v1/tunnel", responses((status = 200, body = TunnelStatus)))]
async fn status(State(tunnels): State<Arc<Tunnels>>) -> Json<TunnelStatus> {
    Json(tunnels.status())
}

/// Opens the tunnel (closing one already open); follow `tunnel.status` on the live stream.
#[utoipa::path(post, path = "/api/v1/tunnel", request_body = TunnelSpec,
    responses((status = 202, body = TunnelStatus), (status = 400, body = ErrorBody)))]
async fn start(
    State(tunnels): State<Arc<Tunnels>>,
    State(shutdown): State<CancellationToken>,
    JsonBody(spec): JsonBody<TunnelSpec>,
) -> ApiResult<(StatusCode, Json<TunnelStatus>)> {
    tunnels.start(&spec, &shutdown).map_err(ApiError::invalid)?;
    Ok((StatusCode::ACCEPTED, Json(tunnels.status())))
}

/// Closes the tunnel.
#[utoipa::path(delete, path = "/api/v1/tunnel", responses((status = 200, body = TunnelStatus)))]
async fn stop(State(tunnels): State<Arc<Tunnels>>) -> Json<TunnelStatus> {
    tunnels.stop();
    Json(tunnels.status())
}
