//! `/api/v1/requests`: list, read, pin, delete.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::Response;
use hooklens_store::{DeliveryState, RequestFilter, Store};
use http::{HeaderValue, StatusCode, header};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::extract::JsonBody;
use super::extract::QueryParams;
use super::types::{Removed, RequestJson, RequestPage, RequestQuery};
use super::{ApiError, ApiResult};
use crate::{Event, EventBus, RemovalReason};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(list, clear))
        .routes(routes!(get_one, delete_one))
        .routes(routes!(body))
        .routes(routes!(pin, unpin))
        .routes(routes!(add_tag))
        .routes(routes!(remove_tag))
}

impl RequestQuery {
    /// Turns query parameters into a store filter, with messages for bad values.
    pub(super) fn to_filter(&self) -> ApiResult<RequestFilter> {
        let before_seq =
            match &self.cursor {
                Some(c) => Some(c.parse::<i64>().map_err(|_| {
                    ApiError::invalid("cursor must be the `next` of a previous page")
                })?),
                None => None,
            };
        Ok(RequestFilter {
            endpoint: self.endpoint.clone().filter(|s| !s.is_empty()),
            method: self.method.clone().filter(|s| !s.is_empty()),
            provider: self.provider.clone().filter(|s| !s.is_empty()),
            event_type: self.event_type.clone().filter(|s| !s.is_empty()),
            signature: self.signature.clone().filter(|s| !s.is_empty()),
            tag: self.tag.clone().filter(|s| !s.is_empty()),
            q: self.q.clone().filter(|s| !s.trim().is_empty()),
            since_us: self.since.as_deref().map(parse_time).transpose()?,
            until_us: self.until.as_deref().map(parse_time).transpose()?,
            pinned: self.pinned,
            duplicate: self.duplicate,
            ids: parse_ids(self.ids.as_deref())?,
            delivery: match self.delivery.as_deref().filter(|s| !s.is_empty()) {
                None => None,
                Some("none") => Some(None),
                Some("pending") => Some(Some(DeliveryState::Pending)),
                Some("succeeded") => Some(Some(DeliveryState::Succeeded)),
                Some("failed") => Some(Some(DeliveryState::Failed)),
                Some(other) => {
                    return Err(ApiError::invalid(format!(
                        "delivery {other:?} must be pending, succeeded, failed or none"
                    )));
                }
            },
            before_seq,
            limit: self.limit.unwrap_or(50),
        })
    }
}

/// `a,b,c` as ids; at most 1000, so one query stays cheap.
fn parse_ids(ids: Option<&str>) -> ApiResult<Vec<String>> {
    let ids: Vec<String> = ids
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if ids.len() > 1000 {
        return Err(ApiError::invalid(format!(
            "ids lists {} requests; at most 1000 at once",
            ids.len()
        )));
    }
    Ok(ids)
}

/// RFC 3339 (`2026-11-28T10:00:00Z`) or microseconds since the Unix epoch.
fn parse_time(s: &str) -> ApiResult<i64> {
    if let Ok(us) = s.parse::<i64>() {
        return Ok(us);
    }
    humantime::parse_rfc3339_weak(s)
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_micros() as i64)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "time {s:?} is neither RFC 3339 (2026-11-28T10:00:00Z) nor microseconds since 1970"
            ))
        })
}

/// Captured requests, newest first, without bodies.
#[utoipa::path(get, path = "/api/v1/requests", params(RequestQuery),
    responses((status = 200, body = RequestPage), (status = 400, body = super::types::ErrorBody)))]
async fn list(
    State(store): State<Store>,
    QueryParams(query): QueryParams<RequestQuery>,
) -> ApiResult<Json<RequestPage>> {
    let page = store.list_requests(query.to_filter()?).await?;
    Ok(Json(RequestPage {
        items: page.items.iter().map(RequestJson::listed).collect(),
        next: page.next.map(|seq| seq.to_string()),
    }))
}

/// One request, with its body as base64 and, when UTF-8, as text.
#[utoipa::path(get, path = "/api/v1/requests/{id}", params(("id" = String, Path)),
    responses((status = 200, body = RequestJson), (status = 404, body = super::types::ErrorBody)))]
async fn get_one(
    State(store): State<Store>,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestJson>> {
    let request = store.get_request(&id).await?;
    Ok(Json(RequestJson::from_request(&request)))
}

/// The raw body bytes, with the original Content-Type. Served sandboxed: a captured HTML
/// body cannot run script in the API's origin.
#[utoipa::path(get, path = "/api/v1/requests/{id}/body", params(("id" = String, Path)),
    responses((status = 200, description = "the body, byte for byte, with the Content-Type it was captured with (application/octet-stream when it had none)", content_type = "*/*"),
        (status = 404, body = super::types::ErrorBody)))]
