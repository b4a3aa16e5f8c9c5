//! Imports (all or nothing, duplicates skipped) and deliveries blocked by the loopback guard
//! (counted, queued again), on both backends.

use hooklens_store::{
    Attempt, AttemptErrorKind, AttemptOutcome, DeliveryState, RequestFilter, Store, Via,
};

use crate::{both, capture, delivery};

async fn ids(store: &Store) -> Vec<String> {
    let page = store
        .list_requests(RequestFilter {
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("list");
    page.items.into_iter().map(|r| r.meta.id).collect()
}

both! {
    async fn an_import_skips_stored_ids_and_keeps_times_and_bytes(db: Db) {
        let store = db.open().await;
        store
            .insert_request(capture("known", "live"))
            .await
            .expect("insert");
        let mut old = capture("old", "\u{0}binary\u{ff}");
        old.meta.received_at_us = 1_600_000_000_123_456;
        old.meta.via = Via::Import;
        let batch = vec![
            capture("known", "imported copy"),
            old,
            capture("old", "same id twice in one file"),
        ];
        let stored = store.import_requests(batch).await.expect("import");
        assert!(stored[0].is_none() && stored[1].is_some() && stored[2].is_none());
        let kept = store.get_request("known").await.expect("get");
        assert_eq!(
            kept.body.as_deref(),
            Some(&b"live"[..]),
            "the stored one stays"
        );
        let old = store.get_request("old").await.expect("get");
        assert_eq!(old.meta.received_at_us, 1_600_000_000_123_456);
        assert_eq!(old.meta.via, Via::Import);
        assert_eq!(old.body.as_deref(), Some("\u{0}binary\u{ff}".as_bytes()));

        assert_eq!(
            store
                .delete_requests(vec!["old".into(), "nope".into()])
                .await
                .expect("delete"),
            1
        );
        assert_eq!(ids(&store).await, ["known"]);
        store.close().await.expect("close");
    }
}

both! {
    async fn a_failing_import_leaves_nothing_behind(db: Db) {
        let store = db.open().await;
        let mut bad = capture("b", "{}");
        // Two automatic deliveries to one target break a constraint mid-batch.
        bad.deliveries = vec![delivery("d1", "http://t", 0), delivery("d2", "http://t", 0)];
        let result = store
            .import_requests(vec![capture("a", "{}"), bad, capture("c", "{}")])
            .await;
        assert!(result.is_err());
        assert!(ids(&store).await.is_empty(), "the batch is all or nothing");
        store.close().await.expect("close");
    }
}

fn attempt(n: u32, kind: Option<AttemptErrorKind>) -> Attempt {
    Attempt {
        n,
        started_at_us: 1,
        duration_us: 0,
        status: None,
        response_headers: Vec::new(),
        response_body: Vec::new(),
        response_size: None,
        error_kind: kind,
        error: kind.map(|k| k.as_str().to_string()),
    }
}

fn settled(state: DeliveryState) -> AttemptOutcome {
    AttemptOutcome {
        state,
        next_attempt_at_us: (state == DeliveryState::Pending).then_some(50),
        summary: None,
    }
}

both! {
    async fn blocked_deliveries_are_counted_and_queued_again(db: Db) {
        let store = db.open().await;
        // (delivery, its attempts' error kinds, where it ends)
        let cases: &[(&str, &[Option<AttemptErrorKind>], DeliveryState)] = &[
            (
                "blocked",
                &[Some(AttemptErrorKind::Blocked)],
                DeliveryState::Failed,
            ),
            (
                "blocked-last",
                &[
                    Some(AttemptErrorKind::Refused),
                    Some(AttemptErrorKind::Blocked),
                ],
                DeliveryState::Failed,
            ),
            (
                "blocked-first",
                &[
                    Some(AttemptErrorKind::Blocked),
                    Some(AttemptErrorKind::Refused),
                ],
                DeliveryState::Failed,
            ),
            (
                "refused",
                &[Some(AttemptErrorKind::Refused)],
                DeliveryState::Failed,
            ),
            (
                "pending",
                &[Some(AttemptErrorKind::Blocked)],
                DeliveryState::Pending,
            ),
        ];
        for (id, kinds, end) in cases {
            let mut c = capture(&format!("r-{id}"), "{}");
            c.deliveries = vec![delivery(id, "http://192.0.2.1", 0)];
            store.insert_request(c).await.expect("insert");
            let seq = store.get_delivery(id).await.expect("delivery").seq;
            for (i, kind) in kinds.iter().enumerate() {
                let last = i + 1 == kinds.len();
                let state = if last { *end } else { DeliveryState::Pending };
                store
                    .record_attempt(seq, attempt(i as u32 + 1, *kind), settled(state))
                    .await
                    .expect("attempt");
            }
        }
        assert_eq!(store.count_blocked().await.expect("count"), 2);
        assert_eq!(store.retry_blocked(777).await.expect("retry"), 2);
        for id in ["blocked", "blocked-last"] {
            let d = store.get_delivery(id).await.expect("delivery");
            assert_eq!(
                (d.state, d.next_attempt_at_us),
                (DeliveryState::Pending, Some(777))
            );
        }
        let kept = store.get_delivery("blocked-first").await.expect("delivery");
        assert_eq!(kept.state, DeliveryState::Failed);
        assert_eq!(store.count_blocked().await.expect("count"), 0);
        store.close().await.expect("close");
    }
}
