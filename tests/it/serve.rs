//! `masthead serve --watch` from the outside: the real binary on a copy of
//! `tests/fixtures/serve/`, talked to over raw HTTP on 127.0.0.1 while the tests edit,
//! add, rename and delete files under it. The served site must always equal what a fresh
//! `build --drafts --future --base-url http://127.0.0.1:PORT/` gives (bar the injected
//! live-reload script), errors must never stop the server, and the HTTP side must serve
//! only the site, only to local pages. The harness is in `support/serve.rs`.

use crate::support::serve::*;
use crate::support::{SiteFixture, parse_diagnostics};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::thread::{self};
use std::time::{Duration, Instant};

const HARBOUR: &str = "content/2026-05-29/harbour-reopens.md";
const HARBOUR_URL: &str = "/2026/05/29/harbour-reopens/";
const HARBOUR_FRONT: &str = "title: Harbour reopens after storm repairs\n\
    summary: Ferries return to the east pier on Monday.\nauthor: Ada Quay\nsection: City\n\
    tags: [harbour]\norder: 1\nphoto:\n  src: harbour.jpg\n  alt: A ferry moored at the repaired east pier\n  \
    caption: The east pier on Sunday evening.\n  credit: Photo by Lena Brook";

fn harbour(body: &str) -> String {
    article(HARBOUR_FRONT, body)
}

/// Waits until `path` answers 200 with a body containing `needle`.
fn wait_for_text(server: &Server, path: &str, needle: &str) {
    let found = poll(REBUILD_WAIT, || match server.try_get(path) {
        Some(r) if r.status == 200 && r.text().contains(needle) => Ok(()),
        Some(r) => Err(format!("status {}, body without {needle:?}", r.status)),
        None => Err("no answer".into()),
    });
    if let Err(e) = found {
        panic!("GET {path} never served {needle:?} within {REBUILD_WAIT:?} (last: {e})\n{}", server.context());
    }
}

/// Waits until `path` answers `status`.
fn wait_for_status(server: &Server, path: &str, status: u16) -> Response {
    poll(REBUILD_WAIT, || match server.try_get(path) {
        Some(r) if r.status == status => Ok(r),
        Some(r) => Err(format!("status {}", r.status)),
        None => Err("no answer".into()),
    })
    .unwrap_or_else(|e| {
        panic!("GET {path} never answered {status} within {REBUILD_WAIT:?} (last: {e})\n{}", server.context())
    })
}

/// Waits until `path` answers 200 with exactly `bytes`.
fn wait_for_bytes(server: &Server, path: &str, bytes: &[u8]) {
    poll(REBUILD_WAIT, || match server.try_get(path) {
        Some(r) if r.status == 200 && r.body == bytes => Ok(()),
        Some(r) => Err(format!("status {}, {:?}", r.status, r.text().chars().take(120).collect::<String>())),
        None => Err("no answer".into()),
    })
    .unwrap_or_else(|e| {
        let want = String::from_utf8_lossy(bytes);
        panic!("GET {path} never served {want:?} within {REBUILD_WAIT:?} (last: {e})\n{}", server.context())
    });
}

/// The 404 page as served at `/404.html`, live-reload tag removed.
fn not_found_page(server: &Server) -> Vec<u8> {
    let r = server.get("/404.html");
    assert_eq!(r.status, 200, "GET /404.html");
    r.without_livereload().0
}

fn assert_is_404_page(server: &Server, path: &str, resp: &Response) {
    assert_eq!(resp.status, 404, "GET {path}");
    assert_eq!(
        resp.without_livereload().0,
        not_found_page(server),
        "GET {path}: the 404 answer's body is not the site's 404.html"
    );
}

// ---------------------------------------------------------------------------------------
// Starting, serving, base URL

#[test]
fn serves_the_site_as_a_fresh_drafts_and_future_build_on_loopback() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let fresh = assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &BTreeSet::new());

    // The draft is in, and the base URL is the local one, sub-path dropped.
    assert!(fresh.contains_key("2026/05/28/ferry-strike/index.html"), "serve includes drafts");
    let page = server.get(HARBOUR_URL).text();
    let canonical =
        format!(r#"<link rel="canonical" href="{}{}">"#, server.base_url().trim_end_matches('/'), HARBOUR_URL);
    assert!(page.contains(&canonical), "no local canonical link {canonical} in\n{page}");
    assert!(!page.contains("news.example.com") && !page.contains("/daily/"), "site.yaml's base_url leaked:\n{page}");
    let doc = scraper::Html::parse_document(&page);
    for href in crate::support::link_hrefs(&doc).iter().filter(|h| crate::support::is_internal(h)) {
        assert!(href.starts_with('/'), "internal link {href:?} is not root-relative");
    }

    // The same file answers at its directory URL and at its own name.
    let direct = server.get(&format!("{HARBOUR_URL}index.html"));
    assert_eq!((direct.status, direct.body), (200, server.get(HARBOUR_URL).body));

    // The injected script is only in served pages: a build never has it.
    for (rel, bytes) in &fresh {
        assert!(!String::from_utf8_lossy(bytes).contains("__masthead"), "build output {rel} mentions __masthead");
    }
    // The script itself is served.
    let js = server.get("/__masthead/livereload.js");
    assert_eq!(js.status, 200, "GET /__masthead/livereload.js");
    assert!(js.header("content-type").unwrap_or_default().contains("javascript"), "{:?}", js.headers);
    // The marker file of built folders is not part of the site.
    assert_eq!(server.get("/.masthead-output").status, 404, "the .masthead-output marker is served");
}

