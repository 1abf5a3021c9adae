//! What the page shows before anything is pasted: a real broken case to try in one click
//! (a lab capture from the gallery) and the one command that collects all three inputs on
//! the server, with a plain shell line for hosts without badgateway.

use yew::prelude::*;

use crate::copy_button::CopyButton;

/// The example: the commonest 502 (the backend runs, on another port), captured by the lab.
const EXAMPLE: &str = "#/case/wrong-port";
/// `badgateway collect` writes config.txt, listeners.txt and error.log (crates/cli/src/collect.rs).
const COLLECT: &str = "sudo badgateway collect --out evidence/";
const SHELL: &str = "sudo sh -c 'nginx -T > config.txt 2>&1; ss -tlnpx > listeners.txt; tail -n 200 /var/log/nginx/error.log > error.log'";

pub fn empty_state() -> Html {
    html! {
        <div class="empty" data-testid="empty">
            <p>{"Paste what you have — any of the three boxes is enough to start. Nothing you paste leaves this page."}</p>
            <p><a class="try" href={EXAMPLE} data-testid="try-example">{"Try a real broken example"}</a>
                {" (nginx sends to port 8000, the app listens on 3000)."}</p>
            <p>{"On the server, one command collects all three inputs into evidence/ (drop the files on the boxes):"}</p>
            <p class="command"><code>{COLLECT}</code>
                <CopyButton text={COLLECT} label="Copy" aria_label="Copy the collect command" /></p>
            <p>{"Without badgateway installed:"}</p>
            <p class="command"><code>{SHELL}</code>
                <CopyButton text={SHELL} label="Copy" aria_label="Copy the shell line" /></p>
        </div>
    }
}
