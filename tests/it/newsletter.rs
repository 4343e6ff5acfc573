//! The edition as a newsletter (`tests/fixtures/newsletter/`): the built `newsletter.html`
//! is email-safe (no script, no external stylesheet or font, every URL absolute under
//! `base_url`, preheader, credits, the unsubscribe merge tag untouched), `newsletter.txt`
//! carries every headline and link at 72 columns, `masthead newsletter --format eml` is a
//! MIME message a real parser splits into the same two parts, `serve --watch` re-renders
//! it, and Chromium shows it at 600 and 375 px without sideways scrolling.

use std::time::Instant;

use anyhow::Context as _;
use mail_parser::MimeHeaders as _;
use scraper::Html;

use crate::browser::{
    HEIGHT, OVERFLOW_JS, StaticServer, base_url, browser_tools, full_page_screenshot, in_browser, local_listener,
    number, screenshot_dir, set_viewport, wait_for_photo,
};
use crate::support::serve::{Server, poll, write};
use crate::support::{SiteFixture, run_masthead, sel, text_of, urls};

const BASE: &str = "https://gazette.example.org/daily/";
const UNSUBSCRIBE: &str = "*|UNSUB|*";
const MONDAY: &str = "2026/05/04/";
const TANNERY: &str = "content/2026-05-04/tannery-sold.md";

/// The fixture's editions: folder, title, summary, and per article its headline and
/// photo credit.
struct Expected {
    folder: &'static str,
    title: &'static str,
    summary: &'static str,
    articles: &'static [(&'static str, Option<&'static str>)],
}

const EDITIONS: &[Expected] = &[
    Expected {
        folder: MONDAY,
        title: "Tannery & river, Monday",
        summary: "The old tannery gets a buyer, and the footbridge closes for a week of repairs.",
        articles: &[
            // Written with straight quotes; shown curled, as the body is.
            ("The old tannery finds a buyer: a “makers’ yard” & café", Some("Gazette photo / Ines Morrow")),
            ("Footbridge closes for a week of deck repairs", None),
        ],
    },
    Expected {
        folder: "2026/05/05/",
        title: "Ovens on, Tuesday",
        summary: "The bakery school opens its doors.",
        articles: &[("A bakery school opens in the old fire station", Some("Photo by Wren Holt"))],
    },
];

fn built() -> SiteFixture {
    let site = SiteFixture::new("newsletter");
    site.build().assert_success();
    site
}

