use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Result, RetryPolicy, StoreError};

/// What happened to a request's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyState {
    /// The whole body was received and stored.
    Complete,
    /// The body was over the limit and refused; `size` is what the sender announced.
    TooLarge,
    /// The sender stopped or stalled part-way; what arrived is stored.
    Incomplete,
}

impl BodyState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            BodyState::Complete => "complete",
            BodyState::TooLarge => "too_large",
            BodyState::Incomplete => "incomplete",
        }
    }

    pub(crate) fn parse(s: &str) -> BodyState {
        match s {
            "too_large" => BodyState::TooLarge,
            "incomplete" => BodyState::Incomplete,
            _ => BodyState::Complete,
        }
    }
}

/// Everything known about a captured request except its body.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestMeta {
    /// Public id: a ULID, so ids sort by arrival time.
    pub id: String,
    pub received_at_us: i64,
    /// Time from the first byte of the request to the end of its body.
    pub duration_us: i64,
    pub endpoint_id: Option<String>,
    pub endpoint_name: String,
    pub method: String,
    pub path: String,
    /// Raw query string, without the `?`.
    pub query: Option<String>,
    pub http_version: String,
    pub remote_addr: Option<String>,
    /// Headers in arrival order, duplicates kept; values are raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    pub body_state: BodyState,
    /// Why the body is not complete, in words.
    pub body_note: Option<String>,
    /// Body bytes received, or announced by the sender when refused.
    pub size: u64,
    /// Status Hooklens answered with.
    pub response_status: u16,
    /// The provider that sent it, when recognised: `stripe`, `github`, `shopify`, `slack`,
    /// `standard-webhooks`.
    pub provider: Option<String>,
    /// The provider's event type, e.g. `payment_intent.succeeded`, `pull_request.opened`.
    pub event_type: Option<String>,
    /// The signature check's verdict.
    pub signature: Option<SignatureVerdict>,
    /// Tags given by rules.
    pub tags: Vec<String>,
    /// Ids of the rules it matched.
    pub rules: Vec<String>,
    /// `tunnel` when it came through the public tunnel; `None` when it came directly.
    pub via: Option<String>,
}

/// Whether a request's signature checks out, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SignatureVerdict {
    /// `valid`, `invalid`, `missing` or `unconfigured`.
    pub status: String,
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

/// A rule: when a capture meets its conditions (all of them, or any), its actions run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub name: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    /// `all` (default) or `any` of the conditions.
    #[serde(default, rename = "match")]
    pub match_mode: MatchMode,
    pub conditions: Vec<Condition>,
    pub actions: Vec<RuleAction>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchMode {
    #[default]
    All,
    Any,
}

/// One test on a capture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// `endpoint`, `method`, `path`, `provider`, `event_type`, `signature`, `size`,
    /// `header:<name>`, `query:<name>`, or `json:<pointer or dotted path>` (e.g.
    /// `json:/data/object/amount` or `json:data.object.amount`).
    pub field: String,
    pub op: ConditionOp,
    /// What to compare with (not for `exists`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub value: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionOp {
    Equals,
    NotEquals,
    Contains,
    /// `*` and `?` wildcards, e.g. `payment_intent.*`.
    Glob,
    Regex,
    /// The field is present (`value: false`: absent).
    Exists,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// What a matching rule does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum RuleAction {
    /// Raises a notification. `title` and `body` may use `{{method}}`, `{{path}}`,
    /// `{{endpoint}}`, `{{provider}}`, `{{event_type}}`, `{{id}}`, `{{size}}` and
    /// `{{json:<path>}}`.
    Notify { title: String, body: String },
    /// Adds a tag to the request.
    Tag { tag: String },
    /// Pins the request: retention never deletes it.
    Pin,
    /// Forwards the request (also) to this URL, plus its path and query.
    Forward { url: String },
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rule {
    pub id: String,
    #[serde(flatten)]
    pub spec: RuleSpec,
    pub created_at: String,
}

