//! Test harness: copies a fixture site to a temp dir, runs the real `masthead` binary on it,
//! and gives the tests its exit code, its diagnostics and its output tree (files, bytes,
//! parsed HTML). Modelled on mdBook's `BookTest` and ripgrep's `Dir` + `TestCommand`.

#![allow(dead_code)] // each test module uses a different part of the harness

pub(crate) mod deploy;
pub(crate) mod serve;

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use scraper::{Html, Selector};
use tempfile::TempDir;

/// The day every test pretends it is, so results never depend on the real date.
pub(crate) const CLOCK: &str = "2026-06-01";

/// A run of the binary that takes longer than this is a hang, not a slow build.
const TIMEOUT: Duration = Duration::from_secs(60);

/// The repository root: the demo site (`site.yaml`, `content/`, `themes/daily/`).
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture site copied to `<tmp>/site/`; the binary runs with `<tmp>` as its cwd and
/// `-s site`, so diagnostics must be relative to the site folder, not to the cwd.
pub(crate) struct SiteFixture {
    tmp: TempDir,
    site: PathBuf,
}

impl SiteFixture {
    /// Copies `tests/fixtures/<name>/` into a fresh temp dir.
    pub(crate) fn new(name: &str) -> SiteFixture {
        let src = repo_root().join("tests/fixtures").join(name);
        assert!(src.is_dir(), "no fixture `{}`", src.display());
        let tmp = tempfile::Builder::new().prefix("masthead-it-").tempdir().expect("create temp dir");
        let site = tmp.path().join("site");
        copy_dir(&src, &site);
        SiteFixture { tmp, site }
    }

    /// The temp dir that holds the site (and anything a test puts beside it).
    pub(crate) fn root(&self) -> &Path {
        self.tmp.path()
    }

    /// The site folder (`<tmp>/site`).
    pub(crate) fn site(&self) -> &Path {
        &self.site
    }

    /// The default output folder, `<site>/public`.
    pub(crate) fn out(&self) -> PathBuf {
        self.site.join("public")
    }

    /// Runs `masthead -s site --color never --clock 2026-06-01 <args>`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let mut all = vec!["--clock", CLOCK];
        all.extend_from_slice(args);
        self.run_without_clock(&all)
    }

    /// Runs `masthead -s site --color never <args>`: for tests about time, which pass
    /// their own `--clock`.
    pub(crate) fn run_without_clock(&self, args: &[&str]) -> Run {
        let mut all = vec!["-s", "site", "--color", "never"];
        all.extend_from_slice(args);
        run_masthead(self.root(), &all)
    }

    /// `build` with the default output folder.
    pub(crate) fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// Writes `contents` to `rel` (relative to the site folder), creating folders.
    pub(crate) fn write(&self, rel: &str, contents: &str) {
        let path = self.site.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Removes `rel` (relative to the site folder).
    pub(crate) fn remove(&self, rel: &str) {
        let path = self.site.join(rel);
        fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
    }

    /// Whether `rel` exists in the default output folder.
    pub(crate) fn exists(&self, rel: &str) -> bool {
        self.out().join(rel).exists()
    }

    /// Reads `rel` from the default output folder.
    pub(crate) fn read(&self, rel: &str) -> String {
        read_to_string(&self.out().join(rel))
    }

    /// Parses `rel` from the default output folder as HTML.
    pub(crate) fn html(&self, rel: &str) -> Html {
        Html::parse_document(&self.read(rel))
    }

    /// Every file under the default output folder, relative, with `/`, sorted.
    pub(crate) fn output_files(&self) -> Vec<String> {
        files(&self.out())
    }
}

