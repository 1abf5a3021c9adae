//! `docker ps`, `docker compose ps` (v2) and `docker-compose ps` (v1) tables: each row
//! becomes a [`Container`]; its published ports also become listeners (docker-proxy's
//! sockets on the host) and its exposed-only ports [`ProbeFact::ExposedPort`] facts.
//!
//! With a header whose cells are two or more spaces apart the cells are cut at the header's
//! columns. When a chat client collapsed the spacing (header and rows single-spaced), or a
//! row comes without a header, the row is read by its tokens: docker prints the COMMAND in
//! quotes, CREATED ends in `ago`, STATUS starts with a state word, PORTS entries look like
//! ports, and every other cell is one token.

use super::addr::{Tool, parse_host};
use super::containers::{Container, ContainerPort, ContainerState, PublishedPort};
use super::scan::{Line, find, lossy, parse_u16, tokens};
use super::{Format, Listener, Mode, ProbeFact, ProcessRef, Reader, SocketKind, TextRange};

/// What a column of a docker table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DockerCol {
    Id,
    Image,
    Command,
    Created,
    Status,
    Ports,
    Names,
    Service,
    Other,
}

/// The columns of a docker table header, with their start in characters when the header
/// was aligned (cells two or more spaces apart).
#[derive(Clone, Debug)]
pub(crate) struct DockerCols {
    cols: Vec<(DockerCol, usize)>,
    aligned: bool,
}

fn col_kind(name: &[u8]) -> DockerCol {
    match name {
        b"CONTAINER ID" | b"CONTAINER" => DockerCol::Id,
        b"IMAGE" => DockerCol::Image,
        b"COMMAND" => DockerCol::Command,
        b"CREATED" | b"RUNNING FOR" => DockerCol::Created,
        b"STATUS" => DockerCol::Status,
        b"PORTS" | b"Ports" => DockerCol::Ports,
        b"NAMES" | b"NAME" | b"Name" => DockerCol::Names,
        b"SERVICE" => DockerCol::Service,
        _ => DockerCol::Other,
    }
}

/// Reads a `docker ps`-style header (`CONTAINER ID   IMAGE ...`, compose v2's `NAME   IMAGE
/// ... SERVICE ...`, `--format table` ones). `None` without PORTS and a name column.
pub(crate) fn header_cols(h: &[u8]) -> Option<DockerCols> {
    let aligned = find(h.trim_ascii(), b"  ").is_some();
    let mut cols: Vec<(DockerCol, usize)> = Vec::new();
    if aligned {
        let mut chars = 0usize;
        let mut spaces = 2usize;
        for (i, &c) in h.iter().enumerate() {
            if c == b' ' || c == b'\t' {
                spaces += 1;
            } else {
                if spaces >= 2 {
                    let end = h.get(i..).and_then(|r| find(r, b"  ")).map_or(h.len(), |e| i + e);
                    cols.push((col_kind(h.get(i..end).unwrap_or_default().trim_ascii()), chars));
                }
                spaces = 0;
            }
            if (c & 0xC0) != 0x80 {
                chars += 1;
            }
        }
    } else {
        // Single-spaced: `CONTAINER ID` and `RUNNING FOR` are the two-word titles.
        let words: Vec<&[u8]> = h.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()).collect();
        let mut k = 0;
        while let Some(&w) = words.get(k) {
            let two = words.get(k + 1).map(|n| [w, b" ", n].concat());
            match two.as_deref() {
                Some(t @ (b"CONTAINER ID" | b"RUNNING FOR")) => {
                    cols.push((col_kind(t), 0));
                    k += 2;
                }
                _ => {
                    cols.push((col_kind(w), 0));
                    k += 1;
                }
            }
        }
    }
    let has = |c: DockerCol| cols.iter().any(|(k, _)| *k == c);
    (has(DockerCol::Ports) && has(DockerCol::Names)).then_some(DockerCols { cols, aligned })
}

