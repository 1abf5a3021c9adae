use crate::diagnose::Findings;
use badgateway_config::{PassKind, TargetHost};

use crate::finding::{Command, Finding, Fix, Severity};
use crate::log::{EventGroup, EventKind};

use super::super::Facts;
use super::super::evidence::reload_commands;
use super::super::response::{
    DirectiveEdits, address_text, endpoint_at, incidents, locate, pass_kind, place_text, target_of,
};

declare_rule! {
    /// ## What it detects
    /// The TLS handshake with an `https://` (or `grpcs://`) backend fails on nginx's
    /// checks or the backend's: `upstream SSL certificate verify error: (18:self-signed
    /// certificate)` (the certificate is not signed by a CA in
    /// `proxy_ssl_trusted_certificate`), `upstream SSL certificate does not match "NAME"`
    /// (the name nginx checks is not on the certificate), or a handshake the backend
    /// aborts because nginx sent no SNI (`proxy_ssl_server_name` is off by default).
    ///
    /// ## Why it causes a 502
    /// With `proxy_ssl_verify on`, a certificate nginx cannot trust ends the connection
    /// before any request is sent; a backend that needs SNI (shared hosting, CDNs, many
    /// load balancers) refuses the handshake. Either way nginx has no response and answers
    /// **502 Bad Gateway**.
    ///
    /// ## Example
    /// ```nginx
    /// proxy_ssl_verify on;
    /// proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
    /// proxy_pass https://127.0.0.1:8443;
    /// ```
    /// ```text
    /// [error] upstream SSL certificate does not match "127.0.0.1" while SSL handshaking to upstream
    /// ```
    ///
    /// ## Fix
    /// Name the host the certificate is for (`proxy_ssl_name backend.example;`, and
    /// `proxy_ssl_server_name on;` to send it as SNI), trust the CA that signed it
    /// (`proxy_ssl_trusted_certificate /etc/nginx/backend-ca.pem;`), or renew an expired
    /// certificate on the backend.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_verify
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_name
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_server_name
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_ssl_trusted_certificate
    code: BG305,
    name: "upstream-tls-verification-failed",
    title: "TLS to the backend fails: certificate not trusted, wrong name, or no SNI",
}

#[derive(Clone, Copy, PartialEq)]
enum Failure {
    Untrusted,
    Expired,
    NameMismatch,
    NoSni,
    Handshake,
}

/// OpenSSL alerts a server sends when it wanted SNI (or a name it serves).
fn sni_like(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    [
        "unrecognized name",
        "alert handshake failure",
        "alert internal error",
        "alert number 40",
        "alert number 112",
    ]
    .iter()
    .any(|w| d.contains(w))
}

