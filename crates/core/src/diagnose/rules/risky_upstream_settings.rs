use crate::diagnose::Findings;
use badgateway_config::{PassKind, Target, TargetHost};

use crate::finding::{Finding, Fix, Label, Severity};
use crate::input::InputKind;

use super::super::Facts;
use super::super::evidence::{reload_commands, target_place};
use super::super::response::{DirectiveEdits, backend_kills, gunicorn_limit, time_text};

declare_rule! {
    /// ## What it detects
    /// Settings that work most of the time and fail some of the time:
    /// - an `upstream` with `keepalive` used by a `proxy_pass` without
    ///   `proxy_http_version 1.1` and `proxy_set_header Connection "";` (nginx then
    ///   speaks HTTP/1.0 with `Connection: close`, and the keepalive pool is never used);
    /// - `proxy_next_upstream off` in front of an upstream with several servers;
    /// - a backend time limit shorter than nginx's read timeout, when both are known
    ///   (gunicorn's `--timeout` on its command line in `ps`, php-fpm's
    ///   `request_terminate_timeout` from its `execution timed out` lines).
    ///
    /// ## Why it causes a 502
    /// Without reusable connections every request opens a new one; under load the
    /// ephemeral ports run out (`connect() failed (99: Cannot assign requested address)`)
    /// and some requests get **502**. With retries off, one failing server turns into
    /// 502s that another server could have answered. A backend that kills slow requests
    /// before nginx stops waiting turns them into 502s instead of 504s.
    ///
    /// ## Example
    /// ```nginx
    /// upstream app { server 127.0.0.1:8000; keepalive 16; }
    /// location / { proxy_pass http://app; }   # HTTP/1.0, Connection: close
    /// ```
    ///
    /// ## Fix
    /// Beside the `proxy_pass`: `proxy_http_version 1.1; proxy_set_header Connection "";`
    /// (copying the `proxy_set_header` lines inherited from above, which a new one at this
    /// level would otherwise hide). Remove `proxy_next_upstream off` (or list `error
    /// timeout`). Keep the backend's limit at least as long as `proxy_read_timeout`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_next_upstream
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_set_header
    code: BG501,
    name: "risky-upstream-settings",
    title: "settings that predict intermittent 502s",
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    let model = config.model();
    for target in &model.targets {
        let TargetHost::Upstream { index } = target.host else { continue };
        let Some(upstream) = model.upstreams.get(index) else { continue };
        if target.kind == PassKind::Proxy {
            keepalive_unused(facts, target, upstream, out);
        }
        next_upstream_off(facts, target, upstream, out);
    }
    backend_limit_shorter(facts, out);
}

fn place(facts: &Facts<'_>, target: &Target) -> String {
    let Some(config) = facts.config else { return String::new() };
    let model = config.model();
    let location = target.location.and_then(|l| model.locations.get(l));
    match location {
        Some(l) => match &l.modifier {
            Some(m) => format!("location {m} {}", l.pattern),
            None => format!("location {}", l.pattern),
        },
        None => "this server".into(),
    }
}

