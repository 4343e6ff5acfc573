//! `masthead serve`: builds the site into memory, serves it over HTTP on
//! the loopback address, and with `--watch` rebuilds on every change and
//! tells open pages to reload. The rebuild loop owns the [`Engine`]; the
//! HTTP side sees only [`state::Shared`].

pub(crate) mod body;
pub mod http;
pub(crate) mod listen;
pub(crate) mod livereload;
pub(crate) mod overlay;
pub(crate) mod state;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};

use crate::config::BuildOptions;
use crate::diagnostic::Diagnostics;
use crate::incremental::Snapshot;
use crate::incremental::{Engine, Rebuild, SearchDone, SearchJob};
use crate::watch::{Batch, Change, SiteWatcher};
use state::{Reload, Shared};

/// What `masthead serve` was asked to do.
#[derive(Debug, Clone)]
pub(crate) struct ServeOptions {
    /// How to build (drafts and scheduled editions included unless turned off).
    pub(crate) build: BuildOptions,
    pub(crate) bind: IpAddr,
    pub(crate) port: u16,
    pub(crate) watch: Watch,
    pub(crate) open: Open,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Watch {
    Yes,
    No,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Open {
    Browser,
    No,
}

/// Where the server reports to people (the terminal).
pub(crate) trait Reporter {
    fn line(&self, text: &str);
    fn diagnostics(&self, diags: &Diagnostics);
}

/// How many ports after a busy one are tried.
const PORT_ATTEMPTS: u16 = 10;

/// Runs the server until the process is stopped.
pub(crate) fn run(mut opts: ServeOptions, report: &dyn Reporter) -> Result<()> {
    let (listener, addr) = bind(opts.bind, opts.port)?;
    if addr.port() != opts.port && opts.port != 0 {
        report.line(&format!("Port {} is busy; using {} instead", opts.port, addr.port()));
    }
    let url = match addr.ip() {
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", addr.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", addr.port()),
    };
    // Served pages link to the local address, so every link works locally.
    opts.build.base_url = Some(url.clone());
    opts.build.plain_text_bytes = opts.build.plain_text_bytes.min(crate::packed::PREVIEW_PLAIN_TEXT_BYTES);
    // Watch before the first build, so an edit saved while it runs is seen.
    let watcher = match opts.watch {
        Watch::Yes => Some(start_watching(&opts.build)?),
        Watch::No => None,
    };
    let mut engine = Engine::new(opts.build.clone());
    // Serving from the start: a request waits (the snapshot is pending)
    // until the front page, then the rest, is there.
    let shared = Shared::new(Snapshot { pending: true, ..Snapshot::default() });
    let server = spawn_http(listener, Arc::clone(&shared), http::AllowedHosts::new(addr))?;
    report.line(&format!("Serving {} at {url} (press Ctrl-C to stop)", opts.build.source.display()));
    if opts.open == Open::Browser {
        // Its request waits for the front page.
        open_browser(&url);
    }
    let first = engine.start(|front| {
        report.line(&format!(
            "Read {} articles and rendered the front page in {} ms",
            front.articles,
            front.elapsed.as_millis()
        ));
        report_timings(&front, report);
        shared.publish(front.snapshot, Some(Reload::Pages(Vec::new())));
    });
    match first {
        Ok(first) => {
            report.line(&format!("Loaded {} articles in {} ms", first.articles, first.elapsed.as_millis()));
            if first.photos.encoded + first.photos.cached > 0 {
                report.line(&photos_line(&first));
            }
            report_timings(&first, report);
            // A tab showing the front page reloads only if what it shows changed.
            let reload = reload_for(&first.changed);
            shared.publish(first.snapshot, reload);
        }
        Err(diags) => {
            // Nothing of a site that does not load is served, not even its front page.
            shared.add_to_site(Snapshot::default());
            fail(&shared, &diags, report);
        }
    }
    finish_deferred(&mut engine, &shared, report);
    match watcher {
        Some(watcher) => watch_loop(watcher, &mut engine, &shared, report),
        // Nothing changes: index here, once.
        None => {
            if let Some(job) = engine.search_job() {
                let started = std::time::Instant::now();
                let done = job.run();
                serve_search(&mut engine, done, started, &shared, report);
            }
        }
    }
    server.join().map_err(|_| anyhow::anyhow!("the HTTP server stopped unexpectedly"))?
}

fn bind(ip: IpAddr, port: u16) -> Result<(TcpListener, SocketAddr)> {
    let last = if port == 0 { 0 } else { port.saturating_add(PORT_ATTEMPTS) };
    let mut error = None;
    for p in port..=last {
        match TcpListener::bind((ip, p)) {
            Ok(listener) => {
                let addr = listener.local_addr().context("cannot read the bound address")?;
                return Ok((listener, addr));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => error = Some(e),
            Err(e) => bail!("cannot listen on {ip}:{p}: {e}"),
        }
    }
    match error {
        Some(e) => bail!("ports {port} to {last} on {ip} are busy ({e}); choose another with --port"),
        None => bail!("cannot listen on {ip}:{port}"),
    }
}

fn spawn_http(
    listener: TcpListener,
    shared: Arc<Shared>,
    hosts: http::AllowedHosts,
) -> Result<std::thread::JoinHandle<Result<()>>> {
    listener.set_nonblocking(true).context("cannot set up the listening socket")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the HTTP runtime")?;
    Ok(std::thread::spawn(move || {
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).context("cannot use the listening socket")?;
            http::serve(listener, shared, hosts).await.context("the HTTP server failed")
        })
    }))
}

