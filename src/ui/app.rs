//! The UI's state and its update functions (The Elm Architecture's model and
//! update). Everything that happens to the UI comes in through [`App::update`]
//! (the station and the other workers), [`App::terminal_bytes`] and
//! [`App::key`] (the keyboard) or [`App::tick`] (time passing); these are the
//! only places that send Inputs to the station or ring the bell. Drawing is
//! [`super::view`], which only reads.
//!
//! What one read of the terminal returned is either one key the operator
//! pressed (a key binding, or typing) or a burst: more than one key at once,
//! or anything arriving while the burst before it is still going on. Every
//! byte of a burst goes to the wedge assembler as data, in order, so a
//! scanner's control bytes and escape sequences stay inside its scan and never
//! switch a mode. Only a function or cursor key that ends a read after the
//! burst's scans are finished (F10 pressed right behind a scan) is taken as a
//! key. A control byte that is no key binding, read on its own while nothing
//! is going on, is data too: it may start a scanner's code.
//!
//! What this cannot tell: a code that starts with ESC, read on its own after
//! a finished scan, is the Esc key (the wedge sees the rest); a code that
//! starts with a complete function-key sequence cut off by a read boundary
//! right behind it is that key. A terminal writes each key in one go, so
//! neither happens unless the kernel splits a burst exactly there.

use super::bell::Bell;
use super::keys::{classify, wedge_controls, KeyAction};
use super::term_keys::{parse_keys, ParsedKey, TermKey};
use super::text::printable;
use super::{wedge_settings, UiEvent, UiOptions};
use crate::codec::wedge::{WedgeAssembler, WedgeKey, WedgeOutput};
use crate::input::{Command, Input, ReaderStatus, Scan, Source, MAX_SCAN_BYTES};
use crate::station::outcome::SessionView;
use crate::station::question::QuestionView;
use crate::station::{Level, Outcome, Panel};
use crossterm::event::KeyEvent;
use std::collections::VecDeque;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant, SystemTime};

/// How long the banner keeps its colour; after that it fades to neutral so
/// that an old red banner is not taken for the answer to the next scan.
pub const FEEDBACK_FRESH: Duration = Duration::from_secs(30);

/// The gap between the beeps of an error (terminals merge bells sent together).
const BEEP_GAP: Duration = Duration::from_millis(150);

/// How many lines the last-scans list keeps.
const SCANS_KEPT: usize = 50;

/// The feedback banner's content.
#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub level: Level,
    pub message: String,
    /// Wall-clock time of the outcome, for the banner's small print.
    pub at: SystemTime,
    /// What changed (`journal #42`), joined.
    pub detail: String,
    shown: Instant,
    pub(crate) fresh: bool,
    /// An error stays on the banner until Esc acknowledges it: a later OK
    /// beeps and is listed, but does not hide it.
    pub(crate) sticky: bool,
}

/// One line of the last-scans list.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanLine {
    pub at: SystemTime,
    pub code: String,
    pub level: Level,
    pub message: String,
}

/// The UI's whole state.
pub struct App {
    wedge: WedgeAssembler,
    controls: Vec<char>,
    pub(crate) field: String,
    pub(crate) session: SessionView,
    pub(crate) panel: Panel,
    /// The question the station waits on, and the highlighted pick.
    pub(crate) question: Option<QuestionView>,
    pub(crate) pick: usize,
    pub(crate) banner: Option<Banner>,
    pub(crate) scans: VecDeque<ScanLine>,
    pub(crate) readers: Vec<ReaderStatus>,
    pub(crate) sync: Option<String>,
    pub(crate) labels: Option<crate::store::label_jobs::Counts>,
    pub(crate) store_path: String,
    /// False once the station's channel is closed: nothing is recorded.
    pub(crate) station_alive: bool,
    pub(crate) help: bool,
    quit: bool,
    to_station: Sender<Input>,
    bell: Box<dyn Bell + Send>,
    beeps_due: VecDeque<Instant>,
    clock: Box<dyn Fn() -> SystemTime + Send>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("field", &self.field)
            .field("session", &self.session)
            .field("panel", &self.panel)
            .field("banner", &self.banner)
            .field("help", &self.help)
            .field("quit", &self.quit)
            .finish_non_exhaustive()
    }
}

