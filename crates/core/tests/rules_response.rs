//! BG301-BG307, BG401, BG402, BG501 on the lab's real scenarios (tests/fixtures/scenarios,
//! captured from nginx 1.22.1 with real gunicorn/php-fpm and broken python backends),
//! whole and in subsets, plus hand-written corners (marked). Every fix with edits is
//! applied and the result re-analysed (convergence).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::code::Code;
use badgateway_core::finding::{Finding, Severity, apply_edits};
use badgateway_core::{Analysis, InputKind, Inputs, analyze};

mod common;
use common::{Scenario, codes, label_texts, load, primary_text, scenarios_dir};
use std::path::PathBuf;

const MINE: &[&str] =
    &["BG301", "BG302", "BG303", "BG304", "BG305", "BG306", "BG307", "BG401", "BG402", "BG501"];

fn only<'a>(a: &'a Analysis<'_>, code: &str) -> &'a Finding {
    let found: Vec<&Finding> = a.findings.iter().filter(|f| f.code.as_str() == code).collect();
    assert_eq!(found.len(), 1, "expected one {code}, got {:#?}", a.findings);
    found[0]
}

/// Applies the finding's edits to the config and re-analyses with the same listeners
/// and log. Returns the fixed config text and the new analysis's findings of `code`.
fn apply_fix(s: &Scenario, f: &Finding) -> (String, Vec<Finding>) {
    let fix = f.fix.as_ref().expect("a fix");
    assert!(!fix.edits().is_empty(), "the fix has edits: {fix:#?}");
    let fixed = apply_edits(s.config.as_deref().unwrap(), fix.edits()).expect("edits apply");
    let a =
        analyze(Inputs { config: Some(&fixed), listeners: s.listeners.as_deref(), log: s.log.as_deref() });
    let config = a.config.as_ref().unwrap();
    let errors: Vec<_> = config.diagnostics().iter().filter(|d| d.code.is_error()).collect();
    assert!(
        errors.is_empty(),
        "the fixed config must still load: {errors:#?}\n{}",
        String::from_utf8_lossy(&fixed)
    );
    let left = a.findings.iter().filter(|g| g.code == f.code).cloned().collect();
    (String::from_utf8(fixed).unwrap(), left)
}

/// Convergence: the finding is gone once its edits are applied.
fn assert_converges(s: &Scenario, f: &Finding) -> String {
    let (fixed, left) = apply_fix(s, f);
    assert!(left.is_empty(), "{} still reported after its fix:\n{fixed}\n{left:#?}", f.code);
    fixed
}

/// Weaker convergence for a log-driven finding whose log line stays in the paste: the
/// re-analysis proposes no further config edit (no fix loop).
fn assert_settles(s: &Scenario, f: &Finding) -> String {
    let (fixed, left) = apply_fix(s, f);
    for g in &left {
        assert!(
            g.fix.as_ref().is_none_or(|x| x.edits().is_empty()),
            "{} proposes another edit:\n{fixed}\n{g:#?}",
            f.code
        );
    }
    fixed
}

fn assert_none_of_mine(a: &Analysis<'_>, except: &[&str], what: &str) {
    for c in codes(a) {
        assert!(!MINE.contains(&c) || except.contains(&c), "{what}: unexpected {c}: {:#?}", a.findings);
    }
}

// ---------------------------------------------------------------- controls

#[test]
fn controls_stay_silent() {
    for name in
        ["healthy", "static-404", "content-length-and-chunked", "resolver-nxdomain", "resolver-timeout"]
    {
        let s = load(name);
        assert_none_of_mine(&analyze(s.all()), &[], name);
        assert_none_of_mine(&analyze(s.log_only()), &[], name);
        assert_none_of_mine(&analyze(s.static_only()), &[], name);
    }
    // Primary script unknown: only the "not a 502" note.
    let s = load("php-primary-script-unknown");
    assert_none_of_mine(&analyze(s.all()), &["BG307"], "php-primary-script-unknown");
    assert_none_of_mine(&analyze(s.static_only()), &[], "php-primary-script-unknown");
}

