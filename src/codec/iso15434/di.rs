//! ANSI MH10.8.2 data identifiers (format 06): how a field splits into a DI and
//! its value, the DIs the station knows with their titles, and the checks a
//! tolerant decoder turns into warnings (never refusals).
//!
//! The table holds the DIs found on IT and electronics labels (standards.md
//! lists them; the distributors' labels that InvenTree's supplier plugins read
//! add `10K` and `13Z`). A DI that is well formed but not here is kept and
//! warned about as unknown, so a label from a vendor we have not met still
//! gives every field.

use crate::codec::gs1;

/// What a DI's value must look like, checked into warnings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// `YYMMDD`.
    Yymmdd,
    /// `YYYYMMDD`.
    Yyyymmdd,
    /// `YYWW`.
    Yyww,
    /// `YYYYWW`.
    Yyyyww,
    /// ISO 3166-1 alpha-2, or `AA` for mixed origin.
    Country,
    /// A count: digits, optionally with one decimal point.
    Quantity,
    /// A GTIN-14 with its check digit.
    Gtin,
}

/// One known data identifier.
#[derive(Debug, Clone, Copy)]
pub struct Di {
    pub di: &'static str,
    pub title: &'static str,
    pub check: Check,
}

const fn di(di: &'static str, title: &'static str, check: Check) -> Di {
    Di { di, title, check }
}

/// The data identifiers the station knows, by category letter then number.
pub static TABLE: &[Di] = &[
    di("D", "Date (YYMMDD)", Check::Yymmdd),
    di("9D", "Date code", Check::None),
    di("10D", "Date (YYWW)", Check::Yyww),
    di("11D", "Date (YYYYWW)", Check::Yyyyww),
    di("14D", "Expiry date (YYYYMMDD)", Check::Yyyymmdd),
    di("16D", "Production date (YYYYMMDD)", Check::Yyyymmdd),
    di("J", "Licence plate", Check::None),
    di("K", "Customer purchase order", Check::None),
    di("1K", "Supplier order number", Check::None),
    di("2K", "Bill of lading number", Check::None),
    di("4K", "Purchase order line", Check::None),
    di("10K", "Invoice number", Check::None),
    di("11K", "Packing list number", Check::None),
    di("4L", "Country of origin", Check::Country),
    di("P", "Customer item id", Check::None),
    di("1P", "Supplier part number", Check::None),
    di("2P", "Revision", Check::None),
    di("8P", "GTIN", Check::Gtin),
    di("30P", "First-level id (distributor SKU)", Check::None),
    di("Q", "Quantity", Check::Quantity),
    di("7Q", "Quantity and unit of measure", Check::None),
    di("S", "Serial number", Check::None),
    di(
        "1S",
        "Additional lifetime code (computer serial)",
        Check::None,
    ),
    di("3S", "Package id (single level)", Check::None),
    di("4S", "Package id (multi-level)", Check::None),
    di("5S", "Package id (mixed)", Check::None),
    di("11S", "Fixed asset id", Check::None),
    di("T", "Customer lot", Check::None),
    di("1T", "Supplier lot", Check::None),
    di("1V", "Supplier code", Check::None),
    di("12V", "Manufacturer DUNS", Check::None),
    di("17V", "CAGE code", Check::None),
    di("11Z", "Free text", Check::None),
    di("12Z", "Free text", Check::None),
    di("13Z", "Free text", Check::None),
    di("14Z", "Free text", Check::None),
    di("15Z", "Free text", Check::None),
    di("16Z", "Free text", Check::None),
    di("17Z", "Free text", Check::None),
    di("18Z", "Free text", Check::None),
    di("19Z", "Free text", Check::None),
    di("20Z", "Free text", Check::None),
];

/// The known DI `di`, if any. Every field of a label looks its DI up, and
/// string comparisons against the whole table were most of a field's
/// decoding time: a DI (at most 4 ASCII bytes, none zero) packs into a
/// `u32`, searched in the table's keys sorted once.
pub fn lookup(di: &str) -> Option<&'static Di> {
    static SORTED: std::sync::OnceLock<Vec<(u32, &'static Di)>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v: Vec<(u32, &'static Di)> =
            TABLE.iter().filter_map(|d| Some((key(d.di)?, d))).collect();
        v.sort_by_key(|(k, _)| *k);
        v
    });
    let k = key(di)?;
    sorted
        .binary_search_by_key(&k, |(k, _)| *k)
        .ok()
        .map(|i| sorted[i].1)
}

/// A DI's bytes packed into a `u32` (1–4 bytes, none zero, so distinct DIs
/// give distinct keys); `None` for anything longer or empty.
fn key(di: &str) -> Option<u32> {
    let b = di.as_bytes();
    if b.is_empty() || b.len() > 4 || b.contains(&0) {
        return None;
    }
    Some(b.iter().fold(0u32, |k, &c| k << 8 | u32::from(c)))
}

/// The title of a DI (`"1P"` → `"Supplier part number"`), `""` when unknown.
pub fn title(di: &str) -> &'static str {
    lookup(di).map_or("", |d| d.title)
}

