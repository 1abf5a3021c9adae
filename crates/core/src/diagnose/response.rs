//! What the connected-but-failed rules (BG3xx, BG4xx, BG5xx) share: log event groups
//! matched to the config's endpoints, the backend log lines that explain them, and
//! config edits placed where the target is.

use badgateway_config::{PassKind, Setting, Target};

use crate::finding::{Command, Edit, Finding, Label};
use crate::input::{InputKind, TextRange};
use crate::listeners::ProbeFact;
use crate::log::{BackendGroup, BackendKind, EventGroup, LogFormat};

use super::evidence::{cite_events, endpoint_text, target_place};
use super::facts::{Endpoint, EndpointAddr, Facts};

/// One group of identical nginx lines, with the config endpoint it names.
pub struct Incident<'a> {
    pub group: &'a EventGroup,
    /// Index into `facts.endpoints`; `None` without a config, or when the config does
    /// not send requests to the address the line names.
    pub endpoint: Option<usize>,
}

/// The log groups `want` accepts, each matched to the endpoint it names. With a config,
/// a line whose address the config now reaches with another protocol (`fastcgi://` in
/// the log, `proxy_pass http://` in the config) is about an earlier config and dropped.
pub fn incidents<'a>(facts: &Facts<'a>, want: impl Fn(&EventGroup) -> bool) -> Vec<Incident<'a>> {
    let Some(log) = facts.log else { return Vec::new() };
    let wanted: Vec<&'a EventGroup> = log.groups.iter().filter(|g| want(g)).collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    // Which endpoints each group names, keyed by the group's address in the report:
    // one pass over endpoints x their events, no nested search per group.
    let mut named: std::collections::HashMap<*const EventGroup, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, endpoint) in facts.endpoints.iter().enumerate() {
        for g in facts.events_for(endpoint) {
            named.entry(std::ptr::from_ref(g)).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for group in wanted {
        let endpoints = named.get(&std::ptr::from_ref(group)).map(Vec::as_slice).unwrap_or_default();
        let same_address = !endpoints.is_empty();
        let found = endpoints
            .iter()
            .copied()
            .find(|&i| facts.endpoints.get(i).is_some_and(|e| scheme_matches(facts, e, group)));
        if same_address && found.is_none() {
            continue;
        }
        let found = found.or_else(|| by_resolved_name(facts, group));
        out.push(Incident { group, endpoint: found });
    }
    out
}

/// nginx logs the address a host name resolved to (`server app.internal:8000;` logs
/// `10.0.0.7:8000`). When exactly one named endpoint has the line's port and protocol,
/// the line is about it.
fn by_resolved_name(facts: &Facts<'_>, group: &EventGroup) -> Option<usize> {
    let upstream = group.event.upstream.as_ref()?;
    upstream.host().parse::<std::net::IpAddr>().ok()?;
    let port = upstream.port()?;
    let mut candidates = facts.endpoints_on_port(port).filter(|(_, e)| {
        matches!(&e.addr, EndpointAddr::Tcp { ips, port, .. } if ips.is_empty() && Some(*port) == upstream.port())
            && scheme_matches(facts, e, group)
    });
    let (first, _) = candidates.next()?;
    if candidates.next().is_some() { None } else { Some(first) }
}

/// Does the line's `upstream: "scheme://..."` agree with how the config reaches the endpoint?
fn scheme_matches(facts: &Facts<'_>, endpoint: &Endpoint, group: &EventGroup) -> bool {
    let Some(upstream) = &group.event.upstream else { return true };
    let scheme = upstream.scheme().to_ascii_lowercase();
    let Some(target) = target_of(facts, endpoint) else { return true };
    match endpoint.kind {
        PassKind::Proxy | PassKind::Grpc => {
            target.scheme.as_deref().is_none_or(|s| s.eq_ignore_ascii_case(&scheme))
        }
        PassKind::FastCgi => scheme == "fastcgi",
        PassKind::Uwsgi => scheme == "uwsgi" || scheme == "suwsgi",
        PassKind::Scgi => scheme == "scgi",
        PassKind::Memcached => scheme == "memcached",
    }
}

pub fn target_of<'a>(facts: &Facts<'a>, endpoint: &Endpoint) -> Option<&'a Target> {
    facts.config?.model().targets.get(endpoint.target)
}

