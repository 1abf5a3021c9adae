//! BG103 on the lab's real capture of a misspelt upstream name: an error only when the
//! failure is in the evidence, a warning for a near-miss, a note for a name that may be a
//! Docker service, nothing for a dump `nginx -T` printed (the names resolved then).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use badgateway_core::finding::Severity;
use badgateway_core::{Inputs, analyze};

fn bg103(config: &[u8], log: Option<&[u8]>) -> Option<(Severity, u8, String)> {
    let a = analyze(Inputs { config: Some(config), listeners: None, log });
    a.findings
        .iter()
        .find(|f| f.code.as_str() == "BG103")
        .map(|f| (f.severity, f.confidence, f.title.clone()))
}

#[test]
fn only_the_evidence_of_a_failure_makes_it_an_error() {
    let s = common::load("upstream-name-typo");
    let config = s.config.as_deref().unwrap();
    let (severity, confidence, _) = bg103(config, s.log.as_deref()).unwrap();
    assert_eq!((severity, confidence), (Severity::Error, 95));

    let (severity, _, title) = bg103(config, None).unwrap();
    assert_eq!(severity, Severity::Warning, "{title}");
    assert!(title.contains("typo of \"app_backend\""), "{title}");
}

#[test]
fn a_name_far_from_every_upstream_is_a_note_and_a_dump_proves_it_resolved() {
    let s = common::load("upstream-name-typo");
    let text = String::from_utf8(s.config.unwrap()).unwrap().replace("app_backnd", "billing");
    let (severity, confidence, title) = bg103(text.as_bytes(), None).unwrap();
    assert_eq!((severity, confidence), (Severity::Info, 50), "{title}");

    // The same file as `nginx -T` prints it: it loaded, so `billing` resolved.
    let dump = format!(
        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file \
         /etc/nginx/nginx.conf test is successful\n# configuration file /etc/nginx/nginx.conf:\n{text}\n"
    );
    assert_eq!(bg103(dump.as_bytes(), None), None);
}
