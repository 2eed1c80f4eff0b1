//! GS1 Digital Link URIs: `https://<any host>/01/<gtin>/21/<serial>?17=…`.
//!
//! Parsing follows GS1's syntax engine: the path is walked backwards in
//! `/AI/value` pairs until a primary key is found (anything before it is the
//! resolver's own path), qualifiers must follow the dictionary's `dlpkey`
//! order, numeric query keys must be AIs allowed as data attributes, and other
//! query parameters are ignored. Values are validated like any element string.

use super::error::{DlProblem, Gs1Error};
use super::spec::{self, AiEntry};
use super::{validate, Element};

/// Deprecated "convenience" path names that GS1 Digital Link 1.1 dropped.
const CONVENIENCE_NAMES: [&str; 17] = [
    "gtin", "itip", "cpv", "lot", "ser", "sscc", "gln", "party", "gsrnp", "gsrn", "gcn", "gdti",
    "ginc", "gsin", "giai", "grai", "cpid",
];

fn dl(problem: DlProblem) -> Gs1Error {
    Gs1Error::DigitalLink(problem)
}

fn is_uri_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&c)
}

/// The part after `http(s)://` (all lower or all upper case, as GS1 accepts).
fn after_scheme(uri: &str) -> Option<&str> {
    ["https://", "HTTPS://", "http://", "HTTP://"]
        .iter()
        .find_map(|scheme| uri.strip_prefix(scheme))
}

/// Whether `data` starts with an http(s) scheme in one case, as the engine
/// accepts (`https://`, `HTTPS://`, `http://`, `HTTP://`; not `HtTp://`).
pub fn has_scheme(data: &[u8]) -> bool {
    [&b"https://"[..], b"HTTPS://", b"http://", b"HTTP://"]
        .iter()
        .any(|scheme| data.starts_with(scheme))
}

/// Whether `text` is an http(s) URI whose path holds a GS1 primary key AI
/// followed by a value. Cheap; [`parse`] does the validation.
pub fn looks_like(text: &str) -> bool {
    let Some(rest) = after_scheme(text) else {
        return false;
    };
    let Some(slash) = rest.find('/') else {
        return false;
    };
    let path = &rest[slash..];
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let segs: Vec<&str> = path.split('/').collect();
    // A key followed by a value; or by an empty segment and more (`/01//…`,
    // a value lost), so that [`parse`] names what is wrong instead of the
    // scan passing as plain text.
    (0..segs.len().saturating_sub(1)).any(|i| {
        let after = !segs[i + 1].is_empty() || segs.get(i + 2).is_some_and(|s| !s.is_empty());
        after && spec::lookup(segs[i]).is_some_and(|e| e.dlpkey.is_some())
    })
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Percent-decode; `+` is a space in the query only. A `%` not followed by two
/// hex digits stays literal, as in GS1's engine; a decoded NUL is refused.
fn unescape(s: &str, query: bool, ai: &str) -> Result<Vec<u8>, Gs1Error> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'%' {
            if let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|&x| hex(x)),
                b.get(i + 2).and_then(|&x| hex(x)),
            ) {
                let byte = h << 4 | l;
                if byte == 0 {
                    return Err(dl(DlProblem::Nul(ai.to_string())));
                }
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(if query && c == b'+' { b' ' } else { c });
        i += 1;
    }
    Ok(out)
}

fn element(entry: &'static AiEntry, v: &[u8]) -> Result<Element, Gs1Error> {
    if v.is_empty() {
        return Err(dl(DlProblem::EmptyValue(entry.ai.to_string())));
    }
    super::element(entry, v)
}

/// Whether `quals` (after the key) is an ordered selection of one of the key's
/// qualifier sequences.
fn valid_sequence(key: &AiEntry, quals: &[&str]) -> bool {
    let Some(alts) = key.dlpkey else {
        return false;
    };
    alts.iter().any(|alt| {
        let mut it = alt.iter();
        quals.iter().all(|q| it.any(|a| a == q))
    })
}

