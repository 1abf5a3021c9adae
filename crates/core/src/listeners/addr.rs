//! Socket addresses as ss, netstat, lsof and docker print them.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::Bind;
use super::scan::{lossy, parse_u16};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    V4,
    V6,
}

/// Which tool printed the address: their wildcards differ.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Tool {
    /// ss: `*` is a dual-stack `::`, `[::]` a V6ONLY one.
    Ss,
    /// netstat: `tcp6` rows print v4-mapped binds as plain IPv4, `:::` for any V6ONLY setting.
    Netstat {
        v6: bool,
    },
    /// lsof: `*` for both wildcards; the TYPE column gives the family.
    Lsof {
        family: Option<Family>,
    },
    Docker,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Addr {
    pub(crate) bind: Bind,
    pub(crate) port: Option<u16>,
    pub(crate) interface: Option<String>,
    /// The name the tool printed instead of an address (`localhost`, `ip6-localhost`).
    pub(crate) host_name: Option<String>,
}

/// Parses `host:port` in any of the tools' spellings. `None` when it is not an address.
pub(crate) fn parse_inet(tok: &[u8], tool: Tool) -> Option<Addr> {
    let colon = tok.iter().rposition(|b| *b == b':')?;
    let (host, port) = tok.split_at_checked(colon)?;
    let port = port.get(1..)?;
    let port = if port == b"*" {
        None
    } else if let Some(p) = parse_u16(port) {
        Some(p)
    } else {
        // A service name ss/netstat printed without -n; unknown ones leave the port open.
        if port.is_empty() || !port.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_') {
            return None;
        }
        service_port(port)
    };
    let (host, bracketed, interface) = split_host(host)?;
    let bind = host_bind(host, bracketed, tool)?;
    let named = host.first().is_some_and(u8::is_ascii_alphabetic);
    Some(Addr { bind, port, interface, host_name: named.then(|| lossy(host)) })
}

/// Parses a host without a port (docker's `[::]` in `[::]:8080->80/tcp`).
pub(crate) fn parse_host(host: &[u8], tool: Tool) -> Option<(Bind, Option<String>)> {
    let (host, bracketed, interface) = split_host(host)?;
    Some((host_bind(host, bracketed, tool)?, interface))
}

/// `[::1]` -> (`::1`, true, None); `127.0.0.53%lo` -> (`127.0.0.53`, false, Some(lo));
/// `[fe80::1]%eth0` and `[fe80::1%eth0]` -> (`fe80::1`, true, Some(eth0)).
fn split_host(host: &[u8]) -> Option<(&[u8], bool, Option<String>)> {
    if let Some(inner) = host.strip_prefix(b"[") {
        let close = inner.iter().position(|b| *b == b']')?;
        let (addr, after) = inner.split_at_checked(close)?;
        let after = after.get(1..).unwrap_or_default();
        let (addr, scope) = split_percent(addr);
        let iface = after.strip_prefix(b"%").map(lossy).or(scope);
        return Some((addr, true, iface));
    }
    let (addr, scope) = split_percent(host);
    Some((addr, false, scope))
}

fn split_percent(b: &[u8]) -> (&[u8], Option<String>) {
    match b.iter().position(|c| *c == b'%') {
        Some(i) => {
            let (a, s) = b.split_at(i);
            (a, Some(lossy(s.get(1..).unwrap_or_default())))
        }
        None => (b, None),
    }
}

fn host_bind(host: &[u8], bracketed: bool, tool: Tool) -> Option<Bind> {
    let text = std::str::from_utf8(host).ok()?;
    let v6_context = matches!(tool, Tool::Netstat { v6: true } | Tool::Lsof { family: Some(Family::V6) });
    if text == "*" || (text.is_empty() && matches!(tool, Tool::Docker)) {
        return Some(match tool {
            Tool::Ss => Bind::AnyV6 { v6only: Some(false) },
            Tool::Netstat { v6: true } | Tool::Lsof { family: Some(Family::V6) } => {
                Bind::AnyV6 { v6only: None }
            }
            Tool::Netstat { v6: false } | Tool::Lsof { family: Some(Family::V4) } => Bind::AnyV4,
            Tool::Lsof { family: None } | Tool::Docker => Bind::Any,
        });
    }
    // On an IPv6 socket `localhost` is `::1` where /etc/hosts names it so (Debian, macOS),
    // or a v4-mapped 127.0.0.1 (a Java socket bound to 127.0.0.1, captured: lsof prints it
    // `localhost` too). The common case is read; `Listener::host_name` keeps the doubt.
    if text == "localhost" {
        return Some(if v6_context {
            Bind::Ipv6(Ipv6Addr::LOCALHOST)
        } else {
            Bind::Ipv4(Ipv4Addr::LOCALHOST)
        });
    }
    if text == "ip6-localhost" || text == "ip6-loopback" {
        return Some(Bind::Ipv6(Ipv6Addr::LOCALHOST));
    }
    if let Ok(v4) = text.parse::<Ipv4Addr>() {
        if v4.is_unspecified() {
            return Some(Bind::AnyV4);
        }
        // netstat and lsof print a v4-mapped IPv6 bind as plain IPv4 on an IPv6 socket.
        return Some(if v6_context { Bind::Ipv6(v4.to_ipv6_mapped()) } else { Bind::Ipv4(v4) });
    }
    let v6 = text.parse::<Ipv6Addr>().ok()?;
    if v6.is_unspecified() {
        return Some(match tool {
            Tool::Ss if bracketed => Bind::AnyV6 { v6only: Some(true) },
            _ => Bind::AnyV6 { v6only: None },
        });
    }
    Some(Bind::Ipv6(v6))
}

