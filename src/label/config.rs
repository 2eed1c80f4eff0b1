//! `[labels]` in the station's config: where labels go and what they look
//! like. Every setting has a default (a 50 × 25 mm label at 203 dpi with a
//! Code 128 symbol and no RFID inlay), so labels print with no config at all.

use serde::{Deserialize, Serialize};

/// The symbol that carries the asset tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Symbology {
    #[default]
    Code128,
    Datamatrix,
    Qr,
}

impl Symbology {
    pub fn as_str(self) -> &'static str {
        match self {
            Symbology::Code128 => "code128",
            Symbology::Datamatrix => "datamatrix",
            Symbology::Qr => "qr",
        }
    }
}

/// Which EPC an RFID label gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum EpcScheme {
    /// GIAI-96, filter 0: the company prefix and the asset's numeric id in
    /// the store (fits every 96-bit inlay).
    #[default]
    #[serde(rename = "giai-96")]
    Giai96,
    /// GIAI-202, filter 0: the company prefix and the asset tag itself (needs
    /// an inlay with 208 bits of EPC memory).
    #[serde(rename = "giai-202")]
    Giai202,
}

/// `[labels]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LabelsConfig {
    /// Where label jobs go: `file:DIR`, `lp:/dev/usb/lp0` or `tcp:HOST:9100`.
    /// Default: none (jobs wait in the queue; `scanstation label` writes files).
    pub printer: Option<String>,
    /// The printer's resolution: 203, 300 or 600 dots per inch. Default 203.
    pub dpi: u32,
    /// Label size in millimetres. Default 50 × 25.
    pub width_mm: f32,
    pub height_mm: f32,
    /// The tag's symbol: code128 (default), datamatrix or qr.
    pub symbology: Symbology,
    /// Write the asset's EPC to the label's RFID inlay. Default false.
    pub rfid: bool,
    /// Which EPC: "giai-96" (default) or "giai-202".
    pub epc: EpcScheme,
}

impl Default for LabelsConfig {
    fn default() -> Self {
        LabelsConfig {
            printer: None,
            dpi: 203,
            width_mm: 50.0,
            height_mm: 25.0,
            symbology: Symbology::Code128,
            rfid: false,
            epc: EpcScheme::Giai96,
        }
    }
}

impl LabelsConfig {
    /// Dots per millimetre (203 dpi = 8, 300 = 12, 600 = 24, as Zebra rounds them).
    pub fn dots_per_mm(&self) -> u32 {
        match self.dpi {
            300 => 12,
            600 => 24,
            _ => 8,
        }
    }

    /// The label's size in dots (width, height).
    pub fn size_dots(&self) -> (u32, u32) {
        let d = self.dots_per_mm() as f32;
        (
            (self.width_mm * d).round().max(1.0) as u32,
            (self.height_mm * d).round().max(1.0) as u32,
        )
    }

    /// What is wrong with these settings, for the operator.
    pub fn check(&self) -> Result<(), String> {
        if !matches!(self.dpi, 203 | 300 | 600) {
            return Err(format!("labels.dpi = {}: use 203, 300 or 600", self.dpi));
        }
        for (name, v) in [("width_mm", self.width_mm), ("height_mm", self.height_mm)] {
            if !(10.0..=300.0).contains(&v) {
                return Err(format!("labels.{name} = {v}: use 10 to 300 mm"));
            }
        }
        if let Some(p) = &self.printer {
            super::printer::PrinterSpec::parse(p)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_toml() {
        let d = LabelsConfig::default();
        assert_eq!(d.size_dots(), (400, 200));
        assert!(d.check().is_ok());
        let c: LabelsConfig = toml::from_str(
            "printer = \"tcp:10.0.0.5:9100\"\ndpi = 300\nsymbology = \"qr\"\nrfid = true\nepc = \"giai-202\"\n",
        )
        .unwrap();
        assert_eq!(c.size_dots(), (600, 300));
        assert_eq!(c.symbology, Symbology::Qr);
        assert_eq!(c.epc, EpcScheme::Giai202);
        assert!(c.check().is_ok());
        assert!(toml::from_str::<LabelsConfig>("colour = 1").is_err());
        let bad = LabelsConfig {
            dpi: 250,
            ..Default::default()
        };
        assert!(bad.check().unwrap_err().contains("203, 300 or 600"));
        let bad = LabelsConfig {
            printer: Some("ftp:x".into()),
            ..Default::default()
        };
        assert!(bad.check().is_err());
    }
}
