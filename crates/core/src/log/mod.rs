//! nginx and backend error logs: lines classified into typed, grouped events.
//!
//! [`parse`] reads whatever was pasted into the log box: nginx error-log lines (bare,
//! or behind journald/syslog, docker and kubectl prefixes), the stderr of `nginx -t`,
//! and backend logs (php-fpm, gunicorn, uWSGI, node, systemd). Upstream-related nginx
//! lines become [`Event`]s grouped into [`EventGroup`]s; backend lines become
//! [`BackendGroup`]s; nginx lines about anything else are only counted in
//! [`LogReport::other`], so a static file's `open() ... (2: ...)` never passes for a
//! missing socket.
//!
//! Facts behind the classification: `/work/shared/reference/nginx_upstream_messages.tsv`
//! (nginx 1.31.5 source, with 1.22 wordings where they differ) and `backend_messages.tsv`.

mod backend;
mod config_test;
mod errno;
mod nginx;
mod prefix;
mod reader;
mod scan;
mod wrapped;

use serde::Serialize;

pub use crate::input::TextRange;

use badgateway_text::split_host_port;
pub use reader::parse;

/// At most this many sample line ranges are kept per group.
pub const MAX_SAMPLES: usize = 5;
/// A traceback longer than this is not followed further.
const MAX_TRACEBACK_LINES: usize = 500;
/// At most this many unrecognised line ranges are listed (the count is kept in full).
pub const MAX_UNRECOGNIZED: usize = 1000;

/// What [`parse`] understood of one pasted log.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LogReport {
    /// Lines in the text (a final line without a newline counts).
    pub lines: usize,
    /// Formats seen, with the number of lines of each, in first-seen order. A prefixed
    /// line counts once for its prefix (e.g. `Journald`) and once for what it carries.
    pub formats: Vec<(LogFormat, usize)>,
    /// Upstream-related nginx events, identical ones grouped, in first-seen order.
    pub groups: Vec<EventGroup>,
    /// Backend-log events, identical ones grouped, in first-seen order.
    pub backend: Vec<BackendGroup>,
    /// `nginx -t` stderr messages and `[emerg]` lines of a failed start.
    pub config_errors: Vec<ConfigTestError>,
    /// The verdict printed by `nginx -t`, when it was pasted.
    pub config_test: Option<ConfigTestOutcome>,
    /// nginx lines recognised but not about upstreams (static `open()` ENOENT,
    /// notices, client body too large, client-side I/O errors...).
    pub other: usize,
    /// Non-blank lines nothing understood, capped at [`MAX_UNRECOGNIZED`].
    pub unrecognized: Vec<TextRange>,
    /// All non-blank lines nothing understood.
    pub unrecognized_count: usize,
    /// Access-log lines (nginx's or gunicorn's combined format), grouped by status,
    /// in first-seen order: a pasted access log still shows how many 502s/504s.
    pub access: Vec<AccessGroup>,
}

/// Access-log lines with one status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccessGroup {
    pub status: u16,
    pub count: usize,
    /// `21/Nov/2026:11:05:52 +0000` as written.
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    pub samples: Vec<TextRange>,
}

impl LogReport {
    /// Lines of `format` seen.
    pub fn format_count(&self, format: LogFormat) -> usize {
        self.formats.iter().find(|(f, _)| *f == format).map_or(0, |(_, n)| *n)
    }

    /// Total upstream events (sum of group counts).
    pub fn event_count(&self) -> usize {
        self.groups.iter().map(|g| g.count).sum()
    }
}

/// A kind of line the parser recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// `YYYY/MM/DD HH:MM:SS [level] PID#TID: ...`, or the same without the date
    /// behind a syslog prefix.
    NginxError,
    /// `nginx: [emerg] ... in /path:12`, `nginx: configuration file ... test failed`.
    NginxTestStderr,
    /// An nginx upstream message without the line's head (`[level] PID#TID: `), or
    /// behind other text: the way people paste it.
    NginxMessage,
    /// `Nov 21 11:05:52 host tag[pid]: ` (journalctl short/short-iso, syslog files).
    Journald,
    /// `name-1  | ` (docker compose logs).
    DockerCompose,
    /// A container ID as the journald/syslog tag (`host 3f2a1b4c5d6e[812]: `, `docker/3f2a1b4c5d6e`):
    /// docker's journald or syslog log driver. Counted besides `Journald`.
    DockerContainerTag,
    /// `/var/log/nginx/error.log:` or `12:` before an nginx line (`grep -H`, `grep -n`),
    /// and `==> file <==` headers of `tail` on several files.
    GrepPrefix,
    /// An RFC 3339 timestamp before the line (`docker logs -t`, `kubectl logs --timestamps`).
    Timestamped,
    /// `[pod/name/container] ` (`kubectl logs --prefix`).
    Kubectl,
    PhpFpm,
    Gunicorn,
    Uwsgi,
    Node,
    /// `systemctl status` fields and systemd's journal lines about a unit.
    Systemd,
    /// A Python traceback (gunicorn, uWSGI apps): from `Traceback (most recent call
    /// last):` to the exception line.
    PythonTraceback,
    /// `IP - user [21/Nov/2026:11:05:52 +0000] "GET / HTTP/1.1" 502 157 ...`.
    AccessLog,
    /// A shell prompt with a command (`user@host:~$ tail /var/log/nginx/error.log`).
    ShellCommand,
}

