use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::listeners::{AppServer, Listener};
use crate::log::{BackendKind, EventGroup, EventKind, Phase};
use badgateway_config::PassKind;

use super::super::evidence::{
    backend_software, cite_events, endpoint_text, evidence_first, listener_text, target_place,
};
use super::super::facts::{Endpoint, EndpointAddr, Facts, Failure, TcpReach, UnixReach, unix_path};

declare_rule! {
    /// ## What it detects
    /// The backend is up but cannot take more connections: every worker is busy and its
    /// listen queue (backlog) is full. Signs: `connect() to unix:... failed (11: Resource
    /// temporarily unavailable)` (a full unix-socket backlog), a listening socket whose
    /// Recv-Q exceeds its Send-Q in `ss -l`, php-fpm's `server reached pm.max_children`,
    /// uWSGI's `listen queue of socket ... full`. Over TCP a full backlog drops the SYN,
    /// which nginx sees as a connect timeout.
    ///
    /// ## Why it causes a 502
    /// On a unix socket, Linux refuses the connection with EAGAIN when the accept queue
    /// is full, and nginx answers **502 Bad Gateway** at once. Over TCP the connection
    /// attempt hangs until `proxy_connect_timeout` and the client gets **504**. Either way
    /// the backend is too slow or has too few workers for the load.
    ///
    /// ## Example
    /// ```text
    /// [error] connect() to unix:/run/php/php-fpm.sock failed (11: Resource temporarily unavailable) while connecting to upstream
    /// WARNING: [pool www] server reached pm.max_children setting (5), consider raising it
    /// u_str LISTEN 129 128 /run/php/php-fpm.sock ...
    /// ```
    ///
    /// ## Fix
    /// Give the backend more capacity or make requests faster: php-fpm `pm.max_children`
    /// (mind the memory per child) and `listen.backlog`; gunicorn `--workers`, `--threads`,
    /// `--backlog`; uWSGI `--processes` and `--listen` (raise `net.core.somaxconn` too).
    /// Find the slow requests first (php-fpm `slowlog`, gunicorn access log times).
    ///
    /// ## References
    /// - https://www.php.net/manual/en/install.fpm.configuration.php
    /// - https://docs.gunicorn.org/en/stable/settings.html#workers
    /// - https://uwsgi-docs.readthedocs.io/en/latest/articles/TheArtOfGracefulReloading.html
    code: BG211,
    name: "backend-saturated",
    title: "backend saturated: every worker busy, listen queue full",
    explains: [ListenQueueFull],
}

fn is_eagain(facts: &Facts<'_>, group: &EventGroup) -> bool {
    group.event.kind == EventKind::ConnectFailed && facts.failure_of(group) == Some(Failure::ListenQueueFull)
}

/// Which backend says it ran out of workers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Server {
    PhpFpm,
    Uwsgi,
}

/// A backend log line that says it ran out of workers, and the label that cites it.
struct Sign {
    range: TextRange,
    text: String,
    server: Server,
}

