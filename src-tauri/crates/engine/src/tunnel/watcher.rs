//! What the engine does when the tunnel's state changes: streams it, counts tunnel time,
//! stores down periods, and notifies when an online tunnel drops or comes back.

use std::sync::Arc;

use hooklens_store::{NotificationKind, Period, PeriodKind, Store, now_us};
use tokio_util::sync::CancellationToken;

use super::{TunnelState, TunnelStatus, Tunnels};
use crate::events::{Event, EventBus};
use crate::metrics::Metrics;
use crate::notify::{Notifications, Popup, Urgency};

/// Everything a tunnel change is reported to.
pub(crate) struct TunnelWatch {
    pub tunnels: Arc<Tunnels>,
    pub store: Store,
    pub events: EventBus,
    pub notifications: Arc<Notifications>,
    pub metrics: Arc<Metrics>,
}

impl TunnelWatch {
    /// Follows the tunnel's status until `cancel`.
    pub async fn run(self, cancel: CancellationToken) {
        let mut status = self.tunnels.subscribe();
        let mut last = status.borrow().state;
        loop {
            tokio::select! {
                changed = status.changed() => if changed.is_err() { return },
                () = cancel.cancelled() => return,
            }
            let now = status.borrow_and_update().clone();
            if let Some(popup) = popup(last, &now) {
                self.notifications.raise(popup);
            }
            self.record(last, &now).await;
            last = now.state;
            self.events.emit(Event::TunnelStatus(Box::new(now)));
        }
    }

    /// Tunnel time and down periods: down from a drop (or a failure to connect) until online.
    async fn record(&self, last: TunnelState, now: &TunnelStatus) {
        let at = now_us();
        let provider = now.provider.clone().unwrap_or_default();
        let down = matches!(now.state, TunnelState::Reconnecting | TunnelState::Error);
        match now.state {
            TunnelState::Online => self.metrics.tunnel(Some(true), at),
            TunnelState::Off => self.metrics.tunnel(None, at),
            _ if down => self.metrics.tunnel(Some(false), at),
            _ => {}
        }
        let was_down = matches!(last, TunnelState::Reconnecting | TunnelState::Error);
        let result = if down && !was_down {
            self.store
                .open_period(Period {
                    kind: PeriodKind::TunnelDown,
                    subject: provider,
                    started_us: at,
                    ended_us: None,
                    reason: now.error.clone().unwrap_or_default(),
                })
                .await
        } else if !down && was_down {
            // Closed by hand, the status names no provider any more: end whichever was open.
            self.store
                .close_period(Some(PeriodKind::TunnelDown), None, at)
                .await
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "cannot record a tunnel down period");
        }
    }
}

/// The notification for a change from `last` to `now`: an online tunnel dropped, or came
/// back after one.
fn popup(last: TunnelState, now: &TunnelStatus) -> Option<Popup> {
    let (title, body, urgency) = match (last, now.state) {
        (TunnelState::Online, TunnelState::Reconnecting) => (
            "Tunnel dropped",
            now.error.clone().unwrap_or_default() + "; reconnecting",
            Urgency::Critical,
        ),
        (TunnelState::Reconnecting, TunnelState::Online) => (
            "Tunnel back",
            now.public_url.clone().unwrap_or_default(),
            Urgency::Low,
        ),
        _ => return None,
    };
    Some(Popup {
        kind: NotificationKind::Tunnel,
        key: now.provider.clone().unwrap_or_default(),
        title: title.into(),
        body,
        request_id: None,
        urgency,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_drop_and_a_return_notify() {
        let status = |state, error: Option<&str>, url: Option<&str>| TunnelStatus {
            provider: Some("bore".into()),
            state,
            public_url: url.map(String::from),
            error: error.map(String::from),
            since: String::new(),
        };
        use TunnelState::*;
        let dropped = popup(Online, &status(Reconnecting, Some("network lost"), None))
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
        let back = popup(Reconnecting, &status(Online, None, Some("bore.pub:4000")))
            .expect("a return notifies");
        assert_eq!(
            (back.title.as_str(), back.body.as_str()),
            ("Tunnel back", "bore.pub:4000")
        );
        for (last, now) in [
            (Off, Connecting),
            (Connecting, Online),
            (Online, Off),
            (Connecting, Error),
        ] {
            assert!(
                popup(last, &status(now, None, None)).is_none(),
                "{last:?} -> {now:?}"
            );
        }
    }
}