impl LogFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::NginxError => "nginx error log",
            LogFormat::NginxTestStderr => "nginx -t",
            LogFormat::NginxMessage => "nginx message without its line head",
            LogFormat::Journald => "journald/syslog",
            LogFormat::DockerCompose => "docker compose",
            LogFormat::DockerContainerTag => "docker container (journald/syslog tag)",
            LogFormat::Timestamped => "docker/kubectl timestamps",
            LogFormat::Kubectl => "kubectl",
            LogFormat::GrepPrefix => "grep/tail file prefix",
            LogFormat::PhpFpm => "php-fpm",
            LogFormat::Gunicorn => "gunicorn",
            LogFormat::Uwsgi => "uWSGI",
            LogFormat::Node => "node",
            LogFormat::Systemd => "systemd",
            LogFormat::PythonTraceback => "Python traceback",
            LogFormat::AccessLog => "access log",
            LogFormat::ShellCommand => "shell command",
        }
    }
}

/// nginx's error-log levels (`err_levels[]`, src/core/ngx_log.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Emerg,
    Alert,
    Crit,
    Error,
    Warn,
    Notice,
    Info,
    Debug,
}

impl Level {
    pub fn from_bytes(s: &[u8]) -> Option<Level> {
        Some(match s {
            b"emerg" => Level::Emerg,
            b"alert" => Level::Alert,
            b"crit" => Level::Crit,
            b"error" => Level::Error,
            b"warn" => Level::Warn,
            b"notice" => Level::Notice,
            b"info" => Level::Info,
            b"debug" => Level::Debug,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Emerg => "emerg",
            Level::Alert => "alert",
            Level::Crit => "crit",
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Notice => "notice",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

/// What nginx was doing, from the ` while ...` part of the line (`log->action`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// `while connecting to upstream`
    Connecting,
    /// `while SSL handshaking to upstream`
    SslHandshaking,
    /// `while sending request to upstream`
    SendingRequest,
    /// `while reading response header from upstream`
    ReadingResponseHeader,
    /// `while reading upstream` (the body, after the header was sent to the client)
    ReadingUpstream,
    /// `while sending to client`
    SendingToClient,
    /// `while proxying upgraded connection` (WebSocket)
    ProxyingUpgraded,
    /// `while resolving` (resolver socket lines)
    Resolving,
    /// `while reading client request line/headers/body`, `while SSL handshaking`
    /// (client side), `while waiting for request`, ...: not about an upstream.
    Client,
    /// Any other action text.
    Other,
}

impl Phase {
    pub fn from_action(s: &[u8]) -> Phase {
        match s {
            b"connecting to upstream" => Phase::Connecting,
            b"SSL handshaking to upstream" => Phase::SslHandshaking,
            b"sending request to upstream" => Phase::SendingRequest,
            b"reading response header from upstream" => Phase::ReadingResponseHeader,
            b"reading upstream" => Phase::ReadingUpstream,
            b"sending to client" => Phase::SendingToClient,
            b"proxying upgraded connection" => Phase::ProxyingUpgraded,
            b"resolving" => Phase::Resolving,
            _ if s.starts_with(b"reading client")
                || s.starts_with(b"reading PROXY protocol")
                || s.starts_with(b"waiting for request")
                || s.starts_with(b"sending response to client")
                || s.starts_with(b"processing HTTP/2")
                || s.starts_with(b"processing HTTP/3")
                || s == b"SSL handshaking"
                || s.starts_with(b"reading client request") =>
            {
                Phase::Client
            }
            _ => Phase::Other,
        }
    }

    /// nginx is talking to (or waiting for) the upstream in this phase.
    pub fn is_upstream(self) -> bool {
        matches!(
            self,
            Phase::Connecting
                | Phase::SslHandshaking
                | Phase::SendingRequest
                | Phase::ReadingResponseHeader
                | Phase::ReadingUpstream
                | Phase::ProxyingUpgraded
        )
    }

    /// The response header has already gone to the client (or the connection was
    /// upgraded with 101): a failure now cuts the body but cannot change the status.
    pub fn after_header(self) -> bool {
        matches!(self, Phase::ReadingUpstream | Phase::SendingToClient | Phase::ProxyingUpgraded)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Connecting => "connecting to upstream",
            Phase::SslHandshaking => "SSL handshaking to upstream",
            Phase::SendingRequest => "sending request to upstream",
            Phase::ReadingResponseHeader => "reading response header from upstream",
            Phase::ReadingUpstream => "reading upstream",
            Phase::SendingToClient => "sending to client",
            Phase::ProxyingUpgraded => "proxying upgraded connection",
            Phase::Resolving => "resolving",
            Phase::Client => "client side",
            Phase::Other => "other",
        }
    }
}

/// One upstream-related nginx message (nginx_upstream_messages.tsv).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// `connect() failed (111: Connection refused)` (async, TCP) or
    /// `connect() to X failed (111: ...)` (sync; a stale unix socket file).
    ConnectRefused,
    /// Any other connect() errno: 2 ENOENT and 13 EACCES (unix socket, `[crit]`),
    /// 11 EAGAIN (unix backlog full), 99, 101, 113, kernel 110 (502, not 504).
    ConnectFailed,
    /// `upstream timed out (110: Connection timed out)`: nginx's own timer (504 before
    /// the header).
    UpstreamTimedOut,
    /// `no live upstreams`: every peer of the group is marked down; `upstream:` names the group.
    NoLiveUpstreams,
    /// `upstream prematurely closed connection` (and BSD's `kevent() reported that
    /// upstream closed connection`).
    PrematurelyClosed,
    /// `upstream prematurely closed FastCGI stdout` / `FastCGI request`.
    PrematurelyClosedFastcgi,
    /// `upstream prematurely closed stream` (gRPC).
    PrematurelyClosedStream,
    /// `upstream prematurely sent response` (data before the TLS handshake finished).
    PrematurelySentResponse,
    /// `recv()/readv()/writev()/send()/sendfile() failed` with 104 ECONNRESET or 32 EPIPE.
    ConnectionReset,
    /// The same syscalls with another errno (e.g. kernel 110), or `send() returned zero`.
    IoFailed,
    /// `upstream sent too big header` (proxy_buffer_size).
    TooBigHeader,
    /// `upstream sent invalid header` (with `: "..."` since 1.23).
    InvalidHeader,
    /// `upstream sent invalid status "..."` (FastCGI/uwsgi/SCGI `Status:`).
    InvalidStatus,
    /// `upstream sent invalid "Content-Length" header`.
    InvalidContentLength,
    /// `upstream sent unknown "Transfer-Encoding"`.
    UnknownTransferEncoding,
    /// `upstream sent duplicate header line` (`[error]`: 502; `[warn] ..., ignored`: harmless).
    DuplicateHeader,
    /// `upstream sent no valid HTTP/1.0 header`: relayed as HTTP/0.9 (status 009).
    NoValidHttpHeader,
    /// `upstream sent "Content-Length" and "Transfer-Encoding" headers at the same time`.
    ContentLengthAndTransferEncoding,
    /// `upstream sent HTTP/1.0 response with early hints`.
    EarlyHintsHttp10,
    /// `upstream sent too big early hints` ([info], hints dropped).
    TooBigEarlyHints,
    /// `upstream sent invalid chunked response` (body phase: truncated).
    InvalidChunked,
    /// `upstream sent invalid trailer` / `too big trailers`.
    InvalidTrailer,
    /// `upstream sent more data than specified in "Content-Length" header`,
    /// `upstream sent data after final chunk` ([warn], harmless).
    ExtraData,
    /// `SSL_do_handshake() failed (SSL: ...)` while SSL handshaking to upstream.
    SslHandshakeFailed,
    /// `upstream SSL certificate verify error: (18:self-signed certificate)`.
    SslVerifyFailed,
    /// `upstream SSL certificate does not match "name"`.
    SslNameMismatch,
    /// `peer closed connection in SSL handshake` while SSL handshaking to upstream.
    PeerClosedInSslHandshake,
    /// `SSL_read() failed` / `SSL_write() failed` talking to the upstream.
    SslIoFailed,
    /// `FastCGI sent in stderr: "..."`: the app's own message, usually NOT a 502.
    FastcgiStderr { primary_script_unknown: bool },
    /// `upstream sent unsupported FastCGI protocol version: 72` (72 = 'H': an HTTP server).
    FastcgiProtocolVersion(u32),
    /// `upstream sent invalid FastCGI record type`, `unexpected FastCGI record`,
    /// `unexpected FastCGI request id ...`.
    FastcgiBadRecord,
    /// `fastcgi request record is too big`, `uwsgi request is too big` (500).
    RequestTooBig,
    /// `upstream sent too large http2 frame: 4740180` (0x485454 = "HTT": grpc_pass to HTTP/1).
    Http2FrameTooLarge(u64),
    /// gRPC: `upstream sent unexpected http2 frame`, `rejected request with error`,
    /// `sent goaway with error`, `sent no :status header`.
    Http2Error,
    /// `NAME could not be resolved (3: Host not found)` (errno is the resolver's code).
    CouldNotBeResolved,
    /// `no resolver defined to resolve NAME`.
    NoResolverDefined,
    /// Resolver socket errors (`... while resolving, resolver: ADDR`), `DNS error`.
    ResolverError,
    /// `[emerg] host not found in upstream "NAME" in /path:LINE`: nginx does not start.
    HostNotFoundInUpstream,
    /// `[emerg]`/runtime `invalid port in upstream "..."` and other `%s in upstream`.
    InvalidUpstreamUrl,
    /// `N worker_connections are not enough` while connecting to upstream (500).
    WorkerConnectionsNotEnough,
    /// `N worker_connections are not enough, reusing connections` ([warn]).
    WorkerConnectionsReusing,
    /// `socket() failed (24: Too many open files)`, `the new socket has number N, but
    /// only M files are available` (500).
    TooManyOpenFiles,
    /// `socket() failed` with another errno (500).
    SocketFailed,
    /// `bind(ADDR) failed (99: ...)` for proxy_bind (500).
    BindFailed,
    /// `upstream server temporarily disabled` ([warn]; max_fails reached).
    ServerTemporarilyDisabled,
    /// `... client prematurely closed connection, so upstream connection is closed too` (499).
    ClientClosed,
    /// `invalid URL prefix in "..."` (proxy_pass with variables, 500).
    InvalidUrlPrefix,
    /// `no port in upstream "..."` (500).
    NoPortInUpstream,
    /// `no upstream configuration` (internal, 500).
    NoUpstreamConfiguration,
    /// `invalid local address "..."` (proxy_bind with variables; proceeds without bind).
    InvalidLocalAddress,
    /// `connection upgrade in subrequest`.
    UpgradeInSubrequest,
    /// A line in an upstream phase or with an `upstream:` field whose message is not
    /// in the table.
    Unclassified,
}

impl EventKind {
    /// Stable snake_case name (the serde name without payload).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ConnectRefused => "connect_refused",
            EventKind::ConnectFailed => "connect_failed",
            EventKind::UpstreamTimedOut => "upstream_timed_out",
            EventKind::NoLiveUpstreams => "no_live_upstreams",
            EventKind::PrematurelyClosed => "prematurely_closed",
            EventKind::PrematurelyClosedFastcgi => "prematurely_closed_fastcgi",
            EventKind::PrematurelyClosedStream => "prematurely_closed_stream",
            EventKind::PrematurelySentResponse => "prematurely_sent_response",
            EventKind::ConnectionReset => "connection_reset",
            EventKind::IoFailed => "io_failed",
            EventKind::TooBigHeader => "too_big_header",
            EventKind::InvalidHeader => "invalid_header",
            EventKind::InvalidStatus => "invalid_status",
            EventKind::InvalidContentLength => "invalid_content_length",
            EventKind::UnknownTransferEncoding => "unknown_transfer_encoding",
            EventKind::DuplicateHeader => "duplicate_header",
            EventKind::NoValidHttpHeader => "no_valid_http_header",
            EventKind::ContentLengthAndTransferEncoding => "content_length_and_transfer_encoding",
            EventKind::EarlyHintsHttp10 => "early_hints_http10",
            EventKind::TooBigEarlyHints => "too_big_early_hints",
            EventKind::InvalidChunked => "invalid_chunked",
            EventKind::InvalidTrailer => "invalid_trailer",
            EventKind::ExtraData => "extra_data",
            EventKind::SslHandshakeFailed => "ssl_handshake_failed",
            EventKind::SslVerifyFailed => "ssl_verify_failed",
            EventKind::SslNameMismatch => "ssl_name_mismatch",
            EventKind::PeerClosedInSslHandshake => "peer_closed_in_ssl_handshake",
            EventKind::SslIoFailed => "ssl_io_failed",
            EventKind::FastcgiStderr { .. } => "fastcgi_stderr",
            EventKind::FastcgiProtocolVersion(_) => "fastcgi_protocol_version",
            EventKind::FastcgiBadRecord => "fastcgi_bad_record",
            EventKind::RequestTooBig => "request_too_big",
            EventKind::Http2FrameTooLarge(_) => "http2_frame_too_large",
            EventKind::Http2Error => "http2_error",
            EventKind::CouldNotBeResolved => "could_not_be_resolved",
            EventKind::NoResolverDefined => "no_resolver_defined",
            EventKind::ResolverError => "resolver_error",
            EventKind::HostNotFoundInUpstream => "host_not_found_in_upstream",
            EventKind::InvalidUpstreamUrl => "invalid_upstream_url",
            EventKind::WorkerConnectionsNotEnough => "worker_connections_not_enough",
            EventKind::WorkerConnectionsReusing => "worker_connections_reusing",
            EventKind::TooManyOpenFiles => "too_many_open_files",
            EventKind::SocketFailed => "socket_failed",
            EventKind::BindFailed => "bind_failed",
            EventKind::ServerTemporarilyDisabled => "server_temporarily_disabled",
            EventKind::ClientClosed => "client_closed",
            EventKind::InvalidUrlPrefix => "invalid_url_prefix",
            EventKind::NoPortInUpstream => "no_port_in_upstream",
            EventKind::NoUpstreamConfiguration => "no_upstream_configuration",
            EventKind::InvalidLocalAddress => "invalid_local_address",
            EventKind::UpgradeInSubrequest => "upgrade_in_subrequest",
            EventKind::Unclassified => "unclassified",
        }
    }
}

