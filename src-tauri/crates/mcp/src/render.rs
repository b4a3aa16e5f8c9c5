//! What the tools show of the API's JSON: the fields an agent acts on, every one bounded.
//!
//! Captured data is untrusted and can be huge (a 25 MiB body, 10,000 headers, a 100 KiB
//! path): each string is cut to a budget with a note saying how much was left out and where
//! the whole is, and the text a tool returns is capped once more as a whole
//! ([`MAX_OUTPUT`]), so no capture can flood an agent's context.

use base64::Engine as _;
use serde_json::{Value, json};

/// Bytes of a text body shown.
pub const BODY_TEXT_MAX: usize = 32 * 1024;
/// Bytes of a binary body shown (as base64, a third more).
pub const BODY_BINARY_MAX: usize = 12 * 1024;
/// Headers shown per request.
const HEADERS_MAX: usize = 100;
/// Characters of a header value, a path or a query shown.
const FIELD_MAX: usize = 1024;
/// Bytes of a delivery attempt's response body shown.
const RESPONSE_MAX: usize = 2 * 1024;
/// Attempts shown per delivery (the newest).
const ATTEMPTS_MAX: usize = 20;
/// Bytes of one tool's output at most, whatever it holds.
pub const MAX_OUTPUT: usize = 128 * 1024;

/// `text` cut to `max` characters, marked when cut.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!(
            "{}… [{} more characters]",
            &text[..end],
            text[end..].chars().count()
        ),
    }
}

fn cut_field(value: &Value) -> Value {
    match value.as_str() {
        Some(s) => Value::String(cut(s, FIELD_MAX)),
        None => value.clone(),
    }
}

/// The whole tool output as text, within [`MAX_OUTPUT`].
pub fn output(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).unwrap_or_else(|e| e.to_string());
    if text.len() <= MAX_OUTPUT {
        return text;
    }
    let mut end = MAX_OUTPUT - 200;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}\n… [output cut at {} of {} bytes: ask for fewer items]",
        &text[..end],
        end,
        text.len()
    )
}

/// Text a person (or an agent) reads: valid UTF-8 with no control characters beyond tabs
/// and line breaks. Anything else is shown as base64.
fn readable(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        .count();
    (controls == 0).then_some(text)
}

/// A body excerpt: text when readable, else base64, each within its budget, with a note
/// whenever it is not the whole body. `total` is the body's full size; `bytes` its start.
pub fn body(id: &str, bytes: &[u8], total: u64, state: &str) -> Value {
    let whole = format!("GET /api/v1/requests/{id}/body returns every byte");
    // A cut can split a UTF-8 character: drop the split tail before deciding on text.
    let text_part = &bytes[..bytes.len().min(BODY_TEXT_MAX)];
    let text = readable(text_part).or_else(|| {
        let valid = std::str::from_utf8(text_part)
            .err()
            .filter(|e| e.error_len().is_none())?
            .valid_up_to();
        readable(&text_part[..valid])
    });
    let (encoding, content, shown) = match text {
        Some(text) => ("text", text.to_string(), text.len()),
        None => {
            let part = &bytes[..bytes.len().min(BODY_BINARY_MAX)];
            (
                "base64",
                base64::engine::general_purpose::STANDARD.encode(part),
                part.len(),
            )
        }
    };
    let mut out = json!({ "encoding": encoding, "size": total, "content": content });
    if (shown as u64) < total {
        out["note"] = json!(format!(
            "showing the first {shown} of {total} bytes{}; {whole}",
            if encoding == "base64" {
                " (not readable text, so base64)"
            } else {
                ""
            }
        ));
    }
    if state != "complete" {
        out["state"] = json!(state);
    }
    out
}

/// A request as listed: what it was, where it went, whether it checked out.
pub fn request_line(r: &Value) -> Value {
    let signature = r["signature"].as_object().map(|s| {
        json!(format!(
            "{} ({})",
            s["status"].as_str().unwrap_or("?"),
            cut(s["reason"].as_str().unwrap_or(""), 200)
        ))
    });
    json!({
        "id": r["id"],
        "received_at": r["received_at"],
        "method": r["method"],
        "path": cut_field(&r["path"]),
        "endpoint": r["endpoint"],
        "provider": r["provider"],
        "event_type": r["event_type"],
        "signature": signature,
        "size": r["size"],
        "status": r["response_status"],
        "delivery": r.get("delivery").cloned().unwrap_or(Value::Null),
    })
}

