//! The relay, two engines on loopback: one stores what it receives and streams it from its
//! relay listener, the other subscribes and mirrors it through its own capture pipeline.

use std::path::Path;
use std::time::Duration;

use hooklens_engine::Config;
use hooklens_store::{ForwardTarget, PathMode};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TOKEN, TestEngine, config, eventually, id_from_raw};
use crate::target::{TestTarget, closed_port};

const WAIT: Duration = Duration::from_secs(20);

fn relay_config(dir: &Path) -> Config {
    let mut c = config(dir);
    c.relay_listen = Some("127.0.0.1:0".parse().expect("addr"));
    c.relay_heartbeat = Duration::from_millis(200);
    c
}

async fn relay() -> TestEngine {
    TestEngine::start_in(tempfile::tempdir().expect("tempdir"), relay_config).await
}

/// A relay token made through the relay's API.
async fn token(relay: &TestEngine, name: &str) -> String {
    let made = relay
        .call(Method::POST, "/api/v1/relay/tokens")
        .json(&json!({ "name": name }))
        .send()
        .await
        .expect("api");
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.expect("json");
    made["token"].as_str().expect("token").to_string()
}

/// Subscribes `engine` to `relay` through its API.
async fn subscribe(engine: &TestEngine, body: Value) -> reqwest::Response {
    engine
        .call(Method::POST, "/api/v1/relay")
        .json(&body)
        .send()
        .await
        .expect("api")
}

/// Waits until the subscriber's relay status satisfies `check`; returns it.
async fn status_until(engine: &TestEngine, check: impl Fn(&Value) -> bool) -> Value {
    eventually(WAIT, || async {
        let status = engine.get_json("/api/v1/relay").await;
        check(&status).then_some(status)
    })
    .await
}

async fn state_is(engine: &TestEngine, state: &str) -> Value {
    status_until(engine, |s| s["state"] == state).await
}

/// Waits until the request `id` is stored on `engine`.
async fn mirrored(engine: &TestEngine, id: &str) -> Value {
    let path = format!("/api/v1/requests/{id}");
    eventually(WAIT, || async {
        let r = engine.request(Method::GET, &path).await;
        if r.status().is_success() {
            r.json::<Value>().await.ok()
        } else {
            None
        }
    })
    .await
}

async fn count(engine: &TestEngine) -> u64 {
    engine.get_json("/api/v1/status").await["requests"]
        .as_u64()
        .expect("count")
}

