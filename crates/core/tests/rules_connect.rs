//! BG201-BG213 (cannot connect, resources) on the lab's real scenarios
//! (tests/fixtures/scenarios: real nginx 1.22.1, gunicorn, php-fpm and broken python
//! backends), whole and in the lab's subsets, plus hand-written corners (marked
//! "hand-written") for what the lab cannot reproduce: SELinux, ufw, container
//! addresses on Docker's DNS, pastes without `getent`, EMFILE, EADDRNOTAVAIL. iptables and
//! nft rules are real: the lab's firewall scenarios and the listings captured by
//! tests/fixtures/listeners/capture.py in private network namespaces.
//! Every fix with edits is applied and the result re-analysed (convergence).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::code::Code;
use badgateway_core::finding::{Applicability, Finding, PLACEHOLDER_DNS_SERVER, Severity, apply_edits};
use badgateway_core::{Analysis, InputKind, Inputs, analyze};

mod common;
use common::{codes, load, scenarios_dir};
use std::path::PathBuf;

const MINE: &[&str] = &[
    "BG201", "BG202", "BG203", "BG204", "BG205", "BG206", "BG207", "BG208", "BG209", "BG210", "BG211",
    "BG212", "BG213", "BG214",
];

fn mine(a: &Analysis<'_>) -> Vec<&'static str> {
    let mut c: Vec<&'static str> = codes(a).into_iter().filter(|c| MINE.contains(c)).collect();
    c.sort_unstable();
    c.dedup();
    c
}

fn first<'a>(a: &'a Analysis<'_>, code: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", a.findings))
}

fn primary_text(a: &Analysis<'_>, f: &Finding) -> (InputKind, String) {
    let primaries: Vec<_> = f.labels.iter().filter(|l| l.primary).collect();
    assert_eq!(primaries.len(), 1, "exactly one primary label in {f:#?}");
    let label = primaries[0];
    let text = a.inputs.text(label.span.input);
    let s = &text[label.span.range.start as usize..label.span.range.end as usize];
    (label.span.input, String::from_utf8_lossy(s).into_owned())
}

fn label_texts(a: &Analysis<'_>, f: &Finding, input: InputKind) -> Vec<String> {
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
fn converges(inputs: Inputs<'_>, code: &str) -> Vec<u8> {
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

// ---------------------------------------------------------------- acceptance: the lab

/// Every scenario: the codes of this area that meta.json expects are reported, the ones it
/// forbids are not, in the whole run and in each subset; and no code of this area fires
/// where neither the lab nor this file expects it.
#[test]
fn lab_scenarios_expect_and_expect_not() {
    // Consequences or second opinions this area adds on purpose, beyond meta.json.
    let extra: &[(&str, &str, &[&str])] = &[
        ("connect-timeout", "all", &["BG211"]),
        ("no-live-upstreams", "all", &["BG201"]),
        ("no-live-upstreams", "log", &["BG201"]),
        ("no-live-upstreams", "config+listeners", &["BG201"]),
        ("proxy-loop", "all", &["BG212"]),
        ("proxy-loop", "log", &["BG212", "BG213"]),
        ("wrong-port", "log", &["BG201"]),
        ("wrong-address", "log", &["BG201"]),
        ("own-address-wrong-bind", "log", &["BG201"]),
        ("family-v4-backend", "log", &["BG201"]),
        ("family-v6-backend", "log", &["BG201"]),
        ("backend-not-running", "log", &["BG201"]),
        ("unix-socket-stale", "log", &["BG201"]),
        ("unix-socket-permission", "config+listeners", &["BG206"]),
        ("unix-backlog-full", "config+listeners", &["BG211"]),
        ("php-fpm-max-children", "config+listeners", &[]),
        // The log alone cannot tell a stale or wrong-family address from a backend that is down.
        ("stale-address", "log", &["BG201"]),
        ("localhost-ipv4-only", "log", &["BG201"]),
        // The log alone shows a plain refusal (111): a REJECT with a TCP reset or port-unreachable
        // cannot be told from a closed port without the rule.
        ("firewall-reject-reset", "log", &["BG201"]),
        ("firewall-remote-reject", "log", &["BG201"]),
        ("connect-timeout", "config+listeners", &["BG211"]),
        // The log alone: nothing listens on port 80 is true too, beside why nginx connected there.
        ("host-variable-drops-port", "log", &["BG201"]),
    ];
    let mut checked = 0;
    for entry in std::fs::read_dir(scenarios_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let s = load(&name);
        let mut runs = vec![("all", s.all(), s.meta["expect"].clone(), s.meta["expect_not"].clone())];
        runs.push(("log", s.log_only(), serde_json::Value::Null, serde_json::Value::Null));
        runs.push(("config+listeners", s.static_only(), serde_json::Value::Null, serde_json::Value::Null));
        for run in runs.iter_mut().skip(1) {
            let sub = &s.meta["expect_subsets"][run.0];
            run.2 = sub["expect"].clone();
            run.3 = sub["expect_not"].clone();
        }
        for (sub, inputs, expect, expect_not) in runs {
            if inputs.config.is_none() && inputs.log.is_none() && inputs.listeners.is_none() {
                continue;
            }
            let a = analyze(inputs);
            let got = mine(&a);
            let list = |v: &serde_json::Value| -> Vec<String> {
                v.as_array()
                    .map(|x| x.iter().map(|c| c.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default()
            };
            for c in list(&expect).iter().filter(|c| MINE.contains(&c.as_str())) {
                assert!(got.contains(&c.as_str()), "{name} [{sub}]: missing {c}, got {got:?}");
            }
            for c in list(&expect_not) {
                assert!(!got.contains(&c.as_str()), "{name} [{sub}]: must not report {c}, got {got:?}");
            }
            // Nothing unexpected of this area.
            let whole_expect = list(&s.meta["expect"]);
            let allowed: Vec<&str> = extra
                .iter()
                .filter(|(n, r, _)| *n == name && *r == sub)
                .flat_map(|(_, _, c)| c.iter().copied())
                .collect();
            for c in &got {
                let expected_here = list(&expect).iter().any(|e| e == c)
                    || (expect.is_null() && whole_expect.iter().any(|e| e == c) && sub != "all");
                assert!(
                    expected_here || allowed.contains(c) || whole_expect.iter().any(|e| e == c),
                    "{name} [{sub}]: unexpected {c} (got {got:?})"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 38 * 2, "ran {checked} checks");
}

#[test]
fn controls_stay_silent() {
    for name in [
        "healthy",
        "static-404",
        "php-primary-script-unknown",
        "content-length-and-chunked",
        "stale-address-resolver",
        "remote-backend",
        "firewall-rules-not-in-the-way",
    ] {
        let s = load(name);
        for (sub, inputs) in [("all", s.all()), ("log", s.log_only()), ("config+listeners", s.static_only())]
        {
            let a = analyze(inputs);
            assert!(mine(&a).is_empty(), "{name} [{sub}]: {:?}", mine(&a));
        }
    }
}

/// Request-time resolution failures are BG208 (the catalog's "resolver failures,
/// NXDOMAIN"), from the log; the config alone (a resolver is defined) stays silent.
#[test]
fn bg208_request_time_resolution_failures() {
    for (name, words) in [("resolver-nxdomain", "does not exist"), ("resolver-timeout", "did not answer")] {
        let s = load(name);
        for (sub, inputs) in [("all", s.all()), ("log", s.log_only())] {
            let a = analyze(inputs);
            let f = a
                .findings
                .iter()
                .find(|f| f.code == Code::BG208)
                .unwrap_or_else(|| panic!("{name} [{sub}]: no BG208"));
            assert!(f.title.contains(words), "{name} [{sub}]: {}", f.title);
            assert_eq!(f.status, Some(502), "a resolver timeout is a 502, not a 504");
            // With the config, the dig command asks the resolver nginx is configured with.
            let dig = if sub == "all" { "dig @127.0.0.1 -p " } else { "dig @" };
            assert!(
                f.fix.as_ref().is_some_and(|x| x.commands().iter().any(|c| c.command.starts_with(dig))),
                "{sub}"
            );
            let others: Vec<_> = mine(&a).into_iter().filter(|c| *c != "BG208").collect();
            assert!(others.is_empty(), "{name} [{sub}]: {others:?}");
        }
        let a = analyze(s.static_only());
        assert!(mine(&a).is_empty(), "{name} [config+listeners]: {:?}", mine(&a));
        let s_all = analyze(s.all());
        let f = s_all.findings.iter().find(|f| f.code == Code::BG208).unwrap();
        let primary = f.labels.iter().find(|l| l.primary).unwrap();
        assert_eq!(
            primary.span.input,
            badgateway_core::InputKind::Config,
            "with the config, the target is primary"
        );
    }
}

#[test]
fn bg203_wrong_address() {
    let s = load("wrong-address");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG203");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.status, Some(502));
        assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19021".into()));
        assert_eq!(label_texts(&a, f, InputKind::Listeners), vec!["127.0.0.2:19021"]);
        let fix = f.fix.as_ref().unwrap();
        assert_eq!(fix.applicability(), Applicability::Safe);
        assert_eq!(fix.edits()[0].replacement, "127.0.0.2");
        assert!(!codes(&a).contains(&"BG201") && !codes(&a).contains(&"BG202"));
    }
    let a = analyze(s.all());
    assert!(first(&a, "BG203").confidence > analyze(s.static_only()).findings[0].confidence);
    let fixed = converges(s.all(), "BG203");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://127.0.0.2:19021;"));
    // After the fix nothing of this area is left.
    let again = analyze(Inputs { config: Some(&fixed), listeners: s.listeners.as_deref(), log: None });
    assert!(mine(&again).is_empty(), "{:?}", mine(&again));
}

#[test]
fn bg204_backend_on_ipv6_only() {
    let s = load("family-v6-backend");
    let a = analyze(s.all());
    let f = first(&a, "BG204");
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19031".into()));
    assert_eq!(f.fix.as_ref().unwrap().edits()[0].replacement, "[::1]");
    assert!(f.title.contains("IPv6 only"), "{}", f.title);
    let fixed = converges(s.all(), "BG204");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://[::1]:19031;"));
    assert_eq!(
        mine(&analyze(Inputs { config: Some(&fixed), listeners: s.listeners.as_deref(), log: None })),
        [""; 0]
    );
}

#[test]
fn bg204_backend_on_ipv4_only() {
    let s = load("family-v4-backend");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG204");
        let (input, text) = primary_text(&a, f);
        assert_eq!(input, InputKind::Config);
        assert!(text.contains("::1") && text.ends_with("19041"), "{text}");
    }
    let fixed = converges(s.all(), "BG204");
    assert!(
        String::from_utf8_lossy(&fixed).contains("proxy_pass http://127.0.0.1:19041;"),
        "{}",
        String::from_utf8_lossy(&fixed)
    );
}

#[test]
fn bg205_unix_socket_at_another_path() {
    let s = load("unix-socket-wrong-path");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG205");
        let (input, text) = primary_text(&a, f);
        assert_eq!(input, InputKind::Config);
        assert!(text.ends_with("/run/php8.2-fpm.sock"), "{text}");
        let fix = f.fix.as_ref().unwrap();
        assert!(fix.edits()[0].replacement.ends_with("/run/php-fpm.sock"), "{:?}", fix.edits());
        assert!(f.title.contains("php-fpm.sock"), "{}", f.title);
        assert!(!codes(&a).contains(&"BG201") && !codes(&a).contains(&"BG206"));
    }
    // Log only: the ENOENT line alone names the missing socket.
    let a = analyze(s.log_only());
    let f = first(&a, "BG205");
    assert_eq!(primary_text(&a, f).0, InputKind::Log);
    assert!(f.next_steps.iter().any(|c| c.command.contains("ss -xlp")));
    converges(s.all(), "BG205");
}

#[test]
fn bg206_unix_socket_permission() {
    let s = load("unix-socket-permission");
    let a = analyze(s.all());
    let f = first(&a, "BG206");
    assert!(f.confidence >= 95, "{}", f.confidence);
    assert!(f.title.contains("nobody"), "{}", f.title);
    let ls = label_texts(&a, f, InputKind::Listeners);
    assert!(ls.iter().any(|l| l.starts_with("srw-rw---- 1 root root")), "{ls:?}");
    let fix = f.fix.as_ref().unwrap();
    assert_eq!(fix.applicability(), Applicability::DisplayOnly);
    assert!(fix.commands().iter().any(|c| c.purpose.contains("listen.owner = nobody")));
    assert!(fix.commands().iter().any(|c| c.command.contains("--umask 007")));
    assert!(fix.commands().iter().any(|c| c.purpose.contains("SocketMode=0660")));
    // The static check alone (mode 0660 root:root, workers as nobody) already says it.
    let a = analyze(s.static_only());
    assert_eq!(first(&a, "BG206").severity, Severity::Error);
    // Log only.
    let a = analyze(s.log_only());
    let f = first(&a, "BG206");
    assert_eq!(primary_text(&a, f).0, InputKind::Log);
    assert!(!codes(&a).contains(&"BG205"));
}

#[test]
fn bg201_stale_unix_socket() {
    let s = load("unix-socket-stale");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG201");
        assert!(primary_text(&a, f).1.ends_with("/run/app.sock"));
        assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.starts_with("srw-rw-rw-")));
        assert!(!codes(&a).contains(&"BG205") && !codes(&a).contains(&"BG206"));
    }
}

#[test]
fn bg210_no_live_upstreams_points_at_the_cause() {
    let s = load("no-live-upstreams");
    for inputs in [s.all(), s.log_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG210");
        assert_eq!(f.caused_by, Some(Code::BG201));
        assert_eq!(f.status, Some(502));
        let pos = |c: &str| a.findings.iter().position(|f| f.code.as_str() == c).unwrap();
        assert!(pos("BG201") < pos("BG210"), "the cause ranks first: {:?}", codes(&a));
    }
    let a = analyze(s.all());
    assert_eq!(primary_text(&a, first(&a, "BG210")), (InputKind::Config, "app_pool".into()));
    let a = analyze(s.log_only());
    assert_eq!(primary_text(&a, first(&a, "BG210")), (InputKind::Log, "http://app_pool/".into()));
}

#[test]
fn bg211_unix_backlog_full() {
    let s = load("unix-backlog-full");
    let a = analyze(s.all());
    let f = first(&a, "BG211");
    assert_eq!(f.status, Some(502));
    assert!(f.confidence >= 95);
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.starts_with("u_str LISTEN 1      0")));
    let a = analyze(s.log_only());
    assert_eq!(primary_text(&a, first(&a, "BG211")).0, InputKind::Log);
    assert!(!codes(&a).contains(&"BG205") && !codes(&a).contains(&"BG201"));
}

