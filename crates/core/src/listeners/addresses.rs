//! What addresses and DNS servers nginx's host has: `ip addr` (full, `-br`, `-o`, `-4`,
//! `-6`), `hostname -I`, `ifconfig` (net-tools 2.10's layout, the older `inet addr:` one and
//! the BSD one) and a resolv.conf (`cat /etc/resolv.conf`). Each address becomes a
//! [`ProbeFact::HostAddress`], each `nameserver` line a [`ProbeFact::Nameserver`].

use std::net::{IpAddr, Ipv4Addr};

use super::scan::{Command, Line, contains, has_short_flag, is_address_listing, is_digits, tokens, word};
use super::{Format, Mode, ProbeFact, Reader, ResolvConfWriter};

/// Link states `ip -br` prints in its second column.
const IP_STATES: &[&[u8]] =
    &[b"UP", b"DOWN", b"UNKNOWN", b"LOWERLAYERDOWN", b"DORMANT", b"NOTPRESENT", b"TESTING"];

pub(crate) fn mode_for_command(cmd: Command<'_>) -> Option<Mode> {
    match cmd.program {
        b"ip" => is_address_listing(cmd.args).then_some(Mode::IpAddr),
        b"hostname" if has_short_flag(cmd.args, b'I') || contains(cmd.args, b"--all-ip-addresses") => {
            Some(Mode::HostnameI)
        }
        b"ifconfig" => Some(Mode::Ifconfig),
        b"cat" | b"grep" | b"tail" | b"head" | b"less" if contains(cmd.args, b"resolv.conf") => {
            Some(Mode::ResolvConf { writer: None })
        }
        _ => None,
    }
}

pub(crate) fn line_in_mode(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    match r.mode {
        Mode::IpAddr => ip_line(r, line, true),
        Mode::HostnameI => hostname_i(r, line),
        Mode::Ifconfig => ifconfig(r, line, true),
        Mode::ResolvConf { .. } => resolv_conf(r, line, true),
        _ => None,
    }
}

/// Lines that say by themselves which tool printed them.
pub(crate) fn line_any(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    ip_line(r, line, false).or_else(|| ifconfig(r, line, false)).or_else(|| resolv_conf(r, line, false))
}

fn push(
    r: &mut Reader,
    line: Line<'_>,
    (s, e): (usize, usize),
    interface: Option<String>,
    format: Format,
) -> bool {
    let Some((address, prefix)) = address_token(line.get(s, e)) else { return false };
    r.report.facts.push(ProbeFact::HostAddress { address, prefix, interface, format, range: line.sub(s, e) });
    true
}

/// `10.98.0.1/24`, `fd98::1/64`, `10.0.0.5`, `fe80::1%lo0` -> (address, prefix length).
fn address_token(w: &[u8]) -> Option<(IpAddr, Option<u8>)> {
    let (addr, prefix) = match w.iter().position(|c| *c == b'/') {
        Some(i) => (w.get(..i)?, Some(w.get(i + 1..)?)),
        None => (w, None),
    };
    let addr = addr.split(|c| *c == b'%').next()?;
    let address: IpAddr = std::str::from_utf8(addr).ok()?.parse().ok()?;
    let prefix = match prefix {
        Some(p) if is_digits(p) && p.len() <= 3 => Some(std::str::from_utf8(p).ok()?.parse::<u8>().ok()?),
        Some(_) => return None,
        None => None,
    };
    Some((address, prefix))
}

/// The interface name of an `ip` header or `-br`/`-o` row: `v0@if2` -> `v0`.
fn interface_name(w: &[u8]) -> String {
    let w = w.strip_suffix(b":").unwrap_or(w);
    String::from_utf8_lossy(w.split(|c| *c == b'@').next().unwrap_or(w)).into_owned()
}

fn is_index(w: &[u8]) -> bool {
    w.strip_suffix(b":").is_some_and(is_digits)
}

