//! One ranked finding: what, why, the evidence quoted from the inputs, and the fix.

use std::rc::Rc;

use badgateway_core::InputKind;
use badgateway_core::finding::Severity;
use badgateway_core::patch;
use badgateway_core::view::{DiffTag, EvidenceView, FindingView, FixView};
use yew::prelude::*;

use crate::copy_button::CopyButton;
use crate::editor_spans::EditorSpan;
use crate::inline_code::inline_code;

#[derive(Properties, PartialEq)]
pub struct FindingCardProps {
    pub view: FindingView,
    /// Where each evidence item stands in its editor (same order as `view.evidence`).
    pub spans: Rc<[EditorSpan]>,
    pub on_focus: Callback<(InputKind, EditorSpan)>,
}

fn split_at_highlight(text: &str, highlight: (u32, u32)) -> (&str, &str, &str) {
    let std::ops::Range { start: s, end: e } = badgateway_text::char_range(text, highlight);
    (text.get(..s).unwrap_or(""), text.get(s..e).unwrap_or(""), text.get(e..).unwrap_or(""))
}

pub fn evidence_item(
    e: &EvidenceView,
    span: Option<EditorSpan>,
    on_focus: &Callback<(InputKind, EditorSpan)>,
) -> Html {
    let (before, hit, after) = split_at_highlight(&e.text, e.highlight);
    let place = match &e.location.file {
        Some(file) if !file.is_empty() => {
            format!("{} {}:{}", e.location.input.as_str(), file, e.location.line)
        }
        _ => format!("{}:{}", e.location.input.as_str(), e.location.line),
    };
    let onclick = {
        let on_focus = on_focus.clone();
        let input = e.location.input;
        Callback::from(move |_: MouseEvent| {
            if let Some(span) = span {
                on_focus.emit((input, span));
            }
        })
    };
    html! {
        <li class={classes!("evidence", e.primary.then_some("primary"))}>
            <button type="button" class="jump" {onclick} title="Show this line in its box">{place}</button>
            <code class="quote">{before}<mark>{hit}</mark>{after}</code>
            <span class="label">{&e.label}</span>
        </li>
    }
}

fn diff_line(tag: &DiffTag, line: Option<u32>, text: &str) -> Html {
    let class = match tag {
        DiffTag::Context => "ctx",
        DiffTag::Removed => "del",
        DiffTag::Added => "add",
    };
    // The indentation apart, so a long line wraps under its own start, not the margin.
    let code = text.trim_start();
    let indent = text.get(..text.len() - code.len()).unwrap_or_default();
    html! {
        <span class={classes!("line", class)}>
            <span class="ln">{line.map(|n| n.to_string()).unwrap_or_default()}</span>
            <span class="mark">{tag.mark()}</span>
            <span class="text"><span class="indent">{indent}</span><span class="src">{code}</span></span>
        </span>
    }
}

/// The fix's patch as the card shows it: per file, each hunk with the file's line numbers,
/// only the lines that change marked and a few lines of context (the same patch "Copy
/// diff" copies). Without a patch (edits that overlap), the fix's own line diff.
fn fix_diff(fix: &FixView) -> Html {
    let shown = patch::shown(&fix.patch);
    if shown.is_empty() {
        return fix
            .diff
            .iter()
            .map(|f| {
                let lines = f.lines.iter().map(|l| diff_line(&l.tag, l.old_line, &l.text));
                html! {
                    <figure class="diff">
                        <figcaption>{f.file.clone().unwrap_or_else(|| "config".into())}</figcaption>
                        <pre>{for lines}</pre>
                    </figure>
                }
            })
            .collect();
    }
    shown
        .iter()
        .map(|file| {
            // The patch names files relative to `/`; the cards name them as nginx -T does.
            let name = fix
                .diff
                .iter()
                .filter_map(|d| d.file.as_deref())
                .find(|f| f.trim_start_matches('/') == file.path)
                .map_or_else(|| "config".to_string(), str::to_string);
            // Numbers are the lines of the file as it is: an added line has none yet.
            let hunks = file.hunks.iter().map(|hunk| {
                let lines = hunk
                    .iter()
                    .map(|l| diff_line(&l.tag, (l.tag != DiffTag::Added).then_some(l.line), &l.text));
                html! { <pre>{for lines}</pre> }
            });
            html! {
                <figure class="diff">
                    <figcaption>{name}</figcaption>
                    {for hunks}
                </figure>
            }
        })
        .collect()
}

