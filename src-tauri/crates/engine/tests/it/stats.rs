//! Monitoring: `/api/v1/stats` on a scripted sequence, `/metrics` parsed as Prometheus text,
//! its token, metrics turned off, and the history surviving a restart.

use std::collections::HashMap;
use std::time::Duration;

use hooklens_store::hist::MAX_RELATIVE_ERROR;
use hooklens_store::{ForwardTarget, PathMode, RetryPolicy};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::*;
use crate::target::{Answer, TestTarget};

const FAST: Duration = Duration::from_millis(20);
const SLOW: Duration = Duration::from_millis(80);

/// An engine forwarding everything to `url` with no retries (a failure gives up at once).
async fn engine_to(url: String, tweak: impl FnOnce(&mut hooklens_engine::Config)) -> TestEngine {
    let dir = tempfile::tempdir().expect("tempdir");
    TestEngine::start_in(dir, move |path| {
        let mut c = config(path);
        c.forward_to = vec![ForwardTarget {
            url,
            path: PathMode::Keep,
            headers: Vec::new(),
            resign: None,
        }];
        c.retry = RetryPolicy {
            schedule_ms: Vec::new(),
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        tweak(&mut c);
        c
    })
    .await
}

/// Waits until no delivery is pending and `total` are finished.
async fn all_delivered(engine: &TestEngine, total: usize) -> Vec<Value> {
    eventually(Duration::from_secs(20), || async {
        let page = engine.get_json("/api/v1/deliveries?limit=1000").await;
        let items = page["items"].as_array().expect("items").clone();
        let done = items.len() == total && items.iter().all(|d| d["state"] != "pending");
        done.then_some(items)
    })
    .await
}

/// The exact `q`-quantile of `values` (the value at rank ceil(q × n)).
fn exact_quantile(values: &mut [f64], q: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

/// Sends `fast` requests answered 200 after [`FAST`], `slow` answered 500 after [`SLOW`],
/// and one body over the limit; returns the engine, the target URL and the attempts'
/// stored durations in ms.
async fn scripted(
    target: &TestTarget,
    fast: usize,
    slow: usize,
    tweak: impl FnOnce(&mut hooklens_engine::Config),
) -> (TestEngine, Vec<f64>) {
    let engine = engine_to(target.url(""), tweak).await;
    // The target takes requests in the order they arrive; the script only fixes how many
    // get each answer.
    target.then(
        std::iter::repeat_n(
            Answer {
                delay: FAST,
                ..Answer::status(200)
            },
            fast,
        )
        .chain(std::iter::repeat_n(
            Answer {
                delay: SLOW,
                ..Answer::status(500)
            },
            slow,
        )),
    );
    for i in 0..fast + slow {
        engine.capture(&format!("/hook/{i}"), "{}").await;
    }
    let too_large = engine
        .http
        .post(engine.recv("/hook/big"))
        .body(vec![b'x'; 65 << 10])
        .send()
        .await
        .expect("answers");
    assert_eq!(too_large.status(), 413);
    let deliveries = all_delivered(&engine, fast + slow).await;
    let mut durations = Vec::new();
    for d in &deliveries {
        let id = d["id"].as_str().expect("id");
        let full = engine.get_json(&format!("/api/v1/deliveries/{id}")).await;
        for a in full["attempt_list"].as_array().expect("attempts") {
            durations.push(a["duration_ms"].as_f64().expect("duration"));
        }
    }
    assert_eq!(durations.len(), fast + slow, "one attempt each, no retries");
    (engine, durations)
}

fn sum(v: &Value) -> u64 {
    v.as_array()
        .expect("array")
        .iter()
        .map(|n| n.as_u64().expect("count"))
        .sum()
}

#[tokio::test]
async fn stats_count_a_scripted_sequence() {
    let target = TestTarget::start().await;
    let before = hooklens_store::now_us() / 1_000_000;
    let (engine, mut durations) = scripted(&target, 6, 4, |_| {}).await;
    let after = hooklens_store::now_us() / 1_000_000;
    let stats = engine.get_json("/api/v1/stats?window=15m").await;

    assert_eq!(stats["window"], "15m");
    assert_eq!(stats["step"], 60);
    assert_eq!(stats["recording"], true);
    let timestamps: Vec<i64> = stats["timestamps"]
        .as_array()
        .expect("timestamps")
        .iter()
        .map(|t| t.as_i64().expect("ts"))
        .collect();
    assert_eq!(timestamps.len(), 15);
    assert!(timestamps.iter().all(|t| t % 60 == 0), "aligned to minutes");
    assert!(timestamps.windows(2).all(|w| w[1] - w[0] == 60));
    let last = *timestamps.last().expect("last");
    assert!(last <= after && after < last + 60, "the last bucket is now");
    // Counts land only in the minutes the test ran in.
    let ran = |i: usize| timestamps[i] + 60 > before && timestamps[i] <= after;

    let incoming = stats["incoming"].as_array().expect("incoming");
    assert_eq!(incoming.len(), 1, "{incoming:?}");
    assert_eq!(incoming[0]["label"], "default");
    assert_eq!(incoming[0]["total"], 11);
    let counts = incoming[0]["counts"].as_array().expect("counts");
    assert_eq!(counts.len(), 15);
    assert_eq!(sum(&incoming[0]["counts"]), 11);
    for (i, n) in counts.iter().enumerate() {
        if !ran(i) {
            assert_eq!(n, 0, "bucket {i} is outside the test");
        }
    }
    let refused = stats["refused"].as_array().expect("refused");
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0]["label"], "too_large");
    assert_eq!(refused[0]["total"], 1);

    let url = target.url("");
    let deliveries = stats["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0]["target"], url.as_str());
    assert_eq!(sum(&deliveries[0]["succeeded"]), 6);
    assert_eq!(sum(&deliveries[0]["failed"]), 4);

    let latency = &stats["latency"][0];
    assert_eq!(latency["target"], url.as_str());
    assert_eq!(sum(&latency["attempts"]), 10);
    for (key, q) in [
        ("window_p50_ms", 0.5),
        ("window_p95_ms", 0.95),
        ("window_p99_ms", 0.99),
    ] {
        let got = latency[key].as_f64().expect(key);
        let want = exact_quantile(&mut durations, q);
        assert!(
            (got - want).abs() / want <= MAX_RELATIVE_ERROR + 1e-3,
            "{key}: {got} ms, exact {want} ms"
        );
    }
    // Six answered after 20 ms, four after 80 ms.
    assert!(latency["window_p50_ms"].as_f64().expect("p50") >= FAST.as_millis() as f64 * 0.9);
    assert!(latency["window_p95_ms"].as_f64().expect("p95") >= SLOW.as_millis() as f64 * 0.9);
    // A bucket's percentiles are null exactly where it has no attempt.
    let attempts = latency["attempts"].as_array().expect("attempts");
    for (i, n) in attempts.iter().enumerate() {
        assert_eq!(latency["p99_ms"][i].is_null(), n == 0, "bucket {i}");
    }
    assert!(
        stats["retry_backlog"]
            .as_array()
            .expect("backlog")
            .last()
            .expect("last")
            .is_i64(),
        "the backlog is sampled from the start"
    );

    let bad = engine.request(Method::GET, "/api/v1/stats?window=3w").await;
    assert_eq!(bad.status(), 400);
}

fn parse(text: &str) -> prometheus_parse::Scrape {
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        assert!(
            matches!(
                prometheus_parse::LineInfo::parse(line),
                prometheus_parse::LineInfo::Sample { .. }
            ),
            "not a sample line: {line}"
        );
    }
    prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).expect("parses")
}

