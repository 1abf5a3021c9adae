//! Undoes what copying did to a paste, keeping a map back to the user's own bytes.
//!
//! People paste evidence from chats, issue trackers, blogs and log shippers, and the text
//! changes on the way (`/work/shared/reference/paste-forms.md`): Markdown fences, quote
//! markers, backticks and bold; links an issue tracker added to host names; curly quotes,
//! HTML entities, non-breaking and zero-width spaces; docker's json-file lines with their
//! escapes; lines wrapped onto the next line. [`unpaste`] gives the readers a text with
//! all that undone and [`Unpasted::range`], which maps a range of it back to the original,
//! so highlights and quoted evidence stay exactly the user's bytes.
//!
//! Linear in the input, one pass; a text that needs nothing undone is borrowed as is.

use std::borrow::Cow;

use crate::input::TextRange;

/// A stretch of the unpasted text and the original bytes it stands for. Where both
/// lengths are equal the stretch maps byte for byte; otherwise it replaced the original
/// stretch as a whole (`&quot;` -> `"`, a json `\"` -> `"`, a wrapped line's newline and
/// indentation -> `, `).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    norm: u32,
    orig: u32,
    norm_len: u32,
    orig_len: u32,
}

/// The text with the paste's wrappers undone, and the way back to the original.
pub struct Unpasted<'a> {
    text: Cow<'a, [u8]>,
    /// Empty when the text is borrowed unchanged.
    runs: Vec<Run>,
    original_len: usize,
    /// Lines whose quoting, escaping or typography was undone.
    pub changed_lines: usize,
    /// Lines joined onto the line before them (wrapped lines, one field per line).
    pub joined_lines: usize,
}

impl Unpasted<'_> {
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Nothing was undone: ranges of [`Unpasted::text`] are ranges of the original.
    pub fn is_unchanged(&self) -> bool {
        matches!(self.text, Cow::Borrowed(_))
    }

    fn run_at(&self, n: usize) -> Option<&Run> {
        let i = self.runs.partition_point(|r| r.norm as usize <= n);
        self.runs.get(i.checked_sub(1)?)
    }

    /// The original offset where unpasted offset `n` starts.
    pub fn start(&self, n: usize) -> usize {
        if self.is_unchanged() {
            return n.min(self.original_len);
        }
        let Some(r) = self.run_at(n) else { return 0 };
        let into = n - r.norm as usize;
        let at = if into >= r.norm_len as usize {
            r.orig as usize + r.orig_len as usize
        } else if r.norm_len == r.orig_len {
            r.orig as usize + into
        } else {
            r.orig as usize
        };
        at.min(self.original_len)
    }

    /// The original offset where an unpasted range ending (exclusively) at `n` ends.
    pub fn end(&self, n: usize) -> usize {
        if self.is_unchanged() {
            return n.min(self.original_len);
        }
        let Some(last) = n.checked_sub(1) else { return self.start(0) };
        let Some(r) = self.run_at(last) else { return 0 };
        let into = last - r.norm as usize;
        let at = if r.norm_len == r.orig_len && into < r.norm_len as usize {
            r.orig as usize + into + 1
        } else {
            r.orig as usize + r.orig_len as usize
        };
        at.min(self.original_len)
    }

    /// A range of the unpasted text as a range of the original.
    pub fn range(&self, r: TextRange) -> TextRange {
        if self.is_unchanged() {
            return r;
        }
        let start = self.start(r.start as usize);
        let end = if r.is_empty() { start } else { self.end(r.end as usize).max(start) };
        TextRange::from_usize(start, end)
    }
}

