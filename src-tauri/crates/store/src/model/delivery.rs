//! Deliveries and their attempts: the persistent forwarding queue's data types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Result, StoreError};

/// Why a delivery exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryKind {
    /// Forwarded as it arrived, to a configured target.
    Auto,
    /// Sent again on request, possibly edited.
    Replay,
    /// Forwarded while the sender waited for the answer (relay mode).
    Relay,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet; `next_attempt_at` says when it is tried next.
    Pending,
    Succeeded,
    /// Gave up: retries exhausted, or the target answered 410 Gone.
    Failed,
}

/// How long to wait between attempts, as data. The delay itself is computed by the
/// forwarder from this, the attempt number, `Retry-After` and a jitter seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPolicy {
    /// Wait before retry 1, 2, 3…, in milliseconds; its length is the number of retries.
    #[serde(default = "default_schedule")]
    pub schedule_ms: Vec<u64>,
    /// Each wait is moved by up to this fraction, up or down (0–1), so retries from many
    /// requests do not arrive at once. Default 0.2.
    #[serde(default = "default_jitter")]
    pub jitter: f64,
    /// A `Retry-After` longer than this (ms) is cut to it. Default 15 minutes.
    #[serde(default = "default_max_retry_after")]
    pub max_retry_after_ms: u64,
    /// Each attempt gives up after this long (ms). Default 30 s.
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
}

/// For local development: first retries within seconds, gives up after about an hour.
fn default_schedule() -> Vec<u64> {
    [1, 2, 5, 10, 30, 60, 120, 300, 600, 900, 900, 900]
        .iter()
        .map(|s| s * 1000)
        .collect()
}

fn default_jitter() -> f64 {
    0.2
}

fn default_max_retry_after() -> u64 {
    15 * 60 * 1000
}

fn default_timeout() -> u64 {
    30_000
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            schedule_ms: default_schedule(),
            jitter: default_jitter(),
            max_retry_after_ms: default_max_retry_after(),
            timeout_ms: default_timeout(),
        }
    }
}

impl RetryPolicy {
    pub fn validate(&self) -> Result<()> {
        let invalid = |m: &str| Err(StoreError::Invalid(format!("retry policy: {m}")));
        if self.schedule_ms.len() > 100 {
            return invalid("at most 100 retries");
        }
        if self.schedule_ms.iter().any(|&ms| ms > 24 * 3_600_000) {
            return invalid("a wait may be at most 24 hours");
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return invalid("jitter must be between 0 and 1");
        }
        if self.timeout_ms == 0 || self.timeout_ms > 600_000 {
            return invalid("timeout_ms must be 1 to 600000");
        }
        Ok(())
    }
}

/// What replaces parts of the captured request in an edited replay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path and query sent to the target, replacing the mapped one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Replaces all of the captured headers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Vec<String>>>)]
    pub headers: Option<Vec<(String, String)>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_base64: Option<String>,
}

/// Everything a delivery needs besides the request, kept with it so a restart resumes it
/// exactly as configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliverySpec {
    pub retry: RetryPolicy,
    /// Headers added to (or replacing) the forwarded ones.
    #[serde(default)]
    #[schema(value_type = Vec<Vec<String>>)]
    pub headers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Overrides>,
    /// Re-sign with the current time before each attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resign: Option<crate::Resign>,
}

/// A delivery to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub kind: DeliveryKind,
    pub target: String,
    pub url: String,
    pub spec: DeliverySpec,
    pub next_attempt_at_us: i64,
}

/// A stored delivery.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub seq: i64,
    pub id: String,
    pub request_id: String,
    pub kind: DeliveryKind,
    pub target: String,
    pub url: String,
    pub spec: DeliverySpec,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_attempt_at_us: Option<i64>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub created_at_us: i64,
    pub updated_at_us: i64,
}

/// One try at a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub n: u32,
    pub started_at_us: i64,
    pub duration_us: i64,
    pub status: Option<u16>,
    pub response_headers: Vec<(String, Vec<u8>)>,
    /// The first 64 KiB of the response body.
    pub response_body: Vec<u8>,
    pub response_size: Option<u64>,
    pub error_kind: Option<crate::AttemptErrorKind>,
    pub error: Option<String>,
}

/// Where a delivery goes after an attempt.
#[derive(Debug, Clone)]
pub struct AttemptOutcome {
    pub state: DeliveryState,
    pub next_attempt_at_us: Option<i64>,
    /// A person-readable summary: "connection refused at … — next retry in 30 s".
    pub summary: Option<String>,
}

/// Which deliveries to list.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub state: Option<DeliveryState>,
    pub request_id: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: usize,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Succeeded => "succeeded",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> DeliveryState {
        match s {
            "succeeded" => DeliveryState::Succeeded,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

impl DeliveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryKind::Auto => "auto",
            DeliveryKind::Replay => "replay",
            DeliveryKind::Relay => "relay",
        }
    }

    pub fn parse(s: &str) -> DeliveryKind {
        match s {
            "replay" => DeliveryKind::Replay,
            "relay" => DeliveryKind::Relay,
            _ => DeliveryKind::Auto,
        }
    }
}
