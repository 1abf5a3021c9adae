use crate::diagnose::Findings;

use crate::finding::{Command, Finding, Label, Severity};
use crate::input::InputKind;
use crate::sniff::{self, Verdict};

use super::super::Facts;

declare_rule! {
    /// ## What it detects
    /// A box that holds what another box reads: error-log lines in the config box, a
    /// config in the log box, a listener table among the logs, or text that is no nginx
    /// config at all (a question typed into the config box).
    ///
    /// ## Why it causes a 502
    /// It does not: it is about the evidence. `nginx -t` stops at its first error, and
    /// on text that is not a config so does badgateway: the box is not read as its own
    /// kind (no "syntax error" on every log line), and this finding says what it holds
    /// and where it belongs (the page offers to move it; the CLI names the flag).
    ///
    /// ## Example
    /// ```text
    /// $ badgateway diagnose --config /var/log/nginx/error.log
    /// ```
    ///
    /// ## Fix
    /// Give each text to its own input: the config (`sudo nginx -T`) to `--config`, the
    /// listener table (`sudo ss -tlnpx`) and the other probes (`systemctl status`,
    /// firewall rules) to `--listeners`, the error log to `--log`.
    ///
    /// ## References
    /// - https://nginx.org/en/docs/switches.html
    /// - https://man7.org/linux/man-pages/man8/ss.8.html
    code: BG602,
    name: "input-in-wrong-box",
    title: "an input holds what another input reads",
}

fn flag(input: InputKind) -> &'static str {
    match input {
        InputKind::Config => "--config",
        InputKind::Listeners => "--listeners",
        InputKind::Log => "--log",
    }
}

fn collect(input: InputKind) -> &'static str {
    match input {
        InputKind::Config => "sudo nginx -T",
        InputKind::Listeners => "sudo ss -tlnpx",
        InputKind::Log => "sudo tail -n 200 /var/log/nginx/error.log",
    }
}

pub fn check(facts: &Facts<'_>, out: &mut Findings) {
    for input in InputKind::ALL {
        // An input that was read passed the sniff already: only an unread one is sniffed again.
        if !facts.unread(input) {
            continue;
        }
        let Verdict::Elsewhere { holds, lines, matching, first } =
            sniff::sniff(facts.inputs.text(input), input)
        else {
            continue;
        };
        let own = input.as_str();
        let (title, message, severity) = match holds.input() {
            Some(belongs) => (
                format!("the {own} input holds {}", holds.describe()),
                format!(
                    "Of the {lines} lines looked at, {matching} are {} and none is what the {own} input reads, so \
                     it was not read as {own}. Give it to the {} input (CLI: `{}`; the page offers to move it).",
                    holds.describe(),
                    belongs.as_str(),
                    flag(belongs)
                ),
                Severity::Warning,
            ),
            None => (
                format!("the {own} input holds no nginx config"),
                format!(
                    "None of its {lines} lines is a directive, a block or `nginx -T` output, so it was not read as a \
                     config (nginx -t would stop at its first line)."
                ),
                Severity::Warning,
            ),
        };
        let mut finding = Finding::new(INFO.code, severity, title)
            .message(message)
            .confidence(90)
            .label(Label::primary(input, first, "the first line of it"));
        if holds.input().is_none() {
            finding = finding
                .next_step(Command::new(format!("collect what the {own} input reads"), collect(input)));
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::super::verify::{Capture, Subset::*, snapshot_inputs, verify_inputs, verify_not};
    use super::INFO;
    use crate::input::Inputs;

    /// Real captures, each in another input's box.
    #[test]
    fn fires_on_a_capture_in_the_wrong_box() {
        let log = Capture::file("wrong-port", "error.log");
        let config = Capture::file("wrong-port", "nginx-T.txt");
        let table = Capture::file("wrong-port", "ss-tlnp.txt");
        verify_inputs(&INFO, Inputs { config: Some(&log), ..Default::default() }, true);
        verify_inputs(&INFO, Inputs { log: Some(&config), ..Default::default() }, true);
        verify_inputs(&INFO, Inputs { log: Some(&table), ..Default::default() }, true);
    }

    #[test]
    fn silent_on_captures_in_their_own_boxes() {
        verify_not(
            &INFO,
            &[("healthy", All), ("wrong-port", All), ("unix-socket-permission", All), ("proxy-loop", Log)],
        );
    }

    #[test]
    fn renders_its_findings() {
        let log = Capture::file("wrong-port", "error.log");
        snapshot_inputs(&INFO, "log-as-config", Inputs { config: Some(&log), ..Default::default() });
    }
}
