use crate::diagnose::Findings;
use std::net::IpAddr;

use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::limits::MAX_RULES_CITED;
use crate::listeners::FirewallTool;
use crate::log::{EventGroup, EventKind, Phase};

use super::super::container;
use super::super::evidence::{self, cite_events, endpoint_text, target_place};
use super::super::facts::{EndpointAddr, Facts, SelinuxSays};
use super::super::firewall::{self, Blocker, Outcome};
use super::super::response::{setting_origin, target_of, time_text};

declare_rule! {
    /// ## What it detects
    /// Something between nginx and a running backend blocks the TCP connection:
    /// SELinux (`connect() to 127.0.0.1:8000 failed (13: Permission denied)` with
    /// `httpd_can_network_connect` off, or an AVC `name_connect` denial), a firewall rule
    /// (ufw/iptables/nft deny, reject or drop on the port), or no route to the backend
    /// (`113: No route to host`, `101: Network is unreachable`). A firewall rule is not
    /// taken for the cause when the backend's address is nginx's own host's (loopback, or
    /// an address `ip addr`, a listener or a `listen` shows): such connections go through
    /// `lo`, which host firewalls let through.
    ///
    /// A firewall rule is named when the pasted `iptables -S`, `iptables -L -n -v`,
    /// `iptables-save`, `nft list ruleset` or `ufw status` has a DROP, REJECT or DENY rule
    /// that matches the port, the protocol and the destination, and no ACCEPT before it in
    /// the same chain surely lets the connection through (`-A INPUT -i lo -j ACCEPT`
    /// first). iptables and nft rules apply to loopback connections too, unless bound to
    /// another interface; ufw's do not (its `before` chains accept `lo` first). A rule bound
    /// to `lo` is not blamed for another host. When the log is pasted, the rule must also
    /// produce what it shows: a REJECT's errno, a DROP's timeout.
    ///
    /// ## Why it causes a 502
    /// The connection never reaches the backend. A denial or a REJECT fails at once and
    /// nginx answers **502 Bad Gateway**: a REJECT with `tcp-reset` or the default
    /// port-unreachable makes nginx log `111: Connection refused`, exactly like a closed
    /// port, though the backend listens; `icmp-host-prohibited` and nft's (firewalld's)
    /// `admin-prohibited` make it `113: No route to host`. A DROP leaves the attempt
    /// hanging until `proxy_connect_timeout`: `upstream timed out (110: Connection timed
    /// out) while connecting to upstream`, **504** (BG402 explains the timeout, caused by
    /// this rule). Lab captures (real nginx 1.22.1, iptables 1.8.9 and nft 1.0.6 in a
    /// private network namespace, gunicorn listening behind the rule): `-j REJECT
    /// --reject-with tcp-reset` gave 111 and 502; `icmp-host-prohibited` and `reject with
    /// icmpx admin-prohibited` gave 113 and 502; `-j DROP` and nft's `drop` gave the
    /// connect timeout and 504 after `proxy_connect_timeout 1s`; an OUTPUT REJECT to
    /// another host gave 111 at once (then "backend not running", BG201, is not reported:
    /// the refusal was the firewall's, and the table says nothing about that host). The
    /// errno of a REJECT's other answers (`icmp-net-unreachable`: 101) was measured with a
    /// plain `connect()` in the same namespace, not through nginx.
    ///
    /// `101: Network is unreachable` is decided by the kernel of nginx's host (no route at
    /// all, or a multicast/broadcast address): nothing is sent and the 502 comes at once (lab
    /// capture: `connect() to 224.0.0.1:19391 failed (101: Network is unreachable)`, 502).
    /// Such an address is not on nginx's host, so its listener table says nothing about
    /// it, and "backend not running" (BG201) is not reported for it.
    ///
    /// ## Example
    /// ```text
    /// [crit] connect() to 127.0.0.1:8000 failed (13: Permission denied) while connecting to upstream
    /// httpd_can_network_connect --> off
    /// type=AVC msg=audit(...): avc:  denied  { name_connect } for pid=1234 comm="nginx" dest=8000 ...
    /// [error] connect() to 10.0.9.7:8000 failed (101: Network is unreachable) while connecting to upstream
    /// ```
    /// ```text
    /// $ sudo ss -tlnp
    /// LISTEN 0  2048  127.0.0.1:19451  0.0.0.0:*  users:(("gunicorn",pid=25910,fd=5))
    /// $ sudo iptables -S
    /// -A OUTPUT -p tcp -m tcp --dport 19451 -j REJECT --reject-with tcp-reset
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:19451/"
    /// ```
    ///
    /// ## Fix
    /// SELinux: `sudo setsebool -P httpd_can_network_connect 1` (or label the port:
    /// `sudo semanage port -a -t http_port_t -p tcp 8000`). Firewall: remove the rule
    /// (`sudo iptables -D OUTPUT -p tcp -m tcp --dport 19451 -j REJECT --reject-with
    /// tcp-reset`, `sudo nft delete rule inet filter input handle N`, `sudo ufw delete N`)
    /// or accept nginx's host before it (`sudo ufw allow from 10.0.0.5 to any port 8000
    /// proto tcp`), and save it (`sudo netfilter-persistent save`, /etc/nftables.conf). No
    /// route: check the address (a container's IP changes on restart) and `ip route get ADDR`.
    /// `113: No route to host` at another machine's address: `ip neigh show ADDR` on nginx's host
    /// right after a try tells a gone machine (`FAILED`, lab `no-route-to-host`) from one whose
    /// firewall rejects with host-prohibited (a MAC address): then check that host's firewall
    /// (`firewall-cmd --list-all`, `iptables -S` there).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout
    /// - https://www.nginx.com/blog/using-nginx-plus-with-selinux/
    /// - https://manpages.ubuntu.com/manpages/jammy/man8/ufw.8.html
    /// - https://manpages.debian.org/bookworm/iptables/iptables-extensions.8.en.html (REJECT)
    /// - https://wiki.nftables.org/wiki-nftables/index.php/Rejecting_traffic
    code: BG207,
    name: "connection-blocked",
    title: "connection blocked: SELinux, firewall or no route",
    explains: [ConnectionBlocked],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Selinux,
    /// `113: No route to host` with no firewall rule that answers so.
    Unreachable,
    /// `101: Network is unreachable`: the kernel has no route at all, nothing was sent.
    NoNetworkRoute,
    KernelTimeout,
}

