//! What each tool does, as calls to the control API and a bounded view of the answers.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use http::StatusCode;
use serde_json::{Value, json};

use crate::args::{
    CreateEndpointArgs, DeliveriesArgs, Filter, ListArgs, ReplayArgs, TestEventArgs, WaitArgs,
};
use crate::client::{Api, Call};
use crate::render;

/// Bytes of a JSON answer read at most (a page of 100 requests with hostile headers fits).
const JSON_MAX: usize = 16 << 20;
/// Bytes of the wait endpoint's answer read: enough to name the request it found.
const WAIT_HEAD: usize = 64 << 10;
/// The longest wait the API allows.
pub const WAIT_MAX_MS: u64 = 60_000;
/// How long `replay_request` waits for the replay's first attempt.
const REPLAY_WAIT: Duration = Duration::from_secs(10);

/// A tool that could not do what it was asked: the message an agent reads (`isError`).
#[derive(Debug)]
pub struct Failure {
    pub message: String,
    pub status: Option<StatusCode>,
}

impl Failure {
    fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: message.into(),
            status: None,
        }
    }

    /// An unknown id says so, and where ids come from.
    fn unknown(self, what: &str, id: &str, hint: &str) -> Failure {
        if self.status == Some(StatusCode::NOT_FOUND) {
            Failure::new(format!("no {what} with id {id:?}: {hint}"))
        } else {
            self
        }
    }
}

pub type Outcome = Result<Value, Failure>;

