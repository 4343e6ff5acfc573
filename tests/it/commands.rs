//! The commands around `build` (SPEC §6): `init` writes a starter site that builds, `new`
//! writes an article into an edition, `editions` lists the editions with their status.
//!
//! Fixture `commands/` (the test clock is 2026-06-01):
//!
//! | edition    | title                  | articles                      | status     |
//! |------------|------------------------|-------------------------------|------------|
//! | 2026-06-02 | Tuesday preview        | 1                             | scheduled  |
//! | 2026-05-31 | Sunday drafts          | 1 draft                       | draft-only |
//! | 2026-05-30 | Saturday papers        | 2 and a draft (`unfinished`)  | published  |
//! | 2026-04-15 | (none: the default)    | 1                             | published  |

use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{CLOCK, SiteFixture, assert_same_tree, link_hrefs, run_masthead, sel, snapshot, text_of};

/// Runs `masthead --color never --clock 2026-06-01 <args>` in `cwd` (for `init`, which
/// takes its folder as an argument rather than through `-s`).
fn masthead(cwd: &Path, args: &[&str]) -> crate::support::Run {
    let mut all = vec!["--color", "never", "--clock", CLOCK];
    all.extend_from_slice(args);
    run_masthead(cwd, &all)
}

/// A temp dir to run `init` in (the fixture's own site is not used).
fn scratch() -> SiteFixture {
    SiteFixture::new("commands")
}

/// The path `new` printed on stdout, resolved against the cwd of the run.
fn printed_path(site: &SiteFixture, run: &crate::support::Run) -> PathBuf {
    let lines: Vec<&str> = run.stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "`new` prints one path on stdout\n{}", run.transcript());
    site.root().join(lines[0].trim())
}

// ---------------------------------------------------------------------------------------
// init

#[test]
fn init_writes_a_site_that_builds() {
    let tmp = scratch();
    masthead(tmp.root(), &["init", "fresh", "--title", "Harbour: The Gazette"]).assert_success();
    let dir = tmp.root().join("fresh");
    for file in ["site.yaml", "content/2026-06-01/_edition.md", "content/2026-06-01/welcome.md"] {
        assert!(dir.join(file).is_file(), "init did not write {file}");
    }

    masthead(tmp.root(), &["-s", "fresh", "build"]).assert_success();
    let out = dir.join("public");
    let index = scraper::Html::parse_document(&fs::read_to_string(out.join("index.html")).unwrap());
    let hrefs = link_hrefs(&index);
    assert!(
        hrefs.iter().any(|h| h.ends_with("/2026/06/01/welcome/")),
        "index.html does not link the welcome article: {hrefs:?}"
    );
    assert!(out.join("2026/06/01/welcome/index.html").is_file());
    let title = index.select(&sel("title")).next().map(text_of).unwrap_or_default();
    assert!(title.contains("Harbour: The Gazette"), "--title (with a colon) not used: <title>{title}</title>");
}

#[test]
fn init_into_an_empty_folder_is_fine() {
    let tmp = scratch();
    fs::create_dir(tmp.root().join("empty")).unwrap();
    masthead(tmp.root(), &["init", "empty"]).assert_success();
    assert!(tmp.root().join("empty/content/2026-06-01/welcome.md").is_file());
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let tmp = scratch();
    let dir = tmp.root().join("busy");
    fs::create_dir_all(dir.join("notes")).unwrap();
    fs::write(dir.join("notes/todo.txt"), "call the printer\n").unwrap();
    fs::write(dir.join("site.yaml"), "not: mine\n").unwrap();
    let before = snapshot(&dir);
    let run = masthead(tmp.root(), &["init", "busy"]);
    run.assert_failure();
    assert!(run.stderr.contains("--force"), "the refusal should mention --force\n{}", run.transcript());
    assert_same_tree(&before, &snapshot(&dir), "init without --force");
}

#[test]
fn init_force_adds_a_site_and_keeps_existing_files() {
    let tmp = scratch();
    let dir = tmp.root().join("busy");
    fs::create_dir_all(&dir).unwrap();
    let own_yaml = "title: Kept Title\nbase_url: https://kept.example.org/\n";
    fs::write(dir.join("site.yaml"), own_yaml).unwrap();
    fs::write(dir.join("notes.txt"), "call the printer\n").unwrap();
    masthead(tmp.root(), &["init", "busy", "--force", "--title", "Overwritten"]).assert_success();
    assert_eq!(fs::read_to_string(dir.join("site.yaml")).unwrap(), own_yaml, "--force overwrote site.yaml");
    assert_eq!(fs::read_to_string(dir.join("notes.txt")).unwrap(), "call the printer\n");
    assert!(dir.join("content/2026-06-01/_edition.md").is_file());
    assert!(dir.join("content/2026-06-01/welcome.md").is_file());

    masthead(tmp.root(), &["-s", "busy", "build"]).assert_success();
    let index = fs::read_to_string(dir.join("public/index.html")).unwrap();
    let doc = scraper::Html::parse_document(&index);
    let title = doc.select(&sel("title")).next().map(text_of).unwrap_or_default();
    assert!(title.contains("Kept Title"), "the kept site.yaml is not the one used: <title>{title}</title>");
}

