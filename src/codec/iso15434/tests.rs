//! Test vectors: the message shapes of standards.md, real distributor labels
//! from InvenTree's supplier-barcode tests (inventree/InvenTree,
//! src/backend/InvenTree/plugin/builtin/suppliers/test_supplier_barcodes.py:
//! DIGIKEY_BARCODE, MOUSER_BARCODE, MOUSER_BARCODE_OLD), the header and
//! trailer that Data Matrix macro codewords 236/237 decode to (zxing's
//! DecodedBitStreamParser: `[)>`RS`06`GS … RS EOT), and each keyboard-wedge
//! mangling standards.md lists.

use super::*;

fn ok(s: &str) -> Message {
    parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn pairs(m: &Message) -> Vec<(String, String, String)> {
    m.envelopes
        .iter()
        .flat_map(|e| {
            e.fields
                .iter()
                .map(|f| (e.format.to_string(), f.di.to_string(), f.value.clone()))
        })
        .collect()
}

fn p(f: &str, d: &str, v: &str) -> (String, String, String) {
    (f.into(), d.into(), v.into())
}

const CLEAN: &str = "[)>\u{1e}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}\u{04}";

fn clean_fields() -> Vec<(String, String, String)> {
    vec![
        p("06", "1P", "20TBS1D000"),
        p("06", "S", "PE07FEA4"),
        p("06", "Q", "1"),
        p("06", "4L", "CN"),
    ]
}

#[test]
fn clean_format_06() {
    let m = ok(CLEAN);
    assert_eq!(pairs(&m), clean_fields());
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    assert_eq!(m.envelopes[0].fields[0].title, "Supplier part number");
    assert_eq!(m.first("S"), Some("PE07FEA4"));
}

#[test]
fn every_wedge_mangling_gives_the_same_fields() {
    let cases: &[(&str, &str)] = &[
        // Control Pictures.
        ("[)>␞06␝1P20TBS1D000␝SPE07FEA4␝Q1␝4LCN␞␄", "separators substituted"),
        // CP437 glyphs of RS, GS and EOT.
        ("[)>▲06↔1P20TBS1D000↔SPE07FEA4↔Q1↔4LCN▲♦", "separators substituted"),
        // Text tokens.
        ("[)>{RS}06{GS}1P20TBS1D000{GS}SPE07FEA4{GS}Q1{GS}4LCN{RS}{EOT}", "separators substituted"),
        ("[)><RS>06<GS>1P20TBS1D000<GS>SPE07FEA4<GS>Q1<GS>4LCN<RS><EOT>", "separators substituted"),
        // Ctrl lost: `^` for RS, `]` for GS, EOT (Ctrl+D) as `D`.
        ("[)>^06]1P20TBS1D000]SPE07FEA4]Q1]4LCN^D", "EOT arrived as 'D'"),
        // Private-use stand-ins.
        ("[)>\u{F70B}06\u{F70C}1P20TBS1D000\u{F70C}SPE07FEA4\u{F70C}Q1\u{F70C}4LCN\u{F70B}\u{04}", "separators substituted"),
        // RS after the header lost.
        ("[)>06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}\u{04}", "RS after [)> is missing"),
        // A doubled '>' and no RS.
        (">[)>06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}\u{04}", "stray '>'"),
        // NUL or GS in place of RS.
        ("[)>\u{0}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}\u{04}", "NUL or GS"),
        ("[)>\u{1d}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}\u{04}", "NUL or GS"),
        // No trailer at all.
        ("[)>\u{1e}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN", "no trailer"),
        // RS but no EOT; EOT but no RS.
        ("[)>\u{1e}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}", "EOT after the last RS is missing"),
        ("[)>\u{1e}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{04}", "RS before EOT is missing"),
        // AIM id and the scanner's suffix around it; `]d1` is never a GS.
        ("]d1[)>\u{1e}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1e}\u{04}\r\n", ""),
        // A trailing GS before the RS.
        ("[)>\u{1e}06\u{1d}1P20TBS1D000\u{1d}SPE07FEA4\u{1d}Q1\u{1d}4LCN\u{1d}\u{1e}\u{04}", ""),
    ];
    for (input, warning) in cases {
        let m = ok(input);
        assert_eq!(pairs(&m), clean_fields(), "{input:?}");
        assert!(
            !m.warnings.iter().any(|w| w.contains("ignored")),
            "{input:?}: {:?}",
            m.warnings
        );
        if warning.is_empty() {
            assert!(m.warnings.is_empty(), "{input:?}: {:?}", m.warnings);
        } else {
            assert!(
                m.warnings.iter().any(|w| w.contains(warning)),
                "{input:?}: want {warning:?} in {:?}",
                m.warnings
            );
        }
    }
}

#[test]
fn ambiguous_characters_are_data_unless_the_header_says_otherwise() {
    let m = ok("[)>\u{1e}06\u{1d}1PMK182LL/A^2\u{1d}S]C02X\u{1e}\u{04}");
    assert_eq!(
        pairs(&m),
        vec![p("06", "1P", "MK182LL/A^2"), p("06", "S", "]C02X")]
    );
}

#[test]
fn digikey_label_from_inventree() {
    let m = ok(concat!(
        "[)>\x1e06\x1dP296-LM358BIDDFRCT-ND\x1d1PLM358BIDDFR\x1dK\x1d1K72991337\x1d",
        "10K85781337\x1d11K1\x1d4LPH\x1dQ10\x1d11ZPICK\x1d12Z15221337\x1d13Z361337",
        "\x1d20Z0000000000"
    ));
    assert_eq!(m.first("P"), Some("296-LM358BIDDFRCT-ND"));
    assert_eq!(m.first("1P"), Some("LM358BIDDFR"));
    assert_eq!(m.first("1K"), Some("72991337"));
    assert_eq!(m.first("4L"), Some("PH"));
    assert_eq!(m.first("Q"), Some("10"));
    assert_eq!(m.first("K"), None);
    assert!(m.warnings.contains(&"empty value for K".to_string()));
    assert!(m.warnings.iter().any(|w| w.contains("no trailer")));
    assert_eq!(m.envelopes[0].fields.len(), 12);
}

#[test]
fn mouser_labels_from_inventree() {
    let m = ok("[)>\x1e06\x1dKP0-1337\x1d14K011\x1d1PMC34063ADR\x1dQ3\x1d11K073121337\x1d4LMX\x1d1VTI\x1e\x04");
    assert_eq!(m.first("K"), Some("P0-1337"));
    assert_eq!(m.first("1P"), Some("MC34063ADR"));
    assert_eq!(m.first("1V"), Some("TI"));
    assert_eq!(m.warnings, vec!["unknown data identifier 14K".to_string()]);

    let old = ok(">[)>06\x1dK21421337\x1d14K033\x1d1PLDK320ADU33R\x1dQ32\x1d11K060931337\x1d4LCN\x1d1VSTMicro");
    assert_eq!(old.first("1P"), Some("LDK320ADU33R"));
    assert_eq!(old.first("Q"), Some("32"));
    assert_eq!(old.first("1V"), Some("STMicro"));
    for w in ["stray '>'", "RS after [)> is missing", "no trailer"] {
        assert!(
            old.warnings.iter().any(|x| x.contains(w)),
            "{w}: {:?}",
            old.warnings
        );
    }
}

#[test]
fn format_05_goes_to_the_gs1_parser() {
    let m = ok("[)>\x1e05\x1d0109506000134352\x1d21ABC\x1e\x04");
    let e = &m.envelopes[0];
    assert_eq!(e.format, "05");
    let elements = e.gs1.clone().unwrap().unwrap();
    assert_eq!(elements[0].ai, "01");
    assert_eq!(elements[1].value, "ABC");
    assert_eq!(e.fields[0].title, "GTIN");
    // A bad check digit is the GS1 parser's error, kept on the envelope.
    let bad = ok("[)>\x1e05\x1d0109506000134353\x1e\x04");
    assert!(bad.envelopes[0].gs1.clone().unwrap().is_err());
}

#[test]
fn several_envelopes_and_text_element_identifiers() {
    let m = ok(concat!(
        "[)>\x1e01\x1d96\x1d10001\x1d840\x1d001\x1d1Z12345678\x1e",
        "06\x1d1P4XJ41UT#ABA\x1dS5CG1234XYZ\x1e",
        "12\x1dMFR 0ABC1\x1dPNR 1234-5\x1dSER 998877\x1e\x04"
    ));
    let formats: Vec<&str> = m.envelopes.iter().map(|e| e.format.as_ref()).collect();
    assert_eq!(formats, ["01", "06", "12"]);
    assert_eq!(m.envelopes[0].fields[0].di, "1");
    assert_eq!(m.envelopes[0].fields[3].value, "001");
    assert_eq!(m.envelopes[0].fields[4].value, "1Z12345678");
    assert_eq!(m.first("S"), Some("5CG1234XYZ"));
    assert_eq!(m.text_element("PNR"), Some("1234-5"));
    assert_eq!(m.envelopes[2].fields[2].title, "Serial number");
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let dd = ok("[)>\x1eDD\x1dSER 42\x1dPNR\x1e\x04");
    assert_eq!(dd.text_element("SER"), Some("42"));
    assert!(dd.warnings.contains(&"empty value for PNR".to_string()));
}

#[test]
fn doubts_are_warnings() {
    let m = ok("[)>\x1e06\x1d2TLOT7\x1dSABC\x1dSABD\x1d4LXX\x1d16D20261399\x1dlower\x1e\x04");
    let want = [
        "unknown data identifier 2T",
        "duplicate data identifier S",
        "4L \"XX\" is not an ISO 3166 alpha-2 country code",
        "16D \"20261399\" is not a date YYYYMMDD",
        "field without a data identifier: \"lower\"",
    ];
    for w in want {
        assert!(m.warnings.iter().any(|x| x == w), "{w}: {:?}", m.warnings);
    }
    assert_eq!(m.envelopes[0].fields.len(), 6);
}

#[test]
fn lost_separators_keep_one_field_and_say_so() {
    let m = ok("[)>061P20TBS1D000SPE07FEA4Q14LCNXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
    assert_eq!(m.envelopes[0].fields.len(), 1);
    assert!(m
        .warnings
        .iter()
        .any(|w| w.contains("GS after the format code")));
    assert!(m.warnings.iter().any(|w| w.contains("run together")));
}

#[test]
fn refuses_only_when_nothing_splits() {
    assert_eq!(parse(b"1PABC"), Err(Iso15434Error::NotAMessage));
    assert!(matches!(parse(b"[)>"), Err(Iso15434Error::NoFields { .. })));
    assert!(matches!(
        parse(b"[)>\x1e06\x1d\x1e\x04"),
        Err(Iso15434Error::NoFields { .. })
    ));
    let e = parse(b"[)>\x1e\x04").unwrap_err();
    assert!(e.to_string().contains("[)>"), "{e}");
    assert!(looks_like(b"]d1[)>\x1e06"));
    assert!(!looks_like(b"]C10109506000134352"));
}

#[test]
fn garbage_never_panics() {
    for s in [
        &b"[)>\xff\xfe"[..],
        b"[)>^",
        b"[)>^0",
        b"[)>{RS",
        b"[)>\x1e06\x1d\x1d\x1d",
        b"[)>\x1e\xe2\x90",
        b">[)>",
        b"[)>\x1e06\x1dS1\x1e\x04\x04junk",
    ] {
        fuzz_one(s);
    }
}

mod prop {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            super::fuzz_one(&data);
        }

        /// A good message with characters overwritten: near-valid input.
        #[test]
        fn mutated_messages_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
            let mut data = super::CLEAN.as_bytes().to_vec();
            for (i, b) in edits {
                let at = i.index(data.len());
                data[at] = b;
            }
            super::fuzz_one(&data);
            crate::identify::fuzz_one(&data);
        }
    }
}
