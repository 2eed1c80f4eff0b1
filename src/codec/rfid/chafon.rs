//! Chafon / UHFReader18-style UHF readers: a binary protocol over serial.
//!
//! Command: `Len Adr Cmd Data… CRC_lo CRC_hi` with Len = len(Data) + 4.
//! Response: `Len Adr reCmd Status Data… CRC_lo CRC_hi` with Len = len(Data) + 5.
//! The CRC is [`crc::chafon`](super::crc::chafon) over Len … last data byte.
//! There is no start byte, so the decoder finds frames by length and checksum
//! (see the `framing` module). In answer mode the station polls with
//! Inventory (0x01) and the reply lists the tags in the field; in active mode
//! the reader pushes one 0xEE frame per tag unasked. A client cannot know the
//! mode, so it handles both.

use super::crc;
use super::framing::{self, FrameFormat, Probe};

/// Inventory (Gen2 multi-tag).
pub const CMD_INVENTORY: u8 = 0x01;
/// Get reader information.
pub const CMD_READER_INFO: u8 = 0x21;
/// Scan time (×100 ms).
pub const CMD_SCAN_TIME: u8 = 0x25;
/// reCmd of the frames a reader pushes in active (scan) mode.
pub const RE_ACTIVE: u8 = 0xEE;
/// reCmd of the answer to an illegal command or a command with a bad CRC.
pub const RE_ILLEGAL: u8 = 0x00;

/// Inventory finished.
pub const STATUS_DONE: u8 = 0x01;
/// Inventory stopped by the scan-time limit.
pub const STATUS_TIME_OVERFLOW: u8 = 0x02;
/// More frames of this inventory follow.
pub const STATUS_MORE: u8 = 0x03;
/// The reader's buffer is full.
pub const STATUS_BUFFER_FULL: u8 = 0x04;
/// No tag in the field.
pub const STATUS_NO_TAG: u8 = 0xFB;
/// Illegal command or CRC error.
pub const STATUS_ILLEGAL: u8 = 0xFE;

/// The broadcast address: every reader answers it.
pub const BROADCAST: u8 = 0xFF;

/// Appends a command frame to `out`. Data longer than 251 bytes does not fit
/// a frame and is cut.
pub fn write_command(out: &mut Vec<u8>, adr: u8, cmd: u8, data: &[u8]) {
    let data = &data[..data.len().min(251)];
    let start = out.len();
    out.extend_from_slice(&[(data.len() + 4) as u8, adr, cmd]);
    out.extend_from_slice(data);
    let c = crc::chafon(&out[start..]);
    out.extend_from_slice(&c.to_le_bytes());
}

/// A command frame.
pub fn encode_command(adr: u8, cmd: u8, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(data.len() + 5);
    write_command(&mut v, adr, cmd, data);
    v
}

/// The inventory poll (`04 00 01 DB 4B` for address 0).
pub fn inventory_request(adr: u8) -> Vec<u8> {
    encode_command(adr, CMD_INVENTORY, &[])
}

/// Appends a response frame to `out` (what a reader sends). Data longer than
/// 250 bytes is cut.
pub fn write_response(out: &mut Vec<u8>, adr: u8, re_cmd: u8, status: u8, data: &[u8]) {
    let data = &data[..data.len().min(250)];
    let start = out.len();
    out.extend_from_slice(&[(data.len() + 5) as u8, adr, re_cmd, status]);
    out.extend_from_slice(data);
    let c = crc::chafon(&out[start..]);
    out.extend_from_slice(&c.to_le_bytes());
}

/// An active-mode frame carrying one EPC.
pub fn write_active_frame(out: &mut Vec<u8>, adr: u8, epc: &[u8]) {
    write_response(out, adr, RE_ACTIVE, 0x00, epc);
}

/// The inventory answer for `epcs`: as many frames as needed, every one but
/// the last with status 0x03 (more follow), the last with `final_status`; a
/// single 0xFB frame when there are no tags.
pub fn encode_inventory_response(adr: u8, final_status: u8, epcs: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    if epcs.is_empty() {
        write_response(&mut out, adr, CMD_INVENTORY, STATUS_NO_TAG, &[]);
        return out;
    }
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut data = vec![0u8];
    for epc in epcs {
        let epc = &epc[..epc.len().min(62)];
        if data.len() + 1 + epc.len() > 250 {
            chunks.push(std::mem::replace(&mut data, vec![0u8]));
        }
        data[0] += 1;
        data.push(epc.len() as u8);
        data.extend_from_slice(epc);
    }
    chunks.push(data);
    let last = chunks.len() - 1;
    for (i, d) in chunks.iter().enumerate() {
        let status = if i == last { final_status } else { STATUS_MORE };
        write_response(&mut out, adr, CMD_INVENTORY, status, d);
    }
    out
}

/// One checked frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    pub adr: u8,
    /// Cmd (commands) or reCmd (responses).
    pub cmd: u8,
    /// The status byte of a response; None for a command.
    pub status: Option<u8>,
    pub data: &'a [u8],
}

