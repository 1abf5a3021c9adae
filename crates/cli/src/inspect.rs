//! `badgateway inspect`: what was understood of each input, as JSON or a table, so a
//! user can check that their paste was read the way they meant.

use badgateway_core::config::TargetHost;
use badgateway_core::view::Locator;
use badgateway_core::{Analysis, InputKind, Span, TextRange};
use serde::Serialize;

#[derive(Serialize)]
pub struct Understood {
    pub inputs: Vec<badgateway_core::InputSummary>,
    pub targets: Vec<TargetOut>,
    pub listeners: Vec<ListenerOut>,
    pub events: Vec<EventOut>,
    pub backend_events: Vec<EventOut>,
}

#[derive(Serialize)]
pub struct TargetOut {
    pub directive: &'static str,
    pub url: String,
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub path: Option<String>,
    pub upstream: Option<String>,
    pub file: Option<String>,
    pub line: u32,
}

#[derive(Serialize)]
pub struct ListenerOut {
    pub kind: String,
    pub address: Option<String>,
    pub port: Option<u16>,
    pub path: Option<String>,
    pub process: Option<String>,
    pub pid: Option<u32>,
    pub backlog_full: bool,
    pub format: &'static str,
    pub line: u32,
}

#[derive(Serialize)]
pub struct EventOut {
    pub kind: String,
    pub errno: Option<u16>,
    pub phase: Option<String>,
    pub upstream: Option<String>,
    pub status: Option<u16>,
    pub line: u32,
    pub count: usize,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
}

fn line(analysis: &Analysis<'_>, input: InputKind, range: TextRange) -> u32 {
    analysis.locate(Span::new(input, range)).input_line
}

pub fn understood(analysis: &Analysis<'_>) -> Understood {
    let mut targets = Vec::new();
    if let Some(config) = &analysis.config {
        let model = config.model();
        for t in &model.targets {
            let loc = analysis.locate(Span::new(InputKind::Config, t.range));
            let (host, port, path, upstream) = match &t.host {
                TargetHost::Inet { host, port, .. } => (Some(host.clone()), Some(*port), None, None),
                TargetHost::Unix { path, .. } => (None, None, Some(path.clone()), None),
                TargetHost::Upstream { index } => {
                    (None, None, None, model.upstreams.get(*index).map(|u| u.name.clone()))
                }
                TargetHost::Variable => (None, None, None, None),
            };
            targets.push(TargetOut {
                directive: t.kind.directive(),
                url: t.raw.clone(),
                scheme: t.scheme.clone(),
                host,
                port,
                path,
                upstream,
                file: loc.file,
                line: loc.line,
            });
        }
    }
    let listeners = analysis
        .listeners
        .iter()
        .flat_map(|r| r.listeners.iter())
        .map(|l| ListenerOut {
            kind: format!("{:?}", l.kind).to_lowercase(),
            address: l.bind.address_text(),
            port: l.port,
            path: l.bind.path(),
            process: l.processes.first().map(|p| p.name.clone()),
            pid: l.processes.first().and_then(|p| p.pid),
            backlog_full: l.backlog_full(),
            format: l.format.label(),
            line: line(analysis, InputKind::Listeners, l.range),
        })
        .collect();
    let (mut events, mut backend_events) = (Vec::new(), Vec::new());
    if let Some(log) = &analysis.log {
        for g in &log.groups {
            events.push(EventOut {
                kind: g.event.kind.name().to_string(),
                errno: g.event.errno,
                phase: g.event.phase.map(|p| p.as_str().to_string()),
                upstream: g.event.upstream.as_ref().map(|u| u.raw().to_owned()),
                status: g.event.status.code(),
                line: line(analysis, InputKind::Log, g.event.range),
                count: g.count,
                first_time: g.first_time.clone(),
                last_time: g.last_time.clone(),
            });
        }
        for g in &log.backend {
            backend_events.push(EventOut {
                kind: format!("{:?}", g.event.kind),
                errno: None,
                phase: None,
                upstream: None,
                status: None,
                line: line(analysis, InputKind::Log, g.event.range),
                count: g.count,
                first_time: g.event.time.clone(),
                last_time: None,
            });
        }
    }
    Understood { inputs: analysis.summaries(), targets, listeners, events, backend_events }
}

pub fn text(u: &Understood) -> String {
    let mut out = String::new();
    for s in &u.inputs {
        out.push_str(&format!("{:<10} read as: {}\n", s.input.map_or("", |i| i.as_str()), s.read_as));
        if s.unrecognized_count > 0 {
            out.push_str(&format!("{:<10} {} line(s) not understood\n", "", s.unrecognized_count));
        }
    }
    if !u.targets.is_empty() {
        out.push_str("\nBackend targets (config)\n");
        for t in &u.targets {
            let at = t.file.as_deref().map_or(format!("line {}", t.line), |f| format!("{f}:{}", t.line));
            out.push_str(&format!("  {:<15} {:<40} {at}\n", t.directive, t.url));
        }
    }
    if !u.listeners.is_empty() {
        out.push_str("\nListeners\n");
        for l in &u.listeners {
            let addr = match (&l.address, l.port, &l.path) {
                (Some(a), Some(p), _) => format!("{a}:{p}"),
                (_, _, Some(path)) => path.clone(),
                (Some(a), None, _) => a.clone(),
                _ => "?".into(),
            };
            let who = match (&l.process, l.pid) {
                (Some(p), Some(pid)) => format!("{p} ({pid})"),
                (Some(p), None) => p.clone(),
                _ => "-".into(),
            };
            let full = if l.backlog_full { "  BACKLOG FULL" } else { "" };
            out.push_str(&format!("  {:<5} {:<40} {:<24} line {}{full}\n", l.kind, addr, who, l.line));
        }
    }
    if !u.events.is_empty() || !u.backend_events.is_empty() {
        out.push_str("\nLog events\n");
        for e in u.events.iter().chain(&u.backend_events) {
            let errno = e.errno.map_or(String::new(), |n| format!(" ({n})"));
            let status = e.status.map_or(String::new(), |s| format!(" -> {s}"));
            out.push_str(&format!(
                "  {:>6}x {}{errno}{status} {} line {}\n",
                e.count,
                e.kind,
                e.upstream.as_deref().unwrap_or(""),
                e.line
            ));
        }
    }
    out
}
