//! Backend logs pasted beside nginx's: php-fpm, gunicorn, uWSGI, node and systemd
//! (wordings from backend_messages.tsv).

use super::scan::{self, has_shape};
use super::{BackendKind, LogFormat};

/// A line some backend wrote; `event` is set when the line matters for a 502.
pub(crate) struct Parsed<'a> {
    pub(crate) source: LogFormat,
    pub(crate) time: Option<&'a [u8]>,
    pub(crate) event: Option<Found<'a>>,
}

pub(crate) struct Found<'a> {
    pub(crate) kind: BackendKind,
    pub(crate) pid: Option<u32>,
    pub(crate) detail: Option<&'a [u8]>,
    /// Part of the grouping key beyond the kind (the systemd unit).
    pub(crate) group_detail: Option<&'a [u8]>,
    /// The message part of the line.
    pub(crate) message: &'a [u8],
}

impl<'a> Found<'a> {
    fn new(kind: BackendKind, message: &'a [u8]) -> Self {
        Found { kind, pid: None, detail: None, group_detail: None, message }
    }
    fn pid(mut self, pid: Option<u32>) -> Self {
        self.pid = pid;
        self
    }
    fn detail(mut self, detail: Option<&'a [u8]>) -> Self {
        self.detail = detail;
        self
    }
}

/// `tag` is the syslog identifier when the line came through journald.
pub(crate) fn parse<'a>(p: &'a [u8], tag: Option<&[u8]>) -> Option<Parsed<'a>> {
    let tag = tag.unwrap_or_default();
    gunicorn(p)
        .or_else(|| php_fpm(p, tag.starts_with(b"php-fpm") || tag.starts_with(b"php")))
        .or_else(|| uwsgi(p))
        .or_else(|| node(p))
        .or_else(|| systemd(p, tag == b"systemd"))
}

fn number_after(s: &[u8], key: &[u8]) -> Option<u32> {
    let (_, rest) = scan::split_once(s, key)?;
    scan::parse_u32(scan::leading_digits(rest.trim_ascii_start()).0)
}

// ---------------------------------------------------------------- gunicorn

/// `[2026-11-21 11:09:41 +0000] [23724] [INFO] message` (glogging.py).
fn gunicorn(p: &[u8]) -> Option<Parsed<'_>> {
    if !has_shape(p, b"[DDDD-DD-DD DD:DD:DD") {
        return None;
    }
    let close = memchr::memchr(b']', p)?;
    let time = p.get(1..close)?;
    let rest = p.get(close + 1..)?.trim_ascii_start();
    let rest = rest.strip_prefix(b"[")?;
    let (_pid, rest) = scan::split_once(rest, b"] [")?;
    let (_level, msg) = scan::split_once(rest, b"] ")?;
    Some(Parsed { source: LogFormat::Gunicorn, time: Some(time), event: gunicorn_message(msg) })
}

