use crate::diagnose::Findings;
use badgateway_config::{PassKind, Target, TargetHost};

use crate::finding::{Command, Edit, Finding, Fix, Label, Severity};
use crate::input::TextRange;
use crate::listeners::{BackendKind as ProgramKind, Listener, backend_kind};
use crate::log::{BackendKind, EventGroup, EventKind};

use super::super::Facts;
use super::super::evidence::{endpoint_text, listener_text, reload_commands, target_place};
use super::super::facts::{EndpointAddr, TcpReach, UnixReach};
use super::super::response::{
    Incident, address_text, backend_groups, cite_backend, endpoint_at, incidents, locate, place_text,
    target_of,
};

declare_rule! {
    /// ## What it detects
    /// nginx and the backend speak different protocols on the connection:
    /// `fastcgi_pass` to an HTTP server (`upstream sent unsupported FastCGI protocol
    /// version: 72`, 72 being the `H` of `HTTP/1.1`), `grpc_pass` to an HTTP/1 server
    /// (`upstream sent too large http2 frame: 4740180`, the bytes `HTT`), `https://` to a
    /// plain-HTTP port (`SSL_do_handshake() failed (... wrong version number)`),
    /// `proxy_pass` to a uwsgi socket (uWSGI: `invalid request block size`), or a backend
    /// that answers something that is not HTTP at all (`upstream sent no valid HTTP/1.0
    /// header`: `http://` to a TLS port, to php-fpm, to a database...).
    ///
    /// ## Why it causes a 502
    /// nginx cannot parse what comes back, so it gives up on the response and answers
    /// **502 Bad Gateway**. One exception: `no valid HTTP/1.0 header` is not a 502: nginx
    /// relays the bytes as an HTTP/0.9 response (access log status `009`), and browsers
    /// show garbage or an invalid-response error.
    ///
    /// ## Example
    /// ```nginx
    /// location ~ \.php$ { fastcgi_pass 127.0.0.1:8000; }   # 8000 is gunicorn (HTTP)
    /// ```
    /// ```text
    /// [error] upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream, ... upstream: "fastcgi://127.0.0.1:8000"
    /// ```
    ///
    /// ## Fix
    /// Use the directive and scheme the backend speaks: `proxy_pass http://` for an HTTP
    /// server, `fastcgi_pass` for php-fpm, `uwsgi_pass` for a uwsgi socket, `grpc_pass`
    /// only for a gRPC (HTTP/2) server, `https://` only when the backend port speaks TLS.
    /// Then `sudo nginx -t && sudo systemctl reload nginx`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass
    /// - https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_pass
    /// - https://nginx.org/en/docs/http/ngx_http_grpc_module.html#grpc_pass
    /// - https://nginx.org/en/docs/http/ngx_http_uwsgi_module.html#uwsgi_pass
    code: BG302,
    name: "protocol-mismatch",
    title: "protocol mismatch: nginx and the backend speak different protocols",
}

/// What the backend really speaks, as far as the line tells.
#[derive(Clone, Copy, PartialEq)]
enum Speaks {
    /// An HTTP/1 server.
    Http,
    /// Plain HTTP where nginx expected TLS.
    PlainNotTls,
    /// Something that is not HTTP (answer to `no valid HTTP/1.0 header`).
    NotHttp,
    /// Not FastCGI, not known what.
    NotFastcgi,
}

/// OpenSSL's words when the other side does not speak TLS at all.
fn plain_text_reply(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "wrong version number",
        "packet length too long",
        "http request",
        "unknown protocol",
        "record layer failure",
    ]
    .iter()
    .any(|w| d.contains(w))
}

fn classify(group: &EventGroup) -> Option<Speaks> {
    let e = &group.event;
    match &e.kind {
        EventKind::FastcgiProtocolVersion(72) => Some(Speaks::Http),
        EventKind::FastcgiProtocolVersion(_) | EventKind::FastcgiBadRecord => Some(Speaks::NotFastcgi),
        // 0x485454 = "HTT": the first bytes of an HTTP/1 status line read as a frame length.
        EventKind::Http2FrameTooLarge(n) if *n == 0x48_5454 => Some(Speaks::Http),
        EventKind::SslHandshakeFailed if e.detail().is_some_and(plain_text_reply) => {
            Some(Speaks::PlainNotTls)
        }
        EventKind::NoValidHttpHeader => Some(Speaks::NotHttp),
        _ => None,
    }
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let mut explained = Vec::new();
    for incident in incidents(facts, |g| classify(g).is_some()) {
        let Some(speaks) = classify(incident.group) else { continue };
        explained.extend(incident.endpoint);
        out.push(from_nginx_line(facts, &incident, speaks));
    }
    uwsgi_side(facts, out);
    from_listener_table(facts, &explained, out);
}

