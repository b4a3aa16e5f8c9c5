//! Stage 3, describe: the request's metadata, from its head, its source and its body as read.
//! Through the tunnel the peer is the tunnel's client, so the sender is taken from
//! `X-Forwarded-For` when the tunnel provider sets it. The status stored with the request is
//! decided here too: the refusal's, or the endpoint's configured one. A capture mirrored
//! from a relay keeps what only the relay saw: its sender, timing, HTTP version, how its
//! body arrived and what the sender was answered (unless this Hooklens's own body limit
//! refuses the body: then that refusal is what is stored).

use hooklens_store::{BodyState, Endpoint, RequestMeta, Via};
use http::request::Parts;

use super::read::Received;
use super::{Arrival, Source, Upstream};
use crate::import::Record;

/// The metadata of a request with head `head`, before providers, signatures and rules.
pub(crate) fn describe(
    source: &Source,
    arrival: &Arrival,
    head: &Parts,
    received: &Received,
    endpoint: Option<&Endpoint>,
) -> RequestMeta {
    let mut headers: Vec<(String, Vec<u8>)> = head
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_string(), value.as_bytes().to_vec()))
        .collect();
    // HTTP/2 and 3 carry the host in `:authority`, which is not a header: as an intermediary
    // turning the request into HTTP/1.1 must (RFC 9113, 8.3.1), record it as the `Host`
    // header, so the request reads, forwards and verifies (URL-signing schemes) the same
    // whichever version the sender spoke.
    if let Some(authority) = head.uri.authority()
        && !head.headers.contains_key(http::header::HOST)
    {
        headers.insert(0, ("host".into(), authority.as_str().as_bytes().to_vec()));
    }
    let remote_addr = match source.via {
        Via::Tunnel => forwarded_for(&headers).or_else(|| source.peer.map(|p| p.to_string())),
        Via::Direct | Via::Import => source.peer.map(|p| p.to_string()),
        Via::Relay => None, // the relay's sender, from upstream
    };
    let mut meta = RequestMeta {
        id: arrival.id.clone(),
        received_at_us: arrival.received_at_us,
        duration_us: arrival.started.elapsed().as_micros() as i64,
        endpoint_id: endpoint.map(|e| e.id.clone()),
        endpoint_name: endpoint.map_or_else(|| "default".to_string(), |e| e.name.clone()),
        method: head.method.as_str().to_string(),
        path: head.uri.path().to_string(),
        query: head.uri.query().map(str::to_string),
        http_version: format!("{:?}", head.version),
        remote_addr,
        headers,
        body_state: received.state,
        body_note: received.note.clone(),
        size: received.size,
        response_status: received
            .refusal
            .unwrap_or_else(|| endpoint.map_or(200, |e| e.response.status)),
        provider: None,
        event_type: None,
        signature: None,
        tags: Vec::new(),
        rules: Vec::new(),
        via: source.via,
        event: None,
        handshake: None,
    };
    if let Some(upstream) = &arrival.upstream {
        keep_upstream(&mut meta, upstream);
    }
    meta
}

/// What the relay recorded of a mirrored capture replaces what this side could only guess.
fn keep_upstream(meta: &mut RequestMeta, upstream: &Upstream) {
    meta.duration_us = upstream.duration_us;
    meta.remote_addr = upstream.remote_addr.clone();
    meta.http_version = upstream.http_version.clone();
    meta.response_status = upstream.response_status;
    if meta.body_state == BodyState::Complete {
        meta.body_state = upstream.body_state;
        meta.body_note = upstream.body_note.clone();
        meta.size = upstream.size;
    }
}

/// The metadata of a request read from a file: what the file says (id, time, sender,
/// bytes, what was answered), the endpoint it falls in here, and `via: import`. A record
/// without an id gets a new one; one without a time, `now_us`.
pub(crate) fn imported(record: &Record, endpoint: Option<&Endpoint>, now_us: i64) -> RequestMeta {
    RequestMeta {
        id: record
            .id
            .clone()
            .unwrap_or_else(|| ulid::Ulid::new().to_string()),
        received_at_us: record.received_at_us.unwrap_or(now_us),
        duration_us: record.duration_us,
        endpoint_id: endpoint.map(|e| e.id.clone()),
        endpoint_name: endpoint.map_or_else(|| "default".to_string(), |e| e.name.clone()),
        method: record.method.clone(),
        path: record.path.clone(),
        query: record.query.clone(),
        http_version: record.http_version.clone(),
        remote_addr: record.remote_addr.clone(),
        headers: record.headers.clone(),
        body_state: record.body_state,
        body_note: record.body_note.clone(),
        size: record.size,
        response_status: record
            .response_status
            .unwrap_or_else(|| endpoint.map_or(200, |e| e.response.status)),
        provider: None,
        event_type: None,
        signature: None,
        tags: Vec::new(),
        rules: Vec::new(),
        via: Via::Import,
        event: None,
        handshake: None,
    }
}

