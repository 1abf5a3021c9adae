//! Causes seen in the wild (issue 14, items 3, 5 and 6) and fixes ordered by the evidence
//! (issue 15), on the lab's real captures: `$host` dropping the port (BG214), `Connection:
//! upgrade` on every request (BG308), one dead server of a group (BG201), a generator's
//! `server 127.0.0.1 down;` (BG210), backends on another host (BG201, BG402), and a socket
//! owned by gunicorn getting gunicorn's fix first. Hand-written corners are marked so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::finding::{Finding, Severity, apply_edits};
use badgateway_core::{Analysis, Inputs, analyze};

mod common;
use common::{codes, load};

fn first<'a>(a: &'a Analysis<'_>, code: &str) -> &'a Finding {
    a.findings
        .iter()
        .find(|f| f.code.as_str() == code)
        .unwrap_or_else(|| panic!("no {code} in {:#?}", a.findings))
}

/// The first finding: an error of this code.
fn top<'a>(a: &'a Analysis<'_>, code: &str) -> &'a Finding {
    let f = &a.findings[0];
    assert!(f.code.as_str() == code && f.severity == Severity::Error, "{:#?}", a.findings);
    f
}

fn commands(f: &Finding) -> Vec<String> {
    f.fix.as_ref().map(|x| x.commands().iter().map(|c| c.command.clone()).collect()).unwrap_or_default()
}

/// Applies the first `code` finding's edits to the config and re-analyses: the finding is gone.
fn converges(inputs: Inputs<'_>, code: &str) -> Vec<u8> {
    let a = analyze(inputs);
    let fix = first(&a, code).fix.as_ref().expect("a fix");
    assert!(!fix.edits().is_empty(), "{code}: the fix has edits");
    let fixed = apply_edits(inputs.config.unwrap(), fix.edits()).expect("edits apply");
    let again = analyze(Inputs { config: Some(&fixed), ..inputs });
    assert!(!codes(&again).contains(&code), "{code} after its fix:\n{}", String::from_utf8_lossy(&fixed));
    assert!(again.config.as_ref().unwrap().first_error().is_none(), "the fixed config loads");
    fixed
}

#[test]
fn host_variable_drops_the_port() {
    let s = load("host-variable-drops-port");
    let a = analyze(s.all());
    let f = top(&a, "BG214");
    assert!(f.confidence >= 90);
    assert!(f.title.contains("127.0.0.1:19701") && f.title.contains("127.0.0.1:80"), "{}", f.title);
    let fixed = converges(s.all(), "BG214");
    assert!(String::from_utf8_lossy(&fixed).contains("proxy_pass http://$http_host;"));
    // The log alone: a hypothesis (a proxy_pass that omits the port logs the same).
    let log = analyze(s.log_only());
    let f = first(&log, "BG214");
    assert!(f.confidence < 80 && f.fix.as_ref().unwrap().edits().is_empty());
    assert!(f.next_steps.iter().any(|c| c.command.contains("nginx -T")));
    // The config alone shows no request: nothing to say.
    assert!(!codes(&analyze(s.static_only())).contains(&"BG214"));
}

/// Hand-written: a port written after the variable, or another port in the request, is no drop.
#[test]
fn host_variable_with_a_port_is_not_a_drop() {
    let log = b"2026/12/08 03:15:17 [error] 454#454: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8080/\", host: \"127.0.0.1:19701\"\n";
    let config = b"http { server { listen 80; location / { proxy_pass http://$host:8080; } } }\n";
    for inputs in [
        Inputs { config: Some(config), listeners: None, log: Some(log) },
        Inputs { config: None, listeners: None, log: Some(log) },
    ] {
        assert!(!codes(&analyze(inputs)).contains(&"BG214"));
    }
}

#[test]
fn connection_upgrade_on_every_request() {
    let s = load("connection-upgrade-always");
    let a = analyze(s.all());
    let f = top(&a, "BG308");
    assert!(f.confidence >= 80 && f.title.contains("POST"), "{}", f.title);
    let fixed = String::from_utf8(converges(s.all(), "BG308")).unwrap();
    assert!(
        fixed.contains("map $http_upgrade $connection_upgrade {")
            && fixed.contains("Connection $connection_upgrade;")
    );
    // The config alone: the literal header is only a note.
    let cfg = analyze(Inputs { config: s.config.as_deref(), listeners: None, log: None });
    assert_eq!(first(&cfg, "BG308").severity, Severity::Info);
    // The log alone shows no header: the close is all it says.
    let log = analyze(s.log_only());
    assert!(!codes(&log).contains(&"BG308") && codes(&log).contains(&"BG301"));
}

/// Hand-written: the map form, and a GET failing (it may be a handshake), are not claimed.
#[test]
fn connection_upgrade_through_the_map_or_on_a_get_is_not_claimed() {
    let mapped = b"http { map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n server { listen 80; location / { proxy_set_header Connection $connection_upgrade; proxy_pass http://127.0.0.1:5000; } } }\n";
    assert!(!codes(&analyze(Inputs { config: Some(mapped), listeners: None, log: None })).contains(&"BG308"));
    let literal = b"http { server { listen 80; location / { proxy_set_header Connection \"upgrade\"; proxy_pass http://127.0.0.1:5000; } } }\n";
    let get = b"2026/12/08 03:15:23 [error] 624#624: *3 upstream prematurely closed connection while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET /ws HTTP/1.1\", upstream: \"http://127.0.0.1:5000/ws\", host: \"a\"\n";
    let a = analyze(Inputs { config: Some(literal), listeners: None, log: Some(get) });
    assert_eq!(first(&a, "BG308").severity, Severity::Info);
}

