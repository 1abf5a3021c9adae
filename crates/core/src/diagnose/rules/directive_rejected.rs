use crate::diagnose::Findings;

use crate::finding::{Applicability, Severity};

use super::super::Facts;
use super::super::config_errors::{Wording, report};

declare_rule! {
    /// ## What it detects
    /// A directive nginx rejects: an unknown (often misspelt) name, the wrong number of
    /// arguments, an invalid value (a time, a size, `on`/`off`, a log level, a `listen`
    /// parameter), or a directive in a block where it is not allowed.
    ///
    /// ## Why it causes a 502
    /// nginx refuses the whole configuration (`unknown directive "proxy_pas"`,
    /// `"proxy_pass" directive is not allowed here`). The fix you made never loads: a
    /// reload keeps the old config, a restart leaves nginx stopped.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pas http://127.0.0.1:8000; }
    /// ```
    ///
    /// ## Fix
    /// Correct the name (badgateway suggests the closest known directive), the argument
    /// count or the value, or move the directive into a block that allows it.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/dirindex.html
    code: BG104,
    name: "directive-rejected",
    title: "a directive nginx rejects",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let wording = Wording {
        code: INFO.code,
        explanation: "nginx does not accept this directive as written, so `nginx -t` fails and the config is not \
                      loaded.",
        severity: Severity::Error,
        applicability: Applicability::Unsafe,
    };
    report(facts, &wording, out);
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("unknown-directive", All), ("unknown-directive", ConfigListeners), ("unknown-directive", Config)],
        not: [("healthy", All), ("remote-backend", All), ("unknown-directive", Listeners)],
        snapshot: ("unknown-directive", All),
    }
}