/// The address of the first failure that is about routes (not SELinux's 13).
fn route_block_ip(blocked: &[(&EventGroup, Block)]) -> Option<IpAddr> {
    blocked.iter().filter(|(_, b)| *b != Block::Selinux).find_map(|(g, _)| {
        g.event.upstream.as_ref().and_then(|u| u.host().trim_matches(['[', ']']).parse::<IpAddr>().ok())
    })
}

fn block_of(group: &EventGroup) -> Option<Block> {
    let e = &group.event;
    if e.kind != EventKind::ConnectFailed || is_unix(group) {
        return None;
    }
    match e.errno {
        Some(13) => Some(Block::Selinux),
        Some(101) => Some(Block::NoNetworkRoute),
        Some(113) => Some(Block::Unreachable),
        Some(110) => Some(Block::KernelTimeout),
        _ => None,
    }
}

fn is_unix(group: &EventGroup) -> bool {
    let e = &group.event;
    e.peer().is_some_and(|p| p.starts_with("unix:")) || e.upstream.as_ref().is_some_and(|u| u.is_unix())
}

/// Would a rule with this outcome have produced the log line? A REJECT's errno, or a DROP's
/// timeout (nginx's own, or the kernel's `connect() failed (110)`).
fn explains(outcome: Outcome, group: &EventGroup) -> bool {
    let e = &group.event;
    if is_unix(group) {
        return false;
    }
    match outcome {
        Outcome::Rejected(111) => e.kind == EventKind::ConnectRefused,
        Outcome::Rejected(errno) => e.kind == EventKind::ConnectFailed && e.errno == Some(errno),
        Outcome::Dropped => {
            (e.kind == EventKind::UpstreamTimedOut && e.phase == Some(Phase::Connecting))
                || (e.kind == EventKind::ConnectFailed && e.errno == Some(110))
        }
    }
}

