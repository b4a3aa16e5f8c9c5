//! How Hooklens starts: the `serve` flags and the start-up that `hooklens serve` and the
//! desktop app share, so the window runs exactly the engine the headless binary runs.

pub mod token;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use hooklens_engine::notify::Notifier;
use hooklens_engine::relay::RelaySpec;
use hooklens_engine::tls::TlsFiles;
use hooklens_engine::tunnel::TunnelSpec;
use hooklens_engine::{
    Config, DEFAULT_API_LISTEN, DEFAULT_LISTEN, EngineError, Handle, Listeners, parse_bytes,
};

#[derive(Args, Clone)]
pub struct DataDir {
    /// Where requests are stored (unless --database says otherwise, for the commands that
    /// take it), with the API token and the tunnel's files. Default: the XDG data directory,
    /// e.g. ~/.local/share/hooklens.
    #[arg(long, env = "HOOKLENS_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DataDir {
    pub fn resolve(self) -> Result<PathBuf> {
        match self.data_dir {
            Some(dir) => Ok(dir),
            None => Ok(dirs::data_dir()
                .context("no home directory to keep data in: pass --data-dir")?
                .join("hooklens")),
        }
    }
}

/// Where requests are kept, when not in the data directory: `serve`, `export`, `replay`.
#[derive(Args, Clone)]
pub struct Database {
    /// Keep requests in PostgreSQL rather than in the data directory's SQLite file:
    /// postgres://USER[:PASSWORD]@HOST:PORT/DB, with ?sslmode=require (or verify-full, and
    /// sslrootcert=FILE) for a database that wants TLS. Several `hooklens serve` may share
    /// one database, behind one load balancer: each shows what the others capture. The data
    /// directory still holds the API token and the tunnel's files. Default: SQLite. The URL
    /// may hold a password: prefer the variable to the flag, which other users can see.
    #[arg(
        long,
        env = "HOOKLENS_DATABASE",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database: Option<String>,
}

