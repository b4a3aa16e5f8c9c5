//! `/api/v1/stats` (time-bucketed series for the Monitor's charts) and `/metrics`
//! (Prometheus text). Both read counters and stored minute rollups, never the request table.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use hooklens_store::hist::Counts;
use hooklens_store::{RollupRow, Store, now_us};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::Api;
use super::{ApiError, ApiResult};
use crate::metrics::Metrics;
use crate::metrics::rollup::{
    self, ATTEMPTS_FAILED, ATTEMPTS_OK, BACKLOG, LATENCY, REFUSED, REQUESTS, minute_of,
};

pub(super) fn router() -> OpenApiRouter<Api> {
    OpenApiRouter::new()
        .routes(routes!(stats))
        .routes(routes!(prometheus))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct StatsQuery {
    /// `15m` or `1h` (one-minute buckets), `24h` (15-minute buckets) or `7d` (hourly
    /// buckets). Default `1h`.
    window: Option<String>,
}

/// Series for charts: `timestamps` holds the start of each bucket (Unix seconds, oldest
/// first, `step` seconds apart, the last one the bucket in progress), and every array in the
/// series has exactly one value per timestamp, ready for uPlot's `[timestamps, ...series]`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stats {
    /// The window: `15m`, `1h`, `24h` or `7d`.
    pub window: String,
    /// Seconds per bucket.
    pub step: i64,
    /// Start of each bucket, Unix seconds.
    pub timestamps: Vec<i64>,
    /// Requests received per bucket, by endpoint (divide by `step` for a rate).
    pub incoming: Vec<CountSeries>,
    /// Requests not taken whole per bucket, by reason: `too_large`, `timeout`, `incomplete`,
    /// `not_stored`, `too_many_headers` (over 1,000 headers), `headers_too_large` (refused by
    /// the HTTP parser: over 2,000 headers or a 400 KiB head).
    pub refused: Vec<CountSeries>,
    /// Delivery attempts per bucket and target: answered 2xx, or not.
    pub deliveries: Vec<DeliverySeries>,
    /// Attempt latency percentiles per bucket and target.
    pub latency: Vec<LatencySeries>,
    /// Deliveries waiting for an attempt or a retry: the largest sample in each bucket
    /// (`null` where nothing was recorded).
    pub retry_backlog: Vec<Option<i64>>,
    /// Periods in the window during which a target was down or the tunnel was
    /// offline, oldest first.
    pub periods: Vec<PeriodJson>,
    /// Whether this process records metrics (`hooklens serve --no-metrics` turns it off;
    /// the series then hold only what was stored before).
    pub recording: bool,
}

/// Counts per bucket under one label.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountSeries {
    /// The endpoint name or the reason (`other` gathers labels past the cap).
    pub label: String,
    /// Sum over the window.
    pub total: u64,
    pub counts: Vec<u64>,
}

/// One target's attempts per bucket.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliverySeries {
    /// The target URL as configured (`other` past 32 targets).
    pub target: String,
    /// Attempts answered 2xx.
    pub succeeded: Vec<u64>,
    /// Attempts that failed (another status, or no answer).
    pub failed: Vec<u64>,
}

/// One target's attempt latency per bucket, in milliseconds, read from merged log-scale
/// histograms (within 9.1 % of the true value); `null` where no attempt was made.
#[derive(Debug, Serialize, ToSchema)]
pub struct LatencySeries {
    pub target: String,
    pub p50_ms: Vec<Option<f64>>,
    pub p95_ms: Vec<Option<f64>>,
    pub p99_ms: Vec<Option<f64>>,
    /// Attempts measured per bucket.
    pub attempts: Vec<u64>,
    /// Over the whole window.
    pub window_p50_ms: Option<f64>,
    pub window_p95_ms: Option<f64>,
    pub window_p99_ms: Option<f64>,
}

/// A down period, for a timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodJson {
    pub kind: hooklens_store::PeriodKind,
    /// The target URL, or the tunnel provider.
    pub subject: String,
    /// Unix seconds (fractional).
    pub from: f64,
    /// Unix seconds; `null` while it lasts.
    pub to: Option<f64>,
    /// Why, in words.
    pub reason: String,
}

/// (span, step) in seconds.
fn window(name: &str) -> Option<(i64, i64)> {
    match name {
        "15m" => Some((900, 60)),
        "1h" => Some((3_600, 60)),
        "24h" => Some((86_400, 900)),
        "7d" => Some((604_800, 3_600)),
        _ => None,
    }
}

