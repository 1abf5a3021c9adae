use crate::diagnose::Findings;
use std::net::IpAddr;

use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::listeners::{Container, ContainerState};
use crate::log::{EventGroup, EventKind, Phase};

use super::super::container;
use super::super::evidence::cite_events;
use super::super::facts::{EndpointAddr, Facts, literal_ips};

declare_rule! {
    /// ## What it detects
    /// The container nginx forwards to is not running: the host name in `proxy_pass` (or in
    /// an `upstream`, or the name the log says could not be resolved) is a container, compose
    /// service or network alias that `docker ps -a`, `docker compose ps` or `docker inspect`
    /// in the listeners paste shows exited, dead, restarting (crashing in a loop) or never
    /// started. Compose-made names count: `shop_app_1` (docker-compose v1) and `shop-app-1`
    /// (v2) are service `app`'s containers. Lab captures from a real Docker daemon:
    /// `docker-app-exited` (the app's container stopped after nginx started: the connect to
    /// its old address timed out, 504) and `docker-app-exited-dns` (the app exited with code 1;
    /// with `resolver 127.0.0.11`, Docker's DNS no longer knows its name: `app could not be
    /// resolved (3: Host not found)`, 502).
    ///
    /// ## Why it causes a 502
    /// A stopped container has no address on its networks and Docker's DNS drops its name.
    /// nginx keeps the address it resolved at start, where nothing answers (no route to
    /// host, or a connect timeout: 504); with a `resolver`, the name no longer resolves
    /// (502); and an nginx (re)started now refuses its config: `host not found in upstream`.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://app:8000; }
    /// ```
    /// ```text
    /// $ docker ps -a
    /// ... "httpd -f -p 0.0.0.0…"   22 seconds ago   Exited (137) 15 seconds ago     shop_app_1
    /// [error] upstream timed out (110: Connection timed out) while connecting to upstream, ... upstream: "http://172.26.0.3:8000/"
    /// ```
    ///
    /// ## Fix
    /// Read why it stopped (`docker logs --tail 50 CONTAINER`; the exit code: 137 is a kill
    /// or the OOM killer, 143 a `docker stop`, 1 the app's own error), fix that, start it
    /// again (`docker compose up -d SERVICE`), then reload nginx so it resolves the name
    /// anew (`docker compose exec nginx nginx -s reload`). A `restart: unless-stopped`
    /// policy brings it back after a crash; `depends_on` with a health check orders start-up.
    ///
    /// ## References
    /// - https://docs.docker.com/reference/cli/docker/container/ls/
    /// - https://docs.docker.com/reference/cli/docker/container/logs/
    /// - https://docs.docker.com/compose/how-tos/startup-order/
    code: BG217,
    name: "backend-container-not-running",
    title: "the backend's container is not running",
}

/// A name nginx connects to, where the evidence says so, and the log lines that show it failing.
struct Named<'a> {
    name: String,
    config: Option<crate::input::TextRange>,
    failures: Vec<&'a EventGroup>,
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    if facts.listeners.is_none_or(|r| r.containers.is_empty()) {
        return;
    }
    let mut names: Vec<Named<'_>> = Vec::new();
    for endpoint in &facts.endpoints {
        let EndpointAddr::Tcp { host, port, .. } = &endpoint.addr else { continue };
        if host.is_empty() || host.starts_with('$') || !literal_ips(host).is_empty() {
            continue;
        }
        let mut failures: Vec<&EventGroup> = facts.events_for(endpoint);
        // The name's address is not in the paste: failures at an IP on its port are its own
        // when no other target shares the port.
        if facts.endpoints_on_port(*port).count() == 1 {
            failures.extend(facts.events_on_port(*port).filter(|g| connect_failed(g) && at_an_ip(g)));
        }
        add(&mut names, host, Some(endpoint.range), failures);
    }
    for kind in [EventKind::CouldNotBeResolved, EventKind::HostNotFoundInUpstream] {
        for g in facts.events_of(&kind) {
            if let Some(name) = g.event.name() {
                add(&mut names, name, None, vec![g]);
            }
        }
    }
    for named in names {
        let stopped: Vec<&Container> = container::containers_named(facts, &named.name)
            .into_iter()
            .filter(|c| c.state.is_some_and(|s| !s.is_running()))
            .collect();
        // The same name running elsewhere in the paste (another replica, a newer container).
        let running =
            container::containers_named(facts, &named.name).iter().any(|c| c.is_running() == Some(true));
        let Some(c) = stopped.first().copied() else { continue };
        if running {
            continue;
        }
        out.push(finding(&named, c));
    }
}

