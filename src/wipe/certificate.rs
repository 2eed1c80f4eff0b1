//! The certificate of sanitization: its fields, frozen when it is issued,
//! and their rendering as a PDF.
//!
//! The fields are those of the sample "Certificate of Sanitization" of NIST
//! SP 800-88 Rev. 1, Appendix G (person, media, sanitization, destination,
//! signature, validation), one media-and-sanitization block per medium, plus
//! what an auditor needs to tie the paper to the store: the certificate's
//! number, each record's nwipe log SHA-256, and the journal head (seq and
//! hash) it was issued at.
//!
//! **Same fields, same bytes.** [`render`] is a pure function: no clock
//! (the issue time is a field), no document ID, one of the PDF standard 14
//! fonts (Helvetica, not embedded, so no font file can change), and
//! pdf-writer, which writes objects in the order given. Re-rendering a
//! certificate from the store therefore reproduces its SHA-256.
//! pdf-writer was chosen over printpdf (which stamps creation dates and
//! document IDs unless told otherwise) and krilla (which embeds and subsets
//! fonts): the fewest moving parts for byte-identical output.

use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use serde::{Deserialize, Serialize};

/// A person block (performing, or validating).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub title: String,
    pub organisation: String,
    pub location: String,
    pub phone: String,
}

/// One medium and how it was sanitized.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediumBlock {
    pub make: String,
    pub model: String,
    pub serial: String,
    /// The media property number: the asset tag.
    pub property_number: String,
    pub media_type: String,
    /// "Source (user name or PC property number)".
    pub source: String,
    pub classification: String,
    pub data_backed_up: String,
    pub backup_location: String,
    /// Clear / Purge / Destroy.
    pub method_type: String,
    /// Overwrite / Block erase / Crypto erase / Degauss / …
    pub method_used: String,
    pub method_details: String,
    pub tool: String,
    pub verification: String,
    pub post_classification: String,
    pub result: String,
    pub started: String,
    pub ended: String,
    pub log_sha256: String,
    pub notes: String,
    pub destination: String,
}

/// Everything printed, frozen in the store when issued.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fields {
    pub number: String,
    pub issued_at: String,
    pub station: String,
    pub asset: String,
    pub person: Person,
    pub media: Vec<MediumBlock>,
    pub validation: Person,
    pub journal_seq: i64,
    pub journal_hash: String,
    /// The records certified (ids), to tell whether the asset changed since.
    pub sanitization_ids: Vec<i64>,
    /// A pallet's certificate (`certificate --batch`): its SSCC, the vendor it
    /// went to, and every asset on it (tag and what it holds). Empty for an
    /// asset's certificate, whose frozen fields carry none of these.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub batch: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub batch_vendor: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch_assets: Vec<BatchAsset>,
}

/// One asset of a pallet certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchAsset {
    pub tag: String,
    pub serial: String,
    /// How many media blocks it has (0: it holds no storage media).
    pub media: u32,
}

const PAGE_W: f32 = 595.0; // A4
const PAGE_H: f32 = 842.0;
const LEFT: f32 = 50.0;
const BOTTOM: f32 = 60.0;

/// Text for a WinAnsi-encoded standard font: Latin-1 bytes, anything else `?`.
fn win_ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match u32::from(c) {
            0x20..=0x7E | 0xA0..=0xFF => c as u8,
            _ => b'?',
        })
        .collect()
}

/// One line of text: font size, bold or not, where, what.
#[derive(Debug, Clone)]
struct Text {
    size: f32,
    bold: bool,
    x: f32,
    y: f32,
    text: String,
}

fn t(size: f32, bold: bool, indent: f32, text: String) -> Text {
    Text {
        size,
        bold,
        x: LEFT + indent,
        y: 0.0,
        text,
    }
}

/// The lines to print, in order (`y` is set by the layout).
fn lines(f: &Fields) -> Vec<Text> {
    let mut v: Vec<Text> = Vec::new();
    let h = |v: &mut Vec<Text>, s: &str| v.push(t(11.0, true, 0.0, s.to_string()));
    let kv = |v: &mut Vec<Text>, k: &str, val: &str| {
        let val = if val.is_empty() { "-" } else { val };
        v.push(t(9.0, false, 12.0, format!("{k}: {val}")));
    };
    v.push(t(16.0, true, 0.0, "Certificate of Sanitization".into()));
    let after = "After NIST SP 800-88 Rev. 1, Appendix G";
    v.push(t(9.0, false, 0.0, after.into()));
    v.push(t(
        10.0,
        false,
        0.0,
        format!("Certificate number: {}", f.number),
    ));
    if f.batch.is_empty() {
        let issued = format!(
            "Asset: {}    Issued: {} at station {}",
            f.asset, f.issued_at, f.station
        );
        v.push(t(10.0, false, 0.0, issued));
    } else {
        let issued = format!(
            "Pallet (SSCC): {}    Issued: {} at station {}",
            f.batch, f.issued_at, f.station
        );
        v.push(t(10.0, false, 0.0, issued));
        let vendor = if f.batch_vendor.is_empty() {
            "-"
        } else {
            &f.batch_vendor
        };
        v.push(t(10.0, false, 0.0, format!("Disposal vendor: {vendor}")));
        h(
            &mut v,
            &format!("Assets on the pallet ({})", f.batch_assets.len()),
        );
        for a in &f.batch_assets {
            let held = match a.media {
                0 => "holds no storage media".to_string(),
                1 => "1 medium".to_string(),
                n => format!("{n} media"),
            };
            let serial = if a.serial.is_empty() { "-" } else { &a.serial };
            kv(&mut v, &a.tag, &format!("serial {serial}, {held}"));
        }
    }
    h(&mut v, "Person performing sanitization");
    person(&mut v, &f.person, kv);
    for (i, m) in f.media.iter().enumerate() {
        h(
            &mut v,
            &format!("Media information ({} of {})", i + 1, f.media.len()),
        );
        kv(&mut v, "Make / vendor", &m.make);
        kv(&mut v, "Model number", &m.model);
        kv(&mut v, "Serial number", &m.serial);
        kv(&mut v, "Media property number", &m.property_number);
        kv(&mut v, "Media type", &m.media_type);
        kv(
            &mut v,
            "Source (user name or PC property number)",
            &m.source,
        );
        kv(&mut v, "Classification", &m.classification);
        kv(&mut v, "Data backed up", &m.data_backed_up);
        kv(&mut v, "Backup location", &m.backup_location);
        h(&mut v, "Sanitization details");
        kv(&mut v, "Method type", &m.method_type);
        kv(&mut v, "Method used", &m.method_used);
        kv(&mut v, "Method details", &m.method_details);
        kv(&mut v, "Tool used (and version)", &m.tool);
        kv(&mut v, "Verification method", &m.verification);
        kv(&mut v, "Result", &m.result);
        kv(
            &mut v,
            "Started / ended",
            &format!("{} / {}", m.started, m.ended),
        );
        kv(
            &mut v,
            "Post-sanitization classification",
            &m.post_classification,
        );
        kv(&mut v, "Tool log SHA-256", &m.log_sha256);
        kv(&mut v, "Notes", &m.notes);
        kv(&mut v, "Media destination", &m.destination);
    }
    h(&mut v, "Signature");
    kv(&mut v, "Signature", "");
    kv(&mut v, "Date", "");
    h(&mut v, "Validation");
    person(&mut v, &f.validation, kv);
    kv(&mut v, "Signature", "");
    kv(&mut v, "Date", "");
    h(&mut v, "Journal");
    kv(&mut v, "Issued at journal seq", &f.journal_seq.to_string());
    kv(&mut v, "Journal head hash", &f.journal_hash);
    v
}

