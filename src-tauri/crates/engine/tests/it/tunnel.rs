//! The tunnel end to end through a real bore server on loopback. bore's control port is
//! fixed (7835) for its client and server alike, so everything that uses it is in this one
//! test, and each run binds its bore server to a loopback address of its own (127.x.y.z, all
//! of 127.0.0.0/8 is loopback): a run beside it (another checkout's `make test`) must not
//! take its place on 127.0.0.1:7835.

use std::hash::{BuildHasher, Hasher};
use std::net::Ipv4Addr;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

/// A loopback address no other run picks (but by a chance of one in 16 million).
fn own_loopback() -> Ipv4Addr {
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let byte = |shift: u64| 1 + ((bits >> shift) % 254) as u8;
    Ipv4Addr::new(127, byte(0), byte(8), byte(16))
}

/// A bore server on `ip` in a runtime of its own: dropping it kills every connection.
struct BoreServer {
    runtime: Option<tokio::runtime::Runtime>,
}

impl BoreServer {
    fn start(ip: Ipv4Addr) -> BoreServer {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        runtime.spawn(async move {
            let mut server = bore_cli::server::Server::new(20_000..=40_000, None);
            server.set_bind_addr(ip.into());
            server.set_bind_tunnels(ip.into());
            // A server that cannot listen must say so, not leave the test to a stranger's.
            if let Err(e) = server.listen().await {
                panic!("the bore server cannot listen on {ip}:7835: {e:#}");
            }
        });
        BoreServer {
            runtime: Some(runtime),
        }
    }
}

impl Drop for BoreServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

