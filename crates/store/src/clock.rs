//! UTC timestamps as RFC 3339 text (`2026-11-23T23:40:01.123Z`), which sort
//! as they compare.

use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn now() -> String {
    let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    format_unix(d.as_secs() as i64, d.subsec_millis())
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
}
