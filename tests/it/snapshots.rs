//! The exact texts of diagnostics and summaries, compared with `tests/snapshots/*.txt`:
//! wording, paths, lines, columns and help lines are part of the contract (STYLE habit 12).
//! Only stderr of plain runs is snapshotted, never `-v` output.

use crate::support::{SiteFixture, assert_snapshot};

/// `masthead build <args>` on a fixture: its stderr, headed by the command and exit code.
fn transcript(fixture: &str, args: &[&str]) -> String {
    let site = SiteFixture::new(fixture);
    let run = site.run(args);
    let code = run.code.map_or("none (killed by a signal)".to_string(), |c| c.to_string());
    format!("$ masthead {}\n# exit {code}\n{}", args.join(" "), run.stderr)
}

#[test]
fn front_matter_errors() {
    assert_snapshot("front_matter_errors", &transcript("errors/front_matter", &["build"]));
}

#[test]
fn site_yaml_errors() {
    let text = transcript("errors/site_unknown_key", &["build"]) + &transcript("errors/missing_site", &["build"]);
    assert_snapshot("site_yaml_errors", &text);
}

#[test]
fn photo_warnings_and_strict_errors() {
    let text = transcript("photo_credit", &["build"]) + &transcript("photo_credit", &["build", "--strict"]);
    assert_snapshot("photo_warnings", &text);
}

#[test]
fn skipped_items_summary() {
    assert_snapshot("skipped_items", &transcript("schedule", &["build"]));
}

/// The mistakes editors make, one file each, in one `check` and one `editions`: a tab in
/// the indentation, an unclosed quote, a folder dated a day that does not exist, a photo
/// named in the wrong letter case, text after a quoted headline, keys from another generator, a draft with a broken link,
/// and a link to a file that already failed (no second error for it).
#[test]
fn editors_mistakes() {
    let text = transcript("errors/mistakes", &["check"]) + &transcript("errors/mistakes", &["editions"]);
    assert_snapshot("editors_mistakes", &text);
}

// Regression: messages with a place in a file gave its line only (a photo not found, a bad
// `edition:`, an unquoted colon, a broken link), or nothing (a photo without credit).
#[test]
fn every_message_with_a_line_has_a_column() {
    let runs = [
        ("errors/mistakes", vec!["check"]),
        ("errors/front_matter", vec!["build"]),
        ("photo_credit", vec!["build", "--strict"]),
    ];
    for (fixture, args) in runs {
        let run = SiteFixture::new(fixture).run(&args);
        let placed: Vec<_> = run.diagnostics().into_iter().filter(|d| d.line.is_some()).collect();
        assert!(placed.len() >= 2, "{fixture}: {}", run.transcript());
        for d in placed {
            assert!(d.col.is_some_and(|c| c >= 1), "{fixture}: no column in {}", d.raw);
        }
        let photo = run.diagnostics().into_iter().filter(|d| d.message.starts_with("the photo")).collect::<Vec<_>>();
        for d in photo {
            assert!(d.line.is_some(), "{fixture}: the photo message has no place: {}", d.raw);
        }
    }
}