/// OpenSSL's words when the port does not speak TLS at all: BG302's case.
fn plain_text(detail: &str) -> bool {
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

fn classify(g: &EventGroup) -> Option<Failure> {
    let e = &g.event;
    match e.kind {
        EventKind::SslVerifyFailed => {
            let d = e.detail().unwrap_or_default().to_ascii_lowercase();
            Some(if d.contains("expired") || d.starts_with("10:") {
                Failure::Expired
            } else {
                Failure::Untrusted
            })
        }
        EventKind::SslNameMismatch => Some(Failure::NameMismatch),
        EventKind::SslHandshakeFailed => {
            let d = e.detail().unwrap_or_default();
            if plain_text(d) {
                None
            } else if sni_like(d) {
                Some(Failure::NoSni)
            } else {
                Some(Failure::Handshake)
            }
        }
        EventKind::PeerClosedInSslHandshake => Some(Failure::NoSni),
        _ => None,
    }
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for incident in incidents(facts, |g| classify(g).is_some()) {
        let Some(mut failure) = classify(incident.group) else { continue };
        let kind = pass_kind(facts, &incident);
        let prefix = if kind == PassKind::Grpc { "grpc" } else { "proxy" };
        let target = address_text(facts, &incident);
        let place = place_text(facts, &incident);
        let config_target = endpoint_at(facts, &incident).and_then(|e| target_of(facts, e));
        let sni_on = config_target.map(|t| t.effective.ssl_server_name.value);
        // A handshake refusal with SNI already on is not about SNI.
        if failure == Failure::NoSni && sni_on == Some(true) {
            failure = Failure::Handshake;
        }
        let detail = incident.group.event.detail().map(str::to_owned).unwrap_or_default();
        let checked_name = incident
            .group
            .event
            .name()
            .map_or_else(|| super::super::facts::split_host_port(&target).0.to_string(), str::to_owned);
        let upstream_block_name = config_target.and_then(|t| match t.host {
            TargetHost::Upstream { index } => {
                facts.config?.model().upstreams.get(index).map(|u| u.name.clone())
            }
            _ => None,
        });
        let (title, what, explain) = match failure {
            Failure::Untrusted => (
                format!("nginx does not trust the certificate of {target}"),
                "certificate verification failed",
                format!(
                    "the backend's certificate is not signed by a CA nginx trusts ({detail}). With \
                     {prefix}_ssl_verify on, nginx checks it against {prefix}_ssl_trusted_certificate, so a \
                     self-signed or private-CA certificate needs that CA listed there"
                ),
            ),
            Failure::Expired => (
                format!("the certificate of {target} has expired"),
                "the backend's certificate has expired",
                format!("the backend's certificate has expired ({detail}); renew it on the backend"),
            ),
            Failure::NameMismatch => (
                format!("the certificate of {target} is not for \"{checked_name}\""),
                "the certificate does not match the name nginx checks",
                format!(
                    "nginx checks the certificate against \"{checked_name}\"{}, and that name is not on it. Set \
                     {prefix}_ssl_name to a name the certificate is for (and {prefix}_ssl_server_name on to send \
                     it as SNI)",
                    if upstream_block_name.is_some() {
                        " (the upstream block's name, nginx's default for proxy_ssl_name)"
                    } else {
                        " (the host of the URL, nginx's default for proxy_ssl_name)"
                    }
                ),
            ),
            Failure::NoSni => (
                format!("{target} refuses the TLS handshake: nginx sends no SNI"),
                "the backend aborted the handshake",
                format!(
                    "the backend aborted the handshake ({}). nginx sends no server name (SNI) unless \
                     {prefix}_ssl_server_name is on, and backends that host several names (CDNs, shared hosting, \
                     load balancers) refuse such handshakes",
                    if detail.is_empty() { "peer closed connection" } else { detail.as_str() }
                ),
            ),
            Failure::Handshake => (
                format!("the TLS handshake with {target} fails"),
                "the TLS handshake failed",
                format!(
                    "the handshake failed ({detail}): no protocol version or cipher both sides accept, or the \
                     backend wants a client certificate ({prefix}_ssl_certificate)"
                ),
            ),
        };
        let mut finding = Finding::new(INFO.code, Severity::Error, title)
            .message(format!(
                "{place} opens TLS to {target}, and {explain}. The connection ends before any request, so the \
                 client gets 502 Bad Gateway."
            ))
            .confidence(match failure {
                Failure::Handshake => 60,
                Failure::NoSni => 75,
                _ => 95,
            })
            .status(502);
        finding = locate(finding, facts, &incident, what);
        let host_port = target.clone();
        let probe = Command::new(
            "see the backend's certificate: whom it is for, who signed it, until when",
            format!(
                "openssl s_client -connect {host_port} -servername {checked_name} </dev/null 2>/dev/null | openssl x509 -noout -subject -issuer -enddate -ext subjectAltName"
            ),
        );
        let fix = match (failure, config_target) {
            (Failure::NoSni, Some(t)) => DirectiveEdits::new(facts, t).map(|mut edits| {
                edits.set(&format!("{prefix}_ssl_server_name"), "on", &t.effective.ssl_server_name);
                Fix::unsafe_(format!(
                        "send the server name (SNI) in the handshake: {prefix}_ssl_server_name on;"
                    ), edits.finish()).with_commands(vec![reload_commands()])
            }),
            (Failure::NameMismatch, _) => Some(Fix::display_only(format!(
                    "tell nginx which name to check: {prefix}_ssl_name <a name on the certificate>; {prefix}_ssl_server_name on;"
                )).with_commands(vec![probe.clone(), reload_commands()])),
            (Failure::Untrusted, _) => Some(Fix::display_only(format!(
                    "trust the CA that signed the backend's certificate: {prefix}_ssl_trusted_certificate /etc/nginx/backend-ca.pem;"
                )).with_commands(vec![probe.clone(), reload_commands()])),
            _ => None,
        };
        match fix {
            Some(f) => finding = finding.fix(f),
            None => finding = finding.next_step(probe),
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("tls-name-mismatch", All), ("tls-verify-self-signed", All), ("tls-name-mismatch", Log), ("tls-verify-self-signed", Log)],
        not: [("healthy", All), ("https-to-http", All), ("remote-backend", All), ("tls-name-mismatch", ConfigListeners), ("tls-verify-self-signed", ConfigListeners)],
        snapshot: ("tls-name-mismatch", All),
    }

    #[test]
    fn a_name_mismatch_fixes_the_name_nginx_checks() {
        let capture = verify::Capture::load("tls-name-mismatch");
        for subset in [Subset::All, Subset::Log] {
            let a = verify::alone(&super::INFO, capture.inputs(subset));
            assert_eq!(a.findings.len(), 1, "{subset:?}");
        }
        let a = verify::alone(&super::INFO, capture.inputs(Subset::All));
        let f = verify::only(&a);
        assert!(f.title.contains("\"127.0.0.1\""), "{}", f.title);
        assert!(f.fix.as_ref().unwrap().summary().contains("proxy_ssl_name"));
        assert!(f.fix.as_ref().unwrap().commands()[0].command.contains("-servername 127.0.0.1 "));
    }
}
