//! Diagnostics: every broken file reported in one run, each at its file and line, with the
//! help the contract promises; `--strict`; `check`; site.yaml problems.
//!
//! Fixture `errors/front_matter/`: one valid article and seven broken ones, one kind of
//! breakage each. Line numbers are lines of the file (the opening `---` is line 1).

use std::sync::OnceLock;

use crate::support::{Run, Severity, SiteFixture, entries};

const DIR: &str = "content/2026-03-02";

/// The broken files of `errors/front_matter/` with the line of their error (`None`: any line
/// or none, e.g. a missing key has no line of its own).
const BROKEN: [(&str, Option<u32>); 7] = [
    ("unknown-key.md", Some(3)),
    ("unquoted-colon.md", Some(2)),
    ("bad-date.md", Some(3)),
    ("edition-mismatch.md", Some(3)),
    ("missing-title.md", None),
    ("wrong-type.md", Some(3)),
    ("dangling-link.md", Some(7)),
];

/// One `build` of `errors/front_matter/`, shared by the tests that read its diagnostics.
fn broken_build() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| SiteFixture::new("errors/front_matter").build())
}

fn path(file: &str) -> String {
    format!("{DIR}/{file}")
}

#[test]
fn one_run_reports_every_broken_file() {
    let run = broken_build();
    run.assert_failure();
    for (file, line) in BROKEN {
        let d = run.error_about(&path(file));
        if let Some(line) = line {
            assert_eq!(
                d.line,
                Some(line),
                "{file}: error should point at line {line}: {}\n{}",
                d.raw,
                run.transcript()
            );
        }
    }
    assert!(run.about(Severity::Error, &path("good.md")).is_empty(), "good.md has no error\n{}", run.transcript());
    let last = run.stderr.lines().rfind(|l| !l.trim().is_empty()).unwrap_or_default();
    assert!(last.starts_with("error: "), "the run should end with an `error: ` summary line, ends with {last:?}");
}

#[test]
fn failed_build_writes_no_output() {
    let site = SiteFixture::new("errors/front_matter");
    let before = entries(site.root());
    site.build().assert_failure();
    assert_eq!(entries(site.root()), before, "a failed first build left files behind");
}

#[test]
fn unknown_key_names_the_key_and_suggests_the_nearest() {
    let d = broken_build().error_about(&path("unknown-key.md"));
    assert!(d.message.contains("unknown key `titel`"), "{}", d.raw);
    assert!(d.help.iter().any(|h| h.contains("did you mean `title`?")), "no `did you mean` help: {}", d.raw);
}

#[test]
fn unquoted_colon_suggests_quotes() {
    let d = broken_build().error_about(&path("unquoted-colon.md"));
    assert!(d.text().to_lowercase().contains("quote"), "should tell to quote the value: {}", d.raw);
}

#[test]
fn impossible_date_is_named() {
    let d = broken_build().error_about(&path("bad-date.md"));
    assert!(d.text().contains("2026-02-30"), "{}", d.raw);
}

#[test]
fn edition_and_folder_mismatch_names_both_dates() {
    let d = broken_build().error_about(&path("edition-mismatch.md"));
    assert!(d.text().contains("2026-03-03") && d.text().contains("2026-03-02"), "should name both dates: {}", d.raw);
}

#[test]
fn missing_title_is_named() {
    let d = broken_build().error_about(&path("missing-title.md"));
    assert!(d.text().contains("title"), "{}", d.raw);
}

#[test]
fn wrong_type_names_the_key() {
    let d = broken_build().error_about(&path("wrong-type.md"));
    assert!(d.text().contains("order"), "{}", d.raw);
}

#[test]
fn dangling_md_link_names_the_target() {
    let d = broken_build().error_about(&path("dangling-link.md"));
    assert!(d.text().contains("missing.md"), "{}", d.raw);
}

#[test]
fn check_reports_the_same_errors_and_writes_nothing() {
    let site = SiteFixture::new("errors/front_matter");
    let before = entries(site.root());
    let check = site.run(&["check"]);
    check.assert_failure();
    assert_eq!(entries(site.root()), before, "`check` wrote files");
    let places = |run: &Run| {
        let mut v: Vec<_> = run.errors().into_iter().map(|d| (d.path, d.line, d.col)).collect();
        v.sort();
        v
    };
    assert_eq!(places(&check), places(broken_build()), "check and build disagree");
}

#[test]
fn check_passes_a_good_site_and_writes_nothing() {
    let site = SiteFixture::new("two_editions");
    let before = entries(site.root());
    site.run(&["check"]).assert_success();
    assert_eq!(entries(site.root()), before, "`check` wrote files");
}

#[test]
fn site_yaml_unknown_key_is_reported_at_its_line() {
    let site = SiteFixture::new("errors/site_unknown_key");
    let run = site.build();
    run.assert_failure();
    let d = run.error_about("site.yaml");
    assert_eq!(d.line, Some(1), "{}", d.raw);
    assert!(d.message.contains("unknown key `titel`"), "{}", d.raw);
    assert!(d.help.iter().any(|h| h.contains("did you mean `title`?")), "{}", d.raw);
    assert!(!site.out().exists());
}

