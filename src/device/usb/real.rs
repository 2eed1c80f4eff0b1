//! The real USB transport through rusb (libusb, vendored).
//!
//! The libusb sequence of protocols.md: find the device, find its HID
//! interface and interrupt IN endpoint, detach the kernel driver if one is
//! bound, claim, optionally switch a keyboard to the boot protocol, read; on
//! the way out release and re-attach. The last two live in [`Claimed`]'s
//! `Drop`, so they happen however the session ends.
//!
//! Hot-plug: when the device is not there, [`RusbTransport::open`] waits up to
//! [`ARRIVAL_WAIT`] for it — through libusb's hot-plug callbacks where the
//! platform has them, else by looking again every second — before reporting it
//! missing; the supervisor then retries, so a scanner plugged back in is picked
//! up without a restart.

use super::{InterfaceInfo, UsbTransport};
use crate::device::spec::{Protocol, ResolvedSpec, Transport, UsbSelector};
use crate::device::ReaderError;
use rusb::{Context, Device, DeviceHandle, Direction, TransferType, UsbContext};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long `open` waits for a missing device before saying so.
pub const ARRIVAL_WAIT: Duration = Duration::from_secs(1);
const CONTROL_TIMEOUT: Duration = Duration::from_secs(1);

/// HID class requests (protocols.md).
const HID_SET_IDLE: u8 = 0x0A;
const HID_SET_PROTOCOL: u8 = 0x0B;

pub struct RusbTransport {
    selector: UsbSelector,
    protocol: Protocol,
    what: String,
    context: Context,
    claimed: Option<Claimed>,
    endpoint: u8,
}

/// A claimed interface; dropping it gives the device back to the kernel.
struct Claimed {
    handle: DeviceHandle<Context>,
    iface: u8,
    reattach: bool,
}

impl Drop for Claimed {
    fn drop(&mut self) {
        if let Err(e) = self.handle.release_interface(self.iface) {
            tracing::debug!("release interface {}: {e}", self.iface);
        }
        if self.reattach {
            if let Err(e) = self.handle.attach_kernel_driver(self.iface) {
                tracing::debug!("re-attach kernel driver on {}: {e}", self.iface);
            }
        }
    }
}

impl RusbTransport {
    pub fn new(spec: &ResolvedSpec) -> Result<RusbTransport, ReaderError> {
        let Transport::Usb(selector) = &spec.transport else {
            return Err(ReaderError::Usb(format!(
                "{} is not a USB SPEC",
                spec.display
            )));
        };
        let context = Context::new().map_err(|e| usb_error("cannot start libusb", e))?;
        Ok(RusbTransport {
            what: describe(selector),
            selector: selector.clone(),
            protocol: spec.protocol,
            context,
            claimed: None,
            endpoint: 0,
        })
    }

    fn find(&self) -> Result<Option<Device<Context>>, ReaderError> {
        let devices = self
            .context
            .devices()
            .map_err(|e| usb_error("cannot list USB devices", e))?;
        for device in devices.iter() {
            if matches(&device, &self.selector) {
                return Ok(Some(device));
            }
        }
        Ok(None)
    }

    /// Waits up to [`ARRIVAL_WAIT`] for the device to appear.
    fn wait_for_arrival(&self) -> Result<Option<Device<Context>>, ReaderError> {
        let deadline = Instant::now() + ARRIVAL_WAIT;
        if rusb::has_hotplug() {
            let arrived = Arc::new(AtomicBool::new(false));
            let mut builder = rusb::HotplugBuilder::new();
            if let UsbSelector::Id { vid, pid, .. } = &self.selector {
                builder.vendor_id(*vid).product_id(*pid);
            }
            let registration = builder.enumerate(false).register(
                &self.context,
                Box::new(Arrival(arrived.clone())) as Box<dyn rusb::Hotplug<Context>>,
            );
            if let Ok(registration) = registration {
                while Instant::now() < deadline && !arrived.load(Ordering::Relaxed) {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if self.context.handle_events(Some(left)).is_err() {
                        break;
                    }
                }
                self.context.unregister_callback(registration);
                return self.find();
            }
        }
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
        self.find()
    }
}

struct Arrival(Arc<AtomicBool>);

impl rusb::Hotplug<Context> for Arrival {
    fn device_arrived(&mut self, _device: Device<Context>) {
        self.0.store(true, Ordering::Relaxed);
    }
    fn device_left(&mut self, _device: Device<Context>) {}
}

