//! BG207 (the connection never reached a listener: SELinux, a firewall rule, no route) on
//! the lab's real scenarios and real rulesets (iptables, nft and ufw listings captured by
//! tests/fixtures/listeners/capture.py in private network namespaces), plus hand-written
//! corners (marked) for what the lab cannot reproduce: SELinux AVC lines, ufw.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::code::Code;
use badgateway_core::finding::Severity;
use badgateway_core::{InputKind, analyze};

mod common;
use common::{SS_HEADER, codes, first, hand, inputs, label_texts, listener_fixture, load, server};
use std::path::PathBuf;

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