#[test]
fn no_config_only_risk_on_any_scenario() {
    // BG501 is a lint; of the lab's configs only upstream-member-down-no-retry turns retries off.
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let s = load(&name);
        let risky = name == "upstream-member-down-no-retry";
        assert_eq!(codes(&analyze(s.all())).contains(&"BG501"), risky, "{name}");
    }
}

// ---------------------------------------------------------------- BG301

#[test]
fn bg301_upstream_closes() {
    let s = load("upstream-closes");
    let a = analyze(s.all());
    let f = only(&a, "BG301");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.status, Some(502));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19131".into()));
    assert!(label_texts(&a, f, InputKind::Log)[0].starts_with("upstream prematurely closed connection"));
    assert!(!f.next_steps.is_empty(), "asks for the backend's log");
    assert!(!codes(&a).contains(&"BG201"));

    let a = analyze(s.log_only());
    let f = only(&a, "BG301");
    let (input, text) = primary_text(&a, f);
    assert_eq!(input, InputKind::Log);
    assert!(
        text.starts_with("upstream prematurely closed connection while reading response header"),
        "{text}"
    );
}

#[test]
fn bg301_gunicorn_worker_timeout_cites_the_backend_log() {
    let s = load("gunicorn-worker-timeout");
    let a = analyze(s.all());
    let f = only(&a, "BG301");
    assert_eq!(f.status, Some(502));
    let cited = label_texts(&a, f, InputKind::Log);
    assert!(cited.iter().any(|l| l.contains("WORKER TIMEOUT (pid:11189)")), "{cited:#?}");
    assert!(cited.iter().any(|l| l.contains("terminated due to signal 9")), "{cited:#?}");
    assert!(f.message.contains("proxy_read_timeout (60s, the default)"), "{}", f.message);
    assert!(f.message.contains("instead of nginx's own 504"), "{}", f.message);
    let fix = f.fix.as_ref().unwrap();
    assert!(fix.edits().is_empty());
    assert!(fix.commands().iter().any(|c| c.command.contains("--timeout 90")), "{fix:#?}");
    assert!(!codes(&a).contains(&"BG401"));

    let a = analyze(s.log_only());
    let f = only(&a, "BG301");
    assert!(f.confidence >= 90);
}

#[test]
fn bg301_not_on_other_failures() {
    for name in ["read-timeout", "upstream-resets", "header-too-big", "php-fpm-terminate-timeout"] {
        let s = load(name);
        let a = analyze(s.all());
        assert!(!codes(&a).contains(&"BG301"), "{name}: {:?}", codes(&a));
    }
}

#[test]
fn bg301_after_header_is_a_cut_body_not_a_502() {
    // Hand-written: nginx 1.22 wording, body phase.
    let log = b"2026/11/21 11:39:32 [error] 1#1: *1 upstream prematurely closed connection while reading upstream, client: 127.0.0.1, server: _, request: \"GET /big HTTP/1.1\", upstream: \"http://127.0.0.1:8000/big\", host: \"x\"\n";
    let a = analyze(Inputs { log: Some(log), ..Default::default() });
    let f = only(&a, "BG301");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.status, None);
    assert!(f.message.contains("body is cut short"));
}

// ---------------------------------------------------------------- BG302

#[test]
fn bg302_fastcgi_to_http() {
    let s = load("fastcgi-to-http");
    let a = analyze(s.all());
    let f = only(&a, "BG302");
    assert_eq!(f.status, Some(502));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19151".into()));
    assert!(f.message.contains("72"));
    let fixed = assert_converges(&s, f);
    assert!(fixed.contains("proxy_pass http://127.0.0.1:19151;"), "{fixed}");
    assert!(!fixed.contains("fastcgi_pass 127.0.0.1:19151"));

    let a = analyze(s.log_only());
    assert_eq!(only(&a, "BG302").status, Some(502));
}

