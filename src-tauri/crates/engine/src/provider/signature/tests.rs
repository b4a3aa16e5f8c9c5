//! One table per scheme (rust-analyzer's `check()` style): the provider's published example
//! where there is one (GitHub, Slack, Standard Webhooks, Twilio, SendGrid, Square,
//! PagerDuty), else a request signed by an independent implementation (Python's `hmac`,
//! PyNaCl), each with its tampered, wrong-secret, stale and missing variants. The providers'
//! own SDKs sign end to end in `tests/python/test_provider_sdks.py`.

use SignatureScheme::*;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hooklens_store::{Resign, SignatureScheme, SignatureSpec, SignatureVerdict};

use super::*;

const URL: &str = "https://hooks.example.com/hook";

/// Verifies `body` with `headers` sent to `url`, against `secrets` at `now`.
fn run(
    scheme: SignatureScheme,
    secrets: &[&str],
    headers: &[(&str, &str)],
    url: &str,
    body: &str,
    now: i64,
) -> SignatureVerdict {
    let spec = SignatureSpec {
        scheme,
        secrets: secrets.iter().map(|s| s.to_string()).collect(),
        tolerance_s: 300,
        header: Some("x-signature".into()),
        verify_token: None,
    };
    let headers: Vec<(String, Vec<u8>)> = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect();
    let message = Message {
        url,
        headers: &headers,
        body: body.as_bytes(),
    };
    verify(&spec, &message, now)
}

#[track_caller]
fn expect(verdict: SignatureVerdict, status: &str, reason: &str) {
    assert_eq!(verdict.status.as_str(), status, "{verdict:?}");
    assert!(
        verdict.reason.contains(reason),
        "{:?} lacks {reason:?}",
        verdict.reason
    );
}

const SLACK_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

#[test]
#[rustfmt::skip]
fn github_meta_and_the_body_hmac_family() {
    let gh = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    let gh_secret = "It's a Secret to Everybody";
    let v = |scheme, secrets: &[&str], headers: &[(&str, &str)], body| {
        run(scheme, secrets, headers, URL, body, 0)
    };
    // GitHub's documented example, and its variants.
    let h = [("x-hub-signature-256", gh)];
    expect(v(Github, &[gh_secret], &h, "Hello, World!"), "valid", "secret 1");
    expect(v(Github, &[gh_secret], &h, "Hello, World?"), "invalid", "no signature matches the configured secret");
    expect(v(Github, &["old", gh_secret], &h, "Hello, World!"), "valid", "secret 2");
    expect(v(Github, &["a", "b"], &h, "Hello, World!"), "invalid", "the 2 configured secrets");
    expect(v(Github, &["x"], &[], "Hello, World!"), "missing", "X-Hub-Signature-256");
    expect(v(Github, &["x"], &[("x-hub-signature-256", "md5=00")], ""), "invalid", "is not sha256=<hex>");
    // Meta signs as GitHub does, with the app secret.
    let meta = [("X-Hub-Signature-256", "sha256=e6ad1226d7dbb376b93779e72f6ea6cc56d514dbcb4b3fa023b679f8f0220325")];
    let meta_body = r#"{"object":"whatsapp_business_account","entry":[]}"#;
    expect(v(Meta, &["meta_app_secret"], &meta, meta_body), "valid", "secret 1");
    expect(v(Meta, &["other"], &meta, meta_body), "invalid", "no signature matches");
    expect(v(Meta, &["meta_app_secret"], &meta, "{}"), "invalid", "no signature matches");
    // Dropbox: bare hex.
    let dbx = [("X-Dropbox-Signature", "cba500fc9696c69155134f3f4a5c35a21fd76e7d6b17998cf69709cd5b922492")];
    let dbx_body = r#"{"list_folder":{"accounts":["dbid:1"]}}"#;
    expect(v(Dropbox, &["dropbox_app_secret"], &dbx, dbx_body), "valid", "secret 1");
    expect(v(Dropbox, &["dropbox_app_secret"], &dbx, "{}"), "invalid", "no signature");
    expect(v(Dropbox, &["dropbox_app_secret"], &[], dbx_body), "missing", "X-Dropbox-Signature");
    // Intercom: HMAC-SHA1, sha1=<hex>.
    let ic = [("X-Hub-Signature", "sha1=3983caa6740d7db61c6d462e54fcc1b721af7d10")];
    let ic_body = r#"{"type":"notification_event","topic":"conversation.user.created"}"#;
    expect(v(Intercom, &["intercom_client_secret"], &ic, ic_body), "valid", "secret 1");
    expect(v(Intercom, &["wrong"], &ic, ic_body), "invalid", "no signature");
    expect(v(Intercom, &["intercom_client_secret"], &ic, "{}"), "invalid", "no signature");
    expect(v(Intercom, &["x"], &[], ic_body), "missing", "X-Hub-Signature");
    // Typeform and X: sha256=<base64>.
    let tf = [("Typeform-Signature", "sha256=B3QCo/7amt8jC4IjwduhKjay6QVhhNJu+EWsOv3DX6o=")];
    let tf_body = r#"{"event_type":"form_response"}"#;
    expect(v(Typeform, &["typeform_secret"], &tf, tf_body), "valid", "secret 1");
    expect(v(Typeform, &["typeform_secret"], &tf, "{}"), "invalid", "no signature");
    expect(v(Typeform, &["nope"], &tf, tf_body), "invalid", "no signature");
    expect(v(Typeform, &["x"], &[], tf_body), "missing", "Typeform-Signature");
    let x = [("x-twitter-webhooks-signature", "sha256=ov0Bv4vKY9nJ5SCP3gndrcMNNPUvoGC8moNb/2T6/iQ=")];
    let x_body = r#"{"for_user_id":"1","tweet_create_events":[]}"#;
    expect(v(X, &["x_consumer_secret"], &x, x_body), "valid", "secret 1");
    expect(v(X, &["x_consumer_secret"], &x, "{}"), "invalid", "no signature");
    expect(v(X, &["x"], &[], x_body), "missing", "X-Twitter-Webhooks-Signature");
}