pub fn endpoint_at<'f>(facts: &'f Facts<'_>, incident: &Incident<'_>) -> Option<&'f Endpoint> {
    incident.endpoint.and_then(|i| facts.endpoints.get(i))
}

/// The module whose directives apply: from the config, else from the log's scheme.
pub fn pass_kind(facts: &Facts<'_>, incident: &Incident<'_>) -> PassKind {
    if let Some(e) = endpoint_at(facts, incident) {
        return e.kind;
    }
    match incident.group.event.upstream.as_ref().map(|u| u.scheme().to_ascii_lowercase()).as_deref() {
        Some("fastcgi") => PassKind::FastCgi,
        Some("uwsgi" | "suwsgi") => PassKind::Uwsgi,
        Some("scgi") => PassKind::Scgi,
        Some("grpc" | "grpcs") => PassKind::Grpc,
        Some("memcached") => PassKind::Memcached,
        _ => PassKind::Proxy,
    }
}

/// `127.0.0.1:8000` (from the config when known, else from the log line).
pub fn address_text(facts: &Facts<'_>, incident: &Incident<'_>) -> String {
    if let Some(e) = endpoint_at(facts, incident) {
        return endpoint_text(e);
    }
    incident
        .group
        .event
        .upstream
        .as_ref()
        .map(|u| u.target().to_owned())
        .or_else(|| incident.group.event.peer().map(str::to_owned))
        .unwrap_or_else(|| "the backend".to_string())
}

/// ` (in location / of server x)` or empty.
pub fn place_text(facts: &Facts<'_>, incident: &Incident<'_>) -> String {
    match endpoint_at(facts, incident) {
        Some(e) => format!("In {}, nginx", target_place(facts, e)),
        None => "nginx".to_string(),
    }
}

/// The finding's primary label: the target in the config when known, else the log line.
/// The log line is cited either way.
pub fn locate(finding: Finding, facts: &Facts<'_>, incident: &Incident<'_>, what: &str) -> Finding {
    let group = incident.group;
    match endpoint_at(facts, incident) {
        Some(e) => {
            let config_label = format!("nginx sends these requests to {}", endpoint_text(e));
            let finding = finding.label(Label::primary(InputKind::Config, e.range, config_label));
            cite_events(finding, group, what)
        }
        None => {
            let range = if group.event.message_range.is_empty() {
                group.event.range
            } else {
                group.event.message_range
            };
            let when = if group.count > 1 { format!(" ({} times)", group.count) } else { String::new() };
            finding.label(Label::primary(InputKind::Log, range, format!("{what}{when}")))
        }
    }
}

/// Backend log groups of the kinds `want` accepts.
pub fn backend_groups<'a>(facts: &Facts<'a>, want: impl Fn(&BackendKind) -> bool) -> Vec<&'a BackendGroup> {
    facts.log.map(|l| l.backend.iter().filter(|g| want(&g.event.kind)).collect()).unwrap_or_default()
}

pub fn cite_backend(finding: Finding, group: &BackendGroup, what: &str) -> Finding {
    let when = if group.count > 1 { format!(", {} times", group.count) } else { String::new() };
    let range =
        if group.event.detail_range.is_empty() { group.event.range } else { group.event.detail_range };
    finding.label(Label::secondary(InputKind::Log, range, format!("{what}{when}")))
}

