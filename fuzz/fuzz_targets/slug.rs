//! Slugs, aliases and output paths: whatever is written, the result is a
//! path inside the output folder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::content::links::normalize;
use masthead::content::slug::{alias_output, output_file, slugify};
use masthead::fs::safe_join;

fuzz_target!(|text: &str| {
    let slug = slugify(text);
    assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{slug:?}");
    assert!(!slug.starts_with('-') && !slug.ends_with('-'), "{slug:?}");
    if let Ok(rel) = alias_output(text) {
        assert!(rel.split('/').all(|s| !s.is_empty() && s != "." && s != ".."), "{rel:?}");
        // No hidden files (masthead's marker included) and no name a file system refuses.
        assert!(rel.split('/').all(|s| !s.starts_with('.') && s.len() <= 255), "{rel:?}");
        let out = std::path::Path::new("/srv/public");
        let joined = safe_join(out, &rel).expect("an accepted alias is a safe output path");
        assert!(joined.starts_with(out));
    }
    let file = output_file(&format!("/2023/09/05/{slug}/"));
    assert!(file.ends_with("/index.html"));
    if let Some(path) = normalize("2023-09-05", text) {
        assert!(path.split('/').all(|s| s != ".." && s != "."), "{path:?}");
    }
});
