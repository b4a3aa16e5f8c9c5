use std::sync::Arc;
use std::time::Duration;

use hooklens_engine::forward::clock::{Clock, ManualClock};
use hooklens_store::{ForwardTarget, PathMode, RetryPolicy};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::target::{Answer, TestTarget, closed_port};

pub(crate) fn target(url: String) -> ForwardTarget {
    ForwardTarget {
        url,
        path: PathMode::Keep,
        headers: Vec::new(),
        resign: None,
    }
}

fn policy(schedule_ms: &[u64]) -> RetryPolicy {
    RetryPolicy {
        schedule_ms: schedule_ms.to_vec(),
        jitter: 0.0,
        ..RetryPolicy::default()
    }
}

/// An engine forwarding everything to `url`, with a manual clock and `schedule_ms`.
pub(crate) async fn engine_to(url: String, schedule_ms: &[u64], clock: &ManualClock) -> TestEngine {
    let dir = tempfile::tempdir().expect("tempdir");
    engine_in(dir, url, schedule_ms, clock).await
}

async fn engine_in(
    dir: tempfile::TempDir,
    url: String,
    schedule_ms: &[u64],
    clock: &ManualClock,
) -> TestEngine {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let schedule = schedule_ms.to_vec();
    TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.forward_to = vec![target(url)];
        c.retry = policy(&schedule);
        c.clock = clock;
        c
    })
    .await
}

pub(crate) fn now_clock() -> ManualClock {
    ManualClock::new(hooklens_store::now_us())
}

pub(crate) async fn deliveries(engine: &TestEngine, request_id: &str) -> Vec<Value> {
    engine
        .get_json(&format!("/api/v1/requests/{request_id}/deliveries"))
        .await
        .as_array()
        .expect("list")
        .clone()
}

/// Waits until the request's first delivery has made `attempts` attempts.
pub(crate) async fn after_attempts(engine: &TestEngine, request_id: &str, attempts: u64) -> Value {
    eventually(Duration::from_secs(10), || async {
        deliveries(engine, request_id)
            .await
            .into_iter()
            .find(|d| d["attempts"] == attempts)
    })
    .await
}

/// Waits until the request's delivery has succeeded; returns it.
async fn succeeded(engine: &TestEngine, request_id: &str) -> Value {
    eventually(Duration::from_secs(10), || async {
        deliveries(engine, request_id)
            .await
            .into_iter()
            .find(|d| d["state"] == "succeeded")
    })
    .await
}

pub(crate) fn due_us(delivery: &Value) -> i64 {
    let at = delivery["next_attempt_at"]
        .as_str()
        .expect("pending with a next attempt");
    humantime::parse_rfc3339(at)
        .expect("time")
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_micros() as i64
}

#[tokio::test]
async fn forwarding_is_byte_exact() {
    let mut service = TestTarget::start().await;
    let clock = now_clock();
    let engine = engine_to(service.url("/base"), &[1000], &clock).await;

    let binary: Vec<u8> = (0..=255u8).rev().collect();
    let gzip = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x4b, 0x04, 0x00,
    ];
    let response = engine
        .raw(
            &[
                b"PATCH /hooks/a%20b?x=1&x=2 HTTP/1.1\r\nHost: provider.test\r\nX-Dup: 1\r\n\
                  X-Dup: 2\r\nContent-Encoding: gzip\r\nX-Signature: t=1,v1=abc\r\n\
                  Connection: close\r\nContent-Length: 13\r\n\r\n"
                    .as_slice(),
                &gzip,
            ]
            .concat(),
        )
        .await;
    let id = id_from_raw(&response);
    let got = service.next().await;
    assert_eq!(got.method, "PATCH");
    assert_eq!(got.uri, "/base/hooks/a%20b?x=1&x=2");
    assert_eq!(got.body.as_ref(), &gzip, "gzip bytes untouched");
    assert_eq!(got.header("content-encoding"), ["gzip"]);
    assert_eq!(got.header("x-dup"), ["1", "2"]);
    assert_eq!(got.header("x-signature"), ["t=1,v1=abc"]);
    assert_eq!(got.header("x-hooklens-request-id"), [id.as_str()]);
    assert_eq!(got.header("x-forwarded-for"), ["127.0.0.1"]);
    assert_eq!(got.header("x-forwarded-proto"), ["http"]);
    assert_eq!(
        got.header("host"),
        [service.addr.to_string()],
        "Host rewritten"
    );
    assert!(
        got.header("connection").iter().all(|v| v != "close"),
        "hop-by-hop dropped"
    );
    let done = succeeded(&engine, &id).await;
    assert_eq!(done["attempts"], 1);
    assert_eq!(done["attempt_list"][0]["status"], 200);

    let multipart = b"--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n\x00\xff\r\n--B--\r\n";
    engine
        .http
        .post(engine.recv("/up"))
        .header("content-type", "multipart/form-data; boundary=B")
        .body(multipart.to_vec())
        .send()
        .await
        .expect("send");
    let got = service.next().await;
    assert_eq!(got.body.as_ref(), multipart);
    engine.capture("/bin", binary.clone()).await;
    assert_eq!(service.next().await.body.as_ref(), &binary[..]);
}

