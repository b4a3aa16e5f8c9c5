//! Times in exports: RFC 3339 with `Z` or an offset (`+01:00`), as browsers write HAR's
//! `startedDateTime`; humantime reads only UTC, so the offset is taken off first.

/// Microseconds since the Unix epoch, or `None` when `s` is not RFC 3339.
pub(super) fn parse_rfc3339_us(s: &str) -> Option<i64> {
    let s = s.trim();
    let (utc, offset_s) = split_offset(s)?;
    let t = humantime::parse_rfc3339_weak(utc).ok()?;
    let us = t.duration_since(std::time::UNIX_EPOCH).ok()?.as_micros() as i64;
    Some(us - offset_s * 1_000_000)
}

/// `2024-01-02T03:04:05.6+01:30` → (`2024-01-02T03:04:05.6`, 5400).
fn split_offset(s: &str) -> Option<(&str, i64)> {
    if let Some(utc) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((utc, 0));
    }
    let tail = s.get(s.len().checked_sub(6)?..)?;
    let sign = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return Some((s, 0)), // no zone: read as UTC
    };
    let (h, m) = tail[1..].split_once(':')?;
    let (h, m): (i64, i64) = (h.parse().ok()?, m.parse().ok()?);
    Some((&s[..s.len() - 6], sign * (h * 3600 + m * 60)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_offsets() {
        let base = 1_700_000_000_000_000; // 2023-11-14T22:13:20Z
        let cases: &[(&str, Option<i64>)] = &[
            ("2023-11-14T22:13:20Z", Some(base)),
            ("2023-11-14T22:13:20.5Z", Some(base + 500_000)),
            ("2023-11-14T22:13:20.123456Z", Some(base + 123_456)),
            ("2023-11-14T23:13:20.000+01:00", Some(base)),
            ("2023-11-14T18:43:20-03:30", Some(base)),
            ("2023-11-14T22:13:20", Some(base)),
            ("yesterday", None),
            ("", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_rfc3339_us(s), *want, "{s}");
        }
    }
}
