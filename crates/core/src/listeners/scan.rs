//! Byte scanning shared by the listener readers: lines, whitespace tokens, numbers, prompts.

use super::TextRange;
pub(crate) use badgateway_text::{contains, find, parse_u16, parse_u32, parse_u64};

/// One line of the paste, without its terminator (`\n`, `\r\n`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line<'a> {
    pub(crate) bytes: &'a [u8],
    /// Offset of `bytes[0]` in the whole text.
    pub(crate) start: usize,
}

impl<'a> Line<'a> {
    pub(crate) fn range(&self) -> TextRange {
        TextRange::from_usize(self.start, self.start + self.bytes.len())
    }

    /// Absolute range of a line-relative span.
    pub(crate) fn sub(&self, s: usize, e: usize) -> TextRange {
        TextRange::from_usize(self.start + s, self.start + e)
    }

    /// Line-relative bytes `s..e`, empty when out of range.
    pub(crate) fn get(&self, s: usize, e: usize) -> &'a [u8] {
        self.bytes.get(s..e).unwrap_or_default()
    }

    /// Line-relative bytes from `s` to the end, trailing white space removed.
    pub(crate) fn rest(&self, s: usize) -> &'a [u8] {
        trim(self.bytes.get(s..).unwrap_or_default())
    }
}

/// The line without the quote markers a forum, an issue tracker or a mail reply put
/// before it (`> `, `>> `, `> > `), its range still into the original text.
pub(crate) fn unquote(line: Line<'_>) -> Line<'_> {
    let b = line.bytes;
    let mut i = b.iter().take_while(|c| **c == b' ').count();
    let mut quoted = false;
    while b.get(i) == Some(&b'>') {
        quoted = true;
        i += 1;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
    }
    if !quoted {
        return line;
    }
    Line { bytes: b.get(i..).unwrap_or_default(), start: line.start + i }
}

pub(crate) fn lines(text: &[u8]) -> impl Iterator<Item = Line<'_>> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = text.get(pos..)?;
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let mut bytes = rest.get(..len)?;
        if let Some(stripped) = bytes.strip_suffix(b"\r") {
            bytes = stripped;
        }
        let line = Line { bytes, start: pos };
        pos += len + 1;
        Some(line)
    })
}

/// Splits on ASCII white space into line-relative `(start, end)` pairs.
pub(crate) fn tokens(bytes: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut i = 0;
    let n = bytes.len();
    while i < n {
        while i < n && bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let s = i;
        while i < n && bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
            i += 1;
        }
        if i > s {
            out.push((s, i));
        }
    }
}

/// The `n`th white-space separated word of `bytes` (empty when there is none), found
/// without tokenising the whole line: readers use it to turn lines away cheaply.
pub(crate) fn word(bytes: &[u8], n: usize) -> &[u8] {
    bytes.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()).nth(n).unwrap_or_default()
}

/// The bytes of token `i`.
pub(crate) fn tok<'a>(bytes: &'a [u8], toks: &[(usize, usize)], i: usize) -> &'a [u8] {
    toks.get(i).and_then(|&(s, e)| bytes.get(s..e)).unwrap_or_default()
}

pub(crate) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(crate) fn is_digits(b: &[u8]) -> bool {
    !b.is_empty() && b.iter().all(u8::is_ascii_digit)
}

/// Value of `key=` up to the next space (quotes removed), e.g. `comm="nginx"`.
pub(crate) fn kv<'a>(hay: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| find(h, key)) {
        let at = from + i;
        let boundary = at == 0 || hay.get(at - 1).is_some_and(|b| b.is_ascii_whitespace() || *b == b',');
        let val_start = at + key.len();
        if boundary {
            let rest = hay.get(val_start..)?;
            if let Some(q) = rest.strip_prefix(b"\"") {
                let end = memchr::memchr(b'"', q).unwrap_or(q.len());
                return q.get(..end);
            }
            let end = rest.iter().position(|b| b.is_ascii_whitespace()).unwrap_or(rest.len());
            return rest.get(..end);
        }
        from = val_start;
    }
    None
}

