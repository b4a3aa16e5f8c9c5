//! Starts and stops the relay subscription (one at a time), and keeps what the window set
//! for next time: `DATA_DIR/relay-subscription.json`, mode 0600, as the ngrok authtoken is
//! kept — the token is a secret and never leaves the engine again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::status::{RelaySpec, RelayState, RelayStatus};
use super::subscribe::Subscription;
use crate::capture::Pipeline;

/// Where the subscription set from the window or the API is kept.
const KEPT: &str = "relay-subscription.json";

/// Why a subscription cannot start.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error(
        "the relay URL must be http://HOST:PORT or https://HOST[:PORT] (the relay's --relay-listen), not {0:?}"
    )]
    BadUrl(String),
    #[error(
        "a relay token is needed: create one on the relay with `hooklens relay token create NAME`"
    )]
    NoToken,
    #[error("cannot read the relay's CA certificate {path}: {why}")]
    Ca { path: String, why: String },
    #[error("cannot build the HTTP client for the relay: {0}")]
    Client(String),
    #[error("cannot keep the relay subscription in {}: {source}", path.display())]
    Keep {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The subscription as kept on disk, its token included.
#[derive(Serialize, Deserialize)]
struct Kept {
    url: String,
    token: String,
    ca_file: Option<String>,
    endpoint: Option<String>,
    enabled: bool,
}

/// The relay subscription: start, stop, status.
pub struct Relays {
    pipeline: Arc<Pipeline>,
    data_dir: PathBuf,
    status: watch::Sender<RelayStatus>,
    running: Mutex<Option<CancellationToken>>,
}

impl Relays {
    pub(crate) fn new(pipeline: Arc<Pipeline>, data_dir: PathBuf) -> Relays {
        let kept = read_kept(&data_dir).map(|k| k.url);
        Relays {
            pipeline,
            data_dir,
            status: watch::Sender::new(RelayStatus::new(RelayState::Off, kept)),
            running: Mutex::new(None),
        }
    }

    pub fn status(&self) -> RelayStatus {
        self.status.borrow().clone()
    }

    pub fn subscribe(&self) -> watch::Receiver<RelayStatus> {
        self.status.subscribe()
    }

    /// Subscribes to `spec`'s relay (ending a subscription already running). Without a
    /// token, the one kept for the same URL. `keep`: remember it for the next start (the
    /// window and the API do; flags do not).
    pub fn start(
        &self,
        spec: &RelaySpec,
        keep: bool,
        parent: &CancellationToken,
    ) -> Result<(), RelayError> {
        let url = url::Url::parse(spec.url.trim())
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| RelayError::BadUrl(spec.url.clone()))?;
        let base = url.as_str().trim_end_matches('/').to_string();
        let token = match spec.token.as_deref().map(str::trim) {
            Some(token) if !token.is_empty() => token.to_string(),
            _ => read_kept(&self.data_dir)
                .filter(|k| k.url == base)
                .map(|k| k.token)
                .ok_or(RelayError::NoToken)?,
        };
        let client = client(spec.ca_file.as_deref())?;
        if keep {
            self.keep(&Kept {
                url: base.clone(),
                token: token.clone(),
                ca_file: spec.ca_file.clone(),
                endpoint: spec.endpoint.clone(),
                enabled: true,
            })?;
        }
        self.end();
        let cancel = parent.child_token();
        if let Ok(mut running) = self.running.lock() {
            *running = Some(cancel.clone());
        }
        let mut first = RelayStatus::new(RelayState::Connecting, Some(base.clone()));
        first.endpoint = spec.endpoint.clone();
        self.status.send_replace(first);
        let subscription = Subscription {
            base,
            token,
            endpoint: spec.endpoint.clone(),
            client,
            pipeline: self.pipeline.clone(),
            status: self.status.clone(),
        };
        tokio::spawn(subscription.run(cancel));
        Ok(())
    }

    /// Starts the subscription kept from the window, if it was left on.
    pub fn resume_kept(&self, parent: &CancellationToken) -> Result<(), RelayError> {
        match read_kept(&self.data_dir) {
            Some(kept) if kept.enabled => {
                let spec = RelaySpec {
                    url: kept.url,
                    token: Some(kept.token),
                    ca_file: kept.ca_file,
                    endpoint: kept.endpoint,
                };
                self.start(&spec, false, parent)
            }
            _ => Ok(()),
        }
    }

    /// Ends the subscription. `keep`: it stays off at the next start (the kept URL and
    /// token stay, for turning it on again).
    pub fn stop(&self, keep: bool) -> Result<(), RelayError> {
        self.end();
        let kept = read_kept(&self.data_dir);
        if keep && let Some(mut kept) = read_kept(&self.data_dir) {
            kept.enabled = false;
            self.keep(&kept)?;
        }
        self.status
            .send_replace(RelayStatus::new(RelayState::Off, kept.map(|k| k.url)));
        Ok(())
    }

    fn end(&self) {
        let running = self.running.lock().ok().and_then(|mut r| r.take());
        if let Some(cancel) = running {
            cancel.cancel();
        }
    }

    fn keep(&self, kept: &Kept) -> Result<(), RelayError> {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = self.data_dir.join(KEPT);
        let json = serde_json::to_vec_pretty(kept).map_err(|e| RelayError::Keep {
            path: path.clone(),
            source: std::io::Error::other(e),
        })?;
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| f.write_all(&json))
            .map_err(|source| RelayError::Keep { path, source })
    }
}

fn read_kept(data_dir: &Path) -> Option<Kept> {
    let bytes = std::fs::read(data_dir.join(KEPT)).ok()?;
    match serde_json::from_slice(&bytes) {
        Ok(kept) => Some(kept),
        Err(e) => {
            tracing::warn!(error = %e, "the kept relay subscription is unreadable; ignored");
            None
        }
    }
}

/// The HTTP client for the relay, trusting `ca_file` besides the system's CAs.
fn client(ca_file: Option<&str>) -> Result<reqwest::Client, RelayError> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(10))
        .user_agent(concat!("hooklens/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca_file {
        let ca = |why: String| RelayError::Ca {
            path: path.to_string(),
            why,
        };
        crate::tls::read_certs(Path::new(path)).map_err(ca)?;
        let pem = std::fs::read(path).map_err(|e| ca(e.to_string()))?;
        for cert in reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca(e.to_string()))? {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| RelayError::Client(e.to_string()))
}
