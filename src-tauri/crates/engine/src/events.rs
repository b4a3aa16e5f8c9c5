//! Live events: what changed, in the engine's own terms (store and domain types), broadcast
//! to every subscriber. The API's stream maps each to its wire form (`api/events.rs`), the
//! desktop's tray and `hooklens listen` read them as they are.

use serde::Serialize;
use tokio::sync::broadcast;
use utoipa::ToSchema;

/// Where every part that changes something says so; the API's live stream, the desktop's
/// tray and `hooklens listen` subscribe. Cheap to clone. Nobody listening is fine: the event
/// is dropped.
#[derive(Clone)]
pub struct EventBus(broadcast::Sender<Event>);

impl EventBus {
    /// A bus that keeps up to `capacity` events for a slow subscriber, which then skips
    /// the older ones (and is told how many).
    pub fn new(capacity: usize) -> EventBus {
        EventBus(broadcast::channel(capacity).0)
    }

    pub fn emit(&self, event: Event) {
        let _ = self.0.send(event); // no subscribers is fine
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.0.subscribe()
    }

    /// Whether anyone listens: events that cost something to build are built only then.
    pub fn listened(&self) -> bool {
        self.0.receiver_count() > 0
    }
}

/// Why unpinned requests were deleted in bulk: a closed set, written on the live stream as
/// its `snake_case` word (`cleared`, `retention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RemovalReason {
    /// Someone cleared the list (`DELETE /api/v1/requests`).
    Cleared,
    /// The retention pass, keeping within the settings' limits.
    Retention,
}

/// Something that changed, as the live stream reports it.
#[derive(Debug, Clone)]
pub enum Event {
    /// A request was stored (sent after the commit, before the sender gets its answer);
    /// without its body, its delivery summary `Pending` when it is forwarded.
    RequestCaptured(Box<hooklens_store::Request>),
    /// A request was pinned, unpinned, tagged or untagged.
    RequestUpdated {
        id: String,
        pinned: bool,
        tags: Vec<String>,
    },
    RequestDeleted {
        id: String,
    },
    /// Unpinned requests were deleted in bulk (clear or retention).
    RequestsRemoved {
        count: u64,
        reason: RemovalReason,
    },
    /// Requests were brought back from a file (`hooklens import`, a file dropped on the
    /// window): lists re-read.
    RequestsImported {
        count: u64,
    },
    EndpointsChanged,
    RulesChanged,
    SettingsChanged,
    /// A delivery was queued, attempted, succeeded or gave up.
    DeliveryUpdated(Box<hooklens_store::Delivery>),
    /// A forward target went down (`down` says why) or came back (`None`).
    TargetChanged {
        target: String,
        down: Option<String>,
    },
    /// The tunnel's state changed.
    TunnelStatus(Box<crate::tunnel::TunnelStatus>),
    /// The relay subscription's state changed, or how far behind it is.
    RelayStatus(Box<crate::relay::RelayStatus>),
    /// A notification was raised (shown or folded into a summary).
    NotificationRaised(Box<hooklens_store::StoredNotification>),
    /// The counters moved (sent at most every two seconds, only when something changed).
    StatsUpdated(Box<crate::metrics::rollup::StatsSummary>),
    /// Capture was paused or resumed.
    CaptureChanged {
        paused: bool,
    },
}
