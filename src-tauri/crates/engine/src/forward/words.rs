//! What a failed attempt tells people (the delivery's `last_error`, which `hooklens listen`
//! prints, the inspector shows and notifications carry): what happened, then what happens
//! next. "Next" must be what the scheduler will do: a delay is written rounded to the unit it
//! is written in, never cut down to it, and a target that is down holds its deliveries past
//! their own time until it answers a probe.

use std::time::Duration;

use hooklens_store::{Attempt, Delivery};

/// What went wrong with `attempt`, in words.
pub(super) fn failure(delivery: &Delivery, attempt: &Attempt) -> String {
    match (attempt.status, &attempt.error) {
        (Some(410), _) => format!("{} answered 410 Gone", delivery.url),
        (Some(status), _) if (300..400).contains(&status) => {
            let location = attempt
                .response_headers
                .iter()
                .find(|(n, _)| n == "location")
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default();
            format!(
                "{} redirected ({status}) to {location:?}: point the target at the final URL",
                delivery.url
            )
        }
        (Some(status), _) => format!("{} answered HTTP {status}", delivery.url),
        (None, Some(error)) => error.clone(),
        (None, None) => format!("forwarding to {} failed", delivery.url),
    }
}

/// When the next attempt goes: after `delay`, or, while the target is down, at its next probe
/// (`probe_in` from now) if that is later, and possibly later still (the target's waiting
/// deliveries go one per probe).
pub(super) fn next_retry(delay: Duration, probe_in: Option<Duration>) -> String {
    match probe_in {
        None => format!("next retry in {}", human_delay(delay)),
        Some(probe_in) => format!(
            "next retry in {} or later (the target is down)",
            human_delay(delay.max(probe_in))
        ),
    }
}

/// "what happened; what happens next", reading well after a question too.
pub(super) fn then(what: &str, next: &str) -> String {
    if what.ends_with('?') {
        let mut chars = next.chars();
        let next: String = chars
            .next()
            .map(|c| c.to_ascii_uppercase())
            .into_iter()
            .chain(chars)
            .collect();
        format!("{what} {next}")
    } else {
        format!("{what}; {next}")
    }
}

/// A delay as a person reads it, rounded to the nearest unit it is written in: `850 ms`,
/// `1.8 s` (tenths under 10 s, where jitter moves a retry by fractions of a second), `12 s`,
/// `5 min`, `2 h 5 min`.
pub(super) fn human_delay(d: Duration) -> String {
    let ms = d.as_millis();
    let round = |unit: u128| (ms + unit / 2) / unit;
    match ms {
        0..1_000 => format!("{ms} ms"),
        1_000..9_950 => {
            let tenths = round(100);
            match tenths % 10 {
                0 => format!("{} s", tenths / 10),
                t => format!("{}.{t} s", tenths / 10),
            }
        }
        9_950..119_500 => format!("{} s", round(1_000)),
        119_500..7_170_000 => format!("{} min", round(60_000)),
        _ => match (round(60_000) / 60, round(60_000) % 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_are_rounded_not_cut() {
        let cases: &[(u64, &str)] = &[
            (0, "0 ms"),
            (850, "850 ms"),
            (999, "999 ms"),
            (1_000, "1 s"),
            (1_040, "1 s"),
            (1_050, "1.1 s"),
            (1_960, "2 s"),
            (1_840, "1.8 s"),
            (2_399, "2.4 s"),
            (9_949, "9.9 s"),
            (9_950, "10 s"),
            (29_600, "30 s"),
            (119_499, "119 s"),
            (119_500, "2 min"),
            (170_000, "3 min"),
            (900_000, "15 min"),
            (7_169_999, "119 min"),
            (7_170_000, "2 h"),
            (7_500_000, "2 h 5 min"),
            (86_400_000, "24 h"),
        ];
        for (ms, want) in cases {
            assert_eq!(human_delay(Duration::from_millis(*ms)), *want, "{ms} ms");
        }
    }

    #[test]
    fn a_down_target_holds_the_retry_until_its_probe() {
        let s = Duration::from_secs;
        assert_eq!(next_retry(s(5), None), "next retry in 5 s");
        assert_eq!(
            next_retry(s(1), Some(s(4))),
            "next retry in 4 s or later (the target is down)"
        );
        assert_eq!(
            next_retry(s(30), Some(s(1))),
            "next retry in 30 s or later (the target is down)"
        );
        assert_eq!(
            then(
                "connection refused — is your server running?",
                "next retry in 1 s"
            ),
            "connection refused — is your server running? Next retry in 1 s"
        );
        assert_eq!(
            then("http://x answered HTTP 500", "next retry in 1 s"),
            "http://x answered HTTP 500; next retry in 1 s"
        );
    }
}
