//! Socket tables: ss, netstat, lsof, docker ps, and `ls -l` of a socket directory.

use super::addr::{Family, Tool, parse_inet};
use super::scan::{
    Command, Line, contains, find, first_operand, has_short_flag, is_clock, is_digits, is_month, lossy,
    parse_u32, tok, tokens, word,
};
use super::{Bind, Format, Listener, Mode, ProcessRef, Reader, SocketFile, SocketKind};

/// The mode a command line puts the reader in (tables only; probes are decided in `probes`).
pub(crate) fn mode_for_command(cmd: Command<'_>) -> Mode {
    match cmd.program {
        b"ss" if has_short_flag(cmd.args, b'x') => Mode::SsUnix,
        b"ss" => Mode::SsInet { state: true },
        b"netstat" if has_short_flag(cmd.args, b'x') => Mode::NetstatUnix,
        // `-l` without `-a`: every row is a listening socket.
        b"netstat" => {
            Mode::Netstat { servers_only: has_short_flag(cmd.args, b'l') && !has_short_flag(cmd.args, b'a') }
        }
        b"lsof" => Mode::Lsof,
        b"sockstat" => Mode::Sockstat,
        b"docker" | b"podman" => Mode::Docker { cols: None, compose_v1: false },
        b"docker-compose" => Mode::Docker { cols: None, compose_v1: true },
        b"ls" => Mode::Ls { dir: first_operand(cmd.args).filter(|d| d.starts_with(b"/")).map(dir_name) },
        b"ps" => Mode::Ps { ef: !contains(cmd.args, b"aux") && has_short_flag(cmd.args, b'f') },
        _ => Mode::Other,
    }
}

/// Header and banner lines of the tables (and `ps`, whose header sets the column layout).
pub(crate) fn header(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    if let Some(f) = super::kube::header(r, line) {
        return Some(f);
    }
    let b = line.bytes.trim_ascii_start();
    let has = |n: &[u8]| contains(b, n);
    if (b.starts_with(b"Netid") || b.starts_with(b"State") || b.starts_with(b"Recv-Q"))
        && has(b"Local Address:Port")
    {
        let state = has(b"State");
        if matches!(r.mode, Mode::SsUnix) {
            return Some(Format::SsUnix);
        }
        r.mode = Mode::SsInet { state };
        return Some(Format::SsTcp);
    }
    if b.starts_with(b"Active Internet connections") || b.starts_with(b"Proto Recv-Q Send-Q") {
        let servers_only = match &r.mode {
            Mode::Netstat { servers_only } => *servers_only,
            _ => false,
        };
        r.mode = Mode::Netstat { servers_only: servers_only || has(b"(only servers)") };
        return Some(Format::Netstat);
    }
    if b.starts_with(b"Active UNIX domain sockets") || b.starts_with(b"Proto RefCnt Flags") {
        r.mode = Mode::NetstatUnix;
        return Some(Format::NetstatUnix);
    }
    if b.starts_with(b"(Not all processes could be identified")
        || b.starts_with(b"will not be shown, you would have to be root")
    {
        return Some(Format::Netstat);
    }
    if b.starts_with(b"USER") && has(b"COMMAND") && has(b"PID") && has(b"PROTO") && has(b"LOCAL") {
        r.mode = Mode::Sockstat;
        return Some(Format::Sockstat);
    }
    if b.starts_with(b"COMMAND") && has(b"PID") && has(b"NAME") {
        let unix = matches!(r.mode, Mode::Lsof) && r.lsof_unix_hint;
        r.mode = Mode::Lsof;
        return Some(if unix { Format::LsofUnix } else { Format::Lsof });
    }
    // docker-compose v1 (1.29): `Name  Command  State  Ports`, then a line of dashes.
    let compose_v1 = b.starts_with(b"Name") && has(b"Command") && has(b"State") && has(b"Ports");
    if compose_v1 || ((b.starts_with(b"CONTAINER ID") || b.starts_with(b"NAME")) && has(b"PORTS")) {
        // Compose v1 centres its titles over the cells: its rows are read by their tokens.
        let cols = if compose_v1 { None } else { super::docker::header_cols(line.bytes) };
        r.mode = Mode::Docker { cols, compose_v1 };
        return Some(Format::DockerPs);
    }
    if b.starts_with(b"USER") && has(b"PID") && has(b"%CPU") && has(b"COMMAND") {
        r.mode = Mode::Ps { ef: false };
        return Some(Format::Ps);
    }
    if b.starts_with(b"UID") && has(b"PID") && has(b"PPID") && has(b"CMD") {
        r.mode = Mode::Ps { ef: true };
        return Some(Format::Ps);
    }
    if matches!(r.mode, Mode::Docker { .. }) && b.len() >= 10 && b.trim_ascii().iter().all(|c| *c == b'-') {
        return Some(Format::DockerPs);
    }
    if let Some(n) = b.strip_prefix(b"total ") {
        let n = n.trim_ascii();
        if !n.is_empty() && n.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b',') {
            if !matches!(r.mode, Mode::Ls { .. }) {
                r.mode = Mode::Ls { dir: None };
            }
            return Some(Format::LsSockets);
        }
    }
    if let Mode::Ls { dir } = &mut r.mode {
        // `ls -l /run/php /run/gunicorn` prints `/run/php:` before each listing.
        if b.starts_with(b"/") && b.ends_with(b":") && !b.iter().any(u8::is_ascii_whitespace) {
            *dir = Some(dir_name(b.get(..b.len() - 1).unwrap_or_default()));
            return Some(Format::LsSockets);
        }
    }
    None
}

