use crate::diagnose::Findings;
use badgateway_config::{Model, Target, TargetHost};

use crate::finding::{Command, Edit, Finding, Fix, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::log::EventKind;

use super::super::evidence::{cite_events, line_indent, reload_commands};
use super::super::facts::{Facts, literal_ips};
use super::super::resolver::choose_resolver;

declare_rule! {
    /// ## What it detects
    /// nginx has to resolve a backend's name while handling the request and cannot:
    /// - a `proxy_pass` (or `fastcgi_pass`, `grpc_pass`, ...) whose host is a variable
    ///   (`proxy_pass http://$backend:8000;`, with `set $backend app.internal;`) while no
    ///   `resolver` applies to it; with a variable, nginx resolves the name at request
    ///   time, with its own resolver, not at start with the system's;
    /// - a `resolver` that answers that the name does not exist (NXDOMAIN:
    ///   `could not be resolved (3: Host not found)`), fails (`2: Server failure`,
    ///   `5: Operation refused`) or does not answer within `resolver_timeout`
    ///   (`110: Operation timed out`).
    ///
    /// ## Why it causes a 502
    /// Without an address there is nothing to connect to: nginx logs `no resolver defined
    /// to resolve app.internal` or `app.internal could not be resolved (...)` and answers
    /// **502 Bad Gateway** (even for the timeout: it is the resolver's timer, not an
    /// upstream timeout, so not 504). `nginx -t` does not warn about any of it.
    ///
    /// ## Example
    /// ```nginx
    /// set $backend app.internal;
    /// location / { proxy_pass http://$backend:8000; }
    /// ```
    /// ```text
    /// [error] no resolver defined to resolve app.internal, client: 127.0.0.1, server: _, request: "GET / HTTP/1.1"
    /// ```
    ///
    /// ## Fix
    /// Add a `resolver` where the target is (or in `http {}`) naming the DNS server nginx's
    /// host uses. The fix takes it from the evidence: the `nameserver` lines of a pasted
    /// `/etc/resolv.conf` (127.0.0.53 is systemd-resolved's stub), Docker's embedded DNS
    /// `127.0.0.11` when Docker shows in the inputs, else a `DNS_SERVER_IP` placeholder to
    /// fill in (nginx -t refuses it as written). In Kubernetes, the cluster DNS service's
    /// address (`kubectl -n kube-system get svc kube-dns`). Or, if
    /// the name never changes, write it in `proxy_pass` without a variable (resolved once at start).
    /// When the resolver answers NXDOMAIN, check the name against that DNS
    /// (`dig @RESOLVER name`): Docker service names exist only in the compose network's
    /// DNS, Kubernetes short names need the search domain nginx does not use (write the
    /// full `svc.cluster.local` name). When it times out, point `resolver` at a DNS server
    /// that answers from this host.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_core_module.html#resolver
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    code: BG208,
    name: "request-time-name-resolution-fails",
    title: "name resolution at request time fails (no resolver, NXDOMAIN, resolver timeout)",
}

/// What the variable in a target's host stands for, when a `set` says so.
enum VarHost {
    /// A DNS name: needs a resolver.
    Name(String),
    /// An IP literal or an `upstream {}` name: no DNS at request time.
    NoDns,
    /// Set from a request variable or not set in the config: may or may not need one.
    Unknown(String),
}

/// `$backend` of `http://$backend:8000/x` (the first variable of the host part).
fn host_variable(raw: &str) -> Option<&str> {
    let rest = raw.split_once("://").map_or(raw, |(_, r)| r);
    let auth = rest.split('/').next().unwrap_or(rest);
    let start = auth.find('$')?;
    let var = auth.get(start + 1..)?;
    let var = var.trim_start_matches('{');
    let end = var.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(var.len());
    var.get(..end).filter(|v| !v.is_empty())
}

fn var_host(model: &Model, target: &Target) -> VarHost {
    let Some(var) = host_variable(&target.raw) else { return VarHost::Unknown(String::new()) };
    let set = model.sets.iter().rev().find(|s| {
        s.variable.trim_start_matches('$') == var
            && (s.location.is_none() || s.location == target.location)
            && (s.server.is_none() || s.server == target.server)
    });
    let Some(set) = set else { return VarHost::Unknown(format!("${var}")) };
    let value = set.value.as_str();
    if value.contains('$') {
        return VarHost::Unknown(format!("${var}"));
    }
    let (host, _) = super::super::facts::split_host_port(value);
    if !literal_ips(host).is_empty() || model.upstreams.iter().any(|u| u.name == host) {
        VarHost::NoDns
    } else {
        VarHost::Name(host.to_string())
    }
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    resolution_failed(facts, out);
    let no_resolver_events: Vec<_> = facts.events_of(&EventKind::NoResolverDefined).collect();
    let Some(config) = facts.config else {
        for group in &no_resolver_events {
            let name = group.event.name().map(str::to_owned).unwrap_or_default();
            let finding = Finding::new(
                INFO.code,
                Severity::Error,
                format!("no resolver is defined to look up {name} at request time"),
            )
            .message(format!(
                "nginx has to resolve {name} while handling the request (a variable in `proxy_pass` makes it \
                 do that), but no `resolver` is defined, so every such request gets 502 Bad Gateway."
            ))
            .confidence(92)
            .status(502)
            .label(Label::primary(
                InputKind::Log,
                group.event.message_range,
                if group.count > 1 {
                    format!("no resolver for {name}, {} times", group.count)
                } else {
                    format!("no resolver for {name}")
                },
            ));
            let finding = finding
                .next_step(Command::new(
                    "paste the config, to see where the variable is used",
                    "sudo nginx -T",
                ))
                .fix(Fix::display_only("add a resolver nginx can use at request time").with_commands(vec![
                        Command::new(
                            "find the system's DNS server (systemd-resolved: 127.0.0.53; Docker: 127.0.0.11)",
                            "grep ^nameserver /etc/resolv.conf",
                        ),
                        Command::new(
                            "then add `resolver 127.0.0.53 valid=30s;` (that address) to the server or http block",
                            "sudoedit /etc/nginx/nginx.conf",
                        ),
                        reload_commands(),
                    ]));
            out.push(finding);
        }
        return;
    };
    let model = config.model();
    let src = config.source();
    for target in &model.targets {
        if target.host != TargetHost::Variable || facts.resolver_for(target).is_some() {
            continue;
        }
        let (name, confidence) = match var_host(model, target) {
            VarHost::NoDns => continue,
            VarHost::Name(n) => (n, if no_resolver_events.is_empty() { 85 } else { 97 }),
            VarHost::Unknown(v) => {
                // Only the log can say that the variable held a name.
                if no_resolver_events.is_empty() {
                    continue;
                }
                (v, 85)
            }
        };
        let events: Vec<_> = no_resolver_events
            .iter()
            .filter(|g| {
                g.event.name() == Some(name.as_str()) || name.starts_with('$') || g.event.name().is_none()
            })
            .collect();
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("{} resolves {name} at request time, but no resolver is defined", target.kind.directive()),
        )
        .message(format!(
            "This {} has a variable in its host, so nginx resolves {name} for each request with its own \
             resolver, not at start with the system's. No `resolver` applies here, so nginx logs \"no resolver \
             defined\" and every request through it gets 502 Bad Gateway.",
            target.kind.directive()
        ))
        .confidence(confidence)
        .status(502)
        .label(Label::primary(InputKind::Config, target.arg_range, "the host is resolved at request time"));
        for group in events {
            finding = cite_events(finding, group, "no resolver defined");
        }
        let indent = line_indent(src, target.range.start);
        // No resolver applies here (checked above), so the choice always has a line to add.
        let choice = choose_resolver(facts, target, None);
        for (input, range, text) in &choice.labels {
            finding = finding.label(Label::secondary(*input, *range, text.clone()));
        }
        for note in &choice.notes {
            finding = finding.note(note.clone());
        }
        let mut commands = vec![reload_commands()];
        if let Some(find) = &choice.find {
            commands.insert(0, find.clone());
        }
        finding = finding
            .fix(Fix::new(choice.applicability, "add a resolver for request-time lookups: the DNS server nginx's host uses", vec![Edit {
                    range: TextRange::new(target.range.start, target.range.start),
                    replacement: format!("{}\n{indent}", choice.line.clone().unwrap_or_default()),
                }]).with_commands(commands))
            .note(format!(
                "If {name} never changes address, `proxy_pass` can name it directly (no variable): nginx then \
                 resolves it once, at start, with the system's resolver."
            ));
        out.push(finding);
    }
}

