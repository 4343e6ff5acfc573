//! The search page in headless Chromium (the plumbing of `browser.rs`): the `search` fixture
//! built for a sub-path (`/ledger/`) and served as static files, where a query in `?q=` runs
//! on load and lists the expected article first, the order and the filters narrow and
//! reorder the results and stay in the URL, the header's form leads there from any page,
//! and Back returns to the last query; then `serve --watch`, where a word saved into an
//! article becomes findable within seconds. Without Chromium the test prints a notice and
//! passes, except on CI (`CI` set), where it fails.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::{Client, Locator};
use serde_json::Value;

use crate::browser::{StaticServer, base_url, browser_tools, in_browser, local_listener};
use crate::support::serve::{Server, write};
use crate::support::{SiteFixture, read_to_string};

/// How long a search may take to show its results (Pagefind loads its WASM and the
/// bundles first; a slow CI machine gets room).
const WAIT: Duration = Duration::from_secs(15);

const DREDGING: &str = "/ledger/2026/05/29/harbour-dredging/";
const LIBRARY: &str = "/ledger/2025/11/04/library-roof/";
const FERRY: &str = "/ledger/2025/11/03/ferry-timetable/";

/// The search page's state once its search is done: the status line, the URLs, headlines,
/// meta lines and excerpts of the results, and the query string of the page.
const RESULTS_JS: &str = r#"
const root = document.querySelector("[data-search]");
if (!root || root.dataset.state !== "done") return null;
return {
  status: root.querySelector(".search-status").textContent,
  urls: [...root.querySelectorAll(".search-result h2 a")].map((a) => a.getAttribute("href")),
  titles: [...root.querySelectorAll(".search-result h2 a")].map((a) => a.textContent),
  meta: [...root.querySelectorAll(".search-result .search-meta")].map((p) => p.textContent),
  marks: [...root.querySelectorAll(".search-result .search-excerpt mark")].map((m) => m.textContent),
  search: location.search,
  query: document.getElementById("search-q").value,
};
"#;

// Regression: a site had no search; now the search page finds published articles in the
// browser, from a sub-path, with filters and both orders, and the header form leads there.
#[test]
fn the_search_page_finds_filters_and_orders_from_a_sub_path() {
    let Some(tools) = browser_tools() else { return };
    let site = SiteFixture::new("search");
    // Bundles of at most two articles, and a third 2025 story (in February, matching none of
    // the queries below): 2025 is split into halves, so the page merges two bundles for one
    // year when it walks the years and when it filters by year.
    let yaml = read_to_string(&site.site().join("site.yaml"));
    site.write("site.yaml", &format!("{yaml}search:\n  bundle_articles: 2\n"));
    site.write(
        "content/2025-02-10/orchard-blossom.md",
        "---\ntitle: Orchards blossom early\nsummary: A warm week.\nauthor: [Ana Silva]\nsection: Nature\n---\nThe orchards on the north shore are in flower a month early.\n",
    );
    let listener = local_listener();
    let served = site.root().join("served");
    let out = served.join("ledger");
    let base = format!("{}ledger/", base_url(&listener));
    site.run(&["build", "--base-url", &base, "--output", out.to_str().unwrap()]).assert_success();
    let server = StaticServer::start(listener, &served);
    let result = in_browser(&tools, async |client| static_scenario(client, &server, &out).await);
    drop(server);
    result.unwrap_or_else(|e| panic!("{e:#}"));
}

