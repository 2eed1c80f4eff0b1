//! HID POS (usage page 0x8C) scanned-data reports: where the AIM identifier,
//! the data and the "more reports follow" bit sit in a report ([`PosLayout`]),
//! and joining the reports of one scan ([`PosAssembler`]).
//!
//! Honeywell (and Access-IS) send 64-byte reports: [0] report id 0x02, [1] data
//! length (≤ 56), [2..5] AIM id, [5..61] data, [61] Honeywell code id,
//! [62] reserved, [63] bit0 = more reports follow. The same layout arrives
//! without its report id (63 bytes), and some firmware drops the two vendor
//! bytes (62 bytes, or 61 without the id). Without a layout the assembler picks
//! one of these by report length; other vendors' layouts come from their report
//! descriptor ([`PosLayout::from_descriptor`]).

use super::HidError;

/// Longest scan kept (bytes of data); longer scans are dropped whole.
pub const MAX_SCAN_LEN: usize = 8 * 1024;

/// Where the fields of a scanned-data report are, as byte offsets into the
/// report as read (report id included when the device uses report ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PosLayout {
    /// The report id that leads each report, if the device uses ids.
    pub report_id: Option<u8>,
    /// Bytes per report, report id included.
    pub report_len: usize,
    /// Offset of the byte holding the number of data bytes in this report;
    /// without one, trailing zero bytes of the data field are padding.
    pub length: Option<usize>,
    /// Offsets of Symbology Identifier 1–3 (the AIM id, e.g. `]`, `Q`, `1`).
    pub symbology: [Option<usize>; 3],
    /// Offset and size of the Decoded Data field.
    pub data: (usize, usize),
    /// Byte offset and bit mask of Decode Data Continued (more reports follow).
    pub more: Option<(usize, u8)>,
    /// Offset of a vendor code-id byte (Honeywell's symbology code).
    pub code_id: Option<usize>,
}

impl PosLayout {
    /// Honeywell's 64-byte report with report id 0x02.
    pub const HONEYWELL: PosLayout = PosLayout {
        report_id: Some(0x02),
        report_len: 64,
        length: Some(1),
        symbology: [Some(2), Some(3), Some(4)],
        data: (5, 56),
        more: Some((63, 0x01)),
        code_id: Some(61),
    };

    /// The Honeywell layout without its report id (63 bytes; WebHID and some stacks).
    pub const HONEYWELL_NO_ID: PosLayout = PosLayout {
        report_id: None,
        report_len: 63,
        length: Some(0),
        symbology: [Some(1), Some(2), Some(3)],
        data: (4, 56),
        more: Some((62, 0x01)),
        code_id: Some(60),
    };

    /// 62 bytes: report id, length, AIM id, 56 data bytes, flags; no vendor bytes.
    pub const SHORT: PosLayout = PosLayout {
        report_id: Some(0x02),
        report_len: 62,
        length: Some(1),
        symbology: [Some(2), Some(3), Some(4)],
        data: (5, 56),
        more: Some((61, 0x01)),
        code_id: None,
    };

    /// 61 bytes: the 62-byte layout without its report id.
    pub const SHORT_NO_ID: PosLayout = PosLayout {
        report_id: None,
        report_len: 61,
        length: Some(0),
        symbology: [Some(1), Some(2), Some(3)],
        data: (4, 56),
        more: Some((60, 0x01)),
        code_id: None,
    };

    /// The built-in layout for a report of `len` bytes.
    pub fn for_report_len(len: usize) -> Option<PosLayout> {
        [
            Self::HONEYWELL,
            Self::HONEYWELL_NO_ID,
            Self::SHORT,
            Self::SHORT_NO_ID,
        ]
        .into_iter()
        .find(|l| l.report_len == len)
    }
}

/// One complete scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PosScan {
    /// The AIM symbology identifier (`]Q1`), when the report carries one.
    pub aim: Option<String>,
    /// The scanned bytes (GS as 0x1D, binary data as is).
    pub data: Vec<u8>,
    /// The vendor's code id (Honeywell: 0x73 QR, 0x6A Code 128 …), if non-zero.
    pub code_id: Option<u8>,
}

