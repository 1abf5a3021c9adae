use crate::diagnose::Findings;

use crate::finding::{Applicability, Severity};

use super::super::Facts;
use super::super::config_errors::{Wording, report};

declare_rule! {
    /// ## What it detects
    /// A `proxy_pass` (or `grpc_pass`, `uwsgi_pass` with a scheme) whose address has no
    /// `http://`, `https://`, `grpc://` ... prefix: `proxy_pass 127.0.0.1:8000;`.
    ///
    /// ## Why it causes a 502
    /// nginx refuses the configuration with `invalid URL prefix in "127.0.0.1:8000"`, so
    /// the change never takes effect: the old config (the one giving 502s) keeps
    /// running after a reload, and nginx does not start at all after a restart. When the
    /// URL comes from a variable, the same mistake is found only at request time and the
    /// client gets a 500.
    ///
    /// ## Example
    /// ```nginx
    /// location / { proxy_pass 127.0.0.1:8000; }
    /// ```
    ///
    /// ## Fix
    /// Add the scheme: `proxy_pass http://127.0.0.1:8000;` (`https://` if the backend
    /// speaks TLS). `fastcgi_pass`, `scgi_pass` and `memcached_pass` take a bare address
    /// and no scheme.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    code: BG102,
    name: "pass-without-scheme",
    title: "`proxy_pass` without http://",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let wording = Wording {
        code: INFO.code,
        explanation: "proxy_pass needs a URL with a scheme (http:// or https://). Without it nginx rejects the \
                      config (`invalid URL prefix`), so it never loads.",
        severity: Severity::Error,
        applicability: Applicability::Safe,
    };
    report(facts, &wording, out);
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("missing-scheme", All), ("missing-scheme", ConfigListeners), ("missing-scheme", Config)],
        not: [("healthy", All), ("remote-backend", All), ("missing-scheme", Listeners)],
        snapshot: ("missing-scheme", All),
    }
}