#[tokio::test]
async fn retries_follow_the_schedule_and_succeed() {
    let mut service = TestTarget::start().await;
    service.then([Answer::status(500), Answer::status(502)]);
    let clock = now_clock();
    let engine = engine_to(service.url(""), &[1000, 5000], &clock).await;
    let id = engine.capture("/pay", "{}").await;

    service.next().await;
    let first = after_attempts(&engine, &id, 1).await;
    assert_eq!(first["state"], "pending");
    assert_eq!(
        due_us(&first),
        clock.now_us() + 1_000_000,
        "first retry after 1 s"
    );
    assert!(
        first["last_error"]
            .as_str()
            .expect("why")
            .contains("HTTP 500; next retry in 1 s"),
        "{first}"
    );
    clock.advance(Duration::from_millis(999));
    assert!(service.drain().is_empty(), "not before its time");
    clock.advance(Duration::from_millis(1));
    service.next().await;
    let second = after_attempts(&engine, &id, 2).await;
    assert_eq!(
        due_us(&second),
        clock.now_us() + 5_000_000,
        "second retry after 5 s"
    );
    clock.advance(Duration::from_secs(5));
    service.next().await;
    let done = succeeded(&engine, &id).await;
    let statuses: Vec<&Value> = done["attempt_list"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| &a["status"])
        .collect();
    assert_eq!(statuses, [&json!(500), &json!(502), &json!(200)]);
    // No successful delivery is repeated: an hour later nothing more arrived.
    clock.advance(Duration::from_secs(3600));
    engine.capture("/marker", "{}").await;
    assert_eq!(service.next().await.uri, "/marker");
    assert!(service.drain().is_empty());
}

#[tokio::test]
async fn gives_up_when_the_schedule_runs_out_and_stops_on_410() {
    let mut service = TestTarget::start().await;
    service.then([
        Answer::status(500),
        Answer::status(500),
        Answer::status(410),
    ]);
    let clock = now_clock();
    let engine = engine_to(service.url(""), &[1000], &clock).await;
    let exhausted = engine.capture("/a", "{}").await;
    service.next().await;
    after_attempts(&engine, &exhausted, 1).await;
    clock.advance(Duration::from_secs(1));
    service.next().await;
    let failed = after_attempts(&engine, &exhausted, 2).await;
    assert_eq!(failed["state"], "failed");
    assert!(
        failed["last_error"]
            .as_str()
            .expect("why")
            .contains("HTTP 500; gave up after 2 attempts")
    );

    let gone = engine.capture("/b", "{}").await;
    service.next().await;
    let stopped = after_attempts(&engine, &gone, 1).await;
    assert_eq!(stopped["state"], "failed");
    assert!(
        stopped["last_error"]
            .as_str()
            .expect("why")
            .contains("answered 410 Gone; not retried")
    );
}

