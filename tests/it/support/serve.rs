//! The harness for `masthead serve` tests: start the real server on a free
//! loopback port (`Server`, killed on drop), talk raw HTTP to it (`get`,
//! `request`), read its event stream (`EventStream`), and compare what it
//! serves with a fresh build (`assert_served_equals_fresh_build`).

#![allow(dead_code)] // shared by the serve, serve_props and serve_browser modules

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::{CLOCK, SiteFixture, run_masthead, snapshot};

/// What `serve` injects before `</body>` of every served HTML page, and nowhere else.
pub(crate) const LIVERELOAD_TAG: &str = r#"<script src="/__masthead/livereload.js" defer></script>"#;
/// How long a change may take to be served (the debounce is ~100 ms). Generous: the
/// waits return as soon as the change is served, and on a loaded two-core machine (CI
/// builds the fuzz targets beside the tests) a rebuild of a small site has taken over 5 s.
pub(crate) const REBUILD_WAIT: Duration = Duration::from_secs(15);
/// How long the server may take to answer its first request.
pub(crate) const READY_WAIT: Duration = Duration::from_secs(15);
/// Any one HTTP exchange longer than this is a hang.
pub(crate) const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------
// The server process

/// A running `masthead serve --watch`, killed (and waited for) when dropped, so no server
/// outlives its test whatever happens.
pub(crate) struct Server {
    child: Child,
    pub(crate) port: u16,
    /// The site folder, absolute.
    pub(crate) site: PathBuf,
    /// Everything the server printed on stderr so far.
    stderr: Arc<Mutex<String>>,
    drains: Vec<JoinHandle<()>>,
}

impl Server {
    /// Starts `masthead -s site --color never --clock 2026-06-01 serve --watch --port P
    /// <extra>` in the fixture's temp dir and waits until `GET /` answers 200 and the
    /// server has said it serves on our port.
    pub(crate) fn start(fixture: &SiteFixture, extra: &[&str]) -> Server {
        Server::start_in(fixture.root(), "site", extra, Ready::Announced)
    }

    /// As `start`, with these environment variables set for the server.
    pub(crate) fn start_with_env(fixture: &SiteFixture, extra: &[&str], env: &[(&str, &str)]) -> Server {
        Server::start_in_with_env(fixture.root(), "site", extra, Ready::Announced, env)
    }

    /// As `start`, for the site folder `cwd/site_name`.
    pub(crate) fn start_in(cwd: &Path, site_name: &str, extra: &[&str], ready: Ready) -> Server {
        Server::start_in_with_env(cwd, site_name, extra, ready, &[])
    }

    fn start_in_with_env(cwd: &Path, site_name: &str, extra: &[&str], ready: Ready, env: &[(&str, &str)]) -> Server {
        let mut last = String::new();
        // A free port can be taken between our probe and the server's bind: try again.
        for _ in 0..3 {
            match Server::try_start(cwd, site_name, extra, ready, env) {
                Ok(server) => return server,
                Err(e) => last = e,
            }
        }
        panic!("`masthead serve --watch` did not start:\n{last}");
    }

