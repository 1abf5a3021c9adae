//! A fix as a unified diff that `patch -p0` and `git apply -p0` accept: a `---`/`+++`
//! header naming the config file (its own path from `nginx -T`'s `# configuration file`
//! line, relative to `/`, so the patch applies from the root: absolute names are refused by
//! both tools), and hunks with the file's real line numbers and three lines of context.
//! Built from the fix's edits, not by diffing two texts: the changed lines are known.

use crate::finding::{Edit, sort_edits};
use crate::input::TextRange;

/// Lines of context around each change, as `diff -u` gives.
pub const CONTEXT: usize = 3;

/// The patch for one file: `original` is the file's whole text and `edits` are byte ranges
/// into it. `path` is the file's path (`None` for a pasted file of unknown name: the patch
/// then names `nginx.conf`). Empty when there are no edits or they overlap.
pub fn unified(path: Option<&str>, original: &[u8], edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sort_edits(&mut sorted);
    let overlapping = sorted.windows(2).any(|w| matches!(w, [a, b] if b.range.start < a.range.end));
    if sorted.is_empty() || overlapping || sorted.iter().any(|e| e.range.end as usize > original.len()) {
        return String::new();
    }
    let lines = Lines::new(original);
    // Each edit's lines, merged when they touch the same or adjacent lines.
    let mut changes: Vec<(usize, usize, Vec<&Edit>)> = Vec::new();
    for edit in sorted {
        let (first, last) = lines.span(edit.range);
        match changes.last_mut() {
            Some((_, end, group)) if first <= *end + 1 => {
                *end = (*end).max(last);
                group.push(edit);
            }
            _ => changes.push((first, last, vec![edit])),
        }
    }
    let name = path.map_or("nginx.conf", |p| p.trim_start_matches('/'));
    let mut out = format!("--- {name}\n+++ {name}\n");
    let mut delta: i64 = 0;
    let mut i = 0;
    while i < changes.len() {
        // Changes whose context windows meet share one hunk.
        let mut j = i + 1;
        while let (Some(prev), Some(next)) = (changes.get(j - 1), changes.get(j)) {
            if next.0 <= prev.1 + 2 * CONTEXT + 1 { j += 1 } else { break }
        }
        let group = changes.get(i..j).unwrap_or_default();
        let (Some(first), Some(last)) = (group.first(), group.last()) else { break };
        let start = first.0.saturating_sub(CONTEXT);
        let end = (last.1 + CONTEXT).min(lines.count() - 1);
        let mut body = String::new();
        let (mut old_count, mut new_count) = (0usize, 0usize);
        let mut line = start;
        for (from, to, edits) in group {
            for n in line..*from {
                lines.push(&mut body, ' ', lines.text(n, n));
                old_count += 1;
                new_count += 1;
            }
            let old = lines.text(*from, *to);
            for l in split_lines(old) {
                lines.push(&mut body, '-', l);
                old_count += 1;
            }
            let new = apply_within(old, lines.start(*from), edits);
            for l in split_lines(&new) {
                lines.push(&mut body, '+', l);
                new_count += 1;
            }
            line = to + 1;
        }
        for n in line..=end {
            lines.push(&mut body, ' ', lines.text(n, n));
            old_count += 1;
            new_count += 1;
        }
        let old_start = start + 1;
        let new_start = i64::try_from(old_start).unwrap_or(0) + delta;
        out.push_str(&format!("@@ -{old_start},{old_count} +{new_start},{new_count} @@\n{body}"));
        delta += i64::try_from(new_count).unwrap_or(0) - i64::try_from(old_count).unwrap_or(0);
        i = j;
    }
    out
}

/// `text` (which starts at byte `offset` of the file) with the edits applied.
fn apply_within(text: &[u8], offset: usize, edits: &[&Edit]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 32);
    let mut at = 0;
    for e in edits {
        let (s, t) = (e.range.start as usize - offset, e.range.end as usize - offset);
        out.extend_from_slice(text.get(at..s).unwrap_or_default());
        out.extend_from_slice(e.replacement.as_bytes());
        at = t;
    }
    out.extend_from_slice(text.get(at..).unwrap_or_default());
    out
}

/// Whole lines, each with its newline if it has one.
fn split_lines(text: &[u8]) -> impl Iterator<Item = &[u8]> {
    text.split_inclusive(|&b| b == b'\n')
}

/// Where each line of the file starts.
struct Lines<'a> {
    text: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a [u8]) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text).map(|i| i + 1).filter(|&i| i < text.len()));
        Lines { text, starts }
    }
    fn count(&self) -> usize {
        self.starts.len()
    }
    fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }
    /// The 0-based lines an edit touches (an insertion touches the line it is in).
    fn span(&self, range: TextRange) -> (usize, usize) {
        let line_of = |at: usize| self.starts.partition_point(|&s| s <= at).saturating_sub(1);
        let (start, end) = (range.start as usize, range.end as usize);
        let last = if end > start { line_of(end - 1) } else { line_of(start) };
        (line_of(start), last)
    }
    /// Lines `first..=last`, with their newlines.
    fn text(&self, first: usize, last: usize) -> &'a [u8] {
        self.text.get(self.start(first)..self.start(last + 1)).unwrap_or_default()
    }
    /// One diff line; a line without a newline (the file's last) gets diff's marker.
    fn push(&self, out: &mut String, mark: char, line: &[u8]) {
        out.push(mark);
        out.push_str(&String::from_utf8_lossy(line));
        if !line.ends_with(b"\n") {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(text: &str, find: &str, replacement: &str) -> Edit {
        let start = text.find(find).unwrap_or(0) as u32;
        Edit { range: TextRange::new(start, start + find.len() as u32), replacement: replacement.into() }
    }

    #[test]
    fn one_change_has_its_line_numbers_and_three_lines_of_context() {
        let text = "a\nb\nc\nd\nproxy_pass x;\ne\nf\ng\nh\n";
        let patch = unified(Some("/etc/nginx/nginx.conf"), text.as_bytes(), &[edit(text, " x;", " y;")]);
        assert_eq!(
            patch,
            "--- etc/nginx/nginx.conf\n+++ etc/nginx/nginx.conf\n@@ -2,7 +2,7 @@\n b\n c\n d\n-proxy_pass x;\n+proxy_pass y;\n e\n f\n g\n"
        );
    }

    #[test]
    fn far_changes_get_two_hunks_and_an_added_line_moves_the_second() {
        let text: String = (1..=20).map(|n| format!("l{n}\n")).collect();
        let edits = [edit(&text, "l3\n", "l3\nnew\n"), edit(&text, "l15", "L15")];
        let patch = unified(None, text.as_bytes(), &edits);
        assert!(patch.starts_with("--- nginx.conf\n+++ nginx.conf\n@@ -1,6 +1,7 @@\n"), "{patch}");
        assert!(patch.contains("@@ -12,7 +13,7 @@\n l12\n"), "{patch}");
    }

    #[test]
    fn a_last_line_without_newline_is_marked() {
        let text = "a\nb";
        let patch = unified(None, text.as_bytes(), &[edit(text, "b", "c")]);
        assert!(
            patch.ends_with("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"),
            "{patch}"
        );
    }
}
