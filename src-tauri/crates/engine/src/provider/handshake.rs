//! Verification handshakes: before a provider sends events to a URL it checks the URL answers
//! for the developer — it echoes a challenge (Slack, Microsoft Graph, Dropbox, Twitch), echoes
//! one only with the verify token the developer chose (Meta), signs one with the shared
//! secret (Zoom, X), or answers a signed PING (Discord). Many refuse to save the URL until
//! it does, so Hooklens answers for the developer. Everything here is a pure function of the
//! request and the endpoint's keys, table-tested with each provider's documented request and
//! answer; the capture pipeline's handshake stage decides when it applies.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hooklens_store::{
    Handshake, HandshakeProvider, SignatureScheme, SignatureStatus, SignatureVerdict,
};
use serde_json::json;
use subtle::ConstantTimeEq as _;

use super::{Payload, header};

/// A request as a handshake reads it.
pub struct Request<'a> {
    pub method: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a [(String, Vec<u8>)],
    pub body: &'a Payload<'a>,
}

impl Request<'_> {
    /// The first value of query parameter `name`, decoded.
    fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query?.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    fn json_text(&self, path: &[&str]) -> Option<String> {
        let value = path.iter().fold(self.body.json()?, |v, key| &v[*key]);
        value.as_str().map(str::to_string)
    }
}

/// What a handshake asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ask {
    /// This text, echoed (Slack's `challenge`, Graph's `validationToken`, Dropbox's
    /// `challenge`, Twitch's `challenge`).
    Echo(String),
    /// Meta: `hub.challenge` echoed, if `hub.verify_token` is the endpoint's verify token.
    Subscribe { challenge: String, token: String },
    /// Zoom: the `plainToken` with its HMAC under the secret token.
    PlainToken(String),
    /// X: the HMAC of the `crc_token` under the consumer secret.
    Crc(String),
    /// Discord: a PING, answered with a PONG.
    Ping,
}

/// The provider whose handshake an endpoint's scheme names.
pub fn named_by(scheme: SignatureScheme) -> Option<HandshakeProvider> {
    Some(match scheme {
        SignatureScheme::Slack => HandshakeProvider::Slack,
        SignatureScheme::Meta => HandshakeProvider::Meta,
        SignatureScheme::Zoom => HandshakeProvider::Zoom,
        SignatureScheme::X => HandshakeProvider::X,
        SignatureScheme::Msgraph => HandshakeProvider::Msgraph,
        SignatureScheme::Dropbox => HandshakeProvider::Dropbox,
        SignatureScheme::Twitch => HandshakeProvider::Twitch,
        SignatureScheme::Discord => HandshakeProvider::Discord,
        _ => return None,
    })
}

/// The handshake `request` is, when its shape could be no other provider's. Dropbox's
/// (`GET ?challenge=…`) could be anything's, so it is answered only on a `dropbox` endpoint.
pub fn detect(request: &Request) -> Option<HandshakeProvider> {
    use HandshakeProvider::*;
    [Slack, Meta, Zoom, X, Msgraph, Twitch, Discord]
        .into_iter()
        .find(|&provider| {
            let marked = match provider {
                Discord => header(request.headers, "x-signature-ed25519").is_some(),
                _ => true,
            };
            marked && ask(provider, request).is_some()
        })
}

