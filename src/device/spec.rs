//! Device SPECs (contracts.md): `TRANSPORT:ADDRESS[?KEY=VALUE&...]`.
//!
//! Two stages, as ripgrep parses its arguments: [`parse`] only checks what the
//! person typed (no files, no devices), [`resolve`] fills every unset key from
//! the matching profile and then from the protocol's defaults. Both are pure, so
//! a bad SPEC is reported before any reader is opened.

use super::profile::{Profile, Profiles};
use std::net::Ipv6Addr;

/// The longest SPEC we accept; a longer one is a mistake, not a device.
const MAX_SPEC_LEN: usize = 4096;

/// The default RFID dedupe window (protocols.md: sllurp's 1 s).
pub const DEFAULT_DEDUPE_MS: u64 = 1000;

/// The LLRP port, used when a `tcp:` SPEC names none.
pub const LLRP_PORT: u16 = 5084;

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

impl Transport {
    /// The transport's name as written in a SPEC.
    pub fn name(&self) -> &'static str {
        match self {
            Transport::Serial(_) => "serial",
            Transport::Tcp { .. } => "tcp",
            Transport::Usb(_) => "usb",
            Transport::Folder(_) => "folder",
        }
    }

    /// `TRANSPORT:ADDRESS` in canonical form (lowercase hex ids, brackets
    /// around IPv6, characters that would end the address percent-encoded).
    pub fn canonical(&self) -> String {
        match self {
            Transport::Serial(p) => format!("serial:{}", encode(p)),
            Transport::Folder(p) => format!("folder:{}", encode(p)),
            Transport::Tcp { host, port } => {
                if host.contains(':') {
                    format!("tcp:[{host}]:{port}")
                } else {
                    format!("tcp:{}:{port}", encode(host))
                }
            }
            Transport::Usb(UsbSelector::Id { vid, pid, serial }) => match serial {
                Some(s) => format!("usb:{vid:04x}:{pid:04x}:{}", encode(s)),
                None => format!("usb:{vid:04x}:{pid:04x}"),
            },
            Transport::Usb(UsbSelector::Port(p)) => format!("usb:{p}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UsbSelector {
    Id {
        vid: u16,
        pid: u16,
        serial: Option<String>,
    },
    /// `BUS-PORT[.PORT]...` as Linux names it in sysfs (`1-1.2`).
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
    pub const ALL: [Protocol; 8] = [
        Protocol::Lines,
        Protocol::Chafon,
        Protocol::Tsl,
        Protocol::Mercury,
        Protocol::Llrp,
        Protocol::HidKeyboard,
        Protocol::HidPos,
        Protocol::Images,
    ];

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

    /// The protocol named `s` (as in `protocol=`), if any.
    pub fn from_name(s: &str) -> Option<Protocol> {
        Protocol::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The transport this protocol runs over (`serial`, `tcp`, `usb`, `folder`).
    pub fn transport_name(self) -> &'static str {
        match self {
            Protocol::Lines | Protocol::Chafon | Protocol::Tsl | Protocol::Mercury => "serial",
            Protocol::Llrp => "tcp",
            Protocol::HidKeyboard | Protocol::HidPos => "usb",
            Protocol::Images => "folder",
        }
    }

    /// The line speed a reader speaking this protocol uses out of the box
    /// (protocols.md); 0 for protocols that have no serial line.
    pub fn default_baud(self) -> u32 {
        match self {
            Protocol::Chafon => 57_600,
            Protocol::Tsl | Protocol::Mercury => 115_200,
            Protocol::Lines => 9_600,
            _ => 0,
        }
    }
}

/// A SPEC as typed: the transport and only the keys that were given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Keys {
    pub protocol: Option<Protocol>,
    pub profile: Option<String>,
    pub baud: Option<u32>,
    pub dedupe_ms: Option<u64>,
    pub rssi_min: Option<f32>,
    pub per_antenna: Option<bool>,
    pub power_dbm: Option<u8>,
    pub session: Option<u8>,
    pub keepalive_ms: Option<u32>,
}

/// A parsed, not yet resolved SPEC.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// The text as given.
    pub text: String,
    pub transport: Transport,
    pub keys: Keys,
}

