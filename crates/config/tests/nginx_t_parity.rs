//! `nginx -t` parity: the real nginx (Debian's nginx-light) and badgateway read valid configs and
//! broken variants generated from them; both must call a config broken in the same cases, on the
//! same line. Set BADGATEWAY_REQUIRE_NGINX=1 to make a missing nginx a failure instead of a skip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use badgateway_config::parse;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Valid configs using only what nginx-light has, no files, users or names outside the prefix
/// (`localhost` is the only name resolved).
const BASES: &[&str] = &[
    r#"worker_processes 1;
error_log logs/error.log warn;
events {
    worker_connections 512;
}
http {
    default_type application/octet-stream;
    sendfile on;
    keepalive_timeout 65;
    access_log off;
    upstream app {
        server 127.0.0.1:8000 weight=2 max_fails=3 fail_timeout=10s;
        server 127.0.0.1:8001 backup;
        keepalive 16;
    }
    server {
        listen 127.0.0.1:8080 default_server;
        server_name example.test www.example.test;
        client_max_body_size 10m;
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Connection "";
            proxy_read_timeout 30s;
            proxy_buffers 16 8k;
        }
        location ~ \.php$ {
            fastcgi_pass 127.0.0.1:9000;
            fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;
            fastcgi_read_timeout 120;
        }
        location = /health {
            return 200 "ok\n";
        }
    }
}
"#,
    r#"events {
}
http {
    access_log off;
    resolver 127.0.0.1 valid=30s;
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' close;
    }
    proxy_connect_timeout 5s;
    proxy_buffering off;
    server {
        listen 8081;
        server_name api.test;
        set $backend "http://127.0.0.1:9001";
        location /api/ {
            proxy_pass http://localhost:9002/v1/;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_send_timeout 1m30s;
        }
        location /dyn {
            proxy_pass $backend;
        }
        location /grpc {
            grpc_pass grpc://127.0.0.1:50051;
            grpc_read_timeout 300s;
        }
        location /py {
            uwsgi_pass unix:/run/uwsgi.sock;
            uwsgi_buffer_size 8k;
        }
        location /upload {
            limit_except GET POST {
                deny all;
            }
            if ($request_method = POST) {
                return 405;
            }
            proxy_pass http://127.0.0.1:9003;
        }
    }
}
"#,
    r#"pcre_jit on;
worker_processes auto;
events {
    worker_connections 1024;
    multi_accept on;
}
http {
    access_log off;
    gzip on;
    gzip_types text/plain application/json;
    upstream php {
        server unix:/run/php/php-fpm.sock;
    }
    server {
        listen 127.0.0.1:8082;
        root /srv/www;
        index index.php index.html;
        location / {
            try_files $uri $uri/ /index.php?$args;
        }
        location ~ \.php$ {
            fastcgi_pass php;
            fastcgi_index index.php;
            fastcgi_buffers 8 16k;
            fastcgi_buffer_size 32k;
        }
        location /static/ {
            expires 7d;
            add_header Cache-Control "public";
        }
    }
}
"#,
];

fn nginx() -> Option<PathBuf> {
    for p in ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"] {
        if Path::new(p).exists() {
            return Some(PathBuf::from(p));
        }
    }
    None
}

