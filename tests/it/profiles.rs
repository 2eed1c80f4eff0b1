//! The shipped reader profiles: every file in devices/ is compiled in, loads,
//! and says what the station needs; user profiles add to and override them.

use scanstation::device::profile::{parse_profile, ProfileTransport, Profiles, BUILTIN};
use scanstation::device::spec::{parse_and_resolve, Protocol};
use std::path::Path;

fn shipped_files() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("devices");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("devices/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_string();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_file_in_devices_is_compiled_in_unchanged() {
    let files = shipped_files();
    let builtin: Vec<(String, String)> = BUILTIN
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect();
    assert_eq!(files, builtin, "devices/*.toml and profile::BUILTIN differ");
    assert!(files.len() >= 20, "{} profiles", files.len());
}

#[test]
fn every_shipped_profile_is_complete() {
    for (name, text) in shipped_files() {
        let p = parse_profile(&name, &text).unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.vendor.is_empty() && !p.model.is_empty(), "{name}");
        assert!(
            !p.notes.trim().is_empty(),
            "{name}: say what is known and what is not"
        );
        let protocol = p.protocol().unwrap_or_else(|| panic!("{name}: protocol"));
        for id in &p.usb_ids {
            assert_eq!(id.len(), 9, "{name}: {id}");
            assert!(
                id.chars()
                    .all(|c| c == ':' || c.is_ascii_digit() || ('a'..='f').contains(&c)),
                "{name}: {id} is not lowercase hex"
            );
        }
        match p.transport {
            ProfileTransport::Serial => {
                let s = p
                    .serial
                    .as_ref()
                    .unwrap_or_else(|| panic!("{name}: [serial]"));
                let baud = s.baud.unwrap_or_else(|| panic!("{name}: baud"));
                assert_eq!((s.data_bits, s.stop_bits), (8, 1), "{name}");
                if protocol != Protocol::Lines {
                    assert_eq!(baud, protocol.default_baud(), "{name}");
                }
            }
            ProfileTransport::UsbHidKeyboard | ProfileTransport::UsbHidPos => {
                assert!(!p.usb_ids.is_empty(), "{name}: a USB profile needs its ids")
            }
            ProfileTransport::Tcp => assert_eq!(protocol, Protocol::Llrp, "{name}"),
        }
    }
}

#[test]
fn the_issue_s_reader_families_are_all_there() {
    let p = Profiles::builtin();
    for name in [
        "honeywell-voyager-1400g-keyboard",
        "honeywell-voyager-1400g-hidpos",
        "honeywell-granit-hidpos",
        "zebra-symbol-keyboard",
        "zebra-symbol-snapi",
        "zebra-cdc-serial",
        "datalogic-gryphon-keyboard",
        "datalogic-gryphon-serial",
        "newland-keyboard",
        "newland-cdc",
        "newland-hidpos",
        "opticon-serial",
        "generic-cdc-acm-scanner",
        "chafon-uhfreader18",
        "tsl-1128",
        "tsl-1153",
        "tsl-1166",
        "thingmagic-mercury",
        "impinj-r700",
        "zebra-fx",
    ] {
        assert!(p.get(name).is_some(), "{name}");
    }
}

#[test]
fn no_usb_id_is_claimed_by_two_profiles() {
    let p = Profiles::builtin();
    let mut seen = std::collections::HashMap::new();
    for (name, prof) in p.iter() {
        for id in &prof.usb_ids {
            if let Some(other) = seen.insert(id.clone(), name.to_string()) {
                panic!("{id} is in both {other} and {name}");
            }
        }
    }
}

#[test]
fn usb_ids_resolve_to_their_profile() {
    let p = Profiles::builtin();
    for (name, prof) in p.iter() {
        for id in &prof.usb_ids {
            let r = parse_and_resolve(&format!("usb:{id}"), &p);
            if matches!(
                prof.transport,
                ProfileTransport::UsbHidKeyboard | ProfileTransport::UsbHidPos
            ) {
                let r = r.unwrap_or_else(|e| panic!("{id}: {e}"));
                assert_eq!(r.profile.as_deref(), Some(name), "{id}");
                assert_eq!(r.protocol, prof.protocol().expect("protocol"));
            } else {
                // A CDC scanner's USB id names a serial port, not something to claim.
                let e = r.expect_err("a serial profile on a usb: SPEC").to_string();
                assert!(e.contains("runs over serial"), "{e}");
            }
        }
    }
}

