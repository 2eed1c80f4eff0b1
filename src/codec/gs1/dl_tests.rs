//! Digital Link examples from standards.md, its rejections and its encoding,
//! and round-trip properties over all three output forms.

use super::digital_link::{has_scheme, looks_like, parse};
use super::*;
use proptest::prelude::*;

fn el(ai: &'static str, value: &str) -> Element {
    Element {
        ai,
        value: value.to_string(),
    }
}

fn br(text: &str) -> Result<Vec<Element>, Gs1Error> {
    parse_bracketed(text)
}

#[test]
fn examples() {
    let els = vec![el("01", "12312312312326"), el("21", "abc123")];
    let uri = "https://id.gs1.org/01/12312312312326/21/abc123";
    assert_eq!(to_digital_link(&els, "id.gs1.org").as_deref(), Some(uri));
    assert_eq!(parse(uri).unwrap(), els);

    assert_eq!(
        parse("https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123")
            .unwrap(),
        vec![
            el("00", "952012345678912345"),
            el("02", "09520123456788"),
            el("37", "25"),
            el("10", "ABC123"),
        ]
    );
    let els = parse("https://example.com/8004/9520614141234567?01=09520123456788").unwrap();
    assert_eq!(
        els,
        vec![el("8004", "9520614141234567"), el("01", "09520123456788")]
    );
    assert_eq!(
        to_digital_link(&[el("8004", "0614141123454001")], "id.gs1.org").as_deref(),
        Some("https://id.gs1.org/8004/0614141123454001")
    );
}

#[test]
fn qualifier_order_and_stem() {
    let els = br("(01)09506000134352(21)S1(10)L1(22)V1(17)251231").unwrap();
    assert_eq!(
        to_digital_link(&els, "https://example.com/res/").as_deref(),
        Some("https://example.com/res/01/09506000134352/22/V1/10/L1/21/S1?17=251231")
    );
    let back =
        parse("https://example.com/res/01/09506000134352/22/V1/10/L1/21/S1?17=251231").unwrap();
    assert_eq!(back.len(), 5);
    assert_eq!(
        parse("https://id.gs1.org/01/09506000134352/21/S1/10/L1")
            .unwrap_err()
            .to_string(),
        "Digital Link: (10) is not a valid qualifier here, or is out of order"
    );
    parse("https://id.gs1.org/01/09506000134352/235/TPX1").unwrap();
    assert!(parse("https://id.gs1.org/01/09506000134352/22/V1/235/TPX1").is_err());
}

#[test]
fn rejections() {
    let e = |u: &str| parse(u).unwrap_err().to_string();
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352?10=ABC"),
        "Digital Link: (10) belongs in the path, not the query"
    );
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352?21=ABC"),
        "Digital Link: (21) is not allowed as a query attribute"
    );
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352?17=251231&17=251231"),
        "Digital Link: (17) appears twice"
    );
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352?89=1"),
        "unknown AI (89)"
    );
    assert_eq!(
        e("https://id.gs1.org/01/9506000134352"),
        "(01) has 13 characters, expected 14"
    );
    assert_eq!(
        e("https://id.gs1.org/gtin/09506000134352"),
        "Digital Link: /gtin/ is a convenience name; use the numeric AI"
    );
    assert_eq!(
        e("https://id.gs1.org/21/ABC"),
        "Digital Link: no GS1 primary key in the path"
    );
    assert_eq!(
        e("ftp://id.gs1.org/01/09506000134352"),
        "Digital Link: not an http(s) URI"
    );
    assert_eq!(e("https:///01/09506000134352"), "Digital Link: no host");
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352 x"),
        "Digital Link: the URI has a character not allowed in URIs"
    );
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352/21/"),
        "Digital Link: (21) has an empty value"
    );
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352/21/A%00"),
        "Digital Link: (21) decodes to a NUL byte"
    );
    assert_eq!(
        e("https://id.gs1.org/01/09506000134352/21/ABC/235/X"),
        "Digital Link: (235) is not a valid qualifier here, or is out of order"
    );
}

