//! Hostile input: what a broken or malicious sender can throw at the receiver. Each case
//! gets a clear answer, the receiver stays up for the next sender, and nothing is buffered
//! or inflated beyond the body limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::*;
use crate::target::TestTarget;

/// The receiver still captures an ordinary request.
async fn still_up(engine: &TestEngine) {
    let response = engine
        .http
        .post(engine.recv("/still/up"))
        .body("ok")
        .send()
        .await
        .expect("the receiver still answers");
    assert_eq!(response.status(), 200);
}

/// Reads until the end of a response head (or the connection closes); at most 10 s.
async fn read_head(reader: &mut (impl AsyncReadExt + Unpin)) -> String {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match reader.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
            if out.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "an answer within 10 s");
    String::from_utf8_lossy(&out).into_owned()
}

/// Streams up to 1 GiB after `head` while waiting for the answer; returns the answer and
/// how many body bytes had been written when it came.
async fn upload_gib(engine: &TestEngine, head: &[u8], chunked: bool) -> (String, u64) {
    const GIB: u64 = 1 << 30;
    let stream = TcpStream::connect(engine.handle.receiver_addr)
        .await
        .expect("connect");
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head).await.expect("write head");
    let written = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let uploader = {
        let (written, stop) = (written.clone(), stop.clone());
        tokio::spawn(async move {
            let chunk = vec![0u8; 256 << 10];
            let framed: Vec<u8> = if chunked {
                let mut f = format!("{:x}\r\n", chunk.len()).into_bytes();
                f.extend_from_slice(&chunk);
                f.extend_from_slice(b"\r\n");
                f
            } else {
                chunk.clone()
            };
            while !stop.load(Ordering::SeqCst) && written.load(Ordering::SeqCst) < GIB {
                if writer.write_all(&framed).await.is_err() {
                    break; // the receiver closed the connection: refused
                }
                written.fetch_add(chunk.len() as u64, Ordering::SeqCst);
            }
        })
    };
    let answer = read_head(&mut reader).await;
    let at_answer = written.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    let _ = uploader.await;
    (answer, at_answer)
}

#[tokio::test]
async fn a_gib_upload_is_refused_early_without_being_buffered() {
    let engine = TestEngine::start().await; // 64 KiB limit
    for chunked in [false, true] {
        let head: &[u8] = if chunked {
            b"POST /huge HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        } else {
            b"POST /huge HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n"
        };
        let (answer, written) = upload_gib(&engine, head, chunked).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        // Socket buffers hold a few MiB; the engine stopped reading at 64 KiB.
        assert!(
            written < 64 << 20,
            "the answer came after {written} bytes (chunked: {chunked})"
        );
        let stored = engine.stored(&id_from_raw(&answer)).await;
        assert_eq!(stored["body_state"], "too_large");
        assert!(body_bytes(&stored).is_empty(), "nothing of it is kept");
        if !chunked {
            assert_eq!(stored["size"], 1u64 << 30, "the announced size is recorded");
        }
    }
    still_up(&engine).await;
}

/// A raw POST to `path` with `n` headers besides Host, Content-Length and Connection.
fn many_headers(path: &str, n: usize) -> Vec<u8> {
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: x\r\n").into_bytes();
    for i in 0..n {
        request.extend_from_slice(format!("X-H-{i}: {i}\r\n").as_bytes());
    }
    request.extend_from_slice(b"Connection: close\r\nContent-Length: 2\r\n\r\nok");
    request
}

/// Refusals counted so far, by reason.
async fn refusals(engine: &TestEngine) -> Vec<(String, u64)> {
    let stats = engine.get_json("/api/v1/stats?window=15m").await;
    stats["refused"]
        .as_array()
        .expect("refused")
        .iter()
        .map(|r| {
            let label = r["label"].as_str().expect("label").to_string();
            (label, r["total"].as_u64().expect("total"))
        })
        .collect()
}

