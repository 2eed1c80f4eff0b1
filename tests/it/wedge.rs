//! The keyboard-wedge assembler with timed key sequences: scanners from 1 ms
//! to 30 ms per character, typists from 35 to 120 ms, bursts interleaved with
//! typing, GS inside a scan, over-long bursts, prefix and suffix.

use proptest::prelude::*;
use scanstation::codec::wedge::{
    run_sequence, WedgeAssembler, WedgeKey, WedgeOutput, WedgeSettings, GS,
};
use std::time::{Duration, Instant};

fn key_of(c: char) -> WedgeKey {
    match c {
        '\n' => WedgeKey::Enter,
        '\t' => WedgeKey::Tab,
        '\u{1d}' => WedgeKey::Gs,
        c => WedgeKey::Char(c),
    }
}

/// `text` typed starting at `start` ms, one key every `every` ms.
fn timed(text: &str, start: u64, every: u64) -> Vec<(WedgeKey, u64)> {
    text.chars()
        .enumerate()
        .map(|(i, c)| (key_of(c), start + every * i as u64))
        .collect()
}

/// `text` with explicit gaps before each key after the first.
fn with_gaps(text: &str, start: u64, gaps: &[u64]) -> Vec<(WedgeKey, u64)> {
    let mut t = start;
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if i > 0 {
                t += gaps[(i - 1) % gaps.len()];
            }
            (key_of(c), t)
        })
        .collect()
}

/// The outputs as a readable list: `typed:abc⏎` runs and `scan:...` items.
fn describe(out: &[WedgeOutput]) -> Vec<String> {
    let mut v: Vec<String> = Vec::new();
    for o in out {
        match o {
            WedgeOutput::Scan { bytes, truncated } => v.push(format!(
                "scan:{}{}",
                String::from_utf8_lossy(bytes).replace('\u{1d}', "<GS>"),
                if *truncated { " (truncated)" } else { "" }
            )),
            WedgeOutput::Typed(k) => {
                let s = match k {
                    WedgeKey::Char(c) => c.to_string(),
                    WedgeKey::Enter => "⏎".into(),
                    WedgeKey::Tab => "⇥".into(),
                    WedgeKey::Gs => "<GS>".into(),
                    WedgeKey::Other => "<other>".into(),
                    WedgeKey::Byte(b) => format!("<{b:02x}>"),
                };
                match v.last_mut() {
                    Some(last) if last.starts_with("typed:") => last.push_str(&s),
                    _ => v.push(format!("typed:{s}")),
                }
            }
        }
    }
    v
}

fn run(keys: &[(WedgeKey, u64)]) -> Vec<String> {
    describe(&run_sequence(
        WedgeSettings::default(),
        Instant::now(),
        keys,
    ))
}

fn run_with(settings: WedgeSettings, keys: &[(WedgeKey, u64)]) -> Vec<String> {
    describe(&run_sequence(settings, Instant::now(), keys))
}

#[test]
fn scanners_from_1_to_30_ms_per_char_give_one_scan() {
    for every in [0, 1, 8, 16, 25, 30] {
        assert_eq!(
            run(&timed("A-1001\n", 0, every)),
            ["scan:A-1001"],
            "{every} ms per char"
        );
    }
}

#[test]
fn typists_from_35_to_120_ms_per_char_type() {
    for every in [35, 45, 60, 90, 120] {
        assert_eq!(
            run(&timed("A-1001\n", 0, every)),
            ["typed:A-1001⏎"],
            "{every} ms per char"
        );
    }
}

#[test]
fn a_fast_typist_with_uneven_rhythm_types() {
    // 60 ms on average, from 35 to 110 ms between keys.
    let keys = with_gaps("5CG1234XYZ lookup\n", 0, &[40, 35, 110, 60, 45, 80, 50]);
    assert_eq!(run(&keys), ["typed:5CG1234XYZ lookup⏎"]);
}

