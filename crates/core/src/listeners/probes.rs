//! Probe outputs the 502 guides ask for: systemctl, journalctl, curl, telnet, ufw,
//! iptables, nft, getsebool, SELinux AVC lines, ps and getent. Each becomes a [`ProbeFact`].

use std::net::IpAddr;

use super::firewall_rules::{iptables, iptables_list, nft, ufw};
use super::scan::{
    Command, Line, contains, find, first_operand, has_short_flag, is_clock, is_digits, is_month, kv, lossy,
    parse_u16, parse_u32, tok, tokens, trim_quotes, word,
};
use super::{Format, Mode, ProbeFact, ProbeTool, Reader, TextRange};

pub(crate) fn mode_for_command(cmd: Command<'_>) -> Option<Mode> {
    Some(match cmd.program {
        b"systemctl" => {
            let mut words = cmd.args.split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty());
            if !words.any(|w| w == b"status") {
                return None;
            }
            let unit = words.find(|w| !w.starts_with(b"-")).map(unit_name);
            Mode::Systemctl { fact: None, unit }
        }
        b"journalctl" => Mode::Journal,
        b"curl" => Mode::Curl { fact: None, target: curl_target(cmd.args) },
        b"telnet" => {
            let mut ops =
                cmd.args.split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty() && !w.starts_with(b"-"));
            let host = ops.next().map(lossy);
            let port = ops.next().map(lossy);
            Mode::Telnet { fact: None, host, port }
        }
        b"ufw" => Mode::Ufw,
        b"iptables" | b"ip6tables" if has_short_flag(cmd.args, b'L') || contains(cmd.args, b"--list") => {
            Mode::IptablesList {
                chain: None,
                verbose: has_short_flag(cmd.args, b'v'),
                numbered: contains(cmd.args, b"--line-numbers"),
            }
        }
        b"iptables" | b"ip6tables" | b"iptables-save" => Mode::Iptables,
        b"nft" => Mode::Nft { table: None, chain: None, hook: None, depth: 0 },
        b"getsebool" => Mode::Getsebool,
        b"ps" => Mode::Ps { ef: !contains(cmd.args, b"aux") && has_short_flag(cmd.args, b'f') },
        b"getent" => {
            let mut words = cmd.args.split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty());
            let database = words.find(|w| !w.starts_with(b"-"))?;
            let (ahosts, one_family) = match database {
                b"hosts" => (false, false),
                b"ahosts" => (true, false),
                b"ahostsv4" | b"ahostsv6" => (true, true),
                _ => return None,
            };
            let name = words.find(|w| !w.starts_with(b"-")).map(lossy);
            Mode::Getent { name, ahosts, one_family }
        }
        _ => return None,
    })
}

/// `php8.2-fpm` -> `php8.2-fpm.service`; names with a unit suffix are kept.
fn unit_name(w: &[u8]) -> String {
    const SUFFIXES: &[&str] = &[
        ".service", ".socket", ".target", ".timer", ".mount", ".scope", ".slice", ".path", ".swap", ".device",
    ];
    let s = lossy(w);
    if SUFFIXES.iter().any(|suf| s.ends_with(suf)) { s } else { format!("{s}.service") }
}

fn is_unit(w: &[u8]) -> bool {
    let s = String::from_utf8_lossy(w);
    [".service", ".socket", ".target", ".timer", ".mount", ".scope", ".slice", ".path"]
        .iter()
        .any(|x| s.ends_with(x))
        && w.len() > 8
}

/// `http://127.0.0.1:8000/x` -> `127.0.0.1:8000`; `--unix-socket /p.sock` -> `/p.sock`.
fn curl_target(args: &[u8]) -> Option<String> {
    let words: Vec<&[u8]> = args.split(|c| c.is_ascii_whitespace()).filter(|w| !w.is_empty()).collect();
    if let Some(i) = words.iter().position(|w| *w == b"--unix-socket" || *w == b"--abstract-unix-socket") {
        return words.get(i + 1).map(|p| lossy(trim_quotes(p)));
    }
    let url = words.iter().map(|w| trim_quotes(w)).find(|w| contains(w, b"://")).or_else(|| {
        first_operand(args).map(trim_quotes).filter(|w| w.first().is_some_and(u8::is_ascii_alphanumeric))
    })?;
    let (https, rest) = match find(url, b"://") {
        Some(i) => (url.starts_with(b"https"), url.get(i + 3..).unwrap_or_default()),
        None => (false, url),
    };
    let end = rest.iter().position(|c| *c == b'/' || *c == b'?').unwrap_or(rest.len());
    let host = rest.get(..end).unwrap_or_default();
    let host = host.rsplit(|c| *c == b'@').next().unwrap_or(host);
    let has_port = match host.iter().rposition(|c| *c == b':') {
        Some(c) => host.get(c + 1..).is_some_and(is_digits) && !host.ends_with(b"]"),
        None => false,
    };
    if has_port {
        Some(lossy(host))
    } else {
        Some(format!("{}:{}", lossy(host), if https { 443 } else { 80 }))
    }
}

