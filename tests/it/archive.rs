//! A real-content suite: `tests/fixtures/archive/` is an archive of 30 posts written the way
//! real blogs write (headings linked from the text, footnotes, email autolinks, raw HTML
//! links, tables, code in three languages, nested quotes, possessives in headlines). It must
//! build without a message, and the pages must hold together: every in-page anchor and
//! every internal link leads somewhere, footnotes close each article with links back, no
//! straight quote is shown outside code, and the feeds carry absolute URLs only.

use scraper::{ElementRef, Html};

use crate::support::{SiteFixture, html_files, read_to_string, sel, text_of};

fn built() -> SiteFixture {
    let site = SiteFixture::new("archive");
    let run = site.build();
    run.assert_success();
    assert!(run.warnings().is_empty(), "{}", run.transcript());
    site
}

fn article_pages(site: &SiteFixture) -> Vec<String> {
    let pages: Vec<String> = html_files(&site.out())
        .into_iter()
        .filter(|p| site.html(p).select(&sel("div.article-body")).next().is_some())
        .collect();
    assert_eq!(pages.len(), 30, "{pages:?}");
    pages
}

#[test]
fn every_anchor_and_internal_link_of_the_archive_leads_somewhere() {
    let site = built();
    for page in article_pages(&site) {
        let doc = site.html(&page);
        let ids: Vec<&str> = doc.select(&sel("[id]")).filter_map(|e| e.value().attr("id")).collect();
        for a in doc.select(&sel("a[href^='#']")) {
            let target = &a.value().attr("href").unwrap()[1..];
            assert!(ids.contains(&target), "{page}: #{target} points at nothing");
        }
        let body = doc.select(&sel("div.article-body")).next().unwrap();
        for a in body.select(&sel("a[href^='/news/']")) {
            let href = a.value().attr("href").unwrap();
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            let file = format!("{}index.html", path.trim_start_matches("/news/"));
            assert!(site.exists(&file), "{page}: {href} leads nowhere");
            if !fragment.is_empty() {
                let other = site.html(&file);
                assert!(other.select(&sel(&format!("[id='{fragment}']"))).next().is_some(), "{page}: {href}");
            }
        }
        let mail: Vec<&str> = body.select(&sel("a[href^='mailto:']")).filter_map(|a| a.value().attr("href")).collect();
        assert_eq!(mail, ["mailto:desk@archive.example.org"], "{page}");
    }
}

#[test]
fn footnotes_close_each_article_with_links_back() {
    let site = built();
    for page in article_pages(&site) {
        let doc = site.html(&page);
        let body = doc.select(&sel("div.article-body")).next().unwrap();
        let last = body.children().filter_map(ElementRef::wrap).last().unwrap();
        assert_eq!(last.value().attr("class"), Some("footnotes"), "{page}");
        let refs: Vec<&str> = body.select(&sel("sup.footnote-ref a")).filter_map(|a| a.value().attr("id")).collect();
        let backs: Vec<&str> = last
            .select(&sel("a.footnote-back"))
            .filter_map(|a| a.value().attr("href"))
            .map(|h| h.trim_start_matches('#'))
            .collect();
        assert_eq!(refs, backs, "{page}: every reference has its way back");
        assert_eq!(last.select(&sel("li")).count(), 2, "{page}");
    }
}

/// Text of `el` outside `code`, `pre`, `script` and `style` (and `noscript`, which
/// the parser keeps as raw markup).
fn shown_text(el: ElementRef<'_>, out: &mut String) {
    for child in el.children() {
        if let Some(e) = ElementRef::wrap(child) {
            if !matches!(e.value().name(), "code" | "pre" | "script" | "style" | "noscript" | "template") {
                shown_text(e, out);
            }
        } else if let Some(t) = child.value().as_text() {
            out.push_str(t);
        }
    }
}

#[test]
fn no_straight_quote_is_shown_outside_code() {
    let site = built();
    for page in html_files(&site.out()) {
        let doc = Html::parse_document(&read_to_string(&site.out().join(&page)));
        let mut text = doc.select(&sel("title")).next().map(text_of).unwrap_or_default();
        if let Some(main) = doc.select(&sel("main")).next() {
            shown_text(main, &mut text);
        }
        assert!(!text.contains('"') && !text.contains('\''), "{page} shows a straight quote: {text}");
    }
}

