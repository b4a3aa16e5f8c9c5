//! Forwarding set from the window (`forward` in the settings, applied at once, beside
//! `--forward-to`), and targets that cannot work refused when they are asked for. Host names
//! resolve through a fixed table, to documentation addresses (192.0.2.0/24, 2001:db8::/32).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use hooklens_engine::forward::guard::FixedResolver;
use reqwest::Method;
use serde_json::{Value, json};

use crate::forward::{deliveries, target};
use crate::helpers::*;
use crate::target::{Answer, TestTarget};

fn ip(s: &str) -> IpAddr {
    s.parse().expect("ip")
}

/// An engine whose host names resolve through `names`, forwarding to `command_line` too.
async fn engine_with(names: Arc<FixedResolver>, command_line: Vec<String>) -> TestEngine {
    let dir = tempfile::tempdir().expect("tempdir");
    TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.resolver = names;
        c.forward_to = command_line.into_iter().map(target).collect();
        c
    })
    .await
}

async fn patch_settings(engine: &TestEngine, patch: Value) -> (u16, Value) {
    let response = engine
        .call(Method::PATCH, "/api/v1/settings")
        .json(&patch)
        .send()
        .await
        .expect("patch");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// The URLs the request's deliveries go to, sorted.
async fn delivered_to(engine: &TestEngine, id: &str) -> Vec<String> {
    let mut urls: Vec<String> = deliveries(engine, id)
        .await
        .iter()
        .map(|d| d["url"].as_str().expect("url").to_string())
        .collect();
    urls.sort();
    urls
}

#[tokio::test]
async fn the_windows_targets_apply_at_once_beside_the_command_lines() {
    let mut window = TestTarget::start().await;
    let mut flag = TestTarget::start().await;
    let engine = engine_with(Arc::default(), vec![flag.url("")]).await;
    let settings = engine.get_json("/api/v1/settings").await;
    assert_eq!(settings["forward"], json!({"enabled": true, "targets": []}));
    assert_eq!(settings["forward_command_line"], json!([flag.url("")]));

    let first = engine.capture("/hooks/a", "{}").await;
    assert_eq!(flag.next().await.uri, "/hooks/a");
    assert_eq!(delivered_to(&engine, &first).await, [flag.url("/hooks/a")]);

    // Added from the window: the next capture goes to both, no restart.
    let (status, settings) =
        patch_settings(&engine, json!({"forward": {"targets": [window.url("")]}})).await;
    assert_eq!(status, 200, "{settings}");
    assert_eq!(settings["forward"]["targets"], json!([window.url("")]));
    let second = engine.capture("/hooks/b?x=1", "{}").await;
    assert_eq!(window.next().await.uri, "/hooks/b?x=1");
    assert_eq!(flag.next().await.uri, "/hooks/b?x=1");
    let mut both = vec![flag.url("/hooks/b?x=1"), window.url("/hooks/b?x=1")];
    both.sort();
    assert_eq!(delivered_to(&engine, &second).await, both);

    // Switched off with one click: the targets stay, the command line's go on.
    let (_, settings) = patch_settings(&engine, json!({"forward": {"enabled": false}})).await;
    assert_eq!(settings["forward"]["targets"], json!([window.url("")]));
    let third = engine.capture("/hooks/c", "{}").await;
    assert_eq!(delivered_to(&engine, &third).await, [flag.url("/hooks/c")]);

    // What GET says can be sent back as it is (the command line's list is read only).
    let (_, mut whole) = patch_settings(&engine, json!({"forward": {"enabled": true}})).await;
    whole["forward_command_line"] = json!(["http://127.0.0.1:1"]);
    let (status, back) = patch_settings(&engine, whole).await;
    assert_eq!(status, 200, "{back}");
    assert_eq!(back["forward_command_line"], json!([flag.url("")]));

    // Kept in the settings: a restart forwards to it again.
    let engine = engine.restart().await;
    let fourth = engine.capture("/hooks/d", "{}").await;
    assert_eq!(
        delivered_to(&engine, &fourth).await,
        [window.url("/hooks/d")]
    );
    assert_eq!(window.next().await.uri, "/hooks/d");
}

/// Asks for something and expects a refusal naming the setting and the field; returns the
/// message.
async fn refused(
    engine: &TestEngine,
    method: Method,
    path: &str,
    body: Value,
    field: &str,
) -> String {
    let response = engine
        .call(method.clone(), path)
        .json(&body)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400, "{method} {path} {body}");
    let error: Value = response.json().await.expect("json");
    assert_eq!(error["error"]["code"], "remote_target", "{error}");
    assert_eq!(error["error"]["field"], field, "{error}");
    let message = error["error"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(message.contains("allow_remote_targets"), "{message}");
    message
}

#[tokio::test]
async fn targets_off_loopback_are_refused_when_asked_for() {
    let names = Arc::new(FixedResolver::default());
    names.set("hooks.example.test", &[ip("192.0.2.10")]);
    names.set("v6.example.test", &[ip("2001:db8::10")]);
    names.set("local.example.test", &[ip("127.0.0.1")]);
    let engine = engine_with(names, Vec::new()).await;
    let id = engine.capture("/a", "{}").await;
    let replay = format!("/api/v1/requests/{id}/replay");

    let message = refused(
        &engine,
        Method::POST,
        &replay,
        json!({"target": "http://192.0.2.1:3000/x"}),
        "target",
    )
    .await;
    assert!(message.contains("192.0.2.1"), "{message}");
    let message = refused(
        &engine,
        Method::POST,
        &replay,
        json!({"target": "http://hooks.example.test/x"}),
        "target",
    )
    .await;
    assert!(
        message.contains("hooks.example.test") && message.contains("192.0.2.10"),
        "{message}"
    );
    refused(
        &engine,
        Method::POST,
        "/api/v1/replay",
        json!({"ids": [id], "target": "http://[2001:db8::1]/"}),
        "target",
    )
    .await;
    // Nothing was queued, so no connection was ever attempted.
    assert!(deliveries(&engine, &id).await.is_empty());

    let endpoint = json!({"name": "e", "path": "/e", "forward": [
        {"url": "http://local.example.test:3000"}, {"url": "http://[2001:db8::1]:3000"}]});
    refused(
        &engine,
        Method::POST,
        "/api/v1/endpoints",
        endpoint,
        "forward.1.url",
    )
    .await;
    let created = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({"name": "e", "path": "/e", "forward": [{"url": "http://local.example.test:3000"}]}))
        .send()
        .await
        .expect("create");
    assert_eq!(
        created.status(),
        201,
        "a name that resolves to loopback is fine"
    );
    let created: Value = created.json().await.expect("json");
    let path = format!("/api/v1/endpoints/{}", created["id"].as_str().expect("id"));
    refused(
        &engine,
        Method::PATCH,
        &path,
        json!({"forward": [{"url": "http://v6.example.test/"}]}),
        "forward.0.url",
    )
    .await;

    let rule = json!({"name": "r", "conditions": [],
        "actions": [{"type": "forward", "url": "http://hooks.example.test/alerts"}]});
    refused(
        &engine,
        Method::POST,
        "/api/v1/rules",
        rule,
        "actions.0.url",
    )
    .await;
    let stored = engine.get_json("/api/v1/status").await["requests"].clone();
    refused(
        &engine,
        Method::POST,
        "/api/v1/test-events",
        json!({"provider": "stripe", "target": "http://192.0.2.3/"}),
        "target",
    )
    .await;
    assert_eq!(
        engine.get_json("/api/v1/status").await["requests"],
        stored,
        "a test event refused for its target is not captured either"
    );

    refused(
        &engine,
        Method::PATCH,
        "/api/v1/settings",
        json!({"forward": {"targets": ["http://127.0.0.1:3000", "http://192.0.2.5:3000"]}}),
        "forward.targets.1",
    )
    .await;
    let settings = engine.get_json("/api/v1/settings").await;
    assert_eq!(
        settings["forward"]["targets"],
        json!([]),
        "a refused patch changes nothing"
    );
    // Allowed in the same change: accepted.
    let (status, _) = patch_settings(
        &engine,
        json!({"allow_remote_targets": true, "forward": {"targets": ["http://192.0.2.5:3000"]}}),
    )
    .await;
    assert_eq!(status, 200);
    // Not a URL at all: said on the field too.
    let (status, error) =
        patch_settings(&engine, json!({"forward": {"targets": ["ftp://x"]}})).await;
    assert_eq!(
        (status, error["error"]["field"].as_str()),
        (400, Some("forward.targets.0"))
    );
}

