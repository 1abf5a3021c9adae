//! Listener tables and backend-side probe outputs (ss, netstat, lsof, docker ps, ls -l,
//! systemctl, journalctl, curl, telnet, ufw, iptables, nft, getsebool, SELinux AVC, ps,
//! getent), and the host's own addresses and DNS servers (ip addr, hostname -I, ifconfig,
//! resolv.conf).
//!
//! [`parse`] reads a whole paste: several command outputs, shell prompts and unrelated
//! text mixed together. Each line is read on its own (one pass, no backtracking over
//! earlier lines), with a little state carried from prompts and header lines: the
//! command a prompt names, the columns a header announces, the directory `ls` lists.
//! Every item keeps the byte range of the line it came from.

mod addr;
mod addresses;
mod backend;
mod containers;
mod docker;
mod exec;
mod firewall_rules;
mod format;
mod inspect;
mod json;
mod kube;
mod probes;
mod scan;
mod tables;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_docker;
#[cfg(test)]
mod tests_forms;
#[cfg(test)]
mod tests_kube;
#[cfg(test)]
mod tests_probes;
mod windows;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::Serialize;

pub use crate::input::TextRange;
pub use backend::{AppServer, BackendKind, backend_kind};
pub use containers::{
    Container, ContainerNetwork, ContainerPort, ContainerState, EndpointAddress, EndpointsKind,
    KubeEndpoints, KubePod, KubeService, PublishedPort, ServicePort,
};
pub use exec::ContainerListener;
pub use format::Format;

use scan::Line;

/// A run of consecutive lines read as one tool's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    pub format: Format,
    /// From the header (or first row) to the last line read as this format.
    pub range: TextRange,
    /// Listeners, socket files or facts produced by this section.
    pub rows: usize,
    /// The command as typed on a prompt line just before the output (`sudo ss -tlnp`), if any.
    pub command: Option<TextRange>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SocketKind {
    Tcp,
    Udp,
    Unix,
}

/// What a socket is bound to, as precisely as the tool said.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Bind {
    Ipv4(Ipv4Addr),
    /// Includes v4-mapped addresses (`[::ffff:127.0.0.1]`); see [`Bind::mapped_v4`].
    Ipv6(Ipv6Addr),
    /// `0.0.0.0`
    AnyV4,
    /// `::`. `v6only`: ss `*` = `Some(false)` (dual-stack), ss `[::]` = `Some(true)`,
    /// netstat `:::` / lsof `*` with TYPE IPv6 = `None` (the tool cannot tell).
    AnyV6 {
        v6only: Option<bool>,
    },
    /// A wildcard whose family the tool did not say (lsof `*` without TYPE, docker).
    Any,
    Unix(String),
    /// Abstract unix socket name, without the leading `@`.
    Abstract(String),
}

impl Bind {
    /// The IPv4 address of a v4-mapped IPv6 bind (`::ffff:127.0.0.1`), or of a plain v4 bind.
    pub fn mapped_v4(&self) -> Option<Ipv4Addr> {
        match self {
            Bind::Ipv4(a) => Some(*a),
            Bind::Ipv6(a) => a.to_ipv4_mapped(),
            _ => None,
        }
    }

    pub fn is_wildcard(&self) -> bool {
        matches!(self, Bind::AnyV4 | Bind::AnyV6 { .. } | Bind::Any)
    }

    /// The address as ss would print it (`127.0.0.1`, `[::1]`, `0.0.0.0`, `[::]`, `*`),
    /// `None` for unix sockets.
    pub fn address_text(&self) -> Option<String> {
        match self {
            Bind::Ipv4(a) => Some(a.to_string()),
            Bind::Ipv6(a) => Some(format!("[{a}]")),
            Bind::AnyV4 => Some("0.0.0.0".to_owned()),
            Bind::AnyV6 { .. } => Some("[::]".to_owned()),
            Bind::Any => Some("*".to_owned()),
            Bind::Unix(_) | Bind::Abstract(_) => None,
        }
    }

    /// Unix socket path (`/run/php/php8.2-fpm.sock`, or `@name` for an abstract socket).
    pub fn path(&self) -> Option<String> {
        match self {
            Bind::Unix(p) => Some(p.clone()),
            Bind::Abstract(n) => Some(format!("@{n}")),
            _ => None,
        }
    }
}

