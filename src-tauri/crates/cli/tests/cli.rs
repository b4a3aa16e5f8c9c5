//! Black-box tests of the `hooklens` binary: real processes, real signals, real files.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

mod common;
use common::*;

#[test]
fn serve_prints_urls_keeps_a_private_token_and_drains_on_sigterm() {
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = Serve::start(dir.path());
    let token = std::fs::read_to_string(dir.path().join("api-token")).expect("token file");
    assert!(
        serve.login.ends_with(&format!("/login?token={token}")),
        "{}",
        serve.login
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(dir.path().join("api-token"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let ids = post_many(&serve.receiver, 20);
    serve.signal("TERM");
    assert!(serve.wait().success(), "clean exit on SIGTERM");
    assert_eq!(export_ids(dir.path()), ids);

    // The same token next time.
    let serve = Serve::start(dir.path());
    assert!(serve.login.ends_with(&token));
    serve.signal("INT");
    assert!(serve.wait().success(), "clean exit on Ctrl-C");
}

#[test]
fn a_crash_right_after_the_answers_loses_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = Serve::start(dir.path());
    let ids = post_many(&serve.receiver, 50);
    serve.signal("KILL");
    let _ = serve.wait();
    assert_eq!(
        export_ids(dir.path()),
        ids,
        "every answered request survived SIGKILL"
    );
}

/// Listen on any free loopback ports.
const FREE_PORTS: [&str; 4] = ["--listen", "127.0.0.1:0", "--api-listen", "127.0.0.1:0"];

/// Runs `hooklens serve ARGS --data-dir DIR`, which must fail with one line; returns it.
fn serve_error(args: &[&str], data_dir: &Path) -> String {
    let out = Command::new(BIN)
        .arg("serve")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .env("HOOKLENS_LOG", "off")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn a_taken_port_is_a_one_line_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let dir = tempfile::tempdir().expect("tempdir");
    let stderr = serve_error(
        &[
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--api-listen",
            "127.0.0.1:0",
        ],
        dir.path(),
    );
    assert!(stderr.contains(&format!("127.0.0.1:{port}")), "{stderr}");
    assert!(stderr.contains("--listen"), "{stderr}");
}

#[test]
fn an_unusable_data_dir_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").expect("write");
    let stderr = serve_error(&FREE_PORTS, &file.join("data"));
    assert!(stderr.contains("--data-dir"), "{stderr}");
}

#[test]
fn export_writes_a_har_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = Serve::start(dir.path());
    post_many(&serve.receiver, 3);
    serve.signal("TERM");
    assert!(serve.wait().success());
    let out_file = dir.path().join("out.har");
    let out = Command::new(BIN)
        .args(["export", "--format", "har", "--out"])
        .arg(&out_file)
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("run export");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exported 3 requests"));
    let har: Value =
        serde_json::from_slice(&std::fs::read(&out_file).expect("read")).expect("json");
    assert_eq!(har["log"]["version"], "1.2");
    assert_eq!(har["log"]["entries"].as_array().expect("entries").len(), 3);

    let missing = Command::new(BIN)
        .args(["export", "--format", "har", "--data-dir"])
        .arg(dir.path().join("nothing-here"))
        .output()
        .expect("run export");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no Hooklens data"));
}

#[test]
fn a_tunnel_without_its_server_is_a_one_line_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let stderr = serve_error(
        &[&FREE_PORTS[..], &["--tunnel", "bore"]].concat(),
        dir.path(),
    );
    assert!(stderr.contains("--tunnel-server"), "{stderr}");
}

#[test]
fn bad_flags_say_what_is_wrong() {
    let out = Command::new(BIN)
        .args(["serve", "--max-body", "lots"])
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a size"));
}

/// A local service for the CLI tests: answers 200 "ok" and reports each request's path.

