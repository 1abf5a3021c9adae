#!/usr/bin/env python3
"""Trunk post-build hook: publish the lab's real captures as the page's gallery.

Writes cases/index.json (name, title, group, codes) and cases/<name>.json (the three
inputs) into the staging dir, from tests/fixtures/scenarios/*/meta.json: the gallery
shows exactly the captures the tests diagnose.
"""
import json
import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SCENARIOS = os.path.join(ROOT, "tests", "fixtures", "scenarios")

# Grouped like the common 502 guides; the first matching code decides.
GROUPS = [
    ("Backend down", ["BG201", "BG210"]),
    ("Wrong target", ["BG202", "BG203", "BG204", "BG208", "BG209", "BG213"]),
    ("Unix sockets and permissions", ["BG205", "BG206"]),
    ("Unreachable or blocked network", ["BG207"]),
    ("Overload and resources", ["BG211", "BG212"]),
    ("Backend crashed or broke the response", ["BG301", "BG304", "BG306"]),
    ("Protocol and TLS", ["BG302", "BG305"]),
    ("Buffers", ["BG303"]),
    ("Timeouts: 504, not 502", ["BG401", "BG402"]),
    ("Config that would not load", ["BG101", "BG102", "BG103", "BG104", "BG105"]),
]


def group_of(codes):
    for title, members in GROUPS:
        if any(c in members for c in codes):
            return title
    return "Not a 502 cause (controls)"


def read(folder, names):
    out = []
    for name in names if isinstance(names, list) else [names]:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as f:
            out.append(f.read())
    return "".join(out)


def main():
    staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
    out_dir = os.path.join(staging, "cases")
    os.makedirs(out_dir, exist_ok=True)
    index = []
    for name in sorted(os.listdir(SCENARIOS)):
        folder = os.path.join(SCENARIOS, name)
        meta_path = os.path.join(folder, "meta.json")
        if not os.path.exists(meta_path):
            continue
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
        inputs = meta["inputs"]
        seen = [s for r in meta.get("client", []) for s in r.get("statuses", [])]
        # Numbers only: a reply without a status line is recorded in words.
        statuses = sorted({s for s in seen if isinstance(s, int)})
        entry = {
            "name": name,
            "title": meta.get("description", name),
            "cause": meta.get("cause", ""),
            "group": group_of(meta.get("expect", [])),
            "codes": meta.get("expect", []),
            "statuses": statuses,
            "nginx": meta.get("nginx_version", ""),
        }
        index.append(entry)
        case = dict(entry)
        case["config"] = read(folder, inputs["config"])
        case["listeners"] = read(folder, inputs["listeners"])
        case["log"] = read(folder, inputs["log"])
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False)
    order = {title: i for i, (title, _) in enumerate(GROUPS)}
    index.sort(key=lambda e: (order.get(e["group"], len(GROUPS)), e["codes"], e["name"]))
    with open(os.path.join(out_dir, "index.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": index}, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