/// How a reader wants wrapped lines joined: given the unpasted line so far and the next
/// line (its quote markers already dropped), the bytes to put between them and how many
/// leading bytes of the next line they replace; `None` keeps the lines apart.
pub type Join = fn(prev: &[u8], next: &[u8]) -> Option<(&'static [u8], usize)>;

/// Never joins (listener tables).
pub fn no_join(_: &[u8], _: &[u8]) -> Option<(&'static [u8], usize)> {
    None
}

/// At most this many lines are joined onto one: one field per line gives six or seven.
const MAX_JOINS: usize = 16;

/// Undoes the paste's wrappers line by line (see the module doc).
pub fn unpaste(text: &[u8], join: Join) -> Unpasted<'_> {
    let mut w = Writer { text, buf: Vec::new(), runs: Vec::new(), owned: false, consumed: 0, edits: 0 };
    let mut changed_lines = 0usize;
    let mut joined_lines = 0usize;
    let len = text.len();
    let mut start = 0usize;
    // Where the current logical line starts in the output, and how many lines it took.
    let mut logical: Option<(usize, usize)> = None;
    while start < len {
        let end = memchr::memchr(b'\n', text.get(start..).unwrap_or_default()).map_or(len, |i| start + i);
        let line = text.get(start..end).unwrap_or_default();
        let body_at = start + markers_len(line);
        let body = text.get(body_at..end).unwrap_or_default();
        let joined = match logical {
            Some((from, n)) if n < MAX_JOINS && start > 0 => join(w.out_since(from), body),
            _ => None,
        };
        if let Some((sep, skip)) = joined {
            // The newline, the quote markers and `skip` bytes become `sep`.
            let skip = skip.min(body.len());
            w.own();
            w.replace(sep, body_at + skip);
            if transform(&mut w, body_at + skip, end) {
                changed_lines += 1;
            }
            joined_lines += 1;
            if let Some((_, n)) = logical.as_mut() {
                *n += 1;
            }
        } else {
            w.verbatim(start);
            let from = w.out_len();
            let mut changed = false;
            if body_at > start {
                w.own();
                w.skip(body_at);
                changed = true;
            }
            if is_fence(body) {
                w.own();
                w.skip(end);
                changed = true;
            } else if transform(&mut w, body_at, end) {
                changed = true;
            }
            changed_lines += usize::from(changed);
            logical = Some((from, 1));
        }
        start = end + 1;
    }
    w.verbatim(len);
    let original_len = len;
    if !w.owned {
        return Unpasted {
            text: Cow::Borrowed(text),
            runs: Vec::new(),
            original_len,
            changed_lines,
            joined_lines,
        };
    }
    Unpasted { text: Cow::Owned(w.buf), runs: w.runs, original_len, changed_lines, joined_lines }
}

/// The output so far, and how much of the original it accounts for. Until something is
/// undone the output *is* the original (`owned` false, nothing copied).
struct Writer<'a> {
    text: &'a [u8],
    buf: Vec<u8>,
    runs: Vec<Run>,
    owned: bool,
    /// Original bytes before this offset have been written (or dropped).
    consumed: usize,
    /// Skips and replacements made so far.
    edits: usize,
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'a> Writer<'a> {
    fn own(&mut self) {
        if self.owned {
            return;
        }
        self.owned = true;
        self.buf.reserve(self.text.len());
        let head = self.text.get(..self.consumed).unwrap_or_default();
        self.buf.extend_from_slice(head);
        if !head.is_empty() {
            let n = u32_of(head.len());
            self.runs.push(Run { norm: 0, orig: 0, norm_len: n, orig_len: n });
        }
    }

    fn out_len(&self) -> usize {
        if self.owned { self.buf.len() } else { self.consumed }
    }

    /// The output from `from` on.
    fn out_since(&self, from: usize) -> &[u8] {
        if self.owned {
            self.buf.get(from..).unwrap_or_default()
        } else {
            self.text.get(from..self.consumed).unwrap_or_default()
        }
    }

    /// Writes the original bytes up to `to` as they are.
    fn verbatim(&mut self, to: usize) {
        if to <= self.consumed {
            return;
        }
        if !self.owned {
            self.consumed = to;
            return;
        }
        let bytes = self.text.get(self.consumed..to).unwrap_or_default();
        let norm = u32_of(self.buf.len());
        let orig = u32_of(self.consumed);
        let n = u32_of(bytes.len());
        match self.runs.last_mut() {
            Some(r)
                if r.norm_len == r.orig_len && r.norm + r.norm_len == norm && r.orig + r.orig_len == orig =>
            {
                r.norm_len += n;
                r.orig_len += n;
            }
            _ => self.runs.push(Run { norm, orig, norm_len: n, orig_len: n }),
        }
        self.buf.extend_from_slice(bytes);
        self.consumed = to;
    }

    /// Drops the original bytes up to `to` (the writer must own its output).
    fn skip(&mut self, to: usize) {
        self.edits += 1;
        self.consumed = self.consumed.max(to);
    }

    /// Writes `with` in place of the original bytes up to `to`.
    fn replace(&mut self, with: &[u8], to: usize) {
        let to = to.max(self.consumed);
        self.edits += 1;
        self.runs.push(Run {
            norm: u32_of(self.buf.len()),
            orig: u32_of(self.consumed),
            norm_len: u32_of(with.len()),
            orig_len: u32_of(to - self.consumed),
        });
        self.buf.extend_from_slice(with);
        self.consumed = to;
    }
}

