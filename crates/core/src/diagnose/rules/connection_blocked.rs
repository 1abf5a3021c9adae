use crate::finding::{Applicability, Command, Finding, Fix, Severity};
use crate::input::{InputKind, TextRange};
use crate::listeners::{FirewallTool, ProbeFact};
use crate::log::{EventGroup, EventKind, Phase};

use super::super::evidence::{cite_events, endpoint_text, target_place};
use super::super::facts::{EndpointAddr, Facts};

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
    /// ## Why it causes a 502
    /// The connection never reaches the backend. A denial or a REJECT fails at once and
    /// nginx answers **502 Bad Gateway**; a DROP leaves the attempt hanging until
    /// `proxy_connect_timeout` (**504**). The backend looks healthy from its own host.
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
    ///
    /// ## Fix
    /// SELinux: `sudo setsebool -P httpd_can_network_connect 1` (or label the port:
    /// `sudo semanage port -a -t http_port_t -p tcp 8000`). Firewall: allow nginx's host to
    /// reach the port (`sudo ufw allow from 10.0.0.5 to any port 8000 proto tcp`). No route:
    /// check the address (a container's IP changes on restart) and `ip route get ADDR`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout
    /// - https://www.nginx.com/blog/using-nginx-plus-with-selinux/
    /// - https://manpages.ubuntu.com/manpages/jammy/man8/ufw.8.html
    code: "BG207",
    name: "connection-blocked",
    title: "connection blocked: SELinux, firewall or no route",
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Block {
    Selinux,
    /// `113: No route to host`, or a firewall rule on the port.
    Unreachable,
    /// `101: Network is unreachable`: the kernel has no route at all, nothing was sent.
    NoNetworkRoute,
    KernelTimeout,
}

fn block_of(group: &EventGroup) -> Option<Block> {
    let e = &group.event;
    let unix = e.peer.as_deref().is_some_and(|p| p.starts_with("unix:"))
        || e.upstream.as_ref().is_some_and(|u| u.is_unix());
    if e.kind != EventKind::ConnectFailed || unix {
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

/// SELinux facts: `httpd_can_network_connect --> off`, AVC `name_connect` denials for the port.
fn selinux_facts(facts: &Facts<'_>, port: Option<u16>) -> Vec<(TextRange, String)> {
    let Some(r) = facts.listeners else { return Vec::new() };
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::SelinuxBoolean { name, on: false, range } if name == "httpd_can_network_connect" => {
                Some((*range, "SELinux forbids nginx (httpd_t) to connect to network ports".to_string()))
            }
            ProbeFact::AvcDenial { permission, target_port, range, .. }
                if permission == "name_connect" && (port.is_none() || *target_port == port) =>
            {
                Some((
                    *range,
                    format!(
                        "SELinux denied the connection{}",
                        target_port.map_or(String::new(), |p| format!(" to port {p}"))
                    ),
                ))
            }
            _ => None,
        })
        .collect()
}

/// Firewall rules that block the port (active firewalls only, when the status is known).
fn firewall_facts(facts: &Facts<'_>, port: u16) -> Vec<(TextRange, String)> {
    let Some(r) = facts.listeners else { return Vec::new() };
    let inactive = r
        .facts
        .iter()
        .any(|f| matches!(f, ProbeFact::FirewallStatus { active: false, tool: FirewallTool::Ufw, .. }));
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::FirewallRule {
                tool,
                port: Some(p),
                port_last,
                action,
                is_policy: false,
                interface,
                range,
                ..
            } if action.blocks()
                && (*p == port || port_last.is_some_and(|last| *p <= port && port <= last))
                && interface.as_deref() != Some("lo")
                && !(inactive && *tool == FirewallTool::Ufw) =>
            {
                let verb = match action {
                    crate::listeners::FirewallAction::Deny => "deny",
                    crate::listeners::FirewallAction::Reject => "reject",
                    crate::listeners::FirewallAction::Drop => "drop",
                    crate::listeners::FirewallAction::Allow => "allow",
                    crate::listeners::FirewallAction::Limit => "limit",
                };
                Some((*range, format!("the firewall blocks port {port} ({verb})")))
            }
            _ => None,
        })
        .collect()
}

