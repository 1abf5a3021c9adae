//! Log events by target: which groups of the error log name an endpoint, a port or a kind.

use super::*;

impl<'a> Facts<'a> {
    /// Log-only sign of a loop: a request whose upstream is the very address the client
    /// reached nginx at (`upstream: "http://127.0.0.1:8080/", host: "127.0.0.1:8080"`), next to
    /// nginx running out of worker connections.
    pub fn log_shows_loop(&self) -> bool {
        if self.config.is_some() {
            return !self.loops().is_empty();
        }
        self.self_addressed().is_some()
            && self.events_of(&EventKind::WorkerConnectionsNotEnough).next().is_some()
    }

    /// A request whose upstream is the very address the client reached nginx at.
    pub fn self_addressed(&self) -> Option<&'a EventGroup> {
        self.log?.groups.iter().find(|g| {
            let (Some(u), Some(host)) = (&g.event.upstream, g.event.host()) else { return false };
            let host = host.to_ascii_lowercase();
            let target = u.target().to_ascii_lowercase();
            !u.is_unix() && (target == host || target == format!("{host}:80"))
        })
    }

    /// Log groups of one kind.
    pub fn events_of(&self, kind: &EventKind) -> impl Iterator<Item = &'a EventGroup> + '_ {
        let groups = self.log.map(|l| l.groups.as_slice()).unwrap_or_default();
        let kind = kind.clone();
        groups.iter().filter(move |g| g.event.kind == kind)
    }

    /// Refusals at the address nginx resolved a name to at start, for an endpoint named by a
    /// host whose addresses the paste does not show (`proxy_pass http://app:8000`, a compose
    /// service): the refused groups on its port at an IP no other endpoint there names. Empty
    /// when another such name shares the port (which of them the IP was is not known).
    pub fn refused_at_resolved(&self, endpoint: &Endpoint) -> Vec<&'a EventGroup> {
        let EndpointAddr::Tcp { host, port, ips } = &endpoint.addr else { return Vec::new() };
        if !ips.is_empty() || !literal_ips(host).is_empty() {
            return Vec::new();
        }
        let mut known: Vec<IpAddr> = Vec::new();
        for (_, other) in self.endpoints_on_port(*port) {
            let EndpointAddr::Tcp { host: h, ips: i, .. } = &other.addr else { continue };
            let literal = literal_ips(h);
            if i.is_empty() && literal.is_empty() && !h.eq_ignore_ascii_case(host) {
                return Vec::new();
            }
            known.extend(literal.iter().chain(i).map(|ip| ip.to_canonical()));
        }
        self.events_on_port(*port)
            .filter(|g| g.event.kind == EventKind::ConnectRefused)
            .filter(|g| {
                let ip = g.event.upstream.as_ref().and_then(|u| u.host().parse::<IpAddr>().ok());
                ip.is_some_and(|ip| !known.contains(&ip.to_canonical()))
            })
            .collect()
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

/// An endpoint's address as far as log matching goes: (port, lowercased host, ips), or
/// (None, unix path, []).
pub(super) type AddrKey = (Option<u16>, String, Vec<IpAddr>);

/// A log group's address, parsed once.
pub(super) struct GroupAddr {
    pub(super) host: String,
    pub(super) ip: Option<IpAddr>,
    pub(super) port: Option<u16>,
    pub(super) unix: Option<String>,
}

impl GroupAddr {
    pub(super) fn of(group: &EventGroup) -> Option<GroupAddr> {
        let (host, port, unix) = event_address(group)?;
        let ip = host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical());
        Some(GroupAddr { host, ip, port, unix })
    }

    pub(super) fn names(&self, endpoint: &Endpoint) -> bool {
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
pub(super) fn event_address(group: &EventGroup) -> Option<(String, Option<u16>, Option<String>)> {
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

/// The unix path of a connect failure: the sync-connect peer or the `upstream:` field.
pub fn unix_path(group: &EventGroup) -> Option<String> {
    group
        .event
        .peer()
        .and_then(|p| p.strip_prefix("unix:"))
        .map(str::to_string)
        .or_else(|| group.event.upstream.as_ref().and_then(|u| u.unix_path().map(str::to_owned)))
}
