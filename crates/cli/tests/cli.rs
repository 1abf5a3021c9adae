//! The real `badgateway` binary on the lab's real captures: diagnose (text, json, sarif),
//! exit codes and one-line errors, explain, share, evidence files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_badgateway"));
    c.env_remove("NO_COLOR");
    c
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child =
        bin().args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn meta(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(scenarios_dir().join(name).join("meta.json")).unwrap()).unwrap()
}

fn scenario_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `--config F --listeners F --log F --log F` as meta.json's `inputs` name them.
fn input_args(name: &str) -> Vec<String> {
    let dir = scenarios_dir().join(name);
    let m = meta(name);
    let inputs = &m["inputs"];
    let path = |f: &str| dir.join(f).display().to_string();
    let mut args = Vec::new();
    if let Some(c) = inputs["config"].as_str() {
        args.extend(["--config".to_string(), path(c)]);
    }
    if let Some(l) = inputs["listeners"].as_str() {
        args.extend(["--listeners".to_string(), path(l)]);
    }
    for f in inputs["log"].as_array().into_iter().flatten() {
        args.extend(["--log".to_string(), path(f.as_str().unwrap())]);
    }
    args
}

fn diagnose_json(args: &[String]) -> (Value, i32) {
    let mut full = vec!["diagnose".to_string(), "--format".into(), "json".into()];
    full.extend(args.iter().cloned());
    let out = bin().args(&full).output().unwrap();
    // Only what could not be collected, when reading an evidence file.
    let err = stderr(&out);
    assert!(err.lines().all(|l| l.starts_with("badgateway: error log")), "{full:?}: {err}");
    (serde_json::from_slice(&out.stdout).unwrap(), out.status.code().unwrap())
}

