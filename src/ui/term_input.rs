//! The terminal's input, read by a thread of ours: the only I/O of the
//! keyboard path.
//!
//! Why not crossterm's `EventStream`: its Unix source reads at most 1 KiB,
//! returns the first event parsed and then waits for the terminal to become
//! readable again — an edge that never comes while the rest of a burst sits
//! in the kernel. A paste or a scanner's batch of 400 tags was committed up to
//! the first 1 KiB and the rest only when another key came; a 3,000-character
//! scan was cut into 1,024-byte pieces (issue 9).
//!
//! Here a thread waits for the terminal to be readable, then reads everything
//! available — read after read until nothing more is there — and sends it as
//! one [`TermEvent::Bytes`] with the instant it arrived. Nothing is parsed
//! here: [`super::term_keys`] (pure) does that in the UI loop, where the wedge
//! assembler decides what is a scan. The thread stops when the UI drops its
//! [`TermReader`] (a pipe wakes it), when the terminal closes, or when nobody
//! listens any more. Resizes come from SIGWINCH, in the UI loop.

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::{AsFd, OwnedFd};
use std::thread::JoinHandle;
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// The most one event carries; a longer burst continues in the next event.
const MAX_EVENT_BYTES: usize = 1 << 20;

/// One read's size.
const READ_BYTES: usize = 64 * 1024;

/// What the terminal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermEvent {
    /// Bytes that were available together, and when they arrived.
    Bytes { bytes: Vec<u8>, at: Instant },
    /// The window changed size.
    Resize,
}

/// The reading thread; dropping this stops it.
#[derive(Debug)]
pub struct TermReader {
    /// Dropping the pipe's write end wakes the thread, which then ends.
    stop: Option<OwnedFd>,
    thread: Option<JoinHandle<()>>,
}

impl TermReader {
    /// Starts reading the terminal the UI runs in: stdin when it is a
    /// terminal, else `/dev/tty` (as crossterm's raw mode does).
    pub fn spawn(tx: UnboundedSender<io::Result<TermEvent>>) -> io::Result<TermReader> {
        let tty = terminal()?;
        let (wake, stop) = nix::unistd::pipe().map_err(io::Error::from)?;
        let thread = std::thread::Builder::new()
            .name("terminal".into())
            .spawn(move || read_loop(tty, wake, tx))?;
        Ok(TermReader {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for TermReader {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn terminal() -> io::Result<File> {
    let stdin = io::stdin();
    if nix::unistd::isatty(stdin.as_fd()).unwrap_or(false) {
        // A second descriptor for the same terminal; its flags stay as they are.
        return Ok(File::from(stdin.as_fd().try_clone_to_owned()?));
    }
    File::open("/dev/tty")
}

/// What the terminal or the stop pipe said.
enum Ready {
    Input,
    Stop,
}

/// Waits until the terminal has input (or hung up) or the UI wants us gone;
/// `timeout` ZERO only looks.
fn wait(tty: &File, wake: &OwnedFd, timeout: PollTimeout) -> io::Result<Option<Ready>> {
    loop {
        let mut fds = [
            PollFd::new(tty.as_fd(), PollFlags::POLLIN),
            PollFd::new(wake.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, timeout) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
        if fds[1].any().unwrap_or(true) {
            return Ok(Some(Ready::Stop));
        }
        return Ok(fds[0].any().unwrap_or(true).then_some(Ready::Input));
    }
}

fn read_loop(mut tty: File, wake: OwnedFd, tx: UnboundedSender<io::Result<TermEvent>>) {
    let mut buf = vec![0u8; READ_BYTES];
    loop {
        match wait(&tty, &wake, PollTimeout::NONE) {
            Ok(Some(Ready::Input)) => {}
            Ok(None) => continue,
            Ok(Some(Ready::Stop)) => return,
            Err(e) => {
                let _ = tx.send(Err(e));
                return;
            }
        }
        let at = Instant::now();
        let mut bytes = Vec::new();
        // Everything available now, read after read.
        let ended = loop {
            match tty.read(&mut buf) {
                // End of input (the terminal is gone).
                Ok(0) => break true,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break false,
                // EIO: the terminal hung up.
                Err(e) if e.raw_os_error() == Some(nix::errno::Errno::EIO as i32) => break true,
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
            if bytes.len() >= MAX_EVENT_BYTES {
                break false;
            }
            match wait(&tty, &wake, PollTimeout::ZERO) {
                Ok(Some(Ready::Input)) => {}
                Ok(None) | Ok(Some(Ready::Stop)) => break false,
                Err(_) => break false,
            }
        };
        if !bytes.is_empty() && tx.send(Ok(TermEvent::Bytes { bytes, at })).is_err() {
            return;
        }
        if ended {
            return;
        }
    }
}
