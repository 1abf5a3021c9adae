//! Lowering to the model: servers, locations, upstreams, targets and the main settings, and the
//! link from each target to its upstream block after the walk.

use super::checks::host_looks_resolvable;
use super::effective::setting_key;
use super::*;

impl<'a> Walker<'a> {
    pub(super) fn enter_block(
        &mut self,
        di: u32,
        name: &[u8],
        child: Context,
        frame: Frame,
        subtree_end: u32,
        range: TextRange,
    ) {
        let args = self.args(di);
        let mut level = frame.level;
        let (mut server, mut location, mut upstream) = (None, None, None);
        match child {
            Context::Http => {
                self.saw_http = true;
                let l = self.new_level(None);
                if let Some(level) = self.levels.get_mut(l as usize) {
                    level.http = Some(di);
                }
                level = Some(l);
            }
            Context::Server | Context::StreamServer => {
                if child == Context::Server {
                    level = Some(self.new_level(frame.level));
                }
                self.model.servers.push(Server {
                    range,
                    listens: Vec::new(),
                    names: Vec::new(),
                    stream: child == Context::StreamServer,
                });
                server = Some(self.model.servers.len() - 1);
            }
            Context::Location if name == b"location" => {
                level = Some(self.new_level(frame.level));
                self.check_nested_location(di, frame, &args);
                let (modifier, pattern) = match args.as_slice() {
                    [(m, _), (p, _), ..] => (Some(text(m)), text(p)),
                    [(p, _)] if p.starts_with(b"@") => (Some("@".to_string()), text(p)),
                    [(p, _)] => {
                        let s = text(p);
                        match ["=", "^~", "~*", "~"].iter().find(|m| s.starts_with(**m) && s.len() > m.len())
                        {
                            Some(m) => {
                                (Some((*m).to_string()), s.get(m.len()..).unwrap_or_default().to_string())
                            }
                            None => (None, s),
                        }
                    }
                    [] => (None, String::new()),
                };
                self.model.locations.push(Location {
                    server: frame.server,
                    parent: frame.location,
                    modifier,
                    pattern,
                    range,
                });
                location = Some(self.model.locations.len() - 1);
            }
            Context::LocationIf | Context::ServerIf => {
                if child == Context::LocationIf {
                    level = Some(self.new_level(frame.level));
                }
                let cond = args.iter().map(|(a, _)| text(a)).collect::<Vec<_>>().join(" ");
                self.model.ifs.push(IfBlock {
                    condition: cond,
                    range,
                    server: frame.server,
                    location: frame.location,
                });
            }
            Context::Upstream | Context::StreamUpstream => {
                let (n, nr) = args.first().copied().unwrap_or((b"", range));
                self.model.upstreams.push(Upstream {
                    name: text(n),
                    range,
                    name_range: nr,
                    servers: Vec::new(),
                    keepalive: None,
                    zone: None,
                    stream: child == Context::StreamUpstream,
                });
                upstream = Some(self.model.upstreams.len() - 1);
            }
            Context::Raw if name == b"map" => {
                if let [(s, _), (v, _), ..] = args.as_slice() {
                    self.model.maps.push(MapBlock { source: text(s), variable: text(v), range });
                }
            }
            _ => {}
        }
        self.push_block(di, subtree_end, child, frame, level, server, location, upstream);
    }

