//! Reading the three inputs from files or stdin, with located, one-line errors.

use std::io::Read;
use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct InputFiles {
    /// nginx config: `nginx -T` output or a config file (`-` = stdin)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Listener table and probe output: `ss -tlnp`, `ss -xlp`, `netstat`, `lsof`, ... (`-` = stdin)
    #[arg(long, value_name = "FILE")]
    pub listeners: Option<PathBuf>,
    /// nginx error log lines, and backend log lines (`-` = stdin)
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,
}

pub struct Loaded {
    pub config: Option<Vec<u8>>,
    pub listeners: Option<Vec<u8>>,
    pub log: Option<Vec<u8>>,
    pub config_name: Option<String>,
    pub listeners_name: Option<String>,
    pub log_name: Option<String>,
}

impl InputFiles {
    pub fn load(&self) -> Result<Loaded, String> {
        let stdin_users = [&self.config, &self.listeners, &self.log]
            .iter()
            .filter(|p| p.as_ref().is_some_and(|p| p.as_os_str() == "-"))
            .count();
        if stdin_users > 1 {
            return Err("only one input can be read from stdin (`-`)".into());
        }
        if self.config.is_none() && self.listeners.is_none() && self.log.is_none() {
            return Err("nothing to diagnose: give at least one of --config, --listeners, --log".into());
        }
        Ok(Loaded {
            config: read(self.config.as_ref(), "--config")?,
            listeners: read(self.listeners.as_ref(), "--listeners")?,
            log: read(self.log.as_ref(), "--log")?,
            config_name: self.config.as_ref().map(|p| p.display().to_string()),
            listeners_name: self.listeners.as_ref().map(|p| p.display().to_string()),
            log_name: self.log.as_ref().map(|p| p.display().to_string()),
        })
    }
}

fn read(path: Option<&PathBuf>, flag: &str) -> Result<Option<Vec<u8>>, String> {
    let Some(path) = path else { return Ok(None) };
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read {flag} from stdin: {e}"))?;
    } else {
        bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read {flag} {}: {}", path.display(), io_reason(&e)))?;
    }
    Ok(Some(bytes))
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied (try sudo)".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        _ => e.to_string(),
    }
}

impl Loaded {
    pub fn inputs(&self) -> badgateway_core::Inputs<'_> {
        badgateway_core::Inputs {
            config: self.config.as_deref(),
            listeners: self.listeners.as_deref(),
            log: self.log.as_deref(),
        }
    }
}
