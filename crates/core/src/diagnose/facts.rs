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

/// How many other sockets `UnixReach::Missing` offers, best first.
const MAX_SOCKET_CANDIDATES: usize = 4;

/// What the listener paste says about a unix-socket endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnixReach {
    /// A process listens on the path (indices into `listeners`).
    Listening(Vec<usize>),
    /// The socket file exists (`ls -l`, index into `socket_files`) but nothing listens on it.
    Stale(usize),
    /// Nothing listens on the path. `listeners`: unix listeners of plausible backends,
    /// best first (same directory, then same backend kind, then the closest name), at most
    /// `MAX_SOCKET_CANDIDATES`, and how many more sockets there are (`more`);
    /// `files`: socket files seen by `ls -l` in the same directory.
    Missing { listeners: Vec<usize>, more: usize, files: Vec<usize> },
    /// No unix listing and no `ls -l` of the socket's directory.
    Unknown,
}

/// Can the nginx worker user connect to a socket file?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SocketAccess {
    Allowed,
    /// The mode bits that apply to this user lack `w`.
    Denied,
    /// Only the group's bits allow it, and group membership is not known.
    DependsOnGroup,
}

/// Who nginx's workers run as, and where that was learnt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerUser {
    pub name: String,
    /// Group from `user NAME GROUP;`, when written.
    pub group: Option<String>,
    pub source: WorkerUserSource,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerUserSource {
    /// `user` in the config (its range).
    Config(TextRange),
    /// A `ps` row of an nginx worker process (the row's range).
    Ps(TextRange),
    /// nginx's built-in default (`nobody`), when the master runs as root.
    Default,
}

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

    /// Did the paste list unix sockets at all (`ss -xlp`, `netstat -xlp`, `lsof -U`, even with no rows)?
    pub fn unix_listed(&self) -> bool {
        self.listeners.is_some_and(|l| {
            l.sections
                .iter()
                .any(|s| matches!(s.format, Format::SsUnix | Format::NetstatUnix | Format::LsofUnix))
                || l.listeners.iter().any(|x| x.kind == SocketKind::Unix)
        })
    }

    /// The `ls -l` entry for a path, if listed.
    pub fn socket_file(&self, path: &str) -> Option<(usize, &'a SocketFile)> {
        self.listeners?.socket_files.iter().enumerate().find(|(_, f)| f.path == path)
    }

    /// Was the directory of `path` listed by `ls -l` (some entry in it, or the directory itself)?
    fn dir_listed(&self, path: &str) -> bool {
        let dir = parent_dir(path);
        self.listeners.is_some_and(|l| {
            l.socket_files.iter().any(|f| parent_dir(&f.path) == dir || (f.is_dir && f.path == dir))
        })
    }

    pub fn unix_reach(&self, endpoint: &Endpoint) -> UnixReach {
        let EndpointAddr::Unix { path } = &endpoint.addr else { return UnixReach::Unknown };
        if self.listeners.is_none() {
            return UnixReach::Unknown;
        }
        let key = (path.clone(), endpoint.kind == PassKind::FastCgi);
        if let Some(known) = self.unix_cache.borrow().get(&key) {
            return known.clone();
        }
        let reach = self.unix_reach_uncached(path, endpoint.kind);
        self.unix_cache.borrow_mut().insert(key, reach.clone());
        reach
    }

    fn unix_reach_uncached(&self, path: &str, kind: PassKind) -> UnixReach {
        let Some(report) = self.listeners else { return UnixReach::Unknown };
        let listening: Vec<usize> = self
            .unix_by_path
            .get(path)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| report.listeners.get(i).is_some_and(|l| l.serves_path(path) && l.is_listening()))
            .collect();
        if !listening.is_empty() {
            return UnixReach::Listening(listening);
        }
        let file = self.socket_file(path);
        if !self.unix_listed() {
            // Without a unix listing, only a directory listing without the file proves it missing.
            return if file.is_none() && self.dir_listed(path) {
                UnixReach::Missing { listeners: Vec::new(), more: 0, files: self.files_beside(path) }
            } else {
                UnixReach::Unknown
            };
        }
        if let Some((i, f)) = file
            && f.is_socket
        {
            return UnixReach::Stale(i);
        }
        let dir = parent_dir(path);
        let wanted = match kind {
            PassKind::FastCgi => Some(crate::listeners::AppServer::PhpFpm),
            _ => None,
        };
        // Rank: same directory (100), then the backend kind the pass wants (50), then the
        // closest file name (0-40, never enough to cross a class). Only the best few are
        // used: classes are taken best first, and within the classes that fill the places
        // the best names are picked one by one (no sort: hundreds of sockets share a class
        // in a big paste, for each of hundreds of missing paths).
        let matcher = NameMatcher::new(file_name(path));
        let class_of = |b: &UnixBackend| {
            u32::from(b.dir == dir) * 100 + u32::from(wanted.is_some() && b.app == wanted) * 50
        };
        // One row per socket: lsof lists a socket once per process.
        let mut listeners: Vec<usize> = Vec::new();
        // By `first_on_path`: a set of paths without a hash set type of its own (~1 KB of page).
        let mut seen = vec![false; self.unix_backends.len()];
        let mut first_sight = |b: usize| seen.get_mut(b).is_some_and(|s| !std::mem::replace(s, true));
        let mut more = 0;
        for class in [150, 100, 50, 0] {
            let members = self.unix_backends.iter().filter(|b| class_of(b) == class);
            if listeners.len() >= MAX_SOCKET_CANDIDATES {
                more += members.filter(|b| first_sight(b.first_on_path)).count();
                continue;
            }
            let mut ranked: Vec<(u32, usize, usize)> = members
                .map(|b| {
                    let similarity = matcher.similarity(file_name(&b.path));
                    ((similarity * 40.0) as u32, b.index, b.first_on_path)
                })
                .collect();
            while listeners.len() < MAX_SOCKET_CANDIDATES {
                let best = ranked
                    .iter()
                    .enumerate()
                    .min_by(|(_, x), (_, y)| best_first(&(x.0, x.1), &(y.0, y.1)))
                    .map(|(at, _)| at);
                let Some(at) = best else { break };
                let (_, i, p) = ranked.swap_remove(at);
                if first_sight(p) {
                    listeners.push(i);
                }
            }
            more += ranked.iter().filter(|&&(_, _, p)| first_sight(p)).count();
        }
        UnixReach::Missing { listeners, more, files: self.files_beside(path) }
    }

    fn files_beside(&self, path: &str) -> Vec<usize> {
        let dir = parent_dir(path);
        self.listeners
            .map(|l| {
                l.socket_files
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| f.is_socket && parent_dir(&f.path) == dir && f.path != path)
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Who nginx's workers run as: `ps` rows of nginx workers first (what really runs),
    /// then the config's `user`, then nginx's default `nobody`.
    pub fn worker_user(&self) -> WorkerUser {
        if let Some(l) = self.listeners {
            for fact in &l.facts {
                if let ProbeFact::Process { user, is_nginx_worker: true, range, .. } = fact {
                    return WorkerUser {
                        name: user.clone(),
                        group: None,
                        source: WorkerUserSource::Ps(*range),
                    };
                }
            }
        }
        if let Some(setting) = self.config.and_then(|c| c.model().user.as_ref()) {
            let mut words = setting.value.split_whitespace();
            let name = words.next().unwrap_or("nobody").to_string();
            let group = words.next().map(str::to_string);
            if let Some(range) = setting.range {
                return WorkerUser { name, group, source: WorkerUserSource::Config(range) };
            }
        }
        WorkerUser { name: "nobody".into(), group: None, source: WorkerUserSource::Default }
    }

    /// Unix permission check of a socket file for the worker user (connect needs `w`).
    pub fn socket_access(file: &SocketFile, user: &WorkerUser) -> SocketAccess {
        if user.name == "root" {
            return SocketAccess::Allowed;
        }
        if file.owner == user.name {
            return if file.mode & 0o200 != 0 { SocketAccess::Allowed } else { SocketAccess::Denied };
        }
        let group_w = file.mode & 0o020 != 0;
        let other_w = file.mode & 0o002 != 0;
        if other_w {
            return SocketAccess::Allowed;
        }
        let in_group = user.group.as_deref() == Some(file.group.as_str()) || file.group == user.name;
        // Service users are not members of root's group.
        let privileged_group = matches!(file.group.as_str(), "root" | "wheel");
        match (group_w, in_group) {
            (false, _) => SocketAccess::Denied,
            (true, true) => SocketAccess::Allowed,
            (true, false) if privileged_group => SocketAccess::Denied,
            (true, false) => SocketAccess::DependsOnGroup,
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

    /// `curl`/`telnet` probes of `host:port` in the listeners paste (`host` with or without brackets).
    pub fn direct_probes(&self, host: &str, port: u16) -> Vec<&'a ProbeFact> {
        let Some(report) = self.listeners else { return Vec::new() };
        let want = literal_ips(host);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        report
            .facts
            .iter()
            .filter(|f| {
                let ProbeFact::DirectProbe { target, .. } = f else { return false };
                let (h, p) = split_host_port(target);
                if p.is_some_and(|p| p != port) {
                    return false;
                }
                match h.parse::<IpAddr>() {
                    Ok(ip) => want.iter().any(|w| w.to_canonical() == ip.to_canonical()),
                    Err(_) => h.eq_ignore_ascii_case(bare),
                }
            })
            .collect()
    }

    /// Log groups of one kind.
    pub fn events_of(&self, kind: &EventKind) -> impl Iterator<Item = &'a EventGroup> + '_ {
        let groups = self.log.map(|l| l.groups.as_slice()).unwrap_or_default();
        let kind = kind.clone();
        groups.iter().filter(move |g| g.event.kind == kind)
    }

    /// Log groups that name this TCP port (in `upstream:` or as the connect peer), in log order.
    pub fn events_on_port(&self, port: u16) -> impl Iterator<Item = &'a EventGroup> + '_ {
        let groups = self.log.map(|l| l.groups.as_slice()).unwrap_or_default();
        self.events_by_port.get(&port).into_iter().flatten().filter_map(move |&g| groups.get(g))
    }

    /// The TCP endpoints on `port` with their indices, in endpoint order.
    pub fn endpoints_on_port(&self, port: u16) -> impl Iterator<Item = (usize, &Endpoint)> + '_ {
        self.endpoints_by_port
            .get(&port)
            .into_iter()
            .flatten()
            .filter_map(|&e| self.endpoints.get(e).map(|endpoint| (e, endpoint)))
    }

    /// The first endpoint a log event group names (its upstream or sync-connect peer).
    pub fn endpoint_of(&self, group: &EventGroup) -> Option<&Endpoint> {
        let addr = GroupAddr::of(group)?;
        let candidates = match (&addr.unix, addr.port) {
            (Some(path), _) => self.endpoints_by_path.get(path.as_str()),
            (None, Some(port)) => self.endpoints_by_port.get(&port),
            (None, None) => None,
        };
        // Candidates are in endpoint order, so this is the first endpoint the group names.
        candidates.into_iter().flatten().filter_map(|&e| self.endpoints.get(e)).find(|e| addr.names(e))
    }

    /// Groups of `connect() ... (111: Connection refused)` lines naming this endpoint.
    pub fn refused_for(&self, endpoint: &Endpoint) -> Vec<&'a EventGroup> {
        let mut groups = self.events_for(endpoint);
        groups.retain(|g| g.event.kind == crate::log::EventKind::ConnectRefused);
        groups
    }

    /// Log event groups whose upstream (or sync-connect peer) is this endpoint.
    pub fn events_for(&self, endpoint: &Endpoint) -> Vec<&'a EventGroup> {
        let Some(log) = self.log else { return Vec::new() };
        // Which groups name an address depends on the address alone, and thousands of
        // endpoints (and every rule) ask about the same few: match each address once.
        let key = match &endpoint.addr {
            EndpointAddr::Tcp { host, port, ips } => (Some(*port), host.to_ascii_lowercase(), ips.clone()),
            EndpointAddr::Unix { path } => (None, path.clone(), Vec::new()),
        };
        if let Some(known) = self.events_cache.borrow().get(&key) {
            return known.iter().filter_map(|&g| log.groups.get(g)).collect();
        }
        let candidates = match &endpoint.addr {
            EndpointAddr::Tcp { port, .. } => self.events_by_port.get(port),
            EndpointAddr::Unix { path } => self.events_by_path.get(path),
        };
        let found: Vec<usize> = candidates
            .into_iter()
            .flatten()
            .copied()
            .filter(|&g| self.group_addrs.get(g).and_then(Option::as_ref).is_some_and(|a| a.names(endpoint)))
            .collect();
        let groups = found.iter().filter_map(|&g| log.groups.get(g)).collect();
        self.events_cache.borrow_mut().insert(key, found);
        groups
    }
}