// Regression: `init` wrote no `.gitignore`, so the built site, the spare and temporary
// folders beside it and the photo cache ended up in the first commit.
#[test]
fn init_writes_a_gitignore_and_keeps_an_existing_one() {
    let tmp = scratch();
    let run = masthead(tmp.root(), &["init", "fresh"]);
    run.assert_success();
    let dir = tmp.root().join("fresh");
    assert_eq!(
        fs::read_to_string(dir.join(".gitignore")).unwrap(),
        "/public\n/.public.*\n/.masthead-cache\n",
        "{}",
        run.transcript()
    );

    let busy = tmp.root().join("busy");
    fs::create_dir_all(&busy).unwrap();
    fs::write(busy.join(".gitignore"), "*.log\n").unwrap();
    let refused = masthead(tmp.root(), &["init", "busy"]);
    refused.assert_failure();
    assert_eq!(fs::read_to_string(busy.join(".gitignore")).unwrap(), "*.log\n");
    let forced = masthead(tmp.root(), &["init", "busy", "--force"]);
    forced.assert_success();
    assert_eq!(fs::read_to_string(busy.join(".gitignore")).unwrap(), "*.log\n", "--force overwrote .gitignore");
    assert!(
        forced.stderr.contains("kept the existing") && forced.stderr.contains(".gitignore"),
        "{}",
        forced.transcript()
    );
}

// Regression: `init --title "The Daily"` made every banner read "edition of the The Daily",
// and the archive, the 404 page and the newsletter footer "the The Daily".
#[test]
fn a_publication_named_the_something_gets_no_second_article() {
    let tmp = scratch();
    masthead(tmp.root(), &["init", "daily", "--title", "The Daily"]).assert_success();
    let run = masthead(tmp.root(), &["-s", "daily", "build"]);
    run.assert_success();
    let out = tmp.root().join("daily/public");
    let read = |rel: &str| fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let text = |rel: &str| text_of(scraper::Html::parse_document(&read(rel)).root_element());

    let article = scraper::Html::parse_document(&read("2026/06/01/welcome/index.html"));
    let banners: Vec<String> = article.select(&sel(".edition-banner")).map(text_of).collect();
    assert!(!banners.is_empty(), "no edition banner");
    for banner in &banners {
        assert!(banner.contains("edition of The Daily."), "{banner}");
    }
    assert!(text("archive/index.html").contains("Every edition of The Daily, newest first."));
    assert!(text("404.html").contains("Go to the front page of The Daily"));
    let footer = text("2026/06/01/newsletter.html");
    assert!(footer.contains("You are receiving The Daily because you subscribed"), "{footer}");
    assert!(read("2026/06/01/newsletter.txt").contains("You are receiving The Daily because"));

    for rel in crate::support::files(&out) {
        if rel.ends_with(".html") || rel.ends_with(".txt") || rel.ends_with(".xml") || rel.ends_with(".json") {
            let body = read(&rel);
            assert!(!body.to_lowercase().contains("the the daily"), "{rel} says \"the The Daily\"");
        }
    }
}

// ---------------------------------------------------------------------------------------
// new

#[test]
fn new_writes_an_article_that_builds_onto_its_edition() {
    let site = SiteFixture::new("commands");
    let run = site.run(&[
        "new",
        "Harbour: a look back",
        "--edition",
        "2026-05-30",
        "--section",
        "City Desk",
        "--author",
        "Ada Quay",
    ]);
    run.assert_success();
    let path = printed_path(&site, &run);
    assert!(
        path.ends_with("content/2026-05-30/harbour-a-look-back.md"),
        "printed {}\n{}",
        path.display(),
        run.transcript()
    );
    assert!(path.is_file(), "printed path {} is not a file", path.display());

    site.build().assert_success();
    let edition = link_hrefs(&site.html("2026/05/30/index.html"));
    assert!(edition.iter().any(|h| h == "/2026/05/30/harbour-a-look-back/"), "edition page lacks it: {edition:?}");
    let doc = site.html("2026/05/30/harbour-a-look-back/index.html");
    let h1 = doc.select(&sel("h1")).next().map(text_of);
    assert_eq!(h1.as_deref(), Some("Harbour: a look back"), "headline survives the colon");
    let section = link_hrefs(&site.html("sections/city-desk/index.html"));
    assert!(section.iter().any(|h| h == "/2026/05/30/harbour-a-look-back/"), "--section not written");
    let author = link_hrefs(&site.html("authors/ada-quay/index.html"));
    assert!(author.iter().any(|h| h == "/2026/05/30/harbour-a-look-back/"), "--author not written");
}

