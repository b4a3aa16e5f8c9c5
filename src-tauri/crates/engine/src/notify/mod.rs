//! Notifications: raised by rules, failed deliveries, targets going down or up and invalid
//! signatures; every one recorded and streamed; shown through a [`Notifier`] (a desktop
//! popup, a log line, or a recording in tests), coalesced per kind and key.

mod coalesce;

use std::sync::{Arc, Mutex, RwLock};

use futures_util::future::BoxFuture;
pub use hooklens_store::NotificationKind;
use hooklens_store::{NotificationSettings, Store, StoredNotification};
use serde::Serialize;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::forward::clock::Clock;
use crate::{Event, EventBus};
pub use coalesce::Coalescer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// One notification.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Popup {
    pub kind: NotificationKind,
    /// What it is about; popups coalesce per kind and key.
    pub key: String,
    pub title: String,
    pub body: String,
    pub request_id: Option<String>,
    pub urgency: Urgency,
}

/// A popup the notifier could not show (no notification server, say). It is logged and
/// capture goes on; the notification is recorded and streamed all the same.
#[derive(Debug, thiserror::Error)]
#[error("the desktop did not take the notification: {0}")]
pub struct NotShown(#[from] pub Box<dyn std::error::Error + Send + Sync>);

/// Shows popups: the desktop's notification server, a log, a test's recording.
pub trait Notifier: Send + Sync + 'static {
    fn show(&self, popup: Popup) -> BoxFuture<'static, Result<(), NotShown>>;
}

/// Headless: a log line per popup.
pub struct LogNotifier;

impl Notifier for LogNotifier {
    fn show(&self, popup: Popup) -> BoxFuture<'static, Result<(), NotShown>> {
        tracing::info!(kind = %popup.kind, title = %popup.title, body = %popup.body, "notification");
        Box::pin(async { Ok(()) })
    }
}

/// Keeps what it was asked to show, for tests.
#[derive(Clone, Default)]
pub struct RecordingNotifier {
    shown: Arc<Mutex<Vec<Popup>>>,
}

impl RecordingNotifier {
    pub fn shown(&self) -> Vec<Popup> {
        self.shown.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

impl Notifier for RecordingNotifier {
    fn show(&self, popup: Popup) -> BoxFuture<'static, Result<(), NotShown>> {
        if let Ok(mut shown) = self.shown.lock() {
            shown.push(popup);
        }
        Box::pin(async { Ok(()) })
    }
}

/// Raises notifications: records, streams, coalesces and shows them.
pub struct Notifications {
    store: Store,
    notifier: Arc<dyn Notifier>,
    clock: Arc<dyn Clock>,
    coalescer: Mutex<Coalescer>,
    settings: RwLock<NotificationSettings>,
    wake: Notify,
    events: EventBus,
}

impl Notifications {
    pub fn new(
        store: Store,
        notifier: Arc<dyn Notifier>,
        clock: Arc<dyn Clock>,
        settings: NotificationSettings,
        events: EventBus,
    ) -> Arc<Notifications> {
        Arc::new(Notifications {
            store,
            notifier,
            clock,
            coalescer: Mutex::new(Coalescer::new(settings.window_s as i64 * 1_000_000)),
            settings: RwLock::new(settings),
            wake: Notify::new(),
            events,
        })
    }

    pub fn settings(&self) -> NotificationSettings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    pub fn set_settings(&self, settings: NotificationSettings) {
        if let Ok(mut c) = self.coalescer.lock() {
            c.set_window(settings.window_s as i64 * 1_000_000);
        }
        if let Ok(mut s) = self.settings.write() {
            *s = settings;
        }
    }

    /// Raises a notification: recorded and streamed always, shown unless coalesced.
    pub fn raise(self: &Arc<Self>, popup: Popup) {
        let now = self.clock.now_us();
        let show = self
            .coalescer
            .lock()
            .ok()
            .and_then(|mut c| c.offer(now, popup.clone()));
        let shown = show.is_some();
        let me = self.clone();
        tokio::spawn(async move {
            me.record(&popup, now, shown).await;
            if let Some(popup) = show {
                me.show(popup).await;
            }
            me.wake.notify_one(); // a window may have opened
        });
    }

    async fn record(&self, popup: &Popup, at_us: i64, shown: bool) {
        let stored = StoredNotification {
            seq: 0,
            at: hooklens_store::format_us(at_us),
            at_us,
            kind: popup.kind,
            key: popup.key.clone(),
            title: popup.title.clone(),
            body: popup.body.clone(),
            request_id: popup.request_id.clone(),
            shown,
        };
        self.events
            .emit(Event::NotificationRaised(Box::new(stored.clone())));
        if let Err(e) = self.store.record_notification(stored).await {
            tracing::warn!(error = %e, "cannot record a notification");
        }
    }

    async fn show(&self, popup: Popup) {
        if let Err(e) = self.notifier.show(popup).await {
            tracing::warn!(error = %e, "cannot show a notification");
        }
    }

    /// Shows the summaries of coalescing windows as they end, until `cancel`.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        loop {
            let now = self.clock.now_us();
            let (due, next) = match self.coalescer.lock() {
                Ok(mut c) => (c.due(now), c.next_deadline()),
                Err(_) => return,
            };
            for summary in due {
                self.record(&summary, now, true).await;
                self.show(summary).await;
            }
            let sleep = next.map(|at| self.clock.sleep_until(at));
            tokio::select! {
                () = async { match sleep { Some(s) => s.await, None => std::future::pending().await } } => {}
                () = self.wake.notified() => {}
                () = cancel.cancelled() => return,
            }
        }
    }
}
