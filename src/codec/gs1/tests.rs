//! Examples from standards.md and contracts.md, one passing and one failing
//! case for each kind of rule the dictionary names, and round-trip properties.

use super::*;

fn el(ai: &'static str, value: &str) -> Element {
    Element {
        ai,
        value: value.to_string(),
    }
}

fn br(text: &str) -> Result<Vec<Element>, Gs1Error> {
    parse_bracketed(text)
}

fn err(text: &str) -> String {
    match br(text) {
        Ok(els) => panic!("{text} parsed: {els:?}"),
        Err(e) => e.to_string(),
    }
}

fn ok(text: &str) {
    if let Err(e) = br(text) {
        panic!("{text}: {e}");
    }
}

// ---- the dictionary table ----

#[test]
fn table_covers_the_dictionary() {
    assert_eq!(table::ENTRIES.len(), 541);
    for e in &table::ENTRIES {
        let found = spec::lookup(e.ai).map(|x| x.ai);
        assert_eq!(found, Some(e.ai));
    }
    assert_eq!(ai_title("01"), Some("GTIN"));
    assert_eq!(ai_title("21"), Some("SERIAL"));
    assert_eq!(ai_title("3103"), Some("NET WEIGHT (kg)"));
    assert_eq!(ai_title("8004"), Some("GIAI"));
    assert_eq!(ai_title("99"), Some("INTERNAL"));
    assert_eq!(ai_title("04"), None);
    assert_eq!(ai_title("0"), None);
    assert_eq!(ai_title("010"), None);
    assert!(is_predefined_length("3103"));
    assert!(is_predefined_length("414"));
    assert!(!is_predefined_length("8006"));
    assert!(!is_predefined_length("422"));
    assert!(is_primary_key("8004"));
    assert!(!is_primary_key("21"));
}

// ---- standards.md: GS1 ----

#[test]
fn scanner_example() {
    let els = parse_scanner(b"011231231231233310ABC123\x1d99TESTING").unwrap();
    assert_eq!(
        els,
        vec![
            el("01", "12312312312333"),
            el("10", "ABC123"),
            el("99", "TESTING")
        ]
    );
    assert_eq!(
        to_bracketed(&els),
        "(01)12312312312333(10)ABC123(99)TESTING"
    );
    assert_eq!(to_scanner(&els), "011231231231233310ABC123\x1d99TESTING");
}

#[test]
fn contract_example() {
    let (aim, rest) = crate::codec::aim::split(b"]C10109506000134352\x1d21ABC");
    assert!(aim.unwrap().is_gs1());
    let els = parse_scanner(rest).unwrap();
    assert_eq!(els, vec![el("01", "09506000134352"), el("21", "ABC")]);
    assert_eq!(els[0].title(), "GTIN");
    assert_eq!(els[1].title(), "SERIAL");
    assert_eq!(
        to_digital_link(&els, "id.gs1.org").as_deref(),
        Some("https://id.gs1.org/01/09506000134352/21/ABC")
    );
    assert_eq!(to_bracketed(&els), "(01)09506000134352(21)ABC");
}

#[test]
fn standards_examples() {
    assert_eq!(
        br("(01)12345678901231(10)12345").unwrap(),
        vec![el("01", "12345678901231"), el("10", "12345")]
    );
    assert_eq!(
        err("(01)12345678901232"),
        "(01) check digit is 2, expected 1"
    );
    assert_eq!(err("(21)ABC123"), "(21) requires (01), (03) or (8006)");
    ok("(01)12345678901231(21)ABC123");
    assert_eq!(err("(01)12345678901231(250)ABC123"), "(250) requires (21)");
    assert_eq!(
        err("(01)12345678901231(21)ABC123(235)XYZ"),
        "(21) and (235) exclude each other"
    );
}

