//! What a pasted text is, before any box reads it: compressed, binary, UTF-16, or the
//! text another box reads (a log pasted into the config box, a config into the log box, a
//! listener table among the log lines).
//!
//! `nginx -t` stops at its first error; on text that is not a config, so do we: a box
//! whose text is something else is not read as its own kind at all, and one finding says
//! what it holds and where it belongs. Only the first [`SAMPLE`] bytes are looked at, so
//! this costs the same for a 64 MB paste as for a page.

use crate::input::{InputKind, TextRange};
use crate::{listeners, log};

/// How much of a text is looked at (cut back to the last whole line).
pub const SAMPLE: usize = 64 * 1024;

/// Why a text is not read at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotText {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
    Zip,
    /// An ELF or Mach-O program, or a PE `.exe`.
    Executable,
    /// UTF-16 text (Windows' "Unicode", PowerShell's `>`): decode it with [`decode_utf16`].
    Utf16 {
        little_endian: bool,
    },
    /// Other bytes no text holds (NUL, control characters).
    Binary,
}

impl NotText {
    /// What the user has, in a few words ("gzip-compressed data").
    pub fn describe(self) -> &'static str {
        match self {
            NotText::Gzip => "gzip-compressed data (a rotated log such as error.log.2.gz?)",
            NotText::Zstd => "zstd-compressed data (a journal file?)",
            NotText::Xz => "xz-compressed data",
            NotText::Bzip2 => "bzip2-compressed data",
            NotText::Zip => "a zip archive",
            NotText::Executable => "a program (binary executable), not a text",
            NotText::Utf16 { .. } => "UTF-16 text (as Windows tools and PowerShell's `>` write it)",
            NotText::Binary => "binary data, not a text",
        }
    }

    /// The command that writes it out as text (`FILE` stands for the file), if any.
    pub fn remedy(self) -> Option<&'static str> {
        match self {
            NotText::Gzip => Some("zcat FILE"),
            NotText::Zstd => Some("zstdcat FILE"),
            NotText::Xz => Some("xzcat FILE"),
            NotText::Bzip2 => Some("bzcat FILE"),
            NotText::Zip => Some("unzip -p FILE"),
            NotText::Utf16 { .. } => Some("iconv -f UTF-16 -t UTF-8 FILE"),
            NotText::Executable | NotText::Binary => None,
        }
    }
}

/// What a text holds, as far as the boxes are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    Config,
    Log,
    Listeners,
    /// Text none of the boxes reads.
    Unknown,
}

impl Content {
    /// The box that reads it.
    pub fn input(self) -> Option<InputKind> {
        match self {
            Content::Config => Some(InputKind::Config),
            Content::Log => Some(InputKind::Log),
            Content::Listeners => Some(InputKind::Listeners),
            Content::Unknown => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Content::Config => "an nginx config",
            Content::Log => "error-log lines",
            Content::Listeners => "a listener table",
            Content::Unknown => "text that is not an nginx config",
        }
    }
}

/// The verdict on one box's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Read it as the box's own kind.
    Read,
    /// Not text: nothing is read. `at` is the first byte that says so.
    NotText { what: NotText, at: u32 },
    /// Text the box does not read: `matching` of the sample's `lines` non-blank lines are
    /// `holds`; `first` is the first of them.
    Elsewhere { holds: Content, lines: usize, matching: usize, first: TextRange },
}

/// The verdict on `text` pasted into `input`'s box.
pub fn sniff(text: &[u8], input: InputKind) -> Verdict {
    if let Some((what, at)) = not_text(text) {
        return Verdict::NotText { what, at };
    }
    let sample = sample(text);
    let stats = LineStats::of(sample);
    if stats.lines == 0 {
        return Verdict::Read;
    }
    let read = match input {
        InputKind::Config => stats.config_like * 10 >= stats.lines * 3,
        // Any log line at all is read (a log box may hold a config's pieces too); only
        // nginx's own `nginx: ...` lines do not count: they head every `nginx -T` dump.
        InputKind::Log => log_lines(sample).0 > stats.banners,
        InputKind::Listeners => listener_rows(sample).0 > 0,
    };
    if read {
        return Verdict::Read;
    }
    // What else it may be (the listener box also reads `systemctl status`, firewall rules
    // and the other probes the 502 guides ask for).
    let others: &[Content] = match input {
        InputKind::Config => &[Content::Log, Content::Listeners],
        InputKind::Log => &[Content::Listeners, Content::Config],
        InputKind::Listeners => &[Content::Log, Content::Config],
    };
    if let Some(verdict) = others.iter().find_map(|holds| mostly(*holds, sample, &stats)) {
        return verdict;
    }
    // A short fragment without its `;` gets nginx's own error; three lines of which none is
    // config-like are not a config at all.
    if input == InputKind::Config && stats.lines >= 3 && stats.config_like == 0 {
        return Verdict::Elsewhere {
            holds: Content::Unknown,
            lines: stats.lines,
            matching: 0,
            first: stats.first,
        };
    }
    Verdict::Read
}

