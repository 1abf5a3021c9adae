//! The page's state, all of it: where the page is, the three inputs, the worker's latest
//! diagnosis and what the user asked to see. `reduce` calls into the core; components
//! and hooks only render it and dispatch actions (yew's `function_todomvc`).

use std::rc::Rc;

use badgateway_core::InputKind;
use badgateway_core::finding::Severity;
use badgateway_core::share::Shared;
use badgateway_core::sniff::{self, Verdict};
use badgateway_core::view::PageReport as Reply;
use yew::Reducible;

use crate::editor::{BoxMarks, EditorMark};
use crate::editor_spans::{EditorSpan, EditorSpans};
use crate::gallery::{Case, Story};
use crate::input_text::InputText;
use crate::live_region::diagnosis_summary;
use crate::route::Route;
use crate::storage::Draft;

/// The diagnosis shown: the worker's latest reply.
pub type Outcome = Reply;

/// Finding cards rendered before "Show all".
pub const FIRST_CARDS: usize = 30;

#[derive(Clone, Debug, PartialEq)]
pub struct Playground {
    /// Where the page is (the URL fragment).
    pub route: Route,
    /// Embed mode (an iframe in someone's docs): fixed for the page's life.
    pub embed: bool,
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
    /// A sentence above the boxes: a case that does not exist, a redacted share link …
    pub notice: Option<String>,
    /// The loaded gallery case's story, for its banner.
    pub story: Option<Rc<Story>>,
    /// The last draft fitted in local storage.
    pub draft_kept: bool,
    /// Show every finding card, not only the first [`FIRST_CARDS`].
    pub show_all: bool,
    /// A mark clicked in a box: its card's rank, to focus (and so scroll to) once rendered,
    /// with a counter so the same mark clicked twice works.
    pub card_to_show: Option<(usize, u64)>,
    /// "Redact first" (in Share), which "Copy report" honours too.
    pub redact: bool,
    /// Per box (config, listeners, log): the box whose kind of text it holds instead of its
    /// own, so the page offers to move it there.
    pub moves: [Option<InputKind>; 3],
}

pub enum Action {
    /// The URL fragment changed.
    Navigated(Route),
    Edit(InputKind, String),
    /// The user's own inputs put back (a draft after a reload, or Undo after Forget).
    Restore(Draft),
    /// A gallery case fills the boxes (and its story the banner).
    CaseLoaded(Case),
    /// Learn mode's exercise case fills the boxes (learn mode shows its own story).
    ExerciseLoaded(Case),
    /// The route names a case that is not in the gallery.
    CaseMissing(String),
    /// A share link was opened.
    Shared(Shared),
    /// A share link that could not be opened, and why.
    ShareFailed(String),
    /// "Forget my inputs": all three boxes emptied.
    Forget,
    /// Whether the draft just saved fitted in local storage.
    DraftSaved(bool),
    /// The inputs of this generation were posted to the worker.
    Sent(u64),
    Reply(Reply, EditorSpans),
    Focus(InputKind, EditorSpan),
    /// Move a box's text to the box that reads it (see [`Playground::moves`]).
    Move(InputKind),
    /// A finding's mark was clicked: show its card.
    ShowCard(usize),
    ShowAll,
    Redact(bool),
}

impl Playground {
    pub fn new(route: Route, embed: bool) -> Self {
        Playground {
            route,
            embed,
            config: InputText::default(),
            listeners: InputText::default(),
            log: InputText::default(),
            generation: 0,
            diagnosed: 0,
            in_flight: None,
            outcome: Rc::default(),
            spans: Rc::default(),
            focus: None,
            user_edited: false,
            loaded: 0,
            notice: None,
            story: None,
            draft_kept: true,
            show_all: false,
            card_to_show: None,
            redact: true,
            moves: [None; 3],
        }
    }

    /// The box this box's text belongs in, when it holds what another box reads.
    pub fn move_offer(&self, kind: InputKind) -> Option<InputKind> {
        self.moves.get(slot(kind)).copied().flatten()
    }

