//! Wording and labels shared by the rules: how to name an endpoint, a listener, a
//! location, and how to cite grouped log events.

use crate::finding::{Command, Finding, Label};
use crate::input::InputKind;
use crate::listeners::{AppServer, BackendKind, Listener, ProbeFact, backend_kind};
use crate::log::EventGroup;
use badgateway_config::PassKind;

use super::candidates;
use super::facts::{Endpoint, EndpointAddr, Facts, TcpReach, UnixReach};

pub fn endpoint_text(endpoint: &Endpoint) -> String {
    match &endpoint.addr {
        EndpointAddr::Tcp { host, port, .. } if host.contains(':') && !host.starts_with('[') => {
            format!("[{host}]:{port}")
        }
        EndpointAddr::Tcp { host, port, .. } => format!("{host}:{port}"),
        EndpointAddr::Unix { path } => format!("unix:{path}"),
    }
}

pub fn listener_address(listener: &Listener) -> String {
    match (listener.bind.address_text(), listener.bind.path()) {
        (Some(addr), _) => format!("{addr}:{}", listener.port.map_or("*".into(), |p| p.to_string())),
        (None, Some(path)) => path,
        (None, None) => String::from("?"),
    }
}

pub fn listener_text(listener: &Listener) -> String {
    let who = listener.processes.first().map_or_else(
        || "a process the tool could not name (run it as root to see it)".to_string(),
        |p| match p.pid {
            Some(pid) => format!("{} (pid {pid})", p.name),
            None => p.name.clone(),
        },
    );
    format!("{who} listens on {}", listener_address(listener))
}

/// `location /api/` of `server app.example` — where the target sits, for messages.
pub fn target_place(facts: &Facts<'_>, endpoint: &Endpoint) -> String {
    let Some(config) = facts.config else { return String::new() };
    let model = config.model();
    let Some(target) = model.targets.get(endpoint.target) else { return String::new() };
    let location = target.location.and_then(|l| model.locations.get(l));
    let server = target.server.and_then(|s| model.servers.get(s));
    let mut place = match location {
        Some(l) => match &l.modifier {
            Some(m) => format!("location {m} {}", l.pattern),
            None => format!("location {}", l.pattern),
        },
        None => String::from("this server"),
    };
    if let Some(name) = server.and_then(|s| s.names.first()).filter(|n| !n.is_empty() && n.as_str() != "_") {
        place.push_str(&format!(" of server {name}"));
    }
    place
}

/// Cites a group of identical log lines: its first sample as evidence, the count and
/// time span in the label.
pub fn cite_events(finding: Finding, group: &EventGroup, what: &str) -> Finding {
    // The first line is cited by its message, not its whole length of client fields.
    let first =
        if group.event.message_range.is_empty() { group.event.range } else { group.event.message_range };
    let when = match (&group.first_time, &group.last_time) {
        (Some(a), Some(b)) if group.count > 1 && a != b => format!(", {} times from {a} to {b}", group.count),
        _ if group.count > 1 => format!(", {} times", group.count),
        _ => String::new(),
    };
    finding.label(Label::secondary(InputKind::Log, first, format!("{what}{when}")))
}

pub fn reload_commands() -> Command {
    Command::new(
        "check the config and apply it without dropping connections",
        "sudo nginx -t && sudo systemctl reload nginx",
    )
}

pub fn paste_listeners() -> Command {
    Command::new(
        "paste what listens, so the cause can be proven (run as root to see process names)",
        "sudo ss -tlnpx",
    )
}

/// The spaces and tabs before `at` on its line: the indentation an inserted directive
/// should get.
pub fn line_indent(src: &[u8], at: u32) -> String {
    let before = src.get(..at as usize).unwrap_or_default();
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    before
        .get(line_start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .map(|&b| b as char)
        .collect()
}

/// Labels the `getent` lines of the paste that say what `host` means on nginx's host.
pub fn name_lookup_labels(facts: &Facts<'_>, mut finding: Finding, host: &str) -> Finding {
    let Some(report) = facts.listeners else { return finding };
    for fact in &report.facts {
        if let ProbeFact::NameAddress { name, address, range, .. } = fact
            && name.eq_ignore_ascii_case(host)
        {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                *range,
                format!("{host} means {address} here"),
            ));
        }
    }
    finding
}