/// A request as the receiver hands it to the store, with the deliveries it starts; all are
/// committed together, so a forward is never lost between capture and queue.
#[derive(Debug, Clone)]
pub struct Capture {
    pub meta: RequestMeta,
    pub body: Vec<u8>,
    /// Pinned from the start (a rule said so).
    pub pinned: bool,
    pub deliveries: Vec<crate::NewDelivery>,
}

/// A stored request.
#[derive(Debug, Clone)]
pub struct Request {
    /// Storage order; never reused.
    pub seq: i64,
    pub pinned: bool,
    pub meta: RequestMeta,
    /// `None` where the query did not load bodies (listings).
    pub body: Option<Vec<u8>>,
}

impl RequestMeta {
    /// First value of the header `name` (case-insensitive), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }
}

/// Encodes headers as `name: value\r\n` lines: byte-exact and cheap to store.
pub(crate) fn header_block(headers: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(headers.iter().map(|(n, v)| n.len() + v.len() + 4).sum());
    for (name, value) in headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Decodes what [`header_block`] wrote. Header values never contain CR or LF, so lines split
/// unambiguously.
pub fn parse_header_block(block: &[u8]) -> Vec<(String, Vec<u8>)> {
    block
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                return None;
            }
            let colon = line.iter().position(|&b| b == b':')?;
            let value = &line[colon + 1..];
            let value = value.strip_prefix(b" ").unwrap_or(value);
            Some((
                String::from_utf8_lossy(&line[..colon]).into_owned(),
                value.to_vec(),
            ))
        })
        .collect()
}

/// Which requests to list. Empty filter = all, newest first.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Endpoint name or id; `default` for requests outside any named endpoint.
    pub endpoint: Option<String>,
    pub method: Option<String>,
    /// Provider name, e.g. `stripe`.
    pub provider: Option<String>,
    /// Event type glob, e.g. `payment_intent.*`.
    pub event_type: Option<String>,
    /// Signature status: `valid`, `invalid`, `missing`, `unconfigured`.
    pub signature: Option<String>,
    /// Tag given by a rule.
    pub tag: Option<String>,
    /// Full-text query over path, query, headers and text bodies.
    pub q: Option<String>,
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    pub pinned: Option<bool>,
    /// Continue after this position (exclusive): the `next` of the previous page.
    pub before_seq: Option<i64>,
    /// Page size, clamped to 1..=1000.
    pub limit: usize,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<Request>,
    /// Pass as `before_seq` to get the next page; `None` on the last page.
    pub next: Option<i64>,
}

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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Forwarding {
    #[serde(default)]
    pub forward: Vec<ForwardTarget>,
    #[serde(default)]
    pub retry: Option<RetryPolicy>,
    #[serde(default)]
    pub relay: Option<Relay>,
    #[serde(default)]
    pub signature: Option<SignatureSpec>,
}

impl EndpointSpec {
    /// Checks the spec and normalises the path (no trailing slash).
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

/// `path` is `prefix` or below it, on a segment boundary: `/stripe` takes `/stripe/x`, not
/// `/stripes`.
pub fn path_under(prefix: &str, path: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

fn http_token(s: &str) -> Option<&str> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    ok.then_some(s)
}

/// Settings that persist in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(default)]
    pub retention: RetentionSettings,
    /// Allow forward targets that resolve to addresses other than loopback. Off by default:
    /// anyone who can send webhooks could otherwise make Hooklens call into your network.
    #[serde(default)]
    pub allow_remote_targets: bool,
    #[serde(default)]
    pub notifications: NotificationSettings,
}

/// Which events raise notifications, and how they are grouped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// When a delivery fails: `first` failure (default), `exhausted` retries, `both`, `off`.
    #[serde(default = "first")]
    pub delivery_failed: String,
    /// A forward target going down and coming back (default true).
    #[serde(default = "yes")]
    pub target_changes: bool,
    /// A request whose signature is invalid (default true).
    #[serde(default = "yes")]
    pub signature_invalid: bool,
    /// Notifications of one kind and key within this many seconds show as one popup
    /// ("and 37 more"). Default 10.
    #[serde(default = "ten")]
    pub window_s: u64,
}