    /// Which boxes hold what another box reads. Only a box the diagnosis did not read (it
    /// has no summary) is sniffed again, and the sniff looks at 64 KB at most.
    fn find_moves(&self) -> [Option<InputKind>; 3] {
        InputKind::ALL.map(|kind| {
            let text = self.text(kind);
            if text.trim().is_empty() || self.outcome.summaries.iter().any(|s| s.input == Some(kind)) {
                return None;
            }
            match sniff::sniff(text.as_bytes(), kind) {
                Verdict::Elsewhere { holds, .. } => holds.input().filter(|&to| to != kind),
                _ => None,
            }
        })
    }

    fn set_text(&mut self, kind: InputKind, text: InputText) {
        match kind {
            InputKind::Config => self.config = text,
            InputKind::Listeners => self.listeners = text,
            InputKind::Log => self.log = text,
        }
    }

    /// Edits the worker has not seen yet, and the worker is free to take them.
    pub fn wants_diagnosis(&self) -> bool {
        self.in_flight.is_none() && self.diagnosed < self.generation
    }

    /// The outcome is the diagnosis of the texts the boxes hold now.
    pub fn current(&self) -> bool {
        self.generation == self.diagnosed
    }

    pub fn text(&self, kind: InputKind) -> &InputText {
        match kind {
            InputKind::Config => &self.config,
            InputKind::Listeners => &self.listeners,
            InputKind::Log => &self.log,
        }
    }

    pub fn inputs(&self) -> [InputText; 3] {
        [self.config.clone(), self.listeners.clone(), self.log.clone()]
    }

    /// Any box holds more than whitespace.
    pub fn anything(&self) -> bool {
        !(self.config.trim().is_empty() && self.listeners.trim().is_empty() && self.log.trim().is_empty())
    }

    /// The gallery case the route names.
    pub fn current_case(&self) -> Option<&str> {
        match &self.route {
            Route::Case(name) => Some(name),
            _ => None,
        }
    }

    /// How many finding cards are rendered.
    pub fn cards_shown(&self) -> usize {
        if self.show_all { self.outcome.findings.len() } else { FIRST_CARDS }
    }

    /// What the live region says of the diagnosis. In learn mode the diagnosis is the
    /// answer: nothing announces it before the reveal.
    pub fn announcement(&self) -> String {
        let learning = matches!(self.route, Route::Learn(_));
        if self.current() && self.anything() && self.outcome.id > 0 && !learning {
            diagnosis_summary(&self.outcome.findings)
        } else {
            String::new()
        }
    }

    /// What one box marks, for a diagnosis of the texts the boxes hold now; until then
    /// (`None`) the boxes keep the marks they have, moved along with the edits.
    pub fn box_marks(&self, kind: InputKind) -> Option<Rc<BoxMarks>> {
        if !self.current() {
            return None;
        }
        let severity = |s: Severity| match s {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Info => 2,
        };
        let marks = self
            .outcome
            .findings
            .iter()
            .flat_map(|f| f.evidence.iter().map(move |e| (f, e)))
            .zip(self.spans.evidence.iter())
            .filter(|((_, e), _)| e.location.input == kind)
            .map(|((f, e), span)| EditorMark {
                span: *span,
                rank: f.rank,
                severity: severity(f.severity),
                primary: e.primary,
                code: f.code.clone(),
                title: f.title.clone(),
                label: e.label.clone(),
                fix: f.fix.as_ref().map(|fix| fix.summary.clone()),
            })
            .collect();
        let unknown_lines = self
            .outcome
            .summaries
            .iter()
            .find(|s| s.input == Some(kind))
            .map(|s| s.unrecognized_lines.iter().copied().take(500).collect())
            .unwrap_or_default();
        let files = if kind == InputKind::Config { self.spans.files.clone() } else { Vec::new() };
        Some(Rc::new(BoxMarks { marks, unknown_lines, files }))
    }

    /// Each finding's evidence spans (the spans come in the findings' order), then the
    /// walkthrough's.
    pub fn card_spans(&self) -> (Vec<Rc<[EditorSpan]>>, Rc<[EditorSpan]>) {
        let mut first = 0;
        let cards = self
            .outcome
            .findings
            .iter()
            .map(|f| {
                let end = first + f.evidence.len();
                let spans: Rc<[EditorSpan]> = self.spans.evidence.get(first..end).unwrap_or_default().into();
                first = end;
                spans
            })
            .collect();
        (cards, self.spans.evidence.get(first..).unwrap_or_default().into())
    }

