//! Fetching the page's own static files (gallery cases, rule reference). Same origin
//! only: the Content-Security-Policy allows nothing else.

use wasm_bindgen::JsCast;
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

pub async fn json<T: serde::de::DeserializeOwned>(url: &str) -> Option<T> {
    serde_json::from_str(&text(url).await?).ok()
}
