//! The store's behaviour through its public API, on both backends (see `both!`): the
//! writer and group commit, the idle indexer, close and reopen, delivery leases.

use hooklens_store::{Store, StoreError};

use crate::db::Db;
use crate::{both, capture, delivery, until_found};

both! {
    async fn concurrent_inserts_all_commit_and_the_index_catches_up(db: Db) {
        let store = db.open().await;
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
}

/// Under a storm that never lets the writer pause, the WAL stays bounded: once it holds
/// `WAL_CHECKPOINT_MIB`, the writer checkpoints between two commits and starts it over. The
/// storm is measured in bytes (three times the bound), not in time, so a slow machine writes
/// the same amount. The WAL file never shrinks below its largest size while it stays under
/// `journal_size_limit` (64 MiB), so its size after the storm is its peak.
#[test]
fn the_wal_stays_bounded_under_a_sustained_storm() {
    crate::block_on_alone(async {
        // What the tests before wrote (PostgreSQL's server above all, which never syncs) is
        // flushed first: the kernel flushing it during the storm would make this store's
        // checkpoints wait behind it, and the WAL grow meanwhile.
        let synced = std::process::Command::new("sync").status().expect("sync");
        assert!(synced.success());
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
    })
}

both! {
    async fn a_failing_job_does_not_take_its_batch_with_it(db: Db) {
        let store = db.open().await;
        let (a, dup, b) = tokio::join!(
            store.insert_request(capture("same", "1")),
            store.insert_request(capture("same", "2")),
            store.insert_request(capture("other", "3")),
        );
        assert!(a.is_ok() && b.is_ok());
        assert!(
            matches!(dup, Err(StoreError::Sql(_) | StoreError::Postgres(_))),
            "{dup:?}"
        );
        assert_eq!(store.count_requests().await.expect("count"), 2);
    }
}

both! {
    async fn data_survives_close_and_reopen_and_writes_after_close_fail(db: Db) {
        let store = db.open().await;
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

        let store = db.open().await;
        let got = store.get_request("kept").await.expect("still there");
        assert_eq!(got.body.as_deref(), Some(&b"reopened body"[..]));
        // The index persisted too, or is rebuilt from the watermark.
        until_found(&store, "reopened", 1).await;
    }
}

#[test]
fn an_unusable_data_dir_names_itself() {
    crate::block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("file");
        std::fs::write(&file, "x").expect("write");
        let err = Store::open(&file.join("sub")).err().expect("refused");
        let message = err.to_string();
        assert!(
            message.contains("sub") && message.contains("--data-dir"),
            "{message}"
        );
    })
}

both! {
    async fn leases_take_what_each_target_may_and_hand_out_each_due_delivery_once(db: Db) {
        let store = db.open().await;
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
}

both! {
    async fn a_restart_releases_leases_and_keeps_scheduled_retries(db: Db) {
        let store = db.open().await;
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
        let store = db.open().await;
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
}

both! {
    async fn counting_since_a_time_counts_only_later_requests(db: Db) {
        let store = db.open().await;
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
}

both! {
    async fn connect_opens_the_database_the_configuration_names(db: Db) {
        let (store, want) = match &db {
            Db::Sqlite(dir) => (
                Store::connect(dir.path(), None).await.expect("sqlite"),
                format!("SQLite {}", dir.path().join(hooklens_store::DB_FILE).display()),
            ),
            Db::Postgres(url) => {
                // The data directory is not where a PostgreSQL store keeps anything.
                let unused = std::path::Path::new("/nonexistent/hooklens");
                let store = Store::connect(unused, Some(url)).await.expect("postgres");
                let name = url.rsplit('/').next().expect("a database name");
                (store, format!("PostgreSQL {}:5432/{name}", url_host(url)))
            }
        };
        assert_eq!(store.location(), want);
        store.close().await.expect("close");
    }
}

/// The host of a test URL (a socket directory, percent-encoded).
fn url_host(url: &str) -> String {
    let host = url
        .split('@')
        .nth(1)
        .and_then(|h| h.split(':').next())
        .expect("host");
    host.replace("%2F", "/")
}
