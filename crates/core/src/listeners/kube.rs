//! `kubectl get svc`, `kubectl get pods [-o wide]`, `kubectl get endpoints` and `kubectl get
//! endpointslices` tables, any version and layout (`-A`'s NAMESPACE column, `get all`'s
//! `service/NAME`, kubectl 1.8's service table without TYPE, RESTARTS with `(5m ago)`).
//!
//! kubectl pads cells with spaces and never puts one inside a cell, except RESTARTS
//! (`5 (30s ago)`) and a list kubectl shortened (`a,b,c + 2 more...`): rows are read by
//! their tokens against the header's titles, so a row whose spacing a chat collapsed reads
//! the same. Cell formats follow kubernetes `pkg/printers/internalversion/printers.go`.

use std::net::{IpAddr, SocketAddr};

use super::containers::{EndpointAddress, EndpointsKind, KubeEndpoints, KubePod, KubeService, ServicePort};
use super::scan::{Command, Line, lossy, parse_u16, parse_u32, tokens};
use super::{Format, Mode, Reader};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KubeTable {
    Services,
    Pods,
    Endpoints,
    EndpointSlices,
    /// Another kubectl table (`get all`'s deployments, replica sets): read, not used.
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Col {
    Namespace,
    Name,
    Type,
    ClusterIp,
    ExternalIp,
    Ports,
    Selector,
    Endpoints,
    AddressType,
    Ready,
    Status,
    Restarts,
    Ip,
    Node,
    Age,
    Other,
}

/// A kubectl table's kind and its columns, from its header.
#[derive(Clone, Debug)]
pub(crate) struct KubeCols {
    table: KubeTable,
    cols: Vec<Col>,
}

/// The table a `kubectl get RESOURCE` command prints.
pub(crate) fn mode_for_command(cmd: Command<'_>) -> Option<Mode> {
    if cmd.program != b"kubectl" {
        return None;
    }
    let mut words = cmd.args.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty() && !w.starts_with(b"-"));
    let table = match (words.next(), words.next()) {
        (Some(b"get"), Some(what)) => {
            match what
                .split(|c| *c == b'/')
                .next()
                .unwrap_or_default()
                .split(|c| *c == b',')
                .next()
                .unwrap_or_default()
            {
                b"svc" | b"service" | b"services" => KubeTable::Services,
                b"po" | b"pod" | b"pods" => KubeTable::Pods,
                b"ep" | b"endpoints" => KubeTable::Endpoints,
                b"endpointslice" | b"endpointslices" | b"endpointslices.discovery.k8s.io" => {
                    KubeTable::EndpointSlices
                }
                _ => KubeTable::Other,
            }
        }
        _ => KubeTable::Other,
    };
    Some(Mode::Kube { cols: KubeCols { table, cols: Vec::new() } })
}

fn format_of(t: KubeTable) -> Format {
    match t {
        KubeTable::Services => Format::KubeServices,
        KubeTable::Pods => Format::KubePods,
        KubeTable::Other => Format::Kubectl,
        KubeTable::Endpoints => Format::KubeEndpoints,
        KubeTable::EndpointSlices => Format::KubeEndpointSlices,
    }
}

/// A kubectl table header: `NAME  TYPE  CLUSTER-IP ...`, `NAMESPACE  NAME  READY ...`.
pub(crate) fn header(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let words: Vec<&[u8]> = line.bytes.split(u8::is_ascii_whitespace).filter(|w| !w.is_empty()).collect();
    if !matches!(words.first(), Some(&(b"NAME" | b"NAMESPACE"))) || !words.contains(&b"NAME".as_slice()) {
        return None;
    }
    let has = |w: &[u8]| words.contains(&w);
    let table = if has(b"CLUSTER-IP") && has(b"PORT(S)") {
        KubeTable::Services
    } else if has(b"READY") && has(b"STATUS") && has(b"RESTARTS") {
        KubeTable::Pods
    } else if has(b"ENDPOINTS") && has(b"ADDRESSTYPE") {
        KubeTable::EndpointSlices
    } else if has(b"ENDPOINTS") {
        KubeTable::Endpoints
    } else if has(b"AGE") && matches!(r.mode, Mode::Kube { .. }) {
        KubeTable::Other
    } else {
        return None;
    };
    let mut cols = Vec::new();
    let mut k = 0;
    while let Some(&w) = words.get(k) {
        k += 1;
        // Two-word titles of `-o wide`.
        if matches!((w, words.get(k)), (b"NOMINATED", Some(&b"NODE")) | (b"READINESS", Some(&b"GATES"))) {
            k += 1;
            cols.push(Col::Other);
            continue;
        }
        cols.push(match w {
            b"NAMESPACE" => Col::Namespace,
            b"NAME" => Col::Name,
            b"TYPE" => Col::Type,
            b"CLUSTER-IP" => Col::ClusterIp,
            b"EXTERNAL-IP" => Col::ExternalIp,
            b"PORT(S)" | b"PORTS" => Col::Ports,
            b"SELECTOR" => Col::Selector,
            b"ENDPOINTS" => Col::Endpoints,
            b"ADDRESSTYPE" => Col::AddressType,
            b"READY" => Col::Ready,
            b"STATUS" => Col::Status,
            b"RESTARTS" => Col::Restarts,
            b"IP" => Col::Ip,
            b"NODE" => Col::Node,
            b"AGE" => Col::Age,
            _ => Col::Other,
        });
    }
    r.mode = Mode::Kube { cols: KubeCols { table, cols } };
    Some(format_of(table))
}