#[test]
fn explicit_bind_to_loopback_serves_too() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &["--bind", "127.0.0.1"]);
    let r = server.get("/");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Harbour reopens after storm repairs"), "front page:\n{}", r.text());
}

#[test]
fn missing_page_answers_404_with_the_sites_404_page() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    for path in ["/no/such/page/", "/2026/05/29/no-such-story/", "/missing.css", "/2026/05/30/"] {
        let r = server.get(path);
        assert_is_404_page(&server, path, &r);
        assert!(r.header("content-type").unwrap_or_default().starts_with("text/html"), "{path}: {:?}", r.headers);
    }
    assert!(String::from_utf8_lossy(&not_found_page(&server)).contains("Page not found"));
}

// ---------------------------------------------------------------------------------------
// Watching

#[test]
fn edited_article_is_served_and_the_rebuild_reported() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let rebuilt_before = server.rebuilt_lines();
    write(&server.site, HARBOUR, &harbour("Edited harbour text: the east pier opens on Tuesday instead."));
    wait_for_text(&server, HARBOUR_URL, "the east pier opens on Tuesday instead");
    poll(REBUILD_WAIT, || if server.rebuilt_lines() > rebuilt_before { Ok(()) } else { Err("no line".into()) })
        .unwrap_or_else(|_| panic!("no `Rebuilt …` line on stderr after an edit\n{}", server.context()));
    assert!(!server.get(HARBOUR_URL).text().contains("Original harbour text"), "old text still served");
    // A title change reaches every page that lists the article.
    write(
        &server.site,
        HARBOUR,
        &harbour("Same body.").replace("Harbour reopens after", "Harbour finally reopens after"),
    );
    wait_for_text(&server, "/2026/05/29/", "Harbour finally reopens after storm repairs");
    wait_for_text(&server, "/tags/harbour/", "Harbour finally reopens after storm repairs");
    assert_served_equals_fresh_build(server.port, &server.site);
}

// Regression: the preview's refresh of an edited article body skipped the sizing of its
// body images, so the served page lost `srcset`, `width` and `height` and the feeds
// differed from a build.
#[test]
fn edited_body_keeps_its_image_sizes_as_a_fresh_build_has_them() {
    let site = SiteFixture::new("serve");
    let body = "Ferries return to the east pier.\n\n![The east pier](harbour.jpg)\n";
    site.write(HARBOUR, &harbour(body));
    let server = Server::start(&site, &[]);
    // The fixture's photo is 8×6, too small for a srcset, but its size is known.
    let sized = r#"<img src="/2026/05/29/harbour.jpg" width="8" height="6" alt="The east pier""#;
    let page = server.get(HARBOUR_URL).text();
    assert!(page.contains(sized), "body image without its size at start:\n{page}");

    write(&server.site, HARBOUR, &harbour(&format!("{body}\nA sentence added in the preview.")));
    wait_for_text(&server, HARBOUR_URL, "A sentence added in the preview.");
    let fresh = fresh_build(server.port, &server.site, SERVE_DEFAULT_FLAGS);
    let article = "2026/05/29/harbour-reopens/index.html";
    let built = String::from_utf8_lossy(&fresh[article]).into_owned();
    assert!(built.contains(sized), "the build sizes the body image:\n{built}");
    let watched: BTreeMap<String, Vec<u8>> = fresh
        .iter()
        .filter(|(rel, _)| [article, "feed.xml", "feed.json"].contains(&rel.as_str()))
        .map(|(rel, bytes)| (rel.clone(), bytes.clone()))
        .collect();
    assert_eq!(watched.len(), 3, "the build has the article page and both feeds: {:?}", watched.keys());
    if let Err(diff) = poll(REBUILD_WAIT, || compare_served(server.port, &watched, &BTreeSet::new())) {
        panic!("after an edit, the article page and feeds differ from a fresh build:\n{diff}\n{}", server.context());
    }
    assert_served_equals_fresh_build(server.port, &server.site);
}