#[test]
fn a_scan_without_terminator_ends_after_the_silence() {
    let t0 = Instant::now();
    let ms = |n| t0 + Duration::from_millis(n);
    let mut w = WedgeAssembler::new(WedgeSettings::default());
    let mut out = Vec::new();
    for (k, at) in timed("SN998877", 0, 2) {
        out.extend(w.key(k, ms(at)));
    }
    assert!(
        out.is_empty(),
        "nothing is decided before the silence: {out:?}"
    );
    assert_eq!(w.deadline(), Some(ms(14 + 80)));
    assert!(w.tick(ms(14 + 79)).is_empty());
    assert_eq!(describe(&w.tick(ms(14 + 80))), ["scan:SN998877"]);
    assert!(w.is_idle());
}

#[test]
fn a_lone_key_is_held_at_most_twice_the_average_gap() {
    let t0 = Instant::now();
    let ms = |n| t0 + Duration::from_millis(n);
    let mut w = WedgeAssembler::new(WedgeSettings::default());
    assert!(w.key(WedgeKey::Char('x'), t0).is_empty());
    assert_eq!(w.deadline(), Some(ms(60)));
    assert!(w.tick(ms(59)).is_empty());
    assert_eq!(describe(&w.tick(ms(60))), ["typed:x"]);
    assert_eq!(w.deadline(), None);
}

#[test]
fn typing_then_a_scan_then_typing_stay_apart() {
    let mut keys = timed("abc", 0, 70);
    keys.extend(timed("LOC-B2.03\n", 300, 1));
    keys.extend(timed("xyz\n", 500, 60));
    assert_eq!(run(&keys), ["typed:abc", "scan:LOC-B2.03", "typed:xyz⏎"]);
}

#[test]
fn a_scan_right_after_a_typed_key_does_not_swallow_it() {
    // The last typed key is 40 ms before the scanner starts: too slow to
    // belong to the scan.
    let mut keys = timed("ab", 0, 60);
    keys.extend(timed("A-1001\n", 100, 1));
    assert_eq!(run(&keys), ["typed:ab", "scan:A-1001"]);
}

#[test]
fn a_key_typed_right_after_a_terminated_scan_is_typing() {
    let mut keys = timed("A-1001\n", 0, 1);
    keys.extend(timed("q", 16, 1));
    assert_eq!(run(&keys), ["scan:A-1001", "typed:q"]);
}

#[test]
fn two_scans_back_to_back() {
    let mut keys = timed("A-1001\n", 0, 1);
    keys.extend(timed("A-1002\n", 10, 1));
    assert_eq!(run(&keys), ["scan:A-1001", "scan:A-1002"]);
}

#[test]
fn gs_inside_a_scan_is_kept() {
    let data = "]C10109506000134352\u{1d}21ABC\n";
    let out = run_sequence(WedgeSettings::default(), Instant::now(), &timed(data, 0, 1));
    assert_eq!(
        out,
        [WedgeOutput::Scan {
            bytes: b"]C10109506000134352\x1d21ABC".to_vec(),
            truncated: false
        }]
    );
    assert!(matches!(&out[0], WedgeOutput::Scan { bytes, .. } if bytes.contains(&GS)));
}

#[test]
fn a_short_fast_burst_is_typing() {
    assert_eq!(run(&timed("ab1\n", 0, 1)), ["typed:ab1⏎"]);
    assert_eq!(run(&timed("ab1", 0, 1)), ["typed:ab1"]);
}

#[test]
fn an_over_long_burst_is_cut_and_the_rest_swallowed() {
    let long: String = std::iter::repeat_n('7', 10_000).collect();
    let mut keys = timed(&format!("{long}\n"), 0, 1);
    keys.extend(timed("ok", 10_020, 70));
    let out = run_sequence(WedgeSettings::default(), Instant::now(), &keys);
    let WedgeOutput::Scan { bytes, truncated } = &out[0] else {
        panic!("{out:?}")
    };
    assert_eq!(bytes.len(), 8 * 1024);
    assert!(truncated);
    assert_eq!(describe(&out[1..]), ["typed:ok"]);
}

