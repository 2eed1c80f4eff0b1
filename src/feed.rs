//! `scanstation feed`'s input lines, turned into station inputs. Pure: text
//! in, an [`Input`] (or why not) out; the command does the I/O.
//!
//! A plain line is one scan as a scanner delivers it, with `{GS}`, `{RS}`,
//! `{EOT}`, `{FS}`, `{US}` and `\xHH` standing for control bytes. A line
//! starting with `{` is JSON: `{"scan": "...", "at": "RFC 3339"}` (the time a
//! batch handheld read it, kept as `scanned_at`) or `{"epc": "HEX", "rssi":
//! -61.5, "antenna": 1, "at": "..."}` for an RFID read. Blank lines and lines
//! starting with `#` are skipped (`Ok(None)`).

use crate::input::{Input, RfidRead, Scan, Source};
use serde::Deserialize;
use std::time::SystemTime;

/// Where feed's inputs say they came from (`source_detail` of their events).
pub const FEED_SOURCE: &str = "feed";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonLine {
    scan: Option<String>,
    epc: Option<String>,
    rssi: Option<f32>,
    antenna: Option<u16>,
    at: Option<String>,
}

/// One line of a feed file as an input, `Ok(None)` for a blank or comment
/// line, `Err` saying what is wrong with it.
pub fn parse_line(line: &str, now: SystemTime) -> Result<Option<Input>, String> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    if !line.starts_with('{') || line.starts_with("{GS}") || line.starts_with("{RS}") {
        let raw = unescape(line);
        return Ok(Some(Input::Scan(Scan::new(
            Source::Reader(FEED_SOURCE.into()),
            raw,
            now,
        ))));
    }
    let j: JsonLine =
        serde_json::from_str(line).map_err(|e| format!("not a feed JSON line: {e}"))?;
    let at = match &j.at {
        Some(t) => Some(
            crate::timefmt::parse_rfc3339(t)
                .ok_or_else(|| format!("\"at\": {t:?} is not an RFC 3339 time"))?,
        ),
        None => None,
    };
    match (j.scan, j.epc) {
        (Some(scan), None) => {
            if j.rssi.is_some() || j.antenna.is_some() {
                return Err("\"rssi\" and \"antenna\" belong to an \"epc\" line".into());
            }
            let mut s = Scan::new(Source::Reader(FEED_SOURCE.into()), unescape(&scan), now);
            s.scanned_at = at;
            Ok(Some(Input::Scan(s)))
        }
        (None, Some(epc)) => {
            let bytes = hex::decode(epc.trim())
                .ok()
                .filter(|b| !b.is_empty() && b.len() <= 62)
                .ok_or_else(|| format!("\"epc\": {epc:?} is not EPC memory in hex"))?;
            Ok(Some(Input::Rfid(RfidRead {
                source: FEED_SOURCE.into(),
                epc: bytes,
                antenna: j.antenna,
                rssi: j.rssi,
                count: 1,
                at: at.unwrap_or(now),
            })))
        }
        (Some(_), Some(_)) => Err("a line is a \"scan\" or an \"epc\", not both".into()),
        (None, None) => Err("a JSON line needs \"scan\" or \"epc\"".into()),
    }
}

/// `{GS}` and friends and `\xHH` to their bytes; anything else as written.
pub fn unescape(s: &str) -> Vec<u8> {
    const NAMED: &[(&str, u8)] = &[
        ("{GS}", 0x1d),
        ("{RS}", 0x1e),
        ("{EOT}", 0x04),
        ("{FS}", 0x1c),
        ("{US}", 0x1f),
    ];
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    'outer: while i < b.len() {
        if b[i] == b'{' {
            for (name, byte) in NAMED {
                if b[i..].starts_with(name.as_bytes()) {
                    out.push(*byte);
                    i += name.len();
                    continue 'outer;
                }
            }
        }
        if b[i] == b'\\' && i + 3 < b.len() && (b[i + 1] == b'x' || b[i + 1] == b'X') {
            if let Some(v) = std::str::from_utf8(&b[i + 2..i + 4])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// Fuzzing entry point: any bytes as a line, never a panic.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let _ = parse_line(&String::from_utf8_lossy(data), SystemTime::UNIX_EPOCH);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_bytes(line: &str) -> Vec<u8> {
        match parse_line(line, SystemTime::UNIX_EPOCH).unwrap() {
            Some(Input::Scan(s)) => s.raw,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn plain_lines_are_scans_with_escapes() {
        assert_eq!(scan_bytes("IT-00001"), b"IT-00001");
        assert_eq!(
            scan_bytes("]C10109506000134352{GS}21ABC"),
            b"]C10109506000134352\x1d21ABC"
        );
        assert_eq!(scan_bytes("a\\x1Db\\x1e"), b"a\x1db\x1e");
        assert_eq!(
            scan_bytes("[)>{RS}06{GS}1PX{RS}{EOT}"),
            b"[)>\x1e06\x1d1PX\x1e\x04"
        );
        assert_eq!(scan_bytes("\\x"), b"\\x");
        assert_eq!(scan_bytes("\\xZZ"), b"\\xZZ");
        assert_eq!(scan_bytes("tail\\x4"), b"tail\\x4");
    }

    #[test]
    fn comments_and_blanks_are_skipped() {
        assert_eq!(parse_line("# a bench", SystemTime::UNIX_EPOCH), Ok(None));
        assert_eq!(parse_line("   ", SystemTime::UNIX_EPOCH), Ok(None));
    }

    #[test]
    fn json_lines() {
        let Some(Input::Scan(s)) = parse_line(
            r#"{"scan": "A-1", "at": "2026-11-28T14:03:07.123Z"}"#,
            SystemTime::UNIX_EPOCH,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(s.raw, b"A-1");
        assert!(s.scanned_at.is_some());
        let Some(Input::Rfid(r)) = parse_line(
            r#"{"epc": "3474257bf40000000000162e", "rssi": -61.5, "antenna": 1}"#,
            SystemTime::UNIX_EPOCH,
        )
        .unwrap() else {
            panic!()
        };
        assert_eq!(hex::encode_upper(&r.epc), "3474257BF40000000000162E");
        assert_eq!(r.antenna, Some(1));
        for bad in [
            r#"{"scan": "A", "epc": "00"}"#,
            r#"{"epc": "xyz"}"#,
            r#"{"scan": "A", "at": "yesterday"}"#,
            r#"{"scan": 3}"#,
            r#"{"nope": 1}"#,
            "{",
        ] {
            assert!(parse_line(bad, SystemTime::UNIX_EPOCH).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Any line, JSON-looking or not, is an input or a reason, never a panic.
        #[test]
        fn any_line_never_panics(line in "(\\{|\\\\x|\\{GS\\}|[ -~]|\\PC){0,80}") {
            let _ = parse_line(&line, SystemTime::UNIX_EPOCH);
        }
    }
}
