//! One input box: a code editor with the findings marked in place, what it was read as,
//! and the command that produces its content on the server.

use std::cell::RefCell;
use std::rc::Rc;

use badgateway_core::{InputKind, InputSummary};
use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::browser;
use crate::editor::{BoxMarks, Editor};
use crate::editor_spans::EditorSpan;
use crate::input_text::InputText;

/// Small boxes are read on every keystroke; big ones once typing pauses (reading copies
/// the whole text into wasm: tens of milliseconds for 30 MB).
fn read_delay(length: u32) -> u32 {
    match length {
        0..=200_000 => 0,
        200_001..=5_000_000 => 60,
        _ => 250,
    }
}

/// What the hover over a not-understood line says.
fn unknown_reason(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Config => "Not understood as nginx configuration",
        InputKind::Listeners => {
            "Not understood: not a row of ss, netstat, lsof, ip addr or resolv.conf output"
        }
        InputKind::Log => "Not understood: not an nginx error-log line nor a known backend log line",
    }
}

#[derive(Properties, PartialEq)]
pub struct InputPaneProps {
    pub kind: InputKind,
    pub title: AttrValue,
    pub command: AttrValue,
    pub placeholder: AttrValue,
    pub value: InputText,
    /// Changes when the inputs are replaced from outside (a case, a link, a draft): only
    /// then is `value` written into the box. Otherwise the box owns its text, so nothing
    /// the page renders can overwrite what is being typed.
    pub load_id: u64,
    pub summary: Option<InputSummary>,
    /// The marks of a diagnosis of the box's current text; `None` while that diagnosis is
    /// still to come (the marks shown then follow the edits).
    pub marks: Option<Rc<BoxMarks>>,
    /// A span to select, with a counter so clicking the same evidence twice works.
    pub focus: Option<(EditorSpan, u64)>,
    pub on_edit: Callback<(InputKind, String)>,
    /// A finding's mark was clicked: show its card.
    pub on_mark: Callback<usize>,
    /// The title of the box whose kind of text this box holds, to offer moving it there.
    #[prop_or_default]
    pub move_to: Option<AttrValue>,
    #[prop_or_default]
    pub on_move: Callback<()>,
}

/// The editor and the JS callbacks it holds (they live as long as it does).
struct Mounted {
    editor: Rc<Editor>,
    _on_change: Closure<dyn Fn(f64)>,
    _on_mark: Closure<dyn Fn(f64)>,
}

#[function_component(InputPane)]
pub fn input_pane(props: &InputPaneProps) -> Html {
    let host = use_node_ref();
    let id = format!("input-{}", props.kind.as_str());
    let mounted = use_mut_ref(|| None::<Mounted>);
    // The editor's callbacks read the latest props' callbacks from here.
    let callbacks = use_mut_ref(|| (props.on_edit.clone(), props.on_mark.clone()));
    *callbacks.borrow_mut() = (props.on_edit.clone(), props.on_mark.clone());

    {
        let host = host.clone();
        let mounted = mounted.clone();
        let kind = props.kind;
        let placeholder = props.placeholder.clone();
        let id = id.clone();
        use_effect_with((), move |_| {
            let pending_read = Rc::new(RefCell::new(None::<Timeout>));
            let editor_slot: Rc<RefCell<Option<Rc<Editor>>>> = Rc::default();
            let on_change = {
                let callbacks = callbacks.clone();
                let editor_slot = editor_slot.clone();
                Closure::<dyn Fn(f64)>::new(move |_version: f64| {
                    let Some(editor) = editor_slot.borrow().clone() else { return };
                    let on_edit = callbacks.borrow().0.clone();
                    let delay = read_delay(editor.length());
                    let read = move || on_edit.emit((kind, editor.value()));
                    if delay == 0 {
                        *pending_read.borrow_mut() = None;
                        read();
                    } else {
                        *pending_read.borrow_mut() = Some(Timeout::new(delay, read));
                    }
                })
            };
            let on_mark = {
                let callbacks = callbacks.clone();
                Closure::<dyn Fn(f64)>::new(move |rank: f64| callbacks.borrow().1.emit(rank as usize))
            };
            if let Some(parent) = host.cast::<web_sys::Element>()
                && let Some(editor) = Editor::create(
                    &parent,
                    kind.as_str(),
                    &placeholder,
                    &format!("{id}-label"),
                    &format!("{id}-read-as"),
                    on_change.as_ref().unchecked_ref(),
                    on_mark.as_ref().unchecked_ref(),
                )
            {
                let editor = Rc::new(editor);
                *editor_slot.borrow_mut() = Some(editor.clone());
                *mounted.borrow_mut() = Some(Mounted { editor, _on_change: on_change, _on_mark: on_mark });
            }
            move || {
                if let Some(m) = mounted.borrow_mut().take() {
                    m.editor.destroy();
                }
            }
        });
    }
    // Looked up when an effect runs (after the editor's own effect has created it).
    let editor_of =
        |mounted: &Rc<RefCell<Option<Mounted>>>| mounted.borrow().as_ref().map(|m| m.editor.clone());
    {
        let mounted = mounted.clone();
        let value = props.value.clone();
        use_effect_with(props.load_id, move |_| {
            if let Some(editor) = editor_of(&mounted) {
                editor.set_value(&value);
            }
        });
    }
    {
        let mounted = mounted.clone();
        let kind = props.kind;
        use_effect_with(props.marks.clone(), move |marks| {
            if let (Some(editor), Some(marks)) = (editor_of(&mounted), marks) {
                editor.set_marks(marks, unknown_reason(kind));
            }
        });
    }
    {
        let mounted = mounted.clone();
        use_effect_with(props.focus, move |focus| {
            if let (Some(editor), Some((span, _))) = (editor_of(&mounted), focus) {
                editor.select_span(*span);
            }
        });
    }
    let copy_command = {
        let command = props.command.clone();
        Callback::from(move |_: MouseEvent| browser::copy(&command))
    };
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
                <span class="pane-title" id={format!("{id}-label")}>{&props.title}</span>
                <span class="hint">
                    <code>{&props.command}</code>
                    <button type="button" class="copy" onclick={copy_command}
                        aria-label={format!("Copy the command: {}", props.command)}>{"Copy"}</button>
                </span>
            </header>
            // The editor (web/editor/editor.js) fills this; yew never renders into it.
            <div class="editor" id={id.clone()} ref={host} data-testid={format!("box-{}", props.kind.as_str())}></div>
            <p class={classes!("read-as", summary.is_none().then_some("empty"))} id={format!("{id}-read-as")}
                data-testid={format!("read-as-{}", props.kind.as_str())}>{read_as}</p>
            // Below the box: the editor's tooltips open above its first lines.
            <div class="move-slot">
                if let Some(to) = props.move_to.clone() {
                    <p class="move-offer" role="note">
                        {"This looks like what the "}<strong>{to.clone()}</strong>{" box reads, not this one. "}
                        <button type="button" onclick={props.on_move.reform(|_: MouseEvent| ())}
                            data-testid={format!("move-{}", props.kind.as_str())}>{format!("Move it to “{to}”")}</button>
                    </p>
                }
            </div>
        </section>
    }
}