pub fn check(facts: &Facts<'_>, out: &mut Vec<Finding>) {
    let Some(_) = facts.config else {
        let Some(log) = facts.log else { return };
        for group in &log.groups {
            let Some(block) = block_of(group) else { continue };
            let target = group.event.upstream.as_ref().map(|u| u.target.clone()).or(group.event.peer.clone());
            let target = target.unwrap_or_default();
            let port = group.event.upstream.as_ref().and_then(|u| u.port);
            let range = group.event.upstream_range.unwrap_or(group.event.message_range);
            let f = finding(facts, block, &target, port, format!("nginx's connection to {target}")).label(
                InputKind::Log,
                range,
                format!("nginx connected to {target}"),
                true,
            );
            out.push(cite_events(f, group, evidence_label(block)));
        }
        return;
    };
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { port, .. } = &endpoint.addr else { continue };
        let events = facts.events_for(endpoint);
        let blocked: Vec<(&EventGroup, Block)> =
            events.iter().filter_map(|g| block_of(g).map(|b| (*g, b))).collect();
        let selinux = selinux_facts(facts, Some(*port));
        let avc_proof = selinux.iter().any(|(_, t)| t.contains("denied"));
        // Connections to the host's own addresses go through `lo` (any of them, not only
        // 127.0.0.1), which the host firewall's port rules do not filter (ufw accepts `lo`).
        let local = facts.endpoint_is_local(endpoint);
        let firewall = if local { Vec::new() } else { firewall_facts(facts, *port) };
        let drop_timeouts: Vec<&EventGroup> = events
            .iter()
            .filter(|g| {
                g.event.kind == EventKind::UpstreamTimedOut && g.event.phase == Some(Phase::Connecting)
            })
            .copied()
            .collect();
        let block = match blocked.first() {
            Some((_, b)) => *b,
            None if !firewall.is_empty() => Block::Unreachable,
            // getsebool alone (no denial in the log) is only a risk for non-http ports.
            None if avc_proof => Block::Selinux,
            None => continue,
        };
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let mut f = finding(
            facts,
            block,
            &target,
            Some(*port),
            format!("In {place}, nginx's connection to {target}"),
        )
        .label(InputKind::Config, endpoint.range, format!("nginx connects to {target}"), true);
        if blocked.is_empty() && drop_timeouts.is_empty() && !avc_proof {
            f.confidence = 55;
            f.severity = Severity::Warning;
        }
        for (g, b) in &blocked {
            f = cite_events(f, g, evidence_label(*b));
        }
        for g in &drop_timeouts {
            f = cite_events(f, g, "connect timed out (a DROP rule looks like this)");
        }
        for (range, text) in firewall {
            f = f.label(InputKind::Listeners, range, text, false);
        }
        out.push(f);
    }
}

fn finding(facts: &Facts<'_>, block: Block, target: &str, port: Option<u16>, who: String) -> Finding {
    let host = target.rsplit_once(':').map_or(target, |(h, _)| h).trim_matches(['[', ']']);
    let selinux = selinux_facts(facts, port);
    let firewall = port.map(|p| firewall_facts(facts, p)).unwrap_or_default();
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
    let message = if block == Block::NoNetworkRoute {
        // Decided by the kernel of nginx's host: no packet, no timeout, always 502.
        format!("{who} {why}")
    } else {
        format!("{who} {why}, so clients get 502 Bad Gateway (504 if packets are dropped silently).")
    };
    let confidence = match block {
        Block::NoNetworkRoute => 90,
        _ if selinux.is_empty() && firewall.is_empty() => 75,
        _ => 95,
    };
    let mut f =
        Finding::new(INFO.code, Severity::Error, title).message(message).confidence(confidence).status(502);
    if block == Block::Selinux {
        for (range, text) in selinux {
            f = f.label(InputKind::Listeners, range, text, false);
        }
        if facts
            .listeners
            .is_none_or(|r| !r.facts.iter().any(|x| matches!(x, ProbeFact::SelinuxBoolean { .. })))
        {
            f = f.next_step(Command::new(
                "prove it is SELinux",
                "getsebool httpd_can_network_connect; sudo ausearch -m avc -c nginx",
            ));
        }
    } else if firewall.is_empty() && block != Block::NoNetworkRoute {
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
    Fix {
        summary: summary.into(),
        applicability: Applicability::DisplayOnly,
        edits: Vec::new(),
        commands: vec![
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
        ],
    }
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
    Fix {
        summary: "allow nginx to connect to the backend under SELinux".into(),
        applicability: Applicability::DisplayOnly,
        edits: Vec::new(),
        commands,
    }
}
