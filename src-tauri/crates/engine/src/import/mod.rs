//! Reading exports back: our NDJSON (one request per line, the API's JSON) and HAR 1.2 (ours,
//! a browser's dev tools', another tool's) become [`Record`]s, the requests as the file holds
//! them, which the capture pipeline then stores (`capture/import.rs`). A whole file is read
//! before anything is stored, so a malformed one is refused — naming its line or entry —
//! with nothing left behind.

mod har;
mod ndjson;
mod time;

use base64::Engine as _;
use hooklens_store::BodyState;

/// A file format imports read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Har,
    Ndjson,
}

impl Format {
    /// `har`, `ndjson` (or `jsonl`).
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "har" => Some(Format::Har),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }

    /// The format of a file named `name` (by its extension), if it says.
    pub fn of_file(name: &str) -> Option<Format> {
        Format::parse(name.rsplit_once('.')?.1)
    }

    /// The format of `bytes`: NDJSON when its first line is a whole JSON object with a
    /// `method` (a request), else HAR (one JSON document, often spread over many lines).
    pub fn sniff(bytes: &[u8]) -> Format {
        let first = bytes
            .split(|&b| b == b'\n')
            .find(|line| !line.trim_ascii().is_empty())
            .unwrap_or_default();
        match serde_json::from_slice::<serde_json::Value>(first) {
            Ok(serde_json::Value::Object(o)) if o.contains_key("method") => Format::Ndjson,
            _ => Format::Har,
        }
    }
}

/// A request as an export holds it, before the pipeline describes, checks and stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Kept when the file has one (ours do), so importing twice stores each request once.
    pub id: Option<String>,
    pub received_at_us: Option<i64>,
    pub duration_us: i64,
    pub method: String,
    /// As received, still percent-encoded.
    pub path: String,
    pub query: Option<String>,
    pub http_version: String,
    pub remote_addr: Option<String>,
    /// Lower-case names, values byte-exact, in order.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub body_state: BodyState,
    pub body_note: Option<String>,
    /// The body's size, or the announced size of one that was refused.
    pub size: u64,
    /// What Hooklens (or the server the HAR recorded) answered.
    pub response_status: Option<u16>,
    pub pinned: bool,
    pub tags: Vec<String>,
}

/// Why a file cannot be imported. Nothing of it was stored.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("line {line}: {why}")]
    Line { line: usize, why: String },
    #[error("HAR entry {entry}: {why}")]
    Entry { entry: usize, why: String },
    #[error("not a HAR file: {0}")]
    NotHar(String),
    #[error("the file holds no request")]
    Empty,
}

/// The requests in `bytes`, read as `format` (or as [`Format::sniff`] says), in the file's
/// order.
pub fn read(bytes: &[u8], format: Option<Format>) -> Result<Vec<Record>, ImportError> {
    let records = match format.unwrap_or_else(|| Format::sniff(bytes)) {
        Format::Ndjson => ndjson::read(bytes)?,
        Format::Har => har::read(bytes)?,
    };
    if records.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(records)
}

/// A method as HTTP allows it (a token), e.g. `POST`.
fn method(m: &str) -> Result<String, String> {
    http::Method::from_bytes(m.as_bytes())
        .map(|m| m.as_str().to_string())
        .map_err(|_| format!("{m:?} is not an HTTP method"))
}

/// A header name, lower-cased as captures keep them.
fn header_name(name: &str) -> Result<String, String> {
    http::HeaderName::from_bytes(name.as_bytes())
        .map(|n| n.as_str().to_string())
        .map_err(|_| format!("{name:?} is not a header name"))
}

fn base64(what: &str, text: &str) -> Result<Vec<u8>, String> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("{what} is not base64: {e}"))
}

/// An id as the store keeps them: 1 to 64 visible ASCII characters.
fn id(id: Option<String>) -> Result<Option<String>, String> {
    match id {
        Some(id) if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_graphic()) => {
            Err(format!("id {id:?} is not 1 to 64 visible characters"))
        }
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_name_and_by_content() {
        assert_eq!(Format::of_file("hooks.har"), Some(Format::Har));
        assert_eq!(Format::of_file("a.b.NDJSON"), Some(Format::Ndjson));
        assert_eq!(Format::of_file("hooks.jsonl"), Some(Format::Ndjson));
        assert_eq!(Format::of_file("hooks"), None);
        assert_eq!(Format::of_file("hooks.json"), None);
        let cases: &[(&str, Format)] = &[
            (
                "{\"method\":\"POST\",\"path\":\"/\"}\n{\"method\":\"GET\"}",
                Format::Ndjson,
            ),
            ("\n\n  {\"method\":\"POST\"}", Format::Ndjson),
            ("{\n  \"log\": {\"entries\": []}\n}", Format::Har),
            (
                "{\"log\":{\"entries\":[{\"request\":{\"method\":\"POST\"}}]}}",
                Format::Har,
            ),
            ("", Format::Har),
        ];
        for (text, want) in cases {
            assert_eq!(Format::sniff(text.as_bytes()), *want, "{text:?}");
        }
        assert_eq!(read(b"\n\n", Some(Format::Ndjson)), Err(ImportError::Empty));
    }

    #[test]
    fn ids_methods_and_header_names_are_checked() {
        assert_eq!(id(Some("01J".into())), Ok(Some("01J".into())));
        assert!(id(Some(String::new())).is_err());
        assert!(id(Some("a b".into())).is_err());
        assert!(id(Some("x".repeat(65))).is_err());
        assert_eq!(method("PURGE"), Ok("PURGE".into()));
        assert!(method("PO ST").is_err());
        assert_eq!(header_name("X-Hook"), Ok("x-hook".into()));
        assert!(header_name("bad name").is_err());
    }
}
