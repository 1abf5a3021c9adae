//! nginx's include globbing (glob(3) as nginx calls it: `*` and `?` stop at `/`, `[...]` classes).

/// nginx's glob (`*`, `?`, `[...]`; `*` does not cross `/`), iterative with one backtrack point.
pub fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        let c = s.get(i).copied().unwrap_or(0);
        match pat.get(p).copied() {
            Some(b'*') => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some(b'?') if c != b'/' => {
                p += 1;
                i += 1;
                continue;
            }
            Some(b'[') => {
                if let Some((matched, next)) = class_match(pat, p, c) {
                    if matched {
                        p = next;
                        i += 1;
                        continue;
                    }
                } else if c == b'[' {
                    p += 1;
                    i += 1;
                    continue;
                }
            }
            Some(pc) if pc == c && pc != b'?' => {
                p += 1;
                i += 1;
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, si)) if s.get(si).is_some_and(|&b| b != b'/') => {
                star = Some((sp, si + 1));
                p = sp + 1;
                i = si + 1;
            }
            _ => return false,
        }
    }
    while pat.get(p) == Some(&b'*') {
        p += 1;
    }
    p == pat.len()
}

fn class_match(pat: &[u8], start: usize, c: u8) -> Option<(bool, usize)> {
    let mut j = start + 1;
    let negate = matches!(pat.get(j), Some(b'!' | b'^'));
    if negate {
        j += 1;
    }
    let mut matched = false;
    let mut first = true;
    loop {
        let b = *pat.get(j)?;
        if b == b']' && !first {
            break;
        }
        first = false;
        if pat.get(j + 1) == Some(&b'-') && pat.get(j + 2).is_some_and(|&e| e != b']') {
            let e = *pat.get(j + 2)?;
            if b <= c && c <= e {
                matched = true;
            }
            j += 3;
        } else {
            if b == c {
                matched = true;
            }
            j += 1;
        }
    }
    Some((matched != negate, j + 1))
}
