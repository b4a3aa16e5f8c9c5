//! Stage 6, duplicates: whether the provider delivered this event before, at this endpoint.
//! Providers deliver at least once and retry with the same id (Stripe's event id,
//! `X-GitHub-Delivery`, `webhook-id`, … — see [`crate::provider::ids`]), so a request whose
//! id was seen is a repeat: it gets `duplicate_of` (the first capture's id), its occurrence
//! and the first one's time, for the rules, the plan (an endpoint may decline to forward
//! repeats) and the list.
//!
//! The store answers for what is committed. Deliveries of one event can also arrive together
//! (a provider retrying while a slow answer is still on its way), before either is committed,
//! so the requests in flight are counted here too: a [`Claim`] holds an event's place until
//! its request is committed, and later deliveries count on from it.

use std::collections::HashMap;
use std::sync::Mutex;

use hooklens_store::{EventDelivery, FirstDelivery, Prior, RequestMeta, Store};

/// The event a delivery belongs to: endpoint (`None`: the default one), provider, id.
type Key = (Option<String>, String, String);

/// An event with deliveries in flight.
struct Entry {
    first: FirstDelivery,
    last: u32,
    /// Requests holding a [`Claim`] on it.
    holders: u32,
}

/// The events whose deliveries are between this stage and their commit.
#[derive(Default)]
pub(crate) struct InFlight {
    events: Mutex<HashMap<Key, Entry>>,
}

/// A request's place among its event's deliveries, held until the request is committed
/// (dropping it lets the store answer for the event again).
pub(crate) struct Claim<'a> {
    in_flight: &'a InFlight,
    key: Key,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        let mut events = self.in_flight.lock();
        if let Some(entry) = events.get_mut(&self.key) {
            entry.holders -= 1;
            if entry.holders == 0 {
                events.remove(&self.key);
            }
        }
    }
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic while holding this lock leaves the map whole: every change is one insert,
        // update or remove.
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts `meta` as the next delivery of its event when one is in flight.
    fn join(&self, key: &Key, meta: &mut RequestMeta) -> Option<Claim<'_>> {
        let mut events = self.lock();
        let entry = events.get_mut(key)?;
        entry.last += 1;
        entry.holders += 1;
        meta.event = Some(EventDelivery {
            id: key.2.clone(),
            occurrence: entry.last,
            first: Some(entry.first.clone()),
        });
        Some(self.claim_of(key))
    }

    /// Counts `meta` on from what the store holds (`prior`), unless another delivery of the
    /// event got in flight meanwhile.
    fn start(&self, key: Key, meta: &mut RequestMeta, prior: Option<Prior>) -> Claim<'_> {
        if let Some(claim) = self.join(&key, meta) {
            return claim;
        }
        let event = EventDelivery::after(key.2.clone(), prior);
        let first = event.first.clone().unwrap_or_else(|| FirstDelivery {
            id: meta.id.clone(),
            received_at_us: meta.received_at_us,
        });
        self.lock().insert(
            key.clone(),
            Entry {
                first,
                last: event.occurrence,
                holders: 1,
            },
        );
        meta.event = Some(event);
        self.claim_of(&key)
    }

    fn claim_of(&self, key: &Key) -> Claim<'_> {
        Claim {
            in_flight: self,
            key: key.clone(),
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
    if let Some(claim) = in_flight.join(&key, meta) {
        return Some(claim);
    }
    let prior = store
        .prior_delivery(key.0.as_deref(), &key.1, &key.2)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = %e, "could not look up earlier deliveries of this event");
            None
        });
    Some(in_flight.start(key, meta, prior))
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

    #[tokio::test]
    async fn deliveries_in_flight_count_on_from_the_first_and_the_store_after_commit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let in_flight = InFlight::default();

        let (mut a, mut b, mut c) = (delivery("a", 1), delivery("b", 2), delivery("c", 3));
        let claim_a = duplicates(&in_flight, &store, &mut a).await;
        let claim_b = duplicates(&in_flight, &store, &mut b).await;
        assert_eq!((seen(&a), seen(&b)), ((1, None), (2, Some("a"))));
        drop(claim_a);
        let claim_c = duplicates(&in_flight, &store, &mut c).await;
        assert_eq!(
            seen(&c),
            (3, Some("a")),
            "b still in flight keeps the count"
        );
        drop((claim_b, claim_c));
        assert!(
            in_flight.lock().is_empty(),
            "nothing in flight is left behind"
        );

        let mut other = RequestMeta {
            endpoint_id: None,
            ..delivery("d", 4)
        };
        let _claim = duplicates(&in_flight, &store, &mut other).await;
        assert_eq!(seen(&other), (1, None), "another endpoint, another stream");

        let mut no_id = test_meta();
        assert!(duplicates(&in_flight, &store, &mut no_id).await.is_none());
        assert_eq!(no_id.event, None);
        store.close().await.expect("close");
    }
}
