//! Where captured requests are delivered. The policy is data (the global targets of
//! `--forward-to` with their path prefix, and the default retry policy); which deliveries a
//! request starts is a pure function of it, the request's endpoint, its path and the time.

use hooklens_store::{
    DeliveryKind, Endpoint, ForwardTarget, NewDelivery, PathMode, RetryPolicy, path_under,
};

use super::new_delivery;
use super::target::map_url;

/// The global forwarding policy.
pub(crate) struct Routes {
    /// Where requests go when their endpoint names no target of its own.
    global: Vec<ForwardTarget>,
    /// With `global`: only requests under this path prefix go there, the prefix stripped.
    prefix: Option<String>,
    /// For deliveries whose endpoint sets no retry policy.
    retry: RetryPolicy,
}

/// Where an endpoint's requests are forwarded (see [`Routes::route`]).
pub(crate) struct Route<'a> {
    pub targets: &'a [ForwardTarget],
    /// Stripped from the captured path when mapping it onto a target.
    pub prefix: Option<&'a str>,
    pub retry: RetryPolicy,
    /// The global targets: only requests under `prefix` go there.
    pub global: bool,
}

impl Routes {
    pub fn new(global: Vec<ForwardTarget>, prefix: Option<String>, retry: RetryPolicy) -> Routes {
        Routes {
            global,
            prefix,
            retry,
        }
    }

    /// The default retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// Where requests to `endpoint` go: its own targets (under its prefix, with its retry
    /// policy), or else the global ones (`--forward-to`).
    pub fn route<'a>(&'a self, endpoint: Option<&'a Endpoint>) -> Route<'a> {
        match endpoint {
            Some(e) if !e.forward.is_empty() => Route {
                targets: &e.forward,
                prefix: Some(e.path.as_str()),
                retry: e.retry.clone().unwrap_or_else(|| self.retry.clone()),
                global: false,
            },
            _ => Route {
                targets: &self.global,
                prefix: self.prefix.as_deref(),
                retry: self.retry.clone(),
                global: true,
            },
        }
    }

    /// The deliveries a captured request starts: to its endpoint's targets, or else to the
    /// global ones. The first goes in relay mode when the endpoint relays: held (due after
    /// the relay timeout and 5 s more) while the receiver relays it, retried later if that
    /// fails.
    pub fn deliveries(
        &self,
        endpoint: Option<&Endpoint>,
        path: &str,
        query: Option<&str>,
        now_us: i64,
    ) -> Vec<NewDelivery> {
        let route = self.route(endpoint);
        if route.global && route.prefix.is_some_and(|p| !path_under(p, path)) {
            return Vec::new();
        }
        let relay = endpoint.and_then(|e| e.relay.as_ref());
        route
            .targets
            .iter()
            .enumerate()
            .filter_map(|(i, target)| {
                let url = match map_url(target, route.prefix, path, query) {
                    Ok(url) => url,
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping a forward target");
                        return None;
                    }
                };
                let (kind, due) = match relay {
                    Some(r) if i == 0 => (
                        DeliveryKind::Relay,
                        now_us + (r.timeout_ms as i64 + 5_000) * 1000,
                    ),
                    _ => (DeliveryKind::Auto, now_us),
                };
                Some(new_delivery(kind, target, url, route.retry.clone(), due))
            })
            .collect()
    }

    /// Deliveries for rules' forward actions, to URLs not already delivered to.
    pub fn rule_deliveries(
        &self,
        urls: &[String],
        already: &[NewDelivery],
        path: &str,
        query: Option<&str>,
        now_us: i64,
    ) -> Vec<NewDelivery> {
        urls.iter()
            .filter(|url| !already.iter().any(|d| d.target == **url))
            .filter_map(|url| {
                let target = ForwardTarget {
                    url: url.clone(),
                    path: PathMode::Keep,
                    headers: Vec::new(),
                    resign: None,
                };
                let mapped = map_url(&target, None, path, query).ok()?;
                Some(new_delivery(
                    DeliveryKind::Auto,
                    &target,
                    mapped,
                    self.retry.clone(),
                    now_us,
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(url: &str) -> ForwardTarget {
        serde_json::from_value(json!({ "url": url })).expect("target")
    }

    fn endpoint(forward: &[&str], relay: bool) -> Endpoint {
        let mut e: Endpoint = serde_json::from_value(json!({
            "id": "e1", "name": "stripe", "path": "/stripe", "response": {},
            "forward": forward.iter().map(|u| json!({ "url": u })).collect::<Vec<_>>(),
            "created_at": ""
        }))
        .expect("endpoint");
        if relay {
            e.relay = Some(serde_json::from_value(json!({ "timeout_ms": 1000 })).expect("relay"));
        }
        e
    }

    /// `(kind, url, due)` of a delivery.
    type Planned<'a> = (DeliveryKind, &'a str, i64);

    fn planned(d: &[NewDelivery]) -> Vec<Planned<'_>> {
        d.iter()
            .map(|d| (d.kind, d.url.as_str(), d.next_attempt_at_us))
            .collect()
    }

    #[test]
    fn deliveries_by_endpoint_and_global_prefix() {
        use DeliveryKind::{Auto, Relay};
        let global = Routes::new(
            vec![target("http://localhost:3000/hooks")],
            Some("/in".into()),
            RetryPolicy::default(),
        );
        let own = endpoint(&["http://localhost:4000", "http://localhost:5000/x"], false);
        let relaying = endpoint(&["http://localhost:4000"], true);
        let bad = endpoint(&["ftp://nope", "http://localhost:4000"], false);
        let cases: &[(Option<&Endpoint>, &str, Vec<Planned>)] = &[
            (
                None,
                "/in/a",
                vec![(Auto, "http://localhost:3000/hooks/a?q=1", 7)],
            ),
            (None, "/elsewhere", vec![]),
            (
                Some(&own),
                "/stripe/evt",
                vec![
                    (Auto, "http://localhost:4000/evt?q=1", 7),
                    (Auto, "http://localhost:5000/x/evt?q=1", 7),
                ],
            ),
            (
                Some(&relaying),
                "/stripe",
                vec![(Relay, "http://localhost:4000/?q=1", 7 + 6_000_000)],
            ),
            (
                Some(&bad),
                "/stripe",
                vec![(Auto, "http://localhost:4000/?q=1", 7)],
            ),
        ];
        for (endpoint, path, want) in cases {
            let got = global.deliveries(*endpoint, path, Some("q=1"), 7);
            assert_eq!(planned(&got), *want, "{path}");
        }
    }

    #[test]
    fn rule_forwards_skip_targets_already_delivered_to() {
        let routes = Routes::new(Vec::new(), None, RetryPolicy::default());
        let own = endpoint(&["http://localhost:4000"], false);
        let first = routes.deliveries(Some(&own), "/stripe/a", None, 1);
        let extra = routes.rule_deliveries(
            &[
                "http://localhost:4000".into(),
                "http://localhost:9000/alerts".into(),
            ],
            &first,
            "/stripe/a",
            None,
            1,
        );
        assert_eq!(
            planned(&extra),
            [(
                DeliveryKind::Auto,
                "http://localhost:9000/alerts/stripe/a",
                1
            )]
        );
    }
}
