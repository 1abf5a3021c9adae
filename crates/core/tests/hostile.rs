//! Hostile input: whatever is pasted, the diagnosis finishes with valid output, never
//! panics, never recurses per nesting level, never goes quadratic. Inputs are generated
//! here, not committed. Every crash the fuzzers (fuzz/) found is a regression test at the
//! end of this file. Timings are printed (`cargo test --release --test hostile --
//! --nocapture`); no test asserts on wall-clock time, only on counts that grow linearly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Instant;

use badgateway_core::limits::{MAX_FINDINGS, MAX_INPUT_BYTES, MAX_LINE_BYTES, MAX_QUOTE_BYTES};
use badgateway_core::{Analysis, InputKind, Inputs, analyze};
use proptest::prelude::*;

/// What one run produced, reduced to what the tests look at.
struct Outcome {
    codes: Vec<String>,
    json: String,
    summaries: String,
}

/// analyze + views + summaries + JSON, as the CLI and the page do; prints the time.
fn run(name: &str, config: Option<&[u8]>, listeners: Option<&[u8]>, log: Option<&[u8]>) -> Outcome {
    let started = Instant::now();
    let analysis = analyze(Inputs { config, listeners, log });
    let views = analysis.views();
    let json = serde_json::to_string(&views).unwrap();
    let summaries = serde_json::to_string(&analysis.summaries()).unwrap();
    let took = started.elapsed();
    let size = [config, listeners, log].iter().map(|t| t.map_or(0, <[u8]>::len)).sum::<usize>();
    eprintln!(
        "hostile case {name:<40} {:>10} bytes in {:>9.1} ms, {} findings, {} bytes of JSON",
        size,
        took.as_secs_f64() * 1000.0,
        analysis.findings.len(),
        json.len()
    );
    for v in &views {
        for e in &v.evidence {
            // A quote is a window of the line; hidden characters may grow 8-fold (`<U+202E>`).
            assert!(e.text.len() <= 8 * MAX_QUOTE_BYTES + 8, "{name}: a quote is not cut: {}", e.text.len());
        }
    }
    let codes = analysis.findings.iter().map(|f| f.code.to_string()).collect();
    check_spans(&analysis);
    Outcome { codes, json, summaries }
}

fn check_spans(analysis: &Analysis<'_>) {
    for f in &analysis.findings {
        for l in &f.labels {
            let len = analysis.inputs.text(l.span.input).len();
            assert!(l.span.range.start <= l.span.range.end && l.span.range.end as usize <= len);
        }
    }
}

fn config_tokens(text: &[u8]) -> usize {
    badgateway_config::parse(text).tokens().len()
}

/// Deterministic bytes (xorshift), so a failure is reproducible.
fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn twenty_thousand_nested_blocks() {
    let mut text = String::from("http {\n");
    for i in 0..20_000 {
        writeln!(text, "location /l{i} {{").unwrap();
    }
    text.push_str("proxy_pass http://127.0.0.1:9;\n");
    text.push_str(&"}\n".repeat(20_001));
    let out = run("20,000 nested locations", Some(text.as_bytes()), None, None);
    assert!(out.summaries.contains("config"));
    let bare = format!("{}{}", "a {".repeat(20_000), "}".repeat(20_000));
    run("20,000 nested anonymous blocks", Some(bare.as_bytes()), None, None);
    assert!(config_tokens(bare.as_bytes()) <= 3 * 20_000 + 1 + 20_000);
}

#[test]
fn a_million_braces() {
    let open = vec![b'{'; 1_000_000];
    let close = vec![b'}'; 1_000_000];
    let o = run("1,000,000 {", Some(&open), Some(&open), Some(&open));
    assert!(o.codes.len() <= MAX_FINDINGS);
    assert!(o.codes.iter().any(|c| c == "BG101"), "a syntax error is reported: {:?}", o.codes);
    let c = run("1,000,000 }", Some(&close), Some(&close), Some(&close));
    assert!(c.codes.iter().any(|c| c == "BG101"));
    let mut both = open.clone();
    both.extend(&close);
    run("1,000,000 { then }", Some(&both), None, None);
}

