//! Imports: an export (NDJSON or HAR) brought into another Hooklens through
//! `POST /api/v1/import` keeps every request's id, time and bytes, is told on the live
//! stream, forwards only when asked, skips what is stored already, and a malformed file is
//! refused by line or entry with nothing stored.

use hooklens_engine::Event;
use reqwest::Method;
use serde_json::{Value, json};

use crate::forward::deliveries;
use crate::helpers::*;
use crate::target::TestTarget;

/// Three requests worth keeping: binary, duplicate headers, a query.
async fn captured(engine: &TestEngine) -> Vec<String> {
    let binary = engine
        .http
        .post(engine.recv("/bin?q=1&q=2"))
        .header("content-type", "application/octet-stream")
        .body(vec![0u8, 159, 146, 150, 255])
        .send()
        .await
        .expect("send");
    let dup = engine
        .http
        .put(engine.recv("/stripe/events"))
        .header("x-dup", "1")
        .header("x-dup", "2")
        .body(r#"{"type":"payment_intent.succeeded"}"#)
        .send()
        .await
        .expect("send");
    let empty = engine
        .http
        .get(engine.recv("/ping"))
        .send()
        .await
        .expect("send");
    vec![id_header(&binary), id_header(&dup), id_header(&empty)]
}

async fn export(engine: &TestEngine, format: &str) -> Vec<u8> {
    let response = engine
        .request(Method::GET, &format!("/api/v1/export?format={format}"))
        .await;
    assert!(response.status().is_success());
    response.bytes().await.expect("body").to_vec()
}

async fn import(engine: &TestEngine, query: &str, file: Vec<u8>) -> (u16, Value) {
    let response = engine
        .call(Method::POST, &format!("/api/v1/import{query}"))
        .body(file)
        .send()
        .await
        .expect("import");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json"))
}

/// What an import must keep of a request.
fn kept(r: &Value) -> Value {
    json!([
        r["id"],
        r["method"],
        r["path"],
        r["query"],
        r["headers"],
        r["body_base64"],
        r["received_at_us"],
        r["size"],
        r["body_state"],
        r["response_status"]
    ])
}

#[tokio::test]
async fn an_export_comes_back_whole_once() {
    let source = TestEngine::start().await;
    let ids = captured(&source).await;
    let mut originals = Vec::new();
    for id in &ids {
        originals.push(kept(&source.stored(id).await));
    }
    for format in ["ndjson", "har"] {
        let file = export(&source, format).await;
        let engine = TestEngine::start().await;
        let mut events = engine.handle.subscribe();
        let (status, report) = import(&engine, "", file.clone()).await;
        assert_eq!(status, 200, "{format}: {report}");
        assert_eq!(
            report,
            json!({"imported": 3, "skipped": 0, "deliveries": 0}),
            "{format}"
        );
        for (id, original) in ids.iter().zip(&originals) {
            let stored = engine.stored(id).await;
            assert_eq!(kept(&stored), *original, "{format}");
            assert_eq!(stored["via"], "import");
        }
        loop {
            match events.recv().await.expect("event") {
                Event::RequestsImported { count } => {
                    assert_eq!(count, 3);
                    break;
                }
                _ => continue,
            }
        }
        let (_, again) = import(&engine, &format!("?format={format}"), file).await;
        assert_eq!(
            again,
            json!({"imported": 0, "skipped": 3, "deliveries": 0}),
            "{format}"
        );
        let listed = engine.get_json("/api/v1/requests").await;
        assert_eq!(listed["items"].as_array().expect("items").len(), 3);
    }
}

#[tokio::test]
async fn imports_forward_only_when_asked() {
    let mut service = TestTarget::start().await;
    let source = TestEngine::start().await;
    let id = source.capture("/hooks/x", "{\"n\":1}").await;
    let file = export(&source, "ndjson").await;
    let engine = TestEngine::start().await;
    let patch = json!({"forward": {"targets": [service.url("")]}});
    let set = engine
        .call(Method::PATCH, "/api/v1/settings")
        .json(&patch)
        .send()
        .await;
    assert_eq!(set.expect("patch").status(), 200);

    let (_, report) = import(&engine, "", file.clone()).await;
    assert_eq!(report["deliveries"], 0);
    assert!(deliveries(&engine, &id).await.is_empty());

    engine
        .request(Method::DELETE, &format!("/api/v1/requests/{id}"))
        .await;
    let (_, report) = import(&engine, "?forward=true", file).await;
    assert_eq!(
        (report["imported"].as_u64(), report["deliveries"].as_u64()),
        (Some(1), Some(1))
    );
    let got = service.next().await;
    assert_eq!(
        (got.uri.as_str(), &got.body[..]),
        ("/hooks/x", &b"{\"n\":1}"[..])
    );
}

#[tokio::test]
async fn a_malformed_file_is_refused_by_line_or_entry_and_stores_nothing() {
    let engine = TestEngine::start().await;
    let good = r#"{"id":"01JIMPORTGOOD0000000000000","method":"POST","path":"/a"}"#;
    let ndjson = format!("{good}\n{good}\n{{\"method\":\"POST\",\"path\":3}}\n");
    let (status, error) = import(&engine, "", ndjson.into_bytes()).await;
    assert_eq!(status, 400);
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.starts_with("line 3:"), "{message}");

    let har = json!({"log": {"entries": [
        {"request": {"method": "POST", "url": "http://x/a"}},
        {"request": {"method": "POST"}}]}});
    let (status, error) = import(&engine, "?format=har", har.to_string().into_bytes()).await;
    assert_eq!(status, 400);
    let message = error["error"]["message"].as_str().expect("message");
    assert!(message.starts_with("HAR entry 2:"), "{message}");

    let store = engine.handle.store();
    assert_eq!(store.count_requests().await.expect("count"), 0);
    let (status, _) = import(&engine, "?format=xml", Vec::new()).await;
    assert_eq!(status, 400);
}
