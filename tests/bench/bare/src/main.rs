//! `bare-axum`: the baseline for the capture benchmark (`tests/bench/run.sh`).
//!
//! An axum server with the same stack as Hooklens's receiver (axum 0.8 on tokio's
//! multi-threaded runtime) but nothing behind it: every request, whatever its method and
//! path, has its body read in full (up to 25 MiB, like Hooklens's default limit) and
//! dropped, and gets `200 {"ok":true}`. Comparing Hooklens with it shows what capturing
//! (parsing, storing in SQLite, committing before answering) costs over plain HTTP.
//!
//! Usage: `bare-axum [ADDR]`, or env `BARE_LISTEN`; default `127.0.0.1:0` (a free port).
//! Once bound it prints exactly one line, `listening on http://ADDR`, to stdout.

use std::io::Write;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Largest body read; larger ones get a 413, as in Hooklens.
const MAX_BODY: usize = 25 * 1024 * 1024;

type Error = Box<dyn std::error::Error + Send + Sync>;

async fn sink(body: Body) -> Response {
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            drop(bytes);
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"ok":true}"#,
            )
                .into_response()
        }
        Err(_) => (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"ok":false}"#,
        )
            .into_response(),
    }
}

fn listen_addr() -> Result<SocketAddr, Error> {
    let raw = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("BARE_LISTEN").ok())
        .unwrap_or_else(|| "127.0.0.1:0".to_owned());
    raw.parse()
        .map_err(|e| format!("invalid listen address {raw:?}: {e}").into())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let addr = listen_addr()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{local}")?;
        out.flush()?;
    }
    let app = Router::new().fallback(sink);
    axum::serve(listener, app).await?;
    Ok(())
}
