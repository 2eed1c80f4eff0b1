//! Who is at the bench, in which mode, and what question is pending.
//!
//! The session lives in memory only (a restart starts signed out: the badge is
//! scanned again), but every change of it is journaled (`operator.signed_in`,
//! `operator.signed_out`, `station.mode_changed`). The station changes it only
//! after the transaction that journals the change has committed.

use super::outcome::{OperatorView, SessionView};
use crate::input::Mode;

/// A code that lookup did not find, waiting for the operator to enrol it
/// (`E`, or `CMD:CONFIRM`) or to move on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEnrol {
    /// The value to enrol as the asset tag.
    pub code: String,
    /// What the classifier took it for.
    pub identity: String,
}

#[derive(Debug, Clone, Default)]
pub struct Session {
    pub operator: Option<OperatorView>,
    pub mode: Mode,
    pub pending: Option<PendingEnrol>,
}

impl Session {
    pub fn badge(&self) -> Option<&str> {
        self.operator.as_ref().map(|o| o.badge.as_str())
    }

    pub fn view(&self, station: &str, training: bool, require_signin: bool) -> SessionView {
        SessionView {
            station: station.to_string(),
            mode: self.mode,
            operator: self.operator.clone(),
            training,
            signin_required: require_signin && self.operator.is_none(),
        }
    }
}

/// How a scanned code is shown to a person: control characters made visible
/// (`<GS>`, `\x07`), at most `max` characters, `…` when cut or when the scan
/// was truncated.
pub fn display_code(text: &str, truncated: bool, max: usize) -> String {
    let mut out = String::new();
    let mut cut = truncated;
    for (n, c) in text.chars().enumerate() {
        if n >= max {
            cut = true;
            break;
        }
        match c {
            '\u{1d}' => out.push_str("<GS>"),
            c if c.is_control() => out.push_str(&c.escape_default().to_string()),
            c => out.push(c),
        }
    }
    if cut {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_shown_printable() {
        assert_eq!(
            display_code("01\u{1d}21A\u{7}", false, 40),
            "01<GS>21A\\u{7}"
        );
        assert_eq!(display_code("ABCDEF", false, 3), "ABC…");
        assert_eq!(display_code("AB", true, 3), "AB…");
    }
}
