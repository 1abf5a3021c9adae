//! Collecting the evidence on a live host: `nginx -T`, `ss -tlnpx` (or netstat), the host's
//! addresses (`ip -br addr`, else `hostname -I`) and /etc/resolv.conf, and the tail of every
//! error log the config names. Read-only: it runs those commands and reads files, nothing
//! else; without root it takes what it can read and says what it could not. It never reads
//! a file the config names except error logs and, when `nginx -T` fails, the config files
//! themselves (so never `ssl_certificate_key`).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::Command;

use badgateway_core::InputKind;
use clap::Args;

use crate::evidence_file::Evidence;
use crate::inputs::io_reason;
use badgateway_text::glob_match;

#[derive(Args, Clone, Debug)]
pub struct LiveHost {
    /// The nginx config to dump (`nginx -T -c PATH`). Default: the running master's `-c`, else nginx's built-in path
    #[arg(long, value_name = "PATH")]
    pub nginx_conf: Option<PathBuf>,
    /// The nginx binary. Default: the running master's, else `nginx` on PATH, /usr/sbin/nginx, ...
    #[arg(long, value_name = "PATH")]
    pub nginx_bin: Option<PathBuf>,
    /// Lines read from the end of each error log [default: 2000]
    #[arg(long, value_name = "N")]
    pub log_lines: Option<usize>,
}

impl LiveHost {
    /// The first option given, to refuse it without `--collect`.
    pub fn given(&self) -> Option<&'static str> {
        if self.nginx_conf.is_some() {
            Some("--nginx-conf")
        } else if self.nginx_bin.is_some() {
            Some("--nginx-bin")
        } else if self.log_lines.is_some() {
            Some("--log-lines")
        } else {
            None
        }
    }
}

pub const DEFAULT_LOG_LINES: usize = 2000;
/// Files larger than this are not read whole when looking for the last lines.
const TAIL_MAX_BYTES: u64 = 32 * 1024 * 1024;
/// Config files read when `nginx -T` cannot run (include loops, huge globs).
const MAX_CONFIG_FILES: usize = 1000;

/// A running nginx master, from its command line (`nginx: master process nginx -p D -c F`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Master {
    pid: u32,
    binary: Option<PathBuf>,
    conf: Option<PathBuf>,
    prefix: Option<PathBuf>,
}

/// What `nginx -V` says about the build.
#[derive(Default)]
struct Build {
    prefix: Option<PathBuf>,
    conf_path: Option<PathBuf>,
    error_log_path: Option<PathBuf>,
}

