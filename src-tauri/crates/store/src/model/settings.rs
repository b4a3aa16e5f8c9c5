//! Settings kept in the store, and JSON merge patches.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::yes;
use crate::{Result, StoreError};

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
    /// Where requests go that no endpoint with targets of its own handles, as set in the
    /// window (`--forward-to` adds its own targets beside these).
    #[serde(default)]
    pub forward: ForwardSettings,
}

/// The window's forwarding: local URLs that every request outside endpoints with targets of
/// their own goes to (the captured path kept), switched on and off as one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForwardSettings {
    /// Forward to `targets` (default true; off keeps the targets for later).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Base URLs, e.g. `http://127.0.0.1:3000`: the captured path and query are appended.
    #[serde(default)]
    pub targets: Vec<String>,
}

impl Default for ForwardSettings {
    fn default() -> Self {
        ForwardSettings {
            enabled: true,
            targets: Vec::new(),
        }
    }
}

impl ForwardSettings {
    /// The targets requests go to now: none while switched off.
    pub fn active(&self) -> &[String] {
        if self.enabled { &self.targets } else { &[] }
    }
}

/// Most URLs the window's forwarding holds.
pub const MAX_FORWARD_TARGETS: usize = 16;

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

/// How many requests each limit removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub by_age: u64,
    pub by_count: u64,
    pub by_size: u64,
}

impl RetentionReport {
    pub fn total(&self) -> u64 {
        self.by_age + self.by_count + self.by_size
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
        let mut settings = settings;
        settings.forward.targets = forward_targets(&settings.forward.targets)?;
        let r = &settings.retention;
        if r.max_requests == Some(0) || r.max_age_days == Some(0) || r.max_total_mib == Some(0) {
            return Err(StoreError::Invalid(
                "retention limits must be at least 1; use null to turn a limit off".into(),
            ));
        }
        Ok(settings)
    }
}

/// The targets trimmed, each once; empty ones and more than [`MAX_FORWARD_TARGETS`] refused.
/// (Whether each is a URL Hooklens may send to is the engine's check.)
fn forward_targets(targets: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(targets.len());
    for target in targets.iter().map(|t| t.trim()) {
        if target.is_empty() {
            return Err(StoreError::Invalid(
                "forward.targets: a target is empty; give a URL such as http://127.0.0.1:3000"
                    .into(),
            ));
        }
        if !out.iter().any(|t| t == target) {
            out.push(target.to_string());
        }
    }
    if out.len() > MAX_FORWARD_TARGETS {
        return Err(StoreError::Invalid(format!(
            "forward.targets: at most {MAX_FORWARD_TARGETS} targets"
        )));
    }
    Ok(out)
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

    #[test]
    fn forward_targets_are_trimmed_kept_once_and_switch_as_one() {
        let s = Settings::default();
        assert!(s.forward.enabled && s.forward.targets.is_empty());
        let p = s
            .patched(&json!({"forward": {"targets": [" http://127.0.0.1:3000 ", "http://127.0.0.1:3000", "http://[::1]:4000"]}}))
            .expect("valid");
        assert_eq!(
            p.forward.targets,
            ["http://127.0.0.1:3000", "http://[::1]:4000"]
        );
        assert_eq!(p.forward.active(), p.forward.targets.as_slice());
        let off = p
            .patched(&json!({"forward": {"enabled": false}}))
            .expect("valid");
        assert_eq!(off.forward.targets, p.forward.targets, "kept for later");
        assert!(off.forward.active().is_empty());
        assert!(s.patched(&json!({"forward": {"targets": [" "]}})).is_err());
        let many: Vec<String> = (0..17)
            .map(|i| format!("http://127.0.0.1:{}", 3000 + i))
            .collect();
        assert!(s.patched(&json!({"forward": {"targets": many}})).is_err());
        assert!(s.patched(&json!({"forward": {"url": "x"}})).is_err());
    }
}
