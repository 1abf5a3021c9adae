//! Where the evidence stands in the editors, and which file of an `nginx -T` dump each line
//! belongs to. Computed in the worker, which holds the texts as UTF-8: the editors count
//! UTF-16 units, the findings count bytes.

use badgateway_core::view::{FindingView, StepView};
use badgateway_core::{Analysis, InputKind, TextRange};

/// A span as the editor counts: 1-based lines, columns in UTF-16 units from the line start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EditorSpan {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

/// One file of a dump, in paste lines (both 1-based, inclusive), and its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DumpFile {
    pub first_line: u32,
    pub last_line: u32,
    pub path: String,
}

/// What the worker adds to each reply for the editors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EditorSpans {
    /// One per evidence item, in the reply's order (finding by finding, then the
    /// walkthrough's steps, step by step).
    pub evidence: Vec<EditorSpan>,
    /// The config box's files, when it holds a dump.
    pub files: Vec<DumpFile>,
}

impl EditorSpans {
    /// Flattened for the trip to the page: four numbers per span.
    pub fn evidence_words(&self) -> Vec<u32> {
        self.evidence.iter().flat_map(|s| [s.line, s.column, s.end_line, s.end_column]).collect()
    }

    pub fn evidence_from_words(words: &[u32]) -> Vec<EditorSpan> {
        words
            .chunks_exact(4)
            .map(|w| match *w {
                [line, column, end_line, end_column] => EditorSpan { line, column, end_line, end_column },
                _ => EditorSpan::default(),
            })
            .collect()
    }
}

fn utf16_len(text: &str, from: usize, to: usize) -> u32 {
    let (mut from, mut to) = (from.min(text.len()), to.min(text.len()));
    while !text.is_char_boundary(from) {
        from -= 1;
    }
    while !text.is_char_boundary(to) {
        to -= 1;
    }
    let units = text.get(from..to.max(from)).map_or(0, |s| s.encode_utf16().count());
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// `range` (bytes), which starts on 1-based line `line`, as the editor counts. Only the
/// bytes of the span's own lines are read, so a 64 MB input costs no more than a small one.
pub fn editor_span(text: &str, range: TextRange, line: u32) -> EditorSpan {
    let bytes = text.as_bytes();
    let start = (range.start as usize).min(bytes.len());
    let end = (range.end as usize).clamp(start, bytes.len());
    let line_start = |at: usize| bytes.get(..at).and_then(|b| memchr::memrchr(b'\n', b)).map_or(0, |i| i + 1);
    let start_line_start = line_start(start);
    let inside = bytes.get(start..end).unwrap_or_default();
    let breaks = u32::try_from(memchr::memchr_iter(b'\n', inside).count()).unwrap_or(u32::MAX);
    let end_line_start = if breaks == 0 { start_line_start } else { line_start(end) };
    EditorSpan {
        line,
        column: utf16_len(text, start_line_start, start),
        end_line: line.saturating_add(breaks),
        end_column: utf16_len(text, end_line_start, end),
    }
}

/// 1-based line of each offset, for offsets in increasing order: one pass over the text.
fn lines_of(text: &[u8], offsets: &[usize]) -> Vec<u32> {
    let mut out = Vec::with_capacity(offsets.len());
    let (mut at, mut line) = (0usize, 1usize);
    for &offset in offsets {
        let offset = offset.clamp(at, text.len());
        line += memchr::memchr_iter(b'\n', text.get(at..offset).unwrap_or_default()).count();
        at = offset;
        out.push(u32::try_from(line).unwrap_or(u32::MAX));
    }
    out
}

/// The files of a dump (none for a single file): each file's body, in paste lines.
fn dump_files(analysis: &Analysis<'_>) -> Vec<DumpFile> {
    let Some(config) = &analysis.config else { return Vec::new() };
    let files: Vec<_> =
        config.files().iter().filter(|f| f.header.is_some() && f.body.end > f.body.start).collect();
    let offsets: Vec<usize> =
        files.iter().flat_map(|f| [f.body.start as usize, f.body.end as usize - 1]).collect();
    let lines = lines_of(config.source(), &offsets);
    files
        .iter()
        .zip(lines.chunks_exact(2))
        .filter_map(|(f, l)| match *l {
            [first_line, last_line] => Some(DumpFile { first_line, last_line, path: f.path.clone() }),
            _ => None,
        })
        .collect()
}

/// `texts`: the config, listeners and log the analysis was made from.
pub fn editor_spans(
    analysis: &Analysis<'_>,
    findings: &[FindingView],
    steps: &[StepView],
    texts: [&str; 3],
) -> EditorSpans {
    let [config, listeners, log] = texts;
    let text = |kind: InputKind| match kind {
        InputKind::Config => config,
        InputKind::Listeners => listeners,
        InputKind::Log => log,
    };
    let evidence = findings
        .iter()
        .flat_map(|f| &f.evidence)
        .chain(steps.iter().flat_map(|s| &s.evidence))
        .map(|e| editor_span(text(e.location.input), e.location.range, e.location.input_line))
        .collect();
    EditorSpans { evidence, files: dump_files(analysis) }
}
