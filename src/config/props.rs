//! Property tests: any `site.yaml` text gives a config or located errors,
//! never a panic, and valid titles and base URLs come back as written.

use proptest::prelude::*;

use super::*;

fn site_yaml_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("title: ".to_string()),
        Just("base_url: https://x.org/".to_string()),
        Just("permalinks:\n  article: ".to_string()),
        Just("/:year/:month/:day/:slug/".to_string()),
        Just("timezone: ".to_string()),
        Just("date_format: %".to_string()),
        Just("images: {widths: [".to_string()),
        Just("extra: &a [*a".to_string()),
        Just("- ".to_string()),
        Just("\n".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..20).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn parse_never_panics_and_errors_have_places(text in site_yaml_like()) {
        if let Err(problems) = SiteConfig::parse(&text) {
            prop_assert!(!problems.is_empty());
            let lines = text.lines().count() + 1;
            for problem in problems {
                prop_assert_eq!(problem.path.as_path(), Path::new(CONFIG_FILE));
                prop_assert!(problem.line.is_none_or(|line| line <= lines), "{}", problem);
            }
        }
    }

    #[test]
    // YAML allows neither the controls nor U+FEFF inside text, nor the noncharacters
    // U+FFFE and U+FFFF (its printable set ends at U+FFFD below the astral planes).
    fn valid_sites_keep_title_and_base_path(
        title in "[^\\x00-\\x1f\\x7f-\\x9f\\u{feff}\\u{fffe}\\u{ffff}]*[a-zA-Z][^\\x00-\\x1f\\x7f-\\x9f\\u{feff}\\u{fffe}\\u{ffff}]*",
        path in prop::collection::vec("[a-z0-9-]{1,8}", 0..4),
    ) {
        let base = format!("https://news.example.com/{}", path.join("/"));
        let text = format!("title: {}\nbase_url: {base}\n", serde_json::to_string(&title).unwrap());
        let config = SiteConfig::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&config.title, &title);
        let root = BaseUrl::parse(&config.base_url).unwrap().root;
        prop_assert!(root.starts_with('/') && root.ends_with('/'));
        prop_assert_eq!(root.trim_matches('/'), path.join("/"));
    }
}