/// A command typed at a shell prompt, `sudo` removed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Command<'a> {
    /// The program name (`ss`, `netstat`, ...).
    pub(crate) program: &'a [u8],
    /// Everything after the program up to a pipe (`-tlnp`).
    pub(crate) args: &'a [u8],
    /// The whole command text (program to end of line, pipes included).
    pub(crate) range: TextRange,
}

const PROGRAMS: &[&[u8]] = &[
    b"ss",
    b"netstat",
    b"lsof",
    b"sockstat",
    b"docker",
    b"docker-compose",
    b"podman",
    b"ls",
    b"systemctl",
    b"journalctl",
    b"curl",
    b"telnet",
    b"ufw",
    b"iptables",
    b"ip6tables",
    b"iptables-save",
    b"nft",
    b"getsebool",
    b"getenforce",
    b"sestatus",
    b"semanage",
    b"ps",
    b"ausearch",
    b"cat",
    b"tail",
    b"grep",
    b"nc",
    b"getent",
    b"ip",
    b"hostname",
    b"ifconfig",
    b"head",
    b"kubectl",
];

/// Recognises `user@host:~$ sudo ss -tlnp`, `[root@web ~]# ss -tlnp`, `$ ss -tlnp`,
/// `# ss -tlnp` and a bare `ss -tlnp`.
pub(crate) fn command_line(line: Line<'_>) -> Option<Command<'_>> {
    let b = line.bytes;
    let lead = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    // A bare command: `ss -tlnp`, `sudo lsof -U`, `curl -v http://...`.
    if let Some(c) = command_at(line, lead, true) {
        return Some(c);
    }
    // After a prompt marker followed by a space, within the first 120 bytes.
    let limit = b.len().min(120);
    let mut i = 0;
    while i + 1 < limit {
        let c = b.get(i).copied().unwrap_or(0);
        if matches!(c, b'$' | b'#' | b'%' | b'>')
            && b.get(i + 1) == Some(&b' ')
            && let Some(cmd) = command_at(line, i + 2, false)
        {
            return Some(cmd);
        }
        i += 1;
    }
    None
}

fn command_at(line: Line<'_>, mut at: usize, bare: bool) -> Option<Command<'_>> {
    let b = line.bytes;
    let word = |at: usize| -> (usize, usize) {
        let s = at + b.get(at..).unwrap_or_default().iter().take_while(|c| c.is_ascii_whitespace()).count();
        let e = s + b.get(s..).unwrap_or_default().iter().take_while(|c| !c.is_ascii_whitespace()).count();
        (s, e)
    };
    let (mut s, mut e) = word(at);
    if b.get(s..e) == Some(b"sudo") {
        at = e;
        (s, e) = word(at);
        // `sudo -u www-data ls -l ...`
        while b.get(s) == Some(&b'-') {
            let flag_takes_value = matches!(b.get(s..e), Some(b"-u" | b"-g"));
            (s, e) = word(e);
            if flag_takes_value {
                (s, e) = word(e);
            }
        }
    }
    let program = b.get(s..e)?;
    let base = program.rsplit(|c| *c == b'/').next().unwrap_or(program);
    if !PROGRAMS.contains(&base) {
        return None;
    }
    let rest = b.get(e..).unwrap_or_default();
    let pipe = memchr::memchr(b'|', rest).unwrap_or(rest.len());
    let args = trim(rest.get(..pipe).unwrap_or_default());
    if bare {
        // A bare line must look like a command, not a table row or prose: program then
        // options or an argument that is not prose, and nothing before it.
        let first_arg = args.split(|c| c.is_ascii_whitespace()).next().unwrap_or_default();
        let ok = args.is_empty()
            || first_arg.starts_with(b"-")
            || first_arg.starts_with(b"/")
            || first_arg.starts_with(b"http")
            || matches!(
                base,
                b"systemctl"
                    | b"telnet"
                    | b"getsebool"
                    | b"nc"
                    | b"docker"
                    | b"docker-compose"
                    | b"nft"
                    | b"semanage"
                    | b"getenforce"
                    | b"sestatus"
                    | b"getent"
                    | b"kubectl"
            )
            || (base == b"ps" && first_arg.iter().all(u8::is_ascii_alphabetic) && first_arg.len() <= 4)
            || (base == b"ip" && is_address_listing(args))
            || (base == b"ifconfig" && (args.is_empty() || first_arg.iter().all(u8::is_ascii_alphanumeric)));
        if !ok || line.bytes.len() > 300 {
            return None;
        }
    }
    Some(Command { program: base, args, range: line.sub(s, b.len()) })
}

/// `ip [OPTIONS] address [show|list ...]` (any prefix of `address`, as ip accepts it), not
/// `ip addr add/del/flush`.
pub(crate) fn is_address_listing(args: &[u8]) -> bool {
    let mut words = args.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty());
    let object = loop {
        let Some(w) = words.next() else { return false };
        if !w.starts_with(b"-") {
            break w;
        }
        // Options that take a value: `-f inet`, `-family inet6`, `-n NETNS`, `-netns NETNS`.
        if matches!(w, b"-f" | b"-family" | b"-n" | b"-netns" | b"-b" | b"-batch" | b"-rc" | b"-rcvbuf") {
            words.next();
        }
    };
    if !b"address".starts_with(object) {
        return false;
    }
    match words.next() {
        None => true,
        Some(verb) => {
            [b"show".as_slice(), b"list", b"lst"].iter().any(|v| v.starts_with(verb)) || !is_verb(verb)
        }
    }
}

/// `ip addr` verbs that change addresses: their output is not a listing.
fn is_verb(w: &[u8]) -> bool {
    matches!(w, b"add" | b"del" | b"delete" | b"change" | b"replace" | b"flush" | b"save" | b"restore")
}

/// Whether a flag cluster among `args` contains letter `c` (`-tlnp` has `l`).
pub(crate) fn has_short_flag(args: &[u8], c: u8) -> bool {
    args.split(|b| b.is_ascii_whitespace())
        .any(|w| w.len() > 1 && w.first() == Some(&b'-') && w.get(1) != Some(&b'-') && w.contains(&c))
}

/// First argument that is not an option.
pub(crate) fn first_operand(args: &[u8]) -> Option<&[u8]> {
    args.split(|b| b.is_ascii_whitespace()).find(|w| !w.is_empty() && !w.starts_with(b"-"))
}

/// Three-letter English month abbreviations as ls, journalctl and syslog print them.
pub(crate) fn is_month(b: &[u8]) -> bool {
    matches!(
        b,
        b"Jan"
            | b"Feb"
            | b"Mar"
            | b"Apr"
            | b"May"
            | b"Jun"
            | b"Jul"
            | b"Aug"
            | b"Sep"
            | b"Oct"
            | b"Nov"
            | b"Dec"
    )
}

/// `HH:MM` or `HH:MM:SS` (optionally with fractional seconds).
pub(crate) fn is_clock(b: &[u8]) -> bool {
    let mut parts = b.split(|c| *c == b':');
    let h = parts.next().unwrap_or_default();
    let m = parts.next().unwrap_or_default();
    let s = parts.next();
    let s_ok = s.is_none_or(|s| {
        let int = s.split(|c| *c == b'.').next().unwrap_or_default();
        is_digits(int) && int.len() == 2
    });
    is_digits(h) && h.len() <= 2 && is_digits(m) && m.len() == 2 && s_ok && parts.next().is_none()
}

/// A word without the quotes around it (`'x'`, `"x"`).
pub(crate) fn trim_quotes(w: &[u8]) -> &[u8] {
    let w = w.strip_prefix(b"'").or_else(|| w.strip_prefix(b"\"")).unwrap_or(w);
    w.strip_suffix(b"'").or_else(|| w.strip_suffix(b"\"")).unwrap_or(w)
}
