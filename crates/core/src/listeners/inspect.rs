//! `docker inspect` output: a JSON array of containers (or one object, `--format '{{json
//! .}}'`). The lines of a JSON document are gathered until its brackets balance (or a line
//! that cannot be JSON ends a cut paste), then read by `json` into [`Container`]s: name,
//! compose service and project (labels), state, exit code, health, network mode, each
//! network's address and aliases, published and exposed-only ports.

use std::net::IpAddr;

use super::addr::{Tool, parse_host};
use super::containers::{Container, ContainerNetwork, ContainerPort, ContainerState, PublishedPort};
use super::docker::{expose, publish};
use super::json::{self, Node, Value};
use super::scan::{Line, parse_u16};
use super::{Format, Reader, TextRange};

/// At most this much of a JSON document is gathered (docker inspect of one container is
/// about 9 KB); past it the rest of the document is read as ordinary lines.
const MAX_JSON: usize = 4 << 20;

/// A JSON document being gathered, line by line.
#[derive(Debug, Default)]
pub(crate) struct JsonBlock {
    buf: Vec<u8>,
    /// For each line: its offset in `buf` and its range in the text.
    lines: Vec<(usize, TextRange)>,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

/// Does this line open a JSON document (`[`, `{`, `[{`, `{"...`)? `[ 1] 22/tcp ...` (ufw) does not.
pub(crate) fn starts_json(b: &[u8]) -> bool {
    let t = b.trim_ascii();
    t == b"[" || t == b"{" || t.starts_with(b"[{") || t.starts_with(b"[ {") || t.starts_with(b"{\"")
}

/// Can this line be inside a JSON document? A prompt or a table row cannot.
pub(crate) fn json_line(b: &[u8]) -> bool {
    let t = b.trim_ascii();
    let t = t.strip_suffix(b",").unwrap_or(t);
    match t.first() {
        None => true,
        // `[root@web ~]# ss -tlnp` is a prompt, not an array.
        Some(b'[' | b'{') => {
            let r = t.get(1..).unwrap_or_default().trim_ascii_start();
            r.first().is_none_or(|c| b"{}[]\"-0123456789".contains(c))
                || [b"true".as_slice(), b"false", b"null"].iter().any(|w| r.starts_with(w))
        }
        Some(b'}' | b']' | b'"') => true,
        Some(_) => {
            matches!(t, b"true" | b"false" | b"null") || t.iter().all(|c| b"+-.eE0123456789".contains(c))
        }
    }
}

impl JsonBlock {
    /// Adds a line; true when the document is complete.
    pub(crate) fn feed(&mut self, line: Line<'_>) -> bool {
        self.lines.push((self.buf.len(), line.range()));
        for &c in line.bytes {
            if self.in_string {
                match (self.escaped, c) {
                    (true, _) => self.escaped = false,
                    (false, b'\\') => self.escaped = true,
                    (false, b'"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                b'"' => self.in_string = true,
                b'[' | b'{' => self.depth += 1,
                b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.buf.extend_from_slice(line.bytes);
        self.buf.push(b'\n');
        self.depth == 0 || self.buf.len() > MAX_JSON
    }

    /// The text range of a buffer span.
    fn range(&self, (s, e): (usize, usize)) -> TextRange {
        let at = |o: usize| {
            let k = self.lines.partition_point(|(b, _)| *b <= o).saturating_sub(1);
            self.lines.get(k).map_or(0, |(b, r)| (r.start as usize + (o - b)).min(r.end as usize))
        };
        TextRange::from_usize(at(s), at(e.saturating_sub(1)).max(at(s)) + usize::from(e > s))
    }
}

/// Reads a gathered document. Its lines become a `docker inspect` section when it holds
/// containers, unrecognized lines otherwise.
pub(crate) fn finish(r: &mut Reader, block: JsonBlock) {
    let parsed = json::parse(&block.buf);
    let objects: Vec<&Node> = match &parsed {
        Some((n, _)) if matches!(n.value, Value::Array(_)) => n.items().iter().collect(),
        Some((n, _)) => vec![n],
        None => Vec::new(),
    };
    let before = r.report.containers.len();
    for o in objects.into_iter().filter(|o| is_container(o)) {
        container(r, &block, o);
    }
    let produced = r.report.containers.len() - before;
    let first = block.lines.first().map(|(_, r)| *r);
    let last = block.lines.last().map(|(_, r)| *r);
    match (first, last) {
        (Some(a), Some(z)) if produced > 0 => r.note(Format::DockerInspect, a.cover(z), produced),
        _ => {
            r.close_section();
            r.report.unrecognized.extend(block.lines.iter().map(|(_, l)| *l));
        }
    }
}

fn is_container(o: &Node) -> bool {
    o.get("Id").is_some() && (o.get("State").is_some() || o.get("NetworkSettings").is_some())
}

fn container(r: &mut Reader, block: &JsonBlock, o: &Node) {
    let s = |path: &[&str]| o.at(path).and_then(Node::str).filter(|s| !s.is_empty()).map(str::to_owned);
    let label =
        |k: &str| o.at(&["Config", "Labels"]).and_then(|l| l.get(k)).and_then(Node::str).map(str::to_owned);
    let state = s(&["State", "Status"]).and_then(|st| match st.as_str() {
        "created" => Some(ContainerState::Created),
        "running" => Some(ContainerState::Running),
        "paused" => Some(ContainerState::Paused),
        "restarting" => Some(ContainerState::Restarting),
        "exited" => Some(ContainerState::Exited),
        "removing" => Some(ContainerState::Removing),
        "dead" => Some(ContainerState::Dead),
        _ => None,
    });
    let exit_code = match (&o.at(&["State", "ExitCode"]).map(|n| &n.value), state) {
        (
            Some(Value::Number(n)),
            Some(ContainerState::Exited | ContainerState::Restarting | ContainerState::Dead),
        ) => n.parse::<i32>().ok(),
        _ => None,
    };
    let mut c = Container {
        name: s(&["Name"]).map(|n| n.trim_start_matches('/').to_owned()).unwrap_or_default(),
        id: s(&["Id"]),
        image: s(&["Config", "Image"]),
        service: label("com.docker.compose.service"),
        project: label("com.docker.compose.project"),
        state,
        exit_code,
        health: s(&["State", "Health", "Status"]),
        status: s(&["State", "Status"]),
        network_mode: s(&["HostConfig", "NetworkMode"]),
        networks: networks(o),
        published: Vec::new(),
        exposed: Vec::new(),
        format: Format::DockerInspect,
        range: block.range(o.span),
    };
    let row = c.range;
    // Active bindings: what docker-proxy holds now (empty for a stopped container).
    let mut seen: Vec<(u16, String)> = Vec::new();
    for (key, bindings) in o.at(&["NetworkSettings", "Ports"]).map(Node::members).unwrap_or_default() {
        let Some((port, proto)) = port_key(key) else { continue };
        let mut any = false;
        for b in bindings.items() {
            let host_ip = b.get("HostIp").and_then(Node::str).unwrap_or_default();
            let host_port = b.get("HostPort").and_then(Node::str).and_then(|p| parse_u16(p.as_bytes()));
            let (Some((host, interface)), Some(host_port)) =
                (parse_host(host_ip.as_bytes(), Tool::Docker), host_port)
            else {
                continue;
            };
            any = true;
            let p = PublishedPort {
                host,
                host_port,
                container_port: port,
                proto: proto.clone(),
                range: block.range(b.span),
            };
            publish(r, &mut c, p, interface, row);
        }
        if !any {
            expose(r, &mut c, ContainerPort { port, proto: proto.clone() }, block.range(bindings.span));
        }
        seen.push((port, proto));
    }
    // Exposed in the image or with --expose, not bound now (a stopped container's ports);
    // a port its configuration would publish once started is not "exposed only".
    let configured = o.at(&["HostConfig", "PortBindings"]).map(Node::members).unwrap_or_default();
    for (key, v) in o.at(&["Config", "ExposedPorts"]).map(Node::members).unwrap_or_default() {
        let Some((port, proto)) = port_key(key) else { continue };
        let bound_later = configured.iter().any(|(k, b)| k == key && !b.items().is_empty());
        if !seen.contains(&(port, proto.clone())) && !bound_later {
            expose(r, &mut c, ContainerPort { port, proto }, block.range(v.span));
        }
    }
    r.report.containers.push(c);
}

/// `8000/tcp` -> (8000, `tcp`).
fn port_key(k: &str) -> Option<(u16, String)> {
    let (p, proto) = k.split_once('/').unwrap_or((k, "tcp"));
    Some((parse_u16(p.as_bytes())?, proto.to_owned()))
}

fn networks(o: &Node) -> Vec<ContainerNetwork> {
    let ip = |n: &Node, k: &str| n.get(k).and_then(Node::str).and_then(|s| s.parse::<IpAddr>().ok());
    let names = |n: &Node, k: &str| -> Vec<String> {
        n.get(k)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::str)
            .map(str::to_owned)
            .collect()
    };
    o.at(&["NetworkSettings", "Networks"])
        .map(Node::members)
        .unwrap_or_default()
        .iter()
        .map(|(name, n)| {
            let mut aliases = names(n, "Aliases");
            for d in names(n, "DNSNames") {
                if !aliases.contains(&d) {
                    aliases.push(d);
                }
            }
            ContainerNetwork {
                name: name.clone(),
                ip: ip(n, "IPAddress"),
                ipv6: ip(n, "GlobalIPv6Address"),
                gateway: ip(n, "Gateway"),
                aliases,
            }
        })
        .collect()
}
