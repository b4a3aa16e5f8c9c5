//! The capture gate: whether capture is paused, and the memory all bodies in flight may
//! hold together. Both are checked before a body is read.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Semaphore;

use crate::events::{Event, EventBus};

/// Pause and body budget, shared by the receiver, the tunnel ingress and the API.
pub(crate) struct CaptureGate {
    /// Capture paused: the receiver answers 503 and stores nothing until resumed.
    paused: AtomicBool,
    /// Body bytes all requests in flight may hold together; a body waits for room (the
    /// sender sees back-pressure) and counts as stalled if none frees up.
    budget: Arc<Semaphore>,
    events: EventBus,
}

impl CaptureGate {
    /// Open, with room for bodies of up to `max_body` bytes (see [`body_budget`]).
    pub fn new(max_body: u64, events: EventBus) -> CaptureGate {
        CaptureGate {
            paused: AtomicBool::new(false),
            budget: Arc::new(Semaphore::new(body_budget(max_body))),
            events,
        }
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Pauses or resumes capture and tells subscribers when that changes anything.
    pub fn set_paused(&self, paused: bool) {
        if self.paused.swap(paused, Ordering::Relaxed) != paused {
            self.events.emit(Event::CaptureChanged { paused });
        }
    }

    /// The memory budget bodies are read into.
    pub fn budget(&self) -> &Arc<Semaphore> {
        &self.budget
    }
}

/// Memory for bodies in flight: 512 MiB, or room for four of the largest allowed.
fn body_budget(max_body: u64) -> usize {
    (512u64 << 20)
        .max(max_body.saturating_mul(4))
        .min(Semaphore::MAX_PERMITS as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_four_of_the_largest_bodies_and_at_least_512_mib() {
        for (max_body, want) in [
            (25 << 20, 512 << 20),
            (1 << 30, 4 << 30),
            (u64::MAX, Semaphore::MAX_PERMITS),
        ] {
            assert_eq!(body_budget(max_body), want, "{max_body}");
        }
    }

    #[test]
    fn only_a_change_is_announced() {
        let events = EventBus::new(8);
        let mut heard = events.subscribe();
        let gate = CaptureGate::new(1 << 20, events);
        gate.set_paused(false);
        assert!(heard.try_recv().is_err(), "already running: nothing to say");
        gate.set_paused(true);
        gate.set_paused(true);
        assert!(gate.paused());
        assert!(matches!(
            heard.try_recv(),
            Ok(Event::CaptureChanged { paused: true })
        ));
        assert!(heard.try_recv().is_err(), "once");
    }
}
