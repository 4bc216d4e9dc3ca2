//! Small helpers: ISO 8601 timestamps, request ids, a seedable RNG.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub(crate) fn now_unix() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Parses `2016-02-23T12:46:24Z` (optionally with a fraction, `12:46:24.123Z`) to Unix seconds.
pub(crate) fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let tail = &b[19..];
    let fraction_ok = match tail {
        [b'Z'] => true,
        [b'.', digits @ .., b'Z'] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    if !fraction_ok {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let part = &b[from..to];
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0i64, |acc, d| Some(acc * 10 + i64::from(d - b'0')))
    };
    let (year, month, day) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hour, minute, second) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// SplitMix64: a tiny, fast, well-mixed generator; good for ids and fault sampling, not secrets.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic generator for fault sampling.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        // The top 53 bits fill an f64 mantissa exactly.
        (splitmix64(&mut self.0) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Issues UUID-shaped request ids, unique per process run: a random start mixed per request.
#[derive(Debug)]
pub(crate) struct RequestIds {
    counter: AtomicU64,
    salt: u64,
}

impl RequestIds {
    pub(crate) fn new() -> Self {
        let mut seed = [0u8; 16];
        if getrandom::fill(&mut seed).is_err() {
            // Ids only need to differ between requests; time is a good enough seed then.
            seed[..8].copy_from_slice(&now_unix().to_le_bytes());
        }
        let (a, b) = seed.split_at(8);
        RequestIds {
            counter: AtomicU64::new(u64::from_le_bytes(a.try_into().unwrap_or_default())),
            salt: u64::from_le_bytes(b.try_into().unwrap_or_default()),
        }
    }

    /// A fresh id such as `6C8D3B36-0E4F-4F2A-9B61-2D7A5F0C1E93`.
    pub(crate) fn next(&self) -> String {
        let mut state = self.counter.fetch_add(1, Ordering::Relaxed) ^ self.salt;
        let hi = splitmix64(&mut state);
        let lo = splitmix64(&mut state);
        // Version 4 and RFC 4122 variant bits, so the id looks like every other UUID.
        let hi = (hi & !0xF000) | 0x4000;
        let lo = (lo & !(0xC << 60)) | (0x8 << 60);
        let v = (u128::from(hi) << 64) | u128::from(lo);
        let hex = format!("{v:032X}");
        let mut out = String::with_capacity(36);
        for (i, range) in [0..8, 8..12, 12..16, 16..20, 20..32]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                out.push('-');
            }
            out.push_str(&hex[range]);
        }
        out
    }
}

/// `2026-11-30T16:00:00Z` from Unix seconds: the form of `Timestamp` and `Expiration` on the wire.
/// Public for clients that sign requests by hand (tests, benchmarks).
pub fn format_timestamp(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("2016-02-23T12:46:24Z"), Some(1_456_231_584));
        assert_eq!(
            parse_timestamp("2024-02-29T00:00:00.123Z"),
            Some(1_709_164_800)
        );
        for bad in [
            "2016-02-23 12:46:24Z",
            "2016-02-23T12:46:24",
            "2016-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2016-02-23T24:00:00Z",
            "2016-02-23T12:46:24+08:00",
            "2016-02-23T12:46:24.Z",
            "abcd-02-23T12:46:24Z",
            "",
            "2016-02-23T12:46:2é",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn request_ids_are_unique_and_uuid_shaped() {
        let ids = RequestIds::new();
        let a = ids.next();
        let b = ids.next();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4');
        assert!(
            a.chars()
                .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
    }

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..10 {
            let x = a.next_f64();
            assert_eq!(x, b.next_f64());
            assert!((0.0..1.0).contains(&x));
        }
    }

    #[test]
    fn timestamps_are_iso_8601() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(
            parse_timestamp(&format_timestamp(1_800_000_000)),
            Some(1_800_000_000)
        );
    }
}
