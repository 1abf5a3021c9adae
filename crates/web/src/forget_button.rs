//! "Forget my inputs", undoable for a few seconds: the forgotten texts are kept in memory
//! (only) until the Undo offer expires.

use std::rc::Rc;

use gloo_timers::callback::Timeout;
use yew::prelude::*;

use crate::input_text::InputText;
use crate::live_region::use_announce;

/// How long Undo is offered.
const UNDO_MS: u32 = 8000;

#[derive(Properties, PartialEq)]
pub struct ForgetButtonProps {
    pub inputs: [InputText; 3],
    pub on_forget: Callback<()>,
    /// Puts these three texts back (config, listeners, log).
    pub on_restore: Callback<[String; 3]>,
}

#[function_component(ForgetButton)]
pub fn forget_button(props: &ForgetButtonProps) -> Html {
    let kept = use_state(|| None::<Rc<[InputText; 3]>>);
    let timer = use_mut_ref(|| None::<Timeout>);
    let announce = use_announce();
    let forget = {
        let kept = kept.clone();
        let timer = timer.clone();
        let inputs = props.inputs.clone();
        let on_forget = props.on_forget.clone();
        let announce = announce.clone();
        Callback::from(move |_: MouseEvent| {
            kept.set(Some(Rc::new(inputs.clone())));
            on_forget.emit(());
            announce.emit("Inputs forgotten. Undo is offered for a few seconds.".to_string());
            let kept = kept.clone();
            *timer.borrow_mut() = Some(Timeout::new(UNDO_MS, move || kept.set(None)));
        })
    };
    let undo = (*kept).clone().map(|texts| {
        let kept = kept.clone();
        let on_restore = props.on_restore.clone();
        let onclick = Callback::from(move |_: MouseEvent| {
            let [c, l, g] = &*texts;
            on_restore.emit([c.to_string(), l.to_string(), g.to_string()]);
            kept.set(None);
            timer.borrow_mut().take();
            announce.emit("Inputs restored".to_string());
        });
        html! { <button type="button" class="undo" {onclick} data-testid="undo-forget">{"Undo"}</button> }
    });
    html! {
        <>
            <button type="button" onclick={forget} data-testid="forget">{"Forget my inputs"}</button>
            {undo}
        </>
    }
}