/// `Elsewhere` when at least half the sample's lines are `holds`.
fn mostly(holds: Content, sample: &[u8], stats: &LineStats) -> Option<Verdict> {
    let (matching, first) = match holds {
        Content::Log => log_lines(sample),
        Content::Listeners => listener_rows(sample),
        // `nginx -t`'s verdict belongs in the log box: only directives and blocks count.
        Content::Config => (stats.config_like - stats.banners, stats.first_config),
        Content::Unknown => return None,
    };
    (matching > 0 && matching * 2 >= stats.lines).then_some(Verdict::Elsewhere {
        holds,
        lines: stats.lines,
        matching,
        first,
    })
}

/// UTF-16 text (with or without its byte-order mark) as UTF-8; `None` when it is not
/// UTF-16. Unpaired surrogates become U+FFFD.
pub fn decode_utf16(text: &[u8]) -> Option<String> {
    let Some((NotText::Utf16 { little_endian }, _)) = not_text(text) else { return None };
    let body = match text {
        [0xFF, 0xFE, rest @ ..] | [0xFE, 0xFF, rest @ ..] => rest,
        _ => text,
    };
    let units = body
        .chunks_exact(2)
        .filter_map(|pair| <[u8; 2]>::try_from(pair).ok())
        .map(|pair| if little_endian { u16::from_le_bytes(pair) } else { u16::from_be_bytes(pair) });
    Some(char::decode_utf16(units).map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)).collect())
}

fn not_text(text: &[u8]) -> Option<(NotText, u32)> {
    let magic: &[(&[u8], NotText)] = &[
        (b"\x1f\x8b", NotText::Gzip),
        (b"\x28\xb5\x2f\xfd", NotText::Zstd),
        (b"\xfd7zXZ\x00", NotText::Xz),
        (b"BZh", NotText::Bzip2),
        (b"PK\x03\x04", NotText::Zip),
        (b"\x7fELF", NotText::Executable),
        (b"\xcf\xfa\xed\xfe", NotText::Executable),
        (b"MZ", NotText::Executable),
    ];
    for (prefix, what) in magic {
        // "BZh" and "MZ" are also how a word can start: only with the bytes that follow.
        let binary_after = || text.get(prefix.len()..).is_some_and(|rest| first_binary(rest).is_some());
        if text.starts_with(prefix) && (prefix.len() >= 4 || *prefix == b"\x1f\x8b" || binary_after()) {
            return Some((*what, 0));
        }
    }
    match text {
        [0xFF, 0xFE, ..] => return Some((NotText::Utf16 { little_endian: true }, 0)),
        [0xFE, 0xFF, ..] => return Some((NotText::Utf16 { little_endian: false }, 0)),
        _ => {}
    }
    let head = text.get(..512).unwrap_or(text);
    if head.len() >= 4 {
        let zeros_at = |parity: usize| head.iter().skip(parity).step_by(2).filter(|b| **b == 0).count();
        let half = head.len() / 2;
        // ASCII text in UTF-16: every other byte is 0.
        if zeros_at(1) * 10 >= half * 9 && zeros_at(0) == 0 {
            return Some((NotText::Utf16 { little_endian: true }, 0));
        }
        if zeros_at(0) * 10 >= half * 9 && zeros_at(1) == 0 {
            return Some((NotText::Utf16 { little_endian: false }, 0));
        }
    }
    first_binary(text.get(..SAMPLE).unwrap_or(text))
        .map(|at| (NotText::Binary, u32::try_from(at).unwrap_or(u32::MAX)))
}

/// The first byte that no text holds: NUL, or a control character other than tab, line
/// feed, form feed, carriage return and escape (terminal colours) — when such bytes are
/// more than one in a hundred (a stray one in a long paste is a typo, not a binary).
fn first_binary(text: &[u8]) -> Option<usize> {
    let is_control =
        |b: u8| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b)) || b == 0x7f;
    let first = text.iter().position(|b| *b == 0 || is_control(*b))?;
    let count = text.iter().filter(|b| is_control(**b)).count();
    (text.contains(&0) || count * 100 > text.len()).then_some(first)
}

fn sample(text: &[u8]) -> &[u8] {
    let Some(cut) = text.get(..SAMPLE) else { return text };
    memchr::memrchr(b'\n', cut).and_then(|nl| cut.get(..=nl)).unwrap_or(cut)
}