pub(crate) fn row_in_mode(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    match &r.mode {
        // `ss -i`/`-m`/`-e` print details on tab-indented continuation lines.
        Mode::SsInet { .. } if line.bytes.starts_with(b"\t") => Some(Format::SsTcp),
        Mode::SsUnix if line.bytes.starts_with(b"\t") => Some(Format::SsUnix),
        Mode::SsInet { .. } | Mode::SsUnix => ss_row(r, line).or_else(|| ss_wrapped_users(r, line)),
        Mode::Netstat { .. } | Mode::NetstatUnix => netstat_row(r, line),
        Mode::Sockstat => sockstat_row(r, line),
        Mode::Lsof => lsof_row(r, line),
        Mode::Docker { .. } => super::docker::row(r, line, true),
        Mode::Ls { .. } => ls_row(r, line),
        _ => None,
    }
}

/// Rows that say by themselves which tool printed them.
pub(crate) fn row_any(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    ss_row(r, line)
        .or_else(|| netstat_row(r, line))
        .or_else(|| lsof_row(r, line))
        .or_else(|| ls_row(r, line))
        .or_else(|| super::docker::row(r, line, false))
        .or_else(|| sockstat_row(r, line))
}

const SS_NETIDS: &[&[u8]] = &[
    b"tcp", b"udp", b"raw", b"u_str", b"u_dgr", b"u_seq", b"sctp", b"mptcp", b"nl", b"p_raw", b"p_dgr",
    b"v_str",
];

const SS_STATES: &[&[u8]] = &[
    b"LISTEN",
    b"UNCONN",
    b"ESTAB",
    b"SYN-SENT",
    b"SYN-RECV",
    b"FIN-WAIT-1",
    b"FIN-WAIT-2",
    b"TIME-WAIT",
    b"CLOSE-WAIT",
    b"LAST-ACK",
    b"CLOSING",
    b"CLOSED",
    b"UNKNOWN",
];

fn ss_row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let b = line.bytes;
    let w0 = word(b, 0);
    let stateless_ok = matches!(r.mode, Mode::SsInet { state: false });
    if !(SS_NETIDS.contains(&w0) || SS_STATES.contains(&w0) || (stateless_ok && is_digits(w0))) {
        return None;
    }
    r.with_tokens(line, ss_row_toks)
}