pub fn collect(opts: &LiveHost) -> Evidence {
    let mut ev = Evidence::default();
    let masters = running_masters();
    let master = choose_master(&masters, opts.nginx_conf.as_deref(), &mut ev.missing);
    let binary = opts
        .nginx_bin
        .clone()
        .or_else(|| master.and_then(|m| m.binary.clone()).filter(|b| b.is_absolute() && b.exists()))
        .or_else(find_nginx);
    let conf = opts.nginx_conf.clone().or_else(|| master.and_then(|m| m.conf.clone()));
    let prefix = master.and_then(|m| m.prefix.clone());
    let build = binary.as_deref().map(nginx_build).unwrap_or_default();

    // The config: `nginx -T`, or the files themselves when it cannot run.
    let mut dumped = false;
    let mut nginx_t_errors: Option<Vec<u8>> = None;
    match &binary {
        None => ev.missing.push(
            "nginx -T: no nginx binary found (looked for the running master's, on PATH and in /usr/sbin, /usr/local/sbin, /usr/local/nginx/sbin); give --nginx-bin".into(),
        ),
        Some(bin) => {
            let mut cmd = Command::new(bin);
            cmd.arg("-T");
            let mut shown = format!("{} -T", bin.display());
            if let Some(p) = &prefix {
                cmd.arg("-p").arg(p);
                shown.push_str(&format!(" -p {}", p.display()));
            }
            if let Some(c) = &conf {
                cmd.arg("-c").arg(c);
                shown.push_str(&format!(" -c {}", c.display()));
            }
            match cmd.output() {
                Err(e) => ev.missing.push(format!("{shown}: cannot run: {}", io_reason(&e))),
                Ok(out) if out.status.success() && !out.stdout.is_empty() => {
                    // As `nginx -T 2>&1` prints it: the test verdict, then the dump.
                    let mut text = out.stderr;
                    text.extend_from_slice(&out.stdout);
                    ev.push(InputKind::Config, shown, text);
                    dumped = true;
                }
                Ok(out) => {
                    let why = String::from_utf8_lossy(&out.stderr);
                    let first = why.lines().find(|l| l.contains("[emerg]") || l.contains("[alert]"));
                    let first = first.or_else(|| why.lines().next()).unwrap_or("no output").trim();
                    let first = without_log_prefix(first);
                    if !is_root() && why.contains("Permission denied") {
                        ev.missing.push(format!(
                            "{shown} failed without root ({first}); read the config files instead"
                        ));
                    } else {
                        ev.missing.push(format!("{shown} failed ({first}); read the config files instead"));
                        nginx_t_errors = Some(out.stderr);
                    }
                }
            }
        }
    }
    if !dumped {
        let main = conf
            .clone()
            .or_else(|| build.conf_path.clone())
            .unwrap_or_else(|| PathBuf::from("/etc/nginx/nginx.conf"));
        let main = match (&prefix, main.is_relative()) {
            (Some(p), true) => p.join(main),
            _ => main,
        };
        if let Some(text) = read_config_files(&main, &mut ev.missing) {
            ev.push(
                InputKind::Config,
                format!("config files from {} (as nginx -T would print them)", main.display()),
                text,
            );
        }
    }

    collect_listeners(&mut ev);
    collect_host_addresses(&mut ev);

    // nginx -t's own complaint is a log line the rules read (BG1xx).
    if let Some(errors) = nginx_t_errors {
        ev.push(InputKind::Log, "nginx -T", errors);
    }
    let config_text: Option<Vec<u8>> =
        ev.sections.iter().find(|s| s.input == InputKind::Config).map(|s| s.text.clone());
    let logs = error_log_paths(config_text.as_deref(), prefix.as_deref().or(build.prefix.as_deref()), &build);
    for path in logs {
        match tail(&path, opts.log_lines.unwrap_or(DEFAULT_LOG_LINES)) {
            Ok(text) => ev.push(InputKind::Log, path.display().to_string(), text),
            Err(e) => ev.missing.push(format!("error log {}: {}", path.display(), io_reason(&e))),
        }
    }
    ev
}

/// `2026/11/21 12:07:02 [emerg] 8756#8756: open() failed` -> `[emerg] open() failed`.
fn without_log_prefix(line: &str) -> String {
    for level in ["[emerg] ", "[alert] ", "[crit] ", "[error] "] {
        if let Some((_, rest)) = line.split_once(level) {
            let rest = match rest.split_once(": ") {
                Some((pid, msg)) if pid.contains('#') => msg,
                _ => rest,
            };
            return format!("{}{rest}", level);
        }
    }
    line.to_string()
}

/// `ss -tlnpx`, else `netstat -tlnpx`.
fn collect_listeners(ev: &mut Evidence) {
    let mut failures = Vec::new();
    for (program, args) in [("ss", ["-tlnpx"]), ("netstat", ["-tlnpx"])] {
        let shown = format!("{program} {}", args.join(" "));
        match Command::new(program).args(args).output() {
            Ok(out) if out.status.success() && !out.stdout.is_empty() => {
                if !is_root() {
                    ev.missing.push(format!(
                        "{shown} without root shows no process for other users' sockets (run with sudo to see them)"
                    ));
                }
                ev.push(InputKind::Listeners, shown, out.stdout);
                return;
            }
            Ok(out) => failures.push(format!(
                "{shown} failed: {}",
                String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("no output").trim()
            )),
            Err(e) => failures.push(format!("{shown}: {}", io_reason(&e))),
        }
    }
    ev.missing.push(format!("listeners: {}", failures.join("; ")));
}

