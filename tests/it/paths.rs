//! Files the site does not own (SPEC §9): symbolic links are followed only inside the site
//! folder, masthead's own folders beside the output are never followed through a link,
//! and every output path content decides is checked while loading, so `check` finds what
//! `build` would trip over and no content writes a hidden file.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::serve::{REBUILD_WAIT, Server, poll};
use crate::support::{Run, SiteFixture, parse_diagnostics, snapshot};

const SECRET: &str = "TOP-SECRET-7f3a: not for publication";
const STORY: &str = "content/2026-03-02/only-story.md";

/// A folder beside the site (outside it) holding a secret file, a template and a story.
fn outside(site: &SiteFixture) -> std::path::PathBuf {
    let dir = site.root().join("outside");
    fs::create_dir_all(dir.join("2026-03-02")).unwrap();
    fs::write(dir.join("secret.txt"), SECRET).unwrap();
    fs::write(dir.join("article.html"), SECRET).unwrap();
    fs::write(dir.join("2026-03-02/leak.md"), format!("---\ntitle: Leak\n---\n{SECRET}\n")).unwrap();
    dir
}

/// `check` and `build` both fail with an error about `rel` naming `target`, and nothing
/// is written.
fn assert_refused_link(site: &SiteFixture, rel: &str, target: &Path) {
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.assert_failure();
        let err = run.error_about(rel);
        assert!(err.text().contains("outside the site folder"), "{command}: {}", err.raw);
        let target = target.canonicalize().unwrap().display().to_string();
        assert!(err.text().contains(&target), "{command}: the error should name `{target}`: {}", err.raw);
        assert!(!site.out().exists(), "{command} wrote an output folder\n{}", run.transcript());
    }
}

// Regression: `ln -s /etc static` published /etc; `content/`, `templates/`, a theme and
// `site.yaml` linked out of the site were read as well.
#[test]
fn site_folders_linked_out_of_the_site_are_errors_in_check_and_build() {
    for rel in ["static", "content", "templates", "themes", "site.yaml"] {
        let site = SiteFixture::new("minimal");
        let out = outside(&site);
        let target = if rel == "site.yaml" {
            fs::rename(site.site().join("site.yaml"), out.join("site.yaml")).unwrap();
            out.join("site.yaml")
        } else {
            if rel == "content" {
                fs::remove_dir_all(site.site().join("content")).unwrap();
            }
            out.clone()
        };
        symlink(&target, site.site().join(rel)).unwrap();
        // A link to a folder is named as one: `static/`.
        let shown = if target.is_dir() { format!("{rel}/") } else { rel.to_string() };
        assert_refused_link(&site, &shown, &target);
    }
}

// Regression: `ln -s /etc static` copied 371 files of `/etc` (`/etc/shadow` included) into
// `public/`. Now the build stops at the link, before reading anything under it: measured
// with `/usr/bin/time -v`, it stays far inside generous bounds.
#[test]
fn a_static_folder_linked_to_etc_is_refused_before_reading_it() {
    let site = SiteFixture::new("minimal");
    symlink("/etc", site.site().join("static")).unwrap();
    let (code, stderr, measured) = run_timed(site.root(), &["-s", "site", "--color", "never", "build"]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: static/: this symbolic link points outside the site folder, to `/etc`"),
        "{stderr}"
    );
    assert!(!site.out().exists(), "a build of a site linking /etc wrote an output folder");
    if let Some((seconds, kib)) = measured {
        assert!(seconds <= 10.0, "took {seconds} s");
        assert!(kib <= 1024 * 1024, "peak RSS {kib} KiB");
    }
}

/// Runs the binary under `/usr/bin/time -v` when it is there: the exit code, stderr, and
/// the elapsed seconds and peak RSS (KiB) it measured.
fn run_timed(cwd: &Path, args: &[&str]) -> (Option<i32>, String, Option<(f64, u64)>) {
    let bin = env!("CARGO_BIN_EXE_masthead");
    let timed = Path::new("/usr/bin/time").exists();
    let mut command = if timed { std::process::Command::new("/usr/bin/time") } else { std::process::Command::new(bin) };
    if timed {
        command.arg("-v").arg(bin);
    }
    let out = command.args(args).current_dir(cwd).output().expect("run masthead");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let field =
        |name: &str| stderr.lines().find_map(|l| l.trim().strip_prefix(name).map(str::trim).map(str::to_string));
    let measured = field("Elapsed (wall clock) time (h:mm:ss or m:ss):")
        .zip(field("Maximum resident set size (kbytes):"))
        .map(|(elapsed, kib)| {
            let seconds = elapsed.split(':').fold(0.0, |acc, part| acc * 60.0 + part.parse::<f64>().unwrap_or(0.0));
            (seconds, kib.parse().unwrap_or(u64::MAX))
        });
    let code = if timed { field("Exit status:").and_then(|c| c.parse().ok()) } else { out.status.code() };
    (code, stderr, measured)
}

