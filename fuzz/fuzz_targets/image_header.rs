//! The photo header check: any bytes, read as a JPEG or a PNG, give a size within the
//! pixel limit or an error, never a panic and never a decode.
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::images::{Format, probe_bytes};

/// A low limit, so the fuzzer easily finds headers on either side of it.
const MAX_PIXELS: u64 = 1_000_000;

fuzz_target!(|data: &[u8]| {
    for format in [Format::Jpeg, Format::Png] {
        if let Ok(probe) = probe_bytes(data, format, MAX_PIXELS) {
            let pixels = u64::from(probe.width) * u64::from(probe.height);
            assert!(pixels > 0 && pixels <= MAX_PIXELS, "{}×{}", probe.width, probe.height);
            assert_eq!(probe.bytes, data.len() as u64);
        }
    }
});