/// A listener the paste does not name (no process column) may be the backend or anything
/// else a host runs: say so, and give the check that decides.
pub fn unnamed_listener_check(finding: Finding, port: u16) -> Finding {
    finding
        .note(format!(
            "The listener table does not name the process on port {port} (ss without root prints no process \
             column), and sshd, databases, agents and exporters listen on every host too: check that it is your \
             backend before sending traffic there. Run `sudo ss -tlnp` to see which process owns port {port}."
        ))
        .next_step(Command::new(
            format!("see which process owns port {port}"),
            format!("sudo ss -tlnp | grep ':{port} '"),
        ))
}

/// Labels `curl`/`telnet` probes as proof: one that reaches `address:port` directly,
/// and one to nginx's own target that is refused too.
pub fn probe_labels(
    facts: &Facts<'_>,
    mut finding: Finding,
    endpoint: &Endpoint,
    address: &str,
    port: u16,
) -> Finding {
    for probe in facts.direct_probes(address, port).into_iter().filter(|p| p.connected) {
        finding = finding.label(Label::secondary(
            InputKind::Listeners,
            probe.range,
            format!("connecting to {} directly works: the backend is up, at this address", probe.target),
        ));
    }
    if let EndpointAddr::Tcp { host, port: p, .. } = &endpoint.addr {
        for probe in facts.direct_probes(host, *p).into_iter().filter(|p| !p.connected) {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                probe.range,
                format!("connecting to {}, the address nginx uses, fails the same way", probe.target),
            ));
        }
    }
    finding
}

/// The application server the evidence names for an endpoint: the process the listener table
/// shows on its address or socket (`ss -p`, `netstat -p`, `lsof`), else the one the pass speaks
/// to (`fastcgi_pass`: php-fpm, `uwsgi_pass`: uWSGI). Orders a fix's alternatives
/// ([`evidence_first`]): a socket owned by gunicorn gets gunicorn's advice first.
pub fn backend_software(facts: &Facts<'_>, endpoint: &Endpoint) -> Option<AppServer> {
    let listening = match &endpoint.addr {
        EndpointAddr::Tcp { .. } => match facts.tcp_reach(endpoint) {
            TcpReach::Listening(v) => v,
            _ => Vec::new(),
        },
        EndpointAddr::Unix { .. } => match facts.unix_reach(endpoint) {
            UnixReach::Listening(v) => v,
            _ => Vec::new(),
        },
    };
    let named =
        listening.iter().filter_map(|&i| facts.listener(i)).flat_map(|l| &l.processes).find_map(|p| {
            match backend_kind(&p.name) {
                BackendKind::AppServer(app) => Some(app),
                _ => None,
            }
        });
    named.or(match endpoint.kind {
        PassKind::FastCgi => Some(AppServer::PhpFpm),
        PassKind::Uwsgi => Some(AppServer::Uwsgi),
        _ => None,
    })
}

/// A fix's alternatives, each for one application server (`None`: for any): the one the
/// evidence names first, then the others in their given order, and last those for a server
/// that does not speak what the pass sends (php-fpm's FastCGI behind `proxy_pass`).
pub fn evidence_first(
    alternatives: Vec<(Option<AppServer>, Command)>,
    named: Option<AppServer>,
    pass: Option<PassKind>,
) -> Vec<Command> {
    let rank = |app: &Option<AppServer>| match (app, pass) {
        _ if named.is_some() && *app == named => 0,
        (Some(a), Some(kind)) if !candidates::fits(kind, *a) => 2,
        _ => 1,
    };
    let mut ranked: Vec<(u8, Command)> = alternatives.into_iter().map(|(app, c)| (rank(&app), c)).collect();
    // A stable sort: equal ranks keep their order.
    ranked.sort_by_key(|(r, _)| *r);
    ranked.into_iter().map(|(_, c)| c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_server_first_then_the_rest_and_those_of_another_protocol_last() {
        let alt = |app, c: &str| (app, Command::new(c, c));
        let alternatives = || {
            vec![
                alt(Some(AppServer::Gunicorn), "gunicorn"),
                alt(Some(AppServer::Uwsgi), "uwsgi"),
                alt(None, "any"),
                alt(Some(AppServer::PhpFpm), "php-fpm"),
            ]
        };
        let order = |named, pass| -> Vec<String> {
            evidence_first(alternatives(), named, pass).into_iter().map(|c| c.command).collect()
        };
        assert_eq!(
            order(Some(AppServer::Uwsgi), Some(PassKind::Proxy)),
            ["uwsgi", "gunicorn", "any", "php-fpm"]
        );
        assert_eq!(order(None, Some(PassKind::FastCgi)), ["any", "php-fpm", "gunicorn", "uwsgi"]);
        assert_eq!(order(None, None), ["gunicorn", "uwsgi", "any", "php-fpm"]);
    }
}
