//! Checking and making providers' webhook signatures, over the raw bytes.
//!
//! Each scheme signs differently: Stripe `t.{body}` with `t=…,v1=…`; GitHub the body,
//! hex with `sha256=`; Shopify the body, base64; Slack `v0:{ts}:{body}`; Standard Webhooks
//! `{id}.{ts}.{body}` with a base64 `whsec_` key; generic HMAC-SHA256 the body in a header
//! of your choice. Comparisons are constant-time (`Mac::verify_slice`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use hooklens_store::SignatureStatus::{Invalid, Missing, Valid};
use hooklens_store::{Resign, SignatureScheme, SignatureSpec, SignatureStatus, SignatureVerdict};
use sha2::Sha256;

use super::header;

type HmacSha256 = Hmac<Sha256>;

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    // HMAC takes keys of any length.
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    for part in parts {
        mac.update(part);
    }
    mac
}

fn verdict(
    status: SignatureStatus,
    scheme: SignatureScheme,
    reason: impl Into<String>,
) -> SignatureVerdict {
    SignatureVerdict {
        status,
        scheme: Some(scheme.as_str().into()),
        reason: reason.into(),
    }
}

/// "9 min", "45 s", "2 h".
fn span(secs: u64) -> String {
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

fn secrets_word(n: usize) -> String {
    if n == 1 {
        "the configured secret".into()
    } else {
        format!("the {n} configured secrets")
    }
}

/// The verdict for a request when no scheme is configured on its endpoint.
pub fn unconfigured() -> SignatureVerdict {
    SignatureVerdict {
        status: SignatureStatus::Unconfigured,
        scheme: None,
        reason: "no signature check is configured for this endpoint".into(),
    }
}

/// Checks a request against `spec` at `now_s` (Unix seconds).
// Long: one match arm per scheme over shared closures; it shrinks as the schemes move to their own files.
pub fn verify(
    spec: &SignatureSpec,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
    now_s: i64,
) -> SignatureVerdict {
    let scheme = spec.scheme;
    let missing = |what: &str| verdict(Missing, scheme, format!("no {what} header"));
    let matched =
        |candidates: &[Vec<u8>], signed: &[&[u8]], key_of: &dyn Fn(&str) -> Option<Vec<u8>>| {
            spec.secrets.iter().enumerate().find_map(|(i, secret)| {
                let key = key_of(secret)?;
                candidates
                    .iter()
                    .any(|sig| mac(&key, signed).verify_slice(sig).is_ok())
                    .then_some(i + 1)
            })
        };
    let raw = |s: &str| Some(s.as_bytes().to_vec());
    // The timestamp is the sender's: any i64, so the age is computed in i128, where it
    // cannot overflow (a panic in debug builds, a nonsense age in release).
    let timing = |ts: i64, which: usize| {
        let age = i128::from(now_s) - i128::from(ts);
        let tolerance = i128::from(spec.tolerance_s);
        let secs = |n: i128| u64::try_from(n.unsigned_abs()).unwrap_or(u64::MAX);
        if age > tolerance {
            Err(format!(
                "timestamp is {} old, tolerance {}",
                span(secs(age)),
                span(spec.tolerance_s)
            ))
        } else if -age > tolerance {
            Err(format!(
                "timestamp is {} in the future, tolerance {}",
                span(secs(age)),
                span(spec.tolerance_s)
            ))
        } else {
            Ok(format!(
                "matches secret {which}; timestamp {} old",
                span(secs(age.max(0)))
            ))
        }
    };
    let timed = |result: Option<usize>, ts: i64, kind: &str| match result {
        Some(which) => match timing(ts, which) {
            Ok(reason) => verdict(Valid, scheme, reason),
            Err(reason) => verdict(Invalid, scheme, reason),
        },
        None => verdict(
            Invalid,
            scheme,
            format!(
                "no {kind} signature matches {}",
                secrets_word(spec.secrets.len())
            ),
        ),
    };
    let untimed = |result: Option<usize>| match result {
        Some(which) => verdict(Valid, scheme, format!("matches secret {which}")),
        None => verdict(
            Invalid,
            scheme,
            format!("no signature matches {}", secrets_word(spec.secrets.len())),
        ),
    };
    match scheme {
        SignatureScheme::Stripe => {
            let Some(value) = header(headers, "stripe-signature") else {
                return missing("Stripe-Signature");
            };
            let mut ts = None;
            let mut v1 = Vec::new();
            for part in value.split(',') {
                match part.trim().split_once('=') {
                    Some(("t", t)) => ts = t.parse::<i64>().ok(),
                    Some(("v1", sig)) => v1.extend(hex::decode(sig).ok()),
                    _ => {}
                }
            }
            let Some(ts) = ts else {
                return verdict(Invalid, scheme, "Stripe-Signature has no t= timestamp");
            };
            if v1.is_empty() {
                return verdict(Invalid, scheme, "Stripe-Signature has no v1= signature");
            }
            let signed_ts = format!("{ts}.");
            timed(matched(&v1, &[signed_ts.as_bytes(), body], &raw), ts, "v1")
        }
        SignatureScheme::Github => {
            let Some(value) = header(headers, "x-hub-signature-256") else {
                return missing("X-Hub-Signature-256");
            };
            let Some(sig) = value
                .strip_prefix("sha256=")
                .and_then(|h| hex::decode(h).ok())
            else {
                return verdict(Invalid, scheme, "X-Hub-Signature-256 is not sha256=<hex>");
            };
            untimed(matched(&[sig], &[body], &raw))
        }
        SignatureScheme::Shopify => {
            let Some(value) = header(headers, "x-shopify-hmac-sha256") else {
                return missing("X-Shopify-Hmac-Sha256");
            };
            let Ok(sig) = B64.decode(value) else {
                return verdict(Invalid, scheme, "X-Shopify-Hmac-Sha256 is not base64");
            };
            untimed(matched(&[sig], &[body], &raw))
        }
        SignatureScheme::Slack => {
            let (Some(value), Some(ts)) = (
                header(headers, "x-slack-signature"),
                header(headers, "x-slack-request-timestamp"),
            ) else {
                return missing("X-Slack-Signature or X-Slack-Request-Timestamp");
            };
            let (Some(sig), Ok(ts_num)) = (
                value.strip_prefix("v0=").and_then(|h| hex::decode(h).ok()),
                ts.parse::<i64>(),
            ) else {
                return verdict(
                    Invalid,
                    scheme,
                    "X-Slack-Signature is not v0=<hex> with a numeric timestamp",
                );
            };
            let base = format!("v0:{ts}:");
            timed(
                matched(&[sig], &[base.as_bytes(), body], &raw),
                ts_num,
                "v0",
            )
        }
        SignatureScheme::StandardWebhooks => {
            let (prefix, id) = match (header(headers, "webhook-id"), header(headers, "svix-id")) {
                (Some(id), _) => ("webhook", id),
                (None, Some(id)) => ("svix", id),
                (None, None) => return missing("webhook-id"),
            };
            let (Some(ts), Some(sigs)) = (
                header(headers, &format!("{prefix}-timestamp")),
                header(headers, &format!("{prefix}-signature")),
            ) else {
                return missing(&format!("{prefix}-timestamp or {prefix}-signature"));
            };
            let Ok(ts_num) = ts.parse::<i64>() else {
                return verdict(
                    Invalid,
                    scheme,
                    format!("{prefix}-timestamp is not a number"),
                );
            };
            let candidates: Vec<Vec<u8>> = sigs
                .split_whitespace()
                .filter_map(|s| s.strip_prefix("v1,"))
                .filter_map(|s| B64.decode(s).ok())
                .collect();
            if candidates.is_empty() {
                return verdict(
                    Invalid,
                    scheme,
                    format!("{prefix}-signature has no v1 signature"),
                );
            }
            let head = format!("{id}.{ts}.");
            timed(
                matched(&candidates, &[head.as_bytes(), body], &standard_key),
                ts_num,
                "v1",
            )
        }
        SignatureScheme::HmacSha256 => {
            let name = spec.header.as_deref().unwrap_or("x-signature");
            let Some(value) = header(headers, name) else {
                return missing(name);
            };
            let value = value.strip_prefix("sha256=").unwrap_or(value);
            let candidates: Vec<Vec<u8>> = [hex::decode(value).ok(), B64.decode(value).ok()]
                .into_iter()
                .flatten()
                .collect();
            untimed(matched(&candidates, &[body], &raw))
        }
    }
}

/// A Standard Webhooks secret is `whsec_` + base64 of the key.
fn standard_key(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()
}

/// The headers that sign `body` at `now_s` for `resign`'s scheme and secret. Standard
/// Webhooks keeps the message id (and the `svix-` prefix) already present, if any.
pub fn sign(
    resign: &Resign,
    headers: &[(String, Vec<u8>)],
    body: &[u8],
    now_s: i64,
) -> Result<Vec<(String, String)>, String> {
    let secret = resign.secret.as_bytes();
    let hex_of = |parts: &[&[u8]]| hex::encode(mac(secret, parts).finalize().into_bytes());
    Ok(match resign.scheme {
        SignatureScheme::Stripe => {
            let t = format!("{now_s}.");
            vec![(
                "stripe-signature".into(),
                format!("t={now_s},v1={}", hex_of(&[t.as_bytes(), body])),
            )]
        }
        SignatureScheme::Github => vec![(
            "x-hub-signature-256".into(),
            format!("sha256={}", hex_of(&[body])),
        )],
        SignatureScheme::Shopify => vec![(
            "x-shopify-hmac-sha256".into(),
            B64.encode(mac(secret, &[body]).finalize().into_bytes()),
        )],
        SignatureScheme::Slack => {
            let base = format!("v0:{now_s}:");
            vec![
                ("x-slack-request-timestamp".into(), now_s.to_string()),
                (
                    "x-slack-signature".into(),
                    format!("v0={}", hex_of(&[base.as_bytes(), body])),
                ),
            ]
        }
        SignatureScheme::StandardWebhooks => {
            let key = standard_key(&resign.secret)
                .ok_or("the Standard Webhooks secret must be whsec_ followed by base64")?;
            let (prefix, id) = match (header(headers, "webhook-id"), header(headers, "svix-id")) {
                (Some(id), _) => ("webhook", id.to_string()),
                (None, Some(id)) => ("svix", id.to_string()),
                (None, None) => ("webhook", format!("msg_{}", ulid::Ulid::new())),
            };
            let head = format!("{id}.{now_s}.");
            let sig = B64.encode(mac(&key, &[head.as_bytes(), body]).finalize().into_bytes());
            vec![
                (format!("{prefix}-id"), id),
                (format!("{prefix}-timestamp"), now_s.to_string()),
                (format!("{prefix}-signature"), format!("v1,{sig}")),
            ]
        }
        SignatureScheme::HmacSha256 => vec![(
            resign
                .header
                .clone()
                .unwrap_or_else(|| "x-signature".into()),
            hex_of(&[body]),
        )],
    })
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

    fn spec(scheme: SignatureScheme, secrets: &[&str]) -> SignatureSpec {
        SignatureSpec {
            scheme,
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            tolerance_s: 300,
            header: Some("x-signature".into()),
        }
    }

    const SLACK_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";

    /// Providers' published examples, and tampered, wrong-secret, stale, missing and
    /// multi-signature variants of them.
    #[test]
    fn published_vectors_and_their_variants() {
        use SignatureScheme::*;
        let gh_sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        let slack_sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
        let sw_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let sw_secrets = [sw_secret];
        let sw_sig = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        let sw_body = r#"{"test": 2432232314}"#;
        let sw = |sig: &str| {
            h(&[
                ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
                ("webhook-timestamp", "1614265330"),
                ("webhook-signature", sig),
            ])
        };
        let slack = |sig: &str| {
            h(&[
                ("x-slack-signature", sig),
                ("x-slack-request-timestamp", "1531420618"),
            ])
        };
        // (what, scheme, secrets, headers, body, now, status, reason contains)
        type Case<'a> = (
            &'a str,
            SignatureScheme,
            &'a [&'a str],
            Vec<(String, Vec<u8>)>,
            &'a str,
            i64,
            &'a str,
            &'a str,
        );
        let cases: Vec<Case> = vec![
            (
                "github docs",
                Github,
                &["It's a Secret to Everybody"],
                h(&[("x-hub-signature-256", gh_sig)]),
                "Hello, World!",
                0,
                "valid",
                "secret 1",
            ),
            (
                "github tampered",
                Github,
                &["It's a Secret to Everybody"],
                h(&[("x-hub-signature-256", gh_sig)]),
                "Hello, World?",
                0,
                "invalid",
                "no signature matches the configured secret",
            ),
            (
                "github rotation",
                Github,
                &["old", "It's a Secret to Everybody"],
                h(&[("x-hub-signature-256", gh_sig)]),
                "Hello, World!",
                0,
                "valid",
                "secret 2",
            ),
            (
                "github wrong secret",
                Github,
                &["a", "b"],
                h(&[("x-hub-signature-256", gh_sig)]),
                "Hello, World!",
                0,
                "invalid",
                "the 2 configured secrets",
            ),
            (
                "github missing",
                Github,
                &["x"],
                h(&[]),
                "Hello, World!",
                0,
                "missing",
                "X-Hub-Signature-256",
            ),
            (
                "slack docs",
                Slack,
                &["8f742231b10e8888abcd99yyyzzz85a5"],
                slack(slack_sig),
                SLACK_BODY,
                1531420618 + 10,
                "valid",
                "10 s old",
            ),
            (
                "slack stale",
                Slack,
                &["8f742231b10e8888abcd99yyyzzz85a5"],
                slack(slack_sig),
                SLACK_BODY,
                1531420618 + 540,
                "invalid",
                "timestamp is 9 min old, tolerance 5 min",
            ),
            (
                "slack future",
                Slack,
                &["8f742231b10e8888abcd99yyyzzz85a5"],
                slack(slack_sig),
                SLACK_BODY,
                1531420618 - 3600,
                "invalid",
                "60 min in the future",
            ),
            (
                "slack tampered",
                Slack,
                &["8f742231b10e8888abcd99yyyzzz85a5"],
                slack(slack_sig),
                "token=changed",
                1531420618,
                "invalid",
                "no v0 signature",
            ),
            (
                "slack missing",
                Slack,
                &["x"],
                h(&[("x-slack-signature", slack_sig)]),
                SLACK_BODY,
                0,
                "missing",
                "X-Slack-Request-Timestamp",
            ),
            (
                "standard webhooks spec",
                StandardWebhooks,
                &sw_secrets,
                sw(sw_sig),
                sw_body,
                1614265330,
                "valid",
                "secret 1",
            ),
            (
                "standard several signatures",
                StandardWebhooks,
                &sw_secrets,
                sw(&format!("v1,Zm9v {sw_sig}")),
                sw_body,
                1614265330,
                "valid",
                "secret 1",
            ),
            (
                "standard tampered",
                StandardWebhooks,
                &sw_secrets,
                sw(sw_sig),
                r#"{"test": 2432232315}"#,
                1614265330,
                "invalid",
                "no v1 signature",
            ),
            (
                "standard stale",
                StandardWebhooks,
                &sw_secrets,
                sw(sw_sig),
                sw_body,
                1614265330 + 301,
                "invalid",
                "5 min old",
            ),
            (
                "standard missing",
                StandardWebhooks,
                &sw_secrets,
                h(&[]),
                sw_body,
                0,
                "missing",
                "webhook-id",
            ),
        ];
        for (what, scheme, secrets, headers, body, now, status, reason) in cases {
            let v = verify(&spec(scheme, secrets), &headers, body.as_bytes(), now);
            assert_eq!(v.status.as_str(), status, "{what}: {v:?}");
            assert!(
                v.reason.contains(reason),
                "{what}: {:?} lacks {reason:?}",
                v.reason
            );
            assert_eq!(v.scheme.as_deref(), Some(scheme.as_str()));
        }
    }

    #[test]
    fn sign_then_verify_round_trips_for_every_scheme() {
        use SignatureScheme::*;
        let body = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
        for scheme in [Stripe, Github, Shopify, Slack, StandardWebhooks, HmacSha256] {
            let secret = match scheme {
                StandardWebhooks => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                _ => "s3cret",
            };
            let resign = Resign {
                scheme,
                secret: secret.into(),
                header: Some("x-signature".into()),
            };
            let headers: Vec<(String, Vec<u8>)> = sign(&resign, &[], body, 1_700_000_000)
                .expect("signs")
                .into_iter()
                .map(|(n, v)| (n, v.into_bytes()))
                .collect();
            let check = |secret: &str, body: &[u8], now| {
                verify(&spec(scheme, &[secret]), &headers, body, now)
                    .status
                    .as_str()
            };
            assert_eq!(check(secret, body, 1_700_000_000), "valid", "{scheme:?}");
            assert_eq!(
                check(secret, b"tampered", 1_700_000_000),
                "invalid",
                "{scheme:?}"
            );
            let other = if scheme == StandardWebhooks {
                "whsec_b3RoZXI="
            } else {
                "other"
            };
            assert_eq!(check(other, body, 1_700_000_000), "invalid", "{scheme:?}");
        }
        let stripe = sign(
            &Resign {
                scheme: Stripe,
                secret: "whsec_x".into(),
                header: None,
            },
            &[],
            body,
            42,
        )
        .expect("signs");
        assert!(stripe[0].1.starts_with("t=42,v1="));
    }

    #[test]
    fn timestamps_at_the_ends_of_time_are_judged_without_overflow() {
        use SignatureScheme::*;
        let resign = |scheme| Resign {
            scheme,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            header: None,
        };
        for scheme in [Stripe, Slack, StandardWebhooks] {
            for (signed, now, tolerance, want) in [
                (i64::MIN, i64::MAX, 300, "old"),
                (i64::MAX, i64::MIN, 300, "in the future"),
                (i64::MIN, 0, u64::MAX, "matches"),
                (0, i64::MIN, u64::MAX, "matches"),
            ] {
                let headers: Vec<(String, Vec<u8>)> = sign(&resign(scheme), &[], b"x", signed)
                    .expect("signs")
                    .into_iter()
                    .map(|(n, v)| (n, v.into_bytes()))
                    .collect();
                let mut spec = spec(scheme, &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);
                spec.tolerance_s = tolerance;
                let verdict = verify(&spec, &headers, b"x", now);
                assert!(verdict.reason.contains(want), "{scheme:?}: {verdict:?}");
            }
        }
    }

    #[test]
    fn generic_hmac_accepts_hex_base64_and_a_prefix() {
        let body = b"payload";
        let digest = mac(b"k", &[body]).finalize().into_bytes();
        for value in [
            hex::encode(digest),
            B64.encode(digest),
            format!("sha256={}", hex::encode(digest)),
        ] {
            let v = verify(
                &spec(SignatureScheme::HmacSha256, &["k"]),
                &h(&[("X-Signature", &value)]),
                body,
                0,
            );
            assert_eq!(v.status.as_str(), "valid", "{value}");
        }
    }
}
