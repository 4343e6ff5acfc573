//! The promises that protect a newsroom's server: atomic and deterministic builds, nothing
//! written outside the output folder, a user's folder never wiped, files readable by the
//! web server.

use std::fs;
use std::path::Path;

use crate::support::{CLOCK, SiteFixture, assert_same_tree, build_demo, entries, files, masthead_command, snapshot};

#[test]
fn failed_build_leaves_previous_output_byte_identical() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let before = snapshot(&site.out());
    let beside = entries(site.site());
    assert!(before.contains_key(".masthead-output"));

    // A new good article and a broken one: nothing of either may reach the output.
    site.write("content/2026-03-03/new-story.md", "---\ntitle: Brand new\n---\nFresh.\n");
    site.write("content/2026-03-03/broken.md", "---\ntitel: Typo\n---\nBody.\n");
    site.build().assert_failure();

    assert_same_tree(&before, &snapshot(&site.out()), "output after a failed build");
    let mut after = entries(site.site());
    after.retain(|e| !e.starts_with("content/2026-03-03/new-story") && !e.contains("broken.md"));
    assert_eq!(after, beside, "failed build left temp files beside the output");
}

#[test]
fn builds_are_deterministic() {
    let site = SiteFixture::new("two_editions");
    let (a, b) = (site.root().join("a"), site.root().join("b"));
    for out in [&a, &b] {
        site.run(&["build", "--output", out.to_str().unwrap()]).assert_success();
    }
    assert_same_tree(&snapshot(&a), &snapshot(&b), "two builds of two_editions");
}

#[test]
fn demo_site_builds_are_deterministic() {
    let (one, two) = (build_demo(&[]), build_demo(&[]));
    one.run.assert_success();
    two.run.assert_success();
    assert!(!files(&one.out).is_empty());
    assert_same_tree(&snapshot(&one.out), &snapshot(&two.out), "two builds of the demo site");
}

#[test]
fn rebuild_is_byte_identical_and_drops_removed_articles() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let first = snapshot(&site.out());
    site.build().assert_success();
    assert_same_tree(&first, &snapshot(&site.out()), "rebuild over the previous output");

    // An article added, built, then removed: its page must go with it (the output is
    // replaced whole, not updated in place).
    site.write("content/2026-03-03/late-story.md", "---\ntitle: Late story\n---\nFiled late.\n");
    site.build().assert_success();
    assert!(site.exists("2026/03/03/late-story/index.html"));
    site.remove("content/2026-03-03/late-story.md");
    site.build().assert_success();
    assert!(!site.exists("2026/03/03/late-story/index.html"), "page of a removed article survived the rebuild");
    assert_same_tree(&first, &snapshot(&site.out()), "back to the first input");
}

/// Every entry under `root` except those inside `root/site/public`.
fn outside_output(root: &Path) -> Vec<String> {
    entries(root).into_iter().filter(|e| !e.starts_with("site/public/")).collect()
}