#[test]
fn decoding() {
    let v = |u: &str| {
        parse(u)
            .unwrap()
            .into_iter()
            .map(|e| e.value)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        v("https://id.gs1.org/01/09506000134352/21/A%2FB"),
        ["09506000134352", "A/B"]
    );
    assert_eq!(
        v("https://id.gs1.org/01/09506000134352/21/A+B"),
        ["09506000134352", "A+B"]
    );
    assert_eq!(
        v("https://id.gs1.org/01/09506000134352/21/A%2x"),
        ["09506000134352", "A%2x"]
    );
    assert_eq!(
        v("https://id.gs1.org/01/09506000134352?99=A%2BB"),
        ["09506000134352", "A+B"]
    );
    assert_eq!(
        parse("https://id.gs1.org/01/09506000134352?99=A+B")
            .unwrap_err()
            .to_string(),
        "(99) has ' ' at position 2, not in GS1 CSET 82"
    );
    // Other query parameters are ignored; the fragment too.
    assert_eq!(
        v("HTTPS://id.gs1.org/01/09506000134352?linkType=gs1:pip&lone&17=251231#frag"),
        ["09506000134352", "251231"]
    );
    // A zero-suppressed GTIN in the query is too short, not padded (issue 9,
    // item 13: GS1's engine pads only when told to, and is not by default).
    assert_eq!(
        parse("https://example.com/8004/9520614141234567?01=9520123456788")
            .unwrap_err()
            .to_string(),
        "(01) has 13 characters, expected 14"
    );
    // Escaping on output: CSET 82 punctuation is percent-encoded.
    let els = vec![
        el("01", "09506000134352"),
        el("21", "A/B+C"),
        el("99", "x&y"),
    ];
    let uri = to_digital_link(&els, "id.gs1.org").unwrap();
    assert_eq!(
        uri,
        "https://id.gs1.org/01/09506000134352/21/A%2FB%2BC?99=x%26y"
    );
    assert_eq!(parse(&uri).unwrap(), els);
}

#[test]
fn no_uri_without_key() {
    assert_eq!(to_digital_link(&[el("400", "PO1")], "id.gs1.org"), None);
    // (8040) may be neither a qualifier nor an attribute.
    let els = br("(01)12345678901231(21)S1(8040)123456789012345").unwrap();
    assert_eq!(to_digital_link(&els, "id.gs1.org"), None);
}

#[test]
fn recognises_uris() {
    assert!(looks_like("https://id.gs1.org/01/09506000134352"));
    assert!(looks_like("HTTP://example.com/a/b/8004/123?x=1"));
    assert!(!looks_like("https://example.com/products/123"));
    assert!(!looks_like("https://example.com/01/"));
    // A value lost between two slashes still looks like a Digital Link, so
    // that parse names the problem (issue 9, item 13).
    assert!(looks_like("https://example.com/01//09506000134352"));
    assert!(!looks_like("01/09506000134352"));
    assert!(!looks_like("https://example.com"));
}