#[test]
#[rustfmt::skip]
fn pagerduty_linear_and_generic_hmac() {
    // PagerDuty's go-pagerduty example (webhookv3_test.go), one of several v1= signatures.
    let pd_secret = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK";
    let pd_body = r#"{"event":{"id":"01BWDWL3NYY7LUFPZCC28QUCMK","event_type":"incident.priority_updated","resource_type":"incident","occurred_at":"2021-04-26T17:36:27.458Z","agent":{"html_url":"https://acme.pagerduty.com/users/PLH1HKV","id":"PLH1HKV","self":"https://api.pagerduty.com/users/PLH1HKV","summary":"Tenex Engineer","type":"user_reference"},"client":null,"data":{"id":"PGR0VU2","type":"incident","self":"https://api.pagerduty.com/incidents/PGR0VU2","html_url":"https://acme.pagerduty.com/incidents/PGR0VU2","number":2,"status":"triggered","title":"A little bump in the road","service":{"html_url":"https://acme.pagerduty.com/services/PF9KMXH","id":"PF9KMXH","self":"https://api.pagerduty.com/services/PF9KMXH","summary":"API Service","type":"service_reference"},"assignees":[{"html_url":"https://acme.pagerduty.com/users/PTUXL6G","id":"PTUXL6G","self":"https://api.pagerduty.com/users/PTUXL6G","summary":"User 123","type":"user_reference"}],"escalation_policy":{"html_url":"https://acme.pagerduty.com/escalation_policies/PUS0KTE","id":"PUS0KTE","self":"https://api.pagerduty.com/escalation_policies/PUS0KTE","summary":"Default","type":"escalation_policy_reference"},"teams":[{"html_url":"https://acme.pagerduty.com/teams/PFCVPS0","id":"PFCVPS0","self":"https://api.pagerduty.com/teams/PFCVPS0","summary":"Engineering","type":"team_reference"}],"priority":{"html_url":"https://acme.pagerduty.com/account/incident_priorities","id":"PSO75BM","self":"https://api.pagerduty.com/priorities/PSO75BM","summary":"P1","type":"priority_reference"},"urgency":"high","conference_bridge":{"conference_number":1000,"conference_url":"https://example.com"},"resolve_reason":null}}}"#;
    let good = "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd";
    let other = "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5";
    let pd = |sig: &str, secret: &str, body: &str| {
        run(Pagerduty, &[secret], &[("X-PagerDuty-Signature", sig)], URL, body, 0)
    };
    expect(pd(good, pd_secret, pd_body), "valid", "secret 1");
    expect(pd(&format!("{other},{good}"), pd_secret, pd_body), "valid", "secret 1");
    expect(pd(other, pd_secret, pd_body), "invalid", "no signature matches");
    expect(pd(good, "wrong", pd_body), "invalid", "no signature matches");
    expect(pd(good, pd_secret, "{}"), "invalid", "no signature matches");
    expect(pd("v0=00", pd_secret, pd_body), "invalid", "has no v1=<hex> signature");
    expect(run(Pagerduty, &[pd_secret], &[], URL, pd_body, 0), "missing", "X-PagerDuty-Signature");

    // Linear: hex of the body, and the body's webhookTimestamp (ms) within the tolerance.
    let lin_body = r#"{"action":"create","type":"Issue","webhookTimestamp":1700000000000}"#;
    let lin = [("Linear-Signature", "91e919dc0fd99df1cae12efef1ca08b082cfa523f101b572ec14ed98863fdf35")];
    let linear = |secret: &str, headers: &[(&str, &str)], body: &str, now| {
        run(Linear, &[secret], headers, URL, body, now)
    };
    expect(linear("lin_wh_secret", &lin, lin_body, 1_700_000_030), "valid", "timestamp 30 s old");
    expect(linear("lin_wh_secret", &lin, lin_body, 1_700_000_600), "invalid", "10 min old");
    expect(linear("other", &lin, lin_body, 1_700_000_000), "invalid", "no signature");
    expect(linear("lin_wh_secret", &lin, "{}", 1_700_000_000), "invalid", "no signature");
    expect(linear("lin_wh_secret", &[], lin_body, 1_700_000_000), "missing", "Linear-Signature");

    // Generic HMAC-SHA256: hex, base64, either with sha256=.
    let digest = Algo::Sha256.mac(b"k", &[b"payload"]);
    for value in [
        hex::encode(&digest),
        B64.encode(&digest),
        format!("sha256={}", hex::encode(&digest)),
    ] {
        expect(run(HmacSha256, &["k"], &[("X-Signature", &value)], URL, "payload", 0), "valid", "secret 1");
        expect(run(HmacSha256, &["k"], &[("X-Signature", &value)], URL, "tampered", 0), "invalid", "no signature");
    }
    expect(run(HmacSha256, &["k"], &[], URL, "payload", 0), "missing", "x-signature");
}

