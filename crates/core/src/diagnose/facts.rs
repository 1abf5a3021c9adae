//! Facts the rules query: the concrete endpoints nginx connects to (through
//! `upstream {}` blocks), what the listener table says about each, and the log
//! events that name each. Built once per run, indexed so rules never nest loops
//! over targets x listeners x events.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use badgateway_config::{Address, Config, PassKind, TargetHost};

use crate::input::{Inputs, TextRange};
use crate::listeners::{Listener, ListenerReport, SocketKind};
use crate::log::{EventGroup, LogReport};

/// Where nginx connects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndpointAddr {
    /// `ips` is empty when the host is a name we cannot resolve offline.
    Tcp {
        host: String,
        port: u16,
        ips: Vec<IpAddr>,
    },
    Unix {
        path: String,
    },
}

/// One concrete address nginx sends requests to.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub addr: EndpointAddr,
    /// Index into `config.model().targets`.
    pub target: usize,
    /// `(upstream index, server index)` when the address comes from an `upstream {}` block.
    pub upstream_server: Option<(usize, usize)>,
    pub kind: PassKind,
    /// The address as written (`127.0.0.1:8000`, `unix:/run/app.sock`).
    pub range: TextRange,
    /// The port digits, when written.
    pub port_range: Option<TextRange>,
    /// Where the port goes when it is implicit: just after the host.
    pub host_end: u32,
}

/// What the listener table says about a TCP endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcpReach {
    /// Some listener accepts it (indices into `listeners`).
    Listening(Vec<usize>),
    /// Nothing on this port accepts it; these plausible backends listen on other ports
    /// of an address that does accept the host.
    OtherPort(Vec<usize>),
    /// Something listens on this port, but bound to another address of the same family.
    OtherAddress(Vec<usize>),
    /// Something listens on this port, but only for the other address family.
    OtherFamily(Vec<usize>),
    /// Nothing related at all.
    Nothing,
    /// No listener table, or a host we cannot resolve.
    Unknown,
}

pub struct Facts<'a> {
    pub inputs: Inputs<'a>,
    pub config: Option<&'a Config>,
    pub listeners: Option<&'a ListenerReport>,
    pub log: Option<&'a LogReport>,
    pub endpoints: Vec<Endpoint>,
    by_port: HashMap<u16, Vec<usize>>,
    nginx_ports: Vec<u16>,
}

impl<'a> Facts<'a> {
    pub fn new(
        inputs: Inputs<'a>,
        config: Option<&'a Config>,
        listeners: Option<&'a ListenerReport>,
        log: Option<&'a LogReport>,
    ) -> Self {
        let endpoints = config.map(endpoints).unwrap_or_default();
        let mut by_port: HashMap<u16, Vec<usize>> = HashMap::new();
        if let Some(l) = listeners {
            for (i, listener) in l.listeners.iter().enumerate() {
                if let (Some(port), SocketKind::Tcp) = (listener.port, listener.kind) {
                    by_port.entry(port).or_default().push(i);
                }
            }
        }
        let nginx_ports = config
            .map(|c| c.model().servers.iter().flat_map(|s| s.listens.iter().filter_map(|l| l.port)).collect())
            .unwrap_or_default();
        Facts { inputs, config, listeners, log, endpoints, by_port, nginx_ports }
    }

