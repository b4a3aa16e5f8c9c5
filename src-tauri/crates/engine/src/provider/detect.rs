//! Recognising Stripe, GitHub, Shopify, Slack and Standard Webhooks requests by their
//! headers, and reading the event type each puts in its own place.

use super::{Payload, header};

/// A recognised provider and its event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub provider: &'static str,
    pub event_type: Option<String>,
}

fn text(v: &serde_json::Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Who sent it, judging by headers first (they cannot be mistaken for payload content).
pub fn detect(headers: &[(String, Vec<u8>)], body: &Payload) -> Option<Detected> {
    let agent = header(headers, "user-agent").unwrap_or_default();
    if let Some(event) = header(headers, "x-github-event") {
        let action = body.json().and_then(|j| text(&j["action"]));
        return Some(Detected {
            provider: "github",
            event_type: Some(match action {
                Some(action) => format!("{event}.{action}"),
                None => event.to_string(),
            }),
        });
    }
    if let Some(topic) = header(headers, "x-shopify-topic") {
        return Some(Detected {
            provider: "shopify",
            event_type: Some(topic.to_string()),
        });
    }
    if header(headers, "stripe-signature").is_some() || agent.starts_with("Stripe/") {
        return Some(Detected {
            provider: "stripe",
            event_type: body.json().and_then(|j| text(&j["type"])),
        });
    }
    if header(headers, "x-slack-signature").is_some() || agent.starts_with("Slackbot") {
        return Some(Detected {
            provider: "slack",
            event_type: slack_event(body),
        });
    }
    let standard = ["webhook-id", "svix-id"]
        .iter()
        .any(|h| header(headers, h).is_some());
    if standard {
        return Some(Detected {
            provider: "standard-webhooks",
            event_type: body.json().and_then(|j| text(&j["type"])),
        });
    }
    None
}

/// Events API: `event.type` inside an `event_callback`, else `type`; slash commands and
/// interactivity come form-encoded.
fn slack_event(body: &Payload) -> Option<String> {
    if let Some(j) = body.json() {
        let outer = text(&j["type"]);
        return match (outer.as_deref(), text(&j["event"]["type"])) {
            (Some("event_callback"), Some(inner)) => Some(inner),
            _ => outer,
        };
    }
    let form: Vec<(String, String)> = form_urlencoded::parse(body.raw())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if form.iter().any(|(k, _)| k == "command") {
        return Some("slash_command".into());
    }
    form.iter()
        .find(|(k, _)| k == "payload")
        .and_then(|(_, p)| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|p| text(&p["type"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn detection_table() {
        // (headers, body, want (provider, event type))
        type Case<'a> = (
            &'a [(&'a str, &'a str)],
            &'a str,
            Option<(&'a str, Option<&'a str>)>,
        );
        let cases: &[Case] = &[
            (
                &[("stripe-signature", "t=1,v1=x")],
                r#"{"type":"payment_intent.succeeded"}"#,
                Some(("stripe", Some("payment_intent.succeeded"))),
            ),
            (
                &[(
                    "user-agent",
                    "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                )],
                r#"{"type":"invoice.paid"}"#,
                Some(("stripe", Some("invoice.paid"))),
            ),
            (
                &[("x-github-event", "pull_request")],
                r#"{"action":"opened"}"#,
                Some(("github", Some("pull_request.opened"))),
            ),
            (
                &[("X-GitHub-Event", "push")],
                r#"{"ref":"refs/heads/main"}"#,
                Some(("github", Some("push"))),
            ),
            (
                &[("x-shopify-topic", "orders/create")],
                "{}",
                Some(("shopify", Some("orders/create"))),
            ),
            (
                &[("x-slack-signature", "v0=x")],
                r#"{"type":"event_callback","event":{"type":"app_mention"}}"#,
                Some(("slack", Some("app_mention"))),
            ),
            (
                &[("x-slack-signature", "v0=x")],
                r#"{"type":"url_verification","challenge":"c"}"#,
                Some(("slack", Some("url_verification"))),
            ),
            (
                &[("x-slack-signature", "v0=x")],
                "token=t&command=%2Fdeploy&text=now",
                Some(("slack", Some("slash_command"))),
            ),
            (
                &[("x-slack-signature", "v0=x")],
                "payload=%7B%22type%22%3A%22block_actions%22%7D",
                Some(("slack", Some("block_actions"))),
            ),
            (
                &[("webhook-id", "msg_1"), ("webhook-signature", "v1,x")],
                r#"{"type":"invoice.paid"}"#,
                Some(("standard-webhooks", Some("invoice.paid"))),
            ),
            (
                &[("svix-id", "msg_1")],
                r#"{"type":"user.created"}"#,
                Some(("standard-webhooks", Some("user.created"))),
            ),
            (
                &[("stripe-signature", "t=1")],
                "not json",
                Some(("stripe", None)),
            ),
            (
                &[("content-type", "application/json")],
                r#"{"type":"x"}"#,
                None,
            ),
        ];
        for (headers, body, want) in cases {
            let got = detect(&h(headers), &Payload::new(body.as_bytes()));
            let got = got.as_ref().map(|d| (d.provider, d.event_type.as_deref()));
            assert_eq!(got, *want, "{headers:?} {body}");
        }
    }
}
