use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Severity};
use crate::log::{BackendKind, EventKind, Phase};

use super::super::Facts;
use super::super::response::{
    address_text, backend_groups, backend_kills, cite_backend, endpoint_at, incidents, locate, pass_kind,
    place_text, program_fits, target_of, time_text,
};

declare_rule! {
    /// ## What it detects
    /// The backend reset the connection, or closed it while nginx was still writing:
    /// `recv() failed (104: Connection reset by peer)`, `readv()`/`writev()`/`send()
    /// failed (104: ...)` or `(32: Broken pipe)` while talking to the upstream. Causes
    /// read from the backend's log when pasted: php-fpm's `request_terminate_timeout`
    /// (`execution timed out ..., terminating`), php-fpm's `listen.allowed_clients`
    /// (`Connection disallowed: IP address ... has been dropped`), a crashed or killed
    /// worker; and a proxy loop (nginx proxying to itself until it runs out of connections).
    ///
    /// ## Why it causes a 502
    /// A reset ends the connection with no response to relay, so nginx answers **502 Bad
    /// Gateway** (once the header was sent, the status stays and the body is cut).
    ///
    /// ## Example
    /// ```text
    /// [error] recv() failed (104: Connection reset by peer) while reading response header from upstream, ... upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:"
    /// WARNING: [pool www] child 13426, script '/var/www/slow.php' (request: "GET /slow.php") execution timed out (30.2 sec), terminating
    /// ```
    ///
    /// ## Fix
    /// Follow the cause: raise php-fpm's `request_terminate_timeout` above
    /// `fastcgi_read_timeout` (or make the script faster); add nginx's address to
    /// `listen.allowed_clients`; find why the worker crashes. Without the backend's log,
    /// paste it: the reset is its decision.
    ///
    /// ## References
    /// - https://www.php.net/manual/en/install.fpm.configuration.php#request-terminate-timeout
    /// - https://www.php.net/manual/en/install.fpm.configuration.php#listen-allowed-clients
    /// - https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_read_timeout
    code: BG304,
    name: "upstream-reset-connection",
    title: "the backend reset the connection",
    explains: [ConnectionReset],
    caused_by: [(BG213, SameTarget)],
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let found = incidents(facts, |g| {
        g.event.kind == EventKind::ConnectionReset
            && g.event.phase.is_some_and(|p| p.is_upstream() || p == Phase::SendingToClient)
    });
    if found.is_empty() {
        return;
    }
    let kills = backend_kills(facts);
    let disallowed = backend_groups(facts, |k| matches!(k, BackendKind::PhpFpmConnectionDisallowed));
    for incident in &found {
        let event = &incident.group.event;
        let kind = pass_kind(facts, incident);
        let target = address_text(facts, incident);
        let place = place_text(facts, incident);
        let truncated = event.phase.is_some_and(|p| p.after_header());
        let syscall = event.detail().map(str::to_owned).unwrap_or_else(|| "recv()".to_string());
        let errno = match event.errno {
            Some(32) => "32: Broken pipe",
            _ => "104: Connection reset by peer",
        };
        let endpoint = endpoint_at(facts, incident);
        let is_loop = endpoint.is_some_and(|e| facts.own_server_for(e).is_some());
        let causes: Vec<_> = kills.iter().filter(|(k, _)| program_fits(kind, k.program())).collect();
        let read_timeout = endpoint.and_then(|e| target_of(facts, e)).map(|t| t.effective.read_timeout.value);

        let mut message = if truncated {
            format!(
                "{place} was relaying the response from {target} when the backend reset the connection \
                 ({syscall} failed, {errno}): the status had already been sent, so the body is cut short."
            )
        } else {
            format!(
                "{place} was talking to {target} when the backend reset the connection ({syscall} failed, \
                 {errno}), so there was no response to relay and the client got 502 Bad Gateway."
            )
        };
        if is_loop {
            message.push_str(
                " The address is nginx's own listen address: nginx proxies to itself, every pass opens another \
                 connection until worker_connections run out, and the innermost ones are reset.",
            );
        } else if let Some((first, _)) = causes.first() {
            message.push_str(&format!(" The backend's log says why: {}.", first.describe()));
            if first.is_timeout() {
                let nginx = read_timeout.map_or_else(|| "60s unless set".to_string(), time_text);
                message.push_str(&format!(
                    " That limit is shorter than nginx's {}_read_timeout ({nginx}): the backend gives up first and \
                     the client gets a 502 instead of a 504.",
                    kind.prefix()
                ));
            }
        } else if !disallowed.is_empty() {
            message.push_str(
                " php-fpm dropped the connection because nginx's address is not in the pool's \
                 listen.allowed_clients.",
            );
        } else if event.errno == Some(32) {
            message.push_str(
                " A broken pipe while sending means the backend closed before reading the whole request (a body \
                 limit on the backend, or a worker that died).",
            );
        } else {
            message.push_str(
                " The backend (or something between, such as a firewall or a container's proxy) aborted the \
                 connection: a crashed or killed worker, a backend time limit, or a backend that refuses this client.",
            );
        }
        let confidence = if is_loop || !causes.is_empty() || !disallowed.is_empty() { 92 } else { 72 };
        let mut finding = Finding::new(
            INFO.code,
            if truncated { Severity::Warning } else { Severity::Error },
            if truncated {
                format!("{target} reset the connection in the middle of the response")
            } else {
                format!("{target} reset the connection")
            },
        )
        .message(message)
        .confidence(confidence);
        if !truncated {
            finding = finding.status(502);
        }
        finding = locate(finding, facts, incident, &format!("{syscall} failed ({errno})"));
        let mut commands = Vec::new();
        if !is_loop {
            for (kill, group) in causes.iter().map(|c| (&c.0, c.1)) {
                finding = cite_backend(finding, group, &format!("cause: {}", kill.describe()));
            }
            if let Some((first, _)) = causes.first() {
                commands.extend(first.commands(read_timeout));
            } else if !disallowed.is_empty() {
                for g in &disallowed {
                    finding =
                        cite_backend(finding, g, "php-fpm refused nginx's address (listen.allowed_clients)");
                }
                commands.push(Command::new(
                    "allow nginx's address in the pool (or remove the line), then restart php-fpm",
                    "sudo grep -rn allowed_clients /etc/php/*/fpm/pool.d/   # listen.allowed_clients = 127.0.0.1",
                ));
            }
        }
        if commands.is_empty() && !is_loop {
            finding = finding.next_step(Command::new(
                "paste the backend's own log from the same minute (name your service), to see why it reset",
                "sudo journalctl -u myapp --since '-10 min' --no-pager",
            ));
        } else if !commands.is_empty() {
            finding = finding.fix(
                Fix::display_only("remove the backend's reason to drop the connection")
                    .with_commands(commands),
            );
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("php-fpm-terminate-timeout", All), ("proxy-loop", All), ("upstream-resets", All), ("php-fpm-terminate-timeout", Log), ("proxy-loop", Log)],
        not: [("healthy", All), ("remote-backend", All), ("php-fpm-terminate-timeout", ConfigListeners), ("proxy-loop", ConfigListeners), ("upstream-resets", ConfigListeners)],
        snapshot: ("php-fpm-terminate-timeout", All),
    }
}
