//! Every third-party config parses losslessly; those nginx accepts give no error; the broken
//! ones fail as nginx fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_config::{DiagnosticCode, parse};
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "conf") {
            out.push(p);
        }
    }
}

fn all() -> Vec<PathBuf> {
    let mut out = Vec::new();
    files(&corpus(), &mut out);
    out.sort();
    assert!(out.len() > 90, "corpus missing: {}", corpus().display());
    out
}

/// Files `nginx -t` rejects (checked with nginx 1.22): the three broken crossplane cases, the quote
/// test (`"left"-quote` is `unexpected "-"`), garbage files that are never included, a bare
/// `server "some";` (valid nowhere), an `if` directly in `http`, and an empty upstream in the
/// Lua test ("no servers are inside upstream"), and a map value `$arg` (`unknown "arg" variable`).
/// Two more Lua tests fail on a real nginx with Debian's Lua module loaded: `content_by_lua_block`
/// directly in `http` and `log_by_lua_block` in an `upstream` ("directive is not allowed here";
/// the module allows them in locations only).
fn expected_broken(p: &Path) -> bool {
    let s = p.to_string_lossy();
    ["missing-semicolon", "bad-args", "spelling-mistake", "quote-behavior", "not-included.conf"]
        .iter()
        .any(|k| s.contains(k))
        || s.ends_with("includes-regular/conf.d/foo.conf")
        || s.ends_with("includes-regular/conf.d/bar.conf")
        || s.ends_with("non_block_fp.conf")
        || s.ends_with("origin_wo_slash.conf")
        || s.ends_with("lua-block-tricky/nginx.conf")
        || s.ends_with("empty-value-map/nginx.conf")
        || s.ends_with("lua-block-larger/nginx.conf")
        || s.ends_with("lua-block-simple/nginx.conf")
}

#[test]
fn every_file_round_trips_and_accepted_ones_have_no_error() {
    let mut report = Vec::new();
    for p in all() {
        let src = std::fs::read(&p).unwrap();
        let cfg = parse(&src);
        assert_eq!(cfg.print(), src, "{}", p.display());
        let errors: Vec<_> = cfg
            .diagnostics()
            .iter()
            .filter(|d| d.code.is_error())
            .map(|d| format!("{:?}:{} {}", d.code, cfg.locate(d.reported_range().start).line, d.message))
            .collect();
        if expected_broken(&p) == errors.is_empty() {
            report.push(format!("{}: {:?} {:?}", p.display(), cfg.kind(), errors));
        }
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

/// The include folders pasted as an `nginx -T` dump under /etc/nginx: includes resolve against the
/// pasted files (plain, relative to the prefix, and globbed).
fn dump_of(dir: &str, skip: &[&str]) -> Vec<u8> {
    let root = corpus().join("crossplane").join(dir);
    let mut list = Vec::new();
    files(&root, &mut list);
    list.sort();
    // nginx.conf first, as nginx -T prints it.
    list.sort_by_key(|p| !p.ends_with("nginx.conf"));
    let mut out = b"nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n".to_vec();
    for p in list {
        let rel = p.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
        if skip.iter().any(|s| rel.ends_with(s)) {
            continue;
        }
        out.extend_from_slice(format!("# configuration file /etc/nginx/{rel}:\n").as_bytes());
        out.extend_from_slice(&std::fs::read(&p).unwrap());
        out.push(b'\n');
    }
    out
}

#[test]
fn globbed_includes_resolve_in_a_dump() {
    let src = dump_of("includes-globbed", &["not-included.conf"]);
    let cfg = parse(&src);
    assert_eq!(cfg.print(), src);
    assert!(cfg.diagnostics().is_empty(), "{:?}", cfg.diagnostics());
    assert!(matches!(cfg.kind(), badgateway_config::InputShape::Dump { files: 6 }), "{:?}", cfg.kind());
    let m = cfg.model();
    assert_eq!(m.servers.len(), 2);
    // Each server includes locations/*.conf: two locations each.
    assert_eq!(m.locations.len(), 4, "{:?}", m.locations);
    assert!(m.locations.iter().all(|l| l.server.is_some()));
}

#[test]
fn regular_includes_resolve_and_missing_ones_are_bg105() {
    let src = dump_of("includes-regular", &["conf.d/foo.conf", "conf.d/bar.conf"]);
    let cfg = parse(&src);
    let codes: Vec<_> = cfg.diagnostics().iter().map(|d| (d.code, d.message.clone())).collect();
    assert_eq!(codes.len(), 1, "{codes:?}");
    assert_eq!(codes[0].0, DiagnosticCode::IncludeNotPasted);
    assert!(codes[0].1.contains("bar.conf"));
    assert_eq!(cfg.model().servers.len(), 1);
}