/// SELinux's evidence against the connection, as labels.
fn selinux_facts(facts: &Facts<'_>, port: Option<u16>) -> Vec<(TextRange, String)> {
    facts
        .selinux_says(port)
        .into_iter()
        .map(|says| match says {
            SelinuxSays::NetworkConnectOff { range } => {
                (range, "SELinux forbids nginx (httpd_t) to connect to network ports".to_string())
            }
            SelinuxSays::Denied { port, range } => (
                range,
                format!(
                    "SELinux denied the connection{}",
                    port.map_or(String::new(), |p| format!(" to port {p}"))
                ),
            ),
        })
        .collect()
}

/// What the firewall part of the finding rests on.
struct FirewallCase<'a> {
    /// Rules that stop the connection; with log lines, only those that produce them.
    rules: Vec<Blocker<'a>>,
    /// The log lines the rules explain.
    events: Vec<&'a EventGroup>,
}

/// The rules that stop nginx's connections to `ips`:`port`, and the log groups they explain.
/// `None` when no rule stops them, or when the log shows failures no rule of the paste
/// produces (a refusal while the only rule drops): those rules are not what happened.
fn firewall_case<'a>(
    facts: &Facts<'a>,
    ips: &[IpAddr],
    port: u16,
    events: &[&'a EventGroup],
) -> Option<FirewallCase<'a>> {
    let rules = firewall::blockers(facts.listeners?, ips, port, facts.all_local(ips));
    if rules.is_empty() {
        return None;
    }
    let failures: Vec<&'a EventGroup> = events
        .iter()
        .filter(|g| {
            block_of(g).is_some()
                || [Outcome::Rejected(111), Outcome::Dropped].into_iter().any(|o| explains(o, g))
        })
        .copied()
        .collect();
    if failures.is_empty() {
        // A line from after the connection was made (a read timeout, a reset) proves it passes.
        let connected = events.iter().any(|g| {
            matches!(
                g.event.phase,
                Some(
                    Phase::SslHandshaking
                        | Phase::SendingRequest
                        | Phase::ReadingResponseHeader
                        | Phase::ReadingUpstream
                        | Phase::ProxyingUpgraded
                )
            )
        });
        return (!connected).then_some(FirewallCase { rules, events: Vec::new() });
    }
    let explained: Vec<&'a EventGroup> =
        failures.iter().filter(|g| rules.iter().any(|r| explains(r.outcome, g))).copied().collect();
    if explained.is_empty() {
        return None;
    }
    let rules = rules.into_iter().filter(|r| explained.iter().any(|g| explains(r.outcome, g))).collect();
    Some(FirewallCase { rules, events: explained })
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(_) = facts.config else {
        log_only(facts, out);
        return;
    };
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { port, ips, .. } = &endpoint.addr else { continue };
        let events = facts.events_for(endpoint);
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let who = format!("In {place}, nginx's connection to {target}");
        if let Some(case) = firewall_case(facts, ips, *port, &events) {
            let connect_timeout = target_of(facts, endpoint).map(|t| {
                format!(
                    "{}_connect_timeout ({}{})",
                    endpoint.kind.prefix(),
                    time_text(t.effective.connect_timeout.value),
                    setting_origin(&t.effective.connect_timeout)
                )
            });
            let listening = ips.first().and_then(|ip| {
                facts.listeners?.listeners_accepting(*ip, *port).next().map(evidence::listener_text)
            });
            let f = firewall_finding(facts, &case, &target, *port, who, connect_timeout, listening).label(
                Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")),
            );
            out.push(f);
            continue;
        }
        let blocked: Vec<(&EventGroup, Block)> =
            events.iter().filter_map(|g| block_of(g).map(|b| (*g, b))).collect();
        let selinux = selinux_facts(facts, Some(*port));
        let avc_proof = selinux.iter().any(|(_, t)| t.contains("denied"));
        let block = match blocked.first() {
            Some((_, b)) => *b,
            // getsebool alone (no denial in the log) is only a risk for non-http ports.
            None if avc_proof => Block::Selinux,
            None => continue,
        };
        let mut f = finding(facts, block, &target, Some(*port), who).label(Label::primary(
            InputKind::Config,
            endpoint.range,
            format!("nginx connects to {target}"),
        ));
        for (g, b) in &blocked {
            f = cite_events(f, g, evidence_label(*b));
        }
        if let Some(ip) =
            route_block_ip(&blocked).or_else(|| ips.first().copied().filter(|_| block != Block::Selinux))
        {
            f = container::unreachable_container(f, ip);
        }
        out.push(f);
    }
}

