//! The relay's figures (docs/BENCHMARKS.md), in one process on loopback, release build:
//!
//! 1. live lag, relay capture → stored by a subscriber, p50/p99, at 100 and 1,000 req/s
//!    (paced POSTs to the relay's receiver; the lag is the subscriber's commit time minus the
//!    relay's receive time of each request, from the subscriber's `request.captured`);
//! 2. catch-up: COUNT captures stored on the relay first, then a subscriber starts from
//!    scratch: captures mirrored per second until it has them all;
//! 3. the relay's capture rate (64 connections, closed loop) with 0, 1 and 4 stream readers
//!    attached (each reads its stream and drops it), in the same run; ratio to none.
//!
//! `cargo run --release -p hooklens-engine --example relay` (`tests/bench/relay.sh`).
//! Environment: `COUNT` (default 100000), `EACH_SECONDS` per measurement (default 10).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hooklens_engine::relay::RelaySpec;
use hooklens_engine::{Config, Event, Handle, Listeners};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

const TOKEN: &str = "bench-token-0123456789abcdef";
const BODY: &str =
    r#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"amount":1200}}}"#;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn engine(dir: &std::path::Path, relay: bool, from: Option<RelaySpec>) -> Res<Handle> {
    let mut config = Config::new(dir.to_path_buf(), TOKEN.into());
    config.listen = "127.0.0.1:0".parse()?;
    config.api_listen = "127.0.0.1:0".parse()?;
    config.metrics = false;
    if relay {
        config.relay_listen = Some("127.0.0.1:0".parse()?);
    }
    config.relay_from = from;
    Ok(hooklens_engine::run(config, Listeners::default()).await?)
}

#[tokio::main]
async fn main() -> Res<()> {
    let count = env("COUNT", 100_000);
    let seconds = env("EACH_SECONDS", 10);
    let dirs = [
        tempfile::tempdir()?,
        tempfile::tempdir()?,
        tempfile::tempdir()?,
    ];
    let relay = engine(dirs[0].path(), true, None).await?;
    let (_, secret) = hooklens_engine::relay::tokens::issue(relay.store(), "bench").await?;
    let url = relay.relay_url().ok_or("no relay url")?;
    let spec = RelaySpec {
        url: url.clone(),
        token: Some(secret.clone()),
        ca_file: None,
        endpoint: None,
    };
    let http = reqwest::Client::new();

    println!("== live lag, relay capture -> subscriber stored");
    let sub = engine(dirs[1].path(), false, Some(spec.clone())).await?;
    for rate in [100u64, 1000] {
        let (p50, p99, n) = lag(&relay, &sub, &http, rate, seconds).await?;
        println!("{rate:>5} req/s  p50 {p50:>7.2} ms  p99 {p99:>7.2} ms  ({n} requests)");
    }
    sub.shutdown().await?;

    println!("== catch-up from scratch after {count} captures");
    let filled = Instant::now();
    blast(&relay, &http, Duration::from_secs(3600), Some(count)).await;
    println!(
        "stored {count} on the relay in {:.1} s",
        filled.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let sub = engine(dirs[2].path(), false, Some(spec)).await?;
    let mut events = sub.subscribe();
    let mut mirrored = 0;
    while mirrored < count {
        match events.recv().await {
            Ok(Event::RequestCaptured(_)) => mirrored += 1,
            Ok(_) => {}
            Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => mirrored += n,
            Err(e) => return Err(e.into()),
        }
    }
    let took = started.elapsed().as_secs_f64();
    println!(
        "mirrored {count} in {took:.1} s: {:.0} captures/s",
        count as f64 / took
    );
    sub.shutdown().await?;

    println!("== relay capture rate with stream readers attached (64 connections, {seconds} s)");
    let mut base = 0.0;
    for readers in [0usize, 1, 4] {
        let cancel = tokio_util::sync::CancellationToken::new();
        let head = *relay.store().watch_commits().borrow();
        for _ in 0..readers {
            let (http, url, secret) = (http.clone(), url.clone(), secret.clone());
            tokio::spawn(read_stream(http, url, secret, head, cancel.clone()));
        }
        let rate = blast(&relay, &http, Duration::from_secs(seconds), None).await;
        cancel.cancel();
        if readers == 0 {
            base = rate;
        }
        println!(
            "{readers} readers: {rate:>8.0} req/s  ({:.2}x of none)",
            rate / base
        );
    }
    relay.shutdown().await?;
    Ok(())
}

/// Paced POSTs at `rate` for `seconds`; the lag of each as the subscriber stores it.
async fn lag(
    relay: &Handle,
    sub: &Handle,
    http: &reqwest::Client,
    rate: u64,
    seconds: u64,
) -> Res<(f64, f64, usize)> {
    let mut events = sub.subscribe();
    let want = (rate * seconds) as usize;
    let receiver = relay.receiver_url();
    let client = http.clone();
    let sender = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
        for _ in 0..want {
            tick.tick().await;
            let client = client.clone();
            let url = format!("{receiver}/lag");
            tokio::spawn(async move { client.post(url).body(BODY).send().await });
        }
    });
    let mut lags = Vec::with_capacity(want);
    while lags.len() < want {
        match tokio::time::timeout(Duration::from_secs(30), events.recv()).await?? {
            Event::RequestCaptured(r) => {
                lags.push((hooklens_store::now_us() - r.meta.received_at_us) as f64 / 1000.0)
            }
            _ => continue,
        }
    }
    sender.await?;
    lags.sort_by(f64::total_cmp);
    let at = |q: f64| lags[((lags.len() - 1) as f64 * q) as usize];
    Ok((at(0.5), at(0.99), lags.len()))
}

/// 64 connections posting back to back, for `duration` or until `total` are answered;
/// answered per second.
async fn blast(
    relay: &Handle,
    http: &reqwest::Client,
    duration: Duration,
    total: Option<u64>,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let started = Instant::now();
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..64 {
        let (http, done, url) = (
            http.clone(),
            done.clone(),
            format!("{}/blast", relay.receiver_url()),
        );
        workers.spawn(async move {
            while Instant::now() < deadline
                && total.is_none_or(|t| done.load(Ordering::Relaxed) < t)
            {
                if http
                    .post(&url)
                    .body(BODY)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while workers.join_next().await.is_some() {}
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// A subscriber's load on the relay without its store: reads its stream after `after` (the
/// head when it attaches: only what is captured meanwhile).
async fn read_stream(
    http: reqwest::Client,
    url: String,
    token: String,
    after: i64,
    cancel: tokio_util::sync::CancellationToken,
) {
    let Ok(response) = http
        .get(format!("{url}/relay/v1/stream?after={after}"))
        .bearer_auth(token)
        .send()
        .await
    else {
        return;
    };
    let mut body = response.bytes_stream();
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            chunk = body.next() => if !matches!(chunk, Some(Ok(_))) { return },
        }
    }
}
