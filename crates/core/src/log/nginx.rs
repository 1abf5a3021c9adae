//! nginx error-log lines: the anatomy (time, level, pid#tid, *conn, message, errno,
//! `while` action, trailing fields) and the classification of upstream messages.
//!
//! Shape (src/core/ngx_log.c:117-156, src/http/ngx_http_request.c:4133-4235):
//! `DATE TIME [level] PID#TID: *CONN msg[ (errno: text)][ while action], client: C,
//! server: S[, request: "R"][, subrequest: "U"][, upstream: "UP"][, host: "H"][, referrer: "F"]`

use super::scan::{self, has_shape};
use super::{ClientStatus, EventKind, Level, Phase};

/// The trailing `, key: value` fields, borrowed from the line.
#[derive(Clone, Copy, Default)]
pub(crate) struct Fields<'a> {
    pub(crate) client: Option<&'a [u8]>,
    pub(crate) server: Option<&'a [u8]>,
    pub(crate) request: Option<&'a [u8]>,
    pub(crate) subrequest: Option<&'a [u8]>,
    pub(crate) upstream: Option<&'a [u8]>,
    pub(crate) host: Option<&'a [u8]>,
    pub(crate) referrer: Option<&'a [u8]>,
    /// `, resolver: ADDR` of resolver socket errors (no client fields there).
    pub(crate) resolver: Option<&'a [u8]>,
}

/// One nginx error-log line taken apart, nothing copied.
pub(crate) struct Line<'a> {
    pub(crate) time: Option<&'a [u8]>,
    pub(crate) level: Level,
    pub(crate) pid: Option<u32>,
    pub(crate) tid: Option<u64>,
    pub(crate) conn: Option<u64>,
    /// From after `*CONN ` to before the fields.
    pub(crate) message: &'a [u8],
    /// The message without errno, OpenSSL text and `while` action.
    pub(crate) head: &'a [u8],
    pub(crate) errno: Option<u16>,
    pub(crate) errno_text: Option<&'a [u8]>,
    /// The `SSL: ...` text that ngx_ssl_error appends.
    pub(crate) ssl: Option<&'a [u8]>,
    pub(crate) phase: Option<Phase>,
    pub(crate) fields: Fields<'a>,
}

impl<'a> Line<'a> {
    /// A message without nginx's own prefix (the stderr of `nginx -t`).
    pub(crate) fn bare(level: Level, message: &'a [u8]) -> Line<'a> {
        let m = split_message(message);
        Line {
            time: None,
            level,
            pid: None,
            tid: None,
            conn: None,
            message,
            head: m.head,
            errno: m.errno,
            errno_text: m.errno_text,
            ssl: m.ssl,
            phase: m.phase,
            fields: Fields::default(),
        }
    }
}

/// Parses `[DATE TIME ][level] PID#TID: [*CONN ]message...`. The date is optional
/// because nginx's syslog output and some journald captures carry only the prefix's.
pub(crate) fn parse_line(p: &[u8]) -> Option<Line<'_>> {
    let (time, rest) =
        if has_shape(p, b"DDDD/DD/DD DD:DD:DD ") { (p.get(..19), p.get(20..)?) } else { (None, p) };
    let rest = rest.strip_prefix(b"[")?;
    let close = memchr::memchr(b']', rest.get(..8.min(rest.len()))?)?;
    let (level, rest) = rest.split_at_checked(close)?;
    let level = Level::from_bytes(level)?;
    let rest = rest.strip_prefix(b"] ")?;
    let (pid, tid, rest) = pid_tid(rest)?;
    Some(after_head(time, level, Some(pid), Some(tid), rest))
}

/// `PID#TID:[ ]` (old builds and Windows print `PID#0`), and what follows.
fn pid_tid(rest: &[u8]) -> Option<(u32, u64, &[u8])> {
    let (pid, rest) = scan::leading_digits(rest);
    let pid = scan::parse_u32(pid)?;
    let rest = rest.strip_prefix(b"#")?;
    let (tid, rest) = scan::leading_digits(rest);
    let tid = scan::parse_u64(tid)?;
    let rest = rest.strip_prefix(b":")?;
    Some((pid, tid, rest.strip_prefix(b" ").unwrap_or(rest)))
}

