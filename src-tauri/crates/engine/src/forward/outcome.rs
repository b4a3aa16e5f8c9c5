//! What an attempt means for its delivery: succeeded, tried again later (when the retry
//! schedule says, or `Retry-After`), or failed for good; with a summary a person reads
//! ("connection refused at … — is your server running? Next retry in 30 s"). A pure function
//! of the delivery, the attempt and the time.

use std::time::Duration;

use hooklens_store::{AttemptErrorKind, AttemptOutcome, Delivery, DeliveryState};

use super::retry;
use super::send::Sent;
use super::words;

/// Where the delivery goes after `sent`, at `now`; `what` says what went wrong. `probe_at`
/// is the target's next probe while it is down: its deliveries wait for that.
pub(super) fn outcome(
    delivery: &Delivery,
    sent: &Sent,
    now: i64,
    what: &str,
    probe_at: Option<i64>,
) -> AttemptOutcome {
    let attempt = &sent.attempt;
    let status = attempt.status;
    let gone = status == Some(410) || attempt.error_kind == Some(AttemptErrorKind::Invalid);
    // Blocked by the loopback guard: every retry would be too, until the setting changes,
    // and turning it on offers to queue these again.
    let blocked = attempt.error_kind == Some(AttemptErrorKind::Blocked);
    if status.is_some_and(|s| (200..300).contains(&s)) {
        return AttemptOutcome {
            state: DeliveryState::Succeeded,
            next_attempt_at_us: None,
            summary: None,
        };
    }
    if gone || blocked {
        return AttemptOutcome {
            state: DeliveryState::Failed,
            next_attempt_at_us: None,
            summary: Some(words::then(what, "not retried")),
        };
    }
    let retries_done = attempt.n - 1;
    let seed = retry::seed(&delivery.id, attempt.n);
    match retry::next_delay(&delivery.spec.retry, retries_done, sent.retry_after, seed) {
        Some(delay) => {
            let probe_in = probe_at.map(|at| Duration::from_micros((at - now).max(0) as u64));
            AttemptOutcome {
                state: DeliveryState::Pending,
                next_attempt_at_us: Some(now + delay.as_micros() as i64),
                summary: Some(words::then(what, &words::next_retry(delay, probe_in))),
            }
        }
        None => AttemptOutcome {
            state: DeliveryState::Failed,
            next_attempt_at_us: None,
            summary: Some(words::then(
                what,
                &format!("gave up after {} attempts", attempt.n),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use hooklens_store::{Attempt, DeliveryKind, DeliverySpec, RetryPolicy};

    use super::*;

    fn delivery() -> Delivery {
        Delivery {
            seq: 1,
            id: "d".into(),
            request_id: "r".into(),
            kind: DeliveryKind::Auto,
            target: "http://localhost:3000".into(),
            url: "http://localhost:3000/hooks".into(),
            spec: DeliverySpec {
                retry: RetryPolicy {
                    schedule_ms: vec![30_000],
                    jitter: 0.0,
                    ..RetryPolicy::default()
                },
                headers: Vec::new(),
                overrides: None,
                resign: None,
            },
            state: DeliveryState::Pending,
            attempts: 0,
            next_attempt_at_us: Some(0),
            last_status: None,
            last_error: None,
            created_at_us: 0,
            updated_at_us: 0,
        }
    }

    fn sent(n: u32, status: Option<u16>, error_kind: Option<AttemptErrorKind>) -> Sent {
        Sent {
            attempt: Attempt {
                n,
                started_at_us: 0,
                duration_us: 0,
                status,
                response_headers: Vec::new(),
                response_body: Vec::new(),
                response_size: None,
                error_kind,
                error: error_kind.map(|_| {
                    "connection refused at localhost:3000 — is your server running?".into()
                }),
            },
            retry_after: None,
        }
    }

    #[test]
    fn outcomes_table() {
        use DeliveryState::{Failed, Pending, Succeeded};
        let d = delivery();
        let refused = Some(AttemptErrorKind::Refused);
        let cases = [
            (sent(1, Some(204), None), Succeeded, None, None),
            (
                sent(1, Some(410), None),
                Failed,
                None,
                Some("http://localhost:3000/hooks answered 410 Gone; not retried"),
            ),
            (
                sent(1, None, Some(AttemptErrorKind::Invalid)),
                Failed,
                None,
                Some("connection refused at localhost:3000 — is your server running? Not retried"),
            ),
            (
                sent(1, None, Some(AttemptErrorKind::Blocked)),
                Failed,
                None,
                Some("connection refused at localhost:3000 — is your server running? Not retried"),
            ),
            (
                sent(1, Some(500), None),
                Pending,
                Some(7 + 30_000_000),
                Some("http://localhost:3000/hooks answered HTTP 500; next retry in 30 s"),
            ),
            (
                sent(1, None, refused),
                Pending,
                Some(7 + 30_000_000),
                Some(
                    "connection refused at localhost:3000 — is your server running? Next retry in 30 s",
                ),
            ),
            (
                sent(2, None, refused),
                Failed,
                None,
                Some(
                    "connection refused at localhost:3000 — is your server running? Gave up after 2 attempts",
                ),
            ),
        ];
        for (sent, state, next, summary) in cases {
            let what = words::failure(&d, &sent.attempt);
            let got = outcome(&d, &sent, 7, &what, None);
            assert_eq!(
                (got.state, got.next_attempt_at_us, got.summary.as_deref()),
                (state, next, summary),
                "{:?}",
                sent.attempt
            );
        }
    }
}
