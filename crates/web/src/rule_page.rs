//! The rule reference (`#/rules`, `#/rules/BG202`): each rule's own documentation,
//! loaded from rules.json (generated from the rules' doc comments) when first opened.

use std::rc::Rc;

use yew::prelude::*;

use crate::case_story::CasesForRule;
use crate::embed::EmbedThis;
use crate::fetch;
use crate::route::Route;

#[derive(Clone, Debug, PartialEq)]
pub struct RuleDoc {
    pub code: String,
    pub name: String,
    pub title: String,
    /// The documentation as HTML, rendered from the rule's Markdown when rules.json was
    /// generated (crates/core/tests/rules_json.rs, which also limits it to a few plain
    /// elements).
    pub html: AttrValue,
}

async fn load_rules() -> Option<Vec<RuleDoc>> {
    let file = fetch::json("./rules.json").await?;
    Some(
        fetch::items(&file, "rules")
            .iter()
            .map(|r| RuleDoc {
                code: fetch::string(r, "code"),
                name: fetch::string(r, "name"),
                title: fetch::string(r, "title"),
                html: fetch::string(r, "html").into(),
            })
            .collect(),
    )
}

#[derive(Properties, PartialEq)]
pub struct RulePageProps {
    pub code: Option<String>,
}

#[function_component(RulePage)]
pub fn rule_page(props: &RulePageProps) -> Html {
    let rules = use_state(|| None::<Rc<Vec<RuleDoc>>>);
    {
        let rules = rules.clone();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                if let Some(list) = load_rules().await {
                    rules.set(Some(Rc::new(list)));
                }
            });
        });
    }
    let Some(list) = (*rules).clone() else {
        return html! { <section class="reference"><p>{"Loading the rule reference…"}</p></section> };
    };
    let body = match &props.code {
        Some(code) => match list.iter().find(|r| &r.code == code) {
            Some(rule) => html! {
                <article class="rule-doc" data-testid="rule-doc">
                    <h2><span class="code">{&rule.code}</span>{" "}{&rule.title}</h2>
                    <p class="rule-name"><code>{&rule.name}</code></p>
                    <div class="rule-body">{Html::from_html_unchecked(rule.html.clone())}</div>
                    <CasesForRule code={rule.code.clone()} />
                    <EmbedThis route={Route::Rules(Some(rule.code.clone()))} />
                </article>
            },
            None => html! { <p>{format!("There is no rule {code}.")}</p> },
        },
        None => html! {
            <table class="rule-index">
                <thead><tr><th>{"Code"}</th><th>{"Problem"}</th></tr></thead>
                <tbody>
                { for list.iter().map(|r| html! {
                    <tr><td><a class="code" href={format!("#/rules/{}", r.code)}>{&r.code}</a></td><td>{&r.title}</td></tr>
                }) }
                </tbody>
            </table>
        },
    };
    html! {
        <section class="reference">
            <nav class="crumbs"><a href="#/">{"← Back to the playground"}</a>{" · "}<a href="#/rules">{"All rules"}</a></nav>
            {body}
        </section>
    }
}
