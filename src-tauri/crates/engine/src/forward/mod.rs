//! Forwarding: a persistent delivery queue worked by one scheduler task.
//!
//! Deliveries live in the store, so a pending retry survives a crash or a quit. The
//! scheduler works the queue target by target: it asks when each target's earliest delivery
//! is due, leases due ones (a lease that lapses makes them due again: at least once) up to
//! what the target may have in flight, sends each attempt, stores it, and computes the next
//! one with [`retry`]. One slow or hanging target so holds at most [`LEASED_PER_TARGET`] of
//! the [`MAX_IN_FLIGHT`] deliveries in flight, and the others go on. A target that keeps
//! failing is marked down by its breaker: its deliveries wait (without using up their
//! retries) while one probe at a time checks it, and all flow again once it answers. Waiting
//! is the scheduler's decision alone: the queue's rows are not rewritten when a target goes
//! down or comes back.

mod breaker;
pub mod clock;
pub mod guard;
mod notices;
mod outcome;
mod plan;
pub mod retry;
pub(crate) mod routes;
mod send;
pub mod target;
mod words;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hooklens_store::{
    AttemptErrorKind, Delivery, DeliveryKind, DeliverySpec, DeliveryState, ForwardTarget,
    NewDelivery, Request, RetryPolicy, Store, StoreError,
};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::metrics::Metrics;
use crate::notify::Notifications;
use crate::{Event, EventBus};
use breaker::Breaker;
pub use breaker::TargetStatus;
use clock::Clock;
use guard::Guard;
use notices::Failure;
use plan::{Plan, plan};

/// Deliveries leased at once, over all targets.
const MAX_IN_FLIGHT: usize = 128;
/// Attempts sending at once to one target.
const PER_TARGET: usize = 8;
/// Deliveries of one target leased at once: sending, or waiting for one of its
/// [`PER_TARGET`] slots, so that each lease (a writer round trip) hands out a batch and the
/// next attempt goes as soon as a slot frees.
const LEASED_PER_TARGET: usize = 4 * PER_TARGET;
/// After a failure to read or lease the queue, try again this much later (µs).
const QUEUE_RETRY_US: i64 = 1_000_000;
/// The scheduler looks at the queue at least this often (µs), whatever it expects: other
/// instances sharing the database change it too (a replay queued there, a retry scheduled
/// there just before that instance died), and nothing tells this one.
const LOOK_EVERY_US: i64 = 60_000_000;

/// The forwarder: owns the HTTP client, the breakers and the scheduler's wake-up.
pub struct Forwarder {
    store: Store,
    clock: Arc<dyn Clock>,
    client: reqwest::Client,
    guard: Guard,
    wake: Notify,
    state: Mutex<State>,
    events: EventBus,
    notifications: Arc<Notifications>,
    metrics: Arc<Metrics>,
    /// How long a leased delivery is held, in µs (see [`Forwarder::set_lease`]).
    lease_us: AtomicU64,
}

#[derive(Default)]
struct State {
    breakers: HashMap<String, Breaker>,
    /// Leased deliveries per target (sending or waiting for a slot).
    in_flight: HashMap<String, usize>,
    total_in_flight: usize,
    /// Attempts sending at once per target.
    slots: HashMap<String, Arc<Semaphore>>,
}

