//! `--format sarif`: SARIF 2.1.0 for code-scanning UIs. One run; the driver lists every
//! rule (help = the rule's documentation); each finding is a result located in the
//! config file it is about, with the listener table and log lines as related locations
//! and the fix as SARIF replacements. Columns count Unicode code points.

use badgateway_core::diagnose::rules;
use badgateway_core::finding::Severity;
use badgateway_core::view::{EvidenceView, FindingView, Location, Locator};
use badgateway_core::{Analysis, InputKind, Span, TextRange};
use serde_json::{Value, json};

use crate::inputs::Loaded;

pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
/// Where rule links point: the page's rule reference (`#/rules/BG202`).
pub const DOCS_BASE: &str = "https://badgateway.invalid/";

pub fn render(analysis: &Analysis<'_>, views: &[FindingView], loaded: &Loaded) -> Value {
    let rule_list: Vec<Value> = rules::RULES.iter().map(|r| rule(&r.info)).collect();
    let results: Vec<Value> = views.iter().map(|v| result(v, analysis, loaded)).collect();
    let notifications: Vec<Value> =
        loaded.missing.iter().map(|m| json!({ "level": "warning", "message": { "text": m } })).collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "badgateway",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": DOCS_BASE,
                "rules": rule_list,
            }},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// Sets a property of a JSON object (a no-op on anything else).
fn set(target: &mut Value, key: &str, value: Value) {
    if let Some(object) = target.as_object_mut() {
        object.insert(key.to_string(), value);
    }
}

fn family(code: &str) -> &'static str {
    match code.as_bytes().get(2) {
        Some(b'1') => "config-does-not-load",
        Some(b'2') => "cannot-connect",
        Some(b'3') => "bad-response",
        Some(b'4') => "timeout",
        _ => "risk",
    }
}

fn rule(info: &rules::RuleInfo) -> Value {
    let docs = crate::docs_text(info.docs);
    let docs = docs.trim();
    // The first paragraph under "What it detects", as plain text.
    let detects = docs
        .split("## What it detects")
        .nth(1)
        .and_then(|s| s.split("\n\n").map(str::trim).find(|p| !p.is_empty()))
        .unwrap_or(info.title);
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": { "text": info.title },
        "fullDescription": { "text": detects },
        "help": { "text": docs, "markdown": docs },
        "helpUri": format!("{DOCS_BASE}#/rules/{}", info.code),
        "properties": { "tags": ["nginx", family(info.code.as_str())] },
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A URI reference for a path: absolute paths become `file:///…`, others stay relative.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len() + 8);
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The file and the line in it for a location: a config file of the dump, or the file
/// a listener table or log part was read from. `None` for stdin and command output.
fn file_line(location: &Location, loaded: &Loaded) -> Option<(String, u32)> {
    if location.input == InputKind::Config
        && let Some(file) = &location.file
    {
        return Some((file.clone(), location.line));
    }
    let (origin, line) = loaded.place(location.input, location.input_line);
    origin.and_then(|o| o.path.clone()).map(|p| (p, line))
}

fn region_end(analysis: &Analysis<'_>, location: &Location, end: u32) -> Option<(u32, u32)> {
    let e = analysis.locate(Span::new(location.input, TextRange::new(end, end)));
    (e.file == location.file && e.line >= location.line).then_some((e.line, e.column))
}

fn physical(
    analysis: &Analysis<'_>,
    location: &Location,
    loaded: &Loaded,
    snippet: Option<&str>,
) -> Option<Value> {
    let (file, line) = file_line(location, loaded)?;
    let mut region = json!({ "startLine": line.max(1), "startColumn": location.column.max(1) });
    if let Some((end_line, end_column)) = region_end(analysis, location, location.range.end) {
        let end_line = line + (end_line - location.line);
        set(&mut region, "endLine", json!(end_line));
        set(&mut region, "endColumn", json!(end_column.max(1)));
    }
    if let Some(text) = snippet {
        set(&mut region, "snippet", json!({ "text": text }));
    }
    Some(json!({ "artifactLocation": { "uri": uri(&file) }, "region": region }))
}

