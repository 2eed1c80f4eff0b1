//! The rows of nwipe's three summary tables (`nwipe_log_summary()`,
//! src/logging.c). Every row starts with a one-character flag (`!` or a
//! space) and the device's last eight characters, right-justified:
//!
//! ```text
//! Error Summary    "%s %s |  %10llu |           %10llu |           %10llu"
//! Erasure Summary  "%s %s | %17llu | %16llu | %17s"               (0.41+)
//! Drive Status     "%s %s |%s| %s/s | %02i:%02i:%02i | %s/%s"
//! ```
//!
//! The drive status's last column is the model cut at 17 characters, a `/`,
//! and the serial as the drive gave it (bytes, not necessarily UTF-8).

use super::line::find;

/// What a table row failed on, for the parser to place at its line.
pub type RowError = String;

/// A row of the Error Summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorRow {
    pub flagged: bool,
    pub device: String,
    pub pass_errors: u64,
    pub verify_errors: u64,
    pub fsync_errors: u64,
}

/// A row of the Erasure Summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasureRow {
    pub flagged: bool,
    pub device: String,
    pub bytes_erased: u64,
    pub bytes_total: u64,
    /// As printed (`100.00%`, `99.99%`, `N/A`): nwipe truncates, we keep it.
    pub percent: String,
}

/// The drive status column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableStatus {
    /// ` Erased `.
    Erased,
    /// `-FAILED-`.
    Failed,
    /// `UABORTED`.
    Aborted,
    /// `INSANITY`: nwipe's own "this is a bug" status; counted as failed.
    Insanity,
}

/// A row of the Drive Status table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    pub flagged: bool,
    pub device: String,
    pub status: TableStatus,
    /// As printed, without `/s` (`0 B`, `3200 MB`).
    pub throughput: String,
    pub duration_seconds: u64,
    /// The last column as bytes: `model(≤17)/serial`.
    pub model_serial: Vec<u8>,
}

fn flag_and_device(field: &[u8]) -> Result<(bool, String), RowError> {
    let flagged = match field.first() {
        Some(b'!') => true,
        Some(b' ') => false,
        _ => return Err("a row starts with `!` or a space".into()),
    };
    let dev = field[1..].trim_ascii();
    if dev.is_empty() || dev.len() > 8 || dev.iter().any(|b| !b.is_ascii_graphic()) {
        return Err(format!(
            "the device column {:?} is not a device name",
            String::from_utf8_lossy(dev)
        ));
    }
    Ok((flagged, String::from_utf8_lossy(dev).into_owned()))
}

fn number(field: &[u8], what: &str) -> Result<u64, RowError> {
    let t = field.trim_ascii();
    std::str::from_utf8(t)
        .ok()
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{what} {:?} is not a number", String::from_utf8_lossy(t)))
}

fn split(row: &[u8], n: usize) -> Vec<&[u8]> {
    row.splitn(n, |&b| b == b'|').collect()
}

/// Parses an Error Summary row.
pub fn error_row(row: &[u8]) -> Result<ErrorRow, RowError> {
    let f = split(row, 4);
    if f.len() != 4 {
        return Err("an error summary row has four columns".into());
    }
    let (flagged, device) = flag_and_device(f[0])?;
    Ok(ErrorRow {
        flagged,
        device,
        pass_errors: number(f[1], "pass errors")?,
        verify_errors: number(f[2], "verification errors")?,
        fsync_errors: number(f[3], "fdatasync errors")?,
    })
}

/// Parses an Erasure Summary row.
pub fn erasure_row(row: &[u8]) -> Result<ErasureRow, RowError> {
    let f = split(row, 4);
    if f.len() != 4 {
        return Err("an erasure summary row has four columns".into());
    }
    let (flagged, device) = flag_and_device(f[0])?;
    let percent = f[3].trim_ascii();
    if percent.is_empty() || percent.len() > 8 || !percent.is_ascii() {
        return Err("the percentage column is empty or not text".into());
    }
    Ok(ErasureRow {
        flagged,
        device,
        bytes_erased: number(f[1], "bytes erased")?,
        bytes_total: number(f[2], "bytes total")?,
        percent: String::from_utf8_lossy(percent).into_owned(),
    })
}