/// The default `docker ps` columns, for rows pasted without their header.
fn default_cols() -> DockerCols {
    use DockerCol::*;
    DockerCols {
        cols: vec![(Id, 0), (Image, 0), (Command, 0), (Created, 0), (Status, 0), (Ports, 0), (Names, 0)],
        aligned: false,
    }
}

/// The cells of one row, as line-relative byte ranges.
#[derive(Default)]
struct Cells {
    id: Option<(usize, usize)>,
    image: Option<(usize, usize)>,
    status: Option<(usize, usize)>,
    service: Option<(usize, usize)>,
    ports: Option<(usize, usize)>,
    name: Option<(usize, usize)>,
}

impl Cells {
    fn set(&mut self, col: DockerCol, cell: (usize, usize)) {
        match col {
            DockerCol::Id => self.id = Some(cell),
            DockerCol::Image => self.image = Some(cell),
            DockerCol::Status => self.status = Some(cell),
            DockerCol::Service => self.service = Some(cell),
            DockerCol::Ports => self.ports = Some(cell),
            DockerCol::Names => self.name = Some(cell),
            DockerCol::Command | DockerCol::Created | DockerCol::Other => {}
        }
    }
}

/// Cuts an aligned row at the header's columns (character positions: docker pads by
/// characters, and the COMMAND cell often holds a `…`).
fn aligned_cells(b: &[u8], cols: &DockerCols) -> Cells {
    let mut cells = Cells::default();
    let at = |c: usize| char_to_byte(b, c).unwrap_or(b.len());
    for (k, &(col, start)) in cols.cols.iter().enumerate() {
        let s = at(start);
        let e = cols.cols.get(k + 1).map_or(b.len(), |&(_, n)| at(n)).max(s);
        cells.set(col, (s, e));
    }
    cells
}

/// Reads a row by its tokens, column by column (collapsed spacing, or no header). `None`
/// when the tokens do not fit the columns.
fn token_cells(b: &[u8], cols: &DockerCols, t: &[(usize, usize)]) -> Option<Cells> {
    let w = |i: usize| t.get(i).and_then(|&(s, e)| b.get(s..e)).unwrap_or_default();
    let mut cells = Cells::default();
    let mut i = 0;
    for (k, &(col, _)) in cols.cols.iter().enumerate() {
        let last_col = k + 1 == cols.cols.len();
        let start = i;
        match col {
            DockerCol::Command if w(i).starts_with(b"\"") => {
                while i < t.len() && !(w(i).ends_with(b"\"") && (i > start || w(i).len() > 1)) {
                    i += 1;
                }
                i += 1;
            }
            DockerCol::Created => {
                while i < t.len() && w(i) != b"ago" && i - start < 8 {
                    i += 1;
                }
                if w(i) != b"ago" {
                    return None;
                }
                i += 1;
            }
            DockerCol::Status => i = status_end(b, t, i)?,
            DockerCol::Ports => {
                while i < t.len() && entry_ok(w(i).strip_suffix(b",").unwrap_or(w(i))) {
                    i += 1;
                }
            }
            // An empty last cell (a `--format table` row whose PORTS is empty) has no token.
            _ if i >= t.len() && last_col => {}
            _ => i += 1,
        }
        if i > t.len() {
            return None;
        }
        if i > start {
            let (s, _) = *t.get(start)?;
            let (_, e) = *t.get(i - 1)?;
            cells.set(col, (s, e));
        }
    }
    (i == t.len()).then_some(cells)
}

const DURATION_WORDS: &[&[u8]] = &[
    b"About", b"a", b"an", b"Less", b"than", b"second", b"seconds", b"minute", b"minutes", b"hour", b"hours",
    b"day", b"days", b"week", b"weeks", b"month", b"months", b"year", b"years", b"ago",
];