/// Time-bucketed series for the Monitor: incoming rate per endpoint, delivery outcomes and
/// latency percentiles per target, the retry backlog, and down periods. History comes from
/// per-minute rollups in the store, so it survives a restart; the minute in progress from the
/// live counters.
#[utoipa::path(get, path = "/api/v1/stats", params(StatsQuery),
    responses((status = 200, body = Stats), (status = 400, body = super::types::ErrorBody)))]
async fn stats(
    State(metrics): State<Arc<Metrics>>,
    State(store): State<Store>,
    Query(query): Query<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    let name = query.window.unwrap_or_else(|| "1h".into());
    let (span, step) = window(&name)
        .ok_or_else(|| ApiError::invalid(format!("window {name:?}: use 15m, 1h, 24h or 7d")))?;
    let now = now_us();
    let (rows, live) = {
        // No rollup writes between reading the stored minutes and the live difference.
        let _flush = metrics.flush_lock.lock().await;
        let last_start = (now / 1_000_000).div_euclid(step) * step;
        let first_start = last_start - (span / step - 1) * step;
        let rows = store
            .rollups(first_start.div_euclid(60), minute_of(now))
            .await?;
        let live = metrics.enabled().then(|| {
            let (current, last) = metrics.unflushed();
            let backlog = metrics.backlog.load(std::sync::atomic::Ordering::Relaxed);
            rollup::rows(minute_of(now), &current, last.as_ref(), backlog)
        });
        (rows, live)
    };
    let periods = store
        .periods((now / 1_000_000 - span) * 1_000_000, now)
        .await?;
    let mut stats = bucketed(
        &name,
        span,
        step,
        now,
        rows.into_iter().chain(live.into_iter().flatten()),
    );
    stats.recording = metrics.enabled();
    stats.periods = periods
        .into_iter()
        .map(|p| PeriodJson {
            kind: p.kind,
            subject: p.subject,
            from: p.started_us as f64 / 1e6,
            to: p.ended_us.map(|e| e as f64 / 1e6),
            reason: p.reason,
        })
        .collect();
    Ok(Json(stats))
}

/// Folds minute rows into `span / step` buckets ending with the one holding `now_us`.
pub(crate) fn bucketed(
    name: &str,
    span: i64,
    step: i64,
    now_us: i64,
    rows: impl Iterator<Item = RollupRow>,
) -> Stats {
    let n = (span / step) as usize;
    let last_start = (now_us / 1_000_000).div_euclid(step) * step;
    let first_start = last_start - (n as i64 - 1) * step;
    let timestamps: Vec<i64> = (0..n as i64).map(|i| first_start + i * step).collect();
    let mut counts: BTreeMap<(&'static str, String), Vec<u64>> = BTreeMap::new();
    let mut hists: BTreeMap<String, Vec<Counts>> = BTreeMap::new();
    let mut backlog: Vec<Option<i64>> = vec![None; n];
    for row in rows {
        let at = row.minute * 60;
        if at < first_start || at >= last_start + step {
            continue;
        }
        let i = ((at - first_start) / step) as usize;
        let series = match row.series.as_str() {
            REQUESTS => REQUESTS,
            REFUSED => REFUSED,
            ATTEMPTS_OK => ATTEMPTS_OK,
            ATTEMPTS_FAILED => ATTEMPTS_FAILED,
            LATENCY => {
                if let Some(h) = row.hist {
                    hists
                        .entry(row.label)
                        .or_insert_with(|| vec![Counts::default(); n])[i]
                        .merge(&h);
                }
                continue;
            }
            BACKLOG => {
                backlog[i] = Some(backlog[i].map_or(row.value, |b| b.max(row.value)));
                continue;
            }
            _ => continue,
        };
        counts
            .entry((series, row.label))
            .or_insert_with(|| vec![0; n])[i] += row.value.max(0) as u64;
    }
    let count_series = |series: &str| -> Vec<CountSeries> {
        let mut out: Vec<CountSeries> = counts
            .iter()
            .filter(|((s, _), _)| *s == series)
            .map(|((_, label), counts)| CountSeries {
                label: label.clone(),
                total: counts.iter().sum(),
                counts: counts.clone(),
            })
            .collect();
        out.sort_by(|a, b| b.total.cmp(&a.total).then(a.label.cmp(&b.label)));
        out
    };
    let deliveries = delivery_series(&counts, hists.keys(), n);
    let latency = hists.into_iter().map(latency_series).collect();
    Stats {
        window: name.to_string(),
        step,
        incoming: count_series(REQUESTS),
        refused: count_series(REFUSED),
        deliveries,
        latency,
        retry_backlog: backlog,
        timestamps,
        periods: Vec::new(),
        recording: true,
    }
}

/// Attempts per bucket, succeeded and failed, of every target that has attempts or latency.
fn delivery_series<'a>(
    counts: &BTreeMap<(&'static str, String), Vec<u64>>,
    latency_targets: impl Iterator<Item = &'a String>,
    n: usize,
) -> Vec<DeliverySeries> {
    let mut targets: Vec<String> = counts
        .keys()
        .filter(|(s, _)| *s == ATTEMPTS_OK || *s == ATTEMPTS_FAILED)
        .map(|(_, t)| t.clone())
        .chain(latency_targets.cloned())
        .collect();
    targets.sort();
    targets.dedup();
    let zeros = vec![0; n];
    let series =
        |s: &'static str, t: &String| counts.get(&(s, t.clone())).unwrap_or(&zeros).clone();
    targets
        .iter()
        .map(|t| DeliverySeries {
            target: t.clone(),
            succeeded: series(ATTEMPTS_OK, t),
            failed: series(ATTEMPTS_FAILED, t),
        })
        .collect()
}

/// One target's latency percentiles per bucket and over the window, in ms (3 decimals).
fn latency_series((target, buckets): (String, Vec<Counts>)) -> LatencySeries {
    let ms = |c: &Counts, q: f64| {
        c.quantile_us(q)
            .map(|us| (us / 1000.0 * 1000.0).round() / 1000.0)
    };
    let mut all = Counts::default();
    for b in &buckets {
        all.merge(b);
    }
    LatencySeries {
        p50_ms: buckets.iter().map(|b| ms(b, 0.50)).collect(),
        p95_ms: buckets.iter().map(|b| ms(b, 0.95)).collect(),
        p99_ms: buckets.iter().map(|b| ms(b, 0.99)).collect(),
        attempts: buckets.iter().map(Counts::total).collect(),
        window_p50_ms: ms(&all, 0.50),
        window_p95_ms: ms(&all, 0.95),
        window_p99_ms: ms(&all, 0.99),
        target,
    }
}

/// The engine's counters in Prometheus text format (0.0.4): requests by endpoint, provider
/// and event type, and signature verdict; refusals; delivery attempts and latency by target;
/// the retry backlog; the store's batch sizes and commit latency; the search index lag;
/// tunnel time. Needs the token unless `serve --metrics-without-token`.
#[utoipa::path(get, path = "/metrics",
    responses(
        (status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 404, description = "metrics are turned off", body = super::types::ErrorBody)))]
