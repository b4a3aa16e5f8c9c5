//! The public tunnel. It exposes only the receiver, through a loopback ingress listener of
//! its own (so requests that came through it are marked `via: tunnel`); the control API is
//! never reachable through it. A provider implements [`Tunnel`]: connect, report the public
//! URL, and on loss reconnect with backoff, keeping the same URL where it can.

mod bore;
mod ngrok;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;

pub use crate::link::backoff;
pub use bore::Bore;
pub use ngrok::Ngrok;

/// Where a tunnel stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TunnelState {
    Off,
    Connecting,
    Online,
    Reconnecting,
    Error,
}

/// What `GET /api/v1/tunnel` says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TunnelStatus {
    /// `bore`, or `null` when off.
    pub provider: Option<String>,
    pub state: TunnelState,
    /// Where providers should send webhooks, when online.
    pub public_url: Option<String>,
    /// What went wrong, in words a person can act on.
    pub error: Option<String>,
    /// RFC 3339: since when it is in this state.
    pub since: String,
}

impl TunnelStatus {
    pub fn new(provider: Option<&str>, state: TunnelState) -> TunnelStatus {
        TunnelStatus {
            provider: provider.map(str::to_string),
            state,
            public_url: None,
            error: None,
            since: hooklens_store::format_us(hooklens_store::now_us()),
        }
    }
}

/// Publishes a provider's new state.
pub(super) fn report(
    status: &watch::Sender<TunnelStatus>,
    provider: &str,
    state: TunnelState,
    public_url: Option<String>,
    error: Option<String>,
) {
    let mut next = TunnelStatus::new(Some(provider), state);
    next.public_url = public_url;
    next.error = error;
    status.send_replace(next);
}

/// Which tunnel to open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "provider", rename_all = "snake_case", deny_unknown_fields)]
pub enum TunnelSpec {
    /// Your own bore server (`bore server` on a host you run).
    Bore {
        /// Host name or address of the bore server (control port 7835).
        server: String,
        /// The server's secret, if it has one. Never returned by the API.
        #[serde(default, skip_serializing)]
        secret: Option<String>,
    },
    /// ngrok: an HTTPS URL on ngrok's edge.
    Ngrok {
        /// Your ngrok authtoken; kept in the data directory (mode 0600) for next time.
        /// Default: the one kept, or NGROK_AUTHTOKEN. Never returned by the API.
        #[serde(default, skip_serializing)]
        authtoken: Option<String>,
        /// A reserved domain, for a URL that never changes.
        #[serde(default)]
        domain: Option<String>,
    },
}

/// A tunnel provider: runs until `cancel`, reporting through `status`.
pub trait Tunnel: Send + Sync + 'static {
    fn run(
        self: Arc<Self>,
        local: SocketAddr,
        status: watch::Sender<TunnelStatus>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()>;
}