/// Parse a GS1 Digital Link URI into element strings: the path's key and
/// qualifiers, then the query's data attributes in the order given.
pub fn parse(uri: &str) -> Result<Vec<Element>, Gs1Error> {
    if !uri.bytes().all(is_uri_char) {
        return Err(dl(DlProblem::BadCharacter));
    }
    let rest = after_scheme(uri).ok_or(dl(DlProblem::NotHttp))?;
    let slash = rest.find('/').ok_or(dl(DlProblem::NoHost))?;
    if slash == 0 {
        return Err(dl(DlProblem::NoHost));
    }
    let rest = &rest[slash..];
    let rest = &rest[..rest.find('#').unwrap_or(rest.len())];
    let (path, query) = match rest.find('?') {
        Some(q) => (&rest[..q], Some(&rest[q + 1..])),
        None => (rest, None),
    };

    // Walk backwards in /AI/value pairs to the primary key.
    let segs: Vec<&str> = path[1..].split('/').collect();
    // An empty segment: `/01//…` is an AI without its value, `…/` a path
    // that ends in a slash; both are refused with what is missing named.
    if let Some(i) = segs.iter().position(|s| s.is_empty()) {
        match i.checked_sub(1).and_then(|p| spec::lookup(segs[p])) {
            Some(entry) => return Err(dl(DlProblem::EmptyValue(entry.ai.to_string()))),
            None if i > 0 => return Err(dl(DlProblem::EmptySegment)),
            None => {} // `https://host//stem/…`: the resolver's own path
        }
    }
    let mut k = segs.len();
    let mut start = None;
    while k >= 2 {
        let Some(entry) = spec::lookup(segs[k - 2]) else {
            break;
        };
        if entry.dlpkey.is_some() {
            start = Some(k - 2);
            break;
        }
        k -= 2;
    }
    let Some(start) = start else {
        if let Some(name) = segs
            .iter()
            .find(|s| CONVENIENCE_NAMES.contains(&s.to_ascii_lowercase().as_str()))
        {
            return Err(dl(DlProblem::ConvenienceName(name.to_string())));
        }
        return Err(dl(DlProblem::NoPrimaryKey));
    };

    let mut elements = Vec::with_capacity(4);
    let mut path_ais: Vec<&'static str> = Vec::with_capacity(4);
    for pair in segs[start..].chunks(2) {
        let [ai, value] = pair else {
            return Err(dl(DlProblem::NoPrimaryKey));
        };
        let entry = spec::lookup(ai).ok_or_else(|| Gs1Error::UnknownAi { ai: ai.to_string() })?;
        elements.push(element(entry, &unescape(value, false, ai)?)?);
        path_ais.push(entry.ai);
    }
    let key = spec::lookup(path_ais[0]).ok_or(dl(DlProblem::NoPrimaryKey))?;
    if !valid_sequence(key, &path_ais[1..]) {
        // Name the first qualifier that breaks the sequence.
        let bad = (1..path_ais.len())
            .find(|&n| !valid_sequence(key, &path_ais[1..=n]))
            .map_or(path_ais[0], |n| path_ais[n]);
        return Err(dl(DlProblem::BadQualifier(bad.to_string())));
    }

    // A repeat is refused at once, so `seen` holds distinct AIs only.
    let mut seen: Vec<&'static str> = path_ais.clone();
    for param in query.unwrap_or("").split('&') {
        let Some((k, v)) = param.split_once('=') else {
            continue;
        };
        if k.is_empty() || !k.bytes().all(|c| c.is_ascii_digit()) {
            continue; // not an AI: other query parameters are ignored
        }
        let entry = spec::lookup(k).ok_or_else(|| Gs1Error::UnknownAi { ai: k.to_string() })?;
        // A value too short for its AI (a zero-suppressed GTIN) is refused,
        // not padded: GS1's engine pads only when told to, and by default
        // does not.
        let el = element(entry, &unescape(v, true, k)?)?;
        if seen.contains(&el.ai) {
            return Err(dl(DlProblem::Duplicate(el.ai.to_string())));
        }
        if !entry.dl_attr {
            return Err(dl(DlProblem::NotAttribute(el.ai.to_string())));
        }
        let belongs = (1..=path_ais.len()).any(|j| {
            let mut seq: Vec<&str> = path_ais[1..j].to_vec();
            seq.push(el.ai);
            seq.extend_from_slice(&path_ais[j..]);
            valid_sequence(key, &seq)
        });
        if belongs {
            return Err(dl(DlProblem::BelongsInPath(el.ai.to_string())));
        }
        seen.push(el.ai);
        elements.push(el);
    }
    validate::pairs(&elements)?;
    Ok(elements)
}