#[function_component(FindingCard)]
pub fn finding_card(props: &FindingCardProps) -> Html {
    let v = &props.view;
    let severity = match v.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let status = v
        .status
        .map(|s| html! { <span class="status" title="What the client sees">{format!("HTTP {s}")}</span> });
    let fix = v.fix.as_ref().map(|fix| {
        let diff = fix_diff(fix);
        let copy_fixed = fix.fixed.iter().map(|f| {
            let label = match &f.file {
                Some(file) => format!("Copy fixed {}", file.rsplit('/').next().unwrap_or(file)),
                None => "Copy fixed file".to_string(),
            };
            html! { <CopyButton text={f.text.clone()} {label} testid="copy-fixed" title={f.file.clone()} /> }
        });
        let commands = fix.commands.iter().map(|c| {
            html! {
                <li><code>{&c.command}</code>
                    <CopyButton text={c.command.clone()} label="Copy" aria_label={format!("Copy: {}", c.command)} />
                    <span class="purpose">{inline_code(&c.purpose)}</span></li>
            }
        });
        html! {
            <section class="fix" aria-label="Fix">
                <h4>{"Fix: "}{inline_code(&fix.summary)}</h4>
                {diff}
                if !fix.diff.is_empty() {
                    <div class="fix-actions">
                        <CopyButton text={fix.patch.clone()} label="Copy diff" testid="copy-diff"
                            title="A patch: cd / && sudo patch -p0 < fix.patch (or git apply -p0)" />
                        {for copy_fixed}
                    </div>
                }
                if !fix.commands.is_empty() { <ol class="commands">{for commands}</ol> }
            </section>
        }
    });
    let next = (!v.next_steps.is_empty()).then(|| {
        let items = v
            .next_steps
            .iter()
            .map(|c| html! { <li><code>{&c.command}</code>{" — "}{inline_code(&c.purpose)}</li> });
        html! { <section class="next"><h4>{"To be sure"}</h4><ul>{for items}</ul></section> }
    });
    let evidence = v
        .evidence
        .iter()
        .enumerate()
        .map(|(i, e)| evidence_item(e, props.spans.get(i).copied(), &props.on_focus));
    html! {
        <article class={classes!("finding", severity)} data-code={v.code.clone()} data-rank={v.rank.to_string()}
            id={format!("card-{}", v.rank)} tabindex="-1" aria-labelledby={format!("finding-{}", v.rank)}>
            <header>
                <span class={classes!("sev", severity)}>{severity}</span>
                <a class="code" href={v.docs.clone()}>{&v.code}</a>
                <h3 id={format!("finding-{}", v.rank)}>{&v.title}</h3>
                {status}
                <span class="confidence" title="How strongly the evidence supports this">{format!("{}% sure", v.confidence)}</span>
            </header>
            <p class="message">{inline_code(&v.message)}</p>
            if !v.evidence.is_empty() { <ul class="evidence-list" aria-label="Evidence">{for evidence}</ul> }
            { for v.notes.iter().map(|n| html! { <p class="note">{inline_code(n)}</p> }) }
            {fix}
            {next}
        </article>
    }
}

/// Focuses (and so scrolls to) the card of this rank once it is rendered; the counter
/// makes the same card asked for twice focus twice.
#[hook]
pub fn use_card_focus(card: Option<(usize, u64)>) {
    use_effect_with(card, |card| {
        if let Some((rank, _)) = card {
            crate::browser::focus_by_id(&format!("card-{rank}"));
        }
    });
}
