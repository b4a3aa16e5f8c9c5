//! Schemes that sign a timestamp (and for some a message id) with the body, so a captured
//! request cannot be replayed later: Stripe `{t}.{body}`, Slack and Zoom `v0:{ts}:{body}`,
//! Paddle `{ts}:{body}`, Standard Webhooks `{id}.{ts}.{body}` with a base64 `whsec_` key,
//! Twitch `{id}{rfc3339 ts}{body}`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hooklens_store::{Resign, SignatureScheme, SignatureSpec};

use super::{Algo, Found, Message, SignError, first_secret, raw_key};

/// A Standard Webhooks secret is `whsec_` + base64 of the key.
pub(super) fn standard_key(secret: &str) -> Option<Vec<u8>> {
    B64.decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()
}

/// Slack and Zoom sign alike, under their own header names.
fn v0_headers(scheme: SignatureScheme) -> (&'static str, &'static str) {
    if scheme == SignatureScheme::Zoom {
        ("x-zm-signature", "x-zm-request-timestamp")
    } else {
        ("x-slack-signature", "x-slack-request-timestamp")
    }
}

/// Splits `k=v` pairs separated by `separator`: the timestamp under `ts_key`, and every
/// signature under `sig_key`, hex-decoded.
fn pairs(value: &str, separator: char, ts_key: &str, sig_key: &str) -> (Option<i64>, Vec<Vec<u8>>) {
    let mut ts = None;
    let mut sigs = Vec::new();
    for part in value.split(separator) {
        match part.trim().split_once('=') {
            Some((k, t)) if k == ts_key => ts = t.parse::<i64>().ok(),
            Some((k, sig)) if k == sig_key => sigs.extend(hex::decode(sig).ok()),
            _ => {}
        }
    }
    (ts, sigs)
}

pub(super) fn verify(spec: &SignatureSpec, message: &Message) -> Found {
    match spec.scheme {
        SignatureScheme::Stripe | SignatureScheme::Paddle => paired(spec, message),
        SignatureScheme::Slack | SignatureScheme::Zoom => v0(spec, message),
        SignatureScheme::StandardWebhooks => standard(spec, message),
        _ => twitch(spec, message),
    }
}

/// The first secret whose key (`key_of` it) makes any of `sigs` the HMAC-SHA256 of `parts`.
fn sha256_secret(
    spec: &SignatureSpec,
    key_of: impl Fn(&str) -> Option<Vec<u8>>,
    parts: &[&[u8]],
    sigs: &[Vec<u8>],
) -> Option<usize> {
    first_secret(&spec.secrets, key_of, Algo::Sha256, parts, sigs)
}

/// Stripe (`Stripe-Signature: t=…,v1=…` over `{t}.{body}`) and Paddle
/// (`Paddle-Signature: ts=…;h1=…` over `{ts}:{body}`).
fn paired(spec: &SignatureSpec, message: &Message) -> Found {
    let (name, separator, ts_key, sig_key, glue) = if spec.scheme == SignatureScheme::Stripe {
        ("Stripe-Signature", ',', "t", "v1", ".")
    } else {
        ("Paddle-Signature", ';', "ts", "h1", ":")
    };
    let Some(value) = message.header(name) else {
        return Found::missing(name);
    };
    let (ts, sigs) = pairs(value, separator, ts_key, sig_key);
    let Some(ts) = ts else {
        return Found::refused(format!("{name} has no {ts_key}= timestamp"));
    };
    if sigs.is_empty() {
        return Found::refused(format!("{name} has no {sig_key}= signature"));
    }
    let head = format!("{ts}{glue}");
    Found::first(
        sha256_secret(spec, raw_key, &[head.as_bytes(), message.body], &sigs),
        Some(ts),
        Some(sig_key),
    )
}

/// Slack and Zoom: `v0=<hex>` over `v0:{ts}:{body}`, the timestamp in its own header.
fn v0(spec: &SignatureSpec, message: &Message) -> Found {
    let (sig_name, ts_name) = v0_headers(spec.scheme);
    let (Some(value), Some(ts)) = (message.header(sig_name), message.header(ts_name)) else {
        return Found::missing(&format!("{} or {}", title(sig_name), title(ts_name)));
    };
    let (Some(sig), Ok(at)) = (
        value.strip_prefix("v0=").and_then(|h| hex::decode(h).ok()),
        ts.parse::<i64>(),
    ) else {
        return Found::refused(format!(
            "{} is not v0=<hex> with a numeric timestamp",
            title(sig_name)
        ));
    };
    let head = format!("v0:{ts}:");
    Found::first(
        sha256_secret(spec, raw_key, &[head.as_bytes(), message.body], &[sig]),
        Some(at),
        Some("v0"),
    )
}