fn gunicorn_message(msg: &[u8]) -> Option<Found<'_>> {
    if let Some(rest) = msg.strip_prefix(b"Listening at: ") {
        let addr = rest.split(|&b| b == b' ').next().unwrap_or(rest);
        return Some(Found::new(BackendKind::GunicornListening { addr: scan::text(addr) }, msg));
    }
    if msg.starts_with(b"WORKER TIMEOUT") {
        return Some(Found::new(BackendKind::GunicornWorkerTimeout, msg).pid(number_after(msg, b"pid:")));
    }
    if let Some(rest) = msg.strip_prefix(b"Worker (pid:") {
        let pid = scan::parse_u32(scan::leading_digits(rest).0);
        if let Some((_, sig)) = scan::split_once(rest, b"was sent ") {
            let name = sig.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let signal = sig.get(..name).unwrap_or_default();
            if matches!(signal, b"SIGTERM" | b"SIGQUIT" | b"SIGINT" | b"SIGHUP") {
                return None;
            }
            let signal = scan::text(signal);
            return Some(Found::new(BackendKind::GunicornWorkerKilled { signal }, msg).pid(pid));
        }
        if let Some((_, code)) = scan::split_once(rest, b"exited with code ") {
            let (digits, _) = scan::leading_digits(code);
            let code = scan::parse_u32(digits).and_then(|c| i32::try_from(c).ok()).unwrap_or(-1);
            return Some(Found::new(BackendKind::GunicornWorkerExited { code }, msg).pid(pid));
        }
        return None;
    }
    // gunicorn 20.x: `Worker with pid 30005 was terminated due to signal 9`.
    if let Some(rest) = msg.strip_prefix(b"Worker with pid ") {
        let pid = scan::parse_u32(scan::leading_digits(rest).0);
        let (_, sig) = scan::split_once(rest, b"due to signal ")?;
        let number = scan::parse_u32(scan::leading_digits(sig).0).unwrap_or(0);
        // SIGTERM/SIGQUIT/SIGINT/SIGHUP are the arbiter's graceful stops and reloads.
        if matches!(number, 1 | 2 | 3 | 15) {
            return None;
        }
        let signal = signal_name(number);
        return Some(Found::new(BackendKind::GunicornWorkerKilled { signal }, msg).pid(pid));
    }
    // `Can't connect to` is the last word after five `Connection in use`: same group.
    if let Some(rest) =
        msg.strip_prefix(b"Connection in use: ").or_else(|| msg.strip_prefix(b"Can't connect to "))
    {
        return Some(Found::new(BackendKind::GunicornConnectionInUse { addr: python_addr(rest) }, msg));
    }
    if msg.starts_with(b"Worker failed to boot")
        || msg.starts_with(b"App failed to load")
        || msg.starts_with(b"Reason: ")
        || msg.starts_with(b"Exception in worker process")
    {
        return Some(Found::new(BackendKind::GunicornBootFailed, msg).detail(Some(msg)));
    }
    if msg.starts_with(b"Error handling request") {
        return Some(Found::new(BackendKind::GunicornErrorHandlingRequest, msg).detail(Some(msg)));
    }
    None
}

/// Linux signal numbers as gunicorn 21+ names them.
fn signal_name(n: u32) -> String {
    match n {
        1 => "SIGHUP".into(),
        2 => "SIGINT".into(),
        3 => "SIGQUIT".into(),
        6 => "SIGABRT".into(),
        9 => "SIGKILL".into(),
        11 => "SIGSEGV".into(),
        15 => "SIGTERM".into(),
        n => format!("signal {n}"),
    }
}

/// `('127.0.0.1', 18008)` -> `127.0.0.1:18008`; `('::1', 80, 0, 0)` -> `[::1]:80`;
/// anything else as written.
fn python_addr(s: &[u8]) -> String {
    let inner = s.trim_ascii().strip_prefix(b"(").and_then(|r| r.strip_suffix(b")"));
    if let Some(inner) = inner {
        let mut parts = inner.split(|&b| b == b',').map(|p| p.trim_ascii());
        if let (Some(host), Some(port)) = (parts.next(), parts.next()) {
            let host = host.strip_prefix(b"'").and_then(|h| h.strip_suffix(b"'")).unwrap_or(host);
            let host = scan::text(host);
            let port = scan::text(port);
            return if host.contains(':') { format!("[{host}]:{port}") } else { format!("{host}:{port}") };
        }
    }
    scan::text(s)
}

// ---------------------------------------------------------------- php-fpm

const FPM_LEVELS: [&[u8]; 5] = [b"DEBUG", b"NOTICE", b"WARNING", b"ERROR", b"ALERT"];

/// `[21-Nov-2026 11:05:52] WARNING: msg` (zlog.c), child lines without the time,
/// and `[WARNING] msg` through syslog.
fn php_fpm(p: &[u8], tagged: bool) -> Option<Parsed<'_>> {
    let (time, rest) = if has_shape(p, b"[DD-AAA-DDDD DD:DD:DD") {
        let close = memchr::memchr(b']', p)?;
        (Some(p.get(1..close)?), p.get(close + 1..)?.trim_ascii_start())
    } else {
        (None, p)
    };
    let (level, msg) = fpm_level(rest)?;
    let event = fpm_message(msg, level);
    // Without a timestamp, "ERROR: x" could be anyone's: only known wordings count.
    if time.is_none() && !tagged && event.is_none() && !msg.starts_with(b"[pool ") && !fpm_known(msg) {
        return None;
    }
    Some(Parsed { source: LogFormat::PhpFpm, time, event })
}

fn fpm_level(s: &[u8]) -> Option<(&[u8], &[u8])> {
    for level in FPM_LEVELS {
        if let Some(msg) = s.strip_prefix(level).and_then(|rest| rest.strip_prefix(b": ")) {
            return Some((level, msg));
        }
        if let Some(msg) =
            s.strip_prefix(b"[").and_then(|r| r.strip_prefix(level)).and_then(|r| r.strip_prefix(b"] "))
        {
            return Some((level, msg));
        }
    }
    None
}

