//! What a relay token opens: the stream, and nothing of the control API — not as a bearer,
//! not as the session cookie, not in the login link.

use reqwest::Method;
use serde_json::json;

use crate::{Api, free_port, relay_token, start_relay};

#[test]
fn a_relay_token_opens_the_stream_and_nothing_of_the_control_api() {
    let dir = tempfile::tempdir().expect("dir");
    let port = free_port();
    let relay = start_relay(dir.path(), port);
    let token = relay_token(dir.path(), &["create", "laptop"]);
    let token = token.trim();
    let api = Api::of(&relay);
    let api_port = api.base.rsplit(':').next().expect("a port");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let refused = |method: Method, path: &str| {
        api.runtime.block_on(async {
            let answer = http
                .request(method, format!("{}{path}", api.base))
                .bearer_auth(token)
                .json(&json!({ "name": "mine" }))
                .send()
                .await
                .expect("the api answers");
            let status = answer.status().as_u16();
            (status, answer.text().await.unwrap_or_default())
        })
    };
    for (method, path) in [
        (Method::GET, "/api/v1/status"),
        (Method::GET, "/api/v1/requests"),
        (Method::GET, "/api/v1/events"),
        (Method::GET, "/api/v1/relay/tokens"),
        (Method::POST, "/api/v1/relay/tokens"),
        (Method::DELETE, "/api/v1/relay/tokens/laptop"),
        (Method::POST, "/mcp"),
        (Method::GET, "/metrics"),
    ] {
        let (status, body) = refused(method.clone(), path);
        assert_eq!(status, 401, "{method} {path}: {body}");
        assert!(body.contains("\"unauthorized\""), "{method} {path}: {body}");
    }
    let (as_cookie, in_login) = api.runtime.block_on(async {
        let as_cookie = http
            .get(format!("{}/api/v1/status", api.base))
            .header("cookie", format!("hooklens_{api_port}={token}"))
            .send()
            .await
            .expect("the api answers");
        let in_login = http
            .get(format!("{}/login?token={token}", api.base))
            .send()
            .await
            .expect("the api answers");
        (as_cookie, in_login)
    });
    assert_eq!(as_cookie.status(), 401, "as the session cookie");
    assert_eq!(in_login.status(), 401, "in the login link");
    assert!(in_login.headers().get("set-cookie").is_none());

    // The stream takes it: its first frame is the hello (kind 1).
    let (status, content_type, first) = api.runtime.block_on(async {
        let mut answer = http
            .get(format!("http://127.0.0.1:{port}/relay/v1/stream"))
            .bearer_auth(token)
            .send()
            .await
            .expect("the relay listener answers");
        let content_type = answer
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(String::from);
        let first = answer.chunk().await.expect("a chunk").expect("bytes");
        (answer.status().as_u16(), content_type, first)
    });
    assert_eq!(status, 200);
    assert_eq!(
        content_type.as_deref(),
        Some("application/vnd.hooklens.relay-stream.v1")
    );
    assert_eq!(first.first(), Some(&1), "a hello frame first");
    // Nothing the refused calls asked for happened: the token is still the only one, active.
    let tokens = api.get("/api/v1/relay/tokens");
    let names: Vec<(&str, bool)> = tokens
        .as_array()
        .expect("a list")
        .iter()
        .map(|t| (t["name"].as_str().unwrap_or(""), t["active"] == true))
        .collect();
    assert_eq!(names, [("laptop", true)]);
}
