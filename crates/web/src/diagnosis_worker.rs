//! The page's handle on the diagnosis worker: post inputs, receive replies.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker};

use crate::protocol::Reply;

/// The loader trunk writes beside the page (relative: works under any sub-path).
const WORKER_SCRIPT: &str = "./badgateway-worker_loader.js";

pub struct DiagnosisWorker {
    worker: Worker,
    _on_message: Closure<dyn Fn(MessageEvent)>,
}

impl DiagnosisWorker {
    pub fn spawn(on_reply: impl Fn(Reply) + 'static) -> Option<Rc<Self>> {
        let worker = Worker::new(WORKER_SCRIPT).ok()?;
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            if let Ok(reply) = serde_json::from_str::<Reply>(&text) {
                on_reply(reply);
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Rc::new(Self { worker, _on_message: on_message }))
    }

    pub fn send(&self, id: u64, config: &str, listeners: &str, log: &str) {
        let message = js_sys::Array::of4(
            &JsValue::from_f64(id as f64),
            &JsValue::from_str(config),
            &JsValue::from_str(listeners),
            &JsValue::from_str(log),
        );
        let _ = self.worker.post_message(&message);
    }
}

impl Drop for DiagnosisWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
