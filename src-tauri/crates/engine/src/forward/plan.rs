//! The scheduler's plan, as a pure function of what is in flight, the breakers and when
//! each target's earliest delivery is due: which targets lease how many due deliveries now,
//! and when to look again. Each target leases at most [`LEASED_PER_TARGET`] (less what it
//! has in flight), so a hanging target cannot take all [`MAX_IN_FLIGHT`] and starve the
//! others; the longest-waiting target goes first.

use super::breaker::Gate;
use super::{LEASED_PER_TARGET, MAX_IN_FLIGHT, State};

/// The scheduler's next step: how many due deliveries to lease of which targets (`probes`
/// are down targets lending one), and when to look at the queue again.
#[derive(Default)]
pub(super) struct Plan {
    pub(super) take: Vec<(String, usize)>,
    pub(super) probes: Vec<String>,
    pub(super) wake_at: Option<i64>,
}

impl Plan {
    pub(super) fn retry_at(at: i64) -> Plan {
        Plan {
            wake_at: Some(at),
            ..Plan::default()
        }
    }
}

/// What to lease now, given when each target's earliest delivery is due, and when to
/// look again if nothing new happens before (an attempt finishing, a capture).
pub(super) fn plan(state: &State, now: i64, mut due: Vec<(String, i64)>) -> Plan {
    due.sort_by_key(|(_, at)| *at); // the longest waiting first
    let mut room = MAX_IN_FLIGHT.saturating_sub(state.total_in_flight);
    let mut plan = Plan::default();
    let mut wake_at: Option<i64> = None;
    let mut wake = |at: i64| wake_at = Some(wake_at.map_or(at, |w| w.min(at)));
    for (target, at) in due {
        match state.breakers.get(&target).and_then(|b| b.gate(now)) {
            Some(Gate::Down { probe_at_us }) => wake(probe_at_us.max(at)),
            Some(Gate::Held { until_us }) => wake(until_us),
            Some(Gate::Probe) | None if at > now => wake(at),
            Some(Gate::Probe) => {
                if room > 0 {
                    room -= 1;
                    plan.take.push((target.clone(), 1));
                    plan.probes.push(target);
                }
            }
            None => {
                let in_flight = state.in_flight.get(&target).copied().unwrap_or(0);
                let n = LEASED_PER_TARGET.saturating_sub(in_flight).min(room);
                if n > 0 {
                    room -= n;
                    plan.take.push((target, n));
                }
            }
        }
        // A target with no room left is planned again when one of its attempts finishes.
    }
    plan.wake_at = wake_at;
    plan
}

#[cfg(test)]
mod tests {
    use super::super::breaker::{Breaker, THRESHOLD};
    use super::*;

    fn down(now: i64) -> Breaker {
        let mut b = Breaker::default();
        for _ in 0..THRESHOLD {
            b.failure(now, now, false, "refused", None);
        }
        b
    }

    #[test]
    fn plans_per_target() {
        let s = 1_000_000;
        let now = 100 * s;
        let due = |v: &[(&str, i64)]| -> Vec<(String, i64)> {
            v.iter().map(|(t, at)| (t.to_string(), *at)).collect()
        };
        let take = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
            v.iter().map(|(t, n)| (t.to_string(), *n)).collect()
        };

        // Nothing in flight: each due target takes its share, the longest waiting first.
        let idle = State::default();
        let p = plan(
            &idle,
            now,
            due(&[("b", now), ("a", now - s), ("later", now + 5 * s)]),
        );
        assert_eq!(
            p.take,
            take(&[("a", LEASED_PER_TARGET), ("b", LEASED_PER_TARGET)])
        );
        assert!(p.probes.is_empty());
        assert_eq!(p.wake_at, Some(now + 5 * s), "when `later` is due");

        // A hanging target holds its share; the healthy one still takes its own.
        let mut hanging = State::default();
        hanging.in_flight.insert("hang".into(), LEASED_PER_TARGET);
        hanging.total_in_flight = LEASED_PER_TARGET;
        let p = plan(&hanging, now, due(&[("hang", now - 60 * s), ("ok", now)]));
        assert_eq!(p.take, take(&[("ok", LEASED_PER_TARGET)]));
        assert_eq!(p.wake_at, None, "an attempt finishing wakes the scheduler");

        // All in flight: nothing more, whatever is due.
        let mut full = State::default();
        full.in_flight.insert("a".into(), 8);
        full.total_in_flight = MAX_IN_FLIGHT;
        assert!(plan(&full, now, due(&[("b", now)])).take.is_empty());

        // Room left for part of a share.
        full.total_in_flight = MAX_IN_FLIGHT - 3;
        assert_eq!(plan(&full, now, due(&[("a", now)])).take, take(&[("a", 3)]));

        // A down target waits for its probe (or its own later time), then lends one.
        let mut broken = State::default();
        broken.breakers.insert("down".into(), down(now));
        let probe_at = now + s;
        let p = plan(&broken, now, due(&[("down", now), ("ok", now + 2 * s)]));
        assert!(p.take.is_empty());
        assert_eq!(p.wake_at, Some(probe_at));
        let p = plan(&broken, now, due(&[("down", now + 9 * s)]));
        assert_eq!(
            p.wake_at,
            Some(now + 9 * s),
            "a Retry-After beyond the probe"
        );
        let p = plan(&broken, probe_at, due(&[("down", now), ("ok", now)]));
        assert_eq!(p.take, take(&[("down", 1), ("ok", LEASED_PER_TARGET)]));
        assert_eq!(p.probes, ["down"]);
        // While the probe is out, the rest wait for its outcome (or its lease's end).
        if let Some(b) = broken.breakers.get_mut("down") {
            b.probing(probe_at + 660 * s);
        }
        let p = plan(&broken, probe_at, due(&[("down", now)]));
        assert!(p.take.is_empty());
        assert_eq!(p.wake_at, Some(probe_at + 660 * s));
    }
}