/// Which program's limit killed a request, read from the backend log.
#[derive(Clone, Debug, PartialEq)]
pub enum BackendKill {
    /// `[CRITICAL] WORKER TIMEOUT`: gunicorn's `--timeout` (30 s by default).
    GunicornTimeout,
    /// `Worker ... was sent SIGKILL! Perhaps out of memory?` / `terminated due to signal 9`.
    GunicornKilled { signal: String },
    /// `Worker (pid:N) exited with code N` with N != 0.
    GunicornExited,
    /// php-fpm `execution timed out (N sec), terminating`: request_terminate_timeout.
    /// How long the script ran before php-fpm killed it, in milliseconds.
    PhpFpmTerminate { ran_ms: Option<u64> },
    /// php-fpm `child N exited on signal N`.
    PhpFpmChildExited,
    /// uWSGI `HARAKIRI ON WORKER`.
    UwsgiHarakiri,
    /// uWSGI `DAMN ! worker N died`.
    UwsgiWorkerDied,
}

/// Backend lines that explain a connection cut without (or in the middle of) a response.
pub fn backend_kills<'a>(facts: &Facts<'a>) -> Vec<(BackendKill, &'a BackendGroup)> {
    let text = facts.inputs.text(InputKind::Log);
    let mut out = Vec::new();
    for g in facts.log.map(|l| l.backend.as_slice()).unwrap_or_default() {
        let kill = match &g.event.kind {
            BackendKind::GunicornWorkerTimeout => BackendKill::GunicornTimeout,
            BackendKind::GunicornWorkerKilled { signal } => {
                BackendKill::GunicornKilled { signal: signal.clone() }
            }
            BackendKind::GunicornWorkerExited { code } if *code != 0 => BackendKill::GunicornExited,
            BackendKind::PhpFpmExecutionTimedOut => {
                BackendKill::PhpFpmTerminate { ran_ms: timed_out_ms(g.event.range.slice(text)) }
            }
            // A child ended by the master's SIGTERM after a timeout is that timeout, already cited.
            BackendKind::PhpFpmChildExited { signal } if *signal != Some(15) => {
                BackendKill::PhpFpmChildExited
            }
            BackendKind::UwsgiHarakiri => BackendKill::UwsgiHarakiri,
            BackendKind::UwsgiWorkerDied => BackendKill::UwsgiWorkerDied,
            _ => continue,
        };
        out.push((kill, g));
    }
    out
}

/// `... execution timed out (1.225550 sec), terminating` -> 1225 (milliseconds).
/// Integer arithmetic only: float parsing and printing cost the page real size.
pub fn timed_out_ms(line: &[u8]) -> Option<u64> {
    let needle = b"execution timed out (";
    let at = memchr::memmem::find(line, needle)? + needle.len();
    let rest = line.get(at..)?;
    let end = rest.iter().position(|b| !(b.is_ascii_digit() || *b == b'.'))?;
    let number = rest.get(..end)?;
    let (whole, fraction) = match memchr::memchr(b'.', number) {
        Some(dot) => (number.get(..dot)?, number.get(dot + 1..)?),
        None => (number, &b""[..]),
    };
    let digits = |d: &[u8]| {
        d.iter().try_fold(0u64, |acc, &b| acc.checked_mul(10)?.checked_add(u64::from(b.wrapping_sub(b'0'))))
    };
    let mut millis = fraction.iter().copied().chain(std::iter::repeat(b'0')).take(3).collect::<Vec<u8>>();
    millis.retain(u8::is_ascii_digit);
    if whole.is_empty() || !whole.iter().all(u8::is_ascii_digit) || !fraction.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits(whole)?.checked_mul(1000)?.checked_add(digits(&millis)?)
}

/// `1225` -> `1.2 s`, `30000` -> `30 s`.
pub fn seconds_text(ms: u64) -> String {
    let tenths = (ms + 50) / 100;
    if tenths.is_multiple_of(10) {
        format!("{} s", tenths / 10)
    } else {
        format!("{}.{} s", tenths / 10, tenths % 10)
    }
}

