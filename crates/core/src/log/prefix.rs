//! Prefixes that tools put before a log line: journald/syslog, docker compose,
//! docker/kubectl timestamps, kubectl's `[pod/...]`, and shell prompts in a paste.

use super::LogFormat;
use super::scan::{self, has_shape};

/// The prefixes found on one line (at most a few; no allocation).
#[derive(Clone, Copy, Default)]
pub(crate) struct Formats {
    items: [Option<LogFormat>; 4],
}

impl Formats {
    fn push(&mut self, f: LogFormat) {
        if let Some(slot) = self.items.iter_mut().find(|s| s.is_none()) {
            *slot = Some(f);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = LogFormat> + '_ {
        self.items.iter().flatten().copied()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.iter().all(Option::is_none)
    }
}

pub(crate) struct Stripped<'a> {
    /// What the program itself wrote.
    pub(crate) payload: &'a [u8],
    pub(crate) formats: Formats,
    /// The prefix's timestamp as written (`Nov 21 11:05:52`, `2026-11-21T11:05:52.1Z`).
    pub(crate) time: Option<&'a [u8]>,
    /// The syslog identifier (`nginx`, `php-fpm8.2`, `systemd`, `gunicorn`).
    pub(crate) tag: Option<&'a [u8]>,
}

/// Peels prefixes off `line` until none is left (each at most once per round, a
/// bounded number of rounds).
pub(crate) fn strip(line: &[u8]) -> Stripped<'_> {
    let mut out = Stripped { payload: skip_ansi(line), formats: Formats::default(), time: None, tag: None };
    for _ in 0..4 {
        let s = out.payload;
        let s = match syslog_pri(s) {
            Some(rest) => rest,
            None => s,
        };
        if let Some(rest) = compose(s) {
            out.formats.push(LogFormat::DockerCompose);
            out.payload = skip_ansi(rest);
            continue;
        }
        if let Some(rest) = kubectl(s) {
            out.formats.push(LogFormat::Kubectl);
            out.payload = rest;
            continue;
        }
        if let Some(rest) = grep_file(s) {
            out.formats.push(LogFormat::GrepPrefix);
            out.payload = rest;
            continue;
        }
        if let Some((time, rest)) = rfc3339(s) {
            out.time = Some(time);
            if let Some((tag, rest)) = host_tag(rest) {
                out.formats.push(LogFormat::Journald);
                if is_container_tag(tag) {
                    out.formats.push(LogFormat::DockerContainerTag);
                }
                out.tag = Some(tag);
                out.payload = rest;
            } else {
                out.formats.push(LogFormat::Timestamped);
                out.payload = rest;
            }
            continue;
        }
        if let Some((time, rest)) = bsd_time(s)
            && let Some((tag, rest)) = host_tag(rest)
        {
            out.formats.push(LogFormat::Journald);
            if is_container_tag(tag) {
                out.formats.push(LogFormat::DockerContainerTag);
            }
            out.time = Some(time);
            out.tag = Some(tag);
            out.payload = rest;
            continue;
        }
        out.payload = s;
        break;
    }
    out
}

/// Skips ANSI colour sequences (`ESC [ ... m`) at the start.
fn skip_ansi(mut s: &[u8]) -> &[u8] {
    while let Some(rest) = s.strip_prefix(b"\x1b[") {
        let n = rest.iter().take_while(|b| b.is_ascii_digit() || **b == b';').count();
        match rest.get(n..).and_then(|r| r.strip_prefix(b"m")) {
            Some(after) => s = after,
            None => break,
        }
    }
    s
}

/// `<163>` of raw syslog.
fn syslog_pri(s: &[u8]) -> Option<&[u8]> {
    let rest = s.strip_prefix(b"<")?;
    let (digits, rest) = scan::leading_digits(rest);
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    rest.strip_prefix(b">")
}

/// `nginx-1  | payload` (docker compose v2) or `web_1  | payload` (v1).
fn compose(s: &[u8]) -> Option<&[u8]> {
    let name_len =
        s.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')).count();
    if name_len == 0 || name_len > 100 || !s.first()?.is_ascii_alphanumeric() {
        return None;
    }
    let after = s.get(name_len..)?;
    let after = skip_ansi(after);
    let spaces = after.iter().take_while(|b| **b == b' ').count();
    if spaces == 0 {
        return None;
    }
    let rest = skip_ansi(skip_ansi(after.get(spaces..)?).strip_prefix(b"|")?);
    Some(rest.strip_prefix(b" ").unwrap_or(rest))
}