/// A row (or kubectl's own remark) under a kubectl header or command.
pub(crate) fn row(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let Mode::Kube { cols } = &r.mode else { return None };
    let cols = cols.clone();
    let b = line.bytes.trim_ascii();
    let format = format_of(cols.table);
    if b.starts_with(b"No resources found") || b.starts_with(b"Warning: ") {
        return Some(format);
    }
    if cols.cols.is_empty() {
        return None;
    }
    let mut t: Vec<(usize, usize)> = Vec::new();
    tokens(line.bytes, &mut t);
    let cells = cells(line, &cols.cols, &t)?;
    let get = |c: Col| cells.iter().find(|(k, _)| *k == c).map(|(_, v)| v.as_slice());
    let one = |c: Col| get(c).and_then(|v| v.first().copied());
    let name = one(Col::Name).filter(|n| is_name(n))?;
    if one(Col::Age).is_some_and(|a| !is_age(a)) {
        return None;
    }
    // `get all` prints `service/web`, `pod/web-7d4b9`.
    let name = lossy(name.rsplit(|c| *c == b'/').next().unwrap_or(name));
    let namespace = one(Col::Namespace).map(lossy);
    let range = line.range();
    match cols.table {
        KubeTable::Services => {
            let cluster = one(Col::ClusterIp)?;
            let cluster_ip = match cluster {
                b"None" | b"<none>" => None,
                ip => Some(parse_ip(ip)?),
            };
            let external = one(Col::ExternalIp).unwrap_or(b"<none>");
            let ports = match one(Col::Ports) {
                None | Some(b"<none>") => Vec::new(),
                Some(p) => p.split(|c| *c == b',').map(service_port).collect::<Option<Vec<_>>>()?,
            };
            let selector = one(Col::Selector).filter(|s| *s != b"<none>").map(lossy);
            r.report.kube_services.push(KubeService {
                namespace,
                name,
                service_type: one(Col::Type).map(lossy),
                cluster_ip,
                headless: cluster == b"None",
                external: match external {
                    b"<none>" | b"<pending>" => Vec::new(),
                    e => e.split(|c| *c == b',').map(lossy).collect(),
                },
                external_pending: external == b"<pending>",
                ports,
                selector,
                range,
            });
        }
        KubeTable::Endpoints | KubeTable::EndpointSlices => {
            let slice = cols.table == KubeTable::EndpointSlices;
            let (list, more) = shortened(get(Col::Endpoints)?)?;
            let mut addresses = Vec::new();
            let mut more = more;
            for a in list {
                if slice {
                    match parse_ip(a) {
                        Some(ip) => addresses.push(EndpointAddress { ip, port: None }),
                        // An FQDN slice lists names: counted, not addresses.
                        None if is_name(a) => more += 1,
                        None => return None,
                    }
                } else {
                    let sa: SocketAddr = std::str::from_utf8(a).ok()?.parse().ok()?;
                    addresses.push(EndpointAddress { ip: sa.ip(), port: Some(sa.port()) });
                }
            }
            let ports = match get(Col::Ports) {
                Some(p) => shortened(p)?.0.into_iter().filter_map(parse_u16).collect(),
                None => Vec::new(),
            };
            let address_type = one(Col::AddressType).map(lossy);
            if slice && !matches!(address_type.as_deref(), Some("IPv4" | "IPv6" | "FQDN")) {
                return None;
            }
            let kind = if slice { EndpointsKind::EndpointSlice } else { EndpointsKind::Endpoints };
            r.report.kube_endpoints.push(KubeEndpoints {
                kind,
                namespace,
                name,
                address_type,
                addresses,
                more,
                ports,
                range,
            });
        }
        KubeTable::Pods => {
            let (ready, total) =
                one(Col::Ready)?.split_at_checked(one(Col::Ready)?.iter().position(|c| *c == b'/')?)?;
            let ready = (parse_u32(ready)?, parse_u32(total.get(1..)?)?);
            let status = one(Col::Status).filter(|s| s.first().is_some_and(u8::is_ascii_alphabetic))?;
            let ip = match one(Col::Ip) {
                None | Some(b"<none>") => None,
                Some(ip) => Some(parse_ip(ip)?),
            };
            r.report.kube_pods.push(KubePod {
                namespace,
                name,
                ready: Some(ready),
                status: lossy(status),
                restarts: one(Col::Restarts).and_then(parse_u32),
                ip,
                node: one(Col::Node).filter(|n| *n != b"<none>").map(lossy),
                range,
            });
        }
        KubeTable::Other => {}
    }
    Some(format)
}

