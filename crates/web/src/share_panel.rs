//! "Share": a link that carries the three inputs in its fragment (compressed, never
//! sent to a server), made on demand.

use std::rc::Rc;

use badgateway_core::share::{Shared, encode};
use yew::prelude::*;

use crate::{browser, route};

/// Links longer than this rarely survive chat apps and ticket systems.
const LONG_LINK: usize = 64 * 1024;

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub config: Rc<str>,
    pub listeners: Rc<str>,
    pub log: Rc<str>,
}

#[function_component(SharePanel)]
pub fn share_panel(props: &SharePanelProps) -> Html {
    let link = use_state(String::new);
    {
        // A link made for older inputs would mislead: drop it on every edit.
        let link = link.clone();
        use_effect_with((props.config.clone(), props.listeners.clone(), props.log.clone()), move |_| {
            link.set(String::new())
        });
    }
    let make = {
        let link = link.clone();
        let shared = Shared {
            config: props.config.to_string(),
            listeners: props.listeners.to_string(),
            log: props.log.to_string(),
            embed: false,
            redacted: false,
        };
        Callback::from(move |_: MouseEvent| link.set(format!("{}{}", route::page_address(), encode(&shared))))
    };
    let copy = {
        let link = link.clone();
        Callback::from(move |_: MouseEvent| browser::copy(&link))
    };
    let warning = (link.len() > LONG_LINK).then(|| {
        html! { <p class="warn">{format!("This link is {} KB long; some chat apps cut long links. Trim the log to the relevant lines.", link.len() / 1024)}</p> }
    });
    html! {
        <details class="share" data-testid="share">
            <summary>{"Share"}</summary>
            <p class="privacy">{"The link holds your three inputs, compressed in the part after “#”, which browsers never send to any server. Anyone with the link can read them: check them for secrets first."}</p>
            <button type="button" onclick={make} data-testid="make-link">{"Make link"}</button>
            if !link.is_empty() {
                <div class="link-row">
                    <input type="text" readonly=true value={(*link).clone()} aria-label="Share link" data-testid="share-link" />
                    <button type="button" class="copy" onclick={copy}>{"Copy"}</button>
                </div>
                {warning}
            }
        </details>
    }
}
