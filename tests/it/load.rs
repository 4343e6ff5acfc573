//! The preview server under load: `serve --watch` on a generated 2,000-article site, 200
//! concurrent clients fetching pages (front page, edition pages, articles, listings) over
//! loopback while 100 edits are saved, with idle connections, half-sent requests and
//! clients that never read their answer held open the whole time. Every answer must be a
//! whole `200` page from one consistent build (each article version shown is one that was
//! written), no request may go unanswered, the server's memory stays under a stated bound,
//! and connections that never send a whole request head are closed. A request not
//! answered within `HTTP_TIMEOUT` (10 s) counts as a failure: the server stalled.
//!
//! Prints the figures (requests, failures, peak memory). Seeded: `LOAD_SEED=<n>` replays.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::serve::{Exchange, Response, Server, poll, save_via_temp, try_request};
use crate::support::{
    GENERATED_PER_EDITION, Rng, SiteFixture, env_number, generated_article, generated_article_path, generated_date,
};

const ARTICLES: usize = 2000;
const CLIENTS: usize = 200;
const EDITS: usize = 100;
const EDIT_EVERY: Duration = Duration::from_millis(80);
/// Articles the edits go to; half the article requests ask for one of them, so pages are
/// often fetched while they change.
const HOT: usize = 40;
/// Connections that connect and send nothing, that send half a request head, and that
/// send requests but never read the answers.
const IDLE: usize = 20;
const HALF: usize = 20;
const DEAF: usize = 10;
/// The server's header deadline (src/serve/listen.rs) plus a generous margin.
const HEAD_DEADLINE: Duration = Duration::from_secs(10 + 20);
/// The bound on the server's resident memory (VmHWM) through the whole run. A debug
/// build holding the 2,000-article site (about 2,400 pages) in memory peaks near 45 MiB
/// here; the bound leaves room for other machines without letting a leak through.
const RSS_LIMIT_KIB: u64 = 256 * 1024;
const DEFAULT_SEED: u64 = 0x6c6f_6164;

/// Shared between the clients, the editor and the checks.
struct Run {
    port: u16,
    /// Per article, every marker its body has been written with.
    written: Vec<Mutex<BTreeSet<String>>>,
    requests: AtomicUsize,
    failures: Mutex<Vec<String>>,
    stop: AtomicBool,
}

impl Run {
    fn fail(&self, what: String) {
        if let Ok(mut f) = self.failures.lock() {
            f.push(what);
        }
    }
}

/// The page a client asks for: mostly articles (half of them hot), some edition pages,
/// the front page and listings.
fn pick_path(rng: &mut Rng) -> String {
    let article = |i: usize| {
        let date = generated_date(i / GENERATED_PER_EDITION).replace('-', "/");
        format!("/{date}/story-{:02}/", i % GENERATED_PER_EDITION)
    };
    match rng.below(10) {
        0..=2 => article(rng.below(HOT)),
        3..=5 => article(rng.below(ARTICLES)),
        6 | 7 => format!("/{}/", generated_date(rng.below(ARTICLES / GENERATED_PER_EDITION)).replace('-', "/")),
        8 => "/".to_string(),
        _ => rng.pick(&["/archive/", "/tags/city/", "/authors/reporter-3/", "/sections/"]).to_string(),
    }
}

