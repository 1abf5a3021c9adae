//! Which firewall rules of the listeners paste stop nginx's connections to a TCP address,
//! and what nginx then logs. Each chain is read in order: an earlier ACCEPT that surely
//! matches lets the connection through. Measured on iptables 1.8.9 (nf_tables) and nft
//! 1.0.6 in private network namespaces (the lab's `firewall-*` and `nft-*` scenarios).

use std::net::IpAddr;

use crate::input::TextRange;
use crate::listeners::{FirewallAction, FirewallHook, FirewallTool, ListenerReport, ProbeFact, RuleMatch};

/// What a blocked `connect()` looks like to nginx.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A REJECT answers at once and `connect()` fails with this errno: 111 for a TCP reset
    /// or port-unreachable (the default), 113 for host/admin-prohibited and
    /// host-unreachable, 101 for net-unreachable/net-prohibited. Clients get 502.
    Rejected(u16),
    /// A DROP (ufw's DENY) never answers: nginx's `proxy_connect_timeout` runs out (504),
    /// or the kernel gives up first (`connect() failed (110)`, 502).
    Dropped,
}

/// A rule of the paste that stops the connection.
pub struct Blocker<'a> {
    pub tool: FirewallTool,
    pub chain: Option<&'a str>,
    /// nft's `family name` of the table (`inet filter`).
    pub table: Option<&'a str>,
    pub outcome: Outcome,
    /// Nothing about the rule is in doubt: no condition this reader cannot check, no
    /// interface or chain the connection might not pass.
    pub sure: bool,
    pub range: TextRange,
}

/// The connection nginx makes: to `ips` (empty when the name is not resolved) on `port`.
struct Conn<'x> {
    ips: &'x [IpAddr],
    port: u16,
    /// Every address is loopback: the connection never leaves nginx's host and passes its
    /// output and input chains, both on `lo`.
    local: bool,
    /// Every address is IPv6: a REJECT answers with ICMPv6, whose codes map to other errnos.
    ipv6: bool,
}

/// The rules that stop a TCP connection from nginx's host to `ips`:`port`, in paste order.
/// Loopback connections are judged by the rules of nginx's host (the paste's); for another
/// host the rules may be of either end, so only what surely cannot apply is left out: a rule
/// bound to `lo`, another destination, another port or protocol, an ACCEPT before it.
/// ufw's rules never apply to loopback: its `before` chains accept `lo` first. Traffic to
/// the host's own addresses, any of them, goes through `lo` (`own`: the caller knows the
/// addresses are this host's, from its listener table, `listen`s or `ip addr`). Rules with
/// neither a port nor a destination (`-A INPUT -j DROP` at a chain's end) are left to the
/// chain policies: they stop everything, not this backend.
pub fn blockers<'a>(report: &'a ListenerReport, ips: &[IpAddr], port: u16, own: bool) -> Vec<Blocker<'a>> {
    let ufw_inactive = report
        .facts
        .iter()
        .any(|f| matches!(f, ProbeFact::FirewallStatus { tool: FirewallTool::Ufw, active: false, .. }));
    let local = own || (!ips.is_empty() && ips.iter().all(|ip| ip.to_canonical().is_loopback()));
    let ipv6 = !ips.is_empty() && ips.iter().all(|ip| ip.to_canonical().is_ipv6());
    let conn = Conn { ips, port, local, ipv6 };
    let mut out = Vec::new();
    // (table, chain) pairs where an ACCEPT that surely matches has been read: it decides
    // before any later rule of that chain. One pass keeps this linear in the paste.
    let mut passed: Vec<(Option<&str>, &str)> = Vec::new();
    for fact in &report.facts {
        let ProbeFact::FirewallRule {
            tool,
            action,
            matches: RuleMatch { chain, table, reject_with, destination, .. },
            port: p,
            range,
            ..
        } = fact
        else {
            continue;
        };
        let key = chain.as_deref().map(|c| (table.as_deref(), c));
        if matches!(action, FirewallAction::Allow | FirewallAction::Limit) {
            if let Some(key) = key
                && !passed.contains(&key)
                && applies(fact, &conn) == Some(true)
            {
                passed.push(key);
            }
            continue;
        }
        if !action.blocks() || (*tool == FirewallTool::Ufw && ufw_inactive) {
            continue;
        }
        if p.is_none() && destination.is_none() {
            continue;
        }
        if key.is_some_and(|k| passed.contains(&k)) {
            continue;
        }
        let Some(sure) = applies(fact, &conn) else { continue };
        let outcome = match action {
            FirewallAction::Reject => Outcome::Rejected(reject_errno(reject_with.as_deref(), conn.ipv6)),
            _ => Outcome::Dropped,
        };
        out.push(Blocker {
            tool: *tool,
            chain: chain.as_deref(),
            table: table.as_deref(),
            outcome,
            sure,
            range: *range,
        });
    }
    out
}