/// What a listener's program speaks, when its name leaves no doubt.
#[derive(Clone, Copy, PartialEq)]
enum Native {
    /// HTTP/1 only (WSGI/Rack servers, node, http.server...): no FastCGI, uwsgi or h2c.
    Http1,
    /// php-fpm: FastCGI only.
    FastCgi,
}

fn native(listener: &Listener) -> Option<(Native, String)> {
    use crate::listeners::AppServer as A;
    let p = listener.processes.first()?;
    let kind = match backend_kind(&p.name) {
        ProgramKind::AppServer(A::PhpFpm) => Native::FastCgi,
        ProgramKind::AppServer(
            A::Gunicorn | A::Uvicorn | A::Waitress | A::Puma | A::Unicorn | A::PythonHttpServer | A::Node,
        ) => Native::Http1,
        _ => return None,
    };
    Some((kind, p.name.clone()))
}

/// Config + listener table, no log needed: the directive speaks a protocol the program
/// listening there cannot (`fastcgi_pass` to gunicorn, `proxy_pass` to php-fpm).
fn from_listener_table(facts: &Facts<'_>, explained: &[usize], out: &mut Findings) {
    let Some(config) = facts.config else { return };
    for (i, endpoint) in facts.endpoints.iter().enumerate() {
        if explained.contains(&i) {
            continue;
        }
        let rows = match (facts.tcp_reach(endpoint), facts.unix_reach(endpoint)) {
            (TcpReach::Listening(rows), _) | (_, UnixReach::Listening(rows)) => rows,
            _ => continue,
        };
        let Some(listener) = rows.first().and_then(|&r| facts.listener(r)) else { continue };
        let Some((speaks, program)) = native(listener) else { continue };
        let Some(target) = target_of(facts, endpoint) else { continue };
        let mismatch = matches!(
            (speaks, target.kind),
            (Native::Http1, PassKind::FastCgi | PassKind::Uwsgi | PassKind::Scgi | PassKind::Grpc)
                | (Native::FastCgi, PassKind::Proxy | PassKind::Uwsgi | PassKind::Scgi | PassKind::Grpc)
        );
        if !mismatch {
            continue;
        }
        let address = endpoint_text(endpoint);
        let place = target_place(facts, endpoint);
        let (wants, fix) = match speaks {
            Native::Http1 => ("HTTP", switch_to_proxy(config.source(), target, "http")),
            Native::FastCgi => ("FastCGI", switch_kind(config.source(), target, "fastcgi_pass", "")),
        };
        let directive = target.kind.directive();
        let mut finding = Finding::new(
            INFO.code,
            Severity::Error,
            format!("{directive} to {address}, where {program} listens: it speaks {wants}"),
        )
        .message(format!(
            "In {place}, nginx uses {directive} to reach {address}, but {}. {program} speaks {wants} only, so it \
             cannot understand nginx's requests there, and clients get 502 Bad Gateway (or a hanging request until \
             a timeout).",
            listener_text(listener)
        ))
        .confidence(80)
        .status(502)
        .label(Label::primary(crate::input::InputKind::Config, target.range, format!("{directive} speaks another protocol")))
        .label(Label::secondary(crate::input::InputKind::Listeners, listener.range, format!("{program} speaks {wants}")));
        if let Some(fix) = fix {
            finding = finding.fix(fix);
        }
        if facts.log.is_none() {
            finding = finding.next_step(Command::new(
                "confirm with nginx's error log",
                format!("sudo grep -F '{address}' /var/log/nginx/error.log | tail -n 5"),
            ));
        }
        out.push(finding);
    }
}

