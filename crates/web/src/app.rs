//! The page: three inputs on one side, the ranked diagnosis on the other.

use std::rc::Rc;

use badgateway_core::{InputKind, TextRange};
use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::diagnosis_worker::DiagnosisWorker;
use crate::finding_card::FindingCard;
use crate::input_pane::{Highlight, InputPane};
use crate::state::{Action, Playground};

/// Wait this long after the last keystroke before diagnosing.
const DEBOUNCE_MS: u32 = 40;

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
        placeholder: "Paste `sudo ss -tlnp` (and `sudo ss -xlp` for unix sockets), netstat or lsof output",
    },
    PaneSpec {
        kind: InputKind::Log,
        title: "Error log",
        command: "sudo tail -n 200 /var/log/nginx/error.log",
        placeholder: "Paste nginx error-log lines (and backend log lines, if you have them)",
    },
];

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(Playground::default);
    let worker = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| DiagnosisWorker::spawn(move |reply| dispatcher.dispatch(Action::Reply(reply))))
    };

    // After the last keystroke settles, and whenever the worker is free again, send it
    // the newest inputs. Old timers are dropped with their effect: the latest input wins.
    {
        let dispatcher = state.dispatcher();
        let worker = worker.clone();
        let snapshot = (*state).clone();
        use_effect_with((state.generation, state.in_flight), move |_| {
            let timer = snapshot.wants_diagnosis().then(|| {
                Timeout::new(DEBOUNCE_MS, move || {
                    if let Some(worker) = worker.as_ref() {
                        worker.send(
                            snapshot.generation,
                            &snapshot.config,
                            &snapshot.listeners,
                            &snapshot.log,
                        );
                        dispatcher.dispatch(Action::Sent(snapshot.generation));
                    }
                })
            });
            move || drop(timer)
        });
    }

    let on_edit = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(kind, text): (InputKind, String)| dispatcher.dispatch(Action::Edit(kind, text)))
    };
    let on_focus = {
        let dispatcher = state.dispatcher();
        Callback::from(move |(kind, range): (InputKind, TextRange)| {
            dispatcher.dispatch(Action::Focus(kind, range))
        })
    };

    let outcome = state.outcome.clone();
    let highlights = |kind: InputKind| -> Rc<Vec<Highlight>> {
        Rc::new(
            outcome
                .findings
                .iter()
                .flat_map(|f| f.evidence.iter().map(move |e| (f.rank, e)))
                .filter(|(_, e)| e.location.input == kind)
                .map(|(rank, e)| Highlight { line: e.location.input_line, finding: rank, primary: e.primary })
                .collect(),
        )
    };
    let panes = PANES.iter().map(|p| {
        let summary = outcome.summaries.iter().find(|s| s.input == Some(p.kind)).cloned();
        let focus = state.focus.filter(|f| f.0 == p.kind).map(|f| (f.1, f.2));
        html! {
            <InputPane kind={p.kind} title={p.title} command={p.command} placeholder={p.placeholder}
                value={state.text(p.kind).clone()} {summary} highlights={highlights(p.kind)} {focus}
                on_edit={on_edit.clone()} />
        }
    });
    let pending = state.generation != state.diagnosed;
    let anything =
        !(state.config.trim().is_empty() && state.listeners.trim().is_empty() && state.log.trim().is_empty());
    let findings = outcome
        .findings
        .iter()
        .map(|v| html! { <FindingCard view={v.clone()} on_focus={on_focus.clone()} /> });
    let empty = if !anything {
        html! { <p class="empty">{"Paste what you have — any of the three boxes is enough to start. Nothing you paste leaves this page."}</p> }
    } else if outcome.findings.is_empty() && !pending {
        html! { <p class="empty" data-testid="no-findings">{"No cause found in what you pasted. Add the other inputs, or more of the error log."}</p> }
    } else {
        Html::default()
    };

    html! {
        <>
            <header class="top">
                <h1><span class="logo" aria-hidden="true">{"502"}</span>{" badgateway"}</h1>
                <p class="tagline">{"Why nginx says “502 Bad Gateway” — proven from your config, listeners and error log, with the fix. Runs offline in your browser."}</p>
            </header>
            <main class="layout">
                <div class="inputs">{for panes}</div>
                <section class="results" aria-live="polite" aria-busy={pending.to_string()} aria-label="Diagnosis">
                    <h2>{"Diagnosis"}</h2>
                    {empty}
                    <div class="findings" data-testid="findings">{for findings}</div>
                </section>
            </main>
        </>
    }
}