/// Leading quote markers (`> `, `>> `, `> > `) and the `&gt; ` a blog made of one.
fn markers_len(line: &[u8]) -> usize {
    let mut i = 0usize;
    loop {
        let rest = line.get(i..).unwrap_or_default();
        let spaces = rest.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
        let after = rest.get(spaces..).unwrap_or_default();
        let marker = if after.starts_with(b">") {
            1
        } else if after.starts_with(b"&gt;") {
            4
        } else {
            return i;
        };
        // `>` alone as a line's start is a quote only when a space or the end follows
        // (`>>` and `> >` nest); `->` or `>=` in text is not one.
        let next = after.get(marker);
        if !matches!(next, None | Some(b' ' | b'\t' | b'>' | b'&')) {
            return i;
        }
        i += spaces + marker;
        if line.get(i) == Some(&b' ') {
            i += 1;
        }
    }
}

/// A Markdown fence line: ```` ``` ````, ```` ```log ````, `~~~`.
fn is_fence(body: &[u8]) -> bool {
    let t = body.trim_ascii();
    (t.starts_with(b"```") || t.starts_with(b"~~~"))
        && t.get(3..)
            .unwrap_or_default()
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'`' | b'~' | b' '))
}

/// Bytes that may start something to undo inside a line.
fn is_special(b: u8) -> bool {
    SPECIAL.get(usize::from(b)).copied().unwrap_or(false)
}

/// `is_special` as a table: one load per byte in the scan of a line.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let bytes = [b'`', b'&', b'*', b'[', b'<', b'(', 0xC2, 0xE2, 0xEF];
    let mut k = 0;
    while k < bytes.len() {
        t[bytes[k] as usize] = true;
        k += 1;
    }
    t
};

/// Undoes the wrappers of one line body `from..to`; true when anything changed.
fn transform(w: &mut Writer<'_>, from: usize, to: usize) -> bool {
    let text = w.text;
    let body = text.get(from..to).unwrap_or_default();
    if let Some(inner) = docker_json_log(body) {
        let inner_at = from + 8;
        w.own();
        w.skip(inner_at);
        json_string(w, inner_at, inner_at + inner);
        w.skip(to);
        return true;
    }
    let before = w.edits;
    if may_wrap(body) {
        inline(w, from, to, true);
    }
    w.verbatim(to);
    w.edits != before
}

/// Whether `inline` could change anything in `body`: each of its cases needs one of these,
/// and a clean log line has none, so most lines are passed over by a few vector scans
/// instead of a byte-by-byte walk.
fn may_wrap(body: &[u8]) -> bool {
    memchr::memchr3(b'`', b'&', b'<', body).is_some()
        || !body.is_ascii()
        || followed_by(body, b'*', b'*')
        || followed_by(body, b']', b'(')
        || TRAILING_NOTES.iter().chain([&CUT_NOTE]).any(|n| body.ends_with(n))
}

/// Whether `first` stands right before `then` somewhere in `s` (`**`, `](`); `first` is rare
/// enough in a log line that this beats building a substring searcher for each line.
fn followed_by(s: &[u8], first: u8, then: u8) -> bool {
    memchr::memchr_iter(first, s).any(|i| s.get(i + 1) == Some(&then))
}