#[test]
fn user_profiles_add_and_override() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(
        dir.path().join("bench-gun.toml"),
        "vendor = \"Acme\"\nmodel = \"Gun\"\nusb_ids = [\"1234:abcd\"]\ntransport = \"usb-hid-pos\"\nprotocol = \"hid-pos\"\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("tsl-1128.toml"),
        "vendor = \"TSL\"\nmodel = \"1128 at the bench\"\ntransport = \"serial\"\nprotocol = \"tsl\"\n[serial]\nbaud = 9600\n[reader]\nsession = 2\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("README.txt"), "not a profile").expect("write");
    let mut p = Profiles::builtin();
    let before = p.len();
    p.add_dir(dir.path()).expect("loads");
    assert_eq!(p.len(), before + 1);
    let r = parse_and_resolve("usb:1234:ABCD", &p).expect("resolves");
    assert_eq!(
        (r.profile.as_deref(), r.protocol),
        (Some("bench-gun"), Protocol::HidPos)
    );
    let r = parse_and_resolve("serial:/dev/rfcomm0?profile=tsl-1128", &p).expect("resolves");
    assert_eq!((r.baud, r.session), (9600, Some(2)));

    std::fs::write(dir.path().join("broken.toml"), "vendor = 3\n").expect("write");
    let e = p.add_dir(dir.path()).expect_err("broken").to_string();
    assert!(e.contains("broken.toml"), "{e}");
    // A missing directory is no error: most stations have none.
    p.add_dir(&dir.path().join("absent")).expect("absent dir");
}

/// `(vid, pid)` of every rule line with both, and the lines themselves.
fn udev_lines() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("udev/70-scanstation.rules");
    std::fs::read_to_string(path)
        .expect("udev/70-scanstation.rules")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect()
}

fn has_id(line: &str, id: &str) -> bool {
    let (v, p) = id.split_once(':').expect("vid:pid");
    line.contains(&format!("{{idVendor}}==\"{v}\""))
        && line.contains(&format!("{{idProduct}}==\"{p}\""))
}

#[test]
fn udev_rules_never_make_a_device_world_accessible() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("udev/70-scanstation.rules"),
    )
    .expect("rules");
    // Commented-out examples count too: someone will uncomment them.
    let mut modes = 0;
    for line in text.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("MODE=") {
            let value: String = rest[i + 5..]
                .trim_start_matches('"')
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            let world = value.chars().last().and_then(|c| c.to_digit(8));
            assert_eq!(world, Some(0), "world bits in `{line}`");
            modes += 1;
            rest = &rest[i + 5..];
        }
        assert!(!line.contains("MODE+="), "{line}");
    }
    assert!(modes > 20, "{modes} MODE assignments");
}

#[test]
fn udev_rules_cover_the_profiles_and_hide_only_claimed_scanners() {
    let lines = udev_lines();
    for (name, prof) in Profiles::builtin().iter() {
        for id in &prof.usb_ids {
            let mine: Vec<&String> = lines.iter().filter(|l| has_id(l, id)).collect();
            let usb = mine.iter().any(|l| {
                l.contains("SUBSYSTEM==\"usb\"")
                    && l.contains("GROUP=\"scanstation\"")
                    && l.contains("TAG+=\"uaccess\"")
            });
            let tty = mine
                .iter()
                .any(|l| l.contains("SUBSYSTEM==\"tty\"") && l.contains("SYMLINK+=\"scanstation/"));
            let hidden = mine.iter().any(|l| l.contains("LIBINPUT_IGNORE_DEVICE"));
            match prof.transport {
                ProfileTransport::UsbHidPos => {
                    assert!(
                        usb && hidden,
                        "{name} {id}: usb access and hidden from libinput"
                    )
                }
                ProfileTransport::UsbHidKeyboard => {
                    assert!(usb, "{name} {id}: usb access");
                    assert!(
                        !hidden,
                        "{name} {id}: a keyboard wedge must stay an input device"
                    );
                }
                ProfileTransport::Serial => assert!(tty, "{name} {id}: tty rule with a symlink"),
                ProfileTransport::Tcp => {}
            }
        }
    }
    let hidden = lines
        .iter()
        .filter(|l| l.contains("LIBINPUT_IGNORE_DEVICE"))
        .count();
    let pos_ids: usize = Profiles::builtin()
        .iter()
        .filter(|(_, p)| p.transport == ProfileTransport::UsbHidPos)
        .map(|(_, p)| p.usb_ids.len())
        .sum();
    assert_eq!(
        hidden, pos_ids,
        "LIBINPUT_IGNORE_DEVICE only for HID POS ids"
    );
}
