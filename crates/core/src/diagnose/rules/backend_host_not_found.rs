use crate::diagnose::Findings;
use badgateway_config::DiagnosticCode;

use crate::finding::{Applicability, Severity};

use super::super::Facts;
use super::super::config_errors::{Wording, report};

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
    let wording = Wording {
        code: INFO.code,
        explanation: "This host is not the name of any upstream block in the config and not an IP address, so nginx \
                      looks it up in DNS when it loads the config; when that fails, nginx -t reports `host not found \
                      in upstream` and the config does not load.",
        severity: Severity::Error,
        applicability: Applicability::Unsafe,
    };
    report(facts, &[DiagnosticCode::HostNotFound], &wording, out);
}
