//! `masthead build`: load → render → write. Output goes to a temporary
//! folder beside the target and is swapped in only when every page was
//! written, so a failed build leaves the previous site untouched. A marker
//! file tells masthead which folders it may replace. The site a build
//! replaces is kept as the spare (`.<name>.masthead-spare`) and becomes the
//! next build's temporary folder, where only pages whose inputs changed are
//! rendered (see [`manifest`]) and only changed files rewritten (see
//! [`write`]).

mod manifest;
pub(crate) mod record;
mod staging;
mod write;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rayon::prelude::*;

use crate::config::BuildOptions;
use crate::content::cache::{LoadCache, LoadStats};
use crate::content::theme::ThemeFiles;
use crate::content::{self, Site, Skipped};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs;
use crate::images;
use crate::render::catalogue::{Catalogue, Entry};
use crate::render::{CopySource, Output, Page, Renderer, Theme};
pub(crate) use staging::Previous;
use staging::{Staging, absolute, check_output, resolve};
use write::Writer;

/// Written into every folder masthead builds; its presence is the only
/// licence to replace a non-empty output folder.
pub(crate) const MARKER: &str = ".masthead-output";
const MARKER_TEXT: &str = "This folder is written by masthead build and replaced on every build.\n";

/// What a build did, for the summary line.
#[derive(Debug)]
pub(crate) struct BuildReport {
    pub(crate) articles: usize,
    pub(crate) editions: usize,
    pub(crate) files: usize,
    pub(crate) elapsed: Duration,
    pub(crate) output: PathBuf,
    pub(crate) skipped: Skipped,
    pub(crate) warnings: Diagnostics,
    /// How much work the build did, for `--verbose` and the tests that
    /// hold every file to one read and every page to one render.
    pub(crate) work: Work,
    /// The site this build replaced, still to be kept as the spare or removed.
    pub(crate) previous: Previous,
    /// Where the time went, for `--verbose`.
    pub(crate) phases: Phases,
}

/// How long each phase of a build took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Phases {
    /// Reading and parsing `content/`, rendering Markdown, loading the theme.
    pub(crate) load: Duration,
    /// Listing the pages and files to write.
    pub(crate) plan: Duration,
    /// Readying the staging folder (a recycled one is pruned first), then
    /// rendering pages through templates and writing them (`check`:
    /// rendering only).
    pub(crate) render: Duration,
    /// Putting the new site in place of the old one.
    pub(crate) swap: Duration,
}

/// Counts of one build's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Work {
    /// Content files read and parsed.
    pub(crate) files_parsed: usize,
    /// Markdown bodies (articles and edition notes) rendered.
    pub(crate) markdown_rendered: usize,
    /// Pages rendered through a template.
    pub(crate) templates_rendered: usize,
    /// Photo files encoded, and taken from the cache.
    pub(crate) photos: images::Stats,
    /// Output files that already held their bytes (in a recycled folder),
    /// `kept` included.
    pub(crate) unchanged: usize,
    /// Pages not even rendered: their inputs and their file in the recycled
    /// folder were as the build that wrote it left them (see `manifest`).
    pub(crate) kept: usize,
    /// Bundles of the search index, and how many were indexed anew.
    pub(crate) search: crate::search::Published,
    /// Newsletters whose CSS was inlined, and the css-inline passes that took.
    pub(crate) inlined: crate::render::inline::InlineStats,
}

/// Why a command failed: problems in the site, a bad combination of
/// arguments that parsing could not catch (exit status 2), or something else
/// (disk, refusal).
#[derive(Debug)]
pub(crate) enum Failure {
    Site(Diagnostics),
    /// What was wrong with the command line and what to type instead.
    Usage(String),
    Other(anyhow::Error),
}

impl From<Diagnostics> for Failure {
    fn from(d: Diagnostics) -> Self {
        Failure::Site(d)
    }
}

impl From<anyhow::Error> for Failure {
    fn from(e: anyhow::Error) -> Self {
        Failure::Other(e)
    }
}

