//! `hooklens`: the headless receiver, API and inspector, and offline tools over the store.

/// Prints a line to stdout. A closed stdout (say, `hooklens serve | head`) must not stop the
/// server, so write errors are ignored.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod listen;
mod replay;
mod token;
mod trigger;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use hooklens_engine::export::{Format, export};
use hooklens_engine::{
    Config, DEFAULT_API_LISTEN, DEFAULT_LISTEN, EngineError, Listeners, Store, human_bytes,
    parse_bytes,
};
use hooklens_store::RequestFilter;

// Capture allocates and frees a little per request on every core; mimalloc's per-thread
// pages make that cheaper than glibc's arenas (measured with `make bench`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    Serve(ServeArgs),
    /// Capture and forward to your local service, printing a line per request and per
    /// delivery (a quick terminal mode, like `stripe listen`).
    Listen(listen::ListenArgs),
    /// Write stored requests to a file (or stdout) as HAR 1.2 or NDJSON.
    Export(ExportArgs),
    /// Send a stored request again, once, and print what the target answered.
    Replay(replay::ReplayArgs),
    /// Send a realistic sample event of a provider, signed with your secret, offline.
    Trigger(trigger::TriggerArgs),
    /// Print the control API's OpenAPI document (the same one `/api/v1/openapi.json` serves),
    /// so clients such as the web UI can generate their types without a running server.
    Openapi,
}

#[derive(Args)]
pub(crate) struct DataDir {
    /// Where requests are stored. Default: the XDG data directory, e.g.
    /// ~/.local/share/hooklens.
    #[arg(long, env = "HOOKLENS_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
}

impl DataDir {
    pub(crate) fn resolve(self) -> Result<PathBuf> {
        match self.data_dir {
            Some(dir) => Ok(dir),
            None => Ok(dirs::data_dir()
                .context("no home directory to keep data in: pass --data-dir")?
                .join("hooklens")),
        }
    }
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    data: DataDir,
    /// Receiver address: providers, or your tunnel, send webhooks here. Default
    /// 127.0.0.1:4780. Use 0.0.0.0:4780 to accept from your network too (anyone who can
    /// reach it can then store requests).
    #[arg(long, env = "HOOKLENS_LISTEN", value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// Control API and inspector address. Default 127.0.0.1:4781; must be loopback.
    #[arg(long, env = "HOOKLENS_API_LISTEN", value_name = "ADDR", default_value = DEFAULT_API_LISTEN)]
    api_listen: SocketAddr,
    /// Token the API requires. Default: generated once and kept in DATA_DIR/api-token
    /// (mode 0600). Anyone with it can read every captured request.
    #[arg(
        long,
        env = "HOOKLENS_API_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    api_token: Option<String>,
    /// Largest request body stored, e.g. 25MiB (the default), 100MiB. Larger requests get a
    /// 413 and are recorded without their body. Higher limits let senders use more memory.
    #[arg(long, env = "HOOKLENS_MAX_BODY", value_name = "SIZE", default_value = "25MiB",
          value_parser = parse_bytes)]
    max_body: u64,
    /// Forward every captured request (outside endpoints with targets of their own) to this
    /// URL, e.g. http://localhost:3000; the captured path is appended. Repeat for several.
    /// Must be loopback unless the setting allow_remote_targets is on. Default: none.
    #[arg(
        long,
        env = "HOOKLENS_FORWARD_TO",
        value_name = "URL",
        value_delimiter = ','
    )]
    forward_to: Vec<String>,
    /// Show notifications as desktop popups over the D-Bus session bus (needs a
    /// notification server). Default: notifications are logged and listed in the API only.
    #[arg(long, env = "HOOKLENS_NOTIFY")]
    notify: bool,
    /// Open a public tunnel to the receiver (never to the API): `ngrok` (authtoken from
    /// NGROK_AUTHTOKEN or the one kept from the API) or `bore` (your own bore server, see
    /// --tunnel-server). Default: none.
    #[arg(long, env = "HOOKLENS_TUNNEL", value_name = "PROVIDER", value_parser = ["ngrok", "bore"])]
    tunnel: Option<String>,
    /// With --tunnel ngrok: a reserved domain, for a URL that never changes.
    #[arg(long, env = "HOOKLENS_NGROK_DOMAIN", value_name = "DOMAIN")]
    ngrok_domain: Option<String>,
    /// With --tunnel bore: the bore server's host (control port 7835).
    #[arg(
        long,
        env = "HOOKLENS_TUNNEL_SERVER",
        value_name = "HOST",
        requires = "tunnel"
    )]
    tunnel_server: Option<String>,
    /// With --tunnel bore: the bore server's secret, if it has one.
    #[arg(
        long,
        env = "HOOKLENS_TUNNEL_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    tunnel_secret: Option<String>,
    /// With --tunnel ngrok: the ngrok server to connect to, as HOST:PORT. Default: ngrok's
    /// own. Only for a self-hosted ngrok-compatible server.
    #[arg(long, env = "HOOKLENS_NGROK_SERVER", value_name = "HOST:PORT")]
    ngrok_server: Option<String>,
    /// Do not record metrics: no counters on the capture and delivery paths, `/metrics`
    /// answers 404 and the Monitor's charts show only what was stored before. Default: on.
    #[arg(long, env = "HOOKLENS_NO_METRICS")]
    no_metrics: bool,
    /// Serve `/metrics` (Prometheus text) on the API listener without the token, for a
    /// scraper on this machine. The counters reveal endpoint names, target URLs and traffic
    /// volumes to any local process. Default: the token is required.
    #[arg(long, env = "HOOKLENS_METRICS_WITHOUT_TOKEN")]
    metrics_without_token: bool,
}