fn keepalive_unused(
    facts: &Facts<'_>,
    target: &Target,
    upstream: &badgateway_config::Upstream,
    out: &mut Findings,
) {
    let Some(keepalive) = &upstream.keepalive else { return };
    let e = &target.effective;
    let http11 = e.http_version.value == "1.1";
    let connection = e.set_headers.iter().find(|(k, _, _)| k.eq_ignore_ascii_case("connection"));
    let connection_ok = connection.is_some_and(|(_, v, _)| !v.eq_ignore_ascii_case("close"));
    if http11 && connection_ok {
        return;
    }
    let mut missing = Vec::new();
    if !http11 {
        missing.push("proxy_http_version 1.1");
    }
    if !connection_ok {
        missing.push("proxy_set_header Connection \"\"");
    }
    let where_ = place(facts, target);
    let mut finding = Finding::new(
        INFO.code,
        Severity::Warning,
        format!("upstream {} has keepalive, but {where_} never reuses its connections", upstream.name),
    )
    .message(format!(
        "upstream {} keeps idle connections ({}), but {where_} talks to it {} without {}. nginx then closes every \
         connection after one request, so the pool is never used; under load the new connections exhaust local \
         ports or the backend's accept queue and some requests fail with 502.",
        upstream.name,
        keepalive.range.map_or("keepalive".into(), |r| String::from_utf8_lossy(r.slice(facts.inputs.text(InputKind::Config))).into_owned()),
        if http11 { "over HTTP/1.1" } else { "over HTTP/1.0 (proxy_http_version's default)" },
        missing.join(" and ")
    ))
    .confidence(85)
    .label(Label::primary(InputKind::Config, target.range, format!("{} without {}", target.kind.directive(), missing.join(" and "))));
    if let Some(range) = keepalive.range {
        finding =
            finding.label(Label::secondary(InputKind::Config, range, "connections are kept for reuse here"));
    }
    if let Some(mut edits) = DirectiveEdits::new(facts, target) {
        if !http11 {
            edits.set("proxy_http_version", "1.1", &e.http_version);
        }
        if !connection_ok {
            let scope = target.location.and_then(|l| facts.config?.model().locations.get(l)).map(|l| l.range);
            let inherited =
                |r: crate::input::TextRange| scope.is_none_or(|s| r.start < s.start || r.end > s.end);
            match connection {
                // `Connection close` written at this level: rewrite it.
                Some((_, _, range)) if !inherited(*range) => {
                    edits.set(
                        "proxy_set_header",
                        "Connection \"\"",
                        &badgateway_config::Setting { value: (), range: Some(*range) },
                    );
                }
                _ => {
                    // A proxy_set_header at this level hides every inherited one: copy them down.
                    if e.set_headers.iter().any(|(_, _, r)| inherited(*r)) {
                        for (k, v, r) in &e.set_headers {
                            if inherited(*r) && !k.eq_ignore_ascii_case("connection") {
                                edits.add(format!("proxy_set_header {k} {};", quote(v)));
                            }
                        }
                    }
                    edits.add("proxy_set_header Connection \"\";".into());
                }
            }
        }
        finding = finding.fix(
            Fix::safe(
                format!(
                    "reuse the kept connections: {}",
                    missing.iter().map(|m| format!("{m};")).collect::<Vec<_>>().join(" ")
                ),
                edits.finish(),
            )
            .with_commands(vec![reload_commands()]),
        );
    }
    out.push(finding);
}