fn codes(doc: &Value) -> Vec<String> {
    doc["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

#[test]
fn every_scenario_gives_its_expected_codes_and_exit_status() {
    let names = scenario_names();
    assert!(names.len() >= 38, "{names:?}");
    for name in names {
        let m = meta(&name);
        let (doc, code) = diagnose_json(&input_args(&name));
        let got = codes(&doc);
        for want in m["expect"].as_array().unwrap() {
            assert!(got.iter().any(|c| c == want.as_str().unwrap()), "{name}: want {want}, got {got:?}");
        }
        for not in m["expect_not"].as_array().into_iter().flatten() {
            assert!(
                !got.iter().any(|c| c == not.as_str().unwrap()),
                "{name}: {not} must not fire, got {got:?}"
            );
        }
        let errors = doc["findings"].as_array().unwrap().iter().any(|f| f["severity"] == "error");
        assert_eq!(code, i32::from(errors), "{name}: exit status");
        // The JSON contract: every finding carries these fields.
        for f in doc["findings"].as_array().unwrap() {
            for key in
                ["rank", "code", "severity", "title", "message", "confidence", "evidence", "fix", "docs"]
            {
                assert!(f.get(key).is_some(), "{name}: finding without `{key}`");
            }
        }
        assert_eq!(doc["version"], 1);
        // The text output agrees on the exit status.
        let text = bin().arg("diagnose").args(input_args(&name)).output().unwrap();
        assert_eq!(text.status.code(), Some(code), "{name}: text exit status");
        // Subsets of the inputs (what a user may have at hand) still give their codes.
        for (subset, want) in m["expect_subsets"].as_object().into_iter().flatten() {
            let keep: Vec<&str> = subset.split('+').collect();
            let args = input_args(&name);
            let kept: Vec<String> = args
                .chunks(2)
                .filter(|pair| keep.contains(&pair[0].trim_start_matches('-')))
                .flat_map(|pair| pair.iter().cloned())
                .collect();
            let (doc, _) = diagnose_json(&kept);
            let got = codes(&doc);
            for w in want["expect"].as_array().into_iter().flatten() {
                assert!(
                    got.iter().any(|c| c == w.as_str().unwrap()),
                    "{name} [{subset}]: want {w}, got {got:?}"
                );
            }
        }
    }
}

#[test]
fn healthy_exits_zero_and_wrong_port_exits_one() {
    let out = bin().arg("diagnose").args(input_args("healthy")).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = bin().arg("diagnose").args(input_args("wrong-port")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("error[BG202]"), "{text}");
    assert!(!text.contains('\u{1b}'), "no colour when stdout is not a terminal");
    // Log lines are numbered within the file they come from, even with several --log.
    assert!(text.contains("log "), "{text}");
}

#[test]
fn quiet_and_min_severity() {
    let out = bin().args(["diagnose", "--quiet"]).args(input_args("wrong-port")).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty() && out.stderr.is_empty());
    // A scenario with a warning-level risk only: hidden at --min-severity error.
    let (all, _) = diagnose_json(&input_args("read-timeout"));
    let mut args = input_args("read-timeout");
    args.extend(["--min-severity".into(), "error".into()]);
    let (errors_only, _) = diagnose_json(&args);
    let all_sev: Vec<&str> =
        all["findings"].as_array().unwrap().iter().map(|f| f["severity"].as_str().unwrap()).collect();
    assert!(errors_only["findings"].as_array().unwrap().iter().all(|f| f["severity"] == "error"));
    assert_eq!(
        errors_only["findings"].as_array().unwrap().len(),
        all_sev.iter().filter(|s| **s == "error").count()
    );
}

#[test]
fn one_input_from_stdin() {
    let dir = scenarios_dir().join("wrong-port");
    let config = std::fs::read(dir.join("nginx-T.txt")).unwrap();
    let listeners = dir.join("listeners.txt").display().to_string();
    let out =
        run_stdin(&["diagnose", "--format", "json", "--config", "-", "--listeners", &listeners], &config);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(codes(&doc).first().map(String::as_str), Some("BG202"));
}

#[test]
fn usage_and_input_errors_exit_two_with_one_line() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["diagnose", "--config", "/nonexistent/nginx.conf"], "/nonexistent/nginx.conf: no such file"),
        (vec!["diagnose", "--config", "/"], "is a directory"),
        (vec!["diagnose"], "nothing to diagnose"),
        (vec!["diagnose", "--config", "-", "--log", "-"], "only one input can be read from stdin"),
        (vec!["explain", "BG999"], "no rule BG999"),
        (vec!["diagnose", "--evidence", "/nonexistent/e.txt"], "--evidence /nonexistent/e.txt"),
        (vec!["share", "--base", "ftp://x", "--log", "/dev/null"], "not an http(s) address"),
        (
            vec!["diagnose", "--log", "/dev/null", "--nginx-conf", "/etc/nginx/nginx.conf"],
            "--nginx-conf only applies with --collect",
        ),
    ];
    for (args, want) in cases {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
        assert!(err.starts_with("badgateway: ") && err.contains(want), "{args:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    // clap's own usage errors exit 2 as well.
    assert_eq!(run(&["diagnose", "--format", "xml", "--log", "/dev/null"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn help_has_examples_and_version_prints() {
    let help = stdout(&run(&["--help"]));
    assert!(help.contains("Examples:") && help.contains("badgateway diagnose --collect"), "{help}");
    let help = stdout(&run(&["diagnose", "--help"]));
    assert!(help.contains("--format") && help.contains("sarif") && help.contains("Exit status"), "{help}");
    let version = stdout(&run(&["--version"]));
    assert_eq!(version.trim(), format!("badgateway {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn explain_prints_the_rule_docs_and_the_catalog() {
    let out = run(&["explain", "bg202"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let info = badgateway_core::diagnose::rules::info("BG202").unwrap();
    assert!(text.starts_with(&format!("BG202: {}", info.title)), "{text}");
    for section in ["## What it detects", "## Why it causes", "## Example", "## Fix", "## References"] {
        assert!(text.contains(section), "{section}");
    }
    assert!(text.lines().all(|l| !l.starts_with(" ##")), "doc comments' leading space removed: {text}");
    assert!(text.contains("\n## What it detects\n"), "{text}");
    let list = stdout(&run(&["explain", "--list"]));
    assert_eq!(list.lines().count(), badgateway_core::diagnose::rules::RULES.len());
    assert!(list.lines().all(|l| l.starts_with("BG")));
}

#[test]
fn inspect_reads_every_input() {
    let out = bin().args(["inspect", "--format", "json"]).args(input_args("wrong-port")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["inputs"].as_array().unwrap().len(), 3);
    assert_eq!(doc["targets"][0]["port"], 8000);
    assert!(doc["listeners"].as_array().unwrap().iter().any(|l| l["port"] == 3000));
    let text = stdout(&bin().arg("inspect").args(input_args("wrong-port")).output().unwrap());
    assert!(text.contains("Backend targets") && text.contains("Listeners"), "{text}");
}

#[test]
fn share_links_decode_to_the_inputs() {
    let dir = scenarios_dir().join("wrong-port");
    let out = bin()
        .args(["share", "--base", "https://badgateway.example/app/#old"])
        .args(input_args("wrong-port"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let link = stdout(&out);
    let link = link.trim();
    let fragment = link.strip_prefix("https://badgateway.example/app/").unwrap();
    let shared = badgateway_core::share::decode(fragment).unwrap();
    assert_eq!(shared.config.as_bytes(), std::fs::read(dir.join("nginx-T.txt")).unwrap());
    assert_eq!(shared.listeners.as_bytes(), std::fs::read(dir.join("listeners.txt")).unwrap());
    assert!(
        shared.log.starts_with(&String::from_utf8(std::fs::read(dir.join("error.log")).unwrap()).unwrap())
    );
    assert!(!shared.redacted);
}

/// `--redact`: the core's redaction (the page's) replaces paths and host names, keeps
/// what the diagnosis needs: the redacted inputs, decoded from the link, give the same codes.
#[test]
fn share_redact_keeps_the_diagnosis() {
    let out = bin()
        .args(["share", "--base", "https://x.example/", "--redact"])
        .args(input_args("wrong-port"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("badgateway: redacted "), "{}", stderr(&out));
    let link = stdout(&out);
    let shared =
        badgateway_core::share::decode(link.trim().strip_prefix("https://x.example/").unwrap()).unwrap();
    assert!(shared.redacted);
    assert!(!shared.config.contains("/tmp/badgateway-lab") && !shared.log.contains("/tmp/badgateway-lab"));
    assert!(shared.config.contains("proxy_pass http://127.0.0.1:8000;"), "loopback and ports stay");
    let dir = std::env::temp_dir().join(format!("badgateway-redacted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut args = Vec::new();
    for (name, text) in [("config", &shared.config), ("listeners", &shared.listeners), ("log", &shared.log)] {
        std::fs::write(dir.join(name), text).unwrap();
        args.extend([format!("--{name}"), dir.join(name).display().to_string()]);
    }
    let (redacted, _) = diagnose_json(&args);
    let (original, _) = diagnose_json(&input_args("wrong-port"));
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(codes(&redacted), codes(&original));
}

/// The evidence-file format, written by hand from real captures, reads back as the
/// same three inputs: same findings as the separate files.
#[test]
fn evidence_files_read_like_the_separate_inputs() {
    let dir = scenarios_dir().join("wrong-port");
    let read = |f: &str| std::fs::read(dir.join(f)).unwrap();
    let mut file = b"# badgateway evidence v1 (hand-made)\n# badgateway: config nginx -T\n".to_vec();
    file.extend(read("nginx-T.txt"));
    file.extend(b"# badgateway: listeners ss -tlnp\n");
    file.extend(read("listeners.txt"));
    file.extend(b"# badgateway: log /tmp/badgateway-lab/wrong-port/error.log\n");
    file.extend(read("error.log"));
    file.extend(b"# badgateway: log /tmp/badgateway-lab/wrong-port/gunicorn.log\n");
    file.extend(read("gunicorn.log"));
    file.extend(b"# badgateway: missing error log /var/log/other.log: permission denied (try sudo)\n");
    let tmp = std::env::temp_dir().join(format!("badgateway-evidence-{}.txt", std::process::id()));
    std::fs::write(&tmp, &file).unwrap();
    let (from_file, code) = diagnose_json(&["--evidence".into(), tmp.display().to_string()]);
    let (from_flags, code2) = diagnose_json(&input_args("wrong-port"));
    assert_eq!((code, code2), (1, 1));
    assert_eq!(codes(&from_file), codes(&from_flags));
    assert_eq!(from_file["missing"][0], "error log /var/log/other.log: permission denied (try sudo)");
    assert!(from_flags.get("missing").is_none());
    let sources = from_file["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 4);
    assert_eq!(sources[3]["source"], "/tmp/badgateway-lab/wrong-port/gunicorn.log");
    assert_eq!(sources[3]["input"], "log");
    assert_eq!(
        sources[3]["first_line"].as_u64().unwrap(),
        1 + read("error.log").iter().filter(|&&b| b == b'\n').count() as u64
    );
    assert_eq!(sources[1]["path"], Value::Null);
    // Text output names the log file the line is in, numbered within it.
    let out = bin().args(["diagnose", "--evidence"]).arg(&tmp).output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("log /tmp/badgateway-lab/wrong-port/error.log:7:"), "{text}");
    assert!(stderr(&out).contains("badgateway: error log /var/log/other.log"));
    // From stdin too.
    let out = run_stdin(&["diagnose", "--evidence", "-", "--format", "json"], &file);
    assert_eq!(out.status.code(), Some(1));
    // Not an evidence file: exit 2, one line.
    let cfg = dir.join("nginx-T.txt").display().to_string();
    let out = run(&["diagnose", "--config", tmp.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("give it with --evidence"), "{}", stderr(&out));
    let out = run(&["diagnose", "--evidence", &cfg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a badgateway evidence file"), "{}", stderr(&out));
    std::fs::remove_file(&tmp).unwrap();
}

fn sarif_for(name: &str) -> Value {
    let out = bin().args(["diagnose", "--format", "sarif"]).args(input_args(name)).output().unwrap();
    assert!(out.status.code().unwrap() < 2, "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn is_str(v: &Value) -> bool {
    v.as_str().is_some_and(|s| !s.is_empty())
}

fn check_message(v: &Value, at: &str) {
    assert!(is_str(&v["text"]), "{at}: message.text required");
}

fn check_physical(p: &Value, at: &str) {
    let uri = p["artifactLocation"]["uri"].as_str().unwrap_or_else(|| panic!("{at}: artifactLocation.uri"));
    assert!(!uri.contains(' ') && !uri.is_empty(), "{at}: uri {uri}");
    let r = &p["region"];
    let start_line = r["startLine"].as_u64().unwrap_or_else(|| panic!("{at}: region.startLine"));
    assert!(start_line >= 1);
    assert!(r["startColumn"].as_u64().is_some_and(|c| c >= 1), "{at}: startColumn");
    if let Some(end) = r["endLine"].as_u64() {
        assert!(end >= start_line, "{at}: endLine");
        assert!(r["endColumn"].as_u64().is_some_and(|c| c >= 1), "{at}: endColumn");
    }
}

/// The required properties and value constraints of SARIF 2.1.0 (OASIS standard,
/// sarif-schema-2.1.0.json) for everything this output uses.
fn check_sarif(doc: &Value, name: &str) {
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().ends_with("sarif-schema-2.1.0.json"));
    let runs = doc["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "badgateway");
    assert!(is_str(&driver["version"]) && is_str(&driver["informationUri"]));
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), badgateway_core::diagnose::rules::RULES.len());
    for r in rules {
        let id = r["id"].as_str().unwrap();
        for key in ["shortDescription", "fullDescription", "help"] {
            check_message(&r[key], &format!("rule {id} {key}"));
        }
        assert!(r["help"]["markdown"].as_str().unwrap().contains("## Fix"), "{id}: help is the docs");
        assert_eq!(r["helpUri"], format!("https://badgateway.invalid/#/rules/{id}"));
        assert!(is_str(&r["name"]));
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    for (i, res) in run["results"].as_array().unwrap().iter().enumerate() {
        let at = format!("{name} result {i}");
        let id = res["ruleId"].as_str().unwrap();
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "{at}: ruleIndex");
        assert!(["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap()), "{at}");
        check_message(&res["message"], &at);
        let locations = res["locations"].as_array().unwrap();
        assert!(locations.len() <= 1);
        for l in locations.iter().chain(res["relatedLocations"].as_array().into_iter().flatten()) {
            check_physical(&l["physicalLocation"], &at);
        }
        for (n, l) in res["relatedLocations"].as_array().into_iter().flatten().enumerate() {
            assert_eq!(l["id"].as_u64(), Some(n as u64), "{at}: related ids");
        }
        for fix in res["fixes"].as_array().into_iter().flatten() {
            check_message(&fix["description"], &at);
            let changes = fix["artifactChanges"].as_array().unwrap();
            assert!(!changes.is_empty(), "{at}: artifactChanges minItems 1");
            for c in changes {
                assert!(is_str(&c["artifactLocation"]["uri"]));
                let reps = c["replacements"].as_array().unwrap();
                assert!(!reps.is_empty(), "{at}: replacements minItems 1");
                for rep in reps {
                    assert!(rep["deletedRegion"]["startLine"].as_u64().is_some_and(|l| l >= 1), "{at}");
                    assert!(rep["insertedContent"]["text"].is_string(), "{at}");
                }
            }
        }
    }
}

#[test]
fn sarif_has_the_required_shape_on_every_scenario() {
    for name in scenario_names() {
        let doc = sarif_for(&name);
        check_sarif(&doc, &name);
        let (json, _) = diagnose_json(&input_args(&name));
        let results = doc["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), codes(&json).len(), "{name}: one result per finding");
        for r in results {
            assert_eq!(r["locations"].as_array().unwrap().len(), 1, "{name}: every result has a location");
        }
    }
}

#[test]
fn sarif_points_into_the_config_file_of_the_dump() {
    let doc = sarif_for("wrong-port");
    let r = &doc["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "BG202");
    assert_eq!(r["level"], "error");
    let p = &r["locations"][0]["physicalLocation"];
    assert_eq!(p["artifactLocation"]["uri"], "file:///tmp/badgateway-lab/wrong-port/nginx.conf");
    assert_eq!(p["region"]["startLine"], 22);
    assert_eq!(p["region"]["startColumn"], 41);
    assert_eq!(p["region"]["endColumn"], 45);
    assert_eq!(p["region"]["snippet"]["text"], "8000", "the region's own text");
    // The listener table and the log line are related locations in the files given.
    let related = r["relatedLocations"].as_array().unwrap();
    let uris: Vec<&str> =
        related.iter().map(|l| l["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap()).collect();
    assert!(uris.iter().any(|u| u.ends_with("wrong-port/listeners.txt")), "{uris:?}");
    assert!(uris.iter().any(|u| u.ends_with("wrong-port/error.log")), "{uris:?}");
    let fix = &r["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(fix["insertedContent"]["text"], "3000");
    assert_eq!(fix["deletedRegion"]["startLine"], 22);

    // A single config file (not a dump) is located by the --config path as given.
    let dir = scenarios_dir().join("missing-semicolon");
    let out = bin()
        .current_dir(&dir)
        .args(["diagnose", "--format", "sarif", "--config", "nginx.conf", "--log", "nginx-t.txt"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    check_sarif(&doc, "missing-semicolon");
    let r = &doc["runs"][0]["results"][0];
    assert_eq!(r["ruleId"], "BG101");
    assert_eq!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "nginx.conf");
}

#[test]
fn text_output_snapshots() {
    for name in ["wrong-port", "unix-socket-permission", "missing-semicolon"] {
        let dir = scenarios_dir().join(name);
        // Relative paths keep the snapshot independent of the checkout's location.
        let mut args = vec!["diagnose".to_string()];
        args.extend(input_args(name).into_iter().map(|a| {
            Path::new(&a)
                .file_name()
                .filter(|_| a.starts_with('/'))
                .map_or(a.clone(), |f| f.to_string_lossy().into())
        }));
        let out = bin().current_dir(&dir).args(&args).output().unwrap();
        insta::assert_snapshot!(format!("text_{}", name.replace('-', "_")), stdout(&out));
    }
}

/// Colour only on a terminal (a pseudo-terminal from util-linux `script`), and never with NO_COLOR.
#[test]
fn colour_only_on_a_terminal() {
    let script = Path::new("/usr/bin/script");
    if !script.exists() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let dir = scenarios_dir().join("wrong-port");
    let command = format!(
        "{} diagnose --config nginx-T.txt --listeners listeners.txt",
        env!("CARGO_BIN_EXE_badgateway")
    );
    let on_tty = |no_color: bool| {
        let mut c = Command::new(script);
        c.current_dir(&dir).args(["-qec", &command, "/dev/null"]).stdin(Stdio::null());
        if no_color {
            c.env("NO_COLOR", "1");
        } else {
            c.env_remove("NO_COLOR");
        }
        String::from_utf8_lossy(&c.output().unwrap().stdout).into_owned()
    };
    let coloured = on_tty(false);
    assert!(coloured.contains("\u{1b}[") && coloured.contains("BG202"), "{coloured}");
    let plain = on_tty(true);
    assert!(!plain.contains('\u{1b}') && plain.contains("error[BG202]"), "{plain}");
}

/// `diagnose --walkthrough` in `dir` with the inputs named relative to it (as the snapshots above).
fn walkthrough_text(name: &str, inputs: &[(&str, &str)]) -> String {
    let dir = scenarios_dir().join(name);
    let mut args = vec!["diagnose", "--walkthrough"];
    for (flag, file) in inputs {
        args.extend([*flag, *file]);
    }
    stdout(&bin().current_dir(&dir).args(&args).output().unwrap())
}

#[test]
fn walkthrough_snapshots() {
    // Every step answered: the config, the listeners and both logs.
    let all = [("--config", "nginx-T.txt"), ("--listeners", "listeners.txt"), ("--log", "error.log")];
    insta::assert_snapshot!("walkthrough_wrong_port", walkthrough_text("wrong-port", &all));
    // Only the log: what listens, where the config points and the test are open.
    insta::assert_snapshot!(
        "walkthrough_backend_not_running_log_only",
        walkthrough_text("backend-not-running", &[("--log", "error.log")])
    );
    // Only the config of a healthy setup: no finding, so "what I checked" too.
    insta::assert_snapshot!(
        "walkthrough_healthy_config_only",
        walkthrough_text("healthy", &[("--config", "nginx-T.txt")])
    );
}

#[test]
fn walkthrough_and_checked_in_json() {
    let dir = scenarios_dir().join("wrong-port");
    let path = |f: &str| dir.join(f).display().to_string();
    let (doc, _) = diagnose_json(&[
        "--config".into(),
        path("nginx-T.txt"),
        "--listeners".into(),
        path("listeners.txt"),
        "--log".into(),
        path("error.log"),
    ]);
    let steps = doc["walkthrough"].as_array().unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["backend_listening", "error_log", "reachable", "config_points_there", "test_and_reload"]
    );
    assert!(steps.iter().all(|s| s["status"] == "answered"), "{steps:#?}");
    assert_eq!(steps[0]["evidence"][0]["input"], "listeners");
    assert!(steps[0]["evidence"][0]["line"].as_u64().unwrap() > 0);
    // An error-level finding decides: nothing to list as checked.
    assert!(doc["checked"].is_null());

    let dir = scenarios_dir().join("healthy");
    let (doc, code) = diagnose_json(&["--config".into(), dir.join("nginx-T.txt").display().to_string()]);
    assert_eq!(code, 0);
    let checked = &doc["checked"];
    assert_eq!(checked["targets"][0]["address"], "127.0.0.1:19281");
    assert_eq!(checked["targets"][0]["found"], "not_checked");
    assert_eq!(checked["next"]["step"], "backend_listening");
    assert_eq!(checked["next"]["command"], "sudo ss -tlnpx");
    assert_eq!(doc["walkthrough"][0]["status"], "open");
}
