//! The `resolver` a fix should add (BG208, BG209): chosen from the evidence, never a
//! guess presented as fact. A `resolver` already in effect; else the pasted resolv.conf's
//! nameservers; else Docker's embedded DNS when Docker shows in the inputs; else a marked
//! placeholder the user must fill in (the fix is then display-only).

use std::net::IpAddr;

use crate::finding::{Applicability, Command, PLACEHOLDER_DNS_SERVER};
use crate::input::{InputKind, TextRange};

use super::facts::{DockerSign, Facts, looks_like_container};

/// The `resolver` the fix uses, and the evidence for it.
pub(crate) struct ResolverChoice {
    /// The directive to add before the target; `None` when a `resolver` applies already.
    pub line: Option<String>,
    pub applicability: Applicability,
    /// The DNS server also answers names from /etc/hosts (systemd-resolved's stub).
    pub answers_hosts_file: bool,
    pub notes: Vec<String>,
    pub labels: Vec<(InputKind, TextRange, String)>,
    /// How to find the address, when the fix could not fill it in.
    pub find: Option<Command>,
}

impl ResolverChoice {
    /// Nothing says which DNS server nginx's host uses: a placeholder the user must fill in.
    pub fn unknown() -> Self {
        ResolverChoice {
            line: Some(format!(
                "resolver {PLACEHOLDER_DNS_SERVER} valid=10s;  # placeholder: the DNS server nginx's host uses"
            )),
            applicability: Applicability::DisplayOnly,
            answers_hosts_file: false,
            notes: vec![format!(
                "Nothing pasted says which DNS server nginx's host uses, so the fix has a placeholder: replace \
                 {PLACEHOLDER_DNS_SERVER} with the `nameserver` of /etc/resolv.conf where nginx runs (nginx -t refuses \
                 the placeholder: host not found in resolver). Paste that file with the listeners and the fix \
                 names it."
            )],
            labels: Vec::new(),
            find: Some(Command::new(
                format!(
                    "the DNS server to write in place of {PLACEHOLDER_DNS_SERVER} (in a Docker container on a \
                         user-defined network: 127.0.0.11)"
                ),
                "grep ^nameserver /etc/resolv.conf",
            )),
        }
    }
}

/// `10.0.0.2`, `[fd00::53]`: how `resolver` wants an address.
fn resolver_address(ip: IpAddr) -> String {
    if ip.is_ipv6() { format!("[{ip}]") } else { ip.to_string() }
}

/// The DNS server for the fix, from the evidence: a `resolver` already in effect for the
/// target; the pasted resolv.conf; Docker seen in the inputs (its embedded DNS); else a
/// placeholder.
pub(crate) fn choose_resolver(
    facts: &Facts<'_>,
    target: &badgateway_config::Target,
    old: Option<IpAddr>,
) -> ResolverChoice {
    let docker_dns = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 11));
    let stub = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 53));
    if let Some(r) = facts.resolver_for(target) {
        return ResolverChoice {
            line: None,
            applicability: Applicability::Unsafe,
            answers_hosts_file: r.addresses.iter().any(|a| a.trim_end_matches(":53") == "127.0.0.53"),
            notes: Vec::new(),
            labels: vec![(
                InputKind::Config,
                r.range,
                "this resolver applies here: with a variable, nginx asks it at request time".to_string(),
            )],
            find: None,
        };
    }
    // resolv.conf: the servers nginx's host asks. A link-local server needs a zone nginx cannot take.
    let servers: Vec<_> = facts
        .listeners
        .map(|l| l.nameservers().collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter(|(ip, ..)| !matches!(ip, IpAddr::V6(v6) if v6.segments()[0] & 0xffc0 == 0xfe80))
        .collect();
    if !servers.is_empty() {
        let addresses: Vec<String> = servers.iter().map(|(ip, ..)| resolver_address(*ip)).collect();
        let mut notes = Vec::new();
        let docker = servers
            .iter()
            .any(|(ip, w, _)| *w == Some(crate::listeners::ResolvConfWriter::Docker) || *ip == docker_dns);
        let resolved = servers
            .iter()
            .any(|(ip, w, _)| *w == Some(crate::listeners::ResolvConfWriter::SystemdResolved) || *ip == stub);
        if docker {
            notes.push(
                "This resolv.conf comes from a Docker container: its nameserver is Docker's embedded DNS, which \
                 knows the other containers' names on the same user-defined network. It works for nginx in that \
                 container, not on the host."
                    .to_string(),
            );
        }
        if resolved {
            notes.push(
                "127.0.0.53 is systemd-resolved's local stub: nginx on this host can use it (it also answers from \
                 /etc/hosts, and forwards the rest to the servers `resolvectl status` shows); a container cannot \
                 reach it."
                    .to_string(),
            );
        }
        if servers.len() > 1 {
            notes.push(
                "nginx asks these servers in turn (round-robin), not the next one only when one fails as the C \
                 library does: keep only servers that all know the name."
                    .to_string(),
            );
        }
        return ResolverChoice {
            line: Some(format!("resolver {} valid=10s;", addresses.join(" "))),
            applicability: Applicability::Unsafe,
            answers_hosts_file: resolved,
            notes,
            labels: servers
                .iter()
                .map(|(_, _, range)| {
                    (InputKind::Listeners, *range, "the DNS server nginx's host uses".to_string())
                })
                .collect(),
            find: None,
        };
    }
    let signs = facts.docker_signs();
    let container_address = old.filter(|ip| looks_like_container(*ip));
    if !signs.is_empty() || container_address.is_some() {
        let mut labels = Vec::new();
        let why = match signs.first() {
            Some(DockerSign::DockerPs(range)) => {
                labels.push((InputKind::Listeners, *range, "docker runs on this host".to_string()));
                "`docker ps` is in the paste".to_string()
            }
            Some(DockerSign::DockerProxy(range)) => {
                labels.push((
                    InputKind::Listeners,
                    *range,
                    "docker-proxy publishes a container's port".to_string(),
                ));
                "docker-proxy listens on this host".to_string()
            }
            Some(DockerSign::ComposeLog) => "the log comes from `docker compose logs`".to_string(),
            Some(DockerSign::ContainerTag) => "the log lines are tagged with a container ID".to_string(),
            None => format!(
                "the old address {} is in 172.16.0.0/12, where Docker puts its networks",
                container_address.map(|ip| ip.to_string()).unwrap_or_default()
            ),
        };
        return ResolverChoice {
            line: Some("resolver 127.0.0.11 valid=10s;".to_string()),
            applicability: Applicability::Unsafe,
            answers_hosts_file: false,
            notes: vec![format!(
                "127.0.0.11 is Docker's embedded DNS, chosen because {why}. It answers only inside a container on a \
                 user-defined network (docker compose's default network is one) and knows the other containers' \
                 names: right when nginx runs in such a container. If nginx runs on the host, the host's DNS does \
                 not know container names: publish the backend's port and proxy to 127.0.0.1 instead. `cat \
                 /etc/resolv.conf` where nginx runs shows the server to use."
            )],
            labels,
            find: Some(Command::new(
                "check the DNS server where nginx runs (in its container: docker exec NGINX_CONTAINER cat /etc/resolv.conf)",
                "grep ^nameserver /etc/resolv.conf",
            )),
        };
    }
    ResolverChoice::unknown()
}
