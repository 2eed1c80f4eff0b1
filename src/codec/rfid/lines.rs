//! Line-mode scanners: one scan per CR- or LF-terminated line, an AIM
//! symbology identifier (`]C1`, `]Q3` …) optionally in front.
//!
//! [`LineSplitter`] is also the lower layer of the TSL ASCII protocol. CR, LF
//! and CR LF each end one line. A line longer than the cap (8 KiB) is dropped
//! whole and counted as overlong; the splitter resynchronises at the next
//! terminator. [`ScanLines`] adds what a barcode scanner needs: empty lines
//! are skipped and a line carrying control characters (binary noise on the
//! wire), or invalid UTF-8 together with any control character, is dropped
//! and counted as garbage instead of becoming a bogus scan.

use super::DecodeStats;

/// The longest line kept, in bytes (the same cap as a scan).
pub const MAX_LINE: usize = 8 * 1024;

/// Splits a byte stream into lines.
#[derive(Debug)]
pub struct LineSplitter {
    buf: Vec<u8>,
    pos: usize,
    /// Where the search for a terminator resumes.
    scan: usize,
    cap: usize,
    /// Dropping an overlong line until its terminator.
    discarding: bool,
    /// The previous line ended with CR: a LF right after it is part of that end.
    after_cr: bool,
    pub stats: DecodeStats,
}

impl Default for LineSplitter {
    fn default() -> Self {
        LineSplitter::new(MAX_LINE)
    }
}

impl LineSplitter {
    pub fn new(cap: usize) -> LineSplitter {
        LineSplitter {
            buf: Vec::new(),
            pos: 0,
            scan: 0,
            cap: cap.max(1),
            discarding: false,
            after_cr: false,
            stats: DecodeStats::default(),
        }
    }

    pub fn push(&mut self, data: &[u8]) {
        if self.pos > 0 {
            self.buf.drain(..self.pos);
            self.scan -= self.pos;
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete line, without its terminator (possibly empty).
    pub fn next_line(&mut self) -> Option<&[u8]> {
        loop {
            if self.after_cr && self.pos < self.buf.len() {
                if self.buf[self.pos] == b'\n' {
                    self.pos += 1;
                }
                self.after_cr = false;
            }
            self.scan = self.scan.max(self.pos);
            let found = self.buf[self.scan..]
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .map(|i| self.scan + i);
            match found {
                Some(end) => {
                    let start = self.pos;
                    self.after_cr = self.buf[end] == b'\r';
                    self.pos = end + 1;
                    self.scan = self.pos;
                    if self.discarding {
                        self.discarding = false;
                        continue;
                    }
                    if end - start > self.cap {
                        self.stats.overlong += 1;
                        continue;
                    }
                    self.stats.frames += 1;
                    return Some(&self.buf[start..end]);
                }
                None => {
                    self.scan = self.buf.len();
                    if self.buf.len() - self.pos > self.cap {
                        if !self.discarding {
                            self.stats.overlong += 1;
                            self.discarding = true;
                        }
                        self.pos = self.buf.len();
                        self.scan = self.pos;
                    }
                    return None;
                }
            }
        }
    }

    /// Bytes of an unfinished line.
    pub fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }
}

/// Scanner lines: non-empty lines without binary noise.
#[derive(Debug, Default)]
pub struct ScanLines {
    lines: LineSplitter,
}

impl ScanLines {
    pub fn new() -> ScanLines {
        ScanLines::default()
    }

    pub fn push(&mut self, data: &[u8]) {
        self.lines.push(data);
    }

    /// The next scan's bytes, AIM identifier included when the scanner sent one.
    pub fn next_scan(&mut self) -> Option<&[u8]> {
        loop {
            let line = self.lines.next_line()?;
            if line.is_empty() {
                continue;
            }
            if is_binary_noise(line) {
                let n = line.len() as u64;
                self.lines.stats.frames -= 1;
                self.lines.stats.garbage_bytes += n;
                continue;
            }
            // Borrow again: the loop above cannot return `line` directly on every path.
            let line = self.lines.last_line();
            return Some(line);
        }
    }

