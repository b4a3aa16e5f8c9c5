//! Measures, at a steady 1,000 requests per second over loopback:
//! - how long after the receiver's answer the live stream reports the capture;
//! - how long after the answer full-text search finds it.
//!
//! Run: `cargo run --release -p hooklens-engine --example latency` (prints figures; asserts
//! nothing). Env: `RATE` (req/s, default 1000), `SECONDS` (default 5).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hooklens_engine::{Config, Listeners};
use serde_json::Value;
use tokio::net::TcpListener;

const TOKEN: &str = "latency-example-token-0123456789";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rate: u64 = std::env::var("RATE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let seconds: u64 = std::env::var("SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let handle = hooklens_engine::run(
        Config::new(dir.path().to_path_buf(), TOKEN.into()),
        Listeners {
            receiver: Some(TcpListener::bind("127.0.0.1:0").await?),
            api: Some(TcpListener::bind("127.0.0.1:0").await?),
            relay: None,
        },
    )
    .await?;
    let http = reqwest::Client::new();

    // Live stream: note when each capture is reported.
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut stream = http
        .get(format!("{}/api/v1/events", handle.api_url()))
        .bearer_auth(TOKEN)
        .send()
        .await?
        .bytes_stream();
    let seen_by_stream = seen.clone();
    tokio::spawn(async move {
        let mut buf = String::new();
        while let Some(Ok(chunk)) = stream.next().await {
            let now = Instant::now();
            buf.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                if !block.contains("event: request.captured") {
                    continue;
                }
                let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                let id = data
                    .and_then(|d| serde_json::from_str::<Value>(d).ok())
                    .and_then(|v| v["id"].as_str().map(str::to_string));
                if let (Some(id), Ok(mut seen)) = (id, seen_by_stream.lock()) {
                    seen.insert(id, now);
                }
            }
        }
    });

    // Search prober: while traffic flows, take the newest answered request, poll search
    // until it finds it, note how long after its answer that was, repeat.
    let (probe_tx, mut probe_rx) = tokio::sync::mpsc::unbounded_channel::<(u64, String, Instant)>();
    let (api, prober_http) = (handle.api_url(), http.clone());
    let prober = tokio::spawn(async move {
        let mut lags = Vec::new();
        while let Some(mut probe) = probe_rx.recv().await {
            while let Ok(newer) = probe_rx.try_recv() {
                probe = newer;
            }
            let (i, id, answered_at) = probe;
            loop {
                let page: Value = match prober_http
                    .get(format!("{api}/api/v1/requests?q=probe{i}x"))
                    .bearer_auth(TOKEN)
                    .send()
                    .await
                {
                    Ok(r) => r.json().await.unwrap_or_default(),
                    Err(_) => break,
                };
                if page["items"][0]["id"].as_str() == Some(id.as_str()) {
                    lags.push(answered_at.elapsed());
                    break;
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        }
        lags
    });

    let total = rate * seconds;
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    let mut sends = tokio::task::JoinSet::new();
    for i in 0..total {
        tick.tick().await;
        let (http, url, probes) = (http.clone(), handle.receiver_url(), probe_tx.clone());
        sends.spawn(async move {
            let body = format!(r#"{{"type":"latency.probe","marker":"probe{i}x"}}"#);
            let answer: Value = http
                .post(format!("{url}/probe"))
                .body(body)
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            let answered = (i, answer["id"].as_str()?.to_string(), Instant::now());
            let _ = probes.send(answered.clone());
            Some(answered)
        });
    }
    drop(probe_tx);
    let mut answered = Vec::new();
    while let Some(done) = sends.join_next().await {
        if let Ok(Some(x)) = done {
            answered.push(x);
        }
    }
    let mut search_lag = prober.await.unwrap_or_default();
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    let mut stream_lag: Vec<Duration> = answered
        .iter()
        .filter_map(|(_, id, at)| seen.get(id).map(|s| s.saturating_duration_since(*at)))
        .collect();
    stream_lag.sort();
    search_lag.sort();
    let pct = |v: &[Duration], p: f64| {
        v.get(((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1)))
            .map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "{} requests at {rate}/s; {} answered, {} reported live",
        total,
        answered.len(),
        stream_lag.len()
    );
    println!(
        "live stream after answer: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(&stream_lag, 0.5),
        pct(&stream_lag, 0.99),
        pct(&stream_lag, 1.0)
    );
    println!(
        "searchable after answer: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} probes)",
        pct(&search_lag, 0.5),
        pct(&search_lag, 0.99),
        pct(&search_lag, 1.0),
        search_lag.len()
    );
    handle.shutdown().await?;
    Ok(())
}