/// `[*CONN ]message[, fields]` after the head.
fn after_head<'a>(
    time: Option<&'a [u8]>,
    level: Level,
    pid: Option<u32>,
    tid: Option<u64>,
    rest: &'a [u8],
) -> Line<'a> {
    let (conn, rest) = conn_number(rest);
    let (message, fields) = split_fields(rest);
    let m = split_message(message);
    Line {
        time,
        level,
        pid,
        tid,
        conn,
        message,
        head: m.head,
        errno: m.errno,
        errno_text: m.errno_text,
        ssl: m.ssl,
        phase: m.phase,
        fields,
    }
}

/// `*CONN ` before the message.
fn conn_number(rest: &[u8]) -> (Option<u64>, &[u8]) {
    if let Some(after) = rest.strip_prefix(b"*") {
        let (digits, after) = scan::leading_digits(after);
        if let (Some(n), Some(after)) = (scan::parse_u64(digits), after.strip_prefix(b" ")) {
            return (Some(n), after);
        }
    }
    (None, rest)
}

/// Where an upstream message nginx prints may start (nginx_upstream_messages.tsv):
/// a line that lost its head, or whose message was pasted alone, is read from here.
const MESSAGE_STARTS: [&[u8]; 33] = [
    b"connect() failed",
    b"connect() to ",
    b"kevent() reported",
    b"upstream timed out",
    b"no live upstreams",
    b"upstream prematurely",
    b"upstream sent ",
    b"upstream rejected request",
    b"recv() failed",
    b"readv() failed",
    b"writev() failed",
    b"send() failed",
    b"sendfile() failed",
    b"recv() returned zero",
    b"send() returned zero",
    b"SSL_do_handshake() failed",
    b"SSL_read() failed",
    b"SSL_write() failed",
    b"upstream SSL certificate",
    b"peer closed connection in SSL handshake",
    b"FastCGI sent in stderr",
    b"no resolver defined to resolve",
    b"host not found in upstream",
    b"no port in upstream",
    b"invalid URL prefix in",
    b"invalid port in upstream",
    b"socket() failed",
    b"the new socket has number",
    b"bind(",
    b"upstream server temporarily disabled",
    b"client prematurely closed connection",
    b"accept4() failed",
    b"accept() failed",
];

/// Message starts that come after a name or a number: `NAME could not be resolved`,
/// `1024 worker_connections are not enough`. The message starts at that word.
const MESSAGE_MIDDLES: [&[u8]; 2] = [b" could not be resolved", b" worker_connections are not enough"];

/// Words one of the messages holds: a line without any of them is not looked at further.
const MESSAGE_WORDS: [&[u8]; 7] =
    [b"() ", b"upstream", b"SSL", b"FastCGI", b"resolve", b"worker_connections", b"bind("];

/// An nginx error line that lost its head, or only its message, as people paste it:
/// `[error] 1#1: *7 connect() ...` behind other text, `4242#0: *7 ...`, `*7 ...`,
/// the message alone, or behind a label the poster typed. The level a line lost is the
/// one nginx prints the message at (`[emerg]` for a config that does not load, `[error]`
/// for the rest, which is how the rules read it).
pub(crate) fn parse_loose(p: &[u8]) -> Option<Line<'_>> {
    if let Some(line) = level_inside(p) {
        return Some(line);
    }
    // The message pasted alone starts with one of nginx's messages: no need to look for
    // their words across the line first.
    let starts_message = MESSAGE_STARTS.iter().any(|m| p.starts_with(m));
    if !starts_message && !MESSAGE_WORDS.iter().any(|w| scan::contains(p, w)) {
        return None;
    }
    // `PID#TID: ` or `*CONN ` first.
    // A headless line needs the space after the colon (`4242#0: `), as before.
    let spaced = |rest: &[u8]| p.len().checked_sub(rest.len() + 1).and_then(|i| p.get(i)) == Some(&b' ');
    if let Some((pid, tid, rest)) = pid_tid(p).filter(|(_, _, rest)| spaced(rest)) {
        let line = after_head(None, Level::Error, Some(pid), Some(tid), rest);
        return Some(with_inferred_level(line));
    }
    if p.starts_with(b"*") {
        let line = after_head(None, Level::Error, None, None, p);
        if line.conn.is_some() {
            return Some(with_inferred_level(line));
        }
    }
    let start = if starts_message { 0 } else { message_start(p)? };
    let line = after_head(None, Level::Error, None, None, p.get(start..)?);
    Some(with_inferred_level(line))
}