/// Forward targets from `--forward-to` URLs, each checked.
pub(crate) fn forward_targets(urls: &[String]) -> Result<Vec<hooklens_store::ForwardTarget>> {
    urls.iter()
        .map(|url| {
            let target = hooklens_store::ForwardTarget {
                url: url.clone(),
                path: hooklens_store::PathMode::Keep,
                headers: Vec::new(),
                resign: None,
            };
            hooklens_engine::forward::target::map_url(&target, None, "/", None)
                .map_err(|e| anyhow::anyhow!("{e} (--forward-to)"))?;
            Ok(target)
        })
        .collect()
}

#[derive(Args)]
struct ExportArgs {
    #[command(flatten)]
    data: DataDir,
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
    let cli = Cli::parse();
    // `listen` prints its own lines; the log only speaks up when something is wrong.
    let default_log = match cli.command {
        Command::Listen(_) => "warn",
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
            Command::Serve(args) => serve(args).await,
            Command::Listen(args) => listen::run(args).await,
            Command::Export(args) => export_cmd(args).await,
            Command::Replay(args) => replay::run(args).await,
            Command::Trigger(args) => trigger::run(args).await,
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
    let tunnel = tunnel_spec(&args)?;
    let data_dir = args.data.resolve()?;
    let token = match args.api_token {
        Some(token) => token,
        None => token::load_or_create(&data_dir)?,
    };
    let mut config = Config::new(data_dir.clone(), token.clone());
    config.listen = args.listen;
    config.api_listen = args.api_listen;
    config.max_body = args.max_body;
    config.forward_to = forward_targets(&args.forward_to)?;
    config.ngrok_server = args.ngrok_server.clone();
    config.metrics = !args.no_metrics;
    config.metrics_without_token = args.metrics_without_token;
    let signals = Signals::watch()?;
    if args.notify {
        config.notifier = std::sync::Arc::new(hooklens_notify::DesktopNotifier);
    }
    let handle = hooklens_engine::run(config, Listeners::default())
        .await
        .map_err(with_flag_hint)?;
    say!("Hooklens {}", env!("CARGO_PKG_VERSION"));
    say!(
        "  Receiver:  {}/   (send webhooks here)",
        handle.receiver_url()
    );
    say!("  Inspector: {}/login?token={token}", handle.api_url());
    say!("  Data:      {}", data_dir.display());
    say!("  Max body:  {}", human_bytes(args.max_body));
    for url in &args.forward_to {
        say!("  Forward:   {url}");
    }
    if let Some(spec) = tunnel {
        handle
            .tunnels()
            .start(&spec, &handle.cancellation())
            .map_err(anyhow::Error::msg)?;
        say!("  Public:    {}", public_url(&handle).await);
    }
    say!("Press Ctrl-C to stop.");
    signals.recv().await;
    tracing::info!("stopping: finishing in-flight requests");
    handle.shutdown().await?;
    tracing::info!("stopped; every captured request is saved");
    Ok(())
}

fn tunnel_spec(args: &ServeArgs) -> Result<Option<hooklens_engine::tunnel::TunnelSpec>> {
    use hooklens_engine::tunnel::TunnelSpec;
    match (args.tunnel.as_deref(), &args.tunnel_server) {
        (None, _) => Ok(None),
        (Some("ngrok"), _) => Ok(Some(TunnelSpec::Ngrok {
            authtoken: None,
            domain: args.ngrok_domain.clone(),
        })),
        (Some(_), Some(server)) => Ok(Some(TunnelSpec::Bore {
            server: server.clone(),
            secret: args.tunnel_secret.clone(),
        })),
        (Some(_), None) => bail!("--tunnel bore needs --tunnel-server HOST (your bore server)"),
    }
}

/// The tunnel's URL once it is online, or why it is not (after 10 s at most).
async fn public_url(handle: &hooklens_engine::Handle) -> String {
    use hooklens_engine::tunnel::TunnelState;
    let mut status = handle.tunnels().subscribe();
    let settled = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        loop {
            let now = status.borrow_and_update().clone();
            if matches!(now.state, TunnelState::Online | TunnelState::Error) {
                return now;
            }
            if status.changed().await.is_err() {
                return now;
            }
        }
    })
    .await;
    match settled {
        Ok(s) if s.state == TunnelState::Online => {
            format!(
                "{}/   (the tunnel reaches the receiver only)",
                s.public_url.unwrap_or_default()
            )
        }
        Ok(s) => format!("not yet: {} (retrying)", s.error.unwrap_or_default()),
        Err(_) => "still connecting (see GET /api/v1/tunnel)".into(),
    }
}

