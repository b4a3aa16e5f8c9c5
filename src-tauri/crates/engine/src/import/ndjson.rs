//! NDJSON as `hooklens export` and the API write it: one request per line, the API's request
//! JSON with its body. Unknown members are ignored (newer exports may carry more); blank
//! lines are skipped.

use hooklens_store::BodyState;
use serde::Deserialize;

use super::{ImportError, Record, base64, header_name, id, method};

/// One line: the members of the API's `RequestJson` an import keeps.
#[derive(Deserialize)]
struct Line {
    id: Option<String>,
    method: String,
    path: String,
    query: Option<String>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    /// Every header again, values as base64, when some value is not UTF-8.
    headers_base64: Option<Vec<(String, String)>>,
    size: Option<u64>,
    body_state: Option<BodyState>,
    body_note: Option<String>,
    body_base64: Option<String>,
    body_text: Option<String>,
    received_at_us: Option<i64>,
    received_at: Option<String>,
    duration_ms: Option<f64>,
    remote_addr: Option<String>,
    http_version: Option<String>,
    response_status: Option<u16>,
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    tags: Vec<String>,
}

pub(super) fn read(bytes: &[u8]) -> Result<Vec<Record>, ImportError> {
    let mut records = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        if line.trim_ascii().is_empty() {
            continue;
        }
        let fail = |why: String| ImportError::Line { line: i + 1, why };
        let parsed: Line = serde_json::from_slice(line).map_err(|e| fail(e.to_string()))?;
        records.push(record(parsed).map_err(fail)?);
    }
    Ok(records)
}

fn record(line: Line) -> Result<Record, String> {
    if !line.path.starts_with('/') {
        return Err(format!("path {:?} does not start with /", line.path));
    }
    let headers = match line.headers_base64 {
        Some(exact) => exact
            .into_iter()
            .map(|(n, v)| Ok((header_name(&n)?, base64(&format!("header {n}"), &v)?)))
            .collect::<Result<Vec<_>, String>>()?,
        None => line
            .headers
            .into_iter()
            .map(|(n, v)| Ok((header_name(&n)?, v.into_bytes())))
            .collect::<Result<Vec<_>, String>>()?,
    };
    let body = match (line.body_base64, line.body_text) {
        (Some(b64), _) => base64("body_base64", &b64)?,
        (None, Some(text)) => text.into_bytes(),
        (None, None) => Vec::new(),
    };
    let body_state = line.body_state.unwrap_or(BodyState::Complete);
    let size = match body_state {
        BodyState::Complete => body.len() as u64,
        _ => line.size.unwrap_or(body.len() as u64),
    };
    let received_at_us = match (line.received_at_us, line.received_at.as_deref()) {
        (Some(us), _) => Some(us),
        (None, Some(text)) => Some(
            super::time::parse_rfc3339_us(text)
                .ok_or_else(|| format!("received_at {text:?} is not an RFC 3339 time"))?,
        ),
        (None, None) => None,
    };
    Ok(Record {
        id: id(line.id)?,
        received_at_us,
        duration_us: (line.duration_ms.unwrap_or(0.0).max(0.0) * 1000.0) as i64,
        method: method(&line.method)?,
        path: line.path,
        query: line.query,
        http_version: line.http_version.unwrap_or_else(|| "HTTP/1.1".into()),
        remote_addr: line.remote_addr,
        headers,
        body,
        body_state,
        body_note: line.body_note,
        size,
        response_status: line.response_status,
        pinned: line.pinned,
        tags: line.tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_records_byte_for_byte() {
        let file = concat!(
            r#"{"id":"01A","method":"POST","path":"/stripe/x%20y","query":"a=1","headers":[["Content-Type","application/json"],["x-dup","1"],["x-dup","2"]],"size":2,"body_state":"complete","body_base64":"AP8=","received_at_us":1700000000000000,"duration_ms":1.5,"http_version":"HTTP/2.0","response_status":202,"pinned":true,"tags":["t"],"future_field":{"x":1}}"#,
            "\n\n",
            r#"{"method":"put","path":"/big","size":99999999,"body_state":"too_large","body_note":"over 25 MiB","received_at":"2023-11-14T22:13:20Z","headers":[["x-bin","?"]],"headers_base64":[["x-bin","/w=="]]}"#,
            "\n",
        );
        let records = read(file.as_bytes()).expect("reads");
        assert_eq!(records.len(), 2);
        let a = &records[0];
        assert_eq!(a.id.as_deref(), Some("01A"));
        assert_eq!(
            (a.method.as_str(), a.path.as_str()),
            ("POST", "/stripe/x%20y")
        );
        assert_eq!(a.body, [0, 255]);
        assert_eq!(a.size, 2);
        assert_eq!(
            a.headers,
            [
                ("content-type".to_string(), b"application/json".to_vec()),
                ("x-dup".to_string(), b"1".to_vec()),
                ("x-dup".to_string(), b"2".to_vec()),
            ]
        );
        assert_eq!(
            (a.received_at_us, a.duration_us),
            (Some(1_700_000_000_000_000), 1500)
        );
        assert_eq!((a.response_status, a.pinned), (Some(202), true));
        let b = &records[1];
        assert_eq!((b.id.as_deref(), b.method.as_str()), (None, "put"));
        assert_eq!((b.body_state, b.size), (BodyState::TooLarge, 99_999_999));
        assert_eq!(b.headers, [("x-bin".to_string(), vec![255u8])]);
        assert_eq!(b.received_at_us, Some(1_700_000_000_000_000));
    }

    #[test]
    fn a_bad_line_is_named() {
        let good = r#"{"method":"POST","path":"/"}"#;
        // (line 3 of the file, what the error says)
        let cases: &[(&str, &str)] = &[
            ("{\"method\":\"POST\",", "line 3: EOF"),
            (r#"{"path":"/"}"#, "line 3: missing field `method`"),
            (
                r#"{"method":"POST","path":"nope"}"#,
                "line 3: path \"nope\"",
            ),
            (
                r#"{"method":"POST","path":"/","body_base64":"!!"}"#,
                "line 3: body_base64 is not base64",
            ),
            (
                r#"{"method":"P T","path":"/"}"#,
                "line 3: \"P T\" is not an HTTP method",
            ),
            (
                r#"{"method":"POST","path":"/","headers":[["a b","1"]]}"#,
                "line 3: \"a b\" is not a header name",
            ),
            (
                r#"{"method":"POST","path":"/","received_at":"soon"}"#,
                "line 3: received_at \"soon\"",
            ),
            (r#"{"method":"POST","path":"/","id":""}"#, "line 3: id \"\""),
        ];
        for (bad, want) in cases {
            let file = format!("{good}\n{good}\n{bad}\n{good}\n");
            let err = read(file.as_bytes()).expect_err("refused").to_string();
            assert!(err.starts_with(want), "{bad}: {err}");
        }
    }
}
