//! Checking and making providers' webhook signatures, over the raw bytes.
//!
//! Providers sign in a handful of ways, and each family lives in its own module:
//! [`body`] (an HMAC of the body alone in one header: GitHub, Shopify, Meta, Dropbox,
//! Intercom, Typeform, X, PagerDuty, Linear, generic HMAC-SHA256), [`timed`] (an HMAC over a
//! timestamp and the body: Stripe, Slack, Zoom, Paddle, Standard Webhooks, Twitch), [`url`]
//! (an HMAC over the URL the provider called: Twilio, Square), [`public_key`] (the
//! provider's own key pair: SendGrid ECDSA, Discord Ed25519) and [`carried`] (a secret or
//! signature carried in a header or the body: GitLab, Microsoft Graph, Mailgun).
//!
//! A scheme only says what it [`Found`]; turning that into a verdict with a reason a person
//! can act on, and judging the signed timestamp against the tolerance, happens once, here.
//! Comparisons are constant-time (`Mac::verify_slice`, `subtle`).

mod body;
mod carried;
mod public_key;
mod timed;
mod url;

#[cfg(test)]
mod tests;

use hmac::{Hmac, Mac};
use hooklens_store::SignatureStatus::{Invalid, Missing, Valid};
use hooklens_store::{Resign, SignatureScheme, SignatureSpec, SignatureStatus, SignatureVerdict};
use sha1::Sha1;
use sha2::Sha256;

pub use self::url::public_url;

/// A request as signing and verification see it: the URL it was sent to, its headers in
/// order and its raw body. Handshakes read the same thing (Discord's PING is answered only
/// when this verifies).
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// The full URL the provider called (see [`public_url`]), or the URL a forwarded copy is
    /// sent to. Only Twilio and Square sign it.
    pub url: &'a str,
    pub headers: &'a [(String, Vec<u8>)],
    pub body: &'a [u8],
}

impl Message<'_> {
    /// The first value of header `name` (any case), as trimmed text.
    fn header(&self, name: &str) -> Option<&str> {
        super::header(self.headers, name)
    }
}

/// Why a signature could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("cannot re-sign with {scheme}: {why}")]
    NotResignable {
        scheme: &'static str,
        why: &'static str,
    },
    #[error("{0}")]
    BadSecret(&'static str),
}

/// What a scheme found in a request, before it becomes a verdict.
#[derive(Debug, PartialEq)]
enum Found {
    /// Something the scheme signs with is absent: "no X-Twilio-Signature header".
    Missing(String),
    /// Present but unreadable or refused, with why.
    Refused(String),
    /// Secret `secret` (from 1) checks out. `at`: the signed time (Unix seconds), if the
    /// scheme signs one. `on`: what else was signed that a person may want to see (a URL).
    Match {
        secret: usize,
        at: Option<i64>,
        on: Option<String>,
    },
    /// No configured secret checks out. `what`: the signature's version tag ("v1"), if it
    /// has one; `on`: as for `Match`, with what to do about it.
    NoMatch {
        what: Option<&'static str>,
        on: Option<String>,
    },
}

impl Found {
    fn missing(what: &str) -> Found {
        Found::Missing(format!("no {what} header"))
    }

    fn refused(why: impl Into<String>) -> Found {
        Found::Refused(why.into())
    }

    /// `Match` for the first matching secret, else `NoMatch`.
    fn first(secret: Option<usize>, at: Option<i64>, what: Option<&'static str>) -> Found {
        match secret {
            Some(secret) => Found::Match {
                secret,
                at,
                on: None,
            },
            None => Found::NoMatch { what, on: None },
        }
    }
}

/// The HMACs providers use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algo {
    Sha1,
    Sha256,
}

impl Algo {
    fn mac(self, key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
            // HMAC takes keys of any length.
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
                .unwrap_or_else(|_| unreachable!());
            for part in parts {
                mac.update(part);
            }
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Algo::Sha1 => run::<Hmac<Sha1>>(key, parts),
            Algo::Sha256 => run::<Hmac<Sha256>>(key, parts),
        }
    }

    /// Whether `sig` is the HMAC of `parts` under `key`, in constant time.
    fn verifies(self, key: &[u8], parts: &[&[u8]], sig: &[u8]) -> bool {
        fn run<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]], sig: &[u8]) -> bool {
            let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(key) else {
                return false;
            };
            for part in parts {
                mac.update(part);
            }
            mac.verify_slice(sig).is_ok()
        }
        match self {
            Algo::Sha1 => run::<Hmac<Sha1>>(key, parts, sig),
            Algo::Sha256 => run::<Hmac<Sha256>>(key, parts, sig),
        }
    }
}

/// HMAC-SHA256 of `data` under `key`: what Zoom's and X's handshakes answer with.
pub(crate) fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    Algo::Sha256.mac(key, &[data])
}

/// The first secret (from 1) whose key makes any of `candidates` the HMAC of `parts`.
fn first_secret(
    secrets: &[String],
    key_of: impl Fn(&str) -> Option<Vec<u8>>,
    algo: Algo,
    parts: &[&[u8]],
    candidates: &[Vec<u8>],
) -> Option<usize> {
    secrets.iter().enumerate().find_map(|(i, secret)| {
        let key = key_of(secret)?;
        candidates
            .iter()
            .any(|sig| algo.verifies(&key, parts, sig))
            .then_some(i + 1)
    })
}

