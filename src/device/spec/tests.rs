use super::*;

fn ok(s: &str) -> ResolvedSpec {
    match parse_and_resolve(s, &Profiles::builtin()) {
        Ok(r) => r,
        Err(e) => panic!("{s}: {e}"),
    }
}

fn err(s: &str) -> String {
    match parse_and_resolve(s, &Profiles::builtin()) {
        Ok(r) => panic!("{s} was accepted as {r:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn issue_examples() {
    let r = ok("serial:/dev/ttyUSB0?protocol=chafon&baud=57600");
    assert_eq!(r.transport, Transport::Serial("/dev/ttyUSB0".into()));
    assert_eq!(
        (r.protocol, r.baud, r.dedupe_ms),
        (Protocol::Chafon, 57_600, 1000)
    );
    assert_eq!(r.display, "serial:/dev/ttyUSB0?protocol=chafon&baud=57600");

    let r = ok("serial:/dev/ttyACM0?protocol=lines");
    assert_eq!((r.protocol, r.baud), (Protocol::Lines, 9600));
    let r = ok("serial:/dev/rfcomm0?protocol=tsl");
    assert_eq!((r.protocol, r.baud), (Protocol::Tsl, 115_200));
    let r = ok("serial:/dev/ttyUSB1?protocol=mercury");
    assert_eq!((r.protocol, r.baud), (Protocol::Mercury, 115_200));

    let r = ok("tcp:192.0.2.5:5084?protocol=llrp");
    assert_eq!(
        r.transport,
        Transport::Tcp {
            host: "192.0.2.5".into(),
            port: 5084
        }
    );
    assert_eq!((r.protocol, r.baud), (Protocol::Llrp, 0));

    let r = ok("usb:0c2e:0b81");
    assert_eq!(
        r.transport,
        Transport::Usb(UsbSelector::Id {
            vid: 0x0c2e,
            pid: 0x0b81,
            serial: None
        })
    );
    assert_eq!(
        r.profile.as_deref(),
        Some("honeywell-voyager-1400g-keyboard")
    );
    assert_eq!(r.protocol, Protocol::HidKeyboard);

    let r = ok("folder:/srv/label-photos");
    assert_eq!(r.transport, Transport::Folder("/srv/label-photos".into()));
    assert_eq!(r.protocol, Protocol::Images);
    assert_eq!(r.display, "folder:/srv/label-photos?protocol=images");
}

#[test]
fn contract_examples() {
    let r = ok("tcp:[2001:db8::5]:5084");
    assert_eq!(
        r.transport,
        Transport::Tcp {
            host: "2001:db8::5".into(),
            port: 5084
        }
    );
    assert_eq!(r.display, "tcp:[2001:db8::5]:5084?protocol=llrp");

    let r = ok("usb:1-1.2");
    assert_eq!(
        r.transport,
        Transport::Usb(UsbSelector::Port("1-1.2".into()))
    );
    assert_eq!(r.protocol, Protocol::HidKeyboard);

    let r = ok("usb:0C2E:0B8F:21093B0456");
    assert_eq!(
        r.transport,
        Transport::Usb(UsbSelector::Id {
            vid: 0x0c2e,
            pid: 0x0b8f,
            serial: Some("21093B0456".into())
        })
    );
    assert_eq!(r.protocol, Protocol::HidPos);
    assert_eq!(
        r.display,
        "usb:0c2e:0b8f:21093B0456?protocol=hid-pos&profile=honeywell-voyager-1400g-hidpos"
    );

    let r = ok("serial:/dev/pts/7?protocol=chafon");
    assert_eq!(r.display, "serial:/dev/pts/7?protocol=chafon");
    let r = ok("serial:/dev/scanstation/rfid-0?profile=chafon-uhfreader18");
    assert_eq!((r.protocol, r.baud), (Protocol::Chafon, 57_600));
    assert_eq!(r.profile.as_deref(), Some("chafon-uhfreader18"));
    let r = ok("usb:0c2e:0b81?protocol=hid-pos");
    assert_eq!(
        r.protocol,
        Protocol::HidPos,
        "an explicit key beats the profile"
    );
}

#[test]
fn every_key() {
    let r = ok("tcp:reader.local?protocol=llrp&dedupe_ms=250&rssi_min=-70.5&per_antenna=true&power_dbm=30&session=2&keepalive_ms=10000");
    assert_eq!(
        r.transport,
        Transport::Tcp {
            host: "reader.local".into(),
            port: LLRP_PORT
        }
    );
    assert_eq!(r.dedupe_ms, 250);
    assert_eq!(r.rssi_min, Some(-70.5));
    assert!(r.per_antenna);
    assert_eq!((r.power_dbm, r.session), (Some(30), Some(2)));
    assert_eq!(r.keepalive_ms, Some(10_000));
    assert_eq!(
        r.display,
        "tcp:reader.local:5084?protocol=llrp&dedupe_ms=250&rssi_min=-70.5&per_antenna=true&power_dbm=30&session=2&keepalive_ms=10000"
    );
    let opts = crate::device::llrp::LlrpOptions::for_spec(&r);
    assert_eq!(opts.keepalive, std::time::Duration::from_secs(10));
    let default = crate::device::llrp::LlrpOptions::for_spec(&ok("tcp:reader.local"));
    assert_eq!(default.keepalive, crate::device::llrp::DEFAULT_KEEPALIVE);
    assert_eq!(ok("tcp:reader.local?keepalive_ms=0").keepalive_ms, Some(0));
}

#[test]
fn profile_values_fill_unset_keys_and_keys_win() {
    let r = ok("serial:/dev/rfcomm0?profile=tsl-1128");
    assert_eq!(
        (r.protocol, r.baud, r.session),
        (Protocol::Tsl, 115_200, Some(1))
    );
    let r = ok("serial:/dev/rfcomm0?profile=tsl-1128&session=3&baud=9600");
    assert_eq!((r.baud, r.session), (9600, Some(3)));
    let r = ok("tcp:10.0.0.9?profile=impinj-r700");
    assert_eq!((r.protocol, r.session), (Protocol::Llrp, Some(1)));
}

#[test]
fn percent_decoding() {
    let r = ok("serial:/dev/serial/by-id/usb-Foo%20Bar-if00?protocol=lines");
    assert_eq!(
        r.transport,
        Transport::Serial("/dev/serial/by-id/usb-Foo Bar-if00".into())
    );
    assert_eq!(
        r.display,
        "serial:/dev/serial/by-id/usb-Foo%20Bar-if00?protocol=lines"
    );
    let r = ok("folder:/srv/a%3Fb%26c?protocol=images");
    assert_eq!(r.transport, Transport::Folder("/srv/a?b&c".into()));
    let r = ok("serial:/dev/x?%70rotocol=t%73l");
    assert_eq!(r.protocol, Protocol::Tsl);
    assert!(err("serial:/dev/x%2").contains("percent"));
    assert!(err("serial:/dev/x%zz").contains("percent"));
    assert!(err("serial:/dev/x%ff").contains("percent"), "not UTF-8");
}

#[test]
fn clear_errors() {
    assert!(err("").contains("empty"));
    assert!(err("/dev/ttyUSB0").contains("TRANSPORT:ADDRESS"));
    assert!(err("bluetooth:00:11").contains("unknown transport `bluetooth`"));
    assert!(err("serial:").contains("address is empty"));
    assert!(err("serial:?protocol=lines").contains("address is empty"));
    assert!(err("serial:/dev/x?speed=9600").contains("unknown key `speed`"));
    assert!(err("serial:/dev/x?baud").contains("not KEY=VALUE"));
    assert!(err("serial:/dev/x?baud=fast").contains("bad value `fast` for `baud`"));
    assert!(err("serial:/dev/x?baud=0").contains("`baud`"));
    assert!(err("serial:/dev/x?baud=9600&baud=9600").contains("twice"));
    assert!(err("serial:/dev/x?protocol=zigbee").contains("bad value `zigbee` for `protocol`"));
    assert!(err("serial:/dev/x?per_antenna=yes").contains("true or false"));
    assert!(err("serial:/dev/x?session=4").contains("`session`"));
    assert!(err("tcp:r?keepalive_ms=50").contains("`keepalive_ms`"));
    assert!(err("tcp:r?keepalive_ms=-1").contains("from 1000 to 3600000"));
    assert!(err("serial:/dev/x?power_dbm=40").contains("`power_dbm`"));
    assert!(err("serial:/dev/x?rssi_min=NaN").contains("`rssi_min`"));
    assert!(err("serial:/dev/x?dedupe_ms=-1").contains("`dedupe_ms`"));
    assert!(err("tcp:2001:db8::5:5084").contains("brackets"));
    assert!(err("tcp:[2001:db8::5:5084").contains("`]`"));
    assert!(err("tcp:[not:v6]:5084").contains("not an IPv6"));
    assert!(err("tcp:host:0").contains("port"));
    assert!(err("tcp:host:99999").contains("port"));
    assert!(err("tcp::5084").contains("host is empty"));
    assert!(err("usb:0c2e").contains("VID:PID"));
    assert!(err("usb:0c2e:xyz").contains("VID:PID"));
    assert!(err("usb:10c2e:0b81").contains("VID:PID"));
    assert!(err("usb:0c2e:0b81:").contains("serial number is empty"));
    assert!(err("serial:/dev/x?protocol=llrp").contains("runs over tcp"));
    assert!(err("usb:0c2e:0b81?protocol=chafon").contains("runs over serial"));
    let e = err("serial:/dev/x?profile=tsl-1129");
    assert!(
        e.contains("unknown profile `tsl-1129`") && e.contains("tsl-1128"),
        "{e}"
    );
}

#[test]
fn defaults_without_protocol() {
    assert_eq!(ok("serial:/dev/ttyACM0").protocol, Protocol::Lines);
    assert_eq!(ok("tcp:192.0.2.5").protocol, Protocol::Llrp);
    assert_eq!(ok("usb:1234:5678").protocol, Protocol::HidKeyboard);
    assert_eq!(ok("usb:1234:5678").profile, None);
    assert_eq!(ok("serial:/dev/ttyACM0").dedupe_ms, DEFAULT_DEDUPE_MS);
}

#[test]
fn display_round_trips() {
    for s in [
        "serial:/dev/ttyUSB0?protocol=chafon&baud=57600",
        "usb:0C2E:0B8F:AB%3Acd",
        "tcp:[::1]",
        "folder:/tmp/with space",
        "serial:/dev/x?rssi_min=-61.25&per_antenna=false&profile=chafon-uhfreader18",
    ] {
        let r = ok(s);
        assert_eq!(ok(&r.display), r, "{s} -> {}", r.display);
    }
}

#[test]
fn fuzz_one_survives_noise() {
    for s in [
        &b"usb:\xff\xfe"[..],
        b"tcp:[",
        b"tcp:[]:",
        b"serial:%",
        b"serial:/x?&&&=&",
        b"usb:1-",
        b"usb:-1",
        b"folder:%00",
    ] {
        fuzz_one(s);
    }
}

#[test]
fn a_display_longer_than_the_limit_is_not_a_fuzz_failure() {
    let long = format!("serial:/{}", " ".repeat(MAX_SPEC_LEN - 40));
    assert!(parse(&format!("{long}?protocol=lines")).is_ok());
    fuzz_one(format!("{long}?protocol=lines").as_bytes());
}