impl UsbTransport for RusbTransport {
    fn open(&mut self) -> Result<InterfaceInfo, ReaderError> {
        self.claimed = None;
        let device = match self.find()? {
            Some(d) => d,
            None => self
                .wait_for_arrival()?
                .ok_or_else(|| ReaderError::Closed(format!("{} is not plugged in", self.what)))?,
        };
        let (iface, endpoint, max_packet, boot_keyboard) = hid_interface(&device, self.protocol)
            .ok_or_else(|| {
                ReaderError::Usb(format!(
                    "{} has no HID interface with an interrupt IN endpoint",
                    self.what
                ))
            })?;
        let handle = device.open().map_err(|e| open_error(&self.what, e))?;
        let reattach = matches!(handle.kernel_driver_active(iface), Ok(true));
        if reattach {
            handle
                .detach_kernel_driver(iface)
                .map_err(|e| open_error(&self.what, e))?;
        }
        // From here on the guard re-attaches the driver, whatever happens.
        let claimed = Claimed {
            handle,
            iface,
            reattach,
        };
        claimed
            .handle
            .claim_interface(iface)
            .map_err(|e| open_error(&self.what, e))?;
        if self.protocol == Protocol::HidKeyboard {
            // Boot protocol gives the fixed 8-byte report; SET_IDLE 0 reports
            // only on change. Devices that refuse either still work.
            let _ = claimed.handle.write_control(
                0x21,
                HID_SET_PROTOCOL,
                0,
                iface.into(),
                &[],
                CONTROL_TIMEOUT,
            );
            let _ = claimed.handle.write_control(
                0x21,
                HID_SET_IDLE,
                0,
                iface.into(),
                &[],
                CONTROL_TIMEOUT,
            );
        }
        let mut desc = vec![0u8; 4096];
        let report_descriptor = match claimed.handle.read_control(
            0x81,
            0x06,
            0x2200,
            iface.into(),
            &mut desc,
            CONTROL_TIMEOUT,
        ) {
            Ok(n) => desc.get(..n).unwrap_or_default().to_vec(),
            Err(_) => Vec::new(),
        };
        self.endpoint = endpoint;
        self.claimed = Some(claimed);
        Ok(InterfaceInfo {
            name: format!("{} interface {iface}", self.what),
            report_descriptor,
            max_packet,
            boot_keyboard,
        })
    }