fn lines(text: &[u8]) -> impl Iterator<Item = (TextRange, &[u8])> {
    let mut start = 0usize;
    text.split(|b| *b == b'\n').map(move |line| {
        let range = TextRange::new(
            u32::try_from(start).unwrap_or(u32::MAX),
            u32::try_from(start + line.len()).unwrap_or(u32::MAX),
        );
        start += line.len() + 1;
        (range, line.trim_ascii())
    })
}

struct LineStats {
    /// Non-blank lines that are not comments.
    lines: usize,
    config_like: usize,
    /// nginx's own `nginx: ...` lines (counted in `config_like` too).
    banners: usize,
    first: TextRange,
    first_config: TextRange,
}

impl LineStats {
    fn of(sample: &[u8]) -> Self {
        let mut stats = LineStats {
            lines: 0,
            config_like: 0,
            banners: 0,
            first: TextRange::new(0, 0),
            first_config: TextRange::new(0, 0),
        };
        for (range, line) in lines(sample) {
            if line.is_empty() || line.starts_with(b"#") || line.starts_with(b"```") {
                continue;
            }
            if stats.lines == 0 {
                stats.first = range;
            }
            stats.lines += 1;
            stats.banners += usize::from(line.starts_with(b"nginx: "));
            if config_like(line) {
                if stats.config_like == 0 {
                    stats.first_config = range;
                }
                stats.config_like += 1;
            }
        }
        stats
    }
}

/// A line a config has: a directive ending in `;`, a block's `{` or `}` (a comment may
/// follow), or `nginx -T`'s own banner.
fn config_like(line: &[u8]) -> bool {
    let code = match memchr::memchr(b'#', line) {
        Some(hash) if hash > 0 => line.get(..hash).unwrap_or(line).trim_ascii_end(),
        _ => line,
    };
    matches!(code.last(), Some(b';' | b'{' | b'}')) || line.starts_with(b"nginx: ")
}

/// Lines the log reader understood, and the first of them.
fn log_lines(sample: &[u8]) -> (usize, TextRange) {
    let report = log::parse(sample);
    let nonblank = lines(sample).filter(|(_, l)| !l.is_empty()).count();
    let understood = nonblank.saturating_sub(report.unrecognized_count);
    let unrecognized = &report.unrecognized;
    let first = lines(sample)
        .find(|(range, line)| !line.is_empty() && !unrecognized.contains(range))
        .map_or(TextRange::new(0, 0), |(range, _)| range);
    (understood, first)
}

