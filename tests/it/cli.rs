//! The command line itself: usage errors exit 2, a build ends with one `Built …` line,
//! `--output` and `-s` work from any folder.

use crate::support::{Run, SiteFixture, files, run_masthead};

#[test]
fn unknown_flag_is_a_usage_error() {
    let site = SiteFixture::new("minimal");
    site.run(&["build", "--no-such-flag"]).assert_code(2);
    assert!(!site.out().exists());
}

#[test]
fn unknown_command_is_a_usage_error() {
    SiteFixture::new("minimal").run(&["publish"]).assert_code(2);
}

#[test]
fn missing_command_is_a_usage_error() {
    SiteFixture::new("minimal").run(&[]).assert_code(2);
}

#[test]
fn bad_color_value_is_a_usage_error() {
    let site = SiteFixture::new("minimal");
    run_masthead(site.root(), &["-s", "site", "--color", "sometimes", "build"]).assert_code(2);
}

#[test]
fn bad_clock_is_a_usage_error() {
    let site = SiteFixture::new("minimal");
    site.run_without_clock(&["--clock", "2026-13-45", "build"]).assert_code(2);
    site.run_without_clock(&["--clock", "tomorrow-ish", "build"]).assert_code(2);
    assert!(!site.out().exists());
}

/// Asserts a usage error: status 2, `message` on stderr with a pointer to `--help`,
/// nothing on stdout, and the site folder exactly as it was (no output, no new file).
fn assert_usage_error(site: &SiteFixture, run: &Run, before: &[String], message: &str) {
    run.assert_code(2);
    assert!(run.stderr.contains(message), "expected {message:?}\n{}", run.transcript());
    assert!(run.stderr.contains("--help"), "no pointer to --help\n{}", run.transcript());
    assert!(run.stdout.is_empty(), "wrote to stdout\n{}", run.transcript());
    assert_eq!(files(site.site()), before, "the site folder changed");
}

// Regression: an impossible `new --edition` date exited 1 (a site problem), not 2.
#[test]
fn new_with_impossible_edition_date_is_a_usage_error() {
    let site = SiteFixture::new("commands");
    let before = files(site.site());
    let run = site.run(&["new", "--edition", "2026-13-45", "Council votes"]);
    assert_usage_error(
        &site,
        &run,
        &before,
        "`2026-13-45` is not `today`, `tomorrow` or a real date written YYYY-MM-DD",
    );
    let run = site.run(&["new", "--edition", "next week", "Council votes"]);
    assert_usage_error(&site, &run, &before, "`next week` is not `today`, `tomorrow`");
}

// Regression: a refused argument was quoted raw, so ESC or BEL in it reached the terminal.
#[test]
fn a_refused_argument_is_quoted_without_its_control_characters() {
    let site = SiteFixture::new("commands");
    let before = files(site.site());
    let run = site.run(&["new", "\u{7}\u{1b}[!\u{7}"]);
    assert_usage_error(&site, &run, &before, "has no letters or digits");
    assert!(!run.stderr.contains(['\u{7}', '\u{1b}']), "{:?}", run.stderr);
    assert!(run.stderr.contains("the title `\\u{7}\\u{1b}[!\\u{7}`"), "{:?}", run.stderr);
    let run = site.run(&["build", "--base-url", "https://x.org/\u{1b}[2J"]);
    run.assert_code(2);
    assert!(!run.stderr.contains('\u{1b}'), "{:?}", run.stderr);
}

// Regression: a `new` headline with no letters or digits exited 1, not 2.
#[test]
fn new_with_a_title_that_names_no_file_is_a_usage_error() {
    let site = SiteFixture::new("commands");
    let before = files(site.site());
    let run = site.run(&["new", "!!! ---"]);
    assert_usage_error(&site, &run, &before, "the title `!!! ---` has no letters or digits to name the file after");
}

// Regression: `newsletter notadate` exited 1 (a site problem), not 2.
#[test]
fn newsletter_with_a_bad_date_is_a_usage_error() {
    let site = SiteFixture::new("newsletter");
    let before = files(site.site());
    let run = site.run(&["newsletter", "notadate"]);
    assert_usage_error(&site, &run, &before, "`notadate` is not `latest` or a real date written YYYY-MM-DD");
}

// Regression: `newsletter --to` without `--format eml` exited 1, not 2.
#[test]
fn newsletter_to_without_eml_is_a_usage_error() {
    let site = SiteFixture::new("newsletter");
    let before = files(site.site());
    let run = site.run(&["newsletter", "--to", "a@b.c"]);
    assert_usage_error(
        &site,
        &run,
        &before,
        "--to only applies to `--format eml`: add `--format eml`, or leave --to out",
    );
    let run = site.run(&["newsletter", "--format", "text", "--from", "desk@b.c"]);
    assert_usage_error(&site, &run, &before, "--from only applies to `--format eml`");
}