/// Cases from GS1's own Digital Link test suite (gs1-syntax-engine, dl.c).
#[test]
fn gs1_reference_cases() {
    let good = [
        ("http://a/00/006141411234567890", "(00)006141411234567890"),
        ("HTTPS://a/00/006141411234567890", "(00)006141411234567890"),
        ("https://xn--fsq.xn--0zwm56d/01/12312312312333", "(01)12312312312333"),
        ("https://a./01/12312312312333", "(01)12312312312333"),
        ("https://a/01/12312312312333/22/TEST/10/ABC/21/XYZ", "(01)12312312312333(22)TEST(10)ABC(21)XYZ"),
        ("https://a/01/12312312312333/235/TEST", "(01)12312312312333(235)TEST"),
        ("https://a/253/1231231231232TEST5678901234567", "(253)1231231231232TEST5678901234567"),
        ("https://a/8018/123456789012345675/8019/123", "(8018)123456789012345675(8019)123"),
        ("https://a/stem/00/006141411234567890?", "(00)006141411234567890"),
        ("https://a/stem/401/12345678?99=ABC", "(401)12345678(99)ABC"),
        ("https://a/01/12312312312333?&&&99=ABC&&&&&&98=XYZ&&&", "(01)12312312312333(99)ABC(98)XYZ"),
        (
            "https://a/01/12312312312333?singleton1&unknown1=555&99=ABC&singleton2&98=XYZ&singleton3",
            "(01)12312312312333(99)ABC(98)XYZ",
        ),
        (
            "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ%2f987",
            "(01)12312312312333(22)ABC-123(99)ABC(98)XYZ/987",
        ),
        ("https://a/01/12312312312333/22/ABC+123", "(01)12312312312333(22)ABC+123"),
        ("https://a/01/12312312312333/22/test/10/abc/21/xyz#fragment", "(01)12312312312333(22)test(10)abc(21)xyz"),
        ("https://id.gs1.org/01/09520123456788/10/ABC1/21/12345?17=180426", "(01)09520123456788(10)ABC1(21)12345(17)180426"),
        (
            "https://example.com/01/09520123456788?3103=000195&3922=0299&17=201225",
            "(01)09520123456788(3103)000195(3922)0299(17)201225",
        ),
        ("https://id.gs1.org/414/9520123456788/254/32a%2Fb", "(414)9520123456788(254)32a/b"),
        ("https://id.gs1.org/01/09520123456788/235/XYZ?10=ABC123", "(01)09520123456788(235)XYZ(10)ABC123"),
    ];
    for (uri, want) in good {
        assert_eq!(
            parse(uri).map(|e| to_bracketed(&e)).as_deref(),
            Ok(want),
            "{uri}"
        );
    }
    let bad = [
        "",
        "ftp://",
        "http://",
        "http:///",
        "http://a",
        "http://a/",
        "http://a/b",
        "http://a/b/",
        "HtTp://a/b/00/006141411234567890",
        "https://00/006141411234567890",
        "https://a/01/2112345678900",
        "https://a/01/416000336108",
        "https://a/253/1231231231232TEST56789012345678",
        "https://a/stem/00/006141411234567890/",
        "https://a/01/12312312312333?99=",
        "https://a/01/12312312312333?99=ABC&999=faux",
        "https://a/01/12312312312333/22/ABC%2d123?99=ABC&98=XYZ+987",
        "https://example.com/01/09520123456788?10=ABC123",
        "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&01=09520123456788",
        "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&10=ABC123",
        "https://id.gs1.org/01/09520123456788/10/ABC123?99=XYZ789&99=XYZ789",
        "https://example.com/01/09520123456788/89/ABC123?99=XYZ",
        "https://example.com/01/09520123456788?99=XYZ&89=ABC123",
    ];
    for uri in bad {
        assert!(parse(uri).is_err(), "{uri} parsed: {:?}", parse(uri));
    }
}

/// Issue 9, item 13: an empty path segment is refused and named; an upper
/// case scheme is a Digital Link for the classifier as for the parser.
#[test]
fn empty_segments_and_scheme_case() {
    let msg = |uri: &str| parse(uri).unwrap_err().to_string();
    assert_eq!(
        msg("https://a/01//12312312312333"),
        "Digital Link: (01) has an empty value"
    );
    assert_eq!(
        msg("https://a/01/12312312312333/10//21/X"),
        "Digital Link: (10) has an empty value"
    );
    assert_eq!(
        msg("https://a/01/12312312312333/22/A//21/X"),
        "Digital Link: the path has an empty segment (// or a trailing /)"
    );
    assert_eq!(
        msg("https://a/stem/00/006141411234567890/"),
        "Digital Link: the path has an empty segment (// or a trailing /)"
    );
    for uri in ["HTTP://a/01/12312312312333", "HTTPS://a/01/12312312312333"] {
        assert!(has_scheme(uri.as_bytes()), "{uri}");
        assert!(looks_like(uri), "{uri}");
    }
    assert!(!has_scheme(b"HtTp://a/01/12312312312333"));
}

