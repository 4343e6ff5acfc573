//! The escaping audit: hostile text in every front matter field and in site.yaml — closing
//! an attribute and opening a script, closing CDATA and script elements, opening a comment,
//! entities, quotes, `javascript:` URLs and control characters — must come out inert in
//! every page, feed, sitemap, JSON-LD block and redirect page, which still parse (HTML
//! checker, XML and JSON parsers) and still show the text the newsroom typed.

use std::collections::BTreeSet;
use std::path::Path;

use scraper::{ElementRef, Html};
use serde_json::{Value, json};

use crate::support::serve::{LIVERELOAD_TAG, Server, article, get, poll, write};
use crate::support::{SiteFixture, html_files, read_to_string, sel, text_of};
use crate::validate::{assert_valid_html, vnu_jar};

const HOSTILE_PAGE: &str = "2026/03/02/hostile/index.html";
const ALIAS: &str = "/old/\"><script>alert('alias')</script>/";

/// Every attack on every output context at once, labelled with the field it sits in.
fn hostile(field: &str) -> String {
    format!("{field} \"><script>alert('{field}')</script> ]]> </script> <!-- &amp; 'q' \u{7}\u{1b}\u{85}\u{b}")
}

/// What a page may show of `text`: the same, less the control characters (which no
/// escaping can make valid in HTML or XML, so they are dropped).
fn shown(text: &str) -> String {
    text.replace(['\u{7}', '\u{1b}', '\u{85}', '\u{b}'], "")
}

/// A YAML scalar for `value`: JSON strings are valid YAML double-quoted scalars. Every
/// control character is written as an escape, since YAML would read a raw U+0085 (next
/// line) as a line break and fold it into a space.
fn yaml(value: &str) -> String {
    let json = serde_json::to_string(value).unwrap();
    json.chars().map(|c| if c.is_control() { format!("\\u{:04x}", c as u32) } else { c.to_string() }).collect()
}

/// The escaping fixture with hostile site.yaml values and a hostile article.
fn hostile_site() -> SiteFixture {
    let site = SiteFixture::new("escaping");
    site.write(
        "site.yaml",
        &format!(
            // Smart punctuation off: every field must come out exactly as typed.
            "title: {}\npublication: {}\ndescription: {}\nbase_url: https://news.example.com/\n\
             markdown:\n  smart_punctuation: false\nextra:\n  tagline: {}\n  \
             meter:\n    free_articles: 3\n    subscribe_url: \"javascript:alert('meter')\"\n",
            yaml(&hostile("site")),
            yaml(&hostile("publication")),
            yaml(&hostile("description")),
            yaml(&hostile("tagline")),
        ),
    );
    let front = format!(
        "title: {}\nsummary: {}\nauthor: [{}, \"javascript:alert('author')\"]\nsection: {}\n\
         tags: [{}, \"javascript:alert('tag')\", {}]\n\
         photo:\n  src: harbour.jpg\n  alt: {}\n  credit: {}\n  caption: {}\n\
         aliases: [{}]\nextra:\n  note: {}",
        yaml(&hostile("title")),
        yaml(&hostile("summary")),
        yaml(&hostile("author")),
        yaml(&hostile("section")),
        yaml(&hostile("tag")),
        yaml("</script>]]>\u{8}"),
        yaml(&hostile("alt")),
        yaml(&hostile("credit")),
        yaml(&hostile("caption")),
        yaml(ALIAS),
        yaml(&hostile("extra")),
    );
    site.write("content/2026-03-02/hostile.md", &article(&front, "The attack is in the front matter."));
    site
}

/// Whether a URL would run script when followed or loaded (browsers ignore ASCII
/// whitespace and controls inside the scheme).
fn runs_script(url: &str) -> bool {
    let squeezed: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let lower = squeezed.to_ascii_lowercase();
    lower.starts_with("javascript:") || lower.starts_with("vbscript:") || lower.starts_with("data:text/html")
}

/// Every script element, event handler and script URL in `doc` that the theme did not
/// put there: a script must be JSON-LD, or load one of the site's own files.
fn injections(doc: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for el in doc.root_element().descendants().filter_map(ElementRef::wrap) {
        let name = el.value().name();
        if name == "script" {
            let json_ld = el.value().attr("type") == Some("application/ld+json");
            let own_file = el.value().attr("src").is_some_and(|s| s.starts_with('/') && s.ends_with(".js"));
            if !(json_ld || own_file && el.text().all(|t| t.trim().is_empty())) {
                found.push(format!("script element: {}", el.html()));
            }
        }
        // The theme's search boxes: plain GET forms to the site's own search page.
        let search_form = name == "form"
            && el.value().attr("method") == Some("get")
            && el.value().attr("action").is_some_and(|a| a.starts_with('/') && a.ends_with("/search/"));
        if ["iframe", "object", "embed", "svg", "base", "form"].contains(&name) && !search_form {
            found.push(format!("<{name}> element: {}", el.html()));
        }
        for (attr, value) in el.value().attrs() {
            if attr.starts_with("on") {
                found.push(format!("event handler {attr}={value:?} on <{name}>"));
            }
            let url = match (name, attr) {
                ("meta", "content") if el.value().attr("http-equiv").is_some() => {
                    value.split_once("url=").map_or("", |(_, u)| u)
                }
                (_, "href" | "src" | "action" | "formaction" | "poster" | "srcset" | "data") => value,
                _ => "",
            };
            if runs_script(url) {
                found.push(format!("script URL {attr}={value:?} on <{name}>"));
            }
        }
    }
    found
}