/// The server must watch before it answers: an edit saved the moment the first page
/// loads is not lost. (A race, so several rounds make a lost edit likely to show.)
#[test]
fn edit_saved_right_after_the_first_answer_is_not_lost() {
    for round in 0..8 {
        let site = SiteFixture::new("serve");
        let server = Server::start_in(site.root(), "site", &[], Ready::FirstAnswer);
        let text = format!("Saved at once, round {round}.");
        write(&server.site, HARBOUR, &harbour(&text));
        assert!(server.stderr().lines().all(|l| !l.contains("is busy")), "port taken\n{}", server.context());
        wait_for_text(&server, HARBOUR_URL, &text);
    }
}

#[test]
fn editor_saves_through_a_temp_file_are_picked_up() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    for (n, temp) in
        [".harbour-reopens.md.swp", "harbour-reopens.md~", ".harbour-reopens.md.tmp123", "4913"].into_iter().enumerate()
    {
        let text = format!("Saved through {temp}, save number {n}.");
        save_via_temp(&server.site, HARBOUR, temp, &harbour(&text));
        wait_for_text(&server, HARBOUR_URL, &text);
    }
    // Vim without `backupcopy`: the original is renamed to a backup, a new file written,
    // the backup removed.
    let path = server.site.join(HARBOUR);
    let backup = path.with_file_name("harbour-reopens.md~");
    fs::rename(&path, &backup).unwrap();
    fs::write(&path, harbour("Saved the vim way.")).unwrap();
    fs::remove_file(&backup).unwrap();
    wait_for_text(&server, HARBOUR_URL, "Saved the vim way.");
    // None of the temp names became a page.
    assert_served_equals_fresh_build(server.port, &server.site);
}

#[test]
fn new_edition_folder_appears_with_its_article_and_leads_the_front_page() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    fs::create_dir(server.site.join("content/2026-05-31")).unwrap();
    write(
        &server.site,
        "content/2026-05-31/lighthouse.md",
        &article(
            "title: Lighthouse keeper retires\nsection: City\ntags: [harbour, people]",
            "After forty years the lamp passes on.",
        ),
    );
    wait_for_text(&server, "/2026/05/31/lighthouse/", "After forty years the lamp passes on.");
    wait_for_text(&server, "/2026/05/31/", "Lighthouse keeper retires");
    wait_for_text(&server, "/", "Lighthouse keeper retires");
    wait_for_text(&server, "/tags/people/", "Lighthouse keeper retires");
    // A file beside it is copied beside its page.
    fs::copy(server.site.join("content/2026-05-29/harbour.jpg"), server.site.join("content/2026-05-31/lamp.jpg"))
        .unwrap();
    wait_for_status(&server, "/2026/05/31/lamp.jpg", 200);
    assert_served_equals_fresh_build(server.port, &server.site);
}

#[test]
fn deleted_article_answers_404_and_leaves_its_edition_page() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    assert!(server.get("/2026/05/29/").text().contains("Council passes a lean budget"));
    fs::remove_file(server.site.join("content/2026-05-29/council-budget.md")).unwrap();
    let r = wait_for_status(&server, "/2026/05/29/council-budget/", 404);
    assert_is_404_page(&server, "/2026/05/29/council-budget/", &r);
    let edition = server.get("/2026/05/29/").text();
    assert!(!edition.contains("Council passes a lean budget"), "deleted article still on its edition page:\n{edition}");
    // Its only tag and section pages go with it.
    let gone = [
        "2026/05/29/council-budget/index.html",
        "tags/council/index.html",
        "sections/politics/index.html",
        "sections/politics/feed.xml",
    ];
    let gone: BTreeSet<String> = gone.iter().map(|s| s.to_string()).collect();
    assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &gone);
}

#[test]
fn renamed_article_moves_to_its_new_url() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let dir = server.site.join("content/2026-05-29");
    fs::rename(dir.join("market-day.md"), dir.join("spring-market.md")).unwrap();
    wait_for_status(&server, "/2026/05/29/spring-market/", 200);
    wait_for_status(&server, "/2026/05/29/market-day/", 404);
    let edition = server.get("/2026/05/29/").text();
    assert!(
        edition.contains("/2026/05/29/spring-market/") && !edition.contains("/2026/05/29/market-day/"),
        "{edition}"
    );
    let gone = BTreeSet::from(["2026/05/29/market-day/index.html".to_string()]);
    assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &gone);
}

