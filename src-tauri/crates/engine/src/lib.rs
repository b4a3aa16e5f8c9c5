//! The Hooklens engine: everything but the window.
//!
//! [`run`] starts two listeners from a [`Config`]: the **receiver**, which captures any
//! request on any path and answers only once it is committed to the store, and the
//! **control API** (plus the inspector page), which listens on loopback only, wants a token
//! and checks Host and Origin. The two never share a listener, so exposing the receiver
//! through a tunnel never exposes the API. Nothing here depends on tauri or a display.

mod address;
pub mod api;
mod config;
mod events;
pub mod export;
pub mod forward;
pub mod metrics;
pub mod notify;
pub mod provider;
mod receiver;
pub mod rules;
mod serve;
mod state;
mod text;
pub mod tunnel;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use address::ADDRESS_FILE;
pub use config::{Config, DEFAULT_API_LISTEN, DEFAULT_LISTEN, DEFAULT_MAX_BODY};
pub use events::Event;
pub use hooklens_store::{Store, StoreError};
pub use metrics::rollup::StatsSummary;
pub use text::{human_bytes, parse_bytes};

use state::{Addrs, Shared};

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
    #[error("{0}")]
    Forwarder(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Listeners bound by the caller (tests bind `127.0.0.1:0`); `None` binds the config's address.
#[derive(Default)]
pub struct Listeners {
    pub receiver: Option<TcpListener>,
    pub api: Option<TcpListener>,
}

/// A running engine.
pub struct Handle {
    /// Where the receiver listens.
    pub receiver_addr: SocketAddr,
    /// Where the control API and inspector listen.
    pub api_addr: SocketAddr,
    store: Store,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    shared: Arc<Shared>,
}

impl Handle {
    /// The store the engine writes to.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Subscribes to the live events the API streams.
    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<Event> {
        self.shared.events.subscribe()
    }

    /// `http://ADDR` of the receiver.
    pub fn receiver_url(&self) -> String {
        format!("http://{}", self.receiver_addr)
    }

    /// `http://ADDR` of the inspector.
    pub fn api_url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    /// The public tunnel: start, stop, status.
    pub fn tunnels(&self) -> &tunnel::Tunnels {
        &self.shared.tunnels
    }

    /// Whether capture is paused (the receiver answers 503 and stores nothing).
    pub fn paused(&self) -> bool {
        self.shared.paused()
    }

    /// Pauses or resumes capture, as `PUT /api/v1/capture` does.
    pub fn set_paused(&self, paused: bool) {
        self.shared.set_paused(paused);
    }

    /// A token that resolves when shutdown starts.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Stops accepting, lets in-flight requests finish (bounded by the drain timeout), then
    /// commits everything and closes the store.
    pub async fn shutdown(mut self) -> Result<(), StoreError> {
        address::withdraw(&self.shared.config.data_dir, &self.api_url());
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
        self.store.close().await
    }
}

/// Starts the engine: opens the store in `config.data_dir`, binds what `listeners` does not
/// provide, and serves until [`Handle::shutdown`].
pub async fn run(config: Config, listeners: Listeners) -> Result<Handle, EngineError> {
    if config.api_token.len() < 16 {
        return Err(EngineError::WeakToken);
    }
    let receiver = bind(listeners.receiver, config.listen, "receiver").await?;
    let api = bind(listeners.api, config.api_listen, "control API").await?;
    let receiver_addr = local_addr(&receiver, "receiver")?;
    // The tunnel forwards here, never to the API.
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
    let store = Store::open(&config.data_dir)?;
    let data_dir = config.data_dir.clone();
    let ngrok_server = config.ngrok_server.clone();
    let endpoints = store.list_endpoints().await?;
    let rules = store.list_rules().await?;
    let settings = store.settings().await?;
    let cancel = CancellationToken::new();
    let (events, _) = tokio::sync::broadcast::channel(4096);
    let metrics = Arc::new(metrics::Metrics::new(config.metrics));
    // A down period left open by a crash ended at the latest when this run began.
    store
        .close_period(None, None, hooklens_store::now_us())
        .await?;
    let notifications = notify::Notifications::new(
        store.clone(),
        config.notifier.clone(),
        config.clock.clone(),
        settings.notifications.clone(),
        events.clone(),
    );
    let forwarder = forward::Forwarder::new(
        store.clone(),
        config.clock.clone(),
        events.clone(),
        notifications.clone(),
        metrics.clone(),
        settings.allow_remote_targets,
    )
    .map_err(EngineError::Forwarder)?;
    let shared = Arc::new(Shared::new(
        config,
        store.clone(),
        endpoints,
        rules,
        Addrs {
            receiver: receiver_addr,
            api: api_addr,
        },
        events,
        forwarder.clone(),
        notifications.clone(),
        tunnel::Tunnels::new(ingress_addr, data_dir, ngrok_server),
        metrics,
        cancel.clone(),
    ));

    let mut tasks = JoinSet::new();
    let drain = shared.config.drain_timeout;
    let opts = serve::Options::new(&shared.config);
    let receiver_opts = opts.clone().counting_refusals(shared.metrics.clone());
    tasks.spawn(serve::serve(
        receiver,
        receiver::app(shared.clone()),
        receiver_opts.clone(),
        cancel.clone(),
        drain,
    ));
    tasks.spawn(serve::serve(
        api,
        api::app(shared.clone()),
        opts,
        cancel.clone(),
        drain,
    ));
    tasks.spawn(serve::serve_tagged(
        ingress,
        receiver::app(shared.clone()),
        receiver_opts,
        cancel.clone(),
        drain,
        Some(serve::Via("tunnel")),
    ));
    tasks.spawn(state::tunnel_watch(shared.clone()));
    tasks.spawn(state::retention_loop(shared.clone()));
    tasks.spawn(metrics::rollup::run(shared.clone()));
    tasks.spawn(forwarder.run(cancel.clone()));
    tasks.spawn(notifications.run(cancel.clone()));
    address::publish(&shared.config.data_dir, &format!("http://{api_addr}"));
    tracing::info!(%receiver_addr, %api_addr, "hooklens engine started");
    Ok(Handle {
        receiver_addr,
        api_addr,
        store,
        cancel,
        tasks,
        shared,
    })
}

async fn bind(
    given: Option<TcpListener>,
    addr: SocketAddr,
    what: &'static str,
) -> Result<TcpListener, EngineError> {
    if let Some(listener) = given {
        return Ok(listener);
    }
    TcpListener::bind(addr).await.map_err(|source| {
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

fn local_addr(listener: &TcpListener, what: &'static str) -> Result<SocketAddr, EngineError> {
    listener.local_addr().map_err(|source| EngineError::Bind {
        what,
        addr: SocketAddr::from(([0, 0, 0, 0], 0)),
        source,
        hint: "",
    })
}
