//! Command barcodes (`CMD:CONFIRM`, `CMD:MODE:WIPE` …, contracts.md): the text
//! of a scanned command turned into the same [`Command`] a key gives.

use crate::input::{Command, Mode};

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
