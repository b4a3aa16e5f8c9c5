//! The Hooklens engine: everything but the window.
//!
//! [`run`] starts two listeners from a [`Config`]: the **receiver**, which captures any
//! request on any path and answers only once it is committed to the store, and the
//! **control API** (plus the inspector page), which listens on loopback only, wants a token
//! and checks Host and Origin. The two never share a listener, so exposing the receiver
//! through a tunnel never exposes the API. Nothing here depends on tauri or a display.

mod address;
pub mod api;
mod capture;
mod catalog;
mod config;
mod events;
pub mod export;
pub mod forward;
pub mod import;
pub mod metrics;
pub mod notify;
pub mod provider;
mod receiver;
mod retention;
pub mod rules;
mod serve;
mod text;
pub mod tunnel;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use address::ADDRESS_FILE;
pub use capture::import::ImportReport;
pub use config::{Config, DEFAULT_API_LISTEN, DEFAULT_LISTEN, DEFAULT_MAX_BODY};
pub use events::{Event, EventBus};
pub use hooklens_store::{Store, StoreError};
pub use metrics::rollup::StatsSummary;
pub use text::{SizeError, human_bytes, parse_bytes};

use capture::gate::CaptureGate;

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
    events: EventBus,
    tunnels: Arc<tunnel::Tunnels>,
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

/// Starts the engine: opens the store in `config.data_dir`, binds what `listeners` does not
/// provide, and serves until [`Handle::shutdown`].
pub async fn run(config: Config, listeners: Listeners) -> Result<Handle, EngineError> {
    if config.api_token.len() < 16 {
        return Err(EngineError::WeakToken);
    }
    let bound = Bound::bind(&config, listeners).await?;
    let store = Store::open(&config.data_dir)?;
    // A down period left open by a crash ended at the latest when this run began.
    store
        .close_period(None, None, hooklens_store::now_us())
        .await?;
    let parts = Parts::assemble(&config, &bound, store.clone()).await?;
    let cancel = CancellationToken::new();
    let mut tasks = JoinSet::new();
    parts.spawn(&config, bound, &cancel, &mut tasks);
    address::publish(&config.data_dir, &format!("http://{}", parts.access.api));
    Ok(Handle {
        receiver_addr: parts.access.receiver,
        api_addr: parts.access.api,
        store,
        cancel,
        tasks,
        events: parts.core.events,
        tunnels: parts.tunnels,
        gate: parts.core.gate,
        routes: parts.core.routes,
        data_dir: config.data_dir,
    })
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

/// Imports `file` (see [`import`]) into the store in `config.data_dir` through the capture
/// pipeline, without serving anything: for `hooklens import` when no Hooklens runs on that
/// directory. Deliveries it plans (`forward`) wait in the queue until Hooklens next starts.
pub async fn import_offline(
    config: &Config,
    file: &[u8],
    format: Option<import::Format>,
    forward: bool,
) -> Result<ImportReport, ImportFailure> {
    let records = import::read(file, format)?;
    let store = Store::open(&config.data_dir)?;
    let core = Core::assemble(config, store.clone()).await?;
    let report = core
        .pipeline(config, &CancellationToken::new())
        .import(records, forward)
        .await;
    store.close().await?;
    Ok(report?)
}

/// The three listeners, bound: the receiver, the control API, and the tunnel's ingress
/// (loopback: the tunnel forwards there, never to the API).
struct Bound {
    receiver: TcpListener,
    api: TcpListener,
    ingress: TcpListener,
    receiver_addr: SocketAddr,
    api_addr: SocketAddr,
    ingress_addr: SocketAddr,
}

impl Bound {
    async fn bind(config: &Config, listeners: Listeners) -> Result<Bound, EngineError> {
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
            receiver_addr,
            api_addr,
            ingress_addr,
        })
    }
}

/// The parts every capture uses, whatever its source: a running engine's, or an offline
/// import's (which serves nothing and starts no loop).
struct Core {
    store: Store,
    events: EventBus,
    catalog: Arc<catalog::Catalog>,
    gate: Arc<CaptureGate>,
    routes: Arc<forward::routes::Routes>,
    forwarder: Arc<forward::Forwarder>,
    notifications: Arc<notify::Notifications>,
    metrics: Arc<metrics::Metrics>,
}

