//! Samples for the providers added with their signature schemes, each as that provider sends
//! it (headers, body shape, event type), for those Hooklens can sign: not SendGrid or Discord
//! (their private keys), nor Twilio or Square (they sign the URL, unknown until delivery).

use hooklens_store::SignatureScheme;
use serde_json::{Value, json};

type Headers = Vec<(String, String)>;

fn headers(agent: &str, extra: &[(&str, &str)]) -> Headers {
    let mut headers = vec![
        ("content-type".to_string(), "application/json".to_string()),
        ("user-agent".to_string(), agent.to_string()),
    ];
    headers.extend(extra.iter().map(|(n, v)| (n.to_string(), v.to_string())));
    headers
}

/// The headers, body and scheme of `provider`'s `event`, or `None` for another provider.
// Long: one match arm per provider, each its sample body as JSON (as in `samples::sample`).
pub(super) fn sample(
    provider: &str,
    event: &str,
    id: &str,
    now_s: i64,
) -> Option<(Headers, Value, SignatureScheme)> {
    let (first, second) = event.split_once('.').unwrap_or((event, ""));
    Some(match provider {
        "paddle" => (
            headers("Paddle", &[]),
            json!({
                "event_id": format!("evt_{id}"), "event_type": event,
                "occurred_at": "2026-01-01T12:00:00.000000Z", "notification_id": format!("ntf_{id}"),
                "data": { "id": format!("txn_{id}"), "status": "completed", "currency_code": "USD",
                          "details": { "totals": { "total": "4200" } } }
            }),
            SignatureScheme::Paddle,
        ),
        "zoom" => (
            headers("Zoom Marketplace/1.0a", &[]),
            json!({
                "event": event, "event_ts": now_s * 1000,
                "payload": { "account_id": "AAAAAABBBB", "object": {
                    "id": "85746065432", "uuid": "4444AAAiAAAAAiAiAiiAii==", "host_id": "x1yCzABCDEfg23HiJKl4mN",
                    "topic": "Hooklens test meeting", "type": 2, "duration": 30 } }
            }),
            SignatureScheme::Zoom,
        ),
        "pagerduty" => (
            headers("PagerDuty-Webhook/V3.0", &[("x-webhook-id", id)]),
            json!({ "event": {
                "id": id, "event_type": event, "resource_type": "incident",
                "occurred_at": "2026-01-01T12:00:00.000Z",
                "data": { "id": "PGR0VU2", "type": "incident", "number": 2, "status": "triggered",
                          "title": "A little bump in the road", "urgency": "high" } } }),
            SignatureScheme::Pagerduty,
        ),
        "twitch" => (
            headers(
                "Twitch-Eventsub",
                &[
                    ("twitch-eventsub-message-type", "notification"),
                    ("twitch-eventsub-subscription-type", event),
                    ("twitch-eventsub-subscription-version", "2"),
                ],
            ),
            json!({
                "subscription": { "id": id, "type": event, "version": "2", "status": "enabled",
                                  "condition": { "broadcaster_user_id": "1337" } },
                "event": { "user_id": "1234", "user_login": "cool_user", "broadcaster_user_id": "1337",
                           "followed_at": "2026-01-01T12:00:00.123456789Z" }
            }),
            SignatureScheme::Twitch,
        ),
        "gitlab" => (
            headers(
                "GitLab/17.0.0",
                &[("x-gitlab-event", "Push Hook"), ("x-gitlab-event-uuid", id)],
            ),
            json!({
                "object_kind": first, "event_name": first, "ref": "refs/heads/main",
                "checkout_sha": "da1560886d4f094c3e6c9ef40349f7d38b5d27d7",
                "user_username": "jsmith", "project": { "id": 15, "path_with_namespace": "mike/diaspora" },
                "total_commits_count": 1
            }),
            SignatureScheme::Gitlab,
        ),
        "linear" => (
            headers(
                "Linear-Webhook",
                &[("linear-delivery", id), ("linear-event", first)],
            ),
            json!({
                "action": second, "type": first, "createdAt": "2026-01-01T12:00:00.000Z",
                "data": { "id": id, "title": "Webhook handler", "priority": 2, "state": { "name": "Todo" } },
                "url": "https://linear.app/hooklens/issue/HL-1", "webhookTimestamp": now_s * 1000
            }),
            SignatureScheme::Linear,
        ),
        "typeform" => (
            headers("Typeform Webhooks", &[]),
            json!({
                "event_id": id, "event_type": event,
                "form_response": { "form_id": "lT4Z3j", "token": id, "submitted_at": "2026-01-01T12:00:00Z",
                                   "answers": [{ "type": "text", "text": "Lorem ipsum", "field": { "id": "Q1", "type": "short_text" } }] }
            }),
            SignatureScheme::Typeform,
        ),
        _ => return None,
    })
}