/// The host's own addresses and DNS servers, behind a prompt line each so the listeners
/// reader knows what follows: they decide which targets the listener table speaks for (not
/// another machine's), and which `resolver` a fix can name.
fn collect_host_addresses(ev: &mut Evidence) {
    let mut failures = Vec::new();
    let mut listed = false;
    for (program, args) in [("ip", &["-br", "addr"][..]), ("hostname", &["-I"][..])] {
        let shown = format!("{program} {}", args.join(" "));
        match Command::new(program).args(args).output() {
            Ok(out) if out.status.success() && !out.stdout.is_empty() => {
                let mut text = format!("$ {shown}\n").into_bytes();
                text.extend_from_slice(&out.stdout);
                ev.push(InputKind::Listeners, shown, text);
                listed = true;
                break;
            }
            Ok(_) => failures.push(format!("{shown} failed")),
            Err(e) => failures.push(format!("{shown}: {}", io_reason(&e))),
        }
    }
    if !listed {
        ev.missing.push(format!("host addresses: {}", failures.join("; ")));
    }
    match std::fs::read("/etc/resolv.conf") {
        Ok(bytes) => {
            let mut text = b"$ cat /etc/resolv.conf\n".to_vec();
            text.extend_from_slice(&bytes);
            ev.push(InputKind::Listeners, "cat /etc/resolv.conf", text);
        }
        Err(e) => ev.missing.push(format!("/etc/resolv.conf: {}", io_reason(&e))),
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status").ok().is_some_and(|s| {
        s.lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .is_some_and(|euid| euid == "0")
    })
}

fn find_nginx() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("nginx")).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain(["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"].map(PathBuf::from))
        .find(|p| p.is_file())
}

/// Every running nginx master, by pid.
fn running_masters() -> Vec<Master> {
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut out: Vec<Master> = dir
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let pid: u32 = e.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            parse_master(pid, &String::from_utf8_lossy(&cmdline))
        })
        .collect();
    out.sort_by_key(|m| m.pid);
    out
}

/// `nginx: master process /usr/sbin/nginx -p /srv/x -c /srv/x/nginx.conf` (the master
/// rewrites its argv to this; NULs may separate or pad it).
fn parse_master(pid: u32, cmdline: &str) -> Option<Master> {
    let rest = cmdline.split_once("nginx: master process ")?.1;
    let mut words = rest.split(|c: char| c.is_whitespace() || c == '\0').filter(|w| !w.is_empty());
    let mut m = Master { pid, binary: words.next().map(PathBuf::from), ..Master::default() };
    while let Some(w) = words.next() {
        let mut value = |flag: &str| -> Option<PathBuf> {
            let v = w.strip_prefix(flag)?;
            if v.is_empty() { words.next().map(PathBuf::from) } else { Some(PathBuf::from(v)) }
        };
        if let Some(c) = value("-c") {
            m.conf = Some(c);
        } else if let Some(p) = value("-p") {
            m.prefix = Some(p);
        }
    }
    if let (Some(p), Some(c)) = (&m.prefix, &m.conf)
        && c.is_relative()
    {
        m.conf = Some(p.join(c));
    }
    Some(m)
}

/// The master whose config is `conf` (or the only/first one when none is asked for).
fn choose_master<'a>(
    masters: &'a [Master],
    conf: Option<&Path>,
    notes: &mut Vec<String>,
) -> Option<&'a Master> {
    match conf {
        Some(conf) => {
            let want = std::fs::canonicalize(conf).unwrap_or_else(|_| conf.to_path_buf());
            masters.iter().find(|m| {
                m.conf
                    .as_ref()
                    .is_some_and(|c| std::fs::canonicalize(c).unwrap_or_else(|_| c.clone()) == want)
            })
        }
        None => {
            let first = masters.first();
            if let (Some(m), true) = (first, masters.len() > 1) {
                notes.push(format!(
                    "{} nginx masters run; used pid {}'s config (give --nginx-conf to choose another)",
                    masters.len(),
                    m.pid
                ));
            }
            first
        }
    }
}

/// `nginx -V`: prefix, default config path and default error log of the build.
fn nginx_build(binary: &Path) -> Build {
    let Ok(out) = Command::new(binary).arg("-V").output() else { return Build::default() };
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    let option = |name: &str| {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .map(|v| PathBuf::from(v.trim_matches('\'')))
    };
    Build {
        prefix: option("--prefix="),
        conf_path: option("--conf-path="),
        error_log_path: option("--error-log-path="),
    }
}

/// Error logs the config names (files only: not stderr, syslog or memory), resolved
/// against the prefix; nginx's built-in one when the config names none.
fn error_log_paths(config: Option<&[u8]>, prefix: Option<&Path>, build: &Build) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    let named: Vec<String> = config
        .map(|c| {
            badgateway_core::config::parse(c).model().error_logs.iter().map(|l| l.path.clone()).collect()
        })
        .unwrap_or_default();
    let keys = config.map(key_files).unwrap_or_default();
    for p in &named {
        if p == "stderr" || p.starts_with("syslog:") || p.starts_with("memory:") || p == "/dev/null" {
            continue;
        }
        if keys.contains(p) {
            continue;
        }
        let path = PathBuf::from(p);
        let path = match (path.is_relative(), prefix) {
            (true, Some(prefix)) => prefix.join(path),
            _ => path,
        };
        if !paths.contains(&path) {
            paths.push(path);
        }
    }
    if named.is_empty()
        && let Some(default) = &build.error_log_path
    {
        let path = match (default.is_relative(), prefix) {
            (true, Some(prefix)) => prefix.join(default),
            _ => default.clone(),
        };
        paths.push(path);
    }
    paths
}

