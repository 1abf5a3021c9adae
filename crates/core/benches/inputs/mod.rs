//! Realistic generated inputs for the benchmarks and `examples/gen_inputs.rs`: a config that
//! real `nginx -t` accepts (many server blocks, upstreams, maps, includes), its `nginx -T`
//! dump, an `ss -tlnp` + `ss -xlp` listener table for it, and an error log mixing every event
//! kind the rules read (line shapes copied from the real nginx 1.22 captures in
//! tests/fixtures/scenarios), about 300 bytes a line.
#![allow(dead_code)]

use std::fmt::Write as _;

/// One generated config: its files in the order nginx parses (and `nginx -T` prints) them.
pub struct Config {
    /// Absolute directory the paths inside the config point into.
    pub root: String,
    /// `(absolute path, content)`, `nginx.conf` first.
    pub files: Vec<(String, String)>,
    pub sites: usize,
}

/// Lines per generated site (server block, its upstream and map), roughly.
const LINES_PER_SITE: usize = 47;

fn site_kind(n: usize) -> usize {
    n % 4
}

/// Sites until the `nginx -T` dump holds about `target_lines` lines.
pub fn config(target_lines: usize, root: &str) -> Config {
    let sites = target_lines.saturating_sub(30).div_ceil(LINES_PER_SITE).max(1);
    let mut files = Vec::new();
    let mut main = String::new();
    let _ = write!(
        main,
        "worker_processes 2;\npid {root}/nginx.pid;\nerror_log {root}/logs/error.log warn;\n\n\
         events {{\n    worker_connections 4096;\n    multi_accept on;\n}}\n\n\
         http {{\n    sendfile on;\n    tcp_nopush on;\n    types_hash_max_size 2048;\n\
         \x20   default_type application/octet-stream;\n    access_log off;\n\
         \x20   server_names_hash_bucket_size 128;\n    map_hash_bucket_size 128;\n\
         \x20   variables_hash_max_size 16384;\n\
         \x20   server_names_hash_max_size 16384;\n\
         \x20   proxy_connect_timeout 5s;\n    proxy_read_timeout 60s;\n\
         \x20   client_body_temp_path {root}/tmp/body;\n    proxy_temp_path {root}/tmp/proxy;\n\
         \x20   fastcgi_temp_path {root}/tmp/fastcgi;\n    uwsgi_temp_path {root}/tmp/uwsgi;\n\
         \x20   scgi_temp_path {root}/tmp/scgi;\n\n\
         \x20   include {root}/conf.d/*.conf;\n    include {root}/sites-enabled/*.conf;\n}}\n"
    );
    files.push((format!("{root}/nginx.conf"), main));
    for n in 0..sites {
        let mut s = String::new();
        let _ = writeln!(s, "upstream app{n:05} {{");
        let _ = writeln!(
            s,
            "    server 127.0.0.{}:{} weight=2 max_fails=3 fail_timeout=10s;",
            1 + n % 4,
            10000 + n
        );
        let _ = writeln!(s, "    server 127.0.0.1:{} backup;", 30000 + n);
        let _ = writeln!(s, "    keepalive 16;\n}}");
        files.push((format!("{root}/conf.d/upstream{n:05}.conf"), s));
    }
    let snippet = format!(
        "fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\ntry_files $fastcgi_script_name =404;\n\
         set $path_info $fastcgi_path_info;\nfastcgi_param PATH_INFO $path_info;\n\
         fastcgi_index index.php;\ninclude {root}/fastcgi.conf;\n"
    );
    let fastcgi_conf = "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n\
         fastcgi_param QUERY_STRING $query_string;\nfastcgi_param REQUEST_METHOD $request_method;\n\
         fastcgi_param CONTENT_TYPE $content_type;\nfastcgi_param CONTENT_LENGTH $content_length;\n\
         fastcgi_param REQUEST_URI $request_uri;\nfastcgi_param SERVER_PROTOCOL $server_protocol;\n\
         fastcgi_param REMOTE_ADDR $remote_addr;\nfastcgi_param SERVER_NAME $server_name;\n"
        .to_string();
    let mut snippet_pending = true;
    for n in 0..sites {
        let mut s = String::new();
        let _ = writeln!(s, "map $http_upgrade $connection_upgrade_{n:05} {{");
        let _ = writeln!(s, "    default upgrade;\n    ''      close;\n}}\n");
        let _ = writeln!(s, "server {{\n    listen 80;\n    listen [::]:80;");
        let _ = writeln!(s, "    server_name site{n:05}.example.com www.site{n:05}.example.com;");
        let _ =
            writeln!(s, "    root /var/www/site{n:05};  # document root\n    index index.html index.php;");
        let _ = writeln!(s, "    location / {{\n        try_files $uri $uri/ =404;\n    }}");
        let _ = writeln!(s, "    location /api/ {{\n        proxy_pass http://app{n:05};");
        let _ = writeln!(s, "        proxy_http_version 1.1;\n        proxy_set_header Host $host;");
        let _ = writeln!(s, "        proxy_set_header X-Real-IP $remote_addr;");
        let _ = writeln!(s, "        proxy_set_header Upgrade $http_upgrade;");
        let _ = writeln!(s, "        proxy_set_header Connection $connection_upgrade_{n:05};");
        let _ = writeln!(s, "        proxy_read_timeout 30s;\n        proxy_buffers 16 8k;\n    }}");
        match site_kind(n) {
            0 => {
                let _ = writeln!(
                    s,
                    "    location /admin/ {{\n        proxy_pass http://127.0.0.1:{}/;",
                    40000 + n % 20000
                );
                let _ = writeln!(s, "        proxy_set_header Host $host;\n    }}");
            }
            1 => {
                let _ = writeln!(
                    s,
                    "    location ~ \\.php$ {{\n        include {root}/snippets/fastcgi-php.conf;"
                );
                let _ =
                    writeln!(s, "        fastcgi_pass unix:{root}/run/php8.2-fpm-{}.sock;\n    }}", n % 8);
            }
            2 => {
                let _ = writeln!(
                    s,
                    "    location /app/ {{\n        proxy_pass http://unix:{root}/run/app{n:05}.sock:/;"
                );
                let _ = writeln!(s, "        proxy_set_header Host $host;\n    }}");
            }
            _ => {
                let _ = writeln!(
                    s,
                    "    location /grpc/ {{\n        grpc_pass grpc://127.0.0.1:{};",
                    50000 + n % 10000
                );
                let _ = writeln!(s, "        grpc_read_timeout 30s;\n    }}");
            }
        }
        let _ = writeln!(
            s,
            "    location = /health {{\n        access_log off;\n        return 200 \"ok\\n\";\n    }}"
        );
        let _ = writeln!(
            s,
            "    error_page 502 503 504 /50x.html;\n    location = /50x.html {{\n        internal;\n    }}\n}}"
        );
        files.push((format!("{root}/sites-enabled/site{n:05}.conf"), s));
        if site_kind(n) == 1 && snippet_pending {
            snippet_pending = false;
            files.push((format!("{root}/snippets/fastcgi-php.conf"), snippet.clone()));
            files.push((format!("{root}/fastcgi.conf"), fastcgi_conf.clone()));
        }
    }
    if snippet_pending {
        // Not included by any site, but the files exist for nginx all the same.
        files.push((format!("{root}/snippets/fastcgi-php.conf"), snippet));
        files.push((format!("{root}/fastcgi.conf"), fastcgi_conf));
    }
    Config { root: root.to_string(), files, sites }
}

