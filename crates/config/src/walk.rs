//! Walks the configuration as nginx reads it (includes followed in place, with an explicit
//! stack): directive contexts and checks (BG102–BG105), and the model with effective settings.

use crate::directives::{self, ValueKind};
use crate::model::*;
use crate::range::TextRange;
use crate::syntax::{End, TokenKind};
use crate::{Config, Diagnostic, DiagnosticCode};
use serde::Serialize;

/// The block a directive sits in, as nginx's `cmd_type` sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Context {
    Main,
    Events,
    Http,
    Server,
    Location,
    Upstream,
    ServerIf,
    LocationIf,
    LimitExcept,
    Stream,
    StreamServer,
    StreamUpstream,
    Mail,
    MailServer,
    /// A block read by its own handler (`types`, `map`, `geo`, `split_clients`, Lua code...).
    Raw,
    /// Inside a block nginx does not know.
    Unknown,
}

impl Context {
    fn mask(self) -> Option<u32> {
        use directives::*;
        Some(match self {
            Self::Main => MAIN,
            Self::Events => EVENT,
            Self::Http => HTTP_MAIN,
            Self::Server => HTTP_SRV,
            Self::Location => HTTP_LOC,
            Self::Upstream => HTTP_UPS,
            Self::ServerIf => HTTP_SIF,
            Self::LocationIf => HTTP_LIF,
            Self::LimitExcept => HTTP_LMT,
            Self::Stream => STREAM_MAIN,
            Self::StreamServer => STREAM_SRV,
            Self::StreamUpstream => STREAM_UPS,
            Self::Mail => MAIL_MAIN,
            Self::MailServer => MAIL_SRV,
            Self::Raw | Self::Unknown => return None,
        })
    }

    fn enter(self, name: &[u8]) -> Context {
        match (self, name) {
            (Self::Main, b"events") => Self::Events,
            (Self::Main, b"http") => Self::Http,
            (Self::Main, b"stream") => Self::Stream,
            (Self::Main, b"mail") => Self::Mail,
            (Self::Http, b"server") => Self::Server,
            (Self::Stream, b"server") => Self::StreamServer,
            (Self::Mail, b"server") => Self::MailServer,
            (Self::Http, b"upstream") => Self::Upstream,
            (Self::Stream, b"upstream") => Self::StreamUpstream,
            (Self::Server | Self::Location, b"location") => Self::Location,
            (Self::Server, b"if") => Self::ServerIf,
            (Self::Location, b"if") => Self::LocationIf,
            (Self::Location, b"limit_except") => Self::LimitExcept,
            (_, b"types" | b"map" | b"geo" | b"split_clients" | b"charset_map" | b"match") => Self::Raw,
            (_, n) if n.ends_with(b"_by_lua_block") => Self::Raw,
            _ => Self::Unknown,
        }
    }
}

pub(crate) struct Output {
    pub model: Model,
    pub diagnostics: Vec<Diagnostic>,
    pub file_contexts: Vec<Context>,
}

#[derive(Clone, Copy)]
struct Frame {
    cursor: u32,
    end: u32,
    ctx: Context,
    /// Effective-settings level (http, server, location, if).
    level: Option<u32>,
    server: Option<usize>,
    location: Option<usize>,
    upstream: Option<usize>,
    /// The file this frame walks the top of, when it is an included (or root) file.
    file: Option<u32>,
    /// Duplicate-detection scope: one per block (includes share their parent's).
    scope: u32,
    /// The block directive whose children this frame walks (None for a file's top).
    block: Option<u32>,
    /// Inside `map { }`: entries are `value result;`.
    in_map: bool,
}

struct Level {
    parent: Option<u32>,
    /// The enclosing `http` block directive (where nginx reports merge errors).
    http: Option<u32>,
    /// Its (setting key, directive index) entries, in order: a range of `Walker::own`, filled
    /// once the walk is over (see `group_settings`).
    own: (u32, u32),
}

struct Walker<'a> {
    cfg: &'a Config,
    model: Model,
    diags: Vec<Diagnostic>,
    levels: Vec<Level>,
    scopes: Vec<Vec<&'a [u8]>>,
    /// Directive ranges of each file's top level.
    file_tops: Vec<(u32, u32)>,
    visited: Vec<bool>,
    active: Vec<u32>,
    /// Targets: (target index, level) to resolve after the walk.
    pending_targets: Vec<(usize, Option<u32>, u32)>,
    /// Upstream `server` hosts to check once all upstream names are known: (upstream, server).
    stack: Vec<Frame>,
    include_cache: std::collections::HashMap<String, Vec<u32>>,
    /// Every `upstream` name in the paste (a `*_pass` may name one defined later).
    /// FNV like `var_defs`: one set type, not two (each costs the page's wasm code).
    upstream_names: std::collections::HashSet<&'a [u8], FnvBuild>,
    lookup_cache: std::collections::HashMap<&'a [u8], Lookup, FnvBuild>,
    /// `$name` uses in http contexts, in order, and the names the configuration defines.
    var_uses: Vec<(&'a [u8], TextRange)>,
    /// (level, setting key, directive index) in walk order; grouped into `own` after the walk.
    settings_seen: Vec<(u32, u16, u32)>,
    own: Vec<(u16, u32)>,
    var_defs: std::collections::HashSet<&'a [u8], FnvBuild>,
    /// Modules that define variables we cannot see (Lua, Perl, njs, unknown directives).
    vars_opaque: bool,
    /// An `http {}` block was read in the main context (a whole configuration, not a snippet).
    saw_http: bool,
    /// Directives that included files may still add to the walk.
    include_budget: usize,
    budget_reported: bool,
    overflow: Diagnostic,
}

type Lookup = NameInfo;

