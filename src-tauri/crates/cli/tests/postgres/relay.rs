//! A relay of two `hooklens serve` instances on one PostgreSQL database, and a subscriber
//! that stores what it mirrors in PostgreSQL too: captures made by the instance the
//! subscriber is not attached to reach it, and a subscriber killed and started again
//! catches up from the cursor it keeps in its database, each capture once.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use super::database;
use super::serve::Serve;

const BIN: &str = env!("CARGO_BIN_EXE_hooklens");

/// `hooklens relay token create NAME --database URL`: the secret it prints.
fn relay_token(database: &str, data_dir: &Path, name: &str) -> String {
    let out = Command::new(BIN)
        .args(["relay", "token", "create", name, "--database", database])
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .expect("run hooklens relay token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// The newest 1,000 requests `serve` lists.
async fn items(serve: &Serve, client: &reqwest::Client) -> Vec<Value> {
    let page = serve.get(client, "/api/v1/requests?limit=1000").await;
    page["items"].as_array().expect("items").clone()
}

/// Looks at `serve`'s list each time a little later until it holds every id of `want`;
/// fails after 30 s. (The subscriber's live stream cannot serve here: what it mirrors while
/// starting is stored before a stream could be opened.)
async fn until_listed(serve: &Serve, client: &reqwest::Client, want: &HashSet<String>) {
    let all = async {
        let mut pause = Duration::from_millis(20);
        loop {
            let listed = serve.listed(client).await;
            if want.iter().all(|id| listed.contains(id)) {
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(500));
        }
    };
    tokio::time::timeout(Duration::from_secs(30), all)
        .await
        .expect("the subscriber mirrored every capture");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscriber_on_postgresql_mirrors_a_relay_once_across_a_restart() {
    let client = reqwest::Client::new();
    let relay_db = database();
    let tokens_dir = tempfile::tempdir().expect("tempdir");
    let token = relay_token(&relay_db, tokens_dir.path(), "laptop");
    let a = Serve::start(
        &relay_db,
        &["--relay-listen", "127.0.0.1:0", "--relay-heartbeat", "1s"],
    );
    let b = Serve::start(&relay_db, &[]);
    let relay_url = a.relay.clone().expect("A serves the relay stream");

    let subscriber_db = database();
    let subscribe = ["--relay-from", relay_url.as_str(), "--relay-token", &token];
    let mut subscriber = Serve::start(&subscriber_db, &subscribe);
    let mut sent = HashSet::new();
    for i in 0..20 {
        sent.insert(
            b.post(&client, &format!("/on-b/{i}"))
                .await
                .expect("stored"),
        );
    }
    for i in 0..5 {
        sent.insert(
            a.post(&client, &format!("/on-a/{i}"))
                .await
                .expect("stored"),
        );
    }
    until_listed(&subscriber, &client, &sent).await;

    // Killed: what it mirrored and its cursor were committed together, or not at all.
    subscriber.kill();
    for i in 0..20 {
        sent.insert(
            b.post(&client, &format!("/while-away/{i}"))
                .await
                .expect("stored"),
        );
    }
    let subscriber = Serve::start(&subscriber_db, &subscribe);
    until_listed(&subscriber, &client, &sent).await;

    let mirrored = items(&subscriber, &client).await;
    assert_eq!(mirrored.len(), sent.len(), "each capture stored once");
    for request in &mirrored {
        assert_eq!(request["via"], "relay", "{request}");
    }
    // The relay's own instances list what either captured, not the mirrored copies.
    assert_eq!(items(&b, &client).await.len(), sent.len());
}
