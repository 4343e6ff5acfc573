//! Property tests: splitting and parsing any text gives a value or an error
//! with a line inside the file, never a panic, and any title survives being
//! written as a quoted YAML value.

use proptest::prelude::*;

use super::tests::Meta;
use super::*;

/// Text made of the pieces front matter is built from, so that splitting
/// and YAML parsing are reached often, mixed with arbitrary characters.
fn front_matter_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("---\n".to_string()),
        Just("---\r\n".to_string()),
        Just("\u{feff}".to_string()),
        Just("title: ".to_string()),
        Just("tags: [".to_string()),
        Just("extra:\n  ".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just(": ".to_string()),
        Just("\"\\ud800\"".to_string()),
        Just("\n".to_string()),
        Just("\0".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn split_never_panics_and_keeps_the_body(text in front_matter_like()) {
        if let Ok(split) = split(&text) {
            prop_assert_eq!(split.yaml_line, 1);
            let normalized = text.strip_prefix('\u{feff}').unwrap_or(&text).replace("\r\n", "\n").replace('\r', "\n");
            prop_assert!(normalized.ends_with(&split.body));
            prop_assert_eq!(split.body_line, split.yaml.matches('\n').count() + 3);
        }
    }

    #[test]
    fn parse_errors_point_inside_the_file(text in front_matter_like()) {
        let lines = text.lines().count() + 2;
        if let Err(err) = parse::<Meta>(&text, 1) {
            prop_assert!(!err.message.is_empty());
            prop_assert!(!err.message.contains(" at line "), "{}", err.message);
            if let Some(line) = err.line {
                prop_assert!((1..=lines).contains(&line), "line {} of {}", line, lines);
            }
        }
    }

    #[test]
    fn any_title_survives_quoting(title in any::<String>()) {
        // A JSON string is a YAML 1.2 double-quoted scalar, escapes included.
        let yaml = format!("title: {}\n", serde_json::to_string(&title).unwrap());
        match parse::<Meta>(&yaml, 1) {
            Ok(meta) => prop_assert_eq!(meta.title, title),
            // YAML cannot hold every character (C1 controls, lone BOMs, noncharacters
            // are fine, but some are refused): then the error must say so plainly.
            Err(err) => prop_assert!(err.message.contains("control character"), "{:?}: {}", title, err.message),
        }
    }
}