/// Lines per plain server block (`plain_config`).
const LINES_PER_PLAIN_SERVER: usize = 15;

/// The plain shape of issue 18: about `target_lines` lines of server blocks, each with one
/// `listen`, a `server_name` and three locations that `proxy_pass` to a local port; no
/// regexes, maps, upstream blocks or per-server log files. Server names and ports are the
/// ones `log` writes about, so the log's events find their servers and targets.
pub fn plain_config(target_lines: usize, root: &str) -> Config {
    let sites = target_lines.saturating_sub(20).div_ceil(LINES_PER_PLAIN_SERVER).max(1);
    let mut files = Vec::new();
    let main = format!(
        "worker_processes 2;\npid {root}/nginx.pid;\nerror_log {root}/logs/error.log warn;\n\n\
         events {{\n    worker_connections 1024;\n}}\n\n\
         http {{\n    access_log off;\n    default_type application/octet-stream;\n\
         \x20   server_names_hash_bucket_size 128;\n    server_names_hash_max_size 32768;\n\
         \x20   client_body_temp_path {root}/tmp/body;\n    proxy_temp_path {root}/tmp/proxy;\n\
         \x20   fastcgi_temp_path {root}/tmp/fastcgi;\n    uwsgi_temp_path {root}/tmp/uwsgi;\n\
         \x20   scgi_temp_path {root}/tmp/scgi;\n\n\
         \x20   include {root}/sites-enabled/*.conf;\n}}\n"
    );
    files.push((format!("{root}/nginx.conf"), main));
    for n in 0..sites {
        let (addr, port) = (1 + n % 4, 10000 + n);
        let mut s = String::new();
        let _ = writeln!(s, "server {{\n    listen 80;\n    server_name site{n:05}.example.com;");
        let _ = writeln!(s, "    location / {{\n        proxy_pass http://127.0.0.{addr}:{port};");
        let _ = writeln!(s, "        proxy_set_header Host $host;\n    }}");
        let _ = writeln!(s, "    location /api/ {{\n        proxy_pass http://127.0.0.{addr}:{port}/api/;");
        let _ = writeln!(s, "        proxy_set_header Host $host;\n    }}");
        let _ =
            writeln!(s, "    location /static/ {{\n        proxy_pass http://127.0.0.{addr}:{port}/static/;");
        let _ = writeln!(s, "    }}\n}}");
        files.push((format!("{root}/sites-enabled/site{n:05}.conf"), s));
    }
    Config { root: root.to_string(), files, sites }
}