impl BackendKill {
    /// What happened, in words, for the message.
    pub fn describe(&self) -> String {
        match self {
            BackendKill::GunicornTimeout => "gunicorn's arbiter killed the worker that handled the request because it \
                 ran longer than gunicorn's --timeout (30 s unless set)"
                .to_string(),
            BackendKill::GunicornKilled { signal } if signal.contains("KILL") || signal == "9" => {
                "the gunicorn worker handling the request was killed with SIGKILL (after a WORKER TIMEOUT, or by the \
                 kernel's out-of-memory killer)"
                    .to_string()
            }
            BackendKill::GunicornKilled { signal } => format!("the gunicorn worker was killed by signal {signal}"),
            BackendKill::GunicornExited => "a gunicorn worker exited with an error code".to_string(),
            BackendKill::PhpFpmTerminate { ran_ms } => format!(
                "php-fpm terminated the child running the script after request_terminate_timeout{}",
                ran_ms.map(|ms| format!(" (it ran {})", seconds_text(ms))).unwrap_or_default()
            ),
            BackendKill::PhpFpmChildExited => "a php-fpm child exited (crashed) while serving".to_string(),
            BackendKill::UwsgiHarakiri => "uWSGI's harakiri timer killed the worker serving the request".to_string(),
            BackendKill::UwsgiWorkerDied => "a uWSGI worker died (killed by a signal)".to_string(),
        }
    }

    /// The backend's own time limit, when the line names it (milliseconds).
    pub fn limit_ms(&self) -> Option<u64> {
        match self {
            BackendKill::PhpFpmTerminate { ran_ms } => *ran_ms,
            _ => None,
        }
    }

    pub fn is_timeout(&self) -> bool {
        matches!(
            self,
            BackendKill::GunicornTimeout | BackendKill::PhpFpmTerminate { .. } | BackendKill::UwsgiHarakiri
        )
    }

    /// What to run; `nginx_read_ms` is the read timeout of the target, when known.
    pub fn commands(&self, nginx_read_ms: Option<u64>) -> Vec<Command> {
        // A little above nginx's wait, so that nginx's clear 504 comes first.
        let above = nginx_read_ms.unwrap_or(60_000) / 1000 + 30;
        match self {
            BackendKill::GunicornTimeout => vec![Command::new(
                "find the slow request, then make it faster or raise gunicorn's limit above nginx's (in the unit's ExecStart or gunicorn.conf.py)",
                format!("gunicorn --timeout {above} ...   # or timeout = {above} in gunicorn.conf.py"),
            )],
            BackendKill::GunicornKilled { .. } => vec![
                Command::new(
                    "see whether the kernel killed it for memory",
                    "sudo dmesg -T | grep -i -E 'out of memory|killed process' | tail -n 5",
                ),
                Command::new(
                    "read the backend's log around the failure (name your service)",
                    "sudo journalctl -u myapp -n 100 --no-pager",
                ),
            ],
            BackendKill::PhpFpmTerminate { .. } => vec![Command::new(
                "raise the pool's limit above nginx's fastcgi_read_timeout, or make the script faster",
                "sudo grep -rn request_terminate_timeout /etc/php/*/fpm/",
            )],
            BackendKill::PhpFpmChildExited => vec![Command::new(
                "see why the child crashed",
                "sudo journalctl -u 'php*-fpm' -n 100 --no-pager; sudo dmesg -T | tail -n 20",
            )],
            BackendKill::UwsgiHarakiri => vec![Command::new(
                "raise uWSGI's harakiri above nginx's uwsgi_read_timeout, or make the request faster",
                "grep -rn harakiri /etc/uwsgi/",
            )],
            BackendKill::GunicornExited | BackendKill::UwsgiWorkerDied => vec![Command::new(
                "read the backend's log around the failure (name your service)",
                "sudo journalctl -u myapp -n 100 --no-pager",
            )],
        }
    }

