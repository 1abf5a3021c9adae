//! nginx error lines wrapped onto the next line(s) by a terminal, an editor or a blog
//! that prints one field per line: when a line continues the one before it.

use super::scan;

/// The context fields nginx appends (ngx_http_log_error_handler), as a continuation
/// line starts them.
const FIELD_STARTS: [&[u8]; 7] =
    [b"client: ", b"server: ", b"request: ", b"upstream: ", b"host: ", b"referrer: ", b"subrequest: "];

/// Only the start of a long line is looked at for nginx's words: a continuation can't
/// make the check quadratic.
const LOOK: usize = 4096;

/// Text that only an nginx error message about a request holds.
fn is_nginx_message(prev: &[u8]) -> bool {
    let head = prev.get(..prev.len().min(LOOK)).unwrap_or(prev);
    // Words starting with a rare byte first: each search stops at its first byte's hits,
    // and `[`/`,` are few in a line where spaces are many.
    [&b"[error]"[..], b"[crit]", b"[alert]", b"[warn]", b", client: ", b"upstream", b" while "]
        .iter()
        .any(|w| scan::contains(head, w))
}

/// [`crate::paste::Join`] for error logs.
pub(crate) fn join(prev: &[u8], next: &[u8]) -> Option<(&'static [u8], usize)> {
    // The common case, a new line with a date or a prefix, is decided by its first byte.
    let first = *next.first()?;
    if first == b'{'
        || first == b'['
        || first == b'<'
        || scan::has_shape(next, b"DDDD/DD/DD")
        || scan::has_shape(next, b"DDDD-DD-DD")
    {
        return None;
    }
    let indent = next.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
    let rest = next.get(indent..).unwrap_or_default();
    if rest.is_empty() {
        return None;
    }
    let prev = prev.trim_ascii_end();
    let ends_with_comma = prev.ends_with(b",");
    let starts_field = FIELD_STARTS.iter().any(|f| rest.starts_with(f));
    if (starts_field || (indent > 0 && ends_with_comma)) && is_nginx_message(prev) {
        let sep: &'static [u8] = if ends_with_comma || !starts_field { b" " } else { b", " };
        return Some((sep, indent));
    }
    // Cut inside a quoted field value (`upstream: "http://10.0.3.7:90` / `00/", host: ...`):
    // the rest of the value and the fields after it, with no indentation.
    if indent == 0 && open_quote(prev) && (scan::contains(rest, b"\", ") || rest.ends_with(b"\"")) {
        return Some((b"", 0));
    }
    None
}

/// The line's last context field has an opening quote but no closing one.
fn open_quote(prev: &[u8]) -> bool {
    let tail = prev.get(prev.len().saturating_sub(LOOK)..).unwrap_or(prev);
    let Some(at) = scan::rfind(tail, b", client: ") else { return false };
    let fields = tail.get(at..).unwrap_or_default();
    fields.iter().filter(|b| **b == b'"').count() % 2 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations() {
        let head = b"[error] 22#22: connect() failed (111: Connection refused) while connecting to upstream,";
        assert_eq!(join(head, b"  request: \"GET / HTTP/1.1\""), Some((&b" "[..], 2)));
        assert_eq!(join(b"x failed while connecting to upstream", b"client: 1.2.3.4"), Some((&b", "[..], 0)));
        assert_eq!(join(head, b"2026/11/21 11:39:15 [error] 1#1: next"), None);
        assert_eq!(join(b"the poster's words,", b"  more words"), None);
        let cut =
            b"x while connecting to upstream, client: 1.2.3.4, server: _, upstream: \"http://10.0.3.7:90";
        assert_eq!(join(cut, b"00/login\", host: \"a.test\""), Some((&b""[..], 0)));
        assert_eq!(join(cut, b"some words"), None);
    }
}
