//! Metrics kept on the hot path: relaxed atomic counters and fixed-bucket histograms, never a
//! query. Labels come from bounded sets ([`Labels`]): past a set's cap, new values (a sender
//! inventing event types, say) fold into `other`, so memory and the `/metrics` page stay
//! bounded whatever arrives.
//!
//! Three readers: `/metrics` (Prometheus text, [`prom`]), the minute rollups written to the
//! store for the Monitor's history ([`rollup`]), and `GET /api/v1/stats`, which reads the
//! stored minutes plus the minute in progress ([`Metrics::unflushed`]).

pub(crate) mod prom;
pub(crate) mod rollup;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use hooklens_store::hist::{AtomicHistogram, Counts};
use hooklens_store::{AttemptErrorKind, SignatureStatus};

/// Distinct endpoints counted apart.
const MAX_ENDPOINTS: usize = 64;
/// Distinct (provider, event type) pairs counted apart.
const MAX_EVENT_TYPES: usize = 100;
/// Distinct signature verdicts, refusal reasons.
const MAX_SMALL: usize = 16;
/// Distinct forward targets counted apart.
const MAX_TARGETS: usize = 32;

/// The label every value past a set's cap counts under.
pub const OTHER: &str = "other";

/// How an attempt ended, as counted: `ok`, `http_error` (an answer other than 2xx), or the
/// error kind the forwarder named.
pub const OUTCOMES: [&str; 10] = [
    "ok",
    "http_error",
    "refused",
    "timeout",
    "dns",
    "tls",
    "reset",
    "blocked",
    "invalid",
    "other",
];

/// A bounded set of label values, each given a slot once. Slot 0 is [`OTHER`].
#[derive(Debug)]
pub(crate) struct Labels {
    cap: usize,
    slots: RwLock<Slots>,
}

#[derive(Debug, Default)]
struct Slots {
    index: HashMap<String, usize>,
    names: Vec<String>,
}

impl Labels {
    fn new(cap: usize) -> Labels {
        Labels {
            cap,
            slots: RwLock::new(Slots {
                index: HashMap::new(),
                names: vec![OTHER.to_string()],
            }),
        }
    }

    /// The slot of `value`, given one if there is room, else [`OTHER`]'s.
    fn slot(&self, value: &str) -> usize {
        if let Ok(slots) = self.slots.read()
            && let Some(&i) = slots.index.get(value)
        {
            return i;
        }
        let Ok(mut slots) = self.slots.write() else {
            return 0;
        };
        if let Some(&i) = slots.index.get(value) {
            return i;
        }
        if value == OTHER || slots.names.len() > self.cap {
            return 0;
        }
        let i = slots.names.len();
        slots.names.push(value.to_string());
        slots.index.insert(value.to_string(), i);
        i
    }

    fn names(&self) -> Vec<String> {
        self.slots
            .read()
            .map(|s| s.names.clone())
            .unwrap_or_default()
    }
}

/// Counters under one bounded label, `K` of them per value.
#[derive(Debug)]
pub(crate) struct Family<const K: usize> {
    labels: Labels,
    values: Box<[[AtomicU64; K]]>,
}

impl<const K: usize> Family<K> {
    fn new(cap: usize) -> Self {
        Family {
            labels: Labels::new(cap),
            values: (0..=cap)
                .map(|_| std::array::from_fn(|_| AtomicU64::new(0)))
                .collect(),
        }
    }

    fn add(&self, label: &str, k: usize, n: u64) -> usize {
        let slot = self.labels.slot(label);
        self.values[slot][k].fetch_add(n, Ordering::Relaxed);
        slot
    }

    /// Every label with its counters; `other` only when it counted something.
    pub fn snapshot(&self) -> Vec<(String, [u64; K])> {
        self.labels
            .names()
            .into_iter()
            .enumerate()
            .map(|(i, name)| {
                let v: [u64; K] =
                    std::array::from_fn(|k| self.values[i][k].load(Ordering::Relaxed));
                (name, v)
            })
            .filter(|(name, v)| name != OTHER || v.iter().any(|n| *n > 0))
            .collect()
    }
}

/// Per target: attempts by outcome, finished deliveries, latency, and whether it is down.
#[derive(Debug)]
pub(crate) struct Targets {
    /// `OUTCOMES` counters, then deliveries succeeded and given up.
    counts: Family<{ OUTCOMES.len() + 2 }>,
    latency: Box<[AtomicHistogram]>,
    down: Box<[AtomicU64]>,
}

const SUCCEEDED: usize = OUTCOMES.len();
const GAVE_UP: usize = OUTCOMES.len() + 1;

/// One target's figures, as read.
#[derive(Debug, Clone)]
pub(crate) struct TargetSnapshot {
    pub target: String,
    pub attempts: [u64; OUTCOMES.len()],
    pub succeeded: u64,
    pub gave_up: u64,
    pub latency: Counts,
    pub latency_sum_us: u64,
    pub down: bool,
}

impl TargetSnapshot {
    pub fn attempts_ok(&self) -> u64 {
        self.attempts[0]
    }

    pub fn attempts_failed(&self) -> u64 {
        self.attempts[1..].iter().sum()
    }
}

