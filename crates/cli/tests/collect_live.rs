//! `diagnose --collect` and `collect` against a real, broken nginx that the test starts
//! on loopback: proxy_pass to a port where nothing listens. Skipped (with a message)
//! when nginx is not installed, unless BADGATEWAY_REQUIRE_NGINX=1.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

fn nginx_binary() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("nginx")).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path.into_iter().chain([PathBuf::from("/usr/sbin/nginx")]).find(|p| p.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running nginx in its own directory; stopped (via its pid file) when dropped, so
/// also when an assertion fails.
struct Nginx {
    dir: PathBuf,
    port: u16,
    dead_port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("nginx.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.dir.join("nginx.pid").exists() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn start_broken_nginx(nginx: &Path, tag: &str) -> Nginx {
    let dir = std::env::temp_dir().join(format!("badgateway-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (port, dead_port) = (free_port(), free_port());
    let d = dir.display();
    let conf = format!(
        "worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\n\nevents {{\n    worker_connections 64;\n}}\n\n\
         http {{\n    access_log {d}/access.log;\n    client_body_temp_path {d}/client_body;\n    proxy_temp_path {d}/proxy;\n    \
         fastcgi_temp_path {d}/fastcgi;\n    uwsgi_temp_path {d}/uwsgi;\n    scgi_temp_path {d}/scgi;\n\n    server {{\n        \
         listen 127.0.0.1:{port};\n        location / {{\n            proxy_pass http://127.0.0.1:{dead_port};\n        }}\n    }}\n}}\n"
    );
    std::fs::write(dir.join("nginx.conf"), conf).unwrap();
    let guard = Nginx { dir: dir.clone(), port, dead_port };
    let status =
        Command::new(nginx).arg("-p").arg(&dir).arg("-c").arg(dir.join("nginx.conf")).status().unwrap();
    assert!(status.success(), "nginx did not start");
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nginx does not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    guard
}

/// One raw HTTP/1.0 request; returns the status line.
fn request(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    let _ = s.read_to_string(&mut response);
    response.lines().next().unwrap_or("").to_string()
}

fn badgateway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_badgateway")).args(args).output().unwrap()
}

fn require_nginx() -> Option<PathBuf> {
    let found = nginx_binary();
    if found.is_none() {
        if std::env::var("BADGATEWAY_REQUIRE_NGINX").as_deref() == Ok("1") {
            panic!("nginx is not installed and BADGATEWAY_REQUIRE_NGINX=1");
        }
        eprintln!("skipped: nginx is not installed (set BADGATEWAY_REQUIRE_NGINX=1 to fail instead)");
    }
    found
}

fn bg2_codes(doc: &Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .filter(|c| c.starts_with("BG2"))
        .collect()
}

#[test]
fn collect_diagnoses_a_real_broken_nginx() {
    let Some(nginx) = require_nginx() else { return };
    let server = start_broken_nginx(&nginx, "collect");
    assert!(request(server.port).contains(" 502 "), "nginx should answer 502");
    let conf = server.dir.join("nginx.conf").display().to_string();

    let out = badgateway(&["diagnose", "--collect", "--nginx-conf", &conf, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes = bg2_codes(&doc);
    assert!(!codes.is_empty(), "a BG2xx finding: {doc:#}");
    let first = &doc["findings"][0];
    assert!(first["code"].as_str().unwrap().starts_with("BG2"), "ranked first: {first:#}");
    // The evidence quotes the config file, the listener table and the error log.
    let evidence = first["evidence"].as_array().unwrap();
    assert!(evidence.iter().any(|e| e["input"] == "config" && e["file"] == conf.as_str()), "{first:#}");
    assert!(
        evidence
            .iter()
            .any(|e| e["input"] == "log" && e["text"].as_str().unwrap().contains("connect() failed")),
        "{first:#}"
    );
    assert!(first["evidence"].to_string().contains(&server.dead_port.to_string()));
    let inputs: Vec<&str> =
        doc["inputs"].as_array().unwrap().iter().map(|i| i["input"].as_str().unwrap()).collect();
    assert_eq!(inputs, ["config", "listeners", "log"]);

    // `inspect --collect`: what was understood of the live host.
    let out = badgateway(&["inspect", "--collect", "--nginx-conf", &conf, "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let understood: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(understood["targets"][0]["port"], server.dead_port);
    assert!(understood["listeners"].as_array().unwrap().iter().any(|l| l["port"] == server.port));
    assert!(understood["events"].as_array().unwrap().iter().any(|e| e["errno"] == 111), "{understood:#}");

    // `collect --out FILE` then `diagnose --evidence FILE`: the same diagnosis, offline.
    let file = server.dir.join("evidence.txt");
    let out = badgateway(&["collect", "--nginx-conf", &conf, "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("# badgateway evidence v1 ("), "{text}");
    assert!(text.contains(&format!("# badgateway: config {}", nginx.display())), "{text}");
    assert!(text.contains("# badgateway: listeners ss -tlnpx\n"));
    // The host's addresses and DNS servers go with the listeners, each behind its command.
    assert!(text.contains("# badgateway: listeners ip -br addr\n$ ip -br addr\n"), "{text}");
    assert!(
        text.contains("# badgateway: listeners cat /etc/resolv.conf\n$ cat /etc/resolv.conf\n"),
        "{text}"
    );
    assert!(text.contains(&format!("# badgateway: log {}/error.log\n", server.dir.display())));
    assert!(text.contains(&format!("# configuration file {conf}:")));
    let out = badgateway(&["diagnose", "--evidence", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let offline: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bg2_codes(&offline), codes);

    // `--out DIR`: three files for the page's three boxes.
    let dir = server.dir.join("evidence");
    std::fs::create_dir(&dir).unwrap();
    let out = badgateway(&["collect", "--nginx-conf", &conf, "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    for f in ["config.txt", "listeners.txt", "error.log"] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let c = dir.join("config.txt").display().to_string();
    let l = dir.join("listeners.txt").display().to_string();
    let g = dir.join("error.log").display().to_string();
    let out = badgateway(&["diagnose", "--format", "json", "--config", &c, "--listeners", &l, "--log", &g]);
    let from_three: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(bg2_codes(&from_three), codes);
}

/// Without root: nginx -T cannot open the logs, so the config files are read directly;
/// the tool says what it could not read and still diagnoses.
#[test]
fn collect_without_root_says_what_it_could_not_read() {
    let Some(nginx) = require_nginx() else { return };
    let is_root = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"));
    let setpriv = Path::new("/usr/bin/setpriv");
    if !is_root || !setpriv.exists() {
        eprintln!("skipped: needs root and setpriv to run the tool as nobody");
        return;
    }
    let server = start_broken_nginx(&nginx, "noroot");
    request(server.port);
    // The temp dir and the config are readable by others; the error log nginx wrote is not.
    let log = server.dir.join("error.log");
    std::fs::set_permissions(&log, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let conf = server.dir.join("nginx.conf").display().to_string();
    let out = Command::new(setpriv)
        .args(["--reuid=nobody", "--regid=nogroup", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_badgateway"))
        .args(["diagnose", "--collect", "--nginx-conf", &conf, "--format", "json"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("without root"), "{err}");
    assert!(err.contains(&format!("error log {}: permission denied", log.display())), "{err}");
    assert!(err.lines().all(|l| l.starts_with("badgateway: ")), "{err}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!bg2_codes(&doc).is_empty(), "config + listeners still show it: {doc:#}");
    assert!(!doc["missing"].as_array().unwrap().is_empty());
    // Nothing was written: the tool changes nothing.
    let mut names: Vec<String> = std::fs::read_dir(&server.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.iter().all(|n| !n.contains("badgateway")), "{names:?}");
}

/// `nginx -T` refuses a broken config: the tool reads the files itself (following
/// `include`), hands nginx's own error to the rules, and the BG1xx finding comes out.
#[test]
fn collect_reads_the_files_when_nginx_t_fails() {
    let Some(_nginx) = require_nginx() else { return };
    let dir = std::env::temp_dir().join(format!("badgateway-cli-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("conf.d")).unwrap();
    let d = dir.display();
    let port = free_port();
    std::fs::write(
        dir.join("nginx.conf"),
        format!(
            "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n    access_log off;\n    include conf.d/*.conf;\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("conf.d/site.conf"),
        format!(
            "server {{\n    listen 127.0.0.1:{port};\n    location / {{\n        proxy_pass http://127.0.0.1:9\n    }}\n}}\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.join("conf.d/ignored.conf.bak"), "this is not read\n").unwrap();
    let conf = dir.join("nginx.conf").display().to_string();
    let out = badgateway(&["diagnose", "--collect", "--nginx-conf", &conf, "--format", "json"]);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("failed") && err.contains("read the config files instead"), "{err}");
    let first = &doc["findings"][0];
    assert_eq!(first["code"], "BG101", "{doc:#}");
    let site = format!("{d}/conf.d/site.conf");
    assert!(first["evidence"].as_array().unwrap().iter().any(|e| e["file"] == site.as_str()), "{first:#}");
    assert!(first["evidence"][0]["line"] == 4 || first["evidence"][0]["line"] == 5, "{first:#}");
    let read_as = doc["inputs"][0]["read_as"].as_str().unwrap();
    assert!(read_as.contains("2 files"), "{read_as}");
    let sources: Vec<&str> =
        doc["sources"].as_array().unwrap().iter().map(|s| s["source"].as_str().unwrap()).collect();
    assert!(sources.contains(&"nginx -T"), "nginx's error is a log section: {sources:?}");
}