async fn prometheus(
    State(metrics): State<Arc<Metrics>>,
    State(store): State<Store>,
) -> ApiResult<Response> {
    if !metrics.enabled() {
        return Err(ApiError::not_found(
            "metrics are turned off: start `hooklens serve` without --no-metrics (or unset \
             HOOKLENS_NO_METRICS) to record them",
        ));
    }
    let text = crate::metrics::prom::render(&metrics, &store).map_err(|_| {
        ApiError::new(
            http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "could not encode the metrics",
        )
    })?;
    Ok((
        [(
            http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(minute: i64, series: &str, label: &str, value: i64) -> RollupRow {
        RollupRow {
            minute,
            series: series.into(),
            label: label.into(),
            value,
            hist: None,
            gauge: false,
        }
    }

    #[test]
    fn minutes_fold_into_aligned_buckets() {
        // 24h window, 15-minute buckets; the bucket in progress began at minute M.
        const M: i64 = 15 * 6_666;
        let now = ((M + 10) * 60 + 30) * 1_000_000;
        let rows = vec![
            row(M + 10, REQUESTS, "a", 2),
            row(M + 9, REQUESTS, "a", 3),
            row(M - 1, REQUESTS, "b", 7),      // the bucket before
            row(M - 5_000, REQUESTS, "a", 50), // outside the window
            row(M + 10, BACKLOG, "", 4),
            row(M + 9, BACKLOG, "", 9),
        ];
        let s = bucketed("24h", 86_400, 900, now, rows.into_iter());
        assert_eq!(s.timestamps.len(), 96);
        assert_eq!(*s.timestamps.last().expect("last"), M * 60);
        assert!(s.timestamps.windows(2).all(|w| w[1] - w[0] == 900));
        let a = s.incoming.iter().find(|c| c.label == "a").expect("a");
        assert_eq!(a.total, 5);
        assert_eq!(a.counts[95], 5);
        let b = s.incoming.iter().find(|c| c.label == "b").expect("b");
        assert_eq!(b.counts[94], 7);
        assert_eq!(s.retry_backlog[95], Some(9), "the largest sample");
        assert_eq!(s.retry_backlog[94], None);
    }
}
