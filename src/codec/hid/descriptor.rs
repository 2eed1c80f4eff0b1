//! A small HID report-descriptor parser: just enough to find, in a HID POS
//! scanner's descriptor, where the scanned-data report keeps its fields
//! (usage page 0x8C: Symbology Identifier 1–3 0xFB–0xFD, Decoded Data 0xFE,
//! Decode Data Continued 0xFF), so that vendors other than Honeywell work
//! without a hand-written layout.
//!
//! Only Input main items are laid out (that is where scans arrive). The data
//! length, where there is one, is the Generic Desktop "Byte Count" usage
//! (0x01:0x3B), or else the first 8-bit input field before the symbology and
//! data fields; a vendor-page byte after the data is taken as a code id.

use super::pos::PosLayout;
use super::HidError;

const POS_PAGE: u16 = 0x8C;
const MAX_REPORT_BITS: u64 = 8 * 4096;
const MAX_FIELDS: u64 = 65536;

/// One input field (one usage's bits) of one report.
#[derive(Debug, Clone, Copy)]
struct Field {
    report_id: Option<u8>,
    bit: u32,
    bits: u32,
    page: u16,
    usage: u16,
    constant: bool,
}

impl Field {
    fn byte(&self) -> Option<usize> {
        (self.bit.is_multiple_of(8) && self.bits == 8).then_some((self.bit / 8) as usize)
    }
    fn is(&self, page: u16, usage: u16) -> bool {
        self.page == page && self.usage == usage
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Globals {
    page: u16,
    report_size: u32,
    report_count: u32,
    report_id: Option<u8>,
}

fn bad(msg: impl Into<String>) -> HidError {
    HidError::Descriptor(msg.into())
}

/// Every Input field the descriptor declares, in report order.
fn input_fields(desc: &[u8]) -> Result<Vec<Field>, HidError> {
    let mut fields = Vec::new();
    let mut globals = Globals::default();
    let mut stack: Vec<Globals> = Vec::new();
    let mut usages: Vec<(u16, u16)> = Vec::new();
    let mut usage_min: Option<u32> = None;
    let mut offsets: Vec<(Option<u8>, u64)> = Vec::new();
    let mut at = 0usize;
    while at < desc.len() {
        let prefix = desc[at];
        if prefix == 0xFE {
            // Long item: [0xFE][size][tag][data…]; none are defined, skip it.
            let size = usize::from(
                *desc
                    .get(at + 1)
                    .ok_or_else(|| bad(format!("long item at byte {at} is truncated")))?,
            );
            at += 3 + size;
            continue;
        }
        let size = [0usize, 1, 2, 4][usize::from(prefix & 3)];
        let data = desc
            .get(at + 1..at + 1 + size)
            .ok_or_else(|| bad(format!("item at byte {at} is truncated")))?;
        let value = data
            .iter()
            .rev()
            .fold(0u32, |v, &b| (v << 8) | u32::from(b));
        let kind = (prefix >> 2) & 3;
        let tag = prefix >> 4;
        match (kind, tag) {
            // Main: Input.
            (0, 0x8) => {
                let offset = match offsets.iter_mut().find(|(id, _)| *id == globals.report_id) {
                    Some((_, off)) => off,
                    None => {
                        offsets.push((globals.report_id, 0));
                        let last = offsets.len() - 1;
                        &mut offsets[last].1
                    }
                };
                let constant = value & 1 != 0;
                let variable = value & 2 != 0;
                let total = u64::from(globals.report_size) * u64::from(globals.report_count);
                if *offset + total > MAX_REPORT_BITS
                    || u64::from(globals.report_count) > MAX_REPORT_BITS
                {
                    return Err(bad("declares a report longer than 4096 bytes"));
                }
                if fields.len() as u64 + u64::from(globals.report_count) > MAX_FIELDS {
                    return Err(bad("declares more than 65536 input fields"));
                }
                if total == 0 {
                    // Zero-sized fields take no bits; skip them rather than list them.
                    usages.clear();
                    usage_min = None;
                    at += 1 + size;
                    continue;
                }
                if let (Some(min), true) = (usage_min.take(), usages.len() <= 1) {
                    // A usage range: expand it (capped) as a usage list.
                    let max = usages.pop().map_or(min, |(_, u)| u32::from(u));
                    usages.clear();
                    for u in min..=max.min(min + 1024) {
                        usages.push((globals.page, u as u16));
                    }
                }
                if variable && !usages.is_empty() {
                    for i in 0..globals.report_count {
                        let (page, usage) = usages[(i as usize).min(usages.len() - 1)];
                        fields.push(Field {
                            report_id: globals.report_id,
                            bit: (*offset + u64::from(i) * u64::from(globals.report_size)) as u32,
                            bits: globals.report_size,
                            page,
                            usage,
                            constant,
                        });
                    }
                } else if total > 0 {
                    let (page, usage) = usages.first().copied().unwrap_or((globals.page, 0));
                    if variable || globals.report_size == 8 {
                        // Padding or an array of bytes: one field per byte-sized slot.
                        for i in 0..globals.report_count {
                            fields.push(Field {
                                report_id: globals.report_id,
                                bit: (*offset + u64::from(i) * u64::from(globals.report_size))
                                    as u32,
                                bits: globals.report_size,
                                page,
                                usage,
                                constant: constant || usages.is_empty(),
                            });
                        }
                    } else {
                        fields.push(Field {
                            report_id: globals.report_id,
                            bit: *offset as u32,
                            bits: total as u32,
                            page,
                            usage,
                            constant: constant || usages.is_empty(),
                        });
                    }
                }
                *offset += total;
                usages.clear();
                usage_min = None;
            }
            // Other main items (Output, Feature, Collection, End Collection) end the locals.
            (0, _) => {
                usages.clear();
                usage_min = None;
            }
            (1, 0x0) => globals.page = value as u16,
            (1, 0x7) => globals.report_size = value,
            (1, 0x8) => {
                if value == 0 || value > 0xFF {
                    return Err(bad(format!("has report id {value}, not 1 to 255")));
                }
                globals.report_id = Some(value as u8);
            }
            (1, 0x9) => globals.report_count = value,
            (1, 0xA) => {
                if stack.len() >= 16 {
                    return Err(bad("pushes globals more than 16 deep"));
                }
                stack.push(globals);
            }
            (1, 0xB) => {
                globals = stack
                    .pop()
                    .ok_or_else(|| bad("pops more globals than it pushed"))?
            }
            (2, 0x0) => {
                if usages.len() >= 1024 {
                    return Err(bad("lists more than 1024 usages for one item"));
                }
                let (page, usage) = if size == 4 {
                    ((value >> 16) as u16, value as u16)
                } else {
                    (globals.page, value as u16)
                };
                usages.push((page, usage));
            }
            (2, 0x1) => usage_min = Some(value & 0xFFFF),
            (2, 0x2) => usages.push((globals.page, value as u16)),
            _ => {}
        }
        at += 1 + size;
    }
    Ok(fields)
}

impl PosLayout {
    /// Reads the scanned-data report's layout from a HID report descriptor.
    pub fn from_descriptor(desc: &[u8]) -> Result<PosLayout, HidError> {
        let fields = input_fields(desc)?;
        let report_id = fields
            .iter()
            .find(|f| f.is(POS_PAGE, 0xFE))
            .ok_or_else(|| bad("has no Decoded Data input (usage page 0x8C, usage 0xFE)"))?
            .report_id;
        let fields: Vec<Field> = fields
            .into_iter()
            .filter(|f| f.report_id == report_id)
            .collect();
        let shift = usize::from(report_id.is_some());
        let byte_of = |f: &Field| f.byte().map(|b| b + shift);

        let data: Vec<&Field> = fields.iter().filter(|f| f.is(POS_PAGE, 0xFE)).collect();
        let start = data.iter().map(|f| f.bit).min().unwrap_or(0);
        let end = data.iter().map(|f| f.bit + f.bits).max().unwrap_or(0);
        if start % 8 != 0 || end % 8 != 0 || data.iter().any(|f| f.bits != 8) {
            return Err(bad("has Decoded Data that is not whole bytes"));
        }
        let data_range = (start / 8) as usize + shift..(end / 8) as usize + shift;

        let mut symbology = [None; 3];
        for (slot, usage) in symbology.iter_mut().zip(0xFBu16..=0xFD) {
            *slot = fields
                .iter()
                .find(|f| f.is(POS_PAGE, usage))
                .and_then(byte_of);
        }
        let more = fields
            .iter()
            .find(|f| f.is(POS_PAGE, 0xFF))
            .map(|f| ((f.bit / 8) as usize + shift, 1u8 << (f.bit % 8)));
        let known = |f: &Field| f.page == POS_PAGE && (0xFB..=0xFF).contains(&f.usage);
        let length = fields
            .iter()
            .find(|f| f.is(0x01, 0x3B))
            .and_then(byte_of)
            .or_else(|| {
                fields
                    .iter()
                    .filter(|f| !f.constant && !known(f) && f.bit < start)
                    .find_map(byte_of)
            });
        let code_id = fields
            .iter()
            .filter(|f| !f.constant && f.page >= 0xFF00 && f.bit >= end)
            .find_map(byte_of);
        let total_bits = fields.iter().map(|f| f.bit + f.bits).max().unwrap_or(0);
        let layout = PosLayout {
            report_id,
            report_len: total_bits.div_ceil(8) as usize + shift,
            length,
            symbology,
            data: (data_range.start, data_range.len()),
            more,
            code_id,
        };
        if layout.data.1 == 0 || layout.data.0 + layout.data.1 > layout.report_len {
            return Err(bad("has an empty Decoded Data field"));
        }
        Ok(layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::hid::PosAssembler;

    /// Honeywell's HID POS report 2 written from its documented byte layout:
    /// Byte Count, Symbology Identifier 1–3, 56 bytes of Decoded Data, a
    /// vendor code id, a reserved vendor byte, Decode Data Continued + padding.
    pub(crate) const HONEYWELL_DESCRIPTOR: &[u8] = &[
        0x05, 0x8C, // Usage Page (Barcode Scanner)
        0x09, 0x02, // Usage (Barcode Scanner)
        0xA1, 0x01, // Collection (Application)
        0x09, 0x12, //   Usage (Scanned Data Report)
        0xA1, 0x02, //   Collection (Logical)
        0x85, 0x02, //     Report ID (2)
        0x15, 0x00, 0x26, 0xFF, 0x00, // Logical Minimum 0, Maximum 255
        0x75, 0x08, 0x95, 0x01, //     Report Size 8, Count 1
        0x05, 0x01, 0x09, 0x3B, 0x81, 0x02, // Generic Desktop Byte Count, Input (Var)
        0x05, 0x8C, 0x09, 0xFB, 0x09, 0xFC, 0x09, 0xFD, // Symbology Identifier 1–3
        0x95, 0x03, 0x81, 0x02, //     Input (Data, Var, Abs)
        0x09, 0xFE, 0x95, 0x38, 0x82, 0x02, 0x01, // Decoded Data ×56, Input (Var, Buffered)
        0x06, 0x66, 0xFF, 0x09, 0x01, 0x95, 0x01, 0x81, 0x02, // vendor code id
        0x09, 0x02, 0x81, 0x02, //     vendor reserved byte
        0x05, 0x8C, 0x09, 0xFF, 0x75, 0x01, 0x81, 0x02, // Decode Data Continued (1 bit)
        0x75, 0x07, 0x81, 0x03, //     padding
        0xC0, 0xC0, // End Collections
        // Output report 0xFD (trigger / beep), which must not disturb the input layout.
        0x06, 0x66, 0xFF, 0x85, 0xFD, 0x09, 0x03, 0x75, 0x08, 0x95, 0x3F, 0x91, 0x02,
    ];

    /// A generic scanner per the HID POS usage tables: report id 4, the three
    /// symbology bytes, 60 bytes of data (zero padded, no length), the
    /// continued bit in bit 0 of the last byte; plus a trigger output report.
    pub(crate) const GENERIC_DESCRIPTOR: &[u8] = &[
        0x05, 0x8C, 0x09, 0x02, 0xA1, 0x01, // Barcode Scanner application
        0x09, 0x12, 0xA1, 0x02, 0x85, 0x04, // Scanned Data Report, id 4
        0x15, 0x00, 0x26, 0xFF, 0x00, 0x75, 0x08, //
        0x19, 0xFB, 0x29, 0xFD, 0x95, 0x03, 0x81, 0x02, // Symbology Identifier 1–3 (range)
        0x09, 0xFE, 0x95, 0x3C, 0x82, 0x02, 0x01, // Decoded Data ×60
        0x25, 0x01, 0x75, 0x01, 0x95, 0x01, 0x09, 0xFF, 0x81, 0x02, // Continued
        0x95, 0x07, 0x81, 0x01, // padding
        0xC0, //
        0x09, 0x14, 0xA1, 0x02, 0x85, 0x05, 0x09, 0x00, 0x95, 0x01, 0x91, 0x02,
        0xC0, // Trigger
        0xC0,
    ];

    #[test]
    fn honeywell_descriptor_gives_the_builtin_layout() {
        let layout = PosLayout::from_descriptor(HONEYWELL_DESCRIPTOR).unwrap();
        assert_eq!(layout, PosLayout::HONEYWELL);
    }

    #[test]
    fn generic_descriptor_layout_and_scan() {
        let layout = PosLayout::from_descriptor(GENERIC_DESCRIPTOR).unwrap();
        assert_eq!(
            layout,
            PosLayout {
                report_id: Some(4),
                report_len: 65,
                length: None,
                symbology: [Some(1), Some(2), Some(3)],
                data: (4, 60),
                more: Some((64, 0x01)),
                code_id: None,
            }
        );
        let mut a = PosAssembler::with_layout(layout);
        let mut r = vec![0u8; 65];
        r[0] = 4;
        r[1..4].copy_from_slice(b"]d2");
        r[4..64].copy_from_slice(&[b'7'; 60]);
        r[64] = 1;
        assert_eq!(a.feed(&r), Ok(None));
        r[4..64].fill(0);
        r[4..8].copy_from_slice(b"\x1d10X");
        r[64] = 0;
        let scan = a.feed(&r).unwrap().unwrap();
        assert_eq!(scan.aim.as_deref(), Some("]d2"));
        assert_eq!(scan.data.len(), 64);
        assert!(scan.data.ends_with(b"7\x1d10X"));
    }

    #[test]
    fn descriptor_errors() {
        assert_eq!(
            PosLayout::from_descriptor(&[]).unwrap_err().to_string(),
            "HID report descriptor has no Decoded Data input (usage page 0x8C, usage 0xFE)"
        );
        assert_eq!(
            PosLayout::from_descriptor(&[0x05, 0x8C, 0x26, 0xFF])
                .unwrap_err()
                .to_string(),
            "HID report descriptor item at byte 2 is truncated"
        );
        assert!(
            PosLayout::from_descriptor(&[0xB4]).is_err(),
            "pop without push"
        );
        // A keyboard descriptor has no HID POS data.
        let keyboard = [
            0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00,
            0x25, 0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0xC0,
        ];
        assert!(PosLayout::from_descriptor(&keyboard).is_err());
        // Zero-size fields with a huge count are skipped, not listed.
        let zero = [
            0x05, 0x8C, 0x09, 0xFE, 0x75, 0x00, 0x97, 0xFF, 0xFF, 0xFF, 0x7F, 0x81, 0x02,
        ];
        assert!(PosLayout::from_descriptor(&zero).is_err());
        // A huge report count is refused, not allocated.
        let huge = [
            0x05, 0x8C, 0x09, 0xFE, 0x75, 0x08, 0x97, 0xFF, 0xFF, 0xFF, 0x7F, 0x81, 0x02,
        ];
        assert!(PosLayout::from_descriptor(&huge).is_err());
    }
}
