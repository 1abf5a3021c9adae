//! rustc-style text output: each finding with its evidence quoted from all three
//! inputs, then the fix as a diff and the commands to apply it.

use annotate_snippets::{Level, Renderer, Snippet};
use badgateway_core::Analysis;
use badgateway_core::TextRange;
use badgateway_core::finding::Severity;
use badgateway_core::input::InputKind;
use badgateway_core::view::{EvidenceView, FindingView, Locator, visible};

use crate::inputs::Loaded;
use badgateway_text::char_range;

pub fn render(analysis: &Analysis<'_>, views: &[FindingView], loaded: &Loaded, color: bool) -> String {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let mut out = String::new();
    for view in views {
        out.push_str(&render_one(view, analysis, loaded, &renderer));
        out.push('\n');
    }
    out.push_str(&summary_line(analysis, views));
    out.push('\n');
    out
}

fn level(severity: Severity) -> Level {
    match severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info => Level::Info,
    }
}

/// `config /etc/nginx/nginx.conf`, `log /var/log/nginx/error.log`, and the line in it.
fn origin(e: &EvidenceView, loaded: &Loaded) -> (String, u32) {
    let kind = e.location.input.as_str();
    if e.location.input == InputKind::Config
        && let Some(file) = e.location.file.as_ref().filter(|f| !f.is_empty())
    {
        return (format!("{kind} {file}"), e.location.line);
    }
    match loaded.place(e.location.input, e.location.input_line) {
        (Some(origin), line) => (format!("{kind} {}", origin.label), line),
        (None, line) => (kind.to_string(), line),
    }
}

/// The whole line an evidence span starts on, as in the input (indentation kept, so the
/// column annotate-snippets prints is the file's), and the span within it. The view's
/// `text` is a shortened excerpt for the page; a terminal shows the line as it is.
fn whole_line(e: &EvidenceView, analysis: &Analysis<'_>) -> (String, (u32, u32)) {
    let input = e.location.input;
    let range = e.location.range;
    let line = analysis.line_range(input, range.start);
    let bytes = line.slice(analysis.text(input));
    let start = range.start.saturating_sub(line.start).min(line.len()) as usize;
    let end = (range.end.saturating_sub(line.start).min(line.len()) as usize).max(start);
    let part = |a: usize, b: usize| visible(&String::from_utf8_lossy(bytes.get(a..b).unwrap_or_default()));
    let before = part(0, start);
    let hit = part(start, end);
    let after = part(end, bytes.len());
    let after = after.trim_end_matches('\r');
    let h0 = u32::try_from(before.len()).unwrap_or(0);
    let h1 = h0.saturating_add(u32::try_from(hit.len()).unwrap_or(0));
    (format!("{before}{hit}{after}"), (h0, h1))
}

/// The exact text of a span (SARIF's region snippet).
pub fn span_text(analysis: &Analysis<'_>, e: &EvidenceView) -> String {
    let r = e.location.range;
    visible(&String::from_utf8_lossy(TextRange::new(r.start, r.end).slice(analysis.text(e.location.input))))
}

fn render_one(view: &FindingView, analysis: &Analysis<'_>, loaded: &Loaded, renderer: &Renderer) -> String {
    let lvl = level(view.severity);
    let origins: Vec<(String, u32)> = view.evidence.iter().map(|e| origin(e, loaded)).collect();
    let lines: Vec<(String, (u32, u32))> = view.evidence.iter().map(|e| whole_line(e, analysis)).collect();
    let status = view.status.map(|s| format!("clients get {s} {}", status_text(s)));
    let confidence = format!("confidence {}%", view.confidence);
    let mut message = lvl.title(&view.title).id(&view.code);
    for ((e, (origin, line)), (text, highlight)) in view.evidence.iter().zip(&origins).zip(&lines) {
        let ann_level = if e.primary { lvl } else { Level::Info };
        message = message.snippet(
            Snippet::source(text)
                .line_start(*line as usize)
                .origin(origin)
                .annotation(ann_level.span(char_range(text, *highlight)).label(&e.label)),
        );
    }
    if !view.message.is_empty() {
        message = message.footer(Level::Note.title(&view.message));
    }
    if let Some(status) = &status {
        message = message.footer(Level::Note.title(status));
    }
    message = message.footer(Level::Note.title(&confidence));
    let notes: Vec<&String> = view.notes.iter().collect();
    for n in &notes {
        message = message.footer(Level::Note.title(n));
    }
    let mut text = renderer.render(message).to_string();
    text.push('\n');
    // Our own `= fix`/`= docs` lines line up with annotate-snippets' `= note` lines.
    let gutter = origins.iter().map(|(_, line)| line.to_string().len()).max().unwrap_or(1);
    let pad = " ".repeat(gutter + 1);
    if let Some(fix) = &view.fix {
        text.push_str(&format!("{pad}= fix: {}\n", fix.summary));
        for file in &fix.diff {
            let name = file
                .file
                .clone()
                .or_else(|| loaded.config_origin.as_ref().map(|o| o.label.clone()))
                .unwrap_or_else(|| "config".into());
            text.push_str(&format!("{pad}  --- {name}\n{pad}  +++ {name} (fixed)\n"));
            for line in &file.lines {
                text.push_str(&format!("{pad}  {}", line.unified()));
            }
        }
        for c in &fix.commands {
            text.push_str(&format!("{pad}  $ {}    # {}\n", c.command, c.purpose));
        }
    }
    for c in &view.next_steps {
        text.push_str(&format!("{pad}= next: {}\n{pad}  $ {}\n", c.purpose, c.command));
    }
    text.push_str(&format!("{pad}= docs: badgateway explain {}\n", view.code));
    text
}

fn status_text(status: u16) -> &'static str {
    match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        404 => "Not Found",
        499 => "(client closed the request)",
        _ => "",
    }
}

fn summary_line(analysis: &Analysis<'_>, views: &[FindingView]) -> String {
    let count = |s: Severity| views.iter().filter(|v| v.severity == s).count();
    let read: Vec<String> = analysis
        .summaries()
        .into_iter()
        .filter(|s| !s.read_as.is_empty())
        .map(|s| format!("{}: {}", s.input.map_or("", |i| i.as_str()), s.read_as))
        .collect();
    let mut line = format!(
        "{} error(s), {} warning(s), {} note(s)",
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    );
    if !read.is_empty() {
        line.push_str(&format!(" — read {}", read.join("; ")));
    }
    line
}
