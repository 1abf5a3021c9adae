use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Label, Severity};
use crate::input::InputKind;
use crate::log::{EventGroup, EventKind, Phase};

use super::super::Facts;
use super::super::evidence::reload_commands;
use super::super::response::{
    DirectiveEdits, address_text, backend_kills, cite_backend, endpoint_at, gunicorn_limit, incidents,
    locate, pass_kind, place_text, program_fits, setting_origin, target_of, time_text,
};

declare_rule! {
    /// ## What it detects
    /// nginx connected to the backend, but the backend took longer than nginx is willing
    /// to wait: `upstream timed out (110: Connection timed out) while reading response
    /// header from upstream` (`proxy_read_timeout`, 60s by default) or `while sending
    /// request to upstream` (`proxy_send_timeout`). This is nginx's own timer.
    /// It also tells the kernel's timeout apart: `recv() failed (110: Connection timed
    /// out)` is TCP giving up on a dead connection, not nginx's timer.
    ///
    /// ## Why it causes a 504
    /// nginx's own timer expiring gives **504 Gateway Timeout**, not 502 (unless
    /// `proxy_next_upstream` retried another server and that one failed differently: the
    /// last attempt decides). The kernel's `(110)` on `recv()` gives **502**. After the
    /// header was sent (`while reading upstream`) the status stays and the body is cut.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_read_timeout 1s; proxy_pass http://127.0.0.1:8000; }
    /// ```
    /// ```text
    /// [error] upstream timed out (110: Connection timed out) while reading response header from upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Find out why the backend is slow (its log, a slow query, a lock); a timeout below
    /// nginx's default 60s is usually a mistake and can be raised where the target is
    /// (`proxy_read_timeout 60s;`). Keep the backend's own limit (gunicorn `--timeout`,
    /// php-fpm `request_terminate_timeout`) consistent with it.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_read_timeout
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_send_timeout
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream
    code: BG401,
    name: "upstream-read-timeout",
    title: "the backend is too slow: nginx's read timeout expired (504)",
    explains: [ResponseTimedOut],
}

#[derive(Clone, Copy, PartialEq)]
enum Timer {
    /// nginx's proxy_read_timeout, before the header: 504.
    Read,
    /// nginx's proxy_send_timeout: 504.
    Send,
    /// nginx's timer after the header: body cut.
    Body,
    /// The kernel's TCP timeout on an established connection: 502.
    Kernel,
}

fn classify(g: &EventGroup) -> Option<Timer> {
    let e = &g.event;
    match (&e.kind, e.phase) {
        (EventKind::UpstreamTimedOut, Some(Phase::ReadingResponseHeader)) => Some(Timer::Read),
        (EventKind::UpstreamTimedOut, Some(Phase::SendingRequest)) => Some(Timer::Send),
        (EventKind::UpstreamTimedOut, Some(Phase::ReadingUpstream)) => Some(Timer::Body),
        (EventKind::IoFailed | EventKind::ConnectionReset, Some(p))
            if e.errno == Some(110) && p.is_upstream() && p != Phase::Connecting =>
        {
            Some(Timer::Kernel)
        }
        _ => None,
    }
}

