//! A finding is data: code, severity, evidence spans, explanation and fix. Only the
//! front ends turn it into text or HTML.

use serde::{Deserialize, Serialize};

use crate::input::{InputKind, Span, TextRange};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Explains a failure the user sees, or a config nginx would refuse.
    Error,
    /// A risk: predicts intermittent failures, or a likely cause not yet proven.
    Warning,
    /// Context, or something the user should paste next.
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Higher is more severe; used for ranking and `--min-severity`.
    pub fn weight(self) -> u8 {
        match self {
            Severity::Error => 3,
            Severity::Warning => 2,
            Severity::Info => 1,
        }
    }
}

/// How much a fix can be trusted to be applied without a human reading it
/// (ruff's applicability levels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// Applying it cannot change behaviour in any way the user did not ask for.
    Safe,
    /// Probably right, but it changes behaviour: read it first.
    Unsafe,
    /// Shown to teach; not applied automatically.
    DisplayOnly,
}

/// One piece of evidence: a span in one input and what it proves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    pub span: Span,
    pub message: String,
    /// The line the finding is about, as opposed to supporting evidence.
    pub primary: bool,
}

impl Label {
    /// The line the finding is about.
    #[inline(never)]
    pub fn primary(input: InputKind, range: TextRange, message: impl Into<String>) -> Self {
        Self { span: Span::new(input, range), message: message.into(), primary: true }
    }

    /// Evidence that supports the finding.
    #[inline(never)]
    pub fn secondary(input: InputKind, range: TextRange, message: impl Into<String>) -> Self {
        Self { span: Span::new(input, range), message: message.into(), primary: false }
    }
}

/// Replace `range` of the config text with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: TextRange,
    pub replacement: String,
}

/// Written in a fix's edit where the user must fill in a value nothing pasted gives (the DNS
/// server of a `resolver`). A fix holding it is `DisplayOnly`, and nginx -t refuses the config
/// until it is replaced (`host not found in resolver "DNS_SERVER_IP"`, nginx 1.22.1).
pub const PLACEHOLDER_DNS_SERVER: &str = "DNS_SERVER_IP";

/// A shell command with the reason to run it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Command {
    pub purpose: String,
    pub command: String,
}

impl Command {
    #[inline(never)]
    pub fn new(purpose: impl Into<String>, command: impl Into<String>) -> Self {
        Self { purpose: purpose.into(), command: command.into() }
    }
}

/// What to change: edits to the config (kept in position order) and the commands that apply
/// and verify them, with how far the edits can be trusted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// One line: what the fix does ("point proxy_pass at port 3000").
    summary: String,
    applicability: Applicability,
    /// Edits to the config input, by position; empty when the fix is outside the config.
    edits: Vec<Edit>,
    /// Commands to apply and verify the fix, in order.
    commands: Vec<Command>,
}

impl Fix {
    /// Edits that cannot change behaviour beyond what the user asked for.
    pub fn safe(summary: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Safe, summary, edits)
    }

    /// Edits that are probably right but change behaviour: to be read first.
    pub fn unsafe_(summary: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self::new(Applicability::Unsafe, summary, edits)
    }

    /// A fix outside the config, or one to read and adapt: commands, no edits.
    pub fn display_only(summary: impl Into<String>) -> Self {
        Self::new(Applicability::DisplayOnly, summary, Vec::new())
    }

    /// When the rule decides the applicability from the evidence (one candidate port is
    /// safe, several are not). Edits are kept in position order; same-place edits in theirs.
    #[inline(never)]
    pub fn new(applicability: Applicability, summary: impl Into<String>, mut edits: Vec<Edit>) -> Self {
        sort_edits(&mut edits);
        Self { summary: summary.into(), applicability, edits, commands: Vec::new() }
    }

    /// Adds commands to run, after those already given.
    #[inline(never)]
    pub fn with_commands(mut self, commands: impl IntoIterator<Item = Command>) -> Self {
        self.commands.extend(commands);
        self
    }

    /// Adds an edit found after the fix was built; the edits stay in position order.
    #[inline(never)]
    pub fn add_edit(&mut self, edit: Edit) {
        self.edits.push(edit);
        sort_edits(&mut self.edits);
    }

    /// Puts a command at `index` of the list (a check that must come before the reload).
    pub fn insert_command(&mut self, index: usize, command: Command) {
        self.commands.insert(index.min(self.commands.len()), command);
    }

    pub fn summary(&self) -> &str {
        &self.summary
    }

    pub fn applicability(&self) -> Applicability {
        self.applicability
    }

    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    pub fn commands(&self) -> &[Command] {
        &self.commands
    }
}

