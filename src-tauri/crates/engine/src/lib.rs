//! The Hooklens engine: everything but the window.
//!
//! [`run`] starts the listeners from a [`Config`]: the **receiver**, which captures any
//! request on any path and answers only once it is committed to the store, the **control
//! API** (plus the inspector page), which listens on loopback only, wants a token and
//! checks Host and Origin, and on a relay the **relay stream** (`--relay-listen`), which
//! serves only the ordered stream of captures to holders of relay tokens. None shares a
//! listener, so exposing the receiver (through a tunnel, or as a relay) never exposes the
//! API. Nothing here depends on tauri or a display.

mod address;
pub mod api;
mod capture;
mod catalog;
mod config;
mod events;
pub mod export;
pub mod forward;
pub mod import;
mod link;
pub mod metrics;
pub mod notify;
mod parts;
mod peers;
pub mod provider;
mod receiver;
pub mod relay;
mod retention;
pub mod rules;
mod serve;
mod text;
pub mod tls;
pub mod tunnel;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use address::ADDRESS_FILE;
pub use capture::import::ImportReport;
pub use config::{Config, DEFAULT_API_LISTEN, DEFAULT_LISTEN, DEFAULT_MAX_BODY};
pub use events::{Event, EventBus, RemovalReason};
pub use hooklens_store::{Store, StoreError};
pub use metrics::rollup::StatsSummary;
pub use text::{SizeError, human_bytes, parse_bytes};

use capture::gate::CaptureGate;
use parts::{Core, Parts};

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot listen on {addr} for the {what}: {source}{hint}")]
    Bind {
        what: &'static str,
        addr: SocketAddr,
        source: std::io::Error,
        hint: &'static str,
    },
    #[error(
        "the control API must listen on a loopback address (127.0.0.1 or [::1]), not {0}: it controls your captured data"
    )]
    ApiNotLoopback(SocketAddr),
    #[error("the API token must be at least 16 characters")]
    WeakToken,
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
    #[error(
        "refusing to serve the relay stream over plain HTTP on {0}, off this machine: pass --tls-cert and --tls-key, or --relay-behind-proxy when a reverse proxy in front terminates TLS"
    )]
    RelayPlain(SocketAddr),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error(transparent)]
    Relay(#[from] relay::RelayError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Listeners bound by the caller (tests bind `127.0.0.1:0`); `None` binds the config's address.
#[derive(Default)]
pub struct Listeners {
    pub receiver: Option<TcpListener>,
    pub api: Option<TcpListener>,
    /// The relay stream's; used only with `Config::relay_listen` or when given.
    pub relay: Option<TcpListener>,
}

/// A running engine.
pub struct Handle {
    /// Where the receiver listens.
    pub receiver_addr: SocketAddr,
    /// Where the control API and inspector listen.
    pub api_addr: SocketAddr,
    /// Where the relay stream listens, on a relay.
    pub relay_addr: Option<SocketAddr>,
    /// The receiver and the relay listener speak TLS.
    tls: bool,
    store: Store,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    events: EventBus,
    tunnels: Arc<tunnel::Tunnels>,
    relays: Arc<relay::Relays>,
    gate: Arc<CaptureGate>,
    routes: Arc<forward::routes::Routes>,
    /// Where [`ADDRESS_FILE`] was written, to withdraw it at shutdown.
    data_dir: std::path::PathBuf,
}

impl Handle {
    /// The store the engine writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Subscribes to the live events the API streams.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.events.subscribe()
    }

    /// `http://ADDR` (`https://` with TLS) of the receiver.
    pub fn receiver_url(&self) -> String {
        format!("{}://{}", self.scheme(), self.receiver_addr)
    }

    /// The relay stream's base URL, on a relay: what subscribers pass as `--relay-from`.
    pub fn relay_url(&self) -> Option<String> {
        self.relay_addr
            .map(|addr| format!("{}://{addr}", self.scheme()))
    }

    fn scheme(&self) -> &'static str {
        if self.tls { "https" } else { "http" }
    }

    /// The relay subscription: start, stop, status.
    pub fn relays(&self) -> &relay::Relays {
        &self.relays
    }

    /// `http://ADDR` of the inspector.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    /// The public tunnel: start, stop, status.
    pub fn tunnels(&self) -> &tunnel::Tunnels {
        &self.tunnels
    }

    /// Whether capture is paused (the receiver answers 503 and stores nothing).
    pub fn paused(&self) -> bool {
        self.gate.paused()
    }

    /// Pauses or resumes capture, as `PUT /api/v1/capture` does.
    pub fn set_paused(&self, paused: bool) {
        self.gate.set_paused(paused);
    }

    /// The targets of `--forward-to` (fixed for the engine's life; the window's are in the
    /// settings' `forward`).
    pub fn forward_command_line(&self) -> Vec<String> {
        self.routes
            .command_line()
            .iter()
            .map(|t| t.url.clone())
            .collect()
    }

    /// A token that resolves when shutdown starts.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Stops accepting, lets in-flight requests finish (bounded by the drain timeout), then
    /// commits everything and closes the store.
    pub async fn shutdown(mut self) -> Result<(), StoreError> {
        address::withdraw(&self.data_dir, &self.api_url());
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
        self.store.close().await
    }
}

