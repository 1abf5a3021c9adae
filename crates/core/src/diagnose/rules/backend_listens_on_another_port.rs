use crate::diagnose::Findings;
use crate::finding::{Applicability, Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;

use super::super::evidence::{
    cite_events, endpoint_text, listener_address, listener_text, reload_commands, target_place,
};
use super::super::facts::{EndpointAddr, Facts, TcpReach};

declare_rule! {
    /// ## What it detects
    /// nginx sends requests to a port where nothing listens, while an application server
    /// (gunicorn, uvicorn, node, php-fpm, puma, ...) listens on another port of the same
    /// address. The port in `proxy_pass` (or in an `upstream` `server` line) and the port
    /// the backend binds disagree. Only for addresses of the host the listener table comes
    /// from (loopback, an address a listener or nginx's `listen` binds, or one `ip addr`
    /// lists): a gunicorn on `0.0.0.0:3000` here says nothing about port 8000 of another
    /// machine at `10.0.0.7` (BG201 reports a refusal there, from the log).
    ///
    /// The other listener must plausibly be the backend: a process of the kind the pass
    /// speaks to (`fastcgi_pass`: php-fpm, php-cgi; `uwsgi_pass`: uWSGI; `proxy_pass`: gunicorn,
    /// uvicorn, node, puma, java, python, ...), or the only application in a table whose other
    /// rows are named infrastructure. A listener the paste does not name (`ss` without root)
    /// is only a hint in BG201, with `sudo ss -tlnp` as the check; infrastructure ports and
    /// processes (ssh, DNS, mysql 3306, postgres 5432, redis 6379, exporters 9100-9999, sshd,
    /// containerd, ...) are never candidates (lab capture `backend-down-unnamed-listeners`).
    ///
    /// ## Why it causes a 502
    /// nginx's `connect()` to the configured port is refused (`111: Connection refused`),
    /// so it has no response to relay and answers **502 Bad Gateway**. The backend is
    /// healthy; it is simply not where nginx looks.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// LISTEN 0 2048 127.0.0.1:3000 0.0.0.0:* users:(("gunicorn",pid=21133,fd=5))
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Point nginx at the port the backend really uses (`proxy_pass http://127.0.0.1:3000;`),
    /// or start the backend on the port nginx expects (`gunicorn --bind 127.0.0.1:8000`).
    /// Then `sudo nginx -t && sudo systemctl reload nginx`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#server
    code: BG202,
    name: "backend-listens-on-another-port",
    title: "wrong port: the backend listens on another port",
    explains: [ListensOnAnotherPort],
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { port, .. } = &endpoint.addr else { continue };
        let TcpReach::OtherPort(candidates) = facts.tcp_reach(endpoint) else { continue };
        let Some(best) = candidates.first().and_then(|&i| facts.listener(i)) else { continue };
        let Some(new_port) = best.port else { continue };
        let target = endpoint_text(endpoint);
        let refused: Vec<_> = facts.refused_for(endpoint);

        let mut confidence = if refused.is_empty() { 75 } else { 92 };
        if candidates.len() > 1 {
            confidence -= 20;
        }
        let place = target_place(facts, endpoint);
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("nginx connects to port {port}, but the backend listens on port {new_port}"),
        )
        .message(format!(
            "In {place}, nginx forwards requests to {target}, where nothing listens, so every connection is \
             refused and clients get 502 Bad Gateway. On the same host, {}: the port nginx uses and the port \
             the backend binds disagree.",
            listener_text(best)
        ))
        .confidence(confidence)
        .status(502);
        let config_range = endpoint.port_range.unwrap_or(endpoint.range);
        finding = finding.label(Label::primary(
            InputKind::Config,
            config_range,
            format!("nginx connects to {target}"),
        ));
        finding = finding.label(Label::secondary(InputKind::Listeners, best.addr_range, listener_text(best)));
        for group in &refused {
            finding = cite_events(finding, group, &format!("connection to {target} refused"));
        }
        if refused.is_empty() && facts.log.is_none() {
            finding = finding.next_step(Command::new(
                "confirm that nginx's connections are refused",
                format!("sudo grep 'upstream' /var/log/nginx/error.log | grep ':{port}' | tail -n 5"),
            ));
        }
        // A few alternatives are useful; hundreds are noise (and cost the page).
        for &other in candidates.iter().skip(1).take(3) {
            if let Some(l) = facts.listener(other) {
                finding = finding.note(format!(
                    "Also a candidate: {} ({}).",
                    listener_text(l),
                    listener_address(l)
                ));
            }
        }
        if candidates.len() > 4 {
            finding = finding.note(format!(
                "{} more app servers listen on other ports of this host.",
                candidates.len() - 4
            ));
        }
        let edit = match endpoint.port_range {
            Some(range) => Edit { range, replacement: new_port.to_string() },
            None => Edit {
                range: crate::input::TextRange::new(endpoint.host_end, endpoint.host_end),
                replacement: format!(":{new_port}"),
            },
        };
        finding = finding.fix(Fix::new(if candidates.len() == 1 { Applicability::Safe } else { Applicability::Unsafe }, format!("send requests to port {new_port}, where the backend listens"), vec![edit]).with_commands(vec![
                Command::new(
                    "check that the backend answers on that port",
                    format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' http://{}/", listener_address(best).replace("0.0.0.0", "127.0.0.1").replace("[::]", "127.0.0.1").replace('*', "127.0.0.1")),
                ),
                reload_commands(),
            ]))
        .note(format!(
            "If port {port} is the one you meant, change the backend instead (for gunicorn: --bind {}:{port}) and restart it.",
            match &endpoint.addr {
                EndpointAddr::Tcp { host, .. } => host.as_str(),
                EndpointAddr::Unix { .. } => "",
            }
        ));
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("wrong-port", All), ("wrong-port", ConfigListeners)],
        not: [("healthy", All), ("backend-down-unnamed-listeners", All), ("backend-not-running", All), ("connect-timeout", All), ("wrong-port", Config)],
        snapshot: ("wrong-port", All),
    }
}
