//! The demo site in a real browser: builds it, serves it from a tiny local HTTP server and
//! drives Debian's headless Chromium through chromedriver (WebDriver, with `fantoccini`) at
//! a phone and a desktop width. Checks that no page scrolls sideways and that the lead
//! photo shows, saves full-page screenshots to `target/screenshots/` (the front page, the
//! newest edition, an article with a photo and one with footnotes and code), checks that
//! no edition page shows the same photo twice in a row, and runs the optional reader meter
//! on a copy of the demo that turns it on.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian's `chromium` and
//! `chromium-driver`; `CHROMIUM` and `CHROMEDRIVER` override the paths). Without them the
//! test prints a notice and passes, except on CI (`CI` set), where it fails.

use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use scraper::Html;
use serde_json::{Value, json};

use crate::support::{CLOCK, build_demo, copy_dir, files, read_to_string, repo_root, resolve, run_masthead, sel};

/// The widths every page is checked at: a small phone and a laptop.
const WIDTHS: [u32; 2] = [375, 1280];
/// The window height while checking; screenshots grow it to the page's height.
pub(crate) const HEIGHT: u32 = 900;
/// Screenshots stop at this height, so a long page cannot make a huge file.
const MAX_SHOT_HEIGHT: u32 = 5000;
/// How long a photo may take to load, and chromedriver to start.
const WAIT: Duration = Duration::from_secs(10);
/// The static server stops accepting after this many connections: a runaway loop of
/// requests ends instead of spinning.
const MAX_CONNECTIONS: usize = 2000;

#[test]
fn demo_site_in_a_real_browser() {
    let Some(tools) = browser_tools() else { return };
    let started = Instant::now();

    // Built for the local address, so links work whatever sub-path site.yaml's base_url has.
    let (demo_listener, meter_listener) = (local_listener(), local_listener());
    let demo = build_demo(&["--base-url", &base_url(&demo_listener)]);
    demo.run.assert_success();
    let pages = pages_to_check(&demo.out);
    let editions = edition_pages(&demo.out);
    let meter_site = MeterSite::build(&base_url(&meter_listener), 2, "https://news.example.com/subscribe?from=meter");
    let demo_server = StaticServer::start(demo_listener, &demo.out);
    let meter_server = StaticServer::start(meter_listener, &meter_site.out);

    let shots = screenshot_dir();
    let problems = in_browser(&tools, async |client| {
        let mut problems = Vec::new();
        for page in &pages {
            for width in WIDTHS {
                problems.extend(check_layout(client, &demo_server, page, width, &shots).await?);
            }
        }
        for edition in &editions {
            for width in WIDTHS {
                problems.extend(check_photo_runs(client, &demo_server, edition, width).await?);
            }
        }
        problems.extend(check_meter(client, &meter_server, &meter_site).await?);
        Ok(problems)
    });
    drop(demo_server);
    drop(meter_server);

    let problems = problems.unwrap_or_else(|e| panic!("browser test could not run: {e:#}"));
    assert!(problems.is_empty(), "problems in the browser:\n  {}", problems.join("\n  "));
    eprintln!(
        "browser test: {} pages and {} edition pages × {WIDTHS:?} px and the reader meter in {:.1} s; screenshots in {}",
        pages.len(),
        editions.len(),
        started.elapsed().as_secs_f64(),
        shots.display()
    );
}

// ---------------------------------------------------------------------------------------
// What is checked

/// A page of the built site to look at, by URL path.
#[derive(Debug)]
struct PageToCheck {
    name: &'static str,
    path: String,
}

/// The URL paths of every edition page (`/2026/03/05/`), oldest first.
fn edition_pages(out: &Path) -> Vec<String> {
    let is_edition = |f: &String| {
        let parts: Vec<&str> = f.split('/').collect();
        parts.len() == 4 && parts[3] == "index.html" && parts[..3].iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()))
    };
    files(out).into_iter().filter(is_edition).map(|f| format!("/{}", f.trim_end_matches("index.html"))).collect()
}

