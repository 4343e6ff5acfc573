//! What a successful build writes: the output paths of SPEC §5, links that resolve (with and
//! without a base path), the article page's anatomy, edition order, copied files.

use crate::support::{
    SiteFixture, broken_internal_links, build_demo, demo_base_path, json_ld, json_objects, link_hrefs, sel, text_of,
};

const BANNER: &str = "This article appeared in the March 02, 2026 edition of the Ledger Daily.";

#[test]
fn two_editions_write_every_contract_path() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    for path in [
        "index.html",
        "404.html",
        "css/daily.css",
        ".masthead-output",
        "2026/03/02/index.html",
        "2026/03/02/harbour-reopens/index.html",
        "2026/03/02/council-budget/index.html",
        "2026/03/02/harbour.jpg",
        "2026/03/02/chart.csv",
        "2026/03/03/index.html",
        "2026/03/03/market-day/index.html",
    ] {
        assert!(site.exists(path), "missing public/{path}; output holds {:#?}", site.output_files());
    }
    // `_edition.md` is the edition's own text, not an article.
    assert!(!site.exists("2026/03/02/_edition/index.html"));
    assert!(!site.exists("2026/03/02/edition/index.html"));
}

#[test]
fn every_internal_link_resolves() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let (broken, checked) = broken_internal_links(&site.out(), "/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 10, "only {checked} internal links found");
}

