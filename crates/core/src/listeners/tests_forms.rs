//! Tests of the forms people paste listener tables in: other systems' tools (BSD/macOS
//! netstat, sockstat, BusyBox, kubectl), names instead of numbers, old tool versions, and
//! what chat, terminals and Markdown do to a table.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::*;

macro_rules! forms {
    ($p:literal) => {
        include_bytes!(concat!("../../../../tests/fixtures/listeners/captured_forms/", $p)).as_slice()
    };
}

fn unrecognized<'a>(src: &'a [u8], r: &ListenerReport) -> Vec<&'a str> {
    r.unrecognized.iter().map(|u| std::str::from_utf8(u.slice(src)).unwrap_or("?")).collect()
}

fn ports(r: &ListenerReport) -> Vec<Option<u16>> {
    r.listeners.iter().map(|l| l.port).collect()
}

/// The six loopback listeners capture_forms.sh opens, in the order the tools list them.
fn check_six(src: &[u8], r: &ListenerReport) {
    assert!(unrecognized(src, r).is_empty(), "{:?}", unrecognized(src, r));
    let mut p = ports(r);
    p.sort();
    assert_eq!(p, vec![Some(6379), Some(8000), Some(8001), Some(8080), Some(8081), Some(10000)]);
    let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
    for port in [8000, 8080, 8081, 6379] {
        assert!(r.listeners_accepting(lo, port).count() == 1, "{port}");
    }
    // lsof prints the v4-mapped `::ffff:127.0.0.1` bind as `localhost` under TYPE IPv6,
    // the same as it would print `::1` where /etc/hosts names it localhost: read as ::1.
    let lsof = r.listeners.iter().all(|l| l.format == Format::Lsof);
    assert_eq!(r.listeners_accepting(lo, 8001).count(), usize::from(!lsof), "8001");
    assert_eq!(r.listeners_accepting(lo, 10000).count(), 0, "[::1]:10000 is IPv6 only");
}

#[test]
fn busybox_netstat_captured() {
    for src in [forms!("busybox_netstat_tln.txt"), forms!("busybox_netstat_tl.txt")] {
        let r = parse(src);
        check_six(src, &r);
        // BusyBox labels IPv6 rows `tcp`: the address says the family.
        let mapped = r.listeners.iter().find(|l| l.port == Some(8001)).unwrap();
        assert_eq!(mapped.bind.mapped_v4(), Some(Ipv4Addr::LOCALHOST));
        assert_eq!(r.sections[0].format, Format::Netstat);
    }
    // Connections only: read, no listener.
    let src = forms!("busybox_netstat_tn_established.txt");
    let r = parse(src);
    assert!(r.listeners.is_empty() && r.unrecognized.is_empty());
}

