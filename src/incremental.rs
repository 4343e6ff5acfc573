//! Rebuilds for the preview server. The engine keeps parsed files and
//! rendered Markdown (in [`LoadCache`]) and, per output, the fingerprint of
//! its inputs and its bytes: a rebuild re-reads only changed files and
//! re-renders only pages whose fingerprint changed. The result is always
//! the same set of files a fresh `build` writes (tests hold it to that).
//!
//! When the watcher says only article files changed, [`Engine::rebuild_changed`]
//! first tries the shortcut of `content::refresh`: if only bodies changed,
//! it patches the kept site and re-renders just the pages that show those
//! bodies, without walking the site or fingerprinting every page.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::BuildOptions;
use crate::content::cache::{LoadCache, LoadStats};
use crate::content::theme::ThemeFiles;
use crate::content::{self, Site};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::fs::FileStamp;
use crate::render::catalogue::{Catalogue, Entry};
use crate::render::listings::Listings;
use crate::render::newsletter::Letter;
use crate::render::{CopySource, Output, Page, Renderer, Theme};

pub(crate) mod snapshot;
mod start_up;

pub(crate) use snapshot::{Body, Dictionaries, Packed, Snapshot};
use start_up::{StartUp, start_up};

/// What one rebuild did.
#[derive(Debug)]
pub(crate) struct Rebuild {
    pub(crate) snapshot: Snapshot,
    /// Output paths that were added, changed or removed.
    pub(crate) changed: Vec<String>,
    /// Pages rendered through a template or written anew.
    pub(crate) rendered: usize,
    /// Files read and parsed, and Markdown bodies rendered.
    pub(crate) parsed: usize,
    #[allow(dead_code)] // read by the engine's tests
    pub(crate) markdown: usize,
    pub(crate) articles: usize,
    /// Photo files encoded, and taken from the cache (the same cache as `build`).
    pub(crate) photos: crate::images::Stats,
    pub(crate) elapsed: Duration,
    /// How long loading (content) and rendering (fingerprints and pages) took.
    pub(crate) load_time: Duration,
    pub(crate) render_time: Duration,
}

/// One output as the last rebuild left it.
#[derive(Debug, Clone)]
enum Kept {
    /// `fingerprint` is the page's (see `Renderer::fingerprint`).
    Page {
        fingerprint: u64,
        bytes: Packed,
    },
    Copy {
        source: CopySource,
        stamp: Option<FileStamp>,
    },
}

/// The preview server's builder, owned by its rebuild loop.
pub(crate) struct Engine {
    opts: BuildOptions,
    cache: LoadCache,
    theme: Option<Theme>,
    kept: HashMap<String, Kept>,
    generation: u64,
    /// The site of the last rebuild, for [`Engine::rebuild_changed`],
    /// [`Engine::render_deferred`] and [`Engine::search_job`].
    last: Option<Loaded>,
    /// What is served: `kept` as bodies.
    served: imbl::HashMap<String, Body>,
    /// How many deferred pages [`Engine::render_deferred`] renders at a time.
    deferred_chunk: usize,
    /// The digest of each search bundle now served, by folder (see [`Engine::apply_search`]).
    search: HashMap<String, String>,
    /// What pages are packed with, a dictionary per kind; new with the theme.
    dictionaries: Dictionaries<PageKind>,
}

/// Pages of one kind share a dictionary: one template's pages look alike.
type PageKind = (std::mem::Discriminant<Page>, Option<Letter>);

fn kind_of(page: &Page) -> PageKind {
    let letter = match page {
        Page::Newsletter(_, letter) => Some(*letter),
        _ => None,
    };
    (std::mem::discriminant(page), letter)
}

/// How much a rebuild did.
struct Work {
    rendered: usize,
    stats: LoadStats,
    articles: usize,
    photos: crate::images::Stats,
}

/// When a rebuild started, and how long loading and rendering took.
struct Times {
    started: Instant,
    load: Duration,
    render: Duration,
}

/// A loaded site, its listings and its catalogue, kept between rebuilds.
struct Loaded {
    site: Site,
    listings: Arc<Listings>,
    catalogue: Catalogue,
    /// Pages of the catalogue that [`Engine::start`] left for
    /// [`Engine::render_deferred`], in the order they are rendered. While
    /// any are left, snapshots are `pending` and there is no search job.
    deferred: VecDeque<Entry>,
}

impl Engine {
    pub(crate) fn new(opts: BuildOptions) -> Engine {
        Engine {
            opts,
            cache: LoadCache::persistent(),
            theme: None,
            kept: HashMap::new(),
            generation: 0,
            last: None,
            served: imbl::HashMap::new(),
            deferred_chunk: DEFERRED_CHUNK,
            search: HashMap::new(),
            dictionaries: Dictionaries::default(),
        }
    }

    pub(crate) fn options(&self) -> &BuildOptions {
        &self.opts
    }

    /// Forgets everything cached (after `site.yaml` changed).
    pub(crate) fn reset(&mut self) {
        self.cache = LoadCache::persistent();
        self.theme = None;
        self.last = None;
        self.dictionaries = Dictionaries::default();
    }

    /// Reloads templates on the next rebuild.
    pub(crate) fn reload_theme(&mut self) {
        self.theme = None;
        self.last = None;
        self.dictionaries = Dictionaries::default();
    }

