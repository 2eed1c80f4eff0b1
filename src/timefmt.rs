//! Times as the contracts write them: RFC 3339 in UTC with milliseconds
//! (`2026-11-28T14:03:07.123Z`), and calendar dates as `YYYY-MM-DD` — the
//! one date validator the store and the CSV imports share.

use std::time::SystemTime;
use time::{Date, Month, OffsetDateTime};

/// A calendar date written `YYYY-MM-DD` (four, two and two digits), or None
/// when it is not one or does not exist (`2024-13-45`, `2023-02-29`).
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    let year: i32 = s[..4].parse().ok()?;
    let month = Month::try_from(s[5..7].parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(year, month, s[8..].parse().ok()?).ok()
}

/// Formats `t` as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn rfc3339_millis(t: SystemTime) -> String {
    let dt = OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        dt.year(),
        u8::from(dt.month()),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.millisecond()
    )
}

/// Parses an RFC 3339 time (any offset); `None` when it is not one.
pub fn parse_rfc3339(s: &str) -> Option<SystemTime> {
    OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339)
        .ok()
        .map(SystemTime::from)
}

/// Now, formatted.
pub fn now() -> String {
    rfc3339_millis(SystemTime::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn calendar_dates() {
        assert_eq!(
            parse_date("2024-02-29"),
            Some(time::macros::date!(2024 - 02 - 29))
        );
        for bad in [
            "2024-13-45",
            "2023-02-29",
            "2024-00-10",
            "2024-1-01",
            "24-01-01",
            "2024/01/01",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn formats_utc_millis() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_874_587_123);
        assert_eq!(rfc3339_millis(t), "2026-11-28T14:03:07.123Z");
    }
}