    pub(super) fn model_directive(
        &mut self,
        di: u32,
        name: &'a [u8],
        info: NameInfo,
        frame: Frame,
        range: TextRange,
    ) {
        let interesting = info.interesting;
        if !interesting {
            if let (Some(level), Some(key)) = (frame.level, info.setting_key) {
                self.settings_seen.push((level, key, di));
            }
            return;
        }
        let args = self.args(di);
        let first = || args.first().map(|(v, _)| text(&crate::unescape(v)));
        let setting_str = |v: Option<String>| v.map(|value| Setting { value, range: Some(range) });
        let setting_u32 = |v: Option<&String>| {
            v.and_then(|s| s.parse::<u32>().ok()).map(|value| Setting { value, range: Some(range) })
        };
        match (frame.ctx, name) {
            (Context::Main, b"user") => self.model.user = setting_str(first()),
            (Context::Main, b"worker_processes") => self.model.worker_processes = setting_str(first()),
            (Context::Main, b"worker_rlimit_nofile") => {
                self.model.worker_rlimit_nofile = setting_u32(first().as_ref())
            }
            (Context::Events, b"worker_connections") => {
                self.model.worker_connections = setting_u32(first().as_ref())
            }
            (_, b"error_log") => {
                if let Some(path) = first() {
                    let level = args.get(1).map(|(v, _)| text(v));
                    self.model.error_logs.push(ErrorLog { path, level, range });
                }
            }
            (_, b"resolver") => {
                let addresses =
                    args.iter().filter(|(a, _)| !a.contains(&b'=')).map(|(a, _)| text(a)).collect::<Vec<_>>();
                self.model.resolvers.push(Resolver {
                    addresses,
                    range,
                    server: frame.server,
                    location: frame.location,
                });
            }
            (_, b"set") => {
                if let [(var, _), (value, _), ..] = args.as_slice() {
                    self.model.sets.push(SetVar {
                        variable: text(var),
                        value: text(&crate::unescape(value)),
                        range,
                        server: frame.server,
                        location: frame.location,
                    });
                }
            }
            (Context::Server, b"listen") => {
                if let Some(s) = frame.server.and_then(|s| self.model.servers.get_mut(s)) {
                    s.listens.push(parse_listen(&args, range));
                }
            }
            (Context::StreamServer, b"listen") => {
                if let Some(s) = frame.server.and_then(|s| self.model.servers.get_mut(s)) {
                    s.listens.push(parse_listen(&args, range));
                }
            }
            (Context::Server, b"server_name") => {
                if let Some(s) = frame.server.and_then(|s| self.model.servers.get_mut(s)) {
                    s.names.extend(args.iter().map(|(a, _)| text(a)));
                }
            }
            (Context::Upstream | Context::StreamUpstream, b"server") => {
                if let Some(u) = frame.upstream.and_then(|u| self.model.upstreams.get_mut(u))
                    && let Some(s) = parse_upstream_server(&args, range)
                {
                    u.servers.push(s);
                }
            }
            (Context::Upstream, b"keepalive") => {
                if let Some(u) = frame.upstream.and_then(|u| self.model.upstreams.get_mut(u)) {
                    u.keepalive = setting_u32(first().as_ref());
                }
            }
            (Context::Upstream | Context::StreamUpstream, b"zone") => {
                if let Some(u) = frame.upstream.and_then(|u| self.model.upstreams.get_mut(u)) {
                    u.zone = first();
                }
            }
            _ => {}
        }
        if let Some(kind) = PassKind::from_directive(name)
            && matches!(frame.ctx, Context::Location | Context::LocationIf)
            && let Some((url, r)) = args.first().copied()
        {
            let target = parse_target(kind, url, r, range, frame);
            self.model.targets.push(target);
            self.pending_targets.push((self.model.targets.len() - 1, frame.level, di));
        }
        if let (Some(level), Some(key)) = (frame.level, setting_key(name)) {
            self.settings_seen.push((level, key, di));
        }
    }

