//! The tools' arguments. Their names are the list API's query names (`q`, `endpoint`,
//! `method`, `provider`, `event_type`, `signature`, `since`, `limit`) plus `id`, `after` and
//! `timeout_ms`, so what an agent learns from one carries over to the HTTP API. Each doc
//! comment becomes the argument's description in the tool's JSON schema.
//!
//! Providers and signature schemes are named by example, not listed: the lists are the
//! engine's (`SignatureScheme`, the sample events), which this crate does not depend on and
//! which grow, and the API's error for an unknown name lists them all.

use schemars::JsonSchema;
use serde::Deserialize;

/// The list filters, shared by `list_requests` and `wait_for_request`.
#[derive(Debug, Default, Clone, Deserialize, JsonSchema)]
pub struct Filter {
    /// Full-text search over path, query, headers and text bodies: every word must match,
    /// the last one as a prefix (e.g. `order creat`).
    #[serde(default)]
    pub q: Option<String>,
    /// Endpoint name or id (see list_endpoints); `default` for requests outside any endpoint.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// HTTP method, any case, e.g. `POST`.
    #[serde(default)]
    pub method: Option<String>,
    /// The provider Hooklens recognised, as a request's `provider` shows it: named like its
    /// signature scheme (create_endpoint's `signature.scheme`, less `hmac-sha256`), e.g.
    /// `stripe`, `github`, `shopify`, `twilio`, `standard-webhooks`.
    #[serde(default)]
    pub provider: Option<String>,
    /// The provider's event type; `*` matches anything, e.g. `payment_intent.*`,
    /// `issues.opened`, `orders/create`.
    #[serde(default)]
    pub event_type: Option<String>,
    /// Signature verdict: `valid`, `invalid`, `missing` or `unconfigured`.
    #[serde(default)]
    pub signature: Option<String>,
    /// Only requests received at or after this time: RFC 3339 (`2026-11-28T10:00:00Z`) or
    /// microseconds since the Unix epoch.
    #[serde(default)]
    pub since: Option<String>,
}

impl Filter {
    /// The filter as query parameters, in the list API's names.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("q", &self.q),
            ("endpoint", &self.endpoint),
            ("method", &self.method),
            ("provider", &self.provider),
            ("event_type", &self.event_type),
            ("signature", &self.signature),
            ("since", &self.since),
        ]
        .into_iter()
        .filter_map(|(name, value)| Some((name, value.clone()?)))
        .collect()
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListArgs {
    #[serde(flatten)]
    pub filter: Filter,
    /// How many requests, newest first: 1 to 100 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct WaitArgs {
    #[serde(flatten)]
    pub filter: Filter,
    /// A request id: wait for the first match stored after that request (one already
    /// stored counts, so nothing is missed between two calls). Default: the first match
    /// stored after this call.
    #[serde(default)]
    pub after: Option<String>,
    /// How long to wait, in milliseconds: 0 to 60000 (default 30000).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct IdArgs {
    /// The id (a ULID, as list_requests, list_deliveries or wait_for_request show it).
    pub id: String,
}

/// Re-sign the replay so your service's signature check passes.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResignArgs {
    /// The signature scheme your service checks, named as in create_endpoint's
    /// `signature.scheme`, e.g. `stripe`, `github`, `standard-webhooks` or `hmac-sha256`. An
    /// unknown name is an error that lists every scheme; one only the provider can sign
    /// (e.g. `sendgrid`, `discord`: their private keys) is an error that says why.
    pub scheme: String,
    /// The secret your service verifies with.
    pub secret: String,
    /// `hmac-sha256` only: the header to put the signature in.
    #[serde(default)]
    pub header: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReplayArgs {
    /// The captured request to send again.
    pub id: String,
    /// Send to this URL exactly (plus the captured query), e.g.
    /// `http://localhost:3000/webhooks`. Default: the request's endpoint target, or
    /// Hooklens' --forward-to target.
    #[serde(default)]
    pub target: Option<String>,
    /// Send with this method instead.
    #[serde(default)]
    pub method: Option<String>,
    /// Send to this path and query instead of the mapped ones, e.g. `/webhooks?test=1`.
    #[serde(default)]
    pub path: Option<String>,
    /// Replace all captured headers with these `[name, value]` pairs.
    #[serde(default)]
    pub headers: Option<Vec<(String, String)>>,
    /// Replace the body with this text.
    #[serde(default)]
    pub body: Option<String>,
    /// Replace the body with these bytes, base64 (for binary bodies).
    #[serde(default)]
    pub body_base64: Option<String>,
    /// Re-sign with this scheme and secret and the current time (needed after editing a
    /// signed body, or when the captured signature is too old for your tolerance).
    #[serde(default)]
    pub resign: Option<ResignArgs>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TestEventArgs {
    /// A provider Hooklens has sample events for, e.g. `stripe`, `github`, `shopify`,
    /// `slack`, `paddle`, `gitlab`. An unknown one is an error that lists them all.
    pub provider: String,
    /// The event type, e.g. `payment_intent.succeeded`, `issues.opened`, `orders/create`.
    /// Default: the provider's most common one.
    #[serde(default)]
    pub event_type: Option<String>,
    /// Endpoint name or id to send it to (signed with its secret when the scheme matches).
    /// Default: the receiver's root.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Also deliver it straight to this URL, e.g. `http://localhost:3000/webhooks`.
    #[serde(default)]
    pub target: Option<String>,
    /// Sign with this secret instead of the endpoint's.
    #[serde(default)]
    pub secret: Option<String>,
}

/// The signature check of a new endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SignatureArgs {
    /// How the provider signs, by its name: e.g. `stripe`, `github`, `shopify`, `slack`,
    /// `twilio`, `standard-webhooks` (Svix and others), or `hmac-sha256` for a plain
    /// HMAC-SHA256 in the header `header` names. An unknown name is an error that lists every
    /// scheme.
    pub scheme: String,
    /// The signing secret the provider gave you (e.g. `whsec_…`). Shown masked afterwards.
    pub secret: String,
    /// Timestamped schemes: how old a signature may be, in seconds (default 300).
    #[serde(default)]
    pub tolerance_s: Option<u64>,
    /// `hmac-sha256` only: the header carrying the signature.
    #[serde(default)]
    pub header: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct CreateEndpointArgs {
    /// A short name, used in filters: e.g. `stripe`.
    pub name: String,
    /// Path prefix on the receiver, e.g. `/stripe`: it takes `/stripe` and everything under
    /// `/stripe/`.
    pub path: String,
    /// Forward this endpoint's requests to these URLs (each gets a copy), e.g.
    /// `http://localhost:3000/webhooks`; the path after the prefix is appended.
    #[serde(default)]
    pub forward_to: Vec<String>,
    /// Check the signature of every request to it.
    #[serde(default)]
    pub signature: Option<SignatureArgs>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct DeliveriesArgs {
    /// A request id: only that request's deliveries. Default: recent deliveries of all.
    #[serde(default)]
    pub id: Option<String>,
    /// `pending`, `succeeded` or `failed` (recent deliveries only).
    #[serde(default)]
    pub state: Option<String>,
    /// How many, newest first: 1 to 100 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
}
