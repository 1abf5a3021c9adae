//! Findings located for display: file, 1-based line, the quoted line text, and the fix
//! as a diff. Shared by the CLI's text/JSON/SARIF output and the page, so no front end
//! computes positions itself. The JSON form is the stable `--format json` contract.

use serde::{Deserialize, Serialize};

use crate::diagnose::walkthrough::{Step, StepKind, StepStatus};
use crate::finding::{Applicability, Command, Finding, Severity};
use crate::input::{InputKind, Span, TextRange};

/// What one input was read as, for the line under each box ("ss -tlnp, 7 listeners").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSummary {
    pub input: Option<InputKind>,
    pub read_as: String,
    /// Non-blank lines nothing understood, for marking in the box.
    pub unrecognized: Vec<TextRange>,
    pub unrecognized_count: usize,
    /// 1-based lines of `unrecognized`, for marking them in the box.
    #[serde(default)]
    pub unrecognized_lines: Vec<u32>,
}

/// Where a span lands, resolved for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub input: InputKind,
    /// The config file a span falls in (an `nginx -T` dump holds several); `None` elsewhere.
    pub file: Option<String>,
    /// 1-based line within `file` (config) or within the pasted text (other inputs).
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// 1-based line within the pasted text: what the page's line numbers show.
    pub input_line: u32,
    /// Byte range in the pasted text, for highlighting.
    pub range: TextRange,
}

/// One quoted line of evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceView {
    #[serde(flatten)]
    pub location: Location,
    /// The whole line the span starts on, with invisible characters made visible.
    pub text: String,
    /// Byte offsets of the span within `text`'s line (clamped to the line).
    pub highlight: (u32, u32),
    pub label: String,
    pub primary: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiffTag {
    Context,
    Removed,
    Added,
}

