//! The command line itself: usage errors exit 2, a build ends with one `Built …` line,
//! `--output` and `-s` work from any folder.

use crate::support::{SiteFixture, run_masthead};

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