#[test]
fn bg302_https_to_http() {
    let s = load("https-to-http");
    let a = analyze(s.all());
    let f = only(&a, "BG302");
    assert!(f.message.contains("wrong version number"), "{}", f.message);
    assert!(!codes(&a).contains(&"BG305"));
    let fixed = assert_converges(&s, f);
    assert!(fixed.contains("proxy_pass http://127.0.0.1:19161;"), "{fixed}");

    let a = analyze(s.log_only());
    only(&a, "BG302");
    assert!(!codes(&a).contains(&"BG305"));
}

#[test]
fn bg302_grpc_to_http1() {
    let s = load("grpc-to-http1");
    let a = analyze(s.all());
    let f = only(&a, "BG302");
    assert!(f.title.contains("grpc_pass"));
    let fixed = assert_converges(&s, f);
    assert!(fixed.contains("proxy_pass http://127.0.0.1:19171;"), "{fixed}");
    only(&analyze(s.log_only()), "BG302");
}

#[test]
fn bg302_non_http_response_is_not_a_502() {
    let s = load("non-http-response");
    let a = analyze(s.all());
    let f = only(&a, "BG302");
    assert_eq!(f.status, None, "relayed as HTTP/0.9, not a 502");
    assert!(f.message.contains("HTTP/0.9") && f.message.contains("009"), "{}", f.message);
    // The backend is an unknown python program: no edit is guessed.
    assert!(f.fix.is_none());
    assert!(!f.next_steps.is_empty());
    only(&analyze(s.log_only()), "BG302");
}

#[test]
fn bg302_not_on_tls_failures_or_controls() {
    for name in ["tls-name-mismatch", "tls-verify-self-signed", "healthy", "upstream-closes"] {
        let s = load(name);
        let a = analyze(s.all());
        assert!(!codes(&a).contains(&"BG302"), "{name}");
    }
}

#[test]
fn bg302_uwsgi_side_hand_written() {
    // Hand-written: uWSGI's own line when it gets HTTP on a uwsgi socket.
    let config = b"http { server { listen 80; location / { proxy_pass http://127.0.0.1:3031; } } }\n";
    let uwsgi = b"invalid request block size: 21573 (max 4096)...skip\n";
    // A scanner on the uwsgi port writes the same line: alone, it proves nothing.
    let a = analyze(Inputs { config: Some(config), log: Some(uwsgi), ..Default::default() });
    assert!(!a.log.as_ref().unwrap().backend.is_empty(), "uWSGI line recognised");
    assert!(!codes(&a).contains(&"BG302"));
    let mut log = b"2026/11/21 11:39:32 [error] 1#1: *1 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:3031/\", host: \"x\"\n".to_vec();
    log.extend_from_slice(uwsgi);
    let log = log.as_slice();
    let a = analyze(Inputs { config: Some(config), log: Some(log), ..Default::default() });
    let f = only(&a, "BG302");
    assert_eq!(only(&a, "BG301").caused_by, Some(Code::BG302));
    let s = Scenario {
        config: Some(config.to_vec()),
        listeners: None,
        log: Some(log.to_vec()),
        meta: serde_json::Value::Null,
    };
    let (fixed, _) = apply_fix(&s, f);
    assert!(fixed.contains("uwsgi_pass 127.0.0.1:3031;"), "{fixed}");
}

// ---------------------------------------------------------------- BG303

#[test]
fn bg303_header_too_big() {
    let s = load("header-too-big");
    let a = analyze(s.all());
    let f = only(&a, "BG303");
    assert_eq!(f.status, Some(502));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19191".into()));
    assert!(label_texts(&a, f, InputKind::Config).contains(&"proxy_buffer_size 4k;".to_string()));
    assert!(f.message.contains("proxy_buffer_size (4k)"), "{}", f.message);
    // The buffer is raised in place, and proxy_buffers follows so nginx -t still passes.
    let fixed = assert_settles(&s, f);
    assert!(fixed.contains("proxy_buffer_size 16k;"), "{fixed}");
    assert!(fixed.contains("proxy_buffers 8 16k;"), "{fixed}");
    assert!(!fixed.contains("proxy_buffer_size 4k;"));

    let a = analyze(s.log_only());
    let f = only(&a, "BG303");
    assert!(f.fix.as_ref().unwrap().summary().contains("proxy_buffer_size 16k"));
}

