//! ThingMagic / JADAK Mercury modules: 0xFF-framed binary protocol over serial.
//!
//! Command: `FF Len Op Data… CRC_hi CRC_lo` (Len = len(Data)); response:
//! `FF Len Op Status_hi Status_lo Data… CRC_hi CRC_lo`. The CRC
//! ([`crc::mercury`](super::crc::mercury)) covers Len … Data. The station starts a
//! continuous read (opcode 0x2F) and the module then streams tag records
//! (opcode 0x22) and, once a second, a keepalive (Len 0, status 0x0400) until
//! it is told to stop.
//!
//! Tag record layout (offsets from the 0xFF byte, for the metadata flags our
//! start command asks for): RSSI int8 at 12, antenna at 13 (tx/rx port
//! nibbles), frequency kHz 14–16, timestamp ms 17–20, embedded-data bit count
//! 24–25 and the embedded data, then 26+d a protocol byte, 27+d–28+d the bit count of
//! PC + EPC + EPC CRC, then those.

use super::framing::{self, FrameFormat, Probe};
use super::{crc, TagRead};

pub const OP_READ_TAG_MULTIPLE: u8 = 0x22;
pub const OP_MULTI_PROTOCOL: u8 = 0x2F;
pub const OP_VERSION: u8 = 0x03;
/// Status of the keepalive the module sends during a continuous read.
pub const STATUS_KEEPALIVE: u16 = 0x0400;
/// Status of a temperature-throttle notice.
pub const STATUS_TEMP_THROTTLE: u16 = 0x0504;

/// Data of the continuous-read start command (opcode 0x2F).
pub const START_CONTINUOUS: [u8; 16] = [
    0x00, 0x00, 0x01, 0x22, 0x00, 0x00, 0x05, 0x07, 0x22, 0x10, 0x00, 0x1B, 0x03, 0xE8, 0x01, 0xFF,
];
/// Data of the continuous-read stop command (opcode 0x2F).
pub const STOP_CONTINUOUS: [u8; 3] = [0x00, 0x00, 0x02];

/// Appends a command frame (host to module). Data past 255 bytes is cut.
pub fn write_command(out: &mut Vec<u8>, op: u8, data: &[u8]) {
    let data = &data[..data.len().min(255)];
    let start = out.len();
    out.extend_from_slice(&[0xFF, data.len() as u8, op]);
    out.extend_from_slice(data);
    let c = crc::mercury(&out[start + 1..]);
    out.extend_from_slice(&c.to_be_bytes());
}

pub fn encode_command(op: u8, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(data.len() + 5);
    write_command(&mut v, op, data);
    v
}

pub fn start_continuous_read() -> Vec<u8> {
    encode_command(OP_MULTI_PROTOCOL, &START_CONTINUOUS)
}

pub fn stop_continuous_read() -> Vec<u8> {
    encode_command(OP_MULTI_PROTOCOL, &STOP_CONTINUOUS)
}

/// Appends a response frame (module to host). Data past 255 bytes is cut.
pub fn write_response(out: &mut Vec<u8>, op: u8, status: u16, data: &[u8]) {
    let data = &data[..data.len().min(255)];
    let start = out.len();
    out.extend_from_slice(&[0xFF, data.len() as u8, op]);
    out.extend_from_slice(&status.to_be_bytes());
    out.extend_from_slice(data);
    let c = crc::mercury(&out[start + 1..]);
    out.extend_from_slice(&c.to_be_bytes());
}

/// The keepalive a module sends during a continuous read.
pub fn write_keepalive(out: &mut Vec<u8>) {
    write_response(out, OP_READ_TAG_MULTIPLE, STATUS_KEEPALIVE, &[]);
}

