//! Reader profiles: what the station knows about a reader family, so that a
//! SPEC can be as short as `usb:0c2e:0b81` or `serial:/dev/ttyUSB0?profile=chafon-uhfreader18`.
//!
//! The shipped profiles live in `devices/*.toml` and are compiled into the
//! binary (the list below), so the station needs no files to know them; an
//! operator adds or overrides profiles in `$XDG_CONFIG_HOME/scanstation/devices/`.
//! A profile's name is its file stem; a user profile with a shipped profile's
//! name replaces it.

use super::spec::Protocol;
use serde::Deserialize;
use std::path::{Path, PathBuf};

macro_rules! builtin {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../devices/", $name, ".toml")),
        )
    };
}

/// The shipped profiles, `(name, TOML)`. A test checks this list against the
/// files in devices/.
pub const BUILTIN: &[(&str, &str)] = &[
    builtin!("chafon-uhfreader18"),
    builtin!("datalogic-gryphon-keyboard"),
    builtin!("datalogic-gryphon-serial"),
    builtin!("generic-cdc-acm-scanner"),
    builtin!("honeywell-granit-hidpos"),
    builtin!("honeywell-voyager-1400g-hidpos"),
    builtin!("honeywell-voyager-1400g-keyboard"),
    builtin!("impinj-r700"),
    builtin!("intermec-sg20-hidpos"),
    builtin!("newland-cdc"),
    builtin!("newland-hidpos"),
    builtin!("newland-keyboard"),
    builtin!("opticon-keyboard"),
    builtin!("opticon-serial"),
    builtin!("thingmagic-mercury"),
    builtin!("tsl-1128"),
    builtin!("tsl-1153"),
    builtin!("tsl-1166"),
    builtin!("zebra-cdc-serial"),
    builtin!("zebra-fx"),
    builtin!("zebra-symbol-keyboard"),
    builtin!("zebra-symbol-snapi"),
];

/// How a reader is attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileTransport {
    /// A USB HID keyboard ("keyboard wedge"): typed into whatever has focus
    /// unless the station claims it.
    UsbHidKeyboard,
    /// USB HID POS (usage page 0x8C): the station claims it over libusb.
    UsbHidPos,
    /// A serial line: RS-232, USB CDC-ACM, a USB-serial bridge, Bluetooth SPP.
    Serial,
    /// A network reader (LLRP).
    Tcp,
}

impl ProfileTransport {
    pub fn as_str(self) -> &'static str {
        match self {
            ProfileTransport::UsbHidKeyboard => "usb-hid-keyboard",
            ProfileTransport::UsbHidPos => "usb-hid-pos",
            ProfileTransport::Serial => "serial",
            ProfileTransport::Tcp => "tcp",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Parity {
    #[default]
    None,
    Even,
    Odd,
}

/// Serial line settings (8N1 unless said otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SerialSettings {
    pub baud: Option<u32>,
    #[serde(default = "eight")]
    pub data_bits: u8,
    #[serde(default)]
    pub parity: Parity,
    #[serde(default = "one")]
    pub stop_bits: u8,
}

fn eight() -> u8 {
    8
}
fn one() -> u8 {
    1
}

/// RFID reader options; each is overridden by the SPEC key of the same name.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReaderOptions {
    pub power_dbm: Option<u8>,
    pub session: Option<u8>,
    pub dedupe_ms: Option<u64>,
    pub rssi_min: Option<f32>,
    pub per_antenna: Option<bool>,
}

/// One reader family.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    pub vendor: String,
    pub model: String,
    /// `"vid:pid"`, lowercase hex, four digits each.
    #[serde(default)]
    pub usb_ids: Vec<String>,
    pub transport: ProfileTransport,
    /// One of the SPEC protocols (`lines`, `chafon`, `hid-pos` ...).
    pub protocol: String,
    pub serial: Option<SerialSettings>,
    pub reader: Option<ReaderOptions>,
    #[serde(default)]
    pub notes: String,
}