impl Forwarder {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        events: EventBus,
        notifications: Arc<Notifications>,
        metrics: Arc<Metrics>,
        guard: Guard,
    ) -> Result<Arc<Forwarder>, reqwest::Error> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(guard.clone())
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(30))
            .build()?;
        Ok(Arc::new(Forwarder {
            store,
            clock,
            client,
            guard,
            wake: Notify::new(),
            state: Mutex::new(State::default()),
            events,
            notifications,
            metrics,
            lease_us: AtomicU64::new(DEFAULT_LEASE.as_micros() as u64),
        }))
    }

    /// How long a delivery this instance leases is held before it counts as abandoned and
    /// another instance (or this one, after a restart) may take it: what a crash costs in
    /// delivery delay. Longer than an attempt may last (10 min at most), or a slow attempt
    /// may be sent twice. Default [`DEFAULT_LEASE`].
    pub fn set_lease(&self, lease: Duration) {
        self.lease_us
            .store(lease.as_micros() as u64, Ordering::Relaxed);
    }

    /// Whether targets off loopback are allowed (the setting `allow_remote_targets`).
    pub fn set_allow_remote(&self, allow: bool) {
        self.guard.set_allow_remote(allow);
    }

    /// The loopback guard: targets asked for are checked with it before they are queued.
    pub fn guard(&self) -> &Guard {
        &self.guard
    }

    /// Queues every delivery that failed as `blocked` again (remote targets are now
    /// allowed); returns how many.
    pub async fn retry_blocked(&self) -> Result<u64, StoreError> {
        let n = self.store.retry_blocked(self.clock.now_us()).await?;
        if n > 0 {
            self.wake();
        }
        Ok(n)
    }

    /// Tells the scheduler that deliveries were queued.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub fn now_us(&self) -> i64 {
        self.clock.now_us()
    }

    /// Every target that has a breaker or pending deliveries.
    pub async fn targets(&self) -> Result<Vec<TargetStatus>, StoreError> {
        let pending = self.store.pending_by_target().await?;
        let state = self.lock();
        let mut out: Vec<TargetStatus> = state
            .breakers
            .iter()
            .map(|(target, b)| b.status(target, 0))
            .collect();
        for (target, count) in pending {
            match out.iter_mut().find(|t| t.target == target) {
                Some(t) => t.pending = count,
                None => out.push(Breaker::default().status(&target, count)),
            }
        }
        out.sort_by(|a, b| a.target.cmp(&b.target));
        Ok(out)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs the scheduler until `cancel`.
    pub async fn run(self: Arc<Self>, cancel: CancellationToken) {
        // Leases left by a previous process (killed mid-attempt) would otherwise hold their
        // deliveries back for the whole lease; nothing is in flight yet, so all are stale.
        match self.store.release_leases(self.clock.now_us()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                deliveries = n,
                "resuming deliveries in flight at the last stop"
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot release stale delivery leases; they resume when their leases lapse")
            }
        }
        loop {
            let now = self.clock.now_us();
            let plan = match self.store.due_by_target().await {
                Ok(due) => plan(&self.lock(), now, due),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the delivery queue; retrying");
                    Plan::retry_at(now + QUEUE_RETRY_US)
                }
            };
            let look = now + LOOK_EVERY_US;
            let mut wake_at = plan.wake_at.map_or(look, |at| at.min(look));
            let mut took_any = false;
            if !plan.take.is_empty() {
                let lease_until = now + self.lease_us.load(Ordering::Relaxed) as i64;
                match self.store.lease_due(now, lease_until, plan.take).await {
                    Ok(leased) => {
                        took_any = !leased.is_empty();
                        for delivery in leased {
                            let probe = plan.probes.contains(&delivery.target);
                            self.start(delivery, probe, lease_until);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot lease deliveries; retrying");
                        wake_at = now + QUEUE_RETRY_US;
                    }
                }
            }
            if took_any {
                continue; // plan again with what is now in flight
            }
            tokio::select! {
                () = self.clock.sleep_until(wake_at) => {}
                () = self.wake.notified() => {}
                () = cancel.cancelled() => return,
            }
        }
    }

    fn start(self: &Arc<Self>, delivery: Delivery, probe: bool, lease_until: i64) {
        let slots = {
            let mut state = self.lock();
            *state.in_flight.entry(delivery.target.clone()).or_default() += 1;
            state.total_in_flight += 1;
            if probe {
                state
                    .breakers
                    .entry(delivery.target.clone())
                    .or_default()
                    .probing(lease_until);
            }
            state
                .slots
                .entry(delivery.target.clone())
                .or_insert_with(|| Arc::new(Semaphore::new(PER_TARGET)))
                .clone()
        };
        let me = self.clone();
        tokio::spawn(async move {
            let target = delivery.target.clone();
            let span = attempt_span(&delivery);
            let slot = slots.acquire_owned().await;
            // Leased before its target went down: wait for the probe's outcome instead.
            let probe_at = if probe { None } else { me.next_probe(&target) };
            let sent = match probe_at {
                Some(at) => {
                    if let Err(e) = me.store.defer_delivery(delivery.seq, at).await {
                        tracing::warn!(error = %e, "cannot defer a delivery; its lease will lapse");
                    }
                    None
                }
                None => me.send(&delivery).instrument(span.clone()).await,
            };
            // The target is done with it: the slot and the lease count go to the next one
            // while the attempt is stored (the delivery stays leased until then).
            drop(slot);
            {
                let mut state = me.lock();
                if let Some(n) = state.in_flight.get_mut(&target) {
                    *n = n.saturating_sub(1);
                }
                state.total_in_flight = state.total_in_flight.saturating_sub(1);
            }
            me.wake.notify_one();
            if let Some(sent) = sent {
                me.finish(delivery, sent, probe).instrument(span).await;
            }
            if probe && let Some(breaker) = me.lock().breakers.get_mut(&target) {
                breaker.probe_ended(lease_until);
            }
            // Stored: the delivery's next time (or the probe's outcome) is now in the plan.
            me.wake.notify_one();
        });
    }

    fn next_probe(&self, target: &str) -> Option<i64> {
        self.lock()
            .breakers
            .get(target)
            .and_then(Breaker::next_probe)
    }

    /// One attempt of `delivery`, stored with its outcome, in a span naming the request.
    async fn attempt(&self, delivery: Delivery, probe: bool) {
        let span = attempt_span(&delivery);
        async move {
            if let Some(sent) = self.send(&delivery).await {
                self.finish(delivery, sent, probe).await;
            }
        }
        .instrument(span)
        .await
    }

    /// Sends one attempt of `delivery`; `None` when its request is gone or unreadable.
    async fn send(&self, delivery: &Delivery) -> Option<send::Sent> {
        let started_at = self.clock.now_us();
        let n = delivery.attempts + 1;
        let request = match self.store.get_request(&delivery.request_id).await {
            Ok(request) => request,
            Err(StoreError::NotFound(_)) => return None, // deleted meanwhile; its deliveries went too
            Err(e) => {
                tracing::warn!(error = %e, "cannot load a request to forward; will retry");
                return None;
            }
        };
        let timeout = Duration::from_millis(delivery.spec.retry.timeout_ms);
        Some(
            match send::outgoing(delivery, &request, started_at / 1_000_000) {
                Ok(out) => send::send(&self.client, &self.guard, out, n, started_at, timeout).await,
                Err(why) => send::Sent {
                    attempt: hooklens_store::Attempt {
                        n,
                        started_at_us: started_at,
                        duration_us: 0,
                        status: None,
                        response_headers: Vec::new(),
                        response_body: Vec::new(),
                        response_size: None,
                        error_kind: Some(AttemptErrorKind::Invalid),
                        error: Some(why),
                    },
                    retry_after: None,
                },
            },
        )
    }

    /// Updates the breaker, stores an attempt with what comes next, and tells listeners.
    async fn finish(&self, delivery: Delivery, sent: send::Sent, probe: bool) {
        let now = self.clock.now_us();
        let attempt = &sent.attempt;
        let status = attempt.status;
        let succeeded = status.is_some_and(|s| (200..300).contains(&s));
        let what = words::failure(&delivery, attempt);
        let target = delivery.target.clone();
        // The breaker first: a target this attempt leaves down holds the retry past its time.
        // A blocked attempt never reached the target: it says nothing about its health.
        let blocked = attempt.error_kind == Some(AttemptErrorKind::Blocked);
        let (change, probe_at) = {
            let mut state = self.lock();
            let breaker = state.breakers.entry(target.clone()).or_default();
            let started = attempt.started_at_us;
            let change = if blocked {
                None
            } else if succeeded || status.is_some_and(|s| s < 500 && s != 429) {
                breaker.success(started)
            } else {
                let max = Duration::from_millis(delivery.spec.retry.max_retry_after_ms);
                let retry_after = sent.retry_after.map(|d| d.min(max).as_micros() as i64);
                breaker.failure(now, started, probe, &what, retry_after)
            };
            (change, breaker.next_probe())
        };
        let outcome = outcome::outcome(&delivery, &sent, now, &what, probe_at);
        self.metrics.attempt(
            &target,
            status,
            attempt.error_kind,
            attempt.duration_us.max(0) as u64,
            match outcome.state {
                DeliveryState::Succeeded => Some(true),
                DeliveryState::Failed => Some(false),
                _ => None,
            },
        );
        tracing::debug!(
            status,
            error_kind = attempt.error_kind.map(AttemptErrorKind::as_str),
            duration_ms = attempt.duration_us as f64 / 1000.0,
            "delivery attempt"
        );
        let failure = (!succeeded).then(|| Failure {
            request_id: delivery.request_id.clone(),
            gave_up: outcome.state == DeliveryState::Failed,
            first: sent.attempt.n == 1,
            summary: outcome.summary.clone().unwrap_or_else(|| what.clone()),
        });
        let stored = self
            .store
            .record_attempt(delivery.seq, sent.attempt.clone(), outcome)
            .await;
        if let Some(failure) = failure {
            self.notify_failure(&target, failure);
        }
        if let Some(change) = change {
            self.target_changed(target, change).await;
        }
        match stored {
            Ok(delivery) => {
                self.events.emit(Event::DeliveryUpdated(Box::new(delivery)));
            }
            Err(StoreError::NotFound(_)) => {} // the request was deleted meanwhile
            Err(e) => tracing::warn!(error = %e, "cannot store a delivery attempt"),
        }
    }

    /// Makes one attempt of `delivery` now and returns it as it then stands (the command
    /// line's `hooklens replay`). A failed one stays queued with its next retry.
    pub async fn deliver_now(&self, delivery: Delivery) -> Result<Delivery, StoreError> {
        let id = delivery.id.clone();
        self.attempt(delivery, false).await;
        self.store.get_delivery(&id).await
    }

    /// Queues a delivery of a stored request (a replay, edited or not).
    pub async fn enqueue(
        &self,
        request_id: &str,
        new: NewDelivery,
    ) -> Result<Delivery, StoreError> {
        let delivery = self.store.enqueue_delivery(request_id, new).await?;
        self.wake();
        Ok(delivery)
    }

    /// Sends a relay attempt now, for a receiver waiting to answer its sender. The delivery
    /// was stored with the capture and leased past `timeout`, so the scheduler does not take
    /// it meanwhile; a failed relay is retried like any delivery.
    pub async fn relay(
        &self,
        delivery: Delivery,
        request: &Request,
        timeout: Duration,
    ) -> Option<hooklens_store::Attempt> {
        let span = attempt_span(&delivery);
        async move {
            let started_at = self.clock.now_us();
            let out = send::outgoing(&delivery, request, started_at / 1_000_000).ok()?;
            let sent = send::send(&self.client, &self.guard, out, 1, started_at, timeout).await;
            let attempt = sent.attempt.clone();
            self.finish(delivery, sent, false).await;
            Some(attempt)
        }
        .instrument(span)
        .await
    }
}

/// The span of one delivery attempt: the request it carries, the delivery, the attempt.
fn attempt_span(delivery: &Delivery) -> tracing::Span {
    tracing::info_span!(
        "attempt",
        request_id = %delivery.request_id,
        delivery_id = %delivery.id,
        n = delivery.attempts + 1,
    )
}

/// How long a leased delivery is held before it counts as abandoned, unless
/// [`Forwarder::set_lease`] says otherwise: longer than the longest attempt (10 min).
pub const DEFAULT_LEASE: Duration = Duration::from_secs(660);

/// A new delivery of a captured request to `target`.
pub fn new_delivery(
    kind: DeliveryKind,
    target: &ForwardTarget,
    url: String,
    retry: RetryPolicy,
    due_us: i64,
) -> NewDelivery {
    NewDelivery {
        id: ulid::Ulid::new().to_string(),
        kind,
        target: target.url.clone(),
        url,
        spec: DeliverySpec {
            retry,
            headers: target.headers.clone(),
            overrides: None,
            resign: target.resign.clone(),
        },
        next_attempt_at_us: due_us,
    }
}
