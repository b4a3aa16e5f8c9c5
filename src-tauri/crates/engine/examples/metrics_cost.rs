//! What recording metrics costs per request, in isolation: a capture's counters (endpoint,
//! provider and event type, signature verdict) and a delivery attempt's (outcome, latency
//! histogram), from one thread and from two at once on the same labels.
//!
//! Run: `cargo run --release -p hooklens-engine --example metrics_cost` (prints figures).

use std::sync::Arc;
use std::time::Instant;

use hooklens_engine::metrics::Metrics;

const N: u64 = 2_000_000;

/// Records `N` captures and `N` attempts; returns ns per (capture + attempt).
fn record(metrics: &Metrics, offset: u64) -> f64 {
    let endpoints = ["default", "stripe", "github", "shopify"];
    let events = ["payment_intent.succeeded", "charge.failed", "invoice.paid"];
    let started = Instant::now();
    for i in 0..N {
        let k = (i + offset) as usize;
        metrics.request(
            endpoints[k % 4],
            Some("stripe"),
            Some(events[k % 3]),
            "valid",
            None,
        );
        metrics.attempt(
            "http://localhost:3000",
            Some(200),
            None,
            500 + (k as u64 % 10_000),
            Some(true),
        );
    }
    started.elapsed().as_nanos() as f64 / N as f64
}

fn main() {
    let metrics = Arc::new(Metrics::new(true));
    record(&metrics, 0); // warm up: labels get their slots
    let one = record(&metrics, 0);
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let metrics = metrics.clone();
            std::thread::spawn(move || record(&metrics, t))
        })
        .collect();
    let two: Vec<f64> = threads
        .into_iter()
        .map(|t| t.join().unwrap_or(f64::NAN))
        .collect();
    let off = record(&Metrics::new(false), 0);
    println!("per capture + delivery attempt recorded:");
    println!("  one thread:          {one:.0} ns");
    println!(
        "  two threads at once: {:.0} ns and {:.0} ns (same counters, contended)",
        two[0], two[1]
    );
    println!("  metrics off:         {off:.1} ns");
}
