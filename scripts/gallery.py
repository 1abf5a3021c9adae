#!/usr/bin/env python3
"""Trunk post-build hook: publish the lab's real captures as the page's gallery.

Writes cases/index.json (name, symptom, group, codes, story) and cases/<name>.json (the
three inputs) into the staging dir, from tests/fixtures/scenarios/*/meta.json: the gallery
shows exactly the captures the tests diagnose.

The gallery names each case by its symptom (the first error line nginx logged, as the user
sees it), never by its cause: the cause is the story shown once a case is loaded, and what
learn mode hides until the reveal. It is grouped by that symptom too.
"""
import json
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SCENARIOS = os.path.join(ROOT, "tests", "fixtures", "scenarios")

# Grouped by what the error log says (the symptom); the first matching pattern decides.
GROUPS = [
    ("nginx would not start or reload", r"\[emerg\]"),
    ("Connection refused", r"Connection refused"),
    ("Name could not be resolved", r"could not be resolved|no resolver defined|host not found"),
    ("Timed out", r"timed out"),
    ("No route, unreachable or denied", r"No route to host|Network is unreachable|Permission denied"),
    ("No such socket file", r"No such file or directory\) while connecting"),
    ("Backend busy", r"Resource temporarily unavailable|worker_connections are not enough"),
    ("TLS handshake failed", r"SSL"),
    ("Connection closed or reset mid-response", r"prematurely closed|reset by peer"),
    ("The backend's reply was not understood", r"upstream sent"),
]
NO_ERROR = "No upstream error in the log"
ERROR_LINE = re.compile(r"\[(emerg|alert|crit|error|warn)\] \d+#\d+: (?:\*\d+ )?(.*)")
LAB_DIR = re.compile(r"/tmp/badgateway-lab/[^/]+/")


def first_error(log):
    """The first error line nginx wrote, and its message shortened to what names the symptom."""
    for line in log.splitlines():
        m = ERROR_LINE.search(line)
        if not m:
            continue
        message = re.sub(r", client: .*$", "", m.group(2))
        short = LAB_DIR.sub("", re.sub(r" while .*$", "", message))
        upstream = re.search(r'upstream: "([^"]*)"', line)
        if upstream and "unix:" not in upstream.group(1) and not re.search(r"\d+\.\d+\.\d+\.\d+|\[", short):
            short += " · upstream " + upstream.group(1).rstrip("/")
        return line, short
    return "", ""


def group_of(line):
    if not line:
        return NO_ERROR
    for title, pattern in GROUPS:
        if re.search(pattern, line):
            return title
    return "Other errors"


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
        log = read(folder, inputs["log"])
        line, symptom = first_error(log)
        if not symptom:
            # Nothing went wrong (the controls): what the client saw, and the case's name.
            seen_words = ", ".join(str(s) for s in seen) or "no reply"
            symptom = f"HTTP {seen_words}, no upstream error logged ({name})"
        entry = {
            "name": name,
            # What the user saw: the gallery's link text.
            "symptom": symptom,
            "line": LAB_DIR.sub("", line),
            # How the lab set it up, and what was really wrong: the story, after loading.
            "setup": meta.get("description", name),
            "cause": meta.get("cause", ""),
            "group": group_of(line),
            "codes": meta.get("expect", []),
            "statuses": statuses,
            "nginx": meta.get("nginx_version", ""),
        }
        index.append(entry)
        case = dict(entry)
        case["config"] = read(folder, inputs["config"])
        case["listeners"] = read(folder, inputs["listeners"])
        case["log"] = log
        with open(os.path.join(out_dir, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(case, f, ensure_ascii=False)
    order = {title: i for i, (title, _) in enumerate(GROUPS)}
    order[NO_ERROR] = len(GROUPS) + 1
    index.sort(key=lambda e: (order.get(e["group"], len(GROUPS)), e["symptom"], e["name"]))
    with open(os.path.join(out_dir, "index.json"), "w", encoding="utf-8") as f:
        json.dump({"cases": index}, f, ensure_ascii=False, indent=1)
    learn(index, out_dir)


def find_line(rel, needle):
    with open(os.path.join(ROOT, rel), encoding="utf-8", errors="replace") as f:
        for line in f:
            if needle in line:
                return LAB_DIR.sub("", line.rstrip("\n"))
    sys.exit(f"gallery.py: no line with {needle!r} in {rel}")


def learn(index, out_dir):
    """cases/learn.json: learn mode's path (www/learn/path.json) joined to the real cases, and
    its 502/504/500/499 primer joined to the real lines it quotes."""
    with open(os.path.join(ROOT, "www", "learn", "path.json"), encoding="utf-8") as f:
        path = json.load(f)
    cases = {c["name"]: c for c in index}
    for exercise in path["exercises"]:
        case = cases.get(exercise["case"]) or sys.exit(f"gallery.py: no case {exercise['case']}")
        exercise["statuses"] = case["statuses"]
        for step in exercise["steps"]:
            if step["look"] not in path["choices"]:
                sys.exit(f"gallery.py: {exercise['id']} looks at {step['look']}, not a choice")
    for entry in path["primer"]:
        entry["lines"] = [find_line(entry["file"], entry["match"])]
        if "also" in entry:
            entry["lines"].append(find_line(entry["also"]["file"], entry["also"]["match"]))
    del path["about"]
    with open(os.path.join(out_dir, "learn.json"), "w", encoding="utf-8") as f:
        json.dump(path, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
