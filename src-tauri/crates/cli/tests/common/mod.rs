//! What the black-box suites share: `hooklens serve` processes on free ports, requests to
//! them, their store read back with `hooklens export`, and a loopback service that records
//! the paths it is sent.
#![allow(dead_code)] // each test binary uses its own part of it

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_hooklens");

/// A `hooklens serve` process on free ports.
pub struct Serve {
    pub child: Option<Child>,
    pub receiver: String,
    pub login: String,
}

impl Serve {
    pub fn start(data_dir: &Path) -> Serve {
        Serve::start_with(data_dir, &[], &[])
    }

    pub fn start_with(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Serve {
        Serve::spawn(Serve::command(data_dir, args, env))
    }

    /// `hooklens serve` on free ports with `args` and `env`, logging at warn to nowhere.
    pub fn command(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--api-listen",
                "127.0.0.1:0",
            ])
            .args(args)
            .arg("--data-dir")
            .arg(data_dir)
            .env("HOOKLENS_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    }

    /// Starts `command` and waits for the URLs it prints.
    pub fn spawn(mut command: Command) -> Serve {
        let mut child = command.spawn().expect("spawn hooklens");
        let rx = stdout_lines(&mut child);
        let (mut receiver, mut login) = (None, None);
        while receiver.is_none() || login.is_none() {
            let line = rx
                .recv_timeout(Duration::from_secs(30))
                .expect("hooklens prints its URLs");
            if let Some(rest) = line.trim().strip_prefix("Receiver:") {
                receiver = rest
                    .split_whitespace()
                    .next()
                    .map(|u| u.trim_end_matches('/').to_string());
            }
            if let Some(rest) = line.trim().strip_prefix("Inspector:") {
                login = Some(rest.trim().to_string());
            }
        }
        Serve {
            child: Some(child),
            receiver: receiver.expect("receiver url"),
            login: login.expect("login url"),
        }
    }

    pub fn pid(&self) -> String {
        self.child
            .as_ref()
            .map(|c| c.id().to_string())
            .unwrap_or_default()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([format!("-{signal}"), self.pid()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, at most 20 s.
    pub fn wait(mut self) -> std::process::ExitStatus {
        let pid = self.pid();
        let mut child = self.child.take().expect("running");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(status) => status.expect("wait"),
            Err(_) => {
                let _ = Command::new("kill").args(["-KILL", &pid]).status();
                panic!("hooklens did not exit within 20 s");
            }
        }
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

/// The lines `child` prints, as they come. Its stdout is drained to the end even after the
/// test stops listening, so hooklens never writes to a closed pipe.
pub fn stdout_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    rx
}

pub fn post_many(receiver: &str, n: usize) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut ids = Vec::new();
        for i in 0..n {
            let answer: Value = client
                .post(format!("{receiver}/hook/{i}"))
                .body(format!("{{\"n\":{i}}}"))
                .send()
                .await
                .expect("send")
                .json()
                .await
                .expect("json");
            ids.push(answer["id"].as_str().expect("id").to_string());
        }
        ids
    })
}

/// Every request in the store as its NDJSON line (offline `hooklens export`), oldest first.
pub fn export_ndjson(data_dir: &Path) -> Vec<Value> {
    let out = Command::new(BIN)
        .args(["export", "--format", "ndjson", "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("run export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

pub fn export_ids(data_dir: &Path) -> Vec<String> {
    export_ndjson(data_dir)
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_string())
        .collect()
}

pub fn service() -> (String, mpsc::Receiver<String>, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        use std::io::{Read, Write};
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut buf = vec![0u8; 64 << 10];
            let n = stream.read(&mut buf).unwrap_or(0);
            let head = String::from_utf8_lossy(&buf[..n]).into_owned();
            let path = head
                .split_whitespace()
                .nth(1)
                .unwrap_or_default()
                .to_string();
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok");
            if tx.send(path).is_err() {
                return;
            }
        }
    });
    (url, rx, handle)
}
