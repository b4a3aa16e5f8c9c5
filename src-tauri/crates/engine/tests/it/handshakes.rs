//! Verification handshakes through the real receiver: each provider's documented request
//! gets the documented answer, on an endpoint whose scheme names the provider and, where the
//! request could be no other provider's, on the default endpoint; refusals get the status
//! the provider expects; every handshake is stored, marked, and not forwarded.

use ed25519_dalek::Signer as _;
use hooklens_engine::provider::signature::{Message, sign};
use hooklens_store::{Resign, SignatureScheme};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::target::TestTarget;

const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const SLACK_CHALLENGE: &str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P";
/// Discord signs with the application's private key; the test plays Discord with this one.
const DISCORD_PRIVATE: [u8; 32] = [7; 32];

fn now_s() -> i64 {
    hooklens_store::now_us() / 1_000_000
}

async fn endpoint(engine: &TestEngine, spec: Value) {
    let response = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&spec)
        .send()
        .await
        .expect("create");
    assert_eq!(
        response.status(),
        201,
        "{}",
        response.text().await.unwrap_or_default()
    );
}

/// The answer's status and body, and the stored request.
async fn sent(engine: &TestEngine, request: reqwest::RequestBuilder) -> (u16, String, Value) {
    let response = request.send().await.expect("send");
    let status = response.status().as_u16();
    let id = id_header(&response);
    let body = response.text().await.expect("body");
    (status, body, engine.stored(&id).await)
}

fn slack_request(engine: &TestEngine, path: &str, secret: &str) -> reqwest::RequestBuilder {
    let body = json!({
        "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": SLACK_CHALLENGE, "type": "url_verification"
    });
    signed(
        engine,
        path,
        SignatureScheme::Slack,
        secret,
        &[],
        &body.to_string(),
    )
}

fn discord_ping(engine: &TestEngine, key: &ed25519_dalek::SigningKey) -> reqwest::RequestBuilder {
    let body = r#"{"application_id":"2","id":"1","token":"t","type":1,"version":1}"#;
    let timestamp = now_s().to_string();
    let signature = key.sign(format!("{timestamp}{body}").as_bytes());
    engine
        .http
        .post(engine.recv("/discord"))
        .header("content-type", "application/json")
        .header("x-signature-ed25519", hex::encode(signature.to_bytes()))
        .header("x-signature-timestamp", timestamp)
        .body(body)
}

