#!/usr/bin/env python3
"""Generate table.rs from GS1's Barcode Syntax Dictionary.

Run by hand when GS1 publishes a new dictionary release:

    python3 src/codec/gs1/gen_table.py /path/to/gs1-syntax-dictionary.txt > src/codec/gs1/table.rs

Python 3 standard library only. No build step reads the dictionary: the output
is committed, with GS1's Apache-2.0 notice carried over.
"""

import re
import sys

# Predefined-length prefixes (GS1 General Specifications, Figure 5.10.1-2): the
# separator rule follows this table, not the dictionary's lengths.
PREDEFINED = {
    "00": 18, "01": 14, "02": 14, "03": 14, "04": 16,
    "11": 6, "12": 6, "13": 6, "14": 6, "15": 6, "16": 6, "17": 6, "18": 6, "19": 6,
    "20": 2, "31": 6, "32": 6, "33": 6, "34": 6, "35": 6, "36": 6, "41": 13,
}

LINTERS = {
    "csum": "Csum", "csumalpha": "CsumAlpha", "gcppos1": "GcpPos1", "gcppos2": "GcpPos2",
    "yymmd0": "Yymmd0", "yymmdd": "Yymmdd", "yyyymmdd": "Yyyymmdd", "yyyymmd0": "Yyyymmd0",
    "hhmi": "Hhmi", "hh": "Hh", "mi": "Mi", "ss": "Ss",
    "iso3166": "Iso3166", "iso3166999": "Iso3166999", "iso3166alpha2": "Iso3166Alpha2",
    "iso4217": "Iso4217", "iso5218": "Iso5218", "pcenc": "Pcenc", "zero": "Zero",
    "nonzero": "NonZero", "nozeroprefix": "NoZeroPrefix", "hasnondigit": "HasNonDigit",
    "iban": "Iban", "mediatype": "MediaType", "packagetype": "PackageType",
    "pieceoftotal": "PieceOfTotal", "posinseqslash": "PosInSeqSlash", "winding": "Winding",
    "yesno": "YesNo", "hyphen": "Hyphen", "importeridx": "ImporterIdx",
    "latitude": "Latitude", "longitude": "Longitude", "key": "Key", "keyoff1": "KeyOff1",
    "couponcode": "CouponCode", "couponposoffer": "CouponPosOffer",
}
CSETS = {"N": "Numeric", "X": "Cset82", "Y": "Cset39", "Z": "Cset64"}


def parse_component(tok):
    m = re.fullmatch(r"(\[)?([NXYZ])(\d+|\.\.\d+)(\])?((?:,[a-z0-9]+)*)(\])?", tok)
    if not m:
        sys.exit(f"bad component {tok!r}")
    opt = bool(m.group(1))
    if opt != bool(m.group(4) or m.group(6)):
        sys.exit(f"bad brackets {tok!r}")
    size = m.group(3)
    if size.startswith(".."):
        lo, hi = 1, int(size[2:])
    else:
        lo = hi = int(size)
    linters = [l for l in m.group(5).split(",") if l]
    for l in linters:
        if l not in LINTERS:
            sys.exit(f"unknown linter {l}")
    return (CSETS[m.group(2)], lo, hi, opt, linters)


def render_req(groups):
    alts = ["+".join(f"({a})" for a in g) for g in groups]
    alts = [a.replace("+", " with ") for a in alts]
    if len(alts) == 1:
        return alts[0]
    return ", ".join(alts[:-1]) + " or " + alts[-1]


