//! Tables printed inside a container: `docker exec NAME CMD`, `docker compose exec SERVICE CMD`,
//! `docker-compose exec SERVICE CMD`, `kubectl exec POD -- CMD`. Their sockets are that
//! container's, not the host's: they are kept apart ([`ContainerListener`]).

use serde::Serialize;

use super::Listener;
use super::scan::Command;

/// A socket a table run inside a container showed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerListener {
    /// The name the command gave (a container, compose service or pod).
    pub container: String,
    pub listener: Listener,
}

/// Flags of `exec` that take a value as the next word.
const VALUE_FLAGS: &[&[u8]] = &[
    b"-e",
    b"--env",
    b"--env-file",
    b"-u",
    b"--user",
    b"-w",
    b"--workdir",
    b"-c",
    b"--container",
    b"-n",
    b"--namespace",
    b"--index",
];

/// The container an `exec` command runs in, and the command it runs there.
pub(crate) fn exec_target(cmd: Command<'_>) -> Option<(String, Command<'_>)> {
    let words = words(cmd.args);
    let text = |i: usize| words.get(i).map(|&(s, e)| cmd.args.get(s..e).unwrap_or_default());
    let mut i = match cmd.program {
        b"docker" | b"podman" if text(0) == Some(b"exec") => 1,
        b"docker" | b"podman" if text(0) == Some(b"container") && text(1) == Some(b"exec") => 2,
        b"docker" | b"podman" if text(0) == Some(b"compose") && text(1) == Some(b"exec") => 2,
        b"docker-compose" | b"podman-compose" | b"kubectl" | b"oc" if text(0) == Some(b"exec") => 1,
        _ => return None,
    };
    while let Some(w) = text(i) {
        if w == b"--" || !w.starts_with(b"-") {
            break;
        }
        i += if VALUE_FLAGS.contains(&w) { 2 } else { 1 };
    }
    let name = text(i).filter(|w| *w != b"--")?;
    let name = String::from_utf8_lossy(name.strip_prefix(b"pod/").unwrap_or(name)).into_owned();
    i += 1;
    // kubectl's `--` (and its flags after the pod).
    while let Some(w) = text(i) {
        if w == b"--" {
            i += 1;
            break;
        }
        if !w.starts_with(b"-") {
            break;
        }
        i += if VALUE_FLAGS.contains(&w) { 2 } else { 1 };
    }
    let &(start, end) = words.get(i)?;
    let program = cmd.args.get(start..end)?;
    let args = cmd.args.get(end..).unwrap_or_default();
    Some((name, Command { program, args, range: cmd.range }))
}

fn words(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() && out.len() < 32 {
        while b.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let start = i;
        while b.get(i).is_some_and(|c| !c.is_ascii_whitespace()) {
            i += 1;
        }
        if i > start {
            out.push((start, i));
        }
    }
    out
}