/// Markdown, chat and typography inside a line (links only at the top level).
fn inline(w: &mut Writer<'_>, from: usize, to: usize, links: bool) {
    let text = w.text;
    let mut i = from;
    while i < to {
        // Most bytes of a line are plain: find the next special one in one tight scan.
        match text.get(i..to).and_then(|s| s.iter().position(|b| is_special(*b))) {
            Some(n) => i += n,
            None => break,
        }
        let Some(&b) = text.get(i) else { break };
        let rest = text.get(i..to).unwrap_or_default();
        match b {
            b'`' => {
                w.verbatim(i);
                w.own();
                w.skip(i + 1);
                i += 1;
            }
            b'*' => match bold(rest) {
                Some(close) => {
                    w.verbatim(i);
                    w.own();
                    w.skip(i + 2);
                    inline(w, i + 2, i + close, links);
                    w.verbatim(i + close);
                    w.skip(i + close + 2);
                    i += close + 2;
                }
                None => i += rest.iter().take_while(|b| **b == b'*').count().max(1),
            },
            b'[' if rest == CUT_NOTE => {
                w.verbatim(i);
                w.own();
                w.skip(to);
                i = to;
            }
            b'[' if links => match markdown_link(rest) {
                Some((text_len, total)) => {
                    w.verbatim(i);
                    w.own();
                    w.skip(i + 1);
                    inline(w, i + 1, i + 1 + text_len, false);
                    w.verbatim(i + 1 + text_len);
                    w.skip(i + total);
                    i += total;
                }
                None => i += 1,
            },
            b'<' if links => match chat_link(rest) {
                Some((keep_from, keep_len, total)) => {
                    w.verbatim(i);
                    w.own();
                    w.skip(i + keep_from);
                    w.verbatim(i + keep_from + keep_len);
                    w.skip(i + total);
                    i += total;
                }
                None => i += 1,
            },
            b'(' => match trailing_note(rest) {
                Some(n) if i + n == to => {
                    w.verbatim(i);
                    w.own();
                    // The space before the note goes too.
                    w.skip(to);
                    i = to;
                }
                _ => i += 1,
            },
            b'&' => match entity(rest) {
                Some((with, n)) => {
                    w.verbatim(i);
                    w.own();
                    w.replace(with, i + n);
                    i += n;
                }
                None => i += 1,
            },
            0xC2 | 0xE2 | 0xEF => match typography(rest) {
                Some((with, n)) => {
                    w.verbatim(i);
                    w.own();
                    if with.is_empty() {
                        w.skip(i + n);
                    } else {
                        w.replace(with, i + n);
                    }
                    i += n;
                }
                None => i += 1,
            },
            _ => i += 1,
        }
    }
}

/// `**text**` (Markdown bold): the offset of the closing `**`. Runs of three or more
/// (`*** HARAKIRI ... ***`) and `**` before a space are not bold.
fn bold(s: &[u8]) -> Option<usize> {
    let after = s.strip_prefix(b"**")?;
    if after.first().is_none_or(|b| b.is_ascii_whitespace() || *b == b'*') {
        return None;
    }
    let close = 2 + memchr::memmem::find(after, b"**")?;
    let before = s.get(close - 1)?;
    let beyond = s.get(close + 2);
    (!before.is_ascii_whitespace() && beyond != Some(&b'*')).then_some(close)
}

/// `[text](http://...)` -> (length of text, length of the whole link).
fn markdown_link(s: &[u8]) -> Option<(usize, usize)> {
    let close = memchr::memchr(b']', s.get(..s.len().min(2048))?)?;
    let after = s.get(close + 1..)?;
    let target = after.strip_prefix(b"(")?;
    if !(target.starts_with(b"http://") || target.starts_with(b"https://") || target.starts_with(b"mailto:"))
    {
        return None;
    }
    let end = memchr::memchr(b')', target.get(..target.len().min(2048))?)?;
    Some((close - 1, close + 2 + end + 1))
}

