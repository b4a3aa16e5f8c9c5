//! `/metrics`: the counters in Prometheus text format (0.0.4), encoded by `prometheus-client`
//! from a collector that reads the atomics at scrape time.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use hooklens_store::hist::{BUCKETS, Counts, bound_us};
use hooklens_store::{BATCH_BUCKETS, Store, now_us};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::registry::Registry;

use super::{Metrics, OUTCOMES};

/// The `/metrics` page, now.
pub(crate) fn render(metrics: &Arc<Metrics>, store: &Store) -> Result<String, std::fmt::Error> {
    let mut registry = Registry::default();
    registry.register_collector(Box::new(Scrape {
        metrics: metrics.clone(),
        store: store.clone(),
    }));
    let mut out = String::new();
    prometheus_client::encoding::prometheus_text::encode(&mut out, &registry)?;
    Ok(out)
}

struct Scrape {
    metrics: Arc<Metrics>,
    store: Store,
}

impl std::fmt::Debug for Scrape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scrape")
    }
}

fn counter<L: prometheus_client::encoding::EncodeLabelSet>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: impl IntoIterator<Item = (L, u64)>,
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, value) in series {
        ConstCounter::new(value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

fn gauge<
    L: prometheus_client::encoding::EncodeLabelSet,
    N: prometheus_client::encoding::EncodeGaugeValue,
>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    series: impl IntoIterator<Item = (L, N)>,
) -> Result<(), std::fmt::Error> {
    let mut family = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in series {
        ConstGauge::new(value).encode(family.encode_family(&labels)?)?;
    }
    Ok(())
}

/// One value without labels.
fn single(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    metric: &dyn EncodeMetric,
) -> Result<(), std::fmt::Error> {
    metric.encode(encoder.encode_descriptor(name, help, None, metric.metric_type())?)
}

/// Latency buckets for Prometheus: one per doubling (every fourth stored bound), in seconds.
fn seconds_buckets(counts: &Counts) -> Vec<(f64, u64)> {
    let mut out: Vec<(f64, u64)> = Vec::new();
    let mut acc = 0;
    for (i, n) in counts.0.iter().enumerate() {
        acc += n;
        if i % 4 == 0 || i + 1 == BUCKETS {
            out.push((bound_us(i) / 1e6, acc));
            acc = 0;
        }
    }
    out
}

impl Collector for Scrape {
    // Long: one call per metric family, in the order /metrics lists them.
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let m = &self.metrics;
        counter(
            &mut encoder,
            "hooklens_requests",
            "Requests captured, by endpoint (past 64 endpoints: other).",
            m.requests
                .snapshot()
                .into_iter()
                .map(|(e, [n])| ([("endpoint", e)], n)),
        )?;
        counter(
            &mut encoder,
            "hooklens_requests_by_event",
            "Requests from a recognised provider, by provider and event type (past 100 pairs: other).",
            m.events()
                .into_iter()
                .map(|(p, e, n)| ([("provider", p), ("event_type", e)], n)),
        )?;
        counter(
            &mut encoder,
            "hooklens_requests_by_signature",
            "Requests by signature verdict (valid, invalid, unconfigured).",
            m.signatures
                .snapshot()
                .into_iter()
                .map(|(s, [n])| ([("status", s)], n)),
        )?;
        counter(
            &mut encoder,
            "hooklens_refused",
            "Requests not taken whole: too_large (413), timeout (408), incomplete (400), not_stored (503), too_many_headers and headers_too_large (431).",
            m.refused
                .snapshot()
                .into_iter()
                .map(|(r, [n])| ([("reason", r)], n)),
        )?;
        let targets = m.targets();
        counter(
            &mut encoder,
            "hooklens_delivery_attempts",
            "Delivery attempts by target and outcome (ok, http_error, or the error kind).",
            targets.iter().flat_map(|t| {
                OUTCOMES
                    .iter()
                    .zip(t.attempts)
                    .filter(|(_, n)| *n > 0)
                    .map(|(o, n)| {
                        (
                            [("target", t.target.clone()), ("outcome", o.to_string())],
                            n,
                        )
                    })
            }),
        )?;
        counter(
            &mut encoder,
            "hooklens_deliveries_finished",
            "Deliveries finished, by target and state (succeeded, failed: gave up).",
            targets.iter().flat_map(|t| {
                [("succeeded", t.succeeded), ("failed", t.gave_up)]
                    .map(|(s, n)| ([("target", t.target.clone()), ("state", s.to_string())], n))
            }),
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "hooklens_delivery_attempt_duration_seconds",
                "Delivery attempt latency by target.",
                None,
                MetricType::Histogram,
            )?;
            for t in &targets {
                let labels = [("target", t.target.clone())];
                family
                    .encode_family(&labels)?
                    .encode_histogram::<NoLabelSet>(
                        t.latency_sum_us as f64 / 1e6,
                        t.latency.total(),
                        &seconds_buckets(&t.latency),
                        None,
                    )?;
            }
        }
        gauge(
            &mut encoder,
            "hooklens_target_up",
            "1 while a forward target answers, 0 while it is held as down.",
            targets
                .iter()
                .map(|t| ([("target", t.target.clone())], i64::from(!t.down))),
        )?;
        single(
            &mut encoder,
            "hooklens_retry_backlog",
            "Deliveries waiting for an attempt or a retry (sampled every 2 s).",
            &ConstGauge::new(m.backlog.load(Ordering::Relaxed)),
        )?;
        let (up, down) = m.tunnel_seconds(now_us());
        counter(
            &mut encoder,
            "hooklens_tunnel_seconds",
            "Seconds the public tunnel was online or not, since it was first opened.",
            [
                ([("state", "online")], up as u64),
                ([("state", "offline")], down as u64),
            ],
        )?;
        let w = self.store.writer_stats();
        {
            let mut family = encoder.encode_descriptor(
                "hooklens_store_batch_size",
                "Jobs committed per store transaction (group commit).",
                None,
                MetricType::Histogram,
            )?;
            let buckets: Vec<(f64, u64)> = (0..BATCH_BUCKETS)
                .map(|i| {
                    let bound = if i + 1 == BATCH_BUCKETS {
                        f64::INFINITY
                    } else {
                        (1u64 << i) as f64
                    };
                    (bound, w.batch_sizes[i].load(Ordering::Relaxed))
                })
                .collect();
            family.encode_histogram::<NoLabelSet>(
                w.jobs.load(Ordering::Relaxed) as f64,
                w.batches.load(Ordering::Relaxed),
                &buckets,
                None,
            )?;
        }
        {
            let mut family = encoder.encode_descriptor(
                "hooklens_store_commit_duration_seconds",
                "Time from BEGIN to the end of COMMIT of a store transaction.",
                None,
                MetricType::Histogram,
            )?;
            let counts = w.commit_latency.counts();
            family.encode_histogram::<NoLabelSet>(
                w.commit_latency.sum_us() as f64 / 1e6,
                counts.total(),
                &seconds_buckets(&counts),
                None,
            )?;
        }
        single(
            &mut encoder,
            "hooklens_store_commit_failures",
            "Store transactions that failed.",
            &ConstCounter::new(w.failed.load(Ordering::Relaxed)),
        )?;
        single(
            &mut encoder,
            "hooklens_search_index_lag",
            "Stored requests not yet searchable, as of the last indexing pass.",
            &ConstGauge::new(w.fts_lag.load(Ordering::Relaxed)),
        )?;
        Ok(())
    }
}
