use crate::diagnose::Findings;

use crate::finding::{Applicability, Severity};

use super::super::Facts;
use super::super::config_errors::{Wording, report};

declare_rule! {
    /// ## What it detects
    /// A directive that nginx's own modules do not define but a third-party or dynamic module
    /// does (OpenResty's Lua `content_by_lua_block`, headers-more's `more_set_headers`,
    /// Tengine's upstream `check`, VTS, brotli, GeoIP2, njs, ModSecurity, sticky,
    /// upstream-fair, Debian's `libnginx-mod-*` set...), in a paste that does not load that
    /// module: a fragment, or a configuration whose build may include the module (OpenResty has
    /// Lua built in; Debian loads modules from `modules-enabled/*.conf`).
    ///
    /// ## Why it causes a 502
    /// It does not, where the module is there. Where it is not, `nginx -t` fails with
    /// `unknown directive` and the configuration never loads (a restart leaves nginx stopped).
    ///
    /// ## Example
    /// ```nginx
    /// location /api/ {
    ///     more_set_headers "X-Backend: api";
    ///     proxy_pass http://127.0.0.1:8000;
    /// }
    /// ```
    ///
    /// ## Fix
    /// Nothing, when `nginx -t` passes. Otherwise install the module and load it in the main
    /// file, before `events`: `load_module modules/ngx_http_headers_more_filter_module.so;`
    /// (on Debian and Ubuntu, `apt install libnginx-mod-http-headers-more-filter` writes that
    /// line into `/etc/nginx/modules-enabled/`), or use a build that includes the module.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/ngx_core_module.html#load_module
    /// - https://nginx.org/en/docs/dirindex.html
    code: BG106,
    name: "directive-needs-a-module",
    title: "a directive from a third-party module",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let wording = Wording {
        code: INFO.code,
        explanation: "This directive is not nginx's own: it comes from a module that must be in the build or loaded \
                      with `load_module`. Where it is, this is fine; where it is not, `nginx -t` fails with `unknown \
                      directive`.",
        severity: Severity::Info,
        applicability: Applicability::DisplayOnly,
    };
    report(facts, &wording, out);
}

#[cfg(test)]
mod tests {
    /// Hand-written: the lab's nginx loads no third-party module.
    const HEADERS_MORE: &[u8] = b"server {\n    listen 80;\n    location / {\n        more_set_headers 'X-App: 1';\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n";

    super::super::verify::rule_tests! {
        written: (config: HEADERS_MORE, "headers-more"),
        not: [("healthy", All), ("unknown-directive", All), ("grpc-to-http1", Config)],
    }
}
