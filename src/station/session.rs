//! Who is at the bench.
//!
//! The operator lives in memory, and every change of it is journaled
//! (`operator.signed_in`, `operator.signed_out`, `station.mode_changed`). The
//! station changes it only after the transaction that journals the change has
//! committed. Quitting signs the operator out; a station that stopped without
//! quitting (a crash, a power cut, a kill) finds its operator still signed in
//! in the journal and resumes, so the bench goes on without a badge scan.

use super::decision::{Decision, Journal, SessionChange};
use super::outcome::{Level, OperatorView, Panel};
use super::workflow::ScanIn;
use crate::store::StoreError;
use rusqlite::Connection;
use serde_json::json;

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
    operator(conn, badge)
}

/// The active operator with this badge, if there is one.
pub(super) fn operator(conn: &Connection, badge: &str) -> Result<Option<OperatorView>, StoreError> {
    let op = crate::store::operators::by_badge(conn, badge)?;
    Ok(op.filter(|o| o.active).map(|o| OperatorView {
        badge: o.badge,
        name: o.name,
        role: o.role,
    }))
}

/// A badge scan with no question open: sign in (signing out whoever was
/// signed in).
pub(super) fn sign_in(
    j: &mut Journal<'_>,
    s: &mut ScanIn<'_>,
    badge: &str,
) -> Result<Decision, StoreError> {
    let at = s.scan.at;
    let Some(view) = operator(j.conn(), badge)? else {
        s.refuse(j, "unknown_badge")?;
        return Ok(Decision::new(
            Level::Error,
            format!("Unknown or inactive badge {badge} — not signed in"),
        ));
    };
    s.journal(j)?;
    let current = j.operator().cloned();
    if current.as_ref().is_some_and(|c| c.badge == view.badge) {
        return Ok(Decision::new(
            Level::Ok,
            format!("{} is signed in", view.name),
        ));
    }
    if let Some(prev) = &current {
        j.append(
            at,
            "operator.signed_out",
            json!({"badge": prev.badge, "reason": "another badge"}),
        )?;
    }
    j.operator = Some(view.clone());
    j.append(
        at,
        "operator.signed_in",
        json!({"badge": view.badge, "name": view.name, "role": view.role}),
    )?;
    let mut d = Decision::new(
        Level::Ok,
        format!("Signed in: {} ({})", view.name, view.badge),
    )
    .then(SessionChange::SignIn(view.clone()))
    .panel(Panel::Empty);
    d.changed.push(format!("signed in {}", view.badge));
    Ok(d)
}

/// Signs the operator out (`reason`: `sign-out`, `quit`, `signal` …).
pub(super) fn sign_out(
    j: &mut Journal<'_>,
    at: std::time::SystemTime,
    reason: &str,
) -> Result<Decision, StoreError> {
    let Some(op) = j.operator().cloned() else {
        return Ok(Decision::new(Level::Warning, "Nobody is signed in"));
    };
    j.append(
        at,
        "operator.signed_out",
        json!({"badge": op.badge, "reason": reason}),
    )?;
    j.operator = None;
    let mut d = Decision::new(Level::Ok, format!("Signed out: {}", op.name))
        .then(SessionChange::SignOut)
        .panel(Panel::Empty);
    d.changed.push(format!("signed out {}", op.badge));
    Ok(d)
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
