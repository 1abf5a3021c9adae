//! "Copy diff" is a real patch: for each lab capture whose fix edits the config, the config
//! file is written out as nginx read it (its own path from the `nginx -T` dump, under a temp
//! directory standing for `/`), the fix's patch is applied by the real `patch -p0` and
//! `git apply -p0`, and the dump with the patched file is diagnosed again: the finding is gone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use badgateway_core::{Inputs, analyze};
use common::{codes, load, scenarios_dir};

const HEADER: &str = "# configuration file ";

/// The file `path` of an `nginx -T` dump: from its header line to the next header.
fn dump_file<'a>(dump: &'a str, path: &str) -> (usize, &'a str) {
    let header = format!("{HEADER}{path}:\n");
    let start = dump.find(&header).unwrap() + header.len();
    let end = dump[start..].find(&format!("\n{HEADER}")).map_or(dump.len(), |i| start + i + 1);
    (start, &dump[start..end])
}

fn run(tool: &[&str], dir: &Path, patch: &str) {
    let mut child = Command::new(tool[0])
        .args(&tool[1..])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(patch.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    // `patch` says when a hunk applied elsewhere than its line numbers say.
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!said.contains("offset") && !said.contains("fuzz"), "{tool:?}: {said}\n{patch}");
    assert!(
        out.status.success(),
        "{tool:?} refused the patch:\n{patch}\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn each_fix_patch_applies_with_patch_and_git_apply_and_the_finding_is_gone() {
    let mut applied = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let s = load(&name);
        let (Some(config), Some(listeners)) = (s.config.as_deref(), s.listeners.as_deref()) else { continue };
        let dump = std::str::from_utf8(config).unwrap();
        if !dump.contains(HEADER) {
            continue;
        }
        let inputs = Inputs { config: Some(config), listeners: Some(listeners), log: None };
        let a = analyze(inputs);
        for view in a.views() {
            let Some(fix) = view.fix.as_ref().filter(|f| !f.patch.is_empty() && f.fixed.len() == 1) else {
                continue;
            };
            if fix.patch.contains(badgateway_core::finding::PLACEHOLDER_DNS_SERVER) {
                continue; // a value the user must fill in: not meant to apply as is
            }
            let path = fix.fixed[0].file.clone().unwrap();
            let (at, original) = dump_file(dump, &path);
            let mut patched = String::new();
            for tool in
                [&["patch", "-p0", "--batch", "--fuzz=0"][..], &["git", "apply", "-p0", "--unsafe-paths"][..]]
            {
                let root = std::env::temp_dir().join(format!(
                    "badgateway-patch-{}-{name}-{}",
                    std::process::id(),
                    tool[0]
                ));
                let file = root.join(path.trim_start_matches('/'));
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::write(&file, original).unwrap();
                run(tool, &root, &fix.patch);
                let now = std::fs::read_to_string(&file).unwrap();
                std::fs::remove_dir_all(&root).unwrap();
                assert!(patched.is_empty() || patched == now, "patch and git apply disagree");
                patched = now;
            }
            assert_ne!(patched, original, "{name}: the patch changed nothing");
            let again = format!("{}{patched}{}", &dump[..at], &dump[at + original.len()..]);
            let b = analyze(Inputs { config: Some(again.as_bytes()), ..inputs });
            assert!(
                !codes(&b).contains(&view.code.as_str()),
                "{name}: {} still reported after its patch:\n{}",
                view.code,
                fix.patch
            );
            applied.push(format!("{name}/{}", view.code));
        }
    }
    assert!(applied.iter().any(|a| a == "wrong-port/BG202"), "{applied:?}");
    eprintln!("patches applied and converged: {applied:?}");
}
