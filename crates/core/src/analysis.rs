//! One diagnosis run: parse the three inputs, derive facts, run the rules, rank.
//! The page, the CLI and the tests all go through [`analyze`].

use std::cell::OnceCell;

use badgateway_config::Config;

use crate::diagnose::walkthrough::{self, Checked, Step};
use crate::diagnose::{self, Facts};
use crate::finding::{Finding, Severity};
use crate::input::{InputKind, Inputs, LineIndex, Span, TextRange};
use crate::limits::{self, Limited};
use crate::listeners::{self, ListenerReport};
use crate::log::{self, LogReport};
use crate::numbers::thousands;
use crate::sniff;
pub use crate::view::InputSummary;
use crate::view::{FindingView, Location, Locator, StepView, finding_view, step_views};

pub struct Analysis<'a> {
    pub inputs: Inputs<'a>,
    pub config: Option<Config>,
    pub listeners: Option<ListenerReport>,
    pub log: Option<LogReport>,
    /// Ranked, most likely cause first.
    pub findings: Vec<Finding>,
    /// The five troubleshooting steps, answered from this evidence or left open.
    pub walkthrough: Vec<Step>,
    /// What was checked, when no finding is at error or warning level (`None` otherwise).
    pub checked: Option<Checked>,
    /// What the size limits cut, per input (`[config, listeners, log]`).
    pub limited: [Limited; 3],
    lines: [OnceCell<LineIndex>; 3],
}

/// Parses whichever inputs are present and runs every rule.
pub fn analyze(inputs: Inputs<'_>) -> Analysis<'_> {
    analyze_with(inputs, diagnose::rules::RULES)
}

/// The same with only some rules: a rule's own tests run it alone.
pub(crate) fn analyze_with<'a>(inputs: Inputs<'a>, rules: &[diagnose::rules::Rule]) -> Analysis<'a> {
    let (inputs, limited) = limits::apply(inputs);
    // A box that holds no text, or what another box reads, is not read as its own kind:
    // one finding (BG601/BG602) says what it holds instead of a flood of parse errors.
    let readable =
        |input| inputs.has(input) && sniff::sniff(inputs.text(input), input) == sniff::Verdict::Read;
    let config =
        readable(InputKind::Config).then(|| badgateway_config::parse(inputs.text(InputKind::Config)));
    let listeners =
        readable(InputKind::Listeners).then(|| listeners::parse(inputs.text(InputKind::Listeners)));
    let log = readable(InputKind::Log).then(|| log::parse(inputs.text(InputKind::Log)));
    let (findings, walkthrough, checked) = {
        let facts = Facts::new(inputs, config.as_ref(), listeners.as_ref(), log.as_ref());
        let mut findings = diagnose::run(&facts, rules);
        diagnose::cap_per_code(&mut findings);
        findings.truncate(limits::MAX_FINDINGS);
        for finding in &mut findings {
            say_what_was_hidden(finding, inputs);
        }
        let steps = walkthrough::walkthrough(&facts);
        let undecided = findings.iter().all(|f| f.severity == Severity::Info);
        let checked = undecided.then(|| walkthrough::checked(&facts, &steps));
        (findings, steps, checked)
    };
    Analysis {
        inputs,
        config,
        listeners,
        log,
        findings,
        walkthrough,
        checked,
        limited,
        lines: Default::default(),
    }
}

impl<'a> Analysis<'a> {
    fn index(&self, input: InputKind) -> &LineIndex {
        let slot = match input {
            InputKind::Config => &self.lines[0],
            InputKind::Listeners => &self.lines[1],
            InputKind::Log => &self.lines[2],
        };
        slot.get_or_init(|| LineIndex::new(self.inputs.text(input)))
    }

    /// Findings, ranked, located for display.
    pub fn views(&self) -> Vec<FindingView> {
        self.findings.iter().enumerate().map(|(i, f)| finding_view(i + 1, f, self)).collect()
    }

    /// The walkthrough, located for display.
    pub fn step_views(&self) -> Vec<StepView> {
        step_views(&self.walkthrough, self)
    }

    /// What each given input was read as, and what in it was not understood.
    pub fn summaries(&self) -> Vec<InputSummary> {
        let mut out = self.summaries_without_lines();
        for summary in &mut out {
            if let Some(input) = summary.input {
                if let Some(note) = self.limited.get(limits::slot(input)).and_then(Limited::note) {
                    summary.read_as = format!("{} ({note})", summary.read_as);
                }
                let index = self.index(input);
                summary.unrecognized_lines = summary
                    .unrecognized
                    .iter()
                    .map(|r| u32::try_from(index.line_of(r.start) + 1).unwrap_or(u32::MAX))
                    .collect();
            }
        }
        out
    }

    fn summaries_without_lines(&self) -> Vec<InputSummary> {
        let mut out = Vec::new();
        if let Some(config) = &self.config {
            out.push(InputSummary {
                input: Some(InputKind::Config),
                read_as: config_summary(config),
                unrecognized: Vec::new(),
                unrecognized_count: 0,
                unrecognized_lines: Vec::new(),
            });
        }
        if let Some(listeners) = &self.listeners {
            out.push(InputSummary {
                input: Some(InputKind::Listeners),
                read_as: listeners_summary(listeners),
                unrecognized: listeners.unrecognized.clone(),
                unrecognized_count: listeners.unrecognized.len(),
                unrecognized_lines: Vec::new(),
            });
        }
        if let Some(log) = &self.log {
            out.push(InputSummary {
                input: Some(InputKind::Log),
                read_as: log_summary(log),
                unrecognized: log.unrecognized.clone(),
                unrecognized_count: log.unrecognized_count,
                unrecognized_lines: Vec::new(),
            });
        }
        out
    }
}

