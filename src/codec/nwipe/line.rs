//! One line of an nwipe log: `[YYYY/MM/DD HH:MM:SS] <level>: message`, or a
//! line of the summary tables (nwipe writes those without a timestamp).
//!
//! nwipe's `nwipe_log()` (src/logging.c, every tag from v0.33 to v0.42) pads
//! the level to seven characters and follows it with `: `: `  debug`,
//! `   info`, ` notice`, `warning`, `  error`, `  fatal`, ` sanity`. The
//! footer of the drive status table is a line of its own with a timestamp
//! and no level (`[ts] Total Throughput …`).

use std::fmt;

/// A wall-clock time as nwipe logs it: local time, no zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl fmt::Display for Timestamp {
    /// ISO 8601 without a zone (`2026-12-03T16:41:42`): the log does not say
    /// which zone the wiping machine was in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

impl Timestamp {
    /// Seconds since 0000-03-01 (a monotone count, for durations only).
    pub fn seconds(&self) -> i64 {
        let (y, m) = if self.month <= 2 {
            (i64::from(self.year) - 1, i64::from(self.month) + 9)
        } else {
            (i64::from(self.year), i64::from(self.month) - 3)
        };
        let days = 365 * y + y / 4 - y / 100 + y / 400 + (153 * m + 2) / 5 + i64::from(self.day);
        days * 86_400
            + i64::from(self.hour) * 3600
            + i64::from(self.minute) * 60
            + i64::from(self.second)
    }
}

/// nwipe's log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Notice,
    Warning,
    Error,
    Fatal,
    Sanity,
}

/// What a line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// `[ts] level: message`.
    Log {
        at: Timestamp,
        level: Level,
        message: &'a [u8],
    },
    /// `[ts] message` without a level (the drive table's footer).
    Stamped { at: Timestamp, message: &'a [u8] },
    /// Anything else: table lines, blank lines, wrapped continuations.
    Plain(&'a [u8]),
}

/// Parses `[YYYY/MM/DD HH:MM:SS]` at the start of `b`.
pub fn timestamp(b: &[u8]) -> Option<Timestamp> {
    if b.len() < 21 || b[0] != b'[' || b[20] != b']' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        let s = b.get(r)?;
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        s.iter().try_fold(0u16, |acc, d| {
            acc.checked_mul(10)?.checked_add(u16::from(d - b'0'))
        })
    };
    let seps = [(5, b'/'), (8, b'/'), (11, b' '), (14, b':'), (17, b':')];
    if seps.iter().any(|&(i, c)| b[i] != c) {
        return None;
    }
    let t = Timestamp {
        year: num(1..5)?,
        month: u8::try_from(num(6..8)?).ok()?,
        day: u8::try_from(num(9..11)?).ok()?,
        hour: u8::try_from(num(12..14)?).ok()?,
        minute: u8::try_from(num(15..17)?).ok()?,
        second: u8::try_from(num(18..20)?).ok()?,
    };
    let valid = (1..=12).contains(&t.month)
        && (1..=31).contains(&t.day)
        && t.hour < 24
        && t.minute < 60
        && t.second < 61;
    valid.then_some(t)
}

/// Classifies one line (without its line ending).
pub fn classify(b: &[u8]) -> Line<'_> {
    let Some(at) = timestamp(b) else {
        return Line::Plain(b);
    };
    let rest = &b[21..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    // The level is right-justified in seven characters, then ": ".
    if rest.len() >= 8 && &rest[7..8] == b":" {
        let word = rest[..7].trim_ascii_start();
        let level = match word {
            b"debug" => Some(Level::Debug),
            b"info" => Some(Level::Info),
            b"notice" => Some(Level::Notice),
            b"warning" => Some(Level::Warning),
            b"error" => Some(Level::Error),
            b"fatal" => Some(Level::Fatal),
            b"sanity" => Some(Level::Sanity),
            _ => None,
        };
        if let Some(level) = level {
            let message = &rest[8..];
            let message = message.strip_prefix(b" ").unwrap_or(message);
            return Line::Log { at, level, message };
        }
    }
    Line::Stamped { at, message: rest }
}

/// Splits a file into lines (`\n`, with a `\r` before it dropped), numbered
/// from 1. A final line without `\n` is still a line.
pub fn lines(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut rest = data;
    let mut n = 0;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (l, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        n += 1;
        Some((n, l.strip_suffix(b"\r").unwrap_or(l)))
    })
}

/// Finds `needle` in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_line() {
        let l = classify(b"[2026/12/03 16:41:42]  notice: Found /dev/loop0, VIRT");
        let Line::Log { at, level, message } = l else {
            panic!("{l:?}")
        };
        assert_eq!(at.to_string(), "2026-12-03T16:41:42");
        assert_eq!(level, Level::Notice);
        assert_eq!(message, b"Found /dev/loop0, VIRT");
        let l = classify(b"[2026/12/03 16:41:42] warning: x");
        assert!(matches!(
            l,
            Line::Log {
                level: Level::Warning,
                ..
            }
        ));
    }

    #[test]
    fn the_footer_has_no_level() {
        let l =
            classify(b"[2026/12/03 16:41:45] Total Throughput   0 B/s, Fill With Zeros, 1R+B+VL");
        assert!(
            matches!(l, Line::Stamped { message, .. } if message.starts_with(b"Total Throughput"))
        );
    }

    #[test]
    fn bad_stamps_are_plain() {
        for l in [
            &b"[2026/13/03 16:41:42] x"[..],
            b"[2026-12-03 16:41:42] x",
            b"[2026/12/03 16:41:4]",
            b"",
            b"\xff\xfe",
        ] {
            assert!(matches!(classify(l), Line::Plain(_)), "{l:?}");
        }
    }

    #[test]
    fn lines_are_numbered_and_crlf_tolerated() {
        let v: Vec<_> = lines(b"a\r\nb\n\nc").collect();
        assert_eq!(v, vec![(1, &b"a"[..]), (2, b"b"), (3, b""), (4, b"c")]);
        assert_eq!(lines(b"a\n").count(), 1);
        assert_eq!(lines(b"").count(), 0);
    }

    #[test]
    fn seconds_count_across_midnight_and_months() {
        let t = |s: &[u8]| timestamp(s).unwrap().seconds();
        assert_eq!(t(b"[2026/03/01 00:00:00]") - t(b"[2026/02/28 23:59:59]"), 1);
        assert_eq!(
            t(b"[2028/03/01 00:00:00]") - t(b"[2028/02/28 00:00:00]"),
            2 * 86_400
        );
    }
}