/// Rows the listener reader took for sockets, socket files or probe facts (a firewall
/// ruleset, `ps`, `getent` ...), and the first of its sections.
fn listener_rows(sample: &[u8]) -> (usize, TextRange) {
    let report = listeners::parse(sample);
    let first = report.sections.first().map(|s| s.range).unwrap_or(TextRange::new(0, 0));
    let rows = report.sections.iter().map(|s| s.rows).sum::<usize>();
    (rows.max(report.listeners.len() + report.socket_files.len() + report.facts.len()), first)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "2026/12/07 10:00:11 [error] 1234#1234: *13 connect() failed (111: Connection refused) \
                       while connecting to upstream, client: 10.0.0.9, server: a.example, request: \"GET / \
                       HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"a.example\"\n";
    const CONFIG: &str =
        "server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:8000;\n    }\n}\n";
    const SS: &str = "State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n\
                      LISTEN 0      2048   127.0.0.1:3000     0.0.0.0:*     users:((\"gunicorn\",pid=7,fd=5))\n\
                      LISTEN 0      128    0.0.0.0:22         0.0.0.0:*     users:((\"sshd\",pid=1,fd=3))\n";

    fn holds(text: &str, input: InputKind) -> Option<Content> {
        match sniff(text.as_bytes(), input) {
            Verdict::Elsewhere { holds, .. } => Some(holds),
            Verdict::Read => None,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_box_reads_its_own_kind() {
        assert_eq!(holds(CONFIG, InputKind::Config), None);
        assert_eq!(holds(LOG, InputKind::Log), None);
        assert_eq!(holds(SS, InputKind::Listeners), None);
    }

    #[test]
    fn a_paste_in_the_wrong_box_is_told() {
        let three_logs = LOG.repeat(3);
        assert_eq!(holds(&three_logs, InputKind::Config), Some(Content::Log));
        assert_eq!(holds(SS, InputKind::Config), Some(Content::Listeners));
        assert_eq!(holds(CONFIG, InputKind::Log), Some(Content::Config));
        assert_eq!(holds(SS, InputKind::Log), Some(Content::Listeners));
        assert_eq!(holds(&three_logs, InputKind::Listeners), Some(Content::Log));
        assert_eq!(holds(CONFIG, InputKind::Listeners), Some(Content::Config));
    }

    #[test]
    fn the_first_line_of_what_it_holds_is_located() {
        let text = format!("here is my log:\n{}", LOG.repeat(3));
        let Verdict::Elsewhere { holds: Content::Log, first, .. } = sniff(text.as_bytes(), InputKind::Config)
        else {
            panic!()
        };
        assert!(text[first.start as usize..first.end as usize].starts_with("2026/12/07"));
    }

    #[test]
    fn mixed_and_fragmentary_configs_are_still_configs() {
        // A fragment without its `;` gets nginx's own error, not "this is not a config".
        assert_eq!(holds("proxy_pass http://127.0.0.1:8000\n", InputKind::Config), None);
        // nginx -T with its banner and a log line pasted under it.
        let dump = format!("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n{CONFIG}{LOG}");
        assert_eq!(holds(&dump, InputKind::Config), None);
        // A log box with an nginx -t verdict among the log lines is a log box.
        let log =
            format!("nginx: [emerg] host not found in upstream \"app\" in /etc/nginx/conf.d/a.conf:3\n{LOG}");
        assert_eq!(holds(&log, InputKind::Log), None);
        // `nginx -t` output whose first line lost its head is still the log box's.
        let test = "invalid URL prefix in /etc/nginx/nginx.conf:22\nnginx: configuration file /etc/nginx/nginx.conf test failed\n";
        assert_eq!(holds(test, InputKind::Log), None);
    }

    #[test]
    fn prose_in_the_config_box_is_not_a_config() {
        let prose = "I get 502 when I open the site.\nnginx and gunicorn both run\nwhat is wrong?\n";
        assert_eq!(holds(prose, InputKind::Config), Some(Content::Unknown));
    }

    #[test]
    fn systemctl_status_and_firewall_rules_are_the_listener_box_s() {
        let status = "● php8.2-fpm.service - The PHP 8.2 FastCGI Process Manager\n     \
                      Loaded: loaded (/lib/systemd/system/php8.2-fpm.service; enabled; preset: enabled)\n     \
                      Active: inactive (dead) since Mon 2026-12-07 10:00:00 UTC; 5min ago\n";
        assert_eq!(holds(status, InputKind::Listeners), None);
        let rules = "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 8000 drop\n\t}\n}\n";
        assert_eq!(holds(rules, InputKind::Listeners), None);
    }

    #[test]
    fn compressed_binary_and_utf16_are_not_text() {
        let verdict = |bytes: &[u8]| match sniff(bytes, InputKind::Log) {
            Verdict::NotText { what, at } => Some((what, at)),
            _ => None,
        };
        assert_eq!(verdict(b"\x1f\x8b\x08\x00\x00\x00\x00\x00"), Some((NotText::Gzip, 0)));
        assert_eq!(verdict(b"\x28\xb5\x2f\xfd\x00"), Some((NotText::Zstd, 0)));
        assert_eq!(verdict(b"\x7fELF\x02\x01\x01\x00\x00"), Some((NotText::Executable, 0)));
        assert_eq!(verdict(b"server {\0\0\x01\x02"), Some((NotText::Binary, 8)));
        // Words that start like a magic number are text.
        assert_eq!(verdict(b"BZh is not bzip2 here\n"), None);
        assert_eq!(verdict(b"MZ-style heading\n"), None);
        // One stray control character in a long text is a typo, not a binary.
        let mut text = LOG.repeat(3).into_bytes();
        text[10] = 0x01;
        assert_eq!(verdict(&text), None);
        let utf16: Vec<u8> = LOG.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(verdict(&utf16), Some((NotText::Utf16 { little_endian: true }, 0)));
        let mut bom = vec![0xFE, 0xFF];
        bom.extend(LOG.encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(verdict(&bom), Some((NotText::Utf16 { little_endian: false }, 0)));
        assert_eq!(decode_utf16(&utf16).as_deref(), Some(LOG));
        assert_eq!(decode_utf16(&bom).as_deref(), Some(LOG));
        assert_eq!(decode_utf16(LOG.as_bytes()), None);
    }

    #[test]
    fn only_the_sample_is_read() {
        // A 10 MB log pasted in the config box is told from its first 64 KB.
        let big = LOG.repeat(10 * 1024 * 1024 / LOG.len());
        assert_eq!(holds(&big, InputKind::Config), Some(Content::Log));
        assert!(sample(big.as_bytes()).len() <= SAMPLE);
        assert!(sample(big.as_bytes()).ends_with(b"\n"));
    }
}
