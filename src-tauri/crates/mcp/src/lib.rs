//! Hooklens for coding agents: a Model Context Protocol server whose tools list, read, wait
//! for, replay and send test webhooks.
//!
//! The tools are a client of the control API ([`client::Api`]), never of the engine's
//! internals: `hooklens mcp` serves them over stdio against a running Hooklens
//! ([`client::HttpApi`]), and the engine serves the same tools over Streamable HTTP at
//! `/mcp` on its API listener ([`http_service`]), calling its own API router in-process.
//! Either way an agent sees what the API shows — secrets masked, errors explained — cut
//! to bounded sizes (see `render`). This crate never depends on the engine or on tauri.

mod args;
pub mod client;
mod ops;
mod render;
mod tools;

use std::sync::Arc;

use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

pub use client::{Api, Call, ClientError, HttpApi, Reply};
pub use render::MAX_OUTPUT;
pub use tools::Tools;

/// Why the stdio server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum McpError {
    #[error("the MCP session could not start: {0}")]
    Start(String),
    #[error("the MCP session failed: {0}")]
    Session(String),
}

/// Serves the tools over stdin/stdout until the client closes them.
pub async fn serve_stdio(api: Arc<dyn Api>) -> Result<(), McpError> {
    let running = Tools::new(api)
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| McpError::Start(e.to_string()))?;
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|e| McpError::Session(e.to_string()))
}

/// The Streamable HTTP transport, as a tower service to mount at `/mcp`. The caller puts
/// its own guard (token, Host, Origin) in front; sessions end when `cancel` fires.
pub type HttpService = StreamableHttpService<Tools, LocalSessionManager>;

/// The tools over Streamable HTTP, each session with its own [`Tools`] over `api`.
pub fn http_service(api: Arc<dyn Api>, cancel: CancellationToken) -> HttpService {
    let config = StreamableHttpServerConfig::default().with_cancellation_token(cancel);
    StreamableHttpService::new(
        move || Ok(Tools::new(api.clone())),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}