#[test]
fn bg303_inserts_at_the_target_when_set_above_hand_written() {
    // Hand-written: fastcgi, buffer set at server level, target inside `if`.
    let config = b"http {\n  server {\n    listen 80;\n    fastcgi_buffer_size 4k;\n    location ~ \\.php$ {\n        if ($http_x) {\n            fastcgi_pass unix:/run/php/php-fpm.sock;\n        }\n    }\n  }\n}\n";
    let log = b"2026/11/21 11:39:39 [error] 1#1: *1 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET /a.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php-fpm.sock:\", host: \"x\"\n";
    let s = Scenario {
        config: Some(config.to_vec()),
        listeners: None,
        log: Some(log.to_vec()),
        meta: serde_json::Value::Null,
    };
    let a = analyze(s.all());
    let f = only(&a, "BG303");
    assert!(f.title.contains("fastcgi_buffer_size"));
    let fixed = assert_settles(&s, f);
    assert!(fixed.contains("fastcgi_buffer_size 4k;"), "server level untouched:\n{fixed}");
    let at = fixed.find("fastcgi_buffer_size 16k;").expect(&fixed);
    assert!(at < fixed.find("if ($http_x)").unwrap(), "inserted before the if block:\n{fixed}");
}

// ---------------------------------------------------------------- BG304

#[test]
fn bg304_upstream_resets() {
    let s = load("upstream-resets");
    let a = analyze(s.all());
    let f = only(&a, "BG304");
    assert_eq!(f.status, Some(502));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19201".into()));
    assert!(
        label_texts(&a, f, InputKind::Log)[0].starts_with("recv() failed (104: Connection reset by peer)")
    );
    assert!(f.caused_by.is_none());
    only(&analyze(s.log_only()), "BG304");
}

#[test]
fn bg304_php_fpm_terminate_timeout() {
    let s = load("php-fpm-terminate-timeout");
    let a = analyze(s.all());
    let f = only(&a, "BG304");
    let cited = label_texts(&a, f, InputKind::Log);
    assert!(
        cited.iter().any(|l| l.contains("execution timed out (1.225550 sec), terminating")),
        "{cited:#?}"
    );
    assert!(f.message.contains("request_terminate_timeout"), "{}", f.message);
    assert!(f.message.contains("fastcgi_read_timeout (60s)"), "{}", f.message);
    assert!(f.confidence >= 90);
    assert!(!codes(&a).contains(&"BG401"));
    // The risk lint stays quiet: BG304 already explains it.
    assert!(!codes(&a).contains(&"BG501"));
    let a = analyze(s.log_only());
    assert!(only(&a, "BG304").message.contains("request_terminate_timeout"));
}

#[test]
fn bg304_in_a_proxy_loop_is_a_consequence() {
    let s = load("proxy-loop");
    let a = analyze(s.all());
    let f = only(&a, "BG304");
    assert_eq!(f.caused_by, Some(Code::BG213));
    assert!(f.message.contains("nginx proxies to itself"), "{}", f.message);
}

#[test]
fn bg304_allowed_clients_hand_written() {
    // Hand-written php-fpm line (constructed in backend_messages.tsv).
    let log = b"2026/11/21 11:39:40 [error] 1#1: *1 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 10.0.0.5, server: _, request: \"GET /a.php HTTP/1.1\", upstream: \"fastcgi://10.0.0.9:9000\", host: \"x\"\n[21-Nov-2026 11:39:40] WARNING: [pool www] Connection disallowed: IP address '10.0.0.4' has been dropped.\n";
    let a = analyze(Inputs { log: Some(log), ..Default::default() });
    let f = only(&a, "BG304");
    assert!(f.message.contains("listen.allowed_clients"), "{}", f.message);
}