/// nginx's verdict: Some(line) when it fails (0 when it names no line), None when it accepts.
fn nginx_verdict(nginx: &Path, dir: &Path, text: &str) -> Option<u32> {
    let conf = dir.join("nginx.conf");
    std::fs::write(&conf, text).unwrap();
    let out = Command::new(nginx)
        .arg("-t")
        .arg("-q")
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&conf)
        .arg("-g")
        .arg("pid nginx.pid;")
        .output()
        .unwrap();
    if out.status.success() {
        return None;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.contains("[emerg]"))
        .and_then(|l| {
            l.rsplit_once(&format!("{}:", conf.display())).map(|(_, n)| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0);
    Some(line)
}

fn our_verdict(text: &str) -> Option<(u32, String)> {
    let cfg = parse(text.as_bytes());
    assert_eq!(cfg.print(), text.as_bytes());
    cfg.first_error().map(|d| (cfg.locate(d.reported_range().start).line, d.message.clone()))
}

/// Broken and harmless variants of a valid config, each with a label.
fn variants(base: &str) -> Vec<(String, String)> {
    let lines: Vec<&str> = base.lines().collect();
    let join = |ls: &[String]| ls.join("\n") + "\n";
    let owned: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    let mut out = vec![("original".to_string(), base.to_string())];
    let mut replaced = Vec::new();
    let mut with = |label: String, i: usize, new: String| replaced.push((label, i, new));
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let indent = &line[..line.len() - line.trim_start().len()];
        let n = i + 1;
        if t.is_empty() {
            continue;
        }
        let words: Vec<&str> = t.trim_end_matches([';', '{']).split_whitespace().collect();
        if t.ends_with(';') {
            with(format!("line {n}: deleted ';'"), i, line.trim_end_matches(';').to_string());
            with(
                format!("line {n}: extra argument"),
                i,
                format!("{};", line.trim_end_matches(';').trim_end()).replace(';', " extra;"),
            );
            if words.len() >= 2 {
                let cut = line.trim_end_matches(';').rsplit_once(' ').unwrap().0;
                with(format!("line {n}: missing argument"), i, format!("{cut};"));
            }
            with(format!("line {n}: comment after"), i, format!("{line}  # note ; {{ }} \"quoted\""));
            if words.len() >= 2 && !words[1].contains(['"', '\'', '(', '$', '\\']) && words[0] != "if" {
                with(
                    format!("line {n}: quoted argument"),
                    i,
                    line.replacen(words[1], &format!("\"{}\"", words[1]), 1),
                );
            }
            with(
                format!("line {n}: quoted name"),
                i,
                format!("{indent}'{}'{}", words[0], &t[words[0].len()..]),
            );
        }
        if t.ends_with('{') {
            with(format!("line {n}: deleted '{{'"), i, line.trim_end_matches('{').to_string());
        }
        if t == "}" {
            with(format!("line {n}: deleted '}}'"), i, String::new());
        }
        if t != "}" {
            with(format!("line {n}: stray quote"), i, format!("{indent}\"{t}"));
            let mut name = words[0].to_string();
            name.insert(1, 'x');
            with(format!("line {n}: misspelt name"), i, format!("{indent}{name}{}", &t[words[0].len()..]));
            with(format!("line {n}: blank line before"), i, format!("\n{line}"));
        }
        if t.contains("http://app;") {
            with(
                format!("line {n}: port on an upstream name"),
                i,
                line.replace("http://app;", "http://app:8080;"),
            );
        }
        if t.contains("http://") {
            with(format!("line {n}: missing scheme"), i, line.replacen("http://", "", 1));
        }
        // Misplaced: move this statement into every other block opening line.
        if t.ends_with(';') {
            for (j, other) in lines.iter().enumerate() {
                if other.trim().ends_with('{') && j + 1 != i && j != i {
                    let mut ls = owned.clone();
                    let moved = ls.remove(i);
                    let at = if j < i { j + 1 } else { j };
                    ls.insert(at, moved);
                    out.push((format!("line {n}: moved after line {}", j + 1), join(&ls)));
                }
            }
        }
    }
    for (label, i, new) in replaced {
        let mut ls = owned.clone();
        ls[i] = new;
        out.push((label, join(&ls)));
    }
    out
}