#[test]
fn new_defaults_to_today_by_the_clock() {
    let site = SiteFixture::new("commands");
    let run = site.run(&["new", "Morning note"]);
    run.assert_success();
    let path = printed_path(&site, &run);
    assert!(path.ends_with("content/2026-06-01/morning-note.md"), "printed {}", path.display());
    site.build().assert_success();
    assert!(site.exists("2026/06/01/morning-note/index.html"));
    let edition = link_hrefs(&site.html("2026/06/01/index.html"));
    assert!(edition.iter().any(|h| h == "/2026/06/01/morning-note/"));
}

#[test]
fn new_today_edition_flag_matches_the_default() {
    let site = SiteFixture::new("commands");
    let run = site.run(&["new", "Noon note", "--edition", "today"]);
    run.assert_success();
    assert!(printed_path(&site, &run).ends_with("content/2026-06-01/noon-note.md"));
}

#[test]
fn new_refuses_to_overwrite() {
    let site = SiteFixture::new("commands");
    let first = site.run(&["new", "Council votes", "--edition", "2026-05-30"]);
    first.assert_success();
    let path = printed_path(&site, &first);
    let edited = "---\ntitle: Council votes\n---\nThe reporter's text.\n";
    fs::write(&path, edited).unwrap();
    let again = site.run(&["new", "Council votes", "--edition", "2026-05-30"]);
    again.assert_failure();
    assert!(again.stdout.trim().is_empty(), "a refused `new` printed a path\n{}", again.transcript());
    assert_eq!(fs::read_to_string(&path).unwrap(), edited, "`new` overwrote the reporter's text");
}

#[test]
fn new_draft_is_left_out_unless_drafts() {
    let site = SiteFixture::new("commands");
    let run = site.run(&["new", "Half written", "--edition", "2026-05-30", "--draft"]);
    run.assert_success();
    assert!(printed_path(&site, &run).ends_with("content/2026-05-30/half-written.md"));

    site.build().assert_success();
    assert!(!site.exists("2026/05/30/half-written/index.html"), "draft published without --drafts");
    let edition = link_hrefs(&site.html("2026/05/30/index.html"));
    assert!(!edition.iter().any(|h| h.contains("half-written")), "edition page links the draft");

    site.run(&["build", "--drafts"]).assert_success();
    assert!(site.exists("2026/05/30/half-written/index.html"));
    let edition = link_hrefs(&site.html("2026/05/30/index.html"));
    assert!(edition.iter().any(|h| h == "/2026/05/30/half-written/"), "--drafts: edition page lacks the draft");
}

#[test]
fn new_for_tomorrow_is_scheduled_unless_future() {
    let site = SiteFixture::new("commands");
    let run = site.run(&["new", "Weekend weather", "--edition", "tomorrow"]);
    run.assert_success();
    assert!(printed_path(&site, &run).ends_with("content/2026-06-02/weekend-weather.md"));

    site.build().assert_success();
    assert!(!site.exists("2026/06/02/weekend-weather/index.html"), "scheduled article published");
    assert!(!site.exists("2026/06/02/index.html"), "scheduled edition published");

    site.run(&["build", "--future"]).assert_success();
    let edition = link_hrefs(&site.html("2026/06/02/index.html"));
    assert!(edition.iter().any(|h| h == "/2026/06/02/weekend-weather/"), "--future: edition lacks it: {edition:?}");
}

// ---------------------------------------------------------------------------------------
// editions

