//! Speed of every stage of a diagnosis on generated realistic inputs (see `inputs/mod.rs`):
//! config parse + model, log parse, listener-table parse, and the whole diagnosis (parse,
//! model, evidence, rules, located views, JSON out) at 1k / 10k / 100k config lines and
//! 1k / 100k / 1M log lines. Each size reports bytes/s and items (lines)/s, so the per-line
//! cost can be compared across sizes: equal per-line cost means linear growth.
//!
//! `cargo bench -p badgateway-core --bench diagnose`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod inputs;
mod paste_forms;

use std::sync::OnceLock;

use badgateway_core::{Inputs, analyze};
use divan::counter::{BytesCount, ItemsCount};
use divan::{Bencher, black_box};

fn main() {
    divan::main();
}

const ROOT: &str = "/srv/bench";

/// The per-box input limit of `analyze` (64 MiB, `limits::MAX_INPUT_BYTES`).
const BOX_LIMIT: usize = 64 * 1024 * 1024;

/// Generated once per size and kept for every bench that reads it.
struct Set {
    dump: String,
    listeners: String,
    log: String,
}

/// Generated sets by `(config lines, log lines)`.
type Sets = std::sync::Mutex<Vec<((usize, usize), &'static Set)>>;

fn set(config_lines: usize, log_lines: usize) -> &'static Set {
    static SETS: OnceLock<Sets> = OnceLock::new();
    let sets = SETS.get_or_init(Default::default);
    let mut sets = sets.lock().unwrap();
    if let Some((_, s)) = sets.iter().find(|(k, _)| *k == (config_lines, log_lines)) {
        return s;
    }
    let config = inputs::config(config_lines, ROOT);
    let s: &'static Set = Box::leak(Box::new(Set {
        dump: config.dump(),
        listeners: config.listeners(),
        log: config.log(log_lines),
    }));
    sets.push(((config_lines, log_lines), s));
    s
}

fn lines(text: &str) -> usize {
    inputs::line_count(text)
}

/// `nginx -T` dump: lossless parse, includes, model (servers, upstreams, targets). The 200k
/// row checks the growth past 100k.
#[divan::bench(args = [1_000, 10_000, 100_000, 200_000], sample_count = 10)]
fn config_parse(bencher: Bencher, config_lines: usize) {
    let s = set(config_lines, 0);
    let model_targets = badgateway_core::config::parse(s.dump.as_bytes()).model().targets.len();
    assert!(model_targets > config_lines / 50, "{model_targets} targets");
    bencher
        .counter(BytesCount::new(s.dump.len()))
        .counter(ItemsCount::new(lines(&s.dump)))
        .bench(|| badgateway_core::config::parse(black_box(s.dump.as_bytes())).model().targets.len());
}

/// Error log: every line classified, events grouped per target.
#[divan::bench(args = [1_000, 100_000, 1_000_000], sample_count = 5, sample_size = 1)]
fn log_parse(bencher: Bencher, log_lines: usize) {
    let s = set(1_000, log_lines);
    let report = badgateway_core::log::parse(s.log.as_bytes());
    assert_eq!(report.lines, log_lines);
    assert!(report.event_count() > log_lines / 2, "{} events", report.event_count());
    bencher
        .counter(BytesCount::new(s.log.len()))
        .counter(ItemsCount::new(log_lines))
        .bench(|| badgateway_core::log::parse(black_box(s.log.as_bytes())));
}

/// The 100k-line log of `log_parse` (about 32 MB) re-pasted in each form of
/// `tests/paste_forms.rs` (`paste_forms.rs` here); "0 plain" is the clean log, for the
/// ratio. Issue 18: no form more than 2x slower than the clean log.
#[divan::bench(args = paste_forms::FORMS, sample_count = 5, sample_size = 1)]
fn log_parse_pasted(bencher: Bencher, form: &str) {
    let s = set(1_000, 100_000);
    let pasted = paste_forms::paste(form, &s.log);
    let clean_events = badgateway_core::log::parse(s.log.as_bytes()).event_count();
    let events = badgateway_core::log::parse(pasted.as_bytes()).event_count();
    assert!(events * 2 > clean_events, "{form}: {events} events, {clean_events} in the clean log");
    bencher
        .counter(BytesCount::new(pasted.len()))
        .counter(ItemsCount::new(100_000usize))
        .bench(|| badgateway_core::log::parse(black_box(pasted.as_bytes())));
}

