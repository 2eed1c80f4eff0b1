//! From HID reports to scans: the glue between a claimed interface and the
//! pure decoders in `codec::hid`. A keyboard's keys are gathered into a scan
//! until Enter or Tab; HID POS reports are joined by the codec itself.

use crate::device::spec::Protocol;
use crate::device::ReaderError;
use crate::input::ReaderErrors;

use super::InterfaceInfo;

/// Turns reports into finished scans (raw bytes, AIM identifier included
/// when the scanner sent one). Bad reports are counted in `errors`, never
/// turned into scans.
pub trait ReportDecoder: Send {
    fn feed(&mut self, report: &[u8], errors: &mut ReaderErrors) -> Vec<Vec<u8>>;
}

/// The decoder for `protocol` on this interface.
pub fn decoder_for(
    protocol: Protocol,
    _info: &InterfaceInfo,
) -> Result<Box<dyn ReportDecoder>, ReaderError> {
    Err(ReaderError::Protocol(format!(
        "USB {} decoding is not built yet",
        protocol.as_str()
    )))
}