/// What the client most likely got because of this line (upstream-errors.md §1, §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    S500,
    S502,
    S504,
    S403,
    S404,
    S499,
    /// `upstream sent no valid HTTP/1.0 header`: relayed as HTTP/0.9, access log `009`.
    Http09,
    /// The header had already been sent: the body is cut, the status stays (often 200).
    Truncated,
    /// The backend's own status is passed through (FastCGI stderr of a PHP warning...).
    FromBackend,
    /// Logged, but this line alone does not fail the request (warnings, retries'
    /// bookkeeping, resolver socket noise, a WebSocket idle timeout after 101).
    NotAnError,
    /// nginx refused its config and did not start (or reload): no HTTP answer at all.
    NginxNotStarted,
    Unknown,
}

impl ClientStatus {
    /// The HTTP status code, when there is one.
    pub fn code(self) -> Option<u16> {
        match self {
            ClientStatus::S500 => Some(500),
            ClientStatus::S502 => Some(502),
            ClientStatus::S504 => Some(504),
            ClientStatus::S403 => Some(403),
            ClientStatus::S404 => Some(404),
            ClientStatus::S499 => Some(499),
            ClientStatus::Http09 => Some(9),
            _ => None,
        }
    }
}

/// The `upstream: "..."` field (nginx_line_anatomy.md): kept as written, one allocation,
/// and taken apart on demand (a few byte searches) instead of into six owned strings.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct UpstreamField {
    raw: Box<str>,
    port: Option<u16>,
}