#[test]
fn listen_forwards_and_prints_a_line_per_request_and_delivery() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, paths, _service) = service();
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = free.local_addr().expect("addr").port();
    drop(free);
    let mut child = Command::new(BIN)
        .args([
            "listen",
            "--forward-to",
            &format!("{url}/wh"),
            "--path",
            "/stripe",
        ])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--data-dir")
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let lines = stdout_lines(&mut child);
    let next = || lines.recv_timeout(Duration::from_secs(20)).expect("a line");
    assert!(next().starts_with("Ready: "));
    let ids = post_many(&format!("http://127.0.0.1:{port}/stripe"), 1);
    assert_eq!(
        paths
            .recv_timeout(Duration::from_secs(20))
            .expect("forwarded"),
        "/wh/hook/0"
    );
    let mut printed = Vec::new();
    while printed.len() < 3 {
        printed.push(next());
    }
    assert!(
        printed[1].contains(&format!("--> POST /stripe/hook/0  7 B  [{}]", ids[0])),
        "{printed:?}"
    );
    assert!(
        printed[2].contains(&format!("<-- 200 {url}/wh/hook/0")),
        "{printed:?}"
    );
    post_many(&format!("http://127.0.0.1:{port}"), 1);
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().expect("wait");
    assert!(status.success());
    assert!(
        paths.try_recv().is_err(),
        "outside --path nothing is forwarded"
    );
}

#[test]
fn replay_sends_a_stored_request_again_or_says_why_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = Serve::start(dir.path());
    let ids = post_many(&serve.receiver, 1);
    serve.signal("TERM");
    assert!(serve.wait().success());
    let (url, paths, _service) = service();
    let out = Command::new(BIN)
        .args(["replay", &ids[0], "--to", &format!("{url}/again?x=1")])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("→ 200"));
    assert_eq!(
        paths
            .recv_timeout(Duration::from_secs(10))
            .expect("replayed"),
        "/again?x=1"
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let out = Command::new(BIN)
        .args(["replay", &ids[0], "--to", &dead])
        .arg("--data-dir")
        .arg(dir.path())
        .env("HOOKLENS_LOG", "off")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("connection refused") && stderr.contains("is your server running?"),
        "{stderr}"
    );

    let out = Command::new(BIN)
        .args(["replay", &ids[0]])
        .arg("--data-dir")
        .arg(dir.path())
        .env("HOOKLENS_LOG", "off")
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("pass --to URL"));
}

#[test]
fn serve_forwards_to_its_forward_to_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, paths, _service) = service();
    let mut child = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .args(["--forward-to", &url])
        .arg("--data-dir")
        .arg(dir.path())
        .env("HOOKLENS_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut receiver = None;
    for line in stdout.lines().map_while(Result::ok) {
        if let Some(rest) = line.trim().strip_prefix("Receiver:") {
            receiver = rest
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches('/').to_string());
        }
        if line.trim().starts_with("Forward:") {
            assert!(line.contains(&url));
            break;
        }
    }
    post_many(&receiver.expect("receiver url"), 2);
    let mut got = vec![
        paths
            .recv_timeout(Duration::from_secs(20))
            .expect("forwarded"),
        paths
            .recv_timeout(Duration::from_secs(20))
            .expect("forwarded"),
    ];
    got.sort();
    assert_eq!(got, ["/hook/0", "/hook/1"]);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn trigger_sends_a_signed_sample_that_hooklens_recognises() {
    let dir = tempfile::tempdir().expect("tempdir");
    let serve = Serve::start(dir.path());
    let out = Command::new(BIN)
        .args([
            "trigger",
            "github",
            "--event",
            "issues.closed",
            "--secret",
            "s3cret",
        ])
        .args(["--to", &format!("{}/gh", serve.receiver)])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("github issues.closed (signed) → 200"),
        "{stdout}"
    );
    serve.signal("TERM");
    assert!(serve.wait().success());
    let export = Command::new(BIN)
        .args(["export", "--format", "ndjson", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("export");
    let line: Value = serde_json::from_slice(&export.stdout).expect("one request");
    assert_eq!(line["provider"], "github");
    assert_eq!(line["event_type"], "issues.closed");
    assert!(line["headers"].to_string().contains("x-hub-signature-256"));

    let bad = Command::new(BIN)
        .args(["trigger", "paypal"])
        .output()
        .expect("run");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("use one of stripe"));
}

/// A private D-Bus session bus for one test, stopped when dropped.
struct Bus {
    daemon: Child,
    address: String,
}