/// The service names ss, netstat and lsof print without `-n`/`-P` for ports web backends
/// use: Debian 12's /etc/services (netbase; checked on this machine) and, where macOS and
/// FreeBSD ship the whole IANA registry, the IANA names (`irdmi` 8000, `hbci` 3000,
/// `commplex-main` 5000, ...). Where the two disagree on a port (8081: Debian `tproxy`,
/// IANA `sunproxyadmin`; 10000: Debian `webmin`, IANA `ndmp`) both names map to it.
/// IANA also names 8008 `http-alt`; every Linux table and the common case mean 8080.
/// A name not here leaves the port unknown: never a guessed number.
fn service_port(name: &[u8]) -> Option<u16> {
    Some(match name {
        b"http" | b"www" | b"www-http" => 80,
        b"https" => 443,
        b"ssh" => 22,
        b"domain" => 53,
        b"smtp" => 25,
        b"submission" => 587,
        b"imaps" => 993,
        b"ftp" => 21,
        b"sunrpc" => 111,
        b"ipp" => 631,
        b"hbci" | b"remoteware-cl" => 3000,
        b"mysql" => 3306,
        b"terabase" => 4000,
        b"commplex-main" => 5000,
        b"commplex-link" => 5001,
        b"postgresql" | b"postgres" => 5432,
        b"amqp" => 5672,
        b"redis" => 6379,
        b"afs3-fileserver" | b"bbs" => 7000,
        b"afs3-callback" => 7001,
        b"irdmi" => 8000,
        b"vcom-tunnel" => 8001,
        b"http-alt" | b"webcache" => 8080,
        b"tproxy" | b"sunproxyadmin" => 8081,
        b"us-cli" => 8082,
        b"us-srv" => 8083,
        b"omniorb" | b"radan-http" => 8088,
        b"pcsync-https" => 8443,
        b"ddi-tcp-1" => 8888,
        b"cslistener" => 9000,
        b"etlservicemgr" => 9001,
        b"websm" => 9090,
        b"distinct" => 9999,
        b"webmin" | b"ndmp" => 10000,
        b"memcache" => 11211,
        b"mongodb" => 27017,
        b"mdns" => 5353,
        b"ntp" => 123,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ss(t: &str) -> Addr {
        parse_inet(t.as_bytes(), Tool::Ss).unwrap()
    }

    #[test]
    fn ss_spellings() {
        assert_eq!(ss("127.0.0.1:8000").bind, Bind::Ipv4(Ipv4Addr::LOCALHOST));
        assert_eq!(ss("0.0.0.0:80").bind, Bind::AnyV4);
        assert_eq!(ss("*:80").bind, Bind::AnyV6 { v6only: Some(false) });
        assert_eq!(ss("[::]:80").bind, Bind::AnyV6 { v6only: Some(true) });
        assert_eq!(ss("[::1]:3000").bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
        assert_eq!(ss("[::ffff:127.0.0.1]:80").bind.mapped_v4(), Some(Ipv4Addr::LOCALHOST));
        let a = ss("127.0.0.53%lo:53");
        assert_eq!(a.bind, Bind::Ipv4(Ipv4Addr::new(127, 0, 0, 53)));
        assert_eq!(a.interface.as_deref(), Some("lo"));
        assert_eq!(a.port, Some(53));
        assert_eq!(ss("0.0.0.0:*").port, None);
        assert_eq!(ss("0.0.0.0:http").port, Some(80));
        let a = ss("[fe80::1]%eth0:8080");
        assert_eq!(a.interface.as_deref(), Some("eth0"));
        assert!(parse_inet(b"hello", Tool::Ss).is_none());
        assert!(parse_inet(b"foo:bar", Tool::Ss).is_none());
        assert_eq!(ss("0.0.0.0:unknown-svc").port, None);
        assert!(parse_inet(b"0.0.0.0:", Tool::Ss).is_none());
    }

    #[test]
    fn netstat_spellings() {
        let v6 = Tool::Netstat { v6: true };
        assert_eq!(parse_inet(b":::80", v6).unwrap().bind, Bind::AnyV6 { v6only: None });
        assert_eq!(parse_inet(b"::1:3000", v6).unwrap().bind, Bind::Ipv6(Ipv6Addr::LOCALHOST));
        assert_eq!(parse_inet(b"::1:3000", v6).unwrap().port, Some(3000));
        let mapped = parse_inet(b"127.0.0.1:8771", v6).unwrap().bind;
        assert_eq!(mapped, Bind::Ipv6(Ipv4Addr::LOCALHOST.to_ipv6_mapped()));
        assert_eq!(parse_inet(b"0.0.0.0:80", Tool::Netstat { v6: false }).unwrap().bind, Bind::AnyV4);
    }
}
