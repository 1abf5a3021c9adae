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

/// A link's content before base64: the raw DEFLATE stream of each input (`None` when the
/// input is empty) and the flags. Compression is left to the caller, so that the page can
/// use the browser's own `CompressionStream` and ship no compressor (see `encode`/`decode`
/// for the native, synchronous path).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packed {
    pub config: Option<Vec<u8>>,
    pub listeners: Option<Vec<u8>>,
    pub log: Option<Vec<u8>>,
    pub embed: bool,
    pub redacted: bool,
}

const KEYS: [&str; 3] = ["c", "l", "g"];

impl Packed {
    /// Compresses each non-empty input with `deflate` (raw DEFLATE, RFC 1951).
    pub fn pack(shared: &Shared, mut deflate: impl FnMut(&[u8]) -> Vec<u8>) -> Packed {
        let mut part = |text: &str| (!text.trim().is_empty()).then(|| deflate(text.as_bytes()));
        Packed {
            config: part(&shared.config),
            listeners: part(&shared.listeners),
            log: part(&shared.log),
            embed: shared.embed,
            redacted: shared.redacted,
        }
    }

    /// The compressed parts with their keys, in link order.
    pub fn parts(&self) -> [(&'static str, Option<&[u8]>); 3] {
        let [c, l, g] = KEYS;
        [(c, self.config.as_deref()), (l, self.listeners.as_deref()), (g, self.log.as_deref())]
    }

    /// The fragment (starting with `#`).
    pub fn to_fragment(&self) -> String {
        let mut out = String::from("#/share?v=1");
        for (key, bytes) in self.parts() {
            if let Some(bytes) = bytes {
                out.push('&');
                out.push_str(key);
                out.push('=');
                out.push_str(&URL_SAFE_NO_PAD.encode(bytes));
            }
        }
        if self.embed {
            out.push_str("&embed=1");
        }
        if self.redacted {
            out.push_str("&redacted=1");
        }
        out
    }

    /// Reads a fragment (with or without the leading `#`) up to the compressed parts.
    pub fn parse(fragment: &str) -> Result<Packed, ShareError> {
        let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
        let query = fragment.strip_prefix("/share?").ok_or(ShareError::NotAShareLink)?;
        let pairs: Vec<(&str, &str)> =
            query.split('&').map(|p| p.split_once('=').unwrap_or((p, ""))).collect();
        match pairs.iter().find(|(k, _)| *k == "v").map(|(_, v)| *v) {
            Some("1") => {}
            Some(v) => return Err(ShareError::UnsupportedVersion(v.to_string())),
            None => return Err(ShareError::NotAShareLink),
        }
        let bytes = |value: &str, key: &'static str| {
            URL_SAFE_NO_PAD.decode(value.trim_end_matches('=')).map_err(|_| ShareError::Corrupt(key))
        };
        let mut packed = Packed::default();
        for (key, value) in pairs {
            match key {
                "c" => packed.config = Some(bytes(value, "c")?),
                "l" => packed.listeners = Some(bytes(value, "l")?),
                "g" => packed.log = Some(bytes(value, "g")?),
                "embed" => packed.embed = value != "0",
                "redacted" => packed.redacted = value != "0",
                _ => {}
            }
        }
        Ok(packed)
    }

    /// The inputs, from the parts inflated by the caller (in `parts()` order; `None` for
    /// a part that was absent). Texts must be UTF-8.
    pub fn unpacked(&self, inflated: [Option<Vec<u8>>; 3]) -> Result<Shared, ShareError> {
        let [c, l, g] = inflated;
        let text = |bytes: Option<Vec<u8>>, key: &'static str| match bytes {
            None => Ok(String::new()),
            Some(b) => String::from_utf8(b).map_err(|_| ShareError::Corrupt(key)),
        };
        Ok(Shared {
            config: text(c, "c")?,
            listeners: text(l, "l")?,
            log: text(g, "g")?,
            embed: self.embed,
            redacted: self.redacted,
        })
    }
}

/// The fragment (starting with `#`) for these inputs.
#[cfg(feature = "deflate")]
pub fn encode(shared: &Shared) -> String {
    Packed::pack(shared, |bytes| miniz_oxide::deflate::compress_to_vec(bytes, 9)).to_fragment()
}

/// Reads a fragment made by [`encode`] (with or without the leading `#`).
#[cfg(feature = "deflate")]
pub fn decode(fragment: &str) -> Result<Shared, ShareError> {
    let packed = Packed::parse(fragment)?;
    let mut inflated: [Option<Vec<u8>>; 3] = [None, None, None];
    for ((key, part), slot) in packed.parts().into_iter().zip(inflated.iter_mut()) {
        if let Some(bytes) = part {
            let raw = miniz_oxide::inflate::decompress_to_vec_with_limit(bytes, MAX_DECODED)
                .map_err(|_| ShareError::Corrupt(key))?;
            *slot = Some(raw);
        }
    }
    packed.unpacked(inflated)
}

#[cfg(all(test, feature = "deflate"))]
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

    /// The page's path: its own compressor around `Packed` (here: none at all).
    #[test]
    fn packed_round_trips_with_any_codec() {
        let shared = Shared {
            listeners: "LISTEN 0 511 *:80".into(),
            log: "x".into(),
            redacted: true,
            ..Shared::default()
        };
        let packed = Packed::pack(&shared, <[u8]>::to_vec);
        assert_eq!(packed.config, None);
        let back = Packed::parse(&packed.to_fragment()).unwrap();
        assert_eq!(back, packed);
        let inflated = back.parts().map(|(_, part)| part.map(<[u8]>::to_vec));
        assert_eq!(back.unpacked(inflated), Ok(shared));
        assert_eq!(back.unpacked([None, Some(vec![0xff]), None]), Err(ShareError::Corrupt("l")));
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
