//! Tests of the log parser. Acceptance: the lab's real captures under
//! tests/fixtures/scenarios (nginx 1.22.1, gunicorn 20.1.0, php-fpm 8.2). Reference
//! lines (nginx 1.31.5) and hand-typed corner cases (marked) live in tests/fixtures/log.

use super::*;

pub(super) fn repo_file(rel: &str) -> Vec<u8> {
    let path = format!("{}/../../tests/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(super) fn kinds(r: &LogReport) -> Vec<(EventKind, usize)> {
    r.groups.iter().map(|g| (g.event.kind.clone(), g.count)).collect()
}

pub(super) fn only_group(r: &LogReport) -> &EventGroup {
    assert_eq!(r.groups.len(), 1, "groups: {:#?}", kinds(r));
    &r.groups[0]
}

pub(super) fn one(line: &str) -> Event {
    let r = parse(line.as_bytes());
    only_group(&r).event.clone()
}

pub(super) fn target(e: &Event) -> &str {
    e.upstream.as_ref().map(|u| u.target()).unwrap_or("")
}

// ------------------------------------------------------------------ lab scenarios

/// One real scenario: the nginx event it must produce, nothing else upstream-related.
struct Expect {
    scenario: &'static str,
    kind: EventKind,
    level: Level,
    errno: Option<u16>,
    phase: Option<Phase>,
    target: &'static str,
    status: ClientStatus,
}

#[test]
fn lab_scenarios_single_event() {
    use ClientStatus as S;
    use EventKind as K;
    let unix = |name: &str| format!("unix:/tmp/badgateway-lab/{name}/run/");
    let cases = [
        Expect {
            scenario: "backend-not-running",
            kind: K::ConnectRefused,
            level: Level::Error,
            errno: Some(111),
            phase: Some(Phase::Connecting),
            target: "127.0.0.1:19011",
            status: S::S502,
        },
        Expect {
            scenario: "wrong-port",
            kind: K::ConnectRefused,
            level: Level::Error,
            errno: Some(111),
            phase: Some(Phase::Connecting),
            target: "127.0.0.1:8000",
            status: S::S502,
        },
        Expect {
            scenario: "wrong-address",
            kind: K::ConnectRefused,
            level: Level::Error,
            errno: Some(111),
            phase: Some(Phase::Connecting),
            target: "127.0.0.1:19021",
            status: S::S502,
        },
        Expect {
            scenario: "family-v6-backend",
            kind: K::ConnectRefused,
            level: Level::Error,
            errno: Some(111),
            phase: Some(Phase::Connecting),
            target: "127.0.0.1:19031",
            status: S::S502,
        },
        Expect {
            scenario: "family-v4-backend",
            kind: K::ConnectRefused,
            level: Level::Error,
            errno: Some(111),
            phase: Some(Phase::Connecting),
            target: "[::1]:19041",
            status: S::S502,
        },
        Expect {
            scenario: "connect-timeout",
            kind: K::UpstreamTimedOut,
            level: Level::Error,
            errno: Some(110),
            phase: Some(Phase::Connecting),
            target: "127.0.0.1:19251",
            status: S::S504,
        },
        Expect {
            scenario: "read-timeout",
            kind: K::UpstreamTimedOut,
            level: Level::Error,
            errno: Some(110),
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19241",
            status: S::S504,
        },
        Expect {
            scenario: "upstream-closes",
            kind: K::PrematurelyClosed,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19131",
            status: S::S502,
        },
        Expect {
            scenario: "gunicorn-worker-timeout",
            kind: K::PrematurelyClosed,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19141",
            status: S::S502,
        },
        Expect {
            scenario: "upstream-resets",
            kind: K::ConnectionReset,
            level: Level::Error,
            errno: Some(104),
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19201",
            status: S::S502,
        },
        Expect {
            scenario: "fastcgi-to-http",
            kind: K::FastcgiProtocolVersion(72),
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19151",
            status: S::S502,
        },
        Expect {
            scenario: "grpc-to-http1",
            kind: K::Http2FrameTooLarge(4_740_180),
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19171",
            status: S::S502,
        },
        Expect {
            scenario: "header-too-big",
            kind: K::TooBigHeader,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19191",
            status: S::S502,
        },
        Expect {
            scenario: "invalid-header",
            kind: K::InvalidHeader,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19221",
            status: S::S502,
        },
        Expect {
            scenario: "non-http-response",
            kind: K::NoValidHttpHeader,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "127.0.0.1:19181",
            status: S::Http09,
        },
        Expect {
            scenario: "https-to-http",
            kind: K::SslHandshakeFailed,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::SslHandshaking),
            target: "127.0.0.1:19161",
            status: S::S502,
        },
        Expect {
            scenario: "tls-verify-self-signed",
            kind: K::SslVerifyFailed,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::SslHandshaking),
            target: "127.0.0.1:19211",
            status: S::S502,
        },
        Expect {
            scenario: "tls-name-mismatch",
            kind: K::SslNameMismatch,
            level: Level::Error,
            errno: None,
            phase: Some(Phase::SslHandshaking),
            target: "127.0.0.1:19361",
            status: S::S502,
        },
        Expect {
            scenario: "worker-connections-too-small",
            kind: K::WorkerConnectionsNotEnough,
            level: Level::Alert,
            errno: None,
            phase: Some(Phase::Connecting),
            target: "127.0.0.1:19111",
            status: S::S500,
        },
        Expect {
            scenario: "variable-without-resolver",
            kind: K::NoResolverDefined,
            level: Level::Error,
            errno: None,
            phase: None,
            target: "",
            status: S::S502,
        },
        Expect {
            scenario: "resolver-nxdomain",
            kind: K::CouldNotBeResolved,
            level: Level::Error,
            errno: Some(3),
            phase: None,
            target: "",
            status: S::S502,
        },
        Expect {
            scenario: "resolver-timeout",
            kind: K::CouldNotBeResolved,
            level: Level::Error,
            errno: Some(110),
            phase: None,
            target: "",
            status: S::S502,
        },
        Expect {
            scenario: "php-primary-script-unknown",
            kind: K::FastcgiStderr { primary_script_unknown: true },
            level: Level::Error,
            errno: None,
            phase: Some(Phase::ReadingResponseHeader),
            target: "unix:/tmp/badgateway-lab/php-primary-script-unknown/run/php-fpm.sock",
            status: S::S404,
        },
    ];
    for c in &cases {
        let text = repo_file(&format!("scenarios/{}/error.log", c.scenario));
        let r = parse(&text);
        let g = only_group(&r);
        let e = &g.event;
        let what = c.scenario;
        assert_eq!(e.kind, c.kind, "{what}");
        assert_eq!(e.level, c.level, "{what}");
        assert_eq!(e.errno, c.errno, "{what}");
        assert_eq!(e.phase, c.phase, "{what}");
        assert_eq!(target(e), c.target, "{what}");
        assert_eq!(e.status, c.status, "{what}");
        // nginx 1.22 from Debian: pid#tid with a real tid.
        assert_eq!(e.pid.map(u64::from), e.tid, "{what}");
        // Every other line is nginx's own start/stop chatter, recognised, not upstream.
        assert_eq!(r.unrecognized_count, 0, "{what}");
        assert_eq!(r.format_count(LogFormat::NginxError), r.lines, "{what}");
        assert_eq!(r.other + g.count, r.lines, "{what}");
        assert_eq!(e.range.slice(&text).last(), Some(&b'"'), "{what}: range is the whole line");
    }
    let _ = unix;
}