// ---------------------------------------------------------------- BG305

#[test]
fn bg305_self_signed() {
    let s = load("tls-verify-self-signed");
    let a = analyze(s.all());
    let f = only(&a, "BG305");
    assert_eq!(f.status, Some(502));
    assert!(f.message.contains("18:self-signed certificate"), "{}", f.message);
    assert!(f.fix.as_ref().unwrap().summary().contains("proxy_ssl_trusted_certificate"));
    assert!(!codes(&a).contains(&"BG302"));
    only(&analyze(s.log_only()), "BG305");
}

#[test]
fn bg305_missing_sni_hand_written() {
    // Hand-written: the OpenSSL 3 wording of a backend refusing a handshake without SNI.
    let config = b"http {\n  server {\n    listen 80;\n    location / {\n        proxy_pass https://203.0.113.7:443;\n    }\n  }\n}\n";
    let log = b"2026/11/21 11:39:37 [error] 1#1: *1 SSL_do_handshake() failed (SSL: error:0A000410:SSL routines::sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"https://203.0.113.7:443/\", host: \"x\"\n";
    let s = Scenario {
        config: Some(config.to_vec()),
        listeners: None,
        log: Some(log.to_vec()),
        meta: serde_json::Value::Null,
    };
    let a = analyze(s.all());
    let f = only(&a, "BG305");
    assert!(f.title.contains("SNI"), "{}", f.title);
    // With SNI on, the same (older) log line is reported as a plain handshake failure,
    // with no further edit.
    let fixed = assert_settles(&s, f);
    assert!(fixed.contains("proxy_ssl_server_name on;\n        proxy_pass https://"), "{fixed}");
    let again = analyze(Inputs { config: Some(fixed.as_bytes()), listeners: None, log: s.log.as_deref() });
    assert!(!only(&again, "BG305").title.contains("SNI"));
}

// ---------------------------------------------------------------- BG401

#[test]
fn bg401_read_timeout_is_a_504() {
    let s = load("read-timeout");
    let a = analyze(s.all());
    let f = only(&a, "BG401");
    assert_eq!(f.status, Some(504));
    assert!(f.message.contains("504 Gateway Timeout, not 502"), "{}", f.message);
    assert!(label_texts(&a, f, InputKind::Config).contains(&"proxy_read_timeout 1s;".to_string()));
    assert!(!codes(&a).contains(&"BG402") && !codes(&a).contains(&"BG301"));
    let fixed = assert_settles(&s, f);
    assert!(
        fixed.contains("proxy_read_timeout 60s;") && !fixed.contains("proxy_read_timeout 1s;"),
        "{fixed}"
    );

    let a = analyze(s.log_only());
    let f = only(&a, "BG401");
    assert_eq!(f.status, Some(504));
    assert!(f.message.contains("60s unless set"));
}

#[test]
fn bg401_not_on_connect_or_resolver_timeouts() {
    for name in
        ["connect-timeout", "resolver-timeout", "gunicorn-worker-timeout", "php-fpm-terminate-timeout"]
    {
        assert!(!codes(&analyze(load(name).all())).contains(&"BG401"), "{name}");
        assert!(!codes(&analyze(load(name).log_only())).contains(&"BG401"), "{name}");
    }
}

#[test]
fn bg401_kernel_110_is_a_502_hand_written() {
    let log = b"2026/11/21 11:39:44 [error] 1#1: *1 recv() failed (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.9:8000/\", host: \"x\"\n";
    let a = analyze(Inputs { log: Some(log), ..Default::default() });
    let f = only(&a, "BG401");
    assert_eq!(f.status, Some(502));
    assert!(f.title.contains("502, not 504"));
}

// ---------------------------------------------------------------- BG402