#[test]
fn it_asset_ais() {
    ok("(00)123456789012345675");
    ok("(01)12345678901231(10)LOT1(11)250101(17)251231");
    ok("(01)12345678901231(240)ADD-ID");
    ok("(00)123456789012345675(02)12345678901231(37)25");
    ok("(400)PO-4711");
    ok("(414)4160003361082(254)BAY1");
    ok("(410)4160003361082(411)4160003361082(412)4160003361082");
    ok("(8003)012345678901280SERIAL1");
    ok("(8004)0614141123454001");
    ok("(01)12345678901231(21)S1(8040)123456789012345(8041)123456789012345");
    ok("(01)12345678901231(21)S1(8040)123456789012345(8042)12345678901234567890123456789012");
    assert_eq!(err("(254)BAY1"), "(254) requires (414)");
    assert_eq!(err("(37)25"), "(37) requires (00)");
    assert_eq!(
        err("(00)123456789012345675(37)25"),
        "(37) requires (02) or (8026)"
    );
    assert_eq!(
        err("(8041)123456789012345"),
        "(8041) requires (01) with (21) with (8040)"
    );
}

// ---- scanner form ----

#[test]
fn scanner_separators() {
    let want = vec![el("01", "12345678901231"), el("99", "1234")];
    assert_eq!(parse_scanner(b"\x1d0112345678901231991234").unwrap(), want);
    assert_eq!(parse_scanner(b"0112345678901231\x1d991234").unwrap(), want);
    assert_eq!(parse_scanner(b"0112345678901231991234\x1d").unwrap(), want);
    assert_eq!(
        parse_scanner(b"0112345678901231\x1d\x1d991234").unwrap_err(),
        Gs1Error::Syntax("two FNC1 separators in a row")
    );
    // A fixed-length AI outside the predefined table still needs its separator.
    assert_eq!(
        parse_scanner(b"0112345678901231422528\x1d10ABC").unwrap(),
        vec![
            el("01", "12345678901231"),
            el("422", "528"),
            el("10", "ABC")
        ]
    );
    assert_eq!(
        parse_scanner(b"011234567890123142252810ABC")
            .unwrap_err()
            .to_string(),
        "(422) has 8 characters, expected 3"
    );
    assert_eq!(
        parse_scanner(b"811112345").unwrap_err().to_string(),
        "(8111) has 5 characters, expected 4"
    );
}

#[test]
fn scanner_errors() {
    assert_eq!(parse_scanner(b"").unwrap_err(), Gs1Error::Empty);
    assert_eq!(parse_scanner(b"\x1d").unwrap_err(), Gs1Error::Empty);
    assert_eq!(
        parse_scanner(b"891234").unwrap_err().to_string(),
        "unknown AI (89)"
    );
    assert_eq!(
        parse_scanner(b"3").unwrap_err().to_string(),
        "data ends inside an AI (3)"
    );
    assert_eq!(
        parse_scanner(b"310").unwrap_err().to_string(),
        "data ends inside an AI (310)"
    );
    assert_eq!(
        parse_scanner(b"A1").unwrap_err().to_string(),
        "unknown AI (A)"
    );
    assert_eq!(
        parse_scanner(b"011234567890123").unwrap_err().to_string(),
        "(01) has 13 characters, expected 14"
    );
    assert_eq!(
        parse_scanner(b"011234567890123\x1d")
            .unwrap_err()
            .to_string(),
        "(01) has 13 characters, expected 14"
    );
    // 14 digits taken, then "2" is not an AI.
    assert_eq!(
        parse_scanner(b"01123456789012312").unwrap_err().to_string(),
        "data ends inside an AI (2)"
    );
    assert_eq!(
        parse_scanner(b"10").unwrap_err().to_string(),
        "(10) has 0 characters, expected at least 1"
    );
}

#[test]
fn duplicates() {
    assert_eq!(
        br("(01)12345678901231(10)A(10)A").unwrap(),
        vec![el("01", "12345678901231"), el("10", "A"), el("10", "A")]
    );
    // Issue 9, item 13: repeats stay in scan order, as GS1's engine keeps them.
    assert_eq!(
        parse_scanner(b"10A\x1d0112345678901231\x1d10A").unwrap(),
        vec![el("10", "A"), el("01", "12345678901231"), el("10", "A")]
    );
    assert_eq!(
        err("(01)12345678901231(10)A(10)B"),
        "(10) appears twice with different values"
    );
}

