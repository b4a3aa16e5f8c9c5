//! Forwarding under every kind of broken target at once: one that refuses, hangs, resets,
//! answers slowly, answers 5xx, 410, `Retry-After`, and one that flaps between down and up.
//! On a manual clock, time runs until nothing is pending; then every delivery has ended
//! delivered or failed with a reason, none is stuck, and every attempt is logged.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use hooklens_engine::forward::clock::{Clock, ManualClock};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::target::{Answer, TestTarget, closed_port};

/// Requests per target: more than the breaker's five failures in a row.
const PER_TARGET: usize = 7;

fn micros(rfc3339: &Value) -> i64 {
    humantime::parse_rfc3339(rfc3339.as_str().expect("a time"))
        .expect("rfc 3339")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_micros() as i64
}

/// A service that accepts connections and drops them at once with a reset.
async fn resetting() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    format!("http://{addr}")
}

fn answers(n: usize, answer: Answer) -> Vec<Answer> {
    std::iter::repeat_n(answer, n).collect()
}

#[tokio::test]
async fn every_delivery_ends_delivered_or_failed_with_a_reason() {
    let refused = format!("http://{}", closed_port().await);
    let reset = resetting().await;
    let hangs = TestTarget::start().await;
    let mut hang = Answer::status(200);
    hang.delay = Duration::from_secs(60);
    hangs.then(answers(100, hang));
    let slow = TestTarget::start().await;
    let mut slowly = Answer::status(200);
    slowly.delay = Duration::from_millis(150);
    slow.then(answers(100, slowly));
    let errors = TestTarget::start().await;
    errors.then(answers(100, Answer::status(503)));
    let gone = TestTarget::start().await;
    gone.then(answers(100, Answer::status(410)));
    let later = TestTarget::start().await;
    let mut retry_after = Answer::status(503);
    retry_after.headers = vec![("retry-after", "4".into())];
    // Four, so the breaker (five failures in a row) stays out of it: Retry-After alone
    // decides when each is retried.
    later.then(answers(4, retry_after));
    // Flapping: down (503) long enough to trip the breaker, then up for a while, and again.
    let flaps = TestTarget::start().await;
    let mut cycle = Vec::new();
    for _ in 0..10 {
        cycle.extend(answers(6, Answer::status(503)));
        cycle.extend(answers(3, Answer::status(200)));
    }
    flaps.then(cycle);

    let clock = ManualClock::new(hooklens_store::now_us());
    let clock_dyn: Arc<dyn Clock> = Arc::new(clock.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.clock = clock_dyn;
        c
    })
    .await;
    let retry = |retries: usize| json!({"schedule_ms": vec![1000; retries], "jitter": 0.0, "timeout_ms": 400});
    let targets = [
        ("refused", refused, retry(3)),
        ("hangs", hangs.url(""), retry(3)),
        ("reset", reset, retry(3)),
        ("slow", slow.url(""), retry(3)),
        ("errors", errors.url(""), retry(3)),
        ("gone", gone.url(""), retry(3)),
        ("later", later.url(""), retry(3)),
        // Enough retries that a delivery cannot lose every one to the down phases.
        ("flaps", flaps.url(""), retry(40)),
    ];
    for (name, url, retry) in &targets {
        let created = engine
            .call(Method::POST, "/api/v1/endpoints")
            .json(&json!({"name": name, "path": format!("/{name}"),
                "forward": [{"url": url}], "retry": retry}))
            .send()
            .await
            .expect("create endpoint");
        assert_eq!(created.status(), 201, "{name}");
    }
    let mut ids: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for i in 0..PER_TARGET {
        for (name, ..) in &targets {
            let id = engine.capture(&format!("/{name}/{i}"), "{}").await;
            ids.entry(name).or_default().push(id);
        }
    }

    // Let time run (five seconds per step, as attempts finish) until nothing is pending.
    // Retries, Retry-After and probes are all due on whole seconds or later, so a coarse step
    // only makes them happen a little later, never earlier.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let all = loop {
        let page = engine
            .get_json("/api/v1/deliveries?state=pending&limit=500")
            .await;
        if page["items"].as_array().is_some_and(Vec::is_empty) {
            break engine.get_json("/api/v1/deliveries?limit=500").await;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "deliveries still pending after 120 s: {page}"
        );
        clock.advance(Duration::from_secs(5));
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let all = all["items"].as_array().expect("items").clone();
    assert_eq!(all.len(), targets.len() * PER_TARGET, "one delivery each");

    let mut later_retried = 0;
    for (name, _, _) in &targets {
        for id in &ids[name] {
            let list = engine
                .get_json(&format!("/api/v1/requests/{id}/deliveries"))
                .await;
            let d = &list[0];
            let state = d["state"].as_str().expect("state");
            let attempts = d["attempt_list"].as_array().expect("attempts");
            assert_eq!(
                d["attempts"],
                attempts.len(),
                "{name}: every attempt logged: {d}"
            );
            assert!(!attempts.is_empty(), "{name}: {d}");
            for a in attempts {
                assert!(
                    a["status"].is_u64() || a["error_kind"].is_string(),
                    "{name}: an attempt says what happened: {a}"
                );
            }
            let reason = d["last_error"].as_str().unwrap_or_default().to_lowercase();
            let kinds: Vec<&str> = attempts
                .iter()
                .filter_map(|a| a["error_kind"].as_str())
                .collect();
            match *name {
                "slow" | "later" | "flaps" => {
                    assert_eq!(state, "succeeded", "{name}: {d}");
                }
                _ => {
                    assert_eq!(state, "failed", "{name}: {d}");
                    assert!(!reason.is_empty(), "{name}: failed with a reason");
                }
            }
            match *name {
                "refused" => {
                    assert!(kinds.iter().all(|k| *k == "refused"), "{d}");
                    assert!(reason.contains("is your server running?"), "{reason}");
                    assert!(reason.contains("gave up after 4 attempts"), "{reason}");
                }
                "hangs" => {
                    assert!(kinds.iter().all(|k| *k == "timeout"), "{d}");
                    assert!(reason.contains("gave up after 4 attempts"), "{reason}");
                }
                "reset" => {
                    assert!(kinds.iter().all(|k| *k == "reset"), "{d}");
                    assert!(reason.contains("gave up after 4 attempts"), "{reason}");
                }
                "errors" => {
                    assert!(
                        reason.contains("http 503; gave up after 4 attempts"),
                        "{reason}"
                    );
                }
                "gone" => {
                    assert_eq!(attempts.len(), 1, "410 is not retried: {d}");
                    assert!(reason.contains("410 gone; not retried"), "{reason}");
                }
                "later" => {
                    // The 503 asked for 4 s; the schedule's 1 s did not override it.
                    let first = &attempts[0];
                    if first["status"] == 503 {
                        later_retried += 1;
                        let gap = micros(&attempts[1]["started_at"]) - micros(&first["started_at"]);
                        assert!(gap >= 4_000_000, "retried after {gap} µs: {d}");
                    }
                }
                _ => {}
            }
        }
    }
    assert_eq!(later_retried, 4, "four were asked to come back later");
    // The flapping target went down and came back; it is up at the end.
    let notes = engine.get_json("/api/v1/notifications?limit=10000").await;
    let kinds: Vec<String> = notes
        .as_array()
        .expect("notifications")
        .iter()
        .filter(|n| n["key"] == flaps.url(""))
        .filter_map(|n| n["kind"].as_str().map(str::to_string))
        .collect();
    assert!(kinds.iter().any(|k| k == "target_down"), "{kinds:?}");
    assert!(kinds.iter().any(|k| k == "target_up"), "{kinds:?}");
    let targets_now = engine.get_json("/api/v1/targets").await;
    let flapper = targets_now
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["target"] == flaps.url(""))
        .expect("the flapping target is listed");
    assert_eq!(flapper["state"], "up", "{flapper}");
    assert_eq!(flapper["pending"], 0);
}