fn start_watching(opts: &BuildOptions) -> Result<SiteWatcher> {
    SiteWatcher::new(&opts.source, &opts.output, &theme_named(opts).unwrap_or_else(|| "daily".into()))
}

/// The theme `site.yaml` names now (`None` while it does not load).
fn theme_named(opts: &BuildOptions) -> Option<String> {
    crate::config::SiteConfig::load(&opts.source).ok().map(|c| c.theme)
}

fn watch_loop(mut watcher: SiteWatcher, engine: &mut Engine, shared: &Shared, report: &dyn Reporter) {
    let opts = engine.options().clone();
    let mut search = SearchWorker::start();
    search.offer(engine);
    loop {
        // While the index is being made, look for it between changes.
        let wait = search.busy().then_some(SEARCH_POLL);
        let Some(batch) = watcher.next_batch(wait) else { break };
        if let Some((done, started)) = search.done() {
            serve_search(engine, done, started, shared, report);
            search.offer(engine);
        }
        if batch.kinds.is_empty() {
            continue;
        }
        if batch.kinds.contains(&Change::Config) {
            engine.reset();
            // `theme:` may name another folder: watch that one's files.
            if let Some(theme) = theme_named(&opts) {
                watcher.set_theme(&theme);
            }
        } else if batch.kinds.contains(&Change::Template) || batch.kinds.contains(&Change::Static) {
            // The theme also lists the static files: a new one must be seen.
            engine.reload_theme();
        }
        let only_content = batch.kinds.iter().all(|k| *k == Change::Content) && !batch.rescan;
        let result = if only_content { engine.rebuild_changed(&batch.paths) } else { engine.rebuild() };
        match result {
            Ok(rebuild) => {
                report.line(&rebuild_line(&batch, &rebuild, &opts.source));
                if rebuild.photos.encoded > 0 {
                    report.line(&photos_line(&rebuild));
                }
                report_timings(&rebuild, report);
                let reload = reload_for(&rebuild.changed);
                shared.publish(rebuild.snapshot, reload);
                finish_deferred(engine, shared, report);
                search.offer(engine);
            }
            Err(diags) => fail(shared, &diags, report),
        }
    }
}

/// How often the watch loop looks for a finished search index.
const SEARCH_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// Makes the search index on a thread of its own, so an edit is served
/// while a year is indexed (seconds at 10,000 articles) rather than after.
/// One job at a time: the next is taken from the engine when the last is
/// served, so it holds every change made meanwhile.
struct SearchWorker {
    jobs: std::sync::mpsc::Sender<SearchJob>,
    done: std::sync::mpsc::Receiver<(anyhow::Result<SearchDone>, std::time::Instant)>,
    busy: bool,
}

