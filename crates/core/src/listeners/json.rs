//! A small JSON reader for `docker inspect` output (core does not depend on serde_json,
//! and a paste needs what serde_json does not give: byte spans, and the complete part of a
//! document that was cut off). One pass, an explicit stack (no recursion), bounded depth;
//! at the first error it stops and closes what is open, so a cut paste keeps its complete
//! values.

/// A JSON value with the byte range it spans in the reader's buffer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    pub(crate) value: Value,
    pub(crate) span: (usize, usize),
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    /// The number's text (`3`, `-1`, `1.5e3`).
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The member `key` of an object.
    pub(crate) fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A path of object keys: `at(&["State", "Status"])`.
    pub(crate) fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    pub(crate) fn str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn members(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }

    pub(crate) fn items(&self) -> &[Node] {
        match &self.value {
            Value::Array(a) => a,
            _ => &[],
        }
    }
}

/// How deep arrays and objects may nest (docker inspect needs 5).
const MAX_DEPTH: usize = 64;

/// What is open while reading.
enum Open {
    Array(usize, Vec<Node>),
    /// The object so far and the key waiting for its value.
    Object(usize, Vec<(String, Node)>, Option<String>),
}

/// Reads one JSON value from the start of `b` (white space before it skipped). Returns the
/// value (its complete part when `b` ends early or holds an error) and whether the document
/// was complete. `None` when not even a value started.
pub(crate) fn parse(b: &[u8]) -> Option<(Node, bool)> {
    let mut stack: Vec<Open> = Vec::new();
    let mut i = skip_ws(b, 0);
    let mut done: Option<Node> = None;
    let mut complete = false;
    while done.is_none() {
        i = skip_ws(b, i);
        let Some(&c) = b.get(i) else { break };
        // Separators and closers first.
        match (c, stack.last_mut()) {
            (b',', Some(_)) => {
                i += 1;
                continue;
            }
            (b':', Some(Open::Object(_, _, Some(_)))) => {
                i += 1;
                continue;
            }
            (b']', Some(Open::Array(..))) | (b'}', Some(Open::Object(..))) => {
                i += 1;
                let node = close(stack.pop(), i);
                match attach(&mut stack, node) {
                    Some(top) => {
                        done = Some(top);
                        complete = true;
                    }
                    None => continue,
                }
                continue;
            }
            _ => {}
        }
        // An object's key.
        if let Some(Open::Object(_, _, key @ None)) = stack.last_mut() {
            let Some((s, end)) = string(b, i) else { break };
            *key = Some(s);
            i = end;
            continue;
        }
        let start = i;
        let value = match c {
            b'{' | b'[' => {
                if stack.len() >= MAX_DEPTH {
                    break;
                }
                stack.push(if c == b'{' {
                    Open::Object(start, Vec::new(), None)
                } else {
                    Open::Array(start, Vec::new())
                });
                i += 1;
                continue;
            }
            b'"' => {
                let Some((s, end)) = string(b, i) else { break };
                i = end;
                Value::String(s)
            }
            b't' if b.get(i..i + 4) == Some(b"true") => {
                i += 4;
                Value::Bool(true)
            }
            b'f' if b.get(i..i + 5) == Some(b"false") => {
                i += 5;
                Value::Bool(false)
            }
            b'n' if b.get(i..i + 4) == Some(b"null") => {
                i += 4;
                Value::Null
            }
            b'-' | b'0'..=b'9' => {
                let n = b
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| b"+-.eE0123456789".contains(c))
                    .count();
                i += n;
                Value::Number(String::from_utf8_lossy(b.get(start..i).unwrap_or_default()).into_owned())
            }
            _ => break,
        };
        if let Some(top) = attach(&mut stack, Node { value, span: (start, i) }) {
            done = Some(top);
            complete = true;
        }
    }
    // Cut short: close what is open, keeping the complete values inside.
    while done.is_none() && !stack.is_empty() {
        let node = close(stack.pop(), i);
        done = attach(&mut stack, node);
    }
    done.map(|d| (d, complete))
}

