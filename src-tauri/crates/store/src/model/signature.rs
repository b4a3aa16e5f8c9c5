//! Signature checking and re-signing settings.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether a request's signature checks out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SignatureVerdict {
    pub status: super::SignatureStatus,
    /// The scheme it was checked with.
    pub scheme: Option<String>,
    /// Why, for a person: "timestamp is 9 min old, tolerance 5 min".
    pub reason: String,
}

/// How an endpoint's requests are signed, so Hooklens can check them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignatureSpec {
    pub scheme: SignatureScheme,
    /// One or more secrets (several while rotating). Returned masked by the API. For the
    /// public-key schemes, the provider's public key as its dashboard shows it (`sendgrid`:
    /// base64 DER; `discord`: hex); for `gitlab` the secret token; for `msgraph` the
    /// subscription's `clientState`.
    pub secrets: Vec<String>,
    /// Timestamped schemes: how old a signature may be, in seconds. Default 300.
    #[serde(default = "default_tolerance")]
    pub tolerance_s: u64,
    /// `hmac-sha256` only: the header carrying the signature (hex or base64, optionally
    /// prefixed `sha256=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// `meta` only: the verify token you type into Meta's dashboard next to the callback URL;
    /// Hooklens answers Meta's `hub.challenge` only when the request carries it. Returned
    /// masked by the API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify_token: Option<String>,
}

fn default_tolerance() -> u64 {
    300
}

/// A signing scheme: how a provider signs its webhooks, and so how Hooklens checks them.
/// The names on the wire are the contract users' scripts rely on (`as_str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureScheme {
    Stripe,
    Github,
    Shopify,
    Slack,
    StandardWebhooks,
    HmacSha256,
    Twilio,
    Sendgrid,
    Discord,
    Paddle,
    Linear,
    Gitlab,
    Intercom,
    Square,
    Mailgun,
    Pagerduty,
    Zoom,
    Typeform,
    Twitch,
    Meta,
    X,
    Msgraph,
    Dropbox,
}

impl SignatureScheme {
    /// Every scheme, in the order the UI lists them.
    pub const ALL: [SignatureScheme; 23] = [
        SignatureScheme::Stripe,
        SignatureScheme::Github,
        SignatureScheme::Shopify,
        SignatureScheme::Slack,
        SignatureScheme::StandardWebhooks,
        SignatureScheme::HmacSha256,
        SignatureScheme::Twilio,
        SignatureScheme::Sendgrid,
        SignatureScheme::Discord,
        SignatureScheme::Paddle,
        SignatureScheme::Linear,
        SignatureScheme::Gitlab,
        SignatureScheme::Intercom,
        SignatureScheme::Square,
        SignatureScheme::Mailgun,
        SignatureScheme::Pagerduty,
        SignatureScheme::Zoom,
        SignatureScheme::Typeform,
        SignatureScheme::Twitch,
        SignatureScheme::Meta,
        SignatureScheme::X,
        SignatureScheme::Msgraph,
        SignatureScheme::Dropbox,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::Stripe => "stripe",
            SignatureScheme::Github => "github",
            SignatureScheme::Shopify => "shopify",
            SignatureScheme::Slack => "slack",
            SignatureScheme::StandardWebhooks => "standard-webhooks",
            SignatureScheme::HmacSha256 => "hmac-sha256",
            SignatureScheme::Twilio => "twilio",
            SignatureScheme::Sendgrid => "sendgrid",
            SignatureScheme::Discord => "discord",
            SignatureScheme::Paddle => "paddle",
            SignatureScheme::Linear => "linear",
            SignatureScheme::Gitlab => "gitlab",
            SignatureScheme::Intercom => "intercom",
            SignatureScheme::Square => "square",
            SignatureScheme::Mailgun => "mailgun",
            SignatureScheme::Pagerduty => "pagerduty",
            SignatureScheme::Zoom => "zoom",
            SignatureScheme::Typeform => "typeform",
            SignatureScheme::Twitch => "twitch",
            SignatureScheme::Meta => "meta",
            SignatureScheme::X => "x",
            SignatureScheme::Msgraph => "msgraph",
            SignatureScheme::Dropbox => "dropbox",
        }
    }

    /// Whether the endpoint's `secrets` are the provider's public keys (it signs with the
    /// private half, which only the provider has).
    pub fn public_key(self) -> bool {
        matches!(self, SignatureScheme::Sendgrid | SignatureScheme::Discord)
    }

    /// Whether the signature covers the URL the provider called, so verification needs the
    /// endpoint's public URL.
    pub fn signs_url(self) -> bool {
        matches!(self, SignatureScheme::Twilio | SignatureScheme::Square)
    }

    /// Why Hooklens cannot re-sign with this scheme, or `None` when it can.
    pub fn resign_refusal(self) -> Option<&'static str> {
        match self {
            SignatureScheme::Sendgrid => Some(
                "SendGrid signs with its own private ECDSA key: only SendGrid can make a \
                 signature its public key accepts, so forward or replay without re-signing",
            ),
            SignatureScheme::Discord => Some(
                "Discord signs with its own private Ed25519 key: only Discord can make a \
                 signature its public key accepts, so forward or replay without re-signing",
            ),
            SignatureScheme::Msgraph => Some(
                "Microsoft Graph has no signature to renew: its clientState travels inside \
                 the body, which is forwarded as captured",
            ),
            SignatureScheme::Mailgun => Some(
                "Mailgun's signature travels inside the body, which is forwarded byte-exact: \
                 re-signing would change the body",
            ),
            _ => None,
        }
    }
}

/// Re-sign what is forwarded, with the current time, so the receiving code's own signature
/// and tolerance checks pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resign {
    pub scheme: SignatureScheme,
    /// The secret your service checks with. Not every scheme can be re-signed: see
    /// `SignatureScheme::resign_refusal`.
    pub secret: String,
    /// `hmac-sha256` only: the header to put the signature in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_is_named_on_the_wire_as_as_str_says() {
        for scheme in SignatureScheme::ALL {
            let wire = serde_json::to_value(scheme).expect("serialises");
            assert_eq!(wire, scheme.as_str(), "{scheme:?}");
            let back: SignatureScheme = serde_json::from_value(wire).expect("deserialises");
            assert_eq!(back, scheme);
        }
        let names: std::collections::HashSet<&str> =
            SignatureScheme::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names.len(), SignatureScheme::ALL.len(), "no name twice");
    }

    #[test]
    fn public_key_schemes_cannot_be_resigned() {
        for scheme in SignatureScheme::ALL {
            if scheme.public_key() {
                assert!(scheme.resign_refusal().is_some(), "{scheme:?}");
            }
        }
        assert!(SignatureScheme::Twilio.resign_refusal().is_none());
    }
}
