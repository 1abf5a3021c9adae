//! The listener-table readers (ss, netstat, lsof, docker, ...): never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let report = badgateway_core::listeners::parse(data);
    let inside = |r: &badgateway_core::listeners::TextRange| r.start <= r.end && r.end as usize <= data.len();
    let ranges = report
        .unrecognized
        .iter()
        .chain(report.sections.iter().map(|s| &s.range))
        .chain(report.listeners.iter().flat_map(|l| [&l.range, &l.addr_range]))
        .chain(report.containers.iter().map(|c| &c.range))
        .chain(report.containers.iter().flat_map(|c| c.published.iter().map(|p| &p.range)))
        .chain(report.kube_services.iter().map(|s| &s.range))
        .chain(report.kube_endpoints.iter().map(|e| &e.range))
        .chain(report.kube_pods.iter().map(|p| &p.range));
    for r in ranges {
        assert!(inside(r), "range out of the input");
    }
});
