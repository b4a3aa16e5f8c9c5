use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use crate::helpers::*;

#[tokio::test]
async fn binary_body_is_stored_byte_exact() {
    let engine = TestEngine::start().await;
    let body: Vec<u8> = (0..=255u8).cycle().take(40_000).collect();
    let response = engine
        .http
        .post(engine.recv("/bin?x=%00"))
        .header("content-type", "application/octet-stream")
        .body(body.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    let id = answer["id"].as_str().expect("id in the answer");
    let stored = engine.stored(id).await;
    assert_eq!(body_bytes(&stored), body);
    assert_eq!(stored["size"], 40_000);
    assert_eq!(stored["body_text"], Value::Null, "not UTF-8");
    assert_eq!(stored["query"], "x=%00");
    let raw = engine
        .request(reqwest::Method::GET, &format!("/api/v1/requests/{id}/body"))
        .await;
    assert_eq!(raw.headers()["content-type"], "application/octet-stream");
    assert_eq!(raw.bytes().await.expect("bytes").as_ref(), &body[..]);
}

#[tokio::test]
async fn multipart_body_is_stored_byte_exact() {
    let engine = TestEngine::start().await;
    let mut body = Vec::new();
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n",
    );
    body.extend_from_slice(
        b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\
          Content-Type: image/png\r\n\r\n",
    );
    body.extend_from_slice(&[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0xff]);
    body.extend_from_slice(b"\r\n--XyZ--\r\n");
    let answer: Value = engine
        .http
        .post(engine.recv("/upload"))
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body.clone())
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let stored = engine.stored(answer["id"].as_str().expect("id")).await;
    assert_eq!(body_bytes(&stored), body);
    assert_eq!(stored["content_type"], "multipart/form-data; boundary=XyZ");
}

#[tokio::test]
async fn duplicate_headers_are_kept_in_order() {
    let engine = TestEngine::start().await;
    let response = engine
        .raw(
            b"POST /hook HTTP/1.1\r\nHost: example.test\r\nX-Dup: first\r\n\
              X-Other: o\r\nX-Dup: second\r\nX-Dup: third\r\nContent-Length: 2\r\n\
              Connection: close\r\n\r\nok",
        )
        .await;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let stored = engine.stored(&id_from_raw(&response)).await;
    assert_eq!(
        header_values(&stored, "x-dup"),
        ["first", "second", "third"]
    );
    assert_eq!(header_values(&stored, "host"), ["example.test"]);
    assert_eq!(stored["body_text"], "ok");
}

#[tokio::test]
async fn every_method_on_every_path_is_captured() {
    let engine = TestEngine::start().await;
    for (method, path) in [
        ("GET", "/"),
        ("PUT", "/a/b/c"),
        ("PATCH", "/deep/%F0%9F%98%80/x"),
        ("DELETE", "/items/1?force=true&force=false"),
        ("OPTIONS", "/cors"),
        ("PURGE", "/cache"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let response = engine
            .http
            .request(method.clone(), engine.recv(path))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "{method} {path}");
        let id = id_header(&response);
        let stored = engine.stored(&id).await;
        assert_eq!(stored["method"], method.as_str());
        let (want_path, want_query) = path.split_once('?').unwrap_or((path, ""));
        assert_eq!(stored["path"], want_path);
        assert_eq!(stored["query"].as_str().unwrap_or(""), want_query);
        assert_eq!(stored["endpoint"], "default");
        assert!(
            stored["remote_addr"]
                .as_str()
                .is_some_and(|a| a.starts_with("127.0.0.1:"))
        );
    }
}

#[tokio::test]
async fn the_receiver_captures_api_paths_as_ordinary_requests() {
    let engine = TestEngine::start().await;
    let response = engine
        .http
        .get(engine.recv("/api/v1/health"))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["ok"], true, "the receiver's answer, not the API's");
    assert!(answer.get("status").is_none());
    let stored = engine.stored(answer["id"].as_str().expect("id")).await;
    assert_eq!(stored["path"], "/api/v1/health");
    // And the receiver does not serve the API even with the token.
    let response = engine
        .http
        .get(engine.recv("/api/v1/requests"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .expect("send");
    let answer: Value = response.json().await.expect("json");
    assert!(answer.get("items").is_none(), "{answer}");
}

#[tokio::test]
async fn an_announced_oversized_body_gets_413_and_is_recorded() {
    let engine = TestEngine::start().await;
    let body = vec![b'a'; (64 << 10) + 1];
    let response = engine
        .http
        .post(engine.recv("/too/big"))
        .header("x-provider", "kept")
        .body(body)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 413);
    let id = id_header(&response);
    let answer: Value = response.json().await.expect("json");
    let message = answer["error"]["message"].as_str().expect("message");
    assert_eq!(answer["error"]["code"], "body_too_large");
    assert!(message.contains("64 KiB body limit"), "{message}");
    assert!(message.contains("--max-body"), "{message}");
    let stored = engine.stored(&id).await;
    assert_eq!(stored["body_state"], "too_large");
    assert_eq!(stored["size"], (64 << 10) + 1);
    assert_eq!(stored["response_status"], 413);
    assert_eq!(header_values(&stored, "x-provider"), ["kept"]);
    assert!(body_bytes(&stored).is_empty());
}

