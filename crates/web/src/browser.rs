//! The few browser APIs the page needs: clipboard, and selecting a span in a textarea.

use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;

/// Copies `text` to the clipboard. Failure (no permission, insecure context) is silent:
/// the text is still visible on the page to copy by hand.
pub fn copy(text: &str) {
    if let Some(window) = web_sys::window() {
        let _promise = window.navigator().clipboard().write_text(text);
    }
}

/// UTF-16 offset of byte offset `byte` in `text`: textarea selections count UTF-16 units.
pub fn utf16_offset(text: &str, byte: usize) -> u32 {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    let units: usize = text.get(..byte).map_or(0, |p| p.encode_utf16().count());
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Selects `start..end` (bytes) in the textarea and scrolls its line into view.
pub fn select(area: &HtmlTextAreaElement, text: &str, start: usize, end: usize, line: u32, line_height: u32) {
    let _ = area.focus();
    let _ = area.set_selection_range(utf16_offset(text, start), utf16_offset(text, end));
    let top =
        i64::from(line.saturating_sub(1)) * i64::from(line_height) - i64::from(area.client_height()) / 3;
    area.set_scroll_top(i32::try_from(top.max(0)).unwrap_or(i32::MAX));
}

pub fn textarea(node: &yew::NodeRef) -> Option<HtmlTextAreaElement> {
    node.get()?.dyn_into::<HtmlTextAreaElement>().ok()
}

/// Sets one CSS property through the CSSOM. The page's Content-Security-Policy forbids
/// `style` attributes, but not script-set styles.
pub fn set_style(node: &yew::NodeRef, property: &str, value: &str) {
    if let Some(el) = node.cast::<web_sys::HtmlElement>() {
        let _ = el.style().set_property(property, value);
    }
}

/// Positions every child of `container` that has a `data-top` attribute (pixels).
pub fn place_children(container: &yew::NodeRef) {
    let Some(parent) = container.cast::<web_sys::Element>() else { return };
    let children = parent.children();
    for i in 0..children.length() {
        let Some(child) = children.item(i) else { continue };
        let Some(top) = child.get_attribute("data-top") else { continue };
        if let Ok(el) = child.dyn_into::<web_sys::HtmlElement>() {
            let _ = el.style().set_property("top", &format!("{top}px"));
        }
    }
}
