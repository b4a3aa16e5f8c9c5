//! `hooklens replay`: send a stored request again, straight from the store.

use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::Args;
use hooklens_engine::forward::clock::SystemClock;
use hooklens_engine::forward::guard::{Guard, SystemResolver};
use hooklens_engine::forward::{Forwarder, new_delivery, target::map_url};
use hooklens_engine::notify::{LogNotifier, Notifications};
use hooklens_store::{DeliveryKind, DeliveryState, ForwardTarget, PathMode, RetryPolicy};

use hooklens_cli::{DataDir, Database};

#[derive(Args)]
pub struct ReplayArgs {
    /// The request's id (from the inspector, the API or `hooklens listen`).
    id: String,
    /// Send it to this URL exactly (plus its query). Default: its endpoint's first target.
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    database: Database,
}

pub async fn run(args: ReplayArgs) -> Result<()> {
    let store = args.database.open_store(args.data).await?;
    let request = store
        .get_request(&args.id)
        .await
        .with_context(|| format!("cannot replay {}", args.id))?;
    let endpoints = store.list_endpoints().await?;
    let endpoint = hooklens_store::endpoint_for(&endpoints, &request.meta.path);
    let (target, prefix) = match (&args.to, endpoint) {
        (Some(url), _) => (
            ForwardTarget {
                url: url.clone(),
                path: PathMode::Fixed,
                headers: Vec::new(),
                resign: None,
            },
            None,
        ),
        (None, Some(e)) if !e.forward.is_empty() => (e.forward[0].clone(), Some(e.path.as_str())),
        (None, _) => bail!("{} has no forward target: pass --to URL", args.id),
    };
    let url = map_url(
        &target,
        prefix,
        &request.meta.path,
        request.meta.query.as_deref(),
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    let settings = store.settings().await?;
    let events = hooklens_engine::EventBus::new(16);
    let notifications = Notifications::new(
        store.clone(),
        Arc::new(LogNotifier),
        Arc::new(SystemClock),
        settings.notifications.clone(),
        events.clone(),
    );
    let forwarder = Forwarder::new(
        store.clone(),
        Arc::new(SystemClock),
        events,
        notifications,
        // A one-off attempt: nothing scrapes or rolls up this process's counters.
        Arc::new(hooklens_engine::metrics::Metrics::new(false)),
        Guard::new(Arc::new(SystemResolver), settings.allow_remote_targets),
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    // Due in a minute: a running `hooklens serve` leaves it alone while we try it here.
    let due = hooklens_store::now_us() + 60_000_000;
    let new = new_delivery(
        DeliveryKind::Replay,
        &target,
        url,
        RetryPolicy::default(),
        due,
    );
    let delivery = store.enqueue_delivery(&args.id, new).await?;
    let delivery = forwarder.deliver_now(delivery).await?;
    let attempts = store.attempts(delivery.seq).await?;
    store.close().await?;
    let latency = attempts
        .last()
        .map_or(0.0, |a| a.duration_us as f64 / 1000.0);
    match delivery.state {
        DeliveryState::Succeeded => {
            println!(
                "{} {} → {} in {latency:.0} ms",
                request.meta.method,
                delivery.url,
                delivery.last_status.unwrap_or_default()
            );
            Ok(())
        }
        _ => bail!(
            "{}{}",
            delivery
                .last_error
                .unwrap_or_else(|| "replay failed".into()),
            if delivery.state == DeliveryState::Pending {
                " (a running `hooklens serve` with this data dir will retry it)"
            } else {
                ""
            }
        ),
    }
}