impl UpstreamField {
    /// Splits `scheme://target/uri` (or a bare `host:port`); `None` when empty.
    pub fn parse(raw: &[u8]) -> Option<UpstreamField> {
        let (_, target, _) = split_upstream(raw)?;
        let port = if target.starts_with(b"unix:") { None } else { split_host_port(target).1 };
        Some(UpstreamField { raw: scan::text(raw).into_boxed_str(), port })
    }

    fn parts(&self) -> (&str, &str, &str) {
        let raw = self.raw.as_bytes();
        // `parse` checked that it splits; the fallback only keeps this total.
        let (scheme, target, uri) = split_upstream(raw).unwrap_or((b"", raw, b""));
        let at = |part: &[u8]| {
            let start = (part.as_ptr() as usize).wrapping_sub(raw.as_ptr() as usize).min(raw.len());
            self.raw.get(start..start + part.len()).unwrap_or_default()
        };
        (at(scheme), at(target), at(uri))
    }

    /// As written, without the quotes.
    pub fn raw(&self) -> &str {
        &self.raw
    }

    /// `http`, `https`, `fastcgi`, `uwsgi`, `scgi`, `grpc`, `grpcs`, `memcached`...;
    /// empty for the stream module's bare `upstream: "127.0.0.1:5433"`.
    pub fn scheme(&self) -> &str {
        self.parts().0
    }

