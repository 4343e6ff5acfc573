//! Markdown and front-matter reading: `.md` links, smart punctuation, the GFM extensions,
//! YAML 1.2 scalars.

use crate::support::{SiteFixture, json_ld, json_objects, link_hrefs, sel, text_of};

fn body_html(site: &SiteFixture, page: &str) -> String {
    let doc = site.html(page);
    let body = doc.select(&sel("div.article-body")).next().unwrap_or_else(|| panic!("{page} has no div.article-body"));
    body.inner_html()
}

#[test]
fn md_links_become_page_urls() {
    let site = SiteFixture::new("md_links");
    site.build().assert_success();

    let one = link_hrefs(&site.html("2026/03/02/one/index.html"));
    // `two.md` has `slug: custom-two`: the link follows the page, not the file name.
    assert!(
        one.iter().filter(|h| *h == "/2026/03/02/custom-two/").count() >= 2,
        "`two.md` and `./two.md` should both become /2026/03/02/custom-two/: {one:?}"
    );
    assert!(
        one.iter().any(|h| h == "/2026/03/03/three/"),
        "`@/2026-03-03/three.md` should become /2026/03/03/three/: {one:?}"
    );
    let three = link_hrefs(&site.html("2026/03/03/three/index.html"));
    assert!(
        three.iter().any(|h| h == "/2026/03/02/one/"),
        "`../2026-03-02/one.md` should become /2026/03/02/one/: {three:?}"
    );
    for page in site.output_files() {
        if page.ends_with(".html") {
            let hrefs = link_hrefs(&site.html(&page));
            let raw: Vec<_> = hrefs.iter().filter(|h| h.contains(".md")).collect();
            assert!(raw.is_empty(), "{page} still links Markdown files: {raw:?}");
        }
    }
}

#[test]
fn smart_punctuation_curls_quotes_by_default() {
    let site = SiteFixture::new("markdown");
    site.build().assert_success();
    let body = body_html(&site, "2026/03/02/features/index.html");
    assert!(body.contains("\u{201c}we will rebuild\u{201d}"), "{body}");
    assert!(body.contains("it\u{2019}s"), "{body}");
    assert!(body.contains('\u{2013}') || body.contains('\u{2014}'), "no dash: {body}");
    assert!(body.contains('\u{2026}'), "no ellipsis: {body}");
}

#[test]
fn smart_punctuation_can_be_turned_off() {
    let site = SiteFixture::new("markdown");
    site.write(
        "site.yaml",
        "title: Markdown Test\nbase_url: https://news.example.com/\n\
         markdown:\n  smart_punctuation: false\n",
    );
    site.build().assert_success();
    let doc = site.html("2026/03/02/features/index.html");
    let body = doc.select(&sel("div.article-body")).next().unwrap();
    let text = text_of(body);
    assert!(text.contains("\"we will rebuild\""), "{text}");
    assert!(text.contains("it's"), "{text}");
}

