use crate::diagnose::Findings;
use crate::finding::{Command, Finding, Fix, Severity};
use crate::log::{EventGroup, EventKind};

use super::super::Facts;
use super::super::response::{address_text, incidents, locate, place_text};

declare_rule! {
    /// ## What it detects
    /// Error-log lines that look alarming next to a 502 but are not its cause:
    /// `FastCGI sent in stderr: "Primary script unknown"` (php-fpm did not find the
    /// script: the client got **404**), and `client prematurely closed connection` (the
    /// client gave up first: **499**, logged at `[info]`).
    ///
    /// ## Why it causes a 404, not a 502
    /// php-fpm answers `Primary script unknown` with its own `404 File not found.`, and
    /// nginx relays it. A 499 is the client's own disconnect: nginx closes the upstream
    /// connection too, and nothing reaches the client. Neither makes nginx answer 502;
    /// look at the other lines for the 502's cause.
    ///
    /// ## Example
    /// ```text
    /// [error] FastCGI sent in stderr: "Primary script unknown" while reading response header from upstream, ... upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:"
    /// ```
    ///
    /// ## Fix
    /// For `Primary script unknown`: make `SCRIPT_FILENAME` point at the file
    /// (`fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;` with the
    /// right `root`), and check that php-fpm's user can read it. For 499s: nothing, unless
    /// clients give up because the backend is slow (then see the timeouts).
    ///
    /// ## References
    /// - https://nginx.org/en/docs/http/ngx_http_fastcgi_module.html#fastcgi_param
    /// - https://www.php.net/manual/en/install.fpm.php
    code: BG307,
    name: "log-line-is-not-a-502",
    title: "this log line is not a 502 (404 or 499)",
}

fn kind_of(g: &EventGroup) -> Option<bool> {
    match g.event.kind {
        EventKind::FastcgiStderr { primary_script_unknown: true } => Some(true),
        EventKind::ClientClosed => Some(false),
        _ => None,
    }
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for incident in incidents(facts, |g| kind_of(g).is_some()) {
        let Some(script_unknown) = kind_of(incident.group) else { continue };
        let target = address_text(facts, &incident);
        let place = place_text(facts, &incident);
        let finding = if script_unknown {
            let f = Finding::new(INFO.code, Severity::Info, "\"Primary script unknown\" is a 404, not a 502")
                .message(format!(
                    "{place} asked php-fpm at {target} for a script it could not find (\"Primary script \
                     unknown\"). php-fpm answered 404 File not found, and nginx relayed it: this line is not a 502. \
                     SCRIPT_FILENAME points at a file that does not exist or that php-fpm cannot read."
                ))
                .confidence(90)
                .status(404);
            locate(f, facts, &incident, "php-fpm did not find the script: 404").fix(Fix::display_only("point SCRIPT_FILENAME at the script: fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;").with_commands(vec![Command::new(
                    "check which file php-fpm was asked for and that its user can read it",
                    "sudo nginx -T | grep -n -E 'root|SCRIPT_FILENAME'",
                )]))
        } else {
            let f = Finding::new(INFO.code, Severity::Info, "the client closed the connection first: 499, not 502")
                .message(format!(
                    "{place} was waiting for {target} when the client disconnected, so nginx closed the upstream \
                     connection too and logged 499. This line is not a 502; if clients give up because the backend \
                     is slow, the timeouts are the problem."
                ))
                .confidence(90)
                .status(499);
            locate(f, facts, &incident, "the client gave up: 499")
        };
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    super::super::verify::rule_tests! {
        fire: [("php-primary-script-unknown", All), ("php-primary-script-unknown", Log)],
        not: [("healthy", All), ("php-primary-script-unknown", ConfigListeners)],
        snapshot: ("php-primary-script-unknown", All),
    }

    #[test]
    fn says_404_not_502_as_a_note() {
        let capture = verify::Capture::load("php-primary-script-unknown");
        let a = verify::alone(&super::INFO, capture.inputs(Subset::All));
        let f = verify::only(&a);
        assert_eq!(f.severity, crate::finding::Severity::Info);
        assert_eq!(f.status, Some(404));
        assert!(f.message.contains("not a 502"));
    }
}