/// A main file and the files it includes (relative to the prefix), pasted as an `nginx -T` dump.
const MAIN_WITH_INCLUDES: &str = "events {
}
http {
    access_log off;
    include conf.d/*.conf;
}
";
const INCLUDED: &[(&str, &str)] = &[
    (
        "conf.d/app.conf",
        "upstream app {
    server 127.0.0.1:8000;
}
server {
    listen 8083;
    location / {
        include snippets/proxy.conf;
        proxy_pass http://app;
    }
}
",
    ),
    (
        "snippets/proxy.conf",
        "proxy_set_header Host $host;
proxy_read_timeout 10s;
proxy_http_version 1.1;
",
    ),
];

/// nginx's verdict on a prefix holding several files: Some((path, line)) when it fails.
fn nginx_verdict_files(nginx: &Path, dir: &Path, files: &[(String, String)]) -> Option<(String, u32)> {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    let conf = dir.join("nginx.conf");
    let out = Command::new(nginx)
        .args(["-t", "-q", "-p"])
        .arg(dir)
        .arg("-c")
        .arg(&conf)
        .args(["-g", "pid nginx.pid;"])
        .output()
        .unwrap();
    if out.status.success() {
        return None;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().find(|l| l.contains("[emerg]")).unwrap_or_default();
    let Some((_, place)) = line.rsplit_once(" in ") else { return Some((String::new(), 0)) };
    match place.rsplit_once(':') {
        Some((path, n)) => Some((path.to_string(), n.trim().parse().unwrap_or(0))),
        None => Some((String::new(), 0)),
    }
}

/// The same files as `nginx -T` prints them.
fn as_dump(dir: &Path, files: &[(String, String)]) -> String {
    let mut out = format!("nginx: the configuration file {}/nginx.conf syntax is ok\n", dir.display());
    for (rel, text) in files {
        out.push_str(&format!("# configuration file {}/{rel}:\n{text}\n", dir.display()));
    }
    out
}

#[test]
fn badgateway_agrees_with_nginx_t_on_included_files() {
    let Some(nginx) = nginx() else {
        if std::env::var("BADGATEWAY_REQUIRE_NGINX").as_deref() == Ok("1") {
            panic!("nginx is not installed and BADGATEWAY_REQUIRE_NGINX=1");
        }
        eprintln!("nginx not installed: parity test skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("badgateway-parity-inc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base: Vec<(String, String)> =
        std::iter::once(("nginx.conf".to_string(), MAIN_WITH_INCLUDES.to_string()))
            .chain(INCLUDED.iter().map(|(p, t)| (p.to_string(), t.to_string())))
            .collect();
    let (mut total, mut agree, mut mismatches) = (0, 0, Vec::new());
    for (f, (rel, text)) in base.iter().enumerate() {
        for (label, variant) in variants(text) {
            let mut files = base.clone();
            files[f].1 = variant;
            total += 1;
            let theirs = nginx_verdict_files(&nginx, &dir, &files);
            let dump = as_dump(&dir, &files);
            let cfg = parse(dump.as_bytes());
            assert_eq!(cfg.print(), dump.as_bytes());
            let ours = cfg.first_error().map(|d| {
                let p = cfg.locate(d.reported_range().start);
                (p.path, p.line, d.message.clone())
            });
            let same = match (&theirs, &ours) {
                (None, None) => true,
                (Some((path, line)), Some((p, l, _))) => *line == 0 || (path == p && line == l),
                _ => false,
            };
            agree += usize::from(same);
            if !same {
                mismatches.push(format!("{rel}, {label}: nginx {theirs:?}, badgateway {ours:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "nginx -t parity on included files: same verdict, file and line {agree}/{total} = {:.2}%",
        agree as f64 / total as f64 * 100.0
    );
    assert!(mismatches.is_empty(), "{} disagreements:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn badgateway_agrees_with_nginx_t() {
    let Some(nginx) = nginx() else {
        if std::env::var("BADGATEWAY_REQUIRE_NGINX").as_deref() == Ok("1") {
            panic!("nginx is not installed and BADGATEWAY_REQUIRE_NGINX=1");
        }
        eprintln!("nginx not installed: parity test skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("badgateway-parity-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    let mut total = 0;
    let mut verdict_agree = 0;
    let mut line_agree = 0;
    let mut broken = 0;
    let mut mismatches = Vec::new();
    for (b, base) in BASES.iter().enumerate() {
        assert_eq!(nginx_verdict(&nginx, &dir, base), None, "base config {b} must be valid for nginx");
        for (label, text) in variants(base) {
            total += 1;
            let theirs = nginx_verdict(&nginx, &dir, &text);
            let ours = our_verdict(&text);
            if theirs.is_some() {
                broken += 1;
            }
            let same_verdict = theirs.is_some() == ours.is_some();
            let same_line = match (&theirs, &ours) {
                (Some(l), Some((m, _))) => *l == 0 || l == m,
                (None, None) => true,
                _ => false,
            };
            verdict_agree += usize::from(same_verdict);
            line_agree += usize::from(same_line);
            if !same_line {
                mismatches.push(format!("base {b}, {label}: nginx {theirs:?}, badgateway {ours:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    let rate = line_agree as f64 / total as f64 * 100.0;
    println!(
        "nginx -t parity: {total} configs ({broken} broken for nginx); same verdict {verdict_agree}/{total}; \
         same verdict and line {line_agree}/{total} = {rate:.2}%"
    );
    for m in &mismatches {
        println!("  mismatch: {m}");
    }
    assert!(mismatches.is_empty(), "{} disagreements:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// Debian's dynamic modules (`libnginx-mod-*`, installed by scripts/bootstrap.sh) loaded with
/// `load_module`, and directives of each. The file `main.js` is written beside them for njs.
const MODULES_DIR: &str = "/usr/lib/nginx/modules";
const MODULE_BASES: &[&str] = &[
    r#"load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
load_module /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so;
load_module /usr/lib/nginx/modules/ngx_http_echo_module.so;
load_module /usr/lib/nginx/modules/ngx_http_set_misc_module.so;
events {
}
http {
    access_log off;
    lua_shared_dict cache 1m;
    lua_socket_connect_timeout 5s;
    upstream app {
        server 127.0.0.1:8000;
        keepalive 8;
    }
    server {
        listen 127.0.0.1:8084;
        more_set_headers "X-Frame-Options: DENY";
        location / {
            more_clear_headers Server;
            lua_code_cache on;
            proxy_pass http://app;
        }
        location /echo {
            echo hello;
        }
        location /lua {
            set_by_lua_block $answer { return 42 }
            set_unescape_uri $plain $arg_q;
            content_by_lua_block { ngx.say("hi") }
        }
    }
}
"#,
    r#"load_module /usr/lib/nginx/modules/ngx_http_brotli_filter_module.so;
load_module /usr/lib/nginx/modules/ngx_http_brotli_static_module.so;
load_module /usr/lib/nginx/modules/ngx_http_upstream_fair_module.so;
load_module /usr/lib/nginx/modules/ngx_http_subs_filter_module.so;
load_module /usr/lib/nginx/modules/ngx_http_fancyindex_module.so;
load_module /usr/lib/nginx/modules/ngx_http_js_module.so;
events {
}
http {
    access_log off;
    brotli on;
    brotli_comp_level 5;
    brotli_types text/plain application/json;
    js_import main.js;
    upstream pool {
        fair;
        server 127.0.0.1:8001;
        server 127.0.0.1:8002;
    }
    server {
        listen 127.0.0.1:8085;
        location / {
            brotli_static on;
            subs_filter_types text/html;
            subs_filter foo bar;
            proxy_pass http://pool;
        }
        location /files/ {
            fancyindex on;
            fancyindex_exact_size off;
        }
        location /js {
            js_content main.hello;
        }
    }
}
"#,
];

const MAIN_JS: &str = "function hello(r) { r.return(200, 'hi'); }\nexport default { hello };\n";

/// The first thing a build without the modules refuses: an error, or a module's directive.
fn our_stock_verdict(text: &str) -> Option<u32> {
    let cfg = parse(text.as_bytes());
    let refused = || {
        cfg.diagnostics()
            .iter()
            .filter(|d| d.code.is_error() || d.code == badgateway_config::DiagnosticCode::ModuleDirective)
    };
    let d = refused().find(|d| !d.after_parse).or_else(|| refused().next())?;
    Some(cfg.locate(d.reported_range().start).line)
}

/// nginx with the modules loaded, and its verdict where none or only some are loaded.
fn module_parity_dir(name: &str) -> Option<(PathBuf, PathBuf)> {
    let require = std::env::var("BADGATEWAY_REQUIRE_NGINX").as_deref() == Ok("1");
    let missing: Vec<String> = MODULE_BASES
        .iter()
        .flat_map(|b| b.lines())
        .filter_map(|l| l.strip_prefix("load_module ")?.strip_suffix(';'))
        .filter(|p| !Path::new(p).exists())
        .map(str::to_string)
        .collect();
    let Some(nginx) = nginx() else {
        assert!(!require, "nginx is not installed and BADGATEWAY_REQUIRE_NGINX=1");
        eprintln!("nginx not installed: module parity skipped");
        return None;
    };
    if !missing.is_empty() {
        assert!(!require, "modules missing (scripts/bootstrap.sh installs them): {missing:?}");
        eprintln!("modules missing in {MODULES_DIR}: module parity skipped: {missing:?}");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("badgateway-parity-{name}-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    std::fs::write(dir.join("main.js"), MAIN_JS).unwrap();
    Some((nginx, dir))
}

#[test]
fn badgateway_agrees_with_nginx_t_with_debian_modules_loaded() {
    let Some((nginx, dir)) = module_parity_dir("modules") else { return };
    let (mut total, mut broken, mut mismatches) = (0, 0, Vec::new());
    for (b, base) in MODULE_BASES.iter().enumerate() {
        assert_eq!(nginx_verdict(&nginx, &dir, base), None, "module base {b} must be valid for nginx");
        assert_eq!(our_verdict(base), None, "module base {b}: {:?}", parse(base.as_bytes()).diagnostics());
        for (label, text) in variants(base) {
            total += 1;
            let theirs = nginx_verdict(&nginx, &dir, &text);
            let ours = our_verdict(&text);
            broken += usize::from(theirs.is_some());
            let same = match (&theirs, &ours) {
                (Some(l), Some((m, _))) => *l == 0 || l == m,
                (None, None) => true,
                _ => false,
            };
            if !same {
                mismatches.push(format!("module base {b}, {label}: nginx {theirs:?}, badgateway {ours:?}"));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "nginx -t parity with Debian's modules loaded: {} of {total} configs agree ({broken} broken for nginx)",
        total - mismatches.len()
    );
    assert!(mismatches.is_empty(), "{} disagreements:\n{}", mismatches.len(), mismatches.join("\n"));
}

/// The same configurations on a build that loads none of the modules (the `load_module` lines
/// dropped) or only some of them (the first dropped): nginx refuses the first directive of a
/// module it lacks, on that line. badgateway says the same: "unknown directive" where the paste
/// shows the build loads its modules and not this one, and, where it cannot tell (no
/// `load_module` at all, as in OpenResty's builds), that the directive needs its module.
#[test]
fn badgateway_agrees_with_nginx_t_on_builds_without_the_modules() {
    let Some((nginx, dir)) = module_parity_dir("stock") else { return };
    let mut cases = 0;
    let mut mismatches = Vec::new();
    for (b, base) in MODULE_BASES.iter().enumerate() {
        let none: String =
            base.lines().filter(|l| !l.starts_with("load_module")).map(|l| format!("{l}\n")).collect();
        let first = base.lines().position(|l| l.starts_with("load_module")).unwrap();
        let some: String =
            base.lines().enumerate().filter(|(i, _)| *i != first).map(|(_, l)| format!("{l}\n")).collect();
        for (label, text) in [("no load_module", &none), ("the first load_module dropped", &some)] {
            for (variant, text) in variants(text) {
                cases += 1;
                let theirs = nginx_verdict(&nginx, &dir, &text);
                let ours = our_stock_verdict(&text);
                let same = match (theirs, ours) {
                    (Some(l), Some(m)) => l == 0 || l == m,
                    (None, None) => true,
                    _ => false,
                };
                if !same {
                    mismatches.push(format!(
                        "module base {b}, {label}, {variant}: nginx {theirs:?}, badgateway {ours:?}"
                    ));
                }
            }
            // Where some modules are loaded, the one that is not is nginx's error, not a note.
            if label != "no load_module" {
                let cfg = parse(text.as_bytes());
                assert!(
                    cfg.first_error().is_some_and(|d| d.module.is_some()),
                    "base {b}: {:?}",
                    cfg.diagnostics()
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("nginx -t parity on builds without the modules: {} of {cases} agree", cases - mismatches.len());
    assert!(mismatches.is_empty(), "{} disagreements:\n{}", mismatches.len(), mismatches.join("\n"));
}
