//! Failed attempts at the relay stream, counted per peer: past [`Policy::max`] failures in
//! one [`Policy::window`], the peer is refused (429 with `Retry-After`) until the window
//! ends, whatever it presents — guessing tokens costs a window per few guesses. The policy
//! is data; [`Limiter::check`] and [`Limiter::failed`] are pure over the time given.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// How many failures a peer may make, and in how long.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub max: u32,
    pub window: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max: 10,
            window: Duration::from_secs(60),
        }
    }
}

/// Peers remembered at most; past it, the windows that ended are forgotten first.
const PEERS: usize = 10_000;

#[derive(Debug, Default)]
pub struct Limiter {
    policy: Policy,
    /// Per peer: when its window began, and its failures in it.
    peers: HashMap<IpAddr, (Instant, u32)>,
}

impl Limiter {
    pub fn new(policy: Policy) -> Limiter {
        Limiter {
            policy,
            peers: HashMap::new(),
        }
    }

    /// `Some(wait)` when `peer` is refused at `now`: it may try again after `wait`.
    pub fn check(&self, peer: IpAddr, now: Instant) -> Option<Duration> {
        let (start, failures) = *self.peers.get(&peer)?;
        let end = start + self.policy.window;
        (failures >= self.policy.max && now < end).then(|| end - now)
    }

    /// Counts a failure of `peer` at `now`.
    pub fn failed(&mut self, peer: IpAddr, now: Instant) {
        if self.peers.len() >= PEERS {
            let window = self.policy.window;
            self.peers.retain(|_, (start, _)| *start + window > now);
        }
        let window = self.policy.window;
        let entry = self.peers.entry(peer).or_insert((now, 0));
        if entry.0 + window <= now {
            *entry = (now, 0);
        }
        entry.1 += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_refuse_until_the_window_ends() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let (a, b): (IpAddr, IpAddr) = (
            "192.0.2.1".parse().expect("ip"),
            "192.0.2.2".parse().expect("ip"),
        );
        let mut limiter = Limiter::new(Policy {
            max: 3,
            window: s(60),
        });
        for n in 0..3 {
            assert_eq!(limiter.check(a, t0 + s(n)), None, "{n} failures");
            limiter.failed(a, t0 + s(n));
        }
        // (seconds in, peer asking, wait expected) after three failures of `a`
        let cases = [
            (10, a, Some(50)),
            (59, a, Some(1)),
            (10, b, None), // another peer is not held back
            (60, a, None), // the window is over
        ];
        for (at, peer, want) in cases {
            assert_eq!(
                limiter.check(peer, t0 + s(at)),
                want.map(s),
                "at {at} s, {peer}"
            );
        }
        // A new window starts counting afresh.
        limiter.failed(a, t0 + s(61));
        assert_eq!(limiter.check(a, t0 + s(62)), None);
    }
}
