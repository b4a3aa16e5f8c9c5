//! The catalog: named endpoints and compiled rules, as the capture path reads them on every
//! request. Both are kept in memory behind a lock taken only to clone an `Arc`, and read
//! again from the store after each change through the API, which then tells subscribers.

use std::sync::{Arc, RwLock};

use hooklens_store::{Endpoint, Rule, Store, StoreError};

use crate::events::{Event, EventBus};
use crate::rules::{Compiled, compile};

/// Endpoints and enabled rules, with their reloads.
pub(crate) struct Catalog {
    store: Store,
    events: EventBus,
    /// Named endpoints, refreshed after each change.
    endpoints: RwLock<Arc<Vec<Endpoint>>>,
    /// Enabled rules, compiled, in order; refreshed after each change.
    rules: RwLock<Arc<Vec<Compiled>>>,
}

impl Catalog {
    /// Reads endpoints and rules from the store.
    pub async fn load(store: Store, events: EventBus) -> Result<Catalog, StoreError> {
        let endpoints = store.list_endpoints().await?;
        let rules = compiled(store.list_rules().await?);
        Ok(Catalog {
            store,
            events,
            endpoints: RwLock::new(Arc::new(endpoints)),
            rules: RwLock::new(Arc::new(rules)),
        })
    }

    /// The endpoint that takes `path`: the longest matching prefix.
    pub fn endpoint_for(&self, path: &str) -> Option<Endpoint> {
        let endpoints = self.endpoints.read().map(|e| e.clone()).ok()?;
        hooklens_store::endpoint_for(&endpoints, path).cloned()
    }

    /// The enabled rules, compiled.
    pub fn rules(&self) -> Arc<Vec<Compiled>> {
        self.rules.read().map(|r| r.clone()).unwrap_or_default()
    }

    /// Re-reads rules after a change and tells subscribers.
    pub async fn reload_rules(&self) -> Result<(), StoreError> {
        let fresh = compiled(self.store.list_rules().await?);
        if let Ok(mut rules) = self.rules.write() {
            *rules = Arc::new(fresh);
        }
        self.events.emit(Event::RulesChanged);
        Ok(())
    }

    /// Re-reads endpoints after a change and tells subscribers.
    pub async fn reload_endpoints(&self) -> Result<(), StoreError> {
        let fresh = self.store.list_endpoints().await?;
        if let Ok(mut endpoints) = self.endpoints.write() {
            *endpoints = Arc::new(fresh);
        }
        self.events.emit(Event::EndpointsChanged);
        Ok(())
    }
}

/// Enabled rules that compile; one that does not (stored by an older version, say) is
/// skipped with a warning rather than stopping capture.
fn compiled(rules: Vec<Rule>) -> Vec<Compiled> {
    rules
        .iter()
        .filter(|r| r.spec.enabled)
        .filter_map(|r| match compile(r) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(rule = %r.id, error = %e, "skipping a rule that does not compile");
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hooklens_store::{EndpointSpec, RuleSpec};

    #[tokio::test]
    async fn reloads_follow_the_store_and_tell_subscribers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let events = EventBus::new(16);
        let catalog = Catalog::load(store.clone(), events.clone())
            .await
            .expect("load");
        assert!(catalog.endpoint_for("/stripe/x").is_none());
        let mut heard = events.subscribe();

        let spec: EndpointSpec =
            serde_json::from_value(serde_json::json!({"name": "stripe", "path": "/stripe"}))
                .expect("spec");
        store.create_endpoint(spec).await.expect("create");
        assert!(
            catalog.endpoint_for("/stripe/x").is_none(),
            "read again only when told"
        );
        catalog.reload_endpoints().await.expect("reload");
        assert_eq!(
            catalog.endpoint_for("/stripe/x").map(|e| e.name),
            Some("stripe".to_string())
        );
        assert!(matches!(heard.try_recv(), Ok(Event::EndpointsChanged)));

        let rule = |enabled: bool| -> RuleSpec {
            serde_json::from_value(serde_json::json!({
                "name": "r", "enabled": enabled, "conditions": [], "actions": [{"type": "pin"}]
            }))
            .expect("rule")
        };
        store.create_rule(rule(true)).await.expect("rule");
        store.create_rule(rule(false)).await.expect("rule");
        catalog.reload_rules().await.expect("reload");
        assert_eq!(catalog.rules().len(), 1, "disabled rules are left out");
        assert!(matches!(heard.try_recv(), Ok(Event::RulesChanged)));
        store.close().await.expect("close");
    }
}
