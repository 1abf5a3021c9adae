//! The page's handle on the diagnosis worker: post inputs, receive replies.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};
use yew::prelude::*;

use badgateway_core::view::PageReport as Reply;

use crate::editor_spans::{DumpFile, EditorSpans};
use crate::input_text::InputText;
use crate::state::{Action, Playground};

/// Wait this long after the last keystroke before diagnosing.
const DEBOUNCE_MS: u32 = 40;

/// Copied beside the page by trunk (relative: works under any sub-path).
const WORKER_SCRIPT: &str = "./worker.js";

/// The URL of the page's own wasm-bindgen module and wasm, from the preload links
/// trunk writes into the page.
fn module_urls() -> Option<(String, String)> {
    let document = web_sys::window()?.document()?;
    let href = |selector: &str| -> Option<String> {
        let link = document.query_selector(selector).ok()??;
        Some(link.dyn_into::<web_sys::HtmlLinkElement>().ok()?.href())
    };
    Some((href("link[rel=modulepreload]")?, href("link[rel=preload][as=fetch]")?))
}

fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

pub struct DiagnosisWorker {
    worker: Worker,
    _on_message: Closure<dyn Fn(MessageEvent)>,
    /// The texts last posted: a box that has not changed since is sent as `null` and the
    /// worker reuses its copy, so a keystroke in one box does not copy a 30 MB log from
    /// wasm into a JS string and across to the worker again.
    sent: std::cell::RefCell<[Option<InputText>; 3]>,
}

impl DiagnosisWorker {
    pub fn spawn(on_reply: impl Fn(Reply, EditorSpans) + 'static) -> Option<Rc<Self>> {
        let (glue, wasm) = module_urls()?;
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let url = format!("{WORKER_SCRIPT}?glue={}&wasm={}", encode(&glue), encode(&wasm));
        let worker = Worker::new_with_options(&url, &options).ok()?;
        let on_message = Closure::<dyn Fn(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if data.as_string().as_deref() == Some("ready") {
                // Everything the worker needs is loaded: the page now works offline.
                if let Some(root) =
                    web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element())
                {
                    let _ = root.set_attribute("data-worker", "ready");
                }
                return;
            }
            let Ok(parts) = data.dyn_into::<js_sys::Array>() else { return };
            let Ok(bytes) = parts.get(0).dyn_into::<js_sys::Uint8Array>() else { return };
            let Some(reply) = badgateway_core::wire::decode(&bytes.to_vec()) else { return };
            let words =
                parts.get(1).dyn_into::<js_sys::Uint32Array>().map(|w| w.to_vec()).unwrap_or_default();
            let files = parts
                .get(2)
                .dyn_into::<js_sys::Array>()
                .map(|files| {
                    files
                        .iter()
                        .filter_map(|f| {
                            let f: js_sys::Array = f.dyn_into().ok()?;
                            Some(DumpFile {
                                first_line: f.get(0).as_f64()? as u32,
                                last_line: f.get(1).as_f64()? as u32,
                                path: f.get(2).as_string()?,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            on_reply(reply, EditorSpans { evidence: EditorSpans::evidence_from_words(&words), files });
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        Some(Rc::new(Self { worker, _on_message: on_message, sent: Default::default() }))
    }

    pub fn send(&self, id: u64, texts: [&InputText; 3]) {
        let mut sent = self.sent.borrow_mut();
        let message = js_sys::Array::of1(&JsValue::from_f64(id as f64));
        for (text, last) in texts.into_iter().zip(sent.iter_mut()) {
            if last.as_ref() == Some(text) {
                message.push(&JsValue::NULL);
            } else {
                message.push(&JsValue::from_str(text));
                *last = Some(text.clone());
            }
        }
        let _ = self.worker.post_message(&message);
    }
}

impl Drop for DiagnosisWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// The worker for the page's life: after the last keystroke settles, and whenever the
/// worker is free again, it is sent the newest inputs, and its replies go to the state.
/// Old timers are dropped with their effect: the latest input wins.
#[hook]
pub fn use_diagnosis_worker(state: &UseReducerHandle<Playground>) {
    let worker = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            DiagnosisWorker::spawn(move |reply, spans| dispatcher.dispatch(Action::Reply(reply, spans)))
        })
    };
    let dispatcher = state.dispatcher();
    let snapshot = (**state).clone();
    use_effect_with((state.generation, state.in_flight), move |_| {
        let timer = snapshot.wants_diagnosis().then(|| {
            Timeout::new(DEBOUNCE_MS, move || {
                if let Some(worker) = worker.as_ref() {
                    worker.send(snapshot.generation, [&snapshot.config, &snapshot.listeners, &snapshot.log]);
                    dispatcher.dispatch(Action::Sent(snapshot.generation));
                }
            })
        });
        move || drop(timer)
    });
}
