//! The receiver: takes any method on any path and hands it to the capture pipeline, which
//! stores it, then answers. The same router serves the receiver's listener and the tunnel's
//! loopback ingress, whose accept loop tags each request `Via::Tunnel`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use hooklens_store::Via;

use crate::capture::{Pipeline, Source};

pub(crate) fn app(pipeline: Arc<Pipeline>) -> Router {
    Router::new().fallback(capture).with_state(pipeline)
}

async fn capture(State(pipeline): State<Arc<Pipeline>>, request: Request) -> Response {
    let extensions = request.extensions();
    let source = Source {
        via: extensions.get::<Via>().copied().unwrap_or(Via::Direct),
        peer: extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| *addr),
    };
    pipeline.capture(source, request).await
}
