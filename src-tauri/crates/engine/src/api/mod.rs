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

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
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
    let openapi = Arc::new(openapi);
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
        .route("/", get(landing))
        .fallback(|| async { ApiError::not_found("no such page or API route") })
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            auth::guard,
        ))
        .with_state(shared)
}

/// The OpenAPI document, for tools that want it without a running engine.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_router().into_openapi()
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

/// The inspector's first page. It shows where to send webhooks; the full inspector UI is
/// served here too once it is built.
async fn landing(State(shared): State<Arc<Shared>>) -> Response {
    let receiver = format!("http://{}", shared.receiver_addr);
    let page = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>Hooklens</title>\
         <link rel=icon href=/favicon.svg>\
         <h1>Hooklens</h1>\
         <p>Send webhooks to <code>{receiver}/</code>, for example:</p>\
         <pre>curl -X POST {receiver}/hello -H 'content-type: application/json' -d '{{\"hello\":\"world\"}}'</pre>\
         <p>Captured requests: <a href=/api/v1/requests>/api/v1/requests</a> · \
         live: <a href=/api/v1/events>/api/v1/events</a> · \
         API description: <a href=/api/v1/openapi.json>/api/v1/openapi.json</a></p></html>"
    );
    Html(page).into_response()
}

async fn favicon() -> Response {
    (
        [(http::header::CONTENT_TYPE, "image/svg+xml")],
        include_str!("../../../../../icons/hooklens.svg"),
    )
        .into_response()
}
