use std::sync::Arc;
use std::time::Duration;

use hooklens_engine::forward::clock::{Clock, ManualClock};
use hooklens_engine::notify::{Popup, RecordingNotifier};
use hooklens_store::{ForwardTarget, PathMode, RetryPolicy};
use reqwest::Method;
use serde_json::json;

use crate::helpers::*;
use crate::target::closed_port;

async fn engine(
    forward_to: Option<String>,
    clock: &ManualClock,
    rec: &RecordingNotifier,
) -> TestEngine {
    let dir = tempfile::tempdir().expect("tempdir");
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let notifier = rec.clone();
    TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.forward_to = forward_to
            .into_iter()
            .map(|url| ForwardTarget {
                url,
                path: PathMode::Keep,
                headers: Vec::new(),
                resign: None,
            })
            .collect();
        c.retry = RetryPolicy {
            schedule_ms: vec![60_000],
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        c.clock = clock;
        c.notifier = Arc::new(notifier);
        c
    })
    .await
}

async fn popups_of(rec: &RecordingNotifier, kind: &str, n: usize) -> Vec<Popup> {
    eventually(Duration::from_secs(10), || async {
        let shown: Vec<Popup> = rec
            .shown()
            .into_iter()
            .filter(|p| p.kind.as_str() == kind)
            .collect();
        (shown.len() >= n).then_some(shown)
    })
    .await
}

#[tokio::test]
async fn a_rule_match_raises_exactly_its_notification() {
    let rec = RecordingNotifier::default();
    let clock = ManualClock::new(hooklens_store::now_us());
    let engine = engine(None, &clock, &rec).await;
    let created = engine
        .call(Method::POST, "/api/v1/rules")
        .json(&json!({
            "name": "failed payments",
            "conditions": [{ "field": "json:type", "op": "equals", "value": "payment_intent.payment_failed" }],
            "actions": [{ "type": "notify", "title": "{{json:type}} arrived", "body": "{{json:data.amount}} cents on {{endpoint}}" }]
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let id = engine
        .capture(
            "/pay",
            r#"{"type":"payment_intent.payment_failed","data":{"amount":1999}}"#,
        )
        .await;
    engine
        .capture("/pay", r#"{"type":"payment_intent.succeeded"}"#)
        .await;
    let shown = popups_of(&rec, "rule", 1).await;
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert_eq!(shown[0].title, "payment_intent.payment_failed arrived");
    assert_eq!(shown[0].body, "1999 cents on default");
    assert_eq!(shown[0].request_id.as_deref(), Some(id.as_str()));
    let listed = engine.get_json("/api/v1/notifications").await;
    assert_eq!(listed[0]["kind"], "rule");
    assert_eq!(listed[0]["shown"], true);
}

#[tokio::test]
async fn a_storm_of_failed_deliveries_raises_one_popup_and_then_a_count() {
    let rec = RecordingNotifier::default();
    let clock = ManualClock::new(hooklens_store::now_us());
    let port = closed_port().await;
    let engine = engine(Some(format!("http://{port}")), &clock, &rec).await;
    for i in 0..4 {
        engine.capture(&format!("/{i}"), "{}").await;
    }
    // Wait until all four first attempts are recorded.
    eventually(Duration::from_secs(10), || async {
        let listed = engine.get_json("/api/v1/notifications").await;
        (listed.as_array().map_or(0, Vec::len) >= 4).then_some(())
    })
    .await;
    let shown = popups_of(&rec, "delivery_failed", 1).await;
    assert_eq!(shown.len(), 1, "one popup for the first: {shown:?}");
    assert_eq!(shown[0].title, format!("Delivery to http://{port} failed"));
    assert_eq!(
        shown[0].body,
        format!("connection refused at http://{port} — is your server running? Next retry in 60 s")
    );
    let listed = engine.get_json("/api/v1/notifications").await;
    let folded = listed
        .as_array()
        .expect("list")
        .iter()
        .filter(|n| n["shown"] == false)
        .count();
    assert_eq!(folded, 3, "the others are recorded, not shown");

    clock.advance(Duration::from_secs(10));
    let shown = popups_of(&rec, "delivery_failed", 2).await;
    assert!(shown[1].body.ends_with("— and 3 more"), "{:?}", shown[1]);
}

#[tokio::test]
async fn an_invalid_signature_raises_a_notification_unless_turned_off() {
    let rec = RecordingNotifier::default();
    let clock = ManualClock::new(hooklens_store::now_us());
    let engine = engine(None, &clock, &rec).await;
    engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({ "name": "gh", "path": "/gh", "signature": { "scheme": "github", "secrets": ["s3cret"] } }))
        .send()
        .await
        .expect("create");
    let forged = engine
        .http
        .post(engine.recv("/gh"))
        .header("x-hub-signature-256", "sha256=00")
        .body("{}")
        .send()
        .await
        .expect("send");
    let id = id_header(&forged);
    let shown = popups_of(&rec, "signature_invalid", 1).await;
    assert_eq!(shown[0].title, "Invalid github signature on gh");
    assert_eq!(shown[0].request_id.as_deref(), Some(id.as_str()));
    let patched = engine
        .call(Method::PATCH, "/api/v1/settings")
        .json(&json!({ "notifications": { "signature_invalid": false } }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    clock.advance(Duration::from_secs(60));
    engine
        .http
        .post(engine.recv("/gh"))
        .header("x-hub-signature-256", "sha256=00")
        .send()
        .await
        .expect("send");
    let marker = engine.capture("/marker", "{}").await;
    engine.stored(&marker).await;
    assert_eq!(
        rec.shown()
            .iter()
            .filter(|p| p.kind.as_str() == "signature_invalid")
            .count(),
        1
    );
}
