//! RFID and serial-scanner reader protocols, as pure codecs.
//!
//! Each protocol is an incremental decoder (push the bytes a transport
//! delivered, pull whole frames or events) plus encoders for what the station
//! sends and for what the simulators send. Decoders never trust the stream:
//! they resynchronise after garbage, CRC errors and truncated frames and count
//! each in a [`DecodeStats`], so that a noisy line shows up in the reader's
//! status instead of as a bogus read. The device layer maps these counters onto
//! the reader's status; nothing here does I/O or knows about the station.
//!
//! Tag reads flow as [`TagRead`] (borrowing the EPC from the decoder's buffer,
//! so decoding allocates nothing per read) into [`dedupe::DedupeWindow`], which
//! keys them by [`Epc`], a fixed-size inline copy of the EPC bytes.

pub mod chafon;
pub mod crc;
pub mod dedupe;
mod framing;
pub mod lines;
pub mod llrp;
pub mod mercury;
pub mod tsl;

use std::fmt;
use std::hash::{Hash, Hasher};

/// The longest EPC we keep, in bytes: 496 bits, the largest EPC a Gen2 tag holds.
pub const MAX_EPC_BYTES: usize = 62;

/// What a decoder counted while it resynchronised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Frames (or lines) decoded successfully.
    pub frames: u64,
    /// Frames whose checksum did not match.
    pub crc: u64,
    /// Bytes skipped while looking for the next frame.
    pub garbage_bytes: u64,
    /// Frames cut short (the next frame began, or the line went quiet, before the end).
    pub truncated: u64,
    /// Frames or lines longer than the protocol allows.
    pub overlong: u64,
    /// Frames with a valid checksum whose content does not parse.
    pub malformed: u64,
    /// Error answers from the reader itself (TSL `ER:`, Mercury or LLRP error status).
    pub reader_errors: u64,
}

/// An EPC held inline (no allocation), compared and hashed by its bytes.
#[derive(Clone, Copy)]
pub struct Epc {
    len: u8,
    bytes: [u8; MAX_EPC_BYTES],
}

impl Epc {
    /// The EPC of `bytes`, or None when it is empty or longer than [`MAX_EPC_BYTES`].
    #[inline]
    pub fn from_slice(bytes: &[u8]) -> Option<Epc> {
        if bytes.is_empty() || bytes.len() > MAX_EPC_BYTES {
            return None;
        }
        let mut e = Epc {
            len: bytes.len() as u8,
            bytes: [0; MAX_EPC_BYTES],
        };
        e.bytes[..bytes.len()].copy_from_slice(bytes);
        Some(e)
    }

    /// Parses upper- or lower-case hex (an even number of digits).
    pub fn from_hex(text: &str) -> Option<Epc> {
        let t = text.as_bytes();
        if t.is_empty() || !t.len().is_multiple_of(2) || t.len() / 2 > MAX_EPC_BYTES {
            return None;
        }
        let mut out = [0u8; MAX_EPC_BYTES];
        for (i, pair) in t.chunks_exact(2).enumerate() {
            out[i] = (hex_digit(pair[0])? << 4) | hex_digit(pair[1])?;
        }
        Epc::from_slice(&out[..t.len() / 2])
    }

    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    /// Upper-case hex, as `monitor` prints it.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(self.len as usize * 2);
        for b in self.as_bytes() {
            s.push(HEX[(b >> 4) as usize] as char);
            s.push(HEX[(b & 15) as usize] as char);
        }
        s
    }
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl PartialEq for Epc {
    #[inline]
    fn eq(&self, other: &Epc) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}
impl Eq for Epc {}

impl Hash for Epc {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state)
    }
}

impl fmt::Debug for Epc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Epc({})", self.to_hex())
    }
}

impl fmt::Display for Epc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

/// One raw tag sighting as a reader reported it, before deduplication.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TagRead<'a> {
    /// EPC bytes, most significant first (PC word and CRC excluded).
    pub epc: &'a [u8],
    pub antenna: Option<u16>,
    /// dBm.
    pub rssi: Option<f32>,
    /// How many sightings the reader folded into this one (LLRP TagSeenCount), at least 1.
    pub seen: u32,
}

/// Runs every decoder of this module over `data`; for fuzzing.
#[cfg(feature = "fuzzing")]
pub fn fuzz_all(data: &[u8]) {
    chafon::fuzz_one(data);
    tsl::fuzz_one(data);
    mercury::fuzz_one(data);
    llrp::fuzz_one(data);
    lines::fuzz_one(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epc_hex_round_trip_and_limits() {
        let e = Epc::from_hex("3474257bf40000000000162e").unwrap();
        assert_eq!(e.to_hex(), "3474257BF40000000000162E");
        assert_eq!(e.as_bytes().len(), 12);
        assert!(Epc::from_hex("123").is_none());
        assert!(Epc::from_hex("zz").is_none());
        assert!(Epc::from_hex("").is_none());
        assert!(Epc::from_slice(&[0u8; 63]).is_none());
        assert_eq!(Epc::from_slice(&[1, 2]), Epc::from_hex("0102"));
        assert_ne!(Epc::from_slice(&[1, 2]), Epc::from_hex("010200"));
    }
}