    /// Brings the site up to date after the files `changed` (relative to
    /// the site folder, all under `content/`) changed: through the shortcut
    /// when only article bodies changed, else as [`Engine::rebuild`] does.
    pub(crate) fn rebuild_changed(&mut self, changed: &[PathBuf]) -> Result<Rebuild, Diagnostics> {
        match self.refresh(changed) {
            Some(rebuild) => Ok(rebuild),
            None => self.rebuild(),
        }
    }

    /// The shortcut: patch the kept site, re-render the pages that show the
    /// changed bodies. `None` when it does not apply.
    fn refresh(&mut self, changed: &[PathBuf]) -> Option<Rebuild> {
        let started = Instant::now();
        let theme = self.theme.as_ref()?;
        let last = self.last.as_mut()?;
        let patched = content::refresh::refresh_bodies(&mut last.site, &mut self.cache, changed)?;
        let t_load = started.elapsed();
        let stats = self.cache.stats();
        let renderer = Renderer::with_listings(&last.site, theme, Arc::clone(&last.listings));
        let mut pages: Vec<&Entry> =
            patched.iter().flat_map(|&(e, a)| last.catalogue.showing_body(&renderer, e, a)).collect();
        pages.sort_unstable_by_key(|entry| entry.page);
        pages.dedup_by_key(|entry| entry.page);
        let (kept, dictionaries) = (&self.kept, &self.dictionaries);
        let results: Vec<(String, Kept, bool)> = pages
            .par_iter()
            .map(|page| render_or_keep(&renderer, page, kept, dictionaries))
            .collect::<Result<_, _>>()
            // A template error: the full rebuild reports it.
            .ok()?;
        let (changed_outputs, rendered) = keep_rendered(&mut self.kept, results);
        let articles = last.site.article_count();
        let times = Times { started, load: t_load, render: started.elapsed() - t_load };
        let photos = crate::images::Stats::default();
        Some(self.publish(changed_outputs, Work { rendered, stats, articles, photos }, times))
    }

    /// Brings the site up to date with the files on disk.
    pub(crate) fn rebuild(&mut self) -> Result<Rebuild, Diagnostics> {
        self.rebuild_all(None)
    }

    /// The first rebuild of the preview server. Once every file is read
    /// and planned, and before the other editions' bodies are rendered, it
    /// hands `front` the front page, the not-found page and the theme's
    /// files (rendered from what [`content::edition::Planned::front`] makes,
    /// which is all the front page shows). Then it loads the rest and
    /// renders those pages again only if their fingerprints say so; the
    /// other pages it leaves for [`Engine::render_deferred`]. Until they
    /// are all rendered, snapshots are marked `pending` and the server
    /// holds a request for a missing file until it is there. Later
    /// rebuilds render every page they need.
    pub(crate) fn start(&mut self, mut front: impl FnMut(Rebuild)) -> Result<Rebuild, Diagnostics> {
        self.rebuild_all(Some(&mut front))
    }

    /// Rebuilds everything; with `front` (at start-up), as [`Engine::start`] says.
    fn rebuild_all(&mut self, mut front: Option<&mut dyn FnMut(Rebuild)>) -> Result<Rebuild, Diagnostics> {
        let started = Instant::now();
        let mut planned = content::plan_with(&self.opts, &mut self.cache)?;
        if let Some(serve) = front.as_mut() {
            if let Some(rebuild) = self.front_page(&mut planned, started) {
                serve(rebuild);
            }
        }
        let site = planned.finish(&mut self.cache)?;
        let t_load = started.elapsed();
        let stats = self.cache.stats();
        let front_page_first = front.is_some();
        if self.theme.is_none() {
            self.theme = Some(
                ThemeFiles::read(&self.opts.source, &site.config)
                    .and_then(Theme::compile)
                    .map_err(|d| site.with_warnings(d))?,
            );
        }
        let Some(theme) = self.theme.as_ref() else { return Err(Diagnostics::new()) };
        let photo_cache = crate::images::Cache::in_site(&self.opts.source);
        let settings = &site.config.images;
        let (pages, photos) = rayon::join(
            || render_changed(&site, theme, &photo_cache, &self.kept, &self.dictionaries, front_page_first),
            || crate::images::make_all(&site.images, settings, &photo_cache).map_err(|d| site.with_warnings(d)),
        );
        let (RenderPass { mut outputs, rendered, listings, catalogue, deferred }, photos) = (pages?, photos?);
        for photo in &catalogue.photos {
            // The entry's name is a hash of the photo and the settings: a new name is a new picture.
            outputs.insert(photo.path.clone(), Kept::Copy { source: photo.source.clone(), stamp: None });
        }
        let times = Times { started, load: t_load, render: started.elapsed() - t_load };
        // The search index stays served until `apply_search` brings it up to date.
        for (path, kept) in self.kept.iter().filter(|(p, _)| p.starts_with(SEARCH_PREFIX)) {
            outputs.entry(path.clone()).or_insert_with(|| kept.clone());
        }
        let changed = changed_paths(&self.kept, &outputs);
        self.kept = outputs;
        let articles = site.article_count();
        self.last = Some(Loaded { site, listings, catalogue, deferred });
        Ok(self.publish(changed, Work { rendered, stats, articles, photos }, times))
    }

