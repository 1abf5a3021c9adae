//! Facts the rules query: the concrete endpoints nginx connects to (through
//! `upstream {}` blocks), what the listener table says about each, and the log
//! events that name each. Built once per run, indexed so rules never nest loops
//! over targets x listeners x events.

use crate::hash::FastMap as HashMap;
use std::cell::RefCell;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use badgateway_config::{Address, Config, PassKind, Resolver, Target, TargetHost};

use super::candidates::{self, Candidacy};
use crate::input::{Inputs, TextRange};
use crate::listeners::{Format, Listener, ListenerReport, ProbeFact, SocketFile, SocketKind};
use crate::log::LogFormat;
use crate::log::{EventGroup, EventKind, LogReport};

mod events;
mod failure;
mod probes;
mod unix;

pub use events::unix_path;
use events::{AddrKey, GroupAddr, event_address};
pub use failure::Failure;
pub use probes::SelinuxSays;
pub use unix::{SocketAccess, UnixReach, WorkerUser, WorkerUserSource};
use unix::{UnixBackend, parent_dir};

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

/// A [`TcpReach`] and the unnamed listeners on other ports ([`Facts::unnamed_candidates`]).
type ReachAndHints = (TcpReach, Vec<usize>);
/// What a reach depends on: the port, the addresses and the pass kind.
type ReachKey = (u16, Vec<IpAddr>, PassKind);

/// What the listener table says about a TCP endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcpReach {
    /// Some listener accepts it (indices into `listeners`).
    Listening(Vec<usize>),
    /// Nothing on this port accepts it; these backends of the kind the pass speaks to
    /// ([`Candidacy::Fits`]) listen on other ports of an address that does accept the host.
    OtherPort(Vec<usize>),
    /// Something that may be the backend (not infrastructure, not nginx) listens on this
    /// port, but bound to another address of the same family; the best candidates first.
    OtherAddress(Vec<usize>),
    /// Something that may be the backend listens on this port, but only for the other
    /// address family; the best candidates first.
    OtherFamily(Vec<usize>),
    /// No backend of the pass's kind anywhere on the host. Unnamed listeners on other ports
    /// may still be it: [`Facts::unnamed_candidates`].
    Nothing,
    /// The address is not known to be one of this host's (see [`Facts::locality`]): the
    /// table describes the host it ran on only, and cannot say what listens there.
    NotLocal,
    /// No listener table, or a host we cannot resolve.
    Unknown,
}

/// Is an address one of the host's whose listener table was pasted (nginx's host)?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locality {
    Local(LocalBecause),
    /// A pasted `ip addr` (or `hostname -I`) lists this host's addresses of that family, and
    /// not this one: another machine, a container, a VM.
    NotLocal,
    /// Not loopback, not bound by a listener in the table nor by nginx's `listen`, and no
    /// address listing of its family was pasted: it may be another machine or this one.
    Unknown,
}

/// What in the inputs shows Docker at work (nginx or its backends in containers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DockerSign {
    /// `docker ps` output in the listeners paste (the section).
    DockerPs(TextRange),
    /// A `docker-proxy` listener: a port a container publishes on this host (the address).
    DockerProxy(TextRange),
    /// `docker compose logs` prefixes (`nginx-1  | `) on the log lines.
    ComposeLog,
    /// A container ID as the journald/syslog tag: docker's journald or syslog log driver.
    ContainerTag,
}

/// Docker puts its bridge networks in 172.16.0.0/12 by default (172.17.0.0/16 and up): an
/// address there may be a container's. (Only a hint: a cloud VPC can use the range too.)
pub fn looks_like_container(ip: IpAddr) -> bool {
    match ip.to_canonical() {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            a == 172 && (16..=31).contains(&b)
        }
        IpAddr::V6(_) => false,
    }
}

/// Why an address is known to be this host's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocalBecause {
    /// 127.0.0.0/8, ::1, or the unspecified address (which Linux connects to locally).
    Loopback,
    /// A listener in the table is bound to it (not a wildcard): index into `listeners`.
    Listener(usize),
    /// One of nginx's own `listen` directives binds it (nginx runs on this host): (server, listen).
    NginxListen(usize, usize),
    /// `ip addr`, `hostname -I` or `ifconfig` lists it (the address as printed).
    Interface(TextRange),
}

