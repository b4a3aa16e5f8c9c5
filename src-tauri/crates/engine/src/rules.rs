//! Rules, compiled once (regexes and globs built, fields parsed) and evaluated on every
//! capture against its metadata and, only when a condition asks, its parsed JSON body.

use std::borrow::Cow;

use hooklens_store::{Condition, ConditionOp, MatchMode, RequestMeta, Rule, RuleAction};
use regex::Regex;
use serde_json::Value;

use crate::provider::Payload;

/// A rule ready to evaluate.
#[derive(Debug)]
pub struct Compiled {
    pub id: String,
    mode: MatchMode,
    conditions: Vec<Check>,
    pub actions: Vec<RuleAction>,
}

#[derive(Debug)]
struct Check {
    field: Field,
    test: Test,
}

#[derive(Debug)]
enum Field {
    Endpoint,
    Method,
    Path,
    Provider,
    EventType,
    Signature,
    Size,
    /// `true` for a repeated delivery of a provider's event (`duplicate_of` set), else `false`.
    Duplicate,
    Header(String),
    Query(String),
    /// A JSON path, split into its steps once.
    Json(Vec<String>),
}

#[derive(Debug)]
enum Test {
    Equals(String, bool),
    Contains(String),
    Matches(Regex),
    Exists(bool),
    Compare(ConditionOp, f64),
}

/// Why a rule does not compile, in words that name the part to fix.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("a rule needs a name")]
    NoName,
    #[error("a rule needs at least one action")]
    NoAction,
    #[error("a tag must be 1 to 64 characters")]
    BadTag,
    #[error("forward URL {0:?} must start with http:// or https://")]
    ForwardUrl(String),
    /// `index` counts from 1, as the rule builder shows them.
    #[error("condition {index}: {problem}")]
    Condition {
        index: usize,
        problem: ConditionError,
    },
}

/// What is wrong with one condition.
#[derive(Debug, thiserror::Error)]
pub enum ConditionError {
    #[error("unknown field {0:?}")]
    UnknownField(String),
    #[error("unknown field {0:?}: use header:<name>, query:<name> or json:<path>")]
    UnknownPrefix(String),
    #[error("{0:?} needs a value")]
    NeedsValue(ConditionOp),
    #[error("{0:?} needs a number")]
    NeedsNumber(ConditionOp),
    #[error("{0:?} is not a number")]
    NotANumber(String),
    /// A JSON number too large for a float.
    #[error("not a number")]
    NotFinite,
    #[error("bad regex: {0}")]
    BadRegex(regex::Error),
    #[error("bad glob: {0}")]
    BadGlob(regex::Error),
}

