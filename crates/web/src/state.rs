//! The page's state. `reduce` calls into the core; components only render it.

use std::rc::Rc;

use badgateway_core::InputKind;
use yew::Reducible;

use badgateway_core::view::PageReport as Reply;

use crate::editor_spans::{EditorSpan, EditorSpans};
use crate::input_text::InputText;

/// The diagnosis shown: the worker's latest reply.
pub type Outcome = Reply;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Playground {
    pub config: InputText,
    pub listeners: InputText,
    pub log: InputText,
    /// Bumped on every edit; the debounce waits for it to settle.
    pub generation: u64,
    /// The generation `outcome` was computed from.
    pub diagnosed: u64,
    /// The generation the worker is diagnosing now. One job at a time: when it
    /// returns, the latest input is sent, never a backlog of stale ones.
    pub in_flight: Option<u64>,
    pub outcome: Rc<Outcome>,
    /// Where the outcome's evidence stands in the editors.
    pub spans: Rc<EditorSpans>,
    /// The evidence span the user clicked, to select and scroll to.
    pub focus: Option<(InputKind, EditorSpan, u64)>,
    /// The inputs are the user's own typing (kept as a draft), not a loaded case or link.
    pub user_edited: bool,
    /// Bumped when all inputs are replaced from outside, so the boxes take the new text.
    pub loaded: u64,
}

pub enum Action {
    Edit(InputKind, String),
    /// Replace all three inputs (a gallery case, a share link, a restored draft).
    Load {
        config: String,
        listeners: String,
        log: String,
        user_edited: bool,
    },
    /// The inputs of this generation were posted to the worker.
    Sent(u64),
    Reply(Reply, EditorSpans),
    Focus(InputKind, EditorSpan),
}

impl Playground {
    /// Edits the worker has not seen yet, and the worker is free to take them.
    pub fn wants_diagnosis(&self) -> bool {
        self.in_flight.is_none() && self.diagnosed < self.generation
    }

    pub fn text(&self, kind: InputKind) -> &InputText {
        match kind {
            InputKind::Config => &self.config,
            InputKind::Listeners => &self.listeners,
            InputKind::Log => &self.log,
        }
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Edit(kind, text) => {
                let text = InputText::from(text);
                match kind {
                    InputKind::Config => next.config = text,
                    InputKind::Listeners => next.listeners = text,
                    InputKind::Log => next.log = text,
                }
                next.generation += 1;
                next.focus = None;
                next.user_edited = true;
            }
            Action::Load { config, listeners, log, user_edited } => {
                next.config = config.into();
                next.listeners = listeners.into();
                next.log = log.into();
                next.generation += 1;
                next.loaded += 1;
                next.focus = None;
                next.user_edited = user_edited;
            }
            Action::Sent(id) => next.in_flight = Some(id),
            Action::Reply(reply, spans) => {
                next.in_flight = None;
                if reply.id >= next.diagnosed {
                    next.diagnosed = reply.id;
                    next.outcome = Rc::new(reply);
                    next.spans = Rc::new(spans);
                }
            }
            Action::Focus(kind, range) => {
                let n = next.focus.map_or(0, |f| f.2 + 1);
                next.focus = Some((kind, range, n));
            }
        }
        Rc::new(next)
    }
}
