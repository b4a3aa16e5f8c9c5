use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use hooklens_store::{Endpoint, Store, now_us};
use tokio::sync::{Notify, Semaphore, broadcast};
use tokio_util::sync::CancellationToken;

use crate::forward::Forwarder;
use crate::{Config, Event};

/// Where an endpoint's requests are forwarded (see [`Shared::forward_plan`]).
pub(crate) struct ForwardPlan<'a> {
    pub targets: &'a [hooklens_store::ForwardTarget],
    /// Stripped from the captured path when mapping it onto a target.
    pub prefix: Option<&'a str>,
    pub retry: hooklens_store::RetryPolicy,
    /// The global targets: only requests under `prefix` go there.
    pub global: bool,
}

/// Where the two listeners are bound.
pub(crate) struct Addrs {
    pub receiver: SocketAddr,
    pub api: SocketAddr,
}

/// What every handler shares.
pub(crate) struct Shared {
    pub config: Config,
    pub store: Store,
    pub events: broadcast::Sender<Event>,
    /// Named endpoints, refreshed after each change.
    endpoints: RwLock<Arc<Vec<Endpoint>>>,
    /// Enabled rules, compiled, in order; refreshed after each change.
    rules: RwLock<Arc<Vec<crate::rules::Compiled>>>,
    pub receiver_addr: SocketAddr,
    pub api_addr: SocketAddr,
    pub forwarder: Arc<Forwarder>,
    pub notifications: Arc<crate::notify::Notifications>,
    pub tunnels: crate::tunnel::Tunnels,
    pub metrics: Arc<crate::metrics::Metrics>,
    pub cancel: CancellationToken,
    /// Body bytes all requests in flight may hold together.
    pub body_budget: Arc<Semaphore>,
    /// Capture paused: the receiver answers 503 and stores nothing until resumed.
    paused: AtomicBool,
    /// Asks [`retention_loop`] for a pass now (new limits were saved).
    retention_now: Notify,
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Config,
        store: Store,
        endpoints: Vec<Endpoint>,
        rules: Vec<hooklens_store::Rule>,
        addrs: Addrs,
        events: broadcast::Sender<Event>,
        forwarder: Arc<Forwarder>,
        notifications: Arc<crate::notify::Notifications>,
        tunnels: crate::tunnel::Tunnels,
        metrics: Arc<crate::metrics::Metrics>,
        cancel: CancellationToken,
    ) -> Shared {
        Shared {
            body_budget: Arc::new(Semaphore::new(body_budget(config.max_body))),
            config,
            store,
            events,
            endpoints: RwLock::new(Arc::new(endpoints)),
            rules: RwLock::new(Arc::new(compiled(rules))),
            receiver_addr: addrs.receiver,
            api_addr: addrs.api,
            forwarder,
            notifications,
            tunnels,
            metrics,
            cancel,
            paused: AtomicBool::new(false),
            retention_now: Notify::new(),
        }
    }

    pub fn paused(&self) -> bool {
        self.paused.load(Ordering::Relaxed)
    }

    /// Pauses or resumes capture and tells subscribers when that changes anything.
    pub fn set_paused(&self, paused: bool) {
        if self.paused.swap(paused, Ordering::Relaxed) != paused {
            self.emit(Event::CaptureChanged { paused });
        }
    }

    /// Starts a retention pass in the background, after the one under way if any. Lowering a
    /// limit on a large store deletes for seconds or minutes: whoever saved it does not wait.
    pub fn apply_retention_soon(&self) {
        self.retention_now.notify_one();
    }

    pub fn emit(&self, event: Event) {
        let _ = self.events.send(event); // no subscribers is fine
    }

    /// The endpoint that takes `path`: the longest matching prefix.
    pub fn endpoint_for(&self, path: &str) -> Option<Endpoint> {
        let endpoints = self.endpoints.read().map(|e| e.clone()).ok()?;
        hooklens_store::endpoint_for(&endpoints, path).cloned()
    }

    /// Where requests to `endpoint` go: its own targets (under its prefix, with its retry
    /// policy), or else the global ones (`--forward-to`).
    pub fn forward_plan<'a>(&'a self, endpoint: Option<&'a Endpoint>) -> ForwardPlan<'a> {
        match endpoint {
            Some(e) if !e.forward.is_empty() => ForwardPlan {
                targets: &e.forward,
                prefix: Some(e.path.as_str()),
                retry: e.retry.clone().unwrap_or_else(|| self.config.retry.clone()),
                global: false,
            },
            _ => ForwardPlan {
                targets: &self.config.forward_to,
                prefix: self.config.forward_prefix.as_deref(),
                retry: self.config.retry.clone(),
                global: true,
            },
        }
    }

    /// Deliveries for rules' forward actions, to URLs not already delivered to.
    pub fn rule_deliveries(
        &self,
        urls: &[String],
        already: &[hooklens_store::NewDelivery],
        path: &str,
        query: Option<&str>,
    ) -> Vec<hooklens_store::NewDelivery> {
        urls.iter()
            .filter(|url| !already.iter().any(|d| d.target == **url))
            .filter_map(|url| {
                let target = hooklens_store::ForwardTarget {
                    url: url.clone(),
                    path: hooklens_store::PathMode::Keep,
                    headers: Vec::new(),
                    resign: None,
                };
                let mapped = crate::forward::target::map_url(&target, None, path, query).ok()?;
                Some(crate::forward::new_delivery(
                    hooklens_store::DeliveryKind::Auto,
                    &target,
                    mapped,
                    self.config.retry.clone(),
                    self.forwarder.now_us(),
                ))
            })
            .collect()
    }

    /// The deliveries a captured request starts: to its endpoint's targets, or else to the
    /// global ones. The first goes in relay mode when the endpoint relays.
    pub fn deliveries_for(
        &self,
        endpoint: Option<&Endpoint>,
        path: &str,
        query: Option<&str>,
        now_us: i64,
    ) -> Vec<hooklens_store::NewDelivery> {
        use hooklens_store::DeliveryKind;
        let ForwardPlan {
            targets,
            prefix,
            retry,
            global,
        } = self.forward_plan(endpoint);
        if global && prefix.is_some_and(|p| !hooklens_store::path_under(p, path)) {
            return Vec::new();
        }
        let relay = endpoint.and_then(|e| e.relay.as_ref());
        targets
            .iter()
            .enumerate()
            .filter_map(|(i, target)| {
                let url = match crate::forward::target::map_url(target, prefix, path, query) {
                    Ok(url) => url,
                    Err(e) => {
                        tracing::warn!(error = %e, "skipping a forward target");
                        return None;
                    }
                };
                let (kind, due) = match relay {
                    // Held while the receiver relays it; retried later if that fails.
                    Some(r) if i == 0 => (
                        DeliveryKind::Relay,
                        now_us + (r.timeout_ms as i64 + 5_000) * 1000,
                    ),
                    _ => (DeliveryKind::Auto, now_us),
                };
                Some(crate::forward::new_delivery(
                    kind,
                    target,
                    url,
                    retry.clone(),
                    due,
                ))
            })
            .collect()
    }

    /// The enabled rules, compiled.
    pub fn rules(&self) -> Arc<Vec<crate::rules::Compiled>> {
        self.rules.read().map(|r| r.clone()).unwrap_or_default()
    }

    /// Re-reads rules after a change and tells subscribers.
    pub async fn reload_rules(&self) -> Result<(), hooklens_store::StoreError> {
        let fresh = compiled(self.store.list_rules().await?);
        if let Ok(mut rules) = self.rules.write() {
            *rules = Arc::new(fresh);
        }
        self.emit(Event::RulesChanged);
        Ok(())
    }

    /// Re-reads endpoints after a change and tells subscribers.
    pub async fn reload_endpoints(&self) -> Result<(), hooklens_store::StoreError> {
        let fresh = self.store.list_endpoints().await?;
        if let Ok(mut endpoints) = self.endpoints.write() {
            *endpoints = Arc::new(fresh);
        }
        self.emit(Event::EndpointsChanged);
        Ok(())
    }
}

