//! Figures, not tests: they print what they measure and assert nothing about time. Run with
//! `cargo test --release -p hooklens-store --test it figures -- --ignored --nocapture
//! --test-threads=1`. PostgreSQL runs with its default durability (fsync on), as SQLite
//! does (WAL, synchronous = NORMAL).

use std::time::{Duration, Instant};

use hooklens_store::{RequestFilter, Store};

use crate::capture;
use crate::db::{Db, TestPostgres};

/// Concurrent captures in flight, as under a storm of webhooks.
const TASKS: usize = 64;

const WORDS: &[&str] = &[
    "invoice",
    "payment",
    "refund",
    "customer",
    "subscription",
    "renewal",
    "checkout",
    "shipment",
    "order",
    "cart",
    "coupon",
    "trial",
    "upgrade",
    "dispute",
    "payout",
    "balance",
    "transfer",
    "account",
    "session",
    "review",
    "deploy",
    "release",
    "branch",
    "commit",
    "merge",
    "issue",
    "comment",
    "star",
    "fork",
    "workflow",
    "succeeded",
    "failed",
    "pending",
    "created",
    "updated",
    "deleted",
    "completed",
    "canceled",
];

/// A body of 20 to 80 words of [`WORDS`] and a unique token, from `n`.
fn body(n: u64) -> String {
    let mut x = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let len = 20 + next() % 60;
    let words: Vec<&str> = (0..len)
        .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
        .collect();
    format!(r#"{{"id":"evt_{n:08}","text":"{}"}}"#, words.join(" "))
}

/// Inserts `count` captures from [`TASKS`] tasks spread over `stores`; returns captures/s.
async fn fill(stores: &[Store], from: u64, count: u64) -> f64 {
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS as u64 {
        let store = stores[t as usize % stores.len()].clone();
        tasks.spawn(async move {
            let mut n = from + t;
            while n < from + count {
                store
                    .insert_request(capture(&format!("r{n:08}"), &body(n)))
                    .await
                    .expect("insert");
                n += TASKS as u64;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    count as f64 / started.elapsed().as_secs_f64()
}

#[test]
#[ignore = "a figure: run by hand"]
fn figures_capture_rate() {
    crate::block_on_alone(async {
        const COUNT: u64 = 20_000;
        let sqlite = Db::sqlite();
        let rate = fill(&[sqlite.open().await], 0, COUNT).await;
        println!("capture rate, SQLite: {rate:.0}/s ({COUNT} captures, {TASKS} tasks)");
        let server = TestPostgres::durable();
        let one = Db::Postgres(server.database());
        let rate = fill(&[one.open().await], 0, COUNT).await;
        println!("capture rate, PostgreSQL, one instance: {rate:.0}/s");
        let two = Db::Postgres(server.database());
        let rate = fill(&[two.open().await, two.open().await], 0, COUNT).await;
        println!("capture rate, PostgreSQL, two instances: {rate:.0}/s");
    })
}

/// p50 and p95 of each query over `runs` runs (a page of 100, newest first).
async fn search_times(store: &Store, runs: usize) {
    for q in [
        "invoice",
        "inv",
        "pa",
        "payment failed",
        "evt_00004242",
        "nothing",
    ] {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let started = Instant::now();
            store
                .list_requests(RequestFilter {
                    q: Some(q.into()),
                    limit: 100,
                    ..Default::default()
                })
                .await
                .expect("search");
            times.push(started.elapsed());
        }
        times.sort();
        let at = |p: f64| times[((runs as f64 * p).ceil() as usize).clamp(1, runs) - 1];
        println!(
            "  {q:>16}: p50 {:>8.2} ms, p95 {:>8.2} ms",
            at(0.50).as_secs_f64() * 1e3,
            at(0.95).as_secs_f64() * 1e3
        );
    }
}

/// Waits until every stored capture is searchable.
async fn indexed(store: &Store, count: u64) {
    let last = format!("evt_{:08}", count - 1);
    tokio::time::timeout(Duration::from_secs(1800), async {
        let mut commits = store.watch_commits();
        loop {
            let found = store
                .list_requests(RequestFilter {
                    q: Some(last.clone()),
                    limit: 1,
                    ..Default::default()
                })
                .await
                .expect("search");
            if !found.items.is_empty() {
                return;
            }
            // Woken by the next commit, or by the indexer's own pace.
            let _ = tokio::time::timeout(Duration::from_millis(200), commits.changed()).await;
        }
    })
    .await
    .expect("indexed within 30 min");
}

#[test]
#[ignore = "a figure: run by hand"]
fn figures_search_at_scale() {
    crate::block_on_alone(async {
        let count: u64 = std::env::var("HOOKLENS_FIGURE_COUNT")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(100_000);
        let db = Db::Postgres(TestPostgres::durable().database());
        let store = db.open().await;
        let rate = fill(std::slice::from_ref(&store), 0, count).await;
        let started = Instant::now();
        indexed(&store, count).await;
        println!(
            "PostgreSQL: {count} stored at {rate:.0}/s, all searchable {:.1} s after the last",
            started.elapsed().as_secs_f64()
        );
        search_times(&store, 40).await;
        // As autovacuum leaves it within a minute: the planner knows how common each token
        // is.
        let client = crate::db::connect(db.url()).await;
        client.batch_execute("ANALYZE").await.expect("analyze");
        println!("after ANALYZE:");
        search_times(&store, 40).await;
    })
}