impl Core {
    async fn assemble(config: &Config, store: Store) -> Result<Core, EngineError> {
        let events = EventBus::new(4096);
        let settings = store.settings().await?;
        let metrics = Arc::new(metrics::Metrics::new(config.metrics));
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
            forward::guard::Guard::new(config.resolver.clone(), settings.allow_remote_targets),
        )
        .map_err(EngineError::HttpClient)?;
        let routes = forward::routes::Routes::new(
            config.forward_to.clone(),
            config.forward_prefix.clone(),
            config.retry.clone(),
        );
        routes.set_window(settings.forward.active());
        Ok(Core {
            catalog: Arc::new(catalog::Catalog::load(store.clone(), events.clone()).await?),
            gate: Arc::new(CaptureGate::new(config.max_body, events.clone())),
            routes: Arc::new(routes),
            store,
            events,
            forwarder,
            notifications,
            metrics,
        })
    }

    /// The capture pipeline: what every capture reads and tells.
    fn pipeline(&self, config: &Config, cancel: &CancellationToken) -> Arc<capture::Pipeline> {
        Arc::new(capture::Pipeline {
            limits: capture::BodyLimits {
                max: config.max_body,
                stall: config.body_stall_timeout,
                total: config.body_total_timeout,
            },
            gate: self.gate.clone(),
            catalog: self.catalog.clone(),
            routes: self.routes.clone(),
            store: self.store.clone(),
            events: self.events.clone(),
            metrics: self.metrics.clone(),
            notifications: self.notifications.clone(),
            forwarder: self.forwarder.clone(),
            cancel: cancel.clone(),
        })
    }
}

/// The engine's parts, each owning one concern; the receiver's pipeline and the API take
/// the ones they use.
struct Parts {
    access: Arc<api::Access>,
    core: Core,
    tunnels: Arc<tunnel::Tunnels>,
    retention: Arc<retention::Retention>,
}

impl Parts {
    async fn assemble(config: &Config, bound: &Bound, store: Store) -> Result<Parts, EngineError> {
        let core = Core::assemble(config, store).await?;
        Ok(Parts {
            access: Arc::new(api::Access {
                receiver: bound.receiver_addr,
                api: bound.api_addr,
                max_body: config.max_body,
                token: config.api_token.clone(),
                extra_origins: config.extra_origins.clone(),
                metrics_without_token: config.metrics_without_token,
            }),
            tunnels: Arc::new(tunnel::Tunnels::new(
                bound.ingress_addr,
                config.data_dir.clone(),
                config.ngrok_server.clone(),
            )),
            retention: Arc::new(retention::Retention::new(
                core.store.clone(),
                core.events.clone(),
            )),
            core,
        })
    }

    fn api(&self, pipeline: Arc<capture::Pipeline>, cancel: &CancellationToken) -> api::Api {
        let core = &self.core;
        api::Api {
            access: self.access.clone(),
            store: core.store.clone(),
            events: core.events.clone(),
            catalog: core.catalog.clone(),
            gate: core.gate.clone(),
            routes: core.routes.clone(),
            forwarder: core.forwarder.clone(),
            notifications: core.notifications.clone(),
            tunnels: self.tunnels.clone(),
            metrics: core.metrics.clone(),
            retention: self.retention.clone(),
            pipeline,
            cancel: cancel.clone(),
        }
    }

    /// Serves the three listeners and starts the background loops.
    fn spawn(
        &self,
        config: &Config,
        bound: Bound,
        cancel: &CancellationToken,
        tasks: &mut JoinSet<()>,
    ) {
        let drain = config.drain_timeout;
        let opts = serve::Options::new(config);
        let core = &self.core;
        let receiver_opts = opts.clone().counting_refusals(core.metrics.clone());
        let pipeline = core.pipeline(config, cancel);
        tasks.spawn(serve::serve(
            bound.receiver,
            receiver::app(pipeline.clone()),
            receiver_opts.clone(),
            cancel.clone(),
            drain,
        ));
        tasks.spawn(serve::serve(
            bound.api,
            api::app(self.api(pipeline.clone(), cancel)),
            opts,
            cancel.clone(),
            drain,
        ));
        tasks.spawn(serve::serve_tagged(
            bound.ingress,
            receiver::app(pipeline),
            receiver_opts,
            cancel.clone(),
            drain,
            Some(hooklens_store::Via::Tunnel),
        ));
        let watch = tunnel::TunnelWatch {
            tunnels: self.tunnels.clone(),
            store: core.store.clone(),
            events: core.events.clone(),
            notifications: core.notifications.clone(),
            metrics: core.metrics.clone(),
        };
        tasks.spawn(watch.run(cancel.clone()));
        tasks.spawn(
            self.retention
                .clone()
                .run(config.retention_every, cancel.clone()),
        );
        tasks.spawn(metrics::rollup::run(
            core.metrics.clone(),
            core.store.clone(),
            core.events.clone(),
            cancel.clone(),
        ));
        tasks.spawn(core.forwarder.clone().run(cancel.clone()));
        tasks.spawn(core.notifications.clone().run(cancel.clone()));
        tracing::info!(receiver_addr = %bound.receiver_addr, api_addr = %bound.api_addr, "hooklens engine started");
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
