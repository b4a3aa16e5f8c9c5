//! Stage 1, admit: what is refused before anything is read or stored. A request with more
//! than [`MAX_HEADERS`] headers gets a 431 that says so (and is counted); while capture is
//! paused every request gets a 503 with `Retry-After`, so providers send it again later.

use axum::extract::Request;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

use super::answer::refused;
use super::gate::CaptureGate;
use crate::metrics::Metrics;
use crate::serve::MAX_HEADERS;

/// The refusal, when `request` is not to be captured.
pub(crate) fn admit(gate: &CaptureGate, metrics: &Metrics, request: &Request) -> Option<Response> {
    let headers = request.headers().len();
    if headers > MAX_HEADERS {
        metrics.refused("too_many_headers");
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            headers,
            "refused a request with {headers} headers (the limit is {MAX_HEADERS}): answered 431, nothing stored"
        );
        return Some(refused(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "too_many_headers",
            format!(
                "the request has {headers} headers, over Hooklens's limit of {MAX_HEADERS}; nothing was stored: send fewer headers"
            ),
            None,
        ));
    }
    if gate.paused() {
        let mut response = refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "paused",
            "Hooklens capture is paused: nothing was stored; send again once it is resumed".into(),
            None,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return Some(response);
    }
    None
}

#[cfg(test)]
mod tests {
    use axum::body::Body;

    use super::*;
    use crate::events::EventBus;

    fn request(headers: usize) -> Request {
        let mut builder = Request::builder().uri("/x");
        for i in 0..headers {
            builder = builder.header(format!("x-h{i}"), "1");
        }
        builder.body(Body::empty()).expect("request")
    }

    #[test]
    fn too_many_headers_and_a_pause_are_refused_before_reading() {
        let gate = CaptureGate::new(1 << 20, EventBus::new(4));
        let metrics = Metrics::new(true);
        assert!(admit(&gate, &metrics, &request(MAX_HEADERS)).is_none());

        let refused = admit(&gate, &metrics, &request(MAX_HEADERS + 1)).expect("431");
        assert_eq!(
            refused.status(),
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
        );
        assert_eq!(
            metrics.snapshot().refused,
            [("too_many_headers".to_string(), 1)]
        );

        gate.set_paused(true);
        let paused = admit(&gate, &metrics, &request(1)).expect("503");
        assert_eq!(paused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(paused.headers()[header::RETRY_AFTER], "60");
    }
}
