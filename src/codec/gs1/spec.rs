//! The shape of one dictionary entry, and the lookup from AI digits to it.
//!
//! The entries themselves live in `table.rs`, generated from GS1's Barcode
//! Syntax Dictionary. Lookup is two array reads: the first two digits give the
//! AI's length, the digits right-padded to four index the entry — no hashing,
//! no allocation, which is what lets a full validation run at millions a second.

use super::table::{AI_INDEX, AI_LEN_BY_PREFIX, ENTRIES};

/// A character set of the GS1 General Specifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cset {
    /// `N`: digits.
    Numeric,
    /// `X`: CSET 82.
    Cset82,
    /// `Y`: CSET 39.
    Cset39,
    /// `Z`: CSET 64 (base64url, with optional `=` padding).
    Cset64,
}

/// A content check named by the dictionary ("linter" in GS1's reference code).
///
/// Some are named only by other dictionary releases; they are kept so that a
/// regenerated table compiles.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linter {
    Csum,
    CsumAlpha,
    GcpPos1,
    GcpPos2,
    Yymmd0,
    Yymmdd,
    Yyyymmdd,
    Yyyymmd0,
    Hhmi,
    Hh,
    Mi,
    Ss,
    Iso3166,
    Iso3166999,
    Iso3166Alpha2,
    Iso4217,
    Iso5218,
    Pcenc,
    Zero,
    NonZero,
    NoZeroPrefix,
    HasNonDigit,
    Iban,
    MediaType,
    PackageType,
    PieceOfTotal,
    PosInSeqSlash,
    Winding,
    YesNo,
    Hyphen,
    ImporterIdx,
    Latitude,
    Longitude,
    Key,
    KeyOff1,
    /// Coupon structure: not checked yet (accepted as CSET 82 text).
    CouponCode,
    /// Coupon structure: not checked yet (accepted as CSET 82 text).
    CouponPosOffer,
}

/// One component of an AI's value: `N14,csum` or `[X..16]`.
#[derive(Debug)]
pub struct Part {
    pub cset: Cset,
    pub min: u8,
    pub max: u8,
    pub optional: bool,
    pub linters: &'static [Linter],
}

/// One `req=` attribute: at least one group must be present in full.
#[derive(Debug)]
pub struct Req {
    /// Alternatives; each is a set of AIs or patterns (`31nn`) all required.
    pub groups: &'static [&'static [&'static str]],
    /// The alternatives as an operator reads them: `(01), (03) or (8006)`.
    pub text: &'static str,
}

/// Everything the dictionary says about one AI.
#[derive(Debug)]
pub struct AiEntry {
    pub ai: &'static str,
    pub title: &'static str,
    /// In the predefined-length table: no FNC1 separator follows it.
    pub predefined: bool,
    /// May be a GS1 Digital Link query attribute (`?` flag).
    pub dl_attr: bool,
    pub min_len: u8,
    pub max_len: u8,
    pub parts: &'static [Part],
    pub req: &'static [Req],
    pub ex: &'static [&'static str],
    /// A Digital Link primary key, with its alternative qualifier sequences.
    pub dlpkey: Option<&'static [&'static [&'static str]]>,
}

/// The AI at the start of `data`, if its digits name one: the entry and the
/// AI's length. `None` when fewer digits are present or no AI starts so.
pub fn lookup_prefix(data: &[u8]) -> Option<&'static AiEntry> {
    let (a, b) = (digit(data, 0)?, digit(data, 1)?);
    let len = AI_LEN_BY_PREFIX[usize::from(a * 10 + b)] as usize;
    if len == 0 || data.len() < len {
        return None;
    }
    let mut key = 0usize;
    for i in 0..4 {
        key = key * 10
            + if i < len {
                usize::from(digit(data, i)?)
            } else {
                0
            };
    }
    let idx = AI_INDEX[key] as usize;
    if idx == 0 {
        return None;
    }
    ENTRIES.get(idx - 1)
}

/// How many digits the AI starting with these two digits has, if any AI does.
pub fn ai_len(data: &[u8]) -> Option<usize> {
    let (a, b) = (digit(data, 0)?, digit(data, 1)?);
    let len = AI_LEN_BY_PREFIX[usize::from(a * 10 + b)] as usize;
    (len != 0).then_some(len)
}

/// The entry for exactly this AI (`"01"`, `"3103"`), if the dictionary has it.
pub fn lookup(ai: &str) -> Option<&'static AiEntry> {
    let e = lookup_prefix(ai.as_bytes())?;
    (e.ai.len() == ai.len()).then_some(e)
}

fn digit(data: &[u8], i: usize) -> Option<u8> {
    match data.get(i) {
        Some(c @ b'0'..=b'9') => Some(c - b'0'),
        _ => None,
    }
}

/// Whether `ai` matches a dictionary pattern such as `31nn` or `394n`.
pub fn matches(pattern: &str, ai: &str) -> bool {
    pattern.len() == ai.len()
        && pattern
            .bytes()
            .zip(ai.bytes())
            .all(|(p, a)| p == b'n' || p == a)
}
