//! The three inputs as the command was given them: read from files, stdin, an evidence
//! file written by `badgateway collect`, or a live host; with one-line errors naming
//! the problem, and where each line came from for display.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::evidence_file;

#[derive(Args)]
pub struct InputFiles {
    /// nginx config: `nginx -T` output or a config file (`-` = stdin)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Listener table and probe output: `ss -tlnpx`, `netstat`, `lsof`, ... (`-` = stdin)
    #[arg(long, value_name = "FILE")]
    pub listeners: Option<PathBuf>,
    /// nginx error log lines, and backend log lines; repeat for several files (`-` = stdin)
    #[arg(long, value_name = "FILE")]
    pub log: Vec<PathBuf>,
    /// An evidence file written by `badgateway collect` (`-` = stdin): it fills all three inputs
    #[arg(long, value_name = "FILE", conflicts_with_all = ["config", "listeners", "log"])]
    pub evidence: Option<PathBuf>,
}

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

impl InputFiles {
    pub fn is_empty(&self) -> bool {
        self.config.is_none() && self.listeners.is_none() && self.log.is_empty() && self.evidence.is_none()
    }

    pub fn load(&self) -> Result<Loaded, String> {
        let stdin_users = self
            .config
            .iter()
            .chain(&self.listeners)
            .chain(&self.log)
            .chain(&self.evidence)
            .filter(|p| p.as_os_str() == "-")
            .count();
        if stdin_users > 1 {
            return Err("only one input can be read from stdin (`-`)".into());
        }
        if self.is_empty() {
            return Err(
                "nothing to diagnose: give at least one of --config, --listeners, --log, --evidence (or --collect)"
                    .into(),
            );
        }
        if let Some(path) = &self.evidence {
            let bytes = read(path, "--evidence")?;
            return evidence_file::split(&bytes)
                .map_err(|e| format!("cannot read --evidence {}: {e}", path.display()));
        }
        let mut loaded = Loaded::default();
        for path in self.config.iter().chain(&self.listeners).chain(&self.log) {
            if path.as_os_str() != "-" && evidence_file::looks_like(path) {
                return Err(format!(
                    "{} is an evidence file from `badgateway collect`: give it with --evidence",
                    path.display()
                ));
            }
        }
        if let Some(path) = &self.config {
            loaded.config = Some(read(path, "--config")?);
            loaded.config_origin = Some(Origin::file(path));
        }
        if let Some(path) = &self.listeners {
            loaded.listeners = Some(read(path, "--listeners")?);
            loaded.listeners_origin = Some(Origin::file(path));
        }
        for path in &self.log {
            let bytes = read(path, "--log")?;
            loaded.push_log(Origin::file(path), &bytes);
        }
        Ok(loaded)
    }
}

impl Origin {
    fn file(path: &Path) -> Origin {
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

/// Reads a whole file (or stdin for `-`); the error names the flag, the file and why.
pub fn read(path: &Path, flag: &str) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {flag} from stdin: {e}"))?;
    } else {
        bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read {flag} {}: {}", path.display(), io_reason(&e)))?;
    }
    // UTF-16 (Windows tools, PowerShell's `>`) is decoded; other non-text gets BG601.
    Ok(badgateway_core::sniff::decode_utf16(&bytes).map_or(bytes, String::into_bytes))
}

pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (try sudo)".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
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
