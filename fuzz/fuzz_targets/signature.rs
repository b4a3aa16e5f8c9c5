//! Signature headers from a hostile sender never panic the verifier and always get a
//! verdict with a reason; whatever `sign` makes at one time, `verify` accepts with the same
//! secret at any time within the tolerance, and refuses (saying why) outside it.
#![no_main]

use arbitrary::Arbitrary;
use hooklens_engine::provider::signature::{sign, verify};
use hooklens_store::{Resign, SignatureScheme, SignatureSpec};
use libfuzzer_sys::fuzz_target;

const SCHEMES: [SignatureScheme; 6] = [
    SignatureScheme::Stripe,
    SignatureScheme::Github,
    SignatureScheme::Shopify,
    SignatureScheme::Slack,
    SignatureScheme::StandardWebhooks,
    SignatureScheme::HmacSha256,
];

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
    let scheme = SCHEMES[usize::from(input.scheme) % SCHEMES.len()];
    let spec = SignatureSpec {
        scheme,
        secrets: input.secrets.clone(),
        tolerance_s: input.tolerance_s,
        header: input.header.clone(),
    };
    let verdict = verify(&spec, &input.headers, &input.body, input.now_s);
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
    let Ok(signed) = sign(&resign, &input.headers, &input.body, input.signed_at_s) else {
        return; // a secret the scheme cannot use (e.g. a Standard Webhooks key that is not base64)
    };
    // The fresh signature headers come first, as the forwarder replaces the old ones.
    let mut headers: Vec<(String, Vec<u8>)> = signed
        .into_iter()
        .map(|(n, v)| (n, v.into_bytes()))
        .collect();
    headers.extend(input.headers.iter().cloned());
    let verdict = verify(&spec, &headers, &input.body, input.now_s);
    let timed = matches!(
        scheme,
        SignatureScheme::Stripe | SignatureScheme::Slack | SignatureScheme::StandardWebhooks
    );
    let age = i128::from(input.now_s) - i128::from(input.signed_at_s);
    let in_time = !timed || age.unsigned_abs() <= u128::from(input.tolerance_s);
    let want = if in_time { "valid" } else { "invalid" };
    assert_eq!(verdict.status.as_str(), want, "{verdict:?} for {headers:?}");
});