async fn requests_stored(engine: &TestEngine) -> usize {
    engine.get_json("/api/v1/requests?limit=100").await["items"]
        .as_array()
        .expect("items")
        .len()
}

#[tokio::test]
async fn ten_thousand_headers_get_a_clear_refusal() {
    let engine = TestEngine::start().await;
    let answer = engine.raw(&many_headers("/many-headers", 10_000)).await;
    assert!(
        answer.starts_with("HTTP/1.1 431"),
        "431 Request Header Fields Too Large, not {answer:?}"
    );
    // Refused by the HTTP parser itself, before the router: still counted.
    assert_eq!(refusals(&engine).await, [("headers_too_large".into(), 1)]);
    assert_eq!(requests_stored(&engine).await, 0, "nothing stored");
    still_up(&engine).await;
}

#[tokio::test]
async fn a_few_hundred_headers_are_captured_and_over_a_thousand_refused_with_a_message() {
    let engine = TestEngine::start().await;
    // Well past hyper's default of 100: captured, every header kept.
    let answer = engine.raw(&many_headers("/hundreds", 500)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    let stored = engine.stored(&id_from_raw(&answer)).await;
    assert_eq!(header_values(&stored, "x-h-499"), ["499"]);
    assert_eq!(stored["headers"].as_array().expect("headers").len(), 503);

    // Over the receiver's limit: a 431 that says why, counted, not stored.
    let answer = engine.raw(&many_headers("/too-many", 1_500)).await;
    assert!(answer.starts_with("HTTP/1.1 431"), "{answer:?}");
    let body = answer.split("\r\n\r\n").nth(1).expect("a body");
    let error: Value = serde_json::from_str(body).expect("a JSON error");
    assert_eq!(error["error"]["code"], "too_many_headers");
    let message = error["error"]["message"].as_str().expect("message");
    assert!(
        message.contains("1503 headers") && message.contains("limit of 1000"),
        "{message}"
    );
    assert_eq!(refusals(&engine).await, [("too_many_headers".into(), 1)]);
    assert_eq!(requests_stored(&engine).await, 1, "only the first");
    still_up(&engine).await;
}

#[tokio::test]
async fn invalid_utf8_in_path_and_headers() {
    let engine = TestEngine::start().await;
    // Raw bytes over 0x7F in the request target are not HTTP: refused before capture.
    let answer = engine
        .raw(b"POST /caf\xc3\x28/\xff HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    // Percent-encoded invalid UTF-8 is a valid path: captured as sent.
    let answer = engine
        .raw(b"POST /caf%C3%28/%FF?q=%FF HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    let stored = engine.stored(&id_from_raw(&answer)).await;
    assert_eq!(stored["path"], "/caf%C3%28/%FF");
    assert_eq!(stored["query"], "q=%FF");

    // Header values are bytes: kept byte-exact, shown with U+FFFD in JSON.
    let answer = engine
        .raw(b"POST /bin-header HTTP/1.1\r\nHost: x\r\nX-Bin: a\xff\xfe\x80b\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:?}");
    let id = id_from_raw(&answer);
    let stored = engine.stored(&id).await;
    assert_eq!(
        header_values(&stored, "x-bin"),
        ["a\u{fffd}\u{fffd}\u{fffd}b"]
    );
    // ... and exactly in `headers_base64`, in NDJSON and (as `_valueBase64`) in HAR.
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(b"a\xff\xfe\x80b");
    assert!(
        stored["headers_base64"]
            .as_array()
            .expect("headers_base64")
            .contains(&json!(["x-bin", b64])),
        "{stored}"
    );
    let ndjson = engine
        .request(Method::GET, "/api/v1/export?format=ndjson")
        .await
        .text()
        .await
        .expect("ndjson");
    assert!(ndjson.contains(&b64), "{ndjson}");
    let har: Value = engine
        .request(Method::GET, "/api/v1/export?format=har")
        .await
        .json()
        .await
        .expect("har");
    let exported = har["log"]["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["_id"] == id)
        .expect("exported");
    let header = exported["request"]["headers"]
        .as_array()
        .expect("headers")
        .iter()
        .find(|h| h["name"] == "x-bin")
        .expect("x-bin");
    assert_eq!(header["_valueBase64"], b64);
    // Without binary headers there is no extra field.
    let plain = engine.capture("/plain", "x").await;
    assert!(engine.stored(&plain).await.get("headers_base64").is_none());
    // A header name outside the token characters is not HTTP.
    let answer = engine
        .raw(b"POST /bad-name HTTP/1.1\r\nHost: x\r\nX-B\xffd: 1\r\nContent-Length: 0\r\n\r\n")
        .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer:?}");
    still_up(&engine).await;
}

#[tokio::test]
async fn malformed_chunked_bodies_are_kept_as_incomplete() {
    let engine = TestEngine::start().await;
    for (what, request) in [
        (
            "a chunk size that is not hex",
            &b"POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ngood\r\nzz\r\nbad\r\n0\r\n\r\n"[..],
        ),
        (
            "a chunk size that overflows",
            b"POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ngood\r\nffffffffffffffffff\r\nx\r\n0\r\n\r\n",
        ),
        (
            "a chunk longer than its size",
            b"POST /chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ngoodEXTRA\r\n0\r\n\r\n",
        ),
    ] {
        let answer = engine.raw(request).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{what}: {answer:?}");
        let stored = engine.stored(&id_from_raw(&answer)).await;
        assert_eq!(stored["body_state"], "incomplete", "{what}");
        assert_eq!(stored["body_text"], "good", "{what}: what arrived is kept");
        let note = stored["body_note"].as_str().expect("a reason");
        assert!(note.contains("connection broke"), "{what}: {note}");
    }
    // Content-Length and chunked together (request smuggling): never two requests.
    let answer = engine
        .raw(b"POST /smuggle HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /second HTTP/1.1\r\nHost: x\r\n\r\n")
        .await;
    assert!(
        answer.matches("HTTP/1.1 ").count() <= 1,
        "one answer at most: {answer}"
    );
    let paths: Vec<Value> = engine.get_json("/api/v1/requests").await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["path"].clone())
        .collect();
    assert!(!paths.contains(&json!("/second")), "{paths:?}");
    still_up(&engine).await;
}

#[tokio::test]
async fn slowloris_senders_are_cut_off_and_others_still_get_through() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = TestEngine::start_in(dir, |path| {
        let mut c = config(path);
        c.header_timeout = Duration::from_millis(500);
        c.body_total_timeout = Duration::from_secs(1);
        c
    })
    .await;
    // 200 connections dripping their headers, never finishing them.
    let mut drips = Vec::new();
    for i in 0..200 {
        let mut s = TcpStream::connect(engine.handle.receiver_addr)
            .await
            .expect("connect");
        s.write_all(format!("POST /loris/{i} HTTP/1.1\r\nHost: x\r\nX-A: ").as_bytes())
            .await
            .expect("write");
        drips.push(s);
    }
    still_up(&engine).await;
    // Each is dropped by the header timeout: the read ends without a 2xx.
    for mut s in drips {
        let answer = read_head(&mut s).await;
        assert!(!answer.starts_with("HTTP/1.1 2"), "{answer}");
    }
    // A body dripped a byte at a time never stalls, but the upload time limit ends it.
    let mut s = TcpStream::connect(engine.handle.receiver_addr)
        .await
        .expect("connect");
    s.write_all(b"POST /drip HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n")
        .await
        .expect("write");
    let (mut reader, mut writer) = s.into_split();
    let dripper = tokio::spawn(async move {
        let mut ticker = tokio::time::interval(Duration::from_millis(20));
        loop {
            ticker.tick().await;
            if writer.write_all(b"x").await.is_err() {
                break;
            }
        }
    });
    let answer = read_head(&mut reader).await;
    dripper.abort();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    let stored = engine.stored(&id_from_raw(&answer)).await;
    assert_eq!(stored["body_state"], "incomplete");
    assert!(
        stored["body_note"]
            .as_str()
            .is_some_and(|n| n.contains("upload time limit")),
        "{stored}"
    );
    assert!(stored["size"].as_u64().expect("size") > 0);
    still_up(&engine).await;
}

/// 10 GiB of zeros, gzip-compressed: about 10 MiB on the wire. Built from one 1 MiB
/// deflate segment ending in a full flush (so it stands alone) repeated 10,240 times,
/// then an empty final block. The trailer's CRC is not computed (it does not matter to an
/// inflater, which has expanded everything before it reads the trailer).
fn gzip_bomb() -> Vec<u8> {
    // `compress_vec` writes into spare capacity only.
    let mut segment = Vec::with_capacity(1 << 20);
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    deflate
        .compress_vec(
            &vec![0u8; 1 << 20],
            &mut segment,
            flate2::FlushCompress::Full,
        )
        .expect("deflate");
    assert_eq!(deflate.total_in(), 1 << 20, "all of the MiB went in");
    let mut bomb = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];
    for _ in 0..10_240 {
        bomb.extend_from_slice(&segment);
    }
    bomb.extend_from_slice(&[0x03, 0x00]); // final, empty, fixed-Huffman block
    bomb.extend_from_slice(&[0, 0, 0, 0]); // CRC32 (not computed)
    bomb.extend_from_slice(&0u32.to_le_bytes()); // ISIZE: 10 GiB mod 2^32
    bomb
}