/// A process that holds the socket.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ProcessRef {
    /// comm (ss), program name (netstat, may be a rewritten argv like `nginx: master`),
    /// COMMAND (lsof), container name (docker ps).
    pub name: String,
    pub pid: Option<u32>,
    pub fd: Option<u32>,
    pub user: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub kind: SocketKind,
    pub bind: Bind,
    pub port: Option<u16>,
    /// Device binding (`127.0.0.53%lo` -> `lo`).
    pub interface: Option<String>,
    /// The host name the tool printed instead of the address (`localhost`: lsof without
    /// `-n`, netstat without `-n`). `bind` is the name's usual meaning; on an IPv6 socket
    /// `localhost` is `::1` or a v4-mapped `127.0.0.1` (see [`Listener::loopback_in_doubt`]).
    pub host_name: Option<String>,
    /// `LISTEN`, `UNCONN`, `LISTENING` as printed; `None` when the tool printed none.
    pub state: Option<String>,
    pub recv_q: Option<u32>,
    pub send_q: Option<u32>,
    /// Empty when the tool could not see the owner (`-` in netstat, no `users:` in ss).
    pub processes: Vec<ProcessRef>,
    /// docker ps: the container port a published host port forwards to.
    pub container_port: Option<u16>,
    pub format: Format,
    pub range: TextRange,
    pub addr_range: TextRange,
}

impl Listener {
    /// Recv-Q above Send-Q on a listening socket in ss: the accept queue is full (ss
    /// prints the backlog as Send-Q). netstat reads /proc/net/tcp, whose tx_queue is 0
    /// for a listener, so its Send-Q says nothing and this is false for netstat rows;
    /// see [`Listener::queued`].
    pub fn backlog_full(&self) -> bool {
        let ss = matches!(self.format, Format::SsTcp | Format::SsUnix);
        match (self.recv_q, self.send_q) {
            (Some(r), Some(s)) => ss && self.is_listening() && self.kind != SocketKind::Udp && r > s,
            _ => false,
        }
    }

    /// Connections waiting in the accept queue of a listening socket (Recv-Q), when the
    /// tool printed it (ss, netstat).
    pub fn queued(&self) -> Option<u32> {
        if self.kind == SocketKind::Udp || !self.is_listening() { None } else { self.recv_q }
    }

    /// `localhost` on an IPv6 socket (lsof `TYPE IPv6`, netstat `tcp6`): `::1`, as read, or
    /// a socket bound to `::ffff:127.0.0.1` (Java binds 127.0.0.1 so), which the name hides.
    /// A rule that rests on "IPv6 only" says so, or asks for `lsof -n`/`ss -tln`.
    pub fn loopback_in_doubt(&self) -> bool {
        self.host_name.as_deref() == Some("localhost")
            && matches!(self.bind, Bind::Ipv6(a) if a.is_loopback())
    }

    pub fn is_listening(&self) -> bool {
        match self.kind {
            SocketKind::Udp => true,
            _ => self.state.as_deref().is_none_or(|s| s.starts_with("LISTEN")),
        }
    }

    /// Would a connection to `ip:port` reach this socket? Address and port only: filter
    /// on [`Listener::kind`] for TCP. Wildcard, family,
    /// v4-mapped and dual-stack rules; a `::` whose V6ONLY flag the tool did not show
    /// counts as dual-stack (the Linux default, net.ipv6.bindv6only=0). See
    /// [`Listener::accepts_certainly`] to tell that case apart.
    pub fn accepts(&self, ip: IpAddr, port: u16) -> bool {
        self.accepts_certainly(ip, port).unwrap_or(true)
    }

    /// Like [`Listener::accepts`], but `None` when the answer depends on a V6ONLY
    /// flag the tool did not print (netstat `:::`, lsof `*` IPv6).
    pub fn accepts_certainly(&self, ip: IpAddr, port: u16) -> Option<bool> {
        if self.kind == SocketKind::Unix || self.port != Some(port) {
            return Some(false);
        }
        let ip = ip.to_canonical();
        // Bound to a device (`%eth0`): loopback traffic goes through `lo`, never reaches it.
        if self.interface.as_deref().is_some_and(|i| i != "lo") && ip.is_loopback() {
            return Some(false);
        }
        match (&self.bind, ip) {
            (Bind::Ipv4(a), IpAddr::V4(v)) => Some(*a == v),
            (Bind::Ipv6(a), IpAddr::V4(v)) => Some(a.to_ipv4_mapped() == Some(v)),
            (Bind::Ipv6(a), IpAddr::V6(v)) => Some(*a == v),
            (Bind::Ipv4(_), IpAddr::V6(_)) => Some(false),
            (Bind::AnyV4, IpAddr::V4(_)) => Some(true),
            (Bind::AnyV4, IpAddr::V6(_)) => Some(false),
            (Bind::AnyV6 { .. }, IpAddr::V6(_)) => Some(true),
            (Bind::AnyV6 { v6only }, IpAddr::V4(_)) => v6only.map(|only| !only),
            (Bind::Any, _) => Some(true),
            (Bind::Unix(_) | Bind::Abstract(_), _) => Some(false),
        }
    }

