//! `/api/v1/notifications`: every notification raised, whether a popup showed it or not.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use hooklens_store::StoredNotification;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::extract::QueryParams;
use crate::state::Shared;

pub(super) fn router() -> OpenApiRouter<Arc<Shared>> {
    OpenApiRouter::new().routes(routes!(list))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct NotificationQuery {
    /// How many, newest first (1–1000, default 100).
    limit: Option<usize>,
}

/// Notifications raised, newest first.
#[utoipa::path(get, path = "/api/v1/notifications", params(NotificationQuery),
    responses((status = 200, body = Vec<StoredNotification>)))]
async fn list(
    State(shared): State<Arc<Shared>>,
    QueryParams(query): QueryParams<NotificationQuery>,
) -> ApiResult<Json<Vec<StoredNotification>>> {
    let limit = query.limit.unwrap_or(100);
    Ok(Json(shared.store.list_notifications(limit).await?))
}
