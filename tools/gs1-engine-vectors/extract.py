#!/usr/bin/env python3
"""Extract the unit-test vectors of GS1's Barcode Syntax Engine that apply to
scanstation into tests/it/gs1_engine/vectors.jsonl (one JSON object a line).

Usage: extract.py ENGINE_REPO_DIR COMMIT > tests/it/gs1_engine/vectors.jsonl

ENGINE_REPO_DIR is a clone of https://github.com/gs1/gs1-syntax-engine; the
files read are src/c-lib/ai.c, dl.c and scandata.c (their `#ifdef UNIT_TESTS`
sections). Vectors run while an option that scanstation does not offer is
switched on (zero-suppressed GTINs or convenience alphas in Digital Link URIs,
unknown AIs) are marked with `"option"` and skipped by the test.
"""
import json
import re
import subprocess
import sys

STR = r'(?:"(?:[^"\\]|\\.)*"\s*)+'


def c_string(lit):
    """The bytes of a run of adjacent C string literals, as a str (latin-1)."""
    out = []
    for part in re.findall(r'"((?:[^"\\]|\\.)*)"', lit):
        i = 0
        while i < len(part):
            c = part[i]
            if c == '\\':
                n = part[i + 1]
                if n == 'x':
                    m = re.match(r'[0-9A-Fa-f]{1,2}', part[i + 2:])
                    out.append(chr(int(m.group(0), 16)))
                    i += 2 + len(m.group(0))
                    continue
                out.append({'n': '\n', 't': '\t', '\\': '\\', '"': '"'}.get(n, n))
                i += 2
                continue
            out.append(c)
            i += 1
    return ''.join(out)


def options_at(text, pos):
    """The engine options switched on at offset `pos` of a test section."""
    on = set()
    for m in re.finditer(
        r'setPermitZeroSuppressedGTINinDLuris\(ctx, (true|false)\)'
        r'|permitConvenienceAlphas = (true|false)'
        r'|setPermitUnknownAIs\(ctx, (true|false)\)'
        r'|vUNKNOWN_AI_NOT_DL_ATTR, (true|false)\)', text[:pos]):
        names = ['zero_suppressed_gtin', 'convenience_alphas', 'unknown_ais', 'unknown_ai_dl_attr']
        for name, val in zip(names, m.groups()):
            if val is None:
                continue
            # vUNKNOWN_AI_NOT_DL_ATTR false = a permissive option on
            enabled = (val == 'true') != (name == 'unknown_ai_dl_attr')
            (on.add if enabled else on.discard)(name)
    return sorted(on)


def section(repo, commit, path):
    src = subprocess.run(['git', '-C', repo, 'show', f'{commit}:{path}'],
                         capture_output=True, text=True, check=True).stdout
    start = src.index('#ifdef UNIT_TESTS')
    return src, start


def line_of(src, pos):
    return src.count('\n', 0, pos) + 1


def func_body(src, start, name):
    """Offsets of the body of `void name(void) {` within src."""
    b = src.index(f'void {name}(void)', start)
    e = src.index('\n}\n', b)
    return b, e


def emit(rows, file, src, pos, kind, ok, data, expect=None, **extra):
    row = {'file': file, 'line': line_of(src, pos), 'kind': kind, 'ok': ok, 'input': data}
    if expect is not None:
        row['expect'] = expect
    row.update(extra)
    rows.append(row)


def main():
    repo, commit = sys.argv[1], sys.argv[2]
    rows = []

    f = 'src/c-lib/ai.c'
    src, start = section(repo, commit, f)
    b, e = func_body(src, start, 'test_ai_parseAIdata')
    for m in re.finditer(rf'test_parseAIdata\((true|false),\s*({STR}),\s*({STR})\)', src[b:e]):
        emit(rows, f, src, b + m.start(), 'bracketed', m.group(1) == 'true',
             c_string(m.group(2)), c_string(m.group(3)) or None)
    b, e = func_body(src, start, 'test_ai_linters')
    for m in re.finditer(rf'^\s*\{{\s*({STR}),\s*(GS1_LINTER_\w+)\s*\}}', src[b:e], re.M):
        emit(rows, f, src, b + m.start(1), 'bracketed', m.group(2) == 'GS1_LINTER_OK',
             c_string(m.group(1)), linter=m.group(2))
    b, e = func_body(src, start, 'test_ai_processAIdata')
    body = src[b:e]
    for m in re.finditer(rf'test_processAIdata\((true|false),\s*({STR})\)', body):
        emit(rows, f, src, b + m.start(), 'scanner', m.group(1) == 'true', c_string(m.group(2)),
             option=options_at(body, m.start()))
    b, e = func_body(src, start, 'test_ai_validateAIs')
    body = src[b:e]
    for m in re.finditer(rf'test_validateAIs\((true|false),\s*(\w+),\s*({STR})\)', body):
        emit(rows, f, src, b + m.start(), 'pairs', m.group(1) == 'true', c_string(m.group(3)),
             rule=m.group(2), option=options_at(body, m.start()))

    f = 'src/c-lib/dl.c'
    src, start = section(repo, commit, f)
    b, e = func_body(src, start, 'test_dl_parseDLuri')
    body = src[b:e]
    for m in re.finditer(rf'test_parseDLuri\((true|false),\s*({STR}),\s*({STR})\)', body):
        emit(rows, f, src, b + m.start(), 'digital_link', m.group(1) == 'true',
             c_string(m.group(2)), c_string(m.group(3)) or None, option=options_at(body, m.start()))

    f = 'src/c-lib/scandata.c'
    src, start = section(repo, commit, f)
    b, e = func_body(src, start, 'test_scandata_processScanData')
    body = src[b:e]
    pat = rf'test_testProcessScanData\((true|false),\s*({STR}),\s*(\w+),\s*({STR})\);'
    pat += rf'(?:\s*TEST_CHECK\(strcmp\(ctx->dlAIbuffer,\s*({STR})\)\s*==\s*0\))?'
    for m in re.finditer(pat, body):
        extra = {'symbology': m.group(3)}
        if m.group(5) is not None:
            extra['dl_ais'] = c_string(m.group(5))
        emit(rows, f, src, b + m.start(), 'scan', m.group(1) == 'true', c_string(m.group(2)),
             c_string(m.group(4)), **extra)

    for row in rows:
        if not row.get('option'):
            row.pop('option', None)
        row['commit'] = commit
        print(json.dumps(row, ensure_ascii=True))


if __name__ == '__main__':
    main()