impl Database {
    /// The store these flags name, for the commands that read it without serving
    /// (`export`, `replay`): PostgreSQL at --database, or the data directory's SQLite file,
    /// which must exist.
    pub async fn open_store(self, data: DataDir) -> Result<hooklens_store::Store> {
        let database = self.database;
        let data_dir = data.resolve()?;
        if database.is_none() && !data_dir.join(hooklens_store::DB_FILE).exists() {
            bail!(
                "no Hooklens data in {}: pass the --data-dir (or --database) that `hooklens \
                 serve` used",
                data_dir.display()
            );
        }
        hooklens_store::Store::connect(&data_dir, database.as_deref())
            .await
            .map_err(|e| anyhow::anyhow!("{e}{}", store_flag(&e)))
    }
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub data: DataDir,
    #[command(flatten)]
    pub database: Database,
    /// Receiver address: providers, or your tunnel, send webhooks here. Default
    /// 127.0.0.1:4780. Use 0.0.0.0:4780 to accept from your network too (anyone who can
    /// reach it can then store requests).
    #[arg(long, env = "HOOKLENS_LISTEN", value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Control API and inspector address. Default 127.0.0.1:4781; must be loopback.
    #[arg(long, env = "HOOKLENS_API_LISTEN", value_name = "ADDR", default_value = DEFAULT_API_LISTEN)]
    pub api_listen: SocketAddr,
    /// Token the API requires. Default: generated once and kept in DATA_DIR/api-token
    /// (mode 0600). Anyone with it can read every captured request.
    #[arg(
        long,
        env = "HOOKLENS_API_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub api_token: Option<String>,
    /// Largest request body stored, e.g. 25MiB (the default), 100MiB. Larger requests get a
    /// 413 and are recorded without their body. Higher limits let senders use more memory.
    #[arg(long, env = "HOOKLENS_MAX_BODY", value_name = "SIZE", default_value = "25MiB",
          value_parser = parse_bytes)]
    pub max_body: u64,
    /// Forward every captured request (outside endpoints with targets of their own) to this
    /// URL, e.g. http://localhost:3000; the captured path is appended. Repeat for several.
    /// Must be loopback unless the setting allow_remote_targets is on. Default: none.
    #[arg(
        long,
        env = "HOOKLENS_FORWARD_TO",
        value_name = "URL",
        value_delimiter = ','
    )]
    pub forward_to: Vec<String>,
    /// Show notifications as desktop popups over the D-Bus session bus (needs a
    /// notification server). Default: notifications are logged and listed in the API only.
    #[arg(long, env = "HOOKLENS_NOTIFY")]
    pub notify: bool,
    /// Open a public tunnel to the receiver (never to the API): `ngrok` (authtoken from
    /// NGROK_AUTHTOKEN or the one kept from the API) or `bore` (your own bore server, see
    /// --tunnel-server). Default: none.
    #[arg(long, env = "HOOKLENS_TUNNEL", value_name = "PROVIDER", value_parser = ["ngrok", "bore"])]
    pub tunnel: Option<String>,
    /// With --tunnel ngrok: a reserved domain, for a URL that never changes.
    #[arg(long, env = "HOOKLENS_NGROK_DOMAIN", value_name = "DOMAIN")]
    pub ngrok_domain: Option<String>,
    /// With --tunnel bore: the bore server's host (control port 7835).
    #[arg(
        long,
        env = "HOOKLENS_TUNNEL_SERVER",
        value_name = "HOST",
        requires = "tunnel"
    )]
    pub tunnel_server: Option<String>,
    /// With --tunnel bore: the bore server's secret, if it has one.
    #[arg(
        long,
        env = "HOOKLENS_TUNNEL_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub tunnel_secret: Option<String>,
    /// With --tunnel ngrok: the ngrok server to connect to, as HOST:PORT. Default: ngrok's
    /// own. Only for a self-hosted ngrok-compatible server.
    #[arg(long, env = "HOOKLENS_NGROK_SERVER", value_name = "HOST:PORT")]
    pub ngrok_server: Option<String>,
    /// Do not record metrics: no counters on the capture and delivery paths, `/metrics`
    /// answers 404 and the Monitor's charts show only what was stored before. Default: on.
    #[arg(long, env = "HOOKLENS_NO_METRICS")]
    pub no_metrics: bool,
    /// Serve `/metrics` (Prometheus text) on the API listener without the token, for a
    /// scraper on this machine. The counters reveal endpoint names, target URLs and traffic
    /// volumes to any local process. Default: the token is required.
    #[arg(long, env = "HOOKLENS_METRICS_WITHOUT_TOKEN")]
    pub metrics_without_token: bool,
    /// How long a delivery this instance is sending stays reserved to it. If the instance
    /// dies mid-attempt, another instance on the same database (or this one, restarted)
    /// sends it once this lapses: what a crash costs in delivery delay. Keep it above your
    /// targets' attempt timeout (30 s by default), or a slow attempt may be sent twice.
    /// Default 11m.
    #[arg(long, env = "HOOKLENS_DELIVERY_LEASE", value_name = "DURATION", default_value = "11m",
          value_parser = parse_lease)]
    pub delivery_lease: Duration,
    /// Be a relay: serve the stream of captures to subscribers holding a relay token (see
    /// `hooklens relay token create`) on this address, e.g. 0.0.0.0:4782. Only the stream is
    /// served there, never the API. Off loopback it needs --tls-cert/--tls-key or
    /// --relay-behind-proxy. Default: off.
    #[arg(long, env = "HOOKLENS_RELAY_LISTEN", value_name = "ADDR")]
    pub relay_listen: Option<SocketAddr>,
    /// A reverse proxy in front terminates TLS for the relay listener: serve it over plain
    /// HTTP off loopback, and take the peer (for the limit on refused attempts) from
    /// X-Forwarded-For. Only when nothing but the proxy can reach the port. Default: off.
    #[arg(long, env = "HOOKLENS_RELAY_BEHIND_PROXY")]
    pub relay_behind_proxy: bool,
    /// How often a relay stream says it is alive while nothing happens; a subscriber that
    /// hears nothing for three of these reconnects. Default: 15s.
    #[arg(long, env = "HOOKLENS_RELAY_HEARTBEAT", value_name = "DURATION", default_value = "15s",
          value_parser = humantime::parse_duration)]
    pub relay_heartbeat: std::time::Duration,
    /// TLS certificate chain (PEM) for the receiver and the relay listener; with --tls-key.
    /// Default: plain HTTP.
    #[arg(
        long,
        env = "HOOKLENS_TLS_CERT",
        value_name = "FILE",
        requires = "tls_key"
    )]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(
        long,
        env = "HOOKLENS_TLS_KEY",
        value_name = "FILE",
        requires = "tls_cert"
    )]
    pub tls_key: Option<PathBuf>,
    #[command(flatten)]
    pub relay_from: RelayFromArgs,
}

