//! Device SPECs through the public API: the examples of the issue and of
//! contracts.md, and the fuzz corpus replayed through `fuzz_one`.

use scanstation::device::profile::Profiles;
use scanstation::device::spec::{self, parse_and_resolve, Protocol, Transport, UsbSelector};
use std::path::Path;

#[test]
fn every_documented_example_resolves() {
    let p = Profiles::builtin();
    let cases: &[(&str, Protocol, u32)] = &[
        (
            "serial:/dev/ttyUSB0?protocol=chafon&baud=57600",
            Protocol::Chafon,
            57_600,
        ),
        ("serial:/dev/ttyACM0?protocol=lines", Protocol::Lines, 9600),
        ("serial:/dev/rfcomm0?protocol=tsl", Protocol::Tsl, 115_200),
        (
            "serial:/dev/ttyUSB1?protocol=mercury",
            Protocol::Mercury,
            115_200,
        ),
        ("tcp:192.0.2.5:5084?protocol=llrp", Protocol::Llrp, 0),
        ("tcp:[2001:db8::5]:5084", Protocol::Llrp, 0),
        ("usb:0c2e:0b81", Protocol::HidKeyboard, 0),
        ("usb:1-1.2", Protocol::HidKeyboard, 0),
        ("folder:/srv/label-photos", Protocol::Images, 0),
        (
            "serial:/dev/pts/7?protocol=chafon",
            Protocol::Chafon,
            57_600,
        ),
        (
            "serial:/dev/scanstation/rfid-0?profile=chafon-uhfreader18",
            Protocol::Chafon,
            57_600,
        ),
    ];
    for (text, protocol, baud) in cases {
        let r = parse_and_resolve(text, &p).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!((r.protocol, r.baud), (*protocol, *baud), "{text}");
        assert_eq!(r.dedupe_ms, 1000, "{text}");
        // The display form is itself a SPEC that resolves to the same thing.
        assert_eq!(parse_and_resolve(&r.display, &p).as_ref(), Ok(&r), "{text}");
    }
}

#[test]
fn usb_serial_number_and_case() {
    let r = parse_and_resolve("usb:0C2E:0B81:AB12%2F3", &Profiles::builtin()).expect("ok");
    assert_eq!(
        r.transport,
        Transport::Usb(UsbSelector::Id {
            vid: 0x0c2e,
            pid: 0x0b81,
            serial: Some("AB12/3".into())
        })
    );
}

#[test]
fn fuzz_corpus_replays() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus/spec");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("fuzz/corpus/spec") {
        let path = entry.expect("entry").path();
        spec::fuzz_one(&std::fs::read(&path).expect("readable"));
        n += 1;
    }
    assert!(n >= 10, "{n} seeds");
}