/// The outcome of one run of the binary.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) args: Vec<String>,
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    /// Panics with the whole transcript unless the exit code is `code`.
    pub(crate) fn assert_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit code {code} from `masthead {}`\n{}",
            self.args.join(" "),
            self.transcript()
        );
        self
    }

    pub(crate) fn assert_success(&self) -> &Run {
        self.assert_code(0)
    }

    pub(crate) fn assert_failure(&self) -> &Run {
        self.assert_code(1)
    }

    /// Command line, exit code, stdout and stderr, for assertion messages.
    pub(crate) fn transcript(&self) -> String {
        format!(
            "--- masthead {}\n--- exit: {:?}\n--- stdout:\n{}\n--- stderr:\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// The diagnostics on stderr (`error: …` / `warning: …`, with their `help:` lines).
    pub(crate) fn diagnostics(&self) -> Vec<Diagnostic> {
        parse_diagnostics(&self.stderr)
    }

    /// Errors that name a file.
    pub(crate) fn errors(&self) -> Vec<Diagnostic> {
        self.diagnostics().into_iter().filter(|d| d.severity == Severity::Error && d.path.is_some()).collect()
    }

    /// Warnings that name a file.
    pub(crate) fn warnings(&self) -> Vec<Diagnostic> {
        self.diagnostics().into_iter().filter(|d| d.severity == Severity::Warning && d.path.is_some()).collect()
    }

    /// The diagnostics of one severity about `path` (relative to the site folder).
    pub(crate) fn about(&self, severity: Severity, path: &str) -> Vec<Diagnostic> {
        self.diagnostics().into_iter().filter(|d| d.severity == severity && d.path.as_deref() == Some(path)).collect()
    }

    /// The one error about `path`, with its help folded in; panics when there is none.
    pub(crate) fn error_about(&self, path: &str) -> Diagnostic {
        let found = self.about(Severity::Error, path);
        assert!(!found.is_empty(), "no `error: {path}:…` diagnostic\n{}", self.transcript());
        found.into_iter().next().unwrap()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Severity {
    Error,
    Warning,
}

/// One diagnostic as printed: `error: <path>:<line>:<col>: <message>` then `  help: <hint>`.
#[derive(Clone, Debug)]
pub(crate) struct Diagnostic {
    pub(crate) severity: Severity,
    /// `None` for lines that name no file, such as the closing summary.
    pub(crate) path: Option<String>,
    pub(crate) line: Option<u32>,
    pub(crate) col: Option<u32>,
    pub(crate) message: String,
    pub(crate) help: Vec<String>,
    /// The lines as printed.
    pub(crate) raw: String,
}

impl Diagnostic {
    /// Message and help, for "does it mention X" checks.
    pub(crate) fn text(&self) -> String {
        let mut s = self.message.clone();
        for h in &self.help {
            s.push('\n');
            s.push_str(h);
        }
        s
    }
}

/// Parses stderr into diagnostics; lines that are neither a diagnostic nor its help are
/// ignored (progress, the `Built …` summary).
pub(crate) fn parse_diagnostics(stderr: &str) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut open = false;
    for line in stderr.lines() {
        let (severity, rest) = if let Some(rest) = line.strip_prefix("error: ") {
            (Severity::Error, rest)
        } else if let Some(rest) = line.strip_prefix("warning: ") {
            (Severity::Warning, rest)
        } else if let Some(help) = line.trim_start().strip_prefix("help: ") {
            if open && line.starts_with(char::is_whitespace) {
                let last = out.last_mut().unwrap();
                last.help.push(help.to_string());
                last.raw.push('\n');
                last.raw.push_str(line);
            }
            continue;
        } else {
            // A continuation line of a multi-line message (indented) keeps the diagnostic
            // open for its help; anything else closes it.
            open = open && line.starts_with(char::is_whitespace);
            continue;
        };
        let (path, line_no, col, message) = split_location(rest);
        out.push(Diagnostic { severity, path, line: line_no, col, message, help: Vec::new(), raw: line.to_string() });
        open = true;
    }
    out
}

/// `content/a.md:3:7: msg` → (path, 3, 7, msg); `site.yaml: msg` → (path, -, -, msg);
/// `3 files have errors` → (-, -, -, whole).
fn split_location(rest: &str) -> (Option<String>, Option<u32>, Option<u32>, String) {
    let none = (None, None, None, rest.to_string());
    let Some((loc, message)) = rest.split_once(": ") else {
        return none;
    };
    let mut parts = loc.split(':');
    let path = parts.next().unwrap_or_default();
    let looks_like_path =
        !path.is_empty() && !path.contains(char::is_whitespace) && (path.contains('/') || path.contains('.'));
    if !looks_like_path {
        return none;
    }
    let mut nums = Vec::new();
    for p in parts {
        match p.parse::<u32>() {
            Ok(n) => nums.push(n),
            Err(_) => return none,
        }
    }
    if nums.len() > 2 {
        return none;
    }
    (Some(path.to_string()), nums.first().copied(), nums.get(1).copied(), message.to_string())
}

/// The real binary in `cwd` with `args`, no colours, output piped.
pub(crate) fn masthead_command<S: AsRef<std::ffi::OsStr>>(cwd: &Path, args: &[S]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_masthead"));
    command
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Runs the real binary in `cwd`, with a timeout, capturing everything.
pub(crate) fn run_masthead(cwd: &Path, args: &[&str]) -> Run {
    let mut child = masthead_command(cwd, args).spawn().expect("spawn masthead");
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for masthead") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`masthead {}` did not finish in {TIMEOUT:?}", args.join(" "));
        }
        thread::sleep(Duration::from_millis(5));
    };
    Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        String::from_utf8_lossy(&buf).into_owned()
    })
}