#[test]
fn bg211_php_fpm_max_children() {
    let s = load("php-fpm-max-children");
    for inputs in [s.all(), s.log_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG211");
        assert!(
            label_texts(&a, f, InputKind::Log).iter().any(|l| l.contains("server reached pm.max_children")),
            "{:#?}",
            f.labels
        );
        assert!(f.fix.as_ref().unwrap().commands()[0].purpose.contains("pm.max_children"));
    }
}

#[test]
fn bg211_tcp_backlog_full_is_a_connect_timeout() {
    let s = load("connect-timeout");
    let a = analyze(s.all());
    let f = first(&a, "BG211");
    assert_eq!(f.status, Some(504));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19251".into()));
}

#[test]
fn bg212_worker_connections() {
    let s = load("worker-connections-too-small");
    let a = analyze(s.all());
    let f = first(&a, "BG212");
    assert_eq!(f.status, Some(500));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "worker_connections 3;".into()));
    assert!(f.caused_by.is_none());
    let fixed = converges(s.all(), "BG212");
    assert!(String::from_utf8_lossy(&fixed).contains("worker_connections 4096;"));
    let a = analyze(s.log_only());
    assert_eq!(primary_text(&a, first(&a, "BG212")).0, InputKind::Log);
    assert!(!codes(&a).contains(&"BG213"));
}

#[test]
fn bg213_proxy_loop() {
    let s = load("proxy-loop");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG213");
        assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19120".into()));
        assert!(label_texts(&a, f, InputKind::Config).contains(&"listen 127.0.0.1:19120;".to_string()));
        assert!(!codes(&a).contains(&"BG201") && !codes(&a).contains(&"BG202"));
    }
    // The worker_connections alert is a consequence of the loop, ranked below it, without a fix of its own.
    let a = analyze(s.all());
    let f = first(&a, "BG212");
    assert_eq!(f.caused_by, Some(Code::BG213));
    assert!(f.fix.is_none());
    let pos = |c: &str| a.findings.iter().position(|f| f.code.as_str() == c).unwrap();
    assert!(pos("BG213") < pos("BG212"));
    // Log only: the upstream is the very address the client reached nginx at.
    let a = analyze(s.log_only());
    let f = first(&a, "BG213");
    assert_eq!(primary_text(&a, f), (InputKind::Log, "http://127.0.0.1:19120/".into()));
    assert_eq!(first(&a, "BG212").caused_by, Some(Code::BG213));
}

#[test]
fn bg208_variable_without_resolver() {
    let s = load("variable-without-resolver");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG208");
        assert_eq!(primary_text(&a, f), (InputKind::Config, "http://$backend:19261".into()));
        assert!(f.title.contains("app.internal"), "{}", f.title);
    }
    // Nothing pasted names the host's DNS server: a placeholder, display-only (converges()
    // checks nginx -t would refuse it as written, then fills it in).
    let f = first(&analyze(s.all()), "BG208").clone();
    assert_eq!(f.fix.as_ref().unwrap().applicability(), Applicability::DisplayOnly);
    let fixed = converges(s.all(), "BG208");
    assert!(String::from_utf8_lossy(&fixed).contains("resolver 192.0.2.53 valid=10s;"));
    let a = analyze(s.log_only());
    let f = first(&a, "BG208");
    assert_eq!(primary_text(&a, f).0, InputKind::Log);
    assert!(f.title.contains("app.internal"));
}

/// Real capture plus this machine's real /etc/resolv.conf (captured): BG208's resolver is
/// that nameserver, cited, and the fix applies as is.
#[test]
fn bg208_resolver_from_the_pasted_resolv_conf() {
    let s = load("variable-without-resolver");
    let resolv = listener_fixture("captured/resolv_conf.txt");
    let want: Vec<&str> =
        resolv.lines().filter_map(|l| l.strip_prefix("nameserver ")).map(str::trim).collect();
    let mut listeners = s.listeners.clone().unwrap();
    listeners.extend_from_slice(resolv.as_bytes());
    let t = (s.config.clone().unwrap(), listeners, s.log.clone().unwrap());
    let a = analyze(inputs(&t));
    let f = first(&a, "BG208");
    let fix = f.fix.as_ref().unwrap();
    assert_eq!(fix.applicability(), Applicability::Unsafe);
    assert!(
        fix.edits()[0].replacement.starts_with(&format!("resolver {} valid=10s;\n", want.join(" "))),
        "{:?}",
        fix.edits()
    );
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l == &format!("nameserver {}", want[0])));
    converges(inputs(&t), "BG208");
}