/// Standard Webhooks (or its `svix-` headers): space-separated `v1,<base64>` over
/// `{id}.{ts}.{body}`, keyed by the `whsec_` secret's bytes.
fn standard(spec: &SignatureSpec, message: &Message) -> Found {
    let (prefix, id) = match (message.header("webhook-id"), message.header("svix-id")) {
        (Some(id), _) => ("webhook", id),
        (None, Some(id)) => ("svix", id),
        (None, None) => return Found::missing("webhook-id"),
    };
    let (Some(ts), Some(sigs)) = (
        message.header(&format!("{prefix}-timestamp")),
        message.header(&format!("{prefix}-signature")),
    ) else {
        return Found::missing(&format!("{prefix}-timestamp or {prefix}-signature"));
    };
    let Ok(at) = ts.parse::<i64>() else {
        return Found::refused(format!("{prefix}-timestamp is not a number"));
    };
    let sigs: Vec<Vec<u8>> = sigs
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| B64.decode(s).ok())
        .collect();
    if sigs.is_empty() {
        return Found::refused(format!("{prefix}-signature has no v1 signature"));
    }
    let head = format!("{id}.{ts}.");
    Found::first(
        sha256_secret(spec, standard_key, &[head.as_bytes(), message.body], &sigs),
        Some(at),
        Some("v1"),
    )
}

/// Twitch EventSub: `sha256=<hex>` over message id, RFC 3339 timestamp and body.
fn twitch(spec: &SignatureSpec, message: &Message) -> Found {
    let (Some(id), Some(ts), Some(sig)) = (
        message.header("twitch-eventsub-message-id"),
        message.header("twitch-eventsub-message-timestamp"),
        message.header("twitch-eventsub-message-signature"),
    ) else {
        return Found::missing("Twitch-Eventsub-Message-Id, -Timestamp or -Signature");
    };
    let Some(sig) = sig
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
    else {
        return Found::refused("Twitch-Eventsub-Message-Signature is not sha256=<hex>");
    };
    let Some(at) = rfc3339_seconds(ts) else {
        return Found::refused("Twitch-Eventsub-Message-Timestamp is not an RFC 3339 time");
    };
    let secret = sha256_secret(
        spec,
        raw_key,
        &[id.as_bytes(), ts.as_bytes(), message.body],
        &[sig],
    );
    Found::first(secret, Some(at), None)
}

fn rfc3339_seconds(ts: &str) -> Option<i64> {
    let time = humantime::parse_rfc3339(ts).ok()?;
    let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_secs()).ok()
}

/// `x-slack-signature` → `X-Slack-Signature`, as people read header names.
fn title(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

pub(super) fn sign(
    resign: &Resign,
    message: &Message,
    now_s: i64,
) -> Result<Vec<(String, String)>, SignError> {
    let secret = resign.secret.as_bytes();
    let body = message.body;
    let hex_of = |parts: &[&[u8]]| hex::encode(Algo::Sha256.mac(secret, parts));
    Ok(match resign.scheme {
        SignatureScheme::Stripe => {
            let t = format!("{now_s}.");
            vec![(
                "stripe-signature".into(),
                format!("t={now_s},v1={}", hex_of(&[t.as_bytes(), body])),
            )]
        }
        SignatureScheme::Paddle => {
            let t = format!("{now_s}:");
            vec![(
                "paddle-signature".into(),
                format!("ts={now_s};h1={}", hex_of(&[t.as_bytes(), body])),
            )]
        }
        SignatureScheme::Slack | SignatureScheme::Zoom => {
            let (sig_name, ts_name) = v0_headers(resign.scheme);
            let base = format!("v0:{now_s}:");
            vec![
                (ts_name.into(), now_s.to_string()),
                (
                    sig_name.into(),
                    format!("v0={}", hex_of(&[base.as_bytes(), body])),
                ),
            ]
        }
        SignatureScheme::StandardWebhooks => {
            let key = standard_key(&resign.secret).ok_or(SignError::BadSecret(
                "the Standard Webhooks secret must be whsec_ followed by base64",
            ))?;
            let (prefix, id) = match (message.header("webhook-id"), message.header("svix-id")) {
                (Some(id), _) => ("webhook", id.to_string()),
                (None, Some(id)) => ("svix", id.to_string()),
                (None, None) => ("webhook", format!("msg_{}", ulid::Ulid::new())),
            };
            let head = format!("{id}.{now_s}.");
            let sig = B64.encode(Algo::Sha256.mac(&key, &[head.as_bytes(), body]));
            vec![
                (format!("{prefix}-id"), id),
                (format!("{prefix}-timestamp"), now_s.to_string()),
                (format!("{prefix}-signature"), format!("v1,{sig}")),
            ]
        }
        _ => {
            let id = message.header("twitch-eventsub-message-id").map_or_else(
                || ulid::Ulid::new().to_string().to_lowercase(),
                str::to_string,
            );
            let at = std::time::UNIX_EPOCH
                + std::time::Duration::from_secs(u64::try_from(now_s).unwrap_or(0));
            let ts = humantime::format_rfc3339_nanos(at).to_string();
            let sig = hex_of(&[id.as_bytes(), ts.as_bytes(), body]);
            vec![
                ("twitch-eventsub-message-id".into(), id),
                ("twitch-eventsub-message-timestamp".into(), ts),
                (
                    "twitch-eventsub-message-signature".into(),
                    format!("sha256={sig}"),
                ),
            ]
        }
    })
}