/// A SPEC with every setting resolved (explicit key > matching profile >
/// protocol default).
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedSpec {
    /// The SPEC as resolved, used as the `source` of every event: the canonical
    /// `TRANSPORT:ADDRESS`, then `protocol=`, the matched `profile=`, and the
    /// keys that were given explicitly, in the order of contracts.md.
    pub display: String,
    pub transport: Transport,
    pub protocol: Protocol,
    /// The profile that matched, by name (file stem), if any.
    pub profile: Option<String>,
    /// Serial line speed; 0 for transports without one.
    pub baud: u32,
    /// RFID dedupe window in milliseconds (default 1000).
    pub dedupe_ms: u64,
    /// Reads weaker than this are dropped (reads without RSSI pass).
    pub rssi_min: Option<f32>,
    /// Dedupe per (EPC, antenna) instead of per EPC.
    pub per_antenna: bool,
    pub power_dbm: Option<u8>,
    pub session: Option<u8>,
    /// LLRP: the keepalive period asked of the reader, in milliseconds; 0
    /// asks for none. `None`: the default ([`crate::device::llrp::DEFAULT_KEEPALIVE`]).
    pub keepalive_ms: Option<u32>,
}

/// Why a SPEC was refused. Each message names the part that is wrong and what
/// would be accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    #[error("empty device SPEC (expected TRANSPORT:ADDRESS, e.g. serial:/dev/ttyUSB0)")]
    Empty,
    #[error("device SPEC is longer than {MAX_SPEC_LEN} bytes")]
    TooLong,
    #[error("`{0}`: expected TRANSPORT:ADDRESS (transports: serial, tcp, usb, folder)")]
    NoTransport(String),
    #[error("unknown transport `{0}` (expected serial, tcp, usb or folder)")]
    UnknownTransport(String),
    #[error("{transport}: the address is empty")]
    EmptyAddress { transport: &'static str },
    #[error("bad {transport} address `{address}`: {why}")]
    BadAddress {
        transport: &'static str,
        address: String,
        why: String,
    },
    #[error("bad percent-encoding in `{0}` (a % must be followed by two hex digits)")]
    BadPercent(String),
    #[error("`{0}` is not KEY=VALUE")]
    NotKeyValue(String),
    #[error(
        "unknown key `{0}` (keys: protocol, profile, baud, dedupe_ms, rssi_min, per_antenna, power_dbm, session, keepalive_ms)"
    )]
    UnknownKey(String),
    #[error("key `{0}` is given twice")]
    DuplicateKey(String),
    #[error("bad value `{value}` for `{key}`: expected {expected}")]
    BadValue {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("unknown profile `{name}`{hint}")]
    UnknownProfile { name: String, hint: String },
    #[error("protocol {protocol} runs over {expected}, not over {transport}")]
    ProtocolMismatch {
        protocol: &'static str,
        transport: &'static str,
        expected: &'static str,
    },
    #[error("{0}: which protocol? Add ?protocol=... or ?profile=... (see `scanstation devices`)")]
    NoProtocol(String),
}

/// Parses a SPEC as typed. Checks syntax and value ranges only.
pub fn parse(spec: &str) -> Result<Spec, SpecError> {
    let text = spec.trim();
    if text.is_empty() {
        return Err(SpecError::Empty);
    }
    if text.len() > MAX_SPEC_LEN {
        return Err(SpecError::TooLong);
    }
    let (transport_name, rest) = text
        .split_once(':')
        .ok_or_else(|| SpecError::NoTransport(text.to_string()))?;
    let (address, query) = match rest.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (rest, None),
    };
    let transport = match transport_name.to_ascii_lowercase().as_str() {
        "serial" => Transport::Serial(parse_path("serial", address)?),
        "folder" => Transport::Folder(parse_path("folder", address)?),
        "tcp" => parse_tcp(address)?,
        "usb" => Transport::Usb(parse_usb(address)?),
        _ => return Err(SpecError::UnknownTransport(transport_name.to_string())),
    };
    let keys = match query {
        Some(q) => parse_keys(q)?,
        None => Keys::default(),
    };
    Ok(Spec {
        text: text.to_string(),
        transport,
        keys,
    })
}