/// Parses a Drive Status row.
pub fn status_row(row: &[u8]) -> Result<StatusRow, RowError> {
    let f = split(row, 5);
    if f.len() != 5 {
        return Err("a drive status row has five columns".into());
    }
    let (flagged, device) = flag_and_device(f[0])?;
    let status = match f[1] {
        b" Erased " => TableStatus::Erased,
        b"-FAILED-" => TableStatus::Failed,
        b"UABORTED" => TableStatus::Aborted,
        b"INSANITY" => TableStatus::Insanity,
        other => {
            return Err(format!(
                "unknown drive status {:?}",
                String::from_utf8_lossy(other)
            ))
        }
    };
    let tp = f[2].trim_ascii();
    let tp = tp
        .strip_suffix(b"/s")
        .filter(|t| t.is_ascii() && !t.is_empty())
        .ok_or("the throughput column does not end in /s")?;
    Ok(StatusRow {
        flagged,
        device,
        status,
        throughput: String::from_utf8_lossy(tp.trim_ascii()).into_owned(),
        duration_seconds: duration(f[3].trim_ascii())?,
        model_serial: f[4].strip_prefix(b" ").unwrap_or(f[4]).to_vec(),
    })
}

/// `HH:MM:SS`; the hours may have more than two digits.
fn duration(t: &[u8]) -> Result<u64, RowError> {
    let parts: Vec<&[u8]> = t.split(|&b| b == b':').collect();
    let bad = || {
        format!(
            "the duration {:?} is not HH:MM:SS",
            String::from_utf8_lossy(t)
        )
    };
    let [h, m, s] = parts.as_slice() else {
        return Err(bad());
    };
    let h = number(h, "hours").map_err(|_| bad())?;
    let m = number(m, "minutes").map_err(|_| bad())?;
    let s = number(s, "seconds").map_err(|_| bad())?;
    if m >= 60 || s >= 60 || m > 99 {
        return Err(bad());
    }
    h.checked_mul(3600)
        .and_then(|h| h.checked_add(m * 60 + s))
        .ok_or_else(bad)
}

/// Splits the drive table's last column given the model the `Found` line
/// gave (the table cuts it at 17 bytes); without one, at the first `/`.
pub fn split_model_serial<'a>(col: &'a [u8], full_model: Option<&[u8]>) -> (&'a [u8], &'a [u8]) {
    if let Some(model) = full_model {
        let cut = &model[..model.len().min(17)];
        if col.starts_with(cut) && col.get(cut.len()) == Some(&b'/') {
            return (&col[..cut.len()], &col[cut.len() + 1..]);
        }
    }
    match find(col, b"/") {
        Some(i) => (&col[..i], &col[i + 1..]),
        None => (col, &[]),
    }
}

/// The footer: `Total Throughput <tp>/s, <method label>, <r>R+<B|NB>+<NV|VL|VA>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Footer {
    pub method_label: String,
    pub rounds: u32,
    pub blank: bool,
    pub verify: super::Verify,
}