/// Real capture: localhost means [::1] then 127.0.0.1 (getent), gunicorn on 127.0.0.1 only.
/// nginx tried [::1], disabled it and passed the request on: the client got 200 three times.
#[test]
fn bg204_localhost_ipv6_first_is_a_warning_without_a_status() {
    let s = load("localhost-ipv6-first");
    let statuses: Vec<u64> = s.meta["client"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["statuses"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .collect();
    assert_eq!(statuses, [200, 200, 200], "the capture this test is about");
    let a = analyze(s.all());
    let f = first(&a, "BG204");
    assert_eq!((f.severity, f.status), (Severity::Warning, None));
    assert!(f.message.contains("still get their response"), "{}", f.message);
    assert!(!f.notes.iter().any(|n| n.contains("This assumes")), "getent proves it: {:?}", f.notes);
    let log = label_texts(&a, f, InputKind::Log);
    assert!(log.iter().any(|l| l.contains("temporarily disabled")), "{log:?}");
    let listeners = label_texts(&a, f, InputKind::Listeners);
    assert!(
        listeners.iter().any(|l| l.starts_with("::1") && l.contains("STREAM localhost")),
        "{listeners:?}"
    );
    let fixed = converges(s.all(), "BG204");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://127.0.0.1:19401;"));
    // The same config and listeners without the log: still the warning, from getent alone.
    let a = analyze(s.static_only());
    assert_eq!(first(&a, "BG204").status, None);
}

/// Real capture: localhost means 127.0.0.1 only (getent), gunicorn on [::1] only: nginx
/// never tries [::1], every request is refused (502, 502).
#[test]
fn bg204_localhost_ipv4_only_fails_every_request() {
    let s = load("localhost-ipv4-only");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG204");
        assert_eq!((f.severity, f.status), (Severity::Error, Some(502)));
        assert!(f.title.contains("IPv6 only"), "{}", f.title);
        assert!(f.message.contains("localhost means 127.0.0.1 only"), "{}", f.message);
        assert!(
            label_texts(&a, f, InputKind::Listeners)
                .iter()
                .any(|l| l.starts_with("127.0.0.1") && l.contains("STREAM")),
            "{:?}",
            label_texts(&a, f, InputKind::Listeners)
        );
    }
    let fixed = converges(s.all(), "BG204");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://[::1]:19411;"));
}

/// Real capture: backend.test moved from 127.0.0.2 to 127.0.0.3 while nginx ran; getent
/// shows the new address and gunicorn listens there.
#[test]
fn bg209_stale_address_proven_by_getent() {
    let s = load("stale-address");
    let a = analyze(s.all());
    let f = first(&a, "BG209");
    assert_eq!(primary_text(&a, f), (InputKind::Config, "backend.test:19381".into()));
    assert!(f.title.contains("127.0.0.2:19381"), "{}", f.title);
    assert!(f.confidence >= 90, "{}", f.confidence);
    let listeners = label_texts(&a, f, InputKind::Listeners);
    assert!(
        listeners.iter().any(|l| l.starts_with("127.0.0.3") && l.contains("backend.test")),
        "{listeners:?}"
    );
    assert!(listeners.iter().any(|l| l == "127.0.0.3:19381"), "{listeners:?}");
    assert!(f.notes.iter().any(|n| n.contains("does not read /etc/hosts")), "{:?}", f.notes);
    let fixed = converges(s.all(), "BG209");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://$backend_host:19381;"));
    // Without getent the log still shows it, with less certainty.
    let no_getent: Vec<u8> = String::from_utf8_lossy(s.listeners.as_deref().unwrap())
        .split("$ getent")
        .next()
        .unwrap()
        .as_bytes()
        .to_vec();
    let a = analyze(Inputs { listeners: Some(&no_getent), ..s.all() });
    assert!(first(&a, "BG209").confidence < 90);
    // A failure to the address the name still has is not a stale address.
    let log =
        String::from_utf8_lossy(s.log.as_deref().unwrap()).replace("127.0.0.2:19381", "127.0.0.3:19381");
    let a = analyze(Inputs { log: Some(log.as_bytes()), ..s.all() });
    assert!(!codes(&a).contains(&"BG209"), "{:?}", codes(&a));
}

/// Real captures of BG207: 101 (multicast, no route at all), 113 (ARP unanswered on a veth
/// network in a private namespace), 13 over TCP (a `prohibit` route there). None is a
/// backend that is not running.
#[test]
fn bg207_real_unreachable_and_denied_connections() {
    for (name, title_has) in [
        ("network-unreachable", "network unreachable"),
        ("no-route-to-host", "no route"),
        ("route-prohibited", "not allowed"),
    ] {
        let s = load(name);
        for inputs in [s.all(), s.log_only()] {
            let a = analyze(inputs);
            let f = first(&a, "BG207");
            assert!(f.title.contains(title_has), "{name}: {}", f.title);
            assert_eq!(f.status, Some(502), "{name}");
            assert!(!codes(&a).contains(&"BG201"), "{name}: {:?}", codes(&a));
            assert_eq!(
                label_texts(&a, f, InputKind::Log).len(),
                1 + usize::from(inputs.config.is_none()),
                "{name}"
            );
        }
    }
    // A prohibit route is not SELinux: without SELinux evidence the finding says both.
    let s = load("route-prohibited");
    let a = analyze(s.all());
    let f = first(&a, "BG207");
    assert!(!f.title.starts_with("SELinux"), "{}", f.title);
    assert!(f.fix.as_ref().unwrap().commands().iter().any(|c| c.command == "ip route get 10.97.0.7"));
    // 101 is decided before anything is sent: no firewall question, no 504.
    let s = load("network-unreachable");
    let a = analyze(s.all());
    let f = first(&a, "BG207");
    assert!(f.message.contains("multicast"), "{}", f.message);
    assert!(!f.message.contains("504"), "{}", f.message);
    assert!(f.next_steps.is_empty(), "{:?}", f.next_steps);
}

// ---------------------------------------------------------------- hand-written corners

fn hand(config: &str, listeners: &str, log: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    (config.as_bytes().to_vec(), listeners.as_bytes().to_vec(), log.as_bytes().to_vec())
}

fn inputs<'a>(t: &'a (Vec<u8>, Vec<u8>, Vec<u8>)) -> Inputs<'a> {
    let opt = |v: &'a Vec<u8>| (!v.is_empty()).then_some(v.as_slice());
    Inputs { config: opt(&t.0), listeners: opt(&t.1), log: opt(&t.2) }
}

const SS_HEADER: &str = "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n";

fn server(body: &str) -> String {
    format!("events {{}}\nhttp {{\n    server {{\n        listen 80;\n{body}\n    }}\n}}\n")
}

/// Hand-written: localhost is tried as [::1] first; the backend listens on IPv4 only.
#[test]
fn bg204_localhost_resolves_to_ipv6_first() {
    let t = hand(
        &server("        location / { proxy_pass http://localhost:8000; }"),
        &format!(
            "{SS_HEADER}LISTEN 0      2048       127.0.0.1:8000      0.0.0.0:*    users:((\"gunicorn\",pid=21133,fd=5))\n"
        ),
        "2026/11/21 11:39:19 [error] 10405#10405: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://[::1]:8000/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG204");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(primary_text(&a, f), (InputKind::Config, "localhost:8000".into()));
    assert!(label_texts(&a, f, InputKind::Log).len() == 1);
    assert!(!codes(&a).contains(&"BG201"));
    let fixed = converges(inputs(&t), "BG204");
    assert!(String::from_utf8_lossy(&fixed).contains("http://127.0.0.1:8000;"));
    // Without the listener table, the log alone (refused on ::1 only) says the same.
    let t2 = (t.0.clone(), Vec::new(), t.2.clone());
    assert!(codes(&analyze(inputs(&t2))).contains(&"BG204"));
}

/// Hand-written: a dual-stack backend serves localhost on both families: nothing to say.
#[test]
fn bg204_not_for_a_dual_stack_backend() {
    let t = hand(
        &server("        location / { proxy_pass http://localhost:8000; }"),
        &format!(
            "{SS_HEADER}LISTEN 0      2048       *:8000      *:*    users:((\"node\",pid=21133,fd=5))\n"
        ),
        "",
    );
    assert!(mine(&analyze(inputs(&t))).is_empty(), "{:?}", analyze(inputs(&t)).findings);
}

/// Hand-written: SELinux EACCES over TCP, proven by getsebool.
#[test]
fn bg207_selinux_denies_tcp_connect() {
    let t = hand(
        &server("        location / { proxy_pass http://127.0.0.1:8080; }"),
        &format!(
            "{SS_HEADER}LISTEN 0      2048       127.0.0.1:8080      0.0.0.0:*    users:((\"gunicorn\",pid=21133,fd=5))\n\
             [root@web1 ~]# getsebool httpd_can_network_connect\nhttpd_can_network_connect --> off\n"
        ),
        "2026/11/21 11:15:02 [crit] 1231#1231: *1 connect() to 127.0.0.1:8080 failed (13: Permission denied) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8080/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG207");
    assert!(f.title.contains("SELinux"), "{}", f.title);
    assert!(f.confidence >= 95);
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.contains("--> off")));
    assert!(
        f.fix
            .as_ref()
            .unwrap()
            .commands()
            .iter()
            .any(|c| c.command.contains("setsebool -P httpd_can_network_connect 1"))
    );
    assert!(!codes(&a).contains(&"BG206"), "a TCP EACCES is not a socket file permission");
    // Log only.
    let t2 = (Vec::new(), Vec::new(), t.2.clone());
    let a = analyze(inputs(&t2));
    assert!(first(&a, "BG207").next_steps.iter().any(|c| c.command.contains("getsebool")));
}

/// Hand-written: no route to the backend's host.
#[test]
fn bg207_no_route_to_host() {
    let t = hand(
        &server("        location / { proxy_pass http://10.0.0.5:8080; }"),
        "",
        "2026/11/21 11:15:02 [error] 1231#1231: *1 connect() failed (113: No route to host) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.5:8080/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG207");
    assert!(f.title.contains("no route"), "{}", f.title);
    assert!(f.next_steps.iter().any(|c| c.command.contains("ufw")));
    assert!(!codes(&a).contains(&"BG201"));
}

/// Hand-written: an active ufw denies the backend's port.
#[test]
fn bg207_firewall_rule_on_the_port() {
    let t = hand(
        &server("        location / { proxy_pass http://10.0.0.5:8080; }"),
        "root@web1:~# ufw status verbose\nStatus: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n8080/tcp                   DENY IN     Anywhere\n",
        "2026/11/21 11:15:02 [error] 1231#1231: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.5:8080/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG207");
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.contains("DENY")), "{:#?}", f.labels);
    assert_eq!(f.severity, Severity::Error);
}

/// Hand-written: a container recreated with a new IP; nginx resolved `app` once at start.
#[test]
fn bg209_stale_container_address() {
    let t = hand(
        &server("        location / {\n            proxy_pass http://app:8000;\n        }"),
        "",
        "2026/11/21 11:15:02 [error] 1231#1231: *1 connect() failed (113: No route to host) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:8000/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG209");
    assert_eq!(primary_text(&a, f), (InputKind::Config, "app:8000".into()));
    assert!(f.title.contains("172.18.0.3:8000"), "{}", f.title);
    let fixed = converges(inputs(&t), "BG209");
    let text = String::from_utf8_lossy(&fixed);
    assert!(text.contains("resolver 127.0.0.11 valid=10s;"), "{text}");
    assert!(text.contains("set $backend_host app;"), "{text}");
    assert!(text.contains("proxy_pass http://$backend_host:8000;"), "{text}");
    // An IP literal is not resolved at start: no BG209.
    let t2 = hand(
        &server("        location / { proxy_pass http://172.18.0.3:8000; }"),
        "",
        &String::from_utf8_lossy(&t.2),
    );
    assert!(!codes(&analyze(inputs(&t2))).contains(&"BG209"));
}

/// Hand-written: EMFILE and EADDRNOTAVAIL.
#[test]
fn bg212_files_and_ephemeral_ports() {
    let log = "2026/11/21 11:15:02 [alert] 1231#1231: *9 socket() failed (24: Too many open files) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"example.com\"\n\
               2026/11/21 11:15:03 [crit] 1231#1231: *10 connect() to 127.0.0.1:8000 failed (99: Cannot assign requested address) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"example.com\"\n";
    let t = (Vec::new(), Vec::new(), log.as_bytes().to_vec());
    let a = analyze(inputs(&t));
    let found: Vec<&Finding> = a.findings.iter().filter(|f| f.code == Code::BG212).collect();
    assert_eq!(found.len(), 2, "{:#?}", a.findings);
    assert!(found.iter().any(|f| f.status == Some(500) && f.title.contains("file descriptors")));
    assert!(found.iter().any(|f| f.status == Some(502) && f.title.contains("local port")));
    assert!(
        found.iter().any(|f| f
            .fix
            .as_ref()
            .unwrap()
            .commands()
            .iter()
            .any(|c| c.purpose.contains("keepalive")))
    );
}