pub use crate::code::Code;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub title: String,
    /// Plain-words explanation of this case, one paragraph.
    pub message: String,
    /// 0..=100: how sure the evidence makes us.
    pub confidence: u8,
    /// The HTTP status the client sees for the failures this explains, when known.
    pub status: Option<u16>,
    pub labels: Vec<Label>,
    pub notes: Vec<String>,
    pub fix: Option<Fix>,
    /// What to paste or run next when evidence is missing to decide.
    pub next_steps: Vec<Command>,
    /// The code of the finding this one is a consequence of.
    pub caused_by: Option<Code>,
}

impl Finding {
    #[inline(never)]
    pub fn new(code: Code, severity: Severity, title: impl Into<String>) -> Self {
        Self {
            code,
            severity,
            title: title.into(),
            message: String::new(),
            confidence: 50,
            status: None,
            labels: Vec::new(),
            notes: Vec::new(),
            fix: None,
            next_steps: Vec::new(),
            caused_by: None,
        }
    }

    #[inline(never)]
    pub fn message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    #[inline(never)]
    pub fn confidence(mut self, confidence: u8) -> Self {
        self.confidence = confidence.min(100);
        self
    }

    #[inline(never)]
    pub fn status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    #[inline(never)]
    pub fn label(mut self, label: Label) -> Self {
        self.labels.push(label);
        self
    }

    #[inline(never)]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    #[inline(never)]
    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    #[inline(never)]
    pub fn next_step(mut self, command: Command) -> Self {
        self.next_steps.push(command);
        self
    }

    #[inline(never)]
    pub fn caused_by(mut self, code: Code) -> Self {
        self.caused_by = Some(code);
        self
    }

    /// The span of the first primary label: where the finding is.
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.iter().find(|l| l.primary).map(|l| l.span)
    }
}

/// Orders edits by position; edits at the same place keep their given order.
pub fn sort_edits<E: std::borrow::Borrow<Edit>>(edits: &mut Vec<E>) {
    let mut indexed: Vec<(usize, E)> = edits.drain(..).enumerate().collect();
    badgateway_config::order::sort_by_key(&mut indexed, |(i, e)| {
        let e = e.borrow();
        (e.range.start, e.range.end, *i)
    });
    edits.extend(indexed.into_iter().map(|(_, e)| e));
}

/// Applies `edits` to `text`. Edits must not overlap; they may come in any order.
/// Returns `None` when an edit lies outside the text or edits overlap.
pub fn apply_edits(text: &[u8], edits: &[Edit]) -> Option<Vec<u8>> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sort_edits(&mut sorted);
    let mut out = Vec::with_capacity(text.len() + 64);
    let mut at = 0usize;
    for edit in sorted {
        let (start, end) = (edit.range.start as usize, edit.range.end as usize);
        if start < at || end < start || end > text.len() {
            return None;
        }
        out.extend_from_slice(text.get(at..start)?);
        out.extend_from_slice(edit.replacement.as_bytes());
        at = end;
    }
    out.extend_from_slice(text.get(at..)?);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_any_order_and_reject_overlap() {
        let text = b"proxy_pass http://127.0.0.1:8000;";
        let edits = vec![
            Edit { range: TextRange::new(28, 32), replacement: "3000".into() },
            Edit { range: TextRange::new(0, 10), replacement: "fastcgi_pass".into() },
        ];
        assert_eq!(apply_edits(text, &edits).as_deref(), Some(&b"fastcgi_pass http://127.0.0.1:3000;"[..]));
        let overlap = vec![
            Edit { range: TextRange::new(0, 5), replacement: String::new() },
            Edit { range: TextRange::new(3, 6), replacement: String::new() },
        ];
        assert_eq!(apply_edits(text, &overlap), None);
        let outside = vec![Edit { range: TextRange::new(30, 99), replacement: String::new() }];
        assert_eq!(apply_edits(text, &outside), None);
    }
}
