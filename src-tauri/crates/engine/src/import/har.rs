//! HAR 1.2: ours (`_id`, `_bodyState`, `_valueBase64` on headers not UTF-8, base64 bodies
//! marked `"encoding": "base64"`) and those of browsers' dev tools and other tools (HTTP/2
//! pseudo-headers, forms as `params`, times with an offset). Each entry's request is one
//! record; the response's status is kept as what was answered.

use hooklens_store::BodyState;
use serde::Deserialize;

use super::{ImportError, Record, base64, header_name, id, method};

#[derive(Deserialize)]
struct Har {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: Option<String>,
    time: Option<f64>,
    request: Request,
    response: Option<Response>,
    #[serde(rename = "_id")]
    id: Option<String>,
    #[serde(rename = "_bodyState")]
    body_state: Option<BodyState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    http_version: Option<String>,
    #[serde(default)]
    headers: Vec<Header>,
    post_data: Option<PostData>,
    body_size: Option<i64>,
}

#[derive(Deserialize)]
struct Header {
    name: String,
    value: String,
    #[serde(rename = "_valueBase64")]
    value_base64: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    text: Option<String>,
    encoding: Option<String>,
    #[serde(default)]
    params: Vec<Param>,
}

#[derive(Deserialize)]
struct Param {
    name: String,
    value: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    status: Option<i64>,
}

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Record>, ImportError> {
    let har: Har = serde_json::from_slice(bytes).map_err(|e| ImportError::NotHar(e.to_string()))?;
    har.log
        .entries
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let fail = |why: String| ImportError::Entry { entry: i + 1, why };
            let entry: Entry = serde_json::from_value(entry).map_err(|e| fail(e.to_string()))?;
            record(entry).map_err(fail)
        })
        .collect()
}

fn record(entry: Entry) -> Result<Record, String> {
    let request = entry.request;
    let url = url::Url::parse(&request.url)
        .map_err(|e| format!("request.url {:?} is not a URL: {e}", request.url))?;
    let mut headers = Vec::with_capacity(request.headers.len());
    for h in request.headers {
        if h.name.starts_with(':') {
            continue; // HTTP/2 pseudo-headers: the method, URL and version say them
        }
        let value = match &h.value_base64 {
            Some(b64) => base64(&format!("header {}", h.name), b64)?,
            None => h.value.into_bytes(),
        };
        headers.push((header_name(&h.name)?, value));
    }
    let body = match request.post_data {
        Some(data) => post_data(data)?,
        None => Vec::new(),
    };
    let body_state = entry.body_state.unwrap_or(BodyState::Complete);
    let size = match body_state {
        BodyState::Complete => body.len() as u64,
        _ => request
            .body_size
            .map_or(body.len() as u64, |n| n.max(0) as u64),
    };
    let received_at_us = match entry.started_date_time.as_deref() {
        Some(text) => Some(
            super::time::parse_rfc3339_us(text)
                .ok_or_else(|| format!("startedDateTime {text:?} is not an RFC 3339 time"))?,
        ),
        None => None,
    };
    Ok(Record {
        id: id(entry.id)?,
        received_at_us,
        duration_us: (entry.time.unwrap_or(0.0).max(0.0) * 1000.0) as i64,
        method: method(&request.method)?,
        path: url.path().to_string(),
        query: url.query().map(str::to_string),
        http_version: version(request.http_version.as_deref()),
        remote_addr: None,
        headers,
        body,
        body_state,
        body_note: None,
        size,
        // Browsers record 0 for a request that got no answer.
        response_status: entry
            .response
            .and_then(|r| r.status)
            .and_then(|s| u16::try_from(s).ok())
            .filter(|s| (100..1000).contains(s)),
        pinned: false,
        tags: Vec::new(),
    })
}

/// The body: the text, base64 when marked so, or a form's `params` encoded.
fn post_data(data: PostData) -> Result<Vec<u8>, String> {
    match (data.text, data.encoding.as_deref()) {
        (Some(text), Some("base64")) => base64("postData.text", &text),
        (Some(text), _) => Ok(text.into_bytes()),
        (None, _) => {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for p in &data.params {
                form.append_pair(&p.name, p.value.as_deref().unwrap_or_default());
            }
            Ok(form.finish().into_bytes())
        }
    }
}

