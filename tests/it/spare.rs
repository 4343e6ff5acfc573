//! The spare: the site a build replaces stays beside the output as
//! `.public.masthead-spare`, and the next build is written into it. What it writes must be
//! byte for byte a fresh build, and nothing in the spare (stale pages, links, hard links)
//! may leak into the output or be written through.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::support::{SiteFixture, assert_same_tree, snapshot};

fn spare(site: &SiteFixture) -> PathBuf {
    site.site().join(".public.masthead-spare")
}

/// A fresh build of the site as it is now, into a folder of its own.
fn fresh(site: &SiteFixture) -> std::collections::BTreeMap<String, Vec<u8>> {
    let dir = site
        .root()
        .join(format!("fresh-{}", SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos()));
    site.run(&["build", "--output", dir.to_str().unwrap()]).assert_success();
    snapshot(&dir)
}

fn source(site: &SiteFixture, rel: &str) -> String {
    fs::read_to_string(site.site().join(rel)).unwrap()
}

fn modified(path: &Path) -> SystemTime {
    fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).modified().unwrap()
}

/// Two builds: the output holds the second, the spare the first.
fn built_twice(site: &SiteFixture) {
    site.build().assert_success();
    assert!(!spare(site).exists(), "a first build has nothing to keep");
    site.build().assert_success();
    assert!(spare(site).join(".masthead-output").is_file(), "the replaced site is kept, with its marker");
}

#[test]
fn a_recycled_build_equals_a_fresh_one_after_every_kind_of_change() {
    let site = SiteFixture::new("two_editions");
    built_twice(&site);
    // Pages that go (an article, a whole edition, a tag), pages that come, a copied
    // file that changes and one that goes.
    site.remove("content/2026-03-03/market-day.md");
    site.write(
        "content/2026-03-04/tram-trial.md",
        "---\ntitle: Tram trial starts\nauthor: Ada Quay\ntags: [transport]\n---\nThe first tram ran at six.\n",
    );
    site.write("content/2026-03-02/chart.csv", "year,boats\n2026,14\n");
    fs::remove_file(site.site().join("content/2026-03-02/harbour.jpg")).unwrap();
    let harbour = fs::read_to_string(site.site().join("content/2026-03-02/harbour-reopens.md")).unwrap();
    let without_photo: String = {
        let (head, body) = harbour.split_once("\n---\n").unwrap();
        let head: Vec<&str> = head.lines().take_while(|l| !l.starts_with("photo:")).collect();
        format!("{}\n---\n{body}", head.join("\n"))
    };
    site.write("content/2026-03-02/harbour-reopens.md", &without_photo);
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "recycled build against a fresh one");
    assert!(!site.exists("2026/03/03/market-day/index.html"), "a removed article's page is gone");
    assert!(site.exists("2026/03/04/tram-trial/index.html"));
    assert!(run.transcript().contains("already held their bytes"), "{}", run.transcript());

    // And once more with nothing changed: everything is left as it was.
    site.build().assert_success();
    site.build().assert_success();
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "second recycled build");
}

#[test]
fn unchanged_pages_keep_their_time_and_changed_ones_are_rewritten() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let page = "2026/03/02/council-budget/index.html";
    let first = modified(&site.out().join(page));
    let css = "css/daily.css";
    let first_css = modified(&site.out().join(css));
    std::thread::sleep(Duration::from_millis(30));
    site.build().assert_success();
    let second = modified(&site.out().join(page));
    assert_ne!(first, second, "a build into a new folder writes every file");
    std::thread::sleep(Duration::from_millis(30));

    site.write("site.yaml", &source(&site, "site.yaml").replace("title: The Ledger", "title: The Register"));
    site.write(
        "content/2026-03-03/market-day.md",
        "---\ntitle: Market day returns to the square\nauthor: Ada Quay\n---\nStalls went up at six.\n",
    );
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    // The third build wrote into the first one's folder: pages the edits did not touch
    // still have the first build's time.
    let feed = modified(&site.out().join("feed.json"));
    assert!(feed > second, "feed.json changed and must be rewritten");
    assert!(site.read("2026/03/03/market-day/index.html").contains("Stalls went up at six."));
    assert!(site.read(page).contains("The Register"), "the title is on every page");
    assert_eq!(modified(&site.out().join(css)), first_css, "an unchanged file was rewritten");
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "after the edits");
}

#[cfg(unix)]
#[test]
fn a_hard_link_to_a_spare_file_is_never_written_through() {
    let site = SiteFixture::new("two_editions");
    built_twice(&site);
    let backup = site.root().join("backup-index.html");
    fs::hard_link(spare(&site).join("index.html"), &backup).unwrap();
    let before = fs::read(&backup).unwrap();
    site.write("site.yaml", &source(&site, "site.yaml").replace("title: The Ledger", "title: The Register"));
    site.build().assert_success();
    assert_eq!(fs::read(&backup).unwrap(), before, "the user's hard link was written through");
    assert!(site.read("index.html").contains("The Register"));
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "output");
}

#[cfg(unix)]
#[test]
fn links_planted_in_the_spare_are_removed_not_followed() {
    let site = SiteFixture::new("two_editions");
    built_twice(&site);
    let outside = site.root().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("index.html"), "not masthead's").unwrap();
    // A folder the new site needs, and a file, replaced by links to the user's files.
    let day = spare(&site).join("2026/03/02");
    fs::remove_dir_all(&day).unwrap();
    std::os::unix::fs::symlink(&outside, &day).unwrap();
    fs::remove_file(spare(&site).join("feed.xml")).unwrap();
    std::os::unix::fs::symlink(outside.join("index.html"), spare(&site).join("feed.xml")).unwrap();
    site.build().assert_success();
    assert_eq!(fs::read_to_string(outside.join("index.html")).unwrap(), "not masthead's");
    assert_eq!(fs::read_dir(&outside).unwrap().count(), 1, "nothing was written into the linked folder");
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "output");
}

#[test]
fn a_failed_build_leaves_the_spare_for_the_next_one() {
    let site = SiteFixture::new("two_editions");
    built_twice(&site);
    let output = snapshot(&site.out());
    site.write("content/2026-03-03/broken.md", "---\ntitel: Typo\n---\nBody.\n");
    site.build().assert_failure();
    assert_same_tree(&output, &snapshot(&site.out()), "output after a failed build");
    assert!(spare(&site).join(".masthead-output").is_file(), "the spare is put back");
    site.remove("content/2026-03-03/broken.md");
    site.build().assert_success();
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "the build after the failed one");
}

#[test]
fn reuse_previous_build_false_keeps_no_spare() {
    let site = SiteFixture::new("two_editions");
    built_twice(&site);
    site.write("site.yaml", &format!("{}reuse_previous_build: false\n", source(&site, "site.yaml")));
    site.build().assert_success();
    assert!(!spare(&site).exists(), "the spare is removed once the setting is off");
    site.build().assert_success();
    assert!(!spare(&site).exists());
    let names: Vec<String> =
        fs::read_dir(site.site()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert!(!names.iter().any(|n| n.starts_with(".public.")), "left beside the output: {names:?}");
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "output");
}