// Regression: `newsletter --from desk` (not an address) exited 1, not 2.
#[test]
fn newsletter_bad_address_is_a_usage_error() {
    let site = SiteFixture::new("newsletter");
    let before = files(site.site());
    let run = site.run(&["newsletter", "--format", "eml", "--from", "desk"]);
    assert_usage_error(&site, &run, &before, "`desk` is not an email address such as `desk@news.example.com`");
    let run = site.run(&["newsletter", "--format", "eml", "--to", "nobody"]);
    assert_usage_error(&site, &run, &before, "`nobody` is not an email address");
}

// Regression: a malformed `--base-url` exited 1 (a site problem), not 2.
#[test]
fn bad_base_url_is_a_usage_error() {
    let site = SiteFixture::new("minimal");
    let before = files(site.site());
    let run = site.run(&["build", "--base-url", "news.example.com"]);
    assert_usage_error(&site, &run, &before, "`base_url` must start with http:// or https://");
    assert!(run.stderr.contains("write a full address such as `https://news.example.com/`"), "{}", run.transcript());
    assert!(!site.out().exists());
}

#[test]
fn successful_build_ends_with_a_built_line() {
    let site = SiteFixture::new("two_editions");
    let run = site.build();
    run.assert_success();
    let built: Vec<_> = run.stderr.lines().filter(|l| l.starts_with("Built ")).collect();
    assert_eq!(built.len(), 1, "one `Built …` line\n{}", run.transcript());
    assert!(
        built[0].contains("3 articles") && built[0].contains("2 editions"),
        "summary should count 3 articles in 2 editions: {}",
        built[0]
    );
    assert!(run.stdout.trim().is_empty(), "build prints to stdout: {}", run.stdout);
}

/// `check` says `Checked`, names no output folder and, with -v, no write, swap, photo or
/// unchanged-file lines, while `build -v` has all of them.
#[test]
fn check_and_build_summaries_differ_only_in_what_was_written() {
    let site = SiteFixture::new("two_editions");
    let check = site.run(&["-v", "check"]);
    check.assert_success();
    let summary: Vec<_> = check.stderr.lines().filter(|l| l.starts_with("Checked ")).collect();
    assert_eq!(summary.len(), 1, "one `Checked …` line\n{}", check.transcript());
    assert!(summary[0].contains("3 articles in 2 editions") && !summary[0].contains('→'), "{}", summary[0]);
    let took = check.stderr.lines().find(|l| l.starts_with("Took ")).expect("-v prints the phase line");
    assert!(took.ends_with(" to render"), "{took}");
    for absent in ["Built ", "photos: ", "already held their bytes"] {
        assert!(!check.stderr.contains(absent), "check printed {absent:?}\n{}", check.transcript());
    }
    assert!(!site.out().exists(), "check wrote the output folder");

    let build = site.run(&["-v", "build"]);
    build.assert_success();
    let built = build.stderr.lines().find(|l| l.starts_with("Built ")).expect("a `Built …` line");
    assert!(built.contains("3 articles in 2 editions") && built.ends_with(" → site/public/"), "{built}");
    let took = build.stderr.lines().find(|l| l.starts_with("Took ")).expect("-v prints the phase line");
    assert!(took.contains(" and write, ") && took.ends_with(" to swap the site in"), "{took}");
    for present in ["photos: 1 encoded, 0 from cache", "already held their bytes"] {
        assert!(build.stderr.contains(present), "build -v lacks {present:?}\n{}", build.transcript());
    }
}

#[test]
fn output_flag_writes_elsewhere() {
    let site = SiteFixture::new("minimal");
    let elsewhere = site.root().join("www");
    site.run(&["build", "--output", elsewhere.to_str().unwrap()]).assert_success();
    assert!(elsewhere.join("2026/03/02/only-story/index.html").is_file());
    assert!(elsewhere.join(".masthead-output").is_file());
    assert!(!site.out().exists(), "default output written too");
}

#[test]
fn source_flag_works_from_any_folder() {
    let site = SiteFixture::new("minimal");
    let elsewhere = site.root().join("somewhere/else");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let src = site.site().to_str().unwrap();
    run_masthead(&elsewhere, &["-s", src, "--clock", "2026-06-01", "build"]).assert_success();
    assert!(site.exists("2026/03/02/only-story/index.html"), "output goes to <site>/public");
    assert!(!elsewhere.join("public").exists(), "output went to the cwd");
}