/// Backend log lines that say it ran out of workers.
fn backend_signs(facts: &Facts<'_>) -> Vec<Sign> {
    let Some(log) = facts.log else { return Vec::new() };
    log.backend
        .iter()
        .filter_map(|g| {
            let (server, text) = match &g.event.kind {
                BackendKind::PhpFpmMaxChildren { pool, n } => {
                    let times = if g.count > 1 { format!(", {} times", g.count) } else { String::new() };
                    (Server::PhpFpm, format!("php-fpm pool {pool} reached pm.max_children ({n}){times}"))
                }
                BackendKind::PhpFpmSeemsBusy => (Server::PhpFpm, "php-fpm says the pool seems busy".into()),
                BackendKind::PhpFpmProcessMax => (Server::PhpFpm, "php-fpm reached process.max".into()),
                BackendKind::UwsgiListenQueueFull { socket } => {
                    (Server::Uwsgi, format!("uWSGI's listen queue of {socket} is full"))
                }
                _ => return None,
            };
            Some(Sign { range: g.event.range, text, server })
        })
        .collect()
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let signs = backend_signs(facts);
    let php_signs = signs.iter().any(|s| s.server == Server::PhpFpm);
    let uwsgi_full = signs.iter().any(|s| s.server == Server::Uwsgi);
    if facts.config.is_none() {
        let Some(log) = facts.log else { return };
        let eagain: Vec<&EventGroup> = log.groups.iter().filter(|g| is_eagain(facts, g)).collect();
        let Some(first) = eagain.first() else {
            if let Some(Sign { range, text, .. }) = signs.first() {
                let timeouts: Vec<&EventGroup> = log
                    .groups
                    .iter()
                    .filter(|g| {
                        g.event.kind == EventKind::UpstreamTimedOut
                            && g.event.phase == Some(Phase::Connecting)
                    })
                    .collect();
                let mut f = Finding::new(INFO.code, Severity::Warning, "the backend ran out of workers")
                    .message(format!(
                        "The backend's log says it ran out of capacity ({text}): requests queue, and once its \
                         listen queue is full nginx gets errors (502 on a unix socket, 504 over TCP)."
                    ))
                    .confidence(60)
                    .label(Label::primary(InputKind::Log, *range, text.clone()));
                if !timeouts.is_empty() {
                    f.severity = Severity::Error;
                    f.confidence = 85;
                    f = f.status(504);
                    for g in &timeouts {
                        f = cite_events(f, g, "connect timed out: the full queue dropped the SYN");
                    }
                }
                out.push(f.fix(fix(named_by_signs(php_signs, uwsgi_full), None)));
            }
            return;
        };
        let path = unix_path(first).unwrap_or_default();
        let range = first.event.upstream_range.unwrap_or(first.event.message_range);
        let mut f = Finding::new(
            INFO.code,
            Severity::Error,
            format!("the backend's queue at {path} is full"),
        )
        .message(format!(
            "nginx's connections to the unix socket {path} fail with \"Resource temporarily unavailable\": \
                 the backend's listen queue is full because every worker is busy, so Linux refuses new \
                 connections and clients get 502 Bad Gateway."
        ))
        .confidence(if signs.is_empty() { 85 } else { 95 })
        .status(502)
        .label(Label::primary(InputKind::Log, range, format!("nginx connected to unix:{path}")));
        for g in &eagain {
            f = cite_events(f, g, "queue full (EAGAIN)");
        }
        for Sign { range, text, .. } in &signs {
            f = f.label(Label::secondary(InputKind::Log, *range, text.clone()));
        }
        let php = php_signs || first.event.upstream.as_ref().is_some_and(|u| u.scheme() == "fastcgi");
        out.push(
            f.next_step(super::super::evidence::paste_listeners())
                .fix(fix(named_by_signs(php, uwsgi_full), None)),
        );
        return;
    }
    for endpoint in &facts.endpoints {
        let eagain: Vec<&EventGroup> =
            facts.events_for(endpoint).into_iter().filter(|g| is_eagain(facts, g)).collect();
        let timeouts: Vec<&EventGroup> = facts
            .events_for(endpoint)
            .into_iter()
            .filter(|g| {
                g.event.kind == EventKind::UpstreamTimedOut && g.event.phase == Some(Phase::Connecting)
            })
            .collect();
        let full = full_listener(facts, endpoint);
        let unix = matches!(endpoint.addr, EndpointAddr::Unix { .. });
        let (confidence, severity, status) =
            match (unix, eagain.is_empty(), full.is_some(), timeouts.is_empty()) {
                (true, false, _, _) => {
                    (if full.is_some() || !signs.is_empty() { 96 } else { 88 }, Severity::Error, 502)
                }
                (true, true, true, _) => (75, Severity::Error, 502),
                (false, _, true, false) => (88, Severity::Error, 504),
                (false, _, true, true) => (70, Severity::Warning, 504),
                (false, _, false, false) if uwsgi_full => (85, Severity::Error, 504),
                _ => continue,
            };
        let target = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let message = if unix {
            format!(
                "In {place}, nginx connects to {target}. The backend's listen queue is full (every worker is \
                 busy and the backlog overflowed), so Linux refuses new connections on the unix socket with \
                 \"Resource temporarily unavailable\" and clients get 502 Bad Gateway."
            )
        } else {
            format!(
                "In {place}, nginx connects to {target}. The backend's accept queue is full (Recv-Q above the \
                 backlog), so the kernel drops nginx's connection attempts; they hang until \
                 proxy_connect_timeout and clients get 504 Gateway Time-out."
            )
        };
        let mut f = Finding::new(
            INFO.code,
            severity,
            format!("the backend at {target} is saturated: its listen queue is full"),
        )
        .message(message)
        .confidence(confidence)
        .status(status)
        .label(Label::primary(
            InputKind::Config,
            endpoint.range,
            format!("nginx connects to {target}"),
        ));
        if let Some(l) = full {
            f = f.label(Label::secondary(
                InputKind::Listeners,
                l.range,
                format!(
                    "{}: {} connections wait, the backlog holds {}",
                    listener_text(l),
                    l.recv_q.unwrap_or(0),
                    l.send_q.unwrap_or(0)
                ),
            ));
        }
        for g in &eagain {
            f = cite_events(f, g, "queue full (EAGAIN)");
        }
        for g in &timeouts {
            f = cite_events(f, g, "connect timed out: the SYN was dropped");
        }
        for Sign { range, text, .. } in &signs {
            f = f.label(Label::secondary(InputKind::Log, *range, text.clone()));
        }
        let named = if php_signs { Some(AppServer::PhpFpm) } else { backend_software(facts, endpoint) };
        out.push(f.fix(fix(named, Some(endpoint.kind))));
    }
}