fn fpm_known(msg: &[u8]) -> bool {
    msg.starts_with(b"fpm is running")
        || msg.starts_with(b"ready to handle connections")
        || msg.starts_with(b"Terminating")
        || msg.starts_with(b"exiting, bye-bye")
        || msg.starts_with(b"Reloading in progress")
        || msg.starts_with(b"using inherited socket")
        || msg.starts_with(b"FPM initialization failed")
        || msg.starts_with(b"systemd monitor")
        || msg.starts_with(b"failed to")
        || msg.starts_with(b"unable to")
}

fn fpm_message<'a>(msg: &'a [u8], level: &[u8]) -> Option<Found<'a>> {
    let (pool, body) = match msg.strip_prefix(b"[pool ").and_then(|r| scan::split_once(r, b"] ")) {
        Some((pool, body)) => (Some(pool), body),
        None => (None, msg),
    };
    let pool_name = || scan::text(pool.unwrap_or_default());
    if scan::contains(body, b"server reached pm.max_children setting")
        || scan::contains(body, b"server reached max_children setting")
    {
        let n = number_after(body, b"setting (").unwrap_or(0);
        return Some(Found::new(BackendKind::PhpFpmMaxChildren { pool: pool_name(), n }, msg));
    }
    if body.starts_with(b"unable to bind listening socket for address ")
        || body.starts_with(b"failed to listen to address ")
    {
        let addr = scan::between(body, b"'", b"'").unwrap_or_default();
        let errno = scan::rsplit_once(body, b" (")
            .and_then(|(_, tail)| scan::parse_u16(scan::leading_digits(tail).0));
        return Some(Found::new(BackendKind::PhpFpmBindFailed { addr: scan::text(addr), errno }, msg));
    }
    if let Some(addr) = body.strip_prefix(b"An another FPM instance seems to already listen on ") {
        return Some(Found::new(BackendKind::PhpFpmAnotherInstance { addr: scan::text(addr) }, msg));
    }
    if let Some(child) = body.strip_prefix(b"child ") {
        let pid = scan::parse_u32(scan::leading_digits(child).0);
        if scan::contains(body, b"execution timed out") {
            let script = scan::between(body, b"script '", b"'");
            return Some(Found::new(BackendKind::PhpFpmExecutionTimedOut, msg).pid(pid).detail(script));
        }
        if let Some((_, how)) = scan::split_once(body, b" exited ") {
            if let Some(sig) = how.strip_prefix(b"on signal ") {
                let signal = scan::parse_u32(scan::leading_digits(sig).0);
                // SIGQUIT/SIGTERM at [NOTICE] is a graceful stop, not a crash.
                if level == b"NOTICE" || level == b"DEBUG" {
                    return None;
                }
                let detail = scan::between(how, b"(", b")");
                return Some(
                    Found::new(BackendKind::PhpFpmChildExited { signal }, msg).pid(pid).detail(detail),
                );
            }
            if let Some(code) = how.strip_prefix(b"with code ") {
                if scan::leading_digits(code).0 == b"0" {
                    return None;
                }
                return Some(Found::new(BackendKind::PhpFpmChildExited { signal: None }, msg).pid(pid));
            }
        }
        if scan::contains(body, b"Connection disallowed") {
            return Some(Found::new(BackendKind::PhpFpmConnectionDisallowed, msg).pid(pid));
        }
        return None;
    }
    if body.starts_with(b"Connection disallowed") {
        return Some(Found::new(BackendKind::PhpFpmConnectionDisallowed, msg));
    }
    if body.starts_with(b"The maximum number of processes has been reached") {
        return Some(Found::new(BackendKind::PhpFpmProcessMax, msg));
    }
    if body.starts_with(b"seems busy") {
        return Some(Found::new(BackendKind::PhpFpmSeemsBusy, msg));
    }
    if body.starts_with(b"failed processes threshold") {
        return Some(Found::new(BackendKind::PhpFpmRestartThreshold, msg));
    }
    None
}

// ---------------------------------------------------------------- uWSGI

