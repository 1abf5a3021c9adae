//! Reading a pasted log line by line: each line classified (nginx, `nginx -t`, backend,
//! access log), repeats grouped by a key borrowed from the text, into a [`LogReport`].

use super::scan::{self, Origin};
use super::{
    AccessGroup, BackendEvent, BackendGroup, BackendKind, ClientStatus, ConfigTestError, ConfigTestOutcome,
    Event, EventGroup, EventKind, Level, LogFormat, LogReport, MAX_SAMPLES, MAX_TRACEBACK_LINES,
    MAX_UNRECOGNIZED, Phase, TextRange, Texts, UpstreamField,
};
use super::{backend, config_test, nginx, prefix, wrapped};

/// Reads a pasted log. Never panics; linear in the input; lines that are not
/// interesting cost no allocation.
pub fn parse(original: &[u8]) -> LogReport {
    let unpasted = crate::paste::unpaste(original, wrapped::join);
    let text = unpasted.text();
    let mut b = Builder::new(text, (!unpasted.is_unchanged()).then_some(&unpasted));
    let mut start = 0usize;
    let len = text.len();
    while start < len {
        let end = memchr::memchr(b'\n', text.get(start..).unwrap_or_default()).map_or(len, |i| start + i);
        let line = text.get(start..end).unwrap_or_default();
        b.line(line);
        start = end + 1;
    }
    let mut report = b.finish();
    if !unpasted.is_unchanged() {
        // Joined lines are still the user's lines.
        report.lines = memchr::memchr_iter(b'\n', original).count()
            + usize::from(original.last().is_some_and(|b| *b != b'\n'));
    }
    report
}

/// The grouping key of an event, borrowed from the text: no allocation for repeats.
#[derive(PartialEq, Eq, Hash)]
struct EventKey<'a> {
    kind: EventKind,
    errno: Option<u16>,
    phase: Option<Phase>,
    upstream: Option<(&'a [u8], &'a [u8])>,
    peer: Option<&'a [u8]>,
    name: Option<&'a [u8]>,
}

#[derive(PartialEq, Eq, Hash)]
struct BackendKey<'a> {
    kind: BackendKind,
    source: LogFormat,
    detail: Option<&'a [u8]>,
}

struct Builder<'a> {
    origin: Origin<'a>,
    report: LogReport,
    format_index: crate::hash::FastMap<LogFormat, usize>,
    event_index: crate::hash::FastMap<EventKey<'a>, usize>,
    backend_index: crate::hash::FastMap<BackendKey<'a>, usize>,
    /// The latest time of each group, as borrowed text until finish().
    event_last: Vec<Option<&'a [u8]>>,
    backend_last: Vec<Option<&'a [u8]>>,
    access_last: Vec<&'a [u8]>,
    /// Lines a traceback may still take (0: not in one).
    traceback_left: usize,
    /// Each worker's last failed upstream attempt, and per group how many of its lines nginx
    /// passed on to another server (see `note_retry`).
    last_failure: crate::hash::FastMap<Option<u32>, LastFailure<'a>>,
    passed_on: Vec<usize>,
}

/// A worker's latest line that would fail its request (502/504/500).
struct LastFailure<'a> {
    conn: u64,
    group: usize,
    upstream: Option<(&'a [u8], &'a [u8])>,
    /// 1 for the connection's first failure in a row of this worker's failures.
    nth: u32,
    /// Its `temporarily disabled` warning was seen.
    passed_on: bool,
}

impl<'a> Builder<'a> {
    fn new(text: &'a [u8], unpasted: Option<&'a crate::paste::Unpasted<'a>>) -> Self {
        Builder {
            origin: Origin { text, unpasted },
            report: LogReport::default(),
            format_index: crate::hash::FastMap::default(),
            event_index: crate::hash::FastMap::default(),
            backend_index: crate::hash::FastMap::default(),
            event_last: Vec::new(),
            backend_last: Vec::new(),
            access_last: Vec::new(),
            traceback_left: 0,
            last_failure: crate::hash::FastMap::default(),
            passed_on: Vec::new(),
        }
    }

    fn seen(&mut self, format: LogFormat) {
        let formats = &mut self.report.formats;
        let i = *self.format_index.entry(format).or_insert_with(|| {
            formats.push((format, 0));
            formats.len() - 1
        });
        if let Some((_, n)) = formats.get_mut(i) {
            *n += 1;
        }
    }

    fn line(&mut self, raw: &'a [u8]) {
        self.report.lines += 1;
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            return;
        }
        let stripped = prefix::strip(trimmed);
        for p in stripped.formats.iter() {
            self.seen(p);
        }
        let payload = stripped.payload;
        let ctx = LineCtx { line, prefix_time: stripped.time, tag: stripped.tag };

