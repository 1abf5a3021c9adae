//! The paste normaliser: never panics, and every range of its output maps back inside
//! the original bytes, in order.
#![no_main]

use badgateway_core::input::TextRange;
use badgateway_core::paste::{no_join, unpaste};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let u = unpaste(data, no_join);
    let n = u.text().len();
    let mut last = 0;
    for at in (0..=n).step_by((n / 64).max(1)) {
        let start = u.start(at);
        assert!(start <= data.len(), "mapped outside the original");
        assert!(start >= last, "mapping goes backwards");
        last = start;
    }
    let whole = u.range(TextRange::new(0, u32::try_from(n).unwrap_or(u32::MAX)));
    assert!(whole.start <= whole.end && whole.end as usize <= data.len());
});
