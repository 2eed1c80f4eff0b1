//! crossterm keys → what they mean here.
//!
//! Printable characters, Enter, Tab and GS go to the wedge assembler (a scanner
//! may be typing them); everything else is a UI action and, for the wedge, a
//! barrier that ends the burst in progress. In a terminal GS (0x1D) arrives as
//! Ctrl+5 (crossterm maps 0x1C–0x1F to Ctrl+4…7); some terminals send Ctrl+].

use crate::codec::wedge::WedgeKey;
use crate::input::Mode;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyAction {
    /// Through the wedge assembler.
    Wedge(WedgeKey),
    Quit,
    ToggleHelp,
    Mode(Mode),
    Escape,
    SignOut,
    /// Enrol the unknown code last scanned (the station asks to confirm).
    Enrol,
    /// Move the highlight of the question's pick list.
    PickUp,
    PickDown,
    Backspace,
    /// A key we do not use (arrows, other function keys, Alt+x …).
    Unused,
    /// Key releases (kitty protocol): nothing happened.
    Ignore,
}

/// What `ev` means. `controls` are the control characters of the configured
/// wedge prefix/suffix: Ctrl+letter produces them (Ctrl+B is STX 0x02) and they
/// then go to the wedge instead of being shortcuts.
pub(crate) fn classify(ev: &KeyEvent, controls: &[char]) -> KeyAction {
    if ev.kind == KeyEventKind::Release {
        return KeyAction::Ignore;
    }
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    let alt = ev.modifiers.contains(KeyModifiers::ALT);
    match ev.code {
        KeyCode::Char(c) if ctrl => {
            let lower = c.to_ascii_lowercase();
            if let Some(cc) = control_char(lower).filter(|cc| controls.contains(cc)) {
                return KeyAction::Wedge(WedgeKey::Char(cc));
            }
            match lower {
                '5' | ']' => KeyAction::Wedge(WedgeKey::Gs),
                'c' => KeyAction::Quit,
                'l' => KeyAction::SignOut,
                _ => KeyAction::Unused,
            }
        }
        KeyCode::Char(_) if alt => KeyAction::Unused,
        KeyCode::Char(c) => KeyAction::Wedge(WedgeKey::Char(c)),
        KeyCode::Enter => KeyAction::Wedge(WedgeKey::Enter),
        KeyCode::Tab => KeyAction::Wedge(WedgeKey::Tab),
        KeyCode::F(1) => KeyAction::ToggleHelp,
        KeyCode::F(2) => KeyAction::Mode(Mode::Lookup),
        KeyCode::F(3) => KeyAction::Mode(Mode::Receive),
        KeyCode::F(4) => KeyAction::Mode(Mode::Wipe),
        KeyCode::F(5) => KeyAction::Mode(Mode::Stocktake),
        KeyCode::F(6) => KeyAction::Mode(Mode::Disposal),
        KeyCode::F(7) => KeyAction::Enrol,
        KeyCode::F(10) => KeyAction::Quit,
        KeyCode::Esc => KeyAction::Escape,
        KeyCode::Up => KeyAction::PickUp,
        KeyCode::Down => KeyAction::PickDown,
        KeyCode::Backspace => KeyAction::Backspace,
        _ => KeyAction::Unused,
    }
}

/// Ctrl+letter as the C0 control it types (`a` → 0x01 … `z` → 0x1A).
fn control_char(c: char) -> Option<char> {
    c.is_ascii_lowercase()
        .then(|| char::from(c as u8 - b'a' + 1))
}

/// The C0 control characters in the wedge prefix and suffix.
pub(crate) fn wedge_controls(prefix: &str, suffix: &str) -> Vec<char> {
    prefix
        .chars()
        .chain(suffix.chars())
        .filter(|c| ('\u{1}'..='\u{1a}').contains(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn gs_arrives_as_ctrl_5() {
        let gs = KeyAction::Wedge(WedgeKey::Gs);
        assert_eq!(
            classify(&key(KeyCode::Char('5'), KeyModifiers::CONTROL), &[]),
            gs
        );
        assert_eq!(
            classify(&key(KeyCode::Char(']'), KeyModifiers::CONTROL), &[]),
            gs
        );
    }

    #[test]
    fn shortcuts() {
        let c = |code, m| classify(&key(code, m), &[]);
        assert_eq!(
            c(KeyCode::Char('c'), KeyModifiers::CONTROL),
            KeyAction::Quit
        );
        assert_eq!(c(KeyCode::F(10), KeyModifiers::NONE), KeyAction::Quit);
        assert_eq!(
            c(KeyCode::Char('l'), KeyModifiers::CONTROL),
            KeyAction::SignOut
        );
        assert_eq!(
            c(KeyCode::F(4), KeyModifiers::NONE),
            KeyAction::Mode(Mode::Wipe)
        );
        assert_eq!(
            c(KeyCode::Char('A'), KeyModifiers::SHIFT),
            KeyAction::Wedge(WedgeKey::Char('A'))
        );
        assert_eq!(c(KeyCode::Char('x'), KeyModifiers::ALT), KeyAction::Unused);
    }

    #[test]
    fn a_control_prefix_goes_to_the_wedge() {
        let controls = wedge_controls("\u{2}", "\u{3}");
        assert_eq!(controls, ['\u{2}', '\u{3}']);
        let ctrl_c = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            classify(&ctrl_c, &controls),
            KeyAction::Wedge(WedgeKey::Char('\u{3}'))
        );
        // F10 still quits.
        assert_eq!(
            classify(&key(KeyCode::F(10), KeyModifiers::NONE), &controls),
            KeyAction::Quit
        );
    }

    #[test]
    fn releases_are_ignored() {
        let mut ev = key(KeyCode::Char('a'), KeyModifiers::NONE);
        ev.kind = KeyEventKind::Release;
        assert_eq!(classify(&ev, &[]), KeyAction::Ignore);
    }
}
