//! The page: the hooks that keep its state (route, loading, drafts, the worker) and the
//! view the route picks: the playground, the rule reference or learn mode.

use yew::prelude::*;

use crate::browser;
use crate::diagnosis_worker::use_diagnosis_worker;
use crate::finding_card::use_card_focus;
use crate::learn::LearnPage;
use crate::live_region::LiveRegion;
use crate::loading::use_route_loading;
use crate::playground::playground;
use crate::route::{self, Route, use_route};
use crate::rule_page::RulePage;
use crate::state::{Action, Playground};
use crate::storage::use_draft_keeping;

#[function_component(App)]
pub fn app() -> Html {
    let state =
        use_reducer(|| Playground::new(Route::parse(&route::current_hash()), route::embed_requested()));
    use_route(state.dispatcher().to_callback().reform(Action::Navigated));
    use_route_loading(&state);
    use_draft_keeping(&state);
    use_diagnosis_worker(&state);
    use_card_focus(state.card_to_show);

    let body = match &state.route {
        Route::Rules(code) => html! { <RulePage code={code.clone()} /> },
        Route::Learn(id) => html! {
            <LearnPage exercise={id.clone()} outcome={state.outcome.clone()} ready={state.current() && state.outcome.id > 0}
                on_load={state.dispatcher().to_callback().reform(Action::ExerciseLoaded)} />
        },
        _ => playground(&state),
    };
    // The fragment is the router's: the skip link focuses the diagnosis instead of navigating.
    let skip_to_diagnosis = Callback::from(|e: MouseEvent| {
        e.prevent_default();
        browser::focus_by_id("diagnosis");
    });
    html! {
        <LiveRegion summary={state.announcement()}>
        <div class={classes!("page", state.embed.then_some("embed"))}>
            <a class="skip-link" href="#diagnosis" onclick={skip_to_diagnosis}>{"Skip to the diagnosis"}</a>
            if !state.embed {
                <header class="top">
                    <h1><a href="#/"><span class="logo" aria-hidden="true">{"502"}</span>{" badgateway"}</a></h1>
                    <p class="tagline">{"Why nginx says “502 Bad Gateway” — proven from your config, listeners and error log, with the fix. Runs offline in your browser: nothing you paste leaves this page."}</p>
                    <nav class="top-nav"><a href="#/learn">{"Learn"}</a>{" · "}<a href="#/rules">{"Rule reference"}</a></nav>
                </header>
            }
            {body}
        </div>
    </LiveRegion>
    }
}
