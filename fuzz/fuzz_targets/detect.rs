//! Provider and event detection over hostile headers and bodies (any bytes, broken or
//! deeply nested JSON): never panics, and an event type is only ever named for a provider.
#![no_main]

use arbitrary::Arbitrary;
use hooklens_engine::provider::{Payload, detect};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let payload = Payload::new(&input.body);
    if let Some(found) = detect(&input.headers, &payload) {
        assert!(!found.provider.is_empty());
    }
    // The parse is cached: asking twice gives the same answer.
    assert_eq!(payload.json().is_some(), payload.json().is_some());
});