pub struct Facts<'a> {
    pub inputs: Inputs<'a>,
    pub config: Option<&'a Config>,
    pub listeners: Option<&'a ListenerReport>,
    pub log: Option<&'a LogReport>,
    pub endpoints: Vec<Endpoint>,
    by_port: HashMap<u16, Vec<usize>>,
    nginx_ports: PortSet,
    /// TCP ports the config's targets connect to: a listener on one of them is some
    /// target's backend, not a candidate for another target's wrong port.
    target_ports: PortSet,
    /// Each log group's address, parsed once (index = group index).
    group_addrs: Vec<Option<GroupAddr>>,
    /// Log groups by the TCP port / unix path they name, so `events_for` looks at a few.
    events_by_port: HashMap<u16, Vec<usize>>,
    events_by_path: HashMap<String, Vec<usize>>,
    /// The config's own `listen`s, (server index, listen index), in config order; by port
    /// and by `unix:PATH`, as indices into `listens` (the map types the other indexes use:
    /// each map type of its own costs the page ~1 KB); and the servers with no `listen` (*:80).
    listens: Vec<(usize, usize)>,
    listens_by_port: HashMap<u16, Vec<usize>>,
    listens_by_path: HashMap<String, Vec<usize>>,
    servers_without_listen: Vec<usize>,
    /// `tcp_reach` / `unix_reach` depend only on the address, and several rules ask about
    /// each of thousands of endpoints that mostly share a few addresses: answer each once.
    /// Listening TCP sockets on ports no target uses, not nginx's, in table order: where the
    /// candidates for "it listens on another port" are looked for.
    spare_backends: Vec<usize>,
    /// The port of the only application on a table whose every other row is named
    /// infrastructure: a compiled program there is taken for the backend.
    sole_app_port: Option<u16>,
    /// Endpoints (indices, ascending) by TCP port and by unix path, for `endpoint_of`.
    endpoints_by_port: HashMap<u16, Vec<usize>>,
    endpoints_by_path: HashMap<String, Vec<usize>>,
    /// By (port, addresses, pass kind): the reach, and the unnamed candidates on other ports.
    tcp_cache: RefCell<HashMap<ReachKey, ReachAndHints>>,
    unix_cache: RefCell<HashMap<(String, bool), UnixReach>>,
    /// Listening unix sockets by path (`@name` for abstract ones), and the ones that could be
    /// some app's socket (not nginx's, not abstract, an app server or an unknown process).
    unix_by_path: HashMap<String, Vec<usize>>,
    unix_backends: Vec<UnixBackend>,
    /// `events_for` by (port, lowercased host, ips) or (None, unix path, []).
    events_cache: RefCell<HashMap<AddrKey, Vec<usize>>>,
    /// Addresses known to be this host's besides loopback (canonical), and why.
    own_addresses: HashMap<IpAddr, LocalBecause>,
    /// The paste lists the host's IPv4 / IPv6 addresses (`ListenerReport::lists_host_addresses_for`).
    listed_families: (bool, bool),
}

