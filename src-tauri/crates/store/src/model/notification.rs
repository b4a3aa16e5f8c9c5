//! The record of notifications raised.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A notification as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoredNotification {
    #[serde(skip)]
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    #[serde(skip)]
    pub at_us: i64,
    pub kind: super::NotificationKind,
    /// What it is about: a rule id, a target, an endpoint.
    pub key: String,
    pub title: String,
    pub body: String,
    pub request_id: Option<String>,
    /// Whether a popup showed it (otherwise it was folded into a summary).
    pub shown: bool,
}