fn ss_row_toks(r: &mut Reader, line: Line<'_>, t: &[(usize, usize)]) -> Option<Format> {
    let b = line.bytes;
    let mut i = 0;
    let netid = Some(tok(b, t, 0)).filter(|w| SS_NETIDS.contains(w));
    if netid.is_some() {
        i += 1;
    }
    let state = Some(tok(b, t, i)).filter(|w| SS_STATES.contains(w));
    if state.is_some() {
        i += 1;
    }
    let stateless_ok = matches!(r.mode, Mode::SsInet { state: false, .. });
    if netid.is_none() && state.is_none() && !stateless_ok {
        return None;
    }
    let recv_q = parse_u32(tok(b, t, i))?;
    let send_q = parse_u32(tok(b, t, i + 1))?;
    i += 2;
    let local = tok(b, t, i);
    let unix = match netid {
        Some(n) => n.starts_with(b"u_"),
        None => {
            matches!(r.mode, Mode::SsUnix)
                || local.starts_with(b"/")
                || (local.starts_with(b"@") && is_digits(tok(b, t, i + 1)))
        }
    };
    let state_s = state.map(lossy);
    let &(ls, le) = t.get(i)?;
    if unix {
        // `path inode peer peer-inode [users:(...)]`
        if !is_digits(tok(b, t, i + 1)) || t.len() < i + 4 {
            return None;
        }
        let processes = t.get(i + 4).map(|&(s, _)| parse_ss_users(line.rest(s))).unwrap_or_default();
        let bind = if let Some(name) = local.strip_prefix(b"@") {
            Some(Bind::Abstract(lossy(name)))
        } else if local == b"*" {
            None // unnamed socket: not a listener anyone can connect to
        } else {
            Some(Bind::Unix(lossy(local)))
        };
        if let Some(bind) = bind {
            r.report.listeners.push(Listener {
                kind: SocketKind::Unix,
                bind,
                port: None,
                interface: None,
                host_name: None,
                state: state_s,
                recv_q: Some(recv_q),
                send_q: Some(send_q),
                processes,
                container_port: None,
                format: Format::SsUnix,
                range: line.range(),
                addr_range: line.sub(ls, le),
            });
        }
        if !matches!(r.mode, Mode::SsUnix) {
            r.mode = Mode::SsUnix;
        }
        return Some(Format::SsUnix);
    }
    let addr = parse_inet(local, Tool::Ss)?;
    parse_inet(tok(b, t, i + 1), Tool::Ss)?;
    // A state word after the peer is netstat's column (`ESTABLISHED`, a cut `LIST`), not ss's.
    let after = tok(b, t, i + 2);
    if !after.is_empty() && after.iter().all(|c| c.is_ascii_uppercase() || *c == b'_') {
        return None;
    }
    let users = t.get(i + 2).map(|&(s, _)| line.rest(s)).unwrap_or_default();
    let processes = parse_ss_users(users);
    // A row without `users:` (wrapped by a narrow terminal) or with an unclosed one may
    // continue on the next line.
    let open = users.is_empty() || (contains(users, b"users:(") && !users.ends_with(b"))"));
    let carry = open.then(|| users.get(..users.len().min(WRAP_MAX)).unwrap_or_default().to_vec());
    r.ss_wrap = None;
    let kind = match netid {
        Some(b"udp") => Some(SocketKind::Udp),
        Some(b"tcp" | b"mptcp" | b"sctp") => Some(SocketKind::Tcp),
        Some(_) => None,
        None if state == Some(b"UNCONN") => Some(SocketKind::Udp),
        None => Some(SocketKind::Tcp),
    };
    let listening = matches!(state, None | Some(b"LISTEN" | b"UNCONN"));
    if let (Some(kind), true) = (kind, listening) {
        r.report.listeners.push(Listener {
            kind,
            bind: addr.bind,
            port: addr.port,
            interface: addr.interface,
            host_name: addr.host_name,
            state: state_s,
            recv_q: Some(recv_q),
            send_q: Some(send_q),
            processes,
            container_port: None,
            format: Format::SsTcp,
            range: line.range(),
            addr_range: line.sub(ls, le),
        });
        r.ss_wrap = carry.map(|c| (r.report.listeners.len() - 1, c));
    }
    if !matches!(r.mode, Mode::SsInet { .. }) {
        r.mode = Mode::SsInet { state: state.is_some() };
    }
    Some(Format::SsTcp)
}

/// At most this much of a wrapped `users:((...` is carried to the next line.
const WRAP_MAX: usize = 4096;

/// The rest of an ss row on its own line: `users:((...))` after a row that had none, or
/// the end of a `users:((...` a terminal or chat cut. Joined to the row's listener.
fn ss_wrapped_users(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let (index, carry) = r.ss_wrap.take()?;
    let part = line.bytes.trim_ascii();
    let continues = if carry.is_empty() { part.starts_with(b"users:(") } else { !part.contains(&b' ') };
    if !continues || part.len() > WRAP_MAX {
        return None;
    }
    let joined = [carry.as_slice(), part].concat();
    let listener = r.report.listeners.get_mut(index)?;
    listener.processes = parse_ss_users(&joined);
    listener.range = listener.range.cover(line.range());
    if !joined.ends_with(b"))") && joined.len() < WRAP_MAX {
        r.ss_wrap = Some((index, joined));
    }
    Some(listener.format)
}

