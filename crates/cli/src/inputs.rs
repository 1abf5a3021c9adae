//! The three inputs as the command was given them: read from files, stdin, an evidence
//! file written by `badgateway collect`, or a live host; with one-line errors naming
//! the problem, and where each line came from for display.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::evidence_file;
pub use crate::loaded::{Loaded, Origin, Source};

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
