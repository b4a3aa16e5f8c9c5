//! Each provider's handshake as its documentation shows the request and the answer. Zoom's
//! and X's HMACs use RFC 4231's test case 2 (key `Jefe`, data `what do ya want for
//! nothing?`), whose HMAC-SHA256 is published.

use hooklens_store::{HandshakeProvider as P, SignatureStatus, SignatureVerdict};

use super::*;

/// RFC 4231, test case 2.
const RFC4231_KEY: &str = "Jefe";
const RFC4231_DATA: &str = "what do ya want for nothing?";
const RFC4231_HEX: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
const RFC4231_BASE64: &str = "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=";

struct Case {
    method: &'static str,
    query: Option<&'static str>,
    headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

impl Case {
    fn with<T>(&self, f: impl FnOnce(&Request) -> T) -> T {
        let headers: Vec<(String, Vec<u8>)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
            .collect();
        let payload = Payload::new(self.body.as_bytes());
        f(&Request {
            method: self.method,
            query: self.query,
            headers: &headers,
            body: &payload,
        })
    }
}

const SLACK: Case = Case {
    method: "POST",
    query: None,
    headers: &[("content-type", "application/json")],
    body: r#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#,
};
const META: Case = Case {
    method: "GET",
    query: Some("hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=meatyhamhock"),
    headers: &[],
    body: "",
};
const ZOOM: Case = Case {
    method: "POST",
    query: None,
    headers: &[("x-zm-request-timestamp", "1654503849")],
    body: r#"{"payload":{"plainToken":"what do ya want for nothing?"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#,
};
const X_CRC: Case = Case {
    method: "GET",
    query: Some("crc_token=what+do+ya+want+for+nothing%3F&nonce=1"),
    headers: &[],
    body: "",
};
const GRAPH: Case = Case {
    method: "POST",
    query: Some(
        "validationToken=Validation%3a+Testing+client+application+reachability+for+subscription+Request-Id%3a+3b3f9821",
    ),
    headers: &[("content-type", "text/plain; charset=utf-8")],
    body: "",
};
const DROPBOX: Case = Case {
    method: "GET",
    query: Some("challenge=e5a4b5b2f1c3"),
    headers: &[],
    body: "",
};
const TWITCH: Case = Case {
    method: "POST",
    query: None,
    headers: &[
        (
            "twitch-eventsub-message-type",
            "webhook_callback_verification",
        ),
        (
            "twitch-eventsub-message-id",
            "e76c6bd4-55c9-4987-8304-da1588d8988b",
        ),
    ],
    body: r#"{"challenge":"pogchamp-kappa-360noscope-vohiyo","subscription":{"id":"f1c2a387-161a-49f9-a165-0f21d7a4e1c4","status":"webhook_callback_verification_pending","type":"channel.follow","version":"1"}}"#,
};
const DISCORD: Case = Case {
    method: "POST",
    query: None,
    headers: &[
        ("x-signature-ed25519", "ab"),
        ("x-signature-timestamp", "1"),
    ],
    body: r#"{"type":1,"id":"1","application_id":"2"}"#,
};

fn verdict(status: SignatureStatus) -> SignatureVerdict {
    SignatureVerdict {
        status,
        scheme: None,
        reason: "no signature matches the configured secret".into(),
    }
}

#[test]
#[rustfmt::skip]
fn each_handshake_is_recognised_by_its_provider_and_by_detection() {
    // (case, provider, detected without a scheme, what it asks)
    let cases: [(&Case, P, Option<P>, Ask); 8] = [
        (&SLACK, P::Slack, Some(P::Slack), Ask::Echo("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P".into())),
        (&META, P::Meta, Some(P::Meta), Ask::Subscribe { challenge: "1158201444".into(), token: "meatyhamhock".into() }),
        (&ZOOM, P::Zoom, Some(P::Zoom), Ask::PlainToken(RFC4231_DATA.into())),
        (&X_CRC, P::X, Some(P::X), Ask::Crc(RFC4231_DATA.into())),
        (&GRAPH, P::Msgraph, Some(P::Msgraph), Ask::Echo("Validation: Testing client application reachability for subscription Request-Id: 3b3f9821".into())),
        (&DROPBOX, P::Dropbox, None, Ask::Echo("e5a4b5b2f1c3".into())),
        (&TWITCH, P::Twitch, Some(P::Twitch), Ask::Echo("pogchamp-kappa-360noscope-vohiyo".into())),
        (&DISCORD, P::Discord, Some(P::Discord), Ask::Ping),
    ];
    for (case, provider, detected, want) in cases {
        case.with(|r| {
            assert_eq!(ask(provider, r), Some(want.clone()), "{provider:?}");
            assert_eq!(detect(r), detected, "{provider:?}");
        });
    }
}

#[test]
#[rustfmt::skip]
fn other_requests_are_not_handshakes() {
    let not = [
        Case { method: "POST", query: None, headers: &[], body: r#"{"type":"event_callback","challenge":"c"}"# },
        Case { method: "GET", query: Some("hub.mode=unsubscribe&hub.challenge=1"), headers: &[], body: "" },
        Case { method: "POST", query: Some("hub.mode=subscribe&hub.challenge=1"), headers: &[], body: "" },
        Case { method: "POST", query: None, headers: &[], body: r#"{"event":"meeting.started","payload":{"plainToken":"p"}}"# },
        Case { method: "POST", query: Some("crc_token=x"), headers: &[], body: "" },
        Case { method: "POST", query: None, headers: &[("twitch-eventsub-message-type", "notification")], body: r#"{"challenge":"c"}"# },
        Case { method: "POST", query: None, headers: &[("x-signature-ed25519", "ab")], body: r#"{"type":2}"# },
        Case { method: "POST", query: None, headers: &[], body: r#"{"type":1}"# },
        Case { method: "GET", query: Some("challenge=abc"), headers: &[], body: "" },
    ];
    for case in &not {
        case.with(|r| assert_eq!(detect(r), None, "{} {:?} {}", case.method, case.query, case.body));
    }
}

#[test]
#[rustfmt::skip]
fn answers_as_each_provider_documents() {
    let secrets = [RFC4231_KEY.to_string()];
    let valid = verdict(SignatureStatus::Valid);
    let keys = Keys { secrets: Some(&secrets), verify_token: Some("meatyhamhock"), verdict: Some(&valid) };
    // (case, provider, content type, body)
    let zoom_answer = format!(r#"{{"encryptedToken":"{RFC4231_HEX}","plainToken":"{RFC4231_DATA}"}}"#);
    let x_answer = format!(r#"{{"response_token":"sha256={RFC4231_BASE64}"}}"#);
    let cases: [(&Case, P, &str, &str); 8] = [
        (&SLACK, P::Slack, "text/plain; charset=utf-8", "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
        (&META, P::Meta, "text/plain; charset=utf-8", "1158201444"),
        (&ZOOM, P::Zoom, "application/json", &zoom_answer),
        (&X_CRC, P::X, "application/json", &x_answer),
        (&GRAPH, P::Msgraph, "text/plain; charset=utf-8", "Validation: Testing client application reachability for subscription Request-Id: 3b3f9821"),
        (&DROPBOX, P::Dropbox, "text/plain; charset=utf-8", "e5a4b5b2f1c3"),
        (&TWITCH, P::Twitch, "text/plain; charset=utf-8", "pogchamp-kappa-360noscope-vohiyo"),
        (&DISCORD, P::Discord, "application/json", r#"{"type":1}"#),
    ];
    for (case, provider, content_type, body) in cases {
        let asked = case.with(|r| ask(provider, r)).expect("a handshake");
        let got = reply(provider, asked, keys);
        assert_eq!((got.status, got.content_type), (200, content_type), "{provider:?}");
        assert_eq!(String::from_utf8_lossy(&got.body), body, "{provider:?}");
        assert!(got.handshake.answered, "{provider:?}");
        assert_eq!(got.handshake.provider, provider);
    }
}

#[test]
#[rustfmt::skip]
fn refusals_get_the_status_the_provider_expects_and_say_why() {
    let secrets = ["k".to_string()];
    let valid = verdict(SignatureStatus::Valid);
    let invalid = verdict(SignatureStatus::Invalid);
    let missing = verdict(SignatureStatus::Missing);
    let named = |verdict| Keys { secrets: Some(&secrets), verify_token: Some("meatyhamhock"), verdict: Some(verdict) };
    let detected = Keys { secrets: None, verify_token: None, verdict: None };
    let wrong_token = Ask::Subscribe { challenge: "1".into(), token: "guess".into() };
    let right_token = Ask::Subscribe { challenge: "1".into(), token: "meatyhamhock".into() };
    // (provider, ask, keys, status, reason)
    let cases: [(P, Ask, Keys, u16, &str); 11] = [
        (P::Meta, wrong_token, named(&valid), 403, "hub.verify_token is not this endpoint's verify token"),
        (P::Meta, right_token.clone(), detected, 403, "no verify token is set"),
        (P::Meta, right_token, named(&missing), 200, "hub.verify_token matches"),
        (P::Discord, Ask::Ping, named(&invalid), 401, "the signature does not check out: no signature matches"),
        (P::Discord, Ask::Ping, named(&missing), 401, "the signature does not check out"),
        (P::Discord, Ask::Ping, detected, 401, "give this endpoint the discord scheme"),
        (P::Slack, Ask::Echo("c".into()), named(&invalid), 401, "the signature does not check out"),
        (P::Slack, Ask::Echo("c".into()), detected, 200, "url_verification"),
        (P::Twitch, Ask::Echo("c".into()), named(&invalid), 403, "the signature does not check out"),
        (P::Zoom, Ask::PlainToken("p".into()), detected, 401, "needs the app's secret token"),
        (P::X, Ask::Crc("c".into()), detected, 403, "needs the app's consumer secret"),
    ];
    for (provider, asked, keys, status, reason) in cases {
        let got = reply(provider, asked, keys);
        assert_eq!(got.status, status, "{provider:?}: {got:?}");
        assert_eq!(got.handshake.answered, status == 200, "{provider:?}");
        assert!(got.handshake.reason.contains(reason), "{provider:?}: {:?}", got.handshake.reason);
        if status != 200 {
            let body: serde_json::Value = serde_json::from_slice(&got.body).expect("json");
            assert_eq!(body["error"]["code"], "handshake_refused");
        }
    }
}
