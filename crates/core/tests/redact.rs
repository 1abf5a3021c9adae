//! Redaction for share links, on the lab's real scenarios and the shared corpus of
//! third-party configs: nothing identifying remains (collected here with logic of its
//! own, not the redactor's), and the diagnosis of the redacted inputs is the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};

use badgateway_core::redact::{RedactedInputs, Redactor};
use badgateway_core::{InputKind, Inputs, analyze};

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

/// config, listeners, log as the lab's `check` gives them (meta.json's `inputs`).
fn load(dir: &Path) -> (String, String, String) {
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("meta.json")).unwrap()).unwrap();
    let inputs = &meta["inputs"];
    let read = |f: &str| String::from_utf8(std::fs::read(dir.join(f)).unwrap()).unwrap();
    let config = inputs["config"].as_str().map(read).unwrap_or_default();
    let listeners = inputs["listeners"].as_str().map(read).unwrap_or_default();
    let mut log = String::new();
    for f in inputs["log"].as_array().into_iter().flatten() {
        log.push_str(&read(f.as_str().unwrap()));
        if !log.ends_with('\n') {
            log.push('\n');
        }
    }
    (config, listeners, log)
}

fn scenarios() -> Vec<(String, (String, String, String))> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(scenarios_dir()).unwrap() {
        let d = e.unwrap().path();
        if d.join("meta.json").exists() {
            out.push((d.file_name().unwrap().to_string_lossy().into_owned(), load(&d)));
        }
    }
    out.sort();
    assert!(out.len() >= 30, "the lab's scenarios are there");
    out
}

/// What must not survive: IPv4/IPv6 addresses other than loopback and wildcards,
/// server names and URL hosts other than localhost, absolute paths, secret header values.
fn identifying(config: &str, listeners: &str, log: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for text in [config, listeners, log] {
        for word in text.split(|c: char| !(c.is_ascii_hexdigit() || c == '.' || c == ':')) {
            let word = word.trim_matches(|c| c == '.' || c == ':');
            if let Ok(ip) = word.parse::<Ipv4Addr>() {
                if !(ip.is_loopback() || ip.is_unspecified() || ip.is_broadcast()) {
                    out.insert(word.to_string());
                }
            } else if let Ok(ip) = word.parse::<Ipv6Addr>()
                && !(ip.is_loopback() || ip.is_unspecified())
            {
                out.insert(word.to_string());
            }
        }
        for (i, _) in text.match_indices("://") {
            let host: String = text[i + 3..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                .collect();
            if host.contains('.') && host.parse::<Ipv4Addr>().is_err() {
                out.insert(host);
            }
        }
        for word in text.split(|c: char| c.is_whitespace() || "\"';,():".contains(c)) {
            if word.starts_with('/')
                && !word.starts_with("//")
                && word.len() > 4
                && word[1..].contains('/')
                && !word.contains(['$', '*', '?'])
            {
                out.insert(word.to_string());
            }
        }
    }
    for line in config.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if let Some(rest) = line.strip_prefix("server_name ") {
            for name in rest.trim_end_matches(';').split_whitespace() {
                let name = name.trim_end_matches(';');
                if name.contains('.') && !name.starts_with('~') {
                    out.insert(name.to_string());
                }
            }
        }
        let lower = line.to_ascii_lowercase();
        let secretish =
            lower.contains("authorization") || lower.contains("password") || lower.contains("token");
        if secretish && let Some(value) = line.split_whitespace().nth(2) {
            let value = value.trim_end_matches(';').trim_matches('"');
            if !value.starts_with('$') && value.len() > 3 {
                out.insert(value.to_string());
            }
        }
    }
    out
}

fn contains_word(text: &str, word: &str) -> bool {
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        let edge = |c: Option<char>| {
            c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_'))
        };
        edge(before) && edge(after)
    })
}

fn leftovers(r: &RedactedInputs, originals: &BTreeSet<String>) -> Vec<String> {
    originals
        .iter()
        .filter(|o| [&r.config, &r.listeners, &r.log].iter().any(|t| contains_word(t, o)))
        .cloned()
        .collect()
}