/// Loads the site and its theme: everything `check` and `build` share.
pub(crate) fn load(opts: &BuildOptions) -> Result<(Site, Theme, LoadStats), Failure> {
    let mut cache = LoadCache::default();
    let site = content::load_with(opts, &mut cache)?;
    let theme =
        ThemeFiles::read(&opts.source, &site.config).and_then(Theme::compile).map_err(|d| site.with_warnings(d))?;
    Ok((site, theme, cache.stats()))
}

/// `masthead check`: every check of `build`, rendering included, writing nothing.
pub(crate) fn check(opts: &BuildOptions) -> Result<BuildReport, Failure> {
    let mut clock = Clock::start();
    let (site, theme, stats) = load(opts)?;
    let load_time = clock.lap();
    let renderer = Renderer::new(&site, &theme);
    // A file that would overwrite a page fails `build`: so it fails `check`.
    let photo_cache = images::Cache::in_site(&opts.source);
    let catalogue = Catalogue::new(&renderer, &site, &theme, &photo_cache).map_err(|d| site.with_warnings(d))?;
    let plan_time = clock.lap();
    let results: Vec<Result<(), Diagnostic>> =
        catalogue.pages.par_iter().map(|e| renderer.render(e).map(drop)).collect();
    crate::diagnostic::collect(results).map_err(|d| site.with_warnings(d))?;
    let render_time = clock.lap();
    let mut report = report(&site, &theme, opts, &clock, stats, Written::default());
    report.phases = Phases { load: load_time, plan: plan_time, render: render_time, swap: Duration::ZERO };
    if opts.exit_after {
        std::mem::forget(catalogue);
        std::mem::forget(renderer);
        std::mem::forget(site);
    }
    Ok(report)
}

/// `masthead build`: check the output folder, load, plan, write into the
/// staging folder, swap it into place, report.
pub(crate) fn build(opts: &BuildOptions, progress: Option<&indicatif::ProgressBar>) -> Result<BuildReport, Failure> {
    let mut clock = Clock::start();
    let output = resolve(&absolute(&opts.output)?);
    check_output(&opts.source, &output)?;

    let (site, theme, stats) = load(opts)?;
    let load_time = clock.lap();

    let renderer = Renderer::new(&site, &theme);
    let photo_cache = images::Cache::in_site(&opts.source);
    let catalogue = Catalogue::new(&renderer, &site, &theme, &photo_cache).map_err(|d| site.with_warnings(d))?;
    if let Some(bar) = progress {
        // Photos are copied beside the pages, without ticks.
        bar.set_length((catalogue.pages.len() + catalogue.copies.len()) as u64);
    }
    let plan_time = clock.lap();

    let reuse = site.config.reuse_previous_build;
    let staging = Staging::create(&output, reuse)?;
    let memory = manifest::Memory::open(&staging.dir, staging.recycled, &output, reuse);
    let job = Job { site: &site, renderer: &renderer, catalogue: &catalogue, output: &output, progress };
    let mut written = match write(&job, &staging, &memory.known, &photo_cache) {
        Ok(written) => written,
        Err(failure) => {
            staging.discard(&output);
            return Err(failure);
        }
    };
    let render_time = clock.lap();

    let mut previous = staging.swap_into(&output)?;
    // What deploy publishes; without it deploy asks for a build.
    record::write(&output, clock.started_at, &mut written.recorded)?;
    // The replaced site becomes the spare: it keeps the manifests.
    if let Some(spare) = &previous.dir {
        memory.keep(spare, written.pages.iter().map(|p| (p.path.as_str(), p.entry)));
    }
    previous.keep = reuse;
    let swap_time = clock.lap();

    let mut report = report(&site, &theme, opts, &clock, stats, written);
    report.files += catalogue.len();
    report.previous = previous;
    report.phases = Phases { load: load_time, plan: plan_time, render: render_time, swap: swap_time };
    if opts.exit_after {
        std::mem::forget(catalogue);
        std::mem::forget(renderer);
        std::mem::forget(site);
    }
    Ok(report)
}

/// When a command started, and when its last phase ended.
struct Clock {
    started: Instant,
    started_at: std::time::SystemTime,
    last: Instant,
}

