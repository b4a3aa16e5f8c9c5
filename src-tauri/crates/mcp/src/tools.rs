//! The tools as MCP sees them: names, descriptions an agent can act on, argument schemas.
//! Each one delegates to [`Ops`]; a failure is a tool error (`isError: true`) carrying a
//! message that says what to do, never a protocol error.

use std::sync::Arc;

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ErrorData, ServerHandler, tool, tool_handler, tool_router};

use crate::args::{
    CreateEndpointArgs, DeliveriesArgs, IdArgs, ListArgs, ReplayArgs, TestEventArgs, WaitArgs,
};
use crate::client::Api;
use crate::ops::{Ops, Outcome};
use crate::render;

const INSTRUCTIONS: &str = "Hooklens captures the webhooks sent to it (Stripe, GitHub, \
Shopify, Slack, Standard Webhooks or anything else), checks their signatures, forwards them to \
the service being developed and keeps every one. A typical loop: `status` for the URL to give \
the provider; trigger the action in the app; `wait_for_request` for the webhook it should \
cause; `get_request` to read it (headers, body, signature verdict and reason, deliveries); \
`get_delivery` for why your service refused it; fix the code; `replay_request` to send it \
again. Outputs are bounded: large bodies are excerpted with a note.";

/// The Hooklens MCP server: its tools over one control API.
#[derive(Clone)]
pub struct Tools {
    ops: Arc<Ops>,
}

impl Tools {
    pub fn new(api: Arc<dyn Api>) -> Tools {
        Tools {
            ops: Arc::new(Ops::new(api)),
        }
    }
}

fn result(outcome: Outcome) -> Result<CallToolResult, ErrorData> {
    Ok(match outcome {
        Ok(value) => CallToolResult::success(vec![ContentBlock::text(render::output(&value))]),
        Err(failure) => CallToolResult::error(vec![ContentBlock::text(failure.message)]),
    })
}

#[tool_router]
impl Tools {
    #[tool(
        description = "Where Hooklens receives webhooks (receiver_url, and public_url when a \
        tunnel is open: send_webhooks_to is the one to give a provider), whether capture is \
        paused, how many requests are stored, and forward targets that are down.",
        annotations(read_only_hint = true)
    )]
    async fn status(&self) -> Result<CallToolResult, ErrorData> {
        result(self.ops.status().await)
    }

    #[tool(
        description = "Captured requests, newest first, without bodies: id, time, method, \
        path, endpoint, provider, event_type, signature verdict, size, delivery state. All \
        filters are optional and combine; use get_request with an id for the details.",
        annotations(read_only_hint = true)
    )]
    async fn list_requests(
        &self,
        Parameters(args): Parameters<ListArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.list_requests(args).await)
    }

    #[tool(
        description = "One captured request: headers, query, body (as text, or base64 when \
        binary; excerpted with a note past 32 KiB), the signature verdict with its reason \
        (e.g. `invalid (timestamp 9 min old)`), the rules it matched, and its deliveries to \
        your service. An unknown id is an error.",
        annotations(read_only_hint = true)
    )]
    async fn get_request(
        &self,
        Parameters(args): Parameters<IdArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.get_request(&args.id).await)
    }

    #[tool(
        description = "Waits for the first webhook matching the filters that is stored after \
        this call (or after the request `after`, so a webhook that arrived between two calls \
        is not missed), and returns it as get_request does, as soon as it is stored. Call it \
        right before triggering the action that should send the webhook. Times out with an \
        error after timeout_ms (at most 60000).",
        annotations(read_only_hint = true)
    )]
    async fn wait_for_request(
        &self,
        Parameters(args): Parameters<WaitArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.wait_for_request(args).await)
    }

    #[tool(
        description = "Sends a captured request again, optionally edited (method, path, \
        headers, body) and re-signed with your secret and the current time so your \
        signature check passes, to `target` or to where it was forwarded. Waits up to 10 s \
        for the first attempt and returns the delivery with the target's answer and what \
        any error means."
    )]
    async fn replay_request(
        &self,
        Parameters(args): Parameters<ReplayArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.replay_request(args).await)
    }

    #[tool(
        description = "Sends a realistic sample webhook of a provider (signed with the \
        endpoint's secret, or `secret`) into Hooklens' capture pipeline, in-process (no \
        HTTP request to the receiver, so no sender address), where it is captured, checked, \
        forwarded and matched by rules like a real one; with `target`, also delivers it \
        there and returns the outcome."
    )]
    async fn send_test_event(
        &self,
        Parameters(args): Parameters<TestEventArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.send_test_event(args).await)
    }

    #[tool(
        description = "Named endpoints: each one's receiver URL to give a provider, its \
        forward targets and signature check (secrets masked).",
        annotations(read_only_hint = true)
    )]
    async fn list_endpoints(&self) -> Result<CallToolResult, ErrorData> {
        result(self.ops.list_endpoints().await)
    }

    #[tool(
        description = "Creates a named endpoint: a path prefix on the receiver (e.g. \
        `/stripe`) with an optional signature check (scheme and the provider's signing \
        secret) and forward targets. Returns its URL to give the provider. A name or path \
        already taken is an error."
    )]
    async fn create_endpoint(
        &self,
        Parameters(args): Parameters<CreateEndpointArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.create_endpoint(args).await)
    }

    #[tool(
        description = "Deliveries (forwards and replays of captured requests to your \
        service), newest first: target, state (pending, succeeded, failed), attempts, last \
        status and error. With `id`, only that request's.",
        annotations(read_only_hint = true)
    )]
    async fn list_deliveries(
        &self,
        Parameters(args): Parameters<DeliveriesArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.list_deliveries(args).await)
    }

    #[tool(
        description = "One delivery with its attempts: each attempt's status, duration, the \
        start of your service's response, and `meaning`, what its outcome says and what to \
        do. error_kind is one of: refused (nothing listens at the target's port: start your \
        service or fix the port), dns (the host does not resolve), timeout (your service is \
        stuck or slow), tls (https to a plain-http server, or an untrusted certificate), reset \
        (your service closed the connection: it probably crashed on this request), blocked \
        (not loopback and allow_remote_targets is off), invalid (bad URL, header or re-sign \
        setting; not retried), other. A 4xx status usually means your code rejected it (a \
        signature check, an unexpected payload); 5xx means it failed handling it; 410 stops \
        the retries.",
        annotations(read_only_hint = true)
    )]
    async fn get_delivery(
        &self,
        Parameters(args): Parameters<IdArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        result(self.ops.get_delivery(&args.id).await)
    }
}

#[tool_handler]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("hooklens", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }
}