#[test]
fn hostile_slugs_stay_inside_the_output() {
    let site = SiteFixture::new("hostile_slug");
    let abs_before = Path::new("/abs").exists();
    let before = outside_output(site.root());
    let run = site.build();

    let mut after = outside_output(site.root());
    // masthead's own record of the output's files (for deploy) sits beside it, at a fixed name.
    after.retain(|e| e != "site/public/" && e != "site/.public.masthead-files");
    let mut expected = before.clone();
    expected.retain(|e| e != "site/public/");
    assert_eq!(after, expected, "files written outside public/\n{}", run.transcript());
    if !abs_before && Path::new("/abs").exists() {
        let _ = fs::remove_dir_all("/abs"); // ours: clean up before failing
        panic!("`slug: /abs` wrote to /abs");
    }
    assert!(!site.exists("evil"), "`../../../evil` climbed to the output root");

    run.assert_success();
    // Every slug became a safe one: lower-case ASCII letters, digits and `-`.
    let mut slugs: Vec<String> = fs::read_dir(site.out().join("2026/03/02"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    slugs.sort();
    for slug in &slugs {
        assert!(
            !slug.is_empty() && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "unsafe slug folder `{slug}`"
        );
    }
    assert_eq!(slugs.len(), 6, "one page per article: {slugs:?}");
    assert!(site.exists("2026/03/02/evil/index.html"), "{slugs:?}");
    assert!(site.exists("2026/03/02/unicode-strasse/index.html"), "{slugs:?}");
}

#[test]
fn refuses_an_output_folder_it_did_not_create() {
    let site = SiteFixture::new("minimal");
    let mine = site.root().join("mine");
    fs::create_dir_all(mine.join("photos")).unwrap();
    fs::write(mine.join("notes.txt"), "my precious notes\n").unwrap();
    fs::write(mine.join("photos/cat.jpg"), "meow").unwrap();
    let before = snapshot(&mine);
    let around = entries(site.root());

    let run = site.run(&["build", "--output", mine.to_str().unwrap()]);
    run.assert_failure();
    assert!(run.stderr.lines().any(|l| l.starts_with("error: ")), "no error line\n{}", run.transcript());
    assert_same_tree(&before, &snapshot(&mine), "the user's folder");
    assert_eq!(entries(site.root()), around, "refused build still wrote files");
}

#[test]
fn builds_into_an_empty_output_folder() {
    let site = SiteFixture::new("minimal");
    let empty = site.root().join("empty");
    fs::create_dir(&empty).unwrap();
    site.run(&["build", "--output", empty.to_str().unwrap()]).assert_success();
    assert!(empty.join("2026/03/02/only-story/index.html").is_file());
}

/// The process umask, from `/proc/self/status` (Linux); `None` elsewhere.
#[cfg(unix)]
fn umask() -> Option<u32> {
    let status = fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("Umask:"))?;
    u32::from_str_radix(line.trim(), 8).ok()
}

#[cfg(unix)]
#[test]
fn output_is_readable_by_everyone() {
    use std::os::unix::fs::PermissionsExt;

    match umask() {
        Some(0o022) | Some(0o002) => {}
        other => {
            let shown = other.map_or("unknown".to_string(), |m| format!("{m:03o}"));
            eprintln!("skipping: umask is {shown}, the test expects the usual 022");
            return;
        }
    }
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let out = site.out();
    let mut wrong = Vec::new();
    let root_mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    if root_mode & 0o755 != 0o755 {
        wrong.push(format!("public/ is {root_mode:o}"));
    }
    for entry in entries(&out) {
        let meta = fs::metadata(out.join(&entry)).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        let want = if meta.is_dir() { 0o755 } else { 0o644 };
        // Group write (umask 002) is fine; what matters is that others can read.
        if mode & want != want || mode & 0o002 != 0 {
            wrong.push(format!("{entry} is {mode:o}, want {want:o}"));
        }
    }
    assert!(wrong.is_empty(), "not world-readable:\n{}", wrong.join("\n"));
}

/// Runs `masthead --clock … <args>` in `cwd` with `HOME` set to `home`, capturing stderr.
fn run_with_home(cwd: &Path, home: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["--color", "never", "--clock", CLOCK];
    all.extend_from_slice(args);
    let out = masthead_command(cwd, &all).env("HOME", home).output().expect("run masthead");
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Asserts a refused build: exit code 1, one `error:` line that says why, and not one
/// file or folder added, changed or removed anywhere under `watched`.
fn assert_refused(cwd: &Path, home: &Path, args: &[&str], watched: &Path, why: &str) {
    let before = snapshot(watched);
    let listing = entries(watched);
    let (code, stderr) = run_with_home(cwd, home, args);
    let shown = format!("masthead {}\n{stderr}", args.join(" "));
    assert_eq!(code, Some(1), "not refused: {shown}");
    let error = stderr.lines().find(|l| l.starts_with("error: ")).unwrap_or_else(|| panic!("no error line: {shown}"));
    assert!(error.contains("refusing") && error.contains(why), "unclear error: {shown}");
    assert_eq!(entries(watched), listing, "files added or removed: {shown}");
    assert_same_tree(&before, &snapshot(watched), &shown);
}

#[test]
fn refuses_outputs_that_hold_the_site() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let (root, home) = (site.root(), site.root().join("nobody"));
    fs::write(root.join("notes.txt"), "beside the site\n").unwrap();
    // From the folder that holds the site, and from inside the site itself.
    for (cwd, source, output) in [
        (root, "site", "."),
        (root, "site", "site"),
        (root, "site", root.to_str().unwrap()),
        (site.site(), ".", "."),
        (site.site(), ".", ".."),
        (site.site(), ".", "./"),
    ] {
        assert_refused(cwd, &home, &["-s", source, "build", "--output", output], root, "holds the site");
    }
}

#[test]
fn refuses_outputs_inside_the_site_sources() {
    let site = SiteFixture::new("two_editions");
    fs::create_dir_all(site.site().join("static/css")).unwrap();
    fs::write(site.site().join("static/css/extra.css"), "p { color: navy }\n").unwrap();
    let home = site.root().join("nobody");
    for (output, folder) in [
        ("site/content", "content"),
        ("site/content/2026-03-02", "content"),
        ("site/content/new", "content"),
        ("site/static/css", "static"),
        // Regression: a `..` after a folder that does not exist yet hid the target.
        ("site/new/../content/x", "content"),
        ("site/public/../static/y", "static"),
    ] {
        let why = format!("inside the site's `{folder}/` folder");
        assert_refused(site.root(), &home, &["-s", "site", "build", "--output", output], site.root(), &why);
    }
}

#[test]
fn refuses_the_file_system_root_and_the_home_folder() {
    let site = SiteFixture::new("minimal");
    let root_listing = entries_one_level(Path::new("/"));

    let (code, stderr) =
        run_with_home(site.root(), &site.root().join("nobody"), &["-s", "site", "build", "--output", "/"]);
    assert_eq!(code, Some(1), "building into / was not refused:\n{stderr}");
    assert!(stderr.lines().any(|l| l.starts_with("error: refusing to build into `/`")), "{stderr}");
    assert_eq!(entries_one_level(Path::new("/")), root_listing, "something was written to /");

    // An empty home folder would be a valid output folder anywhere else; a full one
    // also lacks the marker. Neither is touched.
    let home = site.root().join("home");
    fs::create_dir(&home).unwrap();
    let args = ["-s", "site", "build", "--output", home.to_str().unwrap()];
    assert_refused(site.root(), &home, &args, site.root(), "home folder");
    fs::write(home.join(".profile"), "export EDITOR=vi\n").unwrap();
    fs::create_dir_all(home.join("Documents")).unwrap();
    fs::write(home.join("Documents/draft.md"), "my draft\n").unwrap();
    assert_refused(site.root(), &home, &args, site.root(), "home folder");
    // Spelt relative to the cwd, or through a symbolic link, it is the same folder.
    assert_refused(&home, &home, &["-s", "../site", "build", "--output", "."], site.root(), "home folder");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&home, site.root().join("link-to-home")).unwrap();
        let args = ["-s", "site", "build", "--output", "link-to-home"];
        assert_refused(site.root(), &home, &args, site.root(), "home folder");
    }
}

#[test]
fn refuses_folders_of_foreign_files_however_they_are_reached() {
    let site = SiteFixture::new("minimal");
    let home = site.root().join("nobody");
    let theirs = site.root().join("theirs");
    fs::create_dir_all(theirs.join("deep/er")).unwrap();
    fs::write(theirs.join("index.html"), "<p>someone else's page</p>\n").unwrap();
    fs::write(theirs.join("deep/er/data.bin"), [0u8, 159, 146, 150]).unwrap();
    fs::write(theirs.join(".hidden"), "only a dotfile would be enough\n").unwrap();
    let why = "holds files masthead did not write";
    assert_refused(site.root(), &home, &["-s", "site", "build", "--output", "theirs"], site.root(), why);
    // Only a hidden file in it: still not masthead's.
    fs::remove_dir_all(theirs.join("deep")).unwrap();
    fs::remove_file(theirs.join("index.html")).unwrap();
    assert_refused(site.root(), &home, &["-s", "site", "build", "--output", "theirs"], site.root(), why);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&theirs, site.site().join("public")).unwrap();
        assert_refused(site.root(), &home, &["-s", "site", "build"], site.root(), why);
    }
}

/// The names directly inside `dir`, sorted.
fn entries_one_level(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}
