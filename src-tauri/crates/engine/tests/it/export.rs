use base64::Engine as _;
use serde_json::Value;

use crate::helpers::*;

/// Checks `har` against the HAR 1.2 shape: every required member with its type.
fn assert_har_1_2(har: &Value) {
    fn has(v: &Value, key: &str, check: fn(&Value) -> bool, at: &str) {
        let member = v.get(key).unwrap_or_else(|| panic!("{at}.{key} missing"));
        assert!(check(member), "{at}.{key} has the wrong type: {member}");
    }
    let (s, n, a, o) = (
        Value::is_string as fn(&Value) -> bool,
        Value::is_number as fn(&Value) -> bool,
        Value::is_array as fn(&Value) -> bool,
        Value::is_object as fn(&Value) -> bool,
    );
    let log = &har["log"];
    has(log, "version", s, "log");
    assert_eq!(log["version"], "1.2");
    has(log, "creator", o, "log");
    has(&log["creator"], "name", s, "log.creator");
    has(&log["creator"], "version", s, "log.creator");
    has(log, "entries", a, "log");
    for entry in log["entries"].as_array().expect("entries") {
        has(entry, "startedDateTime", s, "entry");
        humantime::parse_rfc3339(entry["startedDateTime"].as_str().expect("date"))
            .expect("startedDateTime is ISO 8601");
        has(entry, "time", n, "entry");
        has(entry, "request", o, "entry");
        has(entry, "response", o, "entry");
        has(entry, "cache", o, "entry");
        has(entry, "timings", o, "entry");
        for t in ["send", "wait", "receive"] {
            has(&entry["timings"], t, n, "entry.timings");
        }
        let req = &entry["request"];
        for k in ["method", "url", "httpVersion"] {
            has(req, k, s, "request");
        }
        for k in ["cookies", "headers", "queryString"] {
            has(req, k, a, "request");
        }
        for k in ["headersSize", "bodySize"] {
            has(req, k, n, "request");
        }
        for pair in req["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .chain(req["queryString"].as_array().expect("query"))
        {
            has(pair, "name", s, "request.headers[]");
            has(pair, "value", s, "request.headers[]");
        }
        if let Some(post) = req.get("postData") {
            has(post, "mimeType", s, "request.postData");
            has(post, "text", s, "request.postData");
        }
        let res = &entry["response"];
        has(res, "status", n, "response");
        for k in ["statusText", "httpVersion", "redirectURL"] {
            has(res, k, s, "response");
        }
        for k in ["cookies", "headers"] {
            has(res, k, a, "response");
        }
        has(res, "content", o, "response");
        has(&res["content"], "size", n, "response.content");
        has(&res["content"], "mimeType", s, "response.content");
        for k in ["headersSize", "bodySize"] {
            has(res, k, n, "response");
        }
    }
}

#[tokio::test]
async fn har_export_has_the_har_1_2_shape_and_exact_bodies() {
    let engine = TestEngine::start().await;
    engine
        .http
        .post(engine.recv("/json?a=1&b=two%20words"))
        .header("content-type", "application/json")
        .body(r#"{"hello":"world"}"#)
        .send()
        .await
        .expect("send");
    let binary = vec![0u8, 159, 146, 150, 255];
    engine
        .http
        .put(engine.recv("/bin"))
        .body(binary.clone())
        .send()
        .await
        .expect("send");
    engine
        .http
        .get(engine.recv("/empty"))
        .send()
        .await
        .expect("send");

    let response = engine
        .request(reqwest::Method::GET, "/api/v1/export?format=har")
        .await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .expect("header")
        .to_string();
    assert!(disposition.starts_with("attachment;") && disposition.contains(".har"));
    let har: Value = response.json().await.expect("valid JSON");
    assert_har_1_2(&har);
    let entries = har["log"]["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 3);
    let json = &entries[0]["request"];
    assert_eq!(json["method"], "POST");
    assert!(
        json["url"]
            .as_str()
            .expect("url")
            .ends_with("/json?a=1&b=two%20words")
    );
    assert_eq!(json["queryString"][1]["value"], "two words");
    assert_eq!(json["postData"]["text"], r#"{"hello":"world"}"#);
    let bin = &entries[1]["request"]["postData"];
    assert_eq!(bin["encoding"], "base64");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(bin["text"].as_str().expect("text"))
        .expect("base64");
    assert_eq!(decoded, binary);
    assert!(entries[2]["request"].get("postData").is_none());
}

#[tokio::test]
async fn ndjson_export_is_one_request_per_line_and_filters() {
    let engine = TestEngine::start().await;
    for path in ["/a", "/b", "/c"] {
        engine
            .http
            .post(engine.recv(path))
            .body(path)
            .send()
            .await
            .expect("send");
    }
    engine
        .http
        .get(engine.recv("/d"))
        .send()
        .await
        .expect("send");
    let text = engine
        .request(
            reqwest::Method::GET,
            "/api/v1/export?format=ndjson&method=POST",
        )
        .await
        .text()
        .await
        .expect("text");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let paths: Vec<&str> = lines
        .iter()
        .map(|l| l["path"].as_str().expect("path"))
        .collect();
    assert_eq!(paths, ["/a", "/b", "/c"], "oldest first, GET filtered out");
    assert_eq!(lines[1]["body_text"], "/b");

    let bad = engine
        .request(reqwest::Method::GET, "/api/v1/export?format=csv")
        .await;
    assert_eq!(bad.status(), 400);
}
