//! Our own accept loop over hyper, rather than `axum::serve`: it sets the header-read timeout
//! that stops slowloris clients and the number of headers the parser takes, hands each
//! request its peer address, counts the requests the parser itself refuses, speaks TLS when
//! given a certificate (the receiver and the relay listener), and on shutdown lets open
//! connections finish for a bounded time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::Config;
use crate::metrics::Metrics;

/// Headers the receiver takes in one request (hyper's own default is 100, and providers
/// or proxies adding tracing headers can come near it). More are refused by the receiver
/// with a 431 that says so (see `capture/admit.rs`).
pub(crate) const MAX_HEADERS: usize = 1000;
/// Headers hyper's parser takes: beyond [`MAX_HEADERS`], so a request just over the limit
/// still reaches the receiver for a clear refusal. A request over this (or over hyper's
/// 400 KiB head buffer) gets hyper's own bare 431; the accept loop counts and logs it. Each
/// parse reserves room for this many headers (about 64 bytes each), hence not more.
const PARSER_MAX_HEADERS: usize = 2 * MAX_HEADERS;

#[derive(Clone)]
pub(crate) struct Options {
    header_timeout: Duration,
    /// Where the parser's refusals are counted (the receiver's listeners, not the API's).
    refusals: Option<Arc<Metrics>>,
    /// TLS on every connection, when set.
    tls: Option<TlsAcceptor>,
}

impl Options {
    pub(crate) fn new(config: &Config) -> Self {
        Options {
            header_timeout: config.header_timeout,
            refusals: None,
            tls: None,
        }
    }

    /// Speaks TLS with `config` on every connection.
    pub(crate) fn with_tls(mut self, config: Option<Arc<rustls::ServerConfig>>) -> Self {
        self.tls = config.map(TlsAcceptor::from);
        self
    }

    /// Counts the requests hyper refuses before the router sees them as refusals.
    pub(crate) fn counting_refusals(mut self, metrics: Arc<Metrics>) -> Self {
        self.refusals = Some(metrics);
        self
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
    via: Option<hooklens_store::Via>,
) {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_timeout)
        .max_headers(PARSER_MAX_HEADERS);
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
        let connection = Connection {
            builder: builder.clone(),
            watcher: graceful.watcher(),
            refusals: options.refusals.clone(),
            remote,
        };
        match options.tls.clone() {
            None => {
                tokio::spawn(connection.serve(stream, service));
            }
            Some(tls) => {
                // The handshake gets the time the headers get: a client that stalls it costs
                // a bounded amount, and never holds up the accept loop.
                let deadline = options.header_timeout;
                tokio::spawn(async move {
                    match tokio::time::timeout(deadline, tls.accept(stream)).await {
                        Ok(Ok(stream)) => connection.serve(stream, service).await,
                        Ok(Err(e)) => tracing::debug!(%remote, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%remote, "TLS handshake timed out"),
                    }
                });
            }
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(drain) => {
            tracing::warn!(?drain, "connections still open after the drain timeout; closing them");
        }
    }
}

/// One accepted connection, plain or TLS, and what serving it needs.
struct Connection {
    builder: auto::Builder<TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
    refusals: Option<Arc<Metrics>>,
    remote: SocketAddr,
}

impl Connection {
    async fn serve<IO, S>(self, io: IO, service: S)
    where
        IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
        S: tower::Service<
                http::Request<hyper::body::Incoming>,
                Response = axum::response::Response,
                Error = std::convert::Infallible,
            > + Clone
            + Send
            + 'static,
        S::Future: Send + 'static,
    {
        let conn = self
            .builder
            .serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(service))
            .into_owned();
        let remote = self.remote;
        if let Err(e) = self.watcher.watch(conn).await {
            let too_large = e
                .downcast_ref::<hyper::Error>()
                .is_some_and(hyper::Error::is_parse_too_large);
            match self.refusals {
                Some(metrics) if too_large => {
                    metrics.refused("headers_too_large");
                    tracing::warn!(
                        %remote,
                        "refused a request with over {PARSER_MAX_HEADERS} headers or a head over 400 KiB: answered 431, nothing stored"
                    );
                }
                _ => tracing::debug!(%remote, error = %e, "connection ended with an error"),
            }
        }
    }
}
