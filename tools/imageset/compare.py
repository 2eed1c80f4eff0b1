#!/usr/bin/env python3
"""Read rates of scanstation's decoder, zxing-cpp and zbar on one generated set.

    python3 tools/imageset/compare.py DIR [--ours PATH/TO/scanstation] [--json OUT]

DIR holds images and the manifest.jsonl written by tools/imageset/generate.rs.
An image counts as read when every expected symbol's data is among the
decoder's results. Data is compared without the AIM identifier (zbar does not
report one) and without a leading GS; GS1 separators inside must match, so a
decoder that runs GS1 fields together fails. For ours a strict rate is also
given: the exact scanner bytes, AIM identifier included.

Needs: pip install zxing-cpp pillow; apt-get install zbar-tools.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time

AIM = re.compile(r"^\][A-Za-z][0-9A-Za-z]")


def data_of(text):
    """Strip an AIM identifier and a leading GS."""
    text = AIM.sub("", text, count=1)
    return text.lstrip("\x1d")


def run_ours(binary, files):
    """One process for the whole set; returns {file: [raw...]}, seconds."""
    found = collections.defaultdict(list)
    start = time.monotonic()
    # Batches keep the command line short.
    for i in range(0, len(files), 100):
        batch = files[i : i + 100]
        proc = subprocess.run([binary, "decode-image", *batch], capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            obj = json.loads(line)
            if "raw" in obj:
                found[obj["file"]].append(obj["raw"])
    return found, time.monotonic() - start


def run_zxingcpp(files):
    import zxingcpp
    from PIL import Image

    found = {}
    start = time.monotonic()
    for f in files:
        img = Image.open(f).convert("L")
        results = zxingcpp.read_barcodes(img, text_mode=zxingcpp.TextMode.Plain)
        found[f] = [(r.symbology_identifier or "") + r.text for r in results]
    return found, time.monotonic() - start


def run_zbar(files):
    found = {}
    start = time.monotonic()
    for f in files:
        proc = subprocess.run(["zbarimg", "-q", "--raw", f], capture_output=True)
        text = proc.stdout.decode("utf-8", "replace")
        found[f] = [line for line in text.split("\n") if line]
    return found, time.monotonic() - start


def score(manifest, found, strict=False):
    per = collections.defaultdict(lambda: [0, 0])
    per_format = collections.defaultdict(lambda: [0, 0])
    for entry in manifest:
        got = found.get(entry["path"], [])
        if strict:
            ok = all(e in got for e in entry["expected"])
        else:
            have = {data_of(g) for g in got}
            ok = all(data_of(e) in have for e in entry["expected"])
        for key, table in ((entry["degradation"], per), ("+".join(entry["formats"]), per_format)):
            table[key][0] += ok
            table[key][1] += 1
        per["ALL"][0] += ok
        per["ALL"][1] += 1
    return per, per_format


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--ours", default="target/release/scanstation")
    ap.add_argument("--json")
    ap.add_argument("--misses", action="store_true", help="list the files ours missed")
    args = ap.parse_args()

    manifest = []
    with open(os.path.join(args.dir, "manifest.jsonl")) as fh:
        for line in fh:
            entry = json.loads(line)
            entry["path"] = os.path.join(args.dir, entry["file"])
            manifest.append(entry)
    files = [e["path"] for e in manifest]

    results = {}
    ours, t = run_ours(args.ours, files)
    results["ours"] = (ours, t)
    results["ours (strict AIM)"] = (ours, t)
    results["zxing-cpp"] = run_zxingcpp(files)
    results["zbar"] = run_zbar(files)

    tables = {}
    for name, (found, secs) in results.items():
        per, per_format = score(manifest, found, strict=name.endswith("(strict AIM)"))
        tables[name] = {"by_degradation": per, "by_format": per_format, "seconds": secs}

    names = list(tables)
    keys = [k for k in tables["ours"]["by_degradation"] if k != "ALL"] + ["ALL"]
    print(f"N = {len(manifest)} images in {args.dir}\n")
    print("| degradation | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in keys:
        cells = []
        for n in names:
            ok, total = tables[n]["by_degradation"][k]
            cells.append(f"{ok}/{total} ({100.0 * ok / total:.0f}%)")
        print(f"| {k} | " + " | ".join(cells) + " |")
    print()
    fkeys = sorted(tables["ours"]["by_format"])
    print("| formats | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in fkeys:
        cells = []
        for n in names:
            ok, total = tables[n]["by_format"][k]
            cells.append(f"{ok}/{total}")
        print(f"| {k} | " + " | ".join(cells) + " |")
    print()
    for n in names:
        print(f"{n}: {tables[n]['seconds']:.1f} s wall for the set")
    if args.misses:
        print("\nmissed by ours:")
        for entry in manifest:
            have = {data_of(g) for g in ours.get(entry["path"], [])}
            if not all(data_of(e) in have for e in entry["expected"]):
                print(" ", entry["file"], "got", ours.get(entry["path"], []))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({n: {k: v for k, v in t.items()} for n, t in tables.items()}, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