/// The API's refusal as a failure: its own message, plus what to do for the token.
fn refusal(status: StatusCode, body: &[u8]) -> Failure {
    let detail: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = detail["error"]["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("Hooklens answered {status}"));
    let message = match status {
        StatusCode::UNAUTHORIZED => format!(
            "{message} (the token was refused: give `hooklens mcp` the token that Hooklens \
             uses, with --token or from its data directory's api-token file)"
        ),
        _ => message,
    };
    Failure {
        message,
        status: Some(status),
    }
}

/// Tools over one API.
pub struct Ops {
    api: Arc<dyn Api>,
}

fn query(pairs: &[(&str, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    out.extend_pairs(pairs);
    out.finish()
}

fn limit(asked: Option<u32>) -> u32 {
    asked.unwrap_or(20).clamp(1, 100)
}

/// The id of the request the wait endpoint found, from the start of its answer (a request
/// object, whose only top-level key named `id` is that id; an escaped quote in a body or
/// header never forms `"id":"`).
pub(crate) fn answer_id(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("\"id\":\"")? + 6;
    let len = text[start..].find('"')?;
    Some(text[start..start + len].to_string())
}

impl Ops {
    pub fn new(api: Arc<dyn Api>) -> Ops {
        Ops { api }
    }

    /// A call whose answer is JSON.
    async fn json(&self, call: Call) -> Outcome {
        let path = call.path.clone();
        let reply = self
            .api
            .call(call)
            .await
            .map_err(|e| Failure::new(e.to_string()))?;
        if !reply.status.is_success() {
            return Err(refusal(reply.status, &reply.body));
        }
        if reply.truncated {
            return Err(Failure::new(format!(
                "the answer to {path} is too large to read: narrow the filter or lower limit"
            )));
        }
        serde_json::from_slice(&reply.body)
            .map_err(|e| Failure::new(format!("Hooklens answered {path} with bad JSON: {e}")))
    }

    async fn get(&self, path: String) -> Outcome {
        self.json(Call::get(path, JSON_MAX)).await
    }

    pub async fn status(&self) -> Outcome {
        let status = self.get("/api/v1/status".into()).await?;
        let tunnel = self.get("/api/v1/tunnel".into()).await?;
        let capture = self.get("/api/v1/capture".into()).await?;
        let targets = self.get("/api/v1/targets".into()).await?;
        let targets = targets.as_array().cloned().unwrap_or_default();
        let down = targets.iter().filter(|t| t["state"] == "down").count();
        let waiting: u64 = targets.iter().filter_map(|t| t["pending"].as_u64()).sum();
        Ok(json!({
            "version": status["version"],
            "receiver_url": status["receiver_url"],
            "public_url": tunnel["public_url"],
            "send_webhooks_to": if tunnel["public_url"].is_string() { &tunnel["public_url"] } else { &status["receiver_url"] },
            "tunnel": { "provider": tunnel["provider"], "state": tunnel["state"], "error": tunnel["error"] },
            "capture_paused": capture["paused"],
            "max_body_bytes": status["max_body"],
            "counts": {
                "requests_stored": status["requests"],
                "forward_targets": targets.len(),
                "targets_down": down,
                "deliveries_waiting": waiting,
            },
            "targets": targets.iter().take(20).map(|t| json!({
                "target": t["target"], "state": t["state"], "reason": t["reason"],
                "down_since": t["down_since"], "pending": t["pending"],
            })).collect::<Vec<_>>(),
        }))
    }

    pub async fn list_requests(&self, args: ListArgs) -> Outcome {
        let mut pairs = args.filter.pairs();
        pairs.push(("limit", limit(args.limit).to_string()));
        let page = self
            .get(format!("/api/v1/requests?{}", query(&pairs)))
            .await?;
        let items: Vec<Value> = page["items"]
            .as_array()
            .map(|items| items.iter().map(render::request_line).collect())
            .unwrap_or_default();
        let mut out = json!({ "count": items.len(), "requests": items });
        if page["next"].is_string() {
            out["more"] =
                json!("more requests match: narrow the filter, or raise limit (100 at most)");
        }
        Ok(out)
    }

    pub async fn get_request(&self, id: &str) -> Outcome {
        let page = self
            .get(format!(
                "/api/v1/requests?{}",
                query(&[("ids", id.into()), ("limit", "1".into())])
            ))
            .await?;
        let summary = page["items"].get(0).cloned().ok_or_else(|| {
            Failure::new(format!(
                "no request with id {id:?}: list_requests or wait_for_request give the ids"
            ))
        })?;
        self.request_view(id, &summary).await
    }

    /// A request with its body excerpt, matched rules and deliveries.
    async fn request_view(&self, id: &str, summary: &Value) -> Outcome {
        let size = summary["size"].as_u64().unwrap_or(0);
        let state = summary["body_state"].as_str().unwrap_or("complete");
        let reply = self
            .api
            .call(Call::get(
                format!("/api/v1/requests/{id}/body"),
                render::BODY_TEXT_MAX,
            ))
            .await
            .map_err(|e| Failure::new(e.to_string()))?;
        if !reply.status.is_success() {
            return Err(refusal(reply.status, &reply.body).unknown(
                "request",
                id,
                "it was deleted",
            ));
        }
        let body = render::body(id, &reply.body, size.max(reply.body.len() as u64), state);
        let rules = match summary["rules"].as_array() {
            Some(ids) if !ids.is_empty() => self.rule_names().await?,
            _ => Vec::new(),
        };
        let mut out = render::request(summary, body, &rules);
        match self
            .json(Call::get(
                format!("/api/v1/requests/{id}/deliveries"),
                JSON_MAX,
            ))
            .await
        {
            Ok(list) => {
                let all = list.as_array().cloned().unwrap_or_default();
                out["deliveries"] = all.iter().take(20).map(render::delivery).collect();
                if all.len() > 20 {
                    out["deliveries_note"] = json!(format!(
                        "showing 20 of {}: list_deliveries with id",
                        all.len()
                    ));
                }
            }
            Err(e) => out["deliveries_note"] = json!(e.message),
        }
        Ok(out)
    }

    async fn rule_names(&self) -> Result<Vec<(String, String)>, Failure> {
        let rules = self.get("/api/v1/rules".into()).await?;
        Ok(rules
            .as_array()
            .map(|rules| {
                rules
                    .iter()
                    .filter_map(|r| Some((r["id"].as_str()?.into(), r["name"].as_str()?.into())))
                    .collect()
            })
            .unwrap_or_default())
    }

    pub async fn wait_for_request(&self, args: WaitArgs) -> Outcome {
        let timeout = args.timeout_ms.unwrap_or(30_000);
        if timeout > WAIT_MAX_MS {
            return Err(Failure::new(format!(
                "timeout_ms {timeout} is over {WAIT_MAX_MS}: wait at most a minute, then call again with after"
            )));
        }
        let mut pairs = args.filter.pairs();
        pairs.extend(args.after.clone().map(|a| ("after", a)));
        pairs.push(("timeout_ms", timeout.to_string()));
        let reply = self
            .api
            .call(Call::get(
                format!("/api/v1/requests/wait?{}", query(&pairs)),
                WAIT_HEAD,
            ))
            .await
            .map_err(|e| Failure::new(e.to_string()))?;
        match reply.status {
            StatusCode::OK => {}
            StatusCode::REQUEST_TIMEOUT => {
                return Err(Failure::new(format!(
                    "nothing matching arrived within {timeout} ms{}. Check that the webhook was \
                     sent to this Hooklens (status shows its URL), loosen the filter \
                     (list_requests with the same arguments shows what is stored), or wait again",
                    describe(&args.filter)
                )));
            }
            status => {
                return Err(refusal(status, &reply.body).unknown(
                    "request",
                    args.after.as_deref().unwrap_or_default(),
                    "after must be the id of a stored request",
                ));
            }
        }
        let id = answer_id(&reply.body)
            .ok_or_else(|| Failure::new("Hooklens answered the wait without a request id"))?;
        self.get_request(&id).await
    }

    pub async fn replay_request(&self, args: ReplayArgs) -> Outcome {
        let body_base64 = match (&args.body, &args.body_base64) {
            (Some(_), Some(_)) => {
                return Err(Failure::new("give body or body_base64, not both"));
            }
            (Some(text), None) => Some(base64::engine::general_purpose::STANDARD.encode(text)),
            (None, b64) => b64.clone(),
        };
        let mut body = json!({});
        for (name, value) in [
            ("target", args.target.clone().map(Value::from)),
            ("method", args.method.clone().map(Value::from)),
            ("path", args.path.clone().map(Value::from)),
            ("headers", args.headers.as_ref().map(|h| json!(h))),
            ("body_base64", body_base64.map(Value::from)),
            (
                "resign",
                args.resign.as_ref().map(|r| {
                    json!({
                        "scheme": r.scheme, "secret": r.secret, "header": r.header,
                    })
                }),
            ),
        ] {
            if let Some(value) = value {
                body[name] = value;
            }
        }
        let delivery = self
            .json(Call::post(
                format!("/api/v1/requests/{}/replay", args.id),
                body,
                JSON_MAX,
            ))
            .await
            .map_err(|e| e.unknown("request", &args.id, "list_requests gives the ids"))?;
        self.first_attempt(&delivery).await
    }

    /// The delivery once its first attempt is over (or as it stands after [`REPLAY_WAIT`]).
    async fn first_attempt(&self, delivery: &Value) -> Outcome {
        let id = delivery["id"].as_str().unwrap_or_default().to_string();
        let deadline = tokio::time::Instant::now() + REPLAY_WAIT;
        let mut pause = Duration::from_millis(10);
        loop {
            let now = self.get(format!("/api/v1/deliveries/{id}")).await?;
            let tried = now["attempts"].as_u64().unwrap_or(0) > 0 || now["state"] != "pending";
            if tried || tokio::time::Instant::now() + pause > deadline {
                let mut out = render::delivery_detail(&now);
                if !tried {
                    out["note"] = json!(format!(
                        "not tried yet after {} s (its target may be paused as down): get_delivery {id} later",
                        REPLAY_WAIT.as_secs()
                    ));
                }
                return Ok(out);
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(250));
        }
    }

    pub async fn send_test_event(&self, args: TestEventArgs) -> Outcome {
        let body = json!({
            "provider": args.provider,
            "event": args.event_type,
            "endpoint": args.endpoint,
            "target": args.target,
            "secret": args.secret,
        });
        let body = Value::Object(
            body.as_object()
                .into_iter()
                .flatten()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        let sent = self
            .json(Call::post("/api/v1/test-events", body, JSON_MAX))
            .await?;
        let mut out = json!({
            "request_id": sent["request_id"],
            "provider": sent["provider"],
            "event_type": sent["event_type"],
            "signed": sent["signed"],
            "receiver_status": sent["status"],
        });
        if sent["delivery"].is_object() {
            out["delivery"] = self.first_attempt(&sent["delivery"]).await?;
        }
        Ok(out)
    }

    pub async fn list_endpoints(&self) -> Outcome {
        let status = self.get("/api/v1/status".into()).await?;
        let receiver = status["receiver_url"].as_str().unwrap_or_default();
        let endpoints = self.get("/api/v1/endpoints".into()).await?;
        let list: Vec<Value> = endpoints
            .as_array()
            .map(|all| {
                all.iter()
                    .take(100)
                    .map(|e| endpoint(e, receiver))
                    .collect()
            })
            .unwrap_or_default();
        Ok(json!({ "count": list.len(), "endpoints": list }))
    }

    pub async fn create_endpoint(&self, args: CreateEndpointArgs) -> Outcome {
        let mut spec = json!({
            "name": args.name,
            "path": args.path,
            "forward": args.forward_to.iter().map(|url| json!({ "url": url })).collect::<Vec<_>>(),
        });
        if let Some(s) = &args.signature {
            let mut signature = json!({ "scheme": s.scheme, "secrets": [s.secret] });
            if let Some(t) = s.tolerance_s {
                signature["tolerance_s"] = json!(t);
            }
            if let Some(h) = &s.header {
                signature["header"] = json!(h);
            }
            spec["signature"] = signature;
        }
        let created = self
            .json(Call::post("/api/v1/endpoints", spec, JSON_MAX))
            .await?;
        let status = self.get("/api/v1/status".into()).await?;
        Ok(endpoint(
            &created,
            status["receiver_url"].as_str().unwrap_or_default(),
        ))
    }

    pub async fn list_deliveries(&self, args: DeliveriesArgs) -> Outcome {
        let n = limit(args.limit) as usize;
        let items = match &args.id {
            Some(id) => self
                .get(format!("/api/v1/requests/{id}/deliveries"))
                .await
                .map_err(|e| e.unknown("request", id, "list_requests gives the ids"))?,
            None => {
                let mut pairs = vec![("limit", n.to_string())];
                pairs.extend(args.state.clone().map(|s| ("state", s)));
                self.get(format!("/api/v1/deliveries?{}", query(&pairs)))
                    .await?["items"]
                    .take()
            }
        };
        let list: Vec<Value> = items
            .as_array()
            .map(|all| all.iter().take(n).map(render::delivery).collect())
            .unwrap_or_default();
        Ok(json!({ "count": list.len(), "deliveries": list }))
    }

    pub async fn get_delivery(&self, id: &str) -> Outcome {
        let delivery = self
            .get(format!("/api/v1/deliveries/{id}"))
            .await
            .map_err(|e| e.unknown("delivery", id, "list_deliveries gives the ids"))?;
        Ok(render::delivery_detail(&delivery))
    }
}

/// The filter in words, for a timeout's message.
fn describe(filter: &Filter) -> String {
    let pairs = filter.pairs();
    if pairs.is_empty() {
        return String::new();
    }
    let words: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!(" ({})", words.join(", "))
}

/// An endpoint with the URL to give the provider.
fn endpoint(e: &Value, receiver: &str) -> Value {
    json!({
        "id": e["id"],
        "name": e["name"],
        "path": e["path"],
        "url": format!("{receiver}{}", e["path"].as_str().unwrap_or_default()),
        "forward_to": e["forward"].as_array().map(|f| f.iter().map(|t| t["url"].clone()).collect::<Vec<_>>()),
        "signature": e["signature"],
        "relay": e["relay"],
    })
}

#[cfg(test)]
mod tests {
    use super::answer_id;

    #[test]
    fn the_wait_answer_names_its_request_first() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"{"id":"01ABC","method":"POST""#, Some("01ABC")),
            (r#"{"endpoint_id":"E1","id":"01X"}"#, Some("01X")),
            (
                r#"{"headers":[["id","v"]],"body_text":"{\"id\":\"no\"}","id":"01Y""#,
                Some("01Y"),
            ),
            (r#"{"method":"POST""#, None),
        ];
        for (head, want) in cases {
            assert_eq!(answer_id(head.as_bytes()).as_deref(), *want, "{head}");
        }
    }
}
