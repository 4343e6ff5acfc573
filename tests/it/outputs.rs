//! What leaves masthead: nothing a site's files hold may reach a terminal as a control
//! sequence, a text output or an email header as a control character or a line break,
//! or a page as a `javascript:` link; and the preview server's answers cost a client
//! that stops reading almost nothing, for no longer than the write deadline.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::support::SiteFixture;
use crate::support::serve::{Server, poll};

/// What a site's file may hold to attack a terminal: clear the screen, set the window
/// title, ring the bell; DEL, NEL (U+0085) and a CSI (U+009B) besides.
const HOSTILE: &str = "\\e[2J\\e]0;PWNED\\a\\x7F\\x85\\x9B";

/// Whether `text` holds a control character other than newline and tab.
fn has_control(text: &str) -> Option<char> {
    text.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t')
}

// Regression: a photo `src` holding ESC/BEL was printed raw in the error, so a file could
// clear the terminal or retitle its window.
#[test]
fn control_characters_in_errors_are_shown_escaped() {
    let site = SiteFixture::new("minimal");
    site.write(
        "content/2026-03-02/only-story.md",
        &format!("---\ntitle: The only story\nphoto: {{src: \"{HOSTILE}\"}}\n---\nNothing else happened.\n"),
    );
    for command in ["check", "build"] {
        let run = site.run(&[command]);
        run.assert_code(1);
        assert_eq!(has_control(&run.stderr), None, "`{command}` printed a raw control character:\n{:?}", run.stderr);
        let error = run.error_about("content/2026-03-02/only-story.md");
        assert_eq!(error.line, Some(3), "{}", run.transcript());
        assert!(error.message.contains("\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}\\u{7f}\\u{85}\\u{9b}"), "{}", error.raw);
    }
}

// Regression: `masthead editions` printed an edition's title with its ESC/BEL as they were.
#[test]
fn control_characters_in_the_editions_listing_are_shown_escaped() {
    let site = SiteFixture::new("newsletter");
    site.write("content/2026-05-05/_edition.md", &format!("---\ntitle: \"Ovens{HOSTILE} on\"\n---\n"));
    let run = site.run(&["editions"]);
    run.assert_success();
    assert_eq!(has_control(&run.stdout), None, "raw control character:\n{:?}", run.stdout);
    assert!(run.stdout.contains("Ovens\\u{1b}[2J\\u{1b}]0;PWNED\\u{7}\\u{7f}\\u{85}\\u{9b} on"), "{}", run.stdout);
}

// Regression: `newsletter.txt` kept ESC, DEL and U+0085 from an edition title, and the
// `.eml` Subject kept them and a CR/LF, so a title could add a header of its own.
#[test]
fn control_characters_are_stripped_from_text_outputs_and_email_headers() {
    let site = SiteFixture::new("newsletter");
    let title = format!("Ovens{HOSTILE} on\\r\\nBcc: everyone@attacker.example");
    site.write(
        "content/2026-05-05/_edition.md",
        &format!("---\ntitle: \"{title}\"\nsummary: \"The bakery\\e[31m school\\r opens.\"\n---\n"),
    );
    site.build().assert_success();
    let text = site.read("2026/05/05/newsletter.txt");
    assert_eq!(has_control(&text), None, "newsletter.txt holds a control character:\n{text:?}");
    assert!(text.contains("Ovens[2J]0;PWNED on"), "{text}");
    assert!(text.contains("The bakery[31m school opens."), "{text}");
    // (No robots.txt: this site lives under a sub-path.)
    for file in ["sitemap.xml", "feed.xml", "2026/05/05/newsletter.html"] {
        assert_eq!(has_control(&site.read(file).replace('\r', "")), None, "{file}");
    }

    let run = site.run(&["newsletter", "2026-05-05", "--format", "eml"]);
    run.assert_success();
    let message = mail_parser::MessageParser::default().parse(run.stdout.as_bytes()).expect("a parseable message");
    let subject = message.subject().expect("a Subject");
    assert_eq!(subject, "Ovens[2J]0;PWNED  on  Bcc: everyone@attacker.example", "{subject:?}");
    assert!(message.bcc().is_none(), "the title added a Bcc header");
    let head = &run.stdout[..run.stdout.find("\r\n\r\n").expect("a header block")];
    assert!(!head.lines().any(|l| l.starts_with("Bcc")), "{head}");
    assert_eq!(has_control(&message.body_text(0).unwrap().replace('\r', "")), None);
}

