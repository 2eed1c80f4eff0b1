//! ZPL II for Zebra printers: one `^XA … ^XZ` block per label.
//!
//! Field data goes through `^FH` (hex escapes with `_`), so a tag or model
//! containing `^`, `~` or `_` cannot end a field or start a command; `^CI28`
//! makes the printer read the rest as UTF-8. Sizes come from the shared
//! [`super::Layout`], so the printed label matches the PNG preview.

use super::{layout, symbol, LabelData, LabelError, LabelsConfig, Symbology};
use std::fmt::Write as _;

/// Field data with ZPL's command characters and control characters
/// hex-escaped for `^FH`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '^' | '~' | '_' => {
                let _ = write!(out, "_{:02X}", c as u32);
            }
            c if (c as u32) < 0x20 || c == '\u{7F}' => {
                let _ = write!(out, "_{:02X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// The label as ZPL.
pub fn render(data: &LabelData, cfg: &LabelsConfig) -> Result<String, LabelError> {
    let m = symbol(&data.tag, cfg.symbology)?;
    let l = layout(data, cfg, &m)?;
    let mut z = String::with_capacity(256);
    let tag = escape(&data.tag);
    // Infallible: writing to a String.
    let _ = write!(z, "^XA\n^CI28\n^PW{}\n^LL{}\n^LH0,0\n", l.width, l.height);
    if let Some(hex) = &data.epc_hex {
        let _ = write!(z, "^RS8\n^RFW,H^FD{hex}^FS\n");
    }
    match cfg.symbology {
        Symbology::Code128 => {
            let _ = writeln!(
                z,
                "^FO{},{}^BY{}^BCN,{},N,N,N,A^FH^FD{tag}^FS",
                l.sym_x, l.sym_y, l.module, l.sym_h
            );
        }
        Symbology::Datamatrix => {
            let _ = writeln!(
                z,
                "^FO{},{}^BXN,{},200^FH^FD{tag}^FS",
                l.sym_x, l.sym_y, l.module
            );
        }
        Symbology::Qr => {
            let _ = writeln!(
                z,
                "^FO{},{}^BQN,2,{}^FH^FDQA,{tag}^FS",
                l.sym_x, l.sym_y, l.module
            );
        }
    }
    for (x, y, h, text) in &l.lines {
        let _ = writeln!(z, "^FO{x},{y}^A0N,{h},{h}^FH^FD{}^FS", escape(text));
    }
    z.push_str("^XZ\n");
    Ok(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_command_characters() {
        assert_eq!(escape("A^B~C_D"), "A_5EB_7EC_5FD");
        assert_eq!(escape("x\u{1d}y"), "x_1Dy");
        assert_eq!(escape("Café"), "Café");
    }

    #[test]
    fn one_block_with_rfid() {
        let cfg = LabelsConfig {
            rfid: true,
            ..Default::default()
        };
        let data = LabelData {
            tag: "A-1001".into(),
            model: Some("T14^bad".into()),
            date: Some("2026-11-20".into()),
            epc_hex: Some("3414257BF40000000000162E".into()),
        };
        let z = render(&data, &cfg).unwrap();
        assert!(z.starts_with("^XA\n") && z.ends_with("^XZ\n"));
        assert_eq!(z.matches("^XA").count(), 1);
        assert!(z.contains("^RFW,H^FD3414257BF40000000000162E^FS"));
        assert!(z.contains("^FH^FDA-1001^FS"));
        assert!(z.contains("^FDT14_5Ebad^FS"));
    }
}
