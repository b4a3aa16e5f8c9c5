//! Endpoints: path prefixes with their own response, forwarding and signature check.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Resign, SignatureScheme, SignatureSpec};
use crate::{Result, RetryPolicy, StoreError};

/// How Hooklens answers requests to an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointResponse {
    /// HTTP status, 100–599. Default 200.
    #[serde(default = "default_status")]
    pub status: u16,
    /// Extra response headers, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Response body. `{{id}}`, `{{method}}` and `{{path}}` are replaced with the captured
    /// request's values. Absent: a JSON body with the request id.
    #[serde(default)]
    pub body: Option<String>,
    /// Wait this long (after storing) before answering, at most 30000 ms.
    #[serde(default)]
    pub delay_ms: u64,
}

fn default_status() -> u16 {
    200
}

impl Default for EndpointResponse {
    fn default() -> Self {
        EndpointResponse {
            status: 200,
            headers: Vec::new(),
            body: None,
            delay_ms: 0,
        }
    }
}

/// Longest delay an endpoint may add before answering.
pub const MAX_DELAY_MS: u64 = 30_000;

/// What a client sends to create or replace an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// A short name shown in the UI and used in filters, e.g. `stripe`.
    pub name: String,
    /// Path prefix, e.g. `/stripe`: it takes `/stripe` and everything under `/stripe/`.
    pub path: String,
    #[serde(default)]
    pub response: EndpointResponse,
    /// Where requests to this endpoint are forwarded (several: each gets a copy). Empty: the
    /// global target (`hooklens serve --forward-to`), if any.
    #[serde(default)]
    pub forward: Vec<ForwardTarget>,
    /// Retry policy for this endpoint's deliveries; absent: the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    /// Relay mode: answer the sender with the first target's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<Relay>,
    /// Check the signatures of this endpoint's requests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureSpec>,
    /// The URL the provider is configured to call, e.g. `https://hooks.example.com/twilio`.
    /// Schemes that sign the URL (`twilio`, `square`) check against it; absent: the tunnel's
    /// public URL the request came through, else the URL rebuilt from its `Host` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// Answer the verification handshakes of the provider the scheme names (Slack's
    /// `url_verification`, Meta's `hub.challenge`, Discord's PING, …) and, without a scheme,
    /// those detected unambiguously. Default `true`; `false` leaves them to the endpoint's
    /// response or the relayed service.
    #[serde(default = "super::rules::yes")]
    pub answer_handshakes: bool,
    /// Forward a repeated delivery of an event already received (`duplicate_of` set). Default
    /// `true`; `false` records it but forwards only the first delivery.
    #[serde(default = "super::rules::yes")]
    pub forward_duplicates: bool,
}

/// A named endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Endpoint {
    pub id: String,
    pub name: String,
    pub path: String,
    pub response: EndpointResponse,
    pub forward: Vec<ForwardTarget>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<RetryPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<Relay>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    #[serde(default = "super::rules::yes")]
    pub answer_handshakes: bool,
    #[serde(default = "super::rules::yes")]
    pub forward_duplicates: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// A service requests are forwarded to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardTarget {
    /// e.g. `http://localhost:3000/webhooks`. Must resolve to loopback unless the setting
    /// `allow_remote_targets` is on.
    pub url: String,
    /// `keep` (default): the target URL plus the captured path after the endpoint's prefix,
    /// plus the query. `fixed`: the target URL as is, plus the query.
    #[serde(default)]
    pub path: PathMode,
    /// Headers added to each forwarded request (replacing ones of the same name).
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>)]
    pub headers: Vec<(String, String)>,
    /// Re-sign each forwarded request for this target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resign: Option<Resign>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PathMode {
    #[default]
    Keep,
    Fixed,
}

/// Relay mode: the receiver waits for the first target's answer and returns it to the
/// sender (status, headers, body); if the target fails or is slower than `timeout_ms`, the
/// endpoint's `response` is the answer and the delivery is retried as usual.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Relay {
    /// Default 10000, at most 30000.
    #[serde(default = "default_relay_timeout")]
    pub timeout_ms: u64,
}

fn default_relay_timeout() -> u64 {
    10_000
}

/// How endpoint forwarding is stored: one JSON column.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Forwarding {
    #[serde(default)]
    pub forward: Vec<ForwardTarget>,
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    #[serde(default)]
    pub relay: Option<Relay>,
    #[serde(default)]
    pub signature: Option<SignatureSpec>,
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default = "super::rules::yes")]
    pub answer_handshakes: bool,
    #[serde(default = "super::rules::yes")]
    pub forward_duplicates: bool,
}

