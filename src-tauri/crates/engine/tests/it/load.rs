use std::collections::HashSet;

use serde_json::Value;

use crate::helpers::*;

/// 5,000 requests at once: every one is answered 2xx and every one is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_concurrent_requests_are_all_stored() {
    const N: usize = 5_000;
    let engine = TestEngine::start().await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(512)
        .build()
        .expect("client");
    let sends = (0..N).map(|i| {
        let client = client.clone();
        let url = engine.recv(&format!("/load/{i}"));
        tokio::spawn(async move {
            let response = client
                .post(url)
                .header("content-type", "application/json")
                .body(format!(r#"{{"n":{i}}}"#))
                .send()
                .await
                .expect("send");
            assert!(response.status().is_success(), "{}", response.status());
            let answer: Value = response.json().await.expect("json");
            answer["id"].as_str().expect("id").to_string()
        })
    });
    let ids: HashSet<String> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .map(|r| r.expect("task"))
        .collect();
    assert_eq!(ids.len(), N, "every answer names its own request");
    assert_eq!(
        engine.handle.store().count_requests().await.expect("count"),
        N as u64
    );
    let status = engine.get_json("/api/v1/status").await;
    assert_eq!(status["requests"], N);
}
