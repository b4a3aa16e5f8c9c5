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
mod extract;
mod import;
mod mcp;
mod notifications;
mod refuse;
mod relay;
mod requests;
mod rules;
mod settings;
mod state;
mod stats;
mod test_events;
mod tunnel;
pub mod types;
mod ui;
mod wait;

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use error::ApiError;
use hooklens_store::Store;
pub(crate) use state::{Access, Api};
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
pub(crate) fn app(api: Api) -> Router {
    let (router, openapi) = api_router().split_for_parts();
    let openapi = Arc::new(document(openapi));
    router
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let openapi = openapi.clone();
                async move { Json(openapi.as_ref().clone()) }
            }),
        )
        .nest_service("/mcp", mcp::service(&api))
        .route("/login", get(auth::login))
        .route("/favicon.svg", get(favicon))
        .fallback(ui::serve)
        .layer(axum::middleware::from_fn_with_state(
            api.access.clone(),
            auth::guard,
        ))
        .with_state(api)
}

/// The OpenAPI document, for tools that want it without a running engine.
pub fn openapi() -> utoipa::openapi::OpenApi {
    document(api_router().into_openapi())
}

/// What the router's annotations leave out: unique operation ids, the shared refusals, and
/// flattened resources as one object.
fn document(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    unique_operation_ids(&mut doc);
    document_errors(&mut doc);
    merge_flattened(&mut doc);
    doc
}

/// Every operation of a path item.
fn operations(item: &mut utoipa::openapi::PathItem) -> impl Iterator<Item = &mut Operation> {
    [
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
}

/// utoipa names an operation after its handler, and every resource module has its own `list`
/// or `get_one`; clients that generate code from the document need each name once. Prefix
/// each with its resource: `requests_list`, `rules_get_one`, `test_events_send`.
fn unique_operation_ids(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let resource = path
            .trim_start_matches("/api/v1/")
            .split('/')
            .next()
            .unwrap_or_default()
            .replace('-', "_");
        for op in operations(item) {
            if let Some(id) = &op.operation_id
                && !id.starts_with(&format!("{resource}_"))
            {
                op.operation_id = Some(format!("{resource}_{id}"));
            }
        }
    }
}

/// A resource that flattens its spec (`Rule`: `id`, the `RuleSpec` fields, `created_at`)
/// comes out of utoipa as `allOf: [RuleSpec, {id, created_at}]`, and the spec's
/// `additionalProperties: false` then forbids the resource's own fields: every stored rule
/// contradicted its schema (schemathesis found it). Such schemas are written out as one
/// object with all the properties.
fn merge_flattened(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{Object, RefOr, Schema};
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let named = components.schemas.clone();
    let object = |part: &RefOr<Schema>| -> Option<Object> {
        let schema = match part {
            RefOr::T(schema) => schema,
            RefOr::Ref(r) => match named.get(r.ref_location.rsplit('/').next()?)? {
                RefOr::T(schema) => schema,
                RefOr::Ref(_) => return None,
            },
        };
        match schema {
            Schema::Object(o) => Some(o.clone()),
            _ => None,
        }
    };
    for schema in components.schemas.values_mut() {
        let RefOr::T(Schema::AllOf(all)) = schema else {
            continue;
        };
        let Some(parts) = all.items.iter().map(&object).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let mut merged = Object::new();
        merged.description = all.description.clone();
        for part in parts {
            merged.properties.extend(part.properties);
            merged.required.extend(part.required);
            if part.additional_properties.is_some() {
                merged.additional_properties = part.additional_properties;
            }
        }
        *schema = RefOr::T(Schema::Object(merged));
    }
}

/// The refusals every route can give, documented once rather than on each handler: the
/// guard's 401 (no or wrong token) and 403 (foreign Host or a cross-site Origin) on every
/// route that needs the token, and 400 wherever a query string or a body can fail to parse.
fn document_errors(openapi: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let error = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build()
    };
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item) {
            let open = operation
                .security
                .as_ref()
                .is_some_and(|s| s.iter().any(|r| *r == Default::default()));
            let responses = &mut operation.responses.responses;
            if !open {
                responses
                    .entry("401".into())
                    .or_insert_with(|| error("no token, or a wrong one").into());
                responses
                    .entry("403".into())
                    .or_insert_with(|| error("a foreign Host or a cross-site Origin").into());
            }
            let parsed = operation.request_body.is_some()
                || operation.parameters.as_ref().is_some_and(|p| {
                    p.iter()
                        .any(|p| p.parameter_in == utoipa::openapi::path::ParameterIn::Query)
                });
            if parsed {
                responses
                    .entry("400".into())
                    .or_insert_with(|| error("a query or body that does not parse").into());
            }
        }
    }
}

/// Every documented route: the OpenAPI document is generated from this, so it cannot miss one.
fn api_router() -> OpenApiRouter<Api> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health))
        .routes(routes!(status))
        .merge(requests::router())
        .merge(wait::router())
        .merge(deliveries::router())
        .merge(endpoints::router())
        .merge(settings::router())
        .merge(events::router())
        .merge(export::router())
        .merge(import::router())
        .merge(test_events::router())
        .merge(rules::router())
        .merge(notifications::router())
        .merge(tunnel::router())
        .merge(relay::router())
        .merge(stats::router())
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
async fn status(
    State(access): State<Arc<Access>>,
    State(store): State<Store>,
) -> ApiResult<Json<Status>> {
    Ok(Json(Status {
        version: VERSION.into(),
        receiver_url: format!("http://{}", access.receiver),
        api_url: format!("http://{}", access.api),
        max_body: access.max_body,
        requests: store.count_requests().await?,
        storage: store.location(),
    }))
}

async fn favicon() -> Response {
    (
        [(http::header::CONTENT_TYPE, "image/svg+xml")],
        include_str!("../../../../../icons/hooklens.svg"),
    )
        .into_response()
}