impl<'a> Facts<'a> {
    pub fn new(
        inputs: Inputs<'a>,
        config: Option<&'a Config>,
        listeners: Option<&'a ListenerReport>,
        log: Option<&'a LogReport>,
    ) -> Self {
        let mut endpoints = config.map(endpoints).unwrap_or_default();
        if let Some(report) = listeners {
            resolve_from_paste(&mut endpoints, report);
        }
        let mut by_port: HashMap<u16, Vec<usize>> = HashMap::default();
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
        let target_ports = endpoints
            .iter()
            .filter_map(|e| match &e.addr {
                EndpointAddr::Tcp { port, .. } => Some(*port),
                EndpointAddr::Unix { .. } => None,
            })
            .collect();
        let mut events_by_port: HashMap<u16, Vec<usize>> = HashMap::default();
        let mut events_by_path: HashMap<String, Vec<usize>> = HashMap::default();
        let group_addrs: Vec<Option<GroupAddr>> =
            log.map(|l| l.groups.as_slice()).unwrap_or_default().iter().map(GroupAddr::of).collect();
        for (g, group) in log.map(|l| l.groups.as_slice()).unwrap_or_default().iter().enumerate() {
            match event_address(group) {
                Some((_, _, Some(path))) => events_by_path.entry(path).or_default().push(g),
                Some((_, Some(port), None)) => events_by_port.entry(port).or_default().push(g),
                _ => {}
            }
        }
        let mut listens: Vec<(usize, usize)> = Vec::new();
        let mut listens_by_port: HashMap<u16, Vec<usize>> = HashMap::default();
        let mut listens_by_path: HashMap<String, Vec<usize>> = HashMap::default();
        let mut servers_without_listen = Vec::new();
        for (s, server) in config.map(|c| c.model().servers.as_slice()).unwrap_or_default().iter().enumerate()
        {
            if server.listens.is_empty() {
                servers_without_listen.push(s);
            }
            for (l, listen) in server.listens.iter().enumerate() {
                if let Some(path) = &listen.unix {
                    listens_by_path.entry(path.clone()).or_default().push(listens.len());
                } else if let Some(port) = listen.port {
                    listens_by_port.entry(port).or_default().push(listens.len());
                } else {
                    continue;
                }
                listens.push((s, l));
            }
        }
        let mut endpoints_by_port: HashMap<u16, Vec<usize>> = HashMap::default();
        let mut endpoints_by_path: HashMap<String, Vec<usize>> = HashMap::default();
        for (i, e) in endpoints.iter().enumerate() {
            match &e.addr {
                EndpointAddr::Tcp { port, .. } => endpoints_by_port.entry(*port).or_default().push(i),
                EndpointAddr::Unix { path } => endpoints_by_path.entry(path.clone()).or_default().push(i),
            }
        }
        let own_addresses = own_addresses(config, listeners);
        let listed_families = listeners.map_or((false, false), |l| {
            (
                l.lists_host_addresses_for(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                l.lists_host_addresses_for(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
            )
        });
        let mut facts = Facts {
            own_addresses,
            listed_families,
            spare_backends: Vec::new(),
            sole_app_port: None,
            endpoints_by_port,
            endpoints_by_path,
            tcp_cache: RefCell::default(),
            unix_cache: RefCell::default(),
            events_cache: RefCell::default(),
            unix_by_path: HashMap::default(),
            unix_backends: Vec::new(),
            listens,
            listens_by_port,
            listens_by_path,
            servers_without_listen,
            inputs,
            config,
            listeners,
            log,
            endpoints,
            by_port,
            nginx_ports,
            target_ports,
            group_addrs,
            events_by_port,
            events_by_path,
        };
        let list = listeners.map(|l| l.listeners.as_slice()).unwrap_or_default();
        facts.spare_backends = list
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind == SocketKind::Tcp && l.is_listening())
            .filter(|(_, l)| l.port.is_some_and(|p| !facts.target_ports.contains(p)))
            .filter(|(_, l)| !facts.is_nginx(l))
            .map(|(i, _)| i)
            .collect();
        facts.sole_app_port = sole_app_port(&facts, list);
        // By a path's first listener: the position of its first backend in `unix_backends`.
        let mut first_backend = vec![usize::MAX; list.len()];
        for (index, l) in list.iter().enumerate() {
            if l.kind != SocketKind::Unix {
                continue;
            }
            let Some(path) = l.bind.path() else { continue };
            facts.unix_by_path.entry(path.clone()).or_default().push(index);
            if !l.is_listening() || facts.is_nginx(l) || path.starts_with('@') {
                continue;
            }
            let app = l.processes.iter().find_map(|p| match crate::listeners::backend_kind(&p.name) {
                crate::listeners::BackendKind::AppServer(a) => Some(a),
                _ => None,
            });
            if app.is_none() && !l.processes.is_empty() {
                continue;
            }
            let dir = parent_dir(&path).to_string();
            // Keyed by the path's first listener: lsof lists a socket once per process.
            let first_listener = facts.unix_by_path.get(&path).and_then(|l| l.first()).copied();
            let first_on_path = match first_listener.and_then(|f| first_backend.get_mut(f)) {
                Some(slot) if *slot != usize::MAX => *slot,
                Some(slot) => {
                    *slot = facts.unix_backends.len();
                    *slot
                }
                None => facts.unix_backends.len(),
            };
            facts.unix_backends.push(UnixBackend { index, first_on_path, path, dir, app });
        }
        facts
    }

    pub fn listener(&self, index: usize) -> Option<&'a Listener> {
        self.listeners?.listeners.get(index)
    }

