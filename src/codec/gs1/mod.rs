//! GS1 element strings: parsed from a scanner's data (FNC1 as GS), from
//! bracketed text `(01)…(21)…`, or from a GS1 Digital Link URI; written back in
//! any of the three forms.
//!
//! Every parse validates fully, as GS1's own syntax engine does: every AI of
//! GS1's Barcode Syntax Dictionary (the generated `table.rs`), lengths,
//! character sets, the dictionary's content checks ("linters", `lint.rs`) and
//! the `req=`/`ex=` pairings over the whole element string. A scan the station
//! accepts is therefore one a GS1 validator would accept too, and every
//! refusal names the AI and the rule, for the operator.

mod code_lists;
pub mod digital_link;
mod error;
mod lint;
mod spec;
#[rustfmt::skip]
mod table;
#[cfg(test)]
mod dl_tests;
#[cfg(test)]
mod tests;
mod validate;

pub use code_lists::ISO3166_ALPHA2;
pub use error::{CsetName, DlProblem, Expect, Gs1Error, Lint};
pub use lint::{check_digit, check_pair};

/// The GS (group separator) byte that stands for FNC1 in scanner data.
pub const GS: u8 = 0x1D;

/// One element string: an Application Identifier and its value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Element {
    /// The AI's digits, e.g. `"01"` (always an AI of the dictionary).
    pub ai: &'static str,
    pub value: String,
}

impl Element {
    /// The dictionary's title for this AI, e.g. `"GTIN"`.
    pub fn title(&self) -> &'static str {
        ai_title(self.ai).unwrap_or("")
    }
}

/// The dictionary's title for an AI (`"01"` → `"GTIN"`, `"21"` → `"SERIAL"`).
pub fn ai_title(ai: &str) -> Option<&'static str> {
    spec::lookup(ai).map(|e| e.title)
}

/// Whether the AI is in GS1's predefined-length table (no FNC1 after it).
pub fn is_predefined_length(ai: &str) -> bool {
    spec::lookup(ai).is_some_and(|e| e.predefined)
}

/// Whether the AI is a GS1 Digital Link primary key (`01`, `00`, `8004` …).
pub fn is_primary_key(ai: &str) -> bool {
    spec::lookup(ai).is_some_and(|e| e.dlpkey.is_some())
}

fn element(entry: &'static spec::AiEntry, v: &[u8]) -> Result<Element, Gs1Error> {
    validate::value(entry, v)?;
    // Every GS1 character set is ASCII, so a validated value is UTF-8.
    let value = std::str::from_utf8(v).map_err(|_| Gs1Error::Syntax("value is not ASCII"))?;
    Ok(Element {
        ai: entry.ai,
        value: value.to_owned(),
    })
}

/// Validate the whole element string. Repeats of an AI with the same value
/// stay in the list, in scan order, as GS1's syntax engine keeps them (two
/// symbols of one label read together repeat their key); repeats with
/// different values are refused by [`validate::pairs`].
fn finish(elements: Vec<Element>) -> Result<Vec<Element>, Gs1Error> {
    if elements.is_empty() {
        return Err(Gs1Error::Empty);
    }
    validate::pairs(&elements)?;
    Ok(elements)
}

/// The AI at the start of `data`, or the error that explains why there is none.
fn ai_at(data: &[u8]) -> Result<&'static spec::AiEntry, Gs1Error> {
    if let Some(entry) = spec::lookup_prefix(data) {
        return Ok(entry);
    }
    let want = spec::ai_len(data).unwrap_or(2);
    let digits = data
        .iter()
        .take(want)
        .take_while(|c| c.is_ascii_digit())
        .count();
    let shown: String = data
        .iter()
        .take(digits.max(1))
        .map(|&c| char::from(c))
        .collect();
    if digits == data.len() && digits < want {
        Err(Gs1Error::TruncatedAi { ai: shown })
    } else {
        Err(Gs1Error::UnknownAi { ai: shown })
    }
}