// Regression: a link inside `static/` or `content/` pointing out of the site was skipped
// without a word (static) and must be an error naming the link and its target.
#[test]
fn links_in_static_and_content_pointing_out_of_the_site_are_errors() {
    let site = SiteFixture::new("minimal");
    let out = outside(&site);
    symlink(out.join("secret.txt"), site.site().join("content/2026-03-02/leak.txt")).unwrap();
    assert_refused_link(&site, "content/2026-03-02/leak.txt", &out.join("secret.txt"));
    fs::remove_file(site.site().join("content/2026-03-02/leak.txt")).unwrap();

    fs::create_dir_all(site.site().join("static/css")).unwrap();
    symlink(out.join("secret.txt"), site.site().join("static/css/leak.css")).unwrap();
    assert_refused_link(&site, "static/css/leak.css", &out.join("secret.txt"));
    symlink(&out, site.site().join("static/docs")).unwrap();
    let run = site.build();
    run.assert_failure();
    for rel in ["static/css/leak.css", "static/docs/"] {
        assert!(run.error_about(rel).text().contains("outside the site folder"), "{}", run.transcript());
    }
}

// Regression: links that stay inside the site folder are followed (files and folders).
#[test]
fn links_inside_the_site_are_followed() {
    let site = SiteFixture::new("minimal");
    site.write("shared/a.css", "body{}\n");
    fs::create_dir_all(site.site().join("static")).unwrap();
    symlink("../shared/a.css", site.site().join("static/in.css")).unwrap();
    symlink("../shared", site.site().join("static/shared")).unwrap();
    site.build().assert_success();
    assert_eq!(site.read("in.css"), "body{}\n");
    assert_eq!(site.read("shared/a.css"), "body{}\n");
}

// Regression: `static/.well-known/` is published; other hidden files of `static/` are
// left out with a warning naming them, not silently.
#[test]
fn static_well_known_is_published_and_other_hidden_files_are_noted() {
    let site = SiteFixture::new("minimal");
    site.write("static/.well-known/security.txt", "Contact: mailto:desk@example.com\n");
    site.write("static/.htaccess", "Deny from all\n");
    site.write("static/css/.DS_Store", "junk");
    let run = site.build();
    run.assert_success();
    assert!(site.exists(".well-known/security.txt"), "{:?}", site.output_files());
    assert!(!site.exists(".htaccess") && !site.exists("css/.DS_Store"), "{:?}", site.output_files());
    for rel in ["static/.htaccess", "static/css/.DS_Store"] {
        let warned = run.warnings().into_iter().any(|w| w.path.as_deref() == Some(rel));
        assert!(warned, "no warning about {rel}\n{}", run.transcript());
    }
    let about_well_known = run.warnings().into_iter().any(|w| w.path.is_some_and(|p| p.contains(".well-known")));
    assert!(!about_well_known, "{}", run.transcript());
}

// Regression: `serve --watch` applies the same rule: a link out of the site added while
// it runs is an error on the terminal, and its target is never served.
#[test]
fn serve_reports_a_link_out_of_the_site_and_never_serves_its_target() {
    let site = SiteFixture::new("serve");
    let out = outside(&site);
    let server = Server::start(&site, &[]);
    symlink(out.join("secret.txt"), server.site.join("static/leak.txt")).unwrap();
    let diag = poll(REBUILD_WAIT, || {
        parse_diagnostics(&server.stderr())
            .into_iter()
            .find(|d| d.path.as_deref() == Some("static/leak.txt"))
            .ok_or_else(|| "no diagnostic yet".to_string())
    })
    .unwrap_or_else(|_| panic!("no `error: static/leak.txt` on stderr\n{}", server.context()));
    assert!(diag.raw.starts_with("error: ") && diag.text().contains("outside the site folder"), "{}", diag.raw);
    let deadline = Instant::now() + Duration::from_millis(500);
    while Instant::now() < deadline {
        assert!(!server.get("/leak.txt").text().contains(SECRET), "served the target of a link out of the site");
        thread::sleep(Duration::from_millis(100));
    }
}

