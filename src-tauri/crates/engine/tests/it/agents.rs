//! What test suites and coding agents use: `GET /api/v1/requests/wait`, the MCP endpoint's
//! guard, and the API address a running engine leaves in its data directory.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;

/// Starts a wait in the background; its answer is `(status, body)`.
fn start_wait(engine: &TestEngine, query: &str) -> tokio::task::JoinHandle<(u16, Value)> {
    let call = engine.call(Method::GET, &format!("/api/v1/requests/wait?{query}"));
    tokio::spawn(async move {
        let response = call.send().await.expect("wait answers");
        let status = response.status().as_u16();
        (status, response.json().await.expect("json"))
    })
}

async fn wait(engine: &TestEngine, query: &str) -> (u16, Value) {
    start_wait(engine, query).await.expect("wait task")
}

async fn answer(task: tokio::task::JoinHandle<(u16, Value)>) -> (u16, Value) {
    tokio::time::timeout(Duration::from_secs(20), task)
        .await
        .expect("the wait answers within 20 s")
        .expect("wait task")
}

/// The wait has not answered yet (it is waiting, not failing fast).
async fn still_waiting(task: &mut tokio::task::JoinHandle<(u16, Value)>) {
    let early = tokio::time::timeout(Duration::from_millis(200), task).await;
    assert!(
        early.is_err(),
        "answered before anything matched: {early:?}"
    );
}

#[tokio::test]
async fn a_capture_arriving_during_the_wait_is_the_answer() {
    let engine = TestEngine::start().await;
    let first = engine.capture("/orders", "{}").await;
    let mut task = start_wait(&engine, &format!("after={first}&timeout_ms=15000"));
    still_waiting(&mut task).await;
    let second = engine
        .capture("/orders/created", r#"{"type":"order.created"}"#)
        .await;
    let (status, request) = answer(task).await;
    assert_eq!(status, 200, "{request}");
    assert_eq!(request["id"], second.as_str());
    assert_eq!(request["path"], "/orders/created");
    assert_eq!(
        request["body_text"], r#"{"type":"order.created"}"#,
        "the body comes with it"
    );
}

#[tokio::test]
async fn after_answers_at_once_with_a_match_already_stored() {
    let engine = TestEngine::start().await;
    let a = engine.capture("/a", "a").await;
    let b = engine.capture("/b", "b").await;
    let c = engine.capture("/c", "c").await;
    let (status, request) = wait(&engine, &format!("after={a}&timeout_ms=0")).await;
    assert_eq!((status, request["id"].as_str()), (200, Some(b.as_str())));
    let (status, request) = wait(&engine, &format!("after={b}&timeout_ms=0")).await;
    assert_eq!((status, request["id"].as_str()), (200, Some(c.as_str())));
    // Nothing after the newest: without `after`, what was stored before the call is not it.
    let (status, _) = wait(&engine, &format!("after={c}&timeout_ms=0")).await;
    assert_eq!(status, 408);
    let (status, _) = wait(&engine, "timeout_ms=100").await;
    assert_eq!(status, 408, "requests stored before the call do not count");
}

#[tokio::test]
async fn the_timeout_is_a_408_with_a_json_message() {
    let engine = TestEngine::start().await;
    let (status, body) = wait(&engine, "method=PUT&timeout_ms=300").await;
    assert_eq!(status, 408);
    assert_eq!(body["error"]["code"], "timeout");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("300 ms"),
        "{body}"
    );
    let (status, body) = wait(&engine, "timeout_ms=60001").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("invalid"))
    );
    let (status, body) = wait(&engine, "after=01NOSUCHREQUEST&timeout_ms=0").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
}

#[tokio::test]
async fn a_capture_the_filter_excludes_is_passed_over() {
    let engine = TestEngine::start().await;
    let first = engine.capture("/start", "").await;
    let mut task = start_wait(
        &engine,
        &format!("after={first}&method=put&q=invoice&timeout_ms=15000"),
    );
    still_waiting(&mut task).await;
    engine.capture("/invoices", "invoice paid").await; // a POST: excluded
    let put = engine
        .http
        .put(engine.recv("/other"))
        .body("receipt")
        .send()
        .await
        .expect("receiver answers");
    assert_eq!(put.status(), 200, "a PUT without the word: excluded too");
    let wanted = engine
        .http
        .put(engine.recv("/invoices/7"))
        .body("invoice 7 paid")
        .send()
        .await
        .expect("receiver answers");
    let wanted = id_header(&wanted);
    let (status, request) = answer(task).await;
    assert_eq!(status, 200, "{request}");
    assert_eq!(
        request["id"],
        wanted.as_str(),
        "the first PUT with the word"
    );
    assert_eq!(request["method"], "PUT");
}

#[tokio::test]
async fn mcp_wants_the_token_and_a_loopback_host() {
    let engine = TestEngine::start().await;
    let initialize = serde_json::json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "it", "version": "1"}},
    });
    let post = |token: bool| {
        let call = engine
            .http
            .post(engine.api("/mcp"))
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        if token { call.bearer_auth(TOKEN) } else { call }
    };
    let refused = post(false).send().await.expect("answer");
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.expect("a JSON refusal");
    assert_eq!(body["error"]["code"], "unauthorized");
    let rebound = post(true)
        .header("host", "evil.example:80")
        .send()
        .await
        .expect("answer");
    assert_eq!(rebound.status(), 403, "DNS rebinding is refused");
    let accepted = post(true).send().await.expect("answer");
    assert_eq!(accepted.status(), 200);
    let text = accepted.text().await.expect("body");
    assert!(
        text.contains("\"hooklens\""),
        "the server names itself: {text}"
    );
}

#[tokio::test]
async fn the_api_address_is_in_the_data_dir_while_running() {
    let engine = TestEngine::start().await;
    let path = engine.dir.path().join(hooklens_engine::ADDRESS_FILE);
    let written = std::fs::read_to_string(&path).expect("address file");
    assert_eq!(written.trim(), engine.handle.api_url());
    let TestEngine { handle, dir, .. } = engine;
    handle.shutdown().await.expect("clean shutdown");
    assert!(!dir.path().join(hooklens_engine::ADDRESS_FILE).exists());
}
