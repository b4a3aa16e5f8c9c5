//! Stage 4, verify: who sent the request and what it is (provider and event type), and
//! whether its signature checks out against its endpoint's scheme and secrets, over the raw
//! bytes at the time it arrived. A body that did not arrive whole cannot be checked.
//! Schemes that sign the URL (Twilio, Square) need the URL the provider called, which only
//! the pipeline knows: the endpoint's `public_url`, or the tunnel's public URL when the
//! request came through it, else the `Host` it was sent to, at the scheme of the receiver it
//! reached — this one's, or a mirrored capture's relay's ([`called_url`]).

use hooklens_store::{
    Endpoint, EventDelivery, RequestMeta, SignatureSpec, SignatureStatus, SignatureVerdict, Via,
};

use crate::provider::Payload;
use crate::provider::signature::{Message, public_url, unconfigured, verify as check};

/// What the request turned out to be.
#[derive(Debug, PartialEq)]
pub(crate) struct Checked {
    pub provider: Option<String>,
    pub event_type: Option<String>,
    /// The provider's id for what it delivered; whether it came before is the duplicates
    /// stage's to say.
    pub event_id: Option<String>,
    pub signature: SignatureVerdict,
}

impl Checked {
    pub fn apply(self, meta: &mut RequestMeta) {
        meta.provider = self.provider;
        meta.event_type = self.event_type;
        meta.event = self.event_id.map(|id| EventDelivery::after(id, None));
        meta.signature = Some(self.signature);
    }
}

/// Where a request reached a Hooklens, beyond its own head: what rebuilding the URL its
/// sender called takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reached<'a> {
    /// The tunnel's public URL while it is open.
    pub tunnel: Option<&'a str>,
    /// The scheme of the receiver the sender called: `https` when it serves TLS of its own.
    /// For a mirrored capture, the relay's receiver.
    pub scheme: &'a str,
}

impl Reached<'_> {
    /// A plain receiver without a tunnel (imports: nothing says more).
    pub const PLAIN: Reached<'static> = Reached {
        tunnel: None,
        scheme: "http",
    };
}

/// Detects the provider and checks the signature of the request `meta` describes.
pub(crate) fn verify(
    endpoint: Option<&Endpoint>,
    meta: &RequestMeta,
    payload: &Payload<'_>,
    reached: Reached<'_>,
) -> Checked {
    let detected = crate::provider::detect(&meta.headers, payload);
    let signature = match endpoint.and_then(|e| e.signature.as_ref()) {
        None => unconfigured(),
        Some(spec) if meta.body_state == hooklens_store::BodyState::Complete => {
            let url = called_url(endpoint, spec, meta, reached);
            let message = Message {
                url: &url,
                headers: &meta.headers,
                body: payload.raw(),
            };
            check(spec, &message, meta.received_at_us / 1_000_000)
        }
        Some(spec) => SignatureVerdict {
            status: SignatureStatus::Invalid,
            scheme: Some(spec.scheme.as_str().into()),
            reason: "the body did not arrive whole, so it cannot be checked".into(),
        },
    };
    let (provider, event_type, event_id) = match detected {
        Some(d) => (Some(d.provider.to_string()), d.event_type, d.event_id),
        None => (None, None, None),
    };
    Checked {
        provider,
        event_type,
        event_id,
        signature,
    }
}

/// The URL the provider called, for schemes that sign it (empty for the others): see
/// [`public_url`] for the order. Only a request that came through the tunnel was called at
/// the tunnel's URL. A reverse proxy that terminated TLS in front of the receiver says so in
/// `X-Forwarded-Proto`, which then names the scheme: a sender that forges it only gets its
/// signature checked against another URL.
pub(crate) fn called_url(
    endpoint: Option<&Endpoint>,
    spec: &SignatureSpec,
    meta: &RequestMeta,
    reached: Reached<'_>,
) -> String {
    if !spec.scheme.signs_url() {
        return String::new();
    }
    let forwarded = forwarded_proto(meta);
    public_url(
        endpoint.and_then(|e| Some((e.public_url.as_deref()?, e.path.as_str()))),
        reached.tunnel.filter(|_| meta.via == Via::Tunnel),
        forwarded.unwrap_or(reached.scheme),
        meta.header("host").as_deref(),
        &meta.path,
        meta.query.as_deref(),
    )
}