/// The token after a STATUS cell starting at token `i`: `Up 2 hours (healthy)`, `Exited (3)
/// 5 seconds ago`, `Restarting (1) Less than a second ago`, `Created`, `Removal In Progress`.
fn status_end(b: &[u8], t: &[(usize, usize)], mut i: usize) -> Option<usize> {
    let w = |i: usize| t.get(i).and_then(|&(s, e)| b.get(s..e)).unwrap_or_default();
    let first = w(i);
    state_word(first)?;
    i += 1;
    if first == b"Removal" {
        return Some(i + 2);
    }
    let is_duration =
        |x: &[u8]| DURATION_WORDS.contains(&x) || x.iter().all(u8::is_ascii_digit) && !x.is_empty();
    loop {
        let x = w(i);
        if x.is_empty() {
            break;
        }
        if x.starts_with(b"(") {
            // `(3)`, `(healthy)`, `(health: starting)`, `(Paused)`
            while i < t.len() && !w(i).ends_with(b")") {
                i += 1;
            }
            i += 1;
        } else if is_duration(x) {
            i += 1;
        } else {
            break;
        }
    }
    Some(i.min(t.len()))
}

/// The state a STATUS (docker ps, compose v2) or State (compose v1) cell starts with.
fn state_word(w: &[u8]) -> Option<ContainerState> {
    Some(match w.to_ascii_lowercase().as_slice() {
        b"up" | b"running" | b"ghost" => ContainerState::Running,
        b"exited" | b"exit" => ContainerState::Exited,
        b"restarting" => ContainerState::Restarting,
        b"created" => ContainerState::Created,
        b"paused" => ContainerState::Paused,
        b"dead" => ContainerState::Dead,
        b"removal" | b"removing" => ContainerState::Removing,
        _ => return None,
    })
}

/// State, exit code and health from a status text.
fn read_status(s: &[u8]) -> (Option<ContainerState>, Option<i32>, Option<String>) {
    let mut words = s.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty());
    let Some(mut state) = words.next().and_then(state_word) else { return (None, None, None) };
    let after = words.next().unwrap_or_default();
    // `Exited (3)`, `Restarting (1)`, compose v1 `Exit 3`
    let code =
        std::str::from_utf8(after.strip_prefix(b"(").and_then(|a| a.strip_suffix(b")")).unwrap_or(after))
            .ok()
            .and_then(|c| c.parse::<i32>().ok())
            .filter(|_| matches!(state, ContainerState::Exited | ContainerState::Restarting));
    if find(s, b"(Paused)").is_some() {
        state = ContainerState::Paused;
    }
    let health = if find(s, b"(unhealthy)").is_some() {
        Some("unhealthy")
    } else if find(s, b"(healthy)").is_some() {
        Some("healthy")
    } else if find(s, b"health: starting").is_some() {
        Some("starting")
    } else {
        None
    };
    (Some(state), code, health.map(str::to_owned))
}

