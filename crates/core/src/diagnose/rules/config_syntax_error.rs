use crate::diagnose::Findings;

use crate::finding::{Applicability, Severity};

use super::super::Facts;
use super::super::config_errors::{Wording, report};

declare_rule! {
    /// ## What it detects
    /// The config cannot be read: a missing `;`, an unbalanced `{` or `}`, an unterminated
    /// quote, an unexpected end of file, or an `include` that includes itself.
    ///
    /// ## Why it causes a 502
    /// It does not cause the 502 directly: nginx refuses the whole configuration.
    /// `nginx -t` fails, a reload keeps the *old* configuration running (so the change
    /// you made to fix the 502 never took effect), and a restart leaves nginx stopped.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_pass http://127.0.0.1:8000
    /// }
    /// ```
    /// `nginx: [emerg] directive "proxy_pass" is not terminated by ";" in /etc/nginx/sites-enabled/app:3`
    /// — nginx names the line where it noticed, which is often the line *after* the mistake.
    ///
    /// ## Fix
    /// Add the missing `;` or brace at the place badgateway points to, then
    /// `sudo nginx -t && sudo systemctl reload nginx`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/beginners_guide.html#conf_structure
    /// - https://nginx.org/en/docs/switches.html
    code: BG101,
    name: "config-syntax-error",
    title: "config would not load: syntax error",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let wording = Wording {
        code: INFO.code,
        explanation: "nginx cannot read this config, so `nginx -t` fails and nginx will not load it: a reload keeps \
                      the previous config running, a restart leaves nginx stopped.",
        severity: Severity::Error,
        applicability: Applicability::Unsafe,
    };
    report(facts, &wording, out);
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("missing-semicolon", All), ("missing-semicolon", ConfigListeners), ("missing-semicolon", Config)],
        not: [("healthy", All), ("remote-backend", All), ("missing-semicolon", Listeners)],
        snapshot: ("missing-semicolon", All),
    }
}
