//! Splitting an `nginx -T` dump (or files pasted with the same headers) into its files.

use crate::range::TextRange;

pub(crate) struct Part {
    /// `None` for text before the first header that holds no configuration.
    pub path: Option<String>,
    pub header: Option<TextRange>,
    pub body: TextRange,
}

const HEADER: &[u8] = b"# configuration file ";

/// Finds the `# configuration file PATH:` lines; each starts a file that runs to the next one.
pub(crate) fn split(src: &[u8]) -> Vec<Part> {
    let mut headers: Vec<(TextRange, String)> = Vec::new();
    let mut line_start = 0usize;
    while line_start < src.len() {
        let rest = src.get(line_start..).unwrap_or_default();
        let line_len = memchr::memchr(b'\n', rest).map_or(rest.len(), |k| k + 1);
        let line = rest.get(..line_len).unwrap_or_default();
        if line.starts_with(HEADER) {
            let trimmed = trim_end(line);
            if let Some(path) = trimmed.strip_prefix(HEADER).and_then(|p| p.strip_suffix(b":"))
                && !path.is_empty()
            {
                headers.push((
                    TextRange::from_usize(line_start, line_start + line_len),
                    String::from_utf8_lossy(path).into_owned(),
                ));
            }
        }
        line_start += line_len;
    }
    let total = TextRange::from_usize(0, src.len());
    let Some(first) = headers.first() else {
        return vec![Part { path: Some(String::new()), header: None, body: total }];
    };
    let mut parts = Vec::with_capacity(headers.len() + 1);
    if first.0.start > 0 {
        let pre = TextRange::new(0, first.0.start);
        let has_config = pre.slice(src).split(|&b| b == b'\n').any(|l| {
            let l = trim_end(l);
            let l = l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l);
            let l = l.trim_ascii_start();
            !(l.is_empty()
                || l.starts_with(b"#")
                || l.starts_with(b"nginx: the configuration file ")
                || l.starts_with(b"nginx: configuration file ")
                || l.starts_with(b"nginx: ["))
        });
        parts.push(Part { path: has_config.then(String::new), header: None, body: pre });
    }
    for (i, (h, path)) in headers.iter().enumerate() {
        let end = headers.get(i + 1).map_or(total.end, |n| n.0.start);
        parts.push(Part { path: Some(path.clone()), header: Some(*h), body: TextRange::new(h.end, end) });
    }
    parts
}

fn trim_end(line: &[u8]) -> &[u8] {
    let mut l = line;
    while let Some((&last, rest)) = l.split_last() {
        if last == b'\n' || last == b'\r' || last == b' ' || last == b'\t' {
            l = rest;
        } else {
            break;
        }
    }
    l
}
