//! Property tests: any Markdown renders without a panic, link problems sit on
//! lines of the file, and cutting a summary never breaks a character.

use proptest::prelude::*;

use super::*;

fn markdown_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("[a](".to_string()),
        Just("](b.md)".to_string()),
        Just("![p](p.jpg)".to_string()),
        Just("> ".to_string()),
        Just("- ".to_string()),
        Just("  ".to_string()),
        Just("*".to_string()),
        Just("`".to_string()),
        Just("[^1]".to_string()),
        Just("[^1]: ".to_string()),
        Just("| a |\n|---|\n".to_string()),
        Just("<div>".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\0".to_string()),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..32).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn problems_are_on_lines_of_the_body(body in markdown_like(), first in 1usize..50, smart in any::<bool>()) {
        let broken = |_: &str| LinkOutcome::Broken("nothing here".into());
        let rendered = render(&body, first, smart, &broken);
        let last = first + body.matches('\n').count();
        for problem in &rendered.problems {
            prop_assert!((first..=last).contains(&problem.line), "line {} not in {}..={}", problem.line, first, last);
            // Every link is broken here; the only warning is a footnote nobody references.
            prop_assert!(
                problem.is_error || problem.message.contains("is never referenced") || problem.message.ends_with("(in raw HTML)"),
                "{:?}",
                problem
            );
        }
        prop_assert!(!rendered.first_paragraph.starts_with(char::is_whitespace));
    }

    #[test]
    fn rewritten_links_reach_the_html(slug in "[a-z0-9-]{1,12}") {
        let rewrite = |_: &str| LinkOutcome::Rewrite(format!("/2023/09/05/{slug}/"));
        let rendered = render("[x](y.md)\n", 1, true, &rewrite);
        let expected = format!("href=\"/2023/09/05/{slug}/\"");
        prop_assert!(rendered.html.get().contains(&expected));
    }

    #[test]
    fn cut_at_word_is_a_prefix_of_bounded_length(text in any::<String>(), max in 1usize..80) {
        let cut = cut_at_word(&text, max);
        let kept = cut.strip_suffix('…').unwrap_or(&cut);
        prop_assert!(text.starts_with(kept));
        prop_assert!(kept.chars().count() <= max);
    }
}