/// `NAME could not be resolved (N: ...)`: a resolver is configured, and it did not give
/// an address. One finding per name and errno.
fn resolution_failed(facts: &Facts<'_>, out: &mut Findings) {
    for group in facts.events_of(&EventKind::CouldNotBeResolved) {
        let event = &group.event;
        let name = event.name().map(str::to_owned).unwrap_or_else(|| "the backend's name".into());
        let errno = event.errno.unwrap_or(0);
        let (title, why, confidence) = match errno {
            3 => (
                format!("the resolver says {name} does not exist"),
                format!(
                    "nginx resolves {name} at request time with the `resolver` in the config, and that DNS server \
                     answers that the name does not exist (NXDOMAIN). Every request through this target gets 502 \
                     Bad Gateway. The name is misspelt, or it exists only in another DNS (Docker service names live \
                     in the compose network's 127.0.0.11; Kubernetes short names need the full svc.cluster.local name, \
                     since nginx's resolver does not use search domains)."
                ),
                92,
            ),
            110 => (
                format!("the resolver did not answer for {name} in time"),
                format!(
                    "nginx resolves {name} at request time with the `resolver` in the config, and that DNS server did \
                     not answer within resolver_timeout. Every request through this target gets 502 Bad Gateway (the \
                     resolver's timer, not an upstream timeout: not a 504). The resolver address is wrong or \
                     unreachable from this host (127.0.0.11 works only inside Docker; 127.0.0.53 only with \
                     systemd-resolved)."
                ),
                90,
            ),
            _ => (
                format!("the resolver failed to resolve {name}"),
                format!(
                    "nginx resolves {name} at request time with the `resolver` in the config, and that DNS server \
                     returned an error ({}). Every request through this target gets 502 Bad Gateway.",
                    event.errno_text().map(str::to_owned).unwrap_or_else(|| format!("code {errno}"))
                ),
                85,
            ),
        };
        let mut finding =
            Finding::new(INFO.code, Severity::Error, title).message(why).confidence(confidence).status(502);
        let resolvers: Vec<_> =
            facts.config.map(|c| c.model().resolvers.iter().collect()).unwrap_or_default();
        if let Some(config) = facts.config {
            let model = config.model();
            let target = model.targets.iter().find(|t| match var_host(model, t) {
                VarHost::Name(n) => n == name,
                _ => t.raw.contains(name.as_str()),
            });
            if let Some(t) = target {
                finding = finding.label(Label::primary(
                    InputKind::Config,
                    t.arg_range,
                    format!("{name} is resolved at request time"),
                ));
            }
            for r in &resolvers {
                finding =
                    finding.label(Label::secondary(InputKind::Config, r.range, "the DNS server nginx asks"));
            }
        }
        let primary = !finding.labels.iter().any(|l| l.primary);
        let what = match errno {
            3 => format!("{name}: no such name (NXDOMAIN)"),
            110 => format!("{name}: no answer from the resolver"),
            _ => format!("{name}: resolver error"),
        };
        finding = if primary {
            finding.label(Label::primary(InputKind::Log, event.message_range, what))
        } else {
            cite_events(finding, group, &what)
        };
        let resolver = resolvers
            .first()
            .and_then(|r| r.addresses.first())
            .map(|a| a.split(' ').next().unwrap_or(a).to_string())
            .unwrap_or_else(|| "127.0.0.53".into());
        let (host, port) = super::super::facts::split_host_port(&resolver);
        let dig = match port {
            Some(p) => format!("dig @{host} -p {p} {name}"),
            None => format!("dig @{host} {name}"),
        };
        finding = finding.fix(
            Fix::display_only(if errno == 3 {
                format!("use a name that DNS server knows, or a resolver that knows {name}")
            } else {
                "point `resolver` at a DNS server that answers from this host".into()
            })
            .with_commands(vec![
                Command::new("ask the resolver nginx uses, as nginx does", dig),
                Command::new(
                    "see the DNS servers this host uses (put one in `resolver`)",
                    "grep ^nameserver /etc/resolv.conf",
                ),
                reload_commands(),
            ]),
        );
        if facts.config.is_none() {
            finding = finding.next_step(Command::new(
                "paste the config, to see the resolver and the target",
                "sudo nginx -T",
            ));
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("resolver-nxdomain", All), ("resolver-timeout", All), ("variable-without-resolver", All), ("resolver-nxdomain", Log), ("resolver-timeout", Log)],
        not: [("healthy", All), ("php-primary-script-unknown", All), ("remote-backend", All), ("stale-address-resolver", All), ("resolver-nxdomain", ConfigListeners), ("resolver-timeout", ConfigListeners)],
        snapshot: ("resolver-nxdomain", All),
    }
}
