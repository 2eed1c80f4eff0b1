//! Device SPECs (contracts.md): `TRANSPORT:ADDRESS[?KEY=VALUE&...]`.

/// The transport part of a SPEC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// A serial device path (`serial:/dev/ttyUSB0`).
    Serial(String),
    /// A TCP host and port (`tcp:192.0.2.5:5084`, `tcp:[2001:db8::5]:5084`).
    Tcp { host: String, port: u16 },
    /// A USB device by VID:PID (and optional serial number) or a port path.
    Usb(UsbSelector),
    /// A folder watched for label photos.
    Folder(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbSelector {
    Id {
        vid: u16,
        pid: u16,
        serial: Option<String>,
    },
    Port(String),
}

/// The reader protocols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Lines,
    Chafon,
    Tsl,
    Mercury,
    Llrp,
    HidKeyboard,
    HidPos,
    /// Label photos in a folder.
    Images,
}

impl Protocol {
    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Lines => "lines",
            Protocol::Chafon => "chafon",
            Protocol::Tsl => "tsl",
            Protocol::Mercury => "mercury",
            Protocol::Llrp => "llrp",
            Protocol::HidKeyboard => "hid-keyboard",
            Protocol::HidPos => "hid-pos",
            Protocol::Images => "images",
        }
    }
}

/// A SPEC with every setting resolved (explicit key > matching profile >
/// protocol default).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSpec {
    /// The SPEC as resolved, used as the `source` of every event.
    pub display: String,
    pub transport: Transport,
    pub protocol: Protocol,
    /// The profile that matched, by name (file stem), if any.
    pub profile: Option<String>,
    pub baud: u32,
    /// RFID dedupe window in milliseconds (default 1000).
    pub dedupe_ms: u64,
    /// Reads weaker than this are dropped (reads without RSSI pass).
    pub rssi_min: Option<f32>,
    /// Dedupe per (EPC, antenna) instead of per EPC.
    pub per_antenna: bool,
    pub power_dbm: Option<u8>,
    pub session: Option<u8>,
}
