//! A fix as a unified diff that `patch -p0` and `git apply -p0` accept: a `---`/`+++`
//! header naming the config file (its own path from `nginx -T`'s `# configuration file`
//! line, relative to `/`, so the patch applies from the root: absolute names are refused by
//! both tools), and hunks with the file's real line numbers and three lines of context.
//! Built from the fix's edits, not by diffing two texts: the changed lines are known.

use crate::finding::{Edit, sort_edits};
use crate::input::TextRange;
use crate::view::DiffTag;

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

/// One line of a patch as a page shows it: its number in the file (the old file's for
/// context and removed lines, the new file's for added ones) and its text without the
/// newline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownLine {
    pub tag: DiffTag,
    pub line: u32,
    pub text: String,
}

/// One file of a patch as a page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownFile {
    pub path: String,
    pub hunks: Vec<Vec<ShownLine>>,
}

/// A patch made by [`unified`], read back for showing: per file, its hunks with each
/// line's number. The patch rewrites every line an edit touches (a directive inserted at
/// the end of a line rewrites that line); here a rewritten line that comes out the same is
/// shown as context, so only the lines that really change are marked.
pub fn shown(patch: &str) -> Vec<ShownFile> {
    let mut files: Vec<ShownFile> = Vec::new();
    // The current hunk: where it starts, its lines (mark, text, ends without a newline),
    // and how many old and new lines its header says are still to come.
    let mut start = (1u32, 1u32);
    let mut hunk: Vec<(char, &str, bool)> = Vec::new();
    let mut left = (0u32, 0u32);
    let finish = |files: &mut Vec<ShownFile>, hunk: &mut Vec<(char, &str, bool)>, start| {
        if let Some(file) = files.last_mut()
            && !hunk.is_empty()
        {
            file.hunks.push(numbered(&unchanged_as_context(std::mem::take(hunk)), start));
        }
    };
    let mut lines = patch.lines().peekable();
    while let Some(line) = lines.next() {
        if left != (0, 0) {
            let (mark, text) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
            let mark = mark.chars().next().unwrap_or(' ');
            match mark {
                '-' => left.0 = left.0.saturating_sub(1),
                '+' => left.1 = left.1.saturating_sub(1),
                _ => left = (left.0.saturating_sub(1), left.1.saturating_sub(1)),
            }
            let newline_missing = lines.next_if(|l| l.starts_with('\\')).is_some();
            hunk.push((mark, text, newline_missing));
            if left == (0, 0) {
                finish(&mut files, &mut hunk, start);
            }
        } else if let Some(path) = line.strip_prefix("--- ") {
            lines.next_if(|l| l.starts_with("+++ "));
            files.push(ShownFile { path: path.to_string(), hunks: Vec::new() });
        } else if let Some(header) = line.strip_prefix("@@ -") {
            // "@@ -12,7 +13,8 @@": where each side starts, and how many lines it has.
            let side = |s: Option<&str>| -> Option<(u32, u32)> {
                let (at, count) = s?.split_once(',')?;
                Some((at.parse().ok()?, count.parse().ok()?))
            };
            let mut parts = header.split(' ');
            let (Some(old), Some(new)) =
                (side(parts.next()), side(parts.next().map(|s| s.trim_start_matches('+'))))
            else {
                continue;
            };
            start = (old.0, new.0);
            left = (old.1, new.1);
        }
    }
    finish(&mut files, &mut hunk, start);
    files
}