// The front page is served once every file is parsed, before the older
// editions' bodies are rendered; an error found in one of those bodies then
// takes it away again: a site that does not load shows nothing of itself.
#[test]
fn a_site_failing_in_an_older_body_serves_no_page_of_it_only_the_error() {
    let site = SiteFixture::new("serve");
    let older = "content/2026-05-28/spring-tides.md";
    let text = fs::read_to_string(site.root().join("site").join(older)).unwrap();
    site.write(older, &text.replace("lapped the quay steps", "lapped [the quay steps](no-such-story.md)"));
    let server = Server::start_in(site.root(), "site", &[], Ready::FirstLoadEnded);
    let log = server.stderr();
    assert!(log.contains("no-such-story.md"), "the broken link is reported\n{log}");
    for path in ["/", "/2026/05/29/", HARBOUR_URL] {
        let page = poll(REBUILD_WAIT, || match server.get(path) {
            page if page.status == 404 => Ok(page),
            page => Err(format!("{path}: {} while the site does not load", page.status)),
        })
        .unwrap_or_else(|e| panic!("{e}\n{}", server.context()));
        assert!(!page.text().contains("Harbour reopens after storm repairs"), "{path} shows the site");
        assert!(page.text().contains("no-such-story.md"), "{path} shows the error overlay:\n{}", page.text());
    }
}

#[test]
fn broken_front_matter_keeps_the_last_good_site_until_fixed() {
    let site = SiteFixture::new("serve");
    let mut server = Server::start(&site, &[]);
    // The classic trap: an unquoted colon, on line 2 of the file.
    let broken = harbour("Broken harbour text.")
        .replace("title: Harbour reopens after storm repairs", "title: Harbour: reopened");
    write(&server.site, HARBOUR, &broken);
    let diag = poll(REBUILD_WAIT, || {
        parse_diagnostics(&server.stderr())
            .into_iter()
            .find(|d| d.path.as_deref() == Some(HARBOUR))
            .ok_or_else(|| "no diagnostic yet".to_string())
    })
    .unwrap_or_else(|_| panic!("no `error: {HARBOUR}:…` on stderr\n{}", server.context()));
    assert_eq!(diag.line, Some(2), "error line: {}", diag.raw);
    assert!(diag.raw.starts_with("error: "), "{}", diag.raw);
    // The same lines as `build` prints for the same files.
    let out = site.root().join("fresh-broken");
    let build = site.run(&["build", "--drafts", "--future", "--output", out.to_str().unwrap()]);
    build.assert_failure();
    let log = server.stderr();
    for line in build.errors().iter().flat_map(|d| d.raw.lines().map(str::to_string).collect::<Vec<_>>()) {
        assert!(log.lines().any(|l| l == line), "`build` prints `{line}`, serve does not\n{}", server.context());
    }

    // Alive, and still serving the last good site.
    for _ in 0..3 {
        server.assert_alive("after a broken article");
        let front = server.get("/");
        assert_eq!(front.status, 200);
        assert!(front.text().contains("Harbour reopens after storm repairs"), "front page lost the last good content");
        let page = server.get(HARBOUR_URL);
        assert_eq!(page.status, 200, "the article of the broken file");
        assert!(page.text().contains("Original harbour text"), "the broken file's page must stay the last good one");
        assert!(!page.text().contains("Broken harbour text"));
        thread::sleep(Duration::from_millis(150));
    }

    // Another good edit meanwhile changes nothing: the site is still broken.
    write(
        &server.site,
        "content/2026-05-29/market-day.md",
        &article("title: Market day returns to the square\norder: 3", "Edited while broken."),
    );
    thread::sleep(Duration::from_millis(600));
    server.assert_alive("after an edit while broken");

    write(&server.site, HARBOUR, &harbour("Fixed harbour text."));
    wait_for_text(&server, HARBOUR_URL, "Fixed harbour text.");
    wait_for_text(&server, "/2026/05/29/market-day/", "Edited while broken.");
    server.assert_alive("after the fix");
    assert_served_equals_fresh_build(server.port, &server.site);
}

#[test]
fn added_then_edited_site_template_rerenders_pages() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let theme_article =
        fs::read_to_string(crate::support::repo_root().join("themes/daily/templates/article.html")).unwrap();
    let with_marker = |m: &str| {
        theme_article.replacen(
            "<div class=\"article-body\">",
            &format!("<p class=\"marker\">{m}</p>\n<div class=\"article-body\">"),
            1,
        )
    };
    assert!(with_marker("x") != theme_article, "themes/daily/templates/article.html has no article-body div");
    write(&server.site, "templates/article.html", &with_marker("Override one"));
    wait_for_text(&server, HARBOUR_URL, "Override one");
    wait_for_text(&server, "/2026/05/28/spring-tides/", "Override one");
    assert_served_equals_fresh_build(server.port, &server.site);

    write(&server.site, "templates/article.html", &with_marker("Override two"));
    wait_for_text(&server, HARBOUR_URL, "Override two");
    assert!(!server.get("/2026/05/29/market-day/").text().contains("Override one"));
    assert!(!server.get("/").text().contains("Override"), "the front page does not use article.html");
    assert_served_equals_fresh_build(server.port, &server.site);

    // Removing the override brings the theme's template back.
    fs::remove_file(server.site.join("templates/article.html")).unwrap();
    poll(REBUILD_WAIT, || {
        if server.get(HARBOUR_URL).text().contains("Override") { Err("still".to_string()) } else { Ok(()) }
    })
    .unwrap_or_else(|_| panic!("the removed override still renders\n{}", server.context()));
    assert_served_equals_fresh_build(server.port, &server.site);
}

