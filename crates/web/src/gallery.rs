//! The gallery: real captures (the lab's, which the tests also diagnose), one per
//! cause, named and grouped by their symptom (what the error log says), never by their
//! cause. Choosing one fills the three boxes and closes the gallery.
//! Its index (cases/index.json) loads when the gallery is first opened, not with the
//! page, so it is not part of the page's weight (docs/performance.md).

use std::rc::Rc;

use yew::prelude::*;

use crate::fetch;

#[derive(Clone, Debug, PartialEq)]
pub struct CaseEntry {
    pub name: String,
    /// What the user saw (the first error line, shortened): the link text.
    pub symptom: String,
    pub group: String,
    pub codes: Vec<String>,
    pub statuses: Vec<u16>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    pub config: String,
    pub listeners: String,
    pub log: String,
    pub story: Story,
}

/// What a case is about, for its banner: the symptom, how the lab set it up, the cause.
#[derive(Clone, Debug, PartialEq)]
pub struct Story {
    pub name: String,
    pub symptom: String,
    /// The first error line nginx logged, whole.
    pub line: String,
    pub setup: String,
    pub cause: String,
    pub codes: Vec<String>,
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
        story: Story {
            name: name.to_string(),
            symptom: fetch::string(&case, "symptom"),
            line: fetch::string(&case, "line"),
            setup: fetch::string(&case, "setup"),
            cause: fetch::string(&case, "cause"),
            codes: fetch::items(&case, "codes").iter().filter_map(|v| v.as_string()).collect(),
        },
    })
}

pub async fn load_index() -> Option<Vec<CaseEntry>> {
    let index = fetch::json("./cases/index.json").await?;
    Some(
        fetch::items(&index, "cases")
            .iter()
            .map(|c| CaseEntry {
                name: fetch::string(c, "name"),
                symptom: fetch::string(c, "symptom"),
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

/// Where the gallery's index is: fetched on the first opening of the gallery.
#[derive(Clone, PartialEq)]
enum Index {
    NotAsked,
    Loading,
    Loaded(Rc<Vec<CaseEntry>>),
    Failed,
}

#[function_component(Gallery)]
pub fn gallery(props: &GalleryProps) -> Html {
    let index = use_state(|| Index::NotAsked);
    // A case chosen: close the gallery so the boxes it filled are in view.
    let details = use_node_ref();
    {
        let details = details.clone();
        use_effect_with(props.current.clone(), move |current| {
            if current.is_some()
                && let Some(d) = details.cast::<web_sys::HtmlDetailsElement>()
            {
                d.set_open(false);
            }
        });
    }
    let ontoggle = {
        let index = index.clone();
        Callback::from(move |_: Event| {
            if matches!(*index, Index::NotAsked | Index::Failed) {
                index.set(Index::Loading);
                let index = index.clone();
                yew::platform::spawn_local(async move {
                    index.set(match load_index().await {
                        Some(cases) => Index::Loaded(Rc::new(cases)),
                        None => Index::Failed,
                    });
                });
            }
        })
    };
    let summary = html! { <summary>{"Examples: real broken setups, captured from nginx"}</summary> };
    let cases = match &*index {
        Index::Loaded(cases) => cases.clone(),
        Index::Failed => {
            return html! {
                <details class="gallery" data-testid="gallery" open=true {ontoggle} ref={details}>
                    {summary}
                    <p class="note">{"The examples could not be loaded: check the connection, then open this again."}</p>
                </details>
            };
        }
        Index::NotAsked | Index::Loading => {
            return html! { <details class="gallery" data-testid="gallery" {ontoggle} ref={details}>{summary}</details> };
        }
    };
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
                    <a href={format!("#/case/{}", c.name)} aria-current={current.then_some("true")}>
                        {&c.symptom}
                    </a>
                    if !status.is_empty() { <span class="case-meta">{format!("HTTP {status}")}</span> }
                </li>
            }
        });
        html! { <li class="group"><h4>{group}</h4><ul>{for items}</ul></li> }
    });
    html! {
        <details class="gallery" data-testid="gallery" open=true {ontoggle} ref={details}>
            {summary}
            <ul class="groups">{for groups}</ul>
        </details>
    }
}
