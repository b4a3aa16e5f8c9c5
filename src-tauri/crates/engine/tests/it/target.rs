//! `TestTarget`: the service being developed, as a test sees it. Each test scripts what it
//! answers (status, headers, body, delay), and every request it receives arrives on a
//! channel, byte for byte.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderName, HeaderValue, StatusCode};
use tokio::sync::mpsc;

/// What the target does with one request.
#[derive(Clone, Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Answer {
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: String::new(),
            delay: Duration::ZERO,
        }
    }
}

/// A request as the target received it.
#[derive(Debug)]
pub struct Received {
    pub method: String,
    pub uri: String,
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Bytes,
}

impl Received {
    pub fn header(&self, name: &str) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }
}

#[derive(Clone)]
struct Script {
    answers: Arc<Mutex<VecDeque<Answer>>>,
    fallback: Answer,
    seen: mpsc::UnboundedSender<Received>,
}

pub struct TestTarget {
    pub addr: SocketAddr,
    answers: Arc<Mutex<VecDeque<Answer>>>,
    seen: mpsc::UnboundedReceiver<Received>,
    _server: tokio::task::JoinHandle<()>,
}

impl TestTarget {
    /// A target answering 200 unless told otherwise.
    pub async fn start() -> TestTarget {
        TestTarget::on(
            tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind"),
        )
        .await
    }

    pub async fn on(listener: tokio::net::TcpListener) -> TestTarget {
        let addr = listener.local_addr().expect("addr");
        let (tx, seen) = mpsc::unbounded_channel();
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let script = Script {
            answers: answers.clone(),
            fallback: Answer::status(200),
            seen: tx,
        };
        let app = axum::Router::new().fallback(answer).with_state(script);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestTarget {
            addr,
            answers,
            seen,
            _server: server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Queues answers for the next requests; after them it answers 200.
    pub fn then(&self, answers: impl IntoIterator<Item = Answer>) {
        self.answers.lock().expect("lock").extend(answers);
    }

    /// The next request it receives (fails after 10 s).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(Duration::from_secs(10), self.seen.recv())
            .await
            .expect("the target receives a request within 10 s")
            .expect("target running")
    }

    /// Requests received so far and not yet taken.
    pub fn drain(&mut self) -> Vec<Received> {
        let mut out = Vec::new();
        while let Ok(r) = self.seen.try_recv() {
            out.push(r);
        }
        out
    }
}

async fn answer(State(script): State<Script>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 64 << 20)
        .await
        .unwrap_or_default();
    let _ = script.seen.send(Received {
        method: parts.method.to_string(),
        uri: parts.uri.to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect(),
        body,
    });
    let answer = script
        .answers
        .lock()
        .expect("lock")
        .pop_front()
        .unwrap_or_else(|| script.fallback.clone());
    if !answer.delay.is_zero() {
        tokio::time::sleep(answer.delay).await;
    }
    let mut response = (
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK),
        answer.body,
    )
        .into_response();
    for (name, value) in answer.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            response.headers_mut().append(n, v);
        }
    }
    response
}

/// A loopback port with nothing listening (it was bound, then freed).
pub async fn closed_port() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    listener.local_addr().expect("addr")
}