/// A header value as nginx needs it written: quoted when empty or holding spaces.
fn quote(v: &str) -> String {
    if v.is_empty() || v.contains([' ', '\t', ';', '{', '}', '"', '\'']) {
        format!("\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        v.to_string()
    }
}

fn next_upstream_off(
    facts: &Facts<'_>,
    target: &Target,
    upstream: &badgateway_config::Upstream,
    out: &mut Findings,
) {
    let setting = &target.effective.next_upstream;
    if !setting.value.iter().any(|v| v.eq_ignore_ascii_case("off")) {
        return;
    }
    let live = upstream.servers.iter().filter(|s| !s.down).count();
    if live < 2 {
        return;
    }
    let prefix = target.kind.prefix();
    let where_ = place(facts, target);
    let mut finding = Finding::new(
        INFO.code,
        Severity::Warning,
        format!("{prefix}_next_upstream off in front of {live} servers"),
    )
    .message(format!(
        "{where_} sends requests to upstream {} ({live} servers) with {prefix}_next_upstream off: when one server \
         fails, its requests get 502 instead of being retried on another server.",
        upstream.name
    ))
    .confidence(80);
    finding = match setting.range {
        Some(range) => finding.label(Label::primary(InputKind::Config, range, "retries are off")),
        None => finding.label(Label::primary(InputKind::Config, target.range, "retries are off")),
    };
    if let Some(mut edits) = DirectiveEdits::new(facts, target) {
        edits.set(&format!("{prefix}_next_upstream"), "error timeout", setting);
        finding = finding.fix(Fix::unsafe_(format!("retry on another server after a connection error or timeout: {prefix}_next_upstream error timeout;"), edits.finish()).with_commands(vec![reload_commands()]));
    }
    out.push(finding);
}

/// gunicorn's limit from `ps` (`--timeout N`, `-t N`); php-fpm's from its timeout lines.
fn backend_limit_shorter(facts: &Facts<'_>, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    let model = config.model();
    // php-fpm: the observed run time of a terminated script is its request_terminate_timeout.
    let php_limit = backend_kills(facts).into_iter().find_map(|(k, g)| k.limit_ms().map(|ms| (ms, g)));
    // Once nginx's lines show the kill (BG304/BG301 explain it), this is no longer a prediction.
    let visible = facts.log.is_some_and(|l| {
        l.groups.iter().any(|g| {
            matches!(
                g.event.kind,
                crate::log::EventKind::ConnectionReset
                    | crate::log::EventKind::PrematurelyClosed
                    | crate::log::EventKind::PrematurelyClosedFastcgi
            )
        })
    });
    if let Some((limit_ms, group)) = php_limit.filter(|_| !visible) {
        for target in model.targets.iter().filter(|t| t.kind == PassKind::FastCgi) {
            let read = target.effective.read_timeout.value;
            if limit_ms + 500 >= read {
                continue;
            }
            let finding = Finding::new(
                INFO.code,
                Severity::Warning,
                "php-fpm's request_terminate_timeout is shorter than fastcgi_read_timeout",
            )
            .message(format!(
                "php-fpm terminates scripts after about {} (request_terminate_timeout), while {} waits \
                 {} (fastcgi_read_timeout): slow scripts end in a reset connection and a 502, not nginx's clear 504.",
                super::super::response::seconds_text(limit_ms),
                target_place_of(facts, target),
                time_text(read)
            ))
            .confidence(70)
            .label(Label::primary(InputKind::Config, target.range, "nginx waits longer than php-fpm lets the script run"))
            .label(Label::secondary(InputKind::Log, group.event.range, "php-fpm's limit"))
            .fix(Fix::display_only("set request_terminate_timeout at least as long as fastcgi_read_timeout (or 0, and let nginx time out)").with_commands(vec![crate::finding::Command::new(
                    "find the pool's setting",
                    "sudo grep -rn request_terminate_timeout /etc/php/*/fpm/",
                )]));
            out.push(finding);
        }
    }
    // gunicorn: the limit on its command line, matched to the target by its listener's pid.
    for endpoint in &facts.endpoints {
        let Some((limit, range)) = gunicorn_limit(facts, endpoint) else { continue };
        let Some(target) = model.targets.get(endpoint.target) else { continue };
        if limit * 1000 >= target.effective.read_timeout.value {
            continue;
        }
        out.push(
            Finding::new(
                INFO.code,
                Severity::Warning,
                "gunicorn's --timeout is shorter than proxy_read_timeout",
            )
            .message(format!(
                "gunicorn kills a worker after {limit} s (--timeout), while {} waits {} \
                     (proxy_read_timeout): slow requests end in a killed worker and a 502, not nginx's 504.",
                target_place_of(facts, target),
                time_text(target.effective.read_timeout.value)
            ))
            .confidence(75)
            .label(Label::primary(
                InputKind::Config,
                endpoint.range,
                "nginx waits longer than gunicorn lets a worker run",
            ))
            .label(Label::secondary(InputKind::Listeners, range, format!("gunicorn --timeout {limit}")))
            .fix(Fix::display_only(format!(
                "raise gunicorn's --timeout to at least {} s, or find the slow requests",
                target.effective.read_timeout.value / 1000
            ))),
        );
    }
}

fn target_place_of(facts: &Facts<'_>, target: &Target) -> String {
    facts
        .endpoints
        .iter()
        .find(|e| {
            facts
                .config
                .and_then(|c| c.model().targets.get(e.target))
                .is_some_and(|t| std::ptr::eq(t, target))
        })
        .map_or_else(|| place(facts, target), |e| target_place(facts, e))
}

#[cfg(test)]
mod tests {
    /// Hand-written: none of the lab's configs turns keepalive or retries off.
    const KEEPALIVE_HTTP10: &[u8] = b"http {\n  upstream app {\n    server 127.0.0.1:8000;\n    keepalive 16;\n  }\n  server {\n    listen 80;\n    location / {\n        proxy_pass http://app;\n    }\n  }\n}\n";

    super::super::verify::rule_tests! {
        written: (config: KEEPALIVE_HTTP10, "keepalive-http10"),
        not: [("healthy", All), ("no-live-upstreams", All), ("read-timeout", All), ("php-fpm-terminate-timeout", All)],
    }

    use verify::{alone, converges, only, primary_text};

    fn config(text: &[u8]) -> Inputs<'_> {
        Inputs { config: Some(text), ..Default::default() }
    }

    #[test]
    fn keepalive_without_http11_is_fixed_in_the_location() {
        let inputs = config(b"http {\n  upstream app {\n    server 127.0.0.1:8000;\n    keepalive 16;\n  }\n  server {\n    listen 80;\n    proxy_set_header Host $host;\n    proxy_set_header X-Real-IP $remote_addr;\n    location / {\n        proxy_pass http://app;\n    }\n  }\n}\n");
        let a = alone(&super::INFO, inputs);
        let f = only(&a);
        assert_eq!(f.severity, crate::finding::Severity::Warning);
        assert_eq!(primary_text(&a, f), (crate::input::InputKind::Config, "proxy_pass http://app;".into()));
        let fixed = converges(&super::INFO, inputs, f);
        assert!(fixed.contains("proxy_http_version 1.1;"), "{fixed}");
        assert!(fixed.contains("proxy_set_header Connection \"\";"), "{fixed}");
        // The server-level headers are copied down, since a location-level one hides them.
        let loc = fixed.find("location /").unwrap();
        assert!(fixed[loc..].contains("proxy_set_header Host $host;"), "{fixed}");
        assert!(fixed[loc..].contains("proxy_set_header X-Real-IP $remote_addr;"), "{fixed}");
    }

    #[test]
    fn silent_when_keepalive_is_used_right_or_not_at_all() {
        let right = b"http { upstream app { server 127.0.0.1:8000; keepalive 16; }\n server { listen 80; location / { proxy_http_version 1.1; proxy_set_header Connection \"\"; proxy_pass http://app; } } }\n";
        verify::verify_inputs(&super::INFO, config(right), false);
        let no_keepalive = b"http { upstream app { server 127.0.0.1:8000; }\n server { listen 80; location / { proxy_pass http://app; } } }\n";
        verify::verify_inputs(&super::INFO, config(no_keepalive), false);
    }

    #[test]
    fn retries_off_with_several_servers() {
        let inputs = config(b"http {\n  upstream app {\n    server 127.0.0.1:8000;\n    server 127.0.0.1:8001;\n  }\n  server {\n    listen 80;\n    location / {\n        proxy_next_upstream off;\n        proxy_pass http://app;\n    }\n  }\n}\n");
        let a = alone(&super::INFO, inputs);
        let f = only(&a);
        assert_eq!(primary_text(&a, f), (crate::input::InputKind::Config, "proxy_next_upstream off;".into()));
        assert!(converges(&super::INFO, inputs, f).contains("proxy_next_upstream error timeout;"));
        // One server: there is nothing to retry on.
        let one = b"http { upstream app { server 127.0.0.1:8000; }\n server { listen 80; location / { proxy_next_upstream off; proxy_pass http://app; } } }\n";
        verify::verify_inputs(&super::INFO, config(one), false);
    }

    /// Hand-written from the real captures (ps_aux.txt, ss_tlnp.txt) with `--timeout 30` added.
    #[test]
    fn gunicorn_timeout_shorter_than_read_timeout() {
        let listeners = b"State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      2048            127.0.0.1:17010      0.0.0.0:*    users:((\"gunicorn\",pid=27674,fd=6),(\"gunicorn\",pid=27660,fd=6))\nUSER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND\nroot     27660  8.1  0.1  35244 29472 ?        S    11:42   0:00 /usr/bin/python3 /usr/bin/gunicorn --chdir /srv/app -b 127.0.0.1:17010 --timeout 30 -w 1 app:app\n";
        let longer = b"http { server { listen 80; location / { proxy_read_timeout 120s; proxy_pass http://127.0.0.1:17010; } } }\n";
        let a = alone(&super::INFO, Inputs { config: Some(longer), listeners: Some(listeners), log: None });
        let f = only(&a);
        assert!(f.title.contains("gunicorn"), "{}", f.title);
        assert!(f.message.contains("after 30 s") && f.message.contains("120s"), "{}", f.message);
        assert_eq!(primary_text(&a, f), (crate::input::InputKind::Config, "127.0.0.1:17010".into()));
        // nginx's default 60s above 30s is the same risk; 30s against 20s is not.
        let shorter = b"http { server { listen 80; location / { proxy_read_timeout 20s; proxy_pass http://127.0.0.1:17010; } } }\n";
        verify::verify_inputs(
            &super::INFO,
            Inputs { config: Some(shorter), listeners: Some(listeners), log: None },
            false,
        );
    }
}
