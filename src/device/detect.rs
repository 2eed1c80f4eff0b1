//! Which readers are plugged in and what the station would do with each: the
//! USB devices and serial ports present, matched against the profiles.
//! `scanstation devices` prints it; a reader entry `auto` in the config (or
//! `--device auto`) runs every reader it finds a use for.
//!
//! The decisions (`usb_plan`, `serial_plan`) are pure; only [`detect`] looks
//! at the machine. Without USB access (a container, no udev rules) the USB
//! list is empty and the reason comes back beside the rows.

use super::profile::{Profile, ProfileTransport, Profiles};
use super::usb::{list_devices, UsbDeviceInfo};
use serde::Serialize;

/// The reader entry that stands for "every reader found".
pub const AUTO: &str = "auto";

/// One device or port found.
#[derive(Debug, Serialize, PartialEq)]
pub struct Row {
    /// `usb` or `serial`.
    pub kind: &'static str,
    /// The USB port path (`1-1.2`) or the serial device (`/dev/ttyACM0`).
    pub path: Option<String>,
    pub vid: Option<String>,
    pub pid: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
    pub profile: Option<String>,
    /// `claim` (HID POS over USB), `wedge` (left as a keyboard), `serial`
    /// (open the serial port), or `none`.
    pub action: &'static str,
    /// The protocol the station would speak, when it would open the device.
    pub protocol: Option<String>,
    /// A SPEC for `--device`, when there is a sensible one.
    pub spec: Option<String>,
    pub detail: String,
}

fn usb_row(d: &UsbDeviceInfo, profiles: &Profiles) -> Row {
    let profile = profiles.by_usb_id(d.vid, d.pid);
    let id = format!("usb:{:04x}:{:04x}", d.vid, d.pid);
    let (action, protocol, spec, detail) = usb_plan(&id, profile, d.hid_interfaces);
    Row {
        kind: "usb",
        path: d.port.clone(),
        vid: Some(format!("{:04x}", d.vid)),
        pid: Some(format!("{:04x}", d.pid)),
        manufacturer: d.manufacturer.clone(),
        product: d.product.clone(),
        serial: d.serial.clone(),
        profile: profile.map(|(n, _)| n.to_string()),
        action,
        protocol,
        spec,
        detail,
    }
}