/// Highest score first, then lowest index (both sorts of `unix_reach`).
fn best_first(a: &(u32, usize), b: &(u32, usize)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

/// `strsim::normalized_levenshtein` against one fixed name, with a bit-parallel distance
/// (Myers 1999) for the usual case of ASCII names of at most 64 bytes: the fixed name's
/// bit masks are built once, and each comparison with one of hundreds of other sockets in
/// a directory then costs a few instructions per byte.
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

struct NameMatcher<'n> {
    name: &'n str,
    /// Per ASCII byte, the positions where it occurs in `name`; None when the slow path applies.
    peq: Option<Box<[u64; 128]>>,
}

impl<'n> NameMatcher<'n> {
    fn new(name: &'n str) -> Self {
        let peq = (name.len() <= 64 && name.is_ascii()).then(|| {
            let mut peq = Box::new([0u64; 128]);
            for (i, &c) in name.as_bytes().iter().enumerate() {
                if let Some(slot) = peq.get_mut(usize::from(c & 0x7f)) {
                    *slot |= 1 << i;
                }
            }
            peq
        });
        NameMatcher { name, peq }
    }

    fn similarity(&self, other: &str) -> f64 {
        let Some(peq) = self.peq.as_deref().filter(|_| other.is_ascii()) else {
            return strsim::normalized_levenshtein(self.name, other);
        };
        let longest = self.name.len().max(other.len());
        if longest == 0 {
            return 1.0;
        }
        1.0 - ascii_levenshtein(peq, self.name.len(), other.as_bytes()) as f64 / longest as f64
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

#[cfg(test)]
fn name_similarity(a: &str, b: &str) -> f64 {
    NameMatcher::new(a).similarity(b)
}

/// Levenshtein distance between the ASCII name of `m` bytes whose masks are `peq` and `b`.
fn ascii_levenshtein(peq: &[u64; 128], m: usize, b: &[u8]) -> usize {
    if m == 0 {
        return b.len();
    }
    let last = 1u64 << (m - 1);
    let (mut pv, mut mv, mut score) = (!0u64, 0u64, m);
    for &c in b {
        let eq = peq.get(usize::from(c & 0x7f)).copied().unwrap_or(0);
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let mut ph = mv | !(xh | pv);
        let mut mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        }
        if mh & last != 0 {
            score -= 1;
        }
        ph = (ph << 1) | 1;
        mh <<= 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    score
}

/// An endpoint's address as far as log matching goes: (port, lowercased host, ips), or
/// (None, unix path, []).
type AddrKey = (Option<u16>, String, Vec<IpAddr>);

/// A listening unix socket that could be an app's (see `Facts::unix_backends`).
struct UnixBackend {
    index: usize,
    /// The position in `unix_backends` of the first backend on the same path.
    first_on_path: usize,
    path: String,
    dir: String,
    app: Option<crate::listeners::AppServer>,
}

/// A log group's address, parsed once.
struct GroupAddr {
    host: String,
    ip: Option<IpAddr>,
    port: Option<u16>,
    unix: Option<String>,
}

impl GroupAddr {
    fn of(group: &EventGroup) -> Option<GroupAddr> {
        let (host, port, unix) = event_address(group)?;
        let ip = host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
        Some(GroupAddr { host, ip, port, unix })
    }

    fn names(&self, endpoint: &Endpoint) -> bool {
        match &endpoint.addr {
            EndpointAddr::Unix { path } => self.unix.as_deref() == Some(path.as_str()),
            EndpointAddr::Tcp { host, port, ips } => {
                self.port == Some(*port)
                    && match self.ip {
                        Some(ip) => ips.iter().any(|e| e.to_canonical() == ip),
                        None => self.host.eq_ignore_ascii_case(host),
                    }
            }
        }
    }
}

/// The address a log event names: (host, port, unix path), from `upstream:` or the peer.
fn event_address(group: &EventGroup) -> Option<(String, Option<u16>, Option<String>)> {
    let event = &group.event;
    match (&event.upstream, event.peer()) {
        // A hidden address (`x.x.x.x`, `<ip>`) is matched to no listener and no config line.
        (Some(u), _) if crate::paste::is_hidden(u.host()) => None,
        (None, Some(peer)) if crate::paste::is_hidden(split_host_port(peer).0) => None,
        (Some(u), _) => Some((u.host().to_owned(), u.port(), u.unix_path().map(str::to_owned))),
        (None, Some(peer)) => {
            if let Some(path) = peer.strip_prefix("unix:") {
                Some((String::new(), None, Some(path.to_string())))
            } else {
                let (h, p) = split_host_port(peer);
                Some((h.to_string(), p, None))
            }
        }
        (None, None) => None,
    }
}

fn parent_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, f)| f)
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

#[cfg(test)]
mod similarity_tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    /// The bit-parallel distance agrees with strsim's on names of every length up to 64.
    #[test]
    fn ascii_levenshtein_matches_strsim() {
        let alphabet = b"ab-._0123php";
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let la = (next() % 65) as usize;
            let lb = (next() % 70) as usize;
            let mut word = |n: usize| -> String {
                (0..n).map(|_| char::from(alphabet[(next() % alphabet.len() as u64) as usize])).collect()
            };
            let (a, b) = (word(la), word(lb));
            let matcher = NameMatcher::new(&a);
            let peq = matcher.peq.as_deref().unwrap();
            assert_eq!(
                ascii_levenshtein(peq, a.len(), b.as_bytes()),
                strsim::levenshtein(&a, &b),
                "{a} / {b}"
            );
            assert!((name_similarity(&a, &b) - strsim::normalized_levenshtein(&a, &b)).abs() < 1e-12);
        }
        assert_eq!(
            name_similarity("php8.2-fpm.sock", "php8.1-fpm.sock"),
            strsim::normalized_levenshtein("php8.2-fpm.sock", "php8.1-fpm.sock")
        );
        assert_eq!(name_similarity("", ""), 1.0);
    }
}
