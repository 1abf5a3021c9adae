//! Learn mode (`#/learn`, `#/learn/<exercise>`): an ordered path of exercises made from the
//! gallery's real cases. The symptom comes first and the answer stays hidden; the learner
//! picks what to look at next (a hint when it is not the best next look), then reveals the
//! diagnosis and follows its reasoning line by line, the fix and how to verify it.
//! The path's texts (cases/learn.json) are fetched when learn mode opens, not built into
//! the wasm; progress is kept in this browser's local storage.

use std::rc::Rc;

use badgateway_core::InputKind;
use badgateway_core::diagnose::walkthrough::StepStatus;
use badgateway_core::view::{EvidenceView, FindingView};
use yew::prelude::*;

use crate::embed::EmbedThis;
use crate::fetch;
use crate::gallery::{Case, load_case};
use crate::route::Route;
use crate::state::Outcome;

const PROGRESS_KEY: &str = "badgateway.learn.v1";

#[derive(Clone, Debug, PartialEq)]
struct Look {
    look: String,
    why: String,
    hint: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Exercise {
    id: String,
    chapter: String,
    case: String,
    story: String,
    steps: Vec<Look>,
    verify: String,
    statuses: Vec<u16>,
}

#[derive(Clone, Debug, PartialEq)]
struct Primer {
    status: u16,
    title: String,
    text: String,
    lines: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct Path {
    /// (key, what the learner would do), in the order offered.
    choices: Vec<(String, String)>,
    restart_hint: String,
    exercises: Vec<Exercise>,
    primer: Vec<Primer>,
}

fn strings(value: &wasm_bindgen::JsValue, key: &str) -> Vec<String> {
    fetch::items(value, key).iter().filter_map(|v| v.as_string()).collect()
}

async fn load_path() -> Option<Path> {
    let file = fetch::json("./cases/learn.json").await?;
    let choices = fetch::field(&file, "choices");
    let choices = ["log", "listeners", "config", "restart"]
        .iter()
        .map(|k| (k.to_string(), fetch::string(&choices, k)))
        .collect();
    let number = |v: &wasm_bindgen::JsValue, key: &str| fetch::field(v, key).as_f64().unwrap_or(0.0) as u16;
    Some(Path {
        choices,
        restart_hint: fetch::string(&file, "restart_hint"),
        exercises: fetch::items(&file, "exercises")
            .iter()
            .map(|e| Exercise {
                id: fetch::string(e, "id"),
                chapter: fetch::string(e, "chapter"),
                case: fetch::string(e, "case"),
                story: fetch::string(e, "story"),
                steps: fetch::items(e, "steps")
                    .iter()
                    .map(|s| Look {
                        look: fetch::string(s, "look"),
                        why: fetch::string(s, "why"),
                        hint: fetch::string(s, "hint"),
                    })
                    .collect(),
                verify: fetch::string(e, "verify"),
                statuses: fetch::items(e, "statuses")
                    .iter()
                    .filter_map(|v| v.as_f64())
                    .map(|v| v as u16)
                    .collect(),
            })
            .collect(),
        primer: fetch::items(&file, "primer")
            .iter()
            .map(|p| Primer {
                status: number(p, "status"),
                title: fetch::string(p, "title"),
                text: fetch::string(p, "text"),
                lines: strings(p, "lines"),
            })
            .collect(),
    })
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The exercises done, by id.
fn progress() -> Vec<String> {
    let stored = local_storage().and_then(|s| s.get_item(PROGRESS_KEY).ok()?).unwrap_or_default();
    stored.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect()
}

fn save_progress(done: &[String]) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(PROGRESS_KEY, &done.join(","));
    }
}

fn input_of(look: &str) -> Option<InputKind> {
    match look {
        "config" => Some(InputKind::Config),
        "listeners" => Some(InputKind::Listeners),
        "log" => Some(InputKind::Log),
        _ => None,
    }
}

fn place(e: &EvidenceView) -> String {
    match &e.location.file {
        Some(file) if !file.is_empty() => {
            format!("{} {}:{}", e.location.input.as_str(), file, e.location.line)
        }
        _ => format!("{} line {}", e.location.input.as_str(), e.location.input_line),
    }
}

/// The whole line the evidence stands on, from the case's own text (the cards' excerpt
/// cuts long lines, and a learner needs all of it: the address is often at the end).
fn quote(e: &EvidenceView, case: Option<&Case>) -> Html {
    let text = case.map(|c| match e.location.input {
        InputKind::Config => c.config.as_str(),
        InputKind::Listeners => c.listeners.as_str(),
        InputKind::Log => c.log.as_str(),
    });
    let (start, end) = (e.location.range.start as usize, e.location.range.end as usize);
    if let Some(text) = text
        && let Some(line_start) = text.get(..start).map(|b| b.rfind('\n').map_or(0, |i| i + 1))
        && let Some(line_end) = text.get(end..).map(|a| end + a.find('\n').unwrap_or(a.len()))
        && let (Some(a), Some(b), Some(c)) =
            (text.get(line_start..start), text.get(start..end), text.get(end..line_end))
    {
        let (a, c) = (a.trim_start(), c.trim_end());
        return html! { <code class="quote">{a}<mark>{b}</mark>{c}</code> };
    }
    let (s, t) = (e.highlight.0 as usize, e.highlight.1 as usize);
    match (e.text.get(..s), e.text.get(s..t), e.text.get(t..)) {
        (Some(a), Some(b), Some(c)) => html! { <code class="quote">{a}<mark>{b}</mark>{c}</code> },
        _ => html! { <code class="quote">{&e.text}</code> },
    }
}

/// The lines of one input the diagnosis rests on: the top finding's evidence there, else
/// the walkthrough's. Quoted without their labels, which would tell the answer.
fn lines_in(outcome: &Outcome, input: InputKind) -> Vec<EvidenceView> {
    let from_finding: Vec<EvidenceView> = outcome
        .findings
        .first()
        .map(|f| f.evidence.iter().filter(|e| e.location.input == input).cloned().collect())
        .unwrap_or_default();
    if !from_finding.is_empty() {
        return from_finding;
    }
    let mut out: Vec<EvidenceView> = Vec::new();
    for e in outcome.walkthrough.iter().flat_map(|s| &s.evidence).filter(|e| e.location.input == input) {
        if !out.iter().any(|o| o.location.range == e.location.range) {
            out.push(e.clone());
        }
    }
    out.truncate(3);
    out
}

fn reasoning(top: &FindingView, outcome: &Outcome, case: Option<&Case>) -> Html {
    let lines = top.evidence.iter().map(|e| {
        html! {
            <li class="reason">
                <span class="place">{place(e)}</span>
                {quote(e, case)}
                <span class="proves">{"proves: "}{&e.label}</span>
            </li>
        }
    });
    let checks = outcome.walkthrough.iter().filter(|s| s.status == StepStatus::Answered).map(|s| {
        html! { <li class="check"><strong>{s.step.question()}</strong>{" "}{&s.says}</li> }
    });
    html! {
        <>
            <h3>{"The reasoning, line by line"}</h3>
            <ol class="reasoning" data-testid="reasoning">{for lines}</ol>
            <h3>{"The five checks, answered"}</h3>
            <ul class="checks">{for checks}</ul>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub struct LearnProps {
    pub exercise: Option<String>,
    pub outcome: Rc<Outcome>,
    /// The outcome is the diagnosis of the case last loaded (not an older one).
    pub ready: bool,
    pub on_load: Callback<Case>,
}

#[function_component(LearnPage)]
pub fn learn_page(props: &LearnProps) -> Html {
    let path = use_state(|| None::<Rc<Path>>);
    let done = use_state(progress);
    // Per exercise: how many looks are answered, the hint for a wrong pick, revealed.
    let at = use_state(|| 0usize);
    let hint = use_state(|| None::<String>);
    let revealed = use_state(|| false);
    // The exercise's case, whose texts the quoted lines come from.
    let case = use_state(|| None::<Rc<Case>>);
    {
        let path = path.clone();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                if let Some(p) = load_path().await {
                    path.set(Some(Rc::new(p)));
                }
            });
        });
    }
    let exercise = (*path).as_ref().and_then(|p| {
        let id = props.exercise.as_ref()?;
        p.exercises.iter().enumerate().find(|(_, e)| &e.id == id).map(|(i, e)| (i, e.clone()))
    });
    {
        let (at, hint, revealed) = (at.clone(), hint.clone(), revealed.clone());
        let loaded = case.clone();
        let on_load = props.on_load.clone();
        let case = exercise.as_ref().map(|(_, e)| e.case.clone());
        use_effect_with(case, move |case| {
            at.set(0);
            hint.set(None);
            revealed.set(false);
            if let Some(name) = case.clone() {
                yew::platform::spawn_local(async move {
                    if let Some(case) = load_case(&name).await {
                        loaded.set(Some(Rc::new(case.clone())));
                        on_load.emit(case);
                    }
                });
            }
        });
    }
    let Some(p) = (*path).clone() else {
        return html! { <section class="learn"><p>{"Loading the lessons…"}</p></section> };
    };
    let crumbs = html! {
        <nav class="crumbs"><a href="#/">{"← Playground"}</a>{" · "}<a href="#/learn">{"Learn path"}</a></nav>
    };
    let Some((index, ex)) = exercise else {
        return overview(&p, &done, props.exercise.as_deref(), crumbs);
    };
    let outcome = &props.outcome;
    let ready = props.ready;
    let case = (*case).clone();
    let case = case.as_deref();
    let choice_text =
        |key: &str| p.choices.iter().find(|(k, _)| k == key).map(|(_, t)| t.clone()).unwrap_or_default();
    let looked = ex.steps.iter().take(*at).map(|s| {
        let lines = input_of(&s.look).map(|i| lines_in(outcome, i)).unwrap_or_default();
        let lines = lines.iter().map(|e| html! { <li><span class="place">{place(e)}</span>{quote(e, case)}</li> });
        html! {
            <li class="looked" data-look={s.look.clone()}>
                <p class="did">{"✓ "}{choice_text(&s.look)}</p>
                if ready { <ul class="lines">{for lines}</ul> } else { <p class="note">{"Reading the evidence…"}</p> }
                <p class="why">{&s.why}</p>
            </li>
        }
    });
    let question = ex.steps.get(*at).map(|step| {
        let buttons = p.choices.iter().map(|(key, text)| {
            let right = *key == step.look;
            let said = if key == "restart" { p.restart_hint.clone() } else { step.hint.clone() };
            let (at, hint) = (at.clone(), hint.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                if right {
                    at.set(*at + 1);
                    hint.set(None);
                } else {
                    hint.set(Some(said.clone()));
                }
            });
            html! { <li><button type="button" class="choice" data-choice={key.clone()} {onclick}>{text}</button></li> }
        });
        html! {
            <section class="question" data-testid="learn-question">
                <h3>{if *at == 0 { "What do you look at first?" } else { "What do you look at next?" }}</h3>
                <ul class="choices">{for buttons}</ul>
                if let Some(h) = (*hint).clone() { <p class="learn-hint" role="alert" data-testid="learn-hint">{"Not yet: "}{h}</p> }
            </section>
        }
    });
    let reveal_button = (*at >= ex.steps.len() && !*revealed).then(|| {
        let revealed = revealed.clone();
        let done = done.clone();
        let id = ex.id.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            revealed.set(true);
            let mut list = (*done).clone();
            if !list.contains(&id) {
                list.push(id.clone());
                save_progress(&list);
                done.set(list);
            }
        });
        html! { <button type="button" class="reveal" data-testid="reveal" {onclick}>{"Reveal the diagnosis"}</button> }
    });
    // For a teacher who shows the answer straight away: every look and the diagnosis at
    // once. Not counted as done: the learner did not work it out.
    let skip = (!*revealed).then(|| {
        let (at, revealed) = (at.clone(), revealed.clone());
        let looks = ex.steps.len();
        let onclick = Callback::from(move |_: MouseEvent| {
            at.set(looks);
            revealed.set(true);
        });
        html! {
            <p class="learn-skip">
                <button type="button" class="skip" data-testid="skip-to-answer" {onclick}>{"Skip to the answer"}</button>
                {" — shows every look and the diagnosis now (not counted as done)"}
            </p>
        }
    });
    let answer = (*revealed).then(|| match outcome.findings.first().filter(|_| ready) {
        Some(top) => {
            let fix = top.fix.as_ref().map(|f| {
                let diff: String = f.diff.iter().map(|d| d.unified()).collect();
                let commands = f.commands.iter().map(|c| html! { <li><code>{&c.command}</code>{" — "}{&c.purpose}</li> });
                html! {
                    <>
                        <h3>{"The fix"}</h3>
                        <p>{&f.summary}</p>
                        if !diff.is_empty() { <pre class="learn-diff">{diff}</pre> }
                        <h3>{"How to verify it"}</h3>
                        <p data-testid="verify">{&ex.verify}</p>
                        <ol class="commands">{for commands}</ol>
                    </>
                }
            });
            html! {
                <section class="learn-answer" data-testid="learn-diagnosis">
                    <h3>{"The diagnosis"}</h3>
                    <p class="verdict"><a class="code" href={top.docs.clone()}>{&top.code}</a>{" "}<strong>{&top.title}</strong></p>
                    <p>{&top.message}</p>
                    {reasoning(top, outcome, case)}
                    {fix.unwrap_or_else(|| html! { <><h3>{"How to verify it"}</h3><p data-testid="verify">{&ex.verify}</p></> })}
                    <p><a href={format!("#/case/{}", ex.case)}>{"Open this case in the playground"}</a></p>
                </section>
            }
        }
        None => html! { <p class="note">{"Diagnosing…"}</p> },
    });
    let next = p.exercises.get(index + 1).map(|n| {
        html! { <a class="next-exercise" href={format!("#/learn/{}", n.id)}>{format!("Next: {} →", n.chapter)}</a> }
    });
    let status = ex.statuses.iter().map(|s| format!("HTTP {s}")).collect::<Vec<_>>().join(", ");
    html! {
        <section class="learn" data-testid="learn-exercise" data-exercise={ex.id.clone()}>
            {crumbs}
            <p class="learn-count">{format!("Exercise {} of {} · {}", index + 1, p.exercises.len(), ex.chapter)}</p>
            <section class="learn-symptom" data-testid="learn-symptom">
                <h2>{"What the user saw"}{if status.is_empty() { String::new() } else { format!(": {status}") }}</h2>
                <p>{&ex.story}</p>
            </section>
            <ol class="looks">{for looked}</ol>
            {question}
            {reveal_button}
            {skip}
            {answer}
            <div class="learn-foot">{next}<EmbedThis route={Route::Learn(Some(ex.id.clone()))} /></div>
        </section>
    }
}