    /// `127.0.0.1:8000`, `[::1]:8000`, `unix:/run/php/php-fpm.sock`, or an upstream{} name.
    pub fn target(&self) -> &str {
        self.parts().1
    }

    /// `127.0.0.1`, `::1` (no brackets), the group name; empty for unix sockets.
    pub fn host(&self) -> &str {
        let target = self.target();
        if target.starts_with("unix:") {
            return "";
        }
        let host = split_host_port(target.as_bytes()).0;
        let start = (host.as_ptr() as usize).wrapping_sub(target.as_ptr() as usize).min(target.len());
        target.get(start..start + host.len()).unwrap_or_default()
    }

    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// `/run/php/php-fpm.sock` for `unix:` targets.
    pub fn unix_path(&self) -> Option<&str> {
        self.target().strip_prefix("unix:")
    }

    /// The URI after the target (`/refused`; empty for fastcgi/uwsgi/grpc).
    pub fn uri(&self) -> &str {
        self.parts().2
    }

    pub fn is_unix(&self) -> bool {
        self.target().starts_with("unix:")
    }
}

impl std::fmt::Debug for UpstreamField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamField").field("raw", &self.raw()).field("port", &self.port).finish()
    }
}

/// The same fields, in the same order, as when they were stored apart.
impl Serialize for UpstreamField {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (scheme, target, uri) = self.parts();
        let mut st = serializer.serialize_struct("UpstreamField", 7)?;
        st.serialize_field("raw", self.raw())?;
        st.serialize_field("scheme", scheme)?;
        st.serialize_field("target", target)?;
        st.serialize_field("host", self.host())?;
        st.serialize_field("port", &self.port)?;
        st.serialize_field("unix_path", &self.unix_path())?;
        st.serialize_field("uri", uri)?;
        st.end()
    }
}

