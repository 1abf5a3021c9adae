use crate::diagnose::Findings;

use badgateway_config::{DiagnosticCode, InputShape};

use crate::finding::{Applicability, Command, Severity};
use crate::log::EventKind;

use super::super::Facts;
use super::super::config_errors::{Wording, finding_for};

declare_rule! {
    /// ## What it detects
    /// A `proxy_pass` host (or an `upstream` `server`) that is neither the name of an
    /// `upstream {}` block in the config nor an IP address — usually a typo in the
    /// upstream's name (`proxy_pass http://bakend;` for `upstream backend`).
    ///
    /// ## Why it causes a 502
    /// nginx resolves such a name with DNS when it loads the config. If the name does not
    /// resolve, `nginx -t` fails with `host not found in upstream "bakend"` and the config
    /// never loads; if it does resolve (a real host by that name), requests go to the
    /// wrong machine.
    ///
    /// How sure depends on the evidence. Only a failure proves it: `nginx -t` output or an
    /// `[emerg] host not found in upstream "NAME"` line in the log (error). A name one
    /// letter away from an `upstream {}` block is probably its typo (warning). A dump that
    /// `nginx -T` printed proves every such name resolved when it ran (nginx prints the
    /// dump only once the config loaded), and in a pasted fragment the name may well be a
    /// Docker/compose service or an `/etc/hosts` entry: then it is a note, with the check
    /// that decides (`getent hosts NAME` where nginx runs).
    ///
    /// ## Example
    /// ```nginx
    /// upstream backend { server 127.0.0.1:8000; }
    /// server { location / { proxy_pass http://bakend; } }
    /// ```
    ///
    /// ## Fix
    /// Use the upstream's exact name (badgateway proposes the closest one), or a
    /// resolvable host name.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#upstream
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    code: BG103,
    name: "backend-host-not-found",
    title: "backend host is neither an upstream nor an address",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    let dumped = matches!(config.kind(), InputShape::Dump { .. });
    for d in config.diagnostics().iter().filter(|d| d.code == DiagnosticCode::HostNotFound) {
        let host = d.message.split('"').nth(1).unwrap_or_default();
        let (severity, confidence, explanation) = if failed_to_resolve(facts, host) {
            (Severity::Error, 95, PROVEN)
        } else if d.suggestion.is_some() {
            (Severity::Warning, 70, TYPO)
        } else if dumped {
            // nginx -T printed the dump, so the config loaded and the name resolved then.
            continue;
        } else {
            (Severity::Info, 50, UNPROVEN)
        };
        let wording =
            Wording { code: INFO.code, explanation, severity, applicability: Applicability::Unsafe };
        let mut finding = finding_for(config, d, &wording).confidence(confidence);
        if severity != Severity::Error {
            finding.title = match &d.suggestion {
                Some(near) => format!("\"{host}\" is no upstream: probably a typo of \"{near}\""),
                None => format!("\"{host}\" is no upstream here: nginx resolves it with DNS at start"),
            };
            finding = finding.next_step(Command::new(
                format!("see whether {host} resolves where nginx runs (in its container: `docker compose exec nginx getent hosts {host}`)"),
                format!("getent hosts {host}"),
            ));
        }
        out.push(finding);
    }
}

const PROVEN: &str = "This host is not the name of any upstream block in the config and not an IP address, so nginx \
                      looks it up in DNS when it loads the config; that failed (the log shows it), so nginx -t reports \
                      `host not found in upstream` and the config does not load.";
const TYPO: &str = "This host is not the name of any upstream block, but it is one letter away from one: probably a \
                    typo. nginx looks such a name up in DNS when it loads the config; if it does not resolve, nginx -t \
                    fails with `host not found in upstream` and the config does not load.";
const UNPROVEN: &str = "This host is not the name of an upstream block in what was pasted, so nginx looks it up in DNS \
                        when it loads the config. That is fine when it resolves there (a Docker or compose service \
                        name, an /etc/hosts entry); if it does not, nginx -t fails with `host not found in upstream`. \
                        Nothing pasted shows that failure.";

/// The log holds nginx's own `host not found in upstream "HOST"` (a failed start or
/// `nginx -t`).
fn failed_to_resolve(facts: &Facts<'_>, host: &str) -> bool {
    let Some(log) = facts.log else { return false };
    let named = |message: &str| {
        message.contains("host not found in upstream") && message.contains(&format!("\"{host}"))
    };
    log.config_errors.iter().any(|e| named(&e.message))
        || log.groups.iter().any(|g| {
            g.event.kind == EventKind::HostNotFoundInUpstream
                && g.event.name().is_some_and(|n| n.trim_matches('"').starts_with(host))
        })
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("upstream-name-typo", All), ("upstream-name-typo", ConfigListeners), ("upstream-name-typo", Config)],
        not: [("healthy", All), ("remote-backend", All), ("upstream-name-typo", Listeners)],
        snapshot: ("upstream-name-typo", All),
    }
}