/// One line of `editions`, split at runs of two or more spaces (columns may be padded).
fn columns(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim_end();
    while let Some(i) = rest.find("  ") {
        out.push(rest[..i].to_string());
        rest = rest[i..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

fn editions_lines(run: &crate::support::Run) -> Vec<Vec<String>> {
    run.stdout.lines().filter(|l| !l.trim().is_empty()).map(columns).collect()
}

#[test]
fn editions_lists_status_and_counts_newest_first() {
    let site = SiteFixture::new("commands");
    let run = site.run(&["editions"]);
    run.assert_success();
    let lines = editions_lines(&run);
    let expected: Vec<Vec<&str>> = vec![
        vec!["2026-06-02", "scheduled", "1 article", "Tuesday preview"],
        vec!["2026-05-31", "draft-only", "0 articles, 1 draft", "Sunday drafts"],
        vec!["2026-05-30", "published", "2 articles, 1 draft", "Saturday papers"],
    ];
    assert_eq!(lines.len(), 4, "one line per edition\n{}", run.transcript());
    for (got, want) in lines.iter().zip(&expected) {
        assert_eq!(got, want, "\n{}", run.stdout);
    }
    // No `_edition.md`: the default title names the publication.
    let last = &lines[3];
    assert_eq!(last[..3], ["2026-04-15", "published", "1 article"], "\n{}", run.stdout);
    assert!(last.len() == 4 && last[3].starts_with("Ledger Daily"), "default title: {last:?}");
    assert!(!site.out().exists(), "`editions` wrote output");
}

#[test]
fn editions_follows_the_clock() {
    let site = SiteFixture::new("commands");
    let run = site.run_without_clock(&["--clock", "2026-06-02", "editions"]);
    run.assert_success();
    let lines = editions_lines(&run);
    assert_eq!(lines[0][..3], ["2026-06-02", "published", "1 article"], "\n{}", run.stdout);
}

#[test]
fn editions_counts_what_new_adds() {
    let site = SiteFixture::new("commands");
    site.run(&["new", "Another Saturday story", "--edition", "2026-05-30"]).assert_success();
    site.run(&["new", "A second Sunday draft", "--edition", "2026-05-31", "--draft"]).assert_success();
    let run = site.run(&["editions"]);
    run.assert_success();
    let lines = editions_lines(&run);
    assert_eq!(lines[1][..3], ["2026-05-31", "draft-only", "0 articles, 2 drafts"], "\n{}", run.stdout);
    assert_eq!(lines[2][..3], ["2026-05-30", "published", "3 articles, 1 draft"], "\n{}", run.stdout);
}

#[test]
fn new_keeps_quotes_and_yaml_words_in_headlines() {
    let site = SiteFixture::new("commands");
    let title = "\"No\": the council's answer, yes";
    let run = site.run(&["new", title, "--edition", "2026-05-30", "--section", "on"]);
    run.assert_success();
    let path = printed_path(&site, &run);
    let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
    site.build().assert_success();
    let doc = site.html(&format!("2026/05/30/{stem}/index.html"));
    let h1 = doc.select(&sel("h1")).next().map(text_of).unwrap_or_default();
    // Smart punctuation may curl the quotes; the words must survive.
    let plain = h1.replace(['\u{201c}', '\u{201d}'], "\"").replace('\u{2019}', "'");
    assert_eq!(plain, title, "headline as written by `new`");
    assert!(site.exists("sections/on/index.html"), "section `on` read as a YAML boolean");
}

// Regression: a draft with a missing photo and a broken link passed `check` (exit 0, not a
// word) while `editions` failed on it; `check --drafts` was not an option.
#[test]
fn check_warns_about_drafts_check_drafts_fails_on_them_and_editions_lists_anyway() {
    let site = SiteFixture::new("minimal");
    site.write(
        "content/2026-03-02/draft.md",
        "---\ntitle: Draft\ndraft: true\nphoto:\n  src: missing.jpg\n  alt: A pier\n---\nSee [gone](gone.md).\n",
    );
    let check = site.run(&["check"]);
    check.assert_code(0);
    let warnings = check.warnings();
    assert_eq!(warnings.len(), 2, "{}", check.transcript());
    for (w, line) in warnings.iter().zip([5, 8]) {
        assert_eq!((w.path.as_deref(), w.line), (Some("content/2026-03-02/draft.md"), Some(line)));
        assert!(w.message.contains("in a draft or scheduled edition"), "{}", w.message);
    }
    let strict = site.run(&["check", "--strict"]);
    strict.assert_code(1);
    let drafts = site.run(&["check", "--drafts"]);
    drafts.assert_code(1);
    assert_eq!(drafts.errors().len(), 2, "{}", drafts.transcript());
    let editions = site.run(&["editions"]);
    editions.assert_code(0);
    assert!(editions.stdout.contains("2026-03-02"), "{}", editions.transcript());
    assert_eq!(editions.warnings().len(), 2, "{}", editions.transcript());
}
