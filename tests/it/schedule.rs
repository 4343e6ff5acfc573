//! Drafts and scheduled editions: left out by default, named in the summary, brought in by
//! `--drafts` / `--future`, and "today" decided by `--clock`, never by the real date.
//!
//! Fixture `schedule/`: 2026-05-30 holds a published story and a draft
//! (`unfinished-story`); 2026-06-02 is one day after the test clock (2026-06-01).

use crate::support::{SiteFixture, html_files, link_hrefs};

const DRAFT_PAGE: &str = "2026/05/30/unfinished-story/index.html";
const FUTURE_EDITION: &str = "2026/06/02/index.html";
const FUTURE_PAGE: &str = "2026/06/02/embargoed-story/index.html";

/// No page of the build links to `url`.
fn assert_not_linked(site: &SiteFixture, url: &str) {
    for page in html_files(&site.out()) {
        let hrefs = link_hrefs(&site.html(&page));
        assert!(!hrefs.iter().any(|h| h.starts_with(url)), "{page} links to left-out {url}");
    }
}

#[test]
fn drafts_and_scheduled_editions_are_left_out_by_default() {
    let site = SiteFixture::new("schedule");
    let run = site.build();
    run.assert_success();
    assert!(site.exists("2026/05/30/published-story/index.html"));
    assert!(!site.exists(DRAFT_PAGE), "draft was published");
    assert!(!site.exists(FUTURE_EDITION), "scheduled edition was published");
    assert!(!site.exists(FUTURE_PAGE), "scheduled article was published");
    assert_not_linked(&site, "/2026/05/30/unfinished-story/");
    assert_not_linked(&site, "/2026/06/02/");
}

#[test]
fn summary_names_what_was_skipped_and_the_flags() {
    let site = SiteFixture::new("schedule");
    let run = site.build();
    run.assert_success();
    let err = &run.stderr;
    for needle in ["--drafts", "--future", "2026-06-02"] {
        assert!(err.contains(needle), "stderr does not name `{needle}`\n{}", run.transcript());
    }
    assert!(
        err.contains("unfinished-story") || err.contains("Unfinished story"),
        "stderr does not name the skipped draft\n{}",
        run.transcript()
    );
}

#[test]
fn drafts_flag_includes_drafts() {
    let site = SiteFixture::new("schedule");
    site.run(&["build", "--drafts"]).assert_success();
    assert!(site.exists(DRAFT_PAGE));
    assert!(!site.exists(FUTURE_EDITION), "--drafts must not bring in the future");
}

#[test]
fn future_flag_includes_scheduled_editions() {
    let site = SiteFixture::new("schedule");
    site.run(&["build", "--future"]).assert_success();
    assert!(site.exists(FUTURE_EDITION));
    assert!(site.exists(FUTURE_PAGE));
    assert!(!site.exists(DRAFT_PAGE), "--future must not bring in drafts");
}

#[test]
fn clock_decides_what_is_scheduled() {
    let site = SiteFixture::new("schedule");
    // The edition's own day: published.
    site.run_without_clock(&["--clock", "2026-06-02", "build"]).assert_success();
    assert!(site.exists(FUTURE_PAGE), "edition dated today must be published");
    // One minute before its day: still scheduled.
    site.run_without_clock(&["--clock", "2026-06-01T23:59", "build"]).assert_success();
    assert!(!site.exists(FUTURE_PAGE), "edition dated tomorrow must be scheduled");
}