#[tokio::test]
async fn retry_after_is_honoured_and_clamped() {
    let mut service = TestTarget::start().await;
    let mut slow_down = Answer::status(503);
    slow_down.headers = vec![("retry-after", "7".into())];
    let mut much_later = Answer::status(429);
    much_later.headers = vec![("retry-after", "999999".into())];
    service.then([slow_down, much_later]);
    let clock = now_clock();
    let engine = engine_to(service.url(""), &[1000, 1000], &clock).await;
    let id = engine.capture("/x", "{}").await;
    service.next().await;
    let first = after_attempts(&engine, &id, 1).await;
    assert_eq!(due_us(&first), clock.now_us() + 7_000_000);
    clock.advance(Duration::from_secs(7));
    service.next().await;
    let second = after_attempts(&engine, &id, 2).await;
    assert_eq!(
        due_us(&second),
        clock.now_us() + 15 * 60 * 1_000_000,
        "clamped to 15 min"
    );
}

#[tokio::test]
async fn a_restart_in_the_middle_of_a_retry_series_resumes_it() {
    let mut service = TestTarget::start().await;
    service.then([Answer::status(500)]);
    let clock = now_clock();
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = engine_in(dir, service.url(""), &[60_000], &clock).await;
    let id = engine.capture("/resume", "payload").await;
    service.next().await;
    let pending = after_attempts(&engine, &id, 1).await;
    let due = due_us(&pending);
    let TestEngine { handle, dir, .. } = engine;
    handle.shutdown().await.expect("shutdown");

    let later = ManualClock::new(due);
    let engine = engine_in(dir, service.url(""), &[60_000], &later).await;
    let got = service.next().await;
    assert_eq!(got.body.as_ref(), b"payload");
    let done = succeeded(&engine, &id).await;
    assert_eq!(done["attempts"], 2);
}

#[tokio::test]
async fn a_refused_connection_says_so_and_the_breaker_holds_then_resumes() {
    let port = closed_port().await;
    let clock = now_clock();
    let engine = engine_to(format!("http://{port}"), &[1000; 20], &clock).await;
    let first = engine.capture("/0", "{}").await;
    let failed = after_attempts(&engine, &first, 1).await;
    let message = failed["last_error"].as_str().expect("why");
    assert_eq!(
        message,
        format!("connection refused at http://{port} — is your server running? Next retry in 1 s")
    );
    assert_eq!(failed["attempt_list"][0]["error_kind"], "refused");

    // Four more failures in a row mark the target down.
    let mut ids = vec![first];
    for i in 1..5 {
        let id = engine.capture(&format!("/{i}"), "{}").await;
        after_attempts(&engine, &id, 1).await;
        ids.push(id);
    }
    let targets = engine.get_json("/api/v1/targets").await;
    let target = &targets[0];
    assert_eq!(target["state"], "down", "{targets}");
    assert!(
        target["reason"]
            .as_str()
            .expect("reason")
            .contains("connection refused")
    );
    assert!(target["down_since"].is_string());

    // While down, new deliveries wait instead of failing.
    let waiting = engine.capture("/while-down", "{}").await;
    let queued = deliveries(&engine, &waiting).await;
    assert_eq!(queued[0]["attempts"], 0);

    // The service comes back on the same port; the next probe finds it and all flow.
    let listener = tokio::net::TcpListener::bind(port)
        .await
        .expect("rebind the port");
    let mut service = TestTarget::on(listener).await;
    clock.advance(Duration::from_secs(2));
    let mut paths = Vec::new();
    for _ in 0..6 {
        paths.push(service.next().await.uri);
    }
    paths.sort();
    assert_eq!(paths, ["/0", "/1", "/2", "/3", "/4", "/while-down"]);
    let up = eventually(Duration::from_secs(10), || async {
        let targets = engine.get_json("/api/v1/targets").await;
        (targets[0]["state"] == "up").then_some(targets)
    })
    .await;
    assert_eq!(up[0]["failures"], 0);
    ids.push(waiting);
    for id in ids {
        succeeded(&engine, &id).await;
    }
}

