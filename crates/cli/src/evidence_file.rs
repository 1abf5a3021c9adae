//! The evidence file `badgateway collect` writes and `diagnose --evidence` reads back:
//! plain text, one section per source, each opened by a `# badgateway: ` line.
//!
//! ```text
//! # badgateway evidence v1 (badgateway 0.1.0, host web1, 2026-11-21 12:00:00 UTC)
//! # badgateway: config nginx -T -c /etc/nginx/nginx.conf
//! ...the output of nginx -T, byte for byte...
//! # badgateway: listeners ss -tlnpx
//! ...
//! # badgateway: log /var/log/nginx/error.log
//! ...the last lines of that file...
//! # badgateway: missing could not read /var/log/nginx/api.error.log: permission denied
//! ```
//!
//! Section kinds: `config`, `listeners`, `log` (repeatable: all logs form the log input)
//! and `missing` (one line: a piece that could not be collected, no body). The rest of a
//! header line names the source: a command, or an absolute path when the lines are a
//! file's. Lines before the first header are ignored. The format is documented in
//! crates/cli/README.md.

use badgateway_core::InputKind;

use crate::loaded::{Loaded, Origin};

const MARK: &str = "# badgateway: ";
const TITLE: &str = "# badgateway evidence v1";

/// Whether a file starts like one [`Evidence::write`] made (reads its first bytes only).
pub fn looks_like(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; TITLE.len()];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == TITLE.as_bytes()
}

/// One source's text, as collected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub input: InputKind,
    /// A command (`ss -tlnpx`) or an absolute path.
    pub source: String,
    pub text: Vec<u8>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub sections: Vec<Section>,
    /// Pieces that could not be collected, one line each.
    pub missing: Vec<String>,
}

impl Evidence {
    pub fn push(&mut self, input: InputKind, source: impl Into<String>, text: Vec<u8>) {
        self.sections.push(Section { input, source: source.into(), text });
    }

    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The file: a title line, then every section.
    pub fn write(&self, title: &str) -> Vec<u8> {
        let mut out = format!("{TITLE} ({title})\n").into_bytes();
        for s in &self.sections {
            out.extend_from_slice(format!("{MARK}{} {}\n", s.input.as_str(), one_line(&s.source)).as_bytes());
            out.extend_from_slice(&s.text);
            if !s.text.is_empty() && s.text.last() != Some(&b'\n') {
                out.push(b'\n');
            }
        }
        for m in &self.missing {
            out.extend_from_slice(format!("{MARK}missing {}\n", one_line(m)).as_bytes());
        }
        out
    }

    /// `collect --out DIR`: `config.txt`, `listeners.txt`, `error.log` (every log, joined)
    /// and `missing.txt`, each only when there is something to put in it.
    pub fn three_files(&self) -> Vec<(&'static str, Vec<u8>)> {
        let mut out = Vec::new();
        for (input, name) in [
            (InputKind::Config, "config.txt"),
            (InputKind::Listeners, "listeners.txt"),
            (InputKind::Log, "error.log"),
        ] {
            let mut text = Vec::new();
            for s in self.sections.iter().filter(|s| s.input == input) {
                text.extend_from_slice(&s.text);
                if !text.is_empty() && text.last() != Some(&b'\n') {
                    text.push(b'\n');
                }
            }
            if !text.is_empty() {
                out.push((name, text));
            }
        }
        if !self.missing.is_empty() {
            out.push((
                "missing.txt",
                self.missing.iter().map(|m| format!("{m}\n")).collect::<String>().into_bytes(),
            ));
        }
        out
    }

    /// The three inputs, each line placed in the source it came from.
    pub fn into_loaded(self) -> Loaded {
        let mut loaded = Loaded { missing: self.missing, from_evidence: true, ..Loaded::default() };
        for s in self.sections {
            let origin = if s.source.starts_with('/') {
                Origin { label: s.source.clone(), path: Some(s.source), first_line: 1 }
            } else {
                Origin::command(s.source)
            };
            match s.input {
                InputKind::Config => append(&mut loaded.config, &mut loaded.config_origin, origin, &s.text),
                InputKind::Listeners => {
                    append(&mut loaded.listeners, &mut loaded.listeners_origin, origin, &s.text)
                }
                InputKind::Log => loaded.push_log(origin, &s.text),
            }
        }
        loaded
    }
}