// Regression: a link named like masthead's temporary, old or spare folder made the next
// build empty (or write its page list into) another site's marked output folder.
#[test]
fn planted_links_at_masthead_own_folder_names_are_removed_as_links() {
    let site = SiteFixture::new("minimal");
    site.build().assert_success();
    let names = [".public.masthead-tmp-4000000000", ".public.masthead-old-4000000001", ".public.masthead-spare"];
    let mut theirs = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let dir = site.root().join(format!("elsewhere-{i}/public"));
        fs::create_dir_all(dir.join("2025/01/01")).unwrap();
        fs::write(
            dir.join(".masthead-output"),
            "This folder is written by masthead build and replaced on every build.\n",
        )
        .unwrap();
        fs::write(dir.join("index.html"), "<p>another site</p>\n").unwrap();
        fs::write(dir.join("2025/01/01/users-notes.txt"), "a user's file\n").unwrap();
        symlink(&dir, site.site().join(name)).unwrap();
        theirs.push((dir.clone(), snapshot(&dir)));
    }
    for _ in 0..2 {
        site.build().assert_success();
        for (dir, before) in &theirs {
            assert_eq!(&snapshot(dir), before, "{} changed", dir.display());
            assert!(!dir.join(".masthead-pages").exists());
        }
        for name in names {
            let left = fs::symlink_metadata(site.site().join(name));
            assert!(left.is_err() || !left.unwrap().file_type().is_symlink(), "the link {name} is still there");
        }
    }
    assert!(site.exists("index.html"));
}

/// Writes the story's front matter with one extra line (line 3).
fn story_with(site: &SiteFixture, line: &str) {
    site.write(STORY, &format!("---\ntitle: The only story\n{line}\n---\nNothing else happened.\n"));
}

/// `check` and `build` fail alike with an error about `rel` (at `line`) whose text holds
/// `fragment`; build writes nothing and shows no bare OS error.
fn assert_check_equals_build(site: &SiteFixture, rel: &str, line: Option<u32>, fragment: &str) -> Run {
    let mut last = None;
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.assert_failure();
        let err = run.error_about(rel);
        assert_eq!(err.line, line, "{command}: {}", err.raw);
        assert!(err.text().contains(fragment), "{command}: `{fragment}` not in {}", err.raw);
        assert!(!run.stderr.contains("os error"), "{command}: {}", run.transcript());
        assert!(!site.out().exists(), "{command} wrote an output folder");
        last = Some(run);
    }
    last.unwrap()
}

// Regression: a tag, section, author, slug or alias segment over 255 bytes passed `check`
// and failed `build` with `File name too long (os error 36)`, naming no source file.
#[test]
fn names_too_long_for_the_file_system_fail_check_at_their_line() {
    let long = "a".repeat(300);
    for key in [
        format!("tags: [news, {long}]"),
        format!("section: {long}"),
        format!("author: [Ada, {long}]"),
        format!("slug: {long}"),
        format!("aliases: [/old/{long}/]"),
    ] {
        let site = SiteFixture::new("minimal");
        story_with(&site, &key);
        assert_check_equals_build(&site, STORY, Some(3), "300 bytes long");
    }
}

// Regression: a backslash in a file name under `content/` (`x\..\y.csv`) failed `build`
// without naming the file, and `a\b.csv` was published as `a/b.csv`.
#[test]
fn backslashes_in_content_file_names_fail_check_naming_the_file() {
    for name in ["a\\b.csv", "x\\..\\y.csv"] {
        let site = SiteFixture::new("minimal");
        site.write(&format!("content/misc/{name}"), "1,2\n");
        // On Unix a `\` is part of the name, and the diagnostic shows the name as it is.
        let shown = format!("content/misc/{name}");
        let run = assert_check_equals_build(&site, &shown, None, "backslash");
        assert!(run.error_about(&shown).text().contains(name), "{}", run.transcript());
    }
}

// Regression: a copied file that would overwrite a page failed `build` only.
#[test]
fn a_file_that_would_overwrite_a_page_fails_check() {
    let site = SiteFixture::new("minimal");
    site.write("content/index.html", "<p>not the front page</p>\n");
    assert_check_equals_build(&site, "content/index.html", None, "would overwrite the page `index.html`");
}

// Regression: `aliases: ["/.htaccess"]` wrote `public/.htaccess`, and
// `"/.masthead-output"` overwrote masthead's marker with a redirect page.
#[test]
fn aliases_never_write_hidden_files() {
    let site = SiteFixture::new("minimal");
    site.build().assert_success();
    let marker = site.read(".masthead-output");
    for alias in ["/.htaccess", "/.masthead-output", "/old/.git/config", "/.well-known/x/"] {
        story_with(&site, &format!("aliases: [\"{alias}\"]"));
        for command in ["check", "build"] {
            let run = site.run(&[command]);
            run.assert_failure();
            let err = run.error_about(STORY);
            assert_eq!(err.line, Some(3), "{}", err.raw);
            assert!(err.text().contains("starts with `.`"), "{}", err.raw);
        }
        assert_eq!(site.read(".masthead-output"), marker);
        assert!(!site.exists(".htaccess") && !site.exists("old/.git/config/index.html"));
    }
}
