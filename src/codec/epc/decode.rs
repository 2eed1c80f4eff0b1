//! Binary → [`Epc`]: one pass over the bits, refusing every encoding that TDS
//! §14.4 calls non-decodable so that whatever decodes re-encodes identically.

use super::bits::BitReader;
use super::scheme::{other_scheme, Scheme, Tail, PREFIX_BITS};
use super::{Chars, Epc, EpcError, Value};

/// Decodes the EPC bank bytes of a GS1 EPC (the PC word not included).
///
/// The length must be the scheme's bits rounded up to whole bytes or whole
/// 16-bit words (12 bytes for the -96 schemes, 26 for GIAI-202).
pub fn decode(bytes: &[u8]) -> Result<Epc, EpcError> {
    let Some(&header) = bytes.first() else {
        return Err(EpcError::Empty);
    };
    let Some(scheme) = Scheme::from_header(header) else {
        return Err(unknown_header(header, bytes));
    };
    if !scheme.accepts_len(bytes.len()) {
        let min = scheme.bits().div_ceil(8) as usize;
        let words = scheme.encoded_len();
        let expected = if min == words {
            min.to_string()
        } else {
            format!("{min} or {words}")
        };
        return Err(EpcError::Length {
            scheme: scheme.label(),
            expected,
            got: bytes.len(),
        });
    }

    let mut r = BitReader::new(bytes);
    r.read(8);
    let filter = r.read(3) as u8;
    let partition = r.read(3) as u8;
    let p = usize::from(partition);
    let Some(&prefix_bits) = PREFIX_BITS.get(p) else {
        return Err(EpcError::Partition(partition));
    };
    let prefix_digits = 12 - p;
    let prefix = r.read(prefix_bits);
    check_digits(scheme, "company prefix", prefix, prefix_digits, partition)?;

    let reference_bits = scheme.prefix_and_reference_bits() - prefix_bits;
    let reference_digits = scheme.reference_digits(prefix_digits);
    let reference = match scheme {
        Scheme::Giai202 => Value::Chars(read_chars(
            &mut r,
            scheme,
            "asset reference",
            reference_bits,
            reference_digits,
            partition,
        )?),
        Scheme::Giai96 => {
            let value = r.read(reference_bits);
            check_digits(
                scheme,
                "asset reference",
                value,
                reference_digits,
                partition,
            )?;
            Value::Integer(value)
        }
        _ => {
            let value = r.read(reference_bits);
            check_digits(
                scheme,
                scheme.reference_name(),
                value,
                reference_digits,
                partition,
            )?;
            Value::Fixed {
                value,
                digits: reference_digits as u8,
            }
        }
    };

    let tail = match scheme.tail() {
        Tail::Integer(bits) => Value::Integer(r.read(bits)),
        Tail::Chars(bits, max) => Value::Chars(read_chars(
            &mut r,
            scheme,
            scheme.tail_name(),
            bits,
            max,
            partition,
        )?),
        Tail::Reserved(bits) => {
            let reserved = r.read(bits);
            if reserved != 0 {
                return Err(EpcError::SsccReserved(reserved));
            }
            Value::None
        }
        Tail::Nothing => Value::None,
    };

    Ok(Epc {
        scheme,
        filter,
        partition,
        prefix,
        reference,
        tail,
    })
}

/// Decodes an EPC written as hex (as readers and `parse --epc` take it):
/// case-insensitive, surrounding whitespace ignored.
pub fn decode_hex(hex: &str) -> Result<Epc, EpcError> {
    let hex = hex.trim().as_bytes();
    if hex.is_empty() {
        return Err(EpcError::Empty);
    }
    if !hex.len().is_multiple_of(2) {
        return Err(EpcError::Hex(format!(
            "has an odd number of digits ({})",
            hex.len()
        )));
    }
    if hex.len() > 64 {
        return Err(EpcError::Hex(format!(
            "has {} digits, more than any EPC (64)",
            hex.len()
        )));
    }
    let mut buf = [0u8; 32];
    for (i, pair) in hex.chunks_exact(2).enumerate() {
        let hi = nibble(pair[0]).ok_or_else(|| bad_hex(pair[0], 2 * i))?;
        let lo = nibble(pair[1]).ok_or_else(|| bad_hex(pair[1], 2 * i + 1))?;
        buf[i] = hi << 4 | lo;
    }
    decode(&buf[..hex.len() / 2])
}

fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn bad_hex(c: u8, at: usize) -> EpcError {
    let shown = if c.is_ascii_graphic() {
        format!("'{}'", c as char)
    } else {
        format!("byte 0x{c:02X}")
    };
    EpcError::Hex(format!(
        "has {shown} at position {}, not a hex digit",
        at + 1
    ))
}

fn unknown_header(header: u8, bytes: &[u8]) -> EpcError {
    if header == 0 && bytes.iter().all(|&b| b == 0) {
        return EpcError::Unprogrammed;
    }
    if header == 0xE2 {
        return EpcError::Tid;
    }
    match other_scheme(header) {
        Some((name, true)) => EpcError::Unsupported { header, name },
        Some((name, false)) => EpcError::NotGs1Named { header, name },
        None => EpcError::NotGs1(header),
    }
}

pub(super) const POW10: [u64; 20] = {
    let mut t = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// Number of decimal digits of `v` (1 for 0).
pub(super) fn digit_count(v: u64) -> usize {
    POW10.iter().take_while(|&&p| p <= v).count().max(1)
}

/// TDS §14.4: a numeric field whose value needs more digits than allowed.
fn check_digits(
    scheme: Scheme,
    field: &'static str,
    value: u64,
    digits: usize,
    partition: u8,
) -> Result<(), EpcError> {
    let fits = match POW10.get(digits) {
        Some(&limit) => value < limit,
        None => true,
    };
    if fits {
        return Ok(());
    }
    let rule = if digits == 0 {
        format!("must be 0 with partition {partition}")
    } else {
        format!(
            "needs {} digits; partition {partition} allows {digits}",
            digit_count(value)
        )
    };
    Err(EpcError::Digits {
        scheme: scheme.label(),
        field,
        value: value.to_string(),
        rule,
    })
}

/// Whether a byte is in the GS1 AI encodable character set 82 (TDS Table A).
pub(super) fn is_gs1_char(c: u8) -> bool {
    matches!(c, b'!' | b'"' | b'%'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

/// A zero-padded 7-bit string field of `bits` bits holding at most `max` characters.
fn read_chars(
    r: &mut BitReader,
    scheme: Scheme,
    field: &'static str,
    bits: u32,
    max: usize,
    partition: u8,
) -> Result<Chars, EpcError> {
    let mut chars = Chars {
        buf: [0; 24],
        len: 0,
    };
    let mut ended = false;
    for _ in 0..bits / 7 {
        let c = r.read(7) as u8;
        if ended {
            if c != 0 {
                return Err(EpcError::AfterTerminator {
                    scheme: scheme.label(),
                    field,
                });
            }
        } else if c == 0 {
            ended = true;
        } else {
            let len = usize::from(chars.len);
            if len >= max || len >= chars.buf.len() {
                return Err(EpcError::TooLong {
                    scheme: scheme.label(),
                    field,
                    max,
                    partition,
                });
            }
            if !is_gs1_char(c) {
                return Err(EpcError::BadChar {
                    scheme: scheme.label(),
                    field,
                    byte: c,
                });
            }
            chars.buf[len] = c;
            chars.len += 1;
        }
    }
    if chars.len == 0 {
        return Err(EpcError::EmptyField {
            scheme: scheme.label(),
            field,
        });
    }
    if r.read(bits % 7) != 0 {
        return Err(EpcError::AfterTerminator {
            scheme: scheme.label(),
            field,
        });
    }
    Ok(chars)
}
