//! Stage 11, answer: what the sender gets, once the request is committed. A verification
//! handshake gets Hooklens's answer (or refusal) at once — providers wait only seconds. In
//! relay mode the target's own answer (or, when it fails or is slow, the endpoint's
//! response); else the endpoint's response after its delay, or the default
//! `{"ok":true,"id":…}`; a body that was not taken whole gets its refusal. Every answer about a stored request names its id in
//! [`REQUEST_ID_HEADER`].

use std::time::Duration;

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use hooklens_store::{BodyState, Endpoint, Request};
use http::{HeaderName, HeaderValue, StatusCode, header};
use serde_json::json;

use super::Pipeline;
use crate::provider::handshake::Reply;

/// Header carrying the captured request's id on every answer.
pub const REQUEST_ID_HEADER: &str = "x-hooklens-request-id";

/// What the answer is about.
pub(crate) struct Answering<'a> {
    pub id: &'a str,
    pub method: &'a str,
    pub path: &'a str,
    pub state: BodyState,
    pub note: Option<String>,
    /// The status the refusal gets (413, 408, 400) when the body was not taken whole.
    pub refusal: Option<u16>,
    /// The handshake's answer, when it was one Hooklens answers.
    pub handshake: Option<Reply>,
}

/// A relay delivery, to attempt while the sender waits.
pub(crate) struct Relaying {
    pub delivery_id: String,
    /// The stored request, as the forwarder sends it.
    pub request: Request,
}

/// The answer for a committed request.
pub(crate) async fn answer(
    pipeline: &Pipeline,
    endpoint: Option<&Endpoint>,
    about: Answering<'_>,
    relaying: Option<Relaying>,
) -> Response {
    if let Some(reply) = about.handshake {
        return handshake(reply, about.id);
    }
    if let (Some(relaying), Some(endpoint)) = (relaying, endpoint)
        && let Some(response) = relay(pipeline, endpoint, relaying).await
    {
        return response;
    }
    match about.state {
        BodyState::Complete => {
            if let Some(delay) = endpoint.map(|e| e.response.delay_ms).filter(|&ms| ms > 0) {
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_millis(delay)) => {}
                    () = pipeline.cancel.cancelled() => {}
                }
            }
            respond(endpoint, about.id, about.method, about.path)
        }
        BodyState::TooLarge => refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            about.note.unwrap_or_default(),
            Some(about.id),
        ),
        BodyState::Incomplete => refused(
            about
                .refusal
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::BAD_REQUEST),
            "body_incomplete",
            about.note.unwrap_or_default(),
            Some(about.id),
        ),
    }
}