/// Why a tunnel cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum TunnelError {
    #[error("cannot keep the ngrok authtoken in {}: {source}", path.display())]
    KeepAuthtoken {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Starts and stops the tunnel; one at a time.
pub struct Tunnels {
    ingress: SocketAddr,
    /// Where the ngrok authtoken is kept.
    data_dir: std::path::PathBuf,
    /// ngrok's server, when not ngrok's own (tests: a closed loopback port).
    ngrok_server: Option<String>,
    status: watch::Sender<TunnelStatus>,
    running: Mutex<Option<CancellationToken>>,
}

impl Tunnels {
    /// `ingress` is the loopback receiver listener the tunnel forwards to.
    pub fn new(
        ingress: SocketAddr,
        data_dir: std::path::PathBuf,
        ngrok_server: Option<String>,
    ) -> Tunnels {
        Tunnels {
            ingress,
            data_dir,
            ngrok_server,
            status: watch::channel(TunnelStatus::new(None, TunnelState::Off)).0,
            running: Mutex::new(None),
        }
    }

    pub fn status(&self) -> TunnelStatus {
        self.status.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<TunnelStatus> {
        self.status.subscribe()
    }

    /// Opens a tunnel (closing one already open). A new ngrok authtoken is kept for next
    /// time; the error says so when it cannot be.
    pub fn start(&self, spec: &TunnelSpec, parent: &CancellationToken) -> Result<(), TunnelError> {
        let tunnel: Arc<dyn Tunnel> = match spec {
            TunnelSpec::Bore { server, secret } => Arc::new(Bore::new(server, secret.clone())),
            TunnelSpec::Ngrok { authtoken, domain } => {
                let token = match authtoken {
                    Some(token) => {
                        self.keep_authtoken(token)?;
                        Some(token.clone())
                    }
                    None => self
                        .kept_authtoken()
                        .or_else(|| std::env::var("NGROK_AUTHTOKEN").ok()),
                };
                Arc::new(Ngrok::new(token, domain.clone(), self.ngrok_server.clone()))
            }
        };
        self.start_with(tunnel, parent);
        Ok(())
    }

    fn token_file(&self) -> std::path::PathBuf {
        self.data_dir.join("ngrok-authtoken")
    }

    fn kept_authtoken(&self) -> Option<String> {
        std::fs::read_to_string(self.token_file())
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }

    fn keep_authtoken(&self, token: &str) -> Result<(), TunnelError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.token_file();
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(token.trim().as_bytes()))
            .map_err(|source| TunnelError::KeepAuthtoken { path, source })
    }

    /// Opens a tunnel through any provider (tests pass their own).
    pub fn start_with(&self, tunnel: Arc<dyn Tunnel>, parent: &CancellationToken) {
        self.stop();
        let cancel = parent.child_token();
        if let Ok(mut running) = self.running.lock() {
            *running = Some(cancel.clone());
        }
        tokio::spawn(tunnel.run(self.ingress, self.status.clone(), cancel));
    }

    /// Closes the tunnel.
    pub fn stop(&self) {
        let running = self.running.lock().ok().and_then(|mut r| r.take());
        if let Some(cancel) = running {
            cancel.cancel();
        }
        self.status
            .send_replace(TunnelStatus::new(None, TunnelState::Off));
    }
}

/// The tunnel as a link: its watcher streams `tunnel.status`, counts tunnel time, stores
/// down periods and notifies when an online tunnel drops or comes back.
impl crate::link::Link for TunnelStatus {
    const NAME: &'static str = "Tunnel";
    const PERIOD: hooklens_store::PeriodKind = hooklens_store::PeriodKind::TunnelDown;
    const NOTIFICATION: hooklens_store::NotificationKind = hooklens_store::NotificationKind::Tunnel;

    fn phase(&self) -> crate::link::Phase {
        use crate::link::Phase;
        match self.state {
            TunnelState::Off => Phase::Off,
            TunnelState::Connecting => Phase::Connecting,
            TunnelState::Online => Phase::Up,
            TunnelState::Reconnecting => Phase::Down,
            TunnelState::Error => Phase::Failed,
        }
    }

    fn subject(&self) -> String {
        self.provider.clone().unwrap_or_default()
    }

    fn error(&self) -> Option<String> {
        self.error.clone()
    }

    fn back(&self) -> String {
        self.public_url.clone().unwrap_or_default()
    }

    fn event(self) -> crate::Event {
        crate::Event::TunnelStatus(Box::new(self))
    }

    fn meter(&self, metrics: &crate::metrics::Metrics, at_us: i64) {
        match self.state {
            TunnelState::Online => metrics.tunnel(Some(true), at_us),
            TunnelState::Off => metrics.tunnel(None, at_us),
            TunnelState::Reconnecting | TunnelState::Error => metrics.tunnel(Some(false), at_us),
            TunnelState::Connecting => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_read_from_json_and_hide_secrets() {
        let spec: TunnelSpec =
            serde_json::from_str(r#"{"provider":"bore","server":"tunnel.example","secret":"s3"}"#)
                .expect("spec");
        assert_eq!(
            spec,
            TunnelSpec::Bore {
                server: "tunnel.example".into(),
                secret: Some("s3".into())
            }
        );
        assert!(!serde_json::to_string(&spec).expect("json").contains("s3"));
        assert!(serde_json::from_str::<TunnelSpec>(r#"{"provider":"carrier-pigeon"}"#).is_err());
    }
}
