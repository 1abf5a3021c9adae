//! The five checks every 502 guide gives, answered from the user's own evidence (the
//! core's walkthrough): each step answered by the lines that prove it (click one to
//! select it in its box), or open with the command whose output would answer it.

use std::rc::Rc;

use badgateway_core::InputKind;
use badgateway_core::diagnose::walkthrough::{StepKind, StepStatus};
use badgateway_core::view::StepView;
use yew::prelude::*;

use crate::browser;
use crate::editor_spans::EditorSpan;
use crate::finding_card::evidence_item;

/// The box an open step's command output is pasted into.
fn paste_into(step: StepKind) -> &'static str {
    match step {
        StepKind::BackendListening | StepKind::Reachable => "the listeners box",
        StepKind::ErrorLog => "the error-log box",
        StepKind::ConfigPointsThere | StepKind::TestAndReload => "the config box",
    }
}

fn status_word(status: StepStatus) -> &'static str {
    match status {
        StepStatus::Answered => "answered",
        StepStatus::Open => "open",
        StepStatus::NotApplicable => "does not arise",
    }
}

/// `snake_case` name of the step, for tests and styling.
fn step_id(step: StepKind) -> &'static str {
    match step {
        StepKind::BackendListening => "backend_listening",
        StepKind::ErrorLog => "error_log",
        StepKind::Reachable => "reachable",
        StepKind::ConfigPointsThere => "config_points_there",
        StepKind::TestAndReload => "test_and_reload",
    }
}

#[derive(Properties, PartialEq)]
pub struct WalkthroughProps {
    pub steps: Rc<[StepView]>,
    /// Where each step's evidence stands in its editor, step by step.
    pub spans: Rc<[EditorSpan]>,
    pub on_focus: Callback<(InputKind, EditorSpan)>,
    /// Shown open (closed in an embed, where height is precious).
    pub open: bool,
}

#[function_component(WalkthroughPanel)]
pub fn walkthrough_panel(props: &WalkthroughProps) -> Html {
    if props.steps.is_empty() {
        return Html::default();
    }
    let answered = props.steps.iter().filter(|s| s.status != StepStatus::Open).count();
    let mut first_span = 0;
    let steps = props.steps.iter().map(|s| {
        let end = first_span + s.evidence.len();
        let spans = props.spans.get(first_span..end).unwrap_or_default();
        first_span = end;
        let evidence = s
            .evidence
            .iter()
            .enumerate()
            .map(|(i, e)| evidence_item(e, spans.get(i).copied(), &props.on_focus));
        let command = s.command.as_ref().map(|c| {
            let text = c.clone();
            let onclick = Callback::from(move |_: MouseEvent| browser::copy(&text));
            let lead = if s.status == StepStatus::Open {
                format!("Run this and paste its output into {}:", paste_into(s.step))
            } else {
                "Then:".to_string()
            };
            html! {
                <p class="step-command">{lead}{" "}<code>{c}</code>
                    <button type="button" class="copy" {onclick} aria-label={format!("Copy: {c}")}>{"Copy"}</button></p>
            }
        });
        let status = status_word(s.status);
        html! {
            <li class={classes!("step", status.replace(' ', "-"))} data-step={step_id(s.step)} data-status={status}>
                <h4>{s.step.question()}{" "}<span class="step-status">{status}</span></h4>
                <p class="says">{&s.says}</p>
                if !s.evidence.is_empty() { <ul class="evidence-list" aria-label="Answered by">{for evidence}</ul> }
                {command}
            </li>
        }
    });
    html! {
        <details class="walkthrough" data-testid="walkthrough" open={props.open}>
            <summary>{format!("The five checks every 502 guide gives: {answered} of {} answered", props.steps.len())}</summary>
            <ol>{for steps}</ol>
        </details>
    }
}