fn from_nginx_line(facts: &Facts<'_>, incident: &Incident<'_>, speaks: Speaks) -> Finding {
    let target = address_text(facts, incident);
    let place = place_text(facts, incident);
    let event = &incident.group.event;
    let endpoint = endpoint_at(facts, incident);
    let config_target = endpoint.and_then(|e| target_of(facts, e));
    let backend_name = endpoint
        .and_then(|e| match facts.tcp_reach(e) {
            TcpReach::Listening(l) => l.first().and_then(|&i| facts.listener(i)),
            _ => None,
        })
        .map(listener_text);
    let (title, what, mut message, status) = match (speaks, &event.kind) {
        (Speaks::Http, EventKind::FastcgiProtocolVersion(_)) => (
            format!("fastcgi_pass to {target}, which is an HTTP server"),
            "an HTTP reply read as FastCGI (72 is the \"H\" of \"HTTP/1.1\")",
            format!(
                "{place} speaks FastCGI to {target}, but an HTTP server answers there: nginx read the \"H\" of \
                 \"HTTP/1.1\" as FastCGI protocol version 72, gave up on the response, and the client got 502 Bad \
                 Gateway. Use proxy_pass http:// for an HTTP backend (or point fastcgi_pass at php-fpm)."
            ),
            Some(502),
        ),
        (Speaks::Http, _) => (
            format!("grpc_pass to {target}, which is an HTTP/1 server"),
            "an HTTP/1 reply read as an HTTP/2 frame (4740180 = the bytes \"HTT\")",
            format!(
                "{place} speaks gRPC (HTTP/2) to {target}, but an HTTP/1 server answers there: nginx read \
                 \"HTT\" of \"HTTP/1.1\" as the length of an HTTP/2 frame, gave up, and the client got 502 Bad \
                 Gateway. Use proxy_pass http:// for an HTTP/1 backend, or point grpc_pass at the gRPC server."
            ),
            Some(502),
        ),
        (Speaks::PlainNotTls, _) => (
            format!("https:// to {target}, which speaks plain HTTP"),
            "the backend answered the TLS handshake in plain text",
            format!(
                "{place} starts a TLS handshake with {target}, but the backend speaks plain HTTP on that port \
                 (OpenSSL: \"{}\"), so the handshake fails and the client gets 502 Bad Gateway. Use http:// for \
                 this backend, or enable TLS on it.",
                event.detail().unwrap_or("wrong version number")
            ),
            Some(502),
        ),
        (Speaks::NotFastcgi, _) => (
            format!("fastcgi_pass to {target}, which does not speak FastCGI"),
            "the reply is not FastCGI",
            format!(
                "{place} speaks FastCGI to {target}, but what answers is not a FastCGI server, so nginx gives up \
                 on the response and the client gets 502 Bad Gateway."
            ),
            Some(502),
        ),
        (Speaks::NotHttp, _) => (
            format!("{target} does not answer in HTTP"),
            "the reply has no HTTP status line",
            format!(
                "{place} speaks HTTP to {target}, but the reply has no HTTP status line. This is not a 502: nginx \
                 relays the bytes as an HTTP/0.9 response (the access log shows status 009) and browsers show \
                 garbage or an invalid-response error. The port speaks another protocol: TLS (use https://), \
                 FastCGI (php-fpm: use fastcgi_pass), uwsgi (use uwsgi_pass), or it is not a web server at all."
            ),
            None,
        ),
    };
    if let Some(who) = &backend_name {
        message.push_str(&format!(" On that port, {who}."));
    }
    let mut finding =
        Finding::new(INFO.code, Severity::Error, title).message(message).confidence(match speaks {
            Speaks::NotHttp => 70,
            Speaks::NotFastcgi => 80,
            _ => 95,
        });
    if let Some(s) = status {
        finding = finding.status(s);
    }
    finding = locate(finding, facts, incident, what);
    let fix = config_target.and_then(|t| {
        let src = facts.config?.source();
        match (speaks, t.kind) {
            (Speaks::Http, PassKind::FastCgi | PassKind::Grpc) => switch_to_proxy(src, t, "http"),
            (Speaks::PlainNotTls, _) => drop_tls(src, t),
            (Speaks::NotHttp, PassKind::Proxy) => {
                let who = backend_name.as_deref().unwrap_or_default().to_ascii_lowercase();
                if who.contains("php-fpm") || who.contains("php") {
                    switch_kind(src, t, "fastcgi_pass", "")
                } else if who.contains("uwsgi") {
                    switch_kind(src, t, "uwsgi_pass", "")
                } else if endpoint
                    .is_some_and(|e| matches!(&e.addr, EndpointAddr::Tcp { port: 443 | 8443, .. }))
                {
                    add_tls(src, t)
                } else {
                    None
                }
            }
            _ => None,
        }
    });
    match fix {
        Some(fix) => finding = finding.fix(fix),
        None => {
            finding = finding.next_step(Command::new(
                "see what the backend port really speaks",
                format!("curl -sv --max-time 5 http://{target}/ -o /dev/null 2>&1 | head -n 20"),
            ))
        }
    }
    finding
}

