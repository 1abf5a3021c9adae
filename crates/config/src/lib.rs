//! Lossless nginx configuration parser: tokens, tree, `nginx -T` dumps, includes,
//! the effective-settings model and `nginx -t`-compatible errors.
#![forbid(unsafe_code)]

pub mod directives;
mod dump;
mod model;
pub mod modules;
pub mod order;
mod range;
mod syntax;
mod walk;

pub use model::{
    Address, Effective, ErrorLog, IfBlock, Listen, Location, MapBlock, Model, PassKind, Resolver, Server,
    SetVar, Setting, Target, TargetHost, Upstream, UpstreamServer,
};
pub use range::TextRange;
pub use syntax::{Directive, End, Token, TokenKind, unescape};
pub use walk::Context;

use serde::Serialize;

/// One file of the paste: the whole text when it is a single file, or one section of an
/// `nginx -T` dump.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    /// The path from the `# configuration file PATH:` header; "" for an unnamed paste.
    pub path: String,
    /// The header line (with its line break), when there is one.
    pub header: Option<TextRange>,
    /// The file's text (without the line break `nginx -T` adds after each file).
    pub body: TextRange,
}

/// What the paste was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum InputShape {
    /// An `nginx -T` dump (or files pasted with the same headers).
    Dump { files: usize },
    /// A whole main configuration file (`events`, `http`... at the top).
    SingleFile,
    /// A part of a configuration read in the context it evidently belongs to.
    Snippet { context: Context },
}

/// A place in the paste, as nginx counts lines.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Position {
    /// Index into `Config::files`.
    pub file: usize,
    pub path: String,
    /// 1-based line within that file (0 for a dump header line).
    pub line: u32,
    /// 1-based byte column.
    pub column: u32,
}

/// What kind of mistake a diagnostic is. The parser names no product codes: core maps these to
/// its rules (`code_of` in core's `diagnose/config_errors.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum DiagnosticCode {
    /// nginx cannot read the file (braces, semicolons, quotes).
    Syntax,
    /// A `*_pass` without a valid scheme or prefix.
    PassScheme,
    /// A backend host that is neither an upstream name nor an address.
    HostNotFound,
    /// Unknown directive, wrong argument count, invalid value, not allowed here.
    Directive,
    /// An `include` whose file was not pasted.
    IncludeNotPasted,
    /// An include that includes itself (nginx would loop until it runs out of file descriptors).
    IncludeCycle,
    /// A directive of a third-party module the paste does not load: fine on a build that
    /// includes the module, "unknown directive" on one without it (see `Diagnostic::module`).
    ModuleDirective,
}

