//! Drafts: the three inputs kept in this browser's local storage, so a reload loses
//! nothing. Never sent anywhere; "Forget my inputs" removes them.

use serde::{Deserialize, Serialize};

const KEY: &str = "badgateway.draft.v1";
/// Larger drafts are not kept (local storage is small and synchronous).
pub const MAX_DRAFT: usize = 2 * 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub config: String,
    pub listeners: String,
    pub log: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load() -> Option<Draft> {
    serde_json::from_str(&storage()?.get_item(KEY).ok()??).ok()
}

/// Saves the draft; returns false when it is too large to keep.
pub fn save(config: &str, listeners: &str, log: &str) -> bool {
    let Some(storage) = storage() else { return false };
    if config.len() + listeners.len() + log.len() > MAX_DRAFT {
        let _ = storage.remove_item(KEY);
        return false;
    }
    let draft = Draft { config: config.into(), listeners: listeners.into(), log: log.into() };
    match serde_json::to_string(&draft) {
        Ok(json) => storage.set_item(KEY, &json).is_ok(),
        Err(_) => false,
    }
}

pub fn forget() {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(KEY);
    }
}