impl Bus {
    fn start() -> Bus {
        let mut daemon = Command::new("dbus-daemon")
            .args(["--session", "--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (Debian package dbus-daemon) runs");
        let stdout = daemon.stdout.take().expect("stdout");
        let mut address = String::new();
        BufReader::new(stdout)
            .read_line(&mut address)
            .expect("the bus prints its address");
        Bus {
            daemon,
            address: address.trim().to_string(),
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// What the fake notification server received.
#[derive(Debug)]
struct Shown {
    app: String,
    summary: String,
    body: String,
    urgency: Option<u8>,
    request_id: Option<String>,
}

/// `org.freedesktop.Notifications`, as far as notify-rust uses it.
struct FakeServer {
    seen: tokio::sync::mpsc::UnboundedSender<Shown>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl FakeServer {
    #[allow(clippy::too_many_arguments)]
    async fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        hints: std::collections::HashMap<String, zbus::OwnedVariant>,
        _expire_timeout: i32,
    ) -> u32 {
        let urgency = hints
            .get("urgency")
            .and_then(|v| v.downcast_ref::<u8>().ok());
        let request_id = hints
            .get("x-hooklens-request-id")
            .and_then(|v| v.downcast_ref::<String>().ok());
        let _ = self.seen.send(Shown {
            app: app_name,
            summary,
            body,
            urgency,
            request_id,
        });
        1
    }

    async fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    async fn get_server_information(&self) -> (String, String, String, String) {
        (
            "fake".into(),
            "hooklens-tests".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    async fn close_notification(&self, _id: u32) {}
}

#[test]
fn serve_notify_shows_a_rule_match_and_a_failed_delivery_on_the_session_bus() {
    let bus = Bus::start();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (tx, mut seen) = tokio::sync::mpsc::unbounded_channel();
    let _server = runtime.block_on(async {
        zbus::connection::Builder::address(bus.address.as_str())
            .name("org.freedesktop.Notifications")
            .serve_at("/org/freedesktop/Notifications", FakeServer { seen: tx })
            .build()
            .await
            .expect("on the bus")
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let serve = Serve::start_with(
        dir.path(),
        &["--notify", "--forward-to", &dead],
        &[("DBUS_SESSION_BUS_ADDRESS", &bus.address)],
    );
    let api = serve
        .login
        .split("/login")
        .next()
        .expect("api url")
        .to_string();
    let token = std::fs::read_to_string(dir.path().join("api-token")).expect("token");
    let mut next = || {
        runtime.block_on(async {
            tokio::time::timeout(Duration::from_secs(20), seen.recv())
                .await
                .expect("a popup within 20 s")
                .expect("server running")
        })
    };
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            let created = reqwest::Client::new()
                .post(format!("{api}/api/v1/rules"))
                .bearer_auth(&token)
                .json(&serde_json::json!({
                    "name": "orders",
                    "conditions": [{ "field": "path", "op": "glob", "value": "/orders/*" }],
                    "actions": [{ "type": "notify", "title": "New order", "body": "{{method}} {{path}}" }]
                }))
                .send()
                .await
                .expect("create rule");
            assert_eq!(created.status(), 201);
        });
    let ids = post_many(&format!("{}/orders", serve.receiver), 1);
    let mut popups = [next(), next()];
    popups.sort_by(|a, b| a.summary.cmp(&b.summary));
    let (delivery, rule) = (&popups[0], &popups[1]);
    assert_eq!(rule.app, "Hooklens");
    assert_eq!(rule.summary, "New order");
    assert_eq!(rule.body, "POST /orders/hook/0");
    assert_eq!(rule.urgency, Some(1));
    assert_eq!(rule.request_id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(delivery.summary, format!("Delivery to {dead} failed"));
    assert!(
        delivery
            .body
            .starts_with(&format!("connection refused at {dead}")),
        "{delivery:?}"
    );
    assert_eq!(delivery.urgency, Some(1));
    // More failures within the window are folded into one summary; meanwhile the target
    // goes down after five failures in a row (retries 1 s and 2 s apart).
    post_many(&format!("{}/elsewhere", serve.receiver), 1);
    let mut later = Vec::new();
    while !later
        .iter()
        .any(|p: &Shown| p.body.contains("more") && p.summary.starts_with("Delivery"))
    {
        later.push(next());
    }
    let deliveries: Vec<&Shown> = later
        .iter()
        .filter(|p| p.summary.starts_with("Delivery"))
        .collect();
    assert_eq!(deliveries.len(), 1, "only the summary: {later:?}");
    assert!(deliveries[0].body.contains("— and "), "{later:?}");
    let down = later
        .iter()
        .find(|p| p.summary == format!("{dead} is down"))
        .expect("a target-down popup");
    assert_eq!(down.urgency, Some(2), "critical");
}

/// A loopback port nothing listens on.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// Runs `hooklens serve` with a signing secret, an API token and an ngrok authtoken
/// configured, captures a signed request and a failed delivery, stops it, and returns its
/// log (stderr) and the captured request's id.
fn serve_logs(format: &str) -> (String, String) {
    const API_TOKEN: &str = "api-SECRET-token-0123456789abcdef";
    const NGROK_TOKEN: &str = "ngrok-SECRET-authtoken-2aBcD";
    const SIGNING_SECRET: &str = "whsec_SECRET_signing_0123456789";
    const BODY_MARKER: &str = "BODY-SECRET-marker";
    let dir = tempfile::tempdir().expect("tempdir");
    let log_path = dir.path().join("stderr.log");
    let log_file = std::fs::File::create(&log_path).expect("log file");
    let ngrok_server = format!("127.0.0.1:{}", closed_port());
    let forward = format!("http://127.0.0.1:{}", closed_port());
    let mut command = Serve::command(
        &dir.path().join("data"),
        &[
            "--log-format",
            format,
            "--api-token",
            API_TOKEN,
            "--tunnel",
            "ngrok",
            "--ngrok-server",
            &ngrok_server,
            "--forward-to",
            &forward,
        ],
        &[("HOOKLENS_LOG", "debug"), ("NGROK_AUTHTOKEN", NGROK_TOKEN)],
    );
    command
        .env_remove("HOOKLENS_LOG_FORMAT")
        .stderr(Stdio::from(log_file));
    let serve = Serve::spawn(command);
    let receiver = serve.receiver.clone();
    let api = serve.login.split("/login").next().expect("api").to_string();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let id = runtime.block_on(async {
        let client = reqwest::Client::new();
        let created = client
            .post(format!("{api}/api/v1/endpoints"))
            .bearer_auth(API_TOKEN)
            .json(&serde_json::json!({
                "name": "stripe",
                "path": "/stripe",
                "signature": {"scheme": "stripe", "secrets": [SIGNING_SECRET]},
            }))
            .send()
            .await
            .expect("create endpoint");
        assert!(created.status().is_success(), "{}", created.status());
        let answer: Value = client
            .post(format!("{receiver}/stripe/events"))
            .header("stripe-signature", "t=1700000000,v1=00ff")
            .body(format!("{{\"type\":\"x\",\"note\":\"{BODY_MARKER}\"}}"))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        let id = answer["id"].as_str().expect("id").to_string();
        // Wait for the first (failed) delivery attempt.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let deliveries: Value = client
                .get(format!("{api}/api/v1/requests/{id}/deliveries"))
                .bearer_auth(API_TOKEN)
                .send()
                .await
                .expect("deliveries")
                .json()
                .await
                .expect("json");
            if deliveries[0]["attempts"].as_u64().unwrap_or(0) >= 1 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no delivery attempt within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        id
    });
    serve.signal("TERM");
    serve.wait();
    let log = std::fs::read_to_string(&log_path).expect("read log");
    for secret in [API_TOKEN, NGROK_TOKEN, SIGNING_SECRET, BODY_MARKER] {
        assert!(!log.contains(secret), "{format} log holds {secret}:\n{log}");
    }
    (log, id)
}

#[test]
fn text_logs_hold_no_secret_and_name_the_request() {
    let (log, id) = serve_logs("text");
    assert!(log.contains(&format!("request_id={id}")), "{log}");
    assert!(
        log.lines()
            .any(|l| l.contains("attempt{") && l.contains(&id)),
        "an attempt's span names the request:\n{log}"
    );
}

#[test]
fn json_logs_are_one_object_per_line_with_the_request_id() {
    let (log, id) = serve_logs("json");
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(lines.iter().all(Value::is_object));
    let in_span = |span: &str, message: &str| {
        lines.iter().any(|l| {
            l["fields"]["message"] == message
                && l["spans"].as_array().is_some_and(|s| {
                    s.iter()
                        .any(|s| s["name"] == span && s["request_id"] == id.as_str())
                })
        })
    };
    assert!(in_span("request", "captured"), "{log}");
    assert!(in_span("attempt", "delivery attempt"), "{log}");
}

/// Every request in the store, by id, with its body bytes (offline `hooklens export`).
fn export_bodies(data_dir: &Path) -> std::collections::HashMap<String, Vec<u8>> {
    use base64::Engine as _;
    export_ndjson(data_dir)
        .iter()
        .map(|v| {
            let body = base64::engine::general_purpose::STANDARD
                .decode(v["body_base64"].as_str().expect("body_base64"))
                .expect("base64");
            (v["id"].as_str().expect("id").to_string(), body)
        })
        .collect()
}

/// A unique, partly binary body for request `i`.
fn crash_body(i: usize) -> Vec<u8> {
    let mut body = format!("{{\"n\":{i}}}\n").into_bytes();
    body.extend((0..(i % 700)).map(|k| (k * 31 + i) as u8));
    body
}

/// A service that records the `X-Hooklens-Request-Id` of every request it answers with 200.
fn recording_service(listener: std::net::TcpListener) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let tx = tx.clone();
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
                let mut data = Vec::new();
                let mut buf = vec![0u8; 16 << 10];
                // Read the head, then as much body as it announces.
                let (head_len, body_len) = loop {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                    if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        break (end + 4, length);
                    }
                };
                while data.len() < head_len + body_len {
                    let n = stream.read(&mut buf).unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    data.extend_from_slice(&buf[..n]);
                }
                let head = String::from_utf8_lossy(&data[..head_len]).to_ascii_lowercase();
                let id = head
                    .lines()
                    .find_map(|l| l.strip_prefix("x-hooklens-request-id:"))
                    .map(|v| v.trim().to_uppercase());
                if stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok",
                    )
                    .is_ok()
                    && let Some(id) = id
                {
                    let _ = tx.send(id);
                }
            });
        }
    });
    rx
}

