//! Stage 8, plan: the deliveries a request starts, stored with it in one transaction so a
//! forward is never lost between capture and queue. Its endpoint's targets (or the global
//! ones), then the rules' extra targets. Only a body that arrived whole is forwarded; a
//! handshake Hooklens answered is not (there is nothing left for the service to answer), nor
//! a repeated delivery on an endpoint with `forward_duplicates: false`.

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
    let repeat = meta.event.as_ref().is_some_and(|e| e.first.is_some());
    if meta.body_state != BodyState::Complete
        || meta.handshake.is_some()
        || (repeat && endpoint.is_some_and(|e| !e.forward_duplicates))
    {
        return Planned {
            deliveries: Vec::new(),
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

    #[test]
    fn handshakes_and_declined_repeats_are_not_forwarded() {
        let routes = Routes::new(Vec::new(), None, RetryPolicy::default());
        let endpoint = |forward_duplicates: bool| -> Endpoint {
            serde_json::from_value(json!({
                "id": "e", "name": "stripe", "path": "/hooks", "response": {},
                "forward": [{"url": "http://localhost:3000"}],
                "forward_duplicates": forward_duplicates, "created_at": ""
            }))
            .expect("endpoint")
        };
        let first = hooklens_store::EventDelivery::after("evt_1".into(), None);
        let repeat = hooklens_store::EventDelivery::after(
            "evt_1".into(),
            Some(hooklens_store::Prior {
                first: hooklens_store::FirstDelivery {
                    id: "a".into(),
                    received_at_us: 1,
                },
                last_occurrence: 1,
            }),
        );
        let with = |event: &hooklens_store::EventDelivery| RequestMeta {
            event: Some(event.clone()),
            ..meta(BodyState::Complete)
        };
        let rules = ["http://localhost:9000".to_string()];
        let count =
            |e: &Endpoint, m: &RequestMeta| plan(&routes, Some(e), m, &rules, 5).deliveries.len();
        assert_eq!(
            count(&endpoint(false), &with(&first)),
            2,
            "a first delivery"
        );
        assert_eq!(
            count(&endpoint(false), &with(&repeat)),
            0,
            "declined, rules' too"
        );
        assert_eq!(
            count(&endpoint(true), &with(&repeat)),
            2,
            "repeats forwarded by default"
        );

        let handshake = RequestMeta {
            handshake: Some(hooklens_store::Handshake {
                provider: hooklens_store::HandshakeProvider::Slack,
                answered: true,
                reason: String::new(),
            }),
            ..meta(BodyState::Complete)
        };
        assert_eq!(
            count(&endpoint(true), &handshake),
            0,
            "Hooklens answered it"
        );
    }
}