/// Hand-written: BG208 stays silent when a resolver applies or the variable holds an IP/upstream.
#[test]
fn bg208_not_when_resolvable() {
    for body in [
        "        resolver 127.0.0.53;\n        set $b app.internal;\n        location / { proxy_pass http://$b:8000; }",
        "        set $b 127.0.0.1;\n        location / { proxy_pass http://$b:8000; }",
        "        location / { proxy_pass http://$host:8000; }",
    ] {
        let t = hand(&server(body), "", "");
        assert!(!codes(&analyze(inputs(&t))).contains(&"BG208"), "{body}");
    }
    // http-level resolver.
    let cfg = "events {}\nhttp {\n    resolver 127.0.0.11;\n    server {\n        set $b app;\n        location / { proxy_pass http://$b; }\n    }\n}\n";
    let t = hand(cfg, "", "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG208"));
}

/// Hand-written: proxying to another server block of the same nginx is not a loop; a
/// chain that comes back is.
#[test]
fn bg213_only_for_real_loops() {
    let cfg = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:80;\n        location / { proxy_pass http://127.0.0.1:8080; }\n    }\n    server {\n        listen 127.0.0.1:8080;\n        location / { root /srv/www; }\n    }\n}\n";
    let t = hand(cfg, "", "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG213"));
    let cfg = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:80;\n        location / { proxy_pass http://127.0.0.1:8080; }\n    }\n    server {\n        listen 127.0.0.1:8080;\n        location / { proxy_pass http://127.0.0.1:80; }\n    }\n}\n";
    let t = hand(cfg, "", "");
    let a = analyze(inputs(&t));
    assert_eq!(a.findings.iter().filter(|f| f.code == Code::BG213).count(), 2, "{:#?}", a.findings);
}

/// Hand-written: the socket is group-writable for nginx's own group: no BG206.
#[test]
fn bg206_not_when_the_group_matches() {
    let t = hand(
        "user www-data;\nevents {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://unix:/run/app/app.sock; }\n    }\n}\n",
        "$ sudo ss -xlp\nNetid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nu_str LISTEN 0      16     /run/app/app.sock 92567            * 0    users:((\"gunicorn\",pid=10487,fd=3))\n$ ls -l /run/app\ntotal 0\nsrw-rw---- 1 app www-data 0 Nov 21 11:39 app.sock\n",
        "",
    );
    let a = analyze(inputs(&t));
    assert!(mine(&a).is_empty(), "{:#?}", a.findings);
    // The same socket owned by group `app`: www-data may not write it.
    let t2 = (
        String::from_utf8_lossy(&t.0).into_owned().into_bytes(),
        String::from_utf8_lossy(&t.1).replace("app www-data", "app app").into_bytes(),
        Vec::new(),
    );
    let a = analyze(inputs(&t2));
    let f = first(&a, "BG206");
    assert!(label_texts(&a, f, InputKind::Config).contains(&"user www-data;".to_string()), "{:#?}", f.labels);
}

/// Hand-written: `systemctl status` of a failed service is cited by BG201.
#[test]
fn bg201_cites_a_failed_service() {
    let status = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/listeners/handwritten/systemctl_status_failed.txt"),
    )
    .unwrap();
    let t = hand(
        &server("        location / { proxy_pass http://127.0.0.1:9000; }"),
        &format!(
            "{SS_HEADER}LISTEN 0      511        0.0.0.0:80      0.0.0.0:*    users:((\"nginx\",pid=1,fd=5))\n{status}"
        ),
        "",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG201");
    assert!(f.notes.iter().any(|n| n.contains("php8.2-fpm.service failed")), "{:#?}", f.notes);
    let cited = label_texts(&a, f, InputKind::Listeners);
    assert!(cited.iter().any(|l| l.contains("Address already in use")), "{cited:#?}");
}

// ---------------------------------------------------------------- other listener tools (real captures)

/// The lab also captured `netstat -tlnp`, `lsof -iTCP -sTCP:LISTEN` and `ss -tlnpx` for each
/// scenario: the TCP diagnoses must not depend on which tool the user ran.
#[test]
fn tcp_rules_read_every_listener_tool() {
    for (name, code) in [
        ("wrong-address", "BG203"),
        ("family-v4-backend", "BG204"),
        ("family-v6-backend", "BG204"),
        ("wrong-port", "BG202"),
        ("backend-not-running", "BG201"),
        ("proxy-loop", "BG213"),
    ] {
        let s = load(name);
        for table in ["netstat-tlnp.txt", "lsof-tcp-listen.txt", "ss-tlnpx.txt", "ss-tlnp.txt"] {
            let listeners = std::fs::read(scenarios_dir().join(name).join(table)).unwrap();
            let inputs = Inputs { config: s.config.as_deref(), listeners: Some(&listeners), log: None };
            let a = analyze(inputs);
            assert_eq!(mine(&a), vec![code], "{name} with {table}");
        }
    }
}

/// The mixed `ss -tlnpx` table carries the unix rows too.
#[test]
fn unix_rules_read_the_mixed_ss_table() {
    for (name, code) in [("unix-socket-wrong-path", "BG205"), ("unix-backlog-full", "BG211")] {
        let s = load(name);
        let listeners = std::fs::read(scenarios_dir().join(name).join("ss-tlnpx.txt")).unwrap();
        let a = analyze(Inputs { config: s.config.as_deref(), listeners: Some(&listeners), log: None });
        assert_eq!(mine(&a), vec![code], "{name}");
    }
    // A TCP-only table says nothing about unix sockets: no guess either way.
    let s = load("unix-socket-wrong-path");
    let listeners = std::fs::read(scenarios_dir().join("unix-socket-wrong-path/netstat-tlnp.txt")).unwrap();
    let a = analyze(Inputs { config: s.config.as_deref(), listeners: Some(&listeners), log: None });
    assert!(mine(&a).is_empty(), "{:?}", mine(&a));
}

fn listener_fixture(path: &str) -> String {
    std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/listeners").join(path),
    )
    .unwrap()
}

/// Hand-written AVC lines (tests/fixtures/listeners/handwritten/avc_denied.txt): the TCP
/// denial proves BG207 without any error log; the unix one backs BG206.
#[test]
fn selinux_avc_denials() {
    let avc = listener_fixture("handwritten/avc_denied.txt");
    let t = hand(&server("        location / { proxy_pass http://127.0.0.1:8000; }"), &avc, "");
    let a = analyze(inputs(&t));
    let f = first(&a, "BG207");
    assert_eq!(f.severity, Severity::Error);
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.contains("name_connect")));
    let t = hand(&server("        location / { proxy_pass http://unix:/run/gunicorn/app.sock; }"), &avc, "");
    let a = analyze(inputs(&t));
    let f = first(&a, "BG206");
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.contains("connectto")));
    assert!(f.message.contains("SELinux"));
}

/// The worker user as `ps` shows it (real capture) wins over nginx's default.
#[test]
fn bg206_worker_user_from_ps() {
    let ps = listener_fixture("captured/ps_aux.txt");
    let s = load("unix-socket-permission");
    let listeners = format!("{}\n{ps}", String::from_utf8_lossy(s.listeners.as_deref().unwrap()));
    let a = analyze(Inputs {
        config: s.config.as_deref(),
        listeners: Some(listeners.as_bytes()),
        log: s.log.as_deref(),
    });
    let f = first(&a, "BG206");
    assert!(
        label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.starts_with("nobody ")),
        "{:#?}",
        f.labels
    );
    assert!(f.message.contains("(ps)"), "{}", f.message);
}

/// curl to the address the backend binds works, curl to nginx's address is refused:
/// both are cited (real curl captures, retargeted to the scenario's addresses).
#[test]
fn probes_back_the_address_rules() {
    let s = load("family-v4-backend");
    let refused = listener_fixture("captured/curl_v_ipv6_refused.txt").replace("17010", "19041");
    let live = listener_fixture("captured/curl_v_live.txt").replace("17010", "19041");
    let listeners = format!(
        "{}\n$ curl -v http://[::1]:19041/\n{refused}\n$ curl -v http://127.0.0.1:19041/\n{live}",
        String::from_utf8_lossy(s.listeners.as_deref().unwrap())
    );
    let a = analyze(Inputs {
        config: s.config.as_deref(),
        listeners: Some(listeners.as_bytes()),
        log: s.log.as_deref(),
    });
    let f = first(&a, "BG204");
    let msgs: Vec<&str> = f.labels.iter().map(|l| l.message.as_str()).collect();
    assert!(msgs.iter().any(|m| m.contains("directly works")), "{msgs:#?}");
    assert!(msgs.iter().any(|m| m.contains("fails the same way")), "{msgs:#?}");
}

/// Hand-written (uWSGI is not installed in the lab; the line is from backend_messages.tsv):
/// a full uWSGI TCP queue shows as connect timeouts.
#[test]
fn bg211_uwsgi_listen_queue_full() {
    let log = "2026/11/21 11:11:26 [error] 1231#1231: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"uwsgi://127.0.0.1:18301\", host: \"example.com\"\n\
               Sat Nov 21 11:11:25 2026 - *** uWSGI listen queue of socket \"127.0.0.1:18301\" (fd: 3) full !!! (3/2) ***\n";
    let t = (Vec::new(), Vec::new(), log.as_bytes().to_vec());
    let a = analyze(inputs(&t));
    let f = first(&a, "BG211");
    assert_eq!(f.status, Some(504));
    assert_eq!(f.severity, Severity::Error);
    let t =
        hand(&server("        location / { include uwsgi_params; uwsgi_pass 127.0.0.1:18301; }"), "", log);
    let a = analyze(inputs(&t));
    assert_eq!(first(&a, "BG211").status, Some(504));
}

