//! Recognising who sent a webhook by its headers (they cannot be mistaken for payload
//! content), or by the shape of its body for the few providers that send nothing
//! distinctive (Intercom, Mailgun, Meta, Microsoft Graph), and reading the event type each
//! puts in its own place. One row per provider in [`PROVIDERS`]; the first that matches wins,
//! so a provider whose mark another also sends comes first (GitHub before Meta and Intercom,
//! which share `X-Hub-Signature*`; GitLab before Standard Webhooks).

use super::{Payload, header};

/// A recognised provider, its event type, and its id for what it delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub provider: &'static str,
    pub event_type: Option<String>,
    /// See [`super::ids`].
    pub event_id: Option<String>,
}

type Headers = [(String, Vec<u8>)];

/// What gives a provider away.
enum Mark {
    Header(&'static str),
    /// A `User-Agent` starting with this.
    Agent(&'static str),
    /// The body's shape, for providers without a header of their own.
    Body(fn(&Payload) -> bool),
}

/// Where a provider puts its event type.
enum Event {
    /// A header's value.
    Header(&'static str),
    /// A string at this path in the JSON body.
    Json(&'static [&'static str]),
    /// Worked out from both.
    With(fn(&Headers, &Payload) -> Option<String>),
}

struct Provider {
    name: &'static str,
    marks: &'static [Mark],
    event: Event,
}

#[rustfmt::skip]
const PROVIDERS: &[Provider] = &[
    Provider { name: "github", marks: &[Mark::Header("x-github-event")], event: Event::With(github) },
    Provider { name: "gitlab", marks: &[Mark::Header("x-gitlab-event")], event: Event::With(gitlab) },
    Provider { name: "shopify", marks: &[Mark::Header("x-shopify-topic")], event: Event::Header("x-shopify-topic") },
    Provider { name: "stripe", marks: &[Mark::Header("stripe-signature"), Mark::Agent("Stripe/")], event: Event::Json(&["type"]) },
    Provider { name: "slack", marks: &[Mark::Header("x-slack-signature"), Mark::Agent("Slackbot")], event: Event::With(slack) },
    Provider { name: "sendgrid", marks: &[Mark::Header("x-twilio-email-event-webhook-signature"), Mark::Agent("SendGrid Event API")], event: Event::With(sendgrid) },
    Provider { name: "twilio", marks: &[Mark::Header("x-twilio-signature")], event: Event::With(twilio) },
    Provider { name: "discord", marks: &[Mark::Header("x-signature-ed25519")], event: Event::With(discord) },
    Provider { name: "paddle", marks: &[Mark::Header("paddle-signature")], event: Event::Json(&["event_type"]) },
    Provider { name: "linear", marks: &[Mark::Header("linear-signature"), Mark::Header("linear-event")], event: Event::With(linear) },
    Provider { name: "square", marks: &[Mark::Header("x-square-hmacsha256-signature"), Mark::Header("square-environment")], event: Event::Json(&["type"]) },
    Provider { name: "pagerduty", marks: &[Mark::Header("x-pagerduty-signature"), Mark::Agent("PagerDuty-Webhook")], event: Event::Json(&["event", "event_type"]) },
    Provider { name: "zoom", marks: &[Mark::Header("x-zm-signature"), Mark::Header("x-zm-request-timestamp")], event: Event::Json(&["event"]) },
    Provider { name: "typeform", marks: &[Mark::Header("typeform-signature"), Mark::Agent("Typeform Webhooks")], event: Event::Json(&["event_type"]) },
    Provider { name: "twitch", marks: &[Mark::Header("twitch-eventsub-message-type")], event: Event::With(twitch) },
    Provider { name: "x", marks: &[Mark::Header("x-twitter-webhooks-signature")], event: Event::With(x) },
    Provider { name: "dropbox", marks: &[Mark::Header("x-dropbox-signature")], event: Event::With(dropbox) },
    Provider { name: "intercom", marks: &[Mark::Body(intercom_body)], event: Event::Json(&["topic"]) },
    Provider { name: "meta", marks: &[Mark::Body(meta_body)], event: Event::With(meta) },
    Provider { name: "mailgun", marks: &[Mark::Body(mailgun_body)], event: Event::With(mailgun) },
    Provider { name: "msgraph", marks: &[Mark::Body(msgraph_body)], event: Event::With(msgraph) },
    Provider { name: "standard-webhooks", marks: &[Mark::Header("webhook-id"), Mark::Header("svix-id")], event: Event::Json(&["type"]) },
];

/// Who sent it, and what it is.
pub fn detect(headers: &Headers, body: &Payload) -> Option<Detected> {
    let agent = header(headers, "user-agent").unwrap_or_default();
    let provider = PROVIDERS.iter().find(|p| {
        p.marks.iter().any(|mark| match mark {
            Mark::Header(name) => header(headers, name).is_some(),
            Mark::Agent(prefix) => agent.starts_with(prefix),
            Mark::Body(shape) => shape(body),
        })
    })?;
    let event_type = match &provider.event {
        Event::Header(name) => header(headers, name).map(str::to_string),
        Event::Json(path) => body.json().and_then(|j| text(at(j, path))),
        Event::With(read) => read(headers, body),
    };
    Some(Detected {
        provider: provider.name,
        event_type,
        event_id: super::ids::event_id(provider.name, headers, body),
    })
}

fn text(v: &serde_json::Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn at<'a>(json: &'a serde_json::Value, path: &[&str]) -> &'a serde_json::Value {
    path.iter().fold(json, |v, key| &v[*key])
}

/// `{first}.{second}` when both are there, else the first.
fn dotted(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(first), Some(second)) => Some(format!("{first}.{second}")),
        (first, _) => first,
    }
}

