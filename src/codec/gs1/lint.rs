//! The content checks the dictionary names ("linters"), as plain functions.
//!
//! Each rule follows GS1's reference linters (gs1/gs1-syntax-engine,
//! `src/c-lib/syntax/lint_*.c`), rewritten here; the character set has already
//! been checked when a linter runs, so values are ASCII.

use super::code_lists::{ISO3166_ALPHA2, ISO3166_NUM, ISO4217_NUM, PACKAGE_TYPES};
use super::error::{Gs1Error, Lint};
use super::spec::Linter;

/// Shortest GS1 Company Prefix: four digits (GS1 General Specifications).
const GCP_MIN_LENGTH: usize = 4;

/// Run one linter over one component's data.
pub fn run(linter: Linter, ai: &'static str, v: &[u8]) -> Result<(), Gs1Error> {
    let fail = |problem: Lint| Err(Gs1Error::Lint { ai, problem });
    match linter {
        Linter::Csum => csum(ai, v),
        Linter::CsumAlpha => csum_alpha(ai, v),
        Linter::GcpPos1 | Linter::Key => gcp(ai, v),
        Linter::GcpPos2 | Linter::KeyOff1 => gcp(ai, v.get(1..).unwrap_or_default()),
        Linter::Yymmd0 => date(ai, v, 2, true),
        Linter::Yymmdd => date(ai, v, 2, false),
        Linter::Yyyymmdd => date(ai, v, 4, false),
        Linter::Yyyymmd0 => date(ai, v, 4, true),
        Linter::Hhmi => {
            range(ai, v.get(..2).unwrap_or(v), 23, Lint::Hour)?;
            range(ai, v.get(2..).unwrap_or_default(), 59, Lint::Minute)
        }
        Linter::Hh => range(ai, v, 23, Lint::Hour),
        Linter::Mi => range(ai, v, 59, Lint::Minute),
        Linter::Ss => range(ai, v, 59, Lint::Second),
        Linter::Iso3166 => need(ai, listed(v, &ISO3166_NUM), || Lint::Country(text(v))),
        Linter::Iso3166999 => {
            if v == b"999" || listed(v, &ISO3166_NUM) {
                Ok(())
            } else {
                fail(Lint::CountryOr999(text(v)))
            }
        }
        Linter::Iso3166Alpha2 => need(ai, listed(v, &ISO3166_ALPHA2), || {
            Lint::CountryAlpha2(text(v))
        }),
        Linter::Iso4217 => need(ai, listed(v, &ISO4217_NUM), || Lint::Currency(text(v))),
        Linter::Iso5218 => match v {
            b"0" | b"1" | b"2" | b"9" => Ok(()),
            _ => fail(Lint::Sex(text(v))),
        },
        Linter::Pcenc => need(ai, pcenc(v), || Lint::Percent),
        Linter::Zero => {
            if v == b"0" {
                Ok(())
            } else {
                fail(Lint::NotZero)
            }
        }
        Linter::NonZero => {
            if v.iter().all(|&c| c == b'0') {
                fail(Lint::Zero)
            } else {
                Ok(())
            }
        }
        Linter::NoZeroPrefix => {
            if v.len() > 1 && v[0] == b'0' {
                fail(Lint::ZeroPrefix)
            } else {
                Ok(())
            }
        }
        Linter::HasNonDigit => {
            if v.iter().all(u8::is_ascii_digit) {
                fail(Lint::AllDigits)
            } else {
                Ok(())
            }
        }
        Linter::Iban => iban(v).map_err(|why| Gs1Error::Lint {
            ai,
            problem: Lint::Iban(why),
        }),
        Linter::MediaType => {
            let n = number(v);
            if v.len() == 2 && matches!(n, Some(1..=10 | 80..=99)) {
                Ok(())
            } else {
                fail(Lint::MediaType(text(v)))
            }
        }
        Linter::PackageType => need(ai, listed(v, &PACKAGE_TYPES), || Lint::PackageType(text(v))),
        Linter::PieceOfTotal => piece_of_total(v).or_else(|(p, t)| fail(Lint::PieceOfTotal(p, t))),
        Linter::PosInSeqSlash => {
            if pos_in_seq(v) {
                Ok(())
            } else {
                fail(Lint::Position(text(v)))
            }
        }
        Linter::Winding => match v {
            b"0" | b"1" | b"9" => Ok(()),
            _ => fail(Lint::Winding(text(v))),
        },
        Linter::YesNo => match v {
            b"0" | b"1" => Ok(()),
            _ => fail(Lint::YesNo(text(v))),
        },
        Linter::Hyphen => {
            if v.iter().all(|&c| c == b'-') {
                Ok(())
            } else {
                fail(Lint::Hyphen(text(v)))
            }
        }
        Linter::ImporterIdx => match v {
            [c] if c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_' => Ok(()),
            _ => fail(Lint::ImporterIdx(text(v))),
        },
        Linter::Latitude => {
            if v.len() == 10 && number(v).is_some_and(|n| n <= 1_800_000_000) {
                Ok(())
            } else {
                fail(Lint::Latitude(text(v)))
            }
        }
        Linter::Longitude => {
            if v.len() == 10 && number(v).is_some_and(|n| n <= 3_600_000_000) {
                Ok(())
            } else {
                fail(Lint::Longitude(text(v)))
            }
        }
        // Coupon structures are not checked yet: the value still had to pass CSET 82.
        Linter::CouponCode | Linter::CouponPosOffer => Ok(()),
    }
}

