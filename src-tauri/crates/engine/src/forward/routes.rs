//! Where captured requests are delivered. The policy is data: the targets of `--forward-to`
//! with their path prefix (fixed for the engine's life), the window's targets (the settings'
//! `forward`, replaced at once when they change) and the default retry policy. Which
//! deliveries a request starts is a pure function of it, the request's endpoint, its path
//! and the time.

use std::sync::{Arc, RwLock};

use hooklens_store::{
    DeliveryKind, Endpoint, ForwardTarget, NewDelivery, PathMode, RetryPolicy, path_under,
};

use super::new_delivery;
use super::target::map_url;

/// The global forwarding policy.
pub(crate) struct Routes {
    /// `--forward-to`: where requests go when their endpoint names no target of its own.
    command_line: Vec<ForwardTarget>,
    /// With `command_line`: only requests under this path prefix go there, the prefix
    /// stripped.
    prefix: Option<String>,
    /// The window's targets, beside the command line's (every path, the path kept); empty
    /// while switched off.
    window: RwLock<Arc<Vec<ForwardTarget>>>,
    /// For deliveries whose endpoint sets no retry policy.
    retry: RetryPolicy,
}

/// One place a request goes: a target, and the prefix stripped from the captured path when
/// mapping it onto the target.
pub(crate) struct Leg<'a> {
    pub target: &'a ForwardTarget,
    pub prefix: Option<&'a str>,
}

impl Routes {
    pub fn new(
        command_line: Vec<ForwardTarget>,
        prefix: Option<String>,
        retry: RetryPolicy,
    ) -> Routes {
        Routes {
            command_line,
            prefix,
            window: RwLock::new(Arc::new(Vec::new())),
            retry,
        }
    }

    /// The default retry policy.
    pub fn retry(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The targets of `--forward-to`.
    pub fn command_line(&self) -> &[ForwardTarget] {
        &self.command_line
    }

    /// Replaces the window's targets (the settings' active `forward.targets`); requests
    /// captured from now on go there.
    pub fn set_window(&self, urls: &[String]) {
        let targets = urls.iter().map(|url| ForwardTarget {
            url: url.clone(),
            path: PathMode::Keep,
            headers: Vec::new(),
            resign: None,
        });
        *self.window.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(targets.collect());
    }

    /// The window's targets, as they stand.
    pub fn window(&self) -> Arc<Vec<ForwardTarget>> {
        self.window
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Where a request to `endpoint` at `path` goes, with its retry policy: the endpoint's
    /// own targets (under its prefix, with its policy), or else the command line's (when
    /// `path` is under their prefix) and the window's (`window`), each URL once.
    pub fn legs<'a>(
        &'a self,
        endpoint: Option<&'a Endpoint>,
        window: &'a [ForwardTarget],
        path: &str,
    ) -> (Vec<Leg<'a>>, RetryPolicy) {
        if let Some(e) = endpoint.filter(|e| !e.forward.is_empty()) {
            let prefix = Some(e.path.as_str());
            let legs = e.forward.iter().map(|target| Leg { target, prefix });
            let retry = e.retry.clone().unwrap_or_else(|| self.retry.clone());
            return (legs.collect(), retry);
        }
        let mut legs: Vec<Leg> = Vec::new();
        if self.prefix.as_deref().is_none_or(|p| path_under(p, path)) {
            let prefix = self.prefix.as_deref();
            legs.extend(
                self.command_line
                    .iter()
                    .map(|target| Leg { target, prefix }),
            );
        }
        for target in window {
            if !legs.iter().any(|l| l.target.url == target.url) {
                legs.push(Leg {
                    target,
                    prefix: None,
                });
            }
        }
        (legs, self.retry.clone())
    }

    /// Where a replay of a request to `endpoint` at `path` goes when no target is given:
    /// its first leg, owned.
    pub fn first(
        &self,
        endpoint: Option<&Endpoint>,
        path: &str,
    ) -> Option<(ForwardTarget, Option<String>, RetryPolicy)> {
        let window = self.window();
        let (legs, retry) = self.legs(endpoint, &window, path);
        let leg = legs.first()?;
        Some((leg.target.clone(), leg.prefix.map(str::to_string), retry))
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
        let window = self.window();
        let (legs, retry) = self.legs(endpoint, &window, path);
        let relay = endpoint.and_then(|e| e.relay.as_ref());
        legs.iter()
            .enumerate()
            .filter_map(|(i, leg)| {
                let url = match map_url(leg.target, leg.prefix, path, query) {
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
                Some(new_delivery(kind, leg.target, url, retry.clone(), due))
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

        // The window's targets go beside the command line's, on every path, the path kept;
        // a URL in both is delivered to once. An endpoint's own targets still win.
        global.set_window(&[
            "http://127.0.0.1:3000".into(),
            "http://localhost:3000/hooks".into(),
        ]);
        let cases: &[(Option<&Endpoint>, &str, Vec<Planned>)] = &[
            (
                None,
                "/in/a",
                vec![
                    (Auto, "http://localhost:3000/hooks/a?q=1", 7),
                    (Auto, "http://127.0.0.1:3000/in/a?q=1", 7),
                ],
            ),
            (
                None,
                "/elsewhere",
                vec![
                    (Auto, "http://127.0.0.1:3000/elsewhere?q=1", 7),
                    (Auto, "http://localhost:3000/hooks/elsewhere?q=1", 7),
                ],
            ),
            (
                Some(&own),
                "/stripe/evt",
                vec![
                    (Auto, "http://localhost:4000/evt?q=1", 7),
                    (Auto, "http://localhost:5000/x/evt?q=1", 7),
                ],
            ),
        ];
        for (endpoint, path, want) in cases {
            let got = global.deliveries(*endpoint, path, Some("q=1"), 7);
            assert_eq!(planned(&got), *want, "window: {path}");
        }
        global.set_window(&[]);
        assert!(global.deliveries(None, "/elsewhere", None, 7).is_empty());
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