#[test]
fn lab_unix_socket_scenarios() {
    let cases: [(&str, EventKind, Level, u16, &str); 4] = [
        ("unix-socket-wrong-path", EventKind::ConnectFailed, Level::Crit, 2, "php8.2-fpm.sock"),
        ("unix-socket-permission", EventKind::ConnectFailed, Level::Crit, 13, "app.sock"),
        ("unix-socket-stale", EventKind::ConnectRefused, Level::Error, 111, "app.sock"),
        ("unix-backlog-full", EventKind::ConnectFailed, Level::Error, 11, "app.sock"),
    ];
    for (scenario, kind, level, errno, sock) in cases {
        let r = parse(&repo_file(&format!("scenarios/{scenario}/error.log")));
        let e = &only_group(&r).event;
        let path = format!("/tmp/badgateway-lab/{scenario}/run/{sock}");
        assert_eq!(e.kind, kind, "{scenario}");
        assert_eq!(e.level, level, "{scenario}");
        assert_eq!(e.errno, Some(errno), "{scenario}");
        assert_eq!(e.peer(), Some(format!("unix:{path}").as_str()), "{scenario}");
        let up = e.upstream.as_ref().unwrap();
        assert_eq!(up.unix_path(), Some(path.as_str()), "{scenario}");
        assert_eq!(e.status, ClientStatus::S502);
    }
}

#[test]
fn lab_php_fpm_max_children_groups_three_eagain_lines() {
    let r = parse(&repo_file("scenarios/php-fpm-max-children/error.log"));
    let g = only_group(&r);
    assert_eq!(g.event.kind, EventKind::ConnectFailed);
    assert_eq!(g.event.errno, Some(11));
    assert_eq!(g.count, 3);
    assert_eq!(g.samples.len(), 3);
    assert_eq!(g.event.upstream.as_ref().unwrap().scheme(), "fastcgi");
    assert!(g.first_time.is_some() && g.last_time.is_some());

    let fpm = parse(&repo_file("scenarios/php-fpm-max-children/php-fpm.log"));
    assert_eq!(fpm.format_count(LogFormat::PhpFpm), fpm.lines);
    assert_eq!(fpm.backend.len(), 1);
    assert_eq!(fpm.backend[0].event.kind, BackendKind::PhpFpmMaxChildren { pool: "www".into(), n: 1 });
    assert!(fpm.backend[0].event.time.as_deref().unwrap().contains("-Nov-2026 "));
}

#[test]
fn lab_no_live_upstreams_names_the_group() {
    let r = parse(&repo_file("scenarios/no-live-upstreams/error.log"));
    let k: Vec<EventKind> = r.groups.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(
        k,
        [
            EventKind::ConnectRefused,
            EventKind::ServerTemporarilyDisabled,
            EventKind::ConnectRefused,
            EventKind::ServerTemporarilyDisabled,
            EventKind::NoLiveUpstreams
        ]
    );
    let nolive = &r.groups[4].event;
    assert_eq!(target(nolive), "app_pool");
    assert_eq!(nolive.upstream.as_ref().unwrap().port, None);
    assert_eq!(nolive.status, ClientStatus::S502);
    assert_eq!(r.groups[1].event.status, ClientStatus::NotAnError);
    // Two peers: two groups, because the upstream address is part of the key.
    assert_ne!(target(&r.groups[0].event), target(&r.groups[2].event));
}

#[test]
fn lab_proxy_loop() {
    let r = parse(&repo_file("scenarios/proxy-loop/error.log"));
    let k: Vec<EventKind> = r.groups.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(k, [EventKind::WorkerConnectionsNotEnough, EventKind::ConnectionReset]);
    // Without `while connecting to upstream` it was accept() that ran out.
    assert_eq!(r.groups[0].event.phase, None);
    assert_eq!(r.groups[0].event.status, ClientStatus::Unknown);
}

