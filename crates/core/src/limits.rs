//! Hard limits on what one diagnosis reads, so that no paste can freeze the page: an
//! input beyond [`MAX_INPUT_BYTES`] is cut at a line break and only its first part is
//! analysed, and the summary under the box says so. Everything below the limits is read
//! in full; the parsers are linear, iterative (no recursion per nesting level) and
//! bounded on includes, which `tests/hostile.rs` checks.

use serde::{Deserialize, Serialize};

use crate::input::{InputKind, Inputs, TextRange};
use crate::numbers::thousands;

/// Bytes read per input box. A real `nginx -T` of a large host is a few MB; logs are cut
/// to the lines that matter by whoever pastes them.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// A line longer than this is read, but its quoted evidence is cut (`…`) and the summary
/// mentions it: no real config, table or log line comes close.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// Findings kept, most likely first. One real cause rarely gives more than a few dozen;
/// a paste of a million `{` gives one nginx error per brace, and nginx itself stops at the
/// first.
pub const MAX_FINDINGS: usize = 1_000;

/// Findings kept per code, most likely first: a thousand broken upstreams of one kind must
/// not push every other code out of the report (or freeze the page with cards).
pub const MAX_FINDINGS_PER_CODE: usize = 100;

/// Firewall rule lines cited per finding: a paste of thousands of rules on one port
/// (generated rulesets, a rule per client address) names the first ones and counts the rest.
pub const MAX_RULES_CITED: usize = 8;

/// Bytes of a line quoted as evidence: beyond this, the quote is a window around the
/// highlighted part, so that a thousand findings on a 20 MB line stay small.
pub const MAX_QUOTE_BYTES: usize = 4 * 1024;

/// Bytes kept before the highlighted part when a long line is quoted.
const QUOTE_LEAD: u32 = 1024;

/// The part of `line` (a range of `text`) to quote for a span starting at `offset`: the
/// whole line when it is short, else a window of at most [`MAX_QUOTE_BYTES`] around
/// `offset`, on UTF-8 character boundaries.
pub fn quote_window(text: &[u8], line: TextRange, offset: u32) -> TextRange {
    if line.len() as usize <= MAX_QUOTE_BYTES {
        return line;
    }
    let offset = offset.clamp(line.start, line.end);
    let boundary = |mut i: u32| {
        while i > line.start && text.get(i as usize).is_some_and(|b| b & 0xC0 == 0x80) {
            i -= 1;
        }
        i
    };
    let start = boundary(offset.saturating_sub(QUOTE_LEAD).max(line.start));
    let end = boundary(start.saturating_add(MAX_QUOTE_BYTES as u32).min(line.end)).max(start);
    TextRange::new(start, end)
}

/// What the limits did to one input.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limited {
    /// Bytes given.
    pub given: usize,
    /// Bytes analysed (`given` unless cut).
    pub analysed: usize,
    /// Length of the longest line, when it is beyond [`MAX_LINE_BYTES`].
    pub longest_line: Option<usize>,
}

impl Limited {
    pub fn is_cut(&self) -> bool {
        self.analysed < self.given
    }

