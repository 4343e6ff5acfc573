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
use crate::render::{self, CopySource, Output, Page, Renderer, Theme};
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
    let started = Instant::now();
    let (site, theme, stats) = load(opts)?;
    let loaded = Instant::now();
    let renderer = Renderer::new(&site, &theme);
    let pages = renderer.pages();
    // A file that would overwrite a page fails `build`: so it fails `check`.
    let page_paths = renderer.outputs(&pages);
    render::copies(&site, &theme, |p| page_paths.contains(p)).map_err(|d| site.with_warnings(d))?;
    drop(page_paths);
    let planned = Instant::now();
    let results: Vec<Result<(), Diagnostic>> = pages.par_iter().map(|p| renderer.render(p).map(|_| ())).collect();
    crate::diagnostic::collect(results).map_err(|d| site.with_warnings(d))?;
    let mut report = report(&site, 0, started, opts.output.clone(), work(stats, &theme));
    report.warnings.extend(theme.notes.0.iter().cloned());
    report.phases =
        Phases { load: loaded - started, plan: planned - loaded, render: planned.elapsed(), swap: Duration::ZERO };
    if opts.exit_after {
        std::mem::forget(pages);
        std::mem::forget(renderer);
        std::mem::forget(site);
    }
    Ok(report)
}

/// `masthead build`.
pub(crate) fn build(opts: &BuildOptions, progress: Option<&indicatif::ProgressBar>) -> Result<BuildReport, Failure> {
    let started = Instant::now();
    let started_at = std::time::SystemTime::now();
    let output = resolve(&absolute(&opts.output)?);
    check_output(&opts.source, &output)?;
    let (site, theme, stats) = load(opts)?;
    let loaded = Instant::now();
    let renderer = Renderer::new(&site, &theme);
    let pages = renderer.pages();
    let page_paths = renderer.outputs(&pages);
    let copies = render::copies(&site, &theme, |p| page_paths.contains(p))?;
    let photo_files: usize = site.images.iter().map(|i| i.variants.len()).sum();
    if let Some(bar) = progress {
        bar.set_length((pages.len() + copies.len()) as u64);
    }
    let planned = Instant::now();

    let reuse = site.config.reuse_previous_build;
    let staging = Staging::create(&output, reuse)?;
    // With the site kept for reuse, a manifest of its pages lets the build
    // that recycles this folder skip the pages that stay the same.
    let key = if reuse { manifest::binary_key() } else { None };
    let (staging_id, output_id) = (manifest::identity(&staging.dir), manifest::identity(&output));
    let mut manifests = match &key {
        Some(key) if staging.recycled => manifest::take(&staging.dir, key),
        _ => Default::default(),
    };
    let known = staging_id.as_ref().and_then(|id| manifests.remove(id)).unwrap_or_default();
    let carried = output_id.as_ref().and_then(|id| manifests.remove(id).map(|m| (id.as_str(), m)));
    let writer = Writer::new(&staging.dir, staging.recycled);
    let pruned = if staging.recycled { prune(&staging.dir, &site, &page_paths, &copies) } else { Ok(()) };
    let cache = images::Cache::in_site(&opts.source);
    // Photos are made (or found in the cache) while pages render.
    let (result, photos) = rayon::join(
        || {
            pruned.and_then(|()| {
                // The search index is made from the article pages as they are rendered.
                let index = plan_search(&renderer, &site, &staging.dir, &output)?;
                let pass = Pass { renderer: &renderer, site: &site, page_paths: &page_paths, writer: &writer };
                let entries = write_all(&pass, &pages, &copies, &known, index.as_ref(), progress)?;
                let search = match &index {
                    Some(plan) => {
                        let published = crate::search::finish(plan, &|rel, bytes| writer.write(rel, bytes).map(drop))?;
                        // Bundles kept or copied as they were are in the output too: the
                        // record deploy reads must hold them.
                        let files: Vec<String> =
                            index_paths(&staging.dir).into_iter().filter(|p| !p.ends_with("/.")).collect();
                        writer.note_others(&files)?;
                        published
                    }
                    None => Default::default(),
                };
                Ok((entries, search))
            })
        },
        || publish_photos(&site, &cache, &writer),
    );
    let result = result.and_then(|entries| photos.map(|photos| (entries, photos)));
    match result {
        Ok(((entries, search), photos)) => {
            let kept = entries.iter().filter(|e| e.kept).count();
            let unchanged = writer.unchanged() + kept;
            let mut recorded = writer.into_recorded();
            let written = Instant::now();
            let mut previous = staging.swap_into(&output)?;
            // What deploy publishes; without it deploy asks for a build.
            record::write(&output, started_at, &mut recorded)?;
            previous.keep = reuse;
            // The replaced site becomes the spare: it keeps the manifests.
            if let (Some(key), Some(id), Some(spare)) = (&key, &staging_id, &previous.dir) {
                let pages = entries.iter().map(|e| (e.path.as_str(), e.entry));
                let carried = carried.as_ref().map(|(id, m)| (*id, m));
                // Without them the build after next renders every page, as a
                // first build does: no reason to fail this one.
                let _ = manifest::write(spare, key, (id, pages), carried);
            }
            let work = Work { photos, unchanged, kept, search, ..work(stats, &theme) };
            let mut report = report(
                &site,
                pages.len() + copies.len() + photo_files + search.files,
                started,
                opts.output.clone(),
                work,
            );
            report.previous = previous;
            report.warnings.extend(theme.notes.0.iter().cloned());
            report.phases = Phases {
                load: loaded - started,
                plan: planned - loaded,
                render: written - planned,
                swap: written.elapsed(),
            };
            if opts.exit_after {
                std::mem::forget(pages);
                std::mem::forget(page_paths);
                std::mem::forget(copies);
                std::mem::forget(renderer);
                std::mem::forget(site);
            }
            Ok(report)
        }
        Err(failure) => {
            staging.discard(&output);
            Err(failure)
        }
    }
}