    fn try_start(
        cwd: &Path,
        site_name: &str,
        extra: &[&str],
        ready: Ready,
        env: &[(&str, &str)],
    ) -> Result<Server, String> {
        let port = free_port();
        let port_s = port.to_string();
        let mut args =
            vec!["-s", site_name, "--color", "never", "--clock", CLOCK, "serve", "--watch", "--port", &port_s];
        args.extend_from_slice(extra);
        let mut child =
            super::masthead_command(cwd, &args).envs(env.iter().copied()).spawn().expect("spawn masthead serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let drains = vec![
            drain_into(child.stdout.take().unwrap(), Arc::new(Mutex::new(String::new()))),
            drain_into(child.stderr.take().unwrap(), Arc::clone(&stderr)),
        ];
        let site = cwd.join(site_name);
        let mut server = Server { child, port, site, stderr, drains };
        let deadline = Instant::now() + READY_WAIT;
        loop {
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "`masthead {}` exited with {status}; stderr:\n{}",
                    args.join(" "),
                    server.stderr()
                ));
            }
            // Ready: our process says it serves on our port (it moves to another one when
            // the port is busy, and then the answer on ours would come from someone else).
            let log = server.stderr();
            if log.contains("is busy") {
                return Err(format!("port {port} was taken:\n{log}"));
            }
            let announced = ready == Ready::FirstAnswer || log.contains(&format!("127.0.0.1:{port}/"));
            if ready == Ready::FirstLoadEnded && announced && (log.contains("\nLoaded ") || log.contains("error: ")) {
                return Ok(server);
            }
            if announced && ready != Ready::FirstLoadEnded && server.try_get("/").is_some_and(|r| r.status == 200) {
                return Ok(server);
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "`masthead {}`: no 200 on GET / within {READY_WAIT:?}; stderr:\n{}",
                    args.join(" "),
                    server.stderr()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// `http://127.0.0.1:P<path>`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// `http://127.0.0.1:P/`: the base URL the served site must use.
    pub(crate) fn base_url(&self) -> String {
        self.url("/")
    }

    /// `GET path` with `Host: 127.0.0.1:P`; panics when the server does not answer.
    pub(crate) fn get(&self, path: &str) -> Response {
        self.try_get(path).unwrap_or_else(|| panic!("no answer to GET {path}; server stderr:\n{}", self.stderr()))
    }

    pub(crate) fn try_get(&self, path: &str) -> Option<Response> {
        get(self.port, path)
    }

    /// The server's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the server printed on stderr so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// How many `Rebuilt …` lines the server printed so far.
    pub(crate) fn rebuilt_lines(&self) -> usize {
        self.stderr().lines().filter(|l| l.starts_with("Rebuilt")).count()
    }

    /// Panics when the process has exited.
    pub(crate) fn assert_alive(&mut self, when: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("the server exited ({status}) {when}; stderr:\n{}", self.stderr());
        }
    }

    /// The server's stderr, for failure messages.
    pub(crate) fn context(&self) -> String {
        format!("server stderr:\n{}", self.stderr())
    }
}

/// When a started server counts as ready.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ready {
    /// `GET /` answered 200 and stderr named our port (so the answer is from our process).
    Announced,
    /// `GET /` answered 200: the contract's definition, and the earliest moment a user's
    /// browser could load the site.
    FirstAnswer,
    /// Stderr named our port and the first load ended, in success or error: for a site
    /// that does not load, whose `GET /` never answers 200.
    FirstLoadEnded,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        for d in self.drains.drain(..) {
            let _ = d.join();
        }
    }
}

pub(crate) fn drain_into(mut from: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Ok(mut s) = into.lock() {
                s.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
    })
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("find a free port")
}

