//! The tokenizer and the flat, lossless syntax tree: nginx's `ngx_conf_read_token` and
//! `ngx_conf_parse` rewritten as one loop with an explicit block stack (no recursion).

use crate::range::TextRange;

/// What a token is. Every byte of the input belongs to exactly one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum TokenKind {
    /// Spaces, tabs, CR and LF.
    Space,
    /// `# ...` up to (not including) the end of the line.
    Comment,
    /// A `# configuration file PATH:` line of an `nginx -T` dump (without its LF).
    FileHeader,
    /// A line nginx itself prints around a dump (`nginx: the configuration file ... syntax is ok`).
    Banner,
    /// A UTF-8 byte order mark at the start of a file.
    Bom,
    /// An unquoted word, as nginx reads it (may contain `\` escapes, `${var}`, `}`...).
    Word,
    /// A `"..."` or `'...'` word, quotes included (the closing quote may be missing at end of file).
    Quoted,
    Semicolon,
    LBrace,
    RBrace,
    /// The raw body of a `*_by_lua_block { ... }`, between the braces.
    LuaBody,
}

impl TokenKind {
    pub fn is_trivia(self) -> bool {
        matches!(self, Self::Space | Self::Comment | Self::FileHeader | Self::Banner | Self::Bom)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Token {
    pub kind: TokenKind,
    pub range: TextRange,
}

/// How a directive statement ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum End {
    /// `;` (token index).
    Semicolon(u32),
    /// `{ ... }`: the token indices of both braces; `close` is `None` when the file ended first.
    Block { open: u32, close: Option<u32> },
    /// Neither: the statement was cut by `}` or the end of the file (a syntax error).
    Missing,
}

/// One directive, in document (pre-)order. Children of a block directive follow it directly:
/// they are the indices `self_index + 1 .. subtree_end` whose `parent` is this directive.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Directive {
    /// Index of the file (into `Config::files`).
    pub file: u32,
    /// Token index of the directive name.
    pub name: u32,
    /// Range into `Tree::args` of the argument token indices.
    pub args_start: u32,
    pub args_end: u32,
    pub end: End,
    pub parent: Option<u32>,
    pub subtree_end: u32,
    /// From the start of the name to the end of `;` or `}` (or of the last word when cut).
    pub range: TextRange,
}

impl Directive {
    pub fn is_block(&self) -> bool {
        matches!(self.end, End::Block { .. })
    }
}

/// A syntax error found while reading tokens, in nginx's wording.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub message: String,
    /// Where the mistake is.
    pub range: TextRange,
    /// Where nginx reports it, when different.
    pub nginx_range: Option<TextRange>,
    /// Offset where a missing `;` would go.
    pub insert_semicolon: Option<u32>,
}

#[derive(Default, Debug)]
pub(crate) struct Tree {
    pub tokens: Vec<Token>,
    pub args: Vec<u32>,
    pub directives: Vec<Directive>,
    pub errors: Vec<SyntaxError>,
}

/// Bytes that end or change the reading of an unquoted word.
fn is_word_special(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'\\' | b'$')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn quote_char(c: u8) -> String {
    if c.is_ascii_graphic() { (c as char).to_string() } else { format!("\\x{c:02X}") }
}

struct Open {
    directive: u32,
}

/// Reads one file's text (`range` of `src`) into `tree`, appending tokens and directives.
pub(crate) fn parse_file(src: &[u8], range: TextRange, file: u32, tree: &mut Tree) {
    let mut p = FileParser { src, file, tree, stack: Vec::new(), pending: Vec::new() };
    p.run(range.start as usize, range.end as usize);
}

struct FileParser<'a> {
    src: &'a [u8],
    file: u32,
    tree: &'a mut Tree,
    stack: Vec<Open>,
    /// Token indices of the words of the statement being read.
    pending: Vec<u32>,
}

