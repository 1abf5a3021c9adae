use crate::diagnose::Findings;
use crate::finding::{Applicability, Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::{EventGroup, EventKind};

use super::super::evidence::{cite_events, reload_commands};
use super::super::facts::Facts;

declare_rule! {
    /// ## What it detects
    /// nginx itself ran out of a resource while opening the connection to the backend:
    /// `N worker_connections are not enough` (too small `worker_connections`),
    /// `socket() failed (24: Too many open files)` (the worker's file limit), or
    /// `connect() ... failed (99: Cannot assign requested address)` (no free local
    /// ephemeral port, usually thousands of short upstream connections in TIME_WAIT);
    /// `accept4() failed (24: ...)` (the same file limit, hit while taking a client's
    /// connection: that client gets no status at all); and `bind(ADDR) failed (99: ...)`
    /// (`proxy_bind` names a source address this host does not have: 500).
    ///
    /// ## Why it causes a 502
    /// It usually shows as **500 Internal Server Error**, not 502: the request fails
    /// inside nginx before any connection to the backend exists. Out of ephemeral ports,
    /// `connect()` fails and the client gets 502. The backend is fine.
    ///
    /// ## Example
    /// ```nginx
    /// events { worker_connections 64; }
    /// ```
    /// ```text
    /// [alert] 64 worker_connections are not enough while connecting to upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Raise `worker_connections` (each proxied request uses two: client and upstream) and
    /// `worker_rlimit_nofile` with it (systemd: `LimitNOFILE=`). For ephemeral ports, reuse
    /// upstream connections: an `upstream {}` with `keepalive 32;`, `proxy_http_version 1.1;`
    /// and `proxy_set_header Connection "";`. If the count explodes for no reason, look for a
    /// proxy loop (BG213).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/ngx_core_module.html#worker_connections
    /// - https://nginx.org/en/docs/ngx_core_module.html#worker_rlimit_nofile
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive
    code: BG212,
    name: "nginx-out-of-connections",
    title: "nginx out of connections, files or local ports (500)",
    explains: [OutOfLocalAddresses],
    caused_by: [(BG213, Anywhere)],
}

/// `3` of `3 worker_connections are not enough`.
fn logged_limit(facts: &Facts<'_>, group: &EventGroup) -> Option<u32> {
    let text = facts.inputs.log?;
    let m = group.event.message_range;
    let msg = text.get(m.start as usize..m.end as usize)?;
    let digits: Vec<u8> = msg.iter().take_while(|b| b.is_ascii_digit()).copied().collect();
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(log) = facts.log else { return };
    let model = facts.config.map(|c| c.model());
    let looping = facts.log_shows_loop();
    for group in &log.groups {
        let e = &group.event;
        let (title, what, status) = match (&e.kind, e.errno) {
            (EventKind::WorkerConnectionsNotEnough, _) => {
                let n = logged_limit(facts, group);
                let configured = model.map(|m| m.worker_connections.as_ref().map_or(512, |s| s.value));
                // The config pasted now allows more than the log's limit: it was raised since.
                if let (Some(n), Some(c)) = (n, configured)
                    && c > n
                {
                    continue;
                }
                (
                    format!(
                        "worker_connections ({}) are not enough",
                        n.map_or("?".into(), |n| n.to_string())
                    ),
                    "every worker connection is in use (each proxied request needs two: the client's and the \
                     backend's), so nginx cannot open a connection to the backend",
                    500,
                )
            }
            (EventKind::TooManyOpenFiles, _) => (
                "nginx's worker ran out of file descriptors (24: Too many open files)".to_string(),
                "the worker reached its open-file limit (RLIMIT_NOFILE), so it cannot create the socket to the \
                 backend",
                500,
            ),
            (EventKind::BindFailed, errno) => (
                format!(
                    "proxy_bind: nginx cannot use {} as the source address ({})",
                    e.peer().unwrap_or("the configured address"),
                    errno.map_or("bind() failed".to_string(), |n| format!(
                        "{n}: {}",
                        e.errno_text().unwrap_or("bind() failed")
                    ))
                ),
                "`proxy_bind` (or `fastcgi_bind`, `uwsgi_bind` ...) names a source address the worker cannot bind: \
                 99 means this host has no such address (`ip -brief addr` lists them), 98 that the address and \
                 port are taken, 1 or 13 that `transparent` needs privileges the worker lacks",
                500,
            ),
            (EventKind::ConnectFailed, Some(99)) => (
                "no free local port to connect to the backend (99: Cannot assign requested address)"
                    .to_string(),
                "every local ephemeral port towards this backend is taken (typically by connections in \
                 TIME_WAIT, one per short-lived upstream connection)",
                502,
            ),
            _ => continue,
        };
        // Without `while connecting to upstream`, the alert is about accepting a client.
        let on_accept = matches!(e.kind, EventKind::WorkerConnectionsNotEnough | EventKind::TooManyOpenFiles)
            && e.upstream.is_none()
            && e.phase.is_none();
        let message = if looping {
            "nginx ran out of worker connections because it proxies to itself: every pass through the loop \
             holds two more connections until none are left, then new connections are refused or reset."
                .to_string()
        } else if e.kind == EventKind::BindFailed {
            format!(
                "nginx binds each backend connection's source address first, as `proxy_bind` says, and that fails: \
                 {what}. The request fails inside nginx and the client gets 500 Internal Server Error (not 502); \
                 the backend is not at fault."
            )
        } else if on_accept && e.kind == EventKind::TooManyOpenFiles {
            "nginx ran out of file descriptors: the worker reached its open-file limit (RLIMIT_NOFILE), so \
             `accept()` fails and it cannot take new client connections. Those clients get no status at all (they \
             wait, time out or are reset); requests already accepted fail with 500 when nginx cannot open their \
             backend socket."
                .to_string()
        } else if on_accept {
            "nginx ran out of worker connections: every one is in use (each proxied request needs two: the \
             client's and the backend's), so it cannot accept new clients until some are released."
                .to_string()
        } else {
            format!(
                "nginx itself ran out of a resource: {what}. The request fails inside nginx and the client gets \
                 {status}{}; the backend is not at fault.",
                if status == 500 { " Internal Server Error (not 502)" } else { " Bad Gateway" }
            )
        };
        let mut f = Finding::new(INFO.code, Severity::Error, title).message(message).confidence(if looping {
            70
        } else {
            92
        });
        if !on_accept && !looping {
            f = f.status(status);
        }
        let primary_in_config = match (&e.kind, model) {
            (EventKind::WorkerConnectionsNotEnough, Some(m)) => {
                m.worker_connections.as_ref().and_then(|s| s.range)
            }
            (EventKind::TooManyOpenFiles, Some(m)) => m.worker_rlimit_nofile.as_ref().and_then(|s| s.range),
            _ => None,
        };
        match primary_in_config {
            Some(range) => {
                f = f.label(Label::primary(InputKind::Config, range, "the limit nginx hit"));
                f = cite_events(f, group, "limit reached");
            }
            None => {
                f = f.label(Label::primary(InputKind::Log, e.message_range, "the limit nginx hit"));
                if group.count > 1 {
                    f = f.note(format!("{} such lines.", group.count));
                }
            }
        }
        if looping {
            f = f.note(
                "nginx connects to itself (BG213): every request opens another, until the connections run out. \
                 Fix the loop; raising the limit would not help.",
            );
        }
        // In a loop the fix is BG213's: a larger limit would only feed the loop.
        if !looping {
            f = f.fix(fix_for(&e.kind, primary_in_config));
        }
        out.push(f);
    }
}

fn fix_for(kind: &EventKind, range: Option<crate::input::TextRange>) -> Fix {
    match kind {
        EventKind::WorkerConnectionsNotEnough => Fix::new(if range.is_some() { Applicability::Unsafe } else { Applicability::DisplayOnly }, "raise worker_connections (and the open-file limit with it)", range
                .map(|r| vec![Edit { range: r, replacement: "worker_connections 4096;".into() }])
                .unwrap_or_default()).with_commands(vec![
                Command::new(
                    "let each worker open enough files (2 per proxied connection): `worker_rlimit_nofile 16384;` in \
                     the main context; without a worker_connections line, add `worker_connections 4096;` in \
                     events { }",
                    "sudoedit /etc/nginx/nginx.conf",
                ),
                reload_commands(),
            ]),
        EventKind::TooManyOpenFiles => Fix::new(if range.is_some() { Applicability::Unsafe } else { Applicability::DisplayOnly }, "raise the workers' open-file limit", range
                .map(|r| vec![Edit { range: r, replacement: "worker_rlimit_nofile 65535;".into() }])
                .unwrap_or_default()).with_commands(vec![
                Command::new(
                    "without a worker_rlimit_nofile line: add `worker_rlimit_nofile 65535;` in the main context",
                    "sudoedit /etc/nginx/nginx.conf",
                ),
                Command::new(
                    "and nginx's systemd limit: add `[Service]` and `LimitNOFILE=65535`, then restart nginx",
                    "sudo systemctl edit nginx && sudo systemctl restart nginx",
                ),
                Command::new(
                    "see the limit a worker has now",
                    "grep 'open files' /proc/$(pgrep -f 'nginx: worker' | head -n1)/limits",
                ),
            ]),
        EventKind::BindFailed => Fix::display_only("make proxy_bind name an address of this host, or remove it")
            .with_commands(vec![
                Command::new("list this host's addresses (proxy_bind must name one of them)", "ip -brief addr"),
                Command::new("find the proxy_bind lines", "sudo nginx -T 2>/dev/null | grep -n '_bind '"),
                reload_commands(),
            ]),
        _ => Fix::display_only("reuse upstream connections instead of opening one per request").with_commands(vec![
                Command::new(
                    "keep idle connections to the backend: an `upstream app { server 127.0.0.1:8000; keepalive 32; }` \
                     and, where it is used, `proxy_pass http://app;`, `proxy_http_version 1.1;`, \
                     `proxy_set_header Connection \"\";`",
                    "sudoedit /etc/nginx/nginx.conf && sudo nginx -t && sudo systemctl reload nginx",
                ),
                Command::new("count connections in TIME_WAIT", "ss -tan state time-wait | wc -l"),
                Command::new("widen the local port range if needed", "sysctl net.ipv4.ip_local_port_range"),
            ]),
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("proxy-loop", All), ("worker-connections-too-small", All), ("proxy-loop", Log), ("worker-connections-too-small", Log)],
        not: [("healthy", All), ("php-primary-script-unknown", All), ("remote-backend", All), ("proxy-loop", ConfigListeners), ("worker-connections-too-small", ConfigListeners)],
        snapshot: ("proxy-loop", All),
    }
}