type Plan = (&'static str, Option<String>, Option<String>, String);

/// Every USB device (hubs left out) and serial port present, with its plan;
/// and why USB could not be listed, if it could not.
pub fn detect(profiles: &Profiles) -> (Vec<Row>, Vec<String>) {
    let mut problems = Vec::new();
    let (usb, why) = list_devices();
    if let Some(why) = why {
        problems.push(format!("no USB access ({why}); listing serial ports only"));
    }
    let mut rows: Vec<Row> = usb
        .iter()
        .filter(|d| d.class != 9) // hubs
        .map(|d| usb_row(d, profiles))
        .collect();
    match tokio_serial::available_ports() {
        Ok(ports) => rows.extend(ports.iter().map(|p| serial_row(p, profiles))),
        Err(e) => problems.push(format!("cannot list serial ports: {e}")),
    }
    (rows, problems)
}

/// `specs` with every [`AUTO`] entry replaced by the SPECs of the readers
/// found that the station would open (claimed USB scanners, serial ports of a
/// known reader), leaving out any already named; and what got in the way.
pub fn expand_auto(specs: &[String], profiles: &Profiles) -> (Vec<String>, Vec<String>) {
    if !specs.iter().any(|s| s == AUTO) {
        return (specs.to_vec(), Vec::new());
    }
    let (rows, problems) = detect(profiles);
    (with_found(specs, &rows), problems)
}

/// The pure part of [`expand_auto`].
fn with_found(specs: &[String], rows: &[Row]) -> Vec<String> {
    let mut out: Vec<String> = specs.iter().filter(|s| *s != AUTO).cloned().collect();
    for spec in rows.iter().filter_map(|r| r.spec.as_ref()) {
        if !out.contains(spec) {
            out.push(spec.clone());
        }
    }
    out
}

/// What the station would do with a USB device (pure; unit-tested).
pub fn usb_plan(id: &str, profile: Option<(&str, &Profile)>, hid_interfaces: usize) -> Plan {
    match profile {
        Some((name, p)) => match p.transport {
            ProfileTransport::UsbHidPos => (
                "claim",
                Some(p.protocol.clone()),
                Some(id.to_string()),
                format!("claim over USB as HID POS ({} {})", p.vendor, p.model),
            ),
            ProfileTransport::UsbHidKeyboard => (
                "wedge",
                None,
                None,
                format!(
                    "leave as a keyboard wedge: its scans are typed into the terminal \
                     ({id}?protocol=hid-keyboard would claim it instead)"
                ),
            ),
            ProfileTransport::Serial => (
                "serial",
                Some(p.protocol.clone()),
                None,
                format!(
                    "a serial device: open its port (listed below) with protocol {} \
                     (profile {name})",
                    p.protocol
                ),
            ),
            ProfileTransport::Tcp => ("none", None, None, "a network reader".into()),
        },
        None if hid_interfaces > 0 => (
            "none",
            None,
            None,
            format!(
                "no profile: nothing (a HID device; {id}?protocol=hid-pos or \
                 ?protocol=hid-keyboard would claim it)"
            ),
        ),
        None => ("none", None, None, "no profile: nothing".into()),
    }
}

fn serial_row(p: &tokio_serial::SerialPortInfo, profiles: &Profiles) -> Row {
    let usb = match &p.port_type {
        tokio_serial::SerialPortType::UsbPort(u) => Some(u),
        _ => None,
    };
    let profile = usb
        .and_then(|u| profiles.by_usb_id(u.vid, u.pid))
        .filter(|(_, prof)| prof.transport == ProfileTransport::Serial);
    let (action, protocol, spec, detail) = serial_plan(&p.port_name, profile);
    Row {
        kind: "serial",
        path: Some(p.port_name.clone()),
        vid: usb.map(|u| format!("{:04x}", u.vid)),
        pid: usb.map(|u| format!("{:04x}", u.pid)),
        manufacturer: usb.and_then(|u| u.manufacturer.clone()),
        product: usb.and_then(|u| u.product.clone()),
        serial: usb.and_then(|u| u.serial_number.clone()),
        profile: profile.map(|(n, _)| n.to_string()),
        action,
        protocol,
        spec,
        detail,
    }
}

/// What the station would do with a serial port (pure; unit-tested).
pub fn serial_plan(path: &str, profile: Option<(&str, &Profile)>) -> Plan {
    match profile {
        Some((name, p)) => (
            "serial",
            Some(p.protocol.clone()),
            Some(format!("serial:{path}?profile={name}")),
            format!(
                "open serial with protocol {} ({} {})",
                p.protocol, p.vendor, p.model
            ),
        ),
        None => (
            "none",
            None,
            None,
            format!(
                "no profile: nothing (serial:{path}?protocol=lines|chafon|tsl|mercury \
                 or ?profile=NAME would open it)"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let p = Profiles::builtin();
        let pos = p.get("honeywell-voyager-1400g-hidpos");
        let (a, proto, spec, _) = usb_plan("usb:0c2e:0b8f", pos, 1);
        assert_eq!(
            (a, proto.as_deref(), spec.as_deref()),
            ("claim", Some("hid-pos"), Some("usb:0c2e:0b8f"))
        );
        let kb = p.get("zebra-symbol-keyboard");
        assert_eq!(usb_plan("usb:05e0:1200", kb, 1).0, "wedge");
        let cdc = p.get("zebra-cdc-serial");
        assert_eq!(usb_plan("usb:05e0:1701", cdc, 0).0, "serial");
        assert_eq!(usb_plan("usb:1234:5678", None, 1).0, "none");
        let (a, proto, spec, _) = serial_plan("/dev/ttyACM0", cdc);
        assert_eq!(
            (a, proto.as_deref(), spec.as_deref()),
            (
                "serial",
                Some("lines"),
                Some("serial:/dev/ttyACM0?profile=zebra-cdc-serial")
            )
        );
        assert_eq!(serial_plan("/dev/ttyS0", None).0, "none");
    }

    #[test]
    fn auto_adds_what_was_found_once() {
        let row = |spec: Option<&str>| Row {
            kind: "usb",
            path: None,
            vid: None,
            pid: None,
            manufacturer: None,
            product: None,
            serial: None,
            profile: None,
            action: "claim",
            protocol: None,
            spec: spec.map(Into::into),
            detail: String::new(),
        };
        let specs = vec!["usb:0c2e:0b8f".to_string(), AUTO.to_string()];
        let rows = [
            row(Some("usb:0c2e:0b8f")),
            row(None),
            row(Some("serial:/dev/ttyACM0?profile=x")),
        ];
        assert_eq!(
            with_found(&specs, &rows),
            ["usb:0c2e:0b8f", "serial:/dev/ttyACM0?profile=x"]
        );
        let none: [Row; 0] = [];
        assert!(with_found(&[AUTO.to_string()], &none).is_empty());
    }
}
