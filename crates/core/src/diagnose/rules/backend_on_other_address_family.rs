use crate::diagnose::Findings;
use std::net::IpAddr;

use crate::finding::{Applicability, Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::listeners::{Bind, Listener};
use crate::log::EventKind;

use super::super::evidence::{
    cite_events, endpoint_text, listener_text, name_lookup_labels, probe_labels, reload_commands,
    target_place, unnamed_listener_check,
};
use super::super::facts::{Endpoint, EndpointAddr, Facts, TcpReach};

declare_rule! {
    /// ## What it detects
    /// nginx and the backend disagree on the address family: nginx connects to IPv4
    /// (`127.0.0.1`) while the backend listens on IPv6 only (`[::1]`), or the other way
    /// round. Two common ways in: Node 17+ `listen(port, 'localhost')` binds `::1` only;
    /// `proxy_pass http://localhost:8000` makes nginx try `[::1]` first (glibc's address
    /// order) while the backend listens on `127.0.0.1` only.
    ///
    /// ## Why it causes a 502
    /// A socket bound to `::1` does not accept connections to `127.0.0.1` (and a v4 socket
    /// never accepts IPv6), so nginx's `connect()` is refused (`111: Connection refused`)
    /// and the client gets **502 Bad Gateway**.
    ///
    /// `localhost` depends on the host. Where it means both `::1` and `127.0.0.1` (the
    /// usual /etc/hosts), nginx resolves both at start and tries `[::1]` first: refused, it
    /// logs `upstream server temporarily disabled`, passes the request on to `127.0.0.1` and
    /// the client still gets **200** (lab capture: 200, 200, 200). That finding is a warning
    /// without a status: a refused connection about every 10 s per worker, and 502 only when
    /// the IPv4 attempt fails too. Where `localhost` means `127.0.0.1` only (no `::1` line)
    /// and the backend listens on `[::1]` only, every request is refused: **502**.
    /// `getent ahosts localhost` in the listeners paste tells which, the way nginx resolves it.
    ///
    /// Judged from the listener table only for addresses of the host it ran on (loopback,
    /// addresses a listener or nginx's `listen` binds, or `ip addr` lists): a `[::]` socket
    /// there says nothing about another machine at `10.0.0.7`.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// LISTEN 0 2048 [::1]:8000 [::]:* users:(("node",pid=10373,fd=5))
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Connect to the address the backend binds (`proxy_pass http://[::1]:8000;`), or make
    /// the backend listen on the family nginx uses (`server.listen(8000, '127.0.0.1')`,
    /// `gunicorn --bind 127.0.0.1:8000`). Prefer an IP literal to `localhost` in
    /// `proxy_pass`. Then `sudo nginx -t && sudo systemctl reload nginx`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server
    /// - https://github.com/nodejs/node/pull/39987
    code: BG204,
    name: "backend-on-other-address-family",
    title: "address-family mismatch: IPv4 vs IPv6",
    explains: [OtherAddressFamily],
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { port, ips, .. } = &endpoint.addr else { continue };
        match facts.tcp_reach(endpoint) {
            TcpReach::OtherFamily(candidates) => whole_family(facts, endpoint, *port, &candidates, out),
            // Some of the name's addresses accept, the others do not: only when the table
            // speaks for all of them (this host's addresses).
            TcpReach::Listening(_) if ips.len() > 1 && facts.endpoint_is_local(endpoint) => {
                partly(facts, endpoint, *port, ips, out)
            }
            TcpReach::Unknown if ips.len() > 1 && facts.listeners.is_none() => {
                partly_from_log(facts, endpoint, *port, ips, out)
            }
            _ => {}
        }
    }
    if facts.config.is_none() && facts.listeners.is_none() {
        v6_loopback_passed_on(facts, out);
    }
}

fn family(ip: IpAddr) -> &'static str {
    if ip.to_canonical().is_ipv4() { "IPv4" } else { "IPv6" }
}

/// The address to write in `proxy_pass` to reach this listener.
fn connect_address(listener: &Listener, loopback_target: bool) -> Option<String> {
    match &listener.bind {
        Bind::Ipv4(a) => Some(a.to_string()),
        Bind::Ipv6(a) => Some(format!("[{a}]")),
        Bind::AnyV4 if loopback_target => Some("127.0.0.1".into()),
        Bind::AnyV6 { .. } if loopback_target => Some("[::1]".into()),
        _ => None,
    }
}