/// Relay mode: the target's answer, or `None` (answer with the endpoint's response) when it
/// failed or took longer than the relay timeout.
async fn relay(pipeline: &Pipeline, endpoint: &Endpoint, relaying: Relaying) -> Option<Response> {
    let timeout = Duration::from_millis(endpoint.relay.as_ref()?.timeout_ms);
    let delivery = pipeline
        .store
        .get_delivery(&relaying.delivery_id)
        .await
        .ok()?;
    let request = &relaying.request;
    let attempt = pipeline.forwarder.relay(delivery, request, timeout).await?;
    let status = StatusCode::from_u16(attempt.status?).ok()?;
    let mut response = Response::new(Body::from(attempt.response_body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in &attempt.response_headers {
        let hop = matches!(
            name.as_str(),
            "connection" | "keep-alive" | "transfer-encoding" | "content-length" | "upgrade"
        );
        if let (false, Ok(name), Ok(value)) = (
            hop,
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(name, value);
        }
    }
    set_id(&mut response, &request.meta.id);
    Some(response)
}

/// The endpoint's configured answer, or the default JSON with the id.
fn respond(endpoint: Option<&Endpoint>, id: &str, method: &str, path: &str) -> Response {
    let Some(endpoint) = endpoint else {
        let mut response = (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            default_answer(id),
        )
            .into_response();
        set_id(&mut response, id);
        return response;
    };
    let r = &endpoint.response;
    let (body, default_type) = match &r.body {
        Some(template) => (
            Bytes::from(
                template
                    .replace("{{id}}", id)
                    .replace("{{method}}", method)
                    .replace("{{path}}", path),
            ),
            "text/plain; charset=utf-8",
        ),
        None => (Bytes::from(default_answer(id)), "application/json"),
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    for (name, value) in &r.headers {
        // Validated when the endpoint was saved.
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.append(name, value);
        }
    }
    if !headers.contains_key(header::CONTENT_TYPE) {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(default_type));
    }
    set_id(&mut response, id);
    response
}

/// A handshake's answer, exactly as the provider expects it. The text echoed is the
/// sender's: `nosniff` keeps anything from reading it as more than text.
fn handshake(reply: Reply, id: &str) -> Response {
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(reply.content_type),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    set_id(&mut response, id);
    response
}

/// `{"ok":true,"id":"…"}`; ids are ULIDs, which need no JSON escaping.
fn default_answer(id: &str) -> String {
    format!(r#"{{"ok":true,"id":"{id}"}}"#)
}

fn set_id(response: &mut Response, id: &str) {
    if let Ok(value) = HeaderValue::from_str(id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
}

/// `{"error":{"code","message"}}` with `status`, and the request's `id` when it was stored.
pub(crate) fn refused(
    status: StatusCode,
    code: &str,
    message: String,
    id: Option<&str>,
) -> Response {
    let mut body = json!({ "error": { "code": code, "message": message } });
    if let Some(id) = id {
        body["id"] = json!(id);
    }
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(id) = id {
        set_id(&mut response, id);
    }
    response
}

/// The store could not keep the request: 503, so the provider sends it again.
pub(crate) fn not_stored() -> Response {
    refused(
        StatusCode::SERVICE_UNAVAILABLE,
        "not_stored",
        "Hooklens could not store this request; nothing was kept — send it again later".into(),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    async fn text(response: Response) -> (StatusCode, Vec<(String, String)>, String) {
        let status = response.status();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    fn endpoint(response: serde_json::Value) -> Endpoint {
        serde_json::from_value(json!({
            "id": "e", "name": "e", "path": "/e", "response": response, "forward": [],
            "created_at": ""
        }))
        .expect("endpoint")
    }

    #[tokio::test]
    async fn answers_name_the_request_and_fill_the_template() {
        let id = "01JABCDEFGHJKMNPQRSTVWXYZ0";
        let (status, headers, body) = text(respond(None, id, "POST", "/x")).await;
        assert_eq!(status, 200);
        assert_eq!(body, format!(r#"{{"ok":true,"id":"{id}"}}"#));
        assert!(headers.contains(&(REQUEST_ID_HEADER.into(), id.into())));
        assert!(headers.contains(&("content-type".into(), "application/json".into())));

        let templated = endpoint(json!({
            "status": 202, "headers": [["x-ok", "1"]], "body": "got {{method}} {{path}} as {{id}}"
        }));
        let (status, headers, body) = text(respond(Some(&templated), id, "PUT", "/e/a")).await;
        assert_eq!(status, 202);
        assert_eq!(body, format!("got PUT /e/a as {id}"));
        assert!(headers.contains(&("x-ok".into(), "1".into())));
        assert!(headers.contains(&("content-type".into(), "text/plain; charset=utf-8".into())));
    }

    #[tokio::test]
    async fn refusals_say_why_and_name_a_stored_request() {
        let (status, headers, body) = text(refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "over the limit".into(),
            Some("01J"),
        ))
        .await;
        assert_eq!(status, 413);
        let body: serde_json::Value = serde_json::from_str(&body).expect("json");
        assert_eq!(
            body,
            json!({"error": {"code": "body_too_large", "message": "over the limit"}, "id": "01J"})
        );
        assert!(headers.contains(&(REQUEST_ID_HEADER.into(), "01J".into())));
        let (status, headers, _) = text(not_stored()).await;
        assert_eq!(status, 503);
        assert!(!headers.iter().any(|(n, _)| n == REQUEST_ID_HEADER));
    }

    #[tokio::test]
    async fn a_handshake_gets_its_reply_as_text_that_is_not_sniffed() {
        let reply = Reply {
            status: 200,
            content_type: "text/plain; charset=utf-8",
            body: b"<b>challenge</b>".to_vec(),
            handshake: hooklens_store::Handshake {
                provider: hooklens_store::HandshakeProvider::Dropbox,
                answered: true,
                reason: String::new(),
            },
        };
        let (status, headers, body) = text(handshake(reply, "01J")).await;
        assert_eq!((status.as_u16(), body.as_str()), (200, "<b>challenge</b>"));
        for want in [
            ("content-type", "text/plain; charset=utf-8"),
            ("x-content-type-options", "nosniff"),
            (REQUEST_ID_HEADER, "01J"),
        ] {
            assert!(
                headers.contains(&(want.0.into(), want.1.into())),
                "{want:?}"
            );
        }
    }
}
