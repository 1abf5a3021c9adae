//! One input box: line numbers, evidence highlights, what it was read as, and the
//! command that produces its content on the server.

use std::rc::Rc;

use badgateway_core::{InputKind, InputSummary, TextRange};
use yew::prelude::*;

use gloo_timers::callback::Timeout;

use crate::browser;

/// Texts compared by identity: a new `Rc` is made only when the text changes, and
/// comparing 30 MB by content on every render would cost more than it saves.
struct TextIdentity(Rc<str>);

impl PartialEq for TextIdentity {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn count_newlines(text: &[u8]) -> usize {
    text.iter().filter(|&&b| b == b'\n').count()
}

/// Small boxes update on every keystroke; big ones once typing pauses.
fn read_delay(length: u32) -> u32 {
    match length {
        0..=200_000 => 0,
        200_001..=5_000_000 => 60,
        _ => 250,
    }
}

/// Must match `--line-height` in www/style.css.
pub const LINE_HEIGHT: u32 = 20;

/// Line numbers the gutter holds at once: more than the tallest box shows.
const GUTTER_LINES: usize = 80;

/// The gutter for a box of `lines` lines scrolled to `scroll_top` pixels: the numbers from
/// the first visible line on, and how far to shift them so they sit beside their lines.
/// Only a screenful is in the page: a gutter of every line (100,000 for a big log) made
/// each keystroke repaint and re-layer all of it, tens of milliseconds in Chromium.
fn gutter_window(lines: usize, scroll_top: i32) -> (String, i32) {
    let height = LINE_HEIGHT as i32;
    let scroll_top = scroll_top.max(0);
    let first = usize::try_from(scroll_top / height).unwrap_or(0).min(lines.saturating_sub(1));
    let last = (first + GUTTER_LINES).min(lines);
    let mut text = String::with_capacity((last - first) * 7);
    for n in first + 1..=last {
        text.push_str(&n.to_string());
        text.push('\n');
    }
    let shift = i32::try_from(first).unwrap_or(i32::MAX / height) * height - scroll_top;
    (text, shift)
}

/// Writes the gutter's numbers for the box's current scroll position.
fn paint_gutter(gutter: &NodeRef, lines: usize, scroll_top: i32) {
    let (text, shift) = gutter_window(lines, scroll_top);
    if let Some(el) = gutter.get() {
        el.set_text_content(Some(&text));
    }
    browser::set_style(gutter, "transform", &format!("translateY({shift}px)"));
}

#[derive(Clone, PartialEq)]
pub struct Highlight {
    /// 1-based line in the pasted text.
    pub line: u32,
    /// Rank of the finding it belongs to (colours the mark).
    pub finding: usize,
    pub primary: bool,
}

#[derive(Properties, PartialEq)]
pub struct InputPaneProps {
    pub kind: InputKind,
    pub title: AttrValue,
    pub command: AttrValue,
    pub placeholder: AttrValue,
    pub value: Rc<str>,
    /// Changes when the inputs are replaced from outside (a case, a link, a draft): only
    /// then is `value` written into the box. Otherwise the box owns its text, so nothing
    /// the page renders can overwrite what is being typed.
    pub load_id: u64,
    pub summary: Option<InputSummary>,
    pub highlights: Rc<Vec<Highlight>>,
    /// A span to select, with a counter so clicking the same evidence twice works.
    pub focus: Option<(TextRange, u64)>,
    pub on_edit: Callback<(InputKind, String)>,
}

#[function_component(InputPane)]
pub fn input_pane(props: &InputPaneProps) -> Html {
    let area = use_node_ref();
    let gutter_ref = use_node_ref();
    let marks_ref = use_node_ref();
    let id = format!("input-{}", props.kind.as_str());

    {
        let area = area.clone();
        let value = props.value.clone();
        use_effect_with(props.load_id, move |_| {
            if let Some(el) = browser::textarea(&area)
                && el.value() != *value
            {
                el.set_value(&value);
            }
        });
    }
    {
        let area = area.clone();
        let value = props.value.clone();
        use_effect_with(props.focus, move |focus| {
            if let (Some((range, _)), Some(el)) = (focus, browser::textarea(&area)) {
                let line =
                    1 + value.as_bytes().iter().take(range.start as usize).filter(|&&b| b == b'\n').count();
                let line = u32::try_from(line).unwrap_or(u32::MAX);
                browser::select(&el, &value, range.start as usize, range.end as usize, line, LINE_HEIGHT);
            }
        });
    }

    // Reading a textarea's value copies all of it into wasm: for a 30 MB log that is
    // tens of milliseconds. Read once typing pauses, not on every keystroke.
    let pending_read = use_mut_ref(|| None::<Timeout>);
    let on_input = {
        let on_edit = props.on_edit.clone();
        let kind = props.kind;
        let area = area.clone();
        let pending_read = pending_read.clone();
        Callback::from(move |_: InputEvent| {
            let on_edit = on_edit.clone();
            let area = area.clone();
            let delay = browser::textarea(&area).map_or(0, |el| read_delay(el.text_length()));
            let read = move || {
                if let Some(el) = browser::textarea(&area) {
                    on_edit.emit((kind, el.value()));
                }
            };
            if delay == 0 {
                *pending_read.borrow_mut() = None;
                read();
            } else {
                *pending_read.borrow_mut() = Some(Timeout::new(delay, read));
            }
        })
    };
    // Counted once per text (the Rc changes only when the text does), not per render.
    let lines = *use_memo(TextIdentity(props.value.clone()), |t| count_newlines(t.0.as_bytes()) + 1);
    // The scroll handler reads the count from here, so it needs no re-render.
    let line_count = use_mut_ref(|| lines);
    *line_count.borrow_mut() = lines;
    {
        let area = area.clone();
        let gutter_ref = gutter_ref.clone();
        use_effect_with(lines, move |&lines| {
            let top = browser::textarea(&area).map_or(0, |el| el.scroll_top());
            paint_gutter(&gutter_ref, lines, top);
        });
    }
    // Scrolling moves the gutter and the marks with the text, without a re-render.
    let on_scroll = {
        let area = area.clone();
        let gutter_ref = gutter_ref.clone();
        let marks_ref = marks_ref.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = browser::textarea(&area) {
                let top = el.scroll_top();
                paint_gutter(&gutter_ref, *line_count.borrow(), top);
                browser::set_style(&marks_ref, "transform", &format!("translateY({}px)", -top));
            }
        })
    };
    {
        let marks_ref = marks_ref.clone();
        use_effect_with((props.highlights.clone(), props.summary.clone()), move |_| {
            browser::place_children(&marks_ref)
        });
    }
    let copy_command = {
        let command = props.command.clone();
        Callback::from(move |_: MouseEvent| browser::copy(&command))
    };

    let marks = props.highlights.iter().map(|h| {
        let top = h.line.saturating_sub(1).saturating_mul(LINE_HEIGHT);
        let class = classes!("mark", format!("f{}", (h.finding - 1) % 6), h.primary.then_some("primary"));
        html! { <div class={class} data-top={top.to_string()}></div> }
    });
    // Lines nothing understood: a margin stripe, under the evidence marks.
    let unknown_lines: Vec<u32> = props
        .summary
        .as_ref()
        .map(|s| s.unrecognized_lines.iter().copied().take(500).collect())
        .unwrap_or_default();
    let unknown_marks = unknown_lines.iter().map(|&line| {
        let top = line.saturating_sub(1).saturating_mul(LINE_HEIGHT);
        html! { <div class="mark unknown-line" data-top={top.to_string()} title="not understood"></div> }
    });
    let on_drop = {
        let on_edit = props.on_edit.clone();
        let kind = props.kind;
        let area = area.clone();
        Callback::from(move |e: DragEvent| {
            let Some(file) = e.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) else { return };
            e.prevent_default();
            let on_edit = on_edit.clone();
            let area = area.clone();
            yew::platform::spawn_local(async move {
                if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    let text = text.as_string().unwrap_or_default();
                    // The box owns its text: show the file in it, then tell the page.
                    if let Some(el) = browser::textarea(&area) {
                        el.set_value(&text);
                    }
                    on_edit.emit((kind, text));
                }
            });
        })
    };
    let on_drag_over = Callback::from(|e: DragEvent| e.prevent_default());
    // Always present (possibly empty): an optional node here would shift its siblings
    // in yew's list diff and re-create the editor, losing the box's text.
    let summary = props.summary.as_ref().filter(|s| !s.read_as.is_empty());
    let unknown = summary.filter(|s| s.unrecognized_count > 0).map(|s| {
        html! { <span class="unknown">{format!(" · {} line(s) not understood", s.unrecognized_count)}</span> }
    });
    let read_as = match summary {
        Some(s) => html! { <>{"Read as: "}{&s.read_as}{for unknown}</> },
        None => Html::default(),
    };
    html! {
        <section class="pane" aria-labelledby={format!("{id}-label")}>
            <header class="pane-head">
                <label id={format!("{id}-label")} for={id.clone()}>{&props.title}</label>
                <span class="hint">
                    <code>{&props.command}</code>
                    <button type="button" class="copy" onclick={copy_command}
                        aria-label={format!("Copy the command: {}", props.command)}>{"Copy"}</button>
                </span>
            </header>
            // A form of its own: Chromium's autofill reads every field of the form a typed-in
            // field belongs to, on every keystroke. Without one, typing in a small box copied
            // a 32 MB log box's text each time (60 ms a key).
            <form class="editor" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                // Filled by `paint_gutter`, not by the render: it follows the scroll.
                <pre class="gutter" aria-hidden="true" ref={gutter_ref}></pre>
                <div class="marks" aria-hidden="true" ref={marks_ref}>{for unknown_marks}{for marks}</div>
                <textarea id={id} ref={area} spellcheck="false" autocomplete="off" wrap="off"
                    data-testid={format!("textarea-{}", props.kind.as_str())}
                    placeholder={props.placeholder.clone()}
                    oninput={on_input} onscroll={on_scroll}
                    ondrop={on_drop} ondragover={on_drag_over} />
            </form>
            <p class={classes!("read-as", summary.is_none().then_some("empty"))}
                data-testid={format!("read-as-{}", props.kind.as_str())}>{read_as}</p>
        </section>
    }
}