/// The value of the sample `metric` whose labels include `labels`.
fn value(scrape: &prometheus_parse::Scrape, metric: &str, labels: &[(&str, &str)]) -> f64 {
    let sample = scrape
        .samples
        .iter()
        .find(|s| s.metric == metric && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)))
        .unwrap_or_else(|| panic!("no {metric} {labels:?}"));
    match &sample.value {
        prometheus_parse::Value::Counter(v)
        | prometheus_parse::Value::Gauge(v)
        | prometheus_parse::Value::Untyped(v) => *v,
        other => panic!("{metric}: {other:?}"),
    }
}

#[tokio::test]
async fn metrics_page_is_prometheus_text_with_the_counts() {
    let target = TestTarget::start().await;
    let (engine, _) = scripted(&target, 3, 2, |_| {}).await;
    let url = target.url("");

    let unauthorised = engine
        .http
        .get(engine.api("/metrics"))
        .send()
        .await
        .expect("answers");
    assert_eq!(
        unauthorised.status(),
        401,
        "the token is required by default"
    );

    let response = engine.request(Method::GET, "/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain; version=0.0.4")
    );
    let text = response.text().await.expect("text");
    let scrape = parse(&text);
    assert_eq!(
        value(
            &scrape,
            "hooklens_requests_total",
            &[("endpoint", "default")]
        ),
        6.0
    );
    assert_eq!(
        value(
            &scrape,
            "hooklens_refused_total",
            &[("reason", "too_large")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &scrape,
            "hooklens_requests_by_signature_total",
            &[("status", "unconfigured")]
        ),
        6.0
    );
    let attempts = |outcome| {
        value(
            &scrape,
            "hooklens_delivery_attempts_total",
            &[("target", &url), ("outcome", outcome)],
        )
    };
    assert_eq!((attempts("ok"), attempts("http_error")), (3.0, 2.0));
    let finished = |state| {
        value(
            &scrape,
            "hooklens_deliveries_finished_total",
            &[("target", &url), ("state", state)],
        )
    };
    assert_eq!((finished("succeeded"), finished("failed")), (3.0, 2.0));
    let count = value(
        &scrape,
        "hooklens_delivery_attempt_duration_seconds_count",
        &[("target", &url)],
    );
    assert_eq!(count, 5.0);
    let histogram = scrape
        .samples
        .iter()
        .find(|s| s.metric == "hooklens_delivery_attempt_duration_seconds")
        .expect("latency histogram");
    let prometheus_parse::Value::Histogram(buckets) = &histogram.value else {
        panic!("not a histogram: {histogram:?}");
    };
    let le = |bound: f64| {
        buckets
            .iter()
            .filter(|b| b.less_than <= bound)
            .map(|b| b.count)
            .fold(0.0, f64::max)
    };
    assert_eq!(le(0.0191), 0.0, "none faster than 20 ms");
    assert_eq!(le(f64::INFINITY), 5.0);
    assert_eq!(
        value(&scrape, "hooklens_target_up", &[("target", &url)]),
        1.0
    );
    let batches = value(&scrape, "hooklens_store_batch_size_count", &[]);
    assert!(batches >= 1.0, "the writer committed batches: {batches}");
    assert!(text.contains("hooklens_store_commit_duration_seconds_bucket"));
    assert!(text.contains("# TYPE hooklens_search_index_lag gauge"));
    assert!(text.contains("# TYPE hooklens_retry_backlog gauge"));
}

