//! Store integration tests on a real SQLite file: the writer thread, group commit, the idle
//! indexer, close and reopen.

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
        },
        body: body.as_bytes().to_vec(),
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