/// What `provider`'s handshake asks, when `request` is one.
pub fn ask(provider: HandshakeProvider, request: &Request) -> Option<Ask> {
    let is = |want: &str, got: Option<String>| got.is_some_and(|got| got == want);
    match (provider, request.method) {
        (HandshakeProvider::Slack, "POST")
            if is("url_verification", request.json_text(&["type"])) =>
        {
            request.json_text(&["challenge"]).map(Ask::Echo)
        }
        (HandshakeProvider::Meta, "GET") if is("subscribe", request.param("hub.mode")) => {
            Some(Ask::Subscribe {
                challenge: request.param("hub.challenge")?,
                token: request.param("hub.verify_token").unwrap_or_default(),
            })
        }
        (HandshakeProvider::Zoom, "POST")
            if is("endpoint.url_validation", request.json_text(&["event"])) =>
        {
            request
                .json_text(&["payload", "plainToken"])
                .map(Ask::PlainToken)
        }
        (HandshakeProvider::X, "GET") => request.param("crc_token").map(Ask::Crc),
        (HandshakeProvider::Msgraph, "POST") => request.param("validationToken").map(Ask::Echo),
        (HandshakeProvider::Dropbox, "GET") => request.param("challenge").map(Ask::Echo),
        (HandshakeProvider::Twitch, "POST")
            if header(request.headers, "twitch-eventsub-message-type")
                == Some("webhook_callback_verification") =>
        {
            request.json_text(&["challenge"]).map(Ask::Echo)
        }
        (HandshakeProvider::Discord, "POST") => {
            (request.body.json()?["type"].as_u64()? == 1).then_some(Ask::Ping)
        }
        _ => None,
    }
}

/// The endpoint's side of a handshake: the keys of the provider's scheme when the endpoint
/// names it (`None` when the handshake was detected on an endpoint without a scheme), and
/// the request's signature verdict.
#[derive(Clone, Copy)]
pub struct Keys<'a> {
    /// The scheme's secrets (Zoom's secret token, X's consumer secret; Discord's public key).
    pub secrets: Option<&'a [String]>,
    /// Meta's verify token.
    pub verify_token: Option<&'a str>,
    pub verdict: Option<&'a SignatureVerdict>,
}

/// What Hooklens answers a handshake with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub handshake: Handshake,
}

/// The status a provider expects when a handshake is refused.
fn refusal_status(provider: HandshakeProvider) -> u16 {
    match provider {
        HandshakeProvider::Discord | HandshakeProvider::Slack | HandshakeProvider::Zoom => 401,
        _ => 403,
    }
}

/// Answers `ask`, `provider`'s handshake, with the endpoint's `keys`.
pub fn reply(provider: HandshakeProvider, ask: Ask, keys: Keys) -> Reply {
    let outcome = match unsigned(provider, keys) {
        Some(why) => Err(why),
        None => answer(provider, ask, keys),
    };
    let (status, content_type, body, answered, reason) = match outcome {
        Ok(Answer {
            content_type,
            body,
            reason,
        }) => (200, content_type, body, true, reason),
        Err(reason) => (
            refusal_status(provider),
            "application/json",
            json!({"error": {"code": "handshake_refused", "message": reason}})
                .to_string()
                .into_bytes(),
            false,
            reason,
        ),
    };
    Reply {
        status,
        content_type,
        body,
        handshake: Handshake {
            provider,
            answered,
            reason,
        },
    }
}

/// What a handshake is answered with (status 200), and why.
struct Answer {
    content_type: &'static str,
    body: Vec<u8>,
    reason: String,
}

impl Answer {
    fn text(body: String, reason: impl Into<String>) -> Answer {
        Answer {
            content_type: "text/plain; charset=utf-8",
            body: body.into_bytes(),
            reason: reason.into(),
        }
    }

    fn json(body: Vec<u8>, reason: impl Into<String>) -> Answer {
        Answer {
            content_type: "application/json",
            body,
            reason: reason.into(),
        }
    }
}

/// The answer to `ask` once its signature (if any) is accepted, or why it is refused.
fn answer(provider: HandshakeProvider, ask: Ask, keys: Keys) -> Result<Answer, String> {
    let first_secret = keys.secrets.and_then(|s| s.first());
    match ask {
        Ask::Echo(text) => Ok(Answer::text(text, echoed(provider))),
        Ask::Subscribe { challenge, token } => subscribe(keys.verify_token, challenge, &token),
        Ask::PlainToken(plain) => plain_token(first_secret, plain),
        Ask::Crc(token) => crc(first_secret, &token),
        Ask::Ping => Ok(Answer::json(
            br#"{"type":1}"#.to_vec(),
            "the signature verifies: answered PING with PONG",
        )),
    }
}