/// Splits a format 06 field into its DI (0–3 digits and one upper-case
/// letter, `^\d{0,3}[A-Z]`) and value (the rest, possibly empty). `None` when
/// the field does not start with a DI.
pub fn split(field: &str) -> Option<(&str, &str)> {
    let b = field.as_bytes();
    let digits = b.iter().take(4).take_while(|c| c.is_ascii_digit()).count();
    if digits > 3 {
        return None;
    }
    match b.get(digits) {
        // ASCII bytes, so `digits + 1` is a char boundary.
        Some(c) if c.is_ascii_uppercase() => Some((&field[..=digits], &field[digits + 1..])),
        _ => None,
    }
}

/// What is wrong with a value of `check`, in words, or `None`.
pub fn problem(check: Check, v: &str) -> Option<&'static str> {
    let b = v.as_bytes();
    let digits = |n: usize| b.len() == n && b.iter().all(u8::is_ascii_digit);
    let num = |r: std::ops::Range<usize>| -> u32 {
        b[r].iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0'))
    };
    let date_ok = |m: u32, d: u32| (1..=12).contains(&m) && (1..=31).contains(&d);
    match check {
        Check::None => None,
        Check::Yymmdd => {
            (!(digits(6) && date_ok(num(2..4), num(4..6)))).then_some("is not a date YYMMDD")
        }
        Check::Yyyymmdd => {
            (!(digits(8) && date_ok(num(4..6), num(6..8)))).then_some("is not a date YYYYMMDD")
        }
        Check::Yyww => {
            (!(digits(4) && (1..=53).contains(&num(2..4)))).then_some("is not a week YYWW")
        }
        Check::Yyyyww => {
            (!(digits(6) && (1..=53).contains(&num(4..6)))).then_some("is not a week YYYYWW")
        }
        Check::Country => (!(v == "AA" || gs1::ISO3166_ALPHA2.contains(&v)))
            .then_some("is not an ISO 3166 alpha-2 country code"),
        Check::Quantity => {
            let dots = b.iter().filter(|&&c| c == b'.').count();
            let ok = !b.is_empty()
                && dots <= 1
                && b.iter().any(u8::is_ascii_digit)
                && b.iter().all(|&c| c.is_ascii_digit() || c == b'.');
            (!ok).then_some("is not a quantity")
        }
        Check::Gtin => {
            let ok = digits(14) && gs1::check_digit(&b[..13]) == b[13];
            (!ok).then_some("is not a GTIN-14 with a good check digit")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_di_of_the_table_is_found_once() {
        for d in TABLE {
            let found = lookup(d.di).unwrap();
            assert!(std::ptr::eq(found, d), "{} twice in the table", d.di);
        }
        assert!(lookup("99Z").is_none());
        assert!(lookup("").is_none());
        assert_eq!(title("1P"), "Supplier part number");
    }

    #[test]
    fn splits_dis() {
        assert_eq!(split("1PLM358BIDDFR"), Some(("1P", "LM358BIDDFR")));
        assert_eq!(split("K"), Some(("K", "")));
        assert_eq!(split("30P296-LM358"), Some(("30P", "296-LM358")));
        assert_eq!(split("4LPH"), Some(("4L", "PH")));
        assert_eq!(split("123S9"), Some(("123S", "9")));
        assert_eq!(split("1234S9"), None);
        assert_eq!(split("pnonsense"), None);
        assert_eq!(split("12"), None);
        assert_eq!(split(""), None);
        assert_eq!(split("1é"), None);
    }

    #[test]
    fn checks() {
        assert_eq!(problem(Check::Yymmdd, "261128"), None);
        assert!(problem(Check::Yymmdd, "261328").is_some());
        assert_eq!(problem(Check::Yyyymmdd, "20261128"), None);
        assert!(problem(Check::Yyyymmdd, "2026112").is_some());
        assert_eq!(problem(Check::Yyww, "2648"), None);
        assert!(problem(Check::Yyww, "2654").is_some());
        assert_eq!(problem(Check::Yyyyww, "202601"), None);
        assert_eq!(problem(Check::Country, "PH"), None);
        assert_eq!(problem(Check::Country, "AA"), None);
        assert!(problem(Check::Country, "XX").is_some());
        assert_eq!(problem(Check::Quantity, "10"), None);
        assert_eq!(problem(Check::Quantity, "2.5"), None);
        assert!(problem(Check::Quantity, "ten").is_some());
        assert!(problem(Check::Quantity, ".").is_some());
        assert_eq!(problem(Check::Gtin, "09506000134352"), None);
        assert!(problem(Check::Gtin, "09506000134353").is_some());
    }

    #[test]
    fn table_is_well_formed_and_unique() {
        for (i, d) in TABLE.iter().enumerate() {
            assert_eq!(split(d.di), Some((d.di, "")), "{}", d.di);
            assert!(!d.title.is_empty());
            assert!(TABLE[..i].iter().all(|e| e.di != d.di), "{} twice", d.di);
        }
        assert!(lookup("2T").is_none(), "2T is not defined");
    }
}
