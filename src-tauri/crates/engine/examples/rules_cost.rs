//! How long capture-time work takes per request, in isolation: provider detection, a Stripe
//! signature check against two secrets, and 50 rules (48 that miss, 2 that match).
//!
//! Run: `cargo run --release -p hooklens-engine --example rules_cost` (prints figures).

use std::time::Instant;

use hooklens_engine::provider::signature::{Message, sign, verify};
use hooklens_engine::provider::{Payload, detect};
use hooklens_engine::rules::{Subject, compile};
use hooklens_store::{
    BodyState, RequestMeta, Resign, Rule, RuleSpec, SignatureScheme, SignatureSpec,
};
use serde_json::json;

fn main() {
    let body = json!({"id": "evt_bench", "object": "event", "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_bench", "amount": 2000, "currency": "usd"}}, "pad": "x".repeat(860)})
    .to_string()
    .into_bytes();
    let secret = "whsec_bench_0123456789abcdef";
    let resign = Resign {
        scheme: SignatureScheme::Stripe,
        secret: secret.into(),
        header: None,
    };
    let mut headers: Vec<(String, Vec<u8>)> = vec![
        ("host".into(), b"127.0.0.1".to_vec()),
        ("content-type".into(), b"application/json".to_vec()),
        ("user-agent".into(), b"Stripe/1.0".to_vec()),
    ];
    let unsigned = Message {
        url: "",
        headers: &[],
        body: &body,
    };
    for (n, v) in sign(&resign, &unsigned, 1_700_000_000).expect("sign") {
        headers.push((n, v.into_bytes()));
    }
    let spec = SignatureSpec {
        scheme: SignatureScheme::Stripe,
        secrets: vec!["whsec_rotated_away_000".into(), secret.into()],
        tolerance_s: 300,
        header: None,
        verify_token: None,
    };
    let ops = [
        ("equals", "x"),
        ("contains", "zz"),
        ("regex", "^nomatch[0-9]+$"),
        ("glob", "*.never"),
    ];
    let fields = [
        "json:data.object.currency",
        "header:x-never",
        "path",
        "event_type",
    ];
    let mut rules = Vec::new();
    for i in 0..50 {
        let (conditions, mode) = if i < 48 {
            let (op, value) = ops[i % 4];
            let value = if op == "regex" {
                value.to_string()
            } else {
                format!("{value}{i}")
            };
            (
                json!([{"field": fields[i % 4], "op": op, "value": value},
                    {"field": "json:data.object.amount", "op": "gt", "value": 1e9}]),
                "all",
            )
        } else {
            (
                json!([{"field": "provider", "op": "equals", "value": "stripe"},
                    {"field": "event_type", "op": "glob", "value": "payment_intent.*"}]),
                "any",
            )
        };
        let spec: RuleSpec = serde_json::from_value(json!({"name": "r", "match": mode,
            "conditions": conditions, "actions": [{"type": "tag", "tag": "t"}]}))
        .expect("spec");
        rules.push(
            compile(&Rule {
                id: i.to_string(),
                spec,
                created_at: String::new(),
            })
            .expect("compiles"),
        );
    }
    let mut meta = RequestMeta {
        id: "01".into(),
        received_at_us: 0,
        duration_us: 0,
        endpoint_id: None,
        endpoint_name: "stripe".into(),
        method: "POST".into(),
        path: "/stripe/webhook".into(),
        query: None,
        http_version: "HTTP/1.1".into(),
        remote_addr: None,
        headers: headers.clone(),
        body_state: BodyState::Complete,
        body_note: None,
        size: body.len() as u64,
        response_status: 200,
        provider: None,
        event_type: None,
        signature: None,
        tags: Vec::new(),
        rules: Vec::new(),
        via: hooklens_store::Via::Direct,
        event: None,
        handshake: None,
    };
    const N: u32 = 100_000;
    let time = |what: &str, f: &mut dyn FnMut() -> usize| {
        let start = Instant::now();
        let mut sink = 0;
        for _ in 0..N {
            sink += f();
        }
        println!(
            "{what:<32} {:>7.2} µs  ({sink})",
            start.elapsed().as_secs_f64() * 1e6 / N as f64
        );
    };
    time("detect (parses the JSON)", &mut || {
        detect(&headers, &Payload::new(&body)).map_or(0, |d| d.event_type.map_or(0, |e| e.len()))
    });
    time("verify stripe, 2 secrets", &mut || {
        let message = Message {
            url: "",
            headers: &headers,
            body: &body,
        };
        verify(&spec, &message, 1_700_000_000).reason.len()
    });
    let d = detect(&headers, &Payload::new(&body)).expect("stripe");
    meta.provider = Some(d.provider.into());
    meta.event_type = d.event_type;
    time("50 rules (shared JSON parse)", &mut || {
        let payload = Payload::new(&body);
        let subject = Subject::new(&meta, &payload);
        payload.json();
        rules.iter().filter(|r| r.matches(&subject)).count()
    });
    time("JSON parse alone", &mut || {
        Payload::new(&body).json().map_or(0, |_| 1)
    });
}
