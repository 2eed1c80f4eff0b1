//! Values → binary, for writing tags. The public `encode_*` functions validate
//! text the way an operator types it (digit strings keep their leading zeros
//! where the field has a fixed digit count, integers may not have any) and
//! refuse reserved filter values; [`write`] lays out an already valid [`Epc`].

use super::bits::BitWriter;
use super::decode::{digit_count, is_gs1_char};
use super::scheme::{Scheme, Tail, PREFIX_BITS};
use super::{Chars, Epc, EpcError, Value};

/// Lays out the bits of a decoded or validated EPC.
pub(super) fn write(epc: &Epc) -> BitWriter {
    let scheme = epc.scheme;
    let p = usize::from(epc.partition).min(6);
    let prefix_bits = PREFIX_BITS[p];
    let mut w = BitWriter::new();
    w.write(u64::from(scheme.header()), 8);
    w.write(u64::from(epc.filter), 3);
    w.write(p as u64, 3);
    w.write(epc.prefix, prefix_bits);
    write_value(
        &mut w,
        &epc.reference,
        scheme.prefix_and_reference_bits() - prefix_bits,
    );
    match scheme.tail() {
        Tail::Integer(bits) | Tail::Chars(bits, _) => write_value(&mut w, &epc.tail, bits),
        Tail::Reserved(bits) => w.write(0, bits),
        Tail::Nothing => {}
    }
    w
}

fn write_value(w: &mut BitWriter, value: &Value, bits: u32) {
    match value {
        Value::Fixed { value, .. } | Value::Integer(value) => w.write(*value, bits),
        Value::Chars(chars) => {
            for &c in chars.as_bytes() {
                w.write(u64::from(c), 7);
            }
            // Zero padding: the writer's buffer starts zeroed.
            let used = 7 * u32::from(chars.len);
            let mut rest = bits.saturating_sub(used);
            while rest > 0 {
                let n = rest.min(64);
                w.write(0, n);
                rest -= n;
            }
        }
        Value::None => w.write(0, bits),
    }
}

/// The text of one field as given to an encoder.
enum Input<'a> {
    /// Digits whose count is fixed by the partition (leading zeros kept).
    Fixed(&'a str),
    /// A number written without leading zeros.
    Integer(&'a str),
    /// A number already parsed.
    Number(u64),
    /// GS1 characters.
    Chars(&'a str),
    None,
}

/// Validates the fields of `scheme` and builds the [`Epc`].
fn build(
    scheme: Scheme,
    filter: u8,
    prefix: &str,
    reference: Input<'_>,
    tail: Input<'_>,
) -> Result<Epc, EpcError> {
    let family = scheme.family_label();
    let allowed = scheme.allowed_filters();
    if !allowed.contains(&filter) {
        let list: Vec<String> = allowed.iter().map(u8::to_string).collect();
        return Err(EpcError::ReservedFilter {
            filter,
            scheme: family,
            allowed: list.join(", "),
        });
    }
    let prefix_digits = prefix.len();
    if !(6..=12).contains(&prefix_digits) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EpcError::PrefixLength {
            scheme: family,
            value: prefix.to_string(),
        });
    }
    let partition = (12 - prefix_digits) as u8;
    let prefix_value = parse_digits(prefix);
    let prefix_bits = PREFIX_BITS[usize::from(partition)];
    let reference_bits = scheme.prefix_and_reference_bits() - prefix_bits;
    let reference_digits = scheme.reference_digits(prefix_digits);
    let reference = field(
        scheme,
        scheme.reference_name(),
        reference,
        reference_bits,
        reference_digits,
        partition,
    )?;
    let tail = match scheme.tail() {
        Tail::Integer(bits) => field(scheme, scheme.tail_name(), tail, bits, 20, partition)?,
        Tail::Chars(bits, max) => field(scheme, scheme.tail_name(), tail, bits, max, partition)?,
        Tail::Reserved(_) | Tail::Nothing => Value::None,
    };
    Ok(Epc {
        scheme,
        filter,
        partition,
        prefix: prefix_value,
        reference,
        tail,
    })
}

