//! GS1's own unit-test vectors, run against our GS1 codec.
//!
//! The vectors come from GS1's Barcode Syntax Engine
//! (<https://github.com/gs1/gs1-syntax-engine>, commit
//! 50657dbd04ce78d8734e8793e054bf70dcba294b), the `#ifdef UNIT_TESTS`
//! sections of `src/c-lib/ai.c` (test_ai_parseAIdata, test_ai_linters,
//! test_ai_processAIdata, test_ai_validateAIs), `src/c-lib/dl.c`
//! (test_dl_parseDLuri) and `src/c-lib/scandata.c`
//! (test_scandata_processScanData). `tools/gs1-engine-vectors/extract.py`
//! wrote them into `gs1_engine/vectors.jsonl`, each with the file and line it
//! came from, so a failure names the engine's own test case.
//!
//! How each kind maps onto our API:
//! - `bracketed` (parseAIdata, linters) and `scanner` (processAIdata, `^` as
//!   FNC1): the engine's functions check syntax and content, not the pairing
//!   rules (`req=`, `ex=`, repeats), which it runs later. So a vector the
//!   engine accepts must parse here or fail only on a pairing rule, and then
//!   give the engine's output; one it refuses must fail here on something
//!   other than a pairing rule.
//! - `pairs` (validateAIs, one rule each): a vector the engine accepts must not
//!   fail here on that rule; one it refuses must fail here.
//! - `digital_link`: the engine's output, in order, or a refusal.
//! - `scan`: the whole decode of a scan with its AIM identifier.
//!
//! Not applicable, and skipped (counted below): vectors run with options we
//! do not offer (zero-suppressed GTINs or convenience names in URIs, unknown
//! AIs as data), scanner data without the engine's leading FNC1 (ours follows
//! the AIM identifier), scans the station takes as plain text however they
//! look (no or an unknown AIM identifier), and composite (`|`) scans.

use scanstation::codec::gs1::{self, digital_link, Element, Gs1Error};
use scanstation::config::IdentifyConfig;
use scanstation::identify::{Classifier, Syntax};
use serde_json::Value;

const VECTORS: &str = include_str!("gs1_engine/vectors.jsonl");

fn is_pairing(e: &Gs1Error) -> bool {
    matches!(
        e,
        Gs1Error::Requires { .. }
            | Gs1Error::Excludes { .. }
            | Gs1Error::Duplicate { .. }
            | Gs1Error::SerialRequired { .. }
    )
}

/// The engine's unbracketed form: `^` for FNC1 first and where one is needed.
fn engine_form(els: &[Element]) -> String {
    format!("^{}", gs1::to_scanner(els).replace('\u{1d}', "^"))
}

/// The AIs written in bracketed data, to tell whether we know them all.
fn all_ais_known(bracketed: &str) -> bool {
    bracketed
        .split('(')
        .skip(1)
        .filter_map(|s| s.split_once(')').map(|(ai, _)| ai))
        .all(|ai| gs1::ai_title(ai).is_some())
}

struct Case<'a> {
    v: &'a Value,
}

impl Case<'_> {
    fn str(&self, key: &str) -> Option<&str> {
        self.v.get(key).and_then(Value::as_str)
    }
    fn ok(&self) -> bool {
        self.v["ok"].as_bool() == Some(true)
    }
    fn options(&self) -> Vec<&str> {
        self.v
            .get("option")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default()
    }
}

/// Where we knowingly differ from the engine, and why. The test checks that
/// these still differ, so a fix shows up here.
fn known_gap(c: &Case) -> Option<&'static str> {
    let input = c.str("input").unwrap_or_default();
    if c.str("linter")
        .is_some_and(|l| l.starts_with("GS1_LINTER_COUPON"))
    {
        return Some("the North American coupon linters of (8110)/(8112) are not implemented");
    }
    if c.str("kind") == Some("scan") && input.starts_with("]E0") && input.len() == 15 {
        return Some("a 12-digit UPC-A under ]E0 is taken, as scanners set to send UPC-A so do");
    }
    None
}

