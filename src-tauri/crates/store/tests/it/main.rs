//! Store integration tests, on a real SQLite file and on a real PostgreSQL server (`db`):
//! every behaviour test runs on both backends (`both!`); upgrades from an older Hooklens
//! (`upgrade`, SQLite only: 0.1.0 had no other backend).

mod after;
mod db;
mod figures;
mod filters;
mod imports;
mod order;
mod postgres;
mod relay;
mod retention;
mod search;
mod store;
mod tls;
mod upgrade;

use std::sync::{PoisonError, RwLock};
use std::time::Duration;

use hooklens_store::{BodyState, Capture, RequestFilter, RequestMeta, Store};

pub fn capture(id: &str, body: &str) -> Capture {
    Capture {
        meta: RequestMeta {
            id: id.into(),
            received_at_us: hooklens_store::now_us(),
            duration_us: 1,
            endpoint_id: None,
            endpoint_name: "default".into(),
            method: "POST".into(),
            path: format!("/storm/{id}"),
            query: None,
            http_version: "HTTP/1.1".into(),
            remote_addr: None,
            headers: vec![("content-type".into(), b"application/json".to_vec())],
            body_state: BodyState::Complete,
            body_note: None,
            size: body.len() as u64,
            response_status: 200,
            provider: None,
            event_type: None,
            signature: None,
            tags: Vec::new(),
            rules: Vec::new(),
            via: hooklens_store::Via::Direct,
            event: None,
            handshake: None,
        },
        body: body.as_bytes().to_vec(),
        pinned: false,
        deliveries: Vec::new(),
    }
}

pub async fn search(store: &Store, q: &str) -> Vec<String> {
    store
        .list_requests(RequestFilter {
            q: Some(q.into()),
            limit: 1000,
            ..Default::default()
        })
        .await
        .expect("search")
        .items
        .into_iter()
        .map(|r| r.meta.id)
        .collect()
}

/// Polls `search` until it returns `want` hits; fails after 10 s.
pub async fn until_found(store: &Store, q: &str, want: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut pause = Duration::from_millis(5);
        while search(store, q).await.len() != want {
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    })
    .await
    .unwrap_or_else(|_| panic!("search for {q:?} never found {want}"));
}

pub fn delivery(id: &str, target: &str, due: i64) -> hooklens_store::NewDelivery {
    hooklens_store::NewDelivery {
        id: id.into(),
        kind: hooklens_store::DeliveryKind::Auto,
        target: target.into(),
        url: format!("{target}/x"),
        spec: Default::default(),
        next_attempt_at_us: due,
    }
}

/// The WAL test measures the checkpointer keeping up with a storm of writes; tests running
/// beside it (PostgreSQL's server processes above all) take the CPU it needs on a small
/// machine. So it runs alone, and every other test shares the machine.
static MACHINE: RwLock<()> = RwLock::new(());

/// Runs a test's body on a runtime of its own, sharing the machine.
pub fn block_on<F: Future>(test: F) -> F::Output {
    let _machine = MACHINE.read().unwrap_or_else(PoisonError::into_inner);
    runtime().block_on(test)
}

/// Runs a test's body on a runtime of its own, alone on the machine.
pub fn block_on_alone<F: Future>(test: F) -> F::Output {
    let _machine = MACHINE.write().unwrap_or_else(PoisonError::into_inner);
    runtime().block_on(test)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