    /// Does this listener serve the unix socket `path` (`/run/php/x.sock` or `@abstract`)?
    pub fn serves_path(&self, path: &str) -> bool {
        match &self.bind {
            Bind::Unix(p) => p == path,
            Bind::Abstract(n) => path.strip_prefix('@') == Some(n.as_str()),
            _ => false,
        }
    }
}

/// A file from an `ls -l` listing (sockets and anything else listed beside them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SocketFile {
    /// Directory + name when the listing said which directory, else the name as printed.
    pub path: String,
    pub owner: String,
    pub group: String,
    /// Permission bits including setuid/setgid/sticky (`srw-rw----` -> 0o660).
    pub mode: u32,
    /// The file type letter is `s`.
    pub is_socket: bool,
    pub is_dir: bool,
    pub range: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ProbeTool {
    Curl,
    Telnet,
    /// `nc -zv HOST PORT` (OpenBSD netcat wording)
    Netcat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FirewallTool {
    Ufw,
    Iptables,
    /// `iptables -L -n [-v]`
    IptablesList,
    Nft,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FirewallAction {
    Allow,
    Deny,
    Reject,
    Drop,
    /// ufw LIMIT: allowed, rate limited.
    Limit,
}

impl FirewallAction {
    pub fn blocks(self) -> bool {
        matches!(self, FirewallAction::Deny | FirewallAction::Reject | FirewallAction::Drop)
    }
}

/// Which packets a chain sees: an iptables built-in chain (`INPUT`), an nft base chain's
/// `hook`, a ufw direction (`IN`). A user-defined chain (reached by a jump) has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum FirewallHook {
    /// Packets to this host (loopback connections pass here too).
    Input,
    /// Packets this host sends (nginx's connections to its backends).
    Output,
    /// Packets routed through this host (containers behind a bridge).
    Forward,
}

/// A firewall rule's conditions besides its port and action, and the chain it is in. The
/// readers fill one per line and push it once per port the line names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RuleMatch {
    /// `tcp`, `udp`, or the number `iptables -L` prints since 1.8.9 (`6`); `None`: any.
    pub proto: Option<String>,
    /// Source address or network (`10.0.0.0/8`); ufw's `From` column.
    pub source: Option<String>,
    /// Destination address or network (`-d 10.0.0.5/32`, `ip daddr 10.0.0.5`).
    pub destination: Option<String>,
    /// iptables/nft chain (`INPUT`, `input`), ufw direction (`IN`, `OUT`).
    pub chain: Option<String>,
    /// nft's table, family first (`inet filter`): each table's chains are read on their
    /// own, so an accept in one does not stop another table's drop.
    pub table: Option<String>,
    /// What the chain sees (from its name, its nft hook, or ufw's direction).
    pub hook: Option<FirewallHook>,
    /// Input interface (`-i lo`, `iif "lo"`).
    pub interface: Option<String>,
    /// Output interface (`-o lo`, `oifname "lo"`).
    pub out_interface: Option<String>,
    /// How a REJECT answers (`tcp-reset`, `icmp-host-prohibited`, nft's `icmpx
    /// admin-prohibited`); `None`: the default (port unreachable) or not a reject.
    pub reject_with: Option<String>,
    /// The rule has conditions this reader does not model (connection state, a negation,
    /// a mark, a rate limit), or the listing hides some (`iptables -L` without `-v` shows
    /// no interfaces): it may not apply to every new connection to its port.
    pub other_matches: bool,
}

