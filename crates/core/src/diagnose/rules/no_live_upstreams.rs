use crate::diagnose::Findings;
use crate::finding::{Code, Command, Edit, Finding, Fix, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::log::{EventGroup, EventKind};

use super::super::evidence::{cite_events, endpoint_text};
use super::super::facts::{Endpoint, Facts};

declare_rule! {
    /// ## What it detects
    /// nginx logs `no live upstreams`: every server of an `upstream {}` group (or every
    /// address a name resolved to) is marked failed, so nginx does not even try them. This
    /// is a consequence: the servers failed first (refused, timed out, reset), each failure
    /// counted against `max_fails` (default 1) within `fail_timeout` (default 10 s). The
    /// finding points to that root cause.
    ///
    /// ## Why it causes a 502
    /// With no server left to try, nginx answers **502 Bad Gateway** at once, without
    /// connecting, until `fail_timeout` expires and a server is tried again. So a short
    /// outage of the backend keeps failing requests for up to 10 s after it recovered.
    ///
    /// ## Example
    /// ```nginx
    /// upstream app_pool { server 127.0.0.1:8001; server 127.0.0.1:8002; }
    /// ```
    /// ```text
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:8001/"
    /// [warn] upstream server temporarily disabled while connecting to upstream, ... upstream: "http://127.0.0.1:8001/"
    /// [error] no live upstreams while connecting to upstream, ... upstream: "http://app_pool/"
    /// ```
    ///
    /// ## Fix
    /// Fix why the servers failed (the linked finding). For flapping backends, tune
    /// `server ... max_fails=3 fail_timeout=5s;`, and add a `backup` server if there is one.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#max_fails
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#fail_timeout
    code: BG210,
    name: "no-live-upstreams",
    title: "no live upstreams: every server of the group is marked failed",
}

/// The code of the rule that explains one failed connection or response.
fn failure_cause(facts: &Facts<'_>, group: &EventGroup) -> Option<Code> {
    facts.failure_of(group).and_then(super::explaining)
}

/// The cause the listener table gives for an endpoint that cannot be reached.
fn endpoint_cause(facts: &Facts<'_>, endpoint: &Endpoint) -> Option<Code> {
    facts.endpoint_failure(endpoint).and_then(super::explaining)
}

/// Every server of a used upstream block is marked `down` (backups only serve when a
/// primary is up or failed, not down): nginx has no server to try, ever.
/// Returns the names of those upstreams, which need no other explanation.
fn all_down(facts: &Facts<'_>, out: &mut Vec<Finding>) -> Vec<String> {
    let mut names = Vec::new();
    let Some(config) = facts.config else { return names };
    let model = config.model();
    let src = config.source();
    let used = |i: usize| {
        model.targets.iter().any(|t| t.host == badgateway_config::TargetHost::Upstream { index: i })
    };
    for (i, upstream) in model.upstreams.iter().enumerate() {
        let primaries: Vec<_> = upstream.servers.iter().filter(|s| !s.backup).collect();
        if primaries.is_empty() || !primaries.iter().all(|s| s.down) || !used(i) || upstream.stream {
            continue;
        }
        let events: Vec<&EventGroup> = facts
            .events_of(&EventKind::NoLiveUpstreams)
            .filter(|g| g.event.upstream.as_ref().is_some_and(|u| u.host() == upstream.name))
            .collect();
        let name = &upstream.name;
        if let Some(sign) = generator_sign(src, upstream.range) {
            let mut f = generated_fallback(name, upstream, &primaries, sign, src, &events);
            if events.is_empty() {
                f.confidence = 88;
            }
            out.push(f);
            names.push(name.clone());
            continue;
        }
        let mut f = Finding::new(INFO.code, Severity::Error, format!("every server of {name} is marked `down`"))
            .message(format!(
                "Every server of upstream {name} has the `down` parameter, so nginx never tries any of them: each \
                 request logs \"no live upstreams\" and gets 502 Bad Gateway at once."
            ))
            .confidence(if events.is_empty() { 88 } else { 97 })
            .status(502)
            .label(Label::primary(InputKind::Config, upstream.name_range, format!("upstream {name}")));
        let mut edits = Vec::new();
        for server in &primaries {
            f = f.label(Label::secondary(InputKind::Config, server.range, "marked down"));
            // Remove the ` down` word of the directive.
            let text = server.range.slice(src);
            if let Some(at) = find_word(text, b"down") {
                let start = server.range.start + at as u32;
                edits.push(Edit { range: TextRange::new(start - 1, start + 4), replacement: String::new() });
            }
        }
        for g in &events {
            f = cite_events(f, g, "no live upstreams");
        }
        f = f.fix(
            Fix::unsafe_(format!("take `down` off the servers of {name} that should serve"), edits)
                .with_commands(vec![super::super::evidence::reload_commands()]),
        );
        out.push(f);
        names.push(name.clone());
    }
    names
}

/// Comments a config generator writes into an upstream block it found no reachable container
/// for (nginx-proxy's template, docker-gen and kube-gen variants), with `server 127.0.0.1 down;`.
const GENERATOR_SIGNS: &[&str] = &[
    "Fallback entry",
    "(unreachable)",
    "Cannot connect to network",
    "no connection info available",
    "no address and no network IP known",
    "network IP is known but",
    "Service has no address",
    "VIRTUAL_PORT",
];

/// The generator comment in an upstream block, if any.
fn generator_sign(src: &[u8], block: TextRange) -> Option<TextRange> {
    let text = block.slice(src);
    GENERATOR_SIGNS.iter().find_map(|sign| {
        let at = text.windows(sign.len()).position(|w| w == sign.as_bytes())?;
        // The comment's line, from its `#`.
        let start = text.get(..at)?.iter().rposition(|&b| b == b'#')?;
        let end = text.get(at..)?.iter().position(|&b| b == b'\n').map_or(text.len(), |e| at + e);
        Some(TextRange::new(block.start + start as u32, block.start + end as u32))
    })
}

/// An upstream a generator wrote as "no reachable container": editing the file is undone at
/// the next regeneration, so the fix is on the container's side.
fn generated_fallback(
    name: &str,
    upstream: &badgateway_config::Upstream,
    primaries: &[&badgateway_config::UpstreamServer],
    sign: TextRange,
    src: &[u8],
    events: &[&EventGroup],
) -> Finding {
    let block = upstream.range.slice(src);
    let unreachable_net = block.windows(13).any(|w| w == b"(unreachable)");
    let no_ports = block.windows(21).any(|w| w.eq_ignore_ascii_case(b"exposed ports: (none)"));
    let mut f = Finding::new(
        INFO.code,
        Severity::Error,
        format!("the config generator found no reachable container for {name}: its only server is marked `down`"),
    )
    .message(format!(
        "The upstream {name} is written as nginx-proxy (docker-gen) writes it when it finds no container it can \
         reach for that virtual host: a fallback `server 127.0.0.1 down;`, which nginx never tries. Each request logs \
         \"no live upstreams\" and gets 502 Bad Gateway at once. Editing the file does not help (the generator \
         rewrites it): the container for VIRTUAL_HOST={name} must be running, on a Docker network the proxy \
         container shares{}, and expose the port the app listens on (EXPOSE in its image, or VIRTUAL_PORT){}.",
        if unreachable_net { " (the comment says its network is unreachable from the proxy)" } else { "" },
        if no_ports { "; the comment says it exposes no port" } else { "" },
    ))
    .confidence(97)
    .status(502)
    .label(Label::primary(InputKind::Config, upstream.name_range, format!("upstream {name}, generated")))
    .label(Label::secondary(InputKind::Config, sign, "the generator's note"));
    for server in primaries {
        f = f.label(Label::secondary(
            InputKind::Config,
            server.range,
            "the generator's fallback: never tried",
        ));
    }
    for g in events {
        f = cite_events(f, g, "no live upstreams");
    }
    f.fix(Fix::display_only(format!(
        "start the container for {name} on a network the proxy shares, with its port exposed or VIRTUAL_PORT set; the \
         generator then writes its address"
    ))
    .with_commands(vec![
        Command::new(
            "is the app's container running, and on which networks?",
            "docker ps -a --format 'table {{.Names}}\\t{{.Status}}\\t{{.Networks}}\\t{{.Ports}}'",
        ),
        Command::new(
            "its VIRTUAL_HOST, VIRTUAL_PORT and exposed ports (name the container)",
            "docker inspect -f '{{range .Config.Env}}{{println .}}{{end}}{{json .Config.ExposedPorts}}' CONTAINER | grep -E 'VIRTUAL_|[0-9]+/tcp'",
        ),
        Command::new(
            "put the proxy on the app's network (name both), then the generator rewrites the upstream",
            "docker network connect NETWORK nginx-proxy",
        ),
        Command::new("what the generator saw", "docker logs --tail 50 nginx-proxy"),
    ]))
}

/// Offset of ` WORD` followed by `;` or whitespace in a directive's text.
fn find_word(text: &[u8], word: &[u8]) -> Option<usize> {
    (1..text.len()).find(|&i| {
        text.get(i..i + word.len()) == Some(word)
            && text.get(i - 1).is_some_and(|b| b.is_ascii_whitespace())
            && text.get(i + word.len()).is_some_and(|b| b.is_ascii_whitespace() || *b == b';')
    })
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let mut down = Vec::new();
    let all_down_names = all_down(facts, &mut down);
    out.extend(down);
    let Some(log) = facts.log else { return };
    // Work done once, not per group: with thousands of upstreams, per-group scans of the
    // upstreams and the whole log would make this quadratic.
    let explained: std::collections::HashSet<String> = all_down_names.into_iter().collect();
    let upstreams: std::collections::HashMap<&str, &badgateway_config::Upstream> = facts
        .config
        .map(|c| c.model().upstreams.iter().map(|u| (u.name.as_str(), u)).collect())
        .unwrap_or_default();
    // When a group's own members show no failure: the first failures anywhere in the log.
    let any_failures: Vec<(Code, &EventGroup)> = log
        .groups
        .iter()
        .filter(|g| g.event.kind != EventKind::NoLiveUpstreams)
        .filter_map(|g| failure_cause(facts, g).map(|code| (code, g)))
        .take(4)
        .collect();
    for group in log.groups.iter().filter(|g| g.event.kind == EventKind::NoLiveUpstreams) {
        let name = group.event.upstream.as_ref().map(|u| u.host().to_owned()).unwrap_or_default();
        // Explained by `all_down` already.
        if explained.contains(&name) {
            continue;
        }
        let members = facts.upstream_members(&name);
        let upstream = upstreams.get(name.as_str()).copied();
        // The causes: the members' own failures, else any connection failure in the log.
        let mut causes: Vec<(Code, &EventGroup)> = Vec::new();
        let mut disabled: Vec<&EventGroup> = Vec::new();
        for m in &members {
            for g in facts.events_for(m) {
                if g.event.kind == EventKind::ServerTemporarilyDisabled {
                    disabled.push(g);
                } else if let Some(code) = failure_cause(facts, g) {
                    causes.push((code, g));
                }
            }
        }
        if causes.is_empty() {
            causes.clone_from(&any_failures);
        }
        let static_cause = members.iter().find_map(|m| endpoint_cause(facts, m));
        let cause = causes.first().map(|(c, _)| *c).or(static_cause);
        let mut finding = Finding::new(
            INFO.code,
            if cause.is_some() { Severity::Warning } else { Severity::Error },
            format!("no live upstreams in {name}: every server is marked failed"),
        )
        .message(format!(
            "nginx did not even try to connect: every server of {name} had failed {} within its fail_timeout \
             (default 10 s), so nginx marked them all down and answered 502 Bad Gateway at once. This is a \
             consequence; {}",
            "max_fails times (default 1)",
            match cause {
                Some(c) => format!("the servers failed first ({c} explains why), fix that."),
                None => "find why the servers failed: the lines before this one in the error log say.".into(),
            }
        ))
        .confidence(if cause.is_some() { 90 } else { 80 })
        .status(502);
        // Only the symptom: no failure of any server anywhere in the log, and no config to show the
        // group. Say so, with the causes in order and the one check that tells them apart.
        let symptom_only = cause.is_none()
            && upstream.is_none()
            && facts.events_of(&EventKind::ServerTemporarilyDisabled).next().is_none();
        if symptom_only {
            finding.title =
                format!("no live upstreams in {name}: nginx tried no server, the log does not say why");
            finding.message = format!(
                "nginx did not even try to connect: it found no server of {name} it could use, and answered 502 Bad \
                 Gateway at once. No line of this log shows a server failing, so the likely causes, in order: every \
                 server of the group is marked `down` in the config (nginx-proxy and docker-gen write `server \
                 127.0.0.1 down;` when they find no reachable container for a virtual host); the servers failed \
                 earlier (refused, timed out) and those lines are not in the paste; or every server is at its \
                 `max_conns`. The upstream block in the config tells them apart."
            );
            finding.confidence = 70;
            finding = finding.next_step(Command::new(
                "paste the upstream block: servers marked `down` (or max_conns), or real addresses?",
                format!("sudo nginx -T | grep -A12 'upstream {name} '"),
            ));
        }
        match upstream {
            Some(u) => {
                finding = finding.label(Label::primary(
                    InputKind::Config,
                    u.name_range,
                    format!("upstream {name}"),
                ));
                finding = cite_events(finding, group, "no live upstreams");
            }
            None => {
                let range = group.event.upstream_range.unwrap_or(group.event.message_range);
                finding = finding.label(Label::primary(
                    InputKind::Log,
                    range,
                    format!("every server of {name} is down"),
                ));
                finding = cite_events(finding, group, "no live upstreams");
            }
        }
        // The members' own "temporarily disabled" lines (without a config: every such line).
        if members.is_empty() {
            disabled = facts.events_of(&EventKind::ServerTemporarilyDisabled).take(8).collect();
        }
        for g in disabled.iter().take(8) {
            let target = g.event.upstream.as_ref().map(|u| u.target().to_owned()).unwrap_or_default();
            finding = cite_events(finding, g, &format!("{target} marked failed"));
        }
        for (code, g) in causes.iter().take(4) {
            let target = g.event.upstream.as_ref().map(|u| u.target().to_owned()).unwrap_or_default();
            finding = cite_events(finding, g, &format!("{target} failed first ({code})"));
        }
        for m in &members {
            if let Some(code) = endpoint_cause(facts, m) {
                finding = finding.note(format!("{}: {code}.", endpoint_text(m)));
            }
        }
        if let Some(c) = cause {
            finding = finding.caused_by(c);
        }
        // Servers marked `down` count as servers: beside them, the one live server is no longer
        // exempt from max_fails (a generator's fallback `server 127.0.0.1 down;` does this).
        let marked_down = upstream.map_or(0, |u| u.servers.iter().filter(|s| s.down).count());
        if members.len() == 1 && marked_down > 0 {
            finding = finding.note(format!(
                "{name} has one server nginx uses and {marked_down} marked `down` (a config generator's fallback \
                 entry, such as nginx-proxy's `server 127.0.0.1 down;`). A group of one server is never marked \
                 failed, but the `down` entries make this one a group of several: a single failure of the real \
                 server disables it for fail_timeout (10 s unless set), and every request in that time gets \
                 \"no live upstreams\", even once the backend answers again. `max_fails=0` on the real server \
                 turns that off."
            ));
        } else if members.len() == 1 {
            finding = finding.note(
                "A group with one server is never marked failed by max_fails; this group has more servers than \
                 the config shows, or the name resolved to several addresses.",
            );
        }
        finding = finding.fix(Fix::display_only("fix why the servers failed; then tune how long a failed server is skipped").with_commands(vec![
                Command::new(
                    "see the failures that marked the servers down",
                    "sudo grep -B1 'temporarily disabled' /var/log/nginx/error.log | tail -n 20",
                ),
                Command::new(
                    "optionally, tolerate short hiccups: add `max_fails=3 fail_timeout=5s` to each server line of \
                     the upstream block, then check and reload",
                    "sudo nginx -t && sudo systemctl reload nginx",
                ),
            ]));
        if facts.listeners.is_none() && !symptom_only {
            finding = finding.next_step(super::super::evidence::paste_listeners());
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("no-live-upstreams", All), ("no-live-upstreams", Log)],
        not: [("healthy", All), ("php-primary-script-unknown", All), ("remote-backend", All), ("no-live-upstreams", ConfigListeners)],
        snapshot: ("no-live-upstreams", All),
    }
}
