use crate::diagnose::Findings;
use crate::finding::{Applicability, Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;

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

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("own-address-wrong-bind", All), ("wrong-address", All), ("own-address-wrong-bind", ConfigListeners), ("wrong-address", ConfigListeners)],
        not: [("healthy", All), ("backend-down-unnamed-listeners", All), ("firewall-drop", All), ("firewall-lo-rule-remote-target", All), ("own-address-wrong-bind", Config), ("wrong-address", Config)],
        snapshot: ("own-address-wrong-bind", All),
    }
}