/// Hand-written: ufw's rules do not apply to loopback traffic (its `before` chains accept
/// `lo` first), nor to the host's own other addresses (routed through `lo` too). iptables
/// and nft rules do: see `bg207_firewall_rejects_real_captures`.
#[test]
fn bg207_not_for_loopback_firewall_rules() {
    let ufw = "root@web1:~# ufw status verbose\nStatus: active\nLogging: on (low)\nDefault: deny (incoming), allow (outgoing), disabled (routed)\nNew profiles: skip\n\nTo                         Action      From\n--                         ------      ----\n8080/tcp                   DENY IN     Anywhere\n";
    let t = hand(&server("        location / { proxy_pass http://127.0.0.1:8080; }"), ufw, "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG207"));
    let own = format!(
        "{ufw}root@web1:~# ip -br addr\nlo               UNKNOWN        127.0.0.1/8 ::1/128\neth0             UP             10.0.0.5/24\n"
    );
    let t = hand(&server("        location / { proxy_pass http://10.0.0.5:8080; }"), &own, "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG207"), "10.0.0.5 is this host");
}

/// Real captures (private network namespaces): a REJECT answers in the place of a backend
/// that listens, or of another host. BG207 ranks first, names the rule line and what nginx
/// logs for it, cites the log line, and gives the delete command; with config and listeners
/// alone the rule still shows, as an error when nothing about it is in doubt.
#[test]
fn bg207_firewall_rejects_real_captures() {
    for (name, rule, logs, alone) in [
        (
            "firewall-reject-reset",
            "-A OUTPUT -p tcp -m tcp --dport 19451 -j REJECT --reject-with tcp-reset",
            "111: Connection refused",
            Severity::Error,
        ),
        (
            "firewall-reject-prohibited",
            "REJECT     6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:19461 reject-with icmp-host-prohibited",
            "113: No route to host",
            // `iptables -L` without -v hides interfaces: the rule may be bound to one.
            Severity::Warning,
        ),
        (
            "nft-reject-admin-prohibited",
            "tcp dport 19491 reject with icmpx admin-prohibited",
            "113: No route to host",
            Severity::Error,
        ),
        (
            "nft-reject-ipv6-admin-prohibited",
            "tcp dport 19541 reject with icmpx admin-prohibited",
            // ICMPv6's "administratively prohibited" is EACCES: the line SELinux causes.
            "13: Permission denied",
            Severity::Error,
        ),
        (
            "firewall-remote-reject",
            "-A OUTPUT -d 10.96.0.7/32 -p tcp -m tcp --dport 19511 -j REJECT --reject-with icmp-port-unreachable",
            "111: Connection refused",
            Severity::Error,
        ),
    ] {
        let s = load(name);
        let a = analyze(s.all());
        let f = &a.findings[0];
        assert_eq!(f.code, Code::BG207, "{name}: the firewall ranks first: {:?}", codes(&a));
        assert_eq!((f.severity, f.status, f.confidence), (Severity::Error, Some(502), 95), "{name}");
        assert!(f.title.starts_with("a firewall rule rejects"), "{name}: {}", f.title);
        let rules = label_texts(&a, f, InputKind::Listeners);
        assert!(rules.iter().any(|l| l == rule), "{name}: {rules:?}");
        assert!(
            f.labels
                .iter()
                .filter(|l| l.span.input == InputKind::Listeners)
                .all(|l| l.message.contains(logs)),
            "{name}: {:#?}",
            f.labels
        );
        assert!(label_texts(&a, f, InputKind::Log).iter().any(|l| l.contains(logs)), "{name}");
        assert!(!codes(&a).contains(&"BG201"), "{name}: {:?}", codes(&a));
        if rule.starts_with("-A ") {
            let delete = format!("sudo iptables -D {}", rule.trim_start_matches("-A "));
            assert!(f.fix.as_ref().unwrap().commands().iter().any(|c| c.command == delete), "{name}");
        }
        let a = analyze(s.static_only());
        let f = first(&a, "BG207");
        assert_eq!((f.severity, f.status), (alone, Some(502)), "{name} [config+listeners]");
    }
}

/// Real captures: a DROP (iptables INPUT, nft output hook) leaves nginx waiting for
/// `proxy_connect_timeout 1s`: 504. BG207 names the rule and the timeout, BG402 explains the
/// 504 and says BG207 caused it; the log alone is a connect timeout without a cause.
#[test]
fn bg207_firewall_drops_real_captures() {
    for (name, rule) in [
        ("firewall-drop", "-A INPUT -p tcp -m tcp --dport 19471 -j DROP"),
        ("nft-drop", "tcp dport 19481 drop"),
    ] {
        let s = load(name);
        let a = analyze(s.all());
        assert_eq!(codes(&a), ["BG207", "BG402"], "{name}");
        let f = first(&a, "BG207");
        assert_eq!((f.status, f.confidence), (Some(504), 95), "{name}");
        assert!(f.message.contains("proxy_connect_timeout (1s"), "{name}: {}", f.message);
        assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l == rule), "{name}");
        let t = first(&a, "BG402");
        assert_eq!((t.caused_by, t.status), (Some(Code::BG207), Some(504)), "{name}");
        assert!(label_texts(&a, t, InputKind::Listeners).iter().any(|l| l == rule), "{name}");
        let a = analyze(s.log_only());
        assert_eq!(codes(&a), ["BG402"], "{name} [log]");
        assert_eq!(first(&a, "BG402").caused_by, None);
        let a = analyze(s.static_only());
        assert_eq!(
            first(&a, "BG207").status,
            Some(504),
            "{name} [config+listeners]: a DROP predicts a timeout"
        );
    }
}

/// Real capture: the only rule on the port is bound to `lo`, and nginx connects to another
/// host that does not answer ARP (113). BG207 is about the route and cites no rule.
#[test]
fn bg207_loopback_rule_not_blamed_for_another_host() {
    let s = load("firewall-lo-rule-remote-target");
    let a = analyze(s.all());
    let f = first(&a, "BG207");
    assert!(f.title.contains("no route"), "{}", f.title);
    assert!(label_texts(&a, f, InputKind::Listeners).is_empty(), "{:#?}", f.labels);
    assert!(f.message.contains("No rule of the pasted firewall stops"), "{}", f.message);
    assert!(f.next_steps.iter().all(|c| !c.purpose.contains("paste the firewall")));
    assert!(!codes(&analyze(s.static_only())).contains(&"BG207"));
}

/// Hand-written log, real listing: a rule on the port, but the log shows nginx got through
/// (a read timeout comes after the connection was made): the rule is not in the way.
#[test]
fn bg207_not_when_the_log_shows_the_connection_made() {
    let read_timeout = "2026/11/21 11:15:02 [error] 1231#1231: *1 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8001/\", host: \"example.com\"\n";
    let config = server("        location / { proxy_pass http://127.0.0.1:8001; }");
    let t = hand(&config, &captured_listing("iptables_S.txt"), read_timeout);
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG207"));
    let t = hand(&config, &captured_listing("iptables_S.txt"), "");
    assert!(codes(&analyze(inputs(&t))).contains(&"BG207"));
}

fn captured_listing(file: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/listeners/captured");
    String::from_utf8(std::fs::read(dir.join(file)).unwrap()).unwrap()
}

/// Real listings of one host firewall (tests/fixtures/listeners/capture.py firewall): INPUT
/// accepts lo, then drops 8000 (after accepting it from 10.0.0.0/8) and 9000; OUTPUT rejects
/// 8001 on lo and 8002 to 10.0.0.5. Each chain is read in order, with interfaces, sources
/// and destinations; what the listing leaves open is a warning, not an error.
#[test]
fn bg207_reads_real_rulesets_in_order() {
    use Severity::{Error, Warning};
    let cases: &[(&str, &str, Option<Severity>)] = &[
        // Loopback: INPUT's `-i lo -j ACCEPT` decides before the drops.
        ("iptables_S.txt", "127.0.0.1:8000", None),
        ("iptables_S.txt", "127.0.0.1:9000", None),
        ("iptables_save.txt", "127.0.0.1:8000", None),
        ("iptables_L_n_v.txt", "127.0.0.1:8000", None),
        ("iptables_L_INPUT_n_v_line_numbers.txt", "127.0.0.1:8000", None),
        ("nft_ruleset.txt", "127.0.0.1:8000", None),
        ("nft_a_ruleset.txt", "127.0.0.1:9000", None),
        ("nft_ruleset_iptables_nft.txt", "127.0.0.1:8000", None),
        // Without -v the first ACCEPT reads as "accept all" on any interface: a doubt.
        ("iptables_L_n.txt", "127.0.0.1:8000", Some(Warning)),
        // OUTPUT rejects 8001 on lo: loopback connections only.
        ("iptables_S.txt", "127.0.0.1:8001", Some(Error)),
        ("iptables_L_n_v.txt", "127.0.0.1:8001", Some(Error)),
        ("nft_ruleset.txt", "127.0.0.1:8001", Some(Error)),
        ("nft_ruleset_iptables_nft.txt", "127.0.0.1:8001", Some(Error)),
        ("iptables_S.txt", "10.0.0.9:8001", None),
        ("nft_ruleset.txt", "10.0.0.9:8001", None),
        // OUTPUT rejects 8002 to 10.0.0.5 only.
        ("iptables_S.txt", "10.0.0.5:8002", Some(Error)),
        ("iptables_L_n_v.txt", "10.0.0.5:8002", Some(Error)),
        ("nft_ruleset.txt", "10.0.0.5:8002", Some(Error)),
        ("iptables_S.txt", "10.0.0.6:8002", None),
        ("nft_ruleset.txt", "10.0.0.6:8002", None),
        // Another host's 8000 and 9000: INPUT rules may be that host's, and whether nginx's
        // host is in 10.0.0.0/8 is not in the paste.
        ("iptables_S.txt", "10.0.0.9:9000", Some(Warning)),
        ("iptables_S.txt", "10.0.0.9:8000", Some(Warning)),
        ("nft_ruleset.txt", "10.0.0.9:8000", Some(Warning)),
        // IPv6 (ip6tables, and nft's ip6 table): lo accepted first, a reject on lo for ::1.
        ("ip6tables_S.txt", "[::1]:8000", None),
        ("ip6tables_S.txt", "[::1]:8001", Some(Error)),
        ("ip6tables_L_n_v.txt", "[::1]:8001", Some(Error)),
        ("nft_ruleset_iptables_nft.txt", "[::1]:8001", Some(Error)),
        ("nft_ruleset_iptables_nft.txt", "[::1]:8002", None),
        // An ip6 table's rule does not see IPv4 connections.
        ("nft_ruleset_iptables_nft.txt", "[::1]:8003", Some(Error)),
        ("nft_ruleset_iptables_nft.txt", "127.0.0.1:8003", None),
        // Ports no rule names.
        ("iptables_S.txt", "127.0.0.1:8080", None),
        ("iptables_S.txt", "10.0.0.9:8080", None),
        ("nft_ruleset.txt", "10.0.0.9:6008", None),
    ];
    for (file, target, want) in cases {
        let t = hand(
            &server(&format!("        location / {{ proxy_pass http://{target}; }}")),
            &captured_listing(file),
            "",
        );
        let a = analyze(inputs(&t));
        let got = a.findings.iter().find(|f| f.code == Code::BG207).map(|f| f.severity);
        assert_eq!(got, *want, "{file} {target}: {:#?}", a.findings);
    }
}

