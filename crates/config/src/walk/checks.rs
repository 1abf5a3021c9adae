//! What `nginx -t` checks as it reads each directive: the context it stands in, block or not,
//! argument counts, duplicates, `*_pass` schemes and ports, nested locations, empty upstreams.

use super::third_party::fair_problem;
use super::*;

impl<'a> Walker<'a> {
    /// Picks the context a file that nothing includes belongs to: the first of main, http,
    /// server, location in which its directives fit best.
    pub(super) fn infer_context(&self, f: u32) -> Context {
        let Some(&(start, end)) = self.file_tops.get(f as usize) else { return Context::Main };
        // Evidence of a main file: blocks and directives that only exist there.
        let mut i = start;
        while i < end {
            let name = self.name(i);
            if matches!(
                name,
                b"events"
                    | b"http"
                    | b"stream"
                    | b"mail"
                    | b"worker_processes"
                    | b"user"
                    | b"pid"
                    | b"load_module"
            ) {
                return Context::Main;
            }
            i = self.cfg.directives.get(i as usize).map_or(end, |d| d.subtree_end.max(i + 1));
        }
        let mut best = (usize::MAX, Context::Main);
        for ctx in [Context::Main, Context::Http, Context::Server, Context::Location] {
            let misplaced = self.count_misplaced(start, end, ctx, best.0);
            if misplaced < best.0 {
                best = (misplaced, ctx);
            }
            if misplaced == 0 {
                break;
            }
        }
        best.1
    }

    /// How many directives of a file would be "not allowed here" read in `ctx` (stops at `limit`).
    pub(super) fn count_misplaced(&self, start: u32, end: u32, ctx: Context, limit: usize) -> usize {
        let mut count = 0;
        let mut stack = vec![(start, end, ctx)];
        while let Some((cur, stop, ctx)) = stack.pop() {
            if cur >= stop || count >= limit {
                continue;
            }
            let Some(d) = self.cfg.directives.get(cur as usize) else { continue };
            if d.parent.is_some() && cur == start && ctx != Context::Main {
                // not a top-level directive
            }
            stack.push((d.subtree_end.max(cur + 1), stop, ctx));
            let name = self.name(cur);
            let fits = |masks: &[u32], mask: u32| masks.iter().any(|m| m & mask != 0);
            let misplaced = match (ctx.mask(), directives::lookup(name)) {
                (Some(mask), Some(masks)) => !fits(masks, mask),
                // A third-party module's directive counts too (`more_set_headers` alone is a
                // location's or a server's, not the main file's).
                (Some(mask), None) => {
                    let mut providers = crate::modules::providers(name).peekable();
                    providers.peek().is_some() && !providers.any(|(_, masks)| fits(masks, mask))
                }
                (None, _) => false,
            };
            if misplaced && name != b"include" {
                count += 1;
            }
            if d.is_block() {
                stack.push((cur + 1, d.subtree_end, ctx.enter(name)));
            }
        }
        count
    }

