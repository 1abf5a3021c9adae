//! "Share": a link that carries the three inputs in its fragment (compressed, never
//! sent to a server), made on demand.

use badgateway_core::redact::redact;
use badgateway_core::share::Shared;
use yew::prelude::*;

use crate::copy_button::CopyButton;
use crate::input_text::InputText;
use crate::{route, share_codec};

/// Shown in place of the link by browsers without CompressionStream (before 2023).
const NO_COMPRESSION: &str = "This browser cannot compress the link (CompressionStream is missing): update it, or use `badgateway share` on the command line.";

/// Links longer than this rarely survive chat apps and ticket systems.
const LONG_LINK: usize = 64 * 1024;

/// A share link for these inputs, redacted first if asked, with the number of values
/// redaction replaced. The link is a sentence instead when the browser cannot compress.
pub async fn make_link(
    config: &str,
    listeners: &str,
    log: &str,
    redact_first: bool,
) -> (String, Option<usize>) {
    let (shared, replaced) = if redact_first {
        let r = redact(config, listeners, log);
        (
            Shared { config: r.config, listeners: r.listeners, log: r.log, embed: false, redacted: true },
            Some(r.replaced),
        )
    } else {
        let (config, listeners, log) = (config.to_string(), listeners.to_string(), log.to_string());
        (Shared { config, listeners, log, embed: false, redacted: false }, None)
    };
    let link = match share_codec::encode(&shared).await {
        Some(fragment) => format!("{}{}", route::page_address(), fragment),
        None => NO_COMPRESSION.to_string(),
    };
    (link, replaced)
}

#[derive(Properties, PartialEq)]
pub struct SharePanelProps {
    pub config: InputText,
    pub listeners: InputText,
    pub log: InputText,
    /// Redact before sharing (the page's one setting: "Copy report" honours it too).
    pub redact: bool,
    pub on_redact: Callback<bool>,
}

#[function_component(SharePanel)]
pub fn share_panel(props: &SharePanelProps) -> Html {
    let link = use_state(String::new);
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
        let redact_first = props.redact;
        let (config, listeners, log) = (props.config.clone(), props.listeners.clone(), props.log.clone());
        Callback::from(move |_: MouseEvent| {
            let (link, replaced) = (link.clone(), replaced.clone());
            let (config, listeners, log) = (config.clone(), listeners.clone(), log.clone());
            yew::platform::spawn_local(async move {
                let (made, count) = make_link(&config, &listeners, &log, redact_first).await;
                replaced.set(count);
                link.set(made);
            });
        })
    };
    let toggle = {
        let on_redact = props.on_redact.clone();
        let redact = props.redact;
        let link = link.clone();
        Callback::from(move |_: Event| {
            on_redact.emit(!redact);
            link.set(String::new());
        })
    };
    let warning = (link.len() > LONG_LINK).then(|| {
        html! { <p class="warn">{format!("This link is {} KB long; some chat apps cut long links. Trim the log to the relevant lines.", link.len() / 1024)}</p> }
    });
    html! {
        <details class="share" data-testid="share">
            <summary>{"Share"}</summary>
            <p class="privacy">{"The link holds your three inputs, compressed in the part after “#”, which browsers never send to any server. Anyone with the link can read them: check them for secrets first."}</p>
            <label class="redact">
                <input type="checkbox" checked={props.redact} onchange={toggle} data-testid="redact" />
                {" Redact first: replace IP addresses, host and server names, paths and anything secret-looking, the same value by the same placeholder in all three boxes (the diagnosis stays the same)"}
            </label>
            <button type="button" onclick={make} data-testid="make-link">{"Make link"}</button>
            if !link.is_empty() {
                <div class="link-row">
                    <input type="text" readonly=true value={(*link).clone()} aria-label="Share link" data-testid="share-link" />
                    <CopyButton text={(*link).clone()} label="Copy" aria_label="Copy the share link" />
                </div>
                {warning}
                if let Some(n) = *replaced {
                    <p class="privacy" data-testid="redacted-count">{format!("{n} value(s) replaced. Open the link to check what it shows before you send it.")}</p>
                }
            }
        </details>
    }
}