/// Issue 9, item 13: (8030) needs a serialised key, as GS1's engine says
/// (ai.c, validateDigSigRequiresSerialisedKey).
#[test]
fn digital_signature_needs_serialised_key() {
    assert_eq!(
        err("(253)1234567890128(8030)ABC123"),
        "(253) needs its serial component when used with a digital signature (8030)"
    );
    assert_eq!(
        err("(255)1234567890128(8030)ABC123"),
        "(255) needs its serial component when used with a digital signature (8030)"
    );
    assert_eq!(
        err("(8003)01234567890128(8030)ABC123"),
        "(8003) needs its serial component when used with a digital signature (8030)"
    );
    ok("(253)1234567890128X(8030)ABC123");
    ok("(255)12345678901280(8030)ABC123");
    ok("(8003)01234567890128X(8030)ABC123");
    ok("(253)1234567890128");
}

#[test]
fn bracketed_syntax() {
    assert_eq!(
        br("(01)12345678901231(10)A\\(B)").unwrap(),
        vec![el("01", "12345678901231"), el("10", "A(B)")]
    );
    assert_eq!(to_bracketed(&[el("10", "A(B)")]), "(10)A\\(B)");
    assert_eq!(err("01)123"), "bracketed data must start with '('");
    assert_eq!(err("(01"), "'(' without ')'");
    assert_eq!(err("(0A)123"), "unknown AI (0A)");
    assert_eq!(err("(04)123"), "unknown AI (04)");
    assert_eq!(err(""), "bracketed data must start with '('");
    assert_eq!(err("(99)"), "(99) has 0 characters, expected at least 1");
}

// ---- one passing and one failing case per kind of rule ----

#[test]
fn lengths() {
    ok("(01)12345678901231(7007)211225211231");
    ok("(01)12345678901231(7007)211225");
    assert_eq!(
        err("(01)12345678901231(7007)2112252"),
        "(7007) has 7 characters, expected 12"
    );
    assert_eq!(
        err("(01)12345678901231(7007)2112252112311"),
        "(7007) has 13 characters, expected at most 12"
    );
    ok("(01)12345678901231(10)12345678901234567890");
    assert_eq!(
        err("(01)12345678901231(10)123456789012345678901"),
        "(10) has 21 characters, expected at most 20"
    );
    ok("(7230)121234567890123456789012345678(01)12345678901231");
    assert_eq!(
        err("(7230)12(01)12345678901231"),
        "(7230) has 2 characters, expected at least 3"
    );
    ok("(8003)01234567890128ABCDEFGHIJKLMNOP");
    ok("(8003)01234567890128");
    assert_eq!(
        err("(8003)01234567890128ABCDEFGHIJKLMNOPQ"),
        "(8003) has 31 characters, expected at most 30"
    );
}

#[test]
fn charsets() {
    assert_eq!(
        err("(01)1234567890123A"),
        "(01) has 'A' at position 14, expected a digit"
    );
    ok("(01)12345678901231(10)!\"%&'\\()*+,-./:(91);<=>?_azAZ09");
    assert_eq!(
        err("(01)12345678901231(10)AB C"),
        "(10) has ' ' at position 3, not in GS1 CSET 82"
    );
    assert_eq!(
        err("(01)12345678901231(10)AB~"),
        "(10) has '~' at position 3, not in GS1 CSET 82"
    );
    assert_eq!(
        err("(01)12345678901231(10)Aé"),
        "(10) has 'Ã' at position 2, not in GS1 CSET 82"
    );
    ok("(8010)1234#-/AZ(8011)1");
    assert_eq!(
        err("(8010)123456_(8011)1"),
        "(8010) has '_' at position 7, not in GS1 CSET 39"
    );
    ok("(00)123456789012345675(8030)abcXYZ09-_");
    ok("(00)123456789012345675(8030)12=");
    ok("(00)123456789012345675(8030)1==");
    assert_eq!(
        err("(00)123456789012345675(8030)ABC:123"),
        "(8030) has ':' at position 4, not in GS1 CSET 64"
    );
    assert_eq!(
        err("(00)123456789012345675(8030)123="),
        "(8030) has '=' at position 4, not in GS1 CSET 64"
    );
}