/// `/var/log/nginx/error.log:2026/11/21 ...` (`grep -r`, `grep -H`) and
/// `1234:2026/11/21 ...` (`grep -n`): only before an nginx date.
fn grep_file(s: &[u8]) -> Option<&[u8]> {
    let colon = memchr::memchr(b':', s.get(..s.len().min(300))?)?;
    let name = s.get(..colon)?;
    if name.is_empty() || name.contains(&b' ') {
        return None;
    }
    let mut rest = s.get(colon + 1..)?;
    // `grep -rn`: `file:12:2026/...`
    let (digits, after) = scan::leading_digits(rest);
    if !digits.is_empty() && after.starts_with(b":") && !has_shape(rest, b"DDDD/DD/DD DD:DD:DD") {
        rest = after.get(1..)?;
    }
    has_shape(rest, b"DDDD/DD/DD DD:DD:DD [").then_some(rest)
}

/// `==> /var/log/nginx/error.log <==` (tail of several files).
pub(crate) fn is_file_header(s: &[u8]) -> bool {
    s.starts_with(b"==> ") && s.ends_with(b" <==")
}

/// `[pod/web-7d9c/nginx] payload` (`kubectl logs --prefix`).
fn kubectl(s: &[u8]) -> Option<&[u8]> {
    if !s.starts_with(b"[pod/") {
        return None;
    }
    let (_, rest) = scan::split_once(s, b"] ")?;
    Some(rest)
}

/// `2026-11-21T11:05:52[.frac](Z|+00:00|+0000) ` -> (time, rest).
fn rfc3339(s: &[u8]) -> Option<(&[u8], &[u8])> {
    if !has_shape(s, b"DDDD-DD-DDTDD:DD:DD") {
        return None;
    }
    let mut n = 19;
    if s.get(n) == Some(&b'.') {
        n += 1 + s.get(n + 1..)?.iter().take_while(|b| b.is_ascii_digit()).count();
    }
    match s.get(n) {
        Some(b'Z') => n += 1,
        Some(b'+' | b'-') => {
            let tz = s.get(n + 1..)?;
            if has_shape(tz, b"DD:DD") {
                n += 6;
            } else if has_shape(tz, b"DDDD") {
                n += 5;
            } else {
                return None;
            }
        }
        _ => {}
    }
    let (time, rest) = s.split_at_checked(n)?;
    Some((time, rest.strip_prefix(b" ")?))
}

/// `Nov 21 11:05:52[.123456] ` (syslog, journalctl short/short-precise).
fn bsd_time(s: &[u8]) -> Option<(&[u8], &[u8])> {
    if !has_shape(s, b"AAA __ DD:DD:DD") || !s.first()?.is_ascii_uppercase() {
        return None;
    }
    let mut n = 15;
    if s.get(n) == Some(&b'.') {
        n += 1 + s.get(n + 1..)?.iter().take_while(|b| b.is_ascii_digit()).count();
    }
    let (time, rest) = s.split_at_checked(n)?;
    Some((time, rest.strip_prefix(b" ")?))
}

/// `host tag[pid]: ` or `host tag: ` -> (tag, payload).
fn host_tag(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let host_len = memchr::memchr(b' ', s)?;
    if host_len == 0 || host_len > 255 || s.get(..host_len)?.contains(&b'/') {
        return None;
    }
    let rest = s.get(host_len + 1..)?;
    let tag_len = rest
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@' | b'/'))
        .count();
    // A tag starts with a letter, except a container ID (docker's log drivers use it).
    if tag_len == 0 || !(rest.first()?.is_ascii_alphabetic() || is_container_tag(rest.get(..tag_len)?)) {
        return None;
    }
    let (tag, after) = rest.split_at_checked(tag_len)?;
    let after = match after.strip_prefix(b"[") {
        Some(pid) => {
            let (digits, after) = scan::leading_digits(pid);
            if digits.is_empty() {
                return None;
            }
            after.strip_prefix(b"]")?
        }
        None => after,
    };
    let after = after.strip_prefix(b":")?;
    Some((tag, after.strip_prefix(b" ").unwrap_or(after)))
}

/// docker's journald and syslog log drivers tag a container's lines with its ID (12 hex
/// digits by default, the full 64 with `tag={{.FullID}}`), the syslog one as `docker/ID` in
/// older releases.
fn is_container_tag(tag: &[u8]) -> bool {
    let id = tag.strip_prefix(b"docker/").unwrap_or(tag);
    matches!(id.len(), 12 | 64) && id.iter().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
}

/// journalctl's own lines: `-- Logs begin at ...`, `-- Boot 1a2b... --`, `-- No entries --`.
pub(crate) fn is_marker(s: &[u8]) -> bool {
    s.starts_with(b"-- ")
        && (s.starts_with(b"-- Logs begin")
            || s.starts_with(b"-- Journal begins")
            || s.starts_with(b"-- Boot ")
            || s.starts_with(b"-- No entries")
            || s.starts_with(b"-- Reboot --"))
}

