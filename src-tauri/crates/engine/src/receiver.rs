//! The receiver: takes any method on any path, stores it, then answers.
//!
//! "2xx from Hooklens" means "stored": the answer is built only after the store has committed
//! the request. A store failure answers 503 so the provider retries later. Bodies over the
//! limit are refused with 413 but the refusal itself is recorded, headers and all. A request
//! with more than [`MAX_HEADERS`] headers is refused with 431 and counted, not stored.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::FutureExt;
use hooklens_store::{BodyState, Capture, DeliveryKind, Endpoint, RequestMeta, RuleAction, now_us};
use http::{HeaderName, HeaderValue, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::json;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Instrument;

use crate::api::types::RequestJson;
use crate::notify::{Popup, Urgency};
use crate::serve::MAX_HEADERS;
use crate::state::Shared;
use crate::{Event, human_bytes};

/// Header carrying the captured request's id on every answer.
pub const REQUEST_ID_HEADER: &str = "x-hooklens-request-id";

pub(crate) fn app(shared: Arc<Shared>) -> Router {
    Router::new().fallback(capture).with_state(shared)
}

enum BodyOutcome {
    Complete(Vec<u8>),
    TooLarge {
        size: u64,
        announced: bool,
    },
    Incomplete {
        partial: Vec<u8>,
        why: String,
        stalled: bool,
    },
}

/// The URL the provider called, for schemes that sign it (Twilio, Square): see
/// [`crate::provider::signature::public_url`]. Other schemes do not read it.
fn called_url(
    shared: &Shared,
    endpoint: Option<&Endpoint>,
    spec: &hooklens_store::SignatureSpec,
    parts: &http::request::Parts,
) -> String {
    if !spec.scheme.signs_url() {
        return String::new();
    }
    let tunnel = parts
        .extensions
        .get::<crate::serve::Via>()
        .and_then(|_| shared.tunnels.status().public_url);
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()));
    crate::provider::signature::public_url(
        endpoint.and_then(|e| Some((e.public_url.as_deref()?, e.path.as_str()))),
        tunnel.as_deref(),
        host,
        parts.uri.path(),
        parts.uri.query(),
    )
}

/// Captures one request inside a span carrying its id (and never its body).
async fn capture(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let headers = req.headers().len();
    if headers > MAX_HEADERS {
        shared.metrics.refused("too_many_headers");
        tracing::warn!(
            method = %req.method(),
            path = req.uri().path(),
            headers,
            "refused a request with {headers} headers (the limit is {MAX_HEADERS}): answered 431, nothing stored"
        );
        return error_response(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too_many_headers",
            format!(
                "the request has {headers} headers, over Hooklens's limit of {MAX_HEADERS}; nothing was stored: send fewer headers"
            ),
            None,
        );
    }
    if shared.paused() {
        // Nothing is stored while paused; 503 with Retry-After makes providers send it again.
        let mut response = error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "paused",
            "Hooklens capture is paused: nothing was stored; send again once it is resumed".into(),
            None,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return response;
    }
    let id = ulid::Ulid::new().to_string();
    let span = tracing::info_span!("request", request_id = %id);
    capture_in_span(shared, req, id).instrument(span).await
}

