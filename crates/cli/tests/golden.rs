//! The CLI's JSON on every lab scenario and input subset, byte for byte against
//! `tests/fixtures/golden/`: a refactor of the rules or facts must not change one byte of what
//! `badgateway diagnose --format json` prints, nor its exit status.
//!
//! The runs are the lab's (`tests/lab/lab.py check`): the log files of a scenario concatenated
//! into one file, each input subset on its own. Inputs are copied into a fresh directory and named
//! by relative paths, so the `sources` block names the same files wherever the checkout lives.
//! After an intended change of output: `BLESS=1 cargo test -p badgateway --test golden`, then
//! review the diff of `tests/fixtures/golden/` before committing it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The subsets `lab.py check` runs, plus each input alone.
const SUBSETS: &[(&str, &[&str])] = &[
    ("all", &["config", "listeners", "log"]),
    ("config+listeners", &["config", "listeners"]),
    ("config", &["config"]),
    ("listeners", &["listeners"]),
    ("log", &["log"]),
];

/// The concatenated log's name in the run directory (the lab's is a random `tmp….log`).
const LOG_NAME: &str = "lab.log";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scenario_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().join("meta.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Runs `diagnose --format json` on one subset of a scenario in a fresh directory `run`.
fn diagnose(scenario: &Path, parts: &[&str], run: &Path) -> (Vec<u8>, i32) {
    diagnose_as("json", scenario, parts, run)
}

fn diagnose_as(format: &str, scenario: &Path, parts: &[&str], run: &Path) -> (Vec<u8>, i32) {
    let meta: Value = serde_json::from_slice(&std::fs::read(scenario.join("meta.json")).unwrap()).unwrap();
    let inputs = &meta["inputs"];
    if run.exists() {
        std::fs::remove_dir_all(run).unwrap();
    }
    std::fs::create_dir_all(run).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_badgateway"));
    cmd.current_dir(run).env_remove("NO_COLOR").arg("diagnose");
    for input in ["config", "listeners"] {
        if parts.contains(&input) {
            let name = inputs[input].as_str().unwrap();
            std::fs::copy(scenario.join(name), run.join(name)).unwrap();
            cmd.arg(format!("--{input}")).arg(name);
        }
    }
    if parts.contains(&"log") {
        let mut log = Vec::new();
        for name in inputs["log"].as_array().unwrap() {
            log.extend(std::fs::read(scenario.join(name.as_str().unwrap())).unwrap());
        }
        std::fs::write(run.join(LOG_NAME), log).unwrap();
        cmd.args(["--log", LOG_NAME]);
    }
    let out = cmd.args(["--format", format]).output().unwrap();
    assert!(out.stderr.is_empty(), "{}: stderr {}", run.display(), String::from_utf8_lossy(&out.stderr));
    (out.stdout, out.status.code().unwrap_or(-1))
}

/// Where two outputs first part, with a few lines of each around it.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let (want, got) = (String::from_utf8_lossy(want), String::from_utf8_lossy(got));
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w.iter().zip(&g).position(|(a, b)| a != b).unwrap_or(w.len().min(g.len()));
    let window = |lines: &[&str]| {
        lines.iter().skip(at.saturating_sub(2)).take(5).copied().collect::<Vec<_>>().join("\n")
    };
    format!(
        "first difference at line {} (golden {} lines, now {} lines)\n--- golden\n{}\n--- now\n{}",
        at + 1,
        w.len(),
        g.len(),
        window(&w),
        window(&g)
    )
}