/// `users:(("nginx",pid=21532,fd=6),("nginx",pid=20846,fd=6))`
pub(crate) fn parse_ss_users(rest: &[u8]) -> Vec<ProcessRef> {
    let mut out = Vec::new();
    let Some(at) = find(rest, b"users:(") else { return out };
    let mut s = rest.get(at + 7..).unwrap_or_default();
    while let Some(open) = find(s, b"(\"") {
        let after = s.get(open + 2..).unwrap_or_default();
        let Some(close_q) = find(after, b"\",") else { break };
        let name = after.get(..close_q).unwrap_or_default();
        let fields = after.get(close_q + 2..).unwrap_or_default();
        let end = memchr::memchr(b')', fields).unwrap_or(fields.len());
        let mut p = ProcessRef { name: lossy(name), pid: None, fd: None, user: None };
        // Old iproute2 (before 3.x) printed `("apache2",24418,4)`: pid and fd by position.
        for (k, kv) in fields.get(..end).unwrap_or_default().split(|c| *c == b',').enumerate() {
            if let Some(v) = kv.strip_prefix(b"pid=") {
                p.pid = parse_u32(v);
            } else if let Some(v) = kv.strip_prefix(b"fd=") {
                p.fd = parse_u32(v);
            } else if k == 0 {
                p.pid = parse_u32(kv);
            } else if k == 1 {
                p.fd = parse_u32(kv);
            }
        }
        out.push(p);
        s = fields.get(end..).unwrap_or_default();
    }
    out
}

const NETSTAT_PROTOS: &[&[u8]] = &[
    b"tcp", b"tcp6", b"udp", b"udp6", b"udpl", b"udpl6", b"raw", b"raw6", b"sctp", b"sctp6", b"tcp4",
    b"tcp46", b"udp4", b"udp46",
];

fn netstat_row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let w0 = word(line.bytes, 0);
    if w0 != b"unix" && !NETSTAT_PROTOS.contains(&w0) {
        return None;
    }
    r.with_tokens(line, |r, line, toks| {
        if tok(line.bytes, toks, 0) == b"unix" {
            netstat_unix_toks(r, line, toks)
        } else {
            netstat_inet_toks(r, line, toks)
        }
    })
}

/// `PID/Program name` column: `20846/nginx: master`, or `-`.
fn netstat_program(col: &[u8]) -> Vec<ProcessRef> {
    let col = col.trim_ascii();
    let Some(slash) = memchr::memchr(b'/', col) else { return Vec::new() };
    let (pid, name) = col.split_at(slash);
    let Some(pid) = parse_u32(pid) else { return Vec::new() };
    let name = name.get(1..).unwrap_or_default().trim_ascii();
    // `657/` (the name cut off by a narrow terminal): no name to go by.
    if name.is_empty() {
        return Vec::new();
    }
    vec![ProcessRef { name: lossy(name), pid: Some(pid), fd: None, user: None }]
}

fn netstat_inet_toks(r: &mut Reader, line: Line<'_>, t: &[(usize, usize)]) -> Option<Format> {
    let b = line.bytes;
    let proto = tok(b, t, 0);
    if !NETSTAT_PROTOS.contains(&proto) {
        return None;
    }
    let recv_q = parse_u32(tok(b, t, 1))?;
    let send_q = parse_u32(tok(b, t, 2))?;
    let v6 = proto.ends_with(b"6");
    let tool = Tool::Netstat { v6 };
    // net-tools and BusyBox print `host:port`; macOS and FreeBSD `host.port` (`*.8080`,
    // `::1.8000`) under `tcp4`/`tcp6`/`tcp46`.
    let dual = proto.ends_with(b"46");
    let read = |w: &[u8]| {
        parse_inet(w, tool).map(|a| (a, false)).or_else(|| parse_bsd_inet(w, tool, dual).map(|a| (a, true)))
    };
    // A row a narrow terminal or a `cut` ended early: its last token may be cut too, so a
    // local address with nothing after it is not read (`127.0.0.1:80` may be `:8000`),
    // unless the padding after it survived.
    let last_whole = b.last().is_some_and(u8::is_ascii_whitespace);
    let Some(&(ls, le)) = t.get(3).filter(|_| t.len() > 4 || last_whole) else {
        return matches!(r.mode, Mode::Netstat { .. }).then_some(Format::Netstat);
    };
    let (addr, bsd) = read(tok(b, t, 3))?;
    let format = if bsd { Format::NetstatBsd } else { Format::Netstat };
    let foreign = tok(b, t, 4);
    let foreign_ok = read(foreign).is_some();
    // Only an unconnected socket has a wildcard peer port: for TCP, a listener.
    let unconnected = foreign_ok && (foreign.ends_with(b":*") || foreign.ends_with(b".*"));
    if !foreign_ok && t.len() > 5 {
        return None;
    }
    let next = tok(b, t, 5);
    let is_state = !next.is_empty()
        && next.iter().all(|c| c.is_ascii_uppercase() || *c == b'_' || c.is_ascii_digit())
        && !next.contains(&b'/')
        && next != b"-"
        && !is_digits(next);
    // The state cut short (`LIST`) when it is the row's last token.
    let cut_state = is_state && t.len() == 6 && !NETSTAT_STATES.contains(&next);
    let state = (is_state && !cut_state).then(|| lossy(next));
    let prog_tok = if is_state { 6 } else { 5 };
    let processes = t.get(prog_tok).map(|&(s, _)| netstat_program(line.rest(s))).unwrap_or_default();
    let kind = if proto.starts_with(b"udp") {
        Some(SocketKind::Udp)
    } else if proto.starts_with(b"tcp") || proto.starts_with(b"sctp") {
        Some(SocketKind::Tcp)
    } else {
        None
    };
    let servers_only = matches!(r.mode, Mode::Netstat { servers_only: true });
    let listening = match (kind, state.as_deref()) {
        (Some(SocketKind::Udp), _) => foreign_ok || servers_only,
        (_, Some(s)) => s == "LISTEN",
        // No state (cut, or a tool that prints none): what the peer or the listing proves.
        (_, None) if cut_state => {
            (next.len() >= 2 && b"LISTEN".starts_with(next)) || (unconnected && !b"CLOSE".starts_with(next))
        }
        (_, None) => unconnected || servers_only,
    };
    if let (Some(kind), true) = (kind, listening) {
        r.report.listeners.push(Listener {
            kind,
            bind: addr.bind,
            port: addr.port,
            interface: addr.interface,
            host_name: addr.host_name,
            state,
            recv_q: Some(recv_q),
            send_q: Some(send_q),
            processes,
            container_port: None,
            format,
            range: line.range(),
            addr_range: line.sub(ls, le),
        });
    }
    if !matches!(r.mode, Mode::Netstat { .. }) {
        r.mode = Mode::Netstat { servers_only: false };
    }
    Some(format)
}

