//! `/api/v1/rules`: conditions on captures, and what to do when they hold.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use hooklens_store::{Rule, RuleSpec, Store, merge_patch};
use http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::extract::JsonBody;
use super::types::ErrorBody;
use super::{ApiError, ApiResult};
use crate::catalog::Catalog;
use crate::forward::Forwarder;

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update, delete_one))
}

/// Checks that a rule compiles before it is stored.
fn check(spec: &RuleSpec) -> ApiResult<()> {
    let probe = Rule {
        id: String::new(),
        spec: spec.clone(),
        created_at: String::new(),
    };
    crate::rules::compile(&probe)
        .map(|_| ())
        .map_err(ApiError::invalid)
}

/// All rules, in the order they apply.
#[utoipa::path(get, path = "/api/v1/rules", responses((status = 200, body = Vec<Rule>)))]
async fn list(State(store): State<Store>) -> ApiResult<Json<Vec<Rule>>> {
    Ok(Json(store.list_rules().await?))
}

/// Adds a rule; it applies to requests captured from now on.
#[utoipa::path(post, path = "/api/v1/rules", request_body = RuleSpec,
    responses((status = 201, body = Rule), (status = 400, body = ErrorBody)))]
async fn create(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    State(forwarder): State<Arc<Forwarder>>,
    JsonBody(spec): JsonBody<RuleSpec>,
) -> ApiResult<(StatusCode, Json<Rule>)> {
    check(&spec)?;
    super::refuse::rule(forwarder.guard(), &spec).await?;
    let rule = store.create_rule(spec).await?;
    catalog.reload_rules().await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// One rule.
#[utoipa::path(get, path = "/api/v1/rules/{id}", params(("id" = String, Path)),
    responses((status = 200, body = Rule), (status = 404, body = ErrorBody)))]
async fn get_one(State(store): State<Store>, Path(id): Path<String>) -> ApiResult<Json<Rule>> {
    Ok(Json(store.get_rule(&id).await?))
}

/// Changes a rule: a JSON merge patch over its spec (e.g. `{"enabled": false}`).
#[utoipa::path(patch, path = "/api/v1/rules/{id}", params(("id" = String, Path)),
    request_body(content = Object, description = "JSON merge patch of a RuleSpec"),
    responses((status = 200, body = Rule), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn update(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    State(forwarder): State<Arc<Forwarder>>,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Rule>> {
    if !patch.is_object() {
        return Err(ApiError::invalid("the patch must be a JSON object"));
    }
    let current = store.get_rule(&id).await?;
    let mut doc =
        serde_json::to_value(&current.spec).map_err(|e| ApiError::invalid(e.to_string()))?;
    merge_patch(&mut doc, &patch);
    let spec: RuleSpec =
        serde_json::from_value(doc).map_err(|e| ApiError::invalid(format!("invalid rule: {e}")))?;
    check(&spec)?;
    super::refuse::rule(forwarder.guard(), &spec).await?;
    let rule = store.update_rule(&id, spec).await?;
    catalog.reload_rules().await?;
    Ok(Json(rule))
}

/// Deletes a rule.
#[utoipa::path(delete, path = "/api/v1/rules/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_one(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store.delete_rule(&id).await?;
    catalog.reload_rules().await?;
    Ok(StatusCode::NO_CONTENT)
}
