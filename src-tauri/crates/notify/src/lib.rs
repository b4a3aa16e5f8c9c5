//! Desktop notifications over the D-Bus session bus (notify-rust, pure Rust): the engine's
//! [`Notifier`] for the desktop app and for `hooklens serve --notify`. It needs no display,
//! only a notification server on the session bus; without one, each popup fails with a
//! logged warning and capture goes on.

use futures_util::future::BoxFuture;
use hooklens_engine::notify::{Notifier, Popup, Urgency};

/// Shows popups through the desktop's notification server.
pub struct DesktopNotifier;

/// The name notification servers show, and that tests look for.
pub const APP_NAME: &str = "Hooklens";

impl Notifier for DesktopNotifier {
    fn show(&self, popup: Popup) -> BoxFuture<'static, Result<(), String>> {
        Box::pin(async move {
            let mut n = notify_rust::Notification::new();
            n.appname(APP_NAME)
                .summary(&popup.title)
                .body(&popup.body)
                .urgency(match popup.urgency {
                    Urgency::Low => notify_rust::Urgency::Low,
                    Urgency::Normal => notify_rust::Urgency::Normal,
                    Urgency::Critical => notify_rust::Urgency::Critical,
                });
            if let Some(id) = &popup.request_id {
                // Lets the desktop shell open the request when the popup is clicked.
                n.hint(notify_rust::Hint::Custom(
                    "x-hooklens-request-id".into(),
                    id.clone(),
                ));
            }
            n.show_async()
                .await
                .map(|_| ())
                .map_err(|e| format!("the desktop did not take the notification: {e}"))
        })
    }
}