/// The TCP states netstat prints (net-tools, BusyBox, BSD).
const NETSTAT_STATES: &[&[u8]] = &[
    b"LISTEN",
    b"ESTABLISHED",
    b"SYN_SENT",
    b"SYN_RECV",
    b"SYN_RCVD",
    b"FIN_WAIT1",
    b"FIN_WAIT2",
    b"FIN_WAIT_1",
    b"FIN_WAIT_2",
    b"TIME_WAIT",
    b"CLOSE",
    b"CLOSED",
    b"CLOSE_WAIT",
    b"LAST_ACK",
    b"CLOSING",
    b"UNKNOWN",
];

/// BSD `host.port`: `127.0.0.1.8000`, `*.8080`, `::1.8000`, `fe80::1%lo0.8000`, `*.*`.
/// `dual`: a `tcp46` row, whose `*` is a dual-stack `::`.
fn parse_bsd_inet(tok: &[u8], tool: Tool, dual: bool) -> Option<super::addr::Addr> {
    let dot = tok.iter().rposition(|c| *c == b'.')?;
    let (host, port) = tok.split_at(dot);
    let port = port.get(1..)?;
    let mut a = parse_inet(&[host, b":", port].concat(), tool)?;
    if dual && host == b"*" {
        a.bind = Bind::AnyV6 { v6only: Some(false) };
    }
    Some(a)
}

/// FreeBSD `sockstat`: `USER COMMAND PID FD PROTO LOCAL ADDRESS FOREIGN ADDRESS`, e.g.
/// `www nginx 812 6 tcp4 *:80 *:*` or `www php-fpm 900 0 stream /var/run/php-fpm.sock`.
/// Without `-l` connected rows are listed too; those have a foreign address.
fn sockstat_row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let b = line.bytes;
    let proto = word(b, 4);
    let inet = matches!(proto, b"tcp4" | b"tcp6" | b"tcp46" | b"udp4" | b"udp6" | b"udp46");
    if !(inet || matches!(proto, b"stream" | b"seqpac")) || !is_digits(word(b, 2)) {
        return None;
    }
    let fd = word(b, 3);
    if !(is_digits(fd) || fd == b"?") {
        return None;
    }
    r.with_tokens(line, |r, line, toks| sockstat_toks(r, line, toks, proto, inet))
}

