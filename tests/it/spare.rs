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
    // The record of the output's files (for deploy) is the one thing kept beside it.
    assert!(
        !names.iter().any(|n| n.starts_with(".public.") && n != ".public.masthead-files"),
        "left beside the output: {names:?}"
    );
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "output");
}

/// From a `-v` build's transcript: pages rendered through templates, and pages left
/// unrendered because the folder's manifest showed them unchanged.
fn rendered_and_kept(transcript: &str) -> (usize, usize) {
    let number = |line: &str, word: &str| -> usize {
        let before = &line[..line.find(word).unwrap_or_else(|| panic!("no `{word}` in {line:?}"))];
        before.split_whitespace().last().unwrap().replace(',', "").parse().unwrap()
    };
    let rendered = transcript
        .lines()
        .find(|l| l.contains("through templates"))
        .map(|l| number(l, "page"))
        .unwrap_or_else(|| panic!("{transcript}"));
    let kept = transcript.lines().find(|l| l.contains("were not rendered")).map_or(0, |l| number(l, "page"));
    (rendered, kept)
}

#[test]
fn a_build_into_the_spare_renders_only_the_pages_whose_inputs_changed() {
    let site = SiteFixture::new("two_editions");
    let first = site.run(&["-v", "build"]);
    first.assert_success();
    let (all, kept) = rendered_and_kept(&first.transcript());
    assert_eq!(kept, 0, "a first build renders every page");
    // The second build writes a new folder, the third recycles the first one's, whose
    // pages nobody recorded (there was no spare to keep the record in).
    site.build().assert_success();
    let third = site.run(&["-v", "build"]);
    third.assert_success();
    assert_eq!(rendered_and_kept(&third.transcript()), (all, 0), "{}", third.transcript());
    // The fourth recycles the second one's folder: nothing changed since.
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    let (rendered, kept) = rendered_and_kept(&run.transcript());
    assert_eq!(rendered, 0, "{}", run.transcript());
    assert!(kept >= all, "every page is kept: {kept} of {all}");
    let unchanged = snapshot(&site.out());
    assert!(spare(&site).join(".masthead-pages").is_file(), "the spare keeps the records");
    assert!(!unchanged.keys().any(|p| p.contains("masthead-pages")), "the records are never published");

    // A new sentence at the end of one article: its page and the feeds change, the
    // listings (which show titles and summaries) do not.
    let market = source(&site, "content/2026-03-03/market-day.md");
    site.write("content/2026-03-03/market-day.md", &format!("{market}\nThe fishmonger sold out by noon.\n"));
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    // Rendered: the article page, and for the search index its year's two other articles
    // (their files are left as they are); the other pages are not.
    assert_eq!(rendered_and_kept(&run.transcript()).0, 3, "only the year's articles: {}", run.transcript());
    assert!(run.stderr.contains("search: 1 of 1 bundle indexed (3 articles)"), "{}", run.transcript());
    let page = "2026/03/03/market-day/index.html";
    assert!(site.read(page).contains("The fishmonger sold out by noon."));
    let now = snapshot(&site.out());
    let changed: Vec<&String> = now.keys().filter(|k| unchanged.get(*k) != now.get(*k)).collect();
    let (index, pages): (Vec<&String>, Vec<&String>) = changed.iter().partition(|k| k.starts_with("pagefind/"));
    assert!(pages.iter().any(|k| k.as_str() == page) && pages.len() <= 4, "changed: {changed:?}");
    assert!(index.iter().all(|k| k.starts_with("pagefind/2026/") || *k == "pagefind/bundles.json"), "{index:?}");

    // The next build recycles a folder that missed that edit: it renders the page too, and
    // copies the year's search bundle from the site it replaces rather than indexing it.
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    assert_eq!(rendered_and_kept(&run.transcript()).0, 1, "{}", run.transcript());
    assert!(run.stderr.contains("search: 0 of 1 bundle indexed"), "{}", run.transcript());

    // A template every page extends changes every page.
    let base = site.site().join("templates/base.html");
    let theme_base = crate::support::repo_root().join("themes/daily/templates/base.html");
    let text = fs::read_to_string(&theme_base).unwrap();
    fs::create_dir_all(base.parent().unwrap()).unwrap();
    fs::write(&base, text.replace("</body>", "<!-- edited -->\n</body>")).unwrap();
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    let (rendered, _) = rendered_and_kept(&run.transcript());
    let pages = snapshot(&site.out());
    let web_pages: Vec<&String> =
        pages.keys().filter(|p| p.ends_with(".html") && !p.ends_with("newsletter.html")).collect();
    for p in &web_pages {
        assert!(String::from_utf8_lossy(&pages[*p]).contains("<!-- edited -->"), "{p} missed the edit");
    }
    assert!(rendered >= web_pages.len(), "{rendered} rendered, {} pages", web_pages.len());
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "after the edits");
}

#[test]
fn a_page_changed_by_hand_in_the_spare_is_rendered_again() {
    let site = SiteFixture::new("two_editions");
    for _ in 0..3 {
        site.build().assert_success();
    }
    // The spare holds the second build, with a manifest: change a page in it by hand,
    // keeping its length, and remove another.
    let page = spare(&site).join("2026/03/02/council-budget/index.html");
    let text = fs::read_to_string(&page).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    fs::write(&page, text.replacen("<title>", "<titlf>", 1)).unwrap();
    fs::remove_file(spare(&site).join("2026/03/03/index.html")).unwrap();
    let run = site.run(&["-v", "build"]);
    run.assert_success();
    assert_eq!(rendered_and_kept(&run.transcript()).0, 2, "{}", run.transcript());
    assert_same_tree(&fresh(&site), &snapshot(&site.out()), "output");
}
