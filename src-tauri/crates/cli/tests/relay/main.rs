//! The relay with real processes: a `hooklens serve --relay-listen` relay, subscribers
//! (`serve --relay-from`, `listen --relay-from`) that are stopped, killed and restarted, and
//! relay tokens made and revoked by `hooklens relay token` in processes of their own; TLS
//! with a private CA (`tls`); one endpoint of the relay mirrored (`endpoint`); a relay behind
//! a reverse proxy (`proxy`); what a relay token opens (`tokens`); a catch-up watched step by
//! step (`catch_up`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

#[path = "../common/mod.rs"]
mod common;
use common::*;

mod catch_up;
mod endpoint;
mod proxy;
mod tls;
mod tokens;

const WAIT: Duration = Duration::from_secs(60);

/// A loopback port free right now (bound, then let go), for a process that must come back
/// on the same one.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// `hooklens relay token ARGS --data-dir DIR`: its stdout, or its stderr as the failure.
fn relay_token(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .args(["relay", "token"])
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .output()
        .expect("run hooklens relay token");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A relay: `hooklens serve --relay-listen 127.0.0.1:PORT`.
fn start_relay(dir: &Path, port: u16) -> Serve {
    Serve::start_with(
        dir,
        &[
            "--relay-listen",
            &format!("127.0.0.1:{port}"),
            "--relay-heartbeat",
            "1s",
        ],
        &[],
    )
}

/// A subscriber: `hooklens serve --relay-from RELAY --relay-token TOKEN` and `more` flags.
fn start_subscriber(dir: &Path, relay: &str, token: &str, more: &[&str]) -> Serve {
    let args = [
        &["--relay-from", relay, "--relay-token", token.trim()],
        more,
    ]
    .concat();
    Serve::start_with(dir, &args, &[])
}

/// The control API of a `serve`, from its login link.
struct Api {
    base: String,
    token: String,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Api {
    fn of(serve: &Serve) -> Api {
        Api::at(&serve.login)
    }

    /// The API a login link (`http://HOST:PORT/login?token=T`) opens.
    fn at(login: &str) -> Api {
        let (base, token) = login.split_once("/login?token=").expect("login link");
        Api {
            base: base.to_string(),
            token: token.to_string(),
            runtime: tokio::runtime::Runtime::new().expect("runtime"),
            http: reqwest::Client::new(),
        }
    }

    fn get(&self, path: &str) -> Value {
        self.runtime.block_on(async {
            self.http
                .get(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("api answers")
                .json()
                .await
                .expect("json")
        })
    }

    /// `POST path` with a JSON body: the status and the JSON answer.
    fn post(&self, path: &str, body: &Value) -> (u16, Value) {
        self.runtime.block_on(async {
            let answer = self
                .http
                .post(format!("{}{path}", self.base))
                .bearer_auth(&self.token)
                .json(body)
                .send()
                .await
                .expect("api answers");
            let status = answer.status().as_u16();
            (status, answer.json().await.expect("json"))
        })
    }

    /// Waits until `check` holds of `GET path`, polling; fails after [`WAIT`].
    fn until(&self, path: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        let mut pause = Duration::from_millis(10);
        loop {
            let now = self.get(path);
            if check(&now) {
                return now;
            }
            assert!(Instant::now() < deadline, "{what} within {WAIT:?}: {now}");
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }
}

/// A `hooklens listen --forward-to TARGET` process and the lines it prints.
struct Listen {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Listen {
    fn start(data_dir: &Path, target: &str, args: &[&str]) -> Listen {
        let mut child = Command::new(BIN)
            .args(["listen", "--forward-to", target, "--listen", "127.0.0.1:0"])
            .args(args)
            .arg("--data-dir")
            .arg(data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn listen");
        let lines = stdout_lines(&mut child);
        Listen { child, lines }
    }

    /// The next line that contains `what`, skipping the others (fails after [`WAIT`]).
    fn line_with(&self, what: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("a line with {what:?}"));
            if line.contains(what) {
                return line;
            }
        }
    }

    /// Ctrl-C, and how it ended.
    fn stop(mut self) -> std::process::ExitStatus {
        let _ = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status();
        self.child.wait().expect("wait")
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Paths the service received, until it has `n` (fails after [`WAIT`]).
fn received(paths: &mpsc::Receiver<String>, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            paths
                .recv_timeout(WAIT)
                .unwrap_or_else(|_| panic!("{i} of {n} forwarded"))
        })
        .collect()
}

/// Posts `body` to `path` on `receiver`; the stored request's id.
fn post(receiver: &str, path: &str, body: impl Into<reqwest::Body>) -> String {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let answer: Value = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{receiver}{path}"))
            .body(body)
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    });
    answer["id"].as_str().expect("id").to_string()
}

/// Posts up to `n` requests one after the other until one gets no answer; how many were
/// answered (each one stored: "2xx means stored").
fn post_until_refused(receiver: &str, n: usize) -> usize {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        for i in 0..n {
            let sent = client
                .post(format!("{receiver}/burst/{i}"))
                .body(format!("{{\"n\":{i}}}"))
                .send()
                .await;
            if !sent.is_ok_and(|r| r.status().is_success()) {
                return i;
            }
        }
        n
    })
}

