//! Forwarding in the API: replay (edited or not, one or many), deliveries with their
//! attempts, and the targets' health.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRef, Path, State};
use hooklens_store::{
    DeliveryFilter, DeliveryKind, DeliveryState, ForwardTarget, Overrides, PathMode, Request,
    Resign, Store,
};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::extract::{JsonBody, QueryParams};
use super::types::{DeliveryJson, ErrorBody, RequestQuery};
use super::{ApiError, ApiResult};
use crate::catalog::Catalog;
use crate::forward::Forwarder;
use crate::forward::TargetStatus;
use crate::forward::routes::Routes;
use crate::forward::target::map_url;

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(replay_one))
        .routes(routes!(replay_many))
        .routes(routes!(of_request))
        .routes(routes!(list))
        .routes(routes!(get_one))
        .routes(routes!(targets))
        .routes(routes!(blocked))
        .routes(routes!(retry_blocked))
}

/// What to replay, and how to change it first.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    /// Send to this URL exactly (plus the captured query). Default: the request's endpoint
    /// target, or the global `--forward-to`, mapped as when it was captured.
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub method: Option<String>,
    /// Path and query to send instead of the mapped ones, e.g. `/webhooks?test=1`.
    #[serde(default)]
    pub path: Option<String>,
    /// Replaces all captured headers.
    #[serde(default)]
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub headers: Option<Vec<(String, String)>>,
    #[serde(default)]
    pub body_base64: Option<String>,
    /// Re-sign with this scheme and secret and the current time, so the replay passes your
    /// code's signature and tolerance checks.
    #[serde(default)]
    pub resign: Option<Resign>,
}

/// Replays many requests: those listed, or those matching a filter.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkReplayBody {
    /// Request ids. Either this or `filter`.
    #[serde(default)]
    pub ids: Option<Vec<String>>,
    /// The same filters as `GET /api/v1/requests` (`endpoint`, `method`, `q`, `since`,
    /// `until`, `pinned`); at most 1000 requests, the newest.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub filter: Option<serde_json::Value>,
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkReplayed {
    pub deliveries: Vec<DeliveryJson>,
    /// Requests that could not be replayed, with why.
    #[schema(value_type = Vec<Vec<String>>)]
    pub skipped: Vec<(String, String)>,
}

/// Replays a request, edited or not: a new delivery, attempted at once and retried like
/// any other.
#[utoipa::path(post, path = "/api/v1/requests/{id}/replay", params(("id" = String, Path)),
    request_body(content = ReplayBody, description = "all fields optional"),
    responses((status = 202, body = DeliveryJson), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn replay_one(
    State(replayer): State<Replayer>,
    Path(id): Path<String>,
    body: Option<JsonBody<ReplayBody>>,
) -> ApiResult<(StatusCode, Json<DeliveryJson>)> {
    let body = body.map(|JsonBody(b)| b).unwrap_or_default();
    let request = replayer.store.get_request(&id).await?;
    let overrides = Overrides {
        method: body.method,
        path: body.path,
        headers: body.headers,
        body_base64: body.body_base64,
    };
    let delivery = replayer
        .replay(&request, body.target.as_deref(), overrides, body.resign)
        .await?;
    Ok((StatusCode::ACCEPTED, Json(delivery)))
}

/// Replays many requests as they were captured.
#[utoipa::path(post, path = "/api/v1/replay", request_body = BulkReplayBody,
    responses((status = 202, body = BulkReplayed), (status = 400, body = ErrorBody)))]