/// `ip addr` in its three layouts: the full one (`3: v0@if2: <...> mtu ...` then indented
/// `inet`/`inet6` lines), `-o` (`3: v0    inet 10.98.0.1/24 ...`) and `-br`
/// (`v0@if2   LOWERLAYERDOWN 10.98.0.1/24 fd98::1/64`).
fn ip_line(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let b = line.bytes;
    let t = b.trim_ascii();
    let (w0, w1, w2) = (word(t, 0), word(t, 1), word(t, 2));
    // Full layout, interface header.
    if is_index(w0) && w1.ends_with(b":") && w2.starts_with(b"<") && w2.ends_with(b">") {
        r.interface = Some(interface_name(w1));
        r.mode = Mode::IpAddr;
        return Some(Format::IpAddr);
    }
    let mut toks = std::mem::take(&mut r.toks);
    tokens(b, &mut toks);
    let word_at = |i: usize| toks.get(i).and_then(|&(s, e)| b.get(s..e)).unwrap_or_default();
    let found = if is_index(w0) && matches!(w2, b"inet" | b"inet6") {
        // `-o`: index, name, family, address.
        let interface = Some(interface_name(w1));
        toks.get(3)
            .copied()
            .is_some_and(|tok| push(r, line, tok, interface, Format::IpAddr))
            .then_some(Format::IpAddr)
    } else if !b.first().is_some_and(u8::is_ascii_whitespace) && IP_STATES.contains(&w1) {
        // `-br`: name, state, addresses (none for an interface without any).
        let all = (2..toks.len()).all(|i| address_token(word_at(i)).is_some());
        if all && (in_mode || toks.len() > 2) {
            let interface = interface_name(w0);
            for i in 2..toks.len() {
                if let Some(&tok) = toks.get(i) {
                    push(r, line, tok, Some(interface.clone()), Format::IpAddr);
                }
            }
            r.mode = Mode::IpAddr;
            Some(Format::IpAddr)
        } else {
            None
        }
    } else if in_mode && b.first().is_some_and(u8::is_ascii_whitespace) {
        // Full layout, lines under a header.
        if matches!(w0, b"inet" | b"inet6") {
            let interface = r.interface.clone();
            toks.get(1)
                .copied()
                .is_some_and(|tok| push(r, line, tok, interface, Format::IpAddr))
                .then_some(Format::IpAddr)
        } else if w0.starts_with(b"link/")
            || w0.starts_with(b"prog/")
            || matches!(w0, b"valid_lft" | b"altname" | b"alias" | b"vf" | b"link-netnsid")
        {
            Some(Format::IpAddr)
        } else {
            None
        }
    } else {
        None
    };
    r.toks = toks;
    found
}

/// `hostname -I`: the host's addresses on one line (no loopback, no IPv6 link-local).
fn hostname_i(r: &mut Reader, line: Line<'_>) -> Option<Format> {
    let mut toks = std::mem::take(&mut r.toks);
    tokens(line.bytes, &mut toks);
    let all = !toks.is_empty()
        && toks.iter().all(|&(s, e)| address_token(line.get(s, e)).is_some_and(|(_, p)| p.is_none()));
    if all {
        for &tok in &toks {
            push(r, line, tok, None, Format::HostnameI);
        }
    }
    r.toks = toks;
    all.then_some(Format::HostnameI)
}

/// `ifconfig`: net-tools 2.10 (`eth0: flags=4163<UP,...>  mtu 1400`, then `inet 192.0.2.2
/// netmask 255.255.255.0 ...`, `inet6 fd00::2  prefixlen 64 ...`), the older net-tools and
/// busybox layout (`eth0  Link encap:Ethernet ...`, `inet addr:10.0.0.5  Bcast:...  Mask:...`,
/// `inet6 addr: fe80::1/64 Scope:Link`) and the BSD/macOS one (`inet 10.0.0.5 netmask
/// 0xffffff00 ...`, `inet6 fe80::1%en0 prefixlen 64 ...`).
fn ifconfig(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let b = line.bytes;
    let t = b.trim_ascii();
    let (w0, w1, w2) = (word(t, 0), word(t, 1), word(t, 2));
    let indented = b.first().is_some_and(u8::is_ascii_whitespace);
    if !indented
        && ((w0.ends_with(b":") && w1.starts_with(b"flags=") && contains(w1, b"<"))
            || (w1 == b"Link" && w2.starts_with(b"encap:")))
    {
        r.interface = Some(interface_name(w0));
        r.mode = Mode::Ifconfig;
        return Some(Format::Ifconfig);
    }
    if !in_mode || !indented {
        return None;
    }
    let mut toks = std::mem::take(&mut r.toks);
    tokens(b, &mut toks);
    let interface = r.interface.clone();
    let tok = |i: usize| toks.get(i).copied().unwrap_or_default();
    let text = |i: usize| {
        let (s, e) = tok(i);
        line.get(s, e)
    };
    match (text(0), text(1)) {
        (b"inet", w) if w.starts_with(b"addr:") => {
            // `inet addr:10.0.0.5`: the address after the colon.
            let (s, e) = tok(1);
            if let Some((address, _)) = address_token(line.get(s + 5, e)) {
                let prefix = value_after(&toks, b, b"Mask:").and_then(netmask_prefix);
                r.report.facts.push(ProbeFact::HostAddress {
                    address,
                    prefix,
                    interface,
                    format: Format::Ifconfig,
                    range: line.sub(s + 5, e),
                });
            }
        }
        (b"inet6", b"addr:") => {
            push(r, line, tok(2), interface, Format::Ifconfig);
        }
        (b"inet" | b"inet6", _) => {
            let (s, e) = tok(1);
            if let Some((address, _)) = address_token(line.get(s, e)) {
                let prefix = match address {
                    IpAddr::V4(_) => word_after(&toks, b, b"netmask").and_then(netmask_prefix),
                    IpAddr::V6(_) => word_after(&toks, b, b"prefixlen")
                        .and_then(|p| std::str::from_utf8(p).ok()?.parse().ok()),
                };
                r.report.facts.push(ProbeFact::HostAddress {
                    address,
                    prefix,
                    interface,
                    format: Format::Ifconfig,
                    range: line.sub(s, e),
                });
            }
        }
        // ether, loop, RX/TX counters, media, status, options: details of the interface.
        _ => {}
    }
    r.toks = toks;
    Some(Format::Ifconfig)
}

