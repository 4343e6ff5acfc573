//! Valid HTML5 and CSS: every page of the demo site (and of the richest fixtures) through
//! the Nu HTML checker (`vnu.jar`, installed by `.ci/run`, found through `VNU_JAR`).

use std::path::Path;
use std::process::Command;

use crate::support::{SiteFixture, build_demo, files, html_files};

/// Messages that are right for a page and wrong for the checker: the newsletter's
/// unsubscribe link holds the email service's merge tag (`{{unsubscribe}}`), which the
/// service replaces with a real URL when it sends; until then it is not a valid URL.
/// See docs/newsletter.md. (`*|UNSUB|*` is the tag of the `newsletter` fixture.)
const ALLOWED: &[&str] = &[
    "Error: Bad value “{{unsubscribe}}” for attribute “href” on element “a”",
    "Error: Bad value “*|UNSUB|*” for attribute “href” on element “a”",
];

/// Files per `java -jar vnu.jar` call: keeps command lines short and the JVM count low.
const BATCH: usize = 200;

/// The checker's jar, or `None` (with a notice) when it is not installed; on CI a missing
/// checker is a failure, never a silent skip.
pub(crate) fn vnu_jar() -> Option<String> {
    match std::env::var("VNU_JAR") {
        Ok(jar) if !jar.is_empty() => {
            assert!(Path::new(&jar).is_file(), "VNU_JAR={jar} does not exist");
            Some(jar)
        }
        _ if std::env::var_os("CI").is_some() => {
            panic!("VNU_JAR is not set on CI: .ci/run should install the Nu HTML checker")
        }
        _ => {
            eprintln!("skipping HTML validation: VNU_JAR is not set (see .ci/run)");
            None
        }
    }
}

/// Runs the checker on every HTML file under `out` and fails with its report.
pub(crate) fn assert_valid_html(jar: &str, out: &Path) {
    let pages = html_files(out);
    assert!(!pages.is_empty(), "no HTML under {}", out.display());
    assert_valid(jar, out, &pages, &[]);
}

/// Runs the checker on `pages` (relative to `out`) in batches; fails with its report.
fn assert_valid(jar: &str, out: &Path, pages: &[String], extra: &[&str]) {
    let java = std::env::var("JAVA").unwrap_or_else(|_| "java".to_string());
    let mut report = String::new();
    for batch in pages.chunks(BATCH) {
        let output = Command::new(&java)
            .args(["-jar", jar, "--errors-only", "--format", "text"])
            .args(extra)
            .args(batch)
            .current_dir(out)
            .output()
            .unwrap_or_else(|e| panic!("run `{java} -jar {jar}`: {e}"));
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        // The checker always closes with "Document checking completed[. No errors found.]".
        let (problems, allowed) = problems(&text);
        // The checker exits 1 on any error, the allowed ones included.
        if !problems.is_empty() || (!output.status.success() && allowed == 0) {
            report.push_str(&format!("exit {:?}\n{}\n", output.status.code(), problems.join("\n")));
        }
    }
    assert!(report.is_empty(), "invalid HTML in {}:\n{report}", out.display());
}

/// The checker's report without its closing line and without [`ALLOWED`] messages
/// (each with the location line that follows it), and how many were allowed.
fn problems(report: &str) -> (Vec<&str>, usize) {
    let mut out = Vec::new();
    let mut allowed = 0;
    let mut skip_location = false;
    for line in report.lines() {
        let is_location = line.starts_with("From line") || line.starts_with("At line");
        if std::mem::take(&mut skip_location) && is_location {
            continue;
        }
        if ALLOWED.iter().any(|a| line.starts_with(a)) {
            skip_location = true;
            allowed += 1;
        } else if !line.trim().is_empty() && !line.starts_with("Document checking completed") {
            out.push(line);
        }
    }
    (out, allowed)
}

#[test]
fn demo_site_is_valid_html() {
    let Some(jar) = vnu_jar() else { return };
    let demo = build_demo(&["--drafts", "--future"]);
    demo.run.assert_success();
    assert_valid_html(&jar, &demo.out);
}

#[test]
fn demo_site_css_is_valid() {
    let Some(jar) = vnu_jar() else { return };
    let demo = build_demo(&[]);
    demo.run.assert_success();
    let css: Vec<String> = files(&demo.out).into_iter().filter(|f| f.ends_with(".css")).collect();
    assert!(css.iter().any(|f| f == "css/daily.css"), "no css/daily.css: {css:?}");
    assert_valid(&jar, &demo.out, &css, &["--also-check-css"]);
}

#[test]
fn fixture_pages_are_valid_html() {
    let Some(jar) = vnu_jar() else { return };
    for name in ["two_editions", "markdown", "newsletter"] {
        let site = SiteFixture::new(name);
        site.build().assert_success();
        assert_valid_html(&jar, &site.out());
    }
}
