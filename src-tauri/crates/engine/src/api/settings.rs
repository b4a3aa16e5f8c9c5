//! `/api/v1/settings`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use hooklens_store::{ForwardTarget, PathMode, Settings, Store};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::JsonBody;
use super::types::ErrorBody;
use super::{Api, ApiError, ApiResult};
use crate::forward::Forwarder;
use crate::forward::routes::Routes;
use crate::forward::target::map_url;
use crate::notify::Notifications;
use crate::retention::Retention;
use crate::{Event, EventBus};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(get_settings, patch_settings))
}

/// The settings, and the forward targets given on the command line beside the window's.
#[derive(Debug, Serialize, ToSchema)]
pub struct SettingsJson {
    #[serde(flatten)]
    pub settings: Settings,
    /// Read only: the targets of `--forward-to` (`HOOKLENS_FORWARD_TO`), which this running
    /// Hooklens forwards to beside `forward.targets`, whether `forward.enabled` or not; a URL
    /// in both is delivered to once. Sent back in a patch, it is ignored.
    pub forward_command_line: Vec<String>,
}

/// The key of [`SettingsJson`] that is not a setting.
const READ_ONLY: &str = "forward_command_line";

fn json(settings: Settings, routes: &Routes) -> Json<SettingsJson> {
    Json(SettingsJson {
        settings,
        forward_command_line: routes
            .command_line()
            .iter()
            .map(|t| t.url.clone())
            .collect(),
    })
}

/// Current settings.
#[utoipa::path(get, path = "/api/v1/settings", responses((status = 200, body = SettingsJson)))]
async fn get_settings(
    State(store): State<Store>,
    State(routes): State<Arc<Routes>>,
) -> ApiResult<Json<SettingsJson>> {
    Ok(json(store.settings().await?, &routes))
}

/// What a settings change reaches.
#[derive(Clone)]
pub(super) struct Applied {
    forwarder: Arc<Forwarder>,
    routes: Arc<Routes>,
    notifications: Arc<Notifications>,
    retention: Arc<Retention>,
    events: EventBus,
}

impl axum::extract::FromRef<Api> for Applied {
    fn from_ref(api: &Api) -> Applied {
        Applied {
            forwarder: api.forwarder.clone(),
            routes: api.routes.clone(),
            notifications: api.notifications.clone(),
            retention: api.retention.clone(),
            events: api.events.clone(),
        }
    }
}

/// Changes settings with a JSON merge patch (`null` turns a retention limit off), applied at
/// once: forwarding (`forward`, `allow_remote_targets`) for requests captured from now on,
/// notifications, and new retention limits in the background (the answer does not wait for
/// the deletions; a `requests.removed` event follows them). A forward target that is not a
/// usable URL, or not on loopback while `allow_remote_targets` is off, is refused (400, with
/// its `field`).
#[utoipa::path(patch, path = "/api/v1/settings",
    request_body(content = Object, description = "JSON merge patch of Settings"),
    responses((status = 200, body = SettingsJson), (status = 400, body = ErrorBody)))]
async fn patch_settings(
    State(store): State<Store>,
    State(applied): State<Applied>,
    JsonBody(mut patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<SettingsJson>> {
    if let Some(fields) = patch.as_object_mut() {
        fields.remove(READ_ONLY);
    }
    let current = store.settings().await?;
    let next = current.patched(&patch)?;
    check_targets(&applied.forwarder, &current, &next).await?;
    let settings = store.patch_settings(patch).await?;
    applied
        .forwarder
        .set_allow_remote(settings.allow_remote_targets);
    applied.routes.set_window(settings.forward.active());
    applied
        .notifications
        .set_settings(settings.notifications.clone());
    applied.events.emit(Event::SettingsChanged);
    applied.retention.apply_soon();
    Ok(json(settings, &applied.routes))
}

/// Each of the window's targets must be a URL the forwarder can use, and each new one must
/// reach loopback unless the new settings allow remote targets. Targets kept as they were
/// are not checked again: turning `allow_remote_targets` off must always work (their
/// deliveries are then blocked, and can be retried once it is back on).
async fn check_targets(
    forwarder: &Forwarder,
    current: &Settings,
    next: &Settings,
) -> ApiResult<()> {
    for (i, url) in next.forward.targets.iter().enumerate() {
        let field = format!("forward.targets.{i}");
        let target = ForwardTarget {
            url: url.clone(),
            path: PathMode::Keep,
            headers: Vec::new(),
            resign: None,
        };
        map_url(&target, None, "/", None).map_err(|e| ApiError::invalid(e).on(field.clone()))?;
        if !current.forward.targets.contains(url) {
            super::refuse::admit_with(forwarder.guard(), next.allow_remote_targets, &field, url)
                .await?;
        }
    }
    Ok(())
}