pub(crate) fn line_in_mode(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    if let Some(f) = avc(r, line) {
        return Some(f);
    }
    match &r.mode {
        Mode::Systemctl { .. } => systemctl(r, line, true),
        Mode::Journal => journal(r, line, Format::Journalctl),
        Mode::Curl { .. } => curl(r, line, true),
        Mode::Telnet { .. } => telnet(r, line, true),
        Mode::Ufw => ufw(r, line, true),
        Mode::Iptables => iptables(r, line, true),
        Mode::IptablesList { .. } => iptables_list(r, line),
        Mode::Nft { .. } => nft(r, line, true),
        Mode::Getsebool => getsebool(r, line),
        Mode::Ps { ef } => {
            let ef = *ef;
            ps(r, line, Some(ef))
        }
        Mode::Getent { .. } => getent(r, line),
        _ => None,
    }
}

/// Lines that identify their tool without a prompt or header.
pub(crate) fn line_any(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    avc(r, line)
        .or_else(|| systemctl(r, line, false))
        .or_else(|| curl(r, line, false))
        .or_else(|| telnet(r, line, false))
        .or_else(|| netcat(r, line))
        .or_else(|| getsebool(r, line))
        .or_else(|| selinux_status(r, line))
        .or_else(|| semanage_port(r, line))
        .or_else(|| iptables(r, line, false))
        .or_else(|| iptables_list(r, line))
        .or_else(|| ufw(r, line, false))
        .or_else(|| nft(r, line, false))
        .or_else(|| ps(r, line, None))
        .or_else(|| journal(r, line, Format::Journalctl))
        .or_else(|| getent_ahosts_bare(r, line))
}

// ---------------------------------------------------------------- systemctl

const BULLETS: &[&[u8]] = &["●".as_bytes(), "○".as_bytes(), "×".as_bytes(), "↻".as_bytes(), b"*"];

const STATUS_KEYS: &[&[u8]] = &[
    b"Loaded:",
    b"Active:",
    b"Docs:",
    b"Main PID:",
    b"Tasks:",
    b"Memory:",
    b"CPU:",
    b"CGroup:",
    b"Process:",
    b"Status:",
    b"TriggeredBy:",
    b"Triggers:",
    b"Invocation:",
    b"Drop-In:",
    b"Condition:",
    b"Warning:",
    b"IP:",
    b"IO:",
    b"Listen:",
    b"Accepted:",
    b"Connected:",
    b"Notice:",
];

