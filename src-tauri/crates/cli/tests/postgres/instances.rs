//! Several instances on one database: each lists and streams live what any captured, and
//! they may start at the same moment.

use std::collections::HashSet;

use hooklens_test_postgres::TestPostgres;

use crate::serve::{Serve, TOKEN, post};
use crate::{database, name_of};

/// Requests sent to both instances at once, 16 senders each, appear in both lists and in
/// both live streams, each exactly once (the stream's own captures from the capture
/// pipeline, the other's from the commits it follows).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_database_show_each_others_captures() {
    let db = database();
    let a = Serve::start(&db, &[]);
    let b = Serve::start(&db, &[]);
    let (mut live_a, mut live_b) = (a.live().await, b.live().await);
    let client = reqwest::Client::new();
    let mut senders = tokio::task::JoinSet::new();
    for n in 0..32 {
        let to = if n % 2 == 0 { &a } else { &b };
        let (client, receiver) = (client.clone(), to.receiver.clone());
        senders.spawn(async move {
            let mut ids = Vec::new();
            for i in 0..10 {
                let path = format!("/both/{n}/{i}");
                ids.push(post(&client, &receiver, &path).await.expect("stored"));
            }
            ids
        });
    }
    let mut sent = HashSet::new();
    while let Some(ids) = senders.join_next().await {
        sent.extend(ids.expect("sender"));
    }
    assert_eq!(sent.len(), 320);
    // One more to each, after the rest: once both are told, anything told twice was too.
    let markers: HashSet<String> = [
        a.post(&client, "/marker/a").await.expect("stored"),
        b.post(&client, "/marker/b").await.expect("stored"),
    ]
    .into();
    let everything: HashSet<String> = sent.union(&markers).cloned().collect();
    for (name, live) in [("A", &mut live_a), ("B", &mut live_b)] {
        let told = live.until_told(&everything).await;
        let once: HashSet<&String> = told.iter().collect();
        assert_eq!(once.len(), told.len(), "{name} told a capture twice");
    }
    for (name, instance) in [("A", &a), ("B", &b)] {
        let listed = instance.listed(&client).await;
        assert!(everything.is_subset(&listed), "{name} lists them all");
    }
}

/// Two instances started at the same moment on an empty database: both start, each
/// migration is applied once, and both serve.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_starting_at_once_apply_each_migration_once() {
    let db = database();
    let (first, first_dir) = Serve::command(&db, &[]);
    let (second, second_dir) = Serve::command(&db, &[]);
    // Both spawned before either is waited for.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Serve::spawn(first, first_dir));
        let b = s.spawn(|| Serve::spawn(second, second_dir));
        (a.join().expect("first"), b.join().expect("second"))
    });
    let applied = TestPostgres::shared().query(
        name_of(&db),
        "SELECT version || ':' || count(*) FROM hooklens_schema GROUP BY version ORDER BY version",
    );
    let want: Vec<String> = (1..=hooklens_store::PG_SCHEMA_VERSION)
        .map(|v| format!("{v}:1"))
        .collect();
    assert_eq!(applied.lines().collect::<Vec<_>>(), want);
    let client = reqwest::Client::new();
    let ids = [
        a.post(&client, "/after/race").await.expect("A serves"),
        b.post(&client, "/after/race").await.expect("B serves"),
    ];
    for id in ids {
        assert!(a.listed(&client).await.contains(&id));
    }
}

/// `hooklens export --database` reads what the instances stored, with no data directory of
/// theirs at hand.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_reads_the_shared_database() {
    let db = database();
    let serve = Serve::start(&db, &[]);
    let client = reqwest::Client::new();
    let mut sent = Vec::new();
    for i in 0..3 {
        sent.push(
            serve
                .post(&client, &format!("/export/{i}"))
                .await
                .expect("stored"),
        );
    }
    let empty = tempfile::tempdir().expect("tempdir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_hooklens"))
        .args([
            "export",
            "--format",
            "ndjson",
            "--database",
            &db,
            "--data-dir",
        ])
        .arg(empty.path())
        .output()
        .expect("run export");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let exported: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("a JSON line");
            v["id"].as_str().expect("id").to_string()
        })
        .collect();
    assert_eq!(exported, sent, "oldest first");
}

/// `GET /api/v1/requests/wait` on one instance answers with a capture made on the other,
/// whether it was stored before the call (`after`) or during it; and with its own (which it
/// announces a moment before the capture has its position).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiter_on_one_instance_gets_what_the_other_captures() {
    let db = database();
    let (a, b) = (Serve::start(&db, &[]), Serve::start(&db, &[]));
    let client = reqwest::Client::new();
    let first = a.post(&client, "/wait/first").await.expect("stored");
    let second = a.post(&client, "/wait/second").await.expect("stored");
    let waited = b
        .get(
            &client,
            &format!("/api/v1/requests/wait?after={first}&timeout_ms=10000"),
        )
        .await;
    assert_eq!(waited["id"], second.as_str(), "stored before the call");

    let waiting = {
        let (client, api) = (client.clone(), b.api.clone());
        tokio::spawn(async move {
            let url =
                format!("{api}/api/v1/requests/wait?after={second}&method=PUT&timeout_ms=20000");
            let answer = client
                .get(url)
                .bearer_auth(TOKEN)
                .send()
                .await
                .expect("waits");
            assert!(answer.status().is_success(), "{}", answer.status());
            answer.json::<serde_json::Value>().await.expect("JSON")
        })
    };
    a.post(&client, "/wait/third")
        .await
        .expect("stored (a POST: not waited for)");
    let put = client
        .put(format!("{}/wait/fourth", a.receiver))
        .body("{}")
        .send()
        .await
        .expect("sent");
    let put: serde_json::Value = put.json().await.expect("JSON");
    let got = waiting.await.expect("the waiter");
    assert_eq!(
        got["id"], put["id"],
        "the PUT captured on A, during the wait on B"
    );
}
