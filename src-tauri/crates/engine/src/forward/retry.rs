//! The retry delay: a pure function of the policy, how many retries were already made,
//! the target's `Retry-After` and a seed for the jitter.

use std::time::Duration;

use hooklens_store::RetryPolicy;

/// How long to wait before the next attempt, or `None` when the policy is exhausted.
/// `retries_done` is 0 after the first attempt failed.
pub fn next_delay(
    policy: &RetryPolicy,
    retries_done: u32,
    retry_after: Option<Duration>,
    seed: u64,
) -> Option<Duration> {
    let base = *policy.schedule_ms.get(retries_done as usize)?;
    if let Some(asked) = retry_after {
        return Some(asked.min(Duration::from_millis(policy.max_retry_after_ms)));
    }
    // A factor in [1 - jitter, 1 + jitter), the same for the same seed.
    let unit = (splitmix64(seed) >> 11) as f64 / (1u64 << 53) as f64;
    let factor = 1.0 + policy.jitter.clamp(0.0, 1.0) * (2.0 * unit - 1.0);
    Some(Duration::from_millis((base as f64 * factor).round() as u64))
}

/// A seed for a delivery's nth attempt.
pub fn seed(delivery_id: &str, attempt: u32) -> u64 {
    delivery_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    }) ^ attempt as u64
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Reads `Retry-After`: seconds, or an HTTP date (measured from `now`).
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(schedule_ms: &[u64], jitter: f64) -> RetryPolicy {
        RetryPolicy {
            schedule_ms: schedule_ms.to_vec(),
            jitter,
            max_retry_after_ms: 60_000,
            timeout_ms: 1000,
        }
    }

    #[test]
    fn delay_table() {
        let ms = Duration::from_millis;
        let p = policy(&[1000, 2000, 5000], 0.0);
        let cases: &[(u32, Option<Duration>, Option<Duration>)] = &[
            (0, None, Some(ms(1000))),
            (1, None, Some(ms(2000))),
            (2, None, Some(ms(5000))),
            (3, None, None),                     // exhausted
            (0, Some(ms(7000)), Some(ms(7000))), // Retry-After honoured
            (0, Some(ms(0)), Some(ms(0))),
            (1, Some(ms(3_600_000)), Some(ms(60_000))), // clamped
            (3, Some(ms(1000)), None),                  // exhausted all the same
        ];
        for (done, retry_after, want) in cases {
            assert_eq!(
                next_delay(&p, *done, *retry_after, 7),
                *want,
                "{done} {retry_after:?}"
            );
        }
    }

    #[test]
    fn jitter_stays_in_bounds_varies_and_repeats() {
        let p = policy(&[10_000], 0.2);
        let delays: Vec<Duration> = (0..200)
            .map(|s| next_delay(&p, 0, None, s).expect("a delay"))
            .collect();
        assert!(
            delays
                .iter()
                .all(|d| (8_000..=12_000).contains(&d.as_millis()))
        );
        assert!(delays.iter().any(|d| d.as_millis() < 9_500));
        assert!(delays.iter().any(|d| d.as_millis() > 10_500));
        assert_eq!(next_delay(&p, 0, None, 42), next_delay(&p, 0, None, 42));
    }

    #[test]
    fn default_policy_starts_within_seconds_and_ends_within_about_an_hour() {
        let p = RetryPolicy {
            jitter: 0.0,
            ..RetryPolicy::default()
        };
        assert_eq!(next_delay(&p, 0, None, 0), Some(Duration::from_secs(1)));
        let total: u64 = p.schedule_ms.iter().sum();
        assert!((45 * 60_000..=75 * 60_000).contains(&total), "{total} ms");
    }

    #[test]
    fn retry_after_forms() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
