use crate::diagnose::Findings;
use std::net::IpAddr;

use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::limits::MAX_RULES_CITED;
use crate::listeners::Listener;
use crate::log::{BackendKind, EventGroup, EventKind, Phase};

use super::super::Facts;
use super::super::container;
use super::super::evidence::{listener_text, paste_listeners};
use super::super::facts::{EndpointAddr, Failure};
use super::super::firewall::{self, Blocker, Outcome};
use super::super::response::{
    Incident, address_text, backend_groups, endpoint_at, incidents, locate, pass_kind, place_text,
    setting_origin, target_of, time_text,
};

declare_rule! {
    /// ## What it detects
    /// nginx could not even open the connection in time: `upstream timed out (110:
    /// Connection timed out) while connecting to upstream` (or `while SSL handshaking to
    /// upstream`), after `proxy_connect_timeout` (60s by default). The SYN went
    /// unanswered: a firewall drops packets, the host is gone, or the backend's accept
    /// queue is full (the kernel drops SYNs then). A listener row with Recv-Q above
    /// Send-Q (`LISTEN 129 128`) proves the full queue; a DROP rule on the port in the
    /// pasted `iptables -S`/`iptables -L -n -v`/`nft list ruleset`/`ufw status` proves the
    /// firewall, and BG207 then names it as the cause (rules read as BG207 reads them: in
    /// order, per chain, with interfaces and destinations). Also the kernel's variant,
    /// `connect() failed (110: Connection timed out)`, which is a 502.
    ///
    /// At an address not known to be nginx's host, nothing pasted from nginx's host can show
    /// what drops the SYN: the finding (below 80) names the causes in order (that host's
    /// firewall or a cloud security group / network ACL, the host down, its full queue) and
    /// the check that tells them apart, on that host: do nginx's SYNs arrive there (`tcpdump`)?
    /// (Lab capture `remote-firewall-drop`: gunicorn on 10.95.0.7:19741 in its own network
    /// namespace behind `iptables -A INPUT ... --dport 19741 -j DROP`, 504 after 1 s.)
    ///
    /// ## Why it causes a 504
    /// nginx's connect timer expiring gives **504 Gateway Timeout**. When it is the
    /// kernel that gives up on the SYN (`connect() failed (110)`), nginx treats it as an
    /// error and the client gets **502**. Lab captures (nginx 1.22.1, private network
    /// namespace, gunicorn listening): `iptables -A INPUT -p tcp --dport 19471 -j DROP` and
    /// nft's `tcp dport 19481 drop` on the output hook gave `upstream timed out (110:
    /// Connection timed out) while connecting to upstream` and 504 after
    /// `proxy_connect_timeout 1s`; a listen(0) backend whose queue is held full gave the same
    /// line with `LISTEN 1 0` in ss.
    ///
    /// ## Example
    /// ```text
    /// LISTEN 129  128  127.0.0.1:8000  0.0.0.0:*  users:(("gunicorn",pid=812,fd=5))
    /// [error] upstream timed out (110: Connection timed out) while connecting to upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// A full queue: the backend accepts too slowly. Add workers (gunicorn `--workers`,
    /// php-fpm `pm.max_children`), find what blocks them, and raise the backlog
    /// (gunicorn `--backlog`, `net.core.somaxconn`). A firewall: remove the DROP rule or
    /// accept nginx's host before it (BG207 gives the command). A remote host: check it is
    /// up and routable.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_connect_timeout
    /// - https://docs.gunicorn.org/en/stable/settings.html#backlog
    /// - https://man7.org/linux/man-pages/man2/listen.2.html
    code: BG402,
    name: "upstream-connect-timeout",
    title: "nginx could not connect in time: SYNs unanswered (504)",
    explains: [ConnectTimedOut],
}