    pub fn stats(&self) -> DecodeStats {
        self.lines.stats
    }
}

impl LineSplitter {
    /// The line `next_line` returned last.
    fn last_line(&self) -> &[u8] {
        let end = self.pos - 1;
        let mut start = end;
        while start > 0 && !matches!(self.buf[start - 1], b'\r' | b'\n') {
            start -= 1;
        }
        &self.buf[start..end]
    }
}

/// Whether a line is binary noise rather than a scan: it holds a control
/// byte no scanner sends (see [`is_noise`]), or it is not valid UTF-8 and
/// holds any control byte at all. Valid text with GS, RS, EOT or HT (an
/// ISO/IEC 15434 message, GS1 data) is a scan; so is text in a legacy code
/// page without control bytes (kept as `raw_hex` downstream).
fn is_binary_noise(line: &[u8]) -> bool {
    line.iter().any(|&b| is_noise(b))
        || (line.iter().any(|&b| b < 0x20) && std::str::from_utf8(line).is_err())
}

/// Bytes a scanner never sends inside a scan: C0 controls except HT, EOT,
/// GS and RS (ISO/IEC 15434 uses the last three), and DEL.
fn is_noise(b: u8) -> bool {
    (b < 0x20 && !matches!(b, 0x09 | 0x04 | 0x1D | 0x1E)) || b == 0x7F
}

/// The AIM symbology identifier at the start of a scan (`]C1`), if any.
pub fn aim_prefix(scan: &[u8]) -> Option<&[u8]> {
    match scan {
        [b']', c, m, ..] if c.is_ascii_alphabetic() && m.is_ascii_alphanumeric() => {
            Some(&scan[..3])
        }
        _ => None,
    }
}

/// Splits `data` into scans; for fuzzing.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let mut s = ScanLines::new();
    for chunk in data.chunks(11) {
        s.push(chunk);
        while let Some(l) = s.next_scan() {
            let _ = aim_prefix(l);
        }
    }
    let mut small = LineSplitter::new(16);
    small.push(data);
    while small.next_line().is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scans(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, DecodeStats) {
        let mut s = ScanLines::new();
        let mut out = Vec::new();
        for c in chunks {
            s.push(c);
            while let Some(l) = s.next_scan() {
                out.push(l.to_vec());
            }
        }
        (out, s.stats())
    }

    #[test]
    fn cr_lf_and_crlf_end_lines_and_blank_lines_are_skipped() {
        let (l, _) = scans(&[b"]C1ABC\r", b"\n123\n\n\r\nX\rY\r\n"]);
        assert_eq!(
            l,
            vec![
                b"]C1ABC".to_vec(),
                b"123".to_vec(),
                b"X".to_vec(),
                b"Y".to_vec()
            ]
        );
    }

    #[test]
    fn gs_survives_and_noise_is_dropped() {
        let (l, s) = scans(&[b"]C10109506000134352\x1d21ABC\r\n\x00\x01\xff\x02junk\r\nOK\r\n"]);
        assert_eq!(
            l,
            vec![b"]C10109506000134352\x1d21ABC".to_vec(), b"OK".to_vec()]
        );
        assert_eq!(s.garbage_bytes, 8);
        assert_eq!(aim_prefix(&l[0]), Some(&b"]C1"[..]));
        assert_eq!(aim_prefix(b"OK"), None);
    }

    /// Issue 9, item 3: invalid UTF-8 with the control bytes a 15434 message
    /// uses is noise; the same controls in valid text are a scan.
    #[test]
    fn invalid_utf8_with_control_bytes_is_garbage() {
        let envelope = b"[)>\x1e06\x1d1PABC\x1d\x1e\x04";
        let noise = b"\xff\x1d\xfe\x1e\x80\x04";
        let tabbed = b"\x93\tX\xc3";
        let latin1 = b"STRA\xdfE-1";
        let mut chunks: Vec<&[u8]> = Vec::new();
        for part in [&envelope[..], noise, tabbed, latin1] {
            chunks.push(part);
            chunks.push(b"\r\n");
        }
        let (l, s) = scans(&chunks);
        assert_eq!(l, vec![envelope.to_vec(), latin1.to_vec()]);
        assert_eq!(s.garbage_bytes, (noise.len() + tabbed.len()) as u64);
        assert_eq!(s.frames, 2);
    }

    #[test]
    fn an_unterminated_10k_line_is_dropped_then_resync() {
        let big = vec![b'A'; 10 * 1024];
        let (l, s) = scans(&[&big[..4000], &big[4000..], b"\r\nNEXT\r\n"]);
        assert_eq!(l, vec![b"NEXT".to_vec()]);
        assert_eq!(s.overlong, 1);
        // Exactly at the cap is fine.
        let ok = vec![b'B'; MAX_LINE];
        let (l, s) = scans(&[&ok, b"\n"]);
        assert_eq!(l.len(), 1);
        assert_eq!(s.overlong, 0);
    }
}