/// The check for one vector: `Ok(true)` ran, `Ok(false)` not applicable.
fn check(c: &Case, classifier: &Classifier) -> Result<bool, String> {
    let input = c.str("input").unwrap_or_default();
    let kind = c.str("kind").unwrap_or_default();
    let opts = c.options();
    let unsupported = [
        "zero_suppressed_gtin",
        "convenience_alphas",
        "unknown_ai_dl_attr",
    ];
    if opts.iter().any(|o| unsupported.contains(o)) {
        return Ok(false);
    }
    if opts.contains(&"unknown_ais") && c.ok() && !all_ais_known(input) {
        return Ok(false);
    }
    if kind == "pairs" && !all_ais_known(input) {
        return Ok(false); // refused here as an unknown AI, not by the rule tested
    }
    let syntax_only = |got: Result<Vec<Element>, Gs1Error>| -> Result<bool, String> {
        match (c.ok(), got) {
            (true, Ok(els)) => match c.str("expect") {
                Some(want) if engine_form(&els) != want => {
                    Err(format!("gave {}, engine {want}", engine_form(&els)))
                }
                _ => Ok(true),
            },
            (true, Err(e)) if is_pairing(&e) => Ok(true),
            (true, Err(e)) => Err(format!("refused: {e}")),
            (false, Ok(els)) => Err(format!("accepted: {}", engine_form(&els))),
            (false, Err(e)) if is_pairing(&e) => {
                Err(format!("refused only on a pairing rule: {e}"))
            }
            (false, Err(_)) => Ok(true),
        }
    };
    match kind {
        "bracketed" => syntax_only(gs1::parse_bracketed(input)),
        "scanner" => {
            let Some(data) = input.strip_prefix('^') else {
                return Ok(false);
            };
            syntax_only(gs1::parse_scanner(data.replace('^', "\u{1d}").as_bytes()))
        }
        "pairs" => {
            let rule = c.str("rule").unwrap_or_default();
            let got = gs1::parse_bracketed(input);
            let broke_rule = |e: &Gs1Error| match rule {
                "validateAIrepeats" => matches!(e, Gs1Error::Duplicate { .. }),
                "validateAImutex" => matches!(e, Gs1Error::Excludes { .. }),
                "validateAIrequisites" => matches!(e, Gs1Error::Requires { .. }),
                "validateDigSigRequiresSerialisedKey" => {
                    matches!(e, Gs1Error::SerialRequired { .. })
                }
                _ => true,
            };
            match (c.ok(), got) {
                (true, Err(e)) if broke_rule(&e) => Err(format!("refused by the rule: {e}")),
                (true, _) => Ok(true),
                (false, Ok(els)) => Err(format!("accepted: {}", engine_form(&els))),
                (false, Err(_)) => Ok(true),
            }
        }
        "digital_link" => match (c.ok(), digital_link::parse(input)) {
            (true, Ok(els)) => {
                let want = c.str("expect").unwrap_or_default();
                if engine_form(&els) == want {
                    Ok(true)
                } else {
                    Err(format!("gave {}, engine {want}", engine_form(&els)))
                }
            }
            (true, Err(e)) => Err(format!("refused: {e}")),
            (false, Ok(els)) => Err(format!("accepted: {}", engine_form(&els))),
            (false, Err(_)) => Ok(true),
        },
        "scan" => {
            let gs1_aim = ["]C1", "]e0", "]d2", "]Q3", "]J1", "]E0", "]E4"];
            if input.contains('|') {
                return Ok(false);
            }
            let raw = input.as_bytes();
            let d = classifier.decode(raw);
            let want = c.str("expect").unwrap_or_default();
            if !c.ok() {
                if !gs1_aim.iter().any(|a| input.starts_with(a)) {
                    return Ok(false); // any text is a scan at the station
                }
                return match d.error {
                    Some(_) => Ok(true),
                    None => Err(format!("accepted as {:?}", d.syntax)),
                };
            }
            if let Some(e) = d.error {
                return Err(format!("refused: {e}"));
            }
            match d.syntax {
                Syntax::Gs1Scanner => (engine_form(&d.gs1) == want)
                    .then_some(true)
                    .ok_or_else(|| format!("gave {}, engine {want}", engine_form(&d.gs1))),
                // EAN/UPC: the engine gives the digits, we the GTIN-14.
                Syntax::Ean => (d.gs1.first().map(|e| e.value.trim_start_matches('0'))
                    == Some(want.trim_start_matches('0')))
                .then_some(true)
                .ok_or_else(|| format!("gave {:?}, engine {want}", d.gs1)),
                Syntax::DigitalLink => match c.str("dl_ais") {
                    Some(ais) if engine_form(&d.gs1) == ais => Ok(true),
                    other => Err(format!("Digital Link {:?}, engine {other:?}", d.gs1)),
                },
                Syntax::Text => match c.str("dl_ais") {
                    Some(ais) if !ais.is_empty() => {
                        Err(format!("taken as text, engine found {ais}"))
                    }
                    _ => Ok(true),
                },
                other => Err(format!("syntax {other:?}")),
            }
        }
        _ => Err(format!("unknown kind {kind}")),
    }
}

#[test]
fn gs1_syntax_engine_unit_vectors() {
    let classifier = Classifier::new(&IdentifyConfig::default()).unwrap();
    let (mut ran, mut skipped, mut gaps) = (0, 0, 0);
    let mut failures = Vec::new();
    for line in VECTORS.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).unwrap();
        let at = format!(
            "{}:{} {} {:?}",
            v["file"].as_str().unwrap_or("?"),
            v["line"],
            v["kind"].as_str().unwrap_or("?"),
            v["input"].as_str().unwrap_or("?")
        );
        let case = Case { v: &v };
        match (check(&case, &classifier), known_gap(&case)) {
            (Ok(true), None) => ran += 1,
            (Ok(false), _) => skipped += 1,
            (Err(why), None) => failures.push(format!("{at}: {why}")),
            (Err(_), Some(_)) => gaps += 1,
            (Ok(true), Some(gap)) => {
                failures.push(format!("{at}: now agrees; remove the gap: {gap}"))
            }
        }
    }
    eprintln!("GS1 engine vectors: {ran} ran, {skipped} not applicable, {gaps} known gaps");
    assert!(
        failures.is_empty(),
        "{} of {} vectors fail:\n{}",
        failures.len(),
        ran + failures.len(),
        failures.join("\n")
    );
    // The file holds 419 vectors; most apply.
    assert!(
        ran >= 300,
        "only {ran} vectors ran ({skipped} skipped, {gaps} known gaps)"
    );
}