#[tokio::test]
async fn each_provider_s_handshake_is_answered_as_documented_and_not_forwarded() {
    let mut service = TestTarget::start().await;
    let engine = TestEngine::start().await;
    let discord = ed25519_dalek::SigningKey::from_bytes(&DISCORD_PRIVATE);
    let forward = json!([{ "url": service.url("/hooks") }]);
    for (name, signature) in [
        (
            "slack",
            json!({"scheme": "slack", "secrets": [SLACK_SECRET]}),
        ),
        (
            "meta",
            json!({"scheme": "meta", "secrets": ["app-secret"], "verify_token": "meatyhamhock"}),
        ),
        ("zoom", json!({"scheme": "zoom", "secrets": ["Jefe"]})),
        ("x", json!({"scheme": "x", "secrets": ["Jefe"]})),
        (
            "graph",
            json!({"scheme": "msgraph", "secrets": ["client-state"]}),
        ),
        (
            "dropbox",
            json!({"scheme": "dropbox", "secrets": ["app-secret"]}),
        ),
        (
            "twitch",
            json!({"scheme": "twitch", "secrets": ["twitch-secret"]}),
        ),
        (
            "discord",
            json!({"scheme": "discord", "secrets": [hex::encode(discord.verifying_key().to_bytes())]}),
        ),
    ] {
        let spec = json!({"name": name, "path": format!("/{name}"), "signature": signature, "forward": forward});
        endpoint(&engine, spec).await;
    }
    let twitch_body = json!({
        "challenge": "pogchamp-kappa-360noscope-vohiyo",
        "subscription": {"id": "f1c2a387", "status": "webhook_callback_verification_pending",
                         "type": "channel.follow", "version": "1"}
    })
    .to_string();
    let twitch_headers = [
        (
            "twitch-eventsub-message-type",
            "webhook_callback_verification",
        ),
        (
            "twitch-eventsub-message-id",
            "e76c6bd4-55c9-4987-8304-da1588d8988b",
        ),
    ];
    let zoom_body = r#"{"payload":{"plainToken":"what do ya want for nothing?"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let cases: Vec<(&str, reqwest::RequestBuilder, &str)> = vec![
        (
            "slack",
            slack_request(&engine, "/slack", SLACK_SECRET),
            SLACK_CHALLENGE,
        ),
        (
            "meta",
            engine.http.get(engine.recv(
                "/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock",
            )),
            "1158201444",
        ),
        (
            "zoom",
            signed(
                &engine,
                "/zoom",
                SignatureScheme::Zoom,
                "Jefe",
                &[],
                zoom_body,
            ),
            r#"{"encryptedToken":"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843","plainToken":"what do ya want for nothing?"}"#,
        ),
        (
            "x",
            engine
                .http
                .get(engine.recv("/x?crc_token=what+do+ya+want+for+nothing%3F&nonce=1")),
            r#"{"response_token":"sha256=W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="}"#,
        ),
        (
            "msgraph",
            engine
                .http
                .post(engine.recv(
                    "/graph?validationToken=Validation%3a+Testing+client+application+reachability",
                ))
                .header("content-type", "text/plain; charset=utf-8"),
            "Validation: Testing client application reachability",
        ),
        (
            "dropbox",
            engine
                .http
                .get(engine.recv("/dropbox?challenge=e5a4b5b2f1c3")),
            "e5a4b5b2f1c3",
        ),
        (
            "twitch",
            signed(
                &engine,
                "/twitch",
                SignatureScheme::Twitch,
                "twitch-secret",
                &twitch_headers,
                &twitch_body,
            ),
            "pogchamp-kappa-360noscope-vohiyo",
        ),
        ("discord", discord_ping(&engine, &discord), r#"{"type":1}"#),
    ];
    for (provider, request, answer) in cases {
        let (status, body, stored) = sent(&engine, request).await;
        assert_eq!((status, body.as_str()), (200, answer), "{provider}");
        assert_eq!(stored["handshake"]["provider"], provider, "{stored}");
        assert_eq!(stored["handshake"]["answered"], true, "{provider}");
        assert_eq!(stored["response_status"], 200, "{provider}");
        assert_eq!(stored["provider"], provider, "{provider}");
        assert!(
            stored.get("delivery").is_none(),
            "{provider}: not forwarded: {stored}"
        );
    }
    // A request that is no handshake, on the same endpoints, is forwarded as usual.
    let id = engine
        .capture("/dropbox", r#"{"list_folder":{"accounts":[]}}"#)
        .await;
    assert!(engine.stored(&id).await["handshake"].is_null());
    assert_eq!(service.next().await.uri, "/hooks");
    assert!(
        service.drain().is_empty(),
        "only the ordinary request was forwarded"
    );
}

/// A JSON POST with `headers`, signed as `scheme` signs it.
fn signed(
    engine: &TestEngine,
    path: &str,
    scheme: SignatureScheme,
    secret: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> reqwest::RequestBuilder {
    let headers: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect();
    let resign = Resign {
        scheme,
        secret: secret.into(),
        header: None,
    };
    let message = Message {
        url: "",
        headers: &headers,
        body: body.as_bytes(),
    };
    let mut request = engine
        .http
        .post(engine.recv(path))
        .header("content-type", "application/json");
    for (name, value) in headers
        .iter()
        .cloned()
        .map(|(n, v)| (n, String::from_utf8_lossy(&v).into_owned()))
        .chain(sign(&resign, &message, now_s()).expect("signs"))
    {
        request = request.header(name, value);
    }
    request.body(body.to_string())
}

#[tokio::test]
async fn refusals_get_the_provider_s_status_and_are_recorded() {
    let engine = TestEngine::start().await;
    let discord = ed25519_dalek::SigningKey::from_bytes(&DISCORD_PRIVATE);
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let public = hex::encode(discord.verifying_key().to_bytes());
    endpoint(
        &engine,
        json!({"name": "discord", "path": "/discord",
        "signature": {"scheme": "discord", "secrets": [public]}}),
    )
    .await;
    endpoint(&engine, json!({"name": "meta", "path": "/meta",
        "signature": {"scheme": "meta", "secrets": ["app-secret"], "verify_token": "meatyhamhock"}})).await;
    endpoint(
        &engine,
        json!({"name": "slack", "path": "/slack",
        "signature": {"scheme": "slack", "secrets": [SLACK_SECRET]}}),
    )
    .await;

    let wrong_token = engine.http.get(
        engine.recv("/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess"),
    );
    let forged_ping = discord_ping(&engine, &other);
    let wrong_secret = slack_request(&engine, "/slack", "not-the-signing-secret");
    for (provider, request, status, why) in [
        (
            "meta",
            wrong_token,
            403,
            "hub.verify_token is not this endpoint's verify token",
        ),
        (
            "discord",
            forged_ping,
            401,
            "the signature does not check out",
        ),
        (
            "slack",
            wrong_secret,
            401,
            "the signature does not check out",
        ),
    ] {
        let (got, body, stored) = sent(&engine, request).await;
        assert_eq!(got, status, "{provider}: {body}");
        assert!(
            !body.contains("1158201444") && !body.contains(SLACK_CHALLENGE),
            "{body}"
        );
        assert_eq!(stored["response_status"], status, "{provider}");
        assert_eq!(stored["handshake"]["answered"], false, "{provider}");
        let reason = stored["handshake"]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(why), "{provider}: {reason}");
    }
    let (status, body, _) = sent(&engine, discord_ping(&engine, &discord)).await;
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"type":1}"#),
        "the real key's PING"
    );
}