/// Hand-written: `proxy_set_header Host` routes the proxied request to another server block
/// on the same port: no loop. Without it, the default server (the same block) takes it.
#[test]
fn bg213_host_header_routes_elsewhere() {
    let cfg = |host_line: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen 80 default_server;\n        server_name a.example;\n        location / {{\n{host_line}            proxy_pass http://127.0.0.1:80;\n        }}\n    }}\n    server {{\n        listen 80;\n        server_name b.example;\n        root /srv/b;\n    }}\n}}\n"
        )
    };
    let routed = cfg("            proxy_set_header Host b.example;\n");
    let t = hand(&routed, "", "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG213"), "{routed}");
    let looping = cfg("");
    let t = hand(&looping, "", "");
    assert!(codes(&analyze(inputs(&t))).contains(&"BG213"), "{looping}");
}

/// Hand-written: a missing socket under /tmp, nothing else listening: PrivateTmp is named.
#[test]
fn bg205_private_tmp_hint() {
    let t = hand(
        &server("        location / { proxy_pass http://unix:/tmp/app.sock; }"),
        "$ sudo ss -xlp\nNetid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n",
        "2026/11/21 11:39:20 [crit] 10466#10466: *1 connect() to unix:/tmp/app.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://unix:/tmp/app.sock:/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG205");
    assert!(f.notes.iter().any(|n| n.contains("PrivateTmp")), "{:#?}", f.notes);
    assert_eq!(f.fix.as_ref().unwrap().applicability(), Applicability::DisplayOnly);
}

/// Generated: 2,000 server blocks, 2,000 listeners and 2,000 distinct log lines stay fast
/// (no rule walks targets x listeners x events).
#[test]
fn large_inputs_stay_fast() {
    let n = 2000;
    let mut config = String::from("events {}\nhttp {\n");
    let mut listeners = String::from(SS_HEADER);
    let mut log = String::new();
    for i in 0..n {
        config.push_str(&format!(
            "    server {{\n        listen 127.0.0.1:{};\n        server_name s{i}.example;\n        location / {{ proxy_pass http://app{i}:{}; }}\n        location /b {{ proxy_pass http://127.0.0.1:{}; }}\n    }}\n",
            10000 + i,
            30000 + i,
            30000 + i
        ));
        listeners.push_str(&format!(
            "LISTEN 0      2048       127.0.0.2:{}      0.0.0.0:*    users:((\"gunicorn\",pid={},fd=5))\n",
            30000 + i,
            1000 + i
        ));
        log.push_str(&format!(
            "2026/11/21 11:39:17 [error] 10357#10357: *{i} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.{}.{}:{}/\", host: \"s{i}.example\"\n",
            i / 250,
            i % 250,
            30000 + i
        ));
    }
    config.push_str("}\n");
    let a = analyze(Inputs {
        config: Some(config.as_bytes()),
        listeners: Some(listeners.as_bytes()),
        log: Some(log.as_bytes()),
    });
    // Every target is wrong; the report keeps the most likely per code, and every code.
    let bg203 = a.findings.iter().filter(|f| f.code == Code::BG203).count();
    assert_eq!(bg203, badgateway_core::limits::MAX_FINDINGS_PER_CODE, "{}", a.findings.len());
    assert!(
        a.findings.iter().any(|f| f.code == Code::BG209),
        "a second code survives the first one's volume"
    );
}

/// The real backend-not-running capture plus a refused curl (real capture, retargeted):
/// the probe is cited; a curl that connects lowers the confidence instead.
#[test]
fn bg201_direct_probe() {
    let s = load("backend-not-running");
    let a = analyze(s.all());
    let port = {
        let f = first(&a, "BG201");
        primary_text(&a, f).1.rsplit(':').next().unwrap().to_string()
    };
    let base = first(&a, "BG201").confidence;
    let dead = listener_fixture("captured/curl_v_dead.txt").replace("17999", &port);
    let listeners = format!(
        "{}\n$ curl -v http://127.0.0.1:{port}/\n{dead}",
        String::from_utf8_lossy(s.listeners.as_deref().unwrap())
    );
    let a = analyze(Inputs {
        config: s.config.as_deref(),
        listeners: Some(listeners.as_bytes()),
        log: s.log.as_deref(),
    });
    let f = first(&a, "BG201");
    assert!(f.labels.iter().any(|l| l.message.contains("directly fails too")), "{:#?}", f.labels);
    let live = listener_fixture("captured/curl_v_live.txt").replace("17010", &port);
    let listeners = format!(
        "{}\n$ curl -v http://127.0.0.1:{port}/\n{live}",
        String::from_utf8_lossy(s.listeners.as_deref().unwrap())
    );
    let a = analyze(Inputs {
        config: s.config.as_deref(),
        listeners: Some(listeners.as_bytes()),
        log: s.log.as_deref(),
    });
    assert!(first(&a, "BG201").confidence < base);
}

/// Hand-written: a self-proxy to another path may be an internal hop: a warning, not an error.
#[test]
fn bg213_rewritten_uri_is_only_a_warning() {
    let t = hand(
        "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location /api/ { proxy_pass http://127.0.0.1:8080/internal/; }\n        location /internal/ { root /srv; }\n    }\n}\n",
        "",
        "",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG213");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.notes.iter().any(|n| n.contains("/internal/")));
}

/// Hand-written: every server of the upstream is `down`: no live upstreams from the config alone.
#[test]
fn bg210_every_server_down() {
    let cfg = "events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8001 down;\n        server 127.0.0.1:8002 max_fails=3 down;\n        server 127.0.0.1:8003 backup;\n    }\n    server {\n        listen 80;\n        location / { proxy_pass http://app; }\n    }\n}\n";
    let log = "2026/11/21 11:39:21 [error] 10528#10528: *4 no live upstreams while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://app/\", host: \"127.0.0.1\"\n";
    let t = hand(cfg, "", log);
    let a = analyze(inputs(&t));
    let found: Vec<&Finding> = a.findings.iter().filter(|f| f.code == Code::BG210).collect();
    assert_eq!(found.len(), 1, "{:#?}", a.findings);
    assert_eq!(primary_text(&a, found[0]), (InputKind::Config, "app".into()));
    assert!(found[0].confidence >= 95);
    // The config alone says it; the fix converges (the old log line would still be there).
    let t = hand(cfg, "", "");
    let fixed = converges(inputs(&t), "BG210");
    let text = String::from_utf8_lossy(&fixed);
    assert!(
        text.contains("server 127.0.0.1:8001;") && text.contains("server 127.0.0.1:8002 max_fails=3;"),
        "{text}"
    );
    // One server up: nothing to say without a log.
    let t = hand(&cfg.replace("8001 down", "8001"), "", "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG210"));
}