/// The engine's metrics. Recording does nothing when they are turned off.
#[derive(Debug)]
pub struct Metrics {
    enabled: bool,
    pub(crate) requests: Family<1>,
    /// Keyed `provider\u{1f}event type`.
    pub(crate) events: Family<1>,
    pub(crate) signatures: Family<1>,
    pub(crate) refused: Family<1>,
    pub(crate) targets: Targets,
    /// Pending deliveries, as last sampled from the store (not on the hot path).
    pub(crate) backlog: AtomicI64,
    /// Tunnel: seconds online and offline before the current state, the state's start (µs),
    /// and whether it is online.
    tunnel: Mutex<TunnelTime>,
    /// What the last rollup flushed, so the minute in progress is the difference.
    flushed: Mutex<Option<Snapshot>>,
    /// Held while a rollup is written, and while the stats read stored minutes plus the
    /// live difference, so a minute is never counted twice.
    pub(crate) flush_lock: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default, Clone, Copy)]
struct TunnelTime {
    up_us: i64,
    down_us: i64,
    since_us: Option<i64>,
    online: bool,
}

/// Counters as read at one moment; two of them subtract into a minute.
#[derive(Debug, Clone, Default)]
pub(crate) struct Snapshot {
    pub requests: Vec<(String, u64)>,
    pub refused: Vec<(String, u64)>,
    pub targets: Vec<TargetSnapshot>,
}

/// Separates provider and event type in one label key.
const SEP: char = '\u{1f}';