        // Inside a traceback every line belongs to it until the exception line, unless a
        // timestamped log line interrupts it.
        if self.traceback_left > 0 {
            let log_line = payload.first().is_some_and(|b| *b == b'[' || b.is_ascii_digit());
            if !log_line {
                self.seen(LogFormat::PythonTraceback);
                self.traceback_left =
                    if backend::is_exception_line(payload) { 0 } else { self.traceback_left - 1 };
                return;
            }
            self.traceback_left = 0;
        }
        if backend::is_traceback_start(payload) {
            self.seen(LogFormat::PythonTraceback);
            self.traceback_left = MAX_TRACEBACK_LINES;
            return;
        }

        if payload.is_empty() {
            if stripped.formats.is_empty() {
                self.unrecognized(line);
            }
            return;
        }
        // `nginx: [error] 1#1: ...` is nginx's syslog output with its tag left on.
        let nginx_payload = match payload.strip_prefix(b"nginx: ") {
            Some(rest) if rest.starts_with(b"[") && nginx::parse_line(rest).is_some() => rest,
            _ => payload,
        };
        if let Some(parsed) = nginx::parse_line(nginx_payload) {
            self.seen(LogFormat::NginxError);
            self.nginx_line(&ctx, &parsed);
            return;
        }
        if let Some(msg) = config_test::parse(payload) {
            self.seen(LogFormat::NginxTestStderr);
            self.config_test_line(&ctx, msg);
            return;
        }
        if let Some(found) = backend::parse(payload, ctx.tag) {
            self.seen(found.source);
            if let Some(ev) = found.event {
                self.backend_event(&ctx, found.source, found.time.or(ctx.prefix_time), ev);
            }
            return;
        }
        if let Some((time, status)) = access_line(payload) {
            self.seen(LogFormat::AccessLog);
            self.access(ctx.line, time, status);
            return;
        }
        if let Some(parsed) = nginx::parse_loose(nginx_payload) {
            // Only a message nginx prints about an upstream is taken from a line that lost its
            // head; anything else stays not understood.
            if nginx::classify(&parsed).is_some_and(|c| c.kind != EventKind::Unclassified) {
                self.seen(LogFormat::NginxMessage);
                self.nginx_line(&ctx, &parsed);
                return;
            }
        }
        if prefix::is_shell_command(payload) {
            self.seen(LogFormat::ShellCommand);
            return;
        }
        if prefix::is_marker(payload) {
            self.seen(LogFormat::Journald);
            return;
        }
        if prefix::is_file_header(payload) {
            self.seen(LogFormat::GrepPrefix);
            return;
        }
        // A known prefix around text of no interest (`systemd[1]: Starting ...`,
        // docker-entrypoint chatter) is understood as such, not flagged.
        if stripped.formats.is_empty() {
            self.unrecognized(line);
        }
    }

    fn unrecognized(&mut self, line: &[u8]) {
        self.report.unrecognized_count += 1;
        if self.report.unrecognized.len() < MAX_UNRECOGNIZED {
            self.report.unrecognized.push(self.origin.range(line));
        }
    }

    fn nginx_line(&mut self, ctx: &LineCtx<'a>, parsed: &nginx::Line<'a>) {
        if parsed.level == Level::Emerg {
            let (message, file, line) = config_test::split_location(parsed.message);
            self.report.config_errors.push(ConfigTestError {
                level: parsed.level,
                message: scan::text(message),
                file: file.map(scan::text),
                line,
                range: self.origin.range(ctx.line),
                message_range: self.origin.range(parsed.message),
            });
        }
        match nginx::classify(parsed) {
            Some(c) => self.event(ctx, parsed, c),
            None => self.report.other += 1,
        }
    }

    fn config_test_line(&mut self, ctx: &LineCtx<'a>, msg: config_test::Message<'a>) {
        match msg {
            config_test::Message::Logged { level, message } => {
                let (text, file, line) = config_test::split_location(message);
                self.report.config_errors.push(ConfigTestError {
                    level,
                    message: scan::text(text),
                    file: file.map(scan::text),
                    line,
                    range: self.origin.range(ctx.line),
                    message_range: self.origin.range(message),
                });
                // Upstream names that fail at load time are evidence too.
                let as_line = nginx::Line::bare(level, message);
                if let Some(c) = nginx::classify(&as_line) {
                    self.event(ctx, &as_line, c);
                }
            }
            config_test::Message::Outcome { ok, file } => {
                let file = scan::text(file);
                let range = self.origin.range(ctx.line);
                self.report.config_test = Some(if ok {
                    ConfigTestOutcome::Successful { file, range }
                } else {
                    ConfigTestOutcome::Failed { file, range }
                });
            }
            config_test::Message::SyntaxOk => {}
        }
    }

    fn event(&mut self, ctx: &LineCtx<'a>, parsed: &nginx::Line<'a>, c: nginx::Classified<'a>) {
        let time_bytes = parsed.time.or(ctx.prefix_time);
        let line_range = self.origin.range(ctx.line);
        let upstream_key = parsed.fields.upstream.map(nginx::upstream_key);
        let key = EventKey {
            kind: c.kind.clone(),
            errno: parsed.errno,
            phase: parsed.phase,
            upstream: upstream_key,
            peer: c.peer,
            name: c.name,
        };
        if let Some(&i) = self.event_index.get(&key) {
            self.note_retry(
                parsed,
                c.kind == EventKind::ServerTemporarilyDisabled,
                c.status,
                upstream_key,
                i,
            );
            if let Some(g) = self.report.groups.get_mut(i) {
                g.count += 1;
                g.all_ranges_count += 1;
                if let Some(t) = time_bytes {
                    if g.first_time.is_none() {
                        g.first_time = Some(scan::text(t));
                    }
                    // Copied once, in finish(): repeats cost no allocation.
                    if let Some(last) = self.event_last.get_mut(i) {
                        *last = Some(t);
                    }
                }
                add_sample(&mut g.samples, line_range);
                if !g.statuses.contains(&c.status) {
                    g.statuses.push(c.status);
                }
            }
            return;
        }
        let o = self.origin;
        let f = &parsed.fields;
        let disabled = c.kind == EventKind::ServerTemporarilyDisabled;
        let event = Event {
            kind: c.kind,
            level: parsed.level,
            pid: parsed.pid,
            tid: parsed.tid,
            conn: parsed.conn,
            errno: parsed.errno,
            phase: parsed.phase,
            upstream: f.upstream.and_then(UpstreamField::parse),
            status: c.status,
            range: line_range,
            message_range: o.range(parsed.message),
            upstream_range: f.upstream.map(|u| o.range(u)),
            texts: Texts::new([
                time_bytes,
                parsed.errno_text,
                c.peer,
                c.name,
                c.detail,
                f.client,
                f.server,
                f.request,
                f.subrequest,
                f.host,
                f.referrer,
            ]),
        };
        let time = event.time().map(str::to_owned);
        self.report.groups.push(EventGroup {
            event,
            count: 1,
            first_time: time.clone(),
            last_time: time,
            samples: vec![line_range],
            all_ranges_count: 1,
            statuses: vec![c.status],
        });
        self.event_last.push(time_bytes);
        self.passed_on.push(0);
        self.event_index.insert(key, self.report.groups.len() - 1);
        self.note_retry(parsed, disabled, c.status, upstream_key, self.report.groups.len() - 1);
    }

    /// `upstream server temporarily disabled` right after a request's first failure: nginx
    /// logs it only for an upstream of several servers, and then passes the request on to
    /// the next one (it still has tries left), so that failure did not decide the client's
    /// status. (A later failure of the same request decides it, and logs its own line.)
    fn note_retry(
        &mut self,
        parsed: &nginx::Line<'a>,
        disabled: bool,
        status: ClientStatus,
        upstream: Option<(&'a [u8], &'a [u8])>,
        group: usize,
    ) {
        // A line pasted without its `*CONN` is taken as its request's only line so far: its
        // warning, when it follows, still says the request was passed on (never the
        // other way round, which would claim a failure the client did not see).
        let headless = parsed.conn.is_none();
        let conn = parsed.conn.unwrap_or(0);
        if disabled {
            if let Some(last) = self.last_failure.get_mut(&parsed.pid)
                && last.conn == conn
                && last.nth == 1
                && !last.passed_on
                && last.upstream == upstream
                && let Some(n) = self.passed_on.get_mut(last.group)
            {
                *n += 1;
                last.passed_on = true;
            }
            return;
        }
        if matches!(status, ClientStatus::S500 | ClientStatus::S502 | ClientStatus::S504) {
            let nth = match self.last_failure.get(&parsed.pid) {
                Some(last) if last.conn == conn && !headless => last.nth + 1,
                // Without `*CONN`: a failure at another server right after one that was
                // passed on is that request's next try.
                Some(last) if headless && last.passed_on && last.upstream != upstream => last.nth + 1,
                _ => 1,
            };
            self.last_failure
                .insert(parsed.pid, LastFailure { conn, group, upstream, nth, passed_on: false });
        }
    }

    fn backend_event(
        &mut self,
        ctx: &LineCtx<'a>,
        source: LogFormat,
        time: Option<&'a [u8]>,
        ev: backend::Found<'a>,
    ) {
        let line_range = self.origin.range(ctx.line);
        let key = BackendKey { kind: ev.kind.clone(), source, detail: ev.group_detail };
        if let Some(&i) = self.backend_index.get(&key) {
            if let Some(g) = self.report.backend.get_mut(i) {
                g.count += 1;
                if let Some(t) = time {
                    if g.first_time.is_none() {
                        g.first_time = Some(scan::text(t));
                    }
                    if let Some(last) = self.backend_last.get_mut(i) {
                        *last = Some(t);
                    }
                }
                add_sample(&mut g.samples, line_range);
            }
            return;
        }
        self.backend_last.push(time);
        let time = time.map(scan::text);
        self.report.backend.push(BackendGroup {
            event: BackendEvent {
                kind: ev.kind,
                source,
                time: time.clone(),
                pid: ev.pid,
                detail: ev.detail.map(scan::text),
                range: line_range,
                detail_range: self.origin.range(ev.message),
            },
            count: 1,
            first_time: time.clone(),
            last_time: time,
            samples: vec![line_range],
        });
        self.backend_index.insert(key, self.report.backend.len() - 1);
    }

    fn access(&mut self, line: &'a [u8], time: &'a [u8], status: u16) {
        let range = self.origin.range(line);
        if let Some(i) = self.report.access.iter().position(|g| g.status == status) {
            if let (Some(g), Some(last)) = (self.report.access.get_mut(i), self.access_last.get_mut(i)) {
                g.count += 1;
                *last = time;
                add_sample(&mut g.samples, range);
            }
            return;
        }
        self.access_last.push(time);
        let time = scan::text(time);
        self.report.access.push(AccessGroup {
            status,
            count: 1,
            first_time: Some(time.clone()),
            last_time: Some(time),
            samples: vec![range],
        });
    }

    fn finish(mut self) -> LogReport {
        for (g, last) in self.report.groups.iter_mut().zip(&self.event_last) {
            g.last_time = last.map(scan::text);
        }
        for (g, &n) in self.report.groups.iter_mut().zip(&self.passed_on) {
            if n == 0 {
                continue;
            }
            let failing =
                |s: &ClientStatus| matches!(s, ClientStatus::S500 | ClientStatus::S502 | ClientStatus::S504);
            if n >= g.count {
                g.statuses.retain(|s| !failing(s));
                g.event.status = ClientStatus::NotAnError;
            }
            if !g.statuses.contains(&ClientStatus::NotAnError) {
                g.statuses.push(ClientStatus::NotAnError);
            }
        }
        for (g, last) in self.report.backend.iter_mut().zip(&self.backend_last) {
            g.last_time = last.map(scan::text);
        }
        for (g, last) in self.report.access.iter_mut().zip(&self.access_last) {
            g.last_time = Some(scan::text(last));
        }
        // The groups grew by doubling; the report lives as long as the diagnosis.
        self.report.groups.shrink_to_fit();
        self.report.backend.shrink_to_fit();
        self.report.access.shrink_to_fit();
        self.report
    }
}

