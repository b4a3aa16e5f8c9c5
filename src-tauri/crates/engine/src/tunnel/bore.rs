//! bore: a tunnel through your own bore server. The server hands out a public port; on loss
//! the client asks for the same port again, so the URL survives a reconnect.

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::{Tunnel, TunnelState, TunnelStatus, backoff, report};

pub struct Bore {
    server: String,
    secret: Option<String>,
}

impl Bore {
    pub fn new(server: &str, secret: Option<String>) -> Bore {
        Bore {
            server: server.trim().to_string(),
            secret,
        }
    }
}

impl Tunnel for Bore {
    fn run(
        self: Arc<Self>,
        local: SocketAddr,
        status: watch::Sender<TunnelStatus>,
        cancel: CancellationToken,
    ) -> BoxFuture<'static, ()> {
        Box::pin(async move {
            report(&status, "bore", TunnelState::Connecting, None, None);
            let local_host = local.ip().to_string();
            let mut port = 0u16; // any, the first time; the same one afterwards
            let mut failures = 0u32;
            let mut was_online = false;
            loop {
                let connect = bore_cli::client::Client::new(
                    &local_host,
                    local.port(),
                    &self.server,
                    port,
                    self.secret.as_deref(),
                );
                let client = tokio::select! {
                    client = connect => client,
                    () = cancel.cancelled() => return,
                };
                match client {
                    Ok(client) => {
                        port = client.remote_port();
                        failures = 0;
                        was_online = true;
                        let url = format!("http://{}:{port}", self.server);
                        report(
                            &status,
                            "bore",
                            TunnelState::Online,
                            Some(url.clone()),
                            None,
                        );
                        tracing::info!(%url, "tunnel online");
                        let why = tokio::select! {
                            result = client.listen() => match result {
                                Ok(()) => "the bore server closed the tunnel".to_string(),
                                Err(e) => format!("the tunnel to {} broke: {e}", self.server),
                            },
                            () = cancel.cancelled() => return,
                        };
                        tracing::warn!(%why, "tunnel lost; reconnecting");
                        report(
                            &status,
                            "bore",
                            TunnelState::Reconnecting,
                            Some(url),
                            Some(why),
                        );
                    }
                    Err(e) => {
                        let why = format!("cannot reach tunnel server {}:7835: {e:#}", self.server);
                        let state = if was_online {
                            TunnelState::Reconnecting
                        } else {
                            TunnelState::Error
                        };
                        report(&status, "bore", state, None, Some(why));
                        failures += 1;
                    }
                }
                tokio::select! {
                    () = tokio::time::sleep(backoff(failures)) => {}
                    () = cancel.cancelled() => return,
                }
            }
        })
    }
}