    /// The `resolver` in effect for a target: its location's (or the closest enclosing
    /// location's), else its server's, else the http block's.
    pub fn resolver_for(&self, target: &Target) -> Option<&'a Resolver> {
        let model = self.config?.model();
        model
            .resolvers
            .iter()
            .filter_map(|r| {
                if r.server.is_some() && r.server != target.server {
                    return None;
                }
                let Some(rl) = r.location else {
                    // Server level before http level.
                    return Some((if r.server.is_some() { 1000 } else { 2000 }, r));
                };
                let mut at = target.location;
                let mut steps = 0;
                while let Some(l) = at {
                    if l == rl {
                        return Some((steps, r));
                    }
                    at = model.locations.get(l).and_then(|x| x.parent);
                    steps += 1;
                    if steps > 64 {
                        break;
                    }
                }
                None
            })
            .min_by_key(|(rank, _)| *rank)
            .map(|(_, r)| r)
    }

    /// Given but not read as its own kind (the sniff found no text, or another box's text).
    pub fn unread(&self, input: crate::input::InputKind) -> bool {
        let read = match input {
            crate::input::InputKind::Config => self.config.is_some(),
            crate::input::InputKind::Listeners => self.listeners.is_some(),
            crate::input::InputKind::Log => self.log.is_some(),
        };
        !read && self.inputs.has(input)
    }

    /// Signs of Docker in the inputs, in input order.
    pub fn docker_signs(&self) -> Vec<DockerSign> {
        let mut signs = Vec::new();
        if let Some(report) = self.listeners {
            signs.extend(
                report
                    .sections
                    .iter()
                    .filter(|s| s.format == Format::DockerPs)
                    .map(|s| DockerSign::DockerPs(s.range)),
            );
            signs.extend(
                report
                    .listeners
                    .iter()
                    .filter(|l| l.processes.iter().any(|p| p.name == "docker-proxy"))
                    .map(|l| DockerSign::DockerProxy(l.addr_range)),
            );
        }
        if let Some(log) = self.log {
            if log.format_count(LogFormat::DockerCompose) > 0 {
                signs.push(DockerSign::ComposeLog);
            }
            if log.format_count(LogFormat::DockerContainerTag) > 0 {
                signs.push(DockerSign::ContainerTag);
            }
        }
        signs
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
            || (listener.processes.is_empty() && listener.port.is_some_and(|p| self.nginx_ports.contains(p)))
    }

    /// Could this listener, on another port than the target's, be the backend of a pass of
    /// this kind? (`candidates` holds the knowledge; this adds nginx's own ports and the
    /// table's sole application.)
    pub fn candidacy(&self, listener: &Listener, kind: PassKind) -> Candidacy {
        if self.is_nginx(listener) {
            return Candidacy::Never;
        }
        match candidates::candidacy(listener, kind) {
            Candidacy::Unnamed
                if !listener.processes.is_empty()
                    && listener.port.is_some()
                    && listener.port == self.sole_app_port
                    && !matches!(kind, PassKind::FastCgi | PassKind::Uwsgi | PassKind::Memcached) =>
            {
                Candidacy::Fits
            }
            c => c,
        }
    }

    /// The same for a listener on the target's own port (bound to another address or family).
    pub fn candidacy_on_target_port(&self, listener: &Listener, kind: PassKind) -> Candidacy {
        if self.is_nginx(listener) {
            return Candidacy::Never;
        }
        candidates::candidacy_on_target_port(listener, kind)
    }

    /// Is this listener, by its process, an application nginx proxies HTTP to?
    pub fn is_plausible_backend(&self, listener: &Listener) -> bool {
        self.candidacy(listener, PassKind::Proxy) == Candidacy::Fits
    }

    /// Listeners on other ports that may be this endpoint's backend but that the paste cannot
    /// name (no process column): hints for "run `sudo ss -tlnp`", never a diagnosis. Only when
    /// [`Facts::tcp_reach`] finds no backend of the pass's kind.
    pub fn unnamed_candidates(&self, endpoint: &Endpoint) -> Vec<usize> {
        self.tcp_reach_and_hints(endpoint).1
    }

    /// Is `ip` an address of the host the listener table describes (nginx's host)? Only
    /// such an address can be judged by the table: a socket bound to `0.0.0.0` there takes
    /// connections to this host's addresses, not to another machine's or a container's.
    pub fn locality(&self, ip: IpAddr) -> Locality {
        let ip = ip.to_canonical();
        if ip.is_loopback() || ip.is_unspecified() {
            return Locality::Local(LocalBecause::Loopback);
        }
        if let Some(because) = self.own_addresses.get(&ip) {
            return Locality::Local(*because);
        }
        let listed = if ip.is_ipv4() { self.listed_families.0 } else { self.listed_families.1 };
        if listed { Locality::NotLocal } else { Locality::Unknown }
    }

    pub fn is_local(&self, ip: IpAddr) -> bool {
        matches!(self.locality(ip), Locality::Local(_))
    }

    /// Every one of these addresses is this host's (false for none).
    pub fn all_local(&self, ips: &[IpAddr]) -> bool {
        !ips.is_empty() && ips.iter().all(|ip| self.is_local(*ip))
    }

    /// Every address of a TCP endpoint is this host's (false when its addresses are not known).
    pub fn endpoint_is_local(&self, endpoint: &Endpoint) -> bool {
        match &endpoint.addr {
            EndpointAddr::Tcp { ips, .. } => self.all_local(ips),
            EndpointAddr::Unix { .. } => true,
        }
    }

    pub fn tcp_reach(&self, endpoint: &Endpoint) -> TcpReach {
        self.tcp_reach_and_hints(endpoint).0
    }

    fn tcp_reach_and_hints(&self, endpoint: &Endpoint) -> ReachAndHints {
        let EndpointAddr::Tcp { port, ips, .. } = &endpoint.addr else {
            return (TcpReach::Unknown, Vec::new());
        };
        if self.listeners.is_none_or(|l| l.listeners.is_empty()) || ips.is_empty() {
            return (TcpReach::Unknown, Vec::new());
        }
        let key = (*port, ips.clone(), endpoint.kind);
        if let Some(known) = self.tcp_cache.borrow().get(&key) {
            return known.clone();
        }
        let reach = self.tcp_reach_uncached(*port, ips, endpoint.kind);
        self.tcp_cache.borrow_mut().insert(key, reach.clone());
        reach
    }

    fn tcp_reach_uncached(&self, port: u16, ips: &[IpAddr], kind: PassKind) -> ReachAndHints {
        let reach = |r| (r, Vec::new());
        let port = &port;
        // Only this host's addresses can be judged by its table.
        let local: Vec<IpAddr> = ips.iter().copied().filter(|ip| self.is_local(*ip)).collect();
        let accepting: Vec<usize> = self
            .tcp_on_port(*port)
            .filter(|(_, l)| local.iter().any(|ip| l.accepts(*ip, *port)))
            .map(|(i, _)| i)
            .collect();
        if !accepting.is_empty() {
            return reach(TcpReach::Listening(accepting));
        }
        if local.len() < ips.len() {
            return reach(TcpReach::NotLocal);
        }
        // What may be the backend on the target's port, best first (stable: table order within).
        let mut same_port: Vec<(Candidacy, usize, &Listener)> = self
            .tcp_on_port(*port)
            .map(|(i, l)| (self.candidacy_on_target_port(l, kind), i, l))
            .filter(|(c, _, _)| *c != Candidacy::Never)
            .collect();
        same_port.sort_by_key(|(c, _, _)| *c);
        let same_port: Vec<(usize, &Listener)> = same_port.into_iter().map(|(_, i, l)| (i, l)).collect();
        let same_family = |l: &Listener| {
            let v4 = l.bind.mapped_v4().is_some() || matches!(l.bind, crate::listeners::Bind::AnyV4);
            ips.iter().any(|ip| ip.to_canonical().is_ipv4() == v4)
        };
        let other_address: Vec<usize> =
            same_port.iter().filter(|(_, l)| same_family(l)).map(|(i, _)| *i).collect();
        if !other_address.is_empty() {
            return reach(TcpReach::OtherAddress(other_address));
        }
        if !same_port.is_empty() {
            return reach(TcpReach::OtherFamily(same_port.iter().map(|(i, _)| *i).collect()));
        }
        let list = self.listeners.map(|l| l.listeners.as_slice()).unwrap_or_default();
        let (mut other_port, mut unnamed) = (Vec::new(), Vec::new());
        for &i in &self.spare_backends {
            let Some(l) = list.get(i) else { continue };
            if !l.port.is_some_and(|p| p != *port && ips.iter().any(|ip| l.accepts(*ip, p))) {
                continue;
            }
            match self.candidacy(l, kind) {
                Candidacy::Fits => other_port.push(i),
                Candidacy::Unnamed => unnamed.push(i),
                Candidacy::Never => {}
            }
        }
        // One row per socket: ss lists master and workers on one row, lsof one per process.
        other_port.dedup_by_key(|i| list.get(*i).and_then(|l| l.port));
        unnamed.dedup_by_key(|i| list.get(*i).and_then(|l| l.port));
        if other_port.is_empty() {
            (TcpReach::Nothing, unnamed)
        } else {
            (TcpReach::OtherPort(other_port), Vec::new())
        }
    }

    /// The `server {}` of this nginx that would take a connection to this endpoint: its own
    /// `listen` on the same address and port (proxy loop). Index into `model.servers`.
    pub fn own_server_for(&self, endpoint: &Endpoint) -> Option<usize> {
        let model = self.config?.model();
        let mut candidates: Vec<(bool, usize)> = Vec::new();
        match &endpoint.addr {
            EndpointAddr::Tcp { port, ips, .. } => {
                for &i in self.listens_by_port.get(port).into_iter().flatten() {
                    let Some(&(s, l)) = self.listens.get(i) else { continue };
                    let Some(listen) = model.servers.get(s).and_then(|x| x.listens.get(l)) else { continue };
                    if self.listen_takes(listen, &endpoint.addr) {
                        candidates.push((listen.default_server, s));
                    }
                }
                // A server without `listen` listens on *:80, which takes this host's addresses.
                if *port == 80 && ips.iter().any(|ip| ip.to_canonical().is_ipv4() && self.is_local(*ip)) {
                    candidates.extend(self.servers_without_listen.iter().map(|&s| (false, s)));
                }
            }
            EndpointAddr::Unix { path } => {
                // The first listen of each server that takes the path.
                let mut last = None;
                for &i in self.listens_by_path.get(path.as_str()).into_iter().flatten() {
                    let Some(&(s, l)) = self.listens.get(i) else { continue };
                    let Some(listen) = model.servers.get(s).and_then(|x| x.listens.get(l)) else { continue };
                    if last != Some(s) {
                        candidates.push((listen.default_server, s));
                        last = Some(s);
                    }
                }
            }
        }
        // The result depends only on server indices, so an unstable sort gives the same answer.
        badgateway_config::order::sort_by_key(&mut candidates, |&(d, s)| (s, !d));
        candidates.iter().find(|(d, _)| *d).or(candidates.first()).map(|(_, s)| *s)
    }

    /// The server a proxied request lands on: the one `own_server_for` the address, unless
    /// `proxy_set_header Host` names another server on the same address by its `server_name`.
    fn landing_server(&self, endpoint: &Endpoint) -> Option<usize> {
        let by_address = self.own_server_for(endpoint)?;
        let model = self.config?.model();
        let target = model.targets.get(endpoint.target)?;
        let host = target
            .effective
            .set_headers
            .iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case("host"))
            .map(|(_, value, _)| value.as_str());
        let Some(host) = host.filter(|h| !h.contains('$')) else { return Some(by_address) };
        let name = split_host_port(host).0;
        let named = model.servers.iter().enumerate().find(|(_, s)| {
            s.names.iter().any(|n| n.eq_ignore_ascii_case(name))
                && s.listens.iter().any(|l| self.listen_takes(l, &endpoint.addr))
        });
        Some(named.map_or(by_address, |(i, _)| i))
    }

    /// Targets of this nginx that lead back to the server that holds them, directly or
    /// through other server blocks of the same nginx: `(endpoint index, hops)`.
    pub fn loops(&self) -> Vec<(usize, usize)> {
        let Some(config) = self.config else { return Vec::new() };
        let model = config.model();
        let server_of = |e: &Endpoint| model.targets.get(e.target).and_then(|t| t.server);
        // Where each endpoint's requests land in this nginx, computed once.
        let landing: Vec<Option<usize>> = self.endpoints.iter().map(|e| self.landing_server(e)).collect();
        // A server's onward hop, when all its requests go to one place: (endpoints, landing).
        // By server index (a Vec, not a map: one generic map less in the page's wasm).
        let servers = self.endpoints.iter().filter_map(server_of).max().map_or(0, |s| s + 1);
        let mut onward: Vec<(usize, Option<usize>)> = vec![(0, None); servers];
        for (e, endpoint) in self.endpoints.iter().enumerate() {
            if let Some(entry) = server_of(endpoint).and_then(|s| onward.get_mut(s)) {
                entry.0 += 1;
                entry.1 = landing.get(e).copied().flatten();
            }
        }
        let mut out = Vec::new();
        for (e, endpoint) in self.endpoints.iter().enumerate() {
            let Some(start) = server_of(endpoint) else { continue };
            let mut at = landing.get(e).copied().flatten();
            let mut hops = 1;
            let mut visited = vec![start];
            while let Some(server) = at {
                if server == start {
                    out.push((e, hops));
                    break;
                }
                if visited.contains(&server) || hops > 8 {
                    break;
                }
                visited.push(server);
                hops += 1;
                // Follow the next server only when all its requests go back into this nginx.
                at = onward.get(server).filter(|(n, _)| *n == 1).and_then(|(_, l)| *l);
            }
        }
        out
    }

    /// Endpoints of the `upstream {}` block named `name`.
    pub fn upstream_members(&self, name: &str) -> Vec<&Endpoint> {
        let Some(config) = self.config else { return Vec::new() };
        let Some(index) = config.model().upstreams.iter().position(|u| u.name == name) else {
            return Vec::new();
        };
        let mut seen = Vec::new();
        self.endpoints
            .iter()
            .filter(|e| e.upstream_server.is_some_and(|(u, _)| u == index))
            .filter(|e| {
                let key = e.upstream_server;
                if seen.contains(&key) {
                    false
                } else {
                    seen.push(key);
                    true
                }
            })
            .collect()
    }

    /// The edit that replaces the host of a TCP endpoint with `new_host` (`127.0.0.2`,
    /// `[::1]`, `::1`), keeping the brackets IPv6 needs.
    pub fn host_edit(&self, endpoint: &Endpoint, new_host: &str) -> Option<crate::finding::Edit> {
        let src = self.config?.source();
        let (mut start, mut end) = (endpoint.range.start, endpoint.host_end);
        let before = start.checked_sub(1).and_then(|i| src.get(i as usize)).copied();
        let after = src.get(end as usize).copied();
        if before == Some(b'[') && after == Some(b']') {
            start -= 1;
            end += 1;
        }
        let bare = new_host.trim_start_matches('[').trim_end_matches(']');
        let replacement = if bare.contains(':') { format!("[{bare}]") } else { bare.to_string() };
        (end >= start).then(|| crate::finding::Edit { range: TextRange::new(start, end), replacement })
    }
}