fn sockstat_toks(
    r: &mut Reader,
    line: Line<'_>,
    t: &[(usize, usize)],
    proto: &[u8],
    inet: bool,
) -> Option<Format> {
    let b = line.bytes;
    let process = ProcessRef {
        name: lossy(tok(b, t, 1)),
        pid: parse_u32(tok(b, t, 2)),
        fd: parse_u32(tok(b, t, 3)),
        user: Some(lossy(tok(b, t, 0))),
    };
    let &(ls, le) = t.get(5)?;
    let local = tok(b, t, 5);
    let socket = if inet {
        let v6 = proto.contains(&b'6');
        let mut addr = parse_inet(local, Tool::Netstat { v6 })?;
        if proto.ends_with(b"46") && local.starts_with(b"*:") {
            addr.bind = Bind::AnyV6 { v6only: Some(false) };
        }
        let kind = if proto.starts_with(b"udp") { SocketKind::Udp } else { SocketKind::Tcp };
        // Without `-l` connected sockets are listed too; they have a foreign address.
        let foreign = tok(b, t, 6);
        (foreign.is_empty() || foreign.starts_with(b"*:")).then_some((
            kind,
            addr.bind,
            addr.port,
            addr.interface,
        ))
    } else {
        (local.starts_with(b"/") && t.len() == 6)
            .then(|| (SocketKind::Unix, Bind::Unix(lossy(local)), None, None))
    };
    if let Some((kind, bind, port, interface)) = socket {
        r.report.listeners.push(Listener {
            kind,
            bind,
            port,
            interface,
            host_name: None,
            state: None,
            recv_q: None,
            send_q: None,
            processes: vec![process],
            container_port: None,
            format: Format::Sockstat,
            range: line.range(),
            addr_range: line.sub(ls, le),
        });
    }
    r.mode = Mode::Sockstat;
    Some(Format::Sockstat)
}

const NETSTAT_UNIX_STATES: &[&[u8]] =
    &[b"LISTENING", b"CONNECTED", b"CONNECTING", b"DISCONNECTING", b"FREE", b"UNKNOWN"];

/// `unix  2      [ ACC ]     STREAM     LISTENING     42817    21880/python3        /srv/app.sock`
fn netstat_unix_toks(r: &mut Reader, line: Line<'_>, t: &[(usize, usize)]) -> Option<Format> {
    let b = line.bytes;
    parse_u32(tok(b, t, 1))?;
    if !tok(b, t, 2).starts_with(b"[") {
        return None;
    }
    let close = (2..t.len()).find(|&i| tok(b, t, i).ends_with(b"]"))?;
    let mut i = close + 1;
    let _sock_type = tok(b, t, i);
    i += 1;
    let state = Some(tok(b, t, i)).filter(|w| NETSTAT_UNIX_STATES.contains(w));
    if state.is_some() {
        i += 1;
    }
    parse_u64_tok(tok(b, t, i))?;
    i += 1;
    let (path, path_range, processes) = match t.get(i) {
        None => (None, None, Vec::new()),
        Some(&(s, _)) => {
            let rest = line.rest(s);
            if rest.starts_with(b"/") || rest.starts_with(b"@") {
                (Some(rest), Some(line.sub(s, s + rest.len())), Vec::new())
            } else {
                // netstat pads `PID/Program name` to 20 columns; the name may hold spaces.
                let split = if rest.len() > 20 && rest.get(19..21).is_some_and(|w| w.contains(&b' ')) {
                    Some(20)
                } else {
                    rest.iter()
                        .enumerate()
                        .rev()
                        .find(|&(j, c)| (*c == b'/' || *c == b'@') && j > 0 && rest.get(j - 1) == Some(&b' '))
                        .map(|(j, _)| j)
                };
                match split {
                    Some(j) => {
                        let (prog, p) = rest.split_at_checked(j).unwrap_or((rest, b""));
                        let lead = p.iter().take_while(|c| c.is_ascii_whitespace()).count();
                        let p = p.trim_ascii();
                        let ps = s + j + lead;
                        let path = (!p.is_empty()).then_some(p);
                        (path, path.map(|p| line.sub(ps, ps + p.len())), netstat_program(prog))
                    }
                    None => (None, None, netstat_program(rest)),
                }
            }
        }
    };
    let listening = state == Some(b"LISTENING") || contains(line.get(t.get(2)?.0, t.get(close)?.1), b"ACC");
    if let (Some(path), Some(pr), true) = (path, path_range, listening) {
        let bind = match path.strip_prefix(b"@") {
            Some(n) => Bind::Abstract(lossy(n)),
            None => Bind::Unix(lossy(path)),
        };
        r.report.listeners.push(Listener {
            kind: SocketKind::Unix,
            bind,
            port: None,
            interface: None,
            host_name: None,
            state: state.map(lossy),
            recv_q: None,
            send_q: None,
            processes,
            container_port: None,
            format: Format::NetstatUnix,
            range: line.range(),
            addr_range: pr,
        });
    }
    r.mode = Mode::NetstatUnix;
    Some(Format::NetstatUnix)
}

fn parse_u64_tok(b: &[u8]) -> Option<u64> {
    super::scan::parse_u64(b)
}

/// `COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME`
fn lsof_row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    if !is_digits(word(line.bytes, 1)) {
        return None;
    }
    let mut toks = std::mem::take(&mut r.toks);
    tokens(line.bytes, &mut toks);
    let out = lsof_row_toks(r, line, &toks);
    r.toks = toks;
    out
}