#[tokio::test]
async fn non_loopback_targets_are_blocked() {
    let clock = now_clock();
    let engine = engine_to("http://10.255.255.1:9/".into(), &[1000], &clock).await;
    let id = engine.capture("/ssrf", "{}").await;
    let failed = after_attempts(&engine, &id, 1).await;
    let list = deliveries(&engine, &id).await;
    assert_eq!(list[0]["attempt_list"][0]["error_kind"], "blocked");
    let message = failed["last_error"].as_str().expect("why");
    assert!(message.contains("not a loopback address"), "{message}");
    assert!(message.contains("allow_remote_targets"), "{message}");
}

#[tokio::test]
async fn relay_mode_answers_with_the_targets_answer_or_the_fallback() {
    let mut service = TestTarget::start().await;
    let mut challenge = Answer::status(201);
    challenge.body = "challenge-xyz".into();
    challenge.headers = vec![("x-from-service", "yes".into())];
    service.then([challenge]);
    let engine = TestEngine::start().await;
    let created = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({
            "name": "slack",
            "path": "/slack",
            "response": { "status": 202, "body": "fallback {{id}}" },
            "forward": [{ "url": service.url("/events") }],
            "relay": { "timeout_ms": 2000 }
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201, "{:?}", created.text().await);
    let answer = engine
        .http
        .post(engine.recv("/slack/x"))
        .body(r#"{"type":"url_verification"}"#)
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status(), 201);
    assert_eq!(answer.headers()["x-from-service"], "yes");
    assert_eq!(answer.text().await.expect("body"), "challenge-xyz");
    assert_eq!(service.next().await.uri, "/events/x");

    // A target slower than the relay timeout: the sender gets the fallback.
    let mut slow = Answer::status(200);
    slow.delay = Duration::from_secs(5);
    service.then([slow]);
    let answer = engine
        .http
        .post(engine.recv("/slack/y"))
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status(), 202);
    let id = id_header(&answer);
    assert_eq!(answer.text().await.expect("body"), format!("fallback {id}"));
    let relayed = deliveries(&engine, &id).await;
    assert_eq!(relayed[0]["kind"], "relay");
    assert_eq!(relayed[0]["attempt_list"][0]["error_kind"], "timeout");
    assert_eq!(relayed[0]["state"], "pending", "retried later");
}

#[tokio::test]
async fn replay_edited_and_in_bulk() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    let id = engine.capture("/orig?a=1", "original").await;

    let nowhere = engine
        .request(Method::POST, &format!("/api/v1/requests/{id}/replay"))
        .await;
    assert_eq!(nowhere.status(), 400);
    let body: Value = nowhere.json().await.expect("json");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("--forward-to")
    );

    use base64::Engine as _;
    let replayed = engine
        .call(Method::POST, &format!("/api/v1/requests/{id}/replay"))
        .json(&json!({
            "target": service.url("/hook"),
            "method": "PUT",
            "path": "/edited?b=2",
            "headers": [["x-edited", "yes"], ["content-type", "text/plain"]],
            "body_base64": base64::engine::general_purpose::STANDARD.encode("changed")
        }))
        .send()
        .await
        .expect("replay");
    assert_eq!(replayed.status(), 202);
    let delivery: Value = replayed.json().await.expect("json");
    assert_eq!(delivery["kind"], "replay");
    let got = service.next().await;
    assert_eq!(
        (got.method.as_str(), got.uri.as_str()),
        ("PUT", "/edited?b=2")
    );
    assert_eq!(got.header("x-edited"), ["yes"]);
    assert_eq!(got.body.as_ref(), b"changed");

    let plain = engine
        .call(Method::POST, &format!("/api/v1/requests/{id}/replay"))
        .json(&json!({ "target": service.url("/hook") }))
        .send()
        .await
        .expect("replay");
    assert_eq!(plain.status(), 202);
    let got = service.next().await;
    assert_eq!(
        (got.method.as_str(), got.uri.as_str()),
        ("POST", "/hook?a=1")
    );
    assert_eq!(got.body.as_ref(), b"original");

    let other = engine.capture("/second", "two").await;
    let bulk: Value = engine
        .call(Method::POST, "/api/v1/replay")
        .json(&json!({ "filter": { "q": "" }, "target": service.url("/bulk") }))
        .send()
        .await
        .expect("bulk")
        .json()
        .await
        .expect("json");
    assert_eq!(bulk["deliveries"].as_array().expect("list").len(), 2);
    let mut bodies: Vec<Vec<u8>> = vec![
        service.next().await.body.to_vec(),
        service.next().await.body.to_vec(),
    ];
    bodies.sort();
    assert_eq!(bodies, [b"original".to_vec(), b"two".to_vec()]);
    let by_ids: Value = engine
        .call(Method::POST, "/api/v1/replay")
        .json(&json!({ "ids": [other, "01NOPE"], "target": service.url("/ids") }))
        .send()
        .await
        .expect("bulk")
        .json()
        .await
        .expect("json");
    assert_eq!(by_ids["deliveries"].as_array().expect("list").len(), 1);
    assert_eq!(by_ids["skipped"][0][0], "01NOPE");
    assert_eq!(service.next().await.body.as_ref(), b"two");

    // Five replays in all: the edited one, the plain one, two by filter, one by id.
    let recent = eventually(Duration::from_secs(10), || async {
        let page = engine
            .get_json("/api/v1/deliveries?state=succeeded&limit=3")
            .await;
        let full = engine.get_json("/api/v1/deliveries?state=succeeded").await;
        (full["items"].as_array().map_or(0, Vec::len) == 5).then_some(page)
    })
    .await;
    assert_eq!(recent["items"].as_array().map(Vec::len), Some(3));
    assert!(recent["next"].is_string(), "a next page");
    assert!(
        recent["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|d| d["kind"] == "replay")
    );
}