impl EndpointSpec {
    /// Checks the spec and normalises the path (no trailing slash).
    // Long: one check per field, in field order, each with its message.
    pub fn validate(mut self) -> Result<EndpointSpec> {
        let invalid = |msg: String| Err(StoreError::Invalid(msg));
        self.name = self.name.trim().to_string();
        if self.name.is_empty() || self.name.len() > 64 {
            return invalid("endpoint name must be 1 to 64 characters".into());
        }
        if self.name.eq_ignore_ascii_case("default") {
            return invalid("`default` is reserved for requests outside any endpoint".into());
        }
        let path = self.path.trim().trim_end_matches('/');
        if !path.starts_with('/') || path.len() < 2 {
            return invalid(format!(
                "endpoint path {:?} must start with / and name at least one segment, e.g. /stripe",
                self.path
            ));
        }
        if path.contains("//")
            || path
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '?' || c == '#')
        {
            return invalid(format!(
                "endpoint path {:?} may not contain empty segments, spaces, ? or #",
                self.path
            ));
        }
        self.path = path.to_string();
        for target in &self.forward {
            let url = target.url.trim();
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                return invalid(format!(
                    "forward target {:?} must be an http:// or https:// URL, e.g. http://localhost:3000/webhooks",
                    target.url
                ));
            }
            for (name, value) in &target.headers {
                if http_token(name).is_none() || value.chars().any(|c| c == '\r' || c == '\n') {
                    return invalid(format!(
                        "forward header {name:?} is not a valid HTTP header"
                    ));
                }
            }
            if let Some(resign) = &target.resign {
                resign.validate()?;
            }
        }
        if let Some(retry) = &self.retry {
            retry.validate()?;
        }
        if self
            .relay
            .as_ref()
            .is_some_and(|r| r.timeout_ms == 0 || r.timeout_ms > MAX_DELAY_MS)
        {
            return invalid("relay timeout_ms must be 1 to 30000".into());
        }
        if let Some(sig) = &self.signature {
            if sig.secrets.is_empty() || sig.secrets.iter().any(|s| s.is_empty()) {
                return invalid("signature needs at least one non-empty secret".into());
            }
            if sig.scheme == SignatureScheme::HmacSha256
                && sig
                    .header
                    .as_deref()
                    .is_none_or(|h| http_token(h).is_none())
            {
                return invalid("the hmac-sha256 scheme needs `header`, e.g. X-Signature".into());
            }
            match (&sig.verify_token, sig.scheme) {
                (Some(token), SignatureScheme::Meta) if token.trim().is_empty() => {
                    return invalid("the verify token must not be empty".into());
                }
                (Some(_), scheme) if scheme != SignatureScheme::Meta => {
                    return invalid(format!(
                        "verify_token is Meta's (scheme meta); the {} scheme has none",
                        scheme.as_str()
                    ));
                }
                _ => {}
            }
        }
        if let Some(url) = &mut self.public_url {
            *url = url.trim().to_string();
            if !public_url_ok(url) {
                return invalid(format!(
                    "public_url {url:?} must be the full http:// or https:// URL the provider \
                     calls, e.g. https://hooks.example.com/twilio"
                ));
            }
        }
        if self.relay.is_some() && self.forward.is_empty() {
            return invalid("relay mode needs a forward target to relay to".into());
        }
        let r = &self.response;
        if !(100..=599).contains(&r.status) {
            return invalid(format!("response status {} is not in 100–599", r.status));
        }
        if r.delay_ms > MAX_DELAY_MS {
            return invalid(format!(
                "response delay {} ms is over the {MAX_DELAY_MS} ms limit",
                r.delay_ms
            ));
        }
        for (name, value) in &r.headers {
            if http_token(name).is_none() || value.chars().any(|c| c == '\r' || c == '\n') {
                return invalid(format!(
                    "response header {name:?} is not a valid HTTP header"
                ));
            }
        }
        Ok(self)
    }

    /// Whether this endpoint takes `path`.
    pub fn matches(&self, path: &str) -> bool {
        path_under(&self.path, path)
    }
}

impl Endpoint {
    /// Whether this endpoint takes `path`.
    pub fn matches(&self, path: &str) -> bool {
        path_under(&self.path, path)
    }
}

/// The endpoint that takes `path`: the longest matching prefix.
pub fn endpoint_for<'a>(endpoints: &'a [Endpoint], path: &str) -> Option<&'a Endpoint> {
    endpoints
        .iter()
        .filter(|e| e.matches(path))
        .max_by_key(|e| e.path.len())
}