/// `ss -tlnp` + `ss -xlp` table for the config's backends (about 0.8 rows per site).
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10)]
fn listeners_parse(bencher: Bencher, config_lines: usize) {
    let s = set(config_lines, 0);
    let report = badgateway_core::listeners::parse(s.listeners.as_bytes());
    assert!(report.listeners.len() > config_lines / 100);
    bencher
        .counter(BytesCount::new(s.listeners.len()))
        .counter(ItemsCount::new(lines(&s.listeners)))
        .bench(|| badgateway_core::listeners::parse(black_box(s.listeners.as_bytes())));
}

/// What `badgateway diagnose --format json` does after reading its files.
fn diagnose_to_json(s: &Set) -> usize {
    let analysis = analyze(Inputs {
        config: Some(s.dump.as_bytes()),
        listeners: Some(s.listeners.as_bytes()),
        log: Some(s.log.as_bytes()),
    });
    let views = analysis.views();
    let summaries = analysis.summaries();
    let json = serde_json::to_vec(&(views, summaries)).unwrap();
    json.len()
}

/// The whole diagnosis with config and log growing together (N config lines + N log lines).
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 5, sample_size = 1)]
fn whole_diagnosis(bencher: Bencher, lines_each: usize) {
    let s = set(lines_each, lines_each);
    let bytes = s.dump.len() + s.listeners.len() + s.log.len();
    assert!(diagnose_to_json(s) > 100);
    bencher
        .counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(lines(&s.dump) + lines(&s.listeners) + lines(&s.log)))
        .bench(|| diagnose_to_json(black_box(s)));
}

/// The whole diagnosis with a fixed 100k-line dump and a log of 1k / 100k / 1M lines. The
/// 1M-line log (about 320 MB) is beyond the 64 MiB per-box limit, so only its first 64 MiB
/// (about 210k lines) are analysed: that row shows the limit holding, not linear growth.
#[divan::bench(args = [1_000, 100_000, 1_000_000], sample_count = 3, sample_size = 1)]
fn whole_diagnosis_100k_dump_by_log_lines(bencher: Bencher, log_lines: usize) {
    let s = set(100_000, log_lines);
    let bytes = s.dump.len() + s.listeners.len() + s.log.len().min(BOX_LIMIT);
    bencher.counter(BytesCount::new(bytes)).bench(|| diagnose_to_json(black_box(s)));
}

/// Rules must index targets x listeners x events, not loop over all three: the config and
/// log stay at 10k lines while the listener table grows 1x / 10x / 100x (extra rows on
/// ports nothing targets). A flat time means no rule walks every listener per target/event.
#[divan::bench(args = [1, 10, 100], sample_count = 5, sample_size = 1)]
fn whole_diagnosis_by_listener_rows(bencher: Bencher, factor: usize) {
    let s = set(10_000, 10_000);
    let mut table = s.listeners.clone();
    let base = table.lines().count();
    for i in 0..base * factor.saturating_sub(1) {
        table.push_str(&format!(
            "LISTEN 0      128        127.0.{}.{}:{}      0.0.0.0:*    users:((\"svc\",pid={},fd=3))\n",
            10 + i / 60000 % 200,
            1 + i % 250,
            1024 + i % 60000,
            100_000 + i
        ));
    }
    let inputs = Inputs {
        config: Some(s.dump.as_bytes()),
        listeners: Some(table.as_bytes()),
        log: Some(s.log.as_bytes()),
    };
    bencher.counter(ItemsCount::new(table.lines().count())).bench(|| {
        let a = analyze(black_box(inputs));
        a.findings.len()
    });
}

/// Rules over many events of one kind for few targets and many events for many targets:
/// the config stays at 10k lines; the log grows 10k / 100k lines. Compare per-line cost with
/// `log_parse` to see what the evidence and rules add per event.
#[divan::bench(args = [10_000, 100_000], sample_count = 5, sample_size = 1)]
fn whole_diagnosis_10k_config_by_log_lines(bencher: Bencher, log_lines: usize) {
    let s = set(10_000, log_lines);
    bencher
        .counter(ItemsCount::new(log_lines))
        .counter(BytesCount::new(s.log.len()))
        .bench(|| diagnose_to_json(black_box(s)));
}