/// Parses the footer's message (after the timestamp).
pub fn footer(msg: &[u8]) -> Result<Footer, RowError> {
    let text = std::str::from_utf8(msg).map_err(|_| "the footer is not text")?;
    let rest = text
        .trim_end()
        .strip_prefix("Total Throughput")
        .ok_or("the footer does not start with Total Throughput")?;
    let (_, rest) = rest
        .split_once(", ")
        .ok_or("the footer has no method after the throughput")?;
    let (label, code) = rest
        .rsplit_once(", ")
        .ok_or("the footer has no rounds/blank/verify code")?;
    let mut parts = code.split('+');
    let (Some(r), Some(b), Some(v), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "the footer code {code:?} is not <rounds>R+<B|NB>+<NV|VL|VA>"
        ));
    };
    let rounds = r
        .strip_suffix('R')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| format!("the rounds {r:?} are not <n>R"))?;
    let blank = match b {
        "B" => true,
        "NB" => false,
        _ => return Err(format!("the blanking code {b:?} is not B or NB")),
    };
    let verify = match v {
        "NV" => super::Verify::Off,
        "VL" => super::Verify::Last,
        "VA" => super::Verify::All,
        _ => return Err(format!("the verification code {v:?} is not NV, VL or VA")),
    };
    Ok(Footer {
        method_label: label.to_string(),
        rounds,
        blank,
        verify,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_each_table() {
        let e =
            error_row(b"!    loop1 |           1 |                65536 |                    0")
                .unwrap();
        assert!(e.flagged);
        assert_eq!(
            (e.device.as_str(), e.pass_errors, e.verify_errors),
            ("loop1", 1, 65536)
        );
        let r = erasure_row(b"     sda |     1000204886016 |    1000204886016 |           100.00%")
            .unwrap();
        assert_eq!(
            (r.bytes_erased, r.percent.as_str()),
            (1_000_204_886_016, "100.00%")
        );
        let s = status_row(
            b"!    loop3 |-FAILED-|   0 B/s | 00:00:00 | Loopback device/ \xb0\xda\xd5\xdc\x7f",
        )
        .unwrap();
        assert_eq!(s.status, TableStatus::Failed);
        assert_eq!(s.throughput, "0 B");
        assert_eq!(s.model_serial, b"Loopback device/ \xb0\xda\xd5\xdc\x7f");
        let s = status_row(
            b"     nvme0n1 | Erased | 3200 MB/s | 101:02:03 | Samsung SSD 980 P/S64DNF0R",
        )
        .unwrap();
        assert_eq!(s.duration_seconds, 101 * 3600 + 2 * 60 + 3);
    }

    #[test]
    fn bad_rows_say_why() {
        assert!(status_row(b"     sda | Wiped? |  0 B/s | 00:00:00 | x/y")
            .unwrap_err()
            .contains("unknown drive status"));
        assert!(error_row(b"     sda | x | 0 | 0")
            .unwrap_err()
            .contains("pass errors"));
        assert!(status_row(b"     sda | Erased |  0 B/s | 00:61:00 | x/y").is_err());
        assert!(status_row(b"X    sda | Erased |  0 B/s | 00:00:00 | x/y").is_err());
    }

    #[test]
    fn model_and_serial_split_on_the_found_model() {
        let col = b"WDC WD10EZEX-08WN/WD-WCC6Y3KJ1234";
        let (m, s) = split_model_serial(col, Some(b"WDC WD10EZEX-08WN4A0"));
        assert_eq!((m, s), (&b"WDC WD10EZEX-08WN"[..], &b"WD-WCC6Y3KJ1234"[..]));
        let col = b"A/B model/SER/1";
        let (m, s) = split_model_serial(col, Some(b"A/B model"));
        assert_eq!((m, s), (&b"A/B model"[..], &b"SER/1"[..]));
        assert_eq!(
            split_model_serial(b"noslash", None),
            (&b"noslash"[..], &b""[..])
        );
    }

    #[test]
    fn footers() {
        let f = footer(b"Total Throughput   0 B/s, Verify Ones  (0xFF), 1R+B+VL").unwrap();
        assert_eq!(f.method_label, "Verify Ones  (0xFF)");
        assert_eq!(
            (f.rounds, f.blank, f.verify),
            (1, true, super::super::Verify::Last)
        );
        let f = footer(b"Total Throughput 3200 MB/s, DoD Short, 2R+NB+VA").unwrap();
        assert_eq!(
            (f.rounds, f.blank, f.verify),
            (2, false, super::super::Verify::All)
        );
        assert!(footer(b"Total Throughput 0 B/s, Zero, 1R+B").is_err());
    }
}