/// Polls `check` every 50 ms until it returns `Ok`, for at most `timeout`; returns the
/// last error when it never does.
pub(crate) fn poll<T>(timeout: Duration, mut check: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    let deadline = Instant::now() + timeout;
    loop {
        match check() {
            Ok(v) => return Ok(v),
            Err(e) if Instant::now() > deadline => return Err(e),
            Err(_) => thread::sleep(Duration::from_millis(50)),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Raw HTTP

/// One HTTP response.
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub(crate) status: u16,
    /// Header names lower-cased, in order.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The first header of that name (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body with the injected live-reload tag taken out (the last one, which sits
    /// before `</body>`), and whether there was one.
    pub(crate) fn without_livereload(&self) -> (Vec<u8>, bool) {
        strip_livereload(&self.body)
    }
}

/// `body` without the last `LIVERELOAD_TAG`, and whether it had one.
pub(crate) fn strip_livereload(body: &[u8]) -> (Vec<u8>, bool) {
    let tag = LIVERELOAD_TAG.as_bytes();
    match body.windows(tag.len()).rposition(|w| w == tag) {
        Some(at) => {
            let mut out = body[..at].to_vec();
            out.extend_from_slice(&body[at + tag.len()..]);
            (out, true)
        }
        None => (body.to_vec(), false),
    }
}

/// `GET <target>` with `Host: 127.0.0.1:P` and `Connection: close`; `target` is sent as
/// is (raw), so tests can send `..`, `%2e%2e` and backslashes.
pub(crate) fn get(port: u16, target: &str) -> Option<Response> {
    let host = format!("127.0.0.1:{port}");
    request(port, &format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"))
}

/// Sends `raw` (a whole request) and reads the answer to the end; `None` when the server
/// closed the connection without a byte.
pub(crate) fn request(port: u16, raw: &str) -> Option<Response> {
    match try_request(port, raw) {
        Ok(response) => Some(response),
        Err(Exchange::NoAnswer(_)) => None,
        Err(Exchange::Unparsable(e)) => panic!("{e}"),
    }
}

/// Why an exchange with the server failed.
#[derive(Debug)]
pub(crate) enum Exchange {
    /// No connection, or not one byte of answer (the reason).
    NoAnswer(String),
    /// An answer that is not a whole HTTP response (the reason and the bytes).
    Unparsable(String),
}

/// As `request`, returning every failure instead of panicking.
pub(crate) fn try_request(port: u16, raw: &str) -> Result<Response, Exchange> {
    let no_answer = |e: std::io::Error| Exchange::NoAnswer(e.to_string());
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(no_answer)?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT)).map_err(no_answer)?;
    stream.write_all(raw.as_bytes()).map_err(no_answer)?;
    let mut bytes = Vec::new();
    // A reset after some bytes still leaves a readable answer.
    let read = stream.read_to_end(&mut bytes);
    if bytes.is_empty() {
        return Err(Exchange::NoAnswer(read.err().map_or("closed without an answer".into(), |e| e.to_string())));
    }
    parse_response(&bytes).map_err(|e| {
        let text = String::from_utf8_lossy(&bytes);
        Exchange::Unparsable(format!("unparsable HTTP answer to {:?} ({e}):\n{text}", raw.lines().next()))
    })
}

pub(crate) fn parse_response(bytes: &[u8]) -> Result<Response, String> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = std::str::from_utf8(&bytes[..end]).map_err(|e| e.to_string())?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let raw_body = &bytes[end + 4..];
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.to_ascii_lowercase().contains("chunked"));
    let body = if chunked { dechunk(raw_body)? } else { raw_body.to_vec() };
    Ok(Response { status, headers, body })
}

/// Decodes a complete `Transfer-Encoding: chunked` body.
pub(crate) fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let eol = raw.windows(2).position(|w| w == b"\r\n").ok_or("chunk size line without CRLF")?;
        let size_line = std::str::from_utf8(&raw[..eol]).map_err(|e| e.to_string())?;
        let size_hex = size_line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size_hex, 16).map_err(|e| format!("chunk size {size_hex:?}: {e}"))?;
        raw = &raw[eol + 2..];
        if size == 0 {
            return Ok(out);
        }
        if raw.len() < size {
            return Err("truncated chunk".into());
        }
        out.extend_from_slice(&raw[..size]);
        raw = raw.get(size + 2..).unwrap_or_default();
    }
}

/// Percent-encodes what is not safe in a URL path (file names are mostly ASCII slugs).
pub(crate) fn url_path(rel: &str) -> String {
    let mut out = String::from("/");
    for b in rel.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URL path browsers use for an output file: `a/b/index.html` → `/a/b/`.
pub(crate) fn page_url(rel: &str) -> String {
    match rel.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => url_path(dir),
        _ => url_path(rel),
    }
}

// ---------------------------------------------------------------------------------------
// Served site against a fresh build

/// `masthead build --drafts --future --base-url http://127.0.0.1:P/ <flags>` of
/// `site_dir` into a fresh temp folder beside it (outside everything the server
/// watches); its files without the `.masthead-output` marker. Panics when the build fails.
pub(crate) fn fresh_build(port: u16, site_dir: &Path, flags: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let parent = site_dir.parent().expect("the site folder has a parent");
    let out = tempfile::Builder::new().prefix("fresh-").tempdir_in(parent).expect("create temp dir");
    let (site_s, out_s) = (site_dir.to_str().unwrap(), out.path().to_str().unwrap());
    let base = format!("http://127.0.0.1:{port}/");
    let mut args = vec!["-s", site_s, "--color", "never", "--clock", CLOCK, "build", "--output", out_s, "--base-url"];
    args.push(&base);
    args.extend_from_slice(flags);
    let run = run_masthead(parent, &args);
    run.assert_success();
    let mut files = snapshot(out.path());
    files.remove(".masthead-output");
    files
}