async fn body(State(store): State<Store>, Path(id): Path<String>) -> ApiResult<Response> {
    let request = store.get_request(&id).await?;
    let content_type = request
        .meta
        .header("content-type")
        .and_then(|ct| HeaderValue::from_str(&ct).ok())
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let mut response = Response::new(Body::from(request.body.unwrap_or_default()));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type);
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("sandbox; default-src 'none'"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("inline; filename=\"{id}.body\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// Deletes one request, pinned or not.
#[utoipa::path(delete, path = "/api/v1/requests/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = super::types::ErrorBody)))]
async fn delete_one(
    State(store): State<Store>,
    State(events): State<EventBus>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    store.delete_request(&id).await?;
    events.emit(Event::RequestDeleted { id });
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes every unpinned request.
#[utoipa::path(delete, path = "/api/v1/requests", responses((status = 200, body = Removed)))]
async fn clear(
    State(store): State<Store>,
    State(events): State<EventBus>,
) -> ApiResult<Json<Removed>> {
    let deleted = store.clear_requests().await?;
    events.emit(Event::RequestsRemoved {
        count: deleted,
        reason: RemovalReason::Cleared,
    });
    Ok(Json(Removed { deleted }))
}

/// Pins a request: retention and clearing never delete it.
#[utoipa::path(post, path = "/api/v1/requests/{id}/pin", params(("id" = String, Path)),
    responses((status = 200, body = RequestJson), (status = 404, body = super::types::ErrorBody)))]
async fn pin(
    State(store): State<Store>,
    State(events): State<EventBus>,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestJson>> {
    set_pinned(&store, &events, id, true).await
}

/// Unpins a request.
#[utoipa::path(delete, path = "/api/v1/requests/{id}/pin", params(("id" = String, Path)),
    responses((status = 200, body = RequestJson), (status = 404, body = super::types::ErrorBody)))]
async fn unpin(
    State(store): State<Store>,
    State(events): State<EventBus>,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestJson>> {
    set_pinned(&store, &events, id, false).await
}

async fn set_pinned(
    store: &Store,
    events: &EventBus,
    id: String,
    pinned: bool,
) -> ApiResult<Json<RequestJson>> {
    store.set_pinned(&id, pinned).await?;
    updated(store, events, id).await
}

/// The request after a change, also told to the live stream.
async fn updated(store: &Store, events: &EventBus, id: String) -> ApiResult<Json<RequestJson>> {
    let request = store.get_request(&id).await?;
    events.emit(Event::RequestUpdated {
        id,
        pinned: request.pinned,
        tags: request.meta.tags.clone(),
    });
    Ok(Json(RequestJson::listed(&request)))
}

/// A tag to add by hand.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagBody {
    /// 1–64 characters, no commas.
    pub tag: String,
}

/// Tags a request by hand (rules tag requests as they arrive).
#[utoipa::path(post, path = "/api/v1/requests/{id}/tags", params(("id" = String, Path)),
    request_body = TagBody,
    responses((status = 200, body = RequestJson), (status = 400, body = super::types::ErrorBody),
        (status = 404, body = super::types::ErrorBody)))]
async fn add_tag(
    State(store): State<Store>,
    State(events): State<EventBus>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TagBody>,
) -> ApiResult<Json<RequestJson>> {
    let tag = body.tag.trim();
    if tag.is_empty() || tag.chars().count() > 64 || tag.contains(',') {
        return Err(ApiError::invalid(
            "a tag is 1 to 64 characters and has no comma",
        ));
    }
    store.tag_request(&id, tag, true).await?;
    updated(&store, &events, id).await
}

/// Removes a tag from a request.
#[utoipa::path(delete, path = "/api/v1/requests/{id}/tags/{tag}",
    params(("id" = String, Path), ("tag" = String, Path)),
    responses((status = 200, body = RequestJson), (status = 404, body = super::types::ErrorBody)))]
async fn remove_tag(
    State(store): State<Store>,
    State(events): State<EventBus>,
    Path((id, tag)): Path<(String, String)>,
) -> ApiResult<Json<RequestJson>> {
    store.tag_request(&id, &tag, false).await?;
    updated(&store, &events, id).await
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn parse_time_table() {
        assert_eq!(
            parse_time("1700000000000000").ok(),
            Some(1_700_000_000_000_000)
        );
        assert_eq!(
            parse_time("2023-11-14T22:13:20Z").ok(),
            Some(1_700_000_000_000_000)
        );
        assert_eq!(
            parse_time("2023-11-14T22:13:20.5Z").ok(),
            Some(1_700_000_000_500_000)
        );
        let err = parse_time("yesterday").expect_err("not a time");
        assert!(err.message.contains("RFC 3339"));
    }
}
