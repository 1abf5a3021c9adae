//! The badgateway playground: three inputs, diagnosed as you type, in the browser.
#![forbid(unsafe_code)]

mod app;
mod browser;
mod case_story;
mod copy_button;
mod diagnosis_worker;
mod editor;
mod editor_spans;
mod embed;
mod empty_state;
mod fetch;
mod finding_card;
mod forget_button;
mod gallery;
mod inline_code;
mod input_pane;
mod input_text;
mod learn;
mod live_region;
mod loading;
mod playground;
mod report_button;
mod route;
mod rule_page;
mod share_codec;
mod share_panel;
mod state;
mod storage;
mod walkthrough_panel;
mod worker_entry;

/// Talc instead of the standard library's dlmalloc: 2.8 KB less gzipped wasm (measured with
/// `make web-build`); its own benchmarks find it faster than dlmalloc too.
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    // The same module also runs in the diagnosis worker, where there is no page to render.
    if web_sys::window().is_some() {
        yew::Renderer::<app::App>::new().render();
        embed::report_height();
    }
}
