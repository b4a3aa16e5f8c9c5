//! Realistic sample events for each provider, as the provider would send them, so a user
//! can exercise their handler offline (like `stripe trigger`, for every provider).

use hooklens_store::SignatureScheme;
use serde_json::json;

use super::signature::SignError;

/// Why there is no sample.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SampleError {
    #[error("no samples for {provider:?}: use one of {}", provider_names())]
    UnknownProvider { provider: String },
}

/// The providers with samples, as a list a person reads: `stripe, github, …`.
fn provider_names() -> String {
    PROVIDERS
        .iter()
        .map(|(p, _)| *p)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A sample webhook: headers (without a signature) and body.
#[derive(Debug, Clone)]
pub struct Sample {
    pub provider: &'static str,
    pub event_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The scheme this provider signs with.
    pub scheme: SignatureScheme,
}

impl Sample {
    /// The sample's headers, signed with `secret` at `now_s` when a secret is given.
    pub fn headers_signed(
        &self,
        secret: Option<&str>,
        now_s: i64,
    ) -> Result<Vec<(String, String)>, SignError> {
        let mut headers = self.headers.clone();
        let Some(secret) = secret else {
            return Ok(headers);
        };
        let resign = hooklens_store::Resign {
            scheme: self.scheme,
            secret: secret.to_string(),
            header: None,
        };
        let raw: Vec<(String, Vec<u8>)> = headers
            .iter()
            .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
            .collect();
        let message = super::signature::Message {
            url: "",
            headers: &raw,
            body: &self.body,
        };
        let signed = super::signature::sign(&resign, &message, now_s)?;
        for (name, value) in signed {
            headers.retain(|(n, _)| *n != name);
            headers.push((name, value));
        }
        Ok(headers)
    }
}

/// Providers with samples, and the event each sends by default.
pub const PROVIDERS: &[(&str, &str)] = &[
    ("stripe", "payment_intent.succeeded"),
    ("github", "pull_request.opened"),
    ("shopify", "orders/create"),
    ("slack", "app_mention"),
    ("standard-webhooks", "invoice.paid"),
    ("paddle", "transaction.completed"),
    ("zoom", "meeting.started"),
    ("pagerduty", "incident.triggered"),
    ("twitch", "channel.follow"),
    ("gitlab", "push"),
    ("linear", "Issue.create"),
    ("typeform", "form_response"),
];

/// The sample for `provider`, with `event` or the provider's default event type.
// Long: one match arm per provider, each its sample body as JSON.
pub fn sample(provider: &str, event: Option<&str>, now_s: i64) -> Result<Sample, SampleError> {
    let unknown = || SampleError::UnknownProvider {
        provider: provider.to_string(),
    };
    let default = PROVIDERS
        .iter()
        .find(|(p, _)| *p == provider)
        .map(|(_, e)| *e)
        .ok_or_else(unknown)?;
    let event = event.unwrap_or(default).to_string();
    let id = ulid::Ulid::new().to_string().to_lowercase();
    let json_headers = |agent: &str| {
        vec![
            ("content-type".to_string(), "application/json".to_string()),
            ("user-agent".to_string(), agent.to_string()),
        ]
    };
    let (headers, body, scheme) = match provider {
        "stripe" => (
            json_headers("Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
            json!({
                "id": format!("evt_test_{id}"),
                "object": "event",
                "api_version": "2024-06-20",
                "created": now_s,
                "livemode": false,
                "pending_webhooks": 1,
                "request": { "id": null, "idempotency_key": null },
                "type": event,
                "data": { "object": {
                    "id": format!("pi_test_{id}"),
                    "object": "payment_intent",
                    "amount": 2000,
                    "amount_received": 2000,
                    "currency": "usd",
                    "status": "succeeded",
                    "customer": "cus_test_hooklens",
                    "description": "Hooklens test event",
                    "metadata": { "order_id": "1001" }
                } }
            }),
            SignatureScheme::Stripe,
        ),
        "github" => {
            let (kind, action) = event.split_once('.').unwrap_or((event.as_str(), ""));
            let mut headers = json_headers("GitHub-Hookshot/hooklens");
            headers.push(("x-github-event".into(), kind.into()));
            headers.push(("x-github-delivery".into(), id.clone()));
            headers.push(("x-github-hook-id".into(), "123456789".into()));
            let mut body = json!({
                "number": 42,
                "pull_request": {
                    "number": 42,
                    "state": "open",
                    "title": "Add webhook handler",
                    "user": { "login": "octocat", "id": 1 },
                    "head": { "ref": "feature/webhooks", "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e" },
                    "base": { "ref": "main" }
                },
                "repository": { "id": 1296269, "full_name": "octocat/Hello-World", "private": false },
                "sender": { "login": "octocat", "id": 1 }
            });
            if !action.is_empty() {
                body["action"] = json!(action);
            }
            (headers, body, SignatureScheme::Github)
        }
        "shopify" => {
            let mut headers = json_headers("Shopify-Captain-Hook");
            headers.push(("x-shopify-topic".into(), event.clone()));
            headers.push((
                "x-shopify-shop-domain".into(),
                "hooklens-test.myshopify.com".into(),
            ));
            headers.push(("x-shopify-webhook-id".into(), id.clone()));
            headers.push(("x-shopify-api-version".into(), "2024-07".into()));
            (
                headers,
                json!({
                    "id": 820982911946154508u64,
                    "email": "jon@example.com",
                    "created_at": "2026-01-01T12:00:00-05:00",
                    "currency": "USD",
                    "total_price": "199.00",
                    "financial_status": "paid",
                    "line_items": [{ "id": 866550311766439020u64, "title": "IPod Nano - 8GB", "quantity": 1, "price": "199.00" }]
                }),
                SignatureScheme::Shopify,
            )
        }
        "slack" => (
            json_headers("Slackbot 1.0 (+https://api.slack.com/robots)"),
            json!({
                "token": "verification-token-unused",
                "team_id": "T061EG9R6",
                "api_app_id": "A0PNCHHK2",
                "type": "event_callback",
                "event_id": format!("Ev{}", id.to_uppercase()),
                "event_time": now_s,
                "event": {
                    "type": event,
                    "user": "U061F7AUR",
                    "text": "<@U0LAN0Z89> is it everything a river should be?",
                    "ts": format!("{now_s}.000200"),
                    "channel": "C0LAN2Q65"
                }
            }),
            SignatureScheme::Slack,
        ),
        other if other != "standard-webhooks" => {
            super::more_samples::sample(other, &event, &id, now_s).ok_or_else(unknown)?
        }
        _ => {
            let mut headers = json_headers("Hooklens-Test-Events");
            headers.push(("webhook-id".into(), format!("msg_{id}")));
            (
                headers,
                json!({
                    "type": event,
                    "timestamp": humantime::format_rfc3339_seconds(
                        std::time::UNIX_EPOCH + std::time::Duration::from_secs(now_s.max(0) as u64)
                    ).to_string(),
                    "data": { "invoice_id": format!("in_{id}"), "amount": 4200, "currency": "EUR" }
                }),
                SignatureScheme::StandardWebhooks,
            )
        }
    };
    Ok(Sample {
        provider: PROVIDERS
            .iter()
            .find(|(p, _)| *p == provider)
            .map(|(p, _)| *p)
            .unwrap_or("standard-webhooks"),
        event_type: event,
        headers,
        body: body.to_string().into_bytes(),
        scheme,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::detect;
    use crate::provider::signature::verify;
    use hooklens_store::SignatureSpec;

    /// An unknown provider is told apart in words a person can act on (the API's 400 and
    /// `hooklens trigger` show them as they are).
    #[test]
    fn an_unknown_provider_is_answered_with_the_list() {
        let err = sample("paypal", None, 0).expect_err("no samples for paypal");
        assert_eq!(
            err.to_string(),
            "no samples for \"paypal\": use one of stripe, github, shopify, slack, \
             standard-webhooks, paddle, zoom, pagerduty, twitch, gitlab, linear, typeform"
        );
    }

    /// Every sample is recognised as its provider's, with its event type, and verifies once
    /// signed.
    #[test]
    fn samples_are_recognised_and_verify() {
        for (provider, event) in PROVIDERS {
            let s = sample(provider, None, 1_700_000_000).expect("sample");
            let secret = if s.scheme == SignatureScheme::StandardWebhooks {
                "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
            } else {
                "s3cret"
            };
            let signed: Vec<(String, Vec<u8>)> = s
                .headers_signed(Some(secret), 1_700_000_000)
                .expect("sign")
                .into_iter()
                .map(|(n, v)| (n, v.into_bytes()))
                .collect();
            let found =
                detect(&signed, &crate::provider::Payload::new(&s.body)).expect("recognised");
            assert_eq!(found.provider, *provider);
            assert_eq!(found.event_type.as_deref(), Some(*event), "{provider}");
            let spec = SignatureSpec {
                scheme: s.scheme,
                secrets: vec![secret.into()],
                tolerance_s: 300,
                header: None,
                verify_token: None,
            };
            let message = crate::provider::signature::Message {
                url: "",
                headers: &signed,
                body: &s.body,
            };
            assert_eq!(
                verify(&spec, &message, 1_700_000_000).status,
                hooklens_store::SignatureStatus::Valid,
                "{provider}"
            );
        }
        let custom = sample("github", Some("issues.closed"), 0).expect("sample");
        assert_eq!(
            detect(
                &custom
                    .headers
                    .iter()
                    .map(|(n, v)| (n.clone(), v.clone().into_bytes()))
                    .collect::<Vec<_>>(),
                &crate::provider::Payload::new(&custom.body)
            )
            .and_then(|d| d.event_type)
            .as_deref(),
            Some("issues.closed")
        );
        assert!(
            sample("paypal", None, 0)
                .expect_err("no samples for paypal")
                .to_string()
                .contains("stripe, github")
        );
    }
}