fn text(v: &[u8]) -> String {
    String::from_utf8_lossy(v).into_owned()
}

fn listed(v: &[u8], list: &[&str]) -> bool {
    list.binary_search_by(|e| e.as_bytes().cmp(v)).is_ok()
}

fn need(ai: &'static str, ok: bool, problem: impl FnOnce() -> Lint) -> Result<(), Gs1Error> {
    if ok {
        Ok(())
    } else {
        Err(Gs1Error::Lint {
            ai,
            problem: problem(),
        })
    }
}

fn number(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 18 || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |n, &c| n * 10 + u64::from(c - b'0')))
}

/// The GS1 mod-10 check digit for `data` (the digits before the check digit).
pub fn check_digit(data: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, &c) in data.iter().rev().enumerate() {
        let d = u32::from(c.wrapping_sub(b'0'));
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    b'0' + ((10 - sum % 10) % 10) as u8
}

fn csum(ai: &'static str, v: &[u8]) -> Result<(), Gs1Error> {
    let Some((&got, data)) = v.split_last() else {
        return Err(Gs1Error::Length {
            ai,
            len: 0,
            expect: super::error::Expect::AtLeast(1),
        });
    };
    let expected = check_digit(data);
    if got == expected {
        Ok(())
    } else {
        Err(Gs1Error::CheckDigit {
            ai,
            got: char::from(got),
            expected: char::from(expected),
        })
    }
}

const CSET82_ORDER: &[u8] =
    b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const CSET32: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const PRIMES: [u32; 97] = [
    2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97,
    101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167, 173, 179, 181, 191, 193,
    197, 199, 211, 223, 227, 229, 233, 239, 241, 251, 257, 263, 269, 271, 277, 281, 283, 293, 307,
    311, 313, 317, 331, 337, 347, 349, 353, 359, 367, 373, 379, 383, 389, 397, 401, 409, 419, 421,
    431, 433, 439, 443, 449, 457, 461, 463, 467, 479, 487, 491, 499, 503, 509,
];

/// The GS1 alphanumeric check character pair for `data` (CSET 82 characters).
pub fn check_pair(data: &[u8]) -> Option<[u8; 2]> {
    if data.len() > PRIMES.len() {
        return None;
    }
    let mut sum = 0u32;
    for (c, p) in data.iter().rev().zip(PRIMES.iter()) {
        let w = CSET82_ORDER.iter().position(|x| x == c)? as u32;
        sum += w * p;
    }
    let sum = (sum % 1021) as usize;
    Some([CSET32[sum >> 5], CSET32[sum & 31]])
}

fn csum_alpha(ai: &'static str, v: &[u8]) -> Result<(), Gs1Error> {
    let bad = |got: &[u8], expected: String| Gs1Error::CheckPair {
        ai,
        got: text(got),
        expected,
    };
    if v.len() < 2 {
        return Err(bad(v, "two check characters".into()));
    }
    let (data, got) = v.split_at(v.len() - 2);
    match check_pair(data) {
        Some(expected) if expected == got => Ok(()),
        Some(expected) => Err(bad(got, text(&expected))),
        None => Err(bad(got, "a valid pair".into())),
    }
}

fn gcp(ai: &'static str, v: &[u8]) -> Result<(), Gs1Error> {
    if v.len() < GCP_MIN_LENGTH || !v[..GCP_MIN_LENGTH].iter().all(u8::is_ascii_digit) {
        return Err(Gs1Error::Lint {
            ai,
            problem: Lint::NoCompanyPrefix,
        });
    }
    Ok(())
}

fn two(v: &[u8], at: usize) -> Option<u32> {
    let s = v.get(at..at + 2)?;
    number(s).map(|n| n as u32)
}