#[test]
fn bg402_connect_timeout_with_full_backlog() {
    let s = load("connect-timeout");
    let a = analyze(s.all());
    let f = only(&a, "BG402");
    assert_eq!(f.status, Some(504));
    // The saturated backend (BG211) is the cause; this 504 is its consequence, ranked below.
    assert_eq!(f.caused_by, Some(Code::BG211));
    let order = codes(&a);
    assert!(order.iter().position(|c| *c == "BG211") < order.iter().position(|c| *c == "BG402"), "{order:?}");
    let rows = label_texts(&a, f, InputKind::Listeners);
    assert!(rows.iter().any(|r| r.starts_with("LISTEN 1      0") && r.contains(":19251")), "{rows:#?}");
    assert!(f.message.contains("Recv-Q 1 > Send-Q 0"), "{}", f.message);
    assert!(!codes(&a).contains(&"BG401"));

    let a = analyze(s.log_only());
    let f = only(&a, "BG402");
    assert_eq!(f.status, Some(504));
    assert!(f.next_steps.iter().any(|c| c.command.contains("ss -tlnp")), "{:#?}", f.next_steps);
}

#[test]
fn bg402_not_on_read_or_resolver_timeouts() {
    for name in ["read-timeout", "resolver-timeout", "backend-not-running"] {
        assert!(!codes(&analyze(load(name).all())).contains(&"BG402"), "{name}");
    }
}

#[test]
fn bg402_kernel_connect_110_is_a_502_hand_written() {
    let log = b"2026/11/21 11:39:44 [error] 1#1: *1 connect() failed (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.9:8000/\", host: \"x\"\n";
    let a = analyze(Inputs { log: Some(log), ..Default::default() });
    let f = only(&a, "BG402");
    assert_eq!(f.status, Some(502));
}

// ---------------------------------------------------------------- docs

#[test]
fn every_code_is_documented_and_explainable() {
    for code in MINE {
        let info =
            badgateway_core::diagnose::rules::info(code).unwrap_or_else(|| panic!("{code} registered"));
        assert!(info.docs.contains("## Why it causes"), "{code}");
    }
}

#[test]
fn lines_about_a_resolved_name_find_the_named_server() {
    // Hand-written: nginx logs the address `app.internal` resolved to.
    let config = b"http {\n  upstream app {\n    server app.internal:8000;\n  }\n  server {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n    }\n  }\n}\n";
    let log = b"2026/11/21 11:39:32 [error] 1#1: *1 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.7:8000/\", host: \"x\"\n";
    let a = analyze(Inputs { config: Some(config), listeners: None, log: Some(log) });
    let f = only(&a, "BG301");
    assert_eq!(primary_text(&a, f), (InputKind::Config, "app.internal:8000".into()));
    assert!(f.message.starts_with("In location /"), "{}", f.message);
}

#[test]
fn bg301_notes_the_keepalive_race_hand_written() {
    let config = b"http {\n  upstream app {\n    server 127.0.0.1:3000;\n    keepalive 8;\n  }\n  server {\n    listen 80;\n    location / {\n        proxy_http_version 1.1;\n        proxy_set_header Connection \"\";\n        proxy_pass http://app;\n    }\n  }\n}\n";
    let log = b"2026/11/21 11:39:32 [error] 1#1: *1 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: _, request: \"POST /form HTTP/1.1\", upstream: \"http://127.0.0.1:3000/form\", host: \"x\"\n";
    let a = analyze(Inputs { config: Some(config), listeners: None, log: Some(log) });
    let f = only(&a, "BG301");
    assert!(f.notes.iter().any(|n| n.contains("keepalive_timeout")), "{:#?}", f.notes);
    assert!(!codes(&a).contains(&"BG501"));
}

