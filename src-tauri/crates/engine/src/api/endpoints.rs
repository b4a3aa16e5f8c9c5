//! `/api/v1/endpoints`: named path prefixes with their own response.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use hooklens_store::{Endpoint, EndpointSpec, Store, merge_patch};
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

/// All named endpoints.
#[utoipa::path(get, path = "/api/v1/endpoints", responses((status = 200, body = Vec<Endpoint>)))]
async fn list(State(store): State<Store>) -> ApiResult<Json<Vec<Endpoint>>> {
    let endpoints = store.list_endpoints().await?;
    Ok(Json(endpoints.into_iter().map(masked).collect()))
}

/// Creates an endpoint; requests under its path land in it from now on.
#[utoipa::path(post, path = "/api/v1/endpoints", request_body = EndpointSpec,
    responses((status = 201, body = Endpoint), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn create(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    State(forwarder): State<Arc<Forwarder>>,
    JsonBody(spec): JsonBody<EndpointSpec>,
) -> ApiResult<(StatusCode, Json<Endpoint>)> {
    check_targets(&spec)?;
    super::refuse::endpoint(forwarder.guard(), &spec).await?;
    let endpoint = store.create_endpoint(spec).await?;
    catalog.reload_endpoints().await?;
    Ok((StatusCode::CREATED, Json(masked(endpoint))))
}

/// One endpoint.
#[utoipa::path(get, path = "/api/v1/endpoints/{id}", params(("id" = String, Path)),
    responses((status = 200, body = Endpoint), (status = 404, body = ErrorBody)))]
async fn get_one(State(store): State<Store>, Path(id): Path<String>) -> ApiResult<Json<Endpoint>> {
    Ok(Json(masked(store.get_endpoint(&id).await?)))
}

/// Changes an endpoint: a JSON merge patch over `{name, path, response}`.
#[utoipa::path(patch, path = "/api/v1/endpoints/{id}", params(("id" = String, Path)),
    request_body(content = Object, description = "JSON merge patch of an EndpointSpec"),
    responses((status = 200, body = Endpoint), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    State(forwarder): State<Arc<Forwarder>>,
    Path(id): Path<String>,
    JsonBody(patch): JsonBody<serde_json::Value>,
) -> ApiResult<Json<Endpoint>> {
    if !patch.is_object() {
        return Err(ApiError::invalid("the patch must be a JSON object"));
    }
    let current = store.get_endpoint(&id).await?;
    let stored = current.clone();
    let current = masked(current);
    let spec = EndpointSpec {
        name: current.name,
        path: current.path,
        response: current.response,
        forward: current.forward,
        retry: current.retry,
        relay: current.relay,
        signature: current.signature,
        public_url: current.public_url,
        answer_handshakes: current.answer_handshakes,
        forward_duplicates: current.forward_duplicates,
    };
    let mut doc = serde_json::to_value(&spec).map_err(|e| ApiError::invalid(e.to_string()))?;
    merge_patch(&mut doc, &patch);
    let spec: EndpointSpec = serde_json::from_value(doc)
        .map_err(|e| ApiError::invalid(format!("invalid endpoint: {e}")))?;
    let spec = unmasked(spec, &stored)?;
    check_targets(&spec)?;
    super::refuse::endpoint(forwarder.guard(), &spec).await?;
    let endpoint = store.update_endpoint(&id, spec).await?;
    catalog.reload_endpoints().await?;
    Ok(Json(masked(endpoint)))
}

/// Deletes an endpoint. Its requests stay, under the name they were captured with.
#[utoipa::path(delete, path = "/api/v1/endpoints/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_one(
    State(store): State<Store>,
    State(catalog): State<Arc<Catalog>>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store.delete_endpoint(&id).await?;
    catalog.reload_endpoints().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every forward target must be a URL the forwarder can use, and the signature's secrets
/// keys its scheme can use (a public key that parses, a `whsec_` secret).
fn check_targets(spec: &EndpointSpec) -> ApiResult<()> {
    for (i, target) in spec.forward.iter().enumerate() {
        crate::forward::target::map_url(target, Some(&spec.path), &spec.path, None)
            .map_err(|e| ApiError::invalid(e).on(format!("forward.{i}.url")))?;
    }
    if let Some(signature) = &spec.signature {
        crate::provider::signature::check_secrets(signature).map_err(ApiError::invalid)?;
    }
    Ok(())
}

