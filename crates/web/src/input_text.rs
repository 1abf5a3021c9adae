//! An input box's text as the page holds it: shared, never copied, compared by identity first.
//!
//! `Rc<str>` compares its contents even when both sides are the same allocation (the standard
//! library's pointer shortcut applies only to sized types), and yew compares every prop and
//! effect dependency on every render: with a 64 MB log in a box, each render compared the whole
//! log several times (~1 s of one main-thread task, measured in Chromium on a 64 MB paste).

use std::ops::Deref;
use std::rc::Rc;

#[derive(Clone, Debug, Default, Eq)]
pub struct InputText(Rc<str>);

impl PartialEq for InputText {
    fn eq(&self, other: &Self) -> bool {
        self.same(other) || self.0 == other.0
    }
}

impl InputText {
    /// The same text object (cheap; equal texts read twice are not the same).
    pub fn same(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Deref for InputText {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for InputText {
    fn from(text: String) -> Self {
        Self(text.into())
    }
}
