//! Retention on both backends (`both!`): by age and by total body size, the oldest unpinned
//! requests go with their deliveries; pinned ones stay, and their bodies do not count
//! against the size budget. Where each limit cuts is unit-tested on SQLite
//! (`sqlite::retention`); these run the same cases through `Store` on each backend. One
//! instance at a time (PostgreSQL's lock) is `postgres::retention_runs_on_one_instance_at_a_time`.

use hooklens_store::{DeliveryFilter, RequestFilter, RetentionSettings, Store};

use crate::{both, capture, delivery};

const DAY: i64 = 86_400_000_000;
/// The time a pass runs at.
const NOW: i64 = 100 * DAY;
const NO_LIMITS: RetentionSettings = RetentionSettings {
    max_requests: None,
    max_age_days: None,
    max_total_mib: None,
};
/// The age limit the age tests use.
const TWO_DAYS: RetentionSettings = RetentionSettings {
    max_age_days: Some(2),
    ..NO_LIMITS
};

/// Stores request `id`, received at `at_us`, with `body` bytes of body and one delivery
/// `d-{id}`.
async fn seed(store: &Store, id: &str, at_us: i64, body: usize) {
    let mut c = capture(id, &"x".repeat(body));
    c.meta.received_at_us = at_us;
    c.deliveries = vec![delivery(&format!("d-{id}"), "http://target", at_us)];
    store.insert_request(c).await.expect("insert");
}

/// The ids of the requests left, and of the requests whose deliveries are left; oldest first.
async fn left(store: &Store) -> (Vec<String>, Vec<String>) {
    let requests = store
        .list_requests(RequestFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("list requests");
    let mut ids: Vec<String> = requests.items.into_iter().map(|r| r.meta.id).collect();
    ids.reverse();
    let deliveries = store
        .list_deliveries(DeliveryFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("list deliveries");
    let mut of: Vec<String> = deliveries.into_iter().map(|d| d.request_id).collect();
    of.reverse();
    (ids, of)
}

fn strings(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|id| id.to_string()).collect()
}

both! {
    /// r0 is 10 days old and pinned, r1 5 days, r2 1 day, r3 new: a 2-day limit takes r1.
    async fn the_age_limit_deletes_older_unpinned_requests_with_their_deliveries(db: Db) {
        let store = db.open().await;
        for (id, age) in [("r0", 10), ("r1", 5), ("r2", 1), ("r3", 0)] {
            seed(&store, id, NOW - age * DAY, 1024).await;
        }
        store.set_pinned("r0", true).await.expect("pin");
        let report = store
            .apply_retention(TWO_DAYS, NOW)
            .await
            .expect("retention");
        assert_eq!((report.by_age, report.total()), (1, 1));
        let kept = strings(&["r0", "r2", "r3"]);
        assert_eq!(left(&store).await, (kept.clone(), kept));
        // A day later r2 is past the limit too; the pinned r0 still stays.
        let report = store
            .apply_retention(TWO_DAYS, NOW + 2 * DAY)
            .await
            .expect("retention");
        assert_eq!(report.by_age, 1);
        let kept = strings(&["r0", "r3"]);
        assert_eq!(left(&store).await, (kept.clone(), kept));
    }
}

both! {
    /// Four unpinned 600 KiB bodies and a 1 MiB budget: only the newest fits. A pinned one, as
    /// large and newer still, stays and is not counted: counted, it would leave no room for r3.
    async fn the_size_limit_keeps_the_newest_unpinned_requests_that_fit(db: Db) {
        let store = db.open().await;
        for (i, id) in ["r0", "r1", "r2", "r3", "pinned"].into_iter().enumerate() {
            seed(&store, id, NOW - DAY + i as i64, 600 << 10).await;
        }
        store.set_pinned("pinned", true).await.expect("pin");
        let limits = RetentionSettings {
            max_total_mib: Some(1),
            ..NO_LIMITS
        };
        let report = store.apply_retention(limits.clone(), NOW).await.expect("retention");
        assert_eq!((report.by_size, report.total()), (3, 3));
        let kept = strings(&["r3", "pinned"]);
        assert_eq!(left(&store).await, (kept.clone(), kept));
        // What is left fits: a second pass deletes nothing.
        let report = store.apply_retention(limits, NOW).await.expect("retention");
        assert_eq!(report.total(), 0);
    }
}

both! {
    /// The count keeps r2..r4; of those the 1 MiB budget keeps only r4: each limit deletes
    /// its share in one pass. Then, with a 2 MiB budget that what the count keeps fits in,
    /// only the count deletes.
    async fn size_and_count_limits_together_keep_what_both_allow(db: Db) {
        let store = db.open().await;
        for i in 0..5 {
            seed(&store, &format!("r{i}"), NOW - DAY + i, 600 << 10).await;
        }
        let limits = RetentionSettings {
            max_requests: Some(3),
            max_total_mib: Some(1),
            ..NO_LIMITS
        };
        let report = store.apply_retention(limits.clone(), NOW).await.expect("retention");
        assert_eq!((report.by_count, report.by_size), (2, 2));
        let kept = strings(&["r4"]);
        assert_eq!(left(&store).await, (kept.clone(), kept));

        for i in 0..5 {
            seed(&store, &format!("s{i}"), NOW - DAY + 10 + i, 600 << 10).await;
        }
        let limits = RetentionSettings {
            max_total_mib: Some(2),
            ..limits
        };
        let report = store.apply_retention(limits, NOW).await.expect("retention");
        assert_eq!((report.by_count, report.by_size), (3, 0));
        let kept = strings(&["s2", "s3", "s4"]);
        assert_eq!(left(&store).await, (kept.clone(), kept));
    }
}

both! {
    /// Deletes run a chunk (128 rows) at a time: a backlog of several chunks all goes in one
    /// pass, and nothing newer with it.
    async fn an_age_backlog_of_several_chunks_goes_in_one_pass(db: Db) {
        let store = db.open().await;
        let old = (0..300).map(|i| {
            let store = store.clone();
            async move { seed(&store, &format!("old{i:03}"), NOW - 10 * DAY + i, 16).await }
        });
        futures_util::future::join_all(old).await;
        seed(&store, "new", NOW, 16).await;
        let report = store
            .apply_retention(TWO_DAYS, NOW)
            .await
            .expect("retention");
        assert_eq!(report.by_age, 300);
        let kept = strings(&["new"]);
        assert_eq!(left(&store).await, (kept.clone(), kept));
    }
}
