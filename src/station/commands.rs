//! Command barcodes (`CMD:CONFIRM`, `CMD:MODE:WIPE` …, contracts.md): the text
//! of a scanned command turned into the same [`Command`] a key gives.

use super::decision::{mode_title, Decision, Journal, SessionChange};
use super::enrol::enrol_pending;
use super::outcome::{Level, OperatorView, Panel};
use super::session::{PendingEnrol, Session};
use crate::input::{Command, Mode};
use crate::store::StoreError;
use serde_json::json;
use std::time::SystemTime;

/// Parses a command scan. `text` may carry the prefix or not; case-insensitive.
/// `None` for a command this station does not know.
pub fn parse(text: &str, prefix: &str) -> Option<Command> {
    let body = if !prefix.is_empty()
        && text.len() >= prefix.len()
        && text.is_char_boundary(prefix.len())
        && text[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        &text[prefix.len()..]
    } else {
        text
    };
    let body = body.trim().to_ascii_uppercase();
    match body.as_str() {
        "CONFIRM" => Some(Command::Confirm),
        "CANCEL" => Some(Command::Cancel),
        "SIGNOUT" | "SIGN-OUT" | "LOGOUT" => Some(Command::SignOut),
        "ENROL" | "ENROLL" => Some(Command::EnrolLast),
        _ => body
            .strip_prefix("MODE:")
            .and_then(parse_mode)
            .map(Command::Mode),
    }
}

/// A mode by name: `lookup`, `receive`/`receiving`, `wipe`, `stocktake`/`stock-take`.
pub fn parse_mode(s: &str) -> Option<Mode> {
    match s.trim().to_ascii_lowercase().as_str() {
        "lookup" => Some(Mode::Lookup),
        "receive" | "receiving" => Some(Mode::Receive),
        "wipe" => Some(Mode::Wipe),
        "stocktake" | "stock-take" => Some(Mode::Stocktake),
        _ => None,
    }
}

/// What a command that writes nothing says.
pub(super) fn no_write(cmd: &Command, s: &Session) -> Decision {
    match cmd {
        Command::EnrolLast => Decision::new(
            Level::Warning,
            "Nothing to enrol: scan an unknown code first",
        ),
        Command::Confirm => Decision::new(Level::Warning, "Nothing to confirm"),
        Command::Cancel if s.pending.is_some() => Decision::new(Level::Ok, "Cancelled")
            .then(SessionChange::Pending(None))
            .panel(Panel::Empty),
        Command::Cancel => Decision::new(Level::Ok, "Nothing to cancel"),
        Command::Mode(m) => Decision::new(Level::Ok, format!("Already in {} mode", mode_title(*m))),
        Command::SignOut => Decision::new(Level::Warning, "Nobody is signed in"),
    }
}

/// A command, inside the transaction (after the scan that carried it, if any).
pub(super) fn command(
    mut j: Journal<'_>,
    cmd: Command,
    at: SystemTime,
    mode: Mode,
    pending: Option<PendingEnrol>,
    current: Option<OperatorView>,
) -> Result<Decision, StoreError> {
    let s = Session {
        operator: current.clone(),
        mode,
        pending: pending.clone(),
    };
    let d = match cmd {
        Command::EnrolLast | Command::Confirm => match pending {
            Some(p) => return enrol_pending(j, at, &p),
            None => no_write(&cmd, &s),
        },
        Command::Cancel => no_write(&cmd, &s),
        Command::Mode(m) if m == mode => no_write(&cmd, &s),
        Command::Mode(m) => {
            j.append(
                at,
                "station.mode_changed",
                json!({"from": mode.as_str(), "to": m.as_str()}),
            )?;
            let d = if m == Mode::Lookup {
                Decision::new(Level::Ok, "Lookup mode: scan an asset tag, serial or EPC")
            } else {
                Decision::new(
                    Level::Warning,
                    format!(
                        "{} is not built yet: scans are journaled only",
                        mode_title(m)
                    ),
                )
            };
            d.then(SessionChange::Mode(m))
                .then(SessionChange::Pending(None))
                .panel(Panel::Empty)
        }
        Command::SignOut => match current {
            Some(op) => {
                j.append(
                    at,
                    "operator.signed_out",
                    json!({"badge": op.badge, "reason": "sign-out"}),
                )?;
                let mut d = Decision::new(Level::Ok, format!("Signed out: {}", op.name))
                    .then(SessionChange::SignOut)
                    .then(SessionChange::Pending(None))
                    .panel(Panel::Empty);
                d.changed.push(format!("signed out {}", op.badge));
                d
            }
            None => no_write(&cmd, &s),
        },
    };
    j.commit(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_barcodes() {
        assert_eq!(parse("CMD:CONFIRM", "CMD:"), Some(Command::Confirm));
        assert_eq!(
            parse("CMD:MODE:STOCKTAKE", "CMD:"),
            Some(Command::Mode(Mode::Stocktake))
        );
        assert_eq!(parse("cmd:signout", "CMD:"), Some(Command::SignOut));
        assert_eq!(parse("CMD:SELFDESTRUCT", "CMD:"), None);
        assert_eq!(parse("CMD:MODE:", "CMD:"), None);
        assert_eq!(parse("CMDé", "CMD:"), None);
    }
}
