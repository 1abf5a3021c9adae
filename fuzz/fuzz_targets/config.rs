//! The config parser: never panics, and the tree prints back the input exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let config = badgateway_config::parse(data);
    assert_eq!(config.print(), data, "the tree must print back the input");
    for d in config.diagnostics() {
        let _ = config.locate(d.range.start);
    }
});