/// uWSGI said `invalid request block size`: an HTTP request reached a uwsgi-protocol
/// socket. Scanners hitting an exposed uwsgi port cause the same line, so it counts only
/// with nginx's own line about an HTTP upstream that closed (or reset) the connection.
fn uwsgi_side(facts: &Facts<'_>, out: &mut Findings) {
    let groups = backend_groups(facts, |k| matches!(k, BackendKind::UwsgiInvalidBlockSize));
    let Some(first) = groups.first() else { return };
    let closed = incidents(facts, |g| {
        matches!(g.event.kind, EventKind::PrematurelyClosed | EventKind::ConnectionReset)
            && g.event.upstream.as_ref().is_some_and(|u| u.scheme().eq_ignore_ascii_case("http"))
    });
    for incident in &closed {
        let target = address_text(facts, incident);
        let place = place_text(facts, incident);
        let mut finding = Finding::new(INFO.code, Severity::Error, format!("proxy_pass to {target}, a uwsgi-protocol socket"))
            .message(format!(
                "{place} speaks HTTP to {target}, but uWSGI listens there with the uwsgi protocol: it read the \
                 \"GE\" of \"GET\" as a packet size, dropped the request and closed the connection, so the \
                 client got 502 Bad Gateway. Use uwsgi_pass (with include uwsgi_params) for a uwsgi socket, or \
                 start uWSGI with --http-socket to speak HTTP."
            ))
            .confidence(85)
            .status(502);
        finding = locate(finding, facts, incident, "the backend closed the connection");
        finding = cite_backend(finding, first, "uWSGI read an HTTP request as a uwsgi packet");
        let config_target = endpoint_at(facts, incident).and_then(|e| target_of(facts, e));
        if let Some(fix) =
            config_target.and_then(|t| switch_kind(facts.config?.source(), t, "uwsgi_pass", ""))
        {
            finding = finding.fix(fix);
        }
        out.push(finding);
    }
}

/// The address part of the target as written, without any scheme.
fn address_part(t: &Target) -> String {
    match t.raw.split_once("://") {
        Some((_, rest)) => rest.to_string(),
        None => t.raw.clone(),
    }
}

/// Replaces the whole `*_pass` directive.
fn replace_directive(src: &[u8], t: &Target, text: String) -> Edit {
    let ends_with_semicolon = t.range.slice(src).last() == Some(&b';');
    Edit { range: t.range, replacement: if ends_with_semicolon { format!("{text};") } else { text } }
}

fn switch_to_proxy(src: &[u8], t: &Target, scheme: &str) -> Option<Fix> {
    let address = address_part(t);
    let new = format!("proxy_pass {scheme}://{address}");
    Some(
        Fix::unsafe_(format!("speak HTTP to this backend: `{new};`"), vec![replace_directive(src, t, new)])
            .with_commands(vec![reload_commands()]),
    )
}

fn switch_kind(src: &[u8], t: &Target, directive: &str, scheme: &str) -> Option<Fix> {
    if matches!(t.host, TargetHost::Variable) {
        return None;
    }
    let address = address_part(t);
    let new = format!("{directive} {scheme}{address}");
    let params = if directive == "uwsgi_pass" {
        " Add `include uwsgi_params;` beside it."
    } else {
        " Add `include fastcgi_params;` (or snippets/fastcgi-php.conf) beside it."
    };
    Some(
        Fix::unsafe_(
            format!("speak the backend's protocol: `{new};`.{params}"),
            vec![replace_directive(src, t, new)],
        )
        .with_commands(vec![reload_commands()]),
    )
}

/// `http://` -> `https://` for a TLS port.
fn add_tls(src: &[u8], t: &Target) -> Option<Fix> {
    let arg = t.arg_range.slice(src);
    if !(arg.len() >= 7 && arg.get(..7)?.eq_ignore_ascii_case(b"http://")) {
        return None;
    }
    Some(
        Fix::unsafe_(
            "the port speaks TLS: use https://",
            vec![Edit {
                range: TextRange::new(t.arg_range.start, t.arg_range.start + 7),
                replacement: "https://".into(),
            }],
        )
        .with_commands(vec![reload_commands()]),
    )
}

/// `https://` -> `http://` (`grpcs://` -> `grpc://`) in the target's argument.
fn drop_tls(src: &[u8], t: &Target) -> Option<Fix> {
    let arg = t.arg_range.slice(src);
    let (from, to) = if arg.len() >= 8 && arg.get(..8)?.eq_ignore_ascii_case(b"https://") {
        ("https://", "http://")
    } else if arg.len() >= 8 && arg.get(..8)?.eq_ignore_ascii_case(b"grpcs://") {
        ("grpcs://", "grpc://")
    } else {
        return None;
    };
    let range = TextRange::new(t.arg_range.start, t.arg_range.start + from.len() as u32);
    Some(
        Fix::unsafe_(
            format!("the backend speaks plain text: use {to} instead of {from}"),
            vec![Edit { range, replacement: to.to_string() }],
        )
        .with_commands(vec![reload_commands()]),
    )
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("fastcgi-to-http", All), ("grpc-to-http1", All), ("https-to-http", All), ("fastcgi-to-http", Log), ("grpc-to-http1", ConfigListeners)],
        not: [("healthy", All), ("remote-backend", All), ("tls-name-mismatch", All), ("tls-verify-self-signed", All), ("fastcgi-to-http", ConfigListeners), ("grpc-to-http1", Config)],
        snapshot: ("fastcgi-to-http", All),
    }
}
