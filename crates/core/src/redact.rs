//! Redaction for share links: replaces addresses, host names, paths and secrets in the
//! three inputs, consistently (one value gets one placeholder in all three), keeping what
//! the diagnosis depends on: ports, address families and classes (loopback and wildcard
//! addresses are kept as they are, private stay private), file extensions and the
//! `.sock` suffix, path structure (a `unix:` path in the config and the same path in
//! `ss -xlp` get the same placeholder; glob includes still match their files), directive
//! names, upstream names and process names.
//!
//! Placeholders: `10.0.0.1`-style addresses in the same class (public ones go to
//! 198.18.0.0/15, RFC 2544), `2001:db8::N`, `host-N.example`, paths made of `pN`
//! components, `REDACTED-N` for secrets.

use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, Ipv6Addr};

use badgateway_config::{Config, TextRange};

/// The three inputs after redaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedactedInputs {
    pub config: String,
    pub listeners: String,
    pub log: String,
    /// Occurrences replaced, over all three inputs.
    pub replaced: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Kind {
    Ipv4,
    Ipv6,
    Host,
    /// One path component (a directory or file name).
    Component,
    Secret,
    /// A link-layer address (`ip addr`'s `link/ether`, `ifconfig`'s `ether`).
    Mac,
    /// `load_module`'s path: its directories go as components do, its file name
    /// (`ngx_http_headers_more_filter_module.so`, the same in every build) stays, so the
    /// redacted config still loads the module and its directives are still known.
    ModulePath,
}

/// Holds the placeholder tables; one redactor gives one value the same placeholder in
/// every text it redacts.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Keyed by the kind's number then the value: a `(Kind, String)` key made a map type
    /// of its own (~0.4 KB of the page's wasm); the `String` key shares the others' code.
    table: HashMap<String, String>,
    counters: HashMap<String, u32>,
    /// Every value that will be replaced, so that no placeholder equals one of them.
    originals: HashSet<String>,
    /// Names that stay: upstream names without a dot (labels, not hosts) and `localhost`.
    keep_hosts: HashSet<String>,
    replaced: usize,
}

/// One replacement in one text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    start: usize,
    end: usize,
    kind: Kind,
}

impl Redactor {
    /// Redacts the three inputs together (the same value gets the same placeholder in all three).
    pub fn redact(config: &str, listeners: &str, log: &str) -> RedactedInputs {
        let mut r = Redactor::default();
        let parsed = badgateway_config::parse(config.as_bytes());
        r.keep_hosts.insert("localhost".into());
        // A dotted upstream name is a domain (nginx-proxy names each upstream after its
        // VIRTUAL_HOST): it is redacted like any host, with the same placeholder everywhere.
        for u in parsed.model().upstreams.iter().filter(|u| !u.name.contains('.')) {
            r.keep_hosts.insert(u.name.to_ascii_lowercase());
        }
        let config_hits = merge(structural_hits(&parsed, config), r.lexical_hits(config));
        // A host the config names without a dot (`proxy_pass http://app_backnd`) is found
        // by the config's structure only: find the same word in the other two texts too
        // (`host not found in upstream "app_backnd"`), or it would stay there.
        let mut named: Vec<&str> = config_hits
            .iter()
            .filter(|h| h.kind == Kind::Host)
            .filter_map(|h| config.get(h.start..h.end))
            .collect();
        named.sort_unstable();
        named.dedup();
        let listener_hits = merge(word_hits(listeners, &named), r.lexical_hits(listeners));
        let log_hits = merge(word_hits(log, &named), r.lexical_hits(log));
        for (text, hits) in [(config, &config_hits), (listeners, &listener_hits), (log, &log_hits)] {
            for h in hits {
                if let Some(v) = text.get(h.start..h.end) {
                    r.originals.insert(v.to_string());
                    if h.kind == Kind::Component {
                        for c in v.split('/') {
                            r.originals.insert(c.to_string());
                        }
                    }
                }
            }
        }
        let config = r.apply(config, &config_hits);
        let listeners = r.apply(listeners, &listener_hits);
        let log = r.apply(log, &log_hits);
        RedactedInputs { config, listeners, log, replaced: r.replaced }
    }

