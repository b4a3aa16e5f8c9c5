//! The control API, `/api/v1`, and the inspector's pages. One module per resource.
//!
//! Every request passes [`guard`]: the Host must name this loopback listener (no DNS
//! rebinding), a cross-site Origin is refused, and all but `/api/v1/health` and `/login`
//! need the token, as a bearer header or the cookie `/login` sets.

mod auth;
mod capture;
mod deliveries;
mod endpoints;
mod error;
mod events;
mod export;
mod notifications;
mod requests;
mod rules;
mod settings;
mod test_events;
mod tunnel;
pub mod types;
mod ui;

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::Shared;
pub use error::ApiError;
use types::{ErrorBody, Health, Status};

pub type ApiResult<T> = Result<T, ApiError>;

pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hooklens control API",
        description = "Inspect, search and export the webhooks Hooklens captured. Loopback \
            only; send `Authorization: Bearer <token>`.",
    ),
    modifiers(&BearerAuth),
    security(("token" = [])),
    components(schemas(ErrorBody))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API and the inspector's pages, with the guard in front.
pub(crate) fn app(shared: Arc<Shared>) -> Router {
    let (router, openapi) = api_router().split_for_parts();
    let openapi = Arc::new(unique_operation_ids(openapi));
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let openapi = openapi.clone();
                async move { Json(openapi.as_ref().clone()) }
            }),
        )
        .route("/login", get(auth::login))
        .route("/favicon.svg", get(favicon))
        .fallback(ui::serve)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            auth::guard,
        ))
        .with_state(shared)
}

/// The OpenAPI document, for tools that want it without a running engine.
pub fn openapi() -> utoipa::openapi::OpenApi {
    unique_operation_ids(api_router().into_openapi())
}

/// utoipa names an operation after its handler, and every resource module has its own `list`
/// or `get_one`; clients that generate code from the document need each name once. Prefix
/// each with its resource: `requests_list`, `rules_get_one`, `test_events_send`.
fn unique_operation_ids(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    for (path, item) in doc.paths.paths.iter_mut() {
        let resource = path
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap_or_default()
            .replace('-', "_");
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(id) = &op.operation_id
                && !id.starts_with(&format!("{resource}_"))
            {
                op.operation_id = Some(format!("{resource}_{id}"));
            }
        }
    }
    doc
}

/// Every documented route: the OpenAPI document is generated from this, so it cannot miss one.
fn api_router() -> OpenApiRouter<Arc<Shared>> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(status))
        .merge(requests::router())
        .merge(deliveries::router())
        .merge(endpoints::router())
        .merge(settings::router())
        .merge(events::router())
        .merge(export::router())
        .merge(test_events::router())
        .merge(rules::router())
        .merge(notifications::router())
        .merge(tunnel::router())
        .merge(capture::router())
}

/// Liveness; needs no token.
#[utoipa::path(get, path = "/api/v1/health", security(()),
    responses((status = 200, body = Health)))]
async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: VERSION.into(),
    })
}

/// Where the receiver listens, and what is stored.
#[utoipa::path(get, path = "/api/v1/status", responses((status = 200, body = Status)))]
async fn status(State(shared): State<Arc<Shared>>) -> ApiResult<Json<Status>> {
    Ok(Json(Status {
        version: VERSION.into(),
        receiver_url: format!("http://{}", shared.receiver_addr),
        api_url: format!("http://{}", shared.api_addr),
        max_body: shared.config.max_body,
        requests: shared.store.count_requests().await?,
    }))
}

async fn favicon() -> Response {
    (
        [(http::header::CONTENT_TYPE, "image/svg+xml")],
        include_str!("../../../../../icons/hooklens.svg"),
    )
        .into_response()
}
