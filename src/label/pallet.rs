//! The disposal pallet's label: its SSCC-18 as GS1-128 with AI (00), the
//! human-readable `(00) 0 0614141 123456789 0` under it, the organisation
//! and the station with the date it was opened.
//!
//! GS1-128 is Code 128 starting with FNC1: in ZPL `^BC` data that is `>;`
//! (start in subset C, digits in pairs) then `>8` (FNC1), then `00` and the
//! 18 digits; rxing's writer gets the same content with FNC1 as `ñ`, so the
//! PNG preview is the same symbol and a scanner reads it back as `]C1`.
//! The label uses the configured stock (`[labels]` size and dpi), laid out
//! by the same [`super::layout`] as asset labels.

use super::{layout, png, symbol, zpl, LabelData, LabelError, LabelsConfig, Symbology};
use std::fmt::Write as _;

/// What a pallet label shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PalletLabel {
    /// The SSCC-18, digits only, check digit included.
    pub sscc: String,
    /// The GS1 company prefix's length in digits, to group the text as
    /// extension, prefix, serial reference and check digit; None prints the
    /// 18 digits as one group.
    pub prefix_len: Option<usize>,
    /// `[organisation] name` (the station id when empty).
    pub organisation: String,
    pub station: String,
    /// `YYYY-MM-DD`: when the pallet was opened.
    pub date: String,
}

/// An SSCC-18 with a valid check digit, else why not.
pub fn check_sscc(sscc: &str) -> Result<(), LabelError> {
    let bad = |detail: &str| LabelError::Encode {
        tag: sscc.to_string(),
        symbology: "gs1-128",
        detail: detail.to_string(),
    };
    if sscc.len() != 18 || !sscc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("an SSCC is 18 digits"));
    }
    let (body, check) = sscc.split_at(17);
    if crate::codec::gs1::check_digit(body.as_bytes()) != check.as_bytes()[0] {
        return Err(bad("the SSCC's check digit is wrong"));
    }
    Ok(())
}

/// The human-readable SSCC: `(00) 0 0614141 123456789 0`, or `(00) ` and
/// the 18 digits when the prefix length is unknown.
pub fn human_readable(sscc: &str, prefix_len: Option<usize>) -> String {
    match prefix_len {
        Some(p) if (6..=12).contains(&p) && sscc.len() == 18 && sscc.is_ascii() => format!(
            "(00) {} {} {} {}",
            &sscc[..1],
            &sscc[1..1 + p],
            &sscc[1 + p..17],
            &sscc[17..]
        ),
        _ => format!("(00) {sscc}"),
    }
}

/// The label's text lines as [`super::layout`] takes them.
fn data(p: &PalletLabel) -> LabelData {
    let org = if p.organisation.trim().is_empty() {
        p.station.clone()
    } else {
        p.organisation.clone()
    };
    LabelData {
        tag: human_readable(&p.sscc, p.prefix_len),
        model: Some(org),
        date: Some(format!("{} {}", p.station, p.date)),
        epc_hex: None,
    }
}

fn laid_out(
    p: &PalletLabel,
    cfg: &LabelsConfig,
) -> Result<(super::Matrix, super::Layout), LabelError> {
    check_sscc(&p.sscc)?;
    let cfg = LabelsConfig {
        symbology: Symbology::Code128,
        ..cfg.clone()
    };
    let m = symbol(&format!("\u{f1}00{}", p.sscc), Symbology::Code128)?;
    let l = layout(&data(p), &cfg, &m)?;
    Ok((m, l))
}

/// A font width (dots) that fits `chars` characters of ZPL's font 0 into
/// `room` dots: its characters are at most about 0.6 of the width setting.
fn fit_width(h: u32, room: u32, chars: usize) -> u32 {
    let chars = u32::try_from(chars).unwrap_or(u32::MAX).max(1);
    h.min(room.saturating_mul(5) / chars.saturating_mul(3))
        .max(8)
}

/// The pallet label as ZPL: one `^XA … ^XZ` block.
pub fn render_zpl(p: &PalletLabel, cfg: &LabelsConfig) -> Result<String, LabelError> {
    let (_, l) = laid_out(p, cfg)?;
    let mut z = String::with_capacity(320);
    // Infallible: writing to a String.
    let _ = write!(z, "^XA\n^CI28\n^PW{}\n^LL{}\n^LH0,0\n", l.width, l.height);
    let _ = writeln!(
        z,
        "^FO{},{}^BY{}^BCN,{},N,N,N^FD>;>800{}^FS",
        l.sym_x, l.sym_y, l.module, l.sym_h, p.sscc
    );
    for (x, y, h, text) in &l.lines {
        let w = fit_width(
            *h,
            l.width.saturating_sub(*x + 2 * l.module),
            text.chars().count(),
        );
        let _ = writeln!(z, "^FO{x},{y}^A0N,{h},{w}^FH^FD{}^FS", zpl::escape(text));
    }
    z.push_str("^XZ\n");
    Ok(z)
}

/// The pallet label as a grey image, one pixel per dot.
pub fn image(p: &PalletLabel, cfg: &LabelsConfig) -> Result<image::GrayImage, LabelError> {
    let (m, l) = laid_out(p, cfg)?;
    Ok(png::draw(&m, &l))
}

/// The pallet label as PNG bytes.
pub fn render_png(p: &PalletLabel, cfg: &LabelsConfig) -> Result<Vec<u8>, LabelError> {
    png::encode(&image(p, cfg)?, &p.sscc)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pallet() -> PalletLabel {
        PalletLabel {
            sscc: "006141411234567890".into(),
            prefix_len: Some(7),
            organisation: "Example Org".into(),
            station: "bench-1".into(),
            date: "2026-12-01".into(),
        }
    }

    #[test]
    fn human_readable_groups_the_sscc() {
        assert_eq!(
            human_readable("006141411234567890", Some(7)),
            "(00) 0 0614141 123456789 0"
        );
        assert_eq!(
            human_readable("006141411234567890", None),
            "(00) 006141411234567890"
        );
        assert_eq!(human_readable("0061", Some(7)), "(00) 0061");
    }

    #[test]
    fn an_sscc_is_checked_before_it_is_printed() {
        assert!(check_sscc("006141411234567890").is_ok());
        assert!(check_sscc("006141411234567891").is_err());
        assert!(check_sscc("00614141123456789").is_err());
        assert!(check_sscc("00614141123456789x").is_err());
        let mut p = pallet();
        p.sscc = "006141411234567891".into();
        assert!(render_zpl(&p, &LabelsConfig::default()).is_err());
    }

    #[test]
    fn gs1_128_with_fnc1_in_subset_c() {
        let z = render_zpl(&pallet(), &LabelsConfig::default()).unwrap();
        assert!(z.starts_with("^XA\n") && z.ends_with("^XZ\n"));
        assert!(z.contains("^FD>;>800006141411234567890^FS"), "{z}");
        assert!(z.contains("^FH^FD(00) 0 0614141 123456789 0^FS"), "{z}");
        assert!(z.contains("^FDExample Org^FS"));
        // Start C, FNC1, ten pairs, check, stop: 156 modules.
        let m = symbol("\u{f1}00006141411234567890", Symbology::Code128).unwrap();
        assert_eq!(m.width, 156);
    }
}