/// The first proxy's `X-Forwarded-Proto`, when it is `http` or `https`.
fn forwarded_proto(meta: &RequestMeta) -> Option<&'static str> {
    let value = meta.header("x-forwarded-proto")?;
    let first = value.split(',').next()?.trim();
    ["https", "http"]
        .into_iter()
        .find(|scheme| first.eq_ignore_ascii_case(scheme))
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
        let unsigned = Message {
            url: "",
            headers: &[],
            body,
        };
        let signed = crate::provider::signature::sign(&resign, &unsigned, 0).expect("signs");
        let headers = [
            ("x-github-event", "pull_request"),
            ("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
            ("x-hub-signature-256", signed[0].1.as_str()),
        ];
        let e = signed_endpoint();
        let payload = Payload::new(body);

        let plain = verify(
            None,
            &meta(&headers, BodyState::Complete),
            &payload,
            Reached::PLAIN,
        );
        assert_eq!(plain.signature.status, SignatureStatus::Unconfigured);
        assert_eq!(plain.provider.as_deref(), Some("github"));
        assert_eq!(plain.event_type.as_deref(), Some("pull_request.opened"));
        assert_eq!(
            plain.event_id.as_deref(),
            Some("72d3162e-cc78-11e3-81ab-4c9367dc0958")
        );

        let checked = verify(
            Some(&e),
            &meta(&headers, BodyState::Complete),
            &payload,
            Reached::PLAIN,
        );
        assert_eq!(checked.signature.status, SignatureStatus::Valid);
        assert_eq!(checked.signature.scheme.as_deref(), Some("github"));
        let tampered = Payload::new(br#"{"action":"closed"}"#);
        let forged = verify(
            Some(&e),
            &meta(&headers, BodyState::Complete),
            &tampered,
            Reached::PLAIN,
        );
        assert_eq!(forged.signature.status, SignatureStatus::Invalid);

        let partial = verify(
            Some(&e),
            &meta(&headers, BodyState::Incomplete),
            &payload,
            Reached::PLAIN,
        );
        assert_eq!(
            partial.signature,
            SignatureVerdict {
                status: SignatureStatus::Invalid,
                scheme: Some("github".into()),
                reason: "the body did not arrive whole, so it cannot be checked".into(),
            }
        );
    }

    #[test]
    fn the_called_url_is_the_configured_one_else_the_tunnel_s_else_the_host_s() {
        let mut e: Endpoint = serde_json::from_value(json!({
            "id": "e", "name": "tw", "path": "/tw", "response": {}, "forward": [],
            "signature": {"scheme": "twilio", "secrets": ["t"]}, "created_at": ""
        }))
        .expect("endpoint");
        let spec = e.signature.clone().expect("spec");
        let mut m = RequestMeta {
            path: "/tw/sms".into(),
            query: Some("a=1".into()),
            ..meta(&[("host", "127.0.0.1:4780")], BodyState::Complete)
        };
        let reached = Reached {
            tunnel: Some("https://abc.ngrok.app"),
            scheme: "http",
        };
        let url = |e: &Endpoint, m: &RequestMeta| called_url(Some(e), &spec, m, reached);
        assert_eq!(
            url(&e, &m),
            "http://127.0.0.1:4780/tw/sms?a=1",
            "direct: the Host"
        );
        m.via = Via::Tunnel;
        assert_eq!(
            url(&e, &m),
            "https://abc.ngrok.app/tw/sms?a=1",
            "through the tunnel"
        );
        e.public_url = Some("https://hooks.example.com/twilio".into());
        assert_eq!(
            url(&e, &m),
            "https://hooks.example.com/twilio/sms?a=1",
            "configured"
        );
        let github: SignatureSpec =
            serde_json::from_value(json!({"scheme": "github", "secrets": ["s"]})).expect("spec");
        assert_eq!(
            called_url(Some(&e), &github, &m, reached),
            "",
            "not a URL scheme"
        );
    }

    #[test]
    fn the_host_is_called_at_the_receiver_s_scheme_or_the_proxy_s() {
        let spec: SignatureSpec =
            serde_json::from_value(json!({"scheme": "square", "secrets": ["s"]})).expect("spec");
        let at = |headers: &[(&str, &str)], via: Via, scheme: &str| {
            let m = RequestMeta {
                path: "/sq".into(),
                via,
                ..meta(headers, BodyState::Complete)
            };
            let reached = Reached {
                tunnel: Some("https://abc.ngrok.app"),
                scheme,
            };
            called_url(None, &spec, &m, reached)
        };
        let host = ("host", "hooks.example.com");
        assert_eq!(
            at(&[host], Via::Direct, "https"),
            "https://hooks.example.com/sq",
            "a receiver with TLS of its own"
        );
        assert_eq!(
            at(&[host], Via::Relay, "https"),
            "https://hooks.example.com/sq",
            "mirrored from a relay whose receiver has TLS, not through this tunnel"
        );
        assert_eq!(
            at(
                &[host, ("x-forwarded-proto", "HTTPS, http")],
                Via::Direct,
                "http"
            ),
            "https://hooks.example.com/sq",
            "a proxy that terminated TLS, the first one's word"
        );
        assert_eq!(
            at(&[host, ("x-forwarded-proto", "gopher")], Via::Relay, "http"),
            "http://hooks.example.com/sq",
            "not a scheme a URL-signing provider calls"
        );
    }
}
