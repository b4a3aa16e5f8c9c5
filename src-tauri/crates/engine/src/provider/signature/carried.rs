//! Schemes whose proof travels as data rather than as a signature over the request: GitLab
//! sends the secret token itself (`X-Gitlab-Token`), Microsoft Graph puts the subscription's
//! `clientState` in each notification of the body, and Mailgun signs a timestamp and a
//! random token that it puts in the body next to its signature.

use hooklens_store::{Resign, SignatureScheme, SignatureSpec};
use subtle::ConstantTimeEq as _;

use super::{Algo, Found, Message, first_secret, raw_key};

/// The first secret (from 1) equal to `sent`, compared in constant time.
fn same_secret(secrets: &[String], sent: &str) -> Option<usize> {
    secrets
        .iter()
        .position(|s| bool::from(s.as_bytes().ct_eq(sent.as_bytes())))
        .map(|i| i + 1)
}

pub(super) fn verify(spec: &SignatureSpec, message: &Message) -> Found {
    match spec.scheme {
        SignatureScheme::Gitlab => match message.header("x-gitlab-token") {
            None => Found::missing("X-Gitlab-Token"),
            Some(token) => match same_secret(&spec.secrets, token) {
                Some(secret) => Found::first(Some(secret), None, None),
                None => Found::refused(format!(
                    "X-Gitlab-Token is not {}",
                    super::secrets_word(spec.scheme, spec.secrets.len())
                )),
            },
        },
        SignatureScheme::Msgraph => msgraph(spec, message),
        _ => mailgun(spec, message),
    }
}

/// Every notification in `value` must carry a configured `clientState`.
fn msgraph(spec: &SignatureSpec, message: &Message) -> Found {
    let json: Option<serde_json::Value> = serde_json::from_slice(message.body).ok();
    let Some(notifications) = json.as_ref().and_then(|j| j["value"].as_array()) else {
        return Found::Missing(
            "no notifications in the body (a Microsoft Graph body is {\"value\": [...]})".into(),
        );
    };
    let mut first = None;
    for (i, notification) in notifications.iter().enumerate() {
        let Some(state) = notification["clientState"].as_str() else {
            return Found::Missing(format!("notification {} has no clientState", i + 1));
        };
        match same_secret(&spec.secrets, state) {
            Some(secret) => first = first.or(Some(secret)),
            None => {
                return Found::refused(format!(
                    "the clientState of notification {} is not {}",
                    i + 1,
                    super::secrets_word(spec.scheme, spec.secrets.len())
                ));
            }
        }
    }
    match first {
        Some(secret) => Found::first(Some(secret), None, None),
        None => Found::Missing("no notifications in the body's value array".into()),
    }
}

/// `signature.{timestamp, token, signature}` in a JSON body (form fields `timestamp`,
/// `token`, `signature` in the legacy form-encoded one); HMAC-SHA256 of timestamp + token.
fn mailgun(spec: &SignatureSpec, message: &Message) -> Found {
    let fields = match serde_json::from_slice::<serde_json::Value>(message.body) {
        Ok(json) => {
            let sig = &json["signature"];
            let text = |k: &str| match &sig[k] {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            (text("timestamp"), text("token"), text("signature"))
        }
        Err(_) => {
            let form: Vec<(String, String)> = form_urlencoded::parse(message.body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let field = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            (field("timestamp"), field("token"), field("signature"))
        }
    };
    let (Some(ts), Some(token), Some(sig)) = fields else {
        return Found::Missing(
            "no signature in the body (Mailgun sends signature.timestamp, .token and .signature)"
                .into(),
        );
    };
    let (Ok(at), Ok(sig)) = (ts.parse::<i64>(), hex::decode(&sig)) else {
        return Found::refused("the body's signature is not hex with a numeric timestamp");
    };
    let secret = first_secret(
        &spec.secrets,
        raw_key,
        Algo::Sha256,
        &[ts.as_bytes(), token.as_bytes()],
        &[sig],
    );
    Found::first(secret, Some(at), None)
}

/// GitLab: the token is the secret itself.
pub(super) fn sign(resign: &Resign) -> Vec<(String, String)> {
    vec![("x-gitlab-token".into(), resign.secret.clone())]
}
