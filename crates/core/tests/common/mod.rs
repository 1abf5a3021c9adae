//! Shared by the rule tests: the lab's real scenarios (tests/fixtures/scenarios) loaded
//! as the lab's `check` gives them, and the input subsets it runs.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use badgateway_core::{Analysis, Inputs};

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