#[tokio::test]
async fn a_gzip_bomb_is_stored_and_forwarded_as_received_never_inflated() {
    let bomb = gzip_bomb();
    assert!(bomb.len() < 16 << 20, "{} bytes", bomb.len());
    // It is a real bomb: the first MiB inflates to zeros.
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(
        &mut std::io::Read::take(flate2::read::GzDecoder::new(&bomb[..]), 1 << 20),
        &mut inflated,
    )
    .expect("inflate a little");
    assert!(
        inflated.len() == 1 << 20 && inflated.iter().all(|b| *b == 0),
        "the bomb inflates to zeros ({} bytes)",
        inflated.len()
    );

    let mut service = TestTarget::start().await;
    let url = service.url("");
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.max_body = 16 << 20;
        c.forward_to = vec![hooklens_store::ForwardTarget {
            url,
            path: hooklens_store::PathMode::Keep,
            headers: Vec::new(),
            resign: None,
        }];
        c
    })
    .await;
    let response = engine
        .http
        .post(engine.recv("/bomb"))
        .header("content-encoding", "gzip")
        .header("content-type", "application/json")
        .body(bomb.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 200);
    let id = id_header(&response);
    let stored = engine.stored(&id).await;
    assert_eq!(stored["size"], bomb.len());
    assert_eq!(header_values(&stored, "content-encoding"), ["gzip"]);
    assert!(body_bytes(&stored) == bomb, "stored as received");

    // The raw body comes back as the compressed bytes, never marked for a browser to
    // inflate.
    let raw = engine
        .request(Method::GET, &format!("/api/v1/requests/{id}/body"))
        .await;
    assert!(raw.headers().get("content-encoding").is_none());
    assert!(
        raw.bytes().await.expect("body") == bomb,
        "served as received"
    );

    // HAR and NDJSON carry the compressed bytes.
    let har: Value = engine
        .request(Method::GET, "/api/v1/export?format=har")
        .await
        .json()
        .await
        .expect("har");
    let post = &har["log"]["entries"][0]["request"]["postData"];
    assert_eq!(post["encoding"], "base64");
    use base64::Engine as _;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(post["text"].as_str().expect("text"))
        .expect("base64");
    assert!(decoded == bomb, "HAR carries the compressed bytes");
    let ndjson = engine
        .request(Method::GET, "/api/v1/export?format=ndjson")
        .await
        .text()
        .await
        .expect("ndjson");
    let line: Value = serde_json::from_str(ndjson.lines().next().expect("a line")).expect("json");
    assert!(
        body_bytes(&line) == bomb,
        "NDJSON carries the compressed bytes"
    );

    // Forwarded as received.
    let received = service.next().await;
    assert_eq!(received.header("content-encoding"), ["gzip"]);
    assert!(received.body == bomb, "forwarded as received");
    still_up(&engine).await;
}