impl SearchWorker {
    fn start() -> SearchWorker {
        let (jobs, inbox) = std::sync::mpsc::channel::<SearchJob>();
        let (outbox, done) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            while let Ok(job) = inbox.recv() {
                let started = std::time::Instant::now();
                if outbox.send((job.run(), started)).is_err() {
                    break;
                }
            }
        });
        SearchWorker { jobs, done, busy: false }
    }

    fn busy(&self) -> bool {
        self.busy
    }

    /// Starts the engine's search job, if it has one and none is running.
    fn offer(&mut self, engine: &Engine) {
        if self.busy {
            return;
        }
        if let Some(job) = engine.search_job() {
            self.busy = self.jobs.send(job).is_ok();
        }
    }

    /// The finished job's result and when it started, if it finished.
    fn done(&mut self) -> Option<(anyhow::Result<SearchDone>, std::time::Instant)> {
        let done = self.done.try_recv().ok()?;
        self.busy = false;
        Some(done)
    }
}

/// Renders and serves the pages the last rebuild left for later (see
/// [`Engine::start`]), each batch as soon as it is rendered.
fn finish_deferred(engine: &mut Engine, shared: &Shared, report: &dyn Reporter) {
    let started = std::time::Instant::now();
    // Nothing to reload: no tab shows these pages yet (a request for one
    // waits for its batch), and the snapshot before them, which brought the
    // stylesheets, already reloaded every tab.
    match engine.render_deferred(|batch| shared.add_to_site(batch.snapshot)) {
        Ok(0) => {}
        Ok(rendered) => {
            report.line(&format!("Rendered the other {rendered} pages in {} ms", started.elapsed().as_millis()))
        }
        Err(diags) => fail(shared, &diags, report),
    }
}

/// Serves a search job's result (at start-up once every page is rendered,
/// then after rebuilds).
fn serve_search(
    engine: &mut Engine,
    done: anyhow::Result<SearchDone>,
    started: std::time::Instant,
    shared: &Shared,
    report: &dyn Reporter,
) {
    match engine.apply_search(done) {
        // No reload: the search page asks for the index when it searches.
        Ok(Some(rebuild)) => {
            shared.add_to_site(rebuild.snapshot);
            report.line(&format!("Updated the search index in {} ms", started.elapsed().as_millis()));
        }
        Ok(None) => {}
        Err(diags) => fail(shared, &diags, report),
    }
}

/// With `MASTHEAD_TIMINGS` set: how long loading and rendering took.
fn report_timings(rebuild: &Rebuild, report: &dyn Reporter) {
    if std::env::var_os("MASTHEAD_TIMINGS").is_some() {
        let (load, render) = (rebuild.load_time.as_millis(), rebuild.render_time.as_millis());
        report.line(&format!("  load {load} ms, render {render} ms"));
    }
}

fn fail(shared: &Shared, diags: &Diagnostics, report: &dyn Reporter) {
    report.diagnostics(diags);
    report.line("error: the site could not be rebuilt; still serving the last good version");
    shared.fail(overlay::overlay_html(diags));
}

/// "photos: 3 encoded, 57 from cache".
fn photos_line(r: &Rebuild) -> String {
    format!("photos: {} encoded, {} from cache", r.photos.encoded, r.photos.cached)
}

/// "Rebuilt in 12 ms: content/2023-09-05/a.md changed; 5 pages re-rendered".
fn rebuild_line(batch: &Batch, r: &Rebuild, root: &std::path::Path) -> String {
    let what = match batch.paths.as_slice() {
        [one] => format!("{} changed", crate::fs::display_rel(root, &root.join(one))),
        many => format!("{} files changed", many.len()),
    };
    format!(
        "Rebuilt in {} ms: {what}; {} page{} re-rendered, {} file{} re-read, {} output{} changed",
        r.elapsed.as_millis(),
        r.rendered,
        if r.rendered == 1 { "" } else { "s" },
        r.parsed,
        if r.parsed == 1 { "" } else { "s" },
        r.changed.len(),
        if r.changed.len() == 1 { "" } else { "s" },
    )
}

/// What open pages must do after a rebuild: nothing if no output changed;
/// swap stylesheets if only they changed; reload the changed pages; or
/// reload every page when a file they may show (a photo) changed.
pub(crate) fn reload_for(changed: &[String]) -> Option<Reload> {
    let url = |p: &String| format!("/{}", p.strip_suffix("index.html").unwrap_or(p));
    let is_page = |p: &String| p.ends_with(".html");
    let is_data = |p: &String| [".xml", ".json", ".txt"].iter().any(|ext| p.ends_with(ext));
    if changed.is_empty() {
        return None;
    }
    if changed.iter().all(|p| p.ends_with(".css")) {
        return Some(Reload::Styles(changed.iter().map(url).collect()));
    }
    if changed.iter().any(|p| !is_page(p) && !is_data(p)) {
        return Some(Reload::Pages(Vec::new()));
    }
    let pages: Vec<String> = changed.iter().filter(|p| is_page(p)).map(url).collect();
    (!pages.is_empty()).then_some(Reload::Pages(pages))
}

fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") { "open" } else { "xdg-open" };
    let _ = std::process::Command::new(program)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

#[cfg(test)]
mod tests {
    use super::*;

    // Regression guard: a preview that holds its bodies packed (as a large site's are)
    // serves what `build` writes with its bodies as they are, from the start and after
    // an edit of one body (the shortcut that patches the loaded site). On the
    // archive-like fixture: footnotes, tables, code, quotes, a base path. Here, as
    // `serve` is the layer above both the engine and `build`.
    #[test]
    fn a_preview_with_packed_bodies_serves_what_build_writes() {
        use crate::incremental::Body;
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archive");
        let dir = tempfile::tempdir().unwrap();
        crate::fs::copy_tree(&fixture, dir.path()).unwrap();
        let yaml = dir.path().join("site.yaml");
        let config = std::fs::read_to_string(&yaml).unwrap();
        std::fs::write(&yaml, format!("{config}search:\n  enabled: false\n")).unwrap();

        // What `build` writes, with the bodies as they are.
        let build = || {
            let out = tempfile::tempdir().unwrap();
            crate::build::build(
                &BuildOptions { output: out.path().join("site"), ..BuildOptions::new(dir.path()) },
                None,
            )
            .unwrap();
            out
        };
        let content = |body: &Body| match body {
            Body::Packed(packed) => packed.unpack(),
            Body::Bytes(bytes) => bytes.to_vec(),
            Body::File(path) => std::fs::read(path).unwrap(),
        };
        let assert_served_as_built = |snapshot: &Snapshot, built: &std::path::Path, when: &str| {
            let pages = snapshot.files.values().filter(|b| matches!(b, Body::Packed(_))).count();
            assert!(pages > 60, "{when}: {pages} pages served");
            for (path, body) in &snapshot.files {
                let file = std::fs::read(built.join(path)).unwrap_or_else(|e| panic!("{when}: {path}: {e}"));
                assert!(content(body) == file, "{when}: {path} differs from the build's");
            }
        };

        let mut engine = Engine::new(BuildOptions { plain_text_bytes: 0, ..BuildOptions::new(dir.path()) });
        let first = engine.rebuild().unwrap().snapshot;
        assert_served_as_built(&first, &build().path().join("site"), "from the start");

        let rel = std::path::PathBuf::from("content/2025-01-02/post-00.md");
        let text = std::fs::read_to_string(dir.path().join(&rel)).unwrap();
        std::fs::write(dir.path().join(&rel), format!("{text}\nOne more paragraph from the desk.\n")).unwrap();
        let edited = engine.rebuild_changed(std::slice::from_ref(&rel)).unwrap();
        assert_eq!(edited.parsed, 1, "one file read again");
        assert_served_as_built(&edited.snapshot, &build().path().join("site"), "after an edit");
    }

    #[test]
    fn a_busy_port_moves_to_the_next_free_one() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let (_listener, addr) = bind("127.0.0.1".parse().unwrap(), port).unwrap();
        assert!(addr.port() > port && addr.port() <= port.saturating_add(PORT_ATTEMPTS), "{addr}");
    }

    #[test]
    fn css_only_changes_swap_styles() {
        let paths = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(reload_for(&paths(&["css/daily.css"])), Some(Reload::Styles(vec!["/css/daily.css".into()])));
        assert_eq!(
            reload_for(&paths(&["2023/09/05/a/index.html", "index.html", "feed.xml"])),
            Some(Reload::Pages(vec!["/2023/09/05/a/".into(), "/".into()]))
        );
        assert_eq!(reload_for(&paths(&["css/daily.css", "2023/09/05/a.jpg"])), Some(Reload::Pages(vec![])));
        assert_eq!(reload_for(&paths(&["feed.xml"])), None);
        assert_eq!(reload_for(&[]), None);
    }
}