#[test]
#[rustfmt::skip]
fn timestamped_schemes() {
    let slack_sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    let slack_secret = "8f742231b10e8888abcd99yyyzzz85a5";
    let slack = |sig: &str, body: &str, now| {
        let h = [("x-slack-signature", sig), ("x-slack-request-timestamp", "1531420618")];
        run(Slack, &[slack_secret], &h, URL, body, now)
    };
    // Slack's documented example.
    expect(slack(slack_sig, SLACK_BODY, 1531420618 + 10), "valid", "10 s old");
    expect(slack(slack_sig, SLACK_BODY, 1531420618 + 540), "invalid", "timestamp is 9 min old, tolerance 5 min");
    expect(slack(slack_sig, SLACK_BODY, 1531420618 - 3600), "invalid", "60 min in the future");
    expect(slack(slack_sig, "token=changed", 1531420618), "invalid", "no v0 signature");
    expect(run(Slack, &["x"], &[("x-slack-signature", slack_sig)], URL, SLACK_BODY, 0), "missing", "X-Slack-Request-Timestamp");

    // Zoom signs as Slack does, under x-zm-* headers.
    let zoom_body = r#"{"event":"meeting.started","payload":{"object":{"id":"1"}}}"#;
    let zoom = |secret: &str, headers: &[(&str, &str)], body: &str, now| {
        run(Zoom, &[secret], headers, URL, body, now)
    };
    let zh = [
        ("x-zm-signature", "v0=7b10f369181ad97a5ea18ba472a6b62e32d92f17e0aab27ce7b6de6feee73323"),
        ("x-zm-request-timestamp", "1700000000"),
    ];
    expect(zoom("zoom_secret_token", &zh, zoom_body, 1_700_000_005), "valid", "secret 1; timestamp 5 s old");
    expect(zoom("zoom_secret_token", &zh, "{}", 1_700_000_005), "invalid", "no v0 signature");
    expect(zoom("wrong", &zh, zoom_body, 1_700_000_005), "invalid", "no v0 signature");
    expect(zoom("zoom_secret_token", &zh, zoom_body, 1_700_001_000), "invalid", "16 min old");
    expect(zoom("zoom_secret_token", &zh[1..], zoom_body, 0), "missing", "X-Zm-Signature");

    // Paddle: ts=…;h1=… over "{ts}:{body}".
    let paddle_body = r#"{"event_id":"evt_01","event_type":"transaction.completed"}"#;
    let ph = "ts=1671552777;h1=c1e93d95ae19917a6c25822cb10b66fe413e670c65f4e419a0d0c88ace59c6cf";
    let paddle = |secret: &str, value: &str, body: &str, now| {
        run(Paddle, &[secret], &[("Paddle-Signature", value)], URL, body, now)
    };
    let secret = "pdl_ntfset_01h_test_secret";
    expect(paddle(secret, ph, paddle_body, 1671552777), "valid", "secret 1; timestamp 0 s old");
    expect(paddle(secret, &format!("{ph};h1=00ff"), paddle_body, 1671552777), "valid", "secret 1");
    expect(paddle(secret, ph, "{}", 1671552777), "invalid", "no h1 signature");
    expect(paddle("pdl_other", ph, paddle_body, 1671552777), "invalid", "no h1 signature");
    expect(paddle(secret, ph, paddle_body, 1671552777 + 301), "invalid", "5 min old");
    expect(paddle(secret, "h1=00", paddle_body, 0), "invalid", "no ts= timestamp");
    expect(run(Paddle, &[secret], &[], URL, paddle_body, 0), "missing", "Paddle-Signature");

    // Twitch: id + RFC 3339 timestamp (with nanoseconds) + body.
    let tw_body = r#"{"subscription":{"type":"channel.follow"}}"#;
    let twh = [
        ("Twitch-Eventsub-Message-Id", "e76c6bd4-55c9-4987-8304-da1588d8988b"),
        ("Twitch-Eventsub-Message-Timestamp", "2023-11-14T22:13:20.123456789Z"),
        ("Twitch-Eventsub-Message-Signature", "sha256=3e9db805f5c6ea7efaa9fd24fd7a9f0bc6e09816493f396a38f11adcaddccabb"),
    ];
    let twitch = |secret: &str, headers: &[(&str, &str)], body: &str, now| {
        run(Twitch, &[secret], headers, URL, body, now)
    };
    expect(twitch("twitch_secret_0123", &twh, tw_body, 1_700_000_060), "valid", "timestamp 60 s old");
    expect(twitch("twitch_secret_0123", &twh, "{}", 1_700_000_000), "invalid", "no signature");
    expect(twitch("twitch_secret_other", &twh, tw_body, 1_700_000_000), "invalid", "no signature");
    expect(twitch("twitch_secret_0123", &twh, tw_body, 1_700_000_000 + 3600), "invalid", "60 min old");
    expect(twitch("twitch_secret_0123", &twh[1..], tw_body, 0), "missing", "Twitch-Eventsub-Message-Id");
}

