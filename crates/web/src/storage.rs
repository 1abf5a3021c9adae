//! Drafts: the three inputs kept in this browser's local storage, so a reload loses
//! nothing. Never sent anywhere; "Forget my inputs" removes them.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use yew::prelude::*;

use crate::fetch;
use crate::state::{Action, Playground};

const KEY: &str = "badgateway.draft.v1";
/// Larger drafts are not kept (local storage is small and synchronous).
pub const MAX_DRAFT: usize = 2 * 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Draft {
    pub config: String,
    pub listeners: String,
    pub log: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load() -> Option<Draft> {
    let value = fetch::parse(&storage()?.get_item(KEY).ok()??)?;
    Some(Draft {
        config: fetch::string(&value, "config"),
        listeners: fetch::string(&value, "listeners"),
        log: fetch::string(&value, "log"),
    })
}

/// Saves the draft; returns false when it is too large to keep.
pub fn save(config: &str, listeners: &str, log: &str) -> bool {
    let Some(storage) = storage() else { return false };
    if config.len() + listeners.len() + log.len() > MAX_DRAFT {
        let _ = storage.remove_item(KEY);
        return false;
    }
    let object = Object::new();
    for (key, value) in [("config", config), ("listeners", listeners), ("log", log)] {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    match js_sys::JSON::stringify(&object).ok().and_then(|s| s.as_string()) {
        Some(json) => storage.set_item(KEY, &json).is_ok(),
        None => false,
    }
}

pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}

/// Keeps the user's own typing as a draft (never a loaded case or link), and tells the
/// state whether it fitted.
#[hook]
pub fn use_draft_keeping(state: &UseReducerHandle<Playground>) {
    let dispatcher = state.dispatcher();
    let snapshot = (**state).clone();
    use_effect_with(state.generation, move |_| {
        if snapshot.user_edited {
            dispatcher.dispatch(Action::DraftSaved(save(
                &snapshot.config,
                &snapshot.listeners,
                &snapshot.log,
            )));
        }
    });
}