    pub fn listener(&self, index: usize) -> Option<&'a Listener> {
        self.listeners?.listeners.get(index)
    }

    /// TCP listeners on `port`, listening state only.
    pub fn tcp_on_port(&self, port: u16) -> impl Iterator<Item = (usize, &'a Listener)> + '_ {
        let list = self.listeners.map(|l| l.listeners.as_slice()).unwrap_or_default();
        self.by_port
            .get(&port)
            .into_iter()
            .flatten()
            .filter_map(move |&i| list.get(i).map(|l| (i, l)))
            .filter(|(_, l)| l.is_listening())
    }

    /// Is this listener nginx itself (by process, or by being one of the config's `listen` ports)?
    pub fn is_nginx(&self, listener: &Listener) -> bool {
        listener.processes.iter().any(|p| p.name.starts_with("nginx"))
            || (listener.processes.is_empty() && listener.port.is_some_and(|p| self.nginx_ports.contains(&p)))
    }

    /// Could this listener be the application nginx should talk to? App servers by
    /// name; unknown processes only on ports that are not well-known system ports.
    pub fn is_plausible_backend(&self, listener: &Listener) -> bool {
        if self.is_nginx(listener) {
            return false;
        }
        if listener.processes.is_empty() {
            return listener
                .port
                .is_some_and(|p| p >= 1024 && !matches!(p, 3306 | 5432 | 6379 | 11211 | 27017));
        }
        listener.processes.iter().any(|p| crate::listeners::backend_kind(&p.name).is_app())
    }

    pub fn tcp_reach(&self, endpoint: &Endpoint) -> TcpReach {
        let EndpointAddr::Tcp { port, ips, .. } = &endpoint.addr else { return TcpReach::Unknown };
        if self.listeners.is_none_or(|l| l.listeners.is_empty()) || ips.is_empty() {
            return TcpReach::Unknown;
        }
        let accepting: Vec<usize> = self
            .tcp_on_port(*port)
            .filter(|(_, l)| ips.iter().any(|ip| l.accepts(*ip, *port)))
            .map(|(i, _)| i)
            .collect();
        if !accepting.is_empty() {
            return TcpReach::Listening(accepting);
        }
        let same_port: Vec<(usize, &Listener)> =
            self.tcp_on_port(*port).filter(|(_, l)| !self.is_nginx(l)).collect();
        let same_family = |l: &Listener| {
            let v4 = l.bind.mapped_v4().is_some() || matches!(l.bind, crate::listeners::Bind::AnyV4);
            ips.iter().any(|ip| ip.to_canonical().is_ipv4() == v4)
        };
        let other_address: Vec<usize> =
            same_port.iter().filter(|(_, l)| same_family(l)).map(|(i, _)| *i).collect();
        if !other_address.is_empty() {
            return TcpReach::OtherAddress(other_address);
        }
        if !same_port.is_empty() {
            return TcpReach::OtherFamily(same_port.iter().map(|(i, _)| *i).collect());
        }
        let list = self.listeners.map(|l| l.listeners.as_slice()).unwrap_or_default();
        let mut other_port: Vec<usize> = list
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == SocketKind::Tcp && l.is_listening())
            .filter(|(_, l)| l.port.is_some_and(|p| p != *port && ips.iter().any(|ip| l.accepts(*ip, p))))
            .filter(|(_, l)| self.is_plausible_backend(l))
            .map(|(i, _)| i)
            .collect();
        // One row per socket: ss lists master and workers on one row, lsof one per process.
        other_port.dedup_by_key(|i| list.get(*i).and_then(|l| l.port));
        if other_port.is_empty() { TcpReach::Nothing } else { TcpReach::OtherPort(other_port) }
    }

    /// Log event groups whose upstream (or sync-connect peer) is this endpoint.
    pub fn events_for(&self, endpoint: &Endpoint) -> Vec<&'a EventGroup> {
        let Some(log) = self.log else { return Vec::new() };
        log.groups.iter().filter(|g| event_names(g, endpoint)).collect()
    }
}

fn event_names(group: &EventGroup, endpoint: &Endpoint) -> bool {
    let event = &group.event;
    let (host, port, unix) = match (&event.upstream, &event.peer) {
        (Some(u), _) => (u.host.clone(), u.port, u.unix_path.clone()),
        (None, Some(peer)) => {
            if let Some(path) = peer.strip_prefix("unix:") {
                (String::new(), None, Some(path.to_string()))
            } else {
                let (h, p) = split_host_port(peer);
                (h.to_string(), p, None)
            }
        }
        (None, None) => return false,
    };
    match &endpoint.addr {
        EndpointAddr::Unix { path } => unix.as_deref() == Some(path.as_str()),
        EndpointAddr::Tcp { host: ehost, port: eport, ips } => {
            if port != Some(*eport) {
                return false;
            }
            match host.parse::<IpAddr>() {
                Ok(ip) => ips.iter().any(|e| e.to_canonical() == ip.to_canonical()),
                Err(_) => host.eq_ignore_ascii_case(ehost),
            }
        }
    }
}