/// A second config or listeners section joins the first (the origin stays the first's).
fn append(slot: &mut Option<Vec<u8>>, origin_slot: &mut Option<Origin>, origin: Origin, text: &[u8]) {
    let buf = slot.get_or_insert_with(Vec::new);
    if !buf.is_empty() && buf.last() != Some(&b'\n') {
        buf.push(b'\n');
    }
    buf.extend_from_slice(text);
    origin_slot.get_or_insert(origin);
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Reads a file made by [`Evidence::write`].
pub fn parse(bytes: &[u8]) -> Result<Evidence, String> {
    let mut ev = Evidence::default();
    let mut current: Option<Section> = None;
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        let trimmed = line.strip_suffix(b"\n").unwrap_or(line);
        let trimmed = trimmed.strip_suffix(b"\r").unwrap_or(trimmed);
        if let Some(header) = trimmed.strip_prefix(MARK.as_bytes()) {
            let header = String::from_utf8_lossy(header);
            let (kind, source) = header.split_once(' ').unwrap_or((&header, ""));
            let input = match kind {
                "config" => Some(InputKind::Config),
                "listeners" => Some(InputKind::Listeners),
                "log" => Some(InputKind::Log),
                "missing" => None,
                _ => {
                    return Err(format!(
                        "unknown section `{kind}` (expected config, listeners, log or missing)"
                    ));
                }
            };
            ev.sections.extend(current.take());
            match input {
                Some(input) => {
                    current = Some(Section { input, source: source.to_string(), text: Vec::new() })
                }
                None => ev.missing.push(source.to_string()),
            }
            continue;
        }
        if let Some(section) = current.as_mut() {
            section.text.extend_from_slice(line);
        }
    }
    ev.sections.extend(current);
    if ev.sections.is_empty() {
        return Err(format!("not a badgateway evidence file (no `{}` section lines)", MARK.trim_end()));
    }
    Ok(ev)
}

/// `parse` straight to the inputs.
pub fn split(bytes: &[u8]) -> Result<Loaded, String> {
    parse(bytes).map(Evidence::into_loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_places_log_lines() {
        let mut ev = Evidence::default();
        ev.push(
            InputKind::Config,
            "nginx -T",
            b"# configuration file /etc/nginx/nginx.conf:\nevents {}\n".to_vec(),
        );
        ev.push(InputKind::Listeners, "ss -tlnpx", b"Netid State\n".to_vec());
        ev.push(InputKind::Log, "/var/log/nginx/error.log", b"a\nb".to_vec());
        ev.push(InputKind::Log, "/var/log/nginx/api.log", b"c\n".to_vec());
        ev.missing.push("could not read /x: permission denied".into());
        let file = ev.write("test");
        let mut back = parse(&file).unwrap();
        // The writer ends every section with a newline.
        if let Some(s) = back.sections.get_mut(2) {
            assert_eq!(s.text, b"a\nb\n");
            s.text = b"a\nb".to_vec();
        }
        assert_eq!(back, ev);
        let loaded = back.into_loaded();
        assert_eq!(loaded.log.as_deref(), Some(&b"a\nb\nc\n"[..]));
        let (origin, line) = loaded.place(InputKind::Log, 3);
        assert_eq!(origin.and_then(|o| o.path.as_deref()), Some("/var/log/nginx/api.log"));
        assert_eq!(line, 1);
        assert_eq!(loaded.missing.len(), 1);
    }

    #[test]
    fn refuses_other_files() {
        assert!(parse(b"server { listen 80; }\n").is_err());
        assert!(parse(b"# badgateway: bogus x\n").is_err());
    }
}
