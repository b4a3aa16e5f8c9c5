//! One attempt: build the forwarded request from the captured one, send it, and describe
//! what happened in words a person can act on.

use std::time::{Duration, Instant};

use base64::Engine as _;
use hooklens_store::{Attempt, AttemptErrorKind, Delivery, Request};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use reqwest::Url;

use super::guard::{Blocked, Guard};

/// Bytes of a response body kept with the attempt.
pub const KEEP_RESPONSE_BYTES: usize = 64 << 10;
/// Reading a response stops after this many bytes (its size is then unknown).
const READ_RESPONSE_LIMIT: u64 = 16 << 20;

/// Headers that describe one hop, not the message: never forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// The result of one attempt, before it is stored.
pub struct Sent {
    pub attempt: Attempt,
    pub retry_after: Option<Duration>,
}

/// The request a delivery sends: the captured one, or its edited replay.
pub struct Outgoing {
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// Builds what a delivery sends. Method, headers (in order, duplicates kept) and body are the
/// captured ones byte for byte, less hop-by-hop headers, plus `X-Forwarded-For`,
/// `X-Forwarded-Proto`, `X-Hooklens-Request-Id` and the target's extra headers.
pub fn outgoing(delivery: &Delivery, request: &Request, now_s: i64) -> Result<Outgoing, String> {
    let overrides = delivery.spec.overrides.clone().unwrap_or_default();
    let method = overrides.method.as_deref().unwrap_or(&request.meta.method);
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| format!("{method:?} is not an HTTP method"))?;
    let url = match &overrides.path {
        Some(path) => {
            let base = Url::parse(&delivery.url).map_err(|e| e.to_string())?;
            base.join(path)
                .map_err(|e| format!("cannot use path {path:?}: {e}"))?
        }
        None => Url::parse(&delivery.url).map_err(|e| e.to_string())?,
    };
    let captured: Vec<(String, Vec<u8>)> = match &overrides.headers {
        Some(headers) => headers
            .iter()
            .map(|(n, v)| (n.clone(), v.as_bytes().to_vec()))
            .collect(),
        None => request.meta.headers.clone(),
    };
    let mut headers = HeaderMap::new();
    for (name, value) in &captured {
        if HOP_BY_HOP.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("header name {name:?} is not valid"))?;
        let value = HeaderValue::from_bytes(value)
            .map_err(|_| format!("the value of header {name} is not valid"))?;
        headers.append(name, value);
    }
    let remote_ip = request
        .meta
        .remote_addr
        .as_deref()
        .and_then(|a| a.parse::<std::net::SocketAddr>().ok())
        .map(|a| a.ip().to_string());
    if let Some(ip) = remote_ip {
        let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
            Some(earlier) => format!("{earlier}, {ip}"),
            None => ip,
        };
        set(&mut headers, "x-forwarded-for", &forwarded_for);
    }
    if !headers.contains_key("x-forwarded-proto") {
        set(&mut headers, "x-forwarded-proto", "http");
    }
    set(&mut headers, "x-hooklens-request-id", &request.meta.id);
    for (name, value) in &delivery.spec.headers {
        set(&mut headers, name, value);
    }
    let body = match &overrides.body_base64 {
        Some(b64) => base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|e| format!("body_base64 is not base64: {e}"))?,
        None => request.body.clone().unwrap_or_default(),
    };
    if let Some(resign) = &delivery.spec.resign {
        let current: Vec<(String, Vec<u8>)> = headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
            .collect();
        let message = crate::provider::signature::Message {
            url: url.as_str(),
            headers: &current,
            body: &body,
        };
        let signed =
            crate::provider::signature::sign(resign, &message, now_s).map_err(|e| e.to_string())?;
        for (name, value) in signed {
            set(&mut headers, &name, &value);
        }
    }
    Ok(Outgoing {
        method,
        url,
        headers,
        body,
    })
}

