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
use badgateway_core::finding::{Applicability, Finding, Severity};
use badgateway_core::{Analysis, InputKind, Inputs, analyze};

mod common;
use common::{
    SS_HEADER, codes, codes_among, converges, first, hand, inputs, label_texts, listener_fixture, load,
    primary_text, scenarios_dir, server,
};
use std::path::PathBuf;

const MINE: &[&str] = &[
    "BG201", "BG202", "BG203", "BG204", "BG205", "BG206", "BG207", "BG208", "BG209", "BG210", "BG211",
    "BG212", "BG213", "BG214",
];

fn mine(a: &Analysis<'_>) -> Vec<&'static str> {
    codes_among(a, MINE)
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

// ---------------------------------------------------------------- hand-written corners

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

// ---------------------------------------------------------------- BG209: which resolver

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