/// The repository's own demo site built into a temp dir.
pub(crate) struct DemoBuild {
    pub(crate) tmp: TempDir,
    pub(crate) out: PathBuf,
    pub(crate) run: Run,
}

/// Builds the repo root (`-s <repo> build --output <tmp>/public`) with the test clock and
/// `extra` build flags.
pub(crate) fn build_demo(extra: &[&str]) -> DemoBuild {
    let tmp = tempfile::Builder::new().prefix("masthead-demo-").tempdir().expect("create temp dir");
    let out = tmp.path().join("public");
    let root = repo_root();
    let (root_s, out_s) = (root.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec!["-s", root_s, "--color", "never", "--clock", CLOCK, "build", "--output", out_s];
    args.extend_from_slice(extra);
    let run = run_masthead(tmp.path(), &args);
    DemoBuild { tmp, out, run }
}

/// The path part of a base URL: `https://org.github.io/daily/` → `/daily/`,
/// `https://news.example.com` → `/`.
pub(crate) fn base_path(base_url: &str) -> String {
    let after_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let path = after_scheme.find('/').map_or("", |i| &after_scheme[i..]);
    let path = path.trim_end_matches('/');
    format!("{path}/")
}

/// The base path of the demo site, read from the repository's `site.yaml` (a plain
/// `base_url:` line).
pub(crate) fn demo_base_path() -> String {
    let config = read_to_string(&repo_root().join("site.yaml"));
    let url = config
        .lines()
        .find_map(|l| l.strip_prefix("base_url:"))
        .expect("demo site.yaml has a base_url line")
        .trim()
        .trim_matches(|c| c == '"' || c == '\'');
    base_path(url)
}

// ---------------------------------------------------------------------------------------
// Snapshots

/// Compares `actual` with `tests/snapshots/<name>.txt`. Error texts are part of the
/// contract, so a change to one shows up here; after a deliberate change, rewrite the
/// snapshots with `SNAPSHOTS=overwrite cargo test --test it` and review the diff.
pub(crate) fn assert_snapshot(name: &str, actual: &str) {
    let path = repo_root().join("tests/snapshots").join(format!("{name}.txt"));
    let actual = normalize(actual);
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!("no snapshot {}; create it with SNAPSHOTS=overwrite, then review it. Actual:\n{actual}", path.display())
    });
    if expected != actual {
        panic!(
            "snapshot {name} differs (SNAPSHOTS=overwrite rewrites it)\n--- expected\n{expected}--- actual\n{actual}"
        );
    }
}

