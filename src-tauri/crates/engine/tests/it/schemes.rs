//! The newer signature schemes through the real receiver and API: the URL Twilio and Square
//! sign, public keys that must parse, and re-signing refused where only the provider can
//! sign.

use hooklens_engine::provider::signature::{Message, sign};
use hooklens_store::{Resign, SignatureScheme};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";
pub(crate) const BODY: &str = "MessageSid=SM1&MessageStatus=delivered&To=%2B15005550006";

/// Twilio's signature of `BODY` as sent to `url`.
pub(crate) fn twilio_signature(url: &str) -> String {
    let resign = Resign {
        scheme: SignatureScheme::Twilio,
        secret: "tw_auth_token".into(),
        header: None,
    };
    let headers = [("content-type".to_string(), FORM.as_bytes().to_vec())];
    let message = Message {
        url,
        headers: &headers,
        body: BODY.as_bytes(),
    };
    let signed = sign(&resign, &message, 0).expect("signs");
    signed[0].1.clone()
}

async fn send_twilio(engine: &TestEngine, signature: &str) -> Value {
    let response = engine
        .http
        .post(engine.recv("/twilio/sms?account=1"))
        .header("content-type", FORM)
        .header("x-twilio-signature", signature)
        .body(BODY)
        .send()
        .await
        .expect("send");
    engine.stored(&id_header(&response)).await
}

#[tokio::test]
async fn url_signing_schemes_check_the_public_url_else_the_url_rebuilt_from_host() {
    let engine = TestEngine::start().await;
    let id = twilio_endpoint(&engine).await;

    // No public URL: the one the receiver was called at, from its Host header.
    let local = engine.recv("/twilio/sms?account=1");
    let stored = send_twilio(&engine, &twilio_signature(&local)).await;
    assert_eq!(stored["provider"], "twilio");
    assert_eq!(stored["event_type"], "message.delivered");
    assert_eq!(stored["signature"]["status"], "valid", "{stored}");
    assert!(
        stored["signature"]["reason"]
            .as_str()
            .expect("reason")
            .contains(&local)
    );

    // A public URL: the path below the endpoint's prefix and the query follow it.
    let patched = engine
        .call(Method::PATCH, &format!("/api/v1/endpoints/{id}"))
        .json(&json!({ "public_url": "https://hooks.example.com/tw" }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.expect("json");
    assert_eq!(patched["public_url"], "https://hooks.example.com/tw");
    let stale = send_twilio(&engine, &twilio_signature(&local)).await;
    assert_eq!(stale["signature"]["status"], "invalid");
    assert!(
        stale["signature"]["reason"]
            .as_str()
            .expect("reason")
            .contains("set the endpoint's public URL")
    );
    let public = send_twilio(
        &engine,
        &twilio_signature("https://hooks.example.com/tw/sms?account=1"),
    )
    .await;
    assert_eq!(public["signature"]["status"], "valid", "{public}");

    // Behind a reverse proxy that terminated TLS: its Host, at the scheme it forwarded.
    engine
        .call(Method::PATCH, &format!("/api/v1/endpoints/{id}"))
        .json(&json!({ "public_url": null }))
        .send()
        .await
        .expect("patch");
    let proxied = engine
        .http
        .post(engine.recv("/twilio/sms?account=1"))
        .header("host", "hooks.example.com")
        .header("x-forwarded-proto", "https")
        .header("content-type", FORM)
        .header(
            "x-twilio-signature",
            twilio_signature("https://hooks.example.com/twilio/sms?account=1"),
        )
        .body(BODY)
        .send()
        .await
        .expect("send");
    let proxied = engine.stored(&id_header(&proxied)).await;
    assert_eq!(proxied["signature"]["status"], "valid", "{proxied}");

    let bad = engine
        .call(Method::PATCH, &format!("/api/v1/endpoints/{id}"))
        .json(&json!({ "public_url": "hooks.example.com/tw" }))
        .send()
        .await
        .expect("patch");
    assert_eq!(bad.status(), 400);
}

/// Creates the endpoint `/twilio`, checked with Twilio's scheme; returns its id.
pub(crate) async fn twilio_endpoint(engine: &TestEngine) -> String {
    let created: Value = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({
            "name": "twilio", "path": "/twilio",
            "signature": { "scheme": "twilio", "secrets": ["tw_auth_token"] }
        }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    created["id"].as_str().expect("id").to_string()
}

#[tokio::test]
async fn public_keys_must_parse_and_cannot_re_sign() {
    let engine = TestEngine::start().await;
    let refused = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({
            "name": "sendgrid", "path": "/sendgrid",
            "signature": { "scheme": "sendgrid", "secrets": ["not-a-key"] }
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(refused.status(), 400);
    let error: Value = refused.json().await.expect("json");
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("P-256 public key"),
        "{error}"
    );

    let resigning = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({
            "name": "discord", "path": "/discord",
            "forward": [{ "url": "http://127.0.0.1:9/x",
                          "resign": { "scheme": "discord", "secret": "anything" } }]
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(resigning.status(), 400);
    let error: Value = resigning.json().await.expect("json");
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("private Ed25519 key"),
        "{error}"
    );

    let id = engine.capture("/discord", "{}").await;
    let replay = engine
        .call(Method::POST, &format!("/api/v1/requests/{id}/replay"))
        .json(&json!({ "target": "http://127.0.0.1:9/x",
                       "resign": { "scheme": "sendgrid", "secret": "k" } }))
        .send()
        .await
        .expect("replay");
    assert_eq!(replay.status(), 400);
    let error: Value = replay.json().await.expect("json");
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("cannot re-sign with sendgrid"),
        "{error}"
    );
}
