//! UTC timestamps as RFC 3339 text (`2026-11-23T23:40:01.123Z`), which sort
//! as they compare.

use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format_unix(d.as_secs() as i64, d.subsec_millis())
}

/// Milliseconds since 1970-01-01 UTC, now.
pub(crate) fn now_ms() -> i64 {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    d.as_millis().min(i64::MAX as u128) as i64
}

/// Milliseconds since 1970-01-01 UTC of a timestamp as [`now`] writes it
/// (`YYYY-MM-DDTHH:MM:SS.mmmZ`); `None` for any other text.
pub(crate) fn parse_ms(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 24 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'.' || b[23] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> { s.get(r)?.parse::<u32>().ok().map(i64::from) };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss, ms) = (num(11..13)?, num(14..16)?, num(17..19)?, num(20..23)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || hh > 23 || mm > 59 || ss > 60 {
        return None;
    }
    // Days since 1970-01-01 from a civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000) + ms)
}

/// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
pub(crate) fn format_unix(secs: i64, millis: u32) -> String {
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", sod / 3600, sod % 3600 / 60, sod % 60)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_instants() {
        // `date -u -d @0`, `@951782400` (2000-02-29), `@1795477201`.
        assert_eq!(super::format_unix(0, 0), "1970-01-01T00:00:00.000Z");
        assert_eq!(super::format_unix(951_782_400, 5), "2000-02-29T00:00:00.005Z");
        assert_eq!(super::format_unix(1_795_477_201, 999), "2026-11-23T23:40:01.999Z");
    }

    #[test]
    fn parse_inverts_format() {
        // The same instants, read back.
        assert_eq!(super::parse_ms("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(super::parse_ms("2000-02-29T00:00:00.005Z"), Some(951_782_400_005));
        assert_eq!(super::parse_ms("2026-11-23T23:40:01.999Z"), Some(1_795_477_201_999));
        // Every day of 1969-2101 (leap years, centuries) round trips.
        for day in -365..48_000i64 {
            let secs = day * 86_400 + 45_296;
            assert_eq!(super::parse_ms(&super::format_unix(secs, 7)), Some(secs * 1000 + 7), "day {day}");
        }
        for bad in ["", "2026-11-23 23:40:01.999Z", "2026-13-01T00:00:00.000Z", "2026-11-23T23:40:01Z", "2026-11-23T23:4x:01.999Z"] {
            assert_eq!(super::parse_ms(bad), None, "{bad}");
        }
    }
}
