//! Stage 7, commit: the request with its deliveries, in one transaction of the store's group
//! commit. Only a committed request is answered 2xx ("2xx from Hooklens means stored"); the
//! memory its body held is given back once it is.

use hooklens_store::{Capture, Store, StoreError};
use tokio::sync::OwnedSemaphorePermit;

/// Stores `capture`, then releases `held`; the stored request's position.
pub(crate) async fn commit(
    store: &Store,
    capture: Capture,
    held: Option<OwnedSemaphorePermit>,
) -> Result<i64, StoreError> {
    let stored = store.insert_request(capture).await;
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
        let seq = commit(&store, capture, Some(held)).await.expect("stored");
        assert_eq!(budget.available_permits(), 10);
        let stored = store.get_request(&meta.id).await.expect("read back");
        assert_eq!((stored.seq, stored.pinned), (seq, true));
        assert_eq!(stored.body.as_deref(), Some(&b"body"[..]));
        store.close().await.expect("close");
    }
}
