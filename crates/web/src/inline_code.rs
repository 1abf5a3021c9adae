//! A finding's texts as the core writes them: plain sentences in which `backticks` mark
//! config or commands. Shown as `<code>`, never as HTML text, so no quote can be markup.

use yew::prelude::*;

/// `text` with every `quoted` part as `<code>`; an unmatched backtick stays as it is.
pub fn inline_code(text: &str) -> Html {
    let parts: Vec<&str> = text.split('`').collect();
    let closed = parts.len() % 2 == 1;
    let nodes = parts.iter().enumerate().map(|(i, part)| {
        if i % 2 == 1 && (closed || i + 1 < parts.len()) {
            html! { <code>{*part}</code> }
        } else if i % 2 == 1 {
            html! { <>{"`"}{*part}</> }
        } else {
            html! { {*part} }
        }
    });
    html! { <>{for nodes}</> }
}
