//! The relay stream's framing against the alternative it was chosen over: the same captures
//! as length-prefixed frames (`relay::wire`) and as NDJSON lines with base64 bodies and
//! header values, encoded then decoded: bytes on the wire and MB/s of captures.
//! `cargo run --release -p hooklens-engine --example relay_wire` (`tests/bench/relay.sh`).

use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::BytesMut;
use hooklens_engine::relay::wire::{Frame, FrameReader, Mirror, MirrorMeta};
use hooklens_store::BodyState;
use serde_json::{Value, json};

fn capture(size: usize) -> Mirror {
    let body: Vec<u8> = (0..size).map(|i| b"{\"amount\":1200} "[i % 16]).collect();
    Mirror {
        meta: MirrorMeta {
            position: 1,
            id: "01JBENCH0000000000000000000".into(),
            received_at_us: 1_700_000_000_000_000,
            duration_us: 120,
            endpoint: "stripe".into(),
            method: "POST".into(),
            path: "/stripe/events".into(),
            query: None,
            http_version: "HTTP/1.1".into(),
            remote_addr: Some("203.0.113.9:5000".into()),
            body_state: BodyState::Complete,
            body_note: None,
            size: size as u64,
            response_status: 200,
            scheme: Some("https".into()),
        },
        headers: (0..12)
            .map(|i| (format!("x-header-{i}"), format!("value {i}").into_bytes()))
            .collect(),
        body,
    }
}

fn ndjson(m: &Mirror) -> Vec<u8> {
    let headers: Vec<Value> = m
        .headers
        .iter()
        .map(|(n, v)| json!([n, STANDARD.encode(v)]))
        .collect();
    let mut line = serde_json::to_vec(&json!({
        "meta": m.meta, "headers": headers, "body": STANDARD.encode(&m.body)
    }))
    .expect("json");
    line.push(b'\n');
    line
}

fn from_ndjson(line: &[u8]) -> usize {
    let v: Value = serde_json::from_slice(line).expect("json");
    let body = STANDARD
        .decode(v["body"].as_str().expect("body"))
        .expect("base64");
    let headers = v["headers"].as_array().expect("headers");
    for h in headers {
        STANDARD
            .decode(h[1].as_str().expect("value"))
            .expect("base64");
    }
    body.len()
}

fn main() {
    println!(
        "{:>8}  {:>22}  {:>22}",
        "body", "frames: B, MB/s", "ndjson+base64: B, MB/s"
    );
    for size in [1 << 10, 64 << 10, 1 << 20] {
        let m = capture(size);
        let n = (64 << 20) / size.max(1 << 12);
        let payload = (n * size) as f64 / 1e6;

        let started = Instant::now();
        let mut wire = BytesMut::new();
        for _ in 0..n {
            Frame::Capture(Box::new(m.clone()))
                .encode(&mut wire)
                .expect("encode");
        }
        let bytes = wire.len();
        let mut reader = FrameReader::default();
        reader.push(&wire);
        let mut back = 0;
        while let Some(Frame::Capture(c)) = reader.next_frame().expect("decode") {
            back += c.body.len();
        }
        assert_eq!(back, n * size);
        let frames = payload / started.elapsed().as_secs_f64();

        let started = Instant::now();
        let mut lines = Vec::new();
        for _ in 0..n {
            lines.extend(ndjson(&m));
        }
        let json_bytes = lines.len();
        let back: usize = lines
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(from_ndjson)
            .sum();
        assert_eq!(back, n * size);
        let json = payload / started.elapsed().as_secs_f64();
        println!(
            "{:>6}KiB  {:>10} B {:>8.0}  {:>10} B {:>8.0}",
            size >> 10,
            bytes / n,
            frames,
            json_bytes / n,
            json
        );
    }
}