impl App {
    /// A UI sending its Inputs on `to_station` and beeping on `bell`, with the
    /// system clock.
    pub fn new(opts: &UiOptions, to_station: Sender<Input>, bell: Box<dyn Bell + Send>) -> App {
        App {
            wedge: WedgeAssembler::new(wedge_settings(&opts.wedge)),
            controls: wedge_controls(&opts.wedge.prefix, &opts.wedge.suffix),
            field: String::new(),
            session: SessionView {
                training: opts.training,
                ..SessionView::default()
            },
            panel: Panel::Empty,
            question: None,
            pick: 0,
            banner: None,
            scans: VecDeque::new(),
            readers: Vec::new(),
            sync: None,
            labels: None,
            store_path: opts.store_path.clone(),
            station_alive: true,
            help: false,
            quit: false,
            to_station,
            bell,
            beeps_due: VecDeque::new(),
            clock: Box::new(SystemTime::now),
        }
    }

    /// Replaces the wall clock (scan times, the list's times); for tests.
    pub fn with_clock(mut self, clock: impl Fn() -> SystemTime + Send + 'static) -> App {
        self.clock = Box::new(clock);
        self
    }

    /// True once the operator or the program asked to leave.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The text in the scan field.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// Whether the help overlay is open.
    pub fn help_open(&self) -> bool {
        self.help
    }

