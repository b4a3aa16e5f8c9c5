use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::*;

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

#[tokio::test]
async fn the_token_is_required_except_for_health() {
    let engine = TestEngine::start().await;
    let response = engine
        .http
        .get(engine.api("/api/v1/requests"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "unauthorized");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("Bearer")
    );

    let wrong = engine
        .http
        .get(engine.api("/api/v1/requests"))
        .bearer_auth("test-token-0123456789abcdeX")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 401);
    assert_eq!(
        wrong.headers().get("connection"),
        None,
        "nothing unread: the connection stays open"
    );
    // Refused before its body is read, the connection closes, and the answer says so: a
    // client that keeps connections alive opens a new one for its next request.
    let refused = engine
        .http
        .post(engine.api("/api/v1/endpoints"))
        .bearer_auth("test-token-0123456789abcdeX")
        .json(&json!({"name": "e", "path": "/e"}))
        .send()
        .await
        .expect("send");
    assert_eq!(refused.status(), 401);
    assert_eq!(
        refused
            .headers()
            .get("connection")
            .map(|v| v.to_str().expect("ascii")),
        Some("close")
    );

    let health: Value = engine
        .http
        .get(engine.api("/api/v1/health"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        engine.get_json("/api/v1/requests").await["items"],
        json!([])
    );
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_that_authorises() {
    let engine = TestEngine::start().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let bad = client
        .get(engine.api("/login?token=nope"))
        .send()
        .await
        .expect("send");
    assert_eq!(bad.status(), 401);
    assert!(bad.headers().get("set-cookie").is_none());

    let response = client
        .get(engine.api(&format!("/login?token={TOKEN}")))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().expect("pair").to_string();
    let onward = client
        .get(engine.api(&format!("/login?token={TOKEN}&next=/requests/01ABC")))
        .send()
        .await
        .expect("send");
    assert_eq!(onward.status(), 303);
    assert_eq!(onward.headers()["location"], "/requests/01ABC");
    assert!(onward.headers().get("set-cookie").is_some());
    let page = client
        .get(engine.api("/api/v1/requests"))
        .header("cookie", pair)
        .send()
        .await
        .expect("send");
    assert_eq!(page.status(), 200);
}

#[tokio::test]
async fn foreign_hosts_and_origins_are_refused() {
    let engine = TestEngine::start().await;
    let port = engine.handle.api_addr.port();
    let cases: &[(&str, Option<&str>, Option<&str>, u16)] = &[
        ("host", Some("evil.example"), None, 403),
        (
            "host with our port",
            Some(&*format!("evil.example:{port}")),
            None,
            403,
        ),
        ("origin", None, Some("http://evil.example"), 403),
        ("null origin", None, Some("null"), 403),
        (
            "https origin",
            None,
            Some(&*format!("https://127.0.0.1:{port}")),
            403,
        ),
        (
            "own origin",
            None,
            Some(&*format!("http://127.0.0.1:{port}")),
            200,
        ),
        (
            "localhost",
            Some(&*format!("localhost:{port}")),
            Some(&*format!("http://localhost:{port}")),
            200,
        ),
    ];
    for (what, host, origin, want) in cases {
        let mut request = engine.call(Method::GET, "/api/v1/requests");
        if let Some(host) = host {
            request = request.header("host", *host);
        }
        if let Some(origin) = origin {
            request = request.header("origin", *origin);
        }
        let response = request.send().await.expect("send");
        assert_eq!(response.status().as_u16(), *want, "{what}");
        if *want == 403 {
            let body: Value = response.json().await.expect("json");
            assert_eq!(body["error"]["code"], "forbidden", "{what}");
        }
    }
    let cross_site = engine
        .call(Method::DELETE, "/api/v1/requests")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .expect("send");
    assert_eq!(cross_site.status(), 403);
    // Health is public but still checks Host: no DNS rebinding to anything.
    let rebound = engine
        .http
        .get(engine.api("/api/v1/health"))
        .header("host", "attacker.example")
        .send()
        .await
        .expect("send");
    assert_eq!(rebound.status(), 403);
}

#[tokio::test]
async fn a_refused_non_loopback_api_listener() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = config(dir.path());
    config.api_listen = "0.0.0.0:0".parse().expect("addr");
    config.listen = "127.0.0.1:0".parse().expect("addr");
    let err = hooklens_engine::run(config, Default::default())
        .await
        .err()
        .expect("refused");
    assert!(err.to_string().contains("loopback"), "{err}");
}