/// Which way the frames travel: responses carry a status byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Reader to host: responses and active-mode frames.
    FromReader,
    /// Host to reader: commands (what a simulator decodes).
    ToReader,
}

/// Chafon framing in one direction, for the shared [`framing::Decoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format(pub Direction);

/// Incremental decoder: push bytes, pull frames.
pub type Decoder = framing::Decoder<Format>;

impl Decoder {
    pub fn new(dir: Direction) -> Decoder {
        Decoder::with_format(Format(dir))
    }
}

impl FrameFormat for Format {
    type Frame<'a> = Frame<'a>;

    /// A frame is `Len` and `Len` more bytes; a response has at least
    /// `Adr reCmd Status` and the CRC.
    #[inline]
    fn probe(&self, b: &[u8]) -> Probe {
        let min = match self.0 {
            Direction::FromReader => 5,
            Direction::ToReader => 4,
        };
        let len = b[0] as usize;
        if len < min {
            return Probe::Skip;
        }
        framing::whole(b, len + 1, |f| {
            crc::chafon(&f[..len - 1]) == u16::from_le_bytes([f[len - 1], f[len]])
        })
    }

    #[inline]
    fn frame<'a>(&self, f: &'a [u8]) -> Frame<'a> {
        let body = &f[3..f.len() - 2];
        match self.0 {
            Direction::FromReader => Frame {
                adr: f[1],
                cmd: f[2],
                status: Some(body[0]),
                data: &body[1..],
            },
            Direction::ToReader => Frame {
                adr: f[1],
                cmd: f[2],
                status: None,
                data: body,
            },
        }
    }
}

/// What a response frame means to the station.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply<'a> {
    /// Tags from an inventory answer; `last` is false when more frames follow.
    Inventory { tags: InventoryTags<'a>, last: bool },
    /// The inventory found no tag.
    NoTag,
    /// One tag pushed in active mode.
    Active(&'a [u8]),
    /// The reader refused the command (illegal or bad CRC).
    Refused,
    /// Any other answer (reader info, settings).
    Other,
}

/// Classifies a response frame.
pub fn reply<'a>(f: &Frame<'a>) -> Reply<'a> {
    let status = f.status.unwrap_or(0);
    match (f.cmd, status) {
        (RE_ACTIVE, _) => Reply::Active(f.data),
        (RE_ILLEGAL, _) | (_, STATUS_ILLEGAL) => Reply::Refused,
        (CMD_INVENTORY, STATUS_NO_TAG) => Reply::NoTag,
        (CMD_INVENTORY, STATUS_DONE | STATUS_TIME_OVERFLOW | STATUS_BUFFER_FULL) => {
            Reply::Inventory {
                tags: InventoryTags::new(f.data),
                last: true,
            }
        }
        (CMD_INVENTORY, STATUS_MORE) => Reply::Inventory {
            tags: InventoryTags::new(f.data),
            last: false,
        },
        _ => Reply::Other,
    }
}

/// The EPCs of an inventory answer's data: `Num` then `[len][EPC]` per tag.
/// Yields `Err(())` once, and stops, when the data is inconsistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InventoryTags<'a> {
    rest: &'a [u8],
    left: u8,
    broken: bool,
}

impl<'a> InventoryTags<'a> {
    fn new(data: &'a [u8]) -> InventoryTags<'a> {
        match data.split_first() {
            Some((&n, rest)) => InventoryTags {
                rest,
                left: n,
                broken: false,
            },
            None => InventoryTags {
                rest: data,
                left: 0,
                broken: true,
            },
        }
    }
}

impl<'a> Iterator for InventoryTags<'a> {
    type Item = Result<&'a [u8], ()>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.broken {
            self.broken = false;
            self.left = 0;
            self.rest = &[];
            return Some(Err(()));
        }
        if self.left == 0 {
            return (!self.rest.is_empty()).then(|| {
                self.rest = &[];
                Err(())
            });
        }
        let (&len, after) = self.rest.split_first()?;
        let len = len as usize;
        if len == 0 || after.len() < len {
            self.broken = true;
            return self.next();
        }
        self.left -= 1;
        let (epc, rest) = after.split_at(len);
        self.rest = rest;
        Some(Ok(epc))
    }
}

/// Pushes `data` through a response decoder and a command decoder and
/// classifies every frame; for fuzzing. Never panics.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let mut d = Decoder::new(Direction::FromReader);
    for chunk in data.chunks(7) {
        d.push(chunk);
        while let Some(f) = d.next_frame() {
            if let Reply::Inventory { tags, .. } = reply(&f) {
                for t in tags.flatten() {
                    let _ = super::TagRead {
                        epc: t,
                        antenna: None,
                        rssi: None,
                        seen: 1,
                    };
                }
            }
        }
    }
    d.idle();
    let mut c = Decoder::new(Direction::ToReader);
    c.push(data);
    while c.next_frame().is_some() {}
}

#[cfg(test)]
mod tests;