/// nginx's default for the read/send timeouts.
const DEFAULT_MS: u64 = 60_000;

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let kills = backend_kills(facts);
    for incident in incidents(facts, |g| classify(g).is_some()) {
        let Some(timer) = classify(incident.group) else { continue };
        let kind = pass_kind(facts, &incident);
        let prefix = kind.prefix();
        let target = address_text(facts, &incident);
        let place = place_text(facts, &incident);
        let config_target = endpoint_at(facts, &incident).and_then(|e| target_of(facts, e));
        let directive = if timer == Timer::Send {
            format!("{prefix}_send_timeout")
        } else {
            format!("{prefix}_read_timeout")
        };
        let setting = config_target.map(|t| {
            if timer == Timer::Send { &t.effective.send_timeout } else { &t.effective.read_timeout }
        });
        let value = setting.map_or_else(
            || "60s unless set".to_string(),
            |s| format!("{}{}", time_text(s.value), setting_origin(s)),
        );
        let (title, status, mut message) = match timer {
            Timer::Read | Timer::Send => (
                format!("{target} did not answer within {directive} ({value}): 504"),
                Some(504),
                format!(
                    "{place} connected to {target} and {} but waited longer than {directive} ({value}). This is \
                     nginx's own timer, so the client got 504 Gateway Timeout, not 502.",
                    if timer == Timer::Send { "was sending the request," } else { "sent the request," }
                ),
            ),
            Timer::Body => (
                format!("{target} stalled in the middle of the response"),
                None,
                format!(
                    "{place} was relaying the response from {target} when the backend stopped sending for longer \
                     than {directive} ({value}). The status had already been sent, so the body is cut short."
                ),
            ),
            Timer::Kernel => (
                format!("the connection to {target} died: the kernel's TCP timeout (502, not 504)"),
                Some(502),
                format!(
                    "{place} was talking to {target} when the operating system gave up on the connection \
                     (recv() failed with 110: Connection timed out: no acknowledgement from the other side). This \
                     is the kernel's timer, not {directive}, so the client got 502 Bad Gateway, not 504. Something \
                     between nginx and the backend drops packets (a firewall, a NAT or conntrack entry that expired, \
                     a backend host that went away)."
                ),
            ),
        };
        let backend_timeouts: Vec<_> =
            kills.iter().filter(|(k, _)| k.is_timeout() && program_fits(kind, k.program())).collect();
        let gunicorn = endpoint_at(facts, &incident)
            .and_then(|e| gunicorn_limit(facts, e))
            .filter(|(limit, _)| setting.is_some_and(|s| limit * 1000 >= s.value));
        if matches!(timer, Timer::Read | Timer::Send) {
            match (backend_timeouts.first(), gunicorn) {
                (Some((kill, _)), _) => message.push_str(&format!(
                    " The backend also gave up on its own ({}); when its limit is shorter than {directive}, clients \
                     see 502s instead.",
                    kill.describe()
                )),
                (None, Some((limit, _))) => message.push_str(&format!(
                    " gunicorn's own limit here is --timeout {limit} s, not shorter than {directive}: nginx gives \
                     up first (504) while the worker keeps running."
                )),
                (None, None) => message.push_str(&format!(
                    " No backend line shows the backend's own limit (gunicorn --timeout, 30s by default; php-fpm \
                     request_terminate_timeout; uWSGI harakiri); where it is shorter than {directive}, slow requests \
                     end in 502s instead."
                )),
            }
        }
        let retried = config_target.is_some_and(|t| {
            let servers = match t.host {
                badgateway_config::TargetHost::Upstream { index } => facts
                    .config
                    .and_then(|c| c.model().upstreams.get(index))
                    .map_or(0, |u| u.servers.iter().filter(|s| !s.down).count()),
                _ => 0,
            };
            servers > 1 && t.effective.next_upstream.value.iter().any(|v| v == "timeout")
        });
        if retried && matches!(timer, Timer::Read | Timer::Send) {
            message.push_str(&format!(
                " With several servers and {prefix}_next_upstream timeout, nginx tries the next server first \
                 (a request already sent is retried only if it is idempotent): the client's status comes from \
                 the last attempt."
            ));
        }
        let mut finding = Finding::new(
            INFO.code,
            if timer == Timer::Body { Severity::Warning } else { Severity::Error },
            title,
        )
        .message(message)
        .confidence(if timer == Timer::Kernel { 75 } else { 95 });
        if let Some(s) = status {
            finding = finding.status(s);
        }
        if let Some(range) = setting.and_then(|s| s.range) {
            finding = finding.label(Label::secondary(
                crate::input::InputKind::Config,
                range,
                format!("nginx waits {value}"),
            ));
        }
        finding = locate(finding, facts, &incident, "nginx's wait for the backend ran out");
        if let Some((limit, range)) = gunicorn {
            finding = finding.label(Label::secondary(
                InputKind::Listeners,
                range,
                format!("gunicorn --timeout {limit}"),
            ));
        }
        for (kill, group) in backend_timeouts.iter().map(|c| (&c.0, c.1)) {
            finding = cite_backend(finding, group, &kill.describe());
        }
        let slow = Command::new(
            "time the backend directly, without nginx",
            format!("curl -s -o /dev/null -w '%{{http_code}} in %{{time_total}}s\\n' http://{target}/"),
        );
        let raise = match (timer, config_target, setting) {
            (Timer::Read | Timer::Send, Some(t), Some(s)) if s.value < DEFAULT_MS => {
                DirectiveEdits::new(facts, t).map(|mut edits| {
                    edits.set(&directive, &time_text(DEFAULT_MS), s);
                    Fix::unsafe_(format!(
                            "{directive} is {}, below nginx's default: give the backend {} (and find why it is slow)",
                            time_text(s.value),
                            time_text(DEFAULT_MS)
                        ), edits.finish()).with_commands(vec![slow.clone(), reload_commands()])
                })
            }
            _ => None,
        };
        match raise {
            Some(fix) => finding = finding.fix(fix),
            None if timer == Timer::Kernel => {
                finding = finding.next_step(Command::new(
                    "look for firewall rules that drop packets between nginx and the backend",
                    "sudo iptables -S; sudo nft list ruleset | grep -i drop",
                ))
            }
            None => finding = finding.fix(
                Fix::display_only(format!(
                    "make the slow request faster; raise {directive} only if such slow answers are expected"
                ))
                .with_commands(vec![slow]),
            ),
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("read-timeout", All), ("read-timeout", Log)],
        not: [("healthy", All), ("gunicorn-worker-timeout", All), ("php-fpm-terminate-timeout", All), ("remote-backend", All), ("read-timeout", ConfigListeners)],
        snapshot: ("read-timeout", All),
    }
}