fn some(t: &str) -> Option<&[u8]> {
    (!t.is_empty()).then_some(t.as_bytes())
}

/// Codes, severities and the line of each primary span, in rank order.
/// (code, severity, primary lines) per finding.
type Diagnosis = Vec<(String, String, Vec<(InputKind, u32)>)>;

fn diagnosis(config: &str, listeners: &str, log: &str) -> Diagnosis {
    let a = analyze(Inputs { config: some(config), listeners: some(listeners), log: some(log) });
    a.views()
        .into_iter()
        .map(|v| {
            let lines = v
                .evidence
                .iter()
                .filter(|e| e.primary)
                .map(|e| (e.location.input, e.location.input_line))
                .collect();
            (v.code, format!("{:?}", v.severity), lines)
        })
        .collect()
}

#[test]
fn nothing_identifying_remains_in_the_lab_scenarios() {
    let mut failures = Vec::new();
    for (name, (c, l, g)) in scenarios() {
        let originals = identifying(&c, &l, &g);
        let r = Redactor::redact(&c, &l, &g);
        let left = leftovers(&r, &originals);
        if !left.is_empty() {
            failures.push(format!("{name}: {left:?}"));
        }
        assert!(r.replaced > 0, "{name}: something is replaced");
    }
    assert!(failures.is_empty(), "values left after redaction:\n{}", failures.join("\n"));
}

