//! "Share": a link that carries the three inputs in its fragment (compressed, never
//! sent to a server), made on demand.

use std::rc::Rc;

use badgateway_core::redact::redact;
use badgateway_core::share::Shared;
use yew::prelude::*;

use crate::{browser, route, share_codec};

/// Shown in place of the link by browsers without CompressionStream (before 2023).
const NO_COMPRESSION: &str = "This browser cannot compress the link (CompressionStream is missing): update it, or use `badgateway share` on the command line.";

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
    // Redacting first is the default: a link is easy to forward further than meant.
    let redact_first = use_state(|| true);
    let replaced = use_state(|| None::<usize>);
    {
        // A link made for older inputs would mislead: drop it on every edit.
        let link = link.clone();
        use_effect_with((props.config.clone(), props.listeners.clone(), props.log.clone()), move |_| {
            link.set(String::new())
        });
    }
    let make = {
        let link = link.clone();
        let replaced = replaced.clone();
        let redact_first = *redact_first;
        let (config, listeners, log) = (props.config.clone(), props.listeners.clone(), props.log.clone());
        Callback::from(move |_: MouseEvent| {
            let shared = if redact_first {
                let r = redact(&config, &listeners, &log);
                replaced.set(Some(r.replaced));
                Shared { config: r.config, listeners: r.listeners, log: r.log, embed: false, redacted: true }
            } else {
                replaced.set(None);
                Shared {
                    config: config.to_string(),
                    listeners: listeners.to_string(),
                    log: log.to_string(),
                    embed: false,
                    redacted: false,
                }
            };
            let link = link.clone();
            yew::platform::spawn_local(async move {
                link.set(match share_codec::encode(&shared).await {
                    Some(fragment) => format!("{}{}", route::page_address(), fragment),
                    None => NO_COMPRESSION.to_string(),
                });
            });
        })
    };
    let toggle = {
        let redact_first = redact_first.clone();
        let link = link.clone();
        Callback::from(move |_: Event| {
            redact_first.set(!*redact_first);
            link.set(String::new());
        })
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
            <label class="redact">
                <input type="checkbox" checked={*redact_first} onchange={toggle} data-testid="redact" />
                {" Redact first: replace IP addresses, host and server names, paths and anything secret-looking, the same value by the same placeholder in all three boxes (the diagnosis stays the same)"}
            </label>
            <button type="button" onclick={make} data-testid="make-link">{"Make link"}</button>
            if !link.is_empty() {
                <div class="link-row">
                    <input type="text" readonly=true value={(*link).clone()} aria-label="Share link" data-testid="share-link" />
                    <button type="button" class="copy" onclick={copy}>{"Copy"}</button>
                </div>
                {warning}
                if let Some(n) = *replaced {
                    <p class="privacy" data-testid="redacted-count">{format!("{n} value(s) replaced. Open the link to check what it shows before you send it.")}</p>
                }
            }
        </details>
    }
}
