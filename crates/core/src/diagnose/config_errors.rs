//! Turns the config parser's `nginx -t`-style diagnostics into findings. Each BG1xx
//! rule file supplies its wording; the mapping (labels, fix, commands) lives here once.

use crate::diagnose::Findings;
use badgateway_config::DiagnosticCode;

use crate::finding::{Applicability, Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;

use super::Facts;

pub struct Wording {
    pub code: crate::code::Code,
    /// Why this kind of mistake matters, in plain words.
    pub explanation: &'static str,
    pub severity: Severity,
    pub applicability: Applicability,
}

pub fn report(facts: &Facts<'_>, kinds: &[DiagnosticCode], wording: &Wording, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    for d in config.diagnostics().iter().filter(|d| kinds.contains(&d.code)) {
        let position = config.locate(d.reported_range().start);
        let place = if position.path.is_empty() {
            format!("line {}", position.line)
        } else {
            format!("{}:{}", position.path, position.line)
        };
        let mut finding = Finding::new(wording.code, wording.severity, d.message.clone())
            .message(wording.explanation)
            .confidence(if wording.severity == Severity::Error { 95 } else { 100 })
            .label(Label::primary(InputKind::Config, d.range, label_for(d.code)));
        if let Some(reported) = d.nginx_range.filter(|r| r.start != d.range.start) {
            finding = finding.label(Label::secondary(
                InputKind::Config,
                reported,
                format!("nginx -t names {place}"),
            ));
        }
        if wording.severity == Severity::Error {
            finding = finding.note(format!(
                "`nginx -t` fails with: nginx: [emerg] {} in {place}. A reload keeps the old config running; a \
                 restart leaves nginx stopped.",
                d.message
            ));
        }
        if let Some(s) = &d.suggestion {
            // The parser's suggestion is a name for misspellings, a phrase for syntax.
            finding = finding.note(match d.code {
                DiagnosticCode::Directive | DiagnosticCode::HostNotFound => format!("Did you mean `{s}`?"),
                _ => format!("Probably: {s}."),
            });
        }
        if let Some((range, text)) = &d.edit {
            finding = finding.fix(
                Fix::new(
                    wording.applicability,
                    match &d.suggestion {
                        Some(s) => format!("use `{s}`"),
                        None => "correct the config as nginx expects".into(),
                    },
                    vec![Edit { range: *range, replacement: text.clone() }],
                )
                .with_commands(vec![Command::new(
                    "check the config, then apply it",
                    "sudo nginx -t && sudo systemctl reload nginx",
                )]),
            );
        } else if wording.severity == Severity::Error {
            finding = finding.next_step(Command::new(
                "see every error nginx reports, with its file and line",
                "sudo nginx -t",
            ));
        }
        out.push(finding);
    }
}

fn label_for(code: DiagnosticCode) -> &'static str {
    match code {
        DiagnosticCode::Syntax => "nginx cannot read this",
        DiagnosticCode::PassScheme => "no http:// (or other scheme) here",
        DiagnosticCode::HostNotFound => "not an upstream name nor an address",
        DiagnosticCode::Directive => "nginx rejects this directive",
        DiagnosticCode::IncludeNotPasted => "this file was not pasted",
        DiagnosticCode::IncludeCycle => "includes itself",
    }
}
