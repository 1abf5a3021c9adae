//! The `badgateway` command: the core's diagnosis on the server, in CI and in scripts.

mod collect;
mod evidence_file;
mod inputs;
mod inspect;
mod loaded;
mod sarif;
mod share;
mod text;
mod walkthrough;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use badgateway_core::analyze;
use badgateway_core::diagnose::rules;
use badgateway_core::finding::Severity;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::collect::LiveHost;
use crate::inputs::{InputFiles, Loaded};

#[derive(Parser)]
#[command(
    name = "badgateway",
    version,
    about = "Explain why nginx answers 502 Bad Gateway (or 504, or 500)",
    long_about = "Reads the nginx config (`nginx -T` output or config files), what the backends listen on \
                  (`ss -tlnp`, `ss -xlp`, `netstat`, `lsof`, ...) and error-log lines, and prints the ranked \
                  causes with the evidence lines and the fix.",
    after_help = "Examples:\n  sudo badgateway diagnose --collect                      # on the host, at 3 a.m.\n  sudo badgateway collect --out evidence.txt             # to attach to a ticket\n  badgateway diagnose --evidence evidence.txt\n  badgateway diagnose --config nginx-T.txt --listeners ss.txt --log error.log --log app.log\n  sudo nginx -T 2>&1 | badgateway diagnose --config - --format json\n  badgateway diagnose --config deploy/nginx.conf --format sarif > badgateway.sarif   # in CI\n  badgateway explain BG202\n  badgateway share --base https://badgateway.example/ --redact --config nginx-T.txt --log error.log\n\nExit status: 0 no error-level finding, 1 error-level findings, 2 usage or input error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Diagnose from any subset of the three inputs, an evidence file, or the live host
    #[command(
        after_help = "Examples:\n  badgateway diagnose --config nginx-T.txt --listeners ss.txt --log error.log\n  sudo nginx -T 2>&1 | badgateway diagnose --config - --min-severity warning\n  sudo badgateway diagnose --collect --nginx-conf /etc/nginx/nginx.conf\n  badgateway diagnose --evidence evidence.txt --format json\n  badgateway diagnose --config nginx.conf --format sarif > badgateway.sarif\n\nExit status: 0 no error-level finding, 1 error-level findings, 2 usage or input error."
    )]
    Diagnose {
        #[command(flatten)]
        files: InputFiles,
        /// Collect the evidence from this host (nginx -T, ss -tlnpx, the error logs) and diagnose it
        #[arg(long, conflicts_with_all = ["config", "listeners", "log", "evidence"])]
        collect: bool,
        #[command(flatten)]
        host: LiveHost,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Hide findings below this severity
        #[arg(long, value_enum, default_value_t = MinSeverity::Info)]
        min_severity: MinSeverity,
        /// Print nothing; only the exit status tells
        #[arg(long, short)]
        quiet: bool,
        /// Also print the five troubleshooting steps, answered from the evidence or open (text output)
        #[arg(long)]
        walkthrough: bool,
    },
    /// Write this host's evidence (nginx -T, ss -tlnpx, error log tails) to a file, read-only
    #[command(
        after_help = "Examples:\n  sudo badgateway collect --out evidence.txt\n  sudo badgateway collect --out evidence/      # three files: config.txt, listeners.txt, error.log\n  badgateway diagnose --evidence evidence.txt"
    )]
    Collect {
        #[command(flatten)]
        host: LiveHost,
        /// A file to write (default: stdout); an existing directory gets three files
        #[arg(long, value_name = "FILE|DIR")]
        out: Option<PathBuf>,
    },
    /// Show what was understood of each input (targets, listeners, log events)
    Inspect {
        #[command(flatten)]
        files: InputFiles,
        /// Collect the evidence from this host first (as `diagnose --collect`)
        #[arg(long, conflicts_with_all = ["config", "listeners", "log", "evidence"])]
        collect: bool,
        #[command(flatten)]
        host: LiveHost,
        /// Output format
        #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
        format: InspectFormat,
    },
    /// Print a rule's documentation (`badgateway explain BG202`), or the catalog
    Explain {
        /// A code such as BG202
        code: Option<String>,
        /// List every code with its title
        #[arg(long)]
        list: bool,
    },
    /// Print a link that opens the inputs in the page (they travel in the URL fragment, never sent to a server)
    #[command(
        after_help = "Examples:\n  badgateway share --base https://badgateway.example/ --config nginx-T.txt --log error.log\n  badgateway share --base https://badgateway.example/ --redact --evidence evidence.txt"
    )]
    Share {
        /// The page's address
        #[arg(long, value_name = "URL")]
        base: String,
        /// Replace host names, public addresses, paths and secrets before encoding
        #[arg(long)]
        redact: bool,
        #[command(flatten)]
        files: InputFiles,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InspectFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
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

/// The `--format json` document (crates/cli/README.md). Stable: fields are only ever added.
#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<badgateway_core::view::FindingView>,
    inputs: &'a [badgateway_core::InputSummary],
    /// Where each input's lines came from: log `input_line`s count through every `--log`
    /// file in turn; the part a line falls in is the last with `first_line <= input_line`.
    sources: Vec<inputs::Source<'a>>,
    /// With `--collect` or `--evidence`: what could not be collected, one line each.
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<&'a [String]>,
    /// The five troubleshooting steps, answered or open.
    walkthrough: Vec<walkthrough::StepView<'a>>,
    /// What was checked; `null` when a finding is at error or warning level.
    checked: Option<walkthrough::CheckedView<'a>>,
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
    print_bytes(out.as_bytes());
}