impl Config {
    /// The `nginx -T` output for these files: the test result lines, then every file under
    /// its `# configuration file` header.
    pub fn dump(&self) -> String {
        let size: usize = self.files.iter().map(|(p, c)| p.len() + c.len() + 32).sum();
        let mut out = String::with_capacity(size + 256);
        let main = self.files.first().map_or("", |(p, _)| p.as_str());
        let _ = writeln!(out, "nginx: the configuration file {main} syntax is ok");
        let _ = writeln!(out, "nginx: configuration file {main} test is successful");
        for (path, content) in &self.files {
            let _ = writeln!(out, "# configuration file {path}:");
            out.push_str(content);
            out.push('\n');
        }
        out
    }

    /// Listener table (`ss -tlnp` then `ss -xlp`): three sites in four have their primary
    /// backend listening; the rest leave something for the rules to find.
    pub fn listeners(&self) -> String {
        listeners(self.sites, &self.root)
    }

    /// An error log of `lines` lines about these sites.
    pub fn log(&self, lines: usize) -> String {
        log(lines, self.sites, &self.root)
    }
}

pub fn listeners(sites: usize, root: &str) -> String {
    let mut s = String::with_capacity(sites * 200);
    s.push_str("$ sudo ss -tlnp\nState  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n");
    s.push_str("LISTEN 0      511          0.0.0.0:80         0.0.0.0:*    users:((\"nginx\",pid=901,fd=6),(\"nginx\",pid=900,fd=6))\n");
    s.push_str("LISTEN 0      511             [::]:80            [::]:*    users:((\"nginx\",pid=901,fd=7),(\"nginx\",pid=900,fd=7))\n");
    for n in 0..sites {
        if n % 4 == 3 {
            continue; // nothing listens: BG201 material
        }
        // One in eight listens on another port of the same address (BG202 material).
        let port = if n % 8 == 5 { 11000 + n } else { 10000 + n };
        let pid = 2000 + n;
        let _ = writeln!(
            s,
            "LISTEN 0      2048       127.0.0.{}:{port}      0.0.0.0:*    users:((\"gunicorn\",pid={},fd=5),(\"gunicorn\",pid={pid},fd=5))",
            1 + n % 4,
            pid + 1
        );
    }
    s.push_str("$ sudo ss -xlp\nNetid State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess\n");
    for k in 0..8 {
        let _ = writeln!(
            s,
            "u_str LISTEN 0      511    {root}/run/php8.2-fpm-{k}.sock 31{k:03}            * 0    users:((\"php-fpm8.2\",pid={},fd=8))",
            700 + k
        );
    }
    for n in (0..sites).filter(|n| site_kind(*n) == 2 && n % 3 != 0) {
        let _ = writeln!(
            s,
            "u_str LISTEN 0      2048   {root}/run/app{n:05}.sock 4{n:05}            * 0    users:((\"gunicorn\",pid={},fd=5))",
            5000 + n
        );
    }
    s
}

/// A tiny deterministic generator (64-bit LCG), so every run reads the same inputs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % below.max(1)
    }
}

