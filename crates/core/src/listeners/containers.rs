//! What a listeners paste says about containers and Kubernetes objects: the types a rule
//! reads (`docker ps`, `docker compose ps`, `docker inspect`, `kubectl get svc|pods|endpoints|
//! endpointslices`). The readers are in `docker`, `inspect` and `kube`.

use std::net::IpAddr;

use serde::Serialize;

use super::{Bind, Format, TextRange};

/// A container's state, as Docker names it (`State.Status` in `docker inspect`, the first
/// word of `docker ps`'s STATUS, compose v1's State column).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    /// Between two runs of a restart policy: the process keeps exiting.
    Restarting,
    Exited,
    Removing,
    Dead,
}

impl ContainerState {
    /// Is a process running in the container now (a restarting one is not)?
    pub fn is_running(self) -> bool {
        matches!(self, ContainerState::Running | ContainerState::Paused)
    }
}

/// A container port with its protocol: `8000/tcp`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ContainerPort {
    pub port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub proto: String,
}

/// A container port published on the host (`0.0.0.0:8080->80/tcp`, `HostPort` in inspect).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PublishedPort {
    /// The host address docker-proxy binds (`0.0.0.0`, `[::]`, `127.0.0.1`; `Any` when the
    /// tool printed none).
    pub host: Bind,
    pub host_port: u16,
    pub container_port: u16,
    pub proto: String,
    /// The entry as printed.
    pub range: TextRange,
}

/// The container's endpoint on one Docker network (`NetworkSettings.Networks.<name>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerNetwork {
    /// `bridge`, `shop_default`, `host`, ...
    pub name: String,
    /// `None`: not connected now (a stopped container keeps its networks with an empty address).
    pub ip: Option<IpAddr>,
    pub ipv6: Option<IpAddr>,
    pub gateway: Option<IpAddr>,
    /// The names Docker's DNS answers with this address on this network (compose adds the
    /// service name).
    pub aliases: Vec<String>,
}

/// A container as `docker ps`, `docker compose ps` or `docker inspect` showed it. A field the
/// tool did not print is `None` or empty, never guessed (a compose service is not derived
/// from a container name).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Container {
    /// Without inspect's leading `/`.
    pub name: String,
    /// As printed: 12 hex digits in `docker ps`, 64 in inspect.
    pub id: Option<String>,
    pub image: Option<String>,
    /// The compose service: compose v2's SERVICE column, or the `com.docker.compose.service`
    /// label in inspect.
    pub service: Option<String>,
    /// The `com.docker.compose.project` label.
    pub project: Option<String>,
    pub state: Option<ContainerState>,
    /// The last exit code when the tool shows it (`Exited (3)`, `Exit 3`, `State.ExitCode`).
    pub exit_code: Option<i32>,
    /// `healthy`, `unhealthy` or `starting` (`(health: starting)` in docker ps).
    pub health: Option<String>,
    /// The status text as printed (`Exited (3) 5 seconds ago`, `Up 2 hours (healthy)`).
    pub status: Option<String>,
    /// `HostConfig.NetworkMode`: `default`, `bridge`, `host`, `none`, a network's name, or
    /// `container:ID` (inspect only).
    pub network_mode: Option<String>,
    /// The networks and addresses (inspect only).
    pub networks: Vec<ContainerNetwork>,
    /// Ports published on the host.
    pub published: Vec<PublishedPort>,
    /// Ports the container exposes that are not published on the host: reachable on the
    /// container's own address from its networks, not on the host's.
    pub exposed: Vec<ContainerPort>,
    pub format: Format,
    /// The row, or the object in the inspect array.
    pub range: TextRange,
}

impl Container {
    /// Running now, when the tool said (`docker ps` rows without `-a` are all up or restarting).
    pub fn is_running(&self) -> Option<bool> {
        self.state.map(ContainerState::is_running)
    }

    /// Is this the container Docker's DNS or a compose file would call `name` (its name, its
    /// compose service, or an alias on one of its networks)?
    pub fn answers_to(&self, name: &str) -> bool {
        let name = name.trim_start_matches('/');
        self.name == name
            || self.service.as_deref() == Some(name)
            || self.networks.iter().any(|n| n.aliases.iter().any(|a| a == name))
    }

    /// Does the container have `ip` on one of its networks?
    pub fn has_address(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.networks.iter().any(|n| n.ip == Some(ip) || n.ipv6 == Some(ip))
    }

    /// The host port `container_port` is published on, if any.
    pub fn published_port(&self, container_port: u16) -> Option<&PublishedPort> {
        self.published.iter().find(|p| p.container_port == container_port)
    }

