//! The binary on hostile input: exit 0, 1 or 2 with valid JSON, never a panic (101) or a
//! signal. Inputs are generated into the test's temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

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

fn diagnose(name: &str, config: &[u8], listeners: &[u8], log: &[u8]) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("hostile_cli").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let (c, l, g) = (dir.join("config"), dir.join("listeners"), dir.join("log"));
    std::fs::write(&c, config).unwrap();
    std::fs::write(&l, listeners).unwrap();
    std::fs::write(&g, log).unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_badgateway"))
        .args(["diagnose", "--format", "json", "--config"])
        .arg(&c)
        .arg("--listeners")
        .arg(&l)
        .arg("--log")
        .arg(&g)
        .output()
        .unwrap();
    let code = out.status.code();
    eprintln!(
        "hostile cli {name:<28} exit {code:?} in {:.0} ms, {} bytes of JSON",
        started.elapsed().as_secs_f64() * 1000.0,
        out.stdout.len()
    );
    assert!(
        matches!(code, Some(0..=2)),
        "{name}: exit {code:?}, stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if code != Some(2) {
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{name}: stdout is not JSON: {e}"));
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_binary_survives_hostile_input() {
    diagnose("empty", b"", b"", b"");
    diagnose("a million {", &vec![b'{'; 1_000_000], &vec![b'{'; 1_000_000], &vec![b'{'; 1_000_000]);
    let mut nested = String::from("http {\n");
    for i in 0..20_000 {
        nested.push_str(&format!("location /l{i} {{\n"));
    }
    nested.push_str(&"}\n".repeat(20_001));
    diagnose("20,000 nested blocks", nested.as_bytes(), b"", b"");
    let line = vec![b'a'; 20 * 1024 * 1024];
    diagnose("20 MB single line", &line, &line, &line);
    let noise = random_bytes(7, 1 << 20);
    diagnose("random bytes", &noise, &noise, &noise);
    diagnose(
        "non-UTF-8 names",
        b"http { upstream b\xff { server 127.0.0.1:80; } server { location / { proxy_pass http://b\xff; } } }",
        b"LISTEN 0 128 127.0.0.1:8000 0.0.0.0:* users:((\"p\xff\",pid=1,fd=3))\n",
        b"\xef\xbb\xbf2026/11/21 10:00:00 [error] 1#1: *1 connect() failed (111: Connection refused)\r\n",
    );
}