/// A typed fact from a probe the 502 guides tell people to run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum ProbeFact {
    /// `systemctl status UNIT`. `active` is the first word of `Active:` (active, failed,
    /// activating, inactive, deactivating, reloading) or `not-found`.
    ServiceStatus {
        unit: String,
        active: String,
        /// The word in parentheses: running, dead, exited, auto-restart, ...
        sub: Option<String>,
        main_pid: Option<u32>,
        /// `Result: exit-code`, `code=exited, status=78/CONFIG`, ...
        exit_reason: Option<String>,
        range: TextRange,
    },
    /// A journal line (`journalctl -u`, or the tail `systemctl status` prints).
    JournalLine {
        unit: Option<String>,
        pid: Option<u32>,
        message_range: TextRange,
        range: TextRange,
    },
    /// `curl -v`/`curl -I`/`telnet` against the backend directly.
    DirectProbe {
        tool: ProbeTool,
        /// `host:port` (or host only when the tool did not say), or a unix socket path.
        target: String,
        connected: bool,
        /// `Connection refused`, `Connection timed out`, ...
        errno_text: Option<String>,
        /// `HTTP/1.1 200 OK`
        status_line: Option<String>,
        tls: bool,
        range: TextRange,
    },
    /// A firewall rule or policy that touches a port (port `None`: all ports / chain policy).
    /// Facts keep the paste's order, which is the order the firewall reads a chain in.
    FirewallRule {
        tool: FirewallTool,
        port: Option<u16>,
        /// Last port of a range (`6000:6007`), `None` for a single port.
        port_last: Option<u16>,
        action: FirewallAction,
        /// What else the rule matches on, and where it stands.
        #[serde(flatten)]
        matches: RuleMatch,
        /// A chain policy or ufw `Default:` line rather than a rule.
        is_policy: bool,
        range: TextRange,
    },
    /// `Status: active|inactive` from ufw.
    FirewallStatus {
        tool: FirewallTool,
        active: bool,
        range: TextRange,
    },
    SelinuxBoolean {
        name: String,
        on: bool,
        range: TextRange,
    },
    /// `getenforce` / `sestatus`: `enforcing`, `permissive` or `disabled` (lower case).
    SelinuxMode {
        mode: String,
        range: TextRange,
    },
    /// `semanage port -l`: `http_port_t tcp 80, 81, 443, 8008-8009` (ranges as `(first, last)`).
    SelinuxPortType {
        type_name: String,
        proto: String,
        ports: Vec<(u16, u16)>,
        range: TextRange,
    },
    /// `type=AVC ... avc: denied { name_connect } ... comm="nginx" dest=8000 ...`
    AvcDenial {
        permission: String,
        comm: String,
        target_port: Option<u16>,
        /// `path="/run/php/php-fpm.sock"` for unix socket denials.
        path: Option<String>,
        scontext: Option<String>,
        tcontext: Option<String>,
        tclass: Option<String>,
        range: TextRange,
    },
    /// A row of `ps aux` / `ps -ef`.
    Process {
        user: String,
        pid: u32,
        command: String,
        is_nginx_worker: bool,
        is_nginx_master: bool,
        range: TextRange,
    },
    /// docker ps: a container port that is exposed but not published on the host.
    ExposedPort {
        container: String,
        port: u16,
        proto: String,
        range: TextRange,
    },
    /// `getent ahosts NAME` (one per address, its `STREAM` line) or `getent hosts NAME`: an
    /// address the name has on this host now, in the resolver's order.
    NameAddress {
        /// The name asked for (from the command), else the name the line shows.
        name: String,
        address: IpAddr,
        /// The lookup asked for every family: `getent ahosts`, or `getent hosts` answering
        /// IPv4 (it asks for IPv6 first and shows IPv4 only when the name has no IPv6).
        all_families: bool,
        range: TextRange,
    },
    /// An address of one of this host's interfaces (`ip addr`, `hostname -I`, `ifconfig`).
    /// `range` is the address as printed.
    HostAddress {
        address: IpAddr,
        /// `/24`, `netmask 255.255.255.0`, `prefixlen 64`; `None` when not printed (`hostname -I`).
        prefix: Option<u8>,
        interface: Option<String>,
        /// `ip addr`, `hostname -I` or `ifconfig`.
        format: Format,
        range: TextRange,
    },
    /// A `nameserver ADDR` line of a resolv.conf: a DNS server this host's programs ask.
    Nameserver {
        address: IpAddr,
        /// Who wrote the file, when one of its comments says so.
        writer: Option<ResolvConfWriter>,
        range: TextRange,
    },
}

/// Who wrote a resolv.conf, as its comments say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResolvConfWriter {
    /// `# Generated by Docker Engine.`: a container's file; with `(internal resolver)` its
    /// nameserver is Docker's embedded DNS (127.0.0.11), which knows the containers' names.
    Docker,
    /// `managed by man:systemd-resolved(8)`: the stub resolver on 127.0.0.53.
    SystemdResolved,
}