impl Facts<'_> {
    /// Would this `listen` take a connection to `addr`?
    fn listen_takes(&self, listen: &badgateway_config::Listen, addr: &EndpointAddr) -> bool {
        match addr {
            EndpointAddr::Unix { path } => listen.unix.as_deref() == Some(path.as_str()),
            EndpointAddr::Tcp { port, ips, .. } => {
                listen.unix.is_none() && listen.port == Some(*port) && self.listen_accepts(&listen.addr, ips)
            }
        }
    }

    /// Would `listen ADDR:port` take a connection to one of `ips`? A wildcard takes this
    /// host's addresses only: `listen 80` and `proxy_pass http://10.0.0.5:80` is a loop only
    /// when 10.0.0.5 is nginx's own host, not a backend on another machine.
    fn listen_accepts(&self, addr: &str, ips: &[IpAddr]) -> bool {
        let bare = addr.trim_start_matches('[').trim_end_matches(']');
        match bare {
            "*" | "" | "0.0.0.0" => ips.iter().any(|ip| ip.to_canonical().is_ipv4() && self.is_local(*ip)),
            "::" => ips.iter().any(|ip| self.is_local(*ip)),
            _ => {
                let own = literal_ips(bare);
                ips.iter().any(|ip| own.iter().any(|o| o.to_canonical() == ip.to_canonical()))
            }
        }
    }
}

