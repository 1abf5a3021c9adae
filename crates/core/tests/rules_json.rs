//! `www/rules.json` is the page's rule reference, generated from the rules' own doc
//! comments, with each rule's Markdown also rendered to HTML here (pulldown-cmark), so the
//! page shows it as it is and carries no Markdown renderer. This test fails when the file
//! is out of date; `UPDATE_RULES_JSON=1 cargo test -p badgateway-core --test rules_json`
//! rewrites it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_core::diagnose::rules::RULES;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Parser, Tag, TagEnd};

/// The only elements the rendered docs may contain (checked below, so a doc comment can
/// never put markup of its own on the page: raw HTML in a doc is shown as text).
const ALLOWED_TAGS: &[&str] =
    &["h3", "p", "ul", "ol", "li", "pre", "code", "a", "em", "strong", "blockquote"];

/// The rule's Markdown as HTML: `##` sections become `<h3>` (the page's rule title is the
/// `<h2>`), a bare `https://` reference becomes a link, raw HTML is escaped.
fn docs_html(markdown: &str) -> String {
    // Doc comments keep the space after `///`.
    let text: String =
        markdown.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n");
    let events = Parser::new(&text).flat_map(|event| -> Vec<Event<'_>> {
        match event {
            Event::Start(Tag::Heading { level: HeadingLevel::H2, id, classes, attrs }) => {
                vec![Event::Start(Tag::Heading { level: HeadingLevel::H3, id, classes, attrs })]
            }
            Event::End(TagEnd::Heading(HeadingLevel::H2)) => {
                vec![Event::End(TagEnd::Heading(HeadingLevel::H3))]
            }
            Event::Html(raw) | Event::InlineHtml(raw) => vec![Event::Text(raw)],
            Event::Text(t) if t.starts_with("https://") && !t.contains(char::is_whitespace) => {
                let url: CowStr<'_> = t.clone();
                vec![
                    Event::Start(Tag::Link {
                        link_type: LinkType::Autolink,
                        dest_url: url,
                        title: "".into(),
                        id: "".into(),
                    }),
                    Event::Text(t),
                    Event::End(TagEnd::Link),
                ]
            }
            other => vec![other],
        }
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    html
}

fn generated() -> String {
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| {
            let mut v = serde_json::to_value(r.info).unwrap();
            v["html"] = docs_html(r.info.docs).into();
            v
        })
        .collect();
    let mut json = serde_json::to_string_pretty(&serde_json::json!({ "rules": rules })).unwrap();
    json.push('\n');
    json
}

#[test]
fn rules_json_matches_the_rules_documentation() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/rules.json");
    let want = generated();
    if std::env::var_os("UPDATE_RULES_JSON").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "www/rules.json is out of date: run UPDATE_RULES_JSON=1 cargo test -p badgateway-core --test rules_json"
    );
    assert!(want.contains("\"BG202\"") && want.contains("## What it detects"));
}

#[test]
fn rendered_docs_hold_only_known_elements_and_no_raw_markdown() {
    for rule in RULES {
        let html = docs_html(rule.info.docs);
        let code = rule.info.code;
        assert!(html.contains("<h3>What it detects</h3>"), "{code}: {html}");
        for tag in html.split('<').skip(1) {
            let name: String =
                tag.trim_start_matches('/').chars().take_while(char::is_ascii_alphanumeric).collect();
            assert!(ALLOWED_TAGS.contains(&name.as_str()), "{code}: <{name}> in {html}");
            if let Some(href) = tag.strip_prefix("a href=\"") {
                assert!(href.starts_with("https://"), "{code}: link {href}");
            }
        }
        // Markdown left as text would show as `**`, `##` or backticks on the page.
        let outside_code: String =
            html.split("<code").map(|part| part.split_once("</code>").map_or(part, |p| p.1)).collect();
        for raw in ["**", "## ", "`"] {
            assert!(!outside_code.contains(raw), "{code}: raw {raw:?} in {html}");
        }
    }
}

#[test]
fn raw_html_in_a_doc_is_shown_as_text() {
    let html =
        docs_html(" ## Fix\n Run <script>alert(1)</script>.\n\n ## References\n - https://nginx.org/x\n");
    assert!(!html.contains("<script"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "{html}");
    assert!(html.contains("<a href=\"https://nginx.org/x\">https://nginx.org/x</a>"), "{html}");
}
