//! The `badgateway` command: the core's diagnosis on the server, in CI and in scripts.

mod inputs;
mod text;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use badgateway_core::finding::Severity;
use badgateway_core::{Inputs, analyze};
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::inputs::InputFiles;

#[derive(Parser)]
#[command(
    name = "badgateway",
    version,
    about = "Explain why nginx answers 502 Bad Gateway (or 504, or 500)",
    long_about = "Reads the nginx config (`nginx -T` output or config files), what the backends listen on \
                  (`ss -tlnp`, `ss -xlp`, `netstat`, `lsof`, ...) and error-log lines, and prints the ranked \
                  causes with the evidence lines and the fix.",
    after_help = "Examples:\n  sudo nginx -T > config.txt; sudo ss -tlnpx > listeners.txt\n  sudo tail -n 500 /var/log/nginx/error.log > error.log\n  badgateway diagnose --config config.txt --listeners listeners.txt --log error.log\n  sudo nginx -T 2>&1 | badgateway diagnose --config - --format json"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Diagnose from any subset of the three inputs
    #[command(after_help = "Exit status: 0 no error-level finding, 1 error-level findings, 2 usage or input error.")]
    Diagnose {
        #[command(flatten)]
        files: InputFiles,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Hide findings below this severity
        #[arg(long, value_enum, default_value_t = MinSeverity::Info)]
        min_severity: MinSeverity,
        /// Print nothing; only the exit status tells
        #[arg(long, short)]
        quiet: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum MinSeverity {
    Error,
    Warning,
    Info,
}

impl MinSeverity {
    fn weight(self) -> u8 {
        match self {
            MinSeverity::Error => Severity::Error.weight(),
            MinSeverity::Warning => Severity::Warning.weight(),
            MinSeverity::Info => Severity::Info.weight(),
        }
    }
}

/// The `--format json` document. Stable: fields are only ever added.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<badgateway_core::view::FindingView>,
    inputs: &'a [badgateway_core::InputSummary],
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("badgateway: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Diagnose { files, format, min_severity, quiet } => {
            let loaded = files.load()?;
            let inputs = Inputs {
                config: loaded.config.as_deref(),
                listeners: loaded.listeners.as_deref(),
                log: loaded.log.as_deref(),
            };
            let analysis = analyze(inputs);
            let views: Vec<_> =
                analysis.views().into_iter().filter(|v| v.severity.weight() >= min_severity.weight()).collect();
            let failed = views.iter().any(|v| v.severity == Severity::Error);
            if !quiet {
                let out = match format {
                    Format::Json => {
                        let summaries = analysis.summaries();
                        let doc = JsonReport { version: 1, findings: views, inputs: &summaries };
                        serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n"
                    }
                    Format::Text => {
                        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                        text::render(&analysis, &views, &loaded, color)
                    }
                };
                let mut stdout = std::io::stdout().lock();
                // A closed pipe (`| head`) is not an error worth a message.
                let _ = stdout.write_all(out.as_bytes());
            }
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
    }
}