fn github(headers: &Headers, body: &Payload) -> Option<String> {
    let action = body.json().and_then(|j| text(&j["action"]));
    dotted(
        header(headers, "x-github-event").map(str::to_string),
        action,
    )
}

/// `object_kind` (`push`, `merge_request`) and the merge request's or issue's action.
fn gitlab(headers: &Headers, body: &Payload) -> Option<String> {
    let Some(j) = body.json() else {
        return header(headers, "x-gitlab-event").map(str::to_string);
    };
    dotted(
        text(&j["object_kind"]),
        text(&j["object_attributes"]["action"]),
    )
}

/// Events API: `event.type` inside an `event_callback`, else `type`; slash commands and
/// interactivity come form-encoded.
fn slack(_: &Headers, body: &Payload) -> Option<String> {
    if let Some(j) = body.json() {
        let outer = text(&j["type"]);
        return match (outer.as_deref(), text(&j["event"]["type"])) {
            (Some("event_callback"), Some(inner)) => Some(inner),
            _ => outer,
        };
    }
    let form = form(body);
    if form.iter().any(|(k, _)| k == "command") {
        return Some("slash_command".into());
    }
    form.iter()
        .find(|(k, _)| k == "payload")
        .and_then(|(_, p)| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|p| text(&p["type"]))
}