/// Starts the engine: opens the store (`config.database`, else the SQLite file in
/// `config.data_dir`), binds what `listeners` does not provide, and serves until
/// [`Handle::shutdown`].
pub async fn run(config: Config, listeners: Listeners) -> Result<Handle, EngineError> {
    if config.api_token.len() < 16 {
        return Err(EngineError::WeakToken);
    }
    let tls = config.tls.as_ref().map(tls::server_config).transpose()?;
    let bound = Bound::bind(&config, listeners, tls.is_some()).await?;
    let store = Store::connect(&config.data_dir, config.database.as_deref()).await?;
    // A down period left open by a crash ended at the latest when this run began.
    store
        .close_period(None, None, hooklens_store::now_us())
        .await?;
    let cancel = CancellationToken::new();
    let parts = Parts::assemble(&config, &bound, store.clone(), &cancel).await?;
    let mut tasks = JoinSet::new();
    let relay_addr = bound.relay.as_ref().map(|(_, addr)| *addr);
    parts.spawn(&config, bound, tls.clone(), &cancel, &mut tasks);
    address::publish(&config.data_dir, &format!("http://{}", parts.access.api));
    let subscribed = match &config.relay_from {
        Some(spec) => parts.relays.start(spec, false, &cancel),
        None => parts.relays.resume_kept(&cancel).or_else(|e| {
            tracing::warn!(error = %e, "cannot resume the kept relay subscription");
            Ok(())
        }),
    };
    let handle = Handle {
        receiver_addr: parts.access.receiver,
        api_addr: parts.access.api,
        relay_addr,
        tls: tls.is_some(),
        store,
        cancel,
        tasks,
        events: parts.core.events,
        tunnels: parts.tunnels,
        relays: parts.relays,
        gate: parts.core.gate,
        routes: parts.core.routes,
        data_dir: config.data_dir,
    };
    if let Err(e) = subscribed {
        let _ = handle.shutdown().await;
        return Err(e.into());
    }
    Ok(handle)
}

