//! What the probe outputs pasted beside the listener table say, as typed answers for the
//! rules: services that are down (with the journal lines systemctl printed), SELinux's word
//! on a connection, whether a firewall was listed at all, direct connections tried. Rules ask
//! these instead of matching the report's `ProbeFact`s themselves.

use super::{Facts, literal_ips, split_host_port};
use crate::input::TextRange;
use crate::listeners::ProbeFact;
use std::net::IpAddr;

/// A service `systemctl status` shows failed, inactive or still starting (nginx's own aside).
pub struct ServiceDown<'a> {
    pub unit: &'a str,
    pub active: &'a str,
    pub exit_reason: Option<&'a str>,
    pub range: TextRange,
    /// The messages of its journal lines in the paste (its main PID's, or its unit's), in order.
    pub journal: Vec<TextRange>,
}

/// What SELinux evidence in the paste says about nginx connecting to a network port.
pub enum SelinuxSays {
    /// `getsebool httpd_can_network_connect` is off.
    NetworkConnectOff { range: TextRange },
    /// An AVC denial of `name_connect`, to this port when it names one.
    Denied { port: Option<u16>, range: TextRange },
}

/// A `curl`/`telnet` connection made from the pasted host.
pub struct DirectProbe<'a> {
    pub target: &'a str,
    pub connected: bool,
    pub errno_text: Option<&'a str>,
    pub range: TextRange,
}

impl<'a> Facts<'a> {
    fn probe_facts(&self) -> impl Iterator<Item = &'a ProbeFact> + 'a {
        self.listeners.map(|r| r.facts.as_slice()).unwrap_or_default().iter()
    }

    /// Services the paste shows down, in paste order.
    pub fn services_down(&self) -> Vec<ServiceDown<'a>> {
        let mut out = Vec::new();
        for fact in self.probe_facts() {
            let ProbeFact::ServiceStatus { unit, active, exit_reason, range, main_pid, .. } = fact else {
                continue;
            };
            if unit.starts_with("nginx") || !matches!(active.as_str(), "failed" | "inactive" | "activating") {
                continue;
            }
            let base = unit.trim_end_matches(".service");
            let journal = self
                .probe_facts()
                .filter_map(|f| match f {
                    ProbeFact::JournalLine { unit: u, pid, message_range, .. }
                        if (main_pid.is_some() && *pid == *main_pid)
                            || u.as_deref().is_some_and(|u| u.trim_end_matches(".service") == base) =>
                    {
                        Some(*message_range)
                    }
                    _ => None,
                })
                .collect();
            out.push(ServiceDown {
                unit,
                active,
                exit_reason: exit_reason.as_deref(),
                range: *range,
                journal,
            });
        }
        out
    }

    /// SELinux evidence against nginx connecting to `port` (any port when `None`).
    pub fn selinux_says(&self, port: Option<u16>) -> Vec<SelinuxSays> {
        self.probe_facts()
            .filter_map(|f| match f {
                ProbeFact::SelinuxBoolean { name, on: false, range }
                    if name == "httpd_can_network_connect" =>
                {
                    Some(SelinuxSays::NetworkConnectOff { range: *range })
                }
                ProbeFact::AvcDenial { permission, target_port, range, .. }
                    if permission == "name_connect" && (port.is_none() || *target_port == port) =>
                {
                    Some(SelinuxSays::Denied { port: *target_port, range: *range })
                }
                _ => None,
            })
            .collect()
    }

    /// The AVC denial of a unix socket at `path` (or a path it ends with), if the paste has one.
    pub fn selinux_denied_socket(&self, path: &str) -> Option<TextRange> {
        self.probe_facts().find_map(|f| match f {
            ProbeFact::AvcDenial { path: Some(p), range, .. } if p == path || path.ends_with(p.as_str()) => {
                Some(*range)
            }
            _ => None,
        })
    }

    /// Was `getsebool` pasted (whatever it says)?
    pub fn selinux_booleans_listed(&self) -> bool {
        self.probe_facts().any(|f| matches!(f, ProbeFact::SelinuxBoolean { .. }))
    }

    /// Were firewall rules pasted (`with_status`: or at least a firewall's status line)?
    pub fn firewall_listed(&self, with_status: bool) -> bool {
        self.probe_facts().any(|f| match f {
            ProbeFact::FirewallRule { .. } => true,
            ProbeFact::FirewallStatus { .. } => with_status,
            _ => false,
        })
    }

    /// `curl`/`telnet` probes of `host:port` in the listeners paste (`host` with or without brackets).
    pub fn direct_probes(&self, host: &str, port: u16) -> Vec<DirectProbe<'a>> {
        let want = literal_ips(host);
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        self.probe_facts()
            .filter_map(|f| {
                let ProbeFact::DirectProbe { target, connected, errno_text, range, .. } = f else {
                    return None;
                };
                let (h, p) = split_host_port(target);
                if p.is_some_and(|p| p != port) {
                    return None;
                }
                let same = match h.parse::<IpAddr>() {
                    Ok(ip) => want.iter().any(|w| w.to_canonical() == ip.to_canonical()),
                    Err(_) => h.eq_ignore_ascii_case(bare),
                };
                same.then_some(DirectProbe {
                    target,
                    connected: *connected,
                    errno_text: errno_text.as_deref(),
                    range: *range,
                })
            })
            .collect()
    }
}
