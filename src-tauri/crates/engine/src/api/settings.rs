//! `/api/v1/settings`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use hooklens_store::{Settings, Store};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::ApiResult;
use super::extract::JsonBody;
use super::types::ErrorBody;
use crate::forward::Forwarder;
use crate::notify::Notifications;
use crate::retention::Retention;
use crate::{Event, EventBus};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(get_settings, patch_settings))
}

/// Current settings.
#[utoipa::path(get, path = "/api/v1/settings", responses((status = 200, body = Settings)))]
async fn get_settings(State(store): State<Store>) -> ApiResult<Json<Settings>> {
    Ok(Json(store.settings().await?))
}

/// Changes settings with a JSON merge patch (`null` turns a retention limit off). New
/// retention limits apply at once, in the background: the answer does not wait for the
/// deletions, and a `requests.removed` event follows them.
#[utoipa::path(patch, path = "/api/v1/settings",
    request_body(content = Object, description = "JSON merge patch of Settings"),
    responses((status = 200, body = Settings), (status = 400, body = ErrorBody)))]
async fn patch_settings(
    State(store): State<Store>,
    State(forwarder): State<Arc<Forwarder>>,
    State(notifications): State<Arc<Notifications>>,
    State(retention): State<Arc<Retention>>,
    State(events): State<EventBus>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Settings>> {
    let settings = store.patch_settings(patch).await?;
    forwarder.set_allow_remote(settings.allow_remote_targets);
    notifications.set_settings(settings.notifications.clone());
    events.emit(Event::SettingsChanged);
    retention.apply_soon();
    Ok(Json(settings))
}
