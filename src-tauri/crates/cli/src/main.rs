//! `hooklens`: the headless receiver, API and inspector, and offline tools over the store.

/// Prints a line to stdout. A closed stdout (say, `hooklens serve | head`) must not stop the
/// server, so write errors are ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod import;
mod listen;
mod mcp;
mod relay;
mod replay;
mod trigger;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use hooklens_cli::{DataDir, Database, ServeArgs, Signals, public_url};
use hooklens_engine::export::{Format, export};
use hooklens_engine::human_bytes;
use hooklens_store::RequestFilter;

// Capture allocates and frees a little per request on every core; mimalloc's per-thread
// pages make that cheaper than glibc's arenas (measured with `make bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks the kernel for huge
/// pages in its arenas, and a 2 MiB page is resident as soon as one byte of it is touched:
/// with them the engine serving a 1,000,000-request store held 53 MiB, without 32 MiB, at
/// the same speed (`tests/bench/search.sh`). Nothing depends on it: on failure (an old
/// kernel) memory is just larger.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("note: cannot turn transparent huge pages off ({e}); memory use may be higher");
    }
}

/// Capture, inspect and replay webhooks on your own machine.
#[derive(Parser)]
#[command(name = "hooklens", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines on stderr: `text` (for people; the default) or `json` (one JSON object per
    /// line, for log collectors). The level comes from HOOKLENS_LOG, else RUST_LOG
    /// (`info`, `debug`, `hooklens_engine=debug`, …).
    #[arg(long, global = true, env = "HOOKLENS_LOG_FORMAT", value_name = "FORMAT",
          value_parser = ["text", "json"], default_value = "text")]
    log_format: String,
}

#[derive(Subcommand)]
enum Command {
    /// Run the receiver, the control API and the inspector without a window.
    Serve(Box<ServeArgs>),
    /// Capture and forward to your local service, printing a line per request and per
    /// delivery (a quick terminal mode, like `stripe listen`).
    Listen(listen::ListenArgs),
    /// Write stored requests to a file (or stdout) as HAR 1.2 or NDJSON.
    Export(ExportArgs),
    /// Bring requests back from a HAR or NDJSON file (an export, or a browser's HAR), keeping
    /// their ids, times and bytes; those stored already are skipped.
    Import(import::ImportArgs),
    /// Send a stored request again, once, and print what the target answered.
    Replay(replay::ReplayArgs),
    /// Send a realistic sample event of a provider, signed with your secret, offline.
    Trigger(trigger::TriggerArgs),
    /// The relay's tokens: `hooklens relay token create NAME`, `list`, `revoke NAME`.
    Relay(relay::RelayArgs),
    /// Serve Hooklens' tools to a coding agent over MCP (stdio): list, read, wait for,
    /// replay and send test webhooks, on the Hooklens already running.
    Mcp(mcp::McpArgs),
    /// Print the control API's OpenAPI document (the same one `/api/v1/openapi.json` serves),
    /// so clients such as the web UI can generate their types without a running server.
    Openapi,
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    database: Database,
    /// `har` (HAR 1.2, for browsers' dev tools and HTTP clients) or `ndjson` (one JSON
    /// request per line, bodies included).
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    format: Format,
    /// File to write. Default: standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Only requests to this endpoint (name or id; `default` for the rest).
    #[arg(long)]
    endpoint: Option<String>,
    /// Only requests with this method.
    #[arg(long)]
    method: Option<String>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("{s:?}: use har or ndjson"))
}

fn main() {
    no_huge_pages();
    let cli = Cli::parse();
    // `listen` prints its own lines; the log only speaks up when something is wrong.
    let default_log = match cli.command {
        // `mcp` talks MCP on stdout; its log (stderr) only speaks up when something is wrong.
        Command::Listen(_) | Command::Mcp(_) => "warn",
        _ => "info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOOKLENS_LOG")
        .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| default_log.into());
    let log = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json_logs = cli.log_format == "json";
    if json_logs {
        // One object per line with the event's fields and its spans' (the request id).
        log.json()
            .with_current_span(false)
            .with_span_list(true)
            .init();
    } else {
        log.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            std::process::exit(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve(*args).await,
            Command::Listen(args) => listen::run(args).await,
            Command::Export(args) => export_cmd(args).await,
            Command::Import(args) => import::run(args).await,
            Command::Replay(args) => replay::run(args).await,
            Command::Trigger(args) => trigger::run(args).await,
            Command::Relay(args) => relay::run(args).await,
            Command::Mcp(args) => mcp::run(args).await,
            Command::Openapi => print_openapi(),
        }
    });
    if let Err(e) = result {
        if json_logs {
            tracing::error!("{e:#}");
        } else {
            eprintln!("error: {e:#}");
        }
        std::process::exit(1);
    }
}

fn print_openapi() -> Result<()> {
    let doc = hooklens_engine::api::openapi()
        .to_pretty_json()
        .context("cannot render the OpenAPI document")?;
    let mut out = std::io::stdout().lock();
    std::io::Write::write_all(&mut out, doc.as_bytes())
        .and_then(|()| std::io::Write::write_all(&mut out, b"\n"))
        .context("cannot write the OpenAPI document to stdout")
}

async fn serve(args: ServeArgs) -> Result<()> {
    let signals = Signals::watch()?;
    let started = hooklens_cli::start(&args, None).await?;
    let handle = &started.handle;
    say!("Hooklens {}", env!("CARGO_PKG_VERSION"));
    say!(
        "  Receiver:  {}/   (send webhooks here)",
        handle.receiver_url()
    );
    say!("  Inspector: {}", started.login_url());
    say!("  Data:      {}", started.data_dir.display());
    say!("  Storage:   {}", handle.store().location());
    say!("  Max body:  {}", human_bytes(args.max_body));
    for url in &args.forward_to {
        say!("  Forward:   {url}");
    }
    if started.tunnel.is_some() {
        say!("  Public:    {}", public_url(handle).await);
    }
    if let Some(url) = handle.relay_url() {
        say!("  Relay:     {url}   (the relay stream; subscribers pass it as --relay-from)");
    }
    if let Some(url) = handle
        .relays()
        .status()
        .url
        .filter(|_| handle.relays().status().state != hooklens_engine::relay::RelayState::Off)
    {
        say!("  Mirror:    {url}   (GET /api/v1/relay says how far)");
    }
    say!("Press Ctrl-C to stop.");
    signals.recv().await;
    tracing::info!("stopping: finishing in-flight requests");
    started.handle.shutdown().await?;
    tracing::info!("stopped; every captured request is saved");
    Ok(())
}

async fn export_cmd(args: ExportArgs) -> Result<()> {
    let store = args.database.open_store(args.data).await?;
    let filter = RequestFilter {
        endpoint: args.endpoint,
        method: args.method,
        ..Default::default()
    };
    let (out, format) = (args.out.clone(), args.format);
    let exporter = store.clone();
    let count = tokio::task::spawn_blocking(move || -> Result<u64> {
        Ok(match &out {
            Some(path) => {
                let file = std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                export(&exporter, &filter, format, file)?
            }
            None => export(&exporter, &filter, format, std::io::stdout().lock())?,
        })
    })
    .await??;
    store.close().await?;
    if let Some(path) = &args.out {
        eprintln!("exported {count} requests to {}", path.display());
    }
    Ok(())
}
