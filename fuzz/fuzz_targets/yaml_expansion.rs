//! The YAML expansion budget, for front matter and `site.yaml`: any text is counted within
//! the budget or refused, never a panic, and whatever the budget refuses the parse refuses
//! too, at a line inside the file. libFuzzer's memory and time limits catch an alias that
//! slips past the count.
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::config::SiteConfig;
use masthead::content::article::parse_article;
use masthead::content::discover::{SourceFile, SourceKind};
use masthead::yaml::{expansion, split};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let lines = text.lines().count() + 1;

    // As site.yaml: the whole text.
    if let Err(e) = expansion::check(text, 0) {
        assert!(e.line.is_some_and(|l| l >= 1 && l <= lines), "{e:?}");
        assert!(SiteConfig::parse(text).is_err(), "refused by the budget, accepted by the parse");
    } else {
        let _ = SiteConfig::parse(text);
    }

    // As an article's front matter.
    let Ok(parts) = split(text) else { return };
    let file = SourceFile {
        kind: SourceKind::Article,
        path: "content/2023-09-05/a.md".into(),
        site_rel: "content/2023-09-05/a.md".into(),
        content_rel: "2023-09-05/a.md".into(),
    };
    let refused = expansion::check(&parts.yaml, parts.yaml_line);
    match parse_article(&file, text) {
        Ok(_) => assert!(refused.is_ok(), "refused by the budget, accepted by the parse"),
        Err(problems) => {
            assert!(!problems.is_empty());
            if let Err(e) = refused {
                assert!(e.line.is_some_and(|l| l > parts.yaml_line && l < parts.body_line), "{e:?}");
            }
        }
    }
});
