//! `GET /api/v1/requests/wait`: the first capture matching a filter, as soon as it is stored.
//!
//! For test suites and agents: "create an order, then wait for `order.created`". The
//! position to wait from is fixed first (the request `after`, or the newest stored), the
//! store's commits are watched next (`Store::watch_commits`), and only then is the store
//! asked: a capture that commits at any moment after that position is either in the
//! store's answer or moves the watch, so none slips between. Each move asks the store again
//! from where the last look ended, which also keeps the filter's meaning exactly the list's.
//! The watch, not the event bus: it moves when a capture gets its position, on this
//! instance or any other sharing the database (on PostgreSQL a capture is announced a moment
//! before it is numbered). A full-text `q` cannot match what the indexer has not reached
//! yet: the store says so and the waiter looks again a moment later.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use hooklens_store::{Store, StoreError};
use http::StatusCode;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::QueryParams;
use super::types::{ErrorBody, RequestJson, RequestQuery};
use super::{Api, ApiError, ApiResult};

/// The longest wait one call may ask for.
const MAX_TIMEOUT_MS: u64 = 60_000;
const DEFAULT_TIMEOUT_MS: u64 = 30_000;
/// How soon to look again when matches may hide in requests not yet indexed (the indexer
/// runs once the writer is idle for 10 ms, and every 200 ms under load).
const INDEX_RECHECK: Duration = Duration::from_millis(20);

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(wait))
}

/// The list's filters, plus where to wait from and for how long.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WaitQuery {
    /// Full-text search over path, query, headers and text bodies; every word must match,
    /// the last as a prefix.
    pub q: Option<String>,
    /// Endpoint name or id; `default` for requests outside any named endpoint.
    pub endpoint: Option<String>,
    /// HTTP method, any case.
    pub method: Option<String>,
    /// Provider: `stripe`, `github`, `twilio`, … (the signature schemes' names).
    pub provider: Option<String>,
    /// Event type; `*` matches anything, e.g. `payment_intent.*`.
    pub event_type: Option<String>,
    /// Signature status: `valid`, `invalid`, `missing`, `unconfigured`.
    pub signature: Option<String>,
    /// A tag given by a rule.
    pub tag: Option<String>,
    /// Only requests received at or after this time (RFC 3339, or microseconds since epoch).
    pub since: Option<String>,
    /// A request id: answer with the first match stored after it, even one stored before
    /// this call (so nothing is missed between two waits). Default: the first match stored
    /// after this call.
    pub after: Option<String>,
    /// How long to wait, 0–60000 ms (default 30000).
    pub timeout_ms: Option<u64>,
}

impl WaitQuery {
    fn filter(&self) -> ApiResult<hooklens_store::RequestFilter> {
        RequestQuery {
            q: self.q.clone(),
            endpoint: self.endpoint.clone(),
            method: self.method.clone(),
            provider: self.provider.clone(),
            event_type: self.event_type.clone(),
            signature: self.signature.clone(),
            tag: self.tag.clone(),
            since: self.since.clone(),
            ..Default::default()
        }
        .to_filter()
    }
}

/// Waits for the first request matching the filters stored after `after` (or after this
/// call) and answers with it as `GET /api/v1/requests/{id}` does, as soon as it is stored;
/// `408` when `timeout_ms` runs out first. E.g. `GET
/// /api/v1/requests/wait?event_type=order.created&timeout_ms=10000`.
#[utoipa::path(get, path = "/api/v1/requests/wait", params(WaitQuery),
    responses((status = 200, body = RequestJson),
        (status = 404, body = ErrorBody, description = "`after` names no stored request"),
        (status = 408, body = ErrorBody, description = "nothing matching arrived in time"),
        (status = 503, body = ErrorBody, description = "Hooklens is stopping")))]
async fn wait(
    State(store): State<Store>,
    State(shutdown): State<CancellationToken>,
    QueryParams(query): QueryParams<WaitQuery>,
) -> ApiResult<Json<RequestJson>> {
    let timeout_ms = query.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS);
    if timeout_ms > MAX_TIMEOUT_MS {
        return Err(ApiError::invalid(format!(
            "timeout_ms is at most {MAX_TIMEOUT_MS} (a minute); wait again with `after` for longer"
        )));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_millis(timeout_ms);
    let filter = query.filter()?;
    let mut position = match &query.after {
        Some(id) => match store.position_of(id).await {
            Ok(position) => position,
            Err(StoreError::NotFound(_)) => {
                return Err(ApiError::not_found(format!(
                    "after: no stored request has the id {id:?}"
                )));
            }
            Err(e) => return Err(e.into()),
        },
        None => store.last_position().await?,
    };
    let mut commits = store.watch_commits();
    commits.borrow_and_update();
    loop {
        let look = store.first_request_after(filter.clone(), position).await?;
        position = look.through;
        if let Some(found) = look.found {
            match store.get_request(&found.meta.id).await {
                Ok(request) => return Ok(Json(RequestJson::from_request(&request))),
                Err(StoreError::NotFound(_)) => continue, // deleted meanwhile
                Err(e) => return Err(e.into()),
            }
        }
        let recheck = async {
            match look.unindexed {
                true => tokio::time::sleep(INDEX_RECHECK).await,
                false => std::future::pending().await,
            }
        };
        tokio::select! {
            moved = commits.changed() => if moved.is_err() { return Err(stopping()) },
            () = recheck => {}
            () = tokio::time::sleep_until(deadline) => {
                return Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "timeout",
                    format!("no request matching the filters was stored within {timeout_ms} ms"),
                ));
            }
            () = shutdown.cancelled() => return Err(stopping()),
        }
    }
}

fn stopping() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "Hooklens is stopping; wait again once it is back",
    )
}