async fn static_scenario(client: &Client, server: &StaticServer, out: &Path) -> Result<()> {
    // 1. `?q=` runs on load; the expected article comes first, with its date, section and
    // the word marked in the excerpt. Newest first is the default order.
    let started = Instant::now();
    client.goto(&server.url("/ledger/search/?q=dredging")).await?;
    let r = results(client, "dredging on load").await?;
    eprintln!("search browser: first results {} ms after navigation", started.elapsed().as_millis());
    check(&r, "urls", &[DREDGING])?;
    check(&r, "titles", &["Harbour dredging starts next month"])?;
    check(&r, "meta", &["May 29, 2026 · Transport"])?;
    if !r["marks"]
        .as_array()
        .is_some_and(|m| m.iter().any(|w| w.as_str().unwrap_or("").eq_ignore_ascii_case("dredging")))
    {
        bail!("the excerpt does not mark the word: {r}");
    }
    // It reads on a phone: nothing scrolls sideways at 375 px (a screenshot is kept).
    for width in [375, 1280] {
        crate::browser::set_viewport(client, width, crate::browser::HEIGHT).await?;
        let overflow = client.execute(crate::browser::OVERFLOW_JS, vec![]).await?;
        let (scroll, inner) =
            (crate::browser::number(&overflow["scrollWidth"]), crate::browser::number(&overflow["innerWidth"]));
        if scroll > inner {
            bail!("the search page scrolls sideways at {width} px: {overflow}");
        }
        let shot = crate::browser::screenshot_dir().join(format!("search-{width}.png"));
        crate::browser::full_page_screenshot(client, &shot).await?;
    }
    let transfer = client
        .execute("return performance.getEntriesByType('resource').reduce((n, e) => n + e.transferSize, 0);", vec![])
        .await?;
    eprintln!("search browser: {transfer} bytes moved for the query (resources of the page)");

    // 2. Newest first across the two years' bundles, then best match.
    search(client, "ferry").await?;
    let r = results(client, "ferry, newest first").await?;
    check(&r, "urls", &[DREDGING, LIBRARY, FERRY])?;
    check(&r, "search", &["?q=ferry"])?;
    select(client, "search-sort", "best").await?;
    let r = results(client, "ferry, best match").await?;
    let mut urls: Vec<String> = strings(&r["urls"]);
    if urls.first().map(String::as_str) != Some(FERRY) {
        bail!("best match for `ferry` should be the article whose headline holds it: {r}");
    }
    urls.sort();
    let mut all = vec![FERRY, LIBRARY, DREDGING];
    all.sort();
    if urls != all {
        bail!("best match lists other articles: {r}");
    }
    check(&r, "search", &["?q=ferry&sort=best"])?;

    // 3. Filters narrow, and stay in the URL.
    select(client, "search-sort", "newest").await?;
    select(client, "search-year", "2025").await?;
    let r = results(client, "ferry in 2025").await?;
    check(&r, "urls", &[LIBRARY, FERRY])?;
    select(client, "search-year", "").await?;
    select(client, "search-section", "Transport").await?;
    let r = results(client, "ferry in Transport").await?;
    check(&r, "urls", &[DREDGING, FERRY])?;
    check(&r, "search", &["?q=ferry&section=Transport"])?;
    select(client, "search-section", "").await?;
    select(client, "search-author", "Tomas Berg").await?;
    let r = results(client, "ferry by Tomas Berg").await?;
    check(&r, "urls", &[DREDGING, LIBRARY])?;

    // 4. Back returns to the search before (the section filter cleared), twice.
    mark_typed(client).await?;
    client.back().await?;
    let r = results(client, "back").await?;
    check(&r, "urls", &[DREDGING, LIBRARY, FERRY])?;
    check(&r, "search", &["?q=ferry"])?;
    mark_typed(client).await?;
    client.back().await?;
    let r = results(client, "back again").await?;
    check(&r, "urls", &[DREDGING, FERRY])?;
    check(&r, "search", &["?q=ferry&section=Transport"])?;

    // 5. A word only the draft and the embargoed story hold finds nothing.
    search(client, "zanzibarine").await?;
    let r = results(client, "the draft's word").await?;
    check(&r, "urls", &[])?;

    // 5b. The February story is in the older half of 2025's bundles: newest first walks
    // into it, and the year filter merges both halves.
    for query in ["?q=orchards", "?q=orchards&year=2025", "?q=orchards&sort=best&year=2025"] {
        client.goto(&server.url(&format!("/ledger/search/{query}"))).await?;
        let r = results(client, query).await?;
        check(&r, "urls", &["/ledger/2025/02/10/orchard-blossom/"])?;
    }

    // 6. The header's form, on an article page, leads to the search page with the query.
    client.goto(&server.url(FERRY)).await?;
    let field = client.find(Locator::Css("header form[role=search] input[name=q]")).await?;
    field.send_keys("regatta").await?;
    client.find(Locator::Css("header form[role=search] button")).await?.click().await?;
    let r = results(client, "the header form").await?;
    check(&r, "urls", &["/ledger/2026/05/30/rowing-regatta/"])?;
    let url = client.current_url().await?;
    if url.path() != "/ledger/search/" || url.query() != Some("q=regatta") {
        bail!("the header form went to {url}");
    }
    // Nothing was loaded from outside the site.
    let hosts = client
        .execute("return performance.getEntriesByType('resource').map((e) => new URL(e.name).host);", vec![])
        .await?;
    let own = url.host_str().map(|h| format!("{h}:{}", url.port().unwrap_or(80))).unwrap_or_default();
    if strings(&hosts).iter().any(|h| *h != own) {
        bail!("resources from outside the site: {hosts}");
    }
    assert!(read_to_string(&out.join("search/index.html")).contains("data-search"));
    Ok(())
}

