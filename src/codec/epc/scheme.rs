//! The scheme tables of the EPC Tag Data Standard: headers, total lengths,
//! partition tables and filter values. Everything the decoder and the encoders
//! need to know about a scheme's layout lives here, as data.

/// The GS1 EPC binary schemes this codec decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    Sgtin96,
    Sgtin198,
    Sscc96,
    Sgln96,
    Sgln195,
    Grai96,
    Grai170,
    Giai96,
    Giai202,
}

/// The identifier family (the pure-identity URI's scheme) of a binary scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    Sgtin,
    Sscc,
    Sgln,
    Grai,
    Giai,
}

/// How a scheme stores the field after the company prefix and the one after that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tail {
    /// An integer of this many bits (serials, SGLN-96 extension).
    Integer(u32),
    /// 7-bit characters in this many bits, at most this many characters.
    Chars(u32, usize),
    /// Reserved bits that must be zero (SSCC-96).
    Reserved(u32),
    /// Nothing (GIAI: the asset reference is the last field).
    Nothing,
}

/// Company prefix bits per partition value 0..=6; the prefix has 12 - P digits.
pub(super) const PREFIX_BITS: [u32; 7] = [40, 37, 34, 30, 27, 24, 20];

/// Other EPC schemes this codec knows by name but does not decode: their
/// tag-URI name and whether they are GS1 schemes (GID, DoD and ADI are not).
pub(super) fn other_scheme(header: u8) -> Option<(&'static str, bool)> {
    Some(match header {
        0x2C => ("gdti-96", true),
        0x2D => ("gsrn-96", true),
        0x2E => ("gsrnp-96", true),
        0x2F => ("usdod-96", false),
        0x35 => ("gid-96", false),
        0x3B => ("adi-var", false),
        0x3C => ("cpi-96", true),
        0x3D => ("cpi-var", true),
        0x3E => ("gdti-174", true),
        0x3F => ("sgcn-96", true),
        _ => return None,
    })
}

impl Scheme {
    /// The scheme of an EPC header byte, if this codec decodes it.
    pub fn from_header(header: u8) -> Option<Scheme> {
        Some(match header {
            0x30 => Scheme::Sgtin96,
            0x31 => Scheme::Sscc96,
            0x32 => Scheme::Sgln96,
            0x33 => Scheme::Grai96,
            0x34 => Scheme::Giai96,
            0x36 => Scheme::Sgtin198,
            0x37 => Scheme::Grai170,
            0x38 => Scheme::Giai202,
            0x39 => Scheme::Sgln195,
            _ => return None,
        })
    }

    /// The header byte that starts this scheme's binary encoding.
    pub fn header(self) -> u8 {
        match self {
            Scheme::Sgtin96 => 0x30,
            Scheme::Sscc96 => 0x31,
            Scheme::Sgln96 => 0x32,
            Scheme::Grai96 => 0x33,
            Scheme::Giai96 => 0x34,
            Scheme::Sgtin198 => 0x36,
            Scheme::Grai170 => 0x37,
            Scheme::Giai202 => 0x38,
            Scheme::Sgln195 => 0x39,
        }
    }