/// `<http://x|text>` (Slack) -> `text`; `<http://x>` -> `http://x`:
/// (offset kept, length kept, whole length).
fn chat_link(s: &[u8]) -> Option<(usize, usize, usize)> {
    let inner = s.strip_prefix(b"<")?;
    if !(inner.starts_with(b"http://") || inner.starts_with(b"https://") || inner.starts_with(b"mailto:")) {
        return None;
    }
    let end = memchr::memchr(b'>', inner.get(..inner.len().min(2048))?)?;
    let body = inner.get(..end)?;
    if body.contains(&b' ') {
        return None;
    }
    Some(match memchr::memchr(b'|', body) {
        Some(bar) => (1 + bar + 1, end - bar - 1, end + 2),
        None => (1, end, end + 2),
    })
}

/// ` (edited)`, `[truncated]` notes a chat or the poster left at a line's end:
/// the length from `(` to the end.
fn trailing_note(s: &[u8]) -> Option<usize> {
    TRAILING_NOTES.iter().find(|n| s.starts_with(n)).map(|n| n.len())
}

/// What a chat or the poster appended to a line: ` (edited)`, ` (truncated)`.
const TRAILING_NOTES: [&[u8]; 2] = [b"(edited)", b"(truncated)"];
/// A line the poster cut and marked so.
const CUT_NOTE: &[u8] = b"[truncated]";

/// HTML entities a blog or CMS wrote: (replacement, length).
fn entity(s: &[u8]) -> Option<(&'static [u8], usize)> {
    const ENTITIES: [(&[u8], &[u8]); 10] = [
        (b"&quot;", b"\""),
        (b"&#34;", b"\""),
        (b"&#x22;", b"\""),
        (b"&apos;", b"'"),
        (b"&#39;", b"'"),
        (b"&#x27;", b"'"),
        (b"&gt;", b">"),
        (b"&lt;", b"<"),
        (b"&amp;", b"&"),
        (b"&nbsp;", b" "),
    ];
    ENTITIES.iter().find(|(e, _)| s.starts_with(e)).map(|(e, with)| (*with, e.len()))
}

/// Typography of blogs and word processors, in UTF-8: (replacement, length); an empty
/// replacement drops the character.
fn typography(s: &[u8]) -> Option<(&'static [u8], usize)> {
    const MAP: [(&[u8], &[u8]); 12] = [
        ("\u{201C}".as_bytes(), b"\""),
        ("\u{201D}".as_bytes(), b"\""),
        ("\u{201E}".as_bytes(), b"\""),
        ("\u{2018}".as_bytes(), b"'"),
        ("\u{2019}".as_bytes(), b"'"),
        ("\u{00A0}".as_bytes(), b" "),
        ("\u{202F}".as_bytes(), b" "),
        ("\u{2013}".as_bytes(), b"-"),
        ("\u{2014}".as_bytes(), b"-"),
        ("\u{200B}".as_bytes(), b""),
        ("\u{200D}".as_bytes(), b""),
        ("\u{FEFF}".as_bytes(), b""),
    ];
    MAP.iter().find(|(c, _)| s.starts_with(c)).map(|(c, with)| (*with, c.len()))
}

/// docker's json-file line `{"log":"...","stream":"stderr","time":"..."}`: the length
/// of the escaped `log` string (between its quotes).
fn docker_json_log(body: &[u8]) -> Option<usize> {
    let inner = body.strip_prefix(b"{\"log\":\"")?;
    let mut i = 0usize;
    while let Some(n) = inner.get(i..).and_then(|s| memchr::memchr2(b'\\', b'"', s)) {
        i += n;
        match inner.get(i) {
            Some(b'"') => return Some(i),
            _ => i += 2,
        }
    }
    None
}

