use hooklens_engine::provider::signature::{Message, sign, verify};
use hooklens_store::{Resign, SignatureScheme, SignatureSpec};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::target::TestTarget;

const SECRET: &str = "whsec_test_0123456789abcdef";

fn now_s() -> i64 {
    hooklens_store::now_us() / 1_000_000
}

fn stripe_headers(body: &[u8], secret: &str, at: i64) -> Vec<(String, String)> {
    let resign = Resign {
        scheme: SignatureScheme::Stripe,
        secret: secret.into(),
        header: None,
    };
    let message = Message {
        url: "",
        headers: &[],
        body,
    };
    sign(&resign, &message, at).expect("signs")
}

async fn send_stripe(engine: &TestEngine, headers: &[(String, String)], body: &str) -> Value {
    let mut request = engine
        .http
        .post(engine.recv("/stripe/webhook"))
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let id = id_header(&request.send().await.expect("send"));
    engine.stored(&id).await
}

async fn stripe_endpoint(engine: &TestEngine, extra: Value) -> Value {
    let mut spec = json!({
        "name": "stripe",
        "path": "/stripe",
        "signature": { "scheme": "stripe", "secrets": ["whsec_old_rotated_away_1", SECRET] }
    });
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
    response.json().await.expect("json")
}

#[tokio::test]
async fn captures_carry_provider_event_type_and_a_signature_verdict() {
    let engine = TestEngine::start().await;
    stripe_endpoint(&engine, json!({})).await;
    let body = r#"{"id":"evt_1","type":"payment_intent.payment_failed"}"#;

    let valid = send_stripe(
        &engine,
        &stripe_headers(body.as_bytes(), SECRET, now_s()),
        body,
    )
    .await;
    assert_eq!(valid["provider"], "stripe");
    assert_eq!(valid["event_type"], "payment_intent.payment_failed");
    assert_eq!(valid["signature"]["status"], "valid");
    assert_eq!(valid["signature"]["scheme"], "stripe");
    assert!(
        valid["signature"]["reason"]
            .as_str()
            .expect("reason")
            .contains("secret 2")
    );

    let stale = send_stripe(
        &engine,
        &stripe_headers(body.as_bytes(), SECRET, now_s() - 540),
        body,
    )
    .await;
    assert_eq!(stale["signature"]["status"], "invalid");
    assert_eq!(
        stale["signature"]["reason"],
        "timestamp is 9 min old, tolerance 5 min"
    );

    let forged = send_stripe(
        &engine,
        &stripe_headers(body.as_bytes(), "whsec_guess", now_s()),
        body,
    )
    .await;
    assert_eq!(
        forged["signature"]["reason"],
        "no v1 signature matches the 2 configured secrets"
    );

    let unsigned = send_stripe(&engine, &[("user-agent".into(), "Stripe/1.0".into())], body).await;
    assert_eq!(unsigned["signature"]["status"], "missing");
    assert_eq!(unsigned["provider"], "stripe");

    let elsewhere = engine.stored(&engine.capture("/other", "{}").await).await;
    assert_eq!(elsewhere["signature"]["status"], "unconfigured");
    assert_eq!(elsewhere["provider"], Value::Null);

    let ids = |page: Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_string())
            .collect()
    };
    let id = |r: &Value| r["id"].as_str().expect("id").to_string();
    assert_eq!(
        ids(engine.get_json("/api/v1/requests?signature=valid").await),
        [id(&valid)]
    );
    assert_eq!(
        ids(engine
            .get_json("/api/v1/requests?provider=stripe&signature=missing")
            .await),
        [id(&unsigned)]
    );
    assert_eq!(
        ids(engine
            .get_json("/api/v1/requests?event_type=payment_intent.*")
            .await)
        .len(),
        4
    );
    assert!(
        ids(engine
            .get_json("/api/v1/requests?event_type=invoice.*")
            .await)
        .is_empty()
    );
}