/// Joins HID POS reports into scans.
#[derive(Debug, Clone, Default)]
pub struct PosAssembler {
    layout: Option<PosLayout>,
    data: Vec<u8>,
    aim: Option<String>,
    code_id: Option<u8>,
    in_scan: bool,
    /// Dropping the rest of an overlong scan until its last report.
    skipping: bool,
}

impl PosAssembler {
    /// An assembler that picks a built-in Honeywell layout by report length.
    pub fn new() -> Self {
        Self::default()
    }

    /// An assembler for one layout (e.g. read from the report descriptor).
    pub fn with_layout(layout: PosLayout) -> Self {
        Self {
            layout: Some(layout),
            ..Self::default()
        }
    }

    /// Feeds one report; returns the scan when this report completes one.
    /// A malformed report is an error and drops the scan in progress.
    pub fn feed(&mut self, report: &[u8]) -> Result<Option<PosScan>, HidError> {
        let layout = match self.layout {
            Some(layout) => layout,
            None => PosLayout::for_report_len(report.len()).ok_or_else(|| HidError::PosLength {
                got: report.len(),
                expected: "61, 62, 63 or 64 (Honeywell layouts)".to_string(),
            })?,
        };
        let result = self.feed_with(&layout, report);
        if let Err(e) = &result {
            if !matches!(e, HidError::ScanTooLong(_)) {
                self.reset();
            }
        }
        result
    }

    fn feed_with(
        &mut self,
        layout: &PosLayout,
        report: &[u8],
    ) -> Result<Option<PosScan>, HidError> {
        if report.len() != layout.report_len {
            return Err(HidError::PosLength {
                got: report.len(),
                expected: layout.report_len.to_string(),
            });
        }
        if let Some(expected) = layout.report_id {
            let got = report.first().copied().unwrap_or(0);
            if got != expected {
                return Err(HidError::ReportId { got, expected });
            }
        }
        let (offset, room) = layout.data;
        let region = report
            .get(offset..offset.saturating_add(room))
            .ok_or_else(|| HidError::PosLength {
                got: report.len(),
                expected: format!("at least {} for its data field", offset + room),
            })?;
        let len = match layout.length {
            Some(at) => {
                let len = usize::from(report.get(at).copied().unwrap_or(0));
                if len > room {
                    return Err(HidError::DataLength { len, room });
                }
                len
            }
            None => region.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1),
        };
        let more = layout
            .more
            .is_some_and(|(at, mask)| report.get(at).is_some_and(|b| b & mask != 0));

        if self.skipping {
            self.skipping = more;
            return Ok(None);
        }
        if !self.in_scan {
            self.in_scan = true;
            self.aim = aim(layout, report);
            self.code_id = layout
                .code_id
                .and_then(|at| report.get(at).copied())
                .filter(|&c| c != 0);
        }
        if self.data.len() + len > MAX_SCAN_LEN {
            self.reset();
            self.skipping = more;
            return Err(HidError::ScanTooLong(MAX_SCAN_LEN));
        }
        self.data.extend_from_slice(&region[..len]);
        if more {
            return Ok(None);
        }
        let scan = PosScan {
            aim: self.aim.take(),
            data: std::mem::take(&mut self.data),
            code_id: self.code_id.take(),
        };
        self.reset();
        if scan.data.is_empty() && scan.aim.is_none() {
            return Ok(None);
        }
        Ok(Some(scan))
    }

    fn reset(&mut self) {
        self.data.clear();
        self.aim = None;
        self.code_id = None;
        self.in_scan = false;
        self.skipping = false;
    }
}

