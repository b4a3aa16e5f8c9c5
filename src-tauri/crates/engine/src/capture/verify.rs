//! Stage 4, verify: who sent the request and what it is (provider and event type), and
//! whether its signature checks out against its endpoint's scheme and secrets, over the raw
//! bytes at the time it arrived. A body that did not arrive whole cannot be checked.

use hooklens_store::{Endpoint, RequestMeta, SignatureStatus, SignatureVerdict};

use crate::provider::Payload;
use crate::provider::signature::{unconfigured, verify as check};

/// What the request turned out to be.
#[derive(Debug, PartialEq)]
pub(crate) struct Checked {
    pub provider: Option<String>,
    pub event_type: Option<String>,
    pub signature: SignatureVerdict,
}

impl Checked {
    pub fn apply(self, meta: &mut RequestMeta) {
        meta.provider = self.provider;
        meta.event_type = self.event_type;
        meta.signature = Some(self.signature);
    }
}

/// Detects the provider and checks the signature of the request `meta` describes.
pub(crate) fn verify(
    endpoint: Option<&Endpoint>,
    meta: &RequestMeta,
    payload: &Payload<'_>,
) -> Checked {
    let detected = crate::provider::detect(&meta.headers, payload);
    let signature = match endpoint.and_then(|e| e.signature.as_ref()) {
        None => unconfigured(),
        Some(spec) if meta.body_state == hooklens_store::BodyState::Complete => check(
            spec,
            &meta.headers,
            payload.raw(),
            meta.received_at_us / 1_000_000,
        ),
        Some(spec) => SignatureVerdict {
            status: SignatureStatus::Invalid,
            scheme: Some(spec.scheme.as_str().into()),
            reason: "the body did not arrive whole, so it cannot be checked".into(),
        },
    };
    Checked {
        provider: detected.as_ref().map(|d| d.provider.to_string()),
        event_type: detected.and_then(|d| d.event_type),
        signature,
    }
}

#[cfg(test)]
mod tests {
    use hooklens_store::BodyState;
    use serde_json::json;

    use super::*;
    use crate::capture::test_meta;

    fn meta(headers: &[(&str, &str)], state: BodyState) -> RequestMeta {
        RequestMeta {
            received_at_us: 1_700_000_000_000_000,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect(),
            body_state: state,
            ..test_meta()
        }
    }

    fn signed_endpoint() -> Endpoint {
        serde_json::from_value(json!({
            "id": "e", "name": "gh", "path": "/gh", "response": {}, "forward": [],
            "signature": {"scheme": "github", "secrets": ["s3cret"]}, "created_at": ""
        }))
        .expect("endpoint")
    }

    #[test]
    fn verdicts_by_configuration_and_body() {
        let body = br#"{"action":"opened"}"#;
        let resign = hooklens_store::Resign {
            scheme: hooklens_store::SignatureScheme::Github,
            secret: "s3cret".into(),
            header: None,
        };
        let signed = crate::provider::signature::sign(&resign, &[], body, 0).expect("signs");
        let headers = [
            ("x-github-event", "pull_request"),
            ("x-hub-signature-256", signed[0].1.as_str()),
        ];
        let e = signed_endpoint();
        let payload = Payload::new(body);

        let plain = verify(None, &meta(&headers, BodyState::Complete), &payload);
        assert_eq!(plain.signature.status, SignatureStatus::Unconfigured);
        assert_eq!(plain.provider.as_deref(), Some("github"));
        assert_eq!(plain.event_type.as_deref(), Some("pull_request.opened"));

        let checked = verify(Some(&e), &meta(&headers, BodyState::Complete), &payload);
        assert_eq!(checked.signature.status, SignatureStatus::Valid);
        assert_eq!(checked.signature.scheme.as_deref(), Some("github"));
        let tampered = Payload::new(br#"{"action":"closed"}"#);
        let forged = verify(Some(&e), &meta(&headers, BodyState::Complete), &tampered);
        assert_eq!(forged.signature.status, SignatureStatus::Invalid);

        let partial = verify(Some(&e), &meta(&headers, BodyState::Incomplete), &payload);
        assert_eq!(
            partial.signature,
            SignatureVerdict {
                status: SignatureStatus::Invalid,
                scheme: Some("github".into()),
                reason: "the body did not arrive whole, so it cannot be checked".into(),
            }
        );
    }
}
