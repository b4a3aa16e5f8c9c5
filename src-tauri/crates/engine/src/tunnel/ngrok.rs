//! ngrok, through the `ngrok` crate: an HTTPS URL on ngrok's edge forwarding to the
//! receiver's tunnel ingress. The session reconnects by itself after network loss or
//! suspend, keeping the URL (a reserved domain keeps it across restarts too).

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use ngrok::config::ForwarderBuilder;
use ngrok::prelude::EndpointInfo;
use ngrok::session::ConnectError;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{Tunnel, TunnelState, TunnelStatus, backoff, report};

pub struct Ngrok {
    authtoken: Option<String>,
    domain: Option<String>,
    /// ngrok's own by default; a test points it at a closed port.
    server_addr: Option<String>,
}

impl Ngrok {
    pub fn new(
        authtoken: Option<String>,
        domain: Option<String>,
        server_addr: Option<String>,
    ) -> Ngrok {
        Ngrok {
            authtoken: authtoken.filter(|t| !t.trim().is_empty()),
            domain: domain.filter(|d| !d.trim().is_empty()),
            server_addr,
        }
    }
}

/// What went wrong, and what to do about it.
fn explain(e: &ConnectError, server: &str) -> String {
    match e {
        ConnectError::Auth(_) => {
            "ngrok rejected the authtoken: check it in Settings → Tunnel (or NGROK_AUTHTOKEN)"
                .into()
        }
        ConnectError::Tcp(io) => format!("cannot reach ngrok at {server}: {io} — are you online?"),
        ConnectError::Tls(io) => format!("TLS with ngrok at {server} failed: {io}"),
        other => format!("ngrok: {other}"),
    }
}

impl Tunnel for Ngrok {
    // Long: the reconnect loop, with the ngrok session builder nested in it, reads best whole.
    fn run(
        self: Arc<Self>,
        local: SocketAddr,
        status: watch::Sender<TunnelStatus>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            let Some(token) = self.authtoken.clone() else {
                report(&status, "ngrok",
                    TunnelState::Error,
                    None,
                    Some(
                        "no ngrok authtoken: add yours in Settings → Tunnel or set NGROK_AUTHTOKEN \
                         (it is on your ngrok dashboard)"
                            .into(),
                    ),
                );
                return;
            };
            report(&status, "ngrok", TunnelState::Connecting, None, None);
            let server = self
                .server_addr
                .clone()
                .unwrap_or_else(|| "connect.ngrok-agent.com:443".into());
            let to = match url::Url::parse(&format!("http://{local}")) {
                Ok(url) => url,
                Err(e) => {
                    report(
                        &status,
                        "ngrok",
                        TunnelState::Error,
                        None,
                        Some(e.to_string()),
                    );
                    return;
                }
            };
            let mut failures = 0u32;
            let mut was_online = false;
            loop {
                let mut builder = ngrok::Session::builder();
                builder.authtoken(token.clone());
                if let Some(addr) = &self.server_addr
                    && let Err(e) = builder.server_addr(addr.clone())
                {
                    let why = format!("ngrok server address {addr:?}: {e}");
                    report(&status, "ngrok", TunnelState::Error, None, Some(why));
                    return;
                }
                let session = tokio::select! {
                    session = builder.connect() => session,
                    () = cancel.cancelled() => return,
                };
                let error = match session {
                    Ok(session) => {
                        let mut endpoint = session.http_endpoint();
                        if let Some(domain) = &self.domain {
                            endpoint.domain(domain.clone());
                        }
                        match endpoint.listen_and_forward(to.clone()).await {
                            Ok(mut forwarder) => {
                                failures = 0;
                                was_online = true;
                                let url = forwarder.url().to_string();
                                report(
                                    &status,
                                    "ngrok",
                                    TunnelState::Online,
                                    Some(url.clone()),
                                    None,
                                );
                                tracing::info!(%url, "tunnel online");
                                tokio::select! {
                                    _ = forwarder.join() => {}
                                    () = cancel.cancelled() => return,
                                }
                                "the ngrok tunnel closed".to_string()
                            }
                            Err(e) => format!("ngrok refused the tunnel: {e}"),
                        }
                    }
                    Err(e) => explain(&e, &server),
                };
                failures += 1;
                let state = if was_online {
                    TunnelState::Reconnecting
                } else {
                    TunnelState::Error
                };
                report(&status, "ngrok", state, None, Some(error));
                tokio::select! {
                    () = tokio::time::sleep(backoff(failures)) => {}
                    () = cancel.cancelled() => return,
                }
            }
        })
    }
}
