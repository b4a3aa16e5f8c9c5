//! HAR export round trip: any captured request (binary or text body, odd headers, path and
//! query) becomes a HAR entry that parses back to the same method, URL path, headers (exact
//! bytes in `_valueBase64` when not UTF-8) and body bytes.
#![no_main]

#[path = "common.rs"]
mod common;

use arbitrary::Arbitrary;
use base64::Engine as _;
use hooklens_engine::export::har_entry;
use hooklens_store::Request;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    method: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    status: u16,
}

fuzz_target!(|input: Input| {
    let mut meta = common::meta(
        input.path.clone(),
        input.query.clone(),
        input.headers.clone(),
        input.body.len() as u64,
    );
    meta.method = input.method.clone();
    meta.response_status = input.status;
    let request = Request {
        seq: 1,
        pinned: false,
        meta,
        body: Some(input.body.clone()),
        delivery: None,
    };
    let text = serde_json::to_string(&har_entry(&request)).expect("a HAR entry serialises");
    let back: serde_json::Value = serde_json::from_str(&text).expect("and parses back");
    let req = &back["request"];
    assert_eq!(req["method"], input.method.as_str());
    assert_eq!(req["bodySize"], input.body.len());
    let url = req["url"].as_str().expect("url");
    assert!(
        url.contains(&input.path),
        "{url} lost the path {:?}",
        input.path
    );
    let headers = req["headers"].as_array().expect("headers");
    assert_eq!(headers.len(), input.headers.len());
    for (h, (name, value)) in headers.iter().zip(&input.headers) {
        assert_eq!(h["name"], name.as_str());
        match std::str::from_utf8(value) {
            Ok(text) => assert_eq!(h["value"], text),
            Err(_) => {
                let exact = base64::engine::general_purpose::STANDARD
                    .decode(h["_valueBase64"].as_str().expect("_valueBase64"))
                    .expect("valid base64");
                assert_eq!(&exact, value);
            }
        }
    }
    let stored = match req.get("postData") {
        None => Vec::new(),
        Some(post) if post["encoding"] == "base64" => base64::engine::general_purpose::STANDARD
            .decode(post["text"].as_str().expect("text"))
            .expect("valid base64"),
        Some(post) => post["text"].as_str().expect("text").as_bytes().to_vec(),
    };
    assert_eq!(stored, input.body, "the body survives the round trip");
    assert_eq!(back["response"]["status"], input.status);
});