#[test]
fn lab_controls_have_no_upstream_events() {
    // healthy: 200; static-404: open() ENOENT of a static file; content-length-and-chunked:
    // nginx 1.22 accepts CL+TE silently.
    for scenario in ["healthy", "static-404", "content-length-and-chunked"] {
        let r = parse(&repo_file(&format!("scenarios/{scenario}/error.log")));
        assert!(r.groups.is_empty(), "{scenario}: {:?}", kinds(&r));
        assert_eq!(r.other, r.lines, "{scenario}");
        assert_eq!(r.unrecognized_count, 0);
    }
    let r = parse(&repo_file("scenarios/static-404/error.log"));
    let text = repo_file("scenarios/static-404/error.log");
    assert!(text.windows(7).any(|w| w == b"open() "), "the fixture holds the static open() line");
    assert!(r.config_errors.is_empty());
}

#[test]
fn lab_gunicorn_logs() {
    let r = parse(&repo_file("scenarios/gunicorn-worker-timeout/gunicorn.log"));
    assert_eq!(r.format_count(LogFormat::Gunicorn), r.lines);
    let k: Vec<&BackendKind> = r.backend.iter().map(|g| &g.event.kind).collect();
    // gunicorn 20.1 wording: `Worker with pid N was terminated due to signal 9`; the
    // SIGTERM of the final shutdown is not an event.
    assert_eq!(
        k,
        [
            &BackendKind::GunicornListening { addr: "http://127.0.0.1:19141".into() },
            &BackendKind::GunicornWorkerTimeout,
            &BackendKind::GunicornWorkerKilled { signal: "SIGKILL".into() },
        ]
    );
    // The worker that timed out is the one killed.
    assert!(r.backend[1].event.pid.is_some());
    assert_eq!(r.backend[1].event.pid, r.backend[2].event.pid);

    for (scenario, addr) in [
        ("wrong-port", "http://127.0.0.1:3000"),
        ("wrong-address", "http://127.0.0.2:19021"),
        ("family-v6-backend", "http://[::1]:19031"),
        ("family-v4-backend", "http://127.0.0.1:19041"),
    ] {
        let r = parse(&repo_file(&format!("scenarios/{scenario}/gunicorn.log")));
        assert_eq!(
            r.backend[0].event.kind,
            BackendKind::GunicornListening { addr: addr.into() },
            "{scenario}"
        );
        assert_eq!(r.unrecognized_count, 0, "{scenario}");
    }
    // gunicorn's access log lines beside its error log.
    let r = parse(&repo_file("scenarios/healthy/gunicorn.log"));
    assert_eq!(r.unrecognized_count, 0);
    assert_eq!(r.access.len(), 1);
    assert_eq!(r.access[0].status, 200);
    assert!(r.backend.iter().all(|g| matches!(g.event.kind, BackendKind::GunicornListening { .. })));
}

#[test]
fn lab_php_fpm_terminate_timeout() {
    let r = parse(&repo_file("scenarios/php-fpm-terminate-timeout/error.log"));
    let e = &only_group(&r).event;
    assert_eq!(
        (e.kind.clone(), e.errno, e.status),
        (EventKind::ConnectionReset, Some(104), ClientStatus::S502)
    );
    assert_eq!(e.phase, Some(Phase::ReadingResponseHeader));
    assert!(e.upstream.as_ref().unwrap().is_unix());

    let fpm = parse(&repo_file("scenarios/php-fpm-terminate-timeout/php-fpm.log"));
    assert_eq!(fpm.unrecognized_count, 0);
    let k: Vec<BackendKind> = fpm.backend.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(
        k,
        [BackendKind::PhpFpmExecutionTimedOut, BackendKind::PhpFpmChildExited { signal: Some(15) }]
    );
    let timed_out = &fpm.backend[0].event;
    assert!(timed_out.detail.as_deref().unwrap().ends_with("/slow.php"));
    assert_eq!(timed_out.pid, fpm.backend[1].event.pid, "the child that timed out is the one that exited");
}

#[test]
fn lab_nginx_t_outputs() {
    let cases: [(&str, &str, u32, Option<EventKind>); 4] = [
        ("missing-scheme", "invalid URL prefix", 22, Some(EventKind::InvalidUrlPrefix)),
        ("missing-semicolon", "unexpected \"}\"", 23, None),
        ("unknown-directive", "unknown directive \"proxy_pas\"", 22, None),
        (
            "upstream-name-typo",
            "host not found in upstream \"app_backnd\"",
            26,
            Some(EventKind::HostNotFoundInUpstream),
        ),
    ];
    for (scenario, message, line, event) in cases {
        let text = repo_file(&format!("scenarios/{scenario}/nginx-t.txt"));
        let r = parse(&text);
        assert_eq!(r.config_errors.len(), 1, "{scenario}");
        let c = &r.config_errors[0];
        assert_eq!(c.level, Level::Emerg);
        assert_eq!(c.message, message, "{scenario}");
        assert_eq!(c.file.as_deref(), Some(format!("/tmp/badgateway-lab/{scenario}/nginx.conf").as_str()));
        assert_eq!(c.line, Some(line));
        assert!(matches!(r.config_test, Some(ConfigTestOutcome::Failed { .. })), "{scenario}");
        assert_eq!(r.groups.first().map(|g| g.event.kind.clone()), event, "{scenario}");
        if let Some(g) = r.groups.first() {
            assert_eq!(g.event.status, ClientStatus::NginxNotStarted);
        }
        assert_eq!(r.unrecognized_count, 0);
    }
    let r = parse(&repo_file("scenarios/upstream-name-typo/nginx-t.txt"));
    assert_eq!(r.groups[0].event.name(), Some("app_backnd"));
}

