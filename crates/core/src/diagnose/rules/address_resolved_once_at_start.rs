use crate::diagnose::Findings;
use std::net::IpAddr;

use badgateway_config::TargetHost;

use crate::finding::{Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::{EventGroup, EventKind, Phase};

use super::super::container;
use super::super::evidence::{
    cite_events, endpoint_text, line_indent, listener_text, name_lookup_labels, reload_commands, target_place,
};
use super::super::facts::{EndpointAddr, Facts, literal_ips};
use super::super::resolver::{ResolverChoice, choose_resolver};

declare_rule! {
    /// ## What it detects
    /// `proxy_pass` (or an `upstream` `server`) names a host, nginx resolved it once when it
    /// started, and connections now fail to the address it got then: typically a Docker
    /// or Kubernetes container that was recreated with a new IP while nginx kept running.
    /// Evidence: the log's `upstream:` shows an IP that fails (refused, no route, timed out)
    /// for a target the config names by host name. `getent hosts NAME` in the listeners
    /// paste proves it: the name means another address now (lab capture: nginx still
    /// connected to 127.0.0.2 after `backend.test` moved to 127.0.0.3, 502). A failure to
    /// the address the name still has is a backend that is down, not a stale address; and so
    /// are refusals when `docker ps` shows the name's container up at least as long as nginx's
    /// (lab capture `docker-app-loopback`: both up 7 seconds, the app bound to its own
    /// 127.0.0.1). A recreated container's old address refuses when another container took it,
    /// and gives no route or a timeout when none did (`container-recreated`: 113).
    ///
    /// ## Why it causes a 502
    /// nginx keeps using the old address until it is reloaded; nothing (or something
    /// else) is there now, so connections fail and clients get **502 Bad Gateway** (504
    /// when the old address silently drops packets).
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://app:8000; }
    /// ```
    /// ```text
    /// [error] connect() failed (113: No route to host) while connecting to upstream, ... upstream: "http://172.18.0.3:8000/"
    /// ```
    ///
    /// ## Fix
    /// Reload nginx now (`sudo nginx -s reload` resolves again). For good, make nginx
    /// re-resolve: a `resolver` with the host in a variable (`set $app app; proxy_pass
    /// http://$app:8000;`), or, in an `upstream` with a `zone`, `server app:8000 resolve;`
    /// (nginx 1.27.3+). The `resolver` asks DNS only: a name that only /etc/hosts knows cannot
    /// be re-resolved that way, reload instead (systemd-resolved's 127.0.0.53 is the exception:
    /// it answers from /etc/hosts too). (Lab capture of the fix on nginx 1.22: with
    /// `resolver ... valid=1s` and the variable, the request after the move reached the backend
    /// at its new address, 200.)
    ///
    /// The DNS server in the suggested `resolver` comes from the evidence, in this order:
    /// - a `resolver` already in effect for the target: it is kept, only the variable is added;
    /// - a pasted resolv.conf (`cat /etc/resolv.conf`, or its `nameserver` lines): its servers,
    ///   with a note when Docker wrote it (its embedded DNS, for nginx in that container) or
    ///   when it is systemd-resolved's stub 127.0.0.53 (usable by nginx on that host only);
    /// - Docker seen in the inputs (`docker ps`, a `docker-proxy` listener, `docker compose
    ///   logs` prefixes, a container ID as the journald tag, an old address in 172.16.0.0/12):
    ///   `resolver 127.0.0.11` (Docker's embedded DNS), with a note that it answers only inside
    ///   a container on a user-defined network;
    /// - otherwise the placeholder `DNS_SERVER_IP`, marked in a comment, with
    ///   `grep ^nameserver /etc/resolv.conf` to find the address; that fix is display-only
    ///   (nginx -t refuses the placeholder: `host not found in resolver "DNS_SERVER_IP"`).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#resolve
    code: BG209,
    name: "address-resolved-once-at-start",
    title: "stale address: a host name resolved once at start",
}

fn is_connect_failure(group: &EventGroup) -> bool {
    let e = &group.event;
    match e.kind {
        EventKind::ConnectRefused => true,
        EventKind::ConnectFailed => matches!(e.errno, Some(101 | 110 | 111 | 113)),
        EventKind::UpstreamTimedOut => e.phase == Some(Phase::Connecting),
        _ => false,
    }
}

fn refusal(group: &EventGroup) -> bool {
    group.event.kind == EventKind::ConnectRefused || group.event.errno == Some(111)
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    if facts.log.is_none() {
        return;
    }
    let model = config.model();
    let src = config.source();
    // Addresses the config names literally: failures to them are not about a stale name.
    let literal: std::collections::HashSet<IpAddr> = facts
        .endpoints
        .iter()
        .flat_map(|e| match &e.addr {
            EndpointAddr::Tcp { host, .. } => {
                literal_ips(host).into_iter().map(|ip| ip.to_canonical()).collect()
            }
            EndpointAddr::Unix { .. } => Vec::new(),
        })
        .collect();
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { host, port, ips } = &endpoint.addr else { continue };
        // Only names nginx resolves at start: not IPs, not localhost, not re-resolved servers.
        if !literal_ips(host).is_empty() || host.is_empty() {
            continue;
        }
        let resolved_later = endpoint
            .upstream_server
            .and_then(|(u, s)| model.upstreams.get(u).and_then(|u| u.servers.get(s)))
            .is_some_and(|s| s.resolve);
        if resolved_later {
            continue;
        }
        // What the name means now, when the paste looked it up (`ips` is empty otherwise).
        let now: Vec<IpAddr> = ips.iter().map(|ip| ip.to_canonical()).collect();
        // Failures to an IP on this port that no literal endpoint of the config names, and
        // that the name does not mean any more (when that is known).
        let failures: Vec<&EventGroup> = facts
            .events_on_port(*port)
            .filter(|g| is_connect_failure(g))
            .filter(|g| {
                let Some(u) = &g.event.upstream else { return false };
                let Ok(ip) = u.host().parse::<IpAddr>() else { return false };
                let ip = ip.to_canonical();
                u.port() == Some(*port) && !literal.contains(&ip) && !now.contains(&ip)
            })
            .collect();
        // Refusals alone, when `docker ps` shows the name's container up at least as long as
        // nginx's: it was not recreated after nginx resolved it, so the backend there is down
        // or listens elsewhere (the lab's docker-app-loopback: its app on its own 127.0.0.1).
        if now.is_empty()
            && failures.iter().all(|g| refusal(g))
            && container::running_since_nginx(facts, host)
        {
            continue;
        }
        let Some(first) = failures.first() else { continue };
        let old = first.event.upstream.as_ref().map(|u| u.target().to_owned()).unwrap_or_default();
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let now_text = now.iter().map(|ip| ip.to_string()).collect::<Vec<_>>().join(", ");
        let mut f = Finding::new(
            INFO.code,
            Severity::Error,
            format!("nginx still connects to {old}, the address {host} had when nginx started"),
        )
        .message(if now.is_empty() {
            format!(
                "In {place}, nginx forwards requests to {target}. nginx resolved {host} once, when it started, and \
                 keeps connecting to that address ({old}), which now fails: if {host} is a container that was \
                 recreated, it has a new address. Clients get 502 Bad Gateway until nginx resolves the name again."
            )
        } else {
            format!(
                "In {place}, nginx forwards requests to {target}. nginx resolved {host} once, when it started, and \
                 keeps connecting to that address ({old}), which now fails, while {host} now means {now_text} on \
                 this host: the backend moved (a recreated container gets a new address). Clients get 502 Bad \
                 Gateway until nginx resolves the name again."
            )
        })
        .confidence(if now.is_empty() { 62 } else { 92 })
        .status(502)
        .label(Label::primary(InputKind::Config, endpoint.range, format!("{host} is resolved once, at start")));
        for g in &failures {
            f = cite_events(f, g, "connection to the old address failed");
        }
        f = name_lookup_labels(facts, f, host);
        if let Some(report) = facts.listeners {
            // The table shows the backend only at an address of its own host.
            for ip in now.iter().filter(|ip| facts.is_local(**ip)) {
                if let Some(l) = report.listeners_accepting(*ip, *port).next() {
                    f = f.label(Label::secondary(
                        InputKind::Listeners,
                        l.addr_range,
                        format!("{}: the backend is here now", listener_text(l)),
                    ));
                    break;
                }
            }
        }
        let target_def = model.targets.get(endpoint.target);
        let old_ip = first.event.upstream.as_ref().and_then(|u| u.host().parse::<IpAddr>().ok());
        let choice =
            target_def.map(|t| choose_resolver(facts, t, old_ip)).unwrap_or_else(ResolverChoice::unknown);
        if !choice.answers_hosts_file {
            f = f.note(format!(
                "nginx's `resolver` asks DNS servers only; it does not read /etc/hosts. If {host} is defined in \
                 /etc/hosts (or by a container's links), the resolver fix cannot find it: reload nginx after the \
                 address changes instead."
            ));
        }
        if now.is_empty() {
            f = f.next_step(Command::new(
            "compare with the address the name has now",
            format!("getent hosts {host}; docker inspect -f '{{{{range .NetworkSettings.Networks}}}}{{{{.IPAddress}}}}{{{{end}}}}' {host}"),
        ));
        }
        for (input, range, text) in &choice.labels {
            f = f.label(Label::secondary(*input, *range, text.clone()));
        }
        for note in &choice.notes {
            f = f.note(note.clone());
        }
        let mut fix = Fix::new(
            choice.applicability,
            format!("resolve {host} at request time, with a resolver and a variable"),
            Vec::new(),
        )
        .with_commands(vec![
            Command::new("now: make nginx resolve the name again", "sudo nginx -t && sudo nginx -s reload"),
            reload_commands(),
        ]);
        if let Some(find) = &choice.find {
            fix.insert_command(1, find.clone());
        }
        if let Some(target_def) = target_def {
            if endpoint.upstream_server.is_none() && matches!(target_def.host, TargetHost::Inet { .. }) {
                let indent = line_indent(src, target_def.range.start);
                let var = "$backend_host";
                let scheme = target_def.scheme.clone().map(|s| format!("{s}://")).unwrap_or_default();
                let uri = target_def.uri.clone().unwrap_or_default();
                let resolver = match &choice.line {
                    Some(line) => format!("{line}\n{indent}"),
                    None => String::new(),
                };
                fix.add_edit(Edit {
                    range: target_def.range,
                    replacement: format!(
                        "{resolver}set {var} {host};\n{indent}{} {scheme}{var}:{port}{uri};",
                        target_def.kind.directive()
                    ),
                });
                if !uri.is_empty() {
                    f = f.note(
                        "With a variable in proxy_pass, a URI part replaces the whole request URI: check the \
                         paths still map as before.",
                    );
                }
            } else {
                let resolver = match &choice.line {
                    Some(line) => format!("with `{}` in http {{}}", line.split(" #").next().unwrap_or(line)),
                    None => "with the resolver already in effect".to_string(),
                };
                fix.insert_command(
                    1,
                    Command::new(
                        format!(
                            "in the upstream block, add `zone backends 64k;` and `server {host}:{port} resolve;` (nginx \
                             1.27.3+, {resolver}), then check and reload"
                        ),
                        "sudoedit /etc/nginx/nginx.conf",
                    ),
                );
            }
        }
        out.push(f.fix(fix));
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("stale-address", All)],
        not: [("healthy", All), ("php-primary-script-unknown", All), ("remote-backend", All), ("stale-address-resolver", All), ("stale-address", ConfigListeners)],
        snapshot: ("stale-address", All),
    }
}