#[test]
fn bg302_predicted_from_the_listener_table() {
    // Real capture, no log: grpc_pass to gunicorn.
    let s = load("grpc-to-http1");
    let a = analyze(s.static_only());
    let f = only(&a, "BG302");
    assert!(f.title.contains("gunicorn"), "{}", f.title);
    assert_eq!(primary_text(&a, f), (InputKind::Config, "grpc_pass grpc://127.0.0.1:19171;".into()));
    let s2 = Scenario {
        config: s.config.clone(),
        listeners: s.listeners.clone(),
        log: None,
        meta: serde_json::Value::Null,
    };
    let fixed = assert_converges(&s2, f);
    assert!(fixed.contains("proxy_pass http://127.0.0.1:19171;"));
    // With the log, one finding, from the log line.
    assert_eq!(codes(&analyze(s.all())).iter().filter(|c| **c == "BG302").count(), 1);

    // A python program of unknown kind proves nothing.
    assert!(!codes(&analyze(load("fastcgi-to-http").static_only())).contains(&"BG302"));
    // php-fpm behind fastcgi_pass, gunicorn behind proxy_pass: right.
    for name in ["php-primary-script-unknown", "healthy", "php-fpm-terminate-timeout"] {
        assert!(!codes(&analyze(load(name).static_only())).contains(&"BG302"), "{name}");
    }
}

#[test]
fn bg302_proxy_pass_to_php_fpm_hand_written() {
    // Hand-written from the real ss -xlp capture of php-fpm-terminate-timeout.
    let s = load("php-fpm-terminate-timeout");
    let config = String::from_utf8(s.config.clone().unwrap())
        .unwrap()
        .replace("fastcgi_pass unix:", "proxy_pass http://unix:");
    let s2 = Scenario {
        config: Some(config.into_bytes()),
        listeners: s.listeners.clone(),
        log: None,
        meta: serde_json::Value::Null,
    };
    let a = analyze(s2.all());
    let f = only(&a, "BG302");
    assert!(f.title.contains("FastCGI"), "{}", f.title);
    let fixed = assert_converges(&s2, f);
    assert!(
        fixed.contains("fastcgi_pass unix:/tmp/badgateway-lab/php-fpm-terminate-timeout/run/php-fpm.sock;"),
        "{fixed}"
    );
}

#[test]
fn bg302_http_to_a_tls_port_hand_written() {
    // Hand-written: plain HTTP to port 443; the TLS server's alert is not an HTTP header.
    let config = b"http {\n  server {\n    listen 80;\n    location / {\n        proxy_pass http://10.0.0.9:443;\n    }\n  }\n}\n";
    let log = b"2026/11/21 11:39:39 [error] 1#1: *1 upstream sent no valid HTTP/1.0 header while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.9:443/\", host: \"x\"\n";
    let s = Scenario {
        config: Some(config.to_vec()),
        listeners: None,
        log: Some(log.to_vec()),
        meta: serde_json::Value::Null,
    };
    let a = analyze(s.all());
    let f = only(&a, "BG302");
    let fixed = assert_converges(&s, f);
    assert!(fixed.contains("proxy_pass https://10.0.0.9:443;"), "{fixed}");
}

#[test]
fn bg401_with_several_servers_says_the_last_attempt_decides_hand_written() {
    let config = b"http {\n  upstream app {\n    server 127.0.0.1:8000;\n    server 127.0.0.1:8001;\n  }\n  server {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n    }\n  }\n}\n";
    let log = b"2026/11/21 11:39:44 [error] 1#1: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8001/\", host: \"x\"\n";
    let s = Scenario {
        config: Some(config.to_vec()),
        listeners: None,
        log: Some(log.to_vec()),
        meta: serde_json::Value::Null,
    };
    let a = analyze(s.all());
    let f = only(&a, "BG401");
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:8001".into()));
    assert!(f.message.contains("last attempt"), "{}", f.message);
    // 60s is nginx's default: no edit, find the slow request.
    assert!(f.fix.as_ref().unwrap().edits().is_empty());
}

