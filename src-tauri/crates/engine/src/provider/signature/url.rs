//! Schemes that sign the URL the provider called: Twilio (HMAC-SHA1 of the URL and the
//! sorted form parameters, base64) and Square (HMAC-SHA256 of the URL and the body,
//! base64). Behind a tunnel or a proxy the URL the provider called is not the one Hooklens
//! was reached at, hence [`public_url`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hooklens_store::{Resign, SignatureScheme, SignatureSpec};
use sha2::{Digest, Sha256};

use super::{Algo, Found, Message, first_secret, raw_key};

/// The URL a provider called, in the contract's order: the endpoint's configured
/// `public_url` (plus the path below the endpoint's prefix, and the query), else the
/// tunnel's public URL the request came through (plus path and query), else `scheme` +
/// `://` + `Host` + path and query, as the receiver (or the relay's) was called: `http` on
/// a plain receiver.
pub fn public_url(
    configured: Option<(&str, &str)>,
    tunnel: Option<&str>,
    scheme: &str,
    host: Option<&str>,
    path: &str,
    query: Option<&str>,
) -> String {
    let query = query.map(|q| format!("?{q}")).unwrap_or_default();
    if let Some((url, prefix)) = configured {
        let below = path.strip_prefix(prefix).unwrap_or("");
        return format!("{}{below}{query}", url.trim_end_matches('/'));
    }
    if let Some(base) = tunnel {
        return format!("{}{path}{query}", base.trim_end_matches('/'));
    }
    format!("{scheme}://{}{path}{query}", host.unwrap_or("localhost"))
}

/// Twilio's helpers sign the URL with and without its port as their back ends differ: the
/// URL without a port, and with its port (the scheme's default when none is written).
fn twilio_urls(url: &str) -> [String; 2] {
    let Some((scheme, rest)) = url.split_once("://") else {
        return [url.to_string(), url.to_string()];
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_start = authority.rfind('@').map_or(0, |at| at + 1);
    let port_at = authority[host_start..]
        .rfind(':')
        .map(|i| host_start + i)
        .filter(|&i| !authority[i..].contains(']'));
    let (without, with) = match port_at {
        Some(i) => (authority[..i].to_string(), authority.to_string()),
        None => {
            let port = if scheme.eq_ignore_ascii_case("https") {
                443
            } else {
                80
            };
            (authority.to_string(), format!("{authority}:{port}"))
        }
    };
    [
        format!("{scheme}://{without}{tail}"),
        format!("{scheme}://{with}{tail}"),
    ]
}

/// What Twilio signs after the URL: for a form POST each parameter name followed by its
/// values, names sorted, each name's distinct values sorted; nothing for a JSON body, whose
/// hash is in the URL's `bodySHA256` instead.
fn twilio_params(message: &Message) -> Result<String, Found> {
    if let Some(expected) = body_sha256(message.url) {
        let actual = hex::encode(Sha256::digest(message.body));
        return if actual.eq_ignore_ascii_case(&expected) {
            Ok(String::new())
        } else {
            Err(Found::refused(
                "the body's SHA-256 is not the bodySHA256 in the URL: the body was changed",
            ))
        };
    }
    let form = message
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    if !form {
        return Ok(String::new());
    }
    let mut params: Vec<(String, String)> = form_urlencoded::parse(message.body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    params.sort();
    params.dedup();
    Ok(params.into_iter().map(|(k, v)| k + &v).collect())
}

fn body_sha256(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "bodySHA256")
        .map(|(_, v)| v.into_owned())
}

pub(super) fn verify(spec: &SignatureSpec, message: &Message) -> Found {
    let (name, algo) = names(spec.scheme);
    let Some(value) = message.header(name) else {
        return Found::missing(name);
    };
    let Ok(sig) = B64.decode(value) else {
        return Found::refused(format!("{name} is not base64"));
    };
    let secret = if spec.scheme == SignatureScheme::Twilio {
        let params = match twilio_params(message) {
            Ok(params) => params,
            Err(found) => return found,
        };
        twilio_urls(message.url).iter().find_map(|url| {
            let parts: [&[u8]; 2] = [url.as_bytes(), params.as_bytes()];
            first_secret(
                &spec.secrets,
                raw_key,
                algo,
                &parts,
                std::slice::from_ref(&sig),
            )
        })
    } else {
        let parts: [&[u8]; 2] = [message.url.as_bytes(), message.body];
        first_secret(&spec.secrets, raw_key, algo, &parts, &[sig])
    };
    match secret {
        Some(secret) => Found::Match {
            secret,
            at: None,
            on: Some(format!("for {}", message.url)),
        },
        None => Found::NoMatch {
            what: None,
            on: Some(format!(
                "for {}: if the provider calls another URL, set the endpoint's public URL to it",
                message.url
            )),
        },
    }
}

fn names(scheme: SignatureScheme) -> (&'static str, Algo) {
    if scheme == SignatureScheme::Twilio {
        ("X-Twilio-Signature", Algo::Sha1)
    } else {
        ("X-Square-Hmacsha256-Signature", Algo::Sha256)
    }
}

pub(super) fn sign(resign: &Resign, message: &Message) -> Vec<(String, String)> {
    let (name, algo) = names(resign.scheme);
    let key = resign.secret.as_bytes();
    let digest = if resign.scheme == SignatureScheme::Twilio {
        // A changed body no longer matches a bodySHA256 in the URL; sign what is sent.
        let params = twilio_params(message).unwrap_or_default();
        algo.mac(key, &[message.url.as_bytes(), params.as_bytes()])
    } else {
        algo.mac(key, &[message.url.as_bytes(), message.body])
    };
    vec![(name.to_ascii_lowercase(), B64.encode(digest))]
}
