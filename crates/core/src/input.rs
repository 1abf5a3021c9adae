//! The three pasted inputs, spans into them, and line lookup for rendering.

use serde::{Deserialize, Serialize};

pub use badgateway_config::TextRange;

/// Which of the three pastes a span points into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Config,
    Listeners,
    Log,
}

impl InputKind {
    pub const ALL: [InputKind; 3] = [InputKind::Config, InputKind::Listeners, InputKind::Log];

    pub fn as_str(self) -> &'static str {
        match self {
            InputKind::Config => "config",
            InputKind::Listeners => "listeners",
            InputKind::Log => "log",
        }
    }
}

/// A byte range in one of the inputs. Lines, columns and file names are computed
/// only when a finding is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    pub input: InputKind,
    pub range: TextRange,
}

impl Span {
    pub const fn new(input: InputKind, range: TextRange) -> Self {
        Self { input, range }
    }
}

/// The texts as the user gave them. Bytes, not `str`: a config may hold bytes that
/// are not UTF-8, and they must be kept and located, not replaced.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inputs<'a> {
    pub config: Option<&'a [u8]>,
    pub listeners: Option<&'a [u8]>,
    pub log: Option<&'a [u8]>,
}

impl<'a> Inputs<'a> {
    pub fn text(&self, kind: InputKind) -> &'a [u8] {
        match kind {
            InputKind::Config => self.config,
            InputKind::Listeners => self.listeners,
            InputKind::Log => self.log,
        }
        .unwrap_or_default()
    }

    /// An input that is absent or only white space counts as not given.
    pub fn has(&self, kind: InputKind) -> bool {
        self.text(kind).iter().any(|b| !b.is_ascii_whitespace())
    }
}

/// Start offsets of every line, built once per input when rendering needs them.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
    len: u32,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut starts = Vec::with_capacity(text.len() / 40 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)));
        Self { starts, len: u32::try_from(text.len()).unwrap_or(u32::MAX) }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Byte range of 0-based line `line`, without its line terminator.
    pub fn line_range(&self, text: &[u8], line: usize) -> TextRange {
        let start = self.starts.get(line).copied().unwrap_or(self.len);
        let mut end = self.starts.get(line + 1).map_or(self.len, |next| next.saturating_sub(1));
        if end > start && text.get(end as usize - 1) == Some(&b'\r') {
            end -= 1;
        }
        TextRange::new(start, end.max(start))
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based (line, column in bytes).
    pub fn line_col(&self, offset: u32) -> (usize, u32) {
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        (line, offset.saturating_sub(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_found_by_offset() {
        let text = b"a\r\nbc\n\nd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_count(), 4);
        assert_eq!(idx.line_of(0), 0);
        assert_eq!(idx.line_of(3), 1);
        assert_eq!(idx.line_of(6), 2);
        assert_eq!(idx.line_of(7), 3);
        assert_eq!(idx.line_range(text, 0), TextRange::new(0, 1));
        assert_eq!(idx.line_range(text, 1), TextRange::new(3, 5));
        assert_eq!(idx.line_range(text, 3), TextRange::new(7, 8));
        assert_eq!(idx.line_col(4), (1, 1));
    }
}
