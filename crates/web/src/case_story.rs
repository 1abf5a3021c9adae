//! What ties the gallery's cases to the rules: the story banner shown when a case is
//! loaded, and the list of real cases a rule page links to ("load this example").

use std::rc::Rc;

use yew::prelude::*;

use crate::gallery::{CaseEntry, Story, load_index};

#[derive(Properties, PartialEq)]
pub struct CaseBannerProps {
    pub story: Rc<Story>,
}

/// The loaded case: what the user saw first; how it was set up and what was wrong behind
/// a disclosure, so the diagnosis can be read (or guessed) before the answer.
#[function_component(CaseBanner)]
pub fn case_banner(props: &CaseBannerProps) -> Html {
    let s = &props.story;
    let rules = s.codes.iter().map(|c| html! { <a class="code" href={format!("#/rules/{c}")}>{c}</a> });
    html! {
        <section class="case-banner" data-testid="case-banner" aria-label="About this example">
            <p class="case-symptom"><strong>{"Example: "}</strong>{&s.symptom}</p>
            if !s.line.is_empty() { <code class="case-line">{&s.line}</code> }
            <details>
                <summary>{"What was set up, and what was wrong"}</summary>
                <p>{"Set up: "}{&s.setup}</p>
                <p>{&s.cause}</p>
                if !s.codes.is_empty() { <p>{"Rules it shows: "}{for rules}</p> }
            </details>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct CasesForRuleProps {
    pub code: String,
}

/// The real captures that show one rule, each with "load this example".
#[function_component(CasesForRule)]
pub fn cases_for_rule(props: &CasesForRuleProps) -> Html {
    let cases = use_state(|| None::<Rc<Vec<CaseEntry>>>);
    {
        let cases = cases.clone();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                cases.set(Some(Rc::new(load_index().await.unwrap_or_default())));
            });
        });
    }
    let Some(all) = (*cases).clone() else { return Html::default() };
    let showing: Vec<&CaseEntry> = all.iter().filter(|c| c.codes.contains(&props.code)).collect();
    if showing.is_empty() {
        return html! { <p class="note" data-testid="rule-cases">{"No lab capture shows this rule yet."}</p> };
    }
    let items = showing.iter().map(|c| {
        html! {
            <li><a href={format!("#/case/{}", c.name)} data-case={c.name.clone()}>{"Load this example"}</a>
                {" — "}<span class="case-symptom">{&c.symptom}</span></li>
        }
    });
    html! {
        <section class="rule-cases" data-testid="rule-cases">
            <h3>{"Real cases that show it"}</h3>
            <ul>{for items}</ul>
        </section>
    }
}