/// The last `lines` lines of a file, reading at most [`TAIL_MAX_BYTES`] from its end.
pub fn tail(path: &Path, lines: usize) -> std::io::Result<Vec<u8>> {
    const CHUNK: u64 = 64 * 1024;
    let mut f = File::open(path)?;
    let len = f.metadata()?.len();
    let mut start = len;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut newlines = 0usize;
    while start > 0 && newlines <= lines && len - start < TAIL_MAX_BYTES {
        let from = start.saturating_sub(CHUNK);
        f.seek(SeekFrom::Start(from))?;
        let mut chunk = vec![0; usize::try_from(start - from).unwrap_or(0)];
        f.read_exact(&mut chunk)?;
        newlines += chunk.iter().filter(|&&b| b == b'\n').count();
        chunks.push(chunk);
        start = from;
    }
    let mut text: Vec<u8> = chunks.into_iter().rev().flatten().collect();
    if start > 0 {
        // Drop the partial first line.
        let cut = text.iter().position(|&b| b == b'\n').map_or(text.len(), |i| i + 1);
        text.drain(..cut);
    }
    // Keep the last `lines` lines (a final line without LF counts as one).
    let body_end = if text.last() == Some(&b'\n') { text.len().saturating_sub(1) } else { text.len() };
    let mut seen = 0usize;
    let mut keep_from = 0usize;
    for (i, b) in text.iter().enumerate().take(body_end).rev() {
        if *b == b'\n' {
            seen += 1;
            if seen == lines {
                keep_from = i + 1;
                break;
            }
        }
    }
    if lines == 0 {
        keep_from = text.len();
    }
    text.drain(..keep_from);
    Ok(text)
}

