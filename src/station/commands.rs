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
    let (verb, arg) = match body.split_once(':') {
        Some((v, a)) => (v, Some(a)),
        None => (body.as_str(), None),
    };
    match (verb, arg) {
        ("CONFIRM", None) => Some(Command::Confirm),
        ("CANCEL", None) => Some(Command::Cancel),
        ("CLOSE", None) => Some(Command::Close),
        ("SIGNOUT" | "SIGN-OUT" | "LOGOUT", None) => Some(Command::SignOut),
        ("ENROL" | "ENROLL", None) => Some(Command::EnrolLast),
        ("MODE", Some(m)) => Mode::parse(m).map(Command::Mode),
        ("PICK", Some(n)) => n.parse::<u32>().ok().filter(|n| *n >= 1).map(Command::Pick),
        (v, a) if is_word(v) && a.is_none_or(is_arg) => Some(Command::Verb {
            verb: v.to_string(),
            arg: a.map(str::to_string),
        }),
        _ => None,
    }
}

/// A verb: 1 to 24 letters, digits or `_`, starting with a letter.
fn is_word(s: &str) -> bool {
    (1..=24).contains(&s.len())
        && s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// An argument: 1 to 64 printable ASCII characters.
fn is_arg(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
}

/// How a command is written as a barcode (`CMD:PICK:3`), for messages.
pub fn barcode(cmd: &Command, prefix: &str) -> String {
    let body = match cmd {
        Command::EnrolLast => "ENROL".to_string(),
        Command::Confirm => "CONFIRM".into(),
        Command::Cancel => "CANCEL".into(),
        Command::Close => "CLOSE".into(),
        Command::Pick(n) => format!("PICK:{n}"),
        Command::Mode(m) => format!("MODE:{}", m.as_str().to_ascii_uppercase()),
        Command::SignOut => "SIGNOUT".into(),
        Command::Verb { verb, arg: Some(a) } => format!("{verb}:{a}"),
        Command::Verb { verb, arg: None } => verb.clone(),
    };
    format!("{prefix}{body}")
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
        assert_eq!(
            parse("CMD:MODE:DISPOSAL", "CMD:"),
            Some(Command::Mode(Mode::Disposal))
        );
        assert_eq!(parse("CMD:PICK:3", "CMD:"), Some(Command::Pick(3)));
        assert_eq!(parse("CMD:PICK:0", "CMD:"), None);
        assert_eq!(parse("CMD:PICK:x", "CMD:"), None);
        assert_eq!(
            parse("CMD:reason:eol", "CMD:"),
            Some(Command::Verb {
                verb: "REASON".into(),
                arg: Some("EOL".into())
            })
        );
        assert_eq!(parse("CMD:CLOSE", "CMD:"), Some(Command::Close));
        assert_eq!(parse("CMD:MODE:", "CMD:"), None);
        assert_eq!(parse("CMD:MODE:NOPE", "CMD:"), None);
        assert_eq!(parse("CMD:", "CMD:"), None);
        assert_eq!(parse("CMD:1X", "CMD:"), None);
        assert_eq!(parse("CMDé", "CMD:"), None);
        for c in [
            Command::Pick(2),
            Command::Close,
            Command::Mode(Mode::Wipe),
            Command::Verb {
                verb: "DEST".into(),
                arg: Some("RECYCLE".into()),
            },
        ] {
            assert_eq!(parse(&barcode(&c, "CMD:"), "CMD:"), Some(c));
        }
    }
}