#[tokio::test]
async fn a_mirrored_request_is_the_relays_byte_for_byte_once_and_runs_local_rules_and_forwarding() {
    let relay = relay().await;
    let secret = token(&relay, "laptop").await;
    let mut target = TestTarget::start().await;
    let target_url = target.url("");
    let sub = TestEngine::start_in(tempfile::tempdir().expect("tempdir"), move |d| {
        let mut c = config(d);
        c.forward_to = vec![ForwardTarget {
            url: target_url,
            path: PathMode::Keep,
            headers: Vec::new(),
            resign: None,
        }];
        c
    })
    .await;
    let rule = json!({"name": "tag posts", "conditions": [{"field": "method", "op": "equals",
        "value": "POST"}], "actions": [{"type": "tag", "tag": "seen-here"}]});
    let made = sub
        .call(Method::POST, "/api/v1/rules")
        .json(&rule)
        .send()
        .await
        .expect("rule");
    assert_eq!(made.status(), 201);

    // Stored on the relay while nobody subscribes: binary body, duplicate headers, a header
    // value that is not UTF-8.
    let body: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
    let mut raw = format!(
        "POST /hooks/bin?x=1&x=2 HTTP/1.1\r\nHost: relay\r\nX-Dup: one\r\nContent-Type: application/octet-stream\r\nX-Dup: two\r\nContent-Length: {}\r\nX-Bin: ",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(&[0xff, 0xfe, b'a', 0x80]);
    raw.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    raw.extend_from_slice(&body);
    let id = id_from_raw(&relay.raw(&raw).await);
    let original = relay.stored(&id).await;

    let url = relay.handle.relay_url().expect("a relay listener");
    let answer = subscribe(&sub, json!({ "url": url, "token": secret })).await;
    assert_eq!(answer.status(), 202);
    let copy = mirrored(&sub, &id).await;
    for field in [
        "id",
        "method",
        "path",
        "query",
        "headers",
        "headers_base64",
        "body_base64",
        "size",
        "body_state",
        "received_at_us",
        "remote_addr",
        "http_version",
        "response_status",
    ] {
        assert_eq!(copy[field], original[field], "{field}");
    }
    assert_eq!(copy["via"], "relay");
    assert_eq!(copy["tags"], json!(["seen-here"]), "the local rules ran");
    let received = target.next().await;
    assert_eq!(
        received.body.as_ref(),
        body.as_slice(),
        "forwarded byte for byte"
    );
    assert_eq!(received.header("x-dup"), ["one", "two"]);
    let bin = received.headers.iter().find(|(n, _)| n == "x-bin");
    assert_eq!(
        bin.map(|(_, v)| v.as_slice()),
        Some(&[0xff, 0xfe, b'a', 0x80][..])
    );
    let status = state_is(&sub, "online").await;
    assert_eq!(status["last_id"], id.as_str());
    assert_eq!(
        (status["url"].as_str(), status["behind"].as_u64()),
        (Some(url.as_str()), Some(0))
    );

    // A restart resumes the kept subscription after the last one mirrored: nothing twice.
    let sub = sub.restart().await;
    state_is(&sub, "online").await;
    let live = relay.capture("/live", "after the restart").await;
    mirrored(&sub, &live).await;
    assert_eq!(count(&sub).await, 2);
    // (The restarted engine has no forward target: the first was forwarded once, before.)
    assert!(target.drain().is_empty());
}

#[tokio::test]
async fn the_relay_listener_serves_nothing_of_the_control_api() {
    let relay = relay().await;
    let base = relay.handle.relay_url().expect("relay url");
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{base}{path}")).bearer_auth(TOKEN).send();
    for path in [
        "/",
        "/api/v1/status",
        "/api/v1/requests",
        "/api/v1/events",
        "/api/v1/relay/tokens",
        "/login?token=test-token-0123456789abcdef",
        "/metrics",
    ] {
        let answer = get(path).await.expect("answers");
        assert_eq!(answer.status(), 404, "{path}");
        let error: Value = answer.json().await.expect("json");
        assert_eq!(error["error"]["code"], "not_found", "{path}");
    }
    let hello: Value = get("/relay/v1")
        .await
        .expect("answers")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (hello["service"].as_str(), hello["protocol"].as_u64()),
        (Some("hooklens-relay"), Some(1))
    );

    // The API token is not a relay token; a wrong one is a JSON 401, then a 429 after ten.
    let stream = format!("{base}/relay/v1/stream");
    let refused = http.get(&stream).send().await.expect("answers");
    assert_eq!(refused.status(), 401);
    let error: Value = refused.json().await.expect("json");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("hooklens relay token create NAME")),
        "{error}"
    );
    for _ in 0..9 {
        let answer = http
            .get(&stream)
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("answers");
        assert_eq!(answer.status(), 401);
    }
    let held = http
        .get(&stream)
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("answers");
    assert_eq!(held.status(), 429);
    assert!(held.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn two_subscribers_each_get_everything_and_a_revoked_token_stops_one() {
    let relay = relay().await;
    let url = relay.handle.relay_url().expect("relay url");
    let (alice, bob) = (token(&relay, "alice").await, token(&relay, "bob").await);
    let a = TestEngine::start().await;
    let b = TestEngine::start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(relay.capture(&format!("/before/{i}"), format!("{i}")).await);
    }
    assert_eq!(
        subscribe(&a, json!({"url": url, "token": alice}))
            .await
            .status(),
        202
    );
    assert_eq!(
        subscribe(&b, json!({"url": url, "token": bob}))
            .await
            .status(),
        202
    );
    for i in 0..5 {
        ids.push(relay.capture(&format!("/after/{i}"), format!("{i}")).await);
    }
    for engine in [&a, &b] {
        for id in &ids {
            mirrored(engine, id).await;
        }
        assert_eq!(count(engine).await, 10);
    }

    let revoked = relay
        .request(Method::DELETE, "/api/v1/relay/tokens/alice")
        .await;
    assert_eq!(revoked.status(), 200);
    let status = state_is(&a, "error").await;
    assert!(
        status["error"].as_str().is_some_and(
            |e| e.contains("create one on the relay with `hooklens relay token create NAME`")
        ),
        "{status}"
    );
    let later = relay.capture("/later", "x").await;
    mirrored(&b, &later).await;
    assert_eq!(count(&a).await, 10, "a revoked token mirrors nothing more");
    let tokens = relay.get_json("/api/v1/relay/tokens").await;
    let active: Vec<(&str, bool)> = tokens
        .as_array()
        .expect("list")
        .iter()
        .map(|t| (t["name"].as_str().unwrap_or(""), t["active"] == true))
        .collect();
    assert_eq!(active, [("alice", false), ("bob", true)]);
    assert!(!tokens.to_string().contains(&bob), "never the secret");
}