/// A repeated AI (same value) is carried once in a URI.
#[test]
fn repeated_ai_once_in_uri() {
    let els = vec![
        el("01", "09506000134352"),
        el("10", "A"),
        el("01", "09506000134352"),
        el("10", "A"),
    ];
    assert_eq!(
        to_digital_link(&els, "id.gs1.org").as_deref(),
        Some("https://id.gs1.org/01/09506000134352/10/A")
    );
}

// ---- round trips ----

fn gtin() -> impl Strategy<Value = String> {
    "[0-9]{13}".prop_map(|d| {
        let c = char::from(check_digit(d.as_bytes()));
        format!("{d}{c}")
    })
}

fn x(max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[!\"%&'()*+,./0-9:;<=>?A-Z_a-z-]{{1,{max}}}"))
        .expect("regex")
}

fn date() -> impl Strategy<Value = String> {
    (0u32..100, 1u32..13, 1u32..29).prop_map(|(y, m, d)| format!("{y:02}{m:02}{d:02}"))
}

fn element_strings() -> impl Strategy<Value = Vec<Element>> {
    let trade = (
        gtin(),
        proptest::option::of(x(20)),
        proptest::option::of(x(20)),
        proptest::option::of(date()),
        proptest::option::of(x(30)),
    )
        .prop_map(|(g, lot, serial, expiry, internal)| {
            let mut v = vec![Element { ai: "01", value: g }];
            if let Some(d) = expiry {
                v.push(Element { ai: "17", value: d });
            }
            if let Some(l) = lot {
                v.push(Element { ai: "10", value: l });
            }
            if let Some(s) = serial {
                v.push(Element { ai: "21", value: s });
            }
            if let Some(i) = internal {
                v.push(Element { ai: "91", value: i });
            }
            v
        });
    let asset = ("[0-9]{4}", x(26), proptest::option::of(x(30))).prop_map(|(gcp, rest, po)| {
        let mut v = vec![Element {
            ai: "8004",
            value: format!("{gcp}{rest}"),
        }];
        if let Some(p) = po {
            v.push(Element {
                ai: "400",
                value: p,
            });
        }
        v
    });
    let logistic = ("[0-9]{17}", gtin(), 1u32..99_999_999).prop_map(|(s, g, n)| {
        let c = char::from(check_digit(s.as_bytes()));
        vec![
            Element {
                ai: "00",
                value: format!("{s}{c}"),
            },
            Element { ai: "02", value: g },
            Element {
                ai: "37",
                value: n.to_string(),
            },
        ]
    });
    prop_oneof![trade, asset, logistic]
}

proptest! {
    #[test]
    fn round_trips(els in element_strings()) {
        let scanner = to_scanner(&els);
        prop_assert_eq!(parse_scanner(scanner.as_bytes()), Ok(els.clone()));
        prop_assert_eq!(parse_bracketed(&to_bracketed(&els)), Ok(els.clone()));
        let uri = to_digital_link(&els, "id.gs1.org").expect("a primary key");
        let mut back = digital_link::parse(&uri).map_err(|e| TestCaseError::fail(format!("{uri}: {e}")))?;
        let mut want = els.clone();
        back.sort_by_key(|e| e.ai);
        want.sort_by_key(|e| e.ai);
        prop_assert_eq!(back, want);
        fuzz_one(scanner.as_bytes());
        fuzz_one(uri.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..64)) {
        fuzz_one(&data);
    }
}