/// Writes a JSON string's content (`from..to`, without its quotes) unescaped; a final
/// `\n` (docker keeps the line's newline) is dropped.
fn json_string(w: &mut Writer<'_>, from: usize, to: usize) {
    let text = w.text;
    let mut i = from;
    while i < to {
        match text.get(i..to).and_then(|s| memchr::memchr(b'\\', s)) {
            Some(n) => i += n,
            None => break,
        }
        w.verbatim(i);
        let Some(&e) = text.get(i + 1) else { break };
        let mut tmp = [0u8; 4];
        let (with, n): (&[u8], usize) = match e {
            b'n' if i + 2 >= to => (b"", 2),
            b'r' if i + 2 >= to || text.get(i + 2..i + 4) == Some(b"\\n") => (b"", 2),
            b'n' => (b" ", 2),
            b't' => (b"\t", 2),
            b'"' => (b"\"", 2),
            b'\\' => (b"\\", 2),
            b'/' => (b"/", 2),
            b'u' => match text.get(i + 2..i + 6).and_then(hex4) {
                Some(c) => (char::from_u32(c).unwrap_or('\u{FFFD}').encode_utf8(&mut tmp).as_bytes(), 6),
                None => (b"\\", 1),
            },
            _ => (b"\\", 1),
        };
        if with.is_empty() {
            w.skip(i + n);
        } else {
            w.replace(with, i + n);
        }
        i += n;
    }
    w.verbatim(to);
}

