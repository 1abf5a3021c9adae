//! The metamorphic suite of the paste forms: every real capture of the lab, its log
//! re-pasted in each form people paste logs in (`/work/shared/reference/paste-forms.md`),
//! gives the diagnosis of the clean capture — the same first code and the same primary
//! evidence line — with every span inside the text as pasted.
//!
//! The forms are generated from our own captures; nothing here is anybody's post.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use badgateway_core::{Analysis, InputKind, Inputs, analyze};

/// One re-pasted log: its lines, each with the clean line it came from.
type Pasted = Vec<(String, usize)>;
/// A form: its name and how it re-pastes a clean log.
type Form = (&'static str, fn(&str) -> Pasted);

fn is_nginx_line(l: &str) -> bool {
    let b = l.as_bytes();
    b.len() > 21 && b[4] == b'/' && b[7] == b'/' && b[10] == b' ' && b[19] == b' ' && b[20] == b'['
}

/// `*N message...`: the part after `PID#TID: `.
fn after_pid(l: &str) -> Option<&str> {
    let close = l.find("] ")?;
    let rest = &l[close + 2..];
    let colon = rest.find(": ")?;
    rest[..colon].contains('#').then(|| &rest[colon + 2..])
}

fn each_line(clean: &str, f: impl Fn(&str) -> String) -> Pasted {
    clean.lines().enumerate().map(|(i, l)| (f(l), i)).collect()
}

fn nginx_lines(clean: &str, f: impl Fn(&str) -> Option<String>) -> Pasted {
    each_line(clean, |l| if is_nginx_line(l) { f(l).unwrap_or_else(|| l.to_owned()) } else { l.to_owned() })
}

/// Splits an nginx line before its context fields, the second part on the next line.
fn split_fields(clean: &str, keys: &[&str], indent: &str, comma_first: bool) -> Pasted {
    let mut out = Vec::new();
    for (i, l) in clean.lines().enumerate() {
        if !is_nginx_line(l) {
            out.push((l.to_owned(), i));
            continue;
        }
        let mut rest = l;
        let mut first = true;
        loop {
            let cut = keys.iter().filter_map(|k| rest[1..].find(k).map(|at| at + 1)).min();
            let Some(at) = cut.filter(|_| first || keys.len() > 1) else {
                out.push((format!("{}{rest}", if first { "" } else { indent }), i));
                break;
            };
            let (head, tail) = rest.split_at(at);
            let tail = tail.strip_prefix(", ").unwrap_or(tail);
            let head = if comma_first { format!("{head},") } else { head.to_owned() };
            out.push((format!("{}{head}", if first { "" } else { indent }), i));
            rest = tail;
            first = false;
        }
    }
    out
}

const FIELDS: [&str; 5] = [", server: ", ", request: ", ", upstream: ", ", host: ", ", referrer: "];

/// The forms, by name (paste-forms.md's sections).
fn forms() -> Vec<Form> {
    vec![
        ("1 head without date", |c| nginx_lines(c, |l| Some(l[20..].to_owned()))),
        ("1 from *conn", |c| nginx_lines(c, |l| after_pid(l).map(str::to_owned))),
        ("1 message only", |c| {
            nginx_lines(c, |l| {
                let m = after_pid(l)?;
                Some(match m.strip_prefix('*') {
                    Some(r) => r.split_once(' ').map_or(m, |(_, r)| r).to_owned(),
                    None => m.to_owned(),
                })
            })
        }),
        ("1 pid#0 head", |c| nginx_lines(c, |l| after_pid(l).map(|m| format!("4242#0: {m}")))),
        ("1 first characters lost", |c| nginx_lines(c, |l| Some(l[18..].to_owned()))),
        ("2 backticks", |c| each_line(c, |l| if l.is_empty() { String::new() } else { format!("`{l}`") })),
        ("2 message in backticks", |c| {
            nginx_lines(c, |l| after_pid(l).map(|m| format!("{}`{m}`", &l[..l.len() - m.len()])))
        }),
        ("2 fence", |c| {
            let mut out = vec![("```log".to_owned(), 0)];
            out.extend(c.lines().enumerate().map(|(i, l)| (l.to_owned(), i)));
            out.push(("```".to_owned(), c.lines().count().saturating_sub(1)));
            out
        }),
        ("2 quote", |c| each_line(c, |l| format!("> {l}"))),
        ("2 quote of a quote", |c| each_line(c, |l| format!(">> {l}"))),
        ("2 bold scheme and linked host", |c| {
            nginx_lines(c, |l| {
                let l = l.replacen("upstream: \"http://", "upstream: \"**http**://", 1);
                Some(match l.find(", host: \"") {
                    Some(at) => {
                        let v = &l[at + 9..];
                        let end = v.find('"')?;
                        let host = &v[..end];
                        format!("{}, host: \"[{host}](http://{host}/){}", &l[..at], &v[end..])
                    }
                    None => l,
                })
            })
        }),
        ("3 compose v2", |c| each_line(c, |l| format!("web-nginx-1  | {l}"))),
        ("3 compose v1", |c| each_line(c, |l| format!("nginx_1      | {l}"))),
        ("3 swarm", |c| each_line(c, |l| format!("web_nginx.1.x8k2p9d7h3q1@node-2    | {l}"))),
        ("3 kubectl --prefix", |c| {
            each_line(c, |l| format!("[pod/ingress-nginx-controller-5c9d8f7b6-x2x7q/controller] {l}"))
        }),
        ("3 CRI", |c| each_line(c, |l| format!("2026-11-21T11:39:15.123456789Z stderr F {l}"))),
        ("3 journald", |c| each_line(c, |l| format!("Nov 21 11:39:15 web1 nginx[812]: {l}"))),
        ("3 docker json-file", |c| {
            each_line(c, |l| {
                let esc = serde_json::to_string(&format!("{l}\n")).unwrap();
                format!("{{\"log\":{esc},\"stream\":\"stderr\",\"time\":\"2026-11-21T11:39:15.1Z\"}}")
            })
        }),
        ("3 grep -r", |c| each_line(c, |l| format!("/var/log/nginx/error.log:{l}"))),
        ("3 grep -n", |c| each_line(c, |l| format!("{}:{l}", 1800 + l.len()))),
        ("3 prompt and tail header", |c| {
            let mut out = vec![
                ("$ sudo tail -n 50 /var/log/nginx/error.log".to_owned(), 0),
                ("==> /var/log/nginx/error.log <==".to_owned(), 0),
            ];
            out.extend(c.lines().enumerate().map(|(i, l)| (l.to_owned(), i)));
            out
        }),
        ("3 typed label", |c| nginx_lines(c, |l| Some(format!("nginx error.log: {l}")))),
        ("4 wrapped, indented", |c| split_fields(c, &[", request: "], "  ", true)),
        ("4 wrapped, not indented", |c| split_fields(c, &[", request: "], "", false)),
        ("4 one field per line", |c| split_fields(c, &FIELDS, "", true)),
        ("4 cut inside the upstream value", |c| {
            let mut out = Vec::new();
            for (i, l) in c.lines().enumerate() {
                match l.find(", upstream: \"").filter(|_| is_nginx_line(l)) {
                    Some(at) if l.len() > at + 22 => {
                        out.push((l[..at + 22].to_owned(), i));
                        out.push((l[at + 22..].to_owned(), i));
                    }
                    _ => out.push((l.to_owned(), i)),
                }
            }
            out
        }),
        ("6 curly quotes", |c| {
            nginx_lines(c, |l| {
                let mut open = true;
                Some(
                    l.chars()
                        .map(|ch| match ch {
                            '"' => {
                                open = !open;
                                if open { '\u{201D}' } else { '\u{201C}' }
                            }
                            _ => ch,
                        })
                        .collect(),
                )
            })
        }),
        ("6 entities", |c| nginx_lines(c, |l| Some(l.replace('"', "&quot;")))),
        ("6 non-breaking spaces", |c| nginx_lines(c, |l| Some(l.replace(", ", ",\u{00A0}")))),
        ("6 zero-width spaces", |c| nginx_lines(c, |l| Some(l.replacen("upstream", "up\u{200B}stream", 2)))),
        ("6 CRLF", |c| each_line(c, |l| format!("{l}\r"))),
        ("7 FreeBSD errno", |c| {
            nginx_lines(c, |l| {
                Some(
                    l.replace("(111: ", "(61: ")
                        .replace("(104: ", "(54: ")
                        .replace("(110: Connection", "(60: Operation"),
                )
            })
        }),
        ("7 Windows errno", |c| {
            nginx_lines(c, |l| {
                Some(l.replace(
                    "(111: Connection refused)",
                    "(10061: No connection could be made because the target machine actively refused it)",
                ))
            })
        }),
    ]
}

/// What must not change: the first code, and where its primary evidence is.
#[derive(Debug, PartialEq)]
struct Verdict {
    code: Option<String>,
    /// (input, log line index of the clean paste / byte range elsewhere).
    primary: Option<(InputKind, usize, u32)>,
}

fn verdict(a: &Analysis<'_>, log_text: Option<&[u8]>, line_map: Option<&[usize]>) -> Verdict {
    let Some(f) = a.findings.first() else { return Verdict { code: None, primary: None } };
    let primary = f.labels.iter().find(|l| l.primary).map(|l| match (l.span.input, log_text) {
        (InputKind::Log, Some(text)) => {
            let start = l.span.range.start as usize;
            let line = text[..start.min(text.len())].iter().filter(|b| **b == b'\n').count();
            let clean = line_map.map_or(line, |m| m.get(line).copied().unwrap_or(usize::MAX));
            (InputKind::Log, clean, 0)
        }
        (input, _) => (input, l.span.range.start as usize, l.span.range.end),
    });
    Verdict { code: Some(f.code.to_string()), primary }
}

fn spans_inside(a: &Analysis<'_>, inputs: &Inputs<'_>) -> Result<(), String> {
    for f in &a.findings {
        for l in &f.labels {
            let len = match l.span.input {
                InputKind::Config => inputs.config.map_or(0, <[u8]>::len),
                InputKind::Listeners => inputs.listeners.map_or(0, <[u8]>::len),
                InputKind::Log => inputs.log.map_or(0, <[u8]>::len),
            };
            if l.span.range.end as usize > len || l.span.range.start > l.span.range.end {
                return Err(format!("{} label {:?} outside its input of {len} bytes", f.code, l.span));
            }
        }
    }
    Ok(())
}

#[test]
fn every_form_gives_the_clean_diagnosis() {
    let mut names: Vec<String> = std::fs::read_dir(common::scenarios_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let forms = forms();
    let mut score = vec![(0usize, 0usize); forms.len()];
    let mut failures = Vec::new();
    let mut with_finding = 0usize;
    for name in &names {
        let s = common::load(name);
        let Some(log) = s.log.as_deref() else { continue };
        let clean_log = String::from_utf8_lossy(log).into_owned();
        for log_only in [false, true] {
            let clean_inputs = if log_only { s.log_only() } else { s.all() };
            let clean = verdict(&analyze(clean_inputs), Some(log), None);
            with_finding += usize::from(clean.code.is_some());
            for (fi, (form, make)) in forms.iter().enumerate() {
                let pasted = make(&clean_log);
                let text: String = pasted.iter().map(|(l, _)| format!("{l}\n")).collect();
                let map: Vec<usize> = pasted.iter().map(|(_, i)| *i).collect();
                let inputs = Inputs { log: Some(text.as_bytes()), ..clean_inputs };
                let a = analyze(inputs);
                let got = verdict(&a, Some(text.as_bytes()), Some(&map));
                let inside = spans_inside(&a, &inputs);
                score[fi].1 += 1;
                if got == clean && inside.is_ok() {
                    score[fi].0 += 1;
                } else {
                    let subset = if log_only { "log" } else { "all" };
                    failures
                        .push(format!("{form} / {name} ({subset}): {got:?} vs clean {clean:?} {inside:?}"));
                }
            }
        }
    }
    println!("{with_finding} clean runs have a finding");
    assert!(with_finding > 80, "the clean captures should mostly have findings");
    for ((form, _), (ok, all)) in forms.iter().zip(&score) {
        println!("{form:34} {ok:4}/{all}");
    }
    assert!(
        failures.is_empty(),
        "{} of the re-pasted logs lost their diagnosis:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Form 5, values the poster hid: a hidden address is matched to no listener and no
/// config line, and nothing breaks.
#[test]
fn hidden_addresses_match_nothing() {
    for name in ["wrong-port", "backend-not-running", "wrong-address"] {
        let s = common::load(name);
        let log = String::from_utf8_lossy(s.log.as_deref().unwrap()).into_owned();
        for hidden in ["x.x.x.x", "<ip>", "XX.XXX.XX.XXX"] {
            let text = log.replace("127.0.0.1:", &format!("{hidden}:"));
            let inputs =
                Inputs { config: None, listeners: s.listeners.as_deref(), log: Some(text.as_bytes()) };
            let a = analyze(inputs);
            spans_inside(&a, &inputs).unwrap();
            for f in &a.findings {
                assert!(
                    f.confidence < 80 || !f.labels.iter().any(|l| l.span.input == InputKind::Listeners),
                    "{name} with {hidden}: {} at {}% rests on a listener: {}",
                    f.code,
                    f.confidence,
                    f.title
                );
                // A finding that rests on the hidden address says it was hidden.
                let quotes_it = f.labels.iter().any(|l| {
                    l.span.input == InputKind::Log
                        && text
                            .get(l.span.range.start as usize..l.span.range.end as usize)
                            .is_some_and(|q| q.contains(hidden))
                });
                if quotes_it {
                    assert!(
                        f.notes.iter().any(|n| n.contains(&format!("`{hidden}` was hidden")))
                            && f.confidence <= 75,
                        "{name} with {hidden}: {} does not say the address was hidden: {:?}",
                        f.code,
                        f.notes
                    );
                }
            }
            assert!(
                a.findings.iter().any(|f| f.notes.iter().any(|n| n.contains("was hidden"))),
                "{name} {hidden}"
            );
        }
    }
}
