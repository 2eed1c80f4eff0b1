//! Command barcodes (`CMD:CONFIRM`, `CMD:MODE:WIPE` …, contracts.md): the text
//! of a scanned command turned into the same [`Command`] a key gives, and
//! the list the command sheet prints ([`sheets`]): the shared commands, then
//! each mode's, its templates (`CMD:REASON:X`) expanded to every value the
//! mode takes, all with the configured prefix.

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

/// One page group of the command sheet: a file stem (`shared`, `wipe`),
/// a title, and (barcode text, what it does) in the order printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub name: String,
    pub title: String,
    pub entries: Vec<(String, String)>,
}

/// How many `PICK:N` barcodes the shared sheet carries (a pick list shows
/// at most this many choices on a page).
pub const PICK_SHEET: u32 = 9;

/// The commands every mode shares (handled by the station itself).
const SHARED: &[(&str, &str)] = &[
    ("CONFIRM", "confirm the question or the record"),
    ("CANCEL", "cancel the question or the step"),
    ("CLOSE", "close the open delivery, pallet or count"),
    ("SIGNOUT", "sign the operator out"),
];

/// The command sheets: the shared commands (with `PICK:1`..`PICK:9` and
/// `MODE:X` for every mode), then one per mode, in [`Mode::ALL`] order.
/// Every barcode carries `settings.identify.command_prefix`.
pub fn sheets(settings: &super::StationSettings) -> Vec<Sheet> {
    let prefix = settings.identify.command_prefix.as_str();
    let mut shared: Vec<(String, String)> = SHARED
        .iter()
        .map(|(c, what)| (format!("{prefix}{c}"), what.to_string()))
        .collect();
    for m in Mode::ALL {
        shared.push((
            barcode(&Command::Mode(m), prefix),
            format!("switch to {} mode", m.title()),
        ));
    }
    for n in 1..=PICK_SHEET {
        shared.push((
            barcode(&Command::Pick(n), prefix),
            format!("answer a list question: choice {n}"),
        ));
    }
    let mut out = vec![Sheet {
        name: "shared".into(),
        title: "Commands of every mode".into(),
        entries: shared,
    }];
    for wf in super::modes::all(settings) {
        let mode = wf.mode();
        let mut entries = Vec::new();
        for (code, what) in wf.commands() {
            let body = code.strip_prefix("CMD:").unwrap_or(code);
            match body.strip_suffix(":X") {
                Some(verb) => {
                    // A template's help lists its values; each barcode says
                    // what the verb is for (the help before its list), or
                    // names the verb when the help is only the list.
                    let purpose = match what.find(": ").or_else(|| what.find(" (")) {
                        Some(i) => what[..i].to_string(),
                        None => verb.to_ascii_lowercase(),
                    };
                    for v in wf.command_values(verb) {
                        entries.push((format!("{prefix}{verb}:{v}"), purpose.clone()));
                    }
                }
                None => entries.push((format!("{prefix}{body}"), what.to_string())),
            }
        }
        out.push(Sheet {
            name: mode.as_str().into(),
            title: format!("{} mode", mode.title()),
            entries,
        });
    }
    out
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

#[cfg(test)]
mod sheet_tests {
    use super::*;
    use crate::station::{modes, StationSettings};

    fn settings(prefix: &str) -> StationSettings {
        let mut s = StationSettings::default();
        s.identify.command_prefix = prefix.into();
        s
    }

    #[test]
    fn every_template_of_every_mode_expands() {
        let s = settings("CMD:");
        let mut templates = 0;
        for wf in modes::all(&s) {
            for (code, _) in wf.commands() {
                let Some(verb) = code.strip_prefix("CMD:").and_then(|b| b.strip_suffix(":X"))
                else {
                    continue;
                };
                templates += 1;
                let values = wf.command_values(verb);
                assert!(
                    !values.is_empty(),
                    "{code} in {:?} has no values",
                    wf.mode()
                );
                for v in values {
                    assert_eq!(
                        parse(&format!("CMD:{verb}:{v}"), "CMD:"),
                        Some(Command::Verb {
                            verb: verb.into(),
                            arg: Some(v.clone())
                        }),
                        "{verb}:{v}"
                    );
                }
            }
        }
        // CMD:STATUS:X in Lookup; REASON, MEDIA, DEST, METHOD, TECHNIQUE,
        // VERIFY, RESULT in Wipe.
        assert_eq!(templates, 8);
    }

    #[test]
    fn sheets_carry_the_prefix_and_parse_back() {
        for prefix in ["CMD:", "#X!"] {
            let sheets = sheets(&settings(prefix));
            let names: Vec<&str> = sheets.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(
                names,
                [
                    "shared",
                    "lookup",
                    "receive",
                    "wipe",
                    "stocktake",
                    "disposal"
                ]
            );
            for sheet in &sheets {
                assert!(!sheet.entries.is_empty(), "{}", sheet.name);
                let mut seen = std::collections::HashSet::new();
                for (code, what) in &sheet.entries {
                    assert!(code.starts_with(prefix), "{code}");
                    assert!(!code.ends_with(":X"), "{code} is a template");
                    assert!(seen.insert(code.clone()), "{code} twice on {}", sheet.name);
                    assert!(parse(code, prefix).is_some(), "{code}");
                    assert!(!what.is_empty(), "{code}");
                }
            }
            let shared = &sheets[0].entries;
            for m in Mode::ALL {
                let code = barcode(&Command::Mode(m), prefix);
                assert!(shared.iter().any(|(c, _)| *c == code), "{code}");
            }
            let wipe = &sheets[3].entries;
            assert!(wipe
                .iter()
                .any(|(c, _)| *c == format!("{prefix}TECHNIQUE:CRYPTO_ERASE")));
            assert!(sheets[1]
                .entries
                .iter()
                .any(|(c, _)| *c == format!("{prefix}STATUS:IN_STOCK")));
        }
    }
}