fn print_bytes(out: &[u8]) {
    // A closed pipe (`| head`) is not an error worth a message.
    let _ = std::io::stdout().lock().write_all(out);
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Inspect { files, collect, host, format } => {
            let loaded = load(&files, collect, &host)?;
            for m in &loaded.missing {
                eprintln!("badgateway: {m}");
            }
            let analysis = analyze(loaded.inputs());
            let understood = inspect::understood(&analysis);
            match format {
                InspectFormat::Json => print_json(&understood)?,
                InspectFormat::Text => print(&inspect::text(&understood)),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { code, list } => explain(code.as_deref(), list),
        Command::Collect { host, out } => collect_to(&host, out.as_deref()),
        Command::Share { base, redact, files } => {
            let loaded = files.load()?;
            print(&(share::link(&base, &loaded, redact)? + "\n"));
            Ok(ExitCode::SUCCESS)
        }
        Command::Diagnose { files, collect, host, format, min_severity, quiet, walkthrough } => {
            let loaded = load(&files, collect, &host)?;
            if !quiet {
                for m in &loaded.missing {
                    eprintln!("badgateway: {m}");
                }
            }
            diagnose(&loaded, format, min_severity, quiet, walkthrough)
        }
    }
}

/// The inputs from the files given, or collected on this host with `--collect`.
fn load(files: &InputFiles, collect: bool, host: &LiveHost) -> Result<Loaded, String> {
    if !collect {
        if let Some(flag) = host.given() {
            return Err(format!("{flag} only applies with --collect"));
        }
        return files.load();
    }
    let evidence = collect::collect(host);
    if evidence.is_empty() {
        return Err(format!("collected nothing on this host: {}", evidence.missing.join("; ")));
    }
    Ok(evidence.into_loaded())
}

/// Writes `value` as pretty JSON straight to stdout. A big diagnosis is megabytes of JSON
/// (3.9 MB for the 100k-line benchmark inputs): built as one string first, it sat on top of
/// the whole analysis and set the run's peak memory.
fn print_json<T: Serialize>(value: &T) -> Result<(), String> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = serde_json::to_writer_pretty(&mut out, value)
        .and_then(|()| out.write_all(b"\n").and_then(|()| out.flush()).map_err(serde_json::Error::io));
    match written {
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if !e.is_io() => Err(e.to_string()),
        _ => Ok(()),
    }
}

fn diagnose(
    loaded: &Loaded,
    format: Format,
    min_severity: MinSeverity,
    quiet: bool,
    show_walkthrough: bool,
) -> Result<ExitCode, String> {
    let analysis = analyze(loaded.inputs());
    let views: Vec<_> =
        analysis.views().into_iter().filter(|v| v.severity.weight() >= min_severity.weight()).collect();
    let failed = views.iter().any(|v| v.severity == Severity::Error);
    if !quiet {
        match format {
            Format::Json => {
                let summaries = analysis.summaries();
                let doc = JsonReport {
                    version: 1,
                    findings: views,
                    inputs: &summaries,
                    sources: loaded.sources(),
                    missing: loaded.from_evidence.then_some(loaded.missing.as_slice()),
                    walkthrough: walkthrough::steps_json(&analysis),
                    checked: walkthrough::checked_json(&analysis),
                };
                print_json(&doc)?;
            }
            Format::Sarif => print_json(&sarif::render(&analysis, &views, loaded))?,
            Format::Text => {
                let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
                let mut out = text::render(&analysis, &views, loaded, color);
                if let Some(checked) = &analysis.checked {
                    out.push_str(&walkthrough::checked_text(checked, &analysis, loaded));
                }
                if show_walkthrough {
                    out.push_str(&walkthrough::steps_text(&analysis, loaded));
                }
                print(&out);
            }
        }
    }
    // The process ends next: freeing a large analysis (thousands of log groups and their
    // strings) piece by piece would only cost time (3% of a 35 MB run).
    std::mem::forget(analysis);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `badgateway collect`: the evidence file to stdout or `--out`, or three files in a directory.
fn collect_to(host: &LiveHost, out: Option<&std::path::Path>) -> Result<ExitCode, String> {
    let evidence = collect::collect(host);
    for m in &evidence.missing {
        eprintln!("badgateway: {m}");
    }
    if evidence.is_empty() {
        return Err("collected nothing on this host".into());
    }
    let title =
        format!("badgateway {}, host {}, {}", env!("CARGO_PKG_VERSION"), hostname(), collect::now_utc());
    match out {
        None => print_bytes(&evidence.write(&title)),
        Some(dir) if dir.is_dir() => {
            for (name, text) in evidence.three_files() {
                let path = dir.join(name);
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {}", path.display(), inputs::io_reason(&e)))?;
            }
        }
        Some(file) => std::fs::write(file, evidence.write(&title))
            .map_err(|e| format!("cannot write --out {}: {}", file.display(), inputs::io_reason(&e)))?,
    }
    Ok(ExitCode::SUCCESS)
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map_or_else(|_| "?".into(), |h| h.trim().to_string())
}

/// A rule's documentation as written in its doc comment, without the space `///` leaves
/// at the start of every line.
pub fn docs_text(docs: &str) -> String {
    docs.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
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
    print(&format!("{}: {}\n\n{}\n", info.code, info.title, docs_text(info.docs).trim_end()));
    Ok(ExitCode::SUCCESS)
}