/// Validates one field: `digits` is the exact digit count of a fixed field, the
/// maximum digits of an integer, or the maximum characters of a string.
fn field(
    scheme: Scheme,
    name: &'static str,
    input: Input<'_>,
    bits: u32,
    digits: usize,
    partition: u8,
) -> Result<Value, EpcError> {
    let family = scheme.family_label();
    let not_numeric = |value: &str| EpcError::NotNumeric {
        scheme: family,
        field: name,
        value: value.to_string(),
    };
    match input {
        Input::Fixed(text) => {
            if !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_numeric(text));
            }
            if text.len() != digits {
                let hint = if name == "item reference" {
                    " (indicator digit first)"
                } else if name == "serial reference" {
                    " (extension digit first)"
                } else {
                    ""
                };
                return Err(EpcError::Digits {
                    scheme: family,
                    field: name,
                    value: format!("{text:?}"),
                    rule: format!(
                        "must have {digits} digits{hint} with a {}-digit company prefix",
                        12 - partition
                    ),
                });
            }
            Ok(Value::Fixed {
                value: parse_digits(text),
                digits: digits as u8,
            })
        }
        Input::Integer(text) => {
            if text.is_empty() {
                return Err(EpcError::EmptyField {
                    scheme: family,
                    field: name,
                });
            }
            if !text.bytes().all(|b| b.is_ascii_digit()) {
                return Err(not_numeric(text));
            }
            if text.len() > 1 && text.starts_with('0') {
                return Err(EpcError::LeadingZero {
                    scheme: family,
                    field: name,
                    value: text.to_string(),
                });
            }
            let too_big = || EpcError::TooBig {
                scheme: family,
                field: name,
                value: text.to_string(),
                bits,
            };
            if text.len() > 19 {
                return Err(too_big());
            }
            let value = parse_digits(text);
            if bits < 64 && value >> bits != 0 {
                return Err(too_big());
            }
            if digit_count(value) > digits {
                return Err(EpcError::Digits {
                    scheme: family,
                    field: name,
                    value: text.to_string(),
                    rule: format!("has more than the {digits} digits partition {partition} allows"),
                });
            }
            Ok(Value::Integer(value))
        }
        Input::Number(value) => {
            if bits < 64 && value >> bits != 0 {
                return Err(EpcError::TooBig {
                    scheme: family,
                    field: name,
                    value: value.to_string(),
                    bits,
                });
            }
            Ok(Value::Integer(value))
        }
        Input::Chars(text) => {
            if text.is_empty() {
                return Err(EpcError::EmptyField {
                    scheme: family,
                    field: name,
                });
            }
            if let Some(&bad) = text.as_bytes().iter().find(|&&b| !is_gs1_char(b)) {
                return Err(EpcError::BadChar {
                    scheme: family,
                    field: name,
                    byte: bad,
                });
            }
            let mut chars = Chars {
                buf: [0; 24],
                len: 0,
            };
            if text.len() > digits || text.len() > chars.buf.len() {
                return Err(EpcError::TooLong {
                    scheme: family,
                    field: name,
                    max: digits,
                    partition,
                });
            }
            chars.buf[..text.len()].copy_from_slice(text.as_bytes());
            chars.len = text.len() as u8;
            Ok(Value::Chars(chars))
        }
        Input::None => Ok(Value::None),
    }
}

/// Value of an all-digit string of at most 19 digits.
fn parse_digits(text: &str) -> u64 {
    text.bytes().fold(0u64, |v, b| {
        v.wrapping_mul(10).wrapping_add(u64::from(b - b'0'))
    })
}

fn to_array<const N: usize>(epc: &Epc) -> [u8; N] {
    let mut out = [0u8; N];
    let w = write(epc);
    out.copy_from_slice(w.bytes(N));
    out
}

/// SGTIN-96. `item_ref` starts with the GTIN's indicator digit and has
/// 13 − (prefix digits) digits; `serial` must fit 38 bits.
pub fn encode_sgtin96(
    filter: u8,
    company_prefix: &str,
    item_ref: &str,
    serial: u64,
) -> Result<[u8; 12], EpcError> {
    let epc = build(
        Scheme::Sgtin96,
        filter,
        company_prefix,
        Input::Fixed(item_ref),
        Input::Number(serial),
    )?;
    Ok(to_array(&epc))
}

/// SGTIN-198: as SGTIN-96 with an alphanumeric serial of up to 20 GS1 characters.
pub fn encode_sgtin198(
    filter: u8,
    company_prefix: &str,
    item_ref: &str,
    serial: &str,
) -> Result<[u8; 26], EpcError> {
    let epc = build(
        Scheme::Sgtin198,
        filter,
        company_prefix,
        Input::Fixed(item_ref),
        Input::Chars(serial),
    )?;
    Ok(to_array(&epc))
}

/// SSCC-96. `serial_ref` starts with the SSCC's extension digit and has
/// 17 − (prefix digits) digits.
pub fn encode_sscc96(
    filter: u8,
    company_prefix: &str,
    serial_ref: &str,
) -> Result<[u8; 12], EpcError> {
    let epc = build(
        Scheme::Sscc96,
        filter,
        company_prefix,
        Input::Fixed(serial_ref),
        Input::None,
    )?;
    Ok(to_array(&epc))
}