/// Parse scanner data that followed a GS1 AIM identifier (]C1 ]e0 ]d2 ]Q3 ]J1).
///
/// FNC1 separators arrive as GS (0x1D). A leading FNC1 is allowed and a
/// trailing one tolerated; predefined-length AIs need no separator.
pub fn parse_scanner(data: &[u8]) -> Result<Vec<Element>, Gs1Error> {
    let mut elements = Vec::with_capacity(4);
    let mut pos = usize::from(data.first() == Some(&GS));
    while pos < data.len() {
        let rest = &data[pos..];
        let entry = ai_at(rest)?;
        let start = pos + entry.ai.len();
        let tail = &data[start..];
        let end = if entry.predefined {
            let n = usize::from(entry.max_len);
            let avail = tail.iter().take(n).take_while(|&&c| c != GS).count();
            if avail < n {
                let expect = Expect::Exactly(n);
                return Err(Gs1Error::Length {
                    ai: entry.ai,
                    len: avail,
                    expect,
                });
            }
            start + n
        } else {
            start + tail.iter().position(|&c| c == GS).unwrap_or(tail.len())
        };
        elements.push(element(entry, &data[start..end])?);
        pos = end;
        // One GS ends a variable-length value; after a predefined-length one
        // it is superfluous but tolerated, as at the very end.
        if data.get(pos) == Some(&GS) {
            pos += 1;
            if data.get(pos) == Some(&GS) {
                return Err(Gs1Error::Syntax("two FNC1 separators in a row"));
            }
        }
    }
    finish(elements)
}

/// Parse bracketed element strings: `(01)09506000134352(21)ABC`.
///
/// A literal `(` inside a value is written `\(`, as GS1's syntax engine does.
pub fn parse_bracketed(text: &str) -> Result<Vec<Element>, Gs1Error> {
    let data = text.as_bytes();
    if data.first() != Some(&b'(') {
        return Err(Gs1Error::Syntax("bracketed data must start with '('"));
    }
    let mut elements = Vec::with_capacity(4);
    let mut pos = 0;
    let mut value = Vec::with_capacity(32);
    while pos < data.len() {
        // data[pos] == b'(' here.
        let close = data[pos..]
            .iter()
            .position(|&c| c == b')')
            .ok_or(Gs1Error::Syntax("'(' without ')'"))?;
        let ai = &text[pos + 1..pos + close];
        let entry = spec::lookup(ai).ok_or_else(|| Gs1Error::UnknownAi { ai: ai.to_string() })?;
        pos += close + 1;
        value.clear();
        while pos < data.len() && data[pos] != b'(' {
            if data[pos] == b'\\' && data.get(pos + 1) == Some(&b'(') {
                pos += 1;
            }
            value.push(data[pos]);
            pos += 1;
        }
        elements.push(element(entry, &value)?);
    }
    finish(elements)
}

/// The GTIN that EAN/UPC data carries (AIM `]E0` or `]E4`), as `(01)` padded
/// to 14 digits. `ean8` is the `]E4` modifier: its 8 digits are an EAN-8;
/// 8 digits under `]E0` are a UPC-E, expanded to its UPC-A first.
pub fn parse_ean(data: &[u8], ean8: bool) -> Result<Vec<Element>, Gs1Error> {
    let entry = spec::lookup("01").ok_or(Gs1Error::Syntax("no (01) in the table"))?;
    let all_digits = data.iter().all(u8::is_ascii_digit);
    let digits: Vec<u8> = match (data.len(), ean8) {
        (8, false) if all_digits => {
            upc_e_to_a(data).ok_or(Gs1Error::Syntax("UPC-E must start with 0 or 1"))?
        }
        (8, true) | (12, false) | (13, false) => data.to_vec(),
        (len, _) => {
            return Err(Gs1Error::Length {
                ai: "01",
                len,
                expect: Expect::Exactly(14),
            })
        }
    };
    let mut gtin = vec![b'0'; 14 - digits.len()];
    gtin.extend_from_slice(&digits);
    Ok(vec![element(entry, &gtin)?])
}