/// In each run of removed lines followed by added ones, the lines both begin or end with
/// (same text, same newline) become context.
fn unchanged_as_context(lines: Vec<(char, &str, bool)>) -> Vec<(char, &str, bool)> {
    let mut out = Vec::with_capacity(lines.len());
    let mut rest = lines.as_slice();
    while let Some(first) = rest.first() {
        let removed = rest.iter().take_while(|l| l.0 == '-').count();
        if removed == 0 {
            out.push(*first);
            rest = rest.get(1..).unwrap_or_default();
            continue;
        }
        let (old, after) = rest.split_at(removed);
        let added = after.iter().take_while(|l| l.0 == '+').count();
        let (new, after) = after.split_at(added);
        let same = |a: &&(char, &str, bool), b: &&(char, &str, bool)| a.1 == b.1 && a.2 == b.2;
        let head = old.iter().zip(new).take_while(|(a, b)| same(a, b)).count();
        let (old_rest, new_rest) = (old.get(head..).unwrap_or_default(), new.get(head..).unwrap_or_default());
        let tail = old_rest.iter().rev().zip(new_rest.iter().rev()).take_while(|(a, b)| same(a, b)).count();
        out.extend(old.iter().take(head).map(|l| (' ', l.1, l.2)));
        out.extend(old_rest.iter().take(old_rest.len() - tail).copied());
        out.extend(new_rest.iter().take(new_rest.len() - tail).copied());
        out.extend(old_rest.iter().skip(old_rest.len() - tail).map(|l| (' ', l.1, l.2)));
        rest = after;
    }
    out
}

fn numbered(lines: &[(char, &str, bool)], (mut old, mut new): (u32, u32)) -> Vec<ShownLine> {
    lines
        .iter()
        .map(|&(mark, text, _)| {
            let (tag, line) = match mark {
                '-' => (DiffTag::Removed, old),
                '+' => (DiffTag::Added, new),
                _ => (DiffTag::Context, old),
            };
            if mark != '+' {
                old += 1;
            }
            if mark != '-' {
                new += 1;
            }
            ShownLine { tag, line, text: text.to_string() }
        })
        .collect()
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

    fn tags(file: &ShownFile) -> Vec<Vec<(char, u32, &str)>> {
        file.hunks
            .iter()
            .map(|h| h.iter().map(|l| (l.tag.mark(), l.line, l.text.as_str())).collect())
            .collect()
    }

    #[test]
    fn shown_marks_only_the_lines_that_change_with_their_numbers() {
        // Inserting after `location / {` rewrites that line in the patch; shown, it is context.
        let text =
            "http {\n    server {\n        location / {\n            proxy_pass x;\n        }\n    }\n}\n";
        let at = text.find("{\n            proxy").unwrap_or(0) + 1;
        let insert = Edit {
            range: TextRange::new(at as u32, at as u32),
            replacement: "\n            proxy_read_timeout 60s;".into(),
        };
        let patch = unified(Some("/etc/nginx/nginx.conf"), text.as_bytes(), &[insert]);
        assert!(patch.contains("-        location / {\n+        location / {\n"), "{patch}");
        let files = shown(&patch);
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, "etc/nginx/nginx.conf");
        assert_eq!(
            tags(&files[0]),
            vec![vec![
                (' ', 1, "http {"),
                (' ', 2, "    server {"),
                (' ', 3, "        location / {"),
                ('+', 4, "            proxy_read_timeout 60s;"),
                (' ', 4, "            proxy_pass x;"),
                (' ', 5, "        }"),
                (' ', 6, "    }"),
            ]]
        );
    }

    #[test]
    fn shown_keeps_a_real_change_and_numbers_the_second_hunk_after_an_added_line() {
        let text: String = (1..=20).map(|n| format!("l{n}\n")).collect();
        let edits = [edit(&text, "l3\n", "l3\nnew\n"), edit(&text, "l15", "L15")];
        let files = shown(&unified(None, text.as_bytes(), &edits));
        let hunks = tags(&files[0]);
        assert_eq!(hunks.len(), 2);
        assert!(hunks[0].contains(&('+', 4, "new")), "{hunks:?}");
        assert!(hunks[0].contains(&(' ', 3, "l3")), "{hunks:?}");
        assert!(hunks[1].contains(&('-', 15, "l15")) && hunks[1].contains(&('+', 16, "L15")), "{hunks:?}");
        // A line that loses its newline at the end of the file is a change, not context.
        let files = shown(&unified(None, b"a\nb", &[edit("a\nb", "b", "b\n")]));
        assert_eq!(tags(&files[0]), vec![vec![(' ', 1, "a"), ('-', 2, "b"), ('+', 2, "b")]]);
    }

    #[test]
    fn shown_of_nothing_is_nothing() {
        assert!(shown("").is_empty());
        assert!(shown("not a patch\n@@ garbage").is_empty());
    }
}