async fn replay_many(
    State(replayer): State<Replayer>,
    JsonBody(body): JsonBody<BulkReplayBody>,
) -> ApiResult<(StatusCode, Json<BulkReplayed>)> {
    let ids: Vec<String> = match (body.ids, body.filter) {
        (Some(ids), None) => ids,
        (None, Some(filter)) => {
            let query: RequestQuery = serde_json::from_value(filter)
                .map_err(|e| ApiError::invalid(format!("filter: {e}")))?;
            let mut filter = query.to_filter()?;
            filter.limit = 1000;
            let page = replayer.store.list_requests(filter).await?;
            page.items.into_iter().rev().map(|r| r.meta.id).collect()
        }
        _ => return Err(ApiError::invalid("give either `ids` or `filter`")),
    };
    if ids.len() > 1000 {
        return Err(ApiError::invalid("at most 1000 requests at once"));
    }
    if let Some(target) = &body.target {
        super::refuse::admit(replayer.forwarder.guard(), "target", target).await?;
    }
    let mut out = BulkReplayed {
        deliveries: Vec::new(),
        skipped: Vec::new(),
    };
    for id in ids {
        let result = match replayer.store.get_request(&id).await {
            Ok(request) => {
                replayer
                    .replay(&request, body.target.as_deref(), Overrides::default(), None)
                    .await
            }
            Err(e) => Err(e.into()),
        };
        match result {
            Ok(delivery) => out.deliveries.push(delivery),
            Err(e) => out.skipped.push((id, e.message)),
        }
    }
    Ok((StatusCode::ACCEPTED, Json(out)))
}

/// What a replay reads and queues with.
#[derive(Clone)]
pub(super) struct Replayer {
    store: Store,
    catalog: Arc<Catalog>,
    routes: Arc<Routes>,
    forwarder: Arc<Forwarder>,
}

impl FromRef<Api> for Replayer {
    fn from_ref(api: &Api) -> Replayer {
        Replayer {
            store: api.store.clone(),
            catalog: api.catalog.clone(),
            routes: api.routes.clone(),
            forwarder: api.forwarder.clone(),
        }
    }
}

impl Replayer {
    /// Refuses a `target` no replay may go to, before anything is captured or queued for it.
    pub(super) async fn admit_target(&self, url: &str) -> ApiResult<()> {
        super::refuse::admit(self.forwarder.guard(), "target", url).await
    }

    /// Queues a replay of `request`.
    pub(super) async fn replay(
        &self,
        request: &Request,
        target: Option<&str>,
        overrides: Overrides,
        resign: Option<Resign>,
    ) -> ApiResult<DeliveryJson> {
        let endpoint = self.catalog.endpoint_for(&request.meta.path);
        let asked = target.is_some();
        let (target, prefix, retry) = match target {
            Some(url) => (
                ForwardTarget {
                    url: url.to_string(),
                    path: PathMode::Fixed,
                    headers: Vec::new(),
                    resign: None,
                },
                None,
                self.routes.retry().clone(),
            ),
            None => self
                .routes
                .first(endpoint.as_ref(), &request.meta.path)
                .ok_or_else(|| {
                    ApiError::invalid(
                        "nowhere to replay to: pass `target`, add a target under Forward to \
                         (settings `forward.targets`), give the endpoint a forward target, \
                         or start Hooklens with --forward-to",
                    )
                })?,
        };
        let refused = super::refuse::admit(self.forwarder.guard(), "target", &target.url).await;
        if let Err(mut refusal) = refused {
            refusal.field = asked.then_some(refusal.field).flatten();
            return Err(refusal);
        }
        let url = map_url(
            &target,
            prefix.as_deref(),
            &request.meta.path,
            request.meta.query.as_deref(),
        )
        .map_err(|e| match asked {
            true => ApiError::invalid(e).on("target"),
            false => ApiError::invalid(e),
        })?;
        let mut new = crate::forward::new_delivery(
            DeliveryKind::Replay,
            &target,
            url,
            retry,
            self.forwarder.now_us(),
        );
        if overrides != Overrides::default() {
            new.spec.overrides = Some(overrides);
        }
        if let Some(resign) = &resign {
            resign.validate()?;
        }
        if resign.is_some() {
            new.spec.resign = resign;
        }
        let delivery = self.forwarder.enqueue(&request.meta.id, new).await?;
        Ok(DeliveryJson::from_delivery(&delivery, None))
    }
}

/// A request's deliveries with all their attempts, newest first.
#[utoipa::path(get, path = "/api/v1/requests/{id}/deliveries", params(("id" = String, Path)),
    responses((status = 200, body = Vec<DeliveryJson>), (status = 404, body = ErrorBody)))]
