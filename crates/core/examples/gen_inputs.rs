//! Writes the benchmarks' generated inputs to a directory, for `scripts/compare.sh` and the
//! browser benchmark: the config files (which real `nginx -t -p DIR -c DIR/nginx.conf`
//! accepts), `dump.txt` (their `nginx -T` form), `listeners.txt` and `error.log`.
//!
//! `cargo run --release -p badgateway-core --example gen_inputs -- DIR CONFIG_LINES LOG_LINES [plain]`
//!
//! `plain`: issue 18's plain servers (`listen`, `server_name`, three `proxy_pass` locations;
//! no regexes, maps, upstream blocks or per-server log files) instead of the mixed config.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../benches/inputs/mod.rs"]
mod inputs;

use std::path::Path;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let plain = match args.get(4).map(String::as_str) {
        None => false,
        Some("plain") => true,
        Some(other) => {
            eprintln!("unknown shape {other:?}: the only shape is `plain`");
            std::process::exit(2);
        }
    };
    if !(4..=5).contains(&args.len()) {
        eprintln!("usage: gen_inputs DIR CONFIG_LINES LOG_LINES [plain]");
        std::process::exit(2);
    }
    let dir = Path::new(&args[1]);
    let config_lines: usize = args[2].parse().expect("CONFIG_LINES");
    let log_lines: usize = args[3].parse().expect("LOG_LINES");
    std::fs::create_dir_all(dir).unwrap();
    let root = std::fs::canonicalize(dir).unwrap();
    let root = root.to_str().expect("UTF-8 directory name");
    for sub in ["conf.d", "sites-enabled", "snippets", "run", "logs", "tmp"] {
        std::fs::create_dir_all(Path::new(root).join(sub)).unwrap();
    }
    let config =
        if plain { inputs::plain_config(config_lines, root) } else { inputs::config(config_lines, root) };
    for (path, content) in &config.files {
        std::fs::write(path, content).unwrap();
    }
    let dump = config.dump();
    std::fs::write(Path::new(root).join("dump.txt"), &dump).unwrap();
    std::fs::write(Path::new(root).join("listeners.txt"), config.listeners()).unwrap();
    let log = config.log(log_lines);
    std::fs::write(Path::new(root).join("error.log"), &log).unwrap();
    let config_bytes: usize = config.files.iter().map(|(_, c)| c.len()).sum();
    let config_line_count: usize = config.files.iter().map(|(_, c)| inputs::line_count(c)).sum();
    println!(
        "{root}: {} files, {config_line_count} config lines ({config_bytes} bytes); dump {} lines ({} bytes); log {} lines ({} bytes); {} sites",
        config.files.len(),
        inputs::line_count(&dump),
        dump.len(),
        inputs::line_count(&log),
        log.len(),
        config.sites
    );
}