    pub fn program(&self) -> LogFormat {
        match self {
            BackendKill::GunicornTimeout
            | BackendKill::GunicornKilled { .. }
            | BackendKill::GunicornExited => LogFormat::Gunicorn,
            BackendKill::PhpFpmTerminate { .. } | BackendKill::PhpFpmChildExited => LogFormat::PhpFpm,
            BackendKill::UwsgiHarakiri | BackendKill::UwsgiWorkerDied => LogFormat::Uwsgi,
        }
    }
}

/// Does a backend of this program plausibly serve this incident? (php-fpm only behind
/// fastcgi_pass, uWSGI behind uwsgi_pass or an HTTP port, gunicorn behind proxy_pass.)
pub fn program_fits(kind: PassKind, program: LogFormat) -> bool {
    match program {
        LogFormat::PhpFpm => kind == PassKind::FastCgi,
        LogFormat::Gunicorn => kind == PassKind::Proxy,
        LogFormat::Uwsgi => matches!(kind, PassKind::Uwsgi | PassKind::Proxy),
        _ => true,
    }
}

/// `4096` -> `4k`, `1048576` -> `1m`.
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{}m", bytes >> 20)
    } else if bytes >= 1024 && bytes.is_multiple_of(1024) {
        format!("{}k", bytes >> 10)
    } else {
        bytes.to_string()
    }
}

/// `60000` -> `60s`, `1500` -> `1500ms`.
pub fn time_text(ms: u64) -> String {
    if ms.is_multiple_of(1000) { format!("{}s", ms / 1000) } else { format!("{ms}ms") }
}

/// ` (set at its line)` or ` (nginx's default)`.
pub fn setting_origin<T>(setting: &Setting<T>) -> &'static str {
    if setting.is_default() { " (nginx's default)" } else { "" }
}

/// Config edits that set directives for one target: a directive already set inside the
/// target's location is rewritten in place; the others are inserted just before the
/// `*_pass` line (before its `if` block when it sits in one, where these directives are
/// not allowed).
pub struct DirectiveEdits<'a> {
    src: &'a [u8],
    target: &'a Target,
    scope: Option<TextRange>,
    insert_at: u32,
    inserted: Vec<String>,
    edits: Vec<Edit>,
}

impl<'a> DirectiveEdits<'a> {
    pub fn new(facts: &Facts<'a>, target: &'a Target) -> Option<Self> {
        let config = facts.config?;
        let model = config.model();
        let scope = target.location.and_then(|l| model.locations.get(l)).map(|l| l.range);
        let inside =
            |outer: TextRange, inner: TextRange| outer.start <= inner.start && inner.end <= outer.end;
        let insert_at = model
            .ifs
            .iter()
            .filter(|i| inside(i.range, target.range))
            .map(|i| i.range.start)
            .min()
            .unwrap_or(target.range.start);
        Some(Self { src: config.source(), target, scope, insert_at, inserted: Vec::new(), edits: Vec::new() })
    }

    /// Sets `name value;` for the target. `current` is the effective setting of `name`.
    pub fn set<T>(&mut self, name: &str, value: &str, current: &Setting<T>) {
        let text = format!("{name} {value};");
        if let (Some(range), Some(scope)) = (current.range, self.scope) {
            let in_scope = scope.start <= range.start && range.end <= scope.end;
            // Not when the directive sits in an `if` above the target: it would not be the one in force.
            if in_scope && range.start < self.insert_at.max(self.target.range.start) {
                let ends_with_semicolon = range.slice(self.src).last() == Some(&b';');
                let replacement = if ends_with_semicolon { text } else { format!("{name} {value}") };
                self.edits.push(Edit { range, replacement });
                return;
            }
        }
        self.inserted.push(text);
    }

    /// Adds a directive that nginx repeats (`proxy_set_header`), always inserted.
    pub fn add(&mut self, text: String) {
        self.inserted.push(text);
    }

