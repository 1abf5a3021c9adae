//! The page's handle on one CodeMirror editor (web/editor/editor.js, loaded as a module
//! script of its own before the wasm starts): create, read, replace, mark, select.

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::editor_spans::{DumpFile, EditorSpan};

#[wasm_bindgen]
extern "C" {
    pub type Editor;

    #[wasm_bindgen(catch, js_namespace = ["badgateway", "editor"], js_name = create)]
    fn create_editor(parent: &web_sys::Element, options: &Object) -> Result<Editor, JsValue>;

    /// The whole text; later marks are taken to be for this text.
    #[wasm_bindgen(method)]
    pub fn value(this: &Editor) -> String;
    /// The text's length in UTF-16 units (cheap: no copy).
    #[wasm_bindgen(method)]
    pub fn length(this: &Editor) -> u32;
    #[wasm_bindgen(method, js_name = setValue)]
    pub fn set_value(this: &Editor, text: &str);
    #[wasm_bindgen(method, js_name = setMarks)]
    fn set_marks_js(
        this: &Editor,
        marks: &Array,
        unknown: &js_sys::Uint32Array,
        reason: &str,
        files: &Array,
    ) -> bool;
    #[wasm_bindgen(method)]
    fn select(this: &Editor, line: u32, column: u32, end_line: u32, end_column: u32);
    #[wasm_bindgen(method)]
    pub fn destroy(this: &Editor);
}

/// One finding's evidence, as a mark in its box.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorMark {
    pub span: EditorSpan,
    pub rank: usize,
    /// 0 error, 1 warning, 2 info.
    pub severity: u8,
    pub primary: bool,
    pub code: String,
    pub title: String,
    pub label: String,
    pub fix: Option<String>,
}

/// Everything a box marks: the findings' evidence, the lines nothing understood, and (the
/// config box) the files of a dump, for its line numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoxMarks {
    pub marks: Vec<EditorMark>,
    pub unknown_lines: Vec<u32>,
    pub files: Vec<DumpFile>,
}

fn set(object: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(object, &JsValue::from_str(key), &value.into());
}

impl Editor {
    /// `on_change` is called with the editor's version after each edit of the user's
    /// (not after `set_value`); `on_mark` with a finding's rank when its mark is clicked.
    pub fn create(
        parent: &web_sys::Element,
        kind: &str,
        placeholder: &str,
        label_id: &str,
        described_by: &str,
        on_change: &Function,
        on_mark: &Function,
    ) -> Option<Editor> {
        let options = Object::new();
        set(&options, "kind", kind);
        set(&options, "placeholder", placeholder);
        set(&options, "labelId", label_id);
        set(&options, "describedBy", described_by);
        set(&options, "onChange", on_change.clone());
        set(&options, "onMark", on_mark.clone());
        create_editor(parent, &options).ok()
    }

    /// Shows `marks`, if the text is still the one they were computed on (else the marks
    /// shown follow the edits until the next diagnosis).
    pub fn set_marks(&self, marks: &BoxMarks, unknown_reason: &str) {
        let list = Array::new();
        for m in &marks.marks {
            let o = Object::new();
            set(&o, "line", m.span.line);
            set(&o, "column", m.span.column);
            set(&o, "endLine", m.span.end_line);
            set(&o, "endColumn", m.span.end_column);
            set(&o, "rank", m.rank as u32);
            set(&o, "severity", m.severity);
            set(&o, "primary", m.primary);
            set(&o, "code", m.code.as_str());
            set(&o, "title", m.title.as_str());
            set(&o, "label", m.label.as_str());
            if let Some(fix) = &m.fix {
                set(&o, "fix", fix.as_str());
            }
            list.push(&o);
        }
        let files = Array::new();
        for f in &marks.files {
            files.push(&Array::of3(&f.first_line.into(), &f.last_line.into(), &JsValue::from_str(&f.path)));
        }
        let unknown = js_sys::Uint32Array::from(marks.unknown_lines.as_slice());
        self.set_marks_js(&list, &unknown, unknown_reason, &files);
    }

    pub fn select_span(&self, span: EditorSpan) {
        self.select(span.line, span.column, span.end_line, span.end_column);
    }
}