fn date(ai: &'static str, v: &[u8], year_digits: usize, day_zero_ok: bool) -> Result<(), Gs1Error> {
    let fail = |problem: Lint| Err(Gs1Error::Lint { ai, problem });
    let year = number(v.get(..year_digits).unwrap_or_default());
    let month = two(v, year_digits);
    let day = two(v, year_digits + 2);
    let (Some(year), Some(month), Some(day)) = (year, month, day) else {
        return fail(Lint::Month(text(v)));
    };
    if v.len() != year_digits + 4 {
        return fail(Lint::Day(text(v)));
    }
    if !(1..=12).contains(&month) {
        return fail(Lint::Month(format!("{month:02}")));
    }
    // Two-digit years: GS1's century window keeps them within 2000-2099
    // for a long while yet, where every fourth year is a leap year.
    let leap = if year_digits == 2 {
        year % 4 == 0
    } else {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    };
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day > days || (day == 0 && !day_zero_ok) {
        return fail(Lint::Day(format!("{day:02}")));
    }
    Ok(())
}

fn range(
    ai: &'static str,
    v: &[u8],
    max: u64,
    problem: fn(String) -> Lint,
) -> Result<(), Gs1Error> {
    match number(v) {
        Some(n) if v.len() == 2 && n <= max => Ok(()),
        _ => Err(Gs1Error::Lint {
            ai,
            problem: problem(text(v)),
        }),
    }
}

fn pcenc(v: &[u8]) -> bool {
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%' {
            match v.get(i + 1..i + 3) {
                Some([a, b]) if a.is_ascii_hexdigit() && b.is_ascii_hexdigit() => i += 3,
                _ => return false,
            }
        } else {
            i += 1;
        }
    }
    true
}

fn iban(v: &[u8]) -> Result<(), &'static str> {
    if v.len() < 4 {
        return Err("is too short");
    }
    if !listed(&v[..2], &ISO3166_ALPHA2) {
        return Err("does not start with a country code");
    }
    if v.len() > 34 {
        return Err("is too long");
    }
    if v.len() <= 10 {
        return Err("is too short");
    }
    let mut sum = 0u32;
    for &c in v[4..].iter().chain(&v[..4]) {
        let w = match c {
            b'0'..=b'9' => u32::from(c - b'0'),
            b'A'..=b'Z' => u32::from(c - b'A') + 10,
            _ => return Err("has a character other than 0-9 and A-Z"),
        };
        sum = (sum * if w < 10 { 10 } else { 100 } + w) % 97;
    }
    if sum == 1 {
        Ok(())
    } else {
        Err("check digits are wrong")
    }
}

fn piece_of_total(v: &[u8]) -> Result<(), (String, String)> {
    let (p, t) = v.split_at(v.len() / 2);
    let (np, nt) = (number(p), number(t));
    match (np, nt) {
        (Some(np), Some(nt)) if v.len().is_multiple_of(2) && np >= 1 && nt >= 1 && np <= nt => {
            Ok(())
        }
        _ => Err((text(p), text(t))),
    }
}