/// Without the config: each failed connection of the log, with the paste's firewall rules
/// for the address it names when there is a paste.
fn log_only(facts: &Facts<'_>, out: &mut Findings) {
    let Some(log) = facts.log else { return };
    for group in &log.groups {
        let failed = block_of(group).is_some()
            || [Outcome::Rejected(111), Outcome::Dropped].into_iter().any(|o| explains(o, group));
        if !failed {
            continue;
        }
        let upstream = group.event.upstream.as_ref();
        let target = upstream
            .map(|u| u.target().to_owned())
            .or(group.event.peer().map(str::to_owned))
            .unwrap_or_default();
        let port = upstream.and_then(|u| u.port());
        let range = group.event.upstream_range.unwrap_or(group.event.message_range);
        let who = format!("nginx's connection to {target}");
        let ip = upstream.and_then(|u| u.host().trim_matches(['[', ']']).parse::<IpAddr>().ok());
        let case = match (ip, port) {
            (Some(ip), Some(port)) => firewall_case(facts, &[ip], port, &[group]),
            _ => None,
        };
        let f = match case {
            Some(case) if !case.events.is_empty() => {
                firewall_finding(facts, &case, &target, port.unwrap_or_default(), who, None, None)
            }
            _ => {
                let Some(block) = block_of(group) else { continue };
                let f = cite_events(finding(facts, block, &target, port, who), group, evidence_label(block));
                match ip.filter(|_| block != Block::Selinux) {
                    Some(ip) => container::unreachable_container(f, ip),
                    None => f,
                }
            }
        };
        out.push(f.label(Label::primary(InputKind::Log, range, format!("nginx connected to {target}"))));
    }
}