impl FileParser<'_> {
    fn at(&self, i: usize) -> u8 {
        self.src.get(i).copied().unwrap_or(0)
    }

    fn push(&mut self, kind: TokenKind, start: usize, end: usize) -> u32 {
        let idx = u32::try_from(self.tree.tokens.len()).unwrap_or(u32::MAX);
        self.tree.tokens.push(Token { kind, range: TextRange::from_usize(start, end) });
        idx
    }

    fn error(&mut self, message: String, range: TextRange, nginx_range: Option<TextRange>) {
        if self.tree.errors.len() >= 4 * crate::MAX_DIAGNOSTICS {
            return;
        }
        self.tree.errors.push(SyntaxError { message, range, nginx_range, insert_semicolon: None });
    }

    fn token_range(&self, t: u32) -> TextRange {
        self.tree.tokens.get(t as usize).map(|t| t.range).unwrap_or_default()
    }

    fn run(&mut self, start: usize, end: usize) {
        let mut i = start;
        if self.src.get(i..i + 3) == Some(b"\xEF\xBB\xBF".as_slice()) && i + 3 <= end {
            self.push(TokenKind::Bom, i, i + 3);
            i += 3;
        }
        let mut line_start = true;
        while i < end {
            let c = self.at(i);
            if is_space(c) {
                let mut j = i + 1;
                while j < end && is_space(self.at(j)) {
                    j += 1;
                }
                line_start = self.at(j - 1) == b'\n';
                self.push(TokenKind::Space, i, j);
                i = j;
                continue;
            }
            let was_line_start = line_start;
            line_start = false;
            match c {
                b'#' => {
                    let j = memchr::memchr(b'\n', self.src.get(i..end).unwrap_or_default())
                        .map_or(end, |k| i + k);
                    self.push(TokenKind::Comment, i, j);
                    i = j;
                }
                b'n' if was_line_start
                    && self.pending.is_empty()
                    && is_banner(self.src.get(i..end).unwrap_or_default()) =>
                {
                    let j = memchr::memchr(b'\n', self.src.get(i..end).unwrap_or_default())
                        .map_or(end, |k| i + k);
                    self.push(TokenKind::Banner, i, j);
                    i = j;
                }
                b';' => {
                    let t = self.push(TokenKind::Semicolon, i, i + 1);
                    self.semicolon(t);
                    i += 1;
                }
                b'{' => {
                    let t = self.push(TokenKind::LBrace, i, i + 1);
                    i = self.open(t, end);
                }
                b'}' => {
                    let t = self.push(TokenKind::RBrace, i, i + 1);
                    self.close(t);
                    i += 1;
                }
                b'"' | b'\'' => {
                    i = self.quoted(i, end, c);
                }
                _ => {
                    i = self.word(i, end);
                }
            }
        }
        self.finish(end);
    }

    /// An unquoted word: ends at whitespace, `;` or `{` (unless `{` follows `$`).
    fn word(&mut self, start: usize, end: usize) -> usize {
        let mut j = start;
        let mut variable = false;
        while j < end {
            // Skip plain bytes in one go.
            let rest = self.src.get(j..end).unwrap_or_default();
            match rest.iter().position(|&b| is_word_special(b)) {
                None => {
                    j = end;
                    break;
                }
                Some(0) => {}
                Some(k) => {
                    j += k;
                    variable = false;
                }
            }
            let c = self.at(j);
            if c == b'{' && variable {
                j += 1;
                continue;
            }
            variable = false;
            match c {
                b'\\' => {
                    j = (j + 2).min(end);
                    continue;
                }
                b'$' => variable = true,
                b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' => break,
                _ => {}
            }
            j += 1;
        }
        let t = self.push(TokenKind::Word, start, j);
        self.pending.push(t);
        j
    }

    /// A quoted word; after it nginx needs a space, `;`, `{` or `)`.
    fn quoted(&mut self, start: usize, end: usize, q: u8) -> usize {
        let mut j = start + 1;
        let mut closed = false;
        while j < end {
            let rest = self.src.get(j..end).unwrap_or_default();
            match memchr::memchr2(q, b'\\', rest) {
                Some(k) => {
                    j += k;
                    if self.at(j) == b'\\' {
                        j = (j + 2).min(end);
                    } else {
                        j += 1;
                        closed = true;
                        break;
                    }
                }
                None => {
                    j = end;
                    break;
                }
            }
        }
        let t = self.push(TokenKind::Quoted, start, j);
        self.pending.push(t);
        if !closed {
            // nginx: "unexpected end of file, expecting ";" or "}"" (reported at the end).
            self.error(
                "unexpected end of file, expecting \";\" or \"}\"".into(),
                TextRange::from_usize(start, start + 1),
                Some(TextRange::from_usize(end, end)),
            );
            // Already reported: do not report the cut statement again.
            self.pending.clear();
            return j;
        }
        if j < end {
            let c = self.at(j);
            if !(is_space(c) || c == b';' || c == b'{' || c == b')') {
                self.error(
                    format!("unexpected \"{}\"", quote_char(c)),
                    TextRange::from_usize(j, j + 1),
                    None,
                );
            }
        }
        j
    }

    fn new_directive(&mut self, end_kind: End, end_offset: u32) -> Option<u32> {
        let (&name, rest) = self.pending.split_first()?;
        let args_start = u32::try_from(self.tree.args.len()).unwrap_or(u32::MAX);
        self.tree.args.extend_from_slice(rest);
        let args_end = u32::try_from(self.tree.args.len()).unwrap_or(u32::MAX);
        self.pending.clear();
        let idx = u32::try_from(self.tree.directives.len()).unwrap_or(u32::MAX);
        let start = self.token_range(name).start;
        self.tree.directives.push(Directive {
            file: self.file,
            name,
            args_start,
            args_end,
            end: end_kind,
            parent: self.stack.last().map(|o| o.directive),
            subtree_end: idx + 1,
            range: TextRange::new(start, end_offset),
        });
        Some(idx)
    }

    fn semicolon(&mut self, t: u32) {
        if self.pending.is_empty() {
            let r = self.token_range(t);
            self.error("unexpected \";\"".into(), r, None);
            return;
        }
        let end = self.token_range(t).end;
        self.new_directive(End::Semicolon(t), end);
    }

    /// Handles `{`; returns where to continue (past a Lua body, if any).
    fn open(&mut self, t: u32, end: usize) -> usize {
        let r = self.token_range(t);
        let after = r.end as usize;
        if self.pending.is_empty() {
            self.error("unexpected \"{\"".into(), r, None);
            // Still track the block so that its `}` does not count as stray.
            self.pending.clear();
        }
        let lua = self.pending.first().is_some_and(|&n| {
            let tok = self.tree.tokens.get(n as usize).copied();
            tok.is_some_and(|tok| {
                let text = word_inner(self.src, tok);
                text.ends_with(b"_by_lua_block")
            })
        });
        let idx = match self.new_directive(End::Block { open: t, close: None }, r.end) {
            Some(i) => i,
            None => {
                // A block without a name: a placeholder directive keeps the tree balanced.
                let idx = u32::try_from(self.tree.directives.len()).unwrap_or(u32::MAX);
                let args = u32::try_from(self.tree.args.len()).unwrap_or(u32::MAX);
                self.tree.directives.push(Directive {
                    file: self.file,
                    name: t,
                    args_start: args,
                    args_end: args,
                    end: End::Block { open: t, close: None },
                    parent: self.stack.last().map(|o| o.directive),
                    subtree_end: idx + 1,
                    range: r,
                });
                idx
            }
        };
        self.stack.push(Open { directive: idx });
        if lua {
            let body_end = lua_body_end(self.src, after, end);
            if body_end > after {
                self.push(TokenKind::LuaBody, after, body_end);
            }
            if body_end < end {
                let c = self.push(TokenKind::RBrace, body_end, body_end + 1);
                self.close(c);
                return body_end + 1;
            }
            return body_end;
        }
        after
    }

    fn close(&mut self, t: u32) {
        let r = self.token_range(t);
        if !self.pending.is_empty() {
            // nginx: unexpected "}" here; the mistake is the missing ";" after the last word.
            let last = self.pending.last().map(|&w| self.token_range(w)).unwrap_or_default();
            self.tree.errors.push(SyntaxError {
                message: "unexpected \"}\"".into(),
                range: TextRange::new(last.end, last.end),
                nginx_range: Some(r),
                insert_semicolon: Some(last.end),
            });
            self.new_directive(End::Missing, last.end);
        }
        match self.stack.pop() {
            Some(open) => {
                let count = u32::try_from(self.tree.directives.len()).unwrap_or(u32::MAX);
                if let Some(d) = self.tree.directives.get_mut(open.directive as usize) {
                    if let End::Block { close, .. } = &mut d.end {
                        *close = Some(t);
                    }
                    d.range.end = r.end;
                    d.subtree_end = count;
                }
            }
            None => self.error("unexpected \"}\"".into(), r, None),
        }
    }

    fn finish(&mut self, end: usize) {
        let eof = TextRange::from_usize(end, end);
        if !self.pending.is_empty() {
            let last = self.pending.last().map(|&w| self.token_range(w)).unwrap_or_default();
            self.tree.errors.push(SyntaxError {
                message: "unexpected end of file, expecting \";\" or \"}\"".into(),
                range: TextRange::new(last.end, last.end),
                nginx_range: Some(eof),
                insert_semicolon: Some(last.end),
            });
            self.new_directive(End::Missing, last.end);
        }
        let eof_reported = self.tree.errors.iter().any(|e| e.nginx_range == Some(eof));
        if let (Some(first_unclosed), false) = (self.stack.first().map(|o| o.directive), eof_reported) {
            let r = self.tree.directives.get(first_unclosed as usize).map(|d| d.range).unwrap_or_default();
            self.error("unexpected end of file, expecting \"}\"".into(), r, Some(eof));
        }
        let count = u32::try_from(self.tree.directives.len()).unwrap_or(u32::MAX);
        let last_end = self.tree.tokens.last().map_or(0, |t| t.range.end);
        while let Some(open) = self.stack.pop() {
            if let Some(d) = self.tree.directives.get_mut(open.directive as usize) {
                d.subtree_end = count;
                d.range.end = last_end.max(d.range.end);
            }
        }
    }
}