def main():
    path = sys.argv[1]
    header, entries = [], []
    in_header = True
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("#"):
            if in_header:
                header.append(line)
            continue
        if not line.strip():
            continue
        in_header = False
        title = ""
        if "#" in line:
            line, title = line.split("#", 1)
            title = title.strip()
        toks = line.split()
        ais = toks.pop(0)
        flags = ""
        if toks and re.fullmatch(r"[*?!\"$%&'()+,\-./:;<=>@\[\\\]^_`{|}~]+", toks[0]):
            flags = toks.pop(0)
        comps, attrs = [], []
        for t in toks:
            if re.match(r"\[?[NXYZ]", t):
                comps.append(parse_component(t))
            else:
                attrs.append(t)
        req, ex, dlpkey = [], [], None
        for a in attrs:
            if a.startswith("req="):
                req.append([g.split("+") for g in a[4:].split(",")])
            elif a.startswith("ex="):
                ex.extend(a[3:].split(","))
            elif a == "dlpkey":
                dlpkey = [[]]
            elif a.startswith("dlpkey="):
                dlpkey = [s.split(",") for s in a[7:].split("|")]
            else:
                sys.exit(f"unknown attribute {a}")
        if "-" in ais:
            lo, hi = ais.split("-")
            width = len(lo)
            ai_list = [str(n).zfill(width) for n in range(int(lo), int(hi) + 1)]
        else:
            ai_list = [ais]
        for ai in ai_list:
            entries.append((ai, flags, comps, req, ex, dlpkey, title))

    # Sanity: the length of an AI follows from its first two digits; predefined
    # lengths agree with the dictionary's fixed lengths and '*' flags.
    len_by_prefix = {}
    for ai, flags, comps, *_ in entries:
        p = ai[:2]
        if len_by_prefix.setdefault(p, len(ai)) != len(ai):
            sys.exit(f"AI length not determined by prefix {p}")
        pre = PREDEFINED.get(p)
        total = sum(c[2] for c in comps)
        fixed = all(c[1] == c[2] and not c[3] for c in comps)
        if pre is not None:
            if not ("*" in flags and fixed and total == pre):
                sys.exit(f"predefined length mismatch for {ai}")
        elif "*" in flags:
            sys.exit(f"'*' flag on {ai} outside the predefined table")

    out = []
    w = out.append
    w("// @generated by src/codec/gs1/gen_table.py from GS1's Barcode Syntax Dictionary.")
    w("// Do not edit by hand: rerun the script on a new dictionary release.")
    w("//")
    w("// The data below is derived from the GS1 Barcode Syntax Dictionary, whose notice follows.")
    w("//")
    for h in header:
        w("//" + h[1:])
    w("")
    w("use super::spec::{AiEntry, Cset, Linter, Part, Req};")
    w("")
    # shared statics
    part_sets, req_sets, ex_sets, dl_sets = {}, {}, {}, {}
    defs = []

    def intern(cache, key, make):
        if key not in cache:
            name = make(len(cache))
            cache[key] = name
        return cache[key]

    def part_name(comps):
        key = repr(comps)
        def make(i):
            name = f"P{i}"
            body = ", ".join(
                f"Part {{ cset: Cset::{c}, min: {lo}, max: {hi}, optional: {str(opt).lower()}, linters: &[{', '.join('Linter::' + LINTERS[l] for l in ls)}] }}"
                for (c, lo, hi, opt, ls) in comps)
            defs.append(f"static {name}: [Part; {len(comps)}] = [{body}];")
            return name
        return intern(part_sets, key, make)

    def str_list(xs):
        return "&[" + ", ".join(f'"{x}"' for x in xs) + "]"

    def req_name(req):
        key = repr(req)
        def make(i):
            name = f"R{i}"
            body = ", ".join(
                f"Req {{ groups: &[{', '.join(str_list(g) for g in r)}], text: \"{render_req(r)}\" }}"
                for r in req)
            defs.append(f"static {name}: [Req; {len(req)}] = [{body}];")
            return name
        return intern(req_sets, key, make)

    rows = []
    for ai, flags, comps, req, ex, dlpkey, title in entries:
        pn = part_name(comps)
        rn = req_name(req) if req else None
        pre = PREDEFINED.get(ai[:2])
        minlen = sum(c[1] for c in comps if not c[3])
        maxlen = sum(c[2] for c in comps)
        dl = "None"
        if dlpkey is not None:
            dl = "Some(&[" + ", ".join(str_list(s) for s in dlpkey) + "])"
        rows.append(
            f"    AiEntry {{ ai: \"{ai}\", title: \"{title}\", predefined: {str(pre is not None).lower()}, "
            f"dl_attr: {str('?' in flags).lower()}, min_len: {minlen}, max_len: {maxlen}, parts: &{pn}, "
            f"req: {('&' + rn) if rn else '&[]'}, ex: {str_list(ex)}, dlpkey: {dl} }},")

    w("\n".join(defs))
    w("")
    w("/// Every AI of the dictionary, ranges expanded, in lexical order.")
    w(f"pub static ENTRIES: [AiEntry; {len(rows)}] = [")
    out.extend(rows)
    w("];")
    w("")
    # AI length by two-digit prefix (0 = no AI starts so).
    lens = [len_by_prefix.get(f"{i:02}", 0) for i in range(100)]
    w("/// Length of an AI, known from its first two digits (0 = no AI starts so).")
    w("pub static AI_LEN_BY_PREFIX: [u8; 100] = [" + ", ".join(map(str, lens)) + "];")
    w("")
    # Index by the AI's digits right-padded to four: unique since the
    # length follows from the prefix.
    idx = [0] * 10000
    for i, (ai, *_rest) in enumerate(entries):
        key = int(ai.ljust(4, "0"))
        idx[key] = i + 1
    w("/// Index + 1 into ENTRIES, by the AI's digits right-padded with zeros to four (0 = none).")
    w("pub static AI_INDEX: [u16; 10000] = [")
    for i in range(0, 10000, 40):
        w("    " + ", ".join(map(str, idx[i:i + 40])) + ",")
    w("];")
    print("\n".join(out))


if __name__ == "__main__":
    main()
