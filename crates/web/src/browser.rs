//! The few browser APIs the page needs: clipboard, focus.

use wasm_bindgen::JsCast;

/// Copies `text` to the clipboard. Failure (no permission, insecure context) is silent:
/// the text is still visible on the page to copy by hand.
pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _promise = window.navigator().clipboard().write_text(text);
    }
}

/// Focuses the element with this id (which also scrolls it into view).
pub fn focus_by_id(id: &str) {
    let element = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id(id));
    if let Some(el) = element.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