/// `nginx: the configuration file ... syntax is ok`, `nginx: configuration file ... test is successful`,
/// `nginx: [warn] ...`: lines nginx prints around a dump.
fn is_banner(line: &[u8]) -> bool {
    line.starts_with(b"nginx: the configuration file ")
        || line.starts_with(b"nginx: configuration file ")
        || line.starts_with(b"nginx: [")
}

/// The text of a word token without its quotes (escapes left as written).
pub(crate) fn word_inner(src: &[u8], tok: Token) -> &[u8] {
    let text = tok.range.slice(src);
    if tok.kind == TokenKind::Quoted {
        let q = text.first().copied().unwrap_or(b'"');
        let inner = text.get(1..).unwrap_or_default();
        if !inner.is_empty() && inner.last() == Some(&q) && !ends_escaped(inner) {
            return inner.get(..inner.len() - 1).unwrap_or_default();
        }
        return inner;
    }
    text
}

fn ends_escaped(inner: &[u8]) -> bool {
    // The closing quote is escaped when preceded by an odd number of backslashes.
    let body = inner.get(..inner.len().saturating_sub(1)).unwrap_or_default();
    body.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// The range of a word's value: inside the quotes for a quoted word.
pub(crate) fn word_value_range(tok: Token, src: &[u8]) -> TextRange {
    if tok.kind == TokenKind::Quoted {
        let inner = word_inner(src, tok);
        let start = tok.range.start + 1;
        return TextRange::from_usize(start as usize, start as usize + inner.len());
    }
    tok.range
}

/// A word's value as nginx stores it: `\"`, `\'`, `\\` lose the backslash; `\t`, `\r`, `\n` become
/// the control character; any other backslash stays.
pub fn unescape(raw: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    if !raw.contains(&b'\\') {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut it = raw.iter().copied().peekable();
    while let Some(b) = it.next() {
        if b == b'\\' {
            match it.peek().copied() {
                Some(c @ (b'"' | b'\'' | b'\\')) => {
                    out.push(c);
                    it.next();
                    continue;
                }
                Some(b't') => {
                    out.push(b'\t');
                    it.next();
                    continue;
                }
                Some(b'r') => {
                    out.push(b'\r');
                    it.next();
                    continue;
                }
                Some(b'n') => {
                    out.push(b'\n');
                    it.next();
                    continue;
                }
                _ => {}
            }
        }
        out.push(b);
    }
    std::borrow::Cow::Owned(out)
}

/// Finds the `}` closing a Lua block whose body starts at `start`: skips Lua strings, comments
/// and long brackets. Returns `end` when there is none.
fn lua_body_end(src: &[u8], start: usize, end: usize) -> usize {
    let at = |i: usize| src.get(i).copied().unwrap_or(0);
    let mut depth = 1usize;
    let mut i = start;
    while i < end {
        match at(i) {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            q @ (b'"' | b'\'') => {
                i += 1;
                while i < end && at(i) != q && at(i) != b'\n' {
                    if at(i) == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'-' if at(i + 1) == b'-' => {
                i += 2;
                if let Some(close) = long_bracket(src, i, end) {
                    i = close;
                    continue;
                }
                while i < end && at(i) != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' => {
                if let Some(close) = long_bracket(src, i, end) {
                    i = close;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    end
}

/// At `[`, `[[` or `[=*[`: returns the offset just past the matching `]=*]`.
fn long_bracket(src: &[u8], i: usize, end: usize) -> Option<usize> {
    let at = |i: usize| src.get(i).copied().unwrap_or(0);
    if at(i) != b'[' {
        return None;
    }
    let mut j = i + 1;
    while at(j) == b'=' {
        j += 1;
    }
    if at(j) != b'[' {
        return None;
    }
    let level = j - i - 1;
    let mut k = j + 1;
    while k < end {
        if at(k) == b']' {
            let mut m = k + 1;
            while at(m) == b'=' {
                m += 1;
            }
            if at(m) == b']' && m - k - 1 == level {
                return Some(m + 1);
            }
        }
        k += 1;
    }
    Some(end)
}