fn escape_into(out: &mut String, value: &str, query: bool) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &c in value.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(c));
        } else if query && c == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(c >> 4)]));
            out.push(char::from(HEX[usize::from(c & 15)]));
        }
    }
}

/// The canonical Digital Link URI for `elements`, on `host` (`id.gs1.org`, or
/// a full `https://…` stem): the first primary key, its qualifiers in the
/// dictionary's order (the longest sequence the data fills), then the other
/// elements as query attributes in the order given. `None` without a primary
/// key, or when an element may be neither a qualifier nor an attribute.
pub fn to_uri(elements: &[Element], host: &str) -> Option<String> {
    let (ki, key) = elements.iter().enumerate().find_map(|(i, e)| {
        spec::lookup(e.ai)
            .filter(|x| x.dlpkey.is_some())
            .map(|x| (i, x))
    })?;
    let alts = key.dlpkey?;
    let present = |alt: &[&str]| {
        alt.iter()
            .filter(|a| elements.iter().any(|e| e.ai == **a))
            .count()
    };
    // The longest qualifier sequence first; on a tie, the dictionary's order.
    let mut order: Vec<&[&str]> = alts.to_vec();
    order.sort_by_key(|alt| std::cmp::Reverse(present(alt)));
    order
        .into_iter()
        .find_map(|alt| build(elements, ki, alt, host))
}

fn build(elements: &[Element], key: usize, quals: &[&str], host: &str) -> Option<String> {
    let mut out = String::with_capacity(64);
    if !(host.starts_with("http://") || host.starts_with("https://")) {
        out.push_str("https://");
    }
    out.push_str(host.trim_end_matches('/'));
    // A repeated AI (the same value, or validation would have refused it)
    // appears once in a URI. Short lists (every real scan) are searched in
    // place; long ones through the distinct AIs seen, at most the
    // dictionary's, so the work stays linear in the input.
    let mut used: Vec<bool> = if elements.len() <= 32 {
        (0..elements.len())
            .map(|i| elements[..i].iter().any(|p| p.ai == elements[i].ai))
            .collect()
    } else {
        let mut seen: Vec<&str> = Vec::with_capacity(16);
        elements
            .iter()
            .map(|e| {
                let repeat = seen.contains(&e.ai);
                if !repeat {
                    seen.push(e.ai);
                }
                repeat
            })
            .collect()
    };
    let path = std::iter::once(key).chain(
        quals
            .iter()
            .filter_map(|q| elements.iter().position(|e| e.ai == *q)),
    );
    for i in path {
        out.push('/');
        out.push_str(elements[i].ai);
        out.push('/');
        escape_into(&mut out, &elements[i].value, false);
        used[i] = true;
    }
    let mut sep = '?';
    for (e, used) in elements.iter().zip(used) {
        if used {
            continue;
        }
        if !spec::lookup(e.ai)?.dl_attr {
            return None;
        }
        out.push(sep);
        sep = '&';
        out.push_str(e.ai);
        out.push('=');
        escape_into(&mut out, &e.value, true);
    }
    Some(out)
}
