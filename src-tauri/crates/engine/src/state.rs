use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use hooklens_store::{Endpoint, Store, now_us};
use tokio::sync::{Semaphore, broadcast};
use tokio_util::sync::CancellationToken;

use crate::{Config, Event};

/// What every handler shares.
pub(crate) struct Shared {
    pub config: Config,
    pub store: Store,
    pub events: broadcast::Sender<Event>,
    /// Named endpoints, longest path first, refreshed after each change.
    endpoints: RwLock<Arc<Vec<Endpoint>>>,
    pub receiver_addr: SocketAddr,
    pub api_addr: SocketAddr,
    pub cancel: CancellationToken,
    /// Body bytes all requests in flight may hold together.
    pub body_budget: Arc<Semaphore>,
}

impl Shared {
    pub fn new(
        config: Config,
        store: Store,
        endpoints: Vec<Endpoint>,
        receiver_addr: SocketAddr,
        api_addr: SocketAddr,
        cancel: CancellationToken,
    ) -> Shared {
        let (events, _) = broadcast::channel(4096);
        Shared {
            body_budget: Arc::new(Semaphore::new(body_budget(config.max_body))),
            config,
            store,
            events,
            endpoints: RwLock::new(Arc::new(by_longest_path(endpoints))),
            receiver_addr,
            api_addr,
            cancel,
        }
    }

    pub fn emit(&self, event: Event) {
        let _ = self.events.send(event); // no subscribers is fine
    }

    /// The endpoint that takes `path`: the longest matching prefix.
    pub fn endpoint_for(&self, path: &str) -> Option<Endpoint> {
        let endpoints = self.endpoints.read().map(|e| e.clone()).ok()?;
        endpoints.iter().find(|e| e.matches(path)).cloned()
    }

    /// Re-reads endpoints after a change and tells subscribers.
    pub async fn reload_endpoints(&self) -> Result<(), hooklens_store::StoreError> {
        let fresh = by_longest_path(self.store.list_endpoints().await?);
        if let Ok(mut endpoints) = self.endpoints.write() {
            *endpoints = Arc::new(fresh);
        }
        self.emit(Event::EndpointsChanged);
        Ok(())
    }
}

/// Memory for bodies in flight: 512 MiB, or room for four of the largest allowed.
fn body_budget(max_body: u64) -> usize {
    (512u64 << 20)
        .max(max_body.saturating_mul(4))
        .min(Semaphore::MAX_PERMITS as u64) as usize
}

fn by_longest_path(mut endpoints: Vec<Endpoint>) -> Vec<Endpoint> {
    endpoints.sort_by_key(|e| std::cmp::Reverse(e.path.len()));
    endpoints
}

/// Applies the retention settings now and then until shutdown.
pub(crate) async fn retention_loop(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(shared.config.retention_every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shared.cancel.cancelled() => return,
        }
        apply_retention(&shared).await;
    }
}

pub(crate) async fn apply_retention(shared: &Shared) {
    let limits = match shared.store.settings().await {
        Ok(settings) => settings.retention,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read settings for retention");
            return;
        }
    };
    match shared.store.apply_retention(limits, now_us()).await {
        Ok(report) if report.total() > 0 => {
            tracing::info!(?report, "retention deleted old requests");
            shared.emit(Event::RequestsRemoved {
                count: report.total(),
                reason: "retention",
            });
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "retention failed; will retry"),
    }
}
