//! What fills the boxes when the route changes: a gallery case, a share link, or the
//! user's own draft after a reload.

use yew::prelude::*;

use crate::gallery::load_case;
use crate::route::Route;
use crate::state::{Action, Playground};
use crate::{share_codec, storage};

/// Loads what the route names into the boxes, each time the route changes.
#[hook]
pub fn use_route_loading(state: &UseReducerHandle<Playground>) {
    let dispatcher = state.dispatcher();
    use_effect_with(state.route.clone(), move |route| match route.clone() {
        Route::Case(name) => yew::platform::spawn_local(async move {
            match load_case(&name).await {
                Some(case) => dispatcher.dispatch(Action::CaseLoaded(case)),
                None => dispatcher.dispatch(Action::CaseMissing(name)),
            }
        }),
        Route::Share(fragment) => yew::platform::spawn_local(async move {
            match share_codec::decode(&fragment).await {
                Ok(shared) => dispatcher.dispatch(Action::Shared(shared)),
                Err(e) => dispatcher.dispatch(Action::ShareFailed(e.to_string())),
            }
        }),
        Route::Main => {
            if let Some(draft) = storage::load() {
                dispatcher.dispatch(Action::Restore(draft));
            }
        }
        // Learn mode loads its exercise's case itself (it knows which).
        Route::Rules(_) | Route::Learn(_) => {}
    });
}