    /// The front page, the not-found page and the files copied as they are,
    /// kept and made a pending snapshot, from the site `planned` makes for
    /// the front page. `None` when there is none (the load fails) or the
    /// theme or a page fails: the full load reports why.
    fn front_page(&mut self, planned: &mut content::edition::Planned, started: Instant) -> Option<Rebuild> {
        let site = planned.front(&self.cache)?;
        let t_plan = started.elapsed();
        if self.theme.is_none() {
            self.theme = ThemeFiles::read(&self.opts.source, &site.config).and_then(Theme::compile).ok();
        }
        let theme = self.theme.as_ref()?;
        let renderer = Renderer::new(&site, theme);
        let entries: Vec<Entry> = [Page::Front, Page::NotFound].into_iter().map(|p| renderer.entry(p)).collect();
        let copies = crate::render::copies(&site, theme, |p| entries.iter().any(|e| e.path == p)).ok()?;
        let (kept, dictionaries) = (&self.kept, &self.dictionaries);
        let mut pages = entries
            .iter()
            .map(|entry| render_or_keep(&renderer, entry, kept, dictionaries))
            .collect::<Result<Vec<_>, _>>()
            .ok()?;
        pages.extend(copies.iter().map(|copy| (copy.path.clone(), copy_kept(copy), false)));
        let (changed, rendered) = keep_rendered(&mut self.kept, pages);
        let work =
            Work { rendered, stats: self.cache.stats(), articles: planned.article_count(), photos: Default::default() };
        let times = Times { started, load: t_plan, render: started.elapsed() - t_plan };
        Some(self.publish_as(changed, work, times, true))
    }

    /// Renders the pages [`Engine::start`] deferred, a batch at a time, and
    /// hands each batch's rebuild to `serve` as soon as it is rendered.
    /// Returns how many pages it rendered. One renderer serves every batch,
    /// so what it builds once per site (the article cards every listing
    /// shows) is built once, not once a batch.
    pub(crate) fn render_deferred(&mut self, mut serve: impl FnMut(Rebuild)) -> Result<usize, Diagnostics> {
        // Out of the engine while the renderer borrows them, so that each
        // batch can be kept and published; put back whatever happens.
        let (theme, mut last) = (self.theme.take(), self.last.take());
        let result = match (&theme, &mut last) {
            (Some(theme), Some(last)) => self.render_batches(theme, last, &mut serve),
            _ => Ok(0),
        };
        (self.theme, self.last) = (theme, last);
        result
    }

    fn render_batches(
        &mut self,
        theme: &Theme,
        last: &mut Loaded,
        serve: &mut dyn FnMut(Rebuild),
    ) -> Result<usize, Diagnostics> {
        let renderer = Renderer::with_listings(&last.site, theme, Arc::clone(&last.listings));
        let mut total = 0;
        while !last.deferred.is_empty() {
            let started = Instant::now();
            let batch = self.deferred_chunk.min(last.deferred.len());
            let chunk: Vec<Entry> = last.deferred.drain(..batch).collect();
            let (kept, dictionaries) = (&self.kept, &self.dictionaries);
            let results: Vec<Result<(String, Kept, bool), Diagnostic>> =
                chunk.par_iter().map(|page| render_or_keep(&renderer, page, kept, dictionaries)).collect();
            if results.iter().any(Result::is_err) {
                // The error is reported now; a later rebuild renders every page.
                last.deferred.clear();
            }
            let pages = crate::diagnostic::collect(results).map_err(|d| last.site.with_warnings(d))?;
            let articles = last.site.article_count();
            let (changed, rendered) = keep_rendered(&mut self.kept, pages);
            total += rendered;
            let work = Work { rendered, stats: LoadStats::default(), articles, photos: Default::default() };
            let times = Times { started, load: Duration::ZERO, render: started.elapsed() };
            serve(self.publish_as(changed, work, times, !last.deferred.is_empty()));
        }
        Ok(total)
    }

    /// The work that brings the served search index (`pagefind/`) up to
    /// date with the article pages now served: the bundles whose pages
    /// changed since they were last indexed, with those pages. `None` when
    /// nothing changed, or while pages are still being rendered (the index
    /// waits for them). [`SearchJob::run`] does the indexing away from the
    /// engine, so rebuilds go on meanwhile; [`Engine::apply_search`] serves
    /// its result.
    pub(crate) fn search_job(&self) -> Option<SearchJob> {
        let last = self.last.as_ref()?;
        if !last.deferred.is_empty() {
            return None;
        }
        let site = &last.site;
        let served = self.kept.keys().any(|p| p.starts_with(SEARCH_PREFIX));
        if !site.config.search.enabled {
            return served.then(|| SearchJob { language: String::new(), parts: None });
        }
        // Digests as `build` makes them, so the served `bundles.json` is the built one.
        let key = crate::fingerprint::binary_key();
        let language = crate::search::language(site);
        let mut parts = Vec::new();
        let mut stale = false;
        for part in crate::search::partitions(site) {
            let mut pages = Vec::with_capacity(part.articles.len());
            for &(e, a) in &part.articles {
                let Some(Kept::Page { bytes, fingerprint }) = self.kept.get(&site.editions[e].articles[a].output)
                else {
                    return None;
                };
                pages.push((site.editions[e].articles[a].url.clone(), bytes.clone(), *fingerprint));
            }
            let digest = match &key {
                Some(key) => crate::search::digest(key, &language, pages.iter().map(|p| (p.0.clone(), p.2))),
                None => String::new(),
            };
            let kept = !digest.is_empty() && self.search.get(&part.key) == Some(&digest);
            stale |= !kept;
            let pages = (!kept).then(|| pages.into_iter().map(|(url, bytes, _)| (url, bytes)).collect());
            parts.push(BundleJob { key: part.key, digest, pages });
        }
        let same_bundles = parts.len() == self.search.len() && parts.iter().all(|p| self.search.contains_key(&p.key));
        (stale || !same_bundles || !served).then_some(SearchJob { language, parts: Some(parts) })
    }

