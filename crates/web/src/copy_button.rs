//! A button that copies a text, says "Copied" for a moment and announces it.

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::browser;
use crate::live_region::use_announce;

/// How long the button says "Copied".
const COPIED_MS: u32 = 2000;

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    pub text: AttrValue,
    pub label: AttrValue,
    #[prop_or_default]
    pub aria_label: Option<AttrValue>,
    #[prop_or_default]
    pub title: Option<AttrValue>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

/// Copies a text, then says "Copied" (the `bool`, for a moment) and announces it.
#[hook]
pub fn use_copy() -> (bool, Callback<String>) {
    let copied = use_state(|| false);
    let timer = use_mut_ref(|| None::<Timeout>);
    let announce = use_announce();
    let copy = {
        let copied = copied.clone();
        Callback::from(move |text: String| {
            browser::copy(&text);
            copied.set(true);
            announce.emit("Copied".to_string());
            let copied = copied.clone();
            *timer.borrow_mut() = Some(Timeout::new(COPIED_MS, move || copied.set(false)));
        })
    };
    (*copied, copy)
}

#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let (copied, copy) = use_copy();
    let text = props.text.clone();
    let onclick = Callback::from(move |_: MouseEvent| copy.emit(text.to_string()));
    html! {
        <button type="button" class={classes!("copy", copied.then_some("copied"))} {onclick}
            aria-label={props.aria_label.clone()} title={props.title.clone()} data-testid={props.testid.clone()}>
            { if copied { "Copied".into() } else { props.label.clone() } }
        </button>
    }
}