/// Appends one streamed tag record in the layout described in the module docs.
/// `antenna` goes out as the tx/rx nibble pair (1 → 0x11); EPCs past 200 bytes are cut.
pub fn write_tag_record(
    out: &mut Vec<u8>,
    epc: &[u8],
    rssi: i8,
    antenna: u8,
    freq_khz: u32,
    ts_ms: u32,
) {
    let epc = &epc[..epc.len().min(200)];
    let mut d = [0u8; 24 + 200];
    // Offsets below are from the 0xFF byte; data starts at 5.
    d[0] = 0x10; // 5: option
    d[1..3].copy_from_slice(&[0x00, 0x1B]); // 6-7: metadata flags
    d[3] = 0x01; // 8
    d[4] = 0xFF; // 9
    d[5] = 0x01; // 10: read count
    d[6] = 0x01; // 11
    d[7] = rssi as u8; // 12
    let a = antenna & 0x0F;
    d[8] = (a << 4) | a; // 13
    d[9..12].copy_from_slice(&freq_khz.to_be_bytes()[1..]); // 14-16
    d[12..16].copy_from_slice(&ts_ms.to_be_bytes()); // 17-20
    d[16] = 0x00; // 21
    d[17..19].copy_from_slice(&[0x00, 0x05]); // 22-23: protocol (Gen2)
    d[19..21].copy_from_slice(&[0x00, 0x00]); // 24-25: embedded data bits
    d[21] = 0x0F; // 26
    let bits = ((epc.len() + 4) * 8) as u16;
    d[22..24].copy_from_slice(&bits.to_be_bytes()); // 27-28
    let mut n = 24;
    let pc = (((epc.len() / 2) as u16) << 11).to_be_bytes();
    d[n..n + 2].copy_from_slice(&pc);
    n += 2;
    d[n..n + epc.len()].copy_from_slice(epc);
    n += epc.len();
    // The EPC CRC (Gen2 CRC-16); the station does not check it, so any value is plausible.
    let tag_crc = !crc::mercury(&d[24..n]);
    d[n..n + 2].copy_from_slice(&tag_crc.to_be_bytes());
    n += 2;
    write_response(out, OP_READ_TAG_MULTIPLE, 0, &d[..n.min(255)]);
}

/// One checked frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    pub op: u8,
    /// None for commands (host to module).
    pub status: Option<u16>,
    pub data: &'a [u8],
}

/// Which way the frames travel: responses carry a status word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    FromModule,
    ToModule,
}

/// Mercury framing in one direction, for the shared [`framing::Decoder`].
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

    /// A frame is 0xFF, `Len`, and `Len` data bytes plus the opcode, the
    /// status word of a response, and the CRC.
    #[inline]
    fn probe(&self, b: &[u8]) -> Probe {
        let extra = match self.0 {
            Direction::FromModule => 7,
            Direction::ToModule => 5,
        };
        match b {
            [0xFF, len, ..] => {
                let end = *len as usize + extra - 2;
                framing::whole(b, end + 2, |f| {
                    crc::mercury(&f[1..end]) == u16::from_be_bytes([f[end], f[end + 1]])
                })
            }
            [0xFF] => Probe::Need,
            _ => Probe::Skip,
        }
    }

    #[inline]
    fn frame<'a>(&self, f: &'a [u8]) -> Frame<'a> {
        let end = f.len() - 2;
        match self.0 {
            Direction::FromModule => Frame {
                op: f[2],
                status: Some(u16::from_be_bytes([f[3], f[4]])),
                data: &f[5..end],
            },
            Direction::ToModule => Frame {
                op: f[2],
                status: None,
                data: &f[3..end],
            },
        }
    }
}

/// What a frame from the module means to the station.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reply<'a> {
    Tag(TagRead<'a>),
    Keepalive,
    /// A frame with a non-zero status (other than the keepalive): the module's error code.
    Error {
        op: u8,
        status: u16,
    },
    /// A 0x22 record whose layout does not parse.
    Malformed,
    /// Anything else with status 0 (answers to commands).
    Other {
        op: u8,
    },
}

/// Classifies a frame from the module.
pub fn reply<'a>(f: &Frame<'a>) -> Reply<'a> {
    let status = f.status.unwrap_or(0);
    match (f.op, status) {
        (OP_READ_TAG_MULTIPLE, STATUS_KEEPALIVE) if f.data.is_empty() => Reply::Keepalive,
        (op, s) if s != 0 => Reply::Error { op, status: s },
        (OP_READ_TAG_MULTIPLE, _) => match parse_tag_record(f.data) {
            Some(t) => Reply::Tag(t),
            None if f.data.len() <= 5 => Reply::Other { op: f.op },
            None => Reply::Malformed,
        },
        (op, _) => Reply::Other { op },
    }
}

/// Parses a 0x22 tag record's data (which starts at frame offset 5).
pub fn parse_tag_record(d: &[u8]) -> Option<TagRead<'_>> {
    // Frame offset k is d[k - 5].
    let at = |k: usize| d.get(k - 5).copied();
    let rssi = at(12)? as i8;
    let ant = at(13)?;
    let data_bits = u16::from_be_bytes([at(24)?, at(25)?]) as usize;
    let data_bytes = data_bits.div_ceil(8);
    let off = 27 + data_bytes;
    let epc_bits = u16::from_be_bytes([at(off)?, at(off + 1)?]) as usize;
    let epc_bytes = (epc_bits / 8).checked_sub(4)?;
    let start = off + 2 + 2 - 5;
    let epc = d.get(start..start + epc_bytes)?;
    if epc.is_empty() {
        return None;
    }
    let antenna = if ant > 0x0F && ant & 0x0F != 0 {
        ant & 0x0F
    } else {
        ant
    };
    Some(TagRead {
        epc,
        antenna: Some(antenna as u16),
        rssi: Some(rssi as f32),
        seen: 1,
    })
}

