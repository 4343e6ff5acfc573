//! `masthead build`: load → render → write. Output goes to a temporary
//! folder beside the target and is swapped in only when every page was
//! written, so a failed build leaves the previous site untouched. A marker
//! file tells masthead which folders it may replace. The site a build
//! replaces is kept as the spare (`.<name>.masthead-spare`) and becomes the
//! next build's temporary folder, where only pages whose inputs changed are
//! rendered (see [`manifest`]) and only changed files rewritten (see
//! [`write`]).

mod manifest;
mod write;

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow, bail};
use rayon::prelude::*;

use crate::config::BuildOptions;
use crate::content::cache::{LoadCache, LoadStats};
use crate::content::{self, Site, Skipped};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs;
use crate::images;
use crate::render::{self, CopySource, Page, Renderer, Theme};
use write::Writer;

/// Written into every folder masthead builds; its presence is the only
/// licence to replace a non-empty output folder.
pub const MARKER: &str = ".masthead-output";
const MARKER_TEXT: &str = "This folder is written by masthead build and replaced on every build.\n";

/// What a build did, for the summary line.
#[derive(Debug)]
pub struct BuildReport {
    pub articles: usize,
    pub editions: usize,
    pub files: usize,
    pub elapsed: Duration,
    pub output: PathBuf,
    pub skipped: Skipped,
    pub warnings: Diagnostics,
    /// How much work the build did, for `--verbose` and the tests that
    /// hold every file to one read and every page to one render.
    pub work: Work,
    /// The site this build replaced, still to be kept as the spare or removed.
    pub previous: Previous,
    /// Where the time went, for `--verbose`.
    pub phases: Phases,
}

/// How long each phase of a build took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Phases {
    /// Reading and parsing `content/`, rendering Markdown, loading the theme.
    pub load: Duration,
    /// Listing the pages and files to write.
    pub plan: Duration,
    /// Readying the staging folder (a recycled one is pruned first), then
    /// rendering pages through templates and writing them (`check`:
    /// rendering only).
    pub render: Duration,
    /// Putting the new site in place of the old one.
    pub swap: Duration,
}

/// Counts of one build's work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Content files read and parsed.
    pub files_parsed: usize,
    /// Markdown bodies (articles and edition notes) rendered.
    pub markdown_rendered: usize,
    /// Pages rendered through a template.
    pub templates_rendered: usize,
    /// Photo files encoded, and taken from the cache.
    pub photos: images::Stats,
    /// Output files that already held their bytes (in a recycled folder),
    /// `kept` included.
    pub unchanged: usize,
    /// Pages not even rendered: their inputs and their file in the recycled
    /// folder were as the build that wrote it left them (see `manifest`).
    pub kept: usize,
    /// Bundles of the search index, and how many were indexed anew.
    pub search: crate::search::Published,
}

