use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::helpers::*;

/// Reads Server-Sent Events from a response, one `(event, data)` at a time.
struct SseReader {
    stream: futures_util::stream::BoxStream<'static, reqwest::Result<bytes::Bytes>>,
    buf: String,
}

impl SseReader {
    fn new(response: reqwest::Response) -> SseReader {
        SseReader {
            stream: response.bytes_stream().boxed(),
            buf: String::new(),
        }
    }

    async fn next(&mut self) -> (String, Value) {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut event, mut data) = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        event = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if event.is_empty() {
                    continue; // keep-alive comment
                }
                if event == "stats.updated" {
                    continue; // the periodic counters summary; tests/it/stats.rs covers it
                }
                return (event, serde_json::from_str(&data).expect("json data"));
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.stream.next())
                .await
                .expect("an event within 10 s")
                .expect("stream open")
                .expect("chunk");
            self.buf.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
}

#[tokio::test]
async fn the_stream_reports_each_capture() {
    let engine = TestEngine::start().await;
    let response = engine.request(reqwest::Method::GET, "/api/v1/events").await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut events = SseReader::new(response);
    let (name, _) = events.next().await;
    assert_eq!(name, "ready");

    let answer: Value = engine
        .http
        .post(engine.recv("/live?x=1"))
        .body("hi")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let (name, data) = events.next().await;
    assert_eq!(name, "request.captured");
    assert_eq!(data["id"], answer["id"]);
    assert_eq!(data["path"], "/live");
    assert_eq!(data["size"], 2);
    assert!(data.get("body_base64").is_none(), "events carry no body");

    engine
        .call(
            reqwest::Method::POST,
            &format!(
                "/api/v1/requests/{}/pin",
                answer["id"].as_str().expect("id")
            ),
        )
        .send()
        .await
        .expect("pin");
    let (name, data) = events.next().await;
    assert_eq!(name, "request.updated");
    assert_eq!(data["pinned"], true);
}

#[tokio::test]
async fn the_stream_needs_the_token() {
    let engine = TestEngine::start().await;
    let response = engine
        .http
        .get(engine.api("/api/v1/events"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn paused_capture_stores_nothing_and_answers_503_until_resumed() {
    let engine = TestEngine::start().await;
    let mut events = SseReader::new(engine.request(reqwest::Method::GET, "/api/v1/events").await);
    assert_eq!(events.next().await.0, "ready");
    assert_eq!(engine.get_json("/api/v1/capture").await["paused"], false);

    let paused: Value = engine
        .call(reqwest::Method::PUT, "/api/v1/capture")
        .json(&serde_json::json!({"paused": true}))
        .send()
        .await
        .expect("api answers")
        .json()
        .await
        .expect("json");
    assert_eq!(paused["paused"], true);
    assert!(engine.handle.paused());
    assert_eq!(
        events.next().await,
        (
            "capture.changed".into(),
            serde_json::json!({"paused": true})
        )
    );

    let refused = engine
        .http
        .post(engine.recv("/while-paused"))
        .body("x")
        .send()
        .await
        .expect("receiver answers");
    assert_eq!(refused.status(), 503);
    assert_eq!(refused.headers()["retry-after"], "60");
    let body: Value = refused.json().await.expect("json");
    assert_eq!(body["error"]["code"], "paused");
    assert_eq!(engine.get_json("/api/v1/status").await["requests"], 0);

    engine.handle.set_paused(false);
    assert_eq!(
        events.next().await,
        (
            "capture.changed".into(),
            serde_json::json!({"paused": false})
        )
    );
    let id = engine.capture("/after-resume", "y").await;
    assert_eq!(engine.stored(&id).await["path"], "/after-resume");
    assert_eq!(engine.get_json("/api/v1/capture").await["paused"], false);
}
