//! Living inside other people's docs: in an iframe the page posts its content height to
//! the host page, and "Embed this" writes the few lines a docs page needs to show the
//! current case, exercise, rule page or share link at the right height.
//!
//! The message, posted to the parent window on every change of height:
//! `{ type: "badgateway:height", height: <CSS pixels, integer> }`. The host finds the frame
//! by `event.source` (the snippet does), so several embeds on one page size separately.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::copy_button::CopyButton;
use crate::route::Route;

pub const HEIGHT_MESSAGE: &str = "badgateway:height";

/// In an iframe: post the page's height now and whenever it changes.
pub fn report_height() {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if parent == window {
        return;
    }
    let Some(body) = window.document().and_then(|d| d.body()) else { return };
    let measured = body.clone();
    let last = std::cell::Cell::new(0);
    let post = Closure::<dyn Fn()>::new(move || {
        let height = measured.get_bounding_client_rect().height().ceil() as i32;
        if height == last.replace(height) {
            return;
        }
        let message = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&message, &"type".into(), &HEIGHT_MESSAGE.into());
        let _ = js_sys::Reflect::set(&message, &"height".into(), &height.into());
        // The height is not private: any host may know it.
        let _ = parent.post_message(&message, "*");
    });
    if let Ok(observer) = web_sys::ResizeObserver::new(post.as_ref().unchecked_ref()) {
        observer.observe(&body);
        // Observer and callback live as long as the page.
        std::mem::forget(observer);
    }
    post.forget();
}

/// The page's address without query or fragment: where the iframe points.
fn base() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return String::new() };
    format!("{}{}", location.origin().unwrap_or_default(), location.pathname().unwrap_or_default())
}

/// `"` and `&` as HTML writes them inside an attribute (a share link's fragment has `&`s).
fn attribute(text: &str) -> String {
    text.replace('&', "&amp;").replace('"', "&quot;")
}

/// The snippet for a route: an iframe and a listener that sizes it.
pub fn snippet(route: &Route) -> String {
    let fragment = route.fragment();
    let fragment = fragment.strip_suffix("&embed=1").unwrap_or(&fragment);
    format!(
        "<iframe src=\"{}\" title=\"badgateway: why nginx says 502\" style=\"width:100%;height:600px;border:0\"></iframe>\n\
         <script>addEventListener(\"message\",e=>{{for(const f of document.querySelectorAll(\"iframe\"))if(f.contentWindow===e.source&&e.data&&e.data.type===\"{HEIGHT_MESSAGE}\")f.style.height=e.data.height+\"px\"}})</script>",
        attribute(&format!("{}?embed{fragment}", base())),
    )
}

#[derive(Properties, PartialEq)]
pub struct EmbedThisProps {
    /// What the page shows now: the snippet embeds it.
    pub route: Route,
}

/// "Embed this": the snippet for what the page shows now, to copy. It is written from
/// the route on every render, never kept: it always names what the page shows.
#[function_component(EmbedThis)]
pub fn embed_this(props: &EmbedThisProps) -> Html {
    let code = snippet(&props.route);
    let plain = props.route == Route::Main;
    html! {
        <details class="embed-this" data-testid="embed-this">
            <summary>{"Embed this"}</summary>
            <p class="note">{"Paste into any HTML docs page: the frame shows what this page shows now and sets its own height. It runs offline in the reader's browser, from wherever this page is hosted."}</p>
            if plain { <p class="note">{"This embeds the empty playground. To embed your own inputs, make a share link first and open it."}</p> }
            <textarea readonly=true rows="4" value={code.clone()} aria-label="Embed snippet" data-testid="embed-snippet" />
            <CopyButton text={code} label="Copy" aria_label="Copy the embed snippet" />
        </details>
    }
}
