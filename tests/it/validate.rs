//! Valid HTML5 and CSS: every page of the demo site (and of the richest fixtures) through
//! the Nu HTML checker (`vnu.jar`, installed by `.ci/run`, found through `VNU_JAR`).

use std::path::Path;
use std::process::Command;

use crate::support::{SiteFixture, build_demo, files, html_files};

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
        let problems: Vec<_> =
            text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with("Document checking completed")).collect();
        if !output.status.success() || !problems.is_empty() {
            report.push_str(&format!("exit {:?}\n{}\n", output.status.code(), problems.join("\n")));
        }
    }
    assert!(report.is_empty(), "invalid HTML in {}:\n{report}", out.display());
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
    for name in ["two_editions", "markdown"] {
        let site = SiteFixture::new(name);
        site.build().assert_success();
        assert_valid_html(&jar, &site.out());
    }
}
