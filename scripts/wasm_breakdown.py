#!/usr/bin/env python3
"""Where the page's wasm bytes go: function bodies grouped by crate and module, each group
gzipped on its own (so the groups add up to a little more than the whole file gzipped).

It needs the function names, which the page's build strips. Make a named copy from the
wasm-bindgen output with the page's own passes (index.html's data-wasm-opt-params) and -g in
place of --strip-debug:

    wasm-opt target/wasm-bindgen/release/badgateway-web_bg.wasm -g \\
      --enable-bulk-memory --enable-nontrapping-float-to-int \\
      --flatten --rereloop -Oz --flatten --rereloop -Oz -Oz -Oz -o /tmp/named.wasm
    python3 scripts/wasm_breakdown.py /tmp/named.wasm

The components' views are inlined into yew's `CompStateInner::view`, one copy per component
under a hashed name: each is attributed to the page module it calls most.
"""

import collections
import gzip
import importlib.util
import pathlib
import re
import sys

# The LEB128 reader of the crate-level breakdown (scripts/wasm-size-by-crate.py, which reads
# the unoptimised build): this script reads the optimised one, by module, gzipped.
_spec = importlib.util.spec_from_file_location(
    "wasm_size_by_crate", pathlib.Path(__file__).with_name("wasm-size-by-crate.py")
)
_by_crate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_by_crate)
leb = _by_crate.leb


def read_module(data):
    """(number of imported functions, {index: name}, [defined bodies], {section id: bytes})"""
    i, imported, names, bodies, sections = 8, 0, {}, [], {}
    while i < len(data):
        sid = data[i]
        size, i = leb(data, i + 1)
        body = data[i : i + size]
        i += size
        sections.setdefault(sid, b"")
        sections[sid] += body
        if sid == 2:  # imports
            count, j = leb(body, 0)
            for _ in range(count):
                for _ in range(2):  # module, field
                    n, j = leb(body, j)
                    j += n
                kind = body[j]
                j += 1
                if kind != 0:
                    sys.exit(f"import kind {kind} not handled")
                _, j = leb(body, j)
                imported += 1
        elif sid == 10:  # code
            count, j = leb(body, 0)
            for _ in range(count):
                n, j = leb(body, j)
                bodies.append(body[j : j + n])
                j += n
        elif sid == 0:  # custom: the name section's function names
            n, j = leb(body, 0)
            if body[j : j + n] != b"name":
                continue
            j += n
            while j < len(body):
                sub = body[j]
                n, j = leb(body, j + 1)
                end = j + n
                if sub == 1:
                    count, k = leb(body, j)
                    for _ in range(count):
                        index, k = leb(body, k)
                        n, k = leb(body, k)
                        names[index] = body[k : k + n].decode("utf-8", "replace")
                        k += n
                j = end
    return imported, names, bodies, sections


OURS = re.compile(r"badgateway_(core|config|text|web)::(\w+)(?:::(\w+))?")
STD = {"core", "alloc", "std", "hashbrown", "memchr", "talc", "compiler_builtins", "indexmap",
       "strsim"}
YEW = {"yew", "implicit_clone", "gloo_timers", "gloo_utils", "gloo", "prokio", "slab",
       "futures", "pin_project", "wasm_bindgen_futures", "bumpalo"}
BINDGEN = {"wasm_bindgen", "js_sys", "web_sys"}
SPLIT = {"diagnose", "listeners", "log"}  # modules shown one level deeper


def group(name, calls):
    name = re.sub(r"\[[0-9a-f]{16}\]", "", name)
    if "CompStateInner" in name and "::view::" in name:
        counted = collections.Counter(
            m.group(2) for c in calls for m in OURS.finditer(c) if m.group(1) == "web"
        )
        return f"web view {counted.most_common(1)[0][0] if counted else '?'}"
    m = OURS.search(name)
    if m:
        crate, module, sub = m.groups()
        return f"{crate} {module}" + (f"::{sub}" if sub and module in SPLIT else "")
    first = re.match(r"^<?&?(?:mut )?(?:dyn )?([A-Za-z_]\w*)", name)
    lead = first.group(1) if first else ""
    if lead in STD:
        return "std, alloc and libraries"
    if lead in YEW:
        return "yew, gloo, futures"
    if lead in BINDGEN:
        return "wasm-bindgen, js-sys, web-sys"
    return "other"


def calls_of(body, imported, names):
    """Names of the functions a body calls directly (a 0x10 byte followed by an index is
    taken for a call: a rough scan, good enough to tell which component a view belongs to)."""
    out = []
    for m in re.finditer(rb"\x10", body):
        try:
            index, _ = leb(body, m.end())
        except IndexError:
            continue
        if imported <= index < imported + 200000 and index in names:
            out.append(names[index])
    return out


def main():
    data = open(sys.argv[1], "rb").read()
    imported, names, bodies, sections = read_module(data)
    if not names:
        sys.exit("no function names: see this script's docstring for a named build")
    groups = collections.defaultdict(list)
    for k, body in enumerate(bodies):
        name = names.get(k + imported, "?")
        calls = calls_of(body, imported, names) if "CompStateInner" in name else []
        groups[group(name, calls)].append(body)
    gz = lambda parts: len(gzip.compress(b"".join(parts), 9))  # noqa: E731
    rows = sorted(((gz(v), sum(map(len, v)), k) for k, v in groups.items()), reverse=True)
    code, data_section = sections.get(10, b""), sections.get(11, b"")
    print(f"whole file {gz([data]):,} B gz (with names); code section {gz([code]):,} B gz, "
          f"data {gz([data_section]):,} B gz")
    for gz, raw, key in rows:
        print(f"{gz:9,} B gz {raw:9,} B  {key}")


if __name__ == "__main__":
    main()
