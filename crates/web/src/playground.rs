//! The playground: three inputs on one side, the ranked diagnosis on the other.

use std::rc::Rc;

use badgateway_core::InputKind;
use yew::prelude::*;

use crate::case_story::CaseBanner;
use crate::editor_spans::EditorSpan;
use crate::embed::EmbedThis;
use crate::empty_state::empty_state;
use crate::finding_card::FindingCard;
use crate::forget_button::ForgetButton;
use crate::gallery::Gallery;
use crate::input_pane::InputPane;
use crate::report_button::ReportButton;
use crate::route;
use crate::share_panel::SharePanel;
use crate::state::{Action, Playground};
use crate::storage::{self, Draft};
use crate::walkthrough_panel::WalkthroughPanel;

struct PaneSpec {
    kind: InputKind,
    title: &'static str,
    command: &'static str,
    placeholder: &'static str,
}

const PANES: [PaneSpec; 3] = [
    PaneSpec {
        kind: InputKind::Config,
        title: "nginx config",
        command: "sudo nginx -T",
        placeholder: "Paste `sudo nginx -T` output, or a site file such as /etc/nginx/sites-enabled/app",
    },
    PaneSpec {
        kind: InputKind::Listeners,
        title: "What the backends listen on",
        command: "sudo ss -tlnpx",
        placeholder: "Paste `sudo ss -tlnp` (and `sudo ss -xlp` for unix sockets), netstat or lsof output; for \
                      backends on other hosts or in containers add `ip -br addr` and `cat /etc/resolv.conf`",
    },
    PaneSpec {
        kind: InputKind::Log,
        title: "Error log",
        command: "sudo tail -n 200 /var/log/nginx/error.log",
        placeholder: "Paste nginx error-log lines (and backend log lines, if you have them)",
    },
];

/// The input column: the gallery, a notice or the loaded case's story, the three boxes.
fn inputs(state: &UseReducerHandle<Playground>) -> Html {
    let on_edit =
        state.dispatcher().to_callback().reform(|(kind, text): (InputKind, String)| Action::Edit(kind, text));
    let on_mark = state.dispatcher().to_callback().reform(Action::ShowCard);
    let title = |kind: InputKind| PANES.iter().find(|p| p.kind == kind).map_or("", |p| p.title);
    let panes = PANES.iter().map(|p| {
        let summary = state.outcome.summaries.iter().find(|s| s.input == Some(p.kind)).cloned();
        let focus = state.focus.filter(|f| f.0 == p.kind).map(|f| (f.1, f.2));
        let move_to = state.move_offer(p.kind).map(|to| AttrValue::from(title(to)));
        let kind = p.kind;
        let on_move = state.dispatcher().to_callback().reform(move |()| Action::Move(kind));
        html! {
            <InputPane key={p.kind.as_str()} kind={p.kind} title={p.title} command={p.command} placeholder={p.placeholder}
                value={state.text(p.kind).clone()} load_id={state.loaded} {summary} marks={state.box_marks(p.kind)} {focus}
                on_edit={on_edit.clone()} on_mark={on_mark.clone()} {move_to} {on_move} />
        }
    });
    let current_case = state.current_case().map(str::to_string);
    let story = state.story.clone().filter(|s| current_case.as_deref() == Some(s.name.as_str()));
    html! {
        <div class="inputs">
            if !state.embed { <Gallery current={current_case} /> }
            // Always one node, so the boxes after it keep their place (and their DOM) in the list.
            <div class="notice-slot">
                { for state.notice.clone().map(|n| html! { <p class="notice">{n}</p> }) }
                { for story.map(|s| html! { <CaseBanner story={s} /> }) }
            </div>
            {for panes}
        </div>
    }
}

/// The diagnosis column: actions, the finding cards, the five checks.
fn results(state: &UseReducerHandle<Playground>) -> Html {
    let outcome = &state.outcome;
    let embed = state.embed;
    let pending = !state.current();
    let on_focus = state
        .dispatcher()
        .to_callback()
        .reform(|(kind, span): (InputKind, EditorSpan)| Action::Focus(kind, span));
    let (card_spans, step_spans) = state.card_spans();
    let findings = outcome.findings.iter().zip(card_spans).take(state.cards_shown()).map(|(v, spans)| {
        html! { <FindingCard key={v.rank} view={v.clone()} {spans} on_focus={on_focus.clone()} /> }
    });
    let walkthrough = html! {
        <WalkthroughPanel steps={Rc::<[_]>::from(outcome.walkthrough.as_slice())}
            spans={step_spans} on_focus={on_focus.clone()} open={!embed} />
    };
    let more = (outcome.findings.len() > state.cards_shown()).then(|| {
        let onclick = state.dispatcher().to_callback().reform(|_: MouseEvent| Action::ShowAll);
        html! {
            <button type="button" class="more" {onclick} data-testid="show-all">
                {format!("Show all {} findings", outcome.findings.len())}
            </button>
        }
    });
    let empty = if !state.anything() {
        empty_state()
    } else if outcome.findings.is_empty() && !pending {
        html! { <p class="empty" data-testid="no-findings">{"No cause found in what you pasted. Add the other inputs, or more of the error log."}</p> }
    } else {
        Html::default()
    };
    let forget = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| {
            storage::forget();
            route::set_hash("/");
            dispatcher.dispatch(Action::Forget);
        })
    };
    let restore = state
        .dispatcher()
        .to_callback()
        .reform(|[config, listeners, log]: [String; 3]| Action::Restore(Draft { config, listeners, log }));
    let on_redact = state.dispatcher().to_callback().reform(Action::Redact);
    let draft_note = (!state.draft_kept).then(|| {
        html! { <p class="note">{"These inputs are too large to keep as a draft in this browser; they are gone on reload."}</p> }
    });
    let timing = (outcome.id > 0).then(|| {
        let us = outcome.elapsed_us;
        html! {
            <details class="timing-details">
                <summary>{"Timing"}</summary>
                <span class="timing" data-testid="timing">{format!("{}.{} ms", us / 1000, (us % 1000) / 100)}</span>
            </details>
        }
    });
    html! {
        <section class="results" id="diagnosis" tabindex="-1" aria-busy={pending.to_string()} aria-label="Diagnosis">
            <div class="results-head">
                <h2>{"Diagnosis"}</h2>
                <div class="actions">
                    <ReportButton inputs={state.inputs()} outcome={outcome.clone()} redact={state.redact} />
                    if !embed { <EmbedThis route={state.route.clone()} /> }
                    if !embed {
                        <ForgetButton inputs={state.inputs()} on_forget={forget} on_restore={restore} />
                    }
                </div>
            </div>
            if !embed {
                <SharePanel config={state.config.clone()} listeners={state.listeners.clone()} log={state.log.clone()}
                    redact={state.redact} {on_redact} />
            }
            {draft_note}
            {empty}
            <div class="findings" data-testid="findings">{for findings}</div>
            <div class="more-slot">{for more}</div>
            {walkthrough}
            {timing}
        </section>
    }
}

pub fn playground(state: &UseReducerHandle<Playground>) -> Html {
    html! {
        <main class="layout">
            {inputs(state)}
            {results(state)}
        </main>
    }
}