// ------------------------------------------------------------------ reference lines (nginx 1.31.5)

#[test]
fn reference_lines_classify() {
    use ClientStatus as S;
    use EventKind as K;
    let text = repo_file("log/nginx-1.31.5-reference.log");
    let r = parse(&text);
    assert_eq!(r.unrecognized_count, 0);
    assert_eq!(r.other, 0, "every reference line is upstream-related");
    let got: Vec<(K, S)> = r.groups.iter().map(|g| (g.event.kind.clone(), g.event.status)).collect();
    let want = [
        (K::ConnectRefused, S::S502),
        (K::ResolverError, S::NotAnError),
        (K::CouldNotBeResolved, S::S502),
        (K::PrematurelyClosed, S::S502),
        (K::ConnectionReset, S::S502),
        (K::UpstreamTimedOut, S::S504),
        (K::UpstreamTimedOut, S::S504),
        (K::UpstreamTimedOut, S::S504),
        (K::UpstreamTimedOut, S::S504),
        (K::ConnectionReset, S::S502),
        (K::PrematurelyClosed, S::Truncated),
        (K::ClientClosed, S::S499),
        (K::UpstreamTimedOut, S::NotAnError),
        (K::ConnectFailed, S::S502),
        (K::WorkerConnectionsNotEnough, S::S500),
        (K::NoLiveUpstreams, S::S502),
        (K::TooManyOpenFiles, S::S500),
        (K::BindFailed, S::S500),
        (K::ConnectFailed, S::S502),
        (K::ConnectFailed, S::S502),
        (K::SslVerifyFailed, S::S502),
        (K::SslHandshakeFailed, S::S502),
        (K::PeerClosedInSslHandshake, S::S502),
        (K::FastcgiProtocolVersion(72), S::S502),
        (K::Http2FrameTooLarge(4_740_180), S::S502),
        (K::FastcgiStderr { primary_script_unknown: true }, S::S404),
        (K::NoValidHttpHeader, S::Http09),
        (K::ContentLengthAndTransferEncoding, S::S502),
        (K::InvalidHeader, S::S502),
        (K::TooBigHeader, S::S502),
        (K::CouldNotBeResolved, S::S502),
        (K::NoResolverDefined, S::S502),
        (K::ServerTemporarilyDisabled, S::NotAnError),
        (K::ConnectFailed, S::S502),
        (K::SslNameMismatch, S::S502),
    ];
    assert_eq!(got, want);

    let e = |i: usize| &r.groups[i].event;
    // Line 1, field by field.
    let first = e(0);
    assert_eq!(first.time(), Some("2026/11/21 11:05:52"));
    assert_eq!((first.pid, first.tid, first.conn), (Some(20848), Some(0), Some(1)));
    assert_eq!(first.errno_text(), Some("Connection refused"));
    assert_eq!(first.client(), Some("127.0.0.1"));
    assert_eq!(first.server(), Some("lab.example"));
    assert_eq!(first.request(), Some("GET /refused HTTP/1.1"));
    assert_eq!(first.host(), Some("lab.example"));
    assert_eq!(first.referrer(), Some("http://lab.example/start"));
    let up = first.upstream.as_ref().unwrap();
    assert_eq!((up.scheme(), up.host(), up.port(), up.uri()), ("http", "127.0.0.1", Some(18001), "/refused"));
    assert_eq!(first.upstream_range.unwrap().slice(&text), b"http://127.0.0.1:18001/refused");
    assert_eq!(
        first.message_range.slice(&text),
        b"connect() failed (111: Connection refused) while connecting to upstream"
    );
    // Resolver line: no *conn, the resolver address as peer.
    assert_eq!(e(1).conn, None);
    assert_eq!(e(1).phase, Some(Phase::Resolving));
    assert_eq!(e(1).peer(), Some("127.0.0.1:18054"));
    assert_eq!(e(2).name(), Some("nonexistent.invalid"));
    assert_eq!(e(2).upstream, None);
    assert_eq!(e(9).detail(), Some("writev()"));
    assert_eq!(e(9).errno, Some(32));
    assert_eq!(e(12).phase, Some(Phase::ProxyingUpgraded));
    assert_eq!(e(13).peer(), Some("unix:/srv/lab/sock/missing.sock"));
    assert_eq!(e(13).level, Level::Crit);
    assert_eq!(target(e(15)), "two_down");
    assert_eq!(e(17).peer(), Some("192.0.2.99"));
    assert_eq!(e(19).peer(), Some("224.0.0.1:80"));
    assert_eq!(e(20).detail(), Some("18:self-signed certificate"));
    assert_eq!(e(21).detail(), Some("error:0A00010B:SSL routines::wrong version number"));
    assert_eq!(e(22).errno, Some(104));
    let fpm = e(25).upstream.as_ref().unwrap();
    assert_eq!((fpm.scheme(), fpm.unix_path(), fpm.uri()), ("fastcgi", Some("/run/php/php-fpm.sock"), ""));
    assert_eq!(e(28).detail(), Some("Bad\\x20..."));
    assert_eq!(e(30).errno_text(), Some("Operation timed out"));
    assert_eq!(e(31).name(), Some("app.internal"));
    assert_eq!(e(33).errno, Some(11));
    assert_eq!(e(34).name(), Some("backend.example"));
}

