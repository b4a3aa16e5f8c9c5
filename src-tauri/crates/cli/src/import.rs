//! `hooklens import FILE`: captures from a HAR or NDJSON export brought back in through the
//! capture pipeline. When a Hooklens runs on the data directory (it keeps its API's address
//! in DATA_DIR/api-address while it runs) the file goes through that Hooklens's API, so its
//! live list shows the imports; otherwise this process runs the pipeline on the store
//! itself (the data directory's, or the PostgreSQL database of --database). Either way a
//! malformed file stores nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::Args;
use hooklens_engine::import::Format;
use hooklens_engine::{ADDRESS_FILE, Config, ImportReport};

use hooklens_cli::token::TOKEN_FILE;
use hooklens_cli::{DataDir, Database};

#[derive(Args)]
pub struct ImportArgs {
    /// A HAR file (ours, or a browser's dev tools' "Save all as HAR") or an NDJSON export
    /// (`hooklens export --format ndjson`).
    file: PathBuf,
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    database: Database,
    /// `har` or `ndjson`. Default: from the file's extension, else its content.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,
    /// Forward the imported requests to the targets they would go to if they arrived now.
    /// Default: imports forward nothing.
    #[arg(long)]
    forward: bool,
    /// The running Hooklens's API token, if it was started with one. Default: the one in
    /// DATA_DIR/api-token.
    #[arg(
        long,
        env = "HOOKLENS_API_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    api_token: Option<String>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("{s:?}: use har or ndjson"))
}

pub async fn run(args: ImportArgs) -> Result<()> {
    let data_dir = args.data.resolve()?;
    let file = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args.file.to_string_lossy();
    let format = args.format.or_else(|| Format::of_file(&name));
    let cannot = || format!("cannot import {}", args.file.display());
    let report = match running(&data_dir).await {
        Some(api) => {
            let token = match args.api_token.clone() {
                Some(token) => token,
                None => std::fs::read_to_string(data_dir.join(TOKEN_FILE))
                    .with_context(|| {
                        format!(
                            "Hooklens runs on {} but its API token is not in {TOKEN_FILE} there: pass --api-token",
                            data_dir.display()
                        )
                    })?
                    .trim()
                    .to_string(),
            };
            through_api(&api, &token, file, format, args.forward)
                .await
                .with_context(cannot)?
        }
        None => {
            let mut config = Config::new(data_dir.clone(), "offline import: no API".into());
            config.database = args.database.database.clone();
            hooklens_engine::import_offline(&config, &file, format, args.forward)
                .await
                .with_context(cannot)?
        }
    };
    let plural = if report.imported == 1 { "" } else { "s" };
    let mut line = format!("imported {} request{plural}", report.imported);
    if report.skipped > 0 {
        line.push_str(&format!(" ({} already stored, skipped)", report.skipped));
    }
    if report.deliveries > 0 {
        line.push_str(&format!(", {} deliveries queued", report.deliveries));
    }
    say!("{line}");
    Ok(())
}

/// The API of the Hooklens running on `data_dir`, if one answers there.
async fn running(data_dir: &Path) -> Option<String> {
    let address = std::fs::read_to_string(data_dir.join(ADDRESS_FILE)).ok()?;
    let api = address.trim().trim_end_matches('/').to_string();
    let health = reqwest::Client::new()
        .get(format!("{api}/api/v1/health"))
        .timeout(std::time::Duration::from_secs(5))
        .send()
        .await;
    match health {
        Ok(r) if r.status().is_success() => Some(api),
        _ => {
            // Left behind by a Hooklens that did not stop cleanly.
            tracing::info!(%api, "no Hooklens answers at the recorded address; importing into the store directly");
            None
        }
    }
}

/// Sends the file to the running Hooklens's `POST /api/v1/import`.
async fn through_api(
    api: &str,
    token: &str,
    file: Vec<u8>,
    format: Option<Format>,
    forward: bool,
) -> Result<ImportReport> {
    let format = match format {
        Some(Format::Har) => "&format=har",
        Some(Format::Ndjson) => "&format=ndjson",
        None => "",
    };
    let response = reqwest::Client::new()
        .post(format!("{api}/api/v1/import?forward={forward}{format}"))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(file)
        .send()
        .await
        .with_context(|| format!("the Hooklens at {api} did not answer"))?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .with_context(|| format!("the Hooklens at {api} answered {status} without JSON"))?;
    if !status.is_success() {
        let message = body["error"]["message"].as_str().unwrap_or("refused");
        bail!("{message}");
    }
    let count = |key: &str| body[key].as_u64().unwrap_or(0);
    Ok(ImportReport {
        imported: count("imported"),
        skipped: count("skipped"),
        deliveries: count("deliveries"),
    })
}