    /// Serves what a [`SearchJob`] made: its new bundles, the bundles it
    /// kept, the shared files and the list; drops what is gone. `None` when
    /// no served file changed.
    pub(crate) fn apply_search(&mut self, done: anyhow::Result<SearchDone>) -> Result<Option<Rebuild>, Diagnostics> {
        let Some(last) = self.last.as_ref() else { return Ok(None) };
        let started = Instant::now();
        let done = done.map_err(|e| index_error(&last.site, &e))?;
        let mut files = done.files;
        let mut digests = HashMap::new();
        for (key, digest) in done.kept {
            let prefix = format!("{SEARCH_PREFIX}{key}/");
            let before = files.len();
            files.extend(self.kept.iter().filter(|(p, _)| p.starts_with(&prefix)).filter_map(|(p, k)| match k {
                Kept::Page { bytes, .. } => Some((p.clone(), bytes.clone())),
                Kept::Copy { .. } => None,
            }));
            // A kept bundle no longer served (the engine was reset) is not
            // recorded as indexed: the next job indexes it again.
            if files.len() > before {
                digests.insert(key, digest);
            }
        }
        digests.extend(done.indexed);
        let mut changed: Vec<String> =
            self.kept.keys().filter(|p| p.starts_with(SEARCH_PREFIX) && !files.contains_key(*p)).cloned().collect();
        for path in &changed {
            self.kept.remove(path);
        }
        for (path, bytes) in files {
            let same = matches!(self.kept.get(&path), Some(Kept::Page { bytes: b, .. }) if *b == bytes);
            if !same {
                self.kept.insert(path.clone(), Kept::Page { fingerprint: 0, bytes });
                changed.push(path);
            }
        }
        self.search = digests;
        if changed.is_empty() {
            return Ok(None);
        }
        changed.sort();
        let Some(last) = self.last.as_ref() else { return Ok(None) };
        let articles = last.site.article_count();
        let work = Work { rendered: 0, stats: LoadStats::default(), articles, photos: Default::default() };
        let times = Times { started, load: Duration::ZERO, render: started.elapsed() };
        Ok(Some(self.publish(changed, work, times)))
    }

    /// The rebuild's result, once `kept` holds its outputs.
    fn publish(&mut self, changed: Vec<String>, work: Work, times: Times) -> Rebuild {
        let pending = self.last.as_ref().is_some_and(|l| !l.deferred.is_empty());
        self.publish_as(changed, work, times, pending)
    }

    /// [`Engine::publish`], `pending` saying whether pages are still to come.
    fn publish_as(&mut self, changed: Vec<String>, work: Work, times: Times, pending: bool) -> Rebuild {
        self.generation += 1;
        Rebuild {
            snapshot: self.snapshot(&changed, pending),
            changed,
            rendered: work.rendered,
            parsed: work.stats.parsed,
            markdown: work.stats.rendered,
            articles: work.articles,
            photos: work.photos,
            elapsed: times.started.elapsed(),
            load_time: times.load,
            render_time: times.render,
        }
    }

    /// What the server serves now, after the outputs `changed` changed.
    fn snapshot(&mut self, changed: &[String], pending: bool) -> Snapshot {
        for path in changed {
            match self.kept.get(path) {
                Some(kept) => {
                    let body = match kept {
                        Kept::Page { bytes, .. } => Body::Packed(bytes.clone()),
                        Kept::Copy { source: CopySource::Builtin(b), .. } => Body::Bytes(Arc::from(*b)),
                        Kept::Copy { source: CopySource::File(p), .. } => Body::File(p.clone()),
                    };
                    self.served.insert(path.clone(), body);
                }
                None => {
                    self.served.remove(path);
                }
            }
        }
        Snapshot { files: self.served.clone(), generation: self.generation, pending }
    }
}

/// Where the search index's files are, in the output.
const SEARCH_PREFIX: &str = "pagefind/";

/// One bundle of a [`SearchJob`]: its key and digest, and its pages
/// (`(url, html)` as served) when it must be indexed anew.
struct BundleJob {
    key: String,
    digest: String,
    pages: Option<Vec<(String, Packed)>>,
}

/// Indexing work taken from the engine (see [`Engine::search_job`]).
pub(crate) struct SearchJob {
    language: String,
    /// Every bundle of the index, oldest first; `None`: search is off and
    /// the served index goes.
    parts: Option<Vec<BundleJob>>,
}

/// What a [`SearchJob`] made, for [`Engine::apply_search`].
pub(crate) struct SearchDone {
    /// The new bundles' files, the shared files and the list, by served path.
    files: HashMap<String, Packed>,
    /// The bundles kept as served, and those indexed anew: key and digest.
    kept: Vec<(String, String)>,
    indexed: Vec<(String, String)>,
}