/// The endpoint's listener when its accept queue is full.
fn full_listener<'a>(facts: &Facts<'a>, endpoint: &Endpoint) -> Option<&'a Listener> {
    let indices = match (&endpoint.addr, facts.tcp_reach(endpoint), facts.unix_reach(endpoint)) {
        (EndpointAddr::Tcp { .. }, TcpReach::Listening(v), _) => v,
        (EndpointAddr::Unix { .. }, _, UnixReach::Listening(v)) => v,
        _ => return None,
    };
    indices.iter().filter_map(|&i| facts.listener(i)).find(|l| l.backlog_full())
}

/// The server the backend's own log lines name, without a config.
fn named_by_signs(php: bool, uwsgi: bool) -> Option<AppServer> {
    if php {
        Some(AppServer::PhpFpm)
    } else if uwsgi {
        Some(AppServer::Uwsgi)
    } else {
        None
    }
}

/// `named`: the application server the evidence names (its process in the listener table, its
/// own log lines, the pass kind); its advice comes first, and php-fpm's alone for php-fpm.
fn fix(named: Option<AppServer>, pass: Option<PassKind>) -> Fix {
    let php = (
        Some(AppServer::PhpFpm),
        Command::new(
            "php-fpm: in the pool file, raise pm.max_children (mind the memory per child) and listen.backlog \
             (e.g. 511), then restart php-fpm",
            "sudoedit /etc/php/*/fpm/pool.d/www.conf && sudo systemctl restart 'php*-fpm'",
        ),
    );
    let kernel = (
        None,
        Command::new("the kernel caps every backlog at net.core.somaxconn", "sysctl net.core.somaxconn"),
    );
    let watch = (
        None,
        Command::new(
            "watch the queue while it happens (Recv-Q above Send-Q = full)",
            "sudo ss -lnx; sudo ss -lnt",
        ),
    );
    let alternatives = if named == Some(AppServer::PhpFpm) {
        // php-fpm, the kernel's cap, the queue: gunicorn and uWSGI advice is noise here.
        vec![php, kernel, watch]
    } else {
        vec![
            (
                Some(AppServer::Gunicorn),
                Command::new(
                    "gunicorn: more workers (2 x cores + 1 is the usual start) and a larger queue",
                    "gunicorn --workers 5 --backlog 2048 app:app",
                ),
            ),
            (
                Some(AppServer::Uwsgi),
                Command::new(
                    "uWSGI: more processes and a larger listen queue",
                    "uwsgi --processes 8 --listen 1024 ...",
                ),
            ),
            kernel,
            watch,
            php,
        ]
    };
    Fix::display_only("give the backend more workers (or faster requests) and a larger listen queue")
        .with_commands(evidence_first(alternatives, named, pass))
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("connect-timeout", All), ("php-fpm-max-children", All), ("unix-backlog-full", All), ("connect-timeout", ConfigListeners), ("php-fpm-max-children", Log)],
        not: [("healthy", All), ("firewall-drop", All), ("nft-drop", All), ("php-primary-script-unknown", All), ("connect-timeout", Config), ("php-fpm-max-children", ConfigListeners)],
        snapshot: ("connect-timeout", All),
    }
}