fn first() -> String {
    "first".into()
}

fn ten() -> u64 {
    10
}

impl Default for NotificationSettings {
    fn default() -> Self {
        NotificationSettings {
            delivery_failed: first(),
            target_changes: true,
            signature_invalid: true,
            window_s: ten(),
        }
    }
}

/// Which old requests are deleted. Pinned requests are always kept. `null` turns a limit off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetentionSettings {
    /// Keep at most this many unpinned requests (default 100000).
    #[serde(default)]
    pub max_requests: Option<u64>,
    /// Delete unpinned requests older than this many days (default 30).
    #[serde(default)]
    pub max_age_days: Option<u64>,
    /// Keep the unpinned requests' bodies under this many MiB in total (default 2048).
    #[serde(default)]
    pub max_total_mib: Option<u64>,
}

impl Default for RetentionSettings {
    fn default() -> Self {
        RetentionSettings {
            max_requests: Some(100_000),
            max_age_days: Some(30),
            max_total_mib: Some(2048),
        }
    }
}

/// A JSON merge patch (RFC 7386) for [`Settings`].
pub type SettingsPatch = serde_json::Value;

impl Settings {
    /// Applies a JSON merge patch and validates the result.
    pub fn patched(&self, patch: &SettingsPatch) -> Result<Settings> {
        if !patch.is_object() {
            return Err(StoreError::Invalid(
                "settings patch must be a JSON object".into(),
            ));
        }
        let mut doc = serde_json::to_value(self)?;
        merge_patch(&mut doc, patch);
        let settings: Settings = serde_json::from_value(doc)
            .map_err(|e| StoreError::Invalid(format!("invalid settings: {e}")))?;
        if !["first", "exhausted", "both", "off"]
            .contains(&settings.notifications.delivery_failed.as_str())
        {
            return Err(StoreError::Invalid(
                "notifications.delivery_failed must be first, exhausted, both or off".into(),
            ));
        }
        if !(1..=3600).contains(&settings.notifications.window_s) {
            return Err(StoreError::Invalid(
                "notifications.window_s must be 1 to 3600".into(),
            ));
        }
        let r = &settings.retention;
        if r.max_requests == Some(0) || r.max_age_days == Some(0) || r.max_total_mib == Some(0) {
            return Err(StoreError::Invalid(
                "retention limits must be at least 1; use null to turn a limit off".into(),
            ));
        }
        Ok(settings)
    }
}

/// Applies a JSON merge patch (RFC 7386): objects merge, `null` removes a member, anything
/// else replaces.
pub fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (key, value) in p {
                if value.is_null() {
                    t.remove(key);
                } else {
                    merge_patch(t.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn header_block_round_trips_order_duplicates_and_bytes() {
        let headers = vec![
            ("X-Dup".to_string(), b"1".to_vec()),
            ("content-type".to_string(), b"application/json".to_vec()),
            ("X-Dup".to_string(), b"2: with colon".to_vec()),
            ("x-bin".to_string(), vec![0xff, 0x80, b' ']),
            ("x-empty".to_string(), Vec::new()),
        ];
        assert_eq!(parse_header_block(&header_block(&headers)), headers);
    }

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
        };
        assert!(e.matches("/stripe"));
        assert!(e.matches("/stripe/"));
        assert!(e.matches("/stripe/events/1"));
        assert!(!e.matches("/stripes"));
        assert!(!e.matches("/"));
    }

    #[test]
    fn settings_merge_patch() {
        let s = Settings::default();
        let p = s
            .patched(&json!({"retention": {"max_requests": 10, "max_age_days": null}}))
            .expect("valid");
        assert_eq!(p.retention.max_requests, Some(10));
        assert_eq!(p.retention.max_age_days, None);
        assert_eq!(p.retention.max_total_mib, Some(2048));
        assert!(
            s.patched(&json!({"retention": {"max_requests": 0}}))
                .is_err()
        );
        assert!(s.patched(&json!({"nope": 1})).is_err());
        assert!(
            s.patched(&json!({"retention": {"max_requests": "x"}}))
                .is_err()
        );
    }
}
