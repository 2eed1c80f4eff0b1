//! Stock-take's key screens from the real binary in a pseudo-terminal,
//! driven as a keyboard wedge types (each code, then Enter): the KPI panel
//! with nothing open, the scope being built (start), counting with the
//! missing list, the reconciliation, and the KPI panel with its sparkline
//! after closing. The bytes the station wrote are replayed through a small
//! terminal model (cursor moves, clears, text) into the screen's rows, then
//! dates and times are masked so that the snapshots do not age.

use crate::pty::PtyChild;
use crate::support::Sandbox;
use scanstation::store::{assets, locations, operators, Store};
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(60);
const COLS: usize = 120;
const ROWS: usize = 40;

/// The screen the bytes draw: CSI cursor positioning (`H`, `G`, `d`,
/// relative `A`–`D`), erase (`J`, `K`), everything else (colours, modes)
/// ignored; printable characters written at the cursor.
fn render(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut grid = vec![vec![' '; COLS]; ROWS];
    let (mut r, mut c) = (0usize, 0usize);
    let mut chars = text.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\u{1b}' => match chars.next() {
                Some('[') => {
                    let mut params = String::new();
                    let mut fin = ' ';
                    for x in chars.by_ref() {
                        if ('@'..='~').contains(&x) {
                            fin = x;
                            break;
                        }
                        params.push(x);
                    }
                    if params.starts_with('?') {
                        continue;
                    }
                    let nums: Vec<usize> =
                        params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
                    let n =
                        |i: usize, d: usize| nums.get(i).copied().filter(|v| *v > 0).unwrap_or(d);
                    match fin {
                        'H' | 'f' => {
                            r = (n(0, 1) - 1).min(ROWS - 1);
                            c = (n(1, 1) - 1).min(COLS - 1);
                        }
                        'G' => c = (n(0, 1) - 1).min(COLS - 1),
                        'd' => r = (n(0, 1) - 1).min(ROWS - 1),
                        'A' => r = r.saturating_sub(n(0, 1)),
                        'B' => r = (r + n(0, 1)).min(ROWS - 1),
                        'C' => c = (c + n(0, 1)).min(COLS - 1),
                        'D' => c = c.saturating_sub(n(0, 1)),
                        'J' => {
                            if nums.first() == Some(&2) || nums.first() == Some(&3) {
                                grid = vec![vec![' '; COLS]; ROWS];
                            } else {
                                grid[r][c..].fill(' ');
                                for row in grid.iter_mut().skip(r + 1) {
                                    row.fill(' ');
                                }
                            }
                        }
                        'K' => {
                            grid[r][c..].fill(' ');
                        }
                        _ => {}
                    }
                }
                Some(']') => {
                    while let Some(x) = chars.next() {
                        if x == '\u{7}' {
                            break;
                        }
                        if x == '\u{1b}' {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' => c = 0,
            '\n' => r = (r + 1).min(ROWS - 1),
            ch if ch.is_control() => {}
            ch => {
                if c < COLS {
                    grid[r][c] = ch;
                }
                c += 1;
            }
        }
    }
    let screen: Vec<String> = grid
        .into_iter()
        .map(|row| row.into_iter().collect::<String>().trim_end().to_string())
        .collect();
    mask(&screen.join("\n"))
}

/// Dates, times and the sandbox's path masked: the snapshots must not age.
fn mask(s: &str) -> String {
    let date = regex::Regex::new(r"\d{4}-\d{2}-\d{2}").unwrap();
    let time = regex::Regex::new(r"\d{2}:\d{2}(:\d{2})?(\.\d+)?").unwrap();
    let store = regex::Regex::new(r"store \S+").unwrap();
    let s = store.replace_all(s, "store SANDBOX/station.db");
    let s = date.replace_all(&s, "YYYY-MM-DD");
    time.replace_all(&s, "hh:mm").into_owned()
}

/// Waits until the screen shows `needle` (as rendered: ratatui redraws only
/// the cells that change, so the raw text is split).
fn wait(st: &PtyChild, needle: &str) {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if render(&st.output()).contains(needle) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{needle:?} never drawn: {}", render(&st.output()));
}

/// Waits for `needle`, then for the screen to stop changing.
fn settle(st: &PtyChild, needle: &str) -> String {
    wait(st, needle);
    let start = Instant::now();
    let mut last = render(&st.output());
    loop {
        std::thread::sleep(Duration::from_millis(400));
        let now = render(&st.output());
        if now == last || start.elapsed() > WAIT {
            return now;
        }
        last = now;
    }
}

fn site(sb: &Sandbox) {
    let mut store = Store::open(&sb.db()).unwrap();
    let tx = store.write().unwrap();
    let c = tx.conn();
    operators::create(c, "B0001", "Ana Lopez", "supervisor").unwrap();
    let root = locations::create(c, "LOC-SITE", "Site", None, None).unwrap();
    for l in 0..2 {
        let loc = locations::create(c, &format!("LOC-L{l}"), "Shelf", Some(root), None).unwrap();
        for k in 0..4 {
            let n = l * 4 + k;
            let a = assets::NewAsset {
                tag: format!("T{n}"),
                location_id: Some(loc),
                cost_minor: Some(10_000 + n as i64),
                currency: Some("EUR".into()),
                ..Default::default()
            };
            assets::insert(c, &a, &[]).unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
fn the_stocktake_screens() {
    let sb = Sandbox::new();
    site(&sb);
    let mut st = PtyChild::spawn(sb.cmd(), COLS as u16, ROWS as u16);
    wait(&st, "LOOKUP");
    let wedge = |st: &mut PtyChild, code: &str| st.write(format!("{code}\r").as_bytes());
    wedge(&mut st, "B0001");
    wait(&st, "Ana Lopez");
    wedge(&mut st, "CMD:MODE:STOCKTAKE");
    insta::assert_snapshot!("stocktake_none_open", settle(&st, "No stock-take yet"));

    wedge(&mut st, "LOC-SITE");
    insta::assert_snapshot!("stocktake_start_scope", settle(&st, "CONFIRM starts"));
    wedge(&mut st, "CMD:CONFIRM");
    wait(&st, "started");

    wedge(&mut st, "LOC-L0");
    wait(&st, "Missing here");
    wedge(&mut st, "T0");
    wedge(&mut st, "T5");
    insta::assert_snapshot!("stocktake_counting", settle(&st, "T5 counted at LOC-L0"));

    wedge(&mut st, "CMD:CLOSE");
    wait(&st, "LOC-L0 counted");
    wedge(&mut st, "CMD:CLOSE");
    wait(&st, "end the counting anyway?");
    wedge(&mut st, "CMD:CONFIRM");
    insta::assert_snapshot!("stocktake_reconciling", settle(&st, "To act on"));

    wedge(&mut st, "CMD:CLOSE");
    insta::assert_snapshot!("stocktake_kpi", settle(&st, "Accuracy over 1"));
    st.write(b"\x1b[21~");
    assert!(st.wait_exit(WAIT).is_some(), "no quit on F10");
}