/// Most schemes use the secret's text as the HMAC key.
fn raw_key(secret: &str) -> Option<Vec<u8>> {
    Some(secret.as_bytes().to_vec())
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

fn secrets_word(scheme: SignatureScheme, n: usize) -> String {
    let what = if scheme.public_key() {
        "public key"
    } else {
        "secret"
    };
    if n == 1 {
        format!("the configured {what}")
    } else {
        format!("the {n} configured {what}s")
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

/// Checks `message` against `spec` at `now_s` (Unix seconds).
pub fn verify(spec: &SignatureSpec, message: &Message, now_s: i64) -> SignatureVerdict {
    use SignatureScheme::*;
    let found = match spec.scheme {
        Github | Shopify | Meta | Dropbox | Intercom | Typeform | X | Pagerduty | Linear
        | HmacSha256 => body::verify(spec, message),
        Stripe | Slack | Zoom | Paddle | StandardWebhooks | Twitch => timed::verify(spec, message),
        Twilio | Square => url::verify(spec, message),
        Sendgrid | Discord => public_key::verify(spec, message),
        Gitlab | Msgraph | Mailgun => carried::verify(spec, message),
    };
    judge(spec, found, now_s)
}

/// Turns what a scheme found into a verdict, judging the signed time against the tolerance.
fn judge(spec: &SignatureSpec, found: Found, now_s: i64) -> SignatureVerdict {
    let scheme = spec.scheme;
    match found {
        Found::Missing(why) => verdict(Missing, scheme, why),
        Found::Refused(why) => verdict(Invalid, scheme, why),
        Found::NoMatch { what, on } => {
            let kind = what.map(|w| format!("{w} ")).unwrap_or_default();
            let on = on.map(|on| format!(" {on}")).unwrap_or_default();
            verdict(
                Invalid,
                scheme,
                format!(
                    "no {kind}signature matches {}{on}",
                    secrets_word(scheme, spec.secrets.len())
                ),
            )
        }
        Found::Match { secret, at, on } => {
            let what = if scheme.public_key() {
                "public key"
            } else {
                "secret"
            };
            let on = on.map(|on| format!(" {on}")).unwrap_or_default();
            let matched = format!("matches {what} {secret}{on}");
            match at {
                None => verdict(Valid, scheme, matched),
                Some(at) => match timing(at, now_s, spec.tolerance_s) {
                    Ok(age) => verdict(Valid, scheme, format!("{matched}; timestamp {age} old")),
                    Err(why) => verdict(Invalid, scheme, why),
                },
            }
        }
    }
}

/// How old a signature signed at `at` is at `now_s`, or why that is outside `tolerance_s`.
/// The timestamp is the sender's: any i64, so the age is computed in i128, where it cannot
/// overflow (a panic in debug builds, a nonsense age in release).
fn timing(at: i64, now_s: i64, tolerance_s: u64) -> Result<String, String> {
    let age = i128::from(now_s) - i128::from(at);
    let tolerance = i128::from(tolerance_s);
    let secs = |n: i128| u64::try_from(n.unsigned_abs()).unwrap_or(u64::MAX);
    if age > tolerance {
        Err(format!(
            "timestamp is {} old, tolerance {}",
            span(secs(age)),
            span(tolerance_s)
        ))
    } else if -age > tolerance {
        Err(format!(
            "timestamp is {} in the future, tolerance {}",
            span(secs(age)),
            span(tolerance_s)
        ))
    } else {
        Ok(span(secs(age.max(0))))
    }
}

/// The headers that sign `message` at `now_s` for `resign`'s scheme and secret. Schemes
/// that sign a message id (Standard Webhooks, Twitch) keep the one already present.
pub fn sign(
    resign: &Resign,
    message: &Message,
    now_s: i64,
) -> Result<Vec<(String, String)>, SignError> {
    use SignatureScheme::*;
    match resign.scheme {
        Github | Shopify | Meta | Dropbox | Intercom | Typeform | X | Pagerduty | Linear
        | HmacSha256 => Ok(body::sign(resign, message)),
        Stripe | Slack | Zoom | Paddle | StandardWebhooks | Twitch => {
            timed::sign(resign, message, now_s)
        }
        Twilio | Square => Ok(url::sign(resign, message)),
        Gitlab => Ok(carried::sign(resign)),
        Sendgrid | Discord | Msgraph | Mailgun => Err(SignError::NotResignable {
            scheme: resign.scheme.as_str(),
            why: resign
                .scheme
                .resign_refusal()
                .unwrap_or("Hooklens does not hold the provider's signing key"),
        }),
    }
}

/// A configured secret its scheme cannot use; `index` counts from 1, as the dashboard does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error(
        "signature secret {index} is not a SendGrid verification key: paste it as the \
         dashboard shows it (base64 of a P-256 public key, MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE…)"
    )]
    NotSendgridKey { index: usize },
    #[error(
        "signature secret {index} is not a Discord public key: paste it as the developer \
         portal shows it (64 hex digits)"
    )]
    NotDiscordKey { index: usize },
    #[error(
        "signature secret {index} is not a Standard Webhooks secret: whsec_ followed by base64"
    )]
    NotStandardSecret { index: usize },
}

/// Checks the endpoint's secrets are usable by its scheme: public keys parse, Standard
/// Webhooks secrets are base64. Says which one is not, and what it should look like.
pub fn check_secrets(spec: &SignatureSpec) -> Result<(), SecretError> {
    for (i, secret) in spec.secrets.iter().enumerate() {
        let index = i + 1;
        let problem = match spec.scheme {
            SignatureScheme::Sendgrid => public_key::sendgrid_key(secret)
                .is_none()
                .then_some(SecretError::NotSendgridKey { index }),
            SignatureScheme::Discord => public_key::discord_key(secret)
                .is_none()
                .then_some(SecretError::NotDiscordKey { index }),
            SignatureScheme::StandardWebhooks => timed::standard_key(secret)
                .is_none()
                .then_some(SecretError::NotStandardSecret { index }),
            _ => None,
        };
        if let Some(problem) = problem {
            return Err(problem);
        }
    }
    Ok(())
}