/// Checks one answer: a whole `200` page whose every article version was written.
fn check(run: &Run, path: &str, response: &Response) -> Result<(), String> {
    if response.status != 200 {
        return Err(format!("status {}", response.status));
    }
    if let Some(length) = response.header("content-length") {
        if length.parse::<usize>().ok() != Some(response.body.len()) {
            return Err(format!("torn: content-length {length}, body {} bytes", response.body.len()));
        }
    }
    let text = std::str::from_utf8(&response.body).map_err(|e| format!("not UTF-8: {e}"))?;
    if !text.starts_with("<!DOCTYPE html>") || !text.trim_end().ends_with("</html>") {
        return Err(format!("not a whole page ({} bytes)", text.len()));
    }
    // Parsing every page would take the CPU the server needs: every tenth is parsed.
    if run.requests.load(Ordering::Relaxed) % 10 == 0 {
        let doc = scraper::Html::parse_document(text);
        if !doc.errors.is_empty() || doc.select(&crate::support::sel("main")).count() != 1 {
            return Err(format!("does not parse cleanly: {:?}", doc.errors));
        }
    }
    let mut stories = 0;
    for (at, _) in text.match_indices(" paragraph of story ") {
        let marker = text[..at].rsplit(' ').next().unwrap_or_default();
        let digits: String = text[at + 20..].chars().take_while(char::is_ascii_digit).collect();
        let story: usize = digits.parse().map_err(|_| format!("unreadable story number near byte {at}"))?;
        let seen = run.written.get(story).ok_or(format!("story {story} does not exist"))?;
        if !seen.lock().unwrap().contains(marker) {
            return Err(format!("story {story} shown as `{marker}`, a version never written"));
        }
        stories += 1;
    }
    let is_article = path.contains("/story-");
    if is_article && stories == 0 {
        return Err("an article page without its body".into());
    }
    Ok(())
}

/// One client: fetches random pages until told to stop.
fn client(run: &Run, seed: u64) {
    let mut rng = Rng::new(seed);
    let host = format!("127.0.0.1:{}", run.port);
    while !run.stop.load(Ordering::Relaxed) {
        let path = pick_path(&mut rng);
        let raw = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        run.requests.fetch_add(1, Ordering::Relaxed);
        let outcome = match try_request(run.port, &raw) {
            Ok(response) => check(run, &path, &response),
            Err(Exchange::NoAnswer(e)) => Err(format!("no answer: {e}")),
            Err(Exchange::Unparsable(e)) => Err(e),
        };
        if let Err(e) = outcome {
            run.fail(format!("GET {path}: {e}"));
        }
    }
}

/// Samples the server's resident memory until told to stop; returns the peak in KiB.
fn watch_memory(pid: u32, stop: &AtomicBool, peak: &AtomicU64) {
    while !stop.load(Ordering::Relaxed) {
        if let Some(kib) = status_kib(pid, "VmRSS:") {
            peak.fetch_max(kib, Ordering::Relaxed);
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A `kB` field of `/proc/<pid>/status`.
fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix(field))?;
    line.trim().trim_end_matches("kB").trim().parse().ok()
}

/// Opens the connections that misbehave: idle, half a request head, and deaf (requests
/// sent, answers never read).
fn misbehave(port: u16) -> (Vec<TcpStream>, Vec<TcpStream>) {
    let connect = || TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let mut silent: Vec<TcpStream> = (0..IDLE).map(|_| connect()).collect();
    for _ in 0..HALF {
        let mut s = connect();
        s.write_all(format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: slow").as_bytes()).unwrap();
        silent.push(s);
    }
    let deaf = (0..DEAF)
        .map(|_| {
            let mut s = connect();
            let one = format!("GET /archive/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
            s.write_all(one.repeat(20).as_bytes()).unwrap();
            s
        })
        .collect();
    (silent, deaf)
}

/// Whether the server closed `stream` within `timeout` (it may send an answer first).
fn closed_by_server(stream: &mut TcpStream, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return false;
        }
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => return false,
            Err(_) => return true, // reset
        }
    }
}

