//! Markdown rendering with `.md` and file link resolution against a small site.
#![no_main]

use libfuzzer_sys::fuzz_target;
use masthead::content::links::{LinkIndex, PageTarget};
use masthead::content::markdown::render;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = std::str::from_utf8(data) else { return };
    let mut index = LinkIndex::default();
    index.pages.insert("2023-09-05/a.md".into(), PageTarget { url: "/2023/09/05/a/".into(), left_out: None });
    index.pages.insert(
        "2023-09-06/d.md".into(),
        PageTarget { url: "/2023/09/06/d/".into(), left_out: Some("a draft".into()) },
    );
    index.assets.insert("2023-09-05/p.jpg".into(), "/2023/09/05/p.jpg".into());
    let resolve = |dest: &str| index.resolve("2023-09-05", dest);
    let rendered = render(body, 5, data.first().is_some_and(|b| b & 1 == 1), &resolve);
    let lines = body.lines().count().max(1) + 5;
    for problem in &rendered.problems {
        assert!((5..=lines).contains(&problem.line), "line {} outside 5..={lines}", problem.line);
    }
});