/// `scheme://target/uri` -> (scheme, target, uri). A unix target is `unix:` + path,
/// and nginx writes a `:` after the path even when the URI is empty.
pub(crate) fn split_upstream(raw: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    // The stream module writes the bare peer: `upstream: "127.0.0.1:5433"`.
    let (scheme, rest) = scan::split_once(raw, b"://").unwrap_or((b"", raw));
    if rest.is_empty() {
        return None;
    }
    if let Some(path_and_uri) = rest.strip_prefix(b"unix:") {
        let path_len = memchr::memchr(b':', path_and_uri).unwrap_or(path_and_uri.len());
        let (target, uri) = rest.split_at_checked(5 + path_len)?;
        return Some((scheme, target, uri.strip_prefix(b":").unwrap_or(uri)));
    }
    let end = memchr::memchr(b'/', rest).unwrap_or(rest.len());
    let (target, uri) = rest.split_at_checked(end)?;
    Some((scheme, target, uri))
}

/// The texts of an event, in one allocation: a group owned 17 strings before, and the
/// 28,000 groups of a 100k-line log made that most of the model's memory.
#[derive(Clone, Default, PartialEq, Eq)]
struct Texts {
    text: Box<str>,
    /// Where each field ends in `text` (it starts where the one before ends).
    ends: [u32; TEXT_FIELDS],
    /// Bit `i` set: field `i` is present (possibly empty).
    present: u16,
}

const TEXT_FIELDS: usize = 11;
const TIME: usize = 0;
const ERRNO_TEXT: usize = 1;
const PEER: usize = 2;
const NAME: usize = 3;
const DETAIL: usize = 4;
const CLIENT: usize = 5;
const SERVER: usize = 6;
const REQUEST: usize = 7;
const SUBREQUEST: usize = 8;
const HOST: usize = 9;
const REFERRER: usize = 10;

impl Texts {
    fn new(fields: [Option<&[u8]>; TEXT_FIELDS]) -> Texts {
        let mut text = String::with_capacity(fields.iter().flatten().map(|f| f.len()).sum());
        let mut ends = [0u32; TEXT_FIELDS];
        let mut present = 0u16;
        for (i, field) in fields.iter().enumerate() {
            if let Some(bytes) = field {
                text.push_str(&String::from_utf8_lossy(bytes));
                present |= 1 << i;
            }
            if let Some(end) = ends.get_mut(i) {
                *end = u32::try_from(text.len()).unwrap_or(u32::MAX);
            }
        }
        Texts { text: text.into_boxed_str(), ends, present }
    }

    fn get(&self, i: usize) -> Option<&str> {
        if self.present & (1 << i) == 0 {
            return None;
        }
        let start = if i == 0 { 0 } else { self.ends.get(i - 1).copied().unwrap_or(0) };
        let end = self.ends.get(i).copied().unwrap_or(0);
        self.text.get(start as usize..end as usize)
    }
}

/// One upstream-related nginx line.
#[derive(Clone, PartialEq, Eq)]
pub struct Event {
    pub kind: EventKind,
    pub level: Level,
    pub pid: Option<u32>,
    pub tid: Option<u64>,
    pub conn: Option<u64>,
    /// The OS errno; for `could not be resolved` the resolver's code (3 Host not found,
    /// 110 Operation timed out).
    pub errno: Option<u16>,
    pub phase: Option<Phase>,
    pub upstream: Option<UpstreamField>,
    pub status: ClientStatus,
    /// The whole line (without its newline).
    pub range: TextRange,
    /// The message part, from after `*CONN ` to before `, client:`.
    pub message_range: TextRange,
    /// The value of `upstream: "..."`, without the quotes.
    pub upstream_range: Option<TextRange>,
    texts: Texts,
}

