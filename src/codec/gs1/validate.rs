//! Full validation, as GS1's syntax engine does it: each value against its
//! dictionary entry (length, character set, components, linters), then the
//! element string as a whole (repeats, `req=` and `ex=` pairings, and the
//! rule that a digital signature (8030) needs a serialised key).

use super::error::{CsetName, Expect, Gs1Error};
use super::lint;
use super::spec::{self, AiEntry, Cset};
use super::Element;

const NUMERIC: u8 = 1;
const CSET82: u8 = 2;
const CSET39: u8 = 4;
const CSET64: u8 = 8;

/// Character classes by byte: one bit per GS1 character set.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let cset82 =
        b"!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    let mut i = 0;
    while i < cset82.len() {
        t[cset82[i] as usize] |= CSET82;
        i += 1;
    }
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] |= NUMERIC | CSET39 | CSET64;
        c += 1;
    }
    let mut c = b'A';
    while c <= b'Z' {
        t[c as usize] |= CSET39 | CSET64;
        t[(c + 32) as usize] |= CSET64;
        c += 1;
    }
    t[b'#' as usize] |= CSET39;
    t[b'-' as usize] |= CSET39 | CSET64;
    t[b'/' as usize] |= CSET39;
    t[b'_' as usize] |= CSET64;
    t
};

fn mask(cset: Cset) -> u8 {
    match cset {
        Cset::Numeric => NUMERIC,
        Cset::Cset82 => CSET82,
        Cset::Cset39 => CSET39,
        Cset::Cset64 => CSET64,
    }
}

/// Check one AI's value against its dictionary entry.
pub fn value(entry: &'static AiEntry, v: &[u8]) -> Result<(), Gs1Error> {
    let ai = entry.ai;
    let (min, max) = (usize::from(entry.min_len), usize::from(entry.max_len));
    if v.len() < min || v.len() > max {
        let expect = if min == max {
            Expect::Exactly(min)
        } else if v.len() < min {
            Expect::AtLeast(min)
        } else {
            Expect::AtMost(max)
        };
        return Err(Gs1Error::Length {
            ai,
            len: v.len(),
            expect,
        });
    }
    let mut pos = 0;
    for part in entry.parts {
        let remaining = v.len() - pos;
        if part.optional && remaining == 0 {
            break;
        }
        let (pmin, pmax) = (usize::from(part.min), usize::from(part.max));
        if remaining < pmin {
            let expect = Expect::Exactly(pos + pmin);
            return Err(Gs1Error::Length {
                ai,
                len: v.len(),
                expect,
            });
        }
        let take = remaining.min(pmax);
        let data = &v[pos..pos + take];
        charset(ai, part.cset, data, pos)?;
        for &l in part.linters {
            lint::run(l, ai, data)?;
        }
        pos += take;
    }
    if pos != v.len() {
        return Err(Gs1Error::Length {
            ai,
            len: v.len(),
            expect: Expect::Exactly(pos),
        });
    }
    Ok(())
}

fn charset(ai: &'static str, cset: Cset, data: &[u8], offset: usize) -> Result<(), Gs1Error> {
    let m = mask(cset);
    let mut end = data.len();
    if cset == Cset::Cset64 {
        // Up to two '=' pad characters at the end, as GS1's reference allows.
        let pads = data.iter().rev().take_while(|&&c| c == b'=').count();
        if pads <= 2 && (pads == 0 || data.len().is_multiple_of(3)) {
            end -= pads;
        }
    }
    match data[..end]
        .iter()
        .position(|&c| CLASS[usize::from(c)] & m == 0)
    {
        None => Ok(()),
        Some(i) => Err(Gs1Error::Charset {
            ai,
            pos: offset + i + 1,
            ch: char::from(data[i]),
            cset: CsetName(cset),
        }),
    }
}

/// The AIs of an element string, each once, in order of first appearance,
/// after checking that repeats of an AI carry the same value (the engine's
/// "repeated AIs" rule). Linear in the number of elements: the list searched
/// holds distinct AIs, at most the dictionary's 541, and usually a handful,
/// so a plain vector beats a hash map here.
fn distinct(elements: &[Element]) -> Result<Vec<(&'static str, &str)>, Gs1Error> {
    let mut first: Vec<(&'static str, &str)> = Vec::with_capacity(elements.len().min(16));
    for e in elements {
        match first.iter().find(|(ai, _)| *ai == e.ai) {
            Some((_, v)) if *v != e.value => return Err(Gs1Error::Duplicate { ai: e.ai }),
            Some(_) => {}
            None => first.push((e.ai, &e.value)),
        }
    }
    Ok(first)
}

/// The AIs whose serial component must be present when (8030) is: a key
/// given at its minimum length has none.
const SERIALISED_KEYS: [&str; 3] = ["253", "255", "8003"];

/// Check the element string as a whole: repeats, `req=`, `ex=` and the
/// digital-signature rule. The work grows with the number of elements plus
/// the square of the number of *distinct* AIs (bounded by the dictionary),
/// never with the square of the input.
pub fn pairs(elements: &[Element]) -> Result<(), Gs1Error> {
    let ais: Vec<&'static str> = distinct(elements)?.into_iter().map(|(ai, _)| ai).collect();
    let present = |pattern: &str| ais.iter().any(|a| spec::matches(pattern, a));
    for &ai in &ais {
        let Some(entry) = spec::lookup(ai) else {
            return Err(Gs1Error::UnknownAi { ai: ai.to_string() });
        };
        for req in entry.req {
            let met = req
                .groups
                .iter()
                .any(|group| group.iter().all(|p| present(p)));
            if !met {
                return Err(Gs1Error::Requires {
                    ai: entry.ai,
                    needs: req.text,
                });
            }
        }
        for pattern in entry.ex {
            let other = ais
                .iter()
                .find(|&&o| o != entry.ai && spec::matches(pattern, o));
            if let Some(&other) = other {
                return Err(Gs1Error::Excludes {
                    ai: entry.ai,
                    other,
                });
            }
        }
    }
    if ais.contains(&"8030") {
        for e in elements {
            if SERIALISED_KEYS.contains(&e.ai) {
                let min = spec::lookup(e.ai).map_or(0, |x| usize::from(x.min_len));
                if e.value.len() == min {
                    return Err(Gs1Error::SerialRequired { ai: e.ai });
                }
            }
        }
    }
    Ok(())
}
