//! Stage 5, handshake: whether the request is a provider's verification handshake that
//! Hooklens answers, and the answer (or the refusal the provider expects). It follows verify,
//! whose verdict decides the signed ones (Discord's PING is answered only when its signature
//! verifies). An endpoint whose scheme names a handshake provider answers that provider's;
//! an endpoint without a scheme (or the default endpoint) answers those that could be no
//! other provider's ([`crate::provider::handshake::detect`]); `answer_handshakes: false`
//! leaves them to the endpoint's response. The request is stored like any other, marked with
//! the handshake, and not forwarded: Hooklens answered it.

use hooklens_store::{BodyState, Endpoint, RequestMeta};

use crate::provider::Payload;
use crate::provider::handshake::{Keys, Reply, Request, ask, detect, event_type, named_by, reply};

/// A handshake and how Hooklens answers it.
#[derive(Debug)]
pub(crate) struct Answered {
    pub reply: Reply,
    /// The event type to list it with when detection found none.
    event_type: &'static str,
}

impl Answered {
    /// Marks the request as this handshake, answered with the reply's status. A GET with only
    /// a query string says nothing else about itself: the provider and event type are the
    /// handshake's when detection found none.
    pub fn mark(&self, meta: &mut RequestMeta) {
        let handshake = &self.reply.handshake;
        meta.response_status = self.reply.status;
        if meta.provider.is_none() {
            meta.provider = Some(handshake.provider.as_str().to_string());
        }
        if meta.event_type.is_none() {
            meta.event_type = Some(self.event_type.to_string());
        }
        meta.handshake = Some(handshake.clone());
    }
}

/// The handshake's answer, when the request is one.
pub(crate) fn handshake(
    endpoint: Option<&Endpoint>,
    meta: &RequestMeta,
    payload: &Payload<'_>,
) -> Option<Answered> {
    if meta.body_state != BodyState::Complete || endpoint.is_some_and(|e| !e.answer_handshakes) {
        return None;
    }
    let request = Request {
        method: &meta.method,
        query: meta.query.as_deref(),
        headers: &meta.headers,
        body: payload,
    };
    let spec = endpoint.and_then(|e| e.signature.as_ref());
    let provider = match spec {
        Some(spec) => named_by(spec.scheme)?,
        None => detect(&request)?,
    };
    let asked = ask(provider, &request)?;
    let keys = Keys {
        secrets: spec.map(|s| s.secrets.as_slice()),
        verify_token: spec.and_then(|s| s.verify_token.as_deref()),
        verdict: meta.signature.as_ref(),
    };
    Some(Answered {
        event_type: event_type(&asked),
        reply: reply(provider, asked, keys),
    })
}

#[cfg(test)]
mod tests {
    use hooklens_store::{HandshakeProvider, SignatureStatus, SignatureVerdict};
    use serde_json::json;

    use super::*;
    use crate::capture::test_meta;

    fn endpoint(signature: serde_json::Value, answer_handshakes: bool) -> Endpoint {
        serde_json::from_value(json!({
            "id": "e", "name": "hooks", "path": "/hooks", "response": {"status": 202},
            "forward": [], "signature": signature, "answer_handshakes": answer_handshakes,
            "created_at": ""
        }))
        .expect("endpoint")
    }

    fn meta_get(query: &str) -> RequestMeta {
        RequestMeta {
            method: "GET".into(),
            query: Some(query.into()),
            ..test_meta()
        }
    }

    #[test]
    fn named_by_the_scheme_detected_without_one_and_off_when_the_endpoint_says() {
        let meta_spec = json!({"scheme": "meta", "secrets": ["app"], "verify_token": "tok"});
        let subscribe = meta_get("hub.mode=subscribe&hub.challenge=42&hub.verify_token=tok");
        let none = Payload::new(b"");
        let answered = |endpoint: Option<&Endpoint>, meta: &RequestMeta| {
            handshake(endpoint, meta, &none).map(|a| (a.reply.status, a.reply.body))
        };
        let meta_endpoint = endpoint(meta_spec.clone(), true);
        assert_eq!(
            answered(Some(&meta_endpoint), &subscribe),
            Some((200, b"42".to_vec()))
        );
        assert_eq!(
            answered(None, &subscribe).map(|(status, _)| status),
            Some(403),
            "detected, but no verify token to check against"
        );
        let off = endpoint(meta_spec, false);
        assert_eq!(
            answered(Some(&off), &subscribe),
            None,
            "answer_handshakes off"
        );
        let stripe = endpoint(json!({"scheme": "stripe", "secrets": ["whsec_x"]}), true);
        assert_eq!(
            answered(Some(&stripe), &subscribe),
            None,
            "another provider's endpoint"
        );
        let dropbox = meta_get("challenge=abc");
        assert_eq!(answered(None, &dropbox), None, "Dropbox's only where named");
        let dropbox_endpoint = endpoint(json!({"scheme": "dropbox", "secrets": ["app"]}), true);
        assert_eq!(
            answered(Some(&dropbox_endpoint), &dropbox),
            Some((200, b"abc".to_vec()))
        );
        let partial = RequestMeta {
            body_state: BodyState::Incomplete,
            ..subscribe.clone()
        };
        assert_eq!(
            answered(Some(&meta_endpoint), &partial),
            None,
            "not taken whole"
        );
    }

    #[test]
    fn the_request_is_marked_with_the_handshake_and_its_status() {
        let body = br#"{"type":1}"#;
        let payload = Payload::new(body);
        let mut meta = RequestMeta {
            headers: vec![("x-signature-ed25519".into(), b"00".to_vec())],
            provider: Some("discord".into()),
            event_type: Some("ping".into()),
            signature: Some(SignatureVerdict {
                status: SignatureStatus::Invalid,
                scheme: Some("discord".into()),
                reason: "no signature matches the configured public key".into(),
            }),
            ..test_meta()
        };
        let discord = endpoint(
            json!({"scheme": "discord", "secrets": ["a".repeat(64)]}),
            true,
        );
        let answered = handshake(Some(&discord), &meta, &payload).expect("a handshake");
        answered.mark(&mut meta);
        let marked = meta.handshake.expect("marked");
        assert_eq!(
            (marked.provider, marked.answered, meta.response_status),
            (HandshakeProvider::Discord, false, 401)
        );
        assert_eq!(meta.event_type.as_deref(), Some("ping"), "detection's kept");

        let mut get = meta_get("crc_token=t");
        let x = endpoint(json!({"scheme": "x", "secrets": ["consumer"]}), true);
        handshake(Some(&x), &get, &Payload::new(b""))
            .expect("a handshake")
            .mark(&mut get);
        assert_eq!(
            (
                get.provider.as_deref(),
                get.event_type.as_deref(),
                get.response_status
            ),
            (Some("x"), Some("crc_check"), 200)
        );
    }
}