/// The AIM identifier from the symbology bytes: `]` and two printable characters.
fn aim(layout: &PosLayout, report: &[u8]) -> Option<String> {
    let mut id = [0u8; 3];
    for (slot, at) in id.iter_mut().zip(layout.symbology) {
        *slot = report.get(at?).copied()?;
    }
    (id[0] == b']' && id[1].is_ascii_graphic() && id[2].is_ascii_graphic())
        .then(|| id.iter().map(|&b| char::from(b)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Honeywell 64-byte report.
    fn honeywell(aim: &[u8; 3], data: &[u8], code: u8, more: bool) -> Vec<u8> {
        let mut r = vec![0u8; 64];
        r[0] = 0x02;
        r[1] = data.len() as u8;
        r[2..5].copy_from_slice(aim);
        r[5..5 + data.len()].copy_from_slice(data);
        r[61] = code;
        r[63] = u8::from(more);
        r
    }

    #[test]
    fn single_report_scan() {
        let mut a = PosAssembler::new();
        let scan = a
            .feed(&honeywell(
                b"]C1",
                b"0109506000134352\x1d21ABC",
                0x49,
                false,
            ))
            .unwrap()
            .unwrap();
        assert_eq!(scan.aim.as_deref(), Some("]C1"));
        assert_eq!(scan.data, b"0109506000134352\x1d21ABC");
        assert_eq!(scan.code_id, Some(0x49));
    }

    #[test]
    fn joins_continuation_reports() {
        let text: Vec<u8> = (0..130u8).map(|i| b'A' + i % 26).collect();
        let mut a = PosAssembler::new();
        assert_eq!(
            a.feed(&honeywell(b"]Q1", &text[..56], 0x73, true)),
            Ok(None)
        );
        assert_eq!(
            a.feed(&honeywell(b"]Q1", &text[56..112], 0x73, true)),
            Ok(None)
        );
        let scan = a
            .feed(&honeywell(b"]Q1", &text[112..], 0x73, false))
            .unwrap()
            .unwrap();
        assert_eq!(scan.data, text);
        assert_eq!(scan.aim.as_deref(), Some("]Q1"));
    }

    #[test]
    fn variants_without_report_id_or_vendor_bytes() {
        let full = honeywell(b"]E0", b"9780201379624", 0x64, false);
        let mut a = PosAssembler::new();
        let scan = a.feed(&full[1..]).unwrap().unwrap();
        assert_eq!(scan.data, b"9780201379624");
        assert_eq!(scan.code_id, Some(0x64));
        // 62 bytes: id, len, aim, data, flags.
        let mut short = full[..61].to_vec();
        short.push(0);
        let scan = a.feed(&short).unwrap().unwrap();
        assert_eq!(
            (scan.data.as_slice(), scan.code_id),
            (&b"9780201379624"[..], None)
        );
        let scan = a.feed(&short[1..]).unwrap().unwrap();
        assert_eq!(scan.aim.as_deref(), Some("]E0"));
    }

    #[test]
    fn bad_reports_are_errors_and_resynchronise() {
        let mut a = PosAssembler::new();
        let mut r = honeywell(b"]Q1", b"abc", 0, true);
        assert_eq!(a.feed(&r), Ok(None));
        r[1] = 57;
        assert_eq!(
            a.feed(&r).unwrap_err().to_string(),
            "HID POS report says 57 data bytes but has room for 56"
        );
        // The partial scan was dropped.
        let scan = a
            .feed(&honeywell(b"]Q1", b"xyz", 0, false))
            .unwrap()
            .unwrap();
        assert_eq!(scan.data, b"xyz");
        assert!(matches!(
            a.feed(&[0u8; 10]),
            Err(HidError::PosLength { got: 10, .. })
        ));
        r[0] = 0x05;
        assert_eq!(
            a.feed(&r),
            Err(HidError::ReportId {
                got: 0x05,
                expected: 0x02
            })
        );
    }

    #[test]
    fn overlong_scans_are_dropped_until_they_end() {
        let mut a = PosAssembler::new();
        let chunk = [b'x'; 56];
        let mut errors = 0;
        for _ in 0..(MAX_SCAN_LEN / 56 + 5) {
            match a.feed(&honeywell(b"]Q1", &chunk, 0, true)) {
                Err(HidError::ScanTooLong(_)) => errors += 1,
                Ok(None) => {}
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(errors, 1);
        assert_eq!(a.feed(&honeywell(b"]Q1", &chunk, 0, false)), Ok(None));
        let scan = a
            .feed(&honeywell(b"]Q1", b"ok", 0, false))
            .unwrap()
            .unwrap();
        assert_eq!(scan.data, b"ok");
    }

    #[test]
    fn fixed_layout_refuses_other_lengths() {
        let mut a = PosAssembler::with_layout(PosLayout::HONEYWELL);
        let r = honeywell(b"]Q1", b"abc", 0, false);
        assert_eq!(
            a.feed(&r[1..]).unwrap_err().to_string(),
            "HID POS report has 63 bytes, expected 64"
        );
    }
}
