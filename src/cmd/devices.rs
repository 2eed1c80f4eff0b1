//! `scanstation devices [--json]`: the USB devices and serial ports present,
//! the profile each matches, and what the station would do with it.
//!
//! Works without USB access (a container, no udev rules): the USB list is then
//! empty and the reason goes to stderr; the exit code stays 0.

use scanstation::device::profile::{Profile, ProfileTransport, Profiles};
use scanstation::device::usb::{list_devices, UsbDeviceInfo};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

/// One line of output.
#[derive(Debug, Serialize, PartialEq)]
struct Row {
    /// `usb` or `serial`.
    kind: &'static str,
    /// The USB port path (`1-1.2`) or the serial device (`/dev/ttyACM0`).
    path: Option<String>,
    vid: Option<String>,
    pid: Option<String>,
    manufacturer: Option<String>,
    product: Option<String>,
    serial: Option<String>,
    profile: Option<String>,
    /// `claim` (HID POS over USB), `wedge` (left as a keyboard), `serial`
    /// (open the serial port), or `none`.
    action: &'static str,
    /// The protocol the station would speak, when it would open the device.
    protocol: Option<String>,
    /// A SPEC for `--device`, when there is a sensible one.
    spec: Option<String>,
    detail: String,
}

pub fn run(_ctx: &super::Ctx, args: &crate::cli::DevicesArgs) -> anyhow::Result<ExitCode> {
    let profiles = Profiles::load()?;
    let (usb, why) = list_devices();
    if let Some(why) = why {
        eprintln!("scanstation: no USB access ({why}); listing serial ports only");
    }
    let mut rows: Vec<Row> = usb
        .iter()
        .filter(|d| d.class != 9) // hubs
        .map(|d| usb_row(d, &profiles))
        .collect();
    match tokio_serial::available_ports() {
        Ok(ports) => rows.extend(ports.iter().map(|p| serial_row(p, &profiles))),
        Err(e) => eprintln!("scanstation: cannot list serial ports: {e}"),
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        for row in &rows {
            writeln!(out, "{}", serde_json::to_string(row)?)?;
        }
    } else if rows.is_empty() {
        writeln!(out, "no USB devices or serial ports found")?;
    } else {
        for row in &rows {
            writeln!(out, "{}", human(row))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn human(row: &Row) -> String {
    let id = match (&row.vid, &row.pid) {
        (Some(v), Some(p)) => format!(" {v}:{p}"),
        _ => String::new(),
    };
    let name: Vec<&str> = [&row.manufacturer, &row.product]
        .into_iter()
        .filter_map(|s| s.as_deref())
        .collect();
    let name = if name.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", name.join(" "))
    };
    let mut s = format!(
        "{:6} {}{id}{name}\n       profile: {}\n       {}",
        row.kind,
        row.path.as_deref().unwrap_or("-"),
        row.profile.as_deref().unwrap_or("none"),
        row.detail
    );
    if let Some(spec) = &row.spec {
        s.push_str(&format!("\n       --device {spec}"));
    }
    s
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

/// What the station would do with a USB device (pure; unit-tested).
fn usb_plan(id: &str, profile: Option<(&str, &Profile)>, hid_interfaces: usize) -> Plan {
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
fn serial_plan(path: &str, profile: Option<(&str, &Profile)>) -> Plan {
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
}