fn close(open: Option<Open>, end: usize) -> Node {
    match open {
        Some(Open::Array(s, items)) => Node { value: Value::Array(items), span: (s, end) },
        Some(Open::Object(s, members, _)) => Node { value: Value::Object(members), span: (s, end) },
        None => Node { value: Value::Null, span: (end, end) },
    }
}

/// Puts a finished value into what is open; returns it when nothing is (the document's end).
fn attach(stack: &mut [Open], node: Node) -> Option<Node> {
    match stack.last_mut() {
        None => Some(node),
        Some(Open::Array(_, items)) => {
            items.push(node);
            None
        }
        Some(Open::Object(_, members, key)) => {
            if let Some(k) = key.take() {
                members.push((k, node));
            }
            None
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    i
}

/// A string starting at the quote at `i`: its text (escapes undone, invalid UTF-8 and lone
/// surrogates replaced) and the offset after its closing quote. `None` when unterminated.
fn string(b: &[u8], i: usize) -> Option<(String, usize)> {
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let mut out: Vec<u8> = Vec::new();
    let mut j = i + 1;
    loop {
        let rest = b.get(j..)?;
        let k = memchr::memchr2(b'"', b'\\', rest)?;
        out.extend_from_slice(rest.get(..k)?);
        j += k;
        if b.get(j) == Some(&b'"') {
            return Some((String::from_utf8_lossy(&out).into_owned(), j + 1));
        }
        let esc = *b.get(j + 1)?;
        j += 2;
        let ch = match esc {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(b, j)?;
                j += 4;
                let code = if (0xD800..0xDC00).contains(&hi) && b.get(j..j + 2) == Some(b"\\u") {
                    match hex4(b, j + 2) {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            j += 6;
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        _ => hi,
                    }
                } else {
                    hi
                };
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
            _ => return None,
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
}

fn hex4(b: &[u8], at: usize) -> Option<u32> {
    let h = std::str::from_utf8(b.get(at..at + 4)?).ok()?;
    u32::from_str_radix(h, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> (Node, bool) {
        parse(s.as_bytes()).unwrap()
    }

    #[test]
    fn values_and_spans() {
        let src = r#" [{"Name": "/web", "State": {"Running": true, "ExitCode": 0}, "A": [1, null, "x\"\u00e9\ud83d\ude00"]}] "#;
        let (n, complete) = v(src);
        assert!(complete);
        let c = &n.items()[0];
        assert_eq!(c.get("Name").and_then(Node::str), Some("/web"));
        assert_eq!(c.at(&["State", "Running"]).map(|x| &x.value), Some(&Value::Bool(true)));
        assert_eq!(c.at(&["State", "ExitCode"]).map(|x| &x.value), Some(&Value::Number("0".into())));
        let a = c.get("A").unwrap().items();
        assert_eq!(a[2].str(), Some("x\"é😀"));
        assert_eq!(n.span, (1, src.len() - 1));
        assert_eq!(a[1].span, (src.find("null").unwrap(), src.find("null").unwrap() + 4));
    }

    #[test]
    fn cut_and_broken_documents_keep_their_complete_part() {
        let (n, complete) = v(r#"[{"Name": "/a", "Id": "1"}, {"Name": "/b", "State": {"Status": "run"#);
        assert!(!complete);
        assert_eq!(n.items().len(), 2);
        assert_eq!(n.items()[1].get("Name").and_then(Node::str), Some("/b"));
        assert!(n.items()[1].get("State").unwrap().members().is_empty());
        let (n, complete) = v(r#"{"a": 1, "b": oops, "c": 2}"#);
        assert!(!complete);
        assert_eq!(n.members().len(), 1);
        assert!(parse(b"   ").is_none());
        assert!(parse(b"hello").is_none());
    }

    #[test]
    fn deep_nesting_stops_without_recursion() {
        let deep = "[".repeat(100_000);
        let (n, complete) = parse(deep.as_bytes()).unwrap();
        assert!(!complete);
        assert_eq!(n.items().len(), 1);
    }
}
