use crate::diagnose::Findings;

use crate::finding::{Applicability, Severity};

use super::super::Facts;
use super::super::config_errors::{Wording, report};

declare_rule! {
    /// ## What it detects
    /// An `include` whose file is not in what was pasted: a single site file that
    /// includes snippets, or a partial `nginx -T` dump.
    ///
    /// ## Why it causes a 502
    /// It does not; but the included file may hold the `proxy_pass`, `upstream` or
    /// timeout that explains the 502, and badgateway cannot check what it cannot see.
    ///
    /// ## Example
    /// ```nginx
    /// server { include snippets/app-proxy.conf; }
    /// ```
    ///
    /// ## Fix
    /// Paste the whole configuration as nginx sees it: `sudo nginx -T` prints every file
    /// nginx reads, each once, behind a `# configuration file PATH:` line.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/ngx_core_module.html#include
    /// - https://nginx.org/en/docs/switches.html
    code: BG105,
    name: "include-not-pasted",
    title: "an included file was not pasted",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let wording = Wording {
        code: INFO.code,
        explanation: "This include names a file that is not in the paste, so what it holds cannot be checked. Paste \
                      the output of `sudo nginx -T`, which contains every file nginx reads.",
        severity: Severity::Info,
        applicability: Applicability::DisplayOnly,
    };
    report(facts, &wording, out);
}

#[cfg(test)]
mod tests {
    /// Hand-written: every lab capture is a whole `nginx -T`, which holds every include.
    const FRAGMENT: &[u8] = b"server {\n    listen 80;\n    include snippets/app-proxy.conf;\n}\n";

    super::super::verify::rule_tests! {
        written: (config: FRAGMENT, "fragment"),
        not: [("healthy", All), ("wrong-port", Config), ("unix-socket-permission", All)],
    }
}