#[test]
fn an_over_long_burst_without_enter_ends_with_silence() {
    let settings = WedgeSettings {
        max_bytes: 10,
        ..WedgeSettings::default()
    };
    let keys = timed("0123456789ABCDEF", 0, 1);
    assert_eq!(run_with(settings, &keys), ["scan:0123456789 (truncated)"]);
}

#[test]
fn multibyte_characters_are_never_split_at_the_cap() {
    let settings = WedgeSettings {
        max_bytes: 5,
        ..WedgeSettings::default()
    };
    let out = run_sequence(settings, Instant::now(), &timed("éééé\n", 0, 1));
    assert_eq!(
        out,
        [WedgeOutput::Scan {
            bytes: "éé".as_bytes().to_vec(),
            truncated: true
        }]
    );
}

#[test]
fn prefix_and_suffix_are_stripped_and_the_suffix_ends_the_scan() {
    let settings = WedgeSettings {
        prefix: "~".into(),
        suffix: "#".into(),
        ..WedgeSettings::default()
    };
    let mut keys = timed("~A-1001#", 0, 1);
    keys.extend(timed("~X1#", 10, 1));
    assert_eq!(run_with(settings, &keys), ["scan:A-1001", "scan:X1"]);
}

#[test]
fn a_configured_prefix_forces_a_scan_even_when_short_or_slow() {
    let settings = WedgeSettings {
        prefix: "\u{2}".into(),
        ..WedgeSettings::default()
    };
    // 45 ms per key: typing pace, but the scanner announced itself.
    let keys = timed("\u{2}A1\n", 0, 45);
    assert_eq!(run_with(settings.clone(), &keys), ["scan:A1"]);
    // Without the prefix the same keys are typing.
    assert_eq!(run_with(settings, &timed("A1\n", 0, 45)), ["typed:A1⏎"]);
}

#[test]
fn without_its_suffix_a_scan_still_ends_on_enter_or_silence() {
    let settings = WedgeSettings {
        suffix: "#".into(),
        ..WedgeSettings::default()
    };
    assert_eq!(
        run_with(settings.clone(), &timed("A-1001\n", 0, 1)),
        ["scan:A-1001"]
    );
    assert_eq!(run_with(settings, &timed("A-1001", 0, 1)), ["scan:A-1001"]);
}

#[test]
fn tab_ends_a_scan_and_other_keys_end_a_burst() {
    assert_eq!(run(&timed("A-1001\tzz", 0, 1)), ["scan:A-1001", "typed:zz"]);
    let mut keys = timed("ab", 0, 1);
    keys.push((WedgeKey::Other, 2));
    assert_eq!(run(&keys), ["typed:ab<other>"]);
    let mut keys = timed("A-1001", 0, 1);
    keys.push((WedgeKey::Other, 7));
    assert_eq!(run(&keys), ["scan:A-1001", "typed:<other>"]);
}

#[test]
fn a_scan_takes_every_key_until_the_silence() {
    // A key 70 ms after an unterminated scan still belongs to it (the end
    // silence is 80 ms); one 80 ms later starts a burst of its own.
    let mut keys = timed("A100", 0, 1);
    keys.push((WedgeKey::Char('z'), 73));
    assert_eq!(run(&keys), ["scan:A100z"]);
    let mut keys = timed("A100", 0, 1);
    keys.push((WedgeKey::Char('z'), 83));
    assert_eq!(run(&keys), ["scan:A100", "typed:z"]);
}

#[test]
fn a_slow_scanner_with_a_hiccup_is_not_split() {
    let keys = with_gaps("ABCDEFGHIJ\n", 0, &[30, 30, 30, 30, 70, 30, 30, 30, 30, 30]);
    assert_eq!(run(&keys), ["scan:ABCDEFGHIJ"]);
}