/// `[level] ` inside the line, after whatever was lost or added before it.
fn level_inside(p: &[u8]) -> Option<Line<'_>> {
    let window = p.get(..p.len().min(256)).unwrap_or(p);
    for at in memchr::memchr_iter(b'[', window) {
        let rest = p.get(at + 1..)?;
        let Some(close) = memchr::memchr(b']', rest.get(..rest.len().min(7))?) else { continue };
        let Some(level) = rest.get(..close).and_then(Level::from_bytes) else { continue };
        let Some(rest) = rest.get(close..).and_then(|r| r.strip_prefix(b"] ")) else { continue };
        let before = p.get(..at).unwrap_or_default();
        let time = before
            .len()
            .checked_sub(20)
            .and_then(|i| before.get(i..i + 19))
            .filter(|t| has_shape(t, b"DDDD/DD/DD DD:DD:DD"));
        return Some(match pid_tid(rest) {
            Some((pid, tid, rest)) => after_head(time, level, Some(pid), Some(tid), rest),
            None => after_head(time, level, None, None, rest),
        });
    }
    None
}

/// Where the first message nginx prints starts in `p`.
fn message_start(p: &[u8]) -> Option<usize> {
    let mut best = earliest_message_start(p);
    if best == Some(0) {
        return best; // nothing starts earlier
    }
    for m in MESSAGE_MIDDLES {
        if let Some(at) = scan::find(p, m) {
            // The name or number before it is part of the message.
            let before = p.get(..at).unwrap_or_default();
            let word = before.iter().rev().take_while(|b| !b.is_ascii_whitespace() && **b != b'`').count();
            let at = at - word;
            if best.is_none_or(|b| at < b) {
                best = Some(at);
            }
        }
    }
    best
}

/// The first position in `p` where an entry of `MESSAGE_STARTS` begins: one pass over the
/// line, trying at each byte only the entries that begin with it.
fn earliest_message_start(p: &[u8]) -> Option<usize> {
    let entries = |b: u8| STARTS_BY_FIRST_BYTE.get(usize::from(b)).copied().unwrap_or(0);
    let mut from = 0;
    while let Some(n) = p.get(from..).and_then(|s| s.iter().position(|b| entries(*b) != 0)) {
        let at = from + n;
        let rest = p.get(at..).unwrap_or_default();
        let mut bits = rest.first().map_or(0, |b| entries(*b));
        while bits != 0 {
            let k = bits.trailing_zeros() as usize;
            if MESSAGE_STARTS.get(k).is_some_and(|m| rest.starts_with(m)) {
                return Some(at);
            }
            bits &= bits - 1;
        }
        from = at + 1;
    }
    None
}

/// For each byte, the entries of `MESSAGE_STARTS` that begin with it, as bits.
#[allow(
    clippy::indexing_slicing,
    reason = "evaluated at compile time: an index out of range fails the build"
)]
const STARTS_BY_FIRST_BYTE: [u64; 256] = {
    assert!(MESSAGE_STARTS.len() <= 64);
    let mut table = [0u64; 256];
    let mut k = 0;
    while k < MESSAGE_STARTS.len() {
        table[MESSAGE_STARTS[k][0] as usize] |= 1 << k;
        k += 1;
    }
    table
};