    /// nginx's `ngx_conf_handler` checks plus the common value checks. Returns whether the
    /// directive is valid (so that the model may use it).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn check(
        &mut self,
        di: u32,
        name: &'a [u8],
        info: NameInfo,
        mask: u32,
        is_block: bool,
        name_range: TextRange,
        frame: Frame,
    ) -> bool {
        let name_s = Lossy(name);
        let (masks, value_kind) = (info.masks, info.value_kind);
        let masks = match (masks, info.third_party.then(|| self.provider(name)).flatten()) {
            (None, Some((module, masks))) => {
                if !self.module_directive(di, name, module, name_range) {
                    return false;
                }
                Some(masks)
            }
            (masks, _) => masks,
        };
        let Some(masks) = masks else {
            let suggestion = directives::closest(&text(name)).map(str::to_string);
            self.directive_error(di, format!("unknown directive \"{name_s}\""), name_range);
            if let (Some(s), Some(d)) = (suggestion, self.diags.last_mut()) {
                d.edit = Some((name_range, s.clone()));
                d.suggestion = Some(s);
            }
            return false;
        };
        let Some(&m) = masks.iter().find(|m| *m & mask != 0) else {
            self.directive_error(di, format!("\"{name_s}\" directive is not allowed here"), name_range);
            return false;
        };
        if m & directives::BLOCK == 0 && is_block {
            self.directive_error(
                di,
                format!("directive \"{name_s}\" is not terminated by \";\""),
                name_range,
            );
            return false;
        }
        if m & directives::BLOCK != 0 && !is_block {
            self.directive_error(di, format!("directive \"{name_s}\" has no opening \"{{\""), name_range);
            return false;
        }
        let arg_tokens =
            self.cfg.directives.get(di as usize).map(|d| self.cfg.arg_tokens(d)).unwrap_or_default();
        let needs_all = info.needs_all;
        let args = if needs_all { self.args(di) } else { Vec::new() };
        let first = arg_tokens.first().map(|&t| self.cfg.word(t));
        if !directives::args_ok(m, arg_tokens.len()) {
            self.directive_error(
                di,
                format!("invalid number of arguments in \"{name_s}\" directive"),
                name_range,
            );
            return false;
        }
        if let Some(kind) = value_kind {
            let scope = self.scopes.get_mut(frame.scope as usize);
            let dup = scope.as_ref().is_some_and(|s| s.contains(&name));
            if let Some(s) = scope
                && !dup
            {
                s.push(name);
            }
            if let Some((v, r)) = first {
                let v = crate::unescape(v);
                let valid = match kind {
                    ValueKind::Flag => v.eq_ignore_ascii_case(b"on") || v.eq_ignore_ascii_case(b"off"),
                    ValueKind::Time => directives::parse_time_ms(&v).is_some(),
                    ValueKind::Size => directives::parse_size(&v, false).is_some(),
                    ValueKind::Offset => directives::parse_size(&v, true).is_some(),
                    ValueKind::Number => !v.is_empty() && v.iter().all(u8::is_ascii_digit),
                };
                if !valid {
                    let msg = match kind {
                        ValueKind::Flag => format!(
                            "invalid value \"{}\" in \"{name_s}\" directive, it must be \"on\" or \"off\"",
                            text(&v)
                        ),
                        ValueKind::Number => format!("\"{name_s}\" directive invalid number"),
                        _ => format!("\"{name_s}\" directive invalid value"),
                    };
                    self.directive_error(di, msg, r);
                    return false;
                }
            }
            if dup {
                self.directive_error(di, format!("\"{name_s}\" directive is duplicate"), name_range);
                return false;
            }
        }
        match name {
            b"error_log" | b"keepalive_timeout" | b"access_log" | b"expires" | b"resolver"
            | b"add_header" | b"add_trailer" | b"fastcgi_param" | b"uwsgi_param" | b"scgi_param"
            | b"grpc_set_header" => {
                if let Some((msg, r, code)) = self.value_problem(name, &args) {
                    if code == DiagnosticCode::Directive {
                        self.directive_error(di, msg, r);
                    } else {
                        self.diag(code, msg, r);
                    }
                    return false;
                }
            }
            b"server" if matches!(frame.ctx, Context::Upstream | Context::StreamUpstream) => {
                for (p, r) in args.iter().skip(1) {
                    if !upstream_param_ok(p) {
                        self.directive_error(di, format!("invalid parameter \"{}\"", text(p)), *r);
                        return false;
                    }
                }
            }
            b"load_module" if frame.ctx == Context::Main && !self.load_module(di) => return false,
            b"fair" if frame.ctx == Context::Upstream => {
                if let Some((msg, r)) = fair_problem(&args) {
                    self.directive_error(di, msg, r);
                    return false;
                }
            }
            b"listen" if frame.ctx == Context::Server => {
                for (p, r) in args.iter().skip(1) {
                    if !listen_param_ok(p) {
                        self.directive_error(di, format!("invalid parameter \"{}\"", text(p)), *r);
                        return false;
                    }
                }
            }
            _ => {}
        }
        if let Some(kind) = info.pass {
            if frame.ctx == Context::Location || frame.ctx == Context::LocationIf {
                let scope = self.scopes.get_mut(frame.scope as usize);
                let key: &[u8] = name;
                let dup = scope.as_ref().is_some_and(|s| s.contains(&key));
                if let Some(s) = scope
                    && !dup
                {
                    s.push(key);
                }
                if dup {
                    self.directive_error(di, format!("\"{name_s}\" directive is duplicate"), name_range);
                    return false;
                }
            }
            if let Some((url, r)) = first {
                if !self.check_pass(di, kind, url, r) {
                    return false;
                }
                if kind == PassKind::Proxy && !url.contains(&b'$') && self.proxy_uri_forbidden(frame) {
                    let after_scheme = find(url, b"://").map_or(0, |k| k + 3);
                    let rest = url.get(after_scheme..).unwrap_or_default();
                    let rest = rest.strip_prefix(b"unix:").map_or(rest, |p| {
                        p.iter().position(|&b| b == b':').and_then(|k| p.get(k..)).unwrap_or_default()
                    });
                    if rest.iter().any(|&b| b == b'/' || b == b':')
                        && rest.iter().position(|&b| b == b'/').is_some()
                    {
                        self.directive_error(
                            di,
                            "\"proxy_pass\" cannot have URI part in location given by regular expression, or inside named location, or inside \"if\" statement, or inside \"limit_except\" block".into(),
                            r,
                        );
                        return false;
                    }
                }
            }
        }
        true
    }

    /// The scheme a `*_pass` needs; "no port" for modules without a default port.
    pub(super) fn check_pass(&mut self, di: u32, kind: PassKind, url: &[u8], r: TextRange) -> bool {
        if url.contains(&b'$') {
            return true;
        }
        let scheme_end = find(url, b"://");
        match kind {
            PassKind::Proxy => {
                if !(starts_with_ci(url, b"http://") || starts_with_ci(url, b"https://")) {
                    let (edit_range, replacement) = match scheme_end {
                        Some(k) => (TextRange::new(r.start, r.start + k as u32 + 3), "http://".to_string()),
                        None => (TextRange::new(r.start, r.start), "http://".to_string()),
                    };
                    let d = self.diag(DiagnosticCode::PassScheme, "invalid URL prefix".into(), r);
                    d.edit = Some((edit_range, replacement));
                    d.suggestion = Some(format!(
                        "http://{}",
                        text(url.get(scheme_end.map_or(0, |k| k + 3)..).unwrap_or_default())
                    ));
                    self.fix_nginx_range(di);
                    return false;
                }
            }
            _ => {
                let allowed: &[&[u8]] = match kind {
                    PassKind::Grpc => &[b"grpc://", b"grpcs://"],
                    PassKind::Uwsgi => &[b"uwsgi://", b"suwsgi://"],
                    _ => &[],
                };
                if let Some(k) = scheme_end
                    && !allowed.iter().any(|a| starts_with_ci(url, a))
                {
                    let msg = format!("invalid host in upstream \"{}\"", text(url));
                    let d = self.diag(DiagnosticCode::PassScheme, msg, r);
                    d.edit = Some((TextRange::new(r.start, r.start + k as u32 + 3), String::new()));
                    self.fix_nginx_range(di);
                    return false;
                }
                let rest = url.get(scheme_end.map_or(0, |k| k + 3)..).unwrap_or_default();
                if !rest.starts_with(b"unix:") && !has_port(rest) && !self.is_upstream_name_later(rest) {
                    let msg = format!("no port in upstream \"{}\"", text(rest));
                    let d = self.diag(DiagnosticCode::Directive, msg, r);
                    d.after_parse = true;
                    self.fix_nginx_range(di);
                    return false;
                }
            }
        }
        true
    }

    /// Whether a name may be an upstream block (defined anywhere in the paste).
    pub(super) fn is_upstream_name_later(&self, host: &[u8]) -> bool {
        self.upstream_names.contains(host)
    }

    /// Where nginx forbids a URI part in `proxy_pass`: regex and named locations, `if`, `limit_except`.
    pub(super) fn proxy_uri_forbidden(&self, frame: Frame) -> bool {
        if matches!(frame.ctx, Context::LocationIf | Context::LimitExcept) {
            return true;
        }
        frame
            .location
            .and_then(|l| self.model.locations.get(l))
            .is_some_and(|l| matches!(l.modifier.as_deref(), Some("~" | "~*" | "@")))
    }

    /// A block's `}` was reached: checks nginx makes when a block ends.
    pub(super) fn block_closed(&mut self, done: Frame) {
        let (Some(block), None) = (done.block, done.file) else { return };
        if matches!(done.ctx, Context::Upstream | Context::StreamUpstream) {
            let empty =
                done.upstream.and_then(|u| self.model.upstreams.get(u)).is_some_and(|u| u.servers.is_empty());
            let close = self.cfg.directives.get(block as usize).and_then(|d| match d.end {
                End::Block { close: Some(c), .. } => self.cfg.tokens.get(c as usize).map(|t| t.range),
                _ => None,
            });
            if let (true, Some(close)) = (empty, close) {
                let r =
                    done.upstream.and_then(|u| self.model.upstreams.get(u)).map_or(close, |u| u.name_range);
                let d = self.diag(DiagnosticCode::Directive, "no servers are inside upstream".into(), r);
                d.nginx_range = Some(close);
            }
        }
    }

    /// An entry of a block read by its own handler (`map`, `types`...): nginx refuses a nested
    /// block, and a `map` entry needs a value and a result.
    pub(super) fn raw_entry(&mut self, di: u32, name: &[u8], is_block: bool, frame: Frame) {
        if is_block {
            let r = self.terminator_range(di).unwrap_or_default();
            self.diag(DiagnosticCode::Syntax, "unexpected \"{\"".into(), r);
            return;
        }
        if frame.in_map && name != b"include" {
            let n = self.args(di).len();
            let ok = n == 1 || (n == 0 && matches!(name, b"hostnames" | b"volatile"));
            if !ok {
                let r = self.cfg.directives.get(di as usize).map(|d| d.range).unwrap_or_default();
                self.directive_error(di, "invalid number of the map parameters".into(), r);
            }
        }
    }

    /// nginx's rules for a location inside a location.
    pub(super) fn check_nested_location(&mut self, di: u32, frame: Frame, args: &[(&[u8], TextRange)]) {
        if frame.ctx != Context::Location {
            return;
        }
        let Some(parent) = frame.location.and_then(|l| self.model.locations.get(l)) else { return };
        let (pmod, ppat) = (parent.modifier.clone(), parent.pattern.clone());
        let (modifier, pattern): (Option<&[u8]>, &[u8]) = match args {
            [(m, _), (p, _), ..] => (Some(*m), *p),
            [(p, _)] => {
                let m = [&b"="[..], b"^~", b"~*", b"~"]
                    .into_iter()
                    .find(|m| p.starts_with(m) && p.len() > m.len());
                (m, p.get(m.map_or(0, <[u8]>::len)..).unwrap_or_default())
            }
            [] => return,
        };
        let pattern_s = text(pattern);
        let r = self.cfg.directives.get(di as usize).map(|d| d.range).unwrap_or_default();
        let msg = if pmod.as_deref() == Some("=") {
            format!("location \"{pattern_s}\" cannot be inside the exact location \"{ppat}\"")
        } else if pmod.as_deref() == Some("@") {
            format!("location \"{pattern_s}\" cannot be inside the named location \"{ppat}\"")
        } else if pattern.starts_with(b"@") {
            format!("named location \"{pattern_s}\" can be on server level only")
        } else if !matches!(modifier, Some(b"~" | b"~*")) && !pattern.starts_with(ppat.as_bytes()) {
            format!("location \"{pattern_s}\" is outside location \"{ppat}\"")
        } else {
            return;
        };
        let name_r = self.name_range(di).unwrap_or(r);
        self.directive_error(di, msg, name_r);
    }
}