    /// The earliest instant at which [`tick`](Self::tick) has work: a held key
    /// to release, a scan to end, a beep to sound.
    pub fn deadline(&self) -> Option<Instant> {
        [self.wedge.deadline(), self.beeps_due.front().copied()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Something the station or a worker said.
    pub fn update(&mut self, ev: UiEvent, now: Instant) {
        match ev {
            UiEvent::Outcome(o) => self.outcome(o, now),
            UiEvent::Panel(p) => self.panel = p,
            UiEvent::Reader(mut status) => {
                match self.readers.iter_mut().find(|r| r.source == status.source) {
                    Some(r) => {
                        // A status without counts (lost, reconnecting) keeps
                        // the session's last ones on screen.
                        if status.tags == 0 {
                            status.tags = r.tags;
                        }
                        *r = status;
                    }
                    None => self.readers.push(status),
                }
            }
            UiEvent::Sync(s) => self.sync = Some(s),
            UiEvent::Labels(c) => self.labels = Some(c),
            UiEvent::Quit => {
                // As F10: a scan in progress is sent first.
                let out = self.wedge.flush();
                self.apply(out, now);
                self.quit = true;
            }
        }
    }

    /// The station's channel closed: say so, loudly, until the operator quits.
    pub fn station_stopped(&mut self, now: Instant) {
        if self.station_alive {
            self.station_alive = false;
            self.feedback(
                Level::Error,
                "The station stopped: scans are NOT being recorded. Press F10 to quit.".into(),
                String::new(),
                now,
            );
        }
    }

    /// The bytes one read of the terminal returned, at `at` (when the read
    /// returned). See the module docs for what is a burst.
    pub fn terminal_bytes(&mut self, bytes: &[u8], at: Instant) {
        let keys = parse_keys(bytes);
        if let [one] = keys.as_slice() {
            let data = (self.wedge.continues_burst(at) && self.belongs_to_burst(bytes))
                || self.may_start_a_scan(one, bytes);
            if !data {
                self.term_key(one, at);
                return;
            }
        }
        // A burst: every byte is data, but for a function key that ends the
        // read after its scans are finished.
        let last = keys.len().saturating_sub(1);
        for (i, k) in keys.iter().enumerate() {
            let after_scans = i == last && i > 0 && self.wedge.is_idle();
            if after_scans && k.is_function_key() {
                self.term_key(k, at);
            } else {
                self.burst_bytes(&bytes[k.bytes.clone()], at);
            }
        }
    }

    /// Whether a read of one key, arriving while a burst may go on, is data
    /// of that burst: anything once a scan is being collected; while the
    /// burst is still undecided, anything but Backspace (a fast typist's
    /// correction; no scanner types it).
    fn belongs_to_burst(&self, bytes: &[u8]) -> bool {
        self.wedge.is_scanning() || !matches!(bytes, [0x7f | 0x08])
    }

    /// Whether a key read on its own while nothing is going on is data: a
    /// control byte that is no key binding (RS, EOT, SOH …) may be the first
    /// byte of a scanner's code. Held by the wedge like a character; if no
    /// scan follows it lands in the field (as a control picture), never lost.
    fn may_start_a_scan(&self, k: &ParsedKey, bytes: &[u8]) -> bool {
        let TermKey::Key(ev) = &k.key else {
            return false;
        };
        let control = matches!(bytes.first(), Some(0x00..=0x1a | 0x1c..=0x1f))
            && !matches!(bytes.first(), Some(b'\r' | b'\n' | b'\t' | 0x08));
        control && classify(ev, &self.controls) == KeyAction::Unused
    }

    /// One key pressed on its own.
    fn term_key(&mut self, k: &ParsedKey, at: Instant) {
        match k.key {
            TermKey::Key(ev) => self.key(ev, at),
            TermKey::Byte(b) => {
                let out = self.wedge.key(WedgeKey::Byte(b), at);
                self.apply(out, at);
            }
        }
    }

    /// Bytes of a burst, all data for the wedge (CR, LF and Tab still end
    /// its scans): characters as characters, bytes that are not UTF-8 as bytes.
    fn burst_bytes(&mut self, mut bytes: &[u8], at: Instant) {
        while !bytes.is_empty() {
            let (valid, rest) = match std::str::from_utf8(bytes) {
                Ok(s) => (s, &[][..]),
                Err(e) => {
                    let (ok, rest) = bytes.split_at(e.valid_up_to());
                    (std::str::from_utf8(ok).unwrap_or_default(), rest)
                }
            };
            for c in valid.chars() {
                let out = self.wedge.key(WedgeKey::Char(c), at);
                self.apply(out, at);
            }
            if let Some((b, rest)) = rest.split_first() {
                let out = self.wedge.key(WedgeKey::Byte(*b), at);
                self.apply(out, at);
                bytes = rest;
            } else {
                bytes = rest;
            }
        }
    }

    /// A key the operator (or a wedge scanner) pressed at `now`.
    pub fn key(&mut self, ev: KeyEvent, now: Instant) {
        match classify(&ev, &self.controls) {
            KeyAction::Ignore => {}
            KeyAction::Wedge(k) => {
                let out = self.wedge.key(k, now);
                self.apply(out, now);
            }
            action => {
                // Not a key a scanner types: it ends any burst first, so
                // what was held is applied before the action.
                let out = self.wedge.key(WedgeKey::Other, now);
                self.apply(out, now);
                self.action(action, now);
            }
        }
    }

    /// Time passes: held keys are released, silent scans end, beeps sound, the
    /// banner fades. True when something on screen changed.
    pub fn tick(&mut self, now: Instant) -> bool {
        let out = self.wedge.tick(now);
        let mut changed = !out.is_empty();
        self.apply(out, now);
        while self.beeps_due.front().is_some_and(|at| *at <= now) {
            self.beeps_due.pop_front();
            self.bell.ring();
        }
        if let Some(b) = &mut self.banner {
            // An unacknowledged error stays red however long it waits: it
            // keeps later OKs off the banner, so it must not fade to READY.
            let fresh = b.sticky || now.saturating_duration_since(b.shown) < FEEDBACK_FRESH;
            changed |= fresh != b.fresh;
            b.fresh = fresh;
        }
        changed
    }

    fn action(&mut self, action: KeyAction, now: Instant) {
        match action {
            KeyAction::Quit => {
                let out = self.wedge.flush();
                self.apply(out, now);
                self.quit = true;
            }
            KeyAction::ToggleHelp => self.help = !self.help,
            KeyAction::Mode(m) => self.command(Command::Mode(m), now),
            KeyAction::SignOut => self.command(Command::SignOut, now),
            // The station asks to confirm, naming the code (or says there is
            // nothing to enrol).
            KeyAction::Enrol => self.command(Command::EnrolLast, now),
            KeyAction::PickUp => self.pick = self.pick.saturating_sub(1),
            KeyAction::PickDown => {
                let n = self.question.as_ref().map_or(0, |q| q.options.len());
                self.pick = (self.pick + 1).min(n.saturating_sub(1));
            }
            KeyAction::Escape => {
                if self.help {
                    self.help = false;
                } else if self.banner.as_ref().is_some_and(|b| b.sticky) {
                    // The error has been seen.
                    if let Some(b) = &mut self.banner {
                        b.sticky = false;
                    }
                } else if self.field.is_empty() && self.question.is_some() {
                    // Nothing typed: Esc cancels the open question.
                    self.command(Command::Cancel, now);
                } else {
                    self.field.clear();
                }
            }
            KeyAction::Backspace => {
                self.field.pop();
            }
            KeyAction::Wedge(_) | KeyAction::Unused | KeyAction::Ignore => {}
        }
    }

    /// Applies the wedge's decisions in order.
    fn apply(&mut self, out: Vec<WedgeOutput>, now: Instant) {
        for o in out {
            match o {
                WedgeOutput::Scan { bytes, truncated } => {
                    let mut scan = Scan::new(Source::Wedge, bytes, (self.clock)());
                    scan.truncated |= truncated;
                    self.send(Input::Scan(scan), now);
                }
                WedgeOutput::Typed(k) => self.typed(k, now),
            }
        }
    }

    /// A key released by the wedge as typing, for the scan field.
    fn typed(&mut self, k: WedgeKey, now: Instant) {
        match k {
            WedgeKey::Char(c) if self.help => {
                if c == '?' {
                    self.help = false;
                }
            }
            WedgeKey::Char('?') if self.field.is_empty() => self.help = true,
            // Every letter is text: enrolling is F7 or CMD:ENROL, never a
            // letter that may start the next code typed.
            WedgeKey::Char(c) => self.push_field(c),
            // The field holds text: a byte that is not UTF-8 shows as U+FFFD
            // (a scan keeps it exactly; only typing loses it).
            WedgeKey::Byte(_) => self.push_field(char::REPLACEMENT_CHARACTER),
            WedgeKey::Gs => self.push_field('\u{1d}'),
            WedgeKey::Enter => {
                if !self.field.is_empty() {
                    let text = std::mem::take(&mut self.field);
                    let scan = Scan::new(Source::Typed, text.into_bytes(), (self.clock)());
                    self.send(Input::Scan(scan), now);
                } else if self
                    .question
                    .as_ref()
                    .is_some_and(|q| !q.options.is_empty())
                {
                    // Enter picks the highlighted entry of the list.
                    let n = u32::try_from(self.pick + 1).unwrap_or(u32::MAX);
                    self.command(Command::Pick(n), now);
                } else if self
                    .question
                    .as_ref()
                    .is_some_and(|q| q.expects == "confirm")
                {
                    // Enter confirms a yes/no question.
                    self.command(Command::Confirm, now);
                }
            }
            WedgeKey::Tab | WedgeKey::Other => {}
        }
    }

    fn push_field(&mut self, c: char) {
        if self.field.len() + c.len_utf8() <= MAX_SCAN_BYTES {
            self.field.push(c);
        }
    }

    fn command(&mut self, c: Command, now: Instant) {
        self.send(Input::Command(c), now);
    }

    /// Sends without blocking; a closed channel means the station is gone.
    fn send(&mut self, input: Input, now: Instant) {
        if self.to_station.send(input).is_ok() {
            return;
        }
        self.station_alive = false;
        self.feedback(
            Level::Error,
            "The station is not running: this input was NOT recorded.".into(),
            String::new(),
            now,
        );
    }

    fn outcome(&mut self, o: Outcome, now: Instant) {
        self.session = o.session;
        let asks = o.question.is_some() && self.question != o.question;
        if self.question != o.question {
            // The question an error asked is answered: the error is dealt with.
            if self.question.is_some() && o.question.is_none() {
                if let Some(b) = &mut self.banner {
                    b.sticky = false;
                }
            }
            self.pick = 0;
            self.question = o.question;
        }
        if let Some(panel) = o.panel {
            self.panel = panel;
        }
        if o.quiet {
            return;
        }
        // Every scan and read is listed, whoever sent it; commands are not.
        if let Some(code) = &o.code {
            if self.scans.len() == SCANS_KEPT {
                self.scans.pop_back();
            }
            self.scans.push_front(ScanLine {
                at: (self.clock)(),
                code: printable(code),
                level: o.level,
                message: printable(&o.message),
            });
        }
        if asks {
            // A new question needs the operator now: it takes the banner
            // from an older error, which the list still shows.
            if let Some(b) = &mut self.banner {
                b.sticky = false;
            }
        }
        self.feedback(o.level, o.message, o.changed.join(", "), now);
    }

    /// Shows the banner and beeps: once for OK, three times for an error.
    fn feedback(&mut self, level: Level, message: String, detail: String, now: Instant) {
        let keep_error = level != Level::Error && self.banner.as_ref().is_some_and(|b| b.sticky);
        if !keep_error {
            self.banner = Some(Banner {
                level,
                message: printable(&message),
                at: (self.clock)(),
                detail: printable(&detail),
                shown: now,
                fresh: true,
                sticky: level == Level::Error,
            });
        }
        let beeps = match level {
            Level::Ok => 1,
            Level::Warning => 0,
            Level::Error => 3,
        };
        self.beeps_due.clear();
        for i in 0..beeps {
            self.beeps_due.push_back(now + BEEP_GAP * i);
        }
        // The first beep goes with the banner, not at the next tick.
        if self.beeps_due.front().is_some_and(|at| *at <= now) {
            self.beeps_due.pop_front();
            self.bell.ring();
        }
    }
}
