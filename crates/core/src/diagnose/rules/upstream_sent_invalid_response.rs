use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Severity};
use crate::log::{EventGroup, EventKind, Level};

use super::super::Facts;
use super::super::response::{address_text, incidents, locate, place_text};

declare_rule! {
    /// ## What it detects
    /// The backend answered in HTTP, but its response header breaks HTTP's rules and
    /// nginx refuses it: `upstream sent invalid header` (a bad character in a header
    /// name or value), `invalid status` (a FastCGI/uwsgi `Status:` that is not a
    /// number), `invalid "Content-Length" header`, `unknown "Transfer-Encoding"`, a
    /// duplicate header that must be unique (`[error] upstream sent duplicate header
    /// line`), `"Content-Length" and "Transfer-Encoding" headers at the same time`
    /// (nginx 1.23+), or an HTTP/1.0 response with early hints. Body-phase errors
    /// (`invalid chunked response`, `invalid trailer`) are reported as cut bodies.
    ///
    /// ## Why it causes a 502
    /// An invalid header is a sign of a broken or smuggled response; nginx will not pass
    /// it on, so the client gets **502 Bad Gateway**. Errors in the body come after the
    /// status was sent: the status stays and the body is cut.
    ///
    /// ## Example
    /// ```text
    /// [error] upstream sent invalid header: "Bad\x20..." while reading response header from upstream, ... upstream: "http://127.0.0.1:8000/"
    /// ```
    ///
    /// ## Fix
    /// Fix the backend's headers: look at the raw response with
    /// `curl -sv http://127.0.0.1:8000/ -o /dev/null` and correct the header the line
    /// quotes (names without spaces or underscores-by-mistake, one Content-Length, no
    /// Content-Length with chunked encoding, a numeric `Status:`). nginx has no switch to
    /// accept them (`ignore_invalid_headers` is about client requests).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_proxy_module.html
    /// - https://www.rfc-editor.org/rfc/rfc9112#section-6.3
    code: BG306,
    name: "upstream-sent-invalid-response",
    title: "the backend's response header is invalid",
}

fn describe(g: &EventGroup) -> Option<(&'static str, bool)> {
    let e = &g.event;
    let truncated = e.phase.is_some_and(|p| p.after_header());
    let what = match e.kind {
        EventKind::InvalidHeader => "a header nginx cannot parse",
        EventKind::InvalidStatus => "a Status that is not a valid status code",
        EventKind::InvalidContentLength => "an invalid Content-Length header",
        EventKind::UnknownTransferEncoding => "a Transfer-Encoding nginx does not know",
        // `[warn] ..., ignored` is harmless.
        EventKind::DuplicateHeader if e.level <= Level::Error => "a duplicate header that must appear once",
        EventKind::ContentLengthAndTransferEncoding => "both Content-Length and Transfer-Encoding",
        EventKind::EarlyHintsHttp10 => "early hints (103) in an HTTP/1.0 response",
        EventKind::InvalidChunked => "an invalid chunked body",
        EventKind::InvalidTrailer => "an invalid trailer",
        _ => return None,
    };
    Some((what, truncated))
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for incident in incidents(facts, |g| describe(g).is_some()) {
        let Some((what, truncated)) = describe(incident.group) else { continue };
        let target = address_text(facts, &incident);
        let place = place_text(facts, &incident);
        let quoted = incident.group.event.detail().map_or_else(String::new, |d| match bad_byte(d) {
            Some((before, byte)) => format!(
                " (\"{d}\": the header line \"{before}\" is followed by byte 0x{byte:02x}{}, which nginx does not \
                 accept there)",
                byte_name(byte)
            ),
            None => format!(" ({d})"),
        });
        let message = if truncated {
            format!(
                "{place} was relaying the response from {target} when the body turned out invalid: {what}{quoted}. \
                 The status had already been sent, so the body is cut short."
            )
        } else {
            format!(
                "{place} got a response from {target} with {what}{quoted}. nginx refuses to pass on an invalid \
                 response header, so the client got 502 Bad Gateway. The backend must send a valid header; nginx \
                 has no setting to accept it."
            )
        };
        let mut finding = Finding::new(
            INFO.code,
            if truncated { Severity::Warning } else { Severity::Error },
            format!("{target} sent {what}"),
        )
        .message(message)
        .confidence(95);
        if !truncated {
            finding = finding.status(502);
        }
        finding = locate(finding, facts, &incident, &format!("the backend sent {what}"));
        let uri =
            incident.group.event.upstream.as_ref().map(|u| u.uri().to_owned()).filter(|u| u.starts_with('/'));
        let url = match incident.group.event.upstream.as_ref().map(|u| u.scheme()) {
            Some("http" | "https") | None => {
                let scheme = incident.group.event.upstream.as_ref().map_or("http", |u| u.scheme());
                format!("{scheme}://{target}{}", uri.unwrap_or_else(|| "/".into()))
            }
            Some(_) => "https://your.site/failing-url".to_string(),
        };
        finding = finding.fix(
            Fix::display_only("fix the header the backend sends (nginx will not relay it as is)")
                .with_commands(vec![Command::new(
                    "look at the raw response header the backend sends",
                    format!("curl -sv --http1.1 '{url}' -o /dev/null 2>&1 | grep '^<'"),
                )]),
        );
        out.push(finding);
    }
}