pub(crate) fn with_flag_hint(e: EngineError) -> anyhow::Error {
    let flag = match &e {
        EngineError::Bind {
            what: "receiver", ..
        } => " (--listen, HOOKLENS_LISTEN)",
        EngineError::Bind { .. } | EngineError::ApiNotLoopback(_) => {
            " (--api-listen, HOOKLENS_API_LISTEN)"
        }
        EngineError::WeakToken => " (--api-token, HOOKLENS_API_TOKEN)",
        EngineError::Store(_) | EngineError::Forwarder(_) => "",
    };
    anyhow::anyhow!("{e}{flag}")
}

/// SIGINT and SIGTERM, watched from the moment this is made: made before the start-up
/// lines are printed, so a signal right after them stops Hooklens cleanly.
pub(crate) struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn watch() -> Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            int: signal(SignalKind::interrupt()).context("cannot watch for Ctrl-C")?,
            term: signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?,
        })
    }

    pub(crate) async fn recv(mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
    }
}

async fn export_cmd(args: ExportArgs) -> Result<()> {
    let data_dir = args.data.resolve()?;
    if !data_dir.join(hooklens_store::DB_FILE).exists() {
        bail!(
            "no Hooklens data in {}: pass the --data-dir that `hooklens serve` used",
            data_dir.display()
        );
    }
    let store = Store::open(&data_dir)?;
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
