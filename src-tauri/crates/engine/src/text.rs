//! Small text helpers for messages people read.

/// `1536` → `1.5 KiB`; exact below 1 KiB.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    let text = format!("{value:.1}");
    format!("{} {}", text.trim_end_matches(".0"), UNITS[unit])
}

/// A size that [`parse_bytes`] cannot read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("{0:?} is not a size: use e.g. 25MiB, 512KiB or 1048576")]
    NotASize(String),
    #[error("unknown size unit {0:?}: use B, KiB, MiB or GiB")]
    UnknownUnit(String),
    #[error("size {0:?} must be between 1 B and 1 TiB")]
    OutOfRange(String),
}

/// Parses sizes like `25MiB`, `25MB`, `25m`, `1048576`. Decimal units (`MB`) are read as
/// binary, as people mean them.
pub fn parse_bytes(s: &str) -> Result<u64, SizeError> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| SizeError::NotASize(s.to_string()))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => return Err(SizeError::UnknownUnit(other.to_string())),
    };
    let bytes = number * (1u64 << shift) as f64;
    if !(1.0..=(1u64 << 40) as f64).contains(&bytes) {
        return Err(SizeError::OutOfRange(s.to_string()));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_bytes_table() {
        for (n, want) in [
            (0, "0 B"),
            (1023, "1023 B"),
            (1024, "1 KiB"),
            (1536, "1.5 KiB"),
            (25 << 20, "25 MiB"),
            (3 << 30, "3 GiB"),
        ] {
            assert_eq!(human_bytes(n), want);
        }
    }

    #[test]
    fn parse_bytes_table() {
        let cases: &[(&str, Result<u64, &str>)] = &[
            ("1048576", Ok(1 << 20)),
            ("25MiB", Ok(25 << 20)),
            ("25 MB", Ok(25 << 20)),
            ("64m", Ok(64 << 20)),
            ("1.5KiB", Ok(1536)),
            ("2GiB", Ok(2 << 30)),
            ("0", Err("between")),
            ("lots", Err("not a size")),
            ("5 parsecs", Err("unknown size unit")),
        ];
        for (input, want) in cases {
            match (parse_bytes(input), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, *want, "{input}"),
                (Err(e), Err(want)) => assert!(e.to_string().contains(want), "{input}: {e}"),
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
    }
}