#[test]
fn bg402_firewall_drop_is_cited() {
    // Real `iptables -S` (tests/fixtures/listeners/captured, capture.py firewall) and a
    // hand-written connect timeout to another host's :9000.
    let listeners = std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/listeners/captured/iptables_S.txt"),
    )
    .unwrap();
    let log = b"2026/11/21 11:39:46 [error] 1#1: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET /a.php HTTP/1.1\", upstream: \"fastcgi://10.0.0.9:9000\", host: \"x\"\n";
    let a = analyze(Inputs { config: None, listeners: Some(&listeners), log: Some(log) });
    let f = only(&a, "BG402");
    assert_eq!(f.status, Some(504));
    assert!(f.message.contains("firewall rule"), "{}", f.message);
    let rows = label_texts(&a, f, InputKind::Listeners);
    assert!(rows.iter().any(|r| r.contains("--dport 9000") && r.ends_with("-j DROP")), "{rows:#?}");
    // The rule is the cause: BG207 names it, from the same paste.
    assert_eq!(f.caused_by, Some(Code::BG207));
    assert_eq!(only(&a, "BG207").status, Some(504));
    assert!(f.message.contains("fastcgi_connect_timeout"), "{}", f.message);
}

#[test]
fn cut_inputs_never_panic() {
    // Every scenario, each input cut at 16 points (mid-line, mid-UTF-8, mid-directive).
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let s = load(&name);
        for k in 1..16usize {
            let cut = |v: &Option<Vec<u8>>| v.as_ref().map(|v| v[..v.len() * k / 16].to_vec());
            let (c, l, g) = (cut(&s.config), cut(&s.listeners), cut(&s.log));
            let a = analyze(Inputs { config: c.as_deref(), listeners: l.as_deref(), log: g.as_deref() });
            for f in &a.findings {
                if let (Some(fix), Some(config)) = (&f.fix, c.as_deref()) {
                    assert!(
                        apply_edits(config, fix.edits()).is_some(),
                        "{name} cut {k}: {} edits apply",
                        f.code
                    );
                }
            }
        }
    }
}

#[test]
fn a_cut_body_does_not_hide_the_502_of_the_same_backend_hand_written() {
    // Body-phase line first, header-phase line second: both must be reported.
    let log = b"2026/11/21 11:39:31 [error] 1#1: *1 upstream prematurely closed connection while reading upstream, client: 127.0.0.1, server: _, request: \"GET /big HTTP/1.1\", upstream: \"http://127.0.0.1:8000/big\", host: \"x\"\n2026/11/21 11:39:32 [error] 1#1: *2 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"\n";
    let config = b"http { server { listen 80; location / { proxy_pass http://127.0.0.1:8000; } } }\n";
    let a = analyze(Inputs { config: Some(config), listeners: None, log: Some(log) });
    let found: Vec<_> = a.findings.iter().filter(|f| f.code == Code::BG301).collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Error, "the 502 ranks first");
}

#[test]
fn bg401_compares_with_gunicorn_timeout_from_ps_hand_written() {
    // Hand-written from the real captures (ss_tlnp.txt, ps_aux.txt) with `--timeout 120`.
    let listeners = b"State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      2048            127.0.0.1:17010      0.0.0.0:*    users:((\"gunicorn\",pid=27674,fd=6),(\"gunicorn\",pid=27660,fd=6))\nUSER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot     27660  8.1  0.1  35244 29472 ?        S    11:42   0:00 /usr/bin/python3 /usr/bin/gunicorn --chdir /srv/app -b 127.0.0.1:17010 --timeout 120 -w 1 app:app\n";
    let config = b"http { server { listen 80; location / { proxy_pass http://127.0.0.1:17010; } } }\n";
    let log = b"2026/11/21 11:39:44 [error] 1#1: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:17010/\", host: \"x\"\n";
    let a = analyze(Inputs { config: Some(config), listeners: Some(listeners), log: Some(log) });
    let f = only(&a, "BG401");
    assert!(f.message.contains("--timeout 120 s"), "{}", f.message);
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|r| r.contains("--timeout 120")));
    assert!(!codes(&a).contains(&"BG501"), "120 s is not shorter than 60s");
}
