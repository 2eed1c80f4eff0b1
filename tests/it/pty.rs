//! The real binary in a pseudo-terminal: what an operator's terminal sees.

#![allow(dead_code)]

use nix::pty::{openpty, Winsize};
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A child process on the slave side of a pty; everything it draws is
/// collected from the master side by a reader thread.
pub struct PtyChild {
    pub child: Child,
    master: std::fs::File,
    output: Arc<Mutex<Vec<u8>>>,
}

impl PtyChild {
    pub fn spawn(mut cmd: Command, cols: u16, rows: u16) -> PtyChild {
        let ws = Winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = openpty(Some(&ws), None).expect("openpty");
        let slave: OwnedFd = pty.slave;
        cmd.stdin(Stdio::from(slave.try_clone().expect("dup")))
            .stdout(Stdio::from(slave.try_clone().expect("dup")))
            .stderr(Stdio::from(slave));
        let child = cmd.spawn().expect("spawn the binary");
        let master = std::fs::File::from(pty.master);
        let mut reader = master.try_clone().expect("dup master");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = output.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("output lock")
                    .extend_from_slice(&buf[..n]);
            }
        });
        PtyChild {
            child,
            master,
            output,
        }
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to pty");
        self.master.flush().expect("flush pty");
    }

    /// Writes `bytes` in one write from a thread of its own, so that a
    /// station that stops reading its terminal fails the test instead of
    /// blocking it (a full pty blocks the writer).
    pub fn write_in_background(&self, bytes: Vec<u8>) -> std::thread::JoinHandle<()> {
        let mut master = self.master.try_clone().expect("dup master");
        std::thread::spawn(move || {
            // The child may be gone before all is written: the test's
            // assertions say what is missing.
            let _ = master.write_all(&bytes);
        })
    }

    /// Types `text` one character at a time, `gap` apart (a scanner or a person).
    pub fn type_slowly(&mut self, text: &[u8], gap: Duration) {
        for b in text {
            self.write(&[*b]);
            std::thread::sleep(gap);
        }
    }

    /// Everything drawn so far, escape sequences stripped to bare text.
    pub fn screen_text(&self) -> String {
        strip_escapes(&self.output.lock().expect("output lock"))
    }

    /// Waits (generously) until the drawn text contains `needle`.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if self.screen_text().contains(needle) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// True while the terminal is in raw mode (no line editing, no echo):
    /// the station holds it; a restored terminal has both back.
    pub fn is_raw(&self) -> bool {
        use nix::sys::termios::{tcgetattr, LocalFlags};
        // On Linux the master reports the pair's (the slave's) settings.
        let t = tcgetattr(&self.master).expect("tcgetattr on the pty");
        !t.local_flags.contains(LocalFlags::ICANON) && !t.local_flags.contains(LocalFlags::ECHO)
    }

    /// Everything drawn so far, as raw bytes (escape sequences kept).
    pub fn output(&self) -> Vec<u8> {
        self.output.lock().expect("output lock").clone()
    }

    /// Sends `sig` to the child.
    pub fn signal(&self, sig: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        nix::sys::signal::kill(pid, sig).expect("kill");
    }

    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(st)) = self.child.try_wait() {
                return Some(st);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for PtyChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Drops CSI/OSC escape sequences, keeping printable text (cursor moves become
/// nothing, so words drawn in one run stay together).
pub fn strip_escapes(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            match chars.next() {
                Some('[') => {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') => {
                    while let Some(c) = chars.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            }
        } else if !c.is_control() || c == '\n' {
            out.push(c);
        }
    }
    out
}
