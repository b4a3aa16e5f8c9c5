//! What every target needs: a captured request's metadata built from fuzz input.

use hooklens_store::{BodyState, RequestMeta, Via};

/// A capture as the receiver would describe it, with hostile headers, path and query.
pub fn meta(
    path: String,
    query: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    size: u64,
) -> RequestMeta {
    RequestMeta {
        id: "01FUZZ".into(),
        received_at_us: 0,
        duration_us: 0,
        endpoint_id: None,
        endpoint_name: "default".into(),
        method: "POST".into(),
        path,
        query,
        http_version: "HTTP/1.1".into(),
        remote_addr: None,
        headers,
        body_state: BodyState::Complete,
        body_note: None,
        size,
        response_status: 200,
        provider: None,
        event_type: None,
        signature: None,
        tags: Vec::new(),
        rules: Vec::new(),
        via: Via::Direct,
        event: None,
        handshake: None,
    }
}
