//! The preview server's request path resolution: every accepted path names
//! files strictly inside the site, whatever the encoding tricks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::serve::http::resolve;

fuzz_target!(|raw: &str| {
    let Ok(candidates) = resolve(raw) else { return };
    assert!(!candidates.is_empty());
    for path in candidates {
        assert!(!path.starts_with('/'), "{path:?}");
        assert!(!path.contains('\\') && !path.contains('\0'), "{path:?}");
        for segment in path.split('/') {
            assert!(!segment.is_empty() && segment != "." && segment != "..", "{raw:?} -> {path:?}");
            assert!(!segment.contains(':'), "{raw:?} -> {path:?}");
        }
    }
});
