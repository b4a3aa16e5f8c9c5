//! The relay's rows on both backends: tokens made, revoked and made again; the relay's own
//! id; a mirrored capture stored once with its cursor; repeated provider deliveries and
//! handshakes kept with the capture.

use std::time::Duration;

use hooklens_store::{
    EventDelivery, FirstDelivery, Handshake, HandshakeProvider, Mirrored, RelayCursor,
    RequestFilter, Store, StoreError, Via,
};

use crate::db::Db;
use crate::{both, capture};

fn cursor(position: i64, id: &str) -> RelayCursor {
    RelayCursor {
        relay: "r1".into(),
        position,
        last_id: Some(id.into()),
        updated_at_us: position,
    }
}

fn mirrored(id: &str) -> hooklens_store::Capture {
    let mut c = capture(id, "{}");
    c.meta.via = Via::Relay;
    c
}

/// Waits until the stream of captures holds `want` after position 0.
async fn until_streamed(store: &Store, want: u64) {
    let mut commits = store.watch_commits();
    tokio::time::timeout(Duration::from_secs(10), async {
        while store.count_captures_after(0).await.expect("count") < want {
            commits.changed().await.expect("store open");
        }
    })
    .await
    .expect("the captures reached the stream");
}

both! {
    async fn a_mirrored_capture_moves_the_cursor_with_it_once(db: Db) {
        let store = db.open().await;
        assert_eq!(store.relay_cursor("r1").await.expect("read"), None);
        let first = store.mirror_capture(mirrored("a"), cursor(7, "a")).await.expect("mirror");
        assert!(matches!(first, Mirrored::Stored(_)), "{first:?}");
        let again = store.mirror_capture(mirrored("a"), cursor(8, "a")).await.expect("mirror");
        assert_eq!(again, Mirrored::Duplicate);
        assert_eq!(store.count_requests().await.expect("count"), 1);
        let at = store.relay_cursor("r1").await.expect("read").expect("kept");
        assert_eq!((at.position, at.last_id.as_deref()), (8, Some("a")));
        // An older position never moves it back.
        store.mirror_capture(mirrored("b"), cursor(3, "b")).await.expect("mirror");
        let at = store.relay_cursor("r1").await.expect("read").expect("kept");
        assert_eq!(at.position, 8);
        assert_eq!(store.get_request("a").await.expect("stored").meta.via, Via::Relay);
        // Mirrored captures are in the stream as any other (a relay's subscriber may relay).
        until_streamed(&store, 2).await;
        store.close().await.expect("close");
    }
}

both! {
    async fn tokens_are_made_revoked_and_made_again(db: Db) {
        let store = db.open().await;
        let made = store.create_relay_token("laptop", vec![1; 32]).await.expect("create");
        assert_eq!((made.hash.len(), made.revoked_at_us), (32, None));
        let twice = store.create_relay_token("laptop", vec![2; 32]).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
        let revoked = store.revoke_relay_token("laptop").await.expect("revoke");
        assert!(revoked.revoked_at_us.is_some());
        let again = store.revoke_relay_token("laptop").await.expect("again");
        assert_eq!(again.revoked_at_us, revoked.revoked_at_us, "unchanged");
        assert!(matches!(
            store.revoke_relay_token("nobody").await,
            Err(StoreError::NotFound(_))
        ));
        let remade = store
            .create_relay_token("laptop", vec![3; 32])
            .await
            .expect("a revoked name is free again");
        assert_eq!((remade.hash, remade.revoked_at_us), (vec![3; 32], None));
        store.touch_relay_token("laptop", 42).await.expect("touch");
        let all = store.relay_tokens().await.expect("list");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].last_used_us, Some(42));
        let id = store.relay_id().await.expect("id");
        assert_eq!(id.len(), 32);
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        store.close().await.expect("close");
        let reopened = db.open().await;
        assert_eq!(reopened.relay_id().await.expect("id"), id, "kept");
        reopened.close().await.expect("close");
    }
}

