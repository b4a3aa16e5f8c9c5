//! The id each provider gives what it delivers, so a repeat is recognised: providers deliver
//! at least once and send the same id again when they retry (or when someone presses
//! "resend"). One row per provider in [`IDS`]; the first place that holds an id wins. Zoom,
//! Meta, X, Dropbox and Microsoft Graph put no such id in their requests.

use super::{Payload, header};

/// Where a provider puts its id.
enum Place {
    Header(&'static str),
    /// A string (or number) at this path in the JSON body.
    Json(&'static [&'static str]),
    /// As `Json`, in the first element of a JSON array (SendGrid's batches).
    FirstOf(&'static [&'static str]),
}

#[rustfmt::skip]
const IDS: &[(&str, &[Place])] = &[
    ("stripe", &[Place::Json(&["id"])]),
    ("github", &[Place::Header("x-github-delivery")]),
    ("gitlab", &[Place::Header("idempotency-key"), Place::Header("x-gitlab-event-uuid")]),
    ("shopify", &[Place::Header("x-shopify-webhook-id")]),
    ("slack", &[Place::Json(&["event_id"])]),
    ("standard-webhooks", &[Place::Header("webhook-id"), Place::Header("svix-id")]),
    ("twilio", &[Place::Header("i-twilio-idempotency-token")]),
    ("twitch", &[Place::Header("twitch-eventsub-message-id")]),
    ("sendgrid", &[Place::FirstOf(&["sg_event_id"])]),
    ("discord", &[Place::Json(&["id"])]),
    ("paddle", &[Place::Json(&["notification_id"]), Place::Json(&["event_id"])]),
    ("linear", &[Place::Header("linear-delivery")]),
    ("intercom", &[Place::Json(&["id"])]),
    ("square", &[Place::Json(&["event_id"])]),
    ("mailgun", &[Place::Json(&["event-data", "id"])]),
    ("pagerduty", &[Place::Json(&["event", "id"])]),
    ("typeform", &[Place::Json(&["event_id"])]),
];

/// Longer ids are not ids: the sender controls these bytes, and they are stored and indexed.
const MAX_LEN: usize = 200;

/// The id `provider` gave this delivery, when it gives one.
pub fn event_id(provider: &str, headers: &[(String, Vec<u8>)], body: &Payload) -> Option<String> {
    let (_, places) = IDS.iter().find(|(name, _)| *name == provider)?;
    places
        .iter()
        .find_map(|place| match place {
            Place::Header(name) => header(headers, name).map(str::to_string),
            Place::Json(path) => text(path.iter().fold(body.json()?, |v, key| &v[*key])),
            Place::FirstOf(path) => text(path.iter().fold(&body.json()?[0], |v, key| &v[*key])),
        })
        .filter(|id| !id.is_empty() && id.len() <= MAX_LEN)
}

fn text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (provider, headers, body, the id)
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, Option<&'a str>);

    #[test]
    #[rustfmt::skip]
    fn each_provider_s_id_from_its_place() {
        let cases: &[Case] = &[
            ("stripe", &[], r#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","type":"charge.succeeded"}"#, Some("evt_1NG8Du2eZvKYlo2CUI79vXWy")),
            ("github", &[("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")], "{}", Some("72d3162e-cc78-11e3-81ab-4c9367dc0958")),
            ("gitlab", &[("Idempotency-Key", "f5f4c3b2"), ("X-Gitlab-Event-UUID", "u")], "{}", Some("f5f4c3b2")),
            ("gitlab", &[("X-Gitlab-Event-UUID", "13792a34-cac6-4fda-95a8-c58e00a3954e")], "{}", Some("13792a34-cac6-4fda-95a8-c58e00a3954e")),
            ("shopify", &[("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")], "{}", Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043")),
            ("slack", &[], r#"{"type":"event_callback","event_id":"Ev08MFMKH6"}"#, Some("Ev08MFMKH6")),
            ("standard-webhooks", &[("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek")], "{}", Some("msg_p5jXN8AQM9LWM0D4loKWxJek")),
            ("standard-webhooks", &[("svix-id", "msg_2")], "{}", Some("msg_2")),
            ("twilio", &[("I-Twilio-Idempotency-Token", "6e5a2b1c-0f5b-4f6a-9d1b-2a0c6f1d3e4f")], "MessageStatus=sent", Some("6e5a2b1c-0f5b-4f6a-9d1b-2a0c6f1d3e4f")),
            ("twitch", &[("Twitch-Eventsub-Message-Id", "befa7b53-d79d-478f-86b9-120f112b044e")], "{}", Some("befa7b53-d79d-478f-86b9-120f112b044e")),
            ("sendgrid", &[], r#"[{"event":"delivered","sg_event_id":"sg_1"},{"sg_event_id":"sg_2"}]"#, Some("sg_1")),
            ("discord", &[], r#"{"id":"1234567890","type":1}"#, Some("1234567890")),
            ("paddle", &[], r#"{"notification_id":"ntf_01h","event_id":"evt_01h"}"#, Some("ntf_01h")),
            ("paddle", &[], r#"{"event_id":"evt_01h"}"#, Some("evt_01h")),
            ("linear", &[("Linear-Delivery", "234d1a4e-b617-4388-90fe-adc3633d6b72")], "{}", Some("234d1a4e-b617-4388-90fe-adc3633d6b72")),
            ("intercom", &[], r#"{"type":"notification_event","id":"notif_ccd8a4d2"}"#, Some("notif_ccd8a4d2")),
            ("square", &[], r#"{"event_id":"6a8f5f28-54a1-4eb0-a98a-3111513fd4fc"}"#, Some("6a8f5f28-54a1-4eb0-a98a-3111513fd4fc")),
            ("mailgun", &[], r#"{"event-data":{"id":"CPgfbmQMTCKtHW6uIWtuVe"}}"#, Some("CPgfbmQMTCKtHW6uIWtuVe")),
            ("pagerduty", &[], r#"{"event":{"id":"5ac64822-4adc-4fda-ade0-410becf0de4f"}}"#, Some("5ac64822-4adc-4fda-ade0-410becf0de4f")),
            ("typeform", &[], r#"{"event_id":"01GT2YQ9"}"#, Some("01GT2YQ9")),
            ("stripe", &[], r#"{"type":"charge.succeeded"}"#, None),
            ("stripe", &[], "not json", None),
            ("github", &[("X-GitHub-Delivery", "")], "{}", None),
            ("github", &[("X-GitHub-Delivery", &"x".repeat(201))], "{}", None),
            ("zoom", &[], r#"{"event":"meeting.started","event_ts":1}"#, None),
            ("unknown", &[("webhook-id", "w")], "{}", None),
        ];
        for (provider, headers, body, want) in cases {
            let headers: Vec<(String, Vec<u8>)> = headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
                .collect();
            let got = event_id(provider, &headers, &Payload::new(body.as_bytes()));
            assert_eq!(got.as_deref(), *want, "{provider} {body}");
        }
    }
}