impl Event {
    /// `2026/11/21 11:05:52` as nginx wrote it, or the journald/docker prefix's time
    /// when the nginx part has none.
    pub fn time(&self) -> Option<&str> {
        self.texts.get(TIME)
    }
    pub fn errno_text(&self) -> Option<&str> {
        self.texts.get(ERRNO_TEXT)
    }
    /// `%V` of `connect() to %V failed` / `bind(%V) failed`: `unix:/run/php.sock`,
    /// `127.0.0.1:8000`, `[::1]:8000`; the resolver address of resolver lines.
    pub fn peer(&self) -> Option<&str> {
        self.texts.get(PEER)
    }
    /// The name the message is about: `NAME could not be resolved`, `no resolver
    /// defined to resolve NAME`, `host not found in upstream "NAME"`, `invalid URL
    /// prefix in "NAME"`, the `does not match "NAME"` of a certificate.
    pub fn name(&self) -> Option<&str> {
        self.texts.get(NAME)
    }
    /// Extra text: the FastCGI stderr text, the OpenSSL error, the header nginx
    /// rejected, the syscall of an I/O error.
    pub fn detail(&self) -> Option<&str> {
        self.texts.get(DETAIL)
    }
    pub fn client(&self) -> Option<&str> {
        self.texts.get(CLIENT)
    }
    pub fn server(&self) -> Option<&str> {
        self.texts.get(SERVER)
    }
    pub fn request(&self) -> Option<&str> {
        self.texts.get(REQUEST)
    }
    pub fn subrequest(&self) -> Option<&str> {
        self.texts.get(SUBREQUEST)
    }
    pub fn host(&self) -> Option<&str> {
        self.texts.get(HOST)
    }
    pub fn referrer(&self) -> Option<&str> {
        self.texts.get(REFERRER)
    }
}

impl std::fmt::Debug for Event {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("kind", &self.kind)
            .field("errno", &self.errno)
            .field("peer", &self.peer())
            .field("name", &self.name())
            .field("upstream", &self.upstream)
            .field("range", &self.range)
            .finish_non_exhaustive()
    }
}

/// The same fields, in the same order, as when they were stored apart.
impl Serialize for Event {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = serializer.serialize_struct("Event", 23)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("level", &self.level)?;
        st.serialize_field("time", &self.time())?;
        st.serialize_field("pid", &self.pid)?;
        st.serialize_field("tid", &self.tid)?;
        st.serialize_field("conn", &self.conn)?;
        st.serialize_field("errno", &self.errno)?;
        st.serialize_field("errno_text", &self.errno_text())?;
        st.serialize_field("phase", &self.phase)?;
        st.serialize_field("peer", &self.peer())?;
        st.serialize_field("name", &self.name())?;
        st.serialize_field("detail", &self.detail())?;
        st.serialize_field("upstream", &self.upstream)?;
        st.serialize_field("client", &self.client())?;
        st.serialize_field("server", &self.server())?;
        st.serialize_field("request", &self.request())?;
        st.serialize_field("subrequest", &self.subrequest())?;
        st.serialize_field("host", &self.host())?;
        st.serialize_field("referrer", &self.referrer())?;
        st.serialize_field("status", &self.status)?;
        st.serialize_field("range", &self.range)?;
        st.serialize_field("message_range", &self.message_range)?;
        st.serialize_field("upstream_range", &self.upstream_range)?;
        st.end()
    }
}

/// Identical events: same kind, errno, phase, upstream target (scheme + address or
/// group, not the URI), peer and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventGroup {
    /// The first occurrence.
    pub event: Event,
    pub count: usize,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    /// Up to [`MAX_SAMPLES`] line ranges: the first ones, and always the last one.
    pub samples: Vec<TextRange>,
    /// Number of lines in the group (equals `count`).
    pub all_ranges_count: usize,
    /// The distinct client statuses seen in the group, in first-seen order (one,
    /// except for `FastCGI sent in stderr` lines whose texts differ).
    pub statuses: Vec<ClientStatus>,
}

