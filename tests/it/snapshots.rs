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