const COMMANDS: [&[u8]; 24] = [
    b"tail",
    b"cat",
    b"less",
    b"more",
    b"head",
    b"grep",
    b"egrep",
    b"zcat",
    b"zgrep",
    b"journalctl",
    b"docker",
    b"podman",
    b"kubectl",
    b"nginx",
    b"systemctl",
    b"service",
    b"tee",
    b"awk",
    b"sed",
    b"curl",
    b"gunicorn",
    b"uwsgi",
    b"php-fpm",
    b"node",
];

/// `user@host:~$ sudo tail -n 50 /var/log/nginx/error.log`, `[root@web ~]# journalctl -u nginx`,
/// `$ docker compose logs nginx`.
pub(crate) fn is_shell_command(s: &[u8]) -> bool {
    let dollar = scan::find(s, b"$ ");
    let hash = scan::find(s, b"# ");
    let at = match (dollar, hash) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return false,
    };
    let (before, after) = s.split_at_checked(at).unwrap_or((s, b""));
    let prompt_like = before.is_empty()
        || (before.len() <= 80
            && (before.contains(&b'@') || before.ends_with(b"]") || before.ends_with(b"~")));
    if !prompt_like {
        return false;
    }
    let cmd = after.get(2..).unwrap_or_default().trim_ascii_start();
    let cmd = cmd.strip_prefix(b"sudo ").map_or(cmd, <[u8]>::trim_ascii_start);
    let word_len = cmd.iter().take_while(|b| !b.is_ascii_whitespace()).count();
    let word = cmd.get(..word_len).unwrap_or_default();
    let word = word.rsplit(|&b| b == b'/').next().unwrap_or(word);
    COMMANDS.iter().any(|c| word == *c || (word.starts_with(c) && word.get(c.len()) == Some(&b'8')))
        || word.starts_with(b"php-fpm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journald_and_docker_prefixes() {
        let s = strip(b"Nov 21 11:05:52 web1 nginx[1234]: 2026/11/21 11:05:52 [error] 1#0: x");
        assert_eq!(s.payload, b"2026/11/21 11:05:52 [error] 1#0: x");
        assert_eq!(s.tag, Some(&b"nginx"[..]));
        assert_eq!(s.time, Some(&b"Nov 21 11:05:52"[..]));

        let s = strip(b"nginx-1  | 2026-11-21T11:05:52.123456789Z 2026/11/21 11:05:52 [error] 1#0: x");
        assert_eq!(s.payload, b"2026/11/21 11:05:52 [error] 1#0: x");
        assert_eq!(
            s.formats.iter().collect::<Vec<_>>(),
            vec![LogFormat::DockerCompose, LogFormat::Timestamped]
        );

        let s = strip(b"2026-11-21T11:05:52+0000 web1 php-fpm8.2[99]: WARNING: x");
        assert_eq!(s.payload, b"WARNING: x");
        assert_eq!(s.tag, Some(&b"php-fpm8.2"[..]));

        let s = strip(b"<163>Nov  1 01:02:03 web1 nginx: [error] 1#0: x");
        assert_eq!(s.payload, b"[error] 1#0: x");

        let s = strip(b"\x1b[36mnginx-1  |\x1b[0m 2026/11/21");
        assert_eq!(s.payload, b"2026/11/21");

        let s = strip(b"[pod/web-abc/nginx] 2026/11/21");
        assert_eq!(s.payload, b"2026/11/21");

        let line = b"2026/11/21 11:05:52 [error] 1#0: x";
        for prefixed in
            [&b"/var/log/nginx/error.log:"[..], b"error.log.1:", b"/var/log/nginx/error.log:12:", b"12:"]
        {
            let mut l = prefixed.to_vec();
            l.extend_from_slice(line);
            assert_eq!(strip(&l).payload, line);
        }
        assert!(is_file_header(b"==> /var/log/nginx/error.log <=="));

        // Not prefixes.
        assert!(strip(b"[2026-11-21 11:09:41 +0000] [1] [INFO] x").formats.is_empty());
        assert!(strip(b"WARNING: [pool www] x").formats.is_empty());
        assert!(strip(b"Error: listen EADDRINUSE").formats.is_empty());
    }

    #[test]
    fn shell_prompts() {
        assert!(is_shell_command(b"user@host:~$ sudo tail -n 50 /var/log/nginx/error.log"));
        assert!(is_shell_command(b"[root@web ~]# journalctl -u nginx --no-pager"));
        assert!(is_shell_command(b"$ docker compose logs nginx"));
        assert!(is_shell_command(b"root@web:/# /usr/sbin/nginx -t"));
        assert!(!is_shell_command(b"price is $ 5"));
        assert!(!is_shell_command(b"# a comment"));
    }
}
