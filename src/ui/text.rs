//! Text as the terminal may show it: control characters of a scan (GS, ESC …)
//! become their Unicode "control pictures" (␝, ␛), so a code can never move the
//! cursor or change colours, and GS stays visible.

/// `s` with C0 controls and DEL replaced by control pictures (U+2400…U+2421).
pub fn printable(s: &str) -> String {
    s.chars().map(printable_char).collect()
}

/// One character as shown.
pub fn printable_char(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('?'),
        '\u{7f}' => '\u{2421}',
        c if c.is_control() => '\u{fffd}',
        c => c,
    }
}

/// The time-of-day part (`HH:MM:SS`) of an RFC 3339 timestamp, or the input
/// when it has none.
pub fn time_of_day(rfc3339: &str) -> &str {
    rfc3339
        .split_once('T')
        .and_then(|(_, t)| t.get(..8))
        .unwrap_or(rfc3339)
}

/// A reader's SPEC shortened for the header: the transport and the last part
/// of the address, without the query (`serial:/dev/scanstation/rfid-0?profile=x`
/// → `serial:rfid-0`).
pub fn short_source(spec: &str) -> String {
    let no_query = spec.split('?').next().unwrap_or(spec);
    match no_query.split_once(':') {
        Some((transport, addr)) if addr.contains('/') => {
            let last = addr.rsplit('/').find(|p| !p.is_empty()).unwrap_or(addr);
            format!("{transport}:{last}")
        }
        _ => no_query.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_become_pictures() {
        assert_eq!(printable("01\u{1d}21\u{1b}[2J\u{7f}"), "01␝21␛[2J␡");
    }

    #[test]
    fn short_names() {
        assert_eq!(
            short_source("serial:/dev/scanstation/rfid-0?profile=chafon"),
            "serial:rfid-0"
        );
        assert_eq!(short_source("tcp:192.0.2.5:5084"), "tcp:192.0.2.5:5084");
        assert_eq!(short_source("folder:/srv/photos/"), "folder:photos");
    }

    #[test]
    fn times() {
        assert_eq!(time_of_day("2026-11-28T14:03:07.123Z"), "14:03:07");
        assert_eq!(time_of_day("yesterday"), "yesterday");
    }
}