fn classify(g: &EventGroup) -> Option<bool> {
    let e = &g.event;
    match (&e.kind, e.phase) {
        (EventKind::UpstreamTimedOut, Some(Phase::Connecting | Phase::SslHandshaking)) => Some(true),
        (EventKind::ConnectFailed, _) if e.errno == Some(110) => Some(false),
        _ => None,
    }
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for incident in incidents(facts, |g| classify(g).is_some()) {
        let Some(nginx_timer) = classify(incident.group) else { continue };
        let kind = pass_kind(facts, &incident);
        let directive = format!("{}_connect_timeout", kind.prefix());
        let target = address_text(facts, &incident);
        let place = place_text(facts, &incident);
        let config_target = endpoint_at(facts, &incident).and_then(|e| target_of(facts, e));
        let value = config_target.map_or_else(
            || "60s unless set".to_string(),
            |t| {
                format!(
                    "{}{}",
                    time_text(t.effective.connect_timeout.value),
                    setting_origin(&t.effective.connect_timeout)
                )
            },
        );
        let (ip, port) = address(facts, &incident);
        // Another machine (or one not known to be this host): its firewall and sockets are its own.
        // A container's address (Docker in the evidence) gets the container causes instead.
        let remote = ip.filter(|ip| {
            !ip.to_canonical().is_loopback() && !facts.is_local(*ip) && !container::docker_evident(facts, *ip)
        });
        // The table speaks for its own host's addresses only (not a remote backend's).
        let rows: Vec<&Listener> = match (facts.listeners, ip.filter(|ip| facts.is_local(*ip)), port) {
            (Some(l), Some(ip), Some(port)) => {
                l.listeners_accepting(ip, port).filter(|l| l.is_listening()).collect()
            }
            _ => Vec::new(),
        };
        let full: Vec<&&Listener> = rows.iter().filter(|l| l.backlog_full()).collect();
        // Rules of the paste that drop SYNs to this address: a REJECT answers, it never times out.
        let firewall: Vec<Blocker<'_>> = match (facts.listeners, port) {
            (Some(l), Some(port)) => {
                let ips: Vec<IpAddr> = ip.into_iter().collect();
                firewall::blockers(l, &ips, port, facts.all_local(&ips))
                    .into_iter()
                    .filter(|b| b.outcome == Outcome::Dropped)
                    .collect()
            }
            _ => Vec::new(),
        };
        let firewall_listed = facts.firewall_listed(false);

        let mut message = if nginx_timer {
            format!(
                "{place} tried to connect to {target}, and no connection was established within {directive} \
                 ({value}): the SYN went unanswered. This is nginx's own timer, so the client got 504 Gateway \
                 Timeout, not 502."
            )
        } else {
            format!(
                "{place} tried to connect to {target}, and the operating system gave up on the SYN (connect() \
                 failed, 110: Connection timed out). This is the kernel's timer, not {directive}, so the client \
                 got 502 Bad Gateway, not 504."
            )
        };
        let confidence;
        if let Some(row) = full.first() {
            message.push_str(&format!(
                " The listener table proves why: {}, and its accept queue is full (Recv-Q {} > Send-Q {}), so the \
                 kernel drops new SYNs. The backend accepts connections more slowly than they arrive: its workers \
                 are busy or stuck.",
                listener_text(row),
                row.recv_q.unwrap_or_default(),
                row.send_q.unwrap_or_default()
            ));
            confidence = 95;
        } else if !firewall.is_empty() {
            message.push_str(
                " A firewall rule in the paste drops packets to this port, and a dropped SYN is never answered \
                 (BG207 names the rule).",
            );
            confidence = 85;
        } else if !rows.is_empty() {
            message.push_str(
                " The backend listens and its queue is not full in the pasted table (it may have drained since): a \
                 firewall dropping packets, or a backend that was overloaded at the time, are the usual causes.",
            );
            confidence = 70;
        } else if let Some(ip) = remote {
            message.push_str(&format!(
                " {ip} is not known to be an address of this host, so nothing pasted from nginx's host can show what \
                 stops the SYN{}. The likely causes, in order: a firewall on {ip} that drops the port, or a cloud \
                 security group or network ACL between the hosts (they drop; a closed port would refuse at once); \
                 {ip} is down or unreachable; the backend's accept queue there is full. The check that tells them \
                 apart runs on {ip}: watch for nginx's SYNs there while you retry. None arrive: they are dropped on \
                 the way (security group, network ACL, a firewall between, a wrong route). They arrive and go \
                 unanswered: that host's own firewall, or its full queue (`ss -tln` there: Recv-Q above Send-Q).",
                if firewall_listed { " (the firewall rules pasted here are nginx's host's, and drop nothing to it)" } else { "" }
            ));
            confidence = 65;
        } else {
            message.push_str(
                " Usual causes: a firewall that drops (rather than rejects) packets, a host that is down or \
                 unroutable, or a backend whose accept queue is full. On this host the listener table tells them \
                 apart: a row with Recv-Q above Send-Q is a full queue; a listener with room left means a rule \
                 drops the SYNs (the firewall listing names it).",
            );
            confidence = 70;
        }
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            if nginx_timer {
                format!("connecting to {target} timed out ({directive}): 504")
            } else {
                format!("connecting to {target} timed out in the kernel: 502, not 504")
            },
        )
        .message(message)
        .confidence(confidence)
        .status(if nginx_timer { 504 } else { 502 });
        // A saturated backend is the cause when the table or the backend's log shows it.
        let saturated = backend_groups(facts, |k| {
            matches!(k, BackendKind::PhpFpmMaxChildren { .. } | BackendKind::UwsgiListenQueueFull { .. })
        });
        let cause = if nginx_timer && ((!full.is_empty() && facts.config.is_some()) || !saturated.is_empty())
        {
            Some(Failure::ListenQueueFull)
        } else if !firewall.is_empty() {
            // The firewall rule's finding cites the rule and this line together: the rule is the cause.
            Some(Failure::ConnectionBlocked)
        } else {
            None
        };
        if let Some(code) = cause.and_then(super::explaining) {
            finding = finding.caused_by(code).confidence(84);
        }
        finding = locate(finding, facts, &incident, "the connection was not established in time");
        for row in &full {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                row.range,
                format!(
                    "accept queue full: Recv-Q {} > Send-Q (backlog) {}",
                    row.recv_q.unwrap_or_default(),
                    row.send_q.unwrap_or_default()
                ),
            ));
        }
        for f in firewall.iter().take(MAX_RULES_CITED) {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                f.range,
                "this rule drops packets to the backend port",
            ));
        }
        if !full.is_empty() {
            finding = finding.fix(Fix::display_only("let the backend accept faster: more workers, find what blocks them, a larger backlog").with_commands(vec![
                    Command::new(
                        "watch the queue (Recv-Q) of the backend's socket",
                        format!("sudo ss -tlnp 'sport = :{}'", port.unwrap_or_default()),
                    ),
                    Command::new(
                        "more workers and a larger backlog (gunicorn; php-fpm: pm.max_children, listen.backlog)",
                        "gunicorn --workers 4 --backlog 2048 ...; sudo sysctl net.core.somaxconn",
                    ),
                ]));
        } else if let (Some(ip), true) = (remote, firewall.is_empty()) {
            let port = port.unwrap_or_default();
            finding = finding
                .next_step(Command::new(
                    format!("on {ip}, while you retry: do nginx's SYNs arrive? (none: dropped on the way)"),
                    format!("ssh {ip} \"sudo timeout 30 tcpdump -ni any -c 5 'tcp dst port {port} and tcp[tcpflags] & tcp-syn != 0'\""),
                ))
                .next_step(Command::new(
                    format!("on {ip}: does the backend listen on {port}, on which address, and does a rule drop it?"),
                    format!("ssh {ip} \"sudo ss -tlnp | grep ':{port}'; sudo iptables -S | grep -E 'DROP|{port}'; sudo nft list ruleset | grep -iE 'drop|{port}'\""),
                ))
                .note(format!(
                    "In a cloud, the security group (or network ACL, firewall rule) of {ip}'s instance must allow TCP \
                     port {port} from nginx's host: a missing rule drops the SYN, which gives this line."
                ));
            // 172.16/12 is Docker's range and many companies' too: the container causes as well.
            finding = container::unreachable_container(finding, ip);
        } else {
            if facts.listeners.is_none() {
                finding = finding.next_step(paste_listeners());
            }
            if !firewall_listed {
                finding = finding.next_step(Command::new(
                    "look for firewall rules that drop packets to the backend port",
                    format!(
                        "sudo iptables -S | grep -E 'DROP|{}'; sudo nft list ruleset | grep -i drop",
                        port.unwrap_or_default()
                    ),
                ));
            }
            finding = finding.next_step(Command::new(
                "try the connection from the nginx host, with a short timeout",
                format!("curl -sS -m 5 -o /dev/null -w '%{{http_code}}\\n' http://{target}/"),
            ));
            if let Some(ip) = ip {
                finding = container::unreachable_container(finding, ip);
            }
        }
        out.push(finding);
    }
}

/// The IP and port the line is about: the config's endpoint, else the log's `upstream:`.
fn address(facts: &Facts<'_>, incident: &Incident<'_>) -> (Option<IpAddr>, Option<u16>) {
    if let Some(e) = endpoint_at(facts, incident) {
        if let EndpointAddr::Tcp { ips, port, .. } = &e.addr {
            // The log names the address nginx actually tried.
            let tried = incident.group.event.upstream.as_ref().and_then(|u| u.host().parse::<IpAddr>().ok());
            return (tried.or_else(|| ips.first().copied()), Some(*port));
        }
        return (None, None);
    }
    let u = incident.group.event.upstream.as_ref();
    (u.and_then(|u| u.host().parse().ok()), u.and_then(|u| u.port()))
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("connect-timeout", All), ("firewall-drop", All), ("nft-drop", All), ("connect-timeout", Log), ("firewall-drop", Log)],
        not: [("healthy", All), ("firewall-lo-rule-remote-target", All), ("firewall-reject-prohibited", All), ("firewall-reject-reset", All), ("connect-timeout", ConfigListeners), ("firewall-drop", ConfigListeners)],
        snapshot: ("connect-timeout", All),
    }
}