pub fn log(lines: usize, sites: usize, root: &str) -> String {
    let mut s = String::with_capacity(lines * 310);
    let mut rng = Lcg(0x5eed);
    let (mut sec, mut conn) = (0u64, 1000u64);
    let paths = ["/api/orders", "/api/users/search", "/api/cart", "/app/home", "/index.php", "/grpc/List"];
    for i in 0..lines {
        if rng.next(3) == 0 {
            sec += 1;
        }
        let (h, m, ss) = ((11 + sec / 3600) % 24, (sec / 60) % 60, sec % 60);
        let ts = format!("2026/11/21 {h:02}:{m:02}:{ss:02}");
        let n = rng.next(sites);
        let host = format!("site{n:05}.example.com");
        let path = paths[rng.next(paths.len())];
        let id = rng.next(1_000_000);
        let req = format!("\"GET {path}/{id}?page={} HTTP/1.1\"", rng.next(50));
        let tail = format!(
            "client: 10.{}.{}.{}, server: {host}, request: {req}",
            rng.next(256),
            rng.next(256),
            rng.next(256)
        );
        let referrer =
            if rng.next(16) == 0 { format!(", referrer: \"https://{host}/account\"") } else { String::new() };
        let tcp = format!("http://127.0.0.{}:{}{path}/{id}", 1 + n % 4, 10000 + n);
        let pid = 900 + (i % 2);
        conn += 1;
        let pre = format!("{ts} [error] {pid}#{pid}: *{conn} ");
        let kind = rng.next(24);
        match kind {
            0..=4 => {
                let _ = writeln!(
                    s,
                    "{pre}connect() failed (111: Connection refused) while connecting to upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            5 | 6 => {
                let _ = writeln!(
                    s,
                    "{pre}upstream timed out (110: Connection timed out) while reading response header from upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            7 => {
                let _ = writeln!(
                    s,
                    "{pre}upstream timed out (110: Connection timed out) while connecting to upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            8 | 9 => {
                let _ = writeln!(
                    s,
                    "{pre}upstream prematurely closed connection while reading response header from upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            10 => {
                let _ = writeln!(
                    s,
                    "{pre}recv() failed (104: Connection reset by peer) while reading response header from upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            11 => {
                let _ = writeln!(
                    s,
                    "{pre}upstream sent too big header while reading response header from upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            12 => {
                let _ = writeln!(
                    s,
                    "{ts} [warn] {pid}#{pid}: *{conn} upstream server temporarily disabled while connecting to upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\""
                );
            }
            13 => {
                let _ = writeln!(
                    s,
                    "{pre}no live upstreams while connecting to upstream, {tail}, upstream: \"http://app{n:05}{path}/{id}\", host: \"{host}\"{referrer}"
                );
            }
            14 => {
                let k = n % 8;
                let _ = writeln!(
                    s,
                    "{pre}connect() to unix:{root}/run/php8.2-fpm-{k}.sock failed (11: Resource temporarily unavailable) while connecting to upstream, {tail}, upstream: \"fastcgi://unix:{root}/run/php8.2-fpm-{k}.sock:\", host: \"{host}\""
                );
            }
            15 => {
                let _ = writeln!(
                    s,
                    "{pre}FastCGI sent in stderr: \"Primary script unknown\" while reading response header from upstream, {tail}, upstream: \"fastcgi://unix:{root}/run/php8.2-fpm-{}.sock:\", host: \"{host}\"",
                    n % 8
                );
            }
            16 => {
                let _ = writeln!(
                    s,
                    "{ts} [crit] {pid}#{pid}: *{conn} connect() to unix:{root}/run/app{n:05}.sock failed (2: No such file or directory) while connecting to upstream, {tail}, upstream: \"http://unix:{root}/run/app{n:05}.sock:{path}\", host: \"{host}\""
                );
            }
            17 => {
                let _ = writeln!(
                    s,
                    "{ts} [crit] {pid}#{pid}: *{conn} connect() to unix:{root}/run/app{n:05}.sock failed (13: Permission denied) while connecting to upstream, {tail}, upstream: \"http://unix:{root}/run/app{n:05}.sock:{path}\", host: \"{host}\""
                );
            }
            18 => {
                let _ = writeln!(
                    s,
                    "{pre}upstream sent invalid header: \"Bad\\x20...\" while reading response header from upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
            19 => {
                let _ = writeln!(
                    s,
                    "{pre}SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream, {tail}, upstream: \"https://127.0.0.1:{}/\", host: \"{host}\"",
                    10000 + n
                );
            }
            20 => {
                let _ = writeln!(
                    s,
                    "{pre}upstream sent too large http2 frame: 4740180 while reading response header from upstream, {tail}, upstream: \"grpc://127.0.0.1:{}\", host: \"{host}\"",
                    50000 + n % 10000
                );
            }
            21 => {
                let _ = writeln!(
                    s,
                    "{ts} [alert] {pid}#{pid}: *{conn} 4096 worker_connections are not enough while connecting to upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\""
                );
            }
            22 => {
                let _ = writeln!(
                    s,
                    "{pre}open() \"/var/www/site{n:05}/static/app.{id}.css\" failed (2: No such file or directory), {tail}, host: \"{host}\"{referrer}"
                );
            }
            _ => {
                let _ = writeln!(
                    s,
                    "{pre}upstream sent no valid HTTP/1.0 header while reading response header from upstream, {tail}, upstream: \"{tcp}\", host: \"{host}\"{referrer}"
                );
            }
        }
    }
    s
}

/// Lines in `text` (line breaks).
pub fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}