impl Clock {
    fn start() -> Clock {
        let now = Instant::now();
        Clock { started: now, started_at: std::time::SystemTime::now(), last: now }
    }

    /// How long the phase that ends now took.
    fn lap(&mut self) -> Duration {
        let now = Instant::now();
        let phase = now - self.last;
        self.last = now;
        phase
    }
}

/// What writing into the staging folder did.
#[derive(Default)]
struct Written {
    /// Every page, for the manifest.
    pages: Vec<WrittenPage>,
    /// Every file of the output with its hash, for the record deploy reads.
    recorded: Vec<(String, record::Recorded)>,
    /// Files that already held their bytes, pages left unrendered included.
    unchanged: usize,
    /// Pages left unrendered.
    kept: usize,
    photos: images::Stats,
    /// Photo files and files of the search index.
    files: usize,
    search: crate::search::Published,
}

/// What a build or a check did, for the summary line; the caller adds
/// what only it knows (files, phases, the replaced site).
fn report(
    site: &Site,
    theme: &Theme,
    opts: &BuildOptions,
    clock: &Clock,
    stats: LoadStats,
    written: Written,
) -> BuildReport {
    let mut warnings = site.warnings.clone();
    warnings.extend(theme.notes.0.iter().cloned());
    BuildReport {
        work: Work {
            files_parsed: stats.parsed,
            markdown_rendered: stats.rendered,
            templates_rendered: theme.renders(),
            photos: written.photos,
            unchanged: written.unchanged,
            kept: written.kept,
            search: written.search,
            inlined: theme.inliner().stats(),
        },
        previous: Previous::default(),
        phases: Phases::default(),
        articles: site.article_count(),
        editions: site.editions.len(),
        files: written.files,
        elapsed: clock.started.elapsed(),
        output: opts.output.clone(),
        skipped: site.skipped.clone(),
        warnings,
    }
}

/// What writing a site needs.
struct Job<'a, 'r> {
    site: &'a Site,
    renderer: &'a Renderer<'r>,
    catalogue: &'a Catalogue,
    /// The output folder (the staging folder replaces it).
    output: &'a Path,
    progress: Option<&'a indicatif::ProgressBar>,
}

/// Writes the site into the staging folder: prunes a recycled one of what
/// the site no longer has, then renders and writes pages (the search index
/// made from the article pages as they are rendered) while photos are made
/// (or found in the cache) and copied.
fn write(
    job: &Job<'_, '_>,
    staging: &Staging,
    known: &manifest::Manifest,
    photo_cache: &images::Cache,
) -> Result<Written, Failure> {
    let site = job.site;
    let writer = Writer::new(&staging.dir, staging.recycled);
    let (pages, photos) = rayon::join(
        || -> Result<_, Failure> {
            if staging.recycled {
                prune(&staging.dir, site, job.catalogue)?;
            }
            let index = plan_search(job.renderer, site, &staging.dir, job.output)?;
            let pages = write_all(job, &writer, known, index.as_ref())?;
            let Some(plan) = &index else { return Ok((pages, Default::default())) };
            let search = crate::search::finish(plan, &|rel, bytes| writer.write(rel, bytes).map(drop))?;
            // Bundles kept or copied as they were are in the output too: the
            // record deploy reads must hold them.
            let files: Vec<String> = index_paths(&staging.dir).into_iter().filter(|p| !p.ends_with("/.")).collect();
            writer.note_others(&files)?;
            Ok((pages, search))
        },
        || publish_photos(site, job.catalogue, photo_cache, &writer),
    );
    let ((pages, search), photos) = (pages?, photos?);
    let kept = pages.iter().filter(|p| p.kept).count();
    let unchanged = writer.unchanged() + kept;
    let recorded = writer.into_recorded();
    Ok(Written { pages, recorded, unchanged, kept, photos, files: search.files, search })
}

