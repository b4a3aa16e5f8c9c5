//! Stage 7, effects: the rules, as a pure function of the compiled rules and the request.
//! Nothing happens here; the effects say what should: the rules it matched, its tags, a pin,
//! extra forward targets, and notifications. Later stages store, plan and raise them.

use hooklens_store::{NotificationKind, RequestMeta, RuleAction};

use crate::notify::{Popup, Urgency};
use crate::provider::Payload;
use crate::rules::{Compiled, Subject};

/// What the rules ask for, in rule order, each tag and target once.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Effects {
    /// Ids of the rules it matched.
    pub rules: Vec<String>,
    pub tags: Vec<String>,
    pub pin: bool,
    /// URLs of rules' forward actions.
    pub forwards: Vec<String>,
    /// Rules' notify actions, their templates filled.
    pub popups: Vec<Popup>,
}

impl Effects {
    /// Records the matched rules and tags on the request.
    pub fn mark(&mut self, meta: &mut RequestMeta) {
        meta.rules = std::mem::take(&mut self.rules);
        meta.tags = std::mem::take(&mut self.tags);
    }
}

/// What `rules` do to the request `meta` describes, whose body is `payload`.
pub(crate) fn effects(rules: &[Compiled], meta: &RequestMeta, payload: &Payload<'_>) -> Effects {
    let subject = Subject::new(meta, payload);
    let mut out = Effects::default();
    for rule in rules.iter().filter(|r| r.matches(&subject)) {
        out.rules.push(rule.id.clone());
        for action in &rule.actions {
            match action {
                RuleAction::Tag { tag } if !out.tags.contains(tag) => out.tags.push(tag.clone()),
                RuleAction::Pin => out.pin = true,
                RuleAction::Forward { url } if !out.forwards.contains(url) => {
                    out.forwards.push(url.clone())
                }
                RuleAction::Notify { title, body } => out.popups.push(Popup {
                    kind: NotificationKind::Rule,
                    key: rule.id.clone(),
                    title: subject.render(title),
                    body: subject.render(body),
                    request_id: Some(meta.id.clone()),
                    urgency: Urgency::Normal,
                }),
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use hooklens_store::Rule;
    use serde_json::json;

    use super::*;
    use crate::capture::test_meta;
    use crate::rules::compile;

    fn meta() -> RequestMeta {
        RequestMeta {
            id: "01R".into(),
            endpoint_name: "stripe".into(),
            path: "/stripe/events".into(),
            size: 20,
            provider: Some("stripe".into()),
            event_type: Some("invoice.paid".into()),
            ..test_meta()
        }
    }

    /// A rule `id` matching when the event type is `event`, doing `actions`.
    fn rule(id: &str, event: &str, actions: serde_json::Value) -> Compiled {
        let rule: Rule = serde_json::from_value(json!({
            "id": id, "name": id, "created_at": "",
            "conditions": [{"field": "event_type", "op": "equals", "value": event}],
            "actions": actions
        }))
        .expect("rule");
        compile(&rule).expect("compiles")
    }

    fn popup(key: &str, title: &str, body: &str) -> Popup {
        Popup {
            kind: NotificationKind::Rule,
            key: key.into(),
            title: title.into(),
            body: body.into(),
            request_id: Some("01R".into()),
            urgency: Urgency::Normal,
        }
    }

    #[test]
    fn effects_table() {
        let tag = |t: &str| json!({"type": "tag", "tag": t});
        let forward = |u: &str| json!({"type": "forward", "url": u});
        let m = meta();
        let payload = Payload::new(br#"{"amount":42}"#);
        let cases: Vec<(&str, Vec<Compiled>, Effects)> = vec![
            ("no rules", vec![], Effects::default()),
            (
                "a rule that misses does nothing",
                vec![rule("r1", "charge.failed", json!([{"type": "pin"}]))],
                Effects::default(),
            ),
            (
                "tags and forwards once each, in rule order",
                vec![
                    rule(
                        "r1",
                        "invoice.paid",
                        json!([tag("b"), tag("a"), forward("http://x/1")]),
                    ),
                    rule("r2", "invoice.*", json!([tag("a")])),
                    rule(
                        "r3",
                        "invoice.paid",
                        json!([tag("a"), forward("http://x/1"), forward("http://x/2")]),
                    ),
                ],
                Effects {
                    rules: vec!["r1".into(), "r3".into()],
                    tags: vec!["b".into(), "a".into()],
                    forwards: vec!["http://x/1".into(), "http://x/2".into()],
                    ..Effects::default()
                },
            ),
            (
                "pin and notify with filled templates",
                vec![rule(
                    "r1",
                    "invoice.paid",
                    json!([{"type": "pin"},
                        {"type": "notify", "title": "{{event_type}}", "body": "{{json:amount}} on {{endpoint}}"}]),
                )],
                Effects {
                    rules: vec!["r1".into()],
                    pin: true,
                    popups: vec![popup("r1", "invoice.paid", "42 on stripe")],
                    ..Effects::default()
                },
            ),
        ];
        for (what, rules, want) in cases {
            assert_eq!(effects(&rules, &m, &payload), want, "{what}");
        }
    }

    #[test]
    fn marking_moves_rules_and_tags_onto_the_request() {
        let mut m = meta();
        let mut e = Effects {
            rules: vec!["r1".into()],
            tags: vec!["t".into()],
            pin: true,
            ..Effects::default()
        };
        e.mark(&mut m);
        assert_eq!(
            (m.rules, m.tags),
            (vec!["r1".to_string()], vec!["t".to_string()])
        );
        assert!(e.pin, "the rest stays for the later stages");
    }
}