#[test]
fn edited_template_of_a_theme_folder_rerenders_pages() {
    let site = SiteFixture::new("serve");
    crate::support::copy_dir(&crate::support::repo_root().join("themes/daily"), &site.site().join("themes/daily"));
    let server = Server::start(&site, &[]);
    let base_rel = "themes/daily/templates/base.html";
    let base = fs::read_to_string(server.site.join(base_rel)).unwrap();
    assert!(base.contains("<main id=\"main\">"));
    write(&server.site, base_rel, &base.replace("<main id=\"main\">", "<main id=\"main\"><p>Theme edit marker</p>"));
    for path in ["/", HARBOUR_URL, "/2026/05/28/", "/archive/", "/tags/harbour/"] {
        wait_for_text(&server, path, "Theme edit marker");
    }
    assert_served_equals_fresh_build(server.port, &server.site);
    // The theme's stylesheet is watched too.
    let css_rel = "themes/daily/static/css/daily.css";
    let css = fs::read_to_string(server.site.join(css_rel)).unwrap();
    write(&server.site, css_rel, &format!("{css}\n.theme-edit-marker {{ color: red; }}\n"));
    wait_for_text(&server, "/css/daily.css", ".theme-edit-marker");
    assert_served_equals_fresh_build(server.port, &server.site);
}

// Regression: the watcher kept the theme it started with, so after `site.yaml` switched
// to a theme folder created while serving, edits of that theme's templates were never served.
#[test]
fn switching_theme_in_site_yaml_follows_the_new_theme_folder() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    // A theme folder created after start, then named in `site.yaml`.
    crate::support::copy_dir(&crate::support::repo_root().join("themes/daily"), &server.site.join("themes/alt"));
    let base_rel = "themes/alt/templates/base.html";
    let base = fs::read_to_string(server.site.join(base_rel)).unwrap();
    write(&server.site, base_rel, &base.replace("<main id=\"main\">", "<main id=\"main\"><p>Alt theme</p>"));
    let config = fs::read_to_string(server.site.join("site.yaml")).unwrap();
    write(&server.site, "site.yaml", &format!("{config}theme: alt\n"));
    wait_for_text(&server, HARBOUR_URL, "Alt theme");
    let article_rel = "themes/alt/templates/article.html";
    let article = fs::read_to_string(server.site.join(article_rel)).unwrap();
    assert!(article.contains("{% block content %}"), "the daily theme's article template changed shape");
    write(
        &server.site,
        article_rel,
        &article.replace("{% block content %}", "{% block content %}<p>Alt article edit</p>"),
    );
    wait_for_text(&server, HARBOUR_URL, "Alt article edit");
    assert_served_equals_fresh_build(server.port, &server.site);
    // The theme left behind is no longer followed: an edit there changes nothing served.
    crate::support::copy_dir(&crate::support::repo_root().join("themes/daily"), &server.site.join("themes/daily"));
    let old_rel = "themes/daily/templates/base.html";
    write(&server.site, old_rel, &base.replace("<main id=\"main\">", "<main id=\"main\"><p>Old theme</p>"));
    assert_served_equals_fresh_build(server.port, &server.site);
    assert!(!server.get(HARBOUR_URL).text().contains("Old theme"));
}

#[test]
fn static_file_created_and_edited_is_served_with_new_bytes() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    assert_eq!(server.get("/css/late.css").status, 404);
    write(&server.site, "static/css/late.css", ".late { color: blue; }\n");
    let r = wait_for_status(&server, "/css/late.css", 200);
    assert_eq!(r.body, b".late { color: blue; }\n");
    assert!(r.header("content-type").unwrap_or_default().starts_with("text/css"), "{:?}", r.headers);
    write(&server.site, "static/css/late.css", ".late { color: green; }\n");
    wait_for_bytes(&server, "/css/late.css", b".late { color: green; }\n");
    assert_served_equals_fresh_build(server.port, &server.site);
}

#[test]
fn static_files_edited_overridden_and_deleted_are_served_as_built() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    write(&server.site, "static/css/extra.css", ".story { border-top: 3px solid red; }\n");
    wait_for_bytes(&server, "/css/extra.css", b".story { border-top: 3px solid red; }\n");
    // The site's static/ overrides the theme's.
    write(&server.site, "static/css/daily.css", "/* site override */\n");
    wait_for_bytes(&server, "/css/daily.css", b"/* site override */\n");
    assert_served_equals_fresh_build(server.port, &server.site);
    // Deleting the override brings the theme's back; deleting a file of its own, a 404.
    fs::remove_file(server.site.join("static/css/daily.css")).unwrap();
    fs::remove_file(server.site.join("static/css/extra.css")).unwrap();
    let r = wait_for_status(&server, "/css/extra.css", 404);
    assert_is_404_page(&server, "/css/extra.css", &r);
    let gone = BTreeSet::from(["css/extra.css".to_string()]);
    assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &gone);
}