impl DiagnosticCode {
    /// Whether `nginx -t` would refuse the configuration.
    pub fn is_error(self) -> bool {
        !matches!(self, Self::IncludeNotPasted | Self::ModuleDirective)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    /// nginx's own wording, e.g. `directive "proxy_pass" is not terminated by ";"`.
    pub message: String,
    /// Where the mistake is.
    pub range: TextRange,
    /// Where `nginx -t` reports it, when that differs (a missing `;` is reported on the next token).
    pub nginx_range: Option<TextRange>,
    /// "did you mean" / the closest upstream name.
    pub suggestion: Option<String>,
    /// A mechanical fix: replace the range with the text.
    pub edit: Option<(TextRange, String)>,
    /// Found by nginx only after the whole configuration was read (e.g. "host not found in
    /// upstream" for a `proxy_pass`): it comes after every error found while reading.
    pub after_parse: bool,
    /// The third-party module that provides the directive, when that is what the diagnostic is
    /// about (a `ModuleDirective`, or an "unknown directive" of a module the build does not load).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module: Option<&'static modules::Module>,
}

impl Diagnostic {
    /// The range whose line `nginx -t` names.
    pub fn reported_range(&self) -> TextRange {
        self.nginx_range.unwrap_or(self.range)
    }
}

/// A parsed paste: the lossless tree, the files, the model and the diagnostics.
#[derive(Debug)]
pub struct Config {
    src: Vec<u8>,
    files: Vec<SourceFile>,
    tokens: Vec<Token>,
    args: Vec<u32>,
    directives: Vec<Directive>,
    /// Offsets of every LF, for `locate`.
    newlines: Vec<u32>,
    diagnostics: Vec<Diagnostic>,
    model: Model,
    shape: InputShape,
    contexts: Vec<Context>,
}

/// At most this many diagnostics are kept (the first ones, in the order nginx reports them).
pub const MAX_DIAGNOSTICS: usize = 1000;

/// Parses a paste. Never panics; linear time; no recursion proportional to nesting.
pub fn parse(src: &[u8]) -> Config {
    // Offsets are u32: anything longer is cut (4 GiB is far beyond any paste).
    let src = src.get(..src.len().min(u32::MAX as usize - 1)).unwrap_or_default();
    let split = dump::split(src);
    let mut tree = syntax::Tree::default();
    // Typical configs: ~30 bytes a line, one directive and ~5 tokens a line.
    tree.tokens.reserve(src.len() / 5 + 16);
    tree.directives.reserve(src.len() / 32 + 4);
    tree.args.reserve(src.len() / 16 + 4);
    let mut files = Vec::with_capacity(split.len());
    for (i, part) in split.iter().enumerate() {
        if let Some(h) = part.header {
            tree.tokens.push(Token { kind: TokenKind::FileHeader, range: h });
        }
        match &part.path {
            Some(path) => {
                let idx = u32::try_from(files.len()).unwrap_or(u32::MAX);
                // `nginx -T` prints a line break after each file: it is not part of the file (nginx
                // counts an end-of-file error on the file's own last line).
                let mut body = part.body;
                let separator = part.header.is_some()
                    && body.end > body.start
                    && src.get(body.end as usize - 1) == Some(&b'\n');
                if separator {
                    body.end -= 1;
                }
                files.push(SourceFile { path: path.clone(), header: part.header, body });
                syntax::parse_file(src, body, idx, &mut tree);
                if separator {
                    tree.tokens.push(Token {
                        kind: TokenKind::Space,
                        range: TextRange::new(body.end, body.end + 1),
                    });
                }
            }
            None => {
                // Text before the first header that holds nothing but banners and comments.
                let _ = i;
                syntax::parse_file(src, part.body, u32::MAX, &mut tree);
            }
        }
    }
    let mut newlines: Vec<u32> = Vec::with_capacity(src.len() / 24 + 4);
    newlines.extend(memchr::memchr_iter(b'\n', src).map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
    // Reserved by estimate before parsing: give back what was not used.
    let (mut tokens, mut args, mut directives) = (tree.tokens, tree.args, tree.directives);
    tokens.shrink_to_fit();
    args.shrink_to_fit();
    directives.shrink_to_fit();
    let mut config = Config {
        src: src.to_vec(),
        files,
        tokens,
        args,
        directives,
        newlines,
        diagnostics: Vec::new(),
        model: Model::default(),
        shape: InputShape::SingleFile,
        contexts: Vec::new(),
    };
    let mut diagnostics: Vec<Diagnostic> = tree
        .errors
        .into_iter()
        .map(|e| Diagnostic {
            code: DiagnosticCode::Syntax,
            message: e.message,
            range: e.range,
            nginx_range: e.nginx_range,
            suggestion: e.insert_semicolon.map(|_| "missing \";\"".to_string()),
            edit: e.insert_semicolon.map(|at| (TextRange::new(at, at), ";".to_string())),
            after_parse: false,
            module: None,
        })
        .collect();
    let out = walk::run(&config);
    diagnostics.extend(out.diagnostics);
    order::sort_by_key(&mut diagnostics, |d| (d.reported_range().start, d.range.start, d.code));
    diagnostics.dedup();
    // nginx stops at the first error; a flood of them (a megabyte of `{`) helps nobody.
    diagnostics.truncate(MAX_DIAGNOSTICS);
    config.diagnostics = diagnostics;
    config.model = out.model;
    config.contexts = out.file_contexts;
    config.shape = if config.files.iter().any(|f| f.header.is_some()) {
        InputShape::Dump { files: config.files.len() }
    } else {
        match config.contexts.first().copied().unwrap_or(Context::Main) {
            Context::Main => InputShape::SingleFile,
            context => InputShape::Snippet { context },
        }
    };
    config
}

impl Config {
    /// The input.
    pub fn source(&self) -> &[u8] {
        &self.src
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// Sorted by where nginx reports them.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The first diagnostic `nginx -t` would stop at, if any (in paste order).
    pub fn first_error(&self) -> Option<&Diagnostic> {
        let errors = || self.diagnostics.iter().filter(|d| d.code.is_error());
        errors().find(|d| !d.after_parse).or_else(|| errors().next())
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    pub fn kind(&self) -> InputShape {
        self.shape
    }

    /// The context each file was read in (index = file index).
    pub fn file_contexts(&self) -> &[Context] {
        &self.contexts
    }

    /// Every token, in order: their ranges tile the input.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// Every directive in document order (see [`Directive`] for the tree shape).
    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// The directive's name as written (quotes removed).
    pub fn name(&self, d: &Directive) -> &[u8] {
        self.tokens.get(d.name as usize).map(|t| syntax::word_inner(&self.src, *t)).unwrap_or_default()
    }

    /// The token indices of a directive's arguments.
    pub fn arg_tokens(&self, d: &Directive) -> &[u32] {
        self.args.get(d.args_start as usize..d.args_end as usize).unwrap_or_default()
    }

    /// A word token's text without quotes (escapes as written) and its range.
    pub fn word(&self, token: u32) -> (&[u8], TextRange) {
        match self.tokens.get(token as usize) {
            Some(t) => (syntax::word_inner(&self.src, *t), syntax::word_value_range(*t, &self.src)),
            None => (&[], TextRange::default()),
        }
    }

    /// The direct children of a block directive.
    pub fn children(&self, index: u32) -> impl Iterator<Item = u32> + '_ {
        let end = self.directives.get(index as usize).map_or(0, |d| d.subtree_end);
        let mut i = index + 1;
        std::iter::from_fn(move || {
            if i >= end {
                return None;
            }
            let cur = i;
            i = self.directives.get(cur as usize).map_or(end, |d| d.subtree_end.max(cur + 1));
            Some(cur)
        })
    }

    /// Lossless: the concatenation of every token, equal to `source()` byte for byte.
    pub fn print(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.src.len());
        for t in &self.tokens {
            out.extend_from_slice(t.range.slice(&self.src));
        }
        out
    }

    /// The file, line and column of a byte offset.
    pub fn locate(&self, offset: u32) -> Position {
        let mut file = self.files.partition_point(|f| f.header.map_or(f.body.start, |h| h.start) <= offset);
        file = file.saturating_sub(1);
        // The end of a file's body (where its end-of-file errors point) is the start of the next header.
        if file > 0
            && self.files.get(file).is_some_and(|f| f.header.is_some_and(|h| h.start == offset))
            && self.files.get(file - 1).is_some_and(|f| f.body.end == offset)
        {
            file -= 1;
        }
        let Some(f) = self.files.get(file) else {
            return Position { file: 0, path: String::new(), line: 1, column: 1 };
        };
        let before = |o: u32| self.newlines.partition_point(|&n| n < o);
        let in_header = f.header.is_some_and(|h| h.contains(offset));
        let line = if in_header {
            0
        } else {
            u32::try_from(before(offset).saturating_sub(before(f.body.start)))
                .unwrap_or(u32::MAX)
                .saturating_add(1)
        };
        let line_start = match before(offset) {
            0 => 0,
            n => self.newlines.get(n - 1).map_or(0, |&nl| nl + 1),
        };
        let line_start = line_start.max(if in_header { 0 } else { f.body.start });
        Position { file, path: f.path.clone(), line, column: offset.saturating_sub(line_start) + 1 }
    }
}