    /// The sentence for the summary under the box, when there is something to say.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.is_cut() {
            parts.push(format!(
                "only the first {} of {} analysed (limit {} per box)",
                megabytes(self.analysed),
                megabytes(self.given),
                megabytes(MAX_INPUT_BYTES)
            ));
        }
        if let Some(n) = self.longest_line {
            parts.push(format!("a line of {} bytes: quotes from it are cut", thousands(n)));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

fn megabytes(n: usize) -> String {
    // Integer arithmetic: float formatting would add its code to the page's wasm.
    let tenths = (n as u64).saturating_mul(10).saturating_add(512 * 1024) / (1024 * 1024);
    if tenths >= 100 {
        format!("{} MiB", (tenths + 5) / 10)
    } else {
        format!("{}.{} MiB", tenths / 10, tenths % 10)
    }
}

/// The part of `text` within the limits: at most `max` bytes, cut after the last line
/// break inside them (or at the last UTF-8 character boundary when there is none).
pub fn clamp(text: &[u8], max: usize) -> (&[u8], Limited) {
    let given = text.len();
    let cut = if given <= max {
        given
    } else {
        let head = text.get(..max).unwrap_or(text);
        match memchr::memrchr(b'\n', head) {
            Some(i) => i + 1,
            None => {
                // Back up over UTF-8 continuation bytes (at most 3).
                let mut i = max;
                while i > 0 && max - i < 4 && text.get(i).is_some_and(|b| b & 0xC0 == 0x80) {
                    i -= 1;
                }
                i
            }
        }
    };
    let kept = text.get(..cut).unwrap_or(text);
    let longest = longest_line(kept);
    (kept, Limited { given, analysed: cut, longest_line: (longest > MAX_LINE_BYTES).then_some(longest) })
}

fn longest_line(text: &[u8]) -> usize {
    let mut longest = 0;
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', text) {
        longest = longest.max(i - start);
        start = i + 1;
    }
    longest.max(text.len() - start)
}

/// Applies the limits to all three inputs; `[config, listeners, log]`.
pub fn apply(inputs: Inputs<'_>) -> (Inputs<'_>, [Limited; 3]) {
    let (config, c) = clamp_input(inputs.config);
    let (listeners, l) = clamp_input(inputs.listeners);
    let (log, g) = clamp_input(inputs.log);
    (Inputs { config, listeners, log }, [c, l, g])
}

fn clamp_input(text: Option<&[u8]>) -> (Option<&[u8]>, Limited) {
    match text {
        Some(t) => {
            let (kept, limited) = clamp(t, MAX_INPUT_BYTES);
            (Some(kept), limited)
        }
        None => (None, Limited::default()),
    }
}

/// Index of an input in the `[config, listeners, log]` arrays.
pub fn slot(input: InputKind) -> usize {
    match input {
        InputKind::Config => 0,
        InputKind::Listeners => 1,
        InputKind::Log => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_line_break_and_says_so() {
        let text = b"aaaa\nbbbb\ncccc\n";
        let (kept, l) = clamp(text, 12);
        assert_eq!(kept, b"aaaa\nbbbb\n");
        assert!(l.is_cut());
        assert_eq!((l.given, l.analysed), (15, 10));
        assert!(l.note().unwrap().contains("only the first"));
        let (kept, l) = clamp(text, 100);
        assert_eq!(kept, text);
        assert_eq!(l.note(), None);
    }

    #[test]
    fn a_single_line_is_cut_on_a_character_boundary() {
        let text = "ééééé".as_bytes();
        let (kept, _) = clamp(text, 5);
        assert_eq!(kept, "éé".as_bytes());
        let (kept, _) = clamp(&[0x80; 10], 5);
        assert_eq!(kept.len(), 1, "at most 3 bytes are given back");
    }

    #[test]
    fn long_lines_are_quoted_in_a_window() {
        let text = "é".repeat(10_000);
        let line = TextRange::new(0, 20_000);
        let w = quote_window(text.as_bytes(), line, 10_001);
        assert!(w.len() as usize <= MAX_QUOTE_BYTES);
        assert!(w.start <= 10_001 && 10_001 <= w.end);
        assert!(text.is_char_boundary(w.start as usize) && text.is_char_boundary(w.end as usize));
        let short = TextRange::new(0, 10);
        assert_eq!(quote_window(text.as_bytes(), short, 3), short);
    }

    #[test]
    fn long_lines_are_noted() {
        let mut text = vec![b'x'; MAX_LINE_BYTES + 1];
        text.push(b'\n');
        let (_, l) = clamp(&text, MAX_INPUT_BYTES);
        assert_eq!(l.longest_line, Some(MAX_LINE_BYTES + 1));
        assert!(l.note().unwrap().contains("1,048,577 bytes"));
    }
}