/// Memory for bodies in flight: 512 MiB, or room for four of the largest allowed.
fn body_budget(max_body: u64) -> usize {
    (512u64 << 20)
        .max(max_body.saturating_mul(4))
        .min(Semaphore::MAX_PERMITS as u64) as usize
}

/// Enabled rules that compile; one that does not (stored by an older version, say) is
/// skipped with a warning rather than stopping capture.
fn compiled(rules: Vec<hooklens_store::Rule>) -> Vec<crate::rules::Compiled> {
    rules
        .iter()
        .filter(|r| r.spec.enabled)
        .filter_map(|r| match crate::rules::compile(r) {
            Ok(c) => Some(c),
            Err(e) => {
                tracing::warn!(rule = %r.id, error = %e, "skipping a rule that does not compile");
                None
            }
        })
        .collect()
}

/// Streams tunnel status changes, and notifies when an online tunnel drops or comes back.
pub(crate) async fn tunnel_watch(shared: Arc<Shared>) {
    use crate::notify::{Popup, Urgency};
    use crate::tunnel::TunnelState;
    let mut status = shared.tunnels.subscribe();
    let mut last = status.borrow().state;
    loop {
        tokio::select! {
            changed = status.changed() => if changed.is_err() { return },
            () = shared.cancel.cancelled() => return,
        }
        let now = status.borrow_and_update().clone();
        let popup = match (last, now.state) {
            (TunnelState::Online, TunnelState::Reconnecting) => Some((
                "Tunnel dropped",
                now.error.clone().unwrap_or_default() + "; reconnecting",
                Urgency::Critical,
            )),
            (TunnelState::Reconnecting, TunnelState::Online) => Some((
                "Tunnel back",
                now.public_url.clone().unwrap_or_default(),
                Urgency::Low,
            )),
            _ => None,
        };
        if let Some((title, body, urgency)) = popup {
            shared.notifications.raise(Popup {
                kind: hooklens_store::NotificationKind::Tunnel,
                key: now.provider.clone().unwrap_or_default(),
                title: title.into(),
                body,
                request_id: None,
                urgency,
            });
        }
        record_tunnel(&shared, last, &now).await;
        last = now.state;
        shared.emit(Event::TunnelStatus(Box::new(now)));
    }
}

