//! The SSCC-18 that identifies a pallet: extension digit, company prefix,
//! serial reference from this station's range, GS1 check digit. Pure.

use crate::codec::gs1::check_digit;

/// The SSCC-18 for serial reference `serial`: extension digit, company
/// prefix, the serial reference padded to fill 17 digits, check digit.
/// `None` when the prefix is not 6–12 digits or the serial does not fit.
pub fn sscc(prefix: &str, extension: u8, serial: u64) -> Option<String> {
    if !(6..=12).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if extension > 9 {
        return None;
    }
    let width = 16 - prefix.len();
    let body = format!("{extension}{prefix}{serial:0width$}");
    if body.len() != 17 {
        return None;
    }
    let check = char::from(check_digit(body.as_bytes()));
    Some(format!("{body}{check}"))
}

/// The next SSCC of this station's range, given those it already made.
/// Pure. Err says why there is none.
pub fn next_sscc(
    prefix: &str,
    extension: u8,
    start: u64,
    end: u64,
    used: &[String],
) -> Result<String, String> {
    let probe = sscc(prefix, extension, start).ok_or_else(|| {
        format!("[organisation] gs1_company_prefix {prefix:?} is not 6–12 digits")
    })?;
    let width = 16 - prefix.len();
    let head = &probe[..1 + prefix.len()];
    let last = used
        .iter()
        .filter(|s| s.len() == 18 && s.starts_with(head))
        .filter_map(|s| s[1 + prefix.len()..17].parse::<u64>().ok())
        .filter(|n| (start..=end).contains(n))
        .max();
    let next = last.map_or(start, |n| n + 1);
    if next > end {
        return Err(format!(
            "this station's SSCC range {start}–{end} is used up: give it a new [disposal] sscc_serial_start/end"
        ));
    }
    sscc(prefix, extension, next).ok_or_else(|| {
        format!("serial {next} does not fit the {width} digits the company prefix leaves")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssccs_are_18_digits_with_a_check_digit_and_stay_in_range() {
        // The GS1 General Specifications' example SSCC.
        assert_eq!(
            sscc("0614141", 1, 123_456_789).as_deref(),
            Some("106141411234567897")
        );
        assert_eq!(sscc("12345", 0, 1), None, "a prefix is 6–12 digits");
        assert_eq!(sscc("0614141", 0, 1_000_000_000), None, "9 digits left");
        let used = vec![
            sscc("0614141", 3, 10).unwrap(),
            sscc("0614141", 3, 11).unwrap(),
        ];
        assert_eq!(
            next_sscc("0614141", 3, 10, 12, &used).unwrap(),
            sscc("0614141", 3, 12).unwrap()
        );
        assert!(next_sscc("0614141", 3, 10, 11, &used).is_err());
        assert_eq!(
            next_sscc("0614141", 3, 10, 12, &[]).unwrap(),
            sscc("0614141", 3, 10).unwrap()
        );
    }
}