#[tokio::test]
async fn a_delivery_blocked_later_fails_at_once_and_is_retried_once_allowed() {
    let mut service = TestTarget::start().await;
    let names = Arc::new(FixedResolver::default());
    names.set("svc.example.test", &[ip("127.0.0.1")]);
    let engine = engine_with(names.clone(), Vec::new()).await;
    let url = format!("http://svc.example.test:{}", service.addr.port());
    let (status, body) = patch_settings(&engine, json!({"forward": {"targets": [url]}})).await;
    assert_eq!(status, 200, "{body}");
    // The connection ends with the answer, so the next delivery resolves the name again.
    let mut close = Answer::status(200);
    close.headers = vec![("connection", "close".into())];
    service.then([close]);
    engine.capture("/before", "{}").await;
    assert_eq!(service.next().await.uri, "/before");

    // DNS moves the name off loopback: the next delivery is blocked at connection time
    // and fails at once instead of being retried until the setting changes.
    names.set("svc.example.test", &[ip("192.0.2.20")]);
    let id = engine.capture("/after", "{}").await;
    let failed = eventually(Duration::from_secs(10), || async {
        let list = deliveries(&engine, &id).await;
        (list[0]["state"] == "failed").then(|| list[0].clone())
    })
    .await;
    assert_eq!(failed["attempts"], 1);
    assert_eq!(failed["attempt_list"][0]["error_kind"], "blocked");
    let why = failed["last_error"].as_str().expect("why");
    assert!(
        why.contains("192.0.2.20") && why.contains("allow_remote_targets"),
        "{why}"
    );
    assert_eq!(
        engine.get_json("/api/v1/deliveries/blocked").await["count"],
        1
    );
    let early = engine
        .request(Method::POST, "/api/v1/deliveries/blocked/retry")
        .await;
    assert_eq!(
        early.status(),
        400,
        "retrying while still off would only block again"
    );

    // The setting on (and here the name back home): retrying sends it.
    patch_settings(&engine, json!({"allow_remote_targets": true})).await;
    names.set("svc.example.test", &[ip("127.0.0.1")]);
    let retried: Value = engine
        .request(Method::POST, "/api/v1/deliveries/blocked/retry")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(retried["retried"], 1);
    assert_eq!(service.next().await.uri, "/after");
    let done = eventually(Duration::from_secs(10), || async {
        let list = deliveries(&engine, &id).await;
        (list[0]["state"] == "succeeded").then(|| list[0].clone())
    })
    .await;
    assert_eq!(done["attempts"], 2);
    assert_eq!(
        engine.get_json("/api/v1/deliveries/blocked").await["count"],
        0
    );
}