/// The level nginx prints a message at, for a line that lost it.
fn with_inferred_level(mut line: Line<'_>) -> Line<'_> {
    let h = line.head;
    line.level = if h.starts_with(b"host not found in upstream") && scan::contains(line.message, b" in /") {
        Level::Emerg
    } else if h.starts_with(b"upstream server temporarily disabled") || h.ends_with(b", ignored") {
        Level::Warn
    } else {
        Level::Error
    };
    line
}

/// Keys after `, client: ` in the order nginx writes them (ngx_http_log_error_handler).
const KEYS: [&[u8]; 6] = [
    b", server: ",
    b", request: \"",
    b", subrequest: \"",
    b", upstream: \"",
    b", host: \"",
    b", referrer: \"",
];

/// A quoted value runs to its last quote: the request line may hold quotes itself,
/// and the stream module writes unquoted `, bytes from/to ...` after `upstream: "..."`.
/// Without a closing quote (a line cut at 2048 bytes) the value runs to the end.
fn quoted(v: Option<&[u8]>) -> Option<&[u8]> {
    v.map(|v| match memchr::memrchr(b'"', v) {
        Some(end) => v.get(..end).unwrap_or(v),
        None => v,
    })
}

fn split_fields(rest: &[u8]) -> (&[u8], Fields<'_>) {
    let mut fields = Fields::default();
    // The last `, client: ` is the field: a FastCGI stderr text in the message may
    // itself contain the words, the fields after it are nginx's own.
    if let Some((message, after)) = scan::rsplit_once(rest, b", client: ") {
        let mut values: [Option<&[u8]>; 7] = [None; 7];
        let mut current = 0usize;
        let mut value_start = 0usize;
        for (i, key) in KEYS.iter().enumerate() {
            let Some(tail) = after.get(value_start..) else { break };
            if let Some(at) = scan::find(tail, key) {
                if let Some(slot) = values.get_mut(current) {
                    *slot = after.get(value_start..value_start + at);
                }
                current = i + 1;
                value_start += at + key.len();
            }
        }
        if let Some(slot) = values.get_mut(current) {
            *slot = after.get(value_start..);
        }
        let [client, server, request, subrequest, upstream, host, referrer] = values;
        fields.client = client;
        fields.server = server;
        fields.request = quoted(request);
        fields.subrequest = quoted(subrequest);
        fields.upstream = quoted(upstream);
        fields.host = quoted(host);
        fields.referrer = quoted(referrer);
        return (message, fields);
    }
    if let Some((message, resolver)) = scan::rsplit_once(rest, b", resolver: ") {
        fields.resolver = Some(resolver);
        return (message, fields);
    }
    (rest, fields)
}

struct MessageParts<'a> {
    head: &'a [u8],
    errno: Option<u16>,
    errno_text: Option<&'a [u8]>,
    ssl: Option<&'a [u8]>,
    phase: Option<Phase>,
}

/// `head[ (SSL: ...)][ (N: text)][ while action]`.
fn split_message(message: &[u8]) -> MessageParts<'_> {
    let (mut core, phase) = match scan::rsplit_once(message, b" while ") {
        // An action never holds a quote; one here belongs to a quoted FastCGI text.
        Some((core, action)) if !action.contains(&b'"') => (core, Some(Phase::from_action(action))),
        _ => (message, None),
    };
    let mut errno = None;
    let mut errno_text = None;
    let mut ssl = None;
    if let Some(inner) = trailing_paren(core, b" (") {
        let (digits, after) = scan::leading_digits(inner);
        if let (Some(n), Some(text)) = (scan::parse_u16(digits), after.strip_prefix(b": ")) {
            errno = Some(super::errno::canonical(n, text));
            errno_text = Some(text);
            core = core.get(..core.len().saturating_sub(inner.len() + 3)).unwrap_or(core);
        }
    }
    if let Some(inner) = trailing_paren(core, b" (SSL:") {
        ssl = Some(inner.strip_prefix(b"SSL: ").unwrap_or(inner));
        core = core.get(..core.len().saturating_sub(inner.len() + 3)).unwrap_or(core);
    }
    MessageParts { head: core, errno, errno_text, ssl, phase }
}

/// The inside of a final `(...)` that starts at the last `open` (` (` or ` (SSL:`).
fn trailing_paren<'a>(s: &'a [u8], open: &[u8]) -> Option<&'a [u8]> {
    let body = s.strip_suffix(b")")?;
    let at = scan::rfind(body, open)?;
    body.get(at + 2..)
}

