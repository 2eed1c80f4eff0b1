//! The key screens of a delivery, from the real binary in a pseudo-terminal:
//! the open-orders pick list, a delivery in progress with its line gauges, the
//! over-quantity question, a discrepancy banner. The scans are typed as the
//! dock's keyboard wedge types them (a whole line and Enter). What the
//! terminal shows is rebuilt from the byte stream by a small screen model
//! (cursor moves, clears, text; colours dropped) and kept as insta
//! snapshots, with the clock and the sandbox's path masked.

use crate::pty::PtyChild;
use crate::support::Sandbox;
use scanstation::station::seed::seed_demo;
use scanstation::store::Store;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Generous: the screens are waited for, never timed.
const WAIT: Duration = Duration::from_secs(60);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/receiving")
        .join(name)
}

/// A terminal's character grid, driven by the escape sequences a ratatui
/// crossterm backend writes.
struct Screen {
    cols: usize,
    rows: usize,
    cells: Vec<Vec<char>>,
    x: usize,
    y: usize,
}

impl Screen {
    fn new(cols: usize, rows: usize) -> Screen {
        Screen {
            cols,
            rows,
            cells: vec![vec![' '; cols]; rows],
            x: 0,
            y: 0,
        }
    }

    fn clear_from(&mut self, y: usize, x: usize) {
        for row in y..self.rows {
            let from = if row == y { x } else { 0 };
            for c in self.cells[row].iter_mut().skip(from) {
                *c = ' ';
            }
        }
    }

    fn csi(&mut self, params: &str, fin: char) {
        if params.starts_with('?') {
            return;
        }
        let n: Vec<usize> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
        let arg = |i: usize, d: usize| n.get(i).copied().filter(|v| *v > 0).unwrap_or(d);
        match fin {
            'H' | 'f' => {
                self.y = arg(0, 1) - 1;
                self.x = arg(1, 1) - 1;
            }
            'J' => match n.first().copied().unwrap_or(0) {
                0 => self.clear_from(self.y, self.x),
                _ => self.clear_from(0, 0),
            },
            'K' if self.y < self.rows => {
                let from = if n.first().copied().unwrap_or(0) == 0 {
                    self.x
                } else {
                    0
                };
                for c in self.cells[self.y].iter_mut().skip(from) {
                    *c = ' ';
                }
            }
            'A' => self.y = self.y.saturating_sub(arg(0, 1)),
            'B' => self.y += arg(0, 1),
            'C' => self.x += arg(0, 1),
            'D' => self.x = self.x.saturating_sub(arg(0, 1)),
            'G' => self.x = arg(0, 1) - 1,
            _ => {}
        }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\u{1b}' => match chars.next() {
                    Some('[') => {
                        let mut params = String::new();
                        for c in chars.by_ref() {
                            if ('@'..='~').contains(&c) {
                                self.csi(&params, c);
                                break;
                            }
                            params.push(c);
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
                    Some('(') | Some(')') => {
                        chars.next();
                    }
                    _ => {}
                },
                '\r' => self.x = 0,
                '\n' => self.y += 1,
                '\u{8}' => self.x = self.x.saturating_sub(1),
                c if c.is_control() => {}
                c => {
                    if self.y < self.rows && self.x < self.cols {
                        self.cells[self.y][self.x] = c;
                    }
                    self.x += 1;
                }
            }
        }
    }

    /// The grid as text, one line a row, trailing blanks dropped, the clock
    /// (`19:17:43`) and the sandbox's store path masked.
    fn text(&self, db: &str) -> String {
        let clock = regex::Regex::new(r"\b\d\d:\d\d:\d\d\b").unwrap();
        self.cells
            .iter()
            .map(|row| {
                let line: String = row.iter().collect();
                let line = line.replace(db, "<store>");
                clock.replace_all(line.trim_end(), "hh:mm:ss").into_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Waits for `needle`, then until the terminal has been quiet for a moment
/// (the frame is whole), and returns the screen.
fn screen_after(station: &PtyChild, needle: &str, db: &str) -> String {
    assert!(
        station.wait_for(needle, WAIT),
        "waiting for {needle:?}: {}",
        station.screen_text()
    );
    let start = Instant::now();
    let mut len = station.output().len();
    loop {
        std::thread::sleep(Duration::from_millis(400));
        let now = station.output().len();
        if now == len || start.elapsed() > WAIT {
            break;
        }
        len = now;
    }
    let mut s = Screen::new(120, 40);
    s.feed(&station.output());
    s.text(db)
}

#[test]
fn the_key_screens_of_a_delivery() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap();
    drop(store);
    let out = sb
        .cmd()
        .args(["import", "orders"])
        .arg(fixture("po-2001.csv"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let db = sb.db().to_string_lossy().into_owned();

    let mut cmd = sb.cmd();
    cmd.arg("--config").arg(fixture("po-2001-dock.toml"));
    let mut station = PtyChild::spawn(cmd, 120, 40);
    assert!(
        station.wait_for("LOOKUP", WAIT),
        "{}",
        station.screen_text()
    );
    station.write(b"B0003\r");
    assert!(
        station.wait_for("Lee Chen", WAIT),
        "{}",
        station.screen_text()
    );

    // The open orders, to pick with the arrows and Enter.
    station.write(b"CMD:MODE:RECEIVE\r");
    let pick = screen_after(&station, "expected 2026-11-25", &db);
    insta::assert_snapshot!("pick_open_orders", pick);

    // A delivery in progress: GS1, Lenovo 1S, a mangled 15434 label, Apple.
    station.write(b"\r");
    assert!(
        station.wait_for("Receiving PO-2001 from", WAIT),
        "{}",
        station.screen_text()
    );
    for scan in [
        "]d2010019534881101921PF5A0001",
        "RX-20001",
        "1S21KC0065USPF4X0001",
        "RX-20003",
        "[)>^06]1P8A3V7UT#ABA]S5CG4100001^",
        "RX-20011",
        "MRXN3LL/A",
        "SC02ZK1AAQ6L4",
        "RX-20005",
        "[)>{RS}06{GS}1PCBL-USBC-2M{GS}Q25{RS}{EOT}",
    ] {
        station.write(format!("{scan}\r").as_bytes());
    }
    let progress = screen_after(&station, "25 of 50 counted", &db);
    insta::assert_snapshot!("delivery_in_progress", progress);

    // Over the line's quantity: asked.
    for scan in [
        "]d2010088442812345521CN0U27A0001",
        "RX-20017",
        "]d2010088442812345521CN0U27A0002",
        "RX-20018",
        "]d2010088442812345521CN0U27A0003",
    ] {
        station.write(format!("{scan}\r").as_bytes());
    }
    let over = screen_after(&station, "CN0U27A0003 over the order?", &db);
    insta::assert_snapshot!("over_quantity_question", over);

    // Confirmed, tagged; then a serial seen before: the red banner.
    for scan in ["CMD:CONFIRM", "RX-20019", "1S21KC0065USPF4X0001"] {
        station.write(format!("{scan}\r").as_bytes());
    }
    let banner = screen_after(&station, "DUPLICATE SERIAL", &db);
    insta::assert_snapshot!("discrepancy_banner", banner);

    station.write(b"\x1b[21~");
    assert!(station.wait_exit(WAIT).is_some(), "no quit on F10");
}