impl SearchJob {
    /// Indexes the bundles that changed (Pagefind, on this thread).
    pub(crate) fn run(self) -> anyhow::Result<SearchDone> {
        let mut done = SearchDone { files: HashMap::new(), kept: Vec::new(), indexed: Vec::new() };
        let Some(parts) = self.parts else { return Ok(done) };
        let mut list = Vec::new();
        for part in parts {
            list.push((part.key.clone(), part.digest.clone()));
            let Some(pages) = part.pages else {
                done.kept.push((part.key, part.digest));
                continue;
            };
            let html = pages.into_iter().map(|(url, b)| (url, b.unpack_text())).collect();
            let prefix = format!("{SEARCH_PREFIX}{}/", part.key);
            let bundle = crate::search::index_bundle(&self.language, html)?;
            done.files.extend(bundle.into_iter().map(|f| (format!("{prefix}{}", f.path), Packed::pack(&f.bytes))));
            done.indexed.push((part.key, part.digest));
        }
        let shared = crate::search::shared_files(&self.language)?;
        done.files.extend(shared.into_iter().map(|f| (format!("{SEARCH_PREFIX}{}", f.path), Packed::pack(&f.bytes))));
        let list_path = format!("{SEARCH_PREFIX}{}", crate::search::BUNDLES_FILE);
        done.files.insert(list_path, Packed::pack(crate::search::bundles_json(&list).as_bytes()));
        Ok(done)
    }
}

fn index_error(site: &Site, e: &anyhow::Error) -> Diagnostics {
    site.with_warnings(Diagnostics::from(Diagnostic::error(crate::search::FOLDER, format!("{e:#}"))))
}

/// How many deferred pages [`Engine::render_deferred`] renders at a time:
/// each batch is served as soon as it is rendered.
const DEFERRED_CHUNK: usize = 1024;

/// What [`render_changed`] made.
struct RenderPass {
    outputs: HashMap<String, Kept>,
    /// How many pages were rendered (the others kept their bytes).
    rendered: usize,
    listings: Arc<Listings>,
    catalogue: Catalogue,
    /// Pages left for [`Engine::render_deferred`].
    deferred: VecDeque<Entry>,
}

/// Fingerprints every page of the catalogue, renders those that changed,
/// and lists copies. With `front_page_first`, only the pages a browser opens
/// first are rendered; the others are returned in the order [`start_up`]
/// gives them.
fn render_changed(
    site: &Site,
    theme: &Theme,
    photo_cache: &crate::images::Cache,
    kept: &HashMap<String, Kept>,
    dictionaries: &Dictionaries<PageKind>,
    front_page_first: bool,
) -> Result<RenderPass, Diagnostics> {
    let renderer = Renderer::new(site, theme);
    let catalogue = Catalogue::new(&renderer, site, theme, photo_cache)?;
    let (mut deferred, pages): (Vec<&Entry>, Vec<&Entry>) =
        catalogue.pages.iter().partition(|entry| front_page_first && start_up(&entry.page).0 != StartUp::BeforeServing);
    deferred.sort_by_key(|entry| start_up(&entry.page));
    let deferred = deferred.into_iter().cloned().collect();
    let results: Vec<Result<(String, Kept, bool), Diagnostic>> =
        pages.par_iter().map(|page| render_or_keep(&renderer, page, kept, dictionaries)).collect();
    let results = crate::diagnostic::collect(results).map_err(|d| site.with_warnings(d))?;
    let rendered = results.iter().filter(|(_, _, fresh)| *fresh).count();
    let mut outputs: HashMap<String, Kept> = results.into_iter().map(|(p, k, _)| (p, k)).collect();
    outputs.extend(catalogue.copies.iter().map(|copy| (copy.path.clone(), copy_kept(copy))));
    Ok(RenderPass { outputs, rendered, listings: renderer.listings(), catalogue, deferred })
}

/// A file copied as it is, with the stamp of its source file as it is now.
fn copy_kept(copy: &crate::render::CopyFile) -> Kept {
    let stamp = match &copy.source {
        CopySource::File(p) => FileStamp::at(p),
        CopySource::Builtin(_) => None,
    };
    Kept::Copy { source: copy.source.clone(), stamp }
}

/// The page of `entry` as kept: its kept bytes when its fingerprint matches
/// theirs, else rendered anew (the `bool` says which).
fn render_or_keep(
    renderer: &Renderer<'_>,
    entry: &Entry,
    kept: &HashMap<String, Kept>,
    dictionaries: &Dictionaries<PageKind>,
) -> Result<(String, Kept, bool), Diagnostic> {
    let made = renderer.render_unless(entry, |new| match kept.get(&entry.path) {
        Some(Kept::Page { fingerprint, bytes }) if *fingerprint == new => Some(bytes.clone()),
        _ => None,
    })?;
    let (bytes, fresh) = match made.output {
        Output::Reused(bytes) => (bytes, false),
        Output::Rendered(bytes) => {
            let body = renderer.own_body(&entry.page);
            (Packed::page(&bytes, body, dictionaries, kind_of(&entry.page)), true)
        }
    };
    Ok((entry.path.clone(), Kept::Page { fingerprint: made.fingerprint, bytes }, fresh))
}

/// Puts some pages' results into `kept`; returns the outputs whose bytes
/// changed (sorted) and how many pages were rendered.
fn keep_rendered(kept: &mut HashMap<String, Kept>, results: Vec<(String, Kept, bool)>) -> (Vec<String>, usize) {
    let mut changed = Vec::new();
    let mut rendered = 0;
    for (path, page, fresh) in results {
        rendered += usize::from(fresh);
        if !unchanged(kept.get(&path), &page) {
            changed.push(path.clone());
        }
        kept.insert(path, page);
    }
    changed.sort();
    (changed, rendered)
}

/// Whether `new` serves what `old` (the output as it was) served: the same
/// page bytes, or a copy of the same file, unchanged.
fn unchanged(old: Option<&Kept>, new: &Kept) -> bool {
    match (old, new) {
        (Some(Kept::Page { bytes: a, .. }), Kept::Page { bytes: b, .. }) => a == b,
        (Some(Kept::Copy { source: a, stamp: sa }), Kept::Copy { source: b, stamp: sb }) => a == b && sa == sb,
        _ => false,
    }
}

