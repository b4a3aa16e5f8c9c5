//! At most one popup per kind and key per window: the first shows at once, the rest are
//! counted, and when the window ends one summary says how many more there were. A pure
//! state machine over explicit times, so it is table-tested without waiting.

use std::collections::HashMap;

use super::{NotificationKind, Popup};

#[derive(Debug)]
struct Window {
    ends_us: i64,
    folded: u32,
    last: Popup,
}

#[derive(Debug)]
pub struct Coalescer {
    window_us: i64,
    open: HashMap<(NotificationKind, String), Window>,
}

impl Coalescer {
    pub fn new(window_us: i64) -> Coalescer {
        Coalescer {
            window_us: window_us.max(1),
            open: HashMap::new(),
        }
    }

    pub fn set_window(&mut self, window_us: i64) {
        self.window_us = window_us.max(1);
    }

    /// `Some` when the popup shows now; `None` when it is folded into a later summary.
    pub fn offer(&mut self, now: i64, popup: Popup) -> Option<Popup> {
        let key = (popup.kind, popup.key.clone());
        match self.open.get_mut(&key) {
            Some(window) if now < window.ends_us => {
                window.folded += 1;
                window.last = popup;
                None
            }
            _ => {
                self.open.insert(
                    key,
                    Window {
                        ends_us: now + self.window_us,
                        folded: 0,
                        last: popup.clone(),
                    },
                );
                Some(popup)
            }
        }
    }

    /// Summaries of windows that ended with something folded; a summary opens a new window
    /// itself, so a storm shows one popup per window.
    pub fn due(&mut self, now: i64) -> Vec<Popup> {
        let ended: Vec<(NotificationKind, String)> = self
            .open
            .iter()
            .filter(|(_, w)| w.ends_us <= now)
            .map(|(k, _)| k.clone())
            .collect();
        let mut out = Vec::new();
        for key in ended {
            let Some(window) = self.open.remove(&key) else {
                continue;
            };
            if window.folded == 0 {
                continue;
            }
            let mut summary = window.last;
            summary.body = format!("{} — and {} more", summary.body, window.folded);
            self.open.insert(
                key,
                Window {
                    ends_us: now + self.window_us,
                    folded: 0,
                    last: summary.clone(),
                },
            );
            out.push(summary);
        }
        out
    }

    /// When the next window ends.
    pub fn next_deadline(&self) -> Option<i64> {
        self.open.values().map(|w| w.ends_us).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::Urgency;
    use NotificationKind::{DeliveryFailed, TargetDown};

    fn popup(kind: NotificationKind, key: &str, body: &str) -> Popup {
        Popup {
            kind,
            key: key.into(),
            title: "t".into(),
            body: body.into(),
            request_id: None,
            urgency: Urgency::Normal,
        }
    }

    #[test]
    fn a_storm_shows_one_popup_per_window_with_a_count() {
        let s = 1_000_000;
        let mut c = Coalescer::new(10 * s);
        assert!(
            c.offer(0, popup(DeliveryFailed, "a", "1")).is_some(),
            "first shows"
        );
        for i in 2..=38 {
            assert!(
                c.offer(i, popup(DeliveryFailed, "a", &i.to_string()))
                    .is_none()
            );
        }
        assert!(
            c.offer(5, popup(DeliveryFailed, "b", "other key"))
                .is_some()
        );
        assert!(c.offer(5, popup(TargetDown, "a", "other kind")).is_some());
        assert!(c.due(10 * s - 1).is_empty(), "window still open");
        assert_eq!(c.next_deadline(), Some(10 * s));
        let due = c.due(10 * s + 5);
        assert_eq!(due.len(), 1, "only the window with folded ones: {due:?}");
        assert_eq!(due[0].body, "38 — and 37 more");
        // The summary opened a new window: more of the storm is folded again.
        assert!(c.offer(11 * s, popup(DeliveryFailed, "a", "39")).is_none());
        assert_eq!(c.due(20 * s + 5)[0].body, "39 — and 1 more");
        // A quiet window closes silently, then the next one shows at once.
        assert!(c.due(31 * s).is_empty());
        assert!(c.offer(32 * s, popup(DeliveryFailed, "a", "40")).is_some());
    }
}