#[test]
fn json_output_matches_the_golden_files_on_every_scenario_and_subset() {
    let scenarios = repo().join("tests/fixtures/scenarios");
    let golden = repo().join("tests/fixtures/golden");
    let bless = std::env::var_os("BLESS").is_some_and(|v| v == "1");
    let run = std::env::temp_dir().join(format!("badgateway-golden-{}", std::process::id()));
    let mut exits = String::new();
    let mut failures = Vec::new();
    let mut expected_files = vec![golden.join("exit-status.txt")];
    for name in scenario_names(&scenarios) {
        for (subset, parts) in SUBSETS {
            let (json, status) = diagnose(&scenarios.join(&name), parts, &run);
            writeln!(exits, "{name} {subset} {status}").unwrap();
            let file = golden.join(&name).join(format!("{subset}.json"));
            expected_files.push(file.clone());
            if bless {
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, &json).unwrap();
                continue;
            }
            match std::fs::read(&file) {
                Ok(want) if want == json => {}
                Ok(want) => failures.push(format!("{name} [{subset}]: {}", first_difference(&want, &json))),
                Err(e) => {
                    failures.push(format!("{name} [{subset}]: no golden file {} ({e})", file.display()))
                }
            }
        }
    }
    std::fs::remove_dir_all(&run).ok();
    let exit_file = golden.join("exit-status.txt");
    if bless {
        std::fs::write(&exit_file, &exits).unwrap();
    } else {
        let want = std::fs::read(&exit_file).unwrap_or_default();
        if want != exits.as_bytes() {
            failures.push(format!("exit status: {}", first_difference(&want, exits.as_bytes())));
        }
    }
    // A golden file whose scenario or subset is gone would silently stop being checked.
    let mut stray = Vec::new();
    for entry in walk(&golden) {
        if !expected_files.contains(&entry) {
            stray.push(entry.display().to_string());
        }
    }
    if !stray.is_empty() {
        failures.push(format!("golden files no run produces (delete them): {stray:?}"));
    }
    assert!(
        failures.is_empty(),
        "{} of the JSON outputs differ from tests/fixtures/golden (after an intended change: \
         BLESS=1 cargo test -p badgateway --test golden, and review the diff):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Each rule's findings as the terminal shows them (`--format text`), on the first lab
/// scenario that expects the rule, snapshotted with insta (`tests/snapshots/golden__text_BG*`).
/// Rules no scenario expects (BG105, BG106, BG501, BG601, BG602) have hand-written cases and a
/// JSON snapshot beside the rule in core instead.
#[test]
fn each_rule_renders_as_text_on_its_first_scenario() {
    let scenarios = repo().join("tests/fixtures/scenarios");
    let names = scenario_names(&scenarios);
    let run = std::env::temp_dir().join(format!("badgateway-golden-text-{}", std::process::id()));
    let mut shown = 0;
    for code in badgateway_core::code::Code::ALL.iter().filter(|c| c.is_live()) {
        let code = code.as_str();
        let expects = |name: &&String| {
            let meta: Value =
                serde_json::from_slice(&std::fs::read(scenarios.join(name).join("meta.json")).unwrap())
                    .unwrap();
            meta["expect"].as_array().is_some_and(|e| e.iter().any(|c| c == code))
        };
        let Some(name) = names.iter().find(expects) else { continue };
        let (text, _) = diagnose_as("text", &scenarios.join(name), &["config", "listeners", "log"], &run);
        let blocks = blocks_of(&String::from_utf8(text).unwrap(), code);
        assert!(!blocks.is_empty(), "{name}: no {code} in the text output");
        insta::assert_snapshot!(format!("text_{code}"), format!("{name} [all]\n\n{blocks}"));
        shown += 1;
    }
    std::fs::remove_dir_all(&run).ok();
    assert!(shown >= 25, "only {shown} rules have a scenario");
}

/// The findings of one code in the text output: each from its `error[BG202]:` line to the
/// next finding or the summary line.
fn blocks_of(text: &str, code: &str) -> String {
    let mut out = String::new();
    let mut keep = false;
    for line in text.lines() {
        if let Some((_, rest)) = line.split_once('[')
            && !line.starts_with(' ')
            && rest.starts_with("BG")
        {
            keep = rest.starts_with(code);
        } else if line.contains(" error(s), ") {
            keep = false;
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}
