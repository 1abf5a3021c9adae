//! Fetching the page's own static files (gallery cases, rule reference) and reading
//! their JSON with the browser's own parser (no JSON code in the wasm). Same origin
//! only: the Content-Security-Policy allows nothing else.

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub async fn text(url: &str) -> Option<String> {
    let window = web_sys::window()?;
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str(url)).await.ok()?.dyn_into().ok()?;
    if !response.ok() {
        return None;
    }
    JsFuture::from(response.text().ok()?).await.ok()?.as_string()
}

pub async fn json(url: &str) -> Option<JsValue> {
    parse(&text(url).await?)
}

pub fn parse(text: &str) -> Option<JsValue> {
    js_sys::JSON::parse(text).ok()
}

pub fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string field; empty when absent or not a string.
pub fn string(object: &JsValue, key: &str) -> String {
    field(object, key).as_string().unwrap_or_default()
}

/// An array field's items; empty when absent or not an array.
pub fn items(object: &JsValue, key: &str) -> Vec<JsValue> {
    field(object, key).dyn_into::<Array>().map(|a| a.iter().collect()).unwrap_or_default()
}