fn pos_in_seq(v: &[u8]) -> bool {
    let Some(slash) = v.iter().position(|&c| c == b'/') else {
        return false;
    };
    let (p, e) = (&v[..slash], &v[slash + 1..]);
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit) && s[0] != b'0';
    if !digits(p) || !digits(e) {
        return false;
    }
    // No zero prefix, so the longer number is the larger.
    p.len() < e.len() || (p.len() == e.len() && p <= e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(l: Linter, v: &str) -> bool {
        run(l, "99", v.as_bytes()).is_ok()
    }

    #[test]
    fn check_digits() {
        for good in [
            "02345673",
            "416000336108",
            "1234567890128",
            "12345678901231",
            "123456789012345675",
        ] {
            assert!(ok(Linter::Csum, good), "{good}");
        }
        for bad in ["12345678901232", "123456789012345670"] {
            assert!(!ok(Linter::Csum, bad), "{bad}");
        }
        let err = run(Linter::Csum, "01", b"12345678901232").unwrap_err();
        assert_eq!(err.to_string(), "(01) check digit is 2, expected 1");
    }

    #[test]
    fn alpha_check_pairs() {
        for good in [
            "22",
            "!22",
            "1987654Ad4X4bL5ttr2310c2K",
            "12345_0123456789:;<=>?62",
            "00000!HV",
        ] {
            assert!(ok(Linter::CsumAlpha, good), "{good}");
        }
        for bad in ["33", "1987654Ad4X4bL5ttr2310cXK", "2"] {
            assert!(!ok(Linter::CsumAlpha, bad), "{bad}");
        }
    }

    #[test]
    fn dates_and_times() {
        assert!(ok(Linter::Yymmdd, "240229"));
        assert!(!ok(Linter::Yymmdd, "230229"));
        assert!(!ok(Linter::Yymmdd, "201300"));
        assert!(!ok(Linter::Yymmdd, "201200"));
        assert!(ok(Linter::Yymmd0, "201200"));
        assert!(!ok(Linter::Yymmd0, "200431"));
        assert!(ok(Linter::Yyyymmdd, "20000229"));
        assert!(!ok(Linter::Yyyymmdd, "19000229"));
        assert!(ok(Linter::Hhmi, "2359"));
        assert!(!ok(Linter::Hhmi, "2400"));
        assert!(!ok(Linter::Hhmi, "2360"));
        assert!(ok(Linter::Hh, "00"));
        assert!(!ok(Linter::Hh, "24"));
        assert!(ok(Linter::Mi, "59"));
        assert!(!ok(Linter::Mi, "60"));
        assert!(ok(Linter::Ss, "59"));
        assert!(!ok(Linter::Ss, "60"));
    }

    #[test]
    fn code_lists() {
        assert!(ok(Linter::Iso3166, "528"));
        assert!(!ok(Linter::Iso3166, "999"));
        assert!(ok(Linter::Iso3166999, "999"));
        assert!(!ok(Linter::Iso3166999, "987"));
        assert!(ok(Linter::Iso3166Alpha2, "NL"));
        assert!(!ok(Linter::Iso3166Alpha2, "AA"));
        assert!(ok(Linter::Iso4217, "978"));
        assert!(!ok(Linter::Iso4217, "987"));
        assert!(ok(Linter::PackageType, "BRI"));
        assert!(ok(Linter::PackageType, "8"));
        assert!(!ok(Linter::PackageType, "1A_"));
        assert!(ok(Linter::MediaType, "10"));
        assert!(ok(Linter::MediaType, "80"));
        assert!(!ok(Linter::MediaType, "11"));
        assert!(ok(Linter::Iso5218, "9"));
        assert!(!ok(Linter::Iso5218, "5"));
    }

    #[test]
    fn small_rules() {
        assert!(ok(Linter::Zero, "0"));
        assert!(!ok(Linter::Zero, "1"));
        assert!(ok(Linter::NonZero, "0001"));
        assert!(!ok(Linter::NonZero, "00000"));
        assert!(ok(Linter::NoZeroPrefix, "0"));
        assert!(ok(Linter::NoZeroPrefix, "123"));
        assert!(!ok(Linter::NoZeroPrefix, "023"));
        assert!(ok(Linter::HasNonDigit, "12A"));
        assert!(!ok(Linter::HasNonDigit, "123"));
        assert!(ok(Linter::Winding, "9"));
        assert!(!ok(Linter::Winding, "2"));
        assert!(ok(Linter::YesNo, "1"));
        assert!(!ok(Linter::YesNo, "2"));
        assert!(ok(Linter::Hyphen, "-"));
        assert!(!ok(Linter::Hyphen, "X"));
        assert!(ok(Linter::ImporterIdx, "_"));
        assert!(!ok(Linter::ImporterIdx, "="));
        assert!(ok(Linter::Pcenc, "ABC%20XYZ"));
        assert!(!ok(Linter::Pcenc, "ABC%gXYZ"));
        assert!(!ok(Linter::Pcenc, "ABC%2"));
        assert!(ok(Linter::GcpPos1, "0123A"));
        assert!(!ok(Linter::GcpPos1, "012A"));
        assert!(ok(Linter::GcpPos2, "A0123"));
        assert!(!ok(Linter::GcpPos2, "0123"));
        assert!(ok(Linter::Latitude, "1800000000"));
        assert!(!ok(Linter::Latitude, "1800000001"));
        assert!(ok(Linter::Longitude, "3600000000"));
        assert!(!ok(Linter::Longitude, "3600000001"));
    }

    #[test]
    fn sequences() {
        assert!(ok(Linter::PieceOfTotal, "0102"));
        assert!(!ok(Linter::PieceOfTotal, "0099"));
        assert!(!ok(Linter::PieceOfTotal, "0100"));
        assert!(!ok(Linter::PieceOfTotal, "0302"));
        for good in ["1/1", "9/10", "100/100", "998/999"] {
            assert!(ok(Linter::PosInSeqSlash, good), "{good}");
        }
        for bad in ["", "/", "1/", "1//2", "0/1", "1/02", "2/1", "10/9", "x/y"] {
            assert!(!ok(Linter::PosInSeqSlash, bad), "{bad}");
        }
    }

    #[test]
    fn ibans() {
        for good in [
            "FR7630006000011234567890189",
            "GB98MIDL07009312345678",
            "MT90MALT011000012345MTLCAST001SABC",
        ] {
            assert!(ok(Linter::Iban, good), "{good}");
        }
        for bad in [
            "BE71096123456760",
            "FR1234",
            "FR12_45678901234",
            "AB12345678901234",
            "FR12345678901234",
        ] {
            assert!(!ok(Linter::Iban, bad), "{bad}");
        }
    }
}