#[test]
fn symlinks_out_of_the_site_are_never_served() {
    let site = SiteFixture::new("serve");
    const SECRET: &str = "TOP-SECRET-41c2: the embargoed ferry deal";
    let secret = site.root().join("secret.txt");
    fs::write(&secret, SECRET).unwrap();
    let mut server = Server::start(&site, &[]);
    let links = [("static/leak.txt", "/leak.txt"), ("content/2026-05-29/leak.txt", "/2026/05/29/leak.txt")];
    for (rel, _) in links {
        std::os::unix::fs::symlink(&secret, server.site.join(rel)).unwrap();
    }
    // Whatever the server makes of them (an error, or leaving them out), never the secret.
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        for (_, url) in links {
            let r = server.get(url);
            assert!(!r.text().contains(SECRET), "GET {url} → {} served the file a symlink points to", r.status);
        }
        thread::sleep(Duration::from_millis(100));
    }
    server.assert_alive("after symlinks out of the site");
    for (rel, _) in links {
        fs::remove_file(server.site.join(rel)).unwrap();
    }
    assert_served_equals_fresh_build(server.port, &server.site);
}

#[test]
fn site_yaml_edit_and_whole_edition_moves_are_picked_up() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let mut gone = BTreeSet::new();
    let config = fs::read_to_string(server.site.join("site.yaml")).unwrap();
    write(&server.site, "site.yaml", &config.replace("The Harbour Post", "The Quayside Post"));
    wait_for_text(&server, "/", "The Quayside Post");
    assert_served_equals_fresh_build(server.port, &server.site);

    // An edition folder renamed: its articles take the folder's date.
    let content = server.site.join("content");
    fs::rename(content.join("2026-05-28"), content.join("2026-05-27")).unwrap();
    wait_for_status(&server, "/2026/05/27/spring-tides/", 200);
    wait_for_status(&server, "/2026/05/28/spring-tides/", 404);
    for rel in ["2026/05/28/index.html", "2026/05/28/spring-tides/index.html", "2026/05/28/ferry-strike/index.html"] {
        gone.insert(rel.to_string());
    }
    assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &gone);

    // A whole edition folder deleted.
    fs::remove_dir_all(content.join("2026-05-27")).unwrap();
    wait_for_status(&server, "/2026/05/27/", 404);
    for rel in ["2026/05/27/index.html", "2026/05/27/spring-tides/index.html", "tags/weather/index.html"] {
        gone.insert(rel.to_string());
    }
    assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &gone);

    // Several changes at once, inside one debounce window.
    write(
        &server.site,
        "content/2026-05-29/council-budget.md",
        &article("title: Council budget, revised\nsection: Politics\norder: 2", "Revised."),
    );
    write(
        &server.site,
        "content/2026-05-30/night-ferry.md",
        &article("title: Night ferry returns", "The 23:40 sails again."),
    );
    fs::remove_file(server.site.join("content/2026-05-29/market-day.md")).unwrap();
    gone.insert("2026/05/29/market-day/index.html".into());
    wait_for_text(&server, "/2026/05/30/night-ferry/", "sails again");
    assert_served_equals_fresh_build_with(server.port, &server.site, SERVE_DEFAULT_FLAGS, &gone);
}

// ---------------------------------------------------------------------------------------
// Drafts and scheduled editions

#[test]
fn no_drafts_hides_the_draft() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &["--no-drafts"]);
    assert_eq!(server.get("/2026/05/28/ferry-strike/").status, 404, "--no-drafts serves the draft");
    assert!(!server.get("/2026/05/28/").text().contains("Ferry crews weigh a strike"));
    let gone = BTreeSet::from(["2026/05/28/ferry-strike/index.html".to_string()]);
    assert_served_equals_fresh_build_with(server.port, &server.site, &["--future"], &gone);
    // Turning the draft flag off while watching publishes it.
    let draft = "content/2026-05-28/ferry-strike.md";
    let text = fs::read_to_string(server.site.join(draft)).unwrap();
    write(&server.site, draft, &text.replace("draft: true", "draft: false"));
    wait_for_status(&server, "/2026/05/28/ferry-strike/", 200);
    assert_served_equals_fresh_build_with(server.port, &server.site, &["--future"], &BTreeSet::new());
}

