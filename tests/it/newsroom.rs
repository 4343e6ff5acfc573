//! The newsroom's listings and machine-readable files (SPEC §5): the archive by year and
//! month, the section/tag/author pages with their pagination and slug merging, the Atom and
//! JSON feeds, the sitemap, robots.txt, 404 and alias redirects, with and without a base path.
//!
//! Fixture `newsroom/` (base_url `https://news.example.com/`):
//!
//! | edition    | article            | section      | tags    | authors            | extra |
//! |------------|--------------------|--------------|---------|--------------------|-------|
//! | 2025-12-30 | `year-end`         | Climate Desk | Climate | Ada Quay           | |
//! | 2026-02-27 | `ice-report`       | City         | climate | Tom Reed           | `updated: 2026-03-10` |
//! | 2026-03-02 | `harbour-reopens`  | City         | Harbour | Ada Quay, Tom Reed | photo, alias `/old/story/`, order 1 |
//! | 2026-03-02 | `council-budget`   | Politics     |         | Tom Reed           | order 2 |
//! | 2026-03-03 | `market-day`       | Climate Desk | Markets | Lena Brook         | |
//!
//! Listings long enough to paginate are generated into the temp copy by [`add_long_reads`].
//! Fixture `newsroom_alias_clash/`: `a.md` and `b.md` of 2026-03-02 both claim `/old/story/`.

use std::collections::BTreeSet;

use roxmltree::{Document, Node};
use scraper::Html;

use crate::support::{SiteFixture, broken_internal_links, html_files, link_hrefs, sel, text_of};

const ATOM: &str = "http://www.w3.org/2005/Atom";
const SITEMAP: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const BASE: &str = "https://news.example.com/";

const YEAR_END: &str = "/2025/12/30/year-end/";
const ICE_REPORT: &str = "/2026/02/27/ice-report/";
const HARBOUR: &str = "/2026/03/02/harbour-reopens/";
const COUNCIL: &str = "/2026/03/02/council-budget/";
const MARKET: &str = "/2026/03/03/market-day/";
const ALL_ARTICLES: [&str; 5] = [MARKET, HARBOUR, COUNCIL, ICE_REPORT, YEAR_END];

// ---------------------------------------------------------------------------------------
// Helpers

/// Builds the `newsroom` fixture (after `prepare`) and returns it.
fn built(prepare: impl FnOnce(&SiteFixture)) -> SiteFixture {
    let site = SiteFixture::new("newsroom");
    prepare(&site);
    site.build().assert_success();
    site
}

/// The URL path of generated long read `n` (1-based): one a day from 2025-01-01, so a
/// higher number is a newer edition.
fn long_read_url(n: usize) -> String {
    let (month, day) = day_of_2025(n - 1);
    format!("/2025/{month:02}/{day:02}/story-{n:02}/")
}