/// A firewall rule of the paste stops the connection: name the rule, what nginx logs for
/// it (a REJECT's errno at once, a DROP's timeout) and what the client gets.
fn firewall_finding(
    facts: &Facts<'_>,
    case: &FirewallCase<'_>,
    target: &str,
    port: u16,
    who: String,
    connect_timeout: Option<String>,
    listening: Option<String>,
) -> Finding {
    let proven = !case.events.is_empty();
    let sure = case.rules.iter().any(|r| r.sure);
    // With log lines, the outcome they show; without, the first rule's (the one that decides).
    let outcome = case
        .rules
        .iter()
        .map(|r| r.outcome)
        .find(|o| !proven || case.events.iter().any(|g| explains(*o, g)))
        .unwrap_or(Outcome::Dropped);
    let nginx_timer = case.events.iter().any(|g| g.event.kind == EventKind::UpstreamTimedOut)
        || (!proven && outcome == Outcome::Dropped);
    let timeout = connect_timeout.unwrap_or_else(|| "proxy_connect_timeout (60s by default)".to_string());
    let (verb, effect) = match outcome {
        Outcome::Rejected(111) => (
            "rejects",
            "A REJECT with a TCP reset or port-unreachable (the default) looks to nginx exactly like a closed port: \
             `connect() failed (111: Connection refused)` at once, so clients get 502 Bad Gateway."
                .to_string(),
        ),
        Outcome::Rejected(113) => (
            "rejects",
            "A REJECT with host-prohibited or admin-prohibited (firewalld's) makes connect() fail at once with \
             `113: No route to host`, though the route is fine, so clients get 502 Bad Gateway."
                .to_string(),
        ),
        Outcome::Rejected(13) => (
            "rejects",
            "A REJECT with admin-prohibited answers an IPv6 connection with ICMPv6 \"administratively prohibited\", \
             which connect() reports as `13: Permission denied`, the line SELinux causes too, so clients get 502 Bad \
             Gateway."
                .to_string(),
        ),
        Outcome::Rejected(101) => (
            "rejects",
            "A REJECT with net-unreachable, net-prohibited or no-route makes connect() fail at once with `101: \
             Network is unreachable`, though a route exists, so clients get 502 Bad Gateway."
                .to_string(),
        ),
        Outcome::Rejected(errno) => (
            "rejects",
            format!("The REJECT's answer makes connect() fail at once (errno {errno}), so clients get 502 Bad Gateway."),
        ),
        Outcome::Dropped if nginx_timer => (
            "drops",
            format!(
                "A DROP never answers the SYN: nginx waits {timeout} and logs `upstream timed out (110: Connection \
                 timed out) while connecting to upstream`, so clients get 504 Gateway Timeout."
            ),
        ),
        Outcome::Dropped => (
            "drops",
            "A DROP never answers the SYN, and here the kernel gave up before nginx's connect timeout \
             (`connect() failed (110: Connection timed out)`), so clients get 502 Bad Gateway."
                .to_string(),
        ),
    };
    // Proven by the log, or a rule nothing about which is in doubt and no log to say otherwise.
    let definite = proven || (sure && facts.log.is_none());
    let stopped = if definite { "is stopped" } else { "may be stopped" };
    let mut message = format!("{who} {stopped} by a firewall rule in the paste, which {verb} it. {effect}");
    if let Some(l) = &listening {
        message.push_str(&match outcome {
            Outcome::Dropped => format!(" The backend runs ({l}): the firewall keeps the SYN from it."),
            Outcome::Rejected(_) => format!(" The backend runs ({l}): the firewall answers in its place."),
        });
    }
    if !proven && !sure {
        message.push_str(
            " The rule has conditions the paste does not settle (an interface, a source, a connection state, a \
             chain reached by a jump, or another host's firewall): check that it applies to nginx's connections.",
        );
    }
    let status = match outcome {
        Outcome::Dropped if nginx_timer => 504,
        _ => 502,
    };
    let (severity, confidence) = match (proven, definite) {
        (true, _) => (Severity::Error, 95),
        (false, true) => (Severity::Error, 85),
        (false, false) => (Severity::Warning, 55),
    };
    let title_verb = if definite { verb.to_string() } else { format!("may {}", verb.trim_end_matches('s')) };
    let mut f = Finding::new(
        INFO.code,
        severity,
        format!("a firewall rule {title_verb} nginx's connection to {target}"),
    )
    .message(message)
    .confidence(confidence)
    .status(status);
    for g in &case.events {
        let what = match outcome {
            Outcome::Dropped => "no answer: the firewall dropped the SYN",
            Outcome::Rejected(111) => "refused by the firewall, not by the backend",
            Outcome::Rejected(13) => "the firewall's reject, not SELinux",
            Outcome::Rejected(_) => "the firewall's reject, not a missing route",
        };
        f = cite_events(f, g, what);
    }
    for r in case.rules.iter().take(MAX_RULES_CITED) {
        let what = match r.outcome {
            Outcome::Dropped => {
                format!("this rule drops connections to port {port}: nginx waits, then times out")
            }
            Outcome::Rejected(111) => {
                format!("this rule rejects connections to port {port}: nginx logs 111: Connection refused")
            }
            Outcome::Rejected(113) => {
                format!("this rule rejects connections to port {port}: nginx logs 113: No route to host")
            }
            Outcome::Rejected(101) => {
                format!(
                    "this rule rejects connections to port {port}: nginx logs 101: Network is unreachable"
                )
            }
            Outcome::Rejected(13) => {
                format!("this rule rejects connections to port {port}: nginx logs 13: Permission denied")
            }
            Outcome::Rejected(errno) => {
                format!("this rule rejects connections to port {port}: errno {errno}")
            }
        };
        f = f.label(Label::secondary(InputKind::Listeners, r.range, what));
    }
    if case.rules.len() > MAX_RULES_CITED {
        f = f.note(format!(
            "{} more rules of the paste match this connection too; the first ones are cited.",
            case.rules.len() - MAX_RULES_CITED
        ));
    }
    if !case.rules.iter().all(|r| r.sure) {
        f = f.next_step(Command::new(
            "see every rule in order, with interfaces and sources",
            "sudo iptables -S; sudo nft -a list ruleset",
        ));
    }
    f.fix(firewall_fix(facts, case, target, port))
}