/// `[[[[…]]]]`, `depth` levels.
fn nested(depth: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(depth * 2);
    body.resize(depth, b'[');
    body.resize(depth * 2, b']');
    body
}

#[tokio::test]
async fn deeply_nested_json_does_not_overflow_anything() {
    let dir = tempfile::tempdir().expect("tempdir");
    let engine = TestEngine::start_in(dir, |path| {
        let mut c = config(path);
        c.max_body = 1 << 20;
        c
    })
    .await;
    // A signature check and a rule reading the JSON body.
    let created = engine
        .call(Method::POST, "/api/v1/endpoints")
        .json(&json!({"name": "deep", "path": "/deep",
            "signature": {"scheme": "github", "secrets": ["s3cret-s3cret"]}}))
        .send()
        .await
        .expect("create endpoint");
    assert_eq!(created.status(), 201);
    let rule = engine
        .call(Method::POST, "/api/v1/rules")
        .json(&json!({"name": "deep json",
            "conditions": [{"field": "json:0.0.0.0", "op": "exists"}],
            "actions": [{"type": "tag", "tag": "deep"},
                {"type": "notify", "title": "{{json:0.0}}", "body": "{{json:/0/0/0}}"}]}))
        .send()
        .await
        .expect("create rule");
    assert_eq!(rule.status(), 201);

    let body = nested(100_000);
    let mut object = Vec::new();
    for _ in 0..50_000 {
        object.extend_from_slice(b"{\"a\":");
    }
    object.push(b'1');
    object.resize(object.len() + 50_000, b'}');
    let mut ids = Vec::new();
    for (path, body) in [
        ("/deep/array", body.clone()),
        ("/deep/object", object.clone()),
    ] {
        let response = engine
            .http
            .post(engine.recv(path))
            .header("content-type", "application/json")
            .header("x-github-event", "push")
            .header("x-hub-signature-256", "sha256=00")
            .body(body.clone())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200, "{path}");
        let id = id_header(&response);
        let stored = engine.stored(&id).await;
        assert!(body_bytes(&stored) == body, "{path}: stored byte-exact");
        assert_eq!(stored["signature"]["status"], "invalid", "{path}");
        assert_eq!(stored["provider"], "github", "{path}");
        // Too deep to parse as JSON, so the JSON condition does not match.
        assert_eq!(stored["tags"], json!([]), "{path}");
        ids.push(id);
    }
    for format in ["har", "ndjson"] {
        let export = engine
            .request(Method::GET, &format!("/api/v1/export?format={format}"))
            .await;
        assert_eq!(export.status(), 200, "{format}");
        let text = export.text().await.expect("export");
        assert!(text.len() > body.len() + object.len(), "{format}");
    }
    let list = engine.get_json("/api/v1/requests?q=deep").await;
    assert!(list["items"].is_array());

    // The API refuses JSON nested that deep, with a clear error, and keeps serving.
    let mut deep_rule = b"{\"name\":\"x\",\"conditions\":".to_vec();
    deep_rule.extend_from_slice(&nested(100_000));
    deep_rule.extend_from_slice(b",\"actions\":[]}");
    let refused = engine
        .call(Method::POST, "/api/v1/rules")
        .header("content-type", "application/json")
        .body(deep_rule)
        .send()
        .await
        .expect("post");
    assert_eq!(refused.status(), 400);
    let error: Value = refused.json().await.expect("error json");
    assert_eq!(error["error"]["code"], "invalid", "{error}");
    let ids_now: Vec<String> = engine.get_json("/api/v1/requests").await["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["id"].as_str().map(str::to_string))
        .collect();
    for id in ids {
        assert!(ids_now.contains(&id));
    }
    still_up(&engine).await;
}
