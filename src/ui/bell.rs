//! The terminal bell, behind a trait so that tests can count the beeps.
//!
//! One beep says OK, three say error: an operator hears the difference without
//! looking. The App spaces the three beeps out itself (terminals merge bells
//! written back to back), so a `Bell` only ever rings once per call.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Something that can beep once.
pub trait Bell {
    fn ring(&mut self);
}

/// Writes BEL (0x07) to the terminal. Best effort: a bell that cannot be
/// written is not worth stopping the station for.
#[derive(Debug, Default)]
pub struct TerminalBell;

impl Bell for TerminalBell {
    fn ring(&mut self) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(b"\x07");
        let _ = out.flush();
    }
}

/// Counts the beeps; clones share the count.
#[derive(Debug, Default, Clone)]
pub struct CountingBell(Arc<AtomicUsize>);

impl CountingBell {
    pub fn new() -> CountingBell {
        CountingBell::default()
    }

    /// How many times it rang.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Bell for CountingBell {
    fn ring(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Never beeps.
#[derive(Debug, Default)]
pub struct SilentBell;

impl Bell for SilentBell {
    fn ring(&mut self) {}
}