    /// Links targets to upstream blocks, reports hosts nginx cannot resolve, computes effective settings.
    pub(super) fn resolve_targets(&mut self) {
        let pending = std::mem::take(&mut self.pending_targets);
        let mut by_name: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, u) in self.model.upstreams.iter().enumerate() {
            if !u.stream {
                by_name.entry(u.name.to_ascii_lowercase()).or_insert(i);
            }
        }
        for (ti, level, _di) in pending {
            let Some(t) = self.model.targets.get(ti) else { continue };
            let kind = t.kind;
            let mut host_diag = None;
            let mut port_on_upstream = None;
            if let TargetHost::Inet { host, port, port_explicit: true, host_range, port_range: Some(pr) } =
                &t.host
                && let Some(&ui) = by_name.get(&host.to_ascii_lowercase())
            {
                port_on_upstream = Some((ui, *port, TextRange::new(host_range.end, pr.end), *pr));
            }
            if let Some((ui, port, cut, pr)) = port_on_upstream {
                // nginx: an upstream{} name may not carry a port.
                let name = self.model.upstreams.get(ui).map(|u| u.name.clone()).unwrap_or_default();
                let d = self.diag(
                    DiagnosticCode::Directive,
                    format!("upstream \"{name}\" may not have port {port}"),
                    pr,
                );
                d.edit = Some((cut, String::new()));
            }
            let Some(t) = self.model.targets.get(ti) else { continue };
            if let TargetHost::Inet { host, port_explicit, host_range, .. } = &t.host {
                let found = by_name.get(&host.to_ascii_lowercase()).copied();
                match found {
                    Some(index) if !port_explicit => {
                        if let Some(t) = self.model.targets.get_mut(ti) {
                            t.host = TargetHost::Upstream { index };
                        }
                    }
                    Some(_) => {}
                    None if !t.has_variables && !host_looks_resolvable(host) => {
                        host_diag = Some((host.clone(), *host_range, t.range));
                    }
                    None => {}
                }
            }
            if let Some((host, hr, whole)) = host_diag {
                let suggestion = self.closest_upstream(&host);
                let term_line_differs = self.line(whole.start) != self.line(hr.start);
                let d = self.diag(
                    DiagnosticCode::HostNotFound,
                    format!("host not found in upstream \"{host}\""),
                    hr,
                );
                d.after_parse = true;
                if term_line_differs {
                    d.nginx_range = Some(TextRange::new(whole.start, whole.start));
                }
                if let Some(s) = suggestion {
                    d.edit = Some((hr, s.clone()));
                    d.suggestion = Some(s);
                }
            }
            let eff = self.effective(kind, level);
            if let Some(t) = self.model.targets.get_mut(ti) {
                t.effective = eff;
            }
        }
    }

    pub(super) fn closest_upstream(&self, host: &str) -> Option<String> {
        let mut best: Option<(f64, &str)> = None;
        // A host name is at most 253 bytes: a longer one is no typo of an upstream's name,
        // and comparing it would cost its length times each name's.
        if host.len() > 253 {
            return None;
        }
        for u in &self.model.upstreams {
            let s = strsim::jaro_winkler(host, &u.name);
            if s >= 0.8 && best.is_none_or(|(b, _)| s > b) {
                best = Some((s, &u.name));
            }
        }
        best.map(|(_, n)| n.to_string())
    }

    /// "host not found" for `server` lines of upstream blocks (nginx resolves them while reading).
    pub(super) fn check_upstream_hosts(&mut self) {
        let mut found = Vec::new();
        for u in &self.model.upstreams {
            for s in &u.servers {
                if let Address::Inet { host, .. } = &s.address
                    && !s.resolve
                    && s.service.is_none()
                    && !host_looks_resolvable(host)
                {
                    found.push((host.clone(), s.address_range));
                }
            }
        }
        for (host, r) in found {
            let suggestion = self.closest_upstream(&host);
            let d =
                self.diag(DiagnosticCode::HostNotFound, format!("host not found in upstream \"{host}\""), r);
            d.suggestion = suggestion;
        }
    }
}

pub(super) fn split_host_port(s: &[u8]) -> (&[u8], Option<&[u8]>) {
    if s.starts_with(b"[")
        && let Some(k) = s.iter().position(|&b| b == b']')
    {
        let host = s.get(..=k).unwrap_or_default();
        let rest = s.get(k + 1..).unwrap_or_default();
        return (host, rest.strip_prefix(b":"));
    }
    match s.iter().rposition(|&b| b == b':') {
        Some(k) if s.iter().filter(|&&b| b == b':').count() == 1 => {
            (s.get(..k).unwrap_or_default(), s.get(k + 1..))
        }
        _ => (s, None),
    }
}

pub(super) fn parse_listen(args: &[(&[u8], TextRange)], range: TextRange) -> Listen {
    let (a, _) = args.first().copied().unwrap_or((b"", range));
    let params = args.get(1..).unwrap_or_default();
    let has = |p: &[u8]| params.iter().any(|(v, _)| *v == p);
    let mut l = Listen {
        addr: "*".into(),
        port: None,
        unix: None,
        default_server: has(b"default_server") || has(b"default"),
        ssl: has(b"ssl"),
        http2: has(b"http2"),
        range,
    };
    if let Some(path) = a.strip_prefix(b"unix:") {
        l.unix = Some(text(path));
        l.addr = text(a);
    } else if a.iter().all(u8::is_ascii_digit) {
        l.port = text(a).parse().ok();
    } else {
        let (h, p) = split_host_port(a);
        l.addr = text(h);
        l.port = match p {
            Some(p) => text(p).parse().ok(),
            None => Some(80),
        };
    }
    l
}