#[test]
fn a_sleeping_subscriber_catches_up_on_500_each_mirrored_and_forwarded_once() {
    let (relay_dir, sub_dir) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let port = free_port();
    let relay = start_relay(relay_dir.path(), port);
    // Made by another process while the relay runs: alone on stdout.
    let out = relay_token(relay_dir.path(), &["create", "laptop"]);
    let token = out.trim_end_matches('\n');
    assert!(
        !token.contains('\n') && token.starts_with("hlr_"),
        "{out:?}"
    );
    let (target, paths, _service) = service();
    let sub = start_subscriber(
        sub_dir.path(),
        &format!("http://127.0.0.1:{port}"),
        token,
        &["--forward-to", &target],
    );
    let api = Api::of(&sub);
    api.until("/api/v1/relay", "online", |s| s["state"] == "online");

    sub.signal("STOP"); // the laptop sleeps
    let ids = post_many(&relay.receiver, 500);
    sub.signal("CONT");
    api.until("/api/v1/status", "500 mirrored", |s| s["requests"] == 500);
    let mut forwarded = received(&paths, 500);
    api.until(
        "/api/v1/requests?delivery=pending&limit=1",
        "deliveries done",
        |p| p["items"].as_array().is_some_and(|i| i.is_empty()),
    );
    assert!(paths.try_recv().is_err(), "nothing forwarded twice");
    forwarded.sort();
    forwarded.dedup();
    assert_eq!(forwarded.len(), 500, "each forwarded once");

    sub.signal("TERM");
    assert!(sub.wait().success());
    let mirrored = export_ndjson(sub_dir.path());
    let mirrored_ids: Vec<&str> = mirrored
        .iter()
        .map(|r| r["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        mirrored_ids, ids,
        "every one, once, in order, with the relay's ids"
    );
    assert!(mirrored.iter().all(|r| r["via"] == "relay"));
}

#[test]
fn a_relay_killed_mid_stream_and_restarted_leaves_no_gap_and_no_repeat() {
    let (relay_dir, sub_dir) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let port = free_port();
    let relay = start_relay(relay_dir.path(), port);
    let token = relay_token(relay_dir.path(), &["create", "laptop"]);
    let sub = start_subscriber(
        sub_dir.path(),
        &format!("http://127.0.0.1:{port}"),
        &token,
        &[],
    );
    let api = Api::of(&sub);
    api.until("/api/v1/relay", "online", |s| s["state"] == "online");
    // Killed while webhooks keep coming and the stream carries them.
    let receiver = relay.receiver.clone();
    let sender = std::thread::spawn(move || post_until_refused(&receiver, 2000));
    api.until("/api/v1/status", "some mirrored", |s| {
        s["requests"].as_u64().is_some_and(|n| n >= 50)
    });
    relay.signal("KILL");
    let _ = relay.wait();
    let answered = sender.join().expect("sender");
    assert!(answered < 2000, "the relay died mid-burst");
    let relay = Serve::start_with(
        relay_dir.path(),
        &[
            "--relay-listen",
            &format!("127.0.0.1:{port}"),
            "--relay-heartbeat",
            "1s",
        ],
        &[],
    );
    post_many(&relay.receiver, 100);
    // Each answered request is stored; one stored as the kill came may have lost its answer.
    let total = Api::of(&relay).get("/api/v1/status")["requests"].clone();
    assert!(
        total.as_u64().is_some_and(|t| t >= answered as u64 + 100),
        "{total}"
    );
    api.until("/api/v1/status", "all mirrored", |s| s["requests"] == total);
    api.until("/api/v1/relay", "online again", |s| s["state"] == "online");
    relay.signal("TERM");
    assert!(relay.wait().success());
    sub.signal("TERM");
    assert!(sub.wait().success());
    let on_relay = export_ids(relay_dir.path());
    assert_eq!(
        on_relay.len() as u64,
        total,
        "every answered request is on the relay"
    );
    assert_eq!(
        export_ids(sub_dir.path()),
        on_relay,
        "no gap, no repeat, in order"
    );
}

#[test]
fn listen_mirrors_a_relay_and_a_revocation_by_another_process_stops_it() {
    let relay_dir = tempfile::tempdir().expect("dir");
    let listen_dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let relay = start_relay(relay_dir.path(), port);
    let token = relay_token(relay_dir.path(), &["create", "ci-runner"]);
    let early = post_many(&relay.receiver, 1);
    let (target, paths, _service) = service();
    let listen = Listen::start(
        listen_dir.path(),
        &target,
        &[
            "--relay-from",
            &format!("http://127.0.0.1:{port}"),
            "--relay-token",
            token.trim(),
        ],
    );
    // What the relay stored before `listen` started arrives first, then live.
    listen.line_with(&format!("[{}]", early[0]));
    listen.line_with("online");
    let live = post_many(&relay.receiver, 1);
    listen.line_with(&format!("[{}]", live[0]));
    // Both were sent to /hook/0 (each post_many counts from 0), and each is forwarded once.
    assert_eq!(received(&paths, 2), ["/hook/0", "/hook/0"]);

    let listed = relay_token(relay_dir.path(), &["list"]);
    assert!(listed.starts_with("ci-runner\tactive\t"), "{listed}");
    assert!(!listed.contains(token.trim()), "never the secret");
    relay_token(relay_dir.path(), &["revoke", "ci-runner"]);
    listen.line_with("hooklens relay token create NAME");
    assert!(relay_token(relay_dir.path(), &["list"]).starts_with("ci-runner\trevoked "));
    assert!(listen.stop().success());
}