#[test]
fn base_path_prefixes_every_internal_link() {
    let site = SiteFixture::new("base_path");
    site.build().assert_success();
    // The tree itself is not prefixed: the host maps /daily/ onto the folder.
    assert!(site.exists("2026/03/02/harbour-reopens/index.html"));
    assert!(!site.exists("daily"), "output tree must not be nested under daily/");
    let (broken, checked) = broken_internal_links(&site.out(), "/daily/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 10, "only {checked} internal links found");

    let doc = site.html("2026/03/02/harbour-reopens/index.html");
    let canonical = doc.select(&sel(r#"link[rel="canonical"]"#)).next().expect("article has a canonical link");
    assert_eq!(canonical.value().attr("href"), Some("https://org.github.io/daily/2026/03/02/harbour-reopens/"));
    let edition_links: Vec<_> = link_hrefs(&doc).into_iter().filter(|h| h == "/daily/2026/03/02/").collect();
    assert!(!edition_links.is_empty(), "no link to /daily/2026/03/02/");
}

#[test]
fn base_url_flag_overrides_site_yaml() {
    let site = SiteFixture::new("two_editions");
    site.run(&["build", "--base-url", "https://cdn.example.net/news/"]).assert_success();
    let (broken, checked) = broken_internal_links(&site.out(), "/news/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 10, "only {checked} internal links found");
    let doc = site.html("2026/03/03/market-day/index.html");
    let canonical = doc.select(&sel(r#"link[rel="canonical"]"#)).next().unwrap();
    assert_eq!(canonical.value().attr("href"), Some("https://cdn.example.net/news/2026/03/03/market-day/"));
}

#[test]
fn article_page_has_the_newspaper_anatomy() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let doc = site.html("2026/03/02/harbour-reopens/index.html");

    // Banner at the top and at the bottom, each with the edition link.
    let banners: Vec<_> = doc.select(&sel("p.edition-banner")).collect();
    assert_eq!(banners.len(), 2, "expected a banner at top and bottom");
    for banner in &banners {
        assert!(text_of(*banner).contains(BANNER), "banner reads {:?}", text_of(*banner));
        let link = banner
            .select(&sel("a"))
            .find(|a| text_of(*a) == "Read 03/02 edition")
            .unwrap_or_else(|| panic!("no `Read 03/02 edition` link in {}", banner.html()));
        assert_eq!(link.value().attr("href"), Some("/2026/03/02/"));
    }

    // Top banner before the headline, bottom banner after the body.
    let order: Vec<&str> = doc
        .select(&sel("p.edition-banner, h1, div.article-body"))
        .filter_map(|el| {
            if el.value().classes().any(|c| c == "edition-banner") {
                Some("banner")
            } else if el.value().name() == "h1" {
                (text_of(el) == "Harbour reopens after storm repairs").then_some("headline")
            } else {
                Some("body")
            }
        })
        .collect();
    assert_eq!(order, ["banner", "headline", "body", "banner"]);

    let dek = doc.select(&sel("p.dek")).next().expect("a p.dek");
    assert_eq!(text_of(dek), "Ferries return to the east pier on Monday after six weeks of work.");

    let figure = doc.select(&sel("figure")).next().expect("a lead photo figure");
    let img = figure.select(&sel("img")).next().expect("figure img");
    let src = img.value().attr("src").unwrap_or_default();
    assert!(src.ends_with("harbour.jpg"), "img src is {src:?}");
    assert_eq!(img.value().attr("alt"), Some("A ferry moored at the repaired east pier"));
    let caption = figure.select(&sel("figcaption")).next().expect("figcaption");
    let cap = caption.select(&sel(".caption")).next().expect(".caption");
    assert_eq!(text_of(cap), "The east pier on Sunday evening.");
    let credit = caption.select(&sel(".credit")).next().expect(".credit");
    assert_eq!(text_of(credit), "Photo by Lena Brook");

    let body = doc.select(&sel("div.article-body")).next().unwrap();
    assert!(text_of(body).contains("Ferries return to the east pier on Monday"));

    let ld = json_ld(&doc);
    let article = ld
        .iter()
        .flat_map(json_objects)
        .find(|o| o.get("@type").and_then(|t| t.as_str()) == Some("NewsArticle"))
        .unwrap_or_else(|| panic!("no NewsArticle in JSON-LD: {ld:?}"));
    assert_eq!(article.get("headline").and_then(|h| h.as_str()), Some("Harbour reopens after storm repairs"));
}

#[test]
fn article_page_has_absolute_canonical_url() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let doc = site.html("2026/03/02/council-budget/index.html");
    let canonical = doc.select(&sel(r#"link[rel="canonical"]"#)).next().expect("a canonical link");
    assert_eq!(canonical.value().attr("href"), Some("https://news.example.com/2026/03/02/council-budget/"));
}

#[test]
fn banner_names_the_title_when_there_is_no_publication() {
    let site = SiteFixture::new("minimal");
    site.build().assert_success();
    let doc = site.html("2026/03/02/only-story/index.html");
    let banner = doc.select(&sel("p.edition-banner")).next().expect("banner");
    assert!(
        text_of(banner).contains("appeared in the March 02, 2026 edition of the Minimal."),
        "banner reads {:?}",
        text_of(banner)
    );
}

#[test]
fn banner_uses_date_format() {
    let site = SiteFixture::new("minimal");
    site.write("site.yaml", "title: Minimal\nbase_url: https://news.example.com/\ndate_format: \"%d.%m.%Y\"\n");
    site.build().assert_success();
    let doc = site.html("2026/03/02/only-story/index.html");
    let banner = doc.select(&sel("p.edition-banner")).next().expect("banner");
    assert!(
        text_of(banner).contains("appeared in the 02.03.2026 edition of the Minimal."),
        "banner reads {:?}",
        text_of(banner)
    );
}

#[test]
fn edition_page_lists_articles_in_order() {
    let site = SiteFixture::new("edition_order");
    site.build().assert_success();
    let doc = site.html("2026/03/02/index.html");
    // order 1, 2, 2 (tie: by file name), 3, 10 (numeric, not text, order).
    let expected = ["charlie", "alpha", "bravo", "delta", "able"];
    let mut seen: Vec<&str> = Vec::new();
    for href in link_hrefs(&doc) {
        for slug in expected {
            if href == format!("/2026/03/02/{slug}/") && !seen.contains(&slug) {
                seen.push(slug);
            }
        }
    }
    assert_eq!(seen, expected, "article links on the edition page, in order");
}

#[test]
fn files_beside_articles_are_copied() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    // Photos are re-encoded without their metadata (see `photos`), other files copied.
    assert!(site.exists("2026/03/02/harbour.jpg"));
    let from = std::fs::read(site.site().join("content/2026-03-02/chart.csv")).unwrap();
    let to = std::fs::read(site.out().join("2026/03/02/chart.csv")).unwrap();
    assert_eq!(from, to, "chart.csv copied byte for byte");
}

#[test]
fn front_page_shows_the_latest_edition() {
    let site = SiteFixture::new("two_editions");
    site.build().assert_success();
    let hrefs = link_hrefs(&site.html("index.html"));
    assert!(
        hrefs.iter().any(|h| h == "/2026/03/03/market-day/"),
        "front page does not link the latest edition's article: {hrefs:?}"
    );
}

#[test]
fn demo_site_builds_cleanly() {
    let demo = build_demo(&[]);
    demo.run.assert_success();
    let noise: Vec<_> =
        demo.run.stderr.lines().filter(|l| l.starts_with("warning:") || l.starts_with("error:")).collect();
    assert!(noise.is_empty(), "demo site has diagnostics:\n{}", noise.join("\n"));
    let (broken, checked) = broken_internal_links(&demo.out, &demo_base_path());
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 0, "demo site has no internal links");
}

/// The regression guard for the work a build does (counts, not times): every content file is
/// read once, every Markdown text rendered once, every page rendered through its template once.
#[test]
fn a_build_reads_each_file_and_renders_each_page_once() {
    let site = SiteFixture::new("two_editions");
    let run = site.run(&["--verbose", "build"]);
    run.assert_success();
    let line = run.stderr.lines().find(|l| l.starts_with("Loaded ")).expect("--verbose prints the work line");
    let numbers: Vec<usize> = line.split(' ').filter_map(|w| w.replace(',', "").parse().ok()).collect();

    let content = crate::support::files(&site.site().join("content"));
    let texts = content.iter().filter(|f| f.ends_with(".md")).count();
    // Pages from templates: every HTML page but alias redirects, and the newsletters' text.
    let out = site.out();
    let html = crate::support::html_files(&out)
        .iter()
        .filter(|p| !crate::support::read_to_string(&out.join(p)).contains("http-equiv=\"refresh\""))
        .count();
    let letters = site.output_files().iter().filter(|p| p.ends_with("/newsletter.txt")).count();
    assert!(letters > 0);
    let pages = html + letters;
    assert_eq!(numbers, vec![content.len(), texts, pages], "{line}");
}

/// `--verbose` says how long each phase took, and the phases add up to no more than the whole.
#[test]
fn verbose_build_and_check_name_their_phases() {
    let site = SiteFixture::new("two_editions");
    for (command, phases) in [("build", 4), ("check", 3)] {
        let run = site.run(&["--verbose", command]);
        run.assert_success();
        let line = run.stderr.lines().find(|l| l.starts_with("Took ")).expect("--verbose prints the phase line");
        let secs: Vec<f64> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
        assert_eq!(secs.len(), phases, "{line}");
        let total: f64 = run
            .stderr
            .lines()
            .find_map(|l| l.split(" in ").last()?.split(' ').next()?.parse().ok())
            .expect("the summary line gives the time");
        assert!(secs.iter().sum::<f64>() <= total + 0.02, "{line} vs {total}");
    }
}

// Regression: on five of the demo's seven edition pages the edition's lead photo was shown
// again at once as the first card's photo, and edition pages' titles lacked the site name.
#[test]
fn demo_edition_pages_never_show_a_photo_twice_in_a_row_and_name_the_site() {
    let demo = crate::support::build_demo(&[]);
    demo.run.assert_success();
    let mut editions = 0;
    for page in crate::support::html_files(&demo.out) {
        let doc = scraper::Html::parse_document(&crate::support::read_to_string(&demo.out.join(&page)));
        if doc.select(&sel("article.edition")).next().is_none() {
            continue;
        }
        editions += 1;
        let shown: Vec<&str> = doc.select(&sel("main img")).filter_map(|i| i.value().attr("src")).collect();
        for pair in shown.windows(2) {
            assert_ne!(pair[0], pair[1], "{page} shows {} twice in a row", pair[0]);
        }
        let title = doc.select(&sel("title")).next().map(text_of).unwrap_or_default();
        assert!(title.ends_with("The Millbrook Ledger"), "{page}: <title>{title}</title>");
    }
    assert_eq!(editions, 7);
}

// Regression: an article without `summary:` showed its first paragraph twice, as the deck
// under the headline and again as the body's start.
#[test]
fn the_deck_is_the_written_summary_never_the_first_paragraph_again() {
    let site = SiteFixture::new("minimal");
    site.write("content/2026-03-02/plain.md", "---\ntitle: Plain\n---\nThe first paragraph.\n\nThe second.\n");
    site.write(
        "content/2026-03-02/with-deck.md",
        "---\ntitle: With a deck\nsummary: A deck of its own.\n---\nThe first paragraph.\n",
    );
    site.build().assert_success();
    let plain = site.html("2026/03/02/plain/index.html");
    assert_eq!(plain.select(&sel("p.dek")).count(), 0, "a deck repeating the body");
    let decked = site.html("2026/03/02/with-deck/index.html");
    let decks: Vec<String> = decked.select(&sel("p.dek")).map(text_of).collect();
    assert_eq!(decks, ["A deck of its own."]);
    // Cards and feeds still summarise the plain article by its first paragraph.
    let edition = site.html("2026/03/02/index.html");
    assert!(edition.select(&sel(".card .dek")).map(text_of).any(|d| d == "The first paragraph."));
}
