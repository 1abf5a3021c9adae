//! The page: three inputs on one side, the ranked diagnosis on the other.

use std::rc::Rc;

use badgateway_core::InputKind;
use badgateway_core::finding::Severity;
use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::case_story::CaseBanner;
use crate::diagnosis_worker::DiagnosisWorker;
use crate::editor::{BoxMarks, EditorMark};
use crate::editor_spans::EditorSpan;
use crate::embed::EmbedThis;
use crate::empty_state::empty_state;
use crate::finding_card::FindingCard;
use crate::forget_button::ForgetButton;
use crate::gallery::{Case, Gallery, Story, load_case};
use crate::input_pane::InputPane;
use crate::learn::LearnPage;
use crate::live_region::{LiveRegion, diagnosis_summary};
use crate::report_button::ReportButton;
use crate::route::{self, Route};
use crate::rule_page::RulePage;
use crate::share_codec;
use crate::share_panel::SharePanel;
use crate::state::{Action, Playground};
use crate::walkthrough_panel::WalkthroughPanel;
use crate::{browser, storage};

/// Wait this long after the last keystroke before diagnosing.
const DEBOUNCE_MS: u32 = 40;
/// Finding cards rendered before "Show all".
const FIRST_CARDS: usize = 30;

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

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(Playground::default);
    let route = use_state(|| Route::parse(&route::current_hash()));
    let embed = use_memo((), |_| route::embed_requested());
    let notice = use_state(|| None::<String>);
    let story = use_state(|| None::<Rc<Story>>);

    // Follow the fragment: back/forward, gallery links, pasted share links.
    {
        let route = route.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || route.set(Route::parse(&route::current_hash())));
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w
                        .remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
                }
            }
        });
    }
    // Load what the route names: a gallery case, a share link, or the user's draft.
    {
        let dispatcher = state.dispatcher();
        let notice = notice.clone();
        let story = story.clone();
        use_effect_with((*route).clone(), move |route| match route.clone() {
            Route::Case(name) => yew::platform::spawn_local(async move {
                match load_case(&name).await {
                    Some(case) => {
                        notice.set(None);
                        story.set(Some(Rc::new(case.story)));
                        dispatcher.dispatch(Action::Load {
                            config: case.config,
                            listeners: case.listeners,
                            log: case.log,
                            user_edited: false,
                        });
                    }
                    None => notice.set(Some(format!("There is no example called “{name}”."))),
                }
            }),
            Route::Share(fragment) => yew::platform::spawn_local(async move {
                story.set(None);
                match share_codec::decode(&fragment).await {
                    Ok(shared) => {
                        notice.set(shared.redacted.then(|| {
                            "These inputs were redacted before sharing: addresses, names and paths are placeholders."
                                .to_string()
                        }));
                        dispatcher.dispatch(Action::Load {
                            config: shared.config,
                            listeners: shared.listeners,
                            log: shared.log,
                            user_edited: false,
                        });
                    }
                    Err(e) => notice.set(Some(format!("This share link could not be opened: {e}."))),
                }
            }),
            Route::Main => {
                story.set(None);
                if let Some(draft) = storage::load() {
                    dispatcher.dispatch(Action::Load {
                        config: draft.config,
                        listeners: draft.listeners,
                        log: draft.log,
                        user_edited: true,
                    });
                }
            }
            // Learn mode loads its exercise's case itself (it knows which).
            Route::Rules(_) | Route::Learn(_) => {}
        });
    }
    // Keep the user's own typing as a draft.
    let draft_kept = use_state(|| true);
    {
        let snapshot = (*state).clone();
        let draft_kept = draft_kept.clone();
        use_effect_with(state.generation, move |_| {
            if snapshot.user_edited {
                draft_kept.set(storage::save(&snapshot.config, &snapshot.listeners, &snapshot.log));
            }
        });
    }
    let worker = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            DiagnosisWorker::spawn(move |reply, spans| dispatcher.dispatch(Action::Reply(reply, spans)))
        })
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
                            [&snapshot.config, &snapshot.listeners, &snapshot.log],
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
        Callback::from(move |(kind, span): (InputKind, EditorSpan)| {
            dispatcher.dispatch(Action::Focus(kind, span))
        })
    };
    // Cards beyond the first few cost the main thread and rarely add anything: show
    // them on request.
    let show_all = use_state(|| false);
    // A mark clicked in a box: its card is focused (and so scrolled to) once rendered.
    let reveal = use_state(|| None::<(usize, u64)>);
    let on_mark = {
        let reveal = reveal.clone();
        let show_all = show_all.clone();
        Callback::from(move |rank: usize| {
            if rank > FIRST_CARDS {
                show_all.set(true);
            }
            reveal.set(Some((rank, reveal.map_or(0, |r| r.1 + 1))));
        })
    };
    use_effect_with(*reveal, |reveal| {
        if let Some((rank, _)) = reveal {
            browser::focus_by_id(&format!("card-{rank}"));
        }
    });

    let outcome = state.outcome.clone();
    let spans = state.spans.clone();
    // Marks only for a diagnosis of the texts the boxes hold now; until then the boxes keep
    // the marks they have, moved along with the edits.
    let current = state.generation == state.diagnosed;
    let box_marks = |kind: InputKind| -> Option<Rc<BoxMarks>> {
        if !current {
            return None;
        }
        let severity = |s: Severity| match s {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        let marks = outcome
            .findings
            .iter()
            .flat_map(|f| f.evidence.iter().map(move |e| (f, e)))
            .zip(spans.evidence.iter())
            .filter(|((_, e), _)| e.location.input == kind)
            .map(|((f, e), span)| EditorMark {
                span: *span,
                rank: f.rank,
                severity: severity(f.severity),
                primary: e.primary,
                code: f.code.clone(),
                title: f.title.clone(),
                label: e.label.clone(),
                fix: f.fix.as_ref().map(|fix| fix.summary.clone()),
            })
            .collect();
        let unknown_lines = outcome
            .summaries
            .iter()
            .find(|s| s.input == Some(kind))
            .map(|s| s.unrecognized_lines.iter().copied().take(500).collect())
            .unwrap_or_default();
        let files = if kind == InputKind::Config { spans.files.clone() } else { Vec::new() };
        Some(Rc::new(BoxMarks { marks, unknown_lines, files }))
    };
    let panes = PANES.iter().map(|p| {
        let summary = outcome.summaries.iter().find(|s| s.input == Some(p.kind)).cloned();
        let focus = state.focus.filter(|f| f.0 == p.kind).map(|f| (f.1, f.2));
        html! {
            <InputPane key={p.kind.as_str()} kind={p.kind} title={p.title} command={p.command} placeholder={p.placeholder}
                value={state.text(p.kind).clone()} load_id={state.loaded} {summary} marks={box_marks(p.kind)} {focus}
                on_edit={on_edit.clone()} on_mark={on_mark.clone()} />
        }
    });
    let pending = state.generation != state.diagnosed;
    let anything =
        !(state.config.trim().is_empty() && state.listeners.trim().is_empty() && state.log.trim().is_empty());
    let shown = if *show_all { outcome.findings.len() } else { FIRST_CARDS };
    let mut first_span = 0;
    let findings = outcome.findings.iter().take(shown).map(|v| {
        let end = first_span + v.evidence.len();
        let card_spans: Rc<[EditorSpan]> = spans.evidence.get(first_span..end).unwrap_or_default().into();
        first_span = end;
        html! { <FindingCard key={v.rank} view={v.clone()} spans={card_spans} on_focus={on_focus.clone()} /> }
    });
    let steps_first = outcome.findings.iter().map(|f| f.evidence.len()).sum::<usize>();
    let walkthrough = html! {
        <WalkthroughPanel steps={Rc::<[_]>::from(outcome.walkthrough.as_slice())}
            spans={Rc::<[_]>::from(spans.evidence.get(steps_first..).unwrap_or_default())} on_focus={on_focus.clone()} open={!*embed} />
    };
    let more = (outcome.findings.len() > shown).then(|| {
        let show_all = show_all.clone();
        let onclick = Callback::from(move |_: MouseEvent| show_all.set(true));
        html! {
            <button type="button" class="more" {onclick} data-testid="show-all">
                {format!("Show all {} findings", outcome.findings.len())}
            </button>
        }
    });
    let empty = if !anything {
        empty_state()
    } else if outcome.findings.is_empty() && !pending {
        html! { <p class="empty" data-testid="no-findings">{"No cause found in what you pasted. Add the other inputs, or more of the error log."}</p> }
    } else {
        Html::default()
    };

    // "Redact first" (in Share) also applies to "Copy report".
    let redact = use_state(|| true);
    let on_redact = {
        let redact = redact.clone();
        Callback::from(move |on: bool| redact.set(on))
    };
    let inputs = [state.config.clone(), state.listeners.clone(), state.log.clone()];
    let forget = {
        let dispatcher = state.dispatcher();
        Callback::from(move |()| {
            storage::forget();
            route::set_hash("/");
            let empty = String::new;
            dispatcher.dispatch(Action::Load {
                config: empty(),
                listeners: empty(),
                log: empty(),
                user_edited: false,
            });
        })
    };
    let restore = {
        let dispatcher = state.dispatcher();
        Callback::from(move |[config, listeners, log]: [String; 3]| {
            dispatcher.dispatch(Action::Load { config, listeners, log, user_edited: true })
        })
    };
    // In learn mode the diagnosis is the answer: nothing announces it before the reveal.
    let learning = matches!(&*route, Route::Learn(_));
    let summary: AttrValue = if current && anything && outcome.id > 0 && !learning {
        diagnosis_summary(&outcome.findings).into()
    } else {
        AttrValue::default()
    };
    let current_case = match &*route {
        Route::Case(name) => Some(name.clone()),
        _ => None,
    };
    // Always one node, so the boxes after it keep their place (and their DOM) in the list.
    let notice = html! {
        <div class="notice-slot">
            { for (*notice).clone().map(|n| html! { <p class="notice">{n}</p> }) }
            { for (*story).clone().filter(|s| current_case.as_deref() == Some(s.name.as_str())).map(|s| html! { <CaseBanner story={s} /> }) }
        </div>
    };
    let draft_note = (!*draft_kept).then(|| {
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
    let playground = html! {
        <main class="layout">
            <div class="inputs">
                if !*embed { <Gallery current={current_case} /> }
                {notice}
                {for panes}
            </div>
            <section class="results" id="diagnosis" tabindex="-1" aria-busy={pending.to_string()} aria-label="Diagnosis">
                <div class="results-head">
                    <h2>{"Diagnosis"}</h2>
                    <div class="actions">
                        <ReportButton inputs={inputs.clone()} outcome={outcome.clone()} redact={*redact} />
                        if !*embed { <EmbedThis /> }
                        if !*embed {
                            <ForgetButton inputs={inputs.clone()} on_forget={forget} on_restore={restore} />
                        }
                    </div>
                </div>
                if !*embed {
                    <SharePanel config={state.config.clone()} listeners={state.listeners.clone()} log={state.log.clone()}
                        redact={*redact} {on_redact} />
                }
                {draft_note}
                {empty}
                <div class="findings" data-testid="findings">{for findings}</div>
                <div class="more-slot">{for more}</div>
                {walkthrough}
                {timing}
            </section>
        </main>
    };
    let on_learn_load = {
        let dispatcher = state.dispatcher();
        Callback::from(move |case: Case| {
            dispatcher.dispatch(Action::Load {
                config: case.config,
                listeners: case.listeners,
                log: case.log,
                user_edited: false,
            })
        })
    };
    // The fragment is the router's: the skip link focuses the diagnosis instead of navigating.
    let skip_to_diagnosis = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        browser::focus_by_id("diagnosis");
    });
    let body = match &*route {
        Route::Rules(code) => html! { <RulePage code={code.clone()} /> },
        Route::Learn(id) => html! {
            <LearnPage exercise={id.clone()} outcome={outcome.clone()} ready={current && outcome.id > 0}
                on_load={on_learn_load} />
        },
        _ => playground,
    };
    html! {
        <LiveRegion {summary}>
        <div class={classes!("page", embed.then_some("embed"))}>
            <a class="skip-link" href="#diagnosis" onclick={skip_to_diagnosis}>{"Skip to the diagnosis"}</a>
            if !*embed {
                <header class="top">
                    <h1><a href="#/"><span class="logo" aria-hidden="true">{"502"}</span>{" badgateway"}</a></h1>
                    <p class="tagline">{"Why nginx says “502 Bad Gateway” — proven from your config, listeners and error log, with the fix. Runs offline in your browser: nothing you paste leaves this page."}</p>
                    <nav class="top-nav"><a href="#/learn">{"Learn"}</a>{" · "}<a href="#/rules">{"Rule reference"}</a></nav>
                </header>
            }
            {body}
        </div>
    </LiveRegion>
    }
}
