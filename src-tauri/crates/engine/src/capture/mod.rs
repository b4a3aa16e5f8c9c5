//! Capture: what happens to a request from its first byte to its answer.

pub(crate) mod gate;

use std::sync::Arc;
use std::time::Duration;

use hooklens_store::Store;
use tokio_util::sync::CancellationToken;

use crate::catalog::Catalog;
use crate::events::EventBus;
use crate::forward::Forwarder;
use crate::forward::routes::Routes;
use crate::metrics::Metrics;
use crate::notify::Notifications;
use gate::CaptureGate;

/// How long and how large a body may be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimits {
    /// Larger bodies are refused (413) and recorded without their bytes.
    pub max: u64,
    /// A body that makes no progress for this long is stored as incomplete (408).
    pub stall: Duration,
    /// A body still arriving after this long is stored as incomplete (408).
    pub total: Duration,
}

/// Everything a capture reads or tells.
pub(crate) struct Pipeline {
    pub limits: BodyLimits,
    pub gate: Arc<CaptureGate>,
    pub catalog: Arc<Catalog>,
    pub routes: Arc<Routes>,
    pub store: Store,
    pub events: EventBus,
    pub metrics: Arc<Metrics>,
    pub notifications: Arc<Notifications>,
    pub forwarder: Arc<Forwarder>,
    /// An endpoint's answer delay ends early at shutdown.
    pub cancel: CancellationToken,
}
