//! Other instances on the same database. Several `hooklens serve` behind one load balancer
//! share one PostgreSQL database: a request captured by one must show in every one's live
//! stream, as its list already shows it. The capture pipeline announces only what this
//! instance captured, so this task follows the store's commits ([`Store::watch_commits`])
//! and announces what the others committed ([`Store::committed_elsewhere`]), in commit
//! order, and wakes the forwarder for their deliveries (the queue is shared, and the
//! instance that captured them may be gone). On SQLite nothing is ever committed elsewhere,
//! and each commit costs this task one look that finds nothing.

use std::sync::Arc;
use std::time::Duration;

use hooklens_store::{DeliveryState, Store};
use tokio_util::sync::CancellationToken;

use crate::events::{Event, EventBus};
use crate::forward::Forwarder;

/// Captures read at once.
const PAGE: usize = 500;
/// After a failed read, try again this much later.
const RETRY: Duration = Duration::from_secs(1);

/// Announces, until `cancel`, every capture another instance commits from now on.
pub(crate) async fn follow(
    store: Store,
    events: EventBus,
    forwarder: Arc<Forwarder>,
    cancel: CancellationToken,
) {
    let mut commits = store.watch_commits();
    let mut cursor = *commits.borrow_and_update();
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            changed = commits.changed() => if changed.is_err() { return },
        }
        let up_to = *commits.borrow_and_update();
        while cursor < up_to {
            match store.committed_elsewhere(cursor, up_to, PAGE).await {
                Ok(page) => {
                    let (next, forwards) = announce(page, cursor, up_to, &events);
                    cursor = next;
                    if forwards {
                        forwarder.wake();
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the captures of other instances; retrying");
                    tokio::select! {
                        () = cancel.cancelled() => return,
                        () = tokio::time::sleep(RETRY) => {}
                    }
                }
            }
        }
    }
}

/// Announces one page read after `cursor`; the position to read on from (a page shorter
/// than [`PAGE`] holds everything up to `up_to`), and whether any of its captures is to be
/// forwarded.
fn announce(
    page: Vec<hooklens_store::Committed>,
    cursor: i64,
    up_to: i64,
    events: &EventBus,
) -> (i64, bool) {
    let next = match (page.len() < PAGE, page.last()) {
        (true, _) | (false, None) => up_to,
        (false, Some(last)) => last.position,
    };
    let forwards = page
        .iter()
        .any(|c| c.request.delivery == Some(DeliveryState::Pending));
    for committed in page {
        events.emit(Event::RequestCaptured(Box::new(committed.request)));
    }
    (next.max(cursor), forwards)
}

#[cfg(test)]
mod tests {
    use hooklens_store::{Committed, Request};

    use super::*;
    use crate::capture::test_meta;

    fn committed(position: i64, delivery: Option<DeliveryState>) -> Committed {
        let mut meta = test_meta();
        meta.id = format!("r{position}");
        Committed {
            position,
            request: Request {
                seq: position,
                pinned: false,
                meta,
                body: None,
                delivery,
            },
        }
    }

    fn captured(events: &mut tokio::sync::broadcast::Receiver<Event>) -> Vec<String> {
        let mut ids = Vec::new();
        while let Ok(event) = events.try_recv() {
            if let Event::RequestCaptured(request) = event {
                ids.push(request.meta.id);
            }
        }
        ids
    }

    #[test]
    fn a_page_is_announced_in_order_and_says_where_to_read_on() {
        let events = EventBus::new(PAGE + 10);
        let mut heard = events.subscribe();
        // Fewer than a page: everything up to `up_to` is read, whatever the last position.
        let page = vec![
            committed(3, None),
            committed(7, Some(DeliveryState::Pending)),
        ];
        assert_eq!(announce(page, 2, 9, &events), (9, true));
        assert_eq!(captured(&mut heard), ["r3", "r7"]);
        // A full page: on from its last position.
        let page: Vec<_> = (1..=PAGE as i64).map(|p| committed(p, None)).collect();
        assert_eq!(announce(page, 0, 10_000, &events), (PAGE as i64, false));
        assert_eq!(captured(&mut heard).len(), PAGE);
        // Nothing elsewhere: on to `up_to`, nothing told.
        assert_eq!(announce(Vec::new(), 4, 6, &events), (6, false));
        assert!(captured(&mut heard).is_empty());
        let done = vec![committed(5, Some(DeliveryState::Succeeded))];
        assert_eq!(
            announce(done, 4, 5, &events),
            (5, false),
            "delivered: no wake"
        );
    }
}