pub(super) fn parse_upstream_server(args: &[(&[u8], TextRange)], range: TextRange) -> Option<UpstreamServer> {
    let (a, ar) = args.first().copied()?;
    let address = if let Some(path) = a.strip_prefix(b"unix:") {
        Address::Unix { path: text(path) }
    } else {
        let (h, p) = split_host_port(a);
        Address::Inet { host: text(h), port: p.and_then(|p| text(p).parse().ok()) }
    };
    let mut s = UpstreamServer {
        address,
        range,
        address_range: ar,
        weight: None,
        max_fails: None,
        fail_timeout: None,
        backup: false,
        down: false,
        resolve: false,
        service: None,
    };
    for (p, _) in args.iter().skip(1) {
        let num = |v: &[u8]| std::str::from_utf8(v).ok().and_then(|v| v.parse().ok());
        if let Some(v) = p.strip_prefix(b"weight=") {
            s.weight = num(v);
        } else if let Some(v) = p.strip_prefix(b"max_fails=") {
            s.max_fails = num(v);
        } else if let Some(v) = p.strip_prefix(b"fail_timeout=") {
            s.fail_timeout = Some(text(v));
        } else if let Some(v) = p.strip_prefix(b"service=") {
            s.service = Some(text(v));
        } else if *p == b"backup" {
            s.backup = true;
        } else if *p == b"down" {
            s.down = true;
        } else if *p == b"resolve" {
            s.resolve = true;
        }
    }
    Some(s)
}

pub(super) fn parse_target(
    kind: PassKind,
    url: &[u8],
    r: TextRange,
    range: TextRange,
    frame: Frame,
) -> Target {
    let has_variables = url.contains(&b'$');
    let (scheme, rest_start) = match find(url, b"://") {
        Some(k) if url.get(..k).is_some_and(|s| s.iter().all(|b| b.is_ascii_alphanumeric())) => {
            (Some(text(url.get(..k).unwrap_or_default()).to_ascii_lowercase()), k + 3)
        }
        _ => (None, 0),
    };
    let rest = url.get(rest_start..).unwrap_or_default();
    let base = r.start + rest_start as u32;
    let mut uri = None;
    let host = if let Some(path) = rest.strip_prefix(b"unix:") {
        let (p, u) = match path.iter().position(|&b| b == b':') {
            Some(k) => (path.get(..k).unwrap_or_default(), path.get(k + 1..)),
            None => (path, None),
        };
        uri = u.map(text);
        let start = base + 5;
        TargetHost::Unix { path: text(p), path_range: TextRange::new(start, start + p.len() as u32) }
    } else {
        let auth_len = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
        let auth = rest.get(..auth_len).unwrap_or_default();
        if auth_len < rest.len() {
            uri = Some(text(rest.get(auth_len..).unwrap_or_default()));
        }
        if auth.contains(&b'$') {
            TargetHost::Variable
        } else {
            let (h, p) = split_host_port(auth);
            let default_port = match (kind, scheme.as_deref()) {
                (PassKind::Proxy, Some("https")) => 443,
                (PassKind::Proxy, _) => 80,
                _ => 0,
            };
            let port_range = p.map(|p| {
                let start = base + h.len() as u32 + 1;
                TextRange::new(start, start + p.len() as u32)
            });
            TargetHost::Inet {
                host: text(h),
                port: p.and_then(|p| text(p).parse().ok()).unwrap_or(default_port),
                port_explicit: p.is_some(),
                host_range: TextRange::new(base, base + h.len() as u32),
                port_range,
            }
        }
    };
    Target {
        kind,
        range,
        arg_range: r,
        raw: text(url),
        scheme,
        host,
        uri,
        has_variables,
        server: frame.server,
        location: frame.location,
        effective: placeholder_effective(),
    }
}

pub(super) fn placeholder_effective() -> Effective {
    Effective {
        connect_timeout: Setting::default_value(60_000),
        read_timeout: Setting::default_value(60_000),
        send_timeout: Setting::default_value(60_000),
        buffer_size: Setting::default_value(4096),
        buffers: Setting::default_value((8, 4096)),
        busy_buffers_size: None,
        http_version: Setting::default_value(String::new()),
        set_headers: Vec::new(),
        ssl_server_name: Setting::default_value(false),
        ssl_verify: Setting::default_value(false),
        next_upstream: Setting::default_value(Vec::new()),
        buffering: Setting::default_value(true),
    }
}