/// Does the rule (not a policy) match the connection? `Some(true)`: surely;
/// `Some(false)`: it may; `None`: it cannot.
fn applies(fact: &ProbeFact, conn: &Conn<'_>) -> Option<bool> {
    let ProbeFact::FirewallRule {
        tool,
        port,
        port_last,
        matches:
            RuleMatch { proto, source, destination, hook, interface, out_interface, other_matches, table, .. },
        is_policy: false,
        ..
    } = fact
    else {
        return None;
    };
    // nft's `ip` tables see IPv4 only, `ip6` tables IPv6 only (`inet`: both).
    let v4 = |ip: &IpAddr| ip.to_canonical().is_ipv4();
    match table.as_deref().and_then(|t| t.split(' ').next()) {
        Some("ip") if !conn.ips.is_empty() && !conn.ips.iter().any(v4) => return None,
        Some("ip6") if !conn.ips.is_empty() && conn.ips.iter().all(v4) => return None,
        _ => {}
    }
    if !proto.as_deref().is_none_or(|p| matches!(p, "tcp" | "6" | "all" | "0" | "th")) {
        return None;
    }
    if let Some(first) = port
        && !(*first..=port_last.unwrap_or(*first)).contains(&conn.port)
    {
        return None;
    }
    if *tool == FirewallTool::Ufw && conn.local {
        return None;
    }
    let mut sure = !other_matches;
    for name in [interface, out_interface].into_iter().flatten() {
        let lo = name == "lo" || name == "lo+";
        match (conn.local, lo) {
            (true, false) | (false, true) => return None,
            // Which interface leads to another host is not in the paste.
            (false, false) => sure = false,
            (true, true) => {}
        }
    }
    match (conn.local, hook) {
        (true, Some(FirewallHook::Forward)) => return None,
        (true, Some(_)) => {}
        // Outgoing rules are nginx's host's; input and forward rules may be the backend's
        // host's (or a router's); a user chain is reached only through a jump.
        (false, Some(FirewallHook::Output)) => {}
        (_, _) => sure = false,
    }
    if let Some(d) = destination {
        match conn.ips.iter().map(|ip| in_network(*ip, d)).collect::<Vec<_>>() {
            found if found.contains(&Some(true)) => {}
            found if found.is_empty() || found.contains(&None) => sure = false,
            _ => return None,
        }
    }
    if let Some(s) = source {
        // A loopback connection comes from the loopback address of its family.
        let from = conn.ips.first().filter(|_| conn.local).map(|ip| match ip.to_canonical() {
            IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        });
        match from.map(|f| in_network(f, s)) {
            Some(Some(true)) => {}
            Some(Some(false)) => return None,
            _ => sure = false,
        }
    }
    Some(sure)
}

/// Is `ip` in `net` (`10.0.0.0/8`, `10.96.0.7`, `::1/128`)? `None` when `net` is not an
/// address (a name, a set).
fn in_network(ip: IpAddr, net: &str) -> Option<bool> {
    let (addr, bits) = match net.split_once('/') {
        Some((a, b)) => (a, Some(b.parse::<u32>().ok()?)),
        None => (net, None),
    };
    let addr: IpAddr = addr.parse().ok()?;
    Some(match (ip.to_canonical(), addr.to_canonical()) {
        (IpAddr::V4(a), IpAddr::V4(n)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            u32::from(a) & mask == u32::from(n) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(n)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
            u128::from(a) & mask == u128::from(n) & mask
        }
        _ => false,
    })
}

