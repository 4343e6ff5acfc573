//! Property tests: slugs are always safe folder names and stable, and any
//! alias that is accepted lands inside the output folder.

use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::config::permalinks::expand;
use crate::fs::safe_join;
use jiff::civil::Date;

fn hostile_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("..".to_string()),
        Just("/".to_string()),
        Just("\\".to_string()),
        Just("%2e%2e".to_string()),
        Just("c:".to_string()),
        Just("\0".to_string()),
        Just(".".to_string()),
        Just("https://".to_string()),
        "[a-z0-9.-]{1,6}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..10).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn slugs_are_safe_and_stable(text in prop_oneof![hostile_path(), any::<String>()]) {
        let slug = slugify(&text);
        prop_assert!(slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{:?}", slug);
        prop_assert!(!slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"), "{:?}", slug);
        prop_assert_eq!(slugify(&slug), slug.clone());
        if !slug.is_empty() {
            let out = Path::new("/srv/public");
            let file = output_file(&expand("/:year/:month/:day/:slug/", Date::constant(2023, 9, 5), &slug));
            prop_assert!(safe_join(out, &file).is_ok(), "{}", file);
        }
    }

    #[test]
    fn accepted_aliases_stay_inside(alias in hostile_path()) {
        if let Ok(rel) = alias_output(&alias) {
            let out = Path::new("/srv/public");
            let joined = safe_join(out, &rel).map_err(|e| TestCaseError::fail(format!("{alias:?} -> {rel}: {e}")))?;
            prop_assert!(joined.starts_with(out));
            prop_assert!(!rel.contains('%') && !rel.contains(':'));
        }
    }
}
