//! `hooklens mcp`: Hooklens' tools for coding agents, over MCP on stdin/stdout, against the
//! Hooklens already running (`hooklens serve` or the desktop app). It finds that instance
//! in the data directory: the engine writes its API address to `api-address` while it runs,
//! and the token is in `api-token`.

use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use hooklens_cli::DataDir;
use hooklens_engine::ADDRESS_FILE;
use hooklens_mcp::{Api, Call, HttpApi};

#[derive(Args)]
pub struct McpArgs {
    /// The control API to use, e.g. http://127.0.0.1:4781. Default: the Hooklens running
    /// with this data directory (its address is in DATA_DIR/api-address while it runs).
    #[arg(long, env = "HOOKLENS_API", value_name = "URL")]
    api: Option<String>,
    /// The API token. Default: the one in DATA_DIR/api-token. Anyone with it can read every
    /// captured request.
    #[arg(
        long,
        env = "HOOKLENS_API_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    #[command(flatten)]
    data: DataDir,
}

const START_HINT: &str = "start it with `hooklens serve` or open the desktop app, or pass \
    --api URL --token TOKEN";

pub async fn run(args: McpArgs) -> Result<()> {
    let data_dir = args.data.resolve()?;
    let url = match args.api {
        Some(url) => url,
        None => read(&data_dir, ADDRESS_FILE)?.with_context(|| {
            format!(
                "Hooklens is not running with data directory {} (no {ADDRESS_FILE} there): {START_HINT}",
                data_dir.display()
            )
        })?,
    };
    let token = match args.token {
        Some(token) => token,
        None => read(&data_dir, hooklens_cli::token::TOKEN_FILE)?.with_context(|| {
            format!(
                "no API token in {}: pass --token (the one Hooklens was started with)",
                data_dir.display()
            )
        })?,
    };
    let api = HttpApi::new(&url, &token)?;
    check(&api).await?;
    tracing::info!(api = %api.base(), "serving MCP on stdio");
    hooklens_mcp::serve_stdio(Arc::new(api)).await?;
    Ok(())
}

/// The trimmed contents of `DATA_DIR/name`, or `None` when there is no such file.
fn read(data_dir: &Path, name: &str) -> Result<Option<String>> {
    let path = data_dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text.trim().to_string()).filter(|t| !t.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// Fails with one line before the agent's session starts when Hooklens is not there or
/// refuses the token.
async fn check(api: &HttpApi) -> Result<()> {
    let reply = api
        .call(Call::get("/api/v1/status", 64 << 10))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match reply.status.as_u16() {
        200 => Ok(()),
        401 => bail!(
            "Hooklens at {} refused the token: pass --token with the one it was started with \
             (--api-token), or use its --data-dir",
            api.base()
        ),
        status => bail!(
            "{} answered {status}: is it Hooklens' control API? {START_HINT}",
            api.base()
        ),
    }
}