#[tokio::test]
async fn metrics_without_token_when_turned_on_and_404_when_off() {
    let open = TestEngine::start_in(tempfile::tempdir().expect("tempdir"), |path| {
        let mut c = config(path);
        c.metrics_without_token = true;
        c
    })
    .await;
    open.capture("/x", "{}").await;
    let page = open
        .http
        .get(open.api("/metrics"))
        .send()
        .await
        .expect("answers");
    assert_eq!(page.status(), 200);
    let scrape = parse(&page.text().await.expect("text"));
    assert_eq!(
        value(
            &scrape,
            "hooklens_requests_total",
            &[("endpoint", "default")]
        ),
        1.0
    );
    // Only /metrics is open; the API still wants the token.
    let api = open
        .http
        .get(open.api("/api/v1/stats"))
        .send()
        .await
        .expect("answers");
    assert_eq!(api.status(), 401);

    let off = TestEngine::start_in(tempfile::tempdir().expect("tempdir"), |path| {
        let mut c = config(path);
        c.metrics = false;
        c
    })
    .await;
    off.capture("/x", "{}").await;
    let page = off.request(Method::GET, "/metrics").await;
    assert_eq!(page.status(), 404);
    let error: Value = page.json().await.expect("json");
    assert!(
        error["error"]["message"]
            .as_str()
            .expect("message")
            .contains("--no-metrics"),
        "{error}"
    );
    let stats = off.get_json("/api/v1/stats?window=15m").await;
    assert_eq!(stats["recording"], false);
    assert_eq!(stats["incoming"], serde_json::json!([]));
}

