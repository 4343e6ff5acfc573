//! Property tests: whatever a link says, it resolves inside `content/` or is
//! reported, and folding `.`/`..` agrees with a reference model.

use proptest::prelude::*;

use super::*;

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just("%2e%2e".to_string()),
        Just("".to_string()),
        Just("a.md".to_string()),
        Just("2023-09-05".to_string()),
        "[a-z0-9.%\\\\:]{1,6}",
    ]
}

fn link() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop_oneof![Just("@/"), Just("./"), Just("/"), Just("c:")]),
        prop::collection::vec(segment(), 0..8),
    )
        .prop_map(|(prefix, segments)| format!("{}{}", prefix.unwrap_or(""), segments.join("/")))
}

proptest! {
    #[test]
    fn normalized_paths_never_climb(base in prop::collection::vec("[a-z0-9-]{1,5}", 0..3), path in link()) {
        let base = base.join("/");
        let depth_ok = {
            let mut depth = base.split('/').filter(|s| !s.is_empty()).count() as i64;
            path.split(['/', '\\']).all(|s| {
                match s {
                    "" | "." => {}
                    ".." => depth -= 1,
                    _ => depth += 1,
                }
                depth >= 0
            })
        };
        let normalized = normalize(&base, &path);
        prop_assert_eq!(normalized.is_some(), depth_ok);
        if let Some(n) = normalized {
            prop_assert!(n.split('/').all(|s| s != ".." && s != "." && !s.contains('\\')), "{}", n);
        }
    }

    #[test]
    fn resolve_rewrites_only_to_indexed_urls(dest in prop_oneof![link(), any::<String>()]) {
        let mut index = LinkIndex::default();
        index.pages.insert("2023-09-05/a.md".into(), PageTarget { url: "/2023/09/05/a/".into(), left_out: None });
        index.assets.insert("2023-09-05/p.jpg".into(), "/2023/09/05/p.jpg".into());
        match index.resolve("2023-09-05", &dest) {
            LinkOutcome::Rewrite(url) => prop_assert!(
                url.starts_with("/2023/09/05/a/") || url.starts_with("/2023/09/05/p.jpg"),
                "{} -> {}", dest, url
            ),
            LinkOutcome::Broken(message) => prop_assert!(message.contains("the link `")),
            LinkOutcome::Keep | LinkOutcome::Warn(..) => {}
        }
    }
}
