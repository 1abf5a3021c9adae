//! The badgateway playground: three inputs, diagnosed as you type, in the browser.
#![forbid(unsafe_code)]

mod app;
mod browser;
mod diagnosis_worker;
mod finding_card;
mod input_pane;
mod state;
mod worker_entry;

fn main() {
    // The same module also runs in the diagnosis worker, where there is no page to render.
    if web_sys::window().is_some() {
        yew::Renderer::<app::App>::new().render();
    }
}