#[test]
fn no_future_hides_a_scheduled_edition_and_future_is_served_by_default() {
    let site = SiteFixture::new("serve");
    site.write("content/2026-06-05/regatta.md", &article("title: Regatta weekend ahead", "Boats gather on Friday."));
    {
        let server = Server::start(&site, &[]);
        assert_eq!(server.get("/2026/06/05/regatta/").status, 200, "serve leaves out a scheduled edition by default");
        assert_served_equals_fresh_build(server.port, &server.site);
    }
    let server = Server::start(&site, &["--no-future"]);
    assert_eq!(server.get("/2026/06/05/regatta/").status, 404, "--no-future serves the scheduled edition");
    let gone = BTreeSet::from(["2026/06/05/regatta/index.html".to_string(), "2026/06/05/index.html".to_string()]);
    assert_served_equals_fresh_build_with(server.port, &server.site, &["--drafts"], &gone);
}

// ---------------------------------------------------------------------------------------
// HTTP: only the site, only to local pages

#[test]
fn traversal_attempts_never_reach_files_outside_the_site() {
    let site = SiteFixture::new("serve");
    const SECRET: &str = "TOP-SECRET-7f3a9c: the embargoed budget";
    fs::write(site.root().join("secret.txt"), SECRET).unwrap();
    let server = Server::start(&site, &[]);
    let inside = [
        // (marker of a file that must never be served, how to reach it from the output root)
        ("secret.txt", SECRET),
        ("site/site.yaml", "base_url: https://news.example.com/daily/"),
        ("site/content/2026-05-29/harbour-reopens.md", "Original harbour text"),
        ("etc/passwd", "root:x:0:0"),
    ];
    let mut attempts = Vec::new();
    for (target, _) in &inside {
        for depth in 1..=6 {
            let up = |sep: &str| sep.repeat(depth);
            attempts.push(format!("/{}{target}", up("../")));
            attempts.push(format!("/{}{target}", up("%2e%2e/")));
            attempts.push(format!("/{}{target}", up("%2E%2E%2F")));
            attempts.push(format!("/{}{target}", up("..%2f")));
            attempts.push(format!("/{}{target}", up("%252e%252e/")));
            attempts.push(format!("/{}{target}", up("%252e%252e%252f")));
            attempts.push(format!("/{}{}", up("..\\"), target.replace('/', "\\")));
            attempts.push(format!("/{}{target}", up("..%5c")));
            attempts.push(format!("/{}{target}", up(".%2e/")));
            attempts.push(format!("/2026/05/29/{}{target}", up("../")));
            attempts.push(format!("/css/{}{target}", up("..%2f")));
            attempts.push(format!("/2026/05/29/harbour.jpg/{}{target}", up("../")));
        }
    }
    attempts.extend(["//etc/passwd", "/%2fetc%2fpasswd", "/\\etc\\passwd", "/%5cetc%5cpasswd"].map(String::from));
    let mut leaks = Vec::new();
    for target in &attempts {
        let Some(r) = server.try_get(target) else { continue }; // closed without an answer: refused
        let text = r.text();
        for (file, marker) in &inside {
            if text.contains(marker) {
                leaks.push(format!("GET {target} → {} with the content of {file}", r.status));
            }
        }
        if ![400, 403, 404].contains(&r.status) {
            leaks.push(format!("GET {target} → {} (expected 400, 403 or 404)", r.status));
        }
    }
    assert!(
        leaks.is_empty(),
        "{} of {} traversal attempts were not refused:\n  {}",
        leaks.len(),
        attempts.len(),
        leaks.join("\n  ")
    );
    // The server is still fine.
    assert_eq!(server.get("/").status, 200);
}

#[test]
fn foreign_host_header_is_refused() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let with_host = |host: &str, path: &str| {
        request(server.port, &format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
            .unwrap_or_else(|| panic!("no answer for Host: {host}"))
    };
    let port = server.port;
    let foreign = [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("localhost.evil.example:{port}"),
    ];
    for host in &foreign {
        for path in ["/", HARBOUR_URL, "/__masthead/events", "/css/daily.css"] {
            let r = with_host(host, path);
            assert_eq!(r.status, 403, "Host: {host}, GET {path}");
            assert!(!r.text().contains("Harbour reopens"), "Host: {host}, GET {path} leaked the page");
        }
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        assert_eq!(with_host(&host, "/").status, 200, "Host: {host}");
    }
}

#[test]
fn no_cors_header_and_no_caching_anywhere() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let port = server.port;
    let with_origin = |method: &str, path: &str| {
        request(
            port,
            &format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://evil.example\r\n\
                 Access-Control-Request-Method: GET\r\nConnection: close\r\n\r\n"
            ),
        )
        .unwrap_or_else(|| panic!("no answer to {method} {path}"))
    };
    let paths = [
        "/",
        HARBOUR_URL,
        "/css/daily.css",
        "/2026/05/29/harbour.jpg",
        "/feed.xml",
        "/no/such/",
        "/__masthead/livereload.js",
    ];
    for path in paths {
        for r in [server.get(path), with_origin("GET", path), with_origin("OPTIONS", path)] {
            assert!(r.header("access-control-allow-origin").is_none(), "{path}: CORS header in {:?}", r.headers);
        }
        let r = server.get(path);
        let cache = r.header("cache-control").unwrap_or_default();
        assert!(cache.contains("no-store") || cache.contains("no-cache"), "{path}: Cache-Control {cache:?}");
    }
    let events = EventStream::connect(port);
    assert!(events.headers.iter().all(|(n, _)| n != "access-control-allow-origin"), "events: {:?}", events.headers);
}

