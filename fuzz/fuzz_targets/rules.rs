//! Rule conditions and templates from the API, evaluated against hostile captures (deep or
//! broken JSON, odd headers and queries): compiling either succeeds or says why, evaluating
//! and rendering never panic.
#![no_main]

#[path = "common.rs"]
mod common;

use arbitrary::Arbitrary;
use hooklens_engine::provider::Payload;
use hooklens_engine::rules::{RuleError, Subject, compile};
use hooklens_store::{Condition, ConditionOp, MatchMode, Rule, RuleAction, RuleSpec};
use libfuzzer_sys::fuzz_target;

const OPS: [ConditionOp; 10] = [
    ConditionOp::Equals,
    ConditionOp::NotEquals,
    ConditionOp::Contains,
    ConditionOp::Glob,
    ConditionOp::Regex,
    ConditionOp::Exists,
    ConditionOp::Gt,
    ConditionOp::Gte,
    ConditionOp::Lt,
    ConditionOp::Lte,
];

#[derive(Arbitrary, Debug)]
enum Value {
    None,
    Text(String),
    Number(f64),
    Bool(bool),
}

#[derive(Arbitrary, Debug)]
struct Cond {
    field: String,
    op: u8,
    value: Value,
}

#[derive(Arbitrary, Debug)]
struct Input {
    any: bool,
    conditions: Vec<Cond>,
    title: String,
    body_template: String,
    path: String,
    query: Option<String>,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let conditions = input
        .conditions
        .into_iter()
        .map(|c| Condition {
            field: c.field,
            op: OPS[usize::from(c.op) % OPS.len()],
            value: match c.value {
                Value::None => None,
                Value::Text(s) => Some(serde_json::Value::String(s)),
                Value::Number(n) => serde_json::Number::from_f64(n).map(serde_json::Value::Number),
                Value::Bool(b) => Some(serde_json::Value::Bool(b)),
            },
        })
        .collect();
    let rule = Rule {
        id: "r".into(),
        spec: RuleSpec {
            name: "fuzz".into(),
            enabled: true,
            match_mode: if input.any {
                MatchMode::Any
            } else {
                MatchMode::All
            },
            conditions,
            actions: vec![RuleAction::Notify {
                title: input.title.clone(),
                body: input.body_template.clone(),
            }],
        },
        created_at: String::new(),
    };
    let meta = common::meta(
        input.path,
        input.query,
        input.headers,
        input.body.len() as u64,
    );
    let payload = Payload::new(&input.body);
    let subject = Subject::new(&meta, &payload);
    match compile(&rule) {
        Ok(compiled) => {
            compiled.matches(&subject);
        }
        Err(why) => assert!(matches!(why, RuleError::Condition { .. }), "{why}"),
    }
    let _ = subject.render(&input.title);
    let _ = subject.render(&input.body_template);
});
