//! The walkthrough and "what I checked" at the edge: their spans located for JSON, and
//! their text lines.

use badgateway_core::Analysis;
use badgateway_core::diagnose::walkthrough::{Checked, Next, Step, StepKind, StepStatus, TargetFound};
use badgateway_core::input::{InputKind, Span};
use badgateway_core::view::{Location, Locator};
use serde::Serialize;

use crate::inputs::Loaded;

#[derive(Serialize)]
pub struct StepView<'a> {
    step: StepKind,
    status: StepStatus,
    says: &'a str,
    evidence: Vec<Location>,
    command: Option<&'a str>,
}

#[derive(Serialize)]
pub struct CheckedView<'a> {
    targets: Vec<TargetView<'a>>,
    events: Vec<EventView>,
    next: Option<&'a Next>,
}

#[derive(Serialize)]
struct TargetView<'a> {
    address: &'a str,
    named_in: Location,
    found: TargetFound,
    listeners: Vec<Location>,
}

#[derive(Serialize)]
struct EventView {
    kind: &'static str,
    count: usize,
    first: Location,
}

pub fn steps_json<'a>(analysis: &'a Analysis<'_>) -> Vec<StepView<'a>> {
    analysis
        .walkthrough
        .iter()
        .map(|step: &Step| StepView {
            step: step.step,
            status: step.status,
            says: &step.says,
            evidence: step.evidence.iter().map(|s| analysis.locate(*s)).collect(),
            command: step.command.as_deref(),
        })
        .collect()
}

pub fn checked_json<'a>(analysis: &'a Analysis<'_>) -> Option<CheckedView<'a>> {
    let checked = analysis.checked.as_ref()?;
    Some(CheckedView {
        targets: checked
            .targets
            .iter()
            .map(|t| TargetView {
                address: &t.address,
                named_in: analysis.locate(t.named_in),
                found: t.found,
                listeners: t.listeners.iter().map(|s| analysis.locate(*s)).collect(),
            })
            .collect(),
        events: checked
            .events
            .iter()
            .map(|e| EventView { kind: e.kind, count: e.count, first: analysis.locate(e.first) })
            .collect(),
        next: checked.next.as_ref(),
    })
}

/// `config /etc/nginx/nginx.conf:23`, `listeners ss.txt:3`, `log error.log:5`.
fn place(analysis: &Analysis<'_>, loaded: &Loaded, span: Span) -> String {
    let loc = analysis.locate(span);
    let kind = loc.input.as_str();
    if loc.input == InputKind::Config
        && let Some(file) = loc.file.as_ref().filter(|f| !f.is_empty())
    {
        return format!("{kind} {file}:{}", loc.line);
    }
    match loaded.place(loc.input, loc.input_line) {
        (Some(origin), line) => format!("{kind} {}:{line}", origin.label),
        (None, line) => format!("{kind} line {line}"),
    }
}

fn status(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Answered => "answered",
        StepStatus::Open => "open",
        StepStatus::NotApplicable => "not applicable",
    }
}

pub fn steps_text(analysis: &Analysis<'_>, loaded: &Loaded) -> String {
    let mut out = String::from("walkthrough:\n");
    for (n, step) in analysis.walkthrough.iter().enumerate() {
        out.push_str(&format!(
            "  {}. {} [{}]\n     {}\n",
            n + 1,
            step.step.question(),
            status(step.status),
            step.says
        ));
        for span in &step.evidence {
            out.push_str(&format!("     at {}\n", place(analysis, loaded, *span)));
        }
        if let Some(command) = &step.command {
            out.push_str(&format!("     $ {command}\n"));
        }
    }
    out
}

fn found(found: TargetFound) -> &'static str {
    match found {
        TargetFound::ListenerMatched => "a listener matches",
        TargetFound::NoListener => "no listener",
        TargetFound::ListenerOnAnotherAddress => "a listener on another address",
        TargetFound::ListenerOnAnotherPort => "no listener; a backend on another port",
        TargetFound::NotThisHost => "not this host's address",
        TargetFound::SocketPresent => "unix socket present",
        TargetFound::SocketStale => "unix socket file present, nothing listening",
        TargetFound::SocketMissing => "unix socket missing",
        TargetFound::NotChecked => "not checked (no listener table)",
    }
}

pub fn checked_text(checked: &Checked, analysis: &Analysis<'_>, loaded: &Loaded) -> String {
    let mut out = String::from("what I checked:\n");
    if checked.targets.is_empty() {
        out.push_str("  no backend target (none in the config, none in the log's upstream: fields)\n");
    }
    for t in &checked.targets {
        out.push_str(&format!(
            "  target {} ({}): {}\n",
            t.address,
            place(analysis, loaded, t.named_in),
            found(t.found)
        ));
        for l in &t.listeners {
            out.push_str(&format!("    listener at {}\n", place(analysis, loaded, *l)));
        }
    }
    for e in &checked.events {
        out.push_str(&format!(
            "  log: {} x{} (first at {})\n",
            e.kind,
            e.count,
            place(analysis, loaded, e.first)
        ));
    }
    if analysis.log.is_some() && checked.events.is_empty() {
        out.push_str("  log: no upstream error\n");
    }
    if let Some(next) = &checked.next {
        out.push_str(&format!("  next: {}\n    $ {}\n", next.says, next.command));
    }
    out
}