fn whole_family(facts: &Facts<'_>, endpoint: &Endpoint, port: u16, candidates: &[usize], out: &mut Findings) {
    let EndpointAddr::Tcp { ips, .. } = &endpoint.addr else { return };
    let Some(best) = candidates.first().and_then(|&i| facts.listener(i)) else { return };
    let Some(ip) = ips.first() else { return };
    let loopback = ips.iter().all(|i| i.is_loopback() || i.to_canonical().is_loopback());
    let target = endpoint_text(endpoint);
    let (nginx_family, backend_family) =
        if ip.to_canonical().is_ipv4() { ("IPv4", "IPv6") } else { ("IPv6", "IPv4") };
    let refused: Vec<_> = facts.refused_for(endpoint);
    let place = target_place(facts, endpoint);
    let mut confidence: u8 = if refused.is_empty() { 82 } else { 94 };
    // A listener the paste cannot name may be anything (an exporter, a database): a hint only.
    let unnamed = facts.candidacy_on_target_port(best, endpoint.kind) != crate::diagnose::Candidacy::Fits;
    if unnamed {
        confidence -= 20;
    }
    let host = match &endpoint.addr {
        EndpointAddr::Tcp { host, .. } => host.as_str(),
        EndpointAddr::Unix { .. } => "",
    };
    // A name the paste looked up (`getent ahosts localhost`): say what it means here.
    let looked_up = facts.listeners.and_then(|r| r.resolved(host)).is_some_and(|(_, complete)| complete);
    let means = match ips.as_slice() {
        [one] if looked_up => format!(": {host} means {one} only on this host"),
        _ if looked_up => {
            let list: Vec<String> = ips.iter().map(|i| i.to_string()).collect();
            format!(": {host} means {} on this host", list.join(" and "))
        }
        _ => String::new(),
    };
    let mut finding = Finding::new(
        INFO.code,
        Severity::Error,
        format!("nginx connects over {nginx_family} to {target}, but the backend listens on {backend_family} only"),
    )
    .message(format!(
        "In {place}, nginx forwards requests to {target} ({nginx_family}{means}). On port {port}, {}: that socket \
         does not accept {nginx_family} connections, so nginx's connections are refused and clients get 502 Bad \
         Gateway.",
        listener_text(best)
    ))
    .confidence(confidence)
    .status(502)
    .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")))
    .label(Label::secondary(InputKind::Listeners, best.addr_range, listener_text(best)));
    for group in &refused {
        finding = cite_events(finding, group, &format!("connection to {target} refused"));
    }
    finding = name_lookup_labels(facts, finding, host);
    let new_host = connect_address(best, loopback);
    if let Some(host) = &new_host {
        finding = probe_labels(facts, finding, endpoint, host, port);
    }
    if refused.is_empty() && facts.log.is_none() {
        finding = finding.next_step(Command::new(
            "confirm that nginx's connections are refused",
            format!("sudo grep 'upstream' /var/log/nginx/error.log | grep ':{port}' | tail -n 5"),
        ));
    }
    if unnamed {
        finding = unnamed_listener_check(finding, port);
    }
    let mut fix = Fix::new(
        if new_host.is_some() && candidates.len() == 1 && !unnamed {
            Applicability::Safe
        } else {
            Applicability::DisplayOnly
        },
        match &new_host {
            Some(h) => format!("connect to {h}:{port}, where the backend listens"),
            None => format!("make nginx and the backend use the same address family on port {port}"),
        },
        Vec::new(),
    )
    .with_commands(vec![reload_commands()]);
    if let Some(edit) = new_host.as_deref().and_then(|h| facts.host_edit(endpoint, h)) {
        fix.add_edit(edit);
    }
    if let Some(h) = &new_host {
        fix.insert_command(
            0,
            Command::new(
                "check that the backend answers there",
                format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' http://{h}:{port}/"),
            ),
        );
    }
    let v4 = if nginx_family == "IPv4" { "127.0.0.1" } else { "::1" };
    finding = finding.fix(fix).note(format!(
        "Or make the backend listen where nginx connects: node `server.listen({port}, '{v4}')` (since Node 17, \
         'localhost' may mean ::1 only), gunicorn `--bind {}:{port}`, or a dual-stack `[::]:{port}`.",
        if v4.contains(':') { format!("[{v4}]") } else { v4.to_string() }
    ));
    out.push(finding);
}

/// `localhost` (or a name with both families): nginx tries every address in order; some
/// of them are refused, the others work.
fn partly(facts: &Facts<'_>, endpoint: &Endpoint, port: u16, ips: &[IpAddr], out: &mut Findings) {
    let Some(report) = facts.listeners else { return };
    let (ok, refused_ips): (Vec<IpAddr>, Vec<IpAddr>) =
        ips.iter().partition(|ip| report.listeners_accepting(**ip, port).next().is_some());
    let (Some(good), Some(bad)) = (ok.first(), refused_ips.first()) else { return };
    if family(*good) == family(*bad) {
        return;
    }
    let listener = report.listeners_accepting(*good, port).next();
    let refused: Vec<_> = facts
        .refused_for(endpoint)
        .into_iter()
        .filter(|g| g.event.upstream.as_ref().is_some_and(|u| u.host().parse::<IpAddr>().ok() == Some(*bad)))
        .collect();
    push_partly(
        facts,
        endpoint,
        port,
        *good,
        *bad,
        listener,
        &refused,
        if refused.is_empty() { 50 } else { 88 },
        out,
    );
}

