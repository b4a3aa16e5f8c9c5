//! What recording metrics costs per request, in isolation: a capture's counters (endpoint,
//! provider and event type, signature verdict) and a delivery attempt's (outcome, latency
//! histogram), from one thread and from two at once on the same labels. Besides wall time
//! it reports the thread's CPU time (from /proc), which other processes loading the machine
//! inflate far less.
//!
//! Run: `cargo run --release -p hooklens-engine --example metrics_cost` (prints figures).

use std::sync::Arc;
use std::time::Instant;

use hooklens_engine::metrics::Metrics;

const N: u64 = 2_000_000;

/// This thread's CPU time in clock ticks (usually 10 ms), from /proc; 0 when unreadable.
fn cpu_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command name (which ends with ')'): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<u64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    fields.iter().sum()
}

/// Records `N` captures and `N` attempts; returns (wall, CPU) ns per (capture + attempt).
fn record(metrics: &Metrics, offset: u64) -> (f64, f64) {
    let cpu = cpu_ticks();
    let endpoints = ["default", "stripe", "github", "shopify"];
    let events = ["payment_intent.succeeded", "charge.failed", "invoice.paid"];
    let started = Instant::now();
    for i in 0..N {
        let k = (i + offset) as usize;
        metrics.request(
            endpoints[k % 4],
            Some("stripe"),
            Some(events[k % 3]),
            hooklens_store::SignatureStatus::Valid,
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
    let wall = started.elapsed().as_nanos() as f64 / N as f64;
    // Ticks are 10 ms on Linux (USER_HZ = 100).
    let cpu = (cpu_ticks() - cpu) as f64 * 1e7 / N as f64;
    (wall, cpu)
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
    let two: Vec<(f64, f64)> = threads
        .into_iter()
        .map(|t| t.join().unwrap_or((f64::NAN, f64::NAN)))
        .collect();
    let off = record(&Metrics::new(false), 0);
    println!("per capture + delivery attempt recorded (wall / thread CPU):");
    println!("  one thread:          {:.0} / {:.0} ns", one.0, one.1);
    println!(
        "  two threads at once: {:.0} / {:.0} ns and {:.0} / {:.0} ns (same counters, contended)",
        two[0].0, two[0].1, two[1].0, two[1].1
    );
    println!("  metrics off:         {:.1} / {:.1} ns", off.0, off.1);
}