/// `Sat Nov 21 11:11:25 2026 - msg` (uwsgi_log_verbose) or a bare uwsgi_log() line.
fn uwsgi(p: &[u8]) -> Option<Parsed<'_>> {
    let (time, msg) =
        if has_shape(p, b"AAA AAA __ DD:DD:DD DDDD - ") { (p.get(..24), p.get(27..)?) } else { (None, p) };
    let event = uwsgi_message(msg);
    if event.is_none() && time.is_none() && !uwsgi_known(msg) {
        return None;
    }
    Some(Parsed { source: LogFormat::Uwsgi, time, event })
}

fn uwsgi_known(msg: &[u8]) -> bool {
    msg.starts_with(b"*** Starting uWSGI")
        || msg.starts_with(b"*** Operational MODE")
        || msg.starts_with(b"*** uWSGI is running")
        || msg.starts_with(b"spawned uWSGI")
        || msg.starts_with(b"HARAKIRI triggered")
        || msg.starts_with(b"HARAKIRI [core")
        || msg.starts_with(b"bind(): Address already in use")
        || msg.starts_with(b"SIGPIPE: writing to a closed pipe")
        || msg.starts_with(b"uwsgi_response_write_body_do()")
        || msg.starts_with(b"Respawned uWSGI worker")
        || msg.starts_with(b"WSGI app 0 (mountpoint=")
        || msg.starts_with(b"[uWSGI] getting INI configuration")
        || msg.starts_with(b"Listen queue size is greater than")
}

fn uwsgi_message(msg: &[u8]) -> Option<Found<'_>> {
    if msg.starts_with(b"*** uWSGI listen queue of socket ") {
        let socket = scan::between(msg, b"socket \"", b"\"").unwrap_or_default();
        return Some(Found::new(BackendKind::UwsgiListenQueueFull { socket: scan::text(socket) }, msg));
    }
    if msg.starts_with(b"*** HARAKIRI ON WORKER ") {
        return Some(Found::new(BackendKind::UwsgiHarakiri, msg).pid(number_after(msg, b"(pid:")));
    }
    if msg.starts_with(b"DAMN ! worker ") {
        // `died, killed by signal 9`, `MISTERIOUSLY killed by signal 9` (2.0.30),
        // `MYSTERIOUSLY ...` (later), `died :(`.
        let how = scan::between(msg, b") ", b" :(").map(|h| h.strip_prefix(b"died, ").unwrap_or(h));
        return Some(
            Found::new(BackendKind::UwsgiWorkerDied, msg).pid(number_after(msg, b"(pid:")).detail(how),
        );
    }
    if let Some(rest) = msg.strip_prefix(b"invalid request block size: ") {
        let size = scan::leading_digits(rest).0;
        return Some(Found::new(BackendKind::UwsgiInvalidBlockSize, msg).detail(Some(size)));
    }
    if msg.starts_with(b"probably another instance of uWSGI is running on the same address") {
        let addr = scan::between(msg, b"address (", b")").unwrap_or_default();
        return Some(Found::new(BackendKind::UwsgiAddressInUse { addr: scan::text(addr) }, msg));
    }
    if msg.starts_with(b"uwsgi socket ") || msg.starts_with(b"uWSGI http bound on ") {
        let addr = scan::split_once(msg, b" address ")
            .or_else(|| scan::split_once(msg, b" bound on "))
            .map(|(_, rest)| rest.split(|&b| b == b' ').next().unwrap_or(rest));
        if let Some(addr) = addr {
            return Some(Found::new(BackendKind::UwsgiBound { addr: scan::text(addr) }, msg));
        }
    }
    if msg.starts_with(b"your server socket listen backlog is limited to ") {
        let n = number_after(msg, b"limited to ").unwrap_or(0);
        return Some(Found::new(BackendKind::UwsgiListenBacklog { n }, msg));
    }
    None
}

// ---------------------------------------------------------------- Python tracebacks

pub(crate) fn is_traceback_start(p: &[u8]) -> bool {
    p == b"Traceback (most recent call last):"
}

/// `ModuleNotFoundError: No module named 'x'`, `socket.timeout: timed out`: the line
/// that ends a traceback.
pub(crate) fn is_exception_line(p: &[u8]) -> bool {
    let name_len = p.iter().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.')).count();
    let Some((name, rest)) = p.split_at_checked(name_len) else { return false };
    (name.ends_with(b"Error")
        || name.ends_with(b"Exception")
        || name.ends_with(b"Exit")
        || name.ends_with(b"timeout"))
        && (rest.is_empty() || rest.starts_with(b":"))
}