#[tokio::test]
async fn captures_deleted_on_the_relay_before_they_are_mirrored_are_reported() {
    let relay = relay().await;
    let url = relay.handle.relay_url().expect("relay url");
    let secret = token(&relay, "laptop").await;
    let sub = TestEngine::start().await;
    let first = relay.capture("/one", "1").await;
    assert_eq!(
        subscribe(&sub, json!({"url": url, "token": secret}))
            .await
            .status(),
        202
    );
    mirrored(&sub, &first).await;
    assert_eq!(
        sub.request(Method::DELETE, "/api/v1/relay").await.status(),
        200
    );
    state_is(&sub, "off").await;
    let mut ids = Vec::new();
    for i in 0..3 {
        ids.push(relay.capture(&format!("/gone/{i}"), "x").await);
    }
    for id in &ids[..2] {
        let deleted = relay
            .request(Method::DELETE, &format!("/api/v1/requests/{id}"))
            .await;
        assert!(deleted.status().is_success());
    }
    // On again without a token: the kept one, for the same URL.
    assert_eq!(subscribe(&sub, json!({"url": url})).await.status(), 202);
    mirrored(&sub, &ids[2]).await;
    let status = status_until(&sub, |s| s["state"] == "online" && s["expired"] == 2).await;
    assert_eq!(
        status["error"],
        "2 requests expired on the relay before they could be mirrored (its retention, or a person, deleted them)"
    );
    let notes = sub.get_json("/api/v1/notifications").await;
    assert!(notes.to_string().contains("2 requests expired"), "{notes}");

    // Another URL is another secret's business: no kept token for it.
    let other = subscribe(&sub, json!({"url": "http://127.0.0.1:9"})).await;
    assert_eq!(other.status(), 400);
}

#[tokio::test]
async fn tls_with_a_private_ca_and_clear_errors_without_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let files = private_ca(dir.path());
    let tls = files.clone();
    let relay = TestEngine::start_in(tempfile::tempdir().expect("tempdir"), move |d| {
        let mut c = relay_config(d);
        c.tls = Some(tls);
        c
    })
    .await;
    let url = relay.handle.relay_url().expect("relay url");
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");
    let secret = token(&relay, "laptop").await;

    let trusting = TestEngine::start().await;
    let ca = dir.path().join("ca.pem");
    let answer = subscribe(
        &trusting,
        json!({"url": url, "token": secret, "ca_file": ca.to_string_lossy()}),
    )
    .await;
    assert_eq!(answer.status(), 202);
    // Past connecting and the catch-up (even an empty one): online, or an error to show.
    let status = status_until(&trusting, |s| {
        !matches!(s["state"].as_str(), Some("connecting" | "catching_up"))
    })
    .await;
    assert_eq!(status["state"], "online", "{status}");
    // The receiver speaks TLS too.
    let client = client_trusting(&ca);
    let answer = client
        .post(format!("{}/over-tls", relay.handle.receiver_url()))
        .body("secret payload")
        .send()
        .await
        .expect("https receiver");
    let id = crate::helpers::id_header(&answer);
    let copy = mirrored(&trusting, &id).await;
    assert_eq!(copy["body_text"], "secret payload");

    let doubting = TestEngine::start().await;
    subscribe(&doubting, json!({"url": url, "token": secret})).await;
    let status = state_is(&doubting, "error").await;
    assert!(
        status["error"]
            .as_str()
            .is_some_and(|e| e.contains("--relay-ca FILE")),
        "{status}"
    );
}

/// An HTTP client that trusts the CA in the PEM file `ca`.
fn client_trusting(ca: &Path) -> reqwest::Client {
    reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(&std::fs::read(ca).expect("ca")).expect("pem"),
        )
        .build()
        .expect("client")
}

/// A CA and a certificate it signed for 127.0.0.1 and localhost, as PEM files in `dir`.
fn private_ca(dir: &Path) -> hooklens_engine::tls::TlsFiles {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().expect("key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "Hooklens test CA");
    let ca = ca.self_signed(&ca_key).expect("ca");
    let key = KeyPair::generate().expect("key");
    let mut leaf =
        CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).expect("params");
    leaf.distinguished_name
        .push(DnType::CommonName, "hooklens relay");
    let leaf = leaf.signed_by(&key, &ca, &ca_key).expect("leaf");
    std::fs::write(dir.join("ca.pem"), ca.pem()).expect("write");
    std::fs::write(dir.join("cert.pem"), leaf.pem()).expect("write");
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).expect("write");
    hooklens_engine::tls::TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    }
}