fn parse_path(transport: &'static str, address: &str) -> Result<String, SpecError> {
    let path = decode(address)?;
    if path.is_empty() {
        return Err(SpecError::EmptyAddress { transport });
    }
    if path.contains('\0') {
        return Err(bad_address(transport, &path, "a path cannot contain NUL"));
    }
    Ok(path)
}

fn bad_address(transport: &'static str, address: &str, why: &str) -> SpecError {
    SpecError::BadAddress {
        transport,
        address: address.to_string(),
        why: why.to_string(),
    }
}

fn parse_tcp(address: &str) -> Result<Transport, SpecError> {
    let address = decode(address)?;
    if address.is_empty() {
        return Err(SpecError::EmptyAddress { transport: "tcp" });
    }
    let (host, port) = if let Some(rest) = address.strip_prefix('[') {
        let (v6, after) = rest
            .split_once(']')
            .ok_or_else(|| bad_address("tcp", &address, "missing `]` after the IPv6 address"))?;
        if v6.parse::<Ipv6Addr>().is_err() {
            return Err(bad_address("tcp", &address, "not an IPv6 address"));
        }
        let port =
            match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(|| {
                    bad_address("tcp", &address, "expected `:PORT` after the `]`")
                })?),
            };
        (v6.to_string(), port)
    } else {
        match address.matches(':').count() {
            0 => (address.clone(), None),
            1 => {
                let (h, p) = address.split_once(':').unwrap_or((&address, ""));
                (h.to_string(), Some(p))
            }
            _ => {
                return Err(bad_address(
                    "tcp",
                    &address,
                    "an IPv6 address goes in brackets: tcp:[2001:db8::5]:5084",
                ))
            }
        }
    };
    if host.is_empty() {
        return Err(bad_address("tcp", &address, "the host is empty"));
    }
    if host
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == '@')
    {
        return Err(bad_address("tcp", &address, "not a host name or address"));
    }
    let port = match port {
        None => LLRP_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err(bad_address("tcp", &address, "the port must be 1 to 65535")),
        },
    };
    Ok(Transport::Tcp { host, port })
}

fn parse_usb(address: &str) -> Result<UsbSelector, SpecError> {
    if address.is_empty() {
        return Err(SpecError::EmptyAddress { transport: "usb" });
    }
    if let Some((vid, rest)) = address.split_once(':') {
        let (pid, serial) = match rest.split_once(':') {
            Some((p, s)) => (p, Some(decode(s)?)),
            None => (rest, None),
        };
        let vid = parse_hex16(vid).ok_or_else(|| {
            bad_address(
                "usb",
                address,
                "expected VID:PID in hex, e.g. usb:0c2e:0b81",
            )
        })?;
        let pid = parse_hex16(pid).ok_or_else(|| {
            bad_address(
                "usb",
                address,
                "expected VID:PID in hex, e.g. usb:0c2e:0b81",
            )
        })?;
        if serial.as_deref() == Some("") {
            return Err(bad_address("usb", address, "the serial number is empty"));
        }
        return Ok(UsbSelector::Id { vid, pid, serial });
    }
    if is_port_path(address) {
        Ok(UsbSelector::Port(address.to_string()))
    } else {
        Err(bad_address(
            "usb",
            address,
            "expected VID:PID[:SERIAL] (usb:0c2e:0b81) or a port path (usb:1-1.2)",
        ))
    }
}

fn parse_hex16(s: &str) -> Option<u16> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u16::from_str_radix(s, 16).ok()
}

/// `BUS-PORT[.PORT]...`: a bus number, a dash, then dot-separated port numbers.
fn is_port_path(s: &str) -> bool {
    let Some((bus, ports)) = s.split_once('-') else {
        return false;
    };
    let number = |p: &str| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit());
    number(bus) && ports.split('.').all(number)
}