/// No listener table: the log shows refusals for one family of a two-family name only.
fn partly_from_log(facts: &Facts<'_>, endpoint: &Endpoint, port: u16, ips: &[IpAddr], out: &mut Findings) {
    let events = facts.events_for(endpoint);
    let refused_host = |g: &&crate::log::EventGroup| {
        g.event.upstream.as_ref().and_then(|u| u.host().parse::<IpAddr>().ok()).map(|ip| ip.to_canonical())
    };
    let refused: Vec<_> =
        events.iter().filter(|g| g.event.kind == EventKind::ConnectRefused).copied().collect();
    let bad: Vec<IpAddr> = refused.iter().filter_map(refused_host).collect();
    let Some(first_bad) = bad.first() else { return };
    if !bad.iter().all(|ip| family(*ip) == family(*first_bad)) {
        return;
    }
    let Some(good) = ips.iter().find(|ip| family(**ip) != family(*first_bad)) else { return };
    let mut finding_refused = refused;
    finding_refused.retain(|g| refused_host(g).is_some());
    push_partly(facts, endpoint, port, *good, *first_bad, None, &finding_refused, 65, out);
}

#[allow(clippy::too_many_arguments)]
fn push_partly(
    facts: &Facts<'_>,
    endpoint: &Endpoint,
    port: u16,
    good: IpAddr,
    bad: IpAddr,
    listener: Option<&Listener>,
    refused: &[&crate::log::EventGroup],
    confidence: u8,
    out: &mut Findings,
) {
    let target = endpoint_text(endpoint);
    let place = target_place(facts, endpoint);
    let host = match &endpoint.addr {
        EndpointAddr::Tcp { host, .. } => host.as_str(),
        EndpointAddr::Unix { .. } => "",
    };
    let good_text = if good.is_ipv6() { format!("[{good}]") } else { good.to_string() };
    let bad_text = if bad.is_ipv6() { format!("[{bad}]") } else { bad.to_string() };
    // nginx disabled the refused address and passed the request on (the log's warning, or
    // refusals that decided no client status): the fallback is proven, not assumed.
    let disabled: Vec<_> = facts
        .events_for(endpoint)
        .into_iter()
        .filter(|g| g.event.kind == EventKind::ServerTemporarilyDisabled)
        .filter(|g| g.event.upstream.as_ref().is_some_and(|u| u.host().parse::<IpAddr>().ok() == Some(bad)))
        .collect();
    let passed_on = !refused.is_empty()
        && refused.iter().all(|g| !g.statuses.iter().any(|s| s.code().is_some_and(|c| c >= 500)));
    let looked_up = facts.listeners.and_then(|r| r.resolved(host)).is_some_and(|(_, complete)| complete);
    let known = passed_on || !disabled.is_empty() || looked_up;
    let tries = format!(
        "nginx resolved {host} once, at start, to both addresses and tries {bad_text} first. The backend listens \
         on {} only, so that connection is refused",
        family(good)
    );
    let outcome = if known {
        format!(
            "; nginx marks {bad_text} as failed for 10 s (`upstream server temporarily disabled`) and passes the \
             request on to {good_text}, where the backend answers. Clients still get their response, one refused \
             connection later. The refusal comes back about every 10 s per worker, and a request fails with 502 \
             Bad Gateway only when {good_text} fails too (the backend restarting; while both addresses are marked \
             failed, nginx logs `no live upstreams`)."
        )
    } else {
        format!(
            ". If {host} means both addresses on nginx's host, as localhost does on most distributions, nginx \
             passes the request on to {good_text} and clients get their response after a refused connection; if \
             it means {bad_text} only there, every request fails with 502 Bad Gateway."
        )
    };
    let mut finding = Finding::new(
        INFO.code,
        Severity::Warning,
        format!("{target} also means {bad_text}, where nothing listens: nginx's first try is refused"),
    )
    .message(format!("In {place}, nginx forwards requests to {target}. {tries}{outcome}"))
    .confidence(if known { confidence.max(90) } else { confidence })
    .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")));
    if !known {
        // Whether the name has both families depends on the host (/etc/hosts, gai.conf).
        finding = finding.note(format!(
            "This assumes {host} resolves to {bad_text} too on nginx's host: check with `getent ahosts {host}` \
             (nginx resolves names the same way, at start), and look for refused connections to {bad_text} in \
             the error log."
        ));
    }
    finding = name_lookup_labels(facts, finding, host);
    if let Some(l) = listener {
        finding = finding.label(Label::secondary(InputKind::Listeners, l.addr_range, listener_text(l)));
    }
    for group in refused {
        let what = if passed_on {
            format!("connection to {bad_text}:{port} refused, the request passed on to {good_text}")
        } else {
            format!("connection to {bad_text}:{port} refused")
        };
        finding = cite_events(finding, group, &what);
    }
    for group in &disabled {
        finding = cite_events(finding, group, &format!("{bad_text}:{port} marked failed for 10 s"));
    }
    let mut fix = Fix::safe(
        format!("connect to {good_text}:{port} instead of a name that also means {bad_text}"),
        Vec::new(),
    )
    .with_commands(vec![reload_commands()]);
    if let Some(edit) = facts.host_edit(endpoint, &good_text) {
        fix.add_edit(edit);
    }
    out.push(finding.fix(fix));
}
/// Log only: `[::1]:PORT` refused, nginx disables it and passes the request on, and no
/// failure is logged for an IPv4 address on that port — `localhost` resolved to both
/// families, and the backend listens on IPv4 only (lab capture `localhost-ipv6-first`).
fn v6_loopback_passed_on(facts: &Facts<'_>, out: &mut Findings) {
    let Some(log) = facts.log else { return };
    let addr = |g: &crate::log::EventGroup| {
        let u = g.event.upstream.as_ref()?;
        Some((u.host().parse::<IpAddr>().ok()?.to_canonical(), u.port()?))
    };
    let v6_loopback = IpAddr::V6(std::net::Ipv6Addr::LOCALHOST);
    let refused_at = |port: u16, v6: bool| {
        log.groups.iter().filter(move |g| g.event.kind == EventKind::ConnectRefused).filter(move |g| {
            addr(g).is_some_and(|(ip, p)| p == port && (ip == v6_loopback) == v6 && ip.is_loopback())
        })
    };
    let mut seen = Vec::new();
    for disabled in log.groups.iter().filter(|g| g.event.kind == EventKind::ServerTemporarilyDisabled) {
        let Some((ip, port)) = addr(disabled) else { continue };
        if ip != v6_loopback || seen.contains(&port) {
            continue;
        }
        seen.push(port);
        let refused: Vec<_> = refused_at(port, true).collect();
        let decided_5xx =
            refused.iter().any(|g| g.statuses.iter().any(|s| s.code().is_some_and(|c| c >= 500)));
        if refused.is_empty() || decided_5xx || refused_at(port, false).next().is_some() {
            continue;
        }
        let mut f = Finding::new(
            INFO.code,
            Severity::Warning,
            format!("[::1]:{port} refuses and nginx passes the request on: probably `localhost` with an IPv4-only backend"),
        )
        .message(format!(
            "nginx's connection to [::1]:{port} was refused; nginx marked that address failed for 10 s (`upstream \
             server temporarily disabled`) and passed the request on, and no failure is logged for the next address. \
             That is what `proxy_pass http://localhost:{port}` does where `localhost` means both ::1 and 127.0.0.1 \
             and the backend listens on 127.0.0.1 only: clients get their response one refused connection later, \
             and a 502 only when the IPv4 attempt fails too."
        ))
        .confidence(60);
        if let Some(first) = refused.first() {
            f = f.label(Label::primary(InputKind::Log, first.event.message_range, "refused on IPv6"));
        }
        for g in refused.iter().skip(1) {
            f = cite_events(f, g, "refused on IPv6");
        }
        f = cite_events(f, disabled, "nginx disables [::1] and tries the next address");
        out.push(
            f.fix(
                Fix::display_only(format!(
                    "connect to 127.0.0.1:{port} instead of localhost, or make the backend listen on ::1 too"
                ))
                .with_commands(vec![reload_commands()]),
            )
            .next_step(Command::new(
                "see what localhost resolves to, in the order nginx tries",
                "getent ahosts localhost",
            ))
            .next_step(Command::new(
                "see which family the backend listens on",
                format!("sudo ss -tlnp | grep ':{port} '"),
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("family-v4-backend", All), ("family-v6-backend", All), ("localhost-ipv4-only", All), ("family-v4-backend", ConfigListeners), ("family-v6-backend", ConfigListeners)],
        not: [("healthy", All), ("backend-down-unnamed-listeners", All), ("firewall-drop", All), ("firewall-lo-rule-remote-target", All), ("family-v4-backend", Config), ("family-v6-backend", Config)],
        snapshot: ("family-v4-backend", All),
    }
}