/// The front page, the newest edition, the first article of it that has a lead photo and
/// the first article with footnotes and highlighted code, found in the output so the test
/// follows the demo's content as it grows.
fn pages_to_check(out: &Path) -> Vec<PageToCheck> {
    let edition_path = edition_pages(out).pop().expect("the demo has an edition page");
    let edition = format!("{}index.html", edition_path.trim_start_matches('/'));
    let doc = Html::parse_document(&read_to_string(&out.join(&edition)));
    let article = doc
        .select(&sel("main .card-title a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .find(|href| {
            let file = resolve(out, href.trim_start_matches('/')).expect("article links resolve");
            Html::parse_document(&read_to_string(&file)).select(&sel("main figure.lead-photo img")).next().is_some()
        })
        .unwrap_or_else(|| panic!("no article of {edition_path} has a lead photo"))
        .to_string();
    let notes_and_code = files(out)
        .into_iter()
        .filter(|f| f.ends_with("/index.html") && f.split('/').count() == 5)
        .find(|f| {
            let doc = Html::parse_document(&read_to_string(&out.join(f)));
            doc.select(&sel("main section.footnotes")).next().is_some()
                && doc.select(&sel("main pre.highlight code")).next().is_some()
        })
        .expect("an article of the demo has footnotes and highlighted code");
    vec![
        PageToCheck { name: "front", path: "/".into() },
        PageToCheck { name: "edition", path: edition_path },
        PageToCheck { name: "article", path: article },
        PageToCheck { name: "article-notes-code", path: format!("/{}", notes_and_code.trim_end_matches("index.html")) },
    ]
}

/// The photos `<main>` shows, in document order: each visible `<img>`'s source file, its
/// width suffix dropped (`harbor-480w.jpg` and `harbor.jpg` are one photo).
const SHOWN_PHOTOS_JS: &str = r#"
const shown = [];
for (const img of document.querySelectorAll("main img")) {
  const r = img.getBoundingClientRect();
  const style = getComputedStyle(img);
  if (r.width < 1 || r.height < 1 || style.visibility === "hidden" || style.opacity === "0") continue;
  const url = new URL(img.currentSrc || img.src, location.href).pathname;
  shown.push(url.replace(/-\d+w(\.[a-z]+)$/i, "$1"));
}
return shown;
"#;

/// Loads an edition page at `width`: no photo is shown twice in a row (the edition's lead
/// photo and its first article's photo were the same picture, one above the other).
async fn check_photo_runs(client: &Client, server: &StaticServer, path: &str, width: u32) -> Result<Vec<String>> {
    set_viewport(client, width, HEIGHT).await?;
    client.goto(&server.url(path)).await.with_context(|| format!("load {path}"))?;
    let shown = client.execute(SHOWN_PHOTOS_JS, vec![]).await.with_context(|| format!("list the photos of {path}"))?;
    let shown: Vec<String> =
        shown.as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_string)).collect();
    let mut problems = Vec::new();
    if shown.is_empty() {
        problems.push(format!("{path} at {width} px: shows no photo"));
    }
    for pair in shown.windows(2) {
        if pair[0] == pair[1] {
            problems.push(format!("{path} at {width} px: {} is shown twice in a row ({shown:?})", pair[0]));
        }
    }
    Ok(problems)
}

/// Loads `page` at `width`: no sideways scrolling, the first photo of `<main>` (the
/// page's lead photo) loaded and on screen; then a full-page screenshot.
async fn check_layout(
    client: &Client,
    server: &StaticServer,
    page: &PageToCheck,
    width: u32,
    shots: &Path,
) -> Result<Vec<String>> {
    let at = format!("{} ({}) at {width} px", page.name, page.path);
    let mut problems = Vec::new();
    set_viewport(client, width, HEIGHT).await?;
    client.goto(&server.url(&page.path)).await.with_context(|| format!("load {at}"))?;

    let overflow = client.execute(OVERFLOW_JS, vec![]).await.with_context(|| format!("measure {at}"))?;
    let (scroll_width, inner_width) = (number(&overflow["scrollWidth"]), number(&overflow["innerWidth"]));
    if scroll_width > inner_width {
        problems.push(format!(
            "{at}: scrolls sideways, scrollWidth {scroll_width} > innerWidth {inner_width}; too wide: {}",
            overflow["culprits"]
        ));
    }

    let photo = wait_for_photo(client, "main figure img").await.with_context(|| format!("find the photo of {at}"))?;
    match photo {
        None => problems.push(format!("{at}: no `main figure img` (lead photo)")),
        Some(p) => {
            let (natural, w, h) = (number(&p["naturalWidth"]), number(&p["width"]), number(&p["height"]));
            if natural <= 0.0 {
                problems.push(format!("{at}: lead photo {} did not load (naturalWidth 0)", p["src"]));
            }
            if w <= 0.0 || h <= 0.0 || p["onScreen"] != json!(true) {
                problems.push(format!("{at}: lead photo {} is not visible: box {w}×{h}, {p}", p["src"]));
            }
        }
    }

    let shot = shots.join(format!("{}-{width}.png", page.name));
    full_page_screenshot(client, &shot).await.with_context(|| format!("screenshot {at}"))?;
    Ok(problems)
}

