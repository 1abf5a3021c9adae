//! The page's state. `reduce` calls into the core; components only render it.

use std::rc::Rc;

use badgateway_core::view::FindingView;
use badgateway_core::{InputKind, InputSummary, Inputs, TextRange, analyze};
use yew::Reducible;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Outcome {
    pub findings: Vec<FindingView>,
    pub summaries: Vec<InputSummary>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Playground {
    pub config: Rc<str>,
    pub listeners: Rc<str>,
    pub log: Rc<str>,
    /// Bumped on every edit; the debounce waits for it to settle.
    pub generation: u64,
    /// The generation `outcome` was computed from.
    pub diagnosed: u64,
    pub outcome: Rc<Outcome>,
    /// The evidence span the user clicked, to scroll to and highlight.
    pub focus: Option<(InputKind, TextRange, u64)>,
}

pub enum Action {
    Edit(InputKind, String),
    Diagnose,
    Focus(InputKind, TextRange),
}

impl Playground {
    pub fn text(&self, kind: InputKind) -> &Rc<str> {
        match kind {
            InputKind::Config => &self.config,
            InputKind::Listeners => &self.listeners,
            InputKind::Log => &self.log,
        }
    }

    fn diagnose(&self) -> Outcome {
        let inputs = Inputs {
            config: Some(self.config.as_bytes()),
            listeners: Some(self.listeners.as_bytes()),
            log: Some(self.log.as_bytes()),
        };
        let analysis = analyze(inputs);
        Outcome { findings: analysis.views(), summaries: analysis.summaries() }
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(kind, text) => {
                let text: Rc<str> = text.into();
                match kind {
                    InputKind::Config => next.config = text,
                    InputKind::Listeners => next.listeners = text,
                    InputKind::Log => next.log = text,
                }
                next.generation += 1;
                next.focus = None;
            }
            Action::Diagnose => {
                if next.diagnosed == next.generation {
                    return self;
                }
                next.outcome = Rc::new(next.diagnose());
                next.diagnosed = next.generation;
            }
            Action::Focus(kind, range) => {
                let n = next.focus.map_or(0, |f| f.2 + 1);
                next.focus = Some((kind, range, n));
            }
        }
        Rc::new(next)
    }
}
