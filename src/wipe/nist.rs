//! What a sanitization tool's method counts as under NIST SP 800-88: Clear,
//! Purge or Destroy, and by which technique.
//!
//! One table for nwipe, [`NWIPE`], the only place this judgement is made
//! (docs/wipe.md prints the same table). The reasoning, from SP 800-88
//! Rev. 1 §2.5 and Appendix A (Rev. 2 keeps the categories and moves the
//! per-media techniques to IEEE 2883):
//! * **Every nwipe overwrite is Clear**, whatever its passes or pattern:
//!   it writes through the drive's interface to the user-addressable
//!   sectors only. Seven or thirty-five passes are still Clear; a Gutmann
//!   wipe is not Purge.
//! * **Nothing nwipe 0.33–0.42 does in software is Purge on flash**: an
//!   overwrite cannot reach an SSD's over-provisioned or remapped blocks.
//!   Purge needs the drive's own sanitize (ATA SANITIZE, NVMe Format or
//!   Sanitize, crypto erase), which nwipe merged only after 0.42.
//! * **Verify-only methods** (`verify_zero`, `verify_one`) read and compare:
//!   they are verifications and never sanitizations, whatever the drive
//!   status table says (it prints ` Erased `).
//! * An unknown method is kept as written and classified as nothing: no
//!   category is guessed.

use crate::codec::nwipe::Method;

/// NIST SP 800-88's categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Clear,
    Purge,
    Destroy,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Clear => "clear",
            Category::Purge => "purge",
            Category::Destroy => "destroy",
        }
    }
}

/// The techniques the certificate's "method used" names (contracts.md's
/// `CMD:TECHNIQUE:` list, lower case).
pub const TECHNIQUES: &[&str] = &[
    "overwrite",
    "block_erase",
    "crypto_erase",
    "sanitize",
    "degauss",
    "shred",
    "disintegrate",
    "other",
];

/// What one method is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A sanitization in `category` by `technique`.
    Sanitization {
        category: Category,
        technique: &'static str,
    },
    /// Reads the media back and compares; writes nothing.
    VerificationOnly,
}

/// nwipe's methods (by `-m` name) → NIST SP 800-88, with the reason.
pub const NWIPE: &[(&str, Class, &str)] = &[
    ("zero", CLEAR, "one pass of 0x00"),
    ("one", CLEAR, "one pass of 0xFF"),
    ("dodshort", CLEAR, "3 passes (DoD 5220.22-M short)"),
    ("dod522022m", CLEAR, "7 passes (DoD 5220.22-M)"),
    ("gutmann", CLEAR, "35 passes (Gutmann)"),
    ("ops2", CLEAR, "8 passes (RCMP TSSIT OPS-II)"),
    ("prng", CLEAR, "one pass of PRNG stream"),
    ("is5enh", CLEAR, "3 passes (HMG IS5 enhanced)"),
    ("bruce7", CLEAR, "7 passes (Bruce Schneier)"),
    ("bmb", CLEAR, "6 passes (BMB21-2019)"),
    (
        "verify_zero",
        Class::VerificationOnly,
        "reads and checks 0x00; writes nothing",
    ),
    (
        "verify_one",
        Class::VerificationOnly,
        "reads and checks 0xFF; writes nothing",
    ),
];

const CLEAR: Class = Class::Sanitization {
    category: Category::Clear,
    technique: "overwrite",
};

/// The class of an nwipe method; `None` for a method nwipe 0.33–0.42 does
/// not have (kept raw, never guessed).
pub fn classify_nwipe(method: Option<&Method>) -> Option<Class> {
    let name = method?.name;
    NWIPE
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, c, _)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::nwipe::method::{by_name, METHODS};

    #[test]
    fn every_nwipe_method_is_in_the_table_once() {
        for m in METHODS {
            let n = NWIPE.iter().filter(|(name, _, _)| *name == m.name).count();
            assert_eq!(n, 1, "{}", m.name);
        }
        assert_eq!(NWIPE.len(), METHODS.len());
    }

    #[test]
    fn overwrites_are_clear_and_verifies_are_not_sanitizations() {
        for m in METHODS {
            let c = classify_nwipe(Some(m)).unwrap();
            if m.verify_only {
                assert_eq!(c, Class::VerificationOnly, "{}", m.name);
            } else {
                assert_eq!(c, CLEAR, "{}", m.name);
            }
        }
        // Nothing nwipe does is Purge or Destroy.
        assert!(NWIPE.iter().all(|(_, c, _)| !matches!(
            c,
            Class::Sanitization {
                category: Category::Purge | Category::Destroy,
                ..
            }
        )));
        assert_eq!(classify_nwipe(by_name("gutmann")), Some(CLEAR));
        assert_eq!(classify_nwipe(None), None);
    }
}