/// A finding whose evidence holds a value the poster hid (`x.x.x.x`, `<ip>`,
/// `[REDACTED]` ...) says so: that value was matched to nothing, so the finding rests on
/// the line alone, and it is never more than likely.
fn say_what_was_hidden(finding: &mut Finding, inputs: Inputs<'_>) {
    let hidden = finding.labels.iter().find_map(|label| {
        let text = inputs.text(label.span.input);
        let quoted = text.get(label.span.range.start as usize..label.span.range.end as usize)?;
        let quoted = std::str::from_utf8(quoted).ok()?;
        quoted
            .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '/' | '(' | ')' | '`'))
            .map(|token| {
                token
                    .rsplit_once(':')
                    .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
                    .map_or(token, |(host, _)| host)
            })
            .find(|token| crate::paste::is_hidden(token))
            .map(str::to_string)
    });
    if let Some(value) = hidden {
        finding.notes.push(format!(
            "`{value}` was hidden before pasting, so it was matched to no listener and no config line: this rests on \
             the line alone. Paste the real value (or the config and the listener table) to prove it."
        ));
        finding.confidence = finding.confidence.min(75);
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn config_summary(config: &Config) -> String {
    use badgateway_config::InputShape;
    let model = config.model();
    let shape = match config.kind() {
        InputShape::Dump { files } => format!("nginx -T dump, {}", plural(files, "file", "files")),
        InputShape::SingleFile => "nginx.conf".to_string(),
        InputShape::Snippet { context } => {
            format!("a part of a config, read at {} level", context_name(context))
        }
    };
    let mut parts = vec![shape];
    if !model.servers.is_empty() {
        parts.push(plural(model.servers.len(), "server", "servers"));
    }
    if !model.upstreams.is_empty() {
        parts.push(plural(model.upstreams.len(), "upstream", "upstreams"));
    }
    parts.push(plural(model.targets.len(), "backend target", "backend targets"));
    let errors = config.diagnostics().iter().filter(|d| d.code.is_error()).count();
    if errors > 0 {
        parts.push(plural(errors, "error nginx -t would report", "errors nginx -t would report"));
    }
    parts.join(", ")
}

/// The block a snippet was read in, as nginx names it. (Not `{:?}`: Debug formatting
/// would bring its code into the page.)
fn context_name(context: badgateway_config::Context) -> &'static str {
    use badgateway_config::Context as C;
    match context {
        C::Main => "main",
        C::Events => "events",
        C::Http => "http",
        C::Server => "server",
        C::Location => "location",
        C::Upstream => "upstream",
        C::ServerIf | C::LocationIf => "if",
        C::LimitExcept => "limit_except",
        C::Stream => "stream",
        C::StreamServer => "stream server",
        C::StreamUpstream => "stream upstream",
        C::Mail => "mail",
        C::MailServer => "mail server",
        C::Raw | C::Unknown => "an unknown block's",
    }
}

fn listeners_summary(report: &ListenerReport) -> String {
    let mut parts: Vec<String> = Vec::new();
    for section in &report.sections {
        let label = section.format.label();
        let part = format!("{label}: {}", plural(section.rows, "row", "rows"));
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    if parts.is_empty() {
        return "nothing recognised (paste `ss -tlnp`, `ss -xlp`, netstat or lsof output)".to_string();
    }
    format!("{} ({})", parts.join("; "), plural(report.listeners.len(), "listener", "listeners"))
}

fn log_summary(log: &LogReport) -> String {
    let kinds = log.groups.len() + log.backend.len();
    let formats: Vec<&str> = log.formats.iter().map(|(f, _)| f.as_str()).collect();
    let mut s = format!(
        "{}, {}",
        plural(log.lines, "line", "lines"),
        plural(kinds, "kind of event", "kinds of event")
    );
    if !formats.is_empty() {
        s = format!("{}: {s}", formats.join(" + "));
    }
    if !log.config_errors.is_empty() {
        s.push_str(&format!(", {}", plural(log.config_errors.len(), "nginx -t error", "nginx -t errors")));
    }
    s
}

impl Locator for Analysis<'_> {
    fn locate(&self, span: Span) -> Location {
        let mut location = self.locate_in_input(span);
        if let (InputKind::Config, Some(config)) = (span.input, &self.config) {
            let pos = config.locate(span.range.start);
            if !pos.path.is_empty() {
                location.file = Some(pos.path);
            }
            if pos.line > 0 {
                location.line = pos.line;
            }
        }
        location
    }

    fn text(&self, input: InputKind) -> &[u8] {
        self.inputs.text(input)
    }

    fn line_range(&self, input: InputKind, offset: u32) -> TextRange {
        let index = self.index(input);
        let text = self.inputs.text(input);
        limits::quote_window(text, index.line_range(text, index.line_of(offset)), offset)
    }

    fn config_file_range(&self, offset: u32) -> TextRange {
        let whole = TextRange::from_usize(0, self.inputs.text(InputKind::Config).len());
        let Some(config) = &self.config else { return whole };
        config.files().iter().map(|f| f.body).find(|b| b.start <= offset && offset <= b.end).unwrap_or(whole)
    }
}

impl Analysis<'_> {
    fn locate_in_input(&self, span: Span) -> Location {
        let text = self.inputs.text(span.input);
        let index = self.index(span.input);
        let (line0, col_bytes) = index.line_col(span.range.start);
        let line_start = span.range.start.saturating_sub(col_bytes);
        let prefix = TextRange::new(line_start, span.range.start).slice(text);
        let column = String::from_utf8_lossy(prefix).chars().count();
        let input_line = u32::try_from(line0 + 1).unwrap_or(u32::MAX);
        Location {
            input: span.input,
            file: None,
            line: input_line,
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
            input_line,
            range: span.range,
        }
    }
}