#[test]
fn gfm_extensions_render() {
    let site = SiteFixture::new("markdown");
    site.build().assert_success();
    let doc = site.html("2026/03/02/features/index.html");
    let body = doc.select(&sel("div.article-body")).next().unwrap();
    let has = |css: &str| body.select(&sel(css)).next().is_some();
    assert!(has("table th"), "no table: {}", body.html());
    assert!(has("del"), "no strikethrough: {}", body.html());
    assert!(has(r#"input[type="checkbox"]"#), "no task list: {}", body.html());
    assert!(has("sup a, a sup, .footnote-reference"), "no footnote ref: {}", body.html());
    assert!(text_of(body).contains("A footnote."), "footnote text missing: {}", body.html());
}

#[test]
fn yaml_1_2_keeps_yes_no_on_as_text() {
    let site = SiteFixture::new("yaml_12");
    site.build().assert_success();
    let headline = |page: &str| {
        let doc = site.html(page);
        doc.select(&sel("h1")).map(text_of).collect::<Vec<_>>()
    };
    assert!(headline("2026/03/02/yes/index.html").contains(&"yes".to_string()));
    assert!(headline("2026/03/02/no/index.html").contains(&"NO".to_string()));
    let doc = site.html("2026/03/02/yes/index.html");
    let ld = json_ld(&doc);
    let mentions_n = ld.iter().flat_map(json_objects).filter_map(|o| o.get("author")).any(|a| holds_string(a, "N"));
    assert!(mentions_n, "author `N` should stay the text N in JSON-LD: {ld:?}");
}

/// Whether `s` is `v` or any string inside it.
fn holds_string(v: &serde_json::Value, s: &str) -> bool {
    match v {
        serde_json::Value::String(t) => t == s,
        serde_json::Value::Array(items) => items.iter().any(|i| holds_string(i, s)),
        serde_json::Value::Object(map) => map.values().any(|i| holds_string(i, s)),
        _ => false,
    }
}

// Regression: an email autolink (`<desk@example.org>`) was resolved as a file beside the
// article and failed the build; it is a `mailto:` link. Scheme links written as
// `[x](mailto:…)` or `[x](tel:…)` are kept as they are.
#[test]
fn email_autolinks_and_scheme_links_are_never_files() {
    let site = SiteFixture::new("minimal");
    site.write(
        "content/2026-03-02/only-story.md",
        "---\ntitle: The only story\n---\nWrite to <council@example.org> or \
         [the desk](mailto:desk@example.org?subject=Tip), call [us](tel:+15550100), \
         or see <https://example.org/a.md>.\n",
    );
    let run = site.build();
    run.assert_success();
    assert!(run.errors().is_empty() && run.warnings().is_empty(), "{}", run.transcript());
    let hrefs = link_hrefs(&site.html("2026/03/02/only-story/index.html"));
    for want in [
        "mailto:council@example.org",
        "mailto:desk@example.org?subject=Tip",
        "tel:+15550100",
        "https://example.org/a.md",
    ] {
        assert!(hrefs.iter().any(|h| h == want), "no link to {want}: {hrefs:?}");
    }
    site.run(&["check"]).assert_success();
}

// Regression: headings had no ids, so in-page `#anchor` links pointed at nothing, and
// footnotes were rendered where they were written, mid-article, without back-links.
#[test]
fn headings_have_ids_every_anchor_resolves_and_footnotes_close_the_article() {
    let site = SiteFixture::new("markdown");
    site.build().assert_success();
    let doc = site.html("2026/03/02/features/index.html");
    let body = doc.select(&sel("div.article-body")).next().expect("an article body");
    let ids: Vec<&str> = body.select(&sel("[id]")).filter_map(|e| e.value().attr("id")).collect();
    for id in ["what-the-council-decided", "how-the-money-is-spent", "vote", "how-the-money-is-spent-1"] {
        assert!(ids.contains(&id), "no id {id:?} in {ids:?}");
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "ids repeat: {ids:?}");
    let anchors: Vec<&str> =
        body.select(&sel("a[href^='#']")).filter_map(|a| a.value().attr("href")).map(|h| &h[1..]).collect();
    assert!(anchors.len() >= 8, "{anchors:?}");
    for anchor in &anchors {
        assert!(ids.contains(anchor), "#{anchor} points at nothing; ids: {ids:?}");
    }
    // The notes are the body's last element, numbered by first reference, with a link
    // back to each reference.
    let last = body.children().filter_map(scraper::ElementRef::wrap).last().expect("body elements");
    assert_eq!(last.value().attr("class"), Some("footnotes"), "{}", body.html());
    let notes: Vec<String> = last.select(&sel("li")).map(text_of).collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(notes[0].starts_with("A footnote."), "{notes:?}");
    assert!(notes[1].contains("east pier") && notes[1].contains("second paragraph"), "{notes:?}");
    let backs: Vec<&str> = last.select(&sel("a.footnote-back")).filter_map(|a| a.value().attr("href")).collect();
    assert_eq!(backs, ["#fnref-1", "#fnref-1-2", "#fnref-2"]);
}

// Regression: feed content carried root-relative links and bare fragments, which a reader
// resolves against the feed's host or not at all.
#[test]
fn feed_content_holds_only_absolute_urls() {
    let site = SiteFixture::new("md_links");
    site.write(
        "content/2026-03-03/three.md",
        &format!(
            "{}\n\nSee [the note](#fn-1) and <a href='/2026/03/02/one/'>raw</a>.[^1]\n\n[^1]: A note.\n",
            std::fs::read_to_string(site.site().join("content/2026-03-03/three.md")).unwrap().trim_end()
        ),
    );
    site.build().assert_success();
    let atom = site.read("feed.xml");
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let json: serde_json::Value = serde_json::from_str(&site.read("feed.json")).unwrap();
    let mut contents: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("content"))
        .map(|n| n.text().unwrap_or_default().to_string())
        .collect();
    contents.extend(json["items"].as_array().unwrap().iter().map(|i| i["content_html"].as_str().unwrap().to_string()));
    assert!(contents.iter().any(|c| c.contains("#fn-1")), "{contents:?}");
    for content in &contents {
        let html = scraper::Html::parse_fragment(content);
        for el in html.select(&sel("[href], [src]")) {
            for url in [el.value().attr("href"), el.value().attr("src")].into_iter().flatten() {
                assert!(url.starts_with("https://") || url.starts_with("mailto:"), "feed content has {url:?}");
            }
        }
    }
}

// Regression: warnings from an article's Markdown (an image without alt text) were dropped
// whenever the article had no error.
#[test]
fn markdown_warnings_reach_the_editor() {
    let site = SiteFixture::new("minimal");
    site.write(
        "content/2026-03-02/notes.md",
        "---\ntitle: Notes\n---\nA photo:\n\n![](https://example.org/pier.jpg)\n\n[^spare]: Never used.\n",
    );
    let run = site.build();
    run.assert_success();
    let warnings: Vec<String> = run
        .warnings()
        .iter()
        .map(|d| format!("{}:{:?}: {}", d.path.as_deref().unwrap_or_default(), d.line, d.message))
        .collect();
    assert!(
        warnings.iter().any(|w| w.starts_with("content/2026-03-02/notes.md:Some(6)") && w.contains("no alt text")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.starts_with("content/2026-03-02/notes.md:Some(8)") && w.contains("[^spare]")),
        "{warnings:?}"
    );
}

// Regression: smart punctuation reached bodies only, so headlines, decks, captions, `<title>`
// and feeds kept straight quotes beside curled bodies (`Rust&#39;s 2017 roadmap`).
#[test]
fn headlines_decks_and_captions_are_curled_like_the_body() {
    let site = SiteFixture::new("minimal");
    site.write(
        "content/2026-03-02/roadmap.md",
        "---\ntitle: \"Rust's \\\"2017\\\" roadmap -- and the editors' plan\"\n\
         summary: \"What's next, in 'plain' words...\"\n\
         photo:\n  src: https://example.org/map.jpg\n  alt: \"The 'map'\"\n  caption: \"The team's map\"\n  credit: Desk\n\
         ---\nThe body's \"text\".\n",
    );
    site.build().assert_success();
    let doc = site.html("2026/03/02/roadmap/index.html");
    let headline = "Rust’s “2017” roadmap – and the editors’ plan";
    assert_eq!(doc.select(&sel("h1")).next().map(text_of).as_deref(), Some(headline));
    let title = doc.select(&sel("title")).next().map(text_of).unwrap_or_default();
    assert!(title.starts_with(headline), "{title}");
    let deck = doc.select(&sel(".dek, .deck, .summary")).next().map(text_of).unwrap_or_default();
    assert_eq!(deck, "What’s next, in ‘plain’ words…");
    let caption = doc.select(&sel("figcaption")).next().map(text_of).unwrap_or_default();
    assert!(caption.contains("The team’s map"), "{caption}");
    // The alt text is an attribute for screen readers and machines: as written.
    let alt = doc.select(&sel("figure img")).next().and_then(|i| i.value().attr("alt").map(String::from));
    assert_eq!(alt.as_deref(), Some("The 'map'"));
    let feed = site.read("feed.xml");
    assert!(feed.contains(headline), "{feed}");
}

// Regression: relative links in raw HTML were never checked (a real archive had 109 that led
// nowhere while `check` passed), and a raw `<a href="x.md">` was published as written.
#[test]
fn raw_html_links_are_resolved_and_checked() {
    let site = SiteFixture::new("md_links");
    let three = std::fs::read_to_string(site.site().join("content/2026-03-03/three.md")).unwrap();
    site.write(
        "content/2026-03-03/three.md",
        &format!(
            "{}\n\n<p>See <a href=\"../2026-03-02/one.md#top\">one</a> and\n<img src='missing-chart.png' alt='A chart'></p>\n",
            three.trim_end()
        ),
    );
    let run = site.build();
    run.assert_success();
    let warnings = run.warnings();
    assert_eq!(warnings.len(), 1, "{}", run.transcript());
    assert_eq!((warnings[0].path.as_deref(), warnings[0].line), (Some("content/2026-03-03/three.md"), Some(7)));
    assert!(warnings[0].message.contains("missing-chart.png") && warnings[0].message.ends_with("(in raw HTML)"));
    let hrefs = link_hrefs(&site.html("2026/03/03/three/index.html"));
    assert!(hrefs.iter().any(|h| h == "/2026/03/02/one/#top"), "{hrefs:?}");
    site.run(&["check", "--strict"]).assert_code(1);
}
