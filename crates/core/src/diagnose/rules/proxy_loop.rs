use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::{EventGroup, EventKind};

use super::super::evidence::{cite_events, endpoint_text, listener_text, reload_commands, target_place};
use super::super::facts::{EndpointAddr, Facts};

declare_rule! {
    /// ## What it detects
    /// nginx proxies to itself: the target of `proxy_pass` is one of this nginx's own
    /// `listen` addresses, served by the same `server {}` (directly, or through other
    /// server blocks that lead back to it). Typical after copying a config: `listen 8080;`
    /// and `proxy_pass http://127.0.0.1:8080;` in the same server. A wildcard `listen 80;`
    /// takes the connection only when the address is nginx's own host's (loopback, an
    /// address a `listen` or a listener in the table binds, or one `ip addr` lists):
    /// `proxy_pass http://10.0.0.7:80;` from such a server is, unless shown otherwise,
    /// another machine's web server, not a loop.
    ///
    /// ## Why it causes a 502
    /// Each request makes nginx open a new connection to itself, which makes another, until
    /// every `worker_connections` slot is taken (`[alert] N worker_connections are not
    /// enough`). Then connections are reset and the client gets **502 Bad Gateway** (or
    /// **500**), after a burst of load on nginx.
    ///
    /// ## Example
    /// ```nginx
    /// server {
    ///     listen 127.0.0.1:8080;
    ///     location / { proxy_pass http://127.0.0.1:8080; }
    /// }
    /// ```
    /// ```text
    /// [alert] 64 worker_connections are not enough
    /// [error] recv() failed (104: Connection reset by peer) while reading response header from upstream, ... upstream: "http://127.0.0.1:8080/", host: "127.0.0.1:8080"
    /// ```
    ///
    /// ## Fix
    /// Point `proxy_pass` at the application's address and port, not at nginx's own
    /// `listen` (`sudo ss -tlnp` shows which process listens where).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    /// - https://nginx.org/en/docs/http/ngx_http_core_module.html#listen
    code: BG213,
    name: "proxy-loop",
    title: "proxy loop: nginx proxies to its own listener",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let exhausted: Vec<&EventGroup> = facts.events_of(&EventKind::WorkerConnectionsNotEnough).collect();
    let Some(config) = facts.config else {
        let Some(group) = facts.self_addressed() else { return };
        if exhausted.is_empty() {
            return;
        }
        let target = group.event.upstream.as_ref().map(|u| u.target().to_owned()).unwrap_or_default();
        let range = group.event.upstream_range.unwrap_or(group.event.message_range);
        let mut f = Finding::new(INFO.code, Severity::Error, format!("nginx proxies to itself at {target}"))
            .message(format!(
                "A request that reached nginx at {target} was proxied to {target} again: nginx connects to its own \
                 listener, each request opens another, and the worker connections run out, so clients get 502 Bad \
                 Gateway."
            ))
            .confidence(72)
            .status(502)
            .label(Label::primary(InputKind::Log, range, format!("upstream {target} is where the client reached nginx")));
        f = cite_events(f, group, "nginx connected to itself");
        for g in &exhausted {
            f = cite_events(f, g, "worker connections exhausted");
        }
        f = f
            .next_step(Command::new(
                "paste the config, to find the proxy_pass that points at nginx",
                "sudo nginx -T",
            ))
            .next_step(super::super::evidence::paste_listeners());
        out.push(f.fix(display_fix(None)));
        return;
    };
    let model = config.model();
    for (e, hops) in facts.loops() {
        let Some(endpoint) = facts.endpoints.get(e) else { continue };
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let own = facts.own_server_for(endpoint);
        let listen = own.and_then(|s| model.servers.get(s)).and_then(|s| {
            s.listens.iter().find(|l| match &endpoint.addr {
                EndpointAddr::Tcp { port, .. } => l.port == Some(*port),
                EndpointAddr::Unix { path } => l.unix.as_deref() == Some(path.as_str()),
            })
        });
        let events = facts.events_for(endpoint);
        let proven = !(events.is_empty() && exhausted.is_empty());
        // A URI part sends the request to another path: another location may serve it.
        let rewritten = model
            .targets
            .get(endpoint.target)
            .and_then(|t| t.uri.clone())
            .filter(|u| !u.is_empty() && u != "/" && !u.contains('$'));
        let confidence = match (proven, &rewritten) {
            (true, _) => 97,
            (false, None) => 90,
            (false, Some(_)) => 55,
        };
        let via = if hops > 1 { format!(" (through {} server blocks)", hops) } else { String::new() };
        let mut f = Finding::new(INFO.code, Severity::Error, format!("nginx proxies {target} back to itself"))
            .message(format!(
                "In {place}, nginx forwards requests to {target}, which is nginx's own `listen`{via}, served by the \
                 same server block: each request opens another connection to nginx, until the worker connections \
                 run out, and clients get 502 Bad Gateway."
            ))
            .confidence(confidence)
            .status(502)
            .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to {target}")));
        if let (false, Some(uri)) = (proven, &rewritten) {
            f.severity = Severity::Warning;
            f = f.note(format!(
                "The request is passed on as {uri}: if another location of this server serves {uri} without \
                 proxying, this is an internal hop, not a loop."
            ));
        }
        if let Some(l) = listen {
            f = f.label(Label::secondary(InputKind::Config, l.range, "nginx itself listens here"));
        }
        if let (EndpointAddr::Tcp { port, .. }, Some(_)) = (&endpoint.addr, facts.listeners)
            && let Some((_, l)) = facts.tcp_on_port(*port).find(|(_, l)| facts.is_nginx(l))
        {
            f = f.label(Label::secondary(InputKind::Listeners, l.addr_range, listener_text(l)));
        }
        for g in &exhausted {
            f = cite_events(f, g, "worker connections exhausted by the loop");
        }
        for g in events.iter().take(3) {
            f = cite_events(f, g, "nginx's connection to itself failed");
        }
        // A backend that does listen on this host is the likely intended target.
        let backend = facts.listeners.and_then(|r| {
            let apps: Vec<_> = r
                .listeners
                .iter()
                .filter(|l| l.is_listening() && l.port.is_some() && facts.is_plausible_backend(l))
                .collect();
            match apps.as_slice() {
                [one] => Some(listener_text(one)),
                _ => None,
            }
        });
        out.push(f.fix(display_fix(backend)));
    }
}

fn display_fix(backend: Option<String>) -> Fix {
    let mut commands = vec![
        Command::new(
            "see which process listens where: proxy_pass must name the application's port",
            "sudo ss -tlnp",
        ),
        reload_commands(),
    ];
    if let Some(b) = backend {
        commands
            .insert(0, Command::new(format!("the application is probably this one: {b}"), "sudo ss -tlnp"));
        commands.remove(1);
    }
    Fix::display_only("point proxy_pass at the application, not at nginx's own listen address")
        .with_commands(commands)
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("proxy-loop", All), ("proxy-loop", ConfigListeners), ("proxy-loop", Config), ("proxy-loop", Log)],
        not: [("healthy", All), ("php-primary-script-unknown", All), ("remote-backend", All), ("remote-backend-down", All), ("proxy-loop", Listeners)],
        snapshot: ("proxy-loop", All),
    }
}