fn set(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// Sends one attempt and records what happened.
pub async fn send(
    client: &reqwest::Client,
    guard: &Guard,
    out: Outgoing,
    n: u32,
    started_at_us: i64,
    timeout: Duration,
) -> Sent {
    let started = Instant::now();
    let failed = |kind: AttemptErrorKind, error: String| Sent {
        attempt: Attempt {
            n,
            started_at_us,
            duration_us: started.elapsed().as_micros() as i64,
            status: None,
            response_headers: Vec::new(),
            response_body: Vec::new(),
            response_size: None,
            error_kind: Some(kind),
            error: Some(error),
        },
        retry_after: None,
    };
    if let Err(blocked) = guard.check_url(&out.url) {
        return failed(AttemptErrorKind::Blocked, blocked.to_string());
    }
    let url = out.url.to_string();
    let response = client
        .request(out.method, out.url)
        .headers(out.headers)
        .body(out.body)
        .timeout(timeout)
        .send()
        .await;
    let mut response = match response {
        Ok(response) => response,
        Err(e) => {
            let (kind, message) = describe(&e, &url, timeout);
            return failed(kind, message);
        }
    };
    let status = response.status().as_u16();
    let response_headers = response
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let retry_after = response
        .headers()
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| super::retry::parse_retry_after(v, std::time::SystemTime::now()));
    let (body, size) = response_body(&mut response).await;
    Sent {
        attempt: Attempt {
            n,
            started_at_us,
            duration_us: started.elapsed().as_micros() as i64,
            status: Some(status),
            response_headers,
            response_body: body,
            response_size: size,
            error_kind: None,
            error: None,
        },
        retry_after,
    }
}

/// The first [`KEEP_RESPONSE_BYTES`] of the answer's body, and its size when it was read to
/// its end (not past [`READ_RESPONSE_LIMIT`], and not broken off).
async fn response_body(response: &mut reqwest::Response) -> (Vec<u8>, Option<u64>) {
    let mut body = Vec::new();
    let mut size = 0u64;
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                size += chunk.len() as u64;
                let room = KEEP_RESPONSE_BYTES.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..room.min(chunk.len())]);
                if size > READ_RESPONSE_LIMIT {
                    return (body, None);
                }
            }
            Ok(None) => return (body, Some(size)),
            Err(_) => return (body, None), // the status counts; the body broke off
        }
    }
}

/// An error kind and a message that says what happened and what to do.
fn describe(e: &reqwest::Error, url: &str, timeout: Duration) -> (AttemptErrorKind, String) {
    let origin = super::target::origin(url);
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut texts = Vec::new();
    while let Some(err) = source {
        if let Some(blocked) = err.downcast_ref::<Blocked>() {
            return (AttemptErrorKind::Blocked, blocked.to_string());
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return (
                        AttemptErrorKind::Refused,
                        format!("connection refused at {origin} — is your server running?"),
                    );
                }
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return (
                        AttemptErrorKind::Reset,
                        format!("{origin} reset the connection before answering"),
                    );
                }
                _ => {}
            }
        }
        texts.push(err.to_string());
        source = err.source();
    }
    let detail = texts.last().cloned().unwrap_or_default();
    let all = texts.join(": ").to_ascii_lowercase();
    if e.is_timeout() {
        (
            AttemptErrorKind::Timeout,
            format!("no answer from {url} within {} s", timeout.as_secs_f64()),
        )
    } else if all.contains("dns")
        || all.contains("failed to lookup")
        || all.contains("name or service")
    {
        (
            AttemptErrorKind::Dns,
            format!("cannot resolve the host of {origin}: {detail}"),
        )
    } else if all.contains("certificate")
        || all.contains("ssl")
        || all.contains("tls")
        || all.contains("handshake")
    {
        (
            AttemptErrorKind::Tls,
            format!("TLS with {origin} failed: {detail}"),
        )
    } else if all.contains("connection closed")
        || all.contains("incomplete message")
        || all.contains("reset")
    {
        (
            AttemptErrorKind::Reset,
            format!("{origin} closed the connection before answering"),
        )
    } else {
        (
            AttemptErrorKind::Other,
            format!("forwarding to {url} failed: {detail}"),
        )
    }
}