fn parse_keys(query: &str) -> Result<Keys, SpecError> {
    let mut keys = Keys::default();
    let mut seen: Vec<String> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| SpecError::NotKeyValue(pair.to_string()))?;
        let k = decode(k)?;
        let v = decode(v)?;
        if seen.contains(&k) {
            return Err(SpecError::DuplicateKey(k));
        }
        seen.push(k.clone());
        match k.as_str() {
            "protocol" => {
                keys.protocol = Some(Protocol::from_name(&v).ok_or(SpecError::BadValue {
                    key: "protocol",
                    value: v.clone(),
                    expected: "lines, chafon, tsl, mercury, llrp, hid-keyboard, hid-pos or images",
                })?)
            }
            "profile" => {
                if v.is_empty() {
                    return Err(bad_value("profile", &v, "a profile name"));
                }
                keys.profile = Some(v)
            }
            "baud" => {
                keys.baud = Some(match v.parse::<u32>() {
                    Ok(n) if (50..=4_000_000).contains(&n) => n,
                    _ => return Err(bad_value("baud", &v, "a line speed from 50 to 4000000")),
                })
            }
            "dedupe_ms" => {
                keys.dedupe_ms = Some(match v.parse::<u64>() {
                    Ok(n) if n <= 3_600_000 => n,
                    _ => {
                        return Err(bad_value(
                            "dedupe_ms",
                            &v,
                            "milliseconds from 0 to 3600000 (0 = report every read)",
                        ))
                    }
                })
            }
            "rssi_min" => {
                keys.rssi_min = Some(match v.parse::<f32>() {
                    Ok(x) if x.is_finite() && (-150.0..=50.0).contains(&x) => x,
                    _ => return Err(bad_value("rssi_min", &v, "dBm from -150 to 50, e.g. -70")),
                })
            }
            "per_antenna" => {
                keys.per_antenna = Some(match v.as_str() {
                    "true" => true,
                    "false" => false,
                    _ => return Err(bad_value("per_antenna", &v, "true or false")),
                })
            }
            "power_dbm" => {
                keys.power_dbm = Some(match v.parse::<u8>() {
                    Ok(n) if n <= 33 => n,
                    _ => return Err(bad_value("power_dbm", &v, "dBm from 0 to 33")),
                })
            }
            "session" => {
                keys.session = Some(match v.parse::<u8>() {
                    Ok(n) if n <= 3 => n,
                    _ => return Err(bad_value("session", &v, "a Gen2 session 0, 1, 2 or 3")),
                })
            }
            "keepalive_ms" => {
                keys.keepalive_ms = Some(match v.parse::<u32>() {
                    Ok(n) if n == 0 || (1000..=3_600_000).contains(&n) => n,
                    _ => {
                        return Err(bad_value(
                            "keepalive_ms",
                            &v,
                            "milliseconds from 1000 to 3600000, or 0 for none",
                        ))
                    }
                })
            }
            _ => return Err(SpecError::UnknownKey(k)),
        }
    }
    Ok(keys)
}

fn bad_value(key: &'static str, value: &str, expected: &'static str) -> SpecError {
    SpecError::BadValue {
        key,
        value: value.to_string(),
        expected,
    }
}

/// Percent-decoding (`%2F` → `/`) through the `percent-encoding` crate,
/// stricter than it on one point: a `%` not followed by two hex digits is an
/// error here (the crate would keep it literally), since a SPEC with one was
/// most likely mistyped. The result must be UTF-8.
fn decode(s: &str) -> Result<String, SpecError> {
    let bytes = s.as_bytes();
    let well_formed = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    });
    if !well_formed {
        return Err(SpecError::BadPercent(s.to_string()));
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map(|d| d.into_owned())
        .map_err(|_| SpecError::BadPercent(s.to_string()))
}

/// What [`encode`] escapes: controls, space, and the characters that would
/// end or confuse an address or value (non-ASCII is always escaped).
const SPEC_ESCAPE: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'%')
    .add(b'?')
    .add(b'&')
    .add(b'=')
    .add(b'#');

/// Percent-encodes what would end or confuse an address or value.
fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, SPEC_ESCAPE).to_string()
}