/// Secrets (and Meta's verify token) never leave the engine: `whsec_MfKQ…LaSw`.
fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 12 {
        return "…".into();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

fn masked(mut endpoint: Endpoint) -> Endpoint {
    if let Some(signature) = &mut endpoint.signature {
        for secret in &mut signature.secrets {
            *secret = mask(secret);
        }
        if let Some(token) = &mut signature.verify_token {
            *token = mask(token);
        }
    }
    for target in &mut endpoint.forward {
        if let Some(resign) = &mut target.resign {
            resign.secret = mask(&resign.secret);
        }
    }
    endpoint
}

/// A patch carries back the masked secrets it was given; put the real ones back. A mask is
/// read first as the secret that stood in the same place (the same position in the
/// signature's list, the same target's re-signing secret), else as the one stored secret
/// with that mask; a mask that could stand for several is refused rather than guessed.
fn unmasked(mut spec: EndpointSpec, stored: &Endpoint) -> ApiResult<EndpointSpec> {
    let stored_signing: Vec<&str> = stored
        .signature
        .iter()
        .flat_map(|s| s.secrets.iter().map(String::as_str))
        .collect();
    let stored_resign: Vec<Option<&str>> = stored
        .forward
        .iter()
        .map(|t| t.resign.as_ref().map(|r| r.secret.as_str()))
        .collect();
    let all: Vec<&str> = stored_signing
        .iter()
        .copied()
        .chain(stored_resign.iter().flatten().copied())
        .collect();
    if let Some(signature) = &mut spec.signature {
        for (i, secret) in signature.secrets.iter_mut().enumerate() {
            restore(secret, stored_signing.get(i).copied(), &all)?;
        }
        let stored_token = stored
            .signature
            .as_ref()
            .and_then(|s| s.verify_token.as_deref());
        if let Some(token) = &mut signature.verify_token {
            restore(token, stored_token, &Vec::from_iter(stored_token))?;
        }
    }
    for (i, target) in spec.forward.iter_mut().enumerate() {
        if let Some(resign) = &mut target.resign {
            restore(
                &mut resign.secret,
                stored_resign.get(i).copied().flatten(),
                &all,
            )?;
        }
    }
    Ok(spec)
}

/// Puts back the real secret behind a mask the API showed (see [`unmasked`]).
fn restore(sent: &mut String, same_place: Option<&str>, stored: &[&str]) -> ApiResult<()> {
    if let Some(real) = same_place.filter(|real| mask(real) == *sent) {
        *sent = real.to_string();
        return Ok(());
    }
    let mut matches: Vec<&str> = stored
        .iter()
        .copied()
        .filter(|real| mask(real) == *sent)
        .collect();
    matches.dedup();
    match matches.as_slice() {
        [] => Ok(()), // a new secret
        [real] => {
            *sent = real.to_string();
            Ok(())
        }
        _ => Err(ApiError::invalid(format!(
            "the masked secret \"{sent}\" stands for several stored secrets: \
             send each secret itself, or keep them in their places"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_become_the_secrets_they_stand_for() {
        let long = "whsec_0123456789abcdef";
        let (short_a, short_b) = ("abc", "xyz");
        /// (sent, same place, stored) -> restored, or None for a refusal
        type Case<'a> = (&'a str, Option<&'a str>, &'a [&'a str], Option<&'a str>);
        let cases: &[Case] = &[
            ("whsec_…cdef", Some(long), &[long], Some(long)),
            ("whsec_…cdef", None, &[short_a, long], Some(long)),
            ("…", Some(short_b), &[short_a, short_b], Some(short_b)),
            ("…", Some(short_a), &[short_a, short_b], Some(short_a)),
            ("…", None, &[short_a, short_b], None),
            ("…", None, &[short_a, short_a], Some(short_a)),
            ("new-secret", Some(long), &[long], Some("new-secret")),
        ];
        for &(sent, same_place, stored, want) in cases {
            let mut secret = sent.to_string();
            let got = restore(&mut secret, same_place, stored)
                .ok()
                .map(|()| secret);
            assert_eq!(got.as_deref(), want, "{sent} {same_place:?} {stored:?}");
        }
    }
}
