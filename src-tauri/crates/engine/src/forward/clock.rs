//! Time for the forwarder, behind a trait so tests can drive retry timing by hand.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use futures_util::future::BoxFuture;
use tokio::sync::watch;

/// A source of "now" that can also wait for a moment.
pub trait Clock: Send + Sync + 'static {
    /// Microseconds since the Unix epoch.
    fn now_us(&self) -> i64;
    /// Resolves once `now_us() >= at_us`.
    fn sleep_until(&self, at_us: i64) -> BoxFuture<'static, ()>;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_us(&self) -> i64 {
        hooklens_store::now_us()
    }

    fn sleep_until(&self, at_us: i64) -> BoxFuture<'static, ()> {
        let wait = (at_us - self.now_us()).max(0) as u64;
        Box::pin(tokio::time::sleep(std::time::Duration::from_micros(wait)))
    }
}

/// A clock that moves only when told to: retry schedules are tested without waiting.
#[derive(Clone)]
pub struct ManualClock {
    now: Arc<AtomicI64>,
    moved: watch::Sender<i64>,
}

impl ManualClock {
    pub fn new(start_us: i64) -> ManualClock {
        ManualClock {
            now: Arc::new(AtomicI64::new(start_us)),
            moved: watch::channel(start_us).0,
        }
    }

    /// Moves time forward, waking whatever waits for a moment now past.
    pub fn advance(&self, by: std::time::Duration) {
        let now =
            self.now.fetch_add(by.as_micros() as i64, Ordering::SeqCst) + by.as_micros() as i64;
        self.moved.send_replace(now);
    }
}

impl Clock for ManualClock {
    fn now_us(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }

    fn sleep_until(&self, at_us: i64) -> BoxFuture<'static, ()> {
        let mut moved = self.moved.subscribe();
        Box::pin(async move {
            let _ = moved.wait_for(|now| *now >= at_us).await;
        })
    }
}
