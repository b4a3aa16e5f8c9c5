//! Schemes where the provider signs with its own private key and the endpoint holds the
//! public half: SendGrid's Event Webhook (ECDSA P-256 over SHA-256, base64 DER signature,
//! base64 DER key) and Discord interactions (Ed25519, hex signature, hex key). Both sign the
//! timestamp header followed by the body. Hooklens can check these but never make them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hooklens_store::{SignatureScheme, SignatureSpec};
use p256::ecdsa::signature::Verifier as _;
use p256::pkcs8::DecodePublicKey as _;

use super::{Found, Message};

/// SendGrid's verification key as its dashboard shows it: base64 of the DER public key
/// (a PEM block is taken too).
pub(super) fn sendgrid_key(secret: &str) -> Option<p256::ecdsa::VerifyingKey> {
    let b64: String = secret
        .lines()
        .filter(|line| !line.starts_with("-----"))
        .flat_map(|line| line.chars().filter(|c| !c.is_whitespace()))
        .collect();
    let der = B64.decode(b64).ok()?;
    p256::ecdsa::VerifyingKey::from_public_key_der(&der).ok()
}

/// Discord's application public key as the developer portal shows it: 64 hex digits.
pub(super) fn discord_key(secret: &str) -> Option<ed25519_dalek::VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(secret.trim()).ok()?.try_into().ok()?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()
}

pub(super) fn verify(spec: &SignatureSpec, message: &Message) -> Found {
    let discord = spec.scheme == SignatureScheme::Discord;
    let (sig_name, ts_name) = if discord {
        ("X-Signature-Ed25519", "X-Signature-Timestamp")
    } else {
        (
            "X-Twilio-Email-Event-Webhook-Signature",
            "X-Twilio-Email-Event-Webhook-Timestamp",
        )
    };
    let (Some(sig), Some(ts)) = (message.header(sig_name), message.header(ts_name)) else {
        return Found::missing(&format!("{sig_name} or {ts_name}"));
    };
    let Ok(at) = ts.parse::<i64>() else {
        return Found::refused(format!("{ts_name} is not a number"));
    };
    let signed = [ts.as_bytes(), message.body].concat();
    let secret = if discord {
        let Some(sig) = hex::decode(sig)
            .ok()
            .and_then(|b| ed25519_dalek::Signature::from_slice(&b).ok())
        else {
            return Found::refused(format!("{sig_name} is not a hex Ed25519 signature"));
        };
        first_key(&spec.secrets, discord_key, |key| {
            key.verify_strict(&signed, &sig).is_ok()
        })
    } else {
        let Some(sig) = B64
            .decode(sig)
            .ok()
            .and_then(|b| p256::ecdsa::Signature::from_der(&b).ok())
        else {
            return Found::refused(format!("{sig_name} is not a base64 DER ECDSA signature"));
        };
        first_key(&spec.secrets, sendgrid_key, |key| {
            key.verify(&signed, &sig).is_ok()
        })
    };
    Found::first(secret, Some(at), None)
}

/// The first key (from 1) that parses and accepts the signature.
fn first_key<K>(
    secrets: &[String],
    parse: impl Fn(&str) -> Option<K>,
    accepts: impl Fn(&K) -> bool,
) -> Option<usize> {
    secrets
        .iter()
        .enumerate()
        .find_map(|(i, secret)| parse(secret).filter(|k| accepts(k)).map(|_| i + 1))
}