    /// `container_port` is exposed but not published on the host.
    pub fn exposes_unpublished(&self, container_port: u16) -> bool {
        self.exposed.iter().any(|p| p.port == container_port) && self.published_port(container_port).is_none()
    }

    /// `--network host`: the container's ports are the host's own sockets.
    pub fn uses_host_network(&self) -> bool {
        self.network_mode.as_deref() == Some("host")
    }
}

/// One port of a Service: `80/TCP`, `443:31443/TCP` (a NodePort).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ServicePort {
    pub port: u16,
    pub node_port: Option<u16>,
    /// `TCP`, `UDP`, `SCTP` as printed.
    pub proto: String,
}

/// A row of `kubectl get svc` (any version, `-o wide`, `-A`, `get all`'s `service/NAME`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KubeService {
    pub namespace: Option<String>,
    pub name: String,
    /// `ClusterIP`, `NodePort`, `LoadBalancer`, `ExternalName` (no TYPE column before kubectl 1.9).
    pub service_type: Option<String>,
    /// `None` for a headless service (`None`) or an ExternalName (`<none>`).
    pub cluster_ip: Option<IpAddr>,
    /// CLUSTER-IP is `None`: DNS answers with the pods' own addresses.
    pub headless: bool,
    /// EXTERNAL-IP entries (addresses, or an ExternalName's host name); empty for `<none>`.
    pub external: Vec<String>,
    /// EXTERNAL-IP is `<pending>`: the load balancer was never provisioned.
    pub external_pending: bool,
    pub ports: Vec<ServicePort>,
    /// `-o wide`'s SELECTOR (`app=web`), `None` when not shown or `<none>`.
    pub selector: Option<String>,
    pub range: TextRange,
}

/// `kubectl get endpoints` (v1 Endpoints) or `kubectl get endpointslices`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointsKind {
    Endpoints,
    EndpointSlice,
}

/// An address in an endpoints list: `10.1.2.3:8080` (Endpoints) or `10.1.2.3` (a slice,
/// whose ports are a column of their own).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct EndpointAddress {
    pub ip: IpAddr,
    pub port: Option<u16>,
}

/// A row of `kubectl get endpoints` or `kubectl get endpointslices`. Endpoints list only
/// ready pods: an empty list (`<none>`, `<unset>`) means no pod behind the service is ready
/// (or its selector matches none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KubeEndpoints {
    pub kind: EndpointsKind,
    pub namespace: Option<String>,
    /// The service's name for Endpoints; the slice's own name (`web-x7k2p`) for a slice.
    pub name: String,
    /// A slice's ADDRESSTYPE: `IPv4`, `IPv6`, `FQDN`.
    pub address_type: Option<String>,
    /// The addresses shown (kubectl shows at most three).
    pub addresses: Vec<EndpointAddress>,
    /// `+ N more...`: addresses kubectl did not show.
    pub more: u32,
    /// A slice's PORTS column (`*` or a port name reads as none).
    pub ports: Vec<u16>,
    pub range: TextRange,
}

impl KubeEndpoints {
    /// No ready address at all.
    pub fn is_empty(&self) -> bool {
        self.addresses.is_empty() && self.more == 0
    }

    /// Do these endpoints belong to service `service`? Endpoints carry the service's name; a
    /// slice is named `SERVICE-` plus five generated characters (its label, which says it
    /// for certain, is not in the table).
    pub fn belongs_to(&self, service: &str) -> bool {
        match self.kind {
            EndpointsKind::Endpoints => self.name == service,
            // The API server's own slice is `kubernetes`, without a suffix.
            EndpointsKind::EndpointSlice if self.name == service => true,
            EndpointsKind::EndpointSlice => {
                self.name.strip_prefix(service).and_then(|r| r.strip_prefix('-')).is_some_and(|r| {
                    r.len() == 5 && r.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
            }
        }
    }
}

/// A row of `kubectl get pods` (`-o wide` adds IP and NODE).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KubePod {
    pub namespace: Option<String>,
    pub name: String,
    /// READY `1/2`: (ready containers, containers).
    pub ready: Option<(u32, u32)>,
    /// STATUS as printed: `Running`, `CrashLoopBackOff`, `Pending`, `Error`, `OOMKilled`, ...
    pub status: String,
    pub restarts: Option<u32>,
    /// `-o wide`'s IP; `None` when not shown or `<none>` (not scheduled or not started).
    pub ip: Option<IpAddr>,
    pub node: Option<String>,
    pub range: TextRange,
}

impl KubePod {
    /// Every container ready (READY `n/n`, n > 0): the pod is in its service's endpoints.
    pub fn is_ready(&self) -> Option<bool> {
        self.ready.map(|(r, n)| n > 0 && r == n)
    }
}
