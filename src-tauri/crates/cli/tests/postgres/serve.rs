//! `hooklens serve` processes on one PostgreSQL database, and what the tests ask of them:
//! sending requests, listing, and reading the live stream.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_hooklens");
/// Every instance's API token (each keeps its own data directory).
pub const TOKEN: &str = "postgres-suite-token-0123456789";

/// A `hooklens serve` on free ports with a data directory of its own.
pub struct Serve {
    child: Option<Child>,
    pub receiver: String,
    pub api: String,
    /// The relay stream's URL, with `--relay-listen`.
    pub relay: Option<String>,
    _data: tempfile::TempDir,
}

impl Serve {
    /// Starts an instance on `database` with `args`, and waits until it serves.
    pub fn start(database: &str, args: &[&str]) -> Serve {
        let (command, data) = Serve::command(database, args);
        Serve::spawn(command, data)
    }

    /// The command that starts an instance on `database` (given in HOOKLENS_DATABASE, as a
    /// relay's service file would), and its data directory.
    pub fn command(database: &str, args: &[&str]) -> (Command, tempfile::TempDir) {
        let data = tempfile::tempdir().expect("tempdir");
        let mut command = Command::new(BIN);
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--api-listen",
                "127.0.0.1:0",
            ])
            .args(["--api-token", TOKEN])
            .args(args)
            .arg("--data-dir")
            .arg(data.path())
            .env("HOOKLENS_DATABASE", database)
            .env("HOOKLENS_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        (command, data)
    }

    /// Starts `command` and waits for the addresses it prints.
    pub fn spawn(mut command: Command, data: tempfile::TempDir) -> Serve {
        let mut child = command.spawn().expect("spawn hooklens");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            // Drained to the end, so hooklens never writes to a closed pipe.
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let (mut receiver, mut api, mut relay) = (None, None, None);
        loop {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("hooklens prints its addresses");
            if line.trim().starts_with("Press Ctrl-C") {
                break;
            }
            let url = |rest: &str| {
                let url = rest.split_whitespace().next().unwrap_or_default();
                url.split("/login")
                    .next()
                    .map(|u| u.trim_end_matches('/').to_string())
            };
            if let Some(rest) = line.trim().strip_prefix("Receiver:") {
                receiver = url(rest);
            }
            if let Some(rest) = line.trim().strip_prefix("Inspector:") {
                api = url(rest);
            }
            if let Some(rest) = line.trim().strip_prefix("Relay:") {
                relay = url(rest);
            }
        }
        Serve {
            child: Some(child),
            receiver: receiver.expect("receiver"),
            api: api.expect("api"),
            relay,
            _data: data,
        }
    }

    /// `kill -9`: no shutdown, no flush, connections dropped.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("reaped");
        }
    }

    /// Sends a JSON POST to the receiver; the id of the stored request, or why not.
    pub async fn post(&self, client: &reqwest::Client, path: &str) -> Result<String, String> {
        post(client, &self.receiver, path).await
    }

    /// An API call's JSON.
    pub async fn get(&self, client: &reqwest::Client, path: &str) -> Value {
        let answer = client
            .get(format!("{}{path}", self.api))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("API answers");
        assert!(answer.status().is_success(), "{path}: {}", answer.status());
        answer.json().await.expect("JSON")
    }

    /// The ids of the newest 1,000 requests in this instance's list.
    pub async fn listed(&self, client: &reqwest::Client) -> HashSet<String> {
        let page = self.get(client, "/api/v1/requests?limit=1000").await;
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["id"].as_str().expect("id").to_string())
            .collect()
    }

    /// Subscribes to the live stream; returns once it is live (its `ready` event came).
    pub async fn live(&self) -> Live {
        let answer = reqwest::Client::new()
            .get(format!("{}/api/v1/events", self.api))
            .bearer_auth(TOKEN)
            .send()
            .await
            .expect("events");
        assert!(answer.status().is_success(), "{}", answer.status());
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut ready = Some(ready_tx);
            let mut bytes = answer.bytes_stream();
            let mut text = String::new();
            while let Some(Ok(chunk)) = bytes.next().await {
                text.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = text.find("\n\n") {
                    let event: String = text.drain(..end + 2).collect();
                    let (name, data) = sse_fields(&event);
                    match name.as_str() {
                        "ready" => {
                            if let Some(ready) = ready.take() {
                                let _ = ready.send(());
                            }
                        }
                        _ => {
                            let data: Value = serde_json::from_str(&data).expect("JSON");
                            if tx.send((name, data)).is_err() {
                                return;
                            }
                        }
                    }
                }
            }
        });
        tokio::time::timeout(Duration::from_secs(10), ready_rx)
            .await
            .expect("the stream says ready")
            .expect("ready");
        Live { events: rx }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sends a JSON POST to `receiver`; the id of the stored request, or why not.
pub async fn post(client: &reqwest::Client, receiver: &str, path: &str) -> Result<String, String> {
    let answer = client
        .post(format!("{receiver}{path}"))
        .header("content-type", "application/json")
        .body(format!("{{\"path\":\"{path}\"}}"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !answer.status().is_success() {
        return Err(answer.status().to_string());
    }
    let answer: Value = answer.json().await.map_err(|e| e.to_string())?;
    answer["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no id in {answer}"))
}

/// One SSE event's name and data.
fn sse_fields(event: &str) -> (String, String) {
    let (mut name, mut data) = (String::new(), String::new());
    for line in event.lines() {
        if let Some(rest) = line.strip_prefix("event:") {
            name = rest.trim().to_string();
        } else if let Some(rest) = line.strip_prefix("data:") {
            data.push_str(rest.trim_start());
        }
    }
    (name, data)
}

/// An instance's live stream: each event's name and data, in the order told.
pub struct Live {
    events: tokio::sync::mpsc::UnboundedReceiver<(String, Value)>,
}

impl Live {
    /// The next event named `name`: its data.
    async fn next(&mut self, name: &str) -> Value {
        loop {
            let (event, data) = self.events.recv().await.expect("the stream goes on");
            if event == name {
                return data;
            }
        }
    }

    /// Reads until every id of `want` was told captured; every id told captured, in order.
    /// Fails after 20 s.
    pub async fn until_told(&mut self, want: &HashSet<String>) -> Vec<String> {
        let mut told = Vec::new();
        let all = async {
            while !want.iter().all(|id| told.contains(id)) {
                let data = self.next("request.captured").await;
                told.push(data["id"].as_str().expect("id").to_string());
            }
        };
        if tokio::time::timeout(Duration::from_secs(20), all)
            .await
            .is_err()
        {
            let missing = want.iter().filter(|id| !told.contains(id)).count();
            panic!("{missing} of {} captures never told", want.len());
        }
        told
    }

    /// Reads until `n` deliveries were told succeeded. Fails after `within`.
    pub async fn until_delivered(&mut self, n: usize, within: Duration) {
        let mut delivered = HashSet::new();
        let all = async {
            while delivered.len() < n {
                let data = self.next("delivery.updated").await;
                if data["state"] == "succeeded" {
                    delivered.insert(data["id"].as_str().expect("id").to_string());
                }
            }
        };
        if tokio::time::timeout(within, all).await.is_err() {
            panic!("{} of {n} deliveries told succeeded", delivered.len());
        }
    }
}
