//! The API's state and the parts handlers take from it. Each handler names the parts it
//! uses (`State<Store>`, `State<Arc<Catalog>>`, …) through axum's `FromRef`, so a
//! resource's router can be built and tested over just those parts.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::FromRef;
use hooklens_store::Store;
use tokio_util::sync::CancellationToken;

use crate::capture::Pipeline;
use crate::capture::gate::CaptureGate;
use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::forward::Forwarder;
use crate::forward::routes::Routes;
use crate::metrics::Metrics;
use crate::notify::Notifications;
use crate::relay::Relays;
use crate::relay::tokens::RelayTokens;
use crate::retention::Retention;
use crate::tunnel::Tunnels;

/// Where the engine listens, and who may call the API.
pub(crate) struct Access {
    pub receiver: SocketAddr,
    pub api: SocketAddr,
    pub max_body: u64,
    /// The secret API clients present. Never logged.
    pub token: String,
    /// Origins allowed besides the API's own (a desktop web view).
    pub extra_origins: Vec<String>,
    /// `/metrics` is served without the token.
    pub metrics_without_token: bool,
}

/// Every part of the engine the API reaches.
#[derive(Clone)]
pub(crate) struct Api {
    pub access: Arc<Access>,
    pub store: Store,
    pub events: EventBus,
    pub catalog: Arc<Catalog>,
    pub gate: Arc<CaptureGate>,
    pub routes: Arc<Routes>,
    pub forwarder: Arc<Forwarder>,
    pub notifications: Arc<Notifications>,
    pub tunnels: Arc<Tunnels>,
    /// The relay subscription.
    pub relays: Arc<Relays>,
    /// The relay tokens, when this Hooklens is a relay (kept either way: tokens can be made
    /// before the relay listener is turned on).
    pub relay_tokens: Arc<RelayTokens>,
    pub metrics: Arc<Metrics>,
    pub retention: Arc<Retention>,
    /// Test events are captured through it, like the receiver's requests.
    pub pipeline: Arc<Pipeline>,
    /// Shutdown: ends live streams, parents the tunnel.
    pub cancel: CancellationToken,
}

/// `impl FromRef<Api> for Part`: the part, cloned (an `Arc` or a cheap handle).
macro_rules! parts {
    ($($field:ident: $part:ty),+ $(,)?) => {
        $(impl FromRef<Api> for $part {
            fn from_ref(api: &Api) -> $part {
                api.$field.clone()
            }
        })+
    };
}

parts! {
    access: Arc<Access>,
    store: Store,
    events: EventBus,
    catalog: Arc<Catalog>,
    gate: Arc<CaptureGate>,
    routes: Arc<Routes>,
    forwarder: Arc<Forwarder>,
    notifications: Arc<Notifications>,
    tunnels: Arc<Tunnels>,
    relays: Arc<Relays>,
    relay_tokens: Arc<RelayTokens>,
    metrics: Arc<Metrics>,
    retention: Arc<Retention>,
    pipeline: Arc<Pipeline>,
    cancel: CancellationToken,
}
