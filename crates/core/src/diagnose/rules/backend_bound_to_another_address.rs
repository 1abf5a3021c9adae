use crate::diagnose::Findings;
use crate::finding::{Applicability, Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;

use super::super::container;
use super::super::evidence::{
    cite_events, endpoint_text, listener_text, probe_labels, reload_commands, target_place,
    unnamed_listener_check,
};
use super::super::facts::{EndpointAddr, Facts, TcpReach};

declare_rule! {
    /// ## What it detects
    /// Something listens on the port nginx connects to, but bound to another address of
    /// the same family: the backend binds `127.0.0.2`, a LAN address or a container's IP,
    /// while nginx connects to `127.0.0.1` (or the other way round). Only when the address
    /// nginx connects to is one of the host the listener table comes from (loopback, an
    /// address a listener or nginx's `listen` binds, or one `ip addr` lists): for an address
    /// that may be another machine, a socket on this host's `127.0.0.1:8000` proves nothing
    /// (BG201 reports a refusal there from the log, and says what the table would mean if the
    /// address were this host's; paste `ip -br addr` to decide).
    ///
    /// Also for a container, when a table run inside the target's container shows the app
    /// bound to that container's loopback (`docker compose exec app netstat -tln`; its rows
    /// are kept apart from the host's listeners; lab capture `docker-app-loopback-exec`,
    /// real Docker): nginx's connections to the container's address are refused.
    ///
    /// ## Why it causes a 502
    /// A socket bound to one address does not accept connections to another, so nginx's
    /// `connect()` is refused (`111: Connection refused`) and, with no response to relay,
    /// nginx answers **502 Bad Gateway**. A `curl` to the address the backend binds works,
    /// which makes this one look like an nginx problem.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// LISTEN 0 2048 127.0.0.2:8000 0.0.0.0:* users:(("gunicorn",pid=10352,fd=5))
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Point nginx at the address the backend binds (`proxy_pass http://127.0.0.2:8000;`), or
    /// bind the backend where nginx connects (`gunicorn --bind 127.0.0.1:8000`; `0.0.0.0`
    /// only if it must be reachable from other hosts). Then
    /// `sudo nginx -t && sudo systemctl reload nginx`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    /// - https://docs.gunicorn.org/en/stable/settings.html#bind
    code: BG203,
    name: "backend-bound-to-another-address",
    title: "wrong address: the backend listens on this port, but on another address",
    explains: [BoundToAnotherAddress],
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    in_container(facts, out);
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { port, .. } = &endpoint.addr else { continue };
        let TcpReach::OtherAddress(candidates) = facts.tcp_reach(endpoint) else { continue };
        let Some(best) = candidates.first().and_then(|&i| facts.listener(i)) else { continue };
        let Some(address) = best.bind.address_text() else { continue };
        let target = endpoint_text(endpoint);
        let refused: Vec<_> = facts.refused_for(endpoint);
        let place = target_place(facts, endpoint);
        let mut confidence: u8 = if refused.is_empty() { 80 } else { 94 };
        // A listener the paste cannot name may be anything (an exporter, a database): a hint only.
        let unnamed = facts.candidacy_on_target_port(best, endpoint.kind) != crate::diagnose::Candidacy::Fits;
        if unnamed {
            confidence -= 20;
        }
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("nginx connects to {target}, but the backend listens on {address}:{port}"),
        )
        .message(format!(
            "In {place}, nginx forwards requests to {target}. Something listens on port {port}, but bound to \
             {address}, and a socket bound to one address does not accept connections to another: nginx's \
             connections are refused and clients get 502 Bad Gateway."
        ))
        .confidence(confidence)
        .status(502)
        .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")))
        .label(Label::secondary(InputKind::Listeners, best.addr_range, listener_text(best)));
        for group in &refused {
            finding = cite_events(finding, group, &format!("connection to {target} refused"));
        }
        finding = probe_labels(facts, finding, endpoint, &address, *port);
        if refused.is_empty() && facts.log.is_none() {
            finding = finding.next_step(Command::new(
                "confirm that nginx's connections are refused",
                format!("sudo grep 'upstream' /var/log/nginx/error.log | grep ':{port}' | tail -n 5"),
            ));
        }
        if unnamed {
            finding = unnamed_listener_check(finding, *port);
        }
        let connect_to = address.clone();
        let mut fix = Fix::new(
            match (unnamed, candidates.len()) {
                (true, _) => Applicability::DisplayOnly,
                (false, 1) => Applicability::Safe,
                (false, _) => Applicability::Unsafe,
            },
            format!("send requests to {connect_to}:{port}, where the backend listens"),
            Vec::new(),
        )
        .with_commands(vec![
            Command::new(
                "check that the backend answers there",
                format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' http://{connect_to}:{port}/"),
            ),
            reload_commands(),
        ]);
        if let Some(edit) = facts.host_edit(endpoint, &address) {
            fix.add_edit(edit);
        }
        finding = finding.fix(fix).note(format!(
            "Or bind the backend to the address nginx uses (gunicorn: --bind {}:{port}; node: \
             server.listen({port}, '{}')) and restart it.",
            endpoint_host(endpoint),
            endpoint_host(endpoint)
        ));
        out.push(finding);
    }
}