/// Replaces what changes from run to run (the build time) with a placeholder.
fn normalize(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = match (line.starts_with("Built "), line.find(" s → ")) {
            (true, Some(end)) => match line[..end].rfind(" in ") {
                Some(start) => format!("{} in <TIME>{}", &line[..start], &line[end..]),
                None => line.to_string(),
            },
            _ => line.to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------
// Trees

/// Copies a folder recursively (fixtures hold only files and folders).
pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` (dotfiles included), relative, with `/`, sorted; empty when
/// `dir` does not exist.
pub(crate) fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(dir, dir, &mut |rel, is_dir| {
        if !is_dir {
            out.push(rel.to_string());
        }
    });
    out.sort();
    out
}

/// Every file and folder under `dir` (folders end in `/`), sorted.
pub(crate) fn entries(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    walk(dir, dir, &mut |rel, is_dir| {
        out.push(if is_dir { format!("{rel}/") } else { rel.to_string() });
    });
    out.sort();
    out
}

/// Every file under `dir` with its bytes: compare two of these to compare trees. A
/// symbolic link counts as a file whose bytes are `symlink → <target>`.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files(dir)
        .into_iter()
        .map(|rel| {
            let path = dir.join(&rel);
            let bytes = match fs::read_link(&path) {
                Ok(target) => format!("symlink → {}", target.display()).into_bytes(),
                Err(_) => fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display())),
            };
            (rel, bytes)
        })
        .collect()
}

fn walk(root: &Path, dir: &Path, f: &mut dyn FnMut(&str, bool)) {
    let Ok(read) = fs::read_dir(dir) else {
        return;
    };
    for entry in read {
        let entry = entry.unwrap();
        let path = entry.path();
        let rel = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        // Not following symlinks: a link out of the tree must not make us walk the disk.
        let is_dir = entry.file_type().unwrap().is_dir();
        f(&rel, is_dir);
        if is_dir {
            walk(root, &path, f);
        }
    }
}

/// Asserts two trees hold the same files with the same bytes, naming the differences.
pub(crate) fn assert_same_tree(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>, what: &str) {
    let only_a: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_b: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    let differ: Vec<_> = a.iter().filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v)).map(|(k, _)| k).collect();
    assert!(
        only_a.is_empty() && only_b.is_empty() && differ.is_empty(),
        "{what}: trees differ\n  only before/left: {only_a:?}\n  only after/right: {only_b:?}\n  \
         different bytes: {differ:?}"
    );
}

pub(crate) fn read_to_string(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

// ---------------------------------------------------------------------------------------
// HTML

pub(crate) fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("bad selector `{css}`: {e:?}"))
}

/// The text of an element with runs of whitespace collapsed to one space, trimmed.
pub(crate) fn text_of(el: scraper::ElementRef<'_>) -> String {
    el.text().collect::<String>().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `href`, `src` and `srcset` URL in the document, in document order.
pub(crate) fn urls(doc: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for el in doc.select(&sel("[href], [src], [srcset]")) {
        for attr in ["href", "src"] {
            if let Some(v) = el.value().attr(attr) {
                out.push(v.trim().to_string());
            }
        }
        if let Some(v) = el.value().attr("srcset") {
            for candidate in v.split(',') {
                if let Some(url) = candidate.split_whitespace().next() {
                    out.push(url.to_string());
                }
            }
        }
    }
    out
}

/// Every `href` of `a` elements, in document order.
pub(crate) fn link_hrefs(doc: &Html) -> Vec<String> {
    doc.select(&sel("a[href]")).filter_map(|a| a.value().attr("href").map(str::to_string)).collect()
}

/// Every `*.html` file under `out`, relative.
pub(crate) fn html_files(out: &Path) -> Vec<String> {
    files(out).into_iter().filter(|f| f.ends_with(".html")).collect()
}

/// The default unsubscribe merge tag of newsletters (`newsletter.unsubscribe`): the href
/// of their unsubscribe link, replaced by the email service when it sends, so not a link
/// of the site.
pub(crate) const UNSUBSCRIBE_TAG: &str = "{{unsubscribe}}";

/// Checks that every internal URL of every HTML page under `out` resolves to a file of
/// `out`. A URL starting with `/` must start with `prefix` (the base_url's path, e.g.
/// `/daily/`), which is stripped; relative URLs resolve against the page's folder; `/x/`
/// means `x/index.html`. Returns one line per broken link, and how many links were checked.
pub(crate) fn broken_internal_links(out: &Path, prefix: &str) -> (Vec<String>, usize) {
    let mut broken = Vec::new();
    let mut checked = 0;
    for page in html_files(out) {
        let doc = Html::parse_document(&read_to_string(&out.join(&page)));
        let page_dir = match page.rfind('/') {
            Some(i) => &page[..=i],
            None => "",
        };
        for url in urls(&doc) {
            if !is_internal(&url) || url == UNSUBSCRIBE_TAG {
                continue;
            }
            checked += 1;
            let path = url.split(['#', '?']).next().unwrap_or_default();
            let rel = if let Some(abs) = path.strip_prefix('/') {
                match path.strip_prefix(prefix) {
                    Some(rest) => rest.to_string(),
                    None if prefix == "/" => abs.to_string(),
                    None => {
                        broken.push(format!("{page}: `{url}` lacks the base path `{prefix}`"));
                        continue;
                    }
                }
            } else if path.is_empty() {
                continue; // `?x` or `#x`: the page itself
            } else {
                format!("{page_dir}{path}")
            };
            match resolve(out, &rel) {
                Some(_) => {}
                None => {
                    let line = format!("{page}: `{url}` → no file `{rel}`");
                    if !broken.contains(&line) {
                        broken.push(line);
                    }
                }
            }
        }
    }
    (broken, checked)
}