fn form(body: &Payload) -> Vec<(String, String)> {
    form_urlencoded::parse(body.raw())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// SendGrid posts a batch: the first event's kind (`delivered`, `open`, `bounce`).
fn sendgrid(_: &Headers, body: &Payload) -> Option<String> {
    body.json().and_then(|j| text(&j[0]["event"]))
}

/// Twilio's webhooks carry no event name: a status callback's `MessageStatus` or
/// `CallStatus`, an incoming message, or an Event Streams CloudEvent's `ce-type`.
fn twilio(headers: &Headers, body: &Payload) -> Option<String> {
    if let Some(kind) = header(headers, "ce-type") {
        return Some(kind.to_string());
    }
    let form = form(body);
    let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    if let Some(status) = field("MessageStatus") {
        return Some(format!("message.{status}"));
    }
    if let Some(status) = field("CallStatus") {
        return Some(format!("call.{status}"));
    }
    field("SmsMessageSid").map(|_| "message.received".into())
}

/// Webhook events carry `event.type`; interactions a numeric `type`.
fn discord(_: &Headers, body: &Payload) -> Option<String> {
    let j = body.json()?;
    if let Some(kind) = text(&j["event"]["type"]) {
        return Some(kind);
    }
    let name = match j["type"].as_u64()? {
        1 => "ping",
        2 => "application_command",
        3 => "message_component",
        4 => "application_command_autocomplete",
        5 => "modal_submit",
        _ => return None,
    };
    Some(name.into())
}

/// `Issue.create`: the entity and the action.
fn linear(headers: &Headers, body: &Payload) -> Option<String> {
    let j = body.json();
    let kind = j
        .and_then(|j| text(&j["type"]))
        .or_else(|| header(headers, "linear-event").map(str::to_string));
    dotted(kind, j.and_then(|j| text(&j["action"])))
}

/// A notification's subscription type; the verification challenge and revocations by
/// their message type.
fn twitch(headers: &Headers, _: &Payload) -> Option<String> {
    match header(headers, "twitch-eventsub-message-type") {
        Some("notification") => {
            header(headers, "twitch-eventsub-subscription-type").map(str::to_string)
        }
        other => other.map(str::to_string),
    }
}

/// The Account Activity API names each kind by its key: `tweet_create_events`, …
fn x(_: &Headers, body: &Payload) -> Option<String> {
    body.json()?
        .as_object()?
        .keys()
        .find(|k| k.ends_with("_events"))
        .cloned()
}

fn dropbox(_: &Headers, body: &Payload) -> Option<String> {
    body.json()?
        .as_object()?
        .keys()
        .find(|k| *k != "delta")
        .cloned()
}

fn intercom_body(body: &Payload) -> bool {
    body.json()
        .is_some_and(|j| j["type"] == "notification_event" && j["topic"].is_string())
}

/// WhatsApp, Instagram and Messenger: `{"object": …, "entry": [...]}`.
fn meta_body(body: &Payload) -> bool {
    body.json()
        .is_some_and(|j| j["object"].is_string() && j["entry"].is_array())
}

/// The changed field (`messages`, `feed`), or `messaging` for Messenger.
fn meta(_: &Headers, body: &Payload) -> Option<String> {
    let entry = &body.json()?["entry"][0];
    text(&entry["changes"][0]["field"])
        .or_else(|| entry["messaging"].is_array().then(|| "messaging".into()))
}

fn mailgun_body(body: &Payload) -> bool {
    body.json()
        .is_some_and(|j| j["signature"]["token"].is_string() && j["event-data"].is_object())
}

fn mailgun(_: &Headers, body: &Payload) -> Option<String> {
    body.json().and_then(|j| text(&j["event-data"]["event"]))
}

fn msgraph_body(body: &Payload) -> bool {
    body.json()
        .is_some_and(|j| j["value"][0]["subscriptionId"].is_string())
}

/// A change notification's `changeType`, or a lifecycle notification's `lifecycleEvent`.
fn msgraph(_: &Headers, body: &Payload) -> Option<String> {
    let first = &body.json()?["value"][0];
    text(&first["changeType"]).or_else(|| text(&first["lifecycleEvent"]))
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
        for (headers, body, want) in cases.iter().chain(MORE) {
            let got = detect(&h(headers), &Payload::new(body.as_bytes()));
            let got = got.as_ref().map(|d| (d.provider, d.event_type.as_deref()));
            assert_eq!(got, *want, "{headers:?} {body}");
        }
    }

    type Case<'a> = (
        &'a [(&'a str, &'a str)],
        &'a str,
        Option<(&'a str, Option<&'a str>)>,
    );

    /// The seventeen providers added with their signature schemes.
    #[rustfmt::skip]
    const MORE: &[Case] = &[
        (&[("X-Gitlab-Event", "Merge Request Hook"), ("X-Gitlab-Token", "t")], r#"{"object_kind":"merge_request","object_attributes":{"action":"open"}}"#, Some(("gitlab", Some("merge_request.open")))),
        (&[("X-Gitlab-Event", "Push Hook"), ("webhook-id", "w")], r#"{"object_kind":"push"}"#, Some(("gitlab", Some("push")))),
        (&[("X-Twilio-Signature", "s"), ("Content-Type", "application/x-www-form-urlencoded")], "MessageSid=SM1&MessageStatus=delivered", Some(("twilio", Some("message.delivered")))),
        (&[("X-Twilio-Signature", "s")], "SmsMessageSid=SM1&Body=hi", Some(("twilio", Some("message.received")))),
        (&[("X-Twilio-Signature", "s")], "CallSid=CA1&CallStatus=completed", Some(("twilio", Some("call.completed")))),
        (&[("X-Twilio-Email-Event-Webhook-Signature", "s")], r#"[{"event":"delivered"},{"event":"open"}]"#, Some(("sendgrid", Some("delivered")))),
        (&[("User-Agent", "SendGrid Event API")], r#"[{"event":"bounce"}]"#, Some(("sendgrid", Some("bounce")))),
        (&[("X-Signature-Ed25519", "s")], r#"{"type":1}"#, Some(("discord", Some("ping")))),
        (&[("X-Signature-Ed25519", "s")], r#"{"type":2,"data":{"name":"hi"}}"#, Some(("discord", Some("application_command")))),
        (&[("X-Signature-Ed25519", "s")], r#"{"version":1,"type":1,"event":{"type":"APPLICATION_AUTHORIZED"}}"#, Some(("discord", Some("APPLICATION_AUTHORIZED")))),
        (&[("Paddle-Signature", "ts=1;h1=x")], r#"{"event_type":"transaction.completed"}"#, Some(("paddle", Some("transaction.completed")))),
        (&[("Linear-Signature", "x"), ("Linear-Event", "Issue")], r#"{"action":"create","type":"Issue"}"#, Some(("linear", Some("Issue.create")))),
        (&[("x-square-hmacsha256-signature", "x")], r#"{"type":"payment.created"}"#, Some(("square", Some("payment.created")))),
        (&[("X-PagerDuty-Signature", "v1=x")], r#"{"event":{"event_type":"incident.triggered"}}"#, Some(("pagerduty", Some("incident.triggered")))),
        (&[("x-zm-signature", "v0=x"), ("x-zm-request-timestamp", "1")], r#"{"event":"meeting.started"}"#, Some(("zoom", Some("meeting.started")))),
        (&[("x-zm-request-timestamp", "1")], r#"{"event":"endpoint.url_validation","payload":{"plainToken":"p"}}"#, Some(("zoom", Some("endpoint.url_validation")))),
        (&[("Typeform-Signature", "sha256=x")], r#"{"event_type":"form_response"}"#, Some(("typeform", Some("form_response")))),
        (&[("Twitch-Eventsub-Message-Type", "notification"), ("Twitch-Eventsub-Subscription-Type", "channel.follow")], "{}", Some(("twitch", Some("channel.follow")))),
        (&[("Twitch-Eventsub-Message-Type", "webhook_callback_verification")], r#"{"challenge":"c"}"#, Some(("twitch", Some("webhook_callback_verification")))),
        (&[("x-twitter-webhooks-signature", "sha256=x")], r#"{"for_user_id":"1","favorite_events":[]}"#, Some(("x", Some("favorite_events")))),
        (&[("X-Dropbox-Signature", "x")], r#"{"list_folder":{"accounts":["dbid:1"]},"delta":{"users":[1]}}"#, Some(("dropbox", Some("list_folder")))),
        (&[("X-Hub-Signature", "sha1=x")], r#"{"type":"notification_event","topic":"conversation.user.created"}"#, Some(("intercom", Some("conversation.user.created")))),
        (&[("X-Hub-Signature-256", "sha256=x")], r#"{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages"}]}]}"#, Some(("meta", Some("messages")))),
        (&[("X-Hub-Signature-256", "sha256=x")], r#"{"object":"page","entry":[{"messaging":[{}]}]}"#, Some(("meta", Some("messaging")))),
        (&[("X-GitHub-Event", "ping"), ("X-Hub-Signature-256", "sha256=x")], r#"{"object":"page","entry":[]}"#, Some(("github", Some("ping")))),
        (&[], r#"{"signature":{"token":"t","timestamp":"1","signature":"s"},"event-data":{"event":"delivered"}}"#, Some(("mailgun", Some("delivered")))),
        (&[], r#"{"value":[{"subscriptionId":"s","changeType":"created","clientState":"c"}]}"#, Some(("msgraph", Some("created")))),
        (&[], r#"{"value":[{"subscriptionId":"s","lifecycleEvent":"reauthorizationRequired"}]}"#, Some(("msgraph", Some("reauthorizationRequired")))),
        (&[], r#"{"value":[1]}"#, None),
    ];

    #[test]
    fn every_signature_scheme_s_provider_is_recognised() {
        for scheme in hooklens_store::SignatureScheme::ALL {
            let name = scheme.as_str();
            if name == "hmac-sha256" {
                continue;
            }
            assert!(
                PROVIDERS.iter().any(|p| p.name == name),
                "no detection for {name}"
            );
        }
    }
}