#[tokio::test]
async fn unambiguous_handshakes_are_answered_without_an_endpoint_unless_turned_off() {
    let engine = TestEngine::start().await;
    // Slack's url_verification at the default endpoint: no secret to check, answered.
    let (status, body, stored) =
        sent(&engine, slack_request(&engine, "/anything", "unknown")).await;
    assert_eq!((status, body.as_str()), (200, SLACK_CHALLENGE));
    assert_eq!(stored["handshake"]["answered"], true);
    // Discord's PING cannot be answered without the public key to check it with.
    let discord = ed25519_dalek::SigningKey::from_bytes(&DISCORD_PRIVATE);
    let (status, _, stored) = sent(&engine, discord_ping(&engine, &discord)).await;
    assert_eq!(status, 401);
    assert_eq!(stored["handshake"]["provider"], "discord");

    endpoint(
        &engine,
        json!({"name": "mine", "path": "/mine", "answer_handshakes": false,
        "response": {"status": 202, "body": "mine"}}),
    )
    .await;
    let (status, body, stored) = sent(&engine, slack_request(&engine, "/mine", "unknown")).await;
    assert_eq!(
        (status, body.as_str()),
        (202, "mine"),
        "left to the endpoint's response"
    );
    assert!(stored["handshake"].is_null());
}

#[tokio::test]
async fn the_verify_token_is_masked_and_kept_through_a_patch() {
    let engine = TestEngine::start().await;
    let token = "meatyhamhock-0123456789";
    endpoint(
        &engine,
        json!({"name": "meta", "path": "/meta",
        "signature": {"scheme": "meta", "secrets": ["app-secret"], "verify_token": token}}),
    )
    .await;
    let listed = engine.get_json("/api/v1/endpoints").await;
    let shown = &listed[0];
    assert_eq!(shown["signature"]["verify_token"], "meatyh…6789");
    assert!(!listed.to_string().contains(token));
    let id = shown["id"].as_str().expect("id");
    let patch = json!({"name": "whatsapp", "signature": shown["signature"]});
    let patched = engine
        .call(Method::PATCH, &format!("/api/v1/endpoints/{id}"))
        .json(&patch)
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let subscribe = format!("/meta?hub.mode=subscribe&hub.challenge=7&hub.verify_token={token}");
    let (status, body, _) = sent(&engine, engine.http.get(engine.recv(&subscribe))).await;
    assert_eq!(
        (status, body.as_str()),
        (200, "7"),
        "the real token was kept"
    );
}