fn lsof_row_toks(r: &mut Reader, line: Line<'_>, t: &[(usize, usize)]) -> Option<Format> {
    let b = line.bytes;
    if t.len() < 9 {
        return None;
    }
    let pid = parse_u32(tok(b, t, 1))?;
    let typ = tok(b, t, 4);
    let fd_tok = tok(b, t, 3);
    let fd_digits = fd_tok.iter().take_while(|c| c.is_ascii_digit()).count();
    let fd = parse_u32(fd_tok.get(..fd_digits).unwrap_or_default());
    let process =
        ProcessRef { name: lossy(tok(b, t, 0)), pid: Some(pid), fd, user: Some(lossy(tok(b, t, 2))) };
    let &(ns, _) = t.get(8)?;
    let name = line.rest(ns);
    let state = name
        .iter()
        .rposition(|c| *c == b'(')
        .and_then(|o| name.get(o + 1..))
        .and_then(|s| s.strip_suffix(b")"))
        .map(lossy);
    let first_end = name.iter().position(u8::is_ascii_whitespace).unwrap_or(name.len());
    let first = name.get(..first_end).unwrap_or_default();
    let addr_range = line.sub(ns, ns + first_end);
    match typ {
        b"IPv4" | b"IPv6" => {
            let node = tok(b, t, 7);
            let kind = match node {
                b"TCP" => SocketKind::Tcp,
                b"UDP" => SocketKind::Udp,
                _ => return None,
            };
            let family = if typ == b"IPv4" { Family::V4 } else { Family::V6 };
            if contains(first, b"->") {
                return Some(Format::Lsof); // a connection, not a listener
            }
            let addr = parse_inet(first, Tool::Lsof { family: Some(family) })?;
            let listening = kind == SocketKind::Udp || state.as_deref().is_none_or(|s| s == "LISTEN");
            if listening {
                r.report.listeners.push(Listener {
                    kind,
                    bind: addr.bind,
                    port: addr.port,
                    interface: addr.interface,
                    host_name: addr.host_name,
                    state,
                    recv_q: None,
                    send_q: None,
                    processes: vec![process],
                    container_port: None,
                    format: Format::Lsof,
                    range: line.range(),
                    addr_range,
                });
            }
            r.mode = Mode::Lsof;
            Some(Format::Lsof)
        }
        b"unix" => {
            if !tok(b, t, 5).starts_with(b"0x") {
                return None;
            }
            let bind = if let Some(n) = first.strip_prefix(b"@") {
                Some(Bind::Abstract(lossy(n)))
            } else if first.starts_with(b"/") {
                Some(Bind::Unix(lossy(first)))
            } else {
                None
            };
            if let (Some(bind), false) = (bind, contains(name, b"->")) {
                r.report.listeners.push(Listener {
                    kind: SocketKind::Unix,
                    bind,
                    port: None,
                    interface: None,
                    host_name: None,
                    state,
                    recv_q: None,
                    send_q: None,
                    processes: vec![process],
                    container_port: None,
                    format: Format::LsofUnix,
                    range: line.range(),
                    addr_range,
                });
            }
            r.mode = Mode::Lsof;
            Some(Format::LsofUnix)
        }
        _ => None,
    }
}

/// `/run/php/` -> `/run/php` (the root stays `/`).
fn dir_name(d: &[u8]) -> String {
    let s = lossy(d);
    let t = s.trim_end_matches('/');
    if t.is_empty() { "/".to_owned() } else { t.to_owned() }
}

/// `srw-rw---- 1 root www-data 0 Nov 21 11:31 php-fpm.sock`
fn ls_row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    parse_mode(word(line.bytes, 0))?;
    let mut toks = std::mem::take(&mut r.toks);
    tokens(line.bytes, &mut toks);
    let out = ls_row_toks(r, line, &toks);
    r.toks = toks;
    out
}