#[test]
fn a_scanner_hiccup_inside_a_scan_is_tolerated() {
    let keys = with_gaps("ABCDEFGHIJKL\n", 0, &[1, 1, 1, 1, 1, 70, 1, 1, 1, 1, 1, 1]);
    assert_eq!(run(&keys), ["scan:ABCDEFGHIJKL"]);
}

#[test]
fn instants_going_backwards_are_clamped() {
    let t0 = Instant::now() + Duration::from_secs(1);
    let mut w = WedgeAssembler::new(WedgeSettings::default());
    let mut out = Vec::new();
    out.extend(w.key(WedgeKey::Char('A'), t0));
    for c in "-1001".chars() {
        out.extend(w.key(WedgeKey::Char(c), t0 - Duration::from_millis(5)));
    }
    out.extend(w.key(WedgeKey::Enter, t0));
    assert_eq!(describe(&out), ["scan:A-1001"]);
}

#[test]
fn control_bytes_and_bytes_that_are_not_utf8_are_kept_in_order() {
    // An ISO/IEC 15434 envelope: RS, GS, EOT are data; Enter ends it.
    let mut keys: Vec<(WedgeKey, u64)> = "[)>\u{1e}06\u{1d}1PX\u{1d}SY\u{1e}\u{4}"
        .chars()
        .map(|c| (key_of(c), 0))
        .collect();
    keys.push((WedgeKey::Byte(0xff), 0));
    keys.push((WedgeKey::Char('\u{1b}'), 0));
    keys.push((WedgeKey::Enter, 0));
    let out = run_sequence(WedgeSettings::default(), Instant::now(), &keys);
    assert_eq!(
        out,
        [WedgeOutput::Scan {
            bytes: b"[)>\x1e06\x1d1PX\x1dSY\x1e\x04\xff\x1b".to_vec(),
            truncated: false
        }]
    );
}

#[test]
fn a_split_character_comes_out_whole_and_bytes_count_against_the_cap() {
    let settings = WedgeSettings {
        max_bytes: 6,
        ..WedgeSettings::default()
    };
    // "ABé" with é's two bytes fed apart (a read split inside it), then more.
    let keys = [
        (WedgeKey::Char('A'), 0),
        (WedgeKey::Char('B'), 0),
        (WedgeKey::Byte(0xc3), 0),
        (WedgeKey::Byte(0xa9), 0),
        (WedgeKey::Char('C'), 0),
        (WedgeKey::Byte(0x80), 0),
        (WedgeKey::Char('D'), 0),
        (WedgeKey::Enter, 0),
    ];
    let out = run_sequence(settings, Instant::now(), &keys);
    assert_eq!(
        out,
        [WedgeOutput::Scan {
            bytes: b"AB\xc3\xa9C\x80".to_vec(),
            truncated: true
        }]
    );
}

#[test]
fn a_burst_continues_while_a_scan_is_open_or_keys_are_held_at_a_scan_pace() {
    let t0 = Instant::now();
    let ms = |n| t0 + Duration::from_millis(n);
    let mut w = WedgeAssembler::new(WedgeSettings::default());
    assert!(!w.continues_burst(ms(0)), "nothing going on");
    w.key(WedgeKey::Char('A'), ms(0));
    assert!(w.continues_burst(ms(30)), "held, at the scan pace");
    assert!(!w.continues_burst(ms(31)), "held, slower than a scanner");
    for c in "BCD".chars() {
        w.key(WedgeKey::Char(c), ms(1));
    }
    assert!(w.is_scanning());
    assert!(w.continues_burst(ms(80)), "within the silence");
    assert!(!w.continues_burst(ms(81)), "after the silence");
    w.key(WedgeKey::Enter, ms(2));
    assert!(!w.continues_burst(ms(2)), "the scan ended");
    assert!(w.is_idle());
}