/// `HTTP/1.1` as captures write it, whatever the tool wrote (`http/1.1`, `h2`, `HTTP/2.0`).
fn version(v: Option<&str>) -> String {
    match v.map(str::to_ascii_lowercase).as_deref() {
        Some("h2" | "http/2" | "http/2.0") => "HTTP/2.0".into(),
        Some("h3" | "http/3" | "http/3.0") => "HTTP/3.0".into(),
        Some("http/1.0") => "HTTP/1.0".into(),
        _ => "HTTP/1.1".into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn ours_and_a_browsers_entries_become_records() {
        let har = json!({"log": {"version": "1.2", "entries": [
            {   // ours
                "startedDateTime": "2023-11-14T22:13:20.000001Z", "time": 2.5,
                "request": {"method": "POST", "url": "http://127.0.0.1:4780/gh?x=1&y",
                    "httpVersion": "HTTP/1.1",
                    "headers": [{"name": "content-type", "value": "application/octet-stream"},
                                {"name": "x-bin", "value": "\u{fffd}", "_valueBase64": "/w=="}],
                    "postData": {"mimeType": "application/octet-stream", "text": "AAH/", "encoding": "base64"},
                    "bodySize": 3},
                "response": {"status": 200}, "_id": "01ABC", "_endpoint": "default",
                "_bodyState": "complete"
            },
            {   // a browser's
                "startedDateTime": "2023-11-14T23:13:20.000+01:00", "time": 10,
                "request": {"method": "POST", "url": "https://example.test/login",
                    "httpVersion": "h2",
                    "headers": [{"name": ":authority", "value": "example.test"},
                                {"name": "Content-Type", "value": "application/x-www-form-urlencoded"}],
                    "postData": {"mimeType": "application/x-www-form-urlencoded",
                        "params": [{"name": "user", "value": "a b"}, {"name": "n"}]}},
                "response": {"status": 0}
            }
        ]}});
        let records = read(har.to_string().as_bytes()).expect("reads");
        let ours = &records[0];
        assert_eq!(ours.id.as_deref(), Some("01ABC"));
        assert_eq!(
            (ours.path.as_str(), ours.query.as_deref()),
            ("/gh", Some("x=1&y"))
        );
        assert_eq!(ours.body, [0, 1, 255]);
        assert_eq!(ours.headers[1], ("x-bin".to_string(), vec![255]));
        assert_eq!(ours.received_at_us, Some(1_700_000_000_000_001));
        assert_eq!((ours.duration_us, ours.response_status), (2500, Some(200)));
        let browser = &records[1];
        assert_eq!(browser.id, None);
        assert_eq!(browser.http_version, "HTTP/2.0");
        assert_eq!(
            browser.headers,
            [(
                "content-type".to_string(),
                b"application/x-www-form-urlencoded".to_vec()
            )]
        );
        assert_eq!(browser.body, b"user=a+b&n=");
        assert_eq!(browser.received_at_us, Some(1_700_000_000_000_000));
        assert_eq!(browser.response_status, None);
    }

    #[test]
    fn a_bad_entry_is_named() {
        let good = json!({"request": {"method": "GET", "url": "http://x/"}});
        let cases = [
            (
                json!({"request": {"url": "http://x/"}}),
                "HAR entry 2: missing field `method`",
            ),
            (
                json!({"request": {"method": "GET", "url": "/relative"}}),
                "HAR entry 2: request.url \"/relative\"",
            ),
            (
                json!({"request": {"method": "GET", "url": "http://x/", "postData": {"text": "!", "encoding": "base64"}}}),
                "HAR entry 2: postData.text is not base64",
            ),
            (
                json!({"startedDateTime": "then", "request": {"method": "GET", "url": "http://x/"}}),
                "HAR entry 2: startedDateTime \"then\"",
            ),
        ];
        for (bad, want) in cases {
            let har = json!({"log": {"entries": [good, bad, good]}});
            let err = read(har.to_string().as_bytes())
                .expect_err("refused")
                .to_string();
            assert!(err.starts_with(want), "{err}");
        }
        let err = read(b"{\"log\": 3}").expect_err("not a HAR").to_string();
        assert!(err.starts_with("not a HAR file"), "{err}");
    }
}