#[tokio::test]
async fn endpoint_targets_fan_out_and_bad_targets_are_refused() {
    let mut a = TestTarget::start().await;
    let mut b = TestTarget::start().await;
    let engine = TestEngine::start().await;
    let created = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({
            "name": "gh",
            "path": "/github",
            "forward": [
                { "url": a.url("/a") },
                { "url": b.url("/fixed"), "path": "fixed", "headers": [["x-extra", "1"]] }
            ]
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    engine.capture("/github/push?q=1", "{}").await;
    assert_eq!(a.next().await.uri, "/a/push?q=1");
    let got = b.next().await;
    assert_eq!(got.uri, "/fixed?q=1");
    assert_eq!(got.header("x-extra"), ["1"]);
    engine.capture("/elsewhere", "{}").await;
    engine.capture("/github", "{}").await;
    assert_eq!(a.next().await.uri, "/a", "only the endpoint's requests");

    let bad = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({ "name": "x", "path": "/x", "forward": [{ "url": "localhost:3000" }] }))
        .send()
        .await
        .expect("create");
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn resets_and_timeouts_are_named() {
    // A "service" that accepts and hangs up at once.
    let rude = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let rude_addr = rude.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((stream, _)) = rude.accept().await {
            let _ = stream.set_zero_linger();
            drop(stream);
        }
    });
    let clock = now_clock();
    let engine = engine_to(format!("http://{rude_addr}"), &[1000], &clock).await;
    let id = engine.capture("/rude", "{}").await;
    let failed = after_attempts(&engine, &id, 1).await;
    assert_eq!(failed["attempt_list"][0]["error_kind"], "reset", "{failed}");
    assert!(
        failed["last_error"]
            .as_str()
            .expect("why")
            .contains("before answering")
    );

    let mut service = TestTarget::start().await;
    let mut hang = Answer::status(200);
    hang.delay = Duration::from_secs(5);
    service.then([hang]);
    let clock = now_clock();
    let dir = tempfile::tempdir().expect("tempdir");
    let url = service.url("");
    let clock_dyn: Arc<dyn Clock> = Arc::new(clock.clone());
    let engine = TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.forward_to = vec![target(url)];
        c.retry = RetryPolicy {
            timeout_ms: 200,
            ..policy(&[1000])
        };
        c.clock = clock_dyn;
        c
    })
    .await;
    let id = engine.capture("/slow", "{}").await;
    service.next().await;
    let failed = after_attempts(&engine, &id, 1).await;
    assert_eq!(
        failed["attempt_list"][0]["error_kind"], "timeout",
        "{failed}"
    );
    assert!(
        failed["last_error"]
            .as_str()
            .expect("why")
            .contains("within 0.2 s")
    );
}

