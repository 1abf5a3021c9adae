//! What the evidence says about nginx running in a container, and what that changes: in
//! nginx's own container `127.0.0.1` is that container, not the host and not the app's.
//! Shared by the rules (none of them imports another).

use std::net::IpAddr;

use crate::finding::{Command, Finding, Fix};
use crate::listeners::Container;
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

/// `ip` is a container's as far as the evidence shows: in Docker's range, with Docker in the
/// paste (nginx in a container, or `docker ps`/`inspect` rows). 172.16.0.0/12 alone is not
/// enough: many company networks use it for hosts, which get the other-host checks too.
pub fn docker_evident(facts: &Facts<'_>, ip: IpAddr) -> bool {
    super::facts::looks_like_container(ip)
        && (nginx_in_container(facts).is_some() || facts.listeners.is_some_and(|r| !r.containers.is_empty()))
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

/// The containers in the paste that a host name nginx connects to may be: the name, compose
/// service or network alias Docker's DNS answers to, or a compose-made container name
/// (`shop_app_1` by docker-compose v1, `shop-app-1` by v2) when `docker ps` shows no service.
pub fn containers_named<'f>(facts: &Facts<'f>, name: &str) -> Vec<&'f Container> {
    let Some(report) = facts.listeners else { return Vec::new() };
    let name = name
        .rsplit_once(':')
        .map_or(name, |(host, port)| if port.bytes().all(|b| b.is_ascii_digit()) { host } else { name });
    if name.is_empty() || name.starts_with('$') || name.parse::<IpAddr>().is_ok() {
        return Vec::new();
    }
    report.containers.iter().filter(|c| c.answers_to(name) || compose_made(&c.name, name)).collect()
}

/// `PROJECT_SERVICE_N` (docker-compose v1) or `PROJECT-SERVICE-N` (compose v2).
fn compose_made(container: &str, service: &str) -> bool {
    ['_', '-'].iter().any(|&sep| {
        container.rsplit_once(sep).is_some_and(|(rest, n)| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && rest
                    .strip_suffix(service)
                    .is_some_and(|project| project.len() > 1 && project.ends_with(sep))
        })
    })
}

/// A running container that exposes `port` without publishing it on the host, when no
/// listener of the pasted table takes the port: the app is reachable only on the
/// container's own address, from its networks.
pub fn exposed_not_published<'f>(facts: &Facts<'f>, port: u16) -> Option<&'f Container> {
    let report = facts.listeners?;
    if report.listeners.iter().any(|l| l.is_listening() && l.port == Some(port)) {
        return None;
    }
    report.containers.iter().find(|c| c.is_running() == Some(true) && c.exposes_unpublished(port))
}

/// What a container's exit code usually means, for the message.
pub fn exit_code_meaning(code: i32) -> Option<&'static str> {
    Some(match code {
        0 => "its main process finished (exit 0): a command that runs once, not a server",
        1 => "the app failed (exit 1): its log says why",
        125..=127 => "the container's command could not be run (125-127: a wrong command or entrypoint)",
        137 => "it was killed (137 = SIGKILL: `docker stop` after its timeout, or the kernel's OOM killer)",
        139 => "it crashed (139 = SIGSEGV)",
        143 => "it was stopped (143 = SIGTERM: `docker stop`, `docker compose down`)",
        _ => return None,
    })
}

/// The socket a table run inside the target's container shows on `port`, bound to that
/// container's loopback only: the app runs but takes no connection from other containers.
/// The container is the one the host name names (its name, service or alias, as `exec` was
/// given it) or the one with the refused address.
pub fn listens_on_own_loopback<'f>(
    facts: &Facts<'f>,
    host: &str,
    ip: Option<IpAddr>,
    port: u16,
) -> Option<&'f crate::listeners::ContainerListener> {
    let report = facts.listeners?;
    let named = containers_named(facts, host);
    let by_ip: Vec<&Container> =
        ip.map(|ip| report.containers.iter().filter(|c| c.has_address(ip)).collect()).unwrap_or_default();
    let is_target = |name: &str| {
        name.eq_ignore_ascii_case(host)
            || named.iter().chain(&by_ip).any(|c| c.answers_to(name) || compose_made(&c.name, name))
    };
    report.in_containers.iter().find(|cl| {
        let l = &cl.listener;
        is_target(&cl.container)
            && l.is_listening()
            && l.port == Some(port)
            && matches!(l.bind, crate::listeners::Bind::Ipv4(a) if a.is_loopback())
                | matches!(l.bind, crate::listeners::Bind::Ipv6(a) if a.is_loopback())
    })
}