/// A request in full, its body excerpted; `rules` maps the rule ids it matched to names.
pub fn request(r: &Value, body_value: Value, rule_names: &[(String, String)]) -> Value {
    let headers: Vec<Value> = r["headers"]
        .as_array()
        .map(|h| {
            h.iter()
                .take(HEADERS_MAX)
                .map(|pair| json!([cut_field(&pair[0]), cut_field(&pair[1])]))
                .collect()
        })
        .unwrap_or_default();
    let header_count = r["headers"].as_array().map_or(0, Vec::len);
    let rules: Vec<Value> = r["rules"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(|id| {
                    let name = rule_names
                        .iter()
                        .find(|(rule, _)| rule == id)
                        .map(|(_, name)| name.as_str());
                    json!({ "id": id, "name": name })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut out = json!({
        "id": r["id"],
        "received_at": r["received_at"],
        "method": r["method"],
        "path": cut_field(&r["path"]),
        "query": cut_field(&r["query"]),
        "endpoint": r["endpoint"],
        "provider": r["provider"],
        "event_type": r["event_type"],
        "signature": r["signature"],
        "content_type": cut_field(&r["content_type"]),
        "headers": headers,
        "body": body_value,
        "body_note": r["body_note"],
        "response_status": r["response_status"],
        "tags": r["tags"],
        "rules": rules,
        "via": r["via"],
        "pinned": r["pinned"],
        "delivery": r.get("delivery").cloned().unwrap_or(Value::Null),
    });
    if header_count > HEADERS_MAX {
        out["headers_note"] = json!(format!(
            "showing {HEADERS_MAX} of {header_count} headers; GET /api/v1/requests/{} has all",
            r["id"].as_str().unwrap_or_default()
        ));
    }
    out
}

/// A delivery without its attempts.
pub fn delivery(d: &Value) -> Value {
    json!({
        "id": d["id"],
        "request_id": d["request_id"],
        "kind": d["kind"],
        "target": cut_field(&d["target"]),
        "url": cut_field(&d["url"]),
        "state": d["state"],
        "attempts": d["attempts"],
        "last_status": d["last_status"],
        "last_error": cut_field(&d["last_error"]),
        "next_attempt_at": d["next_attempt_at"],
        "created_at": d["created_at"],
    })
}

/// What an attempt's `error_kind` means and what to do about it.
pub fn error_kind_meaning(kind: &str) -> &'static str {
    match kind {
        "refused" => {
            "nothing accepted the connection at the target's host and port: start your service, or fix the port in the target URL"
        }
        "dns" => "the target's host name does not resolve: check the host in the target URL",
        "timeout" => {
            "the target did not answer in time: it is stuck or slow (look at your service's logs), or a firewall drops the packets"
        }
        "tls" => {
            "the TLS handshake failed: https to a plain-http server, or a certificate the forwarder does not trust"
        }
        "reset" => {
            "the target closed the connection before answering: your service probably crashed or panicked on this request"
        }
        "blocked" => {
            "Hooklens refused to send: the target is not on loopback and the setting allow_remote_targets is off (the SSRF guard)"
        }
        "invalid" => {
            "the delivery cannot be built (a bad URL, header or re-signing setting): it is not retried; fix the target and replay"
        }
        _ => "another network error: read `error`",
    }
}

/// What an answer's status means for the delivery.
fn status_meaning(status: u64) -> &'static str {
    match status {
        200..=299 => "delivered: the target accepted it",
        410 => "the target answered 410 Gone: Hooklens stops retrying this delivery",
        400..=499 => {
            "the target refused the request (4xx): often a failed signature check or a payload it does not expect; read the response"
        }
        _ => {
            "the target failed while handling it (5xx or unexpected): read the response and your service's logs; it is retried"
        }
    }
}

/// One attempt, with what its outcome means.
fn attempt(a: &Value) -> Value {
    let response = a["response_body_text"]
        .as_str()
        .map(|t| json!({ "text": cut(t, RESPONSE_MAX) }))
        .or_else(|| {
            let b64 = a["response_body_base64"]
                .as_str()
                .filter(|s| !s.is_empty())?;
            let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            let part = &bytes[..bytes.len().min(RESPONSE_MAX / 2)];
            Some(json!({
                "base64": base64::engine::general_purpose::STANDARD.encode(part),
                "shown_bytes": part.len(),
            }))
        });
    let meaning = match (a["error_kind"].as_str(), a["status"].as_u64()) {
        (Some(kind), _) => error_kind_meaning(kind),
        (None, Some(status)) => status_meaning(status),
        (None, None) => "no outcome recorded",
    };
    json!({
        "n": a["n"],
        "started_at": a["started_at"],
        "duration_ms": a["duration_ms"],
        "status": a["status"],
        "error_kind": a["error_kind"],
        "error": cut_field(&a["error"]),
        "meaning": meaning,
        "response": response,
        "response_size": a["response_size"],
    })
}

/// A delivery with its newest attempts explained.
pub fn delivery_detail(d: &Value) -> Value {
    let mut out = delivery(d);
    let attempts = d["attempt_list"].as_array().cloned().unwrap_or_default();
    let skip = attempts.len().saturating_sub(ATTEMPTS_MAX);
    out["attempt_list"] = attempts.iter().skip(skip).map(attempt).collect();
    if skip > 0 {
        out["attempts_note"] = json!(format!(
            "showing the newest {ATTEMPTS_MAX} of {} attempts",
            attempts.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_marks_what_it_leaves_out() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcdef", 2), "ab… [4 more characters]");
        assert_eq!(cut("ééé", 1), "é… [2 more characters]");
    }

    #[test]
    fn body_table() {
        let big_text = "x".repeat(BODY_TEXT_MAX + 10);
        let binary: Vec<u8> = (0..=255).cycle().take(BODY_BINARY_MAX * 2).collect();
        // A multibyte character split by the excerpt's end is still text.
        let mut split = "a".repeat(BODY_TEXT_MAX - 1).into_bytes();
        split.extend_from_slice("é".as_bytes());
        // (bytes, total, encoding, content length, has a note)
        let cases: &[(&[u8], u64, &str, usize, bool)] = &[
            (b"{\"a\":1}", 7, "text", 7, false),
            (b"{\"a\":1}", 100, "text", 7, true),
            (
                &big_text.as_bytes()[..BODY_TEXT_MAX],
                big_text.len() as u64,
                "text",
                BODY_TEXT_MAX,
                true,
            ),
            (
                &binary,
                binary.len() as u64,
                "base64",
                BODY_BINARY_MAX / 3 * 4,
                true,
            ),
            (b"\x00\x01\x02", 3, "base64", 4, false),
            (
                &split[..BODY_TEXT_MAX],
                split.len() as u64,
                "text",
                BODY_TEXT_MAX - 1,
                true,
            ),
        ];
        for (i, &(bytes, total, encoding, len, note)) in cases.iter().enumerate() {
            let got = body("ID", bytes, total, "complete");
            assert_eq!(got["encoding"], encoding, "case {i}");
            assert_eq!(got["content"].as_str().map(str::len), Some(len), "case {i}");
            assert_eq!(got.get("note").is_some(), note, "case {i}: {got}");
        }
    }

    #[test]
    fn output_is_capped_whatever_it_holds() {
        let huge = json!({ "items": vec!["é".repeat(1000); 200] });
        let text = output(&huge);
        assert!(text.len() <= MAX_OUTPUT, "{}", text.len());
        assert!(text.ends_with("ask for fewer items]"));
    }

    #[test]
    fn every_error_kind_says_what_to_do() {
        for kind in [
            "refused", "dns", "timeout", "tls", "reset", "blocked", "invalid",
        ] {
            assert_ne!(
                error_kind_meaning(kind),
                error_kind_meaning("other"),
                "{kind}"
            );
        }
    }
}
