//! Parses one file N times, for profilers: `parse_loop FILE [N]`.
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_loop FILE [N]");
        std::process::exit(2);
    };
    let n: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(20);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let mut targets = 0;
    for _ in 0..n {
        targets += badgateway_config::parse(&data).model().targets.len();
    }
    println!("{targets}");
}