#[tokio::test]
async fn a_chunked_oversized_body_gets_413_and_is_recorded() {
    let engine = TestEngine::start().await;
    let mut request =
        b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..20 {
        request.extend_from_slice(b"1000\r\n");
        request.extend_from_slice(&[b'z'; 0x1000]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let response = engine.raw(&request).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    let stored = engine.stored(&id_from_raw(&response)).await;
    assert_eq!(stored["body_state"], "too_large");
    assert!(stored["size"].as_u64().expect("size") > 64 << 10);
    assert!(
        stored["body_note"]
            .as_str()
            .is_some_and(|n| n.contains("more than"))
    );
}

#[tokio::test]
async fn a_stalled_body_is_stored_as_incomplete_with_408() {
    let engine = TestEngine::start().await;
    let mut stream = tokio::net::TcpStream::connect(engine.handle.receiver_addr)
        .await
        .expect("connect");
    stream
        .write_all(b"POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
        .await
        .expect("write");
    // Keep the socket open without sending more; the engine's stall timeout answers.
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        use tokio::io::AsyncReadExt;
        let mut buf = [0u8; 4096];
        loop {
            let n = stream.read(&mut buf).await.expect("read");
            out.extend_from_slice(&buf[..n]);
            if n == 0 || out.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the engine answers a stalled upload");
    let response = String::from_utf8_lossy(&out).into_owned();
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    let stored = engine.stored(&id_from_raw(&response)).await;
    assert_eq!(stored["body_state"], "incomplete");
    assert_eq!(stored["body_text"], "partial");
    assert!(
        stored["body_note"]
            .as_str()
            .is_some_and(|n| n.contains("stopped sending"))
    );
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_dropped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = TestEngine::start_in(dir, |path| {
        let mut c = config(path);
        c.header_timeout = Duration::from_millis(300);
        c
    })
    .await;
    // Without the header timeout this read would hang until the test's 10 s limit.
    let response = engine
        .raw(b"POST /slowloris HTTP/1.1\r\nHost: x\r\nX-Drip: 1")
        .await;
    assert!(!response.starts_with("HTTP/1.1 2"), "{response}");
    let page = engine.get_json("/api/v1/requests").await;
    assert_eq!(
        page["items"],
        serde_json::json!([]),
        "no half request stored"
    );
}

#[tokio::test]
async fn garbage_and_half_open_connections_do_not_hurt_the_receiver() {
    let engine = TestEngine::start().await;
    let response = engine.raw(b"\x16\x03\x01 this is not http\r\n\r\n").await;
    assert!(
        response.is_empty() || response.starts_with("HTTP/1.1 400"),
        "{response}"
    );
    let idle = tokio::net::TcpStream::connect(engine.handle.receiver_addr)
        .await
        .expect("connect");
    let response = engine
        .http
        .post(engine.recv("/still/alive"))
        .body("yes")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    drop(idle);
}

#[tokio::test]
async fn endpoints_answer_with_their_configured_response() {
    let engine = TestEngine::start().await;
    let created = engine
        .call(reqwest::Method::POST, "/api/v1/endpoints")
        .json(&json!({
            "name": "stripe",
            "path": "/stripe",
            "response": {
                "status": 202,
                "headers": [["x-custom", "yes"]],
                "body": "got {{method}} {{path}} as {{id}}",
                "delay_ms": 150
            }
        }))
        .send()
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let started = Instant::now();
    let response = engine
        .http
        .post(engine.recv("/stripe/webhooks?x=1"))
        .body("{}")
        .send()
        .await
        .expect("send");
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "the delay applies"
    );
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["x-custom"], "yes");
    let id = id_header(&response);
    let body = response.text().await.expect("text");
    assert_eq!(body, format!("got POST /stripe/webhooks as {id}"));
    let stored = engine.stored(&id).await;
    assert_eq!(stored["endpoint"], "stripe");
    assert_eq!(stored["response_status"], 202);

    let other: Value = engine
        .http
        .post(engine.recv("/stripes"))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("default answer");
    let stored = engine.stored(other["id"].as_str().expect("id")).await;
    assert_eq!(stored["endpoint"], "default");
}

#[tokio::test]
async fn everything_is_still_there_after_a_restart() {
    let engine = TestEngine::start().await;
    let mut ids = Vec::new();
    for i in 0..3u8 {
        let answer: Value = engine
            .http
            .post(engine.recv(&format!("/r/{i}")))
            .body(vec![i, 0, 255])
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        ids.push(answer["id"].as_str().expect("id").to_string());
    }
    engine
        .request(
            reqwest::Method::POST,
            &format!("/api/v1/requests/{}/pin", ids[0]),
        )
        .await;
    let engine = engine.restart().await;
    let page = engine.get_json("/api/v1/requests").await;
    let listed: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed, [&ids[2], &ids[1], &ids[0]]);
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(body_bytes(&engine.stored(id).await), vec![i as u8, 0, 255]);
    }
    assert_eq!(engine.stored(&ids[0]).await["pinned"], true);
}