#[tokio::test]
async fn secrets_are_masked_and_survive_a_patch_round_trip() {
    let engine = TestEngine::start().await;
    let created = stripe_endpoint(&engine, json!({})).await;
    let shown = created["signature"]["secrets"].to_string();
    assert!(!shown.contains(SECRET), "{shown}");
    assert_eq!(created["signature"]["secrets"][1], "whsec_…cdef");
    let id = created["id"].as_str().expect("id");
    let fetched = engine.get_json(&format!("/api/v1/endpoints/{id}")).await;
    assert!(!fetched.to_string().contains(SECRET));

    // A client sends back what it was shown, changing something else.
    let mut signature = fetched["signature"].clone();
    signature["tolerance_s"] = json!(600);
    let patched = engine
        .call(Method::PATCH, &format!("/api/v1/endpoints/{id}"))
        .json(&json!({ "signature": signature }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let body = r#"{"type":"charge.succeeded"}"#;
    let stored = send_stripe(
        &engine,
        &stripe_headers(body.as_bytes(), SECRET, now_s() - 540),
        body,
    )
    .await;
    assert_eq!(
        stored["signature"]["status"], "valid",
        "the real secret was kept; 9 min < 10 min"
    );
}

#[tokio::test]
async fn forwarded_and_replayed_requests_are_re_signed_for_the_local_secret() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    let local = "whsec_local_dev_secret_42";
    stripe_endpoint(
        &engine,
        json!({ "forward": [{
            "url": service.url("/hooks"),
            "resign": { "scheme": "stripe", "secret": local }
        }] }),
    )
    .await;
    let body = r#"{"id":"evt_2","type":"invoice.paid"}"#;
    // Signed by the provider an hour ago: stale for the user's own check, until re-signed.
    let sent = send_stripe(
        &engine,
        &stripe_headers(body.as_bytes(), SECRET, now_s() - 3600),
        body,
    )
    .await;
    let got = service.next().await;
    let local_spec = SignatureSpec {
        scheme: SignatureScheme::Stripe,
        secrets: vec![local.into()],
        tolerance_s: 300,
        header: None,
        verify_token: None,
    };
    let headers: Vec<(String, Vec<u8>)> = got.headers.clone();
    let message = Message {
        url: "",
        headers: &headers,
        body: &got.body,
    };
    let check = verify(&local_spec, &message, now_s());
    assert_eq!(check.status.as_str(), "valid", "{check:?}");
    assert_eq!(
        got.header("stripe-signature").len(),
        1,
        "replaced, not added"
    );
    assert_eq!(got.body.as_ref(), body.as_bytes(), "the body is untouched");

    let id = sent["id"].as_str().expect("id");
    let replayed = engine
        .call(Method::POST, &format!("/api/v1/requests/{id}/replay"))
        .json(&json!({
            "target": service.url("/replay"),
            "resign": { "scheme": "standard-webhooks", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }
        }))
        .send()
        .await
        .expect("replay");
    assert_eq!(replayed.status(), 202);
    let got = service.next().await;
    let spec = SignatureSpec {
        scheme: SignatureScheme::StandardWebhooks,
        secrets: vec!["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into()],
        tolerance_s: 300,
        header: None,
        verify_token: None,
    };
    let message = Message {
        url: "",
        headers: &got.headers,
        body: &got.body,
    };
    assert_eq!(verify(&spec, &message, now_s()).status.as_str(), "valid");
}

#[tokio::test]
async fn test_events_arrive_signed_like_the_provider_would() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    stripe_endpoint(&engine, json!({})).await;
    let sent: Value = engine
        .call(Method::POST, "/api/v1/test-events")
        .json(
            &json!({ "provider": "stripe", "endpoint": "stripe", "target": service.url("/local") }),
        )
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(sent["signed"], true);
    assert_eq!(sent["status"], 200);
    let stored = engine
        .stored(sent["request_id"].as_str().expect("id"))
        .await;
    assert_eq!(stored["path"], "/stripe");
    assert_eq!(stored["provider"], "stripe");
    assert_eq!(stored["event_type"], "payment_intent.succeeded");
    assert_eq!(stored["signature"]["status"], "valid", "{stored}");
    let got = service.next().await;
    assert_eq!(got.uri, "/local");
    assert!(String::from_utf8_lossy(&got.body).contains("\"object\":\"event\""));

    // Every sample the window offers arrives signed and recognised, as its provider's event.
    let kinds = engine.get_json("/api/v1/test-events").await;
    let kinds = kinds.as_array().expect("a list");
    assert!(kinds.len() >= 12, "{kinds:?}");
    for kind in kinds {
        let (provider, event) = (&kind["provider"], &kind["event"]);
        let secret = if provider == "standard-webhooks" {
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        } else {
            "test-secret"
        };
        let sent: Value = engine
            .call(Method::POST, "/api/v1/test-events")
            .json(&json!({ "provider": provider, "secret": secret }))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(sent["signed"], true, "{provider}");
        let stored = engine
            .stored(sent["request_id"].as_str().expect("id"))
            .await;
        assert_eq!(&stored["provider"], provider);
        assert_eq!(&stored["event_type"], event);
    }
    let unsigned: Value = engine
        .call(Method::POST, "/api/v1/test-events")
        .json(&json!({ "provider": "github" }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(unsigned["signed"], false, "no secret anywhere");
    let unknown = engine
        .call(Method::POST, "/api/v1/test-events")
        .json(&json!({ "provider": "paypal" }))
        .send()
        .await
        .expect("send");
    assert_eq!(unknown.status(), 400);
}

/// A test event is sent for whoever asked the API: it is stored as coming from there, and
/// forwarded with that address in `X-Forwarded-For`, like a request from a local sender.
#[tokio::test]
async fn a_test_event_comes_from_the_api_caller() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    let sent: Value = engine
        .call(Method::POST, "/api/v1/test-events")
        .json(&json!({ "provider": "github", "target": service.url("/local") }))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let stored = engine
        .stored(sent["request_id"].as_str().expect("id"))
        .await;
    let from: std::net::SocketAddr = stored["remote_addr"]
        .as_str()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("a sender address: {stored}"));
    assert!(from.ip().is_loopback() && from.port() != 0, "{from}");
    let got = service.next().await;
    assert_eq!(got.header("x-forwarded-for"), [from.ip().to_string()]);
}

#[tokio::test]
async fn rules_tag_pin_and_forward_matching_captures() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    let created = engine
        .call(Method::POST, "/api/v1/rules")
        .json(&json!({
            "name": "big failed payments",
            "conditions": [
                { "field": "provider", "op": "equals", "value": "stripe" },
                { "field": "event_type", "op": "glob", "value": "payment_intent.*failed" },
                { "field": "json:data.object.amount", "op": "gt", "value": 1000 }
            ],
            "actions": [
                { "type": "tag", "tag": "payments" },
                { "type": "pin" },
                { "type": "forward", "url": service.url("/alerts") }
            ]
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let rule: Value = created.json().await.expect("json");
    let rule_id = rule["id"].as_str().expect("id").to_string();

    let send = |amount: u64, kind: &'static str| {
        let engine = &engine;
        async move {
            let body =
                json!({ "type": kind, "data": { "object": { "amount": amount } } }).to_string();
            let headers = stripe_headers(body.as_bytes(), SECRET, now_s());
            send_stripe(engine, &headers, &body).await
        }
    };
    let hit = send(5000, "payment_intent.payment_failed").await;
    assert_eq!(hit["rules"], json!([rule_id]));
    assert_eq!(hit["tags"], json!(["payments"]));
    assert_eq!(hit["pinned"], true);
    assert_eq!(service.next().await.uri, "/alerts/stripe/webhook");
    let small = send(500, "payment_intent.payment_failed").await;
    assert_eq!(small["rules"], json!([]));
    assert_eq!(small["pinned"], false);
    let other = send(5000, "payment_intent.succeeded").await;
    assert_eq!(other["tags"], json!([]));
    let tagged = engine.get_json("/api/v1/requests?tag=payments").await;
    assert_eq!(tagged["items"].as_array().map(Vec::len), Some(1));

    let off = engine
        .call(Method::PATCH, &format!("/api/v1/rules/{rule_id}"))
        .json(&json!({ "enabled": false }))
        .send()
        .await
        .expect("patch");
    assert_eq!(off.status(), 200);
    assert_eq!(
        send(9000, "payment_intent.payment_failed").await["rules"],
        json!([])
    );

    let bad = engine
        .call(Method::POST, "/api/v1/rules")
        .json(&json!({
            "name": "broken",
            "conditions": [{ "field": "path", "op": "regex", "value": "(" }],
            "actions": [{ "type": "pin" }]
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(bad.status(), 400);
    let message: Value = bad.json().await.expect("json");
    assert!(
        message["error"]["message"]
            .as_str()
            .expect("m")
            .contains("condition 1: bad regex")
    );
    let deleted = engine
        .request(Method::DELETE, &format!("/api/v1/rules/{rule_id}"))
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(engine.get_json("/api/v1/rules").await, json!([]));
}
