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

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().into_iter().flatten().filter_map(|c| c.as_str().map(str::to_string)).collect()
}

#[test]
fn no_confident_error_names_a_cause_the_scenario_does_not_have() {
    let dir = common::scenarios_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() > 40, "the lab's fixtures are missing ({})", dir.display());
    let mut wrong = Vec::new();
    let mut runs = 0;
    for name in &names {
        let s = common::load(name);
        let causes = strings(&s.meta["expect"]);
        let stripped = s.listeners.as_deref().map(without_root);
        let subsets: [(&str, Inputs<'_>); 6] = [
            ("all", s.all()),
            ("log", s.log_only()),
            ("config", Inputs { config: s.config.as_deref(), listeners: None, log: None }),
            ("config+listeners", s.static_only()),
            (
                "listeners without root",
                Inputs { config: s.config.as_deref(), listeners: stripped.as_deref(), log: s.log.as_deref() },
            ),
            (
                "config+listeners without root",
                Inputs { config: s.config.as_deref(), listeners: stripped.as_deref(), log: None },
            ),
        ];
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
