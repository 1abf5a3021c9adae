//! The same wasm, entered in a Web Worker: receives the three inputs, runs the core,
//! posts the ranked findings back. The page never blocks on a diagnosis.
//!
//! `www/worker.js` loads this binary's module into a module worker and calls
//! [`worker_entry`]. Messages in: a JS array `[id, config, listeners, log]` (strings
//! move without a JSON round trip; `null` for a box unchanged since the last message,
//! whose text the worker keeps). Out: a [`PageReport`] in the core's compact wire
//! form, as a byte array, with where its evidence stands in the editors
//! ([`crate::editor_spans`]).

use badgateway_core::view::PageReport;
use badgateway_core::wire;
use badgateway_core::{Inputs, analyze};

use crate::editor_spans::editor_spans;
use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

thread_local! {
    /// The texts of the last message, for the boxes the page sends as `null` (unchanged).
    static LAST: std::cell::RefCell<[String; 3]> = Default::default();
}

fn handle(message: &JsValue) -> Option<Array> {
    let parts: Array = message.clone().dyn_into().ok()?;
    let id = parts.get(0).as_f64()? as u64;
    LAST.with_borrow_mut(|last| {
        for (i, slot) in (1u32..).zip(last.iter_mut()) {
            let part = parts.get(i);
            if !part.is_null() {
                *slot = part.as_string().unwrap_or_default();
            }
        }
        let [config, listeners, log] = &*last;
        Some(diagnose(id, config, listeners, log))
    })
}

/// The reply: `[wire bytes, evidence spans as Uint32Array (the findings', then the
/// walkthrough's), dump files as [first, last, path]...]`.
fn diagnose(id: u64, config: &str, listeners: &str, log: &str) -> Array {
    let started = js_sys::Date::now();
    let analysis = analyze(Inputs {
        config: Some(config.as_bytes()),
        listeners: Some(listeners.as_bytes()),
        log: Some(log.as_bytes()),
    });
    let findings = analysis.views();
    let summaries = analysis.summaries();
    let walkthrough = analysis.step_views();
    // Whole microseconds: the page shows it without float formatting code.
    let elapsed_us = ((js_sys::Date::now() - started).max(0.0) * 1000.0) as u64;
    let spans = editor_spans(&analysis, &findings, &walkthrough, [config, listeners, log]);
    let wire = wire::encode(&PageReport { id, findings, summaries, walkthrough, elapsed_us });
    let files = Array::new();
    for f in &spans.files {
        files.push(&Array::of3(&f.first_line.into(), &f.last_line.into(), &JsValue::from_str(&f.path)));
    }
    Array::of3(
        &js_sys::Uint8Array::from(wire.as_slice()),
        &js_sys::Uint32Array::from(spans.evidence_words().as_slice()),
        &files,
    )
}

/// Installs the message handler. Called by `www/worker.js` inside the worker.
#[wasm_bindgen]
pub fn worker_entry() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(reply) = handle(&event.data()) {
            let _ = reply_to.post_message(&reply);
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}
