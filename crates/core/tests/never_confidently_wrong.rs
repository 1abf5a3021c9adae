//! Never confidently wrong: over every lab scenario (real nginx, real backends) and the
//! partial pastes people really make of it, no error-level finding at 80% confidence or
//! more names a cause the scenario does not have (a code outside its meta.json `expect`).
//!
//! The pastes: everything; the log alone; the config alone; config and listeners; and the
//! listener tables as a user without root gets them (`ss` without its `users:(...)` column,
//! `netstat` without PID/Program), with and without the log. Without root, every real host
//! also shows sshd, databases and agents as unnamed rows, and the backend may simply be down.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use badgateway_core::finding::Severity;
use badgateway_core::{Inputs, analyze};

/// Below this, a finding is a hint the user is told to check, not a diagnosis.
const CONFIDENT: u8 = 80;

/// The listener paste as `ss`/`netstat` print it for a user who is not root: no process
/// column (`users:((...))`, `PID/Program name`), and no `sudo` in the commands shown.
fn without_root(listeners: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(listeners);
    let mut out = String::new();
    for line in text.lines() {
        let line = line.replace("$ sudo ", "$ ");
        let line = match line.find("users:((") {
            Some(at) => line[..at].trim_end().to_string(),
            None => line,
        };
        let line = if let Some(at) = line.find("PID/Program name") {
            line[..at].trim_end().to_string()
        } else if line.starts_with("tcp") && line.contains(" LISTEN") {
            let at = line.find(" LISTEN").unwrap() + " LISTEN".len();
            line[..at].to_string()
        } else {
            line
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.into_bytes()
}

/// The partial pastes of one scenario people really make.
fn pastes<'a>(s: &'a common::Scenario, stripped: Option<&'a [u8]>) -> [(&'static str, Inputs<'a>); 6] {
    [
        ("all", s.all()),
        ("log", s.log_only()),
        ("config", Inputs { config: s.config.as_deref(), listeners: None, log: None }),
        ("config+listeners", s.static_only()),
        (
            "listeners without root",
            Inputs { config: s.config.as_deref(), listeners: stripped, log: s.log.as_deref() },
        ),
        (
            "config+listeners without root",
            Inputs { config: s.config.as_deref(), listeners: stripped, log: None },
        ),
    ]
}

fn scenario_names() -> Vec<String> {
    let dir = common::scenarios_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() > 40, "the lab's fixtures are missing ({})", dir.display());
    names
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string)).collect()
}

