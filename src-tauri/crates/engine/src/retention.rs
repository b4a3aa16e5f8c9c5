//! Retention in the background: applies the stored limits (count, age, size) every so often
//! and right after they change, and says how many requests it deleted.

use std::sync::Arc;
use std::time::Duration;

use hooklens_store::{Store, now_us};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::events::{Event, EventBus, RemovalReason};

/// The retention loop's handle: ask for a pass now, or run the loop.
pub(crate) struct Retention {
    store: Store,
    events: EventBus,
    /// Asks [`Retention::run`] for a pass now (new limits were saved).
    now: Notify,
}

impl Retention {
    pub fn new(store: Store, events: EventBus) -> Retention {
        Retention {
            store,
            events,
            now: Notify::new(),
        }
    }

    /// Starts a pass in the background, after the one under way if any. Lowering a limit
    /// on a large store deletes for seconds or minutes: whoever saved it does not wait.
    pub fn apply_soon(&self) {
        self.now.notify_one();
    }

    /// Applies the limits every `every`, and when asked, until `cancel`. Shutdown does not
    /// wait for a pass: a large backlog is deleted over many chunks, and the rest waits for
    /// the next run.
    pub async fn run(self: Arc<Self>, every: Duration, cancel: CancellationToken) {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                () = self.now.notified() => {}
                () = cancel.cancelled() => return,
            }
            tokio::select! {
                () = self.apply() => {}
                () = cancel.cancelled() => return,
            }
        }
    }

    async fn apply(&self) {
        let limits = match self.store.settings().await {
            Ok(settings) => settings.retention,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read settings for retention");
                return;
            }
        };
        match self.store.apply_retention(limits, now_us()).await {
            Ok(report) if report.total() > 0 => {
                tracing::info!(?report, "retention deleted old requests");
                self.events.emit(Event::RequestsRemoved {
                    count: report.total(),
                    reason: RemovalReason::Retention,
                });
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "retention failed; will retry"),
        }
    }
}