fn attr(doc: &Html, css: &str, name: &str) -> String {
    let el = doc.select(&sel(css)).next().unwrap_or_else(|| panic!("no `{css}`"));
    el.value().attr(name).unwrap_or_else(|| panic!("`{css}` has no {name}")).to_string()
}

fn text(doc: &Html, css: &str) -> String {
    text_of(doc.select(&sel(css)).next().unwrap_or_else(|| panic!("no `{css}`")))
}

#[test]
fn hostile_front_matter_and_config_come_out_inert_and_intact() {
    let site = hostile_site();
    site.build().assert_success();
    let out = site.out();

    // No page holds anything that runs.
    let pages = html_files(&out);
    assert!(pages.len() > 10, "{pages:?}");
    let mut problems = Vec::new();
    for page in &pages {
        let doc = Html::parse_document(&read_to_string(&out.join(page)));
        problems.extend(injections(&doc).into_iter().map(|p| format!("{page}: {p}")));
        for block in doc.select(&sel(r#"script[type="application/ld+json"]"#)) {
            let text: String = block.text().collect();
            if let Err(e) = serde_json::from_str::<Value>(&text) {
                problems.push(format!("{page}: JSON-LD does not parse ({e}): {text}"));
            }
        }
    }
    assert!(problems.is_empty(), "injected or broken:\n{}", problems.join("\n"));

    // The article page shows exactly what was typed, in text and attributes alike.
    let doc = site.html(HOSTILE_PAGE);
    assert_eq!(text(&doc, "h1"), shown(&hostile("title")).split_whitespace().collect::<Vec<_>>().join(" "));
    let og_title = attr(&doc, r#"meta[property="og:title"]"#, "content");
    assert_eq!(og_title, format!("{} — {}", shown(&hostile("title")), shown(&hostile("site"))));
    assert_eq!(attr(&doc, r#"meta[name="description"]"#, "content"), shown(&hostile("summary")));
    assert_eq!(attr(&doc, r#"meta[property="og:site_name"]"#, "content"), shown(&hostile("site")));
    assert_eq!(attr(&doc, r#"meta[property="article:section"]"#, "content"), shown(&hostile("section")));
    assert_eq!(attr(&doc, "figure img", "alt"), shown(&hostile("alt")));
    let caption = text(&doc, "figure figcaption");
    for field in ["caption", "credit"] {
        let want = shown(&hostile(field)).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(caption.contains(&want), "figcaption lost the {field}: {caption:?}");
    }
    let tags: BTreeSet<String> = doc
        .select(&sel(r#"meta[property="article:tag"]"#))
        .map(|m| m.value().attr("content").unwrap().into())
        .collect();
    assert!(tags.contains(&shown(&hostile("tag"))) && tags.contains("</script>]]>"), "{tags:?}");

    // JSON-LD holds the original strings, control characters included.
    let block = doc.select(&sel(r#"script[type="application/ld+json"]"#)).next().expect("no JSON-LD");
    let ld: Value = serde_json::from_str(&block.text().collect::<String>()).unwrap();
    assert_eq!(ld["headline"], hostile("title"));
    assert_eq!(ld["description"], hostile("summary"));
    assert_eq!(ld["articleSection"], hostile("section"));
    assert_eq!(ld["publisher"]["name"], hostile("site"));
    assert_eq!(ld["author"][0]["name"], hostile("author"));
    assert_eq!(ld["image"]["caption"], hostile("caption"));
    assert_eq!(ld["image"]["creditText"], hostile("credit"));

    assert_feeds(&out);
    assert_redirect_inert(&out);

    if let Some(jar) = vnu_jar() {
        assert_valid_html(&jar, &out);
    }
}

/// The JSON Feed parses and holds the original strings; every XML file parses and holds
/// them less the control characters XML forbids.
fn assert_feeds(out: &Path) {
    let feed: Value = serde_json::from_str(&read_to_string(&out.join("feed.json"))).expect("feed.json parses");
    assert_eq!(feed["title"], hostile("site"));
    let item = feed["items"].as_array().unwrap().iter().find(|i| i["url"].as_str().unwrap().contains("/hostile/"));
    let item = item.expect("the hostile article is in feed.json");
    assert_eq!(item["title"], hostile("title"));
    assert_eq!(item["authors"], json!([{ "name": hostile("author") }, { "name": "javascript:alert('author')" }]));

    let xml: Vec<String> = crate::support::files(out).into_iter().filter(|f| f.ends_with(".xml")).collect();
    assert!(xml.iter().any(|f| f == "feed.xml") && xml.iter().any(|f| f == "sitemap.xml"), "{xml:?}");
    for file in &xml {
        let text = read_to_string(&out.join(file));
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("{file} does not parse: {e}\n{text}"));
        assert!(doc.descendants().all(|n| !n.has_tag_name("script")), "{file} grew a script element");
    }
    let atom_text = read_to_string(&out.join("feed.xml"));
    let atom = roxmltree::Document::parse(&atom_text).unwrap();
    let titles: Vec<&str> = atom.descendants().filter(|n| n.has_tag_name("title")).filter_map(|n| n.text()).collect();
    assert!(titles.contains(&shown(&hostile("site")).as_str()), "feed title lost: {titles:?}");
    assert!(titles.contains(&shown(&hostile("title")).as_str()), "entry title lost: {titles:?}");
}

/// The alias page only redirects, to the article's own URL.
fn assert_redirect_inert(out: &Path) {
    let page = out.join(ALIAS.trim_start_matches('/')).join("index.html");
    let doc = Html::parse_document(&read_to_string(&page));
    assert!(injections(&doc).is_empty(), "{:?}", injections(&doc));
    assert_eq!(doc.select(&sel("script")).count(), 0, "a redirect page needs no script");
    let target = "https://news.example.com/2026/03/02/hostile/";
    assert_eq!(attr(&doc, r#"meta[http-equiv="refresh"]"#, "content"), format!("0; url={target}"));
    assert_eq!(attr(&doc, r#"link[rel="canonical"]"#, "href"), target);
    assert_eq!(attr(&doc, "a", "href"), target);
}

#[test]
fn script_urls_are_refused_where_a_url_is_expected() {
    let site = SiteFixture::new("escaping");
    for url in
        ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<script>x</script>"]
    {
        for (field, front) in [
            ("photo", format!("photo:\n  src: {}\n  alt: a\n  credit: c", yaml(url))),
            ("alias", format!("aliases: [{}]", yaml(url))),
        ] {
            site.write("content/2026-03-02/bad.md", &article(&format!("title: Bad\n{front}"), "Body."));
            let run = site.build();
            run.assert_failure();
            let error = run.error_about("content/2026-03-02/bad.md");
            assert!(
                error.text().contains(url.trim()),
                "the {field} error does not name {url:?}:\n{}",
                run.transcript()
            );
            assert!(!site.exists("2026/03/02/bad/index.html"), "{}", run.transcript());
        }
    }
    // The reader meter's subscribe link only follows http(s) and site paths.
    let meter = read_to_string(&crate::support::repo_root().join("themes/daily/static/js/meter.js"));
    assert!(meter.contains(r"/^(https?:\/\/|\/)/i.test(subscribe)"), "meter.js no longer checks the link's scheme");
}

#[test]
fn the_error_overlay_shows_a_hostile_message_escaped() {
    let site = SiteFixture::new("escaping");
    let server = Server::start(&site, &[]);
    let key = "<script>alert('overlay')</script>";
    write(&server.site, "content/2026-03-02/neighbour.md", &article(&format!("title: Broken\n{}: 1", yaml(key)), "B."));
    let page = poll(crate::support::serve::REBUILD_WAIT, || {
        let r = get(server.port, "/2026/03/02/neighbour/").ok_or("no answer")?;
        let text = r.text();
        if text.contains("masthead-error-overlay") { Ok(text) } else { Err(format!("no overlay yet:\n{text}")) }
    })
    .unwrap_or_else(|e| panic!("{e}\n{}", server.context()));

    let doc = Html::parse_document(&page);
    let overlay = doc.select(&sel("#masthead-error-overlay")).next().expect("no overlay element");
    assert_eq!(overlay.select(&sel("script")).count(), 0, "the overlay runs script:\n{}", overlay.html());
    assert!(text_of(overlay).contains(key), "the overlay does not show the key as text:\n{}", overlay.html());
    let live_reload = attr(&Html::parse_fragment(LIVERELOAD_TAG), "script", "src");
    let scripts: Vec<String> = doc.select(&sel("script")).map(|s| s.html()).collect();
    assert!(
        doc.select(&sel("script"))
            .all(|s| s.value().attr("src") == Some(&live_reload)
                || s.value().attr("type") == Some("application/ld+json")),
        "scripts other than live reload and JSON-LD: {scripts:?}"
    );
    assert_eq!(injections(&doc), Vec::<String>::new());
}