impl ProbeFact {
    /// A firewall rule or policy that applies to destination `port`: its port or range
    /// holds it, or it names no port at all (a policy, `-i lo -j ACCEPT`). Other facts: false.
    pub fn covers_port(&self, port: u16) -> bool {
        match self {
            ProbeFact::FirewallRule { port: None, .. } => true,
            ProbeFact::FirewallRule { port: Some(first), port_last, .. } => {
                (*first..=port_last.unwrap_or(*first)).contains(&port)
            }
            _ => false,
        }
    }

    pub fn range(&self) -> TextRange {
        match self {
            ProbeFact::ServiceStatus { range, .. }
            | ProbeFact::JournalLine { range, .. }
            | ProbeFact::DirectProbe { range, .. }
            | ProbeFact::FirewallRule { range, .. }
            | ProbeFact::FirewallStatus { range, .. }
            | ProbeFact::SelinuxBoolean { range, .. }
            | ProbeFact::SelinuxMode { range, .. }
            | ProbeFact::SelinuxPortType { range, .. }
            | ProbeFact::AvcDenial { range, .. }
            | ProbeFact::Process { range, .. }
            | ProbeFact::ExposedPort { range, .. }
            | ProbeFact::NameAddress { range, .. }
            | ProbeFact::HostAddress { range, .. }
            | ProbeFact::Nameserver { range, .. } => *range,
        }
    }
}

/// Everything read from the listeners paste.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ListenerReport {
    pub sections: Vec<Section>,
    pub listeners: Vec<Listener>,
    pub socket_files: Vec<SocketFile>,
    pub facts: Vec<ProbeFact>,
    /// Containers from `docker ps`, `docker compose ps` and `docker inspect` (one per row or
    /// object; the same container pasted twice is listed twice).
    pub containers: Vec<Container>,
    /// `kubectl get svc` rows.
    pub kube_services: Vec<KubeService>,
    /// `kubectl get endpoints` / `endpointslices` rows.
    pub kube_endpoints: Vec<KubeEndpoints>,
    /// `kubectl get pods` rows.
    pub kube_pods: Vec<KubePod>,
    /// Sockets of tables run inside a container (`docker exec NAME ss -tlnp`): not the host's.
    pub in_containers: Vec<ContainerListener>,
    /// Non-blank lines nothing understood (the page marks them).
    pub unrecognized: Vec<TextRange>,
    /// Shell prompt / command lines (`user@host:~$ sudo ss -tlnp`): understood, not data.
    pub commands: Vec<TextRange>,
}

impl ListenerReport {
    /// Listeners that would accept a connection to `ip:port`.
    pub fn listeners_accepting(&self, ip: IpAddr, port: u16) -> impl Iterator<Item = &Listener> {
        self.listeners.iter().filter(move |l| l.is_listening() && l.accepts(ip, port))
    }

    /// The user nginx workers run as, from `ps` rows (`nginx: worker process`) or lsof's
    /// USER column on an nginx listener that is not root.
    pub fn nginx_worker_user(&self) -> Option<&str> {
        self.facts
            .iter()
            .find_map(|f| match f {
                ProbeFact::Process { user, is_nginx_worker: true, .. } => Some(user.as_str()),
                _ => None,
            })
            .or_else(|| {
                self.listeners
                    .iter()
                    .flat_map(|l| l.processes.iter())
                    .filter(|p| p.name.starts_with("nginx"))
                    .find_map(|p| p.user.as_deref().filter(|u| *u != "root"))
            })
    }

    /// The `ls -l` entry for `path`, if the listing showed it.
    pub fn socket_file(&self, path: &str) -> Option<&SocketFile> {
        self.socket_files.iter().find(|f| f.path == path)
    }

    /// What `getent` said `name` resolves to on this host: the addresses in the resolver's
    /// order (the order nginx tries them), and whether they are all of them (a lookup that
    /// asked for every family; when the paste has one, only its answer is used). `None`
    /// when the paste has no lookup of the name.
    pub fn resolved(&self, name: &str) -> Option<(Vec<IpAddr>, bool)> {
        let answers = || {
            self.facts.iter().filter_map(move |f| match f {
                ProbeFact::NameAddress { name: n, address, all_families, .. }
                    if n.eq_ignore_ascii_case(name) =>
                {
                    Some((*address, *all_families))
                }
                _ => None,
            })
        };
        let complete = answers().any(|(_, all)| all);
        let mut addresses: Vec<IpAddr> = Vec::new();
        for (address, _) in answers().filter(|(_, all)| *all || !complete) {
            if !addresses.contains(&address) {
                addresses.push(address);
            }
        }
        (!addresses.is_empty()).then_some((addresses, complete))
    }

