//! The three inputs once read, and where each of their lines came from (a file, stdin, a
//! command's output) for display.

use std::path::Path;

/// Where a stretch of an input came from: a file to point at, or a command's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// Shown to people: a path, `stdin`, or a command such as `ss -tlnpx`.
    pub label: String,
    /// A real file the lines are in (for SARIF locations); `None` for stdin and commands.
    pub path: Option<String>,
    /// 1-based line of the input where this part starts.
    pub first_line: u32,
}

/// An [`Origin`] as the JSON report lists it.
#[derive(serde::Serialize)]
pub struct Source<'a> {
    pub input: badgateway_core::InputKind,
    pub source: &'a str,
    pub path: Option<&'a str>,
    pub first_line: u32,
}

#[derive(Default)]
pub struct Loaded {
    pub config: Option<Vec<u8>>,
    pub listeners: Option<Vec<u8>>,
    pub log: Option<Vec<u8>>,
    pub config_origin: Option<Origin>,
    pub listeners_origin: Option<Origin>,
    /// One part per file joined into the log input, in order.
    pub log_origins: Vec<Origin>,
    /// What could not be read when collecting (one line each).
    pub missing: Vec<String>,
    /// Collected on a live host or read from an evidence file.
    pub from_evidence: bool,
}

impl Origin {
    pub(crate) fn file(path: &Path) -> Origin {
        if path.as_os_str() == "-" {
            return Origin { label: "stdin".into(), path: None, first_line: 1 };
        }
        let shown = path.display().to_string();
        Origin { label: shown.clone(), path: Some(shown), first_line: 1 }
    }

    pub fn command(label: impl Into<String>) -> Origin {
        Origin { label: label.into(), path: None, first_line: 1 }
    }
}

fn line_count(bytes: &[u8]) -> u32 {
    u32::try_from(bytes.iter().filter(|&&b| b == b'\n').count()).unwrap_or(u32::MAX)
}

impl Loaded {
    pub fn inputs(&self) -> badgateway_core::Inputs<'_> {
        badgateway_core::Inputs {
            config: self.config.as_deref(),
            listeners: self.listeners.as_deref(),
            log: self.log.as_deref(),
        }
    }

    /// Appends one file's lines to the log input (several logs read as one paste).
    pub fn push_log(&mut self, mut origin: Origin, bytes: &[u8]) {
        let log = self.log.get_or_insert_with(Vec::new);
        origin.first_line = line_count(log).saturating_add(1);
        log.extend_from_slice(bytes);
        if !log.is_empty() && log.last() != Some(&b'\n') {
            log.push(b'\n');
        }
        self.log_origins.push(origin);
    }

    pub fn sources(&self) -> Vec<Source<'_>> {
        use badgateway_core::InputKind;
        let config = self.config_origin.iter().map(|o| (InputKind::Config, o));
        let listeners = self.listeners_origin.iter().map(|o| (InputKind::Listeners, o));
        let logs = self.log_origins.iter().map(|o| (InputKind::Log, o));
        config
            .chain(listeners)
            .chain(logs)
            .map(|(input, o)| Source {
                input,
                source: &o.label,
                path: o.path.as_deref(),
                first_line: o.first_line,
            })
            .collect()
    }

    /// Which part of an input a 1-based input line falls in, and the line within it.
    pub fn place(&self, input: badgateway_core::InputKind, input_line: u32) -> (Option<&Origin>, u32) {
        use badgateway_core::InputKind;
        match input {
            InputKind::Config => (self.config_origin.as_ref(), input_line),
            InputKind::Listeners => (self.listeners_origin.as_ref(), input_line),
            InputKind::Log => match self.log_origins.iter().rev().find(|o| o.first_line <= input_line) {
                Some(o) => (Some(o), input_line - o.first_line + 1),
                None => (None, input_line),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use badgateway_core::InputKind;

    #[test]
    fn log_lines_are_placed_in_the_file_they_came_from() {
        let mut l = Loaded::default();
        l.push_log(Origin::command("a"), b"1\n2\n3");
        l.push_log(Origin::command("b"), b"x\ny\n");
        assert_eq!(l.log.as_deref(), Some(&b"1\n2\n3\nx\ny\n"[..]));
        let (o, n) = l.place(InputKind::Log, 2);
        assert_eq!((o.map(|o| o.label.as_str()), n), (Some("a"), 2));
        let (o, n) = l.place(InputKind::Log, 5);
        assert_eq!((o.map(|o| o.label.as_str()), n), (Some("b"), 2));
    }
}
