//! Tests on output captured from the real tools (`tests/fixtures/listeners/captured/`, made by
//! `capture.py`) and on hand-written samples of tools that cannot run here (`handwritten/`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

macro_rules! fixture {
    ($p:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/listeners/", $p)).as_slice()
    };
}

/// A lab scenario's listeners paste (tests/fixtures/scenarios/NAME/listeners.txt).
macro_rules! fixture_scenario {
    ($name:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/scenarios/", $name, "/listeners.txt")).as_slice()
    };
}

fn text(src: &[u8], r: TextRange) -> &str {
    std::str::from_utf8(r.slice(src)).unwrap()
}

fn on_port(r: &ListenerReport, port: u16) -> Vec<&Listener> {
    r.listeners.iter().filter(|l| l.port == Some(port)).collect()
}

fn one(r: &ListenerReport, port: u16) -> &Listener {
    let v = on_port(r, port);
    assert_eq!(v.len(), 1, "listeners on {port}: {v:?}");
    v[0]
}

fn formats(r: &ListenerReport) -> Vec<(Format, usize)> {
    r.sections.iter().map(|s| (s.format, s.rows)).collect()
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

/// pid of the first process in the captured `ps -ef` whose command starts with `prefix`:
/// the captures are re-made by capture.py, so pids are looked up, never written down.
fn pid_of(prefix: &str) -> u32 {
    parse(fixture!("captured/ps_ef.txt"))
        .facts
        .iter()
        .find_map(|f| match f {
            ProbeFact::Process { pid, command, .. } if command.starts_with(prefix) => Some(*pid),
            _ => None,
        })
        .unwrap()
}

fn listeners_py() -> u32 {
    pid_of("/root/.pyenv/versions/3.11.7/bin/python3 /tmp/badgateway-listeners/listeners.py")
}

const LO: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const LO6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

/// The listeners capture.py opens, as every ss inet table must show them.
fn check_ss_inet(src: &[u8], r: &ListenerReport, with_processes: bool) {
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let l = one(r, 17001);
    assert_eq!(l.bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
    assert_eq!((l.recv_q, l.send_q), (Some(0), Some(5)));
    assert_eq!(l.state.as_deref(), Some("LISTEN"));
    assert_eq!(text(src, l.addr_range), "127.0.0.1:17001");
    assert_eq!(one(r, 17002).bind, Bind::AnyV4);
    assert_eq!(one(r, 17003).bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(text(src, one(r, 17003).addr_range), "[::1]:17003");
    assert_eq!(one(r, 17004).bind, Bind::AnyV6 { v6only: Some(false) });
    assert_eq!(one(r, 17005).bind, Bind::AnyV6 { v6only: Some(true) });
    assert_eq!(one(r, 17006).bind, Bind::Ipv6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()));
    assert_eq!(one(r, 17006).bind.mapped_v4(), Some(Ipv4Addr::LOCALHOST));
    let dev = one(r, 17007);
    assert_eq!(dev.interface.as_deref(), Some("lo"));
    assert_eq!(text(src, dev.addr_range), "127.0.0.1%lo:17007");
    let full = one(r, 17009);
    assert_eq!((full.recv_q, full.send_q), (Some(1), Some(0)));
    assert!(full.backlog_full());
    assert!(!one(r, 17001).backlog_full());
    assert_eq!(one(r, 17010).send_q, Some(2048));
    assert!(r.listeners.iter().all(|l| l.format == Format::SsTcp && l.kind != SocketKind::Unix));
    if with_processes {
        let nginx = one(r, 17080);
        assert_eq!(nginx.processes.len(), 2);
        assert!(nginx.processes.iter().all(|p| p.name == "nginx" && p.fd == Some(4) && p.pid.is_some()));
        let g = one(r, 17010);
        assert_eq!(g.processes[0].name, "gunicorn");
        assert_eq!(
            one(r, 17001).processes[0],
            ProcessRef { name: "python3".into(), pid: Some(listeners_py()), fd: Some(3), user: None }
        );
    } else {
        assert!(r.listeners.iter().all(|l| l.processes.is_empty()));
    }
}

#[test]
fn ss_tlnp_captured() {
    let src = fixture!("captured/ss_tlnp.txt");
    let r = parse(src);
    check_ss_inet(src, &r, true);
    assert_eq!(r.listeners.len(), 10);
    assert_eq!(formats(&r), vec![(Format::SsTcp, 10)]);
    assert_eq!(r.sections[0].format.label(), "ss -tlnp");
}

#[test]
fn ss_ltn_and_headerless_captured() {
    let src = fixture!("captured/ss_ltn.txt");
    let r = parse(src);
    check_ss_inet(src, &r, false);
    let src = fixture!("captured/ss_Htlnp.txt");
    let r = parse(src);
    check_ss_inet(src, &r, true);
    assert_eq!(formats(&r), vec![(Format::SsTcp, 10)]);
}

#[test]
fn ss_tulpn_captured_has_udp() {
    let src = fixture!("captured/ss_tulpn.txt");
    let r = parse(src);
    check_ss_inet(src, &r, true);
    let udp = one(&r, 17008);
    assert_eq!(udp.kind, SocketKind::Udp);
    assert_eq!(udp.state.as_deref(), Some("UNCONN"));
    assert!(udp.is_listening());
    assert_eq!(one(&r, 17001).kind, SocketKind::Tcp);
}

#[test]
fn ss_as_non_root_shows_no_foreign_processes() {
    let src = fixture!("captured/ss_tlnp_as_nobody.txt");
    let r = parse(src);
    assert_eq!(r.listeners.len(), 10);
    let nginx = one(&r, 17080);
    assert_eq!(nginx.processes.len(), 1);
    assert_eq!(nginx.processes[0].pid, Some(pid_of("nginx: worker process")));
    assert!(one(&r, 17010).processes.is_empty());
}

#[test]
fn ss_unix_captured() {
    for (src, procs) in [(fixture!("captured/ss_xlp.txt"), true), (fixture!("captured/ss_xl.txt"), false)] {
        let r = parse(src);
        assert!(r.unrecognized.is_empty());
        assert_eq!(formats(&r), vec![(Format::SsUnix, 6)]);
        assert!(r.listeners.iter().all(|l| l.kind == SocketKind::Unix && l.port.is_none()));
        let full: Vec<_> = r.listeners_on_path("/tmp/badgateway-listeners/sock/full.sock").collect();
        assert_eq!(full.len(), 1);
        assert!(full[0].backlog_full());
        assert_eq!(text(src, full[0].addr_range), "/tmp/badgateway-listeners/sock/full.sock");
        let abs: Vec<_> = r.listeners_on_path("@badgateway-abstract").collect();
        assert_eq!(abs[0].bind, Bind::Abstract("badgateway-abstract".into()));
        let fpm = r.listeners_on_path("/tmp/badgateway-listeners/sock/php-fpm.sock").next().unwrap();
        assert_eq!(fpm.send_q, Some(4096));
        if procs {
            assert_eq!(fpm.processes.len(), 3);
            assert!(fpm.processes.iter().all(|p| p.name == "php-fpm8.2"));
            assert_eq!(backend_kind(&fpm.processes[0].name), BackendKind::AppServer(AppServer::PhpFpm));
        } else {
            assert!(fpm.processes.is_empty());
        }
    }
}

fn check_netstat_inet(src: &[u8], r: &ListenerReport, root: bool) {
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    assert_eq!(one(r, 17001).bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
    assert_eq!(one(r, 17002).bind, Bind::AnyV4);
    assert_eq!(one(r, 17003).bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(text(src, one(r, 17003).addr_range), "::1:17003");
    // netstat cannot tell dual-stack from V6ONLY, nor show the %lo binding.
    assert_eq!(one(r, 17004).bind, Bind::AnyV6 { v6only: None });
    assert_eq!(one(r, 17005).bind, Bind::AnyV6 { v6only: None });
    assert_eq!(one(r, 17006).bind, Bind::Ipv6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()));
    assert_eq!(one(r, 17007).interface, None);
    // netstat's Send-Q is 0 on every listener: a waiting connection is visible, a full
    // queue is not.
    assert_eq!(one(r, 17009).queued(), Some(1));
    assert!(!one(r, 17009).backlog_full());
    let nginx = one(r, 17080);
    assert_eq!(nginx.processes.len(), 1);
    if root {
        // `PID/name` is cut to 19 characters: how much of the name shows depends on the pid.
        assert!(nginx.processes[0].name.starts_with("nginx: master"));
        assert_eq!(one(r, 17001).processes[0].pid, Some(listeners_py()));
    } else {
        assert!(nginx.processes[0].name.starts_with("nginx: worker"));
        assert!(one(r, 17001).processes.is_empty());
    }
    assert!(r.listeners.iter().all(|l| l.format == Format::Netstat));
}

#[test]
fn netstat_captured() {
    let src = fixture!("captured/netstat_tlnp.txt");
    let r = parse(src);
    check_netstat_inet(src, &r, true);
    assert_eq!(formats(&r), vec![(Format::Netstat, 10)]);
    let src = fixture!("captured/netstat_tulnp.txt");
    let r = parse(src);
    check_netstat_inet(src, &r, true);
    let udp = one(&r, 17008);
    assert_eq!((udp.kind, udp.state.as_deref()), (SocketKind::Udp, None));
    let src = fixture!("captured/netstat_tlnp_as_nobody.txt");
    let r = parse(src);
    check_netstat_inet(src, &r, false);
}

#[test]
fn netstat_unix_captured() {
    let src = fixture!("captured/netstat_xlp.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::NetstatUnix, 6)]);
    let fpm = r.listeners_on_path("/tmp/badgateway-listeners/sock/php-fpm.sock").next().unwrap();
    assert!(fpm.processes[0].name.starts_with("php-fpm: mast"));
    assert_eq!(fpm.processes[0].pid, Some(pid_of("php-fpm: master process")));
    assert_eq!(text(src, fpm.addr_range), "/tmp/badgateway-listeners/sock/php-fpm.sock");
    assert!(r.listeners_on_path("@badgateway-abstract").next().is_some());
    assert!(r.listeners.iter().all(|l| l.recv_q.is_none() && !l.backlog_full()));
}

#[test]
fn names_without_n_captured() {
    // `ss -tlp`, `netstat -tlp`, `lsof -iTCP`: host and service names instead of numbers.
    for (src, format) in [
        (fixture!("captured/ss_tlp_names.txt"), Format::SsTcp),
        (fixture!("captured/netstat_tlp_names.txt"), Format::Netstat),
        (fixture!("captured/lsof_tcp_listen_names.txt"), Format::Lsof),
    ] {
        let r = parse(src);
        assert!(
            r.unrecognized.is_empty(),
            "{:?}",
            r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
        );
        assert_eq!(r.sections.len(), 1);
        assert_eq!(r.sections[0].format, format);
        assert_eq!(on_port(&r, 17080)[0].bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
        assert_eq!(one(&r, 17001).bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
        assert!(one(&r, 17001).accepts(LO, 17001));
        // 17004 is `sgi-cad` in /etc/services: the row is read, its port is not known.
        let named: Vec<_> = r.listeners.iter().filter(|l| l.port.is_none()).collect();
        assert_eq!(named.len(), 1, "{named:?}");
        assert!(matches!(named[0].bind, Bind::AnyV6 { .. }));
    }
    let n = parse(fixture!("captured/netstat_tlp_names.txt"));
    // Without -n netstat brackets the IPv6 wildcard: `[::]:17005`.
    assert_eq!(one(&n, 17005).bind, Bind::AnyV6 { v6only: None });
    assert_eq!(one(&n, 17003).bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
}

#[test]
fn lsof_captured() {
    let src = fixture!("captured/lsof_tcp_listen.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::Lsof, 12)]);
    assert_eq!(one(&r, 17002).bind, Bind::AnyV4);
    assert_eq!(one(&r, 17004).bind, Bind::AnyV6 { v6only: None });
    assert_eq!(one(&r, 17003).bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(one(&r, 17006).bind, Bind::Ipv6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()));
    let nginx = on_port(&r, 17080);
    assert_eq!(nginx.len(), 2);
    assert_eq!(
        nginx.iter().find(|l| l.processes[0].user.as_deref() == Some("nobody")).unwrap().processes[0],
        ProcessRef {
            name: "nginx".into(),
            pid: Some(pid_of("nginx: worker process")),
            fd: Some(4),
            user: Some("nobody".into())
        }
    );
    assert_eq!(text(src, nginx[0].addr_range), "127.0.0.1:17080");

    assert_eq!(r.nginx_worker_user(), Some("nobody"));

    let src = fixture!("captured/lsof_U.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::LsofUnix, 9)]);
    assert_eq!(r.listeners_on_path("/tmp/badgateway-listeners/sock/php-fpm.sock").count(), 3);
    assert_eq!(r.listeners_on_path("@badgateway-abstract").count(), 1);
}

#[test]
fn ls_socket_dir_captured() {
    let src = fixture!("captured/ls_l_sock.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::LsSockets, 6)]);
    let file = |n: &str| r.socket_files.iter().find(|f| f.path == n).unwrap();
    let f = file("php-fpm.sock");
    assert_eq!(
        (f.path.as_str(), f.owner.as_str(), f.group.as_str(), f.mode, f.is_socket),
        ("php-fpm.sock", "root", "www-data", 0o660, true)
    );
    assert_eq!(file("private.sock").mode, 0o600);
    assert_eq!(file("gunicorn.sock").mode, 0o777);
}

#[test]
fn ps_captured() {
    for src in [fixture!("captured/ps_aux.txt"), fixture!("captured/ps_ef.txt")] {
        let r = parse(src);
        assert!(r.unrecognized.is_empty());
        assert_eq!(formats(&r), vec![(Format::Ps, 8)]);
        let procs: Vec<_> = r
            .facts
            .iter()
            .filter_map(|f| match f {
                ProbeFact::Process { user, pid, command, is_nginx_worker, is_nginx_master, .. } => {
                    Some((user.as_str(), *pid, command.as_str(), *is_nginx_worker, *is_nginx_master))
                }
                _ => None,
            })
            .collect();
        assert_eq!(r.nginx_worker_user(), Some("nobody"));
        let worker = procs.iter().find(|p| p.3).unwrap();
        assert_eq!((worker.0, worker.2), ("nobody", "nginx: worker process"));
        assert_eq!(procs.iter().filter(|p| p.4).count(), 1);
        assert_eq!(
            procs.iter().filter(|p| backend_kind(p.2) == BackendKind::AppServer(AppServer::Gunicorn)).count(),
            2
        );
        assert_eq!(
            procs.iter().filter(|p| backend_kind(p.2) == BackendKind::AppServer(AppServer::PhpFpm)).count(),
            3
        );
    }
}

fn probe(r: &ListenerReport) -> (&str, bool, Option<&str>, Option<&str>) {
    match r.facts.as_slice() {
        [ProbeFact::DirectProbe { target, connected, errno_text, status_line, .. }] => {
            (target, *connected, errno_text.as_deref(), status_line.as_deref())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn curl_captured() {
    let r = parse(fixture!("captured/curl_v_live.txt"));
    assert!(r.unrecognized.is_empty());
    assert_eq!(probe(&r), ("127.0.0.1:17010", true, None, Some("HTTP/1.1 200 OK")));
    let r = parse(fixture!("captured/curl_v_dead.txt"));
    assert!(r.unrecognized.is_empty());
    assert_eq!(probe(&r), ("127.0.0.1:17999", false, Some("Connection refused"), None));
    let r = parse(fixture!("captured/curl_v_nginx_502.txt"));
    assert_eq!(probe(&r), ("127.0.0.1:17080", true, None, Some("HTTP/1.1 502 Bad Gateway")));
    let r = parse(fixture!("captured/curl_v_ipv6_refused.txt"));
    assert!(r.unrecognized.is_empty());
    assert_eq!(probe(&r), ("[::1]:17010", false, Some("Connection refused"), None));
    let r = parse(fixture!("captured/curl_v_unix_socket.txt"));
    assert!(r.unrecognized.is_empty());
    assert_eq!(
        probe(&r),
        ("/tmp/badgateway-listeners/sock/gunicorn.sock", true, None, Some("HTTP/1.1 200 OK"))
    );
    let r = parse(fixture!("captured/curl_v_tls_to_plain.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(
        matches!(&r.facts[..], [ProbeFact::DirectProbe { connected: true, tls: true, status_line: None, errno_text: Some(e), .. }]
        if e.contains("SSL_ERROR_SYSCALL"))
    );
    let r = parse(fixture!("captured/curl_I_live.txt"));
    assert!(r.unrecognized.is_empty());
    assert_eq!(probe(&r), ("", true, None, Some("HTTP/1.1 200 OK")));
    let mut with_cmd = b"$ curl -I http://127.0.0.1:17010/\n".to_vec();
    with_cmd.extend_from_slice(fixture!("captured/curl_I_live.txt"));
    assert_eq!(probe(&parse(&with_cmd)).0, "127.0.0.1:17010");
    with_cmd.extend_from_slice(b"so it works\nNote: but nginx says 502\n");
    assert_eq!(parse(&with_cmd).unrecognized.len(), 2);
}

#[test]
fn mixed_paste_captured() {
    let src = fixture!("captured/paste_mixed.txt");
    let r = parse(src);
    assert_eq!(
        formats(&r),
        vec![(Format::SsTcp, 10), (Format::LsSockets, 6), (Format::NetstatUnix, 6), (Format::Curl, 1)]
    );
    assert_eq!(r.commands.len(), 4);
    assert_eq!(text(src, r.sections[0].command.unwrap()), "ss -tlnp");
    assert_eq!(text(src, r.sections[2].command.unwrap()), "netstat -xlp");
    assert_eq!(r.unrecognized.len(), 4);
    assert!(r.unrecognized.iter().all(|u| text(src, *u) == "and here is the next one"));
    // `ls -l DIR/` then relative names: the directory is joined in.
    let fpm = r.socket_files.iter().find(|f| f.path.ends_with("php-fpm.sock")).unwrap();
    assert_eq!(fpm.path, "/tmp/badgateway-listeners/sock/php-fpm.sock");
    assert!(r.socket_file("/tmp/badgateway-listeners/sock/stale.sock").is_some_and(|f| f.is_socket));
    // stale.sock exists as a file but nothing listens on it.
    assert_eq!(r.listeners_on_path("/tmp/badgateway-listeners/sock/stale.sock").count(), 0);
    for l in &r.listeners {
        assert_eq!(l.range.slice(src).last(), text(src, l.range).as_bytes().last());
        assert!(text(src, l.range).contains(text(src, l.addr_range)));
    }
}

#[test]
fn accepts_follows_socket_semantics() {
    let r = parse(fixture!("captured/ss_tlnp.txt"));
    let at = |p| one(&r, p);
    // 127.0.0.1 accepts only itself.
    assert!(at(17001).accepts(LO, 17001));
    assert!(!at(17001).accepts(v4(127, 0, 0, 2), 17001));
    assert!(!at(17001).accepts(LO6, 17001));
    assert!(!at(17001).accepts(LO, 17002));
    // 0.0.0.0 accepts any IPv4, no IPv6.
    assert!(at(17002).accepts(v4(127, 0, 0, 53), 17002));
    assert!(!at(17002).accepts(LO6, 17002));
    // v4-mapped destination counts as IPv4.
    assert!(at(17002).accepts(IpAddr::V6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()), 17002));
    // [::1] only ::1: the "node bound to localhost" case.
    assert!(at(17003).accepts(LO6, 17003));
    assert!(!at(17003).accepts(LO, 17003));
    // dual-stack * accepts both; V6ONLY [::] only IPv6.
    assert!(at(17004).accepts(LO, 17004) && at(17004).accepts(LO6, 17004));
    assert!(at(17005).accepts(LO6, 17005));
    assert!(!at(17005).accepts(LO, 17005));
    // v4-mapped bind accepts its IPv4 address.
    assert!(at(17006).accepts(LO, 17006));
    assert!(!at(17006).accepts(LO6, 17006));
    assert_eq!(r.listeners_accepting(LO, 17004).count(), 1);

    assert!(at(17007).accepts(LO, 17007), "127.0.0.1%lo");
    let eth = parse(b"LISTEN 0 5 0.0.0.0%eth0:8080 0.0.0.0:*\n");
    assert!(!eth.listeners[0].accepts(LO, 8080));
    assert!(eth.listeners[0].accepts(v4(10, 0, 0, 5), 8080));

    let n = parse(fixture!("captured/netstat_tlnp.txt"));
    let any6 = one(&n, 17005);
    assert_eq!(any6.accepts_certainly(LO, 17005), None);
    assert!(any6.accepts(LO, 17005));
    assert_eq!(any6.accepts_certainly(LO6, 17005), Some(true));
}

#[test]
fn prompts_and_noise_are_tolerated() {
    let src = b"Here is my output:\n\
user@host:~$ sudo ss -tlnp | grep 8000\n\
LISTEN 0      2048       127.0.0.1:8000      0.0.0.0:*    users:((\"gunicorn\",pid=12,fd=5))\n\
[root@web1 ~]# netstat -tlnp\n\
tcp        0      0 127.0.0.1:8000          0.0.0.0:*               LISTEN      12/gunicorn\n\
thanks!\n";
    let r = parse(src);
    assert_eq!(formats(&r), vec![(Format::SsTcp, 1), (Format::Netstat, 1)]);
    assert_eq!(r.commands.len(), 2);
    assert_eq!(r.unrecognized.len(), 2);
    assert_eq!(text(src, r.sections[0].command.unwrap()), "sudo ss -tlnp | grep 8000".get(5..).unwrap());
    assert!(r.listeners.iter().all(|l| l.processes[0].name == "gunicorn" && l.processes[0].pid == Some(12)));
}

#[test]
fn ss_corner_cases() {
    // No State column (`ss -tn state listening`), systemd-resolved, service names, -e extras.
    let src = b"Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n\
0      4096      127.0.0.53%lo:53         0.0.0.0:*     users:((\"systemd-resolve\",pid=511,fd=14))\n\
0      128         0.0.0.0:ssh        0.0.0.0:*     ino:41342 sk:2 cgroup:/ <->\n";
    let r = parse(src);
    assert!(r.unrecognized.is_empty(), "{:?}", r.unrecognized);
    assert_eq!(r.listeners.len(), 2);
    assert_eq!(r.listeners[0].interface.as_deref(), Some("lo"));
    assert_eq!(backend_kind(&r.listeners[0].processes[0].name), BackendKind::SystemDaemon);
    assert_eq!(r.listeners[1].port, Some(22));
    assert!(r.listeners[1].processes.is_empty());
    // Connection rows are read but are not listeners.
    let r = parse(b"ESTAB 0 0 127.0.0.1:8000 127.0.0.1:51234 users:((\"gunicorn\",pid=1,fd=9))\n");
    assert!(r.listeners.is_empty() && r.unrecognized.is_empty());
    // A unix socket without a Netid column.
    let r = parse(b"LISTEN 0 128 /run/php/php8.2-fpm.sock 4242 * 0 users:((\"php-fpm8.2\",pid=1,fd=8))\n");
    assert_eq!(r.listeners[0].bind, Bind::Unix("/run/php/php8.2-fpm.sock".into()));
}

#[test]
fn tables_split_at_headers_and_mixed_ss_stays_one() {
    // Two outputs pasted back to back without prompts: two sections.
    let mut src = fixture!("captured/ss_tlnp.txt").to_vec();
    src.extend_from_slice(fixture!("captured/ss_xlp.txt"));
    src.extend_from_slice(fixture!("captured/netstat_tlnp.txt"));
    src.extend_from_slice(fixture!("captured/netstat_xlp.txt"));
    let r = parse(&src);
    assert_eq!(
        formats(&r),
        vec![(Format::SsTcp, 10), (Format::SsUnix, 6), (Format::Netstat, 10), (Format::NetstatUnix, 6)]
    );
    // `ss -tlnpx`: one table with tcp and u_str rows.
    let src = b"Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess
tcp   LISTEN 0      511        127.0.0.1:80         0.0.0.0:*    users:((\"nginx\",pid=2,fd=6))
u_str LISTEN 0      4096   /run/php/php8.2-fpm.sock 4242  * 0    users:((\"php-fpm8.2\",pid=3,fd=8))
tcp   LISTEN 0      2048       127.0.0.1:8000       0.0.0.0:*    users:((\"gunicorn\",pid=4,fd=5))
";
    let r = parse(src);
    assert_eq!(formats(&r), vec![(Format::SsTcp, 3)]);
    assert_eq!(r.listeners[1].kind, SocketKind::Unix);
    assert_eq!(r.listeners[2].processes[0].name, "gunicorn");
}

#[test]
fn grep_filtered_outputs_without_headers() {
    let src = b"$ sudo ls -la /run/php/
total 4
drwxr-xr-x  2 www-data www-data  80 Nov 21 11:02 .
drwxr-xr-x 30 root     root     880 Nov 21 10:58 ..
-rw-r--r--  1 root     root       4 Nov 21 11:02 php8.2-fpm.pid
srw-rw----  1 www-data www-data   0 Nov 21 11:02 php8.2-fpm.sock
lrwxrwxrwx  1 root     root      30 Nov 21 11:02 php-fpm.sock -> /etc/alternatives/php-fpm.sock
$ ls -ld /run/gunicorn
drwx------ 2 app app 60 2026-11-21 11:02 /run/gunicorn
$ sudo lsof -i :8000
gunicorn 1234 app    5u  IPv4  41342      0t0  TCP 127.0.0.1:8000 (LISTEN)
nginx    1301 www-data 12u IPv4 41999     0t0  TCP 127.0.0.1:51000->127.0.0.1:8000 (ESTABLISHED)
$ netstat -anp | grep 8000
tcp        0      0 127.0.0.1:8000          0.0.0.0:*               LISTEN      1234/gunicorn: mast
tcp        0      0 127.0.0.1:51000         127.0.0.1:8000          ESTABLISHED 1301/nginx: worker 
$ ps aux | grep -E 'nginx|gunicorn'
root        1300  0.0  0.1  55280  1524 ?        Ss   10:58   0:00 nginx: master process /usr/sbin/nginx -g daemon on; master_process on;
www-data    1301  0.0  0.2  55912  5380 ?        S    10:58   0:00 nginx: worker process
app         1234  0.1  1.2 101234 25000 ?        Ss   10:58   0:02 /srv/app/venv/bin/python3 /srv/app/venv/bin/gunicorn app:app
$ docker ps | grep web
3f4e1a2b9c0d   myapp:latest   \"gunicorn -b 0.0.0.0\"   2 hours ago   Up 2 hours   0.0.0.0:8080->8000/tcp   web
";
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let files: Vec<_> =
        r.socket_files.iter().map(|f| (f.path.as_str(), f.mode, f.is_socket, f.is_dir)).collect();
    assert_eq!(
        files,
        vec![
            ("/run/php", 0o755, false, true),
            ("/run/php/..", 0o755, false, true),
            ("/run/php/php8.2-fpm.pid", 0o644, false, false),
            ("/run/php/php8.2-fpm.sock", 0o660, true, false),
            ("/run/php/php-fpm.sock", 0o777, false, false),
            ("/run/gunicorn", 0o700, false, true),
        ]
    );
    // lsof and netstat: the LISTEN rows are listeners, the connections are not.
    let on8000: Vec<_> = r.listeners.iter().filter(|l| l.port == Some(8000)).map(|l| l.format).collect();
    assert_eq!(on8000, vec![Format::Lsof, Format::Netstat]);
    assert_eq!(r.listeners[1].processes[0].name, "gunicorn: mast");
    let workers: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::Process { user, is_nginx_worker: true, .. } => Some(user.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(workers, vec!["www-data"]);
    let web = r.listeners.iter().find(|l| l.format == Format::DockerPs).unwrap();
    assert_eq!((web.port, web.container_port), (Some(8080), Some(8000)));
    assert_eq!(r.sections.len(), 6);
}

#[test]
fn markdown_fences_and_ss_details_are_not_noise() {
    let src = b"```console\n$ ss -tlnpm\nState  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\nLISTEN 0      2048       127.0.0.1:8000       0.0.0.0:*    users:((\"gunicorn\",pid=4,fd=5))\n\t skmem:(r0,rb131072,t0,tb16384,f0,w0,o0,bl0,d0)\n```\n";
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    assert_eq!(formats(&r), vec![(Format::SsTcp, 1)]);
}

#[test]
fn systemctl_status_handwritten() {
    let src = fixture!("handwritten/systemctl_status_failed.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    assert_eq!(formats(&r).len(), 1);
    match &r.facts[0] {
        ProbeFact::ServiceStatus { unit, active, sub, main_pid, exit_reason, .. } => {
            assert_eq!(unit, "php8.2-fpm.service");
            assert_eq!(active, "failed");
            assert_eq!(sub.as_deref(), Some("Result: exit-code"));
            assert_eq!(*main_pid, Some(4711));
            assert_eq!(exit_reason.as_deref(), Some("code=exited, status=78"));
        }
        f => panic!("{f:?}"),
    }
    let journal: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::JournalLine { unit, message_range, .. } => {
                Some((unit.clone().unwrap(), text(src, *message_range)))
            }
            _ => None,
        })
        .collect();
    assert_eq!(journal.len(), 6);
    assert_eq!(journal[1].0, "php-fpm8.2");
    assert!(journal[1].1.starts_with("[21-Nov-2026 11:02:14] ERROR: unable to bind listening socket"));
    assert_eq!(journal[3].0, "php8.2-fpm.service");

    let r = parse(fixture!("handwritten/systemctl_status_active.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(
        matches!(&r.facts[0], ProbeFact::ServiceStatus { active, sub: Some(s), main_pid: Some(1234), exit_reason: None, .. } if active == "active" && s == "running")
    );

    let r = parse(fixture!("handwritten/systemctl_status_activating.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(matches!(&r.facts[0], ProbeFact::ServiceStatus { unit, active, exit_reason: Some(e), .. }
        if unit == "myapp.service" && active == "activating" && e == "code=exited, status=1/FAILURE"));

    // Without the bullet line, the unit comes from the command.
    let r = parse(b"$ systemctl status gunicorn\n     Active: inactive (dead)\n");
    assert!(
        matches!(&r.facts[0], ProbeFact::ServiceStatus { unit, active, .. } if unit == "gunicorn.service" && active == "inactive")
    );
    let r = parse(b"Unit gunicorn.service could not be found.\n");
    assert!(matches!(&r.facts[0], ProbeFact::ServiceStatus { active, .. } if active == "not-found"));
}

#[test]
fn journalctl_handwritten() {
    let src = fixture!("handwritten/journalctl_u.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::Journalctl, 5)]);
    assert!(matches!(&r.facts[3], ProbeFact::JournalLine { unit: Some(u), .. } if u == "gunicorn.service"));
    assert!(
        matches!(&r.facts[4], ProbeFact::JournalLine { unit: Some(u), pid: Some(1234), .. } if u == "gunicorn")
    );
}

type RuleView<'a> = (Option<u16>, Option<u16>, FirewallAction, bool, Option<&'a str>);

fn rules(r: &ListenerReport) -> Vec<RuleView<'_>> {
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::FirewallRule { port, port_last, action, is_policy, matches, .. } => {
                Some((*port, *port_last, *action, *is_policy, matches.interface.as_deref()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn ufw_handwritten() {
    use FirewallAction::*;
    let r = parse(fixture!("handwritten/ufw_status_verbose.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(matches!(r.facts[0], ProbeFact::FirewallStatus { tool: FirewallTool::Ufw, active: true, .. }));
    let u = rules(&r);
    assert_eq!(u[0], (None, None, Deny, true, None));
    assert!(u.contains(&(Some(8000), None, Deny, false, None)));
    assert!(u.contains(&(Some(443), None, Allow, false, None)));
    assert!(u.contains(&(Some(6000), Some(6007), Allow, false, None)));
    assert!(FirewallAction::Reject.blocks() && !FirewallAction::Limit.blocks());
}

/// One firewall rule's fields, for the assertions on real listings.
#[derive(Debug, PartialEq)]
struct RuleRow<'a> {
    chain: &'a str,
    table: Option<&'a str>,
    hook: Option<FirewallHook>,
    action: FirewallAction,
    ports: (Option<u16>, Option<u16>),
    interfaces: (Option<&'a str>, Option<&'a str>),
    addresses: (Option<&'a str>, Option<&'a str>),
    reject_with: Option<&'a str>,
    other_matches: bool,
    is_policy: bool,
    line: &'a str,
}

fn rule_rows<'a>(r: &'a ListenerReport, src: &'a [u8]) -> Vec<RuleRow<'a>> {
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::FirewallRule {
                action,
                port,
                port_last,
                matches:
                    RuleMatch {
                        chain,
                        table,
                        hook,
                        interface,
                        out_interface,
                        source,
                        destination,
                        reject_with,
                        other_matches,
                        ..
                    },
                is_policy,
                range,
                ..
            } => Some(RuleRow {
                chain: chain.as_deref().unwrap_or_default(),
                table: table.as_deref(),
                hook: *hook,
                action: *action,
                ports: (*port, *port_last),
                interfaces: (interface.as_deref(), out_interface.as_deref()),
                addresses: (source.as_deref(), destination.as_deref()),
                reject_with: reject_with.as_deref(),
                other_matches: *other_matches,
                is_policy: *is_policy,
                line: text(src, *range).trim(),
            }),
            _ => None,
        })
        .collect()
}

/// The one rule of `chain` on `port` with `action` (policies have no port).
fn the<'a>(
    rows: &'a [RuleRow<'a>],
    chain: &str,
    port: Option<u16>,
    action: FirewallAction,
) -> &'a RuleRow<'a> {
    let found: Vec<_> = rows
        .iter()
        .filter(|r| r.chain.eq_ignore_ascii_case(chain) && r.ports.0 == port && r.action == action)
        .collect();
    assert_eq!(found.len(), 1, "{chain} {port:?} {action:?} in {rows:#?}");
    found[0]
}

/// Real listings of one ruleset (capture.py firewall, in a private network namespace):
/// iptables 1.8.9 (nf_tables) `-S`, `iptables-save`, `-L -n`, `-L -n -v`, `--line-numbers`,
/// and the same rules as nft 1.0.6 prints them (made by iptables-nft, and written natively).
#[test]
fn firewalls_captured() {
    use FirewallAction::*;
    let listings: [(&str, &[u8]); 8] = [
        ("iptables -S", fixture!("captured/iptables_S.txt")),
        ("iptables-save", fixture!("captured/iptables_save.txt")),
        ("iptables -L -n", fixture!("captured/iptables_L_n.txt")),
        ("iptables -L -n -v", fixture!("captured/iptables_L_n_v.txt")),
        ("iptables -L INPUT --line-numbers", fixture!("captured/iptables_L_INPUT_n_v_line_numbers.txt")),
        ("nft (iptables-nft)", fixture!("captured/nft_ruleset_iptables_nft.txt")),
        ("nft", fixture!("captured/nft_ruleset.txt")),
        ("nft -a", fixture!("captured/nft_a_ruleset.txt")),
    ];
    for (name, src) in listings {
        let r = parse(src);
        let unread: Vec<&str> = r.unrecognized.iter().map(|u| text(src, *u)).collect();
        assert!(unread.is_empty(), "{name}: {unread:?}");
        // ip6tables' rules (capture.py adds a few) are nft's `ip6 filter` table.
        let rows: Vec<RuleRow<'_>> =
            rule_rows(&r, src).into_iter().filter(|r| r.table != Some("ip6 filter")).collect();
        let nft = name.starts_with("nft");
        let verbose = !name.ends_with("-L -n");
        let input_only = name.contains("--line-numbers");

        let policy = the(&rows, "INPUT", None, Drop);
        assert!(policy.is_policy && policy.hook == Some(FirewallHook::Input), "{name}");
        // `-i lo -j ACCEPT`: without -v, a line that reads "accept everything".
        let lo = rows.iter().find(|r| r.action == Allow && !r.is_policy).unwrap();
        assert_eq!(lo.interfaces.0, verbose.then_some("lo"), "{name}");
        assert_eq!(lo.other_matches, !verbose, "{name}");
        // `ct state established,related accept` applies to replies only.
        assert!(
            rows.iter().any(|r| r.action == Allow
                && r.ports.0.is_none()
                && r.other_matches
                && r.interfaces.0.is_none()),
            "{name}"
        );
        // The jump to f2b-sshd and its RETURN are not verdicts.
        assert!(
            rows.iter().all(|r| !r.line.contains("f2b-sshd")
                && !r.line.contains("RETURN")
                && !r.line.contains("return")),
            "{name}"
        );
        // 80,443 (multiport, or an nft set of 22, 80, 443) are accepted.
        assert!(
            [80, 443].iter().all(|p| rows.iter().any(|r| r.ports.0 == Some(*p) && r.action == Allow)),
            "{name}"
        );

        // 8000: accepted from 10.0.0.0/8, then dropped; the order is the paste's.
        let allow = rows.iter().position(|r| r.ports.0 == Some(8000) && r.action == Allow).unwrap();
        let drop = rows.iter().position(|r| r.ports.0 == Some(8000) && r.action == Drop).unwrap();
        assert!(allow < drop, "{name}");
        assert_eq!(rows[allow].addresses, (Some("10.0.0.0/8"), None), "{name}");
        assert_eq!((rows[drop].addresses, rows[drop].other_matches), ((None, None), !verbose), "{name}");
        // A comment is not a condition.
        assert_eq!(the(&rows, "INPUT", Some(9000), Drop).other_matches, !verbose, "{name}");
        let range = the(&rows, "INPUT", Some(6000), Reject);
        assert_eq!(range.ports, (Some(6000), Some(6007)), "{name}");
        // iptables spells out the default answer, nft leaves it out.
        assert_eq!(range.reject_with, (!nft).then_some("icmp-port-unreachable"), "{name}");
        // `! -s 10.0.0.0/8` is not modelled: a condition left open.
        let negated = the(&rows, "INPUT", Some(9100), Reject);
        assert!(negated.other_matches && negated.addresses.0.is_none(), "{name}");
        assert!(negated.reject_with.is_some_and(|w| w.contains("admin-prohibited")), "{name}");
        if input_only {
            assert!(rows.iter().all(|r| r.chain == "INPUT"), "{name}");
            continue;
        }
        let on_lo = the(&rows, "OUTPUT", Some(8001), Reject);
        assert_eq!(on_lo.hook, Some(FirewallHook::Output), "{name}");
        assert_eq!(on_lo.interfaces, (None, verbose.then_some("lo")), "{name}");
        assert!(on_lo.reject_with.is_some_and(|w| w.starts_with("tcp")), "{name}");
        let to_one = the(&rows, "OUTPUT", Some(8002), Reject);
        assert!(to_one.addresses.1.is_some_and(|d| d.starts_with("10.0.0.5")), "{name}");
        assert!(to_one.reject_with.is_some_and(|w| w.contains("host-prohibited")), "{name}");
        assert!(!to_one.other_matches || !verbose, "{name}");
        assert_eq!(the(&rows, "FORWARD", None, Drop).hook, Some(FirewallHook::Forward), "{name}");
        if nft {
            let table = if name.contains("iptables-nft") { "ip filter" } else { "inet filter" };
            assert!(rows.iter().all(|r| r.table == Some(table)), "{name}");
            // Facts point at the statement, without indentation or `# handle N`.
            assert_eq!(on_lo.line, on_lo.line.trim(), "{name}");
            assert!(!on_lo.line.contains('#'), "{name}");
        }
    }
}

/// Real ip6tables listings: `::/0` is any address, `::1` a destination.
#[test]
fn ip6tables_captured() {
    use FirewallAction::*;
    for (name, src) in
        [("-S", fixture!("captured/ip6tables_S.txt")), ("-L -n -v", fixture!("captured/ip6tables_L_n_v.txt"))]
    {
        let r = parse(src);
        assert!(r.unrecognized.is_empty(), "{name}");
        let rows = rule_rows(&r, src);
        assert_eq!(the(&rows, "INPUT", Some(8000), Drop).addresses, (None, None), "{name}");
        let on_lo = the(&rows, "OUTPUT", Some(8001), Reject);
        assert_eq!(on_lo.interfaces, (None, Some("lo")), "{name}");
        assert!(on_lo.addresses.1.is_some_and(|d| d.starts_with("::1")), "{name}");
        assert_eq!(on_lo.reject_with, Some("icmp6-port-unreachable"), "{name}");
    }
}

/// The probe sections of the lab's firewall scenarios (real iptables and nft output behind
/// `$ sudo` prompts, beside ss): every line read, every blocking rule found.
#[test]
fn firewall_sections_of_the_lab() {
    for (name, src, port, action) in [
        ("firewall-reject-reset", fixture_scenario!("firewall-reject-reset"), 19451, FirewallAction::Reject),
        (
            "firewall-reject-prohibited",
            fixture_scenario!("firewall-reject-prohibited"),
            19461,
            FirewallAction::Reject,
        ),
        ("firewall-drop", fixture_scenario!("firewall-drop"), 19471, FirewallAction::Drop),
        ("nft-drop", fixture_scenario!("nft-drop"), 19481, FirewallAction::Drop),
        (
            "nft-reject-admin-prohibited",
            fixture_scenario!("nft-reject-admin-prohibited"),
            19491,
            FirewallAction::Reject,
        ),
        (
            "firewall-remote-reject",
            fixture_scenario!("firewall-remote-reject"),
            19511,
            FirewallAction::Reject,
        ),
    ] {
        let r = parse(src);
        let unread: Vec<&str> = r.unrecognized.iter().map(|u| text(src, *u)).collect();
        assert!(unread.is_empty(), "{name}: {unread:?}");
        assert!(on_port(&r, port).len() <= 1, "{name}");
        let rows = rule_rows(&r, src);
        assert!(
            rows.iter().any(|r| r.ports.0 == Some(port) && r.action == action && !r.is_policy),
            "{name}: {rows:#?}"
        );
    }
}

#[test]
fn docker_ps_handwritten() {
    let src = fixture!("handwritten/docker_ps.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::DockerPs, 6)]);
    let web = on_port(&r, 8080);
    assert_eq!(web.len(), 2);
    assert_eq!(web[0].bind, Bind::AnyV4);
    assert_eq!(web[1].bind, Bind::AnyV6 { v6only: None });
    assert_eq!(web[0].container_port, Some(8000));
    assert_eq!(web[0].processes[0].name, "web");
    assert_eq!(text(src, web[1].addr_range), "[::]:8080->8000/tcp");
    assert_eq!(one(&r, 3000).bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
    assert_eq!(one(&r, 9999).kind, SocketKind::Udp);
    assert!(
        matches!(&r.facts[0], ProbeFact::ExposedPort { container, port: 6379, .. } if container == "cache")
    );
}

#[test]
fn docker_compose_and_format_tables() {
    let src = b"$ docker compose ps\n\
NAME          IMAGE          COMMAND                  SERVICE   CREATED        STATUS        PORTS\n\
app-web-1     myapp:latest   \"gunicorn -b 0.0.0.0\xe2\x80\xa6\"   web       2 hours ago    Up 2 hours    0.0.0.0:8080->8000/tcp, :::8080->8000/tcp\n\
app-redis-1   redis:7        \"docker-entrypoint.s\xe2\x80\xa6\"   redis     2 hours ago    Up 2 hours    6379/tcp\n\
$ docker ps --format 'table {{.Names}}\\t{{.Ports}}'\n\
NAMES         PORTS\n\
api           127.0.0.1:3000->3000/tcp\n\
worker        \n\
that is all\n";
    let r = parse(src);
    assert_eq!(r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>(), vec!["that is all"]);
    let web = on_port(&r, 8080);
    assert_eq!(web.len(), 2);
    assert_eq!(web[0].processes[0].name, "app-web-1");
    assert_eq!(web[1].bind, Bind::AnyV6 { v6only: None });
    assert_eq!(web[1].container_port, Some(8000));
    assert!(
        matches!(&r.facts[0], ProbeFact::ExposedPort { container, port: 6379, .. } if container == "app-redis-1")
    );
    assert_eq!(one(&r, 3000).processes[0].name, "api");
    assert_eq!(formats(&r), vec![(Format::DockerPs, 3), (Format::DockerPs, 1)]);
}

#[test]
fn selinux_handwritten() {
    let r = parse(fixture!("handwritten/getsebool.txt"));
    assert!(r.unrecognized.is_empty());
    assert!(
        matches!(&r.facts[0], ProbeFact::SelinuxBoolean { name, on: false, .. } if name == "httpd_can_network_connect")
    );
    assert_eq!(r.facts.len(), 6);
    let src = fixture!("handwritten/avc_denied.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(formats(&r), vec![(Format::AvcDenial, 2)]);
    assert!(
        matches!(&r.facts[0], ProbeFact::AvcDenial { permission, comm, target_port: Some(8000), tclass: Some(c), .. }
        if permission == "name_connect" && comm == "nginx" && c == "tcp_socket")
    );
    assert!(matches!(&r.facts[1], ProbeFact::AvcDenial { permission, path: Some(p), .. }
        if permission == "connectto" && p == "/run/gunicorn/app.sock"));
}

#[test]
fn selinux_status_handwritten() {
    let r = parse(fixture!("handwritten/selinux_status.txt"));
    assert!(r.unrecognized.is_empty());
    let modes: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::SelinuxMode { mode, .. } => Some(mode.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(modes, vec!["enforcing", "enforcing"]);
    let http = r
        .facts
        .iter()
        .find_map(|f| match f {
            ProbeFact::SelinuxPortType { type_name, ports, .. } if type_name == "http_port_t" => Some(ports),
            _ => None,
        })
        .unwrap();
    assert!(http.contains(&(8008, 8008)) && http.contains(&(9000, 9000)));
    assert!(!http.iter().any(|&(a, b)| (a..=b).contains(&8000)));
    assert_eq!(
        formats(&r),
        vec![
            (Format::SelinuxStatus, 1),
            (Format::SelinuxStatus, 1),
            (Format::SemanagePort, 2),
            (Format::SemanagePort, 1)
        ]
    );
}

#[test]
fn telnet_handwritten() {
    let r = parse(fixture!("handwritten/telnet.txt"));
    assert!(r.unrecognized.is_empty());
    let probes: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::DirectProbe { tool: ProbeTool::Telnet, target, connected, errno_text, .. } => {
                Some((target.as_str(), *connected, errno_text.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        probes,
        vec![("127.0.0.1:8000", false, Some("Connection refused")), ("[::1]:9000", true, None)]
    );
}

#[test]
fn netcat_handwritten() {
    let r = parse(fixture!("handwritten/nc.txt"));
    assert!(r.unrecognized.is_empty());
    let probes: Vec<_> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::DirectProbe { tool: ProbeTool::Netcat, target, connected, errno_text, .. } => {
                Some((target.as_str(), *connected, errno_text.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        probes,
        vec![
            ("127.0.0.1:8000", false, Some("Connection refused")),
            ("127.0.0.1:9000", true, None),
            ("[::1]:8000", false, Some("timed out")),
        ]
    );
}

#[test]
fn non_utf8_and_junk_never_panic() {
    let mut src = fixture!("captured/paste_mixed.txt").to_vec();
    src.extend_from_slice(b"\xff\xfe LISTEN 0 5 \xff:80 0.0.0.0:*\nusers:((\"\nLISTEN 1 2\n* Trying\n\xe2\x97\x8f \n-A\n:::\n[\n");
    let r = parse(&src);
    assert!(r.unrecognized.len() >= 4);
    for cut in 0..src.len().min(4000) {
        let _ = parse(&src[..cut]);
    }
}

#[test]
fn ranges_point_into_the_input() {
    let all: Vec<&[u8]> = vec![
        fixture!("captured/paste_mixed.txt"),
        fixture!("captured/lsof_U.txt"),
        fixture!("handwritten/docker_ps.txt"),
        fixture!("handwritten/systemctl_status_failed.txt"),
        fixture!("captured/nft_a_ruleset.txt"),
        fixture!("captured/iptables_L_n_v.txt"),
    ];
    for src in all {
        let r = parse(src);
        let n = u32::try_from(src.len()).unwrap();
        for l in &r.listeners {
            assert!(
                l.range.start <= l.addr_range.start && l.addr_range.end <= l.range.end && l.range.end <= n
            );
        }
        for f in &r.facts {
            assert!(f.range().end <= n && !f.range().is_empty());
        }
        for s in &r.sections {
            assert!(s.range.end <= n);
        }
    }
}

#[test]
fn large_table_is_linear() {
    let mut src = Vec::new();
    src.extend_from_slice(b"State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n");
    for i in 0..100_000u32 {
        let port = 1024 + (i % 60000);
        src.extend_from_slice(
            format!("LISTEN 0      128        127.0.0.1:{port}      0.0.0.0:*    users:((\"gunicorn\",pid={i},fd=5))\n").as_bytes(),
        );
    }
    let start = std::time::Instant::now();
    let r = parse(&src);
    let took = start.elapsed();
    eprintln!("100000 ss rows: {took:?}");
    assert_eq!(r.listeners.len(), 100_000);
    assert_eq!(formats(&r), vec![(Format::SsTcp, 100_000)]);
    // Timing is reported, not asserted (about 0.1 s optimised): speed is measured by the
    // benchmarks, where a loaded machine cannot fail a test.

    // Lines no reader understands go through every reader: still linear.
    let line = "2026/11/21 11:31:13 [error] 123#123: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"localhost\"\n";
    let junk = line.repeat(100_000);
    let start = std::time::Instant::now();
    let r = parse(junk.as_bytes());
    let took = start.elapsed();
    eprintln!("100000 unrecognised lines: {took:?}");
    assert_eq!(r.unrecognized.len(), 100_000);
}

mod props {
    use super::super::parse;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn any_bytes_parse_without_panic(src in proptest::collection::vec(any::<u8>(), 0..600)) {
            let r = parse(&src);
            let n = u32::try_from(src.len()).unwrap();
            prop_assert!(r.unrecognized.iter().all(|u| u.end <= n));
        }

        #[test]
        fn tool_like_lines_parse_without_panic(lines in proptest::collection::vec(
            prop::sample::select(vec![
                "LISTEN 0 5 127.0.0.1:80 0.0.0.0:*", "tcp 0 0 :::80 :::* LISTEN -", "u_str LISTEN 0 5 /x 1 * 0",
                "unix 2 [ ACC ] STREAM LISTENING 1 - /x", "* Trying 1.2.3.4:80...", "curl: (7) x", "Active: failed",
                "-A INPUT -p tcp --dport 80 -j DROP", "table inet f {", "tcp dport { 80, } drop", "8000 DENY IN Anywhere",
                "x --> on", "srw-rw---- 1 a b 0 Nov 21 11:31 s", "$ ls -l /run", "Trying ::1...", "users:((\"a\",pid=",
                "root 1 0.0 0.0 1 1 ? S 11:31 0:00 nginx: worker process", "[", "]", "{", "(", "0.0.0.0:*->",
                "$ ip addr", "1: lo: <LOOPBACK> mtu 1", "    inet 1.2.3.4/24 scope global x", "eth0 UP 1.2.3.4/33",
                "$ ifconfig", "eth0: flags=4163<UP>  mtu 1500", "        inet addr:1.2.3.4  Mask:255.0.0.0",
                "        inet 1.2.3.4  netmask 0xfffffff", "$ cat /etc/resolv.conf", "nameserver 1.1.1.1", "# x",
                "$ hostname -I", "1.2.3.4 ::1",
            ]), 0..40)) {
            let src = lines.join("\n");
            let _ = parse(src.as_bytes());
        }
    }
}

#[test]
fn report_serializes_to_json() {
    let mut src = fixture!("captured/paste_mixed.txt").to_vec();
    src.extend_from_slice(fixture!("handwritten/systemctl_status_failed.txt"));
    src.extend_from_slice(fixture!("handwritten/avc_denied.txt"));
    src.extend_from_slice(fixture!("handwritten/docker_ps.txt"));
    let r = parse(&src);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["listeners"][0]["kind"], "tcp");
    assert_eq!(json["listeners"][0]["bind"]["type"], "any_v4");
    assert!(json["facts"].as_array().unwrap().iter().any(|f| f["fact"] == "avc_denial"));
    assert_eq!(serde_json::to_value(backend_kind("gunicorn")).unwrap()["server"], "gunicorn");
}

/// `getent` against a hosts file of ours (Debian's localhost lines, IPv4 first): the addresses
/// come in the resolver's order, `ahosts` asks for every family, `hosts` hides IPv4 behind an
/// IPv6 answer.
#[test]
fn getent_name_lookups() {
    let src = fixture!("captured/getent.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let v6 = |s: &str| s.parse::<IpAddr>().unwrap();
    // glibc puts ::1 first although the hosts file lists 127.0.0.1 first (RFC 6724 order);
    // `getent ahosts` asked for every family, so the partial lookups add nothing.
    assert_eq!(r.resolved("localhost"), Some((vec![v6("::1"), v4(127, 0, 0, 1)], true)));
    assert_eq!(r.resolved("backend.test"), Some((vec![v4(127, 0, 0, 3)], true)));
    // An alias is looked up by the name asked for; the line shows the canonical name first.
    assert_eq!(r.resolved("APP"), Some((vec![v4(127, 0, 0, 3)], true)));
    assert_eq!(r.resolved("v6only.test"), Some((vec![v6("::1")], false)));
    assert_eq!(r.resolved("missing.test"), None);
    // One fact per address: STREAM lines of ahosts, every line of hosts.
    let lines: Vec<&str> = r
        .facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::NameAddress { name, range, .. } if name == "localhost" => Some(text(src, *range)),
            _ => None,
        })
        .collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert!(lines[0].starts_with("::1") && lines[0].contains("STREAM localhost"), "{lines:?}");
    assert!(formats(&r).iter().all(|(f, _)| *f == Format::Getent), "{:?}", formats(&r));
}

/// Each lookup alone: `ahosts` asked for every family, `ahostsv4` and an IPv6 `hosts` answer
/// did not (the name may have more addresses than shown).
#[test]
fn getent_completeness_per_lookup() {
    let src = fixture!("captured/getent.txt");
    let text = std::str::from_utf8(src).unwrap();
    let section = |cmd: &str| {
        let start = text.find(&format!("$ {cmd}\n")).unwrap();
        let end = text[start + 2..].find("$ ").map_or(text.len(), |e| start + 2 + e);
        parse(&text.as_bytes()[start..end])
    };
    assert!(section("getent ahosts localhost").resolved("localhost").unwrap().1);
    assert_eq!(
        section("getent ahostsv4 localhost").resolved("localhost"),
        Some((vec![v4(127, 0, 0, 1)], false))
    );
    assert!(!section("getent hosts localhost").resolved("localhost").unwrap().1);
    assert!(section("getent hosts app").resolved("app").unwrap().1);
}

/// `getent ahosts` pasted without its command: the STREAM line that names the host starts it.
#[test]
fn getent_ahosts_without_a_prompt() {
    let src = fixture!("captured/getent_ahosts_bare.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(r.resolved("localhost"), Some((vec!["::1".parse().unwrap(), v4(127, 0, 0, 1)], true)));
    // A hosts-file line or a table row is not a lookup.
    let r = parse(b"127.0.0.1 localhost\nLISTEN 0 511 127.0.0.1:80 0.0.0.0:*\n");
    assert!(r.facts.is_empty(), "{:?}", r.facts);
}

/// The host addresses a paste lists, as (address, interface, prefix, text of the range).
fn host_addresses(src: &[u8], r: &ListenerReport) -> Vec<(IpAddr, Option<String>, Option<u8>, String)> {
    r.facts
        .iter()
        .filter_map(|f| match f {
            ProbeFact::HostAddress { address, interface, prefix, range, .. } => {
                Some((*address, interface.clone(), *prefix, text(src, *range).to_string()))
            }
            _ => None,
        })
        .collect()
}

/// One command's output of a capture made of `$ CMD` sections.
fn section_of<'a>(src: &'a [u8], cmd: &str) -> &'a [u8] {
    let text = std::str::from_utf8(src).unwrap();
    let start = text.find(&format!("$ {cmd}\n")).unwrap_or_else(|| panic!("no `$ {cmd}`"));
    let end = text[start + 2..].find("\n$ ").map_or(text.len(), |e| start + 2 + e + 1);
    &src[start..end]
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

/// Real output of `ip addr` (full, -br, -4, -6, -o), `hostname -I` and `ifconfig [-a]` in a
/// private network namespace shaped like a host with a container network (capture.py
/// addrs): a veth whose peer is in another namespace (`v0@if2`), a secondary IPv4 address,
/// IPv6 on it, a bridge with 172.17.0.1/16.
#[test]
fn host_addresses_in_every_layout() {
    let src = fixture!("captured/ip_addr.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let sections: Vec<Format> = formats(&r).into_iter().map(|(f, _)| f).collect();
    assert!(sections.contains(&Format::IpAddr) && sections.contains(&Format::HostnameI));
    assert!(sections.contains(&Format::Ifconfig), "{sections:?}");

    let full = section_of(src, "ip addr");
    let all = host_addresses(full, &parse(full));
    let want = [
        (ip("127.0.0.1"), "lo", 8, "127.0.0.1/8"),
        (ip("::1"), "lo", 128, "::1/128"),
        (ip("10.98.0.1"), "v0", 24, "10.98.0.1/24"),
        (ip("10.98.0.10"), "v0", 24, "10.98.0.10/24"),
        (ip("fd98::1"), "v0", 64, "fd98::1/64"),
        (ip("172.17.0.1"), "br0", 16, "172.17.0.1/16"),
    ];
    for (a, iface, prefix, shown) in want {
        assert!(
            all.iter().any(|(x, i, p, t)| *x == a
                && i.as_deref() == Some(iface)
                && *p == Some(prefix)
                && t == shown),
            "{a} on {iface}: {all:?}"
        );
    }
    // The bridge's link-local address too: every address the full layout prints.
    assert_eq!(all.len(), 7, "{all:?}");

    // -br and -o: the same addresses, the interface without its `@peer`.
    for cmd in ["ip -br addr", "ip -o addr"] {
        let part = section_of(src, cmd);
        let got = host_addresses(part, &parse(part));
        let mut a: Vec<_> = got.iter().map(|(a, i, p, _)| (*a, i.clone(), *p)).collect();
        let mut b: Vec<_> = all.iter().map(|(a, i, p, _)| (*a, i.clone(), *p)).collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{cmd}");
    }

    // One family only: `ip -4 addr` says nothing about IPv6 addresses.
    let v4_only = parse(section_of(src, "ip -4 addr"));
    assert!(v4_only.host_addresses().all(|(a, _)| a.is_ipv4()));
    assert!(v4_only.lists_host_addresses_for(ip("10.98.0.7")));
    assert!(!v4_only.lists_host_addresses_for(ip("fd98::7")));
    let v6_only = parse(section_of(src, "ip -6 addr"));
    assert!(v6_only.host_addresses().all(|(a, _)| a.is_ipv6()));
    assert!(!v6_only.lists_host_addresses_for(ip("10.98.0.7")));

    // hostname -I: no loopback, no link-local, the secondary address included.
    let part = section_of(src, "hostname -I");
    let got: Vec<IpAddr> = parse(part).host_addresses().map(|(a, _)| a).collect();
    assert_eq!(got, [ip("10.98.0.1"), ip("10.98.0.10"), ip("172.17.0.1"), ip("fd98::1")]);

    // ifconfig shows one IPv4 address per interface: the secondary 10.98.0.10 is missing, so
    // ifconfig alone never proves an IPv4 address is not this host's.
    let part = section_of(src, "ifconfig");
    let r = parse(part);
    let got = host_addresses(part, &r);
    assert!(got.iter().any(|(a, i, p, t)| *a == ip("10.98.0.1")
        && i.as_deref() == Some("v0")
        && *p == Some(24)
        && t == "10.98.0.1"));
    assert!(got.iter().any(|(a, _, p, _)| *a == ip("fd98::1") && *p == Some(64)));
    assert!(got.iter().any(|(a, _, p, _)| *a == ip("172.17.0.1") && *p == Some(16)));
    assert!(!got.iter().any(|(a, ..)| *a == ip("10.98.0.10")), "{got:?}");
    assert!(!r.lists_host_addresses_for(ip("10.98.0.7")));
    assert!(r.lists_host_addresses_for(ip("fd98::7")));
}

/// The same commands on the build machine as it is (whatever its addresses are): every line
/// is read, loopback is among `ip addr`'s addresses, and `hostname -I`'s are among them.
#[test]
fn host_addresses_on_the_build_machine() {
    let src = fixture!("captured/ip_addr_host.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let full: Vec<IpAddr> = parse(section_of(src, "ip addr")).host_addresses().map(|(a, _)| a).collect();
    assert!(full.contains(&LO) && full.contains(&LO6), "{full:?}");
    let listed: Vec<IpAddr> =
        parse(section_of(src, "hostname -I")).host_addresses().map(|(a, _)| a).collect();
    assert!(!listed.is_empty() && listed.iter().all(|a| full.contains(a)), "{listed:?} vs {full:?}");
}

/// Hand-written (see handwritten/README.md): the older net-tools/busybox layout and the BSD one.
#[test]
fn ifconfig_older_and_bsd_layouts() {
    let src = fixture!("handwritten/ifconfig_nettools_1_60.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let got = host_addresses(src, &r);
    assert_eq!(
        got,
        [
            (ip("10.0.2.15"), Some("eth0".into()), Some(24), "10.0.2.15".into()),
            (
                ip("fe80::5054:ff:fe12:3456"),
                Some("eth0".into()),
                Some(64),
                "fe80::5054:ff:fe12:3456/64".into()
            ),
            (ip("127.0.0.1"), Some("lo".into()), Some(8), "127.0.0.1".into()),
            (ip("::1"), Some("lo".into()), Some(128), "::1/128".into()),
        ]
    );
    let src = fixture!("handwritten/ifconfig_bsd.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let got: Vec<(IpAddr, Option<u8>)> =
        host_addresses(src, &r).into_iter().map(|(a, _, p, _)| (a, p)).collect();
    assert!(got.contains(&(ip("127.0.0.1"), Some(8))), "{got:?}");
    assert!(got.contains(&(ip("192.168.1.23"), Some(24))), "{got:?}");
    assert!(got.contains(&(ip("fe80::1c2a:3b4c:5d6e:7f80"), Some(64))), "{got:?}");
}

/// What is not a host-address listing: changing addresses, routes, prose.
#[test]
fn host_addresses_only_from_listings() {
    let r = parse(
        b"$ sudo ip addr add 10.0.0.9/24 dev eth0\n$ ip route get 10.0.0.7\n10.0.0.7 dev eth0 src 10.0.0.5 uid 0\n    cache\nthe server is UP 10.0.0.1 now\n",
    );
    assert!(r.host_addresses().next().is_none(), "{:?}", r.facts);
    // `ip a s dev eth0` is a listing; a point-to-point address shows its peer after it.
    let src = b"$ ip a s dev tun0\n5: tun0: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu 1420 qdisc noqueue state UNKNOWN group default qlen 500\n    link/none \n    inet 10.8.0.2 peer 10.8.0.1/32 scope global tun0\n       valid_lft forever preferred_lft forever\n";
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    assert_eq!(r.host_addresses().map(|(a, _)| a).collect::<Vec<_>>(), [ip("10.8.0.2")]);
}

/// The build machine's /etc/resolv.conf behind `cat` (captured), and hand-written files of
/// Docker Engine (a container on a user-defined network) and systemd-resolved's stub.
#[test]
fn resolv_conf_nameservers() {
    let src = fixture!("captured/resolv_conf.txt");
    let r = parse(src);
    assert!(
        r.unrecognized.is_empty(),
        "{:?}",
        r.unrecognized.iter().map(|u| text(src, *u)).collect::<Vec<_>>()
    );
    let got: Vec<(IpAddr, Option<ResolvConfWriter>)> = r.nameservers().map(|(a, w, _)| (a, w)).collect();
    assert!(!got.is_empty() && got.iter().all(|(_, w)| w.is_none()), "{got:?}");
    assert_eq!(formats(&r), [(Format::ResolvConf, got.len())]);

    for (file, want, writer) in [
        (fixture!("handwritten/resolv_conf_docker.txt"), "127.0.0.11", ResolvConfWriter::Docker),
        (
            fixture!("handwritten/resolv_conf_systemd_resolved.txt"),
            "127.0.0.53",
            ResolvConfWriter::SystemdResolved,
        ),
    ] {
        let r = parse(file);
        assert!(
            r.unrecognized.is_empty(),
            "{:?}",
            r.unrecognized.iter().map(|u| text(file, *u)).collect::<Vec<_>>()
        );
        let got: Vec<_> =
            r.nameservers().map(|(a, w, range)| (a, w, text(file, range).to_string())).collect();
        assert_eq!(got, [(ip(want), Some(writer), format!("nameserver {want}"))]);
    }
    // `grep nameserver` output, and a line alone, say what they are; prose does not.
    let r = parse(b"$ grep nameserver /etc/resolv.conf\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n");
    assert_eq!(r.nameservers().map(|(a, ..)| a).collect::<Vec<_>>(), [ip("10.0.0.2"), ip("fe80::1")]);
    assert_eq!(parse(b"nameserver 1.1.1.1\n").nameservers().count(), 1);
    assert_eq!(parse(b"nameserver is down since 10:00\n").nameservers().count(), 0);
}