#[test]
fn code_keeps_its_language_and_its_straight_quotes() {
    let site = built();
    let mut languages = std::collections::BTreeSet::new();
    for page in article_pages(&site) {
        let doc = site.html(&page);
        for code in doc.select(&sel("pre code")) {
            let class = code.value().attr("class").unwrap_or_default();
            languages.insert(class.to_string());
            assert!(text_of(code).contains('"'), "{page}: the code lost its quotes");
        }
        let inline: Vec<String> = doc.select(&sel("li code")).map(text_of).collect();
        assert_eq!(inline, ["inline code"], "{page}");
    }
    assert_eq!(
        languages.into_iter().collect::<Vec<_>>(),
        ["", "language-mermaid", "language-python", "language-rust", "language-shell", "language-yaml"]
    );
}

/// Each fenced block of the fixture, by its class, as written.
const CODE: [(&str, &str); 5] = [
    ("language-rust", "fn main() {\n    let tide = \"high\";\n    println!(\"The tide is {tide}\");\n}\n"),
    ("language-python", "def tide(level):\n    return \"high\" if level > 3 else 'low'\n"),
    ("language-yaml", "title: \"Ferry times\"\nstops: [east, west]\n"),
    ("language-shell", "echo \"ferry: $STOP\" | grep -v 'closed'\n"),
    ("language-mermaid", "graph \"quay\" --> \"ferry\"\n"),
];

// Regression: fenced code was never highlighted (232 pages of a real archive have code).
#[test]
fn fenced_code_is_highlighted_with_classes_and_keeps_its_text() {
    let site = built();
    let mut highlighted = std::collections::BTreeSet::new();
    for page in article_pages(&site) {
        let doc = site.html(&page);
        let body = doc.select(&sel("div.article-body")).next().unwrap();
        assert_eq!(body.select(&sel("[style]")).count(), 0, "{page}: an inline style");
        for code in body.select(&sel("pre code")) {
            let class = code.value().attr("class").unwrap_or_default();
            let pre = ElementRef::wrap(code.parent().unwrap()).unwrap();
            let spans: Vec<&str> = code.select(&sel("span")).filter_map(|s| s.value().attr("class")).collect();
            if let Some((_, written)) = CODE.iter().find(|(c, _)| *c == class) {
                assert_eq!(
                    code.text().collect::<String>(),
                    *written,
                    "{page}: highlighting changed the text of {class}"
                );
            }
            if class == "language-mermaid" || class.is_empty() {
                assert!(spans.is_empty() && pre.value().attr("class").is_none(), "{page}: {}", pre.html());
                continue;
            }
            assert_eq!(pre.value().attr("class"), Some("highlight"), "{page}: {class}");
            assert!(spans.iter().all(|c| c.starts_with("hl-")), "{page}: {spans:?}");
            assert!(spans.iter().any(|c| c.contains("hl-string")), "{page}: {class} has no string: {spans:?}");
            highlighted.insert(class.to_string());
        }
    }
    assert_eq!(highlighted.len(), 4, "{highlighted:?}");
    let css = site.read("css/daily.css");
    for class in [".hl-comment", ".hl-string", ".hl-keyword"] {
        assert!(css.contains(class), "the theme's stylesheet colours {class}");
    }
}

#[test]
fn the_feeds_carry_absolute_urls_only() {
    let site = built();
    let atom = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let mut seen = 0;
    for content in doc.descendants().filter(|n| n.has_tag_name("content")) {
        let html = Html::parse_fragment(content.text().unwrap_or_default());
        for el in html.select(&sel("[href], [src]")) {
            for url in [el.value().attr("href"), el.value().attr("src")].into_iter().flatten() {
                seen += 1;
                assert!(
                    url.starts_with("https://archive.example.org/news/") || url.starts_with("mailto:"),
                    "feed content has {url:?}"
                );
            }
        }
    }
    assert!(seen > 50, "{seen} URLs in the feed");
}

// Regression: bodies were curled by pulldown-cmark quote by quote: `"the word "final" is not
// final"` showed “the word “final” is not final“ and `` `rustup show`'s `` showed ‘s.
#[test]
fn quotes_in_bodies_nest_and_possessives_after_code_are_apostrophes() {
    let site = built();
    for page in article_pages(&site) {
        let doc = site.html(&page);
        let body = doc.select(&sel("div.article-body")).next().unwrap();
        let para = body.select(&sel("p")).map(|p| p.inner_html()).find(|p| p.contains("clerk")).unwrap();
        assert!(
            para.contains(
                "The clerk’s reply was “the word ‘final’ is not final”, and <code>rustup show</code>’s output"
            ),
            "{page}: {para}"
        );
        let mut text = String::new();
        shown_text(body, &mut text);
        assert!(text.contains("“their own ‘best guess’ at the answer” – and"), "{page}: {text}");
        assert_eq!(text.matches('“').count(), text.matches('”').count(), "{page}: every “ is closed: {text}");
    }
}
