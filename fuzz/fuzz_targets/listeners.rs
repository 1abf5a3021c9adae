//! The listener-table readers (ss, netstat, lsof, docker, ...): never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = badgateway_core::listeners::parse(data);
    for r in &report.unrecognized {
        assert!(r.start <= r.end && r.end as usize <= data.len(), "range out of the input");
    }
});