/// What the walk needs to know about a directive name, computed once per distinct name.
#[derive(Clone, Copy)]
struct NameInfo {
    masks: Option<&'static [u32]>,
    value_kind: Option<ValueKind>,
    setting_key: Option<u16>,
    /// Checked argument by argument (parameters, levels, values).
    needs_all: bool,
    /// Feeds the model (beyond effective settings).
    interesting: bool,
    /// Lua, Perl or njs: may define variables we cannot see.
    opaque_vars: bool,
    pass: Option<PassKind>,
}

impl NameInfo {
    fn of(name: &[u8]) -> Self {
        let pass = PassKind::from_directive(name);
        Self {
            masks: directives::lookup(name),
            value_kind: directives::value_kind(name),
            setting_key: setting_key(name),
            needs_all: matches!(
                name,
                b"error_log"
                    | b"keepalive_timeout"
                    | b"access_log"
                    | b"expires"
                    | b"resolver"
                    | b"add_header"
                    | b"add_trailer"
                    | b"fastcgi_param"
                    | b"uwsgi_param"
                    | b"scgi_param"
                    | b"grpc_set_header"
                    | b"server"
                    | b"listen"
            ),
            interesting: pass.is_some()
                || matches!(
                    name,
                    b"user"
                        | b"worker_processes"
                        | b"worker_rlimit_nofile"
                        | b"worker_connections"
                        | b"error_log"
                        | b"resolver"
                        | b"set"
                        | b"listen"
                        | b"server_name"
                        | b"server"
                        | b"keepalive"
                        | b"zone"
                ),
            opaque_vars: name.windows(3).any(|w| w == b"lua")
                || name.starts_with(b"perl")
                || name.starts_with(b"js_"),
            pass,
        }
    }
}

/// FNV-1a: directive names are short and not attacker-chosen in a way that matters here
/// (the cache only speeds up the table lookup).
#[derive(Clone, Copy, Default)]
struct FnvBuild;

struct Fnv(u64);

impl std::hash::BuildHasher for FnvBuild {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub(crate) fn run(cfg: &Config) -> Output {
    let nfiles = cfg.files.len();
    let mut file_tops = vec![(0u32, 0u32); nfiles];
    let mut seen = vec![false; nfiles];
    for (i, d) in cfg.directives.iter().enumerate() {
        let f = d.file as usize;
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if let (Some(top), Some(s)) = (file_tops.get_mut(f), seen.get_mut(f)) {
            if !*s {
                *top = (i, i);
                *s = true;
            }
            top.1 = i + 1;
        }
    }
    let mut w = Walker {
        cfg,
        model: Model::default(),
        diags: Vec::new(),
        levels: Vec::new(),
        scopes: Vec::new(),
        file_tops,
        visited: vec![false; nfiles],
        active: vec![0; nfiles],
        pending_targets: Vec::new(),
        stack: Vec::new(),
        include_cache: std::collections::HashMap::new(),
        lookup_cache: std::collections::HashMap::with_hasher(FnvBuild),
        var_uses: Vec::new(),
        settings_seen: Vec::new(),
        own: Vec::new(),
        var_defs: std::collections::HashSet::with_hasher(FnvBuild),
        vars_opaque: false,
        saw_http: false,
        include_budget: cfg.directives.len().saturating_mul(16).saturating_add(10_000),
        budget_reported: false,
        overflow: Diagnostic {
            code: DiagnosticCode::Syntax,
            message: String::new(),
            range: TextRange::default(),
            nginx_range: None,
            suggestion: None,
            edit: None,
            after_parse: false,
        },
        upstream_names: cfg
            .directives
            .iter()
            .filter(|d| cfg.name(d) == b"upstream")
            .filter_map(|d| cfg.arg_tokens(d).first().map(|&t| cfg.word(t).0))
            .collect(),
    };
    let mut contexts = vec![Context::Main; nfiles];
    for f in 0..nfiles {
        if w.visited.get(f).copied().unwrap_or(true) {
            continue;
        }
        let ctx = w.infer_context(f as u32);
        if let Some(c) = contexts.get_mut(f) {
            *c = ctx;
        }
        w.walk_root(f as u32, ctx);
    }
    w.group_settings();
    w.check_variables();
    w.check_buffers();
    w.resolve_targets();
    w.check_upstream_hosts();
    Output { model: w.model, diagnostics: w.diags, file_contexts: contexts }
}

/// Shows bytes as text only when formatted (names are mostly never shown).
struct Lossy<'b>(&'b [u8]);

impl std::fmt::Display for Lossy<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.0))
    }
}

fn text(b: &[u8]) -> String {
    // Configs are almost always valid UTF-8: the plain check is much cheaper than the lossy walk.
    match std::str::from_utf8(b) {
        Ok(s) => s.to_owned(),
        Err(_) => String::from_utf8_lossy(b).into_owned(),
    }
}

fn is_known_directive_start(name: &[u8]) -> bool {
    directives::lookup(name).is_some()
}