    /// This host's own addresses the paste lists (`ip addr`, `hostname -I`, `ifconfig`), with
    /// the range of each as printed.
    pub fn host_addresses(&self) -> impl Iterator<Item = (IpAddr, TextRange)> + '_ {
        self.facts.iter().filter_map(|f| match f {
            ProbeFact::HostAddress { address, range, .. } => Some((*address, *range)),
            _ => None,
        })
    }

    /// Does the paste list this host's addresses of `ip`'s family, so that an address of
    /// that family it does not show is not this host's? A listing counts for a family when it
    /// shows an address of it: `ip -4 addr` says nothing about IPv6. net-tools' `ifconfig`
    /// shows one IPv4 address per interface (a secondary address without a label is missing:
    /// captured), so it never counts for IPv4. (A listing of one interface, `ip addr show dev
    /// eth0`, is taken as complete too.)
    pub fn lists_host_addresses_for(&self, ip: IpAddr) -> bool {
        let v4 = ip.to_canonical().is_ipv4();
        self.facts.iter().any(|f| match f {
            ProbeFact::HostAddress { address, format, .. } => {
                address.to_canonical().is_ipv4() == v4 && !(v4 && *format == Format::Ifconfig)
            }
            _ => false,
        })
    }

    /// The `nameserver` lines of a pasted resolv.conf, in order, with who wrote the file.
    pub fn nameservers(&self) -> impl Iterator<Item = (IpAddr, Option<ResolvConfWriter>, TextRange)> + '_ {
        self.facts.iter().filter_map(|f| match f {
            ProbeFact::Nameserver { address, writer, range } => Some((*address, *writer, *range)),
            _ => None,
        })
    }

    /// Listeners on a unix socket path (`@name` for abstract ones).
    pub fn listeners_on_path<'a>(&'a self, path: &'a str) -> impl Iterator<Item = &'a Listener> {
        self.listeners.iter().filter(move |l| l.serves_path(path))
    }
}

fn is_ss(f: Format) -> bool {
    matches!(f, Format::SsTcp | Format::SsUnix)
}

fn siblings(a: Format, b: Format) -> bool {
    matches!(
        (a, b),
        (Format::Lsof, Format::LsofUnix)
            | (Format::LsofUnix, Format::Lsof)
            | (Format::SsTcp, Format::SsUnix)
            | (Format::SsUnix, Format::SsTcp)
            | (Format::Netstat, Format::NetstatBsd)
    )
}

/// Parses a listeners paste. Never panics; linear in the input.
pub fn parse(text: &[u8]) -> ListenerReport {
    let mut reader = Reader::new();
    for line in scan::lines(text) {
        reader.line(line);
    }
    reader.finish()
}

/// What the last prompt or header said about the lines that follow.
#[derive(Clone, Debug, Default)]
pub(crate) enum Mode {
    #[default]
    None,
    /// ss inet table; `state`: whether the State column is present.
    SsInet {
        state: bool,
    },
    SsUnix,
    /// `servers_only`: the command (`-l`) or banner (`(only servers)`) says every row listens.
    Netstat {
        servers_only: bool,
    },
    NetstatUnix,
    Sockstat,
    Lsof,
    /// `docker ps` / `docker compose ps`; the columns come from the header when one was seen.
    Docker {
        cols: Option<docker::DockerCols>,
        /// docker-compose v1's centred table (or its command): rows are read by their tokens.
        compose_v1: bool,
    },
    /// A `kubectl get` table; the columns come from its header.
    Kube {
        cols: kube::KubeCols,
    },
    Ls {
        dir: Option<String>,
    },
    Systemctl {
        fact: Option<usize>,
        /// From `systemctl status UNIT`, used when the bullet line was not pasted.
        unit: Option<String>,
    },
    Journal,
    Curl {
        fact: Option<usize>,
        /// From the command's URL or `--unix-socket`.
        target: Option<String>,
    },
    Telnet {
        fact: Option<usize>,
        host: Option<String>,
        port: Option<String>,
    },
    Ufw,
    Iptables,
    /// `iptables -L`: the chain of the last `Chain X (policy Y)` line; `-v` adds columns,
    /// `--line-numbers` a first `num` column.
    IptablesList {
        chain: Option<String>,
        verbose: bool,
        numbered: bool,
    },
    /// `nft list ruleset`: the table and chain being read, the chain's hook, and the brace
    /// depth (0: between tables).
    Nft {
        table: Option<String>,
        chain: Option<String>,
        hook: Option<FirewallHook>,
        depth: u32,
    },
    Getsebool,
    Ps {
        ef: bool,
    },
    /// `getent hosts|ahosts|ahostsv4|ahostsv6 NAME`.
    Getent {
        /// The name asked for.
        name: Option<String>,
        /// `ahosts`: getaddrinfo with every family, one line per socket type.
        ahosts: bool,
        /// `ahostsv4` / `ahostsv6`: one family only.
        one_family: bool,
    },
    /// `ip addr` in any layout; the interface of the last header is `Reader::interface`.
    IpAddr,
    HostnameI,
    /// `ifconfig`; the interface of the last header is `Reader::interface`.
    Ifconfig,
    /// A resolv.conf, and who wrote it (from a comment above its `nameserver` lines).
    ResolvConf {
        writer: Option<ResolvConfWriter>,
    },
    /// A command we know but whose output is not ours to read (e.g. `cat`, `grep`).
    Other,
}