fn add<'a>(
    names: &mut Vec<Named<'a>>,
    name: &str,
    config: Option<crate::input::TextRange>,
    failures: Vec<&'a EventGroup>,
) {
    let name =
        name.rsplit_once(':').filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit())).map_or(name, |(h, _)| h);
    match names.iter_mut().find(|n| n.name.eq_ignore_ascii_case(name)) {
        Some(n) => {
            n.config = n.config.or(config);
            for g in failures {
                if !n.failures.iter().any(|f| std::ptr::eq(*f, g)) {
                    n.failures.push(g);
                }
            }
        }
        None => names.push(Named { name: name.to_string(), config, failures }),
    }
}

fn connect_failed(g: &EventGroup) -> bool {
    match g.event.kind {
        EventKind::ConnectRefused => true,
        EventKind::ConnectFailed => matches!(g.event.errno, Some(101 | 110 | 111 | 113)),
        EventKind::UpstreamTimedOut => g.event.phase == Some(Phase::Connecting),
        _ => false,
    }
}

fn at_an_ip(g: &EventGroup) -> bool {
    g.event.upstream.as_ref().is_some_and(|u| u.host().parse::<IpAddr>().is_ok())
}

fn finding(named: &Named<'_>, c: &Container) -> Finding {
    let name = &named.name;
    let state = match c.state {
        Some(ContainerState::Restarting) => "keeps restarting (its process exits again and again)",
        Some(ContainerState::Created) => "was created but never started",
        Some(ContainerState::Dead) => "is dead",
        _ => "has exited",
    };
    let status = c.status.as_deref().map(|s| format!(" (`{s}`)")).unwrap_or_default();
    let what = match &c.service {
        Some(s) if s != &c.name => format!("container {} (compose service {s})", c.name),
        _ => format!("container {}", c.name),
    };
    let timed_out = named.failures.iter().any(|g| g.event.kind == EventKind::UpstreamTimedOut);
    let mut message = format!(
        "nginx forwards requests to {name}, and the paste shows {what}, which {state}{status}. A stopped container \
         has no address on its networks and Docker's DNS no longer answers for its name: nginx's connections to the \
         address it resolved at start find nobody there (no route, or a connect timeout), a `resolver` cannot resolve \
         {name} any more, and an nginx restarted now would refuse its config (`host not found in upstream`)."
    );
    if let Some(meaning) = c.exit_code.and_then(container::exit_code_meaning) {
        message.push_str(&format!(" Its exit code says {meaning}."));
    }
    // The name failing to resolve beside its stopped container decides it: that is why.
    let unresolved = named
        .failures
        .iter()
        .any(|g| matches!(g.event.kind, EventKind::CouldNotBeResolved | EventKind::HostNotFoundInUpstream));
    let not_started = named.failures.iter().all(|g| g.event.kind == EventKind::HostNotFoundInUpstream);
    if not_started && !named.failures.is_empty() {
        message.push_str(
            " nginx refused to start with this config: clients get no answer from it at all, or, after a reload, \
             the old config keeps running.",
        );
    }
    let confidence = match (named.failures.is_empty(), unresolved) {
        (true, _) => 70,
        (false, true) => 96,
        (false, false) => 90,
    };
    let mut f =
        Finding::new(INFO.code, Severity::Error, format!("{what} {state}: nginx's backend {name} is down"))
            .message(message)
            .confidence(confidence)
            .label(Label::primary(InputKind::Listeners, c.range, format!("{} {state}", c.name)));
    if !named.failures.is_empty() && !not_started {
        f = f.status(if timed_out { 504 } else { 502 });
    }
    if let Some(range) = named.config {
        f = f.label(Label::secondary(InputKind::Config, range, format!("nginx connects to {name}")));
    }
    for g in &named.failures {
        f = cite_events(f, g, &format!("{name}'s container is not running"));
    }
    let service = c.service.clone().unwrap_or_else(|| name.clone());
    f.fix(
        Fix::display_only(format!("find why {} stopped, fix it, start it again and reload nginx", c.name)).with_commands(
            vec![
                Command::new("why it stopped: its last log lines", format!("docker logs --tail 50 {}", c.name)),
                Command::new(
                    "its exit code, and whether the kernel's OOM killer ended it",
                    format!("docker inspect -f '{{{{.State.ExitCode}}}} oom={{{{.State.OOMKilled}}}} {{{{.State.Error}}}}' {}", c.name),
                ),
                Command::new("start it again", format!("docker compose up -d {service}")),
                Command::new(
                    "make nginx resolve the name again (it keeps the old address until then)",
                    "docker compose exec nginx nginx -s reload",
                ),
            ],
        ),
    )
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("docker-app-exited", All), ("docker-app-exited-at-start", All), ("docker-app-exited", ConfigListeners)],
        not: [("healthy", All), ("docker-app-loopback", All), ("docker-app-exited", Log), ("docker-app-exited-at-start", Log)],
        snapshot: ("docker-app-exited", All),
    }
}
