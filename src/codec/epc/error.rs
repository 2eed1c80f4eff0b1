//! Why an EPC could not be decoded or encoded. Messages name the scheme, the
//! field and the rule, so that an operator holding the tag can act on them.

use thiserror::Error;

/// An EPC that cannot be decoded, or values that cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EpcError {
    #[error("EPC is empty")]
    Empty,
    #[error("EPC hex {0}")]
    Hex(String),
    #[error("unprogrammed tag (all zeros)")]
    Unprogrammed,
    #[error("EPC header 0xE2 is not a GS1 scheme: this is TID memory, not the EPC bank")]
    Tid,
    #[error("EPC header 0x{0:02X} is not a GS1 scheme")]
    NotGs1(u8),
    #[error("EPC header 0x{header:02X} ({name}) is not a GS1 scheme")]
    NotGs1Named { header: u8, name: &'static str },
    #[error("EPC scheme {name} (header 0x{header:02X}) is not supported")]
    Unsupported { header: u8, name: &'static str },
    #[error("{scheme} needs {expected} bytes, got {got}")]
    Length {
        scheme: &'static str,
        expected: String,
        got: usize,
    },
    #[error("EPC partition {0} is invalid")]
    Partition(u8),
    /// A numeric field whose value needs more digits than the partition allows
    /// (or, when encoding, a digit string of the wrong length).
    #[error("{scheme} {field} {value} {rule}")]
    Digits {
        scheme: &'static str,
        field: &'static str,
        value: String,
        rule: String,
    },
    #[error("{scheme} {field} {value} does not fit {bits} bits")]
    TooBig {
        scheme: &'static str,
        field: &'static str,
        value: String,
        bits: u32,
    },
    #[error("{scheme} {field} {value:?} has a leading zero")]
    LeadingZero {
        scheme: &'static str,
        field: &'static str,
        value: String,
    },
    #[error("{scheme} {field} {value:?} is not a number")]
    NotNumeric {
        scheme: &'static str,
        field: &'static str,
        value: String,
    },
    #[error("SSCC-96 reserved bits are not zero (0x{0:06X})")]
    SsccReserved(u64),
    #[error("{scheme} {field} has a character after its terminating zero")]
    AfterTerminator {
        scheme: &'static str,
        field: &'static str,
    },
    #[error("{scheme} {field} has character 0x{byte:02X}, which GS1 does not allow")]
    BadChar {
        scheme: &'static str,
        field: &'static str,
        byte: u8,
    },
    #[error("{scheme} {field} is longer than the {max} characters partition {partition} allows")]
    TooLong {
        scheme: &'static str,
        field: &'static str,
        max: usize,
        partition: u8,
    },
    #[error("{scheme} {field} is empty")]
    EmptyField {
        scheme: &'static str,
        field: &'static str,
    },
    #[error("{scheme} company prefix {value:?} must have 6 to 12 digits")]
    PrefixLength { scheme: &'static str, value: String },
    #[error("filter {filter} is reserved for {scheme} (use one of {allowed})")]
    ReservedFilter {
        filter: u8,
        scheme: &'static str,
        allowed: String,
    },
}