/// Outputs added, removed, or whose bytes or source changed, sorted.
fn changed_paths(old: &HashMap<String, Kept>, new: &HashMap<String, Kept>) -> Vec<String> {
    let mut changed = BTreeSet::new();
    for (path, kept) in new {
        if !unchanged(old.get(path), kept) {
            changed.insert(path.clone());
        }
    }
    changed.extend(old.keys().filter(|p| !new.contains_key(*p)).cloned());
    changed.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("site.yaml"), "title: T\nbase_url: https://x.org/\n").unwrap();
        for (date, name, body) in [
            ("2023-09-05", "a", "A body links [b](b.md)."),
            ("2023-09-05", "b", "B body.\n\nSecond paragraph."),
            ("2023-09-06", "c", "C body."),
        ] {
            let folder = root.join("content").join(date);
            std::fs::create_dir_all(&folder).unwrap();
            let text = format!("---\ntitle: {name}\ntags: [t]\n---\n{body}\n");
            std::fs::write(folder.join(format!("{name}.md")), text).unwrap();
        }
        dir
    }

    #[test]
    fn an_unchanged_site_reads_and_renders_nothing() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        let first = engine.rebuild().unwrap();
        assert_eq!((first.parsed, first.markdown), (3, 3));
        let copies = first.snapshot.files.values().filter(|b| matches!(b, Body::File(_))).count()
            + crate::content::theme::BUILTIN_STATIC.len();
        assert_eq!(first.rendered, first.snapshot.files.len() - copies, "every page once; static files are copied");
        let second = engine.rebuild().unwrap();
        assert_eq!((second.parsed, second.markdown, second.rendered), (0, 0, 0));
        assert!(second.changed.is_empty(), "{:?}", second.changed);
    }

    #[test]
    fn a_body_edit_rerenders_only_the_pages_that_show_it() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        let path = dir.path().join("content/2023-09-05/b.md");
        std::fs::write(&path, "---\ntitle: b\ntags: [t]\n---\nB body.\n\nSecond paragraph, longer now.\n").unwrap();
        let r = engine.rebuild().unwrap();
        assert_eq!((r.parsed, r.markdown), (1, 1));
        // The summary (first paragraph) is the same, so only the article
        // page and the feeds, which carry the whole body, change.
        assert_eq!(r.changed, vec!["2023/09/05/b/index.html", "feed.json", "feed.xml"]);
        assert_eq!(r.rendered, 3);
    }

    // Regression: the preview's cache knew a file by its size and modification
    // time only, so a rewrite keeping both (a tool restoring the time, two saves
    // in one tick of a coarse clock) served the old text until the next change.
    #[test]
    fn an_edit_that_keeps_size_and_modification_time_is_seen() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        let path = dir.path().join("content/2023-09-06/c.md");
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replace("C body.", "D body.")).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
        let r = engine.rebuild_changed(&[PathBuf::from("content/2023-09-06/c.md")]).unwrap();
        assert_eq!(r.parsed, 1, "the file is read again");
        assert_same_as_fresh(&engine, &r.snapshot);
        assert!(r.changed.contains(&"2023/09/06/c/index.html".to_string()), "{:?}", r.changed);
        // A full rebuild takes the same stamp.
        std::fs::write(&path, text.replace("C body.", "E body.")).unwrap();
        std::fs::File::options().write(true).open(&path).unwrap().set_modified(modified).unwrap();
        let r = engine.rebuild().unwrap();
        assert_eq!(r.parsed, 1);
        assert_same_as_fresh(&engine, &r.snapshot);
    }

    /// Asserts `engine` serves exactly what a fresh engine builds.
    fn assert_same_as_fresh(engine: &Engine, served: &Snapshot) {
        let fresh = Engine::new(engine.opts.clone()).rebuild().unwrap().snapshot;
        let keys = |s: &Snapshot| s.files.keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(keys(served), keys(&fresh));
        // Packed bodies by their bytes: another engine packs with dictionaries of its own.
        let bytes = |body: &Body| match body {
            Body::Packed(packed) => Body::Bytes(packed.unpack().into()),
            other => other.clone(),
        };
        for (path, body) in &fresh.files {
            assert_eq!(Some(bytes(body)), served.files.get(path).map(bytes), "{path} differs from a fresh build");
        }
    }

    #[test]
    fn the_body_shortcut_renders_what_a_full_rebuild_would() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        let rel = PathBuf::from("content/2023-09-05/b.md");
        let text = "---\ntitle: b\ntags: [t]\n---\nB body.\n\nSecond paragraph, *longer* now.\n";
        std::fs::write(dir.path().join(&rel), text).unwrap();
        let r = engine.rebuild_changed(std::slice::from_ref(&rel)).unwrap();
        assert_eq!((r.parsed, r.markdown, r.rendered), (1, 1, 3), "only the body's pages are rendered");
        assert_eq!(r.changed, vec!["2023/09/05/b/index.html", "feed.json", "feed.xml"]);
        assert!(engine.last.is_some());
        assert_same_as_fresh(&engine, &r.snapshot);

        // An editor's temporary file that came and went changes nothing.
        let r = engine.rebuild_changed(&[PathBuf::from("content/2023-09-05/4913")]).unwrap();
        assert_eq!((r.parsed, r.rendered, r.changed.len()), (0, 0, 0));
    }

    #[test]
    fn kept_parses_hold_no_markdown_and_a_body_whose_links_moved_is_read_again() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        let texts = |engine: &Engine| engine.cache.kept_markdown_texts();
        assert_eq!(texts(&engine), 0, "the preview keeps hashes of Markdown, not Markdown");
        // `b` moves: `a`, unchanged, links to it, so its body is rendered
        // again, from its file.
        let b = dir.path().join("content/2023-09-05/b.md");
        std::fs::write(&b, "---\ntitle: b\nslug: bee\ntags: [t]\n---\nB body.\n\nSecond paragraph.\n").unwrap();
        let moved = engine.rebuild().unwrap();
        assert_eq!((moved.parsed, moved.markdown), (1, 2), "b read and rendered, a rendered again");
        let a = moved.snapshot.files.get("2023/09/05/a/index.html").expect("a is served");
        let Body::Packed(a) = a else { panic!("a is rendered") };
        let a = a.unpack_text();
        assert!(a.contains("A body links") && a.contains("/2023/09/05/bee/"), "{a}");
        assert_eq!(texts(&engine), 0);
        assert_same_as_fresh(&engine, &moved.snapshot);
    }

    #[test]
    fn edits_beyond_the_body_take_the_full_rebuild() {
        let cases = [
            // A new title shows on the edition page and the listings.
            ("---\ntitle: b2\ntags: [t]\n---\nB body.\n\nSecond paragraph.\n", "2023/09/05/index.html"),
            // A new first paragraph is a new summary.
            ("---\ntitle: b\ntags: [t]\n---\nNew start.\n\nSecond paragraph.\n", "2023/09/05/index.html"),
            // A broken link is an error the full rebuild reports.
            ("---\ntitle: b\ntags: [t]\n---\nB body.\n\nSee [x](missing.md).\n", ""),
        ];
        for (text, expect_changed) in cases {
            let dir = site();
            let mut engine = Engine::new(BuildOptions::new(dir.path()));
            engine.rebuild().unwrap();
            let rel = PathBuf::from("content/2023-09-05/b.md");
            std::fs::write(dir.path().join(&rel), text).unwrap();
            match engine.rebuild_changed(std::slice::from_ref(&rel)) {
                Ok(r) => {
                    assert!(r.changed.iter().any(|p| p == expect_changed), "{text:?}: {:?}", r.changed);
                    assert_same_as_fresh(&engine, &r.snapshot);
                }
                Err(diags) => {
                    assert!(expect_changed.is_empty(), "{text:?}: {diags:?}");
                    assert!(diags.to_string().contains("missing.md"), "{diags:?}");
                }
            }
        }
    }

    #[test]
    fn deferred_batches_share_one_renderer_and_its_article_cards() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.deferred_chunk = 1;
        engine.start(|_| {}).unwrap();
        let card_sets = engine.theme.as_ref().unwrap().card_sets();
        let mut batches = Vec::new();
        engine.render_deferred(|batch| batches.push(batch)).unwrap();
        let editions = batches.iter().filter(|b| b.changed.iter().any(|p| p.ends_with("/09/05/index.html"))).count();
        assert!(batches.len() > 5 && editions == 1, "{} batches", batches.len());
        assert!(!batches.last().unwrap().snapshot.pending);
        // Each batch lists an edition or not; the cards are made once for all of them.
        assert_eq!(engine.theme.as_ref().unwrap().card_sets(), card_sets + 1, "cards made once, not once a batch");
        assert_same_as_fresh(&engine, &batches.last().unwrap().snapshot);
    }

    #[test]
    fn the_front_page_is_served_before_older_bodies_are_rendered_and_not_again_after() {
        let dir = site();
        // The note's title is what the front page lists for the older edition.
        std::fs::write(dir.path().join("content/2023-09-05/_edition.md"), "---\ntitle: The 'early' one\n---\nNote.\n")
            .unwrap();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        let mut front = None;
        let first = engine.start(|rebuild| front = Some(rebuild)).unwrap();
        let front = front.expect("the front page is handed over before the load ends");
        assert!(front.snapshot.pending);
        assert_eq!(front.markdown, 1, "only the newest edition's body is rendered by then");
        assert_eq!(front.articles, 3);
        let served: BTreeSet<&str> = front.snapshot.files.keys().map(String::as_str).collect();
        for path in ["index.html", "404.html", "css/daily.css"] {
            assert!(served.contains(path), "{path} is served with the front page: {served:?}");
        }
        assert!(served.iter().all(|p| !p.starts_with("2023/")), "{served:?}");
        assert!(front.changed.iter().any(|p| p == "index.html"));
        // The whole load finds the same front page: kept, not rendered again.
        assert!(!first.changed.iter().any(|p| p == "index.html" || p == "404.html"), "{:?}", first.changed);
        assert_eq!(first.rendered, 0);
        let mut last = None;
        engine.render_deferred(|batch| last = Some(batch.snapshot)).unwrap();
        let fresh = Engine::new(engine.opts.clone()).rebuild().unwrap().snapshot;
        let text = |s: &Snapshot| match s.files.get("index.html") {
            Some(Body::Packed(p)) => p.unpack_text(),
            other => panic!("index.html: {other:?}"),
        };
        let early = text(&front.snapshot);
        assert_eq!(early, text(&fresh), "the early front page is the built one");
        assert!(early.contains("The \u{2018}early\u{2019} one") && early.contains("C body."), "{early}");
        assert_same_as_fresh(&engine, &last.expect("pages were deferred"));
    }

    #[test]
    fn a_start_that_fails_in_an_older_edition_fails_after_the_front_page_and_one_that_fails_first_shows_none() {
        let dir = site();
        let older = dir.path().join("content/2023-09-05/b.md");
        std::fs::write(&older, "---\ntitle: b\n---\nSee [x](missing.md).\n").unwrap();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        let mut fronts = 0;
        let failed = engine.start(|_| fronts += 1).unwrap_err();
        assert_eq!(fronts, 1);
        assert!(failed.iter().any(|d| d.is_error() && d.message.contains("missing.md")), "{failed:?}");
        // A front matter error is known before any body is rendered: no front page.
        std::fs::write(&older, "---\ntitle: [b\n---\nB.\n").unwrap();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        let mut fronts = 0;
        assert!(engine.start(|_| fronts += 1).is_err());
        assert_eq!(fronts, 0);
    }

    #[test]
    fn start_up_serves_the_front_page_then_the_rest_in_batches_newest_edition_first() {
        let dir = site();
        std::fs::write(
            dir.path().join("site.yaml"),
            "title: T\nbase_url: https://x.org/\nnewsletter: {enabled: true}\n",
        )
        .unwrap();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.deferred_chunk = 3;
        let first = engine.start(|_| {}).unwrap();
        assert!(first.snapshot.pending);
        for served in ["index.html", "404.html", "css/daily.css"] {
            assert!(first.snapshot.files.contains_key(served), "{served} is served at once");
        }
        assert!(!first.snapshot.files.contains_key("2023/09/06/c/index.html"));
        let mut batches = Vec::new();
        let rendered = engine.render_deferred(|batch| batches.push(batch)).unwrap();
        assert_eq!(rendered, batches.iter().map(|b| b.rendered).sum::<usize>());
        let (last, before) = batches.split_last().expect("pages were deferred");
        assert!(before.iter().all(|b| b.snapshot.pending && b.changed.len() == 3));
        assert!(!last.snapshot.pending);
        assert_same_as_fresh(&engine, &last.snapshot);
        // Pages of one batch render in parallel; the batches come in order.
        let batch_of = |path: &str| {
            batches.iter().position(|b| b.changed.iter().any(|p| p == path)).unwrap_or_else(|| panic!("{path}"))
        };
        assert_eq!(batch_of("2023/09/06/c/index.html"), 0, "the newest edition first");
        assert!(batch_of("2023/09/05/a/index.html") <= batch_of("tags/t/index.html"));
        assert!(batch_of("tags/t/index.html") <= batch_of("2023/09/06/newsletter.html"));
        assert_eq!(batch_of("2023/09/05/newsletter.txt"), batches.len() - 1, "the newsletters last");
        // Later rebuilds render everything at once.
        let again = engine.rebuild().unwrap();
        assert!(!again.snapshot.pending && again.changed.is_empty(), "{:?}", again.changed);
    }

    /// The served search files of `engine`, by path.
    fn search_files(engine: &mut Engine) -> BTreeMap<String, Vec<u8>> {
        let snapshot = engine.snapshot(&[], false);
        snapshot
            .files
            .iter()
            .filter(|(p, _)| p.starts_with(SEARCH_PREFIX))
            .map(|(p, body)| match body {
                Body::Packed(b) => (p.clone(), b.unpack()),
                _ => panic!("{p} is not served from memory"),
            })
            .collect()
    }

    // Regression: `serve` made the search index in its watch loop, so every edit waited
    // for Pagefind (a second at the median on the 10k benchmark). The index is now a job
    // that runs away from the engine while it rebuilds; a job taken before an edit is
    // served, and the next job indexes the edit.
    #[test]
    fn a_search_job_taken_before_an_edit_is_served_and_the_next_catches_up() {
        let dir = site();
        let opts = BuildOptions::new(dir.path());
        let mut engine = Engine::new(opts.clone());
        engine.rebuild().unwrap();
        let first = engine.search_job().expect("a new site has an index to make");
        // The engine rebuilds while the job runs elsewhere.
        std::fs::write(dir.path().join("content/2023-09-06/c.md"), "---\ntitle: c\ntags: [t]\n---\nQuokkas.\n")
            .unwrap();
        engine.rebuild().unwrap();
        assert!(engine.apply_search(first.run()).unwrap().is_some(), "the first index is served");
        let next = engine.search_job().expect("the edited year is indexed again");
        assert!(engine.apply_search(next.run()).unwrap().is_some());
        assert!(engine.search_job().is_none(), "the index is up to date");

        let mut fresh = Engine::new(opts);
        fresh.rebuild().unwrap();
        let job = fresh.search_job().unwrap();
        fresh.apply_search(job.run()).unwrap();
        let (served, expected) = (search_files(&mut engine), search_files(&mut fresh));
        assert!(expected.keys().any(|p| p.ends_with("bundles.json")), "{:?}", expected.keys());
        assert_eq!(served, expected, "the served index differs from a fresh engine's");
    }

    #[test]
    fn deleting_an_article_removes_its_page() {
        let dir = site();
        let mut engine = Engine::new(BuildOptions::new(dir.path()));
        engine.rebuild().unwrap();
        std::fs::remove_file(dir.path().join("content/2023-09-06/c.md")).unwrap();
        let r = engine.rebuild().unwrap();
        assert_eq!(engine.cache.cached_bodies(), 2, "the deleted body is forgotten");
        assert!(!r.snapshot.files.contains_key("2023/09/06/c/index.html"));
        assert!(r.changed.contains(&"2023/09/06/c/index.html".to_string()));
    }
}