/// Types `words` into the search page's own field and submits.
async fn search(client: &Client, words: &str) -> Result<()> {
    client
        .execute(
            "const f = document.getElementById('search-q'); f.value = arguments[0]; \
             document.querySelector('[data-search]').dataset.state = 'typed'; \
             f.form.requestSubmit();",
            vec![Value::from(words)],
        )
        .await?;
    Ok(())
}

/// Marks the results as old, so [`results`] waits for the next search.
async fn mark_typed(client: &Client) -> Result<()> {
    client.execute("document.querySelector('[data-search]').dataset.state = 'typed';", vec![]).await?;
    Ok(())
}

/// Chooses `value` in the `select` with `id`, as a reader does.
async fn select(client: &Client, id: &str, value: &str) -> Result<()> {
    client
        .execute(
            "const s = document.getElementById(arguments[0]); s.value = arguments[1]; \
             document.querySelector('[data-search]').dataset.state = 'typed'; \
             s.dispatchEvent(new Event('change'));",
            vec![Value::from(id), Value::from(value)],
        )
        .await?;
    Ok(())
}

/// The results once the page's search is done.
async fn results(client: &Client, what: &str) -> Result<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let v = client.execute(RESULTS_JS, vec![]).await.with_context(|| format!("read the results ({what})"))?;
        if !v.is_null() {
            return Ok(v);
        }
        if Instant::now() > deadline {
            let html = client.source().await.unwrap_or_default();
            bail!("no results within {WAIT:?} ({what}); page:\n{html}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().into_iter().flatten().map(|s| s.as_str().unwrap_or_default().to_string()).collect()
}

/// `r[key]` is `expected` (a list, or a string given as a one-item list).
fn check(r: &Value, key: &str, expected: &[&str]) -> Result<()> {
    let got = match &r[key] {
        Value::String(s) => vec![s.clone()],
        v => strings(v),
    };
    if got != expected {
        bail!("{key}: expected {expected:?}, got {got:?}\n{r}");
    }
    Ok(())
}

// Regression: `serve` had no search; now it builds the index once the front page is served
// and updates it after an edit, so a word saved into an article is found seconds later.
#[test]
fn serve_watch_makes_an_edited_articles_new_word_findable() {
    let Some(tools) = browser_tools() else { return };
    let site = SiteFixture::new("search");
    let server = Server::start(&site, &[]);
    let result = in_browser(&tools, async |client| {
        client.goto(&server.url("/search/?q=dredging")).await?;
        let r = results(client, "dredging in serve").await?;
        check(&r, "urls", &["/2026/05/29/harbour-dredging/"])?;

        client.goto(&server.url("/search/?q=quokkas")).await?;
        let r = results(client, "a word no article holds yet").await?;
        check(&r, "urls", &[])?;
        let path = "content/2026-05-30/rowing-regatta.md";
        let text = read_to_string(&site.site().join(path));
        write(&server.site, path, &text.replace("the club said.", "the club said. Quokkas watched from the reeds."));
        let saved = Instant::now();
        loop {
            client.goto(&server.url("/search/?q=quokkas")).await?;
            let r = results(client, "the new word").await?;
            if strings(&r["urls"]) == ["/2026/05/30/rowing-regatta/"] {
                eprintln!("search browser: the new word found {} ms after the save", saved.elapsed().as_millis());
                return Ok(());
            }
            if saved.elapsed() > WAIT {
                bail!("the edited article's new word is not found {WAIT:?} after the save: {r}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    if let Err(e) = result {
        panic!("{e:#}\n{}", server.context());
    }
}

/// The benchmark's measure of a query in Chromium (not run by default): serves the built site
/// in `MASTHEAD_SEARCH_SITE` (built for `http://127.0.0.1:MASTHEAD_SEARCH_PORT/`), runs
/// `MASTHEAD_SEARCH_QUERY` (default `harbor`) on its search page in both orders, and prints
/// the time to the first results and the bytes moved (the Performance API's `transferSize`
/// of every resource, the page's own included). See bench/README.md.
#[test]
#[ignore]
fn search_transfer_on_a_built_site() {
    let Some(tools) = browser_tools() else { return };
    let (Ok(dir), Ok(port)) = (std::env::var("MASTHEAD_SEARCH_SITE"), std::env::var("MASTHEAD_SEARCH_PORT")) else {
        panic!("set MASTHEAD_SEARCH_SITE and MASTHEAD_SEARCH_PORT");
    };
    let query = std::env::var("MASTHEAD_SEARCH_QUERY").unwrap_or_else(|_| "harbor".into());
    // With MASTHEAD_SEARCH_EXTERNAL set, a server already serves the site on the port (one
    // that logs what it sends: the worker's requests are not in the page's Performance API).
    let server = (std::env::var_os("MASTHEAD_SEARCH_EXTERNAL").is_none()).then(|| {
        let listener = std::net::TcpListener::bind(format!("127.0.0.1:{port}")).expect("bind the port");
        StaticServer::start(listener, Path::new(&dir))
    });
    let url_of = |path: &str| format!("http://127.0.0.1:{port}{path}");
    let sorts = match std::env::var("MASTHEAD_SEARCH_SORT").as_deref() {
        Ok("best") => vec!["&sort=best"],
        Ok("newest") => vec![""],
        _ => vec!["", "&sort=best"],
    };
    for sort in sorts {
        // A new browser each time: nothing cached.
        let result = in_browser(&tools, async |client| {
            let url = url_of(&format!("/search/?q={query}{sort}"));
            client.goto(&url).await?;
            let r = results(client, "the benchmark query").await?;
            let numbers = client
                .execute(
                    "const nav = performance.getEntriesByType('navigation')[0];
                     const res = performance.getEntriesByType('resource');
                     return { loaded: nav.domContentLoadedEventEnd, now: performance.now(),
                              bytes: nav.transferSize + res.reduce((n, e) => n + e.transferSize, 0),
                              files: res.length };",
                    vec![],
                )
                .await?;
            eprintln!(
                "search transfer: {url}: {} results shown, {} bytes in {} files, results {:.0} ms after DOMContentLoaded",
                strings(&r["urls"]).len(),
                numbers["bytes"],
                numbers["files"],
                numbers["now"].as_f64().unwrap_or(0.0) - numbers["loaded"].as_f64().unwrap_or(0.0)
            );
            Ok(())
        });
        result.unwrap_or_else(|e| panic!("{e:#}"));
    }
    drop(server);
}
