//! A small terminal emulator for the tests: replays what the station drew
//! into a pseudo-terminal onto a grid of cells, so a screen can be compared
//! as the operator sees it (insta snapshots). It knows what the terminal
//! UI's backend writes: cursor positioning and moves, erasing, and text;
//! colours and modes are ignored. Every character is one cell wide (the UI
//! draws box lines, blocks and arrows, no wide characters).

/// The grid after replaying `bytes` on a `cols` × `rows` terminal.
pub fn replay(bytes: &[u8], cols: usize, rows: usize) -> Vec<Vec<char>> {
    let mut g = vec![vec![' '; cols]; rows];
    let (mut r, mut c) = (0usize, 0usize);
    let text = String::from_utf8_lossy(bytes);
    let mut it = text.chars().peekable();
    while let Some(ch) = it.next() {
        match ch {
            '\u{1b}' => match it.next() {
                Some('[') => {
                    let mut params = String::new();
                    let mut fin = '\0';
                    for x in it.by_ref() {
                        if ('@'..='~').contains(&x) {
                            fin = x;
                            break;
                        }
                        params.push(x);
                    }
                    if params.starts_with('?') || params.starts_with('>') {
                        continue;
                    }
                    let n: Vec<usize> = params.split(';').map(|p| p.parse().unwrap_or(0)).collect();
                    let arg = |i: usize, d: usize| match n.get(i) {
                        Some(&0) | None => d,
                        Some(&v) => v,
                    };
                    match fin {
                        'H' | 'f' => {
                            r = arg(0, 1).saturating_sub(1).min(rows - 1);
                            c = arg(1, 1).saturating_sub(1).min(cols - 1);
                        }
                        'A' => r = r.saturating_sub(arg(0, 1)),
                        'B' => r = (r + arg(0, 1)).min(rows - 1),
                        'C' => c = (c + arg(0, 1)).min(cols - 1),
                        'D' => c = c.saturating_sub(arg(0, 1)),
                        'G' => c = arg(0, 1).saturating_sub(1).min(cols - 1),
                        'd' => r = arg(0, 1).saturating_sub(1).min(rows - 1),
                        'J' => match n.first().copied().unwrap_or(0) {
                            0 => {
                                g[r][c..].iter_mut().for_each(|x| *x = ' ');
                                g[r + 1..].iter_mut().flatten().for_each(|x| *x = ' ');
                            }
                            1 => {
                                g[..r].iter_mut().flatten().for_each(|x| *x = ' ');
                                g[r][..=c].iter_mut().for_each(|x| *x = ' ');
                            }
                            _ => g.iter_mut().flatten().for_each(|x| *x = ' '),
                        },
                        'K' => match n.first().copied().unwrap_or(0) {
                            0 => g[r][c..].iter_mut().for_each(|x| *x = ' '),
                            1 => g[r][..=c].iter_mut().for_each(|x| *x = ' '),
                            _ => g[r].iter_mut().for_each(|x| *x = ' '),
                        },
                        'X' => {
                            let end = (c + arg(0, 1)).min(cols);
                            g[r][c..end].iter_mut().for_each(|x| *x = ' ');
                        }
                        _ => {}
                    }
                }
                Some(']') => {
                    // OSC: to BEL or ST.
                    while let Some(x) = it.next() {
                        if x == '\u{7}' {
                            break;
                        }
                        if x == '\u{1b}' {
                            it.next();
                            break;
                        }
                    }
                }
                _ => {}
            },
            '\r' => c = 0,
            '\n' => r = (r + 1).min(rows - 1),
            '\u{8}' => c = c.saturating_sub(1),
            x if x.is_control() => {}
            x => {
                g[r][c] = x;
                if c + 1 < cols {
                    c += 1;
                }
            }
        }
    }
    g
}

/// The grid as lines, trailing blanks trimmed.
pub fn text(g: &[Vec<char>]) -> String {
    g.iter()
        .map(|l| l.iter().collect::<String>().trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn positions_erases_and_prints() {
    let g = replay(
        b"\x1b[2J\x1b[2;3Hab\x1b[1;1Hxyz\x1b[1;2H\x1b[K\x1b[31mQ",
        6,
        3,
    );
    assert_eq!(text(&g), "xQ\n  ab\n");
}
