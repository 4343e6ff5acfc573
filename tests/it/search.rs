//! Search (SPEC §10) on the `search` fixture: two years of editions under the sub-path
//! `/ledger/`, a draft and a scheduled edition each holding a word nothing published holds.
//! The index is read back as the browser reads it: `pagefind/bundles.json`, then each
//! bundle's gzipped fragments (one per article: URL, text, metadata, filters) and word
//! index chunks. The browser side is in `search_browser.rs`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use serde_json::Value;

use crate::support::{SiteFixture, files, read_to_string, sel, text_of};

/// A Pagefind file: gzip (or not) around a `pagefind_dcd` signature.
fn unpack(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).is_err() {
        out = bytes.to_vec();
    }
    assert!(out.starts_with(b"pagefind_dcd"), "not a Pagefind file");
    out.split_off(12)
}

/// One bundle as the browser reads it.
struct Bundle {
    /// Every file of the bundle, relative to its folder, with its bytes.
    files: BTreeMap<String, Vec<u8>>,
    /// The fragments (one per article), by URL.
    pages: BTreeMap<String, Value>,
    /// The word index chunks, unpacked and joined: the indexed words are in it as text.
    words: Vec<u8>,
}

fn bundle(out: &Path, key: &str) -> Bundle {
    let dir = out.join("pagefind").join(key);
    let mut b = Bundle { files: BTreeMap::new(), pages: BTreeMap::new(), words: Vec::new() };
    for rel in files(&dir) {
        let bytes = std::fs::read(dir.join(&rel)).unwrap();
        if rel.starts_with("fragment/") {
            let page: Value = serde_json::from_slice(&unpack(&bytes)).unwrap();
            b.pages.insert(page["url"].as_str().unwrap().to_string(), page);
        } else if rel.starts_with("index/") {
            b.words.extend(unpack(&bytes));
        }
        b.files.insert(rel, bytes);
    }
    b
}

