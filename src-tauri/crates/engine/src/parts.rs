//! The engine's parts, each owning one concern, assembled from the config and spawned: the
//! receiver's pipeline and the API take the ones they use.

use std::sync::Arc;

use hooklens_store::Store;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::capture::gate::CaptureGate;
use crate::link::LinkWatch;
use crate::relay::limit::{Limiter, Policy};
use crate::relay::publish::Publisher;
use crate::relay::tokens::RelayTokens;
use crate::tunnel::TunnelStatus;
use crate::{
    Bound, Config, EngineError, EventBus, api, capture, catalog, forward, metrics, notify,
    receiver, relay, retention, serve, tunnel,
};

/// The parts every capture uses, whatever its source: a running engine's, or an offline
/// import's (which serves nothing and starts no loop).
pub(crate) struct Core {
    pub store: Store,
    pub events: EventBus,
    pub catalog: Arc<catalog::Catalog>,
    pub gate: Arc<CaptureGate>,
    pub routes: Arc<forward::routes::Routes>,
    pub forwarder: Arc<forward::Forwarder>,
    pub notifications: Arc<notify::Notifications>,
    pub metrics: Arc<metrics::Metrics>,
}

impl Core {
    pub async fn assemble(config: &Config, store: Store) -> Result<Core, EngineError> {
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
        forwarder.set_lease(config.delivery_lease);
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

    /// The capture pipeline: what every capture reads and tells. `tunnel` is the tunnel's
    /// status (its public URL is the URL a request through it was called at).
    pub fn pipeline(
        &self,
        config: &Config,
        tunnel: watch::Receiver<TunnelStatus>,
        cancel: &CancellationToken,
    ) -> Arc<capture::Pipeline> {
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
            tunnel,
            receiver_scheme: receiver_scheme(config),
            in_flight: Default::default(),
            cancel: cancel.clone(),
        })
    }
}

/// A running engine's parts: the core, and what serving adds (the API's access, the tunnel,
/// retention, the relay on either side).
pub(crate) struct Parts {
    pub access: Arc<api::Access>,
    pub core: Core,
    pub tunnels: Arc<tunnel::Tunnels>,
    pub retention: Arc<retention::Retention>,
    /// What every capture goes through, whatever its source.
    pub pipeline: Arc<capture::Pipeline>,
    /// The relay subscription (this side mirrors a relay).
    pub relays: Arc<relay::Relays>,
    /// The relay tokens (this side is a relay).
    pub relay_tokens: Arc<RelayTokens>,
    /// This store's id as a relay.
    pub relay_id: String,
}

impl Parts {
    pub async fn assemble(
        config: &Config,
        bound: &Bound,
        store: Store,
        cancel: &CancellationToken,
    ) -> Result<Parts, EngineError> {
        let core = Core::assemble(config, store).await?;
        let tunnels = Arc::new(tunnel::Tunnels::new(
            bound.ingress_addr,
            config.data_dir.clone(),
            config.ngrok_server.clone(),
        ));
        let pipeline = core.pipeline(config, tunnels.subscribe(), cancel);
        let store = &core.store;
        Ok(Parts {
            access: Arc::new(api::Access {
                receiver: bound.receiver_addr,
                api: bound.api_addr,
                max_body: config.max_body,
                token: config.api_token.clone(),
                extra_origins: config.extra_origins.clone(),
                metrics_without_token: config.metrics_without_token,
            }),
            tunnels,
            relays: Arc::new(relay::Relays::new(
                pipeline.clone(),
                config.data_dir.clone(),
            )),
            relay_tokens: Arc::new(RelayTokens::load(store.clone()).await?),
            relay_id: store.relay_id().await?,
            retention: Arc::new(retention::Retention::new(
                store.clone(),
                core.events.clone(),
            )),
            pipeline,
            core,
        })
    }

    fn api(&self, cancel: &CancellationToken) -> api::Api {
        api::Api {
            access: self.access.clone(),
            store: self.core.store.clone(),
            events: self.core.events.clone(),
            catalog: self.core.catalog.clone(),
            gate: self.core.gate.clone(),
            routes: self.core.routes.clone(),
            forwarder: self.core.forwarder.clone(),
            notifications: self.core.notifications.clone(),
            tunnels: self.tunnels.clone(),
            relays: self.relays.clone(),
            relay_tokens: self.relay_tokens.clone(),
            metrics: self.core.metrics.clone(),
            retention: self.retention.clone(),
            pipeline: self.pipeline.clone(),
            cancel: cancel.clone(),
        }
    }

