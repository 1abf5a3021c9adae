//! Which tool printed a section of the listeners paste, and how its items are named.

use serde::Serialize;

/// Which tool's output a section of the paste was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Format {
    SsTcp,
    SsUnix,
    Netstat,
    /// macOS/FreeBSD `netstat -an` (`tcp4`, `tcp46`, port after a dot: `127.0.0.1.8000`)
    NetstatBsd,
    NetstatUnix,
    /// Windows `netstat -ano` / `-an` / `-anb` (`TCP 0.0.0.0:80 0.0.0.0:0 LISTENING 4312`)
    NetstatWindows,
    /// FreeBSD `sockstat -4l` / `-l`
    Sockstat,
    Lsof,
    LsofUnix,
    DockerPs,
    /// `docker inspect` (a JSON array of containers)
    DockerInspect,
    /// `kubectl get svc`
    KubeServices,
    /// `kubectl get pods`
    KubePods,
    /// `kubectl get endpoints`
    KubeEndpoints,
    /// `kubectl get endpointslices`
    KubeEndpointSlices,
    /// Another `kubectl get` table (`get all`'s deployments): read, not used.
    Kubectl,
    LsSockets,
    SystemctlStatus,
    Journalctl,
    Curl,
    Telnet,
    Netcat,
    Ufw,
    Iptables,
    /// `iptables -L -n [-v]`
    IptablesList,
    Nft,
    Getsebool,
    /// `getenforce`, `sestatus`
    SelinuxStatus,
    /// `semanage port -l`
    SemanagePort,
    AvcDenial,
    Ps,
    /// `getent ahosts NAME` / `getent hosts NAME`
    Getent,
    /// `ip addr`, `ip -br addr`, `ip -o addr` (also `-4`/`-6`)
    IpAddr,
    /// `hostname -I`
    HostnameI,
    Ifconfig,
    /// `cat /etc/resolv.conf`, or its `nameserver` lines alone
    ResolvConf,
}

impl Format {
    /// Short name of the command as people type it, for "read as: ss -tlnp, 7 listeners".
    pub fn label(&self) -> &'static str {
        match self {
            Format::SsTcp => "ss -tlnp",
            Format::SsUnix => "ss -xlp",
            Format::Netstat => "netstat -tlnp",
            Format::NetstatBsd => "netstat -an (macOS/BSD)",
            Format::Sockstat => "sockstat -l",
            Format::NetstatUnix => "netstat -xlp",
            Format::NetstatWindows => "netstat -ano (Windows)",
            Format::Lsof => "lsof -iTCP -sTCP:LISTEN",
            Format::LsofUnix => "lsof -U",
            Format::DockerPs => "docker ps",
            Format::DockerInspect => "docker inspect",
            Format::KubeServices => "kubectl get svc",
            Format::KubePods => "kubectl get pods",
            Format::KubeEndpoints => "kubectl get endpoints",
            Format::KubeEndpointSlices => "kubectl get endpointslices",
            Format::Kubectl => "kubectl get",
            Format::LsSockets => "ls -l",
            Format::SystemctlStatus => "systemctl status",
            Format::Journalctl => "journalctl",
            Format::Curl => "curl",
            Format::Telnet => "telnet",
            Format::Netcat => "nc -zv",
            Format::Ufw => "ufw status",
            Format::Iptables => "iptables -S",
            Format::IptablesList => "iptables -L",
            Format::Nft => "nft list ruleset",
            Format::Getsebool => "getsebool",
            Format::SelinuxStatus => "getenforce",
            Format::SemanagePort => "semanage port -l",
            Format::AvcDenial => "SELinux AVC",
            Format::Ps => "ps",
            Format::Getent => "getent",
            Format::IpAddr => "ip addr",
            Format::HostnameI => "hostname -I",
            Format::Ifconfig => "ifconfig",
            Format::ResolvConf => "resolv.conf",
        }
    }
}

impl Format {
    /// What one row of this format becomes, for "ss -tlnp: 7 listeners" (singular).
    pub fn item_noun(&self) -> &'static str {
        match self {
            Format::SsTcp
            | Format::SsUnix
            | Format::Netstat
            | Format::NetstatBsd
            | Format::NetstatWindows
            | Format::Sockstat
            | Format::NetstatUnix
            | Format::Lsof
            | Format::LsofUnix
            | Format::DockerPs => "listener",
            Format::DockerInspect => "container",
            Format::KubeServices => "service",
            Format::KubePods => "pod",
            Format::KubeEndpoints => "endpoints list",
            Format::KubeEndpointSlices => "endpoint slice",
            Format::Kubectl => "row",
            Format::LsSockets => "file",
            Format::SystemctlStatus => "service fact",
            Format::Journalctl => "journal line",
            Format::Curl | Format::Telnet | Format::Netcat => "probe",
            Format::Ufw | Format::Iptables | Format::IptablesList | Format::Nft => "firewall rule",
            Format::Getsebool => "boolean",
            Format::SelinuxStatus => "SELinux mode",
            Format::SemanagePort => "port type",
            Format::AvcDenial => "denial",
            Format::Ps => "process",
            Format::Getent | Format::IpAddr | Format::HostnameI | Format::Ifconfig => "address",
            Format::ResolvConf => "nameserver",
        }
    }
}
