//! Parses one error-log file N times with `log::parse` and prints the fastest pass: a target for
//! `perf record` and `valgrind --tool=callgrind` on the reader alone (the benches run every form
//! and size; this runs one file).
//!
//! `cargo run --release -p badgateway-core --example parse_log -- FILE [TIMES [FORM]]`
//!
//! FORM: one of the benches' paste forms (`"1 message only"`, …; `list` prints them): FILE is
//! re-pasted in that form first, so `callgrind` can count each form's instructions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout, clippy::indexing_slicing)]

#[path = "../benches/paste_forms.rs"]
mod paste_forms;

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: parse_log FILE [TIMES]");
        std::process::exit(2);
    };
    let times: usize = args.get(2).map_or(1, |t| t.parse().expect("TIMES"));
    let mut text = std::fs::read(path).expect("readable FILE");
    match args.get(3).map(String::as_str) {
        Some("list") => {
            paste_forms::FORMS.iter().for_each(|f| println!("{f}"));
            return;
        }
        Some(form) => {
            text = paste_forms::paste(form, std::str::from_utf8(&text).expect("UTF-8 FILE")).into_bytes()
        }
        None => {}
    }
    let mut fastest = f64::INFINITY;
    let mut events = 0;
    for _ in 0..times {
        let start = Instant::now();
        let report = badgateway_core::log::parse(std::hint::black_box(&text));
        fastest = fastest.min(start.elapsed().as_secs_f64());
        events = report.event_count();
    }
    let mb = text.len() as f64 / 1e6;
    println!("{mb:.1} MB, {events} events, fastest {:.1} ms = {:.0} MB/s", fastest * 1e3, mb / fastest);
}