    /// The tag-URI scheme name, e.g. `giai-96`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Sgtin96 => "sgtin-96",
            Scheme::Sgtin198 => "sgtin-198",
            Scheme::Sscc96 => "sscc-96",
            Scheme::Sgln96 => "sgln-96",
            Scheme::Sgln195 => "sgln-195",
            Scheme::Grai96 => "grai-96",
            Scheme::Grai170 => "grai-170",
            Scheme::Giai96 => "giai-96",
            Scheme::Giai202 => "giai-202",
        }
    }

    /// The upper-case name used in error messages, e.g. `GIAI-96`.
    pub(super) fn label(self) -> &'static str {
        match self {
            Scheme::Sgtin96 => "SGTIN-96",
            Scheme::Sgtin198 => "SGTIN-198",
            Scheme::Sscc96 => "SSCC-96",
            Scheme::Sgln96 => "SGLN-96",
            Scheme::Sgln195 => "SGLN-195",
            Scheme::Grai96 => "GRAI-96",
            Scheme::Grai170 => "GRAI-170",
            Scheme::Giai96 => "GIAI-96",
            Scheme::Giai202 => "GIAI-202",
        }
    }

    /// Length of the binary encoding in bits.
    pub fn bits(self) -> u32 {
        match self {
            Scheme::Sgtin96 | Scheme::Sscc96 | Scheme::Sgln96 | Scheme::Grai96 | Scheme::Giai96 => {
                96
            }
            Scheme::Sgtin198 => 198,
            Scheme::Sgln195 => 195,
            Scheme::Grai170 => 170,
            Scheme::Giai202 => 202,
        }
    }

    /// Bytes an encoder produces: the bits padded to whole 16-bit words, as
    /// EPC memory holds them.
    pub fn encoded_len(self) -> usize {
        self.bits().div_ceil(16) as usize * 2
    }

    /// Whether `len` bytes can hold this scheme: whole bytes or whole words.
    pub(super) fn accepts_len(self, len: usize) -> bool {
        len == self.bits().div_ceil(8) as usize || len == self.encoded_len()
    }

    pub(super) fn family(self) -> Family {
        match self {
            Scheme::Sgtin96 | Scheme::Sgtin198 => Family::Sgtin,
            Scheme::Sscc96 => Family::Sscc,
            Scheme::Sgln96 | Scheme::Sgln195 => Family::Sgln,
            Scheme::Grai96 | Scheme::Grai170 => Family::Grai,
            Scheme::Giai96 | Scheme::Giai202 => Family::Giai,
        }
    }

    /// Bits shared by the company prefix and the reference after it.
    pub(super) fn prefix_and_reference_bits(self) -> u32 {
        match self {
            Scheme::Sgtin96 | Scheme::Sgtin198 | Scheme::Grai96 | Scheme::Grai170 => 44,
            Scheme::Sscc96 => 58,
            Scheme::Sgln96 | Scheme::Sgln195 => 41,
            Scheme::Giai96 => 82,
            Scheme::Giai202 => 188,
        }
    }

    /// Digits of the reference for a company prefix of `prefix_digits` digits:
    /// exact for SGTIN/SSCC/SGLN/GRAI, a maximum for GIAI (characters for GIAI-202).
    pub(super) fn reference_digits(self, prefix_digits: usize) -> usize {
        let total = match self.family() {
            Family::Sgtin => 13,
            Family::Sscc => 17,
            Family::Sgln | Family::Grai => 12,
            Family::Giai if self == Scheme::Giai96 => 25,
            Family::Giai => 30,
        };
        total - prefix_digits
    }

    /// The field after the reference.
    pub(super) fn tail(self) -> Tail {
        match self {
            Scheme::Sgtin96 | Scheme::Grai96 => Tail::Integer(38),
            Scheme::Sgln96 => Tail::Integer(41),
            Scheme::Sgtin198 | Scheme::Sgln195 => Tail::Chars(140, 20),
            Scheme::Grai170 => Tail::Chars(112, 16),
            Scheme::Sscc96 => Tail::Reserved(24),
            Scheme::Giai96 | Scheme::Giai202 => Tail::Nothing,
        }
    }

    /// Name of the reference field in messages.
    pub(super) fn reference_name(self) -> &'static str {
        match self.family() {
            Family::Sgtin => "item reference",
            Family::Sscc => "serial reference",
            Family::Sgln => "location reference",
            Family::Grai => "asset type",
            Family::Giai => "asset reference",
        }
    }

    /// Name of the tail field in messages.
    pub(super) fn tail_name(self) -> &'static str {
        match self.family() {
            Family::Sgln => "extension",
            _ => "serial",
        }
    }

    /// Family label for messages that are not about one binary length.
    pub(super) fn family_label(self) -> &'static str {
        match self.family() {
            Family::Sgtin => "SGTIN",
            Family::Sscc => "SSCC",
            Family::Sgln => "SGLN",
            Family::Grai => "GRAI",
            Family::Giai => "GIAI",
        }
    }

    /// Filter values an encoder may write (TDS §10.1); the others are reserved.
    pub(super) fn allowed_filters(self) -> &'static [u8] {
        match self.family() {
            Family::Sgtin => &[0, 1, 2, 4, 6, 7],
            Family::Sscc => &[0, 2, 6],
            Family::Sgln | Family::Grai => &[0],
            Family::Giai => &[0, 1],
        }
    }
}
