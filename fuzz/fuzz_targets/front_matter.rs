//! Front matter splitting and parsing of an article and an edition note, from
//! arbitrary bytes read the way the build reads them (invalid UTF-8 is turned
//! away before parsing, as `fs::read_to_string` does).
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::content::article::{parse_article, parse_note};
use masthead::content::discover::{SourceFile, SourceKind};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = |name: &str, kind| SourceFile {
        kind,
        path: format!("content/2023-09-05/{name}").into(),
        site_rel: format!("content/2023-09-05/{name}"),
        content_rel: format!("2023-09-05/{name}"),
    };
    match parse_article(&file("a.md", SourceKind::Article), text) {
        Ok(article) => {
            assert!(!article.slug.is_empty());
            assert!(article.slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
        }
        Err(problems) => assert!(!problems.is_empty()),
    }
    let _ = parse_note(&file("_edition.md", SourceKind::EditionNote), text);
});
