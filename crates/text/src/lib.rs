//! Byte-text helpers every badgateway crate shares: substring search, decimal numbers,
//! `host:port`, nginx's include glob, a fast hasher for indexes, and character boundaries.
#![forbid(unsafe_code)]

mod glob;
pub mod hash;

pub use glob::glob_match;

/// Haystacks up to this long are searched by first byte: building a `memmem` searcher
/// for every call cost more than the search itself on log lines (a third of the parse
/// time at 100k lines). Longer ones use `memmem`, whose time stays linear whatever the text.
const SHORT_HAY: usize = 4096;

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else { return Some(0) };
    if hay.len() > SHORT_HAY {
        return memchr::memmem::find(hay, needle);
    }
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| memchr::memchr(first, h)) {
        let at = from + i;
        if hay.get(at + 1..at + 1 + rest.len()) == Some(rest) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some((&first, rest)) = needle.split_first() else { return Some(hay.len()) };
    if hay.len() > SHORT_HAY {
        return memchr::memmem::rfind(hay, needle);
    }
    let mut end = hay.len();
    while let Some(at) = hay.get(..end).and_then(|h| memchr::memrchr(first, h)) {
        if hay.get(at + 1..at + 1 + rest.len()) == Some(rest) {
            return Some(at);
        }
        end = at;
    }
    None
}

pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// A whole-slice decimal number; `None` when empty, not all digits or too large.
pub fn parse_u64(s: &[u8]) -> Option<u64> {
    if s.is_empty() || s.len() > 19 {
        return None;
    }
    s.iter().try_fold(0u64, |acc, &b| {
        if b.is_ascii_digit() { acc.checked_mul(10)?.checked_add(u64::from(b - b'0')) } else { None }
    })
}

pub fn parse_u32(s: &[u8]) -> Option<u32> {
    parse_u64(s).and_then(|v| u32::try_from(v).ok())
}

pub fn parse_u16(s: &[u8]) -> Option<u16> {
    parse_u64(s).and_then(|v| u16::try_from(v).ok())
}

/// `127.0.0.1:80` -> (`127.0.0.1`, 80); `[::1]:80` -> (`::1`, 80); `group` -> (`group`, None).
pub fn split_host_port(target: &[u8]) -> (&[u8], Option<u16>) {
    if let Some(rest) = target.strip_prefix(b"[") {
        if let Some(close) = memchr::memchr(b']', rest) {
            let (host, after) = rest.split_at(close);
            return (host, after.get(1..).and_then(|a| a.strip_prefix(b":")).and_then(parse_u16));
        }
        return (target, None);
    }
    match rfind(target, b":") {
        Some(at) if !contains(target.get(..at).unwrap_or_default(), b":") => {
            match target.get(at + 1..).and_then(parse_u16) {
                Some(p) => (target.get(..at).unwrap_or_default(), Some(p)),
                None => (target, None),
            }
        }
        _ => (target, None),
    }
}

/// A byte range clamped to `text` and widened to character boundaries (the start down, the
/// end up), so that slicing with it never panics.
pub fn char_range(text: &str, (start, end): (u32, u32)) -> std::ops::Range<usize> {
    let mut s = (start as usize).min(text.len());
    let mut e = (end as usize).min(text.len()).max(s);
    while !text.is_char_boundary(s) {
        s -= 1;
    }
    while !text.is_char_boundary(e) {
        e += 1;
    }
    s..e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_byte_search_agrees_with_memmem() {
        let long = "ab".repeat(3000);
        let hays: [&[u8]; 7] =
            [b"", b"a", b"abcabc", b"xx, client: yy, client: zz", b"aaaa", b"(1: x) (2: y)", long.as_bytes()];
        let needles: [&[u8]; 6] = [b"", b"a", b"bc", b", client: ", b"aa", b" ("];
        for hay in hays {
            for needle in needles {
                assert_eq!(find(hay, needle), memchr::memmem::find(hay, needle), "{hay:?} {needle:?}");
                assert_eq!(rfind(hay, needle), memchr::memmem::rfind(hay, needle), "{hay:?} {needle:?}");
            }
        }
    }

    #[test]
    fn numbers_and_host_ports() {
        assert_eq!(parse_u64(b"111"), Some(111));
        assert_eq!(
            (parse_u64(b""), parse_u64(b"99999999999999999999"), parse_u16(b"70000")),
            (None, None, None)
        );
        assert_eq!(split_host_port(b"127.0.0.1:80"), (&b"127.0.0.1"[..], Some(80)));
        assert_eq!(split_host_port(b"[::1]:8080"), (&b"::1"[..], Some(8080)));
        assert_eq!(split_host_port(b"[::1]"), (&b"::1"[..], None));
        assert_eq!(split_host_port(b"::1"), (&b"::1"[..], None));
        assert_eq!(split_host_port(b"app"), (&b"app"[..], None));
        assert_eq!(split_host_port(b"app:http"), (&b"app:http"[..], None));
        assert_eq!(char_range("añb", (2, 2)), 1..3);
        assert_eq!(char_range("añb", (1, 2)), 1..3);
        assert_eq!(char_range("ab", (5, 9)), 2..2);
    }
}