/// Tunnel time and down periods: down from a drop (or a failure to connect) until online.
async fn record_tunnel(
    shared: &Shared,
    last: crate::tunnel::TunnelState,
    now: &crate::tunnel::TunnelStatus,
) {
    use crate::tunnel::TunnelState;
    let at = now_us();
    let provider = now.provider.clone().unwrap_or_default();
    let down = matches!(now.state, TunnelState::Reconnecting | TunnelState::Error);
    match now.state {
        TunnelState::Online => shared.metrics.tunnel(Some(true), at),
        TunnelState::Off => shared.metrics.tunnel(None, at),
        _ if down => shared.metrics.tunnel(Some(false), at),
        _ => {}
    }
    let was_down = matches!(last, TunnelState::Reconnecting | TunnelState::Error);
    let result = if down && !was_down {
        shared
            .store
            .open_period(hooklens_store::Period {
                kind: hooklens_store::PeriodKind::TunnelDown,
                subject: provider,
                started_us: at,
                ended_us: None,
                reason: now.error.clone().unwrap_or_default(),
            })
            .await
    } else if !down && was_down {
        // Closed by hand, the status names no provider any more: end whichever was open.
        shared
            .store
            .close_period(Some(hooklens_store::PeriodKind::TunnelDown), None, at)
            .await
    } else {
        Ok(())
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record a tunnel down period");
    }
}

/// Applies the retention settings now and then, and when asked, until shutdown. Shutdown
/// does not wait for a pass: a large backlog is deleted over many chunks, and the rest waits
/// for the next run.
pub(crate) async fn retention_loop(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(shared.config.retention_every);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = shared.retention_now.notified() => {}
            () = shared.cancel.cancelled() => return,
        }
        tokio::select! {
            () = apply_retention(&shared) => {}
            () = shared.cancel.cancelled() => return,
        }
    }
}

async fn apply_retention(shared: &Shared) {
    let limits = match shared.store.settings().await {
        Ok(settings) => settings.retention,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read settings for retention");
            return;
        }
    };
    match shared.store.apply_retention(limits, now_us()).await {
        Ok(report) if report.total() > 0 => {
            tracing::info!(?report, "retention deleted old requests");
            shared.emit(Event::RequestsRemoved {
                count: report.total(),
                reason: "retention",
            });
        }
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "retention failed; will retry"),
    }
}