/// SGLN-96. `location_ref` has 12 − (prefix digits) digits (none for a
/// 12-digit prefix); `extension` must fit 41 bits (0 = no extension).
pub fn encode_sgln96(
    filter: u8,
    company_prefix: &str,
    location_ref: &str,
    extension: u64,
) -> Result<[u8; 12], EpcError> {
    let epc = build(
        Scheme::Sgln96,
        filter,
        company_prefix,
        Input::Fixed(location_ref),
        Input::Number(extension),
    )?;
    Ok(to_array(&epc))
}

/// SGLN-195: as SGLN-96 with an alphanumeric extension of up to 20 characters.
pub fn encode_sgln195(
    filter: u8,
    company_prefix: &str,
    location_ref: &str,
    extension: &str,
) -> Result<[u8; 26], EpcError> {
    let epc = build(
        Scheme::Sgln195,
        filter,
        company_prefix,
        Input::Fixed(location_ref),
        Input::Chars(extension),
    )?;
    Ok(to_array(&epc))
}

/// GRAI-96. `asset_type` has 12 − (prefix digits) digits; `serial` must fit 38 bits.
pub fn encode_grai96(
    filter: u8,
    company_prefix: &str,
    asset_type: &str,
    serial: u64,
) -> Result<[u8; 12], EpcError> {
    let epc = build(
        Scheme::Grai96,
        filter,
        company_prefix,
        Input::Fixed(asset_type),
        Input::Number(serial),
    )?;
    Ok(to_array(&epc))
}

/// GRAI-170: as GRAI-96 with an alphanumeric serial of up to 16 characters.
pub fn encode_grai170(
    filter: u8,
    company_prefix: &str,
    asset_type: &str,
    serial: &str,
) -> Result<[u8; 22], EpcError> {
    let epc = build(
        Scheme::Grai170,
        filter,
        company_prefix,
        Input::Fixed(asset_type),
        Input::Chars(serial),
    )?;
    Ok(to_array(&epc))
}

/// GIAI-96. `asset_ref` is a number without leading zeros that fits the
/// partition's bits (42 bits for a 12-digit prefix … 62 bits for a 6-digit one).
pub fn encode_giai96(
    filter: u8,
    company_prefix: &str,
    asset_ref: &str,
) -> Result<[u8; 12], EpcError> {
    let epc = build(
        Scheme::Giai96,
        filter,
        company_prefix,
        Input::Integer(asset_ref),
        Input::None,
    )?;
    Ok(to_array(&epc))
}

/// GIAI-202. `asset_ref` is 1 to 30 − (prefix digits) GS1 characters, given
/// unescaped (`32a/b`, not `32a%2Fb`).
pub fn encode_giai202(
    filter: u8,
    company_prefix: &str,
    asset_ref: &str,
) -> Result<[u8; 26], EpcError> {
    let epc = build(
        Scheme::Giai202,
        filter,
        company_prefix,
        Input::Chars(asset_ref),
        Input::None,
    )?;
    Ok(to_array(&epc))
}

/// Re-encodes a decoded EPC through its scheme's public encoder (fuzz check).
#[cfg(feature = "fuzzing")]
pub(super) fn reencode_public(epc: &Epc) -> Result<Vec<u8>, EpcError> {
    let prefix = epc.company_prefix();
    let reference = epc.reference_text();
    let tail = epc.tail_text();
    let number = match epc.tail {
        Value::Integer(v) => v,
        _ => 0,
    };
    let f = epc.filter;
    Ok(match epc.scheme {
        Scheme::Sgtin96 => encode_sgtin96(f, &prefix, &reference, number)?.to_vec(),
        Scheme::Sgtin198 => encode_sgtin198(f, &prefix, &reference, &tail)?.to_vec(),
        Scheme::Sscc96 => encode_sscc96(f, &prefix, &reference)?.to_vec(),
        Scheme::Sgln96 => encode_sgln96(f, &prefix, &reference, number)?.to_vec(),
        Scheme::Sgln195 => encode_sgln195(f, &prefix, &reference, &tail)?.to_vec(),
        Scheme::Grai96 => encode_grai96(f, &prefix, &reference, number)?.to_vec(),
        Scheme::Grai170 => encode_grai170(f, &prefix, &reference, &tail)?.to_vec(),
        Scheme::Giai96 => encode_giai96(f, &prefix, &reference)?.to_vec(),
        Scheme::Giai202 => encode_giai202(f, &prefix, &reference)?.to_vec(),
    })
}

#[cfg(test)]
pub(super) fn pow10(n: usize) -> u64 {
    super::decode::POW10[n]
}
