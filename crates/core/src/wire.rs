//! A compact binary form of [`PageReport`] for the page's worker to post back: fields
//! in declaration order, integers as LEB128, strings length-prefixed. Far smaller in
//! wasm than a general serializer, and exactly as strict: any malformed input decodes
//! to `None`, never a panic.

use crate::diagnose::walkthrough::{StepKind, StepStatus};
use crate::finding::{Applicability, Command, Severity};
use crate::input::{InputKind, TextRange};
use crate::view::InputSummary;
use crate::view::{
    DiffLine, DiffTag, EditView, EvidenceView, FileDiff, FindingView, FixView, FixedFile, Location,
    PageReport, StepView,
};

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn uint(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(byte);
                return;
            }
            self.0.push(byte | 0x80);
        }
    }
    fn str(&mut self, s: &str) {
        self.uint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.uint(1);
                self.str(s);
            }
            None => self.uint(0),
        }
    }
    fn opt_uint(&mut self, v: Option<u64>) {
        match v {
            Some(v) => self.uint(v + 1),
            None => self.uint(0),
        }
    }
    fn range(&mut self, r: TextRange) {
        self.uint(r.start.into());
        self.uint(r.end.into());
    }
    fn list<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.uint(items.len() as u64);
        for item in items {
            each(self, item);
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, rest) = self.0.split_first()?;
            self.0 = rest;
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    fn u32(&mut self) -> Option<u32> {
        u32::try_from(self.uint()?).ok()
    }
    fn str(&mut self) -> Option<String> {
        let len = usize::try_from(self.uint()?).ok()?;
        let (bytes, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        String::from_utf8(bytes.to_vec()).ok()
    }
    fn opt_str(&mut self) -> Option<Option<String>> {
        match self.uint()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }
    fn opt_uint(&mut self) -> Option<Option<u64>> {
        Some(self.uint()?.checked_sub(1))
    }
    fn range(&mut self) -> Option<TextRange> {
        Some(TextRange::new(self.u32()?, self.u32()?))
    }
    fn list<T>(&mut self, mut each: impl FnMut(&mut Self) -> Option<T>) -> Option<Vec<T>> {
        let n = usize::try_from(self.uint()?).ok()?;
        // Every item takes at least one byte: a count beyond the rest is corrupt.
        if n > self.0.len() {
            return None;
        }
        (0..n).map(|_| each(self)).collect()
    }
}

fn input_code(k: InputKind) -> u64 {
    match k {
        InputKind::Config => 0,
        InputKind::Listeners => 1,
        InputKind::Log => 2,
    }
}

fn input_from(v: u64) -> Option<InputKind> {
    InputKind::ALL.get(usize::try_from(v).ok()?).copied()
}

fn write_location(w: &mut Writer, l: &Location) {
    w.uint(input_code(l.input));
    w.opt_str(l.file.as_deref());
    w.uint(l.line.into());
    w.uint(l.column.into());
    w.uint(l.input_line.into());
    w.range(l.range);
}

fn read_location(r: &mut Reader<'_>) -> Option<Location> {
    Some(Location {
        input: input_from(r.uint()?)?,
        file: r.opt_str()?,
        line: r.u32()?,
        column: r.u32()?,
        input_line: r.u32()?,
        range: r.range()?,
    })
}

fn write_command(w: &mut Writer, c: &Command) {
    w.str(&c.purpose);
    w.str(&c.command);
}

fn read_command(r: &mut Reader<'_>) -> Option<Command> {
    Some(Command { purpose: r.str()?, command: r.str()? })
}

fn write_evidence(w: &mut Writer, e: &EvidenceView) {
    write_location(w, &e.location);
    w.str(&e.text);
    w.uint(e.highlight.0.into());
    w.uint(e.highlight.1.into());
    w.str(&e.label);
    w.uint(u64::from(e.primary));
}

fn read_evidence(r: &mut Reader<'_>) -> Option<EvidenceView> {
    Some(EvidenceView {
        location: read_location(r)?,
        text: r.str()?,
        highlight: (r.u32()?, r.u32()?),
        label: r.str()?,
        primary: r.uint()? == 1,
    })
}

fn write_step(w: &mut Writer, s: &StepView) {
    w.uint(StepKind::ALL.iter().position(|k| *k == s.step).unwrap_or_default() as u64);
    w.uint(match s.status {
        StepStatus::Answered => 0,
        StepStatus::Open => 1,
        StepStatus::NotApplicable => 2,
    });
    w.str(&s.says);
    w.list(&s.evidence, write_evidence);
    w.opt_str(s.command.as_deref());
}

fn read_step(r: &mut Reader<'_>) -> Option<StepView> {
    Some(StepView {
        step: *StepKind::ALL.get(usize::try_from(r.uint()?).ok()?)?,
        status: match r.uint()? {
            0 => StepStatus::Answered,
            1 => StepStatus::Open,
            2 => StepStatus::NotApplicable,
            _ => return None,
        },
        says: r.str()?,
        evidence: r.list(read_evidence)?,
        command: r.opt_str()?,
    })
}

