//! `netstat -ano` / `netstat -an` / `netstat -anb` from Windows, where nginx for Windows runs:
//!
//! ```text
//! Active Connections
//!
//!   Proto  Local Address          Foreign Address        State           PID
//!   TCP    0.0.0.0:80             0.0.0.0:0              LISTENING       4312
//!   TCP    [::]:8080              [::]:0                 LISTENING       5120
//!  [node.exe]
//!   UDP    0.0.0.0:5353           *:*                                    2272
//! ```
//!
//! Protocols are upper case, the state of a listening TCP socket is `LISTENING` (Linux
//! prints `LISTEN`), the last column is a bare PID (`-o`), and `-b` puts the program's name
//! on the line after its row, in brackets. `| findstr :8080` leaves rows without a header;
//! each row describes itself.

use super::addr::{Tool, parse_inet};
use super::scan::{is_digits, lossy, tok};
use super::{Format, Line, Listener, ProcessRef, Reader, SocketKind};

/// Reads one line of Windows netstat output: the banner, the header, a row or a `-b` name.
pub(crate) fn line(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let trimmed = line.bytes.trim_ascii();
    if trimmed == b"Active Connections" {
        return Some(Format::NetstatWindows);
    }
    if is_header(trimmed) {
        return Some(Format::NetstatWindows);
    }
    if let Some(name) = program_line(trimmed) {
        return attach_program(r, name).then_some(Format::NetstatWindows);
    }
    // `-b` prints a service's name (`RpcSs`) above its program, and says when it cannot.
    let service = !trimmed.is_empty()
        && trimmed.len() <= 64
        && trimmed.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
    if service || trimmed == b"Can not obtain ownership information" {
        return after_row(r).then_some(Format::NetstatWindows);
    }
    row(r, line)
}

/// `Proto  Local Address  Foreign Address  State  [PID]`: no `Recv-Q` (that is Linux's).
fn is_header(t: &[u8]) -> bool {
    t.starts_with(b"Proto ")
        && memchr::memmem::find(t, b"Local Address").is_some()
        && memchr::memmem::find(t, b"Foreign Address").is_some()
        && memchr::memmem::find(t, b"Recv-Q").is_none()
}

/// `[nginx.exe]`: the program `-b` names under its row.
fn program_line(t: &[u8]) -> Option<&[u8]> {
    let name = t.strip_prefix(b"[")?.strip_suffix(b"]")?;
    let plausible = !name.is_empty()
        && name.len() <= 260
        && !name.iter().any(|b| matches!(b, b'[' | b']' | b':'))
        && name.iter().any(u8::is_ascii_alphabetic);
    plausible.then_some(name)
}

/// Whether the lines being read are Windows netstat's.
fn after_row(r: &Reader) -> bool {
    r.current_format() == Some(Format::NetstatWindows)
}

/// Names the last listener of a Windows row with the program `-b` printed under it.
fn attach_program(r: &mut Reader, name: &[u8]) -> bool {
    if !after_row(r) {
        return false;
    }
    if let Some(l) = r.report.listeners.last_mut().filter(|l| l.format == Format::NetstatWindows) {
        l.processes = vec![ProcessRef { name: lossy(name), pid: None, fd: None, user: None }];
    }
    true
}

fn row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let first = line.bytes.trim_ascii_start();
    if !(first.starts_with(b"TCP ") || first.starts_with(b"UDP ")) {
        return None;
    }
    r.with_tokens(line, row_toks)
}

fn row_toks(r: &mut Reader, line: Line<'_>, t: &[(usize, usize)]) -> Option<Format> {
    let b = line.bytes;
    let kind = match tok(b, t, 0) {
        b"TCP" => SocketKind::Tcp,
        b"UDP" => SocketKind::Udp,
        _ => return None,
    };
    let local = tok(b, t, 1);
    let v6 = local.starts_with(b"[");
    let tool = Tool::Netstat { v6 };
    let addr = parse_inet(local, tool)?;
    let foreign = tok(b, t, 2);
    if foreign != b"*:*" && parse_inet(foreign, Tool::Netstat { v6: foreign.starts_with(b"[") }).is_none() {
        return None;
    }
    // TCP rows have a state, UDP rows none; `-o` adds the PID last.
    let (state, pid_at) = match kind {
        SocketKind::Tcp => {
            let s = tok(b, t, 3);
            if s.is_empty() || !s.iter().all(|c| c.is_ascii_uppercase() || *c == b'_') {
                return None;
            }
            (Some(s), 4)
        }
        _ => (None, 3),
    };
    let pid_tok = tok(b, t, pid_at);
    if t.len() > pid_at + 1 || (!pid_tok.is_empty() && !is_digits(pid_tok)) {
        return None;
    }
    let listening = match kind {
        SocketKind::Tcp => state == Some(&b"LISTENING"[..]),
        _ => true,
    };
    if listening {
        let (ls, le) = t.get(1).copied().unwrap_or_default();
        r.report.listeners.push(Listener {
            kind,
            bind: addr.bind,
            port: addr.port,
            interface: addr.interface,
            host_name: addr.host_name,
            state: state.map(lossy),
            recv_q: None,
            send_q: None,
            // A PID alone names no program: the row stays unnamed, as `ss` without root
            // (`tasklist /FI "PID eq N"` tells), unless `-b` names it on the next line.
            processes: Vec::new(),
            container_port: None,
            format: Format::NetstatWindows,
            range: line.range(),
            addr_range: line.sub(ls, le),
        });
    }
    Some(Format::NetstatWindows)
}