/// Meta: `hub.challenge`, echoed only with the endpoint's verify token (compared in
/// constant time).
fn subscribe(want: Option<&str>, challenge: String, token: &str) -> Result<Answer, String> {
    match want {
        None => Err(
            "no verify token is set: give this endpoint the meta scheme with the verify \
                     token you type into Meta's dashboard"
                .into(),
        ),
        Some(want) if !bool::from(want.as_bytes().ct_eq(token.as_bytes())) => {
            Err("hub.verify_token is not this endpoint's verify token".into())
        }
        Some(_) => Ok(Answer::text(
            challenge,
            "hub.verify_token matches: answered hub.challenge",
        )),
    }
}

/// Zoom: the `plainToken` with its HMAC-SHA256 (hex) under the secret token.
fn plain_token(secret: Option<&String>, plain: String) -> Result<Answer, String> {
    let Some(secret) = secret else {
        return Err(
            "Zoom's URL validation needs the app's secret token: give this endpoint \
                    the zoom scheme with it"
                .into(),
        );
    };
    let encrypted = hex::encode(super::signature::hmac_sha256(
        secret.as_bytes(),
        plain.as_bytes(),
    ));
    Ok(Answer::json(
        json!({"plainToken": plain, "encryptedToken": encrypted})
            .to_string()
            .into_bytes(),
        "answered endpoint.url_validation with the plainToken and its HMAC",
    ))
}

/// X: `sha256=` and the base64 HMAC-SHA256 of the `crc_token` under the consumer secret.
fn crc(secret: Option<&String>, token: &str) -> Result<Answer, String> {
    let Some(secret) = secret else {
        return Err(
            "X's CRC check needs the app's consumer secret: give this endpoint the x \
                    scheme with it"
                .into(),
        );
    };
    let mac = super::signature::hmac_sha256(secret.as_bytes(), token.as_bytes());
    Ok(Answer::json(
        json!({"response_token": format!("sha256={}", B64.encode(mac))})
            .to_string()
            .into_bytes(),
        "answered the CRC check with its response_token",
    ))
}

/// Why a signed handshake is refused for its signature, if it is: Discord answers only a
/// PING whose signature verifies against the configured public key; Slack, Zoom and Twitch
/// sign theirs too, and a configured scheme whose check fails refuses it.
fn unsigned(provider: HandshakeProvider, keys: Keys) -> Option<String> {
    let signed = matches!(
        provider,
        HandshakeProvider::Slack
            | HandshakeProvider::Zoom
            | HandshakeProvider::Twitch
            | HandshakeProvider::Discord
    );
    if !signed {
        return None;
    }
    match (keys.secrets, keys.verdict) {
        (None, _) if provider == HandshakeProvider::Discord => Some(
            "Discord's PING is answered only when its signature verifies: give this endpoint \
             the discord scheme with the application's public key"
                .into(),
        ),
        (None, _) => None,
        (Some(_), Some(v)) if v.status == SignatureStatus::Valid => None,
        (Some(_), verdict) => Some(format!(
            "the signature does not check out: {}",
            verdict.map_or("not checked", |v| v.reason.as_str())
        )),
    }
}

fn echoed(provider: HandshakeProvider) -> String {
    match provider {
        HandshakeProvider::Slack => "answered url_verification with its challenge",
        HandshakeProvider::Msgraph => "answered the subscription validation with validationToken",
        HandshakeProvider::Dropbox => "answered the verification request with its challenge",
        _ => "answered webhook_callback_verification with its challenge",
    }
    .into()
}

/// The event type a handshake is listed with when the provider's detection found none (a
/// GET with only a query string says nothing else about itself).
pub fn event_type(ask: &Ask) -> &'static str {
    match ask {
        Ask::Echo(_) => "challenge",
        Ask::Subscribe { .. } => "hub.subscribe",
        Ask::PlainToken(_) => "endpoint.url_validation",
        Ask::Crc(_) => "crc_check",
        Ask::Ping => "ping",
    }
}

#[cfg(test)]
mod tests;