/// Why an import did not happen. Nothing of the file was stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error(transparent)]
    File(#[from] import::ImportError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports `file` (see [`import`]) into the store (`config.database`, else the SQLite file
/// in `config.data_dir`) through the capture pipeline, without serving anything: for
/// `hooklens import` when no Hooklens runs on that directory. Deliveries it plans (`forward`) wait in the queue until Hooklens next starts.
pub async fn import_offline(
    config: &Config,
    file: &[u8],
    format: Option<import::Format>,
    forward: bool,
) -> Result<ImportReport, ImportFailure> {
    let records = import::read(file, format)?;
    let store = Store::connect(&config.data_dir, config.database.as_deref()).await?;
    let core = Core::assemble(config, store.clone()).await?;
    let (_, tunnel) = watch::channel(tunnel::TunnelStatus::new(None, tunnel::TunnelState::Off));
    let report = core
        .pipeline(config, tunnel, &CancellationToken::new())
        .import(records, forward)
        .await;
    store.close().await?;
    Ok(report?)
}

/// The listeners, bound: the receiver, the control API, the tunnel's ingress (loopback: the
/// tunnel forwards there, never to the API), and on a relay the relay stream.
struct Bound {
    receiver: TcpListener,
    api: TcpListener,
    ingress: TcpListener,
    relay: Option<(TcpListener, SocketAddr)>,
    receiver_addr: SocketAddr,
    api_addr: SocketAddr,
    ingress_addr: SocketAddr,
}

impl Bound {
    async fn bind(config: &Config, listeners: Listeners, tls: bool) -> Result<Bound, EngineError> {
        // Plain HTTP off loopback would carry every capture and the tokens in the clear.
        let plain_ok = |addr: SocketAddr| {
            if addr.ip().is_loopback() || tls || config.relay_behind_proxy {
                Ok(())
            } else {
                Err(EngineError::RelayPlain(addr))
            }
        };
        let relay = match (listeners.relay, config.relay_listen) {
            (Some(listener), _) => Some(listener),
            (None, Some(addr)) => {
                plain_ok(addr)?;
                Some(bind(None, addr, "relay stream").await?)
            }
            (None, None) => None,
        };
        let relay = match relay {
            Some(listener) => {
                let addr = local_addr(&listener, "relay stream")?;
                plain_ok(addr)?;
                Some((listener, addr))
            }
            None => None,
        };
        let receiver = bind(listeners.receiver, config.listen, "receiver").await?;
        let api = bind(listeners.api, config.api_listen, "control API").await?;
        let receiver_addr = local_addr(&receiver, "receiver")?;
        let ingress = bind(
            None,
            SocketAddr::from(([127, 0, 0, 1], 0)),
            "tunnel ingress",
        )
        .await?;
        let ingress_addr = local_addr(&ingress, "tunnel ingress")?;
        let api_addr = local_addr(&api, "control API")?;
        if !api_addr.ip().is_loopback() {
            return Err(EngineError::ApiNotLoopback(api_addr));
        }
        Ok(Bound {
            receiver,
            api,
            ingress,
            relay,
            receiver_addr,
            api_addr,
            ingress_addr,
        })
    }
}

async fn bind(
    given: Option<TcpListener>,
    addr: SocketAddr,
    what: &'static str,
) -> Result<TcpListener, EngineError> {
    if let Some(listener) = given {
        return Ok(listener);
    }
    listen(addr).map_err(|source| {
        let hint = match source.kind() {
            std::io::ErrorKind::AddrInUse => {
                " — is another Hooklens (or another server) running? choose another port"
            }
            std::io::ErrorKind::PermissionDenied => " — ports below 1024 need root; choose another",
            _ => "",
        };
        EngineError::Bind {
            what,
            addr,
            source,
            hint,
        }
    })
}

/// Connections the kernel holds for a listener until it accepts them. Tokio's own `bind`
/// asks for 1,024; a storm of new connections on a busy machine (a provider's retry burst, a
/// load test) then overflows the queue and clients see resets. The kernel caps this at
/// `net.core.somaxconn` (4,096 on current Linux).
const BACKLOG: u32 = 4096;

/// A listener on `addr` with a [`BACKLOG`] of waiting connections (the engine's own
/// listeners; tests bind their receiver with it too).
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4()?,
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(BACKLOG)
}

fn local_addr(listener: &TcpListener, what: &'static str) -> Result<SocketAddr, EngineError> {
    listener.local_addr().map_err(|source| EngineError::Bind {
        what,
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
        hint: "",
    })
}