#[test]
#[rustfmt::skip]
fn standard_webhooks_spec_example() {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    let body = r#"{"test": 2432232314}"#;
    let sw = |sig: &str, body: &str, now| {
        let h = [
            ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
            ("webhook-timestamp", "1614265330"),
            ("webhook-signature", sig),
        ];
        run(StandardWebhooks, &[secret], &h, URL, body, now)
    };
    expect(sw(sig, body, 1614265330), "valid", "secret 1");
    expect(sw(&format!("v1,Zm9v {sig}"), body, 1614265330), "valid", "secret 1");
    expect(sw(sig, r#"{"test": 2432232315}"#, 1614265330), "invalid", "no v1 signature");
    expect(sw(sig, body, 1614265330 + 301), "invalid", "5 min old");
    expect(run(StandardWebhooks, &[secret], &[], URL, body, 0), "missing", "webhook-id");
}

#[test]
#[rustfmt::skip]
fn url_signing_schemes() {
    // Twilio's own examples (twilio-python tests/unit/test_request_validator.py).
    let params = "CallSid=CA1234567890ABCDE&Digits=1234&From=%2B14158675309&To=%2B18005551212&Caller=%2B14158675309";
    let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
    let twilio = |url: &str, sig: &str, body: &str| {
        let h = [
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Twilio-Signature", sig),
        ];
        run(Twilio, &["12345"], &h, url, body, 0)
    };
    expect(twilio(url, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params), "valid", "secret 1 for https://mycompany.com/myapp.php?foo=1&bar=2");
    let with_port = "https://mycompany.com:1234/myapp.php?foo=1&bar=2";
    expect(twilio(with_port, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params), "valid", "secret 1");
    expect(twilio(url, "kvajT1Ptam85bY51eRf/AJRuM3w=", params), "valid", "secret 1");
    expect(twilio(&url.replace("https", "http"), "0ZXoZLH/DfblKGATFgpif+LLRf4=", params), "valid", "secret 1");
    expect(twilio(url, "IK+Dwps556ElfBT0I3Rgjkr1wJU=", "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234"), "valid", "secret 1");
    let json = r#"{"property": "value", "boolean": true}"#;
    let body_url = format!("{url}&bodySHA256=0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
    expect(run(Twilio, &["12345"], &[("X-Twilio-Signature", "a9nBmqA0ju/hNViExpshrM61xv4=")], &body_url, json, 0), "valid", "secret 1");
    expect(run(Twilio, &["12345"], &[("X-Twilio-Signature", "a9nBmqA0ju/hNViExpshrM61xv4=")], &body_url, "{}", 0), "invalid", "bodySHA256");
    expect(twilio(url, "RSOYDt4T1cUTdK1PDd93/VVr8B8=", &params.replace("1234", "9999")), "invalid", "no signature matches");
    expect(twilio("https://other.example.com/myapp.php?foo=1&bar=2", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", params), "invalid", "set the endpoint's public URL");
    expect(run(Twilio, &["54321"], &[("Content-Type", "application/x-www-form-urlencoded"), ("X-Twilio-Signature", "RSOYDt4T1cUTdK1PDd93/VVr8B8=")], url, params, 0), "invalid", "no signature matches");
    expect(run(Twilio, &["12345"], &[], url, params, 0), "missing", "X-Twilio-Signature");

    // Square's own example (square-ruby-sdk test_webhooks_helper.rb).
    let sq_body = r#"{"merchant_id":"MLEFBHHSJGVHD","type":"webhooks.test_notification","event_id":"ac3ac95b-f97d-458c-a6e6-18981597e05f","created_at":"2022-07-13T20:30:59.037339943Z","data":{"type":"webhooks","id":"bc368e64-01aa-407e-b46e-3231809b1129"}}"#;
    let sq_url = "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9";
    let square = |key: &str, url: &str, body: &str| {
        let h = [("x-square-hmacsha256-signature", "GF4YkrJgGBDZ9NIYbNXBnMzqb2HoL4RW/S6vkZ9/2N4=")];
        run(Square, &[key], &h, url, body, 0)
    };
    expect(square("Ibxx_5AKakO-3qeNVR61Dw", sq_url, sq_body), "valid", "secret 1");
    expect(square("Ibxx_5AKakO-3qeNVR61Dw", "https://webhook.site/79a4f3a-dcfa-49ee-bac5-9d0edad886b9", sq_body), "invalid", "public URL");
    expect(square("MCmhFRxGX82xMwg5FsaoQA", sq_url, sq_body), "invalid", "no signature matches");
    expect(square("Ibxx_5AKakO-3qeNVR61Dw", sq_url, &sq_body.replace("07-13", "06-13")), "invalid", "no signature matches");
    expect(run(Square, &["k"], &[], sq_url, sq_body, 0), "missing", "X-Square-Hmacsha256-Signature");
}

#[test]
#[rustfmt::skip]
fn public_key_schemes() {
    // SendGrid's own example (sendgrid-python test/unit/test_eventwebhook.py).
    let key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    let other_key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqTxd43gyp8IOEto2LdIfjRQrIbsd4SXZkLW6jDutdhXSJCWHw8REntlo7aNDthvj+y7GjUuFDb/R1NGe1OPzpA==";
    let payload = "[{\"email\":\"hello@world.com\",\"event\":\"dropped\",\"reason\":\"Bounced Address\",\"sg_event_id\":\"ZHJvcC0xMDk5NDkxOS1MUnpYbF9OSFN0T0doUTRrb2ZTbV9BLTA\",\"sg_message_id\":\"LRzXl_NHStOGhQ4kofSm_A.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0\",\"smtp-id\":\"<LRzXl_NHStOGhQ4kofSm_A@ismtpd0039p1iad1.sendgrid.net>\",\"timestamp\":1600112492}]\r\n";
    let sig = "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=";
    let bad_sig = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH3j/0=";
    let sendgrid = |keys: &[&str], sig: &str, ts: &str, body: &str, now| {
        let h = [
            ("X-Twilio-Email-Event-Webhook-Signature", sig),
            ("X-Twilio-Email-Event-Webhook-Timestamp", ts),
        ];
        run(Sendgrid, keys, &h, URL, body, now)
    };
    let at = 1600112502;
    expect(sendgrid(&[key], sig, "1600112502", payload, at + 2), "valid", "matches public key 1; timestamp 2 s old");
    expect(sendgrid(&[other_key, key], sig, "1600112502", payload, at), "valid", "public key 2");
    expect(sendgrid(&[other_key], sig, "1600112502", payload, at), "invalid", "no signature matches the configured public key");
    expect(sendgrid(&[key], sig, "1600112502", "payload", at), "invalid", "no signature matches");
    expect(sendgrid(&[key], bad_sig, "1600112502", payload, at), "invalid", "no signature matches");
    expect(sendgrid(&[key], sig, "timestamp", payload, at), "invalid", "is not a number");
    expect(sendgrid(&[key], sig, "1600112502", payload, at + 3600), "invalid", "60 min old");
    expect(run(Sendgrid, &[key], &[], URL, payload, at), "missing", "X-Twilio-Email-Event-Webhook-Signature");

    // Discord: signed by PyNaCl with the seed 0x01 × 32.
    let pk = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
    let ed = "9ef52e0980512fc86504213828935ead2d8ad69632af84e31aae7c0a1593a04f81779d871c1d68240dce56038c60788e51e59a6c3f14c72a4183c785b1e8b70e";
    let discord = |keys: &[&str], body: &str, now| {
        let h = [("X-Signature-Ed25519", ed), ("X-Signature-Timestamp", "1700000000")];
        run(Discord, keys, &h, URL, body, now)
    };
    expect(discord(&[pk], r#"{"type":1}"#, 1_700_000_001), "valid", "public key 1; timestamp 1 s old");
    expect(discord(&[pk], r#"{"type":2}"#, 1_700_000_001), "invalid", "no signature matches");
    expect(discord(&[&"11".repeat(32)], r#"{"type":1}"#, 1_700_000_001), "invalid", "no signature matches");
    expect(discord(&[pk], r#"{"type":1}"#, 1_700_000_000 + 301), "invalid", "5 min old");
    expect(run(Discord, &[pk], &[("X-Signature-Timestamp", "1")], URL, "{}", 0), "missing", "X-Signature-Ed25519");
}

#[test]
#[rustfmt::skip]
fn carried_secrets() {
    let gitlab = |secrets: &[&str], headers: &[(&str, &str)]| run(Gitlab, secrets, headers, URL, "{}", 0);
    expect(gitlab(&["tok"], &[("X-Gitlab-Token", "tok")]), "valid", "secret 1");
    expect(gitlab(&["old", "tok"], &[("X-Gitlab-Token", "tok")]), "valid", "secret 2");
    expect(gitlab(&["tok"], &[("X-Gitlab-Token", "toj")]), "invalid", "X-Gitlab-Token is not the configured secret");
    expect(gitlab(&["tok"], &[]), "missing", "X-Gitlab-Token");

    let graph = |body: &str| run(Msgraph, &["state-1", "state-2"], &[], URL, body, 0);
    let note = |state: &str| format!(r#"{{"subscriptionId":"s","changeType":"created","clientState":"{state}"}}"#);
    expect(graph(&format!(r#"{{"value":[{}]}}"#, note("state-2"))), "valid", "secret 2");
    expect(graph(&format!(r#"{{"value":[{},{}]}}"#, note("state-1"), note("state-2"))), "valid", "secret 1");
    expect(graph(&format!(r#"{{"value":[{},{}]}}"#, note("state-1"), note("forged"))), "invalid", "notification 2 is not the 2 configured secrets");
    expect(graph(r#"{"value":[{"subscriptionId":"s"}]}"#), "missing", "notification 1 has no clientState");
    expect(graph(""), "missing", "no notifications");

    let sig = "9180d3ba47d0a132576084995a3a91c2e79f3b6f75b7c88dba228a2fd52b26ff";
    let token = "a".repeat(50);
    let json = |sig: &str| {
        format!(r#"{{"signature":{{"timestamp":"1700000000","token":"{token}","signature":"{sig}"}},"event-data":{{"event":"delivered"}}}}"#)
    };
    let mailgun = |key: &str, body: &str, now| run(Mailgun, &[key], &[], URL, body, now);
    expect(mailgun("mailgun_signing_key", &json(sig), 1_700_000_010), "valid", "timestamp 10 s old");
    let form = format!("timestamp=1700000000&token={token}&signature={sig}&event=delivered");
    expect(mailgun("mailgun_signing_key", &form, 1_700_000_010), "valid", "secret 1");
    expect(mailgun("mailgun_signing_key", &json(&"00".repeat(32)), 1_700_000_010), "invalid", "no signature");
    expect(mailgun("wrong", &json(sig), 1_700_000_010), "invalid", "no signature");
    expect(mailgun("mailgun_signing_key", &json(sig), 1_700_001_000), "invalid", "16 min old");
    expect(mailgun("mailgun_signing_key", r#"{"event-data":{}}"#, 0), "missing", "no signature in the body");
}

#[test]
#[rustfmt::skip]
fn sign_then_verify_round_trips_for_every_scheme_that_can_be_resigned() {
    let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    let form = [("content-type".to_string(), b"application/x-www-form-urlencoded".to_vec())];
    for scheme in SignatureScheme::ALL {
        let secret = match scheme {
            StandardWebhooks => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            _ => "s3cret",
        };
        let resign = Resign {
            scheme,
            secret: secret.into(),
            header: Some("x-signature".into()),
        };
        let message = Message {
            url: URL,
            headers: &form,
            body,
        };
        let signed = match sign(&resign, &message, 1_700_000_000) {
            Ok(signed) => signed,
            Err(e) => {
                let why = scheme.resign_refusal().expect("only refusing schemes fail");
                assert!(e.to_string().contains(why), "{scheme:?}: {e}");
                continue;
            }
        };
        let mut headers = form.to_vec();
        headers.extend(signed.into_iter().map(|(n, v)| (n, v.into_bytes())));
        let check = |secret: &str, body: &[u8], url: &str| {
            let spec = SignatureSpec {
                scheme,
                secrets: vec![secret.into()],
                tolerance_s: 300,
                header: Some("x-signature".into()),
                verify_token: None,
            };
            let message = Message {
                url,
                headers: &headers,
                body,
            };
            verify(&spec, &message, 1_700_000_000).status.as_str()
        };
        assert_eq!(check(secret, body, URL), "valid", "{scheme:?}");
        let other = if scheme == StandardWebhooks {
            "whsec_b3RoZXI="
        } else {
            "other"
        };
        assert_eq!(check(other, body, URL), "invalid", "{scheme:?}");
        if scheme != Gitlab {
            assert_eq!(check(secret, b"tampered", URL), "invalid", "{scheme:?}");
        }
        if scheme.signs_url() {
            assert_eq!(check(secret, body, "https://elsewhere.example/"), "invalid", "{scheme:?}");
        }
    }
}

#[test]
#[rustfmt::skip]
fn timestamps_at_the_ends_of_time_are_judged_without_overflow() {
    for scheme in [Stripe, Slack, StandardWebhooks, Zoom, Paddle] {
        let resign = Resign {
            scheme,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            header: None,
        };
        for (signed, now, tolerance, want) in [
            (i64::MIN, i64::MAX, 300, "old"),
            (i64::MAX, i64::MIN, 300, "in the future"),
            (i64::MIN, 0, u64::MAX, "matches"),
            (0, i64::MIN, u64::MAX, "matches"),
        ] {
            let empty = Message {
                url: URL,
                headers: &[],
                body: b"x",
            };
            let headers: Vec<(String, Vec<u8>)> = sign(&resign, &empty, signed)
                .expect("signs")
                .into_iter()
                .map(|(n, v)| (n, v.into_bytes()))
                .collect();
            let spec = SignatureSpec {
                scheme,
                secrets: vec![resign.secret.clone()],
                tolerance_s: tolerance,
                header: None,
                verify_token: None,
            };
            let message = Message {
                headers: &headers,
                ..empty
            };
            let verdict = verify(&spec, &message, now);
            assert!(verdict.reason.contains(want), "{scheme:?}: {verdict:?}");
        }
    }
}

#[test]
#[rustfmt::skip]
fn the_url_a_provider_called_is_taken_in_the_contract_s_order() {
    // (public_url and the endpoint's prefix, tunnel URL, scheme, Host, path, query, want)
    type Case<'a> = (Option<(&'a str, &'a str)>, Option<&'a str>, &'a str, Option<&'a str>, &'a str, Option<&'a str>, &'a str);
    let cases: &[Case] = &[
        (Some(("https://hooks.example.com/tw/", "/twilio")), Some("https://t.ngrok.app"), "http", Some("127.0.0.1:4780"), "/twilio/sms", Some("a=1"), "https://hooks.example.com/tw/sms?a=1"),
        (None, Some("https://t.ngrok.app/"), "http", Some("127.0.0.1:4780"), "/twilio", None, "https://t.ngrok.app/twilio"),
        (None, None, "http", Some("127.0.0.1:4780"), "/twilio", Some("x=y"), "http://127.0.0.1:4780/twilio?x=y"),
        (None, None, "https", Some("hooks.example.com"), "/twilio", None, "https://hooks.example.com/twilio"),
    ];
    for &(configured, tunnel, scheme, host, path, query, want) in cases {
        assert_eq!(public_url(configured, tunnel, scheme, host, path, query), want);
    }
}

#[test]
#[rustfmt::skip]
fn secrets_that_cannot_be_keys_are_refused_with_what_they_should_look_like() {
    let spec = |scheme, secret: &str| SignatureSpec {
        scheme,
        secrets: vec![secret.into()],
        tolerance_s: 300,
        header: None,
        verify_token: None,
    };
    let sendgrid = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{sendgrid}\n-----END PUBLIC KEY-----\n");
    let cases: &[(SignatureScheme, &str, Option<&str>)] = &[
        (Sendgrid, sendgrid, None),
        (Sendgrid, &pem, None),
        (Sendgrid, "abc", Some("base64 of a P-256 public key")),
        (Discord, "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c", None),
        (Discord, "8a88e3dd", Some("64 hex digits")),
        (StandardWebhooks, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", None),
        (StandardWebhooks, "whsec_!!", Some("whsec_ followed by base64")),
        (Github, "anything", None),
    ];
    for &(scheme, secret, want) in cases {
        match (check_secrets(&spec(scheme, secret)), want) {
            (Ok(()), None) => {}
            (Err(e), Some(want)) => assert!(e.to_string().contains(want), "{scheme:?}: {e}"),
            (got, want) => panic!("{scheme:?} {secret}: got {got:?}, want {want:?}"),
        }
    }
}

/// The API answers a refused secret with these words (400 `invalid`), so they stay as they are.
#[test]
fn a_refused_secret_says_which_and_what_it_should_look_like() {
    let cases = [
        (
            SecretError::NotSendgridKey { index: 1 },
            "signature secret 1 is not a SendGrid verification key: paste it as the dashboard \
             shows it (base64 of a P-256 public key, MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…)",
        ),
        (
            SecretError::NotDiscordKey { index: 2 },
            "signature secret 2 is not a Discord public key: paste it as the developer portal \
             shows it (64 hex digits)",
        ),
        (
            SecretError::NotStandardSecret { index: 3 },
            "signature secret 3 is not a Standard Webhooks secret: whsec_ followed by base64",
        ),
    ];
    for (error, want) in cases {
        assert_eq!(error.to_string(), want);
    }
    let spec = SignatureSpec {
        scheme: Discord,
        secrets: vec![
            "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c".into(),
            "8a88e3dd".into(),
        ],
        tolerance_s: 300,
        header: None,
        verify_token: None,
    };
    assert_eq!(
        check_secrets(&spec),
        Err(SecretError::NotDiscordKey { index: 2 })
    );
}