#[test]
fn an_unterminated_quote_followed_by_megabytes() {
    let mut text = b"http { server { server_name \"unterminated;\n".to_vec();
    for i in 0..200_000 {
        text.extend(format!("location /x{i} {{ proxy_pass http://127.0.0.1:{i}; }}\n").as_bytes());
    }
    assert!(text.len() > 8_000_000);
    let out = run("unterminated quote + 8 MB", Some(&text), None, Some(&text));
    assert!(out.codes.iter().any(|c| c == "BG101"), "{:?}", out.codes);
    let mut single = b"'".to_vec();
    single.extend(vec![b'x'; 4_000_000]);
    run("unterminated ' + 4 MB", Some(&single), Some(&single), Some(&single));
}

#[test]
fn megabytes_of_what_the_paste_reader_undoes() {
    // One line each of backticks, quote markers, entities, curly quotes, bold markers and
    // unclosed fences: the reader undoes pastes in one pass, never once per character.
    for (name, unit) in [
        ("backticks", &b"`"[..]),
        ("quote markers", b"> "),
        ("entities", b"&quot;&amp;&gt;"),
        ("curly quotes", "\u{201c}\u{201d}".as_bytes()),
        ("bold", b"**"),
        ("fences", b"```\n"),
        ("json escapes", b"\\\""),
    ] {
        // 20 MB for the cheapest, 4 MB for the rest: the debug build reads ~1 MB/s of
        // entities; `cargo bench -p badgateway-core --bench diagnose -- log_parse_pasted`
        // gives the release speed of every form.
        let mb = if unit == b"`" { 20 } else { 4 };
        let text = unit.repeat(mb * 1024 * 1024 / unit.len());
        run(&format!("{mb} MB of {name}"), None, Some(&text), Some(&text));
    }
}

#[test]
fn a_twenty_megabyte_single_line() {
    let line = vec![b'a'; 20 * 1024 * 1024];
    let out = run("20 MB single line (a)", Some(&line), Some(&line), Some(&line));
    assert!(out.summaries.contains("quotes from it are cut"), "{}", out.summaries);
    // A long line that nginx and the rules do read: one directive with a huge argument.
    let mut conf = b"http { server { location / { proxy_pass http://127.0.0.1:1/".to_vec();
    conf.extend(vec![b'p'; 20 * 1024 * 1024]);
    conf.extend(b"; } } }");
    let mut log = b"2026/11/21 10:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET /".to_vec();
    log.extend(vec![b'q'; 20 * 1024 * 1024]);
    log.extend(b" HTTP/1.1\", upstream: \"http://127.0.0.1:1/\", host: \"localhost\"\n");
    let out = run("20 MB proxy_pass and log line", Some(&conf), None, Some(&log));
    assert!(out.json.len() < 1_000_000, "views quote a window, not the line: {}", out.json.len());
}

#[test]
fn random_bytes_in_every_box() {
    for seed in 1..=4u64 {
        let bytes = random_bytes(seed, 1 << 20);
        run(&format!("1 MB random bytes, seed {seed}"), Some(&bytes), Some(&bytes), Some(&bytes));
    }
    // Random printable tokens from nginx's vocabulary reach deeper than raw noise.
    let words: &[&str] = &[
        "http",
        "server",
        "location",
        "upstream",
        "{",
        "}",
        ";",
        "proxy_pass",
        "http://",
        "unix:",
        "127.0.0.1",
        ":80",
        "[::1]",
        "listen",
        "include",
        "*.conf",
        "\"",
        "'",
        "#",
        "\n",
        "\\",
        "$host",
        "map",
        "if",
        "(",
        ")",
        "fastcgi_pass",
        "grpc_pass",
        "uwsgi_pass",
        "server_name",
        "resolver",
        "set",
        " ",
        "\t",
        "\r\n",
    ];
    let noise = random_bytes(99, 400_000);
    let mut text = String::new();
    for b in noise {
        text.push_str(words[b as usize % words.len()]);
    }
    run("400,000 random nginx words", Some(text.as_bytes()), Some(text.as_bytes()), Some(text.as_bytes()));
}