/// Hand-written: the wrong address sits in an `upstream` block; the fix edits that server line.
#[test]
fn bg203_in_an_upstream_block() {
    let t = hand(
        "events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8000 max_fails=2;\n        keepalive 8;\n    }\n    server {\n        listen 80;\n        location / { proxy_pass http://app; }\n    }\n}\n",
        &format!(
            "{SS_HEADER}LISTEN 0      2048       10.0.0.5:8000      0.0.0.0:*    users:((\"node\",pid=21133,fd=5))\n"
        ),
        "",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG203");
    assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:8000".into()));
    let fixed = converges(inputs(&t), "BG203");
    assert!(String::from_utf8_lossy(&fixed).contains("server 10.0.0.5:8000 max_fails=2;"));
}

/// Hand-written: EACCES in the log while the socket's own mode allows the worker: the
/// finding points at the parent directories.
#[test]
fn bg206_parent_directory() {
    let t = hand(
        "user www-data;\nevents {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://unix:/home/app/run/app.sock; }\n    }\n}\n",
        "$ sudo ss -xlp\nNetid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nu_str LISTEN 0      16     /home/app/run/app.sock 92567            * 0    users:((\"gunicorn\",pid=10487,fd=3))\n$ ls -l /home/app/run\ntotal 0\nsrw-rw-rw- 1 app app 0 Nov 21 11:39 app.sock\n",
        "2026/11/21 11:39:20 [crit] 10494#10494: *1 connect() to unix:/home/app/run/app.sock failed (13: Permission denied) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://unix:/home/app/run/app.sock:/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG206");
    assert!(f.message.contains("namei -l /home/app/run/app.sock"), "{}", f.message);
    // Without the log line, an allowed socket is no finding.
    let t2 = (t.0.clone(), t.1.clone(), Vec::new());
    assert!(!codes(&analyze(inputs(&t2))).contains(&"BG206"));
}

/// Hand-written: many unix sockets; the fix names the closest one in the same directory,
/// a few others are offered, and the rest are counted rather than listed.
#[test]
fn bg205_ranks_and_caps_other_sockets() {
    let mut table = String::from("Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n");
    for (i, path) in [
        "/run/gunicorn/app1.sock",
        "/run/gunicorn/app2.sock",
        "/run/php/php8.1-fpm.sock",
        "/run/php/www.sock",
        "/run/php/other-pool.sock",
        "/run/gunicorn/app3.sock",
        "/run/gunicorn/app4.sock",
        "/run/php/php8.1-fpm.sock",
    ]
    .iter()
    .enumerate()
    {
        let proc = if path.contains("php") { "php-fpm8.1" } else { "gunicorn" };
        table.push_str(&format!(
            "u_str LISTEN 0      4096   {path} {} * 0    users:((\"{proc}\",pid={},fd=5))\n",
            9000 + i,
            100 + i
        ));
    }
    let t = hand(
        &server("        location ~ \\.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }"),
        &table,
        "",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG205");
    assert!(f.title.ends_with("/run/php/php8.1-fpm.sock"), "{}", f.title);
    let also: Vec<&String> = f.notes.iter().filter(|n| n.starts_with("Also a candidate")).collect();
    assert_eq!(also.len(), 3, "{:?}", f.notes);
    // Same directory and php-fpm first: the two other php sockets come before any gunicorn one.
    assert!(also[0].contains("/run/php/") && also[1].contains("/run/php/"), "{also:?}");
    // 7 distinct sockets besides the fix's: 3 listed, 3 counted (the duplicate row is one socket).
    assert!(f.notes.iter().any(|n| n == "3 more app servers listen on other unix sockets."), "{:?}", f.notes);
}

// ---------------------------------------------------------------- targets on other hosts

/// Real capture: nginx connects to 10.95.0.7:19461, a host of its own (another network
/// namespace) where nothing listens; nginx's host runs another gunicorn on 0.0.0.0:19462
/// and the paste has `ip -br addr`. The finding points at that host; the table proves nothing.
#[test]
fn bg201_remote_backend_down_points_at_that_host() {
    let s = load("remote-backend-down");
    let listeners = String::from_utf8_lossy(s.listeners.as_deref().unwrap()).into_owned();
    assert!(listeners.contains("0.0.0.0:19462") && listeners.contains("10.95.0.1/24"), "the capture");
    let a = analyze(s.all());
    assert_eq!(mine(&a), ["BG201"], "{:#?}", a.findings);
    let f = first(&a, "BG201");
    assert_eq!(
        f.title,
        "10.95.0.7 refuses connections on port 19461: nothing listens there, or a firewall rejects"
    );
    assert!(!f.title.contains("not running") && !f.message.contains("not running"), "{}", f.message);
    assert!(f.message.contains("10.95.0.7 is not an address of this host"), "{}", f.message);
    assert_eq!((f.severity, f.status), (Severity::Error, Some(502)));
    assert_eq!(primary_text(&a, f), (InputKind::Config, "10.95.0.7:19461".into()));
    let log = label_texts(&a, f, InputKind::Log);
    assert!(log.len() == 1 && log[0].contains("111: Connection refused"), "{log:?}");
    assert!(f.labels.iter().any(|l| l.message.contains("2 times")), "{:#?}", f.labels);
    // Nothing of nginx's own host is cited as the backend.
    assert!(label_texts(&a, f, InputKind::Listeners).is_empty(), "{:#?}", f.labels);
    let fix = f.fix.as_ref().unwrap();
    assert_eq!(fix.applicability(), Applicability::DisplayOnly);
    assert!(fix.edits().is_empty());
    let commands: Vec<&str> = fix.commands().iter().map(|c| c.command.as_str()).collect();
    assert!(commands.contains(&"ssh 10.95.0.7 \"sudo ss -tlnp | grep ':19461'\""), "{commands:?}");
    assert!(commands.contains(&"curl -v --connect-timeout 3 http://10.95.0.7:19461/"), "{commands:?}");
    assert!(commands.contains(&"nc -zv 10.95.0.7 19461"), "{commands:?}");
    // Not a container address: no docker advice.
    assert!(!commands.iter().any(|c| c.contains("docker")) && !f.notes.iter().any(|n| n.contains("Docker")));
    // ip -br addr proves the address is not this host's: nothing to ask.
    assert!(f.next_steps.is_empty(), "{:?}", f.next_steps);

    // Config and listeners alone: nothing (before, BG201 claimed the backend was not running).
    let a = analyze(s.static_only());
    assert!(mine(&a).is_empty(), "{:#?}", a.findings);

    // The log alone: the same host is named, and the check to make on nginx's host is asked for.
    let a = analyze(s.log_only());
    let f = first(&a, "BG201");
    assert!(f.title.starts_with("10.95.0.7 refuses connections on port 19461"), "{}", f.title);
    assert_eq!(primary_text(&a, f), (InputKind::Log, "http://10.95.0.7:19461/".into()));
    assert!(f.next_steps.iter().any(|c| c.command.contains("ip -br addr")), "{:?}", f.next_steps);

    // Without `ip -br addr` the address may be this host's: the finding says so, and what the
    // table would mean then.
    let no_addr = listeners.split("$ ip -br addr").next().unwrap().to_string();
    let a = analyze(Inputs { listeners: Some(no_addr.as_bytes()), ..s.all() });
    assert_eq!(mine(&a), ["BG201"]);
    let f = first(&a, "BG201");
    assert!(f.message.contains("10.95.0.7 is not known to be an address of this host"), "{}", f.message);
    assert!(f.notes.iter().any(|n| n.contains("It shows nothing on port 19461")), "{:?}", f.notes);
    assert!(f.next_steps.iter().any(|c| c.command == "ip -br addr"), "{:?}", f.next_steps);
    assert!(
        analyze(Inputs { listeners: Some(no_addr.as_bytes()), log: None, ..s.all() }).findings.is_empty()
    );
}

/// The same capture with its `ip -br addr` line edited to give this host 10.95.0.7: then the
/// table speaks for the address, and the gunicorn on 0.0.0.0:19462 is the backend on the wrong
/// port. Proves that the address listing, not the address itself, decides.
#[test]
fn an_address_the_host_lists_is_judged_by_its_table() {
    let s = load("remote-backend-down");
    let listeners = String::from_utf8_lossy(s.listeners.as_deref().unwrap())
        .replace("10.95.0.1/24", "10.95.0.1/24 10.95.0.7/24");
    let a = analyze(Inputs { listeners: Some(listeners.as_bytes()), ..s.all() });
    assert!(mine(&a).contains(&"BG202"), "{:?}", mine(&a));
    let f = first(&a, "BG202");
    assert_eq!(f.title, "nginx connects to port 19461, but the backend listens on port 19462");
    // A listener bound to the address says the same as the listing.
    let listeners = String::from_utf8_lossy(s.listeners.as_deref().unwrap()).replace(
        "$ sudo ss -xlp",
        "UNCONN 0      0            10.95.0.7:123        0.0.0.0:*    users:((\"chronyd\",pid=77,fd=5))\n$ sudo ss -xlp",
    );
    let no_addr = listeners.split("$ ip -br addr").next().unwrap().to_string();
    let a = analyze(Inputs { listeners: Some(no_addr.as_bytes()), ..s.all() });
    assert!(mine(&a).contains(&"BG202"), "{:?}", mine(&a));
}

/// The real capture with a local backend bound to 127.0.0.1:19461 added to the table (hand
/// edit): for a remote target that is no wrong-address case, only a hint of what it would mean.
#[test]
fn a_local_socket_on_the_remote_port_is_not_the_backend() {
    let s = load("remote-backend-down");
    let listeners = String::from_utf8_lossy(s.listeners.as_deref().unwrap()).replace(
        "$ sudo ss -xlp",
        "LISTEN 0      2048       127.0.0.1:19461      0.0.0.0:*    users:((\"gunicorn\",pid=501,fd=5))\n$ sudo ss -xlp",
    );
    for with_addr in [true, false] {
        let text = if with_addr {
            listeners.clone()
        } else {
            listeners.split("$ ip -br addr").next().unwrap().to_string()
        };
        let a = analyze(Inputs { listeners: Some(text.as_bytes()), ..s.all() });
        assert_eq!(mine(&a), ["BG201"], "with ip addr: {with_addr}");
        let f = first(&a, "BG201");
        let hinted = f.notes.iter().any(|n| n.contains("gunicorn (pid 501) listens on 127.0.0.1:19461"));
        assert_eq!(hinted, !with_addr, "{:?}", f.notes);
        assert!(mine(&analyze(Inputs { listeners: Some(text.as_bytes()), log: None, ..s.all() })).is_empty());
    }
}

/// Hand-written (no docker daemon here): nginx on the host proxies to a container's own
/// address while docker-proxy publishes the port on 0.0.0.0. The host's wildcard socket is
/// no proof for 172.17.0.2; the refusal is that container's, with docker advice.
#[test]
fn bg201_container_address_refused() {
    let t = hand(
        &server("        location / { proxy_pass http://172.17.0.2:8000; }"),
        &format!(
            "{SS_HEADER}LISTEN 0      4096         0.0.0.0:8000       0.0.0.0:*    users:((\"docker-proxy\",pid=2231,fd=4))\n"
        ),
        "2026/11/21 11:15:02 [error] 1231#1231: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.17.0.2:8000/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    assert_eq!(mine(&a), ["BG201"], "{:#?}", a.findings);
    let f = first(&a, "BG201");
    assert!(f.title.starts_with("172.17.0.2 refuses connections on port 8000"), "{}", f.title);
    assert!(
        f.notes.iter().any(|n| n.contains("a Docker container's address") && n.contains("0.0.0.0:8000")),
        "{:?}",
        f.notes
    );
    assert!(f.fix.as_ref().unwrap().commands()[0].command.starts_with("docker ps -a --format"));
    // Without the log: nothing (the table says nothing about the container).
    let t2 = (t.0.clone(), t.1.clone(), Vec::new());
    assert!(mine(&analyze(inputs(&t2))).is_empty());
    // Other rules do not take the host's docker-proxy socket for the container's backend.
    let t3 = (t.0.clone(), t.1.clone(), "2026/11/21 11:15:02 [error] 1231#1231: *1 upstream prematurely closed connection while reading response header from upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.17.0.2:8000/\", host: \"example.com\"\n".as_bytes().to_vec());
    let a = analyze(inputs(&t3));
    for f in &a.findings {
        assert!(
            label_texts(&a, f, InputKind::Listeners).is_empty(),
            "{} cites the host's socket: {:#?}",
            f.code,
            f.labels
        );
    }
}

/// Hand-written: `listen 80` and a target on port 80 of another address is a loop only when
/// that address is nginx's own host's.
#[test]
fn bg213_wildcard_listen_and_a_remote_target() {
    let cfg = |listen: &str| {
        format!(
            "events {{}}\nhttp {{\n    server {{\n        listen {listen};\n        location / {{ proxy_pass http://10.0.0.7:80; }}\n    }}\n}}\n"
        )
    };
    let t = hand(&cfg("80"), "", "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG213"), "another machine's web server");
    let t = hand(
        &cfg("80"),
        "$ ip -br addr\nlo               UNKNOWN        127.0.0.1/8 ::1/128\neth0             UP             10.0.0.7/24\n",
        "",
    );
    assert!(codes(&analyze(inputs(&t))).contains(&"BG213"), "10.0.0.7 is this host");
    let t = hand(&cfg("10.0.0.7:80"), "", "");
    assert!(codes(&analyze(inputs(&t))).contains(&"BG213"), "nginx itself binds 10.0.0.7:80");
    let t = hand(&cfg("127.0.0.1:80"), "", "");
    assert!(!codes(&analyze(inputs(&t))).contains(&"BG213"));
}

/// Hand-written: a connect timeout to another host; a local wildcard socket on the same port
/// is not that backend's queue.
#[test]
fn bg402_remote_timeout_does_not_cite_a_local_socket() {
    let t = hand(
        &server("        location / { proxy_pass http://10.0.0.7:8000; }"),
        &format!(
            "{SS_HEADER}LISTEN 0      2048       0.0.0.0:8000      0.0.0.0:*    users:((\"gunicorn\",pid=21133,fd=5))\n"
        ),
        "2026/11/21 11:15:02 [error] 1231#1231: *1 upstream timed out (110: Connection timed out) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.7:8000/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = a.findings.iter().find(|f| f.code == Code::BG402).expect("BG402");
    assert!(!f.message.contains("The backend listens"), "{}", f.message);
    assert!(label_texts(&a, f, InputKind::Listeners).is_empty(), "{:#?}", f.labels);
    assert!(!mine(&a).contains(&"BG201"));
}

/// Hand-written: a name that moved to another host (getent): the host's own wildcard socket
/// on the port is not "the backend here now".
#[test]
fn bg209_new_remote_address_is_not_a_local_socket() {
    let t = hand(
        &server("        location / {\n            proxy_pass http://app.internal:8000;\n        }"),
        &format!(
            "{SS_HEADER}LISTEN 0      2048       0.0.0.0:8000      0.0.0.0:*    users:((\"gunicorn\",pid=21133,fd=5))\n$ getent hosts app.internal\n10.0.0.8        app.internal\n"
        ),
        "2026/11/21 11:15:02 [error] 1231#1231: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.0.7:8000/\", host: \"example.com\"\n",
    );
    let a = analyze(inputs(&t));
    let f = first(&a, "BG209");
    assert!(!f.labels.iter().any(|l| l.message.contains("the backend is here now")), "{:#?}", f.labels);
    assert!(label_texts(&a, f, InputKind::Listeners).iter().any(|l| l.contains("10.0.0.8")));
}

// ---------------------------------------------------------------- BG209: which resolver

/// The fix's edit of the first BG209 finding.
fn bg209_edit(a: &Analysis<'_>) -> (String, Applicability) {
    let fix = first(a, "BG209").fix.as_ref().unwrap();
    (fix.edits()[0].replacement.clone(), fix.applicability())
}

/// The real stale-address capture plus other pastes appended to its listeners.
fn stale_with(extra: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let s = load("stale-address");
    let listeners = format!("{}{extra}", String::from_utf8_lossy(s.listeners.as_deref().unwrap()));
    (s.config.clone().unwrap(), listeners.into_bytes(), s.log.clone().unwrap())
}

/// Real capture, nothing saying which DNS server nginx's host uses: a marked placeholder,
/// display-only, with the command that finds the address. The fix still converges.
#[test]
fn bg209_resolver_placeholder_without_evidence() {
    let s = load("stale-address");
    let a = analyze(s.all());
    let (edit, applicability) = bg209_edit(&a);
    assert_eq!(applicability, Applicability::DisplayOnly);
    assert!(edit.starts_with("resolver DNS_SERVER_IP valid=10s;  # placeholder"), "{edit}");
    assert!(!edit.contains("127.0.0.11"), "{edit}");
    let f = first(&a, "BG209");
    assert!(f.notes.iter().any(|n| n.contains("replace DNS_SERVER_IP")), "{:?}", f.notes);
    let commands = &f.fix.as_ref().unwrap().commands();
    assert!(
        commands
            .iter()
            .any(|c| c.command == "grep ^nameserver /etc/resolv.conf" && c.purpose.contains("DNS_SERVER_IP"))
    );
    converges(s.all(), "BG209");
}

/// Real capture plus the build machine's real /etc/resolv.conf (captured): its nameserver.
#[test]
fn bg209_resolver_from_the_pasted_resolv_conf() {
    let resolv = listener_fixture("captured/resolv_conf.txt");
    let want: Vec<&str> =
        resolv.lines().filter_map(|l| l.strip_prefix("nameserver ")).map(str::trim).collect();
    assert!(!want.is_empty(), "the capture has a nameserver");
    let t = stale_with(&resolv);
    let a = analyze(inputs(&t));
    let (edit, applicability) = bg209_edit(&a);
    assert_eq!(applicability, Applicability::Unsafe);
    assert!(edit.starts_with(&format!("resolver {} valid=10s;\n", want.join(" "))), "{edit}");
    let f = first(&a, "BG209");
    let cited = label_texts(&a, f, InputKind::Listeners);
    assert!(cited.iter().any(|l| l == &format!("nameserver {}", want[0])), "{cited:?}");
    assert!(!f.fix.as_ref().unwrap().commands().iter().any(|c| c.command.contains("resolv.conf")));
    converges(inputs(&t), "BG209");
}

/// Hand-written resolv.conf files (see handwritten/README.md): Docker's embedded DNS and
/// systemd-resolved's stub, each with what it means for nginx.
#[test]
fn bg209_resolver_from_docker_or_systemd_resolved_files() {
    let t = stale_with(&listener_fixture("handwritten/resolv_conf_docker.txt"));
    let a = analyze(inputs(&t));
    assert!(bg209_edit(&a).0.starts_with("resolver 127.0.0.11 valid=10s;\n"));
    let f = first(&a, "BG209");
    assert!(f.notes.iter().any(|n| n.contains("comes from a Docker container")), "{:?}", f.notes);
    converges(inputs(&t), "BG209");

    let t = stale_with(&listener_fixture("handwritten/resolv_conf_systemd_resolved.txt"));
    let a = analyze(inputs(&t));
    assert!(bg209_edit(&a).0.starts_with("resolver 127.0.0.53 valid=10s;\n"));
    let f = first(&a, "BG209");
    assert!(f.notes.iter().any(|n| n.contains("systemd-resolved's local stub")), "{:?}", f.notes);
    // The stub answers from /etc/hosts: the "does not read /etc/hosts" caveat does not apply.
    assert!(!f.notes.iter().any(|n| n.contains("does not read /etc/hosts")), "{:?}", f.notes);
    converges(inputs(&t), "BG209");
}

/// Hand-written: Docker seen in the inputs without a resolv.conf: Docker's DNS, with the
/// caveat that it answers inside containers only.
#[test]
fn bg209_resolver_from_docker_signs() {
    let log_line = "2026/11/21 11:15:02 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.5.3:8000/\", host: \"example.com\"";
    let cfg = server("        location / {\n            proxy_pass http://app:8000;\n        }");
    let docker_ps = listener_fixture("handwritten/docker_ps.txt");
    let proxy = format!(
        "{SS_HEADER}LISTEN 0      4096         0.0.0.0:8080       0.0.0.0:*    users:((\"docker-proxy\",pid=2231,fd=4))\n"
    );
    for (listeners, log, why) in [
        (docker_ps.as_str(), log_line.to_string(), "`docker ps` is in the paste"),
        (proxy.as_str(), log_line.to_string(), "docker-proxy listens"),
        ("", format!("nginx-1  | {log_line}"), "docker compose logs"),
        ("", format!("Nov 21 11:15:02 web1 3f2a1b4c5d6e[812]: {log_line}"), "tagged with a container ID"),
    ] {
        let t = hand(&cfg, listeners, &log);
        let a = analyze(inputs(&t));
        let (edit, applicability) = bg209_edit(&a);
        assert!(edit.starts_with("resolver 127.0.0.11 valid=10s;\n"), "{why}: {edit}");
        assert_eq!(applicability, Applicability::Unsafe);
        let f = first(&a, "BG209");
        assert!(
            f.notes.iter().any(|n| n.contains(why) && n.contains("user-defined network")),
            "{why}: {:?}",
            f.notes
        );
        converges(inputs(&t), "BG209");
    }
    // An old address that is no container's, and no other sign: the placeholder.
    let t = hand(&cfg, "", log_line);
    assert!(bg209_edit(&analyze(inputs(&t))).0.contains("DNS_SERVER_IP"));
}

/// Hand-written: a `resolver` already applies to the target: it is kept, only the variable is added.
#[test]
fn bg209_keeps_the_resolver_in_effect() {
    let cfg = "events {}\nhttp {\n    resolver 10.0.0.2 valid=30s;\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://app:8000;\n        }\n    }\n}\n";
    let log = "2026/11/21 11:15:02 [error] 31#31: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 10.0.0.9, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://172.18.0.3:8000/\", host: \"example.com\"\n";
    // A resolv.conf in the paste does not override the config's own resolver.
    let t = hand(cfg, "nameserver 10.9.9.9\n", log);
    let a = analyze(inputs(&t));
    let (edit, applicability) = bg209_edit(&a);
    assert_eq!(edit, "set $backend_host app;\n            proxy_pass http://$backend_host:8000;");
    assert_eq!(applicability, Applicability::Unsafe);
    let f = first(&a, "BG209");
    assert!(label_texts(&a, f, InputKind::Config).contains(&"resolver 10.0.0.2 valid=30s;".to_string()));
    let fixed = converges(inputs(&t), "BG209");
    assert!(!codes(&analyze(Inputs { config: Some(&fixed), ..inputs(&t) })).contains(&"BG208"));
}

/// Real capture: nginx connects to 10.95.0.1, its own host's network address (`ip -br addr`
/// lists it), while gunicorn binds 127.0.0.1 only: the table speaks for that address, BG203.
/// Without the address listing the address could be another machine's: only the log's
/// refusal is reported, with the table's 127.0.0.1 socket as a hint.
#[test]
fn bg203_own_network_address_proven_by_ip_addr() {
    let s = load("own-address-wrong-bind");
    for inputs in [s.all(), s.static_only()] {
        let a = analyze(inputs);
        assert_eq!(mine(&a), ["BG203"], "{:#?}", a.findings);
        let f = first(&a, "BG203");
        assert_eq!(primary_text(&a, f), (InputKind::Config, "10.95.0.1:19471".into()));
        assert_eq!(label_texts(&a, f, InputKind::Listeners), ["127.0.0.1:19471"]);
    }
    let fixed = converges(s.all(), "BG203");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://127.0.0.1:19471;"));

    let listeners = String::from_utf8_lossy(s.listeners.as_deref().unwrap()).into_owned();
    let no_addr = listeners.split("$ ip -br addr").next().unwrap().to_string();
    let a = analyze(Inputs { listeners: Some(no_addr.as_bytes()), ..s.all() });
    assert_eq!(mine(&a), ["BG201"], "{:#?}", a.findings);
    let f = first(&a, "BG201");
    assert!(f.title.starts_with("10.95.0.1 refuses connections on port 19471"), "{}", f.title);
    assert!(
        f.notes.iter().any(|n| n.contains("If 10.95.0.1 is in fact this host's own address")
            && n.contains("listens on 127.0.0.1:19471")),
        "{:?}",
        f.notes
    );
    assert!(f.next_steps.iter().any(|c| c.command == "ip -br addr"));
    assert!(mine(&analyze(Inputs { listeners: Some(no_addr.as_bytes()), log: None, ..s.all() })).is_empty());
}