/// The first address in `X-Forwarded-For`, when there is one.
fn forwarded_for(headers: &[(String, Vec<u8>)]) -> Option<String> {
    let value = headers.iter().find(|(n, _)| n == "x-forwarded-for")?;
    let first = String::from_utf8_lossy(&value.1)
        .split(',')
        .next()?
        .trim()
        .to_string();
    (!first.is_empty()).then_some(first)
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;

    use hooklens_store::RelayCursor;

    use super::*;

    fn head(headers: &[(&str, &str)]) -> Parts {
        let mut builder = http::Request::builder()
            .method("POST")
            .uri("/stripe/events?live=1");
        for (n, v) in headers {
            builder = builder.header(*n, *v);
        }
        builder.body(()).expect("request").into_parts().0
    }

    fn received(refusal: Option<u16>) -> Received {
        Received {
            bytes: b"{}".to_vec(),
            state: if refusal.is_some() {
                BodyState::Incomplete
            } else {
                BodyState::Complete
            },
            note: refusal.map(|_| "broke off".to_string()),
            size: 2,
            refusal,
            held: None,
        }
    }

    fn endpoint() -> Endpoint {
        serde_json::from_value(serde_json::json!({
            "id": "e1", "name": "stripe", "path": "/stripe", "response": {"status": 202},
            "forward": [], "created_at": ""
        }))
        .expect("endpoint")
    }

    #[test]
    fn the_sender_is_the_peer_or_through_the_tunnel_the_forwarded_client() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().expect("addr");
        let arrival = Arrival::now();
        let xff = head(&[("x-forwarded-for", " 203.0.113.9 , 10.0.0.1")]);
        let cases = [
            (Via::Direct, &xff, Some(peer), Some("127.0.0.1:5000")),
            (Via::Tunnel, &xff, Some(peer), Some("203.0.113.9")),
            (Via::Tunnel, &head(&[]), Some(peer), Some("127.0.0.1:5000")),
            (
                Via::Tunnel,
                &head(&[("x-forwarded-for", "")]),
                Some(peer),
                Some("127.0.0.1:5000"),
            ),
            (Via::Direct, &head(&[]), None, None),
        ];
        for (via, head, peer, want) in cases {
            let meta = describe(&Source { via, peer }, &arrival, head, &received(None), None);
            assert_eq!(meta.remote_addr.as_deref(), want, "{via:?} {peer:?}");
            assert_eq!(meta.via, via);
        }
    }

    #[test]
    fn endpoint_status_and_refusal_are_recorded() {
        let source = Source {
            via: Via::Direct,
            peer: None,
        };
        let arrival = Arrival::now();
        let h = head(&[("Content-Type", "application/json")]);
        let meta = describe(&source, &arrival, &h, &received(None), None);
        assert_eq!(
            (
                meta.endpoint_name.as_str(),
                meta.endpoint_id,
                meta.response_status
            ),
            ("default", None, 200)
        );
        assert_eq!(
            (
                meta.method.as_str(),
                meta.path.as_str(),
                meta.query.as_deref()
            ),
            ("POST", "/stripe/events", Some("live=1"))
        );
        assert_eq!(
            meta.headers,
            [("content-type".to_string(), b"application/json".to_vec())]
        );
        assert_eq!(
            (meta.id.as_str(), meta.http_version.as_str()),
            (arrival.id.as_str(), "HTTP/1.1")
        );

        let e = endpoint();
        let meta = describe(&source, &arrival, &h, &received(None), Some(&e));
        assert_eq!(
            (
                meta.endpoint_name.as_str(),
                meta.endpoint_id.as_deref(),
                meta.response_status
            ),
            ("stripe", Some("e1"), 202)
        );
        let meta = describe(&source, &arrival, &h, &received(Some(408)), Some(&e));
        assert_eq!(
            meta.response_status, 408,
            "the refusal, not the endpoint's status"
        );
        assert_eq!(meta.body_note.as_deref(), Some("broke off"));
    }

    #[test]
    fn an_http2_authority_is_recorded_as_the_host_header() {
        let source = Source {
            via: Via::Direct,
            peer: None,
        };
        let arrival = Arrival::now();
        let over_h2 = |host: Option<&str>| {
            let mut builder = http::Request::builder()
                .uri("https://hooks.example.com:8443/p?q=1")
                .version(http::Version::HTTP_2)
                .header("x-a", "1");
            if let Some(host) = host {
                builder = builder.header("host", host);
            }
            let (head, ()) = builder.body(()).expect("request").into_parts();
            describe(&source, &arrival, &head, &received(None), None).headers
        };
        let named = |headers: Vec<(String, Vec<u8>)>| {
            headers
                .into_iter()
                .map(|(n, v)| format!("{n}: {}", String::from_utf8_lossy(&v)))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            named(over_h2(None)),
            ["host: hooks.example.com:8443", "x-a: 1"]
        );
        assert_eq!(
            named(over_h2(Some("other.example"))),
            ["x-a: 1", "host: other.example"],
            "a Host header the sender wrote stays as written"
        );
    }

    #[test]
    fn a_mirrored_capture_keeps_what_the_relay_recorded() {
        let source = Source {
            via: Via::Relay,
            peer: None,
        };
        let mut arrival = Arrival::now();
        arrival.upstream = Some(Upstream {
            cursor: RelayCursor {
                relay: "r".into(),
                position: 9,
                last_id: Some(arrival.id.clone()),
                updated_at_us: 0,
            },
            duration_us: 1234,
            remote_addr: Some("203.0.113.9:443".into()),
            http_version: "HTTP/2.0".into(),
            body_state: BodyState::Incomplete,
            body_note: Some("the sender stalled".into()),
            size: 2,
            response_status: 408,
            scheme: None,
        });
        let h = head(&[]);
        let meta = describe(&source, &arrival, &h, &received(None), None);
        assert_eq!(meta.via, Via::Relay);
        assert_eq!(
            (
                meta.duration_us,
                meta.remote_addr.as_deref(),
                meta.http_version.as_str()
            ),
            (1234, Some("203.0.113.9:443"), "HTTP/2.0")
        );
        assert_eq!(
            (
                meta.body_state,
                meta.body_note.as_deref(),
                meta.response_status
            ),
            (BodyState::Incomplete, Some("the sender stalled"), 408)
        );
        // Refused here (over this side's limit): that refusal is what is stored.
        let mut too_large = received(Some(413));
        too_large.state = BodyState::TooLarge;
        too_large.size = 99;
        let meta = describe(&source, &arrival, &h, &too_large, None);
        assert_eq!((meta.body_state, meta.size), (BodyState::TooLarge, 99));
    }

    #[test]
    fn an_imported_request_keeps_what_its_file_says() {
        let record = Record {
            id: Some("01OLD".into()),
            received_at_us: Some(42),
            duration_us: 7,
            method: "POST".into(),
            path: "/stripe/x".into(),
            query: Some("a=1".into()),
            http_version: "HTTP/2.0".into(),
            remote_addr: Some("203.0.113.5:443".into()),
            headers: vec![("x-a".into(), vec![255])],
            body: b"{}".to_vec(),
            body_state: hooklens_store::BodyState::Complete,
            body_note: None,
            size: 2,
            response_status: Some(201),
            pinned: false,
            tags: Vec::new(),
        };
        let e = endpoint();
        let meta = imported(&record, Some(&e), 99);
        assert_eq!((meta.id.as_str(), meta.received_at_us), ("01OLD", 42));
        assert_eq!(
            (meta.endpoint_name.as_str(), meta.response_status),
            ("stripe", 201)
        );
        assert_eq!(meta.remote_addr.as_deref(), Some("203.0.113.5:443"));
        assert_eq!(
            (meta.via, meta.headers.clone()),
            (Via::Import, record.headers.clone())
        );
        let bare = Record {
            id: None,
            received_at_us: None,
            response_status: None,
            ..record
        };
        let meta = imported(&bare, Some(&e), 99);
        assert_eq!((meta.received_at_us, meta.response_status), (99, 202));
        assert_eq!(meta.id.len(), 26, "a new ULID");
    }
}