fn arb_key() -> impl Strategy<Value = WedgeKey> {
    prop_oneof![
        8 => proptest::char::range('!', '~').prop_map(WedgeKey::Char),
        1 => Just(WedgeKey::Enter),
        1 => Just(WedgeKey::Gs),
        1 => (0x80u8..=0xff).prop_map(WedgeKey::Byte),
        1 => prop_oneof![Just('\u{1}'), Just('\u{4}'), Just('\u{1b}'), Just('\u{1e}')]
            .prop_map(WedgeKey::Char),
    ]
}

proptest! {
    /// Whatever the timing, no character is lost or reordered: each one comes
    /// out once, typed or inside a scan.
    #[test]
    fn every_character_comes_out_once_in_order(
        keys in proptest::collection::vec((arb_key(), 0u64..150), 0..80)
    ) {
        let mut t = 0;
        let timed: Vec<(WedgeKey, u64)> = keys.iter().map(|(k, gap)| { t += gap; (*k, t) }).collect();
        let out = run_sequence(WedgeSettings::default(), Instant::now(), &timed);
        // Bytes, not characters: control characters and bytes that are not
        // UTF-8 are data too.
        let bytes_of = |k: &WedgeKey, out: &mut Vec<u8>| match k {
            WedgeKey::Char(c) => out.extend_from_slice(c.to_string().as_bytes()),
            WedgeKey::Gs => out.push(GS),
            WedgeKey::Byte(b) => out.push(*b),
            _ => {}
        };
        let mut input = Vec::new();
        for (k, _) in &timed {
            bytes_of(k, &mut input);
        }
        let mut output = Vec::new();
        for o in &out {
            match o {
                WedgeOutput::Scan { bytes, truncated } => {
                    prop_assert!(!truncated);
                    prop_assert!(bytes.len() >= 4);
                    output.extend_from_slice(bytes);
                }
                WedgeOutput::Typed(k) => bytes_of(k, &mut output),
            }
        }
        prop_assert_eq!(output, input);
    }

    /// A person whose keys are all more than the scan pace apart never makes a scan.
    #[test]
    fn typing_slower_than_the_scan_pace_is_never_a_scan(
        keys in proptest::collection::vec((arb_key(), 31u64..400), 0..80)
    ) {
        let mut t = 0;
        let timed: Vec<(WedgeKey, u64)> = keys.iter().map(|(k, gap)| { t += gap; (*k, t) }).collect();
        let out = run_sequence(WedgeSettings::default(), Instant::now(), &timed);
        prop_assert_eq!(out.len(), timed.len());
        prop_assert!(out.iter().all(|o| matches!(o, WedgeOutput::Typed(_))));
    }

    /// A scanner burst (≥ 4 characters, ≤ 30 ms apart, Enter) between stretches
    /// of typing comes out as exactly one scan, with no typed key inside it.
    #[test]
    fn a_scan_amid_typing_comes_out_whole(
        code in "[A-Z0-9\\-]{4,40}",
        every in 0u64..=30,
        before in "[a-z]{0,5}",
        after in "[a-z]{0,5}",
    ) {
        let mut keys = timed(&before, 0, 70);
        let start = 70 * before.len() as u64 + 61;
        keys.extend(timed(&format!("{code}\n"), start, every));
        let end = start + every * (code.len() as u64 + 1);
        keys.extend(timed(&after, end + 61, 70));
        let out = run_sequence(WedgeSettings::default(), Instant::now(), &keys);
        let scans: Vec<_> = out.iter().filter(|o| matches!(o, WedgeOutput::Scan { .. })).cloned().collect();
        prop_assert_eq!(scans, vec![WedgeOutput::Scan { bytes: code.into_bytes(), truncated: false }]);
        let typed: String = out.iter().filter_map(|o| match o {
            WedgeOutput::Typed(WedgeKey::Char(c)) => Some(*c),
            _ => None,
        }).collect();
        prop_assert_eq!(typed, format!("{before}{after}"));
    }
}
