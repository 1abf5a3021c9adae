use crate::diagnose::Findings;
use crate::finding::{Applicability, Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::{BackendKind, EventGroup, EventKind};

use super::super::evidence::{cite_events, listener_text, reload_commands, target_place};
use super::super::facts::{Endpoint, EndpointAddr, Facts, UnixReach, unix_path};

declare_rule! {
    /// ## What it detects
    /// nginx connects to a unix socket path where no socket exists: the backend creates
    /// its socket somewhere else (another directory, another PHP version in the file
    /// name: `php8.2-fpm.sock` vs `php-fpm.sock`), or it is not running. When the listener
    /// table (`ss -xlp`) or the backend's own log shows the socket that does exist, the
    /// fix names it.
    ///
    /// ## Why it causes a 502
    /// `connect()` to a path that does not exist fails at once with
    /// `(2: No such file or directory)`, logged at `[crit]`; nginx has nothing to relay
    /// and answers **502 Bad Gateway**.
    ///
    /// ## Example
    /// ```nginx
    /// location ~ \.php$ { fastcgi_pass unix:/run/php/php8.2-fpm.sock; }
    /// ```
    /// ```text
    /// u_str LISTEN 0 4096 /run/php/php-fpm.sock 92430 * 0 users:(("php-fpm8.2",pid=10455,fd=10))
    /// [crit] connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream
    /// ```
    ///
    /// ## Fix
    /// Point nginx at the socket that exists (`fastcgi_pass unix:/run/php/php-fpm.sock;`),
    /// or change the backend's `listen` (php-fpm pool: `listen = /run/php/php8.2-fpm.sock`;
    /// gunicorn: `--bind unix:/run/app.sock`) and restart it. With systemd's `PrivateTmp`,
    /// a socket under `/tmp` is invisible to nginx: put it under `/run`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass
    /// - https://www.php.net/manual/en/install.fpm.configuration.php
    /// - https://docs.gunicorn.org/en/stable/settings.html#bind
    code: BG205,
    name: "unix-socket-missing",
    title: "unix socket missing, or at another path",
    explains: [SocketMissing],
}

/// `connect() to unix:... failed (2: No such file or directory)`.
pub(super) fn is_enoent(group: &EventGroup) -> bool {
    group.event.kind == EventKind::ConnectFailed && group.event.errno == Some(2)
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    if facts.config.is_none() {
        log_only(facts, out);
        return;
    }
    for endpoint in &facts.endpoints {
        let EndpointAddr::Unix { path } = &endpoint.addr else { continue };
        let enoent: Vec<&EventGroup> =
            facts.events_for(endpoint).into_iter().filter(|g| is_enoent(g)).collect();
        let (listeners, more, files) = match facts.unix_reach(endpoint) {
            UnixReach::Missing { listeners, more, files } => (listeners, more, files),
            UnixReach::Unknown if !enoent.is_empty() => (Vec::new(), 0, Vec::new()),
            _ => continue,
        };
        push(facts, endpoint, path, (&listeners, more), &files, &enoent, out);
    }
}

/// A path the backend's own log says it listens on (gunicorn `Listening at: unix:...`,
/// uWSGI `bound to UNIX address ...`).
fn logged_socket(facts: &Facts<'_>) -> Option<(String, crate::input::TextRange)> {
    facts.log?.backend.iter().find_map(|g| {
        let addr = match &g.event.kind {
            BackendKind::GunicornListening { addr } | BackendKind::UwsgiBound { addr } => addr,
            _ => return None,
        };
        let path = addr.strip_prefix("unix:").unwrap_or(addr);
        path.starts_with('/').then(|| (path.to_string(), g.event.range))
    })
}

fn push(
    facts: &Facts<'_>,
    endpoint: &Endpoint,
    path: &str,
    (listeners, more): (&[usize], usize),
    files: &[usize],
    enoent: &[&EventGroup],
    out: &mut Findings,
) {
    let place = target_place(facts, endpoint);
    let best_listener = listeners.first().and_then(|&i| facts.listener(i));
    let best_file = files.first().and_then(|&i| facts.listeners.and_then(|l| l.socket_files.get(i)));
    let logged = logged_socket(facts).filter(|(p, _)| p != path);
    let existing: Option<String> = best_listener
        .and_then(|l| l.bind.path())
        .or_else(|| logged.as_ref().map(|(p, _)| p.clone()))
        .or_else(|| best_file.map(|f| f.path.clone()));
    let title = match &existing {
        Some(other) => format!("nginx connects to unix:{path}, but the backend's socket is {other}"),
        None => format!("the unix socket {path} does not exist"),
    };
    let mut message = format!(
        "In {place}, nginx connects to the unix socket {path}, which does not exist, so connect() fails with \
         \"No such file or directory\" and clients get 502 Bad Gateway."
    );
    match (&existing, best_listener) {
        (Some(other), Some(l)) => {
            message.push_str(&format!(" The backend's socket is elsewhere: {}.", listener_text(l)));
            let _ = other;
        }
        (Some(other), None) => message.push_str(&format!(" A socket exists at {other}.")),
        (None, _) if facts.unix_listed() => message.push_str(
            " No application server listens on any unix socket either: the backend is not running, or it \
             listens on TCP.",
        ),
        (None, _) => {}
    }
    let mut confidence: u8 = match (existing.is_some(), enoent.is_empty()) {
        (true, false) => 96,
        (true, true) => 85,
        (false, false) => 85,
        (false, true) => 70,
    };
    if listeners.len() > 1 {
        confidence = confidence.saturating_sub(10);
    }
    let mut finding = Finding::new(INFO.code, Severity::Error, title)
        .message(message)
        .confidence(confidence)
        .status(502)
        .label(Label::primary(InputKind::Config, endpoint.range, format!("nginx connects to unix:{path}")));
    if let Some(l) = best_listener {
        finding = finding.label(Label::secondary(InputKind::Listeners, l.addr_range, listener_text(l)));
    } else if let Some(f) = best_file {
        finding = finding.label(Label::secondary(
            InputKind::Listeners,
            f.range,
            format!("a socket file exists at {}", f.path),
        ));
    }
    if let Some((p, range)) = &logged {
        finding = finding.label(Label::secondary(
            InputKind::Log,
            *range,
            format!("the backend says it listens on {p}"),
        ));
    }
    for group in enoent {
        finding = cite_events(finding, group, &format!("unix:{path} does not exist"));
    }
    for &other in listeners.iter().skip(1) {
        if let Some(l) = facts.listener(other) {
            finding = finding.note(format!("Also a candidate: {}.", listener_text(l)));
        }
    }
    if more > 0 {
        finding = finding.note(format!("{more} more app servers listen on other unix sockets."));
    }
    if facts.listeners.is_none() || !facts.unix_listed() {
        finding = finding.next_step(Command::new(
            "paste the unix sockets that exist and who listens on them",
            format!("sudo ss -xlp; ls -l {}", parent(path)),
        ));
    }
    let fix = match &existing {
        Some(other) => Fix::new(
            if listeners.len() <= 1 { Applicability::Safe } else { Applicability::Unsafe },
            format!("connect to {other}, the socket the backend listens on"),
            vec![Edit { range: endpoint.range, replacement: other.clone() }],
        )
        .with_commands(vec![reload_commands()]),
        None => Fix::display_only("start the backend, and make its socket path match nginx's").with_commands(
            vec![
                Command::new("see which services failed, and why", "sudo systemctl --failed"),
                Command::new(
                    "find the path the backend is configured to listen on (php-fpm)",
                    "grep -rn '^listen' /etc/php/*/fpm/pool.d/",
                ),
                Command::new("after starting it, check that the socket exists", format!("ls -l {path}")),
            ],
        ),
    };
    finding = finding.fix(fix);
    if existing.is_none() && (path.starts_with("/tmp/") || path.starts_with("/var/tmp/")) {
        finding = finding.note(
            "A socket under /tmp can exist and still be invisible to nginx: with systemd's PrivateTmp=yes (the \
             default for php-fpm and many services) each service sees its own /tmp. Put the socket under /run.",
        );
    }
    if existing.is_some() {
        finding = finding.note(format!(
            "Or change the backend to listen on {path} (php-fpm pool: listen = {path}; gunicorn: --bind \
             unix:{path}) and restart it."
        ));
    }
    out.push(finding);
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d })
}

