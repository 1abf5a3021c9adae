//! The real binary given the wrong file: a real capture in the wrong flag, gzip, UTF-16
//! and a program. One finding says what it is and which flag it belongs to; never a flood.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn scenario(name: &str, file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios").join(name).join(file)
}

fn diagnose(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_badgateway"))
        .args(["diagnose", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

fn codes(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn an_error_log_given_as_config_is_told_not_parsed() {
    let log = scenario("wrong-port", "error.log");
    let report = diagnose(&["--config", path(&log)]);
    assert_eq!(codes(&report), ["BG602"], "{report:#}");
    let finding = &report["findings"][0];
    assert!(finding["message"].as_str().unwrap().contains("`--log`"), "{finding:#}");
    assert_eq!(finding["evidence"][0]["input"], "config");
}

#[test]
fn a_config_given_as_log_and_a_table_given_as_log_are_told() {
    let report = diagnose(&["--log", path(&scenario("wrong-port", "nginx-T.txt"))]);
    assert_eq!(codes(&report), ["BG602"], "{report:#}");
    assert!(report["findings"][0]["message"].as_str().unwrap().contains("`--config`"));
    let report = diagnose(&["--log", path(&scenario("wrong-port", "ss-tlnp.txt"))]);
    assert_eq!(codes(&report), ["BG602"], "{report:#}");
    assert!(report["findings"][0]["message"].as_str().unwrap().contains("`--listeners`"));
}

#[test]
fn gzip_gets_zcat_and_utf16_is_decoded() {
    let dir = std::env::temp_dir().join(format!("badgateway-wrong-box-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = scenario("wrong-port", "error.log");
    let config = scenario("wrong-port", "nginx-T.txt");
    let listeners = scenario("wrong-port", "listeners.txt");
    let clean = diagnose(&["--config", path(&config), "--listeners", path(&listeners), "--log", path(&log)]);
    assert_eq!(codes(&clean)[0], "BG202");

    let gz = dir.join("error.log.2.gz");
    let status =
        Command::new("gzip").arg("-c").arg(&log).stdout(std::fs::File::create(&gz).unwrap()).status();
    assert!(status.unwrap().success());
    let report = diagnose(&["--log", path(&gz)]);
    assert_eq!(codes(&report), ["BG601"], "{report:#}");
    assert!(report["findings"][0]["next_steps"][0]["command"].as_str().unwrap().starts_with("zcat "));

    // iconv writes UTF-16 with a byte-order mark, as Windows tools do.
    let utf16 = dir.join("error-utf16.log");
    let status = Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "UTF-16"])
        .arg(&log)
        .stdout(std::fs::File::create(&utf16).unwrap())
        .status();
    assert!(status.unwrap().success());
    assert_ne!(std::fs::read(&utf16).unwrap(), std::fs::read(&log).unwrap());
    let report =
        diagnose(&["--config", path(&config), "--listeners", path(&listeners), "--log", path(&utf16)]);
    assert_eq!(codes(&report), codes(&clean));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_program_gives_one_finding_not_hundreds() {
    let program = std::env::current_exe().unwrap();
    let report = diagnose(&["--config", path(&program)]);
    assert_eq!(codes(&report), ["BG601"], "{report:#}");
}