impl<'a> Walker<'a> {
    fn name(&self, di: u32) -> &'a [u8] {
        let cfg: &'a Config = self.cfg;
        cfg.directives.get(di as usize).map(|d| cfg.name(d)).unwrap_or_default()
    }

    fn args(&self, di: u32) -> Vec<(&'a [u8], TextRange)> {
        let cfg: &'a Config = self.cfg;
        match cfg.directives.get(di as usize) {
            Some(d) => cfg.arg_tokens(d).iter().map(|&t| cfg.word(t)).collect(),
            None => Vec::new(),
        }
    }

    /// The directive table entry and value kind of a name, memoised (names repeat a lot).
    fn lookup(&mut self, name: &'a [u8]) -> Lookup {
        *self.lookup_cache.entry(name).or_insert_with(|| NameInfo::of(name))
    }

    fn new_scope(&mut self) -> u32 {
        self.scopes.push(Vec::new());
        u32::try_from(self.scopes.len() - 1).unwrap_or(u32::MAX)
    }

    fn new_level(&mut self, parent: Option<u32>) -> u32 {
        let http = parent.and_then(|p| self.levels.get(p as usize)).and_then(|l| l.http);
        self.levels.push(Level { parent, http, own: (0, 0) });
        u32::try_from(self.levels.len() - 1).unwrap_or(u32::MAX)
    }

    /// Groups the settings seen during the walk by level, keeping their order (a counting
    /// sort: one flat vector instead of a growing vector per level).
    fn group_settings(&mut self) {
        let seen = std::mem::take(&mut self.settings_seen);
        let mut counts = vec![0u32; self.levels.len() + 1];
        for &(level, _, _) in &seen {
            if let Some(c) = counts.get_mut(level as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..counts.len() {
            let before = counts.get(i - 1).copied().unwrap_or(0);
            if let Some(c) = counts.get_mut(i) {
                *c += before;
            }
        }
        for (l, level) in self.levels.iter_mut().enumerate() {
            level.own = (counts.get(l).copied().unwrap_or(0), counts.get(l + 1).copied().unwrap_or(0));
        }
        let mut own = vec![(0u16, 0u32); seen.len()];
        for (level, key, di) in seen {
            if let Some(at) = counts.get_mut(level as usize) {
                if let Some(slot) = own.get_mut(*at as usize) {
                    *slot = (key, di);
                }
                *at += 1;
            }
        }
        self.own = own;
    }

    fn own(&self, level: &Level) -> &[(u16, u32)] {
        self.own.get(level.own.0 as usize..level.own.1 as usize).unwrap_or_default()
    }

    /// Picks the context a file that nothing includes belongs to: the first of main, http,
    /// server, location in which its directives fit best.
    fn infer_context(&self, f: u32) -> Context {
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
    fn count_misplaced(&self, start: u32, end: u32, ctx: Context, limit: usize) -> usize {
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
            if let (Some(mask), Some(masks)) = (ctx.mask(), directives::lookup(name))
                && name != b"include"
                && !masks.iter().any(|m| m & mask != 0)
            {
                count += 1;
            }
            if d.is_block() {
                stack.push((cur + 1, d.subtree_end, ctx.enter(name)));
            }
        }
        count
    }

    fn walk_root(&mut self, f: u32, ctx: Context) {
        let Some(&(start, end)) = self.file_tops.get(f as usize) else { return };
        if let Some(v) = self.visited.get_mut(f as usize) {
            *v = true;
        }
        if let Some(a) = self.active.get_mut(f as usize) {
            *a += 1;
        }
        let scope = self.new_scope();
        let level = match ctx {
            Context::Http | Context::Server | Context::Location => Some(self.new_level(None)),
            _ => None,
        };
        self.stack.push(Frame {
            cursor: start,
            end,
            ctx,
            level,
            server: None,
            location: None,
            upstream: None,
            file: Some(f),
            scope,
            block: None,
            in_map: false,
        });
        while let Some(frame) = self.stack.last_mut() {
            if frame.cursor >= frame.end {
                let done = *frame;
                self.stack.pop();
                self.block_closed(done);
                if let Some(file) = done.file
                    && let Some(a) = self.active.get_mut(file as usize)
                {
                    *a = a.saturating_sub(1);
                }
                continue;
            }
            let di = frame.cursor;
            let next = self.cfg.directives.get(di as usize).map_or(frame.end, |d| d.subtree_end.max(di + 1));
            frame.cursor = next;
            let frame = *frame;
            self.visit(di, frame);
        }
    }

    fn diag(&mut self, code: DiagnosticCode, message: String, range: TextRange) -> &mut Diagnostic {
        let d = Diagnostic {
            code,
            message,
            range,
            nginx_range: None,
            suggestion: None,
            edit: None,
            after_parse: false,
        };
        if self.diags.len() >= 4 * crate::MAX_DIAGNOSTICS {
            // Past the cap: written to a scratch slot nobody reads.
            self.overflow = d;
            return &mut self.overflow;
        }
        self.diags.push_mut(d)
    }

    /// Where nginx reports a directive error: at the token that ended the statement.
    fn terminator_range(&self, di: u32) -> Option<TextRange> {
        let d = self.cfg.directives.get(di as usize)?;
        let t = match d.end {
            End::Semicolon(t) => t,
            End::Block { open, .. } => open,
            End::Missing => return None,
        };
        self.cfg.tokens.get(t as usize).map(|t| t.range)
    }

    fn line(&self, offset: u32) -> usize {
        self.cfg.newlines.partition_point(|&n| n < offset)
    }

    /// Reports a directive error on the line nginx names; when an argument on a later line looks
    /// like the next directive, the mistake is a missing `;` before it.
    fn directive_error(&mut self, di: u32, message: String, range: TextRange) {
        if self.diags.len() >= 4 * crate::MAX_DIAGNOSTICS {
            return;
        }
        let term = self.terminator_range(di);
        let args = self.args(di);
        let name_range = self
            .cfg
            .directives
            .get(di as usize)
            .and_then(|d| self.cfg.tokens.get(d.name as usize))
            .map(|t| t.range);
        let mut prev_end = name_range.map_or(range.end, |r| r.end);
        let mut missing_semicolon = None;
        for (value, r) in &args {
            if self.line(r.start) > self.line(prev_end) && is_known_directive_start(value) {
                missing_semicolon = Some(prev_end);
                break;
            }
            prev_end = r.end;
        }
        let range = match missing_semicolon {
            Some(at) => TextRange::new(at, at),
            None => range,
        };
        let nginx_range = term.filter(|t| self.line(t.start) != self.line(range.start));
        let d = self.diag(DiagnosticCode::Directive, message, range);
        d.nginx_range = nginx_range;
        if let Some(at) = missing_semicolon {
            d.suggestion = Some("missing \";\"".into());
            d.edit = Some((TextRange::new(at, at), ";".into()));
        }
    }

    fn visit(&mut self, di: u32, frame: Frame) {
        let Some(d) = self.cfg.directives.get(di as usize) else { return };
        let name_tok = self.cfg.tokens.get(d.name as usize).copied();
        let valid_name = name_tok.is_some_and(|t| matches!(t.kind, TokenKind::Word | TokenKind::Quoted));
        let name = self.name(di);
        let is_block = d.is_block();
        let complete = !matches!(d.end, End::Missing);
        let name_range = name_tok.map(|t| t.range).unwrap_or_default();
        let subtree_end = d.subtree_end;
        let d_range = d.range;

        if !valid_name {
            if is_block {
                self.push_block(di, subtree_end, Context::Unknown, frame, None, None, None, None);
            }
            return;
        }
        let info = self.lookup(name);
        if matches!(
            frame.ctx,
            Context::Http
                | Context::Server
                | Context::Location
                | Context::LocationIf
                | Context::ServerIf
                | Context::LimitExcept
                | Context::Upstream
                | Context::Raw
        ) {
            self.collect_variables(di, name, frame.ctx == Context::Raw, info.opaque_vars);
        }
        if frame.ctx == Context::Raw {
            self.raw_entry(di, name, is_block, frame);
            if is_block {
                self.push_block(di, subtree_end, Context::Unknown, frame, None, None, None, None);
            }
            if name != b"include" {
                return;
            }
        }
        if name == b"include" && frame.ctx != Context::Unknown {
            self.include(di, frame);
            return;
        }
        let mut ok = complete;
        if let (Some(mask), true) = (frame.ctx.mask(), complete) {
            ok = self.check(di, name, info, mask, is_block, name_range, frame);
        }
        // A `*_pass` nginx refuses (no scheme, no port) still names the backend the user meant.
        if complete && (ok || info.pass.is_some()) {
            self.model_directive(di, name, info, frame, d_range);
        }
        if is_block {
            let child = frame.ctx.enter(name);
            self.enter_block(di, name, child, frame, subtree_end, d_range);
        }
    }

    /// nginx's `ngx_conf_handler` checks plus the common value checks. Returns whether the
    /// directive is valid (so that the model may use it).
    #[allow(clippy::too_many_arguments)]
    fn check(
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

    /// BG102: the scheme a `*_pass` needs; "no port" for modules without a default port.
    fn check_pass(&mut self, di: u32, kind: PassKind, url: &[u8], r: TextRange) -> bool {
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
    fn is_upstream_name_later(&self, host: &[u8]) -> bool {
        self.upstream_names.contains(host)
    }

    fn fix_nginx_range(&mut self, di: u32) {
        let term = self.terminator_range(di);
        let line = |o: u32| self.line(o);
        if let (Some(t), Some(last)) = (term, self.diags.last())
            && line(t.start) != line(last.range.start)
        {
            let t = Some(t);
            if let Some(last) = self.diags.last_mut() {
                last.nginx_range = t;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn push_block(
        &mut self,
        di: u32,
        subtree_end: u32,
        ctx: Context,
        frame: Frame,
        level: Option<u32>,
        server: Option<usize>,
        location: Option<usize>,
        upstream: Option<usize>,
    ) {
        let scope = self.new_scope();
        self.stack.push(Frame {
            cursor: di + 1,
            end: subtree_end,
            ctx,
            level,
            server: server.or(frame.server),
            location: location.or(frame.location),
            upstream,
            file: None,
            scope,
            block: Some(di),
            in_map: ctx == Context::Raw && self.name(di) == b"map",
        });
    }

    fn enter_block(
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

    fn include(&mut self, di: u32, frame: Frame) {
        let args = self.args(di);
        let term = self.terminator_range(di);
        let d_range = self.cfg.directives.get(di as usize).map(|d| d.range).unwrap_or_default();
        let [(pattern, pr)] = args.as_slice() else {
            if frame.ctx.mask().is_some() {
                let r = self
                    .cfg
                    .directives
                    .get(di as usize)
                    .and_then(|d| self.cfg.tokens.get(d.name as usize))
                    .map(|t| t.range);
                self.directive_error(
                    di,
                    "invalid number of arguments in \"include\" directive".into(),
                    r.unwrap_or(d_range),
                );
            }
            return;
        };
        let _ = term;
        let pattern = text(pattern);
        let matches = self.resolve_include(&pattern);
        if matches.is_empty() {
            let is_glob = pattern.contains(['*', '?', '[']);
            let dump = self.cfg.files.iter().any(|f| f.header.is_some());
            if !(dump && is_glob) {
                let d = self.diag(
                    DiagnosticCode::IncludeNotPasted,
                    format!("included file \"{pattern}\" was not pasted: paste it to check it"),
                    *pr,
                );
                d.suggestion = Some(pattern.clone());
            }
            return;
        }
        // Push in reverse so the first match is walked first.
        for &f in matches.iter().rev() {
            if self.active.get(f as usize).copied().unwrap_or(0) > 0 {
                let path = self.cfg.files.get(f as usize).map(|f| f.path.clone()).unwrap_or_default();
                self.diag(
                    DiagnosticCode::IncludeCycle,
                    format!("include cycle: \"{path}\" includes itself"),
                    *pr,
                );
                continue;
            }
            let Some(&(start, end)) = self.file_tops.get(f as usize) else { continue };
            // Includes may fan out (a file including a glob that matches every file, a chain that
            // includes the next file twice): bound the total work, nginx would exhaust itself.
            let size = end.saturating_sub(start) as usize;
            self.include_budget = self.include_budget.saturating_sub(size.max(1));
            if self.include_budget == 0 {
                if !self.budget_reported {
                    self.budget_reported = true;
                    self.diag(
                        DiagnosticCode::IncludeCycle,
                        "includes expand too much (cycle or fan-out): not followed further".into(),
                        *pr,
                    );
                }
                continue;
            }
            if let Some(v) = self.visited.get_mut(f as usize) {
                *v = true;
            }
            if let Some(a) = self.active.get_mut(f as usize) {
                *a += 1;
            }
            self.stack.push(Frame { cursor: start, end, file: Some(f), ..frame });
        }
    }

    /// The pasted files an include pattern names: absolute patterns match paths; relative ones are
    /// taken from the main file's directory (nginx's prefix), or matched as a path suffix.
    fn resolve_include(&mut self, pattern: &str) -> Vec<u32> {
        if let Some(hit) = self.include_cache.get(pattern) {
            return hit.clone();
        }
        let out = self.resolve_include_uncached(pattern);
        self.include_cache.insert(pattern.to_string(), out.clone());
        out
    }

    fn resolve_include_uncached(&self, pattern: &str) -> Vec<u32> {
        let base = self
            .cfg
            .files
            .first()
            .and_then(|f| f.path.rfind('/').map(|k| f.path.get(..=k).unwrap_or_default().to_string()));
        let full = if pattern.starts_with('/') {
            pattern.to_string()
        } else {
            match &base {
                Some(b) => format!("{b}{pattern}"),
                None => pattern.to_string(),
            }
        };
        let is_glob = pattern.contains(['*', '?', '[']);
        if !is_glob && (pattern.starts_with('/') || base.is_some()) {
            return self
                .cfg
                .files
                .iter()
                .position(|f| f.path == full)
                .map(|i| vec![i as u32])
                .unwrap_or_default();
        }
        let mut out = Vec::new();
        for (i, f) in self.cfg.files.iter().enumerate() {
            if f.path.is_empty() {
                continue;
            }
            let hit = glob_match(full.as_bytes(), f.path.as_bytes())
                || (!pattern.starts_with('/') && {
                    // Relative to an unknown prefix: match the last components.
                    let n = pattern.bytes().filter(|&b| b == b'/').count() + 1;
                    let tail = f.path.rsplitn(n + 1, '/').take(n).collect::<Vec<_>>();
                    let tail = tail.into_iter().rev().collect::<Vec<_>>().join("/");
                    glob_match(pattern.as_bytes(), tail.as_bytes())
                });
            if hit {
                out.push(u32::try_from(i).unwrap_or(u32::MAX));
            }
        }
        // nginx's glob returns names in sorted order.
        crate::order::sort_by_key(&mut out, |&a| self.cfg.files.get(a as usize).map(|f| f.path.as_str()));
        out.dedup();
        out
    }

    fn model_directive(&mut self, di: u32, name: &'a [u8], info: NameInfo, frame: Frame, range: TextRange) {
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

    /// Where nginx forbids a URI part in `proxy_pass`: regex and named locations, `if`, `limit_except`.
    fn proxy_uri_forbidden(&self, frame: Frame) -> bool {
        if matches!(frame.ctx, Context::LocationIf | Context::LimitExcept) {
            return true;
        }
        frame
            .location
            .and_then(|l| self.model.locations.get(l))
            .is_some_and(|l| matches!(l.modifier.as_deref(), Some("~" | "~*" | "@")))
    }

    /// Records `$var` uses and definitions of one directive.
    fn collect_variables(&mut self, di: u32, name: &'a [u8], raw: bool, opaque: bool) {
        let cfg: &'a Config = self.cfg;
        let Some(d) = cfg.directives.get(di as usize) else { return };
        let toks = cfg.arg_tokens(d);
        if opaque {
            self.vars_opaque = true;
        }
        let def_index = match name {
            _ if raw => None,
            b"set" | b"perl_set" | b"js_set" | b"auth_request_set" | b"set_by_lua" | b"set_by_lua_file"
            | b"set_by_lua_block" | b"geo"
                if name != b"geo" || toks.len() == 1 =>
            {
                Some(0)
            }
            b"geo" => Some(1),
            b"map" | b"split_clients" => Some(1),
            _ => None,
        };
        let name_tok = if raw { Some(d.name) } else { None };
        for (i, &t) in name_tok.iter().chain(toks.iter()).enumerate() {
            let (v, r) = cfg.word(t);
            let (mut has_q, mut has_dollar) = (false, false);
            for &b in v {
                has_q |= b == b'?';
                has_dollar |= b == b'$';
            }
            if !has_q && !has_dollar {
                continue;
            }
            let is_def = def_index.is_some_and(|k| k + usize::from(raw) == i);
            // Named regex captures define variables.
            for pat in [&b"?<"[..], b"?P<", b"?'"].into_iter().filter(|_| has_q) {
                let mut rest = v;
                while let Some(k) = find(rest, pat) {
                    let after = rest.get(k + pat.len()..).unwrap_or_default();
                    let len = after.iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
                    if len > 0 {
                        self.var_defs.insert(after.get(..len).unwrap_or_default());
                    }
                    rest = after;
                }
            }
            let mut k = 0;
            while let Some(off) = v.get(k..).and_then(|rest| memchr::memchr(b'$', rest)) {
                let at = k + off + 1;
                let (start, braced) = if v.get(at) == Some(&b'{') { (at + 1, true) } else { (at, false) };
                let len = v
                    .get(start..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                    .count();
                k = start + len;
                if len == 0 || (braced && v.get(start + len) != Some(&b'}')) {
                    continue;
                }
                let var = v.get(start..start + len).unwrap_or_default();
                let vr = TextRange::new(
                    r.start + at as u32 - 1,
                    r.start + (start + len + usize::from(braced)) as u32,
                );
                if is_def {
                    self.var_defs.insert(var);
                } else {
                    self.var_uses.push((var, vr));
                }
            }
        }
    }

    /// nginx: `unknown "x" variable` (found after reading the whole configuration, no line).
    fn check_variables(&mut self) {
        // A snippet uses variables defined in the parts that were not pasted.
        let opaque = !self.saw_http
            || self.vars_opaque
            || self.diags.iter().any(|d| d.message.starts_with("unknown directive"));
        if opaque {
            return;
        }
        let mut seen = std::collections::HashSet::with_hasher(FnvBuild);
        let uses = std::mem::take(&mut self.var_uses);
        for (var, r) in uses {
            if !seen.insert(var) || directives::is_builtin_variable(var) || self.var_defs.contains(var) {
                continue;
            }
            let d = self.diag(DiagnosticCode::Directive, format!("unknown \"{}\" variable", text(var)), r);
            d.after_parse = true;
        }
    }

    /// A block's `}` was reached: checks nginx makes when a block ends.
    fn block_closed(&mut self, done: Frame) {
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
    fn raw_entry(&mut self, di: u32, name: &[u8], is_block: bool, frame: Frame) {
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
    fn check_nested_location(&mut self, di: u32, frame: Frame, args: &[(&[u8], TextRange)]) {
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
        let name_r = self
            .cfg
            .directives
            .get(di as usize)
            .and_then(|d| self.cfg.tokens.get(d.name as usize))
            .map_or(r, |t| t.range);
        self.directive_error(di, msg, name_r);
    }

    /// The buffer checks nginx makes when it merges each level's settings (reported on the line
    /// of the `http` block's `}`).
    fn check_buffers(&mut self) {
        const PAGE: u64 = 4096;
        // Per level and module (proxy, fastcgi, uwsgi, scgi): the directive setting buffer_size,
        // buffers, busy_buffers_size, inherited.
        let mut resolved: Vec<[[Option<u32>; 3]; 4]> = Vec::with_capacity(self.levels.len());
        let mut reported: Vec<String> = Vec::new();
        for li in 0..self.levels.len() {
            let Some(level) = self.levels.get(li) else { break };
            let mut cur = level.parent.and_then(|p| resolved.get(p as usize)).copied().unwrap_or_default();
            for &(key, di) in self.own(level) {
                let (m, k) = ((key / 32) as usize, (key % 32) as usize);
                if let (Some(slot), true) =
                    (cur.get_mut(m).and_then(|mm| mm.get_mut(k.wrapping_sub(3))), (3..=5).contains(&k))
                {
                    *slot = Some(di);
                }
            }
            resolved.push(cur);
            let http_close =
                level.http.and_then(|h| self.cfg.directives.get(h as usize)).and_then(|d| match d.end {
                    End::Block { close: Some(c), .. } => self.cfg.tokens.get(c as usize).map(|t| t.range),
                    _ => None,
                });
            for (m, slots) in cur.iter().enumerate() {
                if slots.iter().all(Option::is_none) {
                    continue;
                }
                let prefix = MODULES.get(m).copied().unwrap_or("proxy");
                let first = |di: Option<u32>| {
                    di.and_then(|di| self.args(di).first().map(|(v, _)| crate::unescape(v).into_owned()))
                };
                let buffer_size =
                    first(slots[0]).and_then(|v| directives::parse_size(&v, false)).unwrap_or(PAGE);
                let (num, bsize) = match slots[1] {
                    Some(di) => {
                        let a = self.args(di);
                        let n = a
                            .first()
                            .and_then(|(v, _)| std::str::from_utf8(v).ok()?.parse::<u64>().ok())
                            .unwrap_or(8);
                        let sz = a.get(1).and_then(|(v, _)| directives::parse_size(v, false)).unwrap_or(PAGE);
                        (n, sz)
                    }
                    None => (8, PAGE),
                };
                let size = buffer_size.max(bsize);
                let busy =
                    first(slots[2]).and_then(|v| directives::parse_size(&v, false)).unwrap_or(2 * size);
                let (msg, at) = if num < 2 {
                    (format!("there must be at least 2 \"{prefix}_buffers\""), slots[1])
                } else if busy < size {
                    (
                        format!(
                            "\"{prefix}_busy_buffers_size\" must be equal to or greater than the maximum of the value of \"{prefix}_buffer_size\" and one of the \"{prefix}_buffers\""
                        ),
                        slots[2],
                    )
                } else if busy > (num - 1) * bsize {
                    (
                        format!(
                            "\"{prefix}_busy_buffers_size\" must be less than the size of all \"{prefix}_buffers\" minus one buffer"
                        ),
                        slots[2].or(slots[0]).or(slots[1]),
                    )
                } else {
                    continue;
                };
                if reported.contains(&msg) {
                    continue;
                }
                reported.push(msg.clone());
                let r = at
                    .and_then(|di| self.cfg.directives.get(di as usize))
                    .map(|d| d.range)
                    .unwrap_or_default();
                let d = self.diag(DiagnosticCode::Directive, msg, r);
                d.nginx_range = http_close;
            }
        }
    }

    /// Links targets to upstream blocks, reports hosts nginx cannot resolve, computes effective settings.
    fn resolve_targets(&mut self) {
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

    fn closest_upstream(&self, host: &str) -> Option<String> {
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

    /// BG103 for `server` lines of upstream blocks (nginx resolves them while reading).
    fn check_upstream_hosts(&mut self) {
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

    fn effective(&self, kind: PassKind, level: Option<u32>) -> Effective {
        let m = module_index(kind);
        let mut found: [Option<u32>; SETTINGS.len()] = [None; SETTINGS.len()];
        let mut headers: Option<(u32, Vec<u32>)> = None;
        let mut cur = level;
        let mut guard = 0usize;
        while let Some(l) = cur.and_then(|l| self.levels.get(l as usize)) {
            for &(key, di) in self.own(l) {
                let (km, ks) = (key / 32, (key % 32) as usize);
                if km != m as u16 {
                    continue;
                }
                if ks == HEADER_KEY {
                    match &mut headers {
                        None => headers = Some((cur.unwrap_or(0), vec![di])),
                        Some((lv, list)) if Some(*lv) == cur => list.push(di),
                        Some(_) => {}
                    }
                } else if let Some(slot) = found.get_mut(ks) {
                    // The last one in a level wins (duplicates are errors anyway).
                    if slot.is_none() {
                        *slot = Some(di);
                    }
                }
            }
            cur = l.parent;
            guard += 1;
            if guard > self.levels.len() {
                break;
            }
        }
        let _ = &found;
        let get = |k: usize| found.get(k).copied().flatten();
        let range_of = |di: u32| self.cfg.directives.get(di as usize).map(|d| d.range);
        let first_arg = |di: u32| {
            let d = self.cfg.directives.get(di as usize)?;
            let &t = self.cfg.arg_tokens(d).first()?;
            Some(crate::unescape(self.cfg.word(t).0))
        };
        let time = |k: usize, default: u64| match get(k) {
            Some(di) => Setting {
                value: first_arg(di).and_then(|v| directives::parse_time_ms(&v)).unwrap_or(default),
                range: range_of(di),
            },
            None => Setting::default_value(default),
        };
        let size = |k: usize, default: u64| match get(k) {
            Some(di) => Setting {
                value: first_arg(di).and_then(|v| directives::parse_size(&v, false)).unwrap_or(default),
                range: range_of(di),
            },
            None => Setting::default_value(default),
        };
        let flag = |k: usize, default: bool| match get(k) {
            Some(di) => Setting {
                value: first_arg(di).map_or(default, |v| v.eq_ignore_ascii_case(b"on")),
                range: range_of(di),
            },
            None => Setting::default_value(default),
        };
        const PAGE: u64 = 4096;
        let buffer_size = size(3, PAGE);
        let buffers = match get(4) {
            Some(di) => {
                let a = self.args(di);
                let n = a
                    .first()
                    .and_then(|(v, _)| std::str::from_utf8(v).ok()?.parse::<u32>().ok())
                    .unwrap_or(8);
                let s = a.get(1).and_then(|(v, _)| directives::parse_size(v, false)).unwrap_or(PAGE);
                Setting { value: (n, s), range: range_of(di) }
            }
            None => Setting::default_value((8, PAGE)),
        };
        let busy_default = 2 * buffer_size.value.max(buffers.value.1);
        let busy = match kind {
            PassKind::Grpc | PassKind::Memcached => None,
            _ => Some(match get(5) {
                Some(di) => Setting {
                    value: first_arg(di)
                        .and_then(|v| directives::parse_size(&v, false))
                        .unwrap_or(busy_default),
                    range: range_of(di),
                },
                None => Setting::default_value(busy_default),
            }),
        };
        let http_version = match (kind, get(6)) {
            (PassKind::Proxy, Some(di)) => {
                Setting { value: first_arg(di).map(|v| text(&v)).unwrap_or_default(), range: range_of(di) }
            }
            (PassKind::Proxy, None) => Setting::default_value("1.0".to_string()),
            (PassKind::Grpc, _) => Setting::default_value("2".to_string()),
            _ => Setting::default_value(String::new()),
        };
        let set_headers = headers
            .map(|(_, list)| {
                let mut out = Vec::with_capacity(list.len());
                out.extend(list.iter().filter_map(|&di| {
                    let d = self.cfg.directives.get(di as usize)?;
                    let a = self.cfg.arg_tokens(d);
                    let arg = |n: usize| a.get(n).map(|&t| text(&crate::unescape(self.cfg.word(t).0)));
                    Some((arg(0)?, arg(1).unwrap_or_default(), range_of(di).unwrap_or_default()))
                }));
                out
            })
            .unwrap_or_default();
        let next_upstream = match get(9) {
            Some(di) => {
                Setting { value: self.args(di).iter().map(|(v, _)| text(v)).collect(), range: range_of(di) }
            }
            None => Setting::default_value(vec!["error".to_string(), "timeout".to_string()]),
        };
        Effective {
            connect_timeout: time(0, 60_000),
            read_timeout: time(1, 60_000),
            send_timeout: time(2, 60_000),
            buffer_size,
            buffers,
            busy_buffers_size: busy,
            http_version,
            set_headers,
            ssl_server_name: flag(7, false),
            ssl_verify: flag(8, false),
            next_upstream,
            buffering: flag(10, !matches!(kind, PassKind::Grpc)),
        }
    }
}

impl Walker<'_> {
    /// Value checks of directives with their own handlers, in nginx's wording.
    fn value_problem(
        &self,
        name: &[u8],
        args: &[(&[u8], TextRange)],
    ) -> Option<(String, TextRange, DiagnosticCode)> {
        let name_s = Lossy(name);
        let bad = |msg: String, r: TextRange| Some((msg, r, DiagnosticCode::Directive));
        match name {
            b"error_log" => {
                const LEVELS: [&[u8]; 8] =
                    [b"debug", b"info", b"notice", b"warn", b"error", b"crit", b"alert", b"emerg"];
                for (level, r) in args.iter().skip(1) {
                    if !LEVELS.contains(level) && !level.starts_with(b"debug_") {
                        return bad(format!("invalid log level \"{}\"", text(level)), *r);
                    }
                }
            }
            b"keepalive_timeout" => {
                for (v, r) in args {
                    if directives::parse_time_ms(v).is_none() {
                        return bad(format!("\"{name_s}\" directive invalid value"), *r);
                    }
                }
            }
            b"access_log" => {
                if args.first().is_some_and(|(v, _)| *v == b"off") {
                    if let Some((v, r)) = args.get(1) {
                        return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                    }
                } else {
                    for (v, r) in args.iter().skip(2) {
                        let ok =
                            [&b"buffer="[..], b"gzip", b"flush=", b"if="].iter().any(|p| v.starts_with(p));
                        if !ok {
                            return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                        }
                    }
                }
            }
            b"expires" => {
                let (v, r) = match args {
                    [(m, _), (v, r)] if *m == b"modified" => (*v, *r),
                    [(v, r)] => (*v, *r),
                    [_, (_, r)] => return bad(format!("\"{name_s}\" directive invalid value"), *r),
                    _ => return None,
                };
                let ok = matches!(v, b"epoch" | b"max" | b"off")
                    || v.contains(&b'$')
                    || directives::parse_time_ms(
                        v.strip_prefix(b"@")
                            .or_else(|| v.strip_prefix(b"-"))
                            .or_else(|| v.strip_prefix(b"+"))
                            .unwrap_or(v),
                    )
                    .is_some();
                if !ok {
                    return bad(format!("\"{name_s}\" directive invalid value"), r);
                }
            }
            b"add_header" | b"add_trailer" => {
                if let Some((v, r)) = args.get(2)
                    && *v != b"always"
                {
                    return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                }
            }
            b"fastcgi_param" | b"uwsgi_param" | b"scgi_param" => {
                if let Some((v, r)) = args.get(2)
                    && *v != b"if_not_empty"
                {
                    return bad(format!("invalid parameter \"{}\"", text(v)), *r);
                }
            }
            b"resolver" => {
                for (v, r) in args {
                    if v.contains(&b'=') {
                        continue;
                    }
                    let (host, _) = split_host_port(v);
                    let host = text(host);
                    if !host_looks_resolvable(&host) {
                        return Some((
                            format!("host not found in resolver \"{}\"", text(v)),
                            *r,
                            DiagnosticCode::HostNotFound,
                        ));
                    }
                }
            }
            _ => {}
        }
        None
    }
}

fn upstream_param_ok(p: &[u8]) -> bool {
    const PLAIN: [&[u8]; 4] = [b"backup", b"down", b"resolve", b"drain"];
    const PREFIX: [&[u8]; 7] =
        [b"weight=", b"max_fails=", b"fail_timeout=", b"max_conns=", b"service=", b"route=", b"slow_start="];
    PLAIN.contains(&p) || PREFIX.iter().any(|x| p.starts_with(x))
}

/// Settings looked up per module; index = setting key within a module.
const SETTINGS: [&str; 12] = [
    "connect_timeout",
    "read_timeout",
    "send_timeout",
    "buffer_size",
    "buffers",
    "busy_buffers_size",
    "http_version",
    "ssl_server_name",
    "ssl_verify",
    "next_upstream",
    "buffering",
    "set_header",
];
const HEADER_KEY: usize = 11;
const MODULES: [&str; 6] = ["proxy", "fastcgi", "uwsgi", "scgi", "grpc", "memcached"];

fn module_index(kind: PassKind) -> usize {
    MODULES.iter().position(|m| *m == kind.prefix()).unwrap_or(0)
}

/// `proxy_read_timeout` → key for (proxy, read_timeout); `fastcgi_param` counts as the header list.
fn setting_key(name: &[u8]) -> Option<u16> {
    let us = name.iter().position(|&b| b == b'_')?;
    let (module, rest) = name.split_at(us);
    let rest = rest.get(1..)?;
    let m = MODULES.iter().position(|m| m.as_bytes() == module)?;
    let s = if rest == b"param" && matches!(m, 1..=3) {
        HEADER_KEY
    } else if rest == b"param" {
        return None;
    } else {
        SETTINGS.iter().position(|s| s.as_bytes() == rest)?
    };
    u16::try_from(m * 32 + s).ok()
}

fn starts_with_ci(hay: &[u8], prefix: &[u8]) -> bool {
    hay.get(..prefix.len()).is_some_and(|h| h.eq_ignore_ascii_case(prefix))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn has_port(rest: &[u8]) -> bool {
    let auth = rest.split(|&b| b == b'/').next().unwrap_or_default();
    let auth = match auth.iter().rposition(|&b| b == b']') {
        Some(k) => auth.get(k + 1..).unwrap_or_default(),
        None => auth,
    };
    auth.contains(&b':')
}

/// Hosts nginx may resolve at startup: addresses, `localhost`, and dotted names (which only DNS
/// can judge). A bare word that is no upstream name fails with "host not found in upstream".
fn host_looks_resolvable(host: &str) -> bool {
    host.contains('.')
        || host.contains(':')
        || host.eq_ignore_ascii_case("localhost")
        || host.is_empty()
        || host == "*"
}

fn listen_param_ok(p: &[u8]) -> bool {
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

fn split_host_port(s: &[u8]) -> (&[u8], Option<&[u8]>) {
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

fn parse_listen(args: &[(&[u8], TextRange)], range: TextRange) -> Listen {
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

fn parse_upstream_server(args: &[(&[u8], TextRange)], range: TextRange) -> Option<UpstreamServer> {
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

fn parse_target(kind: PassKind, url: &[u8], r: TextRange, range: TextRange, frame: Frame) -> Target {
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

fn placeholder_effective() -> Effective {
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

/// nginx's glob (`*`, `?`, `[...]`; `*` does not cross `/`), iterative with one backtrack point.
pub(crate) fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        let c = s.get(i).copied().unwrap_or(0);
        match pat.get(p).copied() {
            Some(b'*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some(b'?') if c != b'/' => {
                p += 1;
                i += 1;
                continue;
            }
            Some(b'[') => {
                if let Some((matched, next)) = class_match(pat, p, c) {
                    if matched {
                        p = next;
                        i += 1;
                        continue;
                    }
                } else if c == b'[' {
                    p += 1;
                    i += 1;
                    continue;
                }
            }
            Some(pc) if pc == c && pc != b'?' => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, si)) if s.get(si).is_some_and(|&b| b != b'/') => {
                star = Some((sp, si + 1));
                p = sp + 1;
                i = si + 1;
            }
            _ => return false,
        }
    }
    while pat.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pat.len()
}

fn class_match(pat: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut j = start + 1;
    let negate = matches!(pat.get(j), Some(b'!' | b'^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let b = *pat.get(j)?;
        if b == b']' && !first {
            break;
        }
        first = false;
        if pat.get(j + 1) == Some(&b'-') && pat.get(j + 2).is_some_and(|&e| e != b']') {
            let e = *pat.get(j + 2)?;
            if b <= c && c <= e {
                matched = true;
            }
            j += 3;
        } else {
            if b == c {
                matched = true;
            }
            j += 1;
        }
    }
    Some((matched != negate, j + 1))
}
