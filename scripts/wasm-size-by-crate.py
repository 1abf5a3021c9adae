#!/usr/bin/env python3
"""What each crate costs in the page's wasm: code bytes per crate, from the name section.

Usage: scripts/wasm-size-by-crate.py [WASM [FINAL_GZ_BYTES]]
WASM defaults to the unoptimised cargo output of the page's profile
(target/wasm32-unknown-unknown/wasm-release/badgateway-web.wasm), which still has
function names. Attribution is by the first path segment of each function's mangled name
(for `<T as Trait>` impls, the crate of T); generic code is charged to the crate that
defines it (a `Vec<Finding>` method counts as alloc). Sizes are before wasm-opt and gzip:
read them as shares, not as final bytes. Data (string constants) is listed as one line.
Given the final gzipped size of the page's wasm, the shares are also shown as estimated
gzipped bytes (code compresses alike across crates, roughly).
"""
import re
import sys
from collections import defaultdict


def leb(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def name_str(b, i):
    n, i = leb(b, i)
    return b[i:i + n].decode("utf-8", "replace"), i + n


def crate_of(name):
    if name.startswith("_ZN"):
        m = re.match(r"_ZN(\d+)", name)
        if m:
            n = int(m.group(1))
            first = name[m.end():m.end() + n]
            if first.startswith("_$LT$"):
                inner = first[5:]
                inner = inner.lstrip("&").replace("$RF$", "").replace("mut$u20$", "")
                seg = re.split(r"\.\.|\$", inner)[0]
                return seg or "?"
            return first
    if name.startswith("_R"):
        m = re.search(r"Cs[0-9A-Za-z_]+_(\d+)([A-Za-z_][A-Za-z0-9_]*)", name)
        if m:
            return m.group(2)[: int(m.group(1))]
    if name.startswith("__wbg") or name.startswith("wasm_bindgen"):
        return "wasm_bindgen"
    return "(other: " + name.split("::")[0][:24] + ")"


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "target/wasm32-unknown-unknown/wasm-release/badgateway-web.wasm"
    b = open(path, "rb").read()
    assert b[:4] == b"\0asm", "not a wasm file"
    i = 8
    imported = 0
    bodies = []
    names = {}
    data = 0
    sections = defaultdict(int)
    while i < len(b):
        sid = b[i]
        size, j = leb(b, i + 1)
        end = j + size
        sections[sid] += size
        if sid == 2:  # imports
            n, k = leb(b, j)
            for _ in range(n):
                _, k = name_str(b, k)
                _, k = name_str(b, k)
                kind = b[k]
                k += 1
                if kind == 0:
                    _, k = leb(b, k)
                    imported += 1
                elif kind == 1:
                    k += 1
                    flags, k = leb(b, k)
                    _, k = leb(b, k)
                    if flags & 1:
                        _, k = leb(b, k)
                elif kind == 2:
                    flags, k = leb(b, k)
                    _, k = leb(b, k)
                    if flags & 1:
                        _, k = leb(b, k)
                elif kind == 3:
                    k += 2
        elif sid == 10:  # code
            n, k = leb(b, j)
            for _ in range(n):
                sz, k2 = leb(b, k)
                bodies.append(sz + (k2 - k))
                k = k2 + sz
        elif sid == 11:
            data += size
        elif sid == 0:
            nm, k = name_str(b, j)
            if nm == "name":
                while k < end:
                    sub = b[k]
                    ssz, k = leb(b, k + 1)
                    if sub == 1:
                        n, q = leb(b, k)
                        for _ in range(n):
                            idx, q = leb(b, q)
                            s, q = name_str(b, q)
                            names[idx] = s
                    k += ssz
        i = end
    per = defaultdict(int)
    for n, sz in enumerate(bodies):
        name = names.get(imported + n, "?")
        if "wbindgen_describe" in name:
            continue  # type descriptors: wasm-bindgen runs and removes them
        per[crate_of(name)] += sz
    code = sum(per.values())
    gz = int(sys.argv[2]) if len(sys.argv) > 2 else None
    print(f"{path}: {len(b):,} bytes, code {code:,} (without wasm-bindgen's descriptors), data {data:,}")
    head = f"{'crate':<28} {'code bytes':>11} {'share':>7}" + (f" {'~gz bytes':>10}" if gz else "")
    print(head)
    total = code + data

    def row(label, sz):
        line = f"{label:<28} {sz:>11,} {100 * sz / total:>6.1f}%"
        if gz:
            line += f" {round(gz * sz / total):>10,}"
        print(line)

    for crate, sz in sorted(per.items(), key=lambda kv: -kv[1]):
        if sz * 200 >= total:
            row(crate, sz)
    row("(crates under 0.5% each)", sum(sz for sz in per.values() if sz * 200 < total))
    row("data (strings, tables)", data)


if __name__ == "__main__":
    main()
