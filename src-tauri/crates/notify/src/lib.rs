//! Desktop notifications over the D-Bus session bus (notify-rust, pure Rust): the engine's
//! [`Notifier`] for the desktop app and for `hooklens serve --notify`. It needs no display,
//! only a notification server on the session bus; without one, each popup fails with a
//! logged warning and capture goes on.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use hooklens_engine::notify::{NotShown, Notifier, Popup, Urgency};
use notify_rust::{Notification, NotificationResponse};
use tokio::sync::OnceCell;

/// Shows popups through the desktop's notification server.
pub struct DesktopNotifier;

/// The name notification servers show, and that tests look for.
pub const APP_NAME: &str = "Hooklens";

/// The action a click on a popup's body invokes (the Desktop Notifications spec's name).
pub const OPEN_ACTION: &str = "default";

/// How long a popup's click is waited for; servers that never report a close would
/// otherwise keep the wait forever.
const CLICK_WAIT: Duration = Duration::from_secs(30 * 60);

/// The notification shown for `popup`; `clickable` adds the open action.
pub fn notification(popup: &Popup, clickable: bool) -> Notification {
    let mut n = Notification::new();
    n.appname(APP_NAME)
        .summary(&popup.title)
        .body(&popup.body)
        .urgency(match popup.urgency {
            Urgency::Low => notify_rust::Urgency::Low,
            Urgency::Normal => notify_rust::Urgency::Normal,
            Urgency::Critical => notify_rust::Urgency::Critical,
        });
    if let Some(id) = &popup.request_id {
        n.hint(notify_rust::Hint::Custom(
            "x-hooklens-request-id".into(),
            id.clone(),
        ));
        if clickable {
            n.action(OPEN_ACTION, "Open");
        }
    }
    n
}

impl Notifier for DesktopNotifier {
    fn show(&self, popup: Popup) -> BoxFuture<'static, Result<(), NotShown>> {
        Box::pin(async move {
            notification(&popup, false)
                .show_async()
                .await
                .map(|_| ())
                .map_err(refused)
        })
    }
}

/// Like [`DesktopNotifier`], and a click on a popup about a request (where the notification
/// server supports actions) calls `open` with the request's id.
pub struct OpeningNotifier {
    open: Arc<dyn Fn(String) + Send + Sync>,
    actions: Arc<OnceCell<bool>>,
}

impl OpeningNotifier {
    pub fn new(open: impl Fn(String) + Send + Sync + 'static) -> OpeningNotifier {
        OpeningNotifier {
            open: Arc::new(open),
            actions: Arc::new(OnceCell::new()),
        }
    }
}

impl Notifier for OpeningNotifier {
    fn show(&self, popup: Popup) -> BoxFuture<'static, Result<(), NotShown>> {
        let (open, actions) = (self.open.clone(), self.actions.clone());
        Box::pin(async move {
            // Asked once per run; a failed answer (no server yet) is asked again next time.
            let clickable = popup.request_id.is_some()
                && actions
                    .get_or_try_init(|| async {
                        match tokio::task::spawn_blocking(notify_rust::get_capabilities).await {
                            Ok(Ok(caps)) => Ok(caps.iter().any(|c| c == "actions")),
                            _ => Err(()),
                        }
                    })
                    .await
                    .is_ok_and(|&yes| yes);
            let handle = notification(&popup, clickable)
                .show_async()
                .await
                .map_err(refused)?;
            if let (true, Some(id)) = (clickable, popup.request_id) {
                tokio::spawn(async move {
                    let clicked = tokio::time::timeout(CLICK_WAIT, async {
                        let mut clicked = false;
                        handle
                            .wait_for_action_async(|response| {
                                clicked = matches!(response, NotificationResponse::Default)
                                    || matches!(response, NotificationResponse::Action(a) if a == OPEN_ACTION);
                            })
                            .await;
                        clicked
                    })
                    .await;
                    if clicked == Ok(true) {
                        open(id);
                    }
                });
            }
            Ok(())
        })
    }
}

fn refused(e: notify_rust::error::Error) -> NotShown {
    NotShown(Box::new(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn popup(request_id: Option<&str>) -> Popup {
        Popup {
            kind: hooklens_engine::notify::NotificationKind::Rule,
            key: "r1".into(),
            title: "payment_intent.payment_failed".into(),
            body: "1500 cents".into(),
            request_id: request_id.map(String::from),
            urgency: Urgency::Critical,
        }
    }

    #[test]
    fn a_popup_becomes_a_notification_with_its_text_and_request() {
        let n = notification(&popup(Some("01ABC")), true);
        assert_eq!(
            (n.appname.as_str(), n.summary.as_str(), n.body.as_str()),
            (APP_NAME, "payment_intent.payment_failed", "1500 cents")
        );
        // The request-id hint is private to notify-rust; the desktop tests read it off the bus.
        assert!(
            n.hints
                .contains(&notify_rust::Hint::Urgency(notify_rust::Urgency::Critical))
        );
        assert_eq!(n.actions, vec![OPEN_ACTION.to_string(), "Open".to_string()]);
    }

    #[test]
    fn only_popups_about_a_request_on_a_server_with_actions_offer_to_open() {
        assert!(
            notification(&popup(Some("01ABC")), false)
                .actions
                .is_empty()
        );
        assert!(notification(&popup(None), true).actions.is_empty());
    }
}