#[test]
fn the_diagnosis_of_redacted_scenarios_is_the_same() {
    let mut failures = Vec::new();
    for (name, (c, l, g)) in scenarios() {
        let r = Redactor::redact(&c, &l, &g);
        let before = diagnosis(&c, &l, &g);
        let after = diagnosis(&r.config, &r.listeners, &r.log);
        if before != after {
            failures.push(format!("{name}:\n  before {before:?}\n  after  {after:?}"));
        }
    }
    assert!(failures.is_empty(), "{} scenarios differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn redaction_is_consistent_across_inputs_and_deterministic() {
    for (name, (c, l, g)) in scenarios() {
        let a = Redactor::redact(&c, &l, &g);
        let b = Redactor::redact(&c, &l, &g);
        assert_eq!(a, b, "{name}");
        // A unix socket path in the config names the same placeholder as in the table.
        for (i, _) in c.match_indices("unix:/") {
            let path: String = c[i + 5..].chars().take_while(|ch| !" ;:\"\n".contains(*ch)).collect();
            if l.contains(&path) {
                let j = a.config.find("unix:/").unwrap();
                let _ = j;
                let placeholders: Vec<&str> = a
                    .config
                    .match_indices("unix:/")
                    .map(|(k, _)| a.config[k + 5..].split([' ', ';', ':', '"', '\n']).next().unwrap())
                    .collect();
                assert!(placeholders.iter().any(|p| a.listeners.contains(p)), "{name}: {placeholders:?}");
            }
        }
    }
}

fn corpus_configs() -> Vec<PathBuf> {
    let mut out = Vec::new();
    // shared/ sits beside the repository (as in CI's clone).
    let mut stack = vec![PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "conf") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn corpus_configs_keep_their_shape_and_lose_their_addresses() {
    let files = corpus_configs();
    assert!(
        files.len() > 20,
        "the third-party corpus in ../shared/corpus is missing ({} files)",
        files.len()
    );
    let mut failures = Vec::new();
    for p in &files {
        let bytes = std::fs::read(p).unwrap();
        let Ok(text) = String::from_utf8(bytes) else { continue };
        let r = Redactor::redact(&text, "", "");
        let (a, b) =
            (badgateway_config::parse(text.as_bytes()), badgateway_config::parse(r.config.as_bytes()));
        if a.directives().len() != b.directives().len() {
            failures.push(format!(
                "{}: {} directives, {} after",
                p.display(),
                a.directives().len(),
                b.directives().len()
            ));
        }
        let left = leftovers(&r, &identifying(&text, "", ""));
        if !left.is_empty() {
            failures.push(format!("{}: left {left:?}", p.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_checker_is_not_vacuous() {
    let total: usize = scenarios().iter().map(|(_, (c, l, g))| identifying(c, l, g).len()).sum();
    assert!(total > 100, "{total}");
    let (c, l, g) = load(&scenarios_dir().join("unix-socket-permission"));
    let r = Redactor::redact(&c, &l, &g);
    if std::env::var_os("SHOW_REDACTED").is_some() {
        eprintln!("{}\n----\n{}\n----\n{}", r.config, r.listeners, r.log);
    }
}

/// Hand-written: what the lab's scenarios do not hold (certificates, basic auth, secrets in
/// maps and `set`, public and IPv6 addresses, netstat's `:::80`).
#[test]
fn certificates_auth_files_secrets_and_v6_addresses_are_replaced() {
    let config = r#"http {
    map $http_x_client $client_token {
        default            "";
        mobile             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    }
    upstream app { server 203.0.113.7:8443; server [2a01:4f8:1c1c::5]:8443; server fd12:3456::9:8000 backup; }
    server {
        listen 443 ssl;
        listen [::]:443 ssl;
        server_name shop.acme-corp.io *.acme-corp.io;
        ssl_certificate     /etc/letsencrypt/live/shop.acme-corp.io/fullchain.pem;
        ssl_certificate_key /etc/letsencrypt/live/shop.acme-corp.io/privkey.pem;
        auth_basic "staff";
        auth_basic_user_file /etc/nginx/secrets/staff.htpasswd;
        set $db_password "Tr0ub4dor&3";
        location / {
            proxy_set_header Authorization "Basic YWRtaW46c2VjcmV0cGFzc3dvcmQ=";
            proxy_set_header X-Api-Key 5b8e1c7d2f;
            proxy_pass https://app;
        }
        location /legacy { proxy_pass http://legacy.internal.acme-corp.io:8080/v1/; }
    }
}
"#;
    let listeners = "Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name\ntcp6 0 0 :::8443 :::* LISTEN 812/java\ntcp 0 0 203.0.113.7:8443 0.0.0.0:* LISTEN 812/java\n";
    let log = "2026/11/21 10:00:00 [error] 9#9: *3 connect() failed (111: Connection refused) while connecting to upstream, client: 198.51.100.23, server: shop.acme-corp.io, request: \"GET /cart?session=abc123def456 HTTP/1.1\", upstream: \"https://[2a01:4f8:1c1c::5]:8443/cart\", host: \"shop.acme-corp.io\"\n";
    let r = Redactor::redact(config, listeners, log);
    let all = format!("{}\n{}\n{}", r.config, r.listeners, r.log);
    if std::env::var_os("SHOW_REDACTED").is_some() {
        eprintln!("{all}");
    }
    for gone in [
        "9f86d081884c7d659a2feaa0c55ad015",
        "203.0.113.7",
        "2a01:4f8:1c1c::5",
        "fd12:3456::9",
        "acme-corp",
        "letsencrypt",
        "privkey",
        "staff.htpasswd",
        "secrets",
        "Tr0ub4dor",
        "YWRtaW46c2VjcmV0cGFzc3dvcmQ",
        "5b8e1c7d2f",
        "legacy.internal",
        "198.51.100.23",
        "abc123def456",
    ] {
        assert!(!all.contains(gone), "{gone} is still there:\n{all}");
    }
    // What the diagnosis needs stays: ports, wildcards, families, extensions, names.
    for kept in [
        "listen [::]:443 ssl;",
        ":8443",
        "upstream app",
        "proxy_pass https://app;",
        "auth_basic_user_file /",
        ".htpasswd;",
        ".pem;",
        "*.host-",
        ":::8443",
        "812/java",
        "2001:db8::",
        "fd00::",
        "198.18.0.",
    ] {
        assert!(all.contains(kept), "{kept} is gone:\n{all}");
    }
    let a = diagnosis(config, listeners, log);
    let b = diagnosis(&r.config, &r.listeners, &r.log);
    assert_eq!(a, b);
}