// Regression: `newsletter.unsubscribe: "javascript:alert(1)"` (or `data:`) was published
// as the unsubscribe link.
#[test]
fn an_unsubscribe_link_must_be_a_web_or_mail_link_or_a_merge_tag() {
    let site = SiteFixture::new("newsletter");
    let yaml = |unsubscribe: &str| {
        format!("title: T\nbase_url: https://gazette.example.org/\nnewsletter:\n  unsubscribe: \"{unsubscribe}\"\n")
    };
    for bad in ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "data:text/html;base64,PHNjcmlwdD4="] {
        site.write("site.yaml", &yaml(bad));
        for command in ["check", "build"] {
            let run = site.run(&[command]);
            run.assert_code(1);
            let error = run.error_about("site.yaml");
            assert_eq!(error.line, Some(4), "{}", run.transcript());
            assert!(error.text().contains("only `https:`, `http:` and `mailto:`"), "{}", error.raw);
        }
        assert!(!site.out().join("2026/05/05/newsletter.html").exists(), "{bad}: a site was written");
    }
    for good in ["https://gazette.example.org/unsubscribe", "mailto:leave@gazette.example.org", "{{unsubscribe}}"] {
        site.write("site.yaml", &yaml(good));
        site.build().assert_success();
        let html = site.read("2026/05/05/newsletter.html");
        assert!(html.contains(&format!("href=\"{good}\"")), "{good} not published:\n{html}");
    }
}

// Regression: a `base_url` holding `"><script>` was accepted and written raw into
// robots.txt (and a line break could add a rule of its own).
#[test]
fn a_base_url_with_markup_or_controls_is_refused_at_its_line() {
    let site = SiteFixture::new("minimal");
    for bad in ["https://news.example.com/\\\"><script>alert(1)</script>", "https://news.example.com/\\nDisallow: /"] {
        site.write("site.yaml", &format!("title: Minimal\nbase_url: \"{bad}\"\n"));
        let run = site.build();
        run.assert_code(1);
        let error = run.error_about("site.yaml");
        assert_eq!(error.line, Some(2), "{}", run.transcript());
        assert!(error.text().contains("`base_url` may not hold"), "{}", error.raw);
        assert_eq!(has_control(&run.stderr), None);
        assert!(!run.stderr.contains("\nDisallow"), "{}", run.stderr);
        assert!(!site.exists("index.html"), "a site was written");
    }
    site.write("site.yaml", "title: Minimal\nbase_url: https://news.example.com/daily/\n");
    let run = site.run(&["build", "--base-url", "https://x.org/\"><script>"]);
    run.assert_code(2);
    assert!(run.stderr.contains("`base_url` may not hold `\"`"), "{}", run.transcript());
    assert!(!site.exists("index.html"));
    site.build().assert_success();
    // Under a sub-path no robots.txt is written: crawlers read it at the host's root only.
    assert!(site.exists("index.html") && !site.exists("robots.txt"));
    site.write("site.yaml", "title: Minimal\nbase_url: https://news.example.com/\n");
    site.build().assert_success();
    assert_eq!(site.read("robots.txt"), "User-agent: *\nAllow: /\n\nSitemap: https://news.example.com/sitemap.xml\n");
}

/// A `kB` field of `/proc/<pid>/status`, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's status");
    let line = status.lines().find_map(|l| l.strip_prefix(field)).expect("the field");
    line.trim().trim_end_matches("kB").trim().parse().expect("a number")
}

/// How many sockets the process holds open.
fn sockets(pid: u32) -> usize {
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else { return 0 };
    fds.flatten()
        .filter(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target.to_string_lossy().starts_with("socket:")))
        .count()
}

/// Clients that ask for the big page, and for the big static file, and never read.
const STALLED_PAGE: usize = 50;
const STALLED_FILE: usize = 20;
/// The write deadline the server is started with (milliseconds).
const DEADLINE_MS: u64 = 3000;

