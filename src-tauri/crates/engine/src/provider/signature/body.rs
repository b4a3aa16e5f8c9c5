//! Schemes that sign the body alone with an HMAC and send it in one header. They differ
//! only in data (the header, the hash, a prefix, the encoding, whether several signatures
//! may share the header during a rotation), so each is one row of [`of`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hooklens_store::{Resign, SignatureScheme, SignatureSpec};

use super::{Algo, Found, Message, first_secret, raw_key};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Hex,
    Base64,
    /// Generic HMAC-SHA256: whichever decodes, with or without `sha256=`.
    Either,
}

/// How one scheme signs the body.
struct BodyMac<'a> {
    /// As the provider's documentation writes it.
    header: &'a str,
    algo: Algo,
    prefix: &'static str,
    encoding: Encoding,
    /// Separates several signatures in the header, for providers that send several.
    several: Option<char>,
}

/// The row for `scheme`; `header` is the generic scheme's configured header.
fn of(scheme: SignatureScheme, header: Option<&str>) -> BodyMac<'_> {
    use Algo::*;
    use Encoding::*;
    let row = |header, algo, prefix, encoding| BodyMac {
        header,
        algo,
        prefix,
        encoding,
        several: None,
    };
    match scheme {
        SignatureScheme::Github | SignatureScheme::Meta => {
            row("X-Hub-Signature-256", Sha256, "sha256=", Hex)
        }
        SignatureScheme::Shopify => row("X-Shopify-Hmac-Sha256", Sha256, "", Base64),
        SignatureScheme::Dropbox => row("X-Dropbox-Signature", Sha256, "", Hex),
        SignatureScheme::Intercom => row("X-Hub-Signature", Sha1, "sha1=", Hex),
        SignatureScheme::Typeform => row("Typeform-Signature", Sha256, "sha256=", Base64),
        SignatureScheme::X => row("X-Twitter-Webhooks-Signature", Sha256, "sha256=", Base64),
        SignatureScheme::Linear => row("Linear-Signature", Sha256, "", Hex),
        SignatureScheme::Pagerduty => BodyMac {
            several: Some(','),
            ..row("X-PagerDuty-Signature", Sha256, "v1=", Hex)
        },
        _ => row(header.unwrap_or("x-signature"), Sha256, "sha256=", Either),
    }
}

pub(super) fn verify(spec: &SignatureSpec, message: &Message) -> Found {
    let mac = of(spec.scheme, spec.header.as_deref());
    let Some(value) = message.header(mac.header) else {
        return Found::missing(mac.header);
    };
    let candidates: Vec<Vec<u8>> = match (mac.encoding, mac.several) {
        (Encoding::Either, _) => {
            let value = value.strip_prefix(mac.prefix).unwrap_or(value);
            [hex::decode(value).ok(), B64.decode(value).ok()]
                .into_iter()
                .flatten()
                .collect()
        }
        (_, Some(separator)) => value
            .split(separator)
            .filter_map(|part| part.trim().strip_prefix(mac.prefix))
            .filter_map(|sig| decode(mac.encoding, sig))
            .collect(),
        (_, None) => value
            .strip_prefix(mac.prefix)
            .and_then(|sig| decode(mac.encoding, sig))
            .into_iter()
            .collect(),
    };
    if candidates.is_empty() {
        let encoding = if mac.encoding == Encoding::Hex {
            "hex"
        } else {
            "base64"
        };
        return Found::refused(match (mac.several, mac.prefix) {
            (Some(_), prefix) => format!("{} has no {prefix}<{encoding}> signature", mac.header),
            (None, "") => format!("{} is not {encoding}", mac.header),
            (None, prefix) => format!("{} is not {prefix}<{encoding}>", mac.header),
        });
    }
    let secret = first_secret(
        &spec.secrets,
        raw_key,
        mac.algo,
        &[message.body],
        &candidates,
    );
    let at = (spec.scheme == SignatureScheme::Linear)
        .then(|| linear_timestamp(message.body))
        .flatten();
    Found::first(secret, at, None)
}

/// Linear puts the time it sent the webhook in the body (`webhookTimestamp`, in ms) and
/// asks receivers to refuse old ones.
fn linear_timestamp(body: &[u8]) -> Option<i64> {
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    json["webhookTimestamp"]
        .as_i64()
        .map(|ms| ms.div_euclid(1000))
}

fn decode(encoding: Encoding, sig: &str) -> Option<Vec<u8>> {
    match encoding {
        Encoding::Hex => hex::decode(sig).ok(),
        Encoding::Base64 | Encoding::Either => B64.decode(sig).ok(),
    }
}

pub(super) fn sign(resign: &Resign, message: &Message) -> Vec<(String, String)> {
    let mac = of(resign.scheme, resign.header.as_deref());
    let digest = mac.algo.mac(resign.secret.as_bytes(), &[message.body]);
    let value = match mac.encoding {
        Encoding::Hex => format!("{}{}", mac.prefix, hex::encode(digest)),
        Encoding::Base64 => format!("{}{}", mac.prefix, B64.encode(digest)),
        Encoding::Either => hex::encode(digest),
    };
    vec![(mac.header.to_ascii_lowercase(), value)]
}
