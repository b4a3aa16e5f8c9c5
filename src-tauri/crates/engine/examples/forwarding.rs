//! Forwarding figures, over loopback, in one process:
//! 1. overhead: time from sending a request until the local service receives it, straight
//!    and through Hooklens (capture, commit, queue, forward), p50/p99;
//! 2. a burst of 10,000 requests forwarded to a service that is down for the first half:
//!    how long until all are delivered, and whether any was lost or delivered twice.
//!
//! Run: `cargo run --release -p hooklens-engine --example forwarding` (prints figures;
//! asserts nothing). Env: `PROBES` (default 2000), `BURST` (default 10000).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use hooklens_engine::{Config, Listeners};
use hooklens_store::{ForwardTarget, PathMode};
use tokio::net::TcpListener;

const TOKEN: &str = "forwarding-example-token-0123456789";

/// Arrival time and count per request marker.
type Seen = Arc<Mutex<HashMap<String, (Instant, u32)>>>;

async fn service(listener: TcpListener, seen: Seen) {
    let app = axum::Router::new()
        .fallback(|State(seen): State<Seen>, request: Request| async move {
            let now = Instant::now();
            let marker = request
                .headers()
                .get("x-marker")
                .and_then(|v| v.to_str().ok());
            if let (Some(marker), Ok(mut seen)) = (marker, seen.lock()) {
                seen.entry(marker.to_string()).or_insert((now, 0)).1 += 1;
            }
            "ok"
        })
        .with_state(seen);
    let _ = axum::serve(listener, app).await;
}

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pct(v: &mut [Duration], p: f64) -> f64 {
    v.sort();
    v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
        .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
}

/// Sends `n` marked requests one after another to `url`; returns each one's time from send
/// to arrival at the service.
async fn probe(
    http: &reqwest::Client,
    url: &str,
    n: usize,
    tag: &str,
    seen: &Seen,
) -> Vec<Duration> {
    let mut lags = Vec::with_capacity(n);
    for i in 0..n {
        let marker = format!("{tag}-{i}");
        let sent = Instant::now();
        let _ = http
            .post(url)
            .header("x-marker", &marker)
            .body(r#"{"type":"probe"}"#)
            .send()
            .await;
        // Through Hooklens the service may get it after our answer: wait for it.
        let arrived = loop {
            if let Some((at, _)) = seen.lock().ok().and_then(|s| s.get(&marker).copied()) {
                break at;
            }
            tokio::task::yield_now().await;
        };
        lags.push(arrived.saturating_duration_since(sent));
    }
    lags
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (probes, burst) = (env("PROBES", 2000), env("BURST", 10_000));
    let seen: Seen = Arc::default();
    let service_listener = TcpListener::bind("127.0.0.1:0").await?;
    let service_addr = service_listener.local_addr()?;
    let running = tokio::spawn(service(service_listener, seen.clone()));

    let dir = tempfile::tempdir()?;
    let mut config = Config::new(dir.path().to_path_buf(), TOKEN.into());
    config.forward_to = vec![ForwardTarget {
        url: format!("http://{service_addr}"),
        path: PathMode::Keep,
        headers: Vec::new(),
        resign: None,
    }];
    let handle = hooklens_engine::run(
        config,
        Listeners {
            receiver: Some(TcpListener::bind("127.0.0.1:0").await?),
            api: Some(TcpListener::bind("127.0.0.1:0").await?),
            relay: None,
        },
    )
    .await?;
    let http = reqwest::Client::new();

    let mut direct = probe(
        &http,
        &format!("http://{service_addr}/x"),
        probes,
        "direct",
        &seen,
    )
    .await;
    let mut through = probe(
        &http,
        &format!("{}/x", handle.receiver_url()),
        probes,
        "via",
        &seen,
    )
    .await;
    println!("overhead, {probes} sequential requests, send → service receives it:");
    println!(
        "  straight:        p50 {:.2} ms  p99 {:.2} ms",
        pct(&mut direct, 0.5),
        pct(&mut direct, 0.99)
    );
    println!(
        "  through Hooklens p50 {:.2} ms  p99 {:.2} ms",
        pct(&mut through, 0.5),
        pct(&mut through, 0.99)
    );

    // The burst: the service goes away, half the burst arrives, it comes back, the rest.
    running.abort();
    let _ = running.await;
    let started = Instant::now();
    let send_half = |from: usize, to: usize| {
        let (http, url) = (http.clone(), format!("{}/burst", handle.receiver_url()));
        async move {
            let mut sends = tokio::task::JoinSet::new();
            let gate = Arc::new(tokio::sync::Semaphore::new(64));
            for i in from..to {
                let (http, url, gate) = (http.clone(), url.clone(), gate.clone());
                sends.spawn(async move {
                    let _permit = gate.acquire_owned().await;
                    http.post(url)
                        .header("x-marker", format!("burst-{i}"))
                        .body(r#"{"type":"burst"}"#)
                        .send()
                        .await
                        .map(|r| r.status().is_success())
                        .unwrap_or(false)
                });
            }
            let mut ok = 0;
            while let Some(done) = sends.join_next().await {
                ok += done.map(usize::from).unwrap_or(0);
            }
            ok
        }
    };
    let stored_first = send_half(0, burst / 2).await;
    let down_for = started.elapsed();
    let back = TcpListener::bind(service_addr).await?;
    tokio::spawn(service(back, seen.clone()));
    let stored_second = send_half(burst / 2, burst).await;
    let deadline = Instant::now() + Duration::from_secs(180);
    let count = || {
        let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
        let delivered = seen.keys().filter(|k| k.starts_with("burst-")).count();
        let twice = seen
            .iter()
            .filter(|(k, (_, n))| k.starts_with("burst-") && *n > 1)
            .count();
        (delivered, twice)
    };
    while count().0 < burst && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (delivered, twice) = count();
    println!(
        "burst of {burst}: {} stored (2xx), service down for the first {:.1} s; {delivered} delivered \
         {:.1} s after the burst began, {} lost, {twice} delivered more than once",
        stored_first + stored_second,
        down_for.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        burst - delivered,
    );
    handle.shutdown().await?;
    Ok(())
}