    fn link_watch(&self) -> LinkWatch {
        LinkWatch {
            store: self.core.store.clone(),
            events: self.core.events.clone(),
            notifications: self.core.notifications.clone(),
            metrics: self.core.metrics.clone(),
        }
    }

    /// Serves the listeners and starts the background loops.
    pub fn spawn(
        &self,
        config: &Config,
        bound: Bound,
        tls: Option<Arc<rustls::ServerConfig>>,
        cancel: &CancellationToken,
        tasks: &mut JoinSet<()>,
    ) {
        let drain = config.drain_timeout;
        let opts = serve::Options::new(config);
        let receiver_opts = opts.clone().counting_refusals(self.core.metrics.clone());
        tasks.spawn(serve::serve(
            bound.receiver,
            receiver::app(self.pipeline.clone()),
            receiver_opts.clone().with_tls(tls.clone()),
            cancel.clone(),
            drain,
        ));
        tasks.spawn(serve::serve(
            bound.api,
            api::app(self.api(cancel)),
            opts.clone(),
            cancel.clone(),
            drain,
        ));
        tasks.spawn(serve::serve_tagged(
            bound.ingress,
            receiver::app(self.pipeline.clone()),
            receiver_opts,
            cancel.clone(),
            drain,
            Some(hooklens_store::Via::Tunnel),
        ));
        if let Some((listener, addr)) = bound.relay {
            self.spawn_relay(config, listener, opts.with_tls(tls), cancel, tasks);
            tracing::info!(relay_addr = %addr, "relay stream listening");
        }
        tasks.spawn(
            self.link_watch()
                .run(self.tunnels.subscribe(), cancel.clone()),
        );
        tasks.spawn(
            self.link_watch()
                .run(self.relays.subscribe(), cancel.clone()),
        );
        tasks.spawn(
            self.retention
                .clone()
                .run(config.retention_every, cancel.clone()),
        );
        tasks.spawn(metrics::rollup::run(
            self.core.metrics.clone(),
            self.core.store.clone(),
            self.core.events.clone(),
            cancel.clone(),
        ));
        tasks.spawn(self.core.forwarder.clone().run(cancel.clone()));
        tasks.spawn(crate::peers::follow(
            self.core.store.clone(),
            self.core.events.clone(),
            self.core.forwarder.clone(),
            cancel.clone(),
        ));
        tasks.spawn(self.core.notifications.clone().run(cancel.clone()));
        tracing::info!(receiver_addr = %bound.receiver_addr, api_addr = %bound.api_addr, "hooklens engine started");
    }

    /// The relay stream's listener, and the loop that notices tokens revoked elsewhere.
    fn spawn_relay(
        &self,
        config: &Config,
        listener: tokio::net::TcpListener,
        opts: serve::Options,
        cancel: &CancellationToken,
        tasks: &mut JoinSet<()>,
    ) {
        let relay_id = self.relay_id.clone();
        let publisher = Arc::new(Publisher {
            store: self.core.store.clone(),
            tokens: self.relay_tokens.clone(),
            limiter: std::sync::Mutex::new(Limiter::new(Policy::default())),
            heartbeat: config.relay_heartbeat,
            relay_id,
            behind_proxy: config.relay_behind_proxy,
            receiver_scheme: receiver_scheme(config),
            cancel: cancel.clone(),
        });
        tasks.spawn(serve::serve(
            listener,
            relay::publish::app(publisher),
            opts,
            cancel.clone(),
            config.drain_timeout,
        ));
        tasks.spawn(self.relay_tokens.clone().run(cancel.clone()));
    }
}

/// The scheme providers call the receiver at, as far as this Hooklens knows (a reverse proxy
/// in front says more in `X-Forwarded-Proto`).
fn receiver_scheme(config: &Config) -> &'static str {
    if config.tls.is_some() {
        "https"
    } else {
        "http"
    }
}