fn overview(p: &Path, done: &UseStateHandle<Vec<String>>, asked: Option<&str>, crumbs: Html) -> Html {
    let items = p.exercises.iter().map(|e| {
        let is_done = done.contains(&e.id);
        html! {
            <li data-done={is_done.to_string()}>
                <a href={format!("#/learn/{}", e.id)}>{&e.chapter}</a>
                if is_done { <span class="done">{" ✓ done"}</span> }
            </li>
        }
    });
    let primer = p.primer.iter().map(|entry| {
        let lines = entry.lines.iter().map(|l| html! { <code class="quote">{l}</code> });
        html! {
            <li data-status={entry.status.to_string()}>
                <h4>{&entry.title}</h4>
                <p>{&entry.text}</p>
                {for lines}
            </li>
        }
    });
    let reset = {
        let done = done.clone();
        Callback::from(move |_: MouseEvent| {
            save_progress(&[]);
            done.set(Vec::new());
        })
    };
    let missing =
        asked.map(|id| html! { <p class="notice">{format!("There is no exercise called “{id}”.")}</p> });
    html! {
        <section class="learn" data-testid="learn-path">
            {crumbs}
            {for missing}
            <h2>{"Learn to read a 502"}</h2>
            <p>{"Each exercise is a real broken setup captured from nginx. You see what the user saw; you choose where to look; then the diagnosis is revealed with the lines that prove it, the fix and how to check it. About 30 minutes for the whole path."}</p>
            <p class="learn-progress" data-testid="learn-progress">{format!("{} of {} done", p.exercises.iter().filter(|e| done.contains(&e.id)).count(), p.exercises.len())}
                {" "}<button type="button" onclick={reset}>{"Start over"}</button></p>
            <h3>{"First: 502, 504, 500 or 499? Read from real lines"}</h3>
            <ul class="primer" data-testid="primer">{for primer}</ul>
            <h3>{"Then the path, one real case each"}</h3>
            <ol class="path">{for items}</ol>
        </section>
    }
}