/// Remove the rule, with the tool that made it (its own line when `iptables -S` showed it).
fn firewall_fix(facts: &Facts<'_>, case: &FirewallCase<'_>, target: &str, port: u16) -> Fix {
    let text = facts.inputs.text(InputKind::Listeners);
    let line_of = |r: &Blocker<'_>| {
        let line = text.get(r.range.start as usize..r.range.end as usize).unwrap_or_default();
        String::from_utf8_lossy(line).trim().to_string()
    };
    // `iptables -S` lines give the exact delete command; a listing of the same chain then adds nothing.
    let spec_chains: Vec<Option<&str>> = case
        .rules
        .iter()
        .take(MAX_RULES_CITED)
        .filter(|r| r.tool == FirewallTool::Iptables && line_of(r).starts_with("-A "))
        .map(|r| r.chain)
        .collect();
    let mut commands = Vec::new();
    for r in case.rules.iter().take(MAX_RULES_CITED) {
        let chain = r.chain.unwrap_or("INPUT");
        let line = line_of(r);
        let command = match r.tool {
            FirewallTool::Iptables if line.starts_with("-A ") => Command::new(
                "delete this rule",
                format!("sudo iptables -D {}", line.trim_start_matches("-A ")),
            ),
            FirewallTool::Iptables | FirewallTool::IptablesList if spec_chains.contains(&r.chain) => continue,
            FirewallTool::Iptables | FirewallTool::IptablesList => Command::new(
                "find the rule's number, then delete it",
                format!("sudo iptables -L {chain} -n --line-numbers; sudo iptables -D {chain} NUMBER"),
            ),
            FirewallTool::Nft => {
                let table = r.table.unwrap_or("inet filter");
                Command::new(
                    "find the rule's handle, then delete it",
                    format!(
                        "sudo nft -a list chain {table} {chain}; sudo nft delete rule {table} {chain} handle NUMBER"
                    ),
                )
            }
            FirewallTool::Ufw => Command::new(
                "delete the rule by its number",
                "sudo ufw status numbered; sudo ufw delete NUMBER",
            ),
        };
        if !commands.contains(&command) {
            commands.push(command);
        }
    }
    commands.push(Command::new(
        "check from nginx's host",
        format!("curl -v --connect-timeout 3 http://{target}/"),
    ));
    // ufw saves its rules itself.
    if case.rules.iter().any(|r| matches!(r.tool, FirewallTool::Iptables | FirewallTool::IptablesList)) {
        commands.push(Command::new(
            "keep the change over a reboot (iptables-persistent; RHEL: sudo service iptables save)",
            "sudo netfilter-persistent save",
        ));
    }
    if case.rules.iter().any(|r| r.tool == FirewallTool::Nft) {
        commands.push(Command::new(
            "keep the change over a reboot: remove the rule from the ruleset loaded at boot",
            "sudoedit /etc/nftables.conf",
        ));
    }
    Fix::display_only(format!(
        "let nginx's host reach port {port}: remove the rule, or accept nginx's connections before it"
    ))
    .with_commands(commands)
}

