//! The diagnosis worker: receives the three inputs, runs the core, posts the ranked
//! findings back. Runs in a dedicated Web Worker, so the page never blocks.
#![forbid(unsafe_code)]

mod protocol;

use badgateway_core::{Inputs, analyze};
use js_sys::Array;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::protocol::Reply;

fn now() -> f64 {
    js_sys::Date::now()
}

fn handle(message: &JsValue) -> Option<String> {
    let parts: Array = message.clone().dyn_into().ok()?;
    let id = parts.get(0).as_f64()? as u64;
    let text = |i: u32| parts.get(i).as_string().unwrap_or_default();
    let (config, listeners, log) = (text(1), text(2), text(3));
    let started = now();
    let analysis = analyze(Inputs {
        config: Some(config.as_bytes()),
        listeners: Some(listeners.as_bytes()),
        log: Some(log.as_bytes()),
    });
    let reply = Reply {
        id,
        findings: analysis.views(),
        summaries: analysis.summaries(),
        elapsed_ms: now() - started,
    };
    serde_json::to_string(&reply).ok()
}

fn main() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(reply) = handle(&event.data()) {
            let _ = reply_to.post_message(&JsValue::from_str(&reply));
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
}
