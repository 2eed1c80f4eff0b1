//! Times as the contracts write them: RFC 3339 in UTC with milliseconds
//! (`2026-11-28T14:03:07.123Z`).

use std::time::SystemTime;
use time::OffsetDateTime;

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
    fn formats_utc_millis() {
        let t = UNIX_EPOCH + Duration::from_millis(1_795_874_587_123);
        assert_eq!(rfc3339_millis(t), "2026-11-28T14:03:07.123Z");
    }
}