#[test]
fn one_dead_server_of_a_group_is_named_as_a_warning() {
    let s = load("upstream-member-down");
    for (label, inputs) in [("all", s.all()), ("config+listeners", s.static_only())] {
        let a = analyze(inputs);
        let f = first(&a, "BG201");
        assert_eq!(f.severity, Severity::Warning, "{label}");
        assert!(
            f.title.contains("one of the 2 servers of app_pool") && f.title.contains("127.0.0.1:19712"),
            "{label}: {}",
            f.title
        );
        assert!(
            f.message.contains("no live upstreams") && f.notes.iter().any(|n| n.contains("max_fails")),
            "{label}"
        );
    }
    let log = analyze(s.log_only());
    let f = first(&log, "BG201");
    assert!(
        f.severity == Severity::Warning && f.confidence < 80 && f.title.contains("127.0.0.1:19712"),
        "{}",
        f.title
    );
    // Every server down is no "one of them": both stay errors.
    let both = load("no-live-upstreams");
    let all_down = analyze(both.all());
    assert!(
        all_down
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "BG201")
            .all(|f| f.severity == Severity::Error)
    );
    assert!(
        !analyze(load("no-live-upstreams").log_only())
            .findings
            .iter()
            .any(|f| f.title.contains("retried on another"))
    );
}

#[test]
fn a_generated_down_server_sends_the_user_to_the_container() {
    let s = load("generator-server-down");
    let a = analyze(s.all());
    assert_eq!(codes(&a), ["BG210"], "{:#?}", a.findings);
    let f = &a.findings[0];
    assert!(f.title.contains("generator") && f.fix.as_ref().unwrap().edits().is_empty(), "{}", f.title);
    assert!(commands(f).iter().any(|c| c.contains("docker network connect")));
    // The log alone: the symptom, its causes in order, and the one check first.
    let log = analyze(s.log_only());
    let f = first(&log, "BG210");
    assert!(f.confidence < 80 && f.message.contains("in order"), "{}", f.message);
    assert!(f.next_steps[0].command.contains("upstream app.example.test"), "{:?}", f.next_steps);
}

/// Without retries the dead member gives intermittent 502s (200, 502, 200, 200): an error.
#[test]
fn one_dead_server_without_retries_is_an_error() {
    let s = load("upstream-member-down-no-retry");
    let f = top(&analyze(s.all()), "BG201").clone();
    assert!(
        f.title.contains("one of the 2 servers of app_pool") && f.title.contains("127.0.0.1:19772"),
        "{}",
        f.title
    );
}

/// A generator's `down` entry beside one real server: one refusal empties the group.
#[test]
fn a_down_entry_beside_one_server_explains_no_live_upstreams() {
    let s = load("generator-down-beside-one-server");
    let a = analyze(s.all());
    let f = first(&a, "BG210");
    assert!(
        f.notes.iter().any(|n| n.contains("1 marked `down`") && n.contains("max_fails=0")),
        "{:#?}",
        f.notes
    );
}

#[test]
fn another_hosts_backend_gets_the_checks_on_that_host() {
    let s = load("remote-backend-loopback-only");
    let a = analyze(s.all());
    let f = first(&a, "BG201");
    assert!(f.confidence < 80 && f.message.contains("cannot show what listens there"), "{}", f.message);
    let cmds = commands(f);
    assert!(cmds.iter().any(|c| c.starts_with("ssh 10.95.0.7") && c.contains("ss -tlnp")), "{cmds:?}");
    assert!(cmds.iter().any(|c| c.starts_with("ssh 10.95.0.7") && c.contains("iptables")), "{cmds:?}");
    let s = load("remote-firewall-drop");
    let a = analyze(s.all());
    let f = first(&a, "BG402");
    assert!(f.confidence < 80 && f.message.contains("security group"), "{}", f.message);
    assert!(f.next_steps[0].command.contains("ssh 10.95.0.7") && f.next_steps[0].command.contains("tcpdump"));
    assert!(!codes(&a).contains(&"BG201") && !codes(&a).contains(&"BG207"));
    // No route to another host: the neighbour table decides (gone, or its firewall rejects).
    let s = load("no-route-to-host");
    for inputs in [s.all(), s.log_only()] {
        let a = analyze(inputs);
        let f = first(&a, "BG207");
        assert!(f.confidence < 80 && f.message.contains("in order"), "{}", f.message);
        let cmds = commands(f);
        assert_eq!(cmds[0], "ip neigh show 10.98.0.7");
        assert!(cmds[1].starts_with("ssh 10.98.0.7") && cmds[1].contains("firewall-cmd"), "{cmds:?}");
    }
}

/// A socket owned by gunicorn (ss -xlp) gets gunicorn's fix first; php-fpm's advice, which
/// does not speak HTTP, goes last behind a proxy_pass; php-fpm's own saturation keeps its own.
#[test]
fn fixes_put_the_backend_the_evidence_names_first() {
    let (g, p, f) = (
        load("unix-socket-permission-gunicorn"),
        load("unix-socket-permission"),
        load("php-fpm-max-children"),
    );
    let gunicorn = analyze(g.all());
    let cmds = commands(first(&gunicorn, "BG206"));
    assert!(cmds[0].starts_with("gunicorn --bind unix:"), "{cmds:?}");
    let python = analyze(p.all());
    let cmds = commands(first(&python, "BG206"));
    let php = cmds.iter().position(|c| c.contains("fpm/pool.d")).unwrap();
    let systemd = cmds.iter().position(|c| c.contains("myapp.socket")).unwrap();
    assert!(php > systemd, "php-fpm's advice after the others behind a proxy_pass: {cmds:?}");
    let fpm = analyze(f.all());
    assert!(commands(first(&fpm, "BG211"))[0].contains("fpm/pool.d"));
}