#[test]
fn linters_in_context() {
    // csum, gcppos1/2
    ok("(414)4160003361082");
    assert_eq!(
        err("(414)4160003361088"),
        "(414) check digit is 8, expected 2"
    );
    ok("(401)1234ABC");
    assert_eq!(
        err("(401)123"),
        "(401) does not start with a GS1 Company Prefix"
    );
    assert_eq!(
        err("(7023)12A4"),
        "(7023) does not start with a GS1 Company Prefix"
    );
    // csumalpha, hasnondigit
    ok("(8013)1987654Ad4X4bL5ttr2310c2K");
    assert_eq!(
        err("(8013)123456ABXX"),
        "(8013) check characters are XX, expected A9"
    );
    ok("(01)12345678901231(8014)1987654Ad4X4bL5ttr2310c2K");
    // importeridx
    ok("(7040)1AB_");
    assert_eq!(err("(7040)1AB="), "(7040) = is not an importer index");
    // nonzero, winding
    ok("(01)12345678901231(8001)12341234512319");
    assert_eq!(
        err("(01)12345678901231(8001)12340000012311"),
        "(8001) must not be zero"
    );
    assert_eq!(
        err("(01)12345678901231(8001)12341234512321"),
        "(8001) winding direction 2 is not 0, 1 or 9"
    );
    // zero
    assert_eq!(
        err("(8003)112345678901281234567890123456"),
        "(8003) must be 0"
    );
    // nozeroprefix
    ok("(8010)1234(8011)123456789012");
    assert_eq!(
        err("(8010)1234(8011)023456789012"),
        "(8011) must not start with 0"
    );
    // yesno
    ok("(00)123456789012345675(4321)1");
    assert_eq!(
        err("(00)123456789012345675(4321)2"),
        "(4321) 2 is not 0 or 1"
    );
    // iso3166, iso3166999, iso3166alpha2, iso4217
    ok("(01)12345678901231(426)528");
    assert_eq!(
        err("(01)12345678901231(426)987"),
        "(426) 987 is not an ISO 3166 country code"
    );
    ok("(01)12345678901231(7030)999ABC");
    assert_eq!(
        err("(01)12345678901231(7030)987ABC"),
        "(7030) 987 is not an ISO 3166 country code or 999"
    );
    ok("(00)123456789012345675(4307)NL");
    assert_eq!(
        err("(00)123456789012345675(4307)AA"),
        "(4307) AA is not an ISO 3166 alpha-2 country code"
    );
    ok("(8020)REF1(415)4160003361082(3910)97812");
    assert_eq!(
        err("(8020)REF1(415)4160003361082(3910)9870"),
        "(3910) 987 is not an ISO 4217 currency code"
    );
    // iban
    ok("(415)4160003361082(8020)R1(8007)GB98MIDL07009312345678");
    assert_eq!(
        err("(415)4160003361082(8020)R1(8007)FR12345678901234"),
        "(8007) IBAN check digits are wrong"
    );
    assert_eq!(
        err("(415)4160003361082(8020)R1(8007)AB12345678901234"),
        "(8007) IBAN does not start with a country code"
    );
    // yymmd0, yymmdd, yyyymmdd, hhmi, hh, mi, ss
    ok("(01)12345678901231(11)201200");
    assert_eq!(
        err("(01)12345678901231(11)201300"),
        "(11) month 13 is not 01-12"
    );
    ok("(00)123456789012345675(4326)201231");
    assert_eq!(
        err("(00)123456789012345675(4326)201200"),
        "(4326) day 00 does not exist in that month"
    );
    ok("(00)123456789012345675(4324)2012252359");
    assert_eq!(
        err("(00)123456789012345675(4324)2012252400"),
        "(4324) hour 24 is not 00-23"
    );
    assert_eq!(
        err("(00)123456789012345675(4324)2012252360"),
        "(4324) minute 60 is not 00-59"
    );
    ok("(01)12345678901231(8008)20122523");
    ok("(01)12345678901231(8008)2012252300");
    ok("(01)12345678901231(8008)201225230059");
    assert_eq!(
        err("(01)12345678901231(8008)201225230060"),
        "(8008) second 60 is not 00-59"
    );
    assert_eq!(
        err("(01)12345678901231(8008)2012252460"),
        "(8008) hour 24 is not 00-23"
    );
    ok("(8018)123456789012345675(7250)20000229");
    assert_eq!(
        err("(8018)123456789012345675(7250)19000229"),
        "(7250) day 29 does not exist in that month"
    );
    // pieceoftotal
    ok("(8006)123456789012310102");
    assert_eq!(
        err("(8006)123456789012310099"),
        "(8006) piece 00 of total 99 is not valid"
    );
    assert_eq!(
        err("(8006)123456789012310302"),
        "(8006) piece 03 of total 02 is not valid"
    );
    // pcenc
    ok("(00)123456789012345675(4300)ABC%20D");
    assert_eq!(
        err("(00)123456789012345675(4300)ABC%0g"),
        "(4300) has a bad percent-escape"
    );
    // latitude, longitude
    ok("(00)123456789012345675(4309)18000000003600000000");
    assert_eq!(
        err("(00)123456789012345675(4309)18000000010000000000"),
        "(4309) latitude 1800000001 is above 1800000000"
    );
    assert_eq!(
        err("(00)123456789012345675(4309)00000000003600000001"),
        "(4309) longitude 3600000001 is above 3600000000"
    );
    // hyphen
    ok("(00)123456789012345675(4330)000000-");
    assert_eq!(
        err("(00)123456789012345675(4330)000000X"),
        "(4330) X must be hyphens only"
    );
    // iso5218, posinseqslash, mediatype
    ok("(8018)123456789012345675(7252)2");
    assert_eq!(
        err("(8018)123456789012345675(7252)5"),
        "(7252) 5 is not an ISO/IEC 5218 sex code (0, 1, 2 or 9)"
    );
    ok("(8018)123456789012345675(7259)BABY(7258)1/2");
    assert_eq!(
        err("(8018)123456789012345675(7259)BABY(7258)2/1"),
        "(7258) 2/1 is not a position like 1/3"
    );
    ok("(8017)123456789012345675(7241)01");
    assert_eq!(
        err("(8017)123456789012345675(7241)11"),
        "(7241) 11 is not an AIDC media type"
    );
    // packagetype
    ok("(00)123456789012345675(7041)BX");
    assert_eq!(
        err("(00)123456789012345675(7041)QQQ"),
        "(7041) QQQ is not a package type code"
    );
}