    fn apply(&mut self, text: &str, hits: &[Hit]) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for h in hits {
            let (Some(before), Some(value)) = (text.get(at..h.start), text.get(h.start..h.end)) else {
                continue;
            };
            out.push_str(before);
            let placeholder = match h.kind {
                Kind::Component => self.path(value),
                Kind::ModulePath => match value.rsplit_once('/') {
                    Some((dirs, file)) => format!("{}/{file}", self.path(dirs)),
                    None => value.to_string(),
                },
                _ => self.placeholder(h.kind, value),
            };
            if placeholder != value {
                self.replaced += 1;
            }
            out.push_str(&placeholder);
            at = h.end;
        }
        out.push_str(text.get(at..).unwrap_or_default());
        out
    }

    /// A path (absolute or relative), component by component.
    fn path(&mut self, value: &str) -> String {
        value
            .split('/')
            .map(|c| {
                if c.is_empty() || c == "." || c == ".." || c.contains(['$', '*', '?', '[']) {
                    c.to_string()
                } else {
                    self.placeholder(Kind::Component, c)
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        let key_value = match kind {
            Kind::Host => value.to_ascii_lowercase(),
            _ => value.to_string(),
        };
        let key = format!("{}{key_value}", kind as u8);
        if let Some(p) = self.table.get(&key) {
            return p.clone();
        }
        let made = match kind {
            Kind::Ipv4 => match value.parse::<Ipv4Addr>() {
                Ok(ip) => self.ipv4(ip).to_string(),
                Err(_) => value.to_string(),
            },
            Kind::Ipv6 => match value.parse::<Ipv6Addr>() {
                Ok(ip) => self.ipv6(ip).to_string(),
                Err(_) => value.to_string(),
            },
            Kind::Host => self.host(&key_value),
            // `apply` redacts a module path's directories as components; never asked here.
            Kind::ModulePath => value.to_string(),
            Kind::Component => {
                let (stem, ext) = match value.rfind('.') {
                    Some(i) if i > 0 => value.split_at(i),
                    _ => (value, ""),
                };
                let _ = stem;
                let ext = ext.to_string();
                self.fresh("p", |n| format!("p{n}{ext}"))
            }
            Kind::Secret => self.fresh("secret", |n| format!("REDACTED-{n}")),
            // Loopback's and broadcast's stay; others become locally administered addresses.
            Kind::Mac if matches!(value, "00:00:00:00:00:00" | "ff:ff:ff:ff:ff:ff") => value.to_string(),
            Kind::Mac => {
                self.fresh("mac", |n| format!("02:00:00:00:{:02x}:{:02x}", (n >> 8) & 0xff, n & 0xff))
            }
        };
        self.table.insert(key, made.clone());
        made
    }

    /// The next placeholder from `make` in the `series` that no original value equals.
    fn fresh(&mut self, series: &str, make: impl Fn(u32) -> String) -> String {
        loop {
            let n = self.counters.entry(series.to_string()).or_insert(0);
            *n += 1;
            let candidate = make(*n);
            if !self.originals.contains(&candidate) {
                return candidate;
            }
        }
    }

    fn host(&mut self, value: &str) -> String {
        if self.keep_hosts.contains(value) {
            return value.to_string();
        }
        // `*.example.com` and `.example.com` keep their wildcard.
        if let Some(rest) = value.strip_prefix("*.") {
            return format!("*.{}", self.placeholder(Kind::Host, rest));
        }
        if let Some(rest) = value.strip_prefix('.') {
            return format!(".{}", self.placeholder(Kind::Host, rest));
        }
        // A name without a dot stays without one: nginx treats `http://app` and
        // `http://app.example` differently (upstream name or resolver lookup).
        if value.contains('.') {
            self.fresh("host", |n| format!("host-{n}.example"))
        } else {
            self.fresh("host", |n| format!("host-{n}"))
        }
    }

    fn ipv4(&mut self, ip: Ipv4Addr) -> Ipv4Addr {
        let o = ip.octets();
        if ip.is_loopback() || ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() {
            return ip;
        }
        let (series, base): (&str, [u8; 2]) = if o[0] == 10 {
            ("v4-10", [10, 0])
        } else if o[0] == 172 && (16..32).contains(&o[1]) {
            ("v4-172", [172, 16])
        } else if o[0] == 192 && o[1] == 168 {
            ("v4-192", [192, 168])
        } else if o[0] == 169 && o[1] == 254 {
            ("v4-169", [169, 254])
        } else if o[0] == 100 && (64..128).contains(&o[1]) {
            ("v4-100", [100, 64])
        } else {
            ("v4-public", [198, 18])
        };
        let text = self.fresh(series, |n| {
            let (hi, lo) = ((n - 1) / 254, (n - 1) % 254 + 1);
            let third = u8::try_from(hi % 256).unwrap_or(0);
            let second = base[1].wrapping_add(u8::try_from(hi / 256).unwrap_or(0));
            let lo = u8::try_from(lo).unwrap_or(1);
            Ipv4Addr::new(base[0], second, third, lo).to_string()
        });
        text.parse().unwrap_or(ip)
    }

    fn ipv6(&mut self, ip: Ipv6Addr) -> Ipv6Addr {
        if ip.is_loopback() || ip.is_unspecified() || ip.is_multicast() {
            return ip;
        }
        if let Some(v4) = ip.to_ipv4_mapped() {
            return self.ipv4(v4).to_ipv6_mapped();
        }
        let seg = ip.segments();
        let prefix = if seg[0] & 0xffc0 == 0xfe80 {
            "fe80::"
        } else if seg[0] & 0xfe00 == 0xfc00 {
            "fd00::"
        } else {
            "2001:db8::"
        };
        let text = self.fresh(prefix, |n| format!("{prefix}{n:x}"));
        text.parse().unwrap_or(ip)
    }

    /// Addresses, URLs, paths, host names and secret-looking words anywhere in a text.
    fn lexical_hits(&self, text: &str) -> Vec<Hit> {
        let b = text.as_bytes();
        let mut hits = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let at_boundary = i == 0 || b.get(i - 1).is_some_and(|&p| is_boundary(p));
            if !at_boundary {
                i += 1;
                continue;
            }
            if let Some((hs, next)) = self.word_hits(text, i) {
                hits.extend(hs);
                i = next.max(i + 1);
            } else {
                i += 1;
            }
        }
        hits
    }

    /// What starts at `i` (a word boundary): the hits and where to continue.
    fn word_hits(&self, text: &str, i: usize) -> Option<(Vec<Hit>, usize)> {
        let b = text.as_bytes();
        let rest = text.get(i..)?;
        let first = *b.get(i)?;
        // `Bearer xxx`, `Basic xxx`.
        for scheme in ["bearer ", "basic ", "token "] {
            if rest.len() > scheme.len()
                && rest.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme))
            {
                let s = i + scheme.len();
                let e = scan(b, s, |c| !c.is_ascii_whitespace() && !b"\"';,".contains(&c));
                if e - s >= 8 {
                    return Some((vec![Hit { start: s, end: e, kind: Kind::Secret }], e));
                }
            }
        }
        // URL: scheme://[userinfo@]host[:port][/path]
        let scheme_end = scan(b, i, |c| c.is_ascii_alphanumeric() || b"+.-_$".contains(&c));
        if scheme_end > i
            && (first.is_ascii_alphabetic() || first == b'$')
            && rest.get(scheme_end - i..)?.starts_with("://")
        {
            let mut hits = Vec::new();
            let mut s = scheme_end + 3;
            let authority_end = scan(b, s, |c| !b"/\"' ;,)?#<>\t\r\n".contains(&c));
            if let Some(at) = text.get(s..authority_end).and_then(|a| a.rfind('@')) {
                hits.push(Hit { start: s, end: s + at, kind: Kind::Secret });
                s += at + 1;
            }
            if text.get(s..)?.starts_with("unix:/") {
                let e = path_end(b, s + 5);
                hits.push(Hit { start: s + 5, end: e, kind: Kind::Component });
                return Some((hits, e));
            }
            let host_end = if b.get(s) == Some(&b'[') {
                let close = scan(b, s + 1, |c| c != b']');
                hits.push(Hit { start: s + 1, end: close, kind: Kind::Ipv6 });
                close
            } else {
                let e = scan(b, s, |c| c.is_ascii_alphanumeric() || b".-_".contains(&c));
                let host = text.get(s..e)?;
                if host.parse::<Ipv4Addr>().is_ok() {
                    hits.push(Hit { start: s, end: e, kind: Kind::Ipv4 });
                } else if !host.is_empty() && !self.keep_hosts.contains(&host.to_ascii_lowercase()) {
                    hits.push(Hit { start: s, end: e, kind: Kind::Host });
                }
                e
            };
            let path_start = scan(b, host_end, |c| c != b'/' && !b"\"' ;,)#<>\t\r\n".contains(&c));
            if b.get(path_start) == Some(&b'/') {
                let e = path_end(b, path_start);
                hits.push(Hit { start: path_start, end: e, kind: Kind::Component });
                return Some((hits, e));
            }
            return Some((hits, path_start));
        }
        // `unix:/path`
        if rest.starts_with("unix:/") {
            let s = i + 5;
            let e = path_end(b, s);
            return Some((vec![Hit { start: s, end: e, kind: Kind::Component }], e));
        }
        // An absolute path.
        if first == b'/' {
            let e = path_end(b, i);
            if e > i + 1 {
                return Some((vec![Hit { start: i, end: e, kind: Kind::Component }], e));
            }
            return None;
        }
        // `[v6]`
        if first == b'[' {
            let close = scan(b, i + 1, |c| c.is_ascii_hexdigit() || c == b':' || c == b'.');
            if b.get(close) == Some(&b']') && text.get(i + 1..close)?.parse::<Ipv6Addr>().is_ok() {
                return Some((vec![Hit { start: i + 1, end: close, kind: Kind::Ipv6 }], close + 1));
            }
        }
        // Bare IPv6 (`fd00::5`, netstat's `:::80`, `ip addr`'s `fd00::5/64`), MAC addresses,
        // IPv4, host names, secrets: one word.
        let e = scan(b, i, |c| c.is_ascii_alphanumeric() || b".:-_+/=".contains(&c));
        let word = text.get(i..e)?;
        if is_mac(word) {
            return Some((vec![Hit { start: i, end: e, kind: Kind::Mac }], e));
        }
        if word.matches(':').count() >= 2 {
            let mut candidate = word.trim_end_matches(['.', ',']);
            // Drop a trailing `/prefix` (`ip addr`).
            if let Some((addr, prefix)) = candidate.rsplit_once('/')
                && !prefix.is_empty()
                && prefix.bytes().all(|c| c.is_ascii_digit())
            {
                candidate = addr;
            }
            loop {
                if candidate.parse::<Ipv6Addr>().is_ok() {
                    return Some((vec![Hit { start: i, end: i + candidate.len(), kind: Kind::Ipv6 }], e));
                }
                // Drop a trailing `:port`.
                match candidate.rfind(':') {
                    Some(k)
                        if k > 0
                            && candidate
                                .get(k + 1..)
                                .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit())) =>
                    {
                        candidate = candidate.get(..k)?;
                    }
                    _ => break,
                }
            }
        }
        let dotted = scan(b, i, |c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_');
        let dword = text.get(i..dotted)?.trim_end_matches('.');
        let dend = i + dword.len();
        if dword.parse::<Ipv4Addr>().is_ok() && !b.get(dend).is_some_and(|c| c.is_ascii_alphanumeric()) {
            return Some((vec![Hit { start: i, end: dend, kind: Kind::Ipv4 }], dend));
        }
        if looks_like_file_name(dword) {
            return Some((vec![Hit { start: i, end: dend, kind: Kind::Component }], dend));
        }
        if looks_like_host(dword) && !self.keep_hosts.contains(&dword.to_ascii_lowercase()) {
            return Some((vec![Hit { start: i, end: dend, kind: Kind::Host }], dend));
        }
        // key=value secrets.
        if let Some(eq) = word.find('=') {
            let key = word.get(..eq)?.to_ascii_lowercase();
            if is_secret_name(&key) && word.len() > eq + 1 {
                let s = i + eq + 1;
                let e2 = scan(b, s, |c| !c.is_ascii_whitespace() && !b"&\"';,".contains(&c));
                return Some((vec![Hit { start: s, end: e2, kind: Kind::Secret }], e2));
            }
        }
        if looks_secret(word) {
            return Some((vec![Hit { start: i, end: e, kind: Kind::Secret }], e));
        }
        Some((Vec::new(), e))
    }
}