#[test]
fn reference_backend_lines() {
    let r = parse(&repo_file("log/backend-reference.log"));
    assert_eq!(r.unrecognized_count, 0, "{:?}", r.unrecognized);
    let k: Vec<BackendKind> = r.backend.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(
        k,
        [
            BackendKind::PhpFpmMaxChildren { pool: "www".into(), n: 5 },
            BackendKind::PhpFpmBindFailed { addr: "127.0.0.1:9000".into(), errno: Some(98) },
            BackendKind::PhpFpmChildExited { signal: Some(11) },
            BackendKind::PhpFpmExecutionTimedOut,
            BackendKind::PhpFpmConnectionDisallowed,
            BackendKind::GunicornListening { addr: "http://127.0.0.1:18100".into() },
            BackendKind::GunicornWorkerTimeout,
            BackendKind::GunicornErrorHandlingRequest,
            BackendKind::GunicornWorkerKilled { signal: "SIGKILL".into() },
            BackendKind::GunicornConnectionInUse { addr: "127.0.0.1:18008".into() },
            BackendKind::UwsgiHarakiri,
            BackendKind::UwsgiListenQueueFull { socket: "127.0.0.1:18301".into() },
            BackendKind::UwsgiWorkerDied,
            BackendKind::UwsgiInvalidBlockSize,
            BackendKind::UwsgiAddressInUse { addr: "127.0.0.1:3031".into() },
            BackendKind::UwsgiListenBacklog { n: 100 },
            BackendKind::NodeEaddrinuse { addr: "127.0.0.1:18008".into() },
            BackendKind::NodeEaddrinuse { addr: ":::8766".into() },
            BackendKind::NodeConnectRefused { addr: "127.0.0.1:18001".into() },
        ]
    );
    // pm=dynamic and pm=ondemand wordings are one group.
    assert_eq!(r.backend[0].count, 2);
    let ev = |i: usize| &r.backend[i].event;
    assert_eq!(ev(3).detail.as_deref(), Some("/var/www/html/slow.php"));
    assert_eq!(ev(3).pid, Some(4242));
    assert_eq!(ev(2).detail.as_deref(), Some("SIGSEGV - core dumped"));
    assert_eq!(ev(6).pid, Some(23726));
    assert_eq!(ev(10).pid, Some(24635));
    assert_eq!(ev(10).time.as_deref(), Some("Sat Nov 21 11:11:23 2026"));
    assert_eq!(ev(12).detail.as_deref(), Some("killed by signal 9"));
    assert_eq!(ev(13).detail.as_deref(), Some("21573"));
    assert_eq!(ev(0).source, LogFormat::PhpFpm);
    assert_eq!(ev(10).source, LogFormat::Uwsgi);
    assert_eq!(ev(16).source, LogFormat::Node);
}

// ------------------------------------------------------------------ prefixes [hand-typed]

#[test]
fn systemctl_status_paste() {
    let text = repo_file("log/systemctl-status.txt");
    let r = parse(&text);
    let unrec: Vec<String> = r.unrecognized.iter().map(|u| scan::text(u.slice(&text))).collect();
    assert_eq!(r.unrecognized_count, 0, "{unrec:#?}");
    assert_eq!(r.format_count(LogFormat::ShellCommand), 1);
    let b: Vec<BackendKind> = r.backend.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(
        b,
        [
            BackendKind::SystemdFailed,
            BackendKind::SystemdFailed,
            BackendKind::PhpFpmMaxChildren { pool: "www".into(), n: 5 },
        ]
    );
    assert_eq!(
        r.backend[0].event.detail.as_deref(),
        Some("failed (Result: exit-code) since Sat 2026-11-21 11:05:40 UTC; 5s ago")
    );
    // `Failed with result` and `Failed to start` of nginx.service are one group.
    assert_eq!(r.backend[1].count, 2);
    assert_eq!(r.config_errors.len(), 1);
    assert_eq!(r.config_errors[0].line, Some(12));
    assert!(matches!(r.config_test, Some(ConfigTestOutcome::Failed { .. })));
}

/// Real nginx 1.22.1 lines for what happens after the header, client aborts and
/// client-side errors (tests/fixtures/log/capture.py).
#[test]
fn captured_nginx_1_22_after_header_and_client_side() {
    use ClientStatus as S;
    use EventKind as K;
    let text = repo_file("log/nginx-1.22-captured.log");
    let r = parse(&text);
    assert_eq!(r.unrecognized_count, 0);
    let got: Vec<(K, S, Option<Phase>)> =
        r.groups.iter().map(|g| (g.event.kind.clone(), g.event.status, g.event.phase)).collect();
    assert_eq!(
        got,
        [
            (K::PrematurelyClosed, S::Truncated, Some(Phase::ReadingUpstream)),
            (K::ClientClosed, S::S499, Some(Phase::SendingRequest)),
            // Passed on to 127.0.0.1 after [::1] was disabled: the access log says 200.
            (K::ConnectRefused, S::NotAnError, Some(Phase::Connecting)),
            (K::ServerTemporarilyDisabled, S::NotAnError, Some(Phase::Connecting)),
            (K::ConnectionReset, S::S502, Some(Phase::SendingRequest)),
        ]
    );
    assert_eq!(r.groups[2].event.upstream.as_ref().unwrap().host(), "::1");
    // The backend's close races nginx's writev: EPIPE or ECONNRESET, both ConnectionReset.
    assert!(matches!(r.groups[4].event.errno, Some(32 | 104)));
    assert_eq!(r.groups[1].event.level, Level::Info);
    // Not upstream evidence: `client closed connection while waiting for request`, the
    // static file's open() (13: Permission denied), the 413 body, start/stop notices.
    assert_eq!(r.other + r.event_count(), r.lines);
    assert!(r.other >= 3 + 10);

    let access = parse(&repo_file("log/nginx-1.22-captured.access.log"));
    let statuses: Vec<(u16, usize)> = access.access.iter().map(|g| (g.status, g.count)).collect();
    assert_eq!(statuses, [(200, 2), (499, 1), (403, 1), (413, 1), (502, 1)]);
    assert_eq!(access.format_count(LogFormat::AccessLog), 6);
}

