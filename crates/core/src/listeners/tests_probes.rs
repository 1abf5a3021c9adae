//! Tests of the probe outputs pasted with a listener table: systemctl, journalctl, ufw,
//! iptables and nft (captured in network namespaces), docker ps, SELinux, telnet, netcat,
//! getent, this host's addresses and resolv.conf.

use std::net::{IpAddr, Ipv4Addr};

use super::tests::{LO, LO6, fixture, fixture_scenario, formats, on_port, one, text, v4};
use super::*;

#[test]
fn systemctl_status_handwritten() {
    let src = fixture!("handwritten/systemctl_status_failed.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    assert_eq!(formats(&r).len(), 1);
    match &r.facts[0] {
        ProbeFact::ServiceStatus { unit, active, sub, main_pid, exit_reason, .. } => {
            assert_eq!(unit, "php8.2-fpm.service");
            assert_eq!(active, "failed");
            assert_eq!(sub.as_deref(), Some("Result: exit-code"));
            assert_eq!(*main_pid, Some(4711));
            assert_eq!(exit_reason.as_deref(), Some("code=exited, status=78"));
        }
        f => panic!("{f:?}"),
    }
    let journal: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::JournalLine { unit, message_range, .. } => {
                Some((unit.clone().unwrap(), text(src, *message_range)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(journal.len(), 6);
    assert_eq!(journal[1].0, "php-fpm8.2");
    assert!(journal[1].1.starts_with("[21-Nov-2026 11:02:14] ERROR: unable to bind listening socket"));
    assert_eq!(journal[3].0, "php8.2-fpm.service");

    let r = parse(fixture!("handwritten/systemctl_status_active.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(
        matches!(&r.facts[0], ProbeFact::ServiceStatus { active, sub: Some(s), main_pid: Some(1234), exit_reason: None, .. } if active == "active" && s == "running")
    );

    let r = parse(fixture!("handwritten/systemctl_status_activating.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(matches!(&r.facts[0], ProbeFact::ServiceStatus { unit, active, exit_reason: Some(e), .. }
        if unit == "myapp.service" && active == "activating" && e == "code=exited, status=1/FAILURE"));

    // Without the bullet line, the unit comes from the command.
    let r = parse(b"$ systemctl status gunicorn\n     Active: inactive (dead)\n");
    assert!(
        matches!(&r.facts[0], ProbeFact::ServiceStatus { unit, active, .. } if unit == "gunicorn.service" && active == "inactive")
    );
    let r = parse(b"Unit gunicorn.service could not be found.\n");
    assert!(matches!(&r.facts[0], ProbeFact::ServiceStatus { active, .. } if active == "not-found"));
}

#[test]
fn journalctl_handwritten() {
    let src = fixture!("handwritten/journalctl_u.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::Journalctl, 5)]);
    assert!(matches!(&r.facts[3], ProbeFact::JournalLine { unit: Some(u), .. } if u == "gunicorn.service"));
    assert!(
        matches!(&r.facts[4], ProbeFact::JournalLine { unit: Some(u), pid: Some(1234), .. } if u == "gunicorn")
    );
}

type RuleView<'a> = (Option<u16>, Option<u16>, FirewallAction, bool, Option<&'a str>);

fn rules(r: &ListenerReport) -> Vec<RuleView<'_>> {
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::FirewallRule { port, port_last, action, is_policy, matches, .. } => {
                Some((*port, *port_last, *action, *is_policy, matches.interface.as_deref()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn ufw_handwritten() {
    use FirewallAction::*;
    let r = parse(fixture!("handwritten/ufw_status_verbose.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(matches!(r.facts[0], ProbeFact::FirewallStatus { tool: FirewallTool::Ufw, active: true, .. }));
    let u = rules(&r);
    assert_eq!(u[0], (None, None, Deny, true, None));
    assert!(u.contains(&(Some(8000), None, Deny, false, None)));
    assert!(u.contains(&(Some(443), None, Allow, false, None)));
    assert!(u.contains(&(Some(6000), Some(6007), Allow, false, None)));
    assert!(FirewallAction::Reject.blocks() && !FirewallAction::Limit.blocks());
}

/// One firewall rule's fields, for the assertions on real listings.
#[derive(Debug, PartialEq)]
struct RuleRow<'a> {
    chain: &'a str,
    table: Option<&'a str>,
    hook: Option<FirewallHook>,
    action: FirewallAction,
    ports: (Option<u16>, Option<u16>),
    interfaces: (Option<&'a str>, Option<&'a str>),
    addresses: (Option<&'a str>, Option<&'a str>),
    reject_with: Option<&'a str>,
    other_matches: bool,
    is_policy: bool,
    line: &'a str,
}

fn rule_rows<'a>(r: &'a ListenerReport, src: &'a [u8]) -> Vec<RuleRow<'a>> {
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::FirewallRule {
                action,
                port,
                port_last,
                matches:
                    RuleMatch {
                        chain,
                        table,
                        hook,
                        interface,
                        out_interface,
                        source,
                        destination,
                        reject_with,
                        other_matches,
                        ..
                    },
                is_policy,
                range,
                ..
            } => Some(RuleRow {
                chain: chain.as_deref().unwrap_or_default(),
                table: table.as_deref(),
                hook: *hook,
                action: *action,
                ports: (*port, *port_last),
                interfaces: (interface.as_deref(), out_interface.as_deref()),
                addresses: (source.as_deref(), destination.as_deref()),
                reject_with: reject_with.as_deref(),
                other_matches: *other_matches,
                is_policy: *is_policy,
                line: text(src, *range).trim(),
            }),
            _ => None,
        })
        .collect()
}

/// The one rule of `chain` on `port` with `action` (policies have no port).
fn the<'a>(
    rows: &'a [RuleRow<'a>],
    chain: &str,
    port: Option<u16>,
    action: FirewallAction,
) -> &'a RuleRow<'a> {
    let found: Vec<_> = rows
        .iter()
        .filter(|r| r.chain.eq_ignore_ascii_case(chain) && r.ports.0 == port && r.action == action)
        .collect();
    assert_eq!(found.len(), 1, "{chain} {port:?} {action:?} in {rows:#?}");
    found[0]
}

/// Real listings of one ruleset (capture.py firewall, in a private network namespace):
/// iptables 1.8.9 (nf_tables) `-S`, `iptables-save`, `-L -n`, `-L -n -v`, `--line-numbers`,
/// and the same rules as nft 1.0.6 prints them (made by iptables-nft, and written natively).
#[test]
fn firewalls_captured() {
    use FirewallAction::*;
    let listings: [(&str, &[u8]); 8] = [
        ("iptables -S", fixture!("captured/iptables_S.txt")),
        ("iptables-save", fixture!("captured/iptables_save.txt")),
        ("iptables -L -n", fixture!("captured/iptables_L_n.txt")),
        ("iptables -L -n -v", fixture!("captured/iptables_L_n_v.txt")),
        ("iptables -L INPUT --line-numbers", fixture!("captured/iptables_L_INPUT_n_v_line_numbers.txt")),
        ("nft (iptables-nft)", fixture!("captured/nft_ruleset_iptables_nft.txt")),
        ("nft", fixture!("captured/nft_ruleset.txt")),
        ("nft -a", fixture!("captured/nft_a_ruleset.txt")),
    ];
    for (name, src) in listings {
        let r = parse(src);
        let unread: Vec<&str> = r.unrecognized.iter().map(|u| text(src, *u)).collect();
        assert!(unread.is_empty(), "{name}: {unread:?}");
        // ip6tables' rules (capture.py adds a few) are nft's `ip6 filter` table.
        let rows: Vec<RuleRow<'_>> =
            rule_rows(&r, src).into_iter().filter(|r| r.table != Some("ip6 filter")).collect();
        let nft = name.starts_with("nft");
        let verbose = !name.ends_with("-L -n");
        let input_only = name.contains("--line-numbers");

        let policy = the(&rows, "INPUT", None, Drop);
        assert!(policy.is_policy && policy.hook == Some(FirewallHook::Input), "{name}");
        // `-i lo -j ACCEPT`: without -v, a line that reads "accept everything".
        let lo = rows.iter().find(|r| r.action == Allow && !r.is_policy).unwrap();
        assert_eq!(lo.interfaces.0, verbose.then_some("lo"), "{name}");
        assert_eq!(lo.other_matches, !verbose, "{name}");
        // `ct state established,related accept` applies to replies only.
        assert!(
            rows.iter().any(|r| r.action == Allow
                && r.ports.0.is_none()
                && r.other_matches
                && r.interfaces.0.is_none()),
            "{name}"
        );
        // The jump to f2b-sshd and its RETURN are not verdicts.
        assert!(
            rows.iter().all(|r| !r.line.contains("f2b-sshd")
                && !r.line.contains("RETURN")
                && !r.line.contains("return")),
            "{name}"
        );
        // 80,443 (multiport, or an nft set of 22, 80, 443) are accepted.
        assert!(
            [80, 443].iter().all(|p| rows.iter().any(|r| r.ports.0 == Some(*p) && r.action == Allow)),
            "{name}"
        );

        // 8000: accepted from 10.0.0.0/8, then dropped; the order is the paste's.
        let allow = rows.iter().position(|r| r.ports.0 == Some(8000) && r.action == Allow).unwrap();
        let drop = rows.iter().position(|r| r.ports.0 == Some(8000) && r.action == Drop).unwrap();
        assert!(allow < drop, "{name}");
        assert_eq!(rows[allow].addresses, (Some("10.0.0.0/8"), None), "{name}");
        assert_eq!((rows[drop].addresses, rows[drop].other_matches), ((None, None), !verbose), "{name}");
        // A comment is not a condition.
        assert_eq!(the(&rows, "INPUT", Some(9000), Drop).other_matches, !verbose, "{name}");
        let range = the(&rows, "INPUT", Some(6000), Reject);
        assert_eq!(range.ports, (Some(6000), Some(6007)), "{name}");
        // iptables spells out the default answer, nft leaves it out.
        assert_eq!(range.reject_with, (!nft).then_some("icmp-port-unreachable"), "{name}");
        // `! -s 10.0.0.0/8` is not modelled: a condition left open.
        let negated = the(&rows, "INPUT", Some(9100), Reject);
        assert!(negated.other_matches && negated.addresses.0.is_none(), "{name}");
        assert!(negated.reject_with.is_some_and(|w| w.contains("admin-prohibited")), "{name}");
        if input_only {
            assert!(rows.iter().all(|r| r.chain == "INPUT"), "{name}");
            continue;
        }
        let on_lo = the(&rows, "OUTPUT", Some(8001), Reject);
        assert_eq!(on_lo.hook, Some(FirewallHook::Output), "{name}");
        assert_eq!(on_lo.interfaces, (None, verbose.then_some("lo")), "{name}");
        assert!(on_lo.reject_with.is_some_and(|w| w.starts_with("tcp")), "{name}");
        let to_one = the(&rows, "OUTPUT", Some(8002), Reject);
        assert!(to_one.addresses.1.is_some_and(|d| d.starts_with("10.0.0.5")), "{name}");
        assert!(to_one.reject_with.is_some_and(|w| w.contains("host-prohibited")), "{name}");
        assert!(!to_one.other_matches || !verbose, "{name}");
        assert_eq!(the(&rows, "FORWARD", None, Drop).hook, Some(FirewallHook::Forward), "{name}");
        if nft {
            let table = if name.contains("iptables-nft") { "ip filter" } else { "inet filter" };
            assert!(rows.iter().all(|r| r.table == Some(table)), "{name}");
            // Facts point at the statement, without indentation or `# handle N`.
            assert_eq!(on_lo.line, on_lo.line.trim(), "{name}");
            assert!(!on_lo.line.contains('#'), "{name}");
        }
    }
}

/// Real ip6tables listings: `::/0` is any address, `::1` a destination.
#[test]
fn ip6tables_captured() {
    use FirewallAction::*;
    for (name, src) in
        [("-S", fixture!("captured/ip6tables_S.txt")), ("-L -n -v", fixture!("captured/ip6tables_L_n_v.txt"))]
    {
        let r = parse(src);
        assert!(r.unrecognized.is_empty(), "{name}");
        let rows = rule_rows(&r, src);
        assert_eq!(the(&rows, "INPUT", Some(8000), Drop).addresses, (None, None), "{name}");
        let on_lo = the(&rows, "OUTPUT", Some(8001), Reject);
        assert_eq!(on_lo.interfaces, (None, Some("lo")), "{name}");
        assert!(on_lo.addresses.1.is_some_and(|d| d.starts_with("::1")), "{name}");
        assert_eq!(on_lo.reject_with, Some("icmp6-port-unreachable"), "{name}");
    }
}

/// The probe sections of the lab's firewall scenarios (real iptables and nft output behind
/// `$ sudo` prompts, beside ss): every line read, every blocking rule found.
#[test]
fn firewall_sections_of_the_lab() {
    for (name, src, port, action) in [
        ("firewall-reject-reset", fixture_scenario!("firewall-reject-reset"), 19451, FirewallAction::Reject),
        (
            "firewall-reject-prohibited",
            fixture_scenario!("firewall-reject-prohibited"),
            19461,
            FirewallAction::Reject,
        ),
        ("firewall-drop", fixture_scenario!("firewall-drop"), 19471, FirewallAction::Drop),
        ("nft-drop", fixture_scenario!("nft-drop"), 19481, FirewallAction::Drop),
        (
            "nft-reject-admin-prohibited",
            fixture_scenario!("nft-reject-admin-prohibited"),
            19491,
            FirewallAction::Reject,
        ),
        (
            "firewall-remote-reject",
            fixture_scenario!("firewall-remote-reject"),
            19511,
            FirewallAction::Reject,
        ),
    ] {
        let r = parse(src);
        let unread: Vec<&str> = r.unrecognized.iter().map(|u| text(src, *u)).collect();
        assert!(unread.is_empty(), "{name}: {unread:?}");
        assert!(on_port(&r, port).len() <= 1, "{name}");
        let rows = rule_rows(&r, src);
        assert!(
            rows.iter().any(|r| r.ports.0 == Some(port) && r.action == action && !r.is_policy),
            "{name}: {rows:#?}"
        );
    }
}

#[test]
fn docker_ps_handwritten() {
    let src = fixture!("handwritten/docker_ps.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::DockerPs, 6)]);
    let web = on_port(&r, 8080);
    assert_eq!(web.len(), 2);
    assert_eq!(web[0].bind, Bind::AnyV4);
    assert_eq!(web[1].bind, Bind::AnyV6 { v6only: None });
    assert_eq!(web[0].container_port, Some(8000));
    assert_eq!(web[0].processes[0].name, "web");
    assert_eq!(text(src, web[1].addr_range), "[::]:8080->8000/tcp");
    assert_eq!(one(&r, 3000).bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
    assert_eq!(one(&r, 9999).kind, SocketKind::Udp);
    assert!(
        matches!(&r.facts[0], ProbeFact::ExposedPort { container, port: 6379, .. } if container == "cache")
    );
}

#[test]
fn docker_compose_and_format_tables() {
    let src = b"$ docker compose ps\n\
NAME          IMAGE          COMMAND                  SERVICE   CREATED        STATUS        PORTS\n\
app-web-1     myapp:latest   \"gunicorn -b 0.0.0.0\xe2\x80\xa6\"   web       2 hours ago    Up 2 hours    0.0.0.0:8080->8000/tcp, :::8080->8000/tcp\n\
app-redis-1   redis:7        \"docker-entrypoint.s\xe2\x80\xa6\"   redis     2 hours ago    Up 2 hours    6379/tcp\n\
$ docker ps --format 'table {{.Names}}\\t{{.Ports}}'\n\
NAMES         PORTS\n\
api           127.0.0.1:3000->3000/tcp\n\
worker        \n\
that is all\n";
    let r = parse(src);
    assert_eq!(r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>(), vec!["that is all"]);
    let web = on_port(&r, 8080);
    assert_eq!(web.len(), 2);
    assert_eq!(web[0].processes[0].name, "app-web-1");
    assert_eq!(web[1].bind, Bind::AnyV6 { v6only: None });
    assert_eq!(web[1].container_port, Some(8000));
    assert!(
        matches!(&r.facts[0], ProbeFact::ExposedPort { container, port: 6379, .. } if container == "app-redis-1")
    );
    assert_eq!(one(&r, 3000).processes[0].name, "api");
    assert_eq!(formats(&r), vec![(Format::DockerPs, 3), (Format::DockerPs, 1)]);
}

#[test]
fn selinux_handwritten() {
    let r = parse(fixture!("handwritten/getsebool.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(
        matches!(&r.facts[0], ProbeFact::SelinuxBoolean { name, on: false, .. } if name == "httpd_can_network_connect")
    );
    assert_eq!(r.facts.len(), 6);
    let src = fixture!("handwritten/avc_denied.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::AvcDenial, 2)]);
    assert!(
        matches!(&r.facts[0], ProbeFact::AvcDenial { permission, comm, target_port: Some(8000), tclass: Some(c), .. }
        if permission == "name_connect" && comm == "nginx" && c == "tcp_socket")
    );
    assert!(matches!(&r.facts[1], ProbeFact::AvcDenial { permission, path: Some(p), .. }
        if permission == "connectto" && p == "/run/gunicorn/app.sock"));
}

#[test]
fn selinux_status_handwritten() {
    let r = parse(fixture!("handwritten/selinux_status.txt"));
    assert!(r.unrecognized.is_empty());
    let modes: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::SelinuxMode { mode, .. } => Some(mode.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(modes, vec!["enforcing", "enforcing"]);
    let http = r
        .facts
        .iter()
        .find_map(|f| match f {
            ProbeFact::SelinuxPortType { type_name, ports, .. } if type_name == "http_port_t" => Some(ports),
            _ => None,
        })
        .unwrap();
    assert!(http.contains(&(8008, 8008)) && http.contains(&(9000, 9000)));
    assert!(!http.iter().any(|&(a, b)| (a..=b).contains(&8000)));
    assert_eq!(
        formats(&r),
        vec![
            (Format::SelinuxStatus, 1),
            (Format::SelinuxStatus, 1),
            (Format::SemanagePort, 2),
            (Format::SemanagePort, 1)
        ]
    );
}

#[test]
fn telnet_handwritten() {
    let r = parse(fixture!("handwritten/telnet.txt"));
    assert!(r.unrecognized.is_empty());
    let probes: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::DirectProbe { tool: ProbeTool::Telnet, target, connected, errno_text, .. } => {
                Some((target.as_str(), *connected, errno_text.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        probes,
        vec![("127.0.0.1:8000", false, Some("Connection refused")), ("[::1]:9000", true, None)]
    );
}

#[test]
fn netcat_handwritten() {
    let r = parse(fixture!("handwritten/nc.txt"));
    assert!(r.unrecognized.is_empty());
    let probes: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::DirectProbe { tool: ProbeTool::Netcat, target, connected, errno_text, .. } => {
                Some((target.as_str(), *connected, errno_text.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        probes,
        vec![
            ("127.0.0.1:8000", false, Some("Connection refused")),
            ("127.0.0.1:9000", true, None),
            ("[::1]:8000", false, Some("timed out")),
        ]
    );
}

/// `getent` against a hosts file of ours (Debian's localhost lines, IPv4 first): the addresses
/// come in the resolver's order, `ahosts` asks for every family, `hosts` hides IPv4 behind an
/// IPv6 answer.
#[test]
fn getent_name_lookups() {
    let src = fixture!("captured/getent.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
    // glibc puts ::1 first although the hosts file lists 127.0.0.1 first (RFC 6724 order);
    // `getent ahosts` asked for every family, so the partial lookups add nothing.
    assert_eq!(r.resolved("localhost"), Some((vec![v6("::1"), v4(127, 0, 0, 1)], true)));
    assert_eq!(r.resolved("backend.test"), Some((vec![v4(127, 0, 0, 3)], true)));
    // An alias is looked up by the name asked for; the line shows the canonical name first.
    assert_eq!(r.resolved("APP"), Some((vec![v4(127, 0, 0, 3)], true)));
    assert_eq!(r.resolved("v6only.test"), Some((vec![v6("::1")], false)));
    assert_eq!(r.resolved("missing.test"), None);
    // One fact per address: STREAM lines of ahosts, every line of hosts.
    let lines: Vec<&str> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::NameAddress { name, range, .. } if name == "localhost" => Some(text(src, *range)),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines[0].starts_with("::1") && lines[0].contains("STREAM localhost"), "{lines:?}");
    assert!(formats(&r).iter().all(|(f, _)| *f == Format::Getent), "{:?}", formats(&r));
}

/// Each lookup alone: `ahosts` asked for every family, `ahostsv4` and an IPv6 `hosts` answer
/// did not (the name may have more addresses than shown).
#[test]
fn getent_completeness_per_lookup() {
    let src = fixture!("captured/getent.txt");
    let text = std::str::from_utf8(src).unwrap();
    let section = |cmd: &str| {
        let start = text.find(&format!("$ {cmd}\n")).unwrap();
        let end = text[start + 2..].find("$ ").map_or(text.len(), |e| start + 2 + e);
        parse(&text.as_bytes()[start..end])
    };
    assert!(section("getent ahosts localhost").resolved("localhost").unwrap().1);
    assert_eq!(
        section("getent ahostsv4 localhost").resolved("localhost"),
        Some((vec![v4(127, 0, 0, 1)], false))
    );
    assert!(!section("getent hosts localhost").resolved("localhost").unwrap().1);
    assert!(section("getent hosts app").resolved("app").unwrap().1);
}

/// `getent ahosts` pasted without its command: the STREAM line that names the host starts it.
#[test]
fn getent_ahosts_without_a_prompt() {
    let src = fixture!("captured/getent_ahosts_bare.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(r.resolved("localhost"), Some((vec!["::1".parse().unwrap(), v4(127, 0, 0, 1)], true)));
    // A hosts-file line or a table row is not a lookup.
    let r = parse(b"127.0.0.1 localhost\nLISTEN 0 511 127.0.0.1:80 0.0.0.0:*\n");
    assert!(r.facts.is_empty(), "{:?}", r.facts);
}

/// The host addresses a paste lists, as (address, interface, prefix, text of the range).
fn host_addresses(src: &[u8], r: &ListenerReport) -> Vec<(IpAddr, Option<String>, Option<u8>, String)> {
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::HostAddress { address, interface, prefix, range, .. } => {
                Some((*address, interface.clone(), *prefix, text(src, *range).to_string()))
            }
            _ => None,
        })
        .collect()
}

/// One command's output of a capture made of `$ CMD` sections.
fn section_of<'a>(src: &'a [u8], cmd: &str) -> &'a [u8] {
    let text = std::str::from_utf8(src).unwrap();
    let start = text.find(&format!("$ {cmd}\n")).unwrap_or_else(|| panic!("no `$ {cmd}`"));
    let end = text[start + 2..].find("\n$ ").map_or(text.len(), |e| start + 2 + e + 1);
    &src[start..end]
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Real output of `ip addr` (full, -br, -4, -6, -o), `hostname -I` and `ifconfig [-a]` in a
/// private network namespace shaped like a host with a container network (capture.py
/// addrs): a veth whose peer is in another namespace (`v0@if2`), a secondary IPv4 address,
/// IPv6 on it, a bridge with 172.17.0.1/16.
#[test]
fn host_addresses_in_every_layout() {
    let src = fixture!("captured/ip_addr.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let sections: Vec<Format> = formats(&r).into_iter().map(|(f, _)| f).collect();
    assert!(sections.contains(&Format::IpAddr) && sections.contains(&Format::HostnameI));
    assert!(sections.contains(&Format::Ifconfig), "{sections:?}");

    let full = section_of(src, "ip addr");
    let all = host_addresses(full, &parse(full));
    let want = [
        (ip("127.0.0.1"), "lo", 8, "127.0.0.1/8"),
        (ip("::1"), "lo", 128, "::1/128"),
        (ip("10.98.0.1"), "v0", 24, "10.98.0.1/24"),
        (ip("10.98.0.10"), "v0", 24, "10.98.0.10/24"),
        (ip("fd98::1"), "v0", 64, "fd98::1/64"),
        (ip("172.17.0.1"), "br0", 16, "172.17.0.1/16"),
    ];
    for (a, iface, prefix, shown) in want {
        assert!(
            all.iter().any(|(x, i, p, t)| *x == a
                && i.as_deref() == Some(iface)
                && *p == Some(prefix)
                && t == shown),
            "{a} on {iface}: {all:?}"
        );
    }
    // The bridge's link-local address too: every address the full layout prints.
    assert_eq!(all.len(), 7, "{all:?}");

    // -br and -o: the same addresses, the interface without its `@peer`.
    for cmd in ["ip -br addr", "ip -o addr"] {
        let part = section_of(src, cmd);
        let got = host_addresses(part, &parse(part));
        let mut a: Vec<_> = got.iter().map(|(a, i, p, _)| (*a, i.clone(), *p)).collect();
        let mut b: Vec<_> = all.iter().map(|(a, i, p, _)| (*a, i.clone(), *p)).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{cmd}");
    }

    // One family only: `ip -4 addr` says nothing about IPv6 addresses.
    let v4_only = parse(section_of(src, "ip -4 addr"));
    assert!(v4_only.host_addresses().all(|(a, _)| a.is_ipv4()));
    assert!(v4_only.lists_host_addresses_for(ip("10.98.0.7")));
    assert!(!v4_only.lists_host_addresses_for(ip("fd98::7")));
    let v6_only = parse(section_of(src, "ip -6 addr"));
    assert!(v6_only.host_addresses().all(|(a, _)| a.is_ipv6()));
    assert!(!v6_only.lists_host_addresses_for(ip("10.98.0.7")));

    // hostname -I: no loopback, no link-local, the secondary address included.
    let part = section_of(src, "hostname -I");
    let got: Vec<IpAddr> = parse(part).host_addresses().map(|(a, _)| a).collect();
    assert_eq!(got, [ip("10.98.0.1"), ip("10.98.0.10"), ip("172.17.0.1"), ip("fd98::1")]);

    // ifconfig shows one IPv4 address per interface: the secondary 10.98.0.10 is missing, so
    // ifconfig alone never proves an IPv4 address is not this host's.
    let part = section_of(src, "ifconfig");
    let r = parse(part);
    let got = host_addresses(part, &r);
    assert!(got.iter().any(|(a, i, p, t)| *a == ip("10.98.0.1")
        && i.as_deref() == Some("v0")
        && *p == Some(24)
        && t == "10.98.0.1"));
    assert!(got.iter().any(|(a, _, p, _)| *a == ip("fd98::1") && *p == Some(64)));
    assert!(got.iter().any(|(a, _, p, _)| *a == ip("172.17.0.1") && *p == Some(16)));
    assert!(!got.iter().any(|(a, ..)| *a == ip("10.98.0.10")), "{got:?}");
    assert!(!r.lists_host_addresses_for(ip("10.98.0.7")));
    assert!(r.lists_host_addresses_for(ip("fd98::7")));
}

/// The same commands on the build machine as it is (whatever its addresses are): every line
/// is read, loopback is among `ip addr`'s addresses, and `hostname -I`'s are among them.
#[test]
fn host_addresses_on_the_build_machine() {
    let src = fixture!("captured/ip_addr_host.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let full: Vec<IpAddr> = parse(section_of(src, "ip addr")).host_addresses().map(|(a, _)| a).collect();
    assert!(full.contains(&LO) && full.contains(&LO6), "{full:?}");
    let listed: Vec<IpAddr> =
        parse(section_of(src, "hostname -I")).host_addresses().map(|(a, _)| a).collect();
    assert!(!listed.is_empty() && listed.iter().all(|a| full.contains(a)), "{listed:?} vs {full:?}");
}

/// Hand-written (see handwritten/README.md): the older net-tools/busybox layout and the BSD one.
#[test]
fn ifconfig_older_and_bsd_layouts() {
    let src = fixture!("handwritten/ifconfig_nettools_1_60.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let got = host_addresses(src, &r);
    assert_eq!(
        got,
        [
            (ip("10.0.2.15"), Some("eth0".into()), Some(24), "10.0.2.15".into()),
            (
                ip("fe80::5054:ff:fe12:3456"),
                Some("eth0".into()),
                Some(64),
                "fe80::5054:ff:fe12:3456/64".into()
            ),
            (ip("127.0.0.1"), Some("lo".into()), Some(8), "127.0.0.1".into()),
            (ip("::1"), Some("lo".into()), Some(128), "::1/128".into()),
        ]
    );
    let src = fixture!("handwritten/ifconfig_bsd.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let got: Vec<(IpAddr, Option<u8>)> =
        host_addresses(src, &r).into_iter().map(|(a, _, p, _)| (a, p)).collect();
    assert!(got.contains(&(ip("127.0.0.1"), Some(8))), "{got:?}");
    assert!(got.contains(&(ip("192.168.1.23"), Some(24))), "{got:?}");
    assert!(got.contains(&(ip("fe80::1c2a:3b4c:5d6e:7f80"), Some(64))), "{got:?}");
}

/// What is not a host-address listing: changing addresses, routes, prose.
#[test]
fn host_addresses_only_from_listings() {
    let r = parse(
        b"$ sudo ip addr add 10.0.0.9/24 dev eth0\n$ ip route get 10.0.0.7\n10.0.0.7 dev eth0 src 10.0.0.5 uid 0\n    cache\nthe server is UP 10.0.0.1 now\n",
    );
    assert!(r.host_addresses().next().is_none(), "{:?}", r.facts);
    // `ip a s dev eth0` is a listing; a point-to-point address shows its peer after it.
    let src = b"$ ip a s dev tun0\n5: tun0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420 qdisc noqueue state UNKNOWN group default qlen 500\n    link/none \n    inet 10.8.0.2 peer 10.8.0.1/32 scope global tun0\n       valid_lft forever preferred_lft forever\n";
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    assert_eq!(r.host_addresses().map(|(a, _)| a).collect::<Vec<_>>(), [ip("10.8.0.2")]);
}

/// The build machine's /etc/resolv.conf behind `cat` (captured), and hand-written files of
/// Docker Engine (a container on a user-defined network) and systemd-resolved's stub.
#[test]
fn resolv_conf_nameservers() {
    let src = fixture!("captured/resolv_conf.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let got: Vec<(IpAddr, Option<ResolvConfWriter>)> = r.nameservers().map(|(a, w, _)| (a, w)).collect();
    assert!(!got.is_empty() && got.iter().all(|(_, w)| w.is_none()), "{got:?}");
    assert_eq!(formats(&r), [(Format::ResolvConf, got.len())]);

    for (file, want, writer) in [
        (fixture!("handwritten/resolv_conf_docker.txt"), "127.0.0.11", ResolvConfWriter::Docker),
        (
            fixture!("handwritten/resolv_conf_systemd_resolved.txt"),
            "127.0.0.53",
            ResolvConfWriter::SystemdResolved,
        ),
    ] {
        let r = parse(file);
        assert!(
            r.unrecognized.is_empty(),
            "{:?}",
            r.unrecognized.iter().map(|u| text(file, *u)).collect::<Vec<_>>()
        );
        let got: Vec<_> =
            r.nameservers().map(|(a, w, range)| (a, w, text(file, range).to_string())).collect();
        assert_eq!(got, [(ip(want), Some(writer), format!("nameserver {want}"))]);
    }
    // `grep nameserver` output, and a line alone, say what they are; prose does not.
    let r = parse(b"$ grep nameserver /etc/resolv.conf\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n");
    assert_eq!(r.nameservers().map(|(a, ..)| a).collect::<Vec<_>>(), [ip("10.0.0.2"), ip("fe80::1")]);
    assert_eq!(parse(b"nameserver 1.1.1.1\n").nameservers().count(), 1);
    assert_eq!(parse(b"nameserver is down since 10:00\n").nameservers().count(), 0);
}
