//! Store integration tests on a real SQLite file: the writer thread, group commit, the idle
//! indexer, close and reopen; upgrades from an older Hooklens (`upgrade`); imports and
//! blocked deliveries (`imports`).

mod imports;
mod upgrade;

use std::time::Duration;

use hooklens_store::{BodyState, Capture, RequestFilter, RequestMeta, Store, StoreError};

fn capture(id: &str, body: &str) -> Capture {
    Capture {
        meta: RequestMeta {
            id: id.into(),
            received_at_us: hooklens_store::now_us(),
            duration_us: 1,
            endpoint_id: None,
            endpoint_name: "default".into(),
            method: "POST".into(),
            path: format!("/storm/{id}"),
            query: None,
            http_version: "HTTP/1.1".into(),
            remote_addr: None,
            headers: vec![("content-type".into(), b"application/json".to_vec())],
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
        },
        body: body.as_bytes().to_vec(),
        pinned: false,
        deliveries: Vec::new(),
    }
}

async fn search(store: &Store, q: &str) -> Vec<String> {
    store
        .list_requests(RequestFilter {
            q: Some(q.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|r| r.meta.id)
        .collect()
}

/// Polls `search` until it returns `want` hits; fails after 10 s.
async fn until_found(store: &Store, q: &str, want: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut pause = Duration::from_millis(5);
        while search(store, q).await.len() != want {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("search for {q:?} never found {want}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_inserts_all_commit_and_the_index_catches_up() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..64 {
        let store = store.clone();
        tasks.spawn(async move {
            for i in 0..50 {
                let body = format!(r#"{{"kind":"stormword","n":"t{t}i{i}"}}"#);
                store
                    .insert_request(capture(&format!("{t:02}-{i:02}"), &body))
                    .await
                    .expect("committed");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    assert_eq!(store.count_requests().await.expect("count"), 3200);
    // The index is filled off the write path; once the storm is over it catches up.
    until_found(&store, "stormword", 1000).await;
    until_found(&store, "t0i0", 1).await;
    until_found(&store, "t63i49", 1).await;
    store.close().await.expect("close");
}

/// Under a storm that never lets the writer pause, the WAL stays bounded: once it holds
/// `WAL_CHECKPOINT_MIB`, the writer checkpoints between two commits and starts it over. The
/// storm is measured in bytes (three times the bound), not in time, so a slow machine writes
/// the same amount. The WAL file never shrinks below its largest size while it stays under
/// `journal_size_limit` (64 MiB), so its size after the storm is its peak.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_wal_stays_bounded_under_a_sustained_storm() {
    const TASKS: usize = 64;
    const BODY: usize = 16 << 10;
    let bound = hooklens_store::WAL_CHECKPOINT_MIB << 20;
    let per_task = (3 * bound as usize).div_ceil(TASKS * BODY);
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let mut tasks = tokio::task::JoinSet::new();
    for t in 0..TASKS {
        let store = store.clone();
        tasks.spawn(async move {
            for i in 0..per_task {
                let body = format!("{t}-{i}-").repeat(BODY / 4)[..BODY].to_string();
                store
                    .insert_request(capture(&format!("{t:02}-{i:04}"), &body))
                    .await
                    .expect("committed");
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("task");
    }
    let wal = std::fs::metadata(dir.path().join(format!("{}-wal", hooklens_store::DB_FILE)))
        .expect("the WAL exists")
        .len();
    let written = (TASKS * per_task * BODY) as u64;
    assert!(
        wal <= bound + bound / 2,
        "WAL is {} MiB after {} MiB of bodies; the writer checkpoints at {} MiB",
        wal >> 20,
        written >> 20,
        bound >> 20
    );
    assert_eq!(
        store.count_requests().await.expect("count"),
        (TASKS * per_task) as u64
    );
    store.close().await.expect("close");
}

#[tokio::test]
async fn a_failing_job_does_not_take_its_batch_with_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let (a, dup, b) = tokio::join!(
        store.insert_request(capture("same", "1")),
        store.insert_request(capture("same", "2")),
        store.insert_request(capture("other", "3")),
    );
    assert!(a.is_ok() && b.is_ok());
    assert!(matches!(dup, Err(StoreError::Sql(_))), "{dup:?}");
    assert_eq!(store.count_requests().await.expect("count"), 2);
}

#[tokio::test]
async fn data_survives_close_and_reopen_and_writes_after_close_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    store
        .insert_request(capture("kept", "reopened body"))
        .await
        .expect("insert");
    store.close().await.expect("close");
    let err = store
        .insert_request(capture("late", "x"))
        .await
        .expect_err("closed");
    assert!(matches!(err, StoreError::Closed(_)), "{err}");

    let store = Store::open(dir.path()).expect("reopen");
    let got = store.get_request("kept").await.expect("still there");
    assert_eq!(got.body.as_deref(), Some(&b"reopened body"[..]));
    // The index persisted too, or is rebuilt from the watermark.
    until_found(&store, "reopened", 1).await;
}

#[tokio::test]
async fn an_unusable_data_dir_names_itself() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    let err = Store::open(&file.join("sub")).err().expect("refused");
    let message = err.to_string();
    assert!(
        message.contains("sub") && message.contains("--data-dir"),
        "{message}"
    );
}

fn delivery(id: &str, target: &str, due: i64) -> hooklens_store::NewDelivery {
    hooklens_store::NewDelivery {
        id: id.into(),
        kind: hooklens_store::DeliveryKind::Auto,
        target: target.into(),
        url: format!("{target}/x"),
        spec: Default::default(),
        next_attempt_at_us: due,
    }
}

#[tokio::test]
async fn leases_take_what_each_target_may_and_hand_out_each_due_delivery_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    // One auto delivery per (request, target): a request each.
    for (id, target, due) in [
        ("a1", "http://a", 100),
        ("a2", "http://a", 100),
        ("b1", "http://b", 100),
        ("c1", "http://c", 100),
        ("c2", "http://c", 100),
        ("later", "http://a", 900),
    ] {
        let mut c = capture(&format!("r-{id}"), "{}");
        c.deliveries = vec![delivery(id, target, due)];
        store.insert_request(c).await.expect("insert");
    }
    let mut twice = capture("r-twice", "{}");
    twice.deliveries = vec![
        delivery("t1", "http://t", 100),
        delivery("t2", "http://t", 100),
    ];
    assert!(
        store.insert_request(twice).await.is_err(),
        "one automatic delivery per request and target"
    );
    assert!(
        store.get_request("r-twice").await.is_err(),
        "and nothing half-stored"
    );
    let ids = |v: Vec<hooklens_store::Delivery>| {
        let mut ids: Vec<String> = v.into_iter().map(|d| d.id).collect();
        ids.sort();
        ids
    };
    let due = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
        v.iter().map(|(t, at)| (t.to_string(), *at)).collect()
    };
    assert_eq!(
        store.due_by_target().await.expect("due"),
        due(&[("http://a", 100), ("http://b", 100), ("http://c", 100)])
    );
    let take = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
        v.iter().map(|(t, n)| (t.to_string(), *n)).collect()
    };
    let leased = store
        .lease_due(200, 10_000, take(&[("http://a", 1), ("http://c", 5)]))
        .await
        .expect("lease");
    assert_eq!(
        ids(leased),
        ["a1", "c1", "c2"],
        "a takes one (the oldest), b none, c what is due"
    );
    let leased = store
        .lease_due(
            200,
            10_000,
            take(&[("http://a", 5), ("http://b", 5), ("http://c", 5)]),
        )
        .await
        .expect("lease");
    assert_eq!(ids(leased), ["a2", "b1"], "what is due and not leased yet");
    let leased = store
        .lease_due(
            200,
            10_000,
            take(&[("http://a", 5), ("http://b", 5), ("http://c", 5)]),
        )
        .await
        .expect("lease");
    assert!(leased.is_empty(), "nothing is handed out twice");
    assert_eq!(
        store.due_by_target().await.expect("due"),
        due(&[
            ("http://a", 900),
            ("http://b", 10_000),
            ("http://c", 10_000)
        ]),
        "a lease counts as due when it ends"
    );
    // A lease that lapses makes the delivery due again (at least once).
    let leased = store
        .lease_due(
            10_000,
            20_000,
            take(&[("http://a", 5), ("http://b", 5), ("http://c", 5)]),
        )
        .await
        .expect("lease");
    assert_eq!(ids(leased), ["a1", "a2", "b1", "c1", "c2", "later"]);
}

#[tokio::test]
async fn a_restart_releases_leases_and_keeps_scheduled_retries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    for (id, target, due) in [
        ("in-flight", "http://a", 100),
        ("retry", "http://b", 5_000),
        ("done", "http://c", 100),
    ] {
        let mut c = capture(&format!("r-{id}"), "{}");
        c.deliveries = vec![delivery(id, target, due)];
        store.insert_request(c).await.expect("insert");
    }
    let all = [
        ("http://a".to_string(), 10),
        ("http://b".to_string(), 10),
        ("http://c".to_string(), 10),
    ];
    let leased = store
        .lease_due(200, 660_000_000, all.to_vec())
        .await
        .expect("lease");
    assert_eq!(
        leased.len(),
        2,
        "the in-flight one and the one about to finish"
    );
    let done = leased.iter().find(|d| d.id == "done").expect("done");
    store
        .record_attempt(
            done.seq,
            hooklens_store::Attempt {
                n: 1,
                started_at_us: 200,
                duration_us: 10,
                status: Some(200),
                response_headers: Vec::new(),
                response_body: Vec::new(),
                response_size: None,
                error_kind: None,
                error: None,
            },
            hooklens_store::AttemptOutcome {
                state: hooklens_store::DeliveryState::Succeeded,
                next_attempt_at_us: None,
                summary: None,
            },
        )
        .await
        .expect("record");
    let pending = vec![
        ("http://a".to_string(), 660_000_000),
        ("http://b".to_string(), 5_000),
    ];
    assert_eq!(store.due_by_target().await.expect("due"), pending);
    store.close().await.expect("close");

    // The process died with its leases: the next one makes them due at once.
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.due_by_target().await.expect("due"), pending);
    assert_eq!(store.release_leases(300).await.expect("release"), 1);
    let leased = store
        .lease_due(300, 660_000_000, all.to_vec())
        .await
        .expect("lease");
    let ids: Vec<String> = leased.into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["in-flight"], "the scheduled retry keeps its time");
    assert_eq!(
        store.due_by_target().await.expect("due"),
        [
            ("http://a".to_string(), 660_000_000),
            ("http://b".to_string(), 5_000)
        ]
    );
}

#[tokio::test]
async fn counting_since_a_time_counts_only_later_requests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path()).expect("open");
    let mut old = capture("old", "1");
    old.meta.received_at_us = 1_000;
    let mut new = capture("new", "2");
    new.meta.received_at_us = 5_000;
    store.insert_request(old).await.expect("insert");
    store.insert_request(new).await.expect("insert");
    assert_eq!(store.count_requests_since(0).await.expect("count"), 2);
    assert_eq!(store.count_requests_since(5_000).await.expect("count"), 1);
    assert_eq!(store.count_requests_since(5_001).await.expect("count"), 0);
}
