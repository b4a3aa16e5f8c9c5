//! Waiters' looks (`first_request_after`, `last_position`, `position_of`) on both backends:
//! the oldest match past a position, in the order requests committed.

use std::time::Duration;

use hooklens_store::{RequestFilter, Store};

use crate::{both, capture, until_found};

/// Stores `id` with `method` and `body`, and waits until its position is known.
async fn store_one(store: &Store, id: &str, method: &str, body: &str) -> i64 {
    let mut c = capture(id, body);
    c.meta.method = method.into();
    store.insert_request(c).await.expect("insert");
    let position = store.position_of(id).await.expect("position");
    let mut commits = store.watch_commits();
    tokio::time::timeout(
        Duration::from_secs(10),
        commits.wait_for(|p| *p >= position),
    )
    .await
    .expect("announced")
    .expect("open");
    position
}

fn filter(method: Option<&str>, q: Option<&str>) -> RequestFilter {
    RequestFilter {
        method: method.map(str::to_string),
        q: q.map(str::to_string),
        ..Default::default()
    }
}

/// (found id, through).
async fn look(store: &Store, f: &RequestFilter, after: i64) -> (Option<String>, i64) {
    let a = store
        .first_request_after(f.clone(), after)
        .await
        .expect("look");
    assert!(a.found.as_ref().is_none_or(|r| r.body.is_none()), "no body");
    (a.found.map(|r| r.meta.id), a.through)
}

both! {
    async fn a_waiter_finds_the_oldest_match_past_its_position(db: Db) {
        let store = db.open().await;
        let start = store.last_position().await.expect("last");
        assert_eq!(start, 0, "nothing stored yet");
        let mut at = Vec::new();
        for (id, method) in [("id1", "POST"), ("id2", "GET"), ("id3", "POST"), ("id4", "GET")] {
            at.push(store_one(&store, id, method, "{}").await);
        }
        assert!(at.windows(2).all(|w| w[0] < w[1]), "positions grow: {at:?}");
        assert_eq!(store.last_position().await.expect("last"), at[3]);
        let (all, gets) = (RequestFilter::default(), filter(Some("get"), None));
        let id = |s: &str| Some(s.to_string());
        assert_eq!(look(&store, &all, start).await, (id("id1"), at[0]));
        assert_eq!(look(&store, &all, at[1]).await, (id("id3"), at[2]));
        assert_eq!(look(&store, &gets, start).await, (id("id2"), at[1]));
        assert_eq!(look(&store, &gets, at[1]).await, (id("id4"), at[3]));
        assert_eq!(look(&store, &gets, at[3]).await, (None, at[3]), "through the last");
        assert!(matches!(
            store.position_of("nobody").await,
            Err(hooklens_store::StoreError::NotFound(_))
        ));

        // Full text: found once indexed, and never past the index's watermark.
        let paid = store_one(&store, "a5", "POST", r#"{"type":"order.paid"}"#).await;
        until_found(&store, "paid", 1).await;
        let q = filter(None, Some("paid"));
        let a = store.first_request_after(q.clone(), at[3]).await.expect("look");
        assert_eq!((a.found.map(|r| r.meta.id), a.through, a.unindexed), (id("a5"), paid, false));
        store.close().await.expect("close");
    }
}
