//! An errno read by its text as well as its number: the number depends on the system
//! nginx runs on (Linux, FreeBSD/macOS, nginx for Windows, Alpine's musl), the text
//! says what happened. Every errno is kept as its Linux number, which the rules use.
//!
//! Texts: glibc and musl `strerror`, FreeBSD/macOS `strerror`, Windows' WSA messages
//! (`/work/shared/reference/paste-forms.md` §7, `errno_table.md`; musl's from
//! `src/errno/__strerror.h`).

/// (Linux errno, the texts systems print for it). Longer texts first where one
/// starts another (`Too many open files in system`).
const TEXTS: [(u16, &[&str]); 16] = [
    (
        111,
        &["Connection refused", "No connection could be made because the target machine actively refused it"],
    ),
    (
        110,
        &[
            "Connection timed out",
            "Operation timed out",
            "A connection attempt failed because the connected party did not properly respond",
        ],
    ),
    (104, &["Connection reset by peer", "An existing connection was forcibly closed by the remote host"]),
    (
        113,
        &[
            "No route to host",
            "Host is unreachable",
            "A socket operation was attempted to an unreachable host",
        ],
    ),
    (
        101,
        &[
            "Network is unreachable",
            "Network unreachable",
            "A socket operation was attempted to an unreachable network",
        ],
    ),
    (
        99,
        &[
            "Cannot assign requested address",
            "Can't assign requested address",
            "Address not available",
            "The requested address is not valid in its context",
        ],
    ),
    (
        13,
        &[
            "Permission denied",
            "An attempt was made to access a socket in a way forbidden by its access permissions",
        ],
    ),
    (23, &["Too many open files in system"]),
    (24, &["Too many open files", "No file descriptors available"]),
    (2, &["No such file or directory"]),
    (11, &["Resource temporarily unavailable", "Operation would block"]),
    (32, &["Broken pipe"]),
    (112, &["Host is down"]),
    (100, &["Network is down"]),
    (107, &["Transport endpoint is not connected", "Socket is not connected"]),
    (98, &["Address already in use", "Address in use"]),
];

/// The Linux errno for `(number: text)` as written: by the text when it is one of the
/// known ones, else the number as written (nginx's resolver codes, `3: Host not found`,
/// keep theirs).
pub(crate) fn canonical(number: u16, text: &[u8]) -> u16 {
    for (linux, texts) in TEXTS {
        if texts.iter().any(|t| starts_with_ignore_case(text, t.as_bytes())) {
            // `Operation timed out` is also the resolver's own text for its code 110.
            return linux;
        }
    }
    number
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn every_system_reads_the_same() {
        for (n, text) in [
            (111, "Connection refused"),
            (61, "Connection refused"),
            (10061, "No connection could be made because the target machine actively refused it"),
            (146, "Connection refused"),
        ] {
            assert_eq!(canonical(n, text.as_bytes()), 111, "{n}: {text}");
        }
        assert_eq!(canonical(60, b"Operation timed out"), 110);
        assert_eq!(canonical(10060, b"A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond"), 110);
        assert_eq!(canonical(54, b"Connection reset by peer"), 104);
        assert_eq!(canonical(10054, b"An existing connection was forcibly closed by the remote host"), 104);
        assert_eq!(canonical(65, b"No route to host"), 113);
        assert_eq!(canonical(113, b"Host is unreachable"), 113);
        assert_eq!(canonical(51, b"Network is unreachable"), 101);
        assert_eq!(canonical(49, b"Can't assign requested address"), 99);
        assert_eq!(canonical(99, b"Address not available"), 99);
        assert_eq!(
            canonical(
                10013,
                b"An attempt was made to access a socket in a way forbidden by its access permissions"
            ),
            13
        );
        assert_eq!(canonical(24, b"No file descriptors available"), 24);
        assert_eq!(canonical(23, b"Too many open files in system"), 23);
        assert_eq!(canonical(35, b"Resource temporarily unavailable"), 11);
    }

    #[test]
    fn unknown_texts_keep_their_number() {
        assert_eq!(canonical(3, b"Host not found"), 3);
        assert_eq!(canonical(2, b"Server failure"), 2);
        assert_eq!(canonical(77, b"Something nobody listed"), 77);
    }
}