#[test]
fn serve_answers_200_clients_with_whole_pages_while_articles_change() {
    let seed = env_number("LOAD_SEED").unwrap_or(DEFAULT_SEED);
    let site = SiteFixture::generated(ARTICLES);
    let started = Instant::now();
    let mut server = Server::start(&site, &[]);
    eprintln!("load: seed {seed}; server up with {ARTICLES} articles in {:.1} s", started.elapsed().as_secs_f64());
    let rss_at_start = status_kib(server.pid(), "VmRSS:").unwrap_or(0);

    let run = Arc::new(Run {
        port: server.port,
        written: (0..ARTICLES).map(|_| Mutex::new(BTreeSet::from(["original".to_string()]))).collect(),
        requests: AtomicUsize::new(0),
        failures: Mutex::new(Vec::new()),
        stop: AtomicBool::new(false),
    });
    let (stop_memory, peak) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicU64::new(rss_at_start)));
    let memory = {
        let (stop, peak, pid) = (Arc::clone(&stop_memory), Arc::clone(&peak), server.pid());
        thread::spawn(move || watch_memory(pid, &stop, &peak))
    };
    let opened = Instant::now();
    let (mut silent, deaf) = misbehave(server.port);
    let clients: Vec<_> = (0..CLIENTS as u64)
        .map(|n| {
            let run = Arc::clone(&run);
            thread::Builder::new().stack_size(256 * 1024).spawn(move || client(&run, seed ^ (n + 1))).unwrap()
        })
        .collect();

    // The newsroom at work: 100 saves, each as an editor makes them (temp file, rename).
    let mut rng = Rng::new(seed);
    let mut last = vec![None; HOT];
    let load_started = Instant::now();
    for edit in 0..EDITS {
        let story = rng.below(HOT);
        let marker = format!("edit{edit}");
        run.written[story].lock().unwrap().insert(marker.clone());
        save_via_temp(
            &server.site,
            &generated_article_path(story),
            ".story.md.tmp",
            &generated_article(story, &marker),
        );
        last[story] = Some(marker);
        thread::sleep(EDIT_EVERY);
    }
    // The load goes on a little after the last save, then the edits must all be served.
    thread::sleep(Duration::from_secs(2));
    let load_time = load_started.elapsed();
    run.stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.join().expect("a client panicked");
    }
    server.assert_alive("under load");
    let requests = run.requests.load(Ordering::Relaxed);
    let settle_started = Instant::now();
    for (story, marker) in last.iter().enumerate().filter_map(|(s, m)| m.as_ref().map(|m| (s, m))) {
        let path = format!(
            "/{}/story-{:02}/",
            generated_date(story / GENERATED_PER_EDITION).replace('-', "/"),
            story % GENERATED_PER_EDITION
        );
        let shown = poll(Duration::from_secs(60), || {
            let body = crate::support::serve::get(server.port, &path).map(|r| r.text()).unwrap_or_default();
            if body.contains(&format!("The {marker} paragraph")) { Ok(()) } else { Err(body) }
        });
        if let Err(body) = shown {
            run.fail(format!("{path} never showed its last edit `{marker}`:\n{}", &body[..body.len().min(400)]));
        }
    }
    let settle_time = settle_started.elapsed();

    // Connections that never sent a whole request head are closed by the server; the
    // deaf ones stalled nobody (every request above was answered).
    let mut held = 0;
    for stream in &mut silent {
        let left = HEAD_DEADLINE.saturating_sub(opened.elapsed()).max(Duration::from_secs(1));
        held += usize::from(!closed_by_server(stream, left));
    }
    drop(deaf);
    stop_memory.store(true, Ordering::Relaxed);
    memory.join().unwrap();
    let hwm = status_kib(server.pid(), "VmHWM:").unwrap_or(0).max(peak.load(Ordering::Relaxed));
    assert!(server.get("/").status == 200, "the server stopped answering after the load");

    let failures = run.failures.lock().unwrap();
    eprintln!(
        "load: {requests} requests from {CLIENTS} clients in {:.1} s ({:.0}/s) during {EDITS} edits \
         (all served {:.1} s later); {} failed; {IDLE} idle + {HALF} half-request connections, {} still open after the header deadline; \
         {DEAF} deaf clients; server RSS {} MiB at start, peak {} MiB (limit {} MiB)",
        load_time.as_secs_f64(),
        requests as f64 / load_time.as_secs_f64(),
        settle_time.as_secs_f64(),
        failures.len(),
        held,
        rss_at_start / 1024,
        hwm / 1024,
        RSS_LIMIT_KIB / 1024,
    );
    assert!(
        failures.is_empty(),
        "{} of {requests} requests failed (seed {seed}); first ones:\n{}\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n"),
        server.context()
    );
    assert!(requests >= CLIENTS, "only {requests} requests were made");
    assert_eq!(held, 0, "connections without a whole request head were kept open");
    assert!(hwm <= RSS_LIMIT_KIB, "the server's memory peaked at {} MiB", hwm / 1024);
}