async fn of_request(
    State(store): State<Store>,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<DeliveryJson>>> {
    store.get_request(&id).await?; // 404 for an unknown request
    let deliveries = store
        .list_deliveries(DeliveryFilter {
            request_id: Some(id),
            limit: 1000,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::with_capacity(deliveries.len());
    for d in deliveries {
        let attempts = store.attempts(d.seq).await?;
        out.push(DeliveryJson::from_delivery(&d, Some(&attempts)));
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct DeliveryQuery {
    /// `pending`, `succeeded` or `failed`.
    state: Option<DeliveryState>,
    /// Page size, 1–1000 (default 50).
    limit: Option<usize>,
    /// The `next` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    pub items: Vec<DeliveryJson>,
    pub next: Option<String>,
}

/// Recent deliveries, newest first, without attempts.
#[utoipa::path(get, path = "/api/v1/deliveries", params(DeliveryQuery),
    responses((status = 200, body = DeliveryPage), (status = 400, body = ErrorBody)))]
async fn list(
    State(store): State<Store>,
    QueryParams(query): QueryParams<DeliveryQuery>,
) -> ApiResult<Json<DeliveryPage>> {
    let limit = query.limit.unwrap_or(50).clamp(1, 1000);
    let before_seq = query
        .cursor
        .map(|c| c.parse::<i64>())
        .transpose()
        .map_err(|_| ApiError::invalid("cursor must be the `next` of a previous page"))?;
    let mut items = store
        .list_deliveries(DeliveryFilter {
            state: query.state,
            before_seq,
            limit: limit + 1,
            ..Default::default()
        })
        .await?;
    let next = (items.len() > limit).then(|| {
        items.truncate(limit);
        items.last().map(|d| d.seq.to_string())
    });
    Ok(Json(DeliveryPage {
        items: items
            .iter()
            .map(|d| DeliveryJson::from_delivery(d, None))
            .collect(),
        next: next.flatten(),
    }))
}

/// One delivery with its attempts.
#[utoipa::path(get, path = "/api/v1/deliveries/{id}", params(("id" = String, Path)),
    responses((status = 200, body = DeliveryJson), (status = 404, body = ErrorBody)))]
async fn get_one(
    State(store): State<Store>,
    Path(id): Path<String>,
) -> ApiResult<Json<DeliveryJson>> {
    let delivery = store.get_delivery(&id).await?;
    let attempts = store.attempts(delivery.seq).await?;
    Ok(Json(DeliveryJson::from_delivery(
        &delivery,
        Some(&attempts),
    )))
}

/// Forward targets: up or down (since when, why), failures in a row, deliveries waiting.
#[utoipa::path(get, path = "/api/v1/targets",
    responses((status = 200, body = Vec<TargetStatus>)))]
async fn targets(State(forwarder): State<Arc<Forwarder>>) -> ApiResult<Json<Vec<TargetStatus>>> {
    Ok(Json(forwarder.targets().await?))
}

/// Deliveries the loopback guard blocked.
#[derive(Debug, Serialize, ToSchema)]
pub struct Blocked {
    /// Failed deliveries whose last attempt was `blocked`: their target was not a loopback
    /// address while `allow_remote_targets` was off.
    pub count: u64,
}

/// How many failed deliveries were blocked by the loopback guard (to offer retrying them
/// once `allow_remote_targets` is on).
#[utoipa::path(get, path = "/api/v1/deliveries/blocked",
    responses((status = 200, body = Blocked)))]
async fn blocked(State(store): State<Store>) -> ApiResult<Json<Blocked>> {
    Ok(Json(Blocked {
        count: store.count_blocked().await?,
    }))
}

/// How many deliveries were queued again.
#[derive(Debug, Serialize, ToSchema)]
pub struct Retried {
    pub retried: u64,
}

/// Queues every blocked delivery again, at once, keeping its attempts. Refused (400) while
/// `allow_remote_targets` is off: they would only be blocked again.
#[utoipa::path(post, path = "/api/v1/deliveries/blocked/retry",
    responses((status = 200, body = Retried), (status = 400, body = ErrorBody)))]
async fn retry_blocked(State(forwarder): State<Arc<Forwarder>>) -> ApiResult<Json<Retried>> {
    if !forwarder.guard().allows_remote() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "remote_target",
            "blocked deliveries go to addresses off loopback: turn on the setting \
             allow_remote_targets first",
        ));
    }
    Ok(Json(Retried {
        retried: forwarder.retry_blocked().await?,
    }))
}