/// `path` is `prefix` or below it, on a segment boundary: `/stripe` takes `/stripe/x`, not
/// `/stripes`.
pub fn path_under(prefix: &str, path: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `http(s)://host…` with no whitespace: what a provider could have been given to call.
fn public_url_ok(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.starts_with('/'))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

impl Resign {
    /// Refuses a scheme Hooklens cannot sign with, saying why.
    pub fn validate(&self) -> Result<()> {
        if let Some(why) = self.scheme.resign_refusal() {
            return Err(StoreError::Invalid(format!(
                "cannot re-sign with {}: {why}",
                self.scheme.as_str()
            )));
        }
        if self.secret.is_empty() {
            return Err(StoreError::Invalid(
                "re-signing needs the secret your service checks with".into(),
            ));
        }
        Ok(())
    }
}

fn http_token(s: &str) -> Option<&str> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    ok.then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_validation() {
        let spec = |name: &str, path: &str| EndpointSpec {
            name: name.into(),
            path: path.into(),
            response: EndpointResponse::default(),
            forward: Vec::new(),
            retry: None,
            relay: None,
            signature: None,
            public_url: None,
            answer_handshakes: true,
            forward_duplicates: true,
        };
        let cases: &[(&str, &str, Result<&str, &str>)] = &[
            ("stripe", "/stripe", Ok("/stripe")),
            ("gh", "/hooks/github/", Ok("/hooks/github")),
            ("x", "stripe", Err("must start with /")),
            ("x", "/", Err("must start with /")),
            ("x", "/a//b", Err("empty segments")),
            ("x", "/a b", Err("spaces")),
            ("", "/a", Err("name must be")),
            ("Default", "/a", Err("reserved")),
        ];
        for (name, path, want) in cases {
            match (spec(name, path).validate(), want) {
                (Ok(got), Ok(want)) => assert_eq!(got.path, *want, "{path}"),
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{path}: {e}"),
                (got, want) => panic!("{name} {path}: got {got:?}, want {want:?}"),
            }
        }
        let mut bad = spec("x", "/x");
        bad.response.delay_ms = 30_001;
        assert!(bad.validate().is_err());
        let mut bad = spec("x", "/x");
        bad.response.headers = vec![("X-Ok".into(), "a\r\nSet-Cookie: x".into())];
        assert!(bad.validate().is_err());
        for (url, ok) in [
            (" https://hooks.example.com/twilio ", true),
            ("http://localhost:4780/sq?x=1", true),
            ("hooks.example.com/twilio", false),
            ("https:///path", false),
            ("https://a b", false),
        ] {
            let mut spec = spec("x", "/x");
            spec.public_url = Some(url.into());
            let got = spec.validate();
            assert_eq!(got.is_ok(), ok, "{url}: {got:?}");
            if let Ok(got) = got {
                assert_eq!(got.public_url.as_deref(), Some(url.trim()));
            }
        }
        for (scheme, token, ok) in [
            (SignatureScheme::Meta, "meatyhamhock", true),
            (SignatureScheme::Meta, " ", false),
            (SignatureScheme::Slack, "meatyhamhock", false),
        ] {
            let mut spec = spec("x", "/x");
            spec.signature = Some(SignatureSpec {
                scheme,
                secrets: vec!["app-secret".into()],
                tolerance_s: 300,
                header: None,
                verify_token: Some(token.into()),
            });
            let got = spec.validate();
            assert_eq!(got.is_ok(), ok, "{scheme:?} {token:?}: {got:?}");
        }
    }

    #[test]
    fn targets_cannot_be_resigned_with_a_provider_s_private_key() {
        let mut spec = EndpointSpec {
            name: "sg".into(),
            path: "/sg".into(),
            response: EndpointResponse::default(),
            forward: vec![ForwardTarget {
                url: "http://localhost:3000/hooks".into(),
                path: PathMode::Keep,
                headers: Vec::new(),
                resign: Some(Resign {
                    scheme: SignatureScheme::Sendgrid,
                    secret: "k".into(),
                    header: None,
                }),
            }],
            retry: None,
            relay: None,
            signature: None,
            public_url: None,
            answer_handshakes: true,
            forward_duplicates: true,
        };
        let err = spec.clone().validate().expect_err("refused").to_string();
        assert!(err.contains("private ECDSA key"), "{err}");
        spec.forward[0].resign = Some(Resign {
            scheme: SignatureScheme::Twilio,
            secret: "k".into(),
            header: None,
        });
        assert!(spec.validate().is_ok());
    }

    #[test]
    fn endpoint_matches_on_segment_boundaries() {
        let e = EndpointSpec {
            name: "s".into(),
            path: "/stripe".into(),
            response: EndpointResponse::default(),
            forward: Vec::new(),
            retry: None,
            relay: None,
            signature: None,
            public_url: None,
            answer_handshakes: true,
            forward_duplicates: true,
        };
        assert!(e.matches("/stripe"));
        assert!(e.matches("/stripe/"));
        assert!(e.matches("/stripe/events/1"));
        assert!(!e.matches("/stripes"));
        assert!(!e.matches("/"));
    }
}
