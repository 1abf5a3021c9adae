//! The badgateway playground: three inputs, diagnosed as you type, in the browser.
#![forbid(unsafe_code)]

mod app;
mod browser;
mod diagnosis_worker;
mod finding_card;
mod input_pane;
mod protocol;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