/// Why a command failed: problems in the site, a bad combination of
/// arguments that parsing could not catch (exit status 2), or something else
/// (disk, refusal).
#[derive(Debug)]
pub enum Failure {
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
pub fn load(opts: &BuildOptions) -> Result<(Site, Theme, LoadStats), Failure> {
    let mut cache = LoadCache::default();
    let site = content::load_with(opts, &mut cache)?;
    let theme = Theme::load(&opts.source, &site.config).map_err(|d| site.with_warnings(d))?;
    Ok((site, theme, cache.stats()))
}

/// `masthead check`: every check of `build`, rendering included, writing nothing.
pub fn check(opts: &BuildOptions) -> Result<BuildReport, Failure> {
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
    render::collect(results).map_err(|d| site.with_warnings(d))?;
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
pub fn build(opts: &BuildOptions, progress: Option<&indicatif::ProgressBar>) -> Result<BuildReport, Failure> {
    let started = Instant::now();
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
    let writer = if key.is_some() { writer.with_stamps() } else { writer };
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
                    Some(plan) => crate::search::finish(plan, &|rel, bytes| writer.write(rel, bytes).map(drop))?,
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
            let written = Instant::now();
            let mut previous = staging.swap_into(&output)?;
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

/// What ties a record of pages to this binary (see `manifest`); the search
/// index's digests use it too, in `build` and the preview server alike.
pub fn binary_key() -> Option<String> {
    manifest::binary_key()
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
/// parallel; a page `known` shows unchanged is left as it is. With stamps
/// on, says what each page's file is now. The articles of the bundles
/// `index` says to index go first, one bundle at a time: each bundle is
/// indexed from its pages as rendered while the next one renders, so the
/// pages are rendered once and only two bundles' pages are held at a time.
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
        let (prepared, fingerprint) = renderer.prepare_keyed(page);
        let held = known.holds(writer.root(), prepared.path(), fingerprint);
        if let Some(entry) = held.filter(|_| !html) {
            tick();
            return Ok((Some(Written { path: prepared.path().to_string(), entry, kept: true }), None));
        }
        let file = renderer.render_prepared(page, prepared)?;
        let failed = |e: anyhow::Error| Diagnostic::error(&file.path, format!("{e:#}"));
        let written = match held {
            Some(entry) => Some(Written { path: file.path.clone(), entry, kept: true }),
            None => {
                // A page alone in its folder (most articles) makes the folder
                // first, rather than trying to write and failing.
                if let Some(folder) = parent(&file.path).filter(|f| own.contains(f)) {
                    writer.folder(folder).map_err(failed)?;
                }
                let stamp = writer.write(&file.path, &file.bytes).map_err(failed)?;
                stamp.map(|stamp| Written {
                    path: file.path,
                    entry: manifest::Entry { fingerprint, stamp },
                    kept: false,
                })
            }
        };
        tick();
        Ok((written, html.then(|| String::from_utf8(file.bytes).unwrap_or_default())))
    };

    let mut written = Vec::new();
    let mut indexed = HashSet::new();
    if let Some(plan) = index {
        let write = |rel: &str, bytes: &[u8]| writer.write(rel, bytes).map(drop);
        let render_part = |part: &crate::search::Partition| -> Result<(Vec<Written>, Html), Failure> {
            let results: Vec<_> = part.articles.par_iter().map(|&(e, a)| one(&Page::Article(e, a), true)).collect();
            let results = render::collect(results).map_err(|d| site.with_warnings(d))?;
            let urls = part.articles.iter().map(|&(e, a)| site.editions[e].articles[a].url.clone());
            let (entries, html): (Vec<_>, Vec<_>) = results.into_iter().unzip();
            Ok((entries.into_iter().flatten().collect(), urls.zip(html.into_iter().flatten()).collect()))
        };
        let mut pending: Option<(&crate::search::Partition, Html)> = None;
        for part in plan.to_index() {
            indexed.extend(part.articles.iter().map(|&(e, a)| Page::Article(e, a)));
            let (done, rendered) = rayon::join(
                || pending.take().map_or(Ok(()), |(p, html)| crate::search::write_bundle(plan, p, html, &write)),
                || render_part(part),
            );
            done?;
            let (entries, html) = rendered?;
            written.extend(entries);
            pending = Some((part, html));
        }
        if let Some((p, html)) = pending {
            crate::search::write_bundle(plan, p, html, &write)?;
        }
    }

    let rendered: Vec<Result<Rendered, Diagnostic>> =
        pages.par_iter().filter(|p| !indexed.contains(*p)).map(|page| one(page, false)).collect();
    written.extend(render::collect(rendered).map_err(|d| site.with_warnings(d))?.into_iter().filter_map(|w| w.0));
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

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir().context("cannot find the current folder")?.join(path))
}

/// The real location of an absolute `path`: symbolic links followed and `.`
/// and `..` resolved as far as the path exists, and the part that does not
/// exist yet (folders the build will create) resolved by name. Safety checks
/// compare these, so `site/new/../content` is seen as `site/content`.
fn resolve(path: &Path) -> PathBuf {
    let mut missing = Vec::new();
    let mut existing = path;
    let mut out = loop {
        if let Ok(real) = existing.canonicalize() {
            break real;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                missing.push(last);
                existing = parent;
            }
            _ => break PathBuf::new(),
        }
    };
    for component in missing.into_iter().rev() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Refuses outputs that would swallow the site or a folder of the user's.
fn check_output(source: &Path, output: &Path) -> anyhow::Result<()> {
    let source = absolute(source)?;
    let (src, out) = (resolve(&source), resolve(output));
    if out.parent().is_none() || src.starts_with(&out) {
        bail!(
            "refusing to build into `{}`: it holds the site itself; choose a folder such as `public`",
            output.display()
        );
    }
    for protected in ["content", "templates", "static", "themes", images::CACHE_DIR] {
        if out.starts_with(src.join(protected)) {
            bail!("refusing to build into `{}`: it is inside the site's `{protected}/` folder", output.display());
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        if out == resolve(&home) {
            bail!("refusing to build into your home folder `{}`", output.display());
        }
    }
    if output.exists() {
        if !output.is_dir() {
            bail!("`{}` exists and is not a folder", output.display());
        }
        let empty = std::fs::read_dir(output)
            .with_context(|| format!("failed to read `{}`", output.display()))?
            .next()
            .is_none();
        if !empty && !output.join(MARKER).is_file() {
            bail!(
                "refusing to replace `{}`: it holds files masthead did not write (there is no `{MARKER}` marker); move them away or choose another --output",
                output.display()
            );
        }
    }
    Ok(())
}

/// The temporary folder a build writes into, beside the output.
struct Staging {
    dir: PathBuf,
    /// Whether `dir` is the spare: a previous site, to be pruned and
    /// rewritten, rather than a new empty folder.
    recycled: bool,
}

impl Staging {
    /// Takes the spare as the temporary folder when `reuse` allows and there
    /// is one, else makes an empty folder.
    fn create(output: &Path, reuse: bool) -> anyhow::Result<Staging> {
        let parent = output.parent().ok_or_else(|| anyhow!("`{}` has no parent folder", output.display()))?;
        fs::create_dir_all(parent)?;
        if output.file_name().is_none() {
            bail!("`{}` has no folder name", output.display());
        }
        let name = folder_name(output);
        remove_stale(parent, &name);
        let dir = parent.join(format!(".{name}.masthead-tmp-{}", std::process::id()));
        if !unlink_planted(&dir) && dir.exists() {
            fs::remove_dir_all(&dir)?;
        }
        // Renaming claims the spare: a build running beside this one cannot
        // take it too.
        let spare = spare_of(output);
        unlink_planted(&spare);
        if reuse && is_marked_folder(&spare) && std::fs::rename(&spare, &dir).is_ok() {
            return Ok(Staging { dir, recycled: true });
        }
        std::fs::create_dir(&dir).with_context(|| format!("failed to create folder `{}`", dir.display()))?;
        fs::write(&dir.join(MARKER), MARKER_TEXT.as_bytes())?;
        Ok(Staging { dir, recycled: false })
    }

    /// Puts the finished folder in place of `output`. On Linux both folders
    /// swap names in one step (`renameat2(RENAME_EXCHANGE)`), so there is no
    /// moment when `output` is missing or half old, half new: a build killed at
    /// any point leaves either the previous site or the new one. Elsewhere (or
    /// on file systems without the exchange) the old folder is first renamed
    /// to `.<name>.masthead-old-<pid>`; if the process dies before the second
    /// rename, the next build puts that folder back (see [`remove_stale`]).
    fn swap_into(self, output: &Path) -> anyhow::Result<Previous> {
        if !output.exists() {
            fs::rename(&self.dir, output)?;
            return Ok(Previous::default());
        }
        if exchange(&self.dir, output)? {
            // The staging folder now holds the previous site.
            return Ok(Previous::at(self.dir, output));
        }
        let old = self.dir.with_file_name(format!(".{}.masthead-old-{}", folder_name(output), std::process::id()));
        unlink_planted(&old);
        fs::rename(output, &old)?;
        if let Err(e) = fs::rename(&self.dir, output) {
            // Put the previous site back: a failed build changes nothing.
            let _ = std::fs::rename(&old, output);
            return Err(e);
        }
        Ok(Previous::at(old, output))
    }

    /// After a failed build: a recycled folder goes back to being the spare
    /// (the next build prunes it like any other); a new one is removed.
    fn discard(self, output: &Path) {
        let spare = spare_of(output);
        unlink_planted(&spare);
        if self.recycled && !spare.exists() && std::fs::rename(&self.dir, &spare).is_ok() {
            return;
        }
        let _ = remove_marked(&self.dir);
    }
}

/// The spare of `output`: the site before the current one, which the next
/// build recycles.
fn spare_of(output: &Path) -> PathBuf {
    output.with_file_name(format!(".{}.masthead-spare", folder_name(output)))
}

/// Whether `path` is a folder (not a link to one) holding masthead's marker
/// (a file, not a link to one).
fn is_marked_folder(path: &Path) -> bool {
    let plain =
        |p: &Path, dir: bool| std::fs::symlink_metadata(p).is_ok_and(|m| if dir { m.is_dir() } else { m.is_file() });
    plain(path, true) && plain(&path.join(MARKER), false)
}

/// What sits at the name of one of masthead's own folders beside the output
/// (temporary, old, spare).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OwnName {
    Nothing,
    Folder,
    /// A symbolic link: never followed, whatever it points to (SPEC §9).
    Link,
    Other,
}

impl OwnName {
    fn of(meta: Option<&std::fs::Metadata>) -> OwnName {
        match meta.map(std::fs::Metadata::file_type) {
            None => OwnName::Nothing,
            Some(t) if t.is_symlink() => OwnName::Link,
            Some(t) if t.is_dir() => OwnName::Folder,
            Some(_) => OwnName::Other,
        }
    }
}

/// Removes a symbolic link found at one of masthead's own names, as a link:
/// its target is neither read, emptied nor written to. Someone who can plant
/// `.public.masthead-tmp-<pid>` → another site must not make a build empty
/// that site. Says whether there was one.
fn unlink_planted(path: &Path) -> bool {
    let found = OwnName::of(std::fs::symlink_metadata(path).ok().as_ref());
    found == OwnName::Link && std::fs::remove_file(path).is_ok()
}

/// The previous site, moved aside by the swap. Its fate is the build's last
/// step, after the new site is in place and reported: it becomes the spare
/// (a rename), or, with `reuse_previous_build: false`, it is removed, and the
/// wait for thousands of deletions is still not part of the build; a removal
/// cut short is finished by the next build (see [`remove_stale`]).
#[derive(Debug, Default)]
#[must_use = "the previous site stays beside the output until retired"]
pub struct Previous {
    dir: Option<PathBuf>,
    spare: PathBuf,
    /// Keep it as the spare rather than removing it.
    pub keep: bool,
}

impl Previous {
    fn at(dir: PathBuf, output: &Path) -> Previous {
        Previous { dir: Some(dir), spare: spare_of(output), keep: false }
    }