// Regression: 50 connections that asked for a 9.9 MB page and never read grew `serve`
// from 162 MB to 620 MB (each held its own copy of the page, with the live-reload
// script injected), and the memory stayed after they went away.
#[test]
fn stalled_clients_share_the_page_and_are_dropped_after_the_write_deadline() {
    let site = SiteFixture::new("minimal");
    // Under the 8 MB limit of a Markdown file; each `&` is written as `&amp;`, so the page
    // weighs about 8.6 MB.
    let paragraph = "A long paragraph of the record, R&D & Co. & more, set down so the page weighs nine megabytes. ";
    let body: String = (0..8_000).map(|i| format!("{i}: {}\n\n", paragraph.repeat(10))).collect();
    assert!(body.len() < 8_000_000, "{} bytes", body.len());
    site.write("content/2026-03-02/record.md", &format!("---\ntitle: The record\n---\n{body}"));
    let static_page = format!("<!doctype html><body>{}</body>", "<p>static</p>\n".repeat(750_000));
    site.write("static/big.html", &static_page);
    // Without search: the preview indexes in the background after start-up, and that
    // memory is not the connections' to measure.
    let config = std::fs::read_to_string(site.site().join("site.yaml")).unwrap();
    site.write("site.yaml", &format!("{config}search:\n  enabled: false\n"));

    let deadline = DEADLINE_MS.to_string();
    let mut server = Server::start_with_env(&site, &[], &[("MASTHEAD_SERVE_WRITE_TIMEOUT_MS", &deadline)]);
    let pid = server.pid();
    let page = server.get("/2026/03/02/record/");
    assert_eq!(page.status, 200);
    assert!(page.body.len() > 8_000_000, "the page is {} bytes", page.body.len());
    assert_eq!(server.get("/big.html").body.len(), static_page.len() + crate::support::serve::LIVERELOAD_TAG.len());
    let base_rss = status_kib(pid, "VmRSS:");
    let base_sockets = sockets(pid);

    let ask = |path: &str| {
        let mut stream = TcpStream::connect(("127.0.0.1", server.port)).expect("connect");
        let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", server.port);
        stream.write_all(request.as_bytes()).expect("send the request");
        stream
    };
    let started = Instant::now();
    let mut stalled: Vec<TcpStream> = (0..STALLED_PAGE).map(|_| ask("/2026/03/02/record/")).collect();
    stalled.extend((0..STALLED_FILE).map(|_| ask("/big.html")));
    // Let the server write until every connection's buffers are full.
    thread::sleep(Duration::from_millis(DEADLINE_MS / 2));
    let stalled_rss = status_kib(pid, "VmRSS:");
    let open = sockets(pid);
    server.assert_alive("with stalled clients");

    // The deadline passes; the server closes every stalled connection.
    let closed = poll(Duration::from_millis(DEADLINE_MS) + Duration::from_secs(15), || {
        let now = sockets(pid);
        if now <= base_sockets + 2 { Ok(started.elapsed()) } else { Err(format!("{now} sockets still open")) }
    });
    // The allocator hands freed memory back a little later (a page unpacked for the
    // stalled clients is freed with the last of them): give it a few seconds.
    let returned = |rss: u64| rss <= base_rss + 32 * 1024;
    let mut after_rss = 0;
    let _ = poll(Duration::from_secs(5), || {
        after_rss = status_kib(pid, "VmRSS:");
        if returned(after_rss) { Ok(()) } else { Err(format!("{after_rss} KiB")) }
    });
    let hwm = status_kib(pid, "VmHWM:");
    let growth = stalled_rss.saturating_sub(base_rss);
    let clients = (STALLED_PAGE + STALLED_FILE) as u64;
    eprintln!(
        "serve RSS: {base_rss} KiB at rest, {stalled_rss} KiB with {clients} stalled clients (+{growth} KiB, \
         {} KiB each), {after_rss} KiB after they were dropped; VmHWM {hwm} KiB; sockets {base_sockets} → {open}; \
         closed after {closed:?}",
        growth / clients
    );
    assert!(open >= base_sockets + STALLED_PAGE, "the stalled connections were not all open ({open})");
    let closed = closed.unwrap_or_else(|e| panic!("stalled connections were not closed after the deadline: {e}"));
    assert!(closed >= Duration::from_millis(DEADLINE_MS), "closed before the deadline: {closed:?}");
    // A stalled client may cost at most 1 MiB; the page is 8.6 MB.
    assert!(growth <= clients * 1024, "{clients} stalled clients grew the server by {growth} KiB");
    assert!(returned(after_rss), "memory did not return: {base_rss} KiB → {after_rss} KiB");
    assert!(hwm <= 1024 * 1024, "peak {hwm} KiB");
    // The server still answers, with the whole page.
    assert_eq!(server.get("/2026/03/02/record/").body.len(), page.body.len());
    drop(stalled);
}
