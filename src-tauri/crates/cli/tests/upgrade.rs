//! Upgrades, black-box: `hooklens serve` on a copy of a data directory made by Hooklens 0.1.0
//! (`tests/fixtures/v0.1.0`, made by its `make.py`) migrates it and its API still shows
//! everything 0.1.0's API showed (the fixture's `manifest.json`); a database from a newer
//! Hooklens stops `serve` with one line saying what to do.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hooklens");
const TOKEN: &str = "upgrade-test-token-0123456789";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/fixtures/v0.1.0")
}

/// A data directory holding a copy of the fixture's database.
fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        fixture().join("hooklens.db"),
        dir.path().join(hooklens_store::DB_FILE),
    )
    .expect("copy the fixture");
    dir
}

/// `hooklens serve` on free ports; killed when dropped.
struct Serve {
    child: Child,
    api: String,
}

impl Serve {
    fn start(data_dir: &Path) -> Serve {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--api-listen",
                "127.0.0.1:0",
            ])
            .args(["--api-token", TOKEN, "--data-dir"])
            .arg(data_dir)
            .env("HOOKLENS_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn hooklens");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let api = stdout
            .lines()
            .map_while(Result::ok)
            .find_map(|line| {
                let login = line.trim().strip_prefix("Inspector:")?.trim().to_string();
                Some(login.split("/login").next()?.to_string())
            })
            .expect("hooklens prints its inspector URL");
        Serve { child, api }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Api {
    base: String,
    client: reqwest::Client,
}

impl Api {
    async fn bytes(&self, path: &str) -> Vec<u8> {
        let answer = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("send");
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.bytes().await.expect("body").to_vec()
    }

    async fn json(&self, path: &str) -> Value {
        serde_json::from_slice(&self.bytes(path).await).expect("JSON")
    }
}

/// Everything `shown` holds, `got` holds too (a newer Hooklens may add fields).
fn holds(got: &Value, shown: &Value) -> Result<(), String> {
    match (got, shown) {
        (Value::Object(got), Value::Object(shown)) => shown.iter().try_for_each(|(key, value)| {
            holds(got.get(key).unwrap_or(&Value::Null), value).map_err(|e| format!(".{key}{e}"))
        }),
        (Value::Array(got), Value::Array(shown)) if got.len() == shown.len() => got
            .iter()
            .zip(shown)
            .enumerate()
            .try_for_each(|(i, (got, shown))| holds(got, shown).map_err(|e| format!("[{i}]{e}"))),
        _ if got == shown => Ok(()),
        _ => Err(format!(": {got} where 0.1.0 showed {shown}")),
    }
}

/// Only the fields of `value` named in `keys`: what is stored, not how it is shown.
fn only(value: &Value, keys: &[&str]) -> Value {
    keys.iter()
        .filter_map(|k| Some((k.to_string(), value.get(*k)?.clone())))
        .collect::<serde_json::Map<_, _>>()
        .into()
}

const REQUEST: &[&str] = &[
    "id",
    "method",
    "path",
    "query",
    "headers",
    "headers_base64",
    "content_type",
    "size",
    "body_state",
    "body_note",
    "body_base64",
    "received_at_us",
    "endpoint",
    "endpoint_id",
    "remote_addr",
    "http_version",
    "response_status",
    "pinned",
    "provider",
    "event_type",
    "tags",
    "rules",
    "via",
    "delivery",
];
const DELIVERY: &[&str] = &[
    "id",
    "request_id",
    "kind",
    "target",
    "url",
    "state",
    "attempts",
    "next_attempt_at",
    "last_status",
    "last_error",
    "created_at",
    "attempt_list",
];

async fn check(api: &Api, manifest: &Value) {
    let requests = manifest["requests"].as_array().expect("requests");
    let listed = api.json("/api/v1/requests?limit=1000").await;
    let ids: Vec<&Value> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| &r["id"])
        .collect();
    let shown: Vec<&Value> = requests.iter().map(|r| &r["id"]).collect();
    assert_eq!(ids, shown, "the same requests, newest first");
    for r in requests {
        let id = r["id"].as_str().expect("id");
        let got = api.json(&format!("/api/v1/requests/{id}")).await;
        holds(&got, &only(r, REQUEST)).unwrap_or_else(|e| panic!("request {id}{e}"));
        let body = api.bytes(&format!("/api/v1/requests/{id}/body")).await;
        let want = BASE64
            .decode(r["body_base64"].as_str().unwrap_or_default())
            .expect("base64");
        assert_eq!(body, want, "request {id}: the body, byte for byte");
    }
    for d in manifest["deliveries"].as_array().expect("deliveries") {
        let request = d["request_id"].as_str().expect("request id");
        let listed = api
            .json(&format!("/api/v1/requests/{request}/deliveries"))
            .await;
        let got = listed
            .as_array()
            .expect("deliveries")
            .iter()
            .find(|g| g["id"] == d["id"])
            .unwrap_or_else(|| panic!("delivery {} is gone", d["id"]));
        holds(got, &only(d, DELIVERY)).unwrap_or_else(|e| panic!("delivery {}{e}", d["id"]));
    }
    for (path, key) in [
        ("/api/v1/endpoints", "endpoints"),
        ("/api/v1/rules", "rules"),
        ("/api/v1/settings", "settings"),
    ] {
        let got = api.json(path).await;
        holds(&got, &manifest[key]).unwrap_or_else(|e| panic!("{key}{e}"));
    }
    let notifications = api.json("/api/v1/notifications?limit=1000").await;
    for shown in manifest["notifications"].as_array().expect("notifications") {
        let kept = notifications
            .as_array()
            .expect("list")
            .iter()
            .any(|got| holds(got, shown).is_ok());
        assert!(kept, "notification {shown} is gone");
    }
}

#[test]
fn serve_migrates_a_0_1_0_data_dir_and_shows_everything_it_held() {
    let text = std::fs::read_to_string(fixture().join("manifest.json")).expect("manifest.json");
    let manifest: Value = serde_json::from_str(&text).expect("JSON");
    let dir = data_dir();
    let serve = Serve::start(dir.path());
    let api = Api {
        base: serve.api.clone(),
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client"),
    };
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(check(&api, &manifest));
}

#[test]
fn serve_refuses_a_database_from_a_newer_hooklens_in_one_line() {
    let dir = data_dir();
    let db = dir.path().join(hooklens_store::DB_FILE);
    // The database header's user_version: 4 bytes, big-endian, at offset 60.
    let newer = hooklens_store::SCHEMA_VERSION + 1;
    let mut bytes = std::fs::read(&db).expect("read");
    bytes[60..64].copy_from_slice(&newer.to_be_bytes());
    std::fs::write(&db, &bytes).expect("write");

    let out = Command::new(BIN)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--api-listen",
            "127.0.0.1:0",
        ])
        .args(["--api-token", TOKEN, "--data-dir"])
        .arg(dir.path())
        .env("HOOKLENS_LOG", "off")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stderr.trim(),
        format!(
            "error: database {} was made by a newer Hooklens (schema {newer}; this one knows {}): \
             upgrade Hooklens or use another --data-dir",
            db.display(),
            hooklens_store::SCHEMA_VERSION
        )
    );
    assert_eq!(std::fs::read(&db).expect("read"), bytes, "left as it was");
}