/// A backend-side line (backend_messages.tsv).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BackendKind {
    /// `[pool www] server reached pm.max_children setting (5)` (pm=dynamic) or
    /// `server reached max_children setting` (pm=ondemand).
    PhpFpmMaxChildren { pool: String, n: u32 },
    /// `unable to bind listening socket for address '127.0.0.1:9000': Address already
    /// in use (98)`, `failed to listen to address`.
    PhpFpmBindFailed { addr: String, errno: Option<u16> },
    /// `An another FPM instance seems to already listen on ADDR`.
    PhpFpmAnotherInstance { addr: String },
    /// `child N, script '...' (request: "...") execution timed out (...), terminating`.
    PhpFpmExecutionTimedOut,
    /// `child N exited on signal 11 (SIGSEGV...)` (signal) or `exited with code N`
    /// (non-zero code; `signal` is None).
    PhpFpmChildExited { signal: Option<u32> },
    /// `The maximum number of processes has been reached` (process.max).
    PhpFpmProcessMax,
    /// `seems busy (you may need to increase pm.start_servers ...)`.
    PhpFpmSeemsBusy,
    /// `Connection disallowed: IP address '...' has been dropped.` (listen.allowed_clients).
    PhpFpmConnectionDisallowed,
    /// `failed processes threshold (...) is reached, initiating reload`.
    PhpFpmRestartThreshold,
    /// `[CRITICAL] WORKER TIMEOUT (pid:N)`.
    GunicornWorkerTimeout,
    /// `Worker (pid:N) was sent SIGKILL! Perhaps out of memory?` (signal name as written;
    /// gunicorn 20's `Worker with pid N was terminated due to signal 9` is named too).
    /// Graceful stops (SIGTERM, SIGQUIT, SIGINT, SIGHUP) are not events.
    GunicornWorkerKilled { signal: String },
    /// `Worker (pid:N) exited with code N.`
    GunicornWorkerExited { code: i32 },
    /// `Listening at: http://127.0.0.1:8000 (PID)` / `unix:/run/app.sock`.
    GunicornListening { addr: String },
    /// `Connection in use: ('127.0.0.1', 8000)` (EADDRINUSE at bind).
    GunicornConnectionInUse { addr: String },
    /// `Worker failed to boot.`, `App failed to load.`, `Reason: ...`.
    GunicornBootFailed,
    /// `Error handling request GET /x` (the app raised; gunicorn answers 500).
    GunicornErrorHandlingRequest,
    /// `*** uWSGI listen queue of socket "127.0.0.1:18301" (fd: 3) full !!! (3/2) ***`.
    UwsgiListenQueueFull { socket: String },
    /// `*** HARAKIRI ON WORKER 1 (pid: N, try: 1, graceful: yes) ***`.
    UwsgiHarakiri,
    /// `invalid request block size: 21573 (max 4096)...skip` (HTTP sent to a uwsgi socket).
    UwsgiInvalidBlockSize,
    /// `DAMN ! worker 1 (pid: N) died, killed by signal 9 :( trying respawn ...`.
    UwsgiWorkerDied,
    /// `probably another instance of uWSGI is running on the same address (ADDR).`
    UwsgiAddressInUse { addr: String },
    /// `uwsgi socket 0 bound to TCP address 127.0.0.1:3031 fd 3` / `UNIX address`.
    UwsgiBound { addr: String },
    /// `your server socket listen backlog is limited to 100 connections`.
    UwsgiListenBacklog { n: u32 },
    /// `Error: listen EADDRINUSE: address already in use 127.0.0.1:8000`.
    NodeEaddrinuse { addr: String },
    /// `Error: connect ECONNREFUSED 127.0.0.1:5432` (Node as a client).
    NodeConnectRefused { addr: String },
    /// `Active: failed (...)`, `UNIT: Failed with result '...'`, `Failed to start UNIT`.
    SystemdFailed,
    /// `UNIT: Main process exited, code=exited, status=1/FAILURE`,
    /// `Main PID: N (code=exited, status=1/FAILURE)`.
    SystemdMainProcessExited,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackendEvent {
    pub kind: BackendKind,
    /// Which program wrote it.
    pub source: LogFormat,
    pub time: Option<String>,
    /// The worker/child pid the line is about, when it names one.
    pub pid: Option<u32>,
    /// Extra text: the script of a php-fpm timeout, the signal of a uWSGI death, the
    /// block size, the systemd unit and status, gunicorn's boot failure reason.
    pub detail: Option<String>,
    pub range: TextRange,
    /// The message part of the line (after the program's own time/level prefix).
    pub detail_range: TextRange,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BackendGroup {
    pub event: BackendEvent,
    pub count: usize,
    pub first_time: Option<String>,
    pub last_time: Option<String>,
    pub samples: Vec<TextRange>,
}

/// One message of `nginx -t` (or a failed start): `nginx: [emerg] unknown directive
/// "x" in /etc/nginx/sites-enabled/app:12`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConfigTestError {
    pub level: Level,
    pub message: String,
    /// `/etc/nginx/sites-enabled/app` of `in /etc/nginx/sites-enabled/app:12`.
    pub file: Option<String>,
    pub line: Option<u32>,
    pub range: TextRange,
    pub message_range: TextRange,
}

/// The last line of `nginx -t`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "result")]
pub enum ConfigTestOutcome {
    /// `nginx: configuration file /etc/nginx/nginx.conf test is successful`.
    Successful { file: String, range: TextRange },
    /// `nginx: configuration file /etc/nginx/nginx.conf test failed`.
    Failed { file: String, range: TextRange },
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_pasted;