// ---------------------------------------------------------------- node

fn node(p: &[u8]) -> Option<Parsed<'_>> {
    let event = if let Some(addr) = p.strip_prefix(b"Error: listen EADDRINUSE: address already in use ") {
        Some(Found::new(BackendKind::NodeEaddrinuse { addr: scan::text(addr.trim_ascii()) }, p))
    } else {
        p.strip_prefix(b"Error: connect ECONNREFUSED ").map(|addr| {
            Found::new(BackendKind::NodeConnectRefused { addr: scan::text(addr.trim_ascii()) }, p)
        })
    };
    let known = event.is_some()
        || (p.starts_with(b"at ") && (scan::contains(p, b"(node:") || scan::contains(p, b"node:")))
        || p.starts_with(b"node:")
        || p.starts_with(b"Node.js v")
        || p.starts_with(b"throw er; // Unhandled 'error' event")
        || p.starts_with(b"Emitted 'error' event")
        || p.starts_with(b"code: 'E")
        || p.starts_with(b"errno: -")
        || p.starts_with(b"syscall: '");
    known.then_some(Parsed { source: LogFormat::Node, time: None, event })
}

// ---------------------------------------------------------------- systemd

/// systemd's journal lines about a unit and the fields of `systemctl status`.
fn systemd(p: &[u8], tagged: bool) -> Option<Parsed<'_>> {
    let parsed = |event| Some(Parsed { source: LogFormat::Systemd, time: None, event });
    if let Some(state) = p.strip_prefix(b"Active: ") {
        let event = state
            .starts_with(b"failed")
            .then(|| Found::new(BackendKind::SystemdFailed, p).detail(Some(state)));
        return parsed(event);
    }
    if let Some(rest) = p.strip_prefix(b"Main PID: ") {
        let event = scan::contains(rest, b"code=").then(|| {
            Found::new(BackendKind::SystemdMainProcessExited, p)
                .pid(scan::parse_u32(scan::leading_digits(rest).0))
                .detail(scan::between(rest, b"(", b")"))
        });
        return parsed(event);
    }
    const STATUS_FIELDS: [&[u8]; 12] = [
        b"Loaded: ",
        b"Process: ",
        b"Tasks: ",
        b"Memory: ",
        b"CPU: ",
        b"CGroup: ",
        b"Docs: ",
        b"Invocation: ",
        b"TriggeredBy: ",
        b"Drop-In: ",
        b"Status: ",
        b"Mem peak: ",
    ];
    if STATUS_FIELDS.iter().any(|f| p.starts_with(f))
        || p.starts_with("├─".as_bytes())
        || p.starts_with("└─".as_bytes())
        || p.starts_with("│ ".as_bytes())
        || (p.starts_with("● ".as_bytes())
            || p.starts_with("× ".as_bytes())
            || p.starts_with("○ ".as_bytes()))
            && (scan::contains(p, b".service") || scan::contains(p, b".socket"))
    {
        return parsed(None);
    }
    // `nginx.service: Main process exited, code=exited, status=1/FAILURE`
    let unit_msg = scan::split_once(p, b": ").filter(|(unit, _)| {
        [&b".service"[..], b".socket", b".scope"].iter().any(|s| unit.ends_with(s)) && !unit.contains(&b' ')
    });
    if let Some((unit, msg)) = unit_msg {
        let event = if msg.starts_with(b"Main process exited") {
            Some(Found::new(BackendKind::SystemdMainProcessExited, p).detail(Some(msg)))
        } else if msg.starts_with(b"Failed with result")
            || msg.starts_with(b"Start request repeated too quickly")
        {
            Some(Found::new(BackendKind::SystemdFailed, p).detail(Some(msg)))
        } else {
            None
        };
        return Some(Parsed {
            source: LogFormat::Systemd,
            time: None,
            event: event.map(|mut f| {
                f.group_detail = Some(unit);
                f
            }),
        });
    }
    if let Some(what) = p.strip_prefix(b"Failed to start ") {
        let mut f = Found::new(BackendKind::SystemdFailed, p).detail(Some(what));
        f.group_detail = Some(what.split(|&b| b == b' ').next().unwrap_or(what));
        return parsed(Some(f));
    }
    if tagged {
        return parsed(None);
    }
    None
}
