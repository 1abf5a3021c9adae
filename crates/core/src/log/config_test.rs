//! The stderr of `nginx -t`: `nginx: [emerg] ... in /path:12`, `nginx: the
//! configuration file ... syntax is ok`, `nginx: configuration file ... test failed`.

use super::Level;
use super::scan;

pub(crate) enum Message<'a> {
    /// `nginx: [level] message`.
    Logged { level: Level, message: &'a [u8] },
    /// `nginx: configuration file FILE test is successful` / `test failed`.
    Outcome { ok: bool, file: &'a [u8] },
    /// `nginx: the configuration file FILE syntax is ok`.
    SyntaxOk,
}

pub(crate) fn parse(p: &[u8]) -> Option<Message<'_>> {
    let rest = p.strip_prefix(b"nginx: ")?;
    if let Some(rest) = rest.strip_prefix(b"[") {
        let close = memchr::memchr(b']', rest)?;
        let (level, after) = rest.split_at_checked(close)?;
        let level = Level::from_bytes(level)?;
        let message = after.strip_prefix(b"]")?.trim_ascii_start();
        return Some(Message::Logged { level, message });
    }
    if let Some(rest) = rest.strip_prefix(b"configuration file ") {
        if let Some(file) = rest.strip_suffix(b" test failed") {
            return Some(Message::Outcome { ok: false, file });
        }
        if let Some(file) = rest.strip_suffix(b" test is successful") {
            return Some(Message::Outcome { ok: true, file });
        }
        return None;
    }
    if rest.starts_with(b"the configuration file ") && rest.ends_with(b" syntax is ok") {
        return Some(Message::SyntaxOk);
    }
    None
}

/// `unknown directive "x" in /etc/nginx/sites-enabled/app:12` ->
/// (`unknown directive "x"`, `/etc/nginx/sites-enabled/app`, 12).
pub(crate) fn split_location(message: &[u8]) -> (&[u8], Option<&[u8]>, Option<u32>) {
    if let Some((text, location)) = scan::rsplit_once(message, b" in ")
        && location.starts_with(b"/")
        && let Some((file, line)) = scan::rsplit_once(location, b":")
        && let Some(n) = scan::parse_u32(line)
    {
        return (text, Some(file), Some(n));
    }
    (message, None, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_split() {
        let (t, f, l) = split_location(b"unknown directive \"x\" in /etc/nginx/sites-enabled/app:12");
        assert_eq!(t, b"unknown directive \"x\"");
        assert_eq!(f, Some(&b"/etc/nginx/sites-enabled/app"[..]));
        assert_eq!(l, Some(12));
        let (t, f, _) = split_location(b"bind() to 0.0.0.0:80 failed (98: Address already in use)");
        assert_eq!(t, b"bind() to 0.0.0.0:80 failed (98: Address already in use)");
        assert_eq!(f, None);
    }
}
