//! Full validation, as GS1's syntax engine does it: each value against its
//! dictionary entry (length, character set, components, linters), then the
//! element string as a whole (duplicates, `req=` and `ex=` pairings).

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

fn present(elements: &[Element], pattern: &str) -> Option<&'static str> {
    elements
        .iter()
        .find(|e| spec::matches(pattern, e.ai))
        .map(|e| e.ai)
}

/// Check the element string as a whole: duplicates, `req=` and `ex=`.
pub fn pairs(elements: &[Element]) -> Result<(), Gs1Error> {
    for (i, e) in elements.iter().enumerate() {
        if elements[..i]
            .iter()
            .any(|p| p.ai == e.ai && p.value != e.value)
        {
            return Err(Gs1Error::Duplicate { ai: e.ai });
        }
    }
    for e in elements {
        let Some(entry) = spec::lookup(e.ai) else {
            return Err(Gs1Error::UnknownAi {
                ai: e.ai.to_string(),
            });
        };
        for req in entry.req {
            let met = req
                .groups
                .iter()
                .any(|group| group.iter().all(|p| present(elements, p).is_some()));
            if !met {
                return Err(Gs1Error::Requires {
                    ai: entry.ai,
                    needs: req.text,
                });
            }
        }
        for pattern in entry.ex {
            let other = elements
                .iter()
                .find(|o| o.ai != entry.ai && spec::matches(pattern, o.ai));
            if let Some(o) = other {
                return Err(Gs1Error::Excludes {
                    ai: entry.ai,
                    other: o.ai,
                });
            }
        }
    }
    Ok(())
}