/// A docker table row. `in_mode`: a docker header or command came before.
pub(crate) fn row(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let b = line.bytes;
    let (cols, compose_v1) = match &r.mode {
        Mode::Docker { cols, compose_v1 } if in_mode => (cols.clone(), *compose_v1),
        _ => (None, false),
    };
    let first_end = b.iter().position(u8::is_ascii_whitespace).unwrap_or(b.len());
    let first = b.get(..first_end).unwrap_or_default();
    let is_id = first.len() >= 12 && first.iter().all(u8::is_ascii_hexdigit);
    let mut toks: Vec<(usize, usize)> = Vec::new();
    tokens(b, &mut toks);
    let cells = match &cols {
        Some(c) if c.aligned => aligned_cells(b, c),
        Some(c) => token_cells(b, c, &toks)?,
        None if compose_v1 => compose_v1_cells(line, &toks)?,
        None if is_id => token_cells(b, &default_cols(), &toks).unwrap_or_else(|| {
            // A row of a table whose columns we do not know: the name is the last token.
            let ns = b.iter().rposition(u8::is_ascii_whitespace).map_or(b.len(), |p| p + 1);
            Cells {
                id: Some((0, first_end)),
                ports: Some((first_end, ns)),
                name: Some((ns, b.len())),
                ..Cells::default()
            }
        }),
        None => return None,
    };
    let cell =
        |c: Option<(usize, usize)>| c.map(|(s, e)| line.get(s, e).trim_ascii()).filter(|c| !c.is_empty());
    let name_cell = cell(cells.name).unwrap_or_default();
    let name = name_cell.split(u8::is_ascii_whitespace).next().unwrap_or_default();
    let ports = cells.ports.unwrap_or((b.len(), b.len()));
    let entries = port_entries(line, ports);
    // Without a container id to go by, a row must hold only port entries and a name
    // without spaces: prose after the table is not taken for a container.
    let name_ok = !name.is_empty() && name.len() == name_cell.len();
    if !is_id && (!name_ok || !entries.iter().all(|(_, e)| entry_ok(e))) {
        return None;
    }
    let status = cell(cells.status);
    let (state, exit_code, health) = status.map(read_status).unwrap_or((None, None, None));
    let mut container = Container {
        name: lossy(name),
        id: cell(cells.id).map(lossy),
        image: cell(cells.image).map(lossy),
        service: cell(cells.service).map(lossy),
        project: None,
        state,
        exit_code,
        health,
        status: status.map(lossy),
        network_mode: None,
        networks: Vec::new(),
        published: Vec::new(),
        exposed: Vec::new(),
        format: Format::DockerPs,
        range: line.range(),
    };
    for (s, entry) in entries {
        let range = TextRange::from_usize(line.start + s, line.start + s + entry.len());
        port(r, line, entry, range, &mut container);
    }
    r.report.containers.push(container);
    r.mode = Mode::Docker { cols, compose_v1 };
    Some(Format::DockerPs)
}

/// docker-compose v1 centres its titles over the cells, so its rows are read by their
/// tokens: name, command (unquoted, any words), state, then the ports from the first entry.
fn compose_v1_cells(line: Line<'_>, t: &[(usize, usize)]) -> Option<Cells> {
    let w = |i: usize| t.get(i).map(|&(s, e)| line.get(s, e)).unwrap_or_default();
    let ports_at = (1..t.len()).find(|&i| entry_ok(w(i).split(|c| *c == b',').next().unwrap_or_default()));
    let before = ports_at.unwrap_or(t.len());
    // The state is the last state word before the ports (the command may hold any word).
    let state_at = (1..before).rev().find(|&i| {
        let x = w(i);
        state_word(x).is_some() && x.first().is_some_and(u8::is_ascii_uppercase)
    })?;
    let &(ss, _) = t.get(state_at)?;
    let &(_, se) = t.get(before - 1)?;
    let &(ns, ne) = t.first()?;
    let ports = ports_at.and_then(|p| t.get(p)).map(|&(s, _)| (s, line.bytes.len()));
    Some(Cells { status: Some((ss, se)), name: Some((ns, ne)), ports, ..Cells::default() })
}

/// The port entries of a PORTS cell, joined by `, ` (docker ps, compose v2) or `,` (v1).
fn port_entries<'a>(line: Line<'a>, (ps, pe): (usize, usize)) -> Vec<(usize, &'a [u8])> {
    let mut items: Vec<(usize, usize)> = Vec::new();
    tokens(line.get(ps, pe), &mut items);
    let mut entries = Vec::new();
    for &(s, e) in &items {
        let mut at = s + ps;
        for part in line.get(s + ps, e + ps).split(|c| *c == b',') {
            if !part.is_empty() {
                entries.push((at, part));
            }
            at += part.len() + 1;
        }
    }
    entries
}

/// `0.0.0.0:8080->80/tcp`, `[::]:8080->80/tcp`, `:::8080->80/tcp`, `80/tcp`, ranges.
pub(crate) fn entry_ok(e: &[u8]) -> bool {
    let Some(slash) = e.iter().rposition(|c| *c == b'/') else { return false };
    let (ports, proto) = e.split_at(slash);
    if !matches!(proto, b"/tcp" | b"/udp" | b"/sctp") {
        return false;
    }
    let cport = match find(ports, b"->") {
        Some(a) => ports.get(a + 2..).unwrap_or_default(),
        None => ports,
    };
    port_range(cport).is_some()
}