/// Readies the staging folder's `pagefind/` (see [`crate::search`]): `None`
/// when the site has no search.
fn plan_search(
    renderer: &Renderer<'_>,
    site: &Site,
    staging: &Path,
    output: &Path,
) -> Result<Option<crate::search::Plan>, Failure> {
    if !site.config.search.enabled {
        return Ok(None);
    }
    let key = manifest::binary_key();
    let fingerprint = |e, a| renderer.fingerprint(&Page::Article(e, a));
    let previous = output.join(MARKER).is_file().then_some(output);
    Ok(Some(crate::search::plan(site, staging, previous, key.as_deref(), &fingerprint)?))
}

/// Makes every photo's files in the cache and copies them into the output.
fn publish_photos(
    site: &Site,
    catalogue: &Catalogue,
    cache: &images::Cache,
    writer: &Writer<'_>,
) -> Result<images::Stats, Failure> {
    let stats = images::make_all(&site.images, &site.config.images, cache).map_err(|d| site.with_warnings(d))?;
    catalogue.photos.par_iter().try_for_each(|photo| match &photo.source {
        CopySource::File(entry) => writer.copy(&photo.path, entry),
        CopySource::Builtin(bytes) => writer.write(&photo.path, bytes).map(drop),
    })?;
    Ok(stats)
}

/// Empties a recycled folder of everything this build will not write.
fn prune(dir: &Path, site: &Site, catalogue: &Catalogue) -> Result<(), Failure> {
    let photos = catalogue.photos.iter().map(|p| p.path.as_str());
    let files: HashSet<&str> = catalogue
        .pages
        .iter()
        .map(|e| e.path.as_str())
        .chain(catalogue.copies.iter().map(|c| c.path.as_str()))
        .chain(photos)
        .chain([MARKER])
        .collect();
    let mut folders = HashSet::new();
    for file in &files {
        insert_folders(file, |f| folders.insert(f));
    }
    // The search index brings its own folder up to date (see `plan_search`).
    let index = if site.config.search.enabled { index_paths(dir) } else { Vec::new() };
    let mut files = files;
    for path in &index {
        files.insert(path);
        insert_folders(path, |f| folders.insert(f));
    }
    write::prune(dir, &files, &folders)?;
    Ok(())
}

/// Every file and folder under `pagefind/` in `dir`, relative to `dir`
/// (folders with a `/.` appended, so that their own folders are kept).
fn index_paths(dir: &Path) -> Vec<String> {
    let root = dir.join(crate::search::FOLDER);
    walkdir::WalkDir::new(&root)
        .follow_links(false)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() || e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?.to_str()?.replace('\\', "/");
            Some(if e.file_type().is_dir() { format!("{rel}/.") } else { rel })
        })
        .collect()
}

/// A page as this build left it, for the manifest.
struct WrittenPage {
    path: String,
    entry: manifest::Entry,
    /// Left as it was, not rendered.
    kept: bool,
}

/// A page as written, and its HTML when it was asked for.
type Rendered = (WrittenPage, Option<String>);
/// Pages as rendered: `(url, html)`.
type Html = Vec<(String, String)>;

