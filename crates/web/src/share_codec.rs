//! Share links with the browser's DEFLATE (`crates/web/js/deflate.js`): `core::share::Packed` does
//! the format, the browser the compression, so the wasm carries no compressor.

use badgateway_core::share::{MAX_DECODED, Packed, ShareError, Shared};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/deflate.js")]
extern "C" {
    #[wasm_bindgen(js_name = deflateRaw, catch)]
    async fn deflate_raw(bytes: &[u8]) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = inflateRaw, catch)]
    async fn inflate_raw(bytes: &[u8], limit: f64) -> Result<JsValue, JsValue>;
}

/// The fragment (starting with `#`) for these inputs, or None if the browser cannot compress.
pub async fn encode(shared: &Shared) -> Option<String> {
    let mut packed = Packed::pack(shared, <[u8]>::to_vec);
    for part in [&mut packed.config, &mut packed.listeners, &mut packed.log].into_iter().flatten() {
        let out = deflate_raw(part).await.ok()?;
        *part = js_sys::Uint8Array::new(&out).to_vec();
    }
    Some(packed.to_fragment())
}

/// Reads a share fragment; a part that does not inflate, or inflates beyond
/// `MAX_DECODED`, is reported as damaged.
pub async fn decode(fragment: &str) -> Result<Shared, ShareError> {
    let packed = Packed::parse(fragment)?;
    let mut inflated: [Option<Vec<u8>>; 3] = [None, None, None];
    for ((key, part), slot) in packed.parts().into_iter().zip(inflated.iter_mut()) {
        let Some(bytes) = part else { continue };
        let out = inflate_raw(bytes, MAX_DECODED as f64).await.map_err(|_| ShareError::Corrupt(key))?;
        if out.is_null() {
            return Err(ShareError::Corrupt(key));
        }
        *slot = Some(js_sys::Uint8Array::new(&out).to_vec());
    }
    packed.unpacked(inflated)
}
