//! The gallery: real captures (the lab's, which the tests also diagnose), one per
//! cause, grouped like the common 502 guides. Choosing one fills the three boxes.

use std::rc::Rc;

use yew::prelude::*;

use crate::fetch;

#[derive(Clone, Debug, PartialEq)]
pub struct CaseEntry {
    pub name: String,
    pub title: String,
    pub cause: String,
    pub group: String,
    pub codes: Vec<String>,
    pub statuses: Vec<u16>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub config: String,
    pub listeners: String,
    pub log: String,
}

pub async fn load_case(name: &str) -> Option<Case> {
    // Names come from the URL: only the characters case names use.
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return None;
    }
    let case = fetch::json(&format!("./cases/{name}.json")).await?;
    Some(Case {
        config: fetch::string(&case, "config"),
        listeners: fetch::string(&case, "listeners"),
        log: fetch::string(&case, "log"),
    })
}

async fn load_index() -> Option<Vec<CaseEntry>> {
    let index = fetch::json("./cases/index.json").await?;
    Some(
        fetch::items(&index, "cases")
            .iter()
            .map(|c| CaseEntry {
                name: fetch::string(c, "name"),
                title: fetch::string(c, "title"),
                cause: fetch::string(c, "cause"),
                group: fetch::string(c, "group"),
                codes: fetch::items(c, "codes").iter().filter_map(|v| v.as_string()).collect(),
                statuses: fetch::items(c, "statuses")
                    .iter()
                    .filter_map(|v| v.as_f64())
                    .map(|v| v as u16)
                    .collect(),
            })
            .collect(),
    )
}

#[derive(Properties, PartialEq)]
pub struct GalleryProps {
    pub current: Option<String>,
}

#[function_component(Gallery)]
pub fn gallery(props: &GalleryProps) -> Html {
    let index = use_state(|| None::<Rc<Vec<CaseEntry>>>);
    {
        let index = index.clone();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                if let Some(cases) = load_index().await {
                    index.set(Some(Rc::new(cases)));
                }
            });
        });
    }
    let Some(cases) = (*index).clone() else { return Html::default() };
    let mut groups: Vec<(&str, Vec<&CaseEntry>)> = Vec::new();
    for case in cases.iter() {
        match groups.iter_mut().find(|(g, _)| *g == case.group) {
            Some((_, list)) => list.push(case),
            None => groups.push((&case.group, vec![case])),
        }
    }
    let groups = groups.into_iter().map(|(group, list)| {
        let items = list.into_iter().map(|c| {
            let status = c.statuses.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
            let current = props.current.as_deref() == Some(c.name.as_str());
            html! {
                <li>
                    <a href={format!("#/case/{}", c.name)} aria-current={current.then_some("true")} title={c.cause.clone()}>
                        {&c.title}
                    </a>
                    <span class="case-meta">{c.codes.join(" ")}{if status.is_empty() { String::new() } else { format!(" · HTTP {status}") }}</span>
                </li>
            }
        });
        html! { <li class="group"><h4>{group}</h4><ul>{for items}</ul></li> }
    });
    html! {
        <details class="gallery" data-testid="gallery">
            <summary>{"Examples: real broken setups, captured from nginx"}</summary>
            <ul class="groups">{for groups}</ul>
        </details>
    }
}