#[tokio::test]
async fn stats_survive_a_restart() {
    let target = TestTarget::start().await;
    let (engine, _) = scripted(&target, 2, 1, |_| {}).await;
    let engine = engine.restart().await;
    let stats = engine.get_json("/api/v1/stats?window=1h").await;
    assert_eq!(stats["incoming"][0]["total"], 4, "{stats}");
    let deliveries = &stats["deliveries"][0];
    assert_eq!(deliveries["target"], target.url("").as_str());
    assert_eq!(
        (sum(&deliveries["succeeded"]), sum(&deliveries["failed"])),
        (2, 1)
    );
    assert_eq!(sum(&stats["latency"][0]["attempts"]), 3);
    // New traffic adds to the stored minutes.
    engine.capture("/again", "{}").await;
    let stats = engine.get_json("/api/v1/stats?window=7d").await;
    assert_eq!(stats["step"], 3600);
    assert_eq!(stats["timestamps"].as_array().expect("ts").len(), 168);
    let by_label: HashMap<String, u64> = stats["incoming"]
        .as_array()
        .expect("incoming")
        .iter()
        .map(|c| {
            (
                c["label"].as_str().expect("label").to_string(),
                c["total"].as_u64().expect("n"),
            )
        })
        .collect();
    assert_eq!(by_label["default"], 5);
}

#[tokio::test]
async fn a_down_target_shows_as_a_period_and_an_event_streams() {
    // Everything fails: after five failures in a row the target is down.
    let target = TestTarget::start().await;
    target.then(std::iter::repeat_n(Answer::status(503), 5));
    let engine = engine_to(target.url(""), |_| {}).await;
    let mut events = engine.handle.subscribe();
    for i in 0..5 {
        engine.capture(&format!("/fail/{i}"), "{}").await;
    }
    all_delivered(&engine, 5).await;
    let stats = eventually(Duration::from_secs(10), || async {
        let stats = engine.get_json("/api/v1/stats?window=15m").await;
        (!stats["periods"].as_array().expect("periods").is_empty()).then_some(stats)
    })
    .await;
    let period = &stats["periods"][0];
    assert_eq!(period["kind"], "target_down");
    assert_eq!(period["subject"], target.url("").as_str());
    assert!(period["to"].is_null(), "still down");
    assert!(
        period["reason"].as_str().expect("reason").contains("503"),
        "{period}"
    );
    // A stats.updated event follows the traffic.
    let summary = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.recv().await {
                Ok(hooklens_engine::Event::StatsUpdated(s)) if s.attempts_failed == 5 => return s,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(e) => panic!("event stream ended: {e}"),
            }
        }
    })
    .await
    .expect("stats.updated within 10 s");
    assert_eq!(summary.requests, 5);
    assert_eq!(summary.targets_down, 1);
}
