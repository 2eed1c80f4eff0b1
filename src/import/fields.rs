//! Parsing the values of CSV cells: dates, money, warranty months, GLNs, and
//! the location code derived from a name. Pure functions; each error message is
//! the part after `column "X": ` and quotes the value as written.

use time::{Date, Month};

/// `YYYY-MM-DD`, or Snipe-IT's `YYYY-MM-DD HH:MM:SS` (the time is dropped).
pub fn parse_date(s: &str) -> Result<Date, String> {
    let bad = || format!("\"{s}\" is not a date (YYYY-MM-DD)");
    let day = match s.split_once([' ', 'T']) {
        Some((d, t)) if valid_time(t) => d,
        Some(_) => return Err(bad()),
        None => s,
    };
    crate::timefmt::parse_date(day).ok_or_else(bad)
}

fn valid_time(t: &str) -> bool {
    let p: Vec<&str> = t.split(':').collect();
    (p.len() == 2 || p.len() == 3)
        && p.iter()
            .all(|x| x.len() == 2 && x.bytes().all(|b| b.is_ascii_digit()))
}

/// `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Digits after the decimal point for an ISO 4217 currency (2 unless listed).
pub fn minor_digits(currency: &str) -> u32 {
    const ZERO: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    let c = currency.to_ascii_uppercase();
    if ZERO.contains(&c.as_str()) {
        0
    } else if THREE.contains(&c.as_str()) {
        3
    } else {
        2
    }
}

/// An ISO 4217 code: three ASCII letters, returned upper-case.
pub fn parse_currency(s: &str) -> Result<String, String> {
    if s.len() == 3 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(s.to_ascii_uppercase())
    } else {
        Err(format!(
            "\"{s}\" is not a currency code (three letters, e.g. EUR)"
        ))
    }
}

/// `1299.50` or `1,299.50` (comma as thousands separator) in integer minor units.
pub fn parse_cost(s: &str, digits: u32) -> Result<i64, String> {
    let bad = || format!("\"{s}\" is not an amount (like 1299.50 or 1,299.50)");
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, f),
        None => (s, ""),
    };
    if int.is_empty() || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if frac.len() > digits as usize {
        return Err(format!("\"{s}\" has more than {digits} decimals"));
    }
    // Thousands separators: groups of three after the first group.
    let groups: Vec<&str> = int.split(',').collect();
    if groups
        .iter()
        .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
        || (groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)))
    {
        return Err(bad());
    }
    let digits_str: String = groups.concat();
    let whole: i64 = digits_str.parse().map_err(|_| bad())?;
    let mut f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    for _ in frac.len()..digits as usize {
        f *= 10;
    }
    whole
        .checked_mul(10i64.pow(digits))
        .and_then(|w| w.checked_add(f))
        .ok_or_else(bad)
}

/// Minor units back to text, `1299.50` (no thousands separators).
pub fn format_cost(minor: i64, digits: u32) -> String {
    if digits == 0 {
        return minor.to_string();
    }
    let p = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        m / p as u64,
        m % p as u64,
        width = digits as usize
    )
}

/// Warranty in months: `36` or `36 months`.
pub fn parse_months(s: &str) -> Result<u32, String> {
    let n = s
        .strip_suffix("months")
        .or_else(|| s.strip_suffix("month"))
        .unwrap_or(s)
        .trim();
    match n.parse::<u32>() {
        Ok(m) if m <= 1200 => Ok(m),
        _ => Err(format!("\"{s}\" is not a number of months")),
    }
}

/// `date` plus `months`, clamped to the month's last day (2024-01-31 + 1 = 2024-02-29).
pub fn add_months(date: Date, months: u32) -> Option<Date> {
    let total = date.year() as i64 * 12 + (u8::from(date.month()) as i64 - 1) + months as i64;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = Month::try_from((total.rem_euclid(12) + 1) as u8).ok()?;
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).ok()
}

/// The whole months from `start` to `end` when `end` is exactly that many after it.
pub fn months_between(start: Date, end: Date) -> Option<u32> {
    let diff = (end.year() as i64 * 12 + u8::from(end.month()) as i64)
        - (start.year() as i64 * 12 + u8::from(start.month()) as i64);
    let m = u32::try_from(diff).ok()?;
    (add_months(start, m) == Some(end)).then_some(m)
}