/// No route, unreachable or a connect timeout at an address in Docker's default range: the
/// causes containers give, in the order threads meet them, and the check that tells them apart
/// (lab: `container-recreated` logs 113 at the old address, `container-no-shared-network` a
/// connect timeout, `docker-app-exited` a timeout at a stopped container's address).
pub fn unreachable_container(finding: Finding, ip: IpAddr) -> Finding {
    if !super::facts::looks_like_container(ip) {
        return finding;
    }
    finding
        .note(format!(
            "{ip} is in 172.16.0.0/12, where Docker puts its networks. With containers the usual causes are, most \
             common first: the app's container was stopped or recreated and has no address or a new one, while nginx \
             keeps the one it resolved at start (`docker ps -a` shows it exited or younger than nginx; a reload \
             resolves again); nginx's container and the app's share no Docker network (their networks differ in \
             `docker inspect`: attach both to one network); or a firewall drops the packets."
        ))
        .next_step(Command::new(
            "every container's state, networks and address now: is one at the address, on nginx's network?",
            "docker inspect -f '{{.Name}} {{.State.Status}}{{range $n, $e := .NetworkSettings.Networks}} \
             {{$n}}={{$e.IPAddress}}{{end}}' $(docker ps -aq)",
        ))
}

/// How long a container has been up, from `docker ps`'s STATUS (`Up 7 seconds`, `Up About a
/// minute`, `Up 2 hours (healthy)`), in seconds; rough, as docker rounds.
fn up_seconds(status: &str) -> Option<u64> {
    let rest = status.trim().strip_prefix("Up ")?;
    let mut words = rest.split_whitespace();
    let (n, unit) = match words.next()? {
        "Less" => return Some(0),
        "About" => (1, words.nth(1)?),
        n => (n.parse::<u64>().ok()?, words.next()?),
    };
    let unit = match unit.trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 604_800,
        "month" => 2_592_000,
        "year" => 31_536_000,
        _ => return None,
    };
    Some(n * unit)
}

/// `docker ps` shows the container a name stands for running since at least as long as
/// nginx's own container: it was not recreated after nginx resolved the name.
pub fn running_since_nginx(facts: &Facts<'_>, name: &str) -> bool {
    let Some(report) = facts.listeners else { return false };
    let nginx_up = report
        .containers
        .iter()
        .filter(|c| c.image.as_deref().is_some_and(|i| i.contains("nginx") || i.contains("openresty")))
        .filter_map(|c| c.status.as_deref().and_then(up_seconds))
        .max();
    let Some(nginx_up) = nginx_up else { return false };
    let targets: Vec<u64> = containers_named(facts, name)
        .iter()
        .filter_map(|c| c.status.as_deref().and_then(up_seconds))
        .collect();
    !targets.is_empty() && targets.iter().all(|&up| up >= nginx_up)
}

/// nginx's 127.0.0.1 is the pasted table's host: nothing says nginx runs in a container, or
/// the table shows nginx's own listening sockets (nginx on that host, or in a container on
/// the host's network), whatever the log's prefixes suggest.
pub fn nginx_loopback_is_the_table_s(facts: &Facts<'_>) -> bool {
    nginx_in_container(facts).is_none()
        || facts.listeners.is_some_and(|r| r.listeners.iter().any(|l| l.is_listening() && facts.is_nginx(l)))
}

#[cfg(test)]
mod tests {
    use super::{compose_made, up_seconds};

    #[test]
    fn uptimes() {
        assert_eq!(up_seconds("Up 7 seconds"), Some(7));
        assert_eq!(up_seconds("Up About a minute"), Some(60));
        assert_eq!(up_seconds("Up 2 hours (healthy)"), Some(7200));
        assert_eq!(up_seconds("Up Less than a second"), Some(0));
        assert_eq!(up_seconds("Exited (137) 15 seconds ago"), None);
        assert_eq!(up_seconds("Up"), None);
    }

    #[test]
    fn compose_names() {
        assert!(compose_made("shop_app_1", "app"));
        assert!(compose_made("shop-app-1", "app"));
        assert!(compose_made("my_shop_app_12", "app"));
        assert!(!compose_made("shop_webapp_1", "app"));
        assert!(!compose_made("app_1", "app"));
        assert!(!compose_made("shop_app", "app"));
        assert!(!compose_made("shop_app_x", "app"));
    }
}
