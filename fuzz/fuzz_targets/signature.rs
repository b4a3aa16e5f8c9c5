//! Signature headers and bodies from a hostile sender never panic the verifier of any scheme
//! and always get a verdict with a reason; whatever `sign` makes at one time, `verify`
//! accepts with the same secret at any time within the tolerance, and refuses (saying why)
//! outside it.
#![no_main]

use arbitrary::Arbitrary;
use hooklens_engine::provider::signature::{Message, sign, verify};
use hooklens_store::{Resign, SignatureScheme, SignatureSpec};
use libfuzzer_sys::fuzz_target;

/// The URL Twilio and Square sign; the other schemes do not read it.
const URL: &str = "https://hooks.example.com/twilio?x=1";
/// The last second a clock shows with a four-digit year: sign's times are the engine's clock.
const LAST_SECOND: i64 = 253_402_300_799;

#[derive(Arbitrary, Debug)]
struct Input {
    scheme: u8,
    secrets: Vec<String>,
    tolerance_s: u64,
    header: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    now_s: i64,
    signed_at_s: i64,
}

fuzz_target!(|input: Input| {
    let scheme = SignatureScheme::ALL[usize::from(input.scheme) % SignatureScheme::ALL.len()];
    let spec = SignatureSpec {
        scheme,
        secrets: input.secrets.clone(),
        tolerance_s: input.tolerance_s,
        header: input.header.clone(),
        verify_token: None,
    };
    let message = Message {
        url: URL,
        headers: &input.headers,
        body: &input.body,
    };
    let verdict = verify(&spec, &message, input.now_s);
    assert!(
        matches!(verdict.status.as_str(), "valid" | "invalid" | "missing"),
        "{verdict:?}"
    );
    assert!(!verdict.reason.is_empty());

    let Some(secret) = input.secrets.first() else {
        return;
    };
    let resign = Resign {
        scheme,
        secret: secret.clone(),
        header: input.header.clone(),
    };
    let signed_at_s = input.signed_at_s.clamp(0, LAST_SECOND);
    let Ok(signed) = sign(&resign, &message, signed_at_s) else {
        // A scheme Hooklens cannot sign with, or a secret it cannot use (a Standard Webhooks
        // key that is not base64).
        return;
    };
    if matches!(scheme, SignatureScheme::Linear)
        || (scheme == SignatureScheme::Gitlab && secret.trim() != secret)
    {
        // Linear's time is the body's `webhookTimestamp`, not the signing time; a header
        // value cannot carry GitLab's token with surrounding whitespace.
        return;
    }
    // The fresh signature headers come first, as the forwarder replaces the old ones.
    let mut headers: Vec<(String, Vec<u8>)> = signed
        .into_iter()
        .map(|(n, v)| (n, v.into_bytes()))
        .collect();
    headers.extend(input.headers.iter().cloned());
    let message = Message {
        url: URL,
        headers: &headers,
        body: &input.body,
    };
    let verdict = verify(&spec, &message, input.now_s);
    let timed = matches!(
        scheme,
        SignatureScheme::Stripe
            | SignatureScheme::Slack
            | SignatureScheme::StandardWebhooks
            | SignatureScheme::Zoom
            | SignatureScheme::Paddle
            | SignatureScheme::Twitch
    );
    let age = i128::from(input.now_s) - i128::from(signed_at_s);
    let in_time = !timed || age.unsigned_abs() <= u128::from(input.tolerance_s);
    let want = if in_time { "valid" } else { "invalid" };
    assert_eq!(verdict.status.as_str(), want, "{verdict:?} for {headers:?}");
});