/// Renders and writes every page and copies every file of the catalogue,
/// in parallel; a page `known` shows unchanged is left as it is. Says what
/// each page's file is now. The articles of the bundles `index` says to
/// index go first, one bundle at a time: each bundle's pages are rendered
/// (in parallel) and then indexed, so the pages are rendered once and one
/// bundle is held at a time (indexing is what bounds a build's memory).
fn write_all(
    job: &Job<'_, '_>,
    writer: &Writer<'_>,
    known: &manifest::Manifest,
    index: Option<&crate::search::Plan>,
) -> Result<Vec<WrittenPage>, Failure> {
    let Job { renderer, site, catalogue, progress, .. } = *job;
    // Folders are made by the first file written into them, in parallel.
    let own = own_folders(catalogue);
    let tick = || {
        if let Some(bar) = progress {
            bar.inc(1);
        }
    };
    // Renders and writes one page; with `html`, also returns it (rendered
    // even when its file is known to be unchanged).
    let one = |page: &Entry, html: bool| -> Result<Rendered, Diagnostic> {
        let path = &page.path;
        // The recycled folder's file, when it holds this page as it is now.
        let mut held = None;
        let made = renderer.render_unless(page, |fingerprint| {
            held = known.holds(writer.root(), path, fingerprint);
            held.filter(|_| !html)
        })?;
        let bytes = match made.output {
            Output::Reused(entry) => {
                writer.keep(path, entry.recorded);
                tick();
                return Ok((WrittenPage { path: path.clone(), entry, kept: true }, None));
            }
            Output::Rendered(bytes) => bytes,
        };
        let failed = |e: anyhow::Error| Diagnostic::error(path, format!("{e:#}"));
        let written = match held {
            Some(entry) => {
                writer.keep(path, entry.recorded);
                WrittenPage { path: path.clone(), entry, kept: true }
            }
            None => {
                // A page alone in its folder (most articles) makes the folder
                // first, rather than trying to write and failing.
                if let Some(folder) = parent(path).filter(|f| own.contains(f)) {
                    writer.folder(folder).map_err(failed)?;
                }
                let recorded = writer.write(path, &bytes).map_err(failed)?;
                let entry = manifest::Entry { fingerprint: made.fingerprint, recorded };
                WrittenPage { path: path.clone(), entry, kept: false }
            }
        };
        tick();
        Ok((written, html.then(|| String::from_utf8(bytes).unwrap_or_default())))
    };

    let mut written = Vec::new();
    let mut indexed = HashSet::new();
    if let Some(plan) = index {
        let write = |rel: &str, bytes: &[u8]| writer.write(rel, bytes).map(drop);
        let render_part = |part: &crate::search::Partition| -> Result<(Vec<WrittenPage>, Html), Failure> {
            let results: Vec<_> =
                part.articles.par_iter().map(|&(e, a)| one(&renderer.entry(Page::Article(e, a)), true)).collect();
            let results = crate::diagnostic::collect(results).map_err(|d| site.with_warnings(d))?;
            let urls = part.articles.iter().map(|&(e, a)| site.editions[e].articles[a].url.clone());
            let (entries, html): (Vec<_>, Vec<_>) = results.into_iter().unzip();
            Ok((entries, urls.zip(html.into_iter().flatten()).collect()))
        };
        for part in plan.to_index() {
            indexed.extend(part.articles.iter().map(|&(e, a)| Page::Article(e, a)));
            let (entries, html) = render_part(part)?;
            written.extend(entries);
            crate::search::write_bundle(plan, part, html, &write)?;
        }
    }

    // The pages left, in a list of their own so that their results are collected
    // in place (a filtered parallel iterator collects per thread, then joins) and
    // moved into `written`: at a million articles each copy of the results weighs
    // a quarter of a gigabyte.
    let left: Vec<&Entry> = catalogue.pages.iter().filter(|p| !indexed.contains(&p.page)).collect();
    let rendered: Vec<Result<WrittenPage, Diagnostic>> =
        left.par_iter().map(|page| one(page, false).map(|(written, _)| written)).collect();
    crate::diagnostic::collect_into(rendered, &mut written).map_err(|d| site.with_warnings(d))?;
    catalogue.copies.par_iter().try_for_each(|c| -> anyhow::Result<()> {
        match &c.source {
            CopySource::Builtin(bytes) => writer.write(&c.path, bytes).map(drop)?,
            // An OS error names the file that caused it, not only the output.
            CopySource::File(path) => writer
                .copy(&c.path, path)
                .with_context(|| format!("cannot publish `{}`", fs::display_rel(&site.root, path)))?,
        }
        tick();
        Ok(())
    })?;
    Ok(written)
}

/// The folder of an output path, if it has one.
fn parent(path: &str) -> Option<&str> {
    path.rfind('/').map(|i| &path[..i])
}

/// Puts the folders above `path` into a set through `insert` (which says
/// whether the folder was new), stopping at one already there: its own
/// folders are in too.
fn insert_folders<'p>(path: &'p str, mut insert: impl FnMut(&'p str) -> bool) {
    let mut f = path;
    while let Some(up) = parent(f) {
        if !insert(up) {
            break;
        }
        f = up;
    }
}

