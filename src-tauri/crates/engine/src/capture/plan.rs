//! Stage 6, plan: the deliveries a request starts, stored with it in one transaction so a
//! forward is never lost between capture and queue. Its endpoint's targets (or the global
//! ones), then the rules' extra targets; only a body that arrived whole is forwarded.

use hooklens_store::{BodyState, DeliveryKind, Endpoint, NewDelivery, RequestMeta};

use crate::forward::routes::Routes;

/// The deliveries to store with the request.
pub(crate) struct Planned {
    pub deliveries: Vec<NewDelivery>,
}

impl Planned {
    /// The delivery to relay while the sender waits, when the endpoint relays.
    pub fn relay(&self) -> Option<&NewDelivery> {
        self.deliveries
            .first()
            .filter(|d| d.kind == DeliveryKind::Relay)
    }

    /// Whether anything is to be forwarded.
    pub fn forwards(&self) -> bool {
        !self.deliveries.is_empty()
    }
}

/// Plans the deliveries of the request `meta` describes, at `now_us`.
pub(crate) fn plan(
    routes: &Routes,
    endpoint: Option<&Endpoint>,
    meta: &RequestMeta,
    rule_forwards: &[String],
    now_us: i64,
) -> Planned {
    if meta.body_state != BodyState::Complete {
        return Planned {
            deliveries: Vec::new(), // nothing complete to forward
        };
    }
    let query = meta.query.as_deref();
    let mut deliveries = routes.deliveries(endpoint, &meta.path, query, now_us);
    let extra = routes.rule_deliveries(rule_forwards, &deliveries, &meta.path, query, now_us);
    deliveries.extend(extra);
    Planned { deliveries }
}

#[cfg(test)]
mod tests {
    use hooklens_store::RetryPolicy;
    use serde_json::json;

    use super::*;
    use crate::capture::test_meta;

    fn meta(state: BodyState) -> RequestMeta {
        RequestMeta {
            path: "/hooks".into(),
            body_state: state,
            ..test_meta()
        }
    }

    #[test]
    fn whole_bodies_go_to_the_routes_and_the_rules_targets() {
        let global =
            serde_json::from_value(json!({"url": "http://localhost:3000"})).expect("target");
        let routes = Routes::new(vec![global], None, RetryPolicy::default());
        let rules = ["http://localhost:9000".to_string()];
        let planned = plan(&routes, None, &meta(BodyState::Complete), &rules, 5);
        let targets: Vec<&str> = planned
            .deliveries
            .iter()
            .map(|d| d.target.as_str())
            .collect();
        assert_eq!(targets, ["http://localhost:3000", "http://localhost:9000"]);
        assert!(planned.forwards());
        assert!(planned.relay().is_none(), "no endpoint relays");

        for state in [BodyState::TooLarge, BodyState::Incomplete] {
            let planned = plan(&routes, None, &meta(state), &rules, 5);
            assert!(!planned.forwards(), "{state:?}: nothing whole to forward");
        }
    }
}