    /// Makes the previous site the spare, or removes it (and any spare).
    pub fn retire(self) -> anyhow::Result<()> {
        let Some(dir) = self.dir else { return Ok(()) };
        unlink_planted(&self.spare);
        if self.keep && !self.spare.exists() {
            return fs::rename(&dir, &self.spare);
        }
        if !self.keep && is_marked_folder(&self.spare) {
            remove_marked(&self.spare)?;
        }
        remove_marked(&dir)
    }
}

/// Swaps the names of two folders atomically; `Ok(false)` when this system or
/// file system cannot, and the caller must fall back to two renames.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> anyhow::Result<bool> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => Ok(false),
        Err(e) => Err(std::io::Error::from(e))
            .with_context(|| format!("failed to swap `{}` with `{}`", a.display(), b.display())),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> anyhow::Result<bool> {
    Ok(false)
}

fn folder_name(path: &Path) -> String {
    path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// Removes a folder masthead wrote, its marker last: a removal cut short
/// leaves the marker behind, so the next build still knows the folder is
/// its own and finishes the job.
fn remove_marked(dir: &Path) -> anyhow::Result<()> {
    if unlink_planted(dir) {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("failed to read `{}`", dir.display()))?;
    for entry in entries {
        let entry = entry.with_context(|| format!("failed to read `{}`", dir.display()))?;
        if entry.file_name() == MARKER {
            continue;
        }
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path).with_context(|| format!("failed to remove `{}`", path.display()))?;
        }
    }
    fs::remove_dir_all(dir)
}