/// The location a result is shown at: the first primary config evidence, else the
/// first config evidence, else the first primary evidence anywhere.
fn primary_index(view: &FindingView, loaded: &Loaded) -> Option<usize> {
    let has_file = |e: &EvidenceView| file_line(&e.location, loaded).is_some();
    let ev = &view.evidence;
    ev.iter()
        .position(|e| e.primary && e.location.input == InputKind::Config && has_file(e))
        .or_else(|| ev.iter().position(|e| e.location.input == InputKind::Config && has_file(e)))
        .or_else(|| ev.iter().position(|e| e.primary && has_file(e)))
        .or_else(|| ev.iter().position(has_file))
}

fn result(view: &FindingView, analysis: &Analysis<'_>, loaded: &Loaded) -> Value {
    let rule_index = rules::RULES.iter().position(|r| r.info.code.as_str() == view.code);
    let primary = primary_index(view, loaded);
    let mut locations = Vec::new();
    let mut related = Vec::new();
    for (i, e) in view.evidence.iter().enumerate() {
        let Some(mut loc) =
            physical(analysis, &e.location, loaded, Some(&crate::text::span_text(analysis, e)))
                .map(|p| json!({ "physicalLocation": p }))
        else {
            continue;
        };
        set(&mut loc, "message", json!({ "text": e.label }));
        if Some(i) == primary {
            locations.push(loc);
        } else {
            set(&mut loc, "id", json!(related.len()));
            related.push(loc);
        }
    }
    // Code-scanning UIs need a place to show a result: the config itself, at line 1.
    if locations.is_empty()
        && let Some(path) = loaded.config_origin.as_ref().and_then(|o| o.path.as_ref())
    {
        locations.push(json!({ "physicalLocation": {
            "artifactLocation": { "uri": uri(path) },
            "region": { "startLine": 1, "startColumn": 1 },
        }}));
    }
    let mut text = view.title.clone();
    if !view.message.is_empty() {
        text = format!("{text}. {}", view.message);
    }
    let mut out = json!({
        "ruleId": view.code,
        "level": level(view.severity),
        "message": { "text": text },
        "locations": locations,
        "properties": {
            "rank": view.rank,
            "confidence": view.confidence,
            "status": view.status,
            "notes": view.notes,
        },
    });
    if let Some(i) = rule_index {
        set(&mut out, "ruleIndex", json!(i));
    }
    if !related.is_empty() {
        set(&mut out, "relatedLocations", json!(related));
    }
    if let Some(fix) = fix(view, analysis, loaded) {
        set(&mut out, "fixes", json!([fix]));
    }
    out
}

/// The fix as replacements, when every edit lands in a file; grouped by file.
fn fix(view: &FindingView, analysis: &Analysis<'_>, loaded: &Loaded) -> Option<Value> {
    let fix = view.fix.as_ref()?;
    if fix.edits.is_empty() {
        return None;
    }
    let mut changes: Vec<(String, Vec<Value>)> = Vec::new();
    for edit in &fix.edits {
        let (file, line) = file_line(&edit.location, loaded)?;
        let mut deleted = json!({ "startLine": line, "startColumn": edit.location.column });
        let (end_line, end_column) = region_end(analysis, &edit.location, edit.location.range.end)?;
        set(&mut deleted, "endLine", json!(line + (end_line - edit.location.line)));
        set(&mut deleted, "endColumn", json!(end_column));
        let replacement =
            json!({ "deletedRegion": deleted, "insertedContent": { "text": edit.replacement } });
        match changes.iter_mut().find(|(f, _)| *f == file) {
            Some((_, list)) => list.push(replacement),
            None => changes.push((file, vec![replacement])),
        }
    }
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(file, replacements)| json!({ "artifactLocation": { "uri": uri(&file) }, "replacements": replacements }))
        .collect();
    Some(json!({ "description": { "text": fix.summary }, "artifactChanges": changes }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_for_absolute_and_relative_paths() {
        assert_eq!(uri("/etc/nginx/sites enabled/a.conf"), "file:///etc/nginx/sites%20enabled/a.conf");
        assert_eq!(uri("deploy/nginx.conf"), "deploy/nginx.conf");
        assert_eq!(uri("c:\\x#y"), "c:/x%23y");
    }
}