#[test]
fn missing_site_yaml_is_an_error() {
    let site = SiteFixture::new("errors/missing_site");
    let run = site.build();
    run.assert_failure();
    assert!(
        run.diagnostics().iter().any(|d| d.severity == Severity::Error && d.raw.contains("site.yaml")),
        "should name site.yaml\n{}",
        run.transcript()
    );
    assert!(!site.out().exists());
}

#[test]
fn photo_without_credit_or_alt_is_a_warning() {
    let site = SiteFixture::new("photo_credit");
    let run = site.build();
    run.assert_success();
    let warnings = run.about(Severity::Warning, &path("uncredited.md"));
    assert!(!warnings.is_empty(), "no warning\n{}", run.transcript());
    let text: String = warnings.iter().map(|w| w.text()).collect();
    assert!(text.contains("credit"), "warning should name the credit: {text}");
    assert!(site.exists("2026/03/02/uncredited/index.html"));
}

#[test]
fn strict_flag_turns_the_photo_warning_into_an_error() {
    let site = SiteFixture::new("photo_credit");
    for args in [["build", "--strict"], ["check", "--strict"]] {
        let run = site.run(&args);
        run.assert_failure();
        run.error_about(&path("uncredited.md"));
    }
    assert!(!site.out().exists(), "strict failure wrote output");
}

#[test]
fn strict_in_site_yaml_turns_the_photo_warning_into_an_error() {
    let site = SiteFixture::new("photo_credit");
    site.write("site.yaml", "title: Photo Test\nbase_url: https://news.example.com/\nstrict: true\n");
    let run = site.build();
    run.assert_failure();
    run.error_about(&path("uncredited.md"));
}

// Regression: serde stopped at the first unknown key, so a file with three took three runs, and
// `description` was answered with "did you mean `edition`?".
#[test]
fn every_unknown_key_of_a_file_is_reported_in_one_check() {
    let site = SiteFixture::new("two_editions");
    site.write(
        &format!("{DIR}/imported.md"),
        "---\ntitle: Imported from Jekyll\nlayout: post\ndescription: The deck.\nteam: metro\n---\nBody.\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    let errors = run.about(Severity::Error, &path("imported.md"));
    let got: Vec<(Option<u32>, &str, String)> =
        errors.iter().map(|d| (d.line, d.message.as_str(), d.help.join("\n"))).collect();
    let layout = "`layout` is a Hugo and Jekyll key; masthead has no such key: \
                  templates are chosen by page kind (article, edition, section, tag, author)";
    let description = "did you mean `summary`? `description` is a Hugo and Zola key; \
                       masthead's `summary` is the deck shown under the headline";
    let team = "valid keys here are: title, edition, slug, summary, author, section, tags, photo, order, \
                draft, updated, aliases, extra";
    assert_eq!(
        got,
        [
            (Some(3), "unknown key `layout`", layout.to_string()),
            (Some(4), "unknown key `description`", description.to_string()),
            (Some(5), "unknown key `team`", team.to_string()),
        ],
        "{}",
        run.transcript()
    );
}

// Regression: `_edition.md` stopped at its first unknown key too.
#[test]
fn every_unknown_key_of_an_edition_note_is_reported() {
    let site = SiteFixture::new("two_editions");
    site.write(&format!("{DIR}/_edition.md"), "---\ntitle: Monday\nimage: a.jpg\ndek: Short.\n---\nNote.\n");
    let run = site.run(&["check"]);
    run.assert_code(1);
    let errors = run.about(Severity::Error, &path("_edition.md"));
    let got: Vec<(Option<u32>, &str)> = errors.iter().map(|d| (d.line, d.message.as_str())).collect();
    assert_eq!(got, [(Some(3), "unknown key `image`"), (Some(4), "unknown key `dek`")], "{}", run.transcript());
    assert!(errors[0].help[0].starts_with("did you mean `photo`?"), "{}", errors[0].raw);
    assert!(errors[1].help[0].starts_with("did you mean `summary`?"), "{}", errors[1].raw);
}

// Regression: site.yaml stopped at its first unknown key, nested sections included.
#[test]
fn every_unknown_key_of_site_yaml_is_reported_in_one_check() {
    let site = SiteFixture::new("two_editions");
    site.write(
        "site.yaml",
        "title: The Ledger\nbaseURL: https://news.example.com/\nbase_url: https://news.example.com/\n\
         images:\n  widht: [480]\n  quality: 80\nlanguageCode: en\n",
    );
    let run = site.run(&["check"]);
    run.assert_code(1);
    let errors = run.about(Severity::Error, "site.yaml");
    let got: Vec<(Option<u32>, &str, &str)> =
        errors.iter().map(|d| (d.line, d.message.as_str(), d.help[0].as_str())).collect();
    assert_eq!(
        got,
        [
            (
                Some(2),
                "unknown key `baseURL`",
                "did you mean `base_url`? `baseURL` is a Hugo and Jekyll key; \
                 masthead's `base_url` is the address the site is published at"
            ),
            (Some(5), "unknown key `widht`", "did you mean `widths`?"),
            (
                Some(7),
                "unknown key `languageCode`",
                "did you mean `language`? `languageCode` is a Hugo key; \
                 masthead's `language` is the site's language, such as `en`"
            ),
        ],
        "{}",
        run.transcript()
    );
}
