//! Our own accept loop over hyper, rather than `axum::serve`: it sets the header-read timeout
//! that stops slowloris clients, hands each request its peer address, and on shutdown lets
//! open connections finish for a bounded time.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::Config;

/// How a request reached the receiver: the tunnel's ingress listener tags its requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Via(pub &'static str);

#[derive(Clone, Copy)]
pub(crate) struct Options {
    header_timeout: Duration,
}

impl From<&Config> for Options {
    fn from(config: &Config) -> Self {
        Options {
            header_timeout: config.header_timeout,
        }
    }
}

pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    options: Options,
    cancel: CancellationToken,
    drain: Duration,
) {
    serve_tagged(listener, app, options, cancel, drain, None).await
}

/// Like [`serve`], tagging every request with `via` (the tunnel's ingress).
pub(crate) async fn serve_tagged(
    listener: TcpListener,
    app: Router,
    options: Options,
    cancel: CancellationToken,
    drain: Duration,
    via: Option<Via>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: keep serving the open ones.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = cancel.cancelled() => break,
        };
        let _ = stream.set_nodelay(true);
        let service =
            app.clone()
                .map_request(move |mut req: http::Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(remote));
                    if let Some(via) = via {
                        req.extensions_mut().insert(via);
                    }
                    req
                });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%remote, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(drain) => {
            tracing::warn!(?drain, "connections still open after the drain timeout; closing them");
        }
    }
}