/// The bundle folders `bundles.json` lists, in its order (newest first).
fn bundle_keys(out: &Path) -> Vec<String> {
    let list: Value = serde_json::from_str(&read_to_string(&out.join("pagefind/bundles.json"))).unwrap();
    list["bundles"].as_array().unwrap().iter().map(|b| b["key"].as_str().unwrap().to_string()).collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

const DREDGING: &str = "/ledger/2026/05/29/harbour-dredging/";

// Regression: a site had no search at all; now the build indexes the published articles
// (drafts and scheduled editions never, even when the build shows them) into one bundle
// per edition year, with the metadata and filters the search page shows.
#[test]
fn the_index_holds_published_articles_only_with_their_metadata_and_filters() {
    let site = SiteFixture::new("search");
    for args in [&["build"][..], &["build", "--drafts", "--future"][..]] {
        let run = site.run(args);
        run.assert_success();
        let out = site.out();
        assert_eq!(bundle_keys(&out), ["2026", "2025"], "{}", run.transcript());
        let (old, new) = (bundle(&out, "2025"), bundle(&out, "2026"));
        let urls: Vec<&String> = old.pages.keys().chain(new.pages.keys()).collect();
        assert_eq!(
            urls,
            [
                "/ledger/2025/11/03/ferry-timetable/",
                "/ledger/2025/11/04/library-roof/",
                "/ledger/2026/05/29/council-budget/",
                DREDGING,
                "/ledger/2026/05/30/rowing-regatta/",
            ],
            "only published articles, each in its year's bundle ({args:?})"
        );
        for b in [&old, &new] {
            // The draft's and the embargoed story's own words are nowhere in the index.
            for secret in ["zanzibarin", "quixotri", "marmaliz"] {
                assert!(!contains(&b.words, secret), "`{secret}` is in the word index ({args:?})");
                assert!(b.pages.values().all(|p| !p.to_string().contains(secret)), "`{secret}` in a fragment");
            }
        }
        assert!(contains(&new.words, "dredg"), "the published article's words are indexed");
    }

    let page = &bundle(&site.out(), "2026").pages[DREDGING];
    assert_eq!(page["meta"]["title"], "Harbour dredging starts next month");
    assert_eq!(page["meta"]["date"], "May 29, 2026");
    assert_eq!(page["meta"]["section"], "Transport");
    assert_eq!(page["meta"]["image"], "https://images.example.com/dredger.jpg");
    assert_eq!(page["filters"]["author"], serde_json::json!(["Mira Kovac", "Tomas Berg"]));
    assert_eq!(page["filters"]["section"], serde_json::json!(["Transport"]));
    assert_eq!(page["filters"]["year"], serde_json::json!(["2026"]));
    let text = page["content"].as_str().unwrap();
    for part in [
        "Harbour dredging starts next month",
        "Boats will use the north pier",
        "By Mira Kovac and Tomas Berg",
        "The dredger arrived on Thursday.",
        "Photo by Ana Silva",
        "Dredging of the harbour channel starts in June.",
    ] {
        assert!(text.contains(part), "`{part}` is not indexed: {text}");
    }
    for chrome in ["This article appeared in", "Read 05/29 edition", "Next article", "Council passes"] {
        assert!(!text.contains(chrome), "`{chrome}` (banner, pager) is indexed: {text}");
    }
    // The edition-date sort is in the bundle's metadata, which the browser loads first.
    let new = bundle(&site.out(), "2026");
    let meta = new.files.iter().find(|(n, _)| n.ends_with(".pf_meta")).map(|(_, b)| unpack(b)).unwrap();
    assert!(contains(&meta, "date"), "no `date` sort in the bundle's metadata");

    // The search page, under the sub-path, offers what the filters can narrow to.
    let doc = site.html("search/index.html");
    let root = doc.select(&sel("main [data-search]")).next().expect("the search page's region");
    assert_eq!(root.value().attr("data-pagefind"), Some("/ledger/pagefind/"));
    assert_eq!(root.value().attr("data-bundles"), Some("/ledger/pagefind/2026/ /ledger/pagefind/2025/"));
    let options = |id: &str| -> Vec<String> {
        doc.select(&sel(&format!("#{id} option"))).map(text_of).collect::<Vec<_>>()[1..].to_vec()
    };
    assert_eq!(options("search-section"), ["Local", "Politics", "Sports", "Transport"]);
    assert_eq!(options("search-author"), ["Ana Silva", "Mira Kovac", "Tomas Berg"]);
    assert_eq!(options("search-year"), ["2026", "2025"]);
    assert!(site.exists("pagefind/pagefind.js"), "the search API is published");
    assert!(site.exists("js/search.js"));
    // Every page's header has the search box, a plain GET form to the search page.
    for page in ["index.html", "2025/11/03/ferry-timetable/index.html", "404.html"] {
        let doc = site.html(page);
        let form = doc.select(&sel("header form[role=search]")).next().unwrap_or_else(|| panic!("no form in {page}"));
        assert_eq!(form.value().attr("action"), Some("/ledger/search/"), "{page}");
        assert_eq!(form.value().attr("method"), Some("get"), "{page}");
        assert!(doc.select(&sel("header form[role=search] input[name=q]")).next().is_some(), "{page}");
    }
}

/// Every file of a bundle with its bytes and modification time.
fn stamped(out: &Path, key: &str) -> BTreeMap<String, (Vec<u8>, std::time::SystemTime)> {
    let dir = out.join("pagefind").join(key);
    files(&dir)
        .into_iter()
        .map(|rel| {
            let path = dir.join(&rel);
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            (rel, (std::fs::read(&path).unwrap(), modified))
        })
        .collect()
}

// Regression: every build indexed every article; now an edit re-indexes only its year's
// bundle, and the other bundles are neither indexed nor rewritten (same bytes, same
// modification time), through the recycled folder and the site it replaces alike.
#[test]
fn an_edit_reindexes_only_its_year_and_leaves_the_other_bundle_byte_identical() {
    let site = SiteFixture::new("search");
    let first = site.run(&["-v", "build"]);
    first.assert_success();
    assert!(first.stderr.contains("search: 2 of 2 bundles indexed (5 articles)"), "{}", first.transcript());
    let before = stamped(&site.out(), "2025");
    let new_before = bundle(&site.out(), "2026");

    std::thread::sleep(std::time::Duration::from_millis(20));
    let path = "content/2026-05-30/rowing-regatta.md";
    site.write(
        path,
        &read_to_string(&site.site().join(path)).replace("the club said.", "the club said. Quokkas watched."),
    );
    // The first rebuild indexes 2026 and copies the 2025 bundle from the site it replaces
    // into a fresh folder; the next ones recycle older folders, where the bundles with
    // unchanged digests are kept as they are and the others copied from the live site.
    for round in 1..=3 {
        let run = site.run(&["-v", "build"]);
        run.assert_success();
        let expected = if round == 1 { "search: 1 of 2 bundles indexed (3 articles)" } else { "search: 0 of 2" };
        assert!(run.stderr.contains(expected), "round {round}: {}", run.transcript());
        let after = stamped(&site.out(), "2025");
        assert_eq!(
            after.iter().map(|(k, v)| (k, &v.0)).collect::<Vec<_>>(),
            before.iter().map(|(k, v)| (k, &v.0)).collect::<Vec<_>>(),
            "round {round}: the 2025 bundle changed"
        );
        if round == 2 {
            // The recycled folder is the first build's: its bundle was kept, not rewritten.
            let times = |m: &BTreeMap<String, (Vec<u8>, std::time::SystemTime)>| -> Vec<std::time::SystemTime> {
                m.values().map(|v| v.1).collect()
            };
            assert_eq!(times(&after), times(&before), "the kept 2025 bundle was rewritten");
        }
    }
    let new_after = bundle(&site.out(), "2026");
    assert!(contains(&new_after.words, "quokka"), "the edited article's new word is indexed");
    assert!(!contains(&new_before.words, "quokka"));
    assert_ne!(new_before.files, new_after.files);

    // Built afresh elsewhere, the index is the same bytes: builds are deterministic.
    let fresh = site.root().join("fresh");
    site.run(&["build", "--output", fresh.to_str().unwrap()]).assert_success();
    for key in ["2025", "2026"] {
        assert_eq!(bundle(&fresh, key).files, bundle(&site.out(), key).files, "bundle {key}");
    }
    assert_eq!(read_to_string(&fresh.join("pagefind/bundles.json")), site.read("pagefind/bundles.json"));
}

// Regression: `search.enabled: false` turns the index, the search page and the header's
// search box off, and a site that had them loses them on the next build.
#[test]
fn search_off_publishes_no_index_no_page_and_no_search_box() {
    let site = SiteFixture::new("search");
    site.build().assert_success();
    assert!(site.exists("pagefind/bundles.json") && site.exists("search/index.html"));
    let yaml = read_to_string(&site.site().join("site.yaml"));
    site.write("site.yaml", &format!("{yaml}search:\n  enabled: false\n"));
    for _ in 0..2 {
        site.build().assert_success();
        assert!(!site.exists("pagefind"), "pagefind/ is still published");
        assert!(!site.exists("search"), "the search page is still published");
        let doc = site.html("index.html");
        assert!(doc.select(&sel("form[role=search]")).next().is_none(), "the header still has a search box");
        let article = site.read("2026/05/29/harbour-dredging/index.html");
        assert!(!article.contains("data-pagefind"), "search markup without search");
    }
}

// Regression: `search.language` names the index's language (stemming) instead of the
// site's; a value that is not a language code is an error at its line, and nothing is
// written (Pagefind puts the code in file names).
#[test]
fn search_language_overrides_the_site_language_and_is_checked() {
    let site = SiteFixture::new("search");
    let yaml = read_to_string(&site.site().join("site.yaml"));
    site.write("site.yaml", &format!("{yaml}search:\n  language: de\n"));
    site.build().assert_success();
    let entry: Value = serde_json::from_str(&site.read("pagefind/2026/pagefind-entry.json")).unwrap();
    assert!(entry["languages"]["de"].is_object(), "{entry}");
    assert!(site.exists("pagefind/2026/wasm.de.pagefind"));
    assert!(site.read("index.html").contains("<html lang=\"en\">"), "pages keep the site's language");

    std::fs::remove_dir_all(site.out()).unwrap();
    site.write("site.yaml", &format!("{yaml}search:\n  language: ../../evil\n"));
    let run = site.build();
    run.assert_failure();
    let d = run.error_about("site.yaml");
    assert_eq!(d.line, Some(6), "{}", run.transcript());
    assert!(d.message.contains("search.language: `../../evil` is not a language code"), "{}", d.message);
    assert!(!site.out().exists(), "nothing is written");
}

// Regression: a year's articles were always one bundle, so a paper that publishes far more
// than five stories a day held a whole year of parsed pages in memory while it was indexed.
// `search.bundle_articles` now splits a year that holds more into halves (or quarters, or
// months); an edit re-indexes only its part, and the search page knows each bundle's year.
#[test]
fn a_year_with_more_articles_than_a_bundle_holds_is_split_into_parts() {
    let site = SiteFixture::new("search");
    let yaml = read_to_string(&site.site().join("site.yaml"));
    site.write("site.yaml", &format!("{yaml}search:\n  bundle_articles: 2\n"));
    let story = |words: &str| {
        format!(
            "---\ntitle: Ferry fares rise\nsummary: The ferry costs more.\nauthor: [Ana Silva]\nsection: Transport\n---\n{words}\n"
        )
    };
    site.write("content/2025-02-10/ferry-fares.md", &story("Fares rise in the spring, the ferry board said."));
    let first = site.run(&["-v", "build"]);
    first.assert_success();
    assert!(first.stderr.contains("search: 3 of 3 bundles indexed (6 articles)"), "{}", first.transcript());
    // 2026 holds three articles, all in May: a month is the finest split, so May is one
    // bundle. 2025 holds one in February and two in November: its halves fit.
    assert_eq!(bundle_keys(&site.out()), ["2026-m05", "2025-h2", "2025-h1"]);
    let urls = |key: &str| bundle(&site.out(), key).pages.into_keys().collect::<Vec<_>>();
    assert_eq!(urls("2025-h1"), ["/ledger/2025/02/10/ferry-fares/"]);
    assert_eq!(urls("2025-h2").len(), 2);
    assert_eq!(urls("2026-m05").len(), 3);
    let doc = site.html("search/index.html");
    let root = doc.select(&sel("[data-search]")).next().unwrap();
    assert_eq!(
        root.value().attr("data-bundles"),
        Some("/ledger/pagefind/2026-m05/ /ledger/pagefind/2025-h2/ /ledger/pagefind/2025-h1/")
    );
    assert_eq!(root.value().attr("data-bundle-years"), Some("2026 2025 2025"));
    let years: Vec<String> = doc.select(&sel("#search-year option")).map(|o| o.text().collect()).collect();
    assert_eq!(years, ["Any year", "2026", "2025"], "the year filter lists each year once");

    let november = bundle(&site.out(), "2025-h2").files;
    site.write("content/2025-02-10/ferry-fares.md", &story("Fares rise in the spring, said the quarrelsome board."));
    let second = site.run(&["-v", "build"]);
    second.assert_success();
    assert!(second.stderr.contains("search: 1 of 3 bundles indexed (1 article)"), "{}", second.transcript());
    assert!(contains(&bundle(&site.out(), "2025-h1").words, "quarrelsom"), "the edit is indexed");
    assert_eq!(bundle(&site.out(), "2025-h2").files, november, "the other half of the year was re-indexed");

    // A bundle must hold something.
    site.write("site.yaml", &format!("{yaml}search:\n  bundle_articles: 0\n"));
    let refused = site.build();
    refused.assert_code(1);
    assert!(
        refused.stderr.contains("search.bundle_articles: a bundle must hold at least one article"),
        "{}",
        refused.transcript()
    );
}