    pub fn finish(mut self) -> Vec<Edit> {
        if !self.inserted.is_empty() {
            let at = self.insert_at as usize;
            let line_start =
                self.src.get(..at).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map_or(0, |i| i + 1);
            let before = self.src.get(line_start..at).unwrap_or_default();
            let separator = if before.iter().all(|b| *b == b' ' || *b == b'\t') {
                format!("\n{}", String::from_utf8_lossy(before))
            } else {
                " ".to_string()
            };
            let mut text = String::new();
            for line in &self.inserted {
                text.push_str(line);
                text.push_str(&separator);
            }
            self.edits
                .push(Edit { range: TextRange::new(self.insert_at, self.insert_at), replacement: text });
        }
        let mut indexed: Vec<(usize, Edit)> = self.edits.into_iter().enumerate().collect();
        badgateway_config::order::sort_by_key(&mut indexed, |(i, e)| (e.range.start, e.range.end, *i));
        self.edits = indexed.into_iter().map(|(_, e)| e).collect();
        merge(self.src, self.edits)
    }
}

/// One edit from several, the text between them kept: a fix reads as one hunk.
fn merge(src: &[u8], edits: Vec<Edit>) -> Vec<Edit> {
    let (Some(first), Some(last)) = (edits.first(), edits.last()) else { return edits };
    if edits.len() < 2 {
        return edits;
    }
    let (start, end) = (first.range.start, last.range.end.max(first.range.end));
    let mut text = String::new();
    let mut at = start;
    for e in &edits {
        if e.range.start < at {
            return edits; // overlapping: leave them for apply_edits to refuse
        }
        match src.get(at as usize..e.range.start as usize).map(std::str::from_utf8) {
            Some(Ok(between)) => text.push_str(between),
            _ => return edits,
        }
        text.push_str(&e.replacement);
        at = e.range.end;
    }
    vec![Edit { range: TextRange::new(start, end.max(at)), replacement: text }]
}

/// gunicorn's `--timeout` for the gunicorn serving this endpoint, from a pasted `ps`
/// row whose pid the listener table shows on the endpoint: (seconds, the `ps` row).
pub fn gunicorn_limit(facts: &Facts<'_>, endpoint: &Endpoint) -> Option<(u64, TextRange)> {
    let listeners = facts.listeners?;
    let super::facts::TcpReach::Listening(rows) = facts.tcp_reach(endpoint) else { return None };
    let pids: Vec<u32> = rows
        .iter()
        .filter_map(|&i| facts.listener(i))
        .flat_map(|l| l.processes.iter().filter_map(|p| p.pid))
        .collect();
    listeners.facts.iter().find_map(|fact| match fact {
        ProbeFact::Process { command, pid, range, .. }
            if pids.contains(pid) && command.contains("gunicorn") =>
        {
            gunicorn_timeout(command).map(|t| (t, *range))
        }
        _ => None,
    })
}

/// `gunicorn -t 5 app:app`, `--timeout=5`, `--timeout 5` -> 5.
fn gunicorn_timeout(command: &str) -> Option<u64> {
    let mut words = command.split_whitespace();
    while let Some(w) = words.next() {
        if let Some(v) = w.strip_prefix("--timeout=") {
            return v.parse().ok();
        }
        if w == "--timeout" || w == "-t" {
            return words.next()?.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod time_tests {
    use super::{seconds_text, timed_out_ms};

    #[test]
    fn php_fpm_run_times_are_read_as_milliseconds_without_floats() {
        let line = b"WARNING: [pool www] child 42, script '/x.php' (request: \"GET /x.php\") execution timed out (1.225550 sec), terminating";
        assert_eq!(timed_out_ms(line), Some(1225));
        assert_eq!(timed_out_ms(b"execution timed out (30 sec)"), Some(30_000));
        assert_eq!(timed_out_ms(b"execution timed out (.5 sec)"), None);
        assert_eq!(timed_out_ms(b"execution timed out (99999999999999999999 sec)"), None);
        assert_eq!(seconds_text(1225), "1.2 s");
        assert_eq!(seconds_text(30_000), "30 s");
        assert_eq!(seconds_text(0), "0 s");
    }
}