/// A lease: a duration such as `30s`, `5m` or `11m`, of one second at least.
fn parse_lease(text: &str) -> Result<Duration, String> {
    let lease = humantime::parse_duration(text).map_err(|e| format!("{text:?}: {e}"))?;
    if lease < Duration::from_secs(1) {
        return Err(format!("{text:?}: a lease lasts 1s at least"));
    }
    Ok(lease)
}

/// Mirror a relay: the flags `serve` and `listen` share.
#[derive(Args, Clone)]
pub struct RelayFromArgs {
    /// Mirror the captures of the relay at this URL (its --relay-listen: http://HOST:PORT on
    /// loopback or behind a proxy, https://HOST[:PORT] with TLS): catch up on what it stored
    /// while this one was away, then live. Default: the subscription kept from the window.
    #[arg(
        long,
        env = "HOOKLENS_RELAY_FROM",
        value_name = "URL",
        requires = "relay_token"
    )]
    pub relay_from: Option<String>,
    /// With --relay-from: a token made on the relay with `hooklens relay token create NAME`.
    #[arg(
        long,
        env = "HOOKLENS_RELAY_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub relay_token: Option<String>,
    /// With --relay-from: trust the CA in this PEM file for the relay's certificate (a
    /// private CA). Default: the system's CAs.
    #[arg(long, env = "HOOKLENS_RELAY_CA", value_name = "FILE")]
    pub relay_ca: Option<PathBuf>,
    /// With --relay-from: mirror only this endpoint of the relay (`default` for captures
    /// outside any). Default: everything.
    #[arg(long, env = "HOOKLENS_RELAY_ENDPOINT", value_name = "NAME")]
    pub relay_endpoint: Option<String>,
}

impl RelayFromArgs {
    /// The subscription the flags ask for.
    pub fn spec(&self) -> Option<RelaySpec> {
        Some(RelaySpec {
            url: self.relay_from.clone()?,
            token: self.relay_token.clone(),
            ca_file: self
                .relay_ca
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
            endpoint: self.relay_endpoint.clone(),
        })
    }
}

/// A running engine with what its caller shows the user.
pub struct Started {
    pub handle: Handle,
    /// The API token (shown only inside the login link).
    pub token: String,
    pub data_dir: PathBuf,
    /// The tunnel asked for with `--tunnel`, already opening.
    pub tunnel: Option<TunnelSpec>,
}

impl Started {
    /// The link that logs a browser (or the desktop window) in: it sets the session cookie
    /// and redirects to the inspector.
    pub fn login_url(&self) -> String {
        format!("{}/login?token={}", self.handle.api_url(), self.token)
    }
}

