use crate::diagnose::Findings;
use badgateway_config::PassKind;

use crate::finding::{Command, Finding, Fix, Severity};
use crate::log::{BackendKind, EventKind, Phase};

use super::super::Facts;
use super::super::response::{
    BackendKill, address_text, backend_groups, backend_kills, cite_backend, endpoint_at, incidents, locate,
    pass_kind, place_text, program_fits, target_of, time_text,
};

declare_rule! {
    /// ## What it detects
    /// nginx connected to the backend and sent the request, but the backend closed the
    /// connection before a complete response: `upstream prematurely closed connection`
    /// (or `... FastCGI stdout`, or `... stream` for gRPC). The backend crashed, or its
    /// worker was killed mid-request: gunicorn's `WORKER TIMEOUT` then SIGKILL, the
    /// out-of-memory killer, uWSGI `HARAKIRI`, php-fpm's `request_terminate_timeout`.
    /// When the backend's own log is pasted, its line is cited as the cause.
    ///
    /// ## Why it causes a 502
    /// The connection ends with no response header to relay, so nginx answers **502 Bad
    /// Gateway**. A backend time limit shorter than `proxy_read_timeout` turns a slow
    /// request into a 502 instead of nginx's own 504. When the header had already been
    /// sent (`while reading upstream`), the status stays (often 200) and the body is cut.
    ///
    /// ## Example
    /// ```text
    /// [error] upstream prematurely closed connection while reading response header from upstream, ... upstream: "http://127.0.0.1:8000/stuck"
    /// [CRITICAL] WORKER TIMEOUT (pid:11189)
    /// [WARNING] Worker with pid 11189 was terminated due to signal 9
    /// ```
    ///
    /// ## Fix
    /// Find the request that is slow or crashes (the backend's log, `dmesg` for the OOM
    /// killer). Make it faster, or give the backend a time limit above nginx's
    /// `proxy_read_timeout` (gunicorn `--timeout`, php-fpm `request_terminate_timeout`,
    /// uWSGI `harakiri`) so that slow requests end in a clear 504 from nginx.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
    /// - https://docs.gunicorn.org/en/stable/settings.html#timeout
    /// - https://www.php.net/manual/en/install.fpm.configuration.php#request-terminate-timeout
    code: BG301,
    name: "upstream-closed-before-response",
    title: "the backend closed the connection before a full response",
    explains: [ClosedBeforeResponse],
    caused_by: [(BG302, SameTarget)],
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let found = incidents(facts, |g| {
        matches!(
            g.event.kind,
            EventKind::PrematurelyClosed
                | EventKind::PrematurelyClosedFastcgi
                | EventKind::PrematurelyClosedStream
        ) && g.event.phase.is_none_or(|p| p != Phase::Client)
    });
    if found.is_empty() {
        return;
    }
    let kills = backend_kills(facts);
    // HTTP sent to a uwsgi-protocol socket is closed the same way: that is BG302's.
    let uwsgi_block = backend_groups(facts, |k| matches!(k, BackendKind::UwsgiInvalidBlockSize));
    for incident in &found {
        let event = &incident.group.event;
        let kind = pass_kind(facts, incident);
        let truncated = event.phase.is_some_and(|p| p.after_header());
        let target = address_text(facts, incident);
        let place = place_text(facts, incident);
        let read_timeout = endpoint_at(facts, incident)
            .and_then(|e| target_of(facts, e))
            .map(|t| (t.effective.read_timeout.value, t.effective.read_timeout.is_default()));
        let causes: Vec<&(BackendKill, &crate::log::BackendGroup)> =
            kills.iter().filter(|(k, _)| program_fits(kind, k.program())).collect();

        let mut message = if truncated {
            format!(
                "{place} was relaying the response from {target} when the backend closed the connection: the \
                 header had already gone to the client, so the status stays (often 200) but the body is cut short."
            )
        } else {
            format!(
                "{place} sent the request to {target}, and the backend closed the connection before sending a \
                 complete response header, so nginx had nothing to relay and the client got 502 Bad Gateway."
            )
        };
        if let Some((first, _)) = causes.first() {
            message.push_str(&format!(" The backend's log says why: {}.", first.describe()));
            if first.is_timeout() {
                let nginx_limit = match read_timeout {
                    Some((ms, default)) => format!(
                        "nginx's {}_read_timeout ({}{})",
                        kind.prefix(),
                        time_text(ms),
                        if default { ", the default" } else { "" }
                    ),
                    None => format!("nginx's {}_read_timeout (60s unless set)", kind.prefix()),
                };
                let backend_limit = first.limit_ms().map_or_else(
                    || "The backend's time limit".to_string(),
                    |ms| format!("The backend's limit (~{})", super::super::response::seconds_text(ms)),
                );
                message.push_str(&format!(
                    " {backend_limit} ran out before {nginx_limit}, so a slow request ends in a 502 from the \
                     backend's kill instead of nginx's own 504."
                ));
            }
        } else if !uwsgi_block.is_empty() && kind == PassKind::Proxy {
            message.push_str(
                " The backend is uWSGI and rejected the request as an invalid uwsgi packet: nginx speaks HTTP to \
                 a uwsgi-protocol socket (see BG302).",
            );
        } else {
            message.push_str(
                " Usual causes: the backend crashed or its worker was killed (a time limit such as gunicorn's \
                 --timeout, php-fpm's request_terminate_timeout, uWSGI's harakiri, or the out-of-memory killer).",
            );
        }

        let what = if truncated {
            "the backend closed the connection mid-response"
        } else {
            "the backend closed the connection before the response header"
        };
        let mut finding = Finding::new(
            INFO.code,
            if truncated { Severity::Warning } else { Severity::Error },
            if truncated {
                format!("{target} closed the connection in the middle of the response")
            } else {
                format!("{target} closed the connection before a full response")
            },
        )
        .message(message)
        .confidence(match (causes.is_empty(), truncated) {
            (false, _) => 92,
            (true, false) => 75,
            (true, true) => 60,
        });
        if !truncated {
            finding = finding.status(502);
        }
        finding = locate(finding, facts, incident, what);
        for (kill, group) in causes.iter().map(|c| (&c.0, c.1)) {
            finding = cite_backend(finding, group, &format!("cause: {}", kill.describe()));
        }
        if !uwsgi_block.is_empty() && causes.is_empty() && kind == PassKind::Proxy {
            for g in &uwsgi_block {
                finding = cite_backend(finding, g, "uWSGI read an HTTP request as a uwsgi packet");
            }
        }
        let commands = match causes.first() {
            Some((kill, _)) => kill.commands(read_timeout.map(|(ms, _)| ms)),
            None => Vec::new(),
        };
        if causes.is_empty() {
            finding = finding.next_step(Command::new(
                "paste the backend's own log from the same minute (name your service), to see why it closed",
                "sudo journalctl -u myapp --since '-10 min' --no-pager",
            ));
            finding = finding.next_step(Command::new(
                "see whether the kernel killed it for memory",
                "sudo dmesg -T | grep -i -E 'out of memory|killed process' | tail -n 5",
            ));
        }
        if !commands.is_empty() {
            finding = finding.fix(Fix::display_only("stop the backend from dying mid-request: find the slow or crashing request, and keep the \
                          backend's time limit above nginx's").with_commands(commands));
        }
        if causes.is_empty() && !truncated && pooled(facts, incident) {
            finding = finding.note(
                "This upstream keeps idle connections (keepalive). A backend that closes idle connections sooner \
                 than nginx's keepalive_timeout (60s by default) can close one just as nginx reuses it: nginx \
                 retries idempotent requests, but a POST gets this 502. Set keepalive_timeout in the upstream block \
                 below the backend's idle timeout (node: server.keepAliveTimeout, 5s by default).",
            );
        }
        out.push(finding);
    }
}

/// Does the endpoint belong to an `upstream {}` with `keepalive`?
fn pooled(facts: &Facts<'_>, incident: &super::super::response::Incident<'_>) -> bool {
    let Some((u, _)) = endpoint_at(facts, incident).and_then(|e| e.upstream_server) else { return false };
    facts.config.and_then(|c| c.model().upstreams.get(u)).is_some_and(|u| u.keepalive.is_some())
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("gunicorn-worker-timeout", All), ("upstream-closes", All), ("gunicorn-worker-timeout", Log), ("upstream-closes", Log)],
        not: [("healthy", All), ("read-timeout", All), ("remote-backend", All), ("gunicorn-worker-timeout", ConfigListeners), ("upstream-closes", ConfigListeners)],
        snapshot: ("gunicorn-worker-timeout", All),
    }
}