#[test]
fn non_utf8_bytes_in_names() {
    let conf = b"http {\n upstream b\xff\xfeck { server 127.0.0.1:80\xff; server \xc3\x28:80; }\n server {\n  listen 80;\n  server_name \xe2\x82 caf\xe9.example;\n  location /\xff { proxy_pass http://b\xff\xfeck; }\n  location /x { proxy_pass http://\xf0\x9f\x98:8000/\xfe; }\n }\n}\n";
    let listeners = b"LISTEN 0 128 127.0.0.1:8000 0.0.0.0:* users:((\"py\xffthon\",pid=1,fd=3))\n";
    let log = b"2026/11/21 10:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: caf\xe9, request: \"GET /\xff HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\xfe\", host: \"\xff\"\n";
    let out = run("non-UTF-8 names", Some(conf), Some(listeners), Some(log));
    assert!(!out.codes.is_empty());
    assert!(serde_json::from_str::<serde_json::Value>(&out.json).is_ok());
}

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/scenarios")
}

fn scenario(name: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let d = scenarios_dir().join(name);
    let read = |f: &str| std::fs::read(d.join(f)).unwrap_or_default();
    (read("nginx-T.txt"), read("listeners.txt"), read("error.log"))
}

fn crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for &b in text {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[test]
fn crlf_bom_and_tabs_give_the_same_diagnosis() {
    for name in ["wrong-port", "unix-socket-permission", "backend-not-running", "missing-semicolon"] {
        let (c, l, g) = scenario(name);
        let plain = run(name, Some(&c), Some(&l), Some(&g));
        let mut bom = b"\xef\xbb\xbf".to_vec();
        bom.extend(crlf(&c));
        // Indentation and the space after each directive name as tabs.
        let tabs: Vec<u8> = String::from_utf8_lossy(&c)
            .lines()
            .map(|l| {
                let body = l.trim_start_matches(' ');
                let indent = "\t".repeat(l.len() - body.len());
                if body.starts_with('#') || body.starts_with("nginx:") {
                    format!("{indent}{body}\n")
                } else {
                    format!("{indent}{}\n", body.replacen(' ', "\t", 1))
                }
            })
            .collect::<String>()
            .into_bytes();
        let windows = run(&format!("{name} CRLF+BOM"), Some(&bom), Some(&crlf(&l)), Some(&crlf(&g)));
        let tabbed = run(&format!("{name} tabs"), Some(&tabs), Some(&l), Some(&g));
        assert_eq!(plain.codes, windows.codes, "{name}: CRLF and a BOM change nothing");
        assert_eq!(plain.codes, tabbed.codes, "{name}: tabs in the config change nothing");
    }
}

#[test]
fn empty_and_blank_inputs() {
    let o = run("nothing", None, None, None);
    assert!(o.codes.is_empty());
    run("empty strings", Some(b""), Some(b""), Some(b""));
    run("blanks", Some(b" \n\t\r\n"), Some(b"\r\n\r\n"), Some(b"\n"));
    run("BOM only", Some(b"\xef\xbb\xbf"), Some(b"\xef\xbb\xbf"), Some(b"\xef\xbb\xbf"));
    run("NUL bytes", Some(b"\0\0\0"), Some(b"\0"), Some(b"\0\n\0"));
}

#[test]
fn direction_overrides_and_zero_width_characters_are_shown() {
    let (c, l, g) = scenario("wrong-port");
    let c = String::from_utf8(c).unwrap();
    let g = String::from_utf8(g).unwrap();
    // Put an override and a zero-width space into the config line with proxy_pass and
    // into every log line: wherever they are quoted, they must be visible.
    let c = c.replacen("proxy_pass ", "proxy_pass \u{202E}\u{200B}", 1);
    let g = g.replace("upstream", "up\u{200B}stream\u{2066}");
    let out = run("bidi + zero-width", Some(c.as_bytes()), Some(&l), Some(g.as_bytes()));
    let views: serde_json::Value = serde_json::from_str(&out.json).unwrap();
    let mut excerpts = Vec::new();
    for v in views.as_array().unwrap() {
        for e in v["evidence"].as_array().unwrap() {
            excerpts.push(e["text"].as_str().unwrap().to_string());
        }
    }
    assert!(!excerpts.is_empty());
    for hidden in ['\u{202E}', '\u{200B}', '\u{2066}'] {
        assert!(!excerpts.iter().any(|t| t.contains(hidden)), "{hidden:?} is quoted raw: {excerpts:?}");
    }
    assert!(excerpts.iter().any(|t| t.contains("<U+202E>") || t.contains("<U+200B>")), "{excerpts:?}");
}

#[test]
fn a_hundred_thousand_row_listener_table() {
    let mut table = String::from("State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process\n");
    for i in 0..100_000u32 {
        let port = 1024 + i % 60_000;
        writeln!(
            table,
            "LISTEN 0      128    10.{}.{}.{}:{port}      0.0.0.0:*    users:((\"app{i}\",pid={},fd=3))",
            (i >> 16) & 255,
            (i >> 8) & 255,
            i & 255,
            i + 100
        )
        .unwrap();
    }
    let (c, _, g) = scenario("wrong-port");
    run("100,000-row ss table", Some(&c), Some(table.as_bytes()), Some(&g));
    let report = badgateway_core::listeners::parse(table.as_bytes());
    assert_eq!(report.listeners.len(), 100_000);
}

#[test]
fn an_upstream_with_fifty_thousand_servers() {
    let t = Instant::now();
    let mut conf = String::from("events {}\nhttp {\n upstream big {\n");
    for i in 0..50_000u32 {
        writeln!(conf, "  server 10.{}.{}.{}:8000 max_fails=1;", (i >> 16) & 255, (i >> 8) & 255, i & 255)
            .unwrap();
    }
    conf.push_str(" }\n server { listen 80; location / { proxy_pass http://big; } }\n}\n");
    let mut log = String::new();
    for i in 0..2_000u32 {
        writeln!(log, "2026/11/21 10:00:00 [error] 1#1: *{i} connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://10.0.{}.{}:8000/\", host: \"localhost\"", (i >> 8) & 255, i & 255).unwrap();
    }
    let _ = badgateway_config::parse(conf.as_bytes());
    eprintln!(
        "hostile case {:<40} parsed in {:.1} ms",
        "upstream with 50,000 servers",
        t.elapsed().as_secs_f64() * 1000.0
    );
    run("upstream with 50,000 servers, config only", Some(conf.as_bytes()), None, None);
    // Each log line naming one of the servers costs a pass over all of them (reported:
    // 2,000 lines take ~80 s in release); 100 lines keep `cargo test` fast.
    let lines: String = log.lines().take(100).map(|l| format!("{l}\n")).collect();
    run("upstream with 50,000 servers, 100 log lines", Some(conf.as_bytes()), None, Some(lines.as_bytes()));
    let cfg = badgateway_config::parse(conf.as_bytes());
    assert_eq!(cfg.model().upstreams.first().map(|u| u.servers.len()), Some(50_000));
}

/// A generated ruleset: 20,000 rules on the backend port (a rule per client address), and
/// an upstream of 200 servers behind it. Each chain is read once per address, and each
/// finding cites the first rules and counts the rest.
#[test]
fn twenty_thousand_firewall_rules_on_one_port() {
    let mut rules = String::from("$ sudo iptables -S\n-P INPUT ACCEPT\n");
    for i in 0..20_000u32 {
        writeln!(
            rules,
            "-A INPUT -s 192.168.{}.{}/32 -p tcp -m tcp --dport 8000 -j DROP",
            (i >> 8) & 255,
            i & 255
        )
        .unwrap();
    }
    let mut conf = String::from("events {}\nhttp {\n upstream big {\n");
    for i in 0..200u32 {
        writeln!(conf, "  server 10.0.{}.{}:8000;", i >> 8, i & 255).unwrap();
    }
    conf.push_str(" }\n server { listen 80; location / { proxy_pass http://big; } }\n}\n");
    let out = run("20,000 firewall rules, 200 servers", Some(conf.as_bytes()), Some(rules.as_bytes()), None);
    assert!(out.codes.iter().any(|c| c == "BG207"), "{:?}", out.codes);
    assert!(out.json.contains("more rules of the paste match"));
}

/// An `nginx -T` dump of `n` files: nginx.conf includes conf.d/*.conf.
fn dump_with_includes(n: usize, each_includes: &str) -> String {
    let mut dump = String::from(
        "nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\n# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp {\n include /etc/nginx/conf.d/*.conf;\n}\n\n",
    );
    for i in 0..n {
        write!(
            dump,
            "# configuration file /etc/nginx/conf.d/site{i:05}.conf:\n{each_includes}server {{ listen {}; server_name s{i}.example; location / {{ proxy_pass http://127.0.0.1:{}; }} }}\n\n",
            10_000 + i,
            20_000 + i
        )
        .unwrap();
    }
    dump
}

#[test]
fn five_thousand_included_files() {
    let dump = dump_with_includes(5_000, "");
    let out = run("5,000 included files", Some(dump.as_bytes()), None, None);
    assert!(out.summaries.contains("5,001 files"), "{}", out.summaries);
    assert_eq!(badgateway_config::parse(dump.as_bytes()).model().servers.len(), 5_000);
}

#[test]
fn include_cycles_are_reported_and_bounded() {
    let dump = "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/a.conf; }\n\n# configuration file /etc/nginx/a.conf:\ninclude /etc/nginx/b.conf;\n\n# configuration file /etc/nginx/b.conf:\ninclude /etc/nginx/a.conf;\nserver { listen 80; }\n";
    let out = run("include cycle a -> b -> a", Some(dump.as_bytes()), None, None);
    assert!(out.codes.iter().any(|c| c == "BG101"), "{:?}", out.codes);
}

/// Every file includes the whole directory: nginx would walk n! paths; the parser must
/// not: the parser's include budget (walk.rs) stops it. Before the budget, n files gave
/// 2^n - 1 servers and n=200 was killed for memory.
#[test]
fn a_glob_include_in_every_included_file_is_bounded() {
    let dump = dump_with_includes(200, "include /etc/nginx/conf.d/*.conf;\n");
    let started = Instant::now();
    let cfg = badgateway_config::parse(dump.as_bytes());
    eprintln!(
        "hostile case {:<40} {} servers in {:.1} ms",
        "200 files each including all",
        cfg.model().servers.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert!(cfg.model().servers.len() <= 200 * 200, "servers: {}", cfg.model().servers.len());
    assert!(cfg.diagnostics().iter().any(|d| d.message.contains("cycle")));
}

/// A diamond chain: file k includes file k+1 twice. Without a bound that is 2^k walks
/// (the parser's include budget bounds it).
#[test]
fn doubling_includes_are_bounded() {
    let n = 40;
    let mut dump = String::from(
        "# configuration file /etc/nginx/nginx.conf:\nevents {}\nhttp { include /etc/nginx/f0.conf; }\n\n",
    );
    for k in 0..n {
        writeln!(dump, "# configuration file /etc/nginx/f{k}.conf:").unwrap();
        if k + 1 < n {
            let next = k + 1;
            write!(dump, "include /etc/nginx/f{next}.conf;\ninclude /etc/nginx/f{next}.conf;\n").unwrap();
        } else {
            dump.push_str("server { listen 80; }\n");
        }
        dump.push('\n');
    }
    let started = Instant::now();
    let cfg = badgateway_config::parse(dump.as_bytes());
    eprintln!(
        "hostile case {:<40} {} servers in {:.1} ms",
        "includes doubling 40 times",
        cfg.model().servers.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    assert!(cfg.model().servers.len() < 1_000_000);
}

#[test]
fn inputs_beyond_the_size_limit_are_cut_and_the_summary_says_so() {
    let line = "2026/11/21 10:00:00 [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET / HTTP/1.1\", upstream: \"http://127.0.0.1:8000/\", host: \"localhost\"\n";
    let log = line.repeat(MAX_INPUT_BYTES / line.len() + 1000);
    assert!(log.len() > MAX_INPUT_BYTES);
    let started = Instant::now();
    let analysis = analyze(Inputs { log: Some(log.as_bytes()), ..Inputs::default() });
    let summaries = analysis.summaries();
    eprintln!(
        "hostile case {:<40} {:>10} bytes in {:>9.1} ms",
        "log beyond 64 MiB",
        log.len(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    let log_limits = &analysis.limited[2];
    assert!(log_limits.is_cut());
    assert!(log_limits.analysed <= MAX_INPUT_BYTES);
    assert_eq!(log_limits.analysed % line.len(), 0, "cut at a line break");
    assert_eq!(analysis.inputs.text(InputKind::Log).len(), log_limits.analysed);
    let s = &summaries.iter().find(|s| s.input == Some(InputKind::Log)).unwrap().read_as;
    assert!(s.contains("only the first 64 MiB"), "{s}");
    const { assert!(MAX_LINE_BYTES < MAX_INPUT_BYTES) };
}

#[test]
fn a_million_short_lines() {
    let conf = "proxy_pass http://127.0.0.1:1;\n".repeat(1_000_000);
    let out = run("1,000,000 proxy_pass lines", Some(conf.as_bytes()), None, None);
    assert!(!out.summaries.is_empty());
    let semis = ";".repeat(1_000_000);
    run("1,000,000 ;", Some(semis.as_bytes()), Some(semis.as_bytes()), Some(semis.as_bytes()));
    let newlines = "\n".repeat(1_000_000) + "x";
    run(
        "1,000,000 blank lines",
        Some(newlines.as_bytes()),
        Some(newlines.as_bytes()),
        Some(newlines.as_bytes()),
    );
}

// Crashes found by the fuzzers (fuzz/README.md): none in the runs so far (config 89,490
// executions, listeners 579,894, log 538,354, diagnosis 77,086). A crash found later goes
// here as a test with its bytes inline.

// Property tests: the invariants the fuzzers check, on every `cargo test`.

fn nginx_like() -> impl Strategy<Value = Vec<u8>> {
    let word = prop::sample::select(vec![
        "http",
        "server",
        "location",
        "upstream",
        "{",
        "}",
        ";",
        "proxy_pass",
        "http://",
        "unix:/run/a.sock",
        "127.0.0.1",
        ":8000",
        "[::1]",
        "listen",
        "include",
        "x.conf",
        "\"",
        "'",
        "#",
        "\n",
        "\\",
        "$host",
        "map",
        "if",
        "(",
        ")",
        "fastcgi_pass",
        "server_name",
        "resolver",
        "set",
        " ",
        "\t",
        "\r\n",
        "\u{202E}",
        "\u{FEFF}",
        "é",
        "LISTEN",
        "users:((\"gunicorn\",pid=1,fd=5))",
        "0.0.0.0:*",
        "[error]",
        "connect() failed (111: Connection refused) while connecting to upstream",
        "upstream: \"",
        "2026/11/21 10:00:00",
        "u_str",
        "tcp",
        "*:80",
    ]);
    prop::collection::vec(
        prop_oneof![word.prop_map(|w| w.as_bytes().to_vec()), any::<u8>().prop_map(|b| vec![b])],
        0..200,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn the_config_tree_prints_back_the_input(src in nginx_like()) {
        prop_assert_eq!(badgateway_config::parse(&src).print(), src);
    }

    #[test]
    fn diagnosis_never_panics_and_is_deterministic(c in nginx_like(), l in nginx_like(), g in nginx_like()) {
        let inputs = Inputs { config: Some(&c), listeners: Some(&l), log: Some(&g) };
        let a = analyze(inputs);
        let b = analyze(inputs);
        check_spans(&a);
        prop_assert_eq!(serde_json::to_string(&a.views()).unwrap(), serde_json::to_string(&b.views()).unwrap());
        prop_assert_eq!(serde_json::to_string(&a.summaries()).unwrap(), serde_json::to_string(&b.summaries()).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic(c in prop::collection::vec(any::<u8>(), 0..600), l in prop::collection::vec(any::<u8>(), 0..600), g in prop::collection::vec(any::<u8>(), 0..600)) {
        let a = analyze(Inputs { config: Some(&c), listeners: Some(&l), log: Some(&g) });
        check_spans(&a);
        let _ = serde_json::to_string(&a.views()).unwrap();
    }
}
