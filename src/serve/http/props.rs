//! Property tests of request path resolution: an accepted path only ever
//! names files inside the site, and encoding a plain path changes nothing.

use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use proptest::prelude::*;

use super::*;

fn request_path() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("/".to_string()),
        Just("..".to_string()),
        Just(".".to_string()),
        Just("%2e".to_string()),
        Just("%2E%2e".to_string()),
        Just("%2f".to_string()),
        Just("%5c".to_string()),
        Just("%25".to_string()),
        Just("%00".to_string()),
        Just("%ff".to_string()),
        Just("\\".to_string()),
        Just("c:".to_string()),
        Just("%".to_string()),
        "[a-z0-9.-]{1,6}",
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|pieces| format!("/{}", pieces.concat()))
}

proptest! {
    #[test]
    fn accepted_paths_stay_inside(raw in request_path()) {
        if let Ok(candidates) = resolve(&raw) {
            prop_assert!(!candidates.is_empty());
            for path in candidates {
                prop_assert!(!path.starts_with('/') && !path.contains(['\\', '\0']), "{:?} -> {:?}", raw, path);
                prop_assert!(
                    path.split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains(':')),
                    "{:?} -> {:?}", raw, path
                );
            }
        }
    }

    #[test]
    fn encoding_a_plain_path_resolves_the_same(segments in prop::collection::vec("[a-zA-Z0-9_-]{1,8}(\\.[a-z]{1,4})?", 1..5)) {
        let plain = format!("/{}", segments.join("/"));
        let encoded = format!(
            "/{}",
            segments.iter().map(|s| utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()).collect::<Vec<_>>().join("/")
        );
        prop_assert_eq!(resolve(&plain), resolve(&encoded));
        prop_assert!(resolve(&plain).is_ok());
    }
}
