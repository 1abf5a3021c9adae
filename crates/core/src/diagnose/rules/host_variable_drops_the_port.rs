use crate::diagnose::Findings;

use crate::finding::{Command, Edit, Finding, Fix, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::log::EventGroup;

use super::super::evidence::{cite_events, reload_commands};
use super::super::facts::{Facts, split_host_port};

declare_rule! {
    /// ## What it detects
    /// nginx connected to the host the request named, but not to its port: the error log's
    /// `upstream:` is the name of the request's `host:` field with the scheme's default port
    /// (`upstream: "http://127.0.0.1:80/", host: "127.0.0.1:19701"`). `$host` (and
    /// `$server_name`) hold a name without a port, so `proxy_pass http://$host;` always
    /// connects to port 80 (443 for `https://`), whatever port the client asked for. With the
    /// config, the finding points to the `proxy_pass` that uses the variable; from the log
    /// alone it is a hypothesis (a `proxy_pass` that simply omits the port logs the same).
    ///
    /// ## Why it causes a 502
    /// Nothing (or something else) listens on port 80 of that host: the connection is
    /// refused (`111: Connection refused`) or answered by the wrong server, and the client
    /// gets **502 Bad Gateway** (lab capture `host-variable-drops-port`: a request for Host
    /// `127.0.0.1:19701`, gunicorn on 19701, nginx connecting to `127.0.0.1:80`).
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass http://$host; }
    /// ```
    /// ```text
    /// [error] connect() failed (111: Connection refused) while connecting to upstream, ... upstream: "http://127.0.0.1:80/", host: "127.0.0.1:19701"
    /// ```
    ///
    /// ## Fix
    /// Name the backend explicitly (`proxy_pass http://127.0.0.1:19701;`, or an `upstream {}`
    /// block). When the target really is the host the client asked for, keep its port:
    /// `$http_host` is the Host header as sent (name and port), and `$host:$server_port`
    /// uses the port nginx received the request on. A name in the variable also needs a
    /// `resolver`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_core_module.html#var_host
    /// - https://nginx.org/en/docs/http/ngx_http_core_module.html#var_http_
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    code: BG214,
    name: "host-variable-drops-the-port",
    title: "`$host` has no port: nginx connects to port 80, not the port the request named",
}

/// Variables that hold a host name without a port.
const PORTLESS: [&str; 2] = ["$host", "$server_name"];

/// The port a scheme connects to when none is written.
fn default_port(scheme: &str) -> u16 {
    if scheme.eq_ignore_ascii_case("https") { 443 } else { 80 }
}

/// A failed connection whose upstream is the request's Host name with the default port,
/// while the Host named another port: (the Host's name, its port, the port used).
fn dropped_port(facts: &Facts<'_>, group: &EventGroup) -> Option<(String, u16, u16)> {
    facts.failure_of(group)?;
    let upstream = group.event.upstream.as_ref()?;
    if upstream.is_unix() {
        return None;
    }
    let (name, asked) = split_host_port(group.event.host()?);
    let asked = asked?;
    let used = upstream.port().unwrap_or_else(|| default_port(upstream.scheme()));
    let host = upstream.host().trim_start_matches('[').trim_end_matches(']');
    let name = name.trim_start_matches('[').trim_end_matches(']');
    (host.eq_ignore_ascii_case(name) && used == default_port(upstream.scheme()) && asked != used)
        .then(|| (name.to_owned(), asked, used))
}

/// Where `host: "..."` stands in the group's first line.
fn host_field(facts: &Facts<'_>, group: &EventGroup) -> Option<TextRange> {
    let log = facts.inputs.log?;
    let line = group.event.range.slice(log);
    let at = line.windows(7).position(|w| w == b"host: \"")?;
    let end = line.get(at + 7..)?.iter().position(|&b| b == b'"')? + at + 8;
    Some(TextRange::new(group.event.range.start + at as u32, group.event.range.start + end as u32))
}

/// The `proxy_pass` targets whose host part is a port-less variable: (target index, the
/// variable's range in the config).
fn portless_targets(facts: &Facts<'_>) -> Vec<(usize, &'static str, TextRange)> {
    let Some(config) = facts.config else { return Vec::new() };
    let src = config.source();
    let mut out = Vec::new();
    for (i, t) in config.model().targets.iter().enumerate() {
        if !t.has_variables {
            continue;
        }
        let arg = t.arg_range.slice(src);
        let Some(after_scheme) = arg.windows(3).position(|w| w == b"://").map(|p| p + 3) else { continue };
        let rest = arg.get(after_scheme..).unwrap_or_default();
        for var in PORTLESS {
            let v = var.as_bytes();
            // The variable is the whole host: followed by the end, a path, or another variable
            // (`$request_uri`), never by `:port`.
            if rest.starts_with(v) && rest.get(v.len()).is_none_or(|&b| b == b'/' || b == b'$') {
                let start = t.arg_range.start + after_scheme as u32;
                out.push((i, var, TextRange::new(start, start + v.len() as u32)));
            }
        }
    }
    out
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(log) = facts.log else { return };
    let targets = portless_targets(facts);
    if facts.config.is_some() && targets.is_empty() {
        // The config names its targets: none takes its host from the request.
        return;
    }
    let groups: Vec<(&EventGroup, (String, u16, u16))> =
        log.groups.iter().filter_map(|g| dropped_port(facts, g).map(|d| (g, d))).take(8).collect();
    let Some((first, (name, asked, used))) = groups.first() else { return };
    let from_config = targets.first();
    let var = from_config.map_or("$host", |(_, v, _)| *v);
    let mut finding = Finding::new(
        INFO.code,
        Severity::Error,
        format!("the request asked for {name}:{asked}, nginx connected to {name}:{used}: `{var}` has no port"),
    )
    .message(format!(
        "The request's Host was {name}:{asked}, and nginx connected to {name}:{used}: the name without its port. \
         {} So nginx connects to the default port {used}, where the backend does not answer, and the client gets \
         502 Bad Gateway.",
        match from_config {
            Some(_) => format!(
                "The proxy_pass takes its host from `{var}`, which holds the name only (nginx drops the port of the \
                 Host header)."
            ),
            None => format!(
                "A proxy_pass of `http://$host` does that (`$host` holds the name only, nginx drops the port of the \
                 Host header), and so does a proxy_pass that names the host but omits its port; or {asked} is \
                 nginx's own port and the backend is meant to be on {used}. The config tells which."
            ),
        }
    ))
    .confidence(if from_config.is_some() { 92 } else { 72 })
    .status(502);
    if let Some((_, _, range)) = from_config {
        finding = finding.label(Label::primary(InputKind::Config, *range, format!("{var} has no port")));
    } else if let Some(range) = first.event.upstream_range {
        finding =
            finding.label(Label::primary(InputKind::Log, range, format!("nginx connected to port {used}")));
    }
    for (g, _) in &groups {
        finding = cite_events(finding, g, &format!("nginx connected to {name}:{used}"));
        if let Some(range) = host_field(facts, g) {
            finding = finding.label(Label::secondary(
                InputKind::Log,
                range,
                format!("the request asked for port {asked}"),
            ));
        }
    }
    let edits = from_config
        .map(|(_, _, range)| vec![Edit { range: *range, replacement: "$http_host".into() }])
        .unwrap_or_default();
    let summary = "connect to the port the request named: `$http_host` (the Host header as sent, with its port), \
                   or name the backend's address itself";
    let fix = if edits.is_empty() { Fix::display_only(summary) } else { Fix::unsafe_(summary, edits) };
    let fix = fix.with_commands(vec![
        Command::new(
            format!("is the backend on {name}:{asked}? (the connection nginx should make)"),
            format!("curl -sS -o /dev/null -w '%{{http_code}}\\n' http://{name}:{asked}/"),
        ),
        reload_commands(),
    ]);
    finding = finding.fix(fix).note(
        "`$http_host` passes on any port a client sends: where clients must not choose the backend, write its address \
         (`proxy_pass http://127.0.0.1:8000;`, or an `upstream {}` block), or `$host:$server_port` for a backend on \
         the same port as nginx on another host.",
    );
    if from_config.is_none() {
        finding = finding.next_step(Command::new(
            "paste the config, to see where the address comes from",
            "sudo nginx -T",
        ));
    }
    out.push(finding);
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("host-variable-drops-port", All), ("host-variable-drops-port", Log)],
        not: [("healthy", All), ("wrong-port", All), ("remote-backend", All), ("host-variable-drops-port", ConfigListeners)],
        snapshot: ("host-variable-drops-port", All),
    }
}