/// nginx prints an invalid header up to the bad byte: `Bad\x20...` -> ("Bad", 0x20).
fn bad_byte(detail: &str) -> Option<(&str, u8)> {
    let (before, rest) = detail.split_once("\\x")?;
    let hex = rest.get(..2)?;
    Some((before, u8::from_str_radix(hex, 16).ok()?))
}

fn byte_name(b: u8) -> &'static str {
    match b {
        b' ' => " (a space)",
        b'\t' => " (a tab)",
        b'\r' => " (a carriage return)",
        b'\n' => " (a line feed)",
        0 => " (a NUL)",
        b'_' => " (an underscore)",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("invalid-header", All), ("invalid-header", Log)],
        not: [("healthy", All), ("content-length-and-chunked", All), ("remote-backend", All), ("invalid-header", ConfigListeners)],
        snapshot: ("invalid-header", All),
    }

    use crate::input::{InputKind, Inputs};
    use verify::{Capture, alone, only, primary_text};

    #[test]
    fn names_the_byte_and_the_check_on_the_real_capture() {
        let capture = Capture::load("invalid-header");
        let a = alone(&super::INFO, capture.inputs(Subset::All));
        let f = only(&a);
        assert_eq!(f.status, Some(502));
        assert_eq!(primary_text(&a, f), (InputKind::Config, "127.0.0.1:19221".into()));
        assert!(f.fix.as_ref().unwrap().commands()[0].command.contains("http://127.0.0.1:19221/"));
        assert!(f.message.contains("\"Bad\" is followed by byte 0x20 (a space)"), "{}", f.message);
    }

    /// Hand-written: a duplicate header nginx only warns about is harmless; a duplicate
    /// Content-Length is an error and a 502.
    #[test]
    fn duplicate_headers_only_when_nginx_rejects_them() {
        let warn = b"2026/11/21 11:39:41 [warn] 1#1: *1 upstream sent duplicate header line: \"X: 1\", previous value: \"X: 2\", ignored while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"\n";
        verify::verify_inputs(&super::INFO, Inputs { log: Some(warn), ..Default::default() }, false);
        let error = b"2026/11/21 11:39:41 [error] 1#1: *1 upstream sent duplicate header line: \"Content-Length: 1\", previous value: \"Content-Length: 2\" while reading response header from upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"\n";
        let a = alone(&super::INFO, Inputs { log: Some(error), ..Default::default() });
        assert_eq!(only(&a).status, Some(502));
    }
}