/// Expand a UPC-E (number system, six digits, check digit) to its UPC-A.
fn upc_e_to_a(e: &[u8]) -> Option<Vec<u8>> {
    let (ns, d, check) = (e[0], &e[1..7], e[7]);
    if ns != b'0' && ns != b'1' {
        return None;
    }
    let body: [u8; 10] = match d[5] {
        b'0'..=b'2' => [d[0], d[1], d[5], b'0', b'0', b'0', b'0', d[2], d[3], d[4]],
        b'3' => [d[0], d[1], d[2], b'0', b'0', b'0', b'0', b'0', d[3], d[4]],
        b'4' => [d[0], d[1], d[2], d[3], b'0', b'0', b'0', b'0', b'0', d[4]],
        _ => [d[0], d[1], d[2], d[3], d[4], b'0', b'0', b'0', b'0', d[5]],
    };
    let mut a = Vec::with_capacity(12);
    a.push(ns);
    a.extend_from_slice(&body);
    a.push(check);
    Some(a)
}

/// Bracketed form: `(01)09506000134352(21)ABC`, with `(` in values as `\(`.
pub fn to_bracketed(elements: &[Element]) -> String {
    let mut out = String::with_capacity(elements.iter().map(|e| e.value.len() + 6).sum());
    for e in elements {
        out.push('(');
        out.push_str(e.ai);
        out.push(')');
        for c in e.value.chars() {
            if c == '(' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// Scanner form (no AIM identifier): GS only after a value that needs one.
pub fn to_scanner(elements: &[Element]) -> String {
    let mut out = String::with_capacity(elements.iter().map(|e| e.value.len() + 5).sum());
    for (i, e) in elements.iter().enumerate() {
        out.push_str(e.ai);
        out.push_str(&e.value);
        if i + 1 < elements.len() && !is_predefined_length(e.ai) {
            out.push(char::from(GS));
        }
    }
    out
}

/// The GS1 Digital Link URI for these elements: see [`digital_link::to_uri`].
pub fn to_digital_link(elements: &[Element], host: &str) -> Option<String> {
    digital_link::to_uri(elements, host)
}

/// The fuzz target body: parse the bytes as scanner data, bracketed text and a
/// Digital Link URI, and round-trip whatever parses through every output form.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    if let Ok(els) = parse_scanner(data) {
        round_trip(&els);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(els) = parse_bracketed(text) {
            round_trip(&els);
        }
        let _ = digital_link::looks_like(text);
        if let Ok(els) = digital_link::parse(text) {
            round_trip(&els);
            assert!(to_digital_link(&els, "id.gs1.org").is_some(), "{text}");
        }
    }
}

/// The Digital Link fuzz target body: parse the text as a URI (and test
/// [`digital_link::looks_like`] on it), round-tripping what parses.
#[cfg(feature = "fuzzing")]
pub fn fuzz_digital_link(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let looks = digital_link::looks_like(text);
    if let Ok(els) = digital_link::parse(text) {
        assert!(looks, "parsed but not recognised: {text}");
        round_trip(&els);
        assert!(to_digital_link(&els, "id.gs1.org").is_some(), "{text}");
    }
}

#[cfg(feature = "fuzzing")]
fn round_trip(els: &[Element]) {
    let scanner = to_scanner(els);
    assert_eq!(
        parse_scanner(scanner.as_bytes()).as_deref(),
        Ok(els),
        "{scanner:?}"
    );
    let bracketed = to_bracketed(els);
    assert_eq!(
        parse_bracketed(&bracketed).as_deref(),
        Ok(els),
        "{bracketed}"
    );
    if let Some(uri) = to_digital_link(els, "id.gs1.org") {
        let mut back = digital_link::parse(&uri).unwrap_or_else(|e| panic!("{uri}: {e}"));
        // A URI carries a repeated AI once.
        let mut seen = std::collections::HashSet::new();
        let mut want: Vec<Element> = els.iter().filter(|e| seen.insert(e.ai)).cloned().collect();
        back.sort_by_key(|e| e.ai);
        want.sort_by_key(|e| e.ai);
        assert_eq!(back, want, "{uri}");
    }
}