fn endpoint_host(endpoint: &super::super::facts::Endpoint) -> String {
    match &endpoint.addr {
        EndpointAddr::Tcp { host, .. } => host.clone(),
        EndpointAddr::Unix { path } => path.clone(),
    }
}

/// The target's container, by a table run inside it (`docker exec app netstat -tln`), listens
/// on its own 127.0.0.1 only, while nginx connects to the container's address.
fn in_container(facts: &Facts<'_>, out: &mut Findings) {
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { host, port, ips } = &endpoint.addr else { continue };
        let mut refused = facts.refused_for(endpoint);
        if refused.is_empty() {
            refused = facts.refused_at_resolved(endpoint);
        }
        let ip = refused
            .first()
            .and_then(|g| g.event.upstream.as_ref())
            .and_then(|u| u.host().parse::<std::net::IpAddr>().ok())
            .or_else(|| ips.first().copied());
        if ip.is_some_and(|ip| ip.to_canonical().is_loopback()) {
            continue;
        }
        let Some(cl) = container::listens_on_own_loopback(facts, host, ip, *port) else { continue };
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let addr = cl.listener.bind.address_text().unwrap_or_else(|| "127.0.0.1".to_string());
        let bound = format!("a socket listening on {addr}:{port} only");
        let at = ip.map(|ip| format!(" ({ip}:{port})")).unwrap_or_default();
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("the app listens on {addr}:{port} inside its container {}: nginx cannot reach it there", cl.container),
        )
        .message(format!(
            "In {place}, nginx forwards requests to {target}{at}. The table run inside container {} shows {bound}: \
             the app takes connections from inside its own container only. A container's 127.0.0.1 is its own, so \
             nginx's connections to the container's address are refused and clients get 502 Bad Gateway. Make the \
             app listen on 0.0.0.0:{port} inside the container.",
            cl.container
        ))
        .confidence(if refused.is_empty() { 80 } else { 93 })
        .status(502)
        .label(Label::primary(InputKind::Listeners, cl.listener.addr_range, format!("{bound}, inside {}", cl.container)))
        .label(Label::secondary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")));
        for group in &refused {
            finding = cite_events(finding, group, &format!("connection to {target} refused"));
        }
        out.push(finding.fix(
            Fix::display_only(format!(
                "make the app listen on 0.0.0.0:{port} in its container (gunicorn --bind 0.0.0.0:{port}; flask run \
                 --host 0.0.0.0; uvicorn --host 0.0.0.0; node: server.listen({port}, '0.0.0.0'))"
            ))
            .with_commands(vec![
                Command::new("after the change: recreate the container", format!("docker compose up -d --force-recreate {}", cl.container)),
                Command::new(
                    format!("check inside it: the socket is now 0.0.0.0:{port}"),
                    format!("docker compose exec {} sh -c 'ss -tln 2>/dev/null || netstat -tln' | grep ':{port}'", cl.container),
                ),
            ]),
        ));
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("own-address-wrong-bind", All), ("wrong-address", All), ("own-address-wrong-bind", ConfigListeners), ("wrong-address", ConfigListeners)],
        not: [("healthy", All), ("backend-down-unnamed-listeners", All), ("firewall-drop", All), ("firewall-lo-rule-remote-target", All), ("own-address-wrong-bind", Config), ("wrong-address", Config)],
        snapshot: ("own-address-wrong-bind", All),
    }
}