pub(crate) struct Reader {
    pub(crate) report: ListenerReport,
    pub(crate) mode: Mode,
    /// The command of the last prompt line, waiting for its output's first section.
    pending_command: Option<TextRange>,
    current: Option<Section>,
    pub(crate) toks: Vec<(usize, usize)>,
    /// The last command was `lsof -U`.
    pub(crate) lsof_unix_hint: bool,
    /// The interface of the last `ip addr` / `ifconfig` header.
    pub(crate) interface: Option<String>,
    /// An ss row whose `users:((...` a narrow terminal or a chat wrapped onto the next
    /// line: the listener and the process text read so far (bounded, see `tables`).
    pub(crate) ss_wrap: Option<(usize, Vec<u8>)>,
    /// A JSON document (`docker inspect`) being gathered.
    json: Option<inspect::JsonBlock>,
    /// In the output of `docker exec NAME ...`: the container, and where its listeners start.
    exec: Option<(String, usize)>,
}

impl Reader {
    fn new() -> Self {
        Self {
            report: ListenerReport::default(),
            mode: Mode::None,
            pending_command: None,
            current: None,
            toks: Vec::with_capacity(32),
            lsof_unix_hint: false,
            interface: None,
            ss_wrap: None,
            json: None,
            exec: None,
        }
    }

    fn item_count(&self) -> usize {
        let r = &self.report;
        r.listeners.len()
            + r.socket_files.len()
            + r.facts.len()
            + r.kube_services.len()
            + r.kube_endpoints.len()
            + r.kube_pods.len()
    }

    fn line(&mut self, line: Line<'_>) {
        // curl -v marks request lines with `> ` itself.
        let line = if matches!(self.mode, Mode::Curl { .. }) { line } else { scan::unquote(line) };
        if let Some(mut block) = self.json.take() {
            if inspect::json_line(line.bytes) {
                if block.feed(line) {
                    inspect::finish(self, block);
                } else {
                    self.json = Some(block);
                }
                return;
            }
            // A line that cannot be JSON: the document was cut; read what came.
            inspect::finish(self, block);
        }
        let trimmed = line.bytes.trim_ascii();
        if !matches!(self.mode, Mode::Curl { .. }) && inspect::starts_json(trimmed) {
            self.ss_wrap = None;
            let mut block = inspect::JsonBlock::default();
            if block.feed(line) {
                inspect::finish(self, block);
            } else {
                self.json = Some(block);
            }
            return;
        }
        // Blank lines, and the fences of a markdown code block the paste was copied from.
        if trimmed.is_empty() || trimmed.starts_with(b"```") || trimmed.starts_with(b"~~~") {
            return;
        }
        if let Some(cmd) = scan::command_line(line) {
            self.ss_wrap = None;
            self.close_section();
            self.end_exec();
            let cmd = match exec::exec_target(cmd) {
                Some((name, inner)) => {
                    self.exec = Some((name, self.report.listeners.len()));
                    inner
                }
                None => cmd,
            };
            self.lsof_unix_hint = cmd.program == b"lsof" && scan::has_short_flag(cmd.args, b'U');
            self.mode = tables::mode_for_command(cmd);
            self.mode_for_probe_command(cmd);
            if let Some(m) = addresses::mode_for_command(cmd).or_else(|| kube::mode_for_command(cmd)) {
                self.mode = m;
            }
            self.pending_command = Some(cmd.range);
            self.report.commands.push(line.range());
            return;
        }
        let before = self.item_count();
        match self.read_line(line) {
            Some(format) => {
                let produced = self.item_count() - before;
                self.note(format, line.range(), produced);
            }
            None => {
                self.ss_wrap = None;
                self.close_section();
                self.report.unrecognized.push(line.range());
            }
        }
    }