pub(super) fn upstream_param_ok(p: &[u8]) -> bool {
    const PLAIN: [&[u8]; 4] = [b"backup", b"down", b"resolve", b"drain"];
    const PREFIX: [&[u8]; 7] =
        [b"weight=", b"max_fails=", b"fail_timeout=", b"max_conns=", b"service=", b"route=", b"slow_start="];
    PLAIN.contains(&p) || PREFIX.iter().any(|x| p.starts_with(x))
}

pub(super) fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

pub(super) fn has_port(rest: &[u8]) -> bool {
    let auth = rest.split(|&b| b == b'/').next().unwrap_or_default();
    let auth = match auth.iter().rposition(|&b| b == b']') {
        Some(k) => auth.get(k + 1..).unwrap_or_default(),
        None => auth,
    };
    auth.contains(&b':')
}

/// Hosts nginx may resolve at startup: addresses, `localhost`, and dotted names (which only DNS
/// can judge). A bare word that is no upstream name fails with "host not found in upstream".
pub(super) fn host_looks_resolvable(host: &str) -> bool {
    host.contains('.')
        || host.contains(':')
        || host.eq_ignore_ascii_case("localhost")
        || host.is_empty()
        || host == "*"
}

pub(super) fn listen_param_ok(p: &[u8]) -> bool {
    const PLAIN: [&[u8]; 9] = [
        b"default_server",
        b"default",
        b"ssl",
        b"http2",
        b"proxy_protocol",
        b"deferred",
        b"bind",
        b"reuseport",
        b"spdy",
    ];
    const PREFIX: [&[u8]; 8] = [
        b"setfib=",
        b"fastopen=",
        b"backlog=",
        b"rcvbuf=",
        b"sndbuf=",
        b"accept_filter=",
        b"ipv6only=",
        b"so_keepalive=",
    ];
    PLAIN.contains(&p) || PREFIX.iter().any(|x| p.starts_with(x))
}