fn hex4(s: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(s).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// A value the poster hid (`<ip>`, `x.x.x.x`, `XX.XXX.XX.XXX`, `10.0.yy.xx`,
/// `xxx.example.com`, `***`, `[REDACTED]`): it matches nothing and proves nothing.
pub fn is_hidden(value: &str) -> bool {
    let v = value.trim_matches(|c: char| c == '[' || c == ']' || c == '"');
    if v.is_empty() {
        return false;
    }
    let upper = v.to_ascii_uppercase();
    if upper.contains("REDACTED") || upper.contains("HIDDEN") || upper.contains("MASKED") {
        return true;
    }
    if v.starts_with('<') && v.ends_with('>') {
        return true;
    }
    // `***`, `***.***`, `???`; not `...` or `::` (an ellipsis, an IPv6 address), nor a
    // lone `*` or `*:*` (ss's wildcard peer, iptables' any interface).
    if v.len() >= 3 && v.chars().all(|c| matches!(c, '*' | '#' | '?' | '.')) && v.contains(['*', '#', '?']) {
        return true;
    }
    // A label or octet made only of placeholder letters: `x`, `XX`, `yy`, `xxx`.
    let placeholder = |part: &str| {
        !part.is_empty() && part.chars().all(|c| matches!(c, 'x' | 'X' | 'y' | 'Y' | 'z' | 'Z' | '*' | '#'))
    };
    let parts: Vec<&str> = v.split('.').collect();
    let numeric_or_placeholder =
        parts.iter().all(|p| placeholder(p) || p.chars().all(|c| c.is_ascii_digit()));
    (parts.len() == 4 && numeric_or_placeholder && parts.iter().any(|p| placeholder(p)))
        || (parts.len() > 1 && parts.first().is_some_and(|p| p.len() >= 3 && placeholder(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipses_and_ipv6_wildcards_are_not_hidden_values() {
        for v in ["...", "::", "[::]", ":", ".", "*", "**", "*:*"] {
            assert!(!is_hidden(v), "{v}");
        }
    }

    #[test]
    fn hidden_values() {
        for v in [
            "<ip>",
            "x.x.x.x",
            "XX.XXX.XX.XXX",
            "10.0.yy.xx",
            "xxx.example.com",
            "***",
            "[REDACTED]",
            "<domain>",
            "10.*.*.207",
        ] {
            assert!(is_hidden(v), "{v}");
        }
        for v in ["127.0.0.1", "app.example.com", "backend", "::1", "xenial.local", "x", "10.0.3.7"] {
            assert!(!is_hidden(v), "{v}");
        }
    }

    fn roundtrip(text: &str) -> (String, Unpasted<'_>) {
        let u = unpaste(text.as_bytes(), no_join);
        (String::from_utf8_lossy(u.text()).into_owned(), u)
    }

    fn back<'t>(u: &Unpasted<'_>, original: &'t str, needle: &str) -> &'t str {
        let norm = String::from_utf8_lossy(u.text()).into_owned();
        let at = norm.find(needle).unwrap_or(usize::MAX);
        assert!(at != usize::MAX, "{needle:?} not in {norm:?}");
        let r = u.range(TextRange::from_usize(at, at + needle.len()));
        original.get(r.start as usize..r.end as usize).unwrap_or("<bad range>")
    }

    #[test]
    fn a_clean_text_is_borrowed() {
        let t = "2026/11/21 11:39:15 [error] 42#42: *7 connect() failed (111: Connection refused)\n";
        let (out, u) = roundtrip(t);
        assert!(u.is_unchanged());
        assert_eq!(out, t);
    }

    #[test]
    fn backticks_quotes_and_fences_go() {
        let t = "```log\n> `connect() failed (111: x)` while connecting\n```\n";
        let (out, u) = roundtrip(t);
        assert_eq!(out, "\nconnect() failed (111: x) while connecting\n\n");
        assert_eq!(back(&u, t, "connect()"), "connect()");
        assert_eq!(back(&u, t, "x) while"), "x)` while");
    }

    #[test]
    fn entities_and_curly_quotes_map_back_whole() {
        let t = "request: &quot;GET / HTTP/1.1&quot;, host: \u{201C}a.test\u{201D}";
        let (out, u) = roundtrip(t);
        assert_eq!(out, "request: \"GET / HTTP/1.1\", host: \"a.test\"");
        assert_eq!(back(&u, t, "\"GET / HTTP/1.1\""), "&quot;GET / HTTP/1.1&quot;");
        assert_eq!(back(&u, t, "\"a.test\""), "\u{201C}a.test\u{201D}");
    }

    #[test]
    fn links_and_bold_are_unwrapped() {
        let t = "upstream: \"[**https**://10.2.3.4:8443/\"](https://10.2.3.4:8443/), host: \"[a.test](http://a.test/)\" <http://b.test|b.test>";
        let (out, _) = roundtrip(t);
        assert_eq!(out, "upstream: \"https://10.2.3.4:8443/\", host: \"a.test\" b.test");
    }

    #[test]
    fn docker_json_lines_are_unescaped() {
        let t = "{\"log\":\"2026/11/21 [error] 29#29: *3 x, upstream: \\\"http://172.18.0.4:3000/\\\", host: \\\"a\\u003eb\\\"\\n\",\"stream\":\"stderr\"}\n";
        let (out, u) = roundtrip(t);
        assert_eq!(
            out,
            "2026/11/21 [error] 29#29: *3 x, upstream: \"http://172.18.0.4:3000/\", host: \"a>b\"\n"
        );
        assert_eq!(back(&u, t, "http://172.18.0.4:3000/"), "http://172.18.0.4:3000/");
        assert_eq!(back(&u, t, "\"a>b\""), "\\\"a\\u003eb\\\"");
    }

    #[test]
    fn notes_and_zero_width_characters_go() {
        let t = "host: \"a\u{200B}.test\" (edited)";
        let (out, _) = roundtrip(t);
        assert_eq!(out, "host: \"a.test\" ");
    }

    #[test]
    fn quote_markers_need_a_space_or_nesting() {
        assert_eq!(markers_len(b"> x"), 2);
        assert_eq!(markers_len(b">> x"), 3);
        assert_eq!(markers_len(b"> > x"), 4);
        assert_eq!(markers_len(b"->x"), 0);
        assert_eq!(markers_len(b">=x"), 0);
    }

    fn join_indented(_: &[u8], next: &[u8]) -> Option<(&'static [u8], usize)> {
        let n = next.iter().take_while(|b| **b == b' ').count();
        (n > 0).then_some((&b" "[..], n))
    }

    #[test]
    fn joined_lines_map_to_both_lines() {
        let t = "a b,\n    c d\ne";
        let u = unpaste(t.as_bytes(), join_indented);
        assert_eq!(u.text(), b"a b, c d\ne");
        assert_eq!(u.joined_lines, 1);
        assert_eq!(back(&u, t, "b, c"), "b,\n    c");
        assert_eq!(back(&u, t, "e"), "e");
    }

    #[test]
    fn long_lines_of_wrappers_stay_linear() {
        let t = "`".repeat(1 << 20) + &"&quot;".repeat(1 << 16) + &"[a](http://b)".repeat(1 << 14);
        let u = unpaste(t.as_bytes(), no_join);
        assert_eq!(u.text().len(), (1 << 16) + (1 << 14));
    }
}
