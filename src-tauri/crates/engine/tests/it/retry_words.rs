//! "next retry in …", which `hooklens listen` prints and the inspector shows, checked
//! against when the retry really comes, on the forwarder's manual clock.

use std::sync::Arc;
use std::time::Duration;

use hooklens_engine::forward::clock::Clock;
use hooklens_store::RetryPolicy;
use reqwest::Method;
use serde_json::{Value, json};

use crate::forward::{after_attempts, deliveries, due_us, engine_to, now_clock, target};
use crate::helpers::*;
use crate::target::{Answer, TestTarget, closed_port};

/// The delay a message promises ("next retry in 1.8 s"), and how far off it may be for the
/// precision it is written with: half its last unit.
fn promised(delivery: &Value) -> (Duration, Duration) {
    let message = delivery["last_error"].as_str().expect("why it failed");
    let said = message
        .to_ascii_lowercase()
        .split("next retry in ")
        .nth(1)
        .unwrap_or_else(|| panic!("no next retry in {message:?}"))
        .to_string();
    let mut words = said.split_whitespace();
    let number = words.next().expect("a number");
    let value: f64 = number.parse().expect("a number");
    let (unit_ms, step) = match words.next().expect("a unit") {
        "ms" => (1.0, 1.0),
        "s" if number.contains('.') || value < 10.0 => (1_000.0, 0.1),
        "s" => (1_000.0, 1.0),
        "min" => (60_000.0, 1.0),
        unit => panic!("unit {unit:?} in {message:?}"),
    };
    (
        Duration::from_secs_f64(value * unit_ms / 1000.0),
        Duration::from_secs_f64(step * unit_ms / 2000.0),
    )
}

fn assert_promise_kept(delivery: &Value, wait: Duration) {
    let (said, off) = promised(delivery);
    assert!(
        said.abs_diff(wait) <= off,
        "{} — the retry comes in {wait:?}",
        delivery["last_error"]
    );
}

/// The default schedule's first steps, with its ±20 % jitter: each failure says when the
/// retry comes, to the tenth of a second it is written with, and it comes exactly then.
#[tokio::test]
async fn next_retry_in_is_when_the_retry_comes() {
    let mut service = TestTarget::start().await;
    service.then([500, 502, 503, 500].map(Answer::status));
    let clock = now_clock();
    let manual: Arc<dyn Clock> = Arc::new(clock.clone());
    let url = service.url("");
    let engine = TestEngine::start_in(tempfile::tempdir().expect("tempdir"), move |path| {
        let mut c = config(path);
        c.forward_to = vec![target(url)];
        c.retry = RetryPolicy {
            schedule_ms: vec![1_000, 2_000, 5_000, 10_000],
            ..RetryPolicy::default()
        };
        c.clock = manual;
        c
    })
    .await;
    let id = engine.capture("/pay", "{}").await;
    for attempts in 1..=4 {
        service.next().await;
        let failed = after_attempts(&engine, &id, attempts).await;
        let wait = Duration::from_micros((due_us(&failed) - clock.now_us()) as u64);
        assert_promise_kept(&failed, wait);
        clock.advance(wait - Duration::from_micros(1));
        assert!(service.drain().is_empty(), "not before its time");
        clock.advance(Duration::from_micros(1));
    }
    service.next().await;
    assert_eq!(after_attempts(&engine, &id, 5).await["state"], "succeeded");
}

/// Once its target is down, a delivery waits for the target's next probe even when its own
/// retry is due sooner: the message says so and gives the probe's time.
#[tokio::test]
async fn a_down_target_retries_when_its_probe_goes_and_says_so() {
    let port = closed_port().await;
    let clock = now_clock();
    let engine = engine_to(format!("http://{port}"), &[1_000; 10], &clock).await;
    let id = engine.capture("/down", "{}").await;
    for attempts in 1..=4 {
        let failed = after_attempts(&engine, &id, attempts).await;
        assert!(
            !failed["last_error"].as_str().expect("why").contains("down"),
            "{failed}"
        );
        assert_promise_kept(&failed, Duration::from_secs(1));
        clock.advance(Duration::from_secs(1));
    }
    // The fifth failure in a row marks the target down; it is probed 1 s later, then 2 s.
    let fifth = after_attempts(&engine, &id, 5).await;
    assert!(
        fifth["last_error"]
            .as_str()
            .expect("why")
            .to_ascii_lowercase()
            .ends_with("next retry in 1 s or later (the target is down)"),
        "{fifth}"
    );
    clock.advance(Duration::from_secs(1));
    let probed = after_attempts(&engine, &id, 6).await;
    assert!(
        probed["last_error"]
            .as_str()
            .expect("why")
            .to_ascii_lowercase()
            .ends_with("next retry in 2 s or later (the target is down)"),
        "{probed}"
    );
    assert_promise_kept(&probed, Duration::from_secs(2));

    // Its own retry is due 1 s later; the target's probe is not. A delivery to a healthy
    // target, sent after the clock moved, shows the scheduler has looked since.
    clock.advance(Duration::from_secs(1));
    let mut healthy = TestTarget::start().await;
    let created = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({ "name": "ok", "path": "/ok", "forward": [{ "url": healthy.url("") }] }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    engine.capture("/ok/now", "{}").await;
    assert_eq!(healthy.next().await.uri, "/now");
    let held = deliveries(&engine, &id).await;
    assert_eq!(held[0]["attempts"], 6, "held past its own time: {held:?}");

    clock.advance(Duration::from_secs(1));
    after_attempts(&engine, &id, 7).await;
}