/// What a line means: its kind, status, and the names it mentions.
pub(crate) struct Classified<'a> {
    pub(crate) kind: EventKind,
    pub(crate) status: ClientStatus,
    pub(crate) peer: Option<&'a [u8]>,
    pub(crate) name: Option<&'a [u8]>,
    pub(crate) detail: Option<&'a [u8]>,
}

fn quoted_after<'a>(s: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let (_, rest) = scan::split_once(s, key)?;
    let rest = rest.strip_prefix(b"\"")?;
    let end = memchr::memchr(b'"', rest).unwrap_or(rest.len());
    rest.get(..end)
}

const IO_CALLS: [&[u8]; 6] = [
    b"recv() failed",
    b"readv() failed",
    b"writev() failed",
    b"send() failed",
    b"sendfile() failed",
    b"recv() returned zero",
];

/// Classifies an upstream-related message; `None` for lines about anything else
/// (static files, client-side errors, notices), which must never count as evidence.
pub(crate) fn classify<'a>(l: &Line<'a>) -> Option<Classified<'a>> {
    let h = l.head;
    let phase = l.phase;
    let in_upstream = phase.is_some_and(Phase::is_upstream);
    let resolving = phase == Some(Phase::Resolving) || l.fields.resolver.is_some();
    let has_upstream_field = l.fields.upstream.is_some();
    let mut status_override = None;
    let mut c = Classified {
        kind: EventKind::Unclassified,
        status: ClientStatus::Unknown,
        peer: None,
        name: None,
        detail: None,
    };

    let kind = if h == b"connect() failed" || h == b"kevent() reported that connect() failed" {
        if resolving {
            c.peer = l.fields.resolver;
            EventKind::ResolverError
        } else if in_upstream || has_upstream_field {
            connect_kind(l.errno)
        } else {
            return None;
        }
    } else if let Some(peer) = h.strip_prefix(b"connect() to ").and_then(|r| r.strip_suffix(b" failed")) {
        c.peer = Some(peer);
        if resolving {
            EventKind::ResolverError
        } else if in_upstream || has_upstream_field {
            connect_kind(l.errno)
        } else {
            return None;
        }
    } else if h == b"upstream timed out" {
        EventKind::UpstreamTimedOut
    } else if h == b"no live upstreams" {
        EventKind::NoLiveUpstreams
    } else if h == b"upstream prematurely closed connection"
        || h == b"kevent() reported that upstream closed connection"
    {
        EventKind::PrematurelyClosed
    } else if h.starts_with(b"upstream prematurely closed FastCGI") {
        EventKind::PrematurelyClosedFastcgi
    } else if h == b"upstream prematurely closed stream" {
        EventKind::PrematurelyClosedStream
    } else if h == b"upstream prematurely sent response" {
        EventKind::PrematurelySentResponse
    } else if IO_CALLS.contains(&h) || h == b"send() returned zero" || h == b"send() incomplete" {
        if resolving {
            c.peer = l.fields.resolver;
            EventKind::ResolverError
        } else if in_upstream {
            c.detail = h.split(|&b| b == b' ').next();
            if matches!(l.errno, Some(104 | 32)) { EventKind::ConnectionReset } else { EventKind::IoFailed }
        } else {
            return None;
        }
    } else if let Some(rest) = h.strip_prefix(b"upstream sent ") {
        upstream_sent(rest, &mut c)
    } else if h.starts_with(b"upstream rejected request with error") {
        c.detail = Some(h);
        EventKind::Http2Error
    } else if h == b"SSL_do_handshake() failed" {
        if !in_upstream {
            return None;
        }
        c.detail = l.ssl;
        EventKind::SslHandshakeFailed
    } else if let Some(rest) = h.strip_prefix(b"upstream SSL certificate verify error: ") {
        c.detail = Some(rest.strip_prefix(b"(").and_then(|r| r.strip_suffix(b")")).unwrap_or(rest));
        EventKind::SslVerifyFailed
    } else if h.starts_with(b"upstream SSL certificate does not match") {
        c.name = quoted_after(h, b"match ");
        EventKind::SslNameMismatch
    } else if h == b"peer closed connection in SSL handshake" {
        if !in_upstream {
            return None;
        }
        EventKind::PeerClosedInSslHandshake
    } else if h.starts_with(b"SSL_read() failed") || h.starts_with(b"SSL_write() failed") {
        if !in_upstream {
            return None;
        }
        c.detail = l.ssl;
        EventKind::SslIoFailed
    } else if let Some(rest) = h.strip_prefix(b"FastCGI sent in stderr: ") {
        let text = scan::unquote(rest);
        c.detail = Some(text);
        EventKind::FastcgiStderr { primary_script_unknown: scan::contains(text, b"Primary script unknown") }
    } else if let Some(name) = h.strip_suffix(b" could not be resolved") {
        c.name = Some(name);
        EventKind::CouldNotBeResolved
    } else if let Some(name) = h.strip_prefix(b"no resolver defined to resolve ") {
        c.name = Some(name);
        EventKind::NoResolverDefined
    } else if h.starts_with(b"DNS error") || resolving {
        c.peer = l.fields.resolver;
        EventKind::ResolverError
    } else if h.starts_with(b"host not found in upstream ") {
        c.name = quoted_after(h, b"upstream ");
        EventKind::HostNotFoundInUpstream
    } else if h.starts_with(b"no port in upstream ") {
        c.name = quoted_after(h, b"upstream ");
        EventKind::NoPortInUpstream
    } else if h.starts_with(b"invalid URL prefix in ") {
        c.name = quoted_after(h, b"prefix in ");
        EventKind::InvalidUrlPrefix
    } else if scan::contains(h, b" in upstream \"") && !h.starts_with(b"upstream ") {
        c.name = quoted_after(h, b" in upstream ");
        c.detail = scan::split_once(h, b" in upstream \"").map(|(what, _)| what);
        EventKind::InvalidUpstreamUrl
    } else if scan::contains(h, b" worker_connections are not enough") {
        if h.ends_with(b", reusing connections") {
            EventKind::WorkerConnectionsReusing
        } else {
            // Without `while connecting to upstream` it was an accept() that failed:
            // the client connection, not the upstream one (often a proxy loop).
            if !in_upstream {
                status_override = Some(ClientStatus::Unknown);
            }
            EventKind::WorkerConnectionsNotEnough
        }
    } else if h == b"socket() failed" || h.starts_with(b"the new socket has number ") {
        if !in_upstream {
            return None;
        }
        if h == b"socket() failed" && !matches!(l.errno, Some(23 | 24)) {
            EventKind::SocketFailed
        } else {
            EventKind::TooManyOpenFiles
        }
    } else if (h == b"accept4() failed" || h == b"accept() failed") && matches!(l.errno, Some(23 | 24)) {
        // The worker cannot take the client's connection at all: no status reaches the
        // client (its connection waits in the backlog or is reset), and no upstream is named.
        status_override = Some(ClientStatus::Unknown);
        EventKind::TooManyOpenFiles
    } else if let Some(addr) = h.strip_prefix(b"bind(").and_then(|r| r.strip_suffix(b") failed")) {
        if !in_upstream {
            return None;
        }
        c.peer = Some(addr);
        EventKind::BindFailed
    } else if h == b"upstream server temporarily disabled" {
        EventKind::ServerTemporarilyDisabled
    } else if scan::contains(h, b"client prematurely closed connection") {
        if !(scan::contains(h, b"so upstream connection is closed too") || in_upstream) {
            return None;
        }
        EventKind::ClientClosed
    } else if h == b"no upstream configuration" {
        EventKind::NoUpstreamConfiguration
    } else if h.starts_with(b"invalid local address ") {
        c.name = quoted_after(h, b"address ");
        EventKind::InvalidLocalAddress
    } else if h == b"connection upgrade in subrequest" {
        EventKind::UpgradeInSubrequest
    } else if h.starts_with(b"fastcgi request record is too big") || h.starts_with(b"uwsgi request is too") {
        EventKind::RequestTooBig
    } else if h == b"invalid header after joining FastCGI records" {
        status_override = Some(ClientStatus::S500);
        EventKind::FastcgiBadRecord
    } else if h.starts_with(b"client timed out")
        || h.starts_with(b"an upstream response is buffered to a temporary file")
        || h.starts_with(b"a client request body is buffered")
        || phase == Some(Phase::Client)
    {
        return None;
    } else if in_upstream || has_upstream_field {
        EventKind::Unclassified
    } else {
        return None;
    };
    c.status = status_override.unwrap_or_else(|| status_of(&kind, l, c.detail));
    c.kind = kind;
    Some(c)
}