impl Metrics {
    pub fn new(enabled: bool) -> Metrics {
        Metrics {
            enabled,
            requests: Family::new(MAX_ENDPOINTS),
            events: Family::new(MAX_EVENT_TYPES),
            signatures: Family::new(MAX_SMALL),
            refused: Family::new(MAX_SMALL),
            targets: Targets {
                counts: Family::new(MAX_TARGETS),
                latency: (0..=MAX_TARGETS)
                    .map(|_| AtomicHistogram::default())
                    .collect(),
                down: (0..=MAX_TARGETS).map(|_| AtomicU64::new(0)).collect(),
            },
            backlog: AtomicI64::new(0),
            tunnel: Mutex::new(TunnelTime::default()),
            flushed: Mutex::new(None),
            flush_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A captured request: its endpoint, provider and event type, signature verdict, and the
    /// refusal reason when it was not taken whole (`too_large`, `timeout`, `incomplete`).
    pub fn request(
        &self,
        endpoint: &str,
        provider: Option<&str>,
        event_type: Option<&str>,
        signature: SignatureStatus,
        refused: Option<&str>,
    ) {
        if !self.enabled {
            return;
        }
        self.requests.add(endpoint, 0, 1);
        if let Some(provider) = provider {
            let mut key = String::with_capacity(provider.len() + 40);
            key.push_str(provider);
            key.push(SEP);
            key.push_str(event_type.unwrap_or(""));
            self.events.add(&key, 0, 1);
        }
        self.signatures.add(signature.as_str(), 0, 1);
        if let Some(reason) = refused {
            self.refused.add(reason, 0, 1);
        }
    }

    /// A request refused before capture (`not_stored` when the store could not keep it,
    /// `too_many_headers`, `headers_too_large`).
    pub(crate) fn refused(&self, reason: &str) {
        if self.enabled {
            self.refused.add(reason, 0, 1);
        }
    }

    /// One delivery attempt: `status` or `error_kind`, how long it took, and whether the
    /// delivery is now finished (`Some(true)` succeeded, `Some(false)` given up).
    pub fn attempt(
        &self,
        target: &str,
        status: Option<u16>,
        error_kind: Option<AttemptErrorKind>,
        duration_us: u64,
        finished: Option<bool>,
    ) {
        if !self.enabled {
            return;
        }
        let outcome = match (status, error_kind) {
            (Some(s), _) if (200..300).contains(&s) => 0,
            (Some(_), _) => 1,
            (None, Some(kind)) => OUTCOMES
                .iter()
                .position(|o| *o == kind.as_str())
                .unwrap_or(OUTCOMES.len() - 1),
            (None, None) => OUTCOMES.len() - 1,
        };
        let slot = self.targets.counts.add(target, outcome, 1);
        self.targets.latency[slot].record_us(duration_us);
        match finished {
            Some(true) => {
                self.targets.counts.values[slot][SUCCEEDED].fetch_add(1, Ordering::Relaxed)
            }
            Some(false) => {
                self.targets.counts.values[slot][GAVE_UP].fetch_add(1, Ordering::Relaxed)
            }
            None => 0,
        };
    }

    /// A target went down or came back.
    pub(crate) fn target_down(&self, target: &str, down: bool) {
        if !self.enabled {
            return;
        }
        let slot = self.targets.counts.labels.slot(target);
        self.targets.down[slot].store(u64::from(down), Ordering::Relaxed);
    }

    /// The tunnel went online (`Some(true)`), offline (`Some(false)`) or was closed (`None`)
    /// at `at_us`.
    pub(crate) fn tunnel(&self, online: Option<bool>, at_us: i64) {
        let Ok(mut t) = self.tunnel.lock() else {
            return;
        };
        if let Some(since) = t.since_us {
            let spent = (at_us - since).max(0);
            if t.online {
                t.up_us += spent;
            } else {
                t.down_us += spent;
            }
        }
        t.since_us = online.map(|_| at_us);
        t.online = online == Some(true);
    }

    /// Seconds the tunnel was online and not (once opened), up to `now_us`.
    pub(crate) fn tunnel_seconds(&self, now_us: i64) -> (f64, f64) {
        let t = self.tunnel.lock().map(|t| *t).unwrap_or_default();
        let current = t.since_us.map_or(0, |s| (now_us - s).max(0));
        let (up, down) = if t.online {
            (t.up_us + current, t.down_us)
        } else {
            (t.up_us, t.down_us + current)
        };
        (up as f64 / 1e6, down as f64 / 1e6)
    }

    /// Requests by provider and event type.
    pub(crate) fn events(&self) -> Vec<(String, String, u64)> {
        self.events
            .snapshot()
            .into_iter()
            .map(|(key, [n])| match key.split_once(SEP) {
                Some((p, e)) => (p.to_string(), e.to_string(), n),
                None => (key, String::new(), n),
            })
            .collect()
    }

    pub(crate) fn targets(&self) -> Vec<TargetSnapshot> {
        self.targets
            .counts
            .snapshot()
            .into_iter()
            .map(|(target, v)| {
                let slot = self.targets.counts.labels.slot(&target);
                let latency = &self.targets.latency[slot];
                TargetSnapshot {
                    attempts: std::array::from_fn(|k| v[k]),
                    succeeded: v[SUCCEEDED],
                    gave_up: v[GAVE_UP],
                    latency: latency.counts(),
                    latency_sum_us: latency.sum_us(),
                    down: self.targets.down[slot].load(Ordering::Relaxed) == 1,
                    target,
                }
            })
            .collect()
    }

    /// Everything the rollups keep, now.
    pub(crate) fn snapshot(&self) -> Snapshot {
        Snapshot {
            requests: flat(self.requests.snapshot()),
            refused: flat(self.refused.snapshot()),
            targets: self.targets(),
        }
    }

    /// What was counted since the last rollup, as `(now, last flush)`.
    pub(crate) fn unflushed(&self) -> (Snapshot, Option<Snapshot>) {
        let last = self.flushed.lock().ok().and_then(|f| f.clone());
        (self.snapshot(), last)
    }

    /// Records what a rollup wrote.
    pub(crate) fn set_flushed(&self, snapshot: Snapshot) {
        if let Ok(mut f) = self.flushed.lock() {
            *f = Some(snapshot);
        }
    }
}

fn flat(v: Vec<(String, [u64; 1])>) -> Vec<(String, u64)> {
    v.into_iter().map(|(k, [n])| (k, n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_fold_into_other_past_the_cap() {
        let family: Family<1> = Family::new(3);
        for label in ["a", "b", "c", "d", "e", "a"] {
            family.add(label, 0, 1);
        }
        assert_eq!(
            family.snapshot(),
            [
                ("other".to_string(), [2]),
                ("a".to_string(), [2]),
                ("b".to_string(), [1]),
                ("c".to_string(), [1]),
            ]
        );
    }

    #[test]
    fn attempts_by_outcome_and_latency() {
        let m = Metrics::new(true);
        m.attempt("http://t", Some(200), None, 1_000, Some(true));
        m.attempt("http://t", Some(500), None, 2_000, None);
        m.attempt("http://t", None, Some(AttemptErrorKind::Refused), 50, None);
        m.attempt(
            "http://t",
            None,
            Some(AttemptErrorKind::Other),
            50,
            Some(false),
        );
        let t = &m.targets()[0];
        assert_eq!(t.target, "http://t");
        assert_eq!((t.attempts_ok(), t.attempts_failed()), (1, 3));
        assert_eq!(
            t.attempts[OUTCOMES.len() - 1],
            1,
            "the kind other counts as other"
        );
        assert_eq!((t.succeeded, t.gave_up), (1, 1));
        assert_eq!(t.latency.total(), 4);
        assert_eq!(t.latency_sum_us, 3_100);
    }

    #[test]
    fn off_records_nothing() {
        let m = Metrics::new(false);
        m.request(
            "default",
            Some("stripe"),
            Some("x"),
            SignatureStatus::Valid,
            None,
        );
        m.attempt("http://t", Some(200), None, 1, Some(true));
        let s = m.snapshot();
        assert!(s.requests.is_empty() && s.targets.is_empty());
    }

    #[test]
    fn tunnel_time_adds_up() {
        let m = Metrics::new(true);
        m.tunnel(Some(true), 0);
        m.tunnel(Some(false), 10_000_000);
        m.tunnel(Some(true), 12_000_000);
        assert_eq!(m.tunnel_seconds(20_000_000), (18.0, 2.0));
        m.tunnel(None, 20_000_000);
        assert_eq!(
            m.tunnel_seconds(50_000_000),
            (18.0, 2.0),
            "closed: no time counts"
        );
    }
}