/// The errno `connect()` fails with when a REJECT answers with `with` (iptables'
/// `--reject-with`, nft's `reject with`), as measured in the lab (a private network
/// namespace, Linux 6.18): `tcp-reset` and the default port-unreachable give 111 on both
/// families; over IPv4 host/admin-prohibited and host-unreachable give 113, net-unreachable,
/// net-prohibited and no-route 101; over IPv6 ICMPv6's codes map differently:
/// admin-prohibited (`icmp6-adm-prohibited`, nft's `icmpx admin-prohibited`) gives 13, the
/// same `Permission denied` SELinux causes, addr/host-unreachable 113, no-route 101.
pub fn reject_errno(with: Option<&str>, ipv6: bool) -> u16 {
    let w = with.unwrap_or_default().to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|x| w.contains(x));
    match ipv6 {
        false if has(&["net-unreach", "net-prohib", "no-route"]) => 101,
        false if has(&["host-unreach", "host-prohib", "admin-prohib"]) => 113,
        false if has(&["proto-unreach", "prot-unreach"]) => 92,
        true if has(&["no-route"]) => 101,
        true if has(&["adm-prohib", "admin-prohib"]) => 13,
        true if has(&["addr-unreach", "host-unreach"]) => 113,
        _ => 111,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
        assert_eq!(in_network(ip("10.96.0.7"), "10.96.0.7/32"), Some(true));
        assert_eq!(in_network(ip("10.96.0.7"), "10.0.0.0/8"), Some(true));
        assert_eq!(in_network(ip("10.96.0.7"), "10.96.0.8"), Some(false));
        assert_eq!(in_network(ip("127.0.0.1"), "0.0.0.0/0"), Some(true));
        assert_eq!(in_network(ip("::1"), "::1/128"), Some(true));
        assert_eq!(in_network(ip("::1"), "10.0.0.0/8"), Some(false));
        assert_eq!(in_network(ip("::ffff:10.1.2.3"), "10.0.0.0/8"), Some(true));
        assert_eq!(in_network(ip("10.1.2.3"), "backend.example"), None);
        assert_eq!(in_network(ip("10.1.2.3"), "10.0.0.0/x"), None);
    }

    /// What `connect()` got, measured with each answer in a private network namespace.
    #[test]
    fn reject_answers() {
        let v4 = [
            (None, 111),
            (Some("tcp-reset"), 111),
            (Some("tcp reset"), 111),
            (Some("icmp-port-unreachable"), 111),
            (Some("icmp-host-prohibited"), 113),
            (Some("icmp-admin-prohibited"), 113),
            (Some("icmp-host-unreachable"), 113),
            (Some("icmpx admin-prohibited"), 113),
            (Some("icmpx host-unreachable"), 113),
            (Some("icmp-net-unreachable"), 101),
            (Some("icmp-net-prohibited"), 101),
            (Some("icmpx no-route"), 101),
            (Some("icmp-proto-unreachable"), 92),
        ];
        for (with, errno) in v4 {
            assert_eq!(reject_errno(with, false), errno, "{with:?}");
        }
        let v6 = [
            (None, 111),
            (Some("tcp-reset"), 111),
            (Some("icmp6-port-unreachable"), 111),
            (Some("icmpx port-unreachable"), 111),
            (Some("icmp6-adm-prohibited"), 13),
            (Some("icmpx admin-prohibited"), 13),
            (Some("icmp6-addr-unreachable"), 113),
            (Some("icmpx host-unreachable"), 113),
            (Some("icmp6-no-route"), 101),
            (Some("icmpx no-route"), 101),
        ];
        for (with, errno) in v6 {
            assert_eq!(reject_errno(with, true), errno, "{with:?}");
        }
    }
}