/// The token after `key` (`netmask 255.255.255.0`).
fn word_after<'a>(toks: &[(usize, usize)], b: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let i = toks.iter().position(|&(s, e)| b.get(s..e) == Some(key))?;
    toks.get(i + 1).and_then(|&(s, e)| b.get(s..e))
}

/// The rest of the token that starts with `key` (`Mask:255.255.255.0`).
fn value_after<'a>(toks: &[(usize, usize)], b: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    toks.iter().find_map(|&(s, e)| b.get(s..e).and_then(|w| w.strip_prefix(key)))
}

/// `255.255.255.0` or BSD's `0xffffff00` -> 24.
fn netmask_prefix(w: &[u8]) -> Option<u8> {
    let bits = match w.strip_prefix(b"0x") {
        Some(hex) => u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?,
        None => u32::from(std::str::from_utf8(w).ok()?.parse::<Ipv4Addr>().ok()?),
    };
    // Only contiguous masks are prefixes.
    (bits.leading_ones() + bits.trailing_zeros() == 32).then(|| bits.leading_ones() as u8)
}

/// resolv.conf: `nameserver ADDR` lines anywhere (they say what they are, also behind
/// `grep`); after `cat .../resolv.conf` also `search`, `domain`, `options`, `sortlist` and
/// comments, of which one may say who wrote the file (Docker Engine, systemd-resolved).
fn resolv_conf(r: &mut Reader, line: Line<'_>, in_mode: bool) -> Option<Format> {
    let t = line.bytes.trim_ascii();
    let w0 = word(t, 0);
    if w0 == b"nameserver" {
        let value = word(t, 1);
        let (address, _) = address_token(value).filter(|(_, p)| p.is_none())?;
        if !word(t, 2).is_empty() && !word(t, 2).starts_with(b"#") {
            return None;
        }
        let writer = match r.mode {
            Mode::ResolvConf { writer } => writer,
            _ => None,
        };
        let start = line.bytes.len() - line.bytes.trim_ascii_start().len();
        let range = line.sub(start, start + t.len());
        r.report.facts.push(ProbeFact::Nameserver { address, writer, range });
        if !in_mode {
            r.mode = Mode::ResolvConf { writer: None };
        }
        return Some(Format::ResolvConf);
    }
    if !in_mode {
        return None;
    }
    if t.starts_with(b"#") || t.starts_with(b";") {
        let writer = if contains(t, b"Generated by Docker Engine") {
            Some(ResolvConfWriter::Docker)
        } else if contains(t, b"managed by man:systemd-resolved") {
            Some(ResolvConfWriter::SystemdResolved)
        } else {
            None
        };
        if let (Some(w), Mode::ResolvConf { writer }) = (writer, &mut r.mode) {
            *writer = Some(w);
        }
        return Some(Format::ResolvConf);
    }
    matches!(w0, b"search" | b"domain" | b"options" | b"sortlist").then_some(Format::ResolvConf)
}