fn connect_kind(errno: Option<u16>) -> EventKind {
    if errno == Some(111) { EventKind::ConnectRefused } else { EventKind::ConnectFailed }
}

/// `upstream sent ...` messages (proxy, fastcgi, uwsgi, scgi, grpc modules).
fn upstream_sent<'a>(rest: &'a [u8], c: &mut Classified<'a>) -> EventKind {
    if rest == b"too big header" {
        EventKind::TooBigHeader
    } else if let Some(what) = rest.strip_prefix(b"invalid header") {
        // 1.23+: `invalid header: "Bad\x20..."`; 1.22: no text.
        c.detail = what.strip_prefix(b": ").map(scan::unquote);
        EventKind::InvalidHeader
    } else if rest.starts_with(b"invalid status") {
        c.detail = quoted_after(rest, b"status ");
        EventKind::InvalidStatus
    } else if rest.starts_with(b"invalid \"Content-Length\" header") {
        c.detail = quoted_after(rest, b"header: ");
        EventKind::InvalidContentLength
    } else if rest.starts_with(b"unknown \"Transfer-Encoding\"") {
        c.detail = quoted_after(rest, b"\": ");
        EventKind::UnknownTransferEncoding
    } else if rest.starts_with(b"duplicate header line") {
        c.detail = Some(rest);
        EventKind::DuplicateHeader
    } else if rest.starts_with(b"no valid HTTP/1.0 header") {
        EventKind::NoValidHttpHeader
    } else if rest.starts_with(b"\"Content-Length\" and \"Transfer-Encoding\" headers") {
        EventKind::ContentLengthAndTransferEncoding
    } else if rest.starts_with(b"HTTP/1.0 response with early hints") {
        EventKind::EarlyHintsHttp10
    } else if rest.starts_with(b"too big early hints") {
        EventKind::TooBigEarlyHints
    } else if rest.starts_with(b"invalid chunked response") {
        EventKind::InvalidChunked
    } else if rest.starts_with(b"invalid trailer") || rest.starts_with(b"too big trailers") {
        EventKind::InvalidTrailer
    } else if rest.starts_with(b"more data than specified") || rest.starts_with(b"data after final chunk") {
        EventKind::ExtraData
    } else if let Some(v) = rest.strip_prefix(b"unsupported FastCGI protocol version: ") {
        EventKind::FastcgiProtocolVersion(scan::parse_u32(scan::leading_digits(v).0).unwrap_or(0))
    } else if rest.starts_with(b"invalid FastCGI record type")
        || rest.starts_with(b"unexpected FastCGI")
        || rest.starts_with(b"invalid FastCGI")
    {
        c.detail = Some(rest);
        EventKind::FastcgiBadRecord
    } else if let Some(v) = rest.strip_prefix(b"too large http2 frame: ") {
        EventKind::Http2FrameTooLarge(scan::parse_u64(scan::leading_digits(v).0).unwrap_or(0))
    } else if scan::contains(rest, b"http2") || rest.starts_with(b"goaway") || rest.starts_with(b"no :status")
    {
        c.detail = Some(rest);
        EventKind::Http2Error
    } else {
        c.detail = Some(rest);
        EventKind::Unclassified
    }
}

