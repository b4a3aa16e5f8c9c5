//! `/api/v1/test-events`: realistic, correctly signed sample events, captured like real ones.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::{Extension, Json};
use hooklens_store::{Endpoint, Overrides, Store, Via};
use http::StatusCode;
use http::{Request, header};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::deliveries::Replayer;
use super::extract::JsonBody;
use super::types::{DeliveryJson, ErrorBody};
use super::{Access, Api, ApiError, ApiResult};
use crate::capture::answer::REQUEST_ID_HEADER;
use crate::capture::{Pipeline, Source};
use crate::provider::samples::{PROVIDERS, sample};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new().routes(routes!(list_test_events, send_test_event))
}

/// A provider Hooklens has a sample event for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TestEventKind {
    /// As `provider` in a test event's body, and the signature scheme it is signed with.
    pub provider: String,
    /// The event type sent when none is asked for.
    pub event: String,
}

/// The providers with sample events, for the window's "Send test event".
#[utoipa::path(get, path = "/api/v1/test-events", responses((status = 200, body = Vec<TestEventKind>)))]
async fn list_test_events() -> Json<Vec<TestEventKind>> {
    Json(
        PROVIDERS
            .iter()
            .map(|(provider, event)| TestEventKind {
                provider: provider.to_string(),
                event: event.to_string(),
            })
            .collect(),
    )
}

/// Which sample to send, where, signed with what.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestEventBody {
    /// A provider `GET /api/v1/test-events` lists: `stripe`, `github`, `shopify`, `slack`,
    /// `standard-webhooks`, `paddle`, `zoom`, `pagerduty`, `twitch`, `gitlab`, `linear`,
    /// `typeform`.
    pub provider: String,
    /// The event type; default the provider's most common one.
    #[serde(default)]
    pub event: Option<String>,
    /// Endpoint name or id to send it to; default the receiver's root (`default`).
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Sign with this secret; default the endpoint's first secret when its scheme matches.
    #[serde(default)]
    pub secret: Option<String>,
    /// Also deliver it straight to this URL (as a replay).
    #[serde(default)]
    pub target: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TestEventSent {
    pub request_id: String,
    pub provider: String,
    pub event_type: String,
    /// Whether it carries a signature.
    pub signed: bool,
    /// The status the receiver answered with.
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryJson>,
}

/// Sends a sample event through the capture pipeline, signed like the provider would, so it
/// is captured, checked, forwarded and matched like a real one. Its sender is whoever asked
/// for it (the window, `hooklens`, a script: on this machine, a loopback address).
#[utoipa::path(post, path = "/api/v1/test-events", request_body = TestEventBody,
    responses((status = 202, body = TestEventSent), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn send_test_event(
    State(access): State<Arc<Access>>,
    State(store): State<Store>,
    State(pipeline): State<Arc<Pipeline>>,
    State(replayer): State<Replayer>,
    caller: Option<Extension<ConnectInfo<SocketAddr>>>,
    JsonBody(body): JsonBody<TestEventBody>,
) -> ApiResult<(StatusCode, Json<TestEventSent>)> {
    let now_s = pipeline.forwarder.now_us() / 1_000_000;
    let sample = sample(&body.provider, body.event.as_deref(), now_s).map_err(ApiError::invalid)?;
    let endpoint = match &body.endpoint {
        Some(which) => Some(named_endpoint(&store, which).await?),
        None => None,
    };
    let secret = body.secret.clone().or_else(|| {
        let spec = endpoint.as_ref()?.signature.as_ref()?;
        (spec.scheme == sample.scheme).then(|| spec.secrets.first().cloned())?
    });
    let headers = sample
        .headers_signed(secret.as_deref(), now_s)
        .map_err(ApiError::invalid)?;
    // A target it cannot go to is refused before the event is captured.
    if let Some(target) = &body.target {
        replayer.admit_target(target).await?;
    }
    let path = endpoint.as_ref().map_or("/", |e| e.path.as_str());
    let request = as_received(&access, path, &headers, sample.body.clone())?;
    // Sent for the API's caller, so from its address: stored as the sender, and in the
    // X-Forwarded-For of its deliveries, as when test events reached the receiver over
    // loopback HTTP.
    let source = Source {
        via: Via::Direct,
        peer: caller.map(|Extension(ConnectInfo(addr))| addr),
    };
    let answer = pipeline.capture(source, request).await;
    let status = answer.status().as_u16();
    let request_id = answer
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .ok_or_else(|| ApiError::invalid("the receiver did not store the test event"))?;
    let delivery = match &body.target {
        Some(target) => {
            let stored = store.get_request(&request_id).await?;
            Some(
                replayer
                    .replay(&stored, Some(target), Overrides::default(), None)
                    .await?,
            )
        }
        None => None,
    };
    Ok((
        StatusCode::ACCEPTED,
        Json(TestEventSent {
            request_id,
            provider: sample.provider.into(),
            event_type: sample.event_type,
            signed: secret.is_some(),
            status,
            delivery,
        }),
    ))
}

/// The endpoint named (or with the id) `which`.
async fn named_endpoint(store: &Store, which: &str) -> ApiResult<Endpoint> {
    store
        .list_endpoints()
        .await?
        .into_iter()
        .find(|e| e.name == which || e.id == which)
        .ok_or_else(|| ApiError::not_found(format!("no endpoint named {which:?}")))
}

/// The sample as the receiver would get it from the provider: a POST to `path` with its
/// headers, its length and the receiver's address as Host.
fn as_received(
    access: &Access,
    path: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> ApiResult<Request<Body>> {
    let mut receiver = access.receiver;
    if receiver.ip().is_unspecified() {
        receiver.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let mut request = Request::post(path)
        .header(header::HOST, receiver.to_string())
        .header(header::CONTENT_LENGTH, body.len());
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    request
        .body(Body::from(body))
        .map_err(|e| ApiError::invalid(format!("the sample cannot be sent: {e}")))
}
