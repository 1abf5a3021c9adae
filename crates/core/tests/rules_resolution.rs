//! BG208 and BG209 (the backend's name: resolution at request time, an address resolved
//! once at start) on the lab's real scenarios, whole and in subsets, plus hand-written corners
//! (marked) for what the lab cannot reproduce: container addresses on Docker's DNS, pastes
//! without `getent`, the resolver a fix should add. Every fix with edits is applied and the
//! result re-analysed (convergence).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::code::Code;
use badgateway_core::finding::Applicability;
use badgateway_core::{Analysis, InputKind, Inputs, analyze};

mod common;
use common::{
    SS_HEADER, codes, codes_among, converges, first, hand, inputs, label_texts, listener_fixture, load,
    primary_text, server,
};

const MINE: &[&str] = &[
    "BG201", "BG202", "BG203", "BG204", "BG205", "BG206", "BG207", "BG208", "BG209", "BG210", "BG211",
    "BG212", "BG213",
];

fn mine(a: &Analysis<'_>) -> Vec<&'static str> {
    codes_among(a, MINE)
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