fn write_finding(w: &mut Writer, f: &FindingView) {
    w.uint(f.rank as u64);
    w.str(&f.code);
    w.uint(match f.severity {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    });
    w.str(&f.title);
    w.str(&f.message);
    w.uint(f.confidence.into());
    w.opt_uint(f.status.map(u64::from));
    w.list(&f.evidence, write_evidence);
    w.list(&f.notes, |w, n| w.str(n));
    match &f.fix {
        None => w.uint(0),
        Some(fix) => {
            w.uint(1);
            w.str(&fix.summary);
            w.uint(match fix.applicability {
                Applicability::Safe => 0,
                Applicability::Unsafe => 1,
                Applicability::DisplayOnly => 2,
            });
            w.list(&fix.edits, |w, e| {
                write_location(w, &e.location);
                w.str(&e.replacement);
            });
            w.list(&fix.diff, |w, d| {
                w.opt_str(d.file.as_deref());
                w.list(&d.lines, |w, l| {
                    w.uint(match l.tag {
                        DiffTag::Context => 0,
                        DiffTag::Removed => 1,
                        DiffTag::Added => 2,
                    });
                    w.opt_uint(l.old_line.map(u64::from));
                    w.str(&l.text);
                });
            });
            w.list(&fix.fixed, |w, f| {
                w.opt_str(f.file.as_deref());
                w.str(&f.text);
            });
            w.list(&fix.commands, write_command);
            w.str(&fix.patch);
        }
    }
    w.list(&f.next_steps, write_command);
    w.opt_str(f.caused_by.as_deref());
    w.str(&f.docs);
}

fn read_finding(r: &mut Reader<'_>) -> Option<FindingView> {
    Some(FindingView {
        rank: usize::try_from(r.uint()?).ok()?,
        code: r.str()?,
        severity: match r.uint()? {
            0 => Severity::Error,
            1 => Severity::Warning,
            2 => Severity::Info,
            _ => return None,
        },
        title: r.str()?,
        message: r.str()?,
        confidence: u8::try_from(r.uint()?).ok()?,
        status: match r.opt_uint()? {
            Some(s) => Some(u16::try_from(s).ok()?),
            None => None,
        },
        evidence: r.list(read_evidence)?,
        notes: r.list(Reader::str)?,
        fix: match r.uint()? {
            0 => None,
            1 => Some(FixView {
                summary: r.str()?,
                applicability: match r.uint()? {
                    0 => Applicability::Safe,
                    1 => Applicability::Unsafe,
                    2 => Applicability::DisplayOnly,
                    _ => return None,
                },
                edits: r.list(|r| Some(EditView { location: read_location(r)?, replacement: r.str()? }))?,
                diff: r.list(|r| {
                    Some(FileDiff {
                        file: r.opt_str()?,
                        lines: r.list(|r| {
                            Some(DiffLine {
                                tag: match r.uint()? {
                                    0 => DiffTag::Context,
                                    1 => DiffTag::Removed,
                                    2 => DiffTag::Added,
                                    _ => return None,
                                },
                                old_line: match r.opt_uint()? {
                                    Some(l) => Some(u32::try_from(l).ok()?),
                                    None => None,
                                },
                                text: r.str()?,
                            })
                        })?,
                    })
                })?,
                fixed: r.list(|r| Some(FixedFile { file: r.opt_str()?, text: r.str()? }))?,
                commands: r.list(read_command)?,
                patch: r.str()?,
            }),
            _ => return None,
        },
        next_steps: r.list(read_command)?,
        caused_by: r.opt_str()?,
        docs: r.str()?,
    })
}

pub fn encode(report: &PageReport) -> Vec<u8> {
    let mut w = Writer::default();
    w.uint(report.id);
    w.uint(report.elapsed_us);
    w.list(&report.findings, write_finding);
    w.list(&report.summaries, |w, s| {
        w.opt_uint(s.input.map(input_code));
        w.str(&s.read_as);
        w.list(&s.unrecognized, |w, r| w.range(*r));
        w.uint(s.unrecognized_count as u64);
        w.list(&s.unrecognized_lines, |w, l| w.uint((*l).into()));
    });
    w.list(&report.walkthrough, write_step);
    w.0
}

pub fn decode(bytes: &[u8]) -> Option<PageReport> {
    let mut r = Reader(bytes);
    let report = PageReport {
        id: r.uint()?,
        elapsed_us: r.uint()?,
        findings: r.list(read_finding)?,
        summaries: r.list(|r| {
            Some(InputSummary {
                input: match r.opt_uint()? {
                    Some(k) => Some(input_from(k)?),
                    None => None,
                },
                read_as: r.str()?,
                unrecognized: r.list(Reader::range)?,
                unrecognized_count: usize::try_from(r.uint()?).ok()?,
                unrecognized_lines: r.list(Reader::u32)?,
            })
        })?,
        walkthrough: r.list(read_step)?,
    };
    r.0.is_empty().then_some(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Inputs, analyze};

    fn report() -> PageReport {
        let config = b"server { location / { proxy_pass http://127.0.0.1:8000; } }\n";
        let listeners = b"State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0 5 127.0.0.1:3000 0.0.0.0:* users:((\"gunicorn\",pid=7,fd=5))\n";
        let log = "2026/11/21 11:33:33 [error] 9#9: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"ü\u{202E}\"\n";
        let a =
            analyze(Inputs { config: Some(config), listeners: Some(listeners), log: Some(log.as_bytes()) });
        PageReport {
            id: 7,
            findings: a.views(),
            summaries: a.summaries(),
            walkthrough: a.step_views(),
            elapsed_us: 1234,
        }
    }

    #[test]
    fn round_trips_a_real_diagnosis() {
        let report = report();
        assert!(!report.findings.is_empty());
        assert!(report.findings.iter().any(|f| f.fix.is_some()));
        assert!(report.walkthrough.iter().any(|s| !s.evidence.is_empty()));
        assert_eq!(decode(&encode(&report)), Some(report));
    }

    #[test]
    fn every_truncation_and_corruption_decodes_to_none_without_panicking() {
        let bytes = encode(&report());
        for cut in 0..bytes.len() {
            assert_eq!(decode(bytes.get(..cut).unwrap_or_default()), None, "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None, "trailing bytes");
        for i in 0..bytes.len() {
            let mut flipped = bytes.clone();
            flipped[i] ^= 0xff;
            let _ = decode(&flipped);
        }
    }
}