/// Addresses the inputs prove to be this host's, besides loopback: bound by a listener in
/// the table (a wildcard says nothing), by nginx's own `listen`, or listed by `ip addr`.
fn own_addresses(
    config: Option<&Config>,
    listeners: Option<&ListenerReport>,
) -> HashMap<IpAddr, LocalBecause> {
    let mut own: HashMap<IpAddr, LocalBecause> = HashMap::default();
    let mut add = |ip: IpAddr, because: LocalBecause| {
        let ip = ip.to_canonical();
        // A multicast group or the broadcast address is no host's own address.
        if !ip.is_loopback()
            && !ip.is_unspecified()
            && !ip.is_multicast()
            && ip != IpAddr::V4(Ipv4Addr::BROADCAST)
        {
            own.entry(ip).or_insert(because);
        }
    };
    if let Some(report) = listeners {
        for (i, l) in report.listeners.iter().enumerate() {
            match l.bind {
                crate::listeners::Bind::Ipv4(a) => add(IpAddr::V4(a), LocalBecause::Listener(i)),
                crate::listeners::Bind::Ipv6(a) => add(IpAddr::V6(a), LocalBecause::Listener(i)),
                _ => {}
            }
        }
    }
    if let Some(config) = config {
        for (s, server) in config.model().servers.iter().enumerate() {
            for (l, listen) in server.listens.iter().enumerate() {
                let bare = listen.addr.trim_start_matches('[').trim_end_matches(']');
                if let Ok(ip) = bare.parse::<IpAddr>() {
                    add(ip, LocalBecause::NginxListen(s, l));
                }
            }
        }
    }
    if let Some(report) = listeners {
        for (ip, range) in report.host_addresses() {
            add(ip, LocalBecause::Interface(range));
        }
    }
    own
}

