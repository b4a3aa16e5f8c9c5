//! `/api/v1/notifications`: every notification raised, whether a popup showed it or not.

use axum::Json;
use axum::extract::State;
use hooklens_store::{Store, StoredNotification};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::ApiResult;
use super::extract::QueryParams;

pub(super) fn router() -> OpenApiRouter<Api> {
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
    State(store): State<Store>,
    QueryParams(query): QueryParams<NotificationQuery>,
) -> ApiResult<Json<Vec<StoredNotification>>> {
    let limit = query.limit.unwrap_or(100);
    Ok(Json(store.list_notifications(limit).await?))
}