/// `(month, day)` of the `index`th day of 2025 (0 = January 1).
fn day_of_2025(index: usize) -> (usize, usize) {
    const LENGTHS: [usize; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut left = index;
    for (m, len) in LENGTHS.iter().enumerate() {
        if left < *len {
            return (m + 1, left + 1);
        }
        left -= len;
    }
    panic!("day {index} is not in 2025");
}

/// Writes `count` articles tagged `Long Read` into the temp copy, each in its own edition.
fn add_long_reads(site: &SiteFixture, count: usize) {
    for n in 1..=count {
        let (month, day) = day_of_2025(n - 1);
        site.write(
            &format!("content/2025-{month:02}-{day:02}/story-{n:02}.md"),
            &format!("---\ntitle: Long read number {n}\ntags: [Long Read]\n---\nPart {n} of the long read.\n"),
        );
    }
}

/// The hrefs of `doc` that are in `wanted`, first occurrences only, in document order.
fn hrefs_among(doc: &Html, wanted: &[String]) -> Vec<String> {
    let mut seen = Vec::new();
    for href in link_hrefs(doc) {
        if wanted.contains(&href) && !seen.contains(&href) {
            seen.push(href);
        }
    }
    seen
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// The `href`s of every `a`/`link` whose `rel` holds `rel`.
fn rel_hrefs(doc: &Html, rel: &str) -> Vec<String> {
    doc.select(&sel(&format!(r#"a[rel~="{rel}"], link[rel~="{rel}"]"#)))
        .filter_map(|el| el.value().attr("href").map(str::to_string))
        .collect()
}

/// The term links of a taxonomy index (`/<kind>/<slug>/`), each with the numbers in the
/// text of the element around the link (where the article count is shown).
fn term_counts(doc: &Html, kind: &str) -> Vec<(String, Vec<u64>)> {
    let prefix = format!("/{kind}/");
    let mut out: Vec<(String, Vec<u64>)> = Vec::new();
    for a in doc.select(&sel("a[href]")) {
        let href = a.value().attr("href").unwrap_or_default();
        let Some(rest) = href.strip_prefix(&prefix) else { continue };
        let is_term = rest.ends_with('/') && rest.len() > 1 && !rest[..rest.len() - 1].contains('/');
        if !is_term || out.iter().any(|(h, _)| h == href) {
            continue;
        }
        let around = a.parent().and_then(scraper::ElementRef::wrap).map(text_of).unwrap_or_default();
        let numbers = around
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .filter_map(|s| s.parse().ok())
            .collect();
        out.push((href.to_string(), numbers));
    }
    out
}

/// Asserts the taxonomy index lists exactly `expected` terms (`slug`, count).
fn assert_terms(site: &SiteFixture, kind: &str, expected: &[(&str, u64)]) {
    let doc = site.html(&format!("{kind}/index.html"));
    let found = term_counts(&doc, kind);
    let found_urls: BTreeSet<&str> = found.iter().map(|(h, _)| h.as_str()).collect();
    let expected_urls: BTreeSet<String> = expected.iter().map(|(s, _)| format!("/{kind}/{s}/")).collect();
    let expected_urls: BTreeSet<&str> = expected_urls.iter().map(String::as_str).collect();
    assert_eq!(found_urls, expected_urls, "term links of {kind}/index.html");
    for (slug, count) in expected {
        let url = format!("/{kind}/{slug}/");
        let numbers = &found.iter().find(|(h, _)| *h == url).unwrap().1;
        assert!(numbers.contains(count), "{kind}/index.html: `{url}` should show the count {count}, shows {numbers:?}");
    }
}

fn parse_xml(text: &str) -> Document<'_> {
    Document::parse(text).unwrap_or_else(|e| panic!("not well-formed XML ({e}):\n{text}"))
}

fn child<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name((ns, name)))
}

fn children<'a, 'i>(node: Node<'a, 'i>, ns: &str, name: &str) -> Vec<Node<'a, 'i>> {
    node.children().filter(|c| c.has_tag_name((ns, name))).collect()
}

/// The text of the one `name` child of `node`; panics when missing or empty.
fn atom_text(node: Node<'_, '_>, name: &str) -> String {
    let el = child(node, ATOM, name).unwrap_or_else(|| panic!("<{}> has no <{name}>", node.tag_name().name()));
    let text = el.text().unwrap_or_default().trim().to_string();
    assert!(!text.is_empty(), "<{name}> of <{}> is empty", node.tag_name().name());
    text
}

/// The `href` of the `link` child with relation `rel` (a link without `rel` is `alternate`).
fn atom_link(node: Node<'_, '_>, rel: &str) -> Option<String> {
    children(node, ATOM, "link")
        .into_iter()
        .find(|l| l.attribute("rel").unwrap_or("alternate") == rel)
        .map(|l| l.attribute("href").unwrap_or_default().to_string())
}

/// Whether `s` is an RFC 3339 date-time: `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r.clone()).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let head = b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !head {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

/// The Atom feed's `entry` elements after checking the feed-level elements.
fn check_atom_feed<'a, 'i>(doc: &'a Document<'i>, self_url: &str) -> Vec<Node<'a, 'i>> {
    let feed = doc.root_element();
    assert!(feed.has_tag_name((ATOM, "feed")), "root is <{:?}>, not an Atom <feed>", feed.tag_name());
    assert!(!atom_text(feed, "title").is_empty());
    assert!(!atom_text(feed, "id").is_empty());
    let updated = atom_text(feed, "updated");
    assert!(is_rfc3339(&updated), "feed <updated> `{updated}` is not RFC 3339");
    assert_eq!(atom_link(feed, "self").as_deref(), Some(self_url), "feed's rel=self link");
    let author = child(feed, ATOM, "author").expect("feed has an <author>");
    assert!(!atom_text(author, "name").is_empty());
    children(feed, ATOM, "entry")
}

fn entry_urls(entries: &[Node<'_, '_>]) -> Vec<String> {
    entries.iter().map(|e| atom_link(*e, "alternate").expect("entry has an alternate link")).collect()
}

fn abs(path: &str) -> String {
    format!("{BASE}{}", path.trim_start_matches('/'))
}

fn json(site: &SiteFixture, rel: &str) -> serde_json::Value {
    let text = site.read(rel);
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON ({e}):\n{text}"))
}

fn str_field<'a>(v: &'a serde_json::Value, key: &str) -> &'a str {
    v.get(key).and_then(|x| x.as_str()).unwrap_or_else(|| panic!("no string `{key}` in {v}"))
}

// ---------------------------------------------------------------------------------------
// Archive

