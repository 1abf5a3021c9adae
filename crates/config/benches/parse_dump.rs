//! Parses and models a generated `nginx -T` dump of 100,000 lines (about 3 MB).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use divan::counter::BytesCount;
use std::fmt::Write as _;

fn main() {
    divan::main();
}

/// A realistic dump: nginx.conf, upstream files and many site files, each file under its header.
pub fn generate_dump(target_lines: usize) -> String {
    let mut s = String::with_capacity(target_lines * 32);
    s.push_str("nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n");
    s.push_str("nginx: configuration file /etc/nginx/nginx.conf test is successful\n");
    s.push_str("# configuration file /etc/nginx/nginx.conf:\n");
    s.push_str(
        "user www-data;\nworker_processes auto;\npid /run/nginx.pid;\nerror_log /var/log/nginx/error.log;\n",
    );
    s.push_str("events {\n\tworker_connections 768;\n}\n\nhttp {\n\tsendfile on;\n\ttcp_nopush on;\n");
    s.push_str(
        "\ttypes_hash_max_size 2048;\n\tproxy_read_timeout 90s;\n\tinclude /etc/nginx/conf.d/*.conf;\n",
    );
    s.push_str("\tinclude /etc/nginx/sites-enabled/*;\n}\n\n");
    let mut site = 0;
    while s.bytes().filter(|&b| b == b'\n').count() < target_lines {
        // Counting every round is quadratic-ish; count per site instead.
        for _ in 0..50 {
            let n = site;
            site += 1;
            let _ = writeln!(s, "# configuration file /etc/nginx/conf.d/upstream{n}.conf:");
            let _ = writeln!(s, "upstream app{n} {{");
            let _ = writeln!(
                s,
                "    server 127.0.0.1:{} weight=2 max_fails=3 fail_timeout=10s;",
                8000 + n % 1000
            );
            let _ = writeln!(s, "    server 127.0.0.1:{} backup;", 9000 + n % 1000);
            let _ = writeln!(s, "    keepalive 16;\n}}\n");
            let _ = writeln!(s, "# configuration file /etc/nginx/sites-enabled/site{n}:");
            let _ = writeln!(s, "server {{\n    listen 80;\n    listen [::]:80;");
            let _ = writeln!(s, "    server_name site{n}.example.com www.site{n}.example.com;");
            let _ =
                writeln!(s, "    root /var/www/site{n};  # document root\n    index index.html index.php;");
            let _ = writeln!(s, "    location / {{\n        try_files $uri $uri/ =404;\n    }}");
            let _ = writeln!(s, "    location /api/ {{\n        proxy_pass http://app{n};");
            let _ = writeln!(s, "        proxy_http_version 1.1;\n        proxy_set_header Host $host;");
            let _ = writeln!(s, "        proxy_set_header X-Real-IP $remote_addr;");
            let _ = writeln!(s, "        proxy_set_header Connection \"\";\n        proxy_read_timeout 30s;");
            let _ = writeln!(s, "        proxy_buffers 16 8k;\n    }}");
            let _ = writeln!(s, "    location ~ \\.php$ {{\n        include snippets/fastcgi-php.conf;");
            let _ = writeln!(s, "        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n    }}");
            let _ = writeln!(s, "    location = /health {{\n        return 200 \"ok\\n\";\n    }}\n}}\n");
        }
        if s.len() > target_lines * 40 {
            break;
        }
    }
    s
}

#[divan::bench(sample_count = 20)]
fn parse_and_model_100k_line_dump(bencher: divan::Bencher) {
    let dump = generate_dump(100_000);
    let lines = dump.bytes().filter(|&b| b == b'\n').count();
    assert!(lines >= 100_000, "{lines}");
    let cfg = badgateway_config::parse(dump.as_bytes());
    assert!(cfg.model().targets.len() > 1000);
    bencher
        .counter(BytesCount::new(dump.len()))
        .bench(|| badgateway_config::parse(divan::black_box(dump.as_bytes())));
}

/// CPU seconds this thread has used (utime + stime from /proc), so that the throughput can be
/// read independently of other processes competing for the machine's cores.
fn thread_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Prints MB per CPU-second over a fixed number of parses (divan's figures are wall-clock).
#[divan::bench(sample_count = 1, sample_size = 1)]
fn cpu_time_throughput() {
    let dump = generate_dump(100_000);
    let rounds = 30;
    let (Some(start), wall) = (thread_cpu_seconds(), std::time::Instant::now()) else { return };
    for _ in 0..rounds {
        divan::black_box(badgateway_config::parse(divan::black_box(dump.as_bytes())));
    }
    let cpu = thread_cpu_seconds().unwrap_or(start) - start;
    let mb = (dump.len() * rounds) as f64 / 1e6;
    eprintln!(
        "{rounds} parses of {:.2} MB ({} lines): {:.1} MB per CPU-second, {:.1} MB/s wall",
        dump.len() as f64 / 1e6,
        dump.bytes().filter(|&b| b == b'\n').count(),
        mb / cpu.max(1e-9),
        mb / wall.elapsed().as_secs_f64()
    );
}
