//! `site.yaml` parsing and validation: any text gives a config or errors, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::config::SiteConfig;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(problems) = SiteConfig::parse(text) {
        assert!(!problems.is_empty());
    }
});