impl Profile {
    /// The profile's protocol, when it names a known one (checked on load).
    pub fn protocol(&self) -> Option<Protocol> {
        Protocol::from_name(&self.protocol)
    }

    /// The USB ids as numbers (ids that do not parse were refused on load).
    pub fn usb_ids(&self) -> impl Iterator<Item = (u16, u16)> + '_ {
        self.usb_ids.iter().filter_map(|s| parse_usb_id(s))
    }

    fn check(&self) -> Result<(), String> {
        let protocol = self
            .protocol()
            .ok_or_else(|| format!("unknown protocol `{}`", self.protocol))?;
        let fits = match self.transport {
            ProfileTransport::UsbHidKeyboard => protocol == Protocol::HidKeyboard,
            ProfileTransport::UsbHidPos => protocol == Protocol::HidPos,
            ProfileTransport::Serial => protocol.transport_name() == "serial",
            ProfileTransport::Tcp => protocol == Protocol::Llrp,
        };
        if !fits {
            return Err(format!(
                "protocol {} does not run over transport {}",
                protocol.as_str(),
                self.transport.as_str()
            ));
        }
        for id in &self.usb_ids {
            if parse_usb_id(id).is_none() || id.to_ascii_lowercase() != *id {
                return Err(format!(
                    "usb id `{id}` is not \"vid:pid\" in lowercase hex (e.g. \"0c2e:0b81\")"
                ));
            }
        }
        if let Some(s) = &self.serial {
            if !(5..=8).contains(&s.data_bits) || !(1..=2).contains(&s.stop_bits) {
                return Err("serial: data_bits must be 5 to 8 and stop_bits 1 or 2".into());
            }
        }
        if let Some(r) = &self.reader {
            if r.session.is_some_and(|s| s > 3) || r.power_dbm.is_some_and(|p| p > 33) {
                return Err("reader: session must be 0 to 3 and power_dbm 0 to 33".into());
            }
        }
        Ok(())
    }
}

