use std::path::Path;
use std::time::Duration;

use hooklens_engine::{Config, Handle, Listeners};
use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const TOKEN: &str = "test-token-0123456789abcdef";

/// A running engine on free ports with its own data directory.
pub struct TestEngine {
    pub handle: Handle,
    pub dir: TempDir,
    pub http: reqwest::Client,
}

pub fn config(dir: &Path) -> Config {
    let mut config = Config::new(dir.to_path_buf(), TOKEN.into());
    config.max_body = 64 << 10;
    config.body_stall_timeout = Duration::from_millis(300);
    config
}

impl TestEngine {
    pub async fn start() -> TestEngine {
        let dir = tempfile::tempdir().expect("tempdir");
        TestEngine::start_in(dir, config).await
    }

    pub async fn start_in(dir: TempDir, make: impl FnOnce(&Path) -> Config) -> TestEngine {
        let listeners = Listeners {
            receiver: Some(hooklens_engine::listen(([127, 0, 0, 1], 0).into()).expect("bind")),
            api: Some(TcpListener::bind("127.0.0.1:0").await.expect("bind")),
            relay: None,
        };
        let handle = hooklens_engine::run(make(dir.path()), listeners)
            .await
            .expect("engine starts");
        TestEngine {
            handle,
            dir,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("client"),
        }
    }

    /// Shuts down cleanly and starts again on the same data directory.
    pub async fn restart(self) -> TestEngine {
        let TestEngine { handle, dir, .. } = self;
        handle.shutdown().await.expect("clean shutdown");
        TestEngine::start_in(dir, config).await
    }

    pub fn recv(&self, path: &str) -> String {
        format!("{}{path}", self.handle.receiver_url())
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}{path}", self.handle.api_url())
    }

    /// An authorised API request.
    pub fn call(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.api(path)).bearer_auth(TOKEN)
    }

    /// Sends an authorised API request.
    pub async fn request(&self, method: reqwest::Method, path: &str) -> reqwest::Response {
        self.call(method, path).send().await.expect("api answers")
    }

    /// Posts `body` to the receiver at `path`; returns the captured request's id.
    pub async fn capture(&self, path: &str, body: impl Into<reqwest::Body>) -> String {
        let response = self
            .http
            .post(self.recv(path))
            .body(body)
            .send()
            .await
            .expect("receiver answers");
        id_header(&response)
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.request(reqwest::Method::GET, path).await;
        assert!(
            response.status().is_success(),
            "GET {path}: {}",
            response.status()
        );
        response.json().await.expect("json")
    }

    /// The stored request with this id, body included.
    pub async fn stored(&self, id: &str) -> Value {
        self.get_json(&format!("/api/v1/requests/{id}")).await
    }

    /// Sends raw bytes to the receiver and returns the raw response.
    pub async fn raw(&self, request: &[u8]) -> String {
        raw_http(self.handle.receiver_addr, request).await
    }
}

pub async fn raw_http(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out))
        .await
        .expect("response within 10 s")
        .expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

/// The captured id from the receiver's `X-Hooklens-Request-Id`.
pub fn id_header(response: &reqwest::Response) -> String {
    response.headers()["x-hooklens-request-id"]
        .to_str()
        .expect("id")
        .to_string()
}

/// The captured id the receiver put in its raw answer.
pub fn id_from_raw(response: &str) -> String {
    response
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("x-hooklens-request-id: ")
                .map(|v| v.trim().to_uppercase())
        })
        .unwrap_or_else(|| panic!("no request id in {response}"))
}

pub fn header_values(request: &Value, name: &str) -> Vec<String> {
    request["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .filter(|h| h[0] == name)
        .map(|h| h[1].as_str().expect("value").to_string())
        .collect()
}

pub fn body_bytes(request: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(request["body_base64"].as_str().expect("body_base64"))
        .expect("base64")
}

/// Waits until `check` returns `Some`, polling the API; fails after `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    let mut pause = Duration::from_millis(5);
    loop {
        if let Some(out) = check().await {
            return out;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {limit:?}"
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(100));
    }
}
