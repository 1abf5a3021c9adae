use crate::diagnose::Findings;

use crate::finding::{Command, Edit, Finding, Fix, Label, Severity};
use crate::input::{InputKind, TextRange};
use crate::log::EventGroup;

use super::super::evidence::{cite_events, line_indent, reload_commands};
use super::super::facts::{Facts, Failure};

declare_rule! {
    /// ## What it detects
    /// `proxy_set_header Connection "upgrade";` written as a literal: nginx sends
    /// `Connection: upgrade` with every request of the location, not only with WebSocket
    /// handshakes. A backend may take a plain request carrying it for a broken upgrade:
    /// Kestrel (ASP.NET Core) rejects a request with a body and `Connection: Upgrade`
    /// ("Requests with 'Connection: Upgrade' cannot have content in the request body"),
    /// others close the connection. The finding is an error only when the evidence shows
    /// it: the log has the backend closing or resetting the connection on a request that
    /// cannot be a WebSocket handshake (a `POST`, `PUT`, `PATCH`, `DELETE`: handshakes are
    /// `GET`) through that location. Otherwise it is a note.
    ///
    /// ## Why it causes a 502
    /// The backend closes (or resets) the connection instead of answering, so nginx logs
    /// `upstream prematurely closed connection while reading response header from
    /// upstream` (or `104: Connection reset by peer`) and the client gets **502 Bad
    /// Gateway**. Pages (`GET`) may work while form posts fail (lab capture
    /// `connection-upgrade-always`). The literal header also stops keepalive connections to
    /// the backend.
    ///
    /// ## Example
    /// ```nginx
    /// location / {
    ///     proxy_http_version 1.1;
    ///     proxy_set_header Upgrade $http_upgrade;
    ///     proxy_set_header Connection "upgrade";
    ///     proxy_pass http://127.0.0.1:5000;
    /// }
    /// ```
    /// ```text
    /// [error] upstream prematurely closed connection while reading response header from upstream, ... request: "POST /comments HTTP/1.1", upstream: "http://127.0.0.1:5000/comments"
    /// ```
    ///
    /// ## Fix
    /// Send `Connection: upgrade` only when the client asked for an upgrade, with the map
    /// nginx's WebSocket page gives (in `http {}`):
    /// `map $http_upgrade $connection_upgrade { default upgrade; '' close; }`, then
    /// `proxy_set_header Connection $connection_upgrade;`. Or keep the WebSocket headers in
    /// a location of their own (`location /ws/`).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/websocket.html
    /// - https://nginx.org/en/docs/http/ngx_http_map_module.html#map
    code: BG308,
    name: "connection-upgrade-on-every-request",
    title: "`Connection: upgrade` goes with every request, not only WebSocket handshakes",
}

/// The map that sends `Connection: upgrade` only with an `Upgrade` header.
const MAP: &str = "map $http_upgrade $connection_upgrade {\n    default upgrade;\n    ''      close;\n}\n";

/// Methods a WebSocket handshake never uses: a request with one is a plain request.
fn not_a_handshake(group: &EventGroup) -> Option<&str> {
    let method = group.event.request()?.split(' ').next()?;
    (!method.is_empty() && method != "GET").then_some(method)
}

