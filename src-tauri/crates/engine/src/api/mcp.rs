//! `/mcp`: the tools of `hooklens mcp` over MCP's Streamable HTTP transport, on the API
//! listener, behind the same guard (token, Host, Origin) as every other route.
//!
//! The tools are a client of the API ([`hooklens_mcp::Api`]). Here they call the API's own
//! router in-process (`tower::ServiceExt::oneshot`) rather than a loopback HTTP client with
//! the token: no socket, no second copy of the token, no Host header to forge, and nothing
//! to fail when the listener is busy; the request already passed the guard to reach `/mcp`,
//! and each call still goes through the same handlers, masking and errors as over HTTP.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use hooklens_mcp::client::{BoxFuture, read_limited};
use hooklens_mcp::{Call, ClientError, Reply};
use http::header::CONTENT_TYPE;
use tower::ServiceExt;

use super::Api;

/// The Streamable HTTP service to mount at `/mcp`; sessions end at shutdown. The tools reach
/// every resource, so this takes the whole API state: its routes are what it calls.
pub(super) fn service(api: &Api) -> hooklens_mcp::HttpService {
    let (routes, _) = super::api_router().split_for_parts();
    let tools = InProcess(routes.with_state(api.clone()));
    hooklens_mcp::http_service(Arc::new(tools), api.cancel.clone())
}

/// The API's routes, without the guard in front (the caller already passed it).
struct InProcess(Router);

impl InProcess {
    async fn send(&self, call: Call) -> Result<Reply, ClientError> {
        let builder = http::Request::builder().method(call.method).uri(&call.path);
        let request = match &call.json {
            Some(json) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string())),
            None => builder.body(Body::empty()),
        }
        .map_err(|e| ClientError::Invalid(e.to_string()))?;
        let response = match self.0.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status();
        let (body, truncated) = read_limited(response.into_body(), call.limit).await?;
        Ok(Reply {
            status,
            body,
            truncated,
        })
    }
}

impl hooklens_mcp::Api for InProcess {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, ClientError>> {
        Box::pin(self.send(call))
    }
}