/// Cleans up after builds that were killed: their temporary folders
/// (`.<name>.masthead-tmp-<pid>`, recognised by name and by the marker
/// inside, or empty) become the spare if there is none and are removed
/// otherwise, unless that build is still running; and if
/// a build died between the two renames of the fallback swap, leaving no
/// `output` but a `.<name>.masthead-old-<pid>`, that folder is put back.
fn remove_stale(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else { return };
    let output = parent.join(name);
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = stale_kind(&file_name, name) else { continue };
        let path = entry.path();
        // No build makes a link there, running or not: it is planted.
        if unlink_planted(&path) || pid == Some(std::process::id()) || pid.is_some_and(is_running) {
            continue;
        }
        if !is_marked_folder(&path) {
            // Killed before the marker was written or after it was removed:
            // only an empty folder is ours to remove.
            let _ = std::fs::remove_dir(&path);
            continue;
        }
        if kind == Stale::Old && !output.exists() && std::fs::rename(&path, &output).is_ok() {
            continue;
        }
        // Whatever the killed build wrote can still be recycled.
        let spare = spare_of(&output);
        unlink_planted(&spare);
        if !spare.exists() && std::fs::rename(&path, &spare).is_ok() {
            continue;
        }
        let _ = remove_marked(&path);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stale {
    Tmp,
    Old,
}

/// Whether `file_name` is one of the temporary folders of output `name`, and
/// the process id it names.
fn stale_kind(file_name: &str, name: &str) -> Option<(Stale, Option<u32>)> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(name)?;
    let (kind, pid) = if let Some(pid) = rest.strip_prefix(".masthead-tmp-") {
        (Stale::Tmp, pid)
    } else {
        (Stale::Old, rest.strip_prefix(".masthead-old-")?)
    };
    Some((kind, pid.parse().ok()))
}

