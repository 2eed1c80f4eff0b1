//! Why an element string was refused, in words an operator can act on: every
//! message names the AI and the rule, e.g. `(01) check digit is 2, expected 1`.

use std::fmt;

use super::spec::Cset;

/// A GS1 element string, bracketed text or Digital Link URI that is not valid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Gs1Error {
    #[error("no GS1 element strings")]
    Empty,
    #[error("unknown AI ({ai})")]
    UnknownAi { ai: String },
    #[error("data ends inside an AI ({ai})")]
    TruncatedAi { ai: String },
    #[error("{0}")]
    Syntax(&'static str),
    #[error("({ai}) has {len} characters, {expect}")]
    Length {
        ai: &'static str,
        len: usize,
        expect: Expect,
    },
    #[error("({ai}) has {ch:?} at position {pos}, {cset}")]
    Charset {
        ai: &'static str,
        pos: usize,
        ch: char,
        cset: CsetName,
    },
    #[error("({ai}) check digit is {got}, expected {expected}")]
    CheckDigit {
        ai: &'static str,
        got: char,
        expected: char,
    },
    #[error("({ai}) check characters are {got}, expected {expected}")]
    CheckPair {
        ai: &'static str,
        got: String,
        expected: String,
    },
    #[error("({ai}) {problem}")]
    Lint { ai: &'static str, problem: Lint },
    #[error("({ai}) requires {needs}")]
    Requires {
        ai: &'static str,
        needs: &'static str,
    },
    #[error("({ai}) and ({other}) exclude each other")]
    Excludes {
        ai: &'static str,
        other: &'static str,
    },
    #[error("({ai}) appears twice with different values")]
    Duplicate { ai: &'static str },
    #[error("({ai}) needs its serial component when used with a digital signature (8030)")]
    SerialRequired { ai: &'static str },
    #[error("Digital Link: {0}")]
    DigitalLink(DlProblem),
}

/// The length an AI's value should have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Exactly(n) => write!(f, "expected {n}"),
            Expect::AtLeast(n) => write!(f, "expected at least {n}"),
            Expect::AtMost(n) => write!(f, "expected at most {n}"),
        }
    }
}

/// The character set a character fell outside of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsetName(pub Cset);

impl fmt::Display for CsetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.0 {
            Cset::Numeric => "expected a digit",
            Cset::Cset82 => "not in GS1 CSET 82",
            Cset::Cset39 => "not in GS1 CSET 39",
            Cset::Cset64 => "not in GS1 CSET 64",
        })
    }
}

/// A content rule ("linter") that a value broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Lint {
    #[error("does not start with a GS1 Company Prefix")]
    NoCompanyPrefix,
    #[error("month {0} is not 01-12")]
    Month(String),
    #[error("day {0} does not exist in that month")]
    Day(String),
    #[error("hour {0} is not 00-23")]
    Hour(String),
    #[error("minute {0} is not 00-59")]
    Minute(String),
    #[error("second {0} is not 00-59")]
    Second(String),
    #[error("{0} is not an ISO 3166 country code")]
    Country(String),
    #[error("{0} is not an ISO 3166 country code or 999")]
    CountryOr999(String),
    #[error("{0} is not an ISO 3166 alpha-2 country code")]
    CountryAlpha2(String),
    #[error("{0} is not an ISO 4217 currency code")]
    Currency(String),
    #[error("{0} is not an ISO/IEC 5218 sex code (0, 1, 2 or 9)")]
    Sex(String),
    #[error("has a bad percent-escape")]
    Percent,
    #[error("must be 0")]
    NotZero,
    #[error("must not be zero")]
    Zero,
    #[error("must not start with 0")]
    ZeroPrefix,
    #[error("needs a non-digit character")]
    AllDigits,
    #[error("IBAN {0}")]
    Iban(&'static str),
    #[error("{0} is not an AIDC media type")]
    MediaType(String),
    #[error("{0} is not a package type code")]
    PackageType(String),
    #[error("piece {0} of total {1} is not valid")]
    PieceOfTotal(String, String),
    #[error("{0} is not a position like 1/3")]
    Position(String),
    #[error("winding direction {0} is not 0, 1 or 9")]
    Winding(String),
    #[error("{0} is not 0 or 1")]
    YesNo(String),
    #[error("{0} must be hyphens only")]
    Hyphen(String),
    #[error("{0} is not an importer index")]
    ImporterIdx(String),
    #[error("latitude {0} is above 1800000000")]
    Latitude(String),
    #[error("longitude {0} is above 3600000000")]
    Longitude(String),
}

/// Why a Digital Link URI was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DlProblem {
    #[error("not an http(s) URI")]
    NotHttp,
    #[error("the URI has a character not allowed in URIs")]
    BadCharacter,
    #[error("no host")]
    NoHost,
    #[error("no GS1 primary key in the path")]
    NoPrimaryKey,
    #[error("/{0}/ is a convenience name; use the numeric AI")]
    ConvenienceName(String),
    #[error("({0}) has an empty value")]
    EmptyValue(String),
    #[error("the path has an empty segment (// or a trailing /)")]
    EmptySegment,
    #[error("({0}) decodes to a NUL byte")]
    Nul(String),
    #[error("({0}) is not a valid qualifier here, or is out of order")]
    BadQualifier(String),
    #[error("({0}) belongs in the path, not the query")]
    BelongsInPath(String),
    #[error("({0}) is not allowed as a query attribute")]
    NotAttribute(String),
    #[error("({0}) appears twice")]
    Duplicate(String),
}