#[tokio::test]
async fn a_twilio_signature_over_the_relay_s_https_url_checks_out_on_the_relay_and_its_subscriber()
{
    use crate::schemes::{BODY, FORM, twilio_endpoint, twilio_signature};
    let dir = tempfile::tempdir().expect("tempdir");
    let tls = private_ca(dir.path());
    let relay = TestEngine::start_in(tempfile::tempdir().expect("tempdir"), move |d| {
        let mut c = relay_config(d);
        c.tls = Some(tls);
        c
    })
    .await;
    let laptop = TestEngine::start().await;
    // Neither endpoint has a public URL: the URL is the one the relay's receiver was called at.
    twilio_endpoint(&relay).await;
    twilio_endpoint(&laptop).await;
    let ca = dir.path().join("ca.pem");
    let secret = token(&relay, "laptop").await;
    let url = relay.handle.relay_url().expect("relay url");
    subscribe(
        &laptop,
        json!({"url": url, "token": secret, "ca_file": ca.to_string_lossy()}),
    )
    .await;
    state_is(&laptop, "online").await;

    let called = relay.recv("/twilio/sms?account=1");
    assert!(called.starts_with("https://"), "{called}");
    let client = client_trusting(&ca);
    let answer = client
        .post(&called)
        .header("content-type", FORM)
        .header("x-twilio-signature", twilio_signature(&called))
        .body(BODY)
        .send()
        .await
        .expect("https receiver");
    let id = crate::helpers::id_header(&answer);
    let on_relay = relay.stored(&id).await;
    assert_eq!(on_relay["signature"]["status"], "valid", "{on_relay}");
    let copy = mirrored(&laptop, &id).await;
    assert_eq!(copy["via"], "relay");
    assert_eq!(copy["signature"]["status"], "valid", "{copy}");
    assert!(
        copy["signature"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains(&called)),
        "{copy}"
    );
}

#[tokio::test]
async fn an_unreachable_relay_another_version_and_plain_http_off_loopback_say_what_to_do() {
    let sub = TestEngine::start().await;
    let closed = closed_port().await;
    subscribe(
        &sub,
        json!({"url": format!("http://{closed}"), "token": "hlr_x"}),
    )
    .await;
    let status = status_until(&sub, |s| s["state"] == "reconnecting").await;
    assert!(
        status["error"]
            .as_str()
            .is_some_and(|e| e.starts_with(&format!("cannot reach the relay at http://{closed}"))),
        "{status}"
    );

    // A relay of another protocol.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = axum::Router::new().route(
        "/relay/v1",
        axum::routing::get(|| async {
            axum::Json(
                json!({"service": "hooklens-relay", "protocol": 99, "version": "9.0.0",
                "relay_id": "r"}),
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    subscribe(
        &sub,
        json!({"url": format!("http://{addr}"), "token": "hlr_x"}),
    )
    .await;
    let status = state_is(&sub, "error").await;
    assert!(
        status["error"]
            .as_str()
            .is_some_and(|e| e.contains("speaks relay protocol 99")),
        "{status}"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let mut c = config(dir.path());
    c.listen = "127.0.0.1:0".parse().expect("addr");
    c.api_listen = "127.0.0.1:0".parse().expect("addr");
    c.relay_listen = Some("0.0.0.0:0".parse().expect("addr"));
    let refused = hooklens_engine::run(c, Default::default()).await;
    let err = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.starts_with("refusing to serve the relay stream over plain HTTP on 0.0.0.0:0"),
        "{err}"
    );
}

#[tokio::test]
async fn an_online_relay_that_drops_and_comes_back_notifies_both_times() {
    let relay = relay().await;
    let url = relay.handle.relay_url().expect("relay url");
    let addr = relay.handle.relay_addr.expect("relay addr");
    let secret = token(&relay, "laptop").await;
    let sub = TestEngine::start().await;
    assert_eq!(
        subscribe(&sub, json!({"url": url, "token": secret}))
            .await
            .status(),
        202
    );
    state_is(&sub, "online").await;

    // The relay stops, then starts again on the same address with the same data.
    let TestEngine { handle, dir, .. } = relay;
    handle.shutdown().await.expect("clean shutdown");
    let status = state_is(&sub, "reconnecting").await;
    assert!(status["error"].is_string(), "{status}");
    let relay = TestEngine::start_in(dir, move |d| {
        let mut c = relay_config(d);
        c.relay_listen = Some(addr);
        c
    })
    .await;
    state_is(&sub, "online").await;
    let id = relay.capture("/after", "back").await;
    mirrored(&sub, &id).await;
    let notes = eventually(WAIT, || async {
        let notes = sub.get_json("/api/v1/notifications").await;
        let titles: Vec<String> = notes
            .as_array()?
            .iter()
            .filter(|n| n["kind"] == "relay")
            .filter_map(|n| n["title"].as_str().map(String::from))
            .collect();
        (titles.len() >= 2).then_some(titles)
    })
    .await;
    assert!(notes.contains(&"Relay dropped".to_string()), "{notes:?}");
    assert!(notes.contains(&"Relay back".to_string()), "{notes:?}");
}
