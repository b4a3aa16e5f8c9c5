//! What the forwarder tells people: a failed delivery (as the settings ask), and a target
//! going down or coming back (its down period, a notification, the live event).

use hooklens_store::{NotificationKind, Period, PeriodKind, now_us};

use super::{Forwarder, breaker};
use crate::Event;
use crate::notify::{Popup, Urgency};

impl Forwarder {
    /// A target went down or came back: its down period, a notification when the settings
    /// ask, the live event, and (when back) the scheduler's wake-up.
    pub(super) async fn target_changed(&self, target: String, change: breaker::Change) {
        let (popup, down) = match change {
            breaker::Change::Up => {
                tracing::info!(%target, "target answers again; resuming its deliveries");
                let popup = Popup {
                    kind: NotificationKind::TargetUp,
                    key: target.clone(),
                    title: format!("{target} answers again"),
                    body: "waiting deliveries are on their way".into(),
                    request_id: None,
                    urgency: Urgency::Low,
                };
                (popup, None)
            }
            breaker::Change::Down(reason) => {
                tracing::warn!(%target, %reason, "target keeps failing; holding its deliveries");
                let popup = Popup {
                    kind: NotificationKind::TargetDown,
                    key: target.clone(),
                    title: format!("{target} is down"),
                    body: format!("{reason}; deliveries wait until it answers"),
                    request_id: None,
                    urgency: Urgency::Critical,
                };
                (popup, Some(reason))
            }
        };
        self.down_period(&target, down.as_deref()).await;
        if self.notifications.settings().target_changes {
            self.notifications.raise(popup);
        }
        let back = down.is_none();
        self.events.emit(Event::TargetChanged { target, down });
        if back {
            self.wake.notify_one();
        }
    }

    /// Counts and stores a target's down period: opened with its reason, or closed.
    async fn down_period(&self, target: &str, down: Option<&str>) {
        self.metrics.target_down(target, down.is_some());
        let at = now_us();
        let stored = match down {
            Some(reason) => {
                self.store
                    .open_period(Period {
                        kind: PeriodKind::TargetDown,
                        subject: target.to_string(),
                        started_us: at,
                        ended_us: None,
                        reason: reason.to_string(),
                    })
                    .await
            }
            None => {
                self.store
                    .close_period(Some(PeriodKind::TargetDown), Some(target), at)
                    .await
            }
        };
        if let Err(e) = stored {
            tracing::warn!(error = %e, "cannot record a target's down period");
        }
    }

    /// A failed delivery's notification, as the settings ask: on the first failure, when
    /// retries run out, both, or never.
    pub(super) fn notify_failure(&self, target: &str, failure: Failure) {
        let when = self.notifications.settings().delivery_failed;
        let first = failure.first && matches!(when.as_str(), "first" | "both");
        let gave_up = failure.gave_up && matches!(when.as_str(), "exhausted" | "both");
        if !(first || gave_up) {
            return;
        }
        self.notifications.raise(Popup {
            kind: NotificationKind::DeliveryFailed,
            key: target.to_string(),
            title: if failure.gave_up {
                format!("Gave up delivering to {target}")
            } else {
                format!("Delivery to {target} failed")
            },
            body: failure.summary,
            request_id: Some(failure.request_id),
            urgency: if failure.gave_up {
                Urgency::Critical
            } else {
                Urgency::Normal
            },
        });
    }
}

/// What a failed attempt means for notifications.
pub(super) struct Failure {
    pub request_id: String,
    pub gave_up: bool,
    pub first: bool,
    pub summary: String,
}