/// Byte offset of the `n`th character (UTF-8), `None` past the end.
fn char_to_byte(b: &[u8], n: usize) -> Option<usize> {
    b.iter().enumerate().filter(|(_, c)| (**c & 0xC0) != 0x80).map(|(i, _)| i).nth(n)
}

/// At most this many entries from one `a-b` range: a range is a fact about the
/// container, not a reason to make a paste grow without bound.
pub(crate) const MAX_RANGE: u32 = 256;

fn port(r: &mut Reader, line: Line<'_>, entry: &[u8], range: TextRange, c: &mut Container) {
    let Some(slash) = entry.iter().rposition(|c| *c == b'/') else { return };
    let (ports, proto) = entry.split_at(slash);
    let proto = proto.get(1..).unwrap_or_default();
    match find(ports, b"->") {
        Some(arrow) => {
            let (host, cport) = ports.split_at(arrow);
            let cport = cport.get(2..).unwrap_or_default();
            let Some(colon) = host.iter().rposition(|c| *c == b':') else { return };
            let (ip, hport) = host.split_at(colon);
            let Some((bind, interface)) = parse_host(ip, Tool::Docker) else { return };
            let Some((h0, h1)) = port_range(hport.get(1..).unwrap_or_default()) else { return };
            let (c0, _) = port_range(cport).unwrap_or((0, 0));
            for (k, p) in (u32::from(h0)..=u32::from(h1)).take(MAX_RANGE as usize).enumerate() {
                let Ok(host_port) = u16::try_from(p) else { continue };
                let cp = u32::from(c0)
                    .checked_add(u32::try_from(k).unwrap_or(0))
                    .and_then(|v| u16::try_from(v).ok())
                    .filter(|_| c0 != 0);
                publish(
                    r,
                    c,
                    PublishedPort {
                        host: bind.clone(),
                        host_port,
                        container_port: cp.unwrap_or(0),
                        proto: lossy(proto),
                        range,
                    },
                    interface.clone(),
                    line.range(),
                );
            }
        }
        None => {
            let Some((p0, p1)) = port_range(ports) else { return };
            for p in (u32::from(p0)..=u32::from(p1)).take(MAX_RANGE as usize) {
                if let Ok(port) = u16::try_from(p) {
                    expose(r, c, ContainerPort { port, proto: lossy(proto) }, range);
                }
            }
        }
    }
}

/// Records a published port on the container and as the host listener docker-proxy holds.
pub(crate) fn publish(
    r: &mut Reader,
    c: &mut Container,
    p: PublishedPort,
    interface: Option<String>,
    row: TextRange,
) {
    let kind = if p.proto == "udp" { SocketKind::Udp } else { SocketKind::Tcp };
    r.report.listeners.push(Listener {
        kind,
        bind: p.host.clone(),
        port: Some(p.host_port),
        interface,
        host_name: None,
        state: None,
        recv_q: None,
        send_q: None,
        processes: vec![ProcessRef { name: c.name.clone(), pid: None, fd: None, user: None }],
        container_port: (p.container_port != 0).then_some(p.container_port),
        format: c.format,
        range: row,
        addr_range: p.range,
    });
    c.published.push(p);
}

/// Records a port the container exposes without publishing it.
pub(crate) fn expose(r: &mut Reader, c: &mut Container, p: ContainerPort, range: TextRange) {
    r.report.facts.push(ProbeFact::ExposedPort {
        container: c.name.clone(),
        port: p.port,
        proto: p.proto.clone(),
        range,
    });
    c.exposed.push(p);
}

/// `8080` or `9998-9999`.
pub(crate) fn port_range(b: &[u8]) -> Option<(u16, u16)> {
    match memchr::memchr(b'-', b) {
        Some(d) => {
            let (a, z) = b.split_at(d);
            let (a, z) = (parse_u16(a)?, parse_u16(z.get(1..)?)?);
            (a <= z).then_some((a, z))
        }
        None => parse_u16(b).map(|p| (p, p)),
    }
}