/// The flags that make `build` include what `serve` includes by default.
pub(crate) const SERVE_DEFAULT_FLAGS: &[&str] = &["--drafts", "--future"];

/// Compares what the server serves with `fresh`: every file must answer 200 at its URL
/// (`a/index.html` at `/a/`) with the same bytes once the live-reload tag is taken out of
/// HTML pages (where it must be), and every path in `gone` must answer 404. Returns a
/// summary of the differences, or `Ok` when there are none.
pub(crate) fn compare_served(
    port: u16,
    fresh: &BTreeMap<String, Vec<u8>>,
    gone: &BTreeSet<String>,
) -> Result<(), String> {
    let mut problems = Vec::new();
    for (rel, expected) in fresh {
        let url = page_url(rel);
        let Some(resp) = get(port, &url) else {
            problems.push(format!("{url}: no answer"));
            continue;
        };
        if resp.status != 200 {
            problems.push(format!("{url}: status {} (fresh build has {rel})", resp.status));
            continue;
        }
        let (body, had_tag) = resp.without_livereload();
        if rel.ends_with(".html") && !had_tag {
            problems.push(format!("{url}: HTML page without the live-reload script tag {LIVERELOAD_TAG}"));
        }
        if body != *expected {
            problems.push(format!(
                "{url}: bytes differ from the fresh build's {rel}: {}",
                first_difference(expected, &body)
            ));
        }
    }
    for rel in gone.iter().filter(|r| !fresh.contains_key(*r)) {
        let url = page_url(rel);
        match get(port, &url) {
            Some(r) if r.status == 404 => {}
            Some(r) => {
                problems.push(format!("{url}: status {} but the fresh build has no {rel} (stale page)", r.status))
            }
            None => problems.push(format!("{url}: no answer")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let total = problems.len();
        problems.truncate(12);
        Err(format!("{total} difference(s) between the served site and a fresh build:\n  {}", problems.join("\n  ")))
    }
}

/// Where two byte strings first differ, with some context of each.
pub(crate) fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let at = expected.iter().zip(actual).position(|(a, b)| a != b).unwrap_or(expected.len().min(actual.len()));
    let context = |b: &[u8]| {
        let start = at.saturating_sub(60);
        let end = (at + 100).min(b.len());
        String::from_utf8_lossy(&b[start.min(end)..end]).replace('\n', "⏎")
    };
    format!(
        "lengths {} (fresh) vs {} (served), first difference at byte {at}\n      fresh:  …{}…\n      served: …{}…",
        expected.len(),
        actual.len(),
        context(expected),
        context(actual)
    )
}

/// Waits (up to `REBUILD_WAIT`) until the server on `port` serves exactly what a fresh
/// `build --drafts --future` of `site_dir` gives, and panics with a diff summary when it
/// never does.
pub(crate) fn assert_served_equals_fresh_build(port: u16, site_dir: &Path) {
    assert_served_equals_fresh_build_with(port, site_dir, SERVE_DEFAULT_FLAGS, &BTreeSet::new());
}

/// As `assert_served_equals_fresh_build`, with the build flags that match the server's
/// and the output paths that once existed and must now answer 404. Returns the fresh
/// build.
pub(crate) fn assert_served_equals_fresh_build_with(
    port: u16,
    site_dir: &Path,
    flags: &[&str],
    gone: &BTreeSet<String>,
) -> BTreeMap<String, Vec<u8>> {
    let fresh = fresh_build(port, site_dir, flags);
    if let Err(diff) = poll(REBUILD_WAIT, || compare_served(port, &fresh, gone)) {
        panic!("after {REBUILD_WAIT:?}, the served site still differs from a fresh build:\n{diff}");
    }
    fresh
}

// ---------------------------------------------------------------------------------------
// Server-sent events

/// A client of `/__masthead/events`: a thread reads the stream and passes on the JSON of
/// every `data:` message; dropping it closes the connection.
pub(crate) struct EventStream {
    /// The response's header names (lower-cased) and values.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) content_type: String,
    events: Receiver<Value>,
    stream: TcpStream,
    reader: Option<JoinHandle<()>>,
    /// Every event received so far, for failure messages.
    pub(crate) seen: Vec<Value>,
}

impl EventStream {
    pub(crate) fn connect(port: u16) -> EventStream {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the server");
        let mut writer = stream.try_clone().unwrap();
        write!(
            writer,
            "GET /__masthead/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let (head_tx, head_rx) = mpsc::channel();
        let (tx, events) = mpsc::channel();
        let read_half = stream.try_clone().unwrap();
        let reader = thread::spawn(move || read_events(read_half, head_tx, tx));
        let head: (u16, Vec<(String, String)>) =
            head_rx.recv_timeout(HTTP_TIMEOUT).expect("the event stream answered with headers");
        assert_eq!(head.0, 200, "GET /__masthead/events: status {} ({:?})", head.0, head.1);
        let content_type = head.1.iter().find(|(n, _)| n == "content-type").map(|(_, v)| v.clone()).unwrap_or_default();
        EventStream { headers: head.1, content_type, events, stream, reader: Some(reader), seen: Vec::new() }
    }

    /// Waits up to `timeout` for an event with `"type": kind` that `accept` likes; every
    /// event before it is kept in `seen`.
    pub(crate) fn wait_for(&mut self, kind: &str, timeout: Duration, accept: impl Fn(&Value) -> bool) -> Option<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(ev) => {
                    self.seen.push(ev.clone());
                    if ev["type"] == kind && accept(&ev) {
                        return Some(ev);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// The events that arrive within `quiet`, each added to `seen`.
    pub(crate) fn drain(&mut self, quiet: Duration) -> Vec<Value> {
        let mut got = Vec::new();
        while let Ok(ev) = self.events.recv_timeout(quiet) {
            self.seen.push(ev.clone());
            got.push(ev);
        }
        got
    }
}

impl Drop for EventStream {
    fn drop(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Both);
        if let Some(r) = self.reader.take() {
            let _ = r.join();
        }
    }
}

type Head = (u16, Vec<(String, String)>);

/// Reads the response head, then SSE messages (de-chunking if needed); sends the JSON of
/// each message's `data`.
pub(crate) fn read_events(stream: TcpStream, head_tx: mpsc::Sender<Head>, tx: mpsc::Sender<Value>) {
    let mut r = BufReader::new(stream);
    let mut line = String::new();
    let mut head_lines = Vec::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        head_lines.push(l.to_string());
    }
    let status = head_lines.first().and_then(|s| s.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers: Vec<(String, String)> = head_lines[1..]
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let chunked = headers.iter().any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let _ = head_tx.send((status, headers));

    let mut pending = String::new();
    let mut data: Vec<String> = Vec::new();
    loop {
        let bytes = if chunked {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            if size == 0 {
                return;
            }
            let mut chunk = vec![0; size + 2];
            if r.read_exact(&mut chunk).is_err() {
                return;
            }
            chunk.truncate(size);
            chunk
        } else {
            let mut buf = vec![0; 4096];
            match r.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    buf.truncate(n);
                    buf
                }
            }
        };
        pending.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(eol) = pending.find('\n') {
            let l: String = pending.drain(..=eol).collect();
            let l = l.trim_end_matches(['\n', '\r']);
            if l.is_empty() {
                if !data.is_empty() {
                    let text = data.join("\n");
                    data.clear();
                    let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
                    if tx.send(value).is_err() {
                        return;
                    }
                }
            } else if let Some(d) = l.strip_prefix("data:") {
                data.push(d.strip_prefix(' ').unwrap_or(d).to_string());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Editing the site

/// Writes `contents` to `site/rel`, creating folders.
pub(crate) fn write(site: &Path, rel: &str, contents: &str) {
    let path = site.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Saves `contents` to `site/rel` as an editor does: writes a temp file named `temp`
/// beside it, then renames it over the original.
pub(crate) fn save_via_temp(site: &Path, rel: &str, temp: &str, contents: &str) {
    let path = site.join(rel);
    let tmp = path.parent().unwrap().join(temp);
    fs::write(&tmp, contents).unwrap_or_else(|e| panic!("write {}: {e}", tmp.display()));
    fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("rename {} → {}: {e}", tmp.display(), path.display()));
}

/// An article file with the given front matter lines and body.
pub(crate) fn article(front: &str, body: &str) -> String {
    format!("---\n{}\n---\n{body}\n", front.trim_end())
}