/// Redacts the three inputs together; see [`Redactor::redact`].
pub fn redact(config: &str, listeners: &str, log: &str) -> RedactedInputs {
    Redactor::redact(config, listeners, log)
}

fn scan(b: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut i = from;
    while b.get(i).is_some_and(|&c| keep(c)) {
        i += 1;
    }
    i
}

fn path_end(b: &[u8], from: usize) -> usize {
    scan(b, from, |c| !c.is_ascii_whitespace() && !b"\"';{},()?#:<>|`\\".contains(&c))
}

/// `aa:87:eb:36:bd:a0` (six groups of two hex digits).
fn is_mac(word: &str) -> bool {
    let groups: Vec<&str> = word.split(':').collect();
    groups.len() == 6 && groups.iter().all(|g| g.len() == 2 && g.bytes().all(|c| c.is_ascii_hexdigit()))
}

fn is_boundary(c: u8) -> bool {
    c.is_ascii_whitespace() || b"\"'=(,[<>;{}@|`?&^~".contains(&c) || !c.is_ascii()
}

const FILE_EXTENSIONS: &[&str] = &[
    "conf", "types", "sock", "socket", "log", "pid", "py", "php", "html", "htm", "js", "css", "json", "txt",
    "crt", "pem", "key", "cert", "csr", "der", "p12", "cfg", "ini", "yml", "yaml", "xml", "so", "service",
    "htpasswd", "passwd", "params", "lua", "sh", "jpg", "png", "gif", "svg", "ico", "map", "gz", "rb",
    "wsgi",
];

