//! The hasher of the fingerprints that tell the preview server which pages
//! changed: of whole pages, of article bodies and of article cards. It is
//! fast on long text (a body is kilobytes of HTML, hashed for every article
//! of every build) and seeded the same way every time, so equal inputs give
//! equal fingerprints from one rebuild to the next.

use std::hash::BuildHasher;

/// A new hasher; feed it with `Hash::hash` and read it with `finish`.
pub(crate) fn hasher() -> ahash::AHasher {
    ahash::RandomState::with_seeds(0x6d61_7374_6865_6164, 0x6461_696c_7920, 0x6564_6974_696f_6e73, 0x7061_6765_7321)
        .build_hasher()
}

/// What ties a record of fingerprints to the binary that made it (the
/// build's page manifests, the search index's digests): its version and the
/// executable's length and modification time, so another build of masthead
/// (whose templates engine or fingerprints may differ) starts over. `None`
/// when the executable cannot be found; then nothing is reused.
pub(crate) fn binary_key() -> Option<String> {
    let meta = std::fs::metadata(std::env::current_exe().ok()?).ok()?;
    let since = |t: std::time::SystemTime| t.duration_since(std::time::UNIX_EPOCH).ok();
    let modified = meta.modified().ok().and_then(since).map_or(-1, |d| d.as_nanos() as i128);
    Some(format!("{}-{}-{modified}", env!("CARGO_PKG_VERSION"), meta.len()))
}

#[cfg(test)]
mod tests {
    use std::hash::{Hash, Hasher};

    fn of(text: &str) -> u64 {
        let mut h = super::hasher();
        text.hash(&mut h);
        h.finish()
    }

    #[test]
    fn equal_text_gives_equal_fingerprints_and_a_change_another() {
        let body = "<p>The ferry runs again.</p>".repeat(200);
        assert_eq!(of(&body), of(&body.clone()));
        let mut edited = body.clone();
        edited.replace_range(3000..3001, "T");
        assert_ne!(of(&body), of(&edited));
        assert_ne!(of("ab"), of("ba"));
    }
}
