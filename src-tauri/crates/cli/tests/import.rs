//! `hooklens import`, black-box: a file's requests land in a data directory with their ids,
//! times and bytes, a second import skips them, and a malformed file exits non-zero naming
//! its line or entry, with nothing stored.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_hooklens");

fn import(data_dir: &Path, file: &Path) -> Output {
    import_with(data_dir, file, &[])
}

fn import_with(data_dir: &Path, file: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(["import"])
        .arg(file)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("HOOKLENS_LOG", "warn")
        .env_remove("HOOKLENS_API_TOKEN")
        .output()
        .expect("run import")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every stored request as `hooklens export` writes it, oldest first.
fn exported(data_dir: &Path) -> Vec<Value> {
    let out = Command::new(BIN)
        .args(["export", "--format", "ndjson", "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("run export");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn a_file_is_imported_once_with_its_ids_times_and_bytes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let lines = [
        json!({"id": "01JCLIIMPORT00000000000001", "method": "POST", "path": "/stripe/a",
            "query": "x=1", "headers": [["content-type", "application/octet-stream"]],
            "body_base64": "AP+A", "received_at_us": 1_700_000_000_000_001_i64,
            "response_status": 200}),
        json!({"method": "GET", "path": "/b", "received_at": "2024-02-03T04:05:06Z"}),
    ];
    let file = dir.path().join("hooks.ndjson");
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, body).expect("write");

    let out = import(&data, &file);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "imported 2 requests");
    let stored = exported(&data);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0]["id"], "01JCLIIMPORT00000000000001");
    assert_eq!(stored[0]["body_base64"], "AP+A");
    assert_eq!(stored[0]["received_at_us"], 1_700_000_000_000_001_i64);
    assert_eq!(stored[0]["query"], "x=1");
    assert_eq!(stored[1]["received_at"], "2024-02-03T04:05:06.000000Z");
    assert!(stored.iter().all(|r| r["via"] == "import"));

    // Our own export imports back as the same requests: all skipped.
    let again = dir.path().join("again.ndjson");
    let out = Command::new(BIN)
        .args(["export", "--format", "ndjson", "--out"])
        .arg(&again)
        .arg("--data-dir")
        .arg(&data)
        .output()
        .expect("export");
    assert!(out.status.success());
    let out = import(&data, &again);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "imported 0 requests (2 already stored, skipped)"
    );
}

#[test]
fn a_malformed_file_exits_non_zero_naming_the_line_or_entry() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let good = dir.path().join("good.ndjson");
    std::fs::write(&good, "{\"method\":\"POST\",\"path\":\"/kept\"}\n").expect("write");
    assert!(import(&data, &good).status.success());
    let ndjson = dir.path().join("bad.ndjson");
    std::fs::write(
        &ndjson,
        "{\"method\":\"POST\",\"path\":\"/a\"}\n{\"method\":\"POST\",\"path\":\"/b\",\"body_base64\":\"***\"}\n",
    )
    .expect("write");
    let out = import(&data, &ndjson);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.ndjson: line 2: body_base64 is not base64"),
        "{err}"
    );

    let har = dir.path().join("bad.har");
    let entries = json!({"log": {"entries": [
        {"request": {"method": "POST", "url": "http://x/a"}},
        {"request": {"method": "POST", "url": "http://x/b"}},
        {"request": {"method": "POST", "url": "not a url"}}]}});
    std::fs::write(&har, entries.to_string()).expect("write");
    let out = import(&data, &har);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("HAR entry 3: request.url \"not a url\""),
        "{err}"
    );
    let stored = exported(&data);
    assert_eq!(stored.len(), 1, "nothing of either file is stored");
    assert_eq!(stored[0]["path"], "/kept");
}

/// `hooklens serve` on free ports on `data_dir` with a known token; killed when dropped.
struct Serve(std::process::Child, String);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

const TOKEN: &str = "import-test-token-0123456789";

fn serve(data_dir: &Path) -> Serve {
    use std::io::BufRead;
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
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(stdout).lines();
    let api = loop {
        let line = lines.next().expect("serve prints its URLs").expect("line");
        if let Some(rest) = line.trim().strip_prefix("Inspector:") {
            break rest.trim().split("/login").next().expect("url").to_string();
        }
    };
    std::thread::spawn(move || lines.for_each(drop));
    Serve(child, api)
}

#[test]
fn with_hooklens_running_the_import_goes_through_its_api_and_its_stream_tells_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let running = serve(&data);
    let file = dir.path().join("hooks.ndjson");
    std::fs::write(&file, "{\"method\":\"POST\",\"path\":\"/while-running\"}\n").expect("write");
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let mut stream = reqwest::Client::new()
            .get(format!("{}/api/v1/events", running.1))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("the live stream");
        let mut seen = String::new();
        while !seen.contains("event: ready") {
            let chunk = stream.chunk().await.expect("read").expect("open");
            seen.push_str(&String::from_utf8_lossy(&chunk));
        }
        let out = import(&data, &file);
        let err = text(&out.stderr);
        assert!(
            !out.status.success() && err.contains("pass --api-token"),
            "{err}"
        );
        let out = import_with(&data, &file, &["--api-token", TOKEN]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout).trim(), "imported 1 request");
        let told = tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while !seen.contains("event: requests.imported") {
                let chunk = stream.chunk().await.expect("read").expect("open");
                seen.push_str(&String::from_utf8_lossy(&chunk));
            }
        })
        .await;
        assert!(told.is_ok(), "the running Hooklens told its stream: {seen}");
    });
}
