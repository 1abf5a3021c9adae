//! Share links: the three inputs carried in the URL fragment, which browsers never
//! send to a server. Format (documented in the README, stable):
//!
//! `#/share?v=1&c=<config>&l=<listeners>&g=<log>[&embed=1][&redacted=1]`
//!
//! each value the UTF-8 text, compressed with raw DEFLATE (RFC 1951), then base64url
//! without padding (RFC 4648 §5). Absent or empty inputs are left out.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// Decompressed inputs larger than this are refused (a link is no place for more).
pub const MAX_DECODED: usize = 64 * 1024 * 1024;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shared {
    pub config: String,
    pub listeners: String,
    pub log: String,
    pub embed: bool,
    pub redacted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShareError {
    /// The fragment is not a share link at all.
    NotAShareLink,
    UnsupportedVersion(String),
    /// A value is not base64url, not DEFLATE, too large, or not UTF-8; names the key.
    Corrupt(&'static str),
}

impl std::fmt::Display for ShareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShareError::NotAShareLink => write!(f, "not a badgateway share link"),
            ShareError::UnsupportedVersion(v) => write!(f, "share link version {v} is newer than this page"),
            ShareError::Corrupt(key) => {
                write!(f, "the link's `{key}` part is damaged (was the link cut short?)")
            }
        }
    }
}

fn pack(text: &str) -> String {
    URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text.as_bytes(), 9))
}

fn unpack(value: &str, key: &'static str) -> Result<String, ShareError> {
    let bytes = URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).map_err(|_| ShareError::Corrupt(key))?;
    let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(&bytes, MAX_DECODED)
        .map_err(|_| ShareError::Corrupt(key))?;
    String::from_utf8(raw).map_err(|_| ShareError::Corrupt(key))
}

/// The fragment (starting with `#`) for these inputs.
pub fn encode(shared: &Shared) -> String {
    let mut out = String::from("#/share?v=1");
    for (key, text) in [("c", &shared.config), ("l", &shared.listeners), ("g", &shared.log)] {
        if !text.trim().is_empty() {
            out.push('&');
            out.push_str(key);
            out.push('=');
            out.push_str(&pack(text));
        }
    }
    if shared.embed {
        out.push_str("&embed=1");
    }
    if shared.redacted {
        out.push_str("&redacted=1");
    }
    out
}

/// Reads a fragment made by [`encode`] (with or without the leading `#`).
pub fn decode(fragment: &str) -> Result<Shared, ShareError> {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let query = fragment.strip_prefix("/share?").ok_or(ShareError::NotAShareLink)?;
    let pairs: Vec<(&str, &str)> = query.split('&').map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
    match pairs.iter().find(|(k, _)| *k == "v").map(|(_, v)| *v) {
        Some("1") => {}
        Some(v) => return Err(ShareError::UnsupportedVersion(v.to_string())),
        None => return Err(ShareError::NotAShareLink),
    }
    let mut shared = Shared::default();
    for (key, value) in pairs {
        match key {
            "c" => shared.config = unpack(value, "c")?,
            "l" => shared.listeners = unpack(value, "l")?,
            "g" => shared.log = unpack(value, "g")?,
            "embed" => shared.embed = value != "0",
            "redacted" => shared.redacted = value != "0",
            _ => {}
        }
    }
    Ok(shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_skips_empty_inputs() {
        let shared = Shared {
            config: "location / { proxy_pass http://127.0.0.1:8000; }\n".into(),
            listeners: String::new(),
            log: "2026/11/21 [error] ünïcode \u{202E}\n".repeat(50),
            embed: true,
            redacted: false,
        };
        let link = encode(&shared);
        assert!(link.starts_with("#/share?v=1&c="));
        assert!(!link.contains("&l="));
        assert!(link.len() < 400, "repetitive logs compress: {}", link.len());
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"#/?=&-_".contains(&b)));
        assert_eq!(decode(&link), Ok(shared));
    }

    #[test]
    fn damaged_or_foreign_fragments_are_refused_with_a_reason() {
        assert_eq!(decode("#/rules/BG202"), Err(ShareError::NotAShareLink));
        assert_eq!(decode("#/share?v=2&c=AA"), Err(ShareError::UnsupportedVersion("2".into())));
        assert_eq!(decode("#/share?v=1&c=!!!"), Err(ShareError::Corrupt("c")));
        let link = encode(&Shared { config: "x".repeat(1000), ..Shared::default() });
        let cut = &link[..link.len() - 3];
        assert_eq!(decode(cut), Err(ShareError::Corrupt("c")));
    }

    /// The README's recipes for generating links elsewhere (Python's zlib without its
    /// header and checksum, Node's deflateRawSync) give links this page opens.
    #[test]
    fn links_made_by_the_documented_recipes_decode() {
        for (link, text) in [("#/share?v=1&c=y0jNyckHAA", "hello"), ("#/share?v=1&g=y0jNyckHAA", "hello")] {
            let shared = decode(link).unwrap();
            assert_eq!(shared.config.len() + shared.log.len(), text.len());
            assert!(shared.config == text || shared.log == text);
        }
    }

    #[test]
    fn a_decompression_bomb_is_refused() {
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b'a'; MAX_DECODED + 1], 9);
        let link = format!("#/share?v=1&c={}", URL_SAFE_NO_PAD.encode(bomb));
        assert_eq!(decode(&link), Err(ShareError::Corrupt("c")));
    }
}