/// Resolves a parsed SPEC: explicit key > profile (named by `profile=`, else
/// matched by USB id) > protocol defaults.
pub fn resolve(spec: &Spec, profiles: &Profiles) -> Result<ResolvedSpec, SpecError> {
    let keys = &spec.keys;
    let profile: Option<(&str, &Profile)> = match &keys.profile {
        Some(name) => Some(profiles.get(name).ok_or_else(|| {
            SpecError::UnknownProfile {
                name: name.clone(),
                hint: profiles
                    .closest(name)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_else(|| " (see the files in devices/)".into()),
            }
        })?),
        None => match &spec.transport {
            Transport::Usb(UsbSelector::Id { vid, pid, .. }) => profiles.by_usb_id(*vid, *pid),
            _ => None,
        },
    };
    let transport_name = spec.transport.name();
    let protocol = match (keys.protocol, profile.and_then(|(_, p)| p.protocol())) {
        (Some(p), _) => p,
        (None, Some(p)) => p,
        (None, None) => match &spec.transport {
            Transport::Serial(_) => Protocol::Lines,
            Transport::Tcp { .. } => Protocol::Llrp,
            Transport::Folder(_) => Protocol::Images,
            // A USB device that no profile knows: a keyboard in boot
            // protocol is what every HID scanner can be read as.
            Transport::Usb(_) => Protocol::HidKeyboard,
        },
    };
    if protocol.transport_name() != transport_name {
        return Err(SpecError::ProtocolMismatch {
            protocol: protocol.as_str(),
            transport: transport_name,
            expected: protocol.transport_name(),
        });
    }
    let prof = profile.map(|(_, p)| p);
    let serial = prof.and_then(|p| p.serial.as_ref());
    let reader = prof.and_then(|p| p.reader.as_ref());
    let baud = if transport_name == "serial" {
        keys.baud
            .or(serial.and_then(|s| s.baud))
            .unwrap_or(protocol.default_baud())
    } else {
        keys.baud.unwrap_or(0)
    };
    let display = display(spec, protocol, profile.map(|(n, _)| n));
    Ok(ResolvedSpec {
        display,
        transport: spec.transport.clone(),
        protocol,
        profile: profile.map(|(n, _)| n.to_string()),
        baud,
        dedupe_ms: keys
            .dedupe_ms
            .or(reader.and_then(|r| r.dedupe_ms))
            .unwrap_or(DEFAULT_DEDUPE_MS),
        rssi_min: keys.rssi_min.or(reader.and_then(|r| r.rssi_min)),
        per_antenna: keys
            .per_antenna
            .or(reader.and_then(|r| r.per_antenna))
            .unwrap_or(false),
        power_dbm: keys.power_dbm.or(reader.and_then(|r| r.power_dbm)),
        session: keys.session.or(reader.and_then(|r| r.session)),
        keepalive_ms: keys.keepalive_ms,
    })
}

fn display(spec: &Spec, protocol: Protocol, profile: Option<&str>) -> String {
    let k = &spec.keys;
    let mut parts = vec![format!("protocol={}", protocol.as_str())];
    if let Some(p) = profile {
        parts.push(format!("profile={}", encode(p)));
    }
    if let Some(v) = k.baud {
        parts.push(format!("baud={v}"));
    }
    if let Some(v) = k.dedupe_ms {
        parts.push(format!("dedupe_ms={v}"));
    }
    if let Some(v) = k.rssi_min {
        parts.push(format!("rssi_min={v}"));
    }
    if let Some(v) = k.per_antenna {
        parts.push(format!("per_antenna={v}"));
    }
    if let Some(v) = k.power_dbm {
        parts.push(format!("power_dbm={v}"));
    }
    if let Some(v) = k.session {
        parts.push(format!("session={v}"));
    }
    if let Some(v) = k.keepalive_ms {
        parts.push(format!("keepalive_ms={v}"));
    }
    format!("{}?{}", spec.transport.canonical(), parts.join("&"))
}

/// Parses and resolves in one step (what `monitor` and the app do).
pub fn parse_and_resolve(spec: &str, profiles: &Profiles) -> Result<ResolvedSpec, SpecError> {
    resolve(&parse(spec)?, profiles)
}

/// Fuzz entry point: any bytes, never a panic; a SPEC that parses must
/// resolve or fail cleanly, and its display form must parse again to the
/// same resolution.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    static PROFILES: std::sync::OnceLock<Profiles> = std::sync::OnceLock::new();
    let profiles = PROFILES.get_or_init(Profiles::builtin);
    if let Ok(spec) = parse(text) {
        if let Ok(resolved) = resolve(&spec, profiles) {
            // Encoding can make the display longer than the limit on input.
            if resolved.display.len() > MAX_SPEC_LEN {
                return;
            }
            let again = parse_and_resolve(&resolved.display, profiles);
            assert_eq!(again.as_ref().ok(), Some(&resolved), "{text:?}");
        }
    }
}

#[cfg(test)]
mod tests;
