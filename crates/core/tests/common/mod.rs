//! Shared by the rule tests: the lab's real scenarios (tests/fixtures/scenarios) loaded
//! as the lab's `check` gives them, and the input subsets it runs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use badgateway_core::finding::{Applicability, Finding, PLACEHOLDER_DNS_SERVER, apply_edits};
use badgateway_core::{Analysis, InputKind, Inputs, analyze};

pub struct Scenario {
    pub config: Option<Vec<u8>>,
    pub listeners: Option<Vec<u8>>,
    pub log: Option<Vec<u8>>,
    pub meta: serde_json::Value,
}

pub fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

/// The inputs as the lab's `check` gives them (meta.json's `inputs`).
pub fn load(name: &str) -> Scenario {
    let d = scenarios_dir().join(name);
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("meta.json")).unwrap()).unwrap();
    let inputs = &meta["inputs"];
    let read = |f: &str| std::fs::read(d.join(f)).unwrap();
    let config = inputs["config"].as_str().map(read);
    let listeners = inputs["listeners"].as_str().map(read);
    let log = inputs["log"].as_array().map(|files| {
        let mut all = Vec::new();
        for f in files {
            all.extend(read(f.as_str().unwrap()));
            if all.last() != Some(&b'\n') {
                all.push(b'\n');
            }
        }
        all
    });
    Scenario { config, listeners, log, meta }
}

impl Scenario {
    pub fn all(&self) -> Inputs<'_> {
        Inputs {
            config: self.config.as_deref(),
            listeners: self.listeners.as_deref(),
            log: self.log.as_deref(),
        }
    }
    pub fn log_only(&self) -> Inputs<'_> {
        Inputs { config: None, listeners: None, log: self.log.as_deref() }
    }
    pub fn static_only(&self) -> Inputs<'_> {
        Inputs { config: self.config.as_deref(), listeners: self.listeners.as_deref(), log: None }
    }
}

pub fn codes(a: &Analysis<'_>) -> Vec<&'static str> {
    a.findings.iter().map(|f| f.code.as_str()).collect()
}

/// The codes of `among` reported, sorted, each once.
pub fn codes_among(a: &Analysis<'_>, among: &[&str]) -> Vec<&'static str> {
    let mut c: Vec<&'static str> = codes(a).into_iter().filter(|c| among.contains(c)).collect();
    c.sort_unstable();
    c.dedup();
    c
}

// ---------------------------------------------------------------- findings and fixes

pub fn first<'a>(a: &'a Analysis<'_>, code: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", a.findings))
}

pub fn primary_text(a: &Analysis<'_>, f: &Finding) -> (InputKind, String) {
    let primaries: Vec<_> = f.labels.iter().filter(|l| l.primary).collect();
    assert_eq!(primaries.len(), 1, "exactly one primary label in {f:#?}");
    let label = primaries[0];
    let text = a.inputs.text(label.span.input);
    let s = &text[label.span.range.start as usize..label.span.range.end as usize];
    (label.span.input, String::from_utf8_lossy(s).into_owned())
}

pub fn label_texts(a: &Analysis<'_>, f: &Finding, input: InputKind) -> Vec<String> {
    f.labels
        .iter()
        .filter(|l| l.span.input == input)
        .map(|l| {
            let text = a.inputs.text(input);
            String::from_utf8_lossy(&text[l.span.range.start as usize..l.span.range.end as usize])
                .into_owned()
        })
        .collect()
}

/// Applies the fix of the first `code` finding to the config, re-analyses with the same
/// listeners and log, and asserts the finding is gone. Returns the fixed config. A fix with a
/// placeholder is display-only and, as written, leaves a config that does not load; it is
/// applied with the placeholder filled in, as the user would.
pub fn converges(inputs: Inputs<'_>, code: &str) -> Vec<u8> {
    let a = analyze(inputs);
    let f = first(&a, code);
    let fix = f.fix.as_ref().expect("a fix");
    assert!(!fix.edits().is_empty(), "{code} fix has edits");
    let config = inputs.config.unwrap();
    let mut edits = fix.edits().to_vec();
    if edits.iter().any(|e| e.replacement.contains(PLACEHOLDER_DNS_SERVER)) {
        assert_eq!(fix.applicability(), Applicability::DisplayOnly, "a placeholder is not applicable as is");
        let as_written = apply_edits(config, &edits).expect("edits apply");
        let again = analyze(Inputs { config: Some(&as_written), ..inputs });
        assert!(again.config.as_ref().unwrap().first_error().is_some(), "the placeholder must not load");
        for e in &mut edits {
            e.replacement = e.replacement.replace(PLACEHOLDER_DNS_SERVER, "192.0.2.53");
        }
    }
    let fixed = apply_edits(config, &edits).expect("edits apply");
    let again = analyze(Inputs { config: Some(&fixed), ..inputs });
    assert!(
        !codes(&again).contains(&code),
        "{code} still reported after its fix:\n{}\n{:#?}",
        String::from_utf8_lossy(&fixed),
        again.findings
    );
    assert!(
        again.config.as_ref().unwrap().first_error().is_none(),
        "the fixed config still loads: {:?}",
        again.config.as_ref().unwrap().first_error()
    );
    fixed
}

pub fn hand(config: &str, listeners: &str, log: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    (config.as_bytes().to_vec(), listeners.as_bytes().to_vec(), log.as_bytes().to_vec())
}

pub fn inputs<'a>(t: &'a (Vec<u8>, Vec<u8>, Vec<u8>)) -> Inputs<'a> {
    let opt = |v: &'a Vec<u8>| (!v.is_empty()).then_some(v.as_slice());
    Inputs { config: opt(&t.0), listeners: opt(&t.1), log: opt(&t.2) }
}

pub const SS_HEADER: &str = "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n";

pub fn server(body: &str) -> String {
    format!("events {{}}\nhttp {{\n    server {{\n        listen 80;\n{body}\n    }}\n}}\n")
}

pub fn listener_fixture(path: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/listeners").join(path),
    )
    .unwrap()
}
