//! The stream of captures in commit order (`captures_after`, `watch_commits`), on both
//! backends, and on PostgreSQL with several instances writing at once.

use std::collections::HashSet;
use std::time::Duration;

use hooklens_store::Store;

use crate::db::{Db, connect};
use crate::{both, capture};

/// Reads everything after `cursor` until `want` captures have been read in all, waiting for
/// commits in between; returns `(position, id)` in the order read. Fails after 20 s.
async fn follow(store: &Store, mut cursor: i64, want: usize) -> Vec<(i64, String)> {
    let mut commits = store.watch_commits();
    let mut seen = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), async {
        while seen.len() < want {
            commits.borrow_and_update();
            let page = store.captures_after(cursor, 100).await.expect("read");
            if page.is_empty() {
                commits.changed().await.expect("store open");
                continue;
            }
            for c in page {
                assert!(c.position > cursor, "positions only grow");
                cursor = c.position;
                seen.push((c.position, c.request.meta.id));
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("read {} of {want} captures", seen.len()));
    seen
}

both! {
    async fn captures_follow_each_other_with_their_bodies(db: Db) {
        let store = db.open().await;
        let start = *store.watch_commits().borrow();
        for id in ["a", "b", "c"] {
            store.insert_request(capture(id, &format!("body {id}"))).await.expect("insert");
        }
        // Committed when insert_request returns; numbered by then on SQLite, a moment later
        // on PostgreSQL (its sequencer runs after the commit): the watch says when.
        let mut commits = store.watch_commits();
        tokio::time::timeout(Duration::from_secs(5), commits.wait_for(|p| *p >= start + 3))
            .await
            .expect("announced")
            .expect("open");
        let all = store.captures_after(start, 10).await.expect("read");
        let ids: Vec<&str> = all.iter().map(|c| c.request.meta.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert_eq!(all[1].request.body.as_deref(), Some(&b"body b"[..]));
        let positions: Vec<i64> = all.iter().map(|c| c.position).collect();
        assert_eq!(positions, [start + 1, start + 2, start + 3], "dense, in order");
        let rest = store.captures_after(positions[0], 1).await.expect("read");
        assert_eq!(rest.len(), 1, "a limit");
        assert_eq!(rest[0].request.meta.id, "b");
        // A deleted capture leaves a gap; later ones keep their positions.
        store.delete_request("b").await.expect("delete");
        let after = store.captures_after(start, 10).await.expect("read");
        let positions: Vec<i64> = after.iter().map(|c| c.position).collect();
        assert_eq!(positions, [start + 1, start + 3]);
    }
}

both! {
    async fn a_failed_capture_takes_no_position(db: Db) {
        let store = db.open().await;
        store.insert_request(capture("one", "1")).await.expect("insert");
        assert!(store.insert_request(capture("one", "again")).await.is_err());
        store.insert_request(capture("two", "2")).await.expect("insert");
        let seen = follow(&store, 0, 2).await;
        assert_eq!(seen, [(1, "one".to_string()), (2, "two".to_string())]);
    }
}

/// Two instances (two pools, two sequencers, two listeners) on one database, 16 writers
/// each, and a reader on a third that follows its cursor: every capture read exactly once,
/// at dense, growing positions. One capture's transaction is held open by hand while the
/// others commit (the classic trap: its `seq` is below theirs, so ordered by `seq` it would
/// land behind a cursor already past it); the reader still gets it, after them.
#[test]
fn a_reader_following_two_instances_never_skips_nor_repeats() {
    crate::block_on(async {
        const WRITERS: usize = 16;
        const EACH: usize = 40;
        let db = Db::postgres().await;
        let (a, b, reader) = (db.open().await, db.open().await, db.open().await);

        // A capture that takes its `seq` now and commits last.
        let mut late = connect(db.url()).await;
        let tx = late.transaction().await.expect("begin");
        let late_seq: i64 = tx
            .query_one(
                "WITH r AS (
                     INSERT INTO requests (id, received_at_us, duration_us, endpoint_name, method,
                         path, http_version, headers, body, body_state, size, response_status)
                     VALUES ('late', 0, 0, 'default', 'POST', '/late', 'HTTP/1.1', '', '',
                         'complete', 0, 200)
                     RETURNING seq
                 ), q AS (INSERT INTO capture_queue (seq) SELECT seq FROM r)
                 SELECT seq FROM r",
                &[],
            )
            .await
            .expect("insert late")
            .get(0);

        let mut writers = tokio::task::JoinSet::new();
        for w in 0..2 * WRITERS {
            let store = if w % 2 == 0 { a.clone() } else { b.clone() };
            writers.spawn(async move {
                for i in 0..EACH {
                    store
                        .insert_request(capture(&format!("w{w}-{i}"), "{}"))
                        .await
                        .expect("committed");
                }
            });
        }
        // The reader follows while the writers write: it sees every one of theirs...
        let seen = follow(&reader, 0, 2 * WRITERS * EACH).await;
        while let Some(done) = writers.join_next().await {
            done.expect("writer");
        }
        let (cursor, _) = *seen.last().expect("some");
        let max_seq = reader
            .captures_after(0, 1000)
            .await
            .expect("read")
            .iter()
            .map(|c| c.request.seq)
            .max()
            .expect("some");
        assert!(
            late_seq < max_seq,
            "its seq ({late_seq}) is below theirs ({max_seq})"
        );
        // ...and then the one that committed last, though its seq is below theirs. Nothing
        // wakes a sequencer for it: the sweep numbers it, as after an instance's death.
        tx.commit().await.expect("commit late");
        let last = follow(&reader, cursor, 1).await;
        assert_eq!(last, [(cursor + 1, "late".to_string())]);

        let positions: Vec<i64> = seen.iter().chain(&last).map(|(p, _)| *p).collect();
        let dense: Vec<i64> = (1..=positions.len() as i64).collect();
        assert_eq!(positions, dense, "every position once, in order");
        let ids: HashSet<&str> = seen
            .iter()
            .chain(&last)
            .map(|(_, id)| id.as_str())
            .collect();
        assert_eq!(ids.len(), positions.len(), "no capture twice");
        for store in [a, b, reader] {
            store.close().await.expect("close");
        }
    })
}

/// Waits until `store` knows of position `at` (its own captures and other instances').
async fn knows(store: &Store, at: i64) -> i64 {
    let mut commits = store.watch_commits();
    tokio::time::timeout(Duration::from_secs(10), commits.wait_for(|p| *p >= at))
        .await
        .expect("announced")
        .map(|p| *p)
        .expect("open")
}

both! {
    async fn each_instance_hears_of_the_captures_the_others_committed(db: Db) {
        let a = db.open().await;
        if let Db::Sqlite(_) = db {
            // One file, one writer: nothing is ever committed elsewhere.
            a.insert_request(capture("alone", "x")).await.expect("insert");
            let up_to = knows(&a, 1).await;
            assert!(a.committed_elsewhere(0, up_to, 10).await.expect("read").is_empty());
            return;
        }
        let b = db.open().await;
        for id in ["a1", "a2", "a3"] {
            a.insert_request(capture(id, "from a")).await.expect("insert");
        }
        for id in ["b1", "b2"] {
            b.insert_request(capture(id, "from b")).await.expect("insert");
        }
        let (up_to_a, up_to_b) = (knows(&a, 5).await, knows(&b, 5).await);
        let ids = |got: Vec<hooklens_store::Committed>| -> Vec<(i64, String, bool)> {
            got.into_iter()
                .map(|c| (c.position, c.request.meta.id, c.request.body.is_none()))
                .collect()
        };
        let at = |id: &str, p: i64| (p, id.to_string(), true);
        assert_eq!(
            ids(a.committed_elsewhere(0, up_to_a, 10).await.expect("read")),
            [at("b1", 4), at("b2", 5)],
            "A hears of B's, in commit order, without bodies"
        );
        assert_eq!(
            ids(b.committed_elsewhere(0, up_to_b, 10).await.expect("read")),
            [at("a1", 1), at("a2", 2), at("a3", 3)]
        );
        // A limit, then on from the last position read; and nothing past `up_to`.
        assert_eq!(ids(b.committed_elsewhere(0, 5, 2).await.expect("read")), [at("a1", 1), at("a2", 2)]);
        assert_eq!(ids(b.committed_elsewhere(2, 5, 2).await.expect("read")), [at("a3", 3)]);
        assert!(b.committed_elsewhere(0, 2, 10).await.expect("read").len() == 2);
        // A capture's delivery summary comes with it.
        let mut forwarded = capture("b3", "forwarded");
        forwarded.deliveries = vec![crate::delivery("b3-d", "http://127.0.0.1:9", 0)];
        b.insert_request(forwarded).await.expect("insert");
        let up_to = knows(&a, 6).await;
        let got = a.committed_elsewhere(5, up_to, 10).await.expect("read");
        assert_eq!(got[0].request.delivery, Some(hooklens_store::DeliveryState::Pending));
    }
}