fn systemctl(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let b = line.bytes;
    let t = b.trim_ascii_start();
    // `● php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager`
    for bullet in BULLETS {
        if let Some(after) = t.strip_prefix(*bullet).and_then(|a| a.strip_prefix(b" ")) {
            let end = after.iter().position(u8::is_ascii_whitespace).unwrap_or(after.len());
            let unit = after.get(..end).unwrap_or_default();
            if is_unit(unit) {
                r.report.facts.push(ProbeFact::ServiceStatus {
                    unit: lossy(unit),
                    active: "unknown".to_owned(),
                    sub: None,
                    main_pid: None,
                    exit_reason: None,
                    range: line.range(),
                });
                r.mode = Mode::Systemctl { fact: Some(r.report.facts.len() - 1), unit: Some(lossy(unit)) };
                return Some(Format::SystemctlStatus);
            }
        }
    }
    // `Unit nginx.service could not be found.`
    if let Some(rest) = t.strip_prefix(b"Unit ")
        && let Some(end) = find(rest, b" could not be found")
    {
        let unit = rest.get(..end).unwrap_or_default();
        r.report.facts.push(ProbeFact::ServiceStatus {
            unit: lossy(unit),
            active: "not-found".to_owned(),
            sub: None,
            main_pid: None,
            exit_reason: None,
            range: line.range(),
        });
        return Some(Format::SystemctlStatus);
    }
    let key = STATUS_KEYS.iter().find(|k| t.starts_with(k)).copied();
    let Some(key) = key else {
        if in_mode {
            // CGroup tree (`├─1234 /usr/sbin/php-fpm ...`) and the journal tail.
            if t.starts_with("├─".as_bytes())
                || t.starts_with("└─".as_bytes())
                || t.starts_with("│".as_bytes())
            {
                extend_service(r, line.range());
                return Some(Format::SystemctlStatus);
            }
            return journal(r, line, Format::SystemctlStatus);
        }
        return None;
    };
    // Outside a systemctl block only `Active:` and `Loaded:` are specific enough.
    if !in_mode && key != b"Active:" && key != b"Loaded:" {
        return None;
    }
    let value = t.get(key.len()..).unwrap_or_default().trim_ascii();
    let idx = match r.mode {
        Mode::Systemctl { fact: Some(i), .. } => i,
        _ => {
            let unit = match &r.mode {
                Mode::Systemctl { unit: Some(u), .. } => u.clone(),
                _ => String::new(),
            };
            r.report.facts.push(ProbeFact::ServiceStatus {
                unit: unit.clone(),
                active: "unknown".to_owned(),
                sub: None,
                main_pid: None,
                exit_reason: None,
                range: line.range(),
            });
            let i = r.report.facts.len() - 1;
            r.mode = Mode::Systemctl { fact: Some(i), unit: Some(unit) };
            i
        }
    };
    extend_service(r, line.range());
    if let Some(ProbeFact::ServiceStatus { active, sub, main_pid, exit_reason, .. }) =
        r.report.facts.get_mut(idx)
    {
        match key {
            b"Active:" => {
                let word_end = value.iter().position(u8::is_ascii_whitespace).unwrap_or(value.len());
                *active = lossy(value.get(..word_end).unwrap_or_default());
                let parens = paren_groups(value);
                *sub = parens.first().map(|p| lossy(p));
                if let Some(res) = parens.iter().find(|p| p.starts_with(b"Result:")) {
                    *exit_reason = Some(lossy(res));
                }
            }
            b"Main PID:" => {
                let word_end = value.iter().position(u8::is_ascii_whitespace).unwrap_or(value.len());
                *main_pid = parse_u32(value.get(..word_end).unwrap_or_default());
                if let Some(p) = paren_groups(value).into_iter().find(|p| contains(p, b"code=")) {
                    *exit_reason = Some(lossy(p));
                }
            }
            b"Process:"
                if exit_reason.is_none()
                    && contains(value, b"status=")
                    && !contains(value, b"status=0/SUCCESS") =>
            {
                if let Some(p) = paren_groups(value).into_iter().rev().find(|p| contains(p, b"code=")) {
                    *exit_reason = Some(lossy(p));
                }
            }
            _ => {}
        }
    }
    Some(Format::SystemctlStatus)
}

fn extend_service(r: &mut Reader, range: TextRange) {
    if let Mode::Systemctl { fact: Some(i), .. } = r.mode
        && let Some(ProbeFact::ServiceStatus { range: fr, .. }) = r.report.facts.get_mut(i)
    {
        *fr = fr.cover(range);
    }
}