both! {
    async fn repeats_count_on_from_the_first_delivery_at_the_same_endpoint(db: Db) {
        let store = db.open().await;
        let deliver = async |id: &str, endpoint: Option<&str>, at: i64| {
            let prior = store.prior_delivery(endpoint, "stripe", "evt_1").await.expect("prior");
            let mut c = capture(id, "{}");
            c.meta.provider = Some("stripe".into());
            c.meta.endpoint_id = endpoint.map(str::to_string);
            c.meta.received_at_us = at;
            c.meta.event = Some(EventDelivery::after("evt_1".into(), prior));
            store.insert_request(c).await.expect("insert");
            store.get_request(id).await.expect("get").meta.event.expect("event")
        };
        let first = deliver("a", Some("E1"), 10).await;
        assert_eq!((first.occurrence, first.first), (1, None));
        let first_delivery = FirstDelivery { id: "a".into(), received_at_us: 10 };
        let second = deliver("b", Some("E1"), 20).await;
        assert_eq!((second.occurrence, second.first.as_ref()), (2, Some(&first_delivery)));
        assert_eq!(deliver("c", Some("E1"), 30).await.occurrence, 3);
        // Another endpoint is another delivery stream.
        assert_eq!(deliver("d", None, 40).await.occurrence, 1);
        assert_eq!(deliver("e", None, 50).await.first.map(|f| f.id).as_deref(), Some("d"));
        // Retention deleted the first: the oldest stored repeat still knows it.
        store.delete_request("a").await.expect("delete");
        let fourth = deliver("f", Some("E1"), 60).await;
        assert_eq!((fourth.occurrence, fourth.first), (4, Some(first_delivery)));
        assert_eq!(
            store.prior_delivery(Some("E1"), "github", "evt_1").await.expect("prior"),
            None,
            "another provider's id space"
        );
        let ids = async |duplicate| {
            let filter = RequestFilter { duplicate: Some(duplicate), limit: 10, ..Default::default() };
            let page = store.list_requests(filter).await.expect("list");
            page.items.into_iter().map(|r| r.meta.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(true).await, ["f", "e", "c", "b"]);
        assert_eq!(ids(false).await, ["d"]);
        store.close().await.expect("close");
    }
}

both! {
    async fn a_handshake_is_kept_with_its_capture(db: Db) {
        let store = db.open().await;
        let mut c = capture("h", "{}");
        c.meta.handshake = Some(Handshake {
            provider: HandshakeProvider::Slack,
            answered: false,
            reason: "no challenge".into(),
        });
        store.insert_request(c.clone()).await.expect("insert");
        let stored = store.get_request("h").await.expect("get");
        assert_eq!(stored.meta.handshake, c.meta.handshake);
        assert_eq!(stored.meta.event, None);
        store.close().await.expect("close");
    }
}

/// Two instances on one database mirroring the same relay at once (both subscribed to it):
/// each capture is stored once, whichever commits first, and neither fails.
#[test]
fn two_instances_mirroring_one_relay_store_each_capture_once() {
    crate::block_on(async {
        let db = Db::postgres().await;
        let (one, two) = (db.open().await, db.open().await);
        let mirror = |store: Store| async move {
            let mut stored = 0;
            for n in 1..=50 {
                let id = format!("m{n:02}");
                let at = cursor(n, &id);
                if let Mirrored::Stored(_) = store
                    .mirror_capture(mirrored(&id), at)
                    .await
                    .expect("mirror")
                {
                    stored += 1;
                }
            }
            stored
        };
        let (a, b) = tokio::join!(mirror(one.clone()), mirror(two.clone()));
        assert_eq!(a + b, 50, "{a} + {b}");
        assert_eq!(one.count_requests().await.expect("count"), 50);
        let at = two.relay_cursor("r1").await.expect("read").expect("kept");
        assert_eq!(at.position, 50);
        one.close().await.expect("close");
        two.close().await.expect("close");
    });
}