/// Whether a URL points into the site (not a scheme, protocol-relative URL or fragment).
pub(crate) fn is_internal(url: &str) -> bool {
    if url.is_empty() || url.starts_with('#') || url.starts_with("//") {
        return false;
    }
    // A scheme is letters, digits, `+`, `-`, `.` followed by `:` before any `/`.
    if let Some(colon) = url.find(':') {
        let scheme = &url[..colon];
        if !scheme.is_empty()
            && !scheme.contains('/')
            && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return false;
        }
    }
    true
}

/// Resolves a site-relative URL path (`2026/03/02/`, `css/daily.css`, `a/../b`) to a file of
/// `out`, refusing anything that climbs out of it.
pub(crate) fn resolve(out: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<&str> = Vec::new();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut path = out.to_path_buf();
    for p in &parts {
        path.push(percent_decode(p));
    }
    if rel.is_empty() || rel.ends_with('/') || path.is_dir() {
        path.push("index.html");
    }
    path.is_file().then_some(path)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match hex.map(|h| u8::from_str_radix(h, 16)) {
            Some(Ok(b)) if bytes[i] == b'%' => {
                out.push(b);
                i += 3;
            }
            _ => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON-LD blocks of a page, parsed.
pub(crate) fn json_ld(doc: &Html) -> Vec<serde_json::Value> {
    doc.select(&sel(r#"script[type="application/ld+json"]"#))
        .map(|s| {
            let text: String = s.text().collect();
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD is not valid JSON ({e}):\n{text}"))
        })
        .collect()
}

/// Every JSON object inside `v` (itself included), depth first: JSON-LD may nest its
/// `NewsArticle` in an `@graph` or a list.
pub(crate) fn json_objects(v: &serde_json::Value) -> Vec<&serde_json::Map<String, serde_json::Value>> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                out.push(map);
                stack.extend(map.values());
            }
            serde_json::Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Randomness and generated sites

/// A tiny deterministic generator (SplitMix64): no dependency, same sequence everywhere.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A number from the environment variable `name`, if set (panics on a non-number).
pub(crate) fn env_number(name: &str) -> Option<u64> {
    let v = std::env::var(name).ok()?;
    Some(v.trim().parse().unwrap_or_else(|_| panic!("{name}={v:?} is not a number")))
}

/// How many articles each edition of a generated site holds.
pub(crate) const GENERATED_PER_EDITION: usize = 20;

/// The path (relative to the site) of article `i` of a generated site.
pub(crate) fn generated_article_path(i: usize) -> String {
    let (edition, n) = (i / GENERATED_PER_EDITION, i % GENERATED_PER_EDITION);
    let date = generated_date(edition);
    format!("content/{date}/story-{n:02}.md")
}

/// The date of edition `e` of a generated site: consecutive days from 2025-01-01.
pub(crate) fn generated_date(e: usize) -> String {
    let day = civil_date(e);
    format!("{}-{:02}-{:02}", day.0, day.1, day.2)
}

/// Day `n` after 2025-01-01 as (year, month, day), without a date library.
fn civil_date(mut n: usize) -> (u32, u32, u32) {
    let mut year = 2025;
    loop {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let lengths = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        let total: usize = lengths.iter().sum();
        if n < total {
            for (m, len) in lengths.iter().enumerate() {
                if n < *len {
                    return (year, m as u32 + 1, n as u32 + 1);
                }
                n -= len;
            }
        }
        n -= total;
        year += 1;
    }
}

/// The text of article `i` of a generated site, whose body carries `marker` (so a test can
/// tell which version of the article a page shows).
pub(crate) fn generated_article(i: usize, marker: &str) -> String {
    const DESKS: [&str; 4] = ["city", "harbour", "courts", "weather"];
    format!(
        "---\ntitle: Story {i} of the day\nauthor: Reporter {}\ntags: [{}]\n---\n\
         The {marker} paragraph of story {i}, filed for the morning edition.\n\n\
         A second paragraph with *emphasis* and a [link](https://example.com/{i}).\n",
        i % 7,
        DESKS[i % DESKS.len()],
    )
}

impl SiteFixture {
    /// The `minimal` fixture with its article replaced by `articles` generated ones in
    /// editions of [`GENERATED_PER_EDITION`]: a large site written in well under a second.
    pub(crate) fn generated(articles: usize) -> SiteFixture {
        let site = SiteFixture::new("minimal");
        fs::remove_dir_all(site.site().join("content")).unwrap();
        for i in 0..articles {
            site.write(&generated_article_path(i), &generated_article(i, "original"));
        }
        site
    }
}

/// The harness's own parsing, checked so a harness bug never passes for an engine bug.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_diagnostics_with_and_without_place() {
        let stderr = "error: content/2026-03-02/a.md:3:7: unknown key `titel`\n  \
                      help: did you mean `title`?\n\
                      warning: content/2026-03-02/b.md:4: photo has no credit\n\
                      error: site.yaml: missing `base_url`\n\
                      Built 1 article\n  help: stray\n\
                      error: 2 files have errors\n";
        let d = parse_diagnostics(stderr);
        assert_eq!(d.len(), 4);
        assert_eq!(d[0].path.as_deref(), Some("content/2026-03-02/a.md"));
        assert_eq!((d[0].line, d[0].col), (Some(3), Some(7)));
        assert_eq!(d[0].message, "unknown key `titel`");
        assert_eq!(d[0].help, ["did you mean `title`?"]);
        assert_eq!(d[1].severity, Severity::Warning);
        assert_eq!((d[1].line, d[1].col), (Some(4), None));
        assert!(d[1].help.is_empty());
        assert_eq!(d[2].path.as_deref(), Some("site.yaml"));
        assert_eq!(d[2].line, None);
        assert!(d[2].help.is_empty(), "help after a non-diagnostic line is not attached");
        assert_eq!(d[3].path, None);
        assert_eq!(d[3].message, "2 files have errors");
    }

    #[test]
    fn normalizes_build_time() {
        assert_eq!(
            normalize("Built 3 articles in 2 editions in 0.01 s → site/public/\nLeft out 1 draft"),
            "Built 3 articles in 2 editions in <TIME> s → site/public/\nLeft out 1 draft\n"
        );
    }

    #[test]
    fn base_paths() {
        assert_eq!(base_path("https://org.github.io/daily/"), "/daily/");
        assert_eq!(base_path("https://org.github.io/daily"), "/daily/");
        assert_eq!(base_path("https://news.example.com/"), "/");
        assert_eq!(base_path("https://news.example.com"), "/");
    }

    #[test]
    fn internal_urls() {
        for url in ["/a/", "a.jpg", "../b/", "/daily/x.css?v=1"] {
            assert!(is_internal(url), "{url}");
        }
        for url in ["https://x.org/", "mailto:a@b", "#top", "//cdn.x/y", "data:image/png,x", ""] {
            assert!(!is_internal(url), "{url}");
        }
    }

    #[test]
    fn resolves_inside_the_output_only() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        fs::create_dir_all(out.join("2026/03/02")).unwrap();
        fs::write(out.join("index.html"), "").unwrap();
        fs::write(out.join("2026/03/02/index.html"), "").unwrap();
        fs::write(out.join("2026/03/02/a b.jpg"), "").unwrap();
        assert!(resolve(out, "").is_some());
        assert!(resolve(out, "2026/03/02/").is_some());
        assert!(resolve(out, "2026/03/02").is_some());
        assert!(resolve(out, "2026/03/02/a%20b.jpg").is_some());
        assert!(resolve(out, "2026/03/../03/02/").is_some());
        assert!(resolve(out, "2026/03/03/").is_none());
        assert!(resolve(out, "../index.html").is_none());
    }
}
