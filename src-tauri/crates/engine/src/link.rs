//! Links: the connections Hooklens keeps open to the outside — the tunnel and the relay
//! subscription. Each reports where it stands through a `watch` of its status and
//! reconnects with [`backoff`]; one [`LinkWatch`] turns a status's changes into live events,
//! down periods in the store and notifications when a link that was up drops, stops or
//! comes back. The parts that differ (what a phase is, what the popups say, which event) are
//! the [`Link`] trait.

use std::sync::Arc;
use std::time::Duration;

use hooklens_store::{NotificationKind, Period, PeriodKind, Store, now_us};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::events::{Event, EventBus};
use crate::metrics::Metrics;
use crate::notify::{Notifications, Popup, Urgency};

/// 0.5 s, 1 s, 2 s … up to 30 s.
pub fn backoff(failures: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << failures.min(6))).min(Duration::from_secs(30))
}

/// Where a link stands, whatever its own states are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    Off,
    Connecting,
    /// Connected and carrying traffic.
    Up,
    /// Lost; reconnecting.
    Down,
    /// Stopped on an error that retrying does not fix.
    Failed,
}

impl Phase {
    fn down(self) -> bool {
        matches!(self, Phase::Down | Phase::Failed)
    }
}

/// A link's status, as its watcher reads it.
pub(crate) trait Link: Clone + Send + Sync + 'static {
    /// "Tunnel", "Relay": how notifications name it.
    const NAME: &'static str;
    const PERIOD: PeriodKind;
    const NOTIFICATION: NotificationKind;
    fn phase(&self) -> Phase;
    /// What it is connected through or to (the tunnel's provider, the relay's URL).
    fn subject(&self) -> String;
    fn error(&self) -> Option<String>;
    /// What the notification that it is back says.
    fn back(&self) -> String;
    /// The live event for this status.
    fn event(self) -> Event;
    /// Counts time up and down, where the link has metrics.
    fn meter(&self, _metrics: &Metrics, _at_us: i64) {}
}

/// The notification for a change from `last` to `now`: a link that was up dropped or
/// stopped, or one that was down came back.
pub(crate) fn popup<L: Link>(last: Phase, now: &L) -> Option<Popup> {
    let why = now.error().unwrap_or_default();
    let (title, body, urgency) = match (last, now.phase()) {
        (Phase::Up, Phase::Down) => ("dropped", why + "; reconnecting", Urgency::Critical),
        (Phase::Up, Phase::Failed) => ("stopped", why, Urgency::Critical),
        (Phase::Down, Phase::Up) => ("back", now.back(), Urgency::Low),
        _ => return None,
    };
    Some(Popup {
        kind: L::NOTIFICATION,
        key: now.subject(),
        title: format!("{} {title}", L::NAME),
        body,
        request_id: None,
        urgency,
    })
}

/// Everything a link's change is reported to.
pub(crate) struct LinkWatch {
    pub store: Store,
    pub events: EventBus,
    pub notifications: Arc<Notifications>,
    pub metrics: Arc<Metrics>,
}

/// Changes within a phase (a relay's count of captures behind) are streamed at most this
/// often; a change of phase at once.
const QUIET: Duration = Duration::from_millis(250);

impl LinkWatch {
    /// Follows `status` until `cancel`.
    pub async fn run<L: Link>(self, mut status: watch::Receiver<L>, cancel: CancellationToken) {
        let mut last = status.borrow().phase();
        let mut told = tokio::time::Instant::now();
        loop {
            tokio::select! {
                changed = status.changed() => if changed.is_err() { return },
                () = cancel.cancelled() => return,
            }
            if status.borrow().phase() == last {
                // Let more changes of the same phase gather into one event.
                let wait = (told + QUIET).saturating_duration_since(tokio::time::Instant::now());
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = cancel.cancelled() => return,
                }
            }
            let now = status.borrow_and_update().clone();
            if let Some(popup) = popup(last, &now) {
                self.notifications.raise(popup);
            }
            self.record(last, &now).await;
            last = now.phase();
            told = tokio::time::Instant::now();
            self.events.emit(now.event());
        }
    }

    /// Down periods: from a drop (or a failure) until the link is up, off or connecting.
    async fn record<L: Link>(&self, last: Phase, now: &L) {
        let at = now_us();
        now.meter(&self.metrics, at);
        let result = if now.phase().down() && !last.down() {
            self.store
                .open_period(Period {
                    kind: L::PERIOD,
                    subject: now.subject(),
                    started_us: at,
                    ended_us: None,
                    reason: now.error().unwrap_or_default(),
                })
                .await
        } else if !now.phase().down() && last.down() {
            // Closed by hand, the status may name no subject any more: end whichever was open.
            self.store.close_period(Some(L::PERIOD), None, at).await
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot record a {} down period", L::NAME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tunnel::{TunnelState, TunnelStatus};

    #[test]
    fn backoff_grows_and_caps() {
        let secs: Vec<f64> = (0..9).map(|f| backoff(f).as_secs_f64()).collect();
        assert_eq!(secs, [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]);
    }

    #[test]
    fn only_a_drop_a_stop_and_a_return_notify() {
        let status = |state, error: Option<&str>, url: Option<&str>| TunnelStatus {
            provider: Some("bore".into()),
            state,
            public_url: url.map(String::from),
            error: error.map(String::from),
            since: String::new(),
        };
        use TunnelState::*;
        let dropped = popup(Phase::Up, &status(Reconnecting, Some("network lost"), None))
            .expect("a drop notifies");
        assert_eq!(
            (
                dropped.title.as_str(),
                dropped.body.as_str(),
                dropped.urgency
            ),
            (
                "Tunnel dropped",
                "network lost; reconnecting",
                Urgency::Critical
            )
        );
        assert_eq!(dropped.key, "bore");
        let back = popup(Phase::Down, &status(Online, None, Some("bore.pub:4000")))
            .expect("a return notifies");
        assert_eq!(
            (back.title.as_str(), back.body.as_str()),
            ("Tunnel back", "bore.pub:4000")
        );
        let stopped =
            popup(Phase::Up, &status(Error, Some("token refused"), None)).expect("a stop notifies");
        assert_eq!(
            (stopped.title.as_str(), stopped.body.as_str()),
            ("Tunnel stopped", "token refused")
        );
        for (last, now) in [
            (Phase::Off, Connecting),
            (Phase::Connecting, Online),
            (Phase::Up, Off),
            (Phase::Connecting, Error),
        ] {
            assert!(
                popup(last, &status(now, None, None)).is_none(),
                "{last:?} -> {now:?}"
            );
        }
    }
}
