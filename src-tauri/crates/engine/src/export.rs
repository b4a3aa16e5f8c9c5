//! Exports: HAR 1.2 (for browsers' dev tools and HTTP clients) and NDJSON (one request per
//! line, the API's JSON). Both stream: memory stays flat whatever the store holds.

use std::io::Write;

use base64::Engine as _;
use hooklens_store::{BodyState, Request, RequestFilter, Store, StoreError, format_us};
use serde_json::{Value, json};

use crate::api::types::RequestJson;

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Har,
    Ndjson,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "har" => Some(Format::Har),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Har => "har",
            Format::Ndjson => "ndjson",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Har => "application/json",
            Format::Ndjson => "application/x-ndjson",
        }
    }
}

/// Writes every request matching `filter`, oldest first, to `out`; returns how many.
/// Blocking: run it on a blocking thread (`spawn_blocking`), never on an async task.
pub fn export<W: Write>(
    store: &Store,
    filter: &RequestFilter,
    format: Format,
    out: W,
) -> Result<u64, StoreError> {
    let mut out = std::io::BufWriter::with_capacity(64 << 10, out);
    if format == Format::Har {
        let creator = json!({ "name": "Hooklens", "version": env!("CARGO_PKG_VERSION") });
        write!(
            out,
            "{{\"log\":{{\"version\":\"1.2\",\"creator\":{creator},\"entries\":["
        )?;
    }
    let mut count = 0u64;
    store.for_each_request_blocking(filter, |request| {
        match format {
            Format::Har => {
                if count > 0 {
                    out.write_all(b",")?;
                }
                serde_json::to_writer(&mut out, &har_entry(&request))?;
            }
            Format::Ndjson => {
                serde_json::to_writer(&mut out, &RequestJson::from_request(&request))?;
                out.write_all(b"\n")?;
            }
        }
        count += 1;
        Ok(())
    })?;
    if format == Format::Har {
        out.write_all(b"]}}")?;
    }
    out.flush()?;
    Ok(count)
}

/// One HAR 1.2 entry. The response part is what Hooklens answered. Binary bodies are
/// base64 with `"encoding": "base64"` on `postData`, as HAR tools read response content.
// Long: one JSON document in the shape of the HAR 1.2 spec, read best whole.
pub fn har_entry(request: &Request) -> Value {
    let m = &request.meta;
    let host = m.header("host").unwrap_or_else(|| "localhost".into());
    let url = match &m.query {
        Some(q) => format!("http://{host}{}?{q}", m.path),
        None => format!("http://{host}{}", m.path),
    };
    let pairs = |items: Vec<(String, String)>| -> Vec<Value> {
        items
            .into_iter()
            .map(|(name, value)| json!({ "name": name, "value": value }))
            .collect()
    };
    // A value that is not UTF-8 shows with U+FFFD in `value` and exactly, as base64, in
    // `_valueBase64`.
    let headers: Vec<Value> = m
        .headers
        .iter()
        .map(|(name, value)| match std::str::from_utf8(value) {
            Ok(text) => json!({ "name": name, "value": text }),
            Err(_) => json!({
                "name": name,
                "value": String::from_utf8_lossy(value),
                "_valueBase64": base64::engine::general_purpose::STANDARD.encode(value),
            }),
        })
        .collect();
    let query = pairs(
        form_urlencoded::parse(m.query.as_deref().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    );
    let body = request.body.as_deref().unwrap_or_default();
    let mut har_request = json!({
        "method": m.method,
        "url": url,
        "httpVersion": m.http_version,
        "cookies": [],
        "headers": headers,
        "queryString": query,
        "headersSize": -1,
        "bodySize": body.len(),
    });
    if !body.is_empty() {
        let mime = m
            .header("content-type")
            .unwrap_or_else(|| "application/octet-stream".into());
        har_request["postData"] = match std::str::from_utf8(body) {
            Ok(text) => json!({ "mimeType": mime, "text": text }),
            Err(_) => json!({
                "mimeType": mime,
                "text": base64::engine::general_purpose::STANDARD.encode(body),
                "encoding": "base64",
            }),
        };
    }
    let time_ms = m.duration_us as f64 / 1000.0;
    let status = m.response_status;
    json!({
        "startedDateTime": format_us(m.received_at_us),
        "time": time_ms,
        "request": har_request,
        "response": {
            "status": status,
            "statusText": http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or(""),
            "httpVersion": m.http_version,
            "cookies": [],
            "headers": [],
            "content": { "size": 0, "mimeType": "x-unknown" },
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": { "send": time_ms, "wait": 0, "receive": 0 },
        "_id": m.id,
        "_endpoint": m.endpoint_name,
        "_bodyState": match m.body_state {
            BodyState::Complete => "complete",
            BodyState::TooLarge => "too_large",
            BodyState::Incomplete => "incomplete",
        },
    })
}
