//! How the tools reach Hooklens: one call to the control API at a time, through [`Api`].
//!
//! The tools never hold engine state: they are a client of `/api/v1`, like the web UI, so
//! the stdio server (over loopback HTTP with the token, [`HttpApi`]) and the Streamable HTTP
//! endpoint inside the engine (the API router called in-process) run the same code and see
//! the same masking, limits and errors. Every answer is read up to a limit, so a 25 MiB body
//! costs the tools only what they show of it.

use std::future::Future;
use std::pin::Pin;

use bytes::{Bytes, BytesMut};
use http::{Method, StatusCode};
use http_body::Body;
use http_body_util::BodyExt;

/// A boxed future, as [`Api::call`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One call to the control API.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    /// Path and query under the API's origin, e.g. `/api/v1/requests?limit=5`.
    pub path: String,
    /// A JSON body, sent with `Content-Type: application/json`.
    pub json: Option<serde_json::Value>,
    /// Bytes of the answer read at most; the rest is dropped unread.
    pub limit: usize,
}

impl Call {
    pub fn get(path: impl Into<String>, limit: usize) -> Call {
        Call {
            method: Method::GET,
            path: path.into(),
            json: None,
            limit,
        }
    }

    pub fn post(path: impl Into<String>, json: serde_json::Value, limit: usize) -> Call {
        Call {
            method: Method::POST,
            path: path.into(),
            json: Some(json),
            limit,
        }
    }
}

/// The API's answer, read up to the call's limit.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Bytes,
    /// The answer had more than `limit` bytes.
    pub truncated: bool,
}

/// Why a call got no answer (an answer with an error status is a [`Reply`]).
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "cannot reach Hooklens at {url}: {reason} — is it still running? Start it with \
         `hooklens serve` or open the desktop app"
    )]
    Unreachable { url: String, reason: String },
    #[error("Hooklens broke off its answer: {0}")]
    Broken(String),
    #[error("cannot build the call: {0}")]
    Invalid(String),
}

/// The control API, wherever it is.
pub trait Api: Send + Sync + 'static {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, ClientError>>;
}

/// Reads at most `limit` bytes of `body`, then stops (the rest is never read).
pub async fn read_limited<B>(body: B, limit: usize) -> Result<(Bytes, bool), ClientError>
where
    B: Body<Data = Bytes>,
    B::Error: std::fmt::Display,
{
    let mut body = std::pin::pin!(body);
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ClientError::Broken(e.to_string()))?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        let room = limit - out.len();
        if data.len() > room {
            out.extend_from_slice(&data[..room]);
            return Ok((out.freeze(), true));
        }
        out.extend_from_slice(&data);
    }
    Ok((out.freeze(), false))
}

/// The API of a running Hooklens over loopback HTTP, with its token.
pub struct HttpApi {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl HttpApi {
    /// `base` is the API's origin, e.g. `http://127.0.0.1:4781`.
    pub fn new(base: &str, token: &str) -> Result<HttpApi, ClientError> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .connect_timeout(std::time::Duration::from_secs(5))
            // Past the longest wait the API allows (60 s): a Hooklens that hangs fails the
            // tool instead of the agent's session.
            .timeout(std::time::Duration::from_secs(90))
            .build()
            .map_err(|e| ClientError::Invalid(e.to_string()))?;
        Ok(HttpApi {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http,
        })
    }

    /// The API's origin.
    pub fn base(&self) -> &str {
        &self.base
    }

    async fn send(&self, call: Call) -> Result<Reply, ClientError> {
        let url = format!("{}{}", self.base, call.path);
        let mut request = self
            .http
            .request(call.method, &url)
            .bearer_auth(&self.token);
        if let Some(json) = &call.json {
            request = request.json(json);
        }
        let response = request.send().await.map_err(|e| ClientError::Unreachable {
            url: self.base.clone(),
            reason: root_cause(&e),
        })?;
        let status = response.status();
        let body = http::Response::from(response).into_body();
        let (body, truncated) = read_limited(body, call.limit).await?;
        Ok(Reply {
            status,
            body,
            truncated,
        })
    }
}

impl Api for HttpApi {
    fn call(&self, call: Call) -> BoxFuture<'_, Result<Reply, ClientError>> {
        Box::pin(self.send(call))
    }
}

/// The innermost error's message ("connection refused"), not reqwest's wrapper.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::{Full, StreamBody};

    #[tokio::test]
    async fn a_body_is_read_up_to_the_limit_and_no_further() {
        let chunks = (0..4).map(|i| {
            Ok::<_, std::convert::Infallible>(http_body::Frame::data(Bytes::from(vec![i; 10])))
        });
        let body = StreamBody::new(futures_util::stream::iter(chunks));
        let (got, truncated) = read_limited(body, 25).await.expect("read");
        assert_eq!(got.len(), 25);
        assert!(truncated);
        assert_eq!(&got[20..], &[2u8; 5]);

        let (got, truncated) = read_limited(Full::new(Bytes::from_static(b"abc")), 3)
            .await
            .expect("read");
        assert_eq!((&got[..], truncated), (&b"abc"[..], false));
    }

    #[tokio::test]
    async fn a_closed_port_is_unreachable_with_the_hint() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let api = HttpApi::new(&format!("http://{addr}"), "t").expect("client");
        let err = api
            .call(Call::get("/api/v1/status", 1024))
            .await
            .expect_err("nothing listens");
        let message = err.to_string();
        assert!(message.contains("hooklens serve"), "{message}");
        assert!(message.contains(&addr.to_string()), "{message}");
    }
}