#[test]
fn names_instead_of_numbers_captured() {
    // Debian's /etc/services: http-alt 8080, tproxy 8081, redis 6379, webmin 10000.
    for src in [
        forms!("netstat_tlp.txt"),
        forms!("lsof_i_listen.txt"),
        forms!("ss_tl_names.txt"),
        forms!("busybox_netstat_tl.txt"),
    ] {
        let r = parse(src);
        check_six(src, &r);
    }
    let src = forms!("lsof_iTCP_listen_P.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(r.listeners.len(), 6);
}

#[test]
fn connections_mixed_in_captured() {
    for src in [forms!("netstat_tanp_mixed.txt"), forms!("ss_tanp_mixed.txt"), forms!("lsof_i_all.txt")] {
        let r = parse(src);
        check_six(src, &r);
        assert!(r.listeners.iter().all(|l| l.is_listening()));
    }
}

#[test]
fn ss_without_processes_captured() {
    for src in [forms!("ss_tln.txt"), forms!("ss_tlnp_nobody.txt")] {
        let r = parse(src);
        check_six(src, &r);
        assert!(r.listeners.iter().all(|l| l.processes.is_empty()));
    }
}

#[test]
fn ls_of_the_socket_dir_itself_captured() {
    let src = forms!("ls_l_bare.txt");
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    let f = &r.socket_files[0];
    assert_eq!((f.path.as_str(), f.mode, f.is_socket), ("app.sock", 0o660, true));
    let r = parse(forms!("ls_la_bare.txt"));
    assert_eq!(r.socket_files.len(), 3);
}

#[test]
fn bsd_netstat_and_sockstat_handwritten() {
    // macOS `netstat -an` (and `-anv`'s extra columns), FreeBSD `netstat -an -p tcp`.
    let src = b"$ netstat -anv -p tcp\n\
Active Internet connections (including servers)\n\
Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)     rhiwat shiwat    pid   epid\n\
tcp4       0      0  127.0.0.1.8000         *.*                    LISTEN      131072 131072   4242      0\n\
tcp46      0      0  *.3080                 *.*                    LISTEN      131072 131072   4243      0\n\
tcp6       0      0  ::1.9000               *.*                    LISTEN      131072 131072   4244      0\n\
tcp4       0      0  *.8080                 *.*                    LISTEN\n\
tcp6       0      0  fe80::1%lo0.5000       *.*                    LISTEN\n\
tcp4       0      0  127.0.0.1.8000         127.0.0.1.51514        ESTABLISHED\n\
tcp4       0      0  127.0.0.1.51514        127.0.0.1.8000         TIME_WAIT\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(ports(&r), vec![Some(8000), Some(3080), Some(9000), Some(8080), Some(5000)]);
    let b: Vec<&Bind> = r.listeners.iter().map(|l| &l.bind).collect();
    assert_eq!(b[0], &Bind::Ipv4(Ipv4Addr::LOCALHOST));
    assert_eq!(b[1], &Bind::AnyV6 { v6only: Some(false) });
    assert_eq!(b[2], &Bind::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(b[3], &Bind::AnyV4);
    assert_eq!(r.listeners[4].interface.as_deref(), Some("lo0"));
    assert_eq!(r.sections[0].format, Format::NetstatBsd);
    assert_eq!(r.sections[0].format.label(), "netstat -an (macOS/BSD)");
    assert_eq!(std::str::from_utf8(r.listeners[1].addr_range.slice(src)).unwrap(), "*.3080");

    let src = b"root@freebsd:~ # sockstat -4l\n\
USER     COMMAND    PID   FD PROTO  LOCAL ADDRESS         FOREIGN ADDRESS\n\
www      nginx      812   6  tcp4   *:80                  *:*\n\
www      python3.1  900   3  tcp4   127.0.0.1:8000        *:*\n\
root     sshd       700   4  tcp46  *:22                  *:*\n\
www      php-fpm    901   0  stream /var/run/php-fpm.sock\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(r.sections[0].format, Format::Sockstat);
    assert_eq!(r.sections[0].rows, 4);
    let p = &r.listeners[1].processes[0];
    assert_eq!((p.name.as_str(), p.pid, p.user.as_deref()), ("python3.1", Some(900), Some("www")));
    assert_eq!(r.listeners[2].bind, Bind::AnyV6 { v6only: Some(false) });
    assert_eq!(r.listeners[3].bind, Bind::Unix("/var/run/php-fpm.sock".into()));
}

#[test]
fn service_names_of_other_systems() {
    // macOS and FreeBSD print IANA names: irdmi 8000, hbci 3000, cslistener 9000, ...
    let src = b"COMMAND   PID USER   FD   TYPE             DEVICE SIZE/OFF NODE NAME\n\
node      501 dev   23u  IPv4 0x1f2e3d4c5b6a7988      0t0  TCP localhost:hbci (LISTEN)\n\
Python    502 dev    4u  IPv4 0x1f2e3d4c5b6a7989      0t0  TCP *:irdmi (LISTEN)\n\
php-fpm7. 503 dev    9u  IPv4 0x1f2e3d4c5b6a7990      0t0  TCP localhost:cslistener (LISTEN)\n\
ControlCe 504 dev   10u  IPv6 0x1f2e3d4c5b6a7991      0t0  TCP *:commplex-main (LISTEN)\n\
gunicorn  505 dev    5u  IPv4 0x1f2e3d4c5b6a7992      0t0  TCP *:http-alt (LISTEN)\n\
myd       506 dev    5u  IPv4 0x1f2e3d4c5b6a7993      0t0  TCP *:no-such-service (LISTEN)\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(ports(&r), vec![Some(3000), Some(8000), Some(9000), Some(5000), Some(8080), None]);
    // A name not in the table stays a name: its text is kept, no port is guessed.
    assert_eq!(std::str::from_utf8(r.listeners[5].addr_range.slice(src)).unwrap(), "*:no-such-service");
    assert_eq!(backend_kind(&r.listeners[2].processes[0].name), BackendKind::AppServer(AppServer::PhpFpm));
}

#[test]
fn old_ss_and_wrapped_rows() {
    // iproute2 before 3.x: no pid=/fd=, `:::80`, service names.
    let src = b"State      Recv-Q Send-Q        Local Address:Port          Peer Address:Port\n\
LISTEN     0      128                      :::80                      :::*      users:((\"apache2\",24418,4),(\"apache2\",24417,4))\n\
LISTEN     0      128                       *:ssh                      *:*      users:((\"sshd\",700,3))\n\
LISTEN     0      128                       *:http                     *:*      users:((\"nginx\",800,6))\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(ports(&r), vec![Some(80), Some(22), Some(80)]);
    let a = &r.listeners[0].processes;
    assert_eq!((a.len(), a[1].pid, a[1].fd), (2, Some(24417), Some(4)));

    // A narrow terminal put `users:` on its own line; a chat cut one in the middle.
    let src = b"$ sudo ss -tlnp\n\
State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n\
LISTEN 0      511          0.0.0.0:80         0.0.0.0:*\n\
        users:((\"nginx\",pid=801,fd=6),(\"nginx\",pid=800,fd=6))\n\
LISTEN 0      2048       127.0.0.1:8000       0.0.0.0:*    users:((\"gunicorn\",pid=901,fd=5),(\"gunic\n\
orn\",pid=900,fd=5))\n\
LISTEN 0      128        127.0.0.1:6379       0.0.0.0:*    users:((\"redis-server\",pid=700,fd=6))\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(r.listeners.len(), 3);
    assert_eq!(r.listeners[0].processes.len(), 2);
    let g: Vec<_> = r.listeners[1].processes.iter().map(|p| (p.name.as_str(), p.pid)).collect();
    assert_eq!(g, vec![("gunicorn", Some(901)), ("gunicorn", Some(900))]);
    assert_eq!(r.listeners[2].processes[0].name, "redis-server");
}

#[test]
fn chat_and_markdown_wrappers() {
    // Behind quote markers, with the spacing collapsed, after a prompt, inside a fence.
    let src = b"> ```\n\
> root@host:~# netstat -tlnp\n\
> Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name\n\
> tcp 0 0 127.0.0.1:8000 0.0.0.0:* LISTEN 912/gunicorn\n\
> tcp 0 0 127.0.0.1:8000 127.0.0.1:40112 TIME_WAIT -\n\
> tcp 0 0 127.0.0.1:8000 127.0.0.1:40114 CLOSE_WAIT 912/gunicorn\n\
>> tcp6 0 0 ::ffff:127.0.0.1:8001 :::* LISTEN 913/node\n\
> ```\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(ports(&r), vec![Some(8000), Some(8001)]);
    assert_eq!(r.listeners[1].bind.mapped_v4(), Some(Ipv4Addr::LOCALHOST));
    assert_eq!(std::str::from_utf8(r.listeners[0].addr_range.slice(src)).unwrap(), "127.0.0.1:8000");
    assert_eq!(r.commands.len(), 1);
}

#[test]
fn scoped_ipv6() {
    let r = parse(b"LISTEN 0 128 [fe80::1%eth0]:8000 [::]:*\ntcp6 0 0 fe80::1%eth0:8001 :::* LISTEN -\n");
    assert!(r.unrecognized.is_empty());
    assert!(r.listeners.iter().all(|l| l.interface.as_deref() == Some("eth0")));
    assert_eq!(ports(&r), vec![Some(8000), Some(8001)]);
}

#[test]
fn ls_in_other_locales() {
    let src = "$ ls -l /run/php\n\
insgesamt 0\n\
srw-rw---- 1 www-data www-data 0  7. Dez 21:48 php8.2-fpm.sock\n\
srw-rw---- 1 www-data www-data 0 déc.  7 21:48 php8.1-fpm.sock\n\
srwxrwxrwx 1 www-data www-data 0 Mär  3  2025 old.sock\n";
    let r = parse(src.as_bytes());
    let files: Vec<_> = r.socket_files.iter().map(|f| (f.path.as_str(), f.mode)).collect();
    assert_eq!(
        files,
        vec![
            ("/run/php/php8.2-fpm.sock", 0o660),
            ("/run/php/php8.1-fpm.sock", 0o660),
            ("/run/php/old.sock", 0o777)
        ]
    );
}

#[test]
fn a_long_users_line_stays_linear() {
    let mut src = b"LISTEN 0 5 127.0.0.1:8000 0.0.0.0:* users:((".to_vec();
    src.extend(std::iter::repeat_n(b"(\"a\",pid=1,fd=2),".as_slice(), 1_000_000).flatten());
    src.extend_from_slice(b"\nusers:((\n");
    src.extend(std::iter::repeat_n(b'(', 20_000_000));
    let start = std::time::Instant::now();
    let r = parse(&src);
    eprintln!("20 MB of users:((: {:?}", start.elapsed());
    assert_eq!(r.listeners.len(), 1);
}

#[test]
fn docker_compose_v1_and_published_vs_exposed() {
    let src = b"$ docker-compose ps\n\
    Name                  Command               State                    Ports                  \n\
--------------------------------------------------------------------------------------------------\n\
shop_web_1     gunicorn -b 0.0.0.0:8000 ...   Up      0.0.0.0:8080->8000/tcp,:::8080->8000/tcp\n\
shop_redis_1   docker-entrypoint.sh redis ... Up      6379/tcp                                \n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    // Published: a listener on the host. Exposed only: a fact, reachable on the container
    // network alone, never a listener nginx on the host could connect to.
    let web: Vec<_> =
        r.listeners.iter().map(|l| (l.port, l.container_port, l.processes[0].name.as_str())).collect();
    assert_eq!(web, vec![(Some(8080), Some(8000), "shop_web_1"), (Some(8080), Some(8000), "shop_web_1")]);
    assert!(
        matches!(&r.facts[..], [ProbeFact::ExposedPort { container, port: 6379, .. }] if container == "shop_redis_1")
    );
    assert_eq!(r.sections[0].format, Format::DockerPs);
}

/// Cuts every line at `width` bytes, as a narrow terminal, `cut -c` or a screenshot's
/// transcription does; `strip`: the copy dropped the padding at the cut.
fn cut_lines(src: &[u8], width: usize, strip: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for line in src.split(|c| *c == b'\n') {
        let cut = line.get(..width.min(line.len())).unwrap_or_default();
        out.extend_from_slice(if strip { cut.trim_ascii_end() } else { cut });
        out.push(b'\n');
    }
    out
}

#[test]
fn netstat_rows_cut_by_a_narrow_terminal_captured() {
    let src = include_bytes!("../../../../tests/fixtures/listeners/captured/netstat_tlnp.txt").as_slice();
    let full = parse(src);
    let key = |l: &Listener| (l.bind.clone(), l.port, l.kind);
    // Without the `(only servers)` banner, only a row's own columns say it listens.
    let no_banner: Vec<u8> = src.split(|c| *c == b'\n').skip(1).flat_map(|l| [l, b"\n"].concat()).collect();
    for (text, servers_only) in [(src, true), (no_banner.as_slice(), false)] {
        for width in 20..=110 {
            for strip in [false, true] {
                let cut = cut_lines(text, width, strip);
                let r = parse(&cut);
                for l in &r.listeners {
                    // Never invented: each one is a listener of the whole table, with the
                    // program name cut at most.
                    let line_of =
                        |text: &[u8], at: u32| text.iter().take(at as usize).filter(|c| **c == b'\n').count();
                    let n = line_of(&cut, l.range.start) + usize::from(!servers_only);
                    let whole =
                        full.listeners.iter().find(|f| key(f) == key(l) && line_of(src, f.range.start) == n);
                    let whole = whole.unwrap_or_else(|| panic!("width {width}: invented {l:?}"));
                    for (p, q) in l.processes.iter().zip(&whole.processes) {
                        assert!(q.name.starts_with(&p.name) && p.pid == q.pid, "width {width}: {p:?}");
                    }
                }
                let tcp =
                    |r: &ListenerReport| r.listeners.iter().filter(|l| l.kind == SocketKind::Tcp).count();
                // The peer `0.0.0.0:*` ends at column 53: from there every TCP listener is read.
                if width >= 53 {
                    assert_eq!(tcp(&r), tcp(&full), "width {width} strip {strip}");
                }
                // Cut right after the local address: read only when its padding survived
                // and the banner (42 columns) still says the listing is of servers only.
                if (34..=43).contains(&width) {
                    let banner = servers_only && width >= 42;
                    assert_eq!(tcp(&r) > 0, banner && !strip, "width {width} strip {strip}");
                }
                // Before any peer is whole (tcp6's `:::*` ends at column 47).
                if width < 48 && !servers_only {
                    assert_eq!(tcp(&r), 0, "width {width}: the state is not known");
                }
            }
        }
    }
    // A cut `LISTEN` with a cut peer: still a listener; a cut `ESTABLISHED`: not.
    let src = b"tcp        0      0 127.0.0.1:8000          0.0.0.0:*               LIST\n\
tcp        0      0 127.0.0.1:8000          127.0.0.1:51514         ESTAB\n\
tcp        0      0 127.0.0.1:9000          0.0.0.0:*               LISTEN      4242/gunic\n";
    let r = parse(src);
    assert!(r.unrecognized.is_empty());
    assert_eq!(ports(&r), vec![Some(8000), Some(9000)]);
    assert_eq!(r.listeners[1].processes[0].name, "gunic");
}

#[test]
fn lsof_localhost_on_an_ipv6_socket_handwritten() {
    // lsof without -n on a Debian or macOS host, whose /etc/hosts names ::1 `localhost`:
    // Node 17+ listening on `localhost` resolves it to ::1 first.
    let src = b"COMMAND   PID USER   FD   TYPE DEVICE SIZE/OFF NODE NAME\n\
node    4242  app   20u  IPv6  51234      0t0  TCP localhost:8000 (LISTEN)\n\
node    4243  app   21u  IPv4  51235      0t0  TCP localhost:8001 (LISTEN)\n";
    let r = parse(src);
    let lo4 = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let lo6 = IpAddr::V6(Ipv6Addr::LOCALHOST);
    assert_eq!(r.listeners[0].bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
    assert_eq!(r.listeners_accepting(lo4, 8000).count(), 0, "[::1] is not 127.0.0.1");
    assert_eq!(r.listeners_accepting(lo6, 8000).count(), 1);
    assert!(r.listeners[0].loopback_in_doubt());
    assert_eq!(r.listeners[1].bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
    assert!(!r.listeners[1].loopback_in_doubt());
    assert_eq!(r.listeners[1].host_name.as_deref(), Some("localhost"));
}

/// Windows `netstat -ano` (nginx for Windows), hand-typed from the tool's documented layout:
/// no Windows here to capture it. Listening TCP rows and UDP rows are listeners; the rest
/// (ESTABLISHED, TIME_WAIT) are read and dropped; a bare PID names no program.
#[test]
fn windows_netstat_ano() {
    let src = b"\r\nActive Connections\r\n\r\n  Proto  Local Address          Foreign Address        State           PID\r\n  TCP    0.0.0.0:80             0.0.0.0:0              LISTENING       4312\r\n  TCP    127.0.0.1:8080         0.0.0.0:0              LISTENING       10236\r\n  TCP    192.168.1.5:52000      140.82.112.3:443       ESTABLISHED     9932\r\n  TCP    127.0.0.1:8080         127.0.0.1:52114        TIME_WAIT       0\r\n  TCP    [::]:80                [::]:0                 LISTENING       4312\r\n  TCP    [::1]:3000             [::]:0                 LISTENING       5120\r\n  UDP    0.0.0.0:5353           *:*                                    2272\r\n";
    let r = parse(src);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));
    assert_eq!(ports(&r), vec![Some(80), Some(8080), Some(80), Some(3000), Some(5353)]);
    assert!(r.listeners.iter().all(|l| l.format == Format::NetstatWindows && l.processes.is_empty()));
    assert_eq!(r.listeners_accepting(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080).count(), 1);
    assert_eq!(r.listeners_accepting(IpAddr::V6(Ipv6Addr::LOCALHOST), 3000).count(), 1);
    assert_eq!(r.listeners_accepting(IpAddr::V4(Ipv4Addr::LOCALHOST), 3000).count(), 0, "[::1] only");
    assert_eq!(r.sections.len(), 1);
    assert_eq!(r.sections[0].format, Format::NetstatWindows);
}

/// `netstat -anb` names each row's program on the next line; `| findstr` leaves rows alone.
#[test]
fn windows_netstat_anb_and_findstr() {
    let src = b"  Proto  Local Address          Foreign Address        State           PID\n  TCP    0.0.0.0:80             0.0.0.0:0              LISTENING       4312\n [nginx.exe]\n  TCP    127.0.0.1:3000         0.0.0.0:0              LISTENING       5120\n [node.exe]\n  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1040\n  RpcSs\n [svchost.exe]\n  TCP    0.0.0.0:445            0.0.0.0:0              LISTENING       4\n Can not obtain ownership information\n";
    let r = parse(src);
    let names: Vec<Vec<&str>> =
        r.listeners.iter().map(|l| l.processes.iter().map(|p| p.name.as_str()).collect()).collect();
    assert_eq!(names, vec![vec!["nginx.exe"], vec!["node.exe"], vec!["svchost.exe"], vec![]]);
    assert!(unrecognized(src, &r).is_empty(), "{:?}", unrecognized(src, &r));

    let src = b"C:\\> netstat -ano | findstr :3000\n  TCP    127.0.0.1:3000         0.0.0.0:0              LISTENING       5120\n  TCP    127.0.0.1:3000         127.0.0.1:61234        ESTABLISHED     5120\n";
    let r = parse(src);
    assert_eq!(ports(&r), vec![Some(3000)]);
    // Linux's netstat rows are not Windows rows (lower-case protocol, Recv-Q columns).
    let r = parse(
        b"tcp        0      0 127.0.0.1:8000          0.0.0.0:*               LISTEN      657/gunicorn\n",
    );
    assert_eq!(r.listeners[0].format, Format::Netstat);
}