#[test]
fn every_edition_gets_an_email_safe_newsletter() {
    let site = built();
    for ed in EDITIONS {
        let at = format!("{}newsletter.html", ed.folder);
        let html = site.read(&at);
        let doc = Html::parse_document(&html);
        let web_url = format!("{BASE}{}", ed.folder);

        assert_eq!(doc.select(&sel("script")).count(), 0, "{at}: a script");
        assert_eq!(doc.select(&sel("link")).count(), 0, "{at}: a <link> (stylesheet or font)");
        assert!(!html.contains("@import") && !html.contains("@font-face"), "{at}: imported CSS or a web font");
        let styles: Vec<String> = doc.select(&sel("style")).map(|s| s.inner_html()).collect();
        assert!(
            styles.iter().all(|s| s.trim_start().starts_with("@media")),
            "{at}: a <style> with more than media queries: {styles:?}"
        );
        assert!(doc.select(&sel("table[role=presentation] td[style]")).count() >= 3, "{at}: no inlined table layout");
        assert!(doc.select(&sel(".headline a[style]")).next().is_some(), "{at}: CSS not inlined into the links");

        // Every URL absolute under base_url, bar the unsubscribe merge tag, passed through.
        for url in urls(&doc) {
            assert!(url == UNSUBSCRIBE || url.starts_with(BASE), "{at}: {url:?} is not absolute under {BASE}");
        }
        let unsubscribe: Vec<_> = doc.select(&sel("a.unsubscribe")).filter_map(|a| a.value().attr("href")).collect();
        assert_eq!(unsubscribe, [UNSUBSCRIBE], "{at}");
        assert!(html.contains(&format!("href=\"{UNSUBSCRIBE}\"")), "{at}: the merge tag's bytes changed");
        let footer = doc.select(&sel(".footer")).next().map(text_of).unwrap_or_default();
        assert!(footer.starts_with("Sent to Gazette subscribers every morning at six."), "{at}: {footer}");

        let preheader = doc.select(&sel("body > .preheader")).next().map(text_of).unwrap_or_default();
        assert!(preheader.starts_with(ed.summary), "{at}: preheader {preheader:?}");
        let style = doc.select(&sel(".preheader")).next().and_then(|p| p.value().attr("style")).unwrap_or_default();
        assert!(style.contains("display: none"), "{at}: the preheader is visible: {style}");
        let web: Vec<_> = doc
            .select(&sel("a"))
            .filter(|a| text_of(*a) == "Read this edition on the web")
            .filter_map(|a| a.value().attr("href"))
            .collect();
        assert!(!web.is_empty() && web.iter().all(|h| *h == web_url), "{at}: web links {web:?}");
        assert_eq!(doc.select(&sel("h1")).next().map(text_of).as_deref(), Some(ed.title), "{at}");
        assert_eq!(doc.select(&sel(r#"meta[name=robots][content=noindex]"#)).count(), 1, "{at}: indexable");

        let stories: Vec<_> = doc.select(&sel(".story")).collect();
        assert_eq!(stories.len(), ed.articles.len(), "{at}: every article, once");
        for (story, (headline, credit)) in stories.iter().zip(ed.articles) {
            let title = story.select(&sel(".headline a")).next().expect("a headline link");
            assert_eq!(text_of(title), *headline, "{at}");
            let href = title.value().attr("href").unwrap_or_default();
            assert!(href.starts_with(&web_url) && href.len() > web_url.len(), "{at}: {href}");
            let more = story.select(&sel(".more a")).next().expect("a Read more link");
            assert_eq!((text_of(more).as_str(), more.value().attr("href")), ("Read more →", Some(href)), "{at}");
            assert!(story.select(&sel(".dek")).next().is_some(), "{at}: {headline} has no dek");
            let shown_credit = story.select(&sel(".credit")).next().map(text_of);
            assert_eq!(shown_credit.as_deref(), *credit, "{at}: credit of {headline}");
            for img in story.select(&sel("img")) {
                let (width, alt) = (img.value().attr("width"), img.value().attr("alt"));
                assert_eq!(width, Some("560"), "{at}: image width");
                assert!(alt.is_some_and(|a| !a.is_empty()), "{at}: image without alt");
            }
        }
    }
}

#[test]
fn text_version_has_every_headline_and_link_at_72_columns() {
    let site = built();
    for ed in EDITIONS {
        let at = format!("{}newsletter.txt", ed.folder);
        let text = site.read(&at);
        let html = Html::parse_document(&site.read(&format!("{}newsletter.html", ed.folder)));
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for (headline, credit) in ed.articles {
            assert!(flat.contains(headline), "{at}: no headline {headline:?} in\n{text}");
            if let Some(credit) = credit {
                assert!(flat.contains(credit), "{at}: no credit {credit:?}");
            }
        }
        assert!(flat.contains(ed.summary) && flat.contains(ed.title), "{at}: no title or summary");
        for url in urls(&html).into_iter().filter(|u| u != UNSUBSCRIBE && !u.ends_with(".jpg")) {
            assert!(text.lines().any(|l| l.ends_with(&format!("] {url}"))), "{at}: {url} is not a numbered link");
        }
        assert!(text.contains(&format!("Unsubscribe: {UNSUBSCRIBE}")), "{at}");
        for line in text.lines().filter(|l| !l.starts_with('[')) {
            assert!(line.chars().count() <= 72, "{at}: line longer than 72 columns: {line:?}");
        }
        let entity = regex_like_entity(&text);
        assert!(entity.is_none(), "{at}: HTML entity {entity:?} left in the text");
        assert!(!text.contains('<') || text.contains("Saturday < noon"), "{at}: HTML tags in the text");
    }
    // The numbers point at the right links: "Read more: [n]" → "[n] <article URL>".
    let monday = site.read(&format!("{MONDAY}newsletter.txt"));
    assert!(monday.contains("Read more: [2]") && monday.contains(&format!("[2] {BASE}{MONDAY}tannery-sold/")));
    assert!(monday.contains("Saturday < noon") && monday.contains("“makers’ yard” & café"), "{monday}");
}

/// `&amp;`, `&#8204;`, `&#x2014;` and the like.
fn regex_like_entity(text: &str) -> Option<&str> {
    text.match_indices('&').find_map(|(i, _)| {
        let rest = &text[i + 1..];
        let end = rest.find(';')?;
        let name = &rest[..end];
        let named = !name.is_empty() && name.len() <= 10 && name.chars().all(|c| c.is_ascii_alphanumeric());
        let numeric = name
            .strip_prefix('#')
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_hexdigit() || c == 'x'));
        (named || numeric).then(|| &text[i..i + end + 2])
    })
}

#[test]
fn eml_is_a_mime_message_of_both_versions() {
    let site = built();
    let run = site.run(&["newsletter", "2026-05-04", "--format", "eml", "--to", "reader@example.net"]);
    run.assert_success();
    let message = mail_parser::MessageParser::default().parse(run.stdout.as_bytes()).expect("a parseable message");

    assert_eq!(message.subject(), Some("Tannery & river, Monday"));
    let from = message.from().and_then(|a| a.first()).expect("a From header");
    assert_eq!((from.name(), from.address()), (Some("The Gazette desk"), Some("desk@gazette.example.org")));
    let to = message.to().and_then(|a| a.first()).and_then(|a| a.address());
    assert_eq!(to, Some("reader@example.net"));
    let id = message.message_id().expect("a Message-ID");
    assert!(id.contains('@') && id.starts_with("2026-05-04."), "{id}");
    let date = message.date().expect("a Date header");
    assert!(date.year >= 2025, "{date:?}");
    let raw = run.stdout.clone();
    assert!(raw.contains("MIME-Version: 1.0\r\n"), "{raw}");

    let root = message.root_part().content_type().expect("a Content-Type");
    assert_eq!((root.ctype(), root.subtype()), ("multipart", Some("alternative")));
    assert_eq!((message.text_body.len(), message.html_body.len(), message.parts.len()), (1, 1, 3));
    for part in &message.parts[1..] {
        let ct = part.content_type().expect("a part Content-Type");
        assert_eq!(ct.attribute("charset").map(str::to_ascii_lowercase).as_deref(), Some("utf-8"));
    }
    let unix = |s: &str| s.replace("\r\n", "\n");
    let text = message.body_text(0).expect("a text part");
    let html = message.body_html(0).expect("an HTML part");
    assert_eq!(unix(&text), site.read(&format!("{MONDAY}newsletter.txt")), "text part differs from newsletter.txt");
    assert_eq!(unix(&html), site.read(&format!("{MONDAY}newsletter.html")), "HTML part differs from newsletter.html");

    // The other formats print the built files, byte for byte.
    for (format, file) in [("html", "newsletter.html"), ("text", "newsletter.txt")] {
        let run = site.run(&["newsletter", "2026-05-04", "--format", format]);
        run.assert_success();
        assert_eq!(run.stdout, site.read(&format!("{MONDAY}{file}")), "--format {format}");
    }
}

#[test]
fn newsletter_command_picks_editions_and_explains_mistakes() {
    let site = built();
    let latest = site.run(&["newsletter", "--format", "text"]);
    latest.assert_success();
    assert_eq!(latest.stdout, site.read("2026/05/05/newsletter.txt"), "latest");

    // Usage errors (exit 2) are tested in cli.rs; this is the site's answer.
    let cases: &[(&[&str], &str, i32)] = &[
        (&["newsletter", "2026-05-06"], "no published edition dated 2026-05-06; the newest is 2026-05-05", 1),
        (&["newsletter", "Monday"], "`Monday` is not `latest` or a real date written YYYY-MM-DD", 2),
        (&["newsletter", "--to", "a@example.net"], "--to only applies to `--format eml`", 2),
        (&["newsletter", "--format", "eml", "--from", "desk"], "`desk` is not an email address", 2),
    ];
    for (args, message, code) in cases {
        let run = site.run(args);
        run.assert_code(*code);
        assert!(run.stdout.is_empty(), "{args:?}: wrote to stdout");
        assert!(run.stderr.contains(message), "{args:?}: expected {message:?} in\n{}", run.stderr);
    }
    let eml = site.run(&["newsletter", "--format", "eml", "--from", "night@gazette.example.org"]);
    eml.assert_success();
    assert!(eml.stdout.contains("<night@gazette.example.org>"));
}

#[test]
fn newsletter_keys_are_checked_and_can_switch_it_off() {
    let site = SiteFixture::new("newsletter");
    site.write("site.yaml", &format!("title: T\nbase_url: {BASE}\nnewsletter:\n  unsubscibe: x\n"));
    let run = site.build();
    run.assert_code(1);
    let error = run.error_about("site.yaml");
    assert!(error.text().contains("unknown key `unsubscibe`"), "{}", error.text());
    assert!(error.text().contains("did you mean `unsubscribe`?"), "{}", error.text());

    site.write("site.yaml", &format!("title: T\nbase_url: {BASE}\nnewsletter:\n  unsubscribe: \"{{{{ unsub }}}}\"\n"));
    let run = site.build();
    run.assert_code(1);
    assert!(run.error_about("site.yaml").text().contains("newsletter.unsubscribe"), "{}", run.transcript());

    site.write("site.yaml", &format!("title: T\nbase_url: {BASE}\nnewsletter:\n  enabled: false\n"));
    site.build().assert_success();
    let letters: Vec<_> = site.output_files().into_iter().filter(|f| f.contains("newsletter")).collect();
    assert!(letters.is_empty(), "newsletter files although switched off: {letters:?}");
    assert!(site.exists(&format!("{MONDAY}index.html")));
}

#[test]
fn site_templates_override_the_newsletter() {
    let site = SiteFixture::new("newsletter");
    site.write("templates/newsletter.txt", "{{ newsletter.title }} / {{ newsletter.articles | length }}\n");
    site.build().assert_success();
    assert_eq!(site.read(&format!("{MONDAY}newsletter.txt")), "Tannery & river, Monday / 2\n");
}

#[test]
fn serve_watch_re_renders_the_newsletter_on_edits() {
    let site = SiteFixture::new("newsletter");
    let server = Server::start(&site, &[]);
    let path = format!("/{MONDAY}newsletter.html");
    let first = server.get(&path);
    assert_eq!(first.status, 200, "GET {path}");
    assert!(first.text().contains("The old tannery finds a buyer"), "{}", first.text());

    let original = std::fs::read_to_string(server.site.join(TANNERY)).unwrap();
    let edited = original.replace("The old tannery finds a buyer", "Tannery sale falls through");
    write(&server.site, TANNERY, &edited);
    for path in [path.clone(), format!("/{MONDAY}newsletter.txt")] {
        poll(crate::support::serve::REBUILD_WAIT, || match server.try_get(&path) {
            Some(r) if r.status == 200 && r.text().contains("Tannery sale falls through") => Ok(()),
            Some(r) => Err(format!("status {}", r.status)),
            None => Err("no answer".into()),
        })
        .unwrap_or_else(|e| panic!("{path} never showed the edit ({e})\n{}", server.context()));
    }
    let html = server.get(&path).text();
    assert!(!html.contains("finds a buyer"), "old headline still served");
    // Built for the local address: the email's links follow serve's base URL.
    let doc = Html::parse_document(&html);
    let local = server.base_url();
    let livereload = "/__masthead/livereload.js";
    assert!(urls(&doc).iter().all(|u| u == UNSUBSCRIBE || u == livereload || u.starts_with(&local)), "{html}");
}

/// Chromium at 600 and 375 px: the newsletter fits (no sideways scrolling at 375 px),
/// its photo loads, and full-page screenshots go to `target/screenshots/`.
#[test]
fn newsletter_in_a_real_browser() {
    let Some(tools) = browser_tools() else { return };
    let started = Instant::now();
    let listener = local_listener();
    let site = SiteFixture::new("newsletter");
    let out = site.root().join("public");
    let base = base_url(&listener);
    let out_s = out.to_str().unwrap();
    run_masthead(site.root(), &["-s", "site", "--color", "never", "build", "--output", out_s, "--base-url", &base])
        .assert_success();
    let server = StaticServer::start(listener, &out);
    let shots = screenshot_dir();
    let problems = in_browser(&tools, async |client| {
        let mut problems = Vec::new();
        for width in [600, 375] {
            set_viewport(client, width, HEIGHT).await?;
            client.goto(&server.url(&format!("/{MONDAY}newsletter.html"))).await.context("load")?;
            let m = client.execute(OVERFLOW_JS, vec![]).await.context("measure")?;
            let (scroll, inner) = (number(&m["scrollWidth"]), number(&m["innerWidth"]));
            if scroll > inner {
                problems.push(format!("{width} px: scrolls sideways ({scroll} > {inner}): {}", m["culprits"]));
            }
            let img = wait_for_photo(client, "img.photo").await.context("find the photo")?.unwrap_or_default();
            if number(&img["naturalWidth"]) <= 0.0 || number(&img["width"]) > f64::from(width) {
                problems.push(format!("{width} px: photo not loaded or too wide: {img}"));
            }
            full_page_screenshot(client, &shots.join(format!("newsletter-{width}.png"))).await?;
        }
        Ok(problems)
    });
    drop(server);
    let problems = problems.unwrap_or_else(|e| panic!("browser test could not run: {e:#}"));
    assert!(problems.is_empty(), "newsletter in the browser:\n  {}", problems.join("\n  "));
    for width in [600, 375] {
        assert!(shots.join(format!("newsletter-{width}.png")).is_file(), "no screenshot at {width} px");
    }
    eprintln!(
        "newsletter browser test in {:.1} s; screenshots in {}",
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

/// A site of `editions` editions of one story each, all written alike (so their emails
/// differ only in text and links).
fn alike_editions(editions: usize) -> SiteFixture {
    let site = SiteFixture::new("minimal");
    site.remove("content/2026-03-02/only-story.md");
    for day in 1..=editions {
        site.write(
            &format!("content/2026-03-{day:02}/story-{day}.md"),
            &format!(
                "---\ntitle: \"Story {day}: <rates> & \\\"fares\\\"\"\nsummary: The {day}th summary, AT&T's.\n\
                 section: Politics\nauthor: Reporter {day}\n---\nBody {day}.\n"
            ),
        );
    }
    site
}

/// The `Inlined the CSS of N newsletters in M passes` line of `--verbose build`: (N, M).
fn inlining(run: &crate::support::Run) -> (usize, usize) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("Inlined the CSS of "))
        .unwrap_or_else(|| panic!("--verbose build names the newsletters' CSS passes:\n{}", run.transcript()));
    let numbers: Vec<usize> = line.split(' ').filter_map(|w| w.replace(',', "").parse().ok()).collect();
    (numbers[0], numbers[1])
}

// Regression: the newsletter's CSS was parsed and matched against every edition's email
// (css-inline once per edition, about a quarter of a 10k build). Emails of one shape now
// share one pass: the counting guard for CSS rule applications.
#[test]
fn newsletter_css_is_inlined_once_per_shape_not_once_per_edition() {
    let site = alike_editions(6);
    let run = site.run(&["--verbose", "build"]);
    run.assert_success();
    assert_eq!(inlining(&run), (6, 1), "{}", run.transcript());
    // Each email still has its own text and links, escaped, with the styles inlined.
    for day in 1..=6 {
        let html = site.read(&format!("2026/03/{day:02}/newsletter.html"));
        let doc = Html::parse_document(&html);
        let headline = doc.select(&sel("h2.headline a")).next().expect("a headline link");
        assert_eq!(text_of(headline), format!("Story {day}: <rates> & “fares”"));
        assert_eq!(
            headline.value().attr("href"),
            Some(format!("https://news.example.com/2026/03/{day:02}/story-{day}/").as_str())
        );
        assert!(headline.value().attr("style").is_some_and(|s| s.contains("text-decoration: none")), "{html}");
        assert!(html.contains("&lt;rates&gt; &amp; “fares”"), "{html}");
        assert!(!html.contains("<style>\nbody"), "the stylesheet was inlined: {html}");
    }
    // A new shape (an edition of two stories) costs one more pass, not one per edition.
    site.write("content/2026-03-07/a.md", "---\ntitle: A\n---\nA.\n");
    site.write("content/2026-03-07/b.md", "---\ntitle: B\n---\nB.\n");
    let run = site.run(&["--verbose", "build"]);
    run.assert_success();
    assert_eq!(inlining(&run), (7, 2), "{}", run.transcript());
}

/// A newsletter template whose stylesheet uses descendant, child, sibling and
/// `:nth-child` selectors, and, with `attribute`, an attribute selector on `href`.
fn structural_theme(attribute: bool) -> String {
    let by_href = if attribute { "a[href$=\"/\"] { color: #00a; }" } else { "" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{{{{ newsletter.title }}}}</title>\n\
         <style>\n.story p {{ margin: 0; }}\ntd > p {{ color: #111; }}\np + p {{ padding-top: 4px; }}\n\
         tr:nth-child(2) td {{ border-top: 1px solid #ccc; }}\n{by_href}\n</style>\n</head>\n<body>\n\
         <table>{{% for article in newsletter.articles %}}<tr><td class=\"story\"><p>{{{{ article.title }}}}</p>\
         <p><a href=\"{{{{ article.url }}}}\">Read</a></p></td></tr>{{% endfor %}}</table>\n</body>\n</html>\n"
    )
}

// Regression: a theme's newsletter CSS with structural selectors must get what css-inline
// gives the whole email, and one that reads `href` must make each email its own shape (one
// pass per edition, as before) rather than share a wrong one.
#[test]
fn newsletter_css_with_structural_and_attribute_selectors_is_inlined_as_css_inline_would() {
    for attribute in [false, true] {
        let site = alike_editions(3);
        for day in 1..=3 {
            site.write(&format!("content/2026-03-{day:02}/z-second.md"), "---\ntitle: Second\n---\nTwo.\n");
        }
        site.write("templates/newsletter.html", &structural_theme(attribute));
        let run = site.run(&["--verbose", "build"]);
        run.assert_success();
        assert_eq!(inlining(&run), (3, if attribute { 3 } else { 1 }), "{}", run.transcript());
        for day in 1..=3 {
            let html = site.read(&format!("2026/03/{day:02}/newsletter.html"));
            let rows: Vec<&str> = html.split("<tr>").skip(1).collect();
            assert_eq!(rows.len(), 2, "{html}");
            let first = format!(
                "<td class=\"story\"><p style=\"color: #111;margin: 0;\">Story {day}: &lt;rates&gt; &amp; “fares”</p>"
            );
            assert!(rows[0].starts_with(&first), "{html}");
            assert!(rows[1].starts_with("<td class=\"story\" style=\"border-top: 1px solid #ccc;\">"), "{html}");
            let link = if attribute { " style=\"color: #00a;\"" } else { "" };
            let read = format!(
                "<p style=\"color: #111;padding-top: 4px;margin: 0;\"><a href=\"https://news.example.com/2026/03/{day:02}/story-{day}/\"{link}>Read</a></p>"
            );
            assert!(rows[0].contains(&read), "{html}");
            assert!(html.contains("<table><tbody><tr>"), "the parser's tbody is kept: {html}");
        }
    }
}

// Regression: `newsletter.txt` was wrapped by `textwrap::wrap` line by line; the cheaper
// wrapping that replaced it must give the same bytes: optimal fit (not first fit), lines
// split after a hyphen between letters, wide characters counted as two columns, runs of
// spaces kept inside a line and dropped at its end.
#[test]
fn text_version_wraps_exactly_as_before() {
    let site = SiteFixture::new("minimal");
    site.remove("content/2026-03-02/only-story.md");
    site.write(
        "site.yaml",
        "title: Minimal\nbase_url: https://news.example.com/\nnewsletter:\n  footer: \"You are receiving this \
         state-of-the-art, well-known newsletter because you asked for it -- twice.\"\n",
    );
    site.write(
        "content/2026-03-02/story.md",
        "---\ntitle: \"A well-known single-use plastics ban meets its first real test in the harbor-side co-op\"\n\
         summary: \"Critics said the ban was contested and arrived too late for many stall-holders; the co-op’s \
         well-to-do members — café owners, 日本語 speakers and others — disagreed,  with  double  spaces and a \
         very-long-hyphenated-word-that-goes-on-and-on-past-the-edge.\"\nauthor: Reporter\nsection: World\n---\nBody.\n",
    );
    let run = site.build();
    run.assert_success();
    let text = site.read("2026/03/02/newsletter.txt");
    let expected = "WORLD\n\
        A well-known single-use plastics ban meets its first real test in the\n\
        harbor-side co-op\n\
        By Reporter\n\
        \n\
        Critics said the ban was contested and arrived too late for many\n\
        stall-holders; the co-op’s well-to-do members — café owners, 日本語\n\
        speakers and others — disagreed,  with  double  spaces and a very-long-\n\
        hyphenated-word-that-goes-on-and-on-past-the-edge.\n\
        \n\
        Read more: [2]\n";
    assert!(text.contains(expected), "{text}");
    let footer = "You are receiving this state-of-the-art, well-known newsletter because\n\
        you asked for it -- twice.\nMinimal: [3]\n";
    assert!(text.contains(footer), "{text}");
}

// Regression: which values may leave an email's skeleton is decided once for the stylesheets
// the emails share; an email whose stylesheet differs (here one edition's CSS reads `href`)
// must get its own reading, not the last email's.
#[test]
fn an_edition_with_its_own_stylesheet_is_inlined_by_its_own_rules() {
    let site = alike_editions(3);
    site.write(
        "templates/newsletter.html",
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{{ newsletter.title }}</title>\n\
         <style>\ntd > p { color: #111; }\n{% if newsletter.date == \"2026-03-02\" %}a[href$=\"/\"] { color: #00a; }{% endif %}\n\
         </style>\n</head>\n<body>\n<table>{% for article in newsletter.articles %}<tr><td class=\"story\"><p>\
         <a href=\"{{ article.url }}\">Read</a></p></td></tr>{% endfor %}</table>\n</body>\n</html>\n",
    );
    let run = site.run(&["--verbose", "build"]);
    run.assert_success();
    // Editions 1 and 3 share a shape; edition 2's links are part of its own.
    assert_eq!(inlining(&run), (3, 2), "{}", run.transcript());
    for day in 1..=3 {
        let html = site.read(&format!("2026/03/{day:02}/newsletter.html"));
        let link = if day == 2 { " style=\"color: #00a;\"" } else { "" };
        let read = format!("<a href=\"https://news.example.com/2026/03/{day:02}/story-{day}/\"{link}>Read</a>");
        assert!(html.contains(&read), "edition {day}: no {read} in\n{html}");
    }
}