/// Folders that hold exactly one page and nothing else (no other file, no
/// folder): the page's writer can make its folder with one `mkdir`.
fn own_folders(catalogue: &Catalogue) -> HashSet<&str> {
    let pages = || catalogue.pages.iter().map(|e| e.path.as_str());
    let mut files: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for folder in pages().chain(catalogue.copies.iter().map(|c| c.path.as_str())).filter_map(parent) {
        *files.entry(folder).or_default() += 1;
    }
    let mut ancestors = HashSet::new();
    for &folder in files.keys() {
        insert_folders(folder, |f| ancestors.insert(f));
    }
    let page_folders: HashSet<&str> = pages().filter_map(parent).collect();
    files
        .into_iter()
        .filter(|&(f, n)| n == 1 && !ancestors.contains(f) && page_folders.contains(f))
        .map(|(f, _)| f)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packed::Text;

    /// Every file under `root`, by its path relative to it.
    fn files(root: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
        walkdir::WalkDir::new(root)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().strip_prefix(root).unwrap().to_path_buf(), std::fs::read(e.path()).unwrap()))
            .collect()
    }

    // A large site holds its bodies packed; a small one, as they are. Both must
    // write the same bytes: bodies with footnotes, code, photos, feeds (sized body
    // images: `content::refresh`'s test).
    #[test]
    fn a_site_whose_bodies_are_packed_writes_the_same_files() {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        for name in ["archive", "markdown", "serve"] {
            let site = tempfile::tempdir().unwrap();
            crate::fs::copy_tree(&fixtures.join(name), site.path()).unwrap();
            let mut opts = BuildOptions::new(site.path());
            opts.clock = Some(jiff::civil::date(2026, 6, 1).at(12, 0, 0, 0));
            let plain = crate::content::load(&opts).unwrap();
            let built = |opts: &BuildOptions, out: &str| {
                let opts = BuildOptions { output: site.path().join(out), ..opts.clone() };
                build(&opts, None).unwrap_or_else(|e| panic!("{name}: {e:?}"));
                files(&opts.output)
            };
            let as_they_are = built(&opts, "plain");
            opts.plain_text_bytes = 0;
            let packed = crate::content::load(&opts).unwrap();
            let bodies = |s: &crate::content::Site| {
                s.editions
                    .iter()
                    .flat_map(|e| &e.articles)
                    .map(|a| matches!(a.body_html, Text::Packed(_)))
                    .collect::<Vec<_>>()
            };
            assert!(bodies(&plain).iter().all(|p| !p), "{name}: a small site packs nothing");
            assert!(!bodies(&packed).is_empty() && bodies(&packed).iter().all(|p| *p), "{name}: every body packed");
            let packed = built(&opts, "packed");
            assert_eq!(as_they_are.keys().collect::<Vec<_>>(), packed.keys().collect::<Vec<_>>(), "{name}");
            for (path, bytes) in &as_they_are {
                assert!(packed[path] == *bytes, "{name}: {} differs when bodies are packed", path.display());
            }
        }
    }

    #[test]
    fn a_page_alone_in_its_folder_owns_it() {
        let pages = ["index.html", "2023/09/05/index.html", "2023/09/05/a/index.html", "tags/x/index.html"]
            .into_iter()
            .chain(["tags/x/page/2/index.html", "x/y/z/index.html"])
            .map(|p| Entry { page: Page::Front, path: p.into() })
            .collect();
        let copy = |p: &str| crate::render::CopyFile { path: p.into(), source: CopySource::Builtin(b"") };
        let copies = vec![copy("2023/09/05/photo.jpg"), copy("css/daily.css"), copy("files/one.pdf")];
        let catalogue = Catalogue { pages, copies, photos: Vec::new() };
        let mut own: Vec<&str> = own_folders(&catalogue).into_iter().collect();
        own.sort_unstable();
        // Not `tags/x` (it holds `page/`), `2023/09/05` (two files and a folder) or the
        // folders of copies.
        assert_eq!(own, vec!["2023/09/05/a", "tags/x/page/2", "x/y/z"]);
    }
}