/// The config files as `nginx -T` prints them (`# configuration file PATH:` + content),
/// following `include` (with `*`/`?` in the last path component) from `main`.
fn read_config_files(main: &Path, missing: &mut Vec<String>) -> Option<Vec<u8>> {
    let base = main.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |p: &str| if Path::new(p).is_relative() { base.join(p) } else { PathBuf::from(p) };
    let mut queue = vec![main.to_path_buf()];
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut keys: Vec<PathBuf> = Vec::new();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(path) = queue.get(i).cloned() {
        i += 1;
        if seen.contains(&path) || keys.contains(&path) || seen.len() >= MAX_CONFIG_FILES {
            continue;
        }
        seen.push(path.clone());
        let text = match std::fs::read(&path) {
            Ok(t) => t,
            Err(e) => {
                missing.push(format!("config file {}: {}", path.display(), io_reason(&e)));
                continue;
            }
        };
        out.extend_from_slice(format!("# configuration file {}:\n", path.display()).as_bytes());
        out.extend_from_slice(&text);
        out.extend_from_slice(b"\n");
        keys.extend(key_files(&text).iter().map(|k| resolve(k)));
        for pattern in includes(&text) {
            queue.extend(expand(&resolve(&pattern)));
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The first argument of every directive whose name `wanted` accepts (quotes removed).
fn first_args(text: &[u8], wanted: impl Fn(&[u8]) -> bool) -> Vec<String> {
    let config = badgateway_core::config::parse(text);
    let mut out = Vec::new();
    for d in config.directives() {
        if !wanted(config.name(d)) {
            continue;
        }
        if let Some(&token) = config.arg_tokens(d).first() {
            out.push(String::from_utf8_lossy(config.word(token).0).into_owned());
        }
    }
    out
}

fn includes(text: &[u8]) -> Vec<String> {
    first_args(text, |name| name == b"include")
}

/// Secret files the config names (`ssl_certificate_key`, `proxy_ssl_certificate_key`,
/// `ssl_password_file`, ...): never read, even when an `error_log` or `include` names them.
fn key_files(text: &[u8]) -> Vec<String> {
    first_args(text, |name| name.ends_with(b"ssl_certificate_key") || name.ends_with(b"ssl_password_file"))
}

/// A path whose last component may hold `*` or `?`, matched like glob(3), sorted.
fn expand(pattern: &Path) -> Vec<PathBuf> {
    let name = pattern.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if !name.contains(['*', '?']) {
        return vec![pattern.to_path_buf()];
    }
    let dir = pattern.parent().unwrap_or(Path::new("/"));
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            !n.starts_with('.') && glob_match(name.as_bytes(), n.as_bytes())
        })
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

/// `2026-11-21 12:00:00 UTC`, from the system clock (civil date from days, Howard Hinnant).
pub fn now_utc() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_master_command_lines() {
        let m = parse_master(7, "nginx: master process /usr/sbin/nginx -p /srv/x -c nginx.conf\0\0").unwrap();
        assert_eq!(m.binary, Some(PathBuf::from("/usr/sbin/nginx")));
        assert_eq!(m.prefix, Some(PathBuf::from("/srv/x")));
        assert_eq!(m.conf, Some(PathBuf::from("/srv/x/nginx.conf")));
        let m = parse_master(8, "nginx: master process nginx -c/etc/n.conf -g daemon off;").unwrap();
        assert_eq!(m.conf, Some(PathBuf::from("/etc/n.conf")));
        assert!(parse_master(9, "nginx: worker process").is_none());
    }

    #[test]
    fn nginx_messages_lose_their_time_and_pid() {
        assert_eq!(
            without_log_prefix(
                "2026/11/21 12:07:02 [emerg] 8756#8756: open() \"/run/nginx.pid\" failed (13: Permission denied)"
            ),
            "[emerg] open() \"/run/nginx.pid\" failed (13: Permission denied)"
        );
        assert_eq!(
            without_log_prefix("nginx: [emerg] unexpected \"}\" in x:3"),
            "[emerg] unexpected \"}\" in x:3"
        );
    }

    #[test]
    fn wildcards_match_like_glob() {
        assert!(glob_match(b"*.conf", b"default.conf"));
        assert!(!glob_match(b"*.conf", b"default.conf.bak"));
        assert!(glob_match(b"*", b"x"));
        assert!(glob_match(b"a?c*", b"abcdef"));
        assert!(!glob_match(b"a?c", b"ac"));
    }

    #[test]
    fn tail_keeps_the_last_lines() {
        let dir = std::env::temp_dir().join(format!("badgateway-tail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("log");
        let body: String = (1..=100_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&f, &body).unwrap();
        assert_eq!(tail(&f, 2).unwrap(), b"line 99999\nline 100000\n");
        assert_eq!(tail(&f, 200_000).unwrap().len(), body.len());
        std::fs::write(&f, "a\nb\nc").unwrap();
        assert_eq!(tail(&f, 2).unwrap(), b"b\nc");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn error_logs_skip_non_files_and_resolve_relative_paths() {
        let conf = b"error_log logs/error.log;\nerror_log stderr;\nhttp { error_log syslog:server=x; error_log /var/log/a.log; }\n";
        let paths = error_log_paths(Some(conf), Some(Path::new("/srv")), &Build::default());
        assert_eq!(paths, vec![PathBuf::from("/srv/logs/error.log"), PathBuf::from("/var/log/a.log")]);
    }

    #[test]
    fn key_files_are_never_read() {
        let conf = b"error_log /etc/ssl/k.pem;\nhttp { ssl_certificate_key \"/etc/ssl/k.pem\"; proxy_ssl_certificate_key /x.key; }\n";
        assert_eq!(key_files(conf), ["/etc/ssl/k.pem", "/x.key"]);
        assert!(error_log_paths(Some(conf), None, &Build::default()).is_empty());
        let dir = std::env::temp_dir().join(format!("badgateway-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("nginx.conf"),
            "ssl_certificate_key k.pem;\ninclude k.pem;\ninclude a.conf;\n",
        )
        .unwrap();
        std::fs::write(dir.join("k.pem"), "SECRET").unwrap();
        std::fs::write(dir.join("a.conf"), "events {}\n").unwrap();
        let mut missing = Vec::new();
        let dump = read_config_files(&dir.join("nginx.conf"), &mut missing).unwrap();
        let dump = String::from_utf8(dump).unwrap();
        assert!(!dump.contains("SECRET") && dump.contains("a.conf:\nevents {}"), "{dump}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