#[tokio::test]
async fn the_list_says_where_deliveries_stand_and_filters_by_it() {
    let mut target = TestTarget::start().await;
    target.then([
        Answer::status(200),
        Answer::status(410),
        Answer::status(500),
    ]);
    let clock = now_clock();
    let engine = engine_to(target.url(""), &[600_000], &clock).await;
    let ok = engine.capture("/a", "{}").await;
    target.next().await;
    succeeded(&engine, &ok).await;
    let gone = engine.capture("/b", "{}").await;
    target.next().await;
    eventually(Duration::from_secs(10), || async {
        deliveries(&engine, &gone)
            .await
            .into_iter()
            .find(|d| d["state"] == "failed")
    })
    .await;
    let waiting = engine.capture("/c", "{}").await;
    target.next().await;
    after_attempts(&engine, &waiting, 1).await;

    let listed = engine.get_json("/api/v1/requests").await;
    let state_of = |id: &str| {
        listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["delivery"].clone())
    };
    assert_eq!(state_of(&ok), Some(json!("succeeded")));
    assert_eq!(state_of(&gone), Some(json!("failed")));
    assert_eq!(state_of(&waiting), Some(json!("pending")));
    assert_eq!(
        engine.get_json(&format!("/api/v1/requests/{gone}")).await["delivery"],
        "failed"
    );
    for (state, want) in [
        ("succeeded", vec![ok.clone()]),
        ("failed", vec![gone.clone()]),
        ("pending", vec![waiting.clone()]),
        ("none", vec![]),
    ] {
        let page = engine
            .get_json(&format!("/api/v1/requests?delivery={state}"))
            .await;
        let ids: Vec<&str> = page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, want, "delivery={state}");
    }
    let bad = engine
        .request(Method::GET, "/api/v1/requests?delivery=lost")
        .await;
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn a_hanging_target_does_not_hold_back_deliveries_to_another() {
    let mut hanging = TestTarget::start().await;
    hanging.then(std::iter::repeat_n(
        Answer {
            delay: Duration::from_secs(120),
            ..Answer::status(200)
        },
        100,
    ));
    let mut healthy = TestTarget::start().await;
    let engine = TestEngine::start().await;
    for (name, url) in [("hang", hanging.url("")), ("ok", healthy.url(""))] {
        let created = engine
            .call(Method::POST, "/api/v1/endpoints")
            .json(&json!({ "name": name, "path": format!("/{name}"), "forward": [{ "url": url }] }))
            .send()
            .await
            .expect("create");
        assert_eq!(created.status(), 201);
    }
    // A burst for the hanging target, all due at once: more than all deliveries in flight.
    let paths: Vec<String> = (0..150).map(|i| format!("/hang/{i}")).collect();
    futures_util::future::join_all(paths.iter().map(|p| engine.capture(p, "{}"))).await;
    hanging.next().await; // its attempts are out, and hang
    for i in 0..10 {
        engine.capture(&format!("/ok/{i}"), "{}").await;
    }
    // The healthy target gets every one of its deliveries while the other still hangs.
    let mut paths: Vec<String> = Vec::new();
    for _ in 0..10 {
        paths.push(healthy.next().await.uri);
    }
    paths.sort();
    let mut want: Vec<String> = (0..10).map(|i| format!("/{i}")).collect(); // the prefix goes
    want.sort();
    assert_eq!(paths, want);
    let targets = engine.get_json("/api/v1/targets").await;
    let hang = targets
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["target"] == hanging.url(""))
        .expect("the hanging target");
    assert_eq!(hang["pending"], 150, "none of its deliveries has finished");
    assert!(
        hanging.drain().len() < 8,
        "at most 8 attempts sending to one target at once"
    );
}