    fn replace_inputs(&mut self, config: String, listeners: String, log: String, user_edited: bool) {
        self.replace_texts([config.into(), listeners.into(), log.into()], user_edited);
    }

    fn replace_texts(&mut self, [config, listeners, log]: [InputText; 3], user_edited: bool) {
        self.config = config;
        self.listeners = listeners;
        self.log = log;
        self.moves = [None; 3];
        self.generation += 1;
        self.loaded += 1;
        self.focus = None;
        self.user_edited = user_edited;
    }
}

/// A box's place in [`Playground::moves`].
fn slot(kind: InputKind) -> usize {
    match kind {
        InputKind::Config => 0,
        InputKind::Listeners => 1,
        InputKind::Log => 2,
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Navigated(route) => {
                if matches!(route, Route::Main | Route::Share(_)) {
                    next.story = None;
                }
                next.route = route;
            }
            Action::Edit(kind, text) => {
                next.set_text(kind, text.into());
                if let Some(offer) = next.moves.get_mut(slot(kind)) {
                    *offer = None;
                }
                next.generation += 1;
                next.focus = None;
                next.user_edited = true;
            }
            Action::Restore(draft) => next.replace_inputs(draft.config, draft.listeners, draft.log, true),
            Action::CaseLoaded(case) => {
                next.notice = None;
                next.story = Some(Rc::new(case.story));
                next.replace_inputs(case.config, case.listeners, case.log, false);
            }
            Action::ExerciseLoaded(case) => next.replace_inputs(case.config, case.listeners, case.log, false),
            Action::CaseMissing(name) => next.notice = Some(format!("There is no example called “{name}”.")),
            Action::Shared(shared) => {
                next.notice = shared.redacted.then(|| {
                    "These inputs were redacted before sharing: addresses, names and paths are placeholders."
                        .to_string()
                });
                next.replace_inputs(shared.config, shared.listeners, shared.log, false);
            }
            Action::ShareFailed(why) => {
                next.notice = Some(format!("This share link could not be opened: {why}."))
            }
            Action::Forget => next.replace_inputs(String::new(), String::new(), String::new(), false),
            Action::DraftSaved(kept) => next.draft_kept = kept,
            Action::Sent(id) => next.in_flight = Some(id),
            Action::Reply(reply, spans) => {
                next.in_flight = None;
                if reply.id >= next.diagnosed {
                    next.diagnosed = reply.id;
                    next.outcome = Rc::new(reply);
                    next.spans = Rc::new(spans);
                    if next.current() {
                        next.moves = next.find_moves();
                    }
                }
            }
            Action::Move(from) => {
                let Some(to) = next.move_offer(from) else { return self };
                let (moving, there) = (next.text(from).clone(), next.text(to).clone());
                // Two boxes that each hold what the other reads swap; otherwise the text
                // moves into the box it belongs in, after what that box holds already.
                let swap = next.move_offer(to) == Some(from);
                let arriving = if swap || there.trim().is_empty() {
                    moving
                } else {
                    format!("{}\n{}", there.trim_end_matches('\n'), &*moving).into()
                };
                let leaving = if swap { there } else { InputText::default() };
                let texts = InputKind::ALL.map(|kind| match kind {
                    k if k == to => arriving.clone(),
                    k if k == from => leaving.clone(),
                    k => next.text(k).clone(),
                });
                next.replace_texts(texts, true);
            }
            Action::Focus(kind, range) => {
                let n = next.focus.map_or(0, |f| f.2 + 1);
                next.focus = Some((kind, range, n));
            }
            Action::ShowCard(rank) => {
                if rank > FIRST_CARDS {
                    next.show_all = true;
                }
                next.card_to_show = Some((rank, next.card_to_show.map_or(0, |r| r.1 + 1)));
            }
            Action::ShowAll => next.show_all = true,
            Action::Redact(on) => next.redact = on,
        }
        Rc::new(next)
    }
}
