//! `hooklens import --database URL` with no Hooklens running: the file's requests go into
//! PostgreSQL through the capture pipeline, keep their ids, times and bytes, a second import
//! skips them, and an instance serving that database lists them.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

use super::database;
use super::serve::Serve;

const BIN: &str = env!("CARGO_BIN_EXE_hooklens");

fn import(database: &str, data_dir: &Path, file: &Path) -> Output {
    Command::new(BIN)
        .arg("import")
        .arg(file)
        .args(["--database", database, "--data-dir"])
        .arg(data_dir)
        .env("HOOKLENS_LOG", "warn")
        .env_remove("HOOKLENS_API_TOKEN")
        .output()
        .expect("run import")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_into_postgresql_is_stored_once_and_listed_by_an_instance() {
    let url = database();
    let dir = tempfile::tempdir().expect("tempdir");
    // An hour ago: within the default retention (30 days), which a serve applies at start.
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_micros() as i64
        - 3_600_000_000;
    let lines = [
        json!({"id": "01JPGIMPORT000000000000001", "method": "POST", "path": "/stripe/a",
            "headers": [["content-type", "application/octet-stream"]],
            "body_base64": "AP+A", "received_at_us": at,
            "response_status": 200}),
        json!({"id": "01JPGIMPORT000000000000002", "method": "GET", "path": "/b",
            "received_at_us": at + 1}),
    ];
    let file = dir.path().join("hooks.ndjson");
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, body).expect("write");

    let out = import(&url, &dir.path().join("data"), &file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "imported 2 requests");
    let again = import(&url, &dir.path().join("data"), &file);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert_eq!(
        text(&again.stdout).trim(),
        "imported 0 requests (2 already stored, skipped)"
    );

    let serve = Serve::start(&url, &[]);
    let client = reqwest::Client::new();
    let page = serve.get(&client, "/api/v1/requests?limit=10").await;
    let items = page["items"].as_array().expect("items");
    let ids: Vec<&str> = items.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(ids.len(), 2, "{page}");
    assert!(items.iter().all(|r| r["via"] == "import"), "{page}");
    let first: Value = serve
        .get(&client, "/api/v1/requests/01JPGIMPORT000000000000001")
        .await;
    assert_eq!(first["received_at_us"], at, "{first}");
    assert_eq!(first["body_base64"], "AP+A", "{first}");
}