/// The status the client got because of this line (nginx_upstream_messages.tsv).
fn status_of(kind: &EventKind, l: &Line<'_>, detail: Option<&[u8]>) -> ClientStatus {
    use ClientStatus as S;
    let after_header = l.phase.is_some_and(Phase::after_header);
    let body_or_502 = if after_header { S::Truncated } else { S::S502 };
    match kind {
        EventKind::ConnectRefused | EventKind::ConnectFailed => S::S502,
        EventKind::UpstreamTimedOut => match l.phase {
            Some(Phase::ReadingUpstream | Phase::SendingToClient) => S::Truncated,
            Some(Phase::ProxyingUpgraded) => S::NotAnError,
            _ => S::S504,
        },
        EventKind::NoLiveUpstreams => S::S502,
        EventKind::PrematurelyClosed
        | EventKind::PrematurelyClosedFastcgi
        | EventKind::PrematurelyClosedStream
        | EventKind::PrematurelySentResponse
        | EventKind::ConnectionReset
        | EventKind::IoFailed
        | EventKind::SslIoFailed => body_or_502,
        EventKind::TooBigHeader
        | EventKind::InvalidHeader
        | EventKind::InvalidStatus
        | EventKind::InvalidContentLength
        | EventKind::UnknownTransferEncoding
        | EventKind::ContentLengthAndTransferEncoding
        | EventKind::EarlyHintsHttp10
        | EventKind::FastcgiProtocolVersion(_)
        | EventKind::FastcgiBadRecord
        | EventKind::Http2FrameTooLarge(_)
        | EventKind::Http2Error
        | EventKind::SslHandshakeFailed
        | EventKind::SslVerifyFailed
        | EventKind::SslNameMismatch
        | EventKind::PeerClosedInSslHandshake => body_or_502,
        EventKind::DuplicateHeader => {
            if l.level == Level::Warn || detail.is_some_and(|d| d.ends_with(b", ignored")) {
                S::NotAnError
            } else {
                S::S502
            }
        }
        EventKind::NoValidHttpHeader => S::Http09,
        EventKind::InvalidChunked | EventKind::InvalidTrailer => S::Truncated,
        EventKind::TooBigEarlyHints
        | EventKind::ExtraData
        | EventKind::ServerTemporarilyDisabled
        | EventKind::WorkerConnectionsReusing
        | EventKind::ResolverError
        | EventKind::InvalidLocalAddress => S::NotAnError,
        EventKind::FastcgiStderr { primary_script_unknown } => {
            let text = detail.unwrap_or_default();
            if *primary_script_unknown {
                S::S404
            } else if scan::contains(text, b"Access to the script") {
                S::S403
            } else if scan::contains(text, b"PHP Fatal error") || scan::contains(text, b"PHP Parse error") {
                // php-fpm answers 500 after a fatal error.
                S::S500
            } else if text.starts_with(b"Unable to open primary script") {
                if scan::contains(text, b"Permission denied") { S::S403 } else { S::S404 }
            } else {
                S::FromBackend
            }
        }
        EventKind::CouldNotBeResolved | EventKind::NoResolverDefined => S::S502,
        EventKind::HostNotFoundInUpstream
        | EventKind::InvalidUpstreamUrl
        | EventKind::NoPortInUpstream
        | EventKind::InvalidUrlPrefix
            if l.level == Level::Emerg =>
        {
            S::NginxNotStarted
        }
        EventKind::HostNotFoundInUpstream => S::NginxNotStarted,
        EventKind::InvalidUpstreamUrl
        | EventKind::NoPortInUpstream
        | EventKind::InvalidUrlPrefix
        | EventKind::NoUpstreamConfiguration
        | EventKind::RequestTooBig
        | EventKind::WorkerConnectionsNotEnough
        | EventKind::TooManyOpenFiles
        | EventKind::SocketFailed
        | EventKind::BindFailed => S::S500,
        EventKind::ClientClosed => S::S499,
        EventKind::UpgradeInSubrequest | EventKind::Unclassified => S::Unknown,
    }
}

/// `(scheme, target)` of an `upstream:` value: the grouping key ignores the URI.
pub(crate) fn upstream_key(raw: &[u8]) -> (&[u8], &[u8]) {
    match super::split_upstream(raw) {
        Some((scheme, target, _)) => (scheme, target),
        None => (raw, b""),
    }
}
