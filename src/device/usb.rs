//! USB scanners the station claims: boot-keyboard and HID POS reports read
//! straight from the interrupt endpoint.
//!
//! Claiming a scanner over libusb (rusb, vendored) keeps its scans out of
//! whatever window has focus, and gives the station the AIM identifier and the
//! exact bytes (HID POS) instead of keystrokes. The transport is a trait,
//! [`UsbTransport`]: the real one ([`RusbTransport`]) finds, detaches, claims
//! and always gives the device back to the kernel (a drop guard, so also on
//! Ctrl-C and on panic); [`ReplayTransport`] plays recorded reports from
//! `fixtures/hid/*.hex`, so the decoding path — reports → `codec::hid` →
//! [`DeviceEvent::Scan`] — is tested without hardware.
//!
//! libusb reads block, so a session runs them on a blocking thread and checks a
//! stop flag between reads (every [`READ_TIMEOUT`]); dropping the session's
//! future (shutdown, or the supervisor giving up) sets the flag.

mod decode;
mod real;

pub use decode::{decoder_for, ReportDecoder};
pub use real::{list_devices, RusbTransport, UsbDeviceInfo};

use super::spec::ResolvedSpec;
use super::supervisor::status_event;
use super::{DeviceEvent, ReaderError};
use crate::input::{ReaderErrors, ReaderState, Scan, Source};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc::Sender;

/// How long one interrupt read waits before the loop checks its stop flag.
pub const READ_TIMEOUT: Duration = Duration::from_millis(250);

/// What the transport found when it claimed the HID interface.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InterfaceInfo {
    /// A human name for status lines (`usb 0c2e:0b81 interface 0`).
    pub name: String,
    /// The interface's HID report descriptor (empty when it could not be read).
    pub report_descriptor: Vec<u8>,
    /// The interrupt IN endpoint's max packet size: the read buffer's size.
    pub max_packet: usize,
    /// The interface declares the boot keyboard protocol (class 3/1/1).
    pub boot_keyboard: bool,
}

/// A claimed HID interface, one report at a time.
pub trait UsbTransport: Send {
    /// Finds the device, detaches the kernel driver and claims the interface.
    fn open(&mut self) -> Result<InterfaceInfo, ReaderError>;
    /// One report from the interrupt IN endpoint; `Ok(None)` when `timeout`
    /// passed without one.
    fn read_interrupt(
        &mut self,
        buf: &mut [u8],
        timeout: Duration,
    ) -> Result<Option<usize>, ReaderError>;
    /// Releases the interface and re-attaches the kernel driver. Safe to call
    /// twice; implementations also do it when dropped.
    fn release(&mut self);
}

/// Runs one session of a USB scanner (the supervisor's contract): claim, read
/// until the device goes away, release.
pub async fn run_session(
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    let transport = RusbTransport::new(spec)?;
    run_session_with(spec, tx, errors, transport).await
}

/// [`run_session`] over any transport (tests pass a [`ReplayTransport`]).
pub async fn run_session_with<T: UsbTransport + 'static>(
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
    transport: T,
) -> Result<(), ReaderError> {
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_on_drop = StopOnDrop(stop.clone());
    let (spec2, tx2, mut errs) = (spec.clone(), tx.clone(), *errors);
    let thread = tokio::task::spawn_blocking(move || {
        let mut transport = transport;
        let result = read_loop(&mut transport, &spec2, &tx2, &mut errs, &stop);
        transport.release();
        (result, errs)
    });
    match thread.await {
        Ok((result, errs)) => {
            *errors = errs;
            result
        }
        Err(e) => Err(ReaderError::Usb(format!(
            "the USB reader thread failed: {e}"
        ))),
    }
}

/// Sets the stop flag when the session's future is dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// The blocking part: open, then reports → decoder → scans, until the
/// transport fails (an error), `stop` is set or nobody listens (`Ok`).
pub fn read_loop(
    transport: &mut dyn UsbTransport,
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
    stop: &AtomicBool,
) -> Result<(), ReaderError> {
    let info = transport.open()?;
    let mut decoder = decoder_for(spec.protocol, &info)?;
    let detail = format!("claimed {} ({})", info.name, spec.protocol.as_str());
    if tx
        .blocking_send(status_event(spec, ReaderState::Connected, detail, errors))
        .is_err()
    {
        return Ok(());
    }
    let mut buf = vec![0u8; info.max_packet.clamp(8, 1024)];
    while !stop.load(Ordering::Relaxed) {
        let Some(n) = transport.read_interrupt(&mut buf, READ_TIMEOUT)? else {
            continue;
        };
        let report = buf.get(..n).unwrap_or(&buf);
        for raw in decoder.feed(report, errors) {
            let scan = Scan::new(Source::Reader(spec.display.clone()), raw, SystemTime::now());
            if scan.truncated {
                errors.overlong += 1;
            }
            if tx.blocking_send(DeviceEvent::Scan(scan)).is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// Recorded reports played back as if read from a scanner. When they run out
/// the transport reports the device as unplugged, as a real one would.
#[derive(Debug, Clone)]
pub struct ReplayTransport {
    info: InterfaceInfo,
    reports: Vec<Vec<u8>>,
    next: usize,
    released: Arc<AtomicBool>,
}

impl ReplayTransport {
    pub fn new(info: InterfaceInfo, reports: Vec<Vec<u8>>) -> ReplayTransport {
        ReplayTransport {
            info,
            reports,
            next: 0,
            released: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Reports from a `.hex` capture: one report per line, hex bytes with or
    /// without spaces; `#` starts a comment. A line that is not hex is an error
    /// naming its number.
    pub fn parse_hex(text: &str) -> Result<Vec<Vec<u8>>, String> {
        let mut reports = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            let digits: String = line
                .chars()
                .filter(|c| !c.is_whitespace() && *c != ':' && *c != ',')
                .collect();
            if digits.is_empty() {
                continue;
            }
            let digits = digits.strip_prefix("0x").unwrap_or(&digits);
            let bytes = hex::decode(digits).map_err(|e| format!("line {}: {e}", i + 1))?;
            reports.push(bytes);
        }
        Ok(reports)
    }

    /// A flag that turns true once the transport was released.
    pub fn released_flag(&self) -> Arc<AtomicBool> {
        self.released.clone()
    }
}

impl UsbTransport for ReplayTransport {
    fn open(&mut self) -> Result<InterfaceInfo, ReaderError> {
        self.released.store(false, Ordering::Relaxed);
        Ok(self.info.clone())
    }

    fn read_interrupt(
        &mut self,
        buf: &mut [u8],
        _timeout: Duration,
    ) -> Result<Option<usize>, ReaderError> {
        let Some(report) = self.reports.get(self.next) else {
            return Err(ReaderError::Closed(format!(
                "{} (replay ended)",
                self.info.name
            )));
        };
        self.next += 1;
        let n = report.len().min(buf.len());
        buf[..n].copy_from_slice(&report[..n]);
        Ok(Some(n))
    }

    fn release(&mut self) {
        self.released.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_hex_lines() {
        let r = ReplayTransport::parse_hex("# a comment\n02 00 1e\n\n0x021f # trailing\n")
            .expect("hex");
        assert_eq!(r, vec![vec![2, 0, 0x1e], vec![2, 0x1f]]);
        assert!(ReplayTransport::parse_hex("02 0g")
            .unwrap_err()
            .contains("line 1"));
    }
}