/// A column and the tokens of its cell.
type Cell<'a> = (Col, Vec<&'a [u8]>);

/// The row's cells by column. `None` when the tokens do not fit.
fn cells<'a>(line: Line<'a>, cols: &[Col], t: &[(usize, usize)]) -> Option<Vec<Cell<'a>>> {
    let w = |i: usize| t.get(i).map(|&(s, e)| line.get(s, e));
    let mut out = Vec::with_capacity(cols.len());
    let mut i = 0;
    for &col in cols {
        let mut cell = vec![w(i)?];
        i += 1;
        match col {
            // `5 (30s ago)`
            Col::Restarts if w(i).is_some_and(|x| x.starts_with(b"(")) => {
                while let Some(x) = w(i) {
                    cell.push(x);
                    i += 1;
                    if x.ends_with(b")") {
                        break;
                    }
                }
            }
            // `a,b,c + 2 more...`
            Col::Endpoints | Col::Ports if w(i) == Some(b"+") => {
                cell.extend([w(i)?, w(i + 1)?, w(i + 2)?]);
                i += 3;
            }
            _ => {}
        }
        out.push((col, cell));
    }
    (i == t.len()).then_some(out)
}

/// A list cell: its entries and the count of `+ N more...`. `<none>`/`<unset>`: empty.
fn shortened<'a>(cell: &[&'a [u8]]) -> Option<(Vec<&'a [u8]>, u32)> {
    let (&list, rest) = cell.split_first()?;
    let more = match rest {
        [] => 0,
        [b"+", n, b"more..."] => parse_u32(n)?,
        _ => return None,
    };
    let entries = match list {
        b"<none>" | b"<unset>" => Vec::new(),
        l => l.split(|c| *c == b',').filter(|e| !e.is_empty()).collect(),
    };
    Some((entries, more))
}

/// `80/TCP`, `443:31443/TCP`
fn service_port(p: &[u8]) -> Option<ServicePort> {
    let slash = p.iter().position(|c| *c == b'/')?;
    let (ports, proto) = p.split_at(slash);
    let (port, node_port) = match ports.iter().position(|c| *c == b':') {
        Some(c) => (parse_u16(ports.get(..c)?)?, Some(parse_u16(ports.get(c + 1..)?)?)),
        None => (parse_u16(ports)?, None),
    };
    Some(ServicePort { port, node_port, proto: lossy(proto.get(1..)?) })
}

fn parse_ip(b: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(b).ok()?.parse().ok()
}

/// kubectl's AGE: `41d`, `2d3h`, `25m`, `90s`, `<invalid>`, `<unknown>`.
fn is_age(a: &[u8]) -> bool {
    if matches!(a, b"<invalid>" | b"<unknown>") {
        return true;
    }
    let mut digits = 0;
    for &c in a {
        match c {
            b'0'..=b'9' => digits += 1,
            b's' | b'm' | b'h' | b'd' | b'y' if digits > 0 => digits = 0,
            _ => return false,
        }
    }
    !a.is_empty() && digits == 0
}

/// A Kubernetes object name (DNS labels), maybe behind `kind/` or `kind.group/`.
fn is_name(n: &[u8]) -> bool {
    !n.is_empty()
        && n.len() <= 320
        && n.iter().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"-./".contains(c))
        && n.first().is_some_and(u8::is_ascii_alphanumeric)
}
