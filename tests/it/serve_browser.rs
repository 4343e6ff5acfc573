//! `serve --watch` as an editor sees it, in headless Chromium: an open article reloads by
//! itself when its Markdown is saved, a broken save shows the error overlay (naming the
//! file, escaping what it shows) over the last good page, the fix takes it away, and a
//! stylesheet edit restyles the page without reloading it.
//!
//! Uses the Chromium + chromedriver plumbing of `browser.rs`; without them the test prints
//! a notice and passes, except on CI (`CI` set), where it fails.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use fantoccini::Client;
use serde_json::{Value, json};

use crate::browser::{ChromeDriver, browser_tools, screenshot_dir};
use crate::support::serve::{Server, article, write};
use crate::support::{SiteFixture, read_to_string, repo_root};

/// How long the page may take to show a change (the brief's "within a blink", with room
/// for a slow machine).
const DOM_WAIT: Duration = Duration::from_secs(10);
const ARTICLE: &str = "content/2026-05-29/harbour-reopens.md";
const ARTICLE_URL: &str = "/2026/05/29/harbour-reopens/";
const FRONT: &str = "title: Harbour reopens after storm repairs\nsection: City\norder: 1";

#[test]
fn open_article_reloads_shows_the_error_overlay_and_restyles_live() {
    let Some(tools) = browser_tools() else { return };
    let site = SiteFixture::new("serve");
    // A site stylesheet the pages link (it overrides the theme's), to edit live.
    let theme_css = read_to_string(&repo_root().join("themes/daily/static/css/daily.css"));
    let css = move |v: &str| format!("{theme_css}\n:root {{ --serve-test: {v}; }}\n");
    site.write("static/css/daily.css", &css("one"));
    let server = Server::start(&site, &[]);

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let driver = ChromeDriver::start(&tools);
    let result = runtime.block_on(async {
        let client = driver.session(&tools).await?;
        // End the session whatever happened, so no Chromium outlives the test.
        let result = scenario(&client, &server, &css).await;
        let closed = client.close().await;
        result?;
        closed.context("close the WebDriver session")?;
        Ok::<_, anyhow::Error>(())
    });
    drop(driver);
    if let Err(e) = result {
        panic!("{e:#}\n{}", server.context());
    }
}

async fn scenario(client: &Client, server: &Server, css: &dyn Fn(&str) -> String) -> Result<()> {
    client.goto(&server.url(ARTICLE_URL)).await.context("open the article")?;
    wait_js(client, "the original article text", BODY_TEXT_JS, |v| has(v, "Original harbour text")).await?;
    connected(client).await?;

    // 1. A save on disk reloads the page, with nothing done in the browser.
    set_marker(client).await?;
    write(&server.site, ARTICLE, &article(FRONT, "Live text one: the ferries are back."));
    wait_js(client, "the edited text after a reload", BODY_TEXT_JS, |v| has(v, "Live text one")).await?;
    if marker(client).await? {
        bail!("the edited text appeared without a page reload (the window kept its state)");
    }
    connected(client).await?;

    // 2. A broken save: the overlay, over the last good page, names the file and shows the
    // unknown key as text (an `<img onerror>` in it must not run).
    let broken = article(&format!("{FRONT}\n\"<img src=x onerror=window.__servexss=1>\": 1"), "Broken text.");
    write(&server.site, ARTICLE, &broken);
    let overlay = wait_js(client, "the error overlay naming the file", OVERLAY_JS, |v| {
        v["visible"] == json!(true) && has(&v["text"], "harbour-reopens.md")
    })
    .await?;
    shot(client, "serve-overlay").await?;
    if !has(&overlay["text"], "<img src=x") {
        bail!("the overlay does not show the unknown key as text: {overlay}");
    }
    if overlay["xss"] != json!(false) {
        bail!("the overlay ran markup from the error message: {overlay}");
    }
    let body = client.execute(BODY_TEXT_JS, vec![]).await?;
    if !has(&body, "Live text one") || has(&body, "Broken text") {
        bail!("under the overlay the last good page should stay: {body}");
    }

    // 3. The fix: the overlay goes, the fixed text comes.
    write(&server.site, ARTICLE, &article(FRONT, "Live text two: fixed."));
    wait_js(client, "the fixed text without the overlay", FIXED_JS, |v| {
        v["overlay"] == json!(false) && has(&v["text"], "Live text two: fixed.")
    })
    .await?;
    connected(client).await?;

    // 4. A stylesheet alone: new styles, same page (no reload).
    set_marker(client).await?;
    write(&server.site, "static/css/daily.css", &css("two"));
    wait_js(client, "the new stylesheet applied", CSS_VAR_JS, |v| v.as_str().is_some_and(|s| s.trim() == "two"))
        .await?;
    if !marker(client).await? {
        bail!("a stylesheet-only change reloaded the whole page instead of refreshing styles");
    }
    Ok(())
}

