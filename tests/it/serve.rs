//! `masthead serve --watch` from the outside: the real binary on a copy of
//! `tests/fixtures/serve/`, talked to over raw HTTP on 127.0.0.1 while the tests edit,
//! add, rename and delete files under it. The served site must always equal what a fresh
//! `build --drafts --future --base-url http://127.0.0.1:PORT/` gives (bar the injected
//! live-reload script), errors must never stop the server, and the HTTP side must serve
//! only the site, only to local pages.
//!
//! The helpers here (`Server`, `get`, `EventStream`, `assert_served_equals_fresh_build`)
//! are shared with `serve_props` and `serve_browser`. This file is longer than STYLE.md's
//! target because that harness lives in it; its natural home is `support/serve.rs`.

#![allow(dead_code)] // the helpers serve three test modules

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::{CLOCK, SiteFixture, parse_diagnostics, run_masthead, snapshot};

/// What `serve` injects before `</body>` of every served HTML page, and nowhere else.
pub(crate) const LIVERELOAD_TAG: &str = r#"<script src="/__masthead/livereload.js" defer></script>"#;
/// How long a change may take to be served (the debounce is ~100 ms).
pub(crate) const REBUILD_WAIT: Duration = Duration::from_secs(5);
/// How long the server may take to answer its first request.
const READY_WAIT: Duration = Duration::from_secs(15);
/// Any one HTTP exchange longer than this is a hang.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

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

    /// As `start`, for the site folder `cwd/site_name`.
    pub(crate) fn start_in(cwd: &Path, site_name: &str, extra: &[&str], ready: Ready) -> Server {
        let mut last = String::new();
        // A free port can be taken between our probe and the server's bind: try again.
        for _ in 0..3 {
            match Server::try_start(cwd, site_name, extra, ready) {
                Ok(server) => return server,
                Err(e) => last = e,
            }
        }
        panic!("`masthead serve --watch` did not start:\n{last}");
    }

    fn try_start(cwd: &Path, site_name: &str, extra: &[&str], ready: Ready) -> Result<Server, String> {
        let port = free_port();
        let port_s = port.to_string();
        let mut args =
            vec!["-s", site_name, "--color", "never", "--clock", CLOCK, "serve", "--watch", "--port", &port_s];
        args.extend_from_slice(extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_masthead"))
            .args(&args)
            .current_dir(cwd)
            .env("NO_COLOR", "1")
            .env_remove("CLICOLOR_FORCE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn masthead serve");
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
            if announced && server.try_get("/").is_some_and(|r| r.status == 200) {
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

fn drain_into(mut from: impl Read + Send + 'static, into: Arc<Mutex<String>>) -> JoinHandle<()> {
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
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(HTTP_TIMEOUT)).ok()?;
    stream.write_all(raw.as_bytes()).ok()?;
    let mut bytes = Vec::new();
    // A reset after some bytes still leaves a readable answer.
    let _ = stream.read_to_end(&mut bytes);
    if bytes.is_empty() {
        return None;
    }
    Some(parse_response(&bytes).unwrap_or_else(|e| {
        panic!("unparsable HTTP answer to {:?} ({e}):\n{}", raw.lines().next(), String::from_utf8_lossy(&bytes))
    }))
}

fn parse_response(bytes: &[u8]) -> Result<Response, String> {
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
fn dechunk(mut raw: &[u8]) -> Result<Vec<u8>, String> {
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
fn read_events(stream: TcpStream, head_tx: mpsc::Sender<Head>, tx: mpsc::Sender<Value>) {
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
