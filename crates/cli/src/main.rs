//! The `badgateway` command: the core's diagnosis on the server, in CI and in scripts.

mod inputs;
mod inspect;
mod text;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use badgateway_core::analyze;
use badgateway_core::diagnose::rules;
use badgateway_core::finding::Severity;
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
    #[command(
        after_help = "Exit status: 0 no error-level finding, 1 error-level findings, 2 usage or input error."
    )]
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
    /// Show what was understood of each input (targets, listeners, log events)
    Inspect {
        #[command(flatten)]
        files: InputFiles,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print a rule's documentation (`badgateway explain BG202`), or the catalog
    Explain {
        /// A code such as BG202
        code: Option<String>,
        /// List every code with its title
        #[arg(long)]
        list: bool,
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

fn print(out: &str) {
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Inspect { files, format } => {
            let loaded = files.load()?;
            let analysis = analyze(loaded.inputs());
            let understood = inspect::understood(&analysis);
            match format {
                Format::Json => {
                    print(&(serde_json::to_string_pretty(&understood).map_err(|e| e.to_string())? + "\n"))
                }
                Format::Text => print(&inspect::text(&understood)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { code, list } => explain(code.as_deref(), list),
        Command::Diagnose { files, format, min_severity, quiet } => {
            let loaded = files.load()?;
            let analysis = analyze(loaded.inputs());
            let views: Vec<_> = analysis
                .views()
                .into_iter()
                .filter(|v| v.severity.weight() >= min_severity.weight())
                .collect();
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
                print(&out);
            }
            Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
    }
}

fn explain(code: Option<&str>, list: bool) -> Result<ExitCode, String> {
    if list || code.is_none() {
        let mut out = String::new();
        for rule in rules::RULES {
            out.push_str(&format!("{}  {:<40} {}\n", rule.info.code, rule.info.name, rule.info.title));
        }
        print(&out);
        return Ok(ExitCode::SUCCESS);
    }
    let code = code.unwrap_or_default();
    let Some(info) = rules::info(code) else {
        return Err(format!("no rule {code}; `badgateway explain --list` shows them all"));
    };
    print(&format!("{}: {}\n\n{}", info.code, info.title, info.docs.replace("\n ", "\n")));
    Ok(ExitCode::SUCCESS)
}