const BODY_TEXT_JS: &str = r#"const b = document.querySelector(".article-body"); return b ? b.textContent : null;"#;
const OVERLAY_JS: &str = r#"
const o = document.getElementById("masthead-error-overlay");
if (!o) return null;
const s = getComputedStyle(o), r = o.getBoundingClientRect();
return { visible: s.display !== "none" && s.visibility !== "hidden" && r.width > 0 && r.height > 0,
         text: o.textContent, xss: window.__servexss !== undefined };
"#;
const FIXED_JS: &str = r#"
const o = document.getElementById("masthead-error-overlay");
let shown = false;
if (o) { const s = getComputedStyle(o), r = o.getBoundingClientRect();
         shown = s.display !== "none" && s.visibility !== "hidden" && r.width > 0 && r.height > 0; }
const b = document.querySelector(".article-body");
return { overlay: shown, text: b ? b.textContent : null };
"#;
const CSS_VAR_JS: &str = r#"return getComputedStyle(document.documentElement).getPropertyValue("--serve-test");"#;

fn has(v: &Value, needle: &str) -> bool {
    v.as_str().is_some_and(|s| s.contains(needle))
}

/// Marks the window: a reload loses the mark.
async fn set_marker(client: &Client) -> Result<()> {
    client.execute("window.__serveMarker = 'kept'; return true;", vec![]).await?;
    Ok(())
}

async fn marker(client: &Client) -> Result<bool> {
    Ok(client.execute("return window.__serveMarker === 'kept';", vec![]).await? == json!(true))
}

/// Gives the page's live-reload script time to open its event stream (it starts after
/// the page loaded), so the next change is not sent before it listens.
async fn connected(client: &Client) -> Result<()> {
    wait_js(client, "the page loaded", "return document.readyState;", |v| v == "complete").await?;
    tokio::time::sleep(Duration::from_millis(800)).await;
    Ok(())
}

/// Runs `js` until `accept` likes its result (errors while the page reloads are retried),
/// for at most `DOM_WAIT`.
async fn wait_js(client: &Client, what: &str, js: &str, accept: impl Fn(&Value) -> bool) -> Result<Value> {
    let deadline = Instant::now() + DOM_WAIT;
    loop {
        let last = match client.execute(js, vec![]).await {
            Ok(v) if accept(&v) => return Ok(v),
            Ok(v) => v.to_string(),
            Err(e) => format!("error: {e}"),
        };
        if Instant::now() > deadline {
            let _ = shot(client, "serve-timeout").await;
            bail!("{what}: not seen in the browser within {DOM_WAIT:?}; last: {last}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A screenshot to `target/screenshots/<name>.png`, for a person to look at.
async fn shot(client: &Client, name: &str) -> Result<()> {
    let png = client.screenshot().await?;
    let path = screenshot_dir().join(format!("{name}.png"));
    std::fs::write(&path, png).with_context(|| format!("write {}", path.display()))
}
