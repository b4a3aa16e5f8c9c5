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
    /// One or more secrets (several while rotating). Returned masked by the API.
    pub secrets: Vec<String>,
    /// Timestamped schemes: how old a signature may be, in seconds. Default 300.
    #[serde(default = "default_tolerance")]
    pub tolerance_s: u64,
    /// `hmac-sha256` only: the header carrying the signature (hex or base64, optionally
    /// prefixed `sha256=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}

fn default_tolerance() -> u64 {
    300
}

/// A signing scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureScheme {
    Stripe,
    Github,
    Shopify,
    Slack,
    StandardWebhooks,
    HmacSha256,
}

impl SignatureScheme {
    pub fn as_str(self) -> &'static str {
        match self {
            SignatureScheme::Stripe => "stripe",
            SignatureScheme::Github => "github",
            SignatureScheme::Shopify => "shopify",
            SignatureScheme::Slack => "slack",
            SignatureScheme::StandardWebhooks => "standard-webhooks",
            SignatureScheme::HmacSha256 => "hmac-sha256",
        }
    }
}

/// Re-sign what is forwarded, with the current time, so the receiving code's own signature
/// and tolerance checks pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resign {
    pub scheme: SignatureScheme,
    /// The secret your service checks with.
    pub secret: String,
    /// `hmac-sha256` only: the header to put the signature in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
}