    /// Tries the current mode's reader first (it knows the columns), then every reader
    /// whose rows describe themselves.
    fn read_line(&mut self, line: Line<'_>) -> Option<Format> {
        if let Some(f) = tables::header(self, line) {
            // A header after rows starts the next table, even of the same tool.
            if self.current.as_ref().is_some_and(|s| s.rows > 0) {
                self.close_section();
            }
            return Some(f);
        }
        if let Some(f) = self.read_in_mode(line) {
            return Some(f);
        }
        tables::row_any(self, line)
            .or_else(|| windows::line(self, line))
            .or_else(|| probes::line_any(self, line))
            .or_else(|| addresses::line_any(self, line))
    }

    fn read_in_mode(&mut self, line: Line<'_>) -> Option<Format> {
        match self.mode {
            Mode::None | Mode::Other => None,
            Mode::SsInet { .. }
            | Mode::SsUnix
            | Mode::Netstat { .. }
            | Mode::NetstatUnix
            | Mode::Sockstat
            | Mode::Lsof
            | Mode::Docker { .. }
            | Mode::Ls { .. } => tables::row_in_mode(self, line),
            Mode::Kube { .. } => kube::row(self, line),
            Mode::IpAddr | Mode::HostnameI | Mode::Ifconfig | Mode::ResolvConf { .. } => {
                addresses::line_in_mode(self, line)
            }
            _ => probes::line_in_mode(self, line),
        }
    }

    fn mode_for_probe_command(&mut self, cmd: scan::Command) {
        if let Some(m) = probes::mode_for_command(cmd) {
            self.mode = m;
        }
    }

    /// Adds a recognised line to the running section, starting a new one when the format changes.
    fn note(&mut self, format: Format, range: TextRange, produced: usize) {
        match &mut self.current {
            // A header read before its rows said which of two sibling tables it was:
            // `COMMAND PID ...` is shared by `lsof -i` and `lsof -U`, ss prints one header for both.
            Some(s) if s.rows == 0 && s.format != format && siblings(s.format, format) => {
                s.format = format;
                s.range = s.range.cover(range);
                s.rows += produced;
            }
            // `ss -tlnpx` prints tcp and u_str rows in one table (with a Netid column).
            Some(s) if s.format == format || (is_ss(s.format) && is_ss(format)) => {
                s.range = s.range.cover(range);
                s.rows += produced;
            }
            _ => {
                self.close_section();
                self.current =
                    Some(Section { format, range, rows: produced, command: self.pending_command.take() });
            }
        }
    }

    /// Runs a row reader on `line`'s whitespace-separated tokens (the reader's own buffer,
    /// reused from row to row).
    pub(crate) fn with_tokens(
        &mut self,
        line: Line<'_>,
        read: impl FnOnce(&mut Self, Line<'_>, &[(usize, usize)]) -> Option<Format>,
    ) -> Option<Format> {
        let mut toks = std::mem::take(&mut self.toks);
        scan::tokens(line.bytes, &mut toks);
        let out = read(self, line, &toks);
        self.toks = toks;
        out
    }

    /// The format of the section being read, if any.
    pub(crate) fn current_format(&self) -> Option<Format> {
        self.current.as_ref().map(|s| s.format)
    }

    /// The listeners of an `exec` command's output are the container's: move them apart.
    fn end_exec(&mut self) {
        if let Some((container, from)) = self.exec.take() {
            let moved: Vec<Listener> =
                self.report.listeners.drain(from.min(self.report.listeners.len())..).collect();
            self.report.in_containers.extend(
                moved
                    .into_iter()
                    .map(|listener| ContainerListener { container: container.clone(), listener }),
            );
        }
    }

    fn close_section(&mut self) {
        if let Some(s) = self.current.take() {
            self.report.sections.push(s);
        }
    }

    fn finish(mut self) -> ListenerReport {
        if let Some(block) = self.json.take() {
            inspect::finish(&mut self, block);
        }
        self.close_section();
        self.end_exec();
        self.report
    }
}