#[test]
fn captured_node_stderr() {
    let text = repo_file("log/node-captured.log");
    let r = parse(&text);
    let unrec: Vec<String> = r.unrecognized.iter().map(|u| scan::text(u.slice(&text))).collect();
    let b: Vec<BackendKind> = r.backend.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(
        b,
        [
            BackendKind::NodeEaddrinuse { addr: "127.0.0.1:19610".into() },
            BackendKind::NodeConnectRefused { addr: "127.0.0.1:19611".into() }
        ]
    );
    // The stack and the error object around it are node's too; only the lone braces
    // and carets are left over.
    assert!(
        unrec
            .iter()
            .all(|l| matches!(l.trim(), "^" | "}" | "address: '127.0.0.1'," | "port: 19610" | "port: 19611")),
        "{unrec:#?}"
    );
}

/// Every message of nginx_upstream_messages.tsv, its placeholders filled in, must be
/// classified (not `Unclassified`, not "other"), except the client-side ones.
#[test]
fn every_reference_message_is_classified() {
    let tsv = String::from_utf8(repo_file("log/nginx_upstream_messages.tsv")).unwrap();
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (level, format, context, status) = (cols[2], cols[3], cols[4], cols[5]);
        let level = level.split(|c: char| !c.is_ascii_alphabetic()).next().unwrap_or("error");
        let level = if Level::from_bytes(level.as_bytes()).is_some() { level } else { "error" };
        let mut message = format
            .replace(
                "%V could not be resolved (%i: %s)",
                "backend.internal could not be resolved (3: Host not found)",
            )
            .replace("%s in upstream \"%V\"", "invalid port in upstream \"backend:99999\"")
            .replace(
                "\"%V: %V\", previous value: \"%V: %V\"",
                "\"Content-Length: 1\", previous value: \"Content-Length: 2\"",
            )
            .replace("(%l:%s)", "(18:self-signed certificate)")
            .replace("\"%*s\\x%02xd...\"", "\"Bad\\x20...\"")
            .replace(
                "(SSL: <openssl error queue>)",
                "(SSL: error:0A00010B:SSL routines::wrong version number)",
            )
            .replace("(SSL: ...)", "(SSL: error:0A000126:SSL routines::unexpected eof while reading)")
            .replace(
                "DNS error (%ui: %s), query id:%ui, name:\"%*s\"",
                "DNS error (1: Format error), query id:7, name:\"x\"",
            )
            .replace("bind(%V)", "bind(192.0.2.99)")
            .replace("%V", "127.0.0.1:8000")
            .replace("%ui", "3")
            .replace("%uz", "70000")
            .replace("%d", "72")
            .replace("%s", "x");
        // The errno nginx appends for these.
        for (prefix, errno) in [
            ("socket() failed", " (24: Too many open files)"),
            ("bind(", " (99: Cannot assign requested address)"),
            ("connect() to ", " (111: Connection refused)"),
            ("connect() failed", " (111: Connection refused)"),
            ("kevent() reported that connect() failed", " (111: Connection refused)"),
            ("recv() failed", " (104: Connection reset by peer)"),
            ("readv() failed", " (104: Connection reset by peer)"),
            ("writev() failed", " (32: Broken pipe)"),
            ("send() failed", " (104: Connection reset by peer)"),
            ("sendfile() failed", " (32: Broken pipe)"),
        ] {
            if message.starts_with(prefix) && !message.contains(" (1") {
                message.push_str(errno);
            }
        }
        let first_context = context.split(" | ").next().unwrap_or("").split(" / ").next().unwrap_or("");
        let (action, fields) = if let Some(resolver) =
            first_context.strip_prefix("while resolving, resolver: ")
        {
            (
                " while resolving".to_string(),
                format!(
                    ", resolver: {}",
                    resolver.split(' ').next().unwrap_or("").replace("%V", "127.0.0.53:53")
                ),
            )
        } else if let Some(a) = first_context.strip_prefix("while ") {
            let a = a.split(" (").next().unwrap_or(a);
            (format!(" while {a}"), ", client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"".to_string())
        } else if first_context.starts_with("current action") {
            (" while sending request to upstream".to_string(), ", client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"x\"".to_string())
        } else {
            (
                String::new(),
                ", client: 1.2.3.4, server: _, request: \"GET / HTTP/1.1\", host: \"x\"".to_string(),
            )
        };
        let line = format!("2026/11/21 11:05:52 [{level}] 1#1: *1 {message}{action}{fields}");
        let r = parse(line.as_bytes());
        checked += 1;
        let client_side = message.starts_with("client timed out") || message.starts_with("cache file");
        match r.groups.first() {
            _ if client_side => {}
            Some(g) if g.event.kind != EventKind::Unclassified => {
                // Spot-check the status column's leading number against ours.
                let want = status.split(|c: char| !c.is_ascii_digit()).next().unwrap_or("");
                let ours = g.event.status.code().map(|c| c.to_string()).unwrap_or_default();
                if ["500", "502", "504", "499"].contains(&want)
                    && want != ours
                    && !status.contains("unless retried")
                {
                    failures.push(format!("status {ours} != {want}: {line}"));
                }
            }
            _ => failures.push(format!("not classified: {line}")),
        }
    }
    assert!(checked >= 80, "{checked}");
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Real gunicorn 20.1.0 stderr (tests/fixtures/log/capture.py).
#[test]
fn captured_gunicorn_bind_and_boot_failures() {
    let text = repo_file("log/gunicorn-captured.log");
    let r = parse(&text);
    let unrec: Vec<String> = r.unrecognized.iter().map(|u| scan::text(u.slice(&text))).collect();
    assert_eq!(r.unrecognized_count, 0, "{unrec:#?}");
    assert!(r.format_count(LogFormat::PythonTraceback) > 10);
    let k: Vec<(BackendKind, usize)> = r.backend.iter().map(|g| (g.event.kind.clone(), g.count)).collect();
    assert_eq!(
        k,
        [
            (BackendKind::GunicornConnectionInUse { addr: "127.0.0.1:19620".into() }, 6),
            (BackendKind::GunicornListening { addr: "http://127.0.0.1:19621".into() }, 1),
            (BackendKind::GunicornBootFailed, 2),
        ]
    );
    assert_eq!(r.backend[2].event.detail.as_deref(), Some("Exception in worker process"));
}

/// Real php-fpm 8.2 log (tests/fixtures/log/capture.py).
#[test]
fn captured_php_fpm_bind_and_crashes() {
    let text = repo_file("log/php-fpm-captured.log");
    let r = parse(&text);
    assert_eq!(r.unrecognized_count, 0);
    assert_eq!(r.format_count(LogFormat::PhpFpm), r.lines);
    let k: Vec<BackendKind> = r.backend.iter().map(|g| g.event.kind.clone()).collect();
    assert_eq!(
        k,
        [
            BackendKind::PhpFpmBindFailed { addr: "127.0.0.1:19630".into(), errno: Some(98) },
            BackendKind::PhpFpmChildExited { signal: Some(11) },
            BackendKind::PhpFpmChildExited { signal: Some(9) },
        ]
    );
    assert_eq!(r.backend[1].event.detail.as_deref(), Some("SIGSEGV"));
    assert!(r.backend[2].event.pid.is_some());
}

#[test]
fn stream_module_and_subrequest_fields() {
    // [hand-typed] stream{} proxy: bare upstream, byte counters after it.
    let e = one(
        r#"2026/11/21 11:05:52 [error] 1#1: *5 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: 0.0.0.0:5432, upstream: "127.0.0.1:5433", bytes from/to client:0/0, bytes from/to upstream:0/0"#,
    );
    assert_eq!(e.kind, EventKind::ConnectRefused);
    let up = e.upstream.unwrap();
    assert_eq!((up.scheme(), up.target(), up.port()), ("", "127.0.0.1:5433", Some(5433)));
    // [hand-typed] auth_request subrequest; a quote inside the request line.
    let e = one(
        r#"2026/11/21 11:05:52 [error] 1#1: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, server: _, request: "GET /a"b HTTP/1.1", subrequest: "/auth", upstream: "http://127.0.0.1:9000/auth", host: "x""#,
    );
    assert_eq!(e.request(), Some("GET /a\"b HTTP/1.1"));
    assert_eq!(e.subrequest(), Some("/auth"));
    assert_eq!(e.upstream.as_ref().unwrap().uri(), "/auth");
    assert_eq!(e.host(), Some("x"));
}

/// Every scenario the lab has captured (whatever their number): the statuses the real
/// client got must be the statuses our events predict. A 502/504/500 needs an event
/// that gives it; a run where the client got no 5xx must have no event predicting one.
#[test]
fn lab_client_statuses_agree_with_predicted_statuses() {
    let dir = format!("{}/../../tests/fixtures/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("meta.json").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 38, "{names:?}");
    for name in &names {
        let meta: serde_json::Value =
            serde_json::from_slice(&repo_file(&format!("scenarios/{name}/meta.json"))).unwrap();
        let logs: Vec<&str> =
            meta["inputs"]["log"].as_array().unwrap().iter().filter_map(|v| v.as_str()).collect();
        let got: Vec<u64> = meta["client"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|c| c["statuses"].as_array().unwrap().iter().filter_map(serde_json::Value::as_u64))
            .collect();
        let mut predicted = Vec::new();
        for log in &logs {
            let text = repo_file(&format!("scenarios/{name}/{log}"));
            let r = parse(&text);
            if *log == "error.log" || *log == "nginx-t.txt" {
                assert_eq!(r.unrecognized_count, 0, "{name}/{log}");
            }
            predicted.extend(r.groups.iter().flat_map(|g| g.statuses.iter().filter_map(|s| s.code())));
        }
        // With retries off, a refusal followed by "upstream server temporarily disabled" was a 502,
        // though the same two lines mean "passed on" by default: only the config tells.
        let retries_off = std::fs::read_to_string(format!("{dir}/{name}/nginx-T.txt"))
            .is_ok_and(|c| c.contains("proxy_next_upstream off;"));
        for status in [500u16, 502, 504] {
            if got.contains(&u64::from(status)) && !retries_off {
                assert!(
                    predicted.contains(&status),
                    "{name}: client got {status}, events predict {predicted:?}"
                );
            }
        }
        if !got.iter().any(|s| *s >= 500) {
            assert!(
                predicted.iter().all(|s| *s < 500),
                "{name}: client got {got:?}, events predict {predicted:?}"
            );
        }
    }
}

#[test]
fn uwsgi_worker_death_wordings() {
    // [hand-typed] from the format strings of uWSGI 2.0.30 and HEAD (backend_messages.tsv).
    let r = parse(
        b"DAMN ! worker 2 (pid: 77) MISTERIOUSLY killed by signal 9 :( trying respawn ...\n\
          DAMN ! worker 3 (pid: 78) MYSTERIOUSLY killed by signal 11 :( trying respawn ...\n\
          DAMN ! worker 1 (pid: 76) died :( trying respawn ...\n",
    );
    let g = &r.backend[0];
    assert_eq!((g.event.kind.clone(), g.count), (BackendKind::UwsgiWorkerDied, 3));
    assert_eq!(g.event.detail.as_deref(), Some("MISTERIOUSLY killed by signal 9"));
    assert_eq!(g.event.pid, Some(77));
}

/// `upstream server temporarily disabled` after a request's first failure: nginx passed the
/// request on to the upstream's next server, so that failure did not decide the status.
/// Real captures: localhost meaning [::1] and 127.0.0.1 (retried on 127.0.0.1, the client got
/// 200), and an upstream of two dead servers (the second failure decided: 502).
#[test]
fn failures_passed_on_to_another_server() {
    let status_of = |r: &LogReport, port: &str| {
        let g = r
            .groups
            .iter()
            .find(|g| {
                g.event.kind == EventKind::ConnectRefused
                    && g.event.upstream.as_ref().unwrap().raw.contains(port)
            })
            .unwrap();
        (g.event.status, g.statuses.clone())
    };
    let r = parse(&repo_file("scenarios/localhost-ipv6-first/error.log"));
    assert_eq!(status_of(&r, "[::1]:19401"), (ClientStatus::NotAnError, vec![ClientStatus::NotAnError]));
    let r = parse(&repo_file("scenarios/no-live-upstreams/error.log"));
    assert_eq!(status_of(&r, ":19081"), (ClientStatus::NotAnError, vec![ClientStatus::NotAnError]));
    assert_eq!(status_of(&r, ":19082"), (ClientStatus::S502, vec![ClientStatus::S502]));
    // Without the warning (error_log at its default level, or a single server) nothing changes.
    let log = repo_file("scenarios/localhost-ipv6-first/error.log");
    let text = String::from_utf8(log).unwrap();
    let no_warn: String = text.lines().filter(|l| !l.contains("[warn]")).map(|l| format!("{l}\n")).collect();
    assert_eq!(status_of(&parse(no_warn.as_bytes()), "[::1]:19401").0, ClientStatus::S502);
    // Another connection's warning does not count.
    let other = text.replacen("*1 upstream server temporarily", "*2 upstream server temporarily", 1);
    assert_eq!(status_of(&parse(other.as_bytes()), "[::1]:19401").0, ClientStatus::S502);
}

#[test]
fn event_texts_keep_absent_apart_from_empty_and_each_field_its_own() {
    let t = Texts::new([
        Some(b"2026/11/21 11:05:52"),
        None,
        Some(b""),
        Some(b"caf\xc3\xa9"),
        None,
        Some(b"\xff1.2.3.4"),
        None,
        None,
        None,
        None,
        Some(b"last"),
    ]);
    assert_eq!(t.get(TIME), Some("2026/11/21 11:05:52"));
    assert_eq!(t.get(ERRNO_TEXT), None);
    assert_eq!(t.get(PEER), Some(""), "present but empty is not absent");
    assert_eq!(t.get(NAME), Some("café"));
    assert_eq!(t.get(DETAIL), None);
    assert_eq!(t.get(CLIENT), Some("\u{fffd}1.2.3.4"), "invalid UTF-8 is replaced, as before");
    assert_eq!(t.get(REFERRER), Some("last"));
    assert_eq!(t.get(TEXT_FIELDS), None, "out of range");
}

#[test]
fn upstream_field_parts_from_one_string() {
    let parts = |raw: &str| {
        let u = UpstreamField::parse(raw.as_bytes()).unwrap();
        (
            u.scheme().to_owned(),
            u.target().to_owned(),
            u.host().to_owned(),
            u.port(),
            u.unix_path().map(str::to_owned),
            u.uri().to_owned(),
        )
    };
    let s = |x: &str| x.to_owned();
    assert_eq!(
        parts("http://127.0.0.1:8000/a?b"),
        (s("http"), s("127.0.0.1:8000"), s("127.0.0.1"), Some(8000), None, s("/a?b"))
    );
    assert_eq!(
        parts("fastcgi://unix:/run/php/fpm.sock:"),
        (s("fastcgi"), s("unix:/run/php/fpm.sock"), s(""), None, Some(s("/run/php/fpm.sock")), s(""))
    );
    assert_eq!(
        parts("http://unix:/run/app.sock:/x"),
        (s("http"), s("unix:/run/app.sock"), s(""), None, Some(s("/run/app.sock")), s("/x"))
    );
    assert_eq!(
        parts("https://[::1]:8443/"),
        (s("https"), s("[::1]:8443"), s("::1"), Some(8443), None, s("/"))
    );
    assert_eq!(parts("http://backend/x"), (s("http"), s("backend"), s("backend"), None, None, s("/x")));
    assert_eq!(
        parts("127.0.0.1:5433"),
        (s(""), s("127.0.0.1:5433"), s("127.0.0.1"), Some(5433), None, s(""))
    );
    assert!(UpstreamField::parse(b"http://").is_none());
    let json = serde_json::to_string(&UpstreamField::parse(b"http://unix:/a.sock:/x").unwrap()).unwrap();
    assert_eq!(
        json,
        r#"{"raw":"http://unix:/a.sock:/x","scheme":"http","target":"unix:/a.sock","host":"","port":null,"unix_path":"/a.sock","uri":"/x"}"#
    );
}