#[test]
fn no_confident_error_names_a_cause_the_scenario_does_not_have() {
    let names = scenario_names();
    let mut wrong = Vec::new();
    let mut runs = 0;
    for name in &names {
        let s = common::load(name);
        let causes = strings(&s.meta["expect"]);
        let stripped = s.listeners.as_deref().map(without_root);
        let subsets = pastes(&s, stripped.as_deref());
        for (label, inputs) in subsets {
            runs += 1;
            let a = analyze(inputs);
            for f in &a.findings {
                // A finding that names the real cause as its own (`caused_by`) is a consequence, not a rival.
                let named = |code: &str| causes.iter().any(|c| c == code);
                if f.severity == Severity::Error
                    && f.confidence >= CONFIDENT
                    && !named(f.code.as_str())
                    && !f.caused_by.is_some_and(|c| named(c.as_str()))
                {
                    wrong.push(format!("{name} [{label}]: {} {}% \"{}\"", f.code, f.confidence, f.title));
                }
            }
        }
    }
    println!("{runs} runs over {} scenarios", names.len());
    assert!(wrong.is_empty(), "{} confident wrong findings:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn without_root_drops_the_process_columns() {
    let ss = b"$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      2048       127.0.0.1:3000       0.0.0.0:*    users:((\"gunicorn\",pid=7,fd=5))\n";
    let out = String::from_utf8(without_root(ss)).unwrap();
    assert!(out.starts_with("$ ss -tlnp\n"), "{out}");
    assert!(out.ends_with("0.0.0.0:*\n") && !out.contains("gunicorn"), "{out}");
    let netstat = b"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name\ntcp        0      0 127.0.0.1:3000          0.0.0.0:*               LISTEN      7/python3\n";
    let out = String::from_utf8(without_root(netstat)).unwrap();
    assert!(!out.contains("PID/Program") && !out.contains("python3"), "{out}");
    assert!(out.lines().nth(1).unwrap().ends_with("LISTEN"), "{out}");
}

/// Calibration: over every scenario and paste, the error and warning findings by
/// confidence, each judged right (it names a cause the scenario has, or says it is a
/// consequence of one) or wrong (any other cause). `docs/calibration.md` holds the table;
/// `UPDATE_CALIBRATION=1` rewrites it. A confidence band of 80% or more must be right at
/// least that often.
#[test]
fn confidence_is_calibrated() {
    const BANDS: [(u8, u8); 5] = [(0, 59), (60, 69), (70, 79), (80, 89), (90, 100)];
    let mut right = [0usize; 5];
    let mut total = [0usize; 5];
    let mut wrong_examples: Vec<Vec<String>> = vec![Vec::new(); 5];
    let names = scenario_names();
    let mut runs = 0;
    for name in &names {
        let s = common::load(name);
        let causes = strings(&s.meta["expect"]);
        let stripped = s.listeners.as_deref().map(without_root);
        for (label, inputs) in pastes(&s, stripped.as_deref()) {
            runs += 1;
            for f in analyze(inputs).findings.iter().filter(|f| f.severity != Severity::Info) {
                let named = |code: &str| causes.iter().any(|c| c == code);
                let band = BANDS.iter().position(|(lo, hi)| (*lo..=*hi).contains(&f.confidence)).unwrap();
                total[band] += 1;
                if named(f.code.as_str()) || f.caused_by.is_some_and(|c| named(c.as_str())) {
                    right[band] += 1;
                } else if wrong_examples[band].len() < 3 {
                    wrong_examples[band].push(format!("{} on {name} [{label}]", f.code));
                }
            }
        }
    }
    let mut table = format!(
        "# Calibration\n\nGenerated by `crates/core/tests/never_confidently_wrong.rs` (`UPDATE_CALIBRATION=1 cargo test -p \
         badgateway-core --test never_confidently_wrong` rewrites it). Over the lab's {} real scenarios, each pasted \
         six ways ({runs} runs: everything; the log alone; the config alone; config and listeners; and the listener tables \
         as a user without root prints them, with and without the log), every error and warning finding is judged \
         **right** when it names a cause the scenario has (its `meta.json` `expect`) or says it is a consequence of one \
         (`caused_by`), and **wrong** otherwise. Notes (info) are not counted. A band of 80% or more must be right at \
         least that often (the test fails otherwise).\n\n| confidence | findings | right | right % | wrong, for example |\n|---|---|---|---|---|\n",
        names.len(),
    );
    for (i, (lo, hi)) in BANDS.iter().enumerate() {
        let pct = if total[i] == 0 {
            "–".to_string()
        } else {
            format!("{:.0}%", 100.0 * right[i] as f64 / total[i] as f64)
        };
        table.push_str(&format!(
            "| {lo}–{hi}% | {} | {} | {pct} | {} |\n",
            total[i],
            right[i],
            if wrong_examples[i].is_empty() { "–".to_string() } else { wrong_examples[i].join("; ") }
        ));
    }
    table.push_str(
        "\nBelow 80% a finding is a hypothesis the user is told to check (its next step says how); at 80% or more it \
         is a diagnosis. Most \"wrong\" ones below 80% are a refusal read from the log alone: BG201 says the symptom \
         (\"nothing listens there, or a firewall rejects\") and its likely causes at 60–75%, because a log line cannot \
         tell a closed port from a REJECT rule or an address-family mismatch; the listener table decides.\n",
    );
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/calibration.md");
    if std::env::var_os("UPDATE_CALIBRATION").is_some() {
        std::fs::write(&path, &table).unwrap();
    }
    println!("{table}");
    for (i, (lo, _)) in BANDS.iter().enumerate() {
        if *lo >= 80 && total[i] > 0 {
            assert!(
                right[i] * 100 >= total[i] * usize::from(*lo),
                "findings at {lo}%+ are right {} of {} times",
                right[i],
                total[i]
            );
        }
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == table,
        "docs/calibration.md is out of date: run UPDATE_CALIBRATION=1 cargo test -p badgateway-core --test never_confidently_wrong"
    );
}