#[test]
fn archive_lists_years_and_the_newest_year_by_month() {
    let site = built(|_| {});
    let doc = site.html("archive/index.html");
    let hrefs = link_hrefs(&doc);
    for year in ["/archive/2026/", "/archive/2025/"] {
        assert!(hrefs.iter().any(|h| h == year), "archive/index.html does not link {year}: {hrefs:?}");
    }

    let months: Vec<String> = doc
        .select(&sel(r#"[id^="m"]"#))
        .filter_map(|el| el.value().id().map(str::to_string))
        .filter(|id| id.len() == 8 && id[1..5].chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(months, ["m2026-03", "m2026-02"], "month sections of the newest year, newest first");

    for (id, name, editions) in [
        ("m2026-03", "March 2026", vec!["2026-03-03", "2026-03-02"]),
        ("m2026-02", "February 2026", vec!["2026-02-27"]),
    ] {
        let section = doc.select(&sel(&format!("#{id}"))).next().unwrap();
        let h2 = section.select(&sel("h2")).next().unwrap_or_else(|| panic!("#{id} has no h2"));
        assert_eq!(text_of(h2), name, "heading of #{id}");
        let times: Vec<&str> =
            section.select(&sel("time[datetime]")).filter_map(|t| t.value().attr("datetime")).collect();
        assert_eq!(times, editions, "<time datetime> in #{id}, newest first");
        let urls: Vec<String> = editions.iter().map(|d| format!("/{}/", d.replace('-', "/"))).collect();
        let section_doc = Html::parse_fragment(&section.html());
        assert_eq!(hrefs_among(&section_doc, &urls), urls, "edition links in #{id}");
    }
}

#[test]
fn archive_has_a_page_per_year_newest_first() {
    let site = built(|_| {});
    let year_2026 = site.html("archive/2026/index.html");
    let times: Vec<&str> =
        year_2026.select(&sel("time[datetime]")).filter_map(|t| t.value().attr("datetime")).collect();
    assert_eq!(times, ["2026-03-03", "2026-03-02", "2026-02-27"]);
    let urls = strings(&["/2026/03/03/", "/2026/03/02/", "/2026/02/27/"]);
    assert_eq!(hrefs_among(&year_2026, &urls), urls);
    assert!(!link_hrefs(&year_2026).iter().any(|h| h == "/2025/12/30/"), "2026 page lists a 2025 edition");

    let year_2025 = site.html("archive/2025/index.html");
    let times: Vec<&str> =
        year_2025.select(&sel("time[datetime]")).filter_map(|t| t.value().attr("datetime")).collect();
    assert_eq!(times, ["2025-12-30"]);
    assert!(link_hrefs(&year_2025).iter().any(|h| h == "/2025/12/30/"));
    assert!(!site.exists("archive/2024/index.html"), "a year without editions got a page");
}

// ---------------------------------------------------------------------------------------
// Taxonomies

#[test]
fn taxonomy_indexes_list_every_term_with_its_count() {
    let site = built(|_| {});
    assert_terms(&site, "sections", &[("city", 2), ("climate-desk", 2), ("politics", 1)]);
    assert_terms(&site, "tags", &[("climate", 2), ("harbour", 1), ("markets", 1)]);
    assert_terms(&site, "authors", &[("ada-quay", 2), ("tom-reed", 3), ("lena-brook", 1)]);
}

#[test]
fn term_pages_list_their_articles_newest_first() {
    let site = built(|_| {});
    let all = strings(&ALL_ARTICLES);
    for (page, expected) in [
        ("sections/city/index.html", vec![HARBOUR, ICE_REPORT]),
        ("sections/climate-desk/index.html", vec![MARKET, YEAR_END]),
        ("sections/politics/index.html", vec![COUNCIL]),
        ("tags/harbour/index.html", vec![HARBOUR]),
        ("authors/ada-quay/index.html", vec![HARBOUR, YEAR_END]),
        ("authors/lena-brook/index.html", vec![MARKET]),
    ] {
        assert_eq!(hrefs_among(&site.html(page), &all), expected, "articles on {page}");
    }
    // Two of Tom Reed's articles share an edition; only the older one's place is fixed.
    let tom = hrefs_among(&site.html("authors/tom-reed/index.html"), &all);
    assert_eq!(tom.iter().map(String::as_str).collect::<BTreeSet<_>>(), BTreeSet::from([HARBOUR, COUNCIL, ICE_REPORT]));
    assert_eq!(tom.last().map(String::as_str), Some(ICE_REPORT), "authors/tom-reed/: oldest last: {tom:?}");
}

#[test]
fn terms_that_slug_alike_share_one_page() {
    let site = built(|_| {});
    // `Climate` (2025-12-30) and `climate` (2026-02-27).
    let doc = site.html("tags/climate/index.html");
    assert_eq!(hrefs_among(&doc, &strings(&ALL_ARTICLES)), [ICE_REPORT, YEAR_END]);
    let tag_dirs: BTreeSet<String> = site
        .output_files()
        .into_iter()
        .filter_map(|f| f.strip_prefix("tags/").and_then(|r| r.split_once('/')).map(|(d, _)| d.to_string()))
        .collect();
    assert_eq!(tag_dirs, BTreeSet::from(["climate".to_string(), "harbour".into(), "markets".into()]));
    // `Climate Desk` → `climate-desk`.
    assert!(site.exists("sections/climate-desk/index.html"));
}

#[test]
fn long_term_listing_is_paginated_twenty_to_a_page() {
    let site = built(|s| add_long_reads(s, 25));
    let all: Vec<String> = (1..=25).map(long_read_url).collect();
    let newest_first: Vec<String> = all.iter().rev().cloned().collect();

    let first = site.html("tags/long-read/index.html");
    assert_eq!(hrefs_among(&first, &all), newest_first[..20], "page 1: the 20 newest");
    assert_eq!(
        rel_hrefs(&first, "next").into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["/tags/long-read/page/2/".to_string()])
    );
    assert!(rel_hrefs(&first, "prev").is_empty(), "page 1 has a rel=prev link");

    let second = site.html("tags/long-read/page/2/index.html");
    assert_eq!(hrefs_among(&second, &all), newest_first[20..], "page 2: the 5 oldest");
    assert_eq!(
        rel_hrefs(&second, "prev").into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["/tags/long-read/".to_string()])
    );
    assert!(rel_hrefs(&second, "next").is_empty(), "last page has a rel=next link");
    assert!(!site.exists("tags/long-read/page/3/index.html"));
    assert!(!site.exists("tags/long-read/page/1/index.html"), "page 1 is the term page itself");

    assert_terms(&site, "tags", &[("climate", 2), ("harbour", 1), ("markets", 1), ("long-read", 25)]);
    let (broken, _) = broken_internal_links(&site.out(), "/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn middle_page_links_both_ways() {
    let site = built(|s| add_long_reads(s, 45));
    let all: Vec<String> = (1..=45).map(long_read_url).collect();
    let middle = site.html("tags/long-read/page/2/index.html");
    let expected: Vec<String> = (6..=25).rev().map(long_read_url).collect();
    assert_eq!(hrefs_among(&middle, &all), expected);
    assert!(rel_hrefs(&middle, "prev").iter().all(|h| h == "/tags/long-read/"));
    assert!(!rel_hrefs(&middle, "prev").is_empty(), "page 2 of 3 has no rel=prev");
    assert!(rel_hrefs(&middle, "next").iter().all(|h| h == "/tags/long-read/page/3/"));
    assert!(!rel_hrefs(&middle, "next").is_empty(), "page 2 of 3 has no rel=next");
    let last = site.html("tags/long-read/page/3/index.html");
    assert_eq!(hrefs_among(&last, &all), (1..=5).rev().map(long_read_url).collect::<Vec<_>>());
}

// ---------------------------------------------------------------------------------------
// Feeds

#[test]
fn atom_feed_has_every_article_newest_first() {
    let site = built(|_| {});
    let text = site.read("feed.xml");
    let doc = parse_xml(&text);
    let entries = check_atom_feed(&doc, "https://news.example.com/feed.xml");
    let urls = entry_urls(&entries);
    assert_eq!(urls.len(), 5, "one entry per article: {urls:?}");
    assert_eq!(urls.iter().cloned().collect::<BTreeSet<_>>(), ALL_ARTICLES.iter().map(|p| abs(p)).collect());
    assert_eq!(urls[0], abs(MARKET), "newest article first");
    assert_eq!(urls[4], abs(YEAR_END), "oldest article last");

    let mut previous = String::from("9999");
    for (entry, url) in entries.iter().zip(&urls) {
        assert!(!atom_text(*entry, "title").is_empty());
        assert!(!atom_text(*entry, "id").is_empty());
        assert!(!atom_text(*entry, "summary").is_empty(), "{url}: empty summary");
        let published = atom_text(*entry, "published");
        let updated = atom_text(*entry, "updated");
        assert!(is_rfc3339(&published), "{url}: <published> `{published}` is not RFC 3339");
        assert!(is_rfc3339(&updated), "{url}: <updated> `{updated}` is not RFC 3339");
        // The edition date is in the URL: /YYYY/MM/DD/slug/.
        let date = url.trim_start_matches(BASE)[..10].replace('/', "-");
        assert!(published.starts_with(&format!("{date}T")), "{url}: published {published}, edition {date}");
        assert!(published[..10] <= previous[..previous.len().min(10)], "entries not newest first at {url}");
        previous = published;
        let content = child(*entry, ATOM, "content").expect("entry has <content>");
        assert_eq!(content.attribute("type"), Some("html"), "{url}: content type");
    }
}

#[test]
fn atom_entry_carries_body_authors_and_photo() {
    let site = built(|_| {});
    let text = site.read("feed.xml");
    let doc = parse_xml(&text);
    let entries = check_atom_feed(&doc, "https://news.example.com/feed.xml");
    let find = |path: &str| {
        *entries
            .iter()
            .find(|e| atom_link(**e, "alternate").as_deref() == Some(abs(path).as_str()))
            .unwrap_or_else(|| panic!("no entry for {path}"))
    };

    let harbour = find(HARBOUR);
    assert_eq!(atom_text(harbour, "title"), "Harbour reopens after storm repairs");
    assert_eq!(atom_text(harbour, "summary"), "Ferries return to the east pier.");
    let authors: Vec<String> = children(harbour, ATOM, "author").into_iter().map(|a| atom_text(a, "name")).collect();
    assert_eq!(authors, ["Ada Quay", "Tom Reed"]);
    let body = Html::parse_fragment(child(harbour, ATOM, "content").unwrap().text().unwrap_or_default());
    let strong = body.select(&sel("p strong")).next().expect("content holds the body's HTML (<p><strong>)");
    assert_eq!(text_of(strong), "six weeks");
    assert!(text_of(body.root_element()).contains("The last stage was paid for by the council."));
    let enclosure = children(harbour, ATOM, "link")
        .into_iter()
        .find(|l| l.attribute("rel") == Some("enclosure"))
        .expect("photo article has a rel=enclosure link");
    assert_eq!(enclosure.attribute("href"), Some("https://news.example.com/2026/03/02/harbour.jpg"));
    assert_eq!(enclosure.attribute("type"), Some("image/jpeg"));

    let council = find(COUNCIL);
    assert!(atom_link(council, "enclosure").is_none(), "article without photo has an enclosure");
    let authors: Vec<String> = children(council, ATOM, "author").into_iter().map(|a| atom_text(a, "name")).collect();
    assert_eq!(authors, ["Tom Reed"]);

    let ice = find(ICE_REPORT);
    assert!(atom_text(ice, "published").starts_with("2026-02-27T"));
    let updated = atom_text(ice, "updated");
    assert!(updated.starts_with("2026-03-10T"), "ice-report has `updated: 2026-03-10`, feed says {updated}");
}

#[test]
fn json_feed_is_json_feed_1_1() {
    let site = built(|_| {});
    let feed = json(&site, "feed.json");
    assert_eq!(str_field(&feed, "version"), "https://jsonfeed.org/version/1.1");
    assert_eq!(str_field(&feed, "title"), "The Ledger");
    assert_eq!(str_field(&feed, "home_page_url"), BASE);
    assert_eq!(str_field(&feed, "feed_url"), "https://news.example.com/feed.json");
    let items = feed.get("items").and_then(|i| i.as_array()).expect("items array");
    let urls: Vec<&str> = items.iter().map(|i| str_field(i, "url")).collect();
    let expected: Vec<String> = ALL_ARTICLES.iter().map(|p| abs(p)).collect();
    assert_eq!(urls.len(), 5, "{urls:?}");
    assert_eq!(urls.iter().map(|u| u.to_string()).collect::<BTreeSet<_>>(), expected.iter().cloned().collect());
    assert_eq!(urls[0], abs(MARKET));
    assert_eq!(urls[4], abs(YEAR_END));
    for item in items {
        let url = str_field(item, "url");
        assert!(!str_field(item, "id").is_empty());
        assert!(!str_field(item, "title").is_empty());
        assert!(!str_field(item, "summary").is_empty(), "{url}: empty summary");
        assert!(!str_field(item, "content_html").is_empty());
        let published = str_field(item, "date_published");
        assert!(is_rfc3339(published), "{url}: date_published `{published}` is not RFC 3339");
        let authors = item.get("authors").and_then(|a| a.as_array()).unwrap_or_else(|| panic!("{url}: no authors"));
        assert!(authors.iter().all(|a| !str_field(a, "name").is_empty()));
    }

    let harbour = items.iter().find(|i| str_field(i, "url") == abs(HARBOUR)).unwrap();
    assert_eq!(str_field(harbour, "title"), "Harbour reopens after storm repairs");
    assert_eq!(str_field(harbour, "summary"), "Ferries return to the east pier.");
    assert!(str_field(harbour, "date_published").starts_with("2026-03-02T"));
    let body = Html::parse_fragment(str_field(harbour, "content_html"));
    assert_eq!(body.select(&sel("p strong")).next().map(text_of).as_deref(), Some("six weeks"));
    let names: Vec<&str> = harbour["authors"].as_array().unwrap().iter().map(|a| str_field(a, "name")).collect();
    assert_eq!(names, ["Ada Quay", "Tom Reed"]);
    assert_eq!(str_field(harbour, "image"), "https://news.example.com/2026/03/02/harbour.jpg");
    let council = items.iter().find(|i| str_field(i, "url") == abs(COUNCIL)).unwrap();
    assert!(council.get("image").is_none(), "article without a photo has an image: {council}");
}

#[test]
fn feeds_limit_caps_both_feeds() {
    let site = built(|s| {
        s.write("site.yaml", "title: The Ledger\nbase_url: https://news.example.com/\nfeeds:\n  limit: 2\n");
    });
    let text = site.read("feed.xml");
    let doc = parse_xml(&text);
    let urls = entry_urls(&check_atom_feed(&doc, "https://news.example.com/feed.xml"));
    assert_eq!(urls.len(), 2, "feeds.limit 2: {urls:?}");
    assert_eq!(urls[0], abs(MARKET));
    assert!([abs(HARBOUR), abs(COUNCIL)].contains(&urls[1]), "second newest is of 2026-03-02: {urls:?}");
    let feed = json(&site, "feed.json");
    let items: Vec<&str> = feed["items"].as_array().unwrap().iter().map(|i| str_field(i, "url")).collect();
    assert_eq!(items, urls, "feed.json holds the same two articles");
}

#[test]
fn feeds_default_to_the_fifty_newest() {
    // 5 fixture articles (all newer) + 55 long reads: the 45 newest long reads make 50.
    let site = built(|s| add_long_reads(s, 55));
    let text = site.read("feed.xml");
    let doc = parse_xml(&text);
    let urls = entry_urls(&check_atom_feed(&doc, "https://news.example.com/feed.xml"));
    assert_eq!(urls.len(), 50);
    assert!(urls.contains(&abs(&long_read_url(11))), "the 50th newest article is missing");
    assert!(!urls.contains(&abs(&long_read_url(10))), "the 51st newest article is in the feed");
    assert_eq!(urls[49], abs(&long_read_url(11)));
    let feed = json(&site, "feed.json");
    assert_eq!(feed["items"].as_array().unwrap().len(), 50);
}

#[test]
fn section_feed_holds_only_that_section() {
    let site = built(|_| {});
    let text = site.read("sections/city/feed.xml");
    let doc = parse_xml(&text);
    let entries = check_atom_feed(&doc, "https://news.example.com/sections/city/feed.xml");
    assert_eq!(entry_urls(&entries), [abs(HARBOUR), abs(ICE_REPORT)]);
    let text = site.read("sections/politics/feed.xml");
    let doc = parse_xml(&text);
    let entries = check_atom_feed(&doc, "https://news.example.com/sections/politics/feed.xml");
    assert_eq!(entry_urls(&entries), [abs(COUNCIL)]);
}

// ---------------------------------------------------------------------------------------
// Sitemap, robots.txt, 404

/// The absolute URL of every page a sitemap must hold: each HTML file but 404.html, the
/// alias redirects and the newsletters (an edition's email copy, whose page is listed).
/// The search page (no content of its own for a crawler) is left out too.
fn expected_sitemap(site: &SiteFixture, base: &str, aliases: &[&str]) -> BTreeSet<String> {
    html_files(&site.out())
        .into_iter()
        .filter(|f| f != "404.html" && f != "search/index.html")
        .filter(|f| !aliases.contains(&f.as_str()) && !f.ends_with("newsletter.html"))
        .map(|f| {
            let path = f.strip_suffix("index.html").unwrap_or(&f);
            format!("{base}{path}")
        })
        .collect()
}

/// `(loc, lastmod)` of every `url` of a sitemap.
fn sitemap_urls(text: &str) -> Vec<(String, String)> {
    let doc = parse_xml(text);
    let root = doc.root_element();
    assert!(root.has_tag_name((SITEMAP, "urlset")), "sitemap root is {:?}", root.tag_name());
    children(root, SITEMAP, "url")
        .into_iter()
        .map(|u| {
            let loc = child(u, SITEMAP, "loc").and_then(|l| l.text()).expect("url has a loc").trim().to_string();
            let lastmod = child(u, SITEMAP, "lastmod")
                .and_then(|l| l.text())
                .unwrap_or_else(|| panic!("{loc} has no lastmod"))
                .trim()
                .to_string();
            (loc, lastmod)
        })
        .collect()
}

#[test]
fn sitemap_lists_every_page_but_404_and_aliases() {
    let site = built(|_| {});
    let urls = sitemap_urls(&site.read("sitemap.xml"));
    let locs: Vec<&str> = urls.iter().map(|(l, _)| l.as_str()).collect();
    let unique: BTreeSet<String> = locs.iter().map(|l| l.to_string()).collect();
    assert_eq!(unique.len(), locs.len(), "duplicate locs: {locs:#?}");
    assert_eq!(unique, expected_sitemap(&site, BASE, &["old/story/index.html"]));
    for page in ["archive/", "archive/2025/", "tags/climate/", "sections/", "authors/tom-reed/"] {
        assert!(unique.contains(&abs(page)), "sitemap lacks {page}");
    }
    assert!(!locs.iter().any(|l| l.contains("404") || l.contains("old/story")));

    let lastmod = |path: &str| urls.iter().find(|(l, _)| *l == abs(path)).unwrap().1.clone();
    assert!(lastmod(ICE_REPORT).starts_with("2026-03-10"), "updated date, got {}", lastmod(ICE_REPORT));
    assert!(lastmod(HARBOUR).starts_with("2026-03-02"), "edition date, got {}", lastmod(HARBOUR));
    assert!(lastmod(YEAR_END).starts_with("2025-12-30"), "edition date, got {}", lastmod(YEAR_END));
}

#[test]
fn robots_points_at_the_sitemap_and_404_exists() {
    let site = built(|_| {});
    let robots = site.read("robots.txt");
    assert!(
        robots.lines().any(|l| l.trim() == "Sitemap: https://news.example.com/sitemap.xml"),
        "robots.txt:\n{robots}"
    );
    let not_found = site.html("404.html");
    assert!(not_found.select(&sel("title")).next().is_some(), "404.html is not an HTML page");
}

// ---------------------------------------------------------------------------------------
// Aliases

/// The `url=` of a page's meta refresh and its canonical href.
fn redirect_of(doc: &Html) -> (String, String) {
    let refresh = doc
        .select(&sel("meta[http-equiv][content]"))
        .find(|m| m.value().attr("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")))
        .expect("a meta refresh");
    let content = refresh.value().attr("content").unwrap().to_string();
    let canonical = doc.select(&sel(r#"link[rel="canonical"]"#)).next().expect("a canonical link");
    (content, canonical.value().attr("href").unwrap_or_default().to_string())
}

#[test]
fn alias_writes_a_redirect_to_the_article() {
    let site = built(|_| {});
    let (refresh, canonical) = redirect_of(&site.html("old/story/index.html"));
    assert_eq!(refresh, "0; url=https://news.example.com/2026/03/02/harbour-reopens/");
    assert_eq!(canonical, "https://news.example.com/2026/03/02/harbour-reopens/");
}

#[test]
fn alias_claimed_twice_is_an_error_naming_both_files() {
    let site = SiteFixture::new("newsroom_alias_clash");
    let run = site.build();
    run.assert_failure();
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "one error for one clash\n{}", run.transcript());
    let e = run.error_about("content/2026-03-02/b.md");
    assert_eq!(e.line, Some(3), "the `aliases:` line of b.md\n{}", run.transcript());
    assert_eq!(e.message, "the alias `/old/story/` is also written by `content/2026-03-02/a.md`");
    assert!(!site.out().exists(), "a failed build wrote output");
}

#[test]
fn alias_onto_an_article_page_is_an_error() {
    let site = SiteFixture::new("newsroom_alias_clash");
    site.write("content/2026-03-02/b.md", "---\ntitle: Second story\naliases: [/2026/03/02/a/]\n---\nText.\n");
    let run = site.build();
    run.assert_failure();
    let e = run.error_about("content/2026-03-02/b.md");
    assert_eq!(e.line, Some(3), "{}", run.transcript());
    assert!(
        e.message.contains("`/2026/03/02/a/`") && e.message.contains("content/2026-03-02/a.md"),
        "error should name the alias and a.md: {}",
        e.raw
    );
    assert!(!site.out().exists());
}

/// Builds `newsroom_alias_clash` with b.md's alias replaced by `alias`, and checks that the
/// build fails with an error about b.md that names the alias, writing nothing.
fn assert_alias_clash_rejected(alias: &str) {
    let site = SiteFixture::new("newsroom_alias_clash");
    site.write("content/2026-03-02/b.md", &format!("---\ntitle: Second story\naliases: [\"{alias}\"]\n---\nText.\n"));
    let run = site.build();
    assert_eq!(
        run.code,
        Some(1),
        "alias `{alias}` collides with a page the build writes, yet the build did not fail\n{}",
        run.transcript()
    );
    let e = run.error_about("content/2026-03-02/b.md");
    assert_eq!(e.line, Some(3), "{}", run.transcript());
    assert!(e.message.contains(&format!("`{alias}`")), "error should name the alias {alias}: {}", e.raw);
    assert!(!site.out().exists(), "alias {alias}: a failed build wrote output");
}

#[test]
fn alias_onto_an_edition_page_is_an_error() {
    assert_alias_clash_rejected("/2026/03/02/");
}

#[test]
fn alias_onto_the_archive_is_an_error() {
    assert_alias_clash_rejected("/archive/");
}

#[test]
fn alias_onto_a_taxonomy_index_is_an_error() {
    assert_alias_clash_rejected("/tags/");
}

#[test]
fn alias_onto_the_feed_is_an_error() {
    assert_alias_clash_rejected("/feed.xml");
}

// ---------------------------------------------------------------------------------------
// Base path

const SUB: &str = "https://org.github.io/daily/";

#[test]
fn base_path_reaches_listings_feeds_sitemap_and_redirects() {
    let site = built(|s| {
        s.write("site.yaml", "title: The Ledger\nbase_url: https://org.github.io/daily/\n");
        add_long_reads(s, 25);
    });
    assert!(!site.exists("daily"), "output tree nested under daily/");
    let (broken, checked) = broken_internal_links(&site.out(), "/daily/");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 100, "only {checked} internal links checked");

    let archive = link_hrefs(&site.html("archive/index.html"));
    for url in ["/daily/archive/2026/", "/daily/archive/2025/", "/daily/2026/03/03/"] {
        assert!(archive.iter().any(|h| h == url), "archive/index.html lacks {url}");
    }
    let tags = link_hrefs(&site.html("tags/index.html"));
    assert!(tags.iter().any(|h| h == "/daily/tags/climate/"), "tags/index.html lacks /daily/tags/climate/");
    let first = site.html("tags/long-read/index.html");
    assert_eq!(
        rel_hrefs(&first, "next").into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["/daily/tags/long-read/page/2/".to_string()])
    );
    let second = site.html("tags/long-read/page/2/index.html");
    assert_eq!(
        rel_hrefs(&second, "prev").into_iter().collect::<BTreeSet<_>>(),
        BTreeSet::from(["/daily/tags/long-read/".to_string()])
    );

    let (refresh, canonical) = redirect_of(&site.html("old/story/index.html"));
    assert_eq!(refresh, "0; url=https://org.github.io/daily/2026/03/02/harbour-reopens/");
    assert_eq!(canonical, "https://org.github.io/daily/2026/03/02/harbour-reopens/");

    for feed in ["feed.xml", "sections/city/feed.xml"] {
        let text = site.read(feed);
        let doc = parse_xml(&text);
        let self_url = format!("{SUB}{feed}");
        let entries = check_atom_feed(&doc, &self_url);
        assert!(!entries.is_empty());
        for node in doc.descendants() {
            if let Some(href) = node.attribute("href") {
                assert!(href.starts_with(SUB), "{feed}: href `{href}` is not under {SUB}");
            }
            if node.has_tag_name((ATOM, "id")) {
                let id = node.text().unwrap_or_default();
                assert!(id.starts_with(SUB), "{feed}: id `{id}` is not under {SUB}");
            }
        }
    }
    let feed = json(&site, "feed.json");
    assert_eq!(str_field(&feed, "home_page_url"), SUB);
    assert_eq!(str_field(&feed, "feed_url"), "https://org.github.io/daily/feed.json");
    for item in feed["items"].as_array().unwrap() {
        for key in ["id", "url", "image"] {
            if let Some(v) = item.get(key) {
                let v = v.as_str().unwrap_or_default();
                assert!(v.starts_with(SUB), "feed.json item {key} `{v}` is not under {SUB}");
            }
        }
    }

    let urls = sitemap_urls(&site.read("sitemap.xml"));
    let locs: BTreeSet<String> = urls.into_iter().map(|(l, _)| l).collect();
    assert_eq!(locs, expected_sitemap(&site, SUB, &["old/story/index.html"]));
    // Regression: robots.txt was written under the sub-path, where no crawler reads it.
    assert!(!site.exists("robots.txt"), "robots.txt under a sub-path");
}