fn finding(facts: &Facts<'_>, block: Block, target: &str, port: Option<u16>, who: String) -> Finding {
    let host = target.rsplit_once(':').map_or(target, |(h, _)| h).trim_matches(['[', ']']);
    let selinux = selinux_facts(facts, port);
    let (title, why, fix) = match block {
        Block::Selinux if selinux.is_empty() => (
            format!("nginx is not allowed to connect to {target}: SELinux, or another policy of its host"),
            "is denied with \"Permission denied\" over TCP by nginx's own host: most often SELinux, which by default \
             forbids nginx to connect to ports that are not web ports; also another security module, or a \
             `prohibit` route to that network (`ip route get` names it)"
                .to_string(),
            selinux_fix(port, Some(host)),
        ),
        Block::Selinux => (
            format!("SELinux blocks nginx's connection to {target}"),
            "is denied with \"Permission denied\" over TCP: that is SELinux (or another security module), which by \
             default forbids nginx to connect to ports that are not web ports"
                .to_string(),
            selinux_fix(port, None),
        ),
        Block::NoNetworkRoute => (
            format!("nginx's host has no route to {target}: network unreachable"),
            no_network_route(host),
            route_fix(target, port, "point nginx at an address of the backend that nginx's host has a route to"),
        ),
        Block::Unreachable | Block::KernelTimeout => (
            format!("nginx cannot reach {target}: no route, or a firewall in between"),
            "never reaches the backend: there is no route to that address (a container or VM that changed its IP, \
             an address of the wrong family) or a firewall rejects or drops it"
                .to_string(),
            route_fix(target, port, "make the backend's address reachable from nginx's host"),
        ),
    };
    let mut message = if block == Block::NoNetworkRoute {
        // Decided by the kernel of nginx's host: no packet, no timeout, always 502.
        format!("{who} {why}")
    } else {
        format!("{who} {why}, so clients get 502 Bad Gateway (504 if packets are dropped silently).")
    };
    if matches!(block, Block::Unreachable | Block::KernelTimeout) && facts.firewall_listed(true) {
        message.push_str(
            " No rule of the pasted firewall stops connections to this address (rules bound to `lo`, another port or \
             another destination do not): look at the route and the backend's host first; a firewall on that host, \
             or between the two, is not in the paste.",
        );
    }
    // Another machine: what nginx's host shows cannot say which; the check is the neighbour table
    // and then that host's own firewall.
    let other_host = host
        .parse::<IpAddr>()
        .ok()
        .filter(|ip| block == Block::Unreachable && !ip.to_canonical().is_loopback() && !facts.is_local(*ip))
        // With Docker in the evidence, a Docker-range address is a container's: the callers give
        // its causes (`container::unreachable_container`); without, both (172.16/12 is common for hosts).
        .filter(|ip| !container::docker_evident(facts, *ip));
    let mut fix = fix;
    if let Some(ip) = other_host {
        message.push_str(&format!(
            " {ip} is not known to be an address of this host, so nothing pasted from nginx's host shows its \
             sockets or its firewall. The likely causes, in order: no machine answers for {ip} any more (a container \
             or VM gone or given another address: the line comes after about 3 s of unanswered ARP); that host's \
             firewall rejects with host-prohibited (firewalld's default, the line comes at once); a router between \
             says the host is unreachable. The neighbour table of nginx's host, right after a try, tells them apart: \
             FAILED or INCOMPLETE means no machine answers for {ip}; a MAC address means it is there and refuses."
        ));
        fix.insert_command(
            0,
            Command::new(
                format!("right after a failed request: does a machine answer for {ip}? (FAILED: none)"),
                format!("ip neigh show {ip}"),
            ),
        );
        fix.insert_command(
            1,
            Command::new(
                format!("on {ip}: does its firewall reject the port? (firewalld rejects with host-prohibited)"),
                format!(
                    "ssh {ip} \"sudo firewall-cmd --list-all 2>/dev/null; sudo iptables -S | grep -iE 'reject|{}'\"",
                    port.unwrap_or_default()
                ),
            ),
        );
    }
    let confidence = match block {
        Block::NoNetworkRoute => 90,
        _ if other_host.is_some() => 70,
        _ if selinux.is_empty() => 75,
        _ => 95,
    };
    let mut f =
        Finding::new(INFO.code, Severity::Error, title).message(message).confidence(confidence).status(502);
    if block == Block::Selinux {
        for (range, text) in selinux {
            f = f.label(Label::secondary(InputKind::Listeners, range, text));
        }
        if !facts.selinux_booleans_listed() {
            f = f.next_step(Command::new(
                "prove it is SELinux",
                "getsebool httpd_can_network_connect; sudo ausearch -m avc -c nginx",
            ));
        }
    } else if !facts.firewall_listed(true) && block != Block::NoNetworkRoute {
        f = f.next_step(Command::new(
            "paste the firewall rules",
            "sudo ufw status verbose; sudo iptables -S; sudo nft list ruleset",
        ));
    }
    f.fix(fix)
}