/// Top-level `( ... )` groups, without the parentheses.
fn paren_groups(v: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in v.iter().enumerate() {
        match c {
            b'(' => {
                if depth == 0 {
                    start = i + 1;
                }
                depth += 1;
            }
            b')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(v.get(start..i).unwrap_or_default());
                }
            }
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------- journal

/// `Nov 21 11:00:00 web1 php-fpm8.2[1234]: message` (short, short-precise, syslog) or
/// `2026-11-21T11:00:00+0000 web1 tag[pid]: message` (short-iso, rsyslog).
fn journal(r: &mut Reader, line: Line<'_>, format: Format) -> Option<Format> {
    let b = line.bytes;
    let t = b.trim_ascii_start();
    if t.starts_with(b"-- ")
        && (contains(t, b"Logs begin")
            || contains(t, b"Journal begins")
            || contains(t, b"No entries")
            || contains(t, b"Boot "))
    {
        return Some(format);
    }
    let w0 = word(b, 0);
    let iso = w0.len() >= 19 && w0.get(4) == Some(&b'-');
    if !(is_month(w0) || iso) {
        return None;
    }
    let mut toks = std::mem::take(&mut r.toks);
    tokens(b, &mut toks);
    let host_idx = if is_month(tok(b, &toks, 0)) && is_digits(tok(b, &toks, 1)) && is_clock(tok(b, &toks, 2))
    {
        Some(3)
    } else {
        let d = tok(b, &toks, 0);
        (d.len() >= 19 && d.get(4) == Some(&b'-') && d.get(10) == Some(&b'T')).then_some(1)
    };
    let tag_idx = host_idx.map(|h| h + 1);
    let parsed = tag_idx.and_then(|ti| {
        let tag = tok(b, &toks, ti);
        let &(_, te) = toks.get(ti)?;
        let tag = tag.strip_suffix(b":")?;
        let (name, pid) = match memchr::memchr(b'[', tag) {
            Some(o) => {
                let (n, p) = tag.split_at(o);
                (n, parse_u32(p.get(1..)?.strip_suffix(b"]")?))
            }
            None => (tag, None),
        };
        if name.is_empty() {
            return None;
        }
        let ms = te + b.get(te..).unwrap_or_default().iter().take_while(|c| c.is_ascii_whitespace()).count();
        Some((name, pid, ms))
    });
    r.toks = toks;
    let (name, pid, ms) = parsed?;
    let message = b.get(ms..).unwrap_or_default();
    let mut unit = lossy(name);
    if name == b"systemd" {
        // `systemd[1]: php8.2-fpm.service: Main process exited, ...` is about that unit.
        let end = message.iter().position(u8::is_ascii_whitespace).unwrap_or(message.len());
        if let Some(u) = message.get(..end).and_then(|w| w.strip_suffix(b":"))
            && is_unit(u)
        {
            unit = lossy(u);
        }
    }
    r.report.facts.push(ProbeFact::JournalLine {
        unit: Some(unit),
        pid,
        message_range: line.sub(ms, b.len()),
        range: line.range(),
    });
    extend_service(r, line.range());
    Some(format)
}

// ---------------------------------------------------------------- curl

fn curl(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let b = line.bytes;
    let t = b.trim_ascii_end();
    let info = t.strip_prefix(b"* ").map(<[u8]>::trim_ascii_start);
    // Lines specific enough to start a curl section on their own.
    let trying = info.and_then(|i| i.strip_prefix(b"Trying "));
    let connected = info.and_then(|i| i.strip_prefix(b"Connected to "));
    let conn_failed =
        info.filter(|i| i.starts_with(b"connect to ") || i.starts_with(b"Failed to connect to "));
    let curl_err = t.strip_prefix(b"curl: (");
    let bare_status = is_status_line(t);
    let closing = info.filter(|i| {
        i.starts_with(b"Closing connection")
            || (i.starts_with(b"Connection #") && contains(i, b"left intact"))
    });
    let specific = trying.is_some()
        || connected.is_some()
        || conn_failed.is_some()
        || curl_err.is_some()
        || closing.is_some()
        || bare_status;
    if !in_mode && !specific {
        return None;
    }
    let cmd_target = match &r.mode {
        Mode::Curl { target, .. } => target.clone(),
        _ => None,
    };
    let open = match r.mode {
        Mode::Curl { fact: Some(i), .. } => Some(i),
        _ => None,
    };
    let generic = info.is_some()
        || t.starts_with(b"> ")
        || t.starts_with(b"< ")
        || t == b">"
        || t == b"<"
        || t.starts_with(b"{ [")
        || t.starts_with(b"} [")
        || t.starts_with(b"HTTP/");
    // `Name: value` only right after other curl lines: a response header, not prose.
    let after_curl = r.current.as_ref().is_some_and(|s| s.format == Format::Curl);
    let header_line = in_mode && open.is_some() && after_curl && is_header_line(t);
    if !specific && !generic && !header_line {
        return None;
    }
    // A new `Trying` after a finished attempt (connected, or answered) is a new probe;
    // `Trying` after a failed address is the same curl run trying the next one.
    let finished = |i: usize| {
        matches!(
            r.report.facts.get(i),
            Some(
                ProbeFact::DirectProbe { connected: true, .. }
                    | ProbeFact::DirectProbe { status_line: Some(_), .. }
            )
        )
    };
    let open = match open {
        Some(i) if trying.is_some() && finished(i) => None,
        o => o,
    };
    let idx = match open {
        Some(i) => i,
        None => {
            r.report.facts.push(ProbeFact::DirectProbe {
                tool: ProbeTool::Curl,
                target: cmd_target.clone().unwrap_or_default(),
                connected: false,
                errno_text: None,
                status_line: None,
                tls: false,
                range: line.range(),
            });
            r.report.facts.len() - 1
        }
    };
    let mut close = false;
    if let Some(ProbeFact::DirectProbe {
        target, connected: c, errno_text, status_line, tls, range, ..
    }) = r.report.facts.get_mut(idx)
    {
        *range = range.cover(line.range());
        if let Some(tr) = trying {
            let tr = tr.trim_ascii();
            let tr = tr.strip_suffix(b"...").unwrap_or(tr);
            if target.is_empty() || !*c {
                *target = lossy(tr);
            }
        } else if let Some(cn) = connected {
            // `Connected to localhost (127.0.0.1) port 8000 (#0)`
            *c = true;
            let ip = paren_groups(cn).first().map(|p| lossy(p));
            let port = find(cn, b" port ").and_then(|o| {
                let rest = cn.get(o + 6..)?;
                let end = rest.iter().position(|c| !c.is_ascii_digit()).unwrap_or(rest.len());
                rest.get(..end).map(lossy)
            });
            if let (Some(ip), Some(port)) = (ip, port) {
                if ip.starts_with('/') {
                    *target = ip;
                } else if ip.contains(':') {
                    *target = format!("[{ip}]:{port}");
                } else {
                    *target = format!("{ip}:{port}");
                }
            }
        } else if let Some(f) = conn_failed {
            if let Some(o) = f.iter().rposition(|c| *c == b':') {
                let text = f.get(o + 1..).unwrap_or_default().trim_ascii();
                if f.starts_with(b"connect to ") || errno_text.is_none() {
                    *errno_text = Some(lossy(text));
                }
            }
        } else if let Some(e) = curl_err {
            // `curl: (7) Failed to connect to ::1 port 8000 after 0 ms: Connection refused`,
            // `curl: (56) Recv failure: Connection reset by peer`, `curl: (35) OpenSSL ...`.
            close = true;
            let close_paren = e.iter().position(|c| *c == b')');
            let code = close_paren.and_then(|o| e.get(..o)).and_then(parse_u32);
            let msg = close_paren.and_then(|o| e.get(o + 1..)).unwrap_or_default().trim_ascii();
            let text = if msg.starts_with(b"Failed to connect") || msg.starts_with(b"Recv failure") {
                msg.iter()
                    .rposition(|c| *c == b':')
                    .and_then(|o| msg.get(o + 1..))
                    .unwrap_or(msg)
                    .trim_ascii()
            } else {
                msg
            };
            // After a connection, curl's own line names what went wrong next (TLS, reset,
            // empty reply, timeout); before one, the `connect to ... failed` line was better.
            if errno_text.is_none() || (*c && code != Some(7)) {
                *errno_text = Some(lossy(text));
            }
        } else if closing.is_some() {
            // `Closing connection` comes before curl's own `curl: (7) ...` line: keep open.
            close = info.is_some_and(|i| contains(i, b"left intact"));
        } else if let Some(s) = t
            .strip_prefix(b"< ")
            .filter(|s| s.starts_with(b"HTTP/"))
            .or_else(|| t.starts_with(b"HTTP/").then_some(t))
        {
            *status_line = Some(lossy(s.trim_ascii()));
            // curl -I prints no "Connected" line: a status line proves the connection.
            *c = true;
        }
        if info.is_some_and(|i| contains(i, b"TLS") || contains(i, b"SSL connection")) {
            *tls = true;
        }
    }
    r.mode = Mode::Curl { fact: if close { None } else { Some(idx) }, target: cmd_target };
    Some(Format::Curl)
}

/// `HTTP/1.1 502 Bad Gateway`, `HTTP/2 200`
fn is_status_line(t: &[u8]) -> bool {
    let Some(rest) = t.strip_prefix(b"HTTP/") else { return false };
    let sp = rest.iter().position(|c| *c == b' ').unwrap_or(rest.len());
    let code = rest.get(sp + 1..).unwrap_or_default();
    sp > 0 && sp <= 3 && code.get(..3).is_some_and(is_digits) && code.get(3).is_none_or(|c| *c == b' ')
}

/// `Content-Type: text/plain` as curl -I prints response headers.
fn is_header_line(t: &[u8]) -> bool {
    match memchr::memchr(b':', t) {
        Some(o) if o > 0 => {
            t.get(..o).is_some_and(|n| n.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-'))
        }
        _ => false,
    }
}

// ---------------------------------------------------------------- telnet

fn telnet(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    let trying = t.strip_prefix(b"Trying ").and_then(|h| h.strip_suffix(b"..."));
    let connected = t.strip_prefix(b"Connected to ").map(|h| h.strip_suffix(b".").unwrap_or(h));
    let failed = t.strip_prefix(b"telnet: ").filter(|m| contains(m, b"connect"));
    let other = t.starts_with(b"Escape character is") || t.starts_with(b"Connection closed by foreign host");
    if trying.is_none() && connected.is_none() && failed.is_none() && !(other && in_mode) {
        return None;
    }
    let (mode_fact, host, port) = match &r.mode {
        Mode::Telnet { fact, host, port } => (*fact, host.clone(), port.clone()),
        _ => (None, None, None),
    };
    let idx = match (mode_fact, trying) {
        (Some(i), None) => i,
        (Some(i), Some(_))
            if !matches!(r.report.facts.get(i), Some(ProbeFact::DirectProbe { connected: true, .. })) =>
        {
            i
        }
        _ => {
            r.report.facts.push(ProbeFact::DirectProbe {
                tool: ProbeTool::Telnet,
                target: String::new(),
                connected: false,
                errno_text: None,
                status_line: None,
                tls: false,
                range: line.range(),
            });
            r.report.facts.len() - 1
        }
    };
    if let Some(ProbeFact::DirectProbe { target, connected: c, errno_text, range, .. }) =
        r.report.facts.get_mut(idx)
    {
        *range = range.cover(line.range());
        if let Some(h) = trying.or(connected) {
            let h = lossy(h);
            let h = match &port {
                Some(p) if h.contains(':') => format!("[{h}]:{p}"),
                Some(p) => format!("{h}:{p}"),
                None => h,
            };
            if connected.is_some() {
                *c = true;
            }
            if target.is_empty() || connected.is_none() {
                *target = h;
            }
        }
        if let Some(m) = failed
            && let Some(o) = m.iter().rposition(|c| *c == b':')
        {
            *errno_text = Some(lossy(m.get(o + 1..).unwrap_or_default().trim_ascii()));
        }
    }
    r.mode = Mode::Telnet { fact: Some(idx), host, port };
    Some(Format::Telnet)
}

// ---------------------------------------------------------------- netcat

/// `Connection to 127.0.0.1 8000 port [tcp/*] succeeded!` and
/// `nc: connect to 127.0.0.1 port 8000 (tcp) failed: Connection refused`.
fn netcat(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    if !t.starts_with(b"Connection to ") && !t.starts_with(b"nc: ") {
        return None;
    }
    let mut toks = Vec::new();
    tokens(t, &mut toks);
    let w = |i: usize| tok(t, &toks, i);
    let (host, port, connected, errno) = if w(0) == b"Connection" && w(1) == b"to" && w(4) == b"port" {
        if !t.ends_with(b"succeeded!") {
            return None;
        }
        (w(2), w(3), true, None)
    } else if w(0) == b"nc:" && w(1) == b"connect" && w(2) == b"to" && w(4) == b"port" {
        let o = find(t, b") ")?;
        let rest = t.get(o + 2..)?;
        let errno =
            rest.iter().position(|c| *c == b':').and_then(|c| rest.get(c + 1..)).map(<[u8]>::trim_ascii);
        (
            w(3),
            w(5),
            false,
            errno.map(|e| if rest.starts_with(b"timed out") { b"timed out".as_slice() } else { e }),
        )
    } else {
        return None;
    };
    parse_u16(port)?;
    let host = lossy(host);
    let target = if host.contains(':') {
        format!("[{host}]:{}", lossy(port))
    } else {
        format!("{host}:{}", lossy(port))
    };
    r.report.facts.push(ProbeFact::DirectProbe {
        tool: ProbeTool::Netcat,
        target,
        connected,
        errno_text: errno.map(lossy),
        status_line: None,
        tls: false,
        range: line.range(),
    });
    Some(Format::Netcat)
}

// ---------------------------------------------------------------- SELinux

/// `Enforcing` (getenforce) or `Current mode:   enforcing` (sestatus); other sestatus lines
/// are read as part of it.
fn selinux_status(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    let mode = match t {
        b"Enforcing" | b"Permissive" | b"Disabled" => Some(t),
        _ => t.strip_prefix(b"Current mode:").map(<[u8]>::trim_ascii),
    };
    if let Some(m) = mode {
        r.report
            .facts
            .push(ProbeFact::SelinuxMode { mode: lossy(m).to_ascii_lowercase(), range: line.range() });
        return Some(Format::SelinuxStatus);
    }
    if t.starts_with(b"SELinux status:") {
        if t.ends_with(b"disabled") {
            r.report.facts.push(ProbeFact::SelinuxMode { mode: "disabled".to_owned(), range: line.range() });
        }
        return Some(Format::SelinuxStatus);
    }
    const SESTATUS: &[&[u8]] = &[
        b"SELinuxfs mount:",
        b"SELinux root directory:",
        b"Loaded policy name:",
        b"Mode from config file:",
        b"Policy MLS status:",
        b"Policy deny_unknown status:",
        b"Memory protection checking:",
        b"Max kernel policy version:",
    ];
    SESTATUS.iter().any(|k| t.starts_with(k)).then_some(Format::SelinuxStatus)
}

/// `http_port_t                    tcp      80, 81, 443, 488, 8008, 8009, 8443, 9000`
fn semanage_port(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    if t.starts_with(b"SELinux Port Type") {
        return Some(Format::SemanagePort);
    }
    if !word(t, 0).ends_with(b"_t") {
        return None;
    }
    let mut toks = Vec::new();
    tokens(t, &mut toks);
    let name = tok(t, &toks, 0);
    let proto = tok(t, &toks, 1);
    if !name.ends_with(b"_t") || !matches!(proto, b"tcp" | b"udp" | b"sctp" | b"dccp") {
        return None;
    }
    let &(ps, _) = toks.get(2)?;
    let mut ports = Vec::new();
    for p in t.get(ps..)?.split(|c| *c == b',') {
        let p = p.trim_ascii();
        let range = match memchr::memchr(b'-', p) {
            Some(o) => (parse_u16(p.get(..o)?)?, parse_u16(p.get(o + 1..)?)?),
            None => (parse_u16(p)?, parse_u16(p)?),
        };
        ports.push(range);
    }
    r.report.facts.push(ProbeFact::SelinuxPortType {
        type_name: lossy(name),
        proto: lossy(proto),
        ports,
        range: line.range(),
    });
    Some(Format::SemanagePort)
}

/// `httpd_can_network_connect --> off`
fn getsebool(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    if t.starts_with(b"getsebool: ") {
        return Some(Format::Getsebool);
    }
    let o = find(t, b" --> ")?;
    let name = t.get(..o)?.trim_ascii();
    let value = t.get(o + 5..)?.trim_ascii();
    let on = match value {
        b"on" => true,
        b"off" => false,
        _ => return None,
    };
    if name.is_empty() || !name.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') {
        return None;
    }
    r.report.facts.push(ProbeFact::SelinuxBoolean { name: lossy(name), on, range: line.range() });
    Some(Format::Getsebool)
}

/// `type=AVC msg=audit(...): avc:  denied  { name_connect } for pid=1 comm="nginx" dest=8000 ...`,
/// also behind a syslog prefix (`kernel: audit: type=1400 audit(...): avc: denied ...`).
/// ausearch's companion lines (`type=SYSCALL`, `----`, `time->`) are read as part of it.
fn avc(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    if let Some(o) = find(t, b"avc:") {
        let rest = t.get(o + 4..).unwrap_or_default();
        if !contains(rest, b"denied") {
            return Some(Format::AvcDenial);
        }
        let open = memchr::memchr(b'{', rest)?;
        let close = memchr::memchr(b'}', rest)?;
        let perm = rest.get(open + 1..close)?.trim_ascii();
        let f = |k: &[u8]| kv(rest, k).map(lossy);
        r.report.facts.push(ProbeFact::AvcDenial {
            permission: lossy(perm),
            comm: f(b"comm=").unwrap_or_default(),
            target_port: kv(rest, b"dest=").and_then(parse_u16),
            path: f(b"path="),
            scontext: f(b"scontext="),
            tcontext: f(b"tcontext="),
            tclass: f(b"tclass="),
            range: line.range(),
        });
        return Some(Format::AvcDenial);
    }
    if (t.starts_with(b"type=") && contains(t, b"msg=audit(")) || t.starts_with(b"time->") || t == b"----" {
        return Some(Format::AvcDenial);
    }
    None
}

// ---------------------------------------------------------------- ps

fn ps(r: &mut Reader, line: Line<'_>, ef: Option<bool>) -> Option<Format> {
    let b = line.bytes;
    if !is_digits(word(b, 1)) {
        return None;
    }
    let mut toks = Vec::new();
    tokens(b, &mut toks);
    let w = |i: usize| tok(b, &toks, i);
    let is_pct = |x: &[u8]| x.contains(&b'.') && x.iter().all(|c| c.is_ascii_digit() || *c == b'.');
    let aux = is_digits(w(1))
        && is_pct(w(2))
        && is_pct(w(3))
        && is_digits(w(4))
        && is_digits(w(5))
        && toks.len() >= 11;
    let ps_time =
        |x: &[u8]| x.contains(&b':') && x.iter().all(|c| c.is_ascii_digit() || *c == b':' || *c == b'-');
    let ef_shape = is_digits(w(1)) && is_digits(w(2)) && is_digits(w(3)) && ps_time(w(6)) && toks.len() >= 8;
    let cmd_tok = match ef {
        Some(false) if aux => 10,
        Some(true) if ef_shape => 7,
        None if aux => 10,
        None if ef_shape => 7,
        _ => return None,
    };
    let pid = parse_u32(w(1))?;
    let &(cs, _) = toks.get(cmd_tok)?;
    let command = line.rest(cs);
    r.report.facts.push(ProbeFact::Process {
        user: lossy(w(0)),
        pid,
        command: lossy(command),
        is_nginx_worker: command.starts_with(b"nginx: worker process"),
        is_nginx_master: command.starts_with(b"nginx: master process"),
        range: line.range(),
    });
    r.mode = Mode::Ps { ef: cmd_tok == 7 };
    Some(Format::Ps)
}

// ---------------------------------------------------------------- getent

/// After `getent ahosts NAME`: `::1             STREAM localhost`, then `::1  DGRAM`,
/// `::1  RAW` and the same for each further address (the name only on the first line).
/// After `getent hosts NAME`: `127.0.0.3       backend.test [aliases]`, one line per address.
fn getent(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let Mode::Getent { name, ahosts, one_family } = &r.mode else { return None };
    let (name, ahosts, one_family) = (name.clone(), *ahosts, *one_family);
    let t = line.bytes.trim_ascii();
    let address = parse_ip(word(t, 0))?;
    let second = word(t, 1);
    if ahosts {
        match second {
            b"STREAM" => {}
            b"DGRAM" | b"RAW" => return Some(Format::Getent),
            _ => return None,
        }
        let shown = word(t, 2);
        let name = name.or_else(|| (!shown.is_empty()).then(|| lossy(shown)))?;
        push_address(r, name, address, !one_family, line);
    } else {
        if second.is_empty() {
            return None;
        }
        let name = name.unwrap_or_else(|| lossy(second));
        // getent hosts asks for IPv6 first and falls back to IPv4: an IPv6 answer hides IPv4.
        push_address(r, name, address, address.is_ipv4(), line);
    }
    Some(Format::Getent)
}

/// `getent ahosts` output pasted without its command: the `STREAM` line that names the host
/// starts it; the lines after it are read in getent mode.
fn getent_ahosts_bare(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    let address = parse_ip(word(t, 0))?;
    let name = word(t, 2);
    if word(t, 1) != b"STREAM" || name.is_empty() || !word(t, 3).is_empty() {
        return None;
    }
    r.mode = Mode::Getent { name: Some(lossy(name)), ahosts: true, one_family: false };
    push_address(r, lossy(name), address, true, line);
    Some(Format::Getent)
}

fn push_address(r: &mut Reader, name: String, address: IpAddr, all_families: bool, line: Line<'_>) {
    r.report.facts.push(ProbeFact::NameAddress { name, address, all_families, range: line.range() });
}

fn parse_ip(w: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(w).ok()?.parse().ok()
}