fn extension(word: &str) -> Option<&str> {
    word.rfind('.').filter(|&i| i > 0).and_then(|i| word.get(i + 1..))
}

fn looks_like_file_name(word: &str) -> bool {
    extension(word).is_some_and(|e| FILE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn looks_like_host(word: &str) -> bool {
    let labels: Vec<&str> = word.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty() && l.len() <= 63)
        && labels
            .last()
            .is_some_and(|tld| (2..=24).contains(&tld.len()) && tld.bytes().all(|c| c.is_ascii_alphabetic()))
        && labels.first().is_some_and(|l| l.bytes().any(|c| c.is_ascii_alphabetic()))
}

fn is_secret_name(name: &str) -> bool {
    let name = name.trim_start_matches('$').to_ascii_lowercase();
    [
        "authorization",
        "auth",
        "token",
        "secret",
        "password",
        "passwd",
        "pass",
        "apikey",
        "api_key",
        "api-key",
        "cookie",
        "session",
        "signature",
        "credential",
        "private",
    ]
    .iter()
    .any(|k| name.contains(k))
        && !name.ends_with("_pass")
        && !name.contains("pass_header")
}

/// Long hex or base64-like words: keys, tokens, hashes.
fn looks_secret(word: &str) -> bool {
    let w = word.trim_end_matches('=');
    if w.len() >= 24 && w.bytes().all(|c| c.is_ascii_hexdigit()) {
        return true;
    }
    w.len() >= 24
        && w.bytes().all(|c| c.is_ascii_alphanumeric() || b"+/_-".contains(&c))
        && w.bytes().any(|c| c.is_ascii_digit())
        && w.bytes().any(|c| c.is_ascii_lowercase())
        && w.bytes().any(|c| c.is_ascii_uppercase())
        && !w.contains('/')
}

/// Hits that need the config's structure: server names, secret header values, `set` and
/// `map` values, and relative paths in directives that take a file.
fn structural_hits(cfg: &Config, text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    let directives = cfg.directives();
    // By directive index: whether it is a `map` whose values are secret.
    let mut secret_maps = vec![false; directives.len()];
    for (di, d) in directives.iter().enumerate() {
        let name = String::from_utf8_lossy(cfg.name(d)).to_ascii_lowercase();
        let args: Vec<TextRange> = cfg.arg_tokens(d).iter().map(|&t| cfg.word(t).1).collect();
        let arg = |k: usize| args.get(k).and_then(|r| text.get(r.start as usize..r.end as usize));
        let mut push = |r: &TextRange, kind: Kind| {
            if r.end > r.start {
                hits.push(Hit { start: r.start as usize, end: r.end as usize, kind });
            }
        };
        let parent_is_secret_map =
            d.parent.is_some_and(|p| secret_maps.get(p as usize).copied().unwrap_or(false));
        match name.as_str() {
            "server_name" => {
                for r in &args {
                    let v = text.get(r.start as usize..r.end as usize).unwrap_or_default();
                    if v != "_"
                        && !v.starts_with('~')
                        && !v.is_empty()
                        && !v.contains('$')
                        && v != "localhost"
                    {
                        push(r, Kind::Host);
                    }
                }
            }
            "include"
            | "root"
            | "alias"
            | "access_log"
            | "error_log"
            | "auth_basic_user_file"
            | "ssl_certificate"
            | "ssl_certificate_key"
            | "ssl_trusted_certificate"
            | "ssl_client_certificate"
            | "ssl_dhparam"
            | "proxy_ssl_certificate"
            | "proxy_ssl_certificate_key"
            | "proxy_ssl_trusted_certificate"
            | "ssl_password_file"
            | "proxy_ssl_password_file"
            | "pid"
            | "ssl_crl" => {
                for r in args.iter().take(1) {
                    let v = text.get(r.start as usize..r.end as usize).unwrap_or_default();
                    if !v.starts_with('$')
                        && v != "off"
                        && v != "stderr"
                        && !v.starts_with("syslog:")
                        && !v.starts_with("memory:")
                    {
                        push(r, Kind::Component);
                    }
                }
            }
            "load_module" => {
                if let Some(r) = args.first() {
                    push(r, Kind::ModulePath);
                }
            }
            "set" => {
                if let (Some(var), Some(r)) = (arg(0), args.get(1)) {
                    let v = arg(1).unwrap_or_default();
                    if (is_secret_name(var) || looks_secret(v)) && !v.starts_with('$') {
                        push(r, Kind::Secret);
                    }
                }
            }
            "map" if arg(1).is_some_and(is_secret_name) => {
                if let Some(m) = secret_maps.get_mut(di) {
                    *m = true;
                }
            }
            _ if name.ends_with("_set_header") || name == "add_header" || name.ends_with("_param") => {
                if let (Some(h), Some(r)) = (arg(0), args.get(1)) {
                    let v = arg(1).unwrap_or_default();
                    if is_secret_name(h) && !v.starts_with('$') {
                        push(r, Kind::Secret);
                    }
                }
            }
            _ if name.contains("secret") || name.contains("password") => {
                for r in &args {
                    push(r, Kind::Secret);
                }
            }
            _ => {}
        }
        // Inside a map whose variable sounds secret, every value is; elsewhere in maps,
        // secret-looking keys and values are.
        if d.parent.is_some_and(|p| directives.get(p as usize).is_some_and(|m| cfg.name(m) == b"map")) {
            let name_range = cfg.word(d.name).1;
            let all = std::iter::once(name_range).chain(args.iter().copied());
            for r in all {
                let v = text.get(r.start as usize..r.end as usize).unwrap_or_default();
                if !v.starts_with('$') && (parent_is_secret_map && r != name_range || looks_secret(v)) {
                    push(&r, Kind::Secret);
                }
            }
        }
    }
    hits
}

/// Every whole-word occurrence of the `words` in `text`, as host hits.
fn word_hits(text: &str, words: &[&str]) -> Vec<Hit> {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let bytes = text.as_bytes();
    let mut hits = Vec::new();
    for word in words.iter().filter(|w| !w.is_empty()) {
        for (start, _) in text.match_indices(word) {
            let end = start + word.len();
            let before = start.checked_sub(1).and_then(|i| bytes.get(i)).copied();
            let after = bytes.get(end).copied();
            if !before.is_some_and(is_word) && !after.is_some_and(|b| is_word(b) && b != b'.') {
                hits.push(Hit { start, end, kind: Kind::Host });
            } else if compose_made_around(bytes, start, end) {
                // `shop_app_1`, `shop-app-1`: compose's container of service `app` keeps
                // naming it after redaction (`shop_host-1.example_1`).
                hits.push(Hit { start, end, kind: Kind::Host });
            }
        }
    }
    hits
}

/// `bytes[start..end]` is the SERVICE of a compose-made container name, `PROJECT_SERVICE_N`
/// (docker-compose v1) or `PROJECT-SERVICE-N` (v2).
fn compose_made_around(bytes: &[u8], start: usize, end: usize) -> bool {
    let is_word = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let Some(sep) =
        start.checked_sub(1).and_then(|i| bytes.get(i)).copied().filter(|b| matches!(b, b'_' | b'-'))
    else {
        return false;
    };
    let project = start.checked_sub(2).and_then(|i| bytes.get(i)).is_some_and(|b| b.is_ascii_alphanumeric());
    let digits = bytes.get(end + 1..).unwrap_or_default().iter().take_while(|b| b.is_ascii_digit()).count();
    let after = bytes.get(end + 1 + digits).copied();
    project && bytes.get(end) == Some(&sep) && digits > 0 && !after.is_some_and(is_word)
}

/// Structural hits win over lexical ones they overlap; the result is sorted and disjoint.
fn merge(mut structural: Vec<Hit>, lexical: Vec<Hit>) -> Vec<Hit> {
    badgateway_config::order::sort_by(&mut structural, Ord::cmp);
    let overlaps = |h: &Hit, s: &[Hit]| {
        let k = s.partition_point(|x| x.end <= h.start);
        s.get(k).is_some_and(|x| x.start < h.end)
    };
    let mut out: Vec<Hit> = lexical.into_iter().filter(|h| !overlaps(h, &structural)).collect();
    out.extend(structural);
    badgateway_config::order::sort_by(&mut out, Ord::cmp);
    let mut disjoint: Vec<Hit> = Vec::with_capacity(out.len());
    for h in out {
        if disjoint.last().is_none_or(|l| l.end <= h.start) {
            disjoint.push(h);
        }
    }
    disjoint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loaded_module_keeps_its_file_name() {
        let r = Redactor::redact(
            "load_module /home/alice/nginx/modules/ngx_http_headers_more_filter_module.so;\n",
            "",
            "",
        );
        assert!(r.config.contains("/ngx_http_headers_more_filter_module.so;"), "{}", r.config);
        assert!(!r.config.contains("alice"), "{}", r.config);
    }

    #[test]
    fn a_compose_service_s_container_name_follows_its_host() {
        let r = redact(
            "location / { proxy_pass http://app:8000; }\n",
            "NAMES\nshop_app_1\nshop-app-2\nshop_webapp_1\n",
            "",
        );
        assert!(!r.listeners.contains("_app_") && !r.listeners.contains("-app-"), "{}", r.listeners);
        assert!(r.listeners.contains("shop_webapp_1"), "{}", r.listeners);
        let host = r.config.split("http://").nth(1).and_then(|h| h.split(':').next()).unwrap_or_default();
        assert!(r.listeners.contains(&format!("shop_{host}_1")), "{}", r.listeners);
    }

    #[test]
    fn a_dotless_host_of_the_config_is_redacted_in_the_log_too() {
        let r = Redactor::redact(
            "server { location / { proxy_pass http://billing_api; } }\n",
            "",
            "[emerg] 1#1: host not found in upstream \"billing_api\" in /etc/nginx/nginx.conf:1\n",
        );
        assert!(!r.config.contains("billing_api") && !r.log.contains("billing_api"), "{r:?}");
        let placeholder = r.config.split("http://").nth(1).and_then(|t| t.split(';').next()).unwrap();
        assert!(r.log.contains(&format!("\"{placeholder}\"")), "{r:?}");
    }

    #[test]
    fn the_same_value_gets_the_same_placeholder_in_all_three_inputs() {
        let r = Redactor::redact(
            "server { server_name api.corp.com; location / { proxy_pass http://10.1.2.3:8000; } location /s { proxy_pass http://unix:/srv/app/gunicorn.sock; } }\n",
            "LISTEN 0 128 10.1.2.3:8000 0.0.0.0:*\nu_str LISTEN 0 128 /srv/app/gunicorn.sock 1 * 0\n",
            "connect() failed, upstream: \"http://10.1.2.3:8000/\", host: \"api.corp.com\"\n",
        );
        assert!(r.config.contains("http://10.0.0.1:8000"), "{}", r.config);
        assert!(r.listeners.contains("10.0.0.1:8000"));
        assert!(r.log.contains("http://10.0.0.1:8000/"));
        assert!(r.config.contains("server_name host-1.example;"), "{}", r.config);
        assert!(r.log.contains("host: \"host-1.example\""), "{}", r.log);
        assert!(r.config.contains("unix:/p2/p3/p4.sock;"), "{}", r.config);
        assert!(r.listeners.contains(" /p2/p3/p4.sock "), "{}", r.listeners);
        assert!(r.replaced >= 7);
    }

    #[test]
    fn loopback_and_wildcards_stay() {
        let r = Redactor::redact(
            "listen 0.0.0.0:80; listen [::]:80; proxy_pass http://127.0.0.1:9; proxy_pass http://[::1]:9;",
            "",
            "",
        );
        assert!(r.config.contains("0.0.0.0:80") && r.config.contains("[::]:80"));
        assert!(r.config.contains("127.0.0.1:9") && r.config.contains("[::1]:9"));
    }

    /// `ip addr` output: addresses with their prefix length, and link-layer addresses.
    #[test]
    fn interface_listings() {
        let listing = "3: v0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500\n    link/ether a6:1c:27:1f:9e:c9 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n    inet 10.95.0.1/24 scope global v0\n    inet6 fe80::a41c:27ff:fe1f:9ec9/64 scope link\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n";
        let r = Redactor::redact("", listing, "");
        for gone in ["a6:1c:27:1f:9e:c9", "10.95.0.1", "fe80::a41c:27ff:fe1f:9ec9"] {
            assert!(!r.listeners.contains(gone), "{gone}: {}", r.listeners);
        }
        for kept in ["/24 scope", "/64 scope", "brd ff:ff:ff:ff:ff:ff", "link/loopback 00:00:00:00:00:00"] {
            assert!(r.listeners.contains(kept), "{kept}: {}", r.listeners);
        }
        assert!(r.listeners.contains("link/ether 02:00:00:00:00:01"), "{}", r.listeners);
        assert!(r.listeners.contains("inet6 fe80::"), "link-local stays link-local: {}", r.listeners);
    }

    #[test]
    fn secrets_go() {
        let conf = "location / {\n proxy_set_header Authorization \"Bearer abcdefghijkl12345\";\n set $api_password hunter2;\n}\nmap $http_x $upstream_token {\n default \"tok-9f8e7d\";\n}\n";
        let r = Redactor::redact(conf, "", "GET /x?token=s3cr3tvalue&page=2");
        for secret in ["abcdefghijkl12345", "hunter2", "tok-9f8e7d", "s3cr3tvalue"] {
            assert!(
                !r.config.contains(secret) && !r.log.contains(secret),
                "{secret}: {} {}",
                r.config,
                r.log
            );
        }
        assert!(r.log.contains("page=2"));
    }
}
