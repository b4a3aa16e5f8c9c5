//! Stage 6, duplicates: whether the provider delivered this event before, at this endpoint.
//! Providers deliver at least once and retry with the same id (Stripe's event id,
//! `X-GitHub-Delivery`, `webhook-id`, … — see [`crate::provider::ids`]), so a request whose
//! id was seen is a repeat: it gets `duplicate_of` (the first capture's id), its occurrence
//! and the first one's time, for the rules, the plan (an endpoint may decline to forward
//! repeats) and the list.
//!
//! The store answers for what is committed. Deliveries of one event can also arrive together
//! (a provider retrying while a slow answer is still on its way), so they take turns: a
//! [`Claim`] on the event is held from the lookup until the request is committed, and the next
//! delivery of the same event looks up only once it is — then the store knows the first.
//! Other events are not held up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hooklens_store::{EventDelivery, RequestMeta, Store};
use tokio::sync::OwnedMutexGuard;

/// The event a delivery belongs to: endpoint (`None`: the default one), provider, id.
type Key = (Option<String>, String, String);

/// The events with a delivery between this stage and its commit, each with its turn.
#[derive(Default)]
pub(crate) struct InFlight {
    events: Mutex<HashMap<Key, Arc<tokio::sync::Mutex<()>>>>,
}

/// A request's turn among its event's deliveries, held until the request is committed.
pub(crate) struct Claim<'a> {
    in_flight: &'a InFlight,
    key: Key,
    turn: Option<OwnedMutexGuard<()>>,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        drop(self.turn.take());
        let mut events = self.in_flight.lock();
        // Only the map holds it: nobody has the turn or waits for it.
        if events
            .get(&self.key)
            .is_some_and(|t| Arc::strong_count(t) == 1)
        {
            events.remove(&self.key);
        }
    }
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Arc<tokio::sync::Mutex<()>>>> {
        // A panic while holding this lock leaves the map whole: every change is one insert
        // or remove.
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the event's turn.
    async fn claim(&self, key: Key) -> Claim<'_> {
        let turn = self.lock().entry(key.clone()).or_default().clone();
        Claim {
            in_flight: self,
            key,
            turn: Some(turn.lock_owned().await),
        }
    }
}

/// Marks `meta` as the delivery of its event it is (see the module doc); `None` when the
/// provider gave it no id. Hold the claim until the request is committed. A store that
/// cannot answer leaves it counted as a first delivery: capture does not fail for this.
pub(crate) async fn duplicates<'a>(
    in_flight: &'a InFlight,
    store: &Store,
    meta: &mut RequestMeta,
) -> Option<Claim<'a>> {
    let id = meta.event.as_ref()?.id.clone();
    let key = (meta.endpoint_id.clone(), meta.provider.clone()?, id);
    let claim = in_flight.claim(key.clone()).await;
    let prior = store
        .prior_delivery(key.0.as_deref(), &key.1, &key.2)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not look up earlier deliveries of this event");
            None
        });
    meta.event = Some(EventDelivery::after(key.2, prior));
    Some(claim)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::test_meta;

    fn delivery(id: &str, at: i64) -> RequestMeta {
        RequestMeta {
            id: id.into(),
            received_at_us: at,
            endpoint_id: Some("E1".into()),
            provider: Some("stripe".into()),
            event: Some(EventDelivery::after("evt_1".into(), None)),
            ..test_meta()
        }
    }

    fn seen(meta: &RequestMeta) -> (u32, Option<&str>) {
        let event = meta.event.as_ref().expect("event");
        (
            event.occurrence,
            event.first.as_ref().map(|f| f.id.as_str()),
        )
    }

    /// Stores `meta` as committed, as the pipeline does before it drops the claim.
    async fn commit(store: &Store, meta: &RequestMeta) {
        let capture = hooklens_store::Capture {
            meta: meta.clone(),
            body: Vec::new(),
            pinned: false,
            deliveries: Vec::new(),
        };
        store.insert_request(capture).await.expect("stored");
    }

    #[tokio::test]
    async fn a_delivery_waits_for_the_one_before_it_and_counts_on_from_the_store() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let in_flight = InFlight::default();

        let mut a = delivery("a", 1);
        let claim_a = duplicates(&in_flight, &store, &mut a).await;
        assert_eq!(seen(&a), (1, None));
        // b arrives while a is in flight: it waits for a's turn to end.
        let mut b = delivery("b", 2);
        let mut other = RequestMeta {
            endpoint_id: None,
            ..delivery("d", 4)
        };
        let (claim_b, claim_other) = {
            let b_marked = duplicates(&in_flight, &store, &mut b);
            tokio::pin!(b_marked);
            assert!(
                futures_util::poll!(b_marked.as_mut()).is_pending(),
                "b waits while a is in flight"
            );
            let claim_other = duplicates(&in_flight, &store, &mut other).await;
            commit(&store, &a).await;
            drop(claim_a);
            (b_marked.await, claim_other)
        };
        assert_eq!(
            seen(&other),
            (1, None),
            "another endpoint, another stream, not held up"
        );
        assert_eq!(seen(&b), (2, Some("a")));
        commit(&store, &b).await;
        drop((claim_b, claim_other));
        assert!(
            in_flight.lock().is_empty(),
            "nothing in flight is left behind"
        );

        let mut c = delivery("c", 3);
        let _claim = duplicates(&in_flight, &store, &mut c).await;
        assert_eq!(seen(&c), (3, Some("a")));

        let mut no_id = test_meta();
        assert!(duplicates(&in_flight, &store, &mut no_id).await.is_none());
        assert_eq!(no_id.event, None);
        store.close().await.expect("close");
    }
}
