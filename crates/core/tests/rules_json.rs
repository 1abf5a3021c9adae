//! `www/rules.json` is the page's rule reference, generated from the rules' own doc
//! comments. This test fails when it is out of date; `UPDATE_RULES_JSON=1 cargo test
//! -p badgateway-core --test rules_json` rewrites it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::diagnose::rules::RULES;

fn generated() -> String {
    let rules: Vec<_> = RULES.iter().map(|r| r.info).collect();
    let mut json = serde_json::to_string_pretty(&serde_json::json!({ "rules": rules })).unwrap();
    json.push('\n');
    json
}

#[test]
fn rules_json_matches_the_rules_documentation() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/rules.json");
    let want = generated();
    if std::env::var_os("UPDATE_RULES_JSON").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "www/rules.json is out of date: run UPDATE_RULES_JSON=1 cargo test -p badgateway-core --test rules_json"
    );
    assert!(want.contains("\"BG202\"") && want.contains("## What it detects"));
}