/// `"0c2e:0b81"` → `(0x0c2e, 0x0b81)`; exactly four hex digits each.
pub fn parse_usb_id(s: &str) -> Option<(u16, u16)> {
    let (v, p) = s.split_once(':')?;
    let hex = |x: &str| {
        (x.len() == 4 && x.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u16::from_str_radix(x, 16).ok())
            .flatten()
    };
    Some((hex(v)?, hex(p)?))
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("profile {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("cannot read profiles in {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Every profile the station knows, sorted by name.
#[derive(Debug, Clone, Default)]
pub struct Profiles {
    list: Vec<(String, Profile)>,
}

impl Profiles {
    /// The shipped profiles only. A shipped profile that does not load is a
    /// bug caught by the tests; it is skipped here rather than panicking.
    pub fn builtin() -> Profiles {
        let mut p = Profiles::default();
        for (name, text) in BUILTIN {
            if let Ok(profile) = parse_profile(name, text) {
                p.insert(name.to_string(), profile);
            }
        }
        p
    }

    /// The shipped profiles plus the user's (`$XDG_CONFIG_HOME/scanstation/devices/`).
    pub fn load() -> Result<Profiles, ProfileError> {
        let mut p = Profiles::builtin();
        if let Some(dir) = crate::paths::user_profiles_dir() {
            p.add_dir(&dir)?;
        }
        Ok(p)
    }

    /// Adds every `*.toml` in `dir` (a missing directory adds nothing).
    pub fn add_dir(&mut self, dir: &Path) -> Result<(), ProfileError> {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(source) => {
                return Err(ProfileError::Read {
                    path: dir.to_path_buf(),
                    source,
                })
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        for path in paths {
            let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(|source| ProfileError::Read {
                path: path.clone(),
                source,
            })?;
            let profile = parse_profile(&path.display().to_string(), &text)?;
            self.insert(name.to_string(), profile);
        }
        Ok(())
    }

    /// Adds or replaces the profile `name`.
    pub fn insert(&mut self, name: String, profile: Profile) {
        match self.list.binary_search_by(|(n, _)| n.as_str().cmp(&name)) {
            Ok(i) => self.list[i].1 = profile,
            Err(i) => self.list.insert(i, (name, profile)),
        }
    }

    pub fn get(&self, name: &str) -> Option<(&str, &Profile)> {
        self.list
            .binary_search_by(|(n, _)| n.as_str().cmp(name))
            .ok()
            .map(|i| (self.list[i].0.as_str(), &self.list[i].1))
    }

    /// The first profile (by name) listing this USB id.
    pub fn by_usb_id(&self, vid: u16, pid: u16) -> Option<(&str, &Profile)> {
        self.iter()
            .find(|(_, p)| p.usb_ids().any(|id| id == (vid, pid)))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Profile)> {
        self.list.iter().map(|(n, p)| (n.as_str(), p))
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The known name most like `name`, for "did you mean".
    pub fn closest(&self, name: &str) -> Option<&str> {
        self.iter()
            .map(|(n, _)| (edit_distance(n, name), n))
            .filter(|(d, n)| *d <= 3 || n.contains(name) || name.contains(*n))
            .min_by_key(|(d, _)| *d)
            .map(|(_, n)| n)
    }
}

/// Parses and checks one profile; `origin` names it in errors.
pub fn parse_profile(origin: &str, text: &str) -> Result<Profile, ProfileError> {
    let invalid = |message: String| ProfileError::Invalid {
        path: origin.to_string(),
        message,
    };
    let profile: Profile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    profile.check().map_err(invalid)?;
    Ok(profile)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_profile_loads() {
        for (name, text) in BUILTIN {
            if let Err(e) = parse_profile(name, text) {
                panic!("{e}");
            }
        }
        assert_eq!(Profiles::builtin().len(), BUILTIN.len());
    }

    #[test]
    fn usb_id_lookup_and_user_override() {
        let mut p = Profiles::builtin();
        let (name, prof) = p.by_usb_id(0x0c2e, 0x0b81).expect("voyager");
        assert!(name.starts_with("honeywell-voyager-1400g"), "{name}");
        assert_eq!(prof.vendor, "Honeywell");
        let mine = parse_profile(
            "mine",
            "vendor = \"X\"\nmodel = \"Y\"\ntransport = \"serial\"\nprotocol = \"tsl\"\n",
        )
        .expect("valid");
        p.insert("tsl-1128".into(), mine.clone());
        assert_eq!(p.get("tsl-1128").map(|(_, p)| p), Some(&mine));
    }

    #[test]
    fn bad_profiles_are_refused_with_the_reason() {
        let upper = "vendor=\"a\"\nmodel=\"b\"\nusb_ids=[\"0C2E:0B81\"]\ntransport=\"usb-hid-pos\"\nprotocol=\"hid-pos\"\n";
        let e = parse_profile("x", upper).unwrap_err().to_string();
        assert!(e.contains("lowercase hex"), "{e}");
        let mismatch = "vendor=\"a\"\nmodel=\"b\"\ntransport=\"tcp\"\nprotocol=\"chafon\"\n";
        let e = parse_profile("x", mismatch).unwrap_err().to_string();
        assert!(e.contains("does not run over"), "{e}");
        let unknown = "vendor=\"a\"\nmodel=\"b\"\ntransport=\"tcp\"\nprotocol=\"llrp\"\ncolour=1\n";
        assert!(parse_profile("x", unknown).is_err());
    }

    #[test]
    fn closest_name() {
        let p = Profiles::builtin();
        assert_eq!(p.closest("tsl-1129"), Some("tsl-1128"));
        assert_eq!(p.closest("zzzzzzzzzzzzzzzzzzzzzzzz"), None);
    }
}
