//! Repeated deliveries through the real receiver: the same provider event delivered twice,
//! three times, at once, and across a restart is marked `duplicate_of` its first delivery;
//! the list filters on it, rules see it, and an endpoint can decline to forward repeats.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::target::TestTarget;

const EVENT: &str =
    r#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"invoice.paid"}"#;

async fn stripe_endpoint(engine: &TestEngine, extra: Value) {
    let mut spec = json!({"name": "stripe", "path": "/stripe"});
    if let (Some(spec), Some(extra)) = (spec.as_object_mut(), extra.as_object()) {
        spec.extend(extra.clone());
    }
    let response = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&spec)
        .send()
        .await
        .expect("create");
    assert_eq!(response.status(), 201);
}

/// Delivers `EVENT` as Stripe would (its user agent, no signature check configured).
async fn deliver(engine: &TestEngine) -> Value {
    let response = engine
        .http
        .post(engine.recv("/stripe"))
        .header(
            "user-agent",
            "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        )
        .header("content-type", "application/json")
        .body(EVENT)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    engine.stored(&id_header(&response)).await
}

fn marks(request: &Value) -> (Value, Value, Value) {
    (
        request["event_id"].clone(),
        request["occurrence"].clone(),
        request["duplicate_of"].clone(),
    )
}

async fn listed(engine: &TestEngine, query: &str) -> Vec<String> {
    let page = engine.get_json(&format!("/api/v1/requests?{query}")).await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn twice_three_times_and_after_a_restart_each_repeat_points_at_the_first() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    stripe_endpoint(
        &engine,
        json!({"forward": [{"url": service.url("/hooks")}]}),
    )
    .await;
    let rule = json!({"name": "repeats", "conditions": [{"field": "duplicate", "op": "equals", "value": true}],
        "actions": [{"type": "tag", "tag": "repeat"}]});
    let created = engine
        .call(Method::POST, "/api/v1/rules")
        .json(&rule)
        .send()
        .await
        .expect("rule");
    assert_eq!(created.status(), 201);

    let first = deliver(&engine).await;
    let id = first["id"].clone();
    assert_eq!(
        marks(&first),
        (json!("evt_1NG8Du2eZvKYlo2CUI79vXWy"), json!(1), Value::Null)
    );
    assert!(first["first_received_at"].is_null());
    let second = deliver(&engine).await;
    assert_eq!(
        marks(&second),
        (json!("evt_1NG8Du2eZvKYlo2CUI79vXWy"), json!(2), id.clone())
    );
    assert_eq!(second["first_received_at"], first["received_at"]);
    assert_eq!(second["tags"], json!(["repeat"]), "the rule field sees it");
    assert_eq!(first["tags"], json!([]));
    let third = deliver(&engine).await;
    assert_eq!(
        marks(&third),
        (json!("evt_1NG8Du2eZvKYlo2CUI79vXWy"), json!(3), id.clone())
    );

    let engine = engine.restart().await;
    let fourth = deliver(&engine).await;
    assert_eq!(
        (fourth["occurrence"].clone(), fourth["duplicate_of"].clone()),
        (json!(4), id.clone())
    );

    let repeats = [&fourth, &third, &second].map(|r| r["id"].as_str().expect("id").to_string());
    assert_eq!(listed(&engine, "duplicate=true").await, repeats);
    assert_eq!(
        listed(&engine, "duplicate=false").await,
        [id.as_str().expect("id")]
    );
    for _ in 0..4 {
        assert_eq!(
            service.next().await.uri,
            "/hooks",
            "repeats are forwarded by default"
        );
    }
    // Another endpoint is another subscription at the provider: its own first delivery.
    let elsewhere = engine
        .http
        .post(engine.recv("/elsewhere"))
        .header("user-agent", "Stripe/1.0")
        .body(EVENT)
        .send()
        .await
        .expect("send");
    let elsewhere = engine.stored(&id_header(&elsewhere)).await;
    assert_eq!(
        (
            elsewhere["occurrence"].clone(),
            elsewhere["duplicate_of"].clone()
        ),
        (json!(1), Value::Null)
    );
}

#[tokio::test]
async fn deliveries_arriving_together_are_counted_once_each() {
    let engine = TestEngine::start().await;
    stripe_endpoint(&engine, json!({})).await;
    let (a, b, c) = tokio::join!(deliver(&engine), deliver(&engine), deliver(&engine));
    let mut seen: Vec<(i64, Value)> = [&a, &b, &c]
        .iter()
        .map(|r| {
            (
                r["occurrence"].as_i64().expect("occurrence"),
                r["duplicate_of"].clone(),
            )
        })
        .collect();
    seen.sort_by_key(|(n, _)| *n);
    let first = [&a, &b, &c]
        .into_iter()
        .find(|r| r["occurrence"] == 1)
        .expect("one first delivery");
    assert_eq!(
        seen,
        [
            (1, Value::Null),
            (2, first["id"].clone()),
            (3, first["id"].clone())
        ]
    );
}

#[tokio::test]
async fn an_endpoint_can_decline_to_forward_repeats() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    stripe_endpoint(
        &engine,
        json!({"forward": [{"url": service.url("/hooks")}], "forward_duplicates": false}),
    )
    .await;
    let first = deliver(&engine).await;
    let got = service.next().await;
    assert_eq!(String::from_utf8_lossy(&got.body), EVENT);
    for n in [2, 3] {
        let repeat = deliver(&engine).await;
        assert_eq!(repeat["occurrence"], n);
        assert_eq!(repeat["duplicate_of"], first["id"]);
        assert!(
            repeat.get("delivery").is_none(),
            "recorded, not forwarded: {repeat}"
        );
    }
    assert!(
        first.get("delivery").is_some(),
        "the first is forwarded: {first}"
    );
    assert!(service.drain().is_empty());
    let endpoint = &engine.get_json("/api/v1/endpoints").await[0];
    assert_eq!(endpoint["forward_duplicates"], false);
}
