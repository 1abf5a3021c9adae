//! The bench log re-pasted in each form of `tests/paste_forms.rs` (paste-forms.md's
//! sections), for `log_parse_pasted`. Every generated line is an nginx line
//! (`YYYY/MM/DD HH:MM:SS [level] pid#tid: *conn message, fields`), so each form applies to
//! every line.

/// The forms, named as in `tests/paste_forms.rs`.
pub const FORMS: [&str; 34] = [
    "1 head without date",
    "1 from *conn",
    "1 message only",
    "1 pid#0 head",
    "1 first characters lost",
    "2 backticks",
    "2 message in backticks",
    "2 fence",
    "2 quote",
    "2 quote of a quote",
    "2 bold scheme and linked host",
    "3 compose v2",
    "3 compose v1",
    "3 swarm",
    "3 kubectl --prefix",
    "3 CRI",
    "3 journald",
    "3 docker json-file",
    "3 grep -r",
    "3 grep -n",
    "3 prompt and tail header",
    "3 typed label",
    "4 wrapped, indented",
    "4 wrapped, not indented",
    "4 one field per line",
    "4 cut inside the upstream value",
    "6 curly quotes",
    "6 entities",
    "6 non-breaking spaces",
    "6 zero-width spaces",
    "6 CRLF",
    "7 FreeBSD errno",
    "7 Windows errno",
    "0 plain",
];

/// `*N message...`: the part of an nginx line after `pid#tid: `.
fn message(l: &str) -> &str {
    l.find("] ").and_then(|at| l[at + 2..].find(": ").map(|c| &l[at + 2 + c + 2..])).unwrap_or(l)
}

const FIELDS: [&str; 5] = [", server: ", ", request: ", ", upstream: ", ", host: ", ", referrer: "];

/// `l` cut before each of `keys` (the part after the cut on its own line, `indent` first).
fn wrap(l: &str, keys: &[&str], indent: &str, comma_first: bool) -> String {
    let mut out = String::new();
    let mut rest = l;
    loop {
        let cut = keys.iter().filter_map(|k| rest.get(1..)?.find(k).map(|at| at + 1)).min();
        let Some(at) = cut else {
            out.push_str(rest);
            return out;
        };
        let (head, tail) = rest.split_at(at);
        out.push_str(head);
        out.push_str(if comma_first { ",\n" } else { "\n" });
        out.push_str(indent);
        rest = tail.strip_prefix(", ").unwrap_or(tail);
    }
}

fn curly(l: &str) -> String {
    let mut open = false;
    l.chars()
        .map(|ch| match ch {
            '"' => {
                open = !open;
                if open { '\u{201C}' } else { '\u{201D}' }
            }
            _ => ch,
        })
        .collect()
}

/// One clean line in `form`, without its line break.
fn line(form: &str, l: &str) -> String {
    match form {
        "1 head without date" => l[20..].to_owned(),
        "1 from *conn" => message(l).to_owned(),
        "1 message only" => {
            let m = message(l);
            m.strip_prefix('*').and_then(|r| r.split_once(' ')).map_or(m, |(_, r)| r).to_owned()
        }
        "1 pid#0 head" => format!("4242#0: {}", message(l)),
        "1 first characters lost" => l[18..].to_owned(),
        "2 backticks" => format!("`{l}`"),
        "2 message in backticks" => {
            let m = message(l);
            format!("{}`{m}`", &l[..l.len() - m.len()])
        }
        "2 quote" => format!("> {l}"),
        "2 quote of a quote" => format!(">> {l}"),
        "2 bold scheme and linked host" => {
            let l = l.replacen("upstream: \"http://", "upstream: \"**http**://", 1);
            match l.find(", host: \"").and_then(|at| Some((at, l[at + 9..].find('"')?))) {
                Some((at, end)) => {
                    let host = &l[at + 9..at + 9 + end];
                    format!("{}, host: \"[{host}](http://{host}/){}", &l[..at], &l[at + 9 + end..])
                }
                None => l,
            }
        }
        "3 compose v2" => format!("web-nginx-1  | {l}"),
        "3 compose v1" => format!("nginx_1      | {l}"),
        "3 swarm" => format!("web_nginx.1.x8k2p9d7h3q1@node-2    | {l}"),
        "3 kubectl --prefix" => format!("[pod/ingress-nginx-controller-5c9d8f7b6-x2x7q/controller] {l}"),
        "3 CRI" => format!("2026-11-21T11:39:15.123456789Z stderr F {l}"),
        "3 journald" => format!("Nov 21 11:39:15 web1 nginx[812]: {l}"),
        "3 docker json-file" => {
            let esc = serde_json::to_string(&format!("{l}\n")).unwrap_or_default();
            format!("{{\"log\":{esc},\"stream\":\"stderr\",\"time\":\"2026-11-21T11:39:15.1Z\"}}")
        }
        "3 grep -r" => format!("/var/log/nginx/error.log:{l}"),
        "3 grep -n" => format!("{}:{l}", 1800 + l.len()),
        "3 typed label" => format!("nginx error.log: {l}"),
        "4 wrapped, indented" => wrap(l, &[", request: "], "  ", true),
        "4 wrapped, not indented" => wrap(l, &[", request: "], "", false),
        "4 one field per line" => wrap(l, &FIELDS, "", true),
        "4 cut inside the upstream value" => match l.find(", upstream: \"") {
            Some(at) if l.len() > at + 22 => format!("{}\n{}", &l[..at + 22], &l[at + 22..]),
            _ => l.to_owned(),
        },
        "6 curly quotes" => curly(l),
        "6 entities" => l.replace('"', "&quot;"),
        "6 non-breaking spaces" => l.replace(", ", ",\u{00A0}"),
        "6 zero-width spaces" => l.replacen("upstream", "up\u{200B}stream", 2),
        "6 CRLF" => format!("{l}\r"),
        "7 FreeBSD errno" => l
            .replace("(111: ", "(61: ")
            .replace("(104: ", "(54: ")
            .replace("(110: Connection", "(60: Operation"),
        "7 Windows errno" => l.replace(
            "(111: Connection refused)",
            "(10061: No connection could be made because the target machine actively refused it)",
        ),
        _ => l.to_owned(), // "0 plain", and the forms that only add lines around the log
    }
}

/// The whole log `clean` re-pasted in `form`.
pub fn paste(form: &str, clean: &str) -> String {
    let mut out = String::with_capacity(clean.len() + clean.len() / 2);
    match form {
        "2 fence" => out.push_str("```log\n"),
        "3 prompt and tail header" => {
            out.push_str("$ sudo tail -n 50 /var/log/nginx/error.log\n==> /var/log/nginx/error.log <==\n");
        }
        _ => {}
    }
    for l in clean.lines() {
        out.push_str(&line(form, l));
        out.push('\n');
    }
    if form == "2 fence" {
        out.push_str("```\n");
    }
    out
}
