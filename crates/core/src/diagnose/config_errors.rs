//! Turns the config parser's `nginx -t`-style diagnostics into findings. Each BG1xx
//! rule file supplies its wording; the mapping (labels, fix, commands) lives here once.

use crate::diagnose::Findings;
use badgateway_config::DiagnosticCode;

use crate::code::Code;
use crate::finding::{Applicability, Command, Edit, Finding, Fix, Label, Severity};
use crate::input::InputKind;

use super::Facts;

pub struct Wording {
    pub code: Code,
    /// Why this kind of mistake matters, in plain words.
    pub explanation: &'static str,
    pub severity: Severity,
    pub applicability: Applicability,
}

/// The rule each kind of parser diagnostic belongs to: the one place where the parser's typed
/// errors meet product codes.
pub fn code_of(kind: DiagnosticCode) -> Code {
    match kind {
        DiagnosticCode::Syntax | DiagnosticCode::IncludeCycle => Code::BG101,
        DiagnosticCode::PassScheme => Code::BG102,
        DiagnosticCode::HostNotFound => Code::BG103,
        DiagnosticCode::Directive => Code::BG104,
        DiagnosticCode::IncludeNotPasted => Code::BG105,
        DiagnosticCode::ModuleDirective => Code::BG106,
    }
}

/// Reports the parser's diagnostics that belong to `wording.code` (see [`code_of`]).
pub fn report(facts: &Facts<'_>, wording: &Wording, out: &mut Findings) {
    let Some(config) = facts.config else { return };
    for d in config.diagnostics().iter().filter(|d| code_of(d.code) == wording.code) {
        out.push(finding_for(config, d, wording));
    }
}

/// The finding for one diagnostic, worded by its rule.
pub fn finding_for(
    config: &badgateway_config::Config,
    d: &badgateway_config::Diagnostic,
    wording: &Wording,
) -> Finding {
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
        finding =
            finding.label(Label::secondary(InputKind::Config, reported, format!("nginx -t names {place}")));
    }
    if wording.severity == Severity::Error {
        finding = finding.note(format!(
            "`nginx -t` fails with: nginx: [emerg] {} in {place}. A reload keeps the old config running; a \
             restart leaves nginx stopped.",
            d.message
        ));
    }
    if let Some(module) = d.module {
        finding = finding.note(module_note(module));
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
    finding
}

fn label_for(code: DiagnosticCode) -> &'static str {
    match code {
        DiagnosticCode::Syntax => "nginx cannot read this",
        DiagnosticCode::PassScheme => "no http:// (or other scheme) here",
        DiagnosticCode::HostNotFound => "not an upstream name nor an address",
        DiagnosticCode::Directive => "nginx rejects this directive",
        DiagnosticCode::IncludeNotPasted => "this file was not pasted",
        DiagnosticCode::IncludeCycle => "includes itself",
        DiagnosticCode::ModuleDirective => "a directive of a third-party module",
    }
}

/// Which module provides a directive, and what makes a build have it.
fn module_note(m: &badgateway_config::modules::Module) -> String {
    let mut ways = Vec::new();
    if let Some(file) = m.file {
        let needs = m.needs.map(|n| format!("`load_module modules/{n};` and ")).unwrap_or_default();
        ways.push(format!("{needs}`load_module modules/{file};` in the main file, before `events`"));
    }
    if let Some(package) = m.package {
        ways.push(format!("on Debian and Ubuntu, `apt install {package}` (it adds that line under /etc/nginx/modules-enabled/)"));
    }
    if let Some(build) = m.built_into {
        ways.push(format!("a build that includes it ({build})"));
    }
    format!("It comes from {}: nginx needs {}.", m.name, ways.join("; or "))
}
