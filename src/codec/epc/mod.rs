//! GS1 EPC binary encodings (EPC Tag Data Standard 1.13) as RFID readers report
//! them: bytes of the EPC bank in, a typed [`Epc`] out, with its tag URI, pure
//! identity URI and GS1 element strings; and encoders for writing tags.
//!
//! Why hand-written: an RFID sweep reads hundreds of tags a second and every
//! read is decoded to see what it is, so decoding is a fixed-size, allocation
//! free walk over the bits ([`Epc`] is `Copy`); only the URIs allocate. Every
//! rule of TDS §14.4 that makes an encoding non-decodable is an error here, so
//! that a tag that decodes also re-encodes to the same bits (the fuzz target
//! checks exactly that).
//!
//! Decoders accept reserved filter values (TDS §10.1 says they SHALL); the
//! `encode_*` functions refuse them. Bits past the scheme's length (padding to
//! a whole byte or 16-bit word) are ignored when decoding and zero when encoding.

mod bits;
mod decode;
mod encode;
mod error;
mod scheme;
mod uri;

#[cfg(test)]
mod tests;

pub use decode::{decode, decode_hex};
pub use encode::{
    encode_giai202, encode_giai96, encode_grai170, encode_grai96, encode_sgln195, encode_sgln96,
    encode_sgtin198, encode_sgtin96, encode_sscc96,
};
pub use error::EpcError;
pub use scheme::Scheme;

/// A decoded GS1 EPC. Small and `Copy`: decoding does not allocate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epc {
    scheme: Scheme,
    filter: u8,
    partition: u8,
    /// Company prefix; it has `12 - partition` digits, leading zeros included.
    prefix: u64,
    /// Item reference, serial reference, location reference, asset type or asset reference.
    reference: Value,
    /// Serial or extension; `Value::None` for SSCC and GIAI.
    tail: Value,
}

/// One field's value, kept the way the URI needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    None,
    /// A fixed number of digits, leading zeros kept (may be zero digits).
    Fixed {
        value: u64,
        digits: u8,
    },
    /// An integer written without leading zeros.
    Integer(u64),
    /// A 7-bit character string (GS1 AI encodable character set 82).
    Chars(Chars),
}

/// Up to 24 characters inline (the longest string field is GIAI-202's).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Chars {
    buf: [u8; 24],
    len: u8,
}

impl Chars {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len).min(self.buf.len())]
    }

    fn as_str(&self) -> &str {
        // Only characters of the GS1 set (ASCII) are ever stored.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

impl std::fmt::Debug for Chars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl Epc {
    /// The binary scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The tag-URI scheme name, e.g. `giai-96`.
    pub fn scheme_name(&self) -> &'static str {
        self.scheme.name()
    }

    /// The 3-bit filter value (reserved values included).
    pub fn filter(&self) -> u8 {
        self.filter
    }

    /// The 3-bit partition value (0..=6).
    pub fn partition(&self) -> u8 {
        self.partition
    }

    /// The GS1 company prefix with its leading zeros, e.g. `0614141`.
    pub fn company_prefix(&self) -> String {
        let mut s = String::with_capacity(12);
        uri::push_padded(&mut s, self.prefix, 12 - usize::from(self.partition));
        s
    }

    /// The EPC bank bytes for this EPC, padded with zero bits to whole 16-bit
    /// words (12 bytes for the -96 schemes, 26 for GIAI-202).
    pub fn to_bytes(&self) -> Vec<u8> {
        encode::write(self)
            .bytes(self.scheme.encoded_len())
            .to_vec()
    }
}

/// Writes the tag URI.
impl std::fmt::Display for Epc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.tag_uri())
    }
}

/// Fuzz entry point: decodes arbitrary bytes (and, when they are UTF-8, hex);
/// whatever decodes must render its URIs and re-encode to the same bits, both
/// through [`Epc::to_bytes`] and, for non-reserved filters, through the public
/// `encode_*` function of its scheme.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(epc) = decode_hex(text) {
            let _ = epc.tag_uri();
        }
    }
    let Ok(epc) = decode(data) else {
        return;
    };
    let tag = epc.tag_uri();
    let id = epc.id_uri();
    assert!(tag.starts_with("urn:epc:tag:") && id.starts_with("urn:epc:id:"));
    let _ = epc.gs1_elements();

    let again = epc.to_bytes();
    assert!(
        same_bits(&again, data, epc.scheme.bits()),
        "{tag} re-encodes to {again:02X?}, read from {data:02X?}"
    );
    assert_eq!(decode(&again).ok(), Some(epc));
    if epc.scheme.allowed_filters().contains(&epc.filter) {
        match encode::reencode_public(&epc) {
            Ok(bytes) => assert_eq!(bytes, again, "public encoder differs for {tag}"),
            Err(e) => panic!("{tag} decodes but its encoder refuses it: {e}"),
        }
    }
}

/// Whether `a` and `b` hold the same first `bits` bits.
#[cfg(feature = "fuzzing")]
fn same_bits(a: &[u8], b: &[u8], bits: u32) -> bool {
    let whole = (bits / 8) as usize;
    let rest = bits % 8;
    if a.len() < whole || b.len() < whole || a[..whole] != b[..whole] {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xFFu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}
