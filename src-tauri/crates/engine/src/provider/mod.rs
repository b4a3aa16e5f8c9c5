//! Provider awareness: who sent a webhook, what event it is (and the provider's id for it),
//! whether its signature checks out, and how to answer its verification handshake. Everything here is a pure function of the captured bytes (and the time), so
//! it is table-tested with each provider's published examples.

pub mod detect;
pub mod handshake;
pub mod ids;
mod more_samples;
pub mod samples;
pub mod signature;

pub use detect::{Detected, detect};

use std::cell::OnceCell;

/// The first value of header `name` (any case), as trimmed text.
pub(crate) fn header<'a>(headers: &'a [(String, Vec<u8>)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| std::str::from_utf8(v).ok())
        .map(str::trim)
}

/// A captured body, parsed as JSON at most once, and only if something asks.
pub struct Payload<'a> {
    raw: &'a [u8],
    json: OnceCell<Option<serde_json::Value>>,
}

impl<'a> Payload<'a> {
    pub fn new(raw: &'a [u8]) -> Payload<'a> {
        Payload {
            raw,
            json: OnceCell::new(),
        }
    }

    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<&serde_json::Value> {
        self.json
            .get_or_init(|| serde_json::from_slice(self.raw).ok())
            .as_ref()
    }
}