async fn capture_in_span(shared: Arc<Shared>, req: Request, id: String) -> Response {
    let started = Instant::now();
    let received_at_us = now_us();
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let endpoint = shared.endpoint_for(&path);
    let config = &shared.config;
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let mut held = None;
    let outcome = read_body(
        body,
        BodyLimits {
            max: config.max_body,
            announced,
            stall: config.body_stall_timeout,
            deadline: started + config.body_total_timeout,
            budget: &shared.body_budget,
        },
        &mut held,
    )
    .await;

    let (body, body_state, body_note, size, status) = match outcome {
        BodyOutcome::Complete(bytes) => {
            let status = endpoint.as_ref().map_or(200, |e| e.response.status);
            let size = bytes.len() as u64;
            (bytes, BodyState::Complete, None, size, status)
        }
        BodyOutcome::TooLarge { size, announced } => {
            let what = if announced {
                format!("the request announced {}", human_bytes(size))
            } else {
                format!("the request sent more than {}", human_bytes(size))
            };
            let note = format!(
                "{what}, over the {} body limit; raise the limit with --max-body (HOOKLENS_MAX_BODY)",
                human_bytes(config.max_body)
            );
            (Vec::new(), BodyState::TooLarge, Some(note), size, 413)
        }
        BodyOutcome::Incomplete {
            partial,
            why,
            stalled,
        } => {
            let size = partial.len() as u64;
            (
                partial,
                BodyState::Incomplete,
                Some(why),
                size,
                if stalled { 408 } else { 400 },
            )
        }
    };

    let headers: Vec<(String, Vec<u8>)> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
        .collect();
    let payload = crate::provider::Payload::new(&body);
    let detected = crate::provider::detect(&headers, &payload);
    let signature = endpoint
        .as_ref()
        .and_then(|e| e.signature.as_ref())
        .map(|spec| {
            if body_state == BodyState::Complete {
                let url = called_url(&shared, endpoint.as_ref(), spec, &parts);
                let message = crate::provider::signature::Message {
                    url: &url,
                    headers: &headers,
                    body: &body,
                };
                crate::provider::signature::verify(spec, &message, received_at_us / 1_000_000)
            } else {
                hooklens_store::SignatureVerdict {
                    status: "invalid".into(),
                    scheme: Some(spec.scheme.as_str().into()),
                    reason: "the body did not arrive whole, so it cannot be checked".into(),
                }
            }
        });
    let mut meta = RequestMeta {
        id,
        received_at_us,
        duration_us: started.elapsed().as_micros() as i64,
        endpoint_id: endpoint.as_ref().map(|e| e.id.clone()),
        endpoint_name: endpoint
            .as_ref()
            .map_or_else(|| "default".to_string(), |e| e.name.clone()),
        method: parts.method.as_str().to_string(),
        path,
        query: parts.uri.query().map(str::to_string),
        http_version: format!("{:?}", parts.version),
        remote_addr: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.to_string()),
        headers,
        body_state,
        body_note,
        size,
        response_status: status,
        provider: detected.as_ref().map(|d| d.provider.to_string()),
        event_type: detected.and_then(|d| d.event_type),
        signature: Some(signature.unwrap_or_else(crate::provider::signature::unconfigured)),
        tags: Vec::new(),
        rules: Vec::new(),
        via: parts
            .extensions
            .get::<crate::serve::Via>()
            .map(|v| v.0.to_string()),
    };
    if meta.via.is_some() {
        // Through the tunnel the peer is the tunnel client; the sender is in
        // X-Forwarded-For when the tunnel provider sets it.
        if let Some(client) = meta
            .header("x-forwarded-for")
            .and_then(|v| v.split(',').next().map(|c| c.trim().to_string()))
            .filter(|c| !c.is_empty())
        {
            meta.remote_addr = Some(client);
        }
    }
    let mut pinned = false;
    let mut rule_targets: Vec<String> = Vec::new();
    let mut popups: Vec<Popup> = Vec::new();
    {
        let rules = shared.rules();
        let subject = crate::rules::Subject::new(&meta, &payload);
        let mut matched = Vec::new();
        let mut tags: Vec<String> = Vec::new();
        for rule in rules.iter().filter(|r| r.matches(&subject)) {
            matched.push(rule.id.clone());
            for action in &rule.actions {
                match action {
                    RuleAction::Tag { tag } if !tags.contains(tag) => tags.push(tag.clone()),
                    RuleAction::Pin => pinned = true,
                    RuleAction::Forward { url } if !rule_targets.contains(url) => {
                        rule_targets.push(url.clone())
                    }
                    RuleAction::Notify { title, body } => popups.push(Popup {
                        kind: "rule".into(),
                        key: rule.id.clone(),
                        title: subject.render(title),
                        body: subject.render(body),
                        request_id: Some(meta.id.clone()),
                        urgency: Urgency::Normal,
                    }),
                    _ => {}
                }
            }
        }
        meta.rules = matched;
        meta.tags = tags;
    }
    if let Some(verdict) = meta.signature.as_ref().filter(|v| v.status == "invalid")
        && shared.notifications.settings().signature_invalid
    {
        popups.push(Popup {
            kind: "signature_invalid".into(),
            key: meta.endpoint_name.clone(),
            title: format!(
                "Invalid {} signature on {}",
                verdict.scheme.as_deref().unwrap_or("webhook"),
                meta.endpoint_name
            ),
            body: format!("{} {}: {}", meta.method, meta.path, verdict.reason),
            request_id: Some(meta.id.clone()),
            urgency: Urgency::Critical,
        });
    }
    shared.metrics.request(
        &meta.endpoint_name,
        meta.provider.as_deref(),
        meta.event_type.as_deref(),
        meta.signature
            .as_ref()
            .map_or("unconfigured", |v| v.status.as_str()),
        match (body_state, status) {
            (BodyState::Complete, _) => None,
            (BodyState::TooLarge, _) => Some("too_large"),
            (BodyState::Incomplete, 408) => Some("timeout"),
            (BodyState::Incomplete, _) => Some("incomplete"),
        },
    );
    tracing::debug!(
        method = %meta.method,
        path = %meta.path,
        size = meta.size,
        status,
        "captured"
    );
    let (id, note) = (meta.id.clone(), meta.body_note.clone());
    let deliveries = if body_state == BodyState::Complete {
        let mut deliveries = shared.deliveries_for(
            endpoint.as_ref(),
            &meta.path,
            meta.query.as_deref(),
            shared.forwarder.now_us(),
        );
        deliveries.extend(shared.rule_deliveries(
            &rule_targets,
            &deliveries,
            &meta.path,
            meta.query.as_deref(),
        ));
        deliveries
    } else {
        Vec::new() // nothing complete to forward
    };
    let relay = deliveries
        .first()
        .filter(|d| d.kind == DeliveryKind::Relay)
        .map(|d| (d.id.clone(), meta.clone(), body.clone()));
    let forwards = !deliveries.is_empty();
    // The event is built only when someone listens: capture stays lean headless.
    let event = (shared.events.receiver_count() > 0).then(|| {
        let mut json = RequestJson::summary(&meta, pinned);
        json.delivery = forwards.then_some(hooklens_store::DeliveryState::Pending);
        Event::RequestCaptured(Box::new(json))
    });
    let stored = shared
        .store
        .insert_request(Capture {
            meta,
            body,
            pinned,
            deliveries,
        })
        .await;
    drop(held);
    let seq = match stored {
        Ok(seq) => seq,
        Err(e) => {
            tracing::error!(error = %e, "could not store a captured request");
            shared.metrics.refused("not_stored");
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_stored",
                "Hooklens could not store this request; nothing was kept — send it again later"
                    .into(),
                None,
            );
        }
    };
    if let Some(event) = event {
        shared.emit(event);
    }
    for popup in popups {
        shared.notifications.raise(popup);
    }
    if forwards {
        shared.forwarder.wake();
    }
    if let (Some((delivery_id, meta, body)), Some(endpoint)) = (relay, endpoint.as_ref()) {
        let request = hooklens_store::Request {
            seq,
            pinned: false,
            meta,
            body: Some(body),
            delivery: Some(hooklens_store::DeliveryState::Pending),
        };
        if let Some(response) = relay_answer(&shared, endpoint, &delivery_id, &request).await {
            return response;
        }
    }

    match body_state {
        BodyState::Complete => respond(&shared, endpoint.as_ref(), &id, &parts).await,
        BodyState::TooLarge => error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            note.unwrap_or_default(),
            Some(&id),
        ),
        BodyState::Incomplete => error_response(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            "body_incomplete",
            note.unwrap_or_default(),
            Some(&id),
        ),
    }
}