/// Decodes `data` both ways and classifies every frame; for fuzzing.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let mut d = Decoder::new(Direction::FromModule);
    for chunk in data.chunks(5) {
        d.push(chunk);
        while let Some(f) = d.next_frame() {
            let _ = reply(&f);
        }
    }
    d.idle();
    let _ = parse_tag_record(data);
    let mut c = Decoder::new(Direction::ToModule);
    c.push(data);
    while c.next_frame().is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_match_the_modules_checks() {
        assert_eq!(
            encode_command(OP_VERSION, &[]),
            [0xFF, 0x00, 0x03, 0x1D, 0x0C]
        );
        assert_eq!(
            encode_command(0x22, &[0x00, 0x00, 0x13, 0x01, 0xF4]),
            [0xFF, 0x05, 0x22, 0x00, 0x00, 0x13, 0x01, 0xF4, 0x2B, 0x19]
        );
        let start = start_continuous_read();
        assert_eq!(&start[..3], &[0xFF, 0x10, 0x2F]);
        assert_eq!(&start[3..19], &START_CONTINUOUS);
        let mut d = Decoder::new(Direction::ToModule);
        d.push(&start);
        d.push(&stop_continuous_read());
        assert_eq!(d.next_frame().unwrap().data, &START_CONTINUOUS);
        assert_eq!(d.next_frame().unwrap().data, &STOP_CONTINUOUS);
    }

    #[test]
    fn tag_record_round_trip_at_the_documented_offsets() {
        let epc = [0x30, 0x14, 0x25, 0x7B, 0xF4, 0, 0, 0, 0, 0, 0x16, 0x2E];
        let mut v = Vec::new();
        write_tag_record(&mut v, &epc, -61, 2, 915_250, 1234);
        assert_eq!(v[12] as i8, -61);
        assert_eq!(v[13], 0x22);
        assert_eq!(u16::from_be_bytes([v[27], v[28]]), 128);
        assert_eq!(&v[31..43], &epc);
        write_keepalive(&mut v);
        let mut d = Decoder::new(Direction::FromModule);
        d.push(&v);
        let f = d.next_frame().unwrap();
        let Reply::Tag(t) = reply(&f) else { panic!() };
        assert_eq!(t.epc, &epc);
        assert_eq!(t.antenna, Some(2));
        assert_eq!(t.rssi, Some(-61.0));
        assert_eq!(reply(&d.next_frame().unwrap()), Reply::Keepalive);
    }

    #[test]
    fn resyncs_on_0xff_after_noise_and_crc_errors() {
        let epc = [0xE2, 0x00, 0x12, 0x34];
        let mut good = Vec::new();
        write_tag_record(&mut good, &epc, -50, 1, 0, 0);
        let mut bad = good.clone();
        bad[20] ^= 1;
        let mut bytes = vec![0x00, 0x12, 0xFF, 0x00];
        bytes.extend_from_slice(&good);
        bytes.extend_from_slice(&bad);
        bytes.extend_from_slice(&good);
        let mut d = Decoder::new(Direction::FromModule);
        d.push(&bytes);
        let mut n = 0;
        while let Some(f) = d.next_frame() {
            let Reply::Tag(t) = reply(&f) else { panic!() };
            assert_eq!(t.epc, &epc);
            n += 1;
        }
        assert_eq!(n, 2);
        assert_eq!(d.stats().crc, 1);
        assert_eq!(d.stats().garbage_bytes, 4);
    }

    #[test]
    fn error_status_and_short_records() {
        let mut v = Vec::new();
        write_response(&mut v, OP_READ_TAG_MULTIPLE, 0x0400, &[0x01]);
        write_response(
            &mut v,
            OP_READ_TAG_MULTIPLE,
            0,
            &[0x10, 0, 0x1B, 1, 2, 3, 4, 5, 6, 7],
        );
        let mut d = Decoder::new(Direction::FromModule);
        d.push(&v);
        assert!(matches!(
            reply(&d.next_frame().unwrap()),
            Reply::Error { status: 0x0400, .. }
        ));
        assert_eq!(reply(&d.next_frame().unwrap()), Reply::Malformed);
    }
}