/// Starts the engine from `serve`'s flags: the data directory and its token, the listeners,
/// forwarding, the tunnel. `notifier` replaces the one `--notify` picks (the desktop app
/// passes its own).
pub async fn start(args: &ServeArgs, notifier: Option<Arc<dyn Notifier>>) -> Result<Started> {
    let tunnel = tunnel_spec(args)?;
    let data_dir = args.data.clone().resolve()?;
    let token = match &args.api_token {
        Some(token) => token.clone(),
        None => token::load_or_create(&data_dir)?,
    };
    let mut config = Config::new(data_dir.clone(), token.clone());
    config.database = args.database.database.clone();
    config.delivery_lease = args.delivery_lease;
    config.listen = args.listen;
    config.api_listen = args.api_listen;
    config.max_body = args.max_body;
    config.forward_to = forward_targets(&args.forward_to)?;
    config.ngrok_server = args.ngrok_server.clone();
    config.metrics = !args.no_metrics;
    config.metrics_without_token = args.metrics_without_token;
    config.relay_listen = args.relay_listen;
    config.relay_behind_proxy = args.relay_behind_proxy;
    config.relay_heartbeat = args.relay_heartbeat;
    config.tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        _ => None,
    };
    config.relay_from = args.relay_from.spec();
    match notifier {
        Some(notifier) => config.notifier = notifier,
        None if args.notify => config.notifier = Arc::new(hooklens_notify::DesktopNotifier),
        None => {}
    }
    let handle = hooklens_engine::run(config, Listeners::default())
        .await
        .map_err(with_flag_hint)?;
    if let Some(spec) = &tunnel {
        handle
            .tunnels()
            .start(spec, &handle.cancellation())
            .map_err(anyhow::Error::msg)?;
    }
    Ok(Started {
        handle,
        token,
        data_dir,
        tunnel,
    })
}

/// Forward targets from `--forward-to` URLs, each checked.
pub fn forward_targets(urls: &[String]) -> Result<Vec<hooklens_store::ForwardTarget>> {
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

fn tunnel_spec(args: &ServeArgs) -> Result<Option<TunnelSpec>> {
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
pub async fn public_url(handle: &Handle) -> String {
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

/// The engine's start-up error with the flag (and variable) that changes it.
pub fn with_flag_hint(e: EngineError) -> anyhow::Error {
    let flag = match &e {
        EngineError::Bind {
            what: "receiver", ..
        } => " (--listen, HOOKLENS_LISTEN)",
        EngineError::Bind {
            what: "relay stream",
            ..
        } => " (--relay-listen, HOOKLENS_RELAY_LISTEN)",
        EngineError::Bind { .. } | EngineError::ApiNotLoopback(_) => {
            " (--api-listen, HOOKLENS_API_LISTEN)"
        }
        EngineError::WeakToken => " (--api-token, HOOKLENS_API_TOKEN)",
        EngineError::RelayPlain(_) => " (--relay-listen, HOOKLENS_RELAY_LISTEN)",
        EngineError::Tls(_) => " (--tls-cert, --tls-key)",
        EngineError::Relay(_) => " (--relay-from, --relay-token, --relay-ca)",
        EngineError::Store(e) => store_flag(e),
        EngineError::HttpClient(_) => "",
    };
    anyhow::anyhow!("{e}{flag}")
}

/// The flag behind a store's start-up error, when the message does not name it.
fn store_flag(e: &hooklens_store::StoreError) -> &'static str {
    use hooklens_store::StoreError;
    match e {
        StoreError::DatabaseUrl(..)
        | StoreError::Unreachable { .. }
        | StoreError::AuthFailed { .. }
        | StoreError::Tls { .. } => " (--database, HOOKLENS_DATABASE)",
        _ => "",
    }
}

/// SIGINT and SIGTERM, watched from the moment this is made: made before the start-up
/// lines are printed, so a signal right after them stops Hooklens cleanly.
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn watch() -> Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals {
            int: signal(SignalKind::interrupt()).context("cannot watch for Ctrl-C")?,
            term: signal(SignalKind::terminate()).context("cannot watch for SIGTERM")?,
        })
    }

    pub async fn recv(mut self) {
        tokio::select! {
            _ = self.int.recv() => {}
            _ = self.term.recv() => {}
        }
    }
}
