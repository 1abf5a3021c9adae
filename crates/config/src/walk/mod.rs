//! Walks the configuration as nginx reads it (includes followed in place, with an explicit
//! stack) and hands each directive to the layers: `checks` (what `nginx -t` refuses), `values`,
//! `variables`, `includes`, `lower` (the model) and `effective` (settings inherited down the levels).

use crate::directives::{self, ValueKind};
use crate::model::*;
use crate::modules::Module;
use crate::range::TextRange;
use crate::syntax::{End, TokenKind};
use crate::{Config, Diagnostic, DiagnosticCode};
use badgateway_text::find;
use badgateway_text::hash::{FastMap, FastSet};
use serde::Serialize;

mod checks;
mod effective;
mod includes;
mod lower;
mod third_party;
mod values;
mod variables;

use effective::setting_key;

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
    upstream_names: FastSet<&'a [u8]>,
    lookup_cache: FastMap<&'a [u8], Lookup>,
    /// `$name` uses in http contexts, in order, and the names the configuration defines.
    var_uses: Vec<(&'a [u8], TextRange)>,
    /// (level, setting key, directive index) in walk order; grouped into `own` after the walk.
    settings_seen: Vec<(u32, u16, u32)>,
    own: Vec<(u16, u32)>,
    var_defs: FastSet<&'a [u8]>,
    /// Modules that define variables we cannot see (Lua, Perl, njs, unknown directives).
    vars_opaque: bool,
    /// An `http {}` block was read in the main context (a whole configuration, not a snippet).
    saw_http: bool,
    /// Directives that included files may still add to the walk.
    include_budget: usize,
    budget_reported: bool,
    overflow: Diagnostic,
    /// Modules loaded so far (`load_module`, in the order nginx reads it), and those already
    /// noted as needed.
    loaded: Vec<&'static Module>,
    noted: Vec<&'static Module>,
    /// Whether the build evidently lacks the modules it does not load (see `third_party`).
    lacks_unloaded: Option<bool>,
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
    /// Not nginx's own, but a third-party module's (see `third_party`).
    third_party: bool,
}

impl NameInfo {
    fn of(name: &[u8]) -> Self {
        let pass = PassKind::from_directive(name);
        let masks = directives::lookup(name);
        Self {
            masks,
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
                    | b"fair"
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
            third_party: masks.is_none() && crate::modules::providers(name).next().is_some(),
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
        lookup_cache: FastMap::default(),
        var_uses: Vec::new(),
        settings_seen: Vec::new(),
        own: Vec::new(),
        var_defs: FastSet::default(),
        vars_opaque: false,
        saw_http: false,
        include_budget: cfg.directives.len().saturating_mul(16).saturating_add(10_000),
        budget_reported: false,
        loaded: Vec::new(),
        noted: Vec::new(),
        lacks_unloaded: None,
        overflow: Diagnostic {
            code: DiagnosticCode::Syntax,
            message: String::new(),
            range: TextRange::default(),
            nginx_range: None,
            suggestion: None,
            edit: None,
            after_parse: false,
            module: None,
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
    directives::lookup(name).is_some() || crate::modules::providers(name).next().is_some()
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
            module: None,
        };
        if self.diags.len() >= 4 * crate::MAX_DIAGNOSTICS {
            // Past the cap: written to a scratch slot nobody reads.
            self.overflow = d;
            return &mut self.overflow;
        }
        self.diags.push_mut(d)
    }

    /// The directive's name token.
    fn name_range(&self, di: u32) -> Option<TextRange> {
        let d = self.cfg.directives.get(di as usize)?;
        self.cfg.tokens.get(d.name as usize).map(|t| t.range)
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
        self.directive_diag(DiagnosticCode::Directive, di, message, range);
    }

    /// A diagnostic about a whole directive, placed as nginx places its errors.
    fn directive_diag(&mut self, code: DiagnosticCode, di: u32, message: String, range: TextRange) {
        if self.diags.len() >= 4 * crate::MAX_DIAGNOSTICS {
            return;
        }
        let term = self.terminator_range(di);
        let args = self.args(di);
        let name_range = self.name_range(di);
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
        let d = self.diag(code, message, range);
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
}
