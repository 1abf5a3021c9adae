//! Where the page is: the URL fragment read as a route. Fragments never reach a
//! server, so share links carry the user's inputs there.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// The playground.
    Main,
    /// The rule reference: all rules, or one code.
    Rules(Option<String>),
    /// A gallery case to load into the boxes.
    Case(String),
    /// A share link (the whole fragment, decoded by the core).
    Share(String),
    /// Learn mode: the path, or one exercise.
    Learn(Option<String>),
}

impl Route {
    pub fn parse(hash: &str) -> Route {
        let hash = hash.strip_prefix('#').unwrap_or(hash);
        if hash.starts_with("/share?") {
            return Route::Share(hash.to_string());
        }
        let mut parts = hash.trim_start_matches('/').splitn(2, '/');
        match (parts.next(), parts.next()) {
            (Some("rules"), Some(code)) if !code.is_empty() => Route::Rules(Some(code.to_ascii_uppercase())),
            (Some("rules"), _) => Route::Rules(None),
            (Some("case"), Some(name)) if !name.is_empty() => Route::Case(name.to_string()),
            (Some("learn"), Some(id)) if !id.is_empty() => Route::Learn(Some(id.to_string())),
            (Some("learn"), _) => Route::Learn(None),
            _ => Route::Main,
        }
    }
}

impl Route {
    /// The fragment that opens this route (with its `#`), for links such as the embed
    /// snippet's.
    pub fn fragment(&self) -> String {
        match self {
            Route::Main => "#/".to_string(),
            Route::Rules(None) => "#/rules".to_string(),
            Route::Rules(Some(code)) => format!("#/rules/{code}"),
            Route::Case(name) => format!("#/case/{name}"),
            Route::Share(fragment) => format!("#{}", fragment.trim_start_matches('#')),
            Route::Learn(None) => "#/learn".to_string(),
            Route::Learn(Some(id)) => format!("#/learn/{id}"),
        }
    }
}

pub fn current_hash() -> String {
    web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default()
}

/// Embed mode (for iframes in internal docs): `?embed` in the page URL, or `embed=1`
/// in a share link.
pub fn embed_requested() -> bool {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    search.trim_start_matches('?').split('&').any(|p| p == "embed" || p == "embed=1")
        || current_hash().contains("&embed=1")
}

pub fn set_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// The page's own address without fragment, for building share links.
pub fn page_address() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|h| h.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default()
}

/// Follows the fragment (back/forward, gallery links, pasted share links): every change
/// is reported to `on_navigate`.
#[hook]
pub fn use_route(on_navigate: Callback<Route>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn()>::new(move || on_navigate.emit(Route::parse(&current_hash())));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ = w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ =
                    w.remove_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
            }
        }
    });
}
