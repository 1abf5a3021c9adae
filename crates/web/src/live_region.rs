//! The page's one live region: screen readers hear a short summary of each diagnosis
//! ("2 errors: BG202 …") and the page's small confirmations ("Copied"), nothing else
//! (no timings, no card text). Components announce through [`use_announce`].

use badgateway_core::finding::Severity;
use badgateway_core::view::FindingView;
use yew::prelude::*;

#[derive(Clone, PartialEq, Default)]
struct Spoken {
    text: String,
    /// Flipped on every announcement, so the same words twice are heard twice.
    again: bool,
}

impl Reducible for Spoken {
    type Action = String;
    fn reduce(self: std::rc::Rc<Self>, text: String) -> std::rc::Rc<Self> {
        Spoken { text, again: !self.again }.into()
    }
}

/// What components call to announce a sentence.
#[derive(Clone, PartialEq)]
struct Announcer(UseReducerDispatcher<Spoken>);

#[derive(Properties, PartialEq)]
pub struct LiveRegionProps {
    /// The current diagnosis in one line (see [`diagnosis_summary`]); announced when it changes.
    pub summary: AttrValue,
    pub children: Html,
}

#[function_component(LiveRegion)]
pub fn live_region(props: &LiveRegionProps) -> Html {
    let spoken = use_reducer(Spoken::default);
    {
        let dispatcher = spoken.dispatcher();
        use_effect_with(props.summary.clone(), move |summary| {
            if !summary.is_empty() {
                dispatcher.dispatch(summary.to_string());
            }
        });
    }
    let announcer = Announcer(spoken.dispatcher());
    html! {
        <ContextProvider<Announcer> context={announcer}>
            {props.children.clone()}
            <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announce">
                {&spoken.text}{if spoken.again { "\u{a0}" } else { "" }}
            </div>
        </ContextProvider<Announcer>>
    }
}

/// Announces a sentence in the live region (a no-op outside [`LiveRegion`]).
#[hook]
pub fn use_announce() -> Callback<String> {
    let announcer = use_context::<Announcer>();
    Callback::from(move |text: String| {
        if let Some(Announcer(dispatcher)) = &announcer {
            dispatcher.dispatch(text);
        }
    })
}

/// "2 errors, 1 warning: BG202 The backend listens on another port …" — the counts, then the
/// top finding's code and title.
pub fn diagnosis_summary(findings: &[FindingView]) -> String {
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let counts: Vec<String> =
        [(Severity::Error, "error"), (Severity::Warning, "warning"), (Severity::Info, "note")]
            .into_iter()
            .filter_map(|(s, word)| {
                let n = count(s);
                (n > 0).then(|| format!("{n} {word}{}", if n == 1 { "" } else { "s" }))
            })
            .collect();
    match findings.first() {
        None => "No cause found".to_string(),
        Some(top) => format!("{}: {} {}", counts.join(", "), top.code, top.title),
    }
}
