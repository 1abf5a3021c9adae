//! Byte-level scanning for log lines: shapes, numbers and substrings without allocation.

use badgateway_config::TextRange;
pub(crate) use badgateway_text::{contains, find, parse_u16, parse_u32, parse_u64, rfind};

/// True when `s` starts with `shape`, where `D` is any ASCII digit, `A` any ASCII
/// letter, `_` a digit or a space (space-padded day numbers) and every other byte
/// must match itself.
pub(crate) fn has_shape(s: &[u8], shape: &[u8]) -> bool {
    s.len() >= shape.len()
        && s.iter().zip(shape).all(|(&b, &want)| match want {
            b'D' => b.is_ascii_digit(),
            b'A' => b.is_ascii_alphabetic(),
            b'_' => b.is_ascii_digit() || b == b' ',
            _ => b == want,
        })
}

/// `(before, after)` around the first `needle`, the needle itself dropped.
pub(crate) fn split_once<'a>(hay: &'a [u8], needle: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = find(hay, needle)?;
    let (before, rest) = hay.split_at_checked(at)?;
    Some((before, rest.get(needle.len()..)?))
}

/// `(before, after)` around the last `needle`, the needle itself dropped.
pub(crate) fn rsplit_once<'a>(hay: &'a [u8], needle: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = rfind(hay, needle)?;
    let (before, rest) = hay.split_at_checked(at)?;
    Some((before, rest.get(needle.len()..)?))
}

/// The leading ASCII digits of `s` and what follows them.
pub(crate) fn leading_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    s.split_at_checked(n).unwrap_or((&[], s))
}

pub(crate) fn text(s: &[u8]) -> String {
    String::from_utf8_lossy(s).into_owned()
}

/// The part between the first `open` and the next `close` after it.
pub(crate) fn between<'a>(s: &'a [u8], open: &[u8], close: &[u8]) -> Option<&'a [u8]> {
    let (_, rest) = split_once(s, open)?;
    let (inner, _) = split_once(rest, close)?;
    Some(inner)
}

/// Strips one pair of surrounding double quotes (or a lone opening one: nginx cuts
/// lines at 2048 bytes, sometimes inside a quoted value).
pub(crate) fn unquote(s: &[u8]) -> &[u8] {
    let s = s.strip_prefix(b"\"").unwrap_or(s);
    s.strip_suffix(b"\"").unwrap_or(s)
}

/// Byte offsets of sub-slices within the text the reader reads (the paste with its
/// wrappers undone), mapped back to the user's own bytes. Every slice the parser hands
/// around is borrowed from that text, so its offset is the pointer distance.
#[derive(Clone, Copy)]
pub(crate) struct Origin<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) unpasted: Option<&'a crate::paste::Unpasted<'a>>,
}

impl<'a> Origin<'a> {
    fn offset(&self, sub: &[u8]) -> usize {
        (sub.as_ptr() as usize).wrapping_sub(self.text.as_ptr() as usize).min(self.text.len())
    }

    pub(crate) fn range(&self, sub: &[u8]) -> TextRange {
        let start = self.offset(sub);
        let r = TextRange::from_usize(start, start.saturating_add(sub.len()).min(self.text.len()));
        match self.unpasted {
            Some(u) => u.range(r),
            None => r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_numbers() {
        assert!(has_shape(b"2026/11/21 11:05:52 [error]", b"DDDD/DD/DD DD:DD:DD "));
        assert!(!has_shape(b"2026/11/2", b"DDDD/DD/DD"));
        assert!(has_shape(b"Nov  1 10:00:00", b"AAA __ DD:DD:DD"));
        assert_eq!(parse_u64(b"111"), Some(111));
        assert_eq!(parse_u64(b""), None);
        assert_eq!(parse_u64(b"99999999999999999999"), None);
        assert_eq!(parse_u16(b"70000"), None);
        assert_eq!(leading_digits(b"12#0"), (&b"12"[..], &b"#0"[..]));
        assert_eq!(rsplit_once(b"a while b while c", b" while "), Some((&b"a while b"[..], &b"c"[..])));
    }

    #[test]
    fn ranges_point_into_the_original() {
        let text = b"hello world";
        let o = Origin { text, unpasted: None };
        let sub = &text[6..];
        assert_eq!(o.range(sub), TextRange::new(6, 11));
    }
}
