//! nwipe's wipe methods: the `-m` name a technician types and the label the
//! log prints (`nwipe_method_label()`, src/method.c). The log only ever
//! carries the label, so this table is how a log line becomes a method.
//!
//! Labels are compared with runs of spaces collapsed: nwipe pads
//! `Verify Ones  (0xFF)` with two spaces to line it up with
//! `Verify Zeros (0x00)`. A label not in the table is kept raw by the parser
//! and flagged, never guessed.

/// One method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Method {
    /// The `-m` name (the first one nwipe's `--help` lists).
    pub name: &'static str,
    /// The label as src/method.c spells it.
    pub label: &'static str,
    /// It only reads the drive and compares; it writes nothing.
    pub verify_only: bool,
    /// Overwrite passes in one round, before the optional blanking pass.
    pub passes: u8,
    /// The first release whose src/method.c has it.
    pub since: &'static str,
}

/// Every method of nwipe 0.33 to 0.42 (src/method.c at each tag).
pub const METHODS: &[Method] = &[
    m("zero", "Fill With Zeros", false, 1, "0.33"),
    m("one", "Fill With Ones", false, 1, "0.33"),
    m("dodshort", "DoD Short", false, 3, "0.33"),
    m("dod522022m", "DoD 5220.22-M", false, 7, "0.33"),
    m("gutmann", "Gutmann Wipe", false, 35, "0.33"),
    m("ops2", "RCMP TSSIT OPS-II", false, 8, "0.33"),
    m("prng", "PRNG Stream", false, 1, "0.33"),
    m("verify_zero", "Verify Zeros (0x00)", true, 0, "0.33"),
    m("verify_one", "Verify Ones  (0xFF)", true, 0, "0.33"),
    m("is5enh", "HMG IS5 Enhanced", false, 3, "0.33"),
    m("bruce7", "Bruce Schneier 7-Pass", false, 7, "0.39"),
    m("bmb", "BMB21-2019", false, 6, "0.40"),
];

const fn m(
    name: &'static str,
    label: &'static str,
    verify_only: bool,
    passes: u8,
    since: &'static str,
) -> Method {
    Method {
        name,
        label,
        verify_only,
        passes,
        since,
    }
}

/// The method a log label names, if nwipe has one by that label.
pub fn by_label(label: &str) -> Option<&'static Method> {
    let want = collapse(label);
    METHODS.iter().find(|m| collapse(m.label) == want)
}

/// The method a `-m` name names (aliases included: `dod`, `dod3pass`,
/// `random`, `stream`, `quick`).
pub fn by_name(name: &str) -> Option<&'static Method> {
    let canonical = match name {
        "dod" => "dod522022m",
        "dod3pass" => "dodshort",
        "random" | "stream" => "prng",
        "quick" => "zero",
        other => other,
    };
    METHODS.iter().find(|m| m.name == canonical)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_match_with_any_spacing() {
        assert_eq!(
            by_label("Verify Ones  (0xFF)").map(|m| m.name),
            Some("verify_one")
        );
        assert_eq!(
            by_label("Verify Ones (0xFF)").map(|m| m.name),
            Some("verify_one")
        );
        assert_eq!(by_label("Fill With Zeros").map(|m| m.name), Some("zero"));
        assert_eq!(by_label("Unknown Method (FIXME)"), None);
        assert_eq!(by_label("fill with zeros"), None, "labels are exact");
    }

    #[test]
    fn names_and_aliases() {
        assert_eq!(by_name("dod").map(|m| m.label), Some("DoD 5220.22-M"));
        assert_eq!(by_name("stream").map(|m| m.name), Some("prng"));
        assert!(by_name("verify_zero").is_some_and(|m| m.verify_only));
        assert_eq!(by_name("sanitize"), None);
    }
}
