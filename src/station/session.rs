//! Who is at the bench, in which mode, and what question is pending.
//!
//! The session lives in memory, and every change of it is journaled
//! (`operator.signed_in`, `operator.signed_out`, `station.mode_changed`). The
//! station changes it only after the transaction that journals the change has
//! committed. Quitting signs the operator out; a station that stopped without
//! quitting (a crash, a power cut, a kill) finds its operator still signed in
//! in the journal and resumes, so the bench goes on without a badge scan.

use super::decision::{Decision, Journal, SessionChange};
use super::outcome::{Level, OperatorView, Panel, SessionView};
use crate::input::Mode;
use crate::store::StoreError;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::SystemTime;

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

/// Who was signed in at `station` when it stopped without quitting, if they
/// are still an active operator.
pub(super) fn interrupted(
    conn: &Connection,
    station: &str,
) -> Result<Option<OperatorView>, StoreError> {
    let Some(ev) = crate::store::journal::last_session_event(conn, station)? else {
        return Ok(None);
    };
    let badge = match ev.payload.get("badge").and_then(|b| b.as_str()) {
        Some(b) if ev.kind == "operator.signed_in" => b,
        _ => return Ok(None),
    };
    let op = crate::store::operators::by_badge(conn, badge)?;
    Ok(op.filter(|o| o.active).map(|o| OperatorView {
        badge: o.badge,
        name: o.name,
        role: o.role,
    }))
}

/// A badge scan: sign in (signing out whoever was signed in).
pub(super) fn sign_in(
    mut j: Journal<'_>,
    mut payload: Value,
    at: SystemTime,
    badge: &str,
    current: Option<OperatorView>,
) -> Result<Decision, StoreError> {
    let op = crate::store::operators::by_badge(j.conn(), badge)?;
    let Some(op) = op.filter(|o| o.active) else {
        payload["refused"] = json!("unknown_badge");
        j.append(at, "scan", payload)?;
        return j.commit(Decision::new(
            Level::Error,
            format!("Unknown or inactive badge {badge} — not signed in"),
        ));
    };
    j.append(at, "scan", payload)?;
    if current.as_ref().is_some_and(|c| c.badge == op.badge) {
        return j.commit(Decision::new(
            Level::Ok,
            format!("{} is signed in", op.name),
        ));
    }
    if let Some(prev) = &current {
        j.append(
            at,
            "operator.signed_out",
            json!({"badge": prev.badge, "reason": "another badge"}),
        )?;
    }
    j.operator = Some(op.badge.clone());
    j.append(
        at,
        "operator.signed_in",
        json!({"badge": op.badge, "name": op.name, "role": op.role}),
    )?;
    let view = OperatorView {
        badge: op.badge,
        name: op.name,
        role: op.role,
    };
    let mut d = Decision::new(
        Level::Ok,
        format!("Signed in: {} ({})", view.name, view.badge),
    )
    .then(SessionChange::SignIn(view.clone()))
    .then(SessionChange::Pending(None))
    .panel(Panel::Empty);
    d.changed.push(format!("signed in {}", view.badge));
    j.commit(d)
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