/// Page width against viewport width, and the widest elements when the page is too wide.
pub(crate) const OVERFLOW_JS: &str = r#"
const inner = window.innerWidth;
const culprits = [];
for (const el of document.querySelectorAll("body *")) {
  const r = el.getBoundingClientRect();
  if (r.right > inner + 0.5 && culprits.length < 5) {
    culprits.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : "") + " right=" + Math.round(r.right));
  }
}
return { scrollWidth: document.documentElement.scrollWidth, innerWidth: inner, culprits: culprits };
"#;

/// Scrolls the first `selector` into view and waits until it has loaded; `None` when
/// there is no such element.
pub(crate) async fn wait_for_photo(client: &Client, selector: &str) -> Result<Option<Value>> {
    const PHOTO_JS: &str = r#"
const img = document.querySelector(arguments[0]);
if (!img) return null;
img.scrollIntoView({ block: "center" });
const r = img.getBoundingClientRect();
const onScreen = r.bottom > 0 && r.right > 0 && r.top < window.innerHeight && r.left < window.innerWidth;
return { src: img.currentSrc || img.src, complete: img.complete, naturalWidth: img.naturalWidth,
         width: r.width, height: r.height, onScreen: onScreen };
"#;
    let deadline = Instant::now() + WAIT;
    loop {
        let found = client.execute(PHOTO_JS, vec![json!(selector)]).await?;
        if found.is_null() {
            return Ok(None);
        }
        if found["complete"] == json!(true) || Instant::now() > deadline {
            return Ok(Some(found));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Turns the reader meter on (copy of the demo, `free_articles: 2`) and reads three
/// articles, one of them twice: the notice counts distinct articles, stops at the limit,
/// links to the subscribe URL and leaves the article readable.
async fn check_meter(client: &Client, server: &StaticServer, site: &MeterSite) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    set_viewport(client, WIDTHS[0], HEIGHT).await?;
    let [a, b, c] = &site.articles;
    let visits = [(a, 1), (a, 1), (b, 2), (c, 2)];
    for (n, (path, count)) in visits.into_iter().enumerate() {
        client.goto(&server.url(path)).await.with_context(|| format!("load {path}"))?;
        let state = wait_for_meter(client).await.with_context(|| format!("read the meter of {path}"))?;
        let expected = format!("You\u{2019}ve read {count} of {} free articles. Subscribe to continue.", site.free);
        if state["text"] != json!(expected) {
            problems.push(format!("meter, visit {} ({path}): expected {expected:?}, got {}", n + 1, state["text"]));
        }
        if state["href"] != json!(site.subscribe) {
            problems.push(format!("meter on {path}: subscribe link {} is not {:?}", state["href"], site.subscribe));
        }
        if number(&state["bodyHeight"]) <= 0.0 || state["bodyVisible"] != json!(true) {
            problems.push(format!("meter on {path}: the article body is hidden: {state}"));
        }
    }
    let shot = screenshot_dir().join(format!("meter-{}.png", WIDTHS[0]));
    full_page_screenshot(client, &shot).await?;
    Ok(problems)
}

/// Waits for the meter's notice to be shown; returns its text and link, and whether the
/// article body is still displayed.
async fn wait_for_meter(client: &Client) -> Result<Value> {
    const METER_JS: &str = r#"
const box = document.querySelector(".meter");
const body = document.querySelector(".article-body");
if (!box || box.hidden) return null;
const link = box.querySelector("a");
const style = body ? getComputedStyle(body) : null;
return { text: box.textContent.trim(), href: link ? link.href : null,
         bodyHeight: body ? body.getBoundingClientRect().height : 0,
         bodyVisible: !!style && style.display !== "none" && style.visibility !== "hidden" && style.opacity !== "0" };
"#;
    let deadline = Instant::now() + WAIT;
    loop {
        let state = client.execute(METER_JS, vec![]).await?;
        if !state.is_null() {
            return Ok(state);
        }
        if Instant::now() > deadline {
            bail!("the `.meter` notice never appeared");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The meter's markup without a browser: off by default (no element, no script on any
/// page), and when configured on every article page and only there.
#[test]
fn reader_meter_markup_only_when_configured() {
    let demo = build_demo(&[]);
    demo.run.assert_success();
    for page in crate::support::html_files(&demo.out) {
        let doc = Html::parse_document(&read_to_string(&demo.out.join(&page)));
        let found = doc.select(&sel(r#".meter, script[src*="meter"]"#)).count();
        assert_eq!(found, 0, "{page}: meter markup although site.yaml does not turn it on");
    }

    let site = MeterSite::build("https://news.example.com/", 3, "https://news.example.com/subscribe?a=1&b=2");
    for page in crate::support::html_files(&site.out) {
        let doc = Html::parse_document(&read_to_string(&site.out.join(&page)));
        let is_article = doc.select(&sel("body.page-article")).next().is_some();
        let meters: Vec<_> = doc.select(&sel("div.meter[hidden]")).collect();
        let scripts = doc.select(&sel(r#"script[src="/js/meter.js"]"#)).count();
        if !is_article {
            assert!(meters.is_empty() && scripts == 0, "{page}: meter on a page that is not an article");
            continue;
        }
        assert_eq!((meters.len(), scripts), (1, 1), "{page}: one hidden meter and one script");
        let meter = meters[0].value();
        assert_eq!(meter.attr("data-free"), Some("3"), "{page}");
        assert_eq!(meter.attr("data-subscribe"), Some("https://news.example.com/subscribe?a=1&b=2"), "{page}");
        let url = format!("/{}", page.trim_end_matches("index.html"));
        assert_eq!(meter.attr("data-article"), Some(url.as_str()), "{page}");
    }
}

// ---------------------------------------------------------------------------------------
// Browser plumbing

/// Runs `work` in a fresh headless Chromium session, then ends the session whatever
/// happened: chromedriver closes the browser with it, so no Chromium outlives the test.
pub(crate) fn in_browser<T>(tools: &BrowserTools, work: impl AsyncFnOnce(&Client) -> Result<T>) -> Result<T> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let driver = ChromeDriver::start(tools);
    runtime.block_on(async {
        let client = driver.session(tools).await?;
        let result = work(&client).await;
        let closed = client.close().await;
        let value = result?;
        closed.context("close the WebDriver session")?;
        Ok(value)
    })
}

/// Resizes the window so that the viewport (`innerWidth`) is `width` wide: the window's
/// frame, if any, is measured and added.
pub(crate) async fn set_viewport(client: &Client, width: u32, height: u32) -> Result<()> {
    client.set_window_size(width, height).await.context("resize the window")?;
    let inner = number(&client.execute("return window.innerWidth;", vec![]).await?) as u32;
    if inner != width {
        client.set_window_size(width + width.saturating_sub(inner), height).await.context("resize the window")?;
        let inner = number(&client.execute("return window.innerWidth;", vec![]).await?) as u32;
        if inner != width {
            bail!("cannot make the viewport {width} px wide (it is {inner} px)");
        }
    }
    Ok(())
}

/// A screenshot of the whole page (up to `MAX_SHOT_HEIGHT`): the window grows to the
/// page's height for the shot, then shrinks back.
pub(crate) async fn full_page_screenshot(client: &Client, path: &Path) -> Result<()> {
    const SIZE_JS: &str = "window.scrollTo(0, 0); \
        return [document.documentElement.scrollHeight, window.outerHeight - window.innerHeight];";
    let size = client.execute(SIZE_JS, vec![]).await?;
    // The window's frame (if any) is added, so the viewport holds the whole page.
    let (height, frame) = (number(&size[0]).max(0.0) as u32, number(&size[1]).max(0.0) as u32);
    let (w, _) = client.get_window_size().await?;
    client.set_window_size(w as u32, height.clamp(HEIGHT, MAX_SHOT_HEIGHT) + frame).await?;
    let png = client.screenshot().await?;
    client.set_window_size(w as u32, HEIGHT).await?;
    std::fs::write(path, png).with_context(|| format!("write {}", path.display()))?;
    Ok(())
}

pub(crate) fn number(v: &Value) -> f64 {
    v.as_f64().unwrap_or(-1.0)
}

/// `target/screenshots/`, beside the binary under test (so `CARGO_TARGET_DIR` is
/// honoured).
pub(crate) fn screenshot_dir() -> PathBuf {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_masthead"));
    let target = bin.parent().and_then(Path::parent).map_or_else(|| repo_root().join("target"), Path::to_path_buf);
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("create {}: {e}", dir.display()));
    dir
}

/// Where Chromium and chromedriver are.
pub(crate) struct BrowserTools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// The browser and its driver, or `None` (with a notice) when one is missing; on CI a
/// missing browser is a failure, never a silent skip.
pub(crate) fn browser_tools() -> Option<BrowserTools> {
    let path = |var: &str, default: &str| PathBuf::from(std::env::var(var).unwrap_or_else(|_| default.to_string()));
    let tools = BrowserTools {
        chromium: path("CHROMIUM", "/usr/bin/chromium"),
        chromedriver: path("CHROMEDRIVER", "/usr/bin/chromedriver"),
    };
    let missing: Vec<String> = [&tools.chromium, &tools.chromedriver]
        .iter()
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    if missing.is_empty() {
        return Some(tools);
    }
    if std::env::var_os("CI").is_some() {
        panic!("missing on CI: {}; .ci/run should install `chromium chromium-driver`", missing.join(", "));
    }
    eprintln!("skipping the browser test: {} not found (apt-get install chromium chromium-driver)", missing.join(", "));
    None
}

/// A chromedriver on a free local port, stopped (and with it any browser it started)
/// when dropped.
pub(crate) struct ChromeDriver {
    child: Child,
    port: u16,
    /// A fresh Chromium profile, removed at the end.
    profile: tempfile::TempDir,
}

impl ChromeDriver {
    pub(crate) fn start(tools: &BrowserTools) -> ChromeDriver {
        let port = free_port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", tools.chromedriver.display()));
        let profile = tempfile::Builder::new().prefix("masthead-chromium-").tempdir().expect("create temp dir");
        let mut driver = ChromeDriver { child, port, profile };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited at start: {status}");
            }
            assert!(Instant::now() < deadline, "chromedriver did not listen on port {port} within {WAIT:?}");
            thread::sleep(Duration::from_millis(25));
        }
        driver
    }

    /// A new headless Chromium session.
    pub(crate) async fn session(&self, tools: &BrowserTools) -> Result<Client> {
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", self.profile.path().display())]);
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": tools.chromium, "args": args.collect::<Vec<_>>() },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };
        ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .map_err(|e| anyhow!("start a Chromium session through chromedriver: {e}"))
    }
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        // `/shutdown` makes chromedriver quit the browsers it started; the kill is the
        // fallback for a driver that does not answer.
        if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = write!(s, "GET /shutdown HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let _ = std::io::Read::read_to_end(&mut s, &mut Vec::new());
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            thread::sleep(Duration::from_millis(25));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("find a free port")
}

// ---------------------------------------------------------------------------------------
// The reader-meter site

/// A copy of the demo site with `extra.meter` set, built.
struct MeterSite {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    free: u32,
    subscribe: String,
    /// Three article URL paths.
    articles: [String; 3],
}

impl MeterSite {
    fn build(base_url: &str, free: u32, subscribe: &str) -> MeterSite {
        let tmp = tempfile::Builder::new().prefix("masthead-meter-").tempdir().expect("create temp dir");
        let site = tmp.path().join("site");
        std::fs::create_dir_all(&site).unwrap();
        for dir in ["content", "themes"] {
            copy_dir(&repo_root().join(dir), &site.join(dir));
        }
        let config = read_to_string(&repo_root().join("site.yaml"));
        assert!(!config.contains("meter"), "the demo's site.yaml already configures the meter");
        let extra = format!("  meter:\n    free_articles: {free}\n    subscribe_url: \"{subscribe}\"\n");
        let config = if config.lines().any(|l| l == "extra:") {
            config.replacen("extra:\n", &format!("extra:\n{extra}"), 1)
        } else {
            format!("{}\nextra:\n{extra}", config.trim_end())
        };
        std::fs::write(site.join("site.yaml"), config).unwrap();
        let out = tmp.path().join("public");
        let out_s = out.to_str().unwrap();
        let args =
            ["-s", "site", "--color", "never", "--clock", CLOCK, "build", "--output", out_s, "--base-url", base_url];
        run_masthead(tmp.path(), &args).assert_success();
        assert!(out.join("js/meter.js").is_file(), "the meter site has no js/meter.js");
        let mut articles = files(&out)
            .into_iter()
            .filter(|f| f.matches('/').count() == 4 && f.ends_with("/index.html") && f.as_bytes()[0].is_ascii_digit())
            .map(|f| format!("/{}", f.trim_end_matches("index.html")));
        let mut next = || articles.next().expect("the demo has three articles");
        let articles = [next(), next(), next()];
        MeterSite { _tmp: tmp, out, free, subscribe: subscribe.to_string(), articles }
    }
}

// ---------------------------------------------------------------------------------------
// A tiny static file server

/// Serves a built site at `http://127.0.0.1:<port>/` from a background thread, so
/// root-relative links work; stops (and joins its threads) when dropped.
pub(crate) struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// A listening socket on a free local port, for `StaticServer::start`.
pub(crate) fn local_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").expect("bind a local port")
}

/// `http://127.0.0.1:<port>/`: the base URL a site served from `listener` is built for.
pub(crate) fn base_url(listener: &TcpListener) -> String {
    format!("http://{}/", listener.local_addr().expect("local address"))
}

impl StaticServer {
    pub(crate) fn start(listener: TcpListener, root: &Path) -> StaticServer {
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let (root, flag) = (root.to_path_buf(), Arc::clone(&stop));
        let thread = thread::spawn(move || {
            let mut connections = Vec::new();
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let root = root.clone();
                connections.push(thread::spawn(move || {
                    let _ = serve_connection(stream, &root);
                }));
            }
            for c in connections {
                let _ = c.join();
            }
        });
        StaticServer { addr, stop, thread: Some(thread) }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the blocking `accept` so the thread sees the flag.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Answers the requests of one connection (keep-alive), each with a file of `root`, the
/// site's 404 page, or an error status.
fn serve_connection(stream: TcpStream, root: &Path) -> std::io::Result<()> {
    // An idle connection (Chromium opens spare ones) ends after this, so shutdown is quick.
    stream.set_read_timeout(Some(Duration::from_millis(1500)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut out = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
                break;
            }
        }
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let path = target.split(['?', '#']).next().unwrap_or("");
        let (status, content_type, body) = if method != "GET" && method != "HEAD" {
            ("405 Method Not Allowed", "text/plain", b"method not allowed".to_vec())
        } else if let Some(file) = path.strip_prefix('/').and_then(|rel| resolve(root, rel)) {
            ("200 OK", content_type(&file), std::fs::read(&file)?)
        } else {
            ("404 Not Found", "text/html; charset=utf-8", std::fs::read(root.join("404.html")).unwrap_or_default())
        };
        write!(out, "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n", body.len())?;
        if method != "HEAD" {
            out.write_all(&body)?;
        }
        out.flush()?;
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[test]
fn static_server_serves_files_pages_and_404() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("a b")).unwrap();
    std::fs::write(tmp.path().join("index.html"), "front").unwrap();
    std::fs::write(tmp.path().join("a b/index.html"), "page").unwrap();
    std::fs::write(tmp.path().join("404.html"), "missing").unwrap();
    let server = StaticServer::start(local_listener(), tmp.path());
    let get = |path: &str| {
        let mut s = TcpStream::connect(server.addr).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut s, &mut text).unwrap();
        text
    };
    assert!(get("/").starts_with("HTTP/1.1 200 OK") && get("/").ends_with("front"));
    assert!(get("/a%20b/?x=1").ends_with("page"));
    let missing = get("/nope/");
    assert!(missing.starts_with("HTTP/1.1 404") && missing.ends_with("missing"), "{missing}");
    assert!(get("/../index.html").starts_with("HTTP/1.1 404"));
}
