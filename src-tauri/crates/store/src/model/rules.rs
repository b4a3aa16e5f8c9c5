//! Rules: conditions on captures and the actions they trigger.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

pub(super) fn yes() -> bool {
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
    /// `duplicate` (`true` for a repeated delivery of a provider's event), `header:<name>`, `query:<name>`, or `json:<pointer or dotted path>` (e.g.
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