#[tokio::test]
async fn listing_pages_and_filters() {
    let engine = TestEngine::start().await;
    let a = engine.capture("/a", "{}").await;
    let b = engine.capture("/b", "{}").await;
    let c = engine.capture("/c", "{}").await;
    engine
        .http
        .get(engine.recv("/d"))
        .send()
        .await
        .expect("send");

    let first = engine
        .get_json("/api/v1/requests?limit=2&method=post")
        .await;
    assert_eq!(ids(&first), [c.clone(), b.clone()]);
    assert!(
        first["items"][0].get("body_base64").is_none(),
        "listings carry no body"
    );
    let cursor = first["next"].as_str().expect("a next page");
    let second = engine
        .get_json(&format!(
            "/api/v1/requests?limit=2&method=POST&cursor={cursor}"
        ))
        .await;
    assert_eq!(ids(&second), [a.as_str()]);
    assert_eq!(second["next"], Value::Null);

    let since = engine.stored(&b).await["received_at"]
        .as_str()
        .expect("time")
        .to_string();
    let until = engine.stored(&c).await["received_at_us"]
        .as_i64()
        .expect("us");
    let window = engine
        .get_json(&format!("/api/v1/requests?since={since}&until={until}"))
        .await;
    assert_eq!(ids(&window), [b.as_str()]);

    let bad = engine
        .request(Method::GET, "/api/v1/requests?since=yesterday")
        .await;
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid");

    let missing = engine.request(Method::GET, "/api/v1/requests/01NOPE").await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn full_text_search_finds_new_requests() {
    let engine = TestEngine::start().await;
    let hit = engine
        .capture(
            "/stripe",
            r#"{"type":"payment_intent.payment_failed","id":"evt_1Nabc"}"#,
        )
        .await;
    engine.capture("/github", r#"{"action":"opened"}"#).await;
    let found = eventually(Duration::from_secs(5), || async {
        let page = engine.get_json("/api/v1/requests?q=payment_failed").await;
        let found = ids(&page);
        (!found.is_empty()).then_some(found)
    })
    .await;
    assert_eq!(found, [hit.as_str()]);
    let prefix = engine.get_json("/api/v1/requests?q=evt_1Na").await;
    assert_eq!(ids(&prefix), [hit]);
    let none = engine.get_json("/api/v1/requests?q=refund").await;
    assert!(ids(&none).is_empty());
}

#[tokio::test]
async fn body_endpoint_is_sandboxed() {
    let engine = TestEngine::start().await;
    let answer: Value = engine
        .http
        .post(engine.recv("/html"))
        .header("content-type", "text/html")
        .body("<script>alert(1)</script>")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let id = answer["id"].as_str().expect("id");
    let response = engine
        .request(Method::GET, &format!("/api/v1/requests/{id}/body"))
        .await;
    assert_eq!(response.headers()["content-type"], "text/html");
    assert_eq!(
        response.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        response.text().await.expect("text"),
        "<script>alert(1)</script>"
    );
}

#[tokio::test]
async fn pin_delete_and_clear() {
    let engine = TestEngine::start().await;
    let keep = engine.capture("/keep", "{}").await;
    let gone = engine.capture("/gone", "{}").await;
    let cleared = engine.capture("/cleared", "{}").await;
    let pinned: Value = engine
        .request(Method::POST, &format!("/api/v1/requests/{keep}/pin"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(pinned["pinned"], true);

    let deleted = engine
        .request(Method::DELETE, &format!("/api/v1/requests/{gone}"))
        .await;
    assert_eq!(deleted.status(), 204);
    let again = engine
        .request(Method::DELETE, &format!("/api/v1/requests/{gone}"))
        .await;
    assert_eq!(again.status(), 404);

    let removed: Value = engine
        .request(Method::DELETE, "/api/v1/requests")
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(removed["deleted"], 1);
    let left = engine.get_json("/api/v1/requests").await;
    assert_eq!(ids(&left), [keep.as_str()]);
    let _ = cleared;

    let unpinned: Value = engine
        .request(Method::DELETE, &format!("/api/v1/requests/{keep}/pin"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(unpinned["pinned"], false);
}

#[tokio::test]
async fn endpoints_round_trip_and_validate() {
    let engine = TestEngine::start().await;
    let created: Value = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({ "name": "github", "path": "/github/" }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    assert_eq!(created["path"], "/github");
    assert_eq!(created["response"]["status"], 200);
    let id = created["id"].as_str().expect("id");

    let clash = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({ "name": "other", "path": "/github" }))
        .send()
        .await
        .expect("create");
    assert_eq!(clash.status(), 409);

    for bad in [
        json!({ "name": "x", "path": "nope" }),
        json!({ "name": "x", "path": "/x", "response": { "status": 99 } }),
        json!({ "name": "x", "path": "/x", "response": { "delay_ms": 60000 } }),
        json!({ "name": "x", "path": "/x", "surprise": true }),
    ] {
        let response = engine
            .call(Method::POST, "/api/v1/endpoints")
            .json(&bad)
            .send()
            .await
            .expect("create");
        assert!(
            response.status().is_client_error(),
            "{bad}: {}",
            response.status()
        );
    }

    let captured = engine.capture("/github/push", "{}").await;
    let patched: Value = engine
        .call(Method::PATCH, &format!("/api/v1/endpoints/{id}"))
        .json(&json!({ "name": "gh", "response": { "status": 204 } }))
        .send()
        .await
        .expect("patch")
        .json()
        .await
        .expect("json");
    assert_eq!(patched["name"], "gh");
    assert_eq!(patched["path"], "/github");
    assert_eq!(patched["response"]["status"], 204);
    assert_eq!(
        engine.stored(&captured).await["endpoint"],
        "gh",
        "renamed with it"
    );
    let listed = engine.get_json("/api/v1/endpoints").await;
    assert_eq!(listed.as_array().expect("list").len(), 1);
    let answer = engine
        .http
        .post(engine.recv("/github/x"))
        .send()
        .await
        .expect("send");
    assert_eq!(answer.status(), 204, "the new response applies at once");

    let deleted = engine
        .request(Method::DELETE, &format!("/api/v1/endpoints/{id}"))
        .await;
    assert_eq!(deleted.status(), 204);
    let gone = engine
        .request(Method::GET, &format!("/api/v1/endpoints/{id}"))
        .await;
    assert_eq!(gone.status(), 404);
    assert_eq!(
        engine.stored(&captured).await["endpoint"],
        "gh",
        "requests stay"
    );
}

#[tokio::test]
async fn settings_patch_applies_retention_at_once() {
    let engine = TestEngine::start().await;
    let mut events = engine.handle.subscribe();
    let defaults = engine.get_json("/api/v1/settings").await;
    assert_eq!(defaults["retention"]["max_requests"], 100_000);
    let pinned = engine.capture("/0", "{}").await;
    engine
        .request(Method::POST, &format!("/api/v1/requests/{pinned}/pin"))
        .await;
    let mut newest = Vec::new();
    for i in 1..=4 {
        newest.push(engine.capture(&format!("/{i}"), "{}").await);
    }
    let settings: Value = engine
        .call(Method::PATCH, "/api/v1/settings")
        .json(&json!({ "retention": { "max_requests": 2, "max_age_days": null } }))
        .send()
        .await
        .expect("patch")
        .json()
        .await
        .expect("json");
    assert_eq!(settings["retention"]["max_requests"], 2);
    assert_eq!(settings["retention"]["max_age_days"], Value::Null);
    // The answer does not wait for the deletions: an event says when they are done.
    let removed = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.recv().await {
                Ok(hooklens_engine::Event::RequestsRemoved { count, reason }) => {
                    return (count, reason);
                }
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("event stream ended: {e}"),
            }
        }
    })
    .await
    .expect("requests.removed within 10 s");
    assert_eq!(removed, (2, hooklens_engine::RemovalReason::Retention));
    let left = ids(&engine.get_json("/api/v1/requests").await);
    assert_eq!(left, [newest[3].clone(), newest[2].clone(), pinned]);

    let bad = engine
        .call(Method::PATCH, "/api/v1/settings")
        .json(&json!({ "retention": { "max_requests": 0 } }))
        .send()
        .await
        .expect("patch");
    assert_eq!(bad.status(), 400);
    let engine = engine.restart().await;
    let kept = engine.get_json("/api/v1/settings").await;
    assert_eq!(kept["retention"]["max_requests"], 2, "settings persist");
}

#[tokio::test]
async fn openapi_lists_every_route() {
    let engine = TestEngine::start().await;
    let doc = engine.get_json("/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    let want: &[(&str, &[&str])] = &[
        ("/api/v1/health", &["get"]),
        ("/api/v1/status", &["get"]),
        ("/api/v1/requests", &["get", "delete"]),
        ("/api/v1/requests/{id}", &["get", "delete"]),
        ("/api/v1/requests/wait", &["get"]),
        ("/api/v1/requests/{id}/body", &["get"]),
        ("/api/v1/requests/{id}/pin", &["post", "delete"]),
        ("/api/v1/endpoints", &["get", "post"]),
        ("/api/v1/endpoints/{id}", &["get", "patch", "delete"]),
        ("/api/v1/settings", &["get", "patch"]),
        ("/api/v1/events", &["get"]),
        ("/api/v1/export", &["get"]),
        ("/api/v1/requests/{id}/replay", &["post"]),
        ("/api/v1/replay", &["post"]),
        ("/api/v1/requests/{id}/deliveries", &["get"]),
        ("/api/v1/deliveries", &["get"]),
        ("/api/v1/deliveries/{id}", &["get"]),
        ("/api/v1/targets", &["get"]),
        ("/api/v1/test-events", &["get", "post"]),
        ("/api/v1/rules", &["get", "post"]),
        ("/api/v1/rules/{id}", &["get", "patch", "delete"]),
        ("/api/v1/notifications", &["get"]),
        ("/api/v1/tunnel", &["get", "post", "delete"]),
        ("/api/v1/stats", &["get"]),
        ("/metrics", &["get"]),
        ("/api/v1/capture", &["get", "put"]),
    ];
    for (path, methods) in want {
        for method in *methods {
            assert!(
                paths[*path].get(*method).is_some(),
                "{method} {path} documented"
            );
        }
    }
    // Each operation has its own id, so clients can generate code from the document.
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId");
            assert!(
                ids.insert(id.to_string()),
                "{method} {path}: {id} used twice"
            );
        }
    }
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    for schema in [
        "DeliveryJson",
        "RuleSpec",
        "SignatureVerdict",
        "AttemptJson",
        "TargetStatus",
        "RetryPolicy",
        "RequestJson",
        "RequestPage",
        "Endpoint",
        "EndpointSpec",
        "Settings",
        "ErrorBody",
        "Stats",
        "LatencySeries",
        "PeriodJson",
    ] {
        assert!(schemas.contains_key(schema), "{schema} documented");
    }
    // A stored rule is one object: its spec's fields next to its own (a flattened spec
    // that forbids extra properties would forbid `id` and `created_at`).
    let rule = &schemas["Rule"];
    for field in ["id", "created_at", "name", "conditions", "actions"] {
        assert!(rule["properties"].get(field).is_some(), "{field}: {rule}");
    }
    assert!(rule.get("allOf").is_none(), "{rule}");
    // The guard's refusals are documented on the routes behind it, not on health.
    assert!(
        paths["/api/v1/requests"]["get"]["responses"]
            .get("401")
            .is_some()
    );
    assert!(
        paths["/api/v1/health"]["get"]["responses"]
            .get("401")
            .is_none()
    );
}

#[tokio::test]
async fn status_reports_urls_and_counts() {
    let engine = TestEngine::start().await;
    engine.capture("/x", "{}").await;
    let status = engine.get_json("/api/v1/status").await;
    assert_eq!(status["receiver_url"], engine.handle.receiver_url());
    assert_eq!(status["requests"], 1);
}

#[tokio::test]
async fn the_inspector_is_served_at_root_and_client_routes_fall_back_to_it() {
    let engine = TestEngine::start().await;
    let anonymous = engine.http.get(engine.api("/")).send().await.expect("send");
    assert_eq!(anonymous.status(), 401);
    assert!(anonymous.text().await.expect("text").contains("login link"));

    let root = engine.request(Method::GET, "/").await;
    assert_eq!(root.status(), 200);
    assert_eq!(root.headers()["cache-control"], "no-store");
    assert!(
        root.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/html")
    );
    let page = root.text().await.expect("text");
    // Built with the bundle: its index page; without: a page saying how to build it.
    assert!(
        page.contains("<div id=\"app\">") || page.contains("make ui-build"),
        "{page}"
    );
    for route in ["/requests/01ABC", "/rules?x=1", "/settings"] {
        let response = engine.request(Method::GET, route).await;
        assert_eq!(response.status(), 200, "{route}");
        assert_eq!(response.text().await.expect("text"), page, "{route}");
    }
    for missing in ["/api/v1/nope", "/assets/gone-123.js"] {
        let response = engine.request(Method::GET, missing).await;
        assert_eq!(response.status(), 404, "{missing}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "not_found", "{missing}");
    }
    let post = engine.request(Method::POST, "/requests").await;
    assert_eq!(post.status(), 404);
}

#[tokio::test]
async fn tags_by_hand_and_a_list_of_ids() {
    let engine = TestEngine::start().await;
    let a = engine.capture("/a", "{}").await;
    engine.capture("/b", "{}").await; // listed by neither ids nor tag
    let c = engine.capture("/c", "{}").await;

    let tagged: Value = engine
        .call(Method::POST, &format!("/api/v1/requests/{a}/tags"))
        .json(&json!({"tag": "look at me"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(tagged["tags"], json!(["look at me"]));
    let again: Value = engine
        .call(Method::POST, &format!("/api/v1/requests/{a}/tags"))
        .json(&json!({"tag": "second"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(again["tags"], json!(["look at me", "second"]));
    assert_eq!(
        ids(&engine.get_json("/api/v1/requests?tag=second").await),
        vec![a.clone()]
    );
    let removed = engine
        .request(
            Method::DELETE,
            &format!("/api/v1/requests/{a}/tags/look%20at%20me"),
        )
        .await;
    assert_eq!(removed.status(), 200);
    assert_eq!(engine.stored(&a).await["tags"], json!(["second"]));
    for bad in ["", "a,b", &"x".repeat(65)] {
        let response = engine
            .call(Method::POST, &format!("/api/v1/requests/{a}/tags"))
            .json(&json!({ "tag": bad }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 400, "{bad:?}");
    }
    let missing = engine
        .call(Method::POST, "/api/v1/requests/nope/tags")
        .json(&json!({"tag": "x"}))
        .send()
        .await
        .expect("send");
    assert_eq!(missing.status(), 404);

    assert_eq!(
        ids(&engine
            .get_json(&format!("/api/v1/requests?ids={a},{c}"))
            .await),
        vec![c.clone(), a.clone()]
    );
    assert!(!ids(&engine.get_json("/api/v1/requests").await).is_empty());
    let many = vec!["x"; 1001].join(",");
    let response = engine
        .request(Method::GET, &format!("/api/v1/requests?ids={many}"))
        .await;
    assert_eq!(response.status(), 400);
}