/// `kill -9` in the middle of a storm of 10,000 requests from 64 connections, while the
/// forward target is down. Every request that got a 2xx is on disk byte for byte, and
/// after a restart (target up) every stored request is delivered.
#[test]
fn a_kill_mid_burst_loses_no_answered_request_and_no_delivery() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    const TOTAL: usize = 10_000;
    const CONNECTIONS: usize = 64;
    const KILL_AFTER: usize = 3_000;

    let dir = tempfile::tempdir().expect("tempdir");
    let free = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let target = free.local_addr().expect("addr");
    drop(free); // down during the burst
    let forward = format!("http://{target}");
    let serve = Serve::start_with(dir.path(), &["--forward-to", &forward], &[]);
    let pid = serve.pid();

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let answered: Vec<(String, Vec<u8>)> = runtime.block_on(async {
        let next = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..CONNECTIONS {
            let (next, done, pid) = (next.clone(), done.clone(), pid.clone());
            let url = serve.receiver.clone();
            tasks.spawn(async move {
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .timeout(Duration::from_secs(30))
                    .build()
                    .expect("client");
                let mut mine = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= TOTAL {
                        break;
                    }
                    let body = crash_body(i);
                    let Ok(response) = client
                        .post(format!("{url}/crash/{i}"))
                        .body(body.clone())
                        .send()
                        .await
                    else {
                        break; // killed: the connection is gone
                    };
                    if !response.status().is_success() {
                        continue;
                    }
                    let id = response.headers()["x-hooklens-request-id"]
                        .to_str()
                        .expect("id")
                        .to_string();
                    mine.push((id, body));
                    if done.fetch_add(1, Ordering::SeqCst) + 1 == KILL_AFTER {
                        let _ = Command::new("kill").args(["-KILL", &pid]).status();
                    }
                }
                mine
            });
        }
        let mut all = Vec::new();
        while let Some(mine) = tasks.join_next().await {
            all.extend(mine.expect("sender task"));
        }
        all
    });
    let _ = serve.wait();
    assert!(answered.len() >= KILL_AFTER, "{} answered", answered.len());
    assert!(answered.len() < TOTAL, "killed mid-burst");

    let stored = export_bodies(dir.path());
    for (id, body) in &answered {
        let kept = stored
            .get(id)
            .unwrap_or_else(|| panic!("answered {id} is lost"));
        assert!(kept == body, "{id} is not byte-exact");
    }

    // The target comes up; a restart resumes every stored request's delivery.
    let listener = std::net::TcpListener::bind(target).expect("rebind the target's port");
    let delivered = recording_service(listener);
    let serve = Serve::start_with(dir.path(), &["--forward-to", &forward], &[]);
    let mut waiting: std::collections::HashSet<&String> = stored.keys().collect();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !waiting.is_empty() {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match delivered.recv_timeout(left) {
            Ok(id) => {
                waiting.remove(&id);
            }
            Err(_) => panic!(
                "{} of {} stored requests not delivered within 120 s after the restart",
                waiting.len(),
                stored.len()
            ),
        }
    }
    serve.signal("TERM");
    assert!(serve.wait().success());
}