fn evidence_label(block: Block) -> &'static str {
    match block {
        Block::Selinux => "permission denied over TCP",
        Block::Unreachable => "no route to host",
        Block::NoNetworkRoute => "network unreachable: nothing was sent",
        Block::KernelTimeout => "the kernel gave up connecting",
    }
}

/// Why `101: Network is unreachable`: the kernel found no route, so nothing was sent.
fn no_network_route(host: &str) -> String {
    let what = match host.parse::<std::net::IpAddr>() {
        Ok(ip) if ip.is_multicast() || ip == std::net::IpAddr::V4(std::net::Ipv4Addr::BROADCAST) => {
            format!("{ip} is a multicast or broadcast address, which no TCP backend can have: a typo, or the wrong variable.")
        }
        Ok(std::net::IpAddr::V6(_)) => "An IPv6 address on a host without IPv6 connectivity fails this way (a name \
                                        that resolved to an AAAA record first)."
            .to_string(),
        _ => "The backend's network is not routed from here: a missing route or VPN, or an address of a network that \
              no longer exists (a removed container network)."
            .to_string(),
    };
    format!(
        "fails at once with \"Network is unreachable\": nginx's host has no route to that address, so its kernel \
         refused the connection before sending anything and clients get 502 Bad Gateway. Nothing can be said about \
         what listens there. {what}"
    )
}

fn route_fix(target: &str, port: Option<u16>, summary: &str) -> Fix {
    Fix::display_only(summary).with_commands(vec![
        Command::new(
            "which route would be used",
            format!(
                "ip route get {}",
                target.rsplit_once(':').map_or(target, |(h, _)| h).trim_matches(['[', ']'])
            ),
        ),
        Command::new("try it from nginx's host", format!("curl -v --connect-timeout 3 http://{target}/")),
        Command::new(
            "look for rules on the port",
            format!("sudo ufw status numbered; sudo iptables -S | grep -w {}", port.unwrap_or(0)),
        ),
    ])
}

fn selinux_fix(port: Option<u16>, route_of: Option<&str>) -> Fix {
    let mut commands = vec![
        Command::new("check the boolean", "getsebool httpd_can_network_connect"),
        Command::new(
            "allow nginx to connect to network ports (persistent)",
            "sudo setsebool -P httpd_can_network_connect 1",
        ),
        Command::new(
            "or allow only this port",
            format!("sudo semanage port -a -t http_port_t -p tcp {}", port.unwrap_or(8000)),
        ),
        Command::new("see the denials", "sudo ausearch -m avc -c nginx --start recent"),
    ];
    if let Some(host) = route_of {
        commands.push(Command::new("no SELinux? look for a prohibit route", format!("ip route get {host}")));
    }
    Fix::display_only("allow nginx to connect to the backend under SELinux").with_commands(commands)
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("firewall-drop", All), ("firewall-lo-rule-remote-target", All), ("firewall-reject-prohibited", All), ("firewall-drop", ConfigListeners), ("firewall-lo-rule-remote-target", Log)],
        not: [("healthy", All), ("firewall-rules-not-in-the-way", All), ("php-primary-script-unknown", All), ("remote-backend", All), ("firewall-drop", Config), ("firewall-lo-rule-remote-target", ConfigListeners)],
        snapshot: ("firewall-drop", All),
    }
}
