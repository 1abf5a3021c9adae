//! What the evidence says about nginx running in a container, and what that changes: in
//! nginx's own container `127.0.0.1` is that container, not the host and not the app's.
//! Shared by the rules (none of them imports another).

use std::net::IpAddr;

use crate::finding::{Command, Finding, Fix};
use crate::log::LogFormat;

use super::facts::Facts;

/// Why nginx appears to run in a container, in a few words, if the evidence shows it.
pub fn nginx_in_container(facts: &Facts<'_>) -> Option<&'static str> {
    if let Some(log) = facts.log {
        if log.format_count(LogFormat::DockerCompose) > 0 {
            return Some("its error-log lines carry `docker compose logs` prefixes");
        }
        if log.format_count(LogFormat::DockerContainerTag) > 0 {
            return Some("its error-log lines are tagged with a container ID");
        }
    }
    let model = facts.config.map(|c| c.model());
    if model.is_some_and(|m| m.resolvers.iter().any(|r| r.addresses.iter().any(|a| a == "127.0.0.11"))) {
        return Some(
            "its config uses `resolver 127.0.0.11`, Docker's embedded DNS, which answers only inside a container",
        );
    }
    let nginx_image = |c: &crate::listeners::Container| {
        c.is_running() == Some(true)
            && c.image.as_deref().is_some_and(|i| i.contains("nginx") || i.contains("openresty"))
    };
    if facts.listeners.is_some_and(|r| r.containers.iter().any(nginx_image)) {
        return Some("`docker ps` shows an nginx container running");
    }
    None
}

/// A refusal at a loopback address while nginx runs in a container: say what 127.0.0.1
/// is there, and give the fix that names the app's service instead.
pub fn own_loopback(mut finding: Finding, ip: IpAddr, port: u16, why: &str) -> Finding {
    let addr = if ip.is_ipv6() { format!("[{ip}]:{port}") } else { format!("{ip}:{port}") };
    finding.title = format!("nothing listens on {addr} in nginx's container: there it is nginx itself");
    finding.message = format!(
        "nginx runs in a container ({why}). Inside it, {addr} is nginx's own container, not the host and not the \
         app's container, and nothing listens there, so the connection is refused and clients get 502 Bad Gateway. \
         Unless the app runs inside nginx's own container, point nginx at the app's service name on a network both \
         containers share (`proxy_pass http://app:{port};` for a compose service `app`), or, for an app on the host, \
         at `host.docker.internal` (add `extra_hosts: [\"host.docker.internal:host-gateway\"]` to nginx's service)."
    );
    finding.confidence = finding.confidence.max(70);
    finding
        .fix(
            Fix::display_only(format!("proxy_pass to the app's service name (http://SERVICE:{port}), not to {addr}"))
                .with_commands(vec![
                    Command::new("see the compose services, their state and ports", "docker compose ps"),
                    Command::new(
                        "check from nginx's container that the app's name resolves and its port answers",
                        format!(
                            "docker compose exec nginx sh -c 'getent hosts app; wget -qO- -T 3 http://app:{port}/ | head -c 200'"
                        ),
                    ),
                    Command::new(
                        "check the config and reload nginx in its container",
                        "docker compose exec nginx nginx -t && docker compose exec nginx nginx -s reload",
                    ),
                ]),
        )
        .next_step(Command::new(
            "see where the app listens inside its own container (0.0.0.0, not 127.0.0.1)",
            format!("docker compose exec app sh -c 'ss -tlnp 2>/dev/null || netstat -tlnp' | grep ':{port}'"),
        ))
}
