//! Stage 9, commit: the request with its deliveries, in one transaction of the store's group
//! commit. Only a committed request is answered 2xx ("2xx from Hooklens means stored"); the
//! memory its body held is given back once it is. A capture mirrored from a relay commits
//! with that relay's cursor, and is skipped when its id is stored already (exactly once).

use hooklens_store::{Capture, Mirrored, RelayCursor, Store, StoreError};
use tokio::sync::OwnedSemaphorePermit;

/// Stores `capture` (with `cursor` when it is mirrored from a relay), then releases `held`.
pub(crate) async fn commit(
    store: &Store,
    capture: Capture,
    held: Option<OwnedSemaphorePermit>,
    cursor: Option<RelayCursor>,
) -> Result<Mirrored, StoreError> {
    let stored = match cursor {
        Some(cursor) => store.mirror_capture(capture, cursor).await,
        None => store.insert_request(capture).await.map(Mirrored::Stored),
    };
    drop(held);
    stored
}

/// Stores requests read from a file, in one transaction: each one's position, or `None`
/// for one whose id is stored already (skipped).
pub(crate) async fn commit_imported(
    store: &Store,
    captures: Vec<Capture>,
) -> Result<Vec<Option<i64>>, StoreError> {
    store.import_requests(captures).await
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hooklens_store::RequestMeta;
    use tokio::sync::Semaphore;

    use super::*;

    #[tokio::test]
    async fn a_committed_request_is_readable_and_its_budget_is_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        let budget = Arc::new(Semaphore::new(10));
        let held = budget.clone().acquire_many_owned(4).await.expect("permit");
        let meta = RequestMeta {
            id: ulid::Ulid::new().to_string(),
            size: 4,
            ..crate::capture::test_meta()
        };
        let capture = Capture {
            meta: meta.clone(),
            body: b"body".to_vec(),
            pinned: true,
            deliveries: Vec::new(),
        };
        let Mirrored::Stored(seq) = commit(&store, capture.clone(), Some(held), None)
            .await
            .expect("stored")
        else {
            panic!("a local capture is stored");
        };
        assert_eq!(budget.available_permits(), 10);
        let stored = store.get_request(&meta.id).await.expect("read back");
        assert_eq!((stored.seq, stored.pinned), (seq, true));
        assert_eq!(stored.body.as_deref(), Some(&b"body"[..]));

        // Mirrored from a relay: stored once with its cursor, then skipped.
        let mirrored = Capture {
            meta: RequestMeta {
                id: "01RELAYED".into(),
                ..meta
            },
            ..capture
        };
        let cursor = |position| RelayCursor {
            relay: "r".into(),
            position,
            last_id: Some("01RELAYED".into()),
            updated_at_us: 0,
        };
        let first = commit(&store, mirrored.clone(), None, Some(cursor(4))).await;
        assert!(matches!(first, Ok(Mirrored::Stored(_))), "{first:?}");
        let again = commit(&store, mirrored, None, Some(cursor(5))).await;
        assert!(matches!(again, Ok(Mirrored::Duplicate)), "{again:?}");
        let at = store.relay_cursor("r").await.expect("read").expect("kept");
        assert_eq!(at.position, 5);
        store.close().await.expect("close");
    }
}