#[test]
fn rfc3339_check_is_strict() {
    for ok in ["2026-03-02T00:00:00Z", "2026-03-02T10:30:00+01:00", "2026-03-02T10:30:00.123-05:00"] {
        assert!(is_rfc3339(ok), "{ok}");
    }
    for bad in ["2026-03-02", "2026-03-02 00:00:00Z", "2026-03-02T00:00:00", "2026-03-02T00:00Z", "Mon, 02 Mar 2026"] {
        assert!(!is_rfc3339(bad), "{bad}");
    }
    assert_eq!(day_of_2025(0), (1, 1));
    assert_eq!(day_of_2025(31), (2, 1));
    assert_eq!(long_read_url(55), "/2025/02/24/story-55/");
}

// Regression: the site's navigation was only in the footer, so a phone reader scrolled the
// whole page to find the archive or a section.
#[test]
fn every_page_has_the_site_navigation_in_its_header_with_the_current_place_marked() {
    let site = built(|_| {});
    let expected = strings(&["/", "/archive/", "/sections/", "/tags/", "/authors/", "/feed.xml"]);
    let mut pages = 0;
    for page in html_files(&site.out()) {
        let doc = site.html(&page);
        if doc.select(&sel("header.masthead")).next().is_none() {
            continue; // an alias redirect
        }
        pages += 1;
        let nav: Vec<String> = doc
            .select(&sel("header.masthead nav[aria-label='Site'] a"))
            .filter_map(|a| a.value().attr("href"))
            .map(str::to_string)
            .collect();
        assert_eq!(nav, expected, "{page}");
        assert_eq!(doc.select(&sel("nav[aria-label='Site']")).count(), 1, "{page}: one site navigation");
        let current: Vec<(String, String)> = doc
            .select(&sel("header nav a[aria-current]"))
            .map(|a| (a.value().attr("href").unwrap().to_string(), a.value().attr("aria-current").unwrap().to_string()))
            .collect();
        let want: Vec<(&str, &str)> = match page.as_str() {
            "index.html" => vec![("/", "page")],
            "archive/index.html" => vec![("/archive/", "page")],
            p if p.starts_with("archive/") => vec![("/archive/", "true")],
            "sections/index.html" => vec![("/sections/", "page")],
            "tags/index.html" => vec![("/tags/", "page")],
            "authors/index.html" => vec![("/authors/", "page")],
            p if p.starts_with("sections/") => vec![("/sections/", "true")],
            p if p.starts_with("tags/") => vec![("/tags/", "true")],
            p if p.starts_with("authors/") => vec![("/authors/", "true")],
            _ => vec![],
        };
        let want: Vec<(String, String)> = want.into_iter().map(|(h, v)| (h.to_string(), v.to_string())).collect();
        assert_eq!(current, want, "{page}");
        let footer: Vec<&str> =
            doc.select(&sel("footer.site-footer a")).filter_map(|a| a.value().attr("href")).collect();
        assert_eq!(footer, ["/archive/", "/feed.xml"], "{page}");
    }
    assert!(pages > 15, "{pages} pages");
}