    fn read_interrupt(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<Option<usize>, ReaderError> {
        let Some(claimed) = &self.claimed else {
            return Err(ReaderError::Usb(format!("{} is not open", self.what)));
        };
        match claimed.handle.read_interrupt(self.endpoint, buf, timeout) {
            Ok(n) => Ok(Some(n)),
            Err(rusb::Error::Timeout) | Err(rusb::Error::Interrupted) => Ok(None),
            Err(rusb::Error::NoDevice) => {
                Err(ReaderError::Closed(format!("{} was unplugged", self.what)))
            }
            Err(e) => Err(usb_error(&self.what, e)),
        }
    }

    fn release(&mut self) {
        self.claimed = None;
    }
}

fn describe(selector: &UsbSelector) -> String {
    match selector {
        UsbSelector::Id { vid, pid, serial } => match serial {
            Some(s) => format!("usb {vid:04x}:{pid:04x} (serial {s})"),
            None => format!("usb {vid:04x}:{pid:04x}"),
        },
        UsbSelector::Port(p) => format!("usb port {p}"),
    }
}

/// `BUS-PORT.PORT...` as sysfs names it, when libusb can tell.
pub fn port_path<T: UsbContext>(device: &Device<T>) -> Option<String> {
    let ports = device.port_numbers().ok()?;
    if ports.is_empty() {
        return None;
    }
    let ports: Vec<String> = ports.iter().map(u8::to_string).collect();
    Some(format!("{}-{}", device.bus_number(), ports.join(".")))
}

fn matches<T: UsbContext>(device: &Device<T>, selector: &UsbSelector) -> bool {
    match selector {
        UsbSelector::Port(p) => port_path(device).as_deref() == Some(p.as_str()),
        UsbSelector::Id { vid, pid, serial } => {
            let Ok(desc) = device.device_descriptor() else {
                return false;
            };
            if desc.vendor_id() != *vid || desc.product_id() != *pid {
                return false;
            }
            match serial {
                None => true,
                Some(want) => device
                    .open()
                    .and_then(|h| h.read_serial_number_string_ascii(&desc))
                    .is_ok_and(|s| s == *want),
            }
        }
    }
}

/// The HID interface to claim: `(interface, endpoint, max packet, boot keyboard)`.
/// For a keyboard the boot-keyboard interface is preferred; for HID POS one
/// that is not a keyboard.
fn hid_interface<T: UsbContext>(
    device: &Device<T>,
    protocol: Protocol,
) -> Option<(u8, u8, usize, bool)> {
    let config = device.active_config_descriptor().ok()?;
    let mut found = Vec::new();
    for interface in config.interfaces() {
        let Some(alt) = interface.descriptors().next() else {
            continue;
        };
        if alt.class_code() != 3 {
            continue;
        }
        let boot_keyboard = alt.sub_class_code() == 1 && alt.protocol_code() == 1;
        let endpoint = alt.endpoint_descriptors().find(|e| {
            e.direction() == Direction::In && e.transfer_type() == TransferType::Interrupt
        });
        if let Some(e) = endpoint {
            found.push((
                alt.interface_number(),
                e.address(),
                usize::from(e.max_packet_size()),
                boot_keyboard,
            ));
        }
    }
    let want_keyboard = protocol == Protocol::HidKeyboard;
    found
        .iter()
        .find(|f| f.3 == want_keyboard)
        .or_else(|| found.first())
        .copied()
}

fn usb_error(what: &str, e: rusb::Error) -> ReaderError {
    ReaderError::Usb(format!("{what}: {e}"))
}

/// Open/claim failures, with what to do about the common ones.
fn open_error(what: &str, e: rusb::Error) -> ReaderError {
    let (kind, hint) = match e {
        rusb::Error::Access => (
            std::io::ErrorKind::PermissionDenied,
            " (install udev/70-scanstation.rules and join the scanstation group)",
        ),
        rusb::Error::Busy => (
            std::io::ErrorKind::ResourceBusy,
            " (another program has claimed it)",
        ),
        rusb::Error::NoDevice => (std::io::ErrorKind::NotFound, " (unplugged)"),
        _ => (std::io::ErrorKind::Other, ""),
    };
    ReaderError::Open {
        what: what.to_string(),
        source: std::io::Error::new(kind, format!("{e}{hint}")),
    }
}

/// One USB device as `scanstation devices` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsbDeviceInfo {
    pub vid: u16,
    pub pid: u16,
    /// The device class (9 = hub).
    pub class: u8,
    pub bus: u8,
    pub address: u8,
    pub port: Option<String>,
    pub manufacturer: Option<String>,
    pub product: Option<String>,
    pub serial: Option<String>,
    /// How many HID (class 3) interfaces the active configuration has.
    pub hid_interfaces: usize,
}

/// The USB devices present. Without USB access (a container, no /dev/bus/usb)
/// the list is empty and the reason is returned beside it.
pub fn list_devices() -> (Vec<UsbDeviceInfo>, Option<String>) {
    let context = match Context::new() {
        Ok(c) => c,
        Err(e) => return (Vec::new(), Some(format!("cannot start libusb: {e}"))),
    };
    let devices = match context.devices() {
        Ok(d) => d,
        Err(e) => return (Vec::new(), Some(format!("cannot list USB devices: {e}"))),
    };
    let mut out = Vec::new();
    for device in devices.iter() {
        let Ok(desc) = device.device_descriptor() else {
            continue;
        };
        let (mut manufacturer, mut product, mut serial) = (None, None, None);
        if let Ok(h) = device.open() {
            manufacturer = h.read_manufacturer_string_ascii(&desc).ok();
            product = h.read_product_string_ascii(&desc).ok();
            serial = h.read_serial_number_string_ascii(&desc).ok();
        }
        let hid_interfaces = device
            .active_config_descriptor()
            .map(|c| {
                c.interfaces()
                    .filter(|i| i.descriptors().any(|d| d.class_code() == 3))
                    .count()
            })
            .unwrap_or(0);
        out.push(UsbDeviceInfo {
            vid: desc.vendor_id(),
            pid: desc.product_id(),
            class: desc.class_code(),
            bus: device.bus_number(),
            address: device.address(),
            port: port_path(&device),
            manufacturer,
            product,
            serial,
            hid_interfaces,
        });
    }
    out.sort_by_key(|d| (d.bus, d.address));
    (out, None)
}
