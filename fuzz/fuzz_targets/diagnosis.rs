//! The whole diagnosis: the input is split into config, listeners and log at the
//! ASCII record separator (0x1E); analyse, render every view and summary as JSON,
//! check determinism, round-trip the share link and redact.
#![no_main]

use badgateway_core::share::{self, Shared};
use badgateway_core::{Inputs, analyze};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0x1E);
    let config = parts.next().unwrap_or_default();
    let listeners = parts.next().unwrap_or_default();
    let log = parts.next().unwrap_or_default();
    let inputs = Inputs { config: Some(config), listeners: Some(listeners), log: Some(log) };

    let first = analyze(inputs);
    let views = serde_json::to_string(&first.views()).expect("views serialise");
    let summaries = serde_json::to_string(&first.summaries()).expect("summaries serialise");
    let again = analyze(inputs);
    assert_eq!(views, serde_json::to_string(&again.views()).expect("views serialise"), "deterministic");
    assert_eq!(summaries, serde_json::to_string(&again.summaries()).expect("summaries serialise"));

    let shared = Shared {
        config: String::from_utf8_lossy(config).into_owned(),
        listeners: String::from_utf8_lossy(listeners).into_owned(),
        log: String::from_utf8_lossy(log).into_owned(),
        embed: data.len() % 2 == 0,
        redacted: data.len() % 3 == 0,
    };
    let link = share::encode(&shared);
    let back = share::decode(&link).expect("own links decode");
    let keep = |s: &str| if s.trim().is_empty() { String::new() } else { s.to_string() };
    assert_eq!(back.config, keep(&shared.config));
    assert_eq!(back.listeners, keep(&shared.listeners));
    assert_eq!(back.log, keep(&shared.log));
    assert_eq!((back.embed, back.redacted), (shared.embed, shared.redacted));
    // Redaction for share links never panics and keeps the config's shape.
    let redacted = badgateway_core::redact::redact(&shared.config, &shared.listeners, &shared.log);
    let before = badgateway_config::parse(shared.config.as_bytes()).directives().len();
    let after = badgateway_config::parse(redacted.config.as_bytes()).directives().len();
    assert_eq!(before, after, "redaction changed the config's structure");
    // Any fragment decodes or is refused, never panics.
    let _ = share::decode(&String::from_utf8_lossy(data));
});