fn log_only(facts: &Facts<'_>, out: &mut Findings) {
    let Some(log) = facts.log else { return };
    let logged = logged_socket(facts);
    for group in log.groups.iter().filter(|g| is_enoent(g)) {
        let Some(path) = unix_path(group) else { continue };
        let other = logged.as_ref().filter(|(p, _)| *p != path);
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            match other {
                Some((p, _)) => format!("nginx connects to unix:{path}, but the backend listens on {p}"),
                None => format!("the unix socket {path} does not exist"),
            },
        )
        .message(format!(
            "nginx connects to the unix socket {path}, which does not exist (\"No such file or directory\"), so \
             clients get 502 Bad Gateway. Either the backend creates its socket at another path, or it is not \
             running. Paste the config and `ss -xlp` to see which socket exists."
        ))
        .confidence(if other.is_some() { 85 } else { 80 })
        .status(502);
        let range = group.event.upstream_range.unwrap_or(group.event.message_range);
        finding =
            finding.label(Label::primary(InputKind::Log, range, format!("nginx connected to unix:{path}")));
        finding = cite_events(finding, group, "no such file or directory");
        if let Some((p, range)) = other {
            finding = finding.label(Label::secondary(
                InputKind::Log,
                *range,
                format!("the backend says it listens on {p}"),
            ));
        }
        finding = finding
            .next_step(Command::new(
                "paste the unix sockets that exist and who listens on them",
                format!("sudo ss -xlp; ls -l {}", parent(&path)),
            ))
            .next_step(Command::new("paste the config, to see where this path comes from", "sudo nginx -T"));
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("unix-socket-wrong-path", All), ("unix-socket-wrong-path", ConfigListeners), ("unix-socket-wrong-path", Log)],
        not: [("healthy", All), ("backend-not-running", All), ("php-fpm-max-children", All), ("php-fpm-terminate-timeout", All), ("unix-socket-wrong-path", Config)],
        snapshot: ("unix-socket-wrong-path", All),
    }
}