/// A GLN: 13 digits whose last is the GS1 mod-10 check digit.
pub fn check_gln(s: &str) -> Result<(), String> {
    if s.len() != 13 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("\"{s}\" is not a GLN (13 digits)"));
    }
    let want = crate::codec::gs1::check_digit(&s.as_bytes()[..12]) - b'0';
    let got = s.as_bytes()[12] - b'0';
    if want == got {
        Ok(())
    } else {
        Err(format!(
            "\"{s}\": GLN check digit is {got}, expected {want}"
        ))
    }
}

/// A scannable location code derived from a name: `LOC-` and the name
/// upper-cased, runs of anything but letters and digits as one `-`, at most 32
/// characters after the prefix. `None` when the name has no letter or digit.
pub fn derive_location_code(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        return None;
    }
    out.truncate(32);
    Some(format!("LOC-{}", out.trim_end_matches('-')))
}

/// Text that may be a code: no control characters, not too long.
pub fn check_code(s: &str, max: usize) -> Result<(), String> {
    if s.chars().any(char::is_control) {
        return Err(format!("{s:?} contains control characters"));
    }
    if s.chars().count() > max {
        return Err(format!("\"{s}\" is longer than {max} characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-03-01"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(parse_date("2024-03-01 12:30:00"), Ok(date!(2024 - 03 - 01)));
        assert_eq!(
            parse_date("2024-13-01").unwrap_err(),
            "\"2024-13-01\" is not a date (YYYY-MM-DD)"
        );
        for bad in [
            "2024-02-30",
            "01/03/2024",
            "2024-3-1",
            "2024-03-01 noon",
            "",
            "２０２４-01-01",
        ] {
            assert!(parse_date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn costs() {
        assert_eq!(parse_cost("1299.50", 2), Ok(129950));
        assert_eq!(parse_cost("1,299.50", 2), Ok(129950));
        assert_eq!(parse_cost("1,299,000", 2), Ok(129900000));
        assert_eq!(parse_cost("7.5", 2), Ok(750));
        assert_eq!(parse_cost("1500", 0), Ok(1500));
        for bad in [
            "",
            "12,99.50",
            "1.299,50",
            "abc",
            "1.234",
            "-5",
            ".5",
            "1,2345",
            "99999999999999999999",
        ] {
            assert!(parse_cost(bad, 2).is_err(), "{bad}");
        }
        assert_eq!(format_cost(129950, 2), "1299.50");
        assert_eq!(format_cost(5, 2), "0.05");
        assert_eq!(format_cost(1500, 0), "1500");
    }

    #[test]
    fn months() {
        assert_eq!(parse_months("36"), Ok(36));
        assert_eq!(parse_months("36 months"), Ok(36));
        assert!(parse_months("three").is_err());
        assert_eq!(
            add_months(date!(2024 - 01 - 31), 1),
            Some(date!(2024 - 02 - 29))
        );
        assert_eq!(
            add_months(date!(2024 - 03 - 15), 36),
            Some(date!(2027 - 03 - 15))
        );
        assert_eq!(
            months_between(date!(2024 - 03 - 15), date!(2027 - 03 - 15)),
            Some(36)
        );
        assert_eq!(
            months_between(date!(2024 - 03 - 15), date!(2027 - 03 - 16)),
            None
        );
    }

    #[test]
    fn glns() {
        assert!(check_gln("0614141000012").is_ok());
        assert!(check_gln("0614141000013")
            .unwrap_err()
            .contains("expected 2"));
        assert!(check_gln("061414100001").is_err());
    }

    #[test]
    fn derived_codes() {
        assert_eq!(
            derive_location_code("Building A / Room 101").as_deref(),
            Some("LOC-BUILDING-A-ROOM-101")
        );
        assert_eq!(derive_location_code(" -- "), None);
        let long = derive_location_code(&"x".repeat(100)).unwrap();
        assert_eq!(long.len(), 36);
    }
}