fn work(stats: LoadStats, theme: &Theme) -> Work {
    Work {
        files_parsed: stats.parsed,
        markdown_rendered: stats.rendered,
        templates_rendered: theme.renders(),
        photos: images::Stats::default(),
        unchanged: 0,
        kept: 0,
        search: crate::search::Published::default(),
        inlined: theme.inliner().stats(),
    }
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
fn publish_photos(site: &Site, cache: &images::Cache, writer: &Writer<'_>) -> Result<images::Stats, Failure> {
    let settings = &site.config.images;
    let stats = images::make_all(&site.images, settings, cache).map_err(|d| site.with_warnings(d))?;
    let entries: Vec<_> = images::entries(&site.images, settings, cache).collect();
    entries.par_iter().try_for_each(|(output, entry)| writer.copy(output, entry))?;
    Ok(stats)
}

/// Empties a recycled folder of everything this build will not write.
fn prune(dir: &Path, site: &Site, pages: &HashSet<String>, copies: &[render::CopyFile]) -> Result<(), Failure> {
    let photos = site.images.iter().flat_map(|i| i.variants.iter().map(|v| v.output.as_str()));
    let files: HashSet<&str> = pages
        .iter()
        .map(String::as_str)
        .chain(copies.iter().map(|c| c.path.as_str()))
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

fn report(site: &Site, files: usize, started: Instant, output: PathBuf, work: Work) -> BuildReport {
    BuildReport {
        work,
        previous: Previous::default(),
        phases: Phases::default(),
        articles: site.article_count(),
        editions: site.editions.len(),
        files,
        elapsed: started.elapsed(),
        output,
        skipped: site.skipped.clone(),
        warnings: site.warnings.clone(),
    }
}

/// A page as this build left it, for the manifest.
struct Written {
    path: String,
    entry: manifest::Entry,
    /// Left as it was, not rendered.
    kept: bool,
}

/// A page as written, and its HTML when it was asked for.
type Rendered = (Option<Written>, Option<String>);
/// Pages as rendered: `(url, html)`.
type Html = Vec<(String, String)>;

/// What rendering and writing pages needs.
struct Pass<'a, 'r, 'w> {
    renderer: &'a Renderer<'r>,
    site: &'a Site,
    page_paths: &'a HashSet<String>,
    writer: &'a Writer<'w>,
}

/// Renders and writes every page and copies every file into `dir`, in
/// parallel; a page `known` shows unchanged is left as it is. Says what
/// each page's file is now. The articles of the bundles `index` says to
/// index go first, one bundle at a time: each bundle's pages are rendered
/// (in parallel) and then indexed, so the pages are rendered once and one
/// bundle is held at a time (indexing is what bounds a build's memory).
fn write_all(
    pass: &Pass<'_, '_, '_>,
    pages: &[Page],
    copies: &[render::CopyFile],
    known: &manifest::Manifest,
    index: Option<&crate::search::Plan>,
    progress: Option<&indicatif::ProgressBar>,
) -> Result<Vec<Written>, Failure> {
    let Pass { renderer, site, page_paths, writer } = *pass;
    // Folders are made by the first file written into them, in parallel.
    let own = own_folders(page_paths, copies);
    let tick = || {
        if let Some(bar) = progress {
            bar.inc(1);
        }
    };
    // Renders and writes one page; with `html`, also returns it (rendered
    // even when its file is known to be unchanged).
    let one = |page: &Page, html: bool| -> Result<Rendered, Diagnostic> {
        // The recycled folder's file, when it holds this page as it is now.
        let mut held = None;
        let made = renderer.render_unless(page, |path, fingerprint| {
            held = known.holds(writer.root(), path, fingerprint);
            held.filter(|_| !html)
        })?;
        let (path, fingerprint) = (made.path, made.fingerprint);
        let bytes = match made.output {
            Output::Reused(entry) => {
                writer.keep(&path, entry.recorded);
                tick();
                return Ok((Some(Written { path, entry, kept: true }), None));
            }
            Output::Rendered(bytes) => bytes,
        };
        let failed = |e: anyhow::Error| Diagnostic::error(&path, format!("{e:#}"));
        let written = match held {
            Some(entry) => {
                writer.keep(&path, entry.recorded);
                Some(Written { path: path.clone(), entry, kept: true })
            }
            None => {
                // A page alone in its folder (most articles) makes the folder
                // first, rather than trying to write and failing.
                if let Some(folder) = parent(&path).filter(|f| own.contains(f)) {
                    writer.folder(folder).map_err(failed)?;
                }
                let recorded = writer.write(&path, &bytes).map_err(failed)?;
                Some(Written { path: path.clone(), entry: manifest::Entry { fingerprint, recorded }, kept: false })
            }
        };
        tick();
        Ok((written, html.then(|| String::from_utf8(bytes).unwrap_or_default())))
    };

    let mut written = Vec::new();
    let mut indexed = HashSet::new();
    if let Some(plan) = index {
        let write = |rel: &str, bytes: &[u8]| writer.write(rel, bytes).map(drop);
        let render_part = |part: &crate::search::Partition| -> Result<(Vec<Written>, Html), Failure> {
            let results: Vec<_> = part.articles.par_iter().map(|&(e, a)| one(&Page::Article(e, a), true)).collect();
            let results = crate::diagnostic::collect(results).map_err(|d| site.with_warnings(d))?;
            let urls = part.articles.iter().map(|&(e, a)| site.editions[e].articles[a].url.clone());
            let (entries, html): (Vec<_>, Vec<_>) = results.into_iter().unzip();
            Ok((entries.into_iter().flatten().collect(), urls.zip(html.into_iter().flatten()).collect()))
        };
        for part in plan.to_index() {
            indexed.extend(part.articles.iter().map(|&(e, a)| Page::Article(e, a)));
            let (entries, html) = render_part(part)?;
            written.extend(entries);
            crate::search::write_bundle(plan, part, html, &write)?;
        }
    }

    let rendered: Vec<Result<Rendered, Diagnostic>> =
        pages.par_iter().filter(|p| !indexed.contains(*p)).map(|page| one(page, false)).collect();
    written.extend(
        crate::diagnostic::collect(rendered).map_err(|d| site.with_warnings(d))?.into_iter().filter_map(|w| w.0),
    );
    copies.par_iter().try_for_each(|c| -> anyhow::Result<()> {
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
fn own_folders<'p>(pages: &'p HashSet<String>, copies: &'p [render::CopyFile]) -> HashSet<&'p str> {
    let mut files: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for folder in pages.iter().chain(copies.iter().map(|c| &c.path)).filter_map(|p| parent(p)) {
        *files.entry(folder).or_default() += 1;
    }
    let mut ancestors = HashSet::new();
    for &folder in files.keys() {
        insert_folders(folder, |f| ancestors.insert(f));
    }
    let page_folders: HashSet<&str> = pages.iter().filter_map(|p| parent(p)).collect();
    files
        .into_iter()
        .filter(|&(f, n)| n == 1 && !ancestors.contains(f) && page_folders.contains(f))
        .map(|(f, _)| f)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_alone_in_its_folder_owns_it() {
        let pages: HashSet<String> =
            ["index.html", "2023/09/05/index.html", "2023/09/05/a/index.html", "tags/x/index.html"]
                .into_iter()
                .chain(["tags/x/page/2/index.html", "x/y/z/index.html"])
                .map(String::from)
                .collect();
        let copy = |p: &str| render::CopyFile { path: p.into(), source: CopySource::Builtin(b"") };
        let copies = [copy("2023/09/05/photo.jpg"), copy("css/daily.css"), copy("files/one.pdf")];
        let mut own: Vec<&str> = own_folders(&pages, &copies).into_iter().collect();
        own.sort_unstable();
        // Not `tags/x` (it holds `page/`), `2023/09/05` (two files and a folder) or the
        // folders of copies.
        assert_eq!(own, vec!["2023/09/05/a", "tags/x/page/2", "x/y/z"]);
    }
}
