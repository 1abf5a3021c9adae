//! Parser, dump, model and diagnostics behaviour on hand-written corner cases.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_config::*;
use proptest::prelude::*;

fn errors(cfg: &Config) -> Vec<(DiagnosticCode, u32, String)> {
    cfg.diagnostics()
        .iter()
        .map(|d| (d.code, cfg.locate(d.reported_range().start).line, d.message.clone()))
        .collect()
}

fn slice(cfg: &Config, r: TextRange) -> &str {
    std::str::from_utf8(r.slice(cfg.source())).unwrap()
}

fn tiles(cfg: &Config) {
    let mut at = 0;
    for t in cfg.tokens() {
        assert_eq!(t.range.start, at, "tokens must tile the input");
        assert!(t.range.end >= t.range.start);
        at = t.range.end;
    }
    assert_eq!(at as usize, cfg.source().len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn print_is_lossless_for_arbitrary_bytes(src in prop::collection::vec(any::<u8>(), 0..400)) {
        let cfg = parse(&src);
        prop_assert_eq!(cfg.print(), src);
        tiles(&cfg);
        for d in cfg.diagnostics() {
            let _ = cfg.locate(d.range.start);
        }
    }

    #[test]
    fn print_is_lossless_for_config_like_text(parts in prop::collection::vec(prop::sample::select(vec![
        "{", "}", ";", "\"", "'", "\\", "$", "${a}", "#", "# c\n", "\n", "\r\n", " ", "\t", "a", "server", "location",
        "proxy_pass", "http://x:80/", "unix:/s", "upstream", "include", "*.conf", "content_by_lua_block", "\u{feff}",
        "# configuration file /etc/nginx/a.conf:\n", "nginx: the configuration file /x syntax is ok\n", "\u{e9}",
    ]), 0..80)) {
        let src: String = parts.concat();
        let cfg = parse(src.as_bytes());
        prop_assert_eq!(cfg.print(), src.as_bytes());
        tiles(&cfg);
    }
}

#[test]
fn twenty_thousand_nested_blocks_do_not_overflow() {
    let n = 20_000;
    let mut src = String::from("events {}\nhttp {\nserver {\n");
    src.push_str(&"location / {\n".repeat(n));
    src.push_str(&"}\n".repeat(n));
    src.push_str("}\n}\n");
    // A small stack: nothing may recurse per level.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let cfg = parse(src.as_bytes());
            assert_eq!(cfg.print(), src.as_bytes());
            assert_eq!(cfg.model().locations.len(), n);
            assert!(cfg.first_error().is_none(), "{:?}", cfg.diagnostics().first());
            // Unclosed: every block open at the end of the file.
            let open = "a {\n".repeat(n);
            let cfg = parse(open.as_bytes());
            assert_eq!(cfg.print(), open.as_bytes());
            assert!(cfg.diagnostics().iter().any(|d| d.message == "unexpected end of file, expecting \"}\""));
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn pathological_inputs_stay_linear() {
    for unit in ["{", "}", ";", "\"", "a ", "$", "\\", "#", "${", "'a'b", "location ~ x {"] {
        let src = unit.repeat(100_000);
        let t = std::time::Instant::now();
        let cfg = parse(src.as_bytes());
        assert_eq!(cfg.print(), src.as_bytes());
        // Timed, not limited (no wall-clock limits in tests): a quadratic parse of 100,000
        // units would not finish; the benches measure the speed.
        eprintln!("{unit:?} x 100,000: {:?}", t.elapsed());
    }
}

#[test]
fn tokens_follow_nginx() {
    let src =
        "log_format main '$a \"b\" ${c}x' \"d;e{f}\" g#h;  # comment ; {\r\nreturn 200 \"multi\nline\";\n";
    let cfg = parse(src.as_bytes());
    let d = &cfg.directives()[0];
    let args: Vec<&str> =
        cfg.arg_tokens(d).iter().map(|&t| std::str::from_utf8(cfg.word(t).0).unwrap()).collect();
    assert_eq!(args, ["main", "$a \"b\" ${c}x", "d;e{f}", "g#h"]);
    assert!(cfg.tokens().iter().any(|t| t.kind == TokenKind::Comment));
    assert_eq!(cfg.directives().len(), 2);
    assert_eq!(cfg.model().error_logs.len(), 0);
    // `}` inside a word is part of the word, as in nginx.
    let cfg = parse(b"events {}\nhttp { server { location / { return 200 ok} } }\n");
    assert!(cfg.first_error().is_some());
    // escapes
    assert_eq!(&*unescape(br#"a\"b\\c\td\x"#), b"a\"b\\c\td\\x");
}

#[test]
fn bom_crlf_and_non_utf8_bytes() {
    let src = b"\xEF\xBB\xBFevents {}\r\nhttp {\r\n  server {\r\n    return 200 \"M\xfclln\";\r\n    bad_dir\xff on;\r\n  }\r\n}\r\n";
    let cfg = parse(src);
    assert_eq!(cfg.print(), src);
    assert_eq!(cfg.kind(), InputShape::SingleFile);
    let e = errors(&cfg);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].1, 5);
    assert!(e[0].2.starts_with("unknown directive \"bad_dir"));
}

#[test]
fn lua_block_bodies_are_raw() {
    let src = "http { server { location / { content_by_lua_block {\n local t = { a = \"}\" } -- }\n ngx.say([[ } ]])\n }\n } } }\n";
    let cfg = parse(src.as_bytes());
    // Only the note that the directive is the Lua module's: the body is no error.
    let kinds: Vec<_> = cfg.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(kinds, [badgateway_config::DiagnosticCode::ModuleDirective], "{:?}", cfg.diagnostics());
    let body = cfg.tokens().iter().find(|t| t.kind == TokenKind::LuaBody).unwrap();
    assert!(slice(&cfg, body.range).contains("ngx.say"));
}

#[test]
fn missing_semicolon_points_at_both_places() {
    let src = "events {}\nhttp {\n  server {\n    location / {\n      proxy_pass http://127.0.0.1:8000\n    }\n  }\n}\n";
    let cfg = parse(src.as_bytes());
    let d = cfg.first_error().unwrap();
    assert_eq!(d.code, DiagnosticCode::Syntax);
    assert_eq!(d.message, "unexpected \"}\"");
    assert_eq!(cfg.locate(d.range.start).line, 5);
    assert_eq!(cfg.locate(d.reported_range().start).line, 6);
    let (at, text) = d.edit.clone().unwrap();
    assert_eq!(text, ";");
    assert_eq!(at.start as usize, src.find("8000").unwrap() + 4);

    let src = "events {}\nhttp {\n  server {\n    location / {\n      proxy_pass http://127.0.0.1:8000\n      proxy_set_header Host $host;\n    }\n  }\n}\n";
    let cfg = parse(src.as_bytes());
    let d = cfg.first_error().unwrap();
    assert_eq!(d.message, "invalid number of arguments in \"proxy_pass\" directive");
    assert_eq!(cfg.locate(d.range.start).line, 5);
    assert_eq!(cfg.locate(d.reported_range().start).line, 6);
    assert_eq!(d.edit.as_ref().unwrap().1, ";");

    let cfg = parse(b"events {}\nhttp {\n  server {\n    listen 80\n    location / {\n    }\n  }\n}\n");
    let d = cfg.first_error().unwrap();
    assert_eq!(d.message, "directive \"listen\" is not terminated by \";\"");
    assert_eq!(cfg.locate(d.reported_range().start).line, 5);
}

#[test]
fn syntax_errors_on_nginx_lines() {
    let cases: &[(&str, &str, u32)] = &[
        ("events {}\nhttp {\n}\n}\n", "unexpected \"}\"", 4),
        ("events {}\nhttp {\n", "unexpected end of file, expecting \"}\"", 3),
        ("events {}\n;\n", "unexpected \";\"", 2),
        ("events {}\nhttp {\n  server_name \"a;\n}\n", "unexpected end of file, expecting \";\" or \"}\"", 5),
        ("events {}\nhttp {\n  server { server_name \"a\"b; }\n}\n", "unexpected \"b\"", 3),
        ("events {}\nhttp {\n  server { listen 80 }\n}\n", "unexpected \"}\"", 3),
        ("events {}\nhttp {\n  server { listen 80}\n}\n", "unexpected \"}\"", 4),
        ("events {}\nhttp {\n  server\n}\n", "unexpected \"}\"", 4),
        ("events {}\nhttp {\n  proxy_passs http://a;\n}\n", "unknown directive \"proxy_passs\"", 3),
        ("events {}\nhttp {\n  listen 80;\n}\n", "\"listen\" directive is not allowed here", 3),
        ("events {}\nhttp {\n  server {\n    location /\n  }\n}\n", "unexpected \"}\"", 5),
        (
            "events {}\nhttp {\n  proxy_read_timeout 5x;\n}\n",
            "\"proxy_read_timeout\" directive invalid value",
            3,
        ),
        (
            "events {}\nhttp {\n  proxy_buffering yes;\n}\n",
            "invalid value \"yes\" in \"proxy_buffering\" directive, it must be \"on\" or \"off\"",
            3,
        ),
        ("events {}\nhttp {\n  server {\n    listen 80 sl;\n  }\n}\n", "invalid parameter \"sl\"", 4),
        (
            "events {}\nhttp {\n  server {\n    location {\n    }\n  }\n}\n",
            "invalid number of arguments in \"location\" directive",
            4,
        ),
        ("events {}\nhttp {\n  gzip on;\n  gzip off;\n}\n", "\"gzip\" directive is duplicate", 4),
    ];
    for (src, msg, line) in cases {
        let cfg = parse(src.as_bytes());
        let d = cfg.first_error().unwrap_or_else(|| panic!("no error for {src:?}"));
        assert_eq!((&d.message as &str, cfg.locate(d.reported_range().start).line), (*msg, *line), "{src:?}");
    }
    let d = parse(b"events {}\nhttp {\n  proxy_passs http://a;\n}\n").first_error().cloned().unwrap();
    assert_eq!(d.suggestion.as_deref(), Some("proxy_pass"));
}

const DUMP: &str = "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok
nginx: configuration file /etc/nginx/nginx.conf test is successful
# configuration file /etc/nginx/nginx.conf:
user www-data;
worker_processes auto;
worker_rlimit_nofile 4096;
error_log /var/log/nginx/error.log warn;
events {
    worker_connections 768;
}
http {
    proxy_read_timeout 120s;
    proxy_set_header X-Outer 1;
    include /etc/nginx/conf.d/*.conf;
    include /etc/nginx/sites-enabled/*;
}

# configuration file /etc/nginx/conf.d/upstreams.conf:
upstream backend {
    server 127.0.0.1:8000 weight=3 max_fails=2 fail_timeout=5s;
    server unix:/run/app.sock backup;
    server 127.0.0.1:8002 down;
    keepalive 32;
    zone backend 64k;
}

# configuration file /etc/nginx/sites-enabled/default:
server {
    listen 80 default_server;
    listen [::]:443 ssl http2;
    server_name example.com www.example.com;
    proxy_connect_timeout 3s;
    location / {
        proxy_pass http://backend;
        proxy_set_header Host $host;
        proxy_http_version 1.1;
    }
    location /api/ {
        proxy_pass https://127.0.0.1:8443/v2/;
        proxy_buffers 4 16k;
        location /api/inner {
            proxy_pass http://localhost;
        }
    }
    location ~ \\.php$ {
        fastcgi_pass unix:/run/php/php8.2-fpm.sock;
        fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
    }
    location @named {
        grpc_pass grpcs://127.0.0.1:50051;
    }
    location /dyn {
        resolver 127.0.0.53;
        set $up http://127.0.0.1:9000;
        proxy_pass $up;
    }
    location /uwsgi {
        uwsgi_pass 127.0.0.1:3031;
    }
    location /cgi {
        include snippets/fastcgi-php.conf;
    }
}
";

#[test]
fn dump_is_split_and_located() {
    let cfg = parse(DUMP.as_bytes());
    assert_eq!(cfg.print(), DUMP.as_bytes());
    assert_eq!(cfg.kind(), InputShape::Dump { files: 3 });
    let paths: Vec<&str> = cfg.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/upstreams.conf", "/etc/nginx/sites-enabled/default"]
    );
    assert_eq!(slice(&cfg, cfg.files()[0].header.unwrap()), "# configuration file /etc/nginx/nginx.conf:\n");
    // Only the not-pasted include is reported.
    let e = errors(&cfg);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].0, DiagnosticCode::IncludeNotPasted);
    let at = DUMP.find("proxy_pass https").unwrap() as u32;
    let p = cfg.locate(at);
    assert_eq!((p.file, p.path.as_str(), p.line, p.column), (2, "/etc/nginx/sites-enabled/default", 12, 9));
    let p = cfg.locate(DUMP.find("worker_processes").unwrap() as u32);
    assert_eq!((p.file, p.line, p.column), (0, 2, 1));
}

#[test]
fn model_of_a_dump() {
    let cfg = parse(DUMP.as_bytes());
    let m = cfg.model();
    assert_eq!(m.user.as_ref().unwrap().value, "www-data");
    assert_eq!(m.worker_processes.as_ref().unwrap().value, "auto");
    assert_eq!(m.worker_connections.as_ref().unwrap().value, 768);
    assert_eq!(m.worker_rlimit_nofile.as_ref().unwrap().value, 4096);
    assert_eq!(m.error_logs[0].level.as_deref(), Some("warn"));

    let u = &m.upstreams[0];
    assert_eq!(u.name, "backend");
    assert_eq!(slice(&cfg, u.name_range), "backend");
    assert_eq!(u.keepalive.as_ref().unwrap().value, 32);
    assert_eq!(u.zone.as_deref(), Some("backend"));
    assert_eq!(u.servers.len(), 3);
    assert_eq!(u.servers[0].address, Address::Inet { host: "127.0.0.1".into(), port: Some(8000) });
    assert_eq!((u.servers[0].weight, u.servers[0].max_fails), (Some(3), Some(2)));
    assert_eq!(u.servers[0].fail_timeout.as_deref(), Some("5s"));
    assert_eq!(u.servers[1].address, Address::Unix { path: "/run/app.sock".into() });
    assert!(u.servers[1].backup && u.servers[2].down);
    assert_eq!(slice(&cfg, u.servers[1].address_range), "unix:/run/app.sock");

    let s = &m.servers[0];
    assert_eq!(s.names, ["example.com", "www.example.com"]);
    assert_eq!(s.listens[0].port, Some(80));
    assert!(s.listens[0].default_server);
    assert_eq!((s.listens[1].addr.as_str(), s.listens[1].port), ("[::]", Some(443)));
    assert!(s.listens[1].ssl && s.listens[1].http2);

    let loc = |p: &str| m.locations.iter().position(|l| l.pattern == p).unwrap();
    assert_eq!(m.locations[loc("/api/inner")].parent, Some(loc("/api/")));
    assert_eq!(m.locations[loc("\\.php$")].modifier.as_deref(), Some("~"));
    assert_eq!(m.locations[loc("@named")].modifier.as_deref(), Some("@"));

    let t = |kind: PassKind, n: usize| m.targets.iter().filter(|t| t.kind == kind).nth(n).unwrap();
    let root = t(PassKind::Proxy, 0);
    assert_eq!(root.host, TargetHost::Upstream { index: 0 });
    assert_eq!(root.scheme.as_deref(), Some("http"));
    assert_eq!(slice(&cfg, root.range), "proxy_pass http://backend;");
    assert_eq!(slice(&cfg, root.arg_range), "http://backend");
    // Inheritance: http read timeout, server connect timeout, location headers replace http's.
    assert_eq!(root.effective.read_timeout.value, 120_000);
    assert!(root.effective.read_timeout.range.is_some());
    assert_eq!(root.effective.connect_timeout.value, 3_000);
    assert_eq!(root.effective.send_timeout, Setting { value: 60_000, range: None });
    assert_eq!(root.effective.http_version.value, "1.1");
    let headers: Vec<&str> = root.effective.set_headers.iter().map(|h| h.0.as_str()).collect();
    assert_eq!(headers, ["Host"]);

    let api = t(PassKind::Proxy, 1);
    match &api.host {
        TargetHost::Inet { host, port, port_explicit, host_range, port_range } => {
            assert_eq!((host.as_str(), *port, *port_explicit), ("127.0.0.1", 8443, true));
            assert_eq!(slice(&cfg, *host_range), "127.0.0.1");
            assert_eq!(slice(&cfg, port_range.unwrap()), "8443");
        }
        h => panic!("{h:?}"),
    }
    assert_eq!(api.uri.as_deref(), Some("/v2/"));
    assert_eq!(api.effective.buffers.value, (4, 16384));
    assert_eq!(api.effective.busy_buffers_size.as_ref().unwrap().value, 32768);
    assert_eq!(api.effective.http_version, Setting { value: "1.0".into(), range: None });
    // No proxy_set_header in the location or server: http's are inherited.
    assert_eq!(api.effective.set_headers[0].0, "X-Outer");

    let inner = t(PassKind::Proxy, 2);
    match &inner.host {
        TargetHost::Inet { port, port_explicit, .. } => assert_eq!((*port, *port_explicit), (80, false)),
        h => panic!("{h:?}"),
    }
    // Nested location inherits the enclosing location's buffers.
    assert_eq!(inner.effective.buffers.value, (4, 16384));
    assert_eq!(inner.location, Some(loc("/api/inner")));

    let php = t(PassKind::FastCgi, 0);
    assert!(matches!(&php.host, TargetHost::Unix { path, .. } if path == "/run/php/php8.2-fpm.sock"));
    assert_eq!(php.effective.set_headers[0].0, "SCRIPT_FILENAME");
    assert_eq!(php.effective.read_timeout.value, 60_000);

    let grpc = t(PassKind::Grpc, 0);
    assert_eq!(grpc.scheme.as_deref(), Some("grpcs"));
    let dynamic = t(PassKind::Proxy, 3);
    assert!(dynamic.has_variables);
    assert_eq!(dynamic.host, TargetHost::Variable);
    assert_eq!(m.resolvers[0].addresses, ["127.0.0.53"]);
    assert_eq!(m.resolvers[0].location, Some(loc("/dyn")));
    assert_eq!(m.sets[0].variable, "$up");
    let uw = t(PassKind::Uwsgi, 0);
    assert!(matches!(&uw.host, TargetHost::Inet { port: 3031, .. }));
}

#[test]
fn a_single_proxy_set_header_replaces_inherited_ones() {
    let src = "http {\n proxy_set_header A 1;\n proxy_set_header B 2;\n server {\n  location / {\n   proxy_set_header C 3;\n   proxy_pass http://127.0.0.1:1;\n  }\n  location /b {\n   proxy_pass http://127.0.0.1:2;\n  }\n }\n}\n";
    let cfg = parse(src.as_bytes());
    let m = cfg.model();
    let names = |i: usize| m.targets[i].effective.set_headers.iter().map(|h| h.0.clone()).collect::<Vec<_>>();
    assert_eq!(names(0), ["C"]);
    assert_eq!(names(1), ["A", "B"]);
}

#[test]
fn pass_scheme_and_hosts() {
    let src = "events {}\nhttp {\n upstream backend { server 127.0.0.1:8000; }\n server {\n  location / {\n   proxy_pass 127.0.0.1:8000;\n  }\n }\n}\n";
    let cfg = parse(src.as_bytes());
    let d = cfg.first_error().unwrap();
    assert_eq!((d.code, d.message.as_str()), (DiagnosticCode::PassScheme, "invalid URL prefix"));
    let (r, text) = d.edit.clone().unwrap();
    assert_eq!(
        (r.start, r.end, text.as_str()),
        (src.rfind("127.0.0.1:8000;").unwrap() as u32, r.start, "http://")
    );
    // The target still exists, without a scheme, with a host range for fixes.
    let t = &cfg.model().targets[0];
    assert_eq!(t.scheme, None);
    match &t.host {
        TargetHost::Inet { host, port, port_explicit, host_range, .. } => {
            assert_eq!((host.as_str(), *port, *port_explicit), ("127.0.0.1", 8000, true));
            assert_eq!(host_range.start, r.start, "http:// goes right before the host");
        }
        h => panic!("{h:?}"),
    }

    let src = "events {}\nhttp {\n upstream backend { server 127.0.0.1:8000; }\n server {\n  location / {\n   proxy_pass http://backnd;\n  }\n }\n}\n";
    let cfg = parse(src.as_bytes());
    let d = cfg.first_error().unwrap();
    assert_eq!(d.code, DiagnosticCode::HostNotFound);
    assert_eq!(d.message, "host not found in upstream \"backnd\"");
    assert_eq!(d.suggestion.as_deref(), Some("backend"));
    assert_eq!(slice(&cfg, d.range), "backnd");

    let cfg = parse(b"events {}\nhttp { server { location / { fastcgi_pass http://127.0.0.1:9000; } } }\n");
    let d = cfg.first_error().unwrap();
    assert_eq!(d.code, DiagnosticCode::PassScheme);
    assert_eq!(d.edit.as_ref().unwrap().1, "");

    let cfg = parse(b"events {}\nhttp { server { location / { proxy_pass http://app.internal:8080; } } }\n");
    assert!(cfg.diagnostics().is_empty(), "dotted names are left to DNS");
}

#[test]
fn snippets_are_read_in_their_context() {
    let cfg = parse(b"location / {\n  proxy_pass http://127.0.0.1:8080;\n}\n");
    assert_eq!(cfg.kind(), InputShape::Snippet { context: Context::Server });
    assert!(cfg.diagnostics().is_empty(), "{:?}", cfg.diagnostics());
    assert_eq!(cfg.model().targets.len(), 1);

    let cfg = parse(b"proxy_pass http://127.0.0.1:8080;\nproxy_read_timeout 5s;\n");
    assert_eq!(cfg.kind(), InputShape::Snippet { context: Context::Location });
    assert_eq!(cfg.model().targets[0].effective.read_timeout.value, 5000);

    let cfg = parse(b"server {\n listen 80;\n}\nupstream a { server 127.0.0.1:1; }\n");
    assert_eq!(cfg.kind(), InputShape::Snippet { context: Context::Http });
    assert!(cfg.diagnostics().is_empty());
}

#[test]
fn includes_cycles_and_missing_files() {
    let src = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include a.conf; }\n# configuration file /etc/nginx/a.conf:\ninclude /etc/nginx/a.conf;\nserver { listen 80; }\n";
    let cfg = parse(src.as_bytes());
    let codes: Vec<DiagnosticCode> = cfg.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, [DiagnosticCode::IncludeCycle]);
    assert_eq!(cfg.model().servers.len(), 1);

    let cfg = parse(b"events {}\nhttp { include mime.types; include /etc/nginx/sites-enabled/*; }\n");
    let e = errors(&cfg);
    assert_eq!(e.len(), 2);
    assert!(e.iter().all(|e| e.0 == DiagnosticCode::IncludeNotPasted && !e.0.is_error()));
    assert!(cfg.first_error().is_none());
}

#[test]
fn a_file_included_twice_is_reused() {
    let src = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n server { include /etc/nginx/proxy.conf; location /a { proxy_pass http://127.0.0.1:1; } }\n server { include /etc/nginx/proxy.conf; location /b { proxy_pass http://127.0.0.1:2; } }\n}\n# configuration file /etc/nginx/proxy.conf:\nproxy_read_timeout 7s;\n";
    let cfg = parse(src.as_bytes());
    assert!(cfg.diagnostics().is_empty(), "{:?}", cfg.diagnostics());
    assert!(cfg.model().targets.iter().all(|t| t.effective.read_timeout.value == 7000));
    assert_eq!(cfg.file_contexts()[1], Context::Main, "not inferred: it was reached by include");
}

#[test]
fn an_upstream_name_with_a_port_is_refused() {
    let src = "events {}\nhttp {\n upstream backend { server 127.0.0.1:1; }\n server {\n  location / {\n   proxy_pass http://backend:8080;\n  }\n }\n}\n";
    let cfg = parse(src.as_bytes());
    let d = cfg.first_error().unwrap();
    assert_eq!(d.message, "upstream \"backend\" may not have port 8080");
    assert_eq!(cfg.locate(d.reported_range().start).line, 6);
    let (r, text) = d.edit.clone().unwrap();
    assert_eq!((slice(&cfg, r), text.as_str()), (":8080", ""));
}

#[test]
fn dump_files_end_where_nginx_t_adds_its_line_break() {
    let src = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n\n# configuration file /etc/nginx/mime.types:\ntypes { text/html html; }\n\n";
    let cfg = parse(src.as_bytes());
    assert_eq!(cfg.print(), src.as_bytes());
    let d = cfg.first_error().unwrap();
    assert_eq!(d.message, "unexpected end of file, expecting \"}\"");
    let p = cfg.locate(d.reported_range().start);
    assert_eq!((p.path.as_str(), p.line), ("/etc/nginx/nginx.conf", 3));
    assert_eq!(slice(&cfg, cfg.files()[1].body), "types { text/html html; }\n");
}

#[test]
fn hostile_inputs_stay_fast() {
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("1,000,000 {", vec![b'{'; 1_000_000]),
        ("1,000,000 }", vec![b'}'; 1_000_000]),
        ("1,000,000 proxy_pass lines", "proxy_pass http://127.0.0.1:1;\n".repeat(1_000_000).into_bytes()),
        ("1,000,000 ;", vec![b';'; 1_000_000]),
    ];
    for (name, src) in cases {
        let t = std::time::Instant::now();
        let cfg = parse(&src);
        assert_eq!(cfg.print().len(), src.len());
        eprintln!("{name}: {:?}, {} diagnostics", t.elapsed(), cfg.diagnostics().len());
    }
}

#[test]
fn fanning_out_includes_are_bounded() {
    // Every file includes all files (itself included), and a chain where each file includes the
    // next one twice: both would take forever without a bound.
    let mut dump = String::from(
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/conf.d/*.conf; }\n",
    );
    for i in 0..200 {
        dump.push_str(&format!(
            "# configuration file /etc/nginx/conf.d/f{i}.conf:\ninclude /etc/nginx/conf.d/*.conf;\nserver {{ listen {}; }}\n",
            1000 + i
        ));
    }
    let cfg = parse(dump.as_bytes());
    // The bound is on the work, counted: servers lowered, not seconds.
    assert!(cfg.model().servers.len() <= 40_000, "{}", cfg.model().servers.len());
    assert!(cfg.diagnostics().iter().any(|d| d.code == DiagnosticCode::IncludeCycle));

    let n = 40;
    let mut dump = String::from(
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/f0.conf; }\n",
    );
    for k in 0..n {
        dump.push_str(&format!("# configuration file /etc/nginx/f{k}.conf:\n"));
        if k + 1 < n {
            dump.push_str(&format!("include /etc/nginx/f{0}.conf;\ninclude /etc/nginx/f{0}.conf;\n", k + 1));
        } else {
            dump.push_str("server { listen 80; }\n");
        }
    }
    let cfg = parse(dump.as_bytes());
    assert!(cfg.model().servers.len() <= 100_000);
}

/// Third-party modules: a fragment notes the module; a whole configuration that loads other
/// modules but not this one fails as nginx fails; loading it makes the directive nginx's to check.
#[test]
fn third_party_directives_name_their_module() {
    let fragment = parse(b"location / {\n    more_set_headers \"X-A: b\";\n    check_status;\n}\n");
    let notes: Vec<_> = fragment.diagnostics().iter().map(|d| (d.code, d.module.map(|m| m.key))).collect();
    assert_eq!(
        notes,
        [
            (DiagnosticCode::ModuleDirective, Some("headers-more")),
            (DiagnosticCode::ModuleDirective, Some("upstream-check"))
        ]
    );
    assert!(fragment.first_error().is_none());

    let body = "events {}\nhttp {\n  upstream u {\n    server 127.0.0.1:1;\n    check interval=3000 rise=2 fall=5 timeout=1000 type=http;\n  }\n}\n";
    let openresty_like = parse(body.as_bytes());
    assert!(openresty_like.first_error().is_none(), "{:?}", openresty_like.diagnostics());
    let dynamic = parse(format!("load_module modules/ngx_http_echo_module.so;\n{body}").as_bytes());
    let e = dynamic.first_error().unwrap();
    assert_eq!(
        (e.message.as_str(), e.module.map(|m| m.key)),
        ("unknown directive \"check\"", Some("upstream-check"))
    );

    let lua = "load_module modules/ndk_http_module.so;\nload_module modules/ngx_http_lua_module.so;\nevents {}\nhttp {\n  lua_shared_dict d 1m;\n  server { location / { content_by_lua_block { ngx.say(1) } } }\n}\n";
    assert!(parse(lua.as_bytes()).diagnostics().is_empty(), "{:?}", parse(lua.as_bytes()).diagnostics());
    // The module's own contexts apply once it is loaded; and Lua needs ndk loaded before it.
    let misplaced =
        lua.replace("  lua_shared_dict d 1m;\n", "").replace("server {", "lua_shared_dict d 1m; server {");
    assert!(
        parse(misplaced.replace("http {\n", "http {\n content_by_lua_block { x }\n").as_bytes())
            .first_error()
            .is_some_and(|e| e.message.contains("is not allowed here"))
    );
    let swapped = lua
        .replace("ndk_http_module", "TMP")
        .replace("ngx_http_lua_module", "ndk_http_module")
        .replace("TMP", "ngx_http_lua_module");
    assert!(parse(swapped.as_bytes()).first_error().is_some_and(|e| e.message.starts_with("dlopen()")));
}