/// The range of the header's value in the directive (with its quotes), for the edit.
fn value_range(src: &[u8], directive: TextRange) -> Option<TextRange> {
    let text = directive.slice(src);
    let at = text.windows(7).rposition(|w| w.eq_ignore_ascii_case(b"upgrade"))?;
    let (mut start, mut end) = (at, at + 7);
    if let (Some(&q), Some(&q2)) = (text.get(at.wrapping_sub(1)), text.get(end))
        && (q == b'"' || q == b'\'')
        && q2 == q
    {
        start -= 1;
        end += 1;
    }
    Some(TextRange::new(directive.start + start as u32, directive.start + end as u32))
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    let model = config.model();
    let src = config.source();
    let has_map = model.maps.iter().any(|m| m.variable == "$connection_upgrade");
    // One finding per directive: many targets inherit the same line.
    let mut seen: Vec<TextRange> = Vec::new();
    for (t, target) in model.targets.iter().enumerate() {
        if target.kind != badgateway_config::PassKind::Proxy {
            continue;
        }
        let Some((_, _, directive)) = target.effective.set_headers.iter().find(|(name, value, _)| {
            name.eq_ignore_ascii_case("connection") && value.trim().eq_ignore_ascii_case("upgrade")
        }) else {
            continue;
        };
        if seen.contains(directive) {
            continue;
        }
        seen.push(*directive);
        // The backend closed or reset the connection on requests of this target.
        let failures: Vec<&EventGroup> = facts
            .endpoints
            .iter()
            .filter(|e| e.target == t)
            .flat_map(|e| facts.events_for(e))
            .filter(|g| {
                matches!(facts.failure_of(g), Some(Failure::ClosedBeforeResponse | Failure::ConnectionReset))
            })
            .collect();
        let plain: Vec<(&EventGroup, &str)> =
            failures.iter().filter_map(|g| not_a_handshake(g).map(|m| (*g, m))).collect();
        let shown = !plain.is_empty();
        let mut finding = if let Some((_, method)) = plain.first() {
            Finding::new(
                INFO.code,
                Severity::Error,
                format!("the backend drops plain requests sent with `Connection: upgrade` (a {method} failed)"),
            )
            .message(format!(
                "This location sends `Connection: upgrade` with every request, because the header is written as a \
                 literal. The backend closed the connection on a {method} request, which is never a WebSocket \
                 handshake (those are GET): it took the plain request for a broken upgrade (Kestrel, for one, \
                 rejects a request body with `Connection: Upgrade`), so nginx had no response and the client got 502 \
                 Bad Gateway. Send the header only when the client asks for an upgrade."
            ))
            .confidence(85)
            .status(502)
        } else {
            Finding::new(INFO.code, Severity::Info, "`Connection: upgrade` goes with every request of this location")
                .message(
                    "The header is written as a literal, so nginx sends `Connection: upgrade` with plain requests \
                     too, not only with WebSocket handshakes. Most backends ignore it; some take a plain request \
                     with it for a broken upgrade and close the connection (a 502), and it stops keepalive \
                     connections to the backend. The map below sends it only when the client asks for an upgrade.",
                )
                .confidence(if failures.is_empty() { 50 } else { 60 })
        };
        finding = finding.label(Label::primary(InputKind::Config, *directive, "sent with every request"));
        for (g, method) in plain.iter().take(4) {
            finding = cite_events(
                finding,
                g,
                &format!("the backend closed on a {method}: not a WebSocket handshake"),
            );
        }
        if !shown {
            for g in failures.iter().take(2) {
                finding = cite_events(finding, g, "the backend closed: on a handshake, or a plain GET?");
            }
            if !failures.is_empty() {
                finding = finding.next_step(Command::new(
                    "does the backend answer a plain request without the header? (name its address)",
                    "curl -sS -o /dev/null -w '%{http_code}\\n' -H 'Connection: upgrade' http://BACKEND/; \
                     curl -sS -o /dev/null -w '%{http_code}\\n' http://BACKEND/",
                ));
            }
        }
        let mut edits = Vec::new();
        if let Some(range) = value_range(src, *directive) {
            edits.push(Edit { range, replacement: "$connection_upgrade".into() });
        }
        // The map goes into http {}, just before the server block of this location.
        if !has_map && let Some(server) = target.server.and_then(|s| model.servers.get(s)) {
            let indent = line_indent(src, server.range.start);
            let text = MAP.trim_end().lines().collect::<Vec<_>>().join(&format!("\n{indent}"));
            let at = TextRange::new(server.range.start, server.range.start);
            edits.push(Edit { range: at, replacement: format!("{text}\n\n{indent}") });
        }
        finding = finding.fix(
            Fix::unsafe_("send `Connection: upgrade` only with an Upgrade header: map $http_upgrade $connection_upgrade", edits)
                .with_commands(vec![reload_commands()]),
        );
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("connection-upgrade-always", All)],
        not: [("healthy", All), ("upstream-closes", All), ("connection-upgrade-always", Log)],
        snapshot: ("connection-upgrade-always", All),
    }
}
