use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use hooklens_store::{ForwardTarget, RetryPolicy};

use crate::forward::clock::{Clock, SystemClock};
use crate::forward::guard::{Resolver, SystemResolver};
use crate::notify::{LogNotifier, Notifier};
use crate::relay::RelaySpec;
use crate::tls::TlsFiles;

/// Default receiver address: what providers (or the tunnel) send to.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:4780";
/// Default control API and inspector address.
pub const DEFAULT_API_LISTEN: &str = "127.0.0.1:4781";
/// Default body limit: 25 MiB, more than any common provider sends.
pub const DEFAULT_MAX_BODY: u64 = 25 << 20;

/// How the engine runs. Build with [`Config::new`], then adjust fields.
#[derive(Clone)]
pub struct Config {
    /// Where the SQLite database (when `database` is `None`), the API token and the tunnel's
    /// files live.
    pub data_dir: PathBuf,
    /// A `postgres://` URL: the store on PostgreSQL, which several instances may share.
    /// `None`: the SQLite file in `data_dir`. Never logged (it may hold a password).
    pub database: Option<String>,
    /// How long a delivery this instance leases is held before another instance (or this
    /// one, after a restart) may take it; see `Forwarder::set_lease`.
    pub delivery_lease: Duration,
    /// Receiver address.
    pub listen: SocketAddr,
    /// Control API address; must be loopback.
    pub api_listen: SocketAddr,
    /// Secret that API clients present. Never logged.
    pub api_token: String,
    /// Largest body stored; larger requests get 413 and are recorded without their body.
    pub max_body: u64,
    /// A request whose headers have not arrived after this long is dropped.
    pub header_timeout: Duration,
    /// A body that makes no progress for this long is stored as incomplete (408).
    pub body_stall_timeout: Duration,
    /// A body still arriving after this long is stored as incomplete (408).
    pub body_total_timeout: Duration,
    /// On shutdown, in-flight requests get this long to finish.
    pub drain_timeout: Duration,
    /// How often retention runs.
    pub retention_every: Duration,
    /// Origins allowed to call the API besides the API's own (e.g. a desktop web view).
    pub extra_origins: Vec<String>,
    /// Where requests go when their endpoint names no target of its own.
    pub forward_to: Vec<ForwardTarget>,
    /// With `forward_to`: only requests under this path prefix are forwarded, the prefix
    /// stripped from the path.
    pub forward_prefix: Option<String>,
    /// Retry policy for deliveries whose endpoint sets none.
    pub retry: RetryPolicy,
    /// The forwarder's and notifications' clock; tests pass a manual one.
    pub clock: Arc<dyn Clock>,
    /// Resolves forward targets' host names (the loopback guard checks what they resolve
    /// to); tests pass a fixed table.
    pub resolver: Arc<dyn Resolver>,
    /// Shows notifications: a log line unless a desktop notifier is given.
    pub notifier: Arc<dyn Notifier>,
    /// ngrok's server address; `None` is ngrok's own. Tests point it at loopback.
    pub ngrok_server: Option<String>,
    /// Record metrics (counters, histograms, minute rollups). Off: `/metrics` answers 404
    /// and the Monitor's charts show only what was stored before.
    pub metrics: bool,
    /// Serve `/metrics` without the API token (for a scraper on this machine).
    pub metrics_without_token: bool,
    /// Where the relay stream listens, when this Hooklens is a relay.
    pub relay_listen: Option<SocketAddr>,
    /// A reverse proxy terminates TLS in front of the relay listener: it may then listen on
    /// plain HTTP off loopback, and the peer is the proxy's `X-Forwarded-For`.
    pub relay_behind_proxy: bool,
    /// How often a relay stream says it is alive while nothing else happens.
    pub relay_heartbeat: std::time::Duration,
    /// TLS for the receiver and the relay listener.
    pub tls: Option<TlsFiles>,
    /// Mirror this relay's captures (the flags' subscription; else the one kept from the
    /// window, if it was left on).
    pub relay_from: Option<RelaySpec>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database", &self.database.as_ref().map(|_| "<redacted>"))
            .field("delivery_lease", &self.delivery_lease)
            .field("listen", &self.listen)
            .field("api_listen", &self.api_listen)
            .field("api_token", &"<redacted>")
            .field("max_body", &self.max_body)
            .field("forward_to", &self.forward_to)
            .field("metrics", &self.metrics)
            .field("metrics_without_token", &self.metrics_without_token)
            .field("relay_listen", &self.relay_listen)
            .field("tls", &self.tls)
            .field("relay_from", &self.relay_from)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn new(data_dir: PathBuf, api_token: String) -> Config {
        Config {
            data_dir,
            database: None,
            delivery_lease: crate::forward::DEFAULT_LEASE,
            listen: parse_addr(DEFAULT_LISTEN),
            api_listen: parse_addr(DEFAULT_API_LISTEN),
            api_token,
            max_body: DEFAULT_MAX_BODY,
            header_timeout: Duration::from_secs(10),
            body_stall_timeout: Duration::from_secs(15),
            body_total_timeout: Duration::from_secs(300),
            drain_timeout: Duration::from_secs(10),
            retention_every: Duration::from_secs(60),
            extra_origins: Vec::new(),
            forward_to: Vec::new(),
            forward_prefix: None,
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
            resolver: Arc::new(SystemResolver),
            notifier: Arc::new(LogNotifier),
            ngrok_server: None,
            metrics: true,
            metrics_without_token: false,
            relay_listen: None,
            relay_behind_proxy: false,
            relay_heartbeat: Duration::from_secs(15),
            tls: None,
            relay_from: None,
        }
    }
}

fn parse_addr(s: &str) -> SocketAddr {
    s.parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
}