/// Whether a process with this id is alive (Linux: `/proc/<pid>`); elsewhere
/// every other build counts as finished.
fn is_running(pid: u32) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc").join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    #[test]
    fn own_names_tell_links_from_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path();
        std::fs::create_dir(p.join("dir")).unwrap();
        std::fs::write(p.join("file"), "x").unwrap();
        std::os::unix::fs::symlink(p.join("dir"), p.join("link")).unwrap();
        std::os::unix::fs::symlink(p.join("nothing"), p.join("dangling")).unwrap();
        for (name, want) in [
            ("missing", OwnName::Nothing),
            ("dir", OwnName::Folder),
            ("file", OwnName::Other),
            ("link", OwnName::Link),
            ("dangling", OwnName::Link),
        ] {
            assert_eq!(OwnName::of(std::fs::symlink_metadata(p.join(name)).ok().as_ref()), want, "{name}");
        }
    }

    #[test]
    fn planted_links_at_own_names_are_unlinked_and_their_targets_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let theirs = tmp.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        std::fs::write(theirs.join(MARKER), MARKER_TEXT).unwrap();
        std::fs::write(theirs.join("keep.txt"), "mine").unwrap();
        std::fs::create_dir(tmp.path().join("public")).unwrap();
        for name in [".public.masthead-tmp-4000000000", ".public.masthead-old-4000000001", ".public.masthead-spare"] {
            std::os::unix::fs::symlink(&theirs, tmp.path().join(name)).unwrap();
        }
        remove_stale(tmp.path(), "public");
        assert!(remove_marked(&tmp.path().join(".public.masthead-spare")).is_ok());
        let mut left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        left.sort();
        assert_eq!(left, ["public", "theirs"]);
        let mut names: Vec<_> = std::fs::read_dir(&theirs).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, [MARKER, "keep.txt"]);
    }

    use super::*;

    #[test]
    fn resolves_paths_that_do_not_exist_yet() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("site/content")).unwrap();
        for (given, want) in [
            ("site/new/../content/x", "site/content/x"),
            ("site/./content/../content", "site/content"),
            ("site/content/a/b/../../c", "site/content/c"),
            ("site/public", "site/public"),
            ("site/..", ""),
        ] {
            assert_eq!(resolve(&root.join(given)), root.join(want), "{given}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(root.join("site/content"), root.join("link")).unwrap();
            assert_eq!(resolve(&root.join("link/new")), root.join("site/content/new"));
        }
    }

    #[test]
    fn recognises_its_temporary_folders() {
        assert_eq!(stale_kind(".public.masthead-tmp-42", "public"), Some((Stale::Tmp, Some(42))));
        assert_eq!(stale_kind(".public.masthead-old-7", "public"), Some((Stale::Old, Some(7))));
        assert_eq!(stale_kind(".public.masthead-tmp-x", "public"), Some((Stale::Tmp, None)));
        assert_eq!(stale_kind(".site.masthead-tmp-42", "public"), None);
        assert_eq!(stale_kind("public.masthead-tmp-42", "public"), None);
        assert_eq!(stale_kind(".public", "public"), None);
        assert_eq!(stale_kind(".publicx.masthead-tmp-1", "public"), None);
    }

    fn tree(root: &Path, name: &str, body: &str) -> PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(dir.join("a/b")).unwrap();
        std::fs::write(dir.join(MARKER), MARKER_TEXT).unwrap();
        std::fs::write(dir.join("a/b/index.html"), body).unwrap();
        dir
    }

    #[test]
    fn swap_replaces_the_output_and_leaves_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let output = tree(tmp.path(), "public", "old");
        let staging = Staging { dir: tree(tmp.path(), ".public.masthead-tmp-1", "new"), recycled: false };
        staging.swap_into(&output).unwrap().retire().unwrap();
        assert_eq!(std::fs::read_to_string(output.join("a/b/index.html")).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["public"]);
    }

    #[test]
    fn a_site_moved_aside_by_a_killed_build_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        tree(tmp.path(), ".public.masthead-old-4000000", "previous");
        tree(tmp.path(), ".public.masthead-tmp-4000000", "half");
        // Killed before the marker was written, and a folder of the user's.
        std::fs::create_dir(tmp.path().join(".public.masthead-tmp-4000001")).unwrap();
        std::fs::create_dir_all(tmp.path().join(".public.masthead-tmp-4000002/keep")).unwrap();
        remove_stale(tmp.path(), "public");
        let output = tmp.path().join("public");
        assert_eq!(std::fs::read_to_string(output.join("a/b/index.html")).unwrap(), "previous");
        let mut names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        // The half-written folder is kept as the spare, for the next build to recycle.
        let spare = [".public.masthead-spare", ".public.masthead-tmp-4000002", "public"];
        assert_eq!(names, spare.map(std::ffi::OsString::from).to_vec());
        assert_eq!(std::fs::read_to_string(tmp.path().join(".public.masthead-spare/a/b/index.html")).unwrap(), "half");
    }

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
