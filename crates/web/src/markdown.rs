//! Just enough Markdown for the rules' documentation: headings, paragraphs, lists,
//! fenced code, inline code and links, rendered as yew nodes (never as HTML text).

use yew::prelude::*;

fn inline(text: &str) -> Html {
    let mut nodes: Vec<Html> = Vec::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            nodes.push(html! { <code>{part}</code> });
        } else {
            for word in part.split_inclusive(' ') {
                let bare = word.trim_end();
                if bare.starts_with("https://") {
                    nodes.push(html! { <><a href={bare.to_string()} rel="noopener noreferrer" target="_blank">{bare}</a>{" "}</> });
                } else {
                    nodes.push(html! { {word} });
                }
            }
        }
    }
    html! { <>{for nodes}</> }
}

pub fn render(markdown: &str) -> Html {
    let mut blocks: Vec<Html> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut list: Vec<&str> = Vec::new();
    let mut code: Option<(String, Vec<&str>)> = None;
    let flush = |paragraph: &mut Vec<&str>, list: &mut Vec<&str>, blocks: &mut Vec<Html>| {
        if !paragraph.is_empty() {
            blocks.push(html! { <p>{inline(&paragraph.join(" "))}</p> });
            paragraph.clear();
        }
        if !list.is_empty() {
            let items = list.iter().map(|l| html! { <li>{inline(l)}</li> });
            blocks.push(html! { <ul>{for items}</ul> });
            list.clear();
        }
    };
    for raw in markdown.lines() {
        let line = raw.strip_prefix(' ').unwrap_or(raw);
        if let Some((lang, body)) = code.as_mut() {
            if line.trim_start().starts_with("```") {
                let text = body.join("\n");
                blocks.push(
                    html! { <pre class={classes!("doc-code", lang.clone())}><code>{text}</code></pre> },
                );
                code = None;
            } else {
                body.push(line);
            }
            continue;
        }
        if let Some(lang) = line.trim_start().strip_prefix("```") {
            flush(&mut paragraph, &mut list, &mut blocks);
            code = Some((lang.trim().to_string(), Vec::new()));
        } else if let Some(h) = line.strip_prefix("## ") {
            flush(&mut paragraph, &mut list, &mut blocks);
            blocks.push(html! { <h3>{h}</h3> });
        } else if let Some(item) = line.strip_prefix("- ") {
            if !paragraph.is_empty() {
                flush(&mut paragraph, &mut Vec::new(), &mut blocks);
            }
            list.push(item);
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut list, &mut blocks);
        } else {
            paragraph.push(line.trim());
        }
    }
    flush(&mut paragraph, &mut list, &mut blocks);
    html! { <>{for blocks}</> }
}
