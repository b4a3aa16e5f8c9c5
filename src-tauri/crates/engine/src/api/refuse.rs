//! Forward targets asked for through the API (a replay's, an endpoint's, a rule's, the
//! window's) are checked when they are asked for: one that cannot work is refused at once
//! with a 400 naming the field and the setting to change, instead of being queued to fail
//! on every retry.

use hooklens_store::{EndpointSpec, RuleAction, RuleSpec};

use super::{ApiError, ApiResult};
use crate::forward::guard::{Blocked, Guard};

/// The 400 for a target the loopback guard refuses.
pub(super) async fn admit(guard: &Guard, field: &str, url: &str) -> ApiResult<()> {
    refusal(guard.admit(url).await, field, url)
}

/// [`admit`] with `allow_remote_targets` as `allow_remote` (the value a change makes).
pub(super) async fn admit_with(
    guard: &Guard,
    allow_remote: bool,
    field: &str,
    url: &str,
) -> ApiResult<()> {
    refusal(guard.admit_with(url, allow_remote).await, field, url)
}

fn refusal(admitted: Result<(), Blocked>, field: &str, url: &str) -> ApiResult<()> {
    admitted.map_err(|blocked| {
        ApiError::new(
            http::StatusCode::BAD_REQUEST,
            "remote_target",
            format!("forward target {url}: {blocked}"),
        )
        .on(field)
    })
}

/// Every forward target of an endpoint.
pub(super) async fn endpoint(guard: &Guard, spec: &EndpointSpec) -> ApiResult<()> {
    for (i, target) in spec.forward.iter().enumerate() {
        admit(guard, &format!("forward.{i}.url"), &target.url).await?;
    }
    Ok(())
}

/// Every forward action of a rule.
pub(super) async fn rule(guard: &Guard, spec: &RuleSpec) -> ApiResult<()> {
    for (i, action) in spec.actions.iter().enumerate() {
        if let RuleAction::Forward { url } = action {
            admit(guard, &format!("actions.{i}.url"), url).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;
    use crate::forward::guard::FixedResolver;

    #[tokio::test]
    async fn refusals_name_the_field_and_the_setting() {
        let names = Arc::new(FixedResolver::default());
        names.set("hooks.test", &["192.0.2.10".parse().expect("ip")]);
        let guard = Guard::new(names, false);
        let spec: EndpointSpec = serde_json::from_value(json!({
            "name": "e", "path": "/e",
            "forward": [{"url": "http://127.0.0.1:3000"}, {"url": "http://hooks.test/in"}]
        }))
        .expect("spec");
        let err = endpoint(&guard, &spec).await.expect_err("refused");
        assert_eq!((err.status.as_u16(), err.code), (400, "remote_target"));
        assert_eq!(err.field.as_deref(), Some("forward.1.url"));
        assert!(
            err.message.contains("allow_remote_targets"),
            "{}",
            err.message
        );
        assert!(err.message.contains("192.0.2.10"), "{}", err.message);

        let spec: RuleSpec = serde_json::from_value(json!({
            "name": "r", "conditions": [],
            "actions": [{"type": "tag", "tag": "t"}, {"type": "forward", "url": "http://[2001:db8::5]:80/"}]
        }))
        .expect("spec");
        let err = rule(&guard, &spec).await.expect_err("refused");
        assert_eq!(err.field.as_deref(), Some("actions.1.url"));
        guard.set_allow_remote(true);
        assert!(rule(&guard, &spec).await.is_ok());
    }
}