fn person(v: &mut Vec<Text>, p: &Person, kv: impl Fn(&mut Vec<Text>, &str, &str)) {
    kv(v, "Name", &p.name);
    kv(v, "Title", &p.title);
    kv(v, "Organization", &p.organisation);
    kv(v, "Location", &p.location);
    kv(v, "Phone", &p.phone);
}

/// Renders the certificate. Pure: the same fields give the same bytes.
pub fn render(f: &Fields) -> Vec<u8> {
    // Lay the lines out on pages first.
    let mut pages: Vec<Vec<Text>> = vec![Vec::new()];
    let mut y = PAGE_H - 60.0;
    for mut line in lines(f) {
        let gap = if line.bold {
            line.size + 8.0
        } else {
            line.size + 3.0
        };
        if y - gap < BOTTOM {
            pages.push(Vec::new());
            y = PAGE_H - 60.0;
        }
        y -= gap;
        line.y = y;
        if let Some(p) = pages.last_mut() {
            p.push(line);
        }
    }

    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold_font = Ref::new(4);
    let mut next = 5;
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    let ids: Vec<(Ref, Ref)> = pages
        .iter()
        .map(|_| {
            let ids = (Ref::new(next), Ref::new(next + 1));
            next += 2;
            ids
        })
        .collect();
    pdf.pages(tree)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(ids.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold_font)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    let total = pages.len();
    for (n, (page_lines, (page_id, content_id))) in pages.iter().zip(&ids).enumerate() {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(*content_id);
        {
            let mut resources = page.resources();
            let mut fonts = resources.fonts();
            fonts.pair(Name(b"F1"), regular);
            fonts.pair(Name(b"F2"), bold_font);
        }
        page.finish();
        let mut c = Content::new();
        for l in page_lines {
            c.begin_text();
            c.set_font(Name(if l.bold { b"F2" } else { b"F1" }), l.size);
            c.next_line(l.x, l.y);
            c.show(Str(&win_ansi(&l.text)));
            c.end_text();
        }
        let footer = format!("{} - page {} of {}", f.number, n + 1, total);
        c.begin_text();
        c.set_font(Name(b"F1"), 8.0);
        c.next_line(LEFT, 30.0);
        c.show(Str(&win_ansi(&footer)));
        c.end_text();
        pdf.stream(*content_id, &c.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Fields {
        Fields {
            number: "CS-bench-1-000001".into(),
            issued_at: "2026-12-03T17:00:00.000Z".into(),
            station: "bench-1".into(),
            asset: "IT-0001".into(),
            person: Person {
                name: "Ana Technician".into(),
                ..Person::default()
            },
            media: vec![MediumBlock {
                serial: "S62ANJ0R123456X".into(),
                method_type: "Clear".into(),
                method_used: "Overwrite".into(),
                tool: "nwipe 0.42".into(),
                ..MediumBlock::default()
            }],
            validation: Person::default(),
            journal_seq: 42,
            journal_hash: "ab".repeat(32),
            sanitization_ids: vec![1],
            ..Fields::default()
        }
    }

    #[test]
    fn same_fields_same_bytes_and_a_change_shows() {
        let a = render(&sample());
        assert_eq!(a, render(&sample()));
        assert!(a.starts_with(b"%PDF-"));
        let mut other = sample();
        other.media[0].serial = "OTHER".into();
        assert_ne!(a, render(&other));
    }

    #[test]
    fn many_media_flow_onto_more_pages() {
        let mut f = sample();
        f.media = vec![f.media[0].clone(); 6];
        let bytes = render(&f);
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains("/Count 3") || text.contains("/Count 2"),
            "several pages"
        );
    }

    #[test]
    fn text_outside_latin1_is_replaced() {
        assert_eq!(win_ansi("a€b\u{1}é"), b"a?b?\xe9");
    }
}