#[test]
fn pairings() {
    // req with a group (01+10)
    ok("(01)12345678901231(10)L1(7004)12");
    assert_eq!(
        err("(01)12345678901231(7004)12"),
        "(7004) requires (01) with (10)"
    );
    // two req attributes, both must hold
    ok("(01)12345678901231(30)5(3920)100");
    assert_eq!(
        err("(01)12345678901231(3920)100"),
        "(3920) requires (30), (31nn), (32nn), (35nn) or (36nn)"
    );
    // patterns: (31nn) satisfied by (3103)
    ok("(01)12345678901231(3103)000123(3920)100");
    // ex with a pattern: 310n excludes another 310n, not itself
    ok("(01)12345678901231(3103)000123");
    assert_eq!(
        err("(01)12345678901231(3103)000123(3102)000012"),
        "(3103) and (3102) exclude each other"
    );
    assert_eq!(
        err("(01)12345678901231(8006)123456789012310102"),
        "(8006) and (01) exclude each other"
    );
}

#[test]
fn ean_and_upc() {
    assert_eq!(
        parse_ean(b"5012345678900", false).unwrap(),
        vec![el("01", "05012345678900")]
    );
    assert_eq!(
        parse_ean(b"036000291452", false).unwrap(),
        vec![el("01", "00036000291452")]
    );
    assert_eq!(
        parse_ean(b"96385074", true).unwrap(),
        vec![el("01", "00000096385074")]
    );
    // UPC-E 04252614 is UPC-A 042100005264.
    assert_eq!(
        parse_ean(b"04252614", false).unwrap(),
        vec![el("01", "00042100005264")]
    );
    assert_eq!(
        parse_ean(b"5012345678901", false).unwrap_err().to_string(),
        "(01) check digit is 1, expected 0"
    );
    assert_eq!(
        parse_ean(b"12345", false).unwrap_err().to_string(),
        "(01) has 5 characters, expected 14"
    );
    assert_eq!(
        parse_ean(b"50123456789A0", false).unwrap_err().to_string(),
        "(01) has 'A' at position 13, expected a digit"
    );
}