struct BodyLimits<'a> {
    max: u64,
    announced: Option<u64>,
    stall: Duration,
    deadline: Instant,
    /// Bytes all bodies in flight may hold together; a body waits for room (the sender
    /// sees back-pressure) and counts as stalled if none frees up.
    budget: &'a Arc<Semaphore>,
}

/// Reads the body within the size limit, the memory budget and the stall and total
/// timeouts. `held` keeps the budget this body uses until the request is stored.
async fn read_body(
    mut body: Body,
    limits: BodyLimits<'_>,
    held: &mut Option<OwnedSemaphorePermit>,
) -> BodyOutcome {
    if let Some(size) = limits.announced.filter(|&n| n > limits.max) {
        return BodyOutcome::TooLarge {
            size,
            announced: true,
        };
    }
    let mut buf = Vec::with_capacity(limits.announced.unwrap_or(0).min(1 << 20) as usize);
    let stalled = |buf: Vec<u8>, deadline: Instant| {
        let why = if Instant::now() >= deadline {
            "the body was still arriving when the upload time limit ran out"
        } else {
            "the sender stopped sending the body"
        };
        BodyOutcome::Incomplete {
            why: format!("{why} ({} received)", human_bytes(buf.len() as u64)),
            partial: buf,
            stalled: true,
        }
    };
    loop {
        let wait = limits
            .stall
            .min(limits.deadline.saturating_duration_since(Instant::now()));
        // Most bodies arrived with their headers: take what is ready without arming a timer.
        let next = match body.frame().now_or_never() {
            Some(ready) => Ok(ready),
            None => tokio::time::timeout(wait, body.frame()).await,
        };
        let frame = match next {
            Ok(Some(Ok(frame))) => frame,
            Ok(None) => return BodyOutcome::Complete(buf),
            Ok(Some(Err(e))) => {
                return BodyOutcome::Incomplete {
                    why: format!(
                        "the connection broke after {} of the body: {e}",
                        human_bytes(buf.len() as u64)
                    ),
                    partial: buf,
                    stalled: false,
                };
            }
            Err(_) => return stalled(buf, limits.deadline),
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        let total = buf.len() as u64 + data.len() as u64;
        if total > limits.max {
            return BodyOutcome::TooLarge {
                size: total,
                announced: false,
            };
        }
        let room = limits.budget.clone().acquire_many_owned(data.len() as u32);
        match tokio::time::timeout(limits.stall, room).await {
            Ok(Ok(permit)) => match held {
                Some(held) => held.merge(permit),
                None => *held = Some(permit),
            },
            _ => return stalled(buf, limits.deadline),
        }
        buf.extend_from_slice(&data);
    }
}

/// Relay mode: the target's answer, or `None` (answer with the endpoint's response) when it
/// failed or took longer than the relay timeout.
async fn relay_answer(
    shared: &Shared,
    endpoint: &Endpoint,
    delivery_id: &str,
    request: &hooklens_store::Request,
) -> Option<Response> {
    let timeout = Duration::from_millis(endpoint.relay.as_ref()?.timeout_ms);
    let delivery = shared.store.get_delivery(delivery_id).await.ok()?;
    let attempt = shared.forwarder.relay(delivery, request, timeout).await?;
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
async fn respond(
    shared: &Shared,
    endpoint: Option<&Endpoint>,
    id: &str,
    parts: &http::request::Parts,
) -> Response {
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
    if r.delay_ms > 0 {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_millis(r.delay_ms)) => {}
            () = shared.cancel.cancelled() => {}
        }
    }
    let (body, default_type) = match &r.body {
        Some(template) => (
            Bytes::from(
                template
                    .replace("{{id}}", id)
                    .replace("{{method}}", parts.method.as_str())
                    .replace("{{path}}", parts.uri.path()),
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

fn error_response(status: StatusCode, code: &str, message: String, id: Option<&str>) -> Response {
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