/// Keeps the first `MAX_SAMPLES - 1` ranges and the latest one.
fn add_sample(samples: &mut Vec<TextRange>, range: TextRange) {
    if samples.len() < MAX_SAMPLES {
        samples.push(range);
    } else if let Some(last) = samples.last_mut() {
        *last = range;
    }
}

/// How far after the client address an access line's `[time]` may start.
const ACCESS_TIME_WITHIN: usize = 256;

/// `IP - user [21/Nov/2026:11:05:52 +0000] "REQUEST" STATUS ...` -> (time, status).
fn access_line(p: &[u8]) -> Option<(&[u8], u16)> {
    let (client, rest) = scan::split_once(p, b" ")?;
    if client.is_empty() || client.len() > 64 {
        return None;
    }
    // `CLIENT IDENT USER [time]`: the two fields before the time are short (`- -` nearly
    // always), so the ` [` is looked for near the start, not across a whole error line;
    // `[` is rare in a line and the space before it is not: look for the bracket.
    let head = rest.get(..rest.len().min(ACCESS_TIME_WITHIN)).unwrap_or(rest);
    let at = memchr::memchr_iter(b'[', head).find(|&i| i > 0 && head.get(i - 1) == Some(&b' '))?;
    let rest = rest.get(at + 1..)?;
    if !scan::has_shape(rest, b"DD/AAA/DDDD:DD:DD:DD") {
        return None;
    }
    let (time, rest) = scan::split_once(rest, b"] \"")?;
    // The request line ends at the first `" ` followed by a 3-digit status.
    memchr::memmem::find_iter(rest, b"\" ").find_map(|at| {
        let (digits, tail) = scan::leading_digits(rest.get(at + 2..)?);
        if digits.len() == 3 && (tail.is_empty() || tail.starts_with(b" ")) {
            scan::parse_u16(digits).map(|s| (time, s))
        } else {
            None
        }
    })
}

struct LineCtx<'a> {
    line: &'a [u8],
    prefix_time: Option<&'a [u8]>,
    tag: Option<&'a [u8]>,
}