fn ls_row_toks(r: &mut Reader, line: Line<'_>, t: &[(usize, usize)]) -> Option<Format> {
    let b = line.bytes;
    let (type_char, mode) = parse_mode(tok(b, t, 0))?;
    parse_u32(tok(b, t, 1))?;
    let owner = tok(b, t, 2);
    let group = tok(b, t, 3);
    let mut i = 4;
    // size, or `major, minor` for devices
    if tok(b, t, i).ends_with(b",") {
        i += 1;
    }
    if !is_digits(tok(b, t, i)) && !tok(b, t, i).iter().all(|c| c.is_ascii_alphanumeric() || *c == b'.') {
        return None;
    }
    i += 1;
    let d = tok(b, t, i);
    let time_or_year = |y: &[u8]| is_clock(y) || (is_digits(y) && y.len() == 4);
    let day = |w: &[u8]| is_digits(w.strip_suffix(b".").unwrap_or(w)) && w.len() <= 3;
    if is_month(d) || is_month_like(d) {
        // `Nov 21 11:31`, `Nov 21  2025`, French `déc.  7 21:48`
        if !day(tok(b, t, i + 1)) || !time_or_year(tok(b, t, i + 2)) {
            return None;
        }
        i += 3;
    } else if day(d) && is_month_like(tok(b, t, i + 1)) && time_or_year(tok(b, t, i + 2)) {
        // German and other locales put the day first: `7. Dez 21:48`.
        i += 3;
    } else if d.len() == 10 && d.get(4) == Some(&b'-') {
        // long-iso `2026-11-21 11:31`, full-iso adds a zone token
        i += 2;
        let z = tok(b, t, i);
        if (z.starts_with(b"+") || z.starts_with(b"-")) && z.len() == 5 {
            i += 1;
        }
    } else {
        return None;
    }
    let &(ns, _) = t.get(i)?;
    let mut name = line.rest(ns);
    if let Some(arrow) = find(name, b" -> ") {
        name = name.get(..arrow).unwrap_or_default();
    }
    let dir = match &r.mode {
        Mode::Ls { dir } => dir.clone(),
        _ => None,
    };
    let path = if name.starts_with(b"/") {
        lossy(name)
    } else {
        match (&dir, name) {
            (Some(d), b".") => d.clone(),
            (Some(d), _) => format!("{}/{}", d.trim_end_matches('/'), lossy(name)),
            (None, _) => lossy(name),
        }
    };
    r.report.socket_files.push(SocketFile {
        path,
        owner: lossy(owner),
        group: lossy(group),
        mode,
        is_socket: type_char == b's',
        is_dir: type_char == b'd',
        range: line.range(),
    });
    if !matches!(r.mode, Mode::Ls { .. }) {
        r.mode = Mode::Ls { dir: None };
    }
    Some(Format::LsSockets)
}

/// A month as `ls -l` prints it in another locale (`Dez`, `déc.`, `Mär`, `janv.`): a
/// short word of letters, maybe ending in a dot. Only taken between a size and a day and
/// time, so it need not know every language.
fn is_month_like(w: &[u8]) -> bool {
    let w = w.strip_suffix(b".").unwrap_or(w);
    let Ok(s) = std::str::from_utf8(w) else { return false };
    let n = s.chars().count();
    (3..=5).contains(&n) && s.chars().all(char::is_alphabetic)
}

/// `srwxr-x---` (+ optional `.`, `+`, `@`) -> (type letter, permission bits).
fn parse_mode(m: &[u8]) -> Option<(u8, u32)> {
    let m = match m.len() {
        10 => m,
        11 if matches!(m.last(), Some(b'.' | b'+' | b'@')) => m.get(..10)?,
        _ => return None,
    };
    let (&ty, perms) = m.split_first()?;
    if !b"-dlcbsp".contains(&ty) {
        return None;
    }
    let mut bits = 0u32;
    for (k, c) in perms.iter().enumerate() {
        let shift = 8 - u32::try_from(k).ok()?; // r w x of user, group, other
        let slot = k % 3;
        let bit = 1u32 << shift;
        match (slot, c) {
            (_, b'-') => {}
            (0, b'r') | (1, b'w') | (2, b'x') => bits |= bit,
            (2, b's' | b't') => {
                bits |= bit | special_bit(k);
            }
            (2, b'S' | b'T') => bits |= special_bit(k),
            _ => return None,
        }
    }
    Some((ty, bits))
}

/// setuid for the user triplet, setgid for group, sticky for other.
fn special_bit(k: usize) -> u32 {
    match k / 3 {
        0 => 0o4000,
        1 => 0o2000,
        _ => 0o1000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(parse_mode(b"srw-rw----"), Some((b's', 0o660)));
        assert_eq!(parse_mode(b"drwxr-xr-x"), Some((b'd', 0o755)));
        assert_eq!(parse_mode(b"drwxrwxrwt"), Some((b'd', 0o1777)));
        assert_eq!(parse_mode(b"-rwsr-Sr-T."), Some((b'-', 0o7744)));
        assert_eq!(parse_mode(b"hello-worl"), None);
    }

    #[test]
    fn users_column() {
        let p = parse_ss_users(br#"users:(("nginx",pid=21532,fd=6),("nginx",pid=20846,fd=6)) ino:1"#);
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].pid, Some(20846));
        assert_eq!(p[1].fd, Some(6));
        assert!(parse_ss_users(b"").is_empty());
        assert!(parse_ss_users(b"users:((\"x").is_empty());
    }
}
