//! `/api/v1/settings`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use hooklens_store::Settings;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ApiResult;
use super::extract::JsonBody;
use super::types::ErrorBody;
use crate::Event;
use crate::state::Shared;

pub(super) fn router() -> OpenApiRouter<Arc<Shared>> {
    OpenApiRouter::new().routes(routes!(get_settings, patch_settings))
}

/// Current settings.
#[utoipa::path(get, path = "/api/v1/settings", responses((status = 200, body = Settings)))]
async fn get_settings(State(shared): State<Arc<Shared>>) -> ApiResult<Json<Settings>> {
    Ok(Json(shared.store.settings().await?))
}

/// Changes settings with a JSON merge patch (`null` turns a retention limit off). New
/// retention limits apply at once, in the background: the answer does not wait for the
/// deletions, and a `requests.removed` event follows them.
#[utoipa::path(patch, path = "/api/v1/settings",
    request_body(content = Object, description = "JSON merge patch of Settings"),
    responses((status = 200, body = Settings), (status = 400, body = ErrorBody)))]
async fn patch_settings(
    State(shared): State<Arc<Shared>>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Settings>> {
    let settings = shared.store.patch_settings(patch).await?;
    shared
        .forwarder
        .set_allow_remote(settings.allow_remote_targets);
    shared
        .notifications
        .set_settings(settings.notifications.clone());
    shared.emit(Event::SettingsChanged);
    shared.apply_retention_soon();
    Ok(Json(settings))
}
