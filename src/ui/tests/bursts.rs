//! Reads of the terminal fed to the App as bytes with explicit instants: a
//! burst becomes exactly its scans, in order, whatever bytes it holds and
//! however the kernel split it; a key pressed on its own is a key.

use super::keys::scans;
use super::*;
use proptest::prelude::*;

impl Harness {
    /// One read of the terminal that returned `bytes` at `ms`.
    fn read(&mut self, bytes: &[u8], ms: u64) {
        let at = self.at(ms);
        self.app.terminal_bytes(bytes, at);
    }

    /// `bytes` one read per byte, `every` ms apart, from `start`.
    fn read_bytewise(&mut self, bytes: &[u8], start: u64, every: u64) -> u64 {
        let mut t = start;
        for b in bytes {
            self.read(&[*b], t);
            t += every;
        }
        t
    }

    fn commands(inputs: &[Input]) -> Vec<Command> {
        inputs
            .iter()
            .filter_map(|i| match i {
                Input::Command(c) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }
}

fn wedge(code: &[u8]) -> (Source, Vec<u8>, bool) {
    (Source::Wedge, code.to_vec(), false)
}

#[test]
fn many_tags_in_one_read_are_each_a_scan_in_order() {
    let mut h = Harness::new();
    let tags: Vec<String> = (1..=900).map(|i| format!("IT-{i:05}")).collect();
    let burst: String = tags.iter().map(|t| format!("{t}\r")).collect();
    h.read(burst.as_bytes(), 0);
    let got = scans(&h.inputs());
    let want: Vec<_> = tags.iter().map(|t| wedge(t.as_bytes())).collect();
    assert_eq!(got, want);
    assert!(h.app.deadline().is_none(), "nothing held back");
}

#[test]
fn an_over_long_scan_is_cut_and_nothing_leaks_into_the_next() {
    let mut h = Harness::new();
    let mut burst = vec![b'X'; 9 * 1024];
    burst.extend_from_slice(b"\rIT-00001\r");
    // The kernel hands it over in pieces of 4095 bytes, microseconds apart.
    for (i, piece) in burst.chunks(4095).enumerate() {
        h.read(piece, i as u64);
    }
    let got = scans(&h.inputs());
    assert_eq!(
        got.len(),
        2,
        "{:?}",
        got.iter().map(|s| s.1.len()).collect::<Vec<_>>()
    );
    assert_eq!(got[0].1, vec![b'X'; MAX_SCAN_BYTES]);
    assert!(got[0].2, "marked truncated");
    assert_eq!(got[1], wedge(b"IT-00001"), "not glued to the cut one");
}

#[test]
fn an_iso_15434_envelope_is_one_scan_with_rs_and_eot() {
    let envelope = b"[)>\x1e06\x1d1PLAT-7440\x1dS5CG1234XYZ\x1e\x04";
    let mut h = Harness::new();
    let mut burst = envelope.to_vec();
    burst.push(b'\r');
    h.read(&burst, 0);
    assert_eq!(scans(&h.inputs()), [wedge(envelope)]);
    // Typed by a wedge one key per read, 2 ms apart: the same scan.
    let end = h.read_bytewise(&burst, 100, 2);
    h.tick(end + 200);
    let inputs = h.inputs();
    assert_eq!(scans(&inputs), [wedge(envelope)]);
    assert_eq!(inputs.len(), 1, "{inputs:?}");
    assert_eq!(h.app.field(), "");
}

#[test]
fn soh_inside_a_burst_does_not_split_it() {
    let mut h = Harness::new();
    h.read(b"AB\x01CD-1234\r", 0);
    assert_eq!(scans(&h.inputs()), [wedge(b"AB\x01CD-1234")]);
    // One byte per read at a scanner's pace: the same.
    let end = h.read_bytewise(b"AB\x01CD-1234\r", 100, 3);
    h.tick(end + 200);
    assert_eq!(scans(&h.inputs()), [wedge(b"AB\x01CD-1234")]);
}

#[test]
fn esc_o_s_inside_a_burst_is_data_never_f4() {
    let mut h = Harness::new();
    h.read(b"ABC\x1bOSDEF\r", 0);
    // Split by the kernel right after the ESC, and as a read of its own in
    // the middle of a scan.
    h.read(b"GHI\x1b", 100);
    h.read(b"OSJ\r", 100);
    h.read(b"KLMN", 200);
    h.read(b"\x1bOS", 201);
    h.read(b"OP\r", 202);
    let inputs = h.inputs();
    assert_eq!(
        scans(&inputs),
        [
            wedge(b"ABC\x1bOSDEF"),
            wedge(b"GHI\x1bOSJ"),
            wedge(b"KLMN\x1bOSOP")
        ]
    );
    assert!(Harness::commands(&inputs).is_empty(), "{inputs:?}");
}

#[test]
fn a_function_key_on_its_own_or_after_the_scans_of_a_read_is_a_key() {
    let mut h = Harness::new();
    h.read(b"\x1bOS", 0);
    assert_eq!(h.inputs(), [Input::Command(Command::Mode(Mode::Wipe))]);
    // F3 pressed right behind a scanner's burst, in the same read: the scan
    // first, then the key.
    h.read(b"A-1001\r\x1b[13~", 1000);
    assert_eq!(
        h.inputs(),
        [
            Input::Scan(crate::input::Scan::new(Source::Wedge, "A-1001", wall())),
            Input::Command(Command::Mode(Mode::Receive))
        ]
    );
    // F10 after a long burst quits, once its scans are sent.
    let burst: String = (1..=500).map(|i| format!("IT-{i:05}\r")).collect();
    h.read(burst.as_bytes(), 2000);
    h.read(b"\x1b[21~", 2001);
    assert_eq!(scans(&h.inputs()).len(), 500);
    assert!(h.app.should_quit());
}

#[test]
fn a_function_key_while_a_scan_has_no_terminator_yet_is_data() {
    let mut h = Harness::new();
    // A scanner that ends its codes with silence, not Enter.
    h.read(b"SN-998877", 0);
    h.read(b"\x1b[21~", 5);
    h.tick(200);
    assert_eq!(scans(&h.inputs()), [wedge(b"SN-998877\x1b[21~")]);
    assert!(!h.app.should_quit());
    // After the silence, F10 is F10.
    h.read(b"\x1b[21~", 300);
    assert!(h.app.should_quit());
}

#[test]
fn bytes_that_are_not_utf8_stay_exact() {
    let mut h = Harness::new();
    h.read(b"AB\xff\xfeCD\r", 0);
    assert_eq!(scans(&h.inputs()), [wedge(b"AB\xff\xfeCD")]);
    // A character split across two reads comes out whole.
    h.read("Grüße-".as_bytes().split_at(3).0, 100);
    h.read("Grüße-".as_bytes().split_at(3).1, 100);
    h.read(b"1\r", 100);
    assert_eq!(scans(&h.inputs()), [wedge("Grüße-1".as_bytes())]);
}

#[test]
fn typing_stays_typing() {
    let mut h = Harness::new();
    // One key per read, a person's pace; Backspace and Esc work.
    h.read(b"l", 0);
    h.read(b"a", 150);
    h.read(b"x", 300);
    h.read(b"\x7f", 450);
    h.read(b"p", 600);
    h.tick(800);
    assert_eq!(h.app.field(), "lap");
    h.read(b"\r", 900);
    assert_eq!(
        scans(&h.inputs()),
        [(Source::Typed, b"lap".to_vec(), false)]
    );
    h.read(b"zz", 1000);
    h.read(b"\x1b", 1200);
    assert_eq!(h.app.field(), "", "Esc clears the field");
    // A fast typist's Backspace right after a key is still Backspace.
    h.read(b"q", 1300);
    h.read(b"w", 1310);
    h.read(b"\x7f", 1320);
    h.tick(1500);
    assert_eq!(h.app.field(), "q");
    // Ctrl+L on its own signs out; inside a burst it is data.
    h.read(b"\x0c", 2000);
    assert_eq!(h.inputs(), [Input::Command(Command::SignOut)]);
    h.read(b"AB\x0cCD\r", 3000);
    assert_eq!(scans(&h.inputs()), [wedge(b"AB\x0cCD")]);
}

#[test]
fn quitting_on_a_signal_sends_the_scan_in_progress() {
    let mut h = Harness::new();
    h.read(b"SN-12345", 0);
    h.app.update(UiEvent::Quit, h.at(1));
    assert_eq!(scans(&h.inputs()), [wedge(b"SN-12345")]);
    assert!(h.app.should_quit());
}

/// The scans a burst becomes, fed in the given pieces `gap_us` apart.
fn scans_of_pieces(burst: &[u8], cuts: &[usize], gap_us: u64) -> Vec<(Source, Vec<u8>, bool)> {
    let mut h = Harness::new();
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (burst.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut start = 0;
    let mut t = h.t0;
    for cut in cuts.into_iter().chain([burst.len()]) {
        if cut > start {
            h.app.terminal_bytes(&burst[start..cut], t);
            t += Duration::from_micros(gap_us);
        }
        start = cut;
    }
    h.app.tick(t + Duration::from_secs(1));
    scans(&h.inputs())
}

proptest! {
    #[test]
    fn a_burst_is_the_same_scans_however_the_kernel_splits_it(
        codes in proptest::collection::vec(
            (
                // What a code starts with: an ESC there, alone in a read
                // after a finished scan, is the Esc key (see app.rs).
                prop_oneof![
                    4 => b'0'..=b'z',
                    1 => Just(0x1du8), 1 => Just(0x1e), 1 => Just(0x01), 1 => Just(0xc3),
                ],
                // Then at least min_chars keys whatever the split: a scan.
                proptest::collection::vec(b'A'..=b'Z', 3),
                proptest::collection::vec(
                    prop_oneof![
                        4 => b'0'..=b'z',
                        1 => Just(0x1bu8), 1 => Just(0x1d), 1 => Just(0x1e), 1 => Just(0x04),
                        1 => Just(0x01), 1 => Just(0xc3), 1 => Just(0xa9), 1 => Just(b'O'),
                        1 => Just(b'['), 1 => Just(b'~'),
                    ],
                    0..40,
                ),
            )
                .prop_map(|(first, alnum, rest)| [vec![first], alnum, rest].concat()),
            1..12,
        ),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        gap_us in 0u64..2000,
    ) {
        let burst: Vec<u8> = codes.iter().flat_map(|c| c.iter().copied().chain([b'\r'])).collect();
        let want: Vec<_> = codes.iter().map(|c| wedge(c)).collect();
        prop_assert_eq!(scans_of_pieces(&burst, &cuts, gap_us), want);
    }
}