/// `127.0.0.1:80` / `[::1]:80` / `host` -> (host without brackets, port).
pub fn split_host_port(text: &str) -> (&str, Option<u16>) {
    if let Some(rest) = text.strip_prefix('[') {
        if let Some((host, after)) = rest.split_once(']') {
            return (host, after.strip_prefix(':').and_then(|p| p.parse().ok()));
        }
    }
    match text.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => match p.parse() {
            Ok(port) => (h, Some(port)),
            Err(_) => (text, None),
        },
        _ => (text, None),
    }
}

/// Addresses a host name stands for without DNS: literals, and `localhost`, which
/// nginx resolves to both families with `[::1]` first where glibc's policy says so.
pub fn literal_ips(host: &str) -> Vec<IpAddr> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return vec![ip];
    }
    if bare.eq_ignore_ascii_case("localhost") {
        return vec![IpAddr::V6(Ipv6Addr::LOCALHOST), IpAddr::V4(Ipv4Addr::LOCALHOST)];
    }
    Vec::new()
}

fn endpoints(config: &Config) -> Vec<Endpoint> {
    let model = config.model();
    let src = config.source();
    let mut out = Vec::new();
    for (t, target) in model.targets.iter().enumerate() {
        match &target.host {
            TargetHost::Inet { host, port, host_range, port_range, .. } => out.push(Endpoint {
                addr: EndpointAddr::Tcp { host: host.clone(), port: *port, ips: literal_ips(host) },
                target: t,
                upstream_server: None,
                kind: target.kind,
                range: TextRange::new(host_range.start, port_range.map_or(host_range.end, |p| p.end)),
                port_range: *port_range,
                host_end: host_range.end,
            }),
            TargetHost::Unix { path, path_range } => out.push(Endpoint {
                addr: EndpointAddr::Unix { path: path.clone() },
                target: t,
                upstream_server: None,
                kind: target.kind,
                range: *path_range,
                port_range: None,
                host_end: path_range.end,
            }),
            TargetHost::Upstream { index } => {
                let Some(upstream) = model.upstreams.get(*index) else { continue };
                for (s, server) in upstream.servers.iter().enumerate() {
                    let written = server.address_range.slice(src);
                    let (addr, port_range, host_end) = match &server.address {
                        Address::Unix { path } => {
                            (EndpointAddr::Unix { path: path.clone() }, None, server.address_range.end)
                        }
                        Address::Inet { host, port } => {
                            let port = port.unwrap_or(80);
                            let colon = written.iter().rposition(|&b| b == b':').filter(|&c| {
                                !written.get(c + 1..).unwrap_or_default().is_empty()
                                    && written.get(c + 1..).unwrap_or_default().iter().all(u8::is_ascii_digit)
                            });
                            let at = server.address_range.start;
                            let port_range =
                                colon.map(|c| TextRange::new(at + c as u32 + 1, server.address_range.end));
                            let host_end = colon.map_or(server.address_range.end, |c| at + c as u32);
                            (
                                EndpointAddr::Tcp { host: host.clone(), port, ips: literal_ips(host) },
                                port_range,
                                host_end,
                            )
                        }
                    };
                    out.push(Endpoint {
                        addr,
                        target: t,
                        upstream_server: Some((*index, s)),
                        kind: target.kind,
                        range: server.address_range,
                        port_range,
                        host_end,
                    });
                }
            }
            TargetHost::Variable => {}
        }
    }
    out
}