/// A set of ports as a bitset (8 KB once anything is in it): in the page, cheaper than a
/// hash set type of its own.
#[derive(Default)]
struct PortSet(Vec<u64>);

impl PortSet {
    fn insert(&mut self, port: u16) {
        if self.0.is_empty() {
            self.0 = vec![0; 1024];
        }
        if let Some(word) = self.0.get_mut(usize::from(port >> 6)) {
            *word |= 1 << (port & 63);
        }
    }

    fn contains(&self, port: u16) -> bool {
        self.0.get(usize::from(port >> 6)).is_some_and(|word| word & (1 << (port & 63)) != 0)
    }
}

impl FromIterator<u16> for PortSet {
    fn from_iter<I: IntoIterator<Item = u16>>(ports: I) -> Self {
        let mut set = PortSet::default();
        for port in ports {
            set.insert(port);
        }
        set
    }
}

/// The port of the only application in a table that names every process, when all the
/// others are known infrastructure (sshd, databases, exporters) and no application server is
/// named: a compiled program (`myapi`) alone among them is the backend.
fn sole_app_port(facts: &Facts<'_>, list: &[Listener]) -> Option<u16> {
    let rows: Vec<&Listener> = facts.spare_backends.iter().filter_map(|&i| list.get(i)).collect();
    if rows.is_empty() || rows.iter().any(|l| l.processes.is_empty()) {
        return None;
    }
    let mut port = None;
    for l in rows {
        match candidates::candidacy(l, PassKind::Proxy) {
            Candidacy::Fits => return None,
            Candidacy::Unnamed if port.is_none() || port == l.port => port = l.port,
            Candidacy::Unnamed => return None,
            Candidacy::Never => {}
        }
    }
    port
}

/// `127.0.0.1:80` / `[::1]:80` / `host` -> (host without brackets, port).
pub fn split_host_port(text: &str) -> (&str, Option<u16>) {
    let (host, port) = badgateway_text::split_host_port(text.as_bytes());
    // The host is the text, or the text less ASCII around it: a slice on character boundaries.
    let start = host.as_ptr() as usize - text.as_ptr() as usize;
    (text.get(start..start + host.len()).unwrap_or(text), port)
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

/// A host name the paste looked up with every family (`getent ahosts NAME`) stands for
/// exactly those addresses on nginx's host: nginx resolved it the same way at start (unless
/// it changed since, which the stale-address rule looks for).
fn resolve_from_paste(endpoints: &mut [Endpoint], report: &ListenerReport) {
    for endpoint in endpoints {
        if let EndpointAddr::Tcp { host, ips, .. } = &mut endpoint.addr
            && host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_err()
            && let Some((addresses, true)) = report.resolved(host)
        {
            *ips = addresses;
        }
    }
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
                    // nginx never connects to a server marked `down` (BG210 reads those from the model).
                    if server.down {
                        continue;
                    }
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
