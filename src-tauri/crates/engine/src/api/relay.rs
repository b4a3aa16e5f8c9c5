//! `/api/v1/relay`: this Hooklens as a relay's subscriber (status, subscribe, unsubscribe),
//! and `/api/v1/relay/tokens`: this Hooklens as a relay (the tokens that may read its
//! stream; a new one's secret is shown once, in the answer that makes it).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use hooklens_store::{RelayToken, Store, format_us};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::extract::JsonBody;
use super::types::ErrorBody;
use super::{Api, ApiError, ApiResult};
use crate::relay::tokens::{RelayTokens, TokenError, issue};
use crate::relay::{RelaySpec, RelayStatus, Relays};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(status, subscribe, unsubscribe))
        .routes(routes!(tokens, create_token))
        .routes(routes!(revoke_token))
}

/// Where the relay subscription stands: state, relay URL, how far behind, the last id
/// mirrored, error, since when.
#[utoipa::path(get, path = "/api/v1/relay", responses((status = 200, body = RelayStatus)))]
async fn status(State(relays): State<Arc<Relays>>) -> Json<RelayStatus> {
    Json(relays.status())
}

/// Mirrors a relay's captures here (ending a subscription already running), and keeps the
/// subscription for the next start; follow `relay.status` on the live stream.
#[utoipa::path(post, path = "/api/v1/relay", request_body = RelaySpec,
    responses((status = 202, body = RelayStatus), (status = 400, body = ErrorBody)))]
async fn subscribe(
    State(relays): State<Arc<Relays>>,
    State(shutdown): State<CancellationToken>,
    JsonBody(spec): JsonBody<RelaySpec>,
) -> ApiResult<(StatusCode, Json<RelayStatus>)> {
    relays
        .start(&spec, true, &shutdown)
        .map_err(ApiError::invalid)?;
    Ok((StatusCode::ACCEPTED, Json(relays.status())))
}

/// Stops mirroring; it stays off at the next start (the URL and token are kept for turning
/// it on again).
#[utoipa::path(delete, path = "/api/v1/relay",
    responses((status = 200, body = RelayStatus), (status = 400, body = ErrorBody)))]
async fn unsubscribe(State(relays): State<Arc<Relays>>) -> ApiResult<Json<RelayStatus>> {
    relays.stop(true).map_err(ApiError::invalid)?;
    Ok(Json(relays.status()))
}

/// A relay token as listed: never its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RelayTokenJson {
    pub name: String,
    pub created_at: String,
    /// When it last opened a stream.
    pub last_used_at: Option<String>,
    /// When it was revoked; it opens nothing since.
    pub revoked_at: Option<String>,
    pub active: bool,
}

impl From<&RelayToken> for RelayTokenJson {
    fn from(t: &RelayToken) -> RelayTokenJson {
        RelayTokenJson {
            name: t.name.clone(),
            created_at: format_us(t.created_at_us),
            last_used_at: t.last_used_us.map(format_us),
            revoked_at: t.revoked_at_us.map(format_us),
            active: t.revoked_at_us.is_none(),
        }
    }
}

/// A token to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelayToken {
    /// 1 to 64 letters, digits, `.`, `_` or `-`: whom it is for, e.g. `alice-laptop`.
    pub name: String,
}

/// A token just made, with its secret: shown this once, kept only as a hash.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct IssuedRelayToken {
    pub name: String,
    /// The secret to pass as `--relay-token` (or in Settings → Relay) on the subscriber.
    pub token: String,
    pub created_at: String,
}

/// This relay's tokens, revoked ones included, oldest first.
#[utoipa::path(get, path = "/api/v1/relay/tokens",
    responses((status = 200, body = Vec<RelayTokenJson>)))]
async fn tokens(State(store): State<Store>) -> ApiResult<Json<Vec<RelayTokenJson>>> {
    let all = store.relay_tokens().await?;
    Ok(Json(all.iter().map(RelayTokenJson::from).collect()))
}

/// Makes a token that may read this relay's stream; the answer holds its secret, once.
#[utoipa::path(post, path = "/api/v1/relay/tokens", request_body = NewRelayToken,
    responses((status = 201, body = IssuedRelayToken), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn create_token(
    State(store): State<Store>,
    State(relay_tokens): State<Arc<RelayTokens>>,
    JsonBody(new): JsonBody<NewRelayToken>,
) -> ApiResult<(StatusCode, Json<IssuedRelayToken>)> {
    let (token, secret) = issue(&store, &new.name).await.map_err(|e| match e {
        TokenError::Store(e) => ApiError::from(e),
        other => ApiError::invalid(other),
    })?;
    relay_tokens.refresh().await?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedRelayToken {
            name: token.name,
            token: secret,
            created_at: format_us(token.created_at_us),
        }),
    ))
}

/// Revokes a token: it opens no stream any more, and its open streams end at once.
#[utoipa::path(delete, path = "/api/v1/relay/tokens/{name}", params(("name" = String, Path)),
    responses((status = 200, body = RelayTokenJson), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(store): State<Store>,
    State(relay_tokens): State<Arc<RelayTokens>>,
    Path(name): Path<String>,
) -> ApiResult<Json<RelayTokenJson>> {
    let token = store.revoke_relay_token(&name).await?;
    relay_tokens.refresh().await?;
    Ok(Json(RelayTokenJson::from(&token)))
}