impl DiffTag {
    /// The unified-diff mark: ` `, `-` or `+`.
    pub fn mark(&self) -> char {
        match self {
            DiffTag::Context => ' ',
            DiffTag::Removed => '-',
            DiffTag::Added => '+',
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub tag: DiffTag,
    /// 1-based line in the file before the fix (`None` for added lines).
    pub old_line: Option<u32>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    pub file: Option<String>,
    pub lines: Vec<DiffLine>,
}

impl DiffLine {
    /// The line as in a unified diff, with its mark and a newline.
    pub fn unified(&self) -> String {
        format!("{}{}\n", self.tag.mark(), self.text)
    }
}

impl FileDiff {
    /// The lines as a unified diff body (no file headers).
    pub fn unified(&self) -> String {
        self.lines.iter().map(DiffLine::unified).collect()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditView {
    #[serde(flatten)]
    pub location: Location,
    pub replacement: String,
}

/// A whole config file with a fix applied, for "copy fixed file".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedFile {
    /// The file within an `nginx -T` dump; `None` for a single pasted file.
    pub file: Option<String>,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixView {
    pub summary: String,
    pub applicability: Applicability,
    pub edits: Vec<EditView>,
    pub diff: Vec<FileDiff>,
    /// Every config file the edits touch, whole, with the edits applied.
    pub fixed: Vec<FixedFile>,
    pub commands: Vec<Command>,
    /// The edits as a unified diff that `patch -p0` / `git apply -p0` accept from `/`
    /// (see [`crate::patch`]); empty when the fix has no edits.
    pub patch: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    pub rank: usize,
    pub code: String,
    pub severity: Severity,
    pub title: String,
    pub message: String,
    pub confidence: u8,
    pub status: Option<u16>,
    pub evidence: Vec<EvidenceView>,
    pub notes: Vec<String>,
    pub fix: Option<FixView>,
    pub next_steps: Vec<Command>,
    pub caused_by: Option<String>,
    /// Link target of the rule's documentation, relative to the page.
    pub docs: String,
}

impl FindingView {
    pub fn spans(&self) -> impl Iterator<Item = Span> + '_ {
        self.evidence.iter().map(|e| Span::new(e.location.input, e.location.range))
    }
}

/// One diagnosis as the page's worker sends it back: ranked findings and what each
/// input was read as. `id` is the edit generation it was computed from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PageReport {
    pub id: u64,
    pub findings: Vec<FindingView>,
    pub summaries: Vec<InputSummary>,
    /// The five troubleshooting steps, answered from this evidence or left open.
    #[serde(default)]
    pub walkthrough: Vec<StepView>,
    /// Time spent parsing and diagnosing, in microseconds.
    pub elapsed_us: u64,
}

/// Makes characters that could hide or reorder text visible: bidi overrides,
/// zero-width characters and other format/control characters become `<U+XXXX>`.
pub fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let hidden = matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}' | '\u{00AD}' | '\u{180E}')
            || (c.is_control() && c != '\t');
        if hidden {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Longest quoted excerpt, in characters, before it is cut around the highlight.
const EXCERPT_CHARS: usize = 110;
/// Characters of context kept before the highlight when a line is cut.
const EXCERPT_LEAD: usize = 36;

/// The part of a line worth quoting: without its indentation, and cut to a window
/// around the highlight when long (`…` marks a cut). Returns the text and the byte
/// range of the highlight within it; hidden characters are made visible.
pub fn excerpt(line: &[u8], start: usize, end: usize) -> (String, (u32, u32)) {
    let text = String::from_utf8_lossy(line);
    let text = text.trim_end_matches('\r');
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (start, end) = (floor(start), floor(end.max(start)));
    let indent = text.len() - text.trim_start().len();
    let mut from = indent.min(start);
    let mut to = text.len();
    if text.get(from..to).map_or(0, |t| t.chars().count()) > EXCERPT_CHARS {
        let lead: usize = text.get(from..start).map_or(0, |t| t.chars().count());
        if lead > EXCERPT_LEAD {
            let skip = lead - EXCERPT_LEAD;
            from = text.get(from..).and_then(|t| t.char_indices().nth(skip)).map_or(from, |(i, _)| from + i);
        }
        to = text
            .get(from..)
            .and_then(|t| t.char_indices().nth(EXCERPT_CHARS))
            .map_or(text.len(), |(i, _)| from + i);
        to = to.max(end.min(text.len()));
    }
    let part = |a: usize, b: usize| visible(text.get(a.min(b)..b).unwrap_or(""));
    let cut_before = if from > indent { "…" } else { "" };
    let cut_after = if to < text.len() { "…" } else { "" };
    let before = format!("{cut_before}{}", part(from, start.max(from)));
    let hit = part(start.max(from), end.min(to).max(start.max(from)));
    let after = format!("{}{cut_after}", part(end.min(to).max(start.max(from)), to));
    let h0 = u32::try_from(before.len()).unwrap_or(0);
    let h1 = h0 + u32::try_from(hit.len()).unwrap_or(0);
    (format!("{before}{hit}{after}"), (h0, h1))
}

/// Shared finding-to-view conversion input: anything that can place a span.
pub trait Locator {
    fn locate(&self, span: Span) -> Location;
    fn text(&self, input: InputKind) -> &[u8];
    /// Byte range of the whole (0-based, pasted-text) line containing `offset`.
    fn line_range(&self, input: InputKind, offset: u32) -> TextRange;
    /// The body of the config file containing `offset` (one file of a dump), or the
    /// whole config text.
    fn config_file_range(&self, offset: u32) -> TextRange {
        let _ = offset;
        TextRange::from_usize(0, self.text(InputKind::Config).len())
    }
}

/// One span located and quoted with its whole line.
fn evidence_view(span: Span, label: &str, primary: bool, at: &dyn Locator) -> EvidenceView {
    let location = at.locate(span);
    let line = at.line_range(span.input, span.range.start);
    let text_bytes = line.slice(at.text(span.input));
    let start = span.range.start.saturating_sub(line.start).min(line.len());
    let end = span.range.end.saturating_sub(line.start).min(line.len()).max(start);
    let (text, highlight) = excerpt(text_bytes, start as usize, end as usize);
    EvidenceView { location, text, highlight, label: label.to_string(), primary }
}

/// One walkthrough step located for display: the lines that answer it, quoted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub step: StepKind,
    pub status: StepStatus,
    pub says: String,
    /// The lines that answer the step (labels empty).
    pub evidence: Vec<EvidenceView>,
    pub command: Option<String>,
}

pub fn step_views(steps: &[Step], at: &dyn Locator) -> Vec<StepView> {
    steps
        .iter()
        .map(|s| StepView {
            step: s.step,
            status: s.status,
            says: s.says.clone(),
            evidence: s.evidence.iter().map(|span| evidence_view(*span, "", true, at)).collect(),
            command: s.command.clone(),
        })
        .collect()
}

pub fn finding_view(rank: usize, finding: &Finding, at: &dyn Locator) -> FindingView {
    let evidence = finding
        .labels
        .iter()
        .map(|label| evidence_view(label.span, &label.message, label.primary, at))
        .collect();
    let fix = finding.fix.as_ref().map(|fix| FixView {
        summary: fix.summary().to_string(),
        applicability: fix.applicability(),
        edits: fix
            .edits()
            .iter()
            .map(|e| EditView {
                location: at.locate(Span::new(InputKind::Config, e.range)),
                replacement: e.replacement.clone(),
            })
            .collect(),
        diff: config_diff(fix, at),
        fixed: fixed_files(fix, at),
        commands: fix.commands().to_vec(),
        patch: config_patch(fix, at),
    });
    FindingView {
        rank,
        code: finding.code.to_string(),
        severity: finding.severity,
        title: finding.title.clone(),
        message: finding.message.clone(),
        confidence: finding.confidence,
        status: finding.status,
        evidence,
        notes: finding.notes.clone(),
        fix,
        next_steps: finding.next_steps.clone(),
        caused_by: finding.caused_by.map(|c| c.to_string()),
        docs: format!("#/rules/{}", finding.code),
    }
}

/// The fix's edits grouped by the config file they fall in, as ranges local to that file.
fn edits_by_file(fix: &crate::finding::Fix, at: &dyn Locator) -> Vec<(TextRange, Vec<crate::finding::Edit>)> {
    let mut files: Vec<(TextRange, Vec<crate::finding::Edit>)> = Vec::new();
    for edit in fix.edits() {
        let range = at.config_file_range(edit.range.start);
        let local = crate::finding::Edit {
            range: TextRange::new(
                edit.range.start.saturating_sub(range.start),
                edit.range.end.saturating_sub(range.start),
            ),
            replacement: edit.replacement.clone(),
        };
        match files.iter_mut().find(|(r, _)| *r == range) {
            Some((_, edits)) => edits.push(local),
            None => files.push((range, vec![local])),
        }
    }
    files
}

/// The config files the fix's edits touch, each whole with its edits applied.
fn fixed_files(fix: &crate::finding::Fix, at: &dyn Locator) -> Vec<FixedFile> {
    let text = at.text(InputKind::Config);
    edits_by_file(fix, at)
        .into_iter()
        .filter_map(|(range, edits)| {
            let fixed = crate::finding::apply_edits(range.slice(text), &edits)?;
            let file = at.locate(Span::new(InputKind::Config, range)).file;
            Some(FixedFile { file, text: String::from_utf8_lossy(&fixed).into_owned() })
        })
        .collect()
}

/// The fix as one patch over every file it touches.
fn config_patch(fix: &crate::finding::Fix, at: &dyn Locator) -> String {
    let text = at.text(InputKind::Config);
    edits_by_file(fix, at)
        .into_iter()
        .map(|(range, edits)| {
            let file = at.locate(Span::new(InputKind::Config, range)).file;
            crate::patch::unified(file.as_deref(), range.slice(text), &edits)
        })
        .collect()
}

/// A line diff of the config for a fix: each edited line as removed + added, with one
/// line of context around it, grouped by config file.
fn config_diff(fix: &crate::finding::Fix, at: &dyn Locator) -> Vec<FileDiff> {
    let text = at.text(InputKind::Config);
    let edits = fix.edits();
    let mut diffs: Vec<FileDiff> = Vec::new();
    let mut i = 0;
    while let Some(first) = edits.get(i) {
        // Lines touched by this group of edits (edits on the same or adjacent lines merge).
        let start_line = at.line_range(InputKind::Config, first.range.start);
        let mut end_line = at.line_range(InputKind::Config, first.range.end.max(first.range.start));
        let mut group_end = i + 1;
        while let Some(next) = edits.get(group_end) {
            if next.range.start <= end_line.end.saturating_add(1) {
                end_line = at.line_range(InputKind::Config, next.range.end.max(next.range.start));
                group_end += 1;
            } else {
                break;
            }
        }
        let old = TextRange::new(start_line.start, end_line.end);
        let mut new_text = Vec::new();
        let mut cursor = old.start;
        for edit in edits.get(i..group_end).unwrap_or_default() {
            new_text.extend_from_slice(TextRange::new(cursor, edit.range.start).slice(text));
            new_text.extend_from_slice(edit.replacement.as_bytes());
            cursor = edit.range.end;
        }
        new_text.extend_from_slice(TextRange::new(cursor, old.end).slice(text));

        let first_loc = at.locate(Span::new(InputKind::Config, old));
        let mut lines = Vec::new();
        if old.start > 0 {
            let before = at.line_range(InputKind::Config, old.start.saturating_sub(1));
            let loc = at.locate(Span::new(InputKind::Config, before));
            if loc.file == first_loc.file {
                lines.push(DiffLine {
                    tag: DiffTag::Context,
                    old_line: Some(loc.line),
                    text: lossy(before.slice(text)),
                });
            }
        }
        for (n, l) in old.slice(text).split(|&b| b == b'\n').enumerate() {
            let n = u32::try_from(n).unwrap_or(0);
            lines.push(DiffLine {
                tag: DiffTag::Removed,
                old_line: Some(first_loc.line + n),
                text: lossy(l),
            });
        }
        for l in new_text.split(|&b| b == b'\n') {
            lines.push(DiffLine { tag: DiffTag::Added, old_line: None, text: lossy(l) });
        }
        if (old.end as usize) < text.len() {
            let after = at.line_range(InputKind::Config, old.end.saturating_add(1));
            let loc = at.locate(Span::new(InputKind::Config, after));
            if loc.file == first_loc.file && after.start > old.end {
                lines.push(DiffLine {
                    tag: DiffTag::Context,
                    old_line: Some(loc.line),
                    text: lossy(after.slice(text)),
                });
            }
        }
        match diffs.last_mut() {
            Some(d) if d.file == first_loc.file => d.lines.extend(lines),
            _ => diffs.push(FileDiff { file: first_loc.file, lines }),
        }
        i = group_end;
    }
    diffs
}

fn lossy(bytes: &[u8]) -> String {
    visible(String::from_utf8_lossy(bytes).trim_end_matches('\r'))
}

/// The diagnosis as Markdown, for a ticket or a chat: each finding with its evidence
/// lines, fix and commands. Pasted text appears only inside code spans and blocks.
pub fn markdown_report(findings: &[FindingView], summaries: &[InputSummary]) -> String {
    let fence = |text: &str| -> String {
        // A fence longer than any backtick run inside, so pasted text cannot end it.
        let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        "`".repeat(longest.max(2) + 1)
    };
    let mut out = String::from("## badgateway diagnosis\n\n");
    for s in summaries.iter().filter(|s| !s.read_as.is_empty()) {
        let input = s.input.map_or("input", InputKind::as_str);
        out.push_str(&format!("- {input}: {}\n", s.read_as));
    }
    if findings.is_empty() {
        out.push_str("\nNo cause found in the inputs given.\n");
    }
    for f in findings {
        let status = f.status.map_or(String::new(), |s| format!(" — clients get {s}"));
        out.push_str(&format!(
            "\n### {}. {} `{}`: {}\n\n{} ({}% sure{status})\n",
            f.rank,
            f.severity.as_str(),
            f.code,
            f.title,
            f.message,
            f.confidence
        ));
        if !f.evidence.is_empty() {
            out.push_str("\nEvidence:\n\n");
            for e in &f.evidence {
                let place = match &e.location.file {
                    Some(file) => format!("{} {file}:{}", e.location.input.as_str(), e.location.line),
                    None => format!("{}:{}", e.location.input.as_str(), e.location.line),
                };
                let tick = fence(&e.text);
                out.push_str(&format!("- {place} — {}\n  {tick} {} {tick}\n", e.label, e.text));
            }
        }
        for n in &f.notes {
            out.push_str(&format!("\n> {n}\n"));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("\nFix: {}\n", fix.summary));
            for d in &fix.diff {
                let body = d.unified();
                let tick = fence(&body);
                out.push_str(&format!("\n{tick}diff\n{body}{tick}\n"));
            }
            for c in &fix.commands {
                let tick = fence(&c.command);
                out.push_str(&format!("\n- {}: {tick} {} {tick}", c.purpose, c.command));
            }
            if !fix.commands.is_empty() {
                out.push('\n');
            }
        }
        for c in &f.next_steps {
            let tick = fence(&c.command);
            out.push_str(&format!("\nNext: {} — {tick} {} {tick}\n", c.purpose, c.command));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_drop_indentation_and_cut_long_lines_around_the_highlight() {
        let (t, h) = excerpt(b"        proxy_pass http://127.0.0.1:8000;", 36, 40);
        assert_eq!(t, "proxy_pass http://127.0.0.1:8000;");
        assert_eq!(&t[h.0 as usize..h.1 as usize], "8000");
        let long = format!("{}connect() failed (111){}", "x".repeat(200), "y".repeat(200));
        let (t, h) = excerpt(long.as_bytes(), 200, 222);
        assert!(t.starts_with('…') && t.ends_with('…'), "{t}");
        assert_eq!(&t[h.0 as usize..h.1 as usize], "connect() failed (111)");
        assert!(t.chars().count() <= EXCERPT_CHARS + 2);
        let (t, h) = excerpt("a\u{202E}b".as_bytes(), 0, 1);
        assert_eq!(t, "a<U+202E>b");
        assert_eq!(h, (0, 1));
    }

    #[test]
    fn hidden_characters_become_visible() {
        assert_eq!(visible("a\u{202E}b\u{200B}c\td"), "a<U+202E>b<U+200B>c\td");
        assert_eq!(visible("plain"), "plain");
    }
}