/// Compiles a rule; the error says which condition is wrong and why.
pub fn compile(rule: &Rule) -> Result<Compiled, RuleError> {
    let spec = &rule.spec;
    if spec.name.trim().is_empty() {
        return Err(RuleError::NoName);
    }
    if spec.actions.is_empty() {
        return Err(RuleError::NoAction);
    }
    for action in &spec.actions {
        match action {
            RuleAction::Tag { tag } if tag.trim().is_empty() || tag.len() > 64 => {
                return Err(RuleError::BadTag);
            }
            RuleAction::Forward { url }
                if !(url.starts_with("http://") || url.starts_with("https://")) =>
            {
                return Err(RuleError::ForwardUrl(url.clone()));
            }
            _ => {}
        }
    }
    let conditions = spec
        .conditions
        .iter()
        .enumerate()
        .map(|(i, c)| {
            check(c).map_err(|problem| RuleError::Condition {
                index: i + 1,
                problem,
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(Compiled {
        id: rule.id.clone(),
        mode: spec.match_mode,
        conditions,
        actions: spec.actions.clone(),
    })
}

fn check(c: &Condition) -> Result<Check, ConditionError> {
    let field = match c.field.split_once(':') {
        Some(("header", name)) if !name.is_empty() => Field::Header(name.to_ascii_lowercase()),
        Some(("query", name)) if !name.is_empty() => Field::Query(name.to_string()),
        Some(("json", path)) if !path.is_empty() => Field::Json(steps(path)),
        None => match c.field.as_str() {
            "endpoint" => Field::Endpoint,
            "method" => Field::Method,
            "path" => Field::Path,
            "provider" => Field::Provider,
            "event_type" => Field::EventType,
            "signature" => Field::Signature,
            "size" => Field::Size,
            "duplicate" => Field::Duplicate,
            other => return Err(ConditionError::UnknownField(other.to_string())),
        },
        _ => return Err(ConditionError::UnknownPrefix(c.field.clone())),
    };
    let text = || -> Result<String, ConditionError> {
        match &c.value {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(Value::Bool(b)) => Ok(b.to_string()),
            _ => Err(ConditionError::NeedsValue(c.op)),
        }
    };
    let number = || -> Result<f64, ConditionError> {
        match &c.value {
            Some(Value::Number(n)) => n.as_f64().ok_or(ConditionError::NotFinite),
            Some(Value::String(s)) => s.parse().map_err(|_| ConditionError::NotANumber(s.clone())),
            _ => Err(ConditionError::NeedsNumber(c.op)),
        }
    };
    let test = match c.op {
        ConditionOp::Equals => Test::Equals(text()?, true),
        ConditionOp::NotEquals => Test::Equals(text()?, false),
        ConditionOp::Contains => Test::Contains(text()?),
        ConditionOp::Regex => {
            Test::Matches(Regex::new(&text()?).map_err(ConditionError::BadRegex)?)
        }
        ConditionOp::Glob => Test::Matches(glob(&text()?)?),
        ConditionOp::Exists => Test::Exists(!matches!(c.value, Some(Value::Bool(false)))),
        op => Test::Compare(op, number()?),
    };
    Ok(Check { field, test })
}

/// `a.b.0` or the JSON pointer `/a/b/0` → `["a", "b", "0"]`.
fn steps(path: &str) -> Vec<String> {
    match path.strip_prefix('/') {
        Some(pointer) => pointer
            .split('/')
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect(),
        None => path.split('.').map(str::to_string).collect(),
    }
}

/// Walks `steps` into `value`: object keys, or array indexes.
fn walk<'v>(mut value: &'v Value, steps: &[String]) -> Option<&'v Value> {
    for step in steps {
        value = match value {
            Value::Object(map) => map.get(step)?,
            Value::Array(items) => items.get(step.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(value)
}

/// `*` any run, `?` one character; everything else literal.
pub fn glob(pattern: &str) -> Result<Regex, ConditionError> {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(ConditionError::BadGlob)
}

/// What a rule is evaluated against.
pub struct Subject<'a> {
    pub meta: &'a RequestMeta,
    payload: &'a Payload<'a>,
}

impl<'a> Subject<'a> {
    pub fn new(meta: &'a RequestMeta, payload: &'a Payload<'a>) -> Subject<'a> {
        Subject { meta, payload }
    }

    /// The field's value as text, or `None` when absent. Borrowed where it can be: rules
    /// run on every capture.
    fn value(&self, field: &Field) -> Option<Cow<'a, str>> {
        let m = self.meta;
        match field {
            Field::Endpoint => Some(Cow::Borrowed(&m.endpoint_name)),
            Field::Method => Some(Cow::Borrowed(&m.method)),
            Field::Path => Some(Cow::Borrowed(&m.path)),
            Field::Provider => m.provider.as_deref().map(Cow::Borrowed),
            Field::EventType => m.event_type.as_deref().map(Cow::Borrowed),
            Field::Signature => m
                .signature
                .as_ref()
                .map(|s| Cow::Borrowed(s.status.as_str())),
            Field::Size => Some(Cow::Owned(m.size.to_string())),
            Field::Duplicate => {
                let repeat = m.event.as_ref().is_some_and(|e| e.first.is_some());
                Some(Cow::Borrowed(if repeat { "true" } else { "false" }))
            }
            Field::Header(name) => m
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| String::from_utf8_lossy(v)),
            Field::Query(name) => {
                form_urlencoded::parse(m.query.as_deref().unwrap_or_default().as_bytes())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| Cow::Owned(v.into_owned()))
            }
            Field::Json(steps) => match walk(self.payload.json()?, steps)? {
                Value::String(s) => Some(Cow::Borrowed(s.as_str())),
                Value::Null => None,
                other => Some(Cow::Owned(other.to_string())),
            },
        }
    }

    /// Fills `{{method}}`, `{{path}}`, `{{endpoint}}`, `{{provider}}`, `{{event_type}}`,
    /// `{{signature}}`, `{{size}}`, `{{id}}`, `{{header:x}}`, `{{query:x}}` and
    /// `{{json:a.b}}`; an unknown or absent field becomes empty.
    pub fn render(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len());
        let mut rest = template;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                return out;
            };
            let name = after[..end].trim();
            let value = if name == "id" {
                Some(self.meta.id.clone())
            } else {
                let probe = Condition {
                    field: name.to_string(),
                    op: ConditionOp::Exists,
                    value: None,
                };
                check(&probe)
                    .ok()
                    .and_then(|c| self.value(&c.field).map(Cow::into_owned))
            };
            out.push_str(&value.unwrap_or_default());
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn passes(&self, check: &Check) -> bool {
        let value = self.value(&check.field);
        match (&check.test, value) {
            (Test::Exists(want), v) => v.is_some() == *want,
            (Test::Equals(want, same), Some(v)) => (v == want.as_str()) == *same,
            (Test::Equals(_, same), None) => !same,
            (Test::Contains(part), Some(v)) => v.contains(part.as_str()),
            (Test::Matches(re), Some(v)) => re.is_match(&v),
            (Test::Compare(op, bound), Some(v)) => v.parse::<f64>().is_ok_and(|n| match op {
                ConditionOp::Gt => n > *bound,
                ConditionOp::Gte => n >= *bound,
                ConditionOp::Lt => n < *bound,
                _ => n <= *bound,
            }),
            (_, None) => false,
        }
    }
}

impl Compiled {
    pub fn matches(&self, subject: &Subject) -> bool {
        match self.mode {
            MatchMode::All => self.conditions.iter().all(|c| subject.passes(c)),
            MatchMode::Any => self.conditions.iter().any(|c| subject.passes(c)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hooklens_store::{BodyState, RuleSpec, SignatureStatus, SignatureVerdict, Via};
    use serde_json::json;

    fn meta() -> RequestMeta {
        RequestMeta {
            id: "r".into(),
            received_at_us: 0,
            duration_us: 0,
            endpoint_id: None,
            endpoint_name: "stripe".into(),
            method: "POST".into(),
            path: "/stripe/events".into(),
            query: Some("mode=live&x=%20y".into()),
            http_version: "HTTP/1.1".into(),
            remote_addr: None,
            headers: vec![("stripe-signature".into(), b"t=1,v1=x".to_vec())],
            body_state: BodyState::Complete,
            body_note: None,
            size: 2048,
            response_status: 200,
            provider: Some("stripe".into()),
            event_type: Some("payment_intent.payment_failed".into()),
            signature: Some(SignatureVerdict {
                status: SignatureStatus::Invalid,
                scheme: Some("stripe".into()),
                reason: String::new(),
            }),
            tags: Vec::new(),
            rules: Vec::new(),
            via: Via::Direct,
            event: None,
            handshake: None,
        }
    }

    fn rule(mode: MatchMode, conditions: serde_json::Value) -> Result<Compiled, RuleError> {
        let spec = RuleSpec {
            name: "r".into(),
            enabled: true,
            match_mode: mode,
            conditions: serde_json::from_value(conditions).expect("conditions"),
            actions: vec![RuleAction::Pin],
        };
        compile(&Rule {
            id: "1".into(),
            spec,
            created_at: String::new(),
        })
    }

    #[test]
    fn evaluation_table() {
        let body = br#"{"data":{"object":{"amount":4200,"currency":"eur","tags":["a","b"]}},"livemode":false}"#;
        let m = meta();
        let payload = Payload::new(body);
        let subject = Subject::new(&m, &payload);
        let cases: &[(serde_json::Value, bool)] = &[
            (
                json!({"field": "provider", "op": "equals", "value": "stripe"}),
                true,
            ),
            (
                json!({"field": "provider", "op": "not_equals", "value": "github"}),
                true,
            ),
            (
                json!({"field": "event_type", "op": "glob", "value": "payment_intent.*"}),
                true,
            ),
            (
                json!({"field": "event_type", "op": "glob", "value": "invoice.*"}),
                false,
            ),
            (
                json!({"field": "method", "op": "equals", "value": "GET"}),
                false,
            ),
            (
                json!({"field": "path", "op": "glob", "value": "/stripe/*"}),
                true,
            ),
            (
                json!({"field": "endpoint", "op": "equals", "value": "stripe"}),
                true,
            ),
            (
                json!({"field": "signature", "op": "equals", "value": "invalid"}),
                true,
            ),
            (json!({"field": "size", "op": "gt", "value": 1024}), true),
            (json!({"field": "size", "op": "lte", "value": 1024}), false),
            (
                json!({"field": "header:Stripe-Signature", "op": "exists"}),
                true,
            ),
            (
                json!({"field": "header:x-missing", "op": "exists", "value": false}),
                true,
            ),
            (
                json!({"field": "header:stripe-signature", "op": "regex", "value": "^t=\\d+,"}),
                true,
            ),
            (
                json!({"field": "query:mode", "op": "equals", "value": "live"}),
                true,
            ),
            (
                json!({"field": "query:x", "op": "equals", "value": " y"}),
                true,
            ),
            (
                json!({"field": "json:/data/object/amount", "op": "gte", "value": 4200}),
                true,
            ),
            (
                json!({"field": "json:data.object.amount", "op": "lt", "value": "1000"}),
                false,
            ),
            (
                json!({"field": "json:data.object.currency", "op": "equals", "value": "eur"}),
                true,
            ),
            (
                json!({"field": "json:data.object.tags.1", "op": "equals", "value": "b"}),
                true,
            ),
            (
                json!({"field": "json:livemode", "op": "equals", "value": false}),
                true,
            ),
            (
                json!({"field": "json:data.object.nope", "op": "exists"}),
                false,
            ),
            (
                json!({"field": "json:data.object.currency", "op": "contains", "value": "u"}),
                true,
            ),
        ];
        for (condition, want) in cases {
            let compiled = rule(MatchMode::All, json!([condition])).expect("compiles");
            assert_eq!(compiled.matches(&subject), *want, "{condition}");
        }
        let both = json!([
            {"field": "provider", "op": "equals", "value": "stripe"},
            {"field": "method", "op": "equals", "value": "GET"}
        ]);
        assert!(
            !rule(MatchMode::All, both.clone())
                .expect("compiles")
                .matches(&subject)
        );
        assert!(
            rule(MatchMode::Any, both)
                .expect("compiles")
                .matches(&subject)
        );
        assert!(
            rule(MatchMode::All, json!([]))
                .expect("compiles")
                .matches(&subject),
            "no conditions: always"
        );
    }

    #[test]
    fn json_pointers_reach_keys_with_dots_slashes_and_tildes() {
        // The paths the inspector's "Make a rule from this" writes (ui/src/lib/jsonTree.ts).
        let body = br#"{"/root":{"x":1},"a~b":{"c/d.e":2},"a":{"b":3},"a.b":4}"#;
        let m = meta();
        let payload = Payload::new(body);
        let subject = Subject::new(&m, &payload);
        let cases = [
            ("json:/~1root/x", 1),
            ("json:/a~0b/c~1d.e", 2),
            ("json:a.b", 3),
            ("json:/a.b", 4),
        ];
        for (field, want) in cases {
            let conditions = json!([{"field": field, "op": "equals", "value": want}]);
            let compiled = rule(MatchMode::All, conditions).expect("compiles");
            assert!(compiled.matches(&subject), "{field} is {want}");
        }
    }

    #[test]
    fn duplicate_is_true_only_for_a_repeated_delivery() {
        let payload = Payload::new(b"{}");
        let is_repeat = |m: &RequestMeta| {
            rule(
                MatchMode::All,
                json!([{"field": "duplicate", "op": "equals", "value": true}]),
            )
            .expect("compiles")
            .matches(&Subject::new(m, &payload))
        };
        let mut m = meta();
        assert!(!is_repeat(&m), "no event id");
        m.event = Some(hooklens_store::EventDelivery::after("evt_1".into(), None));
        assert!(!is_repeat(&m), "the first delivery");
        m.event = Some(hooklens_store::EventDelivery::after(
            "evt_1".into(),
            Some(hooklens_store::Prior {
                first: hooklens_store::FirstDelivery {
                    id: "a".into(),
                    received_at_us: 0,
                },
                last_occurrence: 1,
            }),
        ));
        assert!(is_repeat(&m), "the second");
        assert_eq!(Subject::new(&m, &payload).render("{{duplicate}}"), "true");
    }

    #[test]
    fn templates_fill_fields() {
        let m = meta();
        let body = br#"{"data":{"object":{"amount":4200}}}"#;
        let payload = Payload::new(body);
        let s = Subject::new(&m, &payload);
        assert_eq!(
            s.render("{{event_type}} on {{endpoint}}: {{json:data.object.amount}} ({{method}} {{path}}, {{id}}) {{nope}}{{header:x-none}}"),
            "payment_intent.payment_failed on stripe: 4200 (POST /stripe/events, r) "
        );
        assert_eq!(s.render("no fields"), "no fields");
        assert_eq!(s.render("open {{ end"), "open {{ end");
    }

    #[test]
    fn bad_rules_say_what_is_wrong() {
        let cases = [
            (
                json!([{"field": "colour", "op": "equals", "value": "x"}]),
                "condition 1: unknown field",
            ),
            (
                json!([{"field": "path", "op": "regex", "value": "("}]),
                "bad regex",
            ),
            (
                json!([{"field": "size", "op": "gt", "value": "big"}]),
                "is not a number",
            ),
            (json!([{"field": "path", "op": "equals"}]), "needs a value"),
        ];
        for (conditions, want) in cases {
            let err = rule(MatchMode::All, conditions)
                .expect_err("refused")
                .to_string();
            assert!(err.contains(want), "{err}");
        }
    }
}