async fn tunnel_state(engine: &TestEngine, want: &str) -> Value {
    eventually(Duration::from_secs(20), || async {
        let status = engine.get_json("/api/v1/tunnel").await;
        (status["state"] == want).then_some(status)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bore_tunnel_captures_reconnects_and_never_exposes_the_api() {
    let mut service = crate::target::TestTarget::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let url = service.url("/local");
    let engine = TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.forward_to = vec![hooklens_store::ForwardTarget {
            url,
            path: hooklens_store::PathMode::Keep,
            headers: Vec::new(),
            resign: None,
        }];
        c
    })
    .await;
    assert_eq!(engine.get_json("/api/v1/tunnel").await["state"], "off");
    let ip = own_loopback();

    // No server yet: a clear error, retried.
    let started = engine
        .call(Method::POST, "/api/v1/tunnel")
        .json(&json!({ "provider": "bore", "server": ip.to_string() }))
        .send()
        .await
        .expect("start");
    assert_eq!(started.status(), 202);
    let error = tunnel_state(&engine, "error").await;
    assert!(
        error["error"]
            .as_str()
            .expect("why")
            .contains(&format!("cannot reach tunnel server {ip}:7835")),
        "{error}"
    );

    let server = BoreServer::start(ip);
    let online = tunnel_state(&engine, "online").await;
    let url = online["public_url"]
        .as_str()
        .expect("public url")
        .to_string();
    assert_eq!(online["provider"], "bore");

    let through = engine
        .http
        .post(format!("{url}/stripe/events"))
        .header("x-forwarded-for", "203.0.113.7, 10.0.0.1")
        .body("via the tunnel")
        .send()
        .await
        .expect("send through the tunnel");
    assert_eq!(through.status(), 200);
    let stored = engine.stored(&id_header(&through)).await;
    assert_eq!(stored["via"], "tunnel");
    assert_eq!(stored["body_text"], "via the tunnel");
    assert_eq!(stored["remote_addr"], "203.0.113.7", "the original client");
    let forwarded = service.next().await;
    assert_eq!(forwarded.uri, "/local/stripe/events");
    assert_eq!(forwarded.body.as_ref(), b"via the tunnel");
    let direct = engine.stored(&engine.capture("/direct", "x").await).await;
    assert_eq!(direct["via"], "direct");
    service.next().await;

    // The API is not behind the tunnel: it only reaches the receiver.
    let api = engine
        .http
        .get(format!("{url}/api/v1/requests"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send");
    let answer: Value = api.json().await.expect("json");
    assert!(answer.get("items").is_none(), "{answer}");

    // The server goes away and comes back: reconnecting, then online on the same URL.
    drop(server);
    let lost = tunnel_state(&engine, "reconnecting").await;
    assert!(lost["error"].is_string());
    let server = BoreServer::start(ip);
    let back = tunnel_state(&engine, "online").await;
    assert_eq!(
        back["public_url"],
        url.as_str(),
        "same URL after the reconnect"
    );
    let again = engine
        .http
        .post(format!("{url}/again"))
        .send()
        .await
        .expect("send after the reconnect");
    assert_eq!(engine.stored(&id_header(&again)).await["via"], "tunnel");
    let notes = engine.get_json("/api/v1/notifications").await;
    let titles: Vec<&str> = notes
        .as_array()
        .expect("list")
        .iter()
        .filter(|n| n["kind"] == "tunnel")
        .map(|n| n["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Tunnel back", "Tunnel dropped"]);
    // The drop is on the Monitor's timeline, ended when it came back.
    let down = eventually(Duration::from_secs(10), || async {
        let stats = engine.get_json("/api/v1/stats?window=15m").await;
        stats["periods"]
            .as_array()
            .expect("periods")
            .iter()
            .find(|p| p["kind"] == "tunnel_down" && p["to"].is_number())
            .cloned()
    })
    .await;
    assert_eq!(down["subject"], "bore");
    assert!(down["to"].as_f64() >= down["from"].as_f64(), "{down}");

    let stopped = engine.request(Method::DELETE, "/api/v1/tunnel").await;
    let stopped: Value = stopped.json().await.expect("json");
    assert_eq!(stopped["state"], "off");
    drop(server);
}

#[tokio::test]
async fn ngrok_errors_are_clear_and_fast_without_a_network() {
    use hooklens_engine::tunnel::Ngrok;
    use std::sync::Arc;
    // Every ngrok session in this test goes to a closed loopback port, never to ngrok.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = closed.local_addr().expect("addr").to_string();
    drop(closed);
    let dir = tempfile::tempdir().expect("tempdir");
    let server = addr.clone();
    let engine = TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.ngrok_server = Some(server);
        c
    })
    .await;
    let cancel = engine.handle.cancellation();

    engine
        .handle
        .tunnels()
        .start_with(Arc::new(Ngrok::new(None, None, None)), &cancel);
    let missing = tunnel_state(&engine, "error").await;
    assert_eq!(missing["provider"], "ngrok");
    assert!(
        missing["error"]
            .as_str()
            .expect("why")
            .contains("no ngrok authtoken"),
        "{missing}"
    );

    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = closed.local_addr().expect("addr").to_string();
    drop(closed);
    let started = std::time::Instant::now();
    engine.handle.tunnels().start_with(
        Arc::new(Ngrok::new(
            Some("test-token".into()),
            None,
            Some(addr.clone()),
        )),
        &cancel,
    );
    let unreachable = eventually(Duration::from_secs(10), || async {
        let status = engine.get_json("/api/v1/tunnel").await;
        status["error"]
            .as_str()
            .is_some_and(|e| e.contains("cannot reach ngrok"))
            .then_some(status)
    })
    .await;
    assert_eq!(unreachable["state"], "error");
    assert!(unreachable["error"].as_str().expect("why").contains(&addr));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no waiting on timeouts"
    );

    // The API keeps an authtoken it is given (mode 0600) and never returns it.
    let response = engine
        .call(Method::POST, "/api/v1/tunnel")
        .json(&json!({ "provider": "ngrok", "authtoken": "secret-ngrok-token" }))
        .send()
        .await
        .expect("start");
    assert_eq!(response.status(), 202);
    assert!(
        !response
            .text()
            .await
            .expect("body")
            .contains("secret-ngrok-token")
    );
    use std::os::unix::fs::PermissionsExt;
    let kept = engine.dir.path().join("ngrok-authtoken");
    assert_eq!(
        std::fs::read_to_string(&kept).expect("kept"),
        "secret-ngrok-token"
    );
    assert_eq!(
        std::fs::metadata(&kept).expect("stat").permissions().mode() & 0o777,
        0o600
    );
    engine.request(Method::DELETE, "/api/v1/tunnel").await;
    assert_eq!(engine.get_json("/api/v1/tunnel").await["state"], "off");
}