#[test]
fn content_types_are_right() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let cases = [
        ("/", "text/html"),
        (HARBOUR_URL, "text/html"),
        ("/2026/05/29/harbour-reopens/index.html", "text/html"),
        ("/404.html", "text/html"),
        ("/css/daily.css", "text/css"),
        ("/css/extra.css", "text/css"),
        ("/2026/05/29/harbour.jpg", "image/jpeg"),
        ("/feed.xml", "xml"),
        ("/feed.json", "json"),
        ("/js/meter.js", "javascript"),
    ];
    for (path, expected) in cases {
        let r = server.get(path);
        assert_eq!(r.status, 200, "GET {path}");
        let ct = r.header("content-type").unwrap_or_default();
        assert!(ct.contains(expected), "GET {path}: Content-Type {ct:?}, expected {expected}");
    }
    // Non-HTML files are served byte for byte: no script injected into CSS or images.
    let fresh = fresh_build(server.port, &server.site, SERVE_DEFAULT_FLAGS);
    assert_eq!(server.get("/2026/05/29/harbour.jpg").body, fresh["2026/05/29/harbour.jpg"]);
    assert_eq!(server.get("/css/daily.css").body, fresh["css/daily.css"]);
}

// ---------------------------------------------------------------------------------------
// Live reload events

#[test]
fn event_stream_reports_pages_styles_error_and_fixed() {
    let site = SiteFixture::new("serve");
    let server = Server::start(&site, &[]);
    let mut events = EventStream::connect(server.port);
    assert!(events.content_type.starts_with("text/event-stream"), "content type {:?}", events.content_type);

    write(&server.site, HARBOUR, &harbour("Text for the event stream."));
    let names_harbour = |x: &Value| x.as_str().is_some_and(|s| s.trim_end_matches("index.html") == HARBOUR_URL);
    let pages = events.wait_for("pages", REBUILD_WAIT, |ev| {
        // An empty list means "every page".
        ev["paths"].as_array().is_some_and(|p| p.is_empty() || p.iter().any(names_harbour))
    });
    assert!(
        pages.is_some(),
        "no `pages` event naming {HARBOUR_URL} after an edit; got {:?}\n{}",
        events.seen,
        server.context()
    );
    assert_served_equals_fresh_build(server.port, &server.site);
    events.drain(Duration::from_millis(300));

    // A stylesheet alone: `styles`, no full reload.
    let before_css = events.seen.len();
    write(&server.site, "static/css/extra.css", ".story { border-top: 2px solid #000; }\n");
    let styles = events.wait_for("styles", REBUILD_WAIT, |_| true);
    assert!(styles.is_some(), "no `styles` event after a CSS-only change; got {:?}\n{}", events.seen, server.context());
    events.drain(Duration::from_millis(500));
    let reloads: Vec<_> = events.seen[before_css..].iter().filter(|e| e["type"] == "pages").collect();
    assert!(reloads.is_empty(), "a CSS-only change also sent a full reload: {reloads:?}");
    assert_served_equals_fresh_build(server.port, &server.site);

    // A broken file: `error` with an escaped overlay naming the file; the fix: `fixed`.
    let broken = article("title: Harbour\n\"<b>bold</b>\": 1", "Broken.");
    write(&server.site, HARBOUR, &broken);
    let error = events.wait_for("error", REBUILD_WAIT, |_| true);
    let Some(error) = error else {
        panic!("no `error` event after breaking {HARBOUR}; got {:?}\n{}", events.seen, server.context());
    };
    let html = error["html"].as_str().unwrap_or_else(|| panic!("`error` event without `html`: {error}"));
    assert!(html.contains("harbour-reopens.md"), "the overlay does not name the file:\n{html}");
    assert!(!html.contains("<b>bold</b>"), "the overlay does not escape what it shows:\n{html}");
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "the overlay does not show the unknown key:\n{html}");

    write(&server.site, HARBOUR, &harbour("Fixed for the event stream."));
    let fixed = events.wait_for("fixed", REBUILD_WAIT, |_| true);
    assert!(fixed.is_some(), "no `fixed` event after the fix; got {:?}\n{}", events.seen, server.context());
    let reload = events.wait_for("pages", REBUILD_WAIT, |_| true);
    assert!(reload.is_some(), "no `pages` event after the fix; got {:?}", events.seen);
    assert_served_equals_fresh_build(server.port, &server.site);
}
